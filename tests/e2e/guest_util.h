// Small helpers the end-to-end tests share: /proc files, errno of an ioctl, dmesg.
#pragma once

#include <cerrno>
#include <fcntl.h>
#include <chrono>
#include <cstring>
#include <fstream>
#include <functional>
#include <linux/capability.h>
#include <string>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <thread>
#include <sys/utsname.h>
#include <unistd.h>
#include <utility>
#include <vector>

#include <uapi/gupbench.h>

#include "vmstat_pins.h"
#include "walkers.h"

namespace e2e {

// What the module's kernel has (GUPBENCH_IOC_INFO): a walker or FOLL_* flag it lacks
// (pin_fast_only and FOLL_TOUCH since 6.3) is refused with EOPNOTSUPP, and the tests that
// go over walkers or flags leave it out.
inline gupbench_info kernel_info()
{
	gupbench_info info{};
	info.size = sizeof(info);
	int fd = open(GUPBENCH_BENCH_FILE, O_RDWR);
	if (fd >= 0) {
		ioctl(fd, GUPBENCH_IOC_INFO, &info);
		close(fd);
	}
	return info;
}
inline bool kernel_has_walker(unsigned walker)
{
	return kernel_info().walkers & (1ull << walker);
}
inline bool kernel_has_flags(unsigned long long flags)
{
	return (kernel_info().flags & flags) == flags;
}

// The running kernel's version, from uname: {major, minor}.
inline std::pair<int, int> linux_version()
{
	utsname u{};
	uname(&u);
	int major = 0, minor = 0;
	sscanf(u.release, "%d.%d", &major, &minor);
	return { major, minor };
}

inline bool linux_at_least(int major, int minor)
{
	return linux_version() >= std::make_pair(major, minor);
}

inline void write_file(const char *path, const std::string &text)
{
	std::ofstream(path) << text;
}

using gupbench::pins_held_since;
using gupbench::vmstat_pins;

// How far nr_foll_pin_acquired and _released moved since `before` (a vmstat_pins()).
inline std::pair<long, long> pins_moved_since(std::pair<long, long> before)
{
	auto now = vmstat_pins();
	return { now.first - before.first, now.second - before.second };
}

// 0, or the errno of a failed ioctl.
inline int ioctl_errno(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) == 0 ? 0 : errno;
}

// The kernel log as it is now (klogctl's SYSLOG_ACTION_READ_ALL).
inline std::string kernel_log()
{
	int size = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, nullptr, 0);
	std::vector<char> buffer(size > 0 ? size : 1 << 20);
	int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buffer.data(), buffer.size());
	return n > 0 ? std::string(buffer.data(), n) : std::string();
}

// What the kernel logged after `before` (a kernel_log() taken earlier).
inline std::string kernel_log_since(const std::string &before)
{
	std::string now = kernel_log();
	// The ring buffer may have wrapped; then all of it is new enough for a test.
	if (now.size() >= before.size() && now.compare(0, before.size(), before) == 0)
		return now.substr(before.size());
	return now;
}

// Whether this kernel has transparent huge pages (PREEMPT_RT kernels have none in 6.1).
inline bool has_thp()
{
	return access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK) == 0;
}

#define E2E_SKIP_WITHOUT_THP()                                                                \
	do {                                                                                  \
		if (!e2e::has_thp())                                                          \
			GTEST_SKIP() << "no THP on this kernel (CONFIG_TRANSPARENT_HUGEPAGE is not set)"; \
	} while (0)

#define E2E_SKIP_WITHOUT_WALKER(walker)                                                       \
	do {                                                                                  \
		if (!e2e::kernel_has_walker(walker))                                          \
			GTEST_SKIP() << "not in this kernel (GUPBENCH_IOC_INFO): "                  \
				     << gupbench::walker_name(walker);                       \
	} while (0)

// Drops `cap` from this process's effective and permitted sets (for good); true if done.
inline bool drop_capability(int cap)
{
	__user_cap_header_struct header{ _LINUX_CAPABILITY_VERSION_3, 0 };
	__user_cap_data_struct caps[2]{};
	if (syscall(SYS_capget, &header, caps) != 0)
		return false;
	caps[CAP_TO_INDEX(cap)].effective &= ~CAP_TO_MASK(cap);
	caps[CAP_TO_INDEX(cap)].permitted &= ~CAP_TO_MASK(cap);
	caps[CAP_TO_INDEX(cap)].inheritable &= ~CAP_TO_MASK(cap);
	return syscall(SYS_capset, &header, caps) == 0;
}

// Runs `body` in a forked child and returns what it returned: "" when all was well, else
// what went wrong. For checks that need other credentials or limits than the test's own.
inline std::string in_child(const std::function<std::string()> &body)
{
	int pipe_fds[2];
	if (pipe(pipe_fds) != 0)
		return std::string("pipe failed: ") + strerror(errno);
	pid_t child = fork();
	if (child < 0) {
		// Never run on as if this were the parent of a child that ran `body`.
		std::string report = std::string("fork failed: ") + strerror(errno);
		close(pipe_fds[0]);
		close(pipe_fds[1]);
		return report;
	}
	if (child == 0) {
		close(pipe_fds[0]);
		std::string report = body();
		if (write(pipe_fds[1], report.data(), report.size()) < 0)
			_exit(2);
		_exit(0);
	}
	close(pipe_fds[1]);
	std::string report;
	char buffer[512];
	ssize_t n;
	while ((n = read(pipe_fds[0], buffer, sizeof(buffer))) > 0)
		report.append(buffer, n);
	close(pipe_fds[0]);
	int status = 0;
	if (waitpid(child, &status, 0) != child)
		return report + " (waitpid failed: " + strerror(errno) + ")";
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		report += " (the child died: status " + std::to_string(status) + ")";
	return report;
}

// Polls `reached` every `period` until it holds; false if it still did not after `limit`.
// For tests that must act once something has happened (a walk has started), not after a
// guess at how long that takes: under emulation, on a busy host, that varies tenfold.
inline bool wait_until(const std::function<bool()> &reached,
		       std::chrono::milliseconds limit = std::chrono::seconds(60),
		       std::chrono::milliseconds period = std::chrono::milliseconds(1))
{
	auto deadline = std::chrono::steady_clock::now() + limit;
	for (;;) {
		if (reached())
			return true;
		if (std::chrono::steady_clock::now() >= deadline)
			return false;
		std::this_thread::sleep_for(period);
	}
}

// For in_child bodies: appends "what: expected E, saw S; " when they differ.
inline void expect_in_child(std::string &report, const char *what, long expected, long seen)
{
	if (expected != seen)
		report += std::string(what) + ": expected " + std::to_string(expected) + ", saw " +
			  std::to_string(seen) + "; ";
}

// VmLck of this process, in kB (/proc/self/status): mlock()ed plus locked_vm charges.
inline long locked_kb()
{
	std::ifstream in("/proc/self/status");
	std::string line;
	while (std::getline(in, line))
		if (line.rfind("VmLck:", 0) == 0)
			return std::stol(line.substr(6));
	return -1;
}

} // namespace e2e
