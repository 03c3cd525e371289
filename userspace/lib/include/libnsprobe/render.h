// SPDX-License-Identifier: GPL-2.0 OR MIT
// The two renderers of the output model. Text: aligned tables for humans.
// JSON: the stable machine interface, top-level {"schema": "nsprobe/1", ...};
// keys are only ever added within schema nsprobe/1.
#ifndef LIBNSPROBE_RENDER_H
#define LIBNSPROBE_RENDER_H

#include <string>

#include <nlohmann/json.hpp>

#include "libnsprobe/model.h"

namespace nsprobe {

constexpr const char *kJsonSchema = "nsprobe/1";

nlohmann::json to_json(const StatusModel &m);
nlohmann::json to_json(const ShowModel &m);
nlohmann::json to_json(const SignalsModel &m);

// The JSON text the CLI prints: indented, ending in '\n'. Interface names,
// comm and paths are bytes, not necessarily UTF-8 (a process may name itself
// "\xff"); invalid UTF-8 becomes U+FFFD here instead of throwing
// json::type_error 316.
inline std::string json_text(const nlohmann::json &j)
{
	return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

// How text is laid out. Default: the columns read first, counts and bytes
// in human units (units.h). wide: every counter, exact integers. color: bold
// table headers (ANSI SGR); the CLI sets it on a tty unless NO_COLOR is set.
struct TextOptions {
	bool wide = false;
	bool color = false;
};

// Text, each line ending in '\n'.
std::string render_text(const StatusModel &m, const TextOptions &o = {});
std::string render_text(const ShowModel &m, const TextOptions &o = {});
std::string render_text(const SignalsModel &m, const TextOptions &o = {});

} // namespace nsprobe

#endif
