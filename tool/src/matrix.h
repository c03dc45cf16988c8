// The benchmark matrix: the cases a `gupbench bench` run measures, and running one.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "bench_device.h"
#include "memory.h"
#include "target.h"
#include "stats.h"

namespace gupbench {

struct CaseSpec {
	unsigned walker = GUPBENCH_WALKER_PIN_FAST;
	MemoryKind memory = MemoryKind::anon;
	std::size_t size = 4u << 20;
	unsigned pages_per_call = 512; // 0: the whole range in one call
	bool write = false;
	// Threads walking at once, each its own RUN: all on one buffer (as gup_test -j does),
	// or each on its own buffer of `size` (disjoint: how the walk scales).
	unsigned threads = 1;
	bool disjoint = false;
};

// "pin_fast/thp/write/n512/4M", then "/x4-shared" or "/x4-disjoint" with threads:
// what a case is, in one word.
std::string case_id(const CaseSpec &spec);

struct MatrixOptions {
	std::vector<unsigned> walkers;
	std::vector<MemoryKind> memories;
	std::vector<std::size_t> sizes;
	std::vector<unsigned> pages_per_call; // 0 = all
	std::vector<bool> writes;
	std::vector<unsigned> threads = { 1 };
	std::vector<bool> disjoint = { false };
	// Per case: `warmup` walks not counted, then `repeats` measured.
	unsigned repeats = 5, warmup = 1;
	bool longterm = false, verify = false, walk_time = false, prefault = true;
	bool lock_once = false; // GUPBENCH_FLAG_LOCK_ONCE for the get and pin walkers
	// The module's INFO: a case whose walker or flags its kernel lacks is skipped.
	std::optional<gupbench_info> kernel;
};

// Every combination, in a stable order (walker, memory, write, size, pages per call,
// threads, sharing); one thread is one case whatever the sharing.
std::vector<CaseSpec> expand(const MatrixOptions &options);

struct CaseOutcome {
	CaseSpec spec;
	CaseFigures figures;                 // every thread's repeats together
	std::vector<CaseFigures> per_thread; // with more than one thread
	// Pages all threads took in a repeat over the slowest thread's get time (kernel
	// clock), over the repeats; with one thread, that thread's pages per second.
	Spread aggregate_pages_per_second;
	std::string note;  // why the case is not what it asked for, or why it was skipped
	bool skipped = false;
};

// Maps the memory, walks it warmup + repeats times (every thread at once, released together
// through a barrier each repeat), and sums up the measured repeats.
// A combination the module refuses (LONGTERM on a get walker, a write pin of a read-only
// file, a walker the kernel lacks) is a skipped case with the reason, not an error.
CaseOutcome run_case(const BenchDevice &device, const CaseSpec &spec, const MatrixOptions &options);

} // namespace gupbench
