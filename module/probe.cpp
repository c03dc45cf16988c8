// SPDX-License-Identifier: GPL-2.0
// PROBE: the kernel's own counts of each folio behind a range of the caller's memory (or
// of a process it may ptrace), so that a test can watch a kernel pinner (io_uring,
// vmsplice, O_DIRECT...) hold it. One page at a time: a reference taken without
// faulting, read, given back.
#include "kapi/gup.h"
#include "kapi/kapi.h"
#include "mm_ref.h"
#include "session.h"
#include "user_struct.h"
#include "walk.h"

namespace gb {
namespace {

// Runs of one folio's pages become one record each, written as soon as the run ends.
class FolioRecords {
public:
	FolioRecords(const gupbench_probe &p) : out_(p.folios), size_(p.folio_size), max_(p.max_folios) {}

	// `page` is the probe's own reference; it stays the caller's to give back. What this
	// file's HOLD keeps on the folio is counted once per record, not per page.
	Result<void> add(u64 addr, struct page *page, HeldPages &held)
	{
		const void *folio = kapi_page_folio(page);
		if (open_ && folio == folio_) {
			record_.pages++;
			return {};
		}
		TRY(flush());
		folio_ = folio;
		open_ = true;
		record_ = {};
		record_.first_addr = addr;
		record_.pfn = kapi_page_pfn(page);
		record_.pages = 1;
		record_.order = static_cast<u32>(kapi_page_folio_order(page));
		record_.refcount = kapi_page_refcount(page) - 1; // ours
		const int pincount = kapi_folio_pincount(page);
		if (pincount >= 0) {
			record_.pincount = pincount;
			record_.flags |= GUPBENCH_PROBE_PINCOUNT_EXACT;
		} else {
			record_.pincount = record_.refcount / static_cast<s32>(kapi_pin_counting_bias());
		}
		record_.mapcount = kapi_page_mapcount(page);
		record_.held = static_cast<u32>(held.held_on(folio));
		if (kapi_page_maybe_dma_pinned(page))
			record_.flags |= GUPBENCH_PROBE_MAYBE_DMA_PINNED;
		if (kapi_page_longterm_pinnable(page))
			record_.flags |= GUPBENCH_PROBE_LONGTERM_PINNABLE;
		if (kapi_page_is_anon(page))
			record_.flags |= GUPBENCH_PROBE_ANON;
		if (kapi_page_is_zero(page))
			record_.flags |= GUPBENCH_PROBE_ZERO_PAGE;
		return {};
	}
	// A page not present ends the run: the next present page starts a record.
	Result<void> gap() { return flush(); }
	Result<void> flush()
	{
		if (!open_)
			return {};
		open_ = false;
		if (seen_ < max_) {
			const UserAddr where = out_ + seen_ * size_;
			TRY(from_kernel_status(kapi_copy_to_user(where, &record_,
								 min<usize>(size_, sizeof(record_)))));
		}
		seen_++;
		return {};
	}
	u64 seen() const { return seen_; }

private:
	UserAddr out_;
	u64 size_, max_;
	u64 seen_ = 0;
	bool open_ = false;
	const void *folio_ = nullptr;
	gupbench_probe_folio record_{};
};

// One reference on the page at `addr` of `target` (null: the caller's mm), faulting
// nothing in; false where nothing is mapped there.
bool take_one_page(const MmRef &target, u64 addr, struct page **page)
{
	if (!target.get()) {
		// FOLL_GET only: no fault, no FOLL_TOUCH, no unsharing. 6.12 may answer -errno.
		return get_user_pages_fast_only(addr, 1, 0, page) == 1;
	}
	// The lock for one page at a time: the target may be busy, and a probe long.
	MmapReadLock lock(target.get());
	return kapi_get_mapped_page_remote(target.get(), addr, page) == 1;
}

} // namespace

Result<long> Session::probe(UserAddr arg)
{
	auto request = TRY(read_user_struct<gupbench_probe>(arg, GUPBENCH_PROBE_SIZE_V1));
	gupbench_probe &p = request.value;
	MmRef target;
	if (p.target_pid != 0) {
		auto remote = MmRef::of_pid_for_ptrace(p.target_pid);
		if (remote.is_error()) {
			kapi_log_err("probe: pid %d: no mm this caller may ptrace (error %ld)", p.target_pid,
				     remote.error().to_kernel());
			return remote.error();
		}
		target = remote.release_value();
	}
	if (p.folio_size < GUPBENCH_PROBE_FOLIO_SIZE_V1) {
		kapi_log_err("probe: folio_size %u is smaller than a record (%zu)", p.folio_size,
			     GUPBENCH_PROBE_FOLIO_SIZE_V1);
		return Errno::inval;
	}
	Range range = TRY(checked_range(p.addr, p.length, 1));
	const u64 page_size = kapi_page_size();
	FolioRecords records(p);
	u64 absent = 0;
	for (usize i = 0; i < range.pages; i++) {
		const u64 addr = range.start + i * page_size;
		struct page *page = nullptr;
		if (!take_one_page(target, addr, &page)) {
			absent++;
			TRY(records.gap());
			continue;
		}
		Result<void> added = records.add(addr, page, held_);
		kapi_put_pages(&page, 1, 0);
		if (added.is_error())
			return added.error();
		if (i % 1024 == 1023 && kapi_pause_unless_killed())
			return Errno::intr;
	}
	TRY(records.flush());
	p.folios_seen = records.seen();
	p.pages_absent = absent;
	TRY(write_user_struct(request));
	return 0L;
}

} // namespace gb
