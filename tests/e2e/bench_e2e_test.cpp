// A small benchmark matrix, end to end in the guest: its JSON holds exactly the cases
// asked for, with plausible figures.
#include <gtest/gtest.h>

#include <set>

#include "bench_output.h"
#include "matrix.h"
#include "walkers.h"

namespace {

TEST(Bench, ASmallMatrixHoldsExactlyItsCases)
{
	gupbench::MatrixOptions options;
	options.walkers = { GUPBENCH_WALKER_GET_FAST, GUPBENCH_WALKER_PIN, GUPBENCH_WALKER_PIN_REMOTE };
	options.memories = { gupbench::MemoryKind::anon, gupbench::MemoryKind::thp, gupbench::MemoryKind::rofile };
	options.sizes = { 4u << 20 };
	options.pages_per_call = { 1, 0 };
	options.writes = { false, true };
	options.repeats = 3;
	options.verify = true;
	gupbench::BenchDevice device;
	std::vector<gupbench::CaseOutcome> outcomes;
	for (const auto &spec : gupbench::expand(options))
		outcomes.push_back(gupbench::run_case(device, spec, options));
	auto j = gupbench::bench_json(gupbench::environment_json(), options, outcomes);

	ASSERT_EQ(j["cases"].size(), 3u * 3 * 2 * 2);
	std::set<std::string> ids;
	for (const auto &c : j["cases"]) {
		ids.insert(c["id"].get<std::string>());
		bool rofile_write = c["memory"] == "rofile" && c["write"] == true;
		if (rofile_write && c["walker"] != "pin_remote") {
			EXPECT_TRUE(c["skipped"].get<bool>()) << c["id"];
			continue;
		}
		if (rofile_write) { // remote: mapped in the child; the walk itself is refused
			EXPECT_EQ(c["error_name"], "EFAULT") << c["id"];
			continue;
		}
		EXPECT_FALSE(c["skipped"].get<bool>()) << c["id"];
		EXPECT_EQ(c["repeats"], 3u);
		EXPECT_EQ(c["pages_done"], c["pages_asked"]) << c["id"];
		EXPECT_EQ(c["pages_asked"], (4u << 20) / 4096);
		EXPECT_GT(c["get_ns_per_page"]["min"].get<double>(), 0) << c["id"];
		EXPECT_GT(c["put_ns_per_page"]["min"].get<double>(), 0) << c["id"];
		EXPECT_LE(c["get_ns_per_page"]["min"].get<double>(), c["get_ns_per_page"]["median"].get<double>());
		EXPECT_LE(c["get_ns_per_page"]["median"].get<double>(), c["get_ns_per_page"]["max"].get<double>());
		EXPECT_GT(c["call_p50_ns"].get<unsigned long long>(), 0u) << c["id"];
		EXPECT_LE(c["call_p99_ns"].get<unsigned long long>(), c["call_max_ns"].get<unsigned long long>());
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

} // namespace
