// SPDX-License-Identifier: GPL-2.0 OR MIT
// nsprobe reset [--netns X]: zero the module's counters, of every netns or of
// one, through <debugfs>/nsprobe/control ("reset", "reset inum=N").
#include <charconv>
#include <cstdio>

#include <fmt/format.h>

#include "commands.h"
#include "exit_codes.h"
#include "libnsprobe/correlator.h"
#include "libnsprobe/debugfs_source.h"
#include "libnsprobe/netns_discovery.h"

namespace nsprobe::cli {
namespace {

// PID_MAX_LIMIT on 64-bit: no pid is larger, and every netns inum is (nsfs
// inode numbers start at 0xF0000000). Above it a number is an inum as is.
constexpr uint64_t kPidMaxLimit = 4194304;

// The inum to reset for `selector`. A plain large number is passed on
// unchecked, so a netns known only to the module (anonymous) can be reset;
// the module answers ENOENT for an unknown one.
Result<uint32_t> resolve_inum(const std::string &selector)
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

} // namespace

ResetCommand::ResetCommand(CLI::App &app, const GlobalOptions &g)
	: Command(app, g, "reset", "zero the module's counters (all netns, or one)")
{
	add_netns_option();
	sub_->footer("Counting never pauses: a reset stores a baseline in the module.\n"
		     "Exit 8 if the module knows no such netns, 10 if it rejects the command.");
}

int ResetCommand::run()
{
	DebugfsSource src(resolve_debugfs(g_.debugfs));
	// Module loaded, readable, and a format this tool speaks?
	if (auto snap = src.read(); !snap)
		return fail(snap.error());
	std::string cmd = "reset";
	if (netns_) {
		auto inum = resolve_inum(*netns_);
		if (!inum)
			return fail(inum.error());
		cmd = fmt::format("reset inum={}", *inum);
	}
	if (auto s = src.write_control(cmd); !s)
		return fail(s.error());
	std::printf("nsprobe: %s\n",
		    netns_ ? fmt::format("counters of {} reset", cmd.substr(6)).c_str()
			   : "counters of every netns reset");
	return kExitOk;
}

} // namespace nsprobe::cli
