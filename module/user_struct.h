/* SPDX-License-Identifier: GPL-2.0 */
// Size-prefixed ioctl arguments (see include/uapi/gupbench.h): read the caller's `size`,
// copy the bytes both sides know, and write back no more than the caller has room for.
#pragma once

#include "gupbench/result.h"
#include "kapi/kapi.h"

namespace gb {

template <typename T> struct UserStruct {
	T value;
	u32 user_size; // how large the caller's struct is
	UserAddr where;
};

inline Result<void> from_kernel_status(long status)
{
	if (status < 0)
		return Error::from_kernel(status);
	return {};
}

// min_size: the size of the first version of T; anything smaller is not a T at all.
template <typename T> Result<UserStruct<T>> read_user_struct(UserAddr where, u32 min_size)
{
	u32 user_size = 0;
	TRY(from_kernel_status(kapi_get_user_u32(&user_size, where)));
	if (user_size < min_size) {
		kapi_log_err("ioctl argument size %u is smaller than the smallest known (%u)",
			     user_size, min_size);
		return Errno::inval;
	}
	UserStruct<T> result{};
	TRY(from_kernel_status(
		kapi_copy_struct_from_user(&result.value, sizeof(T), where, user_size)));
	result.user_size = user_size;
	result.where = where;
	return result;
}

template <typename T> Result<void> write_user_struct(const UserStruct<T> &arg)
{
	T out = arg.value;
	out.size = static_cast<u32>(min<usize>(arg.user_size, sizeof(T)));
	return from_kernel_status(kapi_copy_to_user(arg.where, &out, out.size));
}

} // namespace gb
