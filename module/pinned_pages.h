/* SPDX-License-Identifier: GPL-2.0 */
// PinnedPages: the pages a walk took, owned. Whatever was taken is released exactly once,
// with the call that matches how it was taken (unpin for FOLL_PIN, put_page for FOLL_GET),
// when release() is called or, at the latest, when the owner goes away (error paths).
#pragma once

#include "gupbench/alloc.h"
#include "kapi/gup.h"
#include "walker.h"

namespace gb {

class PinnedPages {
public:
	static Result<PinnedPages> create(usize capacity, Release kind, bool dirty)
	{
		auto storage = TRY(UniqueArray<struct page *>::try_create(capacity));
		return PinnedPages(move(storage), kind, dirty);
	}
	PinnedPages(PinnedPages &&other)
		: storage_(move(other.storage_)), held_(exchange(other.held_, 0)),
		  kind_(other.kind_), dirty_(other.dirty_)
	{
	}
	PinnedPages(const PinnedPages &) = delete;
	PinnedPages &operator=(const PinnedPages &) = delete;
	PinnedPages &operator=(PinnedPages &&) = delete;
	~PinnedPages() { release(); }

	// Where the next GUP call writes, then adopt() what it wrote.
	Span<struct page *> unfilled() const { return storage_.span().subspan(held_); }
	void adopt(usize taken)
	{
		GB_ASSERT(taken <= storage_.size() - held_);
		held_ += taken;
	}

	// Hands the page at `index` to the caller, who now owns the reference it holds; the last
	// page takes its place. Only injected faults (injected_faults.h) move pages this way.
	struct page *disown(usize index)
	{
		GB_ASSERT(index < held_);
		struct page *page = storage_[index];
		storage_[index] = storage_[--held_];
		return page;
	}
	// Takes over a reference the caller owned, of this owner's kind.
	void own(struct page *page)
	{
		GB_ASSERT(held_ < storage_.size());
		storage_[held_++] = page;
	}

	Span<struct page *> held() const { return storage_.span().first(held_); }
	usize count() const { return held_; }
	usize capacity() const { return storage_.size(); }
	Release kind() const { return kind_; }

	void release()
	{
		if (!held_)
			return;
		if (kind_ == Release::unpin)
			kapi_unpin_user_pages(storage_.data(), held_, dirty_);
		else
			kapi_put_pages(storage_.data(), held_, dirty_);
		held_ = 0;
	}

private:
	PinnedPages(UniqueArray<struct page *> storage, Release kind, bool dirty)
		: storage_(move(storage)), kind_(kind), dirty_(dirty)
	{
	}
	UniqueArray<struct page *> storage_;
	usize held_ = 0;
	Release kind_;
	bool dirty_;
};

} // namespace gb
