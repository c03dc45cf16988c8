#include "diff.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <spawn.h>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_output.h"
#include "table.h"

extern char **environ;

namespace gupbench {
namespace {

const char *const samples_fields[] = { "get_ns_per_page_samples", "put_ns_per_page_samples" };

// Options that say how long a case was measured, not what it walks.
bool defines_a_case(const std::string &option)
{
	return option != "repeats" && option != "warmup";
}

// Hand-made or older files may leave parts out or null: read them forgivingly.
nlohmann::json object_at(const nlohmann::json &j, const char *name)
{
	auto it = j.find(name);
	return it != j.end() && it->is_object() ? *it : nlohmann::json::object();
}

nlohmann::json member(const nlohmann::json &object, const std::string &name)
{
	auto it = object.find(name);
	return it != object.end() ? *it : nlohmann::json();
}

std::string text_at(const nlohmann::json &object, const char *name, const char *otherwise = "")
{
	auto it = object.find(name);
	return it != object.end() && it->is_string() ? it->get<std::string>() : otherwise;
}

bool skipped(const nlohmann::json &bench_case)
{
	auto it = bench_case.find("skipped");
	return it != bench_case.end() && it->is_boolean() && it->get<bool>();
}

// The names of bench's spec fields but the id, which is made of the others.
std::vector<std::string> spec_fields()
{
	const nlohmann::json spec = spec_json(CaseSpec{});
	std::vector<std::string> names;
	for (const auto &[name, value] : spec.items())
		if (name != "id")
			names.push_back(name);
	return names;
}

std::runtime_error refusal(const std::string &file, const std::string &why)
{
	return std::runtime_error(concat({ file, ": ", why }));
}

// One side's view of a case: a boot per file entry that measured it.
struct Side {
	std::vector<std::vector<double>> get, put;
	std::size_t entries = 0; // measured or skipped
	std::string skip_note;
	std::set<std::string> files;
};

std::vector<double> numbers(const nlohmann::json &list)
{
	std::vector<double> values;
	for (const auto &v : list)
		values.push_back(v.get<double>());
	return values;
}

std::size_t samples_in(const Side &side)
{
	std::size_t n = 0;
	for (const auto &boot : side.get)
		n += boot.size();
	return n;
}

// "longterm=true" for each option whose value is not the same in every file.
std::string varying_options(const nlohmann::json &key, const std::set<std::string> &varying)
{
	std::string text;
	for (const auto &name : varying)
		if (key.contains(name))
			text = concat({ text, text.empty() ? "" : " ", name, "=", key[name].dump() });
	return text;
}

std::set<std::string> options_that_vary(const std::vector<const BenchFile *> &files)
{
	std::set<std::string> names, varying;
	for (const auto *f : files) {
		const nlohmann::json options = object_at(f->json, "options");
		for (const auto &[name, value] : options.items())
			if (defines_a_case(name))
				names.insert(name);
	}
	for (const auto &name : names) {
		const nlohmann::json first = member(object_at(files.front()->json, "options"), name);
		for (const auto *f : files)
			if (member(object_at(f->json, "options"), name) != first)
				varying.insert(name);
	}
	return varying;
}

// Environment facts that should match across boots and kernels, for the ratio to be about
// the kernels; kernel_release may differ between the sides, not within one.
std::vector<std::string> environment_warnings(const std::vector<BenchFile> &base, const std::vector<BenchFile> &next)
{
	std::vector<std::string> warnings;
	std::vector<const BenchFile *> all;
	for (const auto *side : { &base, &next })
		for (const auto &f : *side)
			all.push_back(&f);
	auto fact = [](const BenchFile &f, const std::string &name) {
		return member(object_at(f.json, "environment"), name).dump();
	};
	for (const std::string name : { "accelerator", "flavor", "machine", "cpus", "memory_bytes", "page_size" }) {
		std::set<std::string> seen;
		for (const auto *f : all)
			seen.insert(fact(*f, name));
		if (seen.size() > 1)
			warnings.push_back(concat({ "the files differ in environment.", name, " (",
						   std::to_string(seen.size()), " values): the ratios mix that in" }));
	}
	if (!base.empty() && !next.empty() && (base.size() < 2 || next.size() < 2))
		warnings.push_back("one file (boot) on a side: the intervals leave out boot-to-boot variance, which "
				   "then reads as a kernel difference; give each side several boots with --base and --new");
	for (const auto &[side, files] : { std::pair{ "base", &base }, std::pair{ "new", &next } }) {
		std::set<std::string> seen;
		for (const auto &f : *files)
			seen.insert(fact(f, "kernel_release"));
		if (seen.size() > 1)
			warnings.push_back(concat({ "the ", side, " files ran on ", std::to_string(seen.size()),
						   " different kernel releases" }));
	}
	return warnings;
}

double effect(const CaseDiff &c)
{
	double r = c.get.estimate.ratio;
	return std::isfinite(r) && r > 0 ? std::fabs(std::log(r)) : -1;
}

std::string csv_field(const nlohmann::json &value)
{
	if (value.is_null())
		return "";
	if (value.is_boolean())
		return value.get<bool>() ? "1" : "0";
	if (value.is_string())
		return value.get<std::string>();
	return value.dump();
}

std::string csv_quoted(const std::string &text)
{
	std::string quoted = "\"";
	for (char c : text)
		quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
	return quoted + "\"";
}

std::string csv_number(double value)
{
	return std::isfinite(value) ? fixed(value, 6) : std::string();
}

// The key's fields in one order for every row: the spec's, then the options'.
std::vector<std::string> key_fields(const DiffResult &result)
{
	std::vector<std::string> fields = spec_fields();
	std::set<std::string> options;
	for (const auto &c : result.cases)
		for (const auto &[name, value] : c.key.items())
			if (std::find(fields.begin(), fields.end(), name) == fields.end())
				options.insert(name);
	fields.insert(fields.end(), options.begin(), options.end());
	return fields;
}

std::string side_summary(const char *side, const std::vector<BenchFile> &files)
{
	std::set<std::string> releases;
	for (const auto &f : files)
		releases.insert(text_at(object_at(f.json, "environment"), "kernel_release", "?"));
	std::string kernels;
	for (const auto &r : releases)
		kernels = concat({ kernels, kernels.empty() ? "" : ", ", r });
	return concat({ side, ": ", std::to_string(files.size()), files.size() == 1 ? " file" : " files",
			" (kernel ", kernels, ")\n" });
}

std::string percent_change(double ratio)
{
	if (!std::isfinite(ratio))
		return "-";
	return concat({ ratio >= 1 ? "+" : "", fixed((ratio - 1) * 100, 1), "%" });
}

int verdict_color(const std::string &verdict)
{
	if (verdict == "slower")
		return 0xd62728;
	if (verdict == "faster")
		return 0x2ca02c;
	return 0x7f7f7f;
}

// Tics a log axis of ratios near 1 can be read by: gnuplot's own are decades only.
std::string ratio_tics(double low, double high)
{
	std::string tics;
	for (double t : { 0.1, 0.2, 0.3, 0.5, 0.67, 0.8, 0.9, 0.95, 0.98, 1.0, 1.02, 1.05, 1.1, 1.25, 1.5, 2.0, 3.0, 5.0, 10.0 })
		if (t >= low && t <= high)
			tics = concat({ tics, tics.empty() ? "" : ", ", fixed(t, 2) });
	return tics;
}

void run_gnuplot(const std::string &script_file)
{
	const char *argv[] = { "gnuplot", script_file.c_str(), nullptr };
	pid_t pid;
	if (posix_spawnp(&pid, "gnuplot", nullptr, nullptr, const_cast<char **>(argv), environ) != 0)
		throw std::runtime_error("--png: gnuplot is missing (run scripts/deps)");
	int status = 0;
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		throw std::runtime_error("--png: gnuplot failed");
}

void write_png(const DiffResult &result, const DiffOptions &options)
{
	char dir[] = "/tmp/gupbench-diff.XXXXXX";
	if (!mkdtemp(dir))
		throw std::runtime_error("--png: no temporary directory");
	const std::string data = concat({ dir, "/diff.dat" }), script = concat({ dir, "/diff.gp" });
	std::ofstream(data) << diff_plot_data(result);
	std::ofstream(script) << diff_gnuplot(result, data, options.png_file, options.min_effect);
	try {
		run_gnuplot(script);
	} catch (...) {
		std::remove(data.c_str());
		std::remove(script.c_str());
		rmdir(dir);
		throw;
	}
	std::remove(data.c_str());
	std::remove(script.c_str());
	rmdir(dir);
}

} // namespace

BenchFile bench_file_of(const std::string &name, nlohmann::json json)
{
	if (!json.is_object() || !json.contains("cases") || !json["cases"].is_array())
		throw refusal(name, "not a `gupbench bench --json` result (no \"cases\" list)");
	for (const auto &c : json["cases"]) {
		if (!c.is_object())
			throw refusal(name, "a case that is not a JSON object");
		if (skipped(c))
			continue;
		std::string id = text_at(c, "id", "?");
		for (const char *field : samples_fields) {
			if (!c.contains(field))
				throw refusal(name, concat({ "case ", id, " has no per-repeat samples (", field,
							     "): it was written by a gupbench without them; run "
							     "`gupbench bench` again with this one" }));
			if (!c[field].is_array() ||
			    !std::all_of(c[field].begin(), c[field].end(), [](const auto &v) { return v.is_number(); }))
				throw refusal(name, concat({ "case ", id, ": ", field, " is not a list of numbers" }));
		}
	}
	return { name, std::move(json) };
}

BenchFile read_bench_file(const std::string &path)
{
	std::ifstream in(path);
	if (!in)
		throw refusal(path, "cannot be read");
	nlohmann::json json;
	try {
		json = nlohmann::json::parse(in);
	} catch (const nlohmann::json::parse_error &error) {
		throw refusal(path, concat({ "not JSON (", error.what(), ")" }));
	}
	return bench_file_of(path, std::move(json));
}

nlohmann::json case_key(const nlohmann::json &file_options, const nlohmann::json &bench_case)
{
	nlohmann::json key = nlohmann::json::object();
	for (const auto &name : spec_fields())
		key[name] = member(bench_case, name);
	if (file_options.is_object())
		for (const auto &[name, value] : file_options.items())
			if (defines_a_case(name))
				key[name] = value;
	return key;
}

// How diff's intervals are made (bootstrap.h: compare_sides).
const char *const interval_method =
	"with 2+ boots on each side, a Welch t interval of the ratio of the geometric means of the "
	"boots' median ns per page (each boot one observation); with one boot on a side, a percentile "
	"bootstrap of the ratio of the medians of the per-repeat ns per page";

std::string verdict_of(const RatioEstimate &e, double min_effect)
{
	if (e.insufficient || !e.interval.defined() || !std::isfinite(e.ratio))
		return "same";
	if (e.interval.low <= 1 && 1 <= e.interval.high)
		return "same";
	if (std::fabs(e.ratio - 1) < min_effect)
		return "same";
	return e.ratio > 1 ? "slower" : "faster";
}

DiffResult diff_files(const std::vector<BenchFile> &base, const std::vector<BenchFile> &next, const DiffOptions &options)
{
	// Keys in the order first seen, so that ties sort the same way every run.
	std::vector<std::string> order;
	std::map<std::string, std::pair<Side, Side>> sides;
	std::map<std::string, std::pair<nlohmann::json, std::string>> keys; // key, bench's id
	std::vector<const BenchFile *> all;
	auto collect = [&](const std::vector<BenchFile> &files, bool is_base) {
		for (const auto &f : files) {
			all.push_back(&f);
			const nlohmann::json options_json = object_at(f.json, "options");
			for (const auto &c : f.json["cases"]) {
				nlohmann::json key = case_key(options_json, c);
				std::string text = key.dump();
				if (!sides.count(text)) {
					order.push_back(text);
					keys[text] = { key, text_at(c, "id", "?") };
				}
				Side &side = is_base ? sides[text].first : sides[text].second;
				side.entries++;
				side.files.insert(f.name);
				if (skipped(c)) {
					if (side.skip_note.empty())
						side.skip_note = text_at(c, "note");
					continue;
				}
				side.get.push_back(numbers(c[samples_fields[0]]));
				side.put.push_back(numbers(c[samples_fields[1]]));
			}
		}
	};
	collect(base, true);
	collect(next, false);

	DiffResult result;
	result.warnings = environment_warnings(base, next);
	const std::set<std::string> varying = all.empty() ? std::set<std::string>() : options_that_vary(all);
	for (const auto &text : order) {
		const auto &[b, n] = sides[text];
		CaseDiff c;
		c.key = keys[text].first;
		c.label = keys[text].second;
		if (std::string extra = varying_options(c.key, varying); !extra.empty())
			c.label = concat({ c.label, " ", extra });
		c.base_boots = b.get.size();
		c.new_boots = n.get.size();
		c.base_samples = samples_in(b);
		c.new_samples = samples_in(n);
		auto absent = [](const Side &s, const char *side) {
			if (s.entries == 0)
				return concat({ "not in the ", side, " files" });
			return concat({ "skipped in the ", side, " files: ", s.skip_note });
		};
		if (b.get.empty() && n.get.empty()) {
			c.skipped = true;
			c.note = concat({ "skipped on both sides: ", b.entries ? b.skip_note : n.skip_note });
		} else if (b.get.empty()) {
			c.only_in = "new";
			c.note = absent(b, "base");
		} else if (n.get.empty()) {
			c.only_in = "base";
			c.note = absent(n, "new");
		} else {
			BootstrapOptions get_options = options.bootstrap, put_options = options.bootstrap;
			get_options.seed = seed_for(options.bootstrap.seed, text);
			put_options.seed = seed_for(options.bootstrap.seed, text + "/put");
			c.get.estimate = compare_sides(b.get, n.get, get_options);
			c.put.estimate = compare_sides(b.put, n.put, put_options);
			c.get.verdict = verdict_of(c.get.estimate, options.min_effect);
			c.put.verdict = verdict_of(c.put.estimate, options.min_effect);
			std::vector<std::string> notes;
			if (!c.get.estimate.why.empty())
				notes.push_back(concat({ "get: ", c.get.estimate.why }));
			if (!c.put.estimate.why.empty())
				notes.push_back(concat({ "put: ", c.put.estimate.why }));
			if (b.entries < base.size() || n.entries < next.size())
				notes.push_back(concat({ "in ", std::to_string(b.files.size()), " of ", std::to_string(base.size()),
							 " base and ", std::to_string(n.files.size()), " of ",
							 std::to_string(next.size()), " new files" }));
			for (const auto &note : notes)
				c.note = concat({ c.note, c.note.empty() ? "" : "; ", note });
		}
		result.cases.push_back(std::move(c));
	}
	std::stable_sort(result.cases.begin(), result.cases.end(),
			 [](const CaseDiff &a, const CaseDiff &b) { return effect(a) > effect(b); });
	return result;
}

nlohmann::json diff_json(const DiffResult &result, const std::vector<BenchFile> &base,
			 const std::vector<BenchFile> &next, const DiffOptions &options)
{
	auto files = [](const std::vector<BenchFile> &side) {
		nlohmann::json list = nlohmann::json::array();
		for (const auto &f : side)
			list.push_back({ { "file", f.name },
					 { "environment", object_at(f.json, "environment") } });
		return list;
	};
	auto verdict = [](const TimeDiff &t) {
		return t.verdict.empty() ? nlohmann::json(nullptr) : nlohmann::json(t.verdict);
	};
	nlohmann::json cases = nlohmann::json::array();
	for (const auto &c : result.cases) {
		nlohmann::json j = c.key;
		const RatioEstimate &g = c.get.estimate, &p = c.put.estimate;
		bool compared = !c.get.verdict.empty();
		j.update({ { "id", c.label },
			   { "only_in", c.only_in.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.only_in) },
			   { "skipped", c.skipped },
			   { "verdict", verdict(c.get) },
			   { "ratio", number_or_null(g.ratio) },
			   { "ci_low", number_or_null(g.interval.low) },
			   { "ci_high", number_or_null(g.interval.high) },
			   { "insufficient", compared && g.insufficient },
			   { "base_median", compared ? number_or_null(g.base_median) : nullptr },
			   { "new_median", compared ? number_or_null(g.new_median) : nullptr },
			   { "put_verdict", verdict(c.put) },
			   { "put_ratio", number_or_null(p.ratio) },
			   { "put_ci_low", number_or_null(p.interval.low) },
			   { "put_ci_high", number_or_null(p.interval.high) },
			   { "put_insufficient", compared && p.insufficient },
			   { "put_base_median", compared ? number_or_null(p.base_median) : nullptr },
			   { "put_new_median", compared ? number_or_null(p.new_median) : nullptr },
			   { "base_boots", c.base_boots },
			   { "new_boots", c.new_boots },
			   { "base_samples", c.base_samples },
			   { "new_samples", c.new_samples },
			   { "note", c.note } });
		if (!compared) {
			j["ratio"] = j["put_ratio"] = nullptr;
		}
		cases.push_back(j);
	}
	nlohmann::json statistic = interval_json(interval_method, options.bootstrap);
	statistic["min_effect"] = options.min_effect;
	statistic["min_samples"] = min_samples_for_interval;
	statistic["same_when"] = "no interval, the interval holds 1, or |ratio - 1| < min_effect";
	return { { "statistic", statistic },
		 { "base", files(base) },
		 { "new", files(next) },
		 { "warnings", result.warnings },
		 { "cases", cases } };
}

std::string diff_table(const DiffResult &result, const std::vector<BenchFile> &base,
		       const std::vector<BenchFile> &next, const DiffOptions &options)
{
	std::vector<std::vector<std::string>> rows = { { "case", "get new/base", "change", "95% CI", "verdict",
							 "put new/base", "95% CI", "verdict", "samples", "boots",
							 "note" } };
	std::map<std::string, unsigned> counts;
	for (const auto &c : result.cases) {
		std::string samples = concat({ std::to_string(c.base_samples), "/", std::to_string(c.new_samples) });
		std::string boots = concat({ std::to_string(c.base_boots), "/", std::to_string(c.new_boots) });
		if (c.get.verdict.empty()) {
			std::string what = c.skipped ? "skipped" : concat({ "only in ", c.only_in });
			counts[what]++;
			rows.push_back({ c.label, "-", "", "", what, "-", "", "", samples, boots, c.note });
			continue;
		}
		const RatioEstimate &g = c.get.estimate, &p = c.put.estimate;
		std::string verdict = c.get.verdict;
		if (g.insufficient)
			verdict = "same (insufficient)";
		counts[verdict]++;
		rows.push_back({ c.label, std::isfinite(g.ratio) ? fixed(g.ratio, 3) : "-", percent_change(g.ratio),
				 interval_text(g.interval, 3), verdict, std::isfinite(p.ratio) ? fixed(p.ratio, 3) : "-",
				 interval_text(p.interval, 3), c.put.verdict, samples, boots, c.note });
	}
	std::string summary;
	for (const auto &[what, n] : counts)
		summary = concat({ summary, summary.empty() ? "" : ", ", std::to_string(n), " ", what });
	std::string out = concat({ side_summary("base", base), side_summary("new", next) });
	for (const auto &w : result.warnings)
		out = concat({ out, "warning: ", w, "\n" });
	return concat({ out, aligned_table(rows), "get time per page: ", summary.empty() ? "no cases" : summary, "\n",
			"intervals: ", fixed(options.bootstrap.confidence * 100, 0),
			"%: ", interval_method, " (bootstrap: ", std::to_string(options.bootstrap.resamples),
			" resamples, seed ", std::to_string(options.bootstrap.seed),
			"); same: the interval holds 1 or the change is under ", fixed(options.min_effect * 100, 1),
			"%\n" });
}

std::string diff_csv(const DiffResult &result)
{
	const std::vector<std::string> fields = key_fields(result);
	std::ostringstream out;
	out << "id";
	for (const auto &f : fields)
		out << ',' << f;
	out << ",only_in,skipped,verdict,ratio,ci_low,ci_high,insufficient,base_median,new_median,"
	       "put_verdict,put_ratio,put_ci_low,put_ci_high,put_insufficient,put_base_median,put_new_median,"
	       "base_boots,new_boots,base_samples,new_samples,note\n";
	for (const auto &c : result.cases) {
		const RatioEstimate &g = c.get.estimate, &p = c.put.estimate;
		bool compared = !c.get.verdict.empty();
		out << c.label;
		for (const auto &f : fields)
			out << ',' << csv_field(member(c.key, f));
		out << ',' << c.only_in << ',' << c.skipped << ',' << c.get.verdict << ','
		    << (compared ? csv_number(g.ratio) : "") << ',' << csv_number(g.interval.low) << ','
		    << csv_number(g.interval.high) << ',' << (compared && g.insufficient) << ','
		    << (compared ? csv_number(g.base_median) : "") << ',' << (compared ? csv_number(g.new_median) : "")
		    << ',' << c.put.verdict << ',' << (compared ? csv_number(p.ratio) : "") << ','
		    << csv_number(p.interval.low) << ',' << csv_number(p.interval.high) << ','
		    << (compared && p.insufficient) << ',' << (compared ? csv_number(p.base_median) : "") << ','
		    << (compared ? csv_number(p.new_median) : "") << ',' << c.base_boots << ',' << c.new_boots << ','
		    << c.base_samples << ',' << c.new_samples << ',' << csv_quoted(c.note) << '\n';
	}
	return out.str();
}

std::string diff_plot_data(const DiffResult &result)
{
	// row, "label", then ratio, low, high, colour for get and for put; a case without an
	// interval is drawn as a point (low = high = ratio).
	std::ostringstream out;
	unsigned row = 0;
	auto triple = [](const TimeDiff &t) {
		const RatioEstimate &e = t.estimate;
		double r = std::isfinite(e.ratio) && e.ratio > 0 ? e.ratio : NAN;
		bool interval = e.interval.defined() && std::isfinite(e.interval.high) && e.interval.low > 0;
		auto number = [](double v) { return std::isfinite(v) ? fixed(v, 6) : std::string("NaN"); };
		return concat({ number(r), " ", number(interval ? e.interval.low : r), " ",
				number(interval ? e.interval.high : r), " ", std::to_string(verdict_color(t.verdict)) });
	};
	for (const auto &c : result.cases) {
		if (c.get.verdict.empty())
			continue;
		std::string label = c.label;
		std::replace(label.begin(), label.end(), '"', '\'');
		out << row++ << " \"" << label << "\" " << triple(c.get) << ' ' << triple(c.put) << '\n';
	}
	return out.str();
}

std::string diff_gnuplot(const DiffResult &result, const std::string &data_file, const std::string &png_file,
			 double min_effect)
{
	unsigned rows = 0;
	double low = 1 - min_effect, high = 1 + min_effect;
	for (const auto &c : result.cases) {
		if (c.get.verdict.empty())
			continue;
		rows++;
		for (const auto *t : { &c.get, &c.put }) {
			const RatioEstimate &e = t->estimate;
			for (double v : { e.ratio, e.interval.low, e.interval.high })
				if (std::isfinite(v) && v > 0) {
					low = std::min(low, v);
					high = std::max(high, v);
				}
		}
	}
	std::ostringstream gp;
	gp << "set terminal pngcairo size 1600," << 160 + 22 * std::max(rows, 1u) << " font ',10'\n"
	   << "set output '" << png_file << "'\n"
	   << "set termoption noenhanced\n"
	   << "set logscale x\n"
	   << "set xrange [" << fixed(low / 1.05, 4) << ":" << fixed(high * 1.05, 4) << "]\n"
	   << "set yrange [" << rows << "-0.5:-0.5]\n"
	   << "set xtics (" << ratio_tics(low / 1.05, high * 1.05) << ")\n"
	   << "set grid xtics\n"
	   << "set xlabel 'NEW / BASE, median ns per page (95% interval)'\n"
	   << "set object 1 rect from " << fixed(1 - min_effect, 4) << ", graph 0 to " << fixed(1 + min_effect, 4)
	   << ", graph 1 fillcolor rgb '#eeeeee' fillstyle solid noborder behind\n"
	   << "set arrow 1 from 1, graph 0 to 1, graph 1 nohead linecolor rgb 'black'\n"
	   << "set multiplot layout 1,2 title 'gupbench diff: red slower, green faster, grey same'\n";
	if (rows == 0)
		gp << "set title 'no case compared'\nplot 1/0 notitle\nplot 1/0 notitle\n";
	else
		for (const auto &[title, column] : { std::pair{ "get", 3 }, std::pair{ "put", 7 } })
			gp << "set title '" << title << " time'\n"
			   << "plot '" << data_file << "' using " << column << ":1:" << column + 1 << ":" << column + 2
			   << ":" << column + 3 << ":ytic(2) with xerrorbars pointtype 7 linecolor rgb variable notitle\n";
	gp << "unset multiplot\n";
	return gp.str();
}

int run_diff(const DiffOptions &options)
{
	std::vector<BenchFile> base, next;
	for (const auto &path : options.base_files)
		base.push_back(read_bench_file(path));
	for (const auto &path : options.new_files)
		next.push_back(read_bench_file(path));
	DiffResult result = diff_files(base, next, options);
	if (options.json)
		std::cout << diff_json(result, base, next, options).dump(2) << "\n";
	else
		std::cout << diff_table(result, base, next, options);
	if (!options.csv_file.empty()) {
		std::ofstream csv(options.csv_file);
		if (!(csv << diff_csv(result)))
			throw refusal(options.csv_file, "cannot be written");
	}
	if (!options.png_file.empty())
		write_png(result, options);
	for (const auto &w : result.warnings)
		if (options.json)
			std::fprintf(stderr, "gupbench: warning: %s\n", w.c_str());
	return 0;
}

} // namespace gupbench
