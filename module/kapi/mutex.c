// SPDX-License-Identifier: GPL-2.0
#include <linux/mutex.h>
#include <linux/slab.h>

#include "kapi.h"

struct mutex *kapi_mutex_create(void)
{
	struct mutex *mutex = kmalloc(sizeof(*mutex), GFP_KERNEL);

	if (mutex)
		mutex_init(mutex);
	return mutex;
}

void kapi_mutex_destroy(struct mutex *mutex)
{
	if (mutex)
		mutex_destroy(mutex);
	kfree(mutex);
}

void kapi_mutex_lock(struct mutex *mutex)
{
	mutex_lock(mutex);
}

void kapi_mutex_unlock(struct mutex *mutex)
{
	mutex_unlock(mutex);
}
