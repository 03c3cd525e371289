// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "libnsprobe/rates.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

namespace nsprobe {
namespace {

using NetnsKey = std::pair<uint64_t, std::optional<uint64_t>>;

std::optional<double> add(std::optional<double> a, std::optional<double> b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	return *a + *b;
}

// a + b, or nullopt unless both are known.
std::optional<double> both(std::optional<double> a, std::optional<double> b)
{
	return a && b ? std::optional<double>(*a + *b) : std::nullopt;
}

template <typename T>
bool by_traffic(const T &a, const T &b)
{
	double ab = a.bps.value_or(-1), bb = b.bps.value_or(-1);
	if (ab != bb)
		return ab > bb;
	double ap = a.pps.value_or(-1), bp = b.pps.value_or(-1);
	if (ap != bp)
		return ap > bp;
	return a.inum < b.inum;
}

} // namespace

Sample sample_of(const ShowModel &m, double t)
{
	Sample s;
	s.t = t;
	for (const NetnsView &v : m.netns) {
		NetnsSample n;
		n.inum = v.inum;
		n.cookie = v.cookie;
		n.label = netns_name(v.names, v.container, v.host);
		if (v.nsprobe) {
			n.sig_generated = v.nsprobe->sig_generated;
			n.sig_ignored = v.nsprobe->sig_ignored;
		}
		bool drops_known = !(m.coverage && m.coverage->unknown("drops"));
		bool backlog_known = !(m.coverage && m.coverage->unknown("drop_backlog"));
		for (const InterfaceView &iv : v.interfaces) {
			if (iv.link.name == "lo")
				continue;
			n.ifaces.push_back({iv.link.ifindex, iv.link.name, iv.link.stats, iv.nsprobe});
			if (iv.nsprobe && drops_known)
				n.nsp_drops = n.nsp_drops.value_or(0) + iv.nsprobe->drops;
			if (iv.nsprobe && drops_known && backlog_known)
				n.backlog_drops =
					n.backlog_drops.value_or(0) + iv.nsprobe->drop_backlog;
		}
		s.netns.push_back(std::move(n));
	}
	return s;
}

void add_latency(Sample &s, const LatencyFile &f)
{
	for (const HistRecord &r : f.hists) {
		if (r.per_device)
			continue;
		for (NetnsSample &n : s.netns)
			if (n.inum == r.inum && (!n.cookie || *n.cookie == r.cookie))
				n.latency[r.kind] = r.hist;
	}
}

std::optional<Hist> hist_delta(const Hist &prev, const Hist &cur)
{
	Hist d;
	if (cur.count < prev.count || cur.sum_ns < prev.sum_ns)
		return std::nullopt;
	d.count = cur.count - prev.count;
	d.sum_ns = cur.sum_ns - prev.sum_ns;
	for (size_t i = 0; i < d.buckets.size(); i++) {
		if (cur.buckets[i] < prev.buckets[i])
			return std::nullopt;
		d.buckets[i] = cur.buckets[i] - prev.buckets[i];
	}
	return d;
}

std::optional<double> counter_rate(uint64_t prev, uint64_t cur, double dt)
{
	if (!(dt > 0) || cur < prev)
		return std::nullopt;
	return static_cast<double>(cur - prev) / dt;
}

std::vector<NetnsRate> compute_rates(const Sample &prev, const Sample &cur)
{
	double dt = cur.t - prev.t;
	std::map<NetnsKey, const NetnsSample *> before;
	for (const NetnsSample &n : prev.netns)
		before[{n.inum, n.cookie}] = &n;

	std::vector<NetnsRate> out;
	for (const NetnsSample &n : cur.netns) {
		NetnsRate r;
		r.inum = n.inum;
		r.cookie = n.cookie;
		r.label = n.label;
		auto it = before.find({n.inum, n.cookie});
		r.fresh = it == before.end();
		const NetnsSample *p = r.fresh ? nullptr : it->second;
		if (p && p->sig_generated && n.sig_generated)
			r.sig_ps = counter_rate(*p->sig_generated, *n.sig_generated, dt);
		if (p && p->sig_ignored && n.sig_ignored)
			r.sig_ignored_ps = counter_rate(*p->sig_ignored, *n.sig_ignored, dt);
		if (p && p->nsp_drops && n.nsp_drops)
			r.nsp_drops_ps = counter_rate(*p->nsp_drops, *n.nsp_drops, dt);
		if (p && p->qdisc_drops && n.qdisc_drops)
			r.qdisc_drops_ps = counter_rate(*p->qdisc_drops, *n.qdisc_drops, dt);
		if (p && p->backlog_drops && n.backlog_drops)
			r.backlog_drops_ps = counter_rate(*p->backlog_drops, *n.backlog_drops, dt);
		if (p && p->stack_drops && n.stack_drops)
			r.stack_drops_ps = counter_rate(*p->stack_drops, *n.stack_drops, dt);
		if (p)
			for (auto [kind, p99] : {std::pair{"xmit", &r.xmit_p99_ns},
						 std::pair{"cross", &r.cross_p99_ns}}) {
				auto a = p->latency.find(kind), b = n.latency.find(kind);
				if (a == p->latency.end() || b == n.latency.end())
					continue;
				if (auto d = hist_delta(a->second, b->second))
					*p99 = hist_percentile(*d, 0.99);
			}
		std::map<int, const IfaceSample *> pif;
		if (p)
			for (const IfaceSample &i : p->ifaces)
				pif[i.ifindex] = &i;
		for (const IfaceSample &i : n.ifaces) {
			IfaceRate ir;
			ir.ifindex = i.ifindex;
			ir.name = i.name;
			auto pi = pif.find(i.ifindex);
			if (pi != pif.end()) {
				const IfaceSample &q = *pi->second;
				ir.rx_pps = counter_rate(q.kernel.rx_packets, i.kernel.rx_packets, dt);
				ir.tx_pps = counter_rate(q.kernel.tx_packets, i.kernel.tx_packets, dt);
				ir.rx_bps = counter_rate(q.kernel.rx_bytes, i.kernel.rx_bytes, dt);
				ir.tx_bps = counter_rate(q.kernel.tx_bytes, i.kernel.tx_bytes, dt);
				auto rd = counter_rate(q.kernel.rx_dropped, i.kernel.rx_dropped, dt);
				auto td = counter_rate(q.kernel.tx_dropped, i.kernel.tx_dropped, dt);
				ir.drops_ps = rd && td ? std::optional<double>(*rd + *td) : std::nullopt;
				if (q.nsprobe && i.nsprobe) {
					ir.nsp_tx_pps = counter_rate(q.nsprobe->tx_packets,
								     i.nsprobe->tx_packets, dt);
					ir.nsp_tx_bps = counter_rate(q.nsprobe->tx_bytes,
								     i.nsprobe->tx_bytes, dt);
					if (n.nsp_drops)	// known for this netns's devices
						ir.nsp_drops_ps = counter_rate(q.nsprobe->drops,
									       i.nsprobe->drops, dt);
				}
			}
			r.pps = add(r.pps, both(ir.rx_pps, ir.tx_pps));
			r.bps = add(r.bps, both(ir.rx_bps, ir.tx_bps));
			r.drops_ps = add(r.drops_ps, ir.drops_ps);
			r.ifaces.push_back(std::move(ir));
		}
		if (r.drops_ps && r.qdisc_drops_ps && r.stack_drops_ps)
			r.total_drops_ps = *r.qdisc_drops_ps + *r.drops_ps + *r.stack_drops_ps;
		std::sort(r.ifaces.begin(), r.ifaces.end(), [](const IfaceRate &a, const IfaceRate &b) {
			double ab = add(a.rx_bps, a.tx_bps).value_or(-1);
			double bb = add(b.rx_bps, b.tx_bps).value_or(-1);
			return ab != bb ? ab > bb : a.ifindex < b.ifindex;
		});
		out.push_back(std::move(r));
	}
	std::sort(out.begin(), out.end(), by_traffic<NetnsRate>);
	return out;
}

} // namespace nsprobe
