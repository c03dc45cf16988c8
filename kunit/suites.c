// SPDX-License-Identifier: GPL-2.0
/* The KUnit suites of gupbench_kunit.ko; the cases themselves are C++ (cases.h). */
#include <kunit/test.h>
#include <linux/module.h>

#include "cases.h"

#define GBK_CASE(name) KUNIT_CASE(gbk_##name),

static struct kunit_case support_cases[] = { GBK_SUPPORT_CASES(GBK_CASE){} };
static struct kunit_case abi_cases[] = { GBK_ABI_CASES(GBK_CASE){} };

static struct kunit_suite support_suite = {
	.name = "gupbench_support",
	.test_cases = support_cases,
};

static struct kunit_suite abi_suite = {
	.name = "gupbench_abi",
	.test_cases = abi_cases,
};

kunit_test_suites(&support_suite, &abi_suite);

MODULE_DESCRIPTION("KUnit suites for gupbench");
MODULE_LICENSE("GPL");
