/* SPDX-License-Identifier: GPL-2.0 */
// A kernel mutex that owns its allocation, and the guard that holds it for a scope.
#pragma once

#include "gupbench/result.h"
#include "kapi/kapi.h"

namespace gb {

class Mutex {
public:
	static Result<Mutex> create()
	{
		struct mutex *m = kapi_mutex_create();
		if (!m)
			return Errno::nomem;
		return Mutex(m);
	}
	Mutex(Mutex &&other) : mutex_(exchange(other.mutex_, nullptr)) {}
	Mutex(const Mutex &) = delete;
	Mutex &operator=(const Mutex &) = delete;
	Mutex &operator=(Mutex &&) = delete;
	~Mutex() { kapi_mutex_destroy(mutex_); }

private:
	friend class MutexGuard;
	explicit Mutex(struct mutex *m) : mutex_(m) {}
	struct mutex *mutex_;
};

class MutexGuard {
public:
	explicit MutexGuard(Mutex &mutex) : mutex_(mutex.mutex_) { kapi_mutex_lock(mutex_); }
	~MutexGuard() { kapi_mutex_unlock(mutex_); }
	MutexGuard(const MutexGuard &) = delete;
	MutexGuard &operator=(const MutexGuard &) = delete;

private:
	struct mutex *mutex_;
};

} // namespace gb
