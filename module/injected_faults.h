/* SPDX-License-Identifier: GPL-2.0 */
// Damage done on purpose to one verified walk, so that a test can watch the ledger say
// MISMATCH and name the page and the kind (the checker shown saying no). A test arms a kind
// through the kernel's fault-injection attributes, /sys/kernel/debug/gupbench/fail_<kind>/
// (kapi/fault.h lists them); unarmed, each hook is one should_fail() check per walk, outside
// any timed region, and only on GUPBENCH_FLAG_VERIFY walks, which the ledger checks.
//
// Every reference the damage moves is owned here and given back when this object goes,
// after the ledger's verdict: the kernel's counts and /proc/vmstat balance again.
//
// Where each kind strikes, in measure_walk() order:
//   before_walk     extra_release: spare pages taken with the walk's own walker, before the
//                   ledger opens, so they count as the kernel's (its vmstat baseline too)
//   after_walk      unpinned_page: one page's reference given back early, its slot left
//                   as a GUP that never took it would leave it; short_report: the last
//                   page hidden from the walk's count; extra_put: references of our own
//                   on one page, before the ledger looks
//   before_release  extra_ref: references taken on one page that the release keeps;
//                   short_release: one page kept back from the release (on a memfd walk,
//                   one folio: before_release_folios, the only kind memfd walks take)
//   during_release  extra_release and extra_put give theirs back with the walk's
#pragma once

#include "gupbench/alloc.h"
#include "kapi/fault.h"
#include "pinned_folios.h"
#include "pinned_pages.h"
#include "walker.h"

namespace gb {

struct Range;

class InjectedFaults {
public:
	InjectedFaults() = default;
	InjectedFaults(InjectedFaults &&other);
	InjectedFaults(const InjectedFaults &) = delete;
	InjectedFaults &operator=(const InjectedFaults &) = delete;
	InjectedFaults &operator=(InjectedFaults &&) = delete;
	~InjectedFaults();

	// Nothing is armed for a walk the ledger does not check (`verified` false). Only
	// allocation fails, and only when a fault fires.
	static Result<InjectedFaults> before_walk(const Walker &walker, Range range, bool verified);
	Result<void> after_walk(PinnedPages &taken);
	Result<void> before_release(PinnedPages &taken);
	// A verified memfd walk's folios; nothing armed for one the ledger does not check.
	Result<void> before_release_folios(PinnedFolios &taken, bool verified);
	void during_release();

	// At most this many firings of one kind per walk (extra references, spare pages).
	static constexpr u32 most_per_walk = 4;

private:
	Result<void> keep(struct page *page, Release kind);
	void put_refs(struct page *&page, u32 &count);

	UniquePtr<PinnedPages> spare_; // extra_release
	UniquePtr<PinnedPages> kept_;  // short_report, short_release: given back at the end
	UniquePtr<PinnedFolios> kept_folios_; // short_release of a memfd walk: likewise
	struct page *unpinned_ = nullptr; // its slot is still in the walk's pages
	struct page *extra_put_page_ = nullptr;
	u32 extra_puts_ = 0;
	struct page *extra_ref_page_ = nullptr;
	u32 extra_refs_ = 0;
};

} // namespace gb
