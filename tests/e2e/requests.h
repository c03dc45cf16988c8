// The ioctl arguments the end-to-end tests build again and again, filled in as the module
// expects them (size fields set, one repeat unless asked).
#pragma once

#include <uapi/gupbench.h>
#include <uapi/gupbench_gup_test.h>

namespace e2e {

inline gupbench_run run_request(unsigned walker, unsigned long addr, unsigned long length,
				unsigned per_call, gupbench_repeat *results, unsigned repeats = 1)
{
	gupbench_run r{};
	r.size = sizeof(r);
	r.walker = walker;
	r.addr = addr;
	r.length = length;
	r.pages_per_call = per_call;
	r.repeats = repeats;
	r.repeat_size = sizeof(gupbench_repeat);
	r.results = reinterpret_cast<unsigned long>(results);
	return r;
}

inline gupbench_hold hold_request(unsigned walker, unsigned long long flags, unsigned long addr,
				  unsigned long length, unsigned per_call)
{
	gupbench_hold h{};
	h.size = sizeof(h);
	h.walker = walker;
	h.flags = flags;
	h.addr = addr;
	h.length = length;
	h.pages_per_call = per_call;
	return h;
}

// For the gup_test file's commands 1 to 6 (FOLL_* values in gup_flags, as the selftest).
inline gup_test gup_test_request(unsigned long addr, unsigned long size, unsigned per_call,
				 unsigned gup_flags = 0)
{
	gup_test g{};
	g.addr = addr;
	g.size = size;
	g.nr_pages_per_call = per_call;
	g.gup_flags = gup_flags;
	return g;
}

// Whether `walker` takes FOLL_PIN (moves nr_foll_pin_acquired by a page per page) or
// FOLL_GET (moves it not at all), by name as include/uapi/gupbench.h lists them: written
// out here, not derived from the enum's order as the tool does, so that either can be
// checked against the other.
inline bool walker_pins(unsigned walker)
{
	switch (walker) {
	case GUPBENCH_WALKER_PIN_FAST:
	case GUPBENCH_WALKER_PIN_FAST_ONLY:
	case GUPBENCH_WALKER_PIN:
	case GUPBENCH_WALKER_PIN_UNLOCKED:
	case GUPBENCH_WALKER_PIN_REMOTE:
		return true;
	}
	return false;
}

} // namespace e2e
