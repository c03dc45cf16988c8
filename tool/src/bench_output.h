// A benchmark run's results: an aligned table for people, JSON and CSV with every figure
// and the environment they were measured in.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "matrix.h"

namespace gupbench {

// Kernel release, config flavor (GUPBENCH_FLAVOR, set by scripts/vm), accelerator
// (kvm-clock means KVM; a hypervisor without it, TCG), CPUs, memory.
nlohmann::json environment_json();

// median, median_ci_low, median_ci_high (null where there is no interval), min, max
nlohmann::json spread_json(const Spread &spread);
// How intervals were made: method, confidence, resamples, seed.
nlohmann::json interval_json(const std::string &method, const BootstrapOptions &options);
// A number, or null where it is NaN or infinite (JSON has neither).
nlohmann::json number_or_null(double value);
// "[low..high]" with `decimals`, or "-" where there is no interval.
std::string interval_text(const Interval &interval, int decimals = 0);
// What a case is: id, walker, memory, size, pages per call, access, threads, sharing.
nlohmann::json spec_json(const CaseSpec &spec);
// The case, its figures, and the per-repeat ns per page (get_ns_per_page_samples,
// put_ns_per_page_samples) that `gupbench diff` resamples.
nlohmann::json case_json(const CaseOutcome &outcome);
nlohmann::json bench_json(const nlohmann::json &environment, const MatrixOptions &options,
			  const std::vector<CaseOutcome> &outcomes);
std::string bench_csv(const std::vector<CaseOutcome> &outcomes);
std::string bench_table(const std::vector<CaseOutcome> &outcomes);

} // namespace gupbench
