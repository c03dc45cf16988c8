// Names of walkers, flags, verdicts and mismatches, as the command line and JSON say them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <uapi/gupbench.h>

namespace gupbench {

std::optional<gupbench_walker> parse_walker(const std::string &name);
std::string walker_name(unsigned walker);
std::vector<std::string> walker_names();
// FOLL_PIN (released by unpin) rather than FOLL_GET.
bool walker_pins(unsigned walker);
// Walks a memfd (RUN's memfd, memfd_offset) instead of an address range.
bool walker_takes_memfd(unsigned walker);
std::string verdict_name(unsigned verdict);
std::string mismatch_name(unsigned mismatch);

} // namespace gupbench
