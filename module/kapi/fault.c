// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only faults in gupbench's own walks, through the kernel's fault-injection framework
 * (Documentation/fault-injection/fault-injection.rst): one attribute per kind of damage,
 * under /sys/kernel/debug/gupbench/fail_<name>/, configured as any other (probability,
 * interval, times, task-filter with /proc/<pid>/make-it-fail, verbose). Our debug kernels
 * have CONFIG_FAULT_INJECTION; without it nothing fires and no files exist.
 */
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/fault-inject.h>
#include <linux/mm.h>

#include "fault.h"

static const char *const fault_names[KAPI_FAULT_COUNT] = {
	[KAPI_FAULT_UNPINNED_PAGE] = "unpinned_page",
	[KAPI_FAULT_SHORT_REPORT] = "short_report",
	[KAPI_FAULT_EXTRA_REF] = "extra_ref",
	[KAPI_FAULT_SHORT_RELEASE] = "short_release",
	[KAPI_FAULT_EXTRA_RELEASE] = "extra_release",
	[KAPI_FAULT_EXTRA_PUT] = "extra_put",
};

const char *kapi_fault_name(enum kapi_fault fault)
{
	return fault < KAPI_FAULT_COUNT ? fault_names[fault] : "unknown";
}

void kapi_page_get(struct page *page)
{
	get_page(page);
}

void kapi_page_put(struct page *page)
{
	put_page(page);
}

#ifdef CONFIG_FAULT_INJECTION

static struct fault_attr fault_attrs[KAPI_FAULT_COUNT] = {
	[0 ... KAPI_FAULT_COUNT - 1] = FAULT_ATTR_INITIALIZER,
};

unsigned int kapi_fault_hits(enum kapi_fault fault, unsigned int most)
{
	unsigned int hits = 0;

	while (hits < most && should_fail(&fault_attrs[fault], 1))
		hits++;
	return hits;
}

int kapi_faults_create(struct dentry *dir)
{
#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
	char name[32];
	int i;

	for (i = 0; i < KAPI_FAULT_COUNT; i++) {
		struct dentry *attr_dir;

		snprintf(name, sizeof(name), "fail_%s", fault_names[i]);
		attr_dir = fault_create_debugfs_attr(name, dir, &fault_attrs[i]);
		if (IS_ERR(attr_dir))
			return PTR_ERR(attr_dir);
	}
#endif
	return 0;
}

int kapi_fault_arm(enum kapi_fault fault, unsigned int times)
{
	struct fault_attr *attr = &fault_attrs[fault];

	attr->interval = 1;
	attr->probability = times ? 100 : 0;
	attr->verbose = 1;
	attr->task_filter = false;
	atomic_set(&attr->times, times);
	return 0;
}

#else

unsigned int kapi_fault_hits(enum kapi_fault fault, unsigned int most)
{
	return 0;
}

int kapi_faults_create(struct dentry *dir)
{
	return 0;
}

int kapi_fault_arm(enum kapi_fault fault, unsigned int times)
{
	return -EOPNOTSUPP;
}

#endif
