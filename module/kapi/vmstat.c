// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/vmstat's nr_foll_pin_acquired/released. The global counters lag behind by the
 * per-CPU deltas not yet folded in (up to the vmstat threshold per CPU), so an exact
 * count adds those deltas, as zone_page_state_snapshot() does for zone counters.
 */
#include <linux/cpumask.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/vmstat.h>

#include "gup.h"

static unsigned long node_stat_exact(enum node_stat_item item)
{
	long value = atomic_long_read(&vm_node_stat[item]);
	int node, cpu;

	for_each_online_node(node)
		for_each_online_cpu(cpu)
			value += per_cpu_ptr(NODE_DATA(node)->per_cpu_nodestats, cpu)
					 ->vm_node_stat_diff[item];
	return value < 0 ? 0 : value;
}

unsigned long kapi_vmstat_foll_pin_acquired(void)
{
	return node_stat_exact(NR_FOLL_PIN_ACQUIRED);
}

unsigned long kapi_vmstat_foll_pin_released(void)
{
	return node_stat_exact(NR_FOLL_PIN_RELEASED);
}
