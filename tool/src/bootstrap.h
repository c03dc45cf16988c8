// Seeded bootstrap intervals: of one median, and of a ratio of two medians whose samples
// come from several boots (hierarchical: boots are resampled first, then repeats within
// each chosen boot, so that boot-to-boot variance widens the interval).
// Deterministic: the same samples and seed give the same interval on every machine.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace gupbench {

struct BootstrapOptions {
	unsigned resamples = 2000;
	std::uint64_t seed = 1;
	double confidence = 0.95;
};

// Fewer samples than this (on either side of a ratio) give no interval: the percentile
// bootstrap of a median of two samples covers the true median half the time, not 95 %.
constexpr std::size_t min_samples_for_interval = 3;

// An interval of a median or a ratio; low and high are NaN where there is none.
struct Interval {
	double low = std::numeric_limits<double>::quiet_NaN();
	double high = std::numeric_limits<double>::quiet_NaN();
	bool defined() const;
};

// The median (mean of the middle two for an even count); NaN when empty.
double median_of(std::vector<double> values);

// The percentile interval of the median of `samples` over `resamples` bootstrap resamples.
Interval median_interval(const std::vector<double> &samples, const BootstrapOptions &options);

// One side of a comparison: per-repeat samples, one list per boot.
using Boots = std::vector<std::vector<double>>;

struct RatioEstimate {
	double base_median = 0, new_median = 0; // over every boot's samples pooled
	double ratio = 0;                        // new_median / base_median; NaN when undefined
	Interval interval;                       // undefined when insufficient
	bool insufficient = false;
	std::string why; // why insufficient, or what to know about the interval
};

// The ratio of the pooled medians, NEW over BASE, and its percentile interval: each resample
// draws, on each side independently, as many boots as it has (with replacement), then
// within each drawn boot as many samples as that boot has (with replacement), and takes the
// median of all those samples pooled.
RatioEstimate ratio_of_medians(const Boots &base, const Boots &next, const BootstrapOptions &options);

// With two boots or more on each side, the boots are the units: each boot's median is one
// observation, and the ratio is that of the geometric means of the boots' medians, NEW
// over BASE, with a Welch t interval on their logarithms (Welch-Satterthwaite degrees of
// freedom). Resampling three boots in a bootstrap cannot show how far a fourth may fall
// (its intervals are too narrow: an A/A run of 3 + 3 boots under TCG called 18 of 108
// cases changed, this 1), while a t interval widens with few boots as it should.
// `base_median` and `new_median` stay the pooled medians. Deterministic: no seed.
RatioEstimate ratio_across_boots(const Boots &base, const Boots &next, double confidence);

// What `gupbench diff` uses: ratio_across_boots where each side has two boots or more with
// samples, ratio_of_medians otherwise (one boot: only repeat-to-repeat variance is seen).
RatioEstimate compare_sides(const Boots &base, const Boots &next, const BootstrapOptions &options);

// The Student t distribution's quantile: P(T <= t) = p, for 0.5 <= p < 1 and df > 0.
double student_t_quantile(double p, double df);

// A seed of its own for each thing compared (a case's key), so that its result does not
// depend on what else is compared or in which order.
std::uint64_t seed_for(std::uint64_t seed, const std::string &key);

} // namespace gupbench
