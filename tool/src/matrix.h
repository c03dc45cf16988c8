// The benchmark matrix: the cases a `gupbench bench` run measures, and running one.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "bench_device.h"
#include "memory.h"
#include "stats.h"

namespace gupbench {

struct CaseSpec {
	unsigned walker = GUPBENCH_WALKER_PIN_FAST;
	MemoryKind memory = MemoryKind::anon;
	std::size_t size = 4u << 20;
	unsigned pages_per_call = 512; // 0: the whole range in one call
	bool write = false;
};

// "pin_fast/thp/write/n512/4M": what a case is, in one word.
std::string case_id(const CaseSpec &spec);

struct MatrixOptions {
	std::vector<unsigned> walkers;
	std::vector<MemoryKind> memories;
	std::vector<std::size_t> sizes;
	std::vector<unsigned> pages_per_call; // 0 = all
	std::vector<bool> writes;
	// Per case: `warmup` walks not counted, then `repeats` measured.
	unsigned repeats = 5, warmup = 1;
	bool longterm = false, verify = false, walk_time = false, prefault = true;
};

// Every combination, in a stable order (walker, memory, write, size, pages per call).
std::vector<CaseSpec> expand(const MatrixOptions &options);

struct CaseOutcome {
	CaseSpec spec;
	CaseFigures figures;
	std::string note;  // why the case is not what it asked for, or why it was skipped
	bool skipped = false;
};

// Maps the memory, walks it warmup + repeats times, and sums up the measured repeats.
// A combination the module refuses (LONGTERM on a get walker, a write pin of a read-only
// file) is a skipped case with the reason, not an error.
CaseOutcome run_case(const BenchDevice &device, const CaseSpec &spec, const MatrixOptions &options);

} // namespace gupbench
