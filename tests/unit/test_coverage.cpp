// Which counters are unknown given the probes table (coverage.h): the veth
// helper each counter depends on, only while it is not armed, only when its
// mode is on; and the calls veth_xmit missed.
#include <map>

#include <gtest/gtest.h>

#include "golden.h"
#include "libnsprobe/coverage.h"
#include "libnsprobe/latency.h"
#include "libnsprobe/render.h"

using namespace nsprobe;
using namespace nsprobe::test;
using nlohmann::json;
using S = std::vector<std::string>;

namespace {

// A probe line as kmod/probes.c writes it.
std::string line(const std::string &name, const std::string &sym, const std::string &kind,
		 const std::string &state, const std::string &reason, int err = 0,
		 unsigned nmissed = 0)
{
	return "probe name=" + name + " symbol=" + sym + " kind=" + kind + " state=" + state +
	       " hits=0 nmissed=" + std::to_string(nmissed) + " err=" + std::to_string(err) +
	       " reason=" + reason + "\n";
}

// The veth hooks of a module loaded with veth_paths=1 (the default) and
// latency=LATENCY, every one armed, then the lines in `over` replacing the
// hook of the same name.
std::vector<ProbeRecord> probes(bool latency, const std::map<std::string, std::string> &over = {})
{
	const std::string rx_state = latency ? "armed" : "disabled";
	const std::string rx_reason = latency ? "armed_at_load" : "not_needed";
	std::map<std::string, std::string> l = {
		{"veth_xmit", line("veth_xmit", "veth_xmit", "kretprobe", "armed", "armed_at_load")},
		{"veth_fwd",
		 line("veth_fwd", "__dev_forward_skb", "kprobe", "armed", "armed_at_load")},
		{"veth_backlog",
		 line("veth_backlog", "enqueue_to_backlog", "kprobe", "armed", "armed_at_load")},
		{"rx_backlog",
		 line("rx_backlog", "__netif_receive_skb", "kprobe", rx_state, rx_reason)},
		{"rx_napi", line("rx_napi", "napi_gro_receive", "kprobe", rx_state, rx_reason)},
	};
	for (const auto &[k, v] : over)
		l[k] = v;
	std::string text = l["veth_xmit"] +
			   line("sig_generate", "__send_signal_locked", "kprobe", "failed",
				"register_failed", -22) +
			   l["veth_fwd"] + l["veth_backlog"] + l["rx_backlog"] + l["rx_napi"];
	auto r = parse_probes(text, "probes");
	EXPECT_TRUE(r) << text;
	return r ? *r : std::vector<ProbeRecord>{};
}

const S kDropReasons = {"drop_peer", "drop_mtu", "drop_ring", "drop_backlog", "drop_other"};

std::string off(const std::string &name, const std::string &sym)
{
	return line(name, sym, "kprobe", "disabled", "module_parameter");
}

} // namespace

TEST(Coverage, AllArmedKnowsEverything)
{
	for (bool latency : {false, true}) {
		Coverage c = coverage_of(probes(latency));
		EXPECT_FALSE(c.degraded());
		EXPECT_EQ(c.unknown_fields(), S{});
		// A signal hook that failed is no veth helper.
		EXPECT_TRUE(coverage_notes(c, CoverageScope::counters).empty());
	}
}

TEST(Coverage, FwdOffLosesEveryReasonAndPath)
{
	Coverage c = coverage_of(probes(false, {{"veth_fwd", off("veth_fwd", "__dev_forward_skb")}}));
	EXPECT_EQ(c.unknown_fields(), (S{"drop_peer", "drop_mtu", "drop_ring", "drop_backlog",
					 "drop_other", "path_backlog", "path_napi", "rx_veth"}));
	for (const char *f : {"tx_packets", "tx_bytes", "drops", "requeued", "cross"})
		EXPECT_FALSE(c.unknown(f)) << f;
	ASSERT_EQ(c.gaps.size(), 1u);
	EXPECT_EQ(c.gaps[0].hook, "veth_fwd");
	EXPECT_EQ(c.gaps[0].state, "disabled");
	EXPECT_EQ(c.gaps[0].reason, "module_parameter");
	EXPECT_EQ(coverage_notes(c, CoverageScope::counters),
		  S{"veth_fwd (__dev_forward_skb) is not armed (state disabled, reason "
		    "module_parameter): drop_peer, drop_mtu, drop_ring, drop_backlog, drop_other, "
		    "path_backlog, path_napi, rx_veth unknown, shown as -"});
	EXPECT_TRUE(coverage_notes(c, CoverageScope::latency).empty());

	// With latency on, no crossing is recorded either.
	Coverage l = coverage_of(probes(true, {{"veth_fwd", off("veth_fwd", "__dev_forward_skb")}}));
	EXPECT_TRUE(l.unknown("cross"));
	EXPECT_TRUE(l.unknown("path_napi"));
	EXPECT_EQ(coverage_notes(l, CoverageScope::latency),
		  S{"veth_fwd (__dev_forward_skb) is not armed (state disabled, reason "
		    "module_parameter): crossing latency (cross histograms) unknown"});
}

TEST(Coverage, BacklogFailedLosesTheSplitOnly)
{
	Coverage c = coverage_of(probes(
		true, {{"veth_backlog", line("veth_backlog", "enqueue_to_backlog", "kprobe", "failed",
					     "register_failed", -22)}}));
	EXPECT_EQ(c.unknown_fields(), (S{"drop_ring", "drop_backlog", "path_backlog", "path_napi"}));
	for (const char *f : {"drop_peer", "drop_mtu", "drop_other", "drops", "tx_packets", "cross"})
		EXPECT_FALSE(c.unknown(f)) << f;
	EXPECT_EQ(coverage_notes(c, CoverageScope::counters),
		  S{"veth_backlog (enqueue_to_backlog) is not armed (state failed, reason "
		    "register_failed, err -22): drop_ring, drop_backlog, path_backlog, path_napi "
		    "unknown, shown as -"});
}

TEST(Coverage, ReceiveHelpersLoseOnlyTheCrossing)
{
	for (auto [hook, sym] : {std::pair{"rx_backlog", "__netif_receive_skb"},
				 {"rx_napi", "napi_gro_receive"}}) {
		Coverage c = coverage_of(probes(true, {{hook, off(hook, sym)}}));
		EXPECT_EQ(c.unknown_fields(), S{"cross"}) << hook;
		EXPECT_TRUE(coverage_notes(c, CoverageScope::counters).empty()) << hook;
		EXPECT_EQ(coverage_notes(c, CoverageScope::latency).size(), 1u) << hook;
		json j = coverage_json(c, CoverageScope::counters);
		EXPECT_EQ(j["unknown"], json::array()) << hook;
		EXPECT_EQ(j["hooks"], json::array()) << hook;
		j = coverage_json(c, CoverageScope::latency);
		EXPECT_EQ(j["unknown"], json({"cross"})) << hook;
		EXPECT_EQ(j["hooks"][0]["hook"], hook);
	}
}

TEST(Coverage, OnlyWhileNotArmedAndOnlyWhenTheModeIsOn)
{
	// veth_paths=0: the helpers are disabled, not_needed.
	const std::string nn_fwd = line("veth_fwd", "__dev_forward_skb", "kprobe", "disabled",
					"not_needed");
	const std::string nn_bl = line("veth_backlog", "enqueue_to_backlog", "kprobe", "disabled",
				       "not_needed");
	Coverage c = coverage_of(probes(
		false, {{"veth_fwd", nn_fwd},
			{"veth_backlog", nn_bl},
			{"veth_xmit", line("veth_xmit", "veth_xmit", "kprobe", "armed", "armed_at_load")}}));
	// ... so no helper gap, but counters-only mode: veth_xmit is an entry
	// kprobe, and drops, their reasons, paths and requeued are not collected.
	ASSERT_EQ(c.gaps.size(), 1u);
	EXPECT_EQ(c.gaps[0].hook, "veth_xmit");
	EXPECT_EQ(c.gaps[0].reason, kCountersOnly);
	EXPECT_EQ(c.unknown_fields(),
		  (std::vector<std::string>{"drops", "drop_peer", "drop_mtu", "drop_ring",
					    "drop_backlog", "drop_other", "path_backlog",
					    "path_napi", "requeued", "rx_veth"}));
	EXPECT_FALSE(c.unknown("tx_packets"));
	EXPECT_FALSE(c.unknown("tx_bytes"));
	EXPECT_EQ(coverage_notes(c, CoverageScope::counters),
		  (std::vector<std::string>{
			  "counters-only mode (veth_paths=0): veth_xmit is an entry kprobe, so "
			  "drops, drop_peer, drop_mtu, drop_ring, drop_backlog, drop_other, "
			  "path_backlog, path_napi, requeued, rx_veth are not collected, shown as -"}));
	EXPECT_TRUE(coverage_notes(c, CoverageScope::latency).empty());
	EXPECT_EQ(coverage_json(c, CoverageScope::counters)["hooks"][0]["reason"], "counters_only");

	// Paths mode with its helpers armed: nothing unknown.
	c = coverage_of(probes(
		false, {{"veth_fwd", line("veth_fwd", "__dev_forward_skb", "kprobe", "armed",
					  "armed_at_load")},
			{"veth_backlog", line("veth_backlog", "enqueue_to_backlog", "kprobe",
					      "armed", "armed_at_load")},
			{"veth_xmit",
			 line("veth_xmit", "veth_xmit", "kretprobe", "armed", "armed_at_load")}}));
	EXPECT_FALSE(c.degraded());

	// veth_probe=0: nothing counts at veth_xmit, so no helper matters.
	c = coverage_of(probes(
		false,
		{{"veth_xmit", line("veth_xmit", "veth_xmit", "kprobe", "disabled", "module_parameter")},
		 {"veth_fwd", off("veth_fwd", "__dev_forward_skb")},
		 {"veth_backlog", off("veth_backlog", "enqueue_to_backlog")}}));
	EXPECT_FALSE(c.degraded());

	// veth.ko not loaded yet: a failed helper still matters (the notifier
	// arms veth_xmit when it comes).
	c = coverage_of(probes(
		false,
		{{"veth_xmit",
		  line("veth_xmit", "veth_xmit", "kretprobe", "pending", "symbol_not_found", -2)},
		 {"veth_backlog", off("veth_backlog", "enqueue_to_backlog")}}));
	EXPECT_TRUE(c.unknown("path_napi"));

	// A state this tool does not know (a newer module) is not armed.
	c = coverage_of(probes(false, {{"veth_backlog", line("veth_backlog", "enqueue_to_backlog",
							     "kprobe", "sleeping", "whatever")}}));
	EXPECT_TRUE(c.unknown("drop_backlog"));

	// No probes at all (a module before format 1.1 has no helpers).
	EXPECT_FALSE(coverage_of({}).degraded());
}

TEST(Coverage, BothHelpersOffListEachFieldOnce)
{
	Coverage c = coverage_of(probes(false, {{"veth_fwd", off("veth_fwd", "__dev_forward_skb")},
						{"veth_backlog",
						 off("veth_backlog", "enqueue_to_backlog")}}));
	EXPECT_EQ(c.gaps.size(), 2u);
	S want = kDropReasons;
	want.insert(want.end(), {"path_backlog", "path_napi", "rx_veth"});
	EXPECT_EQ(c.unknown_fields(), want);
	EXPECT_EQ(coverage_json(c, CoverageScope::counters)["unknown"], json(want));
}

TEST(Coverage, XmitMissesMayLowerTheCounts)
{
	Coverage c = coverage_of(probes(
		false, {{"veth_xmit", line("veth_xmit", "veth_xmit", "kretprobe", "armed",
					   "armed_at_load", 0, 3)}}));
	EXPECT_TRUE(c.degraded());
	EXPECT_EQ(c.unknown_fields(), S{});	// still numbers
	ASSERT_EQ(c.missed.size(), 1u);
	EXPECT_EQ(c.missed[0].nmissed, 3u);
	EXPECT_EQ(c.missed[0].fields,
		  (S{"tx_packets", "tx_bytes", "drops", "drop_peer", "drop_mtu", "drop_ring",
		     "drop_backlog", "drop_other", "path_backlog", "path_napi", "requeued", "rx_veth"}));
	EXPECT_EQ(coverage_notes(c, CoverageScope::counters),
		  S{"veth_xmit kretprobe missed 3 calls: tx counts may be low by up to 3 (in "
		    "total over all devices)"});
	json j = coverage_json(c, CoverageScope::counters);
	EXPECT_EQ(j["missed"][0]["nmissed"], 3);
	EXPECT_EQ(j["missed"][0]["kind"], "kretprobe");

	// veth_paths=0: a plain kprobe counts tx only.
	c = coverage_of(probes(
		false, {{"veth_xmit",
			 line("veth_xmit", "veth_xmit", "kprobe", "armed", "armed_at_load", 0, 1)}}));
	ASSERT_EQ(c.missed.size(), 1u);
	EXPECT_EQ(c.missed[0].fields, (S{"tx_packets", "tx_bytes"}));
	EXPECT_EQ(coverage_notes(c, CoverageScope::counters)[0],
		  "veth_xmit kprobe missed 1 call: tx counts may be low by up to 1 (in total over "
		  "all devices)");
}

TEST(Coverage, ShowRendersUnknownAsDashAndNull)
{
	auto snap = snapshot_of("v1_4");
	ASSERT_TRUE(snap);
	ShowModel m = fixture_show_model(snap);
	ASSERT_TRUE(m.coverage);
	EXPECT_FALSE(m.coverage->degraded());
	m.coverage = coverage_of(
		probes(false, {{"veth_backlog", off("veth_backlog", "enqueue_to_backlog")}}));
	InterfaceView &h1 = m.netns[0].interfaces[1];
	ASSERT_EQ(h1.link.name, "h1");
	ASSERT_TRUE(h1.nsprobe);
	h1.nsprobe->drops = 3;
	h1.nsprobe->drop_mtu = 2;
	h1.nsprobe->drop_ring = 1;

	json j = to_json(m);
	const json &n = j["netns"][0]["interfaces"][1]["nsprobe"];
	for (const char *f : {"drop_ring", "drop_backlog", "path_backlog", "path_napi"})
		EXPECT_TRUE(n[f].is_null()) << f;
	EXPECT_EQ(n["drops"], 3);
	EXPECT_EQ(n["drop_mtu"], 2);
	EXPECT_EQ(n["tx_packets"], h1.nsprobe->tx_packets);
	EXPECT_EQ(j["coverage"]["unknown"],
		  json({"drop_ring", "drop_backlog", "path_backlog", "path_napi"}));
	EXPECT_EQ(j["coverage"]["hooks"][0]["reason"], "module_parameter");

	std::string text = render_text(m);
	EXPECT_NE(text.find("\n  drops at veth_xmit: h1 3 (mtu 2, ring -, backlog -)\n"),
		  std::string::npos)
		<< text;
	EXPECT_NE(text.find("\n\nnote: veth_backlog (enqueue_to_backlog) is not armed (state "
			    "disabled, reason module_parameter): drop_ring, drop_backlog, "
			    "path_backlog, path_napi unknown, shown as -\n"),
		  std::string::npos)
		<< text;
	// The note is said once, however many netns there are.
	EXPECT_EQ(text.find("note: veth_backlog"), text.rfind("note: veth_backlog"));
	std::string wide = render_text(m, {.wide = true});
	EXPECT_NE(wide.find("NSP_PATH_NAPI"), std::string::npos);

	// Counters unavailable: no coverage, null in JSON.
	m.coverage.reset();
	EXPECT_TRUE(to_json(m)["coverage"].is_null());
}

TEST(Coverage, LatencyCrossUnknown)
{
	auto f = parse_latency("latency table=4096 max_age_ns=1000000000 cross_matched=5 "
			       "cross_evicted=0 cross_aged=2 cross_busy=0\n"
			       "dev_hist inum=7 cookie=9 ifindex=2 name=vb kind=xmit count=5 "
			       "sum_ns=50 b4=5\n"
			       "dev_hist inum=7 cookie=9 ifindex=2 name=vb kind=cross count=3 "
			       "sum_ns=30 b4=3\n",
			       "latency");
	ASSERT_TRUE(f);
	Coverage c = coverage_of(probes(true, {{"rx_napi", off("rx_napi", "napi_gro_receive")}}));
	std::string text = render_latency_text(*f, {}, &c);
	EXPECT_NE(text.find("dev vb (ifindex 2) cross: count -\n"), std::string::npos) << text;
	EXPECT_NE(text.find("dev vb (ifindex 2) xmit: count 5,"), std::string::npos) << text;
	EXPECT_NE(text.find("note: rx_napi (napi_gro_receive) is not armed (state disabled, "
			    "reason module_parameter): crossing latency (cross histograms) "
			    "unknown\n"),
		  std::string::npos)
		<< text;
	json j = json::parse(render_latency_json(*f, {}, &c));
	EXPECT_TRUE(j["histograms"][1]["count"].is_null());
	EXPECT_TRUE(j["histograms"][1]["buckets"].is_null());
	EXPECT_EQ(j["histograms"][0]["count"], 5);
	EXPECT_EQ(j["coverage"]["unknown"], json({"cross"}));

	// All armed: the histogram as it is.
	Coverage ok = coverage_of(probes(true));
	EXPECT_NE(render_latency_text(*f, {}, &ok).find("cross: count 3,"), std::string::npos);
	EXPECT_EQ(json::parse(render_latency_json(*f, {}, &ok))["histograms"][1]["count"], 3);
}

TEST(Coverage, StatusNotesEveryFieldOnce)
{
	StatusModel m;
	m.counters.available = true;
	m.counters.format = FormatVersion{1, 4};
	m.module_loaded = true;
	m.probes = probes(true, {{"veth_fwd", off("veth_fwd", "__dev_forward_skb")}});
	std::string text = render_text(m);
	EXPECT_NE(text.find("\nnote: veth_fwd (__dev_forward_skb) is not armed (state disabled, "
			    "reason module_parameter): drop_peer, drop_mtu, drop_ring, drop_backlog, "
			    "drop_other, path_backlog, path_napi, rx_veth, cross unknown\n"),
		  std::string::npos)
		<< text;
	EXPECT_EQ(text.find("note: veth_fwd"), text.rfind("note: veth_fwd"));
	m.probes = probes(true);
	EXPECT_EQ(render_text(m).find("note:"), std::string::npos);
}
