// SPDX-License-Identifier: GPL-2.0
/*
 * The positive control of make check's kmemleak audit: loading this module leaks one object
 * of a size nothing else allocates (GBK_LEAK_CONTROL_SIZE), so the audit can show that
 * kmemleak is on, scans, and reports a leak it was not told about, before it trusts "no
 * leaks" (qemu/guest/check-all). Built only for kernels with CONFIG_DEBUG_KMEMLEAK.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#define GBK_LEAK_CONTROL_SIZE 1723

static int __init gbk_leak_control_init(void)
{
	char *leaked = kmalloc(GBK_LEAK_CONTROL_SIZE, GFP_KERNEL);

	if (!leaked)
		return -ENOMEM;
	/* Something recognisable in kmemleak's hex dump; the pointer itself is dropped. */
	strscpy(leaked, "gupbench kmemleak positive control", GBK_LEAK_CONTROL_SIZE);
	pr_info("gupbench_leak_control: leaked one object of %d bytes on purpose\n",
		GBK_LEAK_CONTROL_SIZE);
	return 0;
}

static void __exit gbk_leak_control_exit(void)
{
}

module_init(gbk_leak_control_init);
module_exit(gbk_leak_control_exit);
MODULE_DESCRIPTION("gupbench: one deliberate leak, for the kmemleak audit's positive control");
MODULE_LICENSE("GPL");
