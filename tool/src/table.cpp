#include "table.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <sstream>

namespace gupbench {

std::string aligned_table(const std::vector<std::vector<std::string>> &rows)
{
	if (rows.empty())
		return {};
	std::vector<std::size_t> width(rows.front().size(), 0);
	for (const auto &row : rows)
		for (std::size_t c = 0; c < row.size() && c < width.size(); c++)
			width[c] = std::max(width[c], row[c].size());
	std::ostringstream out;
	for (const auto &row : rows) {
		for (std::size_t c = 0; c < row.size() && c < width.size(); c++) {
			bool last = c + 1 == row.size();
			std::string pad(width[c] - row[c].size(), ' ');
			if (c == 0 || last)
				out << row[c] << (last ? "" : pad);
			else
				out << pad << row[c];
			if (!last)
				out << "  ";
		}
		out << "\n";
	}
	return out.str();
}

std::string concat(std::initializer_list<std::string> parts)
{
	std::string joined;
	for (const auto &part : parts)
		joined.append(part);
	return joined;
}

std::string fixed(double value, int decimals)
{
	char text[32];
	std::snprintf(text, sizeof(text), "%.*f", decimals, value);
	return text;
}

std::string error_name(int error)
{
	return error ? std::string(strerrorname_np(-error) ?: "?") : std::string();
}

} // namespace gupbench
