/* SPDX-License-Identifier: GPL-2.0 */
/* The test cases, defined in C++ (kunit/ files named _test.cpp) and listed in suites by suites.c. */
#ifndef GUPBENCH_KUNIT_CASES_H
#define GUPBENCH_KUNIT_CASES_H

#ifdef __cplusplus
extern "C" {
#endif

struct kunit;

#define GBK_SUPPORT_CASES(X)                                                               \
	X(result_carries_value)                                                            \
	X(result_carries_kernel_error)                                                     \
	X(try_returns_early_on_error)                                                      \
	X(result_void)                                                                     \
	X(result_owns_a_move_only_value)                                                   \
	X(unique_ptr_destroys_exactly_once)                                                \
	X(try_make_constructs_with_arguments)                                              \
	X(unique_array_is_zeroed_and_sized)                                                \
	X(unique_array_refuses_overflowing_size)                                           \
	X(unique_array_reports_allocation_failure)                                         \
	X(span_subspan_clamps)

#define GBK_ABI_CASES(X)                                                                   \
	X(errno_values_match_kernel)                                                       \
	X(ioctl_numbers_match_kernel)

#define GBK_CORE_CASES(X)                                                                  \
	X(walker_refuses_forbidden_flags)                                                  \
	X(checked_range_refuses_bad_ranges)                                                \
	X(pin_fast_ledger_is_exact)                                                        \
	X(every_local_walker_takes_every_page)                                             \
	X(pinned_pages_release_when_dropped)                                               \
	X(walk_stops_at_a_hole_and_keeps_what_it_took)                                     \
	X(user_memory_lives_in_the_expected_mm)

#define GBK_FAULT_CASES(X)                                                                 \
	X(ledger_catches_each_injected_fault)                                              \
	X(ledger_tolerates_one_extra_reference_not_two)                                    \
	X(pin_activity_overlaps_only_when_concurrent)                                      \
	X(ledger_says_overlapped_only_when_overlapped)

#define GBK_MEMFD_CASES(X)                                                                 \
	X(pin_memfd_ledger_is_exact)                                                       \
	X(pinned_folios_release_when_dropped)                                              \
	X(memfd_range_refuses_bad_ranges)                                                  \
	X(ledger_catches_a_memfd_folio_kept_back)

#define GBK_DECLARE(name) void gbk_##name(struct kunit *test);
GBK_SUPPORT_CASES(GBK_DECLARE)
GBK_ABI_CASES(GBK_DECLARE)
GBK_CORE_CASES(GBK_DECLARE)
GBK_FAULT_CASES(GBK_DECLARE)
GBK_MEMFD_CASES(GBK_DECLARE)
#undef GBK_DECLARE

#ifdef __cplusplus
}
#endif

#endif /* GUPBENCH_KUNIT_CASES_H */
