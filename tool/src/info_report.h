// GUPBENCH_IOC_INFO's answer, for people and for programs.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include <uapi/gupbench.h>

namespace gupbench {

std::string info_text(const gupbench_info &info);
nlohmann::json info_json(const gupbench_info &info);

} // namespace gupbench
