// SPDX-License-Identifier: GPL-2.0
// KUnit cases for the C++ support code: Result/TRY, the owner types, allocation failure.
#include "bridge.h"
#include "cases.h"
#include "gupbench/alloc.h"
#include "gupbench/result.h"
#include "gupbench/span.h"

using namespace gb;

namespace {

// Counts live instances, so a test can tell a leak or a double destruction.
int live_tracked;

struct Tracked {
	explicit Tracked(int id) : id(id) { live_tracked++; }
	~Tracked() { live_tracked--; }
	int id;
};

Result<int> parse_positive(int value)
{
	if (value <= 0)
		return Errno::inval;
	return value;
}

int reached_after_try;

Result<int> doubled(int value)
{
	int parsed = TRY(parse_positive(value));
	reached_after_try++;
	return parsed * 2;
}

Result<void> must_be_even(int value)
{
	if (value % 2)
		return Errno::range;
	return {};
}

Result<int> even_plus_one(int value)
{
	TRY(must_be_even(value));
	return value + 1;
}

} // namespace

extern "C" void gbk_result_carries_value(struct kunit *test)
{
	Result<int> answer = 42;
	CHECK(test, answer.is_ok());
	CHECK_EQ(test, answer.value(), 42);
}

extern "C" void gbk_result_carries_kernel_error(struct kunit *test)
{
	Result<int> answer = Error::from_kernel(-gbk_kernel_errno("EFAULT"));
	CHECK(test, answer.is_error());
	CHECK(test, answer.error() == Errno::fault);
	CHECK_EQ(test, answer.error().to_kernel(), -gbk_kernel_errno("EFAULT"));
}

extern "C" void gbk_try_returns_early_on_error(struct kunit *test)
{
	reached_after_try = 0;
	auto good = doubled(21);
	CHECK(test, good.is_ok() && good.value() == 42);
	CHECK_EQ(test, reached_after_try, 1);

	auto bad = doubled(-1);
	CHECK(test, bad.is_error() && bad.error() == Errno::inval);
	CHECK_EQ(test, reached_after_try, 1);
}

extern "C" void gbk_result_void(struct kunit *test)
{
	CHECK(test, even_plus_one(4).is_ok());
	CHECK_EQ(test, even_plus_one(4).value(), 5);
	auto odd = even_plus_one(3);
	CHECK(test, odd.is_error() && odd.error() == Errno::range);
	CHECK_EQ(test, must_be_even(3).to_kernel(), -gbk_kernel_errno("ERANGE"));
	CHECK_EQ(test, must_be_even(2).to_kernel(), 0);
}

extern "C" void gbk_result_owns_a_move_only_value(struct kunit *test)
{
	live_tracked = 0;
	{
		auto made = try_make<Tracked>(7);
		CHECK(test, made.is_ok());
		CHECK_EQ(test, live_tracked, 1);
		UniquePtr<Tracked> taken = made.release_value();
		CHECK_EQ(test, taken->id, 7);
		CHECK_EQ(test, live_tracked, 1);
	}
	CHECK_EQ(test, live_tracked, 0);
}

extern "C" void gbk_unique_ptr_destroys_exactly_once(struct kunit *test)
{
	live_tracked = 0;
	auto first = try_make<Tracked>(1).release_value();
	auto second = try_make<Tracked>(2).release_value();
	CHECK_EQ(test, live_tracked, 2);

	second = move(first); // destroys 2, takes 1
	CHECK_EQ(test, live_tracked, 1);
	CHECK(test, !first);
	CHECK_EQ(test, second->id, 1);

	Tracked *raw = second.leak();
	CHECK(test, !second);
	CHECK_EQ(test, live_tracked, 1);
	UniquePtr<Tracked> adopted(raw);
	adopted.reset();
	CHECK_EQ(test, live_tracked, 0);
	adopted.reset(); // a second reset of an empty owner is a no-op
	CHECK_EQ(test, live_tracked, 0);
}

extern "C" void gbk_try_make_constructs_with_arguments(struct kunit *test)
{
	struct Pair {
		Pair(int a, long b) : a(a), b(b) {}
		int a;
		long b;
	};
	auto pair = try_make<Pair>(3, 4L);
	CHECK(test, pair.is_ok());
	CHECK_EQ(test, pair.value()->a, 3);
	CHECK_EQ(test, pair.value()->b, 4);
}

extern "C" void gbk_unique_array_is_zeroed_and_sized(struct kunit *test)
{
	// Larger than kmalloc's largest slab, so it exercises the vmalloc side of kvmalloc.
	constexpr usize count = 1 << 20;
	auto made = UniqueArray<u64>::try_create(count);
	if (!CHECK(test, made.is_ok()))
		return;
	UniqueArray<u64> array = made.release_value();
	CHECK_EQ(test, array.size(), count);
	u64 sum = 0;
	for (u64 value : array.span())
		sum += value;
	CHECK_EQ(test, sum, 0);

	UniqueArray<u64> moved = move(array);
	CHECK_EQ(test, array.size(), 0);
	CHECK(test, array.data() == nullptr);
	CHECK_EQ(test, moved.size(), count);
}

extern "C" void gbk_unique_array_refuses_overflowing_size(struct kunit *test)
{
	auto made = UniqueArray<u64>::try_create(~usize(0) / 4);
	CHECK(test, made.is_error() && made.error() == Errno::overflow);
}

extern "C" void gbk_unique_array_reports_allocation_failure(struct kunit *test)
{
	// 1 TiB: more than any guest has, and beyond kvmalloc's INT_MAX limit.
	auto made = UniqueArray<u8>::try_create(usize(1) << 40);
	CHECK(test, made.is_error() && made.error() == Errno::nomem);
}

extern "C" void gbk_span_subspan_clamps(struct kunit *test)
{
	int values[] = { 1, 2, 3, 4, 5 };
	Span<int> all(values);
	CHECK_EQ(test, all.size(), 5);
	CHECK_EQ(test, all.subspan(1, 2).size(), 2);
	CHECK_EQ(test, all.subspan(1, 2)[0], 2);
	CHECK_EQ(test, all.subspan(3).size(), 2);
	CHECK_EQ(test, all.subspan(4, 100).size(), 1);
	CHECK(test, all.subspan(5).empty());
	CHECK_EQ(test, all.first(3).size_bytes(), 3 * sizeof(int));
}
