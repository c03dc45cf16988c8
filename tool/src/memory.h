// Memory for a walk, of each kind the benchmark covers, mapped and (optionally) faulted in.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace gupbench {

// mthp16k, mthp64k: anonymous memory in 16 and 64 KiB folios (multi-size THP, Linux 6.8+).
// hugetlb_memfd: a memfd_create(MFD_HUGETLB) file of 2 MiB pages, mapped shared.
enum class MemoryKind { anon, thp, hugetlb, shared, memfd, tmpfs, rofile, mthp16k, mthp64k, hugetlb_memfd };

std::optional<MemoryKind> parse_memory_kind(const std::string &name);
std::string memory_kind_name(MemoryKind kind);
std::vector<std::string> memory_kind_names();
// memfd and hugetlb_memfd: a memfd the pin_memfd walker can take (Mapping::fd()).
bool is_memfd_kind(MemoryKind kind);

// The folio order a multi-size THP kind is made of (2: 16 KiB, 4: 64 KiB), else 0.
unsigned mthp_order(MemoryKind kind);
// Why this kernel cannot give `kind` ("no multi-size THP: ... missing"), or "" if it can.
std::string mthp_unavailable(MemoryKind kind);

// Multi-size THP is set per folio size, for the whole system, in
// /sys/kernel/mm/transparent_hugepage/hugepages-<size>kB/enabled. While one of these
// lives, the size of `kind` is `madvise` and every other size `never` (2 MiB too, so that
// an aligned 2 MiB does not become one THP); the last one of a process puts back what
// the first found. One size at a time per process: another size throws.
class MthpPolicy {
public:
	explicit MthpPolicy(MemoryKind kind);
	~MthpPolicy();
	MthpPolicy(const MthpPolicy &) = delete;
	MthpPolicy &operator=(const MthpPolicy &) = delete;
};

// hugepages-<size>kB/stats of a multi-size THP kind's size: anonymous faults that got a
// folio of that size, and those that fell back to smaller ones (memory pressure,
// fragmentation). Both 0 where the kernel has no such statistics.
struct MthpFaults {
	unsigned long long allocated = 0, fell_back = 0;
};
MthpFaults mthp_faults(MemoryKind kind);

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
	std::unique_ptr<MthpPolicy> mthp_policy_; // multi-size THP kinds: for the mapping's life
	char *base_ = nullptr;
	char *reservation_ = nullptr; // THP: the over-sized mapping we aligned within
	std::size_t reservation_length_ = 0;
	std::size_t length_;
	int fd_ = -1;
};

// The same memory in a child process, for the remote walkers and for observe's sites that
// reach another process: the child maps it (on one CPU, its LRU batch drained after),
// reports its address and waits; the destructor kills and reaps it.
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
	// Held here, not in the child, which is killed: what the policy changed comes back.
	std::unique_ptr<MthpPolicy> mthp_policy_;
	pid_t pid_ = -1;
	unsigned long addr_ = 0;
};

} // namespace gupbench
