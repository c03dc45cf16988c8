/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's GUP entry points, one wrapper each (gup.c), plus what the ledger reads of
 * a page (page.c), a memfd (memfd.c), the mm (mm.c), time (time.c) and /proc/vmstat
 * (vmstat.c). Valid C and
 * C++; struct page and struct mm_struct are opaque here. Each GUP wrapper returns what
 * the kernel function returns: pages taken (>= 0) or -errno.
 */
#ifndef GUPBENCH_KAPI_GUP_H
#define GUPBENCH_KAPI_GUP_H

#ifdef __cplusplus
extern "C" {
#endif

struct page;
struct mm_struct;

/*
 * What this kernel lets a caller ask for, which gupbench's INFO reports; a walker or flag
 * that is not there is refused with -EOPNOTSUPP before any GUP call:
 *  - pin_user_pages_fast_only(): 6.3 removed it (it had no callers left);
 *  - FOLL_TOUCH: 6.3 made it internal to mm/ (GUP WARNs and fails with -EINVAL when a
 *    caller passes it); get/pin_user_pages_remote() and _unlocked() and get_user_pages()
 *    set it themselves, pin_user_pages() and the fast walkers do not.
 */
#if GUPBENCH_LINUX_VERSION < 0x060300 /* KERNEL_VERSION(6, 3, 0) */
#define KAPI_HAS_PIN_USER_PAGES_FAST_ONLY 1
#define KAPI_HAS_FOLL_TOUCH 1
#else
#define KAPI_HAS_PIN_USER_PAGES_FAST_ONLY 0
#define KAPI_HAS_FOLL_TOUCH 0
#endif
/* memfd_pin_folios() and unpin_folios(): 6.11 added them (for udmabuf). */
#if GUPBENCH_LINUX_VERSION >= 0x060b00 /* KERNEL_VERSION(6, 11, 0) */
#define KAPI_HAS_MEMFD_PIN_FOLIOS 1
#else
#define KAPI_HAS_MEMFD_PIN_FOLIOS 0
#endif

/*
 * gup.c: FOLL_* flags from gupbench's own (include/uapi/gupbench.h GUPBENCH_FLAG_*);
 * `touch` only where KAPI_HAS_FOLL_TOUCH.
 */
unsigned int kapi_foll_flags(int write, int longterm, int force, int touch);
/*
 * The running kernel's values of the FOLL_* flags a caller may pass, for the gup_test
 * ABI, which carries them raw. The values differ between kernels (6.3 renumbered them);
 * `touch` is 0 where a caller may not pass FOLL_TOUCH.
 */
struct kapi_foll_values {
	unsigned int write, touch, force, longterm;
};
struct kapi_foll_values kapi_foll_values(void);
/*
 * The lockless walkers, declared as the kernel declares them and called directly, with no
 * wrapper between: a one-page fast call is short enough (about 250 ns under TCG) that a
 * wrapper's extra jump showed in the comparison with gup_test (README). Their signatures
 * have not changed since 5.2; gup.c sees these declarations beside <linux/mm.h>'s, so a
 * kernel that changes one fails to compile there instead of misbehaving.
 */
int get_user_pages_fast(unsigned long start, int nr_pages, unsigned int gup_flags,
			struct page **pages);
int pin_user_pages_fast(unsigned long start, int nr_pages, unsigned int gup_flags,
			struct page **pages);
int get_user_pages_fast_only(unsigned long start, int nr_pages, unsigned int gup_flags,
			     struct page **pages);
#if KAPI_HAS_PIN_USER_PAGES_FAST_ONLY
int pin_user_pages_fast_only(unsigned long start, int nr_pages, unsigned int gup_flags,
			     struct page **pages);
#define kapi_pin_user_pages_fast_only pin_user_pages_fast_only
#else
/* A stand-in that is never reached (the walker is refused first): WARNs, -EOPNOTSUPP. */
int kapi_pin_user_pages_fast_only(unsigned long start, int nr_pages, unsigned int gup_flags,
				  struct page **pages);
#endif
/*
 * get/pin_user_pages, for the current mm, whose mmap read lock the caller holds. Called
 * directly too, through these inline forwarders: 6.5 dropped the `vmas` argument.
 */
#if GUPBENCH_LINUX_VERSION < 0x060500 /* KERNEL_VERSION(6, 5, 0) */
struct vm_area_struct;
long get_user_pages(unsigned long start, unsigned long nr_pages, unsigned int gup_flags,
		    struct page **pages, struct vm_area_struct **vmas);
long pin_user_pages(unsigned long start, unsigned long nr_pages, unsigned int gup_flags,
		    struct page **pages, struct vm_area_struct **vmas);
#define GUPBENCH_NO_VMAS , 0
#else
long get_user_pages(unsigned long start, unsigned long nr_pages, unsigned int gup_flags,
		    struct page **pages);
long pin_user_pages(unsigned long start, unsigned long nr_pages, unsigned int gup_flags,
		    struct page **pages);
#define GUPBENCH_NO_VMAS
#endif
static inline long kapi_get_user_pages(unsigned long start, unsigned long nr, unsigned int foll,
				       struct page **pages)
{
	return get_user_pages(start, nr, foll, pages GUPBENCH_NO_VMAS);
}
static inline long kapi_pin_user_pages(unsigned long start, unsigned long nr, unsigned int foll,
				       struct page **pages)
{
	return pin_user_pages(start, nr, foll, pages GUPBENCH_NO_VMAS);
}
long kapi_get_user_pages_unlocked(unsigned long start, unsigned long nr, unsigned int foll,
				  struct page **pages);
long kapi_pin_user_pages_unlocked(unsigned long start, unsigned long nr, unsigned int foll,
				  struct page **pages);
/* The caller holds the mmap read lock of mm; *locked is cleared if GUP dropped it. */
long kapi_get_user_pages_remote(struct mm_struct *mm, unsigned long start, unsigned long nr,
				unsigned int foll, struct page **pages, int *locked);
long kapi_pin_user_pages_remote(struct mm_struct *mm, unsigned long start, unsigned long nr,
				unsigned int foll, struct page **pages, int *locked);
/* PROBE of another process: 1 and a reference on *page, or 0 where nothing is mapped. */
int kapi_get_mapped_page_remote(struct mm_struct *mm, unsigned long addr, struct page **page);
/*
 * memfd_pin_folios(): pins each folio of the memfd's bytes [start, end] (inclusive) once,
 * at most max_folios; returns how many, or -errno. *offset: where `start` lies in the
 * first folio. Folios are released with kapi_unpin_folios(). Where the kernel lacks them
 * (KAPI_HAS_MEMFD_PIN_FOLIOS), stand-ins that are never reached: WARN, -EOPNOTSUPP.
 */
struct file;
struct folio;
long kapi_memfd_pin_folios(struct file *memfd, long long start, long long end,
			   struct folio **folios, unsigned int max_folios, unsigned long *offset);
void kapi_unpin_folios(struct folio **folios, unsigned long nr);
void kapi_unpin_user_pages(struct page **pages, unsigned long nr, int make_dirty);
void kapi_put_pages(struct page **pages, unsigned long nr, int make_dirty);

/* page.c: what the kernel says of a page and of its folio. */
int kapi_page_refcount(struct page *page);
int kapi_folio_pincount(struct page *page); /* large folios only; -1 for small ones */
int kapi_page_maybe_dma_pinned(struct page *page);
/* Page tables that map this page; since 6.11, that map any page of its folio (page.c). */
int kapi_page_mapcount(struct page *page);
int kapi_page_is_zero(struct page *page); /* the shared zero page */
int kapi_page_is_anon(struct page *page);
const void *kapi_page_folio(struct page *page); /* identity of the page's folio */
int kapi_page_folio_order(struct page *page); /* its folio has 2^order pages */
unsigned long kapi_page_pfn(struct page *page);
/* Whether FOLL_LONGTERM may pin this page (not in ZONE_MOVABLE or CMA, not fs-dax). */
int kapi_page_longterm_pinnable(struct page *page);
/* dump_page(): the kernel's description of a page, in dmesg. */
void kapi_dump_page(struct page *page, const char *reason);

/* memfd.c: the file behind a memfd, and where its folios lie. */
/* A counted reference to the caller's file `fd`, or NULL and -EBADF: fd is not open. */
struct file *kapi_fget(int fd, int *err);
void kapi_fput(struct file *file);
/* shmem or hugetlbfs: what memfd_pin_folios() accepts (memfd_create makes either). */
int kapi_file_is_memfd_backed(struct file *file);
long long kapi_file_size(struct file *file);
struct page *kapi_folio_page(struct folio *folio); /* its first page */
long long kapi_folio_pos(struct folio *folio);     /* bytes into its file */
unsigned long kapi_folio_size(struct folio *folio); /* bytes */

/* mm.c: the mmap lock and mm references. */
struct mm_struct *kapi_current_mm(void);
void kapi_mmap_read_lock(struct mm_struct *mm);
void kapi_mmap_read_unlock(struct mm_struct *mm);
void kapi_mmput(struct mm_struct *mm);
/* The caller's mm with a count on the struct (mmgrab), or NULL for a kernel thread. */
struct mm_struct *kapi_mm_grab_current(void);
void kapi_mmdrop(struct mm_struct *mm);
/* mm->locked_vm against RLIMIT_MEMLOCK: 0 or -ENOMEM. */
int kapi_charge_locked_vm(struct mm_struct *mm, unsigned long pages);
void kapi_uncharge_locked_vm(struct mm_struct *mm, unsigned long pages);

/* ptrace.c: the mm of process `pid` with a reference (mmget), if the caller may attach to
 * it as process_vm_readv requires (ptrace.c says how); else NULL and -EPERM or -ESRCH. */
struct mm_struct *kapi_mm_of_pid_for_ptrace(int pid, int *err);

/* time.c */
unsigned long long kapi_ktime_ns(void);

/* vmstat.c: /proc/vmstat nr_foll_pin_acquired and nr_foll_pin_released. */
unsigned long kapi_vmstat_foll_pin_acquired(void);
unsigned long kapi_vmstat_foll_pin_released(void);

#ifdef __cplusplus
}
#endif

#endif /* GUPBENCH_KAPI_GUP_H */
