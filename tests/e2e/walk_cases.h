// The parameter of the e2e walk matrices: a walker on a kind of memory, read or written,
// and its test name (walker_memory_read|write).
#pragma once

#include <string>

#include <gtest/gtest.h>

#include <uapi/gupbench.h>

#include "memory.h"
#include "walkers.h"

namespace e2e {

struct WalkCase {
	gupbench_walker walker;
	gupbench::MemoryKind memory;
	bool write;
};

inline std::string case_name(const ::testing::TestParamInfo<WalkCase> &info)
{
	return gupbench::walker_name(info.param.walker) + "_" +
	       gupbench::memory_kind_name(info.param.memory) + (info.param.write ? "_write" : "_read");
}

} // namespace e2e
