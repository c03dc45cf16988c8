// `gupbench observe`, end to end in the guest: the kernel's own pin users set up on our
// memory, and what each takes (pin or plain reference, long-term or not, how many per
// page) and gives back, as facts per kernel version; then the same sites' owners killed
// while they hold the memory, and every pin still comes back. Where the two versions
// differ, each test says which change explains it (docs/observe.md).
#include <gtest/gtest.h>

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <linux/vfio.h>
#include <liburing.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_device.h"
#include "guest_util.h"
#include "observe.h"
#include "sites/iommufd_abi.h"
#include "sites/site.h"
#include "sites/vfio.h"

namespace {

const unsigned long page_size = sysconf(_SC_PAGESIZE);

gupbench::ObserveOptions options(gupbench::MemoryKind kind, std::size_t size, bool write = false)
{
	gupbench::ObserveOptions o;
	o.memory = kind;
	o.size = size;
	o.write = write;
	return o;
}

gupbench::Observation observe(const std::string &site, const gupbench::ObserveOptions &o)
{
	return gupbench::observe_site(site, o);
}

#define SKIP_IF_UNAVAILABLE(o)                                                                   \
	do {                                                                                     \
		if ((o).skipped)                                                                 \
			GTEST_SKIP() << (o).site << ": " << (o).why;                             \
	} while (0)

// Why this kernel cannot offer `site`, or "" where it can: asked of the site itself,
// without observing it.
std::string unavailable(const std::string &site)
{
	try {
		gupbench::make_site(site);
	} catch (const gupbench::SiteUnavailable &e) {
		return site + ": " + e.what();
	}
	return "";
}

#define SKIP_IF_SITE_UNAVAILABLE(site)                                                           \
	do {                                                                                     \
		if (std::string why = unavailable(site); !why.empty())                           \
			GTEST_SKIP() << why;                                                     \
	} while (0)

// Every page held by pins, once each, and nothing left behind.
void expect_pinned_once(const gupbench::Observation &o, unsigned long pages)
{
	EXPECT_TRUE(o.settled);
	EXPECT_EQ(o.ref_kind, "pin");
	EXPECT_EQ(o.pages, pages);
	EXPECT_EQ(o.pinned_pages, o.pages);
	EXPECT_DOUBLE_EQ(o.pins_per_page, 1.0);
	EXPECT_NEAR(o.refs_per_page, 0, 0.1);
	EXPECT_EQ(o.leaked, 0);
	EXPECT_GT(o.setup_ns_per_page, 0);
	EXPECT_GT(o.ratio_to_pin_fast, 0);
}

// A whole THP held by `site`: one folio, each of its 512 pages pinned once, all given back.
void expect_thp_pinned_page_by_page(const std::string &site)
{
	auto o = observe(site, options(gupbench::MemoryKind::thp, 2 << 20));
	SKIP_IF_UNAVAILABLE(o);
	ASSERT_EQ(o.folios, 1u) << "the THP was not made (memory fragmented?)";
	expect_pinned_once(o, 512);
}

// Every page held by one plain reference (FOLL_GET), no pin, nothing left behind.
void expect_referenced_once(const gupbench::Observation &o, unsigned long pages)
{
	EXPECT_TRUE(o.settled);
	EXPECT_EQ(o.ref_kind, "get");
	EXPECT_EQ(o.pages, pages);
	EXPECT_EQ(o.pinned_pages, 0u);
	EXPECT_DOUBLE_EQ(o.pins_per_page, 0.0);
	EXPECT_NEAR(o.refs_per_page, 1.0, 0.1);
	EXPECT_EQ(o.leaked, 0);
}

// io_uring's fixed buffers: pin_user_pages(FOLL_WRITE | FOLL_LONGTERM) in
// io_sqe_buffer_register() on 6.1 and 6.12 alike; unregister unpins every page.
TEST(Observe, IoUringPinsEveryPageOnceAndGivesThemBack)
{
	auto o = observe("io_uring", options(gupbench::MemoryKind::anon, 1 << 20));
	SKIP_IF_UNAVAILABLE(o);
	EXPECT_TRUE(o.longterm);
	expect_pinned_once(o, 256);
}

// On a THP the versions part: 6.1 keeps the pin of every page; 6.12's
// io_sqe_buffer_register() coalesces a buffer made of whole large folios into one bvec per
// folio (io_try_coalesce_buffer(), io_do_coalesce_buffer()) and unpins all but one page
// of each, so the folio holds one pin for its 512 pages, and is still maybe-DMA-pinned.
TEST(Observe, IoUringOnThpPinsEachPageOn61AndEachFolioOnceOn612)
{
	E2E_SKIP_WITHOUT_THP();
	auto o = observe("io_uring", options(gupbench::MemoryKind::thp, 2 << 20));
	SKIP_IF_UNAVAILABLE(o);
	ASSERT_EQ(o.folios, 1u) << "the THP was not made (memory fragmented?)";
	EXPECT_EQ(o.ref_kind, "pin");
	EXPECT_EQ(o.leaked, 0);
	if (e2e::linux_at_least(6, 12)) {
		EXPECT_EQ(o.pages, 512u);
		EXPECT_EQ(o.pinned_pages, 512u);
		EXPECT_DOUBLE_EQ(o.pins_per_page, 1.0 / 512);
	} else if (!e2e::linux_at_least(6, 2)) {
		expect_pinned_once(o, 512);
	}
}

// vmsplice into a pipe: iov_iter_get_pages2() takes plain references (FOLL_GET) that the
// pipe buffers keep until they are read; no pin.
TEST(Observe, VmspliceTakesReferencesNotPinsAndGivesThemBack)
{
	auto o = observe("vmsplice", options(gupbench::MemoryKind::anon, 256 << 10));
	SKIP_IF_UNAVAILABLE(o);
	EXPECT_FALSE(o.longterm);
	expect_referenced_once(o, 64);
}

// Block O_DIRECT, caught in flight on a slow null_blk: 6.1's __bio_iov_iter_get_pages()
// takes references with iov_iter_get_pages2(); by 6.12 it uses iov_iter_extract_pages(),
// which pins user memory (FOLL_PIN) and marks the bio BIO_PAGE_PINNED. Between the two
// this test asserts no kind: only 6.1 and 6.12 were read and measured.
void expect_odirect(const gupbench::Observation &o)
{
	EXPECT_FALSE(o.longterm);
	if (e2e::linux_at_least(6, 12))
		expect_pinned_once(o, 256);
	else if (!e2e::linux_at_least(6, 2))
		expect_referenced_once(o, 256);
	EXPECT_EQ(o.leaked, 0);
}

TEST(Observe, OdirectWriteHoldsEveryPageWhileInFlight)
{
	auto o = observe("odirect", options(gupbench::MemoryKind::anon, 1 << 20));
	SKIP_IF_UNAVAILABLE(o);
	expect_odirect(o);
}

TEST(Observe, OdirectReadIntoMemoryHoldsEveryPageWhileInFlight)
{
	auto o = observe("odirect", options(gupbench::MemoryKind::anon, 1 << 20, true));
	SKIP_IF_UNAVAILABLE(o);
	expect_odirect(o);
}

// process_vm_readv/writev on a child: pin_user_pages_remote() on the child's pages for the
// length of the copy, not long-term, on both versions; seen in the child (remote PROBE).
TEST(Observe, ProcessVmReadvPinsTheChildsPagesDuringTheCopy)
{
	auto o = observe("process_vm", options(gupbench::MemoryKind::anon, 1 << 20));
	SKIP_IF_UNAVAILABLE(o);
	EXPECT_TRUE(o.in_child);
	EXPECT_FALSE(o.longterm);
	expect_pinned_once(o, 256);
}

TEST(Observe, ProcessVmWritevPinsTheChildsPagesDuringTheCopy)
{
	auto o = observe("process_vm", options(gupbench::MemoryKind::anon, 1 << 20, true));
	SKIP_IF_UNAVAILABLE(o);
	EXPECT_TRUE(o.in_child);
	expect_pinned_once(o, 256);
}

TEST(Observe, ProcessVmOnAChildsThpPinsEachPageOfTheFolio)
{
	E2E_SKIP_WITHOUT_THP();
	expect_thp_pinned_page_by_page("process_vm");
}

// Every other site holds this process's own memory.
TEST(Observe, OnlyProcessVmTargetsAChild)
{
	auto o = observe("vmsplice", options(gupbench::MemoryKind::anon, 64 << 10));
	SKIP_IF_UNAVAILABLE(o);
	EXPECT_FALSE(o.in_child);
}

// iommufd (6.2+): IOMMU_IOAS_MAP into an IOAS with the mock domain attached pins with
// FOLL_LONGTERM (pfn_reader_user_pin()); IOMMU_IOAS_UNMAP unpins.
TEST(Observe, IommufdMapPinsLongTermUntilUnmap)
{
	auto o = observe("iommufd", options(gupbench::MemoryKind::anon, 1 << 20));
	SKIP_IF_UNAVAILABLE(o);
	EXPECT_TRUE(o.longterm);
	expect_pinned_once(o, 256);
}

TEST(Observe, IommufdOnThpPinsEachPageOfTheFolio)
{
	E2E_SKIP_WITHOUT_THP();
	expect_thp_pinned_page_by_page("iommufd");
}

// RDMA (soft-RoCE): ibv_reg_mr() reaches ib_umem_get(), which pins with FOLL_LONGTERM
// (and FOLL_WRITE for a writable region) until ibv_dereg_mr(), on both versions.
TEST(Observe, RdmaRegMrPinsLongTermUntilDereg)
{
	auto o = observe("rdma", options(gupbench::MemoryKind::anon, 1 << 20));
	SKIP_IF_UNAVAILABLE(o);
	EXPECT_TRUE(o.longterm);
	expect_pinned_once(o, 256);
}

// VFIO type1: VFIO_IOMMU_MAP_DMA pins with FOLL_LONGTERM (vfio_pin_pages_remote() ->
// vaddr_get_pfns() -> pin_user_pages_remote()), one pin per page, on both versions, until
// VFIO_IOMMU_UNMAP_DMA; the device is QEMU's edu behind a virtio-iommu.
TEST(Observe, VfioMapDmaPinsLongTermUntilUnmap)
{
	auto o = observe("vfio", options(gupbench::MemoryKind::anon, 1 << 20));
	SKIP_IF_UNAVAILABLE(o);
	EXPECT_TRUE(o.longterm);
	expect_pinned_once(o, 256);
}

TEST(Observe, VfioOnThpPinsEachPageOfTheFolio)
{
	E2E_SKIP_WITHOUT_THP();
	expect_thp_pinned_page_by_page("vfio");
}

// What a site cannot hold at once is refused with the reason, not observed half-held.
TEST(Observe, SizesBeyondOneBatchAreRefused)
{
	for (const char *site : { "odirect", "process_vm" }) {
		if (!unavailable(site).empty())
			continue; // the tests above say why
		EXPECT_THROW(observe(site, options(gupbench::MemoryKind::anon, 8 << 20)), gupbench::SystemError)
			<< site;
	}
}

TEST(Observe, AnUnknownSiteIsAnError)
{
	EXPECT_THROW(observe("no-such-site", options(gupbench::MemoryKind::anon, 1 << 20)), std::runtime_error);
}

// Shared memory (a memfd) that a child process hands to a site and is killed while the
// site holds it. What the parent sees of the same pages: pinned while the child lives;
// after it is gone (the site's teardown may be asynchronous: io_uring's is), every pin
// back in /proc/vmstat, no page maybe-DMA-pinned, every refcount as before.
class KilledHolder : public ::testing::Test {
protected:
	void SetUp() override
	{
		fd_ = memfd_create("gupbench-killed-holder", MFD_CLOEXEC);
		ASSERT_GE(fd_, 0);
		ASSERT_EQ(ftruncate(fd_, length_), 0);
		addr_ = mmap(nullptr, length_, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
		ASSERT_NE(addr_, MAP_FAILED);
		memset(addr_, 1, length_);
	}
	void TearDown() override
	{
		if (addr_ != MAP_FAILED)
			munmap(addr_, length_);
		if (fd_ >= 0)
			close(fd_);
	}

	std::vector<gupbench_probe_folio> probe()
	{
		gupbench::BenchDevice device(GUPBENCH_BENCH_FILE);
		return device.probe(reinterpret_cast<unsigned long>(addr_), length_,
				    static_cast<unsigned>(length_ / page_size))
			.folios;
	}

	void kill_while_held(const std::string &site_name)
	{
		auto before = probe();
		ASSERT_EQ(before.size(), length_ / page_size); // small folios: one record per page
		auto pins_before = e2e::vmstat_pins();
		int ready[2];
		ASSERT_EQ(pipe(ready), 0);
		pid_t child = fork();
		ASSERT_GE(child, 0);
		if (child == 0) {
			close(ready[0]);
			char said = 'x';
			std::unique_ptr<gupbench::Site> site; // kept to the end: killed holding
			try {
				site = gupbench::make_site(site_name);
				site->hold(reinterpret_cast<unsigned long>(addr_), length_, false);
				said = 'h';
			} catch (const gupbench::SiteUnavailable &e) {
				fprintf(stderr, "child: %s\n", e.what());
				said = 'u';
			} catch (const std::exception &e) {
				fprintf(stderr, "child: %s\n", e.what());
				said = 'f';
			}
			if (write(ready[1], &said, 1) != 1)
				_exit(2);
			for (;;)
				pause(); // killed here, the site still holding the memory
		}
		close(ready[1]);
		char said = 0;
		pollfd waiting{ ready[0], POLLIN, 0 };
		ssize_t n = poll(&waiting, 1, 60'000) == 1 ? read(ready[0], &said, 1) : 0;
		close(ready[0]);
		if (n != 1 || said != 'h') {
			kill(child, SIGKILL);
			waitpid(child, nullptr, 0);
			if (said == 'u')
				GTEST_SKIP() << site_name << " could not hold the memory here (see the child's message)";
			FAIL() << (said == 'f' ? site_name + " failed to hold the memory (the child's message is above)"
					       : "the child never said it held the memory, in 60 s");
		}
		auto held = probe();
		unsigned long pinned = 0;
		for (const auto &f : held)
			pinned += (f.flags & GUPBENCH_PROBE_MAYBE_DMA_PINNED) ? f.pages : 0;
		EXPECT_EQ(pinned, length_ / page_size) << site_name << " did not pin every page";
		EXPECT_EQ(e2e::pins_held_since(pins_before), static_cast<long>(length_ / page_size));

		ASSERT_EQ(kill(child, SIGKILL), 0);
		int status = 0;
		ASSERT_EQ(waitpid(child, &status, 0), child);
		EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
		EXPECT_TRUE(e2e::wait_until([&] { return e2e::pins_held_since(pins_before) == 0; },
					    std::chrono::seconds(30), std::chrono::milliseconds(10)))
			<< e2e::pins_held_since(pins_before) << " pins still held 30 s after the holder died";
		auto after = probe();
		ASSERT_EQ(after.size(), before.size());
		for (std::size_t i = 0; i < after.size(); i++) {
			EXPECT_FALSE(after[i].flags & GUPBENCH_PROBE_MAYBE_DMA_PINNED) << "page " << i;
			EXPECT_NEAR(after[i].refcount, before[i].refcount, 1) << "page " << i;
		}
	}

	std::size_t length_ = 64 * page_size;
	int fd_ = -1;
	void *addr_ = MAP_FAILED;
};

TEST_F(KilledHolder, IoUringRegisteredBuffersComeBack)
{
	SKIP_IF_SITE_UNAVAILABLE("io_uring");
	kill_while_held("io_uring");
}

TEST_F(KilledHolder, IommufdMappedPagesComeBack)
{
	SKIP_IF_SITE_UNAVAILABLE("iommufd");
	kill_while_held("iommufd");
}

TEST_F(KilledHolder, RdmaRegisteredMemoryComesBack)
{
	SKIP_IF_SITE_UNAVAILABLE("rdma");
	kill_while_held("rdma");
}

TEST_F(KilledHolder, VfioMappedPagesComeBack)
{
	SKIP_IF_SITE_UNAVAILABLE("vfio");
	kill_while_held("vfio");
}

// Letting go of what was never taken: the site's own errno, nothing else (the guest's
// dmesg audit fails the run on any splat).
TEST(ObserveUnregister, IoUringUnregisterOfNothingIsEnxio)
{
	io_uring ring{};
	ASSERT_EQ(io_uring_queue_init(4, &ring, 0), 0);
	EXPECT_EQ(io_uring_unregister_buffers(&ring), -ENXIO);
	io_uring_queue_exit(&ring);
}

TEST(ObserveUnregister, IommufdUnmapOfNothingIsEnoent)
{
	int fd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		GTEST_SKIP() << "/dev/iommu: " << strerror(errno) << " (the kernel lacks CONFIG_IOMMUFD, 6.2+)";
	gupbench::iommufd::IoasAlloc alloc{};
	alloc.size = sizeof(alloc);
	ASSERT_EQ(ioctl(fd, gupbench::iommufd::ioas_alloc, &alloc), 0) << strerror(errno);
	gupbench::iommufd::IoasUnmap unmap{};
	unmap.size = sizeof(unmap);
	unmap.ioas_id = alloc.out_ioas_id;
	unmap.iova = 1ul << 24;
	unmap.length = page_size;
	EXPECT_EQ(e2e::ioctl_errno(fd, gupbench::iommufd::ioas_unmap, &unmap), ENOENT);
	unmap.ioas_id = alloc.out_ioas_id + 1000; // no such object
	EXPECT_EQ(e2e::ioctl_errno(fd, gupbench::iommufd::ioas_unmap, &unmap), ENOENT);
	close(fd);
}

// VFIO type1v2: an unmap where nothing is mapped unmaps nothing and says so (size 0, no
// error); one that would cut a mapping in two is EINVAL, a map over a mapping EEXIST, and
// every page stays pinned through those refusals until the real unmap.
TEST(ObserveUnregister, VfioUnmapOfNothingUnmapsNothingAndMappingsAreNotCut)
{
	SKIP_IF_SITE_UNAVAILABLE("vfio");
	gupbench::VfioContainer container;
	const std::size_t length = 16 * page_size;
	void *memory = mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(memory, MAP_FAILED);
	memset(memory, 1, length);
	auto pins_before = e2e::vmstat_pins();

	vfio_iommu_type1_dma_unmap unmap{};
	unmap.argsz = sizeof(unmap);
	unmap.iova = container.first_iova();
	unmap.size = length;
	EXPECT_EQ(e2e::ioctl_errno(container.fd(), VFIO_IOMMU_UNMAP_DMA, &unmap), 0);
	EXPECT_EQ(unmap.size, 0u);

	vfio_iommu_type1_dma_map map{};
	map.argsz = sizeof(map);
	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	map.vaddr = reinterpret_cast<uint64_t>(memory);
	map.iova = container.first_iova();
	map.size = length;
	ASSERT_EQ(e2e::ioctl_errno(container.fd(), VFIO_IOMMU_MAP_DMA, &map), 0);
	EXPECT_EQ(e2e::pins_held_since(pins_before), 16);
	EXPECT_EQ(e2e::ioctl_errno(container.fd(), VFIO_IOMMU_MAP_DMA, &map), EEXIST);
	unmap.iova = container.first_iova() + 4 * page_size;
	unmap.size = 4 * page_size;
	EXPECT_EQ(e2e::ioctl_errno(container.fd(), VFIO_IOMMU_UNMAP_DMA, &unmap), EINVAL);
	EXPECT_EQ(e2e::pins_held_since(pins_before), 16);

	unmap.iova = container.first_iova();
	unmap.size = length;
	EXPECT_EQ(e2e::ioctl_errno(container.fd(), VFIO_IOMMU_UNMAP_DMA, &unmap), 0);
	EXPECT_EQ(unmap.size, length);
	EXPECT_EQ(e2e::pins_held_since(pins_before), 0);
	munmap(memory, length);
}

} // namespace
