// SPDX-License-Identifier: GPL-2.0 OR MIT
// nsprobe status [--json]: module state, format version, probes, stats.
#include <cstdio>

#include "commands.h"
#include "exit_codes.h"
#include "libnsprobe/debugfs_source.h"
#include "libnsprobe/render.h"

namespace nsprobe::cli {

StatusCommand::StatusCommand(CLI::App &app, const GlobalOptions &g)
	: Command(app, g, "status", "module loaded?, format version, probes and module stats",
		  "nsprobe status --json | jq '.probes[] | select(.state != \"armed\")'")
{
	add_json_flag();
}

int StatusCommand::run()
{
	DebugfsLocation loc = resolve_debugfs(g_.debugfs);
	DebugfsSource src(loc);
	auto snap = src.read();
	StatusModel m = build_status(snap, src.dir());
	// Only for the real debugfs: a --debugfs tree says nothing about sysfs.
	if (!m.module_loaded && loc.require_debugfs_magic)
		m.module_loaded = module_loaded_sysfs();
	if (json_)
		emit(json_text(to_json(m)));
	else if (snap)
		emit(render_text(m, {.color = stdout_color()}));
	if (!snap)
		return fail(snap.error());
	return kExitOk;
}

} // namespace nsprobe::cli
