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

// A debugfs file the tool makes ioctls on, open for its lifetime.
class DeviceFile {
public:
	// `missing_hint` is added to the error when the file does not exist.
	DeviceFile(const std::string &path, const std::string &missing_hint);
	~DeviceFile();
	DeviceFile(const DeviceFile &) = delete;
	DeviceFile &operator=(const DeviceFile &) = delete;

	// ioctl(request, arg); a refusal throws SystemError naming `what` and the file.
	void ioctl(unsigned long request, void *arg, const char *what) const;

private:
	int fd_;
	std::string path_;
};

class BenchDevice {
public:
	explicit BenchDevice(const std::string &path = GUPBENCH_BENCH_FILE);

	gupbench_info info() const;
	// RUN: returns one result per repeat. Throws SystemError when the ioctl is refused.
	std::vector<gupbench_repeat> run(gupbench_run request) const;
	// PROBE of [addr, addr + length) of this process: one record per run of a folio's
	// pages, at most max_folios of them (the answer's folios_seen counts them all).
	struct Probe {
		gupbench_probe answer;
		std::vector<gupbench_probe_folio> folios;
	};
	// Of the caller's memory, or of `target_pid`'s (one the caller may ptrace).
	Probe probe(unsigned long addr, unsigned long length, unsigned max_folios, int target_pid = 0) const;

private:
	DeviceFile file_;
};

} // namespace gupbench
