// SPDX-License-Identifier: GPL-2.0
// GUPBENCH_IOC_INFO: what this module is and which kernel it runs on.
#include "kapi/kapi.h"
#include "session.h"
#include "user_struct.h"
#include "walker.h"

#include <uapi/gupbench.h>

namespace gb {
namespace {

void copy_string(char *dst, usize dst_size, const char *src)
{
	usize i = 0;
	for (; i + 1 < dst_size && src[i]; i++)
		dst[i] = src[i];
	dst[i] = '\0';
}

} // namespace

Result<long> Session::info(UserAddr arg)
{
	auto request = TRY(read_user_struct<gupbench_info>(arg, GUPBENCH_INFO_SIZE_V1));
	gupbench_info &info = request.value;
	info.abi_version = GUPBENCH_ABI_VERSION;
	info.page_size = static_cast<u32>(kapi_page_size());
	info.pin_counting_bias = kapi_pin_counting_bias();
	info.walkers = present_walkers();
	info.flags = present_flags();
	copy_string(info.kernel_release, sizeof(info.kernel_release), kapi_kernel_release());
	copy_string(info.module_version, sizeof(info.module_version), GUPBENCH_VERSION);
	TRY(write_user_struct(request));
	return 0L;
}

} // namespace gb
