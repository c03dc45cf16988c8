/* SPDX-License-Identifier: GPL-2.0 */
// A GUP walker: one of the kernel's get/pin_user_pages entry points, with its flags and,
// for the remote ones, the target mm. Every walker answers the same question: take up to
// N pages from here, tell me how many you took.
#pragma once

#include "gupbench/result.h"
#include "gupbench/span.h"
#include "kapi/gup.h"
#include "mm_ref.h"

#include <uapi/gupbench.h>

namespace gb {

enum class Release { unpin, put };

struct WalkerTraits {
	const char *name;
	bool pins;      // FOLL_PIN (released by unpin) or FOLL_GET (released by put_page)
	bool fast;      // lockless walker: FOLL_FORCE and FOLL_TOUCH are not allowed
	bool unlocked;  // *_unlocked: takes the mmap lock itself and may drop it
	bool remote;    // acts on another process's mm
	bool present;   // the running kernel has it (kapi/gup.h)
	bool memfd;     // pins a memfd's folios, not an address range (memfd_walk.h)
};

const WalkerTraits &walker_traits(gupbench_walker walker);
// A known walker that takes a memfd instead of an address (RUN's version 2 fields).
bool is_memfd_walker(u32 walker);

// What GUPBENCH_IOC_INFO reports: a bit (1 << walker) per walker the running kernel has,
// and the GUPBENCH_FLAG_* it lets a caller ask for. Walker::create refuses the others with
// -EOPNOTSUPP.
u64 present_walkers();
u64 present_flags();

// One GUP entry point with its arguments bound: calling it is the kernel call and as good
// as nothing else (a direct call, or a kapi wrapper that is one jump), so that a walk of one page per call pays
// for no dispatch, no lock it does not need and no frame of ours per call, as gup_test's
// loop pays for none. Each returns what the kernel returns: pages taken or -errno.
namespace gup_call {

template <int (*Fast)(unsigned long, int, unsigned int, struct page **)>
struct Lockless {
	unsigned int foll;
	long operator()(UserAddr start, Span<struct page *> pages) const
	{
		return Fast(start, static_cast<int>(pages.size()), foll, pages.data());
	}
};

// get/pin_user_pages: under the mmap read lock of current->mm, taken here around the
// call, or by the walk around all of them (lock_each_call null: GUPBENCH_FLAG_LOCK_ONCE).
template <long (*Slow)(unsigned long, unsigned long, unsigned int, struct page **)>
struct Locked {
	unsigned int foll;
	struct mm_struct *lock_each_call;
	long operator()(UserAddr start, Span<struct page *> pages) const
	{
		MmapReadLock lock(lock_each_call);
		return Slow(start, pages.size(), foll, pages.data());
	}
};

// *_unlocked: GUP takes the lock itself.
template <long (*Unlocked)(unsigned long, unsigned long, unsigned int, struct page **)>
struct SelfLocking {
	unsigned int foll;
	long operator()(UserAddr start, Span<struct page *> pages) const
	{
		return Unlocked(start, pages.size(), foll, pages.data());
	}
};

// *_remote: another process's mm, under its lock, which GUP may drop on our behalf; a
// long-term pin passes no `locked` (6.1 refuses it there).
template <long (*Remote)(struct mm_struct *, unsigned long, unsigned long, unsigned int,
			 struct page **, int *)>
struct OtherMm {
	unsigned int foll;
	struct mm_struct *mm;
	bool longterm;
	long operator()(UserAddr start, Span<struct page *> pages) const
	{
		MmapReadLock lock(mm);
		int locked = 1;
		long taken = Remote(mm, start, pages.size(), foll, pages.data(),
				    longterm ? nullptr : &locked);
		if (!locked)
			lock.forget(); // GUP dropped the lock on our behalf
		return taken;
	}
};

} // namespace gup_call

// What a GUP call's answer means to a walk: pages taken (> 0), or why none were.
inline Result<usize> taken_by(long answer, usize asked)
{
	if (answer < 0)
		return Error::from_kernel(answer);
	if (answer == 0) // the *_fast_only walkers: the range needs a fault they may not take
		return Errno::fault;
	GB_ASSERT(static_cast<usize>(answer) <= asked);
	return static_cast<usize>(answer);
}

class Walker {
public:
	// Refuses unknown walkers and flag combinations the kernel would reject.
	static Result<Walker> create(u32 walker, u64 flags, s32 target_pid);

	// Calls `f` with this walker's gup_call, whose type names the kernel function, so
	// that `f` (the walk loop) is compiled once per walker with the call inlined. Not for
	// the memfd walker, which has no address to walk.
	template <typename F>
	decltype(auto) visit(F &&f) const;

	Release release_kind() const { return traits().pins ? Release::unpin : Release::put; }
	bool longterm() const { return flags_ & GUPBENCH_FLAG_LONGTERM; }
	// GUPBENCH_FLAG_LOCK_ONCE: the caller holds the mmap read lock across the whole walk.
	bool locks_once() const { return flags_ & GUPBENCH_FLAG_LOCK_ONCE; }
	const WalkerTraits &traits() const { return walker_traits(walker_); }
	gupbench_walker id() const { return walker_; }

private:
	Walker(gupbench_walker walker, u64 flags, unsigned int foll, MmRef remote_mm)
		: walker_(walker), flags_(flags), foll_(foll), remote_mm_(move(remote_mm))
	{
	}
	struct mm_struct *lock_each_call() const;

	gupbench_walker walker_;
	u64 flags_; // GUPBENCH_FLAG_*
	unsigned int foll_;
	MmRef remote_mm_;
};

template <typename F>
decltype(auto) Walker::visit(F &&f) const
{
	using namespace gup_call;
	switch (walker_) {
	case GUPBENCH_WALKER_GET_FAST:
		return f(Lockless<get_user_pages_fast>{ foll_ });
	case GUPBENCH_WALKER_PIN_FAST:
		return f(Lockless<pin_user_pages_fast>{ foll_ });
	case GUPBENCH_WALKER_GET_FAST_ONLY:
		return f(Lockless<get_user_pages_fast_only>{ foll_ });
	case GUPBENCH_WALKER_PIN_FAST_ONLY:
		return f(Lockless<kapi_pin_user_pages_fast_only>{ foll_ });
	case GUPBENCH_WALKER_GET:
		return f(Locked<kapi_get_user_pages>{ foll_, lock_each_call() });
	case GUPBENCH_WALKER_PIN:
		return f(Locked<kapi_pin_user_pages>{ foll_, lock_each_call() });
	case GUPBENCH_WALKER_GET_UNLOCKED:
		return f(SelfLocking<kapi_get_user_pages_unlocked>{ foll_ });
	case GUPBENCH_WALKER_PIN_UNLOCKED:
		return f(SelfLocking<kapi_pin_user_pages_unlocked>{ foll_ });
	case GUPBENCH_WALKER_GET_REMOTE:
		return f(OtherMm<kapi_get_user_pages_remote>{ foll_, remote_mm_.get(), longterm() });
	case GUPBENCH_WALKER_PIN_REMOTE:
		return f(OtherMm<kapi_pin_user_pages_remote>{ foll_, remote_mm_.get(), longterm() });
	case GUPBENCH_WALKER_PIN_MEMFD: // walks files, not address ranges: memfd_walk.h
	case GUPBENCH_WALKER_COUNT:
		break;
	}
	GB_ASSERT(false);
	__builtin_unreachable();
}

} // namespace gb
