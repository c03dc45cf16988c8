// SPDX-License-Identifier: GPL-2.0
#include "held_pages.h"

#include "kapi/kapi.h"
#include "user_struct.h"

namespace gb {

Result<HeldPages> HeldPages::create()
{
	Mutex lock = TRY(Mutex::create());
	return HeldPages(move(lock));
}

Result<usize> HeldPages::take(const char *who, const Walker &walker, Range range,
			      usize pages_per_call, bool dirty)
{
	MutexGuard guard(lock_);
	if (held_) {
		kapi_log_err("%s: this file already holds %zu pages", who, held_->count());
		return Errno::busy;
	}
	PinActivity activity;
	auto charge = TRY(LockedVmCharge::charge_caller(who, range.pages));
	auto pages = TRY(PinnedPages::create(range.pages, walker.release_kind(), dirty));
	WalkStop stop = walk_range_untimed(walker, range, pages_per_call, pages);
	if (stop.error) {
		kapi_log_err("%s: %s stopped at offset %llu with error %d; nothing held", who,
			     walker.traits().name, stop.error_offset, stop.error);
		return Error::from_kernel(stop.error); // `pages` releases what was taken
	}
	usize taken = pages.count();
	held_ = TRY(try_make<PinnedPages>(move(pages)));
	charge_ = move(charge);
	return taken;
}

usize HeldPages::held_on(const void *folio)
{
	MutexGuard guard(lock_);
	usize count = 0;
	if (held_) {
		for (struct page *page : held_->held())
			count += kapi_page_folio(page) == folio;
	}
	return count;
}

Result<void> HeldPages::release(const char *who)
{
	MutexGuard guard(lock_);
	if (!held_) {
		kapi_log_err("%s: this file holds nothing", who);
		return Errno::inval;
	}
	drop_held();
	return {};
}

void HeldPages::release_if_held()
{
	MutexGuard guard(lock_);
	drop_held();
}

HeldPages::~HeldPages()
{
	drop_held();
}

void HeldPages::drop_held()
{
	if (!held_)
		return;
	PinActivity activity; // a ledger open meanwhile cannot attribute what moves now
	held_.reset();
	charge_ = LockedVmCharge(); // after the pages: none is held uncharged
}

Result<void> HeldPages::copy_to_user(const char *who, UserAddr buffer, u64 length)
{
	if (length == everything) {
		kapi_log_err("%s: %llu bytes asked", who, length);
		return Errno::inval;
	}
	return copy_out(who, buffer, length);
}

Result<void> HeldPages::copy_all_to_user(const char *who, UserAddr buffer)
{
	return copy_out(who, buffer, everything);
}

Result<void> HeldPages::copy_out(const char *who, UserAddr buffer, u64 length)
{
	const u64 page_size = kapi_page_size();
	MutexGuard guard(lock_);
	if (!held_) {
		kapi_log_err("%s: this file holds nothing", who);
		return Errno::inval;
	}
	if (length == everything)
		length = held_->count() * page_size;
	if (length > held_->count() * page_size) {
		kapi_log_err("%s: %llu bytes asked, %zu pages held", who, length, held_->count());
		return Errno::inval;
	}
	Span<struct page *> pages = held_->held();
	for (u64 done = 0, i = 0; done < length; done += page_size, i++) {
		u64 bytes = min(page_size, length - done);
		TRY(from_kernel_status(kapi_copy_page_to_user(buffer + done, pages[i], bytes)));
	}
	return {};
}

} // namespace gb
