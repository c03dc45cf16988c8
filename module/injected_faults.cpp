// SPDX-License-Identifier: GPL-2.0
#include "injected_faults.h"

#include "kapi/kapi.h"
#include "walk.h"

namespace gb {
namespace {

// The page the damage lands on: one from the middle of what the walk took.
usize victim(const PinnedPages &taken)
{
	return taken.count() / 2;
}

bool fires(kapi_fault fault)
{
	return kapi_fault_hits(fault, 1) != 0;
}

void say(kapi_fault fault, u64 count)
{
	kapi_log_info("fault injected: %s (%llu)", kapi_fault_name(fault), count);
}

} // namespace

InjectedFaults::InjectedFaults(InjectedFaults &&other)
	: spare_(move(other.spare_)), kept_(move(other.kept_)),
	  kept_folios_(move(other.kept_folios_)),
	  unpinned_(exchange(other.unpinned_, nullptr)),
	  extra_put_page_(exchange(other.extra_put_page_, nullptr)),
	  extra_puts_(exchange(other.extra_puts_, 0u)),
	  extra_ref_page_(exchange(other.extra_ref_page_, nullptr)),
	  extra_refs_(exchange(other.extra_refs_, 0u))
{
}

InjectedFaults::~InjectedFaults()
{
	// The repair: what extra_put took and never gave (an error path), and what extra_ref
	// kept. kept_ and spare_ release themselves.
	put_refs(extra_put_page_, extra_puts_);
	put_refs(extra_ref_page_, extra_refs_);
}

void InjectedFaults::put_refs(struct page *&page, u32 &count)
{
	for (; count > 0; count--)
		kapi_page_put(page);
	page = nullptr;
}

Result<void> InjectedFaults::keep(struct page *page, Release kind)
{
	if (!kept_)
		kept_ = TRY(try_make<PinnedPages>(TRY(PinnedPages::create(2, kind, false))));
	kept_->own(page);
	return {};
}

Result<InjectedFaults> InjectedFaults::before_walk(const Walker &walker, Range range,
						   bool verified)
{
	InjectedFaults faults;
	if (!verified)
		return faults;
	u32 spares = kapi_fault_hits(KAPI_FAULT_EXTRA_RELEASE, most_per_walk);
	if (spares) {
		faults.spare_ = TRY(try_make<PinnedPages>(
			TRY(PinnedPages::create(spares, walker.release_kind(), false))));
		// The same page again each time: one walk of one page per spare.
		for (u32 i = 0; i < spares; i++) {
			auto spare = TRY(PinnedPages::create(1, walker.release_kind(), false));
			walk_range_untimed(walker, Range{ range.start, 1 }, 1, spare);
			if (spare.count())
				faults.spare_->own(spare.disown(0));
		}
		say(KAPI_FAULT_EXTRA_RELEASE, faults.spare_->count());
	}
	return faults;
}

Result<void> InjectedFaults::after_walk(PinnedPages &taken)
{
	if (taken.count() == 0)
		return {};
	if (fires(KAPI_FAULT_UNPINNED_PAGE)) {
		// Given back now through an owner of its own; the slot stays for the ledger.
		unpinned_ = taken.held()[victim(taken)];
		auto early = TRY(PinnedPages::create(1, taken.kind(), false));
		early.own(unpinned_);
		early.release();
		say(KAPI_FAULT_UNPINNED_PAGE, 1);
	}
	// Not the unpinned page: it holds nothing to keep.
	if (taken.held()[taken.count() - 1] != unpinned_ && fires(KAPI_FAULT_SHORT_REPORT)) {
		TRY(keep(taken.disown(taken.count() - 1), taken.kind()));
		say(KAPI_FAULT_SHORT_REPORT, 1);
	}
	u32 puts = kapi_fault_hits(KAPI_FAULT_EXTRA_PUT, most_per_walk);
	if (puts && taken.count()) {
		extra_put_page_ = taken.held()[victim(taken)];
		for (extra_puts_ = 0; extra_puts_ < puts; extra_puts_++)
			kapi_page_get(extra_put_page_);
		say(KAPI_FAULT_EXTRA_PUT, puts);
	}
	return {};
}

Result<void> InjectedFaults::before_release(PinnedPages &taken)
{
	if (unpinned_) {
		// Nothing to release for its slot: it holds no reference of ours.
		Span<struct page *> held = taken.held();
		for (usize i = 0; i < held.size(); i++) {
			if (held[i] == unpinned_) {
				taken.disown(i);
				break;
			}
		}
		unpinned_ = nullptr;
	}
	if (taken.count() == 0)
		return {};
	u32 refs = kapi_fault_hits(KAPI_FAULT_EXTRA_REF, most_per_walk);
	if (refs) {
		extra_ref_page_ = taken.held()[victim(taken)];
		for (extra_refs_ = 0; extra_refs_ < refs; extra_refs_++)
			kapi_page_get(extra_ref_page_);
		say(KAPI_FAULT_EXTRA_REF, refs);
	}
	if (fires(KAPI_FAULT_SHORT_RELEASE)) {
		TRY(keep(taken.disown(victim(taken)), taken.kind()));
		say(KAPI_FAULT_SHORT_RELEASE, 1);
	}
	return {};
}

Result<void> InjectedFaults::before_release_folios(PinnedFolios &taken, bool verified)
{
	if (!verified || taken.count() == 0 || !fires(KAPI_FAULT_SHORT_RELEASE))
		return {};
	if (!kept_folios_)
		kept_folios_ = TRY(try_make<PinnedFolios>(TRY(PinnedFolios::create(1))));
	// The folio of the middle pin: with one pin per folio per call, the same folio as
	// page-wise walks strike on small folios.
	kept_folios_->own(taken.disown(taken.count() / 2));
	say(KAPI_FAULT_SHORT_RELEASE, 1);
	return {};
}

void InjectedFaults::during_release()
{
	if (spare_)
		spare_->release();
	put_refs(extra_put_page_, extra_puts_);
}

} // namespace gb
