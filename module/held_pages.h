/* SPDX-License-Identifier: GPL-2.0 */
// Pages one open file keeps across ioctls (gupbench's HOLD, gup_test's
// PIN_LONGTERM_TEST_START), released by an explicit call or, at the latest, when the file
// closes and its owner goes away. Calls on one file are serialised by the lock here.
#pragma once

#include "gupbench/alloc.h"
#include "ledger.h"
#include "locked_vm.h"
#include "mutex.h"
#include "pinned_pages.h"
#include "walk.h"

namespace gb {

class HeldPages {
public:
	static Result<HeldPages> create();
	HeldPages(HeldPages &&) = default;
	~HeldPages(); // releases what is still held (the file closed)

	// Takes the whole range and keeps it, charged to the caller's locked_vm; count taken.
	// A walk that fails part way keeps nothing and returns its errno. EBUSY if this file
	// already holds pages, ENOMEM if the pages would pass the caller's RLIMIT_MEMLOCK.
	Result<usize> take(const char *who, const Walker &walker, Range range,
			   usize pages_per_call, bool dirty);
	// EINVAL when nothing is held.
	Result<void> release(const char *who);
	// Releases whatever is held; nothing held is fine.
	void release_if_held();
	// Copies the first `length` bytes of the held pages to `buffer`; EINVAL when nothing
	// is held or `length` is more than is held.
	Result<void> copy_to_user(const char *who, UserAddr buffer, u64 length);
	// How many of the held references or pins lie on `folio` (kapi_page_folio()).
	usize held_on(const void *folio);
	// Copies every held page; EINVAL when nothing is held.
	Result<void> copy_all_to_user(const char *who, UserAddr buffer);

private:
	explicit HeldPages(Mutex lock) : lock_(move(lock)) {}
	static constexpr u64 everything = ~0ULL;
	Result<void> copy_out(const char *who, UserAddr buffer, u64 length);
	// Unpins what is held and gives back its charge; nothing held is fine.
	void drop_held();

	Mutex lock_;
	// Declared first so that it is dropped last: no page is held uncharged.
	LockedVmCharge charge_;
	UniquePtr<PinnedPages> held_;
};

} // namespace gb
