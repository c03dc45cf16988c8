// SPDX-License-Identifier: GPL-2.0
/* What the kernel says of a page: the ledger compares these with what gupbench did. */
#include <linux/mm.h>
#include <linux/mmdebug.h>
#include <linux/ratelimit.h>
#include <linux/version.h>

#include "gup.h"

int kapi_page_refcount(struct page *page)
{
	return folio_ref_count(page_folio(page));
}

int kapi_folio_pincount(struct page *page)
{
	struct folio *folio = page_folio(page);

	if (!folio_test_large(folio))
		return -1;
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
	return atomic_read(folio_pincount_ptr(folio));
#else
	/* 6.3 moved the pincount into struct folio and removed folio_pincount_ptr(). */
	return atomic_read(&folio->_pincount);
#endif
}

/* What page_maybe_dma_pinned() did in 6.1; 6.11 removed that wrapper. */
int kapi_page_maybe_dma_pinned(struct page *page)
{
	return folio_maybe_dma_pinned(page_folio(page));
}

/*
 * 6.11 moved page_mapcount() out of <linux/mm.h> (into fs/proc/). folio_mapcount() counts
 * the mappings of the whole folio: for a small folio the same number, for a large one a
 * count that moves whenever any of its pages is mapped or unmapped, and that is above 0
 * while this page is mapped, which is what the ledger asks of it.
 */
int kapi_page_mapcount(struct page *page)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 11, 0)
	return page_mapcount(page);
#else
	return folio_mapcount(page_folio(page));
#endif
}

/* By pfn: is_zero_page() is newer than some 6.1 kernels (Debian's 6.1.192 has it). */
int kapi_page_is_zero(struct page *page)
{
	return is_zero_pfn(page_to_pfn(page));
}

int kapi_page_is_anon(struct page *page)
{
	return PageAnon(page);
}

const void *kapi_page_folio(struct page *page)
{
	return page_folio(page);
}

/* Since 6.8 (multi-size THP) anonymous folios of any order up to the PMD's are common. */
int kapi_page_folio_order(struct page *page)
{
	return folio_order(page_folio(page));
}

unsigned long kapi_page_pfn(struct page *page)
{
	return page_to_pfn(page);
}

/*
 * is_longterm_pinnable_page() without its CMA test: that one reads the pageblock's
 * migratetype through get_pfnblock_flags_mask(), which 6.1 does not export. A module can
 * still tell the zero page, device-coherent memory and ZONE_MOVABLE.
 */
int kapi_page_longterm_pinnable(struct page *page)
{
	if (kapi_page_is_zero(page))
		return 1;
	return !is_device_coherent_page(page) && !is_zone_movable_page(page);
}

/* DUMP_USER_PAGES_TEST asks for this on any page a caller names: rate limited as errors are. */
void kapi_dump_page(struct page *page, const char *reason)
{
	static DEFINE_RATELIMIT_STATE(dump_limit, 5 * HZ, 32);

	if (__ratelimit(&dump_limit))
		dump_page(page, reason);
}
