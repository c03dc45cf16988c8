// SPDX-License-Identifier: GPL-2.0
// KUnit cases that hold the C++ side's copies of kernel definitions to the kernel's own.
#include "bridge.h"
#include "cases.h"
#include "gupbench/errno.h"

#include <uapi/gupbench.h>

using gb::Errno;

extern "C" void gbk_errno_values_match_kernel(struct kunit *test)
{
	static const struct {
		const char *name;
		Errno ours;
	} expected[] = {
		{ "EPERM", Errno::perm },     { "ESRCH", Errno::srch },
		{ "EINTR", Errno::intr },     { "EIO", Errno::io },
		{ "E2BIG", Errno::too_big },
		{ "EAGAIN", Errno::again },   { "ENOMEM", Errno::nomem },
		{ "EACCES", Errno::acces },   { "EFAULT", Errno::fault },
		{ "EBUSY", Errno::busy },     { "EINVAL", Errno::inval },
		{ "ENOTTY", Errno::notty },   { "ENOSPC", Errno::nospc },
		{ "ERANGE", Errno::range },   { "EOVERFLOW", Errno::overflow },
		{ "EOPNOTSUPP", Errno::opnotsupp },
	};
	for (const auto &entry : expected)
		CHECK_EQ(test, static_cast<int>(entry.ours), gbk_kernel_errno(entry.name));
}

extern "C" void gbk_ioctl_numbers_match_kernel(struct kunit *test)
{
	CHECK_EQ(test, GUPBENCH_IOC_INFO, gbk_kernel_ioctl_info());
	CHECK_EQ(test, sizeof(gupbench_info), gbk_kernel_sizeof_info());
	CHECK_EQ(test, sizeof(gupbench_info), 128);
}
