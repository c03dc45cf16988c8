// SPDX-License-Identifier: GPL-2.0
// KUnit cases for the GUP core on real user memory: walkers, PinnedPages, the ledger.
#include "bridge.h"
#include "cases.h"
#include "kapi/gup.h"
#include "kapi/kapi.h"
#include "ledger.h"
#include "pinned_pages.h"
#include "user_memory.h"
#include "walk.h"
#include "walker.h"

using namespace gb;

extern "C" void gbk_walker_refuses_forbidden_flags(struct kunit *test)
{
	auto longterm_get = Walker::create(GUPBENCH_WALKER_GET_FAST, GUPBENCH_FLAG_LONGTERM, 0);
	CHECK(test, longterm_get.is_error() && longterm_get.error() == Errno::inval);
	auto forced_fast = Walker::create(GUPBENCH_WALKER_PIN_FAST, GUPBENCH_FLAG_FORCE, 0);
	CHECK(test, forced_fast.is_error() && forced_fast.error() == Errno::inval);
	auto unknown = Walker::create(GUPBENCH_WALKER_COUNT, 0, 0);
	CHECK(test, unknown.is_error() && unknown.error() == Errno::inval);
	auto unknown_flag = Walker::create(GUPBENCH_WALKER_PIN, 1ULL << 63, 0);
	CHECK(test, unknown_flag.is_error() && unknown_flag.error() == Errno::inval);
	auto pid_for_local = Walker::create(GUPBENCH_WALKER_PIN, 0, 1);
	CHECK(test, pid_for_local.is_error() && pid_for_local.error() == Errno::inval);
	auto longterm_pin = Walker::create(GUPBENCH_WALKER_PIN_FAST, GUPBENCH_FLAG_LONGTERM, 0);
	CHECK(test, longterm_pin.is_ok());
	CHECK(test, longterm_pin.is_ok() && longterm_pin.value().release_kind() == Release::unpin);
}

extern "C" void gbk_checked_range_refuses_bad_ranges(struct kunit *test)
{
	const u64 page = kapi_page_size();
	CHECK(test, checked_range(0x10000, 4 * page, 1).is_ok());
	CHECK(test, checked_range(0x10000, 4 * page, 0).error() == Errno::inval);
	CHECK(test, checked_range(0x10000, 0, 1).error() == Errno::inval);
	CHECK(test, checked_range(0x10001, 4 * page, 1).error() == Errno::inval);
	CHECK(test, checked_range(0x10000, page + 1, 1).error() == Errno::inval);
	CHECK(test, checked_range(~u64(0) & ~(page - 1), 2 * page, 1).error() == Errno::overflow);
	CHECK(test, checked_range(0x10000, u64(1) << 40, 1).error() == Errno::too_big);
}

extern "C" void gbk_pin_fast_ledger_is_exact(struct kunit *test)
{
	UserAnon memory(test, 16);
	if (!CHECK(test, memory.addr() != 0))
		return;
	auto walker = Walker::create(GUPBENCH_WALKER_PIN_FAST, GUPBENCH_FLAG_WRITE, 0);
	if (!CHECK(test, walker.is_ok()))
		return;
	auto out = verified_walk(test, walker.value(), Range{ memory.addr(), 16 }, 5);
	CHECK_EQ(test, out.error, 0);
	CHECK_EQ(test, out.pages_done, 16);
	CHECK_EQ(test, out.calls, 4); // 5 + 5 + 5 + 1
	CHECK_EQ(test, out.folios, 16);
	CHECK_EQ(test, out.verdict, GUPBENCH_VERDICT_EXACT);
	CHECK_EQ(test, out.vmstat_pins_acquired, 16);
	CHECK_EQ(test, out.vmstat_pins_released, 16);
}

extern "C" void gbk_every_local_walker_takes_every_page(struct kunit *test)
{
	UserAnon memory(test, 8);
	if (!CHECK(test, memory.addr() != 0))
		return;
	for (u32 id = 0; id < GUPBENCH_WALKER_GET_REMOTE; id++) {
		// The fast-only walkers never fault: the first walkers fault the pages in.
		auto walker = Walker::create(id, GUPBENCH_FLAG_WRITE, 0);
		// 6.3 removed pin_user_pages_fast_only() (kapi/gup.h): refused, not walked.
		if (id == GUPBENCH_WALKER_PIN_FAST_ONLY && !KAPI_HAS_PIN_USER_PAGES_FAST_ONLY) {
			CHECK(test, walker.is_error() && walker.error() == Errno::opnotsupp);
			continue;
		}
		if (!CHECK(test, walker.is_ok()))
			continue;
		auto out = verified_walk(test, walker.value(), Range{ memory.addr(), 8 }, 3);
		CHECK_EQ(test, out.pages_done, 8);
		CHECK_EQ(test, out.error, 0);
		CHECK_EQ(test, out.verdict, GUPBENCH_VERDICT_EXACT);
		bool pins = walker.value().traits().pins;
		CHECK_EQ(test, out.vmstat_pins_acquired, pins ? 8 : 0);
	}
}

extern "C" void gbk_pinned_pages_release_when_dropped(struct kunit *test)
{
	UserAnon memory(test, 4);
	if (!CHECK(test, memory.addr() != 0))
		return;
	auto walker = Walker::create(GUPBENCH_WALKER_PIN_FAST, GUPBENCH_FLAG_WRITE, 0).release_value();
	unsigned long acquired = kapi_vmstat_foll_pin_acquired();
	unsigned long released = kapi_vmstat_foll_pin_released();
	struct page *first = nullptr;
	{
		auto pages = PinnedPages::create(4, Release::unpin, false).release_value();
		WalkStop stop = walk_range_untimed(walker, Range{ memory.addr(), 4 }, 4, pages);
		CHECK_EQ(test, stop.error, 0);
		CHECK_EQ(test, pages.count(), 4);
		first = pages.held()[0];
		CHECK(test, kapi_page_maybe_dma_pinned(first));
		CHECK_EQ(test, kapi_vmstat_foll_pin_acquired() - acquired, 4);
		CHECK_EQ(test, kapi_vmstat_foll_pin_released() - released, 0);
	} // dropped here, never released explicitly
	CHECK_EQ(test, kapi_vmstat_foll_pin_released() - released, 4);
	CHECK(test, !kapi_page_maybe_dma_pinned(first));
}

extern "C" void gbk_walk_stops_at_a_hole_and_keeps_what_it_took(struct kunit *test)
{
	UserAnon memory(test, 6);
	if (!CHECK(test, memory.addr() != 0))
		return;
	const u64 page = kapi_page_size();
	gbk_user_unmap(memory.addr() + 2 * page, page); // a hole at page 2
	auto walker = Walker::create(GUPBENCH_WALKER_PIN, GUPBENCH_FLAG_WRITE, 0).release_value();
	auto out = verified_walk(test, walker, Range{ memory.addr(), 6 }, 4);
	CHECK_EQ(test, out.error, -gbk_kernel_errno("EFAULT"));
	CHECK_EQ(test, out.pages_done, 2);
	CHECK_EQ(test, out.error_offset, 2 * page);
	CHECK_EQ(test, out.verdict, GUPBENCH_VERDICT_EXACT);
	CHECK_EQ(test, out.vmstat_pins_acquired, 2);
	CHECK_EQ(test, out.vmstat_pins_released, 2);
}

// Where the cases' user memory lives (user_mm.c): since 6.11 in an mm KUnit made for the
// case, never the loading task's, and kept until the case's kthread exits; on 6.1 in the
// loading task's mm, borrowed only while a mapping lives.
extern "C" void gbk_user_memory_lives_in_the_expected_mm(struct kunit *test)
{
	const bool own = gbk_user_mm_is_the_cases_own();
	CHECK_EQ(test, gbk_user_mm_now(), GBK_USER_MM_NONE);
	{
		UserAnon first(test, 2);
		if (!CHECK(test, first.addr() != 0))
			return;
		CHECK_EQ(test, gbk_user_mm_now(), own ? GBK_USER_MM_OWN : GBK_USER_MM_LOADERS);
		{
			UserAnon second(test, 2);
			CHECK(test, second.addr() != 0);
		}
		// The second mapping's release leaves the first one's mm in place.
		CHECK_EQ(test, gbk_user_mm_now(), own ? GBK_USER_MM_OWN : GBK_USER_MM_LOADERS);
		auto walker = Walker::create(GUPBENCH_WALKER_PIN_FAST, GUPBENCH_FLAG_WRITE, 0);
		if (CHECK(test, walker.is_ok()))
			CHECK_EQ(test, verified_walk(test, walker.value(), Range{ first.addr(), 2 }, 2).verdict,
				 GUPBENCH_VERDICT_EXACT);
	}
	CHECK_EQ(test, gbk_user_mm_now(), own ? GBK_USER_MM_OWN : GBK_USER_MM_NONE);
}
