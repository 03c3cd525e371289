// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include <unistd.h>

#include <sys/resource.h>
#include <sys/utsname.h>

#include "commands.h"
#include "exit_codes.h"
#include "libnsprobe/correlator.h"
#include "libnsprobe/link_source.h"
#include "libnsprobe/netns_discovery.h"
#include "libnsprobe/units.h"

namespace nsprobe::cli {

int fail(const Error &e)
{
	std::fprintf(stderr, "nsprobe: %s\n", printable(e.message()).c_str());
	return exit_code_for(e.code);
}

namespace {
int stdout_errno;	// the first write error on stdout
} // namespace

void emit(const std::string &s)
{
	if (std::fwrite(s.data(), 1, s.size(), stdout) != s.size() && !stdout_errno)
		stdout_errno = errno ? errno : EIO;
}

int finish_stdout(int rc)
{
	errno = 0;
	if (std::fflush(stdout) == 0 && !std::ferror(stdout))
		return rc;
	int err = stdout_errno ? stdout_errno : errno ? errno : EIO;
	std::fprintf(stderr, "nsprobe: writing to stdout: %s\n", std::strerror(err));
	return rc == kExitOk ? kExitInternal : rc;
}

bool stdout_color()
{
	const char *no_color = std::getenv("NO_COLOR");
	return ::isatty(STDOUT_FILENO) == 1 && !(no_color && *no_color);
}

Command::Command(CLI::App &app, const GlobalOptions &g, const std::string &name,
		 const std::string &description, const std::string &example)
	: g_(g), sub_(app.add_subcommand(name, description)),
	  example_footer_("Example:\n  " + example +
			  "\n\nExit codes and environment: nsprobe --help (and man nsprobe).")
{
	sub_->footer(example_footer_);	// not the parent's exit-code table
}

void Command::add_footer(const std::string &notes)
{
	sub_->footer(notes + "\n\n" + example_footer_);
}

void Command::add_json_flag(const std::string &help)
{
	sub_->add_flag("--json", json_, help);
}

void Command::add_netns_option()
{
	sub_->add_option("--netns", netns_, kNetnsOptionHelp)->type_name("X");
}

Result<ShowModel> model_of(const std::vector<NetnsObservation> &obs, LinkSource &links,
			  const Result<Snapshot> &snap, const std::string &dir,
			  const std::optional<std::string> &selector, bool resolve_peers)
{
	// Other netns may vanish or refuse us; failing to dump our own netns
	// means netlink itself is broken.
	for (const NetnsObservation &o : obs)
		if (o.info.current && o.error && o.error->code == Errc::netlink)
			return *o.error;
	ShowModel m = correlate(obs, links, snap, dir, resolve_peers);
	if (auto s = select_netns(m, selector); !s)
		return s.error();
	// The one netns asked for, which we may not enter (not root): say so
	// (exit 5) rather than print it without its links.
	if (selector)
		for (const NetnsView &v : m.netns)
			for (const NetnsObservation &o : obs)
				if (o.info.id.inum == v.inum && o.error &&
				    o.error->code == Errc::permission_denied)
					return *o.error;
	return m;
}

Result<ShowModel> show_model(const Result<Snapshot> &snap, const std::string &dir,
			     const std::optional<std::string> &selector, bool qdiscs)
{
	ProcNetnsDiscovery discovery;
	auto netns = discovery.scan();
	if (!netns)
		return netns.error();
	NetlinkLinkSource links;
	auto obs = collect_links(std::move(*netns), links);
	auto m = model_of(obs, links, snap, dir, selector);
	if (m) {
		struct utsname u {};
		m->redirect_peer_asked = true;
		if (uname(&u) == 0)
			m->rx_counts_redirect_peer = rx_counts_redirect_peer(u.release);
	}
	if (!m || !qdiscs)
		return m;
	// Only the netns shown, after selection; a netns without links has
	// no interface to put a count on.
	for (NetnsView &v : m->netns) {
		if (v.interfaces.empty())
			continue;
		for (const NetnsObservation &o : obs)
			if (o.dump && o.info.id.inum == v.inum &&
			    (!o.dump->cookie || o.dump->cookie == v.cookie)) {
				attach_qdisc_drops(v, links.drop_counters(o.info, false));
				break;
			}
	}
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

Result<NetnsTarget> resolve_netns(const std::string &selector, const Result<Snapshot> &snap,
			       const std::vector<NetnsInfo> *scanned)
{
	std::vector<NetnsInfo> own;
	if (!scanned) {
		ProcNetnsDiscovery discovery;
		auto netns = discovery.scan();
		if (!netns)
			return netns.error();
		own = std::move(*netns);
		scanned = &own;
	}
	static const std::vector<NetnsRecord> no_records;
	static const std::vector<GoneRecord> no_gone;
	return resolve_selector(selector,
				netns_candidates(*scanned, snap ? snap->netns : no_records,
						 snap ? snap->postmortem.gone : no_gone));
}

} // namespace nsprobe::cli
