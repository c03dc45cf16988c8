/* SPDX-License-Identifier: GPL-2.0 */
// The memfd walker's RUN: memfd_pin_folios() over [offset, offset + pages) of a memfd, at
// most pages_per_call pages' worth of bytes per call, timed per call as walk.h times the
// others, checked by the ledger folio by folio (one pin per folio per call, whatever its
// size), then released with unpin_folios().
#pragma once

#include "memfd_file.h"

#include <uapi/gupbench.h>

namespace gb {

struct MemfdRange {
	u64 offset; // bytes into the file, page aligned
	usize pages;
};

// memfd_offset page aligned, length as checked_range() wants it, the range within the
// file; else a clear errno and a line in dmesg.
Result<MemfdRange> checked_memfd_range(const char *who, const MemfdFile &file, u64 offset,
				       u64 length, u32 pages_per_call);

// One repeat: pin the range, check it when `flags` has GUPBENCH_FLAG_VERIFY, unpin it. A
// refused call ends the walk and is reported in `out`; only our own failures are errors.
Result<void> measure_memfd_walk(const MemfdFile &file, MemfdRange range, usize pages_per_call,
				u64 flags, gupbench_repeat &out);

} // namespace gb
