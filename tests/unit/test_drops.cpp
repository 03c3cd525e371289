// SPDX-License-Identifier: GPL-2.0 OR MIT
// Parsers of `nsprobe drops`: /proc/net/snmp and netstat text, an
// RTM_NEWNEIGHTBL message, /proc/net/stat/arp_cache.
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "libnsprobe/drops.h"

namespace nsprobe {
namespace {

// Excerpt of a 6.12 /proc/net/snmp (Tcp MaxConn is -1).
constexpr const char *kSnmp =
	"Ip: Forwarding DefaultTTL InReceives InHdrErrors InAddrErrors ForwDatagrams "
	"InUnknownProtos InDiscards InDelivers OutRequests OutDiscards OutNoRoutes\n"
	"Ip: 2 64 1200 0 3 0 0 5 1190 880 1 7\n"
	"Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens\n"
	"Tcp: 1 200 120000 -1 4\n"
	"Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors "
	"InCsumErrors IgnoredMulti MemErrors\n"
	"Udp: 40 2 13 900 13 0 0 0 0\n";
constexpr const char *kNetstat =
	"TcpExt: SyncookiesSent ListenOverflows ListenDrops TCPBacklogDrop\n"
	"TcpExt: 0 6 6 18446744073709551615\n"
	"IpExt: InNoRoutes InTruncatedPkts\n"
	"IpExt: 9 0\n";

TEST(Drops, ParseSnmpAndNetstat)
{
	SnmpTable t;
	ASSERT_TRUE(parse_snmp(kSnmp, "snmp", t));
	ASSERT_TRUE(parse_snmp(kNetstat, "netstat", t));
	EXPECT_EQ(t["Ip"]["InDiscards"], 5u);
	EXPECT_EQ(t["Ip"]["InAddrErrors"], 3u);
	EXPECT_EQ(t["Ip"]["OutNoRoutes"], 7u);
	EXPECT_EQ(t["Udp"]["RcvbufErrors"], 13u);
	EXPECT_EQ(t["Udp"]["InErrors"], 13u);
	EXPECT_EQ(t["Udp"]["NoPorts"], 2u);
	EXPECT_EQ(t["Tcp"].count("MaxConn"), 0u);	// -1: not a counter
	EXPECT_EQ(t["Tcp"]["ActiveOpens"], 4u);
	EXPECT_EQ(t["TcpExt"]["ListenDrops"], 6u);
	EXPECT_EQ(t["TcpExt"]["TCPBacklogDrop"], 18446744073709551615u);
	EXPECT_EQ(t["IpExt"]["InNoRoutes"], 9u);
}

// The stack's receive drops: the rx_sum counters, each dropped packet once
// (InErrors holds RcvbufErrors, ListenDrops holds ListenOverflows, the
// send side is the qdisc's), exactly; unknown if any one is.
TEST(Drops, StackRxDropsSumsEachPacketOnce)
{
	NetnsDropCounters c;
	c.snmp = {{"Ip",
		   {{"InHdrErrors", 1}, {"InAddrErrors", 2}, {"InDiscards", 4},
		    {"OutDiscards", 1000}, {"OutNoRoutes", 1000}}},
		  {"IpExt", {{"InNoRoutes", 8}}},
		  {"Udp",
		   {{"NoPorts", 16}, {"InErrors", 32}, {"RcvbufErrors", 32},
		    {"InCsumErrors", 0}, {"MemErrors", 0}, {"SndbufErrors", 1000}}},
		  {"TcpExt",
		   {{"ListenOverflows", 64}, {"ListenDrops", 64}, {"TCPBacklogDrop", 128},
		    {"TCPRcvQDrop", 256}, {"TCPZeroWindowDrop", 512}, {"TCPOFODrop", 1024},
		    {"PFMemallocDrop", 2048}, {"TCPMinTTLDrop", 4096}}}};
	EXPECT_EQ(stack_rx_drops(c), std::optional<uint64_t>(8191));
	std::vector<std::string> summed;
	for (const ProtoCounter &p : proto_drop_counters())
		if (p.rx_sum)
			summed.push_back(std::string(p.table) + "." + p.name);
	EXPECT_EQ(summed, (std::vector<std::string>{
				  "Ip.InHdrErrors", "Ip.InAddrErrors", "IpExt.InNoRoutes",
				  "Ip.InDiscards", "Udp.NoPorts", "Udp.InErrors", "TcpExt.ListenDrops",
				  "TcpExt.TCPBacklogDrop", "TcpExt.TCPRcvQDrop",
				  "TcpExt.TCPZeroWindowDrop", "TcpExt.TCPOFODrop",
				  "TcpExt.PFMemallocDrop", "TcpExt.TCPMinTTLDrop"}));
	// A kernel without one of them: the sum is unknown, not low.
	c.snmp["TcpExt"].erase("TCPMinTTLDrop");
	EXPECT_EQ(stack_rx_drops(c), std::nullopt);
	c.snmp["TcpExt"]["TCPMinTTLDrop"] = 0;
	EXPECT_EQ(stack_rx_drops(c), std::optional<uint64_t>(4095));
	c.snmp_error = "setns: Operation not permitted";
	EXPECT_EQ(stack_rx_drops(c), std::nullopt);
}

TEST(Drops, ParseSnmpRejectsBrokenText)
{
	SnmpTable t;
	auto odd = parse_snmp("Ip: A B\n", "snmp", t);
	ASSERT_FALSE(odd);
	EXPECT_EQ(odd.error().code, Errc::malformed);
	EXPECT_FALSE(parse_snmp("Ip: A B\nIp: 1\n", "snmp", t));	// count differs
	EXPECT_FALSE(parse_snmp("Ip: A\nUdp: 1\n", "snmp", t));		// proto differs
	EXPECT_FALSE(parse_snmp("Ip: A\nIp: x\n", "snmp", t));		// not a number
	EXPECT_FALSE(parse_snmp("Ip A\nIp 1\n", "snmp", t));		// no colon
}

// An RTM_NEWNEIGHTBL as neightbl_fill_info() builds it: ndtmsg, NDTA_NAME,
// NDTA_STATS (ndt_stats, 8-byte aligned after NDTA_PAD on 64-bit).
std::vector<char> neightbl_msg(const char *name, bool with_stats, size_t stats_len)
{
	std::vector<char> b(NLMSG_SPACE(sizeof(ndtmsg)));
	auto put = [&](unsigned short type, const void *data, size_t len) {
		size_t off = b.size();
		b.resize(off + RTA_SPACE(len));
		auto *a = reinterpret_cast<rtattr *>(b.data() + off);
		a->rta_type = type;
		a->rta_len = RTA_LENGTH(len);
		std::memcpy(RTA_DATA(a), data, len);
	};
	put(NDTA_NAME, name, std::strlen(name) + 1);
	uint32_t thresh = 128;
	put(NDTA_THRESH1, &thresh, sizeof(thresh));
	if (with_stats) {
		ndt_stats st {};
		st.ndts_allocs = 11;
		st.ndts_destroys = 4;
		st.ndts_res_failed = 3;
		st.ndts_lookups = 100;
		st.ndts_hits = 90;
		st.ndts_table_fulls = 1;
		put(NDTA_STATS, &st, stats_len);
	}
	auto *h = reinterpret_cast<nlmsghdr *>(b.data());
	h->nlmsg_len = static_cast<uint32_t>(b.size());
	h->nlmsg_type = RTM_NEWNEIGHTBL;
	reinterpret_cast<ndtmsg *>(NLMSG_DATA(h))->ndtm_family = AF_INET;
	return b;
}

TEST(Drops, ParseNeightbl)
{
	auto b = neightbl_msg("arp_cache", true, sizeof(ndt_stats));
	auto r = parse_neightbl(reinterpret_cast<nlmsghdr *>(b.data()));
	ASSERT_TRUE(r);
	ASSERT_TRUE(r->has_value());
	const NeighTableStats &s = **r;
	EXPECT_EQ(s.name, "arp_cache");
	EXPECT_EQ(s.family, AF_INET);
	EXPECT_EQ(s.res_failed, 3u);
	EXPECT_EQ(s.allocs, 11u);
	EXPECT_EQ(s.destroys, 4u);
	EXPECT_EQ(s.lookups, 100u);
	EXPECT_EQ(s.hits, 90u);
	EXPECT_EQ(s.table_fulls, 1u);
	EXPECT_FALSE(s.unres_discards);	// not in NDTA_STATS
}

TEST(Drops, ParseNeightblParmsMessageHasNoStats)
{
	auto b = neightbl_msg("arp_cache", false, 0);
	auto r = parse_neightbl(reinterpret_cast<nlmsghdr *>(b.data()));
	ASSERT_TRUE(r);
	EXPECT_FALSE(r->has_value());
}

TEST(Drops, ParseNeightblRejectsShortStatsAndWrongType)
{
	auto b = neightbl_msg("arp_cache", true, sizeof(ndt_stats) - 8);
	auto r = parse_neightbl(reinterpret_cast<nlmsghdr *>(b.data()));
	ASSERT_FALSE(r);
	EXPECT_EQ(r.error().code, Errc::malformed);
	auto c = neightbl_msg("arp_cache", true, sizeof(ndt_stats));
	reinterpret_cast<nlmsghdr *>(c.data())->nlmsg_type = RTM_NEWNEIGH;
	EXPECT_FALSE(parse_neightbl(reinterpret_cast<nlmsghdr *>(c.data())));
}

TEST(Drops, ParseNeighStat)
{
	// Two CPUs, hex (net/core/neighbour.c neigh_stat_seq_show).
	const char *t =
		"entries  allocs   destroys hash_grows lookups  hits     res_failed "
		"rcv_probes_mcast rcv_probes_ucast periodic_gc_runs forced_gc_runs "
		"unresolved_discards table_fulls\n"
		"00000004  00000002 00000000 00000000 00000010 0000000f 00000001 "
		"00000000 00000000 00000000 00000000 0000001a 00000000\n"
		"00000004  00000001 00000000 00000000 00000003 00000001 00000002 "
		"00000000 00000000 00000000 00000000 00000005 00000000\n";
	auto u = parse_neigh_stat(t, "unresolved_discards", "arp_cache");
	ASSERT_TRUE(u);
	EXPECT_EQ(*u, 0x1au + 5u);
	auto f = parse_neigh_stat(t, "res_failed", "arp_cache");
	ASSERT_TRUE(f);
	EXPECT_EQ(*f, 3u);
	EXPECT_FALSE(parse_neigh_stat(t, "nope", "arp_cache"));
	EXPECT_FALSE(parse_neigh_stat("a b\n1\n", "a", "x"));
}

TEST(Drops, TcHandle)
{
	EXPECT_EQ(tc_handle_str(0xFFFFFFFFu), "root");
	EXPECT_EQ(tc_handle_str(0x10000u), "1:");
	EXPECT_EQ(tc_handle_str(0x10002u), "1:2");
	EXPECT_EQ(tc_handle_str(0x80010000u), "8001:");
}

// A dump in several parts repeats each table at the start of each part: one
// entry per table and family, the newest copy.
TEST(Drops, AddNeighTableKeepsOnePerTable)
{
	auto t = [](const char *name, uint8_t family, uint64_t res_failed) {
		NeighTableStats s;
		s.name = name;
		s.family = family;
		s.res_failed = res_failed;
		return s;
	};
	std::vector<NeighTableStats> v;
	add_neigh_table(v, t("arp_cache", AF_INET, 3));
	add_neigh_table(v, t("ndisc_cache", AF_INET6, 1));
	add_neigh_table(v, t("arp_cache", AF_INET, 4));	// the second part
	add_neigh_table(v, t("arp_cache", AF_INET, 4));
	ASSERT_EQ(v.size(), 2u);
	EXPECT_EQ(v[0].name, "arp_cache");
	EXPECT_EQ(v[0].res_failed, 4u);
	EXPECT_EQ(v[1].name, "ndisc_cache");
	EXPECT_EQ(v[1].res_failed, 1u);
}

// The root qdiscs' drops, as `tc -s` prints them for the root: the children
// of a classful root are already in its count, an ingress qdisc drops
// nothing on the way out; per interface or over all.
TEST(Drops, RootQdiscDrops)
{
	auto q = [](int ifindex, uint32_t handle, uint32_t parent, uint64_t drops) {
		QdiscStats s;
		s.ifindex = ifindex;
		s.handle = handle;
		s.parent = parent;
		s.drops = drops;
		return s;
	};
	std::vector<QdiscStats> qs = {
		q(2, 0x10000, TC_H_ROOT, 494),		// tbf 1: on eth0
		q(2, 0x100000, 0x10001, 300),		// its child: already in 494
		q(2, 0xFFFF0000, TC_H_INGRESS, 7),	// ingress: not a TX drop
		q(3, 0x20000, TC_H_ROOT, 188),		// netem 2: on veth1
		q(4, 0, TC_H_ROOT, 0),			// noqueue
	};
	EXPECT_EQ(root_qdisc_drops(qs, 2), 494u);
	EXPECT_EQ(root_qdisc_drops(qs, 3), 188u);
	EXPECT_EQ(root_qdisc_drops(qs, 4), 0u);
	EXPECT_EQ(root_qdisc_drops(qs, 9), 0u);	// no qdisc: nothing dropped there
	EXPECT_EQ(root_qdisc_drops(qs), 682u);
	EXPECT_EQ(root_qdisc_drops({}), 0u);
}

} // namespace
} // namespace nsprobe
