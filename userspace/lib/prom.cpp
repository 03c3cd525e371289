// SPDX-License-Identifier: GPL-2.0 OR MIT
// Prometheus metric families from the status/show/signals models (prom.h).
// Every metric is documented in docs/metrics.md; keep both in step.
#include "libnsprobe/prom.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <prometheus/text_serializer.h>

namespace nsprobe {

namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;
using Labels = std::vector<ClientMetric::Label>;

// The families in output order, each created on first use.
class Families {
public:
	MetricFamily &get(const std::string &name, const std::string &help, MetricType type)
	{
		auto it = index_.find(name);
		if (it != index_.end())
			return out_[it->second];
		index_[name] = out_.size();
		out_.push_back(MetricFamily{name, help, type, {}});
		return out_.back();
	}

	void gauge(const std::string &name, const std::string &help, const Labels &l, double v)
	{
		ClientMetric m;
		m.label = l;
		m.gauge.value = v;
		get(name, help, MetricType::Gauge).metric.push_back(std::move(m));
	}

	void counter(const std::string &name, const std::string &help, const Labels &l, double v)
	{
		ClientMetric m;
		m.label = l;
		m.counter.value = v;
		get(name, help, MetricType::Counter).metric.push_back(std::move(m));
	}

	void histogram(const std::string &name, const std::string &help, const Labels &l,
		       const Hist &h)
	{
		ClientMetric m;
		m.label = l;
		m.histogram.sample_count = h.count;
		m.histogram.sample_sum = static_cast<double>(h.sum_ns) / 1e9;
		uint64_t cum = 0;
		for (unsigned i = 0; i < NSP_HIST_BUCKETS; i++) {
			cum += h.buckets[i];
			auto hi = bucket_hi(i);
			double le = hi ? static_cast<double>(*hi) / 1e9
				       : std::numeric_limits<double>::infinity();
			m.histogram.bucket.push_back({cum, le});
		}
		get(name, help, MetricType::Histogram).metric.push_back(std::move(m));
	}

	std::vector<MetricFamily> take()
	{
		std::vector<MetricFamily> v;
		for (MetricFamily &f : out_)
			if (!f.metric.empty())
				v.push_back(std::move(f));
		return v;
	}

private:
	std::vector<MetricFamily> out_;
	std::map<std::string, std::size_t> index_;
};

Labels with(Labels l, std::initializer_list<ClientMetric::Label> more)
{
	for (const auto &x : more)
		l.push_back({x.name, valid_utf8(x.value)});
	return l;
}

double d(uint64_t v)
{
	return static_cast<double>(v);
}

Labels netns_labels(uint64_t inum, const std::vector<std::string> &names,
		    const std::optional<ContainerId> &c)
{
	return with({}, {{"netns", std::to_string(inum)},
			 {"netns_name", names.empty() ? std::string() : names.front()},
			 {"container_id", c ? c->id : std::string()},
			 {"container_runtime", c ? c->runtime : std::string()}});
}

void module_metrics(Families &f, const MetricsInput &in)
{
	f.gauge("nsprobe_module_loaded", "1 if the nsprobe kernel module is loaded, else 0", {},
		in.module_loaded ? 1 : 0);
	const CountersStatus &cs = in.status.counters;
	f.gauge("nsprobe_counters_available",
		"1 if the module's counters could be read from debugfs, else 0", {},
		cs.available ? 1 : 0);
	if (cs.available && cs.format)
		f.gauge("nsprobe_module_format_info",
			"the module's debugfs format version, as a label; always 1",
			with({}, {{"version", cs.format->str()}}), 1);

	static const char *const kStates[] = NSP_PROBE_STATE_NAMES;
	for (const ProbeRecord &p : in.status.probes) {
		bool known = false;
		for (const char *s : kStates) {
			known |= p.state_word == s;
			f.gauge("nsprobe_probe_state",
				"1 for the state each probe (hook) of the module is in, 0 for the others",
				with({}, {{"probe", p.name}, {"state", s}}), p.state_word == s ? 1 : 0);
		}
		if (!known)	// a state word newer than this tool
			f.gauge("nsprobe_probe_state",
				"1 for the state each probe (hook) of the module is in, 0 for the others",
				with({}, {{"probe", p.name}, {"state", p.state_word}}), 1);
	}
	for (const ProbeRecord &p : in.status.probes)
		f.counter("nsprobe_probe_hits_total", "handler invocations of each probe since load",
			  with({}, {{"probe", p.name}}), d(p.hits));
	for (const ProbeRecord &p : in.status.probes)
		f.counter("nsprobe_probe_missed_total",
			  "kprobe nmissed of each probe: hits the kernel skipped (re-entrancy), "
			  "summed over re-arms",
			  with({}, {{"probe", p.name}}), d(p.nmissed));

	if (const auto &s = in.status.stats) {
		f.gauge("nsprobe_module_netns", "live network namespaces the module knows", {},
			d(s->netns));
		f.gauge("nsprobe_module_devices", "veth devices the module tracks", {},
			d(s->devices));
		f.counter("nsprobe_veth_untracked_packets_total",
			  "packets at veth_xmit on devices the module does not track", {},
			  d(s->veth_untracked));
		f.counter("nsprobe_sig_unattributed_total",
			  "signals counted in no netns (format 1.3; before it, signal hook events)",
			  {}, d(s->sig_unattributed));
		f.counter("nsprobe_alloc_failed_total",
			  "counts and events lost for want of kernel memory, module-wide", {},
			  d(s->alloc_failed));
		if (s->sig_deferred)
			f.counter("nsprobe_sig_deferred_total",
				  "signals whose target netns was resolved after the send, then "
				  "counted there",
				  {}, d(*s->sig_deferred));
		if (s->oom_unattributed)
			f.counter("nsprobe_oom_unattributed_total",
				  "OOM kills whose SIGKILL was counted but not marked as an OOM kill",
				  {}, d(*s->oom_unattributed));
		if (s->postmortem)
			f.gauge("nsprobe_postmortem_records",
				"post-mortem records of dead netns the module holds (format 1.4)", {},
				d(*s->postmortem));
		if (s->postmortem_lost)
			f.counter("nsprobe_postmortem_lost_total",
				  "dead netns whose post-mortem record could not be allocated "
				  "(format 1.4)",
				  {}, d(*s->postmortem_lost));
	}
}

// Which netns get series: at most max_netns, the tool's own first, then by
// inum. Returns the inum -> labels map of the kept ones and how many were cut.
std::map<uint64_t, Labels> pick_netns(const MetricsInput &in, std::size_t &omitted)
{
	std::map<uint64_t, Labels> all;
	std::optional<uint64_t> own;
	for (const NetnsView &v : in.show.netns) {
		all.emplace(v.inum, netns_labels(v.inum, v.names, v.container));
		if (v.current)
			own = v.inum;
	}
	for (const SignalNetnsView &v : in.signals.netns)
		if (!v.gone)	// dead netns get no series (docs/metrics.md)
			all.emplace(v.inum, netns_labels(v.inum, v.names, v.container));
	std::map<uint64_t, Labels> kept;
	if (own && in.max_netns > 0)
		kept.emplace(*own, all[*own]);
	for (auto &[inum, l] : all)
		if (kept.size() < in.max_netns)
			kept.emplace(inum, l);
	omitted = all.size() - kept.size();
	return kept;
}

void interface_metrics(Families &f, const Labels &ns, const InterfaceView &iv)
{
	std::string peer;
	if (iv.peer && iv.peer->netns)
		peer = std::to_string(iv.peer->netns->inum);
	const Labels l = with(ns, {{"interface", iv.link.name}, {"peer_netns", peer}});
	const LinkStats &s = iv.link.stats;
	f.gauge("nsprobe_link_oper_up", "1 if the interface's operational state is up, else 0", l,
		iv.link.oper_state == "up" ? 1 : 0);
	f.counter("nsprobe_link_rx_packets_total", "the kernel's link stats: packets received", l,
		  d(s.rx_packets));
	f.counter("nsprobe_link_rx_bytes_total", "the kernel's link stats: bytes received", l,
		  d(s.rx_bytes));
	f.counter("nsprobe_link_rx_dropped_packets_total",
		  "the kernel's link stats: received packets dropped", l, d(s.rx_dropped));
	f.counter("nsprobe_link_tx_packets_total", "the kernel's link stats: packets sent", l,
		  d(s.tx_packets));
	f.counter("nsprobe_link_tx_bytes_total", "the kernel's link stats: bytes sent", l,
		  d(s.tx_bytes));
	f.counter("nsprobe_link_tx_dropped_packets_total",
		  "the kernel's link stats: packets dropped on transmit", l, d(s.tx_dropped));
}

// A counter coverage says is unknown (a helper not armed) has no series:
// absent, never a wrong number.
void veth_metrics(Families &f, const Labels &l, const DevCounters &c,
		  std::optional<uint64_t> before_driver, std::optional<uint64_t> rx_blind,
		  const std::optional<Coverage> &cov)
{
	auto known = [&cov](const std::string &field) { return !cov || !cov->unknown(field); };
	f.counter("nsprobe_veth_tx_packets_total", "packets at veth_xmit of the device", l,
		  d(c.tx_packets));
	f.counter("nsprobe_veth_tx_bytes_total", "bytes at veth_xmit of the device", l,
		  d(c.tx_bytes));
	const std::pair<const char *, uint64_t> drops[] = {
		{"peer", c.drop_peer},	   {"mtu", c.drop_mtu},	    {"ring", c.drop_ring},
		{"backlog", c.drop_backlog}, {"other", c.drop_other},
	};
	for (const auto &[reason, v] : drops)
		if (known(std::string("drop_") + reason))
			f.counter("nsprobe_veth_drops_total",
				  "packets veth_xmit dropped, by reason (the sum is the device's drops)",
				  with(l, {{"reason", reason}}), d(v));
	if (known("path_backlog"))
		f.counter("nsprobe_veth_path_packets_total",
			  "packets handed to the peer, by receive path (backlog or NAPI)",
			  with(l, {{"path", "backlog"}}), d(c.path_backlog));
	if (known("path_napi"))
		f.counter("nsprobe_veth_path_packets_total",
			  "packets handed to the peer, by receive path (backlog or NAPI)",
			  with(l, {{"path", "napi"}}), d(c.path_napi));
	f.counter("nsprobe_veth_requeued_packets_total",
		  "packets veth_xmit returned busy for the stack to requeue", l, d(c.requeued));
	if (before_driver)
		f.gauge("nsprobe_veth_drops_before_driver_packets",
			"the kernel's TX dropped that nsprobe did not see at veth_xmit (carrier "
			"off, qdisc, neighbour), over the span of nsprobe's counters",
			l, d(*before_driver));
	if (rx_blind)
		f.gauge("nsprobe_veth_rx_without_veth_xmit_packets",
			"packets that reached the device without its peer's veth_xmit "
			"(bpf_redirect_peer, XDP redirect, XDP_TX), over the span of nsprobe's "
			"counters",
			l, d(*rx_blind));
}

void netns_metrics(Families &f, const Labels &l, const NetnsView &v)
{
	f.gauge("nsprobe_netns_info",
		"1 for each network namespace exported; its labels name it", l, 1);
	if (const auto &r = v.nsprobe) {
		f.counter("nsprobe_netns_tx_packets_total",
			  "packets at veth_xmit, summed over the netns's veth devices (those "
			  "gone included)",
			  l, d(r->tx_packets));
		f.counter("nsprobe_netns_tx_bytes_total",
			  "bytes at veth_xmit, summed over the netns's veth devices (those gone "
			  "included)",
			  l, d(r->tx_bytes));
		f.gauge("nsprobe_netns_devices", "veth devices the module tracks in the netns", l,
			d(r->devices));
		f.counter("nsprobe_netns_alloc_failed_total",
			  "counts and events of the netns lost for want of kernel memory", l,
			  d(r->alloc_failed));
	}
	if (v.oom_kills)
		f.counter("nsprobe_netns_oom_kills_total",
			  "tasks of the netns killed by the OOM killer (format 1.3)", l,
			  d(*v.oom_kills));
}

// The signal families of one netns (labels `ns`), or with `node` those of
// the whole node (format 1.5: every netns, dead ones included; no netns
// label), named nsprobe_node_signals_*.
void signal_metrics(Families &f, const Labels &ns, const SignalRow &r, bool node = false)
{
	const Labels l = with(ns, {{"signal", r.name}});
	auto name = [node](const char *what) {
		return fmt::format("nsprobe_{}signals_{}_total", node ? "node_" : "", what);
	};
	auto help = [node](const char *what) {
		return node ? fmt::format("{}; every netns of the node, those dead since included "
					  "(format 1.5)", what)
			    : std::string(what);
	};
	f.counter(name("generated"),
		  help(node ? "signals sent to tasks" : "signals sent to tasks of the netns"), l,
		  d(r.generated));
	f.counter(name("forced"),
		  help("signals sent forced (from an ancestor pid namespace, or by the kernel)"), l,
		  d(r.forced));
	const std::pair<const char *, uint64_t> ignored[] = {
		{"init", r.ignored_init},	  {"sig_ign", r.ignored_sig_ign},
		{"default", r.ignored_default}, {"exiting", r.ignored_exiting},
		{"other", r.ignored_other},
	};
	for (const auto &[reason, v] : ignored)
		f.counter(name("ignored"),
			  help("signals dropped at the send, by reason (init: dropped by PID 1's "
			       "protection)"),
			  with(l, {{"reason", reason}}), d(v));
	const std::pair<const char *, uint64_t> sent[] = {
		{"coalesced", r.coalesced},	      {"queued", r.queued},
		{"queued_blocked", r.queued_blocked}, {"queue_overflow", r.queue_overflow},
		{"ignored_cont", r.ignored_cont},
	};
	for (const auto &[outcome, v] : sent)
		f.counter(name("sent"),
			  help("what became of the signals not ignored at the send (queued_blocked "
			       "is part of queued)"),
			  with(l, {{"outcome", outcome}}), d(v));
	const std::pair<const char *, uint64_t> delivered[] = {
		{"handler", r.delivered_handler}, {"term", r.delivered_term},
		{"core", r.delivered_core},	  {"stop", r.delivered_stop},
		{"ignored", r.delivered_ignored},
	};
	for (const auto &[outcome, v] : delivered)
		f.counter(name("delivered"), help("signals delivered, by what the task did with them"),
			  with(l, {{"outcome", outcome}}), d(v));
	for (const auto &[origin, v] : {std::pair{"process", r.origin_process},
					std::pair{"kernel", r.origin_kernel}})
		f.counter(name("origin"), help("signals by origin: a process, or the kernel"),
			  with(l, {{"origin", origin}}), d(v));
}

void latency_metrics(Families &f, const LatencyFile &lf, const std::map<uint64_t, Labels> &kept,
		     const std::optional<Coverage> &cov)
{
	for (const HistRecord &h : lf.hists) {
		auto it = kept.find(h.inum);
		if (it == kept.end())
			continue;
		// Crossings a helper not armed lost: no series (coverage.h).
		if (cov && h.kind == kCrossField && cov->unknown(kCrossField))
			continue;
		if (h.per_device)
			f.histogram("nsprobe_veth_latency_seconds",
				    "veth latency per device: kind xmit, the time in veth_xmit; kind "
				    "cross, from the peer's veth_xmit to this device's receive path",
				    with(it->second, {{"interface", h.name}, {"kind", h.kind}}), h.hist);
		else
			f.histogram("nsprobe_netns_veth_latency_seconds",
				    "veth latency of every device of the netns (see "
				    "nsprobe_veth_latency_seconds)",
				    with(it->second, {{"kind", h.kind}}), h.hist);
	}
	if (const auto &s = lf.stats) {
		const std::pair<const char *, uint64_t> cross[] = {
			{"matched", s->cross_matched}, {"evicted", s->cross_evicted},
			{"aged", s->cross_aged},	 {"busy", s->cross_busy},
		};
		for (const auto &[outcome, v] : cross)
			f.counter("nsprobe_latency_cross_total",
				  "crossing-latency matcher: skbs matched, or lost (evicted, aged, busy)",
				  with({}, {{"outcome", outcome}}), d(v));
	}
}

} // namespace

std::string valid_utf8(const std::string &s)
{
	std::string out;
	out.reserve(s.size());
	const auto *p = reinterpret_cast<const unsigned char *>(s.data());
	const std::size_t n = s.size();
	for (std::size_t i = 0; i < n;) {
		unsigned char c = p[i];
		std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3
					 : (c >> 3) == 0x1e ? 4 : 0;
		bool ok = len > 0 && i + len <= n;
		for (std::size_t k = 1; ok && k < len; k++)
			ok = (p[i + k] & 0xc0) == 0x80;
		if (ok && len > 1) {
			// No overlong forms, no surrogates, nothing above U+10FFFF.
			uint32_t cp = len == 2 ? c & 0x1f : len == 3 ? c & 0x0f : c & 0x07;
			for (std::size_t k = 1; k < len; k++)
				cp = (cp << 6) | (p[i + k] & 0x3f);
			static const uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
			ok = cp >= kMin[len] && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
		}
		if (ok) {
			out.append(s, i, len);
			i += len;
		} else {
			out += "\xef\xbf\xbd";
			i += 1;
		}
	}
	return out;
}

std::vector<MetricFamily> build_metrics(const MetricsInput &in)
{
	Families f;
	module_metrics(f, in);

	std::size_t omitted = 0;
	const std::map<uint64_t, Labels> kept = pick_netns(in, omitted);
	f.gauge("nsprobe_netns_omitted",
		"network namespaces left out of the per-netns series by --max-netns", {},
		d(omitted));

	// One view per inum (two netns with one inum, a reused inode number
	// seen with two cookies, would give duplicate series): the first.
	std::vector<std::pair<const NetnsView *, const Labels *>> views;
	std::set<uint64_t> seen;
	for (const NetnsView &v : in.show.netns)
		if (auto it = kept.find(v.inum); it != kept.end() && seen.insert(v.inum).second)
			views.emplace_back(&v, &it->second);

	for (const auto &[v, l] : views)
		netns_metrics(f, *l, *v);
	for (const auto &[v, l] : views)
		for (const InterfaceView &iv : v->interfaces)
			interface_metrics(f, *l, iv);
	for (const auto &[v, l] : views) {
		const Labels &ns = *l;
		for (const InterfaceView &iv : v->interfaces) {
			if (!iv.nsprobe)
				continue;
			std::string peer;
			if (iv.peer && iv.peer->netns)
				peer = std::to_string(iv.peer->netns->inum);
			veth_metrics(f, with(ns, {{"interface", iv.link.name}, {"peer_netns", peer}}),
				     *iv.nsprobe, drops_before_driver(iv, in.show.coverage),
				     rx_without_veth_xmit(iv, in.show.coverage), in.show.coverage);
		}
		for (const DevRecord &r : v->module_devices)
			veth_metrics(f, with(ns, {{"interface", r.name}, {"peer_netns", ""}}),
				     DevCounters::from(r), std::nullopt, std::nullopt,
				     in.show.coverage);
	}
	seen.clear();
	for (const SignalNetnsView &v : in.signals.netns) {
		// A dead netns (format 1.4) would be a burst of series that never
		// update again, on an inum a live netns may hold: none.
		if (v.gone)
			continue;
		auto it = kept.find(v.inum);
		if (it == kept.end() || !seen.insert(v.inum).second)
			continue;
		for (const SignalRow &r : v.signals)
			signal_metrics(f, it->second, r);
	}
	// What a netns counted stays here after it dies (no netns label, so no
	// cap either: at most one series set per signal number).
	if (in.signals.node) {
		uint64_t oom = 0;
		for (const SignalRow &r : *in.signals.node) {
			signal_metrics(f, {}, r, true);
			oom += r.oom_kill;
		}
		f.counter("nsprobe_node_oom_kills_total",
			  "tasks killed by the OOM killer in every netns of the node, those dead "
			  "since included (format 1.5)",
			  {}, d(oom));
	}
	if (in.latency)
		latency_metrics(f, *in.latency, kept, in.show.coverage);
	return f.take();
}

std::string render_prometheus_text(const std::vector<MetricFamily> &families)
{
	std::ostringstream os;
	prometheus::TextSerializer().Serialize(os, families);
	return os.str();
}

} // namespace nsprobe
