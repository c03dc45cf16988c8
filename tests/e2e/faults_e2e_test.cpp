// Faults, in the guest: a process killed mid-walk or while it holds pins, munmap racing a
// walk, fork with pins held, close racing an ioctl, rmmod with a file open. Each ends with
// every pin released (vmstat) and nothing said in dmesg (check-all's audit).
#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <set>
#include <signal.h>
#include <string>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <uapi/gupbench.h>
#include <uapi/gupbench_gup_test.h>

#include "guest_util.h"
#include "memory.h"
#include "requests.h"
#include "walkers.h"

using e2e::ioctl_errno;
using e2e::pins_held_since;
using e2e::vmstat_pins;
using gupbench::MemoryKind;
using namespace std::chrono_literals;

namespace {

const unsigned long page_size = sysconf(_SC_PAGESIZE);

gupbench_run run_request(unsigned walker, unsigned long addr, unsigned long length,
			 unsigned per_call, unsigned repeats, gupbench_repeat *results)
{
	return e2e::run_request(walker, addr, length, per_call, results, repeats);
}

// Waits for `child` for at most `limit`; true if it was reaped in time (its wait status
// then in `status`).
bool reap_within(pid_t child, std::chrono::seconds limit, int *status = nullptr)
{
	return e2e::wait_until([&] { return waitpid(child, status, WNOHANG) == child; }, limit,
			       10ms);
}

// Repeat records in memory shared with a child: the module copies each repeat's record out
// as soon as that repeat ends, so the parent sees how far the child's RUN has come.
class SharedRepeats {
public:
	explicit SharedRepeats(unsigned count) : bytes_(count * sizeof(gupbench_repeat))
	{
		void *p = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			       -1, 0);
		records_ = p == MAP_FAILED ? nullptr : static_cast<gupbench_repeat *>(p);
	}
	~SharedRepeats()
	{
		if (records_)
			munmap(records_, bytes_);
	}
	gupbench_repeat *data() const { return records_; }
	// pages_done of record `i` as the module last wrote it (0 until that repeat ended).
	unsigned long long pages_done(unsigned i) const
	{
		return __atomic_load_n(&records_[i].pages_done, __ATOMIC_ACQUIRE);
	}

private:
	std::size_t bytes_;
	gupbench_repeat *records_ = nullptr;
};

// One page of an anonymous mapping left missing under a userfaultfd: a GUP call that
// reaches it sleeps in handle_userfault() until the test fills the page, so the test
// knows, without timing anything, that the walk is inside its ioctl and where. Only a
// walker that may drop the mmap lock to wait (FAULT_FLAG_ALLOW_RETRY: the *_fast fallback
// and *_unlocked) may meet it; get/pin_user_pages under the lock would get SIGBUS
// (EFAULT), and a DEBUG_VM kernel dumps a stack saying so.
class MissingPage {
public:
	explicit MissingPage(unsigned long page) : page_(page)
	{
		uffd_ = static_cast<int>(syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK));
		if (uffd_ < 0) {
			error_ = std::string("userfaultfd: ") + strerror(errno);
			return;
		}
		uffdio_api api{};
		api.api = UFFD_API;
		uffdio_register reg{};
		reg.range = { page, page_size };
		reg.mode = UFFDIO_REGISTER_MODE_MISSING;
		if (ioctl(uffd_, UFFDIO_API, &api) != 0 || ioctl(uffd_, UFFDIO_REGISTER, &reg) != 0)
			error_ = std::string("UFFDIO_API/REGISTER: ") + strerror(errno);
	}
	~MissingPage() { give_up(); }

	// Closes the userfaultfd: a walk waiting on the page wakes and fails with EFAULT.
	void give_up()
	{
		if (uffd_ >= 0)
			close(uffd_);
		uffd_ = -1;
	}
	// "" once set up, else what failed.
	const std::string &error() const { return error_; }

	// Waits (at most `limit`, giving up early when `gave_up` says so) for a fault on the
	// page; "" when one came, else why not.
	std::string wait_for_fault(const std::function<bool()> &gave_up, std::chrono::seconds limit)
	{
		auto deadline = std::chrono::steady_clock::now() + limit;
		while (std::chrono::steady_clock::now() < deadline) {
			pollfd p{ uffd_, POLLIN, 0 };
			if (poll(&p, 1, 100) == 1) {
				uffd_msg msg{};
				if (read(uffd_, &msg, sizeof(msg)) != sizeof(msg))
					return std::string("reading the userfaultfd: ") +
					       strerror(errno);
				if (msg.event != UFFD_EVENT_PAGEFAULT)
					return "userfaultfd event " + std::to_string(msg.event);
				if ((msg.arg.pagefault.address & ~(page_size - 1)) != page_)
					return "a fault at " +
					       std::to_string(msg.arg.pagefault.address);
				return "";
			}
			if (gave_up())
				return "the ioctl ended without reaching the missing page";
		}
		return "no fault on the missing page within " + std::to_string(limit.count()) +
		       " s";
	}

	// Fills the page with `byte` (UFFDIO_COPY), which wakes the walk waiting on it.
	std::string fill(char byte)
	{
		std::vector<char> source(page_size, byte);
		uffdio_copy copy{};
		copy.dst = page_;
		copy.src = reinterpret_cast<unsigned long>(source.data());
		copy.len = page_size;
		if (ioctl(uffd_, UFFDIO_COPY, &copy) != 0 || copy.copy != long(page_size))
			return std::string("UFFDIO_COPY: ") + strerror(errno);
		return "";
	}

private:
	unsigned long page_;
	int uffd_ = -1;
	std::string error_;
};

} // namespace

// SIGKILL during a long walk: the walk notices within 1024 calls (or GUP does, for the slow
// walkers), the process dies promptly, and what the walk had taken is released. The kill
// comes once the first of 1000 repeats has ended (its record is out), so it lands inside
// the RUN whatever the host's speed; that the last record never came out shows it did.
TEST(Faults, SigkillMidWalkReleasesEverything)
{
	constexpr unsigned repeats = 1000;
	const unsigned long length = 16u << 20, pages = length / page_size;
	for (unsigned walker : { GUPBENCH_WALKER_PIN_FAST, GUPBENCH_WALKER_PIN, GUPBENCH_WALKER_GET_FAST,
				 GUPBENCH_WALKER_PIN_UNLOCKED }) {
		SCOPED_TRACE(gupbench::walker_name(walker));
		auto before = vmstat_pins();
		gupbench::Mapping mapping(MemoryKind::anon, length, true);
		SharedRepeats records(repeats);
		ASSERT_NE(records.data(), nullptr) << strerror(errno);
		int fd = open(GUPBENCH_BENCH_FILE, O_RDWR);
		ASSERT_GE(fd, 0);
		pid_t child = fork();
		ASSERT_NE(child, -1) << "fork: " << strerror(errno);
		if (child == 0) {
			// Not left walking if the test stops part way.
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			// 1000 walks one page a call: minutes, were it not killed.
			auto r = run_request(walker, mapping.addr(), length, 1, repeats,
					     records.data());
			r.flags = GUPBENCH_FLAG_VERIFY;
			_exit(ioctl(fd, GUPBENCH_IOC_RUN, &r) == 0 ? 0 : 1);
		}
		int status = 0;
		bool reaped = false;
		bool started = e2e::wait_until([&] {
			reaped = waitpid(child, &status, WNOHANG) == child;
			return reaped || records.pages_done(0) != 0;
		});
		ASSERT_FALSE(reaped) << "the RUN ended before it was killed: status " << status;
		if (!started) {
			kill(child, SIGKILL);
			waitpid(child, nullptr, 0);
			FAIL() << "the first repeat did not end within 60 s";
		}
		kill(child, SIGKILL);
		EXPECT_TRUE(reap_within(child, 30s, &status)) << "did not die";
		EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
			<< "status " << status;
		EXPECT_EQ(records.pages_done(repeats - 1), 0u)
			<< "the RUN ran to its end: the kill came after it";
		// The repeat that ended before the kill was whole and checked.
		const gupbench_repeat &first = records.data()[0];
		EXPECT_EQ(first.pages_done, pages);
		EXPECT_EQ(first.calls, pages); // one page a call
		EXPECT_EQ(first.error, 0);
		EXPECT_EQ(first.verdict, unsigned(GUPBENCH_VERDICT_EXACT))
			<< gupbench::verdict_name(first.verdict) << ": "
			<< gupbench::mismatch_name(first.mismatch) << " at page "
			<< first.mismatch_page << ", expected " << first.mismatch_expected
			<< ", saw " << first.mismatch_observed;
		close(fd);
		EXPECT_EQ(pins_held_since(before), 0);
	}
}

// SIGKILL while a HOLD and a gup_test long-term pin are active: the exit closes the files
// and the files release the pins.
TEST(Faults, SigkillWhileHoldingReleasesEverything)
{
	auto before = vmstat_pins();
	gupbench::Mapping mapping(MemoryKind::anon, 512 * page_size, true);
	int held[2];
	ASSERT_EQ(pipe(held), 0);
	pid_t child = fork();
	ASSERT_NE(child, -1) << "fork: " << strerror(errno);
	if (child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL); // not left paused if the test stops part way
		int bench = open(GUPBENCH_BENCH_FILE, O_RDWR);
		int gup_test_fd = open(GUP_TEST_FILE_GUPBENCH, O_RDWR);
		auto h = e2e::hold_request(GUPBENCH_WALKER_PIN, GUPBENCH_FLAG_LONGTERM | GUPBENCH_FLAG_WRITE,
					   mapping.addr(), 256 * page_size, 32);
		gup_test_pin_longterm start{ mapping.addr() + 256 * page_size, 256 * page_size,
					     GUP_TEST_PIN_LONGTERM_FAST };
		char ok = ioctl(bench, GUPBENCH_IOC_HOLD, &h) == 0 &&
			  ioctl(gup_test_fd, GUP_TEST_PIN_LONGTERM_TEST_START, &start) == 0;
		if (write(held[1], &ok, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(held[1]);
	char ok = 0;
	ASSERT_EQ(read(held[0], &ok, 1), 1);
	close(held[0]);
	EXPECT_TRUE(ok);
	EXPECT_EQ(pins_held_since(before), 512);
	kill(child, SIGKILL);
	EXPECT_TRUE(reap_within(child, 30s));
	EXPECT_EQ(pins_held_since(before), 0);
}

// munmap, mmap and mprotect race walks of every local kind: each RUN answers, its walk
// ends in success or a fault, and nothing stays pinned. A hold whose range is unmapped
// keeps its pages (pinned memory outlives the mapping) and reads them back.
TEST(Faults, MunmapRacingWalks)
{
	auto before = vmstat_pins();
	const unsigned long length = 64 * page_size;
	char *region = static_cast<char *>(mmap(nullptr, length, PROT_READ | PROT_WRITE,
						MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0));
	ASSERT_NE(region, MAP_FAILED);
	std::atomic<bool> stop{ false };
	std::thread churn([&] {
		unsigned i = 0;
		while (!stop.load()) {
			unsigned long offset = (i * 7 % 60) * page_size;
			switch (i++ % 3) {
			case 0:
				munmap(region + offset, 4 * page_size);
				break;
			case 1:
				mmap(region + offset, 4 * page_size, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_POPULATE, -1, 0);
				break;
			default:
				mprotect(region + offset, 4 * page_size, (i & 4) ? PROT_NONE : PROT_READ | PROT_WRITE);
			}
		}
	});
	int fd = open(GUPBENCH_BENCH_FILE, O_RDWR);
	std::set<int> errors;
	unsigned runs = 0;
	auto deadline = std::chrono::steady_clock::now() + 2s;
	while (std::chrono::steady_clock::now() < deadline) {
		for (unsigned walker : { GUPBENCH_WALKER_GET_FAST, GUPBENCH_WALKER_PIN_FAST, GUPBENCH_WALKER_GET,
					 GUPBENCH_WALKER_PIN, GUPBENCH_WALKER_PIN_UNLOCKED,
					 GUPBENCH_WALKER_PIN_FAST_ONLY }) {
			if (!e2e::kernel_has_walker(walker))
				continue;
			gupbench_repeat out{};
			auto r = run_request(walker, reinterpret_cast<unsigned long>(region), length, 5, 1, &out);
			r.flags = GUPBENCH_FLAG_WRITE;
			ASSERT_EQ(ioctl_errno(fd, GUPBENCH_IOC_RUN, &r), 0);
			errors.insert(out.error);
			runs++;
		}
	}
	stop = true;
	churn.join();
	for (int error : errors)
		EXPECT_TRUE(error == 0 || error == -EFAULT) << "a walk ended with " << error;
	// A hold, then its mapping goes away under it.
	mmap(region, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	memset(region, 0x5a, length);
	auto h = e2e::hold_request(GUPBENCH_WALKER_PIN_FAST, GUPBENCH_FLAG_WRITE,
				   reinterpret_cast<unsigned long>(region), length, 64);
	ASSERT_EQ(ioctl_errno(fd, GUPBENCH_IOC_HOLD, &h), 0);
	munmap(region, length);
	std::vector<char> seen(length);
	gupbench_read read_request{ sizeof(gupbench_read), 0, reinterpret_cast<unsigned long>(seen.data()), length };
	EXPECT_EQ(ioctl_errno(fd, GUPBENCH_IOC_READ, &read_request), 0);
	EXPECT_EQ(std::string(seen.begin(), seen.end()), std::string(length, 0x5a));
	close(fd);
	EXPECT_EQ(pins_held_since(before), 0);
	RecordProperty("runs", std::to_string(runs));
}

// fork with pages held: the parent's pinned pages stay the parent's (fork copies pinned
// anonymous pages for the child), the child's writes land in its own copies, and the
// pins go only when the last process with the file closes it.
TEST(Faults, ForkWhilePinsAreHeld)
{
	auto before = vmstat_pins();
	gupbench::Mapping mapping(MemoryKind::anon, 16 * page_size, true);
	auto *bytes = reinterpret_cast<char *>(mapping.addr());
	memset(bytes, 0x11, 16 * page_size);
	int fd = open(GUPBENCH_BENCH_FILE, O_RDWR);
	auto h = e2e::hold_request(GUPBENCH_WALKER_PIN_FAST, GUPBENCH_FLAG_LONGTERM | GUPBENCH_FLAG_WRITE,
				   mapping.addr(), 16 * page_size, 16);
	ASSERT_EQ(ioctl_errno(fd, GUPBENCH_IOC_HOLD, &h), 0);
	pid_t child = fork();
	ASSERT_NE(child, -1) << "fork: " << strerror(errno);
	if (child == 0) {
		memset(bytes, 0x22, 16 * page_size); // the child's own copies
		close(fd);                           // the parent still has the file
		_exit(0);
	}
	int status = 0;
	ASSERT_EQ(waitpid(child, &status, 0), child) << strerror(errno);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT_EQ(pins_held_since(before), 16);
	std::vector<char> seen(16 * page_size);
	gupbench_read read_request{ sizeof(gupbench_read), 0, reinterpret_cast<unsigned long>(seen.data()),
				    seen.size() };
	ASSERT_EQ(ioctl_errno(fd, GUPBENCH_IOC_READ, &read_request), 0);
	EXPECT_EQ(std::string(seen.begin(), seen.end()), std::string(seen.size(), 0x11));
	bytes[0] = 0x33; // the parent writes through its mapping into the pinned page
	ASSERT_EQ(ioctl_errno(fd, GUPBENCH_IOC_READ, &read_request), 0);
	EXPECT_EQ(seen[0], 0x33);
	close(fd);
	EXPECT_EQ(pins_held_since(before), 0);
}

// close() in one thread while another is inside an ioctl on the same file: the ioctl
// keeps the file alive and finishes; the release follows it. The last page of the range is
// missing under a userfaultfd, so the walk waits there, holding the pages before it, until
// the test has closed the file: the close always lands inside the ioctl.
TEST(Faults, CloseRacingAnIoctl)
{
	constexpr unsigned long pages = 2048;
	constexpr unsigned repeats = 20;
	const unsigned long length = pages * page_size;
	for (bool hold : { false, true }) {
		SCOPED_TRACE(hold ? "HOLD" : "RUN");
		auto *region = static_cast<char *>(mmap(nullptr, length, PROT_READ | PROT_WRITE,
							MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
		ASSERT_NE(region, MAP_FAILED);
		madvise(region, length, MADV_NOHUGEPAGE); // one small page missing, not a huge one
		memset(region, 0x5a, length - page_size);
		const unsigned long addr = reinterpret_cast<unsigned long>(region);
		MissingPage last(addr + length - page_size);
		ASSERT_EQ(last.error(), "");
		auto before = vmstat_pins();
		int fd = open(GUPBENCH_BENCH_FILE, O_RDWR);
		ASSERT_GE(fd, 0);
		std::atomic<int> answer{ -1 };
		std::vector<gupbench_repeat> out(repeats);
		// Both walkers may wait on a userfaultfd (see MissingPage), one page a call.
		auto h = e2e::hold_request(GUPBENCH_WALKER_PIN_UNLOCKED, 0, addr, length, 1);
		std::thread inside([&] {
			if (hold) {
				answer = ioctl_errno(fd, GUPBENCH_IOC_HOLD, &h);
			} else {
				auto r = run_request(GUPBENCH_WALKER_PIN_FAST, addr, length, 1,
						     repeats, out.data());
				answer = ioctl_errno(fd, GUPBENCH_IOC_RUN, &r);
			}
		});
		std::string waited = last.wait_for_fault([&] { return answer.load() != -1; }, 60s);
		if (!waited.empty()) {
			close(fd);
			last.give_up();
			inside.join();
			munmap(region, length);
			FAIL() << waited << " (the ioctl answered " << answer.load() << ")";
		}
		// The walk sits at the last page, holding every page before it.
		EXPECT_EQ(pins_held_since(before), long(pages - 1));
		close(fd);
		EXPECT_EQ(answer.load(), -1) << "the ioctl returned while its walk was waiting";
		std::string filled = last.fill(0x5a);
		if (!filled.empty())
			last.give_up();
		inside.join();
		ASSERT_EQ(filled, "");
		EXPECT_EQ(answer.load(), 0);
		if (hold) {
			EXPECT_EQ(h.pages_held, pages);
		} else {
			// Every repeat ran, the 19 after the close too, on the file kept alive.
			EXPECT_EQ(out[0].pages_done, pages);
			EXPECT_EQ(out[repeats - 1].pages_done, pages);
			EXPECT_EQ(out[repeats - 1].error, 0);
		}
		EXPECT_EQ(pins_held_since(before), 0);
		munmap(region, length);
	}
}

// rmmod is refused while any file is open, even with nothing held; the module stays whole.
TEST(Faults, RmmodIsRefusedWhileAFileIsOpen)
{
	for (const char *path : { GUPBENCH_BENCH_FILE, GUP_TEST_FILE_GUPBENCH }) {
		int fd = open(path, O_RDWR);
		ASSERT_GE(fd, 0);
		errno = 0;
		EXPECT_NE(syscall(SYS_delete_module, "gupbench", O_NONBLOCK), 0) << path;
		EXPECT_EQ(errno, EWOULDBLOCK) << path;
		close(fd);
	}
	int fd = open(GUPBENCH_BENCH_FILE, O_RDWR);
	EXPECT_GE(fd, 0) << "the module is still there";
	close(fd);
}
