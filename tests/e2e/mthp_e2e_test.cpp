// Multi-size THP (Linux 6.8+): anonymous memory in 16 and 64 KiB folios, walked by every
// walker, with the ledger saying which folios each walk took (gupbench_repeat's
// folio_orders and large_folios, version 2 of the record). Kernels without it (6.1) skip
// these tests, saying so. Also the record's own versions: a version 1 caller still gets
// its 496 bytes and no more, and every kernel reports the orders of small and 2 MiB folios.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <sys/ioctl.h>
#include <unistd.h>

#include "bench_device.h"
#include "guest_util.h"
#include "matrix.h"
#include "memory.h"
#include "requests.h"
#include "run_report.h"
#include "target.h"
#include "walk_cases.h"
#include "walkers.h"

using e2e::pins_moved_since;
using e2e::vmstat_pins;
using e2e::walker_pins;
using gupbench::MemoryKind;

namespace {

const unsigned long page_size = sysconf(_SC_PAGESIZE);
// 2 MiB: 128 folios of 16 KiB or 32 of 64 KiB, and no 2 MiB THP (the policy says never).
constexpr std::size_t walk_length = 2u << 20;
const std::string thp_sysfs = "/sys/kernel/mm/transparent_hugepage";

#define SKIP_WITHOUT_MTHP(kind)                                                               \
	do {                                                                                  \
		if (auto why = gupbench::mthp_unavailable(kind); !why.empty())                \
			GTEST_SKIP() << why;                                                  \
	} while (0)

std::size_t folio_bytes(MemoryKind kind)
{
	return page_size << gupbench::mthp_order(kind);
}

// Every hugepages-<size>kB/enabled as it reads now: "always inherit madvise [never]".
std::map<std::string, std::string> mthp_settings()
{
	std::map<std::string, std::string> settings;
	for (const auto &entry : std::filesystem::directory_iterator(thp_sysfs)) {
		std::string name = entry.path().filename();
		if (name.rfind("hugepages-", 0) != 0 || !std::filesystem::exists(entry.path() / "enabled"))
			continue;
		std::ifstream in(entry.path() / "enabled");
		std::getline(in, settings[name]);
	}
	return settings;
}

gupbench_repeat verified_run(unsigned walker, const gupbench::WalkTarget &target, bool write)
{
	gupbench_run request{};
	request.walker = walker;
	request.addr = target.addr();
	request.target_pid = target.pid();
	request.length = walk_length;
	request.pages_per_call = 512;
	request.repeats = 1;
	request.flags = GUPBENCH_FLAG_VERIFY | (write ? GUPBENCH_FLAG_WRITE : 0);
	return gupbench::BenchDevice().run(request)[0];
}

using Case = e2e::WalkCase;
using e2e::case_name;

// Every walker of the ten that walk a range of the address space, local and remote.
std::vector<Case> every_case()
{
	std::vector<Case> cases;
	for (unsigned w = GUPBENCH_WALKER_GET_FAST; w <= GUPBENCH_WALKER_PIN_REMOTE; w++)
		for (MemoryKind m : { MemoryKind::mthp16k, MemoryKind::mthp64k })
			for (bool write : { false, true })
				cases.push_back({ static_cast<gupbench_walker>(w), m, write });
	return cases;
}

class MthpMatrix : public ::testing::TestWithParam<Case> {};

TEST_P(MthpMatrix, TakesEveryPageInFoliosOfItsSize)
{
	const Case c = GetParam();
	SKIP_WITHOUT_MTHP(c.memory);
	E2E_SKIP_WITHOUT_WALKER(c.walker);
	gupbench::WalkTarget target(c.walker, c.memory, walk_length, true);
	auto before = vmstat_pins();
	gupbench_repeat r = verified_run(c.walker, target, c.write);
	auto moved = pins_moved_since(before);
	const unsigned long pages = walk_length / page_size;
	const unsigned order = gupbench::mthp_order(c.memory);

	EXPECT_EQ(r.error, 0) << strerror(-r.error) << " at offset " << r.error_offset;
	EXPECT_EQ(r.pages_done, pages);
	EXPECT_EQ(r.verdict, unsigned(GUPBENCH_VERDICT_EXACT))
		<< gupbench::verdict_name(r.verdict) << ": " << gupbench::mismatch_name(r.mismatch)
		<< " at page " << r.mismatch_page << ", expected " << r.mismatch_expected << ", saw "
		<< r.mismatch_observed;
	// The folios are what the kind asks for, every one of them; where the kernel fell
	// back to small folios (no free block of the size), the message says so.
	EXPECT_EQ(r.folio_orders, 1u << order)
		<< "orders " << gupbench::folio_orders_text(r.folio_orders) << ": "
		<< target.folio_shortfall(r);
	EXPECT_EQ(r.large_folios, walk_length / folio_bytes(c.memory)) << target.folio_shortfall(r);
	EXPECT_EQ(r.folios, r.large_folios);
	EXPECT_EQ(target.shortfall(), "");
	// A pin walker pins each page once, a page at a time even in a large folio (vmstat
	// counts pages; the folio's pincount goes up by one per page).
	const bool pins = walker_pins(c.walker);
	EXPECT_EQ(moved.first, pins ? long(pages) : 0) << "nr_foll_pin_acquired";
	EXPECT_EQ(moved.second, pins ? long(pages) : 0) << "nr_foll_pin_released";
	EXPECT_EQ(r.vmstat_pins_acquired, pins ? pages : 0);
}

INSTANTIATE_TEST_SUITE_P(MthpWalkers, MthpMatrix, ::testing::ValuesIn(every_case()), case_name);

// FOLL_LONGTERM pins of multi-size THP: pinnable where they lie (no ZONE_MOVABLE, no CMA
// in the guest), so exact, and the folios stay what they were.
TEST(Mthp, LongtermPinsAreExact)
{
	for (MemoryKind kind : { MemoryKind::mthp16k, MemoryKind::mthp64k }) {
		SKIP_WITHOUT_MTHP(kind);
		SCOPED_TRACE(gupbench::memory_kind_name(kind));
		for (unsigned walker : { GUPBENCH_WALKER_PIN_FAST, GUPBENCH_WALKER_PIN }) {
			gupbench::WalkTarget target(walker, kind, walk_length, true);
			gupbench_run request = e2e::run_request(walker, target.addr(), walk_length, 512, nullptr);
			request.flags = GUPBENCH_FLAG_VERIFY | GUPBENCH_FLAG_LONGTERM | GUPBENCH_FLAG_WRITE;
			gupbench_repeat r = gupbench::BenchDevice().run(request)[0];
			EXPECT_EQ(r.error, 0) << strerror(-r.error);
			EXPECT_EQ(r.verdict, unsigned(GUPBENCH_VERDICT_EXACT)) << gupbench::mismatch_name(r.mismatch);
			EXPECT_EQ(r.folio_orders, 1u << gupbench::mthp_order(kind)) << target.folio_shortfall(r);
		}
	}
}

// The policy a kind sets is the kind's size at madvise and every other size never, for
// the mapping's life, and what was there before comes back after it.
TEST(Mthp, PolicyHoldsForTheMappingAndIsPutBack)
{
	SKIP_WITHOUT_MTHP(MemoryKind::mthp64k);
	const auto before = mthp_settings();
	{
		gupbench::Mapping mapping(MemoryKind::mthp64k, walk_length, true);
		for (const auto &[name, value] : mthp_settings()) {
			const char *want = name == "hugepages-64kB" ? "[madvise]" : "[never]";
			EXPECT_NE(value.find(want), std::string::npos) << name << ": " << value;
		}
		// A second mapping of the same size shares the policy; another size is refused.
		gupbench::Mapping again(MemoryKind::mthp64k, walk_length, false);
		EXPECT_THROW(gupbench::Mapping(MemoryKind::mthp16k, walk_length, false), std::runtime_error);
	}
	EXPECT_EQ(mthp_settings(), before);
}

// Without the memory kind, the tool says why, in words the skip lists of make check match.
TEST(Mthp, KindsAreSkippedWithAReasonWhereTheKernelHasNone)
{
	for (MemoryKind kind : { MemoryKind::mthp16k, MemoryKind::mthp64k }) {
		const bool has = access((thp_sysfs + "/hugepages-" + std::to_string(folio_bytes(kind) >> 10) +
					 "kB/enabled").c_str(), F_OK) == 0;
		std::string why = gupbench::mthp_unavailable(kind);
		EXPECT_EQ(why.empty(), has) << why;
		if (!has) {
			EXPECT_EQ(why.rfind("no multi-size THP", 0), 0u) << why;
		}
	}
	EXPECT_EQ(gupbench::mthp_unavailable(MemoryKind::anon), "");
}

// bench with --verify: the case's note is empty when every walk took folios of the size
// asked for (and names the orders it saw otherwise); without mTHP the cases are skipped
// with the reason.
TEST(Mthp, BenchCasesSayWhatFoliosTheyTook)
{
	gupbench::MatrixOptions options;
	options.walkers = { GUPBENCH_WALKER_PIN_FAST, GUPBENCH_WALKER_GET };
	options.memories = { MemoryKind::mthp16k, MemoryKind::mthp64k };
	options.sizes = { walk_length };
	options.pages_per_call = { 512 };
	options.writes = { false };
	options.repeats = 2;
	options.verify = true;
	gupbench::BenchDevice device;
	options.kernel = device.info();
	for (const auto &spec : gupbench::expand(options)) {
		SCOPED_TRACE(gupbench::case_id(spec));
		auto outcome = gupbench::run_case(device, spec, options);
		std::string why = gupbench::mthp_unavailable(spec.memory);
		if (!why.empty()) {
			EXPECT_TRUE(outcome.skipped);
			EXPECT_EQ(outcome.note, why);
			continue;
		}
		EXPECT_FALSE(outcome.skipped);
		EXPECT_EQ(outcome.note, "");
		EXPECT_EQ(outcome.figures.verdict, "exact");
	}
	if (!gupbench::mthp_unavailable(MemoryKind::mthp16k).empty())
		GTEST_SKIP() << gupbench::mthp_unavailable(MemoryKind::mthp16k);
}

// A verified walk names the orders it saw on every kernel: small folios only for THP-off
// anonymous memory, 2 MiB ones (order 9 with 4 KiB pages) for THP.
TEST(FolioOrders, AreReportedForSmallAndTwoMegabyteFolios)
{
	gupbench::WalkTarget anon(GUPBENCH_WALKER_PIN_FAST, MemoryKind::anon, 4u << 20, true);
	gupbench_repeat r = gupbench::BenchDevice().run(
		e2e::run_request(GUPBENCH_WALKER_PIN_FAST, anon.addr(), 4u << 20, 512, nullptr))[0];
	EXPECT_EQ(r.folio_orders, 0u) << "without VERIFY the ledger looks at nothing";
	gupbench_run request = e2e::run_request(GUPBENCH_WALKER_PIN_FAST, anon.addr(), 4u << 20, 512, nullptr);
	request.flags = GUPBENCH_FLAG_VERIFY;
	r = gupbench::BenchDevice().run(request)[0];
	EXPECT_EQ(r.folio_orders, 1u);
	EXPECT_EQ(r.large_folios, 0u);
	E2E_SKIP_WITHOUT_THP();
	gupbench::WalkTarget thp(GUPBENCH_WALKER_PIN_FAST, MemoryKind::thp, 4u << 20, true);
	ASSERT_EQ(thp.shortfall(), "");
	request.addr = thp.addr();
	r = gupbench::BenchDevice().run(request)[0];
	EXPECT_EQ(r.folio_orders, 1u << 9) << gupbench::folio_orders_text(r.folio_orders);
	EXPECT_EQ(r.large_folios, 2u);
}

// The record grew at its end (version 2): a caller that knows only version 1 passes its
// size and gets exactly those bytes per record, its records that far apart.
TEST(RepeatRecord, AVersionOneCallerGetsItsBytesOnly)
{
	gupbench::Mapping memory(MemoryKind::anon, 4 * page_size, true);
	constexpr unsigned repeats = 2;
	std::vector<unsigned char> buffer(repeats * GUPBENCH_REPEAT_SIZE_V1 + 64, 0xa5);
	gupbench_run request = e2e::run_request(GUPBENCH_WALKER_PIN_FAST, memory.addr(), 4 * page_size, 4, nullptr, repeats);
	request.repeat_size = GUPBENCH_REPEAT_SIZE_V1;
	request.results = reinterpret_cast<unsigned long>(buffer.data());
	request.flags = GUPBENCH_FLAG_VERIFY;
	int fd = open(GUPBENCH_BENCH_FILE, O_RDWR);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(e2e::ioctl_errno(fd, GUPBENCH_IOC_RUN, &request), 0);
	close(fd);
	for (unsigned i = 0; i < repeats; i++) {
		gupbench_repeat r{};
		memcpy(&r, buffer.data() + i * GUPBENCH_REPEAT_SIZE_V1, GUPBENCH_REPEAT_SIZE_V1);
		EXPECT_EQ(r.pages_done, 4u) << "record " << i;
		EXPECT_EQ(r.verdict, unsigned(GUPBENCH_VERDICT_EXACT)) << "record " << i;
	}
	for (std::size_t b = repeats * GUPBENCH_REPEAT_SIZE_V1; b < buffer.size(); b++)
		ASSERT_EQ(buffer[b], 0xa5) << "byte " << b << " past the version 1 records was written";
	// Less than version 1 is refused.
	request.repeat_size = GUPBENCH_REPEAT_SIZE_V1 - 8;
	fd = open(GUPBENCH_BENCH_FILE, O_RDWR);
	EXPECT_EQ(e2e::ioctl_errno(fd, GUPBENCH_IOC_RUN, &request), EINVAL);
	close(fd);
}

} // namespace
