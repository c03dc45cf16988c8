// SPDX-License-Identifier: GPL-2.0
/*
 * A shmem file for the memfd cases: what memfd_create() makes without MFD_HUGETLB
 * (shmem_file_setup() with VM_NORESERVE, then its size), made in the kernel, since a
 * KUnit case's kthread has no fd table of its own to put a memfd in.
 */
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/shmem_fs.h>

#include "bridge.h"

struct file *gbk_shmem_file(unsigned long bytes)
{
	struct file *file = shmem_file_setup("gupbench-kunit", bytes, VM_NORESERVE);

	return IS_ERR(file) ? NULL : file;
}
