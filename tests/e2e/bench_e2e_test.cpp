// A small benchmark matrix, end to end in the guest: its JSON holds exactly the cases
// asked for, with plausible figures.
#include <gtest/gtest.h>

#include <set>

#include "bench_output.h"
#include "compare.h"
#include "guest_util.h"
#include "matrix.h"
#include "requests.h"
#include "walkers.h"

namespace {

using e2e::pins_moved_since;
using e2e::vmstat_pins;
using e2e::walker_pins;

TEST(Bench, ASmallMatrixHoldsExactlyItsCases)
{
	gupbench::MatrixOptions options;
	options.walkers = { GUPBENCH_WALKER_GET_FAST, GUPBENCH_WALKER_PIN, GUPBENCH_WALKER_PIN_REMOTE };
	E2E_SKIP_WITHOUT_THP();
	options.memories = { gupbench::MemoryKind::anon, gupbench::MemoryKind::thp, gupbench::MemoryKind::rofile };
	options.sizes = { 4u << 20 };
	options.pages_per_call = { 1, 0 };
	options.writes = { false, true };
	options.repeats = 3;
	options.verify = true;
	gupbench::BenchDevice device;
	std::vector<gupbench::CaseOutcome> outcomes;
	for (const auto &spec : gupbench::expand(options)) {
		SCOPED_TRACE(gupbench::case_id(spec));
		auto before = vmstat_pins();
		outcomes.push_back(gupbench::run_case(device, spec, options));
		auto moved = pins_moved_since(before);
		// One warm-up walk and 3 measured, each of 1024 pages: a pin walker pins and
		// unpins each page once per walk; a get walker, or a case skipped, moves nothing.
		const bool walked = !(spec.write && spec.memory == gupbench::MemoryKind::rofile);
		const long pinned = walked && walker_pins(spec.walker) ? 4 * 1024 : 0;
		EXPECT_EQ(moved.first, pinned) << "nr_foll_pin_acquired";
		EXPECT_EQ(moved.second, pinned) << "nr_foll_pin_released";
	}
	auto j = gupbench::bench_json(gupbench::environment_json(), options, outcomes);

	ASSERT_EQ(j["cases"].size(), 3u * 3 * 2 * 2);
	std::set<std::string> ids;
	for (const auto &c : j["cases"]) {
		ids.insert(c["id"].get<std::string>());
		bool rofile_write = c["memory"] == "rofile" && c["write"] == true;
		if (rofile_write) { // refused with EFAULT by GUP: listed as skipped, with why
			EXPECT_TRUE(c["skipped"].get<bool>()) << c["id"];
			EXPECT_NE(c["note"], "") << c["id"];
			continue;
		}
		EXPECT_FALSE(c["skipped"].get<bool>()) << c["id"];
		EXPECT_EQ(c["repeats"], 3u);
		EXPECT_EQ(c["pages_done"], c["pages_asked"]) << c["id"];
		EXPECT_EQ(c["pages_asked"], (4u << 20) / 4096);
		EXPECT_EQ(c["error"], 0) << c["id"];
		EXPECT_GT(c["get_ns_per_page"]["min"].get<double>(), 0) << c["id"];
		EXPECT_GT(c["put_ns_per_page"]["min"].get<double>(), 0) << c["id"];
		EXPECT_TRUE(c["call_times"].get<bool>()) << c["id"];
		EXPECT_GT(c["call_p50_ns"].get<unsigned long long>(), 0u) << c["id"];
		// The longest walk of the measured repeats, from get_ns; the longest call, from
		// the per-call figures. With all 1024 pages in one call (nall) a walk is one
		// call, so the two are one number; with one page a call, 1024 calls share it.
		// (The warm-up walk counts in neither.)
		const double walk_ns_max = c["get_ns_per_page"]["max"].get<double>() * 1024;
		const double call_ns_max = c["call_max_ns"].get<double>();
		if (c["pages_per_call"] == 0) {
			EXPECT_DOUBLE_EQ(call_ns_max, walk_ns_max) << c["id"];
		} else {
			EXPECT_LT(call_ns_max, walk_ns_max) << c["id"];
		}
		EXPECT_EQ(c["verdict"], "exact") << c["id"];
		if (c["memory"] == "thp") {
			EXPECT_EQ(c["note"], "") << c["id"];
		}
	}
	EXPECT_EQ(ids.size(), j["cases"].size()) << "two cases with one id";
	EXPECT_EQ(ids.count("pin/thp/write/nall/4M"), 1u);
	EXPECT_FALSE(j["environment"]["kernel_release"].get<std::string>().empty());
	EXPECT_NE(j["environment"]["accelerator"], "unknown");
}

// Threads: every thread walks each repeat; shared ones overlap on one buffer (the ledger
// says so), disjoint ones each take their own; all of it is released.
TEST(Bench, ThreadsOnSharedAndDisjointBuffers)
{
	gupbench::MatrixOptions options;
	options.walkers = { GUPBENCH_WALKER_PIN_FAST, GUPBENCH_WALKER_GET };
	options.memories = { gupbench::MemoryKind::anon };
	options.sizes = { 1u << 20 };
	options.pages_per_call = { 16 };
	options.writes = { false };
	options.threads = { 1, 3 };
	options.disjoint = { false, true };
	options.repeats = 4;
	options.verify = true;
	gupbench::BenchDevice device;
	std::vector<gupbench::CaseOutcome> outcomes;
	for (const auto &spec : gupbench::expand(options)) {
		SCOPED_TRACE(gupbench::case_id(spec));
		auto before = vmstat_pins();
		outcomes.push_back(gupbench::run_case(device, spec, options));
		auto moved = pins_moved_since(before);
		// Every thread walks 1 warm-up and 4 measured times over 256 pages; threads on
		// a shared buffer pin its pages once each too.
		const long pinned = walker_pins(spec.walker) ? long(spec.threads) * 5 * 256 : 0;
		EXPECT_EQ(moved.first, pinned) << "nr_foll_pin_acquired";
		EXPECT_EQ(moved.second, pinned) << "nr_foll_pin_released";
	}
	auto j = gupbench::bench_json(gupbench::environment_json(), options, outcomes);
	ASSERT_EQ(j["cases"].size(), 2u * 3);
	for (const auto &c : j["cases"]) {
		SCOPED_TRACE(c["id"].get<std::string>());
		EXPECT_EQ(c["pages_done"], 256u);
		EXPECT_GT(c["aggregate_pages_per_second"]["min"].get<double>(), 0);
		if (c["threads"] == 1u) {
			EXPECT_FALSE(c.contains("per_thread"));
			EXPECT_EQ(c["verdict"], "exact");
			continue;
		}
		ASSERT_EQ(c["per_thread"].size(), 3u);
		for (const auto &t : c["per_thread"]) {
			EXPECT_EQ(t["pages_done"], 256u);
			EXPECT_EQ(t["error"], 0);
			EXPECT_GT(t["get_ns_per_page"]["min"].get<double>(), 0);
			// Overlapping runs cannot attribute vmstat moves or shared pages' counts.
			EXPECT_TRUE(t["verdict"] == "overlapped" || t["verdict"] == "exact") << t["verdict"];
		}
		// The aggregate counts all three threads' pages (3 x 256) in the slowest one's
		// time, repeat by repeat: its lowest is theirs over the slowest walk of all,
		// which the per-thread figures give as 256 pages at the highest ns per page.
		double slowest = 0;
		for (const auto &t : c["per_thread"])
			slowest = std::max(slowest, t["get_ns_per_page"]["max"].get<double>());
		EXPECT_DOUBLE_EQ(c["aggregate_pages_per_second"]["min"].get<double>(),
				 3 * 1e9 / slowest);
	}
	EXPECT_EQ(j["cases"][1]["id"], "pin_fast/anon/read/n16/1M/x3-shared");
	EXPECT_EQ(j["cases"][2]["id"], "pin_fast/anon/read/n16/1M/x3-disjoint");
}

// compare: the in-kernel gup_test and gupbench walk the same pages, each timed.
TEST(Compare, GupTestAndGupbenchWalkTheSamePages)
{
	gupbench::CompareOptions options;
	options.matrix.walkers = { GUPBENCH_WALKER_GET_FAST, GUPBENCH_WALKER_PIN, GUPBENCH_WALKER_GET_UNLOCKED };
	options.matrix.memories = { gupbench::MemoryKind::anon, gupbench::MemoryKind::thp };
	options.matrix.sizes = { 2u << 20 };
	options.matrix.pages_per_call = { 1, 0 };
	options.matrix.writes = { true };
	options.matrix.repeats = 3;
	options.matrix.warmup = 1;
	gupbench::BenchDevice ours;
	gupbench::KernelGupTest kernel;
	std::vector<gupbench::ComparedCase> compared;
	std::vector<std::pair<long, long>> moves;
	auto cases = gupbench::comparable_cases(options);
	ASSERT_EQ(cases.size(), 2u * 2 * 2); // get_unlocked has no gup_test command
	for (const auto &spec : cases) {
		auto before = vmstat_pins();
		compared.push_back(gupbench::compare_case(ours, kernel, spec, options));
		moves.push_back(pins_moved_since(before));
	}
	for (std::size_t i = 0; i < compared.size(); i++) {
		const auto &c = compared[i];
		SCOPED_TRACE(gupbench::case_id(c.spec));
		EXPECT_FALSE(c.skipped);
		EXPECT_EQ(c.note, "");
		for (const auto *arm : { &c.kernel, &c.ours, &c.ours_each_call, &c.ours_verified }) {
			EXPECT_EQ(arm->pages_done, 512u);
			EXPECT_EQ(arm->error, 0);
			EXPECT_GT(arm->get_us.max, 0);
			EXPECT_GT(arm->wall_us.min, 0);
		}
		EXPECT_GT(c.get_ratio, 0);
		// Each round walks the 512 pages four times (gup_test, then gupbench three
		// ways): one warm-up round of single walks, then 3 rounds of samples of
		// walks_per_sample walks each. A pin walker (pin: PIN_BASIC_TEST) pins and
		// unpins every page of each walk once; get_fast and GUP_FAST_BENCHMARK none.
		ASSERT_GE(c.walks_per_sample, 1u);
		const long walks = 4 * (1 + 3 * long(c.walks_per_sample));
		const long pinned = c.spec.walker == GUPBENCH_WALKER_PIN ? 512 * walks : 0;
		EXPECT_EQ(moves[i].first, pinned) << "nr_foll_pin_acquired";
		EXPECT_EQ(moves[i].second, pinned) << "nr_foll_pin_released";
	}
	auto j = gupbench::compare_json(gupbench::environment_json(), options, compared);
	ASSERT_EQ(j["cases"].size(), 8u);
	EXPECT_EQ(j["cases"][0]["id"], "get_fast/anon/write/n1/2M");
	EXPECT_EQ(j["cases"][7]["id"], "pin/thp/write/nall/2M");
	EXPECT_EQ(j["cases"][7]["gup_test"]["pages_done"], 512u);
}

} // namespace
