#include "bootstrap.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace gupbench {
namespace {

constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();

// An index below n. mt19937_64's output is fixed by the standard but the standard
// distributions are not, so the draw is made here (multiply-shift: a bias of n / 2^64).
std::size_t draw(std::mt19937_64 &rng, std::size_t n)
{
	return static_cast<std::size_t>((static_cast<unsigned __int128>(rng()) * n) >> 64);
}

// Reorders `values`: the caller's scratch buffer.
double median_in_place(std::vector<double> &values)
{
	std::size_t n = values.size();
	if (n == 0)
		return not_a_number;
	auto middle = values.begin() + n / 2;
	std::nth_element(values.begin(), middle, values.end());
	if (n % 2)
		return *middle;
	return (*std::max_element(values.begin(), middle) + *middle) / 2;
}

// Linear between order statistics (R's type 7); equal neighbours are returned as they
// are, so that infinite replicates do not turn into NaN.
double quantile_of_sorted(const std::vector<double> &sorted, double p)
{
	double at = p * double(sorted.size() - 1);
	std::size_t i = static_cast<std::size_t>(std::floor(at));
	double fraction = at - double(i);
	if (i + 1 >= sorted.size() || fraction == 0 || sorted[i] == sorted[i + 1])
		return sorted[i];
	return sorted[i] + fraction * (sorted[i + 1] - sorted[i]);
}

Interval percentile_interval(std::vector<double> replicates, double confidence)
{
	std::sort(replicates.begin(), replicates.end());
	double tail = (1 - confidence) / 2;
	return { quantile_of_sorted(replicates, tail), quantile_of_sorted(replicates, 1 - tail) };
}

// The median of one hierarchical resample: boots first, then samples within each.
double resampled_median(const Boots &boots, std::mt19937_64 &rng, std::vector<double> &scratch)
{
	scratch.clear();
	for (std::size_t k = 0; k < boots.size(); k++) {
		const auto &boot = boots[draw(rng, boots.size())];
		for (std::size_t j = 0; j < boot.size(); j++)
			scratch.push_back(boot[draw(rng, boot.size())]);
	}
	return median_in_place(scratch);
}

// A boot without samples says nothing; left in, it would shrink resamples that draw it.
Boots without_empty(const Boots &boots)
{
	Boots kept;
	for (const auto &boot : boots)
		if (!boot.empty())
			kept.push_back(boot);
	return kept;
}

std::vector<double> pooled(const Boots &boots)
{
	std::vector<double> all;
	for (const auto &boot : boots)
		all.insert(all.end(), boot.begin(), boot.end());
	return all;
}

bool constant(const std::vector<double> &values)
{
	return std::adjacent_find(values.begin(), values.end(), std::not_equal_to<>()) == values.end();
}

std::uint64_t splitmix64(std::uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

} // namespace

bool Interval::defined() const
{
	return !std::isnan(low) && !std::isnan(high);
}

double median_of(std::vector<double> values)
{
	return median_in_place(values);
}

Interval median_interval(const std::vector<double> &samples, const BootstrapOptions &options)
{
	if (samples.size() < min_samples_for_interval || options.resamples == 0)
		return {};
	std::mt19937_64 rng(options.seed);
	const Boots one = { samples };
	std::vector<double> replicates, scratch;
	replicates.reserve(options.resamples);
	for (unsigned r = 0; r < options.resamples; r++)
		replicates.push_back(resampled_median(one, rng, scratch));
	return percentile_interval(std::move(replicates), options.confidence);
}

RatioEstimate ratio_of_medians(const Boots &base_boots, const Boots &new_boots, const BootstrapOptions &options)
{
	RatioEstimate e;
	const Boots base = without_empty(base_boots), next = without_empty(new_boots);
	const std::vector<double> base_all = pooled(base), new_all = pooled(next);
	e.base_median = median_of(base_all);
	e.new_median = median_of(new_all);
	e.ratio = e.base_median > 0 ? e.new_median / e.base_median : not_a_number;
	auto too_few = [](const char *side, std::size_t n) {
		return std::to_string(n) + (n == 1 ? " sample" : " samples") + " on the " + side +
		       " side: an interval needs at least " + std::to_string(min_samples_for_interval);
	};
	if (base_all.size() < min_samples_for_interval || new_all.size() < min_samples_for_interval) {
		e.insufficient = true;
		e.why = base_all.size() < min_samples_for_interval ? too_few("base", base_all.size())
								    : too_few("new", new_all.size());
		return e;
	}
	if (!(e.base_median > 0) || !(e.new_median > 0)) {
		e.insufficient = true;
		e.why = "a median time of 0: no ratio";
		return e;
	}
	if (options.resamples == 0) {
		e.insufficient = true;
		e.why = "no resamples asked for";
		return e;
	}
	std::mt19937_64 rng(options.seed);
	std::vector<double> replicates, scratch;
	replicates.reserve(options.resamples);
	for (unsigned r = 0; r < options.resamples; r++) {
		double b = resampled_median(base, rng, scratch);
		double n = resampled_median(next, rng, scratch);
		replicates.push_back(b > 0 ? n / b : std::numeric_limits<double>::infinity());
	}
	e.interval = percentile_interval(std::move(replicates), options.confidence);
	if (constant(base_all) && constant(new_all))
		e.why = "no spread in either side's samples: the interval is a point";
	return e;
}

std::uint64_t seed_for(std::uint64_t seed, const std::string &key)
{
	std::uint64_t hash = 0xcbf29ce484222325ull; // FNV-1a
	for (unsigned char c : key)
		hash = (hash ^ c) * 0x100000001b3ull;
	return splitmix64(seed ^ hash);
}

} // namespace gupbench
