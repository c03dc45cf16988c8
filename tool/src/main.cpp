// gupbench: drive the gupbench kernel module from userspace.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include "bench_device.h"
#include "bench_output.h"
#include "compare.h"
#include "diff.h"
#include "observe.h"
#include "info_report.h"
#include "matrix.h"
#include "memory.h"
#include "run_report.h"
#include "walkers.h"

namespace {

struct WalkOptions {
	std::string walker = "pin_fast";
	std::string memory = "anon";
	std::string size = "4M";
	unsigned pages_per_call = 512;
	unsigned repeats = 3;
	bool write = false, longterm = false, force = false, dirty = false, verify = false;
	bool touch = false, walk_time = false, lock_once = false, no_prefault = false, json = false;
};

std::size_t parse_size(const std::string &text)
{
	std::size_t used = 0;
	unsigned long long value = std::stoull(text, &used);
	std::string unit = text.substr(used);
	if (unit == "K" || unit == "k")
		value <<= 10;
	else if (unit == "M" || unit == "m")
		value <<= 20;
	else if (unit == "G" || unit == "g")
		value <<= 30;
	else if (!unit.empty())
		throw CLI::ValidationError("--size", "unknown unit '" + unit + "' (K, M or G)");
	return value;
}

int walk(gupbench::BenchDevice &device, const WalkOptions &o)
{
	auto walker = gupbench::parse_walker(o.walker);
	auto kind = gupbench::parse_memory_kind(o.memory);
	gupbench_run request{};
	request.walker = *walker;
	request.length = parse_size(o.size);
	request.pages_per_call = o.pages_per_call;
	request.repeats = o.repeats;
	request.flags = (o.write ? GUPBENCH_FLAG_WRITE : 0) | (o.longterm ? GUPBENCH_FLAG_LONGTERM : 0) |
			(o.force ? GUPBENCH_FLAG_FORCE : 0) | (o.dirty ? GUPBENCH_FLAG_DIRTY : 0) |
			(o.verify ? GUPBENCH_FLAG_VERIFY : 0) | (o.touch ? GUPBENCH_FLAG_TOUCH : 0) |
			(o.walk_time ? GUPBENCH_FLAG_WALK_TIME : 0) | (o.lock_once ? GUPBENCH_FLAG_LOCK_ONCE : 0);

	// A walker or flag the kernel lacks, or memory (multi-size THP before 6.8): said, not
	// run (exit status 4).
	auto why = gupbench::not_in_kernel(device.info(), request.walker, request.flags);
	if (!why && !gupbench::mthp_unavailable(*kind).empty())
		why = gupbench::mthp_unavailable(*kind);
	if (why) {
		if (o.json)
			std::cout << nlohmann::json{ { "walker", o.walker }, { "memory", o.memory },
						     { "skipped", true }, { "note", *why } }
					     .dump(2)
				  << "\n";
		else
			std::cout << o.walker << ": skipped: " << *why << "\n";
		return 4;
	}

	if (auto mismatch = gupbench::memfd_walk_mismatch(*walker, *kind, request.flags); !mismatch.empty()) {
		std::fprintf(stderr, "gupbench: %s\n", mismatch.c_str());
		return 2;
	}
	gupbench::WalkTarget target(*walker, *kind, request.length, !o.no_prefault);
	target.aim(request);
	auto repeats = device.run(request);
	// Memory that is not what was asked (fewer huge or multi-size THP folios) is said.
	std::string note = target.shortfall();
	for (const auto &r : repeats)
		if (auto seen = target.folio_shortfall(r); !seen.empty() && note.find(seen) == std::string::npos)
			note = seen;
	if (o.json) {
		nlohmann::json j = { { "walker", o.walker }, { "memory", o.memory },
				     { "length", request.length }, { "pages_per_call", request.pages_per_call },
				     { "flags", request.flags }, { "repeats", nlohmann::json::array() } };
		if (!note.empty())
			j["note"] = note;
		for (const auto &r : repeats)
			j["repeats"].push_back(gupbench::repeat_json(r));
		std::cout << j.dump(2) << "\n";
	} else {
		std::cout << "memory " << o.memory << ", " << gupbench::run_text(request, repeats);
		if (!note.empty())
			std::cout << "note: " << note << "\n";
	}
	// Exit status 3: the walk ran but a page or counter did not add up.
	for (const auto &r : repeats)
		if (r.verdict == GUPBENCH_VERDICT_MISMATCH)
			return 3;
	return 0;
}

struct BenchOptions {
	std::vector<std::string> walkers = gupbench::walker_names();
	std::vector<std::string> memories = { "anon", "thp", "hugetlb", "shared" };
	std::vector<std::string> sizes = { "16M" };
	std::vector<std::string> pages_per_call = { "1", "512", "all" };
	std::string access = "read";
	std::vector<unsigned> threads = { 1 };
	std::string sharing = "shared";
	unsigned repeats = 5, warmup = 1;
	bool longterm = false, verify = false, walk_time = false, lock_once = false, no_prefault = false;
	bool json = false, csv = false;
	std::string output_dir;
};

gupbench::MatrixOptions matrix_of(const BenchOptions &b)
{
	gupbench::MatrixOptions m;
	for (const auto &w : b.walkers)
		m.walkers.push_back(*gupbench::parse_walker(w));
	for (const auto &k : b.memories)
		m.memories.push_back(*gupbench::parse_memory_kind(k));
	for (const auto &size : b.sizes)
		m.sizes.push_back(size == "auto" ? 0 : parse_size(size)); // auto: compare only
	for (const auto &n : b.pages_per_call)
		m.pages_per_call.push_back(n == "all" ? 0 : static_cast<unsigned>(std::stoul(n)));
	if (b.access == "read" || b.access == "both")
		m.writes.push_back(false);
	if (b.access == "write" || b.access == "both")
		m.writes.push_back(true);
	m.threads = b.threads;
	m.disjoint.clear();
	if (b.sharing == "shared" || b.sharing == "both")
		m.disjoint.push_back(false);
	if (b.sharing == "disjoint" || b.sharing == "both")
		m.disjoint.push_back(true);
	m.repeats = b.repeats;
	m.warmup = b.warmup;
	m.longterm = b.longterm;
	m.verify = b.verify;
	m.walk_time = b.walk_time;
	m.lock_once = b.lock_once;
	m.prefault = !b.no_prefault;
	return m;
}

int bench(gupbench::BenchDevice &device, const BenchOptions &b)
{
	gupbench::MatrixOptions matrix = matrix_of(b);
	matrix.kernel = device.info();
	auto cases = gupbench::expand(matrix);
	std::vector<gupbench::CaseOutcome> outcomes;
	bool mismatch = false;
	for (std::size_t i = 0; i < cases.size(); i++) {
		std::fprintf(stderr, "gupbench: [%zu/%zu] %s\n", i + 1, cases.size(),
			     gupbench::case_id(cases[i]).c_str());
		outcomes.push_back(gupbench::run_case(device, cases[i], matrix));
		mismatch |= outcomes.back().figures.verdict == "mismatch";
	}
	auto json = gupbench::bench_json(gupbench::environment_json(), matrix, outcomes);
	if (!b.output_dir.empty()) {
		std::ofstream(b.output_dir + "/bench.json") << json.dump(2) << "\n";
		std::ofstream(b.output_dir + "/bench.csv") << gupbench::bench_csv(outcomes);
	}
	if (b.json)
		std::cout << json.dump(2) << "\n";
	else if (b.csv)
		std::cout << gupbench::bench_csv(outcomes);
	else
		std::cout << gupbench::bench_table(outcomes);
	return mismatch ? 3 : 0;
}

struct CompareCli {
	BenchOptions matrix;
	double tolerance_percent = 3;
	std::string gup_test_file = GUP_TEST_FILE_KERNEL;
};

int compare(gupbench::BenchDevice &device, const CompareCli &c)
{
	gupbench::CompareOptions options;
	options.matrix = matrix_of(c.matrix);
	options.kernel_file = c.gup_test_file;
	gupbench::KernelGupTest kernel(c.gup_test_file);
	auto cases = gupbench::comparable_cases(options);
	if (cases.empty()) {
		std::fprintf(stderr, "gupbench: no case of this matrix is one gup_test can walk\n");
		return 2;
	}
	std::vector<gupbench::ComparedCase> compared;
	for (std::size_t i = 0; i < cases.size(); i++) {
		std::fprintf(stderr, "gupbench: [%zu/%zu] %s\n", i + 1, cases.size(),
			     gupbench::case_id(cases[i]).c_str());
		compared.push_back(gupbench::compare_case(device, kernel, cases[i], options));
	}
	auto json = gupbench::compare_json(gupbench::environment_json(), options, compared);
	auto table = gupbench::compare_table(compared, c.tolerance_percent / 100);
	if (!c.matrix.output_dir.empty()) {
		std::ofstream(c.matrix.output_dir + "/compare.json") << json.dump(2) << "\n";
		std::ofstream(c.matrix.output_dir + "/compare.txt") << table;
	}
	if (c.matrix.json)
		std::cout << json.dump(2) << "\n";
	else
		std::cout << table;
	return 0;
}

// Runs a subcommand: what it returns, or 1 for a failed system call and 2 for anything
// else wrong, said on stderr after `prefix`.
template <typename Body>
int reporting_errors(const char *prefix, Body &&body)
{
	try {
		return body();
	} catch (const gupbench::SystemError &error) {
		std::fprintf(stderr, "%s%s\n", prefix, error.what());
		return 1;
	} catch (const std::exception &error) {
		std::fprintf(stderr, "%s%s\n", prefix, error.what());
		return 2;
	}
}

} // namespace

int main(int argc, char **argv)
{
	CLI::App app{ "gupbench: measure and test the kernel's get_user_pages paths\n" };
	app.set_version_flag("--version", GUPBENCH_TOOL_VERSION);
	std::string device_path = GUPBENCH_BENCH_FILE;
	app.add_option("--device", device_path, "the module's debugfs file")->capture_default_str();
	app.require_subcommand(1);
	app.footer("Examples:\n"
		   "  gupbench info --json\n"
		   "  gupbench walk --walker pin_fast --memory thp --size 64M --pages-per-call 512 --verify\n"
		   "  gupbench walk --walker get --memory rofile --size 1M --write   # refused: read-only\n"
		   "  gupbench walk --walker pin_remote --memory anon --size 4M --json\n"
		   "  gupbench walk --walker pin_memfd --memory hugetlb_memfd --size 4M --verify\n"
		   "  gupbench bench                       # the default matrix, as a table\n"
		   "  gupbench bench --walkers get_fast,pin_fast --memory thp --pages-per-call 1,512 --json\n"
		   "  gupbench bench --access both --verify --output-dir /out   # also bench.json, bench.csv\n"
		   "  gupbench bench --walkers pin_fast --memory anon --threads 1,2,4 --sharing both\n"
		   "  gupbench compare                     # against /sys/kernel/debug/gup_test, interleaved\n"
		   "  gupbench compare --walkers pin --longterm --pages-per-call 1 --repeats 21\n"
		   "  gupbench diff a.json b.json          # on the host: what changed from kernel A to B\n"
		   "  gupbench diff --base a1.json a2.json --new b1.json b2.json --png diff.png");

	bool info_json = false;
	auto *info_cmd = app.add_subcommand("info", "show the module's ABI, kernel and page facts");
	info_cmd->add_flag("--json", info_json, "print JSON instead of text");

	WalkOptions o;
	auto *walk_cmd = app.add_subcommand("walk", "walk one range with one walker, repeatedly");
	walk_cmd->add_option("--walker", o.walker, "the GUP walker")
		->check(CLI::IsMember(gupbench::walker_names()))->capture_default_str();
	walk_cmd->add_option("--memory", o.memory, "what kind of memory to walk")
		->check(CLI::IsMember(gupbench::memory_kind_names()))->capture_default_str();
	walk_cmd->add_option("--size", o.size, "bytes to walk (K, M, G suffixes)")->capture_default_str();
	walk_cmd->add_option("--pages-per-call", o.pages_per_call, "pages asked of each GUP call")
		->capture_default_str();
	walk_cmd->add_option("--repeats", o.repeats, "walks of the range")->capture_default_str();
	walk_cmd->add_flag("--write", o.write, "FOLL_WRITE");
	walk_cmd->add_flag("--longterm", o.longterm, "FOLL_LONGTERM (pin walkers)");
	walk_cmd->add_flag("--force", o.force, "FOLL_FORCE (slow walkers)");
	walk_cmd->add_flag("--touch", o.touch, "FOLL_TOUCH (slow walkers)");
	walk_cmd->add_flag("--dirty", o.dirty, "release with the dirty-lock variant");
	walk_cmd->add_flag("--walk-time", o.walk_time,
			   "time the whole walk, not each call (no per-call histogram)");
	walk_cmd->add_flag("--lock-once", o.lock_once,
			   "get, pin: hold the mmap lock across the whole walk (as gup_test does)");
	walk_cmd->add_flag("--verify", o.verify, "check every page and /proc/vmstat with the ledger");
	walk_cmd->add_flag("--no-prefault", o.no_prefault, "let GUP fault the pages in");
	walk_cmd->add_flag("--json", o.json, "print JSON instead of text");

	BenchOptions b;
	auto *bench_cmd = app.add_subcommand(
		"bench", "run a matrix of cases: walkers x memory x access x size x pages per call");
	bench_cmd->add_option("--walkers", b.walkers, "comma-separated walkers")
		->delimiter(',')->check(CLI::IsMember(gupbench::walker_names()))->capture_default_str();
	bench_cmd->add_option("--memory", b.memories, "comma-separated memory kinds")
		->delimiter(',')->check(CLI::IsMember(gupbench::memory_kind_names()))->capture_default_str();
	bench_cmd->add_option("--sizes", b.sizes, "comma-separated sizes (K, M, G)")
		->delimiter(',')->capture_default_str();
	bench_cmd->add_option("--pages-per-call", b.pages_per_call, "comma-separated; 'all' = the whole range")
		->delimiter(',')->capture_default_str();
	bench_cmd->add_option("--access", b.access, "read, write or both")
		->check(CLI::IsMember({ "read", "write", "both" }))->capture_default_str();
	bench_cmd->add_option("--threads", b.threads, "comma-separated thread counts, each its own RUN")
		->delimiter(',')->check(CLI::Range(1u, 256u))->capture_default_str();
	bench_cmd->add_option("--sharing", b.sharing,
			      "threads on one buffer (shared, as gup_test -j), each on its own "
			      "(disjoint), or both")
		->check(CLI::IsMember({ "shared", "disjoint", "both" }))->capture_default_str();
	bench_cmd->add_option("--repeats", b.repeats, "measured walks per case")
		->check(CLI::Range(1u, 999u))->capture_default_str();
	bench_cmd->add_option("--warmup", b.warmup, "walks per case before measuring")
		->check(CLI::Range(0u, 100u))->capture_default_str();
	bench_cmd->add_flag("--longterm", b.longterm, "FOLL_LONGTERM (get walkers are skipped)");
	bench_cmd->add_flag("--verify", b.verify, "check every page with the ledger (costs time)");
	bench_cmd->add_flag("--walk-time", b.walk_time, "time whole walks, not each call");
	bench_cmd->add_flag("--lock-once", b.lock_once,
			    "get, pin: hold the mmap lock across the whole walk (as gup_test does)");
	bench_cmd->add_flag("--no-prefault", b.no_prefault, "let GUP fault the pages in (gup_test -z)");
	bench_cmd->add_flag("--json", b.json, "print JSON instead of the table");
	bench_cmd->add_flag("--csv", b.csv, "print CSV instead of the table");
	bench_cmd->add_option("--output-dir", b.output_dir, "also write bench.json and bench.csv there");

	CompareCli c;
	c.matrix.walkers = { "get_fast", "pin_fast", "get", "pin" };
	c.matrix.sizes = { "auto" };
	c.matrix.repeats = 11;
	c.matrix.warmup = 2;
	auto *compare_cmd = app.add_subcommand(
		"compare", "walk the same cases through the in-kernel gup_test and through gupbench, "
			   "interleaved, and compare their times");
	compare_cmd->add_option("--walkers", c.matrix.walkers, "comma-separated: those gup_test has")
		->delimiter(',')->check(CLI::IsMember({ "get_fast", "pin_fast", "get", "pin" }))
		->capture_default_str();
	compare_cmd->add_option("--memory", c.matrix.memories, "comma-separated memory kinds")
		->delimiter(',')->check(CLI::IsMember(gupbench::memory_kind_names()))->capture_default_str();
	compare_cmd->add_option("--sizes", c.matrix.sizes,
				"comma-separated sizes; auto: 64M, 512M of thp and hugetlb (gup_test "
				"counts whole microseconds: walks must be long)")
		->delimiter(',')->capture_default_str();
	compare_cmd->add_option("--pages-per-call", c.matrix.pages_per_call, "comma-separated; 'all'")
		->delimiter(',')->capture_default_str();
	compare_cmd->add_option("--access", c.matrix.access, "read, write or both")
		->check(CLI::IsMember({ "read", "write", "both" }))->capture_default_str();
	compare_cmd->add_option("--repeats", c.matrix.repeats, "measured rounds per case")
		->check(CLI::Range(1u, 999u))->capture_default_str();
	compare_cmd->add_option("--warmup", c.matrix.warmup, "rounds per case before measuring")
		->check(CLI::Range(0u, 100u))->capture_default_str();
	compare_cmd->add_flag("--longterm", c.matrix.longterm, "pin with FOLL_LONGTERM (PIN_LONGTERM_BENCHMARK)");
	compare_cmd->add_flag("--no-prefault", c.matrix.no_prefault, "let GUP fault the pages in");
	compare_cmd->add_option("--tolerance", c.tolerance_percent,
				"the summary counts cases at most this many percent slower than gup_test")
		->check(CLI::Range(0.0, 100.0))->capture_default_str();
	compare_cmd->add_option("--gup-test-file", c.gup_test_file, "the in-kernel gup_test file")
		->capture_default_str();
	compare_cmd->add_flag("--json", c.matrix.json, "print JSON instead of the table");
	compare_cmd->add_option("--output-dir", c.matrix.output_dir, "also write compare.json and compare.txt there");

	gupbench::ObserveOptions obs;
	std::string observe_size = "1M";
	auto *observe_cmd = app.add_subcommand(
		"observe", "set a kernel pin user up on memory (io_uring fixed buffers, O_DIRECT in flight, "
			   "process_vm_*, vmsplice into a pipe, iommufd maps) and report what it holds while it "
			   "holds it, and that all comes back");
	observe_cmd->add_option("--site", obs.sites, "comma-separated sites (default: all)")
		->delimiter(',')->check(CLI::IsMember(gupbench::observe_site_names()));
	std::vector<std::string> observe_memories = { "anon" };
	observe_cmd->add_option("--memory", observe_memories, "what kinds of memory, comma-separated")
		->delimiter(',')->check(CLI::IsMember(gupbench::memory_kind_names()))->capture_default_str();
	observe_cmd->add_option("--size", observe_size, "bytes (K, M, G suffixes; vmsplice: at most the pipe's 1M)")
		->capture_default_str();
	observe_cmd->add_flag("--write", obs.write,
			      "the site writes the memory (an O_DIRECT read into it, process_vm_writev); "
			      "pin_fast compared for writing");
	observe_cmd->add_flag("--json", obs.json, "print JSON instead of the table");

	gupbench::DiffOptions d;
	std::vector<std::string> diff_pair;
	double min_effect_percent = d.min_effect * 100;
	auto *diff_cmd = app.add_subcommand(
		"diff", "compare bench --json results of two kernels, case by case: ratio NEW/BASE of the "
			"median time per page, its 95% bootstrap interval, faster/slower/same (host side, no "
			"module needed)");
	diff_cmd->add_option("files", diff_pair, "BASE.json NEW.json")->expected(2);
	diff_cmd->add_option("--base", d.base_files, "base results, one file per boot")->expected(1, -1);
	diff_cmd->add_option("--new", d.new_files, "new results, one file per boot")->expected(1, -1);
	diff_cmd->add_option("--min-effect", min_effect_percent,
			     "a change of the median under this many percent is 'same'")
		->check(CLI::Range(0.0, 100.0))->capture_default_str();
	diff_cmd->add_option("--resamples", d.bootstrap.resamples, "bootstrap resamples")
		->check(CLI::Range(100u, 1000000u))->capture_default_str();
	diff_cmd->add_option("--seed", d.bootstrap.seed, "bootstrap seed (same seed, same output)")
		->capture_default_str();
	diff_cmd->add_flag("--json", d.json, "print JSON instead of the table");
	diff_cmd->add_option("--csv", d.csv_file, "also write the cases as CSV to this file");
	diff_cmd->add_option("--png", d.png_file, "also draw the ratios and intervals to this PNG (gnuplot)");

	CLI11_PARSE(app, argc, argv);
	if (diff_cmd->parsed()) {
		bool pair = !diff_pair.empty(), sides = !d.base_files.empty() || !d.new_files.empty();
		if (pair == sides || (sides && (d.base_files.empty() || d.new_files.empty()))) {
			std::fprintf(stderr, "gupbench: diff: give BASE.json NEW.json, or --base FILE... --new FILE...\n");
			return 2;
		}
		if (!diff_pair.empty()) {
			d.base_files = { diff_pair[0] };
			d.new_files = { diff_pair[1] };
		}
		d.min_effect = min_effect_percent / 100;
		try {
			return gupbench::run_diff(d);
		} catch (const std::exception &error) {
			std::fprintf(stderr, "gupbench: diff: %s\n", error.what());
			return 2;
		}
	}
	for (const auto &size : b.sizes)
		if (bench_cmd->parsed() && size == "auto") {
			std::fprintf(stderr, "gupbench: --sizes auto is for compare; bench needs sizes\n");
			return 2;
		}
	for (const auto &n : compare_cmd->parsed() ? c.matrix.pages_per_call : b.pages_per_call)
		if (n != "all" && (n.empty() || n.find_first_not_of("0123456789") != std::string::npos || n == "0")) {
			std::fprintf(stderr, "gupbench: --pages-per-call: '%s' is not a count > 0 or 'all'\n", n.c_str());
			return 2;
		}

	if (observe_cmd->parsed()) {
		return reporting_errors("gupbench: observe: ", [&] {
			for (const auto &kind : observe_memories)
				obs.memories.push_back(*gupbench::parse_memory_kind(kind));
			obs.size = parse_size(observe_size);
			obs.device_path = device_path;
			return gupbench::run_observe(obs);
		});
	}
	return reporting_errors("gupbench: ", [&] {
		gupbench::BenchDevice device(device_path);
		if (info_cmd->parsed()) {
			auto info = device.info();
			if (info_json)
				std::cout << gupbench::info_json(info).dump(2) << "\n";
			else
				std::cout << gupbench::info_text(info);
		} else if (walk_cmd->parsed()) {
			return walk(device, o);
		} else if (bench_cmd->parsed()) {
			return bench(device, b);
		} else if (compare_cmd->parsed()) {
			return compare(device, c);
		}
		return 0;
	});
}
