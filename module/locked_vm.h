/* SPDX-License-Identifier: GPL-2.0 */
// LockedVmCharge: pages kept pinned across calls counted in the caller's mm->locked_vm,
// against RLIMIT_MEMLOCK unless it has CAP_IPC_LOCK, as vfio and io_uring charge theirs.
// The charge is taken back from the same mm when the owner goes away, whoever closes last.
#pragma once

#include "gupbench/result.h"
#include "kapi/gup.h"
#include "kapi/kapi.h"

namespace gb {

class LockedVmCharge {
public:
	// -ENOMEM (as mlock answers) when `pages` more would pass the caller's limit.
	static Result<LockedVmCharge> charge_caller(const char *who, usize pages)
	{
		struct mm_struct *mm = kapi_mm_grab_current();
		if (!mm)
			return Errno::fault;
		int err = kapi_charge_locked_vm(mm, pages);
		if (err) {
			kapi_mmdrop(mm);
			kapi_log_err("%s: %zu pages more would pass RLIMIT_MEMLOCK (no CAP_IPC_LOCK)",
				     who, pages);
			return Error::from_kernel(err);
		}
		return LockedVmCharge(mm, pages);
	}
	LockedVmCharge() = default;
	LockedVmCharge(LockedVmCharge &&other)
		: mm_(exchange(other.mm_, nullptr)), pages_(exchange(other.pages_, 0))
	{
	}
	LockedVmCharge &operator=(LockedVmCharge &&other)
	{
		drop();
		mm_ = exchange(other.mm_, nullptr);
		pages_ = exchange(other.pages_, 0);
		return *this;
	}
	LockedVmCharge(const LockedVmCharge &) = delete;
	LockedVmCharge &operator=(const LockedVmCharge &) = delete;
	~LockedVmCharge() { drop(); }

private:
	LockedVmCharge(struct mm_struct *mm, usize pages) : mm_(mm), pages_(pages) {}
	void drop()
	{
		if (!mm_)
			return;
		kapi_uncharge_locked_vm(mm_, pages_);
		kapi_mmdrop(exchange(mm_, nullptr));
		pages_ = 0;
	}
	struct mm_struct *mm_ = nullptr; // mmgrab()bed: the struct outlives its process
	usize pages_ = 0;
};

} // namespace gb
