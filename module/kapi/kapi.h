/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Declarations shared by the C layer (the files in module/kapi/, which implements them over Linux)
 * and the C++ above it (which calls them). Valid C and C++; only built-in types and opaque
 * handles cross this line, never a Linux type.
 */
#ifndef GUPBENCH_KAPI_H
#define GUPBENCH_KAPI_H

#ifdef __cplusplus
extern "C" {
#endif

/* alloc.c: kvmalloc/kvfree. */
void *kapi_alloc_zeroed(unsigned long bytes, int charge_to_memcg);
void kapi_free(const void *memory);

struct page;

/* uaccess.c: 0 or -errno. */
int kapi_get_user_u32(unsigned int *value, unsigned long uaddr);
int kapi_copy_struct_from_user(void *dst, unsigned long dst_size, unsigned long uaddr,
			       unsigned long user_size);
int kapi_copy_to_user(unsigned long uaddr, const void *src, unsigned long bytes);

int kapi_copy_page_to_user(unsigned long uaddr, struct page *page, unsigned long bytes);

/* mutex.c: a sleeping lock, allocated (its size depends on the lock debugging config). */
struct mutex;
struct mutex *kapi_mutex_create(void);
void kapi_mutex_destroy(struct mutex *mutex);
void kapi_mutex_lock(struct mutex *mutex);
void kapi_mutex_unlock(struct mutex *mutex);

/* system.c: facts about the running kernel. */
const char *kapi_kernel_release(void);
unsigned long kapi_page_size(void);
unsigned int kapi_pin_counting_bias(void);

/* sched.c: cond_resched(), then 0, or -EINTR if the caller has a fatal signal pending. */
int kapi_pause_unless_killed(void);
/* sched.c: sleep at least `ms` milliseconds. */
void kapi_sleep_ms(unsigned int ms);

/* params.c: module parameters. */
unsigned int kapi_param_max_pages_per_run(void);

/* log.c: printk with the module's prefix. */
void kapi_log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kapi_log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* What the ledger found: rate limited apart from errors, so refusals cannot hide it. */
void kapi_log_finding(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#ifdef __cplusplus
}
#endif

#endif /* GUPBENCH_KAPI_H */
