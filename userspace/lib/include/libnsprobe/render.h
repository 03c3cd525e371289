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

// (format 1.4) A dead netns in words and JSON, shared by `signals`,
// `signals --events` and `signals --why`:
//   gone_when(): "gone 12 s ago, at 2025-12-06 05:46:40 UTC" (the age from
//     age_ns, the time from gone_ns, CLOCK_REALTIME, in UTC);
//   gone_from(): where its last task came from: "podman container
//     0123abcd4567, cgroup /system.slice/libpod-<id>.scope"; "cgroup
//     /user.slice/x.scope, container unknown"; "cgroup unknown" (plus
//     "(id N)" when only the id is known);
//   gone_json(): null for a live netns, else {"gone_ns", "age_ns",
//     "cgroup_id": n|null, "cgroup": s|null, "container": {"runtime", "id",
//     "cgroup_version", "cgroup"}|null} (ns; null = unknown).
std::string gone_when(const GoneView &g);
std::string gone_from(const GoneView &g);
nlohmann::json gone_json(const std::optional<GoneView> &g);
// "{runtime, id, cgroup_version, cgroup}" or null.
nlohmann::json container_json(const std::optional<ContainerId> &c);

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
