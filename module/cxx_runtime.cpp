// SPDX-License-Identifier: GPL-2.0
// The whole C++ runtime of the module: allocation that cannot throw, and the one ABI hook
// g++ may emit. Nothing else from libstdc++/libsupc++ is linked.
#include "gupbench/alloc.h"
#include "kapi/kapi.h"

namespace gb {

void *alloc_zeroed(usize bytes, Gfp gfp) noexcept
{
	return kapi_alloc_zeroed(bytes, gfp == Gfp::account);
}

void free_allocation(void *memory) noexcept
{
	kapi_free(memory);
}

} // namespace gb

void *operator new(gb::usize size, gb::Gfp gfp) noexcept
{
	return gb::alloc_zeroed(size, gfp);
}

void *operator new[](gb::usize size, gb::Gfp gfp) noexcept
{
	return gb::alloc_zeroed(size, gfp);
}

void operator delete(void *memory) noexcept
{
	gb::free_allocation(memory);
}

void operator delete(void *memory, gb::usize) noexcept
{
	gb::free_allocation(memory);
}

void operator delete[](void *memory) noexcept
{
	gb::free_allocation(memory);
}

void operator delete[](void *memory, gb::usize) noexcept
{
	gb::free_allocation(memory);
}

// Called only if a pure virtual function is reached through a half-built object: a bug.
// Declared first: 6.12's flags warn of a global function without a previous declaration.
extern "C" void __cxa_pure_virtual();
extern "C" void __cxa_pure_virtual()
{
	__builtin_trap();
}
