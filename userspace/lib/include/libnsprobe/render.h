// SPDX-License-Identifier: GPL-2.0 OR MIT
// The two renderers of the output model. Text: aligned tables for humans.
// JSON: the stable machine interface, top-level {"schema": "nsprobe/1", ...};
// keys are only ever added within schema nsprobe/1.
#ifndef LIBNSPROBE_RENDER_H
#define LIBNSPROBE_RENDER_H

#include <string>

#include <nlohmann/json.hpp>

#include "libnsprobe/model.h"
#include "libnsprobe/rates.h"

namespace nsprobe {

constexpr const char *kJsonSchema = "nsprobe/1";

// Every command's "counters" object: {"available", "debugfs", "format"}
// or {"available": false, "debugfs", "reason" (errc_name()), "message"}.
nlohmann::json to_json(const CountersStatus &c);
nlohmann::json to_json(const StatusModel &m);
nlohmann::json to_json(const ShowModel &m);
nlohmann::json to_json(const SignalsModel &m);
// signals --events --json: {"schema", "rings": [ring_json() + "gone":
// gone_json()], "events": [sig_event_json()]}; events as the model holds
// them (per netns as written, filtered).
nlohmann::json to_json(const SigEventsModel &m);
// One event of `m`: event_json() of sig_events.h + "gone" (gone_json() of
// its netns). Also the line --follow --json prints per event.
nlohmann::json sig_event_json(const SigEventsModel &m, const SigEvent &e);
// watch --json, one line per refresh: {"schema", "frame", "interval",
// "sample_span" (s), "latency", "counters_note", "netns": [{"inum",
// "cookie", "label", "fresh", per-second rates ("pps", "bps", "drops_ps",
// ..., "xmit_p99_ns"), "interfaces": [...]}]}; an unknown rate is null.
nlohmann::json to_json(const WatchFrame &f);

// A live netns for a person: "blue, docker container 1234567890ab",
// "host, current netns" (`host`, or l->host: the initial netns,
// is_host_netns()), or "unnamed" without a label or anything in it.
std::string netns_label_text(const NetnsLabel *l, bool host = false);

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
// "podman container 0123abcd4567": the runtime and the id (its first 12
// characters when it is a 64-hex id), printable.
std::string container_words(const ContainerId &c);

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
// One watch frame's table: a row per netns (its interfaces summed, its drops
// and signals), then one per interface; o.wide adds QDISC_DROPS/S, DROPS/S,
// NSP_DROPS/S, XMIT_P99 and CROSS_P99. An unknown rate is "-", never 0.
std::string render_watch_text(const std::vector<NetnsRate> &rates, const TextOptions &o = {});

// signals --events: one block per netns, never one merged stream. Each
// block starts with a header line
//   "netns <inum>:<cookie> (<netns_label_text()>): live, 4 events"
//   "netns <inum>:<cookie> (<gone_from()>): <gone_when()>, 2 events"
// ("3 of 5 events match the filters" when a filter hid some), then the
// ring's overwritten events, if any, then one event_text() line per event,
// indented two spaces, in time order (ts_ns, then seq: the two rings of
// format 1.4 are written one after the other). Blocks are separated by an
// empty line and ordered by their newest event, the most recently active
// netns last (next to the prompt); so times run forward within a block
// and the newest event of each block is after that of the block above. A
// netns the filters leave without events is left out; when that leaves
// nothing: "no event matches the filters (N events kept)".
std::string render_text(const SigEventsModel &m, const TextOptions &o = {});
// The header line of one netns of `m` without the event count, e.g.
// "netns 4026532201:4097 (blue): live" (--follow prints it when the netns
// changes from the previous event's).
std::string sig_events_header(const SigEventsModel &m, uint64_t inum, uint64_t cookie);

} // namespace nsprobe

#endif
