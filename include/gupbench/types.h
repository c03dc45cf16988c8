/* SPDX-License-Identifier: GPL-2.0 */
// Fixed-width integers for the freestanding C++ code, from the compiler, not from libc.
#pragma once

namespace gb {

using u8 = unsigned char;
using u16 = unsigned short;
using u32 = unsigned int;
using u64 = unsigned long long;
using s32 = int;
using s64 = long long;
using usize = __SIZE_TYPE__;
using uptr = __UINTPTR_TYPE__;

// A user-space address: never dereferenced by C++, only handed to the kapi layer.
using UserAddr = unsigned long;

} // namespace gb
