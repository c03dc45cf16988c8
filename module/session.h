/* SPDX-License-Identifier: GPL-2.0 */
// One open file of /sys/kernel/debug/gupbench/bench. All state lives here, never in a
// global, so two openers cannot see each other's work; closing the file releases it.
#pragma once

#include "gupbench/alloc.h"
#include "mutex.h"
#include "pinned_pages.h"

namespace gb {

class Session {
public:
	static Result<UniquePtr<Session>> create();
	Result<long> ioctl(unsigned int cmd, UserAddr arg);

private:
	explicit Session(Mutex lock) : lock_(move(lock)) {}
	friend Result<UniquePtr<Session>> try_make<Session, Mutex>(Mutex &&);

	Result<long> info(UserAddr arg);
	Result<long> run(UserAddr arg);
	Result<long> hold(UserAddr arg);
	Result<long> release();
	Result<long> read(UserAddr arg);

	Mutex lock_;                  // serialises HOLD, RELEASE and READ on this file
	UniquePtr<PinnedPages> held_; // what HOLD took; released by RELEASE or close
};

} // namespace gb
