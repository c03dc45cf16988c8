// SPDX-License-Identifier: GPL-2.0
// HOLD, RELEASE and READ: a pin kept across calls, owned by the open file.
#include "kapi/kapi.h"
#include "session.h"
#include "user_struct.h"
#include "walk.h"

namespace gb {

Result<long> Session::hold(UserAddr arg)
{
	auto request = TRY(read_user_struct<gupbench_hold>(arg, GUPBENCH_HOLD_SIZE_V1));
	gupbench_hold &h = request.value;
	if (h.reserved || (h.flags & GUPBENCH_FLAG_VERIFY)) {
		kapi_log_err("hold: reserved must be 0 and VERIFY is for RUN");
		return Errno::inval;
	}
	if (h.walker == GUPBENCH_WALKER_GET_REMOTE || h.walker == GUPBENCH_WALKER_PIN_REMOTE) {
		kapi_log_err("hold: remote walkers cannot hold");
		return Errno::inval;
	}
	if (is_memfd_walker(h.walker)) {
		// A kernel without memfd_pin_folios() says so (EOPNOTSUPP); one with it, that
		// HOLD keeps pages of an address range, which a memfd walk has not.
		Walker walker = TRY(Walker::create(h.walker, 0, 0));
		kapi_log_err("hold: %s is for RUN only", walker.traits().name);
		return Errno::inval;
	}
	Range range = TRY(checked_range(h.addr, h.length, h.pages_per_call));
	Walker walker = TRY(Walker::create(h.walker, h.flags, 0));
	h.pages_held = TRY(held_.take("hold", walker, range, h.pages_per_call,
				      h.flags & GUPBENCH_FLAG_DIRTY));
	auto written = write_user_struct(request);
	if (written.is_error()) {
		held_.release_if_held(); // the caller cannot learn it holds them: keep nothing
		return written.error();
	}
	return 0L;
}

Result<long> Session::release()
{
	TRY(held_.release("release"));
	return 0L;
}

Result<long> Session::read(UserAddr arg)
{
	auto request = TRY(read_user_struct<gupbench_read>(arg, GUPBENCH_READ_SIZE_V1));
	const gupbench_read &r = request.value;
	if (r.reserved) {
		kapi_log_err("read: reserved must be 0");
		return Errno::inval;
	}
	TRY(held_.copy_to_user("read", r.buffer, r.length));
	return 0L;
}

} // namespace gb
