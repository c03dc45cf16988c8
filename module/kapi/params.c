// SPDX-License-Identifier: GPL-2.0
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>

#include "kapi.h"

/* 1 GiB of 4 KiB pages: the page-pointer array of one call is then 2 MiB. */
static unsigned int max_pages_per_run = 1U << 18;
/* 64 GiB of 4 KiB pages; beyond it the page-pointer array alone is 128 MiB. */
#define MAX_PAGES_PER_RUN_CEILING (1U << 24)

/* A cap of 0 would refuse everything, one over the ceiling would let a call kvmalloc
 * hundreds of MiB: both are refused when the parameter is written. */
static int set_max_pages_per_run(const char *value, const struct kernel_param *kp)
{
	unsigned int pages;
	int err = kstrtouint(value, 0, &pages);

	if (err)
		return err;
	if (pages < 1 || pages > MAX_PAGES_PER_RUN_CEILING) {
		pr_err("gupbench: max_pages_per_run %u is not in 1..%u\n", pages,
		       MAX_PAGES_PER_RUN_CEILING);
		return -EINVAL;
	}
	WRITE_ONCE(max_pages_per_run, pages);
	return 0;
}

static const struct kernel_param_ops max_pages_per_run_ops = {
	.set = set_max_pages_per_run,
	.get = param_get_uint,
};
module_param_cb(max_pages_per_run, &max_pages_per_run_ops, &max_pages_per_run, 0644);
MODULE_PARM_DESC(max_pages_per_run,
		 "the most pages one call (RUN, HOLD, a gup_test command) may take: "
		 "1..16777216, default 262144 (1 GiB of 4 KiB pages)");

unsigned int kapi_param_max_pages_per_run(void)
{
	return READ_ONCE(max_pages_per_run);
}
