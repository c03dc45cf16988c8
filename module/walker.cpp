// SPDX-License-Identifier: GPL-2.0
#include "walker.h"

#include "kapi/kapi.h"

namespace gb {
namespace {

// In enum gupbench_walker order.
constexpr WalkerTraits all_walkers[GUPBENCH_WALKER_COUNT] = {
	// name             pins   fast   unlocked remote present                            memfd
	{ "get_fast",      false, true,  false,  false, true,                              false },
	{ "pin_fast",      true,  true,  false,  false, true,                              false },
	{ "get_fast_only", false, true,  false,  false, true,                              false },
	{ "pin_fast_only", true,  true,  false,  false, KAPI_HAS_PIN_USER_PAGES_FAST_ONLY, false },
	{ "get",           false, false, false,  false, true,                              false },
	{ "pin",           true,  false, false,  false, true,                              false },
	{ "get_unlocked",  false, false, true,   false, true,                              false },
	{ "pin_unlocked",  true,  false, true,   false, true,                              false },
	{ "get_remote",    false, false, false,  true,  true,                              false },
	{ "pin_remote",    true,  false, false,  true,  true,                              false },
	{ "pin_memfd",     true,  false, false,  false, KAPI_HAS_MEMFD_PIN_FOLIOS,         true },
};
} // namespace

u64 present_walkers()
{
	u64 walkers = 0;
	for (usize w = 0; w < GUPBENCH_WALKER_COUNT; w++)
		if (all_walkers[w].present)
			walkers |= 1ULL << w;
	return walkers;
}

u64 present_flags()
{
	return GUPBENCH_FLAGS_ALL & ~(KAPI_HAS_FOLL_TOUCH ? 0 : GUPBENCH_FLAG_TOUCH);
}

const WalkerTraits &walker_traits(gupbench_walker walker)
{
	GB_ASSERT(walker < GUPBENCH_WALKER_COUNT);
	return all_walkers[walker];
}

bool is_memfd_walker(u32 walker)
{
	return walker < GUPBENCH_WALKER_COUNT &&
	       walker_traits(static_cast<gupbench_walker>(walker)).memfd;
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
	// Known to gupbench, missing from the running kernel (INFO leaves them out).
	if (!traits.present) {
		kapi_log_err("%s: kernel %s has no such GUP function", traits.name,
			     kapi_kernel_release());
		return Errno::opnotsupp;
	}
	// memfd_pin_folios() takes no FOLL_* flags: it always pins as FOLL_PIN |
	// FOLL_LONGTERM would, so LONGTERM is allowed and changes nothing. Nor is there a dirty
	// variant of unpin_folios().
	constexpr u64 memfd_flags =
		GUPBENCH_FLAG_LONGTERM | GUPBENCH_FLAG_VERIFY | GUPBENCH_FLAG_WALK_TIME;
	if (traits.memfd && (flags & ~memfd_flags)) {
		kapi_log_err("%s: flags %#llx are not for memfd_pin_folios (only LONGTERM, VERIFY, "
			     "WALK_TIME)",
			     traits.name, flags & ~memfd_flags);
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
	// Only get and pin take the lock around each call; the others lock themselves or lock
	// another mm.
	if ((flags & GUPBENCH_FLAG_LOCK_ONCE) && (traits.fast || traits.unlocked || traits.remote)) {
		kapi_log_err("%s: LOCK_ONCE is for the get and pin walkers", traits.name);
		return Errno::inval;
	}
	// A combination every kernel refuses is EINVAL (above); a flag this one lacks is not.
	if (flags & ~present_flags()) {
		kapi_log_err("%s: kernel %s lets no caller pass FOLL_TOUCH", traits.name,
			     kapi_kernel_release());
		return Errno::opnotsupp;
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

struct mm_struct *Walker::lock_each_call() const
{
	return locks_once() ? nullptr : kapi_current_mm();
}

} // namespace gb
