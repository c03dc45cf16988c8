// O_DIRECT I/O on a block device: the block layer takes the user pages when it builds the
// bio (bio_iov_iter_get_pages()) and lets them go when the I/O completes. The device is a
// null_blk disk whose every I/O completes three seconds after submission (sites/null_blk.h),
// and the I/O is submitted through io_uring so that this thread can look while it is in
// flight. Set-up time: the submission, which builds the bio and takes the pages.
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <liburing.h>
#include <unistd.h>

#include "sites/null_blk.h"
#include "sites/site.h"

namespace gupbench {
namespace {

constexpr unsigned long long in_flight_ns = 3'000'000'000;
// One bio of at most BIO_MAX_VECS (256) pages: a larger I/O needs several, which the
// block layer will not build without waiting, so io_uring hands it to a worker and the
// pages are taken after the submission returns, out of its time.
constexpr std::size_t max_length = 256 * 4096;

class OdirectSite : public Site {
public:
	OdirectSite()
	{
		if (std::string why = NullBlkDevice::unavailable(); !why.empty())
			throw SiteUnavailable(why);
		if (int err = io_uring_queue_init(4, &ring_, 0); err < 0)
			throw SiteUnavailable(std::string("io_uring_queue_init: ") + std::strerror(-err));
	}
	~OdirectSite() override
	{
		try {
			release();
		} catch (...) {
			// the I/O's own error was reported by release() where it was asked for
		}
		io_uring_queue_exit(&ring_);
	}
	bool longterm() const override { return false; }
	void hold(unsigned long addr, std::size_t length, bool write) override
	{
		if (length > max_length)
			site_fail("odirect: at most " + std::to_string(max_length >> 10) +
					  " KiB, one bio taking its pages as it is submitted, not " +
					  std::to_string(length) + " bytes",
				  EINVAL);
		device_ = std::make_unique<NullBlkDevice>(length, in_flight_ns);
		fd_ = open(device_->path().c_str(), O_RDWR | O_DIRECT | O_CLOEXEC);
		if (fd_ < 0)
			site_fail("open " + device_->path() + " with O_DIRECT", errno);
		io_uring_sqe *sqe = io_uring_get_sqe(&ring_);
		if (!sqe)
			site_fail("io_uring_get_sqe", EBUSY);
		// The site writes the memory: a read from the disk into it.
		if (write)
			io_uring_prep_read(sqe, fd_, reinterpret_cast<void *>(addr), static_cast<unsigned>(length), 0);
		else
			io_uring_prep_write(sqe, fd_, reinterpret_cast<const void *>(addr), static_cast<unsigned>(length), 0);
		length_ = length;
		auto t0 = std::chrono::steady_clock::now();
		int submitted = io_uring_submit(&ring_);
		auto t1 = std::chrono::steady_clock::now();
		if (submitted != 1)
			site_fail("io_uring_submit of an O_DIRECT I/O", submitted < 0 ? -submitted : EIO);
		in_flight_ = true;
		setup_ns_ = std::chrono::duration<double, std::nano>(t1 - t0).count();
	}
	void release() override
	{
		if (in_flight_) {
			io_uring_cqe *cqe = nullptr;
			int err;
			do
				err = io_uring_wait_cqe(&ring_, &cqe);
			while (err == -EINTR);
			if (err < 0)
				site_fail("io_uring_wait_cqe", -err); // still in flight: the device stays
			in_flight_ = false;
			int res = cqe->res;
			io_uring_cqe_seen(&ring_, cqe);
			if (res < 0)
				site_fail("O_DIRECT I/O on " + device_->path(), -res);
			if (static_cast<std::size_t>(res) != length_)
				site_fail("O_DIRECT I/O on " + device_->path() + " moved " + std::to_string(res) +
						  " of " + std::to_string(length_) + " bytes",
					  EIO);
		}
		if (fd_ >= 0)
			close(fd_);
		fd_ = -1;
		device_.reset();
	}
	std::optional<double> setup_ns() const override { return setup_ns_; }
	bool timed_again() const override { return false; }
	bool still_held() override
	{
		io_uring_cqe *cqe = nullptr;
		return in_flight_ && io_uring_peek_cqe(&ring_, &cqe) != 0;
	}

private:
	io_uring ring_{};
	std::unique_ptr<NullBlkDevice> device_;
	int fd_ = -1;
	std::size_t length_ = 0;
	bool in_flight_ = false;
	double setup_ns_ = 0;
};

} // namespace

std::unique_ptr<Site> make_odirect_site()
{
	return std::make_unique<OdirectSite>();
}

} // namespace gupbench
