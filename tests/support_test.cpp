// The kernel C++ support headers, on the host: the same code the module compiles.
#include <gtest/gtest.h>

#include "gupbench/alloc.h"
#include "gupbench/result.h"
#include "gupbench/span.h"
#include "host_runtime.h"

using namespace gb;

namespace {

int live;
struct Tracked {
	explicit Tracked(int id) : id(id) { live++; }
	~Tracked() { live--; }
	int id;
};

Result<int> positive(int v)
{
	if (v <= 0)
		return Errno::inval;
	return v;
}

Result<int> chain(int v, int *steps)
{
	int a = TRY(positive(v));
	(*steps)++;
	int b = TRY(positive(a - 10));
	(*steps)++;
	return b;
}

} // namespace

TEST(Result, ValueAndError)
{
	Result<int> ok = 5;
	ASSERT_TRUE(ok.is_ok());
	EXPECT_EQ(ok.value(), 5);
	Result<int> bad = Error::from_kernel(-14);
	ASSERT_TRUE(bad.is_error());
	EXPECT_TRUE(bad.error() == Errno::fault);
	EXPECT_EQ(bad.error().to_kernel(), -14);
}

TEST(Result, TryStopsAtTheFirstError)
{
	int steps = 0;
	auto first_fails = chain(-1, &steps);
	EXPECT_TRUE(first_fails.is_error());
	EXPECT_EQ(steps, 0);

	steps = 0;
	auto second_fails = chain(5, &steps);
	EXPECT_TRUE(second_fails.is_error());
	EXPECT_EQ(steps, 1);

	steps = 0;
	auto both_pass = chain(15, &steps);
	ASSERT_TRUE(both_pass.is_ok());
	EXPECT_EQ(both_pass.value(), 5);
	EXPECT_EQ(steps, 2);
}

TEST(Result, VoidToKernel)
{
	Result<void> ok;
	EXPECT_EQ(ok.to_kernel(), 0);
	Result<void> bad = Errno::busy;
	EXPECT_EQ(bad.to_kernel(), -16);
}

TEST(Result, ErrorAccessOnValueTraps)
{
	Result<int> ok = 1;
	EXPECT_DEATH((void)ok.error(), "");
}

TEST(UniquePtr, MoveAndResetDestroyOnce)
{
	live = 0;
	{
		auto a = try_make<Tracked>(1).release_value();
		auto b = try_make<Tracked>(2).release_value();
		EXPECT_EQ(live, 2);
		b = move(a);
		EXPECT_EQ(live, 1);
		EXPECT_EQ(b->id, 1);
		EXPECT_FALSE(a);
	}
	EXPECT_EQ(live, 0);
}

TEST(TryMake, ReportsAllocationFailure)
{
	live = 0;
	host_runtime::allocations_to_fail = 1;
	auto made = try_make<Tracked>(3);
	ASSERT_TRUE(made.is_error());
	EXPECT_TRUE(made.error() == Errno::nomem);
	EXPECT_EQ(live, 0); // no constructor ran on the failed allocation
}

TEST(UniqueArray, ZeroedSizedAndMovable)
{
	auto made = UniqueArray<unsigned long>::try_create(1000);
	ASSERT_TRUE(made.is_ok());
	auto array = made.release_value();
	ASSERT_EQ(array.size(), 1000u);
	for (auto value : array.span())
		EXPECT_EQ(value, 0u);
	auto moved = move(array);
	EXPECT_EQ(array.size(), 0u);
	EXPECT_EQ(moved.size(), 1000u);
}

TEST(UniqueArray, OverflowAndFailure)
{
	auto overflow = UniqueArray<u64>::try_create(~usize(0) / 4);
	ASSERT_TRUE(overflow.is_error());
	EXPECT_TRUE(overflow.error() == Errno::overflow);

	host_runtime::allocations_to_fail = 1;
	auto failed = UniqueArray<u64>::try_create(16);
	ASSERT_TRUE(failed.is_error());
	EXPECT_TRUE(failed.error() == Errno::nomem);

	auto empty = UniqueArray<u64>::try_create(0);
	ASSERT_TRUE(empty.is_ok());
	EXPECT_EQ(empty.value().size(), 0u);
}

TEST(Span, SubspanClampsAndIndexChecks)
{
	int values[] = { 1, 2, 3, 4 };
	Span<int> all(values);
	EXPECT_EQ(all.subspan(2).size(), 2u);
	EXPECT_EQ(all.subspan(1, 100).size(), 3u);
	EXPECT_EQ(all.first(2)[1], 2);
	EXPECT_DEATH((void)all[4], "");
}
