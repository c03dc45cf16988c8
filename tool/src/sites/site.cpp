#include "sites/site.h"

#include <utility>

#include "bench_device.h"

namespace gupbench {
namespace {

using SiteMaker = std::unique_ptr<Site> (*)();

// Every site, in the order observe reports them: the one list of names and makers.
constexpr std::pair<const char *, SiteMaker> sites[] = {
	{ "io_uring", make_io_uring_site }, { "odirect", make_odirect_site },
	{ "process_vm", make_process_vm_site }, { "vmsplice", make_vmsplice_site },
	{ "iommufd", make_iommufd_site }, { "rdma", make_rdma_site }, { "vfio", make_vfio_site },
};

} // namespace

std::vector<std::string> site_names()
{
	std::vector<std::string> names;
	for (const auto &[name, make] : sites)
		names.push_back(name);
	return names;
}

std::unique_ptr<Site> make_site(const std::string &name)
{
	for (const auto &[site, make] : sites) {
		if (name == site)
			return make();
	}
	return nullptr;
}

void site_fail(const std::string &what, int error)
{
	throw SystemError(what, error);
}

} // namespace gupbench
