// The module's debugfs file, as the tool sees it: open it and make ioctls.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include <uapi/gupbench.h>

namespace gupbench {

// A failed system call, with the errno the kernel gave.
class SystemError : public std::runtime_error {
public:
	SystemError(const std::string &what, int error_number);
	int error_number() const { return error_number_; }

private:
	int error_number_;
};

class BenchDevice {
public:
	explicit BenchDevice(const std::string &path = GUPBENCH_BENCH_FILE);
	~BenchDevice();
	BenchDevice(const BenchDevice &) = delete;
	BenchDevice &operator=(const BenchDevice &) = delete;

	gupbench_info info() const;
	// RUN: returns one result per repeat. Throws SystemError when the ioctl is refused.
	std::vector<gupbench_repeat> run(gupbench_run request) const;

private:
	int fd_;
	std::string path_;
};

} // namespace gupbench
