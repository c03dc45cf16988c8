/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The gupbench ioctl ABI, served on /sys/kernel/debug/gupbench/bench.
 *
 * Every argument struct starts with a __u32 `size`: the caller sets it to sizeof() the
 * struct as it was compiled. The module reads and writes only the bytes both sides know,
 * so an old binary keeps working when a struct grows at its end (fields are only ever
 * appended), and a newer binary asking for more than the module knows gets -E2BIG unless
 * the extra bytes are zero. Commands are matched on their type and number; the size
 * encoded in the ioctl number is not used, the `size` field is.
 */
#ifndef _UAPI_GUPBENCH_H
#define _UAPI_GUPBENCH_H

#if defined(__KERNEL__) && defined(__cplusplus)
#include "gupbench/uapi_shim.h"
#else
#include <linux/ioctl.h>
#include <linux/types.h>
#endif

#define GUPBENCH_ABI_VERSION 1
#define GUPBENCH_IOC_MAGIC 'G'
#define GUPBENCH_DEBUGFS_DIR "/sys/kernel/debug/gupbench"
#define GUPBENCH_BENCH_FILE GUPBENCH_DEBUGFS_DIR "/bench"

/* GUPBENCH_IOC_INFO: what this module is and runs on. */
struct gupbench_info {
	__u32 size;            /* in: sizeof(struct gupbench_info) */
	__u32 abi_version;     /* out: GUPBENCH_ABI_VERSION of the module */
	__u32 page_size;       /* out: PAGE_SIZE of the running kernel */
	__u32 pin_counting_bias; /* out: GUP_PIN_COUNTING_BIAS */
	__u64 walkers;         /* out: bit (1 << enum gupbench_walker) per supported walker */
	__u64 flags;           /* out: the GUPBENCH_FLAG_* this module accepts */
	char kernel_release[72]; /* out: utsname release, NUL-terminated */
	char module_version[24]; /* out: gupbench's version, NUL-terminated */
};
#define GUPBENCH_INFO_SIZE_V1 sizeof(struct gupbench_info)

#define GUPBENCH_IOC_INFO _IOWR(GUPBENCH_IOC_MAGIC, 0x00, struct gupbench_info)

/* The GUP walkers. Bit (1 << walker) of gupbench_info.walkers says a module has one. */
enum gupbench_walker {
	GUPBENCH_WALKER_GET_FAST = 0,      /* get_user_pages_fast */
	GUPBENCH_WALKER_PIN_FAST = 1,      /* pin_user_pages_fast */
	GUPBENCH_WALKER_GET_FAST_ONLY = 2, /* get_user_pages_fast_only: never faults */
	GUPBENCH_WALKER_PIN_FAST_ONLY = 3, /* pin_user_pages_fast_only: never faults */
	GUPBENCH_WALKER_GET = 4,           /* get_user_pages, under mmap_read_lock */
	GUPBENCH_WALKER_PIN = 5,           /* pin_user_pages, under mmap_read_lock */
	GUPBENCH_WALKER_GET_UNLOCKED = 6,  /* get_user_pages_unlocked */
	GUPBENCH_WALKER_PIN_UNLOCKED = 7,  /* pin_user_pages_unlocked */
	GUPBENCH_WALKER_GET_REMOTE = 8,    /* get_user_pages_remote on target_pid's mm */
	GUPBENCH_WALKER_PIN_REMOTE = 9,    /* pin_user_pages_remote on target_pid's mm */
	/* memfd_pin_folios (Linux 6.11+) on a memfd's byte range, as udmabuf and vfio pin:
	 * one pin per folio per call whatever the folio's size, long-term (it migrates out
	 * of ZONE_MOVABLE and CMA). RUN only, with the memfd fields of struct gupbench_run. */
	GUPBENCH_WALKER_PIN_MEMFD = 10,
	GUPBENCH_WALKER_COUNT
};

#define GUPBENCH_FLAG_WRITE (1ULL << 0)    /* FOLL_WRITE */
#define GUPBENCH_FLAG_LONGTERM (1ULL << 1) /* FOLL_LONGTERM: pin walkers only */
#define GUPBENCH_FLAG_FORCE (1ULL << 2)    /* FOLL_FORCE: slow walkers only */
#define GUPBENCH_FLAG_DIRTY (1ULL << 3)    /* release with the dirty-lock variant */
#define GUPBENCH_FLAG_VERIFY (1ULL << 4)   /* check every page with the ledger */
#define GUPBENCH_FLAG_TOUCH (1ULL << 5)    /* FOLL_TOUCH: slow walkers only */
/* Time the whole walk with one pair of clock reads, as gup_test does, instead of each
 * call: get_ns is then the walk's wall time, and there is no per-call min, max or
 * histogram. With one page per call, a clock read costs as much as the call itself. */
#define GUPBENCH_FLAG_WALK_TIME (1ULL << 6)
/* get and pin walkers: hold the mmap read lock across the whole walk, as gup_test does,
 * instead of taking it around each call. */
#define GUPBENCH_FLAG_LOCK_ONCE (1ULL << 7)
#define GUPBENCH_FLAGS_ALL ((1ULL << 8) - 1)

/* Per-call latency histogram: bucket b counts calls that took [2^b, 2^(b+1)) ns; bucket 0
 * also counts calls of 0 ns. */
#define GUPBENCH_HIST_BUCKETS 48

/* The ledger's verdict on one repeat. */
enum gupbench_verdict {
	GUPBENCH_VERDICT_NOT_CHECKED = 0, /* GUPBENCH_FLAG_VERIFY was not set */
	GUPBENCH_VERDICT_EXACT = 1,       /* every page and /proc/vmstat moved exactly */
	GUPBENCH_VERDICT_MISMATCH = 2,    /* see mismatch_* */
	/* Another run overlapped ours: what was taken checked out, but the release and the
	 * vmstat movement cannot be told apart from the other run's. */
	GUPBENCH_VERDICT_OVERLAPPED = 3,
};

enum gupbench_mismatch {
	GUPBENCH_MISMATCH_NONE = 0,
	GUPBENCH_MISMATCH_NOT_PINNED = 1,       /* FOLL_PIN page not maybe-DMA-pinned */
	GUPBENCH_MISMATCH_REFCOUNT_TAKEN = 2,   /* refcount did not rise by our share */
	GUPBENCH_MISMATCH_PINCOUNT_TAKEN = 3,   /* large folio pincount did not rise by ours */
	GUPBENCH_MISMATCH_REFCOUNT_RELEASED = 4, /* refcount not back after release */
	GUPBENCH_MISMATCH_PINCOUNT_RELEASED = 5, /* pincount not back after release */
	GUPBENCH_MISMATCH_VMSTAT = 6,           /* nr_foll_pin_* moved by other than ours */
	GUPBENCH_MISMATCH_NOT_LONGTERM_PINNABLE = 7, /* FOLL_LONGTERM pin of a page that is
						      * not long-term pinnable (CMA, movable) */
	GUPBENCH_MISMATCH_PAGES_TAKEN = 8, /* the walk ended without an error short of the
					    * range: mismatch_page is the first page missing */
};

/* One repeat of a RUN: one walk of the whole range, then the release of every page. */
struct gupbench_repeat {
	__u64 pages_done;     /* pages taken before the walk ended */
	__u64 calls;          /* GUP calls made */
	__s32 error;          /* 0, or the -errno that stopped the walk */
	__u32 verdict;        /* enum gupbench_verdict */
	__u64 error_offset;   /* bytes from addr where the failing call started */
	__u64 get_ns;         /* total time inside GUP calls (or the walk: FLAG_WALK_TIME) */
	__u64 put_ns;         /* time to release every page taken */
	__u64 call_min_ns;
	__u64 call_max_ns;
	__u64 histogram[GUPBENCH_HIST_BUCKETS];
	__u32 mismatch;       /* enum gupbench_mismatch */
	__u32 folios;         /* distinct folios the walk took */
	__u64 mismatch_page;  /* index (from addr) of the first offending page */
	__s64 mismatch_expected; /* what the ledger expected there */
	__s64 mismatch_observed; /* what the kernel said */
	__u64 vmstat_pins_acquired; /* nr_foll_pin_acquired moved by this much */
	__u64 vmstat_pins_released; /* nr_foll_pin_released moved by this much */
	/* Version 2. What the ledger saw of the folios the walk took (GUPBENCH_FLAG_VERIFY;
	 * both 0 without it, and from a version 1 module): bit k of folio_orders set when it
	 * took a folio of order k (2^k pages: bit 0 small folios, bit 9 a 2 MiB THP, bits 2
	 * and 4 the 16 and 64 KiB folios of multi-size THP), so a verified walk that took
	 * anything never reports 0; large_folios counts the folios of order > 0 among
	 * `folios`. */
	__u32 folio_orders;
	__u32 large_folios;
};
/* RUN accepts a repeat_size of at least version 1 and writes min(repeat_size, its own
 * sizeof) bytes of each record, repeat_size apart. */
#define GUPBENCH_REPEAT_SIZE_V1 496
#define GUPBENCH_REPEAT_SIZE_V2 504

/*
 * GUPBENCH_IOC_RUN: walk [addr, addr + length) `repeats` times; the memfd walker walks
 * [memfd_offset, memfd_offset + length) of the file `memfd` instead, and `addr` must be 0.
 * Each call then pins the pages_per_call pages' worth of bytes that follow the last, so a
 * folio larger than that is pinned once by every call that covers part of it.
 * pages_done counts pages of the range, error_offset bytes from memfd_offset, the vmstat
 * and ledger figures count folio pins, and mismatch_page is the index of the first page
 * of the range that the offending folio covers.
 */
struct gupbench_run {
	__u32 size;           /* in: sizeof(struct gupbench_run) */
	__u32 walker;         /* in: enum gupbench_walker */
	__u64 flags;          /* in: GUPBENCH_FLAG_* */
	__u64 addr;           /* in: page aligned */
	__u64 length;         /* in: bytes, a multiple of the page size, > 0 */
	__u32 pages_per_call; /* in: 1 .. the module's max_pages_per_run */
	__u32 repeats;        /* in: 1 .. 1000 */
	__s32 target_pid;     /* in: remote walkers only: whose mm */
	__u32 repeat_size;    /* in: sizeof(struct gupbench_repeat) */
	__u64 results;        /* in: user pointer to `repeats` struct gupbench_repeat */
	/* Version 2. A version 1 caller cannot name the memfd walker (EINVAL); the other
	 * walkers refuse these fields unless they are 0. */
	__s32 memfd;          /* in: memfd walker: a memfd (shmem or hugetlbfs file) of the
			       * caller; EBADF if not open, EINVAL if not such a file */
	__u32 reserved2;      /* in: 0 */
	__u64 memfd_offset;   /* in: memfd walker: bytes, page aligned; the range must end
			       * within the file's size (EINVAL) */
};
#define GUPBENCH_RUN_SIZE_V1 56
#define GUPBENCH_RUN_SIZE_V2 72

#define GUPBENCH_IOC_RUN _IOWR(GUPBENCH_IOC_MAGIC, 0x01, struct gupbench_run)

/*
 * GUPBENCH_IOC_HOLD: take [addr, addr + length) and keep it until RELEASE or until this
 * file is closed (one hold per open file; a second HOLD is refused with EBUSY). A walk
 * that fails part way keeps nothing and returns its errno.
 */
struct gupbench_hold {
	__u32 size;           /* in: sizeof(struct gupbench_hold) */
	__u32 walker;         /* in: enum gupbench_walker (not the remote or memfd ones) */
	__u64 flags;          /* in: GUPBENCH_FLAG_WRITE, _LONGTERM, _FORCE, _DIRTY */
	__u64 addr;           /* in: page aligned */
	__u64 length;         /* in: bytes, a multiple of the page size, > 0 */
	__u32 pages_per_call; /* in: as for RUN */
	__u32 reserved;       /* in: 0 */
	__u64 pages_held;     /* out */
};
#define GUPBENCH_HOLD_SIZE_V1 sizeof(struct gupbench_hold)

/* GUPBENCH_IOC_READ: copy the held pages' current contents to a user buffer. */
struct gupbench_read {
	__u32 size;      /* in: sizeof(struct gupbench_read) */
	__u32 reserved;  /* in: 0 */
	__u64 buffer;    /* in: user pointer */
	__u64 length;    /* in: bytes; at most the held length */
};
#define GUPBENCH_READ_SIZE_V1 sizeof(struct gupbench_read)

#define GUPBENCH_IOC_HOLD _IOWR(GUPBENCH_IOC_MAGIC, 0x02, struct gupbench_hold)
#define GUPBENCH_IOC_RELEASE _IO(GUPBENCH_IOC_MAGIC, 0x03)  /* EINVAL when nothing is held */
#define GUPBENCH_IOC_READ _IOW(GUPBENCH_IOC_MAGIC, 0x04, struct gupbench_read)

/*
 * GUPBENCH_IOC_PROBE: what the kernel says of each folio behind [addr, addr + length) of
 * the caller's mm, one record per run of pages of one folio, to watch another pinner (a
 * kernel call site) hold the memory. Nothing is faulted in: a page not present is counted
 * in pages_absent. To read a page the probe takes one reference with
 * get_user_pages_fast_only() (FOLL_GET, no fault, no touch) and gives it back before the
 * next page; that reference is subtracted from `refcount`. Records go to `folios`, each
 * `folio_size` bytes (sizeof(struct gupbench_probe_folio) as the caller knows it), at most
 * `max_folios`; folios_seen counts them all. With target_pid set, the range is that
 * process's, which the caller must be allowed to ptrace (PTRACE_MODE_ATTACH_REALCREDS, as
 * the remote walkers): each page is read with get_user_pages_remote(FOLL_GET |
 * FOLL_NOFAULT) under its mmap read lock, still faulting nothing in, but remote GUP always
 * marks a page accessed (FOLL_TOUCH), which may leave one reference in a per-CPU LRU
 * batch until it drains.
 */
struct gupbench_probe_folio {
	__u64 first_addr;  /* out: the first address of the range in this folio */
	__u64 pfn;         /* out: of the page at first_addr */
	__u32 pages;       /* out: pages of the range in this folio, from first_addr on */
	__u32 order;       /* out: the folio has 2^order pages */
	__s32 refcount;    /* out: the folio's refcount, the probe's own reference taken off */
	__s32 pincount;    /* out: large folio: its _pincount, exact; small folio: refcount /
			    * GUP_PIN_COUNTING_BIAS, a lower bound of nothing (PINCOUNT_EXACT off) */
	__s32 mapcount;    /* out: of the page at first_addr */
	__u32 held;        /* out: references or pins this open file's HOLD has on the folio */
	__u32 flags;       /* out: GUPBENCH_PROBE_* */
	__u32 reserved;
};
#define GUPBENCH_PROBE_PINCOUNT_EXACT (1u << 0)     /* a large folio's own _pincount */
#define GUPBENCH_PROBE_MAYBE_DMA_PINNED (1u << 1)   /* folio_maybe_dma_pinned() */
#define GUPBENCH_PROBE_LONGTERM_PINNABLE (1u << 2)  /* FOLL_LONGTERM may keep it here */
#define GUPBENCH_PROBE_ANON (1u << 3)               /* anonymous memory */
#define GUPBENCH_PROBE_ZERO_PAGE (1u << 4)          /* the shared zero page */

struct gupbench_probe {
	__u32 size;          /* in: sizeof(struct gupbench_probe) */
	__s32 target_pid;    /* in: 0 (the caller) or a pid the caller may ptrace */
	__u64 addr;          /* in: page aligned */
	__u64 length;        /* in: bytes, a multiple of the page size, > 0 */
	__u32 folio_size;    /* in: sizeof(struct gupbench_probe_folio), at least version 1's */
	__u32 max_folios;    /* in: records `folios` has room for (0: count only) */
	__u64 folios;        /* in: user pointer to max_folios records */
	__u64 folios_seen;   /* out: runs of one folio's pages in the range */
	__u64 pages_absent;  /* out: pages of the range not present (nothing mapped yet) */
};
#define GUPBENCH_PROBE_SIZE_V1 sizeof(struct gupbench_probe)
#define GUPBENCH_PROBE_FOLIO_SIZE_V1 sizeof(struct gupbench_probe_folio)

#define GUPBENCH_IOC_PROBE _IOWR(GUPBENCH_IOC_MAGIC, 0x05, struct gupbench_probe)

#endif /* _UAPI_GUPBENCH_H */
