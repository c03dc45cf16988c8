#include "info_report.h"

#include <cstring>
#include <sstream>

namespace gupbench {
namespace {

// The module NUL-terminates, but a reader never trusts a fixed-size field to be.
std::string bounded(const char *field, std::size_t capacity)
{
	return std::string(field, strnlen(field, capacity));
}

} // namespace

std::string info_text(const gupbench_info &info)
{
	std::ostringstream out;
	out << "gupbench module " << bounded(info.module_version, sizeof(info.module_version))
	    << " (ABI " << info.abi_version << ")\n"
	    << "kernel " << bounded(info.kernel_release, sizeof(info.kernel_release)) << "\n"
	    << "page size " << info.page_size << " bytes, pin counting bias "
	    << info.pin_counting_bias << "\n";
	return out.str();
}

nlohmann::json info_json(const gupbench_info &info)
{
	return {
		{ "module_version", bounded(info.module_version, sizeof(info.module_version)) },
		{ "abi_version", info.abi_version },
		{ "kernel_release", bounded(info.kernel_release, sizeof(info.kernel_release)) },
		{ "page_size", info.page_size },
		{ "pin_counting_bias", info.pin_counting_bias },
		{ "walkers", info.walkers },
		{ "flags", info.flags },
	};
}

} // namespace gupbench
