/* SPDX-License-Identifier: GPL-2.0 */
// Owner types for the mm: a reference that mmput()s when dropped, and the mmap read lock
// as a guard.
#pragma once

#include "gupbench/result.h"
#include "kapi/gup.h"

namespace gb {

// A counted reference (mmget) to another process's mm.
class MmRef {
public:
	MmRef() = default;
	static Result<MmRef> of_pid_for_ptrace(s32 pid)
	{
		int err = 0;
		struct mm_struct *mm = kapi_mm_of_pid_for_ptrace(pid, &err);
		if (!mm)
			return Error::from_kernel(err);
		return MmRef(mm);
	}
	MmRef(MmRef &&other) : mm_(exchange(other.mm_, nullptr)) {}
	MmRef &operator=(MmRef &&other)
	{
		drop();
		mm_ = exchange(other.mm_, nullptr);
		return *this;
	}
	MmRef(const MmRef &) = delete;
	MmRef &operator=(const MmRef &) = delete;
	~MmRef() { drop(); }

	struct mm_struct *get() const { return mm_; }

private:
	explicit MmRef(struct mm_struct *mm) : mm_(mm) {}
	void drop()
	{
		if (mm_)
			kapi_mmput(exchange(mm_, nullptr));
	}
	struct mm_struct *mm_ = nullptr;
};

// The mmap read lock of `mm`, held while this lives; a null mm locks nothing (for locks
// that are taken only sometimes).
class MmapReadLock {
public:
	explicit MmapReadLock(struct mm_struct *mm) : mm_(mm)
	{
		if (mm_)
			kapi_mmap_read_lock(mm_);
	}
	~MmapReadLock()
	{
		if (mm_)
			kapi_mmap_read_unlock(mm_);
	}
	// For GUP calls that may drop the lock themselves (the `locked` argument).
	void forget() { mm_ = nullptr; }
	MmapReadLock(const MmapReadLock &) = delete;
	MmapReadLock &operator=(const MmapReadLock &) = delete;

private:
	struct mm_struct *mm_;
};

} // namespace gb
