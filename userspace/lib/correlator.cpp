// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "libnsprobe/correlator.h"

#include <algorithm>
#include <csignal>
#include <map>
#include <set>

#include <fmt/format.h>

namespace nsprobe {
namespace {

struct LinkRef {
	size_t ns;	// index into obs
	size_t link;	// index into obs[ns].dump->links
};

int peer_ifindex(const LinkInfo &l)
{
	// IFLA_LINK is omitted when it equals the own ifindex.
	return l.link.value_or(l.ifindex);
}

NetnsRef ref_of(const NetnsObservation &o)
{
	return {o.info.id.inum, o.dump ? o.dump->cookie : std::nullopt, o.info.names};
}

class PeerResolver {
public:
	PeerResolver(const std::vector<NetnsObservation> &obs, LinkSource &links)
		: obs_(obs), links_(links)
	{
		for (size_t n = 0; n < obs.size(); n++) {
			if (!obs[n].dump)
				continue;
			const auto &ls = obs[n].dump->links;
			for (size_t i = 0; i < ls.size(); i++)
				if (ls[i].kind == "veth")
					index_[{ls[i].ifindex, peer_ifindex(ls[i])}].push_back({n, i});
		}
	}

	PeerView resolve(size_t ns, const LinkInfo &l)
	{
		PeerView pv;
		pv.ifindex = peer_ifindex(l);
		std::vector<LinkRef> cands;
		auto it = index_.find({pv.ifindex, l.ifindex});
		if (it != index_.end()) {
			for (const LinkRef &c : it->second) {
				bool same = c.ns == ns;
				if (same && obs_[c.ns].dump->links[c.link].ifindex == l.ifindex)
					continue;	// itself
				if (l.link_netnsid.has_value() == same)
					continue;	// absent X: same netns only; X: others only
				if (l.link_netnsid && *l.link_netnsid >= 0 &&
				    nsid(obs_[ns].info.id, obs_[c.ns].info.id) != *l.link_netnsid)
					continue;
				cands.push_back(c);
			}
		}
		if (cands.empty()) {
			pv.status = PeerStatus::not_found;
			return pv;
		}
		if (cands.size() > 1) {
			pv.status = PeerStatus::ambiguous;
			return pv;
		}
		const LinkRef &c = cands.front();
		pv.status = (l.link_netnsid && *l.link_netnsid < 0) ? PeerStatus::unverified
								    : PeerStatus::resolved;
		pv.name = obs_[c.ns].dump->links[c.link].name;
		pv.netns = ref_of(obs_[c.ns]);
		return pv;
	}

private:
	std::optional<int32_t> nsid(const NetnsId &viewer, const NetnsId &target)
	{
		auto key = std::make_pair(viewer, target);
		auto it = nsid_cache_.find(key);
		if (it != nsid_cache_.end())
			return it->second;
		std::optional<int32_t> v;
		if (auto r = links_.nsid_of(viewer, target))
			v = *r;
		nsid_cache_[key] = v;
		return v;
	}

	const std::vector<NetnsObservation> &obs_;
	LinkSource &links_;
	std::map<std::pair<int, int>, std::vector<LinkRef>> index_;
	std::map<std::pair<NetnsId, NetnsId>, std::optional<int32_t>> nsid_cache_;
};

bool same_netns(uint32_t inum, uint64_t cookie, const NetnsView &v)
{
	return v.inum == inum && (!v.cookie || *v.cookie == cookie);
}


} // namespace

std::vector<NetnsObservation> collect_links(std::vector<NetnsInfo> netns, LinkSource &links)
{
	std::vector<NetnsObservation> out;
	out.reserve(netns.size());
	for (NetnsInfo &info : netns) {
		NetnsObservation o;
		auto r = links.dump(info);
		if (r)
			o.dump = std::move(*r);
		else
			o.error = r.error();
		o.info = std::move(info);
		out.push_back(std::move(o));
	}
	return out;
}

ShowModel correlate(const std::vector<NetnsObservation> &obs, LinkSource &links,
		    const Result<Snapshot> &counters, std::string counters_where, bool resolve_peers)
{
	ShowModel m;
	m.counters = CountersStatus::from(counters, std::move(counters_where));
	if (counters)
		m.coverage = coverage_of(counters->probes);
	std::optional<PeerResolver> peers;
	if (resolve_peers)
		peers.emplace(obs, links);

	for (size_t n = 0; n < obs.size(); n++) {
		const NetnsObservation &o = obs[n];
		if (o.error && o.error->code == Errc::netns_not_found) {
			m.skipped.push_back({o.info.id.inum, o.error->message()});
			continue;
		}
		NetnsView v;
		v.inum = o.info.id.inum;
		v.current = o.info.current;
		v.names = o.info.names;
		v.bind_paths = o.info.bind_paths;
		v.pids = o.info.pids;
		v.init = o.info.init;
		v.container = o.info.container;
		if (o.error)
			v.links_error = o.error->message();
		if (o.dump) {
			v.cookie = o.dump->cookie;
			for (const LinkInfo &l : o.dump->links) {
				InterfaceView iv;
				iv.link = l;
				if (resolve_peers && l.kind == "veth")
					iv.peer = peers->resolve(n, l);
				v.interfaces.push_back(std::move(iv));
			}
			std::sort(v.interfaces.begin(), v.interfaces.end(),
				  [](const InterfaceView &a, const InterfaceView &b) {
					  return a.link.ifindex < b.link.ifindex;
				  });
		}
		m.netns.push_back(std::move(v));
	}

	if (counters) {
		std::vector<bool> ns_used(counters->netns.size()), dev_used(counters->devices.size());
		// Records by inum, in file order: each view looks at its own inum's
		// only (linear scans of every record were quadratic in the netns:
		// seconds at 10000, docs/performance.md).
		std::map<uint32_t, std::vector<size_t>> ns_by_inum, devs_by_inum;
		for (size_t i = 0; i < counters->netns.size(); i++)
			ns_by_inum[counters->netns[i].inum].push_back(i);
		for (size_t i = 0; i < counters->devices.size(); i++)
			devs_by_inum[counters->devices[i].inum].push_back(i);
		auto of_inum = [](const std::map<uint32_t, std::vector<size_t>> &by, uint32_t inum)
			-> const std::vector<size_t> & {
			static const std::vector<size_t> none;
			auto it = by.find(inum);
			return it == by.end() ? none : it->second;
		};
		for (NetnsView &v : m.netns) {
			for (size_t i : of_inum(ns_by_inum, v.inum)) {
				const NetnsRecord &r = counters->netns[i];
				if (!ns_used[i] && same_netns(r.inum, r.cookie, v)) {
					v.nsprobe = r;
					ns_used[i] = true;
					if (!v.cookie)
						v.cookie = r.cookie;
					break;
				}
			}
		}
		// Devices: index by (inum, ifindex) once, then match per view.
		std::map<std::pair<uint64_t, int>, std::vector<size_t>> devs;
		for (size_t i = 0; i < counters->devices.size(); i++)
			devs[{counters->devices[i].inum, counters->devices[i].ifindex}].push_back(i);
		for (NetnsView &v : m.netns) {
			for (InterfaceView &iv : v.interfaces) {
				auto it = devs.find({v.inum, iv.link.ifindex});
				if (it == devs.end())
					continue;
				for (size_t i : it->second) {
					const DevRecord &d = counters->devices[i];
					if (!dev_used[i] && same_netns(d.inum, d.cookie, v)) {
						iv.nsprobe = DevCounters::from(d);
						dev_used[i] = true;
						break;
					}
				}
			}
		}
		for (NetnsView &v : m.netns) {
			for (size_t i : of_inum(devs_by_inum, v.inum)) {
				const DevRecord &d = counters->devices[i];
				if (!dev_used[i] && same_netns(d.inum, d.cookie, v)) {
					v.module_devices.push_back(d);
					dev_used[i] = true;
				}
			}
		}
		// Netns (and devices) known only to the module.
		std::map<std::pair<uint64_t, uint64_t>, NetnsView> anon;
		auto anon_at = [&](uint32_t inum, uint64_t cookie) -> NetnsView & {
			NetnsView &a = anon[{inum, cookie}];
			a.inum = inum;
			a.cookie = cookie;
			a.anonymous = true;
			return a;
		};
		for (size_t i = 0; i < counters->netns.size(); i++)
			if (!ns_used[i])
				anon_at(counters->netns[i].inum, counters->netns[i].cookie).nsprobe =
					counters->netns[i];
		for (size_t i = 0; i < counters->devices.size(); i++)
			if (!dev_used[i])
				anon_at(counters->devices[i].inum, counters->devices[i].cookie)
					.module_devices.push_back(counters->devices[i]);
		for (auto &[key, a] : anon) {
			std::sort(a.module_devices.begin(), a.module_devices.end(),
				  [](const DevRecord &x, const DevRecord &y) { return x.ifindex < y.ifindex; });
			m.netns.push_back(std::move(a));
		}
		// OOM kills: the SIGKILL record's oom_kill (format 1.3), for a
		// netns the module has a record of; unknown otherwise. Summed per
		// (inum, cookie) once, not per netns over every record.
		auto oom_index = [](const std::vector<SigRecord> &sigs) {
			std::map<std::pair<uint32_t, uint64_t>, uint64_t> k;
			for (const SigRecord &r : sigs)
				if (r.signo == SIGKILL)
					k[{r.inum, r.cookie}] += r.oom_kill;
			return k;
		};
		auto oom_kills = [](const std::map<std::pair<uint32_t, uint64_t>, uint64_t> &k,
				    const NetnsRecord &n) {
			auto it = k.find({n.inum, n.cookie});
			return it == k.end() ? uint64_t{0} : it->second;
		};
		if (m.counters.has_minor(3)) {
			const auto live = oom_index(counters->signals);
			for (NetnsView &v : m.netns)
				if (v.nsprobe)
					v.oom_kills = oom_kills(live, *v.nsprobe);
		}
		// (1.4) Dead netns, from their post-mortem records, oldest first.
		const Postmortem &pm = counters->postmortem;
		const auto dead = oom_index(pm.signals);
		for (const GoneRecord &g : pm.gone) {
			GoneNetnsView d;
			d.inum = g.inum;
			d.cookie = g.cookie;
			d.gone = GoneView::from(g);
			for (const NetnsRecord &n : pm.netns)
				if (n.inum == g.inum && n.cookie == g.cookie)
					d.nsprobe = n;
			if (d.nsprobe)
				d.oom_kills = oom_kills(dead, *d.nsprobe);
			m.gone.push_back(std::move(d));
		}
	}
	std::stable_sort(m.netns.begin(), m.netns.end(), [](const NetnsView &a, const NetnsView &b) {
		return a.inum != b.inum ? a.inum < b.inum : a.cookie < b.cookie;
	});
	for (NetnsView &v : m.netns)
		v.host = is_host_netns(v.inum, v.cookie);
	return m;
}

void attach_qdisc_drops(NetnsView &v, const Result<NetnsDropCounters> &c)
{
	if (!c || c->qdisc_error) {
		v.qdisc_error = c ? *c->qdisc_error : c.error().message();
		return;
	}
	for (InterfaceView &iv : v.interfaces)
		iv.qdisc_drops = root_qdisc_drops(c->qdiscs, iv.link.ifindex);
}

bool worth_showing(const NetnsView &v)
{
	if (v.current || v.nsprobe || !v.module_devices.empty() || v.links_error)
		return true;
	return std::any_of(v.interfaces.begin(), v.interfaces.end(),
			   [](const InterfaceView &i) { return i.link.kind == "veth"; });
}

Status select_netns(ShowModel &m, const std::optional<std::string> &selector)
{
	if (!selector) {
		std::vector<NetnsView> keep;
		for (NetnsView &v : m.netns)
			if (worth_showing(v))
				keep.push_back(std::move(v));
		m.netns = std::move(keep);
		return ok_status();
	}
	auto ref = resolve_selector(*selector, netns_candidates(m));
	if (!ref)
		return ref.error();
	select_netns(m, *ref);
	return ok_status();
}

void select_netns(ShowModel &m, const NetnsTarget &ref)
{
	std::erase_if(m.netns, [&](const NetnsView &v) { return !ref.is(v.inum, v.cookie, false); });
	std::erase_if(m.gone,
		      [&](const GoneNetnsView &g) { return !ref.is(g.inum, g.cookie, true); });
}

void select_netns(SignalsModel &m, const NetnsTarget &ref)
{
	std::erase_if(m.netns, [&](const SignalNetnsView &v) {
		return !ref.is(v.inum, v.cookie, v.gone.has_value());
	});
	m.node.reset();	// the whole node's: not of the one netns asked for
}

} // namespace nsprobe
