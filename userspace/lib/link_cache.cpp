// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "libnsprobe/link_cache.h"

#include <algorithm>
#include <charconv>

namespace nsprobe {
namespace {

Error malformed(const std::string &where, const std::string &why)
{
	return Error{Errc::malformed, where, why, {}, 0};
}

std::string_view trim(std::string_view s)
{
	while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
		s.remove_prefix(1);
	while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
		s.remove_suffix(1);
	return s;
}

} // namespace

Result<std::map<std::string, LinkStats>> parse_proc_net_dev(std::string_view text,
							    const std::string &where)
{
	std::map<std::string, LinkStats> out;
	size_t lineno = 0;
	while (!text.empty()) {
		size_t nl = text.find('\n');
		std::string_view line = text.substr(0, nl);
		text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
		if (++lineno <= 2 || trim(line).empty())
			continue;	// "Inter-|   Receive ..." and " face |bytes ..."
		// Interface names never hold ':' (dev_valid_name()).
		size_t colon = line.find(':');
		if (colon == std::string_view::npos)
			return malformed(where, "line " + std::to_string(lineno) + " has no ':'");
		std::string name(trim(line.substr(0, colon)));
		if (name.empty())
			return malformed(where, "line " + std::to_string(lineno) + " has no name");
		std::string_view rest = line.substr(colon + 1);
		uint64_t col[16];
		size_t n = 0;
		for (;;) {
			rest = trim(rest);
			if (rest.empty())
				break;
			if (n == 16)
				return malformed(where, name + ": more than 16 columns");
			auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), col[n]);
			if (ec != std::errc() || (end != rest.data() + rest.size() && *end != ' ' &&
						  *end != '\t'))
				return malformed(where, name + ": column " + std::to_string(n + 1) +
								" is not a number");
			rest.remove_prefix(static_cast<size_t>(end - rest.data()));
			n++;
		}
		if (n != 16)
			return malformed(where, name + ": " + std::to_string(n) + " columns, not 16");
		LinkStats s;
		s.rx_bytes = col[0];
		s.rx_packets = col[1];
		s.rx_dropped = col[3];
		s.tx_bytes = col[8];
		s.tx_packets = col[9];
		s.tx_dropped = col[11];
		if (!out.emplace(std::move(name), s).second)
			return malformed(where, "line " + std::to_string(lineno) + ": a name twice");
	}
	return out;
}

bool proc_net_dev_exact(const LinkInfo &l)
{
	return l.kind == "veth" || (l.name == "lo" && l.kind.empty());
}

bool counters_monotonic(const LinkStats &b, const LinkStats &n)
{
	return n.rx_packets >= b.rx_packets && n.rx_bytes >= b.rx_bytes &&
	       n.rx_dropped >= b.rx_dropped && n.tx_packets >= b.tx_packets &&
	       n.tx_bytes >= b.tx_bytes && n.tx_dropped >= b.tx_dropped;
}

// Puts the counters of `read` (by name or by ifindex, `key`) on the links
// of `d`. False, leaving `d` half-updated, when `read` lists other links or
// a counter went backwards: the caller then dumps the netns in full.
template <typename Map, typename Key>
bool apply_counters(LinkDump &d, const Map &read, Key key)
{
	if (read.size() != d.links.size())
		return false;
	for (LinkInfo &l : d.links) {
		auto it = read.find(key(l));
		if (it == read.end() || !counters_monotonic(l.stats, it->second))
			return false;
		l.stats = it->second;
	}
	return true;
}

std::optional<LinkDump> LinkDumpCache::refresh(const NetnsInfo &ns, Entry &e,
					       LinkCounterReader &cheap)
{
	LinkDump d = e.dump;
	if (e.proc_exact) {
		size_t tried = 0;
		for (const ProcRef &p : ns.pids) {
			if (tried++ == 3)
				break;
			auto r = cheap.proc_net_dev(p.pid, ns.id);
			if (!r) {
				if (r.error().code == Errc::netns_not_found)
					continue;	// exited, or elsewhere now: the next one
				break;
			}
			if (!apply_counters(d, *r, [](const LinkInfo &l) { return l.name; }))
				return std::nullopt;
			stats_.proc_reads++;
			return d;
		}
	}
	auto r = cheap.link_stats(ns);
	if (!r || !apply_counters(d, *r, [](const LinkInfo &l) { return l.ifindex; }))
		return std::nullopt;
	stats_.netlink_reads++;
	return d;
}

std::vector<NetnsObservation> LinkDumpCache::collect(std::vector<NetnsInfo> netns,
						     LinkSource &full, LinkCounterReader &cheap)
{
	std::vector<NetnsObservation> out;
	out.reserve(netns.size());
	std::map<NetnsId, Entry> kept;
	for (NetnsInfo &info : netns) {
		NetnsObservation o;
		auto it = entries_.find(info.id);
		if (it != entries_.end()) {
			if (auto d = refresh(info, it->second, cheap)) {
				it->second.dump = *d;
				o.dump = std::move(*d);
				kept.insert(entries_.extract(it));
			} else {
				stats_.refused++;
				entries_.erase(it);
			}
		}
		if (!o.dump) {
			stats_.full_dumps++;
			auto r = full.dump(info);
			if (r) {
				Entry e;
				e.dump = *r;
				e.proc_exact = std::all_of(r->links.begin(), r->links.end(),
							   proc_net_dev_exact);
				kept[info.id] = std::move(e);
				o.dump = std::move(*r);
			} else {
				o.error = r.error();
			}
		}
		o.info = std::move(info);
		out.push_back(std::move(o));
	}
	entries_ = std::move(kept);	// netns not listed this time are dropped
	return out;
}

bool cookie_disagrees(const std::vector<NetnsObservation> &obs, const Snapshot &snap)
{
	std::map<uint64_t, uint64_t> cookie_of;
	for (const NetnsObservation &o : obs)
		if (o.dump && o.dump->cookie)
			cookie_of[o.info.id.inum] = *o.dump->cookie;
	for (const NetnsRecord &r : snap.netns) {
		auto it = cookie_of.find(r.inum);
		if (it != cookie_of.end() && it->second != r.cookie)
			return true;
	}
	return false;
}

} // namespace nsprobe
