// SPDX-License-Identifier: GPL-2.0 OR MIT
// The latency file parser, percentiles from log2 buckets, and rendering.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "libnsprobe/format_parser.h"
#include "libnsprobe/latency.h"

using namespace nsprobe;

namespace {

Hist hist_of(std::initializer_list<std::pair<unsigned, uint64_t>> b)
{
	Hist h;
	for (auto [i, n] : b) {
		h.buckets[i] = n;
		h.count += n;
	}
	return h;
}

const char *kFile =
	"latency table=4096 max_age_ns=1000000000 cross_matched=12 cross_evicted=1 cross_aged=2 cross_busy=0\n"
	"dev_hist inum=4026532177 cookie=2 ifindex=2 name=va kind=xmit count=12 sum_ns=10788314 "
	"b11=1 b12=1 b13=1 b14=1 b15=6 b23=2\n"
	"dev_hist inum=4026532177 cookie=2 ifindex=2 name=v\\040a kind=cross count=0 sum_ns=0\n"
	"netns_hist inum=4026532177 cookie=2 kind=xmit count=12 sum_ns=10788314 "
	"b11=1 b12=1 b13=1 b14=1 b15=6 b23=2 future_key=7\n"
	"some_future_record x=1\n";

} // namespace

TEST(LatencyBuckets, Bounds)
{
	EXPECT_EQ(bucket_lo(0), 0u);
	EXPECT_EQ(bucket_hi(0), 1u);
	EXPECT_EQ(bucket_lo(1), 1u);
	EXPECT_EQ(bucket_hi(1), 2u);
	EXPECT_EQ(bucket_lo(11), 1024u);
	EXPECT_EQ(bucket_hi(11), 2048u);
	EXPECT_EQ(bucket_lo(NSP_HIST_BUCKETS - 1), uint64_t{1} << 30);
	EXPECT_FALSE(bucket_hi(NSP_HIST_BUCKETS - 1));
}

TEST(LatencyPercentile, Exact)
{
	// 100 samples: 50 in [1024, 2048), 40 in [2048, 4096), 10 in [4096, 8192).
	Hist h = hist_of({{11, 50}, {12, 40}, {13, 10}});
	// p50: rank 50, the last of bucket 11 -> its upper bound.
	EXPECT_DOUBLE_EQ(*hist_percentile(h, 0.50), 2048.0);
	// p90: rank 90, the 40th of 40 in bucket 12 -> 4096.
	EXPECT_DOUBLE_EQ(*hist_percentile(h, 0.90), 4096.0);
	// p99: rank 99, the 9th of 10 in [4096, 8192) -> 4096 + 0.9 * 4096.
	EXPECT_DOUBLE_EQ(*hist_percentile(h, 0.99), 4096.0 + 0.9 * 4096.0);
	// p25: rank 25 of 50 in [1024, 2048) -> 1024 + 0.5 * 1024.
	EXPECT_DOUBLE_EQ(*hist_percentile(h, 0.25), 1536.0);
	// p1: rank 1 -> 1024 + 1024 / 50.
	EXPECT_DOUBLE_EQ(*hist_percentile(h, 0.01), 1024.0 + 1024.0 / 50.0);
}

TEST(LatencyPercentile, EdgesAndEmpty)
{
	EXPECT_FALSE(hist_percentile(Hist{}, 0.5));
	Hist zero = hist_of({{0, 4}});
	EXPECT_DOUBLE_EQ(*hist_percentile(zero, 0.5), 0.5);	// rank 2 of 4 in [0, 1)
	Hist open = hist_of({{NSP_HIST_BUCKETS - 1, 3}});
	EXPECT_DOUBLE_EQ(*hist_percentile(open, 0.99), static_cast<double>(uint64_t{1} << 30));
	EXPECT_FALSE(hist_percentile(open, 0.0));
	EXPECT_FALSE(hist_percentile(open, 1.5));
	Hist one = hist_of({{5, 1}});
	EXPECT_DOUBLE_EQ(*hist_percentile(one, 0.5), 32.0);	// the one sample: top of [16, 32)
}

TEST(LatencyParser, Good)
{
	auto f = parse_latency(kFile, "latency");
	ASSERT_TRUE(f) << f.error().message();
	ASSERT_TRUE(f->stats);
	EXPECT_EQ(f->stats->table, 4096u);
	EXPECT_EQ(f->stats->max_age_ns, 1000000000u);
	EXPECT_EQ(f->stats->cross_matched, 12u);
	EXPECT_EQ(f->stats->cross_evicted, 1u);
	EXPECT_EQ(f->stats->cross_aged, 2u);
	ASSERT_EQ(f->hists.size(), 3u);
	const HistRecord &d = f->hists[0];
	EXPECT_TRUE(d.per_device);
	EXPECT_EQ(d.inum, 4026532177u);
	EXPECT_EQ(d.cookie, 2u);
	EXPECT_EQ(d.ifindex, 2);
	EXPECT_EQ(d.name, "va");
	EXPECT_EQ(d.kind, "xmit");
	EXPECT_EQ(d.hist.count, 12u);
	EXPECT_EQ(d.hist.sum_ns, 10788314u);
	EXPECT_EQ(d.hist.buckets[15], 6u);
	EXPECT_EQ(d.hist.buckets[23], 2u);
	EXPECT_EQ(d.hist.buckets[0], 0u);
	EXPECT_EQ(f->hists[1].name, "v a");
	EXPECT_EQ(f->hists[1].hist.count, 0u);
	EXPECT_FALSE(f->hists[2].per_device);
	EXPECT_EQ(f->hists[2].ifindex, 0);
}

TEST(LatencyParser, Errors)
{
	auto bad = [](const char *text) {
		auto f = parse_latency(text, "latency");
		EXPECT_FALSE(f) << text;
		return f ? std::string() : f.error().what + ": " + f.error().why;
	};
	EXPECT_EQ(bad("netns_hist inum=1 cookie=1 kind=xmit count=2 sum_ns=3 b1=1\n"),
		  "latency:1: count 2 differs from the sum of its buckets 1");
	EXPECT_EQ(bad("netns_hist inum=1 cookie=1 kind=xmit count=1 sum_ns=3 b32=1\n"),
		  "latency:1: bucket key 'b32' is outside b0..b31");
	EXPECT_EQ(bad("# ok\nnetns_hist inum=1 cookie=1 count=0 sum_ns=0\n"),
		  "latency:2: missing key 'kind'");
	EXPECT_EQ(bad("dev_hist inum=1 cookie=1 ifindex=0 name=a kind=xmit count=0 sum_ns=0\n"),
		  "latency:1: ifindex 0 is out of range");
	EXPECT_EQ(bad("netns_hist inum=1 cookie=1 kind=xmit count=0 sum_ns=0"),
		  "latency:1: last line has no newline");
	EXPECT_EQ(bad("latency table=1 max_age_ns=1 cross_matched=1 cross_evicted=1 cross_aged=1\n"),
		  "latency:1: missing key 'cross_busy'");
}

TEST(LatencyRender, TextAndFilter)
{
	auto f = parse_latency(kFile, "latency");
	ASSERT_TRUE(f);
	LatencyFilter only_va;
	only_va.dev = "va";
	std::string t = render_latency_text(*f, only_va);
	// 12 samples: b11..b14 one each, b15 six, b23 two. avg 10788314 / 12.
	// p50: rank 6, the 2nd of 6 in [16384, 32768): 16384 + 16384 * 2 / 6.
	// p90: rank 11, the 1st of 2 in [4194304, 8388608): 6291456.
	// p99: rank 12, the 2nd of 2 there: 8388608.
	EXPECT_EQ(t.substr(0, t.find('\n') + 1),
		  "measured: the veth crossing only (xmit: time in veth_xmit(); cross: the peer's "
		  "veth_xmit() entry to this device's backlog/NAPI receive); not measured: qdisc, "
		  "IP/UDP/TCP stack and socket time\n");
	EXPECT_NE(t.find("\n@netns 4026532177:2 (unnamed) dev va (ifindex 2) xmit: count 12, "
			 "avg 899µs, p50 21.8µs, p90 6.29ms, p99 8.39ms\n"),
		  std::string::npos)
		<< t;
	// Bounds in ns with units: bucket 12 is [2048, 4096) ns.
	EXPECT_NE(t.find("\n[2.05µs, 4.1µs)          1 |@@@@@@@@@                                           |\n"),
		  std::string::npos)
		<< t;
	EXPECT_NE(t.find("\n[16.4µs, 32.8µs)         6 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"),
		  std::string::npos)
		<< t;
	EXPECT_NE(t.find("\n[4.19ms, 8.39ms)         2 |@@@@@@@@@@@@@@@@@@                                  |\n"),
		  std::string::npos)
		<< t;
	EXPECT_EQ(t.find("all devices"), std::string::npos);
	EXPECT_NE(t.find("crossing matcher: 12 matched, unmatched: 1 evicted, 2 aged (> 1s), 0 not "
			 "recorded (slot busy); table 4096 slots\n"),
		  std::string::npos);
}

TEST(LatencyRender, LabelsAndOneDevice)
{
	auto f = parse_latency(kFile, "latency");
	ASSERT_TRUE(f);
	std::map<uint64_t, NetnsLabel> labels;
	labels[4026532177] = NetnsLabel{{"blue"}, ContainerId{"docker", std::string(64, 'a'), 2, "/x"},
					false};
	std::string t = render_latency_text(*f, LatencyFilter{}, nullptr, &labels);
	EXPECT_NE(t.find("\n@netns 4026532177:2 (blue, docker container aaaaaaaaaaaa) dev va "
			 "(ifindex 2) xmit: count 12,"),
		  std::string::npos)
		<< t;
	EXPECT_NE(t.find("\n@netns 4026532177:2 (blue, docker container aaaaaaaaaaaa) dev v a "
			 "(ifindex 2) cross: count 0\n"),
		  std::string::npos)
		<< t;
	// The netns_hist xmit equals the one xmit device's: not repeated.
	EXPECT_EQ(t.find("all devices"), std::string::npos) << t;

	// A second xmit device: the sum over devices is worth printing.
	std::string two = std::string(kFile) +
			  "dev_hist inum=4026532177 cookie=2 ifindex=3 name=vb kind=xmit count=1 "
			  "sum_ns=5 b3=1\n";
	auto f2 = parse_latency(two, "latency");
	ASSERT_TRUE(f2);
	std::string t2 = render_latency_text(*f2, LatencyFilter{}, nullptr, &labels);
	EXPECT_NE(t2.find("\n@netns 4026532177:2 (blue, docker container aaaaaaaaaaaa) all devices "
			  "xmit: count 12,"),
		  std::string::npos)
		<< t2;
	// One device whose netns_hist differs (a departed device added to
	// it): printed too.
	std::string departed = std::string(kFile);
	departed.replace(departed.find("netns_hist inum=4026532177 cookie=2 kind=xmit count=12"),
			 std::string("netns_hist inum=4026532177 cookie=2 kind=xmit count=12").size(),
			 "netns_hist inum=4026532177 cookie=2 kind=xmit count=13");
	departed.replace(departed.find("b23=2 future_key"), std::string("b23=2 future_key").size(),
			 "b23=3 future_key");
	auto f3 = parse_latency(departed, "latency");
	ASSERT_TRUE(f3) << f3.error().message();
	EXPECT_NE(render_latency_text(*f3, LatencyFilter{}).find("\n@netns 4026532177:2 (unnamed) "
								  "all devices xmit: count 13,"),
		  std::string::npos);
	// The open last bucket.
	auto f4 = parse_latency("netns_hist inum=1 cookie=1 kind=cross count=1 sum_ns=2000000000 "
				"b31=1\n",
				"latency");
	ASSERT_TRUE(f4);
	EXPECT_NE(render_latency_text(*f4, LatencyFilter{}).find("\n[1.07s, ...)             1 |"),
		  std::string::npos)
		<< render_latency_text(*f4, LatencyFilter{});
}

TEST(LatencyRender, Json)
{
	auto f = parse_latency(kFile, "latency");
	ASSERT_TRUE(f);
	auto j = nlohmann::json::parse(render_latency_json(*f, LatencyFilter{}));
	EXPECT_EQ(j["schema"], "nsprobe/1");
	EXPECT_EQ(j["matcher"]["cross_matched"], 12);
	ASSERT_EQ(j["histograms"].size(), 3u);
	auto h = j["histograms"][0];
	EXPECT_EQ(h["scope"], "dev");
	EXPECT_EQ(h["name"], "va");
	EXPECT_EQ(h["buckets"].size(), static_cast<size_t>(NSP_HIST_BUCKETS));
	EXPECT_EQ(h["buckets"][15], 6);
	EXPECT_EQ(h["count"], 12);
	EXPECT_TRUE(j["histograms"][1]["p50_ns"].is_null());
	EXPECT_EQ(j["histograms"][2]["scope"], "netns");
	EXPECT_TRUE(j["histograms"][2]["ifindex"].is_null());
}

TEST(DevRecordMinor, OneZeroRecordsStillParse)
{
	// A 1.0 module writes no drop/path keys: they default to 0.
	auto r = parse_devices("dev inum=1 cookie=1 ifindex=2 name=a tx_packets=3 tx_bytes=4\n", "d");
	ASSERT_TRUE(r);
	EXPECT_EQ((*r)[0].tx_packets, 3u);
	EXPECT_EQ((*r)[0].drops, 0u);
	auto r2 = parse_devices("dev inum=1 cookie=1 ifindex=2 name=a tx_packets=3 tx_bytes=4 drops=5 "
				"drop_peer=0 drop_mtu=5 drop_ring=0 drop_backlog=0 drop_other=0 "
				"path_backlog=6 path_napi=7\n",
				"d");
	ASSERT_TRUE(r2);
	EXPECT_EQ((*r2)[0].drop_mtu, 5u);
	EXPECT_EQ((*r2)[0].path_napi, 7u);
	EXPECT_EQ((*r2)[0].tx_dropped_base, std::nullopt);	// 1.1: absent, not 0
	auto r3 = parse_devices("dev inum=1 cookie=1 ifindex=2 name=a tx_packets=3 tx_bytes=4 drops=5 "
				"drop_peer=0 drop_mtu=5 drop_ring=0 drop_backlog=0 drop_other=0 "
				"path_backlog=6 path_napi=7 requeued=1 tx_dropped_base=0\n",
				"d");
	ASSERT_TRUE(r3);
	EXPECT_EQ((*r3)[0].requeued, 1u);
	EXPECT_EQ((*r3)[0].tx_dropped_base, 0u);
	EXPECT_FALSE(parse_devices("dev inum=1 cookie=1 ifindex=2 name=a tx_packets=3 tx_bytes=4 "
				   "tx_dropped_base=-1\n",
				   "d"));
	EXPECT_EQ((*r3)[0].rx_veth, 0u);
	EXPECT_EQ((*r3)[0].rx_packets_base, std::nullopt);	// 1.2: absent, not 0
	auto r4 = parse_devices("dev inum=1 cookie=1 ifindex=2 name=a tx_packets=3 tx_bytes=4 drops=5 "
				"drop_peer=0 drop_mtu=5 drop_ring=0 drop_backlog=0 drop_other=0 "
				"path_backlog=6 path_napi=7 requeued=1 rx_veth=8 tx_dropped_base=0 "
				"rx_packets_base=9\n",
				"d");
	ASSERT_TRUE(r4);
	EXPECT_EQ((*r4)[0].rx_veth, 8u);
	EXPECT_EQ((*r4)[0].rx_packets_base, 9u);
	EXPECT_FALSE(parse_devices("dev inum=1 cookie=1 ifindex=2 name=a tx_packets=3 tx_bytes=4 "
				   "rx_packets_base=x\n",
				   "d"));
	auto p = parse_probes("probe name=veth_xmit symbol=veth_xmit kind=kretprobe state=gone hits=1 "
			      "nmissed=0 err=0 reason=module_unloaded\n",
			      "p");
	ASSERT_TRUE(p);
	EXPECT_EQ((*p)[0].reason, "module_unloaded");
}
