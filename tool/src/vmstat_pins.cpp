#include "vmstat_pins.h"

#include <fstream>
#include <string>

namespace gupbench {

std::pair<long, long> vmstat_pins()
{
	std::ofstream("/proc/sys/vm/stat_refresh") << "1";
	std::ifstream in("/proc/vmstat");
	std::string name;
	long value, acquired = -1, released = -1;
	while (in >> name >> value) {
		if (name == "nr_foll_pin_acquired")
			acquired = value;
		else if (name == "nr_foll_pin_released")
			released = value;
	}
	return { acquired, released };
}

long pins_held_since(std::pair<long, long> before)
{
	auto now = vmstat_pins();
	return (now.first - before.first) - (now.second - before.second);
}

} // namespace gupbench
