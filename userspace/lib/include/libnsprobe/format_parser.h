// SPDX-License-Identifier: GPL-2.0 OR MIT
// Parser for the debugfs files of nsprobe.ko, exactly as specified in
// include/nsprobe/format.h (the contract). Pure functions over strings: no
// file access here (see debugfs_source.h).
//
// Rules implemented (from format.h):
//   - "version" holds one line "nsprobe-format <MAJOR>.<MINOR>\n"; MAJOR must
//     equal NSP_FORMAT_MAJOR, any MINOR is accepted (minor = additive).
//   - other files: one record per line, "<type> <key>=<value> ...", fields
//     separated by exactly one space, keys [a-z0-9_]+, '#' lines are comments.
//   - unknown record types and unknown keys are ignored (after a syntax check);
//     known keys of a known record type are all required, and may not repeat.
//   - escaped strings use "\ooo" (three octal digits) for every byte outside
//     printable ASCII and for ' ', '=' and '\'.
// Errors are Errc::malformed with what = "<file>:<line>" and why = the problem,
// or Errc::format_version_mismatch naming both versions.
#ifndef LIBNSPROBE_FORMAT_PARSER_H
#define LIBNSPROBE_FORMAT_PARSER_H

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nsprobe/format.h>

#include "libnsprobe/result.h"
#include "libnsprobe/sig_events.h"

namespace nsprobe {

struct FormatVersion {
	unsigned major = 0;
	unsigned minor = 0;
	std::string str() const;	// "1.0"
	// True when this version has everything of MAJOR.MINOR (same major).
	bool at_least(unsigned maj, unsigned min) const
	{
		return major == maj && minor >= min;
	}
};

// The version this tool was built against (NSP_FORMAT_MAJOR.NSP_FORMAT_MINOR).
FormatVersion tool_format_version();

enum class ProbeKind { kprobe, kretprobe, tracepoint, unknown };
enum class ProbeState { pending, armed, gone, failed, disabled, unknown };

// A "probe" record of NSP_FILE_PROBES.
struct ProbeRecord {
	std::string name;	// NSP_HOOK_*, e.g. "veth_xmit"
	std::string symbol;	// attached symbol, or "-"
	std::string kind_word;	// as written, e.g. "kprobe"
	ProbeKind kind = ProbeKind::unknown;	// unknown: a word newer than us
	std::string state_word;	// as written, e.g. "armed"
	ProbeState state = ProbeState::unknown;
	uint64_t hits = 0;	// handler invocations since load
	uint64_t nmissed = 0;	// kprobe nmissed, summed over re-arms
	int64_t err = 0;	// -errno of the last failed registration, 0 if none
	std::string reason;	// (1.1) NSP_PROBE_REASON_* word; empty from a 1.0 module
};

// The "stats" record of NSP_FILE_STATS (module-wide counters).
struct StatsRecord {
	uint64_t netns = 0;		// live netns
	uint64_t devices = 0;		// tracked veth devices
	uint64_t veth_untracked = 0;	// packets at veth_xmit on untracked devices
	// Signals counted in no netns (format 1.3); before 1.3, signal hook
	// events (up to four per signal) whose netns could not be read.
	uint64_t sig_unattributed = 0;
	uint64_t alloc_failed = 0;	// failed allocations
	// (1.3) Signals whose target netns was resolved after the send, then
	// counted there; nullopt from an older module.
	std::optional<uint64_t> sig_deferred;
	// (1.3) OOM kills (signals) whose SIGKILL was counted but not marked
	// as an OOM kill; nullopt from an older module.
	std::optional<uint64_t> oom_unattributed;
	// (1.4) Post-mortem records (dead netns) the module holds now;
	// nullopt from an older module.
	std::optional<uint64_t> postmortem;
	// (1.4) Dead netns whose post-mortem record could not be allocated;
	// nullopt from an older module.
	std::optional<uint64_t> postmortem_lost;
};

// A "netns" record of NSP_FILE_NETNS. (inum, cookie) identify the netns.
struct NetnsRecord {
	uint32_t inum = 0;
	uint64_t cookie = 0;
	uint64_t devices = 0;
	uint64_t tx_packets = 0;	// packets, sum over its veth devices
	uint64_t tx_bytes = 0;		// bytes, same
	uint64_t sig_generated = 0;	// signals
	uint64_t sig_ignored = 0;	// signals
	// (1.3) memory allocated on first use, and counts lost without it;
	// 0 from an older module
	uint64_t sig_rows = 0;		// signal numbers with counters allocated
	uint64_t ev_chunks = 0;		// event ring chunks allocated
	uint64_t alloc_failed = 0;	// counts lost for want of kernel memory
};

// A "dev" record of NSP_FILE_DEVICES: one tracked veth device, identified by
// (inum, cookie, ifindex). Counter members come from NSP_DEV_COUNTERS.
struct DevRecord {
	uint32_t inum = 0;
	uint64_t cookie = 0;
	int32_t ifindex = 0;
	std::string name;	// unescaped
#define NSP_X(key, unit) uint64_t key = 0;
	NSP_DEV_COUNTERS(NSP_X)
#undef NSP_X
	// (1.2) The link's TX dropped (packets) when the counters started;
	// nullopt from an older module.
	std::optional<uint64_t> tx_dropped_base;
	// (1.7) The link's RX packets when the counters started; nullopt from
	// an older module.
	std::optional<uint64_t> rx_packets_base;
};

// A "sig" record of NSP_FILE_SIGNALS: counters for one (netns, signo).
// Counter members come from NSP_SIG_COUNTERS (all in signals).
struct SigRecord {
	uint32_t inum = 0;
	uint64_t cookie = 0;
	int signo = 0;		// 1..NSP_SIG_MAX
#define NSP_X(key, unit) uint64_t key = 0;
	NSP_SIG_COUNTERS(NSP_X)
#undef NSP_X
};

// (1.4) A "gone" record of NSP_FILE_POSTMORTEM: one dead netns, identified
// by (inum, cookie) like a live one. Its inum may be a live netns' inum too
// (the kernel reuses inums, never cookies).
struct GoneRecord {
	uint32_t inum = 0;
	uint64_t cookie = 0;
	uint64_t gone_ns = 0;	// ns since the epoch (CLOCK_REALTIME) at its pernet exit
	uint64_t age_ns = 0;	// ns since its exit (CLOCK_BOOTTIME) when the file was read
	uint64_t cgroup_id = 0;	// cgroup v2 id of the last task that left it; 0: unknown
	// Path of that cgroup from the cgroup v2 root (unescaped); nullopt when
	// the module wrote "-" (unknown).
	std::optional<std::string> cgroup;
};

// (1.4) The content of NSP_FILE_POSTMORTEM: the dead netns, and their last
// records in the live files' syntax (parsed by the same parsers).
struct Postmortem {
	std::vector<GoneRecord> gone;		// oldest first
	std::vector<NetnsRecord> netns;		// at most one per gone record
	std::vector<SigRecord> signals;
	SigEvents events;			// their rings and events
};

// Everything the module exports, parsed.
struct Snapshot {
	FormatVersion version;
	std::vector<ProbeRecord> probes;
	std::optional<StatsRecord> stats;
	std::vector<NetnsRecord> netns;
	std::vector<DevRecord> devices;
	std::vector<SigRecord> signals;
	// (1.5) The node's signal counters, from the same read of the signals
	// file; nullopt from an older module (unknown, not zero).
	std::optional<std::vector<SigRecord>> node_signals;
	// (1.4) Dead netns; empty from an older module (no such file). Never
	// mixed into netns/devices/signals above: a dead netns' inum may be a
	// live one's.
	Postmortem postmortem;
};

// Parses the content of the version file. `file` names it in errors.
// Errors: malformed (syntax), format_version_mismatch (MAJOR differs; the
// message names the module's and the tool's versions).
Result<FormatVersion> parse_version(std::string_view content, std::string_view file);

// Parse one record file each. Records of other types are ignored.
// Errors: malformed, what = "<file>:<line>".
Result<std::vector<ProbeRecord>> parse_probes(std::string_view content, std::string_view file);
// Zero records give nullopt; more than one is malformed.
Result<std::optional<StatsRecord>> parse_stats(std::string_view content, std::string_view file);
Result<std::vector<NetnsRecord>> parse_netns(std::string_view content, std::string_view file);
Result<std::vector<DevRecord>> parse_devices(std::string_view content, std::string_view file);
Result<std::vector<SigRecord>> parse_signals(std::string_view content, std::string_view file);
// (1.5) The "node_sig" records of NSP_FILE_SIGNALS: the node's counters, the
// dead netns' counts included, as SigRecords whose inum and cookie are 0.
Result<std::vector<SigRecord>> parse_node_signals(std::string_view content,
						  std::string_view file);

// (1.4) Parses NSP_FILE_POSTMORTEM: "gone" records here, and the netns,
// sig, evring and ev records through parse_netns(), parse_signals() and
// parse_sig_events(). Errors: malformed, what = "<file>:<line>", or
// what = "<file>" for a netns, sig, evring or ev record whose (inum, cookie)
// has no gone record in the file.
Result<Postmortem> parse_postmortem(std::string_view content, std::string_view file);

// Decodes "\ooo" escapes (exactly three octal digits, value <= 0377).
// Returns nullopt for a stray backslash, a short or invalid escape, or a
// byte that the contract requires to be escaped (space, '=', non-printable).
std::optional<std::string> unescape(std::string_view escaped);

} // namespace nsprobe

#endif
