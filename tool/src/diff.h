// `gupbench diff`: which cases changed between two sets of `gupbench bench --json` results
// (BASE, say kernel A, and NEW, kernel B), by how much, and how sure that is. Each side
// may be several files, one per guest boot, so that boot-to-boot variance counts.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bootstrap.h"

namespace gupbench {

struct DiffOptions {
	std::vector<std::string> base_files, new_files;
	double min_effect = 0.02;   // a change of the median smaller than this is `same`
	BootstrapOptions bootstrap; // each case draws from seed_for(seed, its key)
	bool json = false;
	std::string csv_file, png_file;
};

// One bench result as read: where from, and its JSON.
struct BenchFile {
	std::string name;
	nlohmann::json json;
};

// Checks that `json` is a bench result whose measured cases carry their per-repeat samples
// (get_ns_per_page_samples, put_ns_per_page_samples); throws std::runtime_error saying
// what is wrong otherwise.
BenchFile bench_file_of(const std::string &name, nlohmann::json json);
BenchFile read_bench_file(const std::string &path);

// What defines a case: the fields of bench's spec_json() but the id, which is made of
// them, and the run's options but repeats and warmup (longterm, verify, lock_once...
// change what a walk does).
nlohmann::json case_key(const nlohmann::json &file_options, const nlohmann::json &bench_case);

// One time, get or put, compared.
struct TimeDiff {
	RatioEstimate estimate;
	std::string verdict; // faster, slower or same; empty where nothing was compared
};

struct CaseDiff {
	nlohmann::json key;
	std::string label;   // bench's id, and any option that is not the same in every file
	std::string only_in; // "base" or "new": measured on that side only
	bool skipped = false; // skipped on both sides
	std::string note;
	std::size_t base_boots = 0, new_boots = 0, base_samples = 0, new_samples = 0;
	TimeDiff get, put;
};

// same: no interval (too few samples), the interval holds 1, or the ratio is within
// min_effect of 1; otherwise slower (ratio above 1) or faster.
std::string verdict_of(const RatioEstimate &estimate, double min_effect);

struct DiffResult {
	std::vector<CaseDiff> cases; // largest |log get ratio| first, then the uncompared
	std::vector<std::string> warnings; // environments that differ where they should not
};

// Matches the cases of every file by key, whatever their order in the files, and compares
// each case's get and put times.
DiffResult diff_files(const std::vector<BenchFile> &base, const std::vector<BenchFile> &next,
		      const DiffOptions &options);

nlohmann::json diff_json(const DiffResult &result, const std::vector<BenchFile> &base,
			 const std::vector<BenchFile> &next, const DiffOptions &options);
std::string diff_table(const DiffResult &result, const std::vector<BenchFile> &base,
		       const std::vector<BenchFile> &next, const DiffOptions &options);
std::string diff_csv(const DiffResult &result);

// The PNG: a row per compared case, its get and put ratios with their intervals on a log
// axis, a line at 1 and the band of `same` around it. The data, then gnuplot's script.
std::string diff_plot_data(const DiffResult &result);
std::string diff_gnuplot(const DiffResult &result, const std::string &data_file, const std::string &png_file,
			 double min_effect);

// `gupbench diff` itself: reads, compares, prints, writes the CSV and PNG asked for.
int run_diff(const DiffOptions &options);

} // namespace gupbench
