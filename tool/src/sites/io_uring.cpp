// IORING_REGISTER_BUFFERS: io_uring pins a fixed buffer for the life of the registration,
// long-term and writable (io_sqe_buffer_register(), 6.1 and 6.12).
#include <cstring>
#include <liburing.h>
#include <sys/uio.h>

#include "sites/site.h"

namespace gupbench {
namespace {

class IoUringSite : public Site {
public:
	IoUringSite()
	{
		if (int err = io_uring_queue_init(4, &ring_, 0); err < 0)
			throw SiteUnavailable(std::string("io_uring_queue_init: ") + std::strerror(-err));
	}
	~IoUringSite() override
	{
		release();
		io_uring_queue_exit(&ring_);
	}
	bool longterm() const override { return true; }
	void hold(unsigned long addr, std::size_t length, bool) override
	{
		iovec iov{ reinterpret_cast<void *>(addr), length };
		if (int err = io_uring_register_buffers(&ring_, &iov, 1); err < 0)
			site_fail("io_uring_register_buffers", -err);
		registered_ = true;
	}
	void release() override
	{
		if (registered_ && io_uring_unregister_buffers(&ring_) == 0)
			registered_ = false;
	}

private:
	io_uring ring_{};
	bool registered_ = false;
};

} // namespace

std::unique_ptr<Site> make_io_uring_site()
{
	return std::make_unique<IoUringSite>();
}

} // namespace gupbench
