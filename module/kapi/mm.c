// SPDX-License-Identifier: GPL-2.0
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>

#include "gup.h"

struct mm_struct *kapi_current_mm(void)
{
	return current->mm;
}

void kapi_mmap_read_lock(struct mm_struct *mm)
{
	mmap_read_lock(mm);
}

void kapi_mmap_read_unlock(struct mm_struct *mm)
{
	mmap_read_unlock(mm);
}

void kapi_mmput(struct mm_struct *mm)
{
	mmput(mm);
}

struct mm_struct *kapi_mm_grab_current(void)
{
	struct mm_struct *mm = current->mm;

	if (mm)
		mmgrab(mm);
	return mm;
}

void kapi_mmdrop(struct mm_struct *mm)
{
	mmdrop(mm);
}

/* account_locked_vm() lets a caller with CAP_IPC_LOCK past RLIMIT_MEMLOCK. */
int kapi_charge_locked_vm(struct mm_struct *mm, unsigned long pages)
{
	return account_locked_vm(mm, pages, true);
}

void kapi_uncharge_locked_vm(struct mm_struct *mm, unsigned long pages)
{
	account_locked_vm(mm, pages, false);
}
