// SPDX-License-Identifier: GPL-2.0
/*
 * A user address space for KUnit cases, which run in a kernel thread without an mm.
 *
 * Since 6.11 KUnit gives a case one of its own: kunit_vm_mmap() ("kunit: test: Add
 * vm_mmap() allocation resource manager", 2024-06, after 6.10's merge window: it is not
 * in 6.10) allocates an mm with mm_alloc(), attaches it to the case's kthread and maps
 * into it; the mm goes when that kthread exits. Nothing of the loading process is touched.
 *
 * 6.1 has no such thing, and mm_alloc() is not exported. But suite_init runs in the
 * insmod task, and insmod stays blocked in init_module() until every suite of the module
 * has run: its mm is alive and otherwise idle for the whole suite. We take a reference to
 * it there (get_task_mm) and adopt it (kthread_use_mm) while a case holds a mapping. The
 * adoption is made and undone in the case's own kthread, by the first mapping and the
 * release of the last: a suite's .exit is no place for it, as later kernels (6.12 among
 * them) run .exit in a kthread of its own, where kthread_unuse_mm() would find no mm and
 * the case's kthread would exit still holding the borrowed one.
 */
#include <kunit/test.h>
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/mman.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/version.h>

#include "bridge.h"

#define GBK_HAS_KUNIT_VM_MMAP (LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0))

/* The loading task's mm, compared against only: insmod outlives every suite. */
static struct mm_struct *loader_mm;

#if !GBK_HAS_KUNIT_VM_MMAP
static struct mm_struct *borrowed_mm;
/* Mappings the running case holds; cases run one at a time. */
static unsigned int live_mappings;
#endif

int gbk_user_mm_suite_init(struct kunit_suite *suite)
{
	loader_mm = current->mm;
#if !GBK_HAS_KUNIT_VM_MMAP
	borrowed_mm = get_task_mm(current);
	if (!borrowed_mm)
		return -ESRCH;
#endif
	return 0;
}

void gbk_user_mm_suite_exit(struct kunit_suite *suite)
{
#if !GBK_HAS_KUNIT_VM_MMAP
	if (borrowed_mm)
		mmput(borrowed_mm);
	borrowed_mm = NULL;
#endif
	loader_mm = NULL;
}

int gbk_user_mm_is_the_cases_own(void)
{
	return GBK_HAS_KUNIT_VM_MMAP;
}

int gbk_user_mm_now(void)
{
	if (!current->mm)
		return GBK_USER_MM_NONE;
	return current->mm == loader_mm ? GBK_USER_MM_LOADERS : GBK_USER_MM_OWN;
}

#if GBK_HAS_KUNIT_VM_MMAP
unsigned long gbk_user_map_anon(struct kunit *test, unsigned long bytes)
{
	/* kunit_vm_mmap() takes only 0 for a failure; vm_mmap()'s -errno comes back as is. */
	unsigned long addr = kunit_vm_mmap(test, NULL, 0, bytes, PROT_READ | PROT_WRITE,
					   MAP_PRIVATE | MAP_ANONYMOUS, 0);

	return IS_ERR_VALUE(addr) ? 0 : addr;
}

/* KUnit never unmaps (the mm goes with the kthread); the cases unmap before they judge. */
void gbk_user_release(unsigned long addr, unsigned long bytes)
{
	vm_munmap(addr, bytes);
}
#else
unsigned long gbk_user_map_anon(struct kunit *test, unsigned long bytes)
{
	unsigned long addr;

	if (live_mappings++ == 0)
		kthread_use_mm(borrowed_mm);
	addr = vm_mmap(NULL, 0, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, 0);
	if (!IS_ERR_VALUE(addr))
		return addr;
	if (--live_mappings == 0)
		kthread_unuse_mm(borrowed_mm);
	return 0;
}

void gbk_user_release(unsigned long addr, unsigned long bytes)
{
	vm_munmap(addr, bytes);
	if (--live_mappings == 0)
		kthread_unuse_mm(borrowed_mm);
}
#endif

void gbk_user_unmap(unsigned long addr, unsigned long bytes)
{
	vm_munmap(addr, bytes);
}
