/* SPDX-License-Identifier: GPL-2.0 */
// PinnedFolios: the folios memfd_pin_folios() pinned, owned: each is unpinned exactly once,
// by unpin_folios(), when release() is called or, at the latest, when the owner goes.
// A folio pinned by two calls (it spans both calls' bytes) is here twice, one pin each.
#pragma once

#include "gupbench/alloc.h"
#include "kapi/gup.h"

namespace gb {

class PinnedFolios {
public:
	static Result<PinnedFolios> create(usize capacity)
	{
		auto storage = TRY(UniqueArray<struct folio *>::try_create(capacity));
		return PinnedFolios(move(storage));
	}
	PinnedFolios(PinnedFolios &&other)
		: storage_(move(other.storage_)), held_(exchange(other.held_, 0))
	{
	}
	PinnedFolios(const PinnedFolios &) = delete;
	PinnedFolios &operator=(const PinnedFolios &) = delete;
	PinnedFolios &operator=(PinnedFolios &&) = delete;
	~PinnedFolios() { release(); }

	// Where the next memfd_pin_folios() call writes, then adopt() what it wrote.
	Span<struct folio *> unfilled() const { return storage_.span().subspan(held_); }
	void adopt(usize pinned)
	{
		GB_ASSERT(pinned <= storage_.size() - held_);
		held_ += pinned;
	}

	Span<struct folio *> held() const { return storage_.span().first(held_); }
	usize count() const { return held_; }

	// Gives up slot `index`'s pin to the caller (the last slot moves into its place).
	struct folio *disown(usize index)
	{
		GB_ASSERT(index < held_);
		struct folio *folio = storage_[index];
		storage_[index] = storage_[--held_];
		return folio;
	}
	// Takes over a pin the caller owned.
	void own(struct folio *folio)
	{
		GB_ASSERT(held_ < storage_.size());
		storage_[held_++] = folio;
	}

	void release()
	{
		if (held_)
			kapi_unpin_folios(storage_.data(), held_);
		held_ = 0;
	}

private:
	explicit PinnedFolios(UniqueArray<struct folio *> storage) : storage_(move(storage)) {}
	UniqueArray<struct folio *> storage_;
	usize held_ = 0;
};

} // namespace gb
