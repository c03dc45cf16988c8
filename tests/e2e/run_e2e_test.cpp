// RUN and HOLD end to end, in the guest: every walker on every kind of memory, partial
// ranges, refusals, and the accounting seen from /proc/vmstat.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <string>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_device.h"
#include "guest_util.h"
#include "memory.h"
#include "requests.h"
#include "walk_cases.h"
#include "walkers.h"

using e2e::ioctl_errno;
using e2e::pins_moved_since;
using e2e::vmstat_pins;
using e2e::walker_pins;
using e2e::write_file;
using gupbench::MemoryKind;

namespace {

const unsigned long page_size = sysconf(_SC_PAGESIZE);
constexpr std::size_t walk_length = 4u << 20; // two 2 MiB huge pages' worth

gupbench_run request_for(unsigned walker, unsigned long addr, std::size_t length, unsigned ppc,
			 unsigned long long flags)
{
	gupbench_run r{};
	r.walker = walker;
	r.addr = addr;
	r.length = length;
	r.pages_per_call = ppc;
	r.repeats = 1;
	r.flags = flags;
	return r;
}

// The errno of a RUN the module must refuse (0 if it accepted it).
int refused_run(gupbench_run r)
{
	gupbench_repeat out[2]{};
	r.size = sizeof(r);
	r.repeat_size = sizeof(gupbench_repeat);
	r.results = reinterpret_cast<unsigned long>(out);
	int fd = open(GUPBENCH_BENCH_FILE, O_RDWR);
	int rc = ioctl(fd, GUPBENCH_IOC_RUN, &r) == 0 ? 0 : errno;
	close(fd);
	return rc;
}

using Case = e2e::WalkCase;
using e2e::case_name;

std::vector<Case> every_local_case()
{
	std::vector<Case> cases;
	for (unsigned w = 0; w < GUPBENCH_WALKER_COUNT; w++) {
		if (w == GUPBENCH_WALKER_GET_REMOTE || w == GUPBENCH_WALKER_PIN_REMOTE ||
		    w == GUPBENCH_WALKER_PIN_MEMFD) // no address range: memfd_pin_e2e_test.cpp
			continue;
		for (int m = 0; m <= static_cast<int>(MemoryKind::rofile); m++)
			for (bool write : { false, true })
				cases.push_back({ static_cast<gupbench_walker>(w), static_cast<MemoryKind>(m), write });
	}
	return cases;
}

class WalkerMatrix : public ::testing::TestWithParam<Case> {
public:
	static void SetUpTestSuite() { write_file("/proc/sys/vm/nr_hugepages", "8"); }
};

TEST_P(WalkerMatrix, TakesEveryPageAndAccountsExactly)
{
	const Case c = GetParam();
	E2E_SKIP_WITHOUT_WALKER(c.walker);
	if (c.memory == MemoryKind::thp)
		E2E_SKIP_WITHOUT_THP();
	gupbench::Mapping mapping(c.memory, walk_length, true);
	gupbench::BenchDevice device;
	auto flags = GUPBENCH_FLAG_VERIFY | (c.write ? GUPBENCH_FLAG_WRITE : 0);
	auto before = vmstat_pins();
	auto r = device.run(request_for(c.walker, mapping.addr(), walk_length, 512, flags))[0];
	auto moved = pins_moved_since(before); // seen from here, not from the module's report
	const unsigned long pages = walk_length / page_size;

	if (c.write && !mapping.writable()) {
		// A write pin of a read-only mapping is refused, and nothing stays taken.
		EXPECT_EQ(r.error, -EFAULT);
		EXPECT_EQ(r.pages_done, 0u);
		EXPECT_EQ(r.error_offset, 0u);
		EXPECT_EQ(moved.first, moved.second) << "a refused walk left pins";
		return;
	}
	EXPECT_EQ(r.error, 0) << strerror(-r.error) << " at offset " << r.error_offset;
	EXPECT_EQ(r.pages_done, pages);
	// 4 MiB in calls of 512 pages: 1024 pages of 4 KiB in 2 calls (of 2 MiB each).
	const unsigned long calls = (pages + 511) / 512;
	EXPECT_EQ(r.calls, calls);
	unsigned long long in_histogram = 0;
	for (auto count : r.histogram)
		in_histogram += count;
	EXPECT_EQ(in_histogram, calls) << "the histogram does not count every call once";
	EXPECT_EQ(r.verdict, unsigned(GUPBENCH_VERDICT_EXACT))
		<< gupbench::verdict_name(r.verdict) << ": " << gupbench::mismatch_name(r.mismatch)
		<< " at page " << r.mismatch_page << ", expected " << r.mismatch_expected << ", saw "
		<< r.mismatch_observed;
	// A pin walker pins each page once and unpins it once (vmstat counts pages, even of a
	// 2 MiB folio); a get walker moves neither counter. Both as /proc/vmstat saw it around
	// the RUN, and as the module reported it.
	const bool pins = walker_pins(c.walker);
	EXPECT_EQ(moved.first, pins ? long(pages) : 0) << "nr_foll_pin_acquired";
	EXPECT_EQ(moved.second, pins ? long(pages) : 0) << "nr_foll_pin_released";
	EXPECT_EQ(r.vmstat_pins_acquired, pins ? pages : 0);
	EXPECT_EQ(r.vmstat_pins_released, pins ? pages : 0);
	EXPECT_GT(r.get_ns, 0u);
	if (c.memory == MemoryKind::thp || c.memory == MemoryKind::hugetlb) {
		EXPECT_EQ(r.folios, walk_length / (2u << 20)) << "not backed by 2 MiB folios";
	}
	if (c.memory == MemoryKind::anon) {
		EXPECT_EQ(r.folios, pages) << "MADV_NOHUGEPAGE memory in large folios";
	}
}

INSTANTIATE_TEST_SUITE_P(Every, WalkerMatrix, ::testing::ValuesIn(every_local_case()), case_name);

TEST(Run, RemoteWalkOfAChildProcess)
{
	gupbench::RemoteMapping child(MemoryKind::anon, walk_length, true);
	gupbench::BenchDevice device;
	const unsigned long pages = walk_length / page_size;
	for (auto walker : { GUPBENCH_WALKER_GET_REMOTE, GUPBENCH_WALKER_PIN_REMOTE }) {
		SCOPED_TRACE(gupbench::walker_name(walker));
		auto request = request_for(walker, child.addr(), walk_length, 123, GUPBENCH_FLAG_VERIFY | GUPBENCH_FLAG_WRITE);
		request.target_pid = child.pid();
		auto before = vmstat_pins();
		auto r = device.run(request)[0];
		auto moved = pins_moved_since(before);
		EXPECT_EQ(r.error, 0);
		EXPECT_EQ(r.pages_done, pages);
		EXPECT_EQ(r.calls, 9u); // 1024 pages, 123 a call: 8 calls of 123 and one of 40
		EXPECT_EQ(r.verdict, unsigned(GUPBENCH_VERDICT_EXACT));
		const long pinned = walker == GUPBENCH_WALKER_PIN_REMOTE ? long(pages) : 0;
		EXPECT_EQ(moved.first, pinned) << "nr_foll_pin_acquired";
		EXPECT_EQ(moved.second, pinned) << "nr_foll_pin_released";
	}
	pid_t reaped = child.pid();
	child.kill_and_reap();
	auto request = request_for(GUPBENCH_WALKER_PIN_REMOTE, child.addr(), walk_length, 1, 0);
	request.target_pid = reaped; // no such process any more
	EXPECT_EQ(refused_run(request), ESRCH);
}

// A hole in the middle: the walk stops at it, says where and why, and releases what it took.
TEST(Run, HoleInTheMiddleStopsTheWalkThere)
{
	auto *base = static_cast<char *>(mmap(nullptr, 8 * page_size, PROT_READ | PROT_WRITE,
					      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	ASSERT_NE(base, MAP_FAILED);
	memset(base, 1, 8 * page_size);
	ASSERT_EQ(munmap(base + 3 * page_size, page_size), 0);
	gupbench::BenchDevice device;
	for (unsigned w = 0; w < GUPBENCH_WALKER_GET_REMOTE; w++) {
		if (!e2e::kernel_has_walker(w))
			continue;
		for (unsigned ppc : { 1u, 2u, 8u }) {
			SCOPED_TRACE(gupbench::walker_name(w) + " ppc " + std::to_string(ppc));
			auto before = vmstat_pins();
			auto r = device.run(request_for(w, reinterpret_cast<unsigned long>(base),
							8 * page_size, ppc, GUPBENCH_FLAG_VERIFY))[0];
			auto moved = pins_moved_since(before);
			EXPECT_EQ(r.error, -EFAULT);
			EXPECT_EQ(r.pages_done, 3u);
			EXPECT_EQ(r.error_offset, 3 * page_size);
			EXPECT_EQ(r.verdict, unsigned(GUPBENCH_VERDICT_EXACT));
			// Pages 0-2 taken and given back, the hole never: 3 pins each way for a
			// pin walker, none for a get walker.
			const long pinned = walker_pins(w) ? 3 : 0;
			EXPECT_EQ(moved.first, pinned) << "nr_foll_pin_acquired";
			EXPECT_EQ(moved.second, pinned) << "nr_foll_pin_released";
		}
	}
	munmap(base, 8 * page_size);
}

TEST(Run, UnmappedTailStopsAtTheEnd)
{
	auto *base = static_cast<char *>(mmap(nullptr, 4 * page_size, PROT_READ | PROT_WRITE,
					      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	ASSERT_NE(base, MAP_FAILED);
	ASSERT_EQ(munmap(base + 2 * page_size, 2 * page_size), 0);
	gupbench::BenchDevice device;
	auto r = device.run(request_for(GUPBENCH_WALKER_PIN_FAST, reinterpret_cast<unsigned long>(base),
					4 * page_size, 4, GUPBENCH_FLAG_VERIFY | GUPBENCH_FLAG_WRITE))[0];
	EXPECT_EQ(r.error, -EFAULT);
	EXPECT_EQ(r.pages_done, 2u);
	EXPECT_EQ(r.error_offset, 2 * page_size);
	munmap(base, 2 * page_size);
}

TEST(Run, FastOnlyWalkersDoNotFault)
{
	gupbench::Mapping mapping(MemoryKind::anon, 16 * page_size, false); // never touched
	gupbench::BenchDevice device;
	for (auto walker : { GUPBENCH_WALKER_GET_FAST_ONLY, GUPBENCH_WALKER_PIN_FAST_ONLY }) {
		if (!e2e::kernel_has_walker(walker))
			continue;
		auto r = device.run(request_for(walker, mapping.addr(), 16 * page_size, 16,
						GUPBENCH_FLAG_WRITE | GUPBENCH_FLAG_VERIFY))[0];
		EXPECT_EQ(r.error, -EFAULT) << gupbench::walker_name(walker);
		EXPECT_EQ(r.pages_done, 0u) << gupbench::walker_name(walker);
	}
	// The ordinary fast walker faults the pages in.
	auto r = device.run(request_for(GUPBENCH_WALKER_PIN_FAST, mapping.addr(), 16 * page_size, 16,
				   GUPBENCH_FLAG_WRITE | GUPBENCH_FLAG_VERIFY))[0];
	EXPECT_EQ(r.error, 0);
	EXPECT_EQ(r.pages_done, 16u);
	EXPECT_EQ(r.verdict, unsigned(GUPBENCH_VERDICT_EXACT));
}

TEST(Run, ForceWritesThroughAReadOnlyPrivateMapping)
{
	gupbench::Mapping mapping(MemoryKind::rofile, 4 * page_size, true);
	gupbench::BenchDevice device;
	auto r = device.run(request_for(GUPBENCH_WALKER_PIN, mapping.addr(), 4 * page_size, 4,
					GUPBENCH_FLAG_WRITE | GUPBENCH_FLAG_FORCE | GUPBENCH_FLAG_VERIFY))[0];
	EXPECT_EQ(r.error, 0);
	EXPECT_EQ(r.pages_done, 4u);
	EXPECT_EQ(r.verdict, unsigned(GUPBENCH_VERDICT_EXACT));
}

// Release through the dirty-lock variants (unpin_user_pages_dirty_lock for pins,
// set_page_dirty_lock then put_page for gets) on file-backed shared memory.
TEST(Run, DirtyReleaseOfSharedFilePages)
{
	gupbench::Mapping mapping(MemoryKind::tmpfs, 32 * page_size, true);
	gupbench::BenchDevice device;
	for (auto walker : { GUPBENCH_WALKER_PIN_FAST, GUPBENCH_WALKER_GET, GUPBENCH_WALKER_PIN_UNLOCKED }) {
		auto r = device.run(request_for(walker, mapping.addr(), 32 * page_size, 7,
						GUPBENCH_FLAG_WRITE | GUPBENCH_FLAG_DIRTY | GUPBENCH_FLAG_VERIFY))[0];
		SCOPED_TRACE(gupbench::walker_name(walker));
		EXPECT_EQ(r.error, 0);
		EXPECT_EQ(r.pages_done, 32u);
		EXPECT_EQ(r.verdict, unsigned(GUPBENCH_VERDICT_EXACT));
	}
}

TEST(Run, RepeatsAndHistogramAddUp)
{
	gupbench::Mapping mapping(MemoryKind::anon, 64 * page_size, true);
	gupbench::BenchDevice device;
	auto request = request_for(GUPBENCH_WALKER_GET_FAST, mapping.addr(), 64 * page_size, 5, 0);
	request.repeats = 4;
	auto repeats = device.run(request);
	ASSERT_EQ(repeats.size(), 4u);
	for (const auto &r : repeats) {
		EXPECT_EQ(r.pages_done, 64u);
		EXPECT_EQ(r.calls, 13u); // 12 calls of 5 pages and one of 4
		// Bucket b holds the calls of [2^b, 2^(b+1)) ns (bucket 0 also those of 0 ns):
		// the 13 calls are in it, the lowest bucket used holds call_min_ns, the highest
		// call_max_ns, and get_ns (the sum of the calls) lies between the sums of the
		// buckets' lower and upper edges. The module keeps each figure apart.
		unsigned long long in_histogram = 0, floor_sum = 0, ceiling_sum = 0;
		int lowest = -1, highest = -1;
		for (unsigned b = 0; b < GUPBENCH_HIST_BUCKETS - 1; b++) {
			if (!r.histogram[b])
				continue;
			in_histogram += r.histogram[b];
			floor_sum += r.histogram[b] * (b ? 1ull << b : 0);
			ceiling_sum += r.histogram[b] * ((2ull << b) - 1);
			lowest = lowest < 0 ? int(b) : lowest;
			highest = int(b);
		}
		ASSERT_EQ(r.histogram[GUPBENCH_HIST_BUCKETS - 1], 0u) << "a call of 2^47 ns?";
		EXPECT_EQ(in_histogram, 13u);
		ASSERT_GE(lowest, 0);
		EXPECT_GE(r.call_min_ns, lowest ? 1ull << lowest : 0) << "bucket " << lowest;
		EXPECT_LT(r.call_min_ns, 2ull << lowest) << "bucket " << lowest;
		EXPECT_GE(r.call_max_ns, highest ? 1ull << highest : 0) << "bucket " << highest;
		EXPECT_LT(r.call_max_ns, 2ull << highest) << "bucket " << highest;
		EXPECT_GE(r.get_ns, floor_sum);
		EXPECT_LE(r.get_ns, ceiling_sum);
		EXPECT_EQ(r.verdict, unsigned(GUPBENCH_VERDICT_NOT_CHECKED));
	}
}

// FOLL_LONGTERM on every pin walker that may take it, FOLL_TOUCH on every slow walker;
// the combinations 6.1 would WARN on are refused before any GUP call.
TEST(Run, LongtermAndTouchWhereTheKernelTakesThem)
{
	gupbench::Mapping mapping(MemoryKind::anon, 64 * page_size, true);
	gupbench::RemoteMapping child(MemoryKind::anon, 64 * page_size, true);
	gupbench::BenchDevice device;
	auto exact = [&](unsigned walker, unsigned long long flags) {
		bool remote = walker == GUPBENCH_WALKER_GET_REMOTE || walker == GUPBENCH_WALKER_PIN_REMOTE;
		auto request = request_for(walker, remote ? child.addr() : mapping.addr(), 64 * page_size,
					   16, flags | GUPBENCH_FLAG_VERIFY);
		request.target_pid = remote ? child.pid() : 0;
		auto r = device.run(request)[0];
		EXPECT_EQ(r.error, 0) << gupbench::walker_name(walker) << " flags " << flags;
		EXPECT_EQ(r.pages_done, 64u);
		EXPECT_EQ(r.verdict, unsigned(GUPBENCH_VERDICT_EXACT))
			<< gupbench::walker_name(walker) << ": " << gupbench::mismatch_name(r.mismatch);
	};
	for (auto walker : { GUPBENCH_WALKER_PIN_FAST, GUPBENCH_WALKER_PIN_FAST_ONLY,
			     GUPBENCH_WALKER_PIN, GUPBENCH_WALKER_PIN_REMOTE })
		if (e2e::kernel_has_walker(walker))
			exact(walker, GUPBENCH_FLAG_LONGTERM | GUPBENCH_FLAG_WRITE);
	const bool touch = e2e::kernel_has_flags(GUPBENCH_FLAG_TOUCH);
	for (auto walker : { GUPBENCH_WALKER_GET, GUPBENCH_WALKER_PIN, GUPBENCH_WALKER_GET_UNLOCKED,
			     GUPBENCH_WALKER_PIN_UNLOCKED, GUPBENCH_WALKER_GET_REMOTE,
			     GUPBENCH_WALKER_PIN_REMOTE }) {
		if (touch) {
			exact(walker, GUPBENCH_FLAG_TOUCH);
			continue;
		}
		auto r = request_for(walker, mapping.addr(), 64 * page_size, 16, GUPBENCH_FLAG_TOUCH);
		EXPECT_EQ(refused_run(r), EOPNOTSUPP) << gupbench::walker_name(walker);
	}
	auto refused = request_for(GUPBENCH_WALKER_PIN_UNLOCKED, mapping.addr(), 64 * page_size, 16,
				   GUPBENCH_FLAG_LONGTERM);
	EXPECT_EQ(refused_run(refused), EINVAL);
	refused.walker = GUPBENCH_WALKER_GET_FAST, refused.flags = GUPBENCH_FLAG_TOUCH;
	EXPECT_EQ(refused_run(refused), EINVAL);
	refused.walker = GUPBENCH_WALKER_PIN_FAST_ONLY;
	EXPECT_EQ(refused_run(refused), e2e::kernel_has_walker(refused.walker) ? EINVAL : EOPNOTSUPP);
}

// FLAG_WALK_TIME: one clock pair around the walk, as gup_test times; no per-call figures.
TEST(Run, WalkTimeTimesTheWholeWalk)
{
	gupbench::Mapping mapping(MemoryKind::anon, 64 * page_size, true);
	gupbench::BenchDevice device;
	auto r = device.run(request_for(GUPBENCH_WALKER_PIN_FAST, mapping.addr(), 64 * page_size, 5,
					GUPBENCH_FLAG_WALK_TIME | GUPBENCH_FLAG_VERIFY))[0];
	EXPECT_EQ(r.error, 0);
	EXPECT_EQ(r.pages_done, 64u);
	EXPECT_EQ(r.calls, 13u); // 12 calls of 5 pages and one of 4
	EXPECT_GT(r.get_ns, 0u);
	EXPECT_EQ(r.call_min_ns, 0u);
	EXPECT_EQ(r.call_max_ns, 0u);
	for (auto count : r.histogram)
		EXPECT_EQ(count, 0u);
	EXPECT_EQ(r.verdict, unsigned(GUPBENCH_VERDICT_EXACT));
}

// FLAG_LOCK_ONCE: get and pin under one mmap lock for the whole walk, as gup_test walks;
// the pages and counts are the same, a hole still stops the walk, and the walkers that do
// not lock around each call refuse it.
TEST(Run, LockOnceWalksUnderOneLock)
{
	gupbench::Mapping mapping(MemoryKind::anon, 64 * page_size, true);
	gupbench::BenchDevice device;
	for (auto walker : { GUPBENCH_WALKER_GET, GUPBENCH_WALKER_PIN })
		for (unsigned per_call : { 1u, 7u, 64u }) {
			auto r = device.run(request_for(walker, mapping.addr(), 64 * page_size, per_call,
							GUPBENCH_FLAG_LOCK_ONCE | GUPBENCH_FLAG_WRITE |
								GUPBENCH_FLAG_VERIFY))[0];
			EXPECT_EQ(r.error, 0);
			EXPECT_EQ(r.pages_done, 64u);
			EXPECT_EQ(r.calls, (64u + per_call - 1) / per_call);
			EXPECT_EQ(r.verdict, unsigned(GUPBENCH_VERDICT_EXACT))
				<< gupbench::walker_name(walker) << " n" << per_call << ": "
				<< gupbench::mismatch_name(r.mismatch);
		}
	ASSERT_EQ(munmap(reinterpret_cast<void *>(mapping.addr() + 5 * page_size), page_size), 0);
	auto r = device.run(request_for(GUPBENCH_WALKER_PIN, mapping.addr(), 16 * page_size, 2,
					GUPBENCH_FLAG_LOCK_ONCE | GUPBENCH_FLAG_VERIFY))[0];
	EXPECT_EQ(r.error, -EFAULT);
	EXPECT_EQ(r.error_offset, 5 * page_size); // pages 4-5: a short call, then the hole
	EXPECT_EQ(r.pages_done, 5u);
	EXPECT_EQ(r.verdict, unsigned(GUPBENCH_VERDICT_EXACT));
	for (auto walker : { GUPBENCH_WALKER_GET_FAST, GUPBENCH_WALKER_PIN_FAST_ONLY,
			     GUPBENCH_WALKER_GET_UNLOCKED, GUPBENCH_WALKER_PIN_UNLOCKED,
			     GUPBENCH_WALKER_PIN_REMOTE })
		EXPECT_EQ(refused_run(request_for(walker, mapping.addr(), 4 * page_size, 1,
						  GUPBENCH_FLAG_LOCK_ONCE)),
			  e2e::kernel_has_walker(walker) ? EINVAL : EOPNOTSUPP)
			<< gupbench::walker_name(walker);
}

TEST(Run, RefusesBadRequests)
{
	gupbench::Mapping mapping(MemoryKind::anon, 16 * page_size, true);
	auto good = request_for(GUPBENCH_WALKER_PIN_FAST, mapping.addr(), 16 * page_size, 4, 0);
	EXPECT_EQ(refused_run(good), 0);
	auto r = good;
	r.pages_per_call = 0; // the 6.1 fast-walker bug: never passed on
	EXPECT_EQ(refused_run(r), EINVAL);
	r = good, r.length = 0;
	EXPECT_EQ(refused_run(r), EINVAL);
	r = good, r.addr += 1;
	EXPECT_EQ(refused_run(r), EINVAL);
	r = good, r.length += 100;
	EXPECT_EQ(refused_run(r), EINVAL);
	r = good, r.addr = ~0ul & ~(page_size - 1);
	EXPECT_EQ(refused_run(r), EOVERFLOW);
	r = good, r.length = 1ull << 40;
	EXPECT_EQ(refused_run(r), E2BIG);
	r = good, r.walker = GUPBENCH_WALKER_COUNT;
	EXPECT_EQ(refused_run(r), EINVAL);
	r = good, r.flags = 1ull << 40;
	EXPECT_EQ(refused_run(r), EINVAL);
	r = good, r.walker = GUPBENCH_WALKER_GET_FAST, r.flags = GUPBENCH_FLAG_LONGTERM;
	EXPECT_EQ(refused_run(r), EINVAL);
	r = good, r.flags = GUPBENCH_FLAG_FORCE;
	EXPECT_EQ(refused_run(r), EINVAL);
	r = good, r.target_pid = getpid();
	EXPECT_EQ(refused_run(r), EINVAL);
	r = good, r.repeats = 0;
	EXPECT_EQ(refused_run(r), EINVAL);
	r = good, r.repeats = 1001;
	EXPECT_EQ(refused_run(r), EINVAL);
	// A kernel address: GUP refuses it, and the walk reports that.
	gupbench::BenchDevice device;
	auto kernel = device.run(request_for(GUPBENCH_WALKER_PIN_FAST, 0xffff888000000000ul,
					     4 * page_size, 4, 0))[0];
	EXPECT_EQ(kernel.error, -EFAULT);
	EXPECT_EQ(kernel.pages_done, 0u);
}

TEST(Hold, ReadSeesWhatUserspaceWroteAndCloseReleases)
{
	auto before = vmstat_pins();
	gupbench::Mapping mapping(MemoryKind::anon, 8 * page_size, true);
	int fd = open(GUPBENCH_BENCH_FILE, O_RDWR);
	ASSERT_GE(fd, 0);
	gupbench_hold hold{};
	hold.size = sizeof(hold);
	hold.walker = GUPBENCH_WALKER_PIN_FAST;
	hold.flags = GUPBENCH_FLAG_LONGTERM | GUPBENCH_FLAG_WRITE;
	hold.addr = mapping.addr();
	hold.length = 8 * page_size;
	hold.pages_per_call = 3;
	ASSERT_EQ(ioctl_errno(fd, GUPBENCH_IOC_HOLD, &hold), 0);
	EXPECT_EQ(hold.pages_held, 8u);
	EXPECT_EQ(ioctl_errno(fd, GUPBENCH_IOC_HOLD, &hold), EBUSY);

	auto *bytes = reinterpret_cast<unsigned char *>(mapping.addr());
	for (unsigned long i = 0; i < 8 * page_size; i++)
		bytes[i] = static_cast<unsigned char>(i * 7 + 3);
	std::vector<unsigned char> seen(8 * page_size);
	gupbench_read read_request{};
	read_request.size = sizeof(read_request);
	read_request.buffer = reinterpret_cast<unsigned long>(seen.data());
	read_request.length = seen.size();
	ASSERT_EQ(ioctl_errno(fd, GUPBENCH_IOC_READ, &read_request), 0);
	EXPECT_EQ(memcmp(seen.data(), bytes, seen.size()), 0);
	read_request.length = 9 * page_size;
	EXPECT_EQ(ioctl_errno(fd, GUPBENCH_IOC_READ, &read_request), EINVAL);

	// A second file holds at the same time without interfering.
	int other = open(GUPBENCH_BENCH_FILE, O_RDWR);
	EXPECT_EQ(ioctl_errno(other, GUPBENCH_IOC_HOLD, &hold), 0);
	EXPECT_EQ(ioctl_errno(other, GUPBENCH_IOC_RELEASE, nullptr), 0);
	EXPECT_EQ(ioctl_errno(other, GUPBENCH_IOC_RELEASE, nullptr), EINVAL);
	EXPECT_EQ(ioctl_errno(other, GUPBENCH_IOC_READ, &read_request), EINVAL);
	close(other);

	auto holding = vmstat_pins();
	EXPECT_EQ(holding.first - before.first - (holding.second - before.second), 8);
	close(fd); // releases the hold
	auto after = vmstat_pins();
	EXPECT_EQ(after.first - before.first, after.second - before.second);
}

TEST(Hold, AFailedHoldKeepsNothing)
{
	auto before = vmstat_pins();
	auto *base = static_cast<char *>(mmap(nullptr, 4 * page_size, PROT_READ | PROT_WRITE,
					      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	memset(base, 1, 4 * page_size);
	munmap(base + 2 * page_size, page_size);
	int fd = open(GUPBENCH_BENCH_FILE, O_RDWR);
	gupbench_hold hold{};
	hold.size = sizeof(hold);
	hold.walker = GUPBENCH_WALKER_PIN;
	hold.addr = reinterpret_cast<unsigned long>(base);
	hold.length = 4 * page_size;
	hold.pages_per_call = 1;
	EXPECT_EQ(ioctl_errno(fd, GUPBENCH_IOC_HOLD, &hold), EFAULT);
	EXPECT_EQ(ioctl_errno(fd, GUPBENCH_IOC_RELEASE, nullptr), EINVAL);
	hold.walker = GUPBENCH_WALKER_PIN_REMOTE;
	EXPECT_EQ(ioctl_errno(fd, GUPBENCH_IOC_HOLD, &hold), EINVAL);
	close(fd);
	auto after = vmstat_pins();
	EXPECT_EQ(after.first - before.first, after.second - before.second);
}

} // namespace
