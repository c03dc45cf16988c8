#include "bench_output.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/utsname.h>
#include <unistd.h>

#include "table.h"
#include "walkers.h"

namespace gupbench {
namespace {

std::string first_word_of(const char *path)
{
	std::string word;
	std::ifstream(path) >> word;
	return word;
}

std::string accelerator()
{
	if (first_word_of("/sys/devices/system/clocksource/clocksource0/current_clocksource") == "kvm-clock")
		return "kvm";
	std::ifstream cpuinfo("/proc/cpuinfo");
	std::string line;
	while (std::getline(cpuinfo, line))
		if (line.rfind("flags", 0) == 0)
			return line.find(" hypervisor") != std::string::npos ? "tcg" : "none";
	return "unknown";
}

unsigned long long memory_bytes()
{
	std::ifstream meminfo("/proc/meminfo");
	std::string name;
	unsigned long long kib = 0;
	while (meminfo >> name >> kib)
		if (name == "MemTotal:")
			return kib * 1024;
	return 0;
}

// Two columns, low and high; empty where there is no interval.
std::string csv_interval(const Interval &interval)
{
	if (!interval.defined())
		return ",";
	return concat({ fixed(interval.low, 1), ",", fixed(interval.high, 1) });
}

// The table's throughput: all threads together when there are several.
double per_second(const CaseOutcome &o)
{
	return o.per_thread.empty() ? o.figures.pages_per_second : o.aggregate_pages_per_second.median;
}

} // namespace

nlohmann::json interval_json(const std::string &method, const BootstrapOptions &b)
{
	return { { "method", method },
		 { "confidence", b.confidence },
		 { "resamples", b.resamples },
		 { "seed", b.seed } };
}

nlohmann::json number_or_null(double value)
{
	return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
}

std::string interval_text(const Interval &interval, int decimals)
{
	if (!interval.defined())
		return "-";
	return concat({ "[", fixed(interval.low, decimals), "..", fixed(interval.high, decimals), "]" });
}

nlohmann::json spread_json(const Spread &s)
{
	return { { "median", s.median },
		 { "median_ci_low", number_or_null(s.median_ci.low) },
		 { "median_ci_high", number_or_null(s.median_ci.high) },
		 { "min", s.min },
		 { "max", s.max } };
}

nlohmann::json spec_json(const CaseSpec &spec)
{
	return { { "id", case_id(spec) },
		 { "walker", walker_name(spec.walker) },
		 { "memory", memory_kind_name(spec.memory) },
		 { "size", spec.size },
		 { "pages_per_call", spec.pages_per_call },
		 { "write", spec.write },
		 { "threads", spec.threads },
		 { "disjoint", spec.disjoint } };
}

nlohmann::json environment_json()
{
	struct utsname u {};
	uname(&u);
	const char *flavor = getenv("GUPBENCH_FLAVOR");
	return { { "kernel_release", u.release },
		 { "machine", u.machine },
		 { "flavor", flavor ? flavor : "unknown" },
		 { "accelerator", accelerator() },
		 { "cpus", sysconf(_SC_NPROCESSORS_ONLN) },
		 { "memory_bytes", memory_bytes() },
		 { "page_size", sysconf(_SC_PAGESIZE) } };
}

nlohmann::json case_json(const CaseOutcome &o)
{
	const CaseFigures &f = o.figures;
	nlohmann::json j = spec_json(o.spec);
	j.update({ { "skipped", o.skipped }, { "note", o.note } });
	if (o.skipped)
		return j;
	j.update({ { "repeats", f.repeats },
		   { "pages_asked", f.pages_asked },
		   { "pages_done", f.pages_done },
		   { "error", f.error },
		   { "error_name", error_name(f.error) },
		   { "error_offset", f.error_offset },
		   { "get_ns_per_page", spread_json(f.get_ns_per_page) },
		   { "put_ns_per_page", spread_json(f.put_ns_per_page) },
		   { "call_times", f.call_times },
		   { "call_p50_ns", f.call_p50_ns },
		   { "call_p99_ns", f.call_p99_ns },
		   { "call_max_ns", f.call_max_ns },
		   { "pages_per_second", f.pages_per_second },
		   { "aggregate_pages_per_second", spread_json(o.aggregate_pages_per_second) },
		   { "verdict", f.verdict },
		   { "get_ns_per_page_samples", f.get_ns_per_page.samples },
		   { "put_ns_per_page_samples", f.put_ns_per_page.samples } });
	if (!o.per_thread.empty()) {
		nlohmann::json threads = nlohmann::json::array();
		for (const auto &t : o.per_thread)
			threads.push_back({ { "pages_done", t.pages_done },
					    { "error", t.error },
					    { "get_ns_per_page", spread_json(t.get_ns_per_page) },
					    { "put_ns_per_page", spread_json(t.put_ns_per_page) },
					    { "pages_per_second", t.pages_per_second },
					    { "verdict", t.verdict } });
		j["per_thread"] = threads;
	}
	return j;
}

nlohmann::json bench_json(const nlohmann::json &environment, const MatrixOptions &o,
			  const std::vector<CaseOutcome> &outcomes)
{
	nlohmann::json cases = nlohmann::json::array();
	for (const auto &outcome : outcomes)
		cases.push_back(case_json(outcome));
	return { { "environment", environment },
		 { "options",
		   { { "repeats", o.repeats },
		     { "warmup", o.warmup },
		     { "longterm", o.longterm },
		     { "verify", o.verify },
		     { "walk_time", o.walk_time },
		     { "lock_once", o.lock_once },
		     { "prefault", o.prefault } } },
		 { "median_intervals", interval_json("percentile bootstrap of the median over the repeats",
						       median_interval_options()) },
		 { "cases", cases } };
}

std::string bench_csv(const std::vector<CaseOutcome> &outcomes)
{
	std::ostringstream out;
	out << "id,walker,memory,size,pages_per_call,write,threads,disjoint,skipped,repeats,"
	       "pages_asked,pages_done,"
	       "error,error_offset,get_ns_per_page_median,get_ns_per_page_min,get_ns_per_page_max,"
	       "put_ns_per_page_median,put_ns_per_page_min,put_ns_per_page_max,call_p50_ns,"
	       "call_p99_ns,call_max_ns,pages_per_second,aggregate_pages_per_second,verdict,note,"
	       "get_ns_per_page_median_ci_low,get_ns_per_page_median_ci_high,"
	       "put_ns_per_page_median_ci_low,put_ns_per_page_median_ci_high\n";
	for (const auto &o : outcomes) {
		const CaseFigures &f = o.figures;
		out << case_id(o.spec) << ',' << walker_name(o.spec.walker) << ','
		    << memory_kind_name(o.spec.memory) << ',' << o.spec.size << ',' << o.spec.pages_per_call
		    << ',' << o.spec.write << ',' << o.spec.threads << ',' << o.spec.disjoint << ','
		    << o.skipped << ',' << f.repeats << ',' << f.pages_asked
		    << ',' << f.pages_done << ',' << error_name(f.error) << ',' << f.error_offset << ','
		    << fixed(f.get_ns_per_page.median, 1) << ',' << fixed(f.get_ns_per_page.min, 1) << ','
		    << fixed(f.get_ns_per_page.max, 1) << ',' << fixed(f.put_ns_per_page.median, 1) << ','
		    << fixed(f.put_ns_per_page.min, 1) << ',' << fixed(f.put_ns_per_page.max, 1) << ','
		    << f.call_p50_ns << ',' << f.call_p99_ns << ',' << f.call_max_ns << ','
		    << fixed(f.pages_per_second) << ',' << fixed(o.aggregate_pages_per_second.median) << ','
		    << f.verdict << ",\"" << o.note << "\"," << csv_interval(f.get_ns_per_page.median_ci) << ','
		    << csv_interval(f.put_ns_per_page.median_ci) << '\n';
	}
	return out.str();
}

std::string bench_table(const std::vector<CaseOutcome> &outcomes)
{
	std::vector<std::vector<std::string>> rows = { { "case", "pages", "get ns/page", "95% CI",
							 "(min..max)", "put ns/page", "95% CI", "call p50",
							 "p99", "max ns", "Mpages/s", "ledger / note" } };
	for (const auto &o : outcomes) {
		const CaseFigures &f = o.figures;
		if (o.skipped) {
			rows.push_back({ case_id(o.spec), "-", "-", "", "", "-", "", "-", "-", "-", "-",
					 concat({ "skipped: ", o.note }) });
			continue;
		}
		std::string pages = std::to_string(f.pages_done);
		if (f.pages_done != f.pages_asked)
			pages = concat({ pages, "/", std::to_string(f.pages_asked) });
		std::string last = f.verdict;
		if (f.error)
			last = concat({ last, ", ", error_name(f.error), " at ", std::to_string(f.error_offset) });
		if (!o.note.empty())
			last = concat({ last, "; ", o.note });
		auto call = [&](unsigned long long ns) { return f.call_times ? std::to_string(ns) : "-"; };
		rows.push_back({ case_id(o.spec), pages, fixed(f.get_ns_per_page.median),
				 interval_text(f.get_ns_per_page.median_ci),
				 concat({ "(", fixed(f.get_ns_per_page.min), "..", fixed(f.get_ns_per_page.max), ")" }),
				 fixed(f.put_ns_per_page.median), interval_text(f.put_ns_per_page.median_ci),
				 call(f.call_p50_ns), call(f.call_p99_ns),
				 call(f.call_max_ns), fixed(per_second(o) / 1e6, 2), last });
		for (std::size_t t = 0; t < o.per_thread.size(); t++) {
			const CaseFigures &tf = o.per_thread[t];
			rows.push_back({ concat({ "  thread ", std::to_string(t) }), std::to_string(tf.pages_done),
					 fixed(tf.get_ns_per_page.median),
					 interval_text(tf.get_ns_per_page.median_ci),
					 concat({ "(", fixed(tf.get_ns_per_page.min), "..",
						  fixed(tf.get_ns_per_page.max), ")" }),
					 fixed(tf.put_ns_per_page.median),
					 interval_text(tf.put_ns_per_page.median_ci), "", "", "",
					 fixed(tf.pages_per_second / 1e6, 2), tf.verdict });
		}
	}
	return aligned_table(rows);
}

} // namespace gupbench
