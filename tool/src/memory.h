// Memory for a walk, of each kind the benchmark covers, mapped and (optionally) faulted in.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace gupbench {

// hugetlb_memfd: a memfd_create(MFD_HUGETLB) file of 2 MiB pages, mapped shared.
enum class MemoryKind { anon, thp, hugetlb, shared, memfd, tmpfs, rofile, hugetlb_memfd };

std::optional<MemoryKind> parse_memory_kind(const std::string &name);
std::string memory_kind_name(MemoryKind kind);
std::vector<std::string> memory_kind_names();
// memfd and hugetlb_memfd: a memfd the pin_memfd walker can take (Mapping::fd()).
bool is_memfd_kind(MemoryKind kind);

class Mapping {
public:
	// Maps `length` bytes of `kind`; prefault touches every page (writes where writable).
	Mapping(MemoryKind kind, std::size_t length, bool prefault);
	~Mapping();
	Mapping(const Mapping &) = delete;
	Mapping &operator=(const Mapping &) = delete;

	unsigned long addr() const { return reinterpret_cast<unsigned long>(base_); }
	std::size_t length() const { return length_; }
	bool writable() const { return kind_ != MemoryKind::rofile; }
	MemoryKind kind() const { return kind_; }
	int fd() const { return fd_; } // the file behind it, or -1 (anonymous memory)

private:
	MemoryKind kind_;
	char *base_ = nullptr;
	char *reservation_ = nullptr; // THP: the over-sized mapping we aligned within
	std::size_t reservation_length_ = 0;
	std::size_t length_;
	int fd_ = -1;
};

// The same memory in a child process, for the remote walkers: the child maps it, reports
// its address and waits; the destructor kills and reaps it.
class RemoteMapping {
public:
	RemoteMapping(MemoryKind kind, std::size_t length, bool prefault);
	~RemoteMapping();
	RemoteMapping(const RemoteMapping &) = delete;
	RemoteMapping &operator=(const RemoteMapping &) = delete;

	pid_t pid() const { return pid_; }
	unsigned long addr() const { return addr_; }
	// Kills and reaps the child now (its pid then names no process).
	void kill_and_reap();

private:
	pid_t pid_ = -1;
	unsigned long addr_ = 0;
};

} // namespace gupbench
