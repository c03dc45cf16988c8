// SPDX-License-Identifier: GPL-2.0
// The gup_test ABI, answered as mm/gup_test.c answers it, with three differences that a
// caller can only notice when it asks for something unsafe or when the kernel errs:
//  - nr_pages_per_call 0, size 0 and unaligned ranges get -EINVAL (6.1's fast walker runs
//    past its range when asked for zero pages: FACTS.md);
//  - gup_flags beyond FOLL_WRITE, FOLL_TOUCH, FOLL_FORCE and FOLL_LONGTERM get -EINVAL
//    (the in-kernel one passes FOLL_PIN and friends on, and GUP WARNs);
//  - every page is checked by the ledger, and a mismatch is -EIO, not a WARN.
// A GUP failure still answers 0 with `size` cut to the pages covered, as the selftests
// expect, and the errno is logged.
#include "gup_test_file.h"

#include "entry.h"
#include "kapi/kapi.h"
#include "user_struct.h"
#include "walk.h"

#include <uapi/gupbench_gup_test.h>

static_assert(sizeof(gup_test) == 80, "struct gup_test is 80 bytes in the kernel's ABI");
static_assert(sizeof(gup_test_pin_longterm) == 24, "struct pin_longterm_test is 24 bytes");

namespace gb {
namespace {

struct Command {
	const char *name;
	gupbench_walker walker;
	u64 flags;
};

// The walker each command of mm/gup_test.c calls; the slow ones hold the mmap lock across
// the whole walk, as mm/gup_test.c does.
Result<Command> command_of(unsigned int cmd, const gup_test &request)
{
	switch (cmd) {
	case GUP_TEST_GUP_FAST_BENCHMARK:
		return Command{ "GUP_FAST_BENCHMARK", GUPBENCH_WALKER_GET_FAST, 0 };
	case GUP_TEST_PIN_FAST_BENCHMARK:
		return Command{ "PIN_FAST_BENCHMARK", GUPBENCH_WALKER_PIN_FAST, 0 };
	case GUP_TEST_PIN_LONGTERM_BENCHMARK:
		return Command{ "PIN_LONGTERM_BENCHMARK", GUPBENCH_WALKER_PIN,
				GUPBENCH_FLAG_LONGTERM | GUPBENCH_FLAG_LOCK_ONCE };
	case GUP_TEST_GUP_BASIC_TEST:
		return Command{ "GUP_BASIC_TEST", GUPBENCH_WALKER_GET, GUPBENCH_FLAG_LOCK_ONCE };
	case GUP_TEST_PIN_BASIC_TEST:
		return Command{ "PIN_BASIC_TEST", GUPBENCH_WALKER_PIN, GUPBENCH_FLAG_LOCK_ONCE };
	case GUP_TEST_DUMP_USER_PAGES_TEST:
		return Command{ "DUMP_USER_PAGES_TEST",
				(request.test_flags & GUP_TEST_FLAG_DUMP_PAGES_USE_PIN)
					? GUPBENCH_WALKER_PIN
					: GUPBENCH_WALKER_GET,
				GUPBENCH_FLAG_LOCK_ONCE };
	}
	return Errno::inval;
}

// gup_flags carries the running kernel's FOLL_* values; gupbench's walkers take its own.
Result<u64> flags_of_foll(u32 gup_flags)
{
	const struct kapi_foll_values foll = kapi_foll_values();
	const u32 known = foll.write | foll.touch | foll.force | foll.longterm;
	if (gup_flags & ~known) {
		kapi_log_err("gup_test: gup_flags %#x: only FOLL_WRITE, FOLL_TOUCH, FOLL_FORCE and "
			     "FOLL_LONGTERM (%#x) may be passed",
			     gup_flags, known);
		return Errno::inval;
	}
	return ((gup_flags & foll.write) ? GUPBENCH_FLAG_WRITE : 0) |
	       ((gup_flags & foll.touch) ? GUPBENCH_FLAG_TOUCH : 0) |
	       ((gup_flags & foll.force) ? GUPBENCH_FLAG_FORCE : 0) |
	       ((gup_flags & foll.longterm) ? GUPBENCH_FLAG_LONGTERM : 0);
}

// DUMP_USER_PAGES_TEST: which_pages[] holds 1-based page numbers; 0 is "none", and a
// number past the pages taken is zeroed (the caller sees that in the answer).
void dump_pages(gup_test &request, Span<struct page *> pages)
{
	for (u32 &which : request.which_pages) {
		if (which > pages.size()) {
			kapi_log_info("gup_test: which_pages entry %u is past the %zu pages taken; "
				      "zeroed",
				      which, pages.size());
			which = 0;
		}
	}
	for (u32 which : request.which_pages) {
		if (!which)
			continue;
		kapi_log_info("gup_test: page #%u from user address %#llx", which - 1,
			      request.addr);
		kapi_dump_page(pages[which - 1], "gupbench: gup_test DUMP_USER_PAGES_TEST");
	}
}

} // namespace

Result<UniquePtr<GupTestFile>> GupTestFile::create()
{
	HeldPages longterm = TRY(HeldPages::create());
	return try_make<GupTestFile>(move(longterm));
}

Result<long> GupTestFile::ioctl(unsigned int cmd, UserAddr arg)
{
	switch (cmd) {
	case GUP_TEST_GUP_FAST_BENCHMARK:
	case GUP_TEST_PIN_FAST_BENCHMARK:
	case GUP_TEST_PIN_LONGTERM_BENCHMARK:
	case GUP_TEST_GUP_BASIC_TEST:
	case GUP_TEST_PIN_BASIC_TEST:
	case GUP_TEST_DUMP_USER_PAGES_TEST:
		return benchmark(cmd, arg);
	case GUP_TEST_PIN_LONGTERM_TEST_START:
		return longterm_start(arg);
	case GUP_TEST_PIN_LONGTERM_TEST_STOP:
		longterm_.release_if_held();
		return 0L;
	case GUP_TEST_PIN_LONGTERM_TEST_READ:
		return longterm_read(arg);
	}
	// The in-kernel gup_test answers EINVAL, not ENOTTY, to a command it does not know.
	kapi_log_err("gup_test: unknown command %#x", cmd);
	return Errno::inval;
}

Result<long> GupTestFile::benchmark(unsigned int cmd, UserAddr arg)
{
	gup_test request;
	TRY(from_kernel_status(kapi_copy_struct_from_user(&request, sizeof(request), arg,
							  sizeof(request))));
	Command command = TRY(command_of(cmd, request));
	if (request.test_flags & ~GUP_TEST_FLAG_DUMP_PAGES_USE_PIN) {
		kapi_log_err("gup_test: unknown test_flags %#x", request.test_flags);
		return Errno::inval;
	}
	// Timed as gup_test times: the whole walk, one pair of clock reads.
	u64 flags = TRY(flags_of_foll(request.gup_flags)) | command.flags | GUPBENCH_FLAG_VERIFY |
		    GUPBENCH_FLAG_WALK_TIME;
	// More pages per call than the range has means all of it (the selftest's -n -1).
	const u64 page_size = kapi_page_size();
	u32 per_call = request.nr_pages_per_call;
	if (request.size / page_size && per_call > request.size / page_size)
		per_call = static_cast<u32>(request.size / page_size);
	Range range = TRY(checked_range(request.addr, request.size, per_call));

	// The record is 480 bytes: on the heap, not on a kernel stack.
	auto record = TRY(try_make<gupbench_repeat>());
	auto walker = Walker::create(command.walker, flags, 0);
	if (walker.is_error()) {
		// A combination the walker refuses is one GUP itself refuses with -EINVAL (after
		// a WARN): answer it as a GUP failure at the first page, without the WARN.
		record->error = static_cast<s32>(walker.error().to_kernel());
	} else {
		bool dump = cmd == GUP_TEST_DUMP_USER_PAGES_TEST;
		TRY(measure_walk(walker.value(), range, per_call, flags, *record,
				 [&](Span<struct page *> taken) {
					 if (dump)
						 dump_pages(request, taken);
				 }));
	}
	u64 covered = record->pages_done * page_size;
	if (record->error)
		kapi_log_err("gup_test: %s stopped at offset %llu of %llu with error %d; "
			     "answering size %llu, as the in-kernel gup_test does",
			     command.name, covered, request.size, record->error, covered);
	if (record->verdict == GUPBENCH_VERDICT_MISMATCH) {
		kapi_log_finding("gup_test: %s: the ledger found mismatch %u at page %llu: expected "
			     "%lld, the kernel says %lld",
			     command.name, record->mismatch, record->mismatch_page,
			     record->mismatch_expected, record->mismatch_observed);
		return Errno::io;
	}
	request.get_delta_usec = record->get_ns / 1000;
	request.put_delta_usec = record->put_ns / 1000;
	request.size = covered;
	TRY(from_kernel_status(kapi_copy_to_user(arg, &request, sizeof(request))));
	return 0L;
}

Result<long> GupTestFile::longterm_start(UserAddr arg)
{
	constexpr const char *who = "gup_test: PIN_LONGTERM_TEST_START";
	gup_test_pin_longterm request;
	TRY(from_kernel_status(kapi_copy_struct_from_user(&request, sizeof(request), arg,
							  sizeof(request))));
	constexpr u32 known = GUP_TEST_PIN_LONGTERM_WRITE | GUP_TEST_PIN_LONGTERM_FAST;
	if (request.flags & ~known) {
		kapi_log_err("%s: unknown flags %#x", who, request.flags & ~known);
		return Errno::inval;
	}
	Range range = TRY(checked_range(request.addr, request.size, 1));
	u64 flags = GUPBENCH_FLAG_LONGTERM |
		    ((request.flags & GUP_TEST_PIN_LONGTERM_WRITE) ? GUPBENCH_FLAG_WRITE : 0);
	bool fast = request.flags & GUP_TEST_PIN_LONGTERM_FAST;
	Walker walker = TRY(
		Walker::create(fast ? GUPBENCH_WALKER_PIN_FAST : GUPBENCH_WALKER_PIN, flags, 0));
	auto taken = longterm_.take(who, walker, range, range.pages, false);
	if (taken.is_error())
		// Upstream answers a second START with EINVAL, where HOLD says EBUSY.
		return taken.error() == Errno::busy ? Error(Errno::inval) : taken.error();
	return 0L;
}

Result<long> GupTestFile::longterm_read(UserAddr arg)
{
	u64 buffer = 0;
	TRY(from_kernel_status(kapi_copy_struct_from_user(&buffer, sizeof(buffer), arg,
							  sizeof(buffer))));
	TRY(longterm_.copy_all_to_user("gup_test: PIN_LONGTERM_TEST_READ", buffer));
	return 0L;
}

} // namespace gb

static gb::GupTestFile *from_c(struct gupbench_gup_test_file *file)
{
	return reinterpret_cast<gb::GupTestFile *>(file);
}

extern "C" int gupbench_gup_test_open(struct gupbench_gup_test_file **file)
{
	auto made = gb::GupTestFile::create();
	if (made.is_error())
		return static_cast<int>(made.error().to_kernel());
	*file = reinterpret_cast<struct gupbench_gup_test_file *>(made.value().leak());
	return 0;
}

extern "C" void gupbench_gup_test_release(struct gupbench_gup_test_file *file)
{
	gb::UniquePtr<gb::GupTestFile> owned(from_c(file));
}

extern "C" long gupbench_gup_test_ioctl(struct gupbench_gup_test_file *file, unsigned int cmd,
					unsigned long uarg)
{
	auto answer = from_c(file)->ioctl(cmd, uarg);
	return answer.is_ok() ? answer.value() : answer.error().to_kernel();
}
