// SPDX-License-Identifier: GPL-2.0
#include "walk.h"

#include "gupbench/histogram.h"
#include "kapi/kapi.h"

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
	const u32 cap = kapi_param_max_pages_per_run(); // read once: root may change it
	if (pages > cap) {
		kapi_log_err("%llu pages is over max_pages_per_run (%u)", pages, cap);
		return Errno::too_big;
	}
	// Zero is refused before any GUP call: 6.1's fast walker runs past its range when
	// asked for zero pages (FACTS.md).
	if (pages_per_call == 0 || pages_per_call > cap) {
		kapi_log_err("pages_per_call %u is not in 1..%u", pages_per_call, cap);
		return Errno::inval;
	}
	return Range{ addr, pages };
}

void record_call(gupbench_repeat &out, u64 ns)
{
	out.calls++;
	out.get_ns += ns;
	out.histogram[log2_bucket(ns, GUPBENCH_HIST_BUCKETS)]++;
	out.call_min_ns = out.calls == 1 ? ns : min(out.call_min_ns, ns);
	out.call_max_ns = max(out.call_max_ns, ns);
}

} // namespace gb
