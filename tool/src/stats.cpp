#include "stats.h"

#include <algorithm>

#include "run_report.h"
#include "walkers.h"

namespace gupbench {

BootstrapOptions median_interval_options()
{
	return { .resamples = 2000, .seed = 1, .confidence = 0.95 };
}

Spread spread_of(std::vector<double> values)
{
	Spread s;
	if (values.empty())
		return s;
	s.median_ci = median_interval(values, median_interval_options());
	s.samples = values;
	std::sort(values.begin(), values.end());
	std::size_t n = values.size();
	s.median = n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
	s.min = values.front();
	s.max = values.back();
	return s;
}

gupbench_repeat merge_calls(const std::vector<gupbench_repeat> &repeats)
{
	gupbench_repeat merged{};
	for (const auto &r : repeats) {
		if (r.calls == 0)
			continue;
		merged.call_min_ns = merged.calls ? std::min(merged.call_min_ns, r.call_min_ns) : r.call_min_ns;
		merged.call_max_ns = std::max(merged.call_max_ns, r.call_max_ns);
		merged.calls += r.calls;
		for (unsigned b = 0; b < GUPBENCH_HIST_BUCKETS; b++)
			merged.histogram[b] += r.histogram[b];
	}
	return merged;
}

double aggregate_pages_per_second(const std::vector<gupbench_repeat> &together)
{
	unsigned long long pages = 0, longest_ns = 0;
	for (const auto &r : together) {
		pages += r.pages_done;
		longest_ns = std::max<unsigned long long>(longest_ns, r.get_ns);
	}
	return longest_ns ? pages * 1e9 / longest_ns : 0;
}

namespace {

// Worse verdicts first: a mismatch anywhere is the case's verdict.
int severity(unsigned verdict)
{
	switch (verdict) {
	case GUPBENCH_VERDICT_MISMATCH: return 3;
	case GUPBENCH_VERDICT_OVERLAPPED: return 2;
	case GUPBENCH_VERDICT_EXACT: return 1;
	}
	return 0;
}

} // namespace

CaseFigures figures_of(const std::vector<gupbench_repeat> &repeats, unsigned long long pages_asked)
{
	CaseFigures f;
	f.pages_asked = pages_asked;
	f.repeats = static_cast<unsigned>(repeats.size());
	if (repeats.empty())
		return f;
	std::vector<double> get, put;
	unsigned worst = repeats.front().verdict;
	f.pages_done = repeats.front().pages_done;
	for (const auto &r : repeats) {
		f.pages_done = std::min<unsigned long long>(f.pages_done, r.pages_done);
		if (r.error && !f.error) {
			f.error = r.error;
			f.error_offset = r.error_offset;
		}
		if (r.pages_done) {
			get.push_back(double(r.get_ns) / r.pages_done);
			put.push_back(double(r.put_ns) / r.pages_done);
		}
		if (severity(r.verdict) > severity(worst))
			worst = r.verdict;
	}
	f.verdict = verdict_name(worst);
	f.get_ns_per_page = spread_of(get);
	f.put_ns_per_page = spread_of(put);
	gupbench_repeat calls = merge_calls(repeats);
	f.call_times = calls.call_max_ns > 0;
	if (f.call_times) {
		f.call_p50_ns = histogram_percentile(calls, 0.50);
		f.call_p99_ns = histogram_percentile(calls, 0.99);
		f.call_max_ns = calls.call_max_ns;
	}
	if (f.get_ns_per_page.median > 0)
		f.pages_per_second = 1e9 / f.get_ns_per_page.median;
	return f;
}

} // namespace gupbench
