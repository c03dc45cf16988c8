// SPDX-License-Identifier: GPL-2.0
#include "walker.h"

#include "kapi/kapi.h"

namespace gb {
namespace {

// In enum gupbench_walker order.
constexpr WalkerTraits all_walkers[GUPBENCH_WALKER_COUNT] = {
	// name             pins   fast   unlocked remote
	{ "get_fast",      false, true,  false,  false },
	{ "pin_fast",      true,  true,  false,  false },
	{ "get_fast_only", false, true,  false,  false },
	{ "pin_fast_only", true,  true,  false,  false },
	{ "get",           false, false, false,  false },
	{ "pin",           true,  false, false,  false },
	{ "get_unlocked",  false, false, true,   false },
	{ "pin_unlocked",  true,  false, true,   false },
	{ "get_remote",    false, false, false,  true },
	{ "pin_remote",    true,  false, false,  true },
};

} // namespace

const WalkerTraits &walker_traits(gupbench_walker walker)
{
	GB_ASSERT(walker < GUPBENCH_WALKER_COUNT);
	return all_walkers[walker];
}

Result<Walker> Walker::create(u32 walker, u64 flags, s32 target_pid)
{
	if (walker >= GUPBENCH_WALKER_COUNT) {
		kapi_log_err("unknown walker %u", walker);
		return Errno::inval;
	}
	auto id = static_cast<gupbench_walker>(walker);
	const WalkerTraits &traits = walker_traits(id);
	if (flags & ~GUPBENCH_FLAGS_ALL) {
		kapi_log_err("unknown flags %#llx", flags & ~GUPBENCH_FLAGS_ALL);
		return Errno::inval;
	}
	// FOLL_LONGTERM is meaningful with FOLL_PIN only; the kernel WARNs on FOLL_GET.
	if ((flags & GUPBENCH_FLAG_LONGTERM) && !traits.pins) {
		kapi_log_err("%s: FOLL_LONGTERM needs a pin walker", traits.name);
		return Errno::inval;
	}
	// The lockless walkers accept neither FOLL_FORCE (it may need a fault to break COW)
	// nor FOLL_TOUCH; 6.1 WARNs on both there.
	if ((flags & (GUPBENCH_FLAG_FORCE | GUPBENCH_FLAG_TOUCH)) && traits.fast) {
		kapi_log_err("%s: FOLL_FORCE and FOLL_TOUCH are for the slow walkers", traits.name);
		return Errno::inval;
	}
	// get_user_pages_unlocked() WARNs on FOLL_LONGTERM in 6.1 (it may drop the lock,
	// which a long-term pin's vma checks cannot allow).
	if ((flags & GUPBENCH_FLAG_LONGTERM) && traits.unlocked) {
		kapi_log_err("%s: FOLL_LONGTERM is not allowed with the unlocked walkers",
			     traits.name);
		return Errno::inval;
	}
	MmRef remote;
	if (traits.remote)
		remote = TRY(MmRef::of_pid_for_ptrace(target_pid));
	else if (target_pid != 0) {
		kapi_log_err("%s: target_pid is for the remote walkers", traits.name);
		return Errno::inval;
	}
	unsigned int foll = kapi_foll_flags(
		flags & GUPBENCH_FLAG_WRITE, flags & GUPBENCH_FLAG_LONGTERM,
		flags & GUPBENCH_FLAG_FORCE, flags & GUPBENCH_FLAG_TOUCH);
	return Walker(id, flags, foll, move(remote));
}

long Walker::call(UserAddr start, Span<struct page *> pages) const
{
	unsigned long nr = pages.size();
	struct page **out = pages.data();
	switch (walker_) {
	case GUPBENCH_WALKER_GET_FAST:
		return kapi_get_user_pages_fast(start, nr, foll_, out);
	case GUPBENCH_WALKER_PIN_FAST:
		return kapi_pin_user_pages_fast(start, nr, foll_, out);
	case GUPBENCH_WALKER_GET_FAST_ONLY:
		return kapi_get_user_pages_fast_only(start, nr, foll_, out);
	case GUPBENCH_WALKER_PIN_FAST_ONLY:
		return kapi_pin_user_pages_fast_only(start, nr, foll_, out);
	case GUPBENCH_WALKER_GET: {
		MmapReadLock lock(kapi_current_mm());
		return kapi_get_user_pages(start, nr, foll_, out);
	}
	case GUPBENCH_WALKER_PIN: {
		MmapReadLock lock(kapi_current_mm());
		return kapi_pin_user_pages(start, nr, foll_, out);
	}
	case GUPBENCH_WALKER_GET_UNLOCKED:
		return kapi_get_user_pages_unlocked(start, nr, foll_, out);
	case GUPBENCH_WALKER_PIN_UNLOCKED:
		return kapi_pin_user_pages_unlocked(start, nr, foll_, out);
	case GUPBENCH_WALKER_GET_REMOTE:
	case GUPBENCH_WALKER_PIN_REMOTE: {
		MmapReadLock lock(remote_mm_.get());
		int locked = 1;
		long taken = walker_ == GUPBENCH_WALKER_GET_REMOTE
				     ? kapi_get_user_pages_remote(remote_mm_.get(), start, nr, foll_,
								  out, &locked)
				     : kapi_pin_user_pages_remote(remote_mm_.get(), start, nr, foll_,
								  out, &locked);
		if (!locked)
			lock.forget(); // GUP dropped the lock on our behalf
		return taken;
	}
	case GUPBENCH_WALKER_COUNT:
		break;
	}
	__builtin_unreachable();
}

Result<usize> Walker::take(UserAddr start, Span<struct page *> pages) const
{
	GB_ASSERT(!pages.empty()); // never ask GUP for zero pages (a 6.1 bug: FACTS.md)
	long taken = call(start, pages);
	if (taken < 0)
		return Error::from_kernel(taken);
	if (taken == 0) // the *_fast_only walkers: the range needs a fault they may not take
		return Errno::fault;
	GB_ASSERT(static_cast<usize>(taken) <= pages.size());
	return static_cast<usize>(taken);
}

} // namespace gb
