// SPDX-License-Identifier: GPL-2.0
/* The KUnit suites of gupbench_kunit.ko; the cases themselves are C++ (cases.h). */
#include <kunit/test.h>
#include <linux/module.h>

#include "bridge.h"
#include "cases.h"

#define GBK_CASE(name) KUNIT_CASE(gbk_##name),

static struct kunit_case support_cases[] = { GBK_SUPPORT_CASES(GBK_CASE){} };
static struct kunit_case abi_cases[] = { GBK_ABI_CASES(GBK_CASE){} };
static struct kunit_case core_cases[] = { GBK_CORE_CASES(GBK_CASE){} };
static struct kunit_case fault_cases[] = { GBK_FAULT_CASES(GBK_CASE){} };
static struct kunit_case memfd_cases[] = { GBK_MEMFD_CASES(GBK_CASE){} };

static struct kunit_suite support_suite = {
	.name = "gupbench_support",
	.test_cases = support_cases,
};

static struct kunit_suite abi_suite = {
	.name = "gupbench_abi",
	.test_cases = abi_cases,
};

/* The walkers, PinnedPages and the ledger on real user memory (see user_mm.c). */
static struct kunit_suite core_suite = {
	.name = "gupbench_core",
	.suite_init = gbk_user_mm_suite_init,
	.suite_exit = gbk_user_mm_suite_exit,
	.test_cases = core_cases,
};

/* The ledger made to fail on purpose (module/injected_faults.h), on the same user mm. */
static struct kunit_suite fault_suite = {
	.name = "gupbench_faults",
	.suite_init = gbk_user_mm_suite_init,
	.suite_exit = gbk_user_mm_suite_exit,
	.test_cases = fault_cases,
};

/* The memfd walker (module/memfd_walk.h) on a shmem file; no user mm. */
static struct kunit_suite memfd_suite = {
	.name = "gupbench_memfd",
	.test_cases = memfd_cases,
};

kunit_test_suites(&support_suite, &abi_suite, &core_suite, &fault_suite, &memfd_suite);

MODULE_DESCRIPTION("KUnit suites for gupbench");
MODULE_LICENSE("GPL");
