#pragma once

namespace host_runtime {
// While positive, each allocation through gb::alloc_zeroed fails and decrements it.
extern int allocations_to_fail;
} // namespace host_runtime
