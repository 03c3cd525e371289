// SPDX-License-Identifier: GPL-2.0 OR MIT
// The drop path of a netns (nsprobe drops, issue 14): the counters the kernel
// already keeps at each stage a packet can be lost, and their parsers.
//
// Kernel sources relied on (6.1 and 6.12 alike):
//  - qdisc: TCA_STATS2 of each qdisc (RTM_GETQDISC dump, net/sched/sch_api.c
//    tc_fill_qdisc): drops, overlimits, requeues, qlen, backlog; per netns.
//  - neighbour: struct neigh_table is global (arp_tbl, nd_tbl), so its
//    statistics are host-wide, the sum over every netns, whatever netns asks
//    (net/core/neighbour.c neightbl_fill_info, neigh_stat_seq_show).
//    res_failed: +1 each time an entry's resolution fails (neigh_invalidate:
//    INCOMPLETE/PROBE -> FAILED), once per entry, not per packet.
//    unres_discards: +1 per packet evicted from an INCOMPLETE entry's queue
//    when it exceeds unres_qlen_bytes (__neigh_event_send). Not counted
//    anywhere: the packets still queued when the entry goes FAILED (freed in
//    neigh_invalidate after error_report), and packets sent to a FAILED entry
//    that may not probe again (kfree_skb NEIGH_FAILED). NDTA_STATS (struct
//    ndt_stats) has res_failed but not unres_discards; that one is only in
//    /proc/net/stat/{arp,ndisc}_cache, which exists in the initial netns only.
//  - IP/UDP/TCP: /proc/net/snmp and /proc/net/netstat of the netns (the
//    MIB counters of struct net, net/ipv4/proc.c).
#ifndef LIBNSPROBE_DROPS_H
#define LIBNSPROBE_DROPS_H

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libnsprobe/result.h"

struct nlmsghdr;

namespace nsprobe {

// "Udp" -> "RcvbufErrors" -> 12, from /proc/net/snmp or /proc/net/netstat
// (pairs of lines "Proto: Name ..." / "Proto: value ..."). Several texts can
// be merged into one table (snmp, then netstat).
using SnmpTable = std::map<std::string, std::map<std::string, uint64_t>>;

// Adds the pairs of lines of `text` to `out`. Values are decimal; a negative
// one (Tcp MaxConn -1) is skipped. Errors: malformed (a line without
// "Proto:", a header without its value line, counts that differ, a
// non-number), naming `what` (the file).
Status parse_snmp(std::string_view text, const std::string &what, SnmpTable &out);

// One neighbour table's statistics (host-wide, see above).
struct NeighTableStats {
	std::string name;	// NDTA_NAME: "arp_cache", "ndisc_cache"
	uint8_t family = 0;	// ndtm_family: AF_INET, AF_INET6
	uint64_t res_failed = 0;	// ndts_res_failed: entries that failed
	uint64_t allocs = 0;
	uint64_t destroys = 0;
	uint64_t lookups = 0;
	uint64_t hits = 0;
	uint64_t table_fulls = 0;
	// /proc/net/stat/<name> unresolved_discards, packets; nullopt when
	// that file cannot be read (nsprobe not in the initial netns).
	std::optional<uint64_t> unres_discards;
};

// An RTM_NEWNEIGHTBL message of a dump. nullopt for the per-device
// parameter messages of the dump (no NDTA_STATS). Errors: malformed (not
// RTM_NEWNEIGHTBL, truncated, no NDTA_NAME, NDTA_STATS too short).
Result<std::optional<NeighTableStats>> parse_neightbl(const nlmsghdr *hdr);

// Adds `t` to `tables`, or replaces the entry of the same table (name and
// family). A dump that needs several reads repeats each table's statistics
// at the start of every part: neightbl_dump_info() (net/core/neighbour.c,
// 6.1 and 6.12) calls neightbl_fill_info() again when it resumes inside a
// table's parms list, which holds one entry per device of every netns. A
// host with a thousand veths in its netns got the arp_cache line 15 times.
// The later copy is the newer.
void add_neigh_table(std::vector<NeighTableStats> &tables, NeighTableStats t);

// /proc/net/stat/arp_cache (or ndisc_cache): a header line, then one line
// of hex numbers per CPU. The sum over CPUs of the column `column`
// ("unresolved_discards", "res_failed", ...). Errors: malformed, or no such
// column.
Result<uint64_t> parse_neigh_stat(std::string_view text, std::string_view column,
				  const std::string &what);

// One qdisc of an interface (RTM_GETQDISC dump, TCA_STATS2).
struct QdiscStats {
	int ifindex = 0;
	std::string kind;	// "tbf", "netem", "noqueue", ...
	uint32_t handle = 0;	// "1:" is 0x10000
	uint32_t parent = 0;	// TC_H_ROOT for the root
	uint64_t packets = 0;	// sent, packets
	uint64_t bytes = 0;	// sent, bytes
	uint64_t drops = 0;	// packets
	uint64_t overlimits = 0;	// events (shaping: a packet held back)
	uint64_t requeues = 0;	// packets
	uint64_t qlen = 0;	// backlog, packets
	uint64_t backlog = 0;	// backlog, bytes
};

// "1:0" -> "1:", TC_H_ROOT -> "root", "1:2" -> "1:2" (tc's spelling).
std::string tc_handle_str(uint32_t h);

// What one netns keeps, read inside it.
struct NetnsDropCounters {
	std::vector<QdiscStats> qdiscs;	// by ifindex, then dump order
	std::optional<std::string> qdisc_error;	// why qdiscs are unknown
	SnmpTable snmp;			// /proc/net/snmp + /proc/net/netstat
	std::optional<std::string> snmp_error;	// why snmp is unknown
};

// The IP/UDP/TCP counters `nsprobe drops` shows, in packet order; each is
// (table, name) in SnmpTable. Documented in docs/json-schema.md.
struct ProtoCounter {
	const char *stage;	// "ip", "udp", "tcp"
	const char *table;	// "Ip", "IpExt", "Udp", "TcpExt"
	const char *name;	// "InDiscards", ...
	// Part of stack_rx_drops(): a packet this netns received and its stack
	// dropped, counted by this counter and by no other of the sum.
	bool rx_sum = false;
	// What the netns's own sends lost (Ip OutDiscards, OutNoRoutes, Udp
	// SndbufErrors). A datagram its qdisc drops is counted here again:
	// ip_send_skb() and udp_send_skb() count the qdisc's NET_XMIT_DROP.
	bool send = false;
};
const std::vector<ProtoCounter> &proto_drop_counters();

// The value of `p` in `c`, packets; nullopt when the netns's counters are
// unknown (snmp_error) or the running kernel does not have that counter.
std::optional<uint64_t> snmp_value(const NetnsDropCounters &c, const ProtoCounter &p);

// Packets this netns's IPv4 stack received and dropped: the sum of the
// rx_sum counters of proto_drop_counters(), chosen so that each dropped
// packet is counted once (net/ipv4/ip_input.c, udp.c, tcp_ipv4.c,
// tcp_input.c of 6.1 and 6.12):
//   Ip InHdrErrors, InAddrErrors, InDiscards, IpExt InNoRoutes;
//   Udp NoPorts, InErrors (which already holds RcvbufErrors, MemErrors and
//   InCsumErrors: __udp_queue_rcv_skb() and udp_queue_rcv_one_skb() count
//   both);
//   TcpExt ListenDrops (which already holds ListenOverflows), TCPBacklogDrop,
//   TCPRcvQDrop, TCPZeroWindowDrop, TCPOFODrop, PFMemallocDrop,
//   TCPMinTTLDrop.
// Send-side counters (Ip OutDiscards, OutNoRoutes, Udp SndbufErrors) are
// left out: a datagram a qdisc drops is counted there too (ip_send_skb(),
// udp_send_skb()), and the qdisc stage already has it. IPv6 is not counted.
// nullopt when any of the counters is unknown.
std::optional<uint64_t> stack_rx_drops(const NetnsDropCounters &c);

// Packets the root qdiscs of `qdiscs` dropped, as `tc -s` prints "dropped":
// the sum over the qdiscs whose parent is TC_H_ROOT (a root's count holds its
// children's: mq and mqprio sum their per-queue qdiscs into it, mq_dump() in
// net/sched/sch_mq.c; a classful root counts what its classes drop). Ingress
// and clsact (parent TC_H_INGRESS) drop nothing on the way out and are not
// counted. `ifindex`: only that interface's; nullopt: every interface's.
uint64_t root_qdisc_drops(const std::vector<QdiscStats> &qdiscs,
			  std::optional<int> ifindex = std::nullopt);

} // namespace nsprobe

#endif
