// Faults, in the guest: a process killed mid-walk or while it holds pins, munmap racing a
// walk, fork with pins held, close racing an ioctl, rmmod with a file open. Each ends with
// every pin released (vmstat) and nothing said in dmesg (check-all's audit).
#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <set>
#include <signal.h>
#include <string>
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

// Waits for `child` for at most `limit`; true if it was reaped in time.
bool reap_within(pid_t child, std::chrono::seconds limit)
{
	auto deadline = std::chrono::steady_clock::now() + limit;
	while (std::chrono::steady_clock::now() < deadline) {
		if (waitpid(child, nullptr, WNOHANG) == child)
			return true;
		std::this_thread::sleep_for(10ms);
	}
	return false;
}

// A child that tells the parent (one byte on a pipe) that it is about to do `work`.
pid_t fork_and_signal(int &ready_fd, const std::function<void()> &work)
{
	int fds[2];
	if (pipe(fds) != 0)
		return -1;
	pid_t child = fork();
	if (child == 0) {
		close(fds[0]);
		char byte = 1;
		if (write(fds[1], &byte, 1) != 1)
			_exit(1);
		work();
		_exit(0);
	}
	close(fds[1]);
	ready_fd = fds[0];
	return child;
}

} // namespace

// SIGKILL during a long walk: the walk notices within 1024 calls (or GUP does, for the slow
// walkers), the process dies promptly, and what the walk had taken is released.
TEST(Faults, SigkillMidWalkReleasesEverything)
{
	for (unsigned walker : { GUPBENCH_WALKER_PIN_FAST, GUPBENCH_WALKER_PIN, GUPBENCH_WALKER_GET_FAST,
				 GUPBENCH_WALKER_PIN_UNLOCKED }) {
		auto before = vmstat_pins();
		gupbench::Mapping mapping(MemoryKind::anon, 16u << 20, true);
		int fd = open(GUPBENCH_BENCH_FILE, O_RDWR);
		ASSERT_GE(fd, 0);
		int ready = -1;
		pid_t child = fork_and_signal(ready, [&] {
			// 1000 walks one page a call: minutes, were it not killed.
			std::vector<gupbench_repeat> out(1000);
			auto r = run_request(walker, mapping.addr(), mapping.length(), 1, 1000, out.data());
			r.flags = GUPBENCH_FLAG_VERIFY;
			ioctl(fd, GUPBENCH_IOC_RUN, &r);
		});
		char byte;
		ASSERT_EQ(read(ready, &byte, 1), 1);
		close(ready);
		std::this_thread::sleep_for(300ms); // well into the walk
		kill(child, SIGKILL);
		EXPECT_TRUE(reap_within(child, 30s)) << "walker " << walker << " did not die";
		close(fd);
		EXPECT_EQ(pins_held_since(before), 0) << "walker " << walker;
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
	if (child == 0) {
		memset(bytes, 0x22, 16 * page_size); // the child's own copies
		close(fd);                           // the parent still has the file
		_exit(0);
	}
	int status = 0;
	waitpid(child, &status, 0);
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
// keeps the file alive and finishes; the release follows it.
TEST(Faults, CloseRacingAnIoctl)
{
	auto before = vmstat_pins();
	gupbench::Mapping mapping(MemoryKind::anon, 8u << 20, true);
	for (bool hold : { false, true }) {
		int fd = open(GUPBENCH_BENCH_FILE, O_RDWR);
		std::atomic<int> answer{ -1 };
		std::vector<gupbench_repeat> out(20);
		std::thread inside([&] {
			if (hold) {
				auto h = e2e::hold_request(GUPBENCH_WALKER_PIN, 0, mapping.addr(),
							   mapping.length(), 1);
				answer = ioctl_errno(fd, GUPBENCH_IOC_HOLD, &h);
			} else {
				auto r = run_request(GUPBENCH_WALKER_PIN_FAST, mapping.addr(), mapping.length(), 1,
						     20, out.data());
				answer = ioctl_errno(fd, GUPBENCH_IOC_RUN, &r);
			}
		});
		std::this_thread::sleep_for(50ms);
		close(fd);
		inside.join();
		EXPECT_EQ(answer.load(), 0) << (hold ? "HOLD" : "RUN");
		EXPECT_EQ(pins_held_since(before), 0) << (hold ? "HOLD" : "RUN");
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
