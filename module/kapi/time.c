// SPDX-License-Identifier: GPL-2.0
#include <linux/ktime.h>
#include <linux/timekeeping.h>

#include "gup.h"

unsigned long long kapi_ktime_ns(void)
{
	return ktime_get_ns();
}
