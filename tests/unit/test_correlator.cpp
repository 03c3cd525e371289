// Correlator on fakes: veth peer resolution and counter matching, exact values.
#include <gtest/gtest.h>

#include "fakes.h"

using namespace nsprobe;
using namespace nsprobe::test;

namespace {

Result<Snapshot> no_counters()
{
	return Error{Errc::module_not_loaded, "/x/nsprobe", "does not exist", {}, 0};
}

const NetnsView &ns_of(const ShowModel &m, uint64_t inum, std::optional<uint64_t> cookie = {})
{
	for (const NetnsView &v : m.netns)
		if (v.inum == inum && (!cookie || v.cookie == cookie))
			return v;
	throw std::runtime_error("netns " + std::to_string(inum) + " not in model");
}

const InterfaceView &if_of(const NetnsView &v, const std::string &name)
{
	for (const InterfaceView &i : v.interfaces)
		if (i.link.name == name)
			return i;
	throw std::runtime_error("interface " + name + " not in netns " + std::to_string(v.inum));
}

void expect_peer(const InterfaceView &iv, PeerStatus status, const std::string &name, int ifindex,
		 uint64_t inum)
{
	ASSERT_TRUE(iv.peer) << iv.link.name;
	EXPECT_EQ(iv.peer->status, status) << iv.link.name << ": "
					   << peer_status_name(iv.peer->status);
	EXPECT_EQ(iv.peer->name, name) << iv.link.name;
	EXPECT_EQ(iv.peer->ifindex, ifindex) << iv.link.name;
	ASSERT_TRUE(iv.peer->netns) << iv.link.name;
	EXPECT_EQ(iv.peer->netns->inum, inum) << iv.link.name;
}

ShowModel run(FakeLinkSource &links, std::vector<NetnsInfo> infos,
	      const Result<Snapshot> &counters = no_counters())
{
	auto obs = collect_links(std::move(infos), links);
	return correlate(obs, links, counters, "/x/nsprobe");
}

} // namespace

// host(100): h1(3)->c1, h2(4)->c2, h3(5)->c3; each container has its veth at
// ifindex 2 pointing back at the host one.
TEST(Correlator, ThreeNetnsEachWithIfindex2)
{
	FakeLinkSource links;
	links.add(100, 1, {loopback(), veth("h1", 3, 2, 0), veth("h2", 4, 2, 1), veth("h3", 5, 2, 2)});
	links.add(201, 11, {loopback(), veth("eth0", 2, 3, 0)});
	links.add(202, 12, {loopback(), veth("eth0", 2, 4, 0)});
	links.add(203, 13, {loopback(), veth("eth0", 2, 5, 0)});
	links.set_nsid(100, 201, 0);
	links.set_nsid(100, 202, 1);
	links.set_nsid(100, 203, 2);
	for (uint64_t c : {201, 202, 203})
		links.set_nsid(c, 100, 0);
	ShowModel m = run(links, {info(100, {}, {}, true), info(201, {"c1"}), info(202, {"c2"}),
				  info(203, {"c3"})});

	ASSERT_EQ(m.netns.size(), 4u);
	const NetnsView &host = ns_of(m, 100);
	EXPECT_EQ(host.cookie, 1u);
	expect_peer(if_of(host, "h1"), PeerStatus::resolved, "eth0", 2, 201);
	expect_peer(if_of(host, "h2"), PeerStatus::resolved, "eth0", 2, 202);
	expect_peer(if_of(host, "h3"), PeerStatus::resolved, "eth0", 2, 203);
	EXPECT_EQ(if_of(host, "h2").peer->netns->names, std::vector<std::string>{"c2"});
	EXPECT_EQ(if_of(host, "h2").peer->netns->cookie, 12u);
	expect_peer(if_of(ns_of(m, 201), "eth0"), PeerStatus::resolved, "h1", 3, 100);
	expect_peer(if_of(ns_of(m, 202), "eth0"), PeerStatus::resolved, "h2", 4, 100);
	expect_peer(if_of(ns_of(m, 203), "eth0"), PeerStatus::resolved, "h3", 5, 100);
	EXPECT_FALSE(if_of(host, "lo").peer);
	// Only candidates are queried: one GETNSID per veth, none for lo.
	EXPECT_EQ(links.queries.size(), 6u);
}

// Two "hosts" each with a veth at ifindex 3 to a container veth at ifindex 2:
// the shape alone is ambiguous, the nsid decides.
TEST(Correlator, NsidDisambiguatesIdenticalShapes)
{
	FakeLinkSource links;
	links.add(100, 1, {veth("ha", 3, 2, 5)});
	links.add(101, 2, {veth("hb", 3, 2, 5)});
	links.add(201, 11, {veth("ca", 2, 3, 7)});
	links.add(202, 12, {veth("cb", 2, 3, 7)});
	links.set_nsid(100, 201, 5);
	links.set_nsid(100, 202, 6);
	links.set_nsid(101, 202, 5);
	links.set_nsid(101, 201, 9);
	links.set_nsid(201, 100, 7);
	links.set_nsid(201, 101, 8);
	links.set_nsid(202, 101, 7);
	links.set_nsid(202, 100, 8);
	ShowModel m = run(links, {info(100), info(101), info(201), info(202)});
	expect_peer(if_of(ns_of(m, 100), "ha"), PeerStatus::resolved, "ca", 2, 201);
	expect_peer(if_of(ns_of(m, 101), "hb"), PeerStatus::resolved, "cb", 2, 202);
	expect_peer(if_of(ns_of(m, 201), "ca"), PeerStatus::resolved, "ha", 3, 100);
	expect_peer(if_of(ns_of(m, 202), "cb"), PeerStatus::resolved, "hb", 3, 101);
}

// Both ends have ifindex 2 in different netns. The kernel omits IFLA_LINK
// then (it equals the own ifindex): that is a peer, not "no peer".
TEST(Correlator, SameIfindexOnBothEnds)
{
	FakeLinkSource links;
	links.add(301, 31, {loopback(), veth("p0", 2, std::nullopt, 0)});
	links.add(302, 32, {loopback(), veth("q0", 2, std::nullopt, 0)});
	links.set_nsid(301, 302, 0);
	links.set_nsid(302, 301, 0);
	ShowModel m = run(links, {info(301, {"p"}), info(302, {"q"})});
	expect_peer(if_of(ns_of(m, 301), "p0"), PeerStatus::resolved, "q0", 2, 302);
	expect_peer(if_of(ns_of(m, 302), "q0"), PeerStatus::resolved, "p0", 2, 301);
}

TEST(Correlator, SameIfindexWithExplicitLink)
{
	FakeLinkSource links;
	links.add(301, 31, {veth("p0", 2, 2, 0)});
	links.add(302, 32, {veth("q0", 2, 2, 0)});
	links.set_nsid(301, 302, 0);
	links.set_nsid(302, 301, 0);
	ShowModel m = run(links, {info(301), info(302)});
	expect_peer(if_of(ns_of(m, 301), "p0"), PeerStatus::resolved, "q0", 2, 302);
	expect_peer(if_of(ns_of(m, 302), "q0"), PeerStatus::resolved, "p0", 2, 301);
}

// u0 has no nsid for its peer's netns: the single candidate is taken but
// marked unverified; from the other side the nsid proves it.
TEST(Correlator, UnassignedNetnsid)
{
	FakeLinkSource links;
	links.add(401, 41, {veth("u0", 7, 8, kNsidNotAssigned)});
	links.add(402, 42, {veth("v0", 8, 7, 3)});
	links.set_nsid(402, 401, 3);
	ShowModel m = run(links, {info(401), info(402)});
	expect_peer(if_of(ns_of(m, 401), "u0"), PeerStatus::unverified, "v0", 8, 402);
	expect_peer(if_of(ns_of(m, 402), "v0"), PeerStatus::resolved, "u0", 7, 401);
	// Unassigned ids are never queried from u0's side.
	for (auto &q : links.queries)
		EXPECT_NE(q.first, 401u);
}

TEST(Correlator, UnassignedNetnsidAmbiguous)
{
	FakeLinkSource links;
	links.add(401, 41, {veth("u0", 7, 8, kNsidNotAssigned)});
	links.add(402, 42, {veth("v0", 8, 7, 3)});
	links.add(403, 43, {veth("w0", 8, 7, 4)});
	ShowModel m = run(links, {info(401), info(402), info(403)});
	const InterfaceView &u0 = if_of(ns_of(m, 401), "u0");
	ASSERT_TRUE(u0.peer);
	EXPECT_EQ(u0.peer->status, PeerStatus::ambiguous);
	EXPECT_EQ(u0.peer->ifindex, 8);
	EXPECT_FALSE(u0.peer->netns);
}

// No link-netnsid: the pair is inside one netns, and an identically shaped
// pair in another netns must not be taken.
TEST(Correlator, AbsentNetnsidMeansSameNetns)
{
	FakeLinkSource links;
	links.add(501, 51, {veth("s0", 2, 3, std::nullopt), veth("s1", 3, 2, std::nullopt)});
	links.add(502, 52, {veth("t0", 2, 3, std::nullopt), veth("t1", 3, 2, std::nullopt)});
	ShowModel m = run(links, {info(501), info(502)});
	expect_peer(if_of(ns_of(m, 501), "s0"), PeerStatus::resolved, "s1", 3, 501);
	expect_peer(if_of(ns_of(m, 501), "s1"), PeerStatus::resolved, "s0", 2, 501);
	expect_peer(if_of(ns_of(m, 502), "t0"), PeerStatus::resolved, "t1", 3, 502);
	expect_peer(if_of(ns_of(m, 502), "t1"), PeerStatus::resolved, "t0", 2, 502);
	EXPECT_TRUE(links.queries.empty());
}

TEST(Correlator, PeerInInvisibleNetnsIsNotFound)
{
	FakeLinkSource links;
	links.add(100, 1, {veth("h9", 9, 2, 4)});
	ShowModel m = run(links, {info(100)});
	const InterfaceView &h9 = if_of(ns_of(m, 100), "h9");
	ASSERT_TRUE(h9.peer);
	EXPECT_EQ(h9.peer->status, PeerStatus::not_found);
	EXPECT_EQ(h9.peer->ifindex, 2);
}

TEST(Correlator, VanishedNetnsIsSkippedOthersStay)
{
	FakeLinkSource links;
	links.add(100, 1, {veth("h1", 3, 2, 0)});
	links.vanish(201);
	links.set_nsid(100, 201, 0);
	ShowModel m = run(links, {info(100), info(201, {"gone"}), info(202)});
	ASSERT_EQ(m.skipped.size(), 1u);
	EXPECT_EQ(m.skipped[0].inum, 201u);
	EXPECT_EQ(if_of(ns_of(m, 100), "h1").peer->status, PeerStatus::not_found);
	// 202 could not be dumped (permission in the fake): shown with the error.
	EXPECT_TRUE(ns_of(m, 202).links_error);
}

// Counters go to (inum, cookie, ifindex), never to a recycled inum whose
// cookie differs. Netns and devices known only to the module are anonymous.
TEST(Correlator, CountersMatchInumCookieIfindex)
{
	FakeLinkSource links;
	links.add(100, 1, {loopback(), veth("h1", 3, 2, 0)});
	links.add(201, 11, {veth("eth0", 2, 3, 0)});
	links.set_nsid(100, 201, 0);
	links.set_nsid(201, 100, 0);

	Snapshot s;
	s.version = {1, 0};
	s.netns = {
		{100, 1, 1, 60, 5880, 0, 0},
		{201, 999, 1, 7, 700, 0, 0},	// recycled inum 201, other cookie
		{201, 11, 1, 40, 3920, 2, 1},
		{777, 55, 0, 0, 0, 1, 1},	// known only to the module
	};
	auto dev = [](uint32_t inum, uint64_t cookie, int ifindex, std::string name, uint64_t pk,
		      uint64_t by) {
		DevRecord d;
		d.inum = inum;
		d.cookie = cookie;
		d.ifindex = ifindex;
		d.name = std::move(name);
		d.tx_packets = pk;
		d.tx_bytes = by;
		return d;
	};
	s.devices = {dev(100, 1, 3, "h1", 60, 5880), dev(201, 999, 2, "eth0", 7, 700),
		     dev(201, 11, 2, "eth0", 40, 3920), dev(100, 1, 9, "old", 5, 500)};
	ShowModel m = run(links, {info(100), info(201)}, Result<Snapshot>(s));

	ASSERT_TRUE(m.counters.available);
	const NetnsView &host = ns_of(m, 100, 1);
	ASSERT_TRUE(host.nsprobe);
	EXPECT_EQ(host.nsprobe->tx_packets, 60u);
	ASSERT_TRUE(if_of(host, "h1").nsprobe);
	EXPECT_EQ(if_of(host, "h1").nsprobe->tx_packets, 60u);
	EXPECT_EQ(if_of(host, "h1").nsprobe->tx_bytes, 5880u);
	EXPECT_FALSE(if_of(host, "lo").nsprobe);
	ASSERT_EQ(host.module_devices.size(), 1u);
	EXPECT_EQ(host.module_devices[0].ifindex, 9);

	const NetnsView &c = ns_of(m, 201, 11);
	EXPECT_FALSE(c.anonymous);
	ASSERT_TRUE(c.nsprobe);
	EXPECT_EQ(c.nsprobe->cookie, 11u);
	EXPECT_EQ(c.nsprobe->tx_packets, 40u);
	ASSERT_TRUE(if_of(c, "eth0").nsprobe);
	EXPECT_EQ(if_of(c, "eth0").nsprobe->tx_packets, 40u);
	EXPECT_TRUE(c.module_devices.empty());

	const NetnsView &recycled = ns_of(m, 201, 999);
	EXPECT_TRUE(recycled.anonymous);
	ASSERT_TRUE(recycled.nsprobe);
	EXPECT_EQ(recycled.nsprobe->tx_packets, 7u);
	ASSERT_EQ(recycled.module_devices.size(), 1u);
	EXPECT_EQ(recycled.module_devices[0].tx_packets, 7u);

	const NetnsView &anon = ns_of(m, 777);
	EXPECT_TRUE(anon.anonymous);
	EXPECT_EQ(anon.cookie, 55u);
	EXPECT_TRUE(anon.interfaces.empty());
	EXPECT_EQ(m.netns.size(), 4u);
}

// Without a cookie (kernel < 5.14) a netns is keyed by inum alone.
TEST(Correlator, UnknownCookieMatchesByInum)
{
	FakeLinkSource links;
	links.add(100, std::nullopt, {veth("h1", 3, 2, std::nullopt), veth("h2", 2, 3, std::nullopt)});
	Snapshot s;
	s.netns = {{100, 42, 2, 3, 300, 0, 0}};
	DevRecord d;
	d.inum = 100;
	d.cookie = 42;
	d.ifindex = 2;
	d.name = "h2";
	d.tx_packets = 3;
	s.devices = {d};
	ShowModel m = run(links, {info(100)}, Result<Snapshot>(s));
	ASSERT_EQ(m.netns.size(), 1u);
	EXPECT_EQ(m.netns[0].cookie, 42u);	// learnt from the module
	EXPECT_EQ(if_of(m.netns[0], "h2").nsprobe->tx_packets, 3u);
}

TEST(Correlator, SelectNetns)
{
	FakeLinkSource links;
	links.add(100, 1, {loopback()});	// nothing worth showing
	links.add(201, 11, {veth("eth0", 2, 3, 0)});
	links.add(202, 12, {loopback()});
	ShowModel all = run(links, {info(100), info(201, {"c1"}), info(202, {"quiet"})});

	ShowModel def = all;
	ASSERT_TRUE(select_netns(def, std::nullopt));
	ASSERT_EQ(def.netns.size(), 1u);
	EXPECT_EQ(def.netns[0].inum, 201u);

	ShowModel by_name = all;
	ASSERT_TRUE(select_netns(by_name, std::string("quiet")));
	ASSERT_EQ(by_name.netns.size(), 1u);
	EXPECT_EQ(by_name.netns[0].inum, 202u);

	ShowModel by_inum = all;
	ASSERT_TRUE(select_netns(by_inum, std::string("100")));
	ASSERT_EQ(by_inum.netns.size(), 1u);

	ShowModel none = all;
	auto s = select_netns(none, std::string("nope"));
	ASSERT_FALSE(s);
	EXPECT_EQ(s.error().code, Errc::netns_not_found);
}

TEST(Correlator, SelectNetnsByPidAndContainerPrefix)
{
	FakeLinkSource links;
	links.add(4026532201, 11, {loopback()});
	links.add(4026532202, 12, {loopback()});
	links.add(4026532203, 13, {loopback()});
	std::vector<NetnsInfo> ns = {info(4026532201, {}, {{300, "nginx"}, {301, "worker"}}),
				     info(4026532202, {}, {{400, "redis"}}),
				     info(4026532203, {"plain"}, {{500, "sh"}})};
	ns[0].container = ContainerId{"docker", "ab12" + std::string(60, '0'), 2, "/x"};
	ns[1].container = ContainerId{"cri-o", "ab34" + std::string(60, '1'), 2, "/y"};
	ShowModel all = run(links, ns);

	auto pick = [&](const std::string &sel) -> std::vector<uint64_t> {
		ShowModel m = all;
		std::vector<uint64_t> out;
		if (!select_netns(m, sel))
			return {0};
		for (const NetnsView &v : m.netns)
			out.push_back(v.inum);
		return out;
	};
	EXPECT_EQ(pick("301"), std::vector<uint64_t>{4026532201});	// any pid in it
	EXPECT_EQ(pick("400"), std::vector<uint64_t>{4026532202});
	EXPECT_EQ(pick("4026532203"), std::vector<uint64_t>{4026532203});
	EXPECT_EQ(pick("ab12"), std::vector<uint64_t>{4026532201});
	EXPECT_EQ(pick("ab3"), std::vector<uint64_t>{4026532202});
	EXPECT_EQ(pick("ab" + std::string(62, '1').substr(0, 2)), std::vector<uint64_t>{0});	// no match

	ShowModel amb = all;
	auto s = select_netns(amb, std::string("ab"));
	ASSERT_FALSE(s);
	EXPECT_EQ(s.error().code, Errc::usage);
	EXPECT_NE(s.error().why.find("matches 2 containers"), std::string::npos) << s.error().why;
}

// watch: resolve_peers=false leaves every peer unset and asks no nsid; all
// else is as with peers.
TEST(Correlator, WithoutPeers)
{
	FakeLinkSource links;
	links.add(100, 1, {loopback(), veth("h1", 3, 2, 0, {7, 700, 1, 8, 800, 2})});
	links.add(201, 11, {loopback(), veth("eth0", 2, 3, 0)});
	links.set_nsid(100, 201, 0);
	links.set_nsid(201, 100, 0);
	auto obs = collect_links({info(100, {}, {}, true), info(201, {"c1"})}, links);
	ShowModel with = correlate(obs, links, no_counters(), "/x/nsprobe");
	EXPECT_FALSE(links.queries.empty());
	expect_peer(if_of(ns_of(with, 100), "h1"), PeerStatus::resolved, "eth0", 2, 201);
	links.queries.clear();
	ShowModel without = correlate(obs, links, no_counters(), "/x/nsprobe", false);
	EXPECT_TRUE(links.queries.empty());
	ASSERT_EQ(without.netns.size(), 2u);
	for (size_t n = 0; n < 2; n++) {
		EXPECT_EQ(without.netns[n].inum, with.netns[n].inum);
		EXPECT_EQ(without.netns[n].cookie, with.netns[n].cookie);
		EXPECT_EQ(without.netns[n].names, with.netns[n].names);
		ASSERT_EQ(without.netns[n].interfaces.size(), with.netns[n].interfaces.size());
		for (size_t i = 0; i < with.netns[n].interfaces.size(); i++) {
			const InterfaceView &a = with.netns[n].interfaces[i];
			const InterfaceView &b = without.netns[n].interfaces[i];
			EXPECT_FALSE(b.peer) << b.link.name;
			EXPECT_EQ(a.link.name, b.link.name);
			EXPECT_EQ(a.link.stats, b.link.stats);
		}
	}
}
