#include "target.h"

#include <fstream>
#include <sstream>
#include <unistd.h>

#include <uapi/gupbench.h>

#include "run_report.h"

namespace gupbench {

std::size_t smaps_bytes(pid_t pid, unsigned long addr, const std::string &field)
{
	std::ifstream smaps(pid ? "/proc/" + std::to_string(pid) + "/smaps" : "/proc/self/smaps");
	const std::string key = field + ":";
	std::string line;
	bool inside = false;
	while (std::getline(smaps, line)) {
		unsigned long start, end;
		char dash;
		std::istringstream header(line);
		if (header >> std::hex >> start >> dash >> end && dash == '-') {
			inside = start <= addr && addr < end;
			continue;
		}
		if (inside && line.rfind(key, 0) == 0)
			return std::stoul(line.substr(key.size())) * 1024;
	}
	return 0;
}

bool is_remote_walker(unsigned walker)
{
	return walker == GUPBENCH_WALKER_GET_REMOTE || walker == GUPBENCH_WALKER_PIN_REMOTE;
}

std::string memfd_walk_mismatch(unsigned walker, MemoryKind kind, std::uint64_t flags)
{
	if (walker != GUPBENCH_WALKER_PIN_MEMFD)
		return "";
	if (!is_memfd_kind(kind))
		return "pin_memfd walks a memfd: memory memfd or hugetlb_memfd, not " +
		       memory_kind_name(kind);
	if (flags & ~(GUPBENCH_FLAG_LONGTERM | GUPBENCH_FLAG_VERIFY | GUPBENCH_FLAG_WALK_TIME))
		return "pin_memfd takes no write, force, touch, dirty or lock-once: "
		       "memfd_pin_folios() has no such flags";
	return "";
}

void reserve_huge_pages(std::size_t bytes)
{
	unsigned long want = (bytes + (2u << 20) - 1) / (2u << 20), have = 0;
	std::ifstream("/proc/sys/vm/nr_hugepages") >> have;
	if (have < want)
		std::ofstream("/proc/sys/vm/nr_hugepages") << want;
}

WalkTarget::WalkTarget(unsigned walker, MemoryKind kind, std::size_t size, bool prefault)
	: kind_(kind), size_(size)
{
	const MthpFaults before = mthp_faults(kind);
	if (is_remote_walker(walker))
		remote_ = std::make_unique<RemoteMapping>(kind, size, prefault);
	else
		local_ = std::make_unique<Mapping>(kind, size, prefault);
	if (mthp_order(kind) && prefault) {
		// The kernel counts, per folio size, the faults that got one and those that
		// fell back to smaller folios: for lack of memory, not for any fault of ours.
		const MthpFaults after = mthp_faults(kind);
		const std::size_t folio = sysconf(_SC_PAGESIZE) << mthp_order(kind);
		unsigned long long fell_back = after.fell_back - before.fell_back;
		if (fell_back > 0)
			shortfall_ = std::to_string(fell_back) + " of " + std::to_string(size / folio) +
				     " faults for " + std::to_string(folio >> 10) +
				     " KiB folios fell back to small folios (anon_fault_fallback: the "
				     "kernel found no free " + std::to_string(folio >> 10) +
				     " KiB block: memory pressure or fragmentation)";
	}
	if (remote_)
		return;
	if (kind == MemoryKind::thp && prefault) {
		std::size_t huge = smaps_bytes(0, local_->addr(), "AnonHugePages");
		if (huge < size)
			shortfall_ = "only " + std::to_string(huge >> 20) + " MiB of " +
				     std::to_string(size >> 20) + " MiB is THP-backed";
	}
}

WalkTarget::~WalkTarget() = default;

std::string WalkTarget::folio_shortfall(const gupbench_repeat &r) const
{
	const unsigned order = mthp_order(kind_);
	if (!order || !r.folio_orders)
		return "";
	const unsigned long long expected = size_ / (sysconf(_SC_PAGESIZE) << order);
	if (r.folio_orders == 1u << order && r.large_folios == expected)
		return "";
	return "the walk took folios of order " + folio_orders_text(r.folio_orders) + ", " +
	       std::to_string(r.large_folios) + " of " + std::to_string(r.folios) +
	       " large; " + memory_kind_name(kind_) + " asks for " + std::to_string(expected) +
	       " of order " + std::to_string(order) +
	       (shortfall_.empty() ? "" : " (" + shortfall_ + ")");
}

unsigned long WalkTarget::addr() const
{
	return local_ ? local_->addr() : remote_->addr();
}

void WalkTarget::aim(gupbench_run &request) const
{
	if (request.walker == GUPBENCH_WALKER_PIN_MEMFD) {
		request.addr = 0;
		request.memfd = local_->fd();
		request.memfd_offset = 0;
		return;
	}
	request.addr = addr();
	request.target_pid = pid();
}

pid_t WalkTarget::pid() const
{
	return remote_ ? remote_->pid() : 0;
}

} // namespace gupbench
