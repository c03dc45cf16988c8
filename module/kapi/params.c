// SPDX-License-Identifier: GPL-2.0
#include <linux/moduleparam.h>

#include "kapi.h"

static unsigned int max_pages_per_run = 1U << 18;
module_param(max_pages_per_run, uint, 0644);
MODULE_PARM_DESC(max_pages_per_run,
		 "the most pages one RUN may take at once (default 262144: 1 GiB of 4 KiB pages)");

unsigned int kapi_param_max_pages_per_run(void)
{
	return READ_ONCE(max_pages_per_run);
}
