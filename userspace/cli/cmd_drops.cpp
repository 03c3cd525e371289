// SPDX-License-Identifier: GPL-2.0 OR MIT
// nsprobe drops [--netns X] [--json]: the drop path of a netns (issue 14), stage
// by stage in packet order: neighbour (host-wide), qdisc, veth_xmit, backlog,
// the peer netns's IP/UDP/TCP. Kernel counters (drops.h) beside nsprobe's own.
// Unknown stays unknown ("-" in text, null in JSON), never 0.
#include <cstdio>
#include <map>
#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "exit_codes.h"
#include "libnsprobe/correlator.h"
#include "libnsprobe/debugfs_source.h"
#include "libnsprobe/drops.h"
#include "libnsprobe/link_source.h"
#include "libnsprobe/netns_discovery.h"
#include "libnsprobe/render.h"

namespace nsprobe::cli {
namespace {

using nlohmann::json;

// What is still unseen, in JSON "not_covered" and the text footer.
constexpr const char *kNotCovered =
	"not covered: skb:kfree_skb drop reasons (no hook yet), packets freed when a "
	"neighbour entry fails (counted nowhere by the kernel), drops inside other "
	"drivers and in XDP";

std::string label(const NetnsView &v)
{
	std::string s = fmt::format("netns {}", v.inum);
	if (!v.names.empty())
		s += " (" + v.names.front() + ")";
	if (v.container)
		s += fmt::format(" [{} {}]", v.container->runtime, v.container->id.substr(0, 12));
	if (v.current)
		s += " (nsprobe's own)";
	return s;
}

json opt_json(const std::optional<uint64_t> &v)
{
	return v ? json(*v) : json(nullptr);
}

json stack_json(const NetnsDropCounters *c)
{
	if (!c || c->snmp_error)
		return nullptr;
	json j = {{"ip", json::object()}, {"udp", json::object()}, {"tcp", json::object()}};
	for (const ProtoCounter &p : proto_drop_counters())
		j[p.stage][p.name] = opt_json(snmp_value(*c, p));
	return j;
}

// One line of counters: non-zero ones by name, unknown ones as "-", zeros
// folded into "others 0".
std::string compact(const std::vector<std::pair<std::string, std::optional<uint64_t>>> &kv)
{
	std::string s;
	size_t zeros = 0;
	for (const auto &[k, v] : kv) {
		if (v && *v == 0) {
			zeros++;
			continue;
		}
		s += (s.empty() ? "" : " ") + k + " " + (v ? std::to_string(*v) : std::string("-"));
	}
	if (s.empty())
		return "0";
	if (zeros)
		s += fmt::format(" (others 0)");
	return s;
}

// The IP/UDP/TCP counters of `c`. `sends`: the netns's own, its send-side
// counters too (said when OutDiscards or SndbufErrors is non-zero: they
// count its qdiscs' drops again); else a veth peer's, receive side only, as
// its stack met the packets this netns sent.
std::string stack_line(const NetnsDropCounters *c, bool sends)
{
	if (!c)
		return "unknown (netns not read)";
	if (c->snmp_error)
		return "unknown: " + *c->snmp_error;
	std::vector<std::pair<std::string, std::optional<uint64_t>>> kv;
	bool sent_lost = false;
	for (const ProtoCounter &p : proto_drop_counters()) {
		if (p.send && !sends)
			continue;
		auto v = snmp_value(*c, p);
		sent_lost |= (std::string_view(p.name) == "OutDiscards" ||
			      std::string_view(p.name) == "SndbufErrors") &&
			     v && *v != 0;
		kv.emplace_back(fmt::format("{}.{}", p.table, p.name), v);
	}
	std::string line = compact(kv);
	if (sent_lost)
		line += "; Ip.OutDiscards and Udp.SndbufErrors also count the qdisc drops of "
			"this netns's own sends: do not add them to the qdisc line";
	return line;
}

bool is_root(const QdiscStats &q) { return q.parent == 0xFFFFFFFFu; }

bool dev_unknown(const std::optional<Coverage> &cov, const char *f)
{
	return cov && cov->unknown(f);
}

} // namespace

DropsCommand::DropsCommand(CLI::App &app, const GlobalOptions &g)
	: Command(app, g, "drops",
		  "where a netns's packets were lost: neighbour, qdisc, veth_xmit, backlog, "
		  "the peer's IP/UDP/TCP",
		  "nsprobe drops --netns blue")
{
	add_json_flag();
	add_netns_option();
	add_footer("Stages in packet order. Kernel counters are cumulative: a qdisc's since it "
		   "was created, a netns's IP/UDP/TCP counters since the netns was created, "
		   "the neighbour tables' since boot (host-wide: all netns share them); "
		   "nsprobe's since load or reset. Unknown is '-', never 0.");
}

int DropsCommand::run()
{
	raise_fd_limit();
	DebugfsSource src(resolve_debugfs(g_.debugfs));
	auto snap = src.read();	// optional: kernel counters need no module

	ProcNetnsDiscovery discovery;
	auto scanned = discovery.scan();
	if (!scanned)
		return fail(scanned.error());
	std::map<uint64_t, NetnsInfo> infos;
	for (const NetnsInfo &i : *scanned)
		infos.emplace(i.id.inum, i);
	NetlinkLinkSource links;
	auto obs = collect_links(std::move(*scanned), links);
	auto model = model_of(obs, links, snap, src.dir(), netns_);
	if (!model)
		return fail(model.error());
	ShowModel &m = *model;
	if (netns_ && m.netns.empty())
		return fail(Error{Errc::netns_not_found, "netns " + *netns_,
				  "names a netns that is gone: its drop counters went with it",
				  "nsprobe show lists the post-mortem records", 0});

	// Read each shown netns and each veth peer's netns once.
	std::map<uint64_t, std::optional<NetnsDropCounters>> read;
	auto counters_of = [&](uint64_t inum) -> Result<const NetnsDropCounters *> {
		auto it = read.find(inum);
		if (it == read.end()) {
			auto info = infos.find(inum);
			if (info == infos.end()) {
				it = read.emplace(inum, std::nullopt).first;
			} else {
				auto c = links.drop_counters(info->second);
				if (!c && c.error().code != Errc::netns_not_found)
					return c.error();
				it = read.emplace(inum, c ? std::optional(std::move(*c))
							  : std::nullopt).first;
			}
		}
		return it->second ? &*it->second : nullptr;
	};
	std::vector<SkippedNetns> skipped = m.skipped;
	std::vector<const NetnsView *> shown;
	for (const NetnsView &v : m.netns) {
		if (v.anonymous)
			continue;	// no path to enter it
		auto c = counters_of(v.inum);
		if (!c)
			return fail(c.error());
		if (!*c) {
			skipped.push_back({v.inum, "vanished during the scan"});
			continue;
		}
		for (const InterfaceView &iv : v.interfaces)
			if (iv.peer && iv.peer->netns)
				if (auto pc = counters_of(iv.peer->netns->inum); !pc)
					return fail(pc.error());
		shown.push_back(&v);
	}
	if (netns_ && shown.empty())
		return fail(Error{Errc::netns_not_found, "netns " + *netns_,
				  "vanished during the scan", {}, 0});

	auto neigh = links.neigh_tables();
	const std::optional<Coverage> &cov = m.coverage;
	bool have_dev = m.counters.available;

	if (json_) {
		json j = {{"schema", "nsprobe/1"}, {"netns", json::array()},
			  {"skipped", json::array()}, {"not_covered", kNotCovered}};
		// As every command's: format, or reason and message.
		j["counters"] = to_json(m.counters);
		json nj = {{"scope", "host"}, {"tables", json::array()}, {"error", nullptr}};
		if (neigh) {
			for (const NeighTableStats &t : *neigh)
				nj["tables"].push_back({{"name", t.name}, {"family", t.family},
							{"res_failed", t.res_failed},
							{"unres_discards", opt_json(t.unres_discards)},
							{"table_fulls", t.table_fulls}});
		} else {
			nj["error"] = neigh.error().message();
		}
		j["neighbour"] = nj;
		for (const NetnsView *v : shown) {
			const NetnsDropCounters &c = *read[v->inum];
			json nv = {{"inum", v->inum}, {"names", v->names},
				   {"cookie", v->cookie ? json(*v->cookie) : json(nullptr)},
				   {"interfaces", json::array()},
				   {"qdisc_error", c.qdisc_error ? json(*c.qdisc_error) : json(nullptr)},
				   {"stack", stack_json(&c)},
				   {"stack_error", c.snmp_error ? json(*c.snmp_error) : json(nullptr)}};
			for (const InterfaceView &iv : v->interfaces) {
				json ij = {{"name", iv.link.name}, {"ifindex", iv.link.ifindex},
					   {"kind", iv.link.kind}, {"qdiscs", json::array()}};
				for (const QdiscStats &q : c.qdiscs)
					if (q.ifindex == iv.link.ifindex)
						ij["qdiscs"].push_back(
							{{"kind", q.kind}, {"handle", tc_handle_str(q.handle)},
							 {"parent", tc_handle_str(q.parent)}, {"root", is_root(q)},
							 {"drops", q.drops}, {"overlimits", q.overlimits},
							 {"requeues", q.requeues}, {"qlen", q.qlen},
							 {"backlog_bytes", q.backlog}, {"packets", q.packets},
							 {"bytes", q.bytes}});
				json vx = nullptr, bl = nullptr, peer = nullptr;
				if (iv.link.kind == "veth" && iv.nsprobe) {
					auto f = [&](const char *name, uint64_t val) {
						return dev_unknown(cov, name) ? json(nullptr) : json(val);
					};
					const DevCounters &d = *iv.nsprobe;
					vx = {{"drops", f("drops", d.drops)},
					      {"drop_peer", f("drop_peer", d.drop_peer)},
					      {"drop_mtu", f("drop_mtu", d.drop_mtu)},
					      {"drop_ring", f("drop_ring", d.drop_ring)},
					      {"drop_other", f("drop_other", d.drop_other)}};
					bl = {{"drop_backlog", f("drop_backlog", d.drop_backlog)}};
				}
				if (iv.peer && iv.peer->netns) {
					auto it = read.find(iv.peer->netns->inum);
					const NetnsDropCounters *pc =
						it != read.end() && it->second ? &*it->second : nullptr;
					peer = {{"name", iv.peer->name}, {"inum", iv.peer->netns->inum},
						{"stack", stack_json(pc)}};
				}
				ij["veth_xmit"] = vx;
				ij["backlog"] = bl;
				ij["drops_before_driver"] = opt_json(drops_before_driver(iv, cov));
				ij["peer"] = peer;
				nv["interfaces"].push_back(ij);
			}
			j["netns"].push_back(nv);
		}
		for (const SkippedNetns &s : skipped)
			j["skipped"].push_back({{"inum", s.inum}, {"reason", s.reason}});
		emit(json_text(j));
	} else {
		std::string out;
		std::string nline;
		if (!neigh) {
			nline = "unknown: " + neigh.error().message();
		} else {
			for (const NeighTableStats &t : *neigh)
				nline += fmt::format("{}{} res_failed {} unres_discards {}",
						     nline.empty() ? "" : "; ", t.name, t.res_failed,
						     t.unres_discards ? std::to_string(*t.unres_discards)
								      : std::string("-"));
			nline += " (host-wide: all netns share these tables)";
		}
		// The neighbour tables are the host's, not a netns's: with
		// several netns, said once above them rather than repeated.
		const bool one = shown.size() == 1;
		if (!one)
			out += fmt::format("{:<13} {}\n\n", "neighbour", nline);
		for (const NetnsView *v : shown) {
			const NetnsDropCounters &c = *read[v->inum];
			out += label(*v) + "\n";
			if (one)
				out += fmt::format("  {:<11} {}\n", "neighbour", nline);
			// qdisc
			std::vector<std::string> qlines;
			size_t quiet = 0;
			for (const QdiscStats &q : c.qdiscs) {
				std::string dev;
				for (const InterfaceView &iv : v->interfaces)
					if (iv.link.ifindex == q.ifindex)
						dev = iv.link.name;
				if (!q.drops && !q.overlimits && !q.requeues && !q.qlen && !q.backlog) {
					quiet++;
					continue;
				}
				qlines.push_back(fmt::format(
					"{} {} {} {}: dropped {} overlimits {} requeues {} backlog {}b {}p",
					dev.empty() ? std::to_string(q.ifindex) : dev, q.kind,
					tc_handle_str(q.handle), is_root(q) ? "root" : "parent " + tc_handle_str(q.parent),
					q.drops, q.overlimits, q.requeues, q.backlog, q.qlen));
			}
			if (c.qdisc_error)
				out += fmt::format("  {:<11} unknown: {}\n", "qdisc", *c.qdisc_error);
			else if (qlines.empty())
				out += fmt::format("  {:<11} 0 ({} qdiscs)\n", "qdisc", quiet);
			else
				for (size_t i = 0; i < qlines.size(); i++)
					out += fmt::format("  {:<11} {}{}\n", i ? "" : "qdisc", qlines[i],
							   i + 1 == qlines.size() && quiet
								   ? fmt::format(" (other {} qdiscs 0)", quiet)
								   : "");
			// veth_xmit and backlog, per veth
			std::string xl, bl;
			for (const InterfaceView &iv : v->interfaces) {
				if (iv.link.kind != "veth")
					continue;
				if (!iv.nsprobe) {
					std::string why = have_dev ? "not tracked" : "module counters unavailable";
					xl += fmt::format("{}{}: - ({})", xl.empty() ? "" : "; ", iv.link.name, why);
					bl += fmt::format("{}{}: -", bl.empty() ? "" : "; ", iv.link.name);
					continue;
				}
				const DevCounters &d = *iv.nsprobe;
				auto f = [&](const char *n, uint64_t val) -> std::optional<uint64_t> {
					if (dev_unknown(cov, n))
						return std::nullopt;
					return val;
				};
				xl += fmt::format("{}{}: {}", xl.empty() ? "" : "; ", iv.link.name,
						  compact({{"peer", f("drop_peer", d.drop_peer)},
							   {"mtu", f("drop_mtu", d.drop_mtu)},
							   {"ring", f("drop_ring", d.drop_ring)},
							   {"other", f("drop_other", d.drop_other)}}));
				auto pre = drops_before_driver(iv, cov);
				if (pre && *pre)
					xl += fmt::format(" (before the driver {})", *pre);
				bl += fmt::format("{}{}: {}", bl.empty() ? "" : "; ", iv.link.name,
						  compact({{"backlog", f("drop_backlog", d.drop_backlog)}}));
			}
			out += fmt::format("  {:<11} {}\n", "veth_xmit", xl.empty() ? "no veth" : xl);
			out += fmt::format("  {:<11} {}\n", "backlog", bl.empty() ? "no veth" : bl);
			bool any_peer = false;
			for (const InterfaceView &iv : v->interfaces) {
				if (!iv.peer || !iv.peer->netns || iv.peer->netns->inum == v->inum)
					continue;
				auto it = read.find(iv.peer->netns->inum);
				const NetnsDropCounters *pc =
					it != read.end() && it->second ? &*it->second : nullptr;
				out += fmt::format("  {:<11} {} -> {} in netns {}: {}\n",
						   any_peer ? "" : "peer stack", iv.link.name, iv.peer->name,
						   iv.peer->netns->inum, stack_line(pc, false));
				any_peer = true;
			}
			out += fmt::format("  {:<11} {}\n", "own stack", stack_line(&c, true));
		}
		for (const SkippedNetns &s : skipped)
			out += fmt::format("netns {}: skipped ({})\n", s.inum, s.reason);
		out += std::string(kNotCovered) + "\n";
		emit(out);
	}
	if (!snap)
		std::fprintf(stderr, "nsprobe: nsprobe's veth counters unavailable: %s\n",
			     snap.error().message().c_str());
	return kExitOk;
}

} // namespace nsprobe::cli
