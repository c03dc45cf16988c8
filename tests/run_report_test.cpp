#include <gtest/gtest.h>

#include <cerrno>

#include "gupbench/histogram.h"
#include "memory.h"
#include "run_report.h"
#include "walkers.h"

namespace {

// A repeat as the module reports it, its histogram filled in by hand: `buckets` lists
// (bucket, calls) pairs, bucket b holding the calls of [2^b, 2^(b+1)) ns.
gupbench_repeat repeat_of(unsigned long long calls, unsigned long long get_ns,
			  unsigned long long min_ns, unsigned long long max_ns,
			  std::initializer_list<std::pair<unsigned, unsigned long long>> buckets)
{
	gupbench_repeat r{};
	r.calls = calls;
	r.get_ns = get_ns;
	r.call_min_ns = min_ns;
	r.call_max_ns = max_ns;
	for (auto [bucket, count] : buckets)
		r.histogram[bucket] = count;
	return r;
}

// Calls of 100, 110, 120, 130 and 5000 ns: four in bucket 6 ([64, 128)), one in bucket
// 12 ([4096, 8192)); 5460 ns in all.
gupbench_repeat five_calls()
{
	return repeat_of(5, 5460, 100, 5000, { { 6, 4 }, { 12, 1 } });
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
	// Bucket b is [2^b, 2^(b+1)); bucket 0 also holds 0.
	EXPECT_EQ(gb::bucket_floor(0), 0u);
	EXPECT_EQ(gb::bucket_ceiling(0), 1u);
	EXPECT_EQ(gb::bucket_floor(1), 2u);
	EXPECT_EQ(gb::bucket_ceiling(1), 3u);
	EXPECT_EQ(gb::bucket_floor(6), 64u);
	EXPECT_EQ(gb::bucket_ceiling(6), 127u);
	EXPECT_EQ(gb::bucket_floor(12), 4096u);
	EXPECT_EQ(gb::bucket_ceiling(12), 8191u);
	EXPECT_EQ(gb::bucket_floor(39), 549755813888ull);
	EXPECT_EQ(gb::bucket_ceiling(39), 1099511627775ull);
	for (unsigned b = 1; b < 40; b++) {
		EXPECT_EQ(gb::log2_bucket(gb::bucket_floor(b), 48), b);
		EXPECT_EQ(gb::log2_bucket(gb::bucket_ceiling(b), 48), b);
	}
}

TEST(Histogram, PercentilesAreBucketEdgesClampedToWhatWasSeen)
{
	auto r = five_calls();
	EXPECT_EQ(gupbench::histogram_percentile(r, 0.5), 127u); // 100..130 share [64, 127]
	EXPECT_EQ(gupbench::histogram_percentile(r, 0.8), 127u); // the 4th of 5 calls
	EXPECT_EQ(gupbench::histogram_percentile(r, 0.81), 5000u); // the 5th: the max, not 8191
	EXPECT_EQ(gupbench::histogram_percentile(r, 0.99), 5000u);
	EXPECT_EQ(gupbench::histogram_percentile(r, 0.0), 127u);
	auto one = repeat_of(1, 42, 42, 42, { { 5, 1 } }); // 42 ns: bucket 5, [32, 64)
	EXPECT_EQ(gupbench::histogram_percentile(one, 0.5), 42u); // 63 clamped to the max
	// 70 and 90 ns, both in bucket 6 ([64, 128)): its upper edge, 127, is past the max.
	EXPECT_EQ(gupbench::histogram_percentile(repeat_of(2, 160, 70, 90, { { 6, 2 } }), 0.5), 90u);
	EXPECT_EQ(gupbench::histogram_percentile(gupbench_repeat{}, 0.5), 0u);
}

TEST(RunReport, JsonCarriesErrorsAndMismatches)
{
	auto r = repeat_of(2, 300, 100, 200, { { 6, 1 }, { 7, 1 } }); // 100 and 200 ns
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
	EXPECT_EQ(j["histogram_log2_ns"][6], 1);
	EXPECT_EQ(j["histogram_log2_ns"][7], 1);
	EXPECT_EQ(j["calls"], 2);
	EXPECT_EQ(j["get_ns"], 300);
	EXPECT_EQ(j["call_p50_ns"], 127); // the 1st of 2 calls: bucket 6's upper edge
	EXPECT_EQ(j["call_max_ns"], 200);
}

TEST(RunReport, TextSaysWhereAWalkStopped)
{
	gupbench_run request{};
	request.walker = GUPBENCH_WALKER_PIN;
	request.length = 8 * 4096;
	request.pages_per_call = 1;
	auto r = repeat_of(1, 100, 100, 100, { { 6, 1 } });
	r.pages_done = 3;
	r.error = -EFAULT;
	r.error_offset = 12288;
	auto text = gupbench::run_text(request, { r });
	EXPECT_NE(text.find("pin: 32 KiB"), std::string::npos) << text;
	// 100 ns over 3 pages: 33 ns a page, cut to whole nanoseconds.
	EXPECT_NE(text.find("3 pages in 1 calls, get 100 ns (33 ns/page)"), std::string::npos)
		<< text;
	EXPECT_NE(text.find("stopped by EFAULT at offset 12288"), std::string::npos) << text;
}

TEST(Names, WalkersAndMemoryKindsAreTheDocumentedOnes)
{
	// The names README.md gives, each for the walker the uapi header's comment names.
	const std::pair<const char *, gupbench_walker> walkers[] = {
		{ "get_fast", GUPBENCH_WALKER_GET_FAST },         // get_user_pages_fast
		{ "pin_fast", GUPBENCH_WALKER_PIN_FAST },         // pin_user_pages_fast
		{ "get_fast_only", GUPBENCH_WALKER_GET_FAST_ONLY }, // get_user_pages_fast_only
		{ "pin_fast_only", GUPBENCH_WALKER_PIN_FAST_ONLY }, // pin_user_pages_fast_only
		{ "get", GUPBENCH_WALKER_GET },                   // get_user_pages
		{ "pin", GUPBENCH_WALKER_PIN },                   // pin_user_pages
		{ "get_unlocked", GUPBENCH_WALKER_GET_UNLOCKED }, // get_user_pages_unlocked
		{ "pin_unlocked", GUPBENCH_WALKER_PIN_UNLOCKED }, // pin_user_pages_unlocked
		{ "get_remote", GUPBENCH_WALKER_GET_REMOTE },     // get_user_pages_remote
		{ "pin_remote", GUPBENCH_WALKER_PIN_REMOTE },     // pin_user_pages_remote
		{ "pin_memfd", GUPBENCH_WALKER_PIN_MEMFD },       // memfd_pin_folios
	};
	std::vector<std::string> names;
	for (auto [name, walker] : walkers) {
		EXPECT_EQ(gupbench::parse_walker(name), walker) << name;
		EXPECT_EQ(gupbench::walker_name(walker), name);
		names.push_back(name);
	}
	EXPECT_EQ(gupbench::walker_names(), names);
	EXPECT_FALSE(gupbench::parse_walker("pin_slow").has_value());
	EXPECT_EQ(gupbench::walker_name(GUPBENCH_WALKER_COUNT), "walker11");
	const char *const kinds[] = { "anon",  "thp",    "hugetlb", "shared",  "memfd",
				      "tmpfs", "rofile", "mthp16k", "mthp64k", "hugetlb_memfd" };
	ASSERT_EQ(gupbench::memory_kind_names().size(), std::size(kinds));
	for (unsigned k = 0; k < std::size(kinds); k++) {
		EXPECT_EQ(gupbench::memory_kind_names()[k], kinds[k]);
		auto kind = gupbench::parse_memory_kind(kinds[k]);
		ASSERT_TRUE(kind.has_value()) << kinds[k];
		EXPECT_EQ(gupbench::memory_kind_name(*kind), kinds[k]);
	}
	EXPECT_EQ(gupbench::parse_memory_kind("thp"), gupbench::MemoryKind::thp);
	EXPECT_FALSE(gupbench::parse_memory_kind("ksm").has_value());
}
