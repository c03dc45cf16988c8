// SPDX-License-Identifier: GPL-2.0
#include <linux/errno.h>
#include <linux/string.h>

#include <uapi/gupbench.h>

#include "bridge.h"

int gbk_kernel_errno(const char *name)
{
	static const struct {
		const char *name;
		int value;
	} known[] = {
		{ "EPERM", EPERM },   { "ESRCH", ESRCH },	  { "EINTR", EINTR }, { "EIO", EIO },
		{ "E2BIG", E2BIG },   { "EAGAIN", EAGAIN },	  { "ENOMEM", ENOMEM },
		{ "EACCES", EACCES }, { "EFAULT", EFAULT },	  { "EBUSY", EBUSY },
		{ "EINVAL", EINVAL }, { "ENOTTY", ENOTTY },	  { "ENOSPC", ENOSPC },
		{ "ERANGE", ERANGE }, { "EOVERFLOW", EOVERFLOW }, { "EOPNOTSUPP", EOPNOTSUPP },
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(known); i++)
		if (!strcmp(known[i].name, name))
			return known[i].value;
	return 0;
}

unsigned int gbk_kernel_ioctl_info(void)
{
	return GUPBENCH_IOC_INFO;
}

unsigned long gbk_kernel_sizeof_info(void)
{
	return sizeof(struct gupbench_info);
}
