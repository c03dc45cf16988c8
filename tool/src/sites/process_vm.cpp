// process_vm_readv/writev on a child: the kernel pins the target's pages
// (pin_user_pages_remote() in process_vm_rw_single_vec(), at most 1024 pages, 4 MiB, per
// batch) and copies between them and the caller's buffer, then unpins. The pins last only
// as long as the copy, so to see them the caller's buffer is a userfaultfd range nobody has
// filled: the copy faults on its first page and waits there, the target's pages pinned,
// until release() fills the range. The target is a child that made the memory (observe
// gives it, and probes it there with a remote PROBE); the waiting call is made by a thread
// of this process. Set-up time: a whole call that does not wait (pin, copy, unpin).
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <vector>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <thread>
#include <unistd.h>

#include "sites/site.h"

namespace gupbench {
namespace {

ssize_t process_vm(pid_t target, bool write, void *local, void *remote, std::size_t length)
{
	iovec local_iov{ local, length }, remote_iov{ remote, length };
	return write ? process_vm_writev(target, &local_iov, 1, &remote_iov, 1, 0)
		     : process_vm_readv(target, &local_iov, 1, &remote_iov, 1, 0);
}

// An anonymous range registered with a userfaultfd for missing pages: whoever touches it
// first waits until fill().
class UserfaultRange {
public:
	explicit UserfaultRange(std::size_t length) : length_(length)
	{
		uffd_ = static_cast<int>(syscall(SYS_userfaultfd, O_CLOEXEC));
		if (uffd_ < 0)
			throw SiteUnavailable(std::string("userfaultfd: ") + std::strerror(errno) +
					      " (the kernel lacks CONFIG_USERFAULTFD?)");
		uffdio_api api{};
		api.api = UFFD_API;
		if (ioctl(uffd_, UFFDIO_API, &api) != 0)
			fail_and_close("UFFDIO_API");
		addr_ = mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (addr_ == MAP_FAILED)
			fail_and_close("mmap of the userfaultfd range");
		uffdio_register reg{};
		reg.range = { reinterpret_cast<unsigned long>(addr_), length };
		reg.mode = UFFDIO_REGISTER_MODE_MISSING;
		if (ioctl(uffd_, UFFDIO_REGISTER, &reg) != 0)
			fail_and_close("UFFDIO_REGISTER");
	}
	~UserfaultRange()
	{
		if (addr_ != MAP_FAILED)
			munmap(addr_, length_);
		if (uffd_ >= 0)
			close(uffd_);
	}
	UserfaultRange(const UserfaultRange &) = delete;
	UserfaultRange &operator=(const UserfaultRange &) = delete;

	void *addr() const { return addr_; }
	// Maps the zero page over every page still missing and wakes whoever waits. Page by
	// page: one range stops at the first page already there (EEXIST).
	void fill()
	{
		const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
		for (std::size_t offset = 0; offset < length_; offset += page) {
			uffdio_zeropage zero{};
			zero.range = { reinterpret_cast<unsigned long>(addr_) + offset, page };
			if (ioctl(uffd_, UFFDIO_ZEROPAGE, &zero) != 0 && errno != EEXIST)
				site_fail("UFFDIO_ZEROPAGE", errno);
		}
	}
	// Whoever still waits on the range is woken with EFAULT when the userfaultfd goes.
	void abandon()
	{
		close(uffd_);
		uffd_ = -1;
	}

private:
	[[noreturn]] void fail_and_close(const std::string &what)
	{
		int error = errno;
		if (addr_ != MAP_FAILED)
			munmap(addr_, length_);
		close(uffd_);
		site_fail(what, error);
	}

	std::size_t length_;
	int uffd_ = -1;
	void *addr_ = MAP_FAILED;
};

// process_vm_rw_single_vec() pins at most PVM_MAX_KMALLOC_PAGES / sizeof(struct page *)
// pages at a time: 1024 with 4 KiB pages.
constexpr std::size_t max_length = 1024 * 4096;

class ProcessVmSite : public Site {
public:
	ProcessVmSite()
	{
		if (process_vm(getpid(), false, nullptr, nullptr, 0) < 0 && errno == ENOSYS)
			throw SiteUnavailable("process_vm_readv: ENOSYS (the kernel lacks CONFIG_CROSS_MEMORY_ATTACH)");
		UserfaultRange can_make(static_cast<std::size_t>(sysconf(_SC_PAGESIZE)));
	}
	~ProcessVmSite() override
	{
		if (!copier_.joinable())
			return;
		try {
			range_->fill();
		} catch (...) {
			range_->abandon(); // the copy fails with EFAULT rather than wait forever
		}
		copier_.join();
	}
	bool longterm() const override { return false; }
	bool targets_another_process() const override { return true; }
	void target(pid_t pid) override { target_ = pid; }
	void hold(unsigned long addr, std::size_t length, bool write) override
	{
		void *memory = reinterpret_cast<void *>(addr);
		// One batch of pin_user_pages_remote(): beyond it the copy would wait with only
		// the first batch pinned.
		if (length > max_length)
			site_fail("process_vm: at most " + std::to_string(max_length >> 20) +
					  " MiB, one batch of the kernel's pins, not " + std::to_string(length) + " bytes",
				  EINVAL);
		{
			std::vector<char> local(length, 1);
			auto t0 = std::chrono::steady_clock::now();
			ssize_t n = process_vm(target_, write, local.data(), memory, length);
			auto t1 = std::chrono::steady_clock::now();
			if (n < 0 && errno == EPERM)
				throw SiteUnavailable(std::string(write ? "process_vm_writev" : "process_vm_readv") +
						      " of a child: EPERM (ptrace is restricted here: Yama's ptrace_scope, "
						      "or a container's policy)");
			if (n != static_cast<ssize_t>(length))
				site_fail(write ? "process_vm_writev" : "process_vm_readv", n < 0 ? errno : EIO);
			setup_ns_ = std::chrono::duration<double, std::nano>(t1 - t0).count();
		}
		range_ = std::make_unique<UserfaultRange>(length);
		length_ = length;
		write_ = write;
		copier_ = std::thread([this, memory] {
			copied_ = process_vm(target_, write_, range_->addr(), memory, length_);
			copy_errno_ = errno;
		});
	}
	void release() override
	{
		if (!copier_.joinable())
			return;
		try {
			range_->fill();
		} catch (...) {
			range_->abandon();
			copier_.join();
			throw;
		}
		copier_.join();
		range_.reset();
		if (copied_ != static_cast<ssize_t>(length_))
			site_fail(write_ ? "process_vm_writev" : "process_vm_readv", copied_ < 0 ? copy_errno_ : EIO);
	}
	std::optional<double> setup_ns() const override { return setup_ns_; }

private:
	pid_t target_ = getpid(); // until target() names the child
	std::unique_ptr<UserfaultRange> range_;
	std::thread copier_;
	std::size_t length_ = 0;
	bool write_ = false;
	ssize_t copied_ = 0;
	int copy_errno_ = 0;
	double setup_ns_ = 0;
};

} // namespace

std::unique_ptr<Site> make_process_vm_site()
{
	return std::make_unique<ProcessVmSite>();
}

} // namespace gupbench
