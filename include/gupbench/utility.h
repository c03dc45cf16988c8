/* SPDX-License-Identifier: GPL-2.0 */
// move, forward and friends: the few pieces of <utility> the kernel C++ needs.
#pragma once

#include "gupbench/types.h"

#if __STDC_HOSTED__
#include <new> // host tests: the library's placement new
#else
inline void *operator new(gb::usize, void *where) noexcept { return where; }
inline void operator delete(void *, void *) noexcept {}
#endif

namespace gb {

template <typename T> struct RemoveReference { using Type = T; };
template <typename T> struct RemoveReference<T &> { using Type = T; };
template <typename T> struct RemoveReference<T &&> { using Type = T; };
template <typename T> using RemoveReferenceT = typename RemoveReference<T>::Type;

template <typename T> constexpr RemoveReferenceT<T> &&move(T &&value) noexcept
{
	return static_cast<RemoveReferenceT<T> &&>(value);
}

template <typename T> constexpr T &&forward(RemoveReferenceT<T> &value) noexcept
{
	return static_cast<T &&>(value);
}

template <typename T> constexpr T &&forward(RemoveReferenceT<T> &&value) noexcept
{
	return static_cast<T &&>(value);
}

template <typename T, typename U = T> constexpr T exchange(T &target, U &&replacement)
{
	T old = move(target);
	target = forward<U>(replacement);
	return old;
}

template <typename T> constexpr const T &min(const T &a, const T &b) { return b < a ? b : a; }
template <typename T> constexpr const T &max(const T &a, const T &b) { return a < b ? b : a; }

// A broken invariant is a bug in gupbench: stop here (an invalid-opcode oops in the kernel,
// SIGILL on the host) rather than run on with a corrupt state.
#define GB_ASSERT(cond)                                                                    \
	do {                                                                               \
		if (__builtin_expect(!(cond), 0))                                          \
			__builtin_trap();                                                  \
	} while (0)

} // namespace gb
