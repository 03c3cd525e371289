// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include <unistd.h>

#include <sys/resource.h>

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

// PID_MAX_LIMIT on 64-bit: no pid is larger, and every netns inum is (nsfs
// inode numbers start at 0xF0000000). Above it a number is an inum as is.
constexpr uint64_t kPidMaxLimit = 4194304;

Result<uint32_t> resolve_netns_inum(const std::string &selector)
{
	uint64_t n = 0;
	auto [p, ec] = std::from_chars(selector.data(), selector.data() + selector.size(), n);
	if (ec == std::errc() && p == selector.data() + selector.size() && n > kPidMaxLimit) {
		if (n > UINT32_MAX)
			return Error{Errc::usage, "netns " + selector,
				     "an inum is a 32-bit number", "see /proc/<pid>/ns/net", 0};
		return static_cast<uint32_t>(n);
	}
	ProcNetnsDiscovery discovery;
	auto netns = discovery.scan();
	if (!netns)
		return netns.error();
	auto hits = matching_inums(*netns, selector);
	if (!hits)
		return hits.error();
	if (hits->empty())
		return Error{Errc::netns_not_found, "netns " + selector,
			     "no such network namespace (or it vanished)",
			     "give an inum as in /proc/<pid>/ns/net, a name from ip netns list, a "
			     "pid, or a container id prefix",
			     0};
	if (hits->size() > 1)
		return Error{Errc::usage, "netns " + selector,
			     fmt::format("matches {} network namespaces", hits->size()),
			     "give an inum", 0};
	return static_cast<uint32_t>(hits->front());
}

} // namespace nsprobe::cli
