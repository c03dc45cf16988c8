// The benchmark's statistics and output formats, on repeats made up here.
#include <gtest/gtest.h>

#include "bench_output.h"
#include "compare.h"
#include "stats.h"
#include "table.h"

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
	EXPECT_EQ(lines[1].rfind("pin_fast/thp/read/nall/4M,pin_fast,thp,4194304,0,0,1,0,0,1,1024,1024,,0,100.0,", 0), 0u)
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

// Threads: all pages taken over the slowest thread's get time.
TEST(Threads, AggregateIsAllPagesOverTheSlowestThread)
{
	EXPECT_DOUBLE_EQ(gupbench::aggregate_pages_per_second({ repeat(1000, 1000000, 0), repeat(1000, 2000000, 0) }),
			 1e6);
	EXPECT_DOUBLE_EQ(gupbench::aggregate_pages_per_second({ repeat(500, 1000, 0) }), 5e8);
	EXPECT_EQ(gupbench::aggregate_pages_per_second({ repeat(0, 0, 0) }), 0);
}

TEST(Threads, ExpandAddsThreadsAndSharingOnce)
{
	gupbench::MatrixOptions o;
	o.walkers = { GUPBENCH_WALKER_PIN_FAST };
	o.memories = { gupbench::MemoryKind::anon };
	o.sizes = { 1u << 20 };
	o.pages_per_call = { 512 };
	o.writes = { false };
	o.threads = { 1, 2 };
	o.disjoint = { false, true };
	auto cases = gupbench::expand(o);
	ASSERT_EQ(cases.size(), 3u); // one thread is one case, shared or not
	EXPECT_EQ(gupbench::case_id(cases[0]), "pin_fast/anon/read/n512/1M");
	EXPECT_EQ(gupbench::case_id(cases[1]), "pin_fast/anon/read/n512/1M/x2-shared");
	EXPECT_EQ(gupbench::case_id(cases[2]), "pin_fast/anon/read/n512/1M/x2-disjoint");
	o.disjoint = { true };
	o.threads = { 1 };
	cases = gupbench::expand(o);
	ASSERT_EQ(cases.size(), 1u);
	EXPECT_FALSE(cases[0].disjoint);
}

TEST(Threads, OutputsCarryEachThreadAndTheAggregate)
{
	auto o = outcome(GUPBENCH_WALKER_PIN_FAST, false);
	o.spec.threads = 2;
	o.spec.disjoint = true;
	o.per_thread = { o.figures, o.figures };
	o.aggregate_pages_per_second = spread_of({ 3e7 });
	auto j = gupbench::case_json(o);
	EXPECT_EQ(j["threads"], 2u);
	EXPECT_EQ(j["disjoint"], true);
	ASSERT_EQ(j["per_thread"].size(), 2u);
	EXPECT_EQ(j["per_thread"][1]["pages_done"], 1024u);
	EXPECT_EQ(j["aggregate_pages_per_second"]["median"], 3e7);
	auto table = gupbench::bench_table({ o });
	EXPECT_NE(table.find("/x2-disjoint"), std::string::npos);
	EXPECT_NE(table.find("  thread 1"), std::string::npos);
	EXPECT_NE(table.find("30.00"), std::string::npos) << table; // the aggregate, Mpages/s
}

gup_test kernel_result(unsigned long long get_us, unsigned long long put_us, unsigned long long size)
{
	gup_test g{};
	g.get_delta_usec = get_us;
	g.put_delta_usec = put_us;
	g.size = size;
	return g;
}

// Ours are cut to whole microseconds as the kernel cuts gup_test's, then compared by median.
TEST(Compare, BothSidesInWholeMicrosecondsAndTheirRatio)
{
	gupbench::ComparedCase c;
	c.kernel = gupbench::arm_of_kernel({ kernel_result(100, 10, 4096 * 256), kernel_result(102, 12, 4096 * 256),
					     kernel_result(98, 11, 4096 * 256) },
					   { 150, 160, 170 }, 4096);
	EXPECT_EQ(c.kernel.get_us.median, 100);
	EXPECT_EQ(c.kernel.pages_done, 256u);
	c.ours = gupbench::arm_of_ours({ repeat(256, 103999, 11999), repeat(256, 101500, 10100), repeat(256, 99000, 9000) },
				       { 140, 150, 160 });
	EXPECT_EQ(c.ours.get_us.median, 101); // 103.999 -> 103, 101.5 -> 101, 99.0 -> 99
	EXPECT_EQ(c.ours.put_us.median, 10);
	c.ours_each_call = gupbench::arm_of_ours({ repeat(256, 150000, 0) }, { 200 });
	c.ours_verified = gupbench::arm_of_ours({ repeat(256, 101000, 0) }, { 406 });
	gupbench::compute_ratios(c);
	EXPECT_DOUBLE_EQ(c.get_ratio, 1.01);
	EXPECT_DOUBLE_EQ(c.put_ratio, 10.0 / 11);
	EXPECT_DOUBLE_EQ(c.each_call_ratio, 1.5);
	// The verified arm's median wall time, 406 us, less the plain arm's, 150 us: 256 us
	// over 256 pages.
	EXPECT_DOUBLE_EQ(c.verify_ns_per_page, 1000.0);
	// Two walks per sample: the figures are per walk.
	auto two = gupbench::arm_of_kernel({ kernel_result(201, 20, 4096 * 256) }, { 300 }, 4096, 2);
	EXPECT_EQ(two.get_us.median, 100.5);
	EXPECT_EQ(gupbench::arm_of_ours({ repeat(256, 201000, 0) }, { 300 }, 2).get_us.median, 100.5);
	auto failed = repeat(3, 3000, 0);
	failed.error = -14;
	EXPECT_EQ(gupbench::arm_of_ours({ repeat(8, 8000, 0), failed }, {}).error, -14);
	EXPECT_EQ(gupbench::arm_of_ours({ repeat(8, 8000, 0), failed }, {}).pages_done, 3u);
}

TEST(Compare, TheSummaryCountsCasesWithinTheTolerance)
{
	auto make = [](unsigned walker, double ratio) {
		gupbench::ComparedCase c;
		c.spec.walker = walker;
		c.get_ratio = ratio;
		return c;
	};
	auto skipped = make(GUPBENCH_WALKER_PIN, 0);
	skipped.skipped = true;
	auto table = gupbench::compare_table({ make(GUPBENCH_WALKER_GET_FAST, 1.01), make(GUPBENCH_WALKER_PIN_FAST, 0.95),
					       make(GUPBENCH_WALKER_GET, 1.029), skipped },
					     0.03);
	EXPECT_NE(table.find("3 of 3 cases take at most 3% longer than gup_test (median get time); "
			     "ratios from 0.950 (pin_fast/anon/read/n512/4M) to 1.029 (get/anon/read/n512/4M)"),
		  std::string::npos)
		<< table;
	table = gupbench::compare_table({ make(GUPBENCH_WALKER_GET_FAST, 1.031), make(GUPBENCH_WALKER_GET, 1.0) }, 0.03);
	EXPECT_NE(table.find("1 of 2 cases take at most 3% longer"), std::string::npos) << table;
}

TEST(Compare, OnlyTheWalkersGupTestHas)
{
	EXPECT_EQ(gupbench::gup_test_command(GUPBENCH_WALKER_GET_FAST, false), GUP_TEST_GUP_FAST_BENCHMARK);
	EXPECT_EQ(gupbench::gup_test_command(GUPBENCH_WALKER_PIN_FAST, false), GUP_TEST_PIN_FAST_BENCHMARK);
	EXPECT_EQ(gupbench::gup_test_command(GUPBENCH_WALKER_GET, false), GUP_TEST_GUP_BASIC_TEST);
	EXPECT_EQ(gupbench::gup_test_command(GUPBENCH_WALKER_PIN, false), GUP_TEST_PIN_BASIC_TEST);
	EXPECT_EQ(gupbench::gup_test_command(GUPBENCH_WALKER_PIN, true), GUP_TEST_PIN_LONGTERM_BENCHMARK);
	EXPECT_EQ(gupbench::gup_test_command(GUPBENCH_WALKER_PIN_FAST, true), 0u);
	EXPECT_EQ(gupbench::gup_test_command(GUPBENCH_WALKER_GET_UNLOCKED, false), 0u);
	gupbench::CompareOptions o;
	o.matrix.walkers = { GUPBENCH_WALKER_GET_FAST, GUPBENCH_WALKER_PIN_REMOTE, GUPBENCH_WALKER_PIN };
	o.matrix.memories = { gupbench::MemoryKind::anon };
	o.matrix.sizes = { 1u << 20 };
	o.matrix.pages_per_call = { 1, 0 };
	o.matrix.writes = { false };
	o.matrix.threads = { 1, 4 };
	auto cases = gupbench::comparable_cases(o);
	ASSERT_EQ(cases.size(), 4u); // get_fast and pin, n1 and nall, one thread each
	EXPECT_EQ(gupbench::case_id(cases[3]), "pin/anon/read/nall/1M");
	o.matrix.sizes = { 0 }; // auto
	o.matrix.memories = { gupbench::MemoryKind::anon, gupbench::MemoryKind::hugetlb };
	o.matrix.pages_per_call = { 512 };
	cases = gupbench::comparable_cases(o);
	ASSERT_EQ(cases.size(), 4u);
	EXPECT_EQ(gupbench::case_id(cases[0]), "get_fast/anon/read/n512/64M");
	EXPECT_EQ(gupbench::case_id(cases[1]), "get_fast/hugetlb/read/n512/512M");
}

TEST(Table, AlignsFiguresRightAndTextLeft)
{
	EXPECT_EQ(gupbench::aligned_table({ { "a", "1", "x" }, { "bbb", "22", "yy" } }), "a     1  x\nbbb  22  yy\n");
	EXPECT_EQ(gupbench::error_name(-14), "EFAULT");
	EXPECT_EQ(gupbench::error_name(0), "");
}

} // namespace
