// SPDX-License-Identifier: GPL-2.0
#include <linux/highmem.h>
#include <linux/uaccess.h>

#include "kapi.h"

int kapi_get_user_u32(unsigned int *value, unsigned long uaddr)
{
	return get_user(*value, (const u32 __user *)uaddr);
}

int kapi_copy_struct_from_user(void *dst, unsigned long dst_size, unsigned long uaddr,
			       unsigned long user_size)
{
	return copy_struct_from_user(dst, dst_size, (const void __user *)uaddr, user_size);
}

int kapi_copy_to_user(unsigned long uaddr, const void *src, unsigned long bytes)
{
	return copy_to_user((void __user *)uaddr, src, bytes) ? -EFAULT : 0;
}

int kapi_copy_page_to_user(unsigned long uaddr, struct page *page, unsigned long bytes)
{
	void *kaddr = kmap_local_page(page);
	unsigned long left = copy_to_user((void __user *)uaddr, kaddr, bytes);

	kunmap_local(kaddr);
	return left ? -EFAULT : 0;
}
