// Concurrency, in the guest: 16 threads making many ioctls of every kind on one shared file
// and on files of their own. The debug kernel's lockdep watches the lock order; check-all's
// dmesg audit fails the run on any report. Here: every answer is one the ABI allows, every
// verified walk checks out, and nothing stays pinned.
//
// Which verdict a verified RUN may get. The ledger says OVERLAPPED when any other gupbench
// pin activity (a walk with or without its ledger, a HOLD, a release: PinActivity in
// module/ledger.h) was in flight during the walk, module-wide: on any buffer, through any
// file. So a thread's own buffer and its own file do not make EXACT due; being alone does.
// This test mirrors PinActivity in userspace around every ioctl (and close) that can take
// or release pins, and its window holds the kernel's. The rule, asserted on every RUN:
//  - a RUN that no other such ioctl overlapped must be EXACT, whoever's buffer it walks;
//  - any other RUN must be EXACT or OVERLAPPED;
//  - MISMATCH, NOT_CHECKED (VERIFY is set) or anything else fails, always.
// Nothing here unmaps or remaps a buffer while it may be walked, the other cause of
// OVERLAPPED (a page whose mapcount moved).
// So that the first rule is exercised and not left to chance, every fourth round a thread
// makes its RUN on its own buffer alone: it waits until no other thread is inside a pin
// ioctl and keeps them out until it is done (SoloGate).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
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
constexpr unsigned ioctls_per_round = 8;

// Pin ioctls enter as many at once as like; a solo RUN waits for them to leave and keeps
// new ones out (writers first, so that a solo RUN is not starved by sixteen threads).
class SoloGate {
public:
	void enter_shared()
	{
		std::unique_lock<std::mutex> guard(lock_);
		changed_.wait(guard, [&] { return !alone_ && !waiting_alone_; });
		shared_++;
	}
	void leave_shared()
	{
		std::lock_guard<std::mutex> guard(lock_);
		if (--shared_ == 0)
			changed_.notify_all();
	}
	void enter_alone()
	{
		std::unique_lock<std::mutex> guard(lock_);
		waiting_alone_++;
		changed_.wait(guard, [&] { return !alone_ && shared_ == 0; });
		waiting_alone_--;
		alone_ = true;
	}
	void leave_alone()
	{
		std::lock_guard<std::mutex> guard(lock_);
		alone_ = false;
		changed_.notify_all();
	}

private:
	std::mutex lock_;
	std::condition_variable changed_;
	unsigned shared_ = 0, waiting_alone_ = 0;
	bool alone_ = false;
};

struct Tally {
	std::mutex lock;
	std::vector<std::string> wrong;
	std::atomic<unsigned long> ioctls{ 0 };
	// PinActivity's mirror, packed as it is: pin ioctls started so far (upper 32 bits)
	// and in flight (lower 32), moved together by one atomic add.
	std::atomic<uint64_t> activity{ 0 };
	SoloGate gate;
	std::atomic<unsigned long> exact{ 0 }, overlapped{ 0 }, alone{ 0 }, forced_alone{ 0 };
	// OVERLAPPED with no pin ioctl in flight: the ledger also says so when a page's mappings
	// changed during the walk, which the kernel's own compaction or khugepaged may do at any
	// moment (seen once in 354 alone RUNs on Debian's stock 6.12); rare, and counted.
	std::atomic<unsigned long> alone_overlapped{ 0 };
	void bad(const std::string &what)
	{
		std::lock_guard<std::mutex> guard(lock);
		if (wrong.size() < 20)
			wrong.push_back(what);
	}
};

// One pin ioctl's (or close's) stretch, as PinActivity counts it in the module: the
// userspace stretch holds the kernel's, so one that no other overlapped here was alone
// there too.
class Activity {
public:
	Activity(Tally &tally, bool alone) : tally_(tally), alone_(alone)
	{
		if (alone_)
			tally_.gate.enter_alone();
		else
			tally_.gate.enter_shared();
		uint64_t word = tally_.activity.fetch_add(one_started | 1);
		others_at_start_ = uint32_t(word);
		started_at_start_ = uint32_t(word >> 32) + 1;
	}
	~Activity()
	{
		tally_.activity.fetch_sub(1);
		if (alone_)
			tally_.gate.leave_alone();
		else
			tally_.gate.leave_shared();
	}
	Activity(const Activity &) = delete;
	Activity &operator=(const Activity &) = delete;

	// Whether another was in flight at the start or has started since; asked after the
	// ioctl returned.
	bool overlapped() const
	{
		return others_at_start_ != 0 || uint32_t(tally_.activity.load() >> 32) != started_at_start_;
	}

private:
	static constexpr uint64_t one_started = uint64_t(1) << 32;
	Tally &tally_;
	bool alone_;
	uint32_t others_at_start_ = 0, started_at_start_ = 0;
};

// Each ioctl issued counts once, whatever it answers.
int issue(Tally &tally, int fd, unsigned long cmd, void *arg)
{
	tally.ioctls++;
	return ioctl_errno(fd, cmd, arg);
}

// A pin ioctl: inside an Activity.
int issue_pin(Tally &tally, int fd, unsigned long cmd, void *arg)
{
	Activity activity(tally, false);
	return issue(tally, fd, cmd, arg);
}

void check_verdict(Tally &tally, unsigned id, unsigned round, unsigned walker, bool own_buffer,
		   bool overlapped, const gupbench_repeat &out)
{
	std::string where = "thread " + std::to_string(id) + " round " + std::to_string(round) +
			    " RUN walker " + std::to_string(walker) + " on " +
			    (own_buffer ? "its own buffer" : "the shared buffer") + ", " +
			    (overlapped ? "overlapped" : "alone") + ": verdict " + std::to_string(out.verdict);
	std::string detail = " (mismatch " + std::to_string(out.mismatch) + " at page " +
			     std::to_string(out.mismatch_page) + ": expected " +
			     std::to_string(out.mismatch_expected) + ", observed " +
			     std::to_string(out.mismatch_observed) + ")";
	if (out.verdict == GUPBENCH_VERDICT_EXACT)
		tally.exact++;
	else if (out.verdict == GUPBENCH_VERDICT_OVERLAPPED && overlapped)
		tally.overlapped++;
	else if (out.verdict == GUPBENCH_VERDICT_OVERLAPPED)
		tally.alone_overlapped++;
	else
		tally.bad(where + detail);
}

// One thread's work: RUN on its own and on the shared mapping with the ledger, HOLD, READ
// and RELEASE, INFO, and gup_test commands. `shared_file` says whether other threads use
// the same files (then a HOLD may find the file busy, and a READ or RELEASE find nothing).
void hammer(unsigned id, int bench, int gup_test_fd, bool shared_file, unsigned long shared,
	    Tally &tally)
{
	gupbench::Mapping own(MemoryKind::anon, 64 * page_size, true);
	const unsigned long long present_walkers = e2e::kernel_info().walkers;
	std::mt19937 random(id);
	std::vector<char> buffer(64 * page_size);
	for (unsigned round = 0; round < rounds; round++) {
		unsigned walker = random() % GUPBENCH_WALKER_GET_REMOTE; // the local walkers
		// Walkers this kernel lacks are not drawn (an INFO that failed leaves all in,
		// and the RUNs then fail visibly rather than this loop spinning).
		while (present_walkers && !(present_walkers & (1ull << walker)))
			walker = random() % GUPBENCH_WALKER_GET_REMOTE;
		bool own_buffer = !(round & 1);
		bool forced_alone = round % 4 == 0;
		unsigned long addr = own_buffer ? own.addr() : shared;
		gupbench_repeat out{};
		auto r = e2e::run_request(walker, addr, 64 * page_size, 1 + random() % 64, &out);
		r.flags = GUPBENCH_FLAG_VERIFY;
		int e;
		bool overlapped;
		{
			Activity activity(tally, forced_alone);
			e = issue(tally, bench, GUPBENCH_IOC_RUN, &r);
			overlapped = activity.overlapped();
		}
		if (forced_alone) {
			tally.forced_alone++;
			if (overlapped)
				tally.bad("a RUN made alone overlapped another pin ioctl: this test misses one");
		}
		if (!overlapped)
			tally.alone++;
		if (e || out.error || out.pages_done != 64)
			tally.bad("RUN walker " + std::to_string(walker) + ": errno " + std::to_string(e) +
				  ", error " + std::to_string(out.error) + ", pages_done " +
				  std::to_string(out.pages_done));
		else
			check_verdict(tally, id, round, walker, own_buffer, overlapped, out);

		auto h = e2e::hold_request((round & 2) ? GUPBENCH_WALKER_PIN_FAST : GUPBENCH_WALKER_PIN,
					   GUPBENCH_FLAG_LONGTERM, own.addr(), 64 * page_size, 16);
		e = issue_pin(tally, bench, GUPBENCH_IOC_HOLD, &h);
		if (e && !(shared_file && e == EBUSY))
			tally.bad("HOLD: errno " + std::to_string(e));
		// READ copies the held pages out: no reference taken or dropped, not a pin ioctl.
		gupbench_read rd{ sizeof(rd), 0, reinterpret_cast<unsigned long>(buffer.data()), page_size };
		int read_errno = issue(tally, bench, GUPBENCH_IOC_READ, &rd);
		int release_errno = issue_pin(tally, bench, GUPBENCH_IOC_RELEASE, nullptr);
		if (!shared_file && (read_errno || release_errno))
			tally.bad("READ/RELEASE on an own file: " + std::to_string(read_errno) + "/" +
				  std::to_string(release_errno));
		if (shared_file && ((read_errno && read_errno != EINVAL) ||
				    (release_errno && release_errno != EINVAL)))
			tally.bad("READ/RELEASE on a shared file: " + std::to_string(read_errno) + "/" +
				  std::to_string(release_errno));

		gupbench_info info{};
		info.size = sizeof(info);
		if (issue(tally, bench, GUPBENCH_IOC_INFO, &info) || info.abi_version != GUPBENCH_ABI_VERSION)
			tally.bad("INFO");

		auto g = e2e::gup_test_request(addr, 64 * page_size, 1 + random() % 64);
		unsigned long cmd = (round % 3 == 0)   ? GUP_TEST_PIN_FAST_BENCHMARK
				    : (round % 3 == 1) ? GUP_TEST_PIN_BASIC_TEST
						       : GUP_TEST_GUP_FAST_BENCHMARK;
		e = issue_pin(tally, gup_test_fd, cmd, &g);
		// EIO is the file's word for its ledger's MISMATCH (module/gup_test_file.cpp).
		if (e || g.size != 64 * page_size)
			tally.bad("gup_test: errno " + std::to_string(e) + (e == EIO ? " (ledger MISMATCH)" : ""));
		gup_test_pin_longterm start{ own.addr(), 16 * page_size, GUP_TEST_PIN_LONGTERM_FAST };
		e = issue_pin(tally, gup_test_fd, GUP_TEST_PIN_LONGTERM_TEST_START, &start);
		if (e && !(shared_file && e == EINVAL))
			tally.bad("PIN_LONGTERM_TEST_START: errno " + std::to_string(e));
		if (issue_pin(tally, gup_test_fd, GUP_TEST_PIN_LONGTERM_TEST_STOP, nullptr))
			tally.bad("PIN_LONGTERM_TEST_STOP");
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
				// The last close releases what the file holds: a pin activity too.
				Activity activity(tally, false);
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
	EXPECT_EQ(tally.ioctls.load(), thread_count * rounds * ioctls_per_round);
	EXPECT_EQ(tally.forced_alone.load(), thread_count * rounds / 4);
	EXPECT_GE(tally.alone.load(), tally.forced_alone.load());
	// The overlap rule must not swallow the checks: an alone RUN is OVERLAPPED only where the
	// kernel itself moved a mapping, at most 1 in 100 of them (and 1 when fewer were alone).
	EXPECT_LE(tally.alone_overlapped.load(), std::max(1ul, tally.alone.load() / 100))
		<< tally.alone_overlapped.load() << " of " << tally.alone.load()
		<< " RUNs with no other pin ioctl in flight were OVERLAPPED";
	EXPECT_EQ(pins_held_since(before), 0);
	printf("concurrency: %lu ioctls; verified RUNs: %lu EXACT, %lu OVERLAPPED; %lu of them "
	       "alone (%lu made so), %lu of those OVERLAPPED by a mapping the kernel moved\n",
	       tally.ioctls.load(), tally.exact.load(), tally.overlapped.load(), tally.alone.load(),
	       tally.forced_alone.load(), tally.alone_overlapped.load());
	::testing::Test::RecordProperty("ioctls", std::to_string(tally.ioctls.load()));
	::testing::Test::RecordProperty("exact", std::to_string(tally.exact.load()));
	::testing::Test::RecordProperty("overlapped", std::to_string(tally.overlapped.load()));
	::testing::Test::RecordProperty("alone", std::to_string(tally.alone.load()));
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
