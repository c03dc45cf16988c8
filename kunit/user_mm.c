// SPDX-License-Identifier: GPL-2.0
/*
 * A user address space for KUnit cases. 6.1's KUnit runs each case in a kernel thread
 * without an mm, and has no kunit_attach_mm(); mm_alloc() is not exported. But suite_init
 * runs in the insmod task, and insmod stays blocked in init_module() until every suite of
 * the module has run: so its mm is alive and otherwise idle for the whole suite. We take a
 * reference to it there (get_task_mm), adopt it in each case (kthread_use_mm), map what the
 * case needs with vm_mmap, and unmap and drop everything before the suite ends.
 */
#include <kunit/test.h>
#include <linux/kthread.h>
#include <linux/mman.h>
#include <linux/sched/mm.h>

#include "bridge.h"

static struct mm_struct *insmod_mm;

int gbk_user_mm_suite_init(struct kunit_suite *suite)
{
	insmod_mm = get_task_mm(current);
	return insmod_mm ? 0 : -ESRCH;
}

void gbk_user_mm_suite_exit(struct kunit_suite *suite)
{
	if (insmod_mm)
		mmput(insmod_mm);
	insmod_mm = NULL;
}

int gbk_user_mm_case_init(struct kunit *test)
{
	kthread_use_mm(insmod_mm);
	return 0;
}

void gbk_user_mm_case_exit(struct kunit *test)
{
	kthread_unuse_mm(insmod_mm);
}

unsigned long gbk_user_map_anon(unsigned long bytes)
{
	unsigned long addr = vm_mmap(NULL, 0, bytes, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS, 0);

	return IS_ERR_VALUE(addr) ? 0 : addr;
}

void gbk_user_unmap(unsigned long addr, unsigned long bytes)
{
	vm_munmap(addr, bytes);
}
