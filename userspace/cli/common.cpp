// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <cstdio>
#include <cstdlib>

#include <unistd.h>

#include <sys/resource.h>

#include "commands.h"
#include "exit_codes.h"
#include "libnsprobe/correlator.h"
#include "libnsprobe/link_source.h"
#include "libnsprobe/netns_discovery.h"

namespace nsprobe::cli {

int fail(const Error &e)
{
	std::fprintf(stderr, "nsprobe: %s\n", e.message().c_str());
	return exit_code_for(e.code);
}

bool stdout_color()
{
	const char *no_color = std::getenv("NO_COLOR");
	return ::isatty(STDOUT_FILENO) == 1 && !(no_color && *no_color);
}

Command::Command(CLI::App &app, const GlobalOptions &g, const std::string &name,
		 const std::string &description)
	: g_(g), sub_(app.add_subcommand(name, description))
{
}

void Command::add_json_flag(const std::string &help)
{
	sub_->add_flag("--json", json_, help);
}

void Command::add_netns_option()
{
	sub_->add_option("--netns", netns_, kNetnsOptionHelp)->type_name("X");
}

Result<ShowModel> show_model(const Result<Snapshot> &snap, const std::string &dir,
			     const std::optional<std::string> &selector)
{
	ProcNetnsDiscovery discovery;
	auto netns = discovery.scan();
	if (!netns)
		return netns.error();
	NetlinkLinkSource links;
	auto obs = collect_links(std::move(*netns), links);
	// Other netns may vanish or refuse us; failing to dump our own netns
	// means netlink itself is broken.
	for (const NetnsObservation &o : obs)
		if (o.info.current && o.error && o.error->code == Errc::netlink)
			return *o.error;
	ShowModel m = correlate(obs, links, snap, dir);
	if (auto s = select_netns(m, selector); !s)
		return s.error();
	return m;
}

void raise_fd_limit()
{
	struct rlimit rl {};
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

} // namespace nsprobe::cli
