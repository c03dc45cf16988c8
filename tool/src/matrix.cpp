#include "matrix.h"

#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include "walkers.h"

namespace gupbench {
namespace {

std::string size_name(std::size_t size)
{
	if (size % (1u << 30) == 0)
		return std::to_string(size >> 30) + "G";
	if (size % (1u << 20) == 0)
		return std::to_string(size >> 20) + "M";
	return std::to_string(size >> 10) + "K";
}

bool is_remote(unsigned walker)
{
	return walker == GUPBENCH_WALKER_GET_REMOTE || walker == GUPBENCH_WALKER_PIN_REMOTE;
}

// Bytes of [addr, addr + length) that smaps says are THP-backed (AnonHugePages of the VMA
// holding addr): a THP case that did not get huge pages must say so.
std::size_t anon_huge_bytes(unsigned long addr)
{
	std::ifstream smaps("/proc/self/smaps");
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
		if (inside && line.rfind("AnonHugePages:", 0) == 0)
			return std::stoul(line.substr(14)) * 1024;
	}
	return 0;
}

// hugetlb cases need reserved huge pages; reserve enough for this case if fewer are.
void reserve_huge_pages(std::size_t size)
{
	unsigned long want = (size + (2u << 20) - 1) / (2u << 20), have = 0;
	std::ifstream("/proc/sys/vm/nr_hugepages") >> have;
	if (have < want)
		std::ofstream("/proc/sys/vm/nr_hugepages") << want;
}

} // namespace

std::string case_id(const CaseSpec &spec)
{
	return walker_name(spec.walker) + "/" + memory_kind_name(spec.memory) + "/" +
	       (spec.write ? "write" : "read") + "/n" +
	       (spec.pages_per_call ? std::to_string(spec.pages_per_call) : std::string("all")) + "/" +
	       size_name(spec.size);
}

std::vector<CaseSpec> expand(const MatrixOptions &o)
{
	std::vector<CaseSpec> cases;
	for (unsigned walker : o.walkers)
		for (MemoryKind memory : o.memories)
			for (bool write : o.writes)
				for (std::size_t size : o.sizes)
					for (unsigned n : o.pages_per_call)
						cases.push_back({ walker, memory, size, n, write });
	return cases;
}

CaseOutcome run_case(const BenchDevice &device, const CaseSpec &spec, const MatrixOptions &o)
{
	CaseOutcome outcome{ spec, {}, {}, false };
	const std::size_t page = sysconf(_SC_PAGESIZE);
	const unsigned long long pages = spec.size / page;
	bool pins = spec.walker % 2 == 1; // odd walkers pin (enum gupbench_walker)
	if (o.longterm && !pins) {
		outcome.skipped = true;
		outcome.note = "FOLL_LONGTERM needs a pin walker";
		return outcome;
	}
	if (spec.memory == MemoryKind::hugetlb)
		reserve_huge_pages(spec.size);

	gupbench_run request{};
	request.walker = spec.walker;
	request.length = spec.size;
	request.pages_per_call = spec.pages_per_call ? spec.pages_per_call : static_cast<unsigned>(pages);
	request.repeats = o.warmup + o.repeats;
	request.flags = (spec.write ? GUPBENCH_FLAG_WRITE : 0) | (o.longterm ? GUPBENCH_FLAG_LONGTERM : 0) |
			(o.verify ? GUPBENCH_FLAG_VERIFY : 0) | (o.walk_time ? GUPBENCH_FLAG_WALK_TIME : 0);

	std::unique_ptr<Mapping> local;
	std::unique_ptr<RemoteMapping> remote;
	if (is_remote(spec.walker)) {
		remote = std::make_unique<RemoteMapping>(spec.memory, spec.size, o.prefault);
		request.addr = remote->addr();
		request.target_pid = remote->pid();
	} else {
		local = std::make_unique<Mapping>(spec.memory, spec.size, o.prefault);
		request.addr = local->addr();
		if (spec.memory == MemoryKind::thp && o.prefault) {
			std::size_t huge = anon_huge_bytes(request.addr);
			if (huge < spec.size)
				outcome.note = "only " + std::to_string(huge >> 20) + " MiB of " +
					       std::to_string(spec.size >> 20) + " MiB is THP-backed";
		}
	}
	if (spec.write && local && !local->writable()) {
		outcome.skipped = true;
		outcome.note = "a write walk of a read-only mapping (refused with EFAULT)";
		return outcome;
	}
	auto all = device.run(request);
	std::vector<gupbench_repeat> measured(all.begin() + o.warmup, all.end());
	outcome.figures = figures_of(measured, pages);
	return outcome;
}

} // namespace gupbench
