// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "libnsprobe/model.h"
#include "libnsprobe/container.h"
#include "libnsprobe/sig_events.h"

#include <algorithm>
#include <csignal>
#include <cstring>
#include <map>

#include <fmt/format.h>

namespace nsprobe {

CountersStatus CountersStatus::from(const Result<Snapshot> &r, std::string where)
{
	CountersStatus s;
	s.where = std::move(where);
	if (r) {
		s.available = true;
		s.format = r->version;
	} else {
		s.reason = std::string(errc_name(r.error().code));
		s.message = r.error().message();
	}
	return s;
}

bool CountersStatus::has_minor(unsigned minor) const
{
	return available && format && format->at_least(NSP_FORMAT_MAJOR, minor);
}

DevCounters DevCounters::from(const DevRecord &r)
{
	DevCounters c;
#define NSP_X(key, unit) c.key = r.key;
	NSP_DEV_COUNTERS(NSP_X)
#undef NSP_X
	c.tx_dropped_base = r.tx_dropped_base;
	c.rx_packets_base = r.rx_packets_base;
	return c;
}

const char *peer_status_name(PeerStatus s)
{
	switch (s) {
	case PeerStatus::resolved: return "resolved";
	case PeerStatus::unverified: return "unverified";
	case PeerStatus::ambiguous: return "ambiguous";
	case PeerStatus::not_found: return "not_found";
	}
	return "not_found";
}

std::string signal_name(int signo)
{
	// Real-time signals: glibc reserves the first kernel ones (32, 33), so
	// SIGRTMIN is a runtime value; name them the way kill -l does.
	int rtmin = SIGRTMIN, rtmax = SIGRTMAX;
	if (signo >= rtmin && signo <= rtmax)
		return signo == rtmin ? "SIGRTMIN" : fmt::format("SIGRTMIN+{}", signo - rtmin);
	if (const char *abbrev = ::sigabbrev_np(signo))
		return fmt::format("SIG{}", abbrev);
	return fmt::format("SIG{}", signo);
}

bool is_host_netns(uint64_t inum, std::optional<uint64_t> cookie)
{
	return inum == kInitNetInum || (cookie && *cookie == 1);
}

std::optional<std::string> netns_name(const std::vector<std::string> &names,
				      const std::optional<ContainerId> &container, bool host)
{
	if (!names.empty())
		return names.front();
	if (container)
		return container->runtime + ":" +
		       (container->id.size() == 64 ? container->id.substr(0, 12) : container->id);
	if (host)
		return "host";
	return std::nullopt;
}

std::map<uint64_t, NetnsLabel> netns_labels(const std::vector<NetnsInfo> &netns)
{
	std::map<uint64_t, NetnsLabel> out;
	for (const NetnsInfo &n : netns)
		out[n.id.inum] = NetnsLabel{n.names, n.container, n.current,
					    is_host_netns(n.id.inum, std::nullopt)};
	return out;
}

std::optional<GoneView> SigEventsModel::gone_of(uint64_t inum, uint64_t cookie) const
{
	auto it = gone.find({inum, cookie});
	return it == gone.end() ? std::nullopt : std::optional<GoneView>(it->second);
}

SigEventsModel build_sig_events(const SigEvents &live, const Postmortem &pm,
				const std::vector<NetnsInfo> &netns, const SigEventFilter &filter,
				const std::function<bool(uint64_t, uint64_t, bool)> &want)
{
	SigEventsModel m;
	m.filter = filter;
	m.labels = netns_labels(netns);
	for (const GoneRecord &g : pm.gone)
		m.gone[{g.inum, g.cookie}] = GoneView::from(g);
	auto is_gone = [&](uint64_t inum, uint64_t cookie) { return m.gone.count({inum, cookie}) > 0; };
	for (const GoneRecord &g : pm.gone)
		if (want(g.inum, g.cookie, true))
			m.gone_order.push_back(g);
	for (const SigEvents *src : {&live, &pm.events}) {
		for (const SigRing &r : src->rings)
			if (want(r.inum, r.cookie, is_gone(r.inum, r.cookie)))
				m.rings.push_back(r);
		for (const SigEvent &e : src->events) {
			if (!want(e.inum, e.cookie, is_gone(e.inum, e.cookie)))
				continue;
			m.kept[{e.inum, e.cookie}]++;
			if (filter.matches(e))
				m.events.push_back(e);
		}
	}
	return m;
}

GoneView GoneView::from(const GoneRecord &r)
{
	GoneView g;
	g.gone_ns = r.gone_ns;
	g.age_ns = r.age_ns;
	if (r.cgroup_id)
		g.cgroup_id = r.cgroup_id;
	g.cgroup = r.cgroup;
	if (r.cgroup)
		g.container = container_of_cgroup_path(*r.cgroup);
	return g;
}

std::string gone_ago(uint64_t age_ns)
{
	uint64_t s = age_ns / 1000000000;
	if (s == 0)
		return "gone <1 s ago";
	if (s < 120)
		return fmt::format("gone {} s ago", s);
	if (s < 2 * 3600)
		return fmt::format("gone {} min ago", s / 60);
	if (s < 2 * 86400)
		return fmt::format("gone {} h ago", s / 3600);
	return fmt::format("gone {} days ago", s / 86400);
}

StatusModel build_status(const Result<Snapshot> &snap, std::string where)
{
	StatusModel m;
	m.counters = CountersStatus::from(snap, std::move(where));
	if (snap) {
		m.module_loaded = true;
		m.probes = snap->probes;
		m.stats = snap->stats;
	} else {
		switch (snap.error().code) {
		case Errc::module_not_loaded:
			m.module_loaded = false;
			break;
		case Errc::format_version_mismatch:
		case Errc::malformed:
			m.module_loaded = true;
			break;
		default:
			break;	// cannot tell through debugfs
		}
	}
	return m;
}

SignalsModel build_signals(const Result<Snapshot> &snap, std::string where,
			   const std::vector<NetnsInfo> &netns)
{
	SignalsModel m;
	m.counters = CountersStatus::from(snap, std::move(where));
	if (!snap)
		return m;
	m.oom_counted = m.counters.has_minor(3);
	if (snap->stats) {
		if (m.counters.has_minor(3))
			m.unattributed = snap->stats->sig_unattributed;
		else
			m.unattributed_hook_events = snap->stats->sig_unattributed;
	}
	std::map<uint64_t, const NetnsInfo *> by_inum;
	for (const NetnsInfo &n : netns)
		by_inum[n.id.inum] = &n;
	auto row_of = [](const SigRecord &r) {
		SignalRow row;
		row.signo = r.signo;
		row.name = signal_name(r.signo);
#define NSP_X(key, unit) row.key = r.key;
		NSP_SIG_COUNTERS(NSP_X)
#undef NSP_X
		row.init_protected = r.ignored_init > 0;
		const std::pair<const char *, uint64_t> reasons[] = {
			{"exiting", r.ignored_exiting}, {"sig_ign", r.ignored_sig_ign},
			{"default", r.ignored_default}, {"init", r.ignored_init},
			{"other", r.ignored_other}};
		for (const auto &[reason, count] : reasons)
			if (count)
				row.explanations.push_back(explain_ignored(
					r.signo, reason, count, r.inum,
					std::string_view(reason) == "init" ? "PID 1" : "processes", "-"));
		return row;
	};
	auto by_signo = [](SignalNetnsView &v) {
		std::sort(v.signals.begin(), v.signals.end(),
			  [](const SignalRow &a, const SignalRow &b) { return a.signo < b.signo; });
	};
	std::map<std::pair<uint64_t, uint64_t>, SignalNetnsView> views;
	for (const SigRecord &r : snap->signals) {
		SignalNetnsView &v = views[{r.inum, r.cookie}];
		v.inum = r.inum;
		v.cookie = r.cookie;
		v.signals.push_back(row_of(r));
	}
	for (auto &[key, v] : views) {
		auto it = by_inum.find(v.inum);
		if (it != by_inum.end()) {
			v.names = it->second->names;
			v.pids = it->second->pids;
			v.init = it->second->init;
			v.container = it->second->container;
		} else {
			v.anonymous = true;
		}
		by_signo(v);
		m.netns.push_back(std::move(v));
	}
	// Dead netns: their own records only, keyed by (inum, cookie); never
	// named from discovery, whose inums are live netns'.
	const Postmortem &pm = snap->postmortem;
	for (const GoneRecord &g : pm.gone) {
		SignalNetnsView v;
		v.inum = g.inum;
		v.cookie = g.cookie;
		v.gone = GoneView::from(g);
		v.container = v.gone->container;
		for (const SigRecord &r : pm.signals)
			if (r.inum == g.inum && r.cookie == g.cookie)
				v.signals.push_back(row_of(r));
		by_signo(v);
		m.netns.push_back(std::move(v));
	}
	if (snap->stats)
		m.postmortem_lost = snap->stats->postmortem_lost;
	if (snap->node_signals) {
		m.node.emplace();
		for (const SigRecord &r : *snap->node_signals) {
			m.node->push_back(row_of(r));
			m.node->back().explanations.clear();	// they name a netns
		}
		std::sort(m.node->begin(), m.node->end(),
			  [](const SignalRow &a, const SignalRow &b) { return a.signo < b.signo; });
	}
	return m;
}

namespace {

// What a kernel link counter gained since nsprobe's base of it (@now -
// @base) beyond the @seen that nsprobe counted over the same span; 0 when
// nsprobe saw as much or more (a reset's base, a packet in flight).
uint64_t beyond_seen(uint64_t now, uint64_t base, uint64_t seen)
{
	uint64_t since = now > base ? now - base : 0;
	return since > seen ? since - seen : 0;
}

} // namespace

std::optional<uint64_t> drops_before_driver(const InterfaceView &iv,
					    const std::optional<Coverage> &cov)
{
	if (!iv.nsprobe || !iv.nsprobe->tx_dropped_base || (cov && cov->unknown("drops")))
		return std::nullopt;
	return beyond_seen(iv.link.stats.tx_dropped, *iv.nsprobe->tx_dropped_base,
			   iv.nsprobe->drops);
}

std::optional<uint64_t> rx_without_veth_xmit(const InterfaceView &iv,
					     const std::optional<Coverage> &cov)
{
	if (!iv.nsprobe || !iv.nsprobe->rx_packets_base || (cov && cov->unknown("rx_veth")))
		return std::nullopt;
	return beyond_seen(iv.link.stats.rx_packets, *iv.nsprobe->rx_packets_base,
			   iv.nsprobe->rx_veth);
}

std::optional<bool> rx_counts_redirect_peer(std::string_view release)
{
	unsigned major = 0, minor = 0;
	size_t i = 0;
	auto number = [&](unsigned &out) {
		size_t start = i;
		while (i < release.size() && release[i] >= '0' && release[i] <= '9' && i - start < 6)
			out = out * 10 + static_cast<unsigned>(release[i++] - '0');
		return i > start;
	};
	if (!number(major) || i >= release.size() || release[i++] != '.' || !number(minor))
		return std::nullopt;
	if (major > 6 || (major == 6 && minor >= 7))
		return true;
	return std::nullopt;	// a stable backport, or not: unknown
}

} // namespace nsprobe
