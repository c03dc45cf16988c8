// SPDX-License-Identifier: GPL-2.0
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/pid.h>
#include <linux/capability.h>
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

/*
 * process_vm_readv asks ptrace_may_access(PTRACE_MODE_ATTACH_REALCREDS), but 6.1 exports
 * neither it nor mm_access. So a remote walk requires CAP_SYS_PTRACE, which passes that
 * check for every target: stricter than ptrace, never looser.
 */
struct mm_struct *kapi_mm_of_pid_for_ptrace(int pid, int *err)
{
	struct pid *target_pid;
	struct task_struct *task;
	struct mm_struct *mm;

	if (!capable(CAP_SYS_PTRACE)) {
		*err = -EPERM;
		return NULL;
	}
	target_pid = find_get_pid(pid);
	task = get_pid_task(target_pid, PIDTYPE_PID);
	put_pid(target_pid);
	if (!task) {
		*err = -ESRCH;
		return NULL;
	}
	mm = get_task_mm(task);
	put_task_struct(task);
	*err = mm ? 0 : -ESRCH;
	return mm;
}

void kapi_mmput(struct mm_struct *mm)
{
	mmput(mm);
}
