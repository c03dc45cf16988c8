/* SPDX-License-Identifier: GPL-2.0 */
// The ledger: for every folio a walk took, what the kernel says before release and after,
// held against what gupbench did. FOLL_PIN on a small folio adds GUP_PIN_COUNTING_BIAS to
// its refcount per pin; on a large folio it adds 1 to the refcount and 1 to _pincount;
// FOLL_GET adds 1 to the refcount. After release everything must be back. The vmstat
// pin counters must show exactly our pins held after the walk (acquired less released: a
// pin the fast walker takes and drops again before the slow walker unshares a COW page
// counts in both) and exactly those given back by the release. Both hold only when no other gupbench run
// overlapped ours: two runs may share pages (threads on one buffer). Other kernel pinners
// are not expected in the test guest.
//
// The kernel holds references of its own that come and go: a folio just faulted in or
// marked accessed sits in a per-CPU LRU batch, which holds one reference until the batch
// drains, at a moment nobody controls (a module cannot drain it: lru_add_drain*() are not
// exported). So on release one reference more than ours may go, never fewer and never two
// more, for pins on small folios (GUP_PIN_COUNTING_BIAS each) as for the rest; large
// folios' pincount and /proc/vmstat stay exact. A walk that ends without an error has
// taken the whole range. Tests make each of these checks fail on purpose
// (injected_faults.h).
//
// Two things make a walk's share impossible to tell apart, and the verdict then says
// OVERLAPPED rather than guessing: another gupbench walk, HOLD or release at the same time
// (PinActivity), and a page whose mappings changed meanwhile (munmap, COW, migration: its
// mapcount moved). The shared zero page is never checked: every process maps it, and
// kernels since "mm: don't pin the zero page" (in Debian's 6.1.192) take no pin on it.
#pragma once

#include "gupbench/alloc.h"
#include "kapi/gup.h"

#include <uapi/gupbench.h>

namespace gb {

// A stretch in which gupbench takes or releases pins: a walk with its ledger, a HOLD, a
// release. Any two that overlap know it, so neither claims the other's counts.
class PinActivity {
public:
	PinActivity();
	PinActivity(PinActivity &&other);
	~PinActivity();
	PinActivity(const PinActivity &) = delete;
	PinActivity &operator=(const PinActivity &) = delete;
	PinActivity &operator=(PinActivity &&) = delete;

	// Whether another activity was in flight at the start or has started since.
	bool overlapped() const;

private:
	u32 others_at_start_;
	u32 started_at_start_; // the started count including this one
	bool active_ = true;
};

class Ledger {
public:
	struct Folio {
		const void *folio;
		struct page *page;  // one page of it we took
		u64 first_index;    // its first page's index in the walk
		u32 taken;          // how many of our references it holds
		s32 refcount;       // after the walk, before release
		s32 pincount;       // likewise; -1 for small folios
		s32 mapcount;       // of `page`, likewise
		bool zero;          // the shared zero page: not checked
	};

	// Before the walk of `range_pages` pages. `longterm`: the walk used FOLL_LONGTERM, so
	// every page it took must be long-term pinnable.
	static Ledger open(bool pins, bool longterm, u64 range_pages);
	Ledger(Ledger &&other) = default;
	Ledger(const Ledger &) = delete;
	Ledger &operator=(const Ledger &) = delete;
	Ledger &operator=(Ledger &&) = delete;

	// After the walk, before release: records each folio's counts and checks the pages
	// hold what we took, and that a walk without an error (out.error) took the whole
	// range. Only allocation failure is an error; mismatches go into `out`.
	Result<void> after_take(Span<struct page *> pages, gupbench_repeat &out);
	// The same for a memfd walk, whose every call pins each folio it covers once whatever
	// its size: `heads` holds a folio's first page per pin, `first_page[i]` the index of
	// the first page of the range heads[i] covers, `pages_covered` how much of the range
	// the folios cover (a walk without an error covered all of it).
	Result<void> after_take_folios(Span<struct page *> heads, Span<u64> first_page,
				       u64 pages_covered, gupbench_repeat &out);
	// After release: every folio back by exactly our share; vmstat moved by our pins.
	// When another run overlapped ours, neither can be attributed: the verdict says so.
	void after_release(gupbench_repeat &out);

	// How often a refcount finding at release is read again before it stands: the
	// kernel's scanners hold a reference for a moment on any page (ledger.cpp).
	static constexpr u32 settle_reads = 20;

private:
	struct Finding {
		gupbench_mismatch what = GUPBENCH_MISMATCH_NONE;
		u64 page = 0;
		s64 expected = 0, observed = 0;
	};

	Ledger(bool pins, bool longterm, u64 range_pages);
	// after_take's work; `first_page` null: pages[i] is page i of the range.
	Result<void> take(Span<struct page *> pages, const u64 *first_page, u64 pages_covered,
			  gupbench_repeat &out);
	// Each folio against what it held before release; sets `remapped` when a mapping of
	// one changed meanwhile.
	Finding release_finding(bool &remapped) const;
	void mismatch(gupbench_repeat &out, gupbench_mismatch what, u64 page_index, s64 expected,
		      s64 observed);

	bool pins_;
	bool longterm_;
	u64 range_pages_;
	PinActivity activity_; // from open: the whole walk, release and reads
	unsigned long vmstat_acquired_;
	unsigned long vmstat_released_;
	unsigned long acquired_at_take_ = 0; // the counters as after_take found them
	unsigned long released_at_take_ = 0;
	u64 pages_taken_ = 0;
	u64 zero_pages_taken_ = 0;
	UniqueArray<Folio> folios_;
	usize folio_count_ = 0;
};

} // namespace gb
