// Text helpers for the tool's reports: aligned tables and fixed-point figures.
#pragma once

#include <initializer_list>
#include <string>
#include <vector>

namespace gupbench {

// Columns padded to their widest cell; the first and last columns are text (left
// aligned), the others figures (right aligned).
std::string aligned_table(const std::vector<std::vector<std::string>> &rows);

// Appends, where operator+ chains trip GCC 12's -Wrestrict false positive.
std::string concat(std::initializer_list<std::string> parts);

std::string fixed(double value, int decimals = 0);

// "EFAULT" for -14; "" for 0.
std::string error_name(int error);

} // namespace gupbench
