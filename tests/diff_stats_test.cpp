// `gupbench diff` and the intervals on medians: the statistic must find a shift that is
// there, call noise `same`, and say no where it should, on data made up here.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <unistd.h>

#include "bench_output.h"
#include "bootstrap.h"
#include "diff.h"
#include "stats.h"

namespace {

using gupbench::Boots;
using nlohmann::json;

// Boots of `repeats` samples each: median `median`, a lognormal spread of `noise` within a
// boot, and each boot shifted by a lognormal `boot_noise` (what a new guest boot changes).
Boots lognormal_boots(std::mt19937_64 &rng, double median, double noise, unsigned repeats, unsigned boots,
		      double boot_noise = 0)
{
	std::normal_distribution<double> normal;
	Boots all;
	for (unsigned b = 0; b < boots; b++) {
		double boot_median = median * std::exp(boot_noise * normal(rng));
		std::vector<double> samples;
		for (unsigned r = 0; r < repeats; r++)
			samples.push_back(boot_median * std::exp(noise * normal(rng)));
		all.push_back(samples);
	}
	return all;
}

gupbench::BootstrapOptions seeded(std::uint64_t seed)
{
	gupbench::BootstrapOptions o;
	o.seed = seed;
	return o;
}

TEST(Bootstrap, AKnownTenPercentShiftIsSlowerWithTheTrueRatioInside)
{
	std::mt19937_64 rng(10);
	unsigned slower = 0, covered = 0;
	const unsigned datasets = 100;
	for (unsigned d = 0; d < datasets; d++) {
		auto base = lognormal_boots(rng, 100, 0.03, 10, 3);
		auto next = lognormal_boots(rng, 110, 0.03, 10, 3);
		auto e = gupbench::compare_sides(base, next, seeded(d));
		slower += gupbench::verdict_of(e, 0.02) == "slower";
		covered += e.interval.low <= 1.1 && 1.1 <= e.interval.high;
		if (d == 0) {
			EXPECT_EQ(gupbench::verdict_of(e, 0.02), "slower");
			EXPECT_LE(e.interval.low, 1.1);
			EXPECT_GE(e.interval.high, 1.1);
		}
	}
	std::printf("10%% shift, 10 repeats x 3 boots, 3%% noise: slower in %u of %u, true ratio inside the "
		    "interval in %u of %u\n",
		    slower, datasets, covered, datasets);
	EXPECT_EQ(slower, datasets);
	EXPECT_GE(covered, 90u);
}

// The check can say no: a large shift must never be called the same.
TEST(Bootstrap, AThirtyPercentShiftIsNeverSame)
{
	std::mt19937_64 rng(30);
	for (unsigned d = 0; d < 50; d++) {
		auto base = lognormal_boots(rng, 100, 0.03, 10, 3, 0.01);
		EXPECT_EQ(gupbench::verdict_of(gupbench::compare_sides(base, lognormal_boots(rng, 130, 0.03, 10, 3, 0.01),
									  seeded(d)),
					       0.02),
			  "slower");
		EXPECT_EQ(gupbench::verdict_of(gupbench::compare_sides(base, lognormal_boots(rng, 70, 0.03, 10, 3, 0.01),
									  seeded(d)),
					       0.02),
			  "faster");
	}
}

TEST(Bootstrap, OneDistributionIsSameInAtLeast95PercentOf1000Trials)
{
	std::mt19937_64 rng(1000);
	const unsigned trials = 1000;
	unsigned same = 0, interval_holds_one = 0;
	for (unsigned t = 0; t < trials; t++) {
		auto base = lognormal_boots(rng, 100, 0.03, 10, 3, 0.01);
		auto next = lognormal_boots(rng, 100, 0.03, 10, 3, 0.01);
		auto e = gupbench::compare_sides(base, next, seeded(t));
		same += gupbench::verdict_of(e, 0.02) == "same";
		interval_holds_one += e.interval.low <= 1 && 1 <= e.interval.high;
	}
	std::printf("one distribution (3%% noise, 1%% boot-to-boot), 10 repeats x 3 boots: same in %u of %u "
		    "trials (%.1f%%); the interval alone holds 1 in %u (%.1f%%)\n",
		    same, trials, 100.0 * same / trials, interval_holds_one, 100.0 * interval_holds_one / trials);
	EXPECT_GE(same, 950u);
	EXPECT_GE(interval_holds_one, 850u);
}

// Boots that disagree widen the interval beyond what the same samples in one boot give.
TEST(Bootstrap, BootToBootVarianceWidensTheInterval)
{
	std::mt19937_64 rng(3);
	Boots base = lognormal_boots(rng, 100, 0.005, 20, 3, 0.05), next = lognormal_boots(rng, 100, 0.005, 20, 3, 0.05);
	Boots base_one(1), next_one(1);
	for (const auto &b : base)
		base_one[0].insert(base_one[0].end(), b.begin(), b.end());
	for (const auto &b : next)
		next_one[0].insert(next_one[0].end(), b.begin(), b.end());
	auto boots = gupbench::compare_sides(base, next, seeded(1));
	auto pooled = gupbench::compare_sides(base_one, next_one, seeded(1));
	EXPECT_NEAR(boots.ratio, pooled.ratio, 0.03);
	EXPECT_GT(boots.interval.high - boots.interval.low, 1.5 * (pooled.interval.high - pooled.interval.low))
		<< "boots [" << boots.interval.low << ", " << boots.interval.high << "], pooled ["
		<< pooled.interval.low << ", " << pooled.interval.high << "]";
}

// Why the boots are the units: with 3 boots a side and boots 10 % apart (as under TCG), a
// bootstrap that resamples the 3 boots gives intervals far too narrow; the t interval
// across boots keeps the false-change rate under 5 %.
TEST(Bootstrap, LargeBootToBootNoiseIsSameInAtLeast95PercentOf1000Trials)
{
	std::mt19937_64 rng(99);
	const unsigned trials = 1000;
	unsigned same = 0, bootstrap_same = 0;
	for (unsigned t = 0; t < trials; t++) {
		auto base = lognormal_boots(rng, 100, 0.03, 5, 3, 0.1);
		auto next = lognormal_boots(rng, 100, 0.03, 5, 3, 0.1);
		same += gupbench::verdict_of(gupbench::compare_sides(base, next, seeded(t)), 0.02) == "same";
		bootstrap_same +=
			gupbench::verdict_of(gupbench::ratio_of_medians(base, next, seeded(t)), 0.02) == "same";
	}
	std::printf("one distribution, 10%% boot-to-boot, 5 repeats x 3 boots: same in %u of %u across boots, "
		    "in %u with the boots resampled\n",
		    same, trials, bootstrap_same);
	EXPECT_GE(same, 950u);
	EXPECT_LT(bootstrap_same, same); // what made the boots the units
}

TEST(Bootstrap, StudentTQuantilesMatchTheTables)
{
	EXPECT_NEAR(gupbench::student_t_quantile(0.975, 1), 12.706, 0.001);
	EXPECT_NEAR(gupbench::student_t_quantile(0.975, 2), 4.303, 0.001);
	EXPECT_NEAR(gupbench::student_t_quantile(0.975, 4), 2.776, 0.001);
	EXPECT_NEAR(gupbench::student_t_quantile(0.975, 10), 2.228, 0.001);
	EXPECT_NEAR(gupbench::student_t_quantile(0.995, 5), 4.032, 0.001);
	EXPECT_NEAR(gupbench::student_t_quantile(0.975, 2.5), 3.5747, 0.001); // Welch df are not whole (value by numerical integration of the density)
	EXPECT_NEAR(gupbench::student_t_quantile(0.975, 1e6), 1.960, 0.001);
	EXPECT_NEAR(gupbench::student_t_quantile(0.5, 3), 0, 1e-9);
	EXPECT_TRUE(std::isnan(gupbench::student_t_quantile(0.3, 3)));
	EXPECT_TRUE(std::isnan(gupbench::student_t_quantile(0.975, 0)));
}

// Across boots: a boot with no samples is left out, constant boots give a point, and a
// side left with one boot falls back to the bootstrap of the repeats.
TEST(Bootstrap, AcrossBootsEdgeCases)
{
	auto point = gupbench::compare_sides({ { 100, 100, 100 }, { 100, 100, 100 } },
					     { { 110, 110, 110 }, { 110, 110, 110 } }, seeded(1));
	EXPECT_NEAR(point.ratio, 1.1, 1e-12);
	EXPECT_NEAR(point.interval.low, 1.1, 1e-12);
	EXPECT_NEAR(point.interval.high, 1.1, 1e-12);
	EXPECT_NE(point.why.find("no spread"), std::string::npos);
	EXPECT_EQ(gupbench::verdict_of(point, 0.02), "slower");
	auto one_left = gupbench::compare_sides({ { 100, 101, 99 }, {} }, { { 100, 102, 98 }, { 101, 100, 99 } },
						seeded(1));
	EXPECT_TRUE(one_left.interval.defined());
	auto direct = gupbench::ratio_of_medians({ { 100, 101, 99 } }, { { 100, 102, 98 }, { 101, 100, 99 } }, seeded(1));
	EXPECT_EQ(one_left.interval.low, direct.interval.low);
	auto zero = gupbench::ratio_across_boots({ { 0, 0, 0 }, { 1, 1, 1 } }, { { 1, 2, 3 }, { 1, 2, 3 } }, 0.95);
	EXPECT_TRUE(zero.insufficient);
	EXPECT_EQ(gupbench::verdict_of(zero, 0.02), "same");
	auto too_few = gupbench::ratio_across_boots({ { 1, 2, 3 } }, { { 1, 2, 3 }, { 1, 2, 3 } }, 0.95);
	EXPECT_TRUE(too_few.insufficient);
}

TEST(Bootstrap, MinEffectTurnsASmallSureChangeIntoSame)
{
	std::mt19937_64 rng(1);
	auto base = lognormal_boots(rng, 100, 0.001, 50, 1);
	auto next = lognormal_boots(rng, 101, 0.001, 50, 1);
	auto e = gupbench::ratio_of_medians(base, next, seeded(1));
	EXPECT_GT(e.interval.low, 1); // sure
	EXPECT_EQ(gupbench::verdict_of(e, 0.02), "same");
	EXPECT_EQ(gupbench::verdict_of(e, 0.005), "slower");
}

TEST(Bootstrap, ZeroOneOrTwoSamplesGiveNoIntervalAndSame)
{
	Boots ten = { { 100, 101, 102, 99, 98, 100, 103, 97, 100, 101 } };
	for (const Boots &few : { Boots{}, Boots{ {} }, Boots{ { 120 } }, Boots{ { 120, 121 } }, Boots{ {}, { 120 }, {} } }) {
		for (bool few_is_base : { true, false }) {
			auto e = few_is_base ? gupbench::ratio_of_medians(few, ten, seeded(1))
					     : gupbench::ratio_of_medians(ten, few, seeded(1));
			EXPECT_TRUE(e.insufficient);
			EXPECT_FALSE(e.interval.defined());
			EXPECT_NE(e.why.find("an interval needs at least 3"), std::string::npos) << e.why;
			EXPECT_EQ(gupbench::verdict_of(e, 0.02), "same");
		}
	}
	EXPECT_FALSE(gupbench::median_interval({ 5, 6 }, seeded(1)).defined());
	EXPECT_FALSE(gupbench::median_interval({}, seeded(1)).defined());
}

TEST(Bootstrap, ConstantSamplesGiveAPointInterval)
{
	auto same = gupbench::ratio_of_medians({ { 100, 100, 100 } }, { { 100, 100, 100, 100 } }, seeded(1));
	EXPECT_EQ(same.ratio, 1);
	EXPECT_EQ(same.interval.low, 1);
	EXPECT_EQ(same.interval.high, 1);
	EXPECT_EQ(gupbench::verdict_of(same, 0.02), "same");
	EXPECT_NE(same.why.find("no spread"), std::string::npos);
	auto slower = gupbench::ratio_of_medians({ { 100, 100, 100 } }, { { 110, 110, 110 } }, seeded(1));
	EXPECT_DOUBLE_EQ(slower.interval.low, 1.1);
	EXPECT_EQ(gupbench::verdict_of(slower, 0.02), "slower");
	auto zero = gupbench::ratio_of_medians({ { 0, 0, 0 } }, { { 110, 110, 110 } }, seeded(1));
	EXPECT_TRUE(zero.insufficient);
	EXPECT_EQ(gupbench::verdict_of(zero, 0.02), "same");
}

TEST(Bootstrap, TheSameSeedGivesTheSameInterval)
{
	std::mt19937_64 rng(7);
	auto base = lognormal_boots(rng, 100, 0.05, 7, 2), next = lognormal_boots(rng, 104, 0.05, 7, 2);
	auto a = gupbench::ratio_of_medians(base, next, seeded(42));
	auto b = gupbench::ratio_of_medians(base, next, seeded(42));
	auto c = gupbench::ratio_of_medians(base, next, seeded(43));
	EXPECT_EQ(a.interval.low, b.interval.low);
	EXPECT_EQ(a.interval.high, b.interval.high);
	EXPECT_NE(a.interval.low, c.interval.low);
	EXPECT_EQ(gupbench::seed_for(1, "x"), gupbench::seed_for(1, "x"));
	EXPECT_NE(gupbench::seed_for(1, "x"), gupbench::seed_for(1, "y"));
}

TEST(MedianInterval, HoldsTheMedianAndNarrowsWithMoreSamples)
{
	std::mt19937_64 rng(5);
	auto few = lognormal_boots(rng, 100, 0.05, 5, 1)[0];
	auto many = lognormal_boots(rng, 100, 0.05, 200, 1)[0];
	auto s = gupbench::spread_of(few);
	ASSERT_TRUE(s.median_ci.defined());
	EXPECT_LE(s.median_ci.low, s.median);
	EXPECT_GE(s.median_ci.high, s.median);
	EXPECT_GE(s.median_ci.low, s.min);
	EXPECT_LE(s.median_ci.high, s.max);
	auto m = gupbench::spread_of(many);
	EXPECT_LT(m.median_ci.high - m.median_ci.low, 0.5 * (s.median_ci.high - s.median_ci.low));
	EXPECT_EQ(s.samples, few);
	EXPECT_FALSE(gupbench::spread_of({ 3 }).median_ci.defined());
}

// --- diff over bench files ---

json bench_case(unsigned walker, gupbench::MemoryKind memory, bool write, const std::vector<double> &get,
		const std::vector<double> &put)
{
	gupbench::CaseSpec spec;
	spec.walker = walker;
	spec.memory = memory;
	spec.write = write;
	json c = gupbench::spec_json(spec);
	c.update({ { "skipped", false }, { "note", "" }, { "get_ns_per_page", gupbench::spread_json(gupbench::spread_of(get)) },
		   { "get_ns_per_page_samples", get }, { "put_ns_per_page_samples", put } });
	return c;
}

json bench_file(const std::vector<json> &cases, bool longterm = false, const std::string &release = "6.1.0")
{
	return { { "environment", { { "kernel_release", release }, { "accelerator", "kvm" } } },
		 { "options", { { "repeats", 5 }, { "warmup", 1 }, { "longterm", longterm }, { "verify", false } } },
		 { "cases", cases } };
}

std::vector<double> times(double median, std::uint64_t seed, unsigned n = 10)
{
	std::mt19937_64 rng(seed);
	return lognormal_boots(rng, median, 0.02, n, 1)[0];
}

gupbench::DiffResult diff(const std::vector<json> &base, const std::vector<json> &next,
			  const gupbench::DiffOptions &options = {})
{
	std::vector<gupbench::BenchFile> b, n;
	for (const auto &j : base)
		b.push_back(gupbench::bench_file_of("base", j));
	for (const auto &j : next)
		n.push_back(gupbench::bench_file_of("new", j));
	return gupbench::diff_files(b, n, options);
}

const gupbench::CaseDiff *find(const gupbench::DiffResult &r, const std::string &label)
{
	for (const auto &c : r.cases)
		if (c.label == label)
			return &c;
	return nullptr;
}

using gupbench::MemoryKind;
constexpr unsigned pin_fast = GUPBENCH_WALKER_PIN_FAST, get_fast = GUPBENCH_WALKER_GET_FAST;

TEST(Diff, CasesOnOneSideAreListedNotDropped)
{
	auto a = bench_case(pin_fast, MemoryKind::anon, false, times(100, 1), times(10, 2));
	auto b = bench_case(pin_fast, MemoryKind::thp, false, times(100, 3), times(10, 4));
	auto c = bench_case(get_fast, MemoryKind::anon, false, times(100, 5), times(10, 6));
	auto r = diff({ bench_file({ a, b }) }, { bench_file({ b, c }) });
	ASSERT_EQ(r.cases.size(), 3u);
	const auto *only_base = find(r, "pin_fast/anon/read/n512/4M");
	const auto *only_new = find(r, "get_fast/anon/read/n512/4M");
	const auto *both = find(r, "pin_fast/thp/read/n512/4M");
	ASSERT_TRUE(only_base && only_new && both);
	EXPECT_EQ(only_base->only_in, "base");
	EXPECT_EQ(only_new->only_in, "new");
	EXPECT_EQ(both->only_in, "");
	EXPECT_EQ(both->get.verdict, "same"); // the very same samples
	EXPECT_DOUBLE_EQ(both->get.estimate.ratio, 1);
	// Listed after the compared case, with no verdict.
	EXPECT_EQ(r.cases[0].label, "pin_fast/thp/read/n512/4M");
	EXPECT_EQ(only_base->get.verdict, "");
	auto j = gupbench::diff_json(r, {}, {}, {});
	for (const auto &c : j["cases"])
		if (c["id"] == "pin_fast/anon/read/n512/4M") {
			EXPECT_EQ(c["only_in"], "base");
			EXPECT_TRUE(c["verdict"].is_null());
			EXPECT_TRUE(c["ratio"].is_null());
		}
	// A case skipped on one side is measured only on the other, with the reason.
	auto skipped = bench_case(pin_fast, MemoryKind::thp, false, {}, {});
	skipped.update({ { "skipped", true }, { "note", "the kernel lacks it" } });
	skipped.erase("get_ns_per_page_samples");
	r = diff({ bench_file({ b }) }, { bench_file({ skipped }) });
	ASSERT_EQ(r.cases.size(), 1u);
	EXPECT_EQ(r.cases[0].only_in, "base");
	EXPECT_NE(r.cases[0].note.find("skipped in the new files: the kernel lacks it"), std::string::npos);
}

TEST(Diff, MatchingIgnoresCaseOrder)
{
	std::vector<json> cases;
	for (unsigned w : { pin_fast, get_fast })
		for (auto m : { MemoryKind::anon, MemoryKind::thp })
			for (bool write : { false, true })
				cases.push_back(bench_case(w, m, write, times(100 + cases.size(), cases.size()),
							   times(10, 100 + cases.size())));
	std::vector<json> slower;
	for (const auto &c : cases) {
		json s = c;
		for (auto &v : s["get_ns_per_page_samples"])
			v = v.get<double>() * 1.2;
		slower.push_back(s);
	}
	std::vector<json> reversed(slower.rbegin(), slower.rend());
	auto in_order = gupbench::diff_json(diff({ bench_file(cases) }, { bench_file(slower) }), {}, {}, {});
	auto shuffled = gupbench::diff_json(diff({ bench_file(cases) }, { bench_file(reversed) }), {}, {}, {});
	ASSERT_EQ(in_order["cases"].size(), 8u);
	EXPECT_EQ(in_order, shuffled);
	for (const auto &c : in_order["cases"]) {
		EXPECT_EQ(c["verdict"], "slower") << c["id"];
		EXPECT_NEAR(c["ratio"].get<double>(), 1.2, 1e-9) << c["id"];
		EXPECT_EQ(c["put_verdict"], "same") << c["id"];
	}
}

TEST(Diff, EveryDefiningFieldAndOptionSeparatesCases)
{
	auto read = bench_case(pin_fast, MemoryKind::anon, false, times(100, 1), times(10, 2));
	auto write = bench_case(pin_fast, MemoryKind::anon, true, times(100, 1), times(10, 2));
	auto r = diff({ bench_file({ read }) }, { bench_file({ write }) });
	EXPECT_EQ(r.cases.size(), 2u);
	r = diff({ bench_file({ read }, false) }, { bench_file({ read }, true) });
	ASSERT_EQ(r.cases.size(), 2u); // longterm differs: not the same walk
	EXPECT_NE(r.cases[0].label.find("longterm="), std::string::npos) << r.cases[0].label;
	// repeats and warmup do not define a case.
	json more = bench_file({ read });
	more["options"]["repeats"] = 21;
	r = diff({ bench_file({ read }) }, { more });
	EXPECT_EQ(r.cases.size(), 1u);
	EXPECT_EQ(r.cases[0].label, "pin_fast/anon/read/n512/4M");
}

TEST(Diff, SeveralBootsPerSideAndSortedByEffect)
{
	auto boot = [](double get_fast_median, double pin_fast_median, std::uint64_t seed) {
		return bench_file({ bench_case(pin_fast, MemoryKind::anon, false, times(pin_fast_median, seed), times(10, seed + 1)),
				    bench_case(get_fast, MemoryKind::anon, false, times(get_fast_median, seed + 2),
					       times(10, seed + 3)) });
	};
	auto r = diff({ boot(100, 100, 10), boot(100, 100, 20), boot(100, 100, 30) },
		      { boot(95, 150, 40), boot(95, 150, 50), boot(95, 150, 60) });
	ASSERT_EQ(r.cases.size(), 2u);
	EXPECT_EQ(r.cases[0].label, "pin_fast/anon/read/n512/4M"); // +50% before -5%
	EXPECT_EQ(r.cases[0].get.verdict, "slower");
	EXPECT_EQ(r.cases[1].get.verdict, "faster");
	EXPECT_EQ(r.cases[0].base_boots, 3u);
	EXPECT_EQ(r.cases[0].new_samples, 30u);
}

TEST(Diff, InsufficientSamplesAreSameAndSaySo)
{
	auto one = bench_case(pin_fast, MemoryKind::anon, false, { 100 }, { 10 });
	auto none = bench_case(get_fast, MemoryKind::anon, false, {}, {});
	auto r = diff({ bench_file({ one, none }) },
		      { bench_file({ bench_case(pin_fast, MemoryKind::anon, false, times(200, 1), times(10, 2)),
				     bench_case(get_fast, MemoryKind::anon, false, {}, {}) }) });
	ASSERT_EQ(r.cases.size(), 2u);
	auto j = gupbench::diff_json(r, {}, {}, {});
	for (const auto &c : j["cases"]) {
		EXPECT_EQ(c["verdict"], "same") << c["id"];
		EXPECT_EQ(c["insufficient"], true) << c["id"];
		EXPECT_TRUE(c["ci_low"].is_null()) << c["id"];
		EXPECT_NE(c["note"].get<std::string>().find("an interval needs at least 3"), std::string::npos) << c["id"];
	}
	auto table = gupbench::diff_table(r, {}, {}, {});
	EXPECT_NE(table.find("same (insufficient)"), std::string::npos) << table;
}

TEST(Diff, JsonCsvAndPlotHaveThePromisedFields)
{
	auto base = bench_case(pin_fast, MemoryKind::thp, true, times(100, 1), times(10, 2));
	auto next = base;
	for (auto &v : next["get_ns_per_page_samples"])
		v = v.get<double>() * 1.2;
	gupbench::DiffOptions options;
	auto r = diff({ bench_file({ base }) }, { bench_file({ next }, false, "6.12.0") }, options);
	auto j = gupbench::diff_json(r, {}, {}, options);
	ASSERT_EQ(j["cases"].size(), 1u);
	const json &c = j["cases"][0];
	for (const char *field : { "verdict", "ratio", "ci_low", "ci_high", "insufficient", "put_verdict", "put_ratio",
				   "put_ci_low", "put_ci_high", "put_insufficient", "only_in", "id", "walker", "memory",
				   "size", "pages_per_call", "write", "threads", "disjoint", "longterm", "base_samples",
				   "new_samples", "base_boots", "new_boots", "note" })
		EXPECT_TRUE(c.contains(field)) << field;
	EXPECT_EQ(c["walker"], "pin_fast");
	EXPECT_EQ(c["memory"], "thp");
	EXPECT_EQ(c["write"], true);
	EXPECT_EQ(c["verdict"], "slower");
	EXPECT_LT(c["ci_low"].get<double>(), c["ratio"].get<double>());
	EXPECT_GT(c["ci_high"].get<double>(), c["ratio"].get<double>());
	EXPECT_EQ(j["statistic"]["resamples"], 2000u);
	EXPECT_EQ(j["statistic"]["min_effect"], 0.02);

	auto csv = gupbench::diff_csv(r);
	EXPECT_EQ(csv.rfind("id,disjoint,memory,pages_per_call,size,threads,walker,write,longterm,verify,only_in,"
			    "skipped,verdict,ratio,ci_low,ci_high,",
			    0),
		  0u)
		<< csv;
	EXPECT_NE(csv.find("\npin_fast/thp/write/n512/4M,0,thp,512,4194304,1,pin_fast,1,0,0,,0,slower,1.200000,"),
		  std::string::npos)
		<< csv;

	auto data = gupbench::diff_plot_data(r);
	EXPECT_EQ(data.rfind("0 \"pin_fast/thp/write/n512/4M\" 1.200000 ", 0), 0u) << data;
	auto gp = gupbench::diff_gnuplot(r, "d.dat", "out.png", 0.02);
	EXPECT_NE(gp.find("set logscale x"), std::string::npos);
	EXPECT_NE(gp.find("set arrow 1 from 1, graph 0 to 1, graph 1 nohead"), std::string::npos);
	EXPECT_NE(gp.find("using 3:1:4:5:6:ytic(2) with xerrorbars"), std::string::npos) << gp;
}

TEST(Diff, WritesThePngWithGnuplot)
{
	if (std::system("command -v gnuplot >/dev/null 2>&1") != 0)
		GTEST_SKIP() << "no gnuplot here";
	char dir[] = "/tmp/gupbench-diff-test.XXXXXX";
	ASSERT_TRUE(mkdtemp(dir));
	std::string base = std::string(dir) + "/a.json", next = std::string(dir) + "/b.json";
	std::ofstream(base) << bench_file({ bench_case(pin_fast, MemoryKind::anon, false, times(100, 1), times(10, 2)),
					    bench_case(get_fast, MemoryKind::anon, false, times(100, 3), times(10, 4)) });
	std::ofstream(next) << bench_file({ bench_case(pin_fast, MemoryKind::anon, false, times(90, 5), times(10, 6)),
					    bench_case(get_fast, MemoryKind::anon, false, times(100, 7), times(11, 8)) });
	gupbench::DiffOptions options;
	options.base_files = { base };
	options.new_files = { next };
	options.png_file = std::string(dir) + "/diff.png";
	options.csv_file = std::string(dir) + "/diff.csv";
	testing::internal::CaptureStdout();
	EXPECT_EQ(gupbench::run_diff(options), 0);
	std::string table = testing::internal::GetCapturedStdout();
	EXPECT_NE(table.find("faster"), std::string::npos) << table;
	std::ifstream png(options.png_file, std::ios::binary);
	char magic[4] = {};
	png.read(magic, 4);
	EXPECT_EQ(std::string(magic + 1, 3), "PNG");
	EXPECT_TRUE(std::ifstream(options.csv_file).good());
	for (const auto &f : { base, next, options.png_file, options.csv_file })
		std::remove(f.c_str());
	rmdir(dir);
}

TEST(Diff, RefusesFilesWithoutSamples)
{
	auto old = bench_case(pin_fast, MemoryKind::anon, false, times(100, 1), times(10, 2));
	old.erase("get_ns_per_page_samples");
	try {
		gupbench::bench_file_of("old.json", bench_file({ old }));
		FAIL() << "a file without samples was accepted";
	} catch (const std::runtime_error &e) {
		EXPECT_NE(std::string(e.what()).find("old.json: case pin_fast/anon/read/n512/4M has no per-repeat samples"),
			  std::string::npos)
			<< e.what();
	}
	EXPECT_THROW(gupbench::bench_file_of("x.json", json{ { "environment", json::object() } }), std::runtime_error);
	EXPECT_THROW(gupbench::read_bench_file("/nonexistent/x.json"), std::runtime_error);
}

// What bench writes, diff reads: the samples and the median intervals are in bench's JSON
// and CSV, after the columns scripts/plot reads.
TEST(BenchOutput, CarriesSamplesAndMedianIntervals)
{
	gupbench::CaseOutcome o;
	o.spec.memory = MemoryKind::anon;
	std::vector<gupbench_repeat> repeats;
	for (unsigned long long get_ns : { 100000, 103000, 98000, 101000, 99000 }) {
		gupbench_repeat r{};
		r.pages_done = 1000;
		r.get_ns = get_ns;
		r.put_ns = get_ns / 10;
		r.verdict = GUPBENCH_VERDICT_EXACT;
		repeats.push_back(r);
	}
	o.figures = gupbench::figures_of(repeats, 1000);
	auto j = gupbench::bench_json({}, {}, { o });
	const json &c = j["cases"][0];
	EXPECT_EQ(c["get_ns_per_page_samples"], json({ 100, 103, 98, 101, 99 }));
	EXPECT_EQ(c["put_ns_per_page_samples"].size(), 5u);
	EXPECT_EQ(c["get_ns_per_page"]["median"], 100);
	EXPECT_LE(c["get_ns_per_page"]["median_ci_low"].get<double>(), 100);
	EXPECT_GE(c["get_ns_per_page"]["median_ci_high"].get<double>(), 100);
	EXPECT_EQ(j["median_intervals"]["confidence"], 0.95);

	auto csv = gupbench::bench_csv({ o });
	std::string header = csv.substr(0, csv.find('\n'));
	EXPECT_EQ(header.rfind("id,walker,memory,size,pages_per_call,write,threads,disjoint,skipped,repeats,pages_asked,"
			       "pages_done,error,error_offset,get_ns_per_page_median,",
			       0),
		  0u);
	EXPECT_TRUE(header.ends_with(",verdict,note,get_ns_per_page_median_ci_low,get_ns_per_page_median_ci_high,"
				     "put_ns_per_page_median_ci_low,put_ns_per_page_median_ci_high"))
		<< header;
	auto table = gupbench::bench_table({ o });
	EXPECT_NE(table.find("95% CI"), std::string::npos);
	EXPECT_NE(table.find("[98..103]"), std::string::npos) << table;

	// A file against itself: every case the same, ratio 1.
	auto file = gupbench::bench_file_of("self", j);
	auto r = gupbench::diff_files({ file }, { file }, {});
	ASSERT_EQ(r.cases.size(), 1u);
	EXPECT_EQ(r.cases[0].get.verdict, "same");
	EXPECT_EQ(r.cases[0].get.estimate.ratio, 1);
}

} // namespace
