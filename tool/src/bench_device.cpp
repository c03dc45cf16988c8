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

DeviceFile::DeviceFile(const std::string &path, const std::string &missing_hint)
	: fd_(::open(path.c_str(), O_RDWR | O_CLOEXEC)), path_(path)
{
	if (fd_ < 0) {
		int error = errno;
		throw SystemError("cannot open " + path + (error == ENOENT ? missing_hint : ""), error);
	}
}

DeviceFile::~DeviceFile()
{
	::close(fd_);
}

void DeviceFile::ioctl(unsigned long request, void *arg, const char *what) const
{
	if (::ioctl(fd_, request, arg) != 0)
		throw SystemError(std::string(what) + " on " + path_, errno);
}

BenchDevice::BenchDevice(const std::string &path)
	: file_(path, " (is gupbench.ko loaded and debugfs mounted?)")
{
}

gupbench_info BenchDevice::info() const
{
	gupbench_info info{};
	info.size = sizeof(info);
	file_.ioctl(GUPBENCH_IOC_INFO, &info, "GUPBENCH_IOC_INFO");
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
	file_.ioctl(GUPBENCH_IOC_RUN, &request, "GUPBENCH_IOC_RUN");
	return results;
}

} // namespace gupbench
