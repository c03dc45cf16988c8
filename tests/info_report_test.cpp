#include <gtest/gtest.h>

#include <cstring>

#include "info_report.h"

namespace {

gupbench_info sample()
{
	gupbench_info info{};
	info.size = sizeof(info);
	info.abi_version = 1;
	info.page_size = 4096;
	info.pin_counting_bias = 1024;
	info.walkers = 0x2a5; // walkers 0, 2, 5, 7 and 9
	info.flags = 0x91;    // WRITE, VERIFY, LOCK_ONCE
	std::strcpy(info.kernel_release, "6.1.0-test");
	std::strcpy(info.module_version, "0.1.0");
	return info;
}

} // namespace

TEST(InfoReport, StructIsTheSizeTheAbiSays)
{
	EXPECT_EQ(sizeof(gupbench_info), 128u);
}

TEST(InfoReport, TextNamesVersionKernelAndPageSize)
{
	auto text = gupbench::info_text(sample());
	EXPECT_NE(text.find("gupbench module 0.1.0 (ABI 1)"), std::string::npos) << text;
	EXPECT_NE(text.find("kernel 6.1.0-test"), std::string::npos) << text;
	EXPECT_NE(text.find("page size 4096"), std::string::npos) << text;
}

TEST(InfoReport, JsonHasEveryField)
{
	auto json = gupbench::info_json(sample());
	EXPECT_EQ(json["abi_version"], 1);
	EXPECT_EQ(json["kernel_release"], "6.1.0-test");
	EXPECT_EQ(json["page_size"], 4096);
	EXPECT_EQ(json["pin_counting_bias"], 1024);
	EXPECT_EQ(json["module_version"], "0.1.0");
	EXPECT_EQ(json["walkers"], 0x2a5);
	EXPECT_EQ(json["flags"], 0x91);
	EXPECT_EQ(json.size(), 7u) << json.dump();
}

TEST(InfoReport, UnterminatedStringsStayInTheirField)
{
	auto info = sample();
	std::memset(info.kernel_release, 'x', sizeof(info.kernel_release));
	auto json = gupbench::info_json(info);
	EXPECT_EQ(json["kernel_release"].get<std::string>().size(), sizeof(info.kernel_release));
}
