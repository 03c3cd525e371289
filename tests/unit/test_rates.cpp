// nsprobe watch: rates from two samples, keyed by (inum, cookie, ifindex).
#include <gtest/gtest.h>

#include "golden.h"
#include "libnsprobe/rates.h"
#include "libnsprobe/render.h"

using namespace nsprobe;
using nsprobe::test::expect_golden;

namespace {

IfaceSample iface(int ifindex, const std::string &name, uint64_t rx_p, uint64_t rx_b,
		  uint64_t tx_p = 0, uint64_t tx_b = 0, uint64_t drops = 0)
{
	IfaceSample i;
	i.ifindex = ifindex;
	i.name = name;
	i.kernel.rx_packets = rx_p;
	i.kernel.rx_bytes = rx_b;
	i.kernel.tx_packets = tx_p;
	i.kernel.tx_bytes = tx_b;
	i.kernel.tx_dropped = drops;
	return i;
}

NetnsSample netns(uint64_t inum, uint64_t cookie, std::vector<IfaceSample> ifaces,
		  std::optional<uint64_t> sigs = std::nullopt)
{
	NetnsSample n;
	n.inum = inum;
	n.cookie = cookie;
	n.label = "ns" + std::to_string(inum);
	n.ifaces = std::move(ifaces);
	n.sig_generated = sigs;
	n.sig_ignored = sigs ? std::optional<uint64_t>(0) : std::nullopt;
	return n;
}

const NetnsRate &find(const std::vector<NetnsRate> &v, uint64_t inum)
{
	for (const NetnsRate &r : v)
		if (r.inum == inum)
			return r;
	throw std::runtime_error("no netns " + std::to_string(inum));
}

// On a temporary (find(compute_rates(...), inum)) return a copy: a
// reference into the dead vector is a use-after-free (ASan caught one).
NetnsRate find(std::vector<NetnsRate> &&v, uint64_t inum)
{
	return find(static_cast<const std::vector<NetnsRate> &>(v), inum);
}

} // namespace

TEST(Rates, CounterRate)
{
	EXPECT_EQ(counter_rate(100, 300, 2.0), 100.0);
	EXPECT_EQ(counter_rate(5, 5, 1.0), 0.0);
	EXPECT_FALSE(counter_rate(300, 100, 2.0));	// went backwards: reset
	EXPECT_FALSE(counter_rate(0, 10, 0.0));		// no time passed
	EXPECT_FALSE(counter_rate(0, 10, -1.0));
}

TEST(Rates, PerInterfaceAndPerNetnsExact)
{
	Sample a{10.0, {netns(4026532201, 7, {iface(2, "eth0", 100, 10000, 50, 5000, 1)}, 3)}};
	Sample b{10.5, {netns(4026532201, 7, {iface(2, "eth0", 200, 60000, 150, 25000, 3)}, 8)}};
	auto r = compute_rates(a, b);
	ASSERT_EQ(r.size(), 1u);
	EXPECT_FALSE(r[0].fresh);
	ASSERT_EQ(r[0].ifaces.size(), 1u);
	const IfaceRate &i = r[0].ifaces[0];
	EXPECT_EQ(i.rx_pps, 200.0);
	EXPECT_EQ(i.rx_bps, 100000.0);
	EXPECT_EQ(i.tx_pps, 200.0);
	EXPECT_EQ(i.tx_bps, 40000.0);
	EXPECT_EQ(i.drops_ps, 4.0);
	EXPECT_EQ(r[0].pps, 400.0);
	EXPECT_EQ(r[0].bps, 140000.0);
	EXPECT_EQ(r[0].drops_ps, 4.0);
	EXPECT_EQ(r[0].sig_ps, 10.0);
	EXPECT_EQ(r[0].sig_ignored_ps, 0.0);
	EXPECT_FALSE(i.nsp_tx_pps);	// no module counters
}

TEST(Rates, RecycledInodeWithNewCookieHasNoRate)
{
	// netns 4026532300 died with large counters; a new netns got the same
	// inum (new cookie), its veth the same ifindex, and small counters.
	Sample a{0.0, {netns(4026532300, 41, {iface(2, "eth0", 1000000, 900000000)}, 500)}};
	Sample b{1.0, {netns(4026532300, 42, {iface(2, "eth0", 3, 300)}, 1)}};
	auto r = compute_rates(a, b);
	ASSERT_EQ(r.size(), 1u);
	EXPECT_TRUE(r[0].fresh);
	EXPECT_FALSE(r[0].pps);
	EXPECT_FALSE(r[0].bps);
	EXPECT_FALSE(r[0].sig_ps);
	ASSERT_EQ(r[0].ifaces.size(), 1u);
	EXPECT_FALSE(r[0].ifaces[0].rx_pps);
	EXPECT_FALSE(r[0].ifaces[0].rx_bps);
	// One interval later it has rates like any other.
	Sample c{2.0, {netns(4026532300, 42, {iface(2, "eth0", 13, 1300)}, 1)}};
	auto r2 = compute_rates(b, c);
	EXPECT_FALSE(r2[0].fresh);
	EXPECT_EQ(r2[0].ifaces[0].rx_pps, 10.0);
	EXPECT_EQ(r2[0].sig_ps, 0.0);
}

TEST(Rates, CounterResetHasNoAbsurdRate)
{
	// nsprobe reset (module counters) and a device re-created with the same
	// ifindex (kernel counters) both make a counter go backwards.
	NetnsSample p = netns(4026532201, 7, {iface(3, "veth0", 5000, 500000)}, 100);
	p.ifaces[0].nsprobe = DevCounters{};
	p.ifaces[0].nsprobe->tx_packets = 5000;
	p.ifaces[0].nsprobe->tx_bytes = 500000;
	NetnsSample q = netns(4026532201, 7, {iface(3, "veth0", 10, 1000)}, 2);
	q.ifaces[0].nsprobe = DevCounters{};
	q.ifaces[0].nsprobe->tx_packets = 10;
	q.ifaces[0].nsprobe->tx_bytes = 1000;
	auto r = compute_rates({0.0, {p}}, {1.0, {q}});
	ASSERT_EQ(r.size(), 1u);
	const IfaceRate &i = r[0].ifaces[0];
	EXPECT_FALSE(i.rx_pps);
	EXPECT_FALSE(i.rx_bps);
	EXPECT_FALSE(i.nsp_tx_pps);
	EXPECT_FALSE(i.nsp_tx_bps);
	EXPECT_FALSE(r[0].sig_ps);
	EXPECT_FALSE(r[0].pps);	// no interface had a rate
}

TEST(Rates, SortedByTrafficGoneNetnsDropped)
{
	Sample a{0.0, {netns(1, 1, {iface(2, "a", 0, 0)}), netns(2, 2, {iface(2, "b", 0, 0)}),
		       netns(3, 3, {iface(2, "c", 0, 0)}), netns(4, 4, {})}};
	Sample b{1.0, {netns(1, 1, {iface(2, "a", 1, 100)}), netns(2, 2, {iface(2, "b", 1, 5000)}),
		       netns(3, 3, {iface(2, "c", 0, 0)}), netns(5, 5, {iface(2, "new", 9, 9)})}};
	auto r = compute_rates(a, b);
	ASSERT_EQ(r.size(), 4u);
	EXPECT_EQ(r[0].inum, 2u);
	EXPECT_EQ(r[1].inum, 1u);
	EXPECT_EQ(r[2].inum, 3u);
	EXPECT_EQ(r[3].inum, 5u);	// fresh: no rate sorts last
	EXPECT_TRUE(find(r, 5).fresh);
}

TEST(Rates, NetnsNamedByNameContainerOrHostNeverByAComm)
{
	ShowModel m;
	auto view = [](uint64_t inum, std::optional<uint64_t> cookie) {
		NetnsView v;
		v.inum = inum;
		v.cookie = cookie;
		v.host = is_host_netns(inum, cookie);
		v.init = ProcRef{1, "bash"};	// never a label
		return v;
	};
	m.netns.push_back(view(4026531840, 1));	// host: cookie 1 (6.1, 6.12)
	m.netns.push_back(view(kInitNetInum, 3));	// host: static inum (6.18)
	m.netns.push_back(view(4026532201, 7));	// named
	m.netns.back().names = {"blue", "azure"};
	m.netns.push_back(view(4026532202, 8));	// a container
	m.netns.back().container = ContainerId{"docker", std::string(64, 'a'), 2, "/x"};
	m.netns.push_back(view(4026532203, 9));	// unknown
	m.netns.push_back(view(4026532204, std::nullopt));	// unknown, cookie too
	Sample s = sample_of(m, 1.0);
	ASSERT_EQ(s.netns.size(), 6u);
	EXPECT_EQ(s.netns[0].label, "host");
	EXPECT_EQ(s.netns[1].label, "host");
	EXPECT_EQ(s.netns[2].label, "blue");
	EXPECT_EQ(s.netns[3].label, "docker:aaaaaaaaaaaa");
	EXPECT_EQ(s.netns[4].label, std::nullopt);
	EXPECT_EQ(s.netns[5].label, std::nullopt);
}

// The module's drops and backlog drops of a netns: its tracked devices
// summed, loopback left out; unknown when coverage says so, never 0.
TEST(Rates, SampleSumsVethDropsAndBacklogDropsUnlessUnknown)
{
	ShowModel m;
	NetnsView v;
	v.inum = 4026532201;
	v.cookie = 7;
	auto dev = [](int ifindex, const char *name, uint64_t drops, uint64_t backlog) {
		InterfaceView iv;
		iv.link.ifindex = ifindex;
		iv.link.name = name;
		iv.nsprobe = DevCounters{};
		iv.nsprobe->drops = drops;
		iv.nsprobe->drop_backlog = backlog;
		return iv;
	};
	v.interfaces = {dev(1, "lo", 1000, 1000), dev(2, "va", 5, 3), dev(3, "vc", 7, 2)};
	m.netns.push_back(v);
	NetnsSample n = sample_of(m, 1.0).netns.at(0);
	EXPECT_EQ(n.nsp_drops, std::optional<uint64_t>(12));
	EXPECT_EQ(n.backlog_drops, std::optional<uint64_t>(5));
	// veth_backlog not armed: drop_backlog unknown, drops still exact.
	m.coverage = Coverage{};
	m.coverage->gaps.push_back(HookGap{"veth_backlog", "enqueue_to_backlog", "disabled",
					   "module_parameter", 0,
					   {"drop_ring", "drop_backlog", "path_backlog", "path_napi"}});
	n = sample_of(m, 1.0).netns.at(0);
	EXPECT_EQ(n.nsp_drops, std::optional<uint64_t>(12));
	EXPECT_EQ(n.backlog_drops, std::nullopt);
	// Counters-only mode: drops unknown, and so its backlog part.
	m.coverage->gaps.back().fields = {"drops", "drop_backlog"};
	n = sample_of(m, 1.0).netns.at(0);
	EXPECT_EQ(n.nsp_drops, std::nullopt);
	EXPECT_EQ(n.backlog_drops, std::nullopt);
}

TEST(Rates, LatencyP99OfTheIntervalAndVethDropsPerSecond)
{
	// Bucket 12 is [2048, 4096) ns, bucket 13 [4096, 8192).
	auto hist = [](uint64_t b12, uint64_t b13) {
		Hist h;
		h.buckets[12] = b12;
		h.buckets[13] = b13;
		h.count = b12 + b13;
		h.sum_ns = b12 * 3000 + b13 * 6000;
		return h;
	};
	NetnsSample a = netns(4026532201, 7, {iface(2, "eth0", 0, 0)});
	a.latency["xmit"] = hist(100, 0);
	a.nsp_drops = 10;
	a.ifaces[0].nsprobe = DevCounters{};
	a.ifaces[0].nsprobe->drops = 10;
	NetnsSample b = a;
	b.latency["xmit"] = hist(150, 50);
	b.nsp_drops = 30;
	b.ifaces[0].nsprobe->drops = 30;
	auto r = compute_rates(Sample{10.0, {a}}, Sample{12.0, {b}});
	const NetnsRate &n = find(r, 4026532201);
	// The interval's 100 samples: 50 in each bucket; p99 is rank 99, the
	// 49th of bucket 13: 4096 + 49/50 * 4096. (The cumulative histogram's
	// p99 would be 8028.16.)
	ASSERT_TRUE(n.xmit_p99_ns);
	EXPECT_DOUBLE_EQ(*n.xmit_p99_ns, 8110.08);
	EXPECT_EQ(n.cross_p99_ns, std::nullopt);	// no cross histogram
	EXPECT_EQ(n.nsp_drops_ps, 10.0);
	ASSERT_EQ(n.ifaces.size(), 1u);
	EXPECT_EQ(n.ifaces[0].nsp_drops_ps, 10.0);

	// Nothing measured in the interval, or a reset in it: unknown, not 0.
	NetnsSample c = b;
	EXPECT_EQ(find(compute_rates(Sample{12.0, {b}}, Sample{13.0, {c}}), 4026532201).xmit_p99_ns,
		  std::nullopt);
	c.latency["xmit"] = hist(1, 0);
	c.nsp_drops = 0;
	const NetnsRate after_reset = find(compute_rates(Sample{12.0, {b}}, Sample{13.0, {c}}),
					    4026532201);
	EXPECT_EQ(after_reset.xmit_p99_ns, std::nullopt);
	EXPECT_EQ(after_reset.nsp_drops_ps, std::nullopt);
	// Without latency=1 there is no histogram at all.
	NetnsSample off = netns(4026532201, 7, {iface(2, "eth0", 0, 0)});
	EXPECT_EQ(find(compute_rates(Sample{1.0, {off}}, Sample{2.0, {off}}), 4026532201).xmit_p99_ns,
		  std::nullopt);
}

TEST(Rates, AddLatencyMatchesInumAndCookie)
{
	LatencyFile f;
	HistRecord netns_rec;
	netns_rec.inum = 4026532201;
	netns_rec.cookie = 7;
	netns_rec.kind = "cross";
	netns_rec.hist.buckets[3] = 5;
	netns_rec.hist.count = 5;
	HistRecord other = netns_rec;	// same inum, another cookie: not it
	other.cookie = 8;
	other.kind = "xmit";
	HistRecord dev = netns_rec;	// a device's: not the netns's
	dev.per_device = true;
	dev.kind = "xmit";
	f.hists = {netns_rec, other, dev};
	Sample s{1.0, {netns(4026532201, 7, {})}};
	add_latency(s, f);
	ASSERT_EQ(s.netns[0].latency.size(), 1u);
	EXPECT_EQ(s.netns[0].latency.at("cross").buckets[3], 5u);
}

TEST(Rates, DropsByStageAndTheTotalOfStages)
{
	// In 4 s: link drops 0 -> 8, of which the backlog refused 4 -> 8; root
	// qdisc drops 10 -> 30; the stack's receive drops 100 -> 180.
	NetnsSample a = netns(4026532201, 7, {iface(2, "eth0", 0, 0, 0, 0, 0)});
	a.qdisc_drops = 10;
	a.backlog_drops = 4;
	a.stack_drops = 100;
	NetnsSample b = netns(4026532201, 7, {iface(2, "eth0", 0, 0, 0, 0, 8)});
	b.qdisc_drops = 30;
	b.backlog_drops = 8;
	b.stack_drops = 180;
	const NetnsRate n = find(compute_rates(Sample{0.0, {a}}, Sample{4.0, {b}}), 4026532201);
	EXPECT_EQ(n.drops_ps, 2.0);
	EXPECT_EQ(n.backlog_drops_ps, 1.0);	// part of drops_ps, not added again
	EXPECT_EQ(n.qdisc_drops_ps, 5.0);
	EXPECT_EQ(n.stack_drops_ps, 20.0);
	EXPECT_EQ(n.total_drops_ps, 27.0);
	// Qdiscs not read (watch without --wide): no total either.
	NetnsSample c = b;
	c.qdisc_drops.reset();
	const NetnsRate q = find(compute_rates(Sample{0.0, {a}}, Sample{4.0, {c}}), 4026532201);
	EXPECT_EQ(q.qdisc_drops_ps, std::nullopt);
	EXPECT_EQ(q.total_drops_ps, std::nullopt);
	// The stack unreadable (a netns we may not enter): no total.
	b.stack_drops.reset();
	const NetnsRate m = find(compute_rates(Sample{0.0, {a}}, Sample{4.0, {b}}), 4026532201);
	EXPECT_EQ(m.stack_drops_ps, std::nullopt);
	EXPECT_EQ(m.total_drops_ps, std::nullopt);
	EXPECT_EQ(m.backlog_drops_ps, 1.0);
	// A counter that went backwards (a reset): no rate for the interval.
	b.backlog_drops = 2;
	const NetnsRate r = find(compute_rates(Sample{0.0, {a}}, Sample{4.0, {b}}), 4026532201);
	EXPECT_EQ(r.backlog_drops_ps, std::nullopt);
}

// The watch frame as the library renders it (render.h), text and JSON: one
// netns at 200 rx + 200 tx packets/s, 4 drops/s, 10 signals/s; the second
// netns is new in this frame (no rates: "-" and null, never 0).
TEST(Rates, WatchFrameTextAndJson)
{
	Sample a{10.0, {netns(4026532201, 7, {iface(2, "eth0", 100, 10000, 50, 5000, 1)}, 3)}};
	Sample b{10.5,
		 {netns(4026532201, 7, {iface(2, "eth0", 200, 60000, 150, 25000, 3)}, 8),
		  netns(4026532300, 9, {iface(3, "eth0", 5, 500)})}};
	WatchFrame f{4, 0.5, 0.01, std::nullopt, "", compute_rates(a, b)};
	nlohmann::json j = to_json(f);
	EXPECT_EQ(j["schema"], "nsprobe/1");
	EXPECT_EQ(j["frame"], 4);
	EXPECT_EQ(j["latency"], nullptr);
	EXPECT_EQ(j["counters_note"], nullptr);
	ASSERT_EQ(j["netns"].size(), 2u);
	EXPECT_EQ(j["netns"][0]["inum"], 4026532201u);
	EXPECT_EQ(j["netns"][0]["pps"], 400.0);
	EXPECT_EQ(j["netns"][0]["sig_ps"], 10.0);
	EXPECT_EQ(j["netns"][0]["interfaces"][0]["drops_ps"], 4.0);
	EXPECT_EQ(j["netns"][1]["fresh"], true);
	EXPECT_EQ(j["netns"][1]["pps"], nullptr);
	expect_golden("watch_frame.json", j.dump(2) + "\n");
	std::string text = render_watch_text(f.netns, {.wide = true});
	EXPECT_NE(text.find("4026532201  ns4026532201  *"), std::string::npos) << text;
	expect_golden("watch_frame_wide.txt", text);
}
