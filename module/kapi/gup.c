// SPDX-License-Identifier: GPL-2.0
/*
 * One wrapper per exported GUP function that the walk does not call directly (gup.h says
 * which it does and why). Differences between kernels stay here and in gup.h: 6.3 removed
 * pin_user_pages_fast_only() and made FOLL_TOUCH internal; 6.1 passes a `vmas` array to
 * get/pin_user_pages(_remote), 6.5 removed it; 6.11 added memfd_pin_folios().
 */
#include <linux/mm.h>
#include <linux/version.h>

#include "gup.h"

/* Kbuild's GUPBENCH_LINUX_VERSION, which gup.h reads, must be this kernel's. */
_Static_assert(GUPBENCH_LINUX_VERSION == (LINUX_VERSION_CODE & ~0xff),
	       "GUPBENCH_LINUX_VERSION is not the kernel's major.minor");

/* 6.3 moved FOLL_TOUCH into mm/internal.h: callers may no longer pass it (gup.h). */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
#define GUPBENCH_FOLL_TOUCH FOLL_TOUCH
#else
#define GUPBENCH_FOLL_TOUCH 0
#endif
_Static_assert(KAPI_HAS_FOLL_TOUCH == (GUPBENCH_FOLL_TOUCH != 0),
	       "gup.h and gup.c disagree on FOLL_TOUCH");

unsigned int kapi_foll_flags(int write, int longterm, int force, int touch)
{
	return (write ? FOLL_WRITE : 0) | (longterm ? FOLL_LONGTERM : 0) |
	       (force ? FOLL_FORCE : 0) | (touch ? GUPBENCH_FOLL_TOUCH : 0);
}

struct kapi_foll_values kapi_foll_values(void)
{
	struct kapi_foll_values values = {
		.write = FOLL_WRITE,
		.touch = GUPBENCH_FOLL_TOUCH,
		.force = FOLL_FORCE,
		.longterm = FOLL_LONGTERM,
	};
	return values;
}

#if !KAPI_HAS_PIN_USER_PAGES_FAST_ONLY
int kapi_pin_user_pages_fast_only(unsigned long start, int nr_pages, unsigned int gup_flags,
				  struct page **pages)
{
	WARN_ON_ONCE(1);
	return -EOPNOTSUPP;
}
#endif

/* 6.5 removed the `vmas` argument of get/pin_user_pages_remote; we never want it. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 5, 0)
#define GUPBENCH_VMAS_LOCKED(locked, ...) __VA_ARGS__, NULL, locked
#else
#define GUPBENCH_VMAS_LOCKED(locked, ...) __VA_ARGS__, locked
#endif

long kapi_get_user_pages_unlocked(unsigned long start, unsigned long nr, unsigned int foll,
				  struct page **pages)
{
	return get_user_pages_unlocked(start, nr, pages, foll);
}

long kapi_pin_user_pages_unlocked(unsigned long start, unsigned long nr, unsigned int foll,
				  struct page **pages)
{
	return pin_user_pages_unlocked(start, nr, pages, foll);
}

/*
 * 6.1 refuses a `locked` argument together with FOLL_LONGTERM (WARN, -EINVAL; see
 * __get_user_pages_remote), so a long-term walk keeps the lock and passes none.
 */
static int *remote_locked(unsigned int foll, int *locked)
{
	return (foll & FOLL_LONGTERM) ? NULL : locked;
}

long kapi_get_user_pages_remote(struct mm_struct *mm, unsigned long start, unsigned long nr,
				unsigned int foll, struct page **pages, int *locked)
{
	return get_user_pages_remote(GUPBENCH_VMAS_LOCKED(remote_locked(foll, locked), mm, start,
							  nr, foll, pages));
}

long kapi_pin_user_pages_remote(struct mm_struct *mm, unsigned long start, unsigned long nr,
				unsigned int foll, struct page **pages, int *locked)
{
	return pin_user_pages_remote(GUPBENCH_VMAS_LOCKED(remote_locked(foll, locked), mm, start,
							  nr, foll, pages));
}

/*
 * One page of another mm, referenced without faulting it in: FOLL_NOFAULT (5.16+) makes
 * faultin_page() answer -EFAULT where nothing is mapped. The caller holds mm's mmap read
 * lock, which GUP keeps (no `locked`).
 */
int kapi_get_mapped_page_remote(struct mm_struct *mm, unsigned long addr, struct page **page)
{
	return get_user_pages_remote(GUPBENCH_VMAS_LOCKED(NULL, mm, addr, 1, FOLL_NOFAULT, page)) == 1;
}

/* 6.11 added memfd_pin_folios() and unpin_folios() (gup.h). */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
long kapi_memfd_pin_folios(struct file *memfd, long long start, long long end,
			   struct folio **folios, unsigned int max_folios, unsigned long *offset)
{
	pgoff_t first;
	long pinned = memfd_pin_folios(memfd, start, end, folios, max_folios, &first);

	*offset = first;
	return pinned;
}

void kapi_unpin_folios(struct folio **folios, unsigned long nr)
{
	unpin_folios(folios, nr);
}
#else
long kapi_memfd_pin_folios(struct file *memfd, long long start, long long end,
			   struct folio **folios, unsigned int max_folios, unsigned long *offset)
{
	WARN_ON_ONCE(1);
	return -EOPNOTSUPP;
}

void kapi_unpin_folios(struct folio **folios, unsigned long nr)
{
	WARN_ON_ONCE(nr);
}
#endif
_Static_assert(KAPI_HAS_MEMFD_PIN_FOLIOS ==
		       (LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)),
	       "gup.h and gup.c disagree on memfd_pin_folios");

void kapi_unpin_user_pages(struct page **pages, unsigned long nr, int make_dirty)
{
	if (make_dirty)
		unpin_user_pages_dirty_lock(pages, nr, true);
	else
		unpin_user_pages(pages, nr);
}

void kapi_put_pages(struct page **pages, unsigned long nr, int make_dirty)
{
	unsigned long i;

	for (i = 0; i < nr; i++) {
		if (make_dirty)
			set_page_dirty_lock(pages[i]);
		put_page(pages[i]);
	}
}
