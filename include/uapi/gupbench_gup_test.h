/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The kernel's gup_test ABI (mm/gup_test.h; CONFIG_GUP_TEST), served by gupbench on
 * /sys/kernel/debug/gupbench/gup_test, so that the kernel's own selftest binaries drive
 * gupbench unmodified. The layout and numbers are the kernel's; the names carry a
 * GUP_TEST_ prefix of our own so that this header can sit beside the kernel's.
 *
 * Commands 1 to 6 are those of 6.1. Commands 7 to 9 (a long-term pin held across calls)
 * came with later kernels; gupbench serves them on every kernel, with the held pin kept
 * per open file instead of once for the whole system.
 */
#ifndef _UAPI_GUPBENCH_GUP_TEST_H
#define _UAPI_GUPBENCH_GUP_TEST_H

#if defined(__KERNEL__) && defined(__cplusplus)
#include "gupbench/uapi_shim.h"
#else
#include <linux/ioctl.h>
#include <linux/types.h>
#endif

#define GUP_TEST_FILE_KERNEL "/sys/kernel/debug/gup_test"
#define GUP_TEST_FILE_GUPBENCH "/sys/kernel/debug/gupbench/gup_test"

#define GUP_TEST_MAX_PAGES_TO_DUMP 8
#define GUP_TEST_FLAG_DUMP_PAGES_USE_PIN 0x1 /* test_flags: DUMP takes pins, not gets */

/* The argument of commands 1 to 6: 80 bytes on every 64-bit architecture. */
struct gup_test {
	__u64 get_delta_usec; /* out: time taking the pages, microseconds */
	__u64 put_delta_usec; /* out: time releasing them */
	__u64 addr;           /* in */
	__u64 size;           /* in: bytes; out: bytes covered before a GUP failure */
	__u32 nr_pages_per_call; /* in: pages per GUP call; more than the range = all */
	__u32 gup_flags;      /* in: the running kernel's FOLL_* values */
	__u32 test_flags;     /* in: GUP_TEST_FLAG_* */
	__u32 which_pages[GUP_TEST_MAX_PAGES_TO_DUMP]; /* in: DUMP: 1-based page numbers */
};

/* The argument of PIN_LONGTERM_TEST_START. */
struct gup_test_pin_longterm {
	__u64 addr;  /* page aligned */
	__u64 size;  /* bytes, page aligned, > 0 */
	__u32 flags; /* GUP_TEST_PIN_LONGTERM_* */
};
#define GUP_TEST_PIN_LONGTERM_WRITE 0x1 /* FOLL_WRITE */
#define GUP_TEST_PIN_LONGTERM_FAST 0x2  /* pin_user_pages_fast, not pin_user_pages */

#define GUP_TEST_IOC_MAGIC 'g'
#define GUP_TEST_GUP_FAST_BENCHMARK _IOWR(GUP_TEST_IOC_MAGIC, 1, struct gup_test)
#define GUP_TEST_PIN_FAST_BENCHMARK _IOWR(GUP_TEST_IOC_MAGIC, 2, struct gup_test)
#define GUP_TEST_PIN_LONGTERM_BENCHMARK _IOWR(GUP_TEST_IOC_MAGIC, 3, struct gup_test)
#define GUP_TEST_GUP_BASIC_TEST _IOWR(GUP_TEST_IOC_MAGIC, 4, struct gup_test)
#define GUP_TEST_PIN_BASIC_TEST _IOWR(GUP_TEST_IOC_MAGIC, 5, struct gup_test)
#define GUP_TEST_DUMP_USER_PAGES_TEST _IOWR(GUP_TEST_IOC_MAGIC, 6, struct gup_test)
#define GUP_TEST_PIN_LONGTERM_TEST_START                                                    \
	_IOW(GUP_TEST_IOC_MAGIC, 7, struct gup_test_pin_longterm)
#define GUP_TEST_PIN_LONGTERM_TEST_STOP _IO(GUP_TEST_IOC_MAGIC, 8)
/* The argument is a __u64 holding the user address that receives every held page. */
#define GUP_TEST_PIN_LONGTERM_TEST_READ _IOW(GUP_TEST_IOC_MAGIC, 9, __u64)

#endif /* _UAPI_GUPBENCH_GUP_TEST_H */
