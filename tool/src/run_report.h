// A RUN's results, for people (one line per repeat) and for programs (JSON).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include <uapi/gupbench.h>

namespace gupbench {

// The value below which `fraction` of the calls fall, read from the log2 histogram: the
// upper edge of the bucket that holds it, clamped to the largest call seen.
unsigned long long histogram_percentile(const gupbench_repeat &repeat, double fraction);

// The folio orders a verified walk saw (gupbench_repeat.folio_orders), as "0,2"; "" for none.
std::string folio_orders_text(unsigned folio_orders);

nlohmann::json repeat_json(const gupbench_repeat &repeat);
std::string run_text(const gupbench_run &request, const std::vector<gupbench_repeat> &repeats);

} // namespace gupbench
