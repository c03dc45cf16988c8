// SPDX-License-Identifier: GPL-2.0
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kern_levels.h>
#include <linux/printk.h>
#include <linux/ratelimit.h>

#include "kapi.h"

/*
 * Errors are what a caller's bad request makes the module say, so a hostile caller could
 * flood the log with them: at most 100 lines in any 5 seconds, then a count of those
 * suppressed (the kernel's ratelimit prints it).
 */
static DEFINE_RATELIMIT_STATE(error_limit, 5 * HZ, 100);

static void log_at(const char *level, const char *fmt, va_list *args)
{
	struct va_format vaf = { .fmt = fmt, .va = args };

	printk("%s" pr_fmt("%pV\n"), level, &vaf);
}

void kapi_log_err(const char *fmt, ...)
{
	va_list args;

	if (!__ratelimit(&error_limit))
		return;
	va_start(args, fmt);
	log_at(KERN_ERR, fmt, &args);
	va_end(args);
}

/*
 * What the ledger found is never to be drowned by a caller's refusals: it has a budget of
 * its own (only a kernel or gupbench bug, or a test's injected fault, makes these).
 */
static DEFINE_RATELIMIT_STATE(finding_limit, 5 * HZ, 100);

void kapi_log_finding(const char *fmt, ...)
{
	va_list args;

	if (!__ratelimit(&finding_limit))
		return;
	va_start(args, fmt);
	log_at(KERN_ERR, fmt, &args);
	va_end(args);
}

void kapi_log_info(const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	log_at(KERN_INFO, fmt, &args);
	va_end(args);
}
