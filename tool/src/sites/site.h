// A kernel call site that takes user pages from gupbench observe: it holds the memory from
// hold() until release(). Sites that hold it asynchronously (an I/O in flight, a copy that
// blocks) return from hold() once the work is started; observe waits until the probe sees
// the pages held.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <sys/types.h>
#include <stdexcept>
#include <string>
#include <vector>

namespace gupbench {

// The running kernel cannot offer a site (a config option it lacks, a device it has not):
// observe reports it skipped, with this as the reason.
class SiteUnavailable : public std::runtime_error {
public:
	using std::runtime_error::runtime_error;
};

class Site {
public:
	virtual ~Site() = default;
	// Whether the site's own GUP call is FOLL_LONGTERM (read in its source; docs/observe.md).
	virtual bool longterm() const = 0;
	// `write`: the site writes the memory (an O_DIRECT read into it, process_vm_writev).
	virtual void hold(unsigned long addr, std::size_t length, bool write) = 0;
	virtual void release() = 0;
	// Where timing hold() would not time the site's GUP work (it happens after hold()
	// returns, or hold() blocks on purpose), the site times a call of its own: ns.
	virtual std::optional<double> setup_ns() const { return std::nullopt; }
	// Whether hold() and release() are quick enough to time again (observe takes the
	// median of five); odirect's I/O is held for seconds, so it is timed once.
	virtual bool timed_again() const { return true; }
	// Whether the site's calls reach another process's memory (process_vm): observe then
	// makes the memory in a child, names it with target(), and probes it there.
	virtual bool targets_another_process() const { return false; }
	virtual void target(pid_t pid) { (void)pid; }
	// Whether the site still holds the memory: an asynchronous one may have finished
	// before it was looked at, which would make the observation wrong, not the site.
	virtual bool still_held() { return true; }
};

std::vector<std::string> site_names();
// Throws SiteUnavailable where this kernel cannot offer the site; nullptr for a name that
// is no site.
std::unique_ptr<Site> make_site(const std::string &name);

std::unique_ptr<Site> make_io_uring_site();
std::unique_ptr<Site> make_vmsplice_site();
std::unique_ptr<Site> make_odirect_site();
std::unique_ptr<Site> make_process_vm_site();
std::unique_ptr<Site> make_iommufd_site();
std::unique_ptr<Site> make_rdma_site();
std::unique_ptr<Site> make_vfio_site();

[[noreturn]] void site_fail(const std::string &what, int error);

} // namespace gupbench
