#include "observe.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <memory>
#include <sched.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <thread>
#include <unistd.h>

#include "bench_device.h"
#include "sites/site.h"
#include "stats.h"
#include "table.h"
#include "vmstat_pins.h"

namespace gupbench {
namespace {

// What a probe says, folio by folio (keyed by pfn of the run's first page).
struct Snapshot {
	std::map<unsigned long long, gupbench_probe_folio> folios;
	unsigned long long pinned_pages = 0;
};

// The memory a site holds: in this process, or in a child (pid) for a site whose calls
// reach another process.
struct ObservedRange {
	pid_t pid = 0;
	unsigned long addr = 0;
	std::size_t length = 0;
};

void drain_this_cpu_lru_batch()
{
	void *page = mmap(nullptr, static_cast<std::size_t>(sysconf(_SC_PAGESIZE)), PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page != MAP_FAILED)
		munmap(page, static_cast<std::size_t>(sysconf(_SC_PAGESIZE)));
}

// Each snapshot is taken with this CPU's LRU batches empty: a GUP call that marks a page
// accessed can queue its folio, with a reference, in the CPU's activate batch (31 folios
// on 6.12, 15 on 6.1), which stays there until the batch fills or drains; VFIO's
// pin_user_pages_remote() left the last 8 of 256 pages so. That reference is the LRU's,
// not the site's; a reference the site keeps survives the drain.
Snapshot snapshot(const BenchDevice &device, const ObservedRange &m)
{
	drain_this_cpu_lru_batch();
	const unsigned max = static_cast<unsigned>(m.length / static_cast<std::size_t>(sysconf(_SC_PAGESIZE)));
	auto probe = device.probe(m.addr, m.length, max, m.pid);
	Snapshot s;
	for (const auto &f : probe.folios) {
		s.folios[f.pfn] = f;
		if (f.flags & GUPBENCH_PROBE_MAYBE_DMA_PINNED)
			s.pinned_pages += f.pages;
	}
	return s;
}

// How the folios of `now` moved from `base`, refcount by refcount, in one pass. A pin
// counts as the references it is (GUP_PIN_COUNTING_BIAS on a small folio, 1 on a large).
struct FolioMoves {
	long long net = 0;      // references gained less those lost, over the folios of both
	long long kept = 0;     // references gained, none offset by another folio's loss
	std::size_t gained = 0, unchanged = 0, missing = 0; // folios; missing: not in `base`
	std::size_t folios = 0;

	bool every_folio_gained() const { return folios > 0 && gained == folios; }
	bool same_as_base(const Snapshot &base) const
	{
		return missing == 0 && unchanged == folios && folios == base.folios.size();
	}
	// What stays after a release: a folio not there before (its page moved) counts one.
	long long left_behind() const { return kept + static_cast<long long>(missing); }
};

FolioMoves moves(const Snapshot &now, const Snapshot &base)
{
	FolioMoves m;
	m.folios = now.folios.size();
	for (const auto &[pfn, f] : now.folios) {
		auto it = base.folios.find(pfn);
		if (it == base.folios.end()) {
			m.missing++;
			continue;
		}
		const long long delta = f.refcount - it->second.refcount;
		m.net += delta;
		m.kept += std::max(0LL, delta);
		m.gained += delta > 0;
		m.unchanged += delta == 0;
	}
	return m;
}

// A page just faulted in sits in this CPU's LRU batch, which holds a reference of its own
// until the batch drains; a drain between two probes would read as a reference the site
// gave back. So the thread stays on one CPU while it observes, and empties that CPU's
// batch after faulting: munmap() drains it (lru_add_drain() in unmap_region()).
class OneCpu {
public:
	OneCpu()
	{
		saved_ok_ = sched_getaffinity(0, sizeof(saved_), &saved_) == 0;
		cpu_set_t one;
		CPU_ZERO(&one);
		CPU_SET(sched_getcpu(), &one);
		sched_setaffinity(0, sizeof(one), &one);
	}
	~OneCpu()
	{
		if (saved_ok_)
			sched_setaffinity(0, sizeof(saved_), &saved_);
	}
	OneCpu(const OneCpu &) = delete;
	OneCpu &operator=(const OneCpu &) = delete;

private:
	cpu_set_t saved_{};
	bool saved_ok_ = false;
};

std::string kernel_release()
{
	utsname u{};
	uname(&u);
	return u.release;
}

// gupbench's own pin_fast over the same memory (long-term where the site is), one call
// for the whole range, median of 5 after a warm-up: ns per page.
double pin_fast_ns_per_page(const BenchDevice &device, const Mapping &m, bool longterm, bool write)
{
	const unsigned long pages = m.length() / static_cast<unsigned long>(sysconf(_SC_PAGESIZE));
	gupbench_run r{};
	r.walker = GUPBENCH_WALKER_PIN_FAST;
	r.flags = (longterm ? GUPBENCH_FLAG_LONGTERM : 0) | (write ? GUPBENCH_FLAG_WRITE : 0);
	r.addr = m.addr();
	r.length = m.length();
	r.pages_per_call = static_cast<unsigned>(std::min<unsigned long>(pages, 512));
	r.repeats = 6;
	auto repeats = device.run(r);
	std::vector<double> ns;
	for (std::size_t i = 1; i < repeats.size(); i++)
		ns.push_back(static_cast<double>(repeats[i].get_ns) / static_cast<double>(pages));
	std::sort(ns.begin(), ns.end());
	return ns[ns.size() / 2];
}

} // namespace

std::vector<std::string> observe_site_names()
{
	return site_names();
}

Observation observe_site(const std::string &name, const ObserveOptions &options)
{
	Observation o;
	o.site = name;
	o.kernel = kernel_release();
	o.memory = memory_kind_name(options.memory);
	BenchDevice device(options.device_path.empty() ? GUPBENCH_BENCH_FILE : options.device_path);
	std::unique_ptr<Site> site;
	try {
		site = make_site(name);
	} catch (const SiteUnavailable &e) {
		o.skipped = true;
		o.why = e.what();
		return o;
	} catch (const SystemError &e) {
		o.skipped = true;
		o.why = concat({ "this kernel cannot offer it: ", e.what() });
		return o;
	}
	if (!site) {
		std::string names;
		for (const auto &s : site_names())
			names += (names.empty() ? "" : ", ") + s;
		throw std::runtime_error("unknown site '" + name + "' (sites: " + names + ")");
	}
	o.longterm = site->longterm();
	OneCpu one_cpu;
	// A site that reaches another process gets a child's memory, made before this
	// process's own (which a fork would share with the child) and probed in the child.
	std::unique_ptr<RemoteMapping> child;
	if (site->targets_another_process())
		child = std::make_unique<RemoteMapping>(options.memory, options.size, true);
	Mapping m(options.memory, options.size, true);
	drain_this_cpu_lru_batch();
	ObservedRange held{ 0, m.addr(), m.length() };
	if (child) {
		held = { child->pid(), child->addr(), m.length() };
		site->target(child->pid());
		o.in_child = true;
	}
	o.pages = held.length / static_cast<unsigned long>(sysconf(_SC_PAGESIZE));

	Snapshot before = snapshot(device, held);
	auto pins_before = vmstat_pins();
	auto t0 = std::chrono::steady_clock::now();
	try {
		site->hold(held.addr, held.length, options.write);
	} catch (const SiteUnavailable &e) {
		o.skipped = true;
		o.why = e.what();
		return o;
	}
	auto t1 = std::chrono::steady_clock::now();
	// A site that holds asynchronously (an I/O in flight, a copy on another thread) gets
	// there a moment after hold() returned: the snapshot counts once every folio has
	// gained a reference (a pin is one or more) and two in a row agree. Within a second,
	// well inside the shortest hold of an asynchronous site (odirect's 3 s).
	Snapshot during = snapshot(device, held);
	const auto settle_by = std::chrono::steady_clock::now() + std::chrono::seconds(1);
	while (!o.settled && std::chrono::steady_clock::now() < settle_by) {
		std::this_thread::sleep_for(std::chrono::milliseconds(5));
		Snapshot again = snapshot(device, held);
		o.settled = moves(again, before).every_folio_gained() && moves(again, during).same_as_base(during);
		during = std::move(again);
	}
	const long pins = pins_held_since(pins_before);
	if (!site->still_held())
		throw std::runtime_error(name + " let go of the memory before it could be observed");
	site->release();
	// A site may say it is done a moment before the last page is let go (a block I/O's
	// completion is posted before its bio releases the pages): what stays after a second
	// is a leak.
	long pins_after = pins_held_since(pins_before);
	Snapshot after = snapshot(device, held);
	for (int i = 0; i < 100 && (pins_after != 0 || moves(after, before).left_behind() > 0); i++) {
		std::this_thread::sleep_for(std::chrono::milliseconds(10));
		pins_after = pins_held_since(pins_before);
		after = snapshot(device, held);
	}

	const long long extra_refs = moves(during, before).net;
	o.pinned_pages = during.pinned_pages;
	o.pins_per_page = static_cast<double>(pins) / static_cast<double>(o.pages);
	// References that are not pins: on small folios a pin is GUP_PIN_COUNTING_BIAS of them.
	const long long bias = device.info().pin_counting_bias;
	long long pin_refs = 0;
	for (const auto &[pfn, f] : during.folios) {
		auto it = before.folios.find(pfn);
		if (it == before.folios.end())
			continue;
		pin_refs += (f.flags & GUPBENCH_PROBE_PINCOUNT_EXACT)
				    ? static_cast<long long>(f.pincount - it->second.pincount)
				    : bias * (f.pincount - it->second.pincount);
	}
	o.refs_per_page = static_cast<double>(extra_refs - pin_refs) / static_cast<double>(o.pages);
	o.ref_kind = pins > 0 ? "pin" : extra_refs > 0 ? "get" : "none";
	o.leaked = pins_after + moves(after, before).left_behind();
	o.folios = during.folios.size();
	// The set-up time: the observed hold, then four more where the site is quick; median.
	std::vector<double> setups{ site->setup_ns().value_or(std::chrono::duration<double, std::nano>(t1 - t0).count()) };
	for (int i = 0; i < 4 && site->timed_again(); i++) {
		auto start = std::chrono::steady_clock::now();
		site->hold(held.addr, held.length, options.write);
		auto end = std::chrono::steady_clock::now();
		site->release();
		setups.push_back(site->setup_ns().value_or(std::chrono::duration<double, std::nano>(end - start).count()));
	}
	std::sort(setups.begin(), setups.end());
	o.setup_ns_per_page = setups[setups.size() / 2] / static_cast<double>(o.pages);
	o.setup_samples = static_cast<unsigned>(setups.size());
	o.pin_fast_ns_per_page = pin_fast_ns_per_page(device, m, o.longterm, options.write);
	o.ratio_to_pin_fast = o.pin_fast_ns_per_page > 0 ? o.setup_ns_per_page / o.pin_fast_ns_per_page : 0;
	return o;
}

nlohmann::json observation_json(const Observation &o)
{
	nlohmann::json j = { { "site", o.site }, { "kernel", o.kernel }, { "memory", o.memory } };
	if (o.skipped) {
		j["skipped"] = true;
		j["why"] = o.why;
		return j;
	}
	if (!o.error.empty()) {
		j["error"] = o.error;
		return j;
	}
	j.update({ { "ref_kind", o.ref_kind },
		   { "longterm", o.longterm },
		   { "pages", o.pages },
		   { "pinned_pages", o.pinned_pages },
		   { "pins_per_page", o.pins_per_page },
		   { "refs_per_page", o.refs_per_page },
		   { "leaked", o.leaked },
		   { "folios", o.folios },
		   { "settled", o.settled },
		   { "in_child", o.in_child },
		   { "setup_samples", o.setup_samples },
		   { "setup_ns_per_page", o.setup_ns_per_page },
		   { "pin_fast_ns_per_page", o.pin_fast_ns_per_page },
		   { "ratio_to_pin_fast", o.ratio_to_pin_fast } });
	return j;
}

std::string observation_table(const std::vector<Observation> &observations)
{
	std::vector<std::vector<std::string>> rows = { { "site", "memory", "kind", "long-term", "pages", "pinned",
							 "pins/page", "refs/page", "leaked", "set-up ns/page",
							 "x pin_fast", "note" } };
	for (const auto &o : observations) {
		if (o.skipped || !o.error.empty()) {
			rows.push_back({ o.site, o.memory, "-", "", "", "", "", "", "", "", "",
					 o.skipped ? "skipped: " + o.why : "error: " + o.error });
			continue;
		}
		rows.push_back({ o.site, o.memory, o.ref_kind, o.longterm ? "yes" : "no", std::to_string(o.pages),
				 std::to_string(o.pinned_pages), fixed(o.pins_per_page, 3), fixed(o.refs_per_page, 2),
				 std::to_string(o.leaked), fixed(o.setup_ns_per_page, 1), fixed(o.ratio_to_pin_fast, 2),
				 o.settled ? "" : "did not settle in 1 s" });
	}
	return aligned_table(rows);
}

int run_observe(const ObserveOptions &options)
{
	std::vector<std::string> sites = options.sites.empty() ? observe_site_names() : options.sites;
	std::vector<MemoryKind> memories = options.memories;
	if (memories.empty())
		memories.push_back(options.memory);
	std::vector<Observation> all;
	for (MemoryKind memory : memories) {
		ObserveOptions one = options;
		one.memory = memory;
		for (const auto &s : sites) {
			// One site's failure is reported with the others, not instead of them.
			try {
				all.push_back(observe_site(s, one));
			} catch (const std::exception &e) {
				Observation failed;
				failed.site = s;
				failed.kernel = kernel_release();
				failed.memory = memory_kind_name(memory);
				failed.error = e.what();
				all.push_back(failed);
			}
		}
	}
	if (options.json) {
		nlohmann::json j = nlohmann::json::array();
		for (const auto &o : all)
			j.push_back(observation_json(o));
		std::printf("%s\n", j.dump(2).c_str());
	} else {
		std::printf("%s", observation_table(all).c_str());
	}
	bool bad = std::any_of(all.begin(), all.end(),
			       [](const Observation &o) { return o.leaked != 0 || !o.error.empty(); });
	return bad ? 1 : 0;
}

} // namespace gupbench
