// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's way into gupbench: module init/exit and the debugfs file operations. Each
 * operation forwards to a C++ entry point (entry.h); nothing here decides anything.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/module.h>

#include "entry.h"
#include "kapi/fault.h"

static struct dentry *gupbench_dir;

static int bench_open(struct inode *inode, struct file *file)
{
	struct gupbench_session *session;
	int err = gupbench_session_open(&session);

	if (err)
		return err;
	file->private_data = session;
	return 0;
}

static int bench_release(struct inode *inode, struct file *file)
{
	gupbench_session_release(file->private_data);
	return 0;
}

static long bench_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	return gupbench_session_ioctl(file->private_data, cmd, arg);
}

static int gup_test_open(struct inode *inode, struct file *file)
{
	struct gupbench_gup_test_file *gup_test;
	int err = gupbench_gup_test_open(&gup_test);

	if (err)
		return err;
	file->private_data = gup_test;
	return 0;
}

static int gup_test_release(struct inode *inode, struct file *file)
{
	gupbench_gup_test_release(file->private_data);
	return 0;
}

static long gup_test_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	return gupbench_gup_test_ioctl(file->private_data, cmd, arg);
}

/*
 * .owner pins the module while a file is open, so rmmod is refused with -EBUSY. No
 * .llseek: seeking then fails with ESPIPE on 6.1 and 6.12 alike (6.12 removed no_llseek).
 */
static const struct file_operations bench_fops = {
	.owner = THIS_MODULE,
	.open = bench_open,
	.release = bench_release,
	.unlocked_ioctl = bench_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static const struct file_operations gup_test_fops = {
	.owner = THIS_MODULE,
	.open = gup_test_open,
	.release = gup_test_release,
	.unlocked_ioctl = gup_test_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static int __init gupbench_init(void)
{
	struct dentry *file;
	int err;

	gupbench_dir = debugfs_create_dir("gupbench", NULL);
	if (IS_ERR(gupbench_dir))
		return PTR_ERR(gupbench_dir);
	/* Root only: both files let their opener pin memory. */
	file = debugfs_create_file("bench", 0600, gupbench_dir, NULL, &bench_fops);
	if (!IS_ERR(file))
		file = debugfs_create_file("gup_test", 0600, gupbench_dir, NULL, &gup_test_fops);
	if (IS_ERR(file)) {
		debugfs_remove(gupbench_dir);
		return PTR_ERR(file);
	}
	/* fail_<kind>/: faults that tests inject into verified walks (kapi/fault.h). */
	err = kapi_faults_create(gupbench_dir);
	if (err) {
		debugfs_remove(gupbench_dir);
		return err;
	}
	pr_info("loaded, version %s\n", GUPBENCH_VERSION);
	return 0;
}

static void __exit gupbench_exit(void)
{
	debugfs_remove(gupbench_dir);
}

module_init(gupbench_init);
module_exit(gupbench_exit);
MODULE_DESCRIPTION("gupbench: benchmark and test the kernel's get_user_pages paths");
MODULE_LICENSE("GPL");
MODULE_VERSION(GUPBENCH_VERSION);
