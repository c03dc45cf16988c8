#include "info_report.h"

#include <cstring>
#include <sstream>

#include "walkers.h"

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
	std::ostringstream missing;
	for (unsigned w = 0; w < GUPBENCH_WALKER_COUNT; w++)
		if (!(info.walkers & (1ull << w)))
			missing << ' ' << walker_name(w);
	if (!(info.flags & GUPBENCH_FLAG_TOUCH))
		missing << " FOLL_TOUCH";
	if (!missing.str().empty())
		out << "not in this kernel:" << missing.str() << "\n";
	return out.str();
}

std::optional<std::string> not_in_kernel(const gupbench_info &info, unsigned walker,
					 std::uint64_t flags)
{
	std::string kernel = bounded(info.kernel_release, sizeof(info.kernel_release));
	if (walker < GUPBENCH_WALKER_COUNT && !(info.walkers & (1ull << walker)))
		return "kernel " + kernel + " has no " + walker_name(walker) + " walker";
	if (flags & GUPBENCH_FLAG_TOUCH & ~info.flags)
		return "kernel " + kernel + " lets no caller pass FOLL_TOUCH";
	if (std::uint64_t other = flags & GUPBENCH_FLAGS_ALL & ~info.flags) {
		std::ostringstream why;
		why << "kernel " << kernel << " lacks flags 0x" << std::hex << other;
		return why.str();
	}
	return std::nullopt;
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
