// SPDX-License-Identifier: GPL-2.0
#include "ledger.h"

#include "kapi/kapi.h"

namespace gb {
namespace {

// gupbench walks, holds and releases (PinActivity) in flight and started, module-wide: a
// walk that overlaps another cannot attribute the counts' movement to itself. Both counts
// live in one word, moved by one atomic add, so that two activities starting at once are
// ordered: the later one sees the earlier in flight, the earlier sees the later started.
// With two separate atomics each could miss the other (in flight counted before the
// other's, started counted after), which CI once saw on 6.1 as a MISMATCH of 64 pins of
// another thread's walk. Plain integer: no constructor.
constexpr u64 one_in_flight = 1;
constexpr u64 one_started = u64(1) << 32;
constexpr u64 in_flight_mask = one_started - 1;
u64 activity_word; // started (upper 32 bits, wraps) | in flight (lower 32 bits)

void sift_down(Span<Ledger::Folio> heap, usize root, usize end)
{
	while (2 * root + 1 < end) {
		usize child = 2 * root + 1;
		if (child + 1 < end && heap[child].folio < heap[child + 1].folio)
			child++;
		if (!(heap[root].folio < heap[child].folio))
			return;
		Ledger::Folio tmp = heap[root];
		heap[root] = heap[child];
		heap[child] = tmp;
		root = child;
	}
}

// In place and O(n log n): a walk may take hundreds of thousands of pages.
void sort_by_folio(Span<Ledger::Folio> folios)
{
	usize n = folios.size();
	for (usize start = n / 2; start-- > 0;)
		sift_down(folios, start, n);
	for (usize end = n; end-- > 1;) {
		Ledger::Folio tmp = folios[0];
		folios[0] = folios[end];
		folios[end] = tmp;
		sift_down(folios, 0, end);
	}
}

} // namespace

PinActivity::PinActivity()
{
	u64 word = __atomic_fetch_add(&activity_word, one_in_flight | one_started, __ATOMIC_SEQ_CST);
	others_at_start_ = word & in_flight_mask;
	started_at_start_ = (word >> 32) + 1;
}

PinActivity::PinActivity(PinActivity &&other)
	: others_at_start_(other.others_at_start_), started_at_start_(other.started_at_start_),
	  active_(exchange(other.active_, false))
{
}

PinActivity::~PinActivity()
{
	if (active_)
		__atomic_fetch_sub(&activity_word, one_in_flight, __ATOMIC_SEQ_CST);
}

bool PinActivity::overlapped() const
{
	u32 started_now = u32(__atomic_load_n(&activity_word, __ATOMIC_SEQ_CST) >> 32);
	return others_at_start_ != 0 || started_now != started_at_start_;
}

Ledger::Ledger(bool pins, bool longterm, u64 range_pages)
	: pins_(pins), longterm_(longterm), range_pages_(range_pages)
{
	vmstat_acquired_ = kapi_vmstat_foll_pin_acquired();
	vmstat_released_ = kapi_vmstat_foll_pin_released();
}

Ledger Ledger::open(bool pins, bool longterm, u64 range_pages)
{
	return Ledger(pins, longterm, range_pages);
}

void Ledger::mismatch(gupbench_repeat &out, gupbench_mismatch what, u64 page_index,
		      s64 expected, s64 observed)
{
	if (out.mismatch != GUPBENCH_MISMATCH_NONE)
		return; // the first offender is the one reported
	out.verdict = GUPBENCH_VERDICT_MISMATCH;
	out.mismatch = what;
	out.mismatch_page = page_index;
	out.mismatch_expected = expected;
	out.mismatch_observed = observed;
}

Result<void> Ledger::after_take(Span<struct page *> pages, gupbench_repeat &out)
{
	return take(pages, nullptr, pages.size(), out);
}

Result<void> Ledger::after_take_folios(Span<struct page *> heads, Span<u64> first_page,
				       u64 pages_covered, gupbench_repeat &out)
{
	GB_ASSERT(first_page.size() == heads.size());
	return take(heads, first_page.data(), pages_covered, out);
}

Result<void> Ledger::take(Span<struct page *> pages, const u64 *first_page, u64 pages_covered,
			  gupbench_repeat &out)
{
	acquired_at_take_ = kapi_vmstat_foll_pin_acquired();
	released_at_take_ = kapi_vmstat_foll_pin_released();
	pages_taken_ = pages.size(); // references taken: pins, for the vmstat check
	// A walk that stopped without an error took the whole range, or someone miscounted.
	if (out.error == 0 && pages_covered != range_pages_)
		mismatch(out, GUPBENCH_MISMATCH_PAGES_TAKEN, min(pages_covered, range_pages_),
			 range_pages_, pages_covered);
	folios_ = TRY(UniqueArray<Folio>::try_create(pages.size()));
	// Consecutive pages of one folio (a THP, a hugetlb page) make one entry...
	for (usize i = 0; i < pages.size(); i++) {
		const void *folio = kapi_page_folio(pages[i]);
		if (folio_count_ && folios_[folio_count_ - 1].folio == folio) {
			folios_[folio_count_ - 1].taken++;
			continue;
		}
		u64 index = first_page ? first_page[i] : i;
		folios_[folio_count_++] = Folio{ folio, pages[i], index, 1, 0, 0, 0, false };
	}
	// ...and a folio met again further on (the same page mapped twice) joins its entry.
	Span<Folio> folios = folios_.span().first(folio_count_);
	sort_by_folio(folios);
	usize merged = 0;
	for (usize i = 0; i < folios.size(); i++) {
		if (merged && folios[merged - 1].folio == folios[i].folio) {
			folios[merged - 1].taken += folios[i].taken;
			folios[merged - 1].first_index =
				min(folios[merged - 1].first_index, folios[i].first_index);
		} else {
			folios[merged++] = folios[i];
		}
	}
	folio_count_ = merged;
	out.folios = static_cast<u32>(merged);

	u32 bias = kapi_pin_counting_bias();
	for (Folio &f : folios_.span().first(folio_count_)) {
		// Which sizes of folio the walk met: what a memory kind was meant to be backed
		// by (a THP, multi-size THP) is seen here, not assumed.
		int order = kapi_page_folio_order(f.page);
		out.folio_orders |= 1u << min(order, 31);
		out.large_folios += order > 0;
		f.zero = kapi_page_is_zero(f.page);
		if (f.zero) {
			zero_pages_taken_ += f.taken;
			continue;
		}
		f.refcount = kapi_page_refcount(f.page);
		f.pincount = kapi_folio_pincount(f.page);
		f.mapcount = kapi_page_mapcount(f.page);
		if (pins_ && !kapi_page_maybe_dma_pinned(f.page))
			mismatch(out, GUPBENCH_MISMATCH_NOT_PINNED, f.first_index, 1, 0);
		if (longterm_ && !kapi_page_longterm_pinnable(f.page))
			mismatch(out, GUPBENCH_MISMATCH_NOT_LONGTERM_PINNABLE, f.first_index, 1, 0);
		// We hold our share, so the count is at least that, plus the mapping's own
		// while the page is mapped (a racing munmap may have taken that one away).
		// A large folio's pincount is exact, so it is the first witness.
		if (pins_ && f.pincount >= 0 && f.pincount < s64(f.taken))
			mismatch(out, GUPBENCH_MISMATCH_PINCOUNT_TAKEN, f.first_index, f.taken,
				 f.pincount);
		s64 ours = pins_ && f.pincount < 0 ? s64(f.taken) * bias : s64(f.taken);
		s64 least = ours + (f.mapcount > 0 ? 1 : 0);
		if (f.refcount < least)
			mismatch(out, GUPBENCH_MISMATCH_REFCOUNT_TAKEN, f.first_index, least,
				 f.refcount);
	}
	return {};
}

Ledger::Finding Ledger::release_finding(bool &remapped) const
{
	Finding found; // the first offender
	auto note = [&found](gupbench_mismatch what, u64 page, s64 expected, s64 observed) {
		if (found.what == GUPBENCH_MISMATCH_NONE)
			found = { what, page, expected, observed };
	};
	u32 bias = kapi_pin_counting_bias();
	for (const Folio &f : folios_.span().first(folio_count_)) {
		if (f.zero)
			continue;
		if (kapi_page_mapcount(f.page) != f.mapcount)
			remapped = true; // mapped or unmapped meanwhile: refcounts moved too
		bool small = f.pincount < 0;
		if (!small) { // exact, so the first witness
			s64 pin_share = pins_ ? f.taken : 0;
			s64 pin_now = kapi_folio_pincount(f.page);
			if (f.pincount - pin_now != pin_share)
				note(GUPBENCH_MISMATCH_PINCOUNT_RELEASED, f.first_index,
				     f.pincount - pin_share, pin_now);
		}
		s64 ref_share = pins_ && small ? s64(f.taken) * bias : s64(f.taken);
		s64 ref_now = kapi_page_refcount(f.page);
		s64 dropped = f.refcount - ref_now;
		// Exactly our share went, or one reference more: a per-CPU LRU batch's
		// (ledger.h). Pins on a small folio are held to the same rule, not rounded to
		// units of the bias, so that a reference kept or dropped beside them is seen.
		bool ours_went = dropped == ref_share || dropped == ref_share + 1;
		if (!ours_went)
			note(GUPBENCH_MISMATCH_REFCOUNT_RELEASED, f.first_index, f.refcount - ref_share,
			     ref_now);
	}
	return found;
}

void Ledger::after_release(gupbench_repeat &out)
{
	const unsigned long acquired_now = kapi_vmstat_foll_pin_acquired();
	const unsigned long released_now = kapi_vmstat_foll_pin_released();
	out.vmstat_pins_acquired = acquired_now - vmstat_acquired_;
	out.vmstat_pins_released = released_now - vmstat_released_;
	if (out.verdict == GUPBENCH_VERDICT_MISMATCH)
		return; // what the walk took was already wrong

	// Everything is read first; whether another walk overlapped is decided last, so that
	// one that began during these reads is seen too.
	bool remapped = false;
	Finding found = release_finding(remapped);
	// A reference the kernel holds for a moment may sit on a folio as we read it:
	// compaction's and migration's scanners take one on any page they look at
	// (get_page_unless_zero), then drop it. It goes within microseconds; a leak stays.
	// So a refcount finding is read again, a millisecond apart, before it stands.
	for (u32 i = 0; i < settle_reads && found.what == GUPBENCH_MISMATCH_REFCOUNT_RELEASED; i++) {
		kapi_sleep_ms(1);
		found = release_finding(remapped);
	}
	// The pins held once the walk was over (acquired less released: 6.1's fast walker
	// pins a COW-shared page, drops it again and lets the slow walker unshare and pin,
	// which moves both counters), then exactly those given back by the release, which
	// acquires none.
	s64 held_after_walk = s64(acquired_at_take_ - vmstat_acquired_) -
			      s64(released_at_take_ - vmstat_released_);
	s64 given_back = s64(released_now - released_at_take_);
	s64 expected_pins = pins_ ? s64(pages_taken_) : 0;
	// Whether this kernel pins the zero page is its own affair (ledger.h): both are exact.
	if (pins_ && zero_pages_taken_ && held_after_walk == s64(pages_taken_ - zero_pages_taken_))
		expected_pins = s64(pages_taken_ - zero_pages_taken_);
	if (found.what == GUPBENCH_MISMATCH_NONE && held_after_walk != expected_pins)
		found = { GUPBENCH_MISMATCH_VMSTAT, 0, expected_pins, held_after_walk };
	else if (found.what == GUPBENCH_MISMATCH_NONE &&
		 (given_back != expected_pins || acquired_now != acquired_at_take_))
		found = { GUPBENCH_MISMATCH_VMSTAT, 0, expected_pins,
			  given_back != expected_pins
				  ? given_back
				  : expected_pins + s64(acquired_now - acquired_at_take_) };

	if (remapped || activity_.overlapped()) {
		out.verdict = GUPBENCH_VERDICT_OVERLAPPED;
	} else if (found.what != GUPBENCH_MISMATCH_NONE) {
		mismatch(out, found.what, found.page, found.expected, found.observed);
	} else {
		out.verdict = GUPBENCH_VERDICT_EXACT;
	}
}

} // namespace gb
