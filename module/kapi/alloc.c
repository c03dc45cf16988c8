// SPDX-License-Identifier: GPL-2.0
#include <linux/mm.h>
#include <linux/slab.h>

#include "kapi.h"

/*
 * __GFP_NOWARN: sizes come from user input, and a failure reaches the caller as -ENOMEM;
 * a splat in dmesg would only add noise.
 */
void *kapi_alloc_zeroed(unsigned long bytes, int charge_to_memcg)
{
	gfp_t gfp = (charge_to_memcg ? GFP_KERNEL_ACCOUNT : GFP_KERNEL) | __GFP_NOWARN;

	return kvzalloc(bytes, gfp);
}

void kapi_free(const void *memory)
{
	kvfree(memory);
}
