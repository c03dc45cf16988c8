// `gupbench compare`: the same walks through the kernel's own gup_test file
// (/sys/kernel/debug/gup_test, CONFIG_GUP_TEST) and through gupbench, interleaved in one
// boot, so that what gupbench adds to a walk is measured, not guessed.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include <uapi/gupbench_gup_test.h>

#include "bench_device.h"
#include "matrix.h"
#include "stats.h"

namespace gupbench {

// The in-kernel gup_test file.
class KernelGupTest {
public:
	explicit KernelGupTest(const std::string &path = GUP_TEST_FILE_KERNEL);

	// One benchmark command; throws SystemError when refused.
	gup_test run(unsigned long command, gup_test request) const;

private:
	DeviceFile file_;
};

// The gup_test command that walks with `walker` (FOLL_LONGTERM: pin only), or 0 where
// gup_test has none (the *_fast_only, *_unlocked and remote walkers).
unsigned long gup_test_command(unsigned walker, bool longterm);

// The size `compare --sizes auto` walks: 64 MiB, or 512 MiB of THP or hugetlb, whose walks
// are a hundred times shorter and would otherwise last a few of gup_test's microseconds.
std::size_t auto_compare_size(MemoryKind memory);

struct CompareOptions {
	// walkers, memories, sizes (0: auto_compare_size), pages per call, access, repeats,
	// warm-up
	MatrixOptions matrix;
	std::string kernel_file = GUP_TEST_FILE_KERNEL;
};

// One way of walking a case, over the measured samples: times per walk in microseconds,
// the unit gup_test reports (ours are cut to whole microseconds the same way, so that both
// sides have the same resolution); wall is the ioctl as userspace sees it.
struct ArmFigures {
	Spread get_us, put_us, wall_us;
	unsigned long long pages_done = 0; // the smallest over the repeats
	int error = 0;                     // ours: the walk's errno; gup_test says nothing
};

struct ComparedCase {
	CaseSpec spec;
	bool skipped = false;
	std::string note;
	ArmFigures kernel;         // the in-kernel gup_test
	ArmFigures ours;           // RUN timed as gup_test times (whole walk), no verification
	ArmFigures ours_each_call; // RUN timing each call into the histogram, no verification
	ArmFigures ours_verified;  // RUN timed as gup_test times, with the ledger
	double get_ratio = 0;      // ours / kernel, median get time
	double put_ratio = 0;
	double each_call_ratio = 0;       // ours_each_call / kernel, median get time
	// Percentile bootstrap intervals of those ratios (median_interval_options())
	Interval get_ratio_ci, put_ratio_ci, each_call_ratio_ci;
	double verify_ns_per_page = 0;    // median wall time the ledger adds, per page
	unsigned walks_per_sample = 1;    // walks summed into each sample (short walks: many)
};

// The cases of `options.matrix` that gup_test can walk, in expand() order.
std::vector<CaseSpec> comparable_cases(const CompareOptions &options);

// Walks one mapping warmup + repeats rounds, each round a sample through gup_test, then
// ours, ours timing each call, ours verified (A B C D A B C D ...); a sample is one walk,
// or several when one is much shorter than a timer tick.
ComparedCase compare_case(const BenchDevice &ours, const KernelGupTest &kernel, const CaseSpec &spec,
			  const CompareOptions &options);

// Pure functions of the repeats, pinned down by host tests.
// A result may be the sum of `walks_per_sample` walks; the figures are per walk.
ArmFigures arm_of_kernel(const std::vector<gup_test> &results, const std::vector<double> &wall_us,
			 unsigned long long page_size, unsigned walks_per_sample = 1);
ArmFigures arm_of_ours(const std::vector<gupbench_repeat> &results, const std::vector<double> &wall_us,
		       unsigned walks_per_sample = 1);
void compute_ratios(ComparedCase &c);

nlohmann::json compare_json(const nlohmann::json &environment, const CompareOptions &options,
			    const std::vector<ComparedCase> &cases);
// The table, then a summary: how many cases take at most `tolerance` (0.03) longer than
// gup_test, and the lowest and highest ratios.
std::string compare_table(const std::vector<ComparedCase> &cases, double tolerance);

} // namespace gupbench
