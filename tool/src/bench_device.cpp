#include "bench_device.h"

#include <algorithm>
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

BenchDevice::Probe BenchDevice::probe(unsigned long addr, unsigned long length, unsigned max_folios,
				      int target_pid) const
{
	Probe p{};
	p.answer.target_pid = target_pid;
	p.folios.resize(max_folios);
	p.answer.size = sizeof(p.answer);
	p.answer.addr = addr;
	p.answer.length = length;
	p.answer.folio_size = sizeof(gupbench_probe_folio);
	p.answer.max_folios = max_folios;
	p.answer.folios = reinterpret_cast<unsigned long>(p.folios.data());
	file_.ioctl(GUPBENCH_IOC_PROBE, &p.answer, "GUPBENCH_IOC_PROBE");
	p.folios.resize(std::min<unsigned long long>(p.answer.folios_seen, max_folios));
	return p;
}

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
