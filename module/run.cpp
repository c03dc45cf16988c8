// SPDX-License-Identifier: GPL-2.0
// GUPBENCH_IOC_RUN: walk a range in chunks of pages_per_call, `repeats` times, timing each
// GUP call and the release, checking the pages with the ledger when asked.
#include "gupbench/histogram.h"
#include "kapi/kapi.h"
#include "ledger.h"
#include "pinned_pages.h"
#include "session.h"
#include "user_struct.h"
#include "walk.h"
#include "walker.h"

namespace gb {
namespace {

constexpr u32 max_repeats = 1000;

void record_call(gupbench_repeat &out, u64 ns)
{
	out.calls++;
	out.get_ns += ns;
	out.histogram[log2_bucket(ns, GUPBENCH_HIST_BUCKETS)]++;
	out.call_min_ns = out.calls == 1 ? ns : min(out.call_min_ns, ns);
	out.call_max_ns = max(out.call_max_ns, ns);
}

// One repeat. A GUP failure ends the walk and is reported in `out`, not returned: the
// caller learns how far it got. Only our own failures (no memory) are errors here.
Result<void> walk_once(const Walker &walker, Range range, usize pages_per_call, u64 flags,
		       gupbench_repeat &out)
{
	auto pages = TRY(PinnedPages::create(range.pages, walker.release_kind(),
					     flags & GUPBENCH_FLAG_DIRTY));
	auto ledger = Ledger::open(walker.traits().pins);
	WalkStop stop = walk_range(walker, range, pages_per_call, pages,
				   [&out](u64 ns) { record_call(out, ns); });
	out.error = stop.error;
	out.error_offset = stop.error_offset;
	out.pages_done = pages.count();

	bool verify = flags & GUPBENCH_FLAG_VERIFY;
	if (verify)
		TRY(ledger.after_take(pages.held(), out));
	u64 t0 = kapi_ktime_ns();
	pages.release();
	out.put_ns = kapi_ktime_ns() - t0;
	if (verify)
		ledger.after_release(out);
	return {};
}

} // namespace

Result<long> Session::run(UserAddr arg)
{
	auto request = TRY(read_user_struct<gupbench_run>(arg, GUPBENCH_RUN_SIZE_V1));
	const gupbench_run &run = request.value;
	if (run.repeats == 0 || run.repeats > max_repeats) {
		kapi_log_err("run: repeats %u is not in 1..%u", run.repeats, max_repeats);
		return Errno::inval;
	}
	if (run.repeat_size < sizeof(gupbench_repeat)) {
		kapi_log_err("run: repeat_size %u is smaller than version 1 (%zu)",
			     run.repeat_size, sizeof(gupbench_repeat));
		return Errno::inval;
	}
	Range range = TRY(checked_range(run.addr, run.length, run.pages_per_call));
	Walker walker = TRY(Walker::create(run.walker, run.flags, run.target_pid));

	// The record is 480 bytes: on the heap, not on a kernel stack (KASAN grows frames).
	auto record = TRY(UniqueArray<gupbench_repeat>::try_create(1, Gfp::kernel));
	gupbench_repeat &out = record[0];
	for (u32 i = 0; i < run.repeats; i++) {
		__builtin_memset(&out, 0, sizeof(out));
		TRY(walk_once(walker, range, run.pages_per_call, run.flags, out));
		UserAddr slot = run.results + u64(i) * run.repeat_size;
		TRY(from_kernel_status(kapi_copy_to_user(slot, &out, sizeof(out))));
	}
	return 0L;
}

} // namespace gb
