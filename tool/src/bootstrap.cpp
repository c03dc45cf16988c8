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

namespace {

// The regularized incomplete beta function I_x(a, b), by its continued fraction (modified
// Lentz), on the side of x where it converges fast.
double beta_fraction(double a, double b, double x)
{
	constexpr double tiny = 1e-300, epsilon = 1e-15;
	double c = 1, d = 1 - (a + b) * x / (a + 1);
	d = 1 / (std::fabs(d) < tiny ? tiny : d);
	double h = d;
	for (int m = 1; m <= 500; m++) {
		for (int step = 0; step < 2; step++) {
			double numerator = step == 0 ? m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
						     : -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
			d = 1 + numerator * d;
			d = 1 / (std::fabs(d) < tiny ? tiny : d);
			c = 1 + numerator / c;
			if (std::fabs(c) < tiny)
				c = tiny;
			h *= d * c;
			if (step == 1 && std::fabs(d * c - 1) < epsilon)
				return h;
		}
	}
	return h;
}

double incomplete_beta(double a, double b, double x)
{
	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	double front = std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) +
				b * std::log1p(-x));
	if (x < (a + 1) / (a + b + 2))
		return front * beta_fraction(a, b, x) / a;
	return 1 - front * beta_fraction(b, a, 1 - x) / b;
}

// P(T <= t) for t >= 0.
double student_t_cdf(double t, double df)
{
	return 1 - 0.5 * incomplete_beta(df / 2, 0.5, df / (df + t * t));
}

double mean_of(const std::vector<double> &values)
{
	double sum = 0;
	for (double v : values)
		sum += v;
	return sum / static_cast<double>(values.size());
}

double sample_variance(const std::vector<double> &values, double mean)
{
	double sum = 0;
	for (double v : values)
		sum += (v - mean) * (v - mean);
	return sum / static_cast<double>(values.size() - 1);
}

} // namespace

double student_t_quantile(double p, double df)
{
	if (!(p >= 0.5 && p < 1) || !(df > 0))
		return not_a_number;
	double low = 0, high = 1;
	while (student_t_cdf(high, df) < p && high < 1e12)
		high *= 2;
	for (int i = 0; i < 200 && high - low > 1e-12 * high; i++) {
		double mid = (low + high) / 2;
		(student_t_cdf(mid, df) < p ? low : high) = mid;
	}
	return (low + high) / 2;
}

RatioEstimate ratio_across_boots(const Boots &base_boots, const Boots &new_boots, double confidence)
{
	RatioEstimate e;
	const Boots base = without_empty(base_boots), next = without_empty(new_boots);
	e.base_median = median_of(pooled(base));
	e.new_median = median_of(pooled(next));
	if (base.size() < 2 || next.size() < 2) {
		e.ratio = not_a_number;
		e.insufficient = true;
		e.why = "an interval across boots needs two boots with samples on each side";
		return e;
	}
	std::vector<double> base_logs, new_logs;
	for (const auto &[boots, logs] : { std::pair{ &base, &base_logs }, std::pair{ &next, &new_logs } }) {
		for (const auto &boot : *boots) {
			double m = median_of(boot);
			if (!(m > 0)) {
				e.ratio = not_a_number;
				e.insufficient = true;
				e.why = "a boot's median time of 0: no ratio";
				return e;
			}
			logs->push_back(std::log(m));
		}
	}
	const double nb = static_cast<double>(base_logs.size()), nn = static_cast<double>(new_logs.size());
	const double mb = mean_of(base_logs), mn = mean_of(new_logs);
	const double vb = sample_variance(base_logs, mb) / nb, vn = sample_variance(new_logs, mn) / nn;
	e.ratio = std::exp(mn - mb);
	const double se = std::sqrt(vb + vn);
	if (!(se > 0)) {
		e.interval = { e.ratio, e.ratio };
		e.why = "no spread between boots on either side: the interval is a point";
		return e;
	}
	// Welch-Satterthwaite; a side without spread contributes no degrees of freedom.
	double df = (vb + vn) * (vb + vn) /
		    ((vb > 0 ? vb * vb / (nb - 1) : 0) + (vn > 0 ? vn * vn / (nn - 1) : 0));
	double t = student_t_quantile(0.5 + confidence / 2, df);
	e.interval = { std::exp(mn - mb - t * se), std::exp(mn - mb + t * se) };
	return e;
}

RatioEstimate compare_sides(const Boots &base, const Boots &next, const BootstrapOptions &options)
{
	// Too few samples in all are refused by ratio_of_medians, saying so.
	if (without_empty(base).size() >= 2 && without_empty(next).size() >= 2 &&
	    pooled(base).size() >= min_samples_for_interval && pooled(next).size() >= min_samples_for_interval)
		return ratio_across_boots(base, next, options.confidence);
	return ratio_of_medians(base, next, options);
}

std::uint64_t seed_for(std::uint64_t seed, const std::string &key)
{
	std::uint64_t hash = 0xcbf29ce484222325ull; // FNV-1a
	for (unsigned char c : key)
		hash = (hash ^ c) * 0x100000001b3ull;
	return splitmix64(seed ^ hash);
}

} // namespace gupbench
