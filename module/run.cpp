// SPDX-License-Identifier: GPL-2.0
// GUPBENCH_IOC_RUN: check the request, then measure_walk() it `repeats` times and copy
// each repeat's record out.
#include "kapi/kapi.h"
#include "session.h"
#include "user_struct.h"
#include "walk.h"

namespace gb {
namespace {

constexpr u32 max_repeats = 1000;

} // namespace

Result<long> Session::run(UserAddr arg)
{
	auto request = TRY(read_user_struct<gupbench_run>(arg, GUPBENCH_RUN_SIZE_V1));
	const gupbench_run &run = request.value;
	if (run.repeats == 0 || run.repeats > max_repeats) {
		kapi_log_err("run: repeats %u is not in 1..%u", run.repeats, max_repeats);
		return Errno::inval;
	}
	if (run.repeat_size < sizeof(gupbench_repeat)) {
		kapi_log_err("run: repeat_size %u is smaller than version 1 (%zu)",
			     run.repeat_size, sizeof(gupbench_repeat));
		return Errno::inval;
	}
	Range range = TRY(checked_range(run.addr, run.length, run.pages_per_call));
	Walker walker = TRY(Walker::create(run.walker, run.flags, run.target_pid));

	// The record is 480 bytes: on the heap, not on a kernel stack (KASAN grows frames).
	auto record = TRY(try_make<gupbench_repeat>());
	for (u32 i = 0; i < run.repeats; i++) {
		if (i > 0)
			TRY(from_kernel_status(kapi_pause_unless_killed())); // killed: EINTR
		*record = gupbench_repeat{};
		TRY(measure_walk(walker, range, run.pages_per_call, run.flags, *record));
		UserAddr slot = run.results + u64(i) * run.repeat_size;
		TRY(from_kernel_status(kapi_copy_to_user(slot, record.get(), sizeof(*record))));
	}
	return 0L;
}

} // namespace gb
