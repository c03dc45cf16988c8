// SPDX-License-Identifier: GPL-2.0
#include "walk.h"

#include "gupbench/histogram.h"
#include "kapi/kapi.h"
#include "ledger.h"

namespace gb {

Result<Range> checked_range(u64 addr, u64 length, u32 pages_per_call)
{
	u64 page = kapi_page_size();
	u64 end;
	if (length == 0 || (addr | length) & (page - 1)) {
		kapi_log_err("addr %#llx and length %llu must be page aligned, length > 0", addr,
			     length);
		return Errno::inval;
	}
	if (__builtin_add_overflow(addr, length, &end)) {
		kapi_log_err("addr + length overflows");
		return Errno::overflow;
	}
	u64 pages = length / page;
	if (pages > kapi_param_max_pages_per_run()) {
		kapi_log_err("%llu pages is over max_pages_per_run (%u)", pages,
			     kapi_param_max_pages_per_run());
		return Errno::too_big;
	}
	// Zero is refused before any GUP call: 6.1's fast walker runs past its range when
	// asked for zero pages (FACTS.md).
	if (pages_per_call == 0 || pages_per_call > kapi_param_max_pages_per_run()) {
		kapi_log_err("pages_per_call %u is not in 1..%u", pages_per_call,
			     kapi_param_max_pages_per_run());
		return Errno::inval;
	}
	return Range{ addr, pages };
}

namespace {

void record_call(gupbench_repeat &out, u64 ns)
{
	out.calls++;
	out.get_ns += ns;
	out.histogram[log2_bucket(ns, GUPBENCH_HIST_BUCKETS)]++;
	out.call_min_ns = out.calls == 1 ? ns : min(out.call_min_ns, ns);
	out.call_max_ns = max(out.call_max_ns, ns);
}

} // namespace

Result<void> measure_walk(const Walker &walker, Range range, usize pages_per_call, u64 flags,
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

} // namespace gb
