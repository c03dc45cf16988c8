// The statistics of a benchmark case, over its measured repeats: ns per page (median with
// its bootstrap interval, min, max, the samples themselves) for get and put, per-call percentiles from the kernel's histograms merged, and
// pages per second. Pure functions of the repeats, so the host tests pin them down.
#pragma once

#include <string>
#include <vector>

#include <uapi/gupbench.h>

#include "bootstrap.h"

namespace gupbench {

struct Spread {
	double median = 0, min = 0, max = 0;
	Interval median_ci;          // undefined with fewer than min_samples_for_interval
	std::vector<double> samples; // as measured, in order
};

// What every printed median's interval is: 95 %, percentile bootstrap, fixed seed, so that
// the same samples always print the same interval.
BootstrapOptions median_interval_options();

// The median (mean of the middle two for an even count), its interval, min and max; zeros
// when empty.
Spread spread_of(std::vector<double> values);

struct CaseFigures {
	unsigned long long pages_asked = 0;
	unsigned long long pages_done = 0; // the smallest over the repeats
	int error = 0;                     // the first repeat's failure, if any
	unsigned long long error_offset = 0;
	unsigned repeats = 0;
	Spread get_ns_per_page, put_ns_per_page;
	bool call_times = false; // false under GUPBENCH_FLAG_WALK_TIME: no per-call figures
	unsigned long long call_p50_ns = 0, call_p99_ns = 0, call_max_ns = 0;
	double pages_per_second = 0; // from the median get time
	std::string verdict;         // the worst over the repeats
};

// All the repeats' calls as one: histograms summed, min and max over all.
gupbench_repeat merge_calls(const std::vector<gupbench_repeat> &repeats);
// Repeats that ran at the same time (one per thread): all their pages over the longest
// get time among them, in pages per second; 0 when no time was measured.
double aggregate_pages_per_second(const std::vector<gupbench_repeat> &together);

CaseFigures figures_of(const std::vector<gupbench_repeat> &repeats, unsigned long long pages_asked);

} // namespace gupbench
