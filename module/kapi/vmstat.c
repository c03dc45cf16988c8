// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/vmstat's nr_foll_pin_acquired/released. The global counters lag behind by the
 * per-CPU deltas not yet folded in (up to the vmstat threshold per CPU), so an exact
 * count adds those deltas, as zone_page_state_snapshot() does for zone counters.
 *
 * The sum is taken over the nodes' own counters, not the global one: the fold
 * (refresh_cpu_vm_stats()) moves a CPU's delta into its node's counter at once but into
 * the global counter only after it has gone over every item, and a global-plus-deltas sum
 * read in between missed that delta (seen as a walk's ledger finding three pins given back
 * too many, in CI on 6.12). Between the node counter's add and the delta's reset a read can
 * still miss it for an instant, so a count stands only when two reads in a row agree.
 */
#include <linux/cpumask.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/vmstat.h>

#include "gup.h"

static long node_stat_sum(enum node_stat_item item)
{
	long value = 0;
	int node, cpu;

	for_each_online_node(node) {
		struct pglist_data *pgdat = NODE_DATA(node);

		value += atomic_long_read(&pgdat->vm_stat[item]);
		for_each_online_cpu(cpu)
			value += READ_ONCE(per_cpu_ptr(pgdat->per_cpu_nodestats, cpu)->vm_node_stat_diff[item]);
	}
	return value;
}

static unsigned long node_stat_exact(enum node_stat_item item)
{
	long value = node_stat_sum(item), again;
	int tries;

	for (tries = 0; tries < 8; tries++, value = again) {
		again = node_stat_sum(item);
		if (again == value)
			break;
	}
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
