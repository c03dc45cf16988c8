// gupbench_fuzz: a seeded, bounded ioctl fuzzer for gupbench's two debugfs files, run in a
// guest. Several threads throw random and mutated ioctls at the files while a churn thread
// maps, unmaps and mprotects the ranges they name. It reports what it did; whether the
// kernel stayed whole is for the caller to judge afterwards (dmesg, vmstat, kmemleak:
// qemu/guest/check-all and scripts/triage).
//
//   gupbench_fuzz [--seed N] [--seconds S] [--threads T] [--target gupbench|kernel]
//                 [--patterns a,b,...] [--allow-kernel-findings] [--grace S] [--trace]
//
// Bounded: a RUN's repeats are cut to keep it within pages_walked_per_run, the threads stop
// drawing at the deadline, and an ioctl still running --grace seconds later is reported and
// cut short by exiting, which the walks must notice (they stop on a fatal signal).
//
// --target kernel sends the gup_test half of the same stream to the in-kernel
// /sys/kernel/debug/gup_test instead (the control for triage); the bench-file ioctls are
// drawn the same way and then skipped, so one seed gives one gup_test stream on both.
#include <algorithm>
#include <atomic>
#include <cerrno>
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

// What a request is made of; each thread draws its patterns from --patterns.
enum class Pattern { valid, boundary, mutate, random, bad_pointer, zero_pages, lifecycle };
const std::map<std::string, Pattern> pattern_names = {
	{ "valid", Pattern::valid },		{ "boundary", Pattern::boundary },
	{ "mutate", Pattern::mutate },		{ "random", Pattern::random },
	{ "bad-pointer", Pattern::bad_pointer }, { "zero-pages", Pattern::zero_pages },
	{ "lifecycle", Pattern::lifecycle },
};

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

struct Counts {
	std::mutex lock;
	std::map<std::string, unsigned long> by_command;
	std::map<int, unsigned long> by_errno;
	std::atomic<unsigned long> ioctls{ 0 }, skipped{ 0 }, avoided{ 0 }, opens{ 0 }, churn{ 0 };
	void add(const char *command, int err)
	{
		std::lock_guard<std::mutex> guard(lock);
		by_command[command]++;
		by_errno[err]++;
	}
};

class Thread {
public:
	Thread(unsigned id, const Options &options, const Memory &memory, Counts &counts)
		: id_(id), options_(options), memory_(memory), counts_(counts),
		  random_(options.seed * 1000003ul + id)
	{
	}

	// What the thread is inside now, for the report of ioctls that outlive the deadline;
	// and the longest ioctl it made.
	struct InFlight {
		std::atomic<const char *> command{ nullptr };
		std::atomic<long> since_ns{ 0 };
		std::atomic<bool> finished{ false };
		std::atomic<long> longest_ns{ 0 };
		std::atomic<const char *> longest_command{ "none" };
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

	bool in_sink(unsigned long p) const
	{
		unsigned long sink = reinterpret_cast<unsigned long>(memory_.sink);
		return p >= sink && p < sink + sink_bytes;
	}

	// The kernel may write to user memory only where this process lets it: the sink (a
	// copy that runs long stops at its guard page) or a pointer that is bad on purpose.
	// A mutated pointer into this process's own heap would test nothing but this program.
	unsigned long safe_out(unsigned long p) const
	{
		if (p == 0 || p >= kernel_address || p == reinterpret_cast<unsigned long>(memory_.readonly) ||
		    p == reinterpret_cast<unsigned long>(memory_.hole))
			return p;
		return reinterpret_cast<unsigned long>(memory_.sink);
	}

	// Whatever pattern made `cmd` and its argument (the struct at `arg`): writes through
	// a pointer inside the argument go to the sink, and RUN's work stays in its budget.
	void confine_request(unsigned long cmd, void *arg) const
	{
		if (cmd == GUPBENCH_IOC_RUN) {
			auto *run = static_cast<gupbench_run *>(arg);
			run->results = safe_out(run->results);
			// Records land at results + i * repeat_size, i < repeats <= max_repeats.
			if (in_sink(run->results) &&
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
		} else if (cmd == GUPBENCH_IOC_READ) {
			auto *read = static_cast<gupbench_read *>(arg);
			read->buffer = safe_out(read->buffer);
			if (in_sink(read->buffer))
				read->length = std::min<unsigned long>(read->length, sink_bytes);
		} else if (cmd == GUP_TEST_PIN_LONGTERM_TEST_READ) {
			auto *buffer = static_cast<unsigned long *>(arg);
			*buffer = safe_out(*buffer);
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
	void issue(int fd, const char *name, unsigned long cmd, void *arg, const void *built)
	{
		current_command = name;
		if (options_.trace) {
			const auto *w = static_cast<const unsigned long *>(built);
			fprintf(stderr, "fuzz: %s cmd %#lx arg %p: %#lx %#lx %#lx %#lx %#lx %#lx %#lx\n", name,
				cmd, arg, w[0], w[1], w[2], w[3], w[4], w[5], w[6]);
		}
		long started = now_ns();
		in_flight_.since_ns = started;
		in_flight_.command = name;
		int err = ioctl(fd, cmd, arg) == 0 ? 0 : errno;
		in_flight_.command = nullptr;
		long took = now_ns() - started;
		if (took > in_flight_.longest_ns.load()) {
			in_flight_.longest_ns = took;
			in_flight_.longest_command = name;
		}
		counts_.ioctls++;
		counts_.add(name, err);
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
		confine_request(cmd, &arg);
		if (options_.control) {
			counts_.skipped++;
			return;
		}
		issue(bench_, name, cmd, pointer, &arg);
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
		confine_request(cmd, &arg);
		if (options_.control && !options_.allow_kernel_findings &&
		    reaches_the_zero_pages_finding(cmd, arg.test)) {
			counts_.avoided++;
			return;
		}
		issue(gup_test_, names[which], cmd, pointer, &arg);
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
	std::mt19937_64 random_;
	InFlight in_flight_;
	int bench_ = -1, gup_test_ = -1;
};

// Remaps, unmaps, mprotects and madvises pieces of the arena while the walks run.
void churn(const Options &options, const Memory &memory, Counts &counts, std::atomic<bool> &stop)
{
	std::mt19937_64 random(options.seed ^ 0x9e3779b97f4a7c15ul);
	while (!stop.load()) {
		unsigned long first = random() % arena_pages;
		unsigned long pages = 1 + random() % std::min(64ul, arena_pages - first);
		char *at = memory.arena + first * page_size;
		unsigned long bytes = pages * page_size;
		switch (random() % 6) {
		case 0:
			munmap(at, bytes);
			break;
		case 1:
			mmap(at, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
			break;
		case 2:
			mprotect(at, bytes, (random() & 1) ? PROT_NONE : PROT_READ);
			break;
		case 3:
			mprotect(at, bytes, PROT_READ | PROT_WRITE);
			break;
		case 4:
			madvise(at, bytes, MADV_DONTNEED);
			break;
		default:
			if (mprotect(at, bytes, PROT_READ | PROT_WRITE) == 0)
				memset(at, 2, bytes);
		}
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
	std::atomic<bool> stop{ false };
	auto started = std::chrono::steady_clock::now();
	auto deadline = started + std::chrono::milliseconds(static_cast<long>(options.seconds * 1000));
	std::deque<Thread> workers; // never moved: the threads hold references
	for (unsigned id = 0; id < options.threads; id++)
		workers.emplace_back(id, options, memory, counts);
	std::vector<std::thread> threads;
	std::thread churner(churn, std::cref(options), std::cref(memory), std::ref(counts), std::ref(stop));
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
		const char *command = worker.in_flight().command.load();
		if (worker.in_flight().finished.load() || !command)
			continue;
		printf("fuzz: thread %u still in %s after %.1f s at the deadline + %.0f s grace: cut short by exit\n",
		       worker.id(), command, (now_ns() - worker.in_flight().since_ns.load()) / 1e9, options.grace);
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
	printf("\nfuzz: longest ioctl %.3f s (%s)%s\n", slowest->in_flight().longest_ns.load() / 1e9,
	       slowest->in_flight().longest_command.load(),
	       cut_short ? ", not counting those cut short" : "");
	fflush(stdout);
	// Threads still inside an ioctl cannot be joined: exit_group kills them.
	if (cut_short)
		_exit(0);
	return 0;
}
