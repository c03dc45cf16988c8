// /proc/vmstat's FOLL_PIN counters, for whoever watches pins come and go from userspace
// (observe, the e2e tests).
#pragma once

#include <utility>

namespace gupbench {

// nr_foll_pin_acquired and _released, with the per-CPU deltas folded in first
// (/proc/sys/vm/stat_refresh): /proc/vmstat alone lags behind.
std::pair<long, long> vmstat_pins();

// Pins held now, as vmstat counts them, beyond those held at `before` (a vmstat_pins()).
long pins_held_since(std::pair<long, long> before);

} // namespace gupbench
