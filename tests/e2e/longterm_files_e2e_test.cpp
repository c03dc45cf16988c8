// FOLL_LONGTERM pins of file-backed memory, which kernels refuse in some cases: fsdax
// always (EOPNOTSUPP, check_vma_flags()), and since 6.5 a long-term write pin of a shared
// file mapping whose file system tracks dirty pages (EFAULT: writable_file_mapping_allowed()
// and vma_needs_dirty_tracking() in mm/gup.c; the fast walker falls back to the slow one
// for it, gup_fast_folio_allowed()). What the kernel refuses must come back as the walk's
// errno with nothing held, never as a ledger mismatch; what it takes must be exact.
// The guest's file systems (tmpfs, hugetlbfs) need no dirty tracking, so on 6.1 and 6.12
// alike every pin here is taken but the write pin of a read-only mapping (EFAULT).
//
// What 6.12 does differently: a long-term read pin of page-cache pages in a private
// mapping that could be written (a COW mapping: MAP_PRIVATE of a file opened read-write)
// breaks COW first and pins private anonymous copies, so that the pin stays the page the
// process maps (gup_must_unshare() in mm/internal.h: 6.1 answers false for any page that
// is not anonymous; 6.12 answers true for FOLL_LONGTERM in a COW mapping, and, with no
// VMA to look at, always in the fast walker). The fast walker has pinned the first page
// of each call when it finds that out: it gives that pin back and the slow walker
// unshares and pins. vmstat sees one pin more acquired and released per call, the
// mapping gains anonymous memory, and the ledger (which counts what was held once the
// walk was over) stays exact.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/utsname.h>
#include <unistd.h>

#include "bench_device.h"
#include "guest_util.h"
#include "memory.h"
#include "requests.h"
#include "target.h"
#include "walk_cases.h"
#include "walkers.h"

using e2e::pins_moved_since;
using e2e::vmstat_pins;
using gupbench::MemoryKind;

namespace {

const unsigned long page_size = sysconf(_SC_PAGESIZE);
constexpr std::size_t length = 4u << 20;
constexpr unsigned per_call = 512;

// Linux major.minor of the running kernel, as 0x0601 for 6.1.
unsigned kernel_version()
{
	utsname u{};
	uname(&u);
	unsigned major = 0, minor = 0;
	sscanf(u.release, "%u.%u", &major, &minor);
	return major << 8 | minor;
}

using Case = e2e::WalkCase;
using e2e::case_name;

std::vector<Case> every_case()
{
	std::vector<Case> cases;
	for (auto walker : { GUPBENCH_WALKER_PIN_FAST, GUPBENCH_WALKER_PIN, GUPBENCH_WALKER_PIN_REMOTE })
		for (MemoryKind m : { MemoryKind::shared, MemoryKind::memfd, MemoryKind::tmpfs,
				      MemoryKind::rofile, MemoryKind::hugetlb })
			for (bool write : { false, true })
				cases.push_back({ walker, m, write });
	return cases;
}

class LongtermFiles : public ::testing::TestWithParam<Case> {
public:
	static void SetUpTestSuite() { gupbench::reserve_huge_pages(2 * length); }
};

TEST_P(LongtermFiles, AreTakenExactlyOrRefusedWithTheirErrno)
{
	const Case c = GetParam();
	E2E_SKIP_WITHOUT_WALKER(c.walker);
	gupbench::WalkTarget target(c.walker, c.memory, length, true);
	gupbench_run request = e2e::run_request(c.walker, target.addr(), length, per_call, nullptr);
	request.target_pid = target.pid();
	request.flags = GUPBENCH_FLAG_VERIFY | GUPBENCH_FLAG_LONGTERM | (c.write ? GUPBENCH_FLAG_WRITE : 0);
	auto before = vmstat_pins();
	gupbench_repeat r = gupbench::BenchDevice().run(request)[0];
	auto moved = pins_moved_since(before);

	// Whatever the kernel answered, the ledger judged what was taken, and nothing stays.
	EXPECT_NE(r.verdict, unsigned(GUPBENCH_VERDICT_MISMATCH))
		<< gupbench::mismatch_name(r.mismatch) << " at page " << r.mismatch_page
		<< " (walk errno " << -r.error << ")";
	EXPECT_EQ(moved.first, moved.second) << "pins left held";
	const bool refused = c.write && c.memory == MemoryKind::rofile;
	if (refused) {
		EXPECT_EQ(r.error, -EFAULT) << strerror(-r.error);
		EXPECT_EQ(r.pages_done, 0u);
		EXPECT_EQ(r.error_offset, 0u);
		return;
	}
	EXPECT_EQ(r.error, 0) << strerror(-r.error) << " at offset " << r.error_offset
			      << ": the guest's file systems need no dirty tracking";
	const long pages = length / page_size;
	EXPECT_EQ(r.pages_done, unsigned(pages));
	EXPECT_EQ(r.verdict, unsigned(GUPBENCH_VERDICT_EXACT));
	const bool read_pin_of_cow_file = !c.write && c.memory == MemoryKind::rofile;
	const unsigned version = kernel_version();
	if (!read_pin_of_cow_file || version <= 0x0601) {
		EXPECT_EQ(moved.first, pages);
	} else if (version >= 0x060c) {
		// 6.12 unshares (above): a pin taken and given back per fast call, and every
		// page of the mapping is now an anonymous copy.
		const long fast_calls = c.walker == GUPBENCH_WALKER_PIN_FAST ? pages / per_call : 0;
		EXPECT_EQ(moved.first, pages + fast_calls);
		EXPECT_EQ(gupbench::smaps_bytes(target.pid(), target.addr(), "Anonymous"), length);
	} else { // between 6.1 and 6.12: not run here; either behaviour
		EXPECT_GE(moved.first, pages);
	}
	if (read_pin_of_cow_file && version <= 0x0601) {
		EXPECT_EQ(gupbench::smaps_bytes(target.pid(), target.addr(), "Anonymous"), 0u) << "6.1 pins the page cache";
	}
}

INSTANTIATE_TEST_SUITE_P(PinWalkers, LongtermFiles, ::testing::ValuesIn(every_case()), case_name);

} // namespace
