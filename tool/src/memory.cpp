#include "memory.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_device.h"

namespace gupbench {
namespace {

constexpr std::size_t huge_2m = 2u << 20;

const char *const kind_names[] = { "anon",  "thp",    "hugetlb", "shared",  "memfd",
				   "tmpfs", "rofile", "mthp16k", "mthp64k", "hugetlb_memfd" };

const std::string thp_sysfs = "/sys/kernel/mm/transparent_hugepage";

std::size_t mthp_folio_bytes(MemoryKind kind)
{
	return static_cast<std::size_t>(sysconf(_SC_PAGESIZE)) << mthp_order(kind);
}

// hugepages-16kB and the like: one folio size's controls.
std::string mthp_dir(MemoryKind kind)
{
	return thp_sysfs + "/hugepages-" + std::to_string(mthp_folio_bytes(kind) >> 10) + "kB";
}

// The word in brackets: what "always inherit madvise [never]" is set to.
std::string sysfs_choice(const std::string &path)
{
	std::ifstream in(path);
	std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
	auto open = text.find('['), close = text.find(']');
	if (open == std::string::npos || close == std::string::npos || close < open)
		throw std::runtime_error("cannot read the setting in " + path);
	return text.substr(open + 1, close - open - 1);
}

void sysfs_write(const std::string &path, const std::string &value)
{
	int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		throw SystemError("open " + path, errno);
	ssize_t written = write(fd, value.data(), value.size());
	int error = errno;
	close(fd);
	if (written != static_cast<ssize_t>(value.size()))
		throw SystemError("writing '" + value + "' to " + path, error);
}

unsigned long long sysfs_number(const std::string &path)
{
	unsigned long long value = 0;
	std::ifstream(path) >> value;
	return value;
}

// The process's multi-size THP policy (MthpPolicy): how many hold it, for which order,
// and each size's `enabled` as the first found it.
struct MthpState {
	std::mutex lock;
	unsigned holders = 0;
	unsigned order = 0;
	std::vector<std::pair<std::string, std::string>> saved;
};
MthpState &mthp_state()
{
	static MthpState state;
	return state;
}

void *map_or_throw(void *hint, std::size_t length, int prot, int flags, int fd, const char *what)
{
	void *p = mmap(hint, length, prot, flags, fd, 0);
	if (p == MAP_FAILED)
		throw SystemError(std::string("mmap ") + what, errno);
	return p;
}

// A file in the guest's tmpfs (/tmp), filled so that every page exists.
int tmpfs_file(std::size_t length)
{
	char path[] = "/tmp/gupbench-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		throw SystemError("mkstemp in /tmp", errno);
	unlink(path);
	std::vector<char> block(1 << 16, 'g');
	for (std::size_t done = 0; done < length; done += block.size())
		if (write(fd, block.data(), std::min(block.size(), length - done)) < 0)
			throw SystemError("filling the tmpfs file", errno);
	return fd;
}

} // namespace

std::optional<MemoryKind> parse_memory_kind(const std::string &name)
{
	for (std::size_t i = 0; i < std::size(kind_names); i++)
		if (name == kind_names[i])
			return static_cast<MemoryKind>(i);
	return std::nullopt;
}

std::string memory_kind_name(MemoryKind kind)
{
	return kind_names[static_cast<int>(kind)];
}

std::vector<std::string> memory_kind_names()
{
	return { std::begin(kind_names), std::end(kind_names) };
}

bool is_memfd_kind(MemoryKind kind)
{
	return kind == MemoryKind::memfd || kind == MemoryKind::hugetlb_memfd;
}

unsigned mthp_order(MemoryKind kind)
{
	long page = sysconf(_SC_PAGESIZE);
	std::size_t bytes = kind == MemoryKind::mthp16k ? 16u << 10 : kind == MemoryKind::mthp64k ? 64u << 10 : 0;
	unsigned order = 0;
	while (bytes > static_cast<std::size_t>(page) << order)
		order++;
	return order;
}

std::string mthp_unavailable(MemoryKind kind)
{
	if (mthp_order(kind) == 0)
		return "";
	if (access(thp_sysfs.c_str(), F_OK) != 0)
		return "no multi-size THP on this kernel: CONFIG_TRANSPARENT_HUGEPAGE is not set";
	std::string enabled = mthp_dir(kind) + "/enabled";
	if (access(enabled.c_str(), W_OK) == 0)
		return "";
	const int error = errno;
	return "no multi-size THP on this kernel (" + enabled + " " +
	       (error == ENOENT ? "is missing: Linux 6.8+ with CONFIG_TRANSPARENT_HUGEPAGE"
				: std::string("is not writable: ") + std::strerror(error)) +
	       ")";
}

MthpPolicy::MthpPolicy(MemoryKind kind)
{
	MthpState &state = mthp_state();
	std::lock_guard guard(state.lock);
	const unsigned order = mthp_order(kind);
	if (state.holders > 0) {
		if (state.order != order)
			throw std::runtime_error("multi-size THP: " + memory_kind_name(kind) +
						 " while another folio size is set up in this process");
		state.holders++;
		return;
	}
	if (auto why = mthp_unavailable(kind); !why.empty())
		throw std::runtime_error(why);
	const std::string ours = mthp_dir(kind) + "/enabled";
	std::vector<std::pair<std::string, std::string>> saved;
	for (const auto &entry : std::filesystem::directory_iterator(thp_sysfs)) {
		if (entry.path().filename().string().rfind("hugepages-", 0) != 0)
			continue;
		// Some sizes have only shmem_enabled (6.12's hugepages-8kB: order 1 is for files).
		std::string enabled = entry.path().string() + "/enabled";
		if (access(enabled.c_str(), F_OK) == 0)
			saved.emplace_back(enabled, sysfs_choice(enabled));
	}
	try {
		for (const auto &[path, value] : saved)
			sysfs_write(path, path == ours ? "madvise" : "never");
	} catch (...) {
		for (const auto &[path, value] : saved)
			sysfs_write(path, value);
		throw;
	}
	state.saved = std::move(saved);
	state.order = order;
	state.holders = 1;
}

MthpPolicy::~MthpPolicy()
{
	MthpState &state = mthp_state();
	std::lock_guard guard(state.lock);
	if (--state.holders > 0)
		return;
	for (const auto &[path, value] : state.saved) {
		try {
			sysfs_write(path, value);
		} catch (const std::exception &e) {
			fprintf(stderr, "gupbench: could not put multi-size THP back: %s\n", e.what());
		}
	}
	state.saved.clear();
}

MthpFaults mthp_faults(MemoryKind kind)
{
	if (mthp_order(kind) == 0)
		return {};
	std::string stats = mthp_dir(kind) + "/stats/";
	return { sysfs_number(stats + "anon_fault_alloc"), sysfs_number(stats + "anon_fault_fallback") };
}

Mapping::Mapping(MemoryKind kind, std::size_t length, bool prefault) : kind_(kind), length_(length)
{
	const int rw = PROT_READ | PROT_WRITE;
	switch (kind) {
	case MemoryKind::anon:
		base_ = static_cast<char *>(map_or_throw(nullptr, length, rw, MAP_PRIVATE | MAP_ANONYMOUS, -1, "anon"));
		madvise(base_, length, MADV_NOHUGEPAGE);
		break;
	case MemoryKind::thp: {
		// Over-map, then align to 2 MiB so the kernel can back it with huge pages.
		reservation_length_ = length + huge_2m;
		reservation_ = static_cast<char *>(map_or_throw(nullptr, reservation_length_, rw,
								 MAP_PRIVATE | MAP_ANONYMOUS, -1, "thp"));
		auto aligned = (reinterpret_cast<unsigned long>(reservation_) + huge_2m - 1) & ~(huge_2m - 1);
		base_ = reinterpret_cast<char *>(aligned);
		if (madvise(base_, length, MADV_HUGEPAGE) != 0)
			throw SystemError("madvise(MADV_HUGEPAGE)", errno);
		break;
	}
	case MemoryKind::hugetlb:
		base_ = static_cast<char *>(map_or_throw(nullptr, length, rw,
							 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1,
							 "hugetlb (are huge pages reserved? /proc/sys/vm/nr_hugepages)"));
		break;
	case MemoryKind::shared:
		base_ = static_cast<char *>(map_or_throw(nullptr, length, rw, MAP_SHARED | MAP_ANONYMOUS, -1, "shared"));
		break;
	case MemoryKind::memfd:
		fd_ = memfd_create("gupbench", MFD_CLOEXEC);
		if (fd_ < 0)
			throw SystemError("memfd_create", errno);
		if (ftruncate(fd_, length) != 0)
			throw SystemError("ftruncate memfd", errno);
		base_ = static_cast<char *>(map_or_throw(nullptr, length, rw, MAP_SHARED, fd_, "memfd"));
		break;
	case MemoryKind::hugetlb_memfd:
		fd_ = memfd_create("gupbench", MFD_CLOEXEC | MFD_HUGETLB);
		if (fd_ < 0)
			throw SystemError("memfd_create(MFD_HUGETLB)", errno);
		if (ftruncate(fd_, length) != 0)
			throw SystemError("ftruncate hugetlb memfd", errno);
		base_ = static_cast<char *>(map_or_throw(nullptr, length, rw, MAP_SHARED, fd_,
							 "hugetlb memfd (are huge pages reserved? /proc/sys/vm/nr_hugepages)"));
		break;
	case MemoryKind::tmpfs:
		fd_ = tmpfs_file(length);
		base_ = static_cast<char *>(map_or_throw(nullptr, length, rw, MAP_SHARED, fd_, "tmpfs file"));
		break;
	case MemoryKind::rofile:
		fd_ = tmpfs_file(length);
		base_ = static_cast<char *>(map_or_throw(nullptr, length, PROT_READ, MAP_PRIVATE, fd_, "read-only file"));
		break;
	case MemoryKind::mthp16k:
	case MemoryKind::mthp64k: {
		mthp_policy_ = std::make_unique<MthpPolicy>(kind);
		// A folio lies at an address aligned to its size (the fault picks the largest
		// allowed order whose aligned block fits in the VMA): over-map, then align.
		const std::size_t folio = mthp_folio_bytes(kind);
		reservation_length_ = length + folio;
		reservation_ = static_cast<char *>(map_or_throw(nullptr, reservation_length_, rw,
								 MAP_PRIVATE | MAP_ANONYMOUS, -1, "mthp"));
		auto aligned = (reinterpret_cast<unsigned long>(reservation_) + folio - 1) & ~(folio - 1);
		base_ = reinterpret_cast<char *>(aligned);
		if (madvise(base_, length, MADV_HUGEPAGE) != 0)
			throw SystemError("madvise(MADV_HUGEPAGE)", errno);
		break;
	}
	}
	if (prefault) {
		long page = sysconf(_SC_PAGESIZE);
		volatile char sink = 0;
		for (std::size_t off = 0; off < length; off += page) {
			if (writable())
				base_[off] = 1;
			else
				sink = sink + base_[off];
		}
	}
}

Mapping::~Mapping()
{
	if (reservation_)
		munmap(reservation_, reservation_length_);
	else if (base_)
		munmap(base_, length_);
	if (fd_ >= 0)
		close(fd_);
}

// The child of a RemoteMapping: maps the memory, sends its address, waits to be killed.
// The pages it faults sit in this CPU's LRU batch, holding a reference each until the
// batch drains: it stays on one CPU and drains it (munmap does), so that a drain later is
// not read as a reference given back (observe, the ledger).
[[noreturn]] static void remote_child(MemoryKind kind, std::size_t length, bool prefault, int to_parent)
{
	try {
		cpu_set_t one;
		CPU_ZERO(&one);
		CPU_SET(sched_getcpu(), &one);
		sched_setaffinity(0, sizeof(one), &one);
		Mapping mapping(kind, length, prefault);
		const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
		if (void *scratch = mmap(nullptr, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		    scratch != MAP_FAILED)
			munmap(scratch, page);
		unsigned long addr = mapping.addr();
		if (write(to_parent, &addr, sizeof(addr)) != sizeof(addr))
			_exit(1);
		for (;;)
			pause();
	} catch (...) {
		_exit(1); // never runs on as a copy of its parent
	}
}

RemoteMapping::RemoteMapping(MemoryKind kind, std::size_t length, bool prefault)
{
	if (mthp_order(kind))
		mthp_policy_ = std::make_unique<MthpPolicy>(kind);
	int pipefd[2];
	if (pipe(pipefd) != 0)
		throw SystemError("pipe", errno);
	const pid_t parent = getpid();
	pid_ = fork();
	if (pid_ < 0) {
		int error = errno;
		close(pipefd[0]);
		close(pipefd[1]);
		throw SystemError("fork", error);
	}
	if (pid_ == 0) {
		close(pipefd[0]);
		// Never outlives its parent: a parent that died before the prctl is seen after it.
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		remote_child(kind, length, prefault, pipefd[1]);
	}
	close(pipefd[1]);
	ssize_t got = read(pipefd[0], &addr_, sizeof(addr_));
	close(pipefd[0]);
	if (got != sizeof(addr_)) {
		kill_and_reap();
		throw std::runtime_error("the remote child could not map its memory");
	}
}

void RemoteMapping::kill_and_reap()
{
	if (pid_ > 0) {
		kill(pid_, SIGKILL);
		waitpid(pid_, nullptr, 0);
		pid_ = -1;
	}
}

RemoteMapping::~RemoteMapping()
{
	kill_and_reap();
}

} // namespace gupbench
