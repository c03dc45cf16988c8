// The memory a benchmark walk takes: mapped in this process for the local walkers, in a
// child for the remote ones, with what a case must know about it (is the THP really
// huge, are there enough hugetlb pages).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <sys/types.h>

#include "memory.h"

namespace gupbench {

bool is_remote_walker(unsigned walker);

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
	bool writable() const { return kind_ != MemoryKind::rofile; }
	// Why the memory is not what was asked ("only 12 MiB of 16 MiB is THP-backed"), or "".
	const std::string &shortfall() const { return shortfall_; }

private:
	MemoryKind kind_;
	std::unique_ptr<Mapping> local_;
	std::unique_ptr<RemoteMapping> remote_;
	std::string shortfall_;
};

} // namespace gupbench
