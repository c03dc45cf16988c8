/* SPDX-License-Identifier: GPL-2.0 */
// The chunked walk shared by RUN and HOLD: take [start, start + pages) into `taken`, at
// most pages_per_call per GUP call, continuing after short returns. A failure stops the
// walk; what was taken stays in `taken` (which releases it) and the failure is returned
// with where it happened. `on_call(ns, ...)` sees each call's duration, and only that is
// timed: the loop adds no work around the GUP call.
#pragma once

#include "kapi/gup.h"
#include "kapi/kapi.h"
#include "ledger.h"
#include "pinned_pages.h"
#include "walker.h"

namespace gb {

struct Range {
	UserAddr start;
	usize pages;
};

// addr and length page aligned, length > 0, no overflow, within max_pages_per_run, and
// pages_per_call in 1..max_pages_per_run; else a clear errno and a line in dmesg.
Result<Range> checked_range(u64 addr, u64 length, u32 pages_per_call);

struct WalkStop {
	s32 error = 0;         // 0 when the whole range was taken
	u64 error_offset = 0;  // bytes from the start where the failing call began
};

template <typename OnCall>
WalkStop walk_range(const Walker &walker, Range range, usize pages_per_call, PinnedPages &taken,
		    OnCall &&on_call)
{
	const u64 page_size = kapi_page_size();
	while (taken.count() < range.pages) {
		Span<struct page *> next = taken.unfilled().first(pages_per_call);
		UserAddr at = range.start + taken.count() * page_size;
		u64 t0 = kapi_ktime_ns();
		auto result = walker.take(at, next);
		u64 t1 = kapi_ktime_ns();
		on_call(t1 - t0);
		if (result.is_error())
			return WalkStop{ static_cast<s32>(result.error().to_kernel()),
					 taken.count() * page_size };
		taken.adopt(result.value());
	}
	return WalkStop{};
}

void record_call(gupbench_repeat &out, u64 ns);

struct NoInspection {
	void operator()(Span<struct page *>) const {}
};

// One repeat of RUN: walk the range (timing each call into `out`), check it with the
// ledger when `flags` has GUPBENCH_FLAG_VERIFY, let `inspect` see the pages taken, release
// them (timed). A GUP failure ends the walk and is reported in `out`, not returned, so the
// caller learns how far it got; only our own failures (no memory) are errors.
template <typename Inspect = NoInspection>
Result<void> measure_walk(const Walker &walker, Range range, usize pages_per_call, u64 flags,
			  gupbench_repeat &out, Inspect &&inspect = {})
{
	auto pages = TRY(PinnedPages::create(range.pages, walker.release_kind(),
					     flags & GUPBENCH_FLAG_DIRTY));
	auto ledger = Ledger::open(walker.traits().pins, walker.longterm());
	WalkStop stop = walk_range(walker, range, pages_per_call, pages,
				   [&out](u64 ns) { record_call(out, ns); });
	out.error = stop.error;
	out.error_offset = stop.error_offset;
	out.pages_done = pages.count();

	bool verify = flags & GUPBENCH_FLAG_VERIFY;
	if (verify)
		TRY(ledger.after_take(pages.held(), out));
	inspect(pages.held());
	u64 t0 = kapi_ktime_ns();
	pages.release();
	out.put_ns = kapi_ktime_ns() - t0;
	if (verify)
		ledger.after_release(out);
	return {};
}

} // namespace gb
