// SPDX-License-Identifier: GPL-2.0 OR MIT
// A text table with aligned columns, for render_text.
#ifndef LIBNSPROBE_TABLE_H
#define LIBNSPROBE_TABLE_H

#include <string>
#include <vector>

namespace nsprobe {

class Table {
public:
	enum class Align { left, right };
	struct Column {
		std::string header;
		Align align = Align::left;
	};
	explicit Table(std::vector<Column> columns) : cols_(std::move(columns)) {}
	// Cells beyond the columns are not printed; missing cells print empty.
	void add_row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
	bool empty() const { return rows_.empty(); }
	// Every line starts with `indent`; columns are separated by two spaces;
	// no trailing spaces; each cell goes through printable() (units.h). With `color`, the header line is bold (ANSI SGR).
	std::string render(const std::string &indent = "", bool color = false) const;

private:
	std::vector<Column> cols_;
	std::vector<std::vector<std::string>> rows_;
};

} // namespace nsprobe

#endif
