#include "observe.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <liburing.h>
#include <map>
#include <memory>
#include <sched.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bench_device.h"
#include "stats.h"
#include "table.h"

namespace gupbench {
namespace {

// A site holds the memory from hold() until release(); each call says what failed.
class Site {
public:
	virtual ~Site() = default;
	virtual bool longterm() const = 0;
	virtual void hold(unsigned long addr, std::size_t length) = 0;
	virtual void release() = 0;
};

[[noreturn]] void fail(const std::string &what, int error)
{
	throw SystemError(what, error);
}

// IORING_REGISTER_BUFFERS: io_uring pins a fixed buffer for the life of the registration,
// long-term and writable (io_sqe_buffer_register(), both versions).
class IoUringSite : public Site {
public:
	IoUringSite()
	{
		if (int err = io_uring_queue_init(4, &ring_, 0); err < 0)
			fail("io_uring_queue_init", -err);
	}
	~IoUringSite() override
	{
		release();
		io_uring_queue_exit(&ring_);
	}
	bool longterm() const override { return true; }
	void hold(unsigned long addr, std::size_t length) override
	{
		iovec iov{ reinterpret_cast<void *>(addr), length };
		if (int err = io_uring_register_buffers(&ring_, &iov, 1); err < 0)
			fail("io_uring_register_buffers", -err);
		registered_ = true;
	}
	void release() override
	{
		if (registered_ && io_uring_unregister_buffers(&ring_) == 0)
			registered_ = false;
	}

private:
	io_uring ring_{};
	bool registered_ = false;
};

// vmsplice() into a pipe: the pipe buffers keep the user pages until the pipe is read.
class VmspliceSite : public Site {
public:
	VmspliceSite()
	{
		if (pipe2(pipe_, O_CLOEXEC) != 0)
			fail("pipe2", errno);
	}
	~VmspliceSite() override
	{
		close(pipe_[0]);
		close(pipe_[1]);
	}
	bool longterm() const override { return false; }
	void hold(unsigned long addr, std::size_t length) override
	{
		if (fcntl(pipe_[1], F_SETPIPE_SZ, static_cast<int>(length)) < 0)
			fail("fcntl(F_SETPIPE_SZ) for " + std::to_string(length) + " bytes", errno);
		iovec iov{ reinterpret_cast<void *>(addr), length };
		while (iov.iov_len > 0) {
			ssize_t n = vmsplice(pipe_[1], &iov, 1, 0);
			if (n <= 0)
				fail("vmsplice", n < 0 ? errno : EAGAIN);
			iov.iov_base = static_cast<char *>(iov.iov_base) + n;
			iov.iov_len -= static_cast<std::size_t>(n);
			held_ += static_cast<std::size_t>(n);
		}
	}
	void release() override
	{
		std::vector<char> sink(1 << 16);
		while (held_ > 0) {
			ssize_t n = read(pipe_[0], sink.data(), std::min(sink.size(), held_));
			if (n <= 0)
				fail("read from the pipe", n < 0 ? errno : EIO);
			held_ -= static_cast<std::size_t>(n);
		}
	}

private:
	int pipe_[2] = { -1, -1 };
	std::size_t held_ = 0;
};

std::unique_ptr<Site> make_site(const std::string &name)
{
	if (name == "io_uring")
		return std::make_unique<IoUringSite>();
	if (name == "vmsplice")
		return std::make_unique<VmspliceSite>();
	return nullptr;
}

// nr_foll_pin_acquired and _released, with the per-CPU deltas folded in first.
std::pair<long long, long long> vmstat_pins()
{
	std::ofstream("/proc/sys/vm/stat_refresh") << "1";
	std::ifstream in("/proc/vmstat");
	std::string name;
	long long value, acquired = -1, released = -1;
	while (in >> name >> value) {
		if (name == "nr_foll_pin_acquired")
			acquired = value;
		else if (name == "nr_foll_pin_released")
			released = value;
	}
	return { acquired, released };
}

long long pins_held_since(std::pair<long long, long long> before)
{
	auto now = vmstat_pins();
	return (now.first - before.first) - (now.second - before.second);
}

// What a probe says, folio by folio (keyed by pfn of the run's first page).
struct Snapshot {
	std::map<unsigned long long, gupbench_probe_folio> folios;
	unsigned long long pinned_pages = 0, absent = 0;
};

Snapshot snapshot(const BenchDevice &device, const Mapping &m)
{
	const unsigned max = static_cast<unsigned>(m.length() / static_cast<std::size_t>(sysconf(_SC_PAGESIZE)));
	auto probe = device.probe(m.addr(), m.length(), max);
	Snapshot s;
	s.absent = probe.answer.pages_absent;
	for (const auto &f : probe.folios) {
		s.folios[f.pfn] = f;
		if (f.flags & GUPBENCH_PROBE_MAYBE_DMA_PINNED)
			s.pinned_pages += f.pages;
	}
	return s;
}

// References beyond `base` over the folios of `now`: pins counted as the references they
// are (GUP_PIN_COUNTING_BIAS on a small folio, 1 on a large one).
long long references_beyond(const Snapshot &now, const Snapshot &base)
{
	long long sum = 0;
	for (const auto &[pfn, f] : now.folios) {
		auto it = base.folios.find(pfn);
		if (it != base.folios.end())
			sum += f.refcount - it->second.refcount;
	}
	return sum;
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

void drain_this_cpu_lru_batch()
{
	void *page = mmap(nullptr, static_cast<std::size_t>(sysconf(_SC_PAGESIZE)), PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page != MAP_FAILED)
		munmap(page, static_cast<std::size_t>(sysconf(_SC_PAGESIZE)));
}

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
	return { "io_uring", "vmsplice" };
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
	} catch (const SystemError &e) {
		o.skipped = true;
		o.why = concat({ "this kernel cannot offer it: ", e.what() });
		return o;
	}
	if (!site)
		throw std::runtime_error("unknown site '" + name + "' (sites: io_uring, vmsplice)");
	o.longterm = site->longterm();
	OneCpu one_cpu;
	Mapping m(options.memory, options.size, true);
	drain_this_cpu_lru_batch();
	o.pages = m.length() / static_cast<unsigned long>(sysconf(_SC_PAGESIZE));

	Snapshot before = snapshot(device, m);
	auto pins_before = vmstat_pins();
	auto t0 = std::chrono::steady_clock::now();
	site->hold(m.addr(), m.length());
	auto t1 = std::chrono::steady_clock::now();
	const long long pins = pins_held_since(pins_before);
	Snapshot during = snapshot(device, m);
	site->release();
	const long long pins_after = pins_held_since(pins_before);
	Snapshot after = snapshot(device, m);

	const long long extra_refs = references_beyond(during, before);
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
	o.leaked = pins_after + std::max(0LL, references_beyond(after, before));
	o.setup_ns_per_page = std::chrono::duration<double, std::nano>(t1 - t0).count() / static_cast<double>(o.pages);
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
	j.update({ { "ref_kind", o.ref_kind },
		   { "longterm", o.longterm },
		   { "pages", o.pages },
		   { "pinned_pages", o.pinned_pages },
		   { "pins_per_page", o.pins_per_page },
		   { "refs_per_page", o.refs_per_page },
		   { "leaked", o.leaked },
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
		if (o.skipped) {
			rows.push_back({ o.site, o.memory, "-", "", "", "", "", "", "", "", "", o.why });
			continue;
		}
		rows.push_back({ o.site, o.memory, o.ref_kind, o.longterm ? "yes" : "no", std::to_string(o.pages),
				 std::to_string(o.pinned_pages), fixed(o.pins_per_page, 2), fixed(o.refs_per_page, 2),
				 std::to_string(o.leaked), fixed(o.setup_ns_per_page, 1), fixed(o.ratio_to_pin_fast, 2),
				 "" });
	}
	return aligned_table(rows);
}

int run_observe(const ObserveOptions &options)
{
	std::vector<std::string> sites = options.sites.empty() ? observe_site_names() : options.sites;
	std::vector<Observation> all;
	for (const auto &s : sites)
		all.push_back(observe_site(s, options));
	if (options.json) {
		nlohmann::json j = nlohmann::json::array();
		for (const auto &o : all)
			j.push_back(observation_json(o));
		std::printf("%s\n", j.dump(2).c_str());
	} else {
		std::printf("%s", observation_table(all).c_str());
	}
	bool leaked = std::any_of(all.begin(), all.end(), [](const Observation &o) { return o.leaked != 0; });
	return leaked ? 1 : 0;
}

} // namespace gupbench
