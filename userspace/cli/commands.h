// SPDX-License-Identifier: GPL-2.0 OR MIT
// The subcommands of nsprobe. Each registers its options on construction and
// returns an exit code from run(); only these map errors to exit codes.
#ifndef NSPROBE_CLI_COMMANDS_H
#define NSPROBE_CLI_COMMANDS_H

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "libnsprobe/correlator.h"
#include "libnsprobe/format_parser.h"
#include "libnsprobe/model.h"
#include "libnsprobe/render.h"
#include "libnsprobe/result.h"
#include "libnsprobe/selector.h"
#include "libnsprobe/sig_events.h"

namespace nsprobe::cli {

struct GlobalOptions {
	std::optional<std::string> debugfs;	// --debugfs DIR
};

constexpr const char *kNetnsOptionHelp =
	"only this netns, live or (format 1.4) dead: an inum, a /run/netns name or any path to it, "
	"a pid, a container id prefix, INUM:COOKIE, or host (the initial netns); spell the kind "
	"(inode:N, name:X, pid:N, container:P) when it could mean two netns (exit 2 lists them)";

// Prints "nsprobe: <what>: <why> (<hint>)" on stderr (printable()), returns
// its exit code.
int fail(const Error &e);

// Writes every byte of `s` to stdout (a NUL does not cut it short).
void emit(const std::string &s);

// Flushes stdout; on a write error (ENOSPC, EIO, ...) says so on stderr and
// turns a successful `rc` into 1. main() calls it once, after the command.
int finish_stdout(int rc);

// Colour for text on stdout: stdout is a tty and NO_COLOR is unset or empty
// (https://no-color.org).
bool stdout_color();

// What every subcommand has: its CLI::App, the global options, and the two
// options most of them take. The constructor adds the subcommand; a
// subclass's constructor registers its options (the shared ones through
// add_json_flag() and add_netns_option(), so they read the same everywhere).
class Command {
public:
	virtual ~Command() = default;
	CLI::App *sub() const { return sub_; }
	virtual int run() = 0;

protected:
	// `example`: one command line, shown under "Example:" in --help with
	// a pointer to the exit codes (listed once, in nsprobe --help).
	Command(CLI::App &app, const GlobalOptions &g, const std::string &name,
		const std::string &description, const std::string &example);
	// Notes shown in --help above the example.
	void add_footer(const std::string &notes);
	void add_json_flag(const std::string &help = "print JSON (schema nsprobe/1)");
	void add_netns_option();	// --netns X (kNetnsOptionHelp)

	const GlobalOptions &g_;
	CLI::App *sub_;
	std::string example_footer_;
	bool json_ = false;			// --json
	std::optional<std::string> netns_;	// --netns X
};

class StatusCommand : public Command {
public:
	StatusCommand(CLI::App &app, const GlobalOptions &g);
	int run() override;
};

class ShowCommand : public Command {
public:
	ShowCommand(CLI::App &app, const GlobalOptions &g);
	int run() override;

private:
	bool wide_ = false;	// --wide: every counter, exact
};

class SignalsCommand : public Command {
public:
	SignalsCommand(CLI::App &app, const GlobalOptions &g);
	int run() override;

private:
	int run_events();	// cmd_signals_events.cpp
	int run_why();		// cmd_signals_why.cpp

	bool events_ = false;	// --events: the event ring
	bool follow_ = false;	// --follow: keep printing new events
	std::optional<std::string> why_;	// --why TARGET: one netns's story
	bool all_ = false;	// --all: with --why, the routine steps too
	std::vector<std::string> signal_;	// --signal SIG (repeatable), with --events
	std::vector<std::string> exclude_signal_;	// --exclude-signal SIG (repeatable)
	std::optional<std::string> since_;	// --since DURATION
};

class ResetCommand : public Command {
public:
	ResetCommand(CLI::App &app, const GlobalOptions &g);
	int run() override;
};

class WatchCommand : public Command {
public:
	WatchCommand(CLI::App &app, const GlobalOptions &g);
	int run() override;

private:
	double interval_ = 1.0;
	long count_ = 0;	// 0: until interrupted
	bool plain_ = false;
	bool wide_ = false;	// --wide: NSP_DROPS/S and the latency p99 columns
	double rescan_ = 30.0;	// --rescan: max age of the netns list, s (0: every refresh)
};

// nsprobe latency: the veth latency histograms (issue 3).
class LatencyCommand : public Command {
public:
	LatencyCommand(CLI::App &app, const GlobalOptions &g);
	int run() override;

private:
	std::optional<std::string> dev_;	// --dev NAME
};

// nsprobe drops: the drop path of a netns (issue 14, cmd_drops.cpp).
class DropsCommand : public Command {
public:
	DropsCommand(CLI::App &app, const GlobalOptions &g);
	int run() override;
};

// nsprobe serve: Prometheus /metrics over HTTP (cmd_prom.cpp).
class ServeCommand : public Command {
public:
	ServeCommand(CLI::App &app, const GlobalOptions &g);
	int run() override;

private:
	std::string listen_;		// --listen ADDR:PORT
	std::size_t max_netns_ = 0;	// --max-netns N
	double max_age_ = 1.0;		// --max-age SEC
};

// nsprobe export: Prometheus text once, on stdout or to --textfile DIR.
class ExportCommand : public Command {
public:
	ExportCommand(CLI::App &app, const GlobalOptions &g);
	int run() override;

private:
	std::optional<std::string> textfile_;	// --textfile DIR
	std::size_t max_netns_ = 0;		// --max-netns N
};

// The model of one scan: `obs` (collect_links() over `links`) joined with the
// module's counters `snap` (read from `dir`) by correlate(), cut down to the
// netns `selector` names if given. Errors: netlink failed in our own netns,
// the selector names nothing (netns_not_found), or names a netns we may not
// see or enter (permission_denied). Veth peers are resolved unless
// resolve_peers is false (correlate()).
Result<ShowModel> model_of(const std::vector<NetnsObservation> &obs, LinkSource &links,
			  const Result<Snapshot> &snap, const std::string &dir,
			  const std::optional<std::string> &selector, bool resolve_peers = true);

// The model `nsprobe show` prints: every netns this process can see, with its
// links (netlink), joined with the module's counters `snap` (read from
// `dir`), cut down to the netns `selector` names if given. Errors: the netns
// scan failed, netlink failed in our own netns, the selector names nothing
// (netns_not_found) or a netns we may not see or enter (permission_denied).
// `qdiscs` (show --wide): also each shown netns's qdiscs, one RTM_GETQDISC
// dump per netns (attach_qdisc_drops()).
Result<ShowModel> show_model(const Result<Snapshot> &snap, const std::string &dir,
			     const std::optional<std::string> &selector, bool qdiscs = false);

// The one netns a --netns selector (or --why TARGET) names, live or dead:
// resolve_selector() of selector.h over the netns a /proc scan finds (or
// `scanned`, when the caller has scanned already) and those the module
// reports in `snap` (live records, and post-mortem records of dead netns;
// none when snap is an error). Errors: resolve_selector()'s (usage: exit 2,
// netns_not_found: exit 8), and a failed /proc scan.
Result<NetnsTarget> resolve_netns(const std::string &selector, const Result<Snapshot> &snap,
			       const std::vector<NetnsInfo> *scanned = nullptr);

// The events file (format 1.1) of the module at `dir` (<debugfs>/nsprobe),
// parsed. Errors: module_not_loaded (no such file: a module older than 1.1,
// or unloaded), malformed.
Result<SigEvents> read_sig_events(const std::string &dir);
// The error for a netns (`selector`, resolved to `ref`) without an event
// ring: netns_not_found.
Error no_event_ring(const std::string &selector, const NetnsTarget &ref);

// (format 1.4) The post-mortem file of the module at `dir` when its format
// `v` has one; an empty Postmortem for an older module. Errors: malformed,
// and access errors as DebugfsSource::read().
Result<Postmortem> read_postmortem(const std::string &dir, const FormatVersion &v);

// Raises RLIMIT_NOFILE to its hard limit: the link source keeps up to two
// fds per netns.
void raise_fd_limit();

} // namespace nsprobe::cli

#endif
