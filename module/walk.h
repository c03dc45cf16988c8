/* SPDX-License-Identifier: GPL-2.0 */
// The chunked walk shared by RUN, HOLD and gup_test: take [start, start + pages) into
// `taken`, at most pages_per_call per GUP call, continuing after short returns. A failure
// stops the walk; what was taken stays in `taken` (which releases it) and the failure is
// returned with where it happened. With CallTiming::each_call, `on_call(ns)` sees each
// call's duration, and only the GUP call sits between the two clock reads.
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
	u64 calls = 0;         // GUP calls made
};

enum class CallTiming { each_call, none };

template <typename OnCall>
WalkStop walk_range(const Walker &walker, Range range, usize pages_per_call, PinnedPages &taken,
		    CallTiming timing, OnCall &&on_call)
{
	const u64 page_size = kapi_page_size();
	WalkStop stop;
	while (taken.count() < range.pages) {
		Span<struct page *> next = taken.unfilled().first(pages_per_call);
		UserAddr at = range.start + taken.count() * page_size;
		u64 t0 = timing == CallTiming::each_call ? kapi_ktime_ns() : 0;
		auto result = walker.take(at, next);
		if (timing == CallTiming::each_call)
			on_call(kapi_ktime_ns() - t0);
		stop.calls++;
		if (result.is_error()) {
			stop.error = static_cast<s32>(result.error().to_kernel());
			stop.error_offset = taken.count() * page_size;
			return stop;
		}
		taken.adopt(result.value());
	}
	return stop;
}

// walk_range without a clock: for walks whose calls nobody times.
inline WalkStop walk_range_untimed(const Walker &walker, Range range, usize pages_per_call,
				   PinnedPages &taken)
{
	return walk_range(walker, range, pages_per_call, taken, CallTiming::none, [](u64) {});
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
	WalkStop stop;
	if (flags & GUPBENCH_FLAG_WALK_TIME) {
		u64 t0 = kapi_ktime_ns();
		stop = walk_range_untimed(walker, range, pages_per_call, pages);
		out.get_ns = kapi_ktime_ns() - t0;
		out.calls = stop.calls;
	} else {
		stop = walk_range(walker, range, pages_per_call, pages, CallTiming::each_call,
				  [&out](u64 ns) { record_call(out, ns); });
	}
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
