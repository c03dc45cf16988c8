/* SPDX-License-Identifier: GPL-2.0 */
// The errno values gupbench returns. Linux errno numbers are ABI and never change; a KUnit
// case checks each against the kernel's own definition.
#pragma once

namespace gb {

enum class Errno : int {
	perm = 1,
	srch = 3,
	intr = 4,
	io = 5,
	too_big = 7, // E2BIG
	again = 11,
	nomem = 12,
	acces = 13,
	fault = 14,
	busy = 16,
	inval = 22,
	notty = 25,
	nospc = 28,
	range = 34,
	overflow = 75,
	opnotsupp = 95,
};

} // namespace gb
