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
