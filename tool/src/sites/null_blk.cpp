#include "sites/null_blk.h"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <dirent.h>
#include <vector>
#include <chrono>
#include <fstream>
#include <sys/mount.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

#include "sites/site.h"

namespace gupbench {
namespace {

const std::string configfs = "/sys/kernel/config";
const std::string nullb_root = configfs + "/nullb";

bool exists(const std::string &path)
{
	struct stat st;
	return stat(path.c_str(), &st) == 0;
}

void write_attribute(const std::string &dir, const std::string &name, const std::string &value)
{
	std::ofstream out(dir + "/" + name);
	out << value << std::flush;
	if (!out)
		site_fail("null_blk: writing " + value + " to " + dir + "/" + name, errno ? errno : EIO);
}

} // namespace

std::string NullBlkDevice::unavailable()
{
	if (!exists(nullb_root) && exists(configfs))
		mount("configfs", configfs.c_str(), "configfs", 0, nullptr); // already mounted: EBUSY
	if (!exists(nullb_root))
		return "no null_blk in configfs (" + nullb_root +
		       "): the kernel lacks CONFIG_BLK_DEV_NULL_BLK, or has it as a module not loaded";
	return "";
}

// Devices of observers that died holding them (killed while an I/O was in flight): gone
// before a new one is made, so that a pid used again finds its name free.
static void remove_orphans()
{
	DIR *dir = opendir(nullb_root.c_str());
	if (!dir)
		return;
	const std::string prefix = "gupbench-observe-";
	std::vector<std::string> orphans;
	while (dirent *entry = readdir(dir)) {
		std::string name = entry->d_name;
		if (name.rfind(prefix, 0) != 0)
			continue;
		pid_t owner = static_cast<pid_t>(std::atol(name.c_str() + prefix.size()));
		if (owner > 0 && kill(owner, 0) != 0 && errno == ESRCH)
			orphans.push_back(nullb_root + "/" + name);
	}
	closedir(dir);
	for (const auto &orphan : orphans) {
		std::ofstream(orphan + "/power") << "0" << std::flush;
		rmdir(orphan.c_str());
	}
}

NullBlkDevice::NullBlkDevice(std::size_t bytes, unsigned long long completion_ns)
{
	if (std::string why = unavailable(); !why.empty())
		throw SiteUnavailable(why);
	remove_orphans();
	dir_ = nullb_root + "/gupbench-observe-" + std::to_string(getpid());
	if (mkdir(dir_.c_str(), 0755) != 0)
		site_fail("null_blk: mkdir " + dir_, errno);
	try {
		configure(bytes, completion_ns);
	} catch (...) {
		teardown(); // a constructor that throws runs no destructor
		throw;
	}
}

void NullBlkDevice::configure(std::size_t bytes, unsigned long long completion_ns)
{
	const std::size_t mib = (bytes >> 20) + 1;
	write_attribute(dir_, "size", std::to_string(mib)); // in MiB
	write_attribute(dir_, "irqmode", "2");            // complete from a timer...
	write_attribute(dir_, "completion_nsec", std::to_string(completion_ns)); // ...this late
	write_attribute(dir_, "power", "1");
	powered_ = true;
	// null_blk names a disk made through configfs after its directory (6.1 and 6.12).
	path_ = "/dev/" + dir_.substr(dir_.rfind('/') + 1);
	// devtmpfs makes the node as the disk is added; give it a moment on a slow guest.
	for (int i = 0; i < 200 && !exists(path_); i++)
		std::this_thread::sleep_for(std::chrono::milliseconds(10));
	if (!exists(path_))
		site_fail("null_blk: " + path_ + " did not appear", ENOENT);
}

NullBlkDevice::~NullBlkDevice()
{
	teardown();
}

void NullBlkDevice::teardown()
{
	try {
		if (powered_)
			write_attribute(dir_, "power", "0");
	} catch (...) {
		// rmdir below still tries; a device left behind is named in dmesg by the kernel
	}
	powered_ = false;
	rmdir(dir_.c_str());
}

} // namespace gupbench
