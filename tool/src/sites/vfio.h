// A VFIO type1 container with one group attached (a PCI device bound to vfio-pci): what
// the vfio site maps through, and what the e2e tests call VFIO's ioctls on.
#pragma once

#include <cstdint>

#include "sites/site.h"

namespace gupbench {

class VfioContainer {
public:
	// Throws SiteUnavailable where the kernel or the machine has no VFIO device to use.
	VfioContainer();
	VfioContainer(const VfioContainer &) = delete;
	VfioContainer &operator=(const VfioContainer &) = delete;
	~VfioContainer();

	int fd() const { return container_; }
	// The lowest IOVA the IOMMU accepts, 2 MiB aligned, with 1 GiB free above it.
	uint64_t first_iova() const { return first_iova_; }

private:
	void attach();
	void close_all();

	int container_ = -1;
	int group_ = -1;
	uint64_t first_iova_ = 0;
};

} // namespace gupbench
