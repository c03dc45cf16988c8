/* SPDX-License-Identifier: GPL-2.0 */
// MemfdFile: a counted reference to the file behind a caller's memfd, dropped when the
// owner goes, so that the file outlives every pin a walk takes of it even if the caller
// closes the fd meanwhile. Only files memfd_pin_folios() accepts: shmem or hugetlbfs.
#pragma once

#include "gupbench/result.h"
#include "kapi/gup.h"
#include "kapi/kapi.h"

namespace gb {

class MemfdFile {
public:
	// EBADF: fd is not open; EINVAL: it is not a shmem or hugetlbfs file.
	static Result<MemfdFile> of_fd(const char *who, s32 fd)
	{
		int err = 0;
		struct file *file = kapi_fget(fd, &err); // a negative fd is never open
		if (!file) {
			kapi_log_err("%s: memfd %d is not an open file", who, fd);
			return Error::from_kernel(err);
		}
		MemfdFile owned(file);
		if (!kapi_file_is_memfd_backed(file)) {
			kapi_log_err("%s: fd %d is not a memfd (neither shmem nor hugetlbfs)", who, fd);
			return Errno::inval;
		}
		return owned;
	}
	// Takes over a reference the caller holds to `file` (a shmem file made in the kernel,
	// as the KUnit cases make one); EINVAL, the reference dropped, if it is not a memfd's
	// kind of file.
	static Result<MemfdFile> adopt(const char *who, struct file *file)
	{
		MemfdFile owned(file);
		if (!kapi_file_is_memfd_backed(file)) {
			kapi_log_err("%s: the file is not a memfd's (neither shmem nor hugetlbfs)", who);
			return Errno::inval;
		}
		return owned;
	}
	MemfdFile(MemfdFile &&other) : file_(exchange(other.file_, nullptr)) {}
	MemfdFile(const MemfdFile &) = delete;
	MemfdFile &operator=(const MemfdFile &) = delete;
	MemfdFile &operator=(MemfdFile &&) = delete;
	~MemfdFile()
	{
		if (file_)
			kapi_fput(file_);
	}

	struct file *get() const { return file_; }
	u64 size() const { return static_cast<u64>(kapi_file_size(file_)); }

private:
	explicit MemfdFile(struct file *file) : file_(file) {}
	struct file *file_;
};

} // namespace gb
