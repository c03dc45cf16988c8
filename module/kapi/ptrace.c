// SPDX-License-Identifier: GPL-2.0
/*
 * Who may walk another process's memory: the rule of process_vm_readv, which asks
 * ptrace_may_access(PTRACE_MODE_ATTACH_REALCREDS). 6.1 exports neither ptrace_may_access
 * nor mm_access, so the credential, dumpable and capability tests are made here as
 * kernel/ptrace.c makes them. The LSM hook (security_ptrace_access_check, where Yama lives)
 * is not exported either; in its place a caller without CAP_SYS_PTRACE may attach only to
 * its own descendants, which is what Yama's default scope (1, "restricted") allows. That
 * is stricter than ptrace on a machine without Yama, never looser than Yama's scopes 0-2.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/errno.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/sched/coredump.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>

#include "gup.h"

static bool may_ptrace_in(struct user_namespace *ns)
{
	return ns_capable(ns, CAP_SYS_PTRACE);
}

/* REALCREDS: the caller's real uid and gid must be every uid and gid of the target. */
static bool same_real_credentials(const struct cred *caller, const struct cred *target)
{
	return uid_eq(caller->uid, target->euid) && uid_eq(caller->uid, target->suid) &&
	       uid_eq(caller->uid, target->uid) && gid_eq(caller->gid, target->egid) &&
	       gid_eq(caller->gid, target->sgid) && gid_eq(caller->gid, target->gid);
}

/* Whether `task` descends from the caller's process, following real parents. */
static bool descends_from_caller(struct task_struct *task)
{
	struct task_struct *ancestor = task;
	bool found = false;

	rcu_read_lock();
	while (ancestor->pid > 0) {
		if (same_thread_group(ancestor, current)) {
			found = true;
			break;
		}
		ancestor = rcu_dereference(ancestor->real_parent);
	}
	rcu_read_unlock();
	return found;
}

/* 0 if the caller may attach to `task`, else -EPERM. Called with exec_update_lock held. */
static int may_attach(struct task_struct *task)
{
	const struct cred *target;
	bool privileged;
	struct mm_struct *mm;

	if (same_thread_group(task, current))
		return 0;
	rcu_read_lock();
	target = __task_cred(task);
	privileged = may_ptrace_in(target->user_ns);
	if (!privileged && !same_real_credentials(current_cred(), target)) {
		rcu_read_unlock();
		return -EPERM;
	}
	rcu_read_unlock();
	mm = task->mm;
	if (mm && get_dumpable(mm) != SUID_DUMP_USER && !may_ptrace_in(mm->user_ns))
		return -EPERM;
	if (!privileged && !descends_from_caller(task))
		return -EPERM;
	return 0;
}

struct mm_struct *kapi_mm_of_pid_for_ptrace(int pid, int *err)
{
	struct pid *target_pid = find_get_pid(pid);
	struct task_struct *task = get_pid_task(target_pid, PIDTYPE_PID);
	struct mm_struct *mm = NULL;

	put_pid(target_pid);
	if (!task) {
		*err = -ESRCH;
		return NULL;
	}
	/* Held so that an exec cannot change the credentials between check and mmget. */
	*err = down_read_killable(&task->signal->exec_update_lock);
	if (*err)
		goto out;
	*err = may_attach(task);
	if (!*err) {
		mm = get_task_mm(task);
		if (!mm)
			*err = -ESRCH;
	}
	up_read(&task->signal->exec_update_lock);
out:
	put_task_struct(task);
	return mm;
}
