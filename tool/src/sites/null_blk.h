// A null_blk block device made through configfs for as long as this object lives: no
// storage behind it, and with irqmode=2 (timer) every I/O completes completion_ns after it
// was submitted, so the pages of an O_DIRECT I/O stay held for that long.
#pragma once

#include <cstddef>
#include <string>

namespace gupbench {

class NullBlkDevice {
public:
	// Why this kernel cannot make one (no null_blk in configfs), or "" if it can; mounts
	// configfs where it is not yet.
	static std::string unavailable();
	// Throws SiteUnavailable where the kernel has no null_blk in configfs.
	NullBlkDevice(std::size_t bytes, unsigned long long completion_ns);
	~NullBlkDevice();
	NullBlkDevice(const NullBlkDevice &) = delete;
	NullBlkDevice &operator=(const NullBlkDevice &) = delete;

	const std::string &path() const { return path_; } // /dev/<its configfs name>

private:
	void configure(std::size_t bytes, unsigned long long completion_ns);
	void teardown();

	std::string dir_;  // its configfs directory
	std::string path_;
	bool powered_ = false;
};

} // namespace gupbench
