// SPDX-License-Identifier: GPL-2.0 OR MIT
// nsprobe signals [--json] [--netns X]: signal counters per netns and signal.
#include <cstdio>

#include "commands.h"
#include "exit_codes.h"
#include "libnsprobe/correlator.h"
#include "libnsprobe/debugfs_source.h"
#include "libnsprobe/netns_discovery.h"
#include "libnsprobe/render.h"

namespace nsprobe::cli {

SignalsCommand::SignalsCommand(CLI::App &app, const GlobalOptions &g)
	: Command(app, g, "signals",
		  "signal counters per netns and signal; also of the netns that died recently "
		  "(format 1.4 post-mortem records, marked \"gone N s ago\" with the cgroup and "
		  "container their last task was in)",
		  "nsprobe signals --why 3f2a   (why did container 3f2a... stop, or die?)")
{
	add_json_flag();
	add_netns_option();
	sub_->add_flag("--events", events_,
		       "print the event ring of each netns: who sent which signal to whom, "
		       "and what became of it (needs format 1.1)");
	sub_->add_flag("--follow", follow_, "with --events: keep printing new events until interrupted")
		->needs("--events");
	sub_->add_option("--signal", signal_,
			 "with --events: only this signal (a name, TERM or SIGTERM, or a number); "
			 "repeat it for several")
		->type_name("SIG")
		->allow_extra_args(false)
		->needs("--events");
	sub_->add_option("--exclude-signal", exclude_signal_,
			 "with --events: hide this signal (e.g. CHLD, a flood of SIGCHLD); repeatable")
		->type_name("SIG")
		->allow_extra_args(false)
		->needs("--events");
	sub_->add_option("--since", since_,
			 "with --events: only events of the last DURATION (500ms, 30s, 5m, 2h, 1d; "
			 "a bare number is seconds)")
		->type_name("DURATION")
		->needs("--events");
	sub_->add_option("--why", why_,
			 "tell the signal story of one container in time order: who sent "
			 "which signal, what the kernel did and why; TARGET as for --netns, "
			 "and also a netns or container that died (format 1.4); INUM:COOKIE "
			 "picks one of several netns with the same inum")
		->type_name("TARGET")
		->excludes("--events")
		->excludes("--netns");
	sub_->add_flag("--all", all_,
		       "with --why: also the routine steps (SIGCHLD, SIGURG, SIGWINCH)")
		->needs("--why");
}

int SignalsCommand::run()
{
	if (why_)
		return run_why();
	if (events_ || follow_)
		return run_events();
	DebugfsSource src(resolve_debugfs(g_.debugfs));
	auto snap = src.read();
	if (!snap) {
		// Like status and show: a JSON reader gets a document saying why.
		if (json_)
			emit(json_text(to_json(build_signals(snap, src.dir(), {}))));
		return fail(snap.error());
	}

	// Names and pids only; a failed scan leaves the netns unnamed.
	ProcNetnsDiscovery discovery;
	auto scanned = discovery.scan();
	std::vector<NetnsInfo> netns = scanned ? std::move(*scanned) : std::vector<NetnsInfo>{};

	// One netns, live (with or without signals) or (1.4) dead.
	std::optional<NetnsTarget> ref;
	if (netns_) {
		auto r = resolve_netns(*netns_, snap, &netns);
		if (!r)
			return fail(r.error());
		ref = *r;
	}
	SignalsModel m = build_signals(snap, src.dir(), netns);
	if (ref)
		select_netns(m, *ref);
	if (json_)
		emit(json_text(to_json(m)));
	else
		emit(render_text(m, {.color = stdout_color()}));
	return kExitOk;
}

} // namespace nsprobe::cli
