// Small helpers the end-to-end tests share: /proc files, errno of an ioctl, dmesg.
#pragma once

#include <cerrno>
#include <fstream>
#include <string>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <utility>
#include <vector>

namespace e2e {

inline void write_file(const char *path, const std::string &text)
{
	std::ofstream(path) << text;
}

// nr_foll_pin_acquired and _released, folded first: /proc/vmstat alone lags behind.
inline std::pair<long, long> vmstat_pins()
{
	write_file("/proc/sys/vm/stat_refresh", "1");
	std::ifstream in("/proc/vmstat");
	std::string name;
	long value, acquired = -1, released = -1;
	while (in >> name >> value) {
		if (name == "nr_foll_pin_acquired")
			acquired = value;
		if (name == "nr_foll_pin_released")
			released = value;
	}
	return { acquired, released };
}

// Pins held right now, as vmstat counts them, relative to `before`.
inline long pins_held_since(std::pair<long, long> before)
{
	auto now = vmstat_pins();
	return (now.first - before.first) - (now.second - before.second);
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

} // namespace e2e
