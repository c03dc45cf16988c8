// GUPBENCH_IOC_PROBE and `gupbench observe`, end to end in the guest: the probe reads the
// kernel's counts of each folio without faulting or keeping anything, sees gupbench's own
// HOLD as pins (or references) and sees them gone after RELEASE; bad requests get their
// errno. Then the kernel's own pin users: io_uring's registered buffers are pinned, every
// page, one pin each, and given back at unregister; vmsplice into a pipe takes plain
// references (FOLL_GET), not pins, and gives them back when the pipe is read.
#include <gtest/gtest.h>

#include <cerrno>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench_device.h"
#include "guest_util.h"
#include "memory.h"

namespace {

const unsigned long page_size = static_cast<unsigned long>(sysconf(_SC_PAGESIZE));

class Probe : public ::testing::Test {
protected:
	void SetUp() override
	{
		fd_ = open(GUPBENCH_BENCH_FILE, O_RDWR | O_CLOEXEC);
		ASSERT_GE(fd_, 0) << "is gupbench.ko loaded?";
	}
	void TearDown() override { close(fd_); }

	// 0 or the errno; records in `folios`.
	int probe(unsigned long addr, unsigned long length, std::vector<gupbench_probe_folio> &folios,
		  gupbench_probe &answer, int target_pid = 0, unsigned folio_size = sizeof(gupbench_probe_folio))
	{
		folios.assign(length / page_size + 1, gupbench_probe_folio{});
		answer = {};
		answer.size = sizeof(answer);
		answer.target_pid = target_pid;
		answer.addr = addr;
		answer.length = length;
		answer.folio_size = folio_size;
		answer.max_folios = static_cast<unsigned>(folios.size());
		answer.folios = reinterpret_cast<unsigned long>(folios.data());
		int err = e2e::ioctl_errno(fd_, GUPBENCH_IOC_PROBE, &answer);
		folios.resize(err ? 0 : answer.folios_seen);
		return err;
	}
	int hold(unsigned walker, unsigned long addr, unsigned long length)
	{
		gupbench_hold h{};
		h.size = sizeof(h);
		h.walker = walker;
		h.addr = addr;
		h.length = length;
		h.pages_per_call = 64;
		return e2e::ioctl_errno(fd_, GUPBENCH_IOC_HOLD, &h);
	}
	int fd_ = -1;
};

TEST_F(Probe, RefusesBadRequests)
{
	gupbench::Mapping m(gupbench::MemoryKind::anon, 4 * page_size, true);
	std::vector<gupbench_probe_folio> folios;
	gupbench_probe answer{};
	EXPECT_EQ(probe(m.addr(), m.length(), folios, answer, 0x3ffffff), ESRCH); // no such process
	EXPECT_EQ(probe(m.addr() + 1, m.length(), folios, answer), EINVAL);
	EXPECT_EQ(probe(m.addr(), 0, folios, answer), EINVAL);
	EXPECT_EQ(probe(m.addr(), page_size + 1, folios, answer), EINVAL);
	EXPECT_EQ(probe(m.addr(), m.length(), folios, answer, 0, 8), EINVAL);
	EXPECT_EQ(probe(m.addr(), m.length(), folios, answer), 0);
}

TEST_F(Probe, CountsAbsentPagesAndKeepsNothing)
{
	gupbench::Mapping m(gupbench::MemoryKind::anon, 8 * page_size, false);
	for (unsigned long i = 0; i < 8; i += 2)
		reinterpret_cast<volatile char *>(m.addr())[i * page_size] = 1;
	auto pins = e2e::vmstat_pins();
	std::vector<gupbench_probe_folio> first, second;
	gupbench_probe answer{};
	ASSERT_EQ(probe(m.addr(), m.length(), first, answer), 0);
	EXPECT_EQ(answer.pages_absent, 4u);
	ASSERT_EQ(answer.folios_seen, 4u);
	for (const auto &f : first) {
		EXPECT_EQ(f.pages, 1u);
		EXPECT_EQ(f.order, 0u);
		EXPECT_TRUE(f.flags & GUPBENCH_PROBE_ANON);
		EXPECT_FALSE(f.flags & GUPBENCH_PROBE_MAYBE_DMA_PINNED);
		EXPECT_EQ(f.pincount, 0);
		EXPECT_EQ(f.held, 0u);
		EXPECT_GE(f.refcount, 1);
	}
	// Nothing faulted in, nothing kept: the same counts again, no pin taken.
	ASSERT_EQ(probe(m.addr(), m.length(), second, answer), 0);
	EXPECT_EQ(answer.pages_absent, 4u);
	ASSERT_EQ(second.size(), first.size());
	for (std::size_t i = 0; i < first.size(); i++)
		EXPECT_NEAR(second[i].refcount, first[i].refcount, 1) << "folio " << i; // an LRU batch's
	EXPECT_EQ(e2e::pins_held_since(pins), 0);
	EXPECT_EQ(e2e::pins_moved_since(pins).first, 0);
}

TEST_F(Probe, SeesItsOwnHoldAsPinsOrReferencesAndThemGone)
{
	constexpr unsigned long pages = 16;
	gupbench::Mapping m(gupbench::MemoryKind::anon, pages * page_size, true);
	std::vector<gupbench_probe_folio> before, held, after;
	gupbench_probe answer{};
	ASSERT_EQ(probe(m.addr(), m.length(), before, answer), 0);
	ASSERT_EQ(before.size(), pages);
	const int bias = static_cast<int>(e2e::kernel_info().pin_counting_bias);
	for (unsigned walker : { GUPBENCH_WALKER_PIN_FAST, GUPBENCH_WALKER_GET_FAST }) {
		const bool pins = walker == GUPBENCH_WALKER_PIN_FAST;
		ASSERT_EQ(hold(walker, m.addr(), m.length()), 0);
		ASSERT_EQ(probe(m.addr(), m.length(), held, answer), 0);
		ASSERT_EQ(held.size(), pages);
		for (unsigned long i = 0; i < pages; i++) {
			EXPECT_EQ(held[i].held, 1u) << i;
			EXPECT_EQ(bool(held[i].flags & GUPBENCH_PROBE_MAYBE_DMA_PINNED), pins) << i;
			EXPECT_EQ(held[i].pincount, pins ? 1 : 0) << i;
			EXPECT_NEAR(held[i].refcount - before[i].refcount, pins ? bias : 1, 1) << i;
		}
		ASSERT_EQ(e2e::ioctl_errno(fd_, GUPBENCH_IOC_RELEASE, nullptr), 0);
		ASSERT_EQ(probe(m.addr(), m.length(), after, answer), 0);
		for (unsigned long i = 0; i < pages; i++) {
			EXPECT_EQ(after[i].held, 0u) << i;
			EXPECT_FALSE(after[i].flags & GUPBENCH_PROBE_MAYBE_DMA_PINNED) << i;
			EXPECT_NEAR(after[i].refcount, before[i].refcount, 1) << i;
		}
	}
}

// Another process's memory (target_pid): what a remote pinner (process_vm_*, a debugger)
// holds is seen from outside. Nothing faulted in, nothing kept; a remote pin-walk shows up
// while it holds and is gone after.
TEST_F(Probe, AnotherProcessesMemoryAsItsOwnProbeWouldSeeIt)
{
	const unsigned long pages = 16;
	gupbench::RemoteMapping child(gupbench::MemoryKind::anon, pages * page_size, true);
	std::vector<gupbench_probe_folio> seen;
	gupbench_probe answer{};
	ASSERT_EQ(probe(child.addr(), pages * page_size, seen, answer, child.pid()), 0);
	EXPECT_EQ(answer.pages_absent, 0u);
	ASSERT_EQ(seen.size(), pages);
	for (const auto &f : seen) {
		EXPECT_EQ(f.pages, 1u);
		EXPECT_EQ(f.mapcount, 1);
		EXPECT_GE(f.refcount, 1);
		EXPECT_TRUE(f.flags & GUPBENCH_PROBE_ANON);
		EXPECT_FALSE(f.flags & GUPBENCH_PROBE_MAYBE_DMA_PINNED);
	}
	auto pins = e2e::vmstat_pins();
	std::vector<gupbench_probe_folio> again;
	ASSERT_EQ(probe(child.addr(), pages * page_size, again, answer, child.pid()), 0);
	EXPECT_EQ(e2e::pins_held_since(pins), 0);
	ASSERT_EQ(again.size(), pages);
	for (unsigned long i = 0; i < pages; i++)
		EXPECT_NEAR(again[i].refcount, seen[i].refcount, 1) << "page " << i; // an LRU batch's

	// Beyond the child's mapping nothing is there, and nothing is faulted in to see.
	gupbench::RemoteMapping empty(gupbench::MemoryKind::anon, pages * page_size, false);
	ASSERT_EQ(probe(empty.addr(), pages * page_size, seen, answer, empty.pid()), 0);
	EXPECT_EQ(answer.pages_absent, pages);
	EXPECT_EQ(answer.folios_seen, 0u);
	ASSERT_EQ(probe(empty.addr(), pages * page_size, seen, answer, empty.pid()), 0);
	EXPECT_EQ(answer.pages_absent, pages) << "the first probe faulted pages in";

	const pid_t reaped = child.pid();
	child.kill_and_reap();
	EXPECT_EQ(probe(child.addr(), pages * page_size, seen, answer, reaped), ESRCH);
}

// Who may probe whom: the remote walkers' rule (PTRACE_MODE_ATTACH_REALCREDS).
TEST_F(Probe, AnotherProcessNeedsPtraceRights)
{
	gupbench::RemoteMapping sibling(gupbench::MemoryKind::anon, 4 * page_size, true);
	const int fd = fd_;
	std::string report = e2e::in_child([&] {
		std::string r;
		if (!e2e::drop_capability(CAP_SYS_PTRACE))
			return std::string("could not drop CAP_SYS_PTRACE");
		std::vector<gupbench_probe_folio> folios(4);
		gupbench_probe p{};
		p.size = sizeof(p);
		p.target_pid = sibling.pid();
		p.addr = sibling.addr();
		p.length = 4 * page_size;
		p.folio_size = sizeof(gupbench_probe_folio);
		p.max_folios = 4;
		p.folios = reinterpret_cast<unsigned long>(folios.data());
		e2e::expect_in_child(r, "probe of a sibling without CAP_SYS_PTRACE", EPERM,
				     e2e::ioctl_errno(fd, GUPBENCH_IOC_PROBE, &p));
		return r;
	});
	EXPECT_EQ(report, "");
	std::vector<gupbench_probe_folio> folios;
	gupbench_probe answer{};
	EXPECT_EQ(probe(sibling.addr(), 4 * page_size, folios, answer, sibling.pid()), 0);
	EXPECT_EQ(folios.size(), 4u);
}

TEST_F(Probe, ThpIsOneFolioWithItsExactPincount)
{
	E2E_SKIP_WITHOUT_THP();
	const unsigned long huge = 2ul << 20;
	gupbench::Mapping m(gupbench::MemoryKind::thp, huge, true);
	std::vector<gupbench_probe_folio> before, held;
	gupbench_probe answer{};
	ASSERT_EQ(probe(m.addr(), m.length(), before, answer), 0);
	ASSERT_EQ(before.size(), 1u) << "the THP was not made (memory fragmented?)";
	EXPECT_EQ(before[0].order, 9u);
	EXPECT_EQ(before[0].pages, 512u);
	EXPECT_TRUE(before[0].flags & GUPBENCH_PROBE_PINCOUNT_EXACT);
	EXPECT_EQ(before[0].pincount, 0);
	ASSERT_EQ(hold(GUPBENCH_WALKER_PIN_FAST, m.addr(), m.length()), 0);
	ASSERT_EQ(probe(m.addr(), m.length(), held, answer), 0);
	ASSERT_EQ(held.size(), 1u);
	EXPECT_EQ(held[0].pincount, 512); // one per page pinned, exact on a large folio
	EXPECT_EQ(held[0].held, 512u);
	EXPECT_TRUE(held[0].flags & GUPBENCH_PROBE_MAYBE_DMA_PINNED);
	ASSERT_EQ(e2e::ioctl_errno(fd_, GUPBENCH_IOC_RELEASE, nullptr), 0);
}

} // namespace
