// iommufd: IOMMU_IOAS_MAP of user memory into an IO address space that a device's page
// table is attached to pins the pages long-term (pfn_reader_user_pin(): FOLL_LONGTERM,
// FOLL_WRITE for a writable map) until IOMMU_IOAS_UNMAP. The device is the mock domain of
// CONFIG_IOMMUFD_TEST (the kernel's own iommufd selftests use it), so no IOMMU hardware is
// needed.
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include "sites/iommufd_abi.h"
#include "sites/site.h"

namespace gupbench {
namespace {

class IommufdSite : public Site {
public:
	IommufdSite()
	{
		fd_ = open("/dev/iommu", O_RDWR | O_CLOEXEC);
		if (fd_ < 0)
			throw SiteUnavailable(std::string("/dev/iommu: ") + std::strerror(errno) +
					      " (the kernel lacks CONFIG_IOMMUFD, 6.2+)");
		iommufd::IoasAlloc alloc{};
		alloc.size = sizeof(alloc);
		if (ioctl(fd_, iommufd::ioas_alloc, &alloc) != 0)
			fail_and_close("IOMMU_IOAS_ALLOC", false);
		ioas_ = alloc.out_ioas_id;
		iommufd::TestCmd mock{};
		mock.size = sizeof(mock);
		mock.op = iommufd::test_op_mock_domain;
		mock.id = ioas_;
		if (ioctl(fd_, iommufd::test_cmd, &mock) != 0)
			fail_and_close("IOMMU_TEST_CMD(MOCK_DOMAIN)", errno == ENOTTY || errno == EOPNOTSUPP);
	}
	~IommufdSite() override
	{
		try {
			release();
		} catch (...) {
			// closing the file below unmaps what is left
		}
		close(fd_); // destroys the IOAS, the mock device and its page table
	}
	bool longterm() const override { return true; }
	void hold(unsigned long addr, std::size_t length, bool) override
	{
		iommufd::IoasMap map{};
		map.size = sizeof(map);
		map.flags = iommufd::map_readable | iommufd::map_writeable;
		map.ioas_id = ioas_;
		map.user_va = addr;
		map.length = length;
		if (ioctl(fd_, iommufd::ioas_map, &map) != 0)
			site_fail("IOMMU_IOAS_MAP", errno);
		iova_ = map.iova;
		length_ = length;
		mapped_ = true;
	}
	void release() override
	{
		if (!mapped_)
			return;
		mapped_ = false;
		if (int err = unmap(iova_, length_); err != 0)
			site_fail("IOMMU_IOAS_UNMAP", err);
	}
	// 0 or the errno IOMMU_IOAS_UNMAP gives.
	int unmap(uint64_t iova, uint64_t length)
	{
		iommufd::IoasUnmap unmap{};
		unmap.size = sizeof(unmap);
		unmap.ioas_id = ioas_;
		unmap.iova = iova;
		unmap.length = length;
		return ioctl(fd_, iommufd::ioas_unmap, &unmap) == 0 ? 0 : errno;
	}

private:
	[[noreturn]] void fail_and_close(const std::string &what, bool unavailable)
	{
		int error = errno;
		close(fd_);
		if (unavailable)
			throw SiteUnavailable(what + ": " + std::strerror(error) +
					      " (the kernel lacks CONFIG_IOMMUFD_TEST's mock domain)");
		site_fail(what, error);
	}

	int fd_ = -1;
	uint32_t ioas_ = 0;
	uint64_t iova_ = 0, length_ = 0;
	bool mapped_ = false;
};

} // namespace

std::unique_ptr<Site> make_iommufd_site()
{
	return std::make_unique<IommufdSite>();
}

} // namespace gupbench
