// SPDX-License-Identifier: GPL-2.0
// HOLD, RELEASE and READ: a pin kept across calls, owned by the open file.
#include "kapi/kapi.h"
#include "session.h"
#include "user_struct.h"
#include "walk.h"

namespace gb {

Result<long> Session::hold(UserAddr arg)
{
	auto request = TRY(read_user_struct<gupbench_hold>(arg, GUPBENCH_HOLD_SIZE_V1));
	gupbench_hold &h = request.value;
	if (h.reserved || (h.flags & GUPBENCH_FLAG_VERIFY)) {
		kapi_log_err("hold: reserved must be 0 and VERIFY is for RUN");
		return Errno::inval;
	}
	if (h.walker == GUPBENCH_WALKER_GET_REMOTE || h.walker == GUPBENCH_WALKER_PIN_REMOTE) {
		kapi_log_err("hold: remote walkers cannot hold");
		return Errno::inval;
	}
	Range range = TRY(checked_range(h.addr, h.length, h.pages_per_call));
	Walker walker = TRY(Walker::create(h.walker, h.flags, 0));

	MutexGuard guard(lock_);
	if (held_) {
		kapi_log_err("hold: this file already holds %zu pages", held_->count());
		return Errno::busy;
	}
	auto pages = TRY(PinnedPages::create(range.pages, walker.release_kind(),
					     h.flags & GUPBENCH_FLAG_DIRTY));
	WalkStop stop = walk_range(walker, range, h.pages_per_call, pages, [](u64) {});
	if (stop.error) {
		kapi_log_err("hold: %s stopped at offset %llu with error %d; nothing held",
			     walker.traits().name, stop.error_offset, stop.error);
		return Error::from_kernel(stop.error); // `pages` releases what was taken
	}
	h.pages_held = pages.count();
	TRY(write_user_struct(request));
	held_ = TRY(try_make<PinnedPages>(move(pages)));
	return 0L;
}

Result<long> Session::release()
{
	MutexGuard guard(lock_);
	if (!held_) {
		kapi_log_err("release: this file holds nothing");
		return Errno::inval;
	}
	held_.reset();
	return 0L;
}

Result<long> Session::read(UserAddr arg)
{
	auto request = TRY(read_user_struct<gupbench_read>(arg, GUPBENCH_READ_SIZE_V1));
	const gupbench_read &r = request.value;
	const u64 page_size = kapi_page_size();

	MutexGuard guard(lock_);
	if (!held_) {
		kapi_log_err("read: this file holds nothing");
		return Errno::inval;
	}
	if (r.reserved || r.length > held_->count() * page_size) {
		kapi_log_err("read: %llu bytes asked, %zu pages held", r.length, held_->count());
		return Errno::inval;
	}
	Span<struct page *> pages = held_->held();
	for (u64 done = 0, i = 0; done < r.length; done += page_size, i++) {
		u64 bytes = min(page_size, r.length - done);
		TRY(from_kernel_status(kapi_copy_page_to_user(r.buffer + done, pages[i], bytes)));
	}
	return 0L;
}

} // namespace gb
