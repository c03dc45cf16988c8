#include "run_report.h"

#include <cmath>
#include <cstring>
#include <sstream>

#include "gupbench/histogram.h"
#include "walkers.h"

namespace gupbench {

unsigned long long histogram_percentile(const gupbench_repeat &repeat, double fraction)
{
	if (repeat.calls == 0)
		return 0;
	auto rank = static_cast<unsigned long long>(std::ceil(fraction * repeat.calls));
	rank = std::max(rank, 1ull);
	unsigned long long seen = 0;
	for (unsigned b = 0; b < GUPBENCH_HIST_BUCKETS; b++) {
		seen += repeat.histogram[b];
		if (seen >= rank)
			return std::clamp<unsigned long long>(gb::bucket_ceiling(b), repeat.call_min_ns,
							      repeat.call_max_ns);
	}
	return repeat.call_max_ns;
}

std::string folio_orders_text(unsigned folio_orders)
{
	std::string text;
	for (unsigned order = 0; order < 32; order++)
		if (folio_orders & (1u << order)) {
			if (!text.empty())
				text += ',';
			text += std::to_string(order);
		}
	return text;
}

nlohmann::json repeat_json(const gupbench_repeat &r)
{
	nlohmann::json j = {
		{ "pages_done", r.pages_done },
		{ "calls", r.calls },
		{ "error", r.error },
		{ "error_name", r.error ? std::string(strerrorname_np(-r.error) ?: "?") : "" },
		{ "error_offset", r.error_offset },
		{ "get_ns", r.get_ns },
		{ "put_ns", r.put_ns },
		{ "call_min_ns", r.call_min_ns },
		{ "call_p50_ns", histogram_percentile(r, 0.50) },
		{ "call_p99_ns", histogram_percentile(r, 0.99) },
		{ "call_max_ns", r.call_max_ns },
		{ "histogram_log2_ns", std::vector<unsigned long long>(std::begin(r.histogram), std::end(r.histogram)) },
		{ "folios", r.folios },
		{ "folio_orders", r.folio_orders },
		{ "large_folios", r.large_folios },
		{ "verdict", verdict_name(r.verdict) },
		{ "vmstat_pins_acquired", r.vmstat_pins_acquired },
		{ "vmstat_pins_released", r.vmstat_pins_released },
	};
	if (r.verdict == GUPBENCH_VERDICT_MISMATCH)
		j["mismatch"] = { { "what", mismatch_name(r.mismatch) },
				  { "page", r.mismatch_page },
				  { "expected", r.mismatch_expected },
				  { "observed", r.mismatch_observed } };
	return j;
}

std::string run_text(const gupbench_run &request, const std::vector<gupbench_repeat> &repeats)
{
	std::ostringstream out;
	out << walker_name(request.walker) << ": " << request.length / 1024 << " KiB, "
	    << request.pages_per_call << " pages per call, " << repeats.size() << " repeats\n";
	int i = 0;
	for (const auto &r : repeats) {
		double per_page = r.pages_done ? double(r.get_ns) / r.pages_done : 0;
		double put_per_page = r.pages_done ? double(r.put_ns) / r.pages_done : 0;
		out << "  #" << i++ << ": " << r.pages_done << " pages in " << r.calls << " calls, get "
		    << r.get_ns << " ns (" << static_cast<long>(per_page) << " ns/page), put " << r.put_ns
		    << " ns (" << static_cast<long>(put_per_page) << " ns/page), call p50 "
		    << histogram_percentile(r, 0.5) << " max " << r.call_max_ns << " ns, ledger "
		    << verdict_name(r.verdict);
		if (r.folio_orders)
			out << " (" << r.folios << " folios of order " << folio_orders_text(r.folio_orders)
			    << ", " << r.large_folios << " large)";
		if (r.verdict == GUPBENCH_VERDICT_MISMATCH)
			out << " (" << mismatch_name(r.mismatch) << " at page " << r.mismatch_page
			    << ": expected " << r.mismatch_expected << ", saw " << r.mismatch_observed << ")";
		if (r.error)
			out << ", stopped by " << (strerrorname_np(-r.error) ?: "?") << " at offset "
			    << r.error_offset;
		out << "\n";
	}
	return out.str();
}

} // namespace gupbench
