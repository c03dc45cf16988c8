#include "compare.h"

#include <cmath>
#include <time.h>
#include <unistd.h>

#include "bench_output.h"
#include "table.h"
#include "target.h"

namespace gupbench {
namespace {

constexpr unsigned foll_write = 0x01; // FOLL_WRITE, the same in every kernel

double now_us()
{
	timespec t{};
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

ArmFigures arm_of(const std::vector<double> &get_us, const std::vector<double> &put_us,
		  const std::vector<double> &wall_us, unsigned long long pages_done, int error)
{
	ArmFigures a;
	a.get_us = spread_of(get_us);
	a.put_us = spread_of(put_us);
	a.wall_us = spread_of(wall_us);
	a.pages_done = pages_done;
	a.error = error;
	return a;
}

// Times cut to whole microseconds, as the kernel's ktime_us_delta() cuts gup_test's.
gupbench_repeat truncated(gupbench_repeat r)
{
	r.get_ns -= r.get_ns % 1000;
	r.put_ns -= r.put_ns % 1000;
	return r;
}

// Sums of a batch's walks: times add, pages keep the smallest, the first failure stays.
void add_walk(gup_test &total, const gup_test &walk)
{
	total.get_delta_usec += walk.get_delta_usec;
	total.put_delta_usec += walk.put_delta_usec;
	total.size = std::min(total.size, walk.size);
}

void add_walk(gupbench_repeat &total, const gupbench_repeat &walk)
{
	total.get_ns += walk.get_ns;
	total.put_ns += walk.put_ns;
	total.pages_done = std::min(total.pages_done, walk.pages_done);
	if (!total.error)
		total.error = walk.error;
	total.verdict = std::max(total.verdict, walk.verdict);
}

// Walks per sample for samples of at least about 4 ms, from one walk's time.
unsigned batch_for(unsigned long long walk_us, unsigned current)
{
	unsigned long long want = (4000 + walk_us) / (walk_us + 1);
	return std::max<unsigned>(current, static_cast<unsigned>(std::min<unsigned long long>(want, 64)));
}

double ratio(double ours, double theirs)
{
	return theirs > 0 ? ours / theirs : 0;
}

// The interval of ours over theirs, the samples of one boot on each side.
Interval ratio_interval(const Spread &theirs, const Spread &ours)
{
	return ratio_of_medians({ theirs.samples }, { ours.samples }, median_interval_options()).interval;
}

nlohmann::json arm_json(const ArmFigures &a)
{
	return { { "get_us", spread_json(a.get_us) },
		 { "put_us", spread_json(a.put_us) },
		 { "wall_us", spread_json(a.wall_us) },
		 { "pages_done", a.pages_done },
		 { "error", a.error } };
}

} // namespace

KernelGupTest::KernelGupTest(const std::string &path)
	: file_(path, " (the running kernel has no CONFIG_GUP_TEST, or debugfs is not mounted)")
{
}

gup_test KernelGupTest::run(unsigned long command, gup_test request) const
{
	file_.ioctl(command, &request, "the gup_test ioctl");
	return request;
}

unsigned long gup_test_command(unsigned walker, bool longterm)
{
	switch (walker) {
	case GUPBENCH_WALKER_GET_FAST:
		return longterm ? 0 : GUP_TEST_GUP_FAST_BENCHMARK;
	case GUPBENCH_WALKER_PIN_FAST:
		return longterm ? 0 : GUP_TEST_PIN_FAST_BENCHMARK;
	case GUPBENCH_WALKER_GET:
		return longterm ? 0 : GUP_TEST_GUP_BASIC_TEST;
	case GUPBENCH_WALKER_PIN:
		return longterm ? GUP_TEST_PIN_LONGTERM_BENCHMARK : GUP_TEST_PIN_BASIC_TEST;
	}
	return 0;
}

std::size_t auto_compare_size(MemoryKind memory)
{
	bool huge = memory == MemoryKind::thp || memory == MemoryKind::hugetlb;
	return std::size_t(huge ? 512 : 64) << 20;
}

std::vector<CaseSpec> comparable_cases(const CompareOptions &o)
{
	MatrixOptions single = o.matrix;
	single.threads = { 1 };
	single.disjoint = { false };
	std::vector<CaseSpec> cases;
	for (CaseSpec spec : expand(single)) {
		if (!gup_test_command(spec.walker, o.matrix.longterm))
			continue;
		if (spec.size == 0)
			spec.size = auto_compare_size(spec.memory);
		cases.push_back(spec);
	}
	return cases;
}

ArmFigures arm_of_kernel(const std::vector<gup_test> &results, const std::vector<double> &wall_us,
			 unsigned long long page_size, unsigned walks_per_sample)
{
	std::vector<double> get, put;
	unsigned long long pages = results.empty() ? 0 : ~0ull;
	for (const auto &r : results) {
		get.push_back(double(r.get_delta_usec) / walks_per_sample);
		put.push_back(double(r.put_delta_usec) / walks_per_sample);
		pages = std::min(pages, r.size / page_size);
	}
	return arm_of(get, put, wall_us, pages, 0);
}

ArmFigures arm_of_ours(const std::vector<gupbench_repeat> &results, const std::vector<double> &wall_us,
		       unsigned walks_per_sample)
{
	std::vector<double> get, put;
	unsigned long long pages = results.empty() ? 0 : ~0ull;
	int error = 0;
	for (const auto &r : results) {
		// Whole microseconds, cut as the kernel's ktime_us_delta() cuts gup_test's.
		get.push_back(std::floor(r.get_ns / 1000.0) / walks_per_sample);
		put.push_back(std::floor(r.put_ns / 1000.0) / walks_per_sample);
		pages = std::min<unsigned long long>(pages, r.pages_done);
		if (r.error && !error)
			error = r.error;
	}
	return arm_of(get, put, wall_us, pages, error);
}

void compute_ratios(ComparedCase &c)
{
	c.get_ratio = ratio(c.ours.get_us.median, c.kernel.get_us.median);
	c.put_ratio = ratio(c.ours.put_us.median, c.kernel.put_us.median);
	c.each_call_ratio = ratio(c.ours_each_call.get_us.median, c.kernel.get_us.median);
	c.get_ratio_ci = ratio_interval(c.kernel.get_us, c.ours.get_us);
	c.put_ratio_ci = ratio_interval(c.kernel.put_us, c.ours.put_us);
	c.each_call_ratio_ci = ratio_interval(c.kernel.get_us, c.ours_each_call.get_us);
	c.verify_ns_per_page = c.ours.pages_done
				       ? (c.ours_verified.wall_us.median - c.ours.wall_us.median) * 1e3 /
						 c.ours.pages_done
				       : 0;
}

ComparedCase compare_case(const BenchDevice &ours, const KernelGupTest &kernel, const CaseSpec &spec,
			  const CompareOptions &o)
{
	ComparedCase c;
	c.spec = spec;
	const MatrixOptions &m = o.matrix;
	const std::size_t page = sysconf(_SC_PAGESIZE);
	const unsigned long long pages = spec.size / page;
	if (spec.write && spec.memory == MemoryKind::rofile) {
		c.skipped = true;
		c.note = "a write walk of a read-only mapping (refused with EFAULT)";
		return c;
	}
	if (spec.memory == MemoryKind::hugetlb)
		reserve_huge_pages(spec.size);
	WalkTarget target(spec.walker, spec.memory, spec.size, m.prefault);
	c.note = target.shortfall();
	const unsigned per_call = spec.pages_per_call ? spec.pages_per_call : static_cast<unsigned>(pages);

	gup_test theirs{};
	theirs.addr = target.addr();
	theirs.size = spec.size;
	theirs.nr_pages_per_call = per_call;
	theirs.gup_flags = spec.write ? foll_write : 0;
	const unsigned long command = gup_test_command(spec.walker, m.longterm);

	// gup_test holds the mmap lock across its slow walks, and times the whole walk.
	gupbench_run run{};
	run.walker = spec.walker;
	run.addr = target.addr();
	run.length = spec.size;
	run.pages_per_call = per_call;
	run.repeats = 1;
	run.flags = (spec.write ? GUPBENCH_FLAG_WRITE : 0) | (m.longterm ? GUPBENCH_FLAG_LONGTERM : 0) |
		    (spec.walker == GUPBENCH_WALKER_GET || spec.walker == GUPBENCH_WALKER_PIN
			     ? GUPBENCH_FLAG_LOCK_ONCE
			     : 0);
	gupbench_run each_call = run, verified = run;
	run.flags |= GUPBENCH_FLAG_WALK_TIME;
	verified.flags |= GUPBENCH_FLAG_WALK_TIME | GUPBENCH_FLAG_VERIFY;

	// A sample is `batch` walks in a row, each cut to whole microseconds, then summed:
	// a walk much shorter than a timer tick is either hit by one or not, which makes its
	// median jump; a sample of about 4 ms is hit about equally every time. The warm-up's
	// gup_test walks set the batch.
	unsigned batch = 1;
	std::vector<gup_test> kernel_results;
	std::vector<gupbench_repeat> ours_results, each_call_results, verified_results;
	std::vector<double> kernel_wall, ours_wall, each_call_wall, verified_wall;
	auto sample = [&batch](auto &&walk, std::vector<double> &wall, bool measured) {
		double t0 = now_us();
		auto total = walk();
		for (unsigned w = 1; w < batch; w++)
			add_walk(total, walk());
		if (measured)
			wall.push_back((now_us() - t0) / batch);
		return total;
	};
	for (unsigned i = 0; i < m.warmup + m.repeats; i++) {
		bool measured = i >= m.warmup;
		auto k = sample([&] { return kernel.run(command, theirs); }, kernel_wall, measured);
		auto a = sample([&] { return truncated(ours.run(run)[0]); }, ours_wall, measured);
		auto b = sample([&] { return truncated(ours.run(each_call)[0]); }, each_call_wall, measured);
		auto v = sample([&] { return truncated(ours.run(verified)[0]); }, verified_wall, measured);
		if (!measured) {
			batch = batch_for(k.get_delta_usec / batch, batch);
			continue;
		}
		kernel_results.push_back(k);
		ours_results.push_back(a);
		each_call_results.push_back(b);
		verified_results.push_back(v);
		if (v.verdict == GUPBENCH_VERDICT_MISMATCH && c.note.empty())
			c.note = "the ledger found a mismatch";
	}
	c.walks_per_sample = batch;
	c.kernel = arm_of_kernel(kernel_results, kernel_wall, page, batch);
	c.ours = arm_of_ours(ours_results, ours_wall, batch);
	c.ours_each_call = arm_of_ours(each_call_results, each_call_wall, batch);
	c.ours_verified = arm_of_ours(verified_results, verified_wall, batch);
	if (c.kernel.pages_done != c.ours.pages_done && c.note.empty())
		c.note = "gup_test covered " + std::to_string(c.kernel.pages_done) + " pages, gupbench " +
			 std::to_string(c.ours.pages_done);
	compute_ratios(c);
	return c;
}

nlohmann::json compare_json(const nlohmann::json &environment, const CompareOptions &o,
			    const std::vector<ComparedCase> &cases)
{
	nlohmann::json all = nlohmann::json::array();
	for (const auto &c : cases) {
		nlohmann::json j = spec_json(c.spec);
		j.update({ { "skipped", c.skipped }, { "note", c.note } });
		if (!c.skipped)
			j.update({ { "gup_test", arm_json(c.kernel) },
				   { "gupbench", arm_json(c.ours) },
				   { "gupbench_each_call", arm_json(c.ours_each_call) },
				   { "gupbench_verified", arm_json(c.ours_verified) },
				   { "get_ratio", c.get_ratio },
				   { "put_ratio", c.put_ratio },
				   { "each_call_ratio", c.each_call_ratio },
				   { "get_ratio_ci_low", number_or_null(c.get_ratio_ci.low) },
				   { "get_ratio_ci_high", number_or_null(c.get_ratio_ci.high) },
				   { "put_ratio_ci_low", number_or_null(c.put_ratio_ci.low) },
				   { "put_ratio_ci_high", number_or_null(c.put_ratio_ci.high) },
				   { "each_call_ratio_ci_low", number_or_null(c.each_call_ratio_ci.low) },
				   { "each_call_ratio_ci_high", number_or_null(c.each_call_ratio_ci.high) },
				   { "walks_per_sample", c.walks_per_sample },
				   { "verify_ns_per_page", c.verify_ns_per_page } });
		all.push_back(j);
	}
	return { { "environment", environment },
		 { "options",
		   { { "repeats", o.matrix.repeats },
		     { "warmup", o.matrix.warmup },
		     { "longterm", o.matrix.longterm },
		     { "prefault", o.matrix.prefault },
		     { "gup_test_file", o.kernel_file } } },
		 { "median_intervals", interval_json("percentile bootstrap of each median, and of each "
						     "ratio of medians, over the samples",
						     median_interval_options()) },
		 { "cases", all } };
}

std::string compare_table(const std::vector<ComparedCase> &cases, double tolerance)
{
	std::vector<std::vector<std::string>> rows = {
		{ "case", "walks", "gup_test get us", "95% CI", "(min..max)", "gupbench get us", "95% CI",
		  "(min..max)", "ratio", "95% CI", "put ratio", "each-call ratio", "verify ns/page", "note" }
	};
	std::size_t compared = 0, within = 0;
	const ComparedCase *slowest = nullptr, *fastest = nullptr;
	for (const auto &c : cases) {
		if (c.skipped) {
			rows.push_back({ case_id(c.spec), "-", "-", "", "", "-", "", "", "-", "", "-", "-", "-",
					 concat({ "skipped: ", c.note }) });
			continue;
		}
		auto range = [](const Spread &s) { return concat({ "(", fixed(s.min), "..", fixed(s.max), ")" }); };
		rows.push_back({ case_id(c.spec), std::to_string(c.walks_per_sample),
				 fixed(c.kernel.get_us.median), interval_text(c.kernel.get_us.median_ci),
				 range(c.kernel.get_us), fixed(c.ours.get_us.median),
				 interval_text(c.ours.get_us.median_ci), range(c.ours.get_us), fixed(c.get_ratio, 3),
				 interval_text(c.get_ratio_ci, 3),
				 fixed(c.put_ratio, 3), fixed(c.each_call_ratio, 3), fixed(c.verify_ns_per_page, 1),
				 c.note });
		compared++;
		if (c.get_ratio <= 1 + tolerance)
			within++;
		if (!slowest || c.get_ratio > slowest->get_ratio)
			slowest = &c;
		if (!fastest || c.get_ratio < fastest->get_ratio)
			fastest = &c;
	}
	// gupbench faster than gup_test costs nothing: the target is a ceiling.
	std::string summary = concat({ std::to_string(within), " of ", std::to_string(compared),
				       " cases take at most ", fixed(tolerance * 100, 0),
				       "% longer than gup_test (median get time)" });
	if (compared)
		summary = concat({ summary, "; ratios from ", fixed(fastest->get_ratio, 3), " (",
				   case_id(fastest->spec), ") to ", fixed(slowest->get_ratio, 3), " (",
				   case_id(slowest->spec), ")" });
	return concat({ aligned_table(rows), summary, "\n" });
}

} // namespace gupbench
