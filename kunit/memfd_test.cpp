// SPDX-License-Identifier: GPL-2.0
// KUnit cases for the memfd walker (memfd_walk.h) on a shmem file, a memfd's kind of file:
// memfd_pin_folios() pins exactly what the ledger expects, PinnedFolios gives back what it
// holds, bad ranges are refused, and a folio kept back from the release is caught. Before
// 6.11 the kernel has no memfd_pin_folios(): there the walker is refused with EOPNOTSUPP,
// and that refusal is what each case checks.
#include "bridge.h"
#include "cases.h"
#include "kapi/fault.h"
#include "kapi/gup.h"
#include "memfd_walk.h"
#include "pinned_folios.h"
#include "walker.h"

using namespace gb;

namespace {

constexpr usize file_pages = 16;

// True when this kernel has the walker; otherwise checks that it is refused as missing.
bool memfd_walker_present(struct kunit *test)
{
	auto walker = Walker::create(GUPBENCH_WALKER_PIN_MEMFD, 0, 0);
	if (KAPI_HAS_MEMFD_PIN_FOLIOS)
		return CHECK(test, walker.is_ok());
	CHECK(test, walker.is_error() && walker.error() == Errno::opnotsupp);
	return false;
}

// A shmem file of file_pages pages, owned; an error (checked) when it cannot be made.
Result<MemfdFile> shmem_file(struct kunit *test)
{
	struct file *file = gbk_shmem_file(file_pages * kapi_page_size());
	if (!CHECK(test, file != nullptr))
		return Errno::nomem;
	auto owned = MemfdFile::adopt("kunit", file);
	CHECK(test, owned.is_ok());
	return owned;
}

// One repeat as RUN makes it, with the ledger on. Its own frame: a record is 504 bytes.
__attribute__((noinline)) gupbench_repeat verified_memfd_walk(struct kunit *test,
							      const MemfdFile &file, u64 offset,
							      usize pages, usize per_call)
{
	gupbench_repeat out{};
	auto range = checked_memfd_range("kunit", file, offset, pages * kapi_page_size(),
					 static_cast<u32>(per_call));
	if (CHECK(test, range.is_ok()))
		CHECK(test, measure_memfd_walk(file, range.value(), per_call, GUPBENCH_FLAG_VERIFY,
					       out).is_ok());
	return out;
}

// One exact walk of small folios (shmem's huge pages are off): every page, one pin each.
__attribute__((noinline)) void check_exact_walk(struct kunit *test, const MemfdFile &file,
						u64 first_page, usize pages, usize per_call, u64 calls)
{
	auto out = verified_memfd_walk(test, file, first_page * kapi_page_size(), pages, per_call);
	CHECK_EQ(test, out.error, 0);
	CHECK_EQ(test, out.pages_done, pages);
	CHECK_EQ(test, out.calls, calls);
	CHECK_EQ(test, out.folios, pages);
	CHECK_EQ(test, out.verdict, GUPBENCH_VERDICT_EXACT);
	CHECK_EQ(test, out.vmstat_pins_acquired, pages);
	CHECK_EQ(test, out.vmstat_pins_released, pages);
}

__attribute__((noinline)) u32 verdict_of_plain_walk(struct kunit *test, const MemfdFile &file)
{
	return verified_memfd_walk(test, file, 0, file_pages, 5).verdict;
}

// short_release armed for one walk: the middle folio is named, and vmstat balances once
// the fault's owner has given the pin back.
__attribute__((noinline)) void check_kept_back_caught(struct kunit *test, const MemfdFile &file)
{
	unsigned long acquired = kapi_vmstat_foll_pin_acquired();
	unsigned long released = kapi_vmstat_foll_pin_released();
	CHECK_EQ(test, kapi_fault_arm(KAPI_FAULT_SHORT_RELEASE, 1), 0);
	auto out = verified_memfd_walk(test, file, 0, file_pages, 5);
	kapi_fault_arm(KAPI_FAULT_SHORT_RELEASE, 0);
	CHECK_EQ(test, out.verdict, GUPBENCH_VERDICT_MISMATCH);
	CHECK_EQ(test, out.mismatch, GUPBENCH_MISMATCH_REFCOUNT_RELEASED);
	CHECK_EQ(test, out.mismatch_page, file_pages / 2);
	CHECK_EQ(test, kapi_vmstat_foll_pin_acquired() - acquired,
		 kapi_vmstat_foll_pin_released() - released);
}

} // namespace

extern "C" void gbk_pin_memfd_ledger_is_exact(struct kunit *test)
{
	if (!memfd_walker_present(test))
		return;
	auto file = shmem_file(test);
	if (file.is_error())
		return;
	// The whole file, from holes: memfd_pin_folios() allocates what is missing.
	check_exact_walk(test, file.value(), 0, file_pages, 5, 4); // 5 + 5 + 5 + 1
	// A range inside it, now populated.
	check_exact_walk(test, file.value(), 3, 10, 4, 3); // 4 + 4 + 2
}

extern "C" void gbk_pinned_folios_release_when_dropped(struct kunit *test)
{
	if (!memfd_walker_present(test))
		return;
	auto file = shmem_file(test);
	if (file.is_error())
		return;
	const long long bytes = 4 * static_cast<long long>(kapi_page_size());
	unsigned long acquired = kapi_vmstat_foll_pin_acquired();
	unsigned long released = kapi_vmstat_foll_pin_released();
	struct page *first = nullptr;
	{
		auto folios = PinnedFolios::create(4).release_value();
		unsigned long offset = 0;
		long pinned = kapi_memfd_pin_folios(file.value().get(), 0, bytes - 1,
						    folios.unfilled().data(), 4, &offset);
		if (!CHECK_EQ(test, pinned, 4))
			return;
		folios.adopt(4);
		first = kapi_folio_page(folios.held()[0]);
		CHECK(test, kapi_page_maybe_dma_pinned(first));
		CHECK_EQ(test, kapi_vmstat_foll_pin_acquired() - acquired, 4);
		CHECK_EQ(test, kapi_vmstat_foll_pin_released() - released, 0);
	} // dropped here, never released explicitly; the file keeps the folios
	CHECK_EQ(test, kapi_vmstat_foll_pin_released() - released, 4);
	CHECK(test, !kapi_page_maybe_dma_pinned(first));
}

extern "C" void gbk_memfd_range_refuses_bad_ranges(struct kunit *test)
{
	if (!memfd_walker_present(test))
		return;
	auto file = shmem_file(test);
	if (file.is_error())
		return;
	const u64 page = kapi_page_size(), size = file_pages * page;
	const MemfdFile &f = file.value();
	CHECK(test, checked_memfd_range("kunit", f, 0, size, 1).is_ok());
	CHECK(test, checked_memfd_range("kunit", f, size - page, page, 1).is_ok());
	CHECK(test, checked_memfd_range("kunit", f, 1, page, 1).error() == Errno::inval);
	CHECK(test, checked_memfd_range("kunit", f, 0, 0, 1).error() == Errno::inval);
	CHECK(test, checked_memfd_range("kunit", f, 0, page, 0).error() == Errno::inval);
	CHECK(test, checked_memfd_range("kunit", f, page, size, 1).error() == Errno::inval);
	CHECK(test, checked_memfd_range("kunit", f, size, page, 1).error() == Errno::inval);
	CHECK(test, checked_memfd_range("kunit", f, ~u64(0) & ~(page - 1), page, 1).is_error());
}

// short_release on a memfd walk (injected_faults.h): the middle folio's pin is kept past
// the release; the ledger names it, vmstat balances once it is given back, and the next
// walk is exact.
extern "C" void gbk_ledger_catches_a_memfd_folio_kept_back(struct kunit *test)
{
	if (!memfd_walker_present(test))
		return;
	if (kapi_fault_arm(KAPI_FAULT_SHORT_RELEASE, 0) != 0) {
		gbk_skip(test, "this kernel has no CONFIG_FAULT_INJECTION");
		return;
	}
	auto file = shmem_file(test);
	if (file.is_error())
		return;
	CHECK_EQ(test, verdict_of_plain_walk(test, file.value()), GUPBENCH_VERDICT_EXACT);
	check_kept_back_caught(test, file.value());
	// The next walk, with nothing armed, is exact again: the repair was whole.
	CHECK_EQ(test, verdict_of_plain_walk(test, file.value()), GUPBENCH_VERDICT_EXACT);
}
