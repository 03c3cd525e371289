// SPDX-License-Identifier: GPL-2.0 OR MIT
// Internal to libnsprobe: the line loop of the parsers of format.h record
// files (format_parser.cpp, sig_events.cpp), and the error they report.
#ifndef LIBNSPROBE_RECORD_LINES_H
#define LIBNSPROBE_RECORD_LINES_H

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "libnsprobe/result.h"

namespace nsprobe::detail {

// Errc::malformed, what = "<file>:<lineno>".
Error line_error(std::string_view file, size_t lineno, std::string why);

// Calls fn(text, lineno) for each line of `content` (without its '\n'; the
// last one need not end in '\n'), numbered from 1, except '#' comment lines.
// Stops at the first Error fn returns, and returns it; nullopt at the end.
template <typename Fn>
std::optional<Error> for_each_record_line(std::string_view content, Fn &&fn)
{
	size_t pos = 0, lineno = 0;
	while (pos < content.size()) {
		size_t nl = content.find('\n', pos);
		std::string_view text = content.substr(pos, nl == std::string_view::npos ? nl : nl - pos);
		pos = nl == std::string_view::npos ? content.size() : nl + 1;
		lineno++;
		if (!text.empty() && text[0] == '#')
			continue;
		if (std::optional<Error> e = fn(text, lineno))
			return e;
	}
	return std::nullopt;
}

} // namespace nsprobe::detail

#endif
