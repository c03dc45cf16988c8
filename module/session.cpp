// SPDX-License-Identifier: GPL-2.0
#include "session.h"

#include "entry.h"
#include "kapi/kapi.h"

#include <uapi/gupbench.h>

namespace gb {

Result<UniquePtr<Session>> Session::create()
{
	HeldPages held = TRY(HeldPages::create());
	return try_make<Session>(move(held));
}

Result<long> Session::ioctl(unsigned int cmd, UserAddr arg)
{
	if (_IOC_TYPE(cmd) != GUPBENCH_IOC_MAGIC)
		return Errno::notty;
	switch (_IOC_NR(cmd)) {
	case _IOC_NR(GUPBENCH_IOC_INFO):
		return info(arg);
	case _IOC_NR(GUPBENCH_IOC_RUN):
		return run(arg);
	case _IOC_NR(GUPBENCH_IOC_HOLD):
		return hold(arg);
	case _IOC_NR(GUPBENCH_IOC_RELEASE):
		return release();
	case _IOC_NR(GUPBENCH_IOC_READ):
		return read(arg);
	case _IOC_NR(GUPBENCH_IOC_PROBE):
		return probe(arg);
	default:
		kapi_log_err("unknown ioctl command %#x", cmd);
		return Errno::notty;
	}
}

} // namespace gb

// The C entry (entry.c) knows a session only as an opaque pointer.
static gb::Session *from_c(struct gupbench_session *session)
{
	return reinterpret_cast<gb::Session *>(session);
}

extern "C" int gupbench_session_open(struct gupbench_session **session)
{
	auto made = gb::Session::create();
	if (made.is_error())
		return static_cast<int>(made.error().to_kernel());
	*session = reinterpret_cast<struct gupbench_session *>(made.value().leak());
	return 0;
}

extern "C" void gupbench_session_release(struct gupbench_session *session)
{
	gb::UniquePtr<gb::Session> owned(from_c(session));
}

extern "C" long gupbench_session_ioctl(struct gupbench_session *session, unsigned int cmd,
				       unsigned long uarg)
{
	auto answer = from_c(session)->ioctl(cmd, uarg);
	return answer.is_ok() ? answer.value() : answer.error().to_kernel();
}
