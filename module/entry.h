/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The C++ entry points that module/entry.c (the kernel's way in) forwards to. Valid C and
 * C++: a session is opaque to C. Each returns 0 or -errno.
 */
#ifndef GUPBENCH_ENTRY_H
#define GUPBENCH_ENTRY_H

#ifdef __cplusplus
extern "C" {
#endif

/* /sys/kernel/debug/gupbench/bench: gupbench's own ABI (session.cpp). */
struct gupbench_session;

int gupbench_session_open(struct gupbench_session **session);
void gupbench_session_release(struct gupbench_session *session);
long gupbench_session_ioctl(struct gupbench_session *session, unsigned int cmd,
			    unsigned long uarg);

/* /sys/kernel/debug/gupbench/gup_test: the kernel's gup_test ABI (gup_test_file.cpp). */
struct gupbench_gup_test_file;

int gupbench_gup_test_open(struct gupbench_gup_test_file **file);
void gupbench_gup_test_release(struct gupbench_gup_test_file *file);
long gupbench_gup_test_ioctl(struct gupbench_gup_test_file *file, unsigned int cmd,
			     unsigned long uarg);

#ifdef __cplusplus
}
#endif

#endif /* GUPBENCH_ENTRY_H */
