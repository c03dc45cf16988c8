/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the C++ test cases may ask of KUnit and of the kernel, in C and C++. KUnit's own
 * macros are C; these report a failure with the C++ file, line and expression. There are
 * no ASSERTs: aborting a KUnit case exits its kthread, which would skip C++ destructors.
 */
#ifndef GUPBENCH_KUNIT_BRIDGE_H
#define GUPBENCH_KUNIT_BRIDGE_H

#ifdef __cplusplus
extern "C" {
#endif

struct kunit;

/* bridge.c: record a failure on `test` unless `ok`; returns ok. */
int gbk_check(struct kunit *test, int ok, const char *file, int line, const char *expr);
int gbk_check_eq(struct kunit *test, long long left, long long right, const char *file,
		 int line, const char *left_expr, const char *right_expr);

/* bridge.c: mark `test` skipped with `reason` (the case then returns by itself), and
 * add a line of figures to its log. */
void gbk_skip(struct kunit *test, const char *reason);
void gbk_note(struct kunit *test, const char *what, long long a, long long b, long long c,
	      long long d);

/* kernel_facts.c: the kernel's own view of shared definitions, to compare against. */
int gbk_kernel_errno(const char *name);
unsigned int gbk_kernel_ioctl_info(void);
unsigned long gbk_kernel_sizeof_info(void);

/* user_mm.c: user memory for the cases that walk it, in an mm of the case's own (6.11+:
 * kunit_vm_mmap) or the loading task's (6.1). map: 0 when mapping fails; a mapping made
 * is given back with release; unmap takes away a part of one (a hole). */
unsigned long gbk_user_map_anon(struct kunit *test, unsigned long bytes);
void gbk_user_release(unsigned long addr, unsigned long bytes);
void gbk_user_unmap(unsigned long addr, unsigned long bytes);
/* shmem_file.c: a shmem file of `bytes` (a memfd's kind, made in the kernel) with one
 * reference, for the caller to own; NULL when it cannot be made. */
struct file;
struct file *gbk_shmem_file(unsigned long bytes);
/* Their suites' suite_init and suite_exit (suites.c). */
struct kunit_suite;
int gbk_user_mm_suite_init(struct kunit_suite *suite);
void gbk_user_mm_suite_exit(struct kunit_suite *suite);
/* Whether this kernel gives each case an mm of its own, and whose mm the case runs on. */
int gbk_user_mm_is_the_cases_own(void);
enum { GBK_USER_MM_NONE, GBK_USER_MM_LOADERS, GBK_USER_MM_OWN };
int gbk_user_mm_now(void);

#ifdef __cplusplus
}

#define CHECK(test, cond) gbk_check((test), !!(cond), __FILE__, __LINE__, #cond)
#define CHECK_EQ(test, left, right)                                                        \
	gbk_check_eq((test), (long long)(left), (long long)(right), __FILE__, __LINE__,    \
		     #left, #right)
#endif

#endif /* GUPBENCH_KUNIT_BRIDGE_H */
