/* SPDX-License-Identifier: GPL-2.0 */
// Per-call latency: a log2 histogram of nanoseconds with min and max. Shared by the module
// (which fills it) and the tool (which reads percentiles from it).
#pragma once

#include "gupbench/types.h"

namespace gb {

constexpr unsigned log2_bucket(u64 ns, unsigned buckets)
{
	unsigned bucket = ns ? 63 - __builtin_clzll(ns) : 0;
	return bucket < buckets ? bucket : buckets - 1;
}

// The smallest and largest value bucket b holds.
constexpr u64 bucket_floor(unsigned bucket) { return bucket ? u64(1) << bucket : 0; }
constexpr u64 bucket_ceiling(unsigned bucket) { return (u64(2) << bucket) - 1; }

} // namespace gb
