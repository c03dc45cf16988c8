// The memory a benchmark walk takes: mapped in this process for the local walkers, in a
// child for the remote ones, with what a case must know about it (is the THP really
// huge, are there enough hugetlb pages).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <sys/types.h>

#include <uapi/gupbench.h>

#include "memory.h"

namespace gupbench {

// Bytes that /proc/PID/smaps (0: this process) gives as FIELD ("AnonHugePages",
// "Anonymous"...) for the mapping that holds addr; 0 when none does.
std::size_t smaps_bytes(pid_t pid, unsigned long addr, const std::string &field);

bool is_remote_walker(unsigned walker);
// Why `walker` cannot walk memory of `kind` with `flags` (GUPBENCH_FLAG_*), or "": pin_memfd
// takes only a memfd, and of the flags only LONGTERM, VERIFY and WALK_TIME.
std::string memfd_walk_mismatch(unsigned walker, MemoryKind kind, std::uint64_t flags);

// hugetlb memory needs reserved huge pages: reserves enough for `bytes` if fewer are.
void reserve_huge_pages(std::size_t bytes);

class WalkTarget {
public:
	WalkTarget(unsigned walker, MemoryKind kind, std::size_t size, bool prefault);
	~WalkTarget();
	WalkTarget(const WalkTarget &) = delete;
	WalkTarget &operator=(const WalkTarget &) = delete;

	unsigned long addr() const;
	pid_t pid() const; // 0 for a local mapping: RUN's target_pid
	// Points a RUN at this memory: addr and target_pid, or for the memfd walker memfd and
	// memfd_offset (addr 0).
	void aim(gupbench_run &request) const;
	bool writable() const { return kind_ != MemoryKind::rofile; }
	// Why the memory is not what was asked ("only 12 MiB of 16 MiB is THP-backed"), or "".
	const std::string &shortfall() const { return shortfall_; }
	// For a multi-size THP kind: how the folios a verified walk saw (its record's
	// folio_orders and large_folios) differ from the size asked for, or "" when they do
	// not (or the walk was not verified, or the kind is another).
	std::string folio_shortfall(const gupbench_repeat &verified) const;

private:
	MemoryKind kind_;
	std::size_t size_;
	std::unique_ptr<Mapping> local_;
	std::unique_ptr<RemoteMapping> remote_;
	std::string shortfall_;
};

} // namespace gupbench
