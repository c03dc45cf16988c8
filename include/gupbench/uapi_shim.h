/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * What include/uapi/gupbench.h needs from <linux/types.h> and <linux/ioctl.h>, for the
 * module's C++, which sees no Linux headers. The ioctl encoding is the generic one that
 * x86 uses (asm-generic/ioctl.h): a KUnit case checks our numbers against the kernel's.
 */
#pragma once

typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef int __s32;
typedef long long __s64;

#define _IOC(dir, type, nr, size)                                                          \
	(((dir) << 30) | ((size) << 16) | ((type) << 8) | (nr))
#define _IOC_NONE 0U
#define _IOC_WRITE 1U
#define _IOC_READ 2U
#define _IO(type, nr) _IOC(_IOC_NONE, (type), (nr), 0)
#define _IOR(type, nr, argtype) _IOC(_IOC_READ, (type), (nr), sizeof(argtype))
#define _IOW(type, nr, argtype) _IOC(_IOC_WRITE, (type), (nr), sizeof(argtype))
#define _IOWR(type, nr, argtype) _IOC(_IOC_READ | _IOC_WRITE, (type), (nr), sizeof(argtype))
#define _IOC_NR(cmd) ((cmd) & 0xffU)
#define _IOC_TYPE(cmd) (((cmd) >> 8) & 0xffU)
