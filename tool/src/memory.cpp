#include "memory.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <csignal>
#include <fcntl.h>
#include <stdexcept>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_device.h"

namespace gupbench {
namespace {

constexpr std::size_t huge_2m = 2u << 20;

const char *const kind_names[] = { "anon",  "thp",    "hugetlb", "shared",
				   "memfd", "tmpfs", "rofile",  "hugetlb_memfd" };

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

RemoteMapping::RemoteMapping(MemoryKind kind, std::size_t length, bool prefault)
{
	int pipefd[2];
	if (pipe(pipefd) != 0)
		throw SystemError("pipe", errno);
	pid_ = fork();
	if (pid_ < 0)
		throw SystemError("fork", errno);
	if (pid_ == 0) {
		close(pipefd[0]);
		Mapping mapping(kind, length, prefault);
		unsigned long addr = mapping.addr();
		if (write(pipefd[1], &addr, sizeof(addr)) != sizeof(addr))
			_exit(1);
		pause();
		_exit(0);
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
