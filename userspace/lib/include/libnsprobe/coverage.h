// SPDX-License-Identifier: GPL-2.0 OR MIT
// What the module's counters can be trusted for, from its "probes" file
// (format.h NSP_FILE_PROBES: state, reason and nmissed per hook). No format
// change: everything is derived from what each probe record already says.
//
// A veth helper (kmod/veth.c) that a chosen mode uses but that is not armed
// leaves the counters it feeds wrong, not merely low; docs/architecture.md,
// "A helper not armed", has the table this follows:
//   veth_fwd      (paths)    every drop reason (drop_peer, drop_mtu,
//                            drop_ring, drop_backlog, drop_other), both paths
//                            (path_backlog, path_napi), rx_veth (1.7: the
//                            peer is found there), and with latency on
//                            the crossing histograms (cross);
//   veth_backlog  (paths)    drop_ring, drop_backlog, path_backlog, path_napi;
//   rx_backlog, rx_napi (latency)  the crossing histograms (cross).
// Those become unknown; tx_packets, tx_bytes, drops, requeued and the xmit
// histograms stay exact. A helper whose mode is off says reason not_needed;
// in counters-only mode (veth_paths=0) drops, every drop reason, both paths,
// requeued and rx_veth are not collected, and unknown too (reason counters_only);
// with veth_xmit disabled (veth_probe=0) no veth counter counts at all, and
// no helper matters.
//
// A veth_xmit probe that missed calls (nmissed > 0: a kretprobe out of
// instances, or a re-entered kprobe) counted nothing for them: the counters
// it feeds may be low by up to nmissed in total. They stay numbers, with a
// note.
#ifndef LIBNSPROBE_COVERAGE_H
#define LIBNSPROBE_COVERAGE_H

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "libnsprobe/format_parser.h"

namespace nsprobe {

// The field name of the crossing latency histograms (kind cross) among the
// NSP_DEV_COUNTERS keys that coverage lists.
inline constexpr const char *kCrossField = "cross";

// The reason of the gap that counters-only mode (veth_paths=0, latency=0)
// makes: veth_xmit is an entry kprobe, so drops, their reasons, the paths and
// requeued are never counted (they read 0 in debugfs). Not a module reason
// word: the tool derives it from veth_xmit's kind and veth_fwd's not_needed.
inline constexpr const char *kCountersOnly = "counters_only";

// A helper a mode uses, not armed, or counters-only mode: the fields it
// makes unknown.
struct HookGap {
	std::string hook;	// NSP_HOOK_* name, e.g. "veth_backlog"
	std::string symbol;	// its symbol (or first candidate), "-" if none
	std::string state;	// its state word, e.g. "disabled"
	std::string reason;	// its reason word; empty from a 1.0 module
	int64_t err = 0;	// -errno of its last failed registration
	std::vector<std::string> fields;	// NSP_DEV_COUNTERS order, then cross
};

// A veth_xmit probe with nmissed > 0: the fields that may be low.
struct HookMiss {
	std::string hook;
	std::string kind;	// kind word, e.g. "kretprobe"
	uint64_t nmissed = 0;
	std::vector<std::string> fields;
};

struct Coverage {
	std::vector<HookGap> gaps;	// in the order of the probes file
	std::vector<HookMiss> missed;
	// The field is unknown: a gap lists it.
	bool unknown(std::string_view field) const;
	// Every unknown field once: NSP_DEV_COUNTERS order, then cross.
	std::vector<std::string> unknown_fields() const;
	bool degraded() const { return !gaps.empty() || !missed.empty(); }
};

// The decision, from the records of the probes file.
Coverage coverage_of(const std::vector<ProbeRecord> &probes);

// Which output the notes are for: the counters (show), the latency
// histograms (latency), or both (status).
enum class CoverageScope { counters, latency, all };

// One sentence per gap or miss that concerns the scope, without newline:
//   "veth_backlog (enqueue_to_backlog) is not armed (state disabled, reason
//    module_parameter): drop_ring, drop_backlog, path_backlog, path_napi
//    unknown, shown as -"
//   "veth_xmit kretprobe missed 3 calls: tx counts may be low by up to 3
//    (in total over all devices)"
// Scope latency: "... : crossing latency (cross histograms) unknown", and no
// misses; scope all: "... : drop_peer, ..., cross unknown".
std::vector<std::string> coverage_notes(const Coverage &c, CoverageScope scope);

// {"unknown": [field...], "hooks": [{"hook", "symbol", "state", "reason":
// s|null, "err", "unknown": [field...]}], "missed": [{"hook", "kind",
// "nmissed", "may_be_low": [field...]}]}; the scope filters fields and
// entries as coverage_notes() does.
nlohmann::json coverage_json(const Coverage &c, CoverageScope scope);

} // namespace nsprobe

#endif
