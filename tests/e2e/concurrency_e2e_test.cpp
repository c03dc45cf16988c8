// Concurrency, in the guest: 16 threads making many ioctls of every kind on one shared file
// and on files of their own. The debug kernel's lockdep watches the lock order; check-all's
// dmesg audit fails the run on any report. Here: every answer is one the ABI allows, every
// verified walk checks out, and nothing stays pinned.
#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <random>
#include <string>
#include <sys/mman.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <uapi/gupbench.h>
#include <uapi/gupbench_gup_test.h>

#include "guest_util.h"
#include "memory.h"
#include "requests.h"

using e2e::ioctl_errno;
using e2e::pins_held_since;
using e2e::vmstat_pins;
using gupbench::MemoryKind;

namespace {

const unsigned long page_size = sysconf(_SC_PAGESIZE);
constexpr unsigned thread_count = 16;
constexpr unsigned rounds = 40;

struct Tally {
	std::mutex lock;
	std::vector<std::string> wrong;
	std::atomic<unsigned long> ioctls{ 0 };
	void bad(const std::string &what)
	{
		std::lock_guard<std::mutex> guard(lock);
		if (wrong.size() < 20)
			wrong.push_back(what);
	}
};

// One thread's work: RUN on its own and on the shared mapping with the ledger, HOLD, READ
// and RELEASE, INFO, and gup_test commands. `shared_file` says whether other threads use
// the same files (then a HOLD may find the file busy, and a READ or RELEASE find nothing).
void hammer(unsigned id, int bench, int gup_test_fd, bool shared_file, unsigned long shared,
	    Tally &tally)
{
	gupbench::Mapping own(MemoryKind::anon, 64 * page_size, true);
	std::mt19937 random(id);
	std::vector<char> buffer(64 * page_size);
	for (unsigned round = 0; round < rounds; round++) {
		unsigned walker = random() % GUPBENCH_WALKER_GET_REMOTE; // the local walkers
		unsigned long addr = (round & 1) ? shared : own.addr();
		gupbench_repeat out{};
		auto r = e2e::run_request(walker, addr, 64 * page_size, 1 + random() % 64, &out);
		r.flags = GUPBENCH_FLAG_VERIFY;
		int e = ioctl_errno(bench, GUPBENCH_IOC_RUN, &r);
		if (e || out.error || out.pages_done != 64)
			tally.bad("RUN walker " + std::to_string(walker) + ": errno " + std::to_string(e) +
				  ", error " + std::to_string(out.error));
		// Others pin the shared pages at the same time: then the ledger says so, and only
		// then may it say OVERLAPPED.
		if (out.verdict != GUPBENCH_VERDICT_EXACT && out.verdict != GUPBENCH_VERDICT_OVERLAPPED)
			tally.bad("RUN verdict " + std::to_string(out.verdict) + " mismatch " +
				  std::to_string(out.mismatch));

		auto h = e2e::hold_request((round & 2) ? GUPBENCH_WALKER_PIN_FAST : GUPBENCH_WALKER_PIN,
					   GUPBENCH_FLAG_LONGTERM, own.addr(), 64 * page_size, 16);
		e = ioctl_errno(bench, GUPBENCH_IOC_HOLD, &h);
		if (e && !(shared_file && e == EBUSY))
			tally.bad("HOLD: errno " + std::to_string(e));
		gupbench_read rd{ sizeof(rd), 0, reinterpret_cast<unsigned long>(buffer.data()), page_size };
		int read_errno = ioctl_errno(bench, GUPBENCH_IOC_READ, &rd);
		int release_errno = ioctl_errno(bench, GUPBENCH_IOC_RELEASE, nullptr);
		if (!shared_file && (read_errno || release_errno))
			tally.bad("READ/RELEASE on an own file: " + std::to_string(read_errno) + "/" +
				  std::to_string(release_errno));
		if (shared_file && ((read_errno && read_errno != EINVAL) ||
				    (release_errno && release_errno != EINVAL)))
			tally.bad("READ/RELEASE on a shared file: " + std::to_string(read_errno) + "/" +
				  std::to_string(release_errno));

		gupbench_info info{};
		info.size = sizeof(info);
		if (ioctl_errno(bench, GUPBENCH_IOC_INFO, &info) || info.abi_version != GUPBENCH_ABI_VERSION)
			tally.bad("INFO");

		auto g = e2e::gup_test_request(addr, 64 * page_size, 1 + random() % 64);
		unsigned long cmd = (round % 3 == 0)   ? GUP_TEST_PIN_FAST_BENCHMARK
				    : (round % 3 == 1) ? GUP_TEST_PIN_BASIC_TEST
						       : GUP_TEST_GUP_FAST_BENCHMARK;
		e = ioctl_errno(gup_test_fd, cmd, &g);
		if (e || g.size != 64 * page_size)
			tally.bad("gup_test: errno " + std::to_string(e));
		gup_test_pin_longterm start{ own.addr(), 16 * page_size, GUP_TEST_PIN_LONGTERM_FAST };
		e = ioctl_errno(gup_test_fd, GUP_TEST_PIN_LONGTERM_TEST_START, &start);
		if (e && !(shared_file && e == EINVAL))
			tally.bad("PIN_LONGTERM_TEST_START: errno " + std::to_string(e));
		if (ioctl_errno(gup_test_fd, GUP_TEST_PIN_LONGTERM_TEST_STOP, nullptr))
			tally.bad("PIN_LONGTERM_TEST_STOP");
		tally.ioctls += 8;
	}
}

void run_threads(bool shared_file)
{
	auto before = vmstat_pins();
	gupbench::Mapping shared(MemoryKind::anon, 64 * page_size, true);
	int shared_bench = open(GUPBENCH_BENCH_FILE, O_RDWR);
	int shared_gup_test = open(GUP_TEST_FILE_GUPBENCH, O_RDWR);
	ASSERT_GE(shared_bench, 0);
	ASSERT_GE(shared_gup_test, 0);
	Tally tally;
	std::vector<std::thread> threads;
	for (unsigned id = 0; id < thread_count; id++) {
		threads.emplace_back([&, id] {
			int bench = shared_file ? shared_bench : open(GUPBENCH_BENCH_FILE, O_RDWR);
			int gup_test_fd = shared_file ? shared_gup_test : open(GUP_TEST_FILE_GUPBENCH, O_RDWR);
			hammer(id, bench, gup_test_fd, shared_file, shared.addr(), tally);
			if (!shared_file) {
				close(bench);
				close(gup_test_fd);
			}
		});
	}
	for (auto &thread : threads)
		thread.join();
	close(shared_bench);
	close(shared_gup_test);
	for (const auto &what : tally.wrong)
		ADD_FAILURE() << what;
	EXPECT_EQ(tally.ioctls.load(), thread_count * rounds * 8ul);
	EXPECT_EQ(pins_held_since(before), 0);
	::testing::Test::RecordProperty("ioctls", std::to_string(tally.ioctls.load()));
}

} // namespace

TEST(Concurrency, SixteenThreadsOnOneFile)
{
	run_threads(true);
}

TEST(Concurrency, SixteenThreadsOnFilesOfTheirOwn)
{
	run_threads(false);
}
