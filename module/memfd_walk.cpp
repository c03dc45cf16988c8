// SPDX-License-Identifier: GPL-2.0
#include "memfd_walk.h"

#include "injected_faults.h"
#include "kapi/kapi.h"
#include "ledger.h"
#include "pinned_folios.h"
#include "walk.h"

namespace gb {
namespace {

// What the ledger needs of a memfd walk's folios: each one's first page, and the index of
// the first page of the range it covers. Returns how many pages of the range the folios
// cover: each call's folios must follow one another from the call's first byte to its
// last; where they do not, the coverage ends there.
u64 cover(MemfdRange range, usize pages_per_call, Span<struct folio *> folios,
	  Span<u32> per_call, Span<struct page *> heads, Span<u64> first_page)
{
	const u64 page = kapi_page_size();
	u64 covered = 0;
	usize next = 0;
	for (usize call = 0; call < per_call.size(); call++) {
		const u64 call_pages = min<u64>(pages_per_call, range.pages - call * pages_per_call);
		const u64 call_start = range.offset + call * pages_per_call * page;
		const u64 call_end = call_start + call_pages * page;
		u64 cursor = call_start;
		bool contiguous = true;
		for (u32 i = 0; i < per_call[call]; i++, next++) {
			struct folio *folio = folios[next];
			const u64 pos = static_cast<u64>(kapi_folio_pos(folio));
			const u64 end = pos + kapi_folio_size(folio);
			heads[next] = kapi_folio_page(folio);
			first_page[next] = (min(max(pos, call_start), call_end - page) - range.offset) / page;
			if (contiguous && pos <= cursor && cursor < end)
				cursor = end;
			else
				contiguous = false;
		}
		covered += (min(cursor, call_end) - call_start) / page;
	}
	GB_ASSERT(next == folios.size());
	return covered;
}

} // namespace

Result<MemfdRange> checked_memfd_range(const char *who, const MemfdFile &file, u64 offset,
				       u64 length, u32 pages_per_call)
{
	if (offset & (kapi_page_size() - 1)) {
		kapi_log_err("%s: memfd_offset %#llx is not page aligned", who, offset);
		return Errno::inval;
	}
	Range range = TRY(checked_range(offset, length, pages_per_call));
	const u64 size = file.size();
	if (offset > size || length > size - offset) {
		kapi_log_err("%s: bytes %#llx..%#llx are beyond the memfd's size %#llx", who, offset,
			     offset + length, size);
		return Errno::inval;
	}
	return MemfdRange{ offset, range.pages };
}

Result<void> measure_memfd_walk(const MemfdFile &file, MemfdRange range, usize pages_per_call,
				u64 flags, gupbench_repeat &out)
{
	GB_ASSERT(pages_per_call > 0 && range.pages > 0);
	const u64 page = kapi_page_size();
	// A call's folios cover its pages, so there are never more of them than pages.
	auto folios = TRY(PinnedFolios::create(range.pages));
	auto per_call = TRY(UniqueArray<u32>::try_create((range.pages - 1) / pages_per_call + 1));
	const bool verify = flags & GUPBENCH_FLAG_VERIFY;
	const bool walk_time = flags & GUPBENCH_FLAG_WALK_TIME;
	// Always long-term: memfd_pin_folios() migrates what may not stay pinned.
	auto ledger = Ledger::open(true, true, range.pages);

	usize done = 0;
	u64 calls = 0, calls_pinned = 0;
	long answer = 0;
	usize asked = 0;
	bool killed = false;
	const u64 walk_start = walk_time ? kapi_ktime_ns() : 0;
	while (done < range.pages) {
		asked = min(pages_per_call, range.pages - done);
		const long long start = static_cast<long long>(range.offset + done * page);
		Span<struct folio *> slots = folios.unfilled();
		GB_ASSERT(slots.size() >= asked);
		unsigned long first_offset; // where `start` lies in the first folio: not needed
		const u64 t0 = walk_time ? 0 : kapi_ktime_ns();
		answer = kapi_memfd_pin_folios(file.get(), start, start + asked * page - 1,
					       slots.data(), static_cast<unsigned int>(asked),
					       &first_offset);
		if (!walk_time)
			record_call(out, kapi_ktime_ns() - t0);
		calls++;
		if (answer <= 0 || static_cast<usize>(answer) > asked)
			break;
		folios.adopt(static_cast<usize>(answer));
		per_call[calls_pinned++] = static_cast<u32>(answer);
		done += asked;
		if (calls % detail::calls_between_pauses == 0 && kapi_pause_unless_killed()) {
			killed = done < range.pages;
			break;
		}
	}
	if (walk_time) {
		out.get_ns = kapi_ktime_ns() - walk_start;
		out.calls = calls;
	}
	if (done < range.pages) {
		out.error = killed ? -static_cast<s32>(Errno::intr)
				   : static_cast<s32>(taken_by(answer, asked).error().to_kernel());
		out.error_offset = done * page;
	}
	out.pages_done = done;

	if (verify) {
		const usize n = folios.count();
		auto heads = TRY(UniqueArray<struct page *>::try_create(n));
		auto first_page = TRY(UniqueArray<u64>::try_create(n));
		u64 covered = cover(range, pages_per_call, folios.held(),
				    per_call.span().first(calls_pinned), heads.span(),
				    first_page.span());
		TRY(ledger.after_take_folios(heads.span(), first_page.span(), covered, out));
	}
	// Damage on purpose, for tests of the ledger: owned here, given back after the verdict.
	InjectedFaults faults;
	TRY(faults.before_release_folios(folios, verify));
	const u64 t0 = kapi_ktime_ns();
	folios.release();
	out.put_ns = kapi_ktime_ns() - t0;
	if (verify)
		ledger.after_release(out);
	return {};
}

} // namespace gb
