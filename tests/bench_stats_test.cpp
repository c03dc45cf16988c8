// The benchmark's statistics and output formats, on repeats made up here.
#include <gtest/gtest.h>

#include "bench_output.h"
#include "stats.h"

namespace {

using gupbench::spread_of;

gupbench_repeat repeat(unsigned long long pages, unsigned long long get_ns, unsigned long long put_ns,
		       unsigned verdict = GUPBENCH_VERDICT_EXACT)
{
	gupbench_repeat r{};
	r.pages_done = pages;
	r.get_ns = get_ns;
	r.put_ns = put_ns;
	r.verdict = verdict;
	return r;
}

TEST(Spread, MedianMinMax)
{
	auto odd = spread_of({ 5, 1, 3 });
	EXPECT_EQ(odd.median, 3);
	EXPECT_EQ(odd.min, 1);
	EXPECT_EQ(odd.max, 5);
	auto even = spread_of({ 4, 1, 3, 10 });
	EXPECT_EQ(even.median, 3.5);
	auto none = spread_of({});
	EXPECT_EQ(none.median, 0);
	EXPECT_EQ(none.max, 0);
}

TEST(Figures, NsPerPageAndPagesPerSecondFromTheMedian)
{
	auto f = gupbench::figures_of({ repeat(1000, 100000, 50000), repeat(1000, 300000, 10000),
					repeat(1000, 200000, 20000) },
				      1000);
	EXPECT_EQ(f.repeats, 3u);
	EXPECT_EQ(f.get_ns_per_page.median, 200);
	EXPECT_EQ(f.get_ns_per_page.min, 100);
	EXPECT_EQ(f.get_ns_per_page.max, 300);
	EXPECT_EQ(f.put_ns_per_page.median, 20);
	EXPECT_DOUBLE_EQ(f.pages_per_second, 5e6);
	EXPECT_EQ(f.verdict, "exact");
	EXPECT_FALSE(f.call_times);
}

TEST(Figures, TheWorstVerdictAndTheFirstFailureWin)
{
	auto failed = repeat(3, 300, 30, GUPBENCH_VERDICT_MISMATCH);
	failed.error = -14;
	failed.error_offset = 3 * 4096;
	auto f = gupbench::figures_of({ repeat(8, 800, 80), failed, repeat(8, 800, 80, GUPBENCH_VERDICT_OVERLAPPED) }, 8);
	EXPECT_EQ(f.verdict, "mismatch");
	EXPECT_EQ(f.error, -14);
	EXPECT_EQ(f.error_offset, 3u * 4096);
	EXPECT_EQ(f.pages_done, 3u);
}

TEST(Figures, CallPercentilesFromTheMergedHistograms)
{
	auto a = repeat(100, 1000, 100), b = repeat(100, 1000, 100);
	a.calls = 99, a.histogram[6] = 99, a.call_min_ns = 70, a.call_max_ns = 120; // [64, 128)
	b.calls = 1, b.histogram[12] = 1, b.call_min_ns = 5000, b.call_max_ns = 5000; // [4096, 8192)
	auto merged = gupbench::merge_calls({ a, b });
	EXPECT_EQ(merged.calls, 100u);
	EXPECT_EQ(merged.call_min_ns, 70u);
	EXPECT_EQ(merged.call_max_ns, 5000u);
	auto f = gupbench::figures_of({ a, b }, 100);
	EXPECT_TRUE(f.call_times);
	EXPECT_EQ(f.call_p50_ns, 127u);  // the upper edge of bucket 6
	EXPECT_EQ(f.call_p99_ns, 127u);  // the 99th of 100 calls is still in bucket 6
	EXPECT_EQ(f.call_max_ns, 5000u);
}

gupbench::CaseOutcome outcome(unsigned walker, bool skipped)
{
	gupbench::CaseOutcome o;
	o.spec.walker = walker;
	o.spec.memory = gupbench::MemoryKind::thp;
	o.spec.size = 4u << 20;
	o.spec.pages_per_call = 0;
	o.skipped = skipped;
	o.note = skipped ? "why" : "";
	if (!skipped)
		o.figures = gupbench::figures_of({ repeat(1024, 102400, 10240) }, 1024);
	return o;
}

TEST(Output, JsonHoldsEveryCaseAndTheEnvironment)
{
	gupbench::MatrixOptions options;
	auto j = gupbench::bench_json({ { "kernel_release", "6.1" } }, options,
				      { outcome(GUPBENCH_WALKER_PIN_FAST, false), outcome(GUPBENCH_WALKER_GET, true) });
	ASSERT_EQ(j["cases"].size(), 2u);
	EXPECT_EQ(j["cases"][0]["id"], "pin_fast/thp/read/nall/4M");
	EXPECT_EQ(j["cases"][0]["get_ns_per_page"]["median"], 100.0);
	EXPECT_EQ(j["cases"][0]["pages_done"], 1024u);
	EXPECT_EQ(j["cases"][1]["skipped"], true);
	EXPECT_FALSE(j["cases"][1].contains("get_ns_per_page"));
	EXPECT_EQ(j["environment"]["kernel_release"], "6.1");
	EXPECT_EQ(j["options"]["repeats"], 5u);
}

TEST(Output, CsvHasAHeaderAndOneRowPerCase)
{
	auto csv = gupbench::bench_csv({ outcome(GUPBENCH_WALKER_PIN_FAST, false), outcome(GUPBENCH_WALKER_GET, true) });
	std::vector<std::string> lines;
	for (std::size_t at = 0, next; (next = csv.find('\n', at)) != std::string::npos; at = next + 1)
		lines.push_back(csv.substr(at, next - at));
	ASSERT_EQ(lines.size(), 3u);
	auto columns = [](const std::string &line) { return std::count(line.begin(), line.end(), ','); };
	EXPECT_EQ(columns(lines[1]), columns(lines[0]));
	EXPECT_EQ(columns(lines[2]), columns(lines[0]));
	EXPECT_EQ(lines[1].rfind("pin_fast/thp/read/nall/4M,pin_fast,thp,4194304,0,0,0,1,1024,1024,,0,100.0,", 0), 0u)
		<< lines[1];
}

TEST(Output, TableColumnsAlign)
{
	auto table = gupbench::bench_table({ outcome(GUPBENCH_WALKER_PIN_FAST, false), outcome(GUPBENCH_WALKER_GET, true) });
	std::vector<std::string> lines;
	for (std::size_t at = 0, next; (next = table.find('\n', at)) != std::string::npos; at = next + 1)
		lines.push_back(table.substr(at, next - at));
	ASSERT_EQ(lines.size(), 3u);
	// The right-aligned "pages" column ends at the same place on every line.
	auto end_of_pages = lines[0].find("pages") + 5;
	EXPECT_EQ(lines[1].substr(end_of_pages - 4, 4), "1024");
	EXPECT_NE(lines[2].find("skipped: why"), std::string::npos);
}

} // namespace
