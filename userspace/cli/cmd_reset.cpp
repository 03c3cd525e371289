// SPDX-License-Identifier: GPL-2.0 OR MIT
// nsprobe reset [--netns X]: zero the module's counters, of every netns or of
// one, through <debugfs>/nsprobe/control ("reset", "reset inum=N").
#include <cstdio>

#include <fmt/format.h>

#include "commands.h"
#include "exit_codes.h"
#include "libnsprobe/debugfs_source.h"

namespace nsprobe::cli {
ResetCommand::ResetCommand(CLI::App &app, const GlobalOptions &g)
	: Command(app, g, "reset", "zero the module's counters (all netns, or one)",
		  "nsprobe reset --netns blue")
{
	add_netns_option();
	add_footer("Counting never pauses: a reset stores a baseline in the module.\n"
		     "Exit 8 if the module knows no such netns, 10 if it rejects the command.");
}

int ResetCommand::run()
{
	DebugfsSource src(resolve_debugfs(g_.debugfs));
	// Module loaded, readable, and a format this tool speaks?
	auto snap = src.read();
	if (!snap)
		return fail(snap.error());
	std::string cmd = "reset";
	if (netns_) {
		auto ref = resolve_netns(*netns_, snap);
		if (!ref)
			return fail(ref.error());
		if (ref->gone)
			return fail(Error{Errc::usage, "netns " + *netns_,
					  "names a netns that is gone: its post-mortem record is "
					  "kept as it was",
					  "reset a live netns", 0});
		cmd = fmt::format("reset inum={}", ref->inum);
	}
	if (auto s = src.write_control(cmd); !s)
		return fail(s.error());
	std::printf("nsprobe: %s\n",
		    netns_ ? fmt::format("counters of {} reset", cmd.substr(6)).c_str()
			   : "counters of every netns reset");
	return kExitOk;
}

} // namespace nsprobe::cli
