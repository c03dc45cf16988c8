// The part of iommufd's ABI (Linux 6.2+, include/uapi/linux/iommufd.h) and of its test
// ABI (CONFIG_IOMMUFD_TEST, drivers/iommu/iommufd/iommufd_test.h in 6.12, which is no
// uapi header) that the iommufd site uses, declared here: Debian 12's linux-libc-dev is
// 6.1's and has neither. Layouts as 6.12 has them; every command is size-prefixed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <sys/ioctl.h>

namespace gupbench::iommufd {

constexpr unsigned type = ';';
constexpr unsigned cmd_base = 0x80;

struct IoasAlloc {
	uint32_t size;
	uint32_t flags;
	uint32_t out_ioas_id;
};

enum MapFlags : uint32_t {
	map_fixed_iova = 1 << 0,
	map_writeable = 1 << 1,
	map_readable = 1 << 2,
};

struct IoasMap {
	uint32_t size;
	uint32_t flags;
	uint32_t ioas_id;
	uint32_t reserved;
	uint64_t user_va;
	uint64_t length;
	uint64_t iova;
};

struct IoasUnmap {
	uint32_t size;
	uint32_t ioas_id;
	uint64_t iova;
	uint64_t length;
};

static_assert(sizeof(IoasAlloc) == 12 && sizeof(IoasMap) == 40 && sizeof(IoasUnmap) == 24,
	      "iommu_ioas_alloc, _map and _unmap as 6.12 lays them out");
static_assert(offsetof(IoasMap, iova) == 32 && offsetof(IoasUnmap, length) == 16,
	      "the last member each command's minimum size is taken to");

// IOMMU_TEST_CMD with op IOMMU_TEST_OP_MOCK_DOMAIN: a mock device attached to the IOAS
// `id` through a mock hardware page table, so that a map pins the pages into it.
constexpr uint32_t test_op_mock_domain = 2;
struct TestCmd {
	uint32_t size;
	uint32_t op;
	uint32_t id;
	uint32_t reserved;
	union {
		struct {
			uint32_t out_stdev_id;
			uint32_t out_hwpt_id;
			uint32_t out_idev_id;
		} mock_domain;
		uint64_t largest_member[6]; // the union's size in 6.12
	};
	uint32_t last;
};
static_assert(sizeof(TestCmd) == 72 && offsetof(TestCmd, last) == 64, "iommu_test_cmd as 6.12 lays it out");

constexpr unsigned long ioas_alloc = _IO(type, cmd_base + 0x01);
constexpr unsigned long ioas_map = _IO(type, cmd_base + 0x05);
constexpr unsigned long ioas_unmap = _IO(type, cmd_base + 0x06);
constexpr unsigned long test_cmd = _IO(type, cmd_base + 32);

} // namespace gupbench::iommufd
