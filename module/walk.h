/* SPDX-License-Identifier: GPL-2.0 */
// The chunked walk shared by RUN, HOLD and gup_test: take [start, start + pages) into
// `taken`, at most pages_per_call per GUP call, continuing after short returns. A failure
// stops the walk; what was taken stays in `taken` (which releases it) and the failure is
// returned with where it happened. With CallTiming::each_call, `on_call(ns)` sees each
// call's duration, and only the GUP call sits between the two clock reads.
#pragma once

#include "kapi/gup.h"
#include "injected_faults.h"
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

namespace detail {

// The loop, compiled once per walker and timing. It is what sits between gup_test's GUP
// calls and ours, so it keeps its state in registers: the count is given to `taken` once,
// when the walk ends (nothing can leave the loop in between), and nothing per call is
// checked that the set-up already guarantees. Every `calls_between_pauses` calls it lets
// the scheduler in and stops with -EINTR if the caller was killed: a 1 GiB walk one page per
// call takes seconds under emulation, and the fast walkers never look at signals.
constexpr u64 calls_between_pauses = 1024;

template <CallTiming timing, typename GupCall, typename OnCall>
WalkStop walk_with(const GupCall &gup, Range range, usize pages_per_call, PinnedPages &taken,
		   OnCall &on_call)
{
	const u64 page_size = kapi_page_size();
	const usize first = taken.count();
	GB_ASSERT(pages_per_call > 0); // never ask GUP for zero pages (a 6.1 bug: FACTS.md)
	GB_ASSERT(range.pages <= taken.capacity() && first <= range.pages);
	struct page **slots = taken.unfilled().data() - first;
	usize done = first;
	u64 calls = 0;
	long answer = 0;
	usize asked = 0;
	bool killed = false;
	while (done < range.pages) {
		asked = min(pages_per_call, range.pages - done);
		u64 t0 = timing == CallTiming::each_call ? kapi_ktime_ns() : 0;
		answer = gup(range.start + done * page_size, Span<struct page *>(slots + done, asked));
		if (timing == CallTiming::each_call)
			on_call(kapi_ktime_ns() - t0);
		calls++;
		if (answer <= 0 || static_cast<usize>(answer) > asked)
			break;
		done += static_cast<usize>(answer);
		if (__builtin_expect(calls % calls_between_pauses == 0, 0) &&
		    kapi_pause_unless_killed()) {
			killed = done < range.pages;
			break;
		}
	}
	taken.adopt(done - first);
	WalkStop stop;
	stop.calls = calls;
	if (done < range.pages) {
		stop.error = killed ? -static_cast<s32>(Errno::intr)
				    : static_cast<s32>(taken_by(answer, asked).error().to_kernel());
		stop.error_offset = done * page_size;
	}
	return stop;
}

} // namespace detail

template <typename OnCall>
WalkStop walk_range(const Walker &walker, Range range, usize pages_per_call, PinnedPages &taken,
		    CallTiming timing, OnCall &&on_call)
{
	// One uncontended down_read per walk; it falls inside a WALK_TIME clock pair, where
	// gup_test takes its lock just before its own.
	MmapReadLock whole_walk(walker.locks_once() ? kapi_current_mm() : nullptr);
	return walker.visit([&](const auto &gup) {
		if (timing == CallTiming::each_call)
			return detail::walk_with<CallTiming::each_call>(gup, range, pages_per_call,
									 taken, on_call);
		return detail::walk_with<CallTiming::none>(gup, range, pages_per_call, taken,
							   on_call);
	});
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
	bool verify = flags & GUPBENCH_FLAG_VERIFY;
	// Damage on purpose, armed by tests only, and only where the ledger looks.
	auto faults = TRY(InjectedFaults::before_walk(walker, range, verify));
	auto ledger = Ledger::open(walker.traits().pins, walker.longterm(), range.pages);
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
	if (verify)
		TRY(faults.after_walk(pages));
	out.error = stop.error;
	out.error_offset = stop.error_offset;
	out.pages_done = pages.count();

	if (verify) {
		TRY(ledger.after_take(pages.held(), out));
		TRY(faults.before_release(pages));
	}
	inspect(pages.held());
	u64 t0 = kapi_ktime_ns();
	pages.release();
	out.put_ns = kapi_ktime_ns() - t0;
	if (verify) {
		faults.during_release();
		ledger.after_release(out);
	}
	return {}; // `faults` gives back what it moved, after the verdict
}

} // namespace gb
