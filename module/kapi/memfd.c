// SPDX-License-Identifier: GPL-2.0
/* The file behind a memfd (a reference, its kind, its size) and where its folios lie. */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/shmem_fs.h>
#include <uapi/linux/magic.h>

#include "gup.h"

struct file *kapi_fget(int fd, int *err)
{
	struct file *file = fget(fd);

	if (!file)
		*err = -EBADF;
	return file;
}

void kapi_fput(struct file *file)
{
	fput(file);
}

/*
 * Before 6.12, is_file_hugepages() compared f_op with hugetlbfs_file_operations, which is
 * not exported; the superblock's magic tells hugetlbfs on every kernel.
 */
int kapi_file_is_memfd_backed(struct file *file)
{
	return shmem_file(file) || file_inode(file)->i_sb->s_magic == HUGETLBFS_MAGIC;
}

long long kapi_file_size(struct file *file)
{
	return i_size_read(file_inode(file));
}

struct page *kapi_folio_page(struct folio *folio)
{
	return &folio->page;
}

/*
 * Only the memfd walk asks, on 6.11 and later, where a hugetlb folio's index counts base
 * pages as any other's does (since 6.7): this is its byte offset in the file.
 */
long long kapi_folio_pos(struct folio *folio)
{
	return folio_pos(folio);
}

unsigned long kapi_folio_size(struct folio *folio)
{
	return folio_size(folio);
}
