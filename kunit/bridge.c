// SPDX-License-Identifier: GPL-2.0
#include <kunit/test.h>

#include "bridge.h"

int gbk_check(struct kunit *test, int ok, const char *file, int line, const char *expr)
{
	if (!ok)
		KUNIT_FAIL(test, "%s:%d: expected %s", kbasename(file), line, expr);
	return ok;
}

int gbk_check_eq(struct kunit *test, long long left, long long right, const char *file,
		 int line, const char *left_expr, const char *right_expr)
{
	if (left != right)
		KUNIT_FAIL(test, "%s:%d: expected %s == %s, but %lld != %lld", kbasename(file),
			   line, left_expr, right_expr, left, right);
	return left == right;
}

void gbk_skip(struct kunit *test, const char *reason)
{
	kunit_mark_skipped(test, "%s", reason);
}

void gbk_note(struct kunit *test, const char *what, long long a, long long b, long long c,
	      long long d)
{
	kunit_info(test, "%s: %lld %lld %lld %lld", what, a, b, c, d);
}
