/* SPDX-License-Identifier: GPL-2.0 */
// For the C++ cases on user memory: a mapping in the case's user mm (user_mm.c) that
// gives itself back, and RUN's own measure_walk with the ledger on.
#pragma once

#include "bridge.h"
#include "gupbench/types.h"
#include "kapi/kapi.h"
#include "walk.h"

namespace gb {

class UserAnon {
public:
	UserAnon(struct kunit *test, usize pages)
		: bytes_(pages * kapi_page_size()), addr_(gbk_user_map_anon(test, bytes_))
	{
	}
	~UserAnon()
	{
		if (addr_)
			gbk_user_release(addr_, bytes_);
	}
	UserAnon(const UserAnon &) = delete;
	UserAnon &operator=(const UserAnon &) = delete;
	UserAddr addr() const { return addr_; }
	usize bytes() const { return bytes_; }

private:
	usize bytes_;
	UserAddr addr_;
};

// The record RUN would copy out for one verified repeat.
inline gupbench_repeat verified_walk(struct kunit *test, const Walker &walker, Range range,
				     usize pages_per_call)
{
	gupbench_repeat out{};
	CHECK(test, measure_walk(walker, range, pages_per_call, GUPBENCH_FLAG_VERIFY, out).is_ok());
	return out;
}

} // namespace gb
