// SPDX-License-Identifier: GPL-2.0 OR MIT
// nsprobe show [--json] [--netns X]: namespaces, their links and veth peers,
// kernel link stats beside nsprobe's counters. Works without the module.
#include <cstdio>

#include "commands.h"
#include "exit_codes.h"
#include "libnsprobe/correlator.h"
#include "libnsprobe/debugfs_source.h"
#include "libnsprobe/link_source.h"
#include "libnsprobe/netns_discovery.h"
#include "libnsprobe/render.h"

namespace nsprobe::cli {

ShowCommand::ShowCommand(CLI::App &app, const GlobalOptions &g) : g_(g)
{
	sub_ = app.add_subcommand("show", "namespaces, interfaces, veth peers and their counters");
	sub_->add_flag("--json", json_, "print JSON (schema nsprobe/1)");
	sub_->add_option("--netns", netns_, kNetnsOptionHelp)
		->type_name("X");
}

int ShowCommand::run()
{
	raise_fd_limit();
	DebugfsSource src(resolve_debugfs(g_.debugfs));
	auto snap = src.read();

	ProcNetnsDiscovery discovery;
	auto netns = discovery.scan();
	if (!netns)
		return fail(netns.error());

	NetlinkLinkSource links;
	auto obs = collect_links(std::move(*netns), links);
	// Other netns may vanish or refuse us; failing to dump our own netns
	// means netlink itself is broken.
	for (const NetnsObservation &o : obs)
		if (o.info.current && o.error && o.error->code == Errc::netlink)
			return fail(*o.error);
	ShowModel m = correlate(obs, links, snap, src.dir());
	if (auto s = select_netns(m, netns_); !s)
		return fail(s.error());

	if (!snap)
		std::fprintf(stderr, "nsprobe: counters unavailable: %s\n",
			     snap.error().message().c_str());
	if (json_)
		std::fputs(json_text(to_json(m)).c_str(), stdout);
	else
		std::fputs(render_text(m).c_str(), stdout);
	return kExitOk;
}

} // namespace nsprobe::cli
