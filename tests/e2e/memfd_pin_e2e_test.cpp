// The pin_memfd walker (memfd_pin_folios, Linux 6.11+) end to end, in the guest: shmem and
// hugetlb memfds pinned with an exact ledger, one pin per folio per call, every pin given
// back, each bad request refused with its errno and a line in dmesg, and on kernels without
// it, EOPNOTSUPP.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <functional>
#include <iterator>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bench_device.h"
#include "guest_util.h"
#include "matrix.h"
#include "memory.h"
#include "walkers.h"

using e2e::pins_held_since;
using e2e::pins_moved_since;
using e2e::vmstat_pins;

namespace {

// What the kernel log says since `before`, with TEXT in it if gupbench said it. Its
// refusals are rate limited (100 per 5 s, module/kapi/log.c), and the e2e tests before
// this one may have used them up: then `again` asks once more when the limit has room.
std::string log_with(const std::string &before, const char *text, const std::function<void()> &again)
{
	std::string said = e2e::kernel_log_since(before);
	if (said.find(text) != std::string::npos)
		return said;
	sleep(6);
	std::string before_again = e2e::kernel_log();
	again();
	return e2e::kernel_log_since(before_again);
}

} // namespace
using gupbench::MemoryKind;

namespace {

const unsigned long page_size = sysconf(_SC_PAGESIZE);
constexpr std::size_t length = 4u << 20; // two 2 MiB huge pages
const unsigned long pages = length / page_size;

gupbench_run memfd_request(int fd, std::size_t bytes, unsigned ppc, unsigned long long flags)
{
	gupbench_run r{};
	r.walker = GUPBENCH_WALKER_PIN_MEMFD;
	r.memfd = fd;
	r.length = bytes;
	r.pages_per_call = ppc;
	r.repeats = 1;
	r.flags = flags;
	return r;
}

// 0, or the errno of a RUN (its size as given, or the whole struct when 0).
int run_errno(gupbench_run r, gupbench_repeat *out = nullptr)
{
	gupbench_repeat sink[4]{};
	if (!r.size)
		r.size = sizeof(r);
	r.repeat_size = sizeof(gupbench_repeat);
	r.results = reinterpret_cast<unsigned long>(out ? out : sink);
	int fd = open(GUPBENCH_BENCH_FILE, O_RDWR | O_CLOEXEC);
	int err = e2e::ioctl_errno(fd, GUPBENCH_IOC_RUN, &r);
	close(fd);
	return err;
}

std::string mismatch_text(const gupbench_repeat &r)
{
	return gupbench::verdict_name(r.verdict) + ": " + gupbench::mismatch_name(r.mismatch) +
	       " at page " + std::to_string(r.mismatch_page) + ", expected " +
	       std::to_string(r.mismatch_expected) + ", saw " + std::to_string(r.mismatch_observed);
}

// shmem's own huge pages are off unless shmem_enabled says otherwise (memfds follow it).
bool shmem_small_folios_only()
{
	std::ifstream in("/sys/kernel/mm/transparent_hugepage/shmem_enabled");
	std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
	return text.empty() || text.find("[never]") != std::string::npos ||
	       text.find("[deny]") != std::string::npos;
}

class MemfdPin : public ::testing::Test {
public:
	static void SetUpTestSuite() { e2e::write_file("/proc/sys/vm/nr_hugepages", "8"); }

protected:
	void SetUp() override { E2E_SKIP_WITHOUT_WALKER(GUPBENCH_WALKER_PIN_MEMFD); }

	// One verified RUN over `mapping`'s memfd, with what /proc/vmstat saw around it.
	gupbench_repeat verified_run(const gupbench::Mapping &mapping, unsigned ppc,
				     std::pair<long, long> &moved, unsigned repeats = 1)
	{
		auto request = memfd_request(mapping.fd(), mapping.length(), ppc, GUPBENCH_FLAG_VERIFY);
		request.repeats = repeats;
		std::vector<gupbench_repeat> out(repeats);
		auto before = vmstat_pins();
		EXPECT_EQ(run_errno(request, out.data()), 0) << strerror(errno);
		moved = pins_moved_since(before);
		for (const auto &r : out) {
			EXPECT_EQ(r.error, 0) << strerror(-r.error) << " at offset " << r.error_offset;
			EXPECT_EQ(r.pages_done, mapping.length() / page_size);
			EXPECT_EQ(r.verdict, unsigned(GUPBENCH_VERDICT_EXACT)) << mismatch_text(r);
			EXPECT_EQ(r.vmstat_pins_acquired, r.vmstat_pins_released) << "pins left";
			EXPECT_GT(r.get_ns, 0u);
		}
		return out.back();
	}
};

TEST_F(MemfdPin, PinsAShmemMemfdExactlyAndGivesEveryPinBack)
{
	gupbench::Mapping mapping(MemoryKind::memfd, length, true);
	std::pair<long, long> moved;
	auto r = verified_run(mapping, 512, moved, 3);
	EXPECT_EQ(r.calls, pages / 512);
	unsigned long long in_histogram = 0;
	for (auto count : r.histogram)
		in_histogram += count;
	EXPECT_EQ(in_histogram, r.calls) << "the histogram does not count every call once";
	// Each call pins each folio it covers once: 3 walks' worth, all given back.
	EXPECT_EQ(moved.first, moved.second);
	EXPECT_EQ(moved.first, long(3 * r.vmstat_pins_acquired));
	if (shmem_small_folios_only()) {
		EXPECT_EQ(r.folios, pages) << "a memfd of small folios";
		EXPECT_EQ(r.vmstat_pins_acquired, pages) << "one pin per small folio";
	}
}

TEST_F(MemfdPin, PinsEachHugetlbFolioOncePerCall)
{
	gupbench::Mapping mapping(MemoryKind::hugetlb_memfd, length, true);
	// The whole range in one call, in calls of 2 MiB, in calls of one page: a 2 MiB folio
	// is one folio, pinned once by every call that covers part of it.
	const struct {
		unsigned ppc;
		unsigned long pins;
	} cases[] = { { unsigned(pages), 2 }, { 512, 2 }, { 1, pages } };
	for (const auto &c : cases) {
		SCOPED_TRACE("pages_per_call " + std::to_string(c.ppc));
		std::pair<long, long> moved;
		auto r = verified_run(mapping, c.ppc, moved);
		EXPECT_EQ(r.folios, length / (2u << 20)) << "not 2 MiB folios";
		EXPECT_EQ(r.vmstat_pins_acquired, c.pins);
		EXPECT_EQ(r.vmstat_pins_released, c.pins);
		EXPECT_EQ(moved.first, long(c.pins)) << "nr_foll_pin_acquired";
		EXPECT_EQ(moved.second, long(c.pins)) << "nr_foll_pin_released";
	}
}

TEST_F(MemfdPin, AllocatesWhatWasNeverFaultedIn)
{
	// No mapping at all: memfd_pin_folios() adds the missing folios to the page cache.
	int fd = memfd_create("gupbench-unfaulted", MFD_CLOEXEC);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(ftruncate(fd, 1u << 20), 0);
	gupbench_repeat r{};
	auto before = vmstat_pins();
	EXPECT_EQ(run_errno(memfd_request(fd, 1u << 20, 64, GUPBENCH_FLAG_VERIFY), &r), 0);
	EXPECT_EQ(pins_held_since(before), 0);
	close(fd);
	EXPECT_EQ(r.error, 0) << strerror(-r.error);
	EXPECT_EQ(r.pages_done, (1u << 20) / page_size);
	EXPECT_EQ(r.verdict, unsigned(GUPBENCH_VERDICT_EXACT)) << mismatch_text(r);
}

TEST_F(MemfdPin, WalksFromAnOffsetWithWalkTime)
{
	gupbench::Mapping mapping(MemoryKind::hugetlb_memfd, length, true);
	// The second huge page only, timed as one walk.
	auto request = memfd_request(mapping.fd(), 2u << 20, 512,
				     GUPBENCH_FLAG_VERIFY | GUPBENCH_FLAG_WALK_TIME | GUPBENCH_FLAG_LONGTERM);
	request.memfd_offset = 2u << 20;
	gupbench_repeat r{};
	ASSERT_EQ(run_errno(request, &r), 0);
	EXPECT_EQ(r.error, 0);
	EXPECT_EQ(r.pages_done, (2u << 20) / page_size);
	EXPECT_EQ(r.calls, 1u);
	EXPECT_EQ(r.folios, 1u);
	EXPECT_EQ(r.vmstat_pins_acquired, 1u);
	EXPECT_EQ(r.verdict, unsigned(GUPBENCH_VERDICT_EXACT)) << mismatch_text(r);
}

struct BadMemfdRequest {
	const char *name;
	int expected;        // errno
	const char *said;    // in the dmesg line
	// Builds the request from a good one over a 1 MiB memfd `fd`; returns the errno.
	std::function<int(gupbench_run, int fd)> make;
};

std::vector<BadMemfdRequest> bad_requests()
{
	const unsigned long long aligned_max = ~0ull & ~(page_size - 1);
	return {
		{ "NotAMemfd", EINVAL, "is not a memfd",
		  [](gupbench_run r, int) {
			  int pipes[2];
			  if (pipe(pipes) != 0)
				  return -1;
			  r.memfd = pipes[0];
			  int err = run_errno(r);
			  close(pipes[0]);
			  close(pipes[1]);
			  return err;
		  } },
		{ "AClosedFd", EBADF, "is not an open file",
		  [](gupbench_run r, int) {
			  // A number far above any the RUN itself opens (the bench file), closed.
			  int fd = memfd_create("gupbench-closed", MFD_CLOEXEC);
			  int high = fcntl(fd, F_DUPFD_CLOEXEC, 900);
			  close(fd);
			  close(high);
			  r.memfd = high;
			  return run_errno(r);
		  } },
		{ "ANegativeFd", EBADF, "is not an open file",
		  [](gupbench_run r, int) { return r.memfd = -1, run_errno(r); } },
		{ "BeyondTheFile", EINVAL, "beyond the memfd's size",
		  [](gupbench_run r, int) { return r.length = 2u << 20, run_errno(r); } },
		{ "StartingAtTheEnd", EINVAL, "beyond the memfd's size",
		  [](gupbench_run r, int) {
			  return r.memfd_offset = 1u << 20, r.length = page_size, run_errno(r);
		  } },
		{ "AnUnalignedOffset", EINVAL, "is not page aligned",
		  [](gupbench_run r, int) { return r.memfd_offset = 100, run_errno(r); } },
		{ "AnUnalignedLength", EINVAL, "must be page aligned",
		  [](gupbench_run r, int) { return r.length = page_size + 1, run_errno(r); } },
		{ "AnOffsetThatOverflows", EOVERFLOW, "overflows",
		  [aligned_max](gupbench_run r, int) {
			  return r.memfd_offset = aligned_max, r.length = 2 * page_size, run_errno(r);
		  } },
		{ "AnAddress", EINVAL, "addr and reserved2 must be 0",
		  [](gupbench_run r, int) { return r.addr = 0x10000, run_errno(r); } },
		{ "Reserved2", EINVAL, "addr and reserved2 must be 0",
		  [](gupbench_run r, int) { return r.reserved2 = 1, run_errno(r); } },
		{ "AWriteFlag", EINVAL, "are not for memfd_pin_folios",
		  [](gupbench_run r, int) { return r.flags |= GUPBENCH_FLAG_WRITE, run_errno(r); } },
		{ "ATargetPid", EINVAL, "target_pid is for the remote walkers",
		  [](gupbench_run r, int) { return r.target_pid = getpid(), run_errno(r); } },
		{ "AVersionOneCaller", EINVAL, "needs the memfd fields",
		  [](gupbench_run r, int) { return r.size = GUPBENCH_RUN_SIZE_V1, run_errno(r); } },
		{ "MemfdFieldsForPinFast", EINVAL, "are for the memfd walker only",
		  [](gupbench_run r, int) {
			  r.walker = GUPBENCH_WALKER_PIN_FAST;
			  r.addr = 0x10000;
			  return run_errno(r);
		  } },
		{ "AnOffsetForPinFast", EINVAL, "are for the memfd walker only",
		  [](gupbench_run r, int) {
			  r.walker = GUPBENCH_WALKER_PIN_FAST;
			  r.memfd = 0;
			  r.memfd_offset = page_size;
			  r.addr = 0x10000;
			  return run_errno(r);
		  } },
		{ "Hold", EINVAL, "is for RUN only",
		  [](gupbench_run, int fd) {
			  gupbench_hold h{};
			  h.size = sizeof(h);
			  h.walker = GUPBENCH_WALKER_PIN_MEMFD;
			  h.addr = 0x10000;
			  h.length = page_size;
			  h.pages_per_call = 1;
			  (void)fd;
			  int bench = open(GUPBENCH_BENCH_FILE, O_RDWR | O_CLOEXEC);
			  int err = e2e::ioctl_errno(bench, GUPBENCH_IOC_HOLD, &h);
			  close(bench);
			  return err;
		  } },
	};
}

class MemfdPinBadInput : public ::testing::TestWithParam<BadMemfdRequest> {
protected:
	void SetUp() override { E2E_SKIP_WITHOUT_WALKER(GUPBENCH_WALKER_PIN_MEMFD); }
};

TEST_P(MemfdPinBadInput, GetsItsErrnoADmesgLineAndLeavesNoPin)
{
	int fd = memfd_create("gupbench-bad", MFD_CLOEXEC);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(ftruncate(fd, 1u << 20), 0);
	auto good = memfd_request(fd, 1u << 20, 16, GUPBENCH_FLAG_VERIFY);
	ASSERT_EQ(run_errno(good), 0) << "the request the bad ones are made from";
	auto before = vmstat_pins();
	std::string log_before = e2e::kernel_log();
	EXPECT_EQ(GetParam().make(good, fd), GetParam().expected) << strerror(GetParam().expected);
	close(fd);
	EXPECT_EQ(pins_held_since(before), 0);
	std::string said = log_with(log_before, GetParam().said, [&] {
		int again = memfd_create("gupbench-bad", MFD_CLOEXEC);
		if (again >= 0 && ftruncate(again, 1u << 20) == 0)
			GetParam().make(memfd_request(again, 1u << 20, 16, GUPBENCH_FLAG_VERIFY), again);
		if (again >= 0)
			close(again);
	});
	EXPECT_NE(said.find(GetParam().said), std::string::npos) << "dmesg said: " << said;
	for (const char *report : { "WARNING:", "BUG:", "KASAN", "Oops" })
		EXPECT_EQ(said.find(report), std::string::npos) << said;
}

INSTANTIATE_TEST_SUITE_P(Run, MemfdPinBadInput, ::testing::ValuesIn(bad_requests()),
			 [](const ::testing::TestParamInfo<BadMemfdRequest> &info) {
				 return std::string(info.param.name);
			 });

// Whether `release` (uname's) is 6.11 or later, which added memfd_pin_folios().
bool from_6_11(const char *release)
{
	unsigned major = 0, minor = 0;
	if (sscanf(release, "%u.%u", &major, &minor) != 2)
		return false;
	return major > 6 || (major == 6 && minor >= 11);
}

// No skip on either side: INFO says whether the kernel has it, and one without refuses
// RUN and HOLD with EOPNOTSUPP, saying so in dmesg.
TEST(MemfdPinKernel, InfoSaysWhetherTheKernelHasItAndOneWithoutRefuses)
{
	utsname uts{};
	uname(&uts);
	const bool has = e2e::kernel_has_walker(GUPBENCH_WALKER_PIN_MEMFD);
	EXPECT_EQ(has, from_6_11(uts.release)) << uts.release;
	int fd = memfd_create("gupbench-absent", MFD_CLOEXEC);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(ftruncate(fd, 1u << 20), 0);
	std::string log_before = e2e::kernel_log();
	int run = run_errno(memfd_request(fd, 1u << 20, 16, 0));
	gupbench_hold h{};
	h.size = sizeof(h);
	h.walker = GUPBENCH_WALKER_PIN_MEMFD;
	h.length = page_size;
	h.pages_per_call = 1;
	int bench = open(GUPBENCH_BENCH_FILE, O_RDWR | O_CLOEXEC);
	int hold = e2e::ioctl_errno(bench, GUPBENCH_IOC_HOLD, &h);
	close(bench);
	close(fd);
	if (has) {
		EXPECT_EQ(run, 0) << strerror(run);
		EXPECT_EQ(hold, EINVAL) << "HOLD is not for the memfd walker";
		return;
	}
	EXPECT_EQ(run, EOPNOTSUPP) << strerror(run);
	EXPECT_EQ(hold, EOPNOTSUPP) << strerror(hold);
	std::string said = log_with(log_before, "pin_memfd: kernel", [&] {
		int again = memfd_create("gupbench-absent", MFD_CLOEXEC);
		if (again >= 0 && ftruncate(again, 1u << 20) == 0)
			run_errno(memfd_request(again, 1u << 20, 16, 0));
		if (again >= 0)
			close(again);
	});
	EXPECT_NE(said.find("pin_memfd: kernel"), std::string::npos) << "dmesg said: " << said;
}

// An old binary's request (version 1 size) still works for the other walkers.
TEST(MemfdPinKernel, AVersionOneRequestStillWorksForTheOtherWalkers)
{
	gupbench::Mapping mapping(MemoryKind::anon, 16 * page_size, true);
	gupbench_run r{};
	r.size = GUPBENCH_RUN_SIZE_V1;
	r.walker = GUPBENCH_WALKER_PIN_FAST;
	r.addr = mapping.addr();
	r.length = mapping.length();
	r.pages_per_call = 16;
	r.repeats = 1;
	r.flags = GUPBENCH_FLAG_VERIFY;
	r.memfd = 7; // beyond the caller's size: never read
	gupbench_repeat out{};
	ASSERT_EQ(run_errno(r, &out), 0);
	EXPECT_EQ(out.verdict, unsigned(GUPBENCH_VERDICT_EXACT)) << mismatch_text(out);
}

// The tool's matrix: pin_memfd runs on memfds, and other memory is a skipped case, said.
TEST_F(MemfdPin, TheBenchMatrixRunsItOnMemfdsOnly)
{
	gupbench::MatrixOptions options;
	options.walkers = { GUPBENCH_WALKER_PIN_MEMFD };
	options.memories = { MemoryKind::memfd, MemoryKind::hugetlb_memfd, MemoryKind::anon };
	options.sizes = { length };
	options.pages_per_call = { 512 };
	options.writes = { false, true };
	options.repeats = 2;
	options.verify = true;
	options.kernel = e2e::kernel_info();
	gupbench::BenchDevice device;
	for (const auto &spec : gupbench::expand(options)) {
		SCOPED_TRACE(gupbench::case_id(spec));
		auto before = vmstat_pins();
		auto outcome = gupbench::run_case(device, spec, options);
		EXPECT_EQ(pins_held_since(before), 0);
		const bool runs = gupbench::is_memfd_kind(spec.memory) && !spec.write;
		EXPECT_EQ(outcome.skipped, !runs) << outcome.note;
		if (runs)
			EXPECT_EQ(outcome.figures.verdict, "exact");
		else
			EXPECT_NE(outcome.note.find("pin_memfd"), std::string::npos) << outcome.note;
	}
}

} // namespace
