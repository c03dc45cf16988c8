// gupbench_fuzz: a seeded, bounded ioctl fuzzer for gupbench's two debugfs files, run in a
// guest. Several threads throw random and mutated ioctls at the files while a churn thread
// maps, unmaps and mprotects the ranges they name. Whether the kernel stayed whole is for
// the caller to judge afterwards (dmesg, vmstat, kmemleak: qemu/guest/check-all and
// scripts/triage); what the module answered, the fuzzer judges itself.
//
//   gupbench_fuzz [--seed N] [--seconds S] [--threads T] [--target gupbench|kernel]
//                 [--patterns a,b,...] [--allow-kernel-findings] [--grace S] [--trace]
//
// Bounded: a RUN's repeats are cut to keep it within pages_walked_per_run, the threads stop
// drawing at the deadline, and an ioctl still running --grace seconds later is reported and
// cut short by exiting, which the walks must notice (they stop on a fatal signal).
//
// Judged, each a failure:
//  - a RUN that answers 0: its records land in a results buffer of the thread's own (never
//    the shared sink) and are read back. With GUPBENCH_FLAG_VERIFY a record must say EXACT
//    or OVERLAPPED (the churn thread and the other threads overlap on purpose); MISMATCH,
//    NOT_CHECKED or a value outside the enum fails. Without it, only NOT_CHECKED is right.
//    Any record fails whose pages_done is over the range or whose mismatch field says
//    otherwise than its verdict.
//  - EIO from the gup_test file. gupbench answers it only when its ledger says MISMATCH
//    (module/gup_test_file.cpp), and no overlap the fuzzer makes can honestly excuse that:
//    another thread's walk, HOLD or release, on any range, makes the ledger say OVERLAPPED
//    (PinActivity is module-wide, module/ledger.h), which the file answers with 0; and a
//    page that the churn thread unmapped or remapped meanwhile is one the ledger means to
//    see (its mapcount moved) and call OVERLAPPED too. So an EIO is never excused: it is
//    the ledger's finding or the ledger's blind spot, both ours to look at. The report
//    says whether the churn thread touched the request's range (or the 2 MiB around it, a
//    THP it may share) while the ioctl ran, which is what the fuzzer can know of its own
//    overlap; the same goes for a RUN's MISMATCH.
//  - an ioctl still running at the deadline + --grace.
// Each failure prints a line starting "fuzz: FAIL" (the first max_failures_shown of them,
// all counted), with the seed, the thread, the pattern, the request and the record.
//
// Output: "fuzz: N ioctls in S s, ..." and "fuzz: longest ioctl S s (COMMAND)" as always
// (check-all parses both), the answers by command and errno, "fuzz: verdicts ..." and
// "fuzz: gup_test EIO ...", then a last line "fuzz: PASS ..." or "fuzz: FAIL N failures ...".
// Exit status: 0 pass; 1 any failure judged, an ioctl stuck, or the file cannot be opened;
// 2 bad arguments; 3 this program itself crashed.
//
// --target kernel sends the gup_test half of the same stream to the in-kernel
// /sys/kernel/debug/gup_test instead (the control for triage); the bench-file ioctls are
// drawn the same way and then skipped, so one seed gives one gup_test stream on both.
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdarg>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <csignal>
#include <malloc.h>
#include <ucontext.h>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <uapi/gupbench.h>
#include <uapi/gupbench_gup_test.h>

namespace {

const unsigned long page_size = sysconf(_SC_PAGESIZE);
constexpr unsigned long kernel_address = 0xffff888000000000ul;
constexpr unsigned long arena_pages = 1024 + 512; // 4 MiB THP-able plus 2 MiB of small pages
constexpr unsigned long sink_bytes = 64ul << 20;
constexpr unsigned long pages_walked_per_run = 1ul << 16; // repeats x pages, at most
constexpr unsigned long max_repeats = 1000;                // what the module accepts
constexpr unsigned long thp_bytes = 2ul << 20;
constexpr unsigned long max_failures_shown = 20; // all are counted

// What a request is made of; each thread draws its patterns from --patterns.
enum class Pattern { valid, boundary, mutate, random, bad_pointer, zero_pages, lifecycle };
const std::map<std::string, Pattern> pattern_names = {
	{ "valid", Pattern::valid },		{ "boundary", Pattern::boundary },
	{ "mutate", Pattern::mutate },		{ "random", Pattern::random },
	{ "bad-pointer", Pattern::bad_pointer }, { "zero-pages", Pattern::zero_pages },
	{ "lifecycle", Pattern::lifecycle },
};

const char *pattern_name(Pattern p)
{
	for (const auto &[name, value] : pattern_names)
		if (value == p)
			return name.c_str();
	return "?";
}

struct Options {
	unsigned long seed = 1;
	double seconds = 30;
	double grace = 30; // after the deadline, for the ioctls still running
	unsigned threads = 4;
	bool control = false; // --target kernel
	bool allow_kernel_findings = false;
	bool trace = false; // each ioctl to stderr before it is made
	std::vector<Pattern> patterns;
};

// Memory the requests point into. The arena is what the churn thread remaps; the sink is
// the only memory the kernel may write to (a guard page after it stops any copy that runs
// long); the read-only page and the hole are for bad pointers.
struct Memory {
	char *arena = nullptr;
	char *sink = nullptr;
	char *readonly = nullptr;
	char *hole = nullptr;
};

Memory map_memory()
{
	Memory m;
	// 2 MiB aligned, so that the first 4 MiB can be THP.
	auto *raw = static_cast<char *>(mmap(nullptr, (arena_pages + 512) * page_size, PROT_NONE,
					     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0));
	m.arena = reinterpret_cast<char *>((reinterpret_cast<unsigned long>(raw) + (2ul << 20) - 1) &
					   ~((2ul << 20) - 1));
	mmap(m.arena, arena_pages * page_size, PROT_READ | PROT_WRITE,
	     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	madvise(m.arena, 4ul << 20, MADV_HUGEPAGE);
	memset(m.arena, 1, arena_pages * page_size);
	m.sink = static_cast<char *>(mmap(nullptr, sink_bytes + page_size, PROT_READ | PROT_WRITE,
					  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0));
	mprotect(m.sink + sink_bytes, page_size, PROT_NONE);
	m.readonly = static_cast<char *>(mmap(nullptr, page_size, PROT_READ,
					      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	// A one-page gap between two reserved pages: no later mapping (a thread's stack, say)
	// can grow into it, so a pointer there stays bad.
	auto *fence = static_cast<char *>(mmap(nullptr, 3 * page_size, PROT_NONE,
					       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0));
	m.hole = fence + page_size;
	munmap(m.hole, page_size);
	return m;
}

long now_ns()
{
	return std::chrono::duration_cast<std::chrono::nanoseconds>(
		       std::chrono::steady_clock::now().time_since_epoch())
		.count();
}

std::string format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
std::string format(const char *fmt, ...)
{
	char line[512];
	va_list args;
	va_start(args, fmt);
	vsnprintf(line, sizeof(line), fmt, args);
	va_end(args);
	return line;
}

// What the churn thread did and when: for a failure, whether the fuzzer itself changed the
// request's range while the request was in the kernel. A ring: a failure only asks about
// the last moments.
class ChurnLog {
public:
	void add(const char *op, unsigned long addr, unsigned long bytes, long started_ns,
		 long finished_ns)
	{
		std::lock_guard<std::mutex> guard(lock_);
		ring_[added_++ % ring_.size()] = { op, addr, bytes, started_ns, finished_ns };
	}

	// Says which churn operation overlapped [from_ns, to_ns) in time and [addr, addr +
	// bytes) or the 2 MiB around it (a THP the range shares: splitting its PMD moves the
	// whole folio's counts) in space, or that none did, or that the log no longer knows.
	std::string during(unsigned long addr, unsigned long bytes, long from_ns, long to_ns) const
	{
		unsigned long end = addr + bytes < addr ? ~0ul : addr + bytes;
		unsigned long near = addr & ~(thp_bytes - 1);
		unsigned long near_end = end > ~0ul - thp_bytes ? ~0ul : (end + thp_bytes - 1) & ~(thp_bytes - 1);
		std::lock_guard<std::mutex> guard(lock_);
		unsigned long kept = std::min<unsigned long>(added_, ring_.size());
		const Entry *found = nullptr;
		for (unsigned long i = added_ - kept; i < added_; i++) {
			const Entry &e = ring_[i % ring_.size()];
			if (e.started_ns >= to_ns || e.finished_ns < from_ns || e.addr >= near_end ||
			    e.addr + e.bytes <= near)
				continue;
			bool inside = e.addr < end && e.addr + e.bytes > addr;
			if (!found || inside)
				found = &e;
			if (inside)
				break;
		}
		if (found)
			return format("churn %s of [%#lx, +%lu pages) during it, %s", found->op, found->addr,
				      found->bytes / page_size,
				      found->addr < end && found->addr + found->bytes > addr
					      ? "inside the range"
					      : "outside the range but in its 2 MiB");
		if (kept && ring_[(added_ - kept) % ring_.size()].started_ns > from_ns)
			return "churn during it unknown (its log has moved on)";
		return "no churn in the range or its 2 MiB during it";
	}

private:
	struct Entry {
		const char *op;
		unsigned long addr, bytes;
		long started_ns, finished_ns;
	};
	mutable std::mutex lock_;
	std::vector<Entry> ring_ = std::vector<Entry>(1 << 16); // before the churn starts
	unsigned long added_ = 0;
};

// What each thread was doing, for the report if this program itself crashes.
thread_local const char *current_command = "none";
thread_local unsigned long current_pattern = 0;

void report_crash(int signal, siginfo_t *info, void *context)
{
	char line[200];
	auto *uc = static_cast<ucontext_t *>(context);
	int n = snprintf(line, sizeof(line),
			 "fuzz: this program crashed (signal %d at %p, ip %#llx) during %s, pattern %lu\n",
			 signal, info->si_addr, static_cast<unsigned long long>(uc->uc_mcontext.gregs[REG_RIP]),
			 current_command, current_pattern);
	if (write(2, line, n) < 0)
		_exit(3);
	_exit(3);
}

// What the judged failures are, for the counts at the end.
enum class Failure { mismatch, not_checked, bad_record, gup_test_eio, stuck, count };
const char *const failure_names[] = { "MISMATCH records", "NOT_CHECKED records with VERIFY",
				      "malformed records", "gup_test EIO", "ioctls stuck" };
const char *const verdict_names[] = { "NOT_CHECKED", "EXACT", "MISMATCH", "OVERLAPPED", "other" };
const char *const mismatch_names[] = { "NONE",
				       "NOT_PINNED",
				       "REFCOUNT_TAKEN",
				       "PINCOUNT_TAKEN",
				       "REFCOUNT_RELEASED",
				       "PINCOUNT_RELEASED",
				       "VMSTAT",
				       "NOT_LONGTERM_PINNABLE" };

struct Counts {
	std::mutex lock;
	std::map<std::string, unsigned long> by_command;
	std::map<int, unsigned long> by_errno;
	std::atomic<unsigned long> ioctls{ 0 }, skipped{ 0 }, avoided{ 0 }, opens{ 0 }, churn{ 0 };
	// Records of RUNs that answered 0: verified ones by verdict (the last is "other").
	std::atomic<unsigned long> verified_runs{ 0 }, unverified_records{ 0 };
	std::atomic<unsigned long> verdicts[5]{};
	std::atomic<unsigned long> gup_test_eio{ 0 };
	std::atomic<unsigned long> failures[static_cast<int>(Failure::count)]{};
	std::atomic<unsigned long> failures_total{ 0 }, failures_shown{ 0 };
	void add(const char *command, int err)
	{
		std::lock_guard<std::mutex> guard(lock);
		by_command[command]++;
		by_errno[err]++;
	}
	// Printed at once, so that a guest that dies later still shows it.
	void fail(Failure kind, const std::string &line)
	{
		failures[static_cast<int>(kind)]++;
		if (failures_total++ < max_failures_shown || kind == Failure::stuck) {
			failures_shown++;
			std::lock_guard<std::mutex> guard(lock);
			printf("fuzz: FAIL %s\n", line.c_str());
		}
	}
};

class Thread {
public:
	// Made before the churn starts: no mapping of ours may land where it maps MAP_FIXED.
	Thread(unsigned id, const Options &options, const Memory &memory, Counts &counts,
	       const ChurnLog &churn_log)
		: id_(id), options_(options), memory_(memory), counts_(counts), churn_log_(churn_log),
		  random_(options.seed * 1000003ul + id)
	{
		// RUN's records come here, where no other thread writes, to be read back. As
		// large as the sink, so that the same bounds keep a RUN inside it.
		results_ = static_cast<char *>(mmap(nullptr, sink_bytes + page_size, PROT_READ | PROT_WRITE,
						    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0));
		if (results_ == MAP_FAILED) {
			perror("gupbench_fuzz: mmap of a results buffer");
			exit(1);
		}
		mprotect(results_ + sink_bytes, page_size, PROT_NONE);
	}

	// What the thread is inside now, for the report of ioctls that outlive the deadline;
	// and the longest ioctl it made.
	struct InFlight {
		std::atomic<const char *> command{ nullptr };
		std::atomic<long> since_ns{ 0 };
		std::atomic<bool> finished{ false };
		std::atomic<long> longest_ns{ 0 };
		std::atomic<const char *> longest_command{ "none" };
		std::atomic<const char *> pattern{ "none" };
		std::atomic<unsigned long> cmd{ 0 };
		std::atomic<unsigned long> words[7]{}; // the argument as built
	};
	const InFlight &in_flight() const { return in_flight_; }
	unsigned id() const { return id_; }

	void run(std::chrono::steady_clock::time_point deadline)
	{
		// The crash report needs a stack of its own: the thread's may be what broke.
		static thread_local char alternate[64 << 10];
		stack_t stack{};
		stack.ss_sp = alternate;
		stack.ss_size = sizeof(alternate);
		sigaltstack(&stack, nullptr);
		reopen(true);
		while (std::chrono::steady_clock::now() < deadline)
			one();
		close_files();
		in_flight_.finished = true;
	}

private:
	unsigned long draw() { return random_(); }
	unsigned long below(unsigned long n) { return n ? draw() % n : 0; }
	bool chance(unsigned percent) { return below(100) < percent; }

	unsigned long boundary_value()
	{
		static const unsigned long values[] = {
			0, 1, 2, 7, 8, page_size - 1, page_size, page_size + 1, 511, 512, 513,
			(1ul << 18), (1ul << 18) + 1, 0x7fffffff, 0x80000000ul, 0xffffffff,
			1ul << 32, 1ul << 40, 1ul << 63, ~0ul, ~0ul - page_size + 1, kernel_address,
		};
		return values[below(sizeof(values) / sizeof(values[0]))];
	}

	// An address in the arena (page aligned mostly), or somewhere worse.
	unsigned long address()
	{
		unsigned long in_arena = reinterpret_cast<unsigned long>(memory_.arena) +
					 below(arena_pages) * page_size;
		switch (below(10)) {
		case 0:
			return in_arena + 1 + below(page_size - 1);
		case 1:
			return boundary_value();
		case 2:
			return reinterpret_cast<unsigned long>(memory_.readonly);
		default:
			return in_arena;
		}
	}

	unsigned long length(unsigned long addr)
	{
		unsigned long arena_end = reinterpret_cast<unsigned long>(memory_.arena) + arena_pages * page_size;
		unsigned long room = addr < arena_end ? arena_end - addr : page_size;
		switch (below(8)) {
		case 0:
			return boundary_value();
		case 1:
			return room + page_size * (1 + below(4)); // runs off the arena
		default:
			return page_size * (1 + below(std::max(1ul, room / page_size)));
		}
	}

	// Where the kernel may write `bytes`; or, for bad_pointer, somewhere it must not.
	unsigned long out_pointer(bool bad)
	{
		if (bad) {
			static const int kinds = 4;
			switch (below(kinds)) {
			case 0:
				return 0;
			case 1:
				return kernel_address;
			case 2:
				return reinterpret_cast<unsigned long>(memory_.readonly);
			default:
				return reinterpret_cast<unsigned long>(memory_.hole);
			}
		}
		return reinterpret_cast<unsigned long>(memory_.sink);
	}

	// A command number of the file's own magic, the other file's, or one nobody uses.
	// Never a random magic: the VFS answers some ioctls on any file itself (FIFREEZE...).
	unsigned long random_command(unsigned magic, unsigned numbers, unsigned sizes)
	{
		static const unsigned magics[] = { GUPBENCH_IOC_MAGIC, GUP_TEST_IOC_MAGIC, 'Z' };
		if (!chance(80))
			magic = magics[below(3)];
		return _IOC(below(4), magic, below(numbers), below(sizes));
	}

	static bool in_buffer(unsigned long p, const char *buffer)
	{
		unsigned long start = reinterpret_cast<unsigned long>(buffer);
		return p >= start && p < start + sink_bytes;
	}

	// The bench file knows a command by its type and number alone (gupbench.h).
	static bool is_bench_command(unsigned long cmd, unsigned long wanted)
	{
		return _IOC_TYPE(cmd) == _IOC_TYPE(wanted) && _IOC_NR(cmd) == _IOC_NR(wanted);
	}

	// The kernel may write to user memory only where this process lets it: the sink or
	// the thread's results buffer (a copy that runs long stops at the guard page after
	// either), or a pointer that is bad on purpose. A mutated pointer into this process's
	// own heap would test nothing but this program.
	unsigned long safe_out(unsigned long p, const char *home) const
	{
		if (p == 0 || p >= kernel_address || p == reinterpret_cast<unsigned long>(memory_.readonly) ||
		    p == reinterpret_cast<unsigned long>(memory_.hole))
			return p;
		return reinterpret_cast<unsigned long>(home);
	}

	// Whatever pattern made `cmd` and its argument (the struct at `arg`): writes through
	// a pointer inside the argument go to the sink (RUN's records to the thread's results
	// buffer), and RUN's work stays in its budget.
	void confine_request(bool bench_file, unsigned long cmd, void *arg) const
	{
		if (bench_file && is_bench_command(cmd, GUPBENCH_IOC_RUN)) {
			auto *run = static_cast<gupbench_run *>(arg);
			run->results = safe_out(run->results, results_);
			// Records land at results + i * repeat_size, i < repeats <= max_repeats.
			if (in_buffer(run->results, results_) &&
			    static_cast<unsigned long>(run->repeat_size) * max_repeats > sink_bytes - page_size)
				run->repeat_size = sizeof(gupbench_repeat);
			if (run->walker == GUPBENCH_WALKER_GET_REMOTE || run->walker == GUPBENCH_WALKER_PIN_REMOTE)
				run->target_pid = getpid(); // never another process of the guest
			// A mutated repeats (513, say) over the sink can ask for millions of page
			// walks, minutes under emulation: keep a valid request's work to a budget
			// (the repeats check itself still sees 0 and over max_repeats).
			unsigned long pages = run->length / page_size;
			if (run->repeats >= 1 && run->repeats <= max_repeats && pages &&
			    pages * run->repeats > pages_walked_per_run)
				run->repeats = std::max(1ul, pages_walked_per_run / pages);
		} else if (bench_file && is_bench_command(cmd, GUPBENCH_IOC_READ)) {
			auto *read = static_cast<gupbench_read *>(arg);
			read->buffer = safe_out(read->buffer, memory_.sink);
			if (in_buffer(read->buffer, memory_.sink))
				read->length = std::min<unsigned long>(read->length, sink_bytes);
		} else if (!bench_file && cmd == GUP_TEST_PIN_LONGTERM_TEST_READ) {
			auto *buffer = static_cast<unsigned long *>(arg);
			*buffer = safe_out(*buffer, memory_.sink);
		}
	}

	Pattern pattern() { return options_.patterns[below(options_.patterns.size())]; }

	// Flips a few bits of `bytes` (mutate) or fills them (random).
	void scramble(void *data, size_t bytes, bool all)
	{
		auto *p = static_cast<unsigned char *>(data);
		if (all) {
			for (size_t i = 0; i < bytes; i++)
				p[i] = static_cast<unsigned char>(draw());
			return;
		}
		for (unsigned n = 1 + below(4); n; n--)
			p[below(bytes)] ^= static_cast<unsigned char>(1u << below(8));
	}

	void one()
	{
		Pattern p = pattern();
		current_pattern = static_cast<unsigned long>(p);
		current_command = "drawing";
		if (p == Pattern::lifecycle && chance(30)) {
			reopen(false);
			return;
		}
		if (chance(50))
			bench_ioctl(p);
		else
			gup_test_ioctl(p);
	}

	// `built` is the argument as made, which `arg` may not point to (bad-pointer).
	// Returns 0 or the errno; the ioctl's start and end stay in started_ns_, finished_ns_.
	int issue(int fd, const char *name, Pattern p, unsigned long cmd, void *arg, const void *built)
	{
		current_command = name;
		const auto *w = static_cast<const unsigned long *>(built);
		if (options_.trace)
			fprintf(stderr, "fuzz: %s cmd %#lx arg %p: %#lx %#lx %#lx %#lx %#lx %#lx %#lx\n", name,
				cmd, arg, w[0], w[1], w[2], w[3], w[4], w[5], w[6]);
		for (unsigned i = 0; i < 7; i++)
			in_flight_.words[i] = w[i];
		in_flight_.cmd = cmd;
		in_flight_.pattern = pattern_name(p);
		started_ns_ = now_ns();
		in_flight_.since_ns = started_ns_;
		in_flight_.command = name;
		int err = ioctl(fd, cmd, arg) == 0 ? 0 : errno;
		in_flight_.command = nullptr;
		finished_ns_ = now_ns();
		long took = finished_ns_ - started_ns_;
		if (took > in_flight_.longest_ns.load()) {
			in_flight_.longest_ns = took;
			in_flight_.longest_command = name;
		}
		counts_.ioctls++;
		counts_.add(name, err);
		return err;
	}

	std::string who(Pattern p) const
	{
		return format("seed %lu thread %u pattern %s", options_.seed, id_, pattern_name(p));
	}

	static std::string describe(const gupbench_run &r)
	{
		return format("RUN {size %u walker %u flags %#llx addr %#llx length %#llx "
			      "pages_per_call %u repeats %u target_pid %d repeat_size %u results %#llx}",
			      r.size, r.walker, static_cast<unsigned long long>(r.flags),
			      static_cast<unsigned long long>(r.addr), static_cast<unsigned long long>(r.length),
			      r.pages_per_call, r.repeats, r.target_pid, r.repeat_size,
			      static_cast<unsigned long long>(r.results));
	}

	static std::string describe(const gupbench_repeat &r, unsigned index, unsigned repeats)
	{
		const char *verdict = r.verdict < 4 ? verdict_names[r.verdict] : "(none of the enum)";
		const char *mismatch = r.mismatch < 8 ? mismatch_names[r.mismatch] : "(none of the enum)";
		return format("record %u of %u {verdict %u %s, mismatch %u %s, mismatch_page %llu, "
			      "expected %lld, observed %lld, pages_done %llu, error %d, folios %u, "
			      "vmstat pins +%llu -%llu}",
			      index, repeats, r.verdict, verdict, r.mismatch, mismatch,
			      static_cast<unsigned long long>(r.mismatch_page),
			      static_cast<long long>(r.mismatch_expected),
			      static_cast<long long>(r.mismatch_observed),
			      static_cast<unsigned long long>(r.pages_done), r.error, r.folios,
			      static_cast<unsigned long long>(r.vmstat_pins_acquired),
			      static_cast<unsigned long long>(r.vmstat_pins_released));
	}

	// A RUN whose records this thread can read back: the argument the kernel reads is the
	// one built, and its records go to the thread's results buffer. Their slots are
	// poisoned first, so that a record the kernel never wrote cannot pass for one. A
	// version 1 record (496 bytes) is as valid as today's: the module writes what fits.
	bool prepare_judged_run(const gupbench_run &run) const
	{
		if (run.results != reinterpret_cast<unsigned long>(results_) || run.repeats < 1 ||
		    run.repeats > max_repeats || run.repeat_size < GUPBENCH_REPEAT_SIZE_V1)
			return false;
		for (unsigned i = 0; i < run.repeats; i++)
			memset(results_ + static_cast<unsigned long>(i) * run.repeat_size, 0xa5,
			       record_bytes(run));
		return true;
	}
	static std::size_t record_bytes(const gupbench_run &run)
	{
		return std::min<std::size_t>(run.repeat_size, sizeof(gupbench_repeat));
	}

	// The records of a RUN that answered 0 (gupbench.h: enum gupbench_verdict).
	void judge_run(Pattern p, const gupbench_run &run)
	{
		bool verify = run.flags & GUPBENCH_FLAG_VERIFY;
		unsigned long pages = run.length / page_size;
		if (verify)
			counts_.verified_runs++;
		for (unsigned i = 0; i < run.repeats; i++) {
			gupbench_repeat r{};
			memcpy(&r, results_ + static_cast<unsigned long>(i) * run.repeat_size, record_bytes(run));
			if (verify)
				counts_.verdicts[std::min(r.verdict, 4u)]++;
			else
				counts_.unverified_records++;
			Failure kind = Failure::bad_record;
			const char *why = nullptr;
			if (verify && r.verdict == GUPBENCH_VERDICT_MISMATCH)
				kind = Failure::mismatch, why = "the ledger found a mismatch";
			else if (verify && r.verdict == GUPBENCH_VERDICT_NOT_CHECKED)
				kind = Failure::not_checked, why = "NOT_CHECKED although VERIFY was set";
			else if (r.verdict > GUPBENCH_VERDICT_OVERLAPPED)
				why = "a verdict none of the enum's (a slot never written?)";
			else if (!verify && r.verdict != GUPBENCH_VERDICT_NOT_CHECKED)
				why = "a verdict although VERIFY was not set";
			else if (r.pages_done > pages)
				why = "pages_done is more than the range";
			else if ((r.mismatch != GUPBENCH_MISMATCH_NONE) != (r.verdict == GUPBENCH_VERDICT_MISMATCH))
				why = "its mismatch field contradicts its verdict";
			if (!why)
				continue;
			counts_.fail(kind, format("%s: %s: ", who(p).c_str(), why) + describe(run) + " " +
						   describe(r, i, run.repeats) + "; " +
						   churn_log_.during(run.addr, run.length, started_ns_, finished_ns_));
		}
	}

	// EIO from the gup_test file is the ledger's MISMATCH: never excused (the header).
	void judge_gup_test(Pattern p, int err, unsigned long cmd, const char *name, const gup_test &sent)
	{
		if (err != EIO)
			return;
		counts_.gup_test_eio++;
		std::string request;
		unsigned long addr, bytes;
		if (cmd == GUP_TEST_PIN_LONGTERM_TEST_START) {
			gup_test_pin_longterm l;
			memcpy(&l, &sent, sizeof(l)); // the union's other member
			addr = l.addr, bytes = l.size;
			request = format("{addr %#llx size %#llx flags %#x}", static_cast<unsigned long long>(l.addr),
					 static_cast<unsigned long long>(l.size), l.flags);
		} else {
			addr = sent.addr, bytes = sent.size;
			request = format("{addr %#llx size %#llx nr_pages_per_call %u gup_flags %#x test_flags %#x}",
					 static_cast<unsigned long long>(sent.addr),
					 static_cast<unsigned long long>(sent.size), sent.nr_pages_per_call,
					 sent.gup_flags, sent.test_flags);
		}
		counts_.fail(Failure::gup_test_eio,
			     format("%s: EIO from the gup_test file (its ledger's MISMATCH: dmesg says which) to "
				    "%s cmd %#lx ",
				    who(p).c_str(), name, cmd) +
				     request + "; " + churn_log_.during(addr, bytes, started_ns_, finished_ns_));
	}

	void bench_ioctl(Pattern p)
	{
		// Drawn in full whatever the target, so that the gup_test stream is the same.
		struct {
			union {
				gupbench_run run;
				gupbench_hold hold;
				gupbench_read read;
				gupbench_info info;
			};
			unsigned char tail[64];
		} arg{};
		memset(&arg, 0, sizeof(arg));
		unsigned which = below(6);
		unsigned long cmd = 0;
		const char *name = "";
		unsigned long addr = address();
		unsigned long len = length(addr);
		switch (which) {
		case 0:
			name = "INFO", cmd = GUPBENCH_IOC_INFO;
			arg.info.size = sizeof(arg.info);
			break;
		case 1:
		case 2:
			name = "RUN", cmd = GUPBENCH_IOC_RUN;
			arg.run.size = sizeof(arg.run);
			arg.run.walker = below(GUPBENCH_WALKER_COUNT);
			arg.run.flags = draw() & GUPBENCH_FLAGS_ALL;
			arg.run.addr = addr;
			arg.run.length = len;
			arg.run.pages_per_call = 1 + below(600);
			arg.run.repeats = 1 + below(3);
			arg.run.repeat_size = sizeof(gupbench_repeat);
			arg.run.results = out_pointer(p == Pattern::bad_pointer);
			if (p == Pattern::zero_pages)
				arg.run.pages_per_call = 0;
			break;
		case 3:
			name = "HOLD", cmd = GUPBENCH_IOC_HOLD;
			arg.hold.size = sizeof(arg.hold);
			arg.hold.walker = below(GUPBENCH_WALKER_GET_REMOTE);
			arg.hold.flags = draw() & (GUPBENCH_FLAG_WRITE | GUPBENCH_FLAG_LONGTERM | GUPBENCH_FLAG_DIRTY);
			arg.hold.addr = addr;
			arg.hold.length = len;
			arg.hold.pages_per_call = p == Pattern::zero_pages ? 0 : 1 + below(600);
			break;
		case 4:
			name = "READ", cmd = GUPBENCH_IOC_READ;
			arg.read.size = sizeof(arg.read);
			arg.read.buffer = out_pointer(p == Pattern::bad_pointer);
			arg.read.length = std::min(len, sink_bytes);
			break;
		default:
			name = "RELEASE", cmd = GUPBENCH_IOC_RELEASE;
			break;
		}
		void *pointer = &arg;
		switch (p) {
		case Pattern::boundary: {
			auto *fields = reinterpret_cast<unsigned long *>(&arg);
			fields[below(sizeof(arg.run) / sizeof(unsigned long))] = boundary_value();
			break;
		}
		case Pattern::mutate:
		case Pattern::random:
			scramble(&arg, sizeof(arg.run) + (p == Pattern::random ? below(64) : 0),
				 p == Pattern::random);
			if (p == Pattern::random && chance(50))
				cmd = random_command(GUPBENCH_IOC_MAGIC, 8, 512);
			break;
		case Pattern::bad_pointer:
			if (chance(50))
				pointer = reinterpret_cast<void *>(out_pointer(true));
			break;
		default:
			break;
		}
		confine_request(true, cmd, &arg);
		if (options_.control) {
			counts_.skipped++;
			return;
		}
		bool is_run = is_bench_command(cmd, GUPBENCH_IOC_RUN);
		const gupbench_run sent = arg.run;
		bool judged = is_run && pointer == &arg && prepare_judged_run(sent);
		int err = issue(bench_, name, p, cmd, pointer, &arg);
		if (err || !is_run)
			return;
		if (judged)
			judge_run(p, sent);
		else
			counts_.fail(Failure::bad_record,
				     format("%s: RUN answered 0 to an argument it must refuse (at %p, %s) ",
					    who(p).c_str(), pointer, pointer == &arg ? "as built" : "bad on purpose") +
					     describe(sent));
	}

	// Whether the in-kernel gup_test would ask a fast walker for zero pages: 6.1 then
	// corrupts memory (FACTS.md; make repro-gup-fast-zero-pages). A kernel finding, so the
	// control avoids it unless asked not to; gupbench's file refuses it with EINVAL.
	static bool reaches_the_zero_pages_finding(unsigned long cmd, const gup_test &g)
	{
		bool fast = cmd == GUP_TEST_GUP_FAST_BENCHMARK || cmd == GUP_TEST_PIN_FAST_BENCHMARK;
		return fast && g.size != 0 && (g.nr_pages_per_call == 0 || g.size % page_size != 0);
	}

	void gup_test_ioctl(Pattern p)
	{
		struct {
			union {
				gup_test test;
				gup_test_pin_longterm longterm;
				unsigned long buffer;
			};
			unsigned char tail[64];
		} arg{};
		memset(&arg, 0, sizeof(arg));
		static const unsigned long commands[] = {
			GUP_TEST_GUP_FAST_BENCHMARK,	 GUP_TEST_PIN_FAST_BENCHMARK,
			GUP_TEST_PIN_LONGTERM_BENCHMARK, GUP_TEST_GUP_BASIC_TEST,
			GUP_TEST_PIN_BASIC_TEST,	 GUP_TEST_DUMP_USER_PAGES_TEST,
			GUP_TEST_PIN_LONGTERM_TEST_START, GUP_TEST_PIN_LONGTERM_TEST_STOP,
			GUP_TEST_PIN_LONGTERM_TEST_READ,
		};
		static const char *names[] = { "GUP_FAST_BENCHMARK", "PIN_FAST_BENCHMARK",
					       "PIN_LONGTERM_BENCHMARK", "GUP_BASIC_TEST",
					       "PIN_BASIC_TEST", "DUMP_USER_PAGES_TEST",
					       "PIN_LONGTERM_TEST_START", "PIN_LONGTERM_TEST_STOP",
					       "PIN_LONGTERM_TEST_READ" };
		unsigned which = below(9);
		unsigned long cmd = commands[which];
		unsigned long addr = address();
		unsigned long len = length(addr);
		if (which < 6) {
			arg.test.addr = addr;
			arg.test.size = len;
			arg.test.nr_pages_per_call = p == Pattern::zero_pages ? 0 : 1 + below(600);
			arg.test.gup_flags = chance(50) ? 0x1 : 0; // FOLL_WRITE
			if (which == 5)
				for (unsigned i = 0; i < GUP_TEST_MAX_PAGES_TO_DUMP; i++)
					arg.test.which_pages[i] = below(4);
		} else if (which == 6) {
			arg.longterm = { addr, len, static_cast<unsigned>(below(4)) };
		} else if (which == 8) {
			arg.buffer = out_pointer(p == Pattern::bad_pointer);
		}
		void *pointer = &arg;
		switch (p) {
		case Pattern::boundary: {
			auto *fields = reinterpret_cast<unsigned long *>(&arg);
			if (which != 8)
				fields[below(sizeof(gup_test) / sizeof(unsigned long))] = boundary_value();
			break;
		}
		case Pattern::mutate:
		case Pattern::random:
			if (which != 8) // READ's argument is a pointer the kernel writes through
				scramble(&arg, sizeof(arg.test), p == Pattern::random);
			if (p == Pattern::random && chance(30))
				cmd = random_command(GUP_TEST_IOC_MAGIC, 16, 256);
			break;
		case Pattern::bad_pointer:
			if (chance(50))
				pointer = reinterpret_cast<void *>(out_pointer(true));
			break;
		default:
			break;
		}
		confine_request(false, cmd, &arg);
		if (options_.control && !options_.allow_kernel_findings &&
		    reaches_the_zero_pages_finding(cmd, arg.test)) {
			counts_.avoided++;
			return;
		}
		const gup_test sent = arg.test;
		int err = issue(gup_test_, names[which], p, cmd, pointer, &arg);
		judge_gup_test(p, err, cmd, names[which], sent);
	}

	void close_files()
	{
		if (bench_ >= 0)
			close(bench_);
		if (gup_test_ >= 0)
			close(gup_test_);
		bench_ = gup_test_ = -1;
	}

	// Opens the files again: closing releases whatever the old ones held.
	void reopen(bool first)
	{
		if (!first)
			close_files();
		if (!options_.control)
			bench_ = open(GUPBENCH_BENCH_FILE, O_RDWR);
		gup_test_ = open(options_.control ? GUP_TEST_FILE_KERNEL : GUP_TEST_FILE_GUPBENCH, O_RDWR);
		counts_.opens++;
	}

	unsigned id_;
	const Options &options_;
	const Memory &memory_;
	Counts &counts_;
	const ChurnLog &churn_log_;
	char *results_ = nullptr;
	std::mt19937_64 random_;
	InFlight in_flight_;
	long started_ns_ = 0, finished_ns_ = 0; // of the last ioctl
	int bench_ = -1, gup_test_ = -1;
};

// Remaps, unmaps, mprotects and madvises pieces of the arena while the walks run, and logs
// what it did when.
void churn(const Options &options, const Memory &memory, Counts &counts, ChurnLog &log,
	   std::atomic<bool> &stop)
{
	std::mt19937_64 random(options.seed ^ 0x9e3779b97f4a7c15ul);
	while (!stop.load()) {
		unsigned long first = random() % arena_pages;
		unsigned long pages = 1 + random() % std::min(64ul, arena_pages - first);
		char *at = memory.arena + first * page_size;
		unsigned long bytes = pages * page_size;
		const char *op;
		long started = now_ns();
		switch (random() % 6) {
		case 0:
			op = "munmap";
			munmap(at, bytes);
			break;
		case 1:
			op = "mmap";
			mmap(at, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
			break;
		case 2:
			op = "mprotect(PROT_NONE or PROT_READ)";
			mprotect(at, bytes, (random() & 1) ? PROT_NONE : PROT_READ);
			break;
		case 3:
			op = "mprotect(PROT_READ|PROT_WRITE)";
			mprotect(at, bytes, PROT_READ | PROT_WRITE);
			break;
		case 4:
			op = "madvise(MADV_DONTNEED)";
			madvise(at, bytes, MADV_DONTNEED);
			break;
		default:
			op = "mprotect(PROT_READ|PROT_WRITE) and write";
			if (mprotect(at, bytes, PROT_READ | PROT_WRITE) == 0)
				memset(at, 2, bytes);
		}
		log.add(op, reinterpret_cast<unsigned long>(at), bytes, started, now_ns());
		counts.churn++;
		std::this_thread::sleep_for(std::chrono::microseconds(200));
	}
}

[[noreturn]] void usage(const char *why)
{
	fprintf(stderr, "gupbench_fuzz: %s\n"
			"usage: gupbench_fuzz [--seed N] [--seconds S] [--threads T] "
			"[--target gupbench|kernel] [--patterns a,b,...] [--allow-kernel-findings] "
			"[--grace S] [--trace]\n"
			"patterns: valid boundary mutate random bad-pointer zero-pages lifecycle\n",
		why);
	exit(2);
}

Options parse(int argc, char **argv)
{
	Options o;
	for (int i = 1; i < argc; i++) {
		std::string a = argv[i];
		auto value = [&]() -> std::string {
			if (i + 1 >= argc)
				usage(("missing value for " + a).c_str());
			return argv[++i];
		};
		if (a == "--seed")
			o.seed = std::stoul(value());
		else if (a == "--seconds")
			o.seconds = std::stod(value());
		else if (a == "--grace")
			o.grace = std::stod(value());
		else if (a == "--threads")
			o.threads = std::stoul(value());
		else if (a == "--target") {
			std::string t = value();
			if (t != "gupbench" && t != "kernel")
				usage("--target is gupbench or kernel");
			o.control = t == "kernel";
		} else if (a == "--patterns") {
			std::string list = value() + ",";
			for (size_t at = 0, comma; (comma = list.find(',', at)) != std::string::npos; at = comma + 1) {
				auto found = pattern_names.find(list.substr(at, comma - at));
				if (found == pattern_names.end())
					usage(("unknown pattern '" + list.substr(at, comma - at) + "'").c_str());
				o.patterns.push_back(found->second);
			}
		} else if (a == "--trace")
			o.trace = true;
		else if (a == "--allow-kernel-findings")
			o.allow_kernel_findings = true;
		else
			usage(("unknown argument " + a).c_str());
	}
	if (!(o.seconds > 0) || !(o.grace >= 0))
		usage("--seconds must be > 0 and --grace >= 0");
	if (o.threads < 1 || o.threads > 64)
		usage("--threads is 1..64");
	if (o.patterns.empty())
		for (const auto &[name, pattern] : pattern_names)
			o.patterns.push_back(pattern);
	return o;
}

} // namespace

int main(int argc, char **argv)
{
	Options options = parse(argc, argv);
	struct sigaction on_crash {};
	on_crash.sa_sigaction = report_crash;
	on_crash.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigaction(SIGSEGV, &on_crash, nullptr);
	sigaction(SIGBUS, &on_crash, nullptr);
	setvbuf(stdout, nullptr, _IOLBF, 0);
	// malloc must never place memory where the churn thread maps with MAP_FIXED.
	mallopt(M_MMAP_THRESHOLD, 1 << 30);
	Memory memory = map_memory();
	const char *probe = options.control ? GUP_TEST_FILE_KERNEL : GUPBENCH_BENCH_FILE;
	if (access(probe, R_OK | W_OK) != 0) {
		fprintf(stderr, "gupbench_fuzz: cannot open %s: %s\n", probe, strerror(errno));
		return 1;
	}
	Counts counts;
	ChurnLog churn_log;
	std::atomic<bool> stop{ false };
	auto started = std::chrono::steady_clock::now();
	auto deadline = started + std::chrono::milliseconds(static_cast<long>(options.seconds * 1000));
	std::deque<Thread> workers; // never moved: the threads hold references
	for (unsigned id = 0; id < options.threads; id++)
		workers.emplace_back(id, options, memory, counts, churn_log);
	std::vector<std::thread> threads;
	std::thread churner(churn, std::cref(options), std::cref(memory), std::ref(counts),
			    std::ref(churn_log), std::ref(stop));
	for (auto &worker : workers)
		threads.emplace_back([&worker, deadline] { worker.run(deadline); });
	// Wait out the deadline and the grace; whoever is still inside an ioctl then is
	// reported, and exiting below cuts it short.
	auto give_up = deadline + std::chrono::milliseconds(static_cast<long>(options.grace * 1000));
	auto all_finished = [&] {
		return std::all_of(workers.begin(), workers.end(),
				   [](const Thread &w) { return w.in_flight().finished.load(); });
	};
	while (!all_finished() && std::chrono::steady_clock::now() < give_up)
		std::this_thread::sleep_for(std::chrono::milliseconds(20));
	unsigned cut_short = 0;
	for (const auto &worker : workers) {
		const auto &f = worker.in_flight();
		const char *command = f.command.load();
		if (f.finished.load() || !command)
			continue;
		counts.fail(Failure::stuck,
			    format("seed %lu thread %u pattern %s: still in %s (cmd %#lx, argument %#lx %#lx "
				   "%#lx %#lx %#lx %#lx %#lx) after %.1f s at the deadline + %.0f s grace: "
				   "cut short by exit",
				   options.seed, worker.id(), f.pattern.load(), command, f.cmd.load(),
				   f.words[0].load(), f.words[1].load(), f.words[2].load(), f.words[3].load(),
				   f.words[4].load(), f.words[5].load(), f.words[6].load(),
				   (now_ns() - f.since_ns.load()) / 1e9, options.grace));
		cut_short++;
	}
	if (!cut_short) {
		for (auto &thread : threads)
			thread.join();
	}
	stop = true;
	churner.join();
	double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
	const Thread *slowest = &workers.front();
	for (const auto &worker : workers)
		if (worker.in_flight().longest_ns > slowest->in_flight().longest_ns)
			slowest = &worker;

	printf("fuzz: target %s, seed %lu, %u threads, patterns", options.control ? "kernel" : "gupbench",
	       options.seed, options.threads);
	for (Pattern p : options.patterns)
		for (const auto &[name, value] : pattern_names)
			if (value == p)
				printf(" %s", name.c_str());
	printf("\nfuzz: %lu ioctls in %.1f s, %lu file opens, %lu churn operations, %lu bench ioctls "
	       "skipped (control), %lu avoided (kernel finding)\n",
	       counts.ioctls.load(), took, counts.opens.load(), counts.churn.load(), counts.skipped.load(),
	       counts.avoided.load());
	printf("fuzz: by command:");
	for (const auto &[name, n] : counts.by_command)
		printf(" %s=%lu", name.c_str(), n);
	printf("\nfuzz: by answer:");
	for (const auto &[err, n] : counts.by_errno)
		printf(" %s=%lu", err ? strerrorname_np(err) ?: std::to_string(err).c_str() : "ok", n);
	unsigned long verified_records = 0;
	for (const auto &v : counts.verdicts)
		verified_records += v.load();
	printf("\nfuzz: verdicts of %lu records of %lu verified RUNs:", verified_records,
	       counts.verified_runs.load());
	for (unsigned v = 0; v < 5; v++)
		printf(" %s=%lu", verdict_names[v], counts.verdicts[v].load());
	printf("; %lu records of unverified RUNs\n", counts.unverified_records.load());
	printf("fuzz: gup_test EIO %lu, 0 excused (the ledger's MISMATCH; overlaps make it say "
	       "OVERLAPPED, never EIO)\n",
	       counts.gup_test_eio.load());
	printf("fuzz: longest ioctl %.3f s (%s)%s\n", slowest->in_flight().longest_ns.load() / 1e9,
	       slowest->in_flight().longest_command.load(),
	       cut_short ? ", not counting those cut short" : "");
	unsigned long failures = counts.failures_total.load();
	if (failures) {
		if (failures > counts.failures_shown.load())
			printf("fuzz: %lu more failures not shown\n", failures - counts.failures_shown.load());
		printf("fuzz: FAIL %lu failures, seed %lu:", failures, options.seed);
		for (int kind = 0; kind < static_cast<int>(Failure::count); kind++)
			printf("%s %lu %s", kind ? "," : "", counts.failures[kind].load(), failure_names[kind]);
		printf("\n");
	} else {
		printf("fuzz: PASS seed %lu: every RUN record and gup_test answer checked out, no ioctl stuck\n",
		       options.seed);
	}
	fflush(stdout);
	// Threads still inside an ioctl cannot be joined: exit_group kills them.
	if (cut_short)
		_exit(1);
	return failures ? 1 : 0;
}
