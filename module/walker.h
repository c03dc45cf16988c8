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
};

const WalkerTraits &walker_traits(gupbench_walker walker);

class Walker {
public:
	// Refuses unknown walkers and flag combinations the kernel would reject.
	static Result<Walker> create(u32 walker, u64 flags, s32 target_pid);

	// Takes up to pages.size() pages from `start`; the count taken (> 0) or an error.
	Result<usize> take(UserAddr start, Span<struct page *> pages) const;

	Release release_kind() const { return traits().pins ? Release::unpin : Release::put; }
	bool longterm() const { return flags_ & GUPBENCH_FLAG_LONGTERM; }
	const WalkerTraits &traits() const { return walker_traits(walker_); }
	gupbench_walker id() const { return walker_; }

private:
	Walker(gupbench_walker walker, u64 flags, unsigned int foll, MmRef remote_mm)
		: walker_(walker), flags_(flags), foll_(foll), remote_mm_(move(remote_mm))
	{
	}
	long call(UserAddr start, Span<struct page *> pages) const;

	gupbench_walker walker_;
	u64 flags_; // GUPBENCH_FLAG_*
	unsigned int foll_;
	MmRef remote_mm_;
};

} // namespace gb
