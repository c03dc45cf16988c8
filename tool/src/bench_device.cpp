#include "bench_device.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace gupbench {

SystemError::SystemError(const std::string &what, int error_number)
	: std::runtime_error(what + ": " + std::strerror(error_number)),
	  error_number_(error_number)
{
}

BenchDevice::BenchDevice(const std::string &path) : fd_(-1), path_(path)
{
	fd_ = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
	if (fd_ < 0) {
		int error = errno;
		std::string hint = error == ENOENT ? " (is gupbench.ko loaded and debugfs mounted?)" : "";
		throw SystemError("cannot open " + path + hint, error);
	}
}

BenchDevice::~BenchDevice()
{
	::close(fd_);
}

gupbench_info BenchDevice::info() const
{
	gupbench_info info{};
	info.size = sizeof(info);
	if (::ioctl(fd_, GUPBENCH_IOC_INFO, &info) != 0)
		throw SystemError("GUPBENCH_IOC_INFO on " + path_, errno);
	return info;
}

} // namespace gupbench

namespace gupbench {

std::vector<gupbench_repeat> BenchDevice::run(gupbench_run request) const
{
	std::vector<gupbench_repeat> results(request.repeats);
	request.size = sizeof(request);
	request.repeat_size = sizeof(gupbench_repeat);
	request.results = reinterpret_cast<unsigned long>(results.data());
	if (::ioctl(fd_, GUPBENCH_IOC_RUN, &request) != 0)
		throw SystemError("GUPBENCH_IOC_RUN on " + path_, errno);
	return results;
}

} // namespace gupbench
