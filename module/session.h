/* SPDX-License-Identifier: GPL-2.0 */
// One open file of /sys/kernel/debug/gupbench/bench. All state lives here, never in a
// global, so two openers cannot see each other's work; closing the file releases it.
#pragma once

#include "gupbench/alloc.h"
#include "held_pages.h"

namespace gb {

class Session {
public:
	static Result<UniquePtr<Session>> create();
	Result<long> ioctl(unsigned int cmd, UserAddr arg);

private:
	explicit Session(HeldPages held) : held_(move(held)) {}
	friend Result<UniquePtr<Session>> try_make<Session, HeldPages>(HeldPages &&);

	Result<long> info(UserAddr arg);
	Result<long> run(UserAddr arg);
	Result<long> hold(UserAddr arg);
	Result<long> release();
	Result<long> read(UserAddr arg);
	Result<long> probe(UserAddr arg);

	HeldPages held_; // what HOLD took; released by RELEASE or close
};

} // namespace gb
