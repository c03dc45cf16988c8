/* SPDX-License-Identifier: GPL-2.0 */
// Result<T>: a value or a kernel error (-errno). TRY(expr) returns the error early and
// otherwise yields the value, so error paths read as straight lines.
#pragma once

#include "gupbench/errno.h"
#include "gupbench/utility.h"

namespace gb {

class Error {
public:
	constexpr Error(Errno code) : errno_(static_cast<int>(code)) {}

	// From a kernel return value such as -EFAULT; a value >= 0 is not an error.
	static constexpr Error from_kernel(long negative_errno)
	{
		GB_ASSERT(negative_errno < 0 && negative_errno >= -4095);
		return Error(static_cast<int>(-negative_errno));
	}

	constexpr int errno_value() const { return errno_; }
	constexpr long to_kernel() const { return -static_cast<long>(errno_); }
	constexpr bool operator==(const Error &other) const { return errno_ == other.errno_; }
	constexpr bool operator==(Errno code) const { return errno_ == static_cast<int>(code); }

private:
	constexpr explicit Error(int positive_errno) : errno_(positive_errno) {}
	int errno_;
};

template <typename T> class [[nodiscard]] Result {
public:
	Result(const T &value) : ok_(true) { new (&value_) T(value); }
	Result(T &&value) : ok_(true) { new (&value_) T(move(value)); }
	Result(Error error) : ok_(false), error_(error) {}
	Result(Errno code) : Result(Error(code)) {}

	Result(Result &&other) : ok_(other.ok_)
	{
		if (ok_)
			new (&value_) T(move(other.value_));
		else
			error_ = other.error_;
	}
	Result(const Result &) = delete;
	Result &operator=(const Result &) = delete;
	Result &operator=(Result &&) = delete;

	~Result()
	{
		if (ok_)
			value_.~T();
	}

	bool is_ok() const { return ok_; }
	bool is_error() const { return !ok_; }

	T &value()
	{
		GB_ASSERT(ok_);
		return value_;
	}
	const T &value() const
	{
		GB_ASSERT(ok_);
		return value_;
	}
	T release_value()
	{
		GB_ASSERT(ok_);
		return move(value_);
	}
	Error error() const
	{
		GB_ASSERT(!ok_);
		return error_;
	}

private:
	bool ok_;
	union {
		T value_;
		Error error_;
	};
};

template <> class [[nodiscard]] Result<void> {
public:
	Result() : ok_(true), error_(Errno::inval) {}
	Result(Error error) : ok_(false), error_(error) {}
	Result(Errno code) : Result(Error(code)) {}

	bool is_ok() const { return ok_; }
	bool is_error() const { return !ok_; }
	void release_value() const { GB_ASSERT(ok_); }
	Error error() const
	{
		GB_ASSERT(!ok_);
		return error_;
	}

	// For the C edge: 0 or -errno.
	long to_kernel() const { return ok_ ? 0 : error_.to_kernel(); }

private:
	bool ok_;
	Error error_; // meaningful only when !ok_
};

// A GNU statement expression (the kernel's own idiom): early return on error.
#define TRY(expr)                                                                          \
	({                                                                                 \
		auto gb_try_result_ = (expr);                                              \
		if (gb_try_result_.is_error())                                             \
			return gb_try_result_.error();                                     \
		gb_try_result_.release_value();                                            \
	})

} // namespace gb
