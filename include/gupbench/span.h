/* SPDX-License-Identifier: GPL-2.0 */
// Span<T>: a non-owning view of contiguous elements, bounds-checked on indexing.
#pragma once

#include "gupbench/utility.h"

namespace gb {

template <typename T> class Span {
public:
	constexpr Span() = default;
	constexpr Span(T *data, usize size) : data_(data), size_(size) {}
	template <usize N> constexpr Span(T (&array)[N]) : data_(array), size_(N) {}

	constexpr T *data() const { return data_; }
	constexpr usize size() const { return size_; }
	constexpr bool empty() const { return size_ == 0; }
	constexpr usize size_bytes() const { return size_ * sizeof(T); }

	constexpr T &operator[](usize index) const
	{
		GB_ASSERT(index < size_);
		return data_[index];
	}

	constexpr T *begin() const { return data_; }
	constexpr T *end() const { return data_ + size_; }

	// The elements [offset, offset + count), clamped to the end.
	constexpr Span subspan(usize offset, usize count = ~usize(0)) const
	{
		GB_ASSERT(offset <= size_);
		return Span(data_ + offset, min(count, size_ - offset));
	}
	constexpr Span first(usize count) const { return subspan(0, count); }

private:
	T *data_ = nullptr;
	usize size_ = 0;
};

} // namespace gb
