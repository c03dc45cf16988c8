// SPDX-License-Identifier: GPL-2.0
#include "session.h"

#include "entry.h"
#include "gupbench/alloc.h"
#include "kapi/kapi.h"

#include <uapi/gupbench.h>

// The C entry (entry.c) knows a session only as this opaque type.
struct gupbench_session : gb::Session {};

namespace gb {

Result<long> Session::ioctl(unsigned int cmd, UserAddr arg)
{
	if (_IOC_TYPE(cmd) != GUPBENCH_IOC_MAGIC)
		return Errno::notty;
	switch (_IOC_NR(cmd)) {
	case _IOC_NR(GUPBENCH_IOC_INFO):
		return info(arg);
	case _IOC_NR(GUPBENCH_IOC_RUN):
		return run(arg);
	default:
		kapi_log_err("unknown ioctl command %#x", cmd);
		return Errno::notty;
	}
}

} // namespace gb

extern "C" int gupbench_session_open(struct gupbench_session **session)
{
	auto made = gb::try_make<gupbench_session>();
	if (made.is_error())
		return static_cast<int>(made.error().to_kernel());
	*session = made.value().leak();
	return 0;
}

extern "C" void gupbench_session_release(struct gupbench_session *session)
{
	gb::UniquePtr<gupbench_session> owned(session);
}

extern "C" long gupbench_session_ioctl(struct gupbench_session *session, unsigned int cmd,
				       unsigned long uarg)
{
	auto answer = session->ioctl(cmd, uarg);
	return answer.is_ok() ? answer.value() : answer.error().to_kernel();
}
