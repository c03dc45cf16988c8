// The ioctl ABI as a userspace program meets it, in the guest with gupbench.ko loaded.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <uapi/gupbench.h>

#include "walkers.h"

namespace {

// Whether `release` (uname's) is Linux 6.3 or later, which removed
// pin_user_pages_fast_only() and made FOLL_TOUCH internal to mm/.
bool from_6_3(const char *release)
{
	unsigned major = 0, minor = 0;
	if (sscanf(release, "%u.%u", &major, &minor) != 2)
		return false;
	return major > 6 || (major == 6 && minor >= 3);
}

// Whether `release` is Linux 6.11 or later, which added memfd_pin_folios().
bool from_6_11(const char *release)
{
	unsigned major = 0, minor = 0;
	if (sscanf(release, "%u.%u", &major, &minor) != 2)
		return false;
	return major > 6 || (major == 6 && minor >= 11);
}

// INFO's walkers: get_fast .. pin_remote (bits 0 to 9), less pin_fast_only (bit 3) from
// 6.3 on, and pin_memfd (bit 10) from 6.11 on.
unsigned long long expected_walkers(const char *release)
{
	return (from_6_3(release) ? 0x3f7 : 0x3ff) | (from_6_11(release) ? 0x400 : 0);
}

// INFO's flags: bits 0 to 7 (WRITE .. LOCK_ONCE), less TOUCH (bit 5) from 6.3 on.
unsigned long long expected_flags(const char *release)
{
	return from_6_3(release) ? 0xdf : 0xff;
}

class BenchFile : public ::testing::Test {
protected:
	void SetUp() override
	{
		fd_ = open(GUPBENCH_BENCH_FILE, O_RDWR | O_CLOEXEC);
		ASSERT_GE(fd_, 0) << GUPBENCH_BENCH_FILE << ": " << strerror(errno);
	}
	void TearDown() override
	{
		if (fd_ >= 0)
			close(fd_);
	}
	// The errno of an ioctl that must fail (0 when it succeeded).
	int failing_ioctl(unsigned long cmd, void *arg)
	{
		return ioctl(fd_, cmd, arg) == 0 ? 0 : errno;
	}
	int fd_ = -1;
};

TEST_F(BenchFile, IsRootOnly)
{
	struct stat st {};
	ASSERT_EQ(stat(GUPBENCH_BENCH_FILE, &st), 0);
	EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(BenchFile, InfoDescribesTheRunningKernel)
{
	gupbench_info info{};
	info.size = sizeof(info);
	ASSERT_EQ(ioctl(fd_, GUPBENCH_IOC_INFO, &info), 0) << strerror(errno);
	utsname uts{};
	uname(&uts);
	EXPECT_EQ(info.size, sizeof(info));
	EXPECT_EQ(info.abi_version, unsigned(GUPBENCH_ABI_VERSION));
	EXPECT_EQ(info.page_size, unsigned(sysconf(_SC_PAGESIZE)));
	EXPECT_EQ(info.pin_counting_bias, 1024u);
	EXPECT_STREQ(info.kernel_release, uts.release);
	EXPECT_GT(strlen(info.module_version), 0u);
	EXPECT_EQ(info.walkers, expected_walkers(uts.release)) << std::hex << info.walkers;
	EXPECT_EQ(info.flags, expected_flags(uts.release)) << std::hex << info.flags;
}

// The tool's walker names (what `--walker` takes) against what the module says it has:
// every walker of INFO has its name, one name per walker, the names in the uapi order.
TEST_F(BenchFile, TheToolNamesEveryWalkerTheModuleHas)
{
	gupbench_info info{};
	info.size = sizeof(info);
	ASSERT_EQ(ioctl(fd_, GUPBENCH_IOC_INFO, &info), 0) << strerror(errno);
	unsigned long long named = 0;
	for (const auto &name : gupbench::walker_names()) {
		auto walker = gupbench::parse_walker(name);
		ASSERT_TRUE(walker.has_value()) << name;
		ASSERT_LT(unsigned(*walker), 64u) << name;
		EXPECT_FALSE(named & (1ull << *walker)) << name << ": two names for one walker";
		named |= 1ull << *walker;
	}
	EXPECT_EQ(info.walkers & ~named, 0ull) << std::hex << "walkers the tool cannot name";
	EXPECT_EQ(named, 0x7ffull) << std::hex << "the tool names other than the eleven walkers";
	// The names README.md and the uapi header's comments give, in enum order.
	const char *const expected[] = { "get_fast",	  "pin_fast",	  "get_fast_only",
					 "pin_fast_only", "get",	  "pin",
					 "get_unlocked",  "pin_unlocked", "get_remote",
					 "pin_remote",	  "pin_memfd" };
	for (unsigned w = 0; w < 11; w++)
		EXPECT_EQ(gupbench::walker_name(w), expected[w]) << "walker " << w;
}

TEST_F(BenchFile, InfoRefusesASizeSmallerThanVersionOne)
{
	gupbench_info info{};
	info.size = 4;
	EXPECT_EQ(failing_ioctl(GUPBENCH_IOC_INFO, &info), EINVAL);
	info.size = 0;
	EXPECT_EQ(failing_ioctl(GUPBENCH_IOC_INFO, &info), EINVAL);
}

// A newer binary's larger struct: accepted when the bytes the module does not know are
// zero, refused with E2BIG otherwise; the module writes back only what it knows.
TEST_F(BenchFile, InfoFromANewerBinary)
{
	struct {
		gupbench_info known;
		unsigned char future[64];
	} grown{};
	grown.known.size = sizeof(grown);
	memset(grown.future, 0xab, sizeof(grown.future));
	EXPECT_EQ(failing_ioctl(GUPBENCH_IOC_INFO, &grown), E2BIG);

	memset(grown.future, 0, sizeof(grown.future));
	grown.future[63] = 0;
	ASSERT_EQ(failing_ioctl(GUPBENCH_IOC_INFO, &grown), 0);
	EXPECT_EQ(grown.known.size, sizeof(gupbench_info));
	EXPECT_EQ(grown.known.abi_version, unsigned(GUPBENCH_ABI_VERSION));
	for (unsigned char byte : grown.future)
		EXPECT_EQ(byte, 0);
}

// The module writes back no more than the caller's `size`, whatever lies after it.
TEST_F(BenchFile, InfoWritesOnlyTheCallersBytes)
{
	unsigned char buffer[sizeof(gupbench_info) + 64];
	memset(buffer, 0xcd, sizeof(buffer));
	gupbench_info request{};
	request.size = sizeof(gupbench_info);
	memcpy(buffer, &request, sizeof(request));
	ASSERT_EQ(failing_ioctl(GUPBENCH_IOC_INFO, buffer), 0);
	gupbench_info seen;
	memcpy(&seen, buffer, sizeof(seen));
	EXPECT_EQ(seen.size, sizeof(gupbench_info));
	EXPECT_EQ(seen.page_size, unsigned(sysconf(_SC_PAGESIZE)));
	for (size_t i = sizeof(gupbench_info); i < sizeof(buffer); i++)
		ASSERT_EQ(buffer[i], 0xcd) << "byte " << i << " written past the caller's size";
}

TEST_F(BenchFile, BadPointersGiveEfault)
{
	EXPECT_EQ(failing_ioctl(GUPBENCH_IOC_INFO, nullptr), EFAULT);
	EXPECT_EQ(failing_ioctl(GUPBENCH_IOC_INFO, reinterpret_cast<void *>(0xffff888000000000ul)),
		  EFAULT);
	// A struct whose tail crosses into an unmapped page.
	long page = sysconf(_SC_PAGESIZE);
	auto *two = static_cast<unsigned char *>(
		mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	ASSERT_NE(two, MAP_FAILED);
	ASSERT_EQ(munmap(two + page, page), 0);
	auto *info = reinterpret_cast<gupbench_info *>(two + page - 16);
	info->size = sizeof(gupbench_info);
	EXPECT_EQ(failing_ioctl(GUPBENCH_IOC_INFO, info), EFAULT);
	munmap(two, page);
}

TEST_F(BenchFile, UnknownCommandsGiveEnotty)
{
	gupbench_info info{};
	info.size = sizeof(info);
	EXPECT_EQ(failing_ioctl(_IOWR(GUPBENCH_IOC_MAGIC, 0x7f, gupbench_info), &info), ENOTTY);
	EXPECT_EQ(failing_ioctl(_IOWR('x', 0x00, gupbench_info), &info), ENOTTY);
}

TEST_F(BenchFile, TwoOpenFilesAnswerIndependently)
{
	int second = open(GUPBENCH_BENCH_FILE, O_RDWR | O_CLOEXEC);
	ASSERT_GE(second, 0);
	gupbench_info a{}, b{};
	a.size = b.size = sizeof(gupbench_info);
	EXPECT_EQ(ioctl(fd_, GUPBENCH_IOC_INFO, &a), 0);
	EXPECT_EQ(ioctl(second, GUPBENCH_IOC_INFO, &b), 0);
	EXPECT_EQ(memcmp(&a, &b, sizeof(a)), 0);
	close(second);
}

} // namespace
