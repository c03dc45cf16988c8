/* SPDX-License-Identifier: GPL-2.0 */
// One open file of /sys/kernel/debug/gupbench/bench. All state lives here, never in a
// global, so two openers cannot see each other's work.
#pragma once

#include "gupbench/result.h"

namespace gb {

class Session {
public:
	Result<long> ioctl(unsigned int cmd, UserAddr arg);

private:
	Result<long> info(UserAddr arg);
	Result<long> run(UserAddr arg);
};

} // namespace gb
