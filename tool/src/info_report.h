// GUPBENCH_IOC_INFO's answer, for people and for programs.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include <uapi/gupbench.h>

namespace gupbench {

std::string info_text(const gupbench_info &info);
nlohmann::json info_json(const gupbench_info &info);

// Why the module cannot walk with `walker` and `flags` on its kernel: a walker or flag
// that INFO leaves out (a GUP function or FOLL_* flag that kernel does not have; the
// module would answer EOPNOTSUPP). Nothing when it can.
std::optional<std::string> not_in_kernel(const gupbench_info &info, unsigned walker,
					 std::uint64_t flags);

} // namespace gupbench
