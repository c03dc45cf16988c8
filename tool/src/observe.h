// `gupbench observe --site SITE`: a kernel call site that hands user pages to the kernel
// (io_uring's registered buffers, vmsplice into a pipe) set up on memory of one kind, and
// what the kernel's own counts say before, while the site holds the memory, and after it
// let go (GUPBENCH_IOC_PROBE and /proc/vmstat): pins or plain references, how many per
// page, whether every page is pinned, whether all came back; and the site's set-up cost
// per page against gupbench's own pin_fast on the same memory.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "memory.h"

namespace gupbench {

struct ObserveOptions {
	std::vector<std::string> sites; // empty: every site
	MemoryKind memory = MemoryKind::anon; // what observe_site() sets the site up on
	std::vector<MemoryKind> memories;      // run_observe(): each site on each (empty: `memory`)
	std::size_t size = 1 << 20;
	bool write = false;
	bool json = false;
	std::string device_path;
};

// What one site did, as the JSON names it.
struct Observation {
	std::string site, kernel, memory;
	bool skipped = false;
	std::string why; // skipped: the reason
	std::string ref_kind; // "pin", "get" or "none"
	bool longterm = false; // the site's call is FOLL_LONGTERM (from its source; see docs)
	unsigned long long pages = 0, pinned_pages = 0;
	double pins_per_page = 0, refs_per_page = 0;
	long long leaked = 0; // pins and references not given back after the release
	unsigned long long folios = 0; // folios the range was made of while held
	bool settled = false; // the held snapshot agreed with the one before, every folio held
	bool in_child = false; // the memory was a child's, the target of the site's calls
	std::string error;    // run_observe(): what went wrong with this site, if anything
	unsigned setup_samples = 0; // set-up times the median is of
	double setup_ns_per_page = 0, pin_fast_ns_per_page = 0, ratio_to_pin_fast = 0;
};

std::vector<std::string> observe_site_names();
Observation observe_site(const std::string &site, const ObserveOptions &options);
nlohmann::json observation_json(const Observation &o);
std::string observation_table(const std::vector<Observation> &observations);
int run_observe(const ObserveOptions &options);

} // namespace gupbench
