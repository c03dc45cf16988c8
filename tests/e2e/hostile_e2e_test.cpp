// Hostile callers, in the guest: who may open the files and walk whose memory, what pages
// held across calls cost against RLIMIT_MEMLOCK, and every kind of bad request on both
// files, each answered by a clear errno and nothing else (no pin left behind).
#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <signal.h>
#include <string>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include <uapi/gupbench.h>
#include <uapi/gupbench_gup_test.h>

#include "guest_util.h"
#include "memory.h"
#include "requests.h"

using e2e::expect_in_child;
using e2e::gup_test_request;
using e2e::in_child;
using e2e::ioctl_errno;
using e2e::pins_held_since;
using e2e::vmstat_pins;
using gupbench::MemoryKind;

namespace {

const unsigned long page_size = sysconf(_SC_PAGESIZE);
constexpr unsigned long kernel_address = 0xffff888000000000ul;
constexpr unsigned foll_write = 0x01; // 6.1's FOLL_WRITE, as the selftest passes it

gupbench_run run_request(unsigned walker, unsigned long addr, unsigned long length,
			 unsigned per_call, gupbench_repeat *results)
{
	return e2e::run_request(walker, addr, length, per_call, results);
}

// A long-term hold, 16 pages a call.
gupbench_hold hold_request(unsigned walker, unsigned long addr, unsigned long length)
{
	return e2e::hold_request(walker, GUPBENCH_FLAG_LONGTERM, addr, length, 16);
}

// A process to walk remotely: it runs `prepare` (which may change its credentials), maps
// and touches one page, tells its address, and waits to be killed.
class Target {
public:
	explicit Target(const std::function<void()> &prepare = [] {})
	{
		int fds[2];
		if (pipe(fds) != 0) {
			ADD_FAILURE() << "pipe: " << strerror(errno);
			return;
		}
		pid_ = fork();
		if (pid_ < 0) {
			// Not a process to walk: the walks on it then fail their checks too.
			ADD_FAILURE() << "fork: " << strerror(errno);
			close(fds[0]);
			close(fds[1]);
			return;
		}
		if (pid_ == 0) {
			close(fds[0]);
			prepare();
			// Dies with its parent, so that a test that fails part way leaves no
			// process holding a pipe someone reads to its end (after prepare(): a
			// change of credentials clears the setting).
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			auto *page = static_cast<char *>(mmap(nullptr, page_size, PROT_READ | PROT_WRITE,
							      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
			page[0] = 1;
			unsigned long addr = reinterpret_cast<unsigned long>(page);
			if (write(fds[1], &addr, sizeof(addr)) != sizeof(addr))
				_exit(1);
			pause();
			_exit(0);
		}
		close(fds[1]);
		if (read(fds[0], &addr_, sizeof(addr_)) != sizeof(addr_))
			addr_ = 0;
		close(fds[0]);
	}
	~Target()
	{
		if (pid_ > 0) {
			kill(pid_, SIGKILL);
			waitpid(pid_, nullptr, 0);
		}
	}
	pid_t pid() const { return pid_; }
	unsigned long addr() const { return addr_; }

private:
	pid_t pid_ = -1;
	unsigned long addr_ = 0;
};

// The errno of a remote RUN of one page of `pid` at `addr` (0: it walked the page).
int remote_walk_errno(int fd, pid_t pid, unsigned long addr)
{
	gupbench_repeat out{};
	auto r = run_request(GUPBENCH_WALKER_PIN_REMOTE, addr, page_size, 1, &out);
	r.target_pid = pid;
	if (ioctl(fd, GUPBENCH_IOC_RUN, &r) != 0)
		return errno;
	return out.pages_done == 1 ? 0 : -out.error;
}

} // namespace

// Both files are root's, mode 0600: another user cannot open them.
TEST(Permissions, FilesAreRootOnly)
{
	for (const char *path : { GUPBENCH_BENCH_FILE, GUP_TEST_FILE_GUPBENCH }) {
		struct stat st{};
		ASSERT_EQ(stat(path, &st), 0) << path;
		EXPECT_EQ(st.st_mode & 07777, 0600u) << path;
		EXPECT_EQ(st.st_uid, 0u) << path;
		std::string report = in_child([path] {
			std::string r;
			if (setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0)
				return std::string("could not become nobody");
			int fd = open(path, O_RDWR);
			expect_in_child(r, "open as nobody", EACCES, fd < 0 ? errno : 0);
			return r;
		});
		EXPECT_EQ(report, "") << path;
	}
}

// A remote walk asks what process_vm_readv asks (PTRACE_MODE_ATTACH_REALCREDS). Without
// CAP_SYS_PTRACE: one's own descendants with the same credentials only, and not when they
// made themselves non-dumpable; with it, anyone.
TEST(Permissions, RemoteWalkFollowsThePtraceRules)
{
	int fd = open(GUPBENCH_BENCH_FILE, O_RDWR);
	ASSERT_GE(fd, 0);
	auto before = vmstat_pins();
	Target sibling; // the test's child: not a descendant of the walker below
	std::string report = in_child([&] {
		std::string r;
		if (!e2e::drop_capability(CAP_SYS_PTRACE))
			return std::string("could not drop CAP_SYS_PTRACE");
		{
			Target child;
			expect_in_child(r, "own child", 0, remote_walk_errno(fd, child.pid(), child.addr()));
		}
		{
			Target hidden([] { prctl(PR_SET_DUMPABLE, 0); });
			expect_in_child(r, "non-dumpable child", EPERM,
					remote_walk_errno(fd, hidden.pid(), hidden.addr()));
		}
		{
			Target other_user([] {
				if (setresuid(65534, 65534, 65534) != 0)
					_exit(3);
			});
			expect_in_child(r, "child of another user", EPERM,
					remote_walk_errno(fd, other_user.pid(), other_user.addr()));
		}
		expect_in_child(r, "a sibling", EPERM,
				remote_walk_errno(fd, sibling.pid(), sibling.addr()));
		expect_in_child(r, "the parent", EPERM, remote_walk_errno(fd, getppid(), 0x10000));
		expect_in_child(r, "no such process", ESRCH, remote_walk_errno(fd, 0x3ffffff, 0x10000));
		return r;
	});
	EXPECT_EQ(report, "");
	// With CAP_SYS_PTRACE the same sibling may be walked.
	EXPECT_EQ(remote_walk_errno(fd, sibling.pid(), sibling.addr()), 0);
	close(fd);
	EXPECT_EQ(pins_held_since(before), 0);
}

// Pages held across calls count in the caller's locked_vm against RLIMIT_MEMLOCK, as
// vfio's do; CAP_IPC_LOCK lifts the limit, not the count; release and close give it back.
TEST(Memlock, HeldPagesAreChargedAgainstTheLimit)
{
	auto before = vmstat_pins();
	std::string report = in_child([] {
		std::string r;
		const long page_kb = page_size / 1024;
		gupbench::Mapping mapping(MemoryKind::anon, 32 * page_size, true);
		int first = open(GUPBENCH_BENCH_FILE, O_RDWR);
		int second = open(GUPBENCH_BENCH_FILE, O_RDWR);
		int gup_test_fd = open(GUP_TEST_FILE_GUPBENCH, O_RDWR);
		const long base = e2e::locked_kb();

		// As root (CAP_IPC_LOCK): past a one-page limit, and still counted.
		rlimit one_page{ page_size, page_size };
		setrlimit(RLIMIT_MEMLOCK, &one_page);
		auto big = hold_request(GUPBENCH_WALKER_PIN_FAST, mapping.addr(), 16 * page_size);
		expect_in_child(r, "CAP_IPC_LOCK hold past the limit", 0,
				ioctl_errno(first, GUPBENCH_IOC_HOLD, &big));
		expect_in_child(r, "counted though privileged", base + 16 * page_kb, e2e::locked_kb());
		expect_in_child(r, "release", 0, ioctl_errno(first, GUPBENCH_IOC_RELEASE, nullptr));
		expect_in_child(r, "uncharged on release", base, e2e::locked_kb());

		if (!e2e::drop_capability(CAP_IPC_LOCK))
			return std::string("could not drop CAP_IPC_LOCK");
		rlimit sixteen{ 16 * page_size, 16 * page_size };
		setrlimit(RLIMIT_MEMLOCK, &sixteen);
		auto eight = hold_request(GUPBENCH_WALKER_PIN, mapping.addr(), 8 * page_size);
		expect_in_child(r, "8 of 16", 0, ioctl_errno(first, GUPBENCH_IOC_HOLD, &eight));
		expect_in_child(r, "charged", base + 8 * page_kb, e2e::locked_kb());
		auto twelve = hold_request(GUPBENCH_WALKER_PIN_FAST, mapping.addr() + 8 * page_size,
					   12 * page_size);
		expect_in_child(r, "8 + 12 of 16", ENOMEM, ioctl_errno(second, GUPBENCH_IOC_HOLD, &twelve));
		gup_test_pin_longterm start{ mapping.addr() + 8 * page_size, 12 * page_size,
					     GUP_TEST_PIN_LONGTERM_FAST };
		expect_in_child(r, "gup_test START 8 + 12 of 16", ENOMEM,
				ioctl_errno(gup_test_fd, GUP_TEST_PIN_LONGTERM_TEST_START, &start));
		expect_in_child(r, "refusals charge nothing", base + 8 * page_kb, e2e::locked_kb());
		expect_in_child(r, "release", 0, ioctl_errno(first, GUPBENCH_IOC_RELEASE, nullptr));
		expect_in_child(r, "12 of 16 after release", 0,
				ioctl_errno(second, GUPBENCH_IOC_HOLD, &twelve));
		start.size = 4 * page_size;
		expect_in_child(r, "gup_test START 12 + 4 of 16", 0,
				ioctl_errno(gup_test_fd, GUP_TEST_PIN_LONGTERM_TEST_START, &start));
		expect_in_child(r, "both charged", base + 16 * page_kb, e2e::locked_kb());
		close(second);
		close(gup_test_fd);
		expect_in_child(r, "close uncharges", base, e2e::locked_kb());
		close(first);
		return r;
	});
	EXPECT_EQ(report, "");
	EXPECT_EQ(pins_held_since(before), 0);
}

// A fork with a hold active: the child's exit does not release the parent's pages, and
// the charge goes back to the mm that paid it, whichever process closes last. The child
// closes only when the parent says it has closed (a byte on a pipe), so its close is the
// last one however the two are scheduled.
TEST(Memlock, TheChargeReturnsToThePayerWhoeverClosesLast)
{
	auto before = vmstat_pins();
	gupbench::Mapping mapping(MemoryKind::anon, 8 * page_size, true);
	const long base = e2e::locked_kb();
	const long held_kb = long(8 * page_size / 1024);
	int fd = open(GUPBENCH_BENCH_FILE, O_RDWR);
	ASSERT_GE(fd, 0);
	auto h = hold_request(GUPBENCH_WALKER_PIN_FAST, mapping.addr(), 8 * page_size);
	ASSERT_EQ(ioctl_errno(fd, GUPBENCH_IOC_HOLD, &h), 0);
	EXPECT_EQ(e2e::locked_kb(), base + held_kb);
	int go[2];
	ASSERT_EQ(pipe(go), 0);
	pid_t child = fork();
	ASSERT_NE(child, -1) << "fork: " << strerror(errno);
	if (child == 0) {
		close(go[1]);
		char byte;
		// EOF too (the parent gone) ends the wait; then the close is the last anyway.
		(void)!read(go[0], &byte, 1);
		close(fd);
		_exit(0);
	}
	close(go[0]);
	close(fd);
	// The child's copy of the file still holds the pages, charged to the parent's mm.
	EXPECT_EQ(pins_held_since(before), 8);
	EXPECT_EQ(e2e::locked_kb(), base + held_kb);
	EXPECT_EQ(write(go[1], "x", 1), 1) << strerror(errno);
	close(go[1]);
	int status = 0;
	ASSERT_EQ(waitpid(child, &status, 0), child) << strerror(errno);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
	EXPECT_EQ(pins_held_since(before), 0);
	EXPECT_EQ(e2e::locked_kb(), base);
}

// ---- Bad requests: one test each, on each file. ----

namespace {

struct BadRequest {
	const char *name;
	int expected; // errno, or 0 for "accepted, nothing taken"
	// Makes the request on the open files; returns its errno (or what the test saw).
	std::function<int(int bench, int gup_test, unsigned long addr)> make;
};

// 16 populated pages at `addr` for each case, plus these below it.
struct Scratch {
	Scratch()
	{
		readonly = static_cast<char *>(mmap(nullptr, 4 * page_size, PROT_READ,
						    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
		(void)*static_cast<volatile char *>(readonly);
		none = static_cast<char *>(mmap(nullptr, 4 * page_size, PROT_NONE,
						MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
		// Four unmapped pages between two reserved ones: nothing mapped later can
		// spread into them.
		auto *fence = static_cast<char *>(mmap(nullptr, 6 * page_size, PROT_NONE,
						       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
		hole = fence + page_size;
		munmap(hole, 4 * page_size);
	}
	~Scratch()
	{
		munmap(readonly, 4 * page_size);
		munmap(none, 4 * page_size);
	}
	char *readonly, *none, *hole;
};

Scratch &scratch()
{
	static Scratch s;
	return s;
}

unsigned long ul(const void *p)
{
	return reinterpret_cast<unsigned long>(p);
}

// RUN: the ioctl's errno, or else the walk's (-error), or 0.
int run_errno(int fd, gupbench_run r)
{
	gupbench_repeat out[2]{};
	if (!r.results)
		r.results = ul(out);
	if (ioctl(fd, GUPBENCH_IOC_RUN, &r) != 0)
		return errno;
	return -out[0].error;
}

gupbench_run pin_fast(unsigned long addr, unsigned long pages = 4)
{
	return run_request(GUPBENCH_WALKER_PIN_FAST, addr, pages * page_size, 4, nullptr);
}

// gup_test answers a walk that failed with 0 and a cut size: ENODATA here if it was cut to 0.
int gup_test_errno(int fd, unsigned long cmd, gup_test g)
{
	if (ioctl(fd, cmd, &g) != 0)
		return errno;
	return g.size == 0 ? ENODATA : 0;
}

std::vector<BadRequest> bench_file_cases()
{
	return {
		{ "UnknownCommand", ENOTTY,
		  [](int f, int, unsigned long) { return ioctl_errno(f, _IOWR('G', 0x3f, gupbench_run), nullptr); } },
		{ "OtherMagic", ENOTTY, [](int f, int, unsigned long) { return ioctl_errno(f, _IO('x', 1), nullptr); } },
		{ "NullArgument", EFAULT,
		  [](int f, int, unsigned long) { return ioctl_errno(f, GUPBENCH_IOC_RUN, nullptr); } },
		{ "KernelArgument", EFAULT,
		  [](int f, int, unsigned long) {
			  return ioctl_errno(f, GUPBENCH_IOC_RUN, reinterpret_cast<void *>(kernel_address));
		  } },
		{ "StructTooSmall", EINVAL,
		  [](int f, int, unsigned long a) { auto r = pin_fast(a); r.size = 8; return run_errno(f, r); } },
		{ "StructLargerWithGarbage", E2BIG,
		  [](int f, int, unsigned long a) {
			  gupbench_repeat out{};
			  struct { gupbench_run run; unsigned long tail; } big{ pin_fast(a), 1 };
			  big.run.size = sizeof(big);
			  big.run.results = ul(&out);
			  return ioctl_errno(f, GUPBENCH_IOC_RUN, &big);
		  } },
		{ "StructLargerWithZeroes", 0,
		  [](int f, int, unsigned long a) {
			  gupbench_repeat out{};
			  struct { gupbench_run run; unsigned long tail; } big{ pin_fast(a), 0 };
			  big.run.size = sizeof(big);
			  big.run.results = ul(&out);
			  return ioctl_errno(f, GUPBENCH_IOC_RUN, &big) ?: -out.error;
		  } },
		{ "InfoTooSmall", EINVAL,
		  [](int f, int, unsigned long) { gupbench_info i{}; i.size = 4; return ioctl_errno(f, GUPBENCH_IOC_INFO, &i); } },
		{ "RepeatSizeTooSmall", EINVAL,
		  [](int f, int, unsigned long a) { auto r = pin_fast(a); r.repeat_size = 8; return run_errno(f, r); } },
		{ "UnknownWalker", EINVAL,
		  [](int f, int, unsigned long a) { auto r = pin_fast(a); r.walker = 77; return run_errno(f, r); } },
		{ "UnknownFlags", EINVAL,
		  [](int f, int, unsigned long a) { auto r = pin_fast(a); r.flags = 1ull << 63; return run_errno(f, r); } },
		{ "SizeZero", EINVAL,
		  [](int f, int, unsigned long a) { auto r = pin_fast(a); r.length = 0; return run_errno(f, r); } },
		{ "UnalignedAddress", EINVAL,
		  [](int f, int, unsigned long a) { return run_errno(f, pin_fast(a + 8)); } },
		{ "UnalignedLength", EINVAL,
		  [](int f, int, unsigned long a) { auto r = pin_fast(a); r.length -= 8; return run_errno(f, r); } },
		{ "KernelAddress", EFAULT,
		  [](int f, int, unsigned long) { return run_errno(f, pin_fast(kernel_address)); } },
		{ "KernelAddressSlowWalker", EFAULT,
		  [](int f, int, unsigned long) {
			  auto r = pin_fast(kernel_address);
			  r.walker = GUPBENCH_WALKER_GET;
			  return run_errno(f, r);
		  } },
		{ "AddressPlusSizeOverflows", EOVERFLOW,
		  [](int f, int, unsigned long) { return run_errno(f, pin_fast(~0ul & ~(page_size - 1))); } },
		{ "MorePagesThanTheCap", E2BIG,
		  [](int f, int, unsigned long a) { return run_errno(f, pin_fast(a, 1ul << 30)); } },
		{ "PagesPerCallZero", EINVAL,
		  [](int f, int, unsigned long a) { auto r = pin_fast(a); r.pages_per_call = 0; return run_errno(f, r); } },
		{ "PagesPerCallHuge", EINVAL,
		  [](int f, int, unsigned long a) { auto r = pin_fast(a); r.pages_per_call = ~0u; return run_errno(f, r); } },
		{ "RepeatsZero", EINVAL,
		  [](int f, int, unsigned long a) { auto r = pin_fast(a); r.repeats = 0; return run_errno(f, r); } },
		{ "ResultsUnwritable", EFAULT,
		  [](int f, int, unsigned long a) {
			  auto r = pin_fast(a);
			  r.results = ul(scratch().readonly);
			  return run_errno(f, r);
		  } },
		{ "UnmappedRange", EFAULT,
		  [](int f, int, unsigned long) { return run_errno(f, pin_fast(ul(scratch().hole))); } },
		{ "ProtNoneRange", EFAULT,
		  [](int f, int, unsigned long) { return run_errno(f, pin_fast(ul(scratch().none))); } },
		{ "WritePinOfReadOnlyMapping", EFAULT,
		  [](int f, int, unsigned long) {
			  auto r = pin_fast(ul(scratch().readonly));
			  r.flags = GUPBENCH_FLAG_WRITE;
			  return run_errno(f, r);
		  } },
		{ "WritePinOfReadOnlyMappingSlowWalker", EFAULT,
		  [](int f, int, unsigned long) {
			  auto r = pin_fast(ul(scratch().readonly));
			  r.walker = GUPBENCH_WALKER_PIN;
			  r.flags = GUPBENCH_FLAG_WRITE;
			  return run_errno(f, r);
		  } },
		{ "LocalWalkerGivenAPid", EINVAL,
		  [](int f, int, unsigned long a) { auto r = pin_fast(a); r.target_pid = 1; return run_errno(f, r); } },
		{ "ReadWithNothingHeld", EINVAL,
		  [](int f, int, unsigned long a) {
			  gupbench_read r{ sizeof(gupbench_read), 0, a, page_size };
			  return ioctl_errno(f, GUPBENCH_IOC_READ, &r);
		  } },
		{ "ReleaseWithNothingHeld", EINVAL,
		  [](int f, int, unsigned long) { return ioctl_errno(f, GUPBENCH_IOC_RELEASE, nullptr); } },
		{ "HoldTwice", EBUSY,
		  [](int f, int, unsigned long a) {
			  auto h = hold_request(GUPBENCH_WALKER_PIN_FAST, a, 4 * page_size);
			  int first = ioctl_errno(f, GUPBENCH_IOC_HOLD, &h);
			  return first ? -first : ioctl_errno(f, GUPBENCH_IOC_HOLD, &h);
		  } },
		{ "HoldOfAnUnmappedTail", EFAULT,
		  [](int f, int, unsigned long) {
			  auto h = hold_request(GUPBENCH_WALKER_PIN_FAST, ul(scratch().hole), 4 * page_size);
			  return ioctl_errno(f, GUPBENCH_IOC_HOLD, &h);
		  } },
		{ "HoldWithReservedSet", EINVAL,
		  [](int f, int, unsigned long a) {
			  auto h = hold_request(GUPBENCH_WALKER_PIN_FAST, a, 4 * page_size);
			  h.reserved = 1;
			  return ioctl_errno(f, GUPBENCH_IOC_HOLD, &h);
		  } },
		{ "HoldRemote", EINVAL,
		  [](int f, int, unsigned long a) {
			  auto h = hold_request(GUPBENCH_WALKER_PIN_REMOTE, a, 4 * page_size);
			  return ioctl_errno(f, GUPBENCH_IOC_HOLD, &h);
		  } },
		{ "ReadPastTheHeldPages", EINVAL,
		  [](int f, int, unsigned long a) {
			  auto h = hold_request(GUPBENCH_WALKER_PIN_FAST, a, 4 * page_size);
			  if (int e = ioctl_errno(f, GUPBENCH_IOC_HOLD, &h))
				  return -e;
			  std::vector<char> buffer(8 * page_size);
			  gupbench_read r{ sizeof(gupbench_read), 0, ul(buffer.data()), 5 * page_size };
			  return ioctl_errno(f, GUPBENCH_IOC_READ, &r);
		  } },
		{ "ReadIntoAReadOnlyBuffer", EFAULT,
		  [](int f, int, unsigned long a) {
			  auto h = hold_request(GUPBENCH_WALKER_PIN_FAST, a, 4 * page_size);
			  if (int e = ioctl_errno(f, GUPBENCH_IOC_HOLD, &h))
				  return -e;
			  gupbench_read r{ sizeof(gupbench_read), 0, ul(scratch().readonly), page_size };
			  return ioctl_errno(f, GUPBENCH_IOC_READ, &r);
		  } },
	};
}

std::vector<BadRequest> gup_test_file_cases()
{
	auto g = [](unsigned long a) { return gup_test_request(a, 4 * page_size, 4); };
	return {
		{ "UnknownCommand", EINVAL,
		  [g](int, int f, unsigned long a) { return gup_test_errno(f, _IOWR('g', 10, gup_test), g(a)); } },
		{ "NullArgument", EFAULT,
		  [](int, int f, unsigned long) { return ioctl_errno(f, GUP_TEST_PIN_FAST_BENCHMARK, nullptr); } },
		{ "SizeZero", EINVAL,
		  [](int, int f, unsigned long a) { return gup_test_errno(f, GUP_TEST_PIN_FAST_BENCHMARK, gup_test_request(a, 0, 1)); } },
		{ "UnalignedAddress", EINVAL,
		  [g](int, int f, unsigned long a) { return gup_test_errno(f, GUP_TEST_GUP_BASIC_TEST, g(a + 8)); } },
		{ "NrPagesPerCallZero", EINVAL,
		  [](int, int f, unsigned long a) {
			  return gup_test_errno(f, GUP_TEST_GUP_FAST_BENCHMARK, gup_test_request(a, page_size, 0));
		  } },
		{ "NrPagesPerCallHugeMeansAll", 0,
		  [](int, int f, unsigned long a) {
			  return gup_test_errno(f, GUP_TEST_PIN_FAST_BENCHMARK, gup_test_request(a, 4 * page_size, ~0u));
		  } },
		{ "AddressPlusSizeOverflows", EOVERFLOW,
		  [g](int, int f, unsigned long) { return gup_test_errno(f, GUP_TEST_PIN_BASIC_TEST, g(~0ul & ~(page_size - 1))); } },
		{ "MorePagesThanTheCap", E2BIG,
		  [](int, int f, unsigned long a) {
			  return gup_test_errno(f, GUP_TEST_PIN_BASIC_TEST, gup_test_request(a, 1ul << 42, 1));
		  } },
		{ "UnknownGupFlags", EINVAL,
		  [](int, int f, unsigned long a) {
			  return gup_test_errno(f, GUP_TEST_GUP_BASIC_TEST, gup_test_request(a, page_size, 1, 0x80000000u));
		  } },
		{ "KernelAddressCutsToNothing", ENODATA,
		  [g](int, int f, unsigned long) { return gup_test_errno(f, GUP_TEST_PIN_FAST_BENCHMARK, g(kernel_address)); } },
		{ "UnmappedRangeCutsToNothing", ENODATA,
		  [g](int, int f, unsigned long) { return gup_test_errno(f, GUP_TEST_PIN_BASIC_TEST, g(ul(scratch().hole))); } },
		{ "ProtNoneRangeCutsToNothing", ENODATA,
		  [g](int, int f, unsigned long) { return gup_test_errno(f, GUP_TEST_GUP_FAST_BENCHMARK, g(ul(scratch().none))); } },
		{ "WritePinOfReadOnlyMappingCutsToNothing", ENODATA,
		  [](int, int f, unsigned long) {
			  return gup_test_errno(f, GUP_TEST_PIN_BASIC_TEST,
						gup_test_request(ul(scratch().readonly), page_size, 1, foll_write));
		  } },
		{ "LongtermReadWithNothingHeld", EINVAL,
		  [](int, int f, unsigned long a) { unsigned long b = a; return ioctl_errno(f, GUP_TEST_PIN_LONGTERM_TEST_READ, &b); } },
		{ "LongtermStopWithNothingHeldIsFine", 0,
		  [](int, int f, unsigned long) { return ioctl_errno(f, GUP_TEST_PIN_LONGTERM_TEST_STOP, nullptr); } },
		{ "LongtermStartTwice", EINVAL,
		  [](int, int f, unsigned long a) {
			  gup_test_pin_longterm s{ a, 4 * page_size, 0 };
			  int first = ioctl_errno(f, GUP_TEST_PIN_LONGTERM_TEST_START, &s);
			  return first ? -first : ioctl_errno(f, GUP_TEST_PIN_LONGTERM_TEST_START, &s);
		  } },
		{ "LongtermStartUnknownFlags", EINVAL,
		  [](int, int f, unsigned long a) {
			  gup_test_pin_longterm s{ a, 4 * page_size, 0x80 };
			  return ioctl_errno(f, GUP_TEST_PIN_LONGTERM_TEST_START, &s);
		  } },
		{ "LongtermStartSizeZero", EINVAL,
		  [](int, int f, unsigned long a) {
			  gup_test_pin_longterm s{ a, 0, 0 };
			  return ioctl_errno(f, GUP_TEST_PIN_LONGTERM_TEST_START, &s);
		  } },
		{ "LongtermStartOfAHole", EFAULT,
		  [](int, int f, unsigned long) {
			  gup_test_pin_longterm s{ ul(scratch().hole), 4 * page_size, 0 };
			  return ioctl_errno(f, GUP_TEST_PIN_LONGTERM_TEST_START, &s);
		  } },
		{ "LongtermReadIntoAReadOnlyBuffer", EFAULT,
		  [](int, int f, unsigned long a) {
			  gup_test_pin_longterm s{ a, 4 * page_size, 0 };
			  if (int e = ioctl_errno(f, GUP_TEST_PIN_LONGTERM_TEST_START, &s))
				  return -e;
			  unsigned long b = ul(scratch().readonly);
			  return ioctl_errno(f, GUP_TEST_PIN_LONGTERM_TEST_READ, &b);
		  } },
	};
}

class BadInput : public ::testing::TestWithParam<BadRequest> {};

TEST_P(BadInput, GetsItsErrnoAndLeavesNoPin)
{
	auto before = vmstat_pins();
	gupbench::Mapping mapping(MemoryKind::anon, 16 * page_size, true);
	std::string log_before = e2e::kernel_log();
	int bench = open(GUPBENCH_BENCH_FILE, O_RDWR);
	int gup_test_fd = open(GUP_TEST_FILE_GUPBENCH, O_RDWR);
	ASSERT_GE(bench, 0);
	ASSERT_GE(gup_test_fd, 0);
	EXPECT_EQ(GetParam().make(bench, gup_test_fd, mapping.addr()), GetParam().expected)
		<< strerror(GetParam().expected);
	close(bench);
	close(gup_test_fd);
	EXPECT_EQ(pins_held_since(before), 0);
	// A refusal is explained in dmesg, and nothing worse is said there.
	std::string said = e2e::kernel_log_since(log_before);
	for (const char *report : { "WARNING:", "BUG:", "KASAN", "Oops" })
		EXPECT_EQ(said.find(report), std::string::npos) << said;
}

std::string bad_request_name(const ::testing::TestParamInfo<BadRequest> &info)
{
	return info.param.name;
}

INSTANTIATE_TEST_SUITE_P(BenchFile, BadInput, ::testing::ValuesIn(bench_file_cases()),
			 bad_request_name);
INSTANTIATE_TEST_SUITE_P(GupTestFile, BadInput, ::testing::ValuesIn(gup_test_file_cases()),
			 bad_request_name);

} // namespace
