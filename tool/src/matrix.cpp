#include "matrix.h"

#include <barrier>
#include <exception>
#include <memory>
#include <thread>

#include "info_report.h"
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

bool takes_lock_once(unsigned walker)
{
	return walker == GUPBENCH_WALKER_GET || walker == GUPBENCH_WALKER_PIN;
}

// Per thread, per repeat (warm-up included): one RUN's result.
using Repeats = std::vector<std::vector<gupbench_repeat>>;

// Every thread makes one RUN per repeat, all released together by a barrier, so that the
// walks of one repeat overlap. A thread whose RUN is refused keeps meeting the barrier
// (the others would wait for it forever) and its error is thrown after the join.
Repeats run_threads(const BenchDevice &device, const std::vector<gupbench_run> &requests,
		    unsigned iterations)
{
	const std::size_t threads = requests.size();
	Repeats results(threads, std::vector<gupbench_repeat>(iterations));
	if (threads == 1) {
		for (unsigned i = 0; i < iterations; i++)
			results[0][i] = device.run(requests[0])[0];
		return results;
	}
	std::barrier start(static_cast<std::ptrdiff_t>(threads));
	std::vector<std::exception_ptr> failures(threads);
	std::vector<std::thread> workers;
	for (std::size_t t = 0; t < threads; t++)
		workers.emplace_back([&, t] {
			for (unsigned i = 0; i < iterations; i++) {
				start.arrive_and_wait();
				if (failures[t])
					continue;
				try {
					results[t][i] = device.run(requests[t])[0];
				} catch (...) {
					failures[t] = std::current_exception();
				}
			}
		});
	for (auto &worker : workers)
		worker.join();
	for (auto &failure : failures)
		if (failure)
			std::rethrow_exception(failure);
	return results;
}

} // namespace

std::string case_id(const CaseSpec &spec)
{
	std::string id = walker_name(spec.walker) + "/" + memory_kind_name(spec.memory) + "/" +
			 (spec.write ? "write" : "read") + "/n" +
			 (spec.pages_per_call ? std::to_string(spec.pages_per_call) : std::string("all")) +
			 "/" + size_name(spec.size);
	if (spec.threads > 1)
		id += "/x" + std::to_string(spec.threads) + (spec.disjoint ? "-disjoint" : "-shared");
	return id;
}

std::vector<CaseSpec> expand(const MatrixOptions &o)
{
	std::vector<CaseSpec> cases;
	for (unsigned walker : o.walkers)
		for (MemoryKind memory : o.memories)
			for (bool write : o.writes)
				for (std::size_t size : o.sizes)
					for (unsigned n : o.pages_per_call)
						for (unsigned threads : o.threads)
							for (bool disjoint : o.disjoint) {
								if (threads == 1 && disjoint && o.disjoint.size() > 1)
									continue; // the same as the shared one
								cases.push_back({ walker, memory, size, n, write,
										  threads, threads > 1 && disjoint });
							}
	return cases;
}

CaseOutcome run_case(const BenchDevice &device, const CaseSpec &spec, const MatrixOptions &o)
{
	CaseOutcome outcome{ spec, {}, {}, {}, {}, false };
	const std::size_t page = sysconf(_SC_PAGESIZE);
	const unsigned long long pages = spec.size / page;
	const unsigned threads = std::max(spec.threads, 1u);
	bool pins = walker_pins(spec.walker);
	const std::uint64_t flags =
		(spec.write ? GUPBENCH_FLAG_WRITE : 0) | (o.longterm ? GUPBENCH_FLAG_LONGTERM : 0) |
		(o.verify ? GUPBENCH_FLAG_VERIFY : 0) | (o.walk_time ? GUPBENCH_FLAG_WALK_TIME : 0) |
		(o.lock_once && takes_lock_once(spec.walker) ? GUPBENCH_FLAG_LOCK_ONCE : 0);
	if (auto why = o.kernel ? not_in_kernel(*o.kernel, spec.walker, flags) : std::nullopt) {
		outcome.skipped = true;
		outcome.note = *why;
		return outcome;
	}
	if (o.longterm && !pins) {
		outcome.skipped = true;
		outcome.note = "FOLL_LONGTERM needs a pin walker";
		return outcome;
	}
	if (auto why = memfd_walk_mismatch(spec.walker, spec.memory, flags); !why.empty()) {
		outcome.skipped = true;
		outcome.note = why;
		return outcome;
	}
	if (auto why = mthp_unavailable(spec.memory); !why.empty()) {
		outcome.skipped = true;
		outcome.note = why;
		return outcome;
	}
	if (spec.write && spec.memory == MemoryKind::rofile) {
		outcome.skipped = true;
		outcome.note = "a write walk of a read-only mapping (refused with EFAULT)";
		return outcome;
	}
	const unsigned buffers = spec.disjoint ? threads : 1;
	if (spec.memory == MemoryKind::hugetlb || spec.memory == MemoryKind::hugetlb_memfd)
		reserve_huge_pages(spec.size * buffers);

	std::vector<std::unique_ptr<WalkTarget>> targets;
	for (unsigned b = 0; b < buffers; b++) {
		targets.push_back(std::make_unique<WalkTarget>(spec.walker, spec.memory, spec.size, o.prefault));
		if (outcome.note.empty())
			outcome.note = targets.back()->shortfall();
	}
	gupbench_run base{};
	base.walker = spec.walker;
	base.length = spec.size;
	base.pages_per_call = spec.pages_per_call ? spec.pages_per_call : static_cast<unsigned>(pages);
	base.repeats = 1;
	base.flags = flags;
	std::vector<gupbench_run> requests(threads, base);
	for (unsigned t = 0; t < threads; t++)
		targets[t % buffers]->aim(requests[t]);

	Repeats all = run_threads(device, requests, o.warmup + o.repeats);
	std::vector<gupbench_repeat> measured;
	for (unsigned t = 0; t < threads; t++) {
		std::vector<gupbench_repeat> mine(all[t].begin() + o.warmup, all[t].end());
		measured.insert(measured.end(), mine.begin(), mine.end());
		if (threads > 1)
			outcome.per_thread.push_back(figures_of(mine, pages));
	}
	outcome.figures = figures_of(measured, pages);
	// With --verify the ledger says which folios each walk took: a multi-size THP case
	// that got others says so.
	for (unsigned t = 0; t < threads && outcome.note.empty(); t++)
		for (const auto &r : all[t])
			if (auto seen = targets[t % buffers]->folio_shortfall(r); !seen.empty()) {
				outcome.note = seen;
				break;
			}
	std::vector<double> aggregate;
	for (unsigned i = o.warmup; i < o.warmup + o.repeats; i++) {
		std::vector<gupbench_repeat> together;
		for (unsigned t = 0; t < threads; t++)
			together.push_back(all[t][i]);
		aggregate.push_back(aggregate_pages_per_second(together));
	}
	outcome.aggregate_pages_per_second = spread_of(aggregate);
	return outcome;
}

} // namespace gupbench
