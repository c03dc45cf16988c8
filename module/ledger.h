/* SPDX-License-Identifier: GPL-2.0 */
// The ledger: for every folio a walk took, what the kernel says before release and after,
// held against what gupbench did. FOLL_PIN on a small folio adds GUP_PIN_COUNTING_BIAS to
// its refcount per pin; on a large folio it adds 1 to the refcount and 1 to _pincount;
// FOLL_GET adds 1 to the refcount. After release everything must be back. The vmstat
// pin counters must move by exactly our pins, which only holds when no other gupbench run
// overlapped ours (other kernel pinners are not expected in the test guest).
#pragma once

#include "gupbench/alloc.h"
#include "kapi/gup.h"

#include <uapi/gupbench.h>

namespace gb {

class Ledger {
public:
	struct Folio {
		const void *folio;
		struct page *page;  // one page of it we took
		u64 first_index;    // its first page's index in the walk
		u32 taken;          // how many of our references it holds
		s32 refcount;       // after the walk, before release
		s32 pincount;       // likewise; -1 for small folios
	};

	// Before the walk.
	static Ledger open(bool pins);
	~Ledger();
	Ledger(Ledger &&other);
	Ledger(const Ledger &) = delete;
	Ledger &operator=(const Ledger &) = delete;
	Ledger &operator=(Ledger &&) = delete;

	// After the walk, before release: records each folio's counts and checks the pages
	// hold what we took. Only allocation failure is an error; mismatches go into `out`.
	Result<void> after_take(Span<struct page *> pages, gupbench_repeat &out);
	// After release: every folio back by exactly our share; vmstat moved by our pins.
	void after_release(gupbench_repeat &out);

private:
	explicit Ledger(bool pins);
	void mismatch(gupbench_repeat &out, gupbench_mismatch what, u64 page_index, s64 expected,
		      s64 observed);

	bool pins_;
	bool open_ = true;
	u64 runs_started_at_open_;
	u64 other_runs_in_flight_;
	unsigned long vmstat_acquired_;
	unsigned long vmstat_released_;
	u64 pages_taken_ = 0;
	UniqueArray<Folio> folios_;
	usize folio_count_ = 0;
};

} // namespace gb
