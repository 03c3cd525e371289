// Renderers: JSON shape (exact keys) and text/JSON golden output.
// Regenerate the golden files with NSPROBE_UPDATE_GOLDEN=1 and review the diff.
#include <iterator>
#include <sstream>

#include <gtest/gtest.h>

#include "fakes.h"
#include "golden.h"
#include "libnsprobe/debugfs_source.h"
#include "libnsprobe/render.h"

using namespace nsprobe;
using namespace nsprobe::test;
using nlohmann::json;

namespace {

Result<Snapshot> good_snapshot()
{
	return snapshot_of("good");	// format 1.0
}

ShowModel show_model(const Result<Snapshot> &snap)
{
	return fixture_show_model(snap);
}

std::vector<std::string> keys(const json &j)
{
	std::vector<std::string> k;
	for (auto it = j.begin(); it != j.end(); ++it)
		k.push_back(it.key());
	return k;
}

using K = std::vector<std::string>;

} // namespace

TEST(RenderJson, ShowShape)
{
	json j = to_json(show_model(good_snapshot()));
	EXPECT_EQ(j["schema"], "nsprobe/1");
	EXPECT_EQ(keys(j), (K{"counters", "coverage", "gone_netns", "netns", "rx_counts_redirect_peer",
			      "schema", "since", "skipped"}));
	EXPECT_EQ(j["rx_counts_redirect_peer"], nullptr);	// not asked: unknown
	EXPECT_EQ(j["since"], (nlohmann::json{{"nsprobe", "module_load_or_reset"},
					      {"kernel_stats", "device_created"}}));
	EXPECT_EQ(j["gone_netns"], json::array());	// format 1.0: no post-mortem file
	EXPECT_EQ(keys(j["coverage"]), (K{"hooks", "missed", "unknown"}));
	EXPECT_EQ(keys(j["counters"]), (K{"available", "debugfs", "format"}));
	EXPECT_EQ(j["counters"]["format"], "1.0");
	ASSERT_EQ(j["netns"].size(), 3u);
	const json &host = j["netns"][0];
	EXPECT_EQ(keys(host), (K{"anonymous", "bind_paths", "container", "cookie", "current", "host", "init",
				 "interfaces", "inum", "links_error", "module_devices", "names",
				 "nsprobe", "oom_kills", "pids", "qdisc_error"}));
	// A 1.0 module does not tell OOM kills apart: unknown, not 0.
	EXPECT_EQ(host["oom_kills"], nullptr);
	EXPECT_EQ(keys(j["netns"][2]["container"]), (K{"cgroup", "cgroup_version", "id", "runtime"}));
	EXPECT_EQ(j["netns"][2]["init"], (json{{"pid", 4321}, {"comm", "my app"}}));
	EXPECT_EQ(host["inum"], 4026531840u);
	EXPECT_EQ(host["cookie"], 1u);
	EXPECT_EQ(keys(host["nsprobe"]),
		  (K{"alloc_failed", "devices", "ev_chunks", "sig_generated", "sig_ignored",
		     "sig_rows", "tx_bytes", "tx_packets"}));
	const json &h1 = host["interfaces"][1];
	EXPECT_EQ(keys(h1), (K{"admin_up", "drops_before_driver", "ifindex", "kernel_stats", "kind",
			       "link_netnsid", "mtu", "name", "nsprobe", "oper_state", "peer",
			       "qdisc_drops", "rx_without_veth_xmit"}));
	EXPECT_EQ(h1["name"], "h1");
	EXPECT_EQ(h1["link_netnsid"], 0);
	EXPECT_EQ(keys(h1["peer"]), (K{"ifindex", "name", "netns", "status"}));
	EXPECT_EQ(h1["peer"]["status"], "resolved");
	EXPECT_EQ(h1["peer"]["name"], "c1");
	EXPECT_EQ(h1["peer"]["netns"]["inum"], 4026532201u);
	EXPECT_EQ(h1["peer"]["netns"]["names"], json({"blue"}));
	EXPECT_EQ(keys(h1["kernel_stats"]), (K{"rx_bytes", "rx_dropped", "rx_packets", "tx_bytes",
					"tx_dropped", "tx_packets"}));
	EXPECT_EQ(h1["kernel_stats"]["tx_packets"], 60u);
	// The fixture is a 1.0 module's: the 1.1 drop and path counters and
	// the 1.2 requeued counter read 0; the 1.7 rx_veth is unknown (null).
	EXPECT_EQ(h1["nsprobe"], json({{"tx_bytes", 5880}, {"tx_packets", 60}, {"drops", 0},
				       {"drop_peer", 0}, {"drop_mtu", 0}, {"drop_ring", 0},
				       {"drop_backlog", 0}, {"drop_other", 0}, {"path_backlog", 0},
				       {"path_napi", 0}, {"requeued", 0}, {"rx_veth", nullptr}}));
	EXPECT_EQ(h1["rx_without_veth_xmit"], nullptr);	// no rx_packets_base (1.0)
	// A 1.0 module gives no tx_dropped_base: the kernel's lifetime TX
	// dropped cannot be compared with counters that started later.
	EXPECT_EQ(h1["drops_before_driver"], nullptr);
	const json &h2 = host["interfaces"][2];
	EXPECT_EQ(h2["link_netnsid"], "unassigned");
	EXPECT_EQ(h2["peer"]["status"], "unverified");
	EXPECT_EQ(h2["peer"]["netns"]["inum"], 4026532300u);
	EXPECT_EQ(host["interfaces"][0]["peer"], nullptr);
	EXPECT_EQ(host["interfaces"][0]["kind"], nullptr);
}

TEST(RenderJson, ShowWithoutCounters)
{
	Result<Snapshot> none = Error{Errc::module_not_loaded, "/sys/kernel/debug/nsprobe",
				      "does not exist", "load it", 0};
	json j = to_json(show_model(none));
	EXPECT_EQ(j["counters"], json({{"available", false},
				       {"debugfs", "/sys/kernel/debug/nsprobe"},
				       {"reason", "module_not_loaded"},
				       {"message", "/sys/kernel/debug/nsprobe: does not exist (load it)"}}));
	EXPECT_EQ(j["netns"][0]["nsprobe"], nullptr);
	EXPECT_EQ(j["netns"][0]["interfaces"][1]["nsprobe"], nullptr);
}

TEST(RenderJson, StatusAndSignalsShape)
{
	auto snap = good_snapshot();
	json st = to_json(build_status(snap, "/d/nsprobe"));
	EXPECT_EQ(keys(st), (K{"counters", "coverage", "module_loaded", "probes", "schema",
			       "stats", "tool_format"}));
	EXPECT_EQ(keys(st["coverage"]), (K{"hooks", "missed", "unknown"}));
	EXPECT_EQ(keys(st["probes"][0]),
		  (K{"err", "hits", "kind", "name", "nmissed", "reason", "state", "symbol"}));
	EXPECT_EQ(st["probes"][2]["err"], -22);
	EXPECT_EQ(keys(st["stats"]), (K{"alloc_failed", "devices", "netns", "oom_unattributed",
					"postmortem", "postmortem_lost", "sig_deferred",
					"sig_unattributed", "veth_untracked"}));
	EXPECT_EQ(st["stats"]["postmortem"], nullptr);	// 1.0: unknown, not 0
	EXPECT_EQ(st["stats"]["postmortem_lost"], nullptr);
	EXPECT_EQ(st["stats"]["sig_deferred"], nullptr);	// 1.0: unknown
	EXPECT_EQ(st["stats"]["oom_unattributed"], nullptr);

	json sg = to_json(build_signals(snap, "/d/nsprobe", {info(4026532201, {"blue"})}));
	ASSERT_EQ(sg["netns"].size(), 1u);
	EXPECT_EQ(keys(sg["netns"][0]), (K{"anonymous", "container", "cookie", "gone", "init", "inum",
					  "names", "pids", "signals"}));
	EXPECT_EQ(sg["netns"][0]["gone"], nullptr);	// a live netns
	const json &term = sg["netns"][0]["signals"][1];
	EXPECT_EQ(keys(term), (K{"coalesced", "delivered_core", "delivered_handler",
				 "delivered_ignored", "delivered_stop", "delivered_term",
				 "explanations", "forced", "generated", "ignored", "ignored_cont",
				 "ignored_default", "ignored_exiting", "ignored_init", "ignored_other",
				 "ignored_sig_ign", "init_protected", "name", "oom_kill",
				 "origin_kernel", "origin_process", "queue_overflow", "queued",
				 "queued_blocked", "signo"}));
	EXPECT_EQ(term["oom_kill"], nullptr);	// 1.0: unknown, not 0
	EXPECT_EQ(keys(sg), (K{"counters", "netns", "node_signals", "postmortem_lost", "schema", "unattributed"}));
	EXPECT_EQ(sg["postmortem_lost"], nullptr);
	// 1.0 counts hook events in sig_unattributed, not signals.
	EXPECT_EQ(sg["unattributed"], nullptr);
	EXPECT_EQ(term["explanations"],
		  json::array({"SIGTERM to PID 1 of netns 4026532201 ignored 2×: PID 1 installed no "
			       "handler; from outside its pid namespace only SIGKILL and SIGSTOP get "
			       "through"}));
	EXPECT_EQ(term["name"], "SIGTERM");
	EXPECT_EQ(term["init_protected"], true);
	EXPECT_EQ(sg["netns"][0]["signals"][0]["name"], "SIGKILL");
	EXPECT_EQ(sg["netns"][0]["signals"][0]["init_protected"], false);

	Result<Snapshot> none = Error{Errc::module_not_loaded, "/d/nsprobe", "does not exist", {}, 0};
	json st2 = to_json(build_status(none, "/d/nsprobe"));
	EXPECT_EQ(st2["module_loaded"], false);
	EXPECT_EQ(st2["stats"], nullptr);
	EXPECT_EQ(st2["coverage"], nullptr);
	EXPECT_EQ(st2["probes"], json::array());
	json sg2 = to_json(build_signals(none, "/d/nsprobe", {}));
	EXPECT_EQ(sg2["unattributed"], nullptr);
}

TEST(RenderJson, Format13OomAndUnattributed)
{
	auto snap = snapshot_of("v1_3");
	ASSERT_TRUE(snap) << snap.error().message();
	json st = to_json(build_status(snap, "/d/nsprobe"));
	EXPECT_EQ(st["stats"]["sig_deferred"], 5);
	EXPECT_EQ(st["stats"]["oom_unattributed"], 1);
	EXPECT_EQ(st["stats"]["sig_unattributed"], 3);

	json sg = to_json(build_signals(snap, "/d/nsprobe", {info(4026532201, {"blue"})}));
	EXPECT_EQ(sg["unattributed"], 3);
	ASSERT_EQ(sg["netns"].size(), 2u);
	const json &blue = sg["netns"][1];
	EXPECT_EQ(blue["signals"][0]["name"], "SIGKILL");
	EXPECT_EQ(blue["signals"][0]["oom_kill"], 2);
	EXPECT_EQ(blue["signals"][1]["oom_kill"], 0);

	json sh = to_json(show_model(snap));
	ASSERT_EQ(sh["netns"].size(), 3u);
	EXPECT_EQ(sh["netns"][0]["oom_kills"], 0);	// a record, no SIGKILL row
	EXPECT_EQ(sh["netns"][1]["oom_kills"], 2);
	EXPECT_EQ(sh["netns"][2]["oom_kills"], nullptr);	// the module has no record of it
}

TEST(RenderText, Format13Golden)
{
	auto snap = snapshot_of("v1_3");
	ASSERT_TRUE(snap) << snap.error().message();
	expect_golden("status_1_3.txt", render_text(build_status(snap, "/sys/kernel/debug/nsprobe")));
	expect_golden("status_1_3.json",
		      to_json(build_status(snap, "/sys/kernel/debug/nsprobe")).dump(2) + "\n");
	expect_golden("show_1_3.txt", render_text(show_model(snap)));
	expect_golden("show_1_3.json", to_json(show_model(snap)).dump(2) + "\n");
	SignalsModel sg = build_signals(snap, "/sys/kernel/debug/nsprobe",
					{info(4026532201, {"blue"}, {{1234, "sleep"}})});
	std::string text = render_text(sg);
	EXPECT_NE(text.find("\n  SIGKILL: 2 of 3 by the OOM killer\n"), std::string::npos) << text;
	EXPECT_NE(text.find("\n3 signals could not be attributed to a netns (stats "
			    "sig_unattributed)\n"), std::string::npos) << text;
	expect_golden("signals_1_3.txt", text);
	expect_golden("signals_1_3.json", to_json(sg).dump(2) + "\n");
	std::string wide = render_text(show_model(snap), {.wide = true});
	EXPECT_NE(wide.find("sig_ignored=2 oom_kills=2 sig_rows=4 ev_chunks=1 alloc_failed=0\n"), std::string::npos) << wide;
}

// Format 1.4: two dead netns, the first with the inum of the live "blue"
// (another cookie), from a podman container; the second with no cgroup.
TEST(RenderText, Format14Golden)
{
	auto snap = snapshot_of("v1_4");
	ASSERT_TRUE(snap) << snap.error().message();
	const std::string dir = "/sys/kernel/debug/nsprobe";
	std::string status = render_text(build_status(snap, dir));
	EXPECT_NE(status.find(" postmortem=2 postmortem_lost=1\n"), std::string::npos) << status;
	expect_golden("status_1_4.txt", status);
	json st = to_json(build_status(snap, dir));
	EXPECT_EQ(st["stats"]["postmortem"], 2);
	EXPECT_EQ(st["stats"]["postmortem_lost"], 1);
	expect_golden("status_1_4.json", st.dump(2) + "\n");

	// show lists the live netns as before, then the dead ones apart: the
	// dead one's inum stays the live blue's, with the live cookie and
	// counters; the dead record keeps its own.
	ShowModel sh = show_model(snap);
	ASSERT_EQ(sh.netns.size(), 3u);
	EXPECT_EQ(sh.netns[1].inum, 4026532201u);
	EXPECT_EQ(sh.netns[1].cookie, 4097u);
	ASSERT_TRUE(sh.netns[1].nsprobe);
	EXPECT_EQ(sh.netns[1].nsprobe->sig_generated, 6u);
	EXPECT_EQ(sh.netns[1].oom_kills, 2u);
	ASSERT_EQ(sh.gone.size(), 2u);
	EXPECT_EQ(sh.gone[0].inum, 4026532201u);
	EXPECT_EQ(sh.gone[0].cookie, 12u);
	ASSERT_TRUE(sh.gone[0].nsprobe);
	EXPECT_EQ(sh.gone[0].gone.age_ns, 12000000000u);
	EXPECT_EQ(sh.gone[1].cookie, 13u);
	std::string show13 = render_text(show_model(snapshot_of("v1_3")));
	// The line on where qdisc drops are closes the whole text, after the
	// dead netns of 1.4: compare the live netns without it.
	const std::string hint = "\nqdisc drops: show --wide (QDISC_DROP); every stage of the drop "
				 "path: nsprobe drops\n";
	ASSERT_GE(show13.size(), hint.size());
	EXPECT_EQ(show13.substr(show13.size() - hint.size()), hint);
	show13.resize(show13.size() - hint.size());
	std::string show14 = render_text(sh);
	std::string live14 = show14.substr(0, show14.find("\nnetns 4026532201 cookie 12 (gone"));
	EXPECT_EQ(live14.substr(live14.find('\n')), show13.substr(show13.find('\n')));
	EXPECT_NE(show14.find("\nnetns 4026532201 cookie 12 (gone 12 s ago, at "), std::string::npos)
		<< show14;
	expect_golden("show_1_4.txt", show14);
	expect_golden("show_1_4.json", to_json(sh).dump(2) + "\n");
	// --netns names one netns: the inum of a live and a dead one is
	// ambiguous, INUM:COOKIE picks either.
	ShowModel one = show_model(snap);
	auto amb = select_netns(one, std::string("4026532201"));
	ASSERT_FALSE(amb);
	EXPECT_EQ(amb.error().code, Errc::usage);
	ASSERT_TRUE(select_netns(one, std::string("4026532201:4097")));
	ASSERT_EQ(one.netns.size(), 1u);
	EXPECT_EQ(one.netns[0].cookie, 4097u);
	EXPECT_TRUE(one.gone.empty());
	ShowModel only_dead = show_model(snap);
	ASSERT_TRUE(select_netns(only_dead, std::string("4026532201:12")));
	EXPECT_TRUE(only_dead.netns.empty());
	ASSERT_EQ(only_dead.gone.size(), 1u);
	EXPECT_EQ(only_dead.gone[0].cookie, 12u);

	SignalsModel sg = build_signals(snap, dir, {info(4026532201, {"blue"}, {{1234, "sleep"}})});
	ASSERT_EQ(sg.netns.size(), 4u);
	// Never merged: the live blue keeps its name and counters; the dead
	// netns of the same inum gets no name, its own rows.
	const SignalNetnsView &blue = sg.netns[1], &dead = sg.netns[2], &quiet = sg.netns[3];
	EXPECT_EQ(blue.cookie, 4097u);
	EXPECT_FALSE(blue.gone);
	EXPECT_EQ(blue.names, (std::vector<std::string>{"blue"}));
	EXPECT_EQ(blue.signals.size(), 3u);
	EXPECT_EQ(dead.inum, 4026532201u);
	EXPECT_EQ(dead.cookie, 12u);
	ASSERT_TRUE(dead.gone);
	EXPECT_TRUE(dead.names.empty());
	EXPECT_TRUE(dead.pids.empty());
	EXPECT_FALSE(dead.anonymous);
	EXPECT_EQ(dead.gone->age_ns, 12000000000u);
	EXPECT_EQ(dead.gone->cgroup_id, 1234u);
	ASSERT_TRUE(dead.container);
	EXPECT_EQ(dead.container->runtime, "podman");
	ASSERT_EQ(dead.signals.size(), 2u);
	EXPECT_EQ(dead.signals[0].name, "SIGKILL");
	EXPECT_EQ(dead.signals[0].generated, 1u);
	EXPECT_EQ(dead.signals[1].ignored_init, 1u);
	ASSERT_TRUE(quiet.gone);
	EXPECT_EQ(quiet.gone->cgroup_id, std::nullopt);
	EXPECT_EQ(quiet.gone->cgroup, std::nullopt);
	EXPECT_EQ(quiet.container, std::nullopt);
	EXPECT_TRUE(quiet.signals.empty());
	EXPECT_EQ(sg.postmortem_lost, 1u);

	std::string text = render_text(sg);
	EXPECT_NE(text.find("\nnetns 4026532201 cookie 12 (gone 12 s ago, at 2025-12-06 05:46:40 UTC)\n"
			    "  from: podman container 0123abcd4567, cgroup /machine.slice/libpod-"),
		  std::string::npos) << text;
	EXPECT_NE(text.find("\nnetns 4026532400 cookie 13 (gone 3 s ago, at 2025-12-06 05:46:49 UTC)\n"
			    "  from: cgroup unknown, container unknown\n  no signal counted\n"),
		  std::string::npos) << text;
	expect_golden("signals_1_4.txt", text);

	json j = to_json(sg);
	EXPECT_EQ(j["netns"][1]["gone"], nullptr);
	EXPECT_EQ(keys(j["netns"][2]), (K{"anonymous", "container", "cookie", "gone", "init", "inum",
					  "names", "pids", "signals"}));
	const std::string id = "0123abcd4567ef890123abcd4567ef890123abcd4567ef890123abcd4567ef89";
	const std::string cg = "/machine.slice/libpod-" + id + ".scope/container";
	json container = {{"runtime", "podman"}, {"id", id}, {"cgroup_version", 2}, {"cgroup", cg}};
	EXPECT_EQ(j["netns"][2]["gone"], (json{{"gone_ns", 1765000000000000000u},
					       {"age_ns", 12000000000u},
					       {"cgroup_id", 1234},
					       {"cgroup", cg},
					       {"container", container}}));
	EXPECT_EQ(j["netns"][2]["container"], container);
	EXPECT_EQ(j["netns"][3]["gone"], (json{{"gone_ns", 1765000009000000000u},
					       {"age_ns", 3000000000u},
					       {"cgroup_id", nullptr},
					       {"cgroup", nullptr},
					       {"container", nullptr}}));
	EXPECT_EQ(j["postmortem_lost"], 1);
	expect_golden("signals_1_4.json", j.dump(2) + "\n");

	// 1.3: no dead netns, and the 1.4 stats unknown.
	json sg13 = to_json(build_signals(snapshot_of("v1_3"), dir, {}));
	EXPECT_EQ(sg13["postmortem_lost"], nullptr);
	for (const json &n : sg13["netns"])
		EXPECT_EQ(n["gone"], nullptr);
	EXPECT_EQ(to_json(build_status(snapshot_of("v1_3"), dir))["stats"]["postmortem"], nullptr);
}

// Format 1.5: the node's table after the netns; JSON node_signals. Both
// gone with --netns (not that netns' counts), and null from a 1.4 module.
TEST(RenderText, Format15NodeSignals)
{
	const std::string dir = "/sys/kernel/debug/nsprobe";
	SignalsModel sg = build_signals(snapshot_of("v1_5"), dir, {});
	ASSERT_TRUE(sg.node);
	ASSERT_EQ(sg.node->size(), 4u);
	EXPECT_TRUE(sg.node->at(3).explanations.empty());
	std::string text = render_text(sg);
	auto at = text.find("\nthe whole node: every netns, those dead since included, since the "
			    "module's load or last reset\n");
	ASSERT_NE(at, std::string::npos) << text;
	EXPECT_NE(text.find("  SIGTERM  15          3       2          0        3", at),
		  std::string::npos) << text;
	expect_golden("signals_1_5.txt", text);
	json j = to_json(sg);
	ASSERT_EQ(j["node_signals"].size(), 4u);
	EXPECT_EQ(j["node_signals"][0]["name"], "SIGKILL");
	EXPECT_EQ(j["node_signals"][0]["generated"], 4);
	EXPECT_EQ(j["node_signals"][3]["ignored_init"], 3);
	expect_golden("signals_1_5.json", j.dump(2) + "\n");

	NetnsTarget blue;
	blue.inum = 4026532201;
	blue.cookie = 4097;
	select_netns(sg, blue);
	EXPECT_EQ(sg.node, std::nullopt);
	EXPECT_EQ(render_text(sg).find("the whole node"), std::string::npos);
	EXPECT_EQ(to_json(build_signals(snapshot_of("v1_4"), dir, {}))["node_signals"], nullptr);
}

TEST(RenderText, GoneAgo)
{
	EXPECT_EQ(gone_ago(0), "gone <1 s ago");
	EXPECT_EQ(gone_ago(999999999), "gone <1 s ago");
	EXPECT_EQ(gone_ago(12000000000), "gone 12 s ago");
	EXPECT_EQ(gone_ago(119999999999), "gone 119 s ago");
	EXPECT_EQ(gone_ago(120000000000), "gone 2 min ago");
	EXPECT_EQ(gone_ago(7199000000000), "gone 119 min ago");
	EXPECT_EQ(gone_ago(7200000000000), "gone 2 h ago");
	EXPECT_EQ(gone_ago(172800000000000), "gone 2 days ago");
	GoneView g;
	g.gone_ns = 1765000000000000000;
	g.age_ns = 5000000000;
	EXPECT_EQ(gone_when(g), "gone 5 s ago, at 2025-12-06 05:46:40 UTC");
	EXPECT_EQ(gone_from(g), "cgroup unknown, container unknown");
	g.cgroup_id = 77;
	EXPECT_EQ(gone_from(g), "cgroup unknown (id 77), container unknown");
	g.cgroup = "/user.slice/a\nb.scope";
	EXPECT_EQ(gone_from(g), "cgroup /user.slice/a\\012b.scope, container unknown");
}

TEST(RenderText, Golden)
{
	auto snap = good_snapshot();
	expect_golden("show.txt", render_text(show_model(snap)));
	expect_golden("show.json", to_json(show_model(snap)).dump(2) + "\n");
	expect_golden("status.txt", render_text(build_status(snap, "/sys/kernel/debug/nsprobe")));
	expect_golden("signals.txt",
		      render_text(build_signals(snap, "/sys/kernel/debug/nsprobe",
						{info(4026532201, {"blue"}, {{1234, "sleep"}})})));
}

// Issue 12 item 4: packets that reached a veth without its peer's veth_xmit.
TEST(RenderText, RxWithoutVethXmit)
{
	auto snap = good_snapshot();
	ShowModel m = show_model(snap);
	InterfaceView &h1 = m.netns[0].interfaces[1];
	ASSERT_EQ(h1.link.name, "h1");
	h1.link.stats.rx_packets = 50;
	h1.nsprobe->rx_veth = 30;
	EXPECT_EQ(rx_without_veth_xmit(h1), std::nullopt);	// format < 1.7: no base
	const std::string line =
		"\n  12 packets reached h1 without veth_xmit (bpf_redirect_peer, XDP redirect or "
		"XDP_TX)\n";
	EXPECT_EQ(render_text(m).find("without veth_xmit"), std::string::npos);
	h1.nsprobe->rx_packets_base = 8;	// 8 received before the counters started
	EXPECT_EQ(rx_without_veth_xmit(h1), 12u);
	h1.nsprobe->rx_packets_base = 20;	// stats read moments apart: never negative
	EXPECT_EQ(rx_without_veth_xmit(h1), 0u);
	h1.nsprobe->rx_packets_base = 60;	// a base above the link's: never wraps
	EXPECT_EQ(rx_without_veth_xmit(h1), 0u);
	h1.nsprobe->rx_packets_base = 20;
	h1.nsprobe->rx_veth = 18;
	EXPECT_EQ(rx_without_veth_xmit(h1), 12u);
	// rx_veth unknown (counters-only mode, or veth_fwd not armed): so is
	// the difference.
	Coverage counters_only;
	counters_only.gaps.push_back({"veth_xmit", "veth_xmit", "armed", kCountersOnly, 0,
				      {"drops", "rx_veth"}});
	EXPECT_EQ(rx_without_veth_xmit(h1, counters_only), std::nullopt);
	EXPECT_EQ(rx_without_veth_xmit(h1, Coverage{}), 12u);

	std::string text = render_text(m);
	EXPECT_NE(text.find(line), std::string::npos) << text;
	EXPECT_EQ(text.find("note: before Linux 6.7"), std::string::npos) << text;	// not asked
	EXPECT_EQ(to_json(m)["netns"][0]["interfaces"][1]["rx_without_veth_xmit"], 12u);
	EXPECT_EQ(to_json(m)["netns"][0]["interfaces"][1]["nsprobe"]["rx_veth"], 18u);
	EXPECT_NE(render_text(m, {.wide = true}).find(line), std::string::npos);
	expect_golden("show_blind.txt", text);

	// A kernel that may not count bpf_redirect_peer in RX (before 6.7,
	// where it takes a stable backport): said once, with --wide only (on
	// 6.1 every show would carry it otherwise).
	m.redirect_peer_asked = true;
	EXPECT_EQ(render_text(m).find("note: before Linux 6.7"), std::string::npos);
	text = render_text(m, {.wide = true});
	const std::string note =
		"\nnote: before Linux 6.7 a veth's RX counts bpf_redirect_peer traffic only with a "
		"stable backport (Debian's 6.1.170 has it) that nsprobe cannot detect: without it, "
		"that traffic is in no counter and not in \"without veth_xmit\"\n";
	EXPECT_NE(text.find(note), std::string::npos) << text;
	EXPECT_EQ(to_json(m)["rx_counts_redirect_peer"], nullptr);
	m.rx_counts_redirect_peer = true;
	EXPECT_EQ(render_text(m, {.wide = true}).find("note: before Linux 6.7"), std::string::npos);
	EXPECT_EQ(to_json(m)["rx_counts_redirect_peer"], true);
	// Nothing to qualify when no device has a known count (format < 1.7).
	m.rx_counts_redirect_peer.reset();
	h1.nsprobe->rx_packets_base.reset();
	EXPECT_EQ(render_text(m, {.wide = true}).find("note: before Linux 6.7"), std::string::npos);
	// Counters-only: unknown, no line, null in JSON (rx_veth too).
	h1.nsprobe->rx_packets_base = 20;
	m.coverage = counters_only;
	EXPECT_EQ(render_text(m).find("without veth_xmit"), std::string::npos);
	EXPECT_EQ(to_json(m)["netns"][0]["interfaces"][1]["rx_without_veth_xmit"], nullptr);
	EXPECT_EQ(to_json(m)["netns"][0]["interfaces"][1]["nsprobe"]["rx_veth"], nullptr);
}

TEST(Model, RxCountsRedirectPeer)
{
	// Before 6.7: a stable backport or not, the release does not say.
	EXPECT_EQ(rx_counts_redirect_peer("6.1.0-47-amd64"), std::nullopt);
	EXPECT_EQ(rx_counts_redirect_peer("6.6.30"), std::nullopt);
	EXPECT_EQ(rx_counts_redirect_peer("6.7.0"), true);
	EXPECT_EQ(rx_counts_redirect_peer("6.12.107+deb12-amd64"), true);
	EXPECT_EQ(rx_counts_redirect_peer("6.12.107+deb12-rt-amd64"), true);
	EXPECT_EQ(rx_counts_redirect_peer("7.0"), true);
	EXPECT_EQ(rx_counts_redirect_peer("5.15.0-91-generic"), std::nullopt);
	EXPECT_EQ(rx_counts_redirect_peer("10.0"), true);
	EXPECT_EQ(rx_counts_redirect_peer("6"), std::nullopt);
	EXPECT_EQ(rx_counts_redirect_peer("6."), std::nullopt);
	EXPECT_EQ(rx_counts_redirect_peer("x.y"), std::nullopt);
	EXPECT_EQ(rx_counts_redirect_peer(""), std::nullopt);
}

TEST(RenderText, WideColourAndDropReasons)
{
	auto snap = good_snapshot();
	ShowModel m = show_model(snap);
	expect_golden("show_wide.txt", render_text(m, {.wide = true}));

	InterfaceView &h1 = m.netns[0].interfaces[1];
	ASSERT_EQ(h1.link.name, "h1");
	h1.nsprobe->drops = 7;
	h1.nsprobe->drop_mtu = 5;
	h1.nsprobe->drop_peer = 2;
	h1.link.stats.tx_dropped = 10;
	std::string text = render_text(m);
	EXPECT_NE(text.find("\n  drops at veth_xmit: h1 7 (peer 2, mtu 5)\n"), std::string::npos) << text;
	EXPECT_EQ(drops_before_driver(h1), std::nullopt);	// no tx_dropped_base (1.0)
	h1.nsprobe->tx_dropped_base = 0;
	EXPECT_EQ(drops_before_driver(h1), 3u);
	h1.nsprobe->tx_dropped_base = 2;	// 2 dropped before the counters started
	EXPECT_EQ(drops_before_driver(h1), 1u);
	h1.nsprobe->tx_dropped_base = 12;	// stats read moments apart: never negative
	EXPECT_EQ(drops_before_driver(h1), 0u);
	// Counters-only mode: nsprobe's drops are unknown, so is the difference.
	h1.nsprobe->tx_dropped_base = 0;
	Coverage counters_only;
	counters_only.gaps.push_back({"veth_xmit", "veth_xmit", "armed", kCountersOnly, 0,
				      {"drops", "requeued"}});
	EXPECT_EQ(drops_before_driver(h1, counters_only), std::nullopt);
	EXPECT_EQ(drops_before_driver(h1, Coverage{}), 3u);
	{
		ShowModel mc = m;
		mc.coverage = counters_only;
		std::string t = render_text(mc);
		// h1's row ends "... NSP_DROPS PRE_DRIVER": both unknown.
		size_t at = t.find("\n  h1 ");
		ASSERT_NE(at, std::string::npos) << t;
		std::istringstream row(t.substr(at + 1, t.find('\n', at + 1) - at - 1));
		std::vector<std::string> cells{std::istream_iterator<std::string>(row), {}};
		ASSERT_GE(cells.size(), 2u);
		EXPECT_EQ(cells[cells.size() - 2] + " " + cells.back(), "- -") << t;
		EXPECT_EQ(to_json(mc)["netns"][0]["interfaces"][1]["drops_before_driver"], nullptr);
		EXPECT_EQ(to_json(mc)["netns"][0]["interfaces"][1]["nsprobe"]["drops"], nullptr);
	}
	EXPECT_EQ(text.find("\033["), std::string::npos);
	std::string bold = render_text(m, {.color = true});
	EXPECT_NE(bold.find("  \033[1mIFACE"), std::string::npos) << bold;
}

// show --wide's QDISC_DROP: each interface's root qdiscs' drops, beside the
// module's counters; "-" (JSON null) when not read or unknown, with the
// reason once per netns.
TEST(RenderText, WideQdiscDrops)
{
	ShowModel m = show_model(good_snapshot());
	NetnsView &v = m.netns[0];
	ASSERT_GE(v.interfaces.size(), 2u);
	InterfaceView &h1 = v.interfaces[1];
	ASSERT_EQ(h1.link.name, "h1");
	auto cell = [](const std::string &text, const std::string &iface, size_t from_end) {
		size_t at = text.find("\n  " + iface + " ");
		if (at == std::string::npos)
			return std::string("no row");
		std::istringstream row(text.substr(at + 1, text.find('\n', at + 1) - at - 1));
		std::vector<std::string> cells{std::istream_iterator<std::string>(row), {}};
		return cells.size() > from_end ? cells[cells.size() - 1 - from_end] : "short row";
	};
	// Not read (show without --wide): "-", JSON null, no line.
	std::string text = render_text(m, {.wide = true});
	EXPECT_NE(text.find("  QDISC_DROP  PRE_DRIVER\n"), std::string::npos) << text;
	EXPECT_EQ(cell(text, "h1", 1), "-") << text;
	EXPECT_EQ(to_json(m)["netns"][0]["interfaces"][1]["qdisc_drops"], nullptr);
	EXPECT_EQ(to_json(m)["netns"][0]["qdisc_error"], nullptr);

	NetnsDropCounters c;
	QdiscStats tbf;
	tbf.ifindex = h1.link.ifindex;
	tbf.parent = 0xFFFFFFFFu;	// TC_H_ROOT
	tbf.drops = 494;
	c.qdiscs = {tbf};
	attach_qdisc_drops(v, c);
	EXPECT_EQ(h1.qdisc_drops, 494u);
	EXPECT_EQ(v.interfaces[0].qdisc_drops, 0u);	// no qdisc there: none dropped
	text = render_text(m, {.wide = true});
	EXPECT_EQ(cell(text, "h1", 1), "494") << text;
	EXPECT_EQ(cell(text, v.interfaces[0].link.name, 1), "0") << text;
	EXPECT_EQ(to_json(m)["netns"][0]["interfaces"][1]["qdisc_drops"], 494);
	// The default table has no qdisc column: its last cell stays PRE_DRIVER.
	EXPECT_EQ(render_text(m).find("  QDISC_DROP"), std::string::npos);
	EXPECT_NE(render_text(m).find("\nqdisc drops: show --wide (QDISC_DROP)"), std::string::npos);
	EXPECT_EQ(render_text(m, {.wide = true}).find("qdisc drops: show --wide"), std::string::npos);

	// The qdisc dump failed, or the netns vanished: unknown, and why.
	ShowModel f = show_model(good_snapshot());
	c.qdisc_error = "RTM_GETQDISC dump in netns 1: Operation not permitted";
	attach_qdisc_drops(f.netns[0], c);
	text = render_text(f, {.wide = true});
	EXPECT_EQ(cell(text, "h1", 1), "-") << text;
	EXPECT_NE(text.find("\n  qdiscs unavailable: RTM_GETQDISC dump in netns 1: Operation not "
			    "permitted\n"), std::string::npos) << text;
	EXPECT_EQ(to_json(f)["netns"][0]["qdisc_error"],
		  "RTM_GETQDISC dump in netns 1: Operation not permitted");
	ShowModel g = show_model(good_snapshot());
	attach_qdisc_drops(g.netns[0], Error{Errc::netns_not_found, "netns 7", "gone", {}, 0});
	EXPECT_EQ(g.netns[0].qdisc_error, "netns 7: gone");
	EXPECT_EQ(g.netns[0].interfaces[1].qdisc_drops, std::nullopt);
}

TEST(SignalName, Names)
{
	EXPECT_EQ(signal_name(9), "SIGKILL");
	EXPECT_EQ(signal_name(15), "SIGTERM");
	EXPECT_EQ(signal_name(SIGRTMIN), "SIGRTMIN");
	EXPECT_EQ(signal_name(SIGRTMIN + 3), "SIGRTMIN+3");
	EXPECT_EQ(signal_name(32), "SIG32");
}
