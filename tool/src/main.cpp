// gupbench: drive the gupbench kernel module from userspace.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "bench_device.h"
#include "info_report.h"

int main(int argc, char **argv)
{
	CLI::App app{ "gupbench: measure and test the kernel's get_user_pages paths\n" };
	app.set_version_flag("--version", GUPBENCH_TOOL_VERSION);
	std::string device_path = GUPBENCH_BENCH_FILE;
	app.add_option("--device", device_path, "the module's debugfs file")->capture_default_str();
	app.require_subcommand(1);
	app.footer("Examples:\n  gupbench info\n  gupbench info --json");

	bool json = false;
	auto *info_cmd = app.add_subcommand("info", "show the module's ABI, kernel and page facts");
	info_cmd->add_flag("--json", json, "print JSON instead of text");

	CLI11_PARSE(app, argc, argv);

	try {
		gupbench::BenchDevice device(device_path);
		if (info_cmd->parsed()) {
			auto info = device.info();
			if (json)
				std::cout << gupbench::info_json(info).dump(2) << "\n";
			else
				std::cout << gupbench::info_text(info);
		}
	} catch (const gupbench::SystemError &error) {
		std::fprintf(stderr, "gupbench: %s\n", error.what());
		return 1;
	}
	return 0;
}
