// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "libnsprobe/render.h"

#include <utility>

namespace nsprobe {

using nlohmann::json;

json container_json(const std::optional<ContainerId> &c)
{
	if (!c)
		return nullptr;
	return {{"runtime", c->runtime},
		{"id", c->id},
		{"cgroup_version", c->cgroup_version},
		{"cgroup", c->cgroup}};
}

json gone_json(const std::optional<GoneView> &g)
{
	if (!g)
		return nullptr;
	return {{"gone_ns", g->gone_ns},
		{"age_ns", g->age_ns},
		{"cgroup_id", g->cgroup_id ? json(*g->cgroup_id) : json(nullptr)},
		{"cgroup", g->cgroup ? json(*g->cgroup) : json(nullptr)},
		{"container", container_json(g->container)}};
}

json sig_event_json(const SigEventsModel &m, const SigEvent &e)
{
	json j = event_json(e);
	j["gone"] = gone_json(m.gone_of(e.inum, e.cookie));
	return j;
}

json to_json(const SigEventsModel &m)
{
	json j = {{"schema", kJsonSchema}};
	json rings = json::array(), list = json::array();
	for (const SigRing &r : m.rings) {
		json rj = ring_json(r);
		rj["gone"] = gone_json(m.gone_of(r.inum, r.cookie));
		rings.push_back(std::move(rj));
	}
	for (const SigEvent &e : m.events)
		list.push_back(sig_event_json(m, e));
	j["rings"] = std::move(rings);
	j["events"] = std::move(list);
	return j;
}

json to_json(const CountersStatus &c)
{
	json j = {{"available", c.available}, {"debugfs", c.where}};
	if (c.available) {
		j["format"] = c.format ? c.format->str() : "";
	} else {
		j["reason"] = c.reason;
		j["message"] = c.message;
	}
	return j;
}

namespace {

json counters_json(const CountersStatus &c)
{
	return to_json(c);
}

template <typename T>
json opt(const std::optional<T> &v)
{
	return v ? json(*v) : json(nullptr);
}

json pids_json(const std::vector<ProcRef> &pids)
{
	json a = json::array();
	for (const ProcRef &p : pids)
		a.push_back({{"pid", p.pid}, {"comm", p.comm}});
	return a;
}

json init_json(const std::optional<ProcRef> &p)
{
	return p ? json{{"pid", p->pid}, {"comm", p->comm}} : json(nullptr);
}

json netns_ref_json(const NetnsRef &r)
{
	return {{"inum", r.inum}, {"cookie", opt(r.cookie)}, {"names", r.names}};
}

// null for a counter coverage says is unknown, and for rx_veth from a module
// older than format 1.7 (no rx_packets_base: the key was not there).
json dev_counters_json(const DevCounters &c, const std::optional<Coverage> &cov)
{
	json j = json::object();
#define NSP_X(key, unit) j[#key] = cov && cov->unknown(#key) ? json(nullptr) : json(c.key);
	NSP_DEV_COUNTERS(NSP_X)
#undef NSP_X
	if (!c.rx_packets_base)
		j["rx_veth"] = nullptr;
	return j;
}

json interface_json(const InterfaceView &iv, const std::optional<Coverage> &cov)
{
	const LinkInfo &l = iv.link;
	json j = {
		{"name", l.name},
		{"ifindex", l.ifindex},
		{"kind", l.kind.empty() ? json(nullptr) : json(l.kind)},
		{"admin_up", l.admin_up},
		{"oper_state", l.oper_state},
		{"mtu", l.mtu},
	};
	if (!l.link_netnsid)
		j["link_netnsid"] = nullptr;
	else if (*l.link_netnsid < 0)
		j["link_netnsid"] = "unassigned";
	else
		j["link_netnsid"] = *l.link_netnsid;
	if (iv.peer) {
		const PeerView &p = *iv.peer;
		j["peer"] = {
			{"status", peer_status_name(p.status)},
			{"ifindex", p.ifindex},
			{"name", p.name.empty() ? json(nullptr) : json(p.name)},
			{"netns", p.netns ? netns_ref_json(*p.netns) : json(nullptr)},
		};
	} else {
		j["peer"] = nullptr;
	}
	j["kernel_stats"] = {
		{"rx_packets", l.stats.rx_packets}, {"rx_bytes", l.stats.rx_bytes},
		{"rx_dropped", l.stats.rx_dropped}, {"tx_packets", l.stats.tx_packets},
		{"tx_bytes", l.stats.tx_bytes},	    {"tx_dropped", l.stats.tx_dropped},
	};
	j["nsprobe"] = iv.nsprobe ? dev_counters_json(*iv.nsprobe, cov) : json(nullptr);
	std::optional<uint64_t> pre = drops_before_driver(iv, cov);
	j["drops_before_driver"] = pre ? json(*pre) : json(nullptr);
	j["rx_without_veth_xmit"] = opt(rx_without_veth_xmit(iv, cov));
	j["qdisc_drops"] = opt(iv.qdisc_drops);
	return j;
}

} // namespace

json to_json(const StatusModel &m)
{
	json j = {{"schema", kJsonSchema}, {"counters", counters_json(m.counters)}};
	j["module_loaded"] = opt(m.module_loaded);
	j["tool_format"] = tool_format_version().str();
	json probes = json::array();
	for (const ProbeRecord &p : m.probes)
		probes.push_back({{"name", p.name},   {"symbol", p.symbol},   {"kind", p.kind_word},
				  {"state", p.state_word}, {"hits", p.hits}, {"nmissed", p.nmissed},
				  {"err", p.err},
				  {"reason", p.reason.empty() ? json(nullptr) : json(p.reason)}});
	j["probes"] = probes;
	// What the probes' states mean for the counters, as show and latency
	// give it, for every counter kind at once (coverage.h).
	j["coverage"] = m.counters.available
				? coverage_json(coverage_of(m.probes), CoverageScope::all)
				: json(nullptr);
	if (m.stats)
		j["stats"] = {{"netns", m.stats->netns},
			      {"devices", m.stats->devices},
			      {"veth_untracked", m.stats->veth_untracked},
			      {"sig_unattributed", m.stats->sig_unattributed},
			      {"alloc_failed", m.stats->alloc_failed},
			      {"sig_deferred", opt(m.stats->sig_deferred)},
			      {"oom_unattributed", opt(m.stats->oom_unattributed)},
			      {"postmortem", opt(m.stats->postmortem)},
			      {"postmortem_lost", opt(m.stats->postmortem_lost)}};
	else
		j["stats"] = nullptr;
	return j;
}

namespace {

// A netns record's totals, as show's "nsprobe" object.
json netns_record_json(const NetnsRecord &n)
{
	return {{"devices", n.devices},		{"tx_packets", n.tx_packets},
		{"tx_bytes", n.tx_bytes},	{"sig_generated", n.sig_generated},
		{"sig_ignored", n.sig_ignored}, {"sig_rows", n.sig_rows},
		{"ev_chunks", n.ev_chunks},	{"alloc_failed", n.alloc_failed}};
}

} // namespace

json to_json(const ShowModel &m)
{
	json j = {{"schema", kJsonSchema}, {"counters", counters_json(m.counters)}};
	json list = json::array();
	for (const NetnsView &v : m.netns) {
		json n = {
			{"inum", v.inum},
			{"cookie", opt(v.cookie)},
			{"current", v.current},
			{"host", v.host},
			{"anonymous", v.anonymous},
			{"names", v.names},
			{"bind_paths", v.bind_paths},
			{"pids", pids_json(v.pids)},
			{"init", init_json(v.init)},
			{"container", container_json(v.container)},
		};
		n["nsprobe"] = v.nsprobe ? netns_record_json(*v.nsprobe) : json(nullptr);
		n["oom_kills"] = opt(v.oom_kills);
		n["links_error"] = opt(v.links_error);
		n["qdisc_error"] = opt(v.qdisc_error);
		json ifs = json::array();
		for (const InterfaceView &iv : v.interfaces)
			ifs.push_back(interface_json(iv, m.coverage));
		n["interfaces"] = ifs;
		json mdevs = json::array();
		for (const DevRecord &d : v.module_devices)
			mdevs.push_back({{"ifindex", d.ifindex},
					 {"name", d.name},
					 {"nsprobe", dev_counters_json(DevCounters::from(d), m.coverage)}});
		n["module_devices"] = mdevs;
		list.push_back(std::move(n));
	}
	j["netns"] = list;
	json gone = json::array();
	for (const GoneNetnsView &g : m.gone)
		gone.push_back({{"inum", g.inum},
				{"cookie", g.cookie},
				{"gone", gone_json(g.gone)},
				{"nsprobe", g.nsprobe ? netns_record_json(*g.nsprobe) : json(nullptr)},
				{"oom_kills", opt(g.oom_kills)}});
	j["gone_netns"] = gone;
	json skipped = json::array();
	for (const SkippedNetns &s : m.skipped)
		skipped.push_back({{"inum", s.inum}, {"reason", s.reason}});
	j["skipped"] = skipped;
	// nsprobe's counters restart at a reset, the kernel's link stats never.
	j["since"] = {{"nsprobe", "module_load_or_reset"}, {"kernel_stats", "device_created"}};
	j["rx_counts_redirect_peer"] = opt(m.rx_counts_redirect_peer);
	j["coverage"] = m.coverage ? coverage_json(*m.coverage, CoverageScope::counters)
				   : json(nullptr);
	return j;
}

json to_json(const SignalsModel &m)
{
	json j = {{"schema", kJsonSchema}, {"counters", counters_json(m.counters)}};
	auto rows = [&](const std::vector<SignalRow> &in) {
		json sigs = json::array();
		for (const SignalRow &r : in) {
			json s = {{"signo", r.signo}, {"name", r.name}};
#define NSP_X(key, unit) s[#key] = r.key;
			NSP_SIG_COUNTERS(NSP_X)
#undef NSP_X
			if (!m.oom_counted)
				s["oom_kill"] = nullptr;	// unknown before format 1.3, not 0
			s["init_protected"] = r.init_protected;
			s["explanations"] = r.explanations;
			sigs.push_back(std::move(s));
		}
		return sigs;
	};
	json list = json::array();
	for (const SignalNetnsView &v : m.netns) {
		json sigs = rows(v.signals);
		list.push_back({{"inum", v.inum},
				{"cookie", v.cookie},
				{"anonymous", v.anonymous},
				{"names", v.names},
				{"pids", pids_json(v.pids)},
				{"init", init_json(v.init)},
				{"container", container_json(v.container)},
				{"gone", gone_json(v.gone)},
				{"signals", sigs}});
	}
	j["netns"] = list;
	j["unattributed"] = opt(m.unattributed);
	j["postmortem_lost"] = opt(m.postmortem_lost);
	j["node_signals"] = m.node ? rows(*m.node) : json(nullptr);
	return j;
}

json to_json(const WatchFrame &f)
{
	json list = json::array();
	for (const NetnsRate &n : f.netns) {
		json ifs = json::array();
		for (const IfaceRate &i : n.ifaces)
			ifs.push_back({{"ifindex", i.ifindex},
				       {"name", i.name},
				       {"rx_pps", opt(i.rx_pps)},
				       {"tx_pps", opt(i.tx_pps)},
				       {"rx_bps", opt(i.rx_bps)},
				       {"tx_bps", opt(i.tx_bps)},
				       {"drops_ps", opt(i.drops_ps)},
				       {"nsp_tx_pps", opt(i.nsp_tx_pps)},
				       {"nsp_tx_bps", opt(i.nsp_tx_bps)},
				       {"nsp_drops_ps", opt(i.nsp_drops_ps)}});
		list.push_back({{"inum", n.inum},
				{"cookie", opt(n.cookie)},
				{"label", opt(n.label)},
				{"fresh", n.fresh},
				{"pps", opt(n.pps)},
				{"bps", opt(n.bps)},
				{"drops_ps", opt(n.drops_ps)},
				{"sig_ps", opt(n.sig_ps)},
				{"sig_ignored_ps", opt(n.sig_ignored_ps)},
				{"nsp_drops_ps", opt(n.nsp_drops_ps)},
				{"qdisc_drops_ps", opt(n.qdisc_drops_ps)},
				{"backlog_drops_ps", opt(n.backlog_drops_ps)},
				{"stack_drops_ps", opt(n.stack_drops_ps)},
				{"total_drops_ps", opt(n.total_drops_ps)},
				{"xmit_p99_ns", opt(n.xmit_p99_ns)},
				{"cross_p99_ns", opt(n.cross_p99_ns)},
				{"interfaces", std::move(ifs)}});
	}
	return {{"schema", kJsonSchema},
		{"frame", f.frame},
		{"interval", f.interval},
		{"sample_span", f.sample_span},
		{"latency", opt(f.latency_on)},
		{"counters_note", f.counters_note.empty() ? json(nullptr) : json(f.counters_note)},
		{"netns", std::move(list)}};
}

} // namespace nsprobe
