// The allocation hooks of include/gupbench/alloc.h for host tests: malloc, plus a switch
// that makes the next allocations fail, to test the failure paths.
#include "host_runtime.h"

#include <cstdlib>

#include "gupbench/alloc.h"

namespace host_runtime {
int allocations_to_fail = 0;
}

namespace gb {

void *alloc_zeroed(usize bytes, Gfp) noexcept
{
	if (host_runtime::allocations_to_fail > 0) {
		host_runtime::allocations_to_fail--;
		return nullptr;
	}
	return std::calloc(1, bytes);
}

void free_allocation(void *memory) noexcept
{
	std::free(memory);
}

} // namespace gb

// libstdc++'s operator delete frees with free(), so objects made here may be deleted there.
void *operator new(gb::usize size, gb::Gfp gfp) noexcept
{
	return gb::alloc_zeroed(size, gfp);
}

void *operator new[](gb::usize size, gb::Gfp gfp) noexcept
{
	return gb::alloc_zeroed(size, gfp);
}
