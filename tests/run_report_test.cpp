#include <gtest/gtest.h>

#include <cerrno>

#include "gupbench/histogram.h"
#include "memory.h"
#include "run_report.h"
#include "walkers.h"

namespace {

gupbench_repeat with_calls(std::initializer_list<unsigned long long> durations)
{
	gupbench_repeat r{};
	for (auto ns : durations) {
		r.histogram[gb::log2_bucket(ns, GUPBENCH_HIST_BUCKETS)]++;
		r.call_min_ns = r.calls ? std::min(r.call_min_ns, ns) : ns;
		r.call_max_ns = std::max(r.call_max_ns, ns);
		r.calls++;
		r.get_ns += ns;
	}
	return r;
}

} // namespace

TEST(Histogram, Log2Buckets)
{
	EXPECT_EQ(gb::log2_bucket(0, 48), 0u);
	EXPECT_EQ(gb::log2_bucket(1, 48), 0u);
	EXPECT_EQ(gb::log2_bucket(2, 48), 1u);
	EXPECT_EQ(gb::log2_bucket(3, 48), 1u);
	EXPECT_EQ(gb::log2_bucket(1024, 48), 10u);
	EXPECT_EQ(gb::log2_bucket(2047, 48), 10u);
	EXPECT_EQ(gb::log2_bucket(~0ull, 48), 47u); // clamped into the last bucket
	for (unsigned b = 1; b < 40; b++) {
		EXPECT_EQ(gb::log2_bucket(gb::bucket_floor(b), 48), b);
		EXPECT_EQ(gb::log2_bucket(gb::bucket_ceiling(b), 48), b);
	}
}

TEST(Histogram, PercentilesAreBucketEdgesClampedToWhatWasSeen)
{
	auto r = with_calls({ 100, 110, 120, 130, 5000 });
	EXPECT_EQ(gupbench::histogram_percentile(r, 0.5), 127u); // 100..130 share [64, 127]
	EXPECT_EQ(gupbench::histogram_percentile(r, 0.99), 5000u); // the max, not 8191
	EXPECT_EQ(gupbench::histogram_percentile(r, 0.0), 127u);
	auto one = with_calls({ 42 });
	EXPECT_EQ(gupbench::histogram_percentile(one, 0.5), 42u);
	EXPECT_EQ(gupbench::histogram_percentile(gupbench_repeat{}, 0.5), 0u);
}

TEST(RunReport, JsonCarriesErrorsAndMismatches)
{
	auto r = with_calls({ 100, 200 });
	r.pages_done = 3;
	r.error = -EFAULT;
	r.error_offset = 3 * 4096;
	r.verdict = GUPBENCH_VERDICT_MISMATCH;
	r.mismatch = GUPBENCH_MISMATCH_REFCOUNT_RELEASED;
	r.mismatch_page = 2;
	r.mismatch_expected = 1;
	r.mismatch_observed = 1025;
	auto j = gupbench::repeat_json(r);
	EXPECT_EQ(j["error"], -EFAULT);
	EXPECT_EQ(j["error_name"], "EFAULT");
	EXPECT_EQ(j["error_offset"], 3 * 4096);
	EXPECT_EQ(j["verdict"], "mismatch");
	EXPECT_EQ(j["mismatch"]["what"], "refcount_released");
	EXPECT_EQ(j["mismatch"]["observed"], 1025);
	EXPECT_EQ(j["histogram_log2_ns"].size(), GUPBENCH_HIST_BUCKETS);
	EXPECT_EQ(j["calls"], 2);
}

TEST(RunReport, TextSaysWhereAWalkStopped)
{
	gupbench_run request{};
	request.walker = GUPBENCH_WALKER_PIN;
	request.length = 8 * 4096;
	request.pages_per_call = 1;
	auto r = with_calls({ 100 });
	r.pages_done = 3;
	r.error = -EFAULT;
	r.error_offset = 12288;
	auto text = gupbench::run_text(request, { r });
	EXPECT_NE(text.find("pin: 32 KiB"), std::string::npos) << text;
	EXPECT_NE(text.find("stopped by EFAULT at offset 12288"), std::string::npos) << text;
}

TEST(Names, WalkersAndMemoryKindsRoundTrip)
{
	for (const auto &name : gupbench::walker_names())
		EXPECT_EQ(gupbench::walker_name(*gupbench::parse_walker(name)), name);
	EXPECT_EQ(gupbench::walker_names().size(), size_t(GUPBENCH_WALKER_COUNT));
	EXPECT_FALSE(gupbench::parse_walker("pin_slow").has_value());
	for (const auto &name : gupbench::memory_kind_names())
		EXPECT_EQ(gupbench::memory_kind_name(*gupbench::parse_memory_kind(name)), name);
	EXPECT_FALSE(gupbench::parse_memory_kind("ksm").has_value());
}
