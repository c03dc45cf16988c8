// SPDX-License-Identifier: GPL-2.0
#include <linux/delay.h>
#include <linux/errno.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>

#include "kapi.h"

/*
 * A long walk on a kernel without preemption: give the CPU away if someone waits for it,
 * and stop if the caller was killed (the fast walkers never look at signals themselves).
 */
int kapi_pause_unless_killed(void)
{
	cond_resched();
	return fatal_signal_pending(current) ? -EINTR : 0;
}

void kapi_sleep_ms(unsigned int ms)
{
	msleep(ms);
}
