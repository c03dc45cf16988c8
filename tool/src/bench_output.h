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

nlohmann::json spread_json(const Spread &spread); // median, min, max
// What a case is: id, walker, memory, size, pages per call, access, threads, sharing.
nlohmann::json spec_json(const CaseSpec &spec);
nlohmann::json case_json(const CaseOutcome &outcome);
nlohmann::json bench_json(const nlohmann::json &environment, const MatrixOptions &options,
			  const std::vector<CaseOutcome> &outcomes);
std::string bench_csv(const std::vector<CaseOutcome> &outcomes);
std::string bench_table(const std::vector<CaseOutcome> &outcomes);

} // namespace gupbench
