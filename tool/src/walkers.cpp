#include "walkers.h"

#include <iterator>

namespace gupbench {
namespace {

// In enum gupbench_walker order.
const char *const names[GUPBENCH_WALKER_COUNT] = {
	"get_fast", "pin_fast", "get_fast_only", "pin_fast_only", "get",
	"pin", "get_unlocked", "pin_unlocked", "get_remote", "pin_remote", "pin_memfd",
};

} // namespace

std::optional<gupbench_walker> parse_walker(const std::string &name)
{
	for (unsigned i = 0; i < GUPBENCH_WALKER_COUNT; i++)
		if (name == names[i])
			return static_cast<gupbench_walker>(i);
	return std::nullopt;
}

std::string walker_name(unsigned walker)
{
	return walker < GUPBENCH_WALKER_COUNT ? names[walker] : "walker" + std::to_string(walker);
}

std::vector<std::string> walker_names()
{
	return { std::begin(names), std::end(names) };
}

bool walker_pins(unsigned walker)
{
	switch (walker) {
	case GUPBENCH_WALKER_PIN_FAST:
	case GUPBENCH_WALKER_PIN_FAST_ONLY:
	case GUPBENCH_WALKER_PIN:
	case GUPBENCH_WALKER_PIN_UNLOCKED:
	case GUPBENCH_WALKER_PIN_REMOTE:
	case GUPBENCH_WALKER_PIN_MEMFD:
		return true;
	}
	return false;
}

bool walker_takes_memfd(unsigned walker)
{
	return walker == GUPBENCH_WALKER_PIN_MEMFD;
}

std::string verdict_name(unsigned verdict)
{
	switch (verdict) {
	case GUPBENCH_VERDICT_NOT_CHECKED: return "not_checked";
	case GUPBENCH_VERDICT_EXACT: return "exact";
	case GUPBENCH_VERDICT_MISMATCH: return "mismatch";
	case GUPBENCH_VERDICT_OVERLAPPED: return "overlapped";
	}
	return "verdict" + std::to_string(verdict);
}

std::string mismatch_name(unsigned mismatch)
{
	switch (mismatch) {
	case GUPBENCH_MISMATCH_NONE: return "none";
	case GUPBENCH_MISMATCH_NOT_PINNED: return "not_pinned";
	case GUPBENCH_MISMATCH_REFCOUNT_TAKEN: return "refcount_taken";
	case GUPBENCH_MISMATCH_PINCOUNT_TAKEN: return "pincount_taken";
	case GUPBENCH_MISMATCH_REFCOUNT_RELEASED: return "refcount_released";
	case GUPBENCH_MISMATCH_PINCOUNT_RELEASED: return "pincount_released";
	case GUPBENCH_MISMATCH_VMSTAT: return "vmstat";
	case GUPBENCH_MISMATCH_NOT_LONGTERM_PINNABLE: return "not_longterm_pinnable";
	case GUPBENCH_MISMATCH_PAGES_TAKEN: return "pages_taken";
	}
	return "mismatch" + std::to_string(mismatch);
}

} // namespace gupbench
