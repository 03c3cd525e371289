// SPDX-License-Identifier: GPL-2.0 OR MIT
// nsprobe show [--json] [--wide] [--netns X]: namespaces, their links and veth
// peers, kernel link stats beside nsprobe's counters. Works without the module.
#include <cstdio>

#include "commands.h"
#include "exit_codes.h"
#include "libnsprobe/debugfs_source.h"
#include "libnsprobe/render.h"

namespace nsprobe::cli {

ShowCommand::ShowCommand(CLI::App &app, const GlobalOptions &g)
	: Command(app, g, "show", "namespaces, interfaces, veth peers and their counters",
		  "nsprobe show --netns blue --wide")
{
	add_json_flag();
	add_netns_option();
	sub_->add_flag("--wide", wide_,
		       "every counter (drop reasons, requeued, QDISC_DROP: what the interface's "
		       "root qdiscs dropped, as tc -s), exact integers instead of human units");
}

int ShowCommand::run()
{
	raise_fd_limit();
	DebugfsSource src(resolve_debugfs(g_.debugfs));
	auto snap = src.read();
	auto m = show_model(snap, src.dir(), netns_, wide_);
	if (!m)
		return fail(m.error());

	if (!snap)
		std::fprintf(stderr, "nsprobe: counters unavailable: %s\n",
			     snap.error().message().c_str());
	if (json_)
		emit(json_text(to_json(*m)));
	else
		emit(render_text(*m, {.wide = wide_, .color = stdout_color()}));
	return kExitOk;
}

} // namespace nsprobe::cli
