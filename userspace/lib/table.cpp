// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "libnsprobe/table.h"

#include "libnsprobe/units.h"

#include <algorithm>

namespace nsprobe {

std::string Table::render(const std::string &indent, bool color) const
{
	std::vector<std::vector<std::string>> rows;
	rows.reserve(rows_.size());
	for (const auto &row : rows_) {
		std::vector<std::string> safe;
		for (const std::string &cell : row)
			safe.push_back(printable(cell));
		rows.push_back(std::move(safe));
	}
	std::vector<size_t> width(cols_.size());
	for (size_t c = 0; c < cols_.size(); c++)
		width[c] = cols_[c].header.size();
	for (const auto &row : rows)
		for (size_t c = 0; c < row.size() && c < cols_.size(); c++)
			width[c] = std::max(width[c], row[c].size());

	std::string out;
	auto line = [&](const std::vector<std::string> &cells, bool bold = false) {
		std::string l = indent;
		for (size_t c = 0; c < cols_.size(); c++) {
			const std::string empty;
			const std::string &s = c < cells.size() ? cells[c] : empty;
			std::string pad(width[c] - s.size(), ' ');
			if (c)
				l += "  ";
			l += cols_[c].align == Align::right ? pad + s : s + pad;
		}
		while (!l.empty() && l.back() == ' ')
			l.pop_back();
		out += bold ? indent + "\033[1m" + l.substr(indent.size()) + "\033[0m\n" : l + "\n";
	};
	std::vector<std::string> headers;
	for (const Column &c : cols_)
		headers.push_back(c.header);
	line(headers, color);
	for (const auto &row : rows)
		line(row);
	return out;
}

} // namespace nsprobe
