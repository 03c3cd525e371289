// SPDX-License-Identifier: GPL-2.0 OR MIT
// nsprobe latency [--netns X] [--dev NAME] [--json]: the veth latency
// histograms of <debugfs>/nsprobe/latency (module loaded with latency=1).
#include <cerrno>
#include <cstdio>

#include "commands.h"
#include "exit_codes.h"
#include "libnsprobe/debugfs_source.h"
#include "libnsprobe/fd.h"
#include "libnsprobe/latency.h"
#include "libnsprobe/netns_discovery.h"

namespace nsprobe::cli {

LatencyCommand::LatencyCommand(CLI::App &app, const GlobalOptions &g)
	: Command(app, g, "latency",
		  "veth latency histograms: time in veth_xmit, and crossing to the peer",
		  "nsprobe latency --netns blue --dev veth0")
{
	add_json_flag("print JSON with the raw buckets (schema nsprobe/1)");
	add_netns_option();
	sub_->add_option("--dev", dev_, "only this device (its name)")->type_name("NAME");
}

int LatencyCommand::run()
{
	DebugfsLocation loc = resolve_debugfs(g_.debugfs);
	DebugfsSource src(loc);
	// Checks debugfs, the module and the format version first.
	auto snap = src.read();
	if (!snap)
		return fail(snap.error());
	std::string path = src.dir() + "/" + NSP_FILE_LATENCY;
	auto text = read_whole_file(path);
	if (!text) {
		if (text.error().sys_errno == ENOENT)
			return fail(Error{Errc::feature_off, path, "latency tracking is off",
					  "load the module with latency=1: modprobe nsprobe latency=1, "
					  "or insmod kmod/nsprobe.ko latency=1", ENOENT});
		return fail(text.error());
	}
	auto f = parse_latency(*text, path);
	if (!f)
		return fail(f.error());
	// Names and containers for the labels; a failed scan leaves them unnamed.
	ProcNetnsDiscovery discovery;
	auto scanned = discovery.scan();
	std::vector<NetnsInfo> netns = scanned ? std::move(*scanned) : std::vector<NetnsInfo>{};
	LatencyFilter filter;
	if (netns_) {
		auto ref = resolve_netns(*netns_, snap, &netns);
		if (!ref)
			return fail(ref.error());
		if (ref->gone)
			return fail(Error{Errc::netns_not_found, "netns " + *netns_,
					  "names a netns that is gone: the module keeps no latency "
					  "histograms of dead netns",
					  "nsprobe latency without filters lists them all", 0});
		filter.inum = ref->inum;
	}
	filter.dev = dev_;
	bool any = false;
	for (const HistRecord &r : f->hists)
		any |= filter.matches(r);
	if ((filter.inum || dev_) && !any) {
		std::string what = dev_ ? "device " + *dev_ : std::string("netns");
		if (filter.inum)
			what += (dev_ ? " in netns " : " ") + std::to_string(*filter.inum);
		else
			what += " in any netns";
		return fail(Error{Errc::netns_not_found, what, "no latency histogram for it",
				  "nsprobe latency without filters lists them all", 0});
	}
	// A helper that is not armed makes the crossing latency unknown.
	Coverage cov = coverage_of(snap->probes);
	auto labels = netns_labels(netns);
	emit(json_ ? render_latency_json(*f, filter, &cov)
		   : render_latency_text(*f, filter, &cov, &labels));
	return kExitOk;
}

} // namespace nsprobe::cli
