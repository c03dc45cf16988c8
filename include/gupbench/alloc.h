/* SPDX-License-Identifier: GPL-2.0 */
// Explicit, fallible allocation. There is no plain `new T`: every allocation names how it
// allocates (new (Gfp::kernel) T) and yields nullptr on failure, which try_make turns into
// -ENOMEM. A stray plain new has no definition and fails the module build at modpost.
#pragma once

#include "gupbench/result.h"
#include "gupbench/span.h"

namespace gb {

enum class Gfp {
	kernel,  // GFP_KERNEL: for gupbench's own bookkeeping
	account, // GFP_KERNEL_ACCOUNT: sized by user input, so charged to the caller's memcg
};

} // namespace gb

// Defined by the module's C++ runtime (module/cxx_runtime.cpp), or by the host tests.
void *operator new(gb::usize size, gb::Gfp gfp) noexcept;
void *operator new[](gb::usize size, gb::Gfp gfp) noexcept;

namespace gb {

// Raw zeroed memory of `bytes`, or nullptr; also defined by the runtime. Large sizes come
// from vmalloc, so this suits page arrays of any length.
void *alloc_zeroed(usize bytes, Gfp gfp) noexcept;
void free_allocation(void *memory) noexcept;

// The unique owner of one heap object.
template <typename T> class UniquePtr {
public:
	UniquePtr() = default;
	explicit UniquePtr(T *owned) : ptr_(owned) {}
	UniquePtr(UniquePtr &&other) : ptr_(exchange(other.ptr_, nullptr)) {}
	UniquePtr &operator=(UniquePtr &&other)
	{
		reset(exchange(other.ptr_, nullptr));
		return *this;
	}
	UniquePtr(const UniquePtr &) = delete;
	UniquePtr &operator=(const UniquePtr &) = delete;
	~UniquePtr() { reset(); }

	T *get() const { return ptr_; }
	T *operator->() const
	{
		GB_ASSERT(ptr_);
		return ptr_;
	}
	T &operator*() const
	{
		GB_ASSERT(ptr_);
		return *ptr_;
	}
	explicit operator bool() const { return ptr_ != nullptr; }

	// Gives up ownership: the caller must now free the object (e.g. a file's private_data).
	[[nodiscard]] T *leak() { return exchange(ptr_, nullptr); }
	void reset(T *replacement = nullptr)
	{
		T *old = exchange(ptr_, replacement);
		delete old;
	}

private:
	T *ptr_ = nullptr;
};

template <typename T, typename... Args> Result<UniquePtr<T>> try_make(Args &&...args)
{
	T *object = new (Gfp::kernel) T(forward<Args>(args)...);
	if (!object)
		return Errno::nomem;
	return UniquePtr<T>(object);
}

// A zero-initialised array of trivial elements that owns its memory (kvmalloc'd in the
// kernel). For arrays whose length comes from user input: the byte size is checked for
// overflow and the memory is charged to the caller.
template <typename T> class UniqueArray {
	static_assert(__is_trivial(T), "UniqueArray holds trivial elements only");

public:
	UniqueArray() = default;
	UniqueArray(UniqueArray &&other)
		: data_(exchange(other.data_, nullptr)), size_(exchange(other.size_, 0))
	{
	}
	UniqueArray &operator=(UniqueArray &&other)
	{
		free_allocation(data_);
		data_ = exchange(other.data_, nullptr);
		size_ = exchange(other.size_, 0);
		return *this;
	}
	UniqueArray(const UniqueArray &) = delete;
	UniqueArray &operator=(const UniqueArray &) = delete;
	~UniqueArray() { free_allocation(data_); }

	static Result<UniqueArray> try_create(usize count, Gfp gfp = Gfp::account)
	{
		usize bytes;
		if (__builtin_mul_overflow(count, sizeof(T), &bytes))
			return Errno::overflow;
		if (count == 0)
			return UniqueArray();
		void *memory = alloc_zeroed(bytes, gfp);
		if (!memory)
			return Errno::nomem;
		return UniqueArray(static_cast<T *>(memory), count);
	}

	T *data() const { return data_; }
	usize size() const { return size_; }
	T &operator[](usize index) const
	{
		GB_ASSERT(index < size_);
		return data_[index];
	}
	Span<T> span() const { return Span<T>(data_, size_); }

private:
	UniqueArray(T *data, usize size) : data_(data), size_(size) {}
	T *data_ = nullptr;
	usize size_ = 0;
};

} // namespace gb
