// SPDX-License-Identifier: GPL-2.0
// GUPBENCH_IOC_RUN: check the request, then measure_walk() it `repeats` times and copy
// each repeat's record out; the memfd walker's requests go to measure_memfd_walk().
#include "kapi/kapi.h"
#include "memfd_walk.h"
#include "session.h"
#include "user_struct.h"
#include "walk.h"

namespace gb {
namespace {

constexpr u32 max_repeats = 1000;

// The header spells the record's sizes out; they must be what the struct is.
static_assert(__builtin_offsetof(gupbench_repeat, folio_orders) == GUPBENCH_REPEAT_SIZE_V1);
static_assert(sizeof(gupbench_repeat) == GUPBENCH_REPEAT_SIZE_V2);

// The header spells the versions' sizes out; they must be what the struct is.
static_assert(__builtin_offsetof(gupbench_run, memfd) == GUPBENCH_RUN_SIZE_V1);
static_assert(sizeof(gupbench_run) == GUPBENCH_RUN_SIZE_V2);

// Runs `measure(record)` once per repeat and copies each record to the caller.
template <typename Measure> Result<long> each_repeat(const gupbench_run &run, Measure &&measure)
{
	// The record is 504 bytes: on the heap, not on a kernel stack (KASAN grows frames).
	auto record = TRY(try_make<gupbench_repeat>());
	for (u32 i = 0; i < run.repeats; i++) {
		if (i > 0)
			TRY(from_kernel_status(kapi_pause_unless_killed())); // killed: EINTR
		*record = gupbench_repeat{};
		TRY(measure(*record));
		UserAddr slot = run.results + u64(i) * run.repeat_size;
		// An older caller's record is shorter: it gets the fields it knows.
		usize bytes = min(usize(run.repeat_size), sizeof(*record));
		TRY(from_kernel_status(kapi_copy_to_user(slot, record.get(), bytes)));
	}
	return 0L;
}

Result<long> run_memfd(const gupbench_run &run, u32 user_size)
{
	// First, so that a kernel without memfd_pin_folios() answers EOPNOTSUPP to any request.
	Walker walker = TRY(Walker::create(run.walker, run.flags, run.target_pid));
	const char *name = walker.traits().name;
	// A version 1 caller's request has no memfd: the zeroes read in its place are not fd 0.
	if (user_size < GUPBENCH_RUN_SIZE_V2) {
		kapi_log_err("run: %s needs the memfd fields of a %u-byte request, got %u bytes",
			     name, u32(GUPBENCH_RUN_SIZE_V2), user_size);
		return Errno::inval;
	}
	if (run.addr || run.reserved2) {
		kapi_log_err("run: %s takes memfd and memfd_offset; addr and reserved2 must be 0",
			     name);
		return Errno::inval;
	}
	MemfdFile file = TRY(MemfdFile::of_fd(name, run.memfd));
	MemfdRange range = TRY(
		checked_memfd_range(name, file, run.memfd_offset, run.length, run.pages_per_call));
	return each_repeat(run, [&](gupbench_repeat &record) {
		return measure_memfd_walk(file, range, run.pages_per_call, run.flags, record);
	});
}

// One repeat in a frame of its own: inlined into Session::run, the walk's owners and the
// request made one frame of over 1024 bytes under 6.12's KASAN (-Wframe-larger-than).
__attribute__((noinline)) Result<void> measure_one(const Walker &walker, Range range,
						   const gupbench_run &run, gupbench_repeat &record)
{
	return measure_walk(walker, range, run.pages_per_call, run.flags, record);
}

} // namespace

Result<long> Session::run(UserAddr arg)
{
	auto request = TRY(read_user_struct<gupbench_run>(arg, GUPBENCH_RUN_SIZE_V1));
	const gupbench_run &run = request.value;
	if (run.repeats == 0 || run.repeats > max_repeats) {
		kapi_log_err("run: repeats %u is not in 1..%u", run.repeats, max_repeats);
		return Errno::inval;
	}
	if (run.repeat_size < GUPBENCH_REPEAT_SIZE_V1) {
		kapi_log_err("run: repeat_size %u is smaller than version 1 (%u)",
			     run.repeat_size, u32(GUPBENCH_REPEAT_SIZE_V1));
		return Errno::inval;
	}
	if (is_memfd_walker(run.walker))
		return run_memfd(run, request.user_size);
	if (run.memfd || run.reserved2 || run.memfd_offset) {
		kapi_log_err("run: memfd, reserved2 and memfd_offset are for the memfd walker only");
		return Errno::inval;
	}
	Range range = TRY(checked_range(run.addr, run.length, run.pages_per_call));
	Walker walker = TRY(Walker::create(run.walker, run.flags, run.target_pid));
	return each_repeat(run, [&](gupbench_repeat &record) {
		return measure_one(walker, range, run, record);
	});
}

} // namespace gb
