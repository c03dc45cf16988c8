// SPDX-License-Identifier: GPL-2.0
#include <linux/mm.h>
#include <linux/utsname.h>

#include "kapi.h"

const char *kapi_kernel_release(void)
{
	return utsname()->release;
}

unsigned long kapi_page_size(void)
{
	return PAGE_SIZE;
}

unsigned int kapi_pin_counting_bias(void)
{
	return GUP_PIN_COUNTING_BIAS;
}
