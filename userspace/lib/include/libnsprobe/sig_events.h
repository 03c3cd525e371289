// SPDX-License-Identifier: GPL-2.0 OR MIT
// The signal event ring of nsprobe.ko (format.h NSP_FILE_EVENTS, 1.1), and
// the plain-words explanation of each ignore reason, shared by
// `nsprobe signals` (per-row notes) and `nsprobe signals --events`.
#ifndef LIBNSPROBE_SIG_EVENTS_H
#define LIBNSPROBE_SIG_EVENTS_H

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "libnsprobe/result.h"

namespace nsprobe {

// An "ev" record: one signal at its generation, in the target's netns.
struct SigEvent {
	uint64_t inum = 0, cookie = 0, seq = 0, ts_ns = 0;
	uint64_t sender_pid = 0, sender_tgid = 0, sender_netns = 0;
	std::string sender_comm;
	uint64_t target_pid = 0, target_tgid = 0, target_nspid = 0, target_pidns = 0;
	std::string target_comm;
	int signo = 0;
	int64_t code = 0;	// si_code
	std::string outcome;	// NSP_SIG_OUTCOME_NAMES
	std::string reason;	// NSP_SIG_REASON_NAMES, "-" unless ignored
	std::string origin;	// "process" or "kernel"
	std::string forced;	// "0", "1" or "-" (unknown)
	// (1.3) NSP_SIG_CAUSE_NAMES: "oom" for the OOM killer's SIGKILL,
	// "init_exit" for the SIGKILLs of a pid namespace whose PID 1 exited,
	// "-" for none; empty from an older module (which does not mark causes).
	std::string cause;
	// (1.4) NSP_SIG_EV_CLASS_NAMES: "notable" (kills, signals ignored by
	// the init protection, what a process sent on purpose) or "routine"
	// (SIGCHLD, timers, ...), each kept in a ring of its own; empty from an
	// older module (one ring for all).
	std::string ev_class;
	// (1.7) The node-wide order of events, across every netns; absent
	// from an older module.
	std::optional<uint64_t> gseq;
};

// (1.3) The signal was sent from interrupt context (a timer): no sending
// task, so sender_pid is 0 and sender_comm is empty.
bool from_interrupt(const SigEvent &e);

// An "evring" record: the rings of one netns. size, written (the last
// seq) and overflow (events overwritten) are sums over both rings; (1.4)
// the notable ring's own, absent from an older module (one ring).
struct SigRing {
	uint64_t inum = 0, cookie = 0, size = 0, written = 0, overflow = 0;
	std::optional<uint64_t> notable_size, notable_written, notable_overflow;

	// Events overwritten in the notable ring (1.4), else in the one ring:
	// the loss that can make a netns' story incomplete.
	uint64_t story_overflow() const { return notable_overflow.value_or(overflow); }
	// Routine events overwritten (1.4); 0 from an older module.
	uint64_t routine_overflow() const { return overflow - notable_overflow.value_or(overflow); }
};

struct SigEvents {
	std::vector<SigRing> rings;
	std::vector<SigEvent> events;	// per netns oldest first, as written
	// (1.7) The "evnode" record of a "select gseq_after=" read: the gseq
	// of the node's last event when the read began (format.h).
	std::optional<uint64_t> node_gseq;
};

// Parses the events file; unknown record types and keys are ignored, known
// keys are required but those added by a minor version (cause, 1.3). An
// escaped string may be empty (sender_comm= of a send from interrupt
// context); numbers and words may not. Errors: malformed,
// what = "<file>:<line>".
Result<SigEvents> parse_sig_events(std::string_view content, std::string_view file);

// Why a signal was ignored, in plain words, for a table row or an event:
//   "SIGTERM to PID 1 of netns 4026532301 ignored 3×: PID 1 installed no
//    handler; from outside its pid namespace only SIGKILL and SIGSTOP get
//    through"
// The repeat count is written only when count > 1: one event or a count of
// 1 reads "... ignored: ...", never "ignored 1×".
// reason is an NSP_SIG_REASON_NAMES word ("init", "default", "sig_ign",
// "exiting", "other"). target: "PID 1" for init, else e.g. "processes" or
// "PID 4242". forced: "1" sent from an ancestor pid namespace, "0" from
// inside, "-" unknown or mixed.
std::string explain_ignored(int signo, std::string_view reason, uint64_t count,
			    uint64_t inum, std::string_view target, std::string_view forced);

// The part of explain_ignored() after the colon: why `target` ("PID 1",
// "PID 1 (sleep)") ignored signo for `reason`.
std::string ignore_why(int signo, std::string_view reason, std::string_view target);

// What became of one event and why, in words ("explanation" of
// event_json()): the outcome (and ignore reason) explained, or for a cause
// (1.3: oom, init_exit) who killed the target and why.
std::string event_explanation(const SigEvent &e);

// One killsnoop-like line (no trailing newline):
//   "<sec.usec> <comm>[<pid>] netns <n> -> <comm>[<pid>] pid <nspid> in
//    pidns <p> netns <n>: SIGTERM ignored (init), process, forced: <why>"
// <sec.usec> is ts_ns (CLOCK_MONOTONIC). A send from interrupt context reads
// "sent from interrupt context (a timer), no sending task" in place of the
// sender; a sender whose netns the module could not read (sender_netns 0:
// it was exiting, its nsproxy already released, kmod/signal.c) reads
// "<comm>[<pid>] (exited, netns unknown)", never "netns 0"; an OOM kill reads
// "SIGKILL by the OOM killer <outcome>", a pid namespace teardown's
// "SIGKILL at pid namespace teardown <outcome>".
std::string event_text(const SigEvent &e);
// Every field + "explanation"; sender.interrupt (bool) and cause ("oom",
// or null for none or a module older than 1.3).
nlohmann::json event_json(const SigEvent &e);
nlohmann::json ring_json(const SigRing &r);

// A signal as a user names it: a number (1 to SIGRTMAX), or a name as
// signal_name() writes it, with or without "SIG", any case: "15", "TERM",
// "sigterm", "SIGRTMIN+3". nullopt for anything else.
std::optional<int> parse_signal(std::string_view s);

// A duration as a user writes it: a non-negative integer and a unit, "ms",
// "s", "m", "h" or "d" ("500ms", "30s", "5m"); a bare integer is seconds.
// Returns ns; nullopt for anything else (a fraction, a sign, an unknown
// unit, more than 100 days).
std::optional<uint64_t> parse_duration_ns(std::string_view s);

// Which events `signals --events` shows, the same in text and JSON (rings
// are always listed whole). An event passes when its signal is in
// `signals` (or `signals` is empty), is not in `exclude`, and its ts_ns
// (CLOCK_MONOTONIC) is at or after `since_ts_ns` when set.
struct SigEventFilter {
	std::set<int> signals;
	std::set<int> exclude;
	std::optional<uint64_t> since_ts_ns;

	bool active() const { return !signals.empty() || !exclude.empty() || since_ts_ns; }
	bool matches(const SigEvent &e) const;
	// (format 1.6) The events file's signals= set for this filter: bit
	// (signo - 1) of each signal that can pass, signo 1 to 64. nullopt
	// when no signal filter is set, or when the set is empty (nothing
	// passes: the module would refuse signals=0). The tool filters the
	// events again either way.
	std::optional<uint64_t> kernel_signal_set() const;
};

} // namespace nsprobe

#endif
