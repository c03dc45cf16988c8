#include "sites/site.h"

#include "bench_device.h"

namespace gupbench {

std::vector<std::string> site_names()
{
	return { "io_uring", "odirect", "process_vm", "vmsplice", "iommufd", "rdma" };
}

std::unique_ptr<Site> make_site(const std::string &name)
{
	if (name == "io_uring")
		return make_io_uring_site();
	if (name == "odirect")
		return make_odirect_site();
	if (name == "process_vm")
		return make_process_vm_site();
	if (name == "vmsplice")
		return make_vmsplice_site();
	if (name == "iommufd")
		return make_iommufd_site();
	if (name == "rdma")
		return make_rdma_site();
	return nullptr;
}

void site_fail(const std::string &what, int error)
{
	throw SystemError(what, error);
}

} // namespace gupbench
