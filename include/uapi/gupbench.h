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

#endif /* _UAPI_GUPBENCH_H */
