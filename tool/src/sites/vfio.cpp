// VFIO type1: VFIO_IOMMU_MAP_DMA maps user memory into a container's IOMMU domain and pins
// it long-term (vfio_pin_pages_remote() -> vaddr_get_pfns() -> pin_user_pages_remote() with
// FOLL_LONGTERM, FOLL_WRITE for a writable map) until VFIO_IOMMU_UNMAP_DMA. The device is a
// PCI device bound to vfio-pci: in our guests QEMU's edu device behind a virtio-iommu
// (scripts/vm), which this site binds to vfio-pci itself when no driver has it.
#include <cerrno>
#include <climits>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <linux/vfio.h>
#include <string>
#include <sys/ioctl.h>
#include <unistd.h>
#include <vector>

#include "sites/vfio.h"

namespace gupbench {
namespace {

const std::string pci_devices = "/sys/bus/pci/devices/";
// QEMU's "edu" educational PCI device: no driver of the kernel's claims it.
const char *const edu_id = "0x1234 0x11e8";

std::string read_word(const std::string &path)
{
	std::ifstream in(path);
	std::string word;
	in >> word;
	return word;
}

bool write_text(const std::string &path, const std::string &text)
{
	std::ofstream out(path);
	out << text;
	out.flush();
	return static_cast<bool>(out);
}

// The driver a PCI device is bound to, or "" for none.
std::string driver_of(const std::string &device)
{
	char target[PATH_MAX];
	ssize_t n = readlink((pci_devices + device + "/driver").c_str(), target, sizeof(target) - 1);
	if (n < 0)
		return "";
	target[n] = '\0';
	const char *slash = std::strrchr(target, '/');
	return slash ? slash + 1 : target;
}

std::vector<std::string> pci_device_names()
{
	std::vector<std::string> names;
	if (DIR *dir = opendir(pci_devices.c_str())) {
		while (dirent *entry = readdir(dir)) {
			if (entry->d_name[0] != '.')
				names.emplace_back(entry->d_name);
		}
		closedir(dir);
	}
	return names;
}

// The PCI device the site maps for: one bound to vfio-pci already, else an edu device no
// driver has, bound to vfio-pci now (driver_override, then a probe). A device another
// driver owns is never taken from it.
std::string vfio_pci_device()
{
	std::vector<std::string> devices = pci_device_names();
	for (const std::string &device : devices) {
		if (driver_of(device) == "vfio-pci")
			return device;
	}
	for (const std::string &device : devices) {
		if (read_word(pci_devices + device + "/vendor") + " " +
				    read_word(pci_devices + device + "/device") !=
			    edu_id ||
		    !driver_of(device).empty())
			continue;
		if (!write_text(pci_devices + device + "/driver_override", "vfio-pci") ||
		    !write_text("/sys/bus/pci/drivers_probe", device) || driver_of(device) != "vfio-pci") {
			write_text(pci_devices + device + "/driver_override", "\n"); // as it was
			throw SiteUnavailable("binding the edu device " + device +
					      " to vfio-pci failed (the kernel lacks CONFIG_VFIO_PCI, or an IOMMU for it)");
		}
		return device;
	}
	throw SiteUnavailable("no PCI device bound to vfio-pci, and no free edu device to bind "
			      "(scripts/vm gives our guests one behind a virtio-iommu)");
}

// The IOMMU group of a device: the number that names /dev/vfio/N.
std::string iommu_group_of(const std::string &device)
{
	char target[PATH_MAX];
	ssize_t n = readlink((pci_devices + device + "/iommu_group").c_str(), target, sizeof(target) - 1);
	if (n < 0)
		throw SiteUnavailable(device + " is in no IOMMU group (the kernel has no IOMMU for it)");
	target[n] = '\0';
	const char *slash = std::strrchr(target, '/');
	return slash ? slash + 1 : target;
}

// The lowest IOVA the container's IOMMU accepts, rounded up to 2 MiB so that a THP can
// map whole: VFIO_IOMMU_GET_INFO's IOVA range capability, or 0 where it has none.
uint64_t first_usable_iova(int container)
{
	std::vector<uint64_t> buffer(512);
	auto *info = reinterpret_cast<vfio_iommu_type1_info *>(buffer.data());
	info->argsz = static_cast<uint32_t>(buffer.size() * sizeof(uint64_t));
	if (ioctl(container, VFIO_IOMMU_GET_INFO, info) != 0)
		site_fail("VFIO_IOMMU_GET_INFO", errno);
	if (!(info->flags & VFIO_IOMMU_INFO_CAPS) || info->argsz > buffer.size() * sizeof(uint64_t))
		return 0;
	const auto *base = reinterpret_cast<const char *>(info);
	for (uint32_t offset = info->cap_offset; offset != 0;) {
		const auto *header = reinterpret_cast<const vfio_info_cap_header *>(base + offset);
		if (header->id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE) {
			const auto *ranges = reinterpret_cast<const vfio_iommu_type1_info_cap_iova_range *>(header);
			constexpr uint64_t align = 2ull << 20;
			for (uint32_t i = 0; i < ranges->nr_iovas; i++) {
				uint64_t start = (ranges->iova_ranges[i].start + align - 1) & ~(align - 1);
				if (start < ranges->iova_ranges[i].end && ranges->iova_ranges[i].end - start >= (1ull << 30))
					return start;
			}
			throw SiteUnavailable("the IOMMU offers no IOVA range of 1 GiB");
		}
		offset = header->next;
	}
	return 0;
}

class VfioSite : public Site {
public:
	~VfioSite() override
	{
		try {
			release();
		} catch (...) {
			// closing the container unmaps and unpins what is left
		}
	}
	bool longterm() const override { return true; }
	// `write`: the device may write the memory (an IOMMU_WRITE map: the pins are FOLL_WRITE).
	void hold(unsigned long addr, std::size_t length, bool write) override
	{
		vfio_iommu_type1_dma_map map{};
		map.argsz = sizeof(map);
		map.flags = VFIO_DMA_MAP_FLAG_READ | (write ? VFIO_DMA_MAP_FLAG_WRITE : 0);
		map.vaddr = addr;
		map.iova = container_.first_iova();
		map.size = length;
		if (ioctl(container_.fd(), VFIO_IOMMU_MAP_DMA, &map) != 0)
			site_fail("VFIO_IOMMU_MAP_DMA", errno);
		length_ = length;
		mapped_ = true;
	}
	void release() override
	{
		if (!mapped_)
			return;
		mapped_ = false;
		vfio_iommu_type1_dma_unmap unmap{};
		unmap.argsz = sizeof(unmap);
		unmap.iova = container_.first_iova();
		unmap.size = length_;
		if (ioctl(container_.fd(), VFIO_IOMMU_UNMAP_DMA, &unmap) != 0)
			site_fail("VFIO_IOMMU_UNMAP_DMA", errno);
		if (unmap.size != length_)
			site_fail("VFIO_IOMMU_UNMAP_DMA unmapped " + std::to_string(unmap.size) + " of " +
					  std::to_string(length_) + " bytes",
				  EIO);
	}

private:
	VfioContainer container_;
	uint64_t length_ = 0;
	bool mapped_ = false;
};

} // namespace

VfioContainer::VfioContainer() : container_(open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC))
{
	if (container_ < 0)
		throw SiteUnavailable(std::string("/dev/vfio/vfio: ") + std::strerror(errno) +
				      " (the kernel lacks CONFIG_VFIO, or its module is not loaded)");
	try {
		attach();
	} catch (...) {
		close_all();
		throw;
	}
}

VfioContainer::~VfioContainer()
{
	close_all();
}

void VfioContainer::close_all()
{
	if (group_ >= 0)
		close(group_); // leaves the container: its mappings go with the last group
	if (container_ >= 0)
		close(container_);
	group_ = container_ = -1;
}

void VfioContainer::attach()
{
	if (ioctl(container_, VFIO_GET_API_VERSION) != VFIO_API_VERSION ||
	    ioctl(container_, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) <= 0)
		throw SiteUnavailable("the VFIO container offers no type1v2 IOMMU");
	std::string device = vfio_pci_device();
	std::string group_path = "/dev/vfio/" + iommu_group_of(device);
	group_ = open(group_path.c_str(), O_RDWR | O_CLOEXEC);
	if (group_ < 0)
		site_fail("open " + group_path + " (" + device + "'s group)", errno);
	vfio_group_status status{};
	status.argsz = sizeof(status);
	if (ioctl(group_, VFIO_GROUP_GET_STATUS, &status) != 0)
		site_fail("VFIO_GROUP_GET_STATUS", errno);
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		throw SiteUnavailable(group_path + " is not viable: a device in it has another driver");
	if (ioctl(group_, VFIO_GROUP_SET_CONTAINER, &container_) != 0)
		site_fail("VFIO_GROUP_SET_CONTAINER", errno);
	if (ioctl(container_, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) != 0) {
		if (errno == EPERM)
			throw SiteUnavailable("VFIO_SET_IOMMU: the IOMMU cannot isolate MSIs (no interrupt "
					      "remapping); vfio_iommu_type1.allow_unsafe_interrupts=1 accepts that");
		site_fail("VFIO_SET_IOMMU(VFIO_TYPE1v2_IOMMU)", errno);
	}
	first_iova_ = first_usable_iova(container_);
}

std::unique_ptr<Site> make_vfio_site()
{
	return std::make_unique<VfioSite>();
}

} // namespace gupbench
