// The gup_test compat file end to end, in the guest: the kernel's ABI answered as
// mm/gup_test.c answers it, the requests it must refuse, and the long-term pin that each
// open file holds on its own. The kernel's own selftest binary runs against it too
// (qemu/guest/gup-selftest).
#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include <uapi/gupbench_gup_test.h>

#include "guest_util.h"
#include "memory.h"
#include "requests.h"

using e2e::ioctl_errno;
using e2e::pins_held_since;
using e2e::pins_moved_since;
using e2e::vmstat_pins;
using gupbench::MemoryKind;

namespace {

const unsigned long page_size = sysconf(_SC_PAGESIZE);

// The FOLL_* values of 6.1 that the selftest passes (include/linux/mm.h).
constexpr unsigned foll_write = 0x01, foll_touch = 0x02, foll_pin = 0x40000;

class GupTestFile : public ::testing::Test {
protected:
	void SetUp() override
	{
		fd_ = open(GUP_TEST_FILE_GUPBENCH, O_RDWR);
		ASSERT_GE(fd_, 0) << GUP_TEST_FILE_GUPBENCH << ": " << strerror(errno);
	}
	void TearDown() override
	{
		if (fd_ >= 0)
			close(fd_);
	}

	gup_test request(unsigned long addr, unsigned long bytes, unsigned per_call,
			 unsigned gup_flags = foll_write)
	{
		return e2e::gup_test_request(addr, bytes, per_call, gup_flags);
	}

	int fd_ = -1;
};

// Commands 1 to 5: the walkers of mm/gup_test.c.
const unsigned long benchmark_commands[] = {
	GUP_TEST_GUP_FAST_BENCHMARK, GUP_TEST_PIN_FAST_BENCHMARK, GUP_TEST_PIN_LONGTERM_BENCHMARK,
	GUP_TEST_GUP_BASIC_TEST,     GUP_TEST_PIN_BASIC_TEST,
};

// Whether a command of mm/gup_test.c pins (pin_user_pages*: FOLL_PIN) or gets.
bool command_pins(unsigned long cmd)
{
	return cmd == GUP_TEST_PIN_FAST_BENCHMARK || cmd == GUP_TEST_PIN_LONGTERM_BENCHMARK ||
	       cmd == GUP_TEST_PIN_BASIC_TEST;
}

TEST(GupTestAbi, NumbersAndSizesAreTheKernels)
{
	static_assert(sizeof(gup_test) == 80);
	static_assert(sizeof(gup_test_pin_longterm) == 24);
	// As the kernel's _IOWR('g', n, struct gup_test) encodes them on x86-64.
	EXPECT_EQ(GUP_TEST_GUP_FAST_BENCHMARK, 0xc0506701ul);
	EXPECT_EQ(GUP_TEST_DUMP_USER_PAGES_TEST, 0xc0506706ul);
	EXPECT_EQ(GUP_TEST_PIN_LONGTERM_TEST_START, 0x40186707ul);
	EXPECT_EQ(GUP_TEST_PIN_LONGTERM_TEST_STOP, 0x6708ul);
	EXPECT_EQ(GUP_TEST_PIN_LONGTERM_TEST_READ, 0x40086709ul);
	struct stat st {};
	ASSERT_EQ(stat(GUP_TEST_FILE_GUPBENCH, &st), 0);
	EXPECT_EQ(st.st_mode & 07777, 0600u);
}

TEST_F(GupTestFile, EveryCommandCoversTheWholeRangeAtEveryBatchSize)
{
	const unsigned long pages = 1024;
	gupbench::Mapping mapping(MemoryKind::anon, pages * page_size, true);
	for (unsigned long cmd : benchmark_commands) {
		for (unsigned per_call : { 1u, 512u, 123u, ~0u }) {
			SCOPED_TRACE(testing::Message()
				     << std::hex << cmd << std::dec << " n " << per_call);
			gup_test g = request(mapping.addr(), pages * page_size, per_call);
			auto before = vmstat_pins();
			ASSERT_EQ(ioctl_errno(fd_, cmd, &g), 0);
			auto moved = pins_moved_since(before);
			EXPECT_EQ(g.size, pages * page_size);
			EXPECT_EQ(g.addr, mapping.addr());
			// Each page pinned and unpinned once by a pin command; a get command
			// moves neither counter.
			const long pinned = command_pins(cmd) ? long(pages) : 0;
			EXPECT_EQ(moved.first, pinned) << "nr_foll_pin_acquired";
			EXPECT_EQ(moved.second, pinned) << "nr_foll_pin_released";
		}
	}
}

TEST_F(GupTestFile, RefusesWhatTheInKernelOneWouldCrashOrWarnOn)
{
	gupbench::Mapping mapping(MemoryKind::anon, 8 * page_size, true);
	gup_test g = request(mapping.addr(), page_size, 0);
	// nr_pages_per_call 0: the in-kernel gup_test passes it to the 6.1 fast walker, which
	// corrupts memory (make repro-gup-fast-zero-pages). Never passed on.
	EXPECT_EQ(ioctl_errno(fd_, GUP_TEST_GUP_FAST_BENCHMARK, &g), EINVAL);
	EXPECT_EQ(ioctl_errno(fd_, GUP_TEST_PIN_FAST_BENCHMARK, &g), EINVAL);
	g = request(mapping.addr(), page_size + 100, 1); // a zero-page last call, in-kernel
	EXPECT_EQ(ioctl_errno(fd_, GUP_TEST_GUP_FAST_BENCHMARK, &g), EINVAL);
	g = request(mapping.addr(), 0, 1);
	EXPECT_EQ(ioctl_errno(fd_, GUP_TEST_GUP_FAST_BENCHMARK, &g), EINVAL);
	g = request(mapping.addr() + 1, page_size, 1);
	EXPECT_EQ(ioctl_errno(fd_, GUP_TEST_GUP_BASIC_TEST, &g), EINVAL);
	g = request(~0ul & ~(page_size - 1), 2 * page_size, 1);
	EXPECT_EQ(ioctl_errno(fd_, GUP_TEST_GUP_BASIC_TEST, &g), EOVERFLOW);
	// FOLL_PIN from userspace: GUP WARNs on it in-kernel. Refused here.
	g = request(mapping.addr(), page_size, 1, foll_pin);
	EXPECT_EQ(ioctl_errno(fd_, GUP_TEST_GUP_BASIC_TEST, &g), EINVAL);
	g = request(mapping.addr(), page_size, 1);
	g.test_flags = 0x2;
	EXPECT_EQ(ioctl_errno(fd_, GUP_TEST_DUMP_USER_PAGES_TEST, &g), EINVAL);
	// Commands it does not know: EINVAL, as the in-kernel one answers.
	EXPECT_EQ(ioctl_errno(fd_, _IOWR('g', 10, gup_test), &g), EINVAL);
	EXPECT_EQ(ioctl_errno(fd_, _IOWR('g', 1, unsigned long), &g), EINVAL);
	EXPECT_EQ(ioctl_errno(fd_, GUP_TEST_GUP_BASIC_TEST, nullptr), EFAULT);
}

// A GUP failure answers 0 with `size` cut to what was covered (the selftests rely on it),
// and the errno goes to dmesg.
TEST_F(GupTestFile, AHoleCutsTheSizeAndIsLogged)
{
	auto *base = static_cast<char *>(mmap(nullptr, 8 * page_size, PROT_READ | PROT_WRITE,
					      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	ASSERT_NE(base, MAP_FAILED);
	memset(base, 1, 8 * page_size);
	munmap(base + 3 * page_size, page_size);
	for (unsigned long cmd : benchmark_commands) {
		for (unsigned per_call : { 1u, 8u }) {
			SCOPED_TRACE(testing::Message()
				     << std::hex << cmd << std::dec << " n " << per_call);
			std::string log_before = e2e::kernel_log();
			gup_test g = request(reinterpret_cast<unsigned long>(base), 8 * page_size, per_call);
			auto before = vmstat_pins();
			ASSERT_EQ(ioctl_errno(fd_, cmd, &g), 0);
			auto moved = pins_moved_since(before);
			// The in-kernel one answers 8 pages for per_call 8: it counts a short call
			// as whole. gupbench answers what was really taken.
			EXPECT_EQ(g.size, 3 * page_size);
			// Pages 0-2 taken and given back, the hole never.
			const long pinned = command_pins(cmd) ? 3 : 0;
			EXPECT_EQ(moved.first, pinned) << "nr_foll_pin_acquired";
			EXPECT_EQ(moved.second, pinned) << "nr_foll_pin_released";
			std::string logged = e2e::kernel_log_since(log_before);
			EXPECT_NE(logged.find("stopped at offset 12288 of 32768 with error -14"), std::string::npos)
				<< logged;
		}
	}
	munmap(base, 8 * page_size);
}

// FOLL_TOUCH: the slow walkers take it; the fast ones refuse it in GUP (with a WARN, in
// the in-kernel gup_test), which is answered here as a failure at the first page.
TEST_F(GupTestFile, TouchIsASlowWalkerFlag)
{
	gupbench::Mapping mapping(MemoryKind::anon, 16 * page_size, false);
	gup_test g = request(mapping.addr(), 16 * page_size, 4, foll_write | foll_touch);
	if (!e2e::kernel_has_flags(GUPBENCH_FLAG_TOUCH)) {
		// 6.3 made FOLL_TOUCH internal; 0x02 is FOLL_GET there, which a caller may not pass.
		EXPECT_EQ(ioctl_errno(fd_, GUP_TEST_GUP_BASIC_TEST, &g), EINVAL);
		return;
	}
	ASSERT_EQ(ioctl_errno(fd_, GUP_TEST_GUP_BASIC_TEST, &g), 0);
	EXPECT_EQ(g.size, 16 * page_size);
	g = request(mapping.addr(), 16 * page_size, 4, foll_write | foll_touch);
	ASSERT_EQ(ioctl_errno(fd_, GUP_TEST_GUP_FAST_BENCHMARK, &g), 0);
	EXPECT_EQ(g.size, 0u);
}

TEST_F(GupTestFile, DumpZeroesPagesPastTheRange)
{
	gupbench::Mapping mapping(MemoryKind::anon, 4 * page_size, true);
	std::string log_before = e2e::kernel_log();
	gup_test g = request(mapping.addr(), 4 * page_size, 4);
	g.which_pages[0] = 1;
	g.which_pages[1] = 4;
	g.which_pages[2] = 100;
	g.test_flags = GUP_TEST_FLAG_DUMP_PAGES_USE_PIN;
	ASSERT_EQ(ioctl_errno(fd_, GUP_TEST_DUMP_USER_PAGES_TEST, &g), 0);
	EXPECT_EQ(g.which_pages[0], 1u);
	EXPECT_EQ(g.which_pages[1], 4u);
	EXPECT_EQ(g.which_pages[2], 0u);
	std::string logged = e2e::kernel_log_since(log_before);
	std::size_t dumps = 0;
	for (std::size_t at = 0; (at = logged.find("page dumped because: gupbench", at)) != std::string::npos; at++)
		dumps++;
	EXPECT_EQ(dumps, 2u) << logged;
}

// --- PIN_LONGTERM_TEST_START / STOP / READ

gup_test_pin_longterm longterm(unsigned long addr, unsigned long bytes, unsigned flags)
{
	gup_test_pin_longterm l{};
	l.addr = addr;
	l.size = bytes;
	l.flags = flags;
	return l;
}

TEST_F(GupTestFile, StartThenReadSeesWhatUserspaceWrote)
{
	const unsigned long bytes = 8 * page_size;
	for (unsigned flags : { 0u, unsigned(GUP_TEST_PIN_LONGTERM_WRITE), unsigned(GUP_TEST_PIN_LONGTERM_FAST),
				unsigned(GUP_TEST_PIN_LONGTERM_WRITE | GUP_TEST_PIN_LONGTERM_FAST) }) {
		gupbench::Mapping mapping(MemoryKind::anon, bytes, true);
		auto *data = reinterpret_cast<unsigned char *>(mapping.addr());
		for (unsigned long i = 0; i < bytes; i++)
			data[i] = static_cast<unsigned char>(i * 13 + flags);
		auto start = longterm(mapping.addr(), bytes, flags);
		auto before = vmstat_pins();
		ASSERT_EQ(ioctl_errno(fd_, GUP_TEST_PIN_LONGTERM_TEST_START, &start), 0) << flags;
		EXPECT_EQ(pins_held_since(before), 8);
		std::vector<unsigned char> seen(bytes);
		unsigned long long buffer = reinterpret_cast<unsigned long>(seen.data());
		ASSERT_EQ(ioctl_errno(fd_, GUP_TEST_PIN_LONGTERM_TEST_READ, &buffer), 0);
		EXPECT_EQ(memcmp(seen.data(), data, bytes), 0) << flags;
		// A write after the pin reaches the pinned page: the pin follows the memory.
		data[5 * page_size + 7] ^= 0xff;
		ASSERT_EQ(ioctl_errno(fd_, GUP_TEST_PIN_LONGTERM_TEST_READ, &buffer), 0);
		EXPECT_EQ(seen[5 * page_size + 7], data[5 * page_size + 7]) << flags;
		EXPECT_EQ(ioctl_errno(fd_, GUP_TEST_PIN_LONGTERM_TEST_STOP, nullptr), 0);
		EXPECT_EQ(pins_held_since(before), 0);
	}
}

TEST_F(GupTestFile, TwoFilesHoldPinsAtOnceWithoutInterfering)
{
	gupbench::Mapping first(MemoryKind::anon, 4 * page_size, true);
	gupbench::Mapping second(MemoryKind::anon, 6 * page_size, true);
	memset(reinterpret_cast<void *>(first.addr()), 'a', 4 * page_size);
	memset(reinterpret_cast<void *>(second.addr()), 'b', 6 * page_size);
	int other = open(GUP_TEST_FILE_GUPBENCH, O_RDWR);
	ASSERT_GE(other, 0);
	auto before = vmstat_pins();
	auto a = longterm(first.addr(), 4 * page_size, GUP_TEST_PIN_LONGTERM_WRITE);
	auto b = longterm(second.addr(), 6 * page_size, GUP_TEST_PIN_LONGTERM_FAST);
	ASSERT_EQ(ioctl_errno(fd_, GUP_TEST_PIN_LONGTERM_TEST_START, &a), 0);
	ASSERT_EQ(ioctl_errno(other, GUP_TEST_PIN_LONGTERM_TEST_START, &b), 0);
	EXPECT_EQ(pins_held_since(before), 10);

	std::vector<char> seen_a(4 * page_size), seen_b(6 * page_size);
	unsigned long long buffer_a = reinterpret_cast<unsigned long>(seen_a.data());
	unsigned long long buffer_b = reinterpret_cast<unsigned long>(seen_b.data());
	ASSERT_EQ(ioctl_errno(fd_, GUP_TEST_PIN_LONGTERM_TEST_READ, &buffer_a), 0);
	ASSERT_EQ(ioctl_errno(other, GUP_TEST_PIN_LONGTERM_TEST_READ, &buffer_b), 0);
	EXPECT_EQ(std::string(seen_a.begin(), seen_a.end()), std::string(4 * page_size, 'a'));
	EXPECT_EQ(std::string(seen_b.begin(), seen_b.end()), std::string(6 * page_size, 'b'));

	EXPECT_EQ(ioctl_errno(fd_, GUP_TEST_PIN_LONGTERM_TEST_STOP, nullptr), 0);
	EXPECT_EQ(pins_held_since(before), 6) << "stopping one file released the other's pins";
	ASSERT_EQ(ioctl_errno(other, GUP_TEST_PIN_LONGTERM_TEST_READ, &buffer_b), 0);
	close(other); // close releases
	EXPECT_EQ(pins_held_since(before), 0);
}

// Upstream's answers: STOP always succeeds; READ without a START and a second START are
// EINVAL; bad flags, unaligned and empty ranges are EINVAL; a failed START keeps nothing.
TEST_F(GupTestFile, LongtermCommandsAnswerAsUpstream)
{
	gupbench::Mapping mapping(MemoryKind::anon, 4 * page_size, true);
	std::vector<char> seen(4 * page_size);
	unsigned long long buffer = reinterpret_cast<unsigned long>(seen.data());
	EXPECT_EQ(ioctl_errno(fd_, GUP_TEST_PIN_LONGTERM_TEST_STOP, nullptr), 0);
	EXPECT_EQ(ioctl_errno(fd_, GUP_TEST_PIN_LONGTERM_TEST_STOP, nullptr), 0);
	EXPECT_EQ(ioctl_errno(fd_, GUP_TEST_PIN_LONGTERM_TEST_READ, &buffer), EINVAL);

	auto bad = longterm(mapping.addr(), 4 * page_size, 0x4);
	EXPECT_EQ(ioctl_errno(fd_, GUP_TEST_PIN_LONGTERM_TEST_START, &bad), EINVAL);
	bad = longterm(mapping.addr() + 8, 4 * page_size, 0);
	EXPECT_EQ(ioctl_errno(fd_, GUP_TEST_PIN_LONGTERM_TEST_START, &bad), EINVAL);
	bad = longterm(mapping.addr(), 0, 0);
	EXPECT_EQ(ioctl_errno(fd_, GUP_TEST_PIN_LONGTERM_TEST_START, &bad), EINVAL);
	EXPECT_EQ(ioctl_errno(fd_, GUP_TEST_PIN_LONGTERM_TEST_START, nullptr), EFAULT);

	auto before = vmstat_pins();
	auto start = longterm(mapping.addr(), 4 * page_size, 0);
	ASSERT_EQ(ioctl_errno(fd_, GUP_TEST_PIN_LONGTERM_TEST_START, &start), 0);
	EXPECT_EQ(ioctl_errno(fd_, GUP_TEST_PIN_LONGTERM_TEST_START, &start), EINVAL);
	EXPECT_EQ(pins_held_since(before), 4) << "a refused second START changed the pins";
	unsigned long long kernel_buffer = 0xffff888000000000ull;
	EXPECT_EQ(ioctl_errno(fd_, GUP_TEST_PIN_LONGTERM_TEST_READ, &kernel_buffer), EFAULT);
	EXPECT_EQ(ioctl_errno(fd_, GUP_TEST_PIN_LONGTERM_TEST_STOP, nullptr), 0);
	EXPECT_EQ(ioctl_errno(fd_, GUP_TEST_PIN_LONGTERM_TEST_STOP, nullptr), 0);
	EXPECT_EQ(ioctl_errno(fd_, GUP_TEST_PIN_LONGTERM_TEST_READ, &buffer), EINVAL);

	// A START that fails part way (a hole) keeps nothing and says why.
	auto *base = static_cast<char *>(mmap(nullptr, 4 * page_size, PROT_READ | PROT_WRITE,
					      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	memset(base, 1, 4 * page_size);
	munmap(base + 2 * page_size, page_size);
	auto holed = longterm(reinterpret_cast<unsigned long>(base), 4 * page_size, 0);
	EXPECT_EQ(ioctl_errno(fd_, GUP_TEST_PIN_LONGTERM_TEST_START, &holed), EFAULT);
	EXPECT_EQ(ioctl_errno(fd_, GUP_TEST_PIN_LONGTERM_TEST_READ, &buffer), EINVAL);
	EXPECT_EQ(pins_held_since(before), 0);
	munmap(base, 4 * page_size);
}

TEST_F(GupTestFile, CloseReleasesTheLongtermPin)
{
	E2E_SKIP_WITHOUT_THP();
	gupbench::Mapping mapping(MemoryKind::thp, 4u << 20, true);
	auto before = vmstat_pins();
	auto start = longterm(mapping.addr(), 4u << 20, GUP_TEST_PIN_LONGTERM_WRITE);
	ASSERT_EQ(ioctl_errno(fd_, GUP_TEST_PIN_LONGTERM_TEST_START, &start), 0);
	EXPECT_EQ(pins_held_since(before), long((4u << 20) / page_size));
	close(fd_);
	fd_ = -1;
	EXPECT_EQ(pins_held_since(before), 0);
}

} // namespace
