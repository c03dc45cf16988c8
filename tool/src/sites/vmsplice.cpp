// vmsplice() into a pipe: the pipe buffers keep the user pages until the pipe is read.
#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>
#include <vector>

#include "sites/site.h"

namespace gupbench {
namespace {

class VmspliceSite : public Site {
public:
	VmspliceSite()
	{
		if (pipe2(pipe_, O_CLOEXEC) != 0)
			site_fail("pipe2", errno);
	}
	~VmspliceSite() override
	{
		close(pipe_[0]);
		close(pipe_[1]);
	}
	bool longterm() const override { return false; }
	void hold(unsigned long addr, std::size_t length, bool) override
	{
		if (fcntl(pipe_[1], F_SETPIPE_SZ, static_cast<int>(length)) < 0)
			site_fail("fcntl(F_SETPIPE_SZ) for " + std::to_string(length) + " bytes", errno);
		iovec iov{ reinterpret_cast<void *>(addr), length };
		while (iov.iov_len > 0) {
			ssize_t n = vmsplice(pipe_[1], &iov, 1, 0);
			if (n <= 0)
				site_fail("vmsplice", n < 0 ? errno : EAGAIN);
			iov.iov_base = static_cast<char *>(iov.iov_base) + n;
			iov.iov_len -= static_cast<std::size_t>(n);
			held_ += static_cast<std::size_t>(n);
		}
	}
	void release() override
	{
		std::vector<char> sink(1 << 16);
		while (held_ > 0) {
			ssize_t n = read(pipe_[0], sink.data(), std::min(sink.size(), held_));
			if (n <= 0)
				site_fail("read from the pipe", n < 0 ? errno : EIO);
			held_ -= static_cast<std::size_t>(n);
		}
	}

private:
	int pipe_[2] = { -1, -1 };
	std::size_t held_ = 0;
};

} // namespace

std::unique_ptr<Site> make_vmsplice_site()
{
	return std::make_unique<VmspliceSite>();
}

} // namespace gupbench
