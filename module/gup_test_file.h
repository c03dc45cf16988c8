/* SPDX-License-Identifier: GPL-2.0 */
// One open file of /sys/kernel/debug/gupbench/gup_test: the kernel's gup_test ABI
// (include/uapi/gupbench_gup_test.h) over gupbench's walkers and ledger. The benchmark
// commands keep no state; the long-term pin of PIN_LONGTERM_TEST_START belongs to the
// open file, not to the whole system, and closing the file releases it.
#pragma once

#include "gupbench/alloc.h"
#include "held_pages.h"

namespace gb {

class GupTestFile {
public:
	static Result<UniquePtr<GupTestFile>> create();
	Result<long> ioctl(unsigned int cmd, UserAddr arg);

private:
	explicit GupTestFile(HeldPages longterm) : longterm_(move(longterm)) {}
	friend Result<UniquePtr<GupTestFile>> try_make<GupTestFile, HeldPages>(HeldPages &&);

	Result<long> benchmark(unsigned int cmd, UserAddr arg);
	Result<long> longterm_start(UserAddr arg);
	Result<long> longterm_read(UserAddr arg);

	HeldPages longterm_;
};

} // namespace gb
