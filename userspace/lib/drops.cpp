// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "libnsprobe/drops.h"

#include <charconv>
#include <cstring>

#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include <fmt/format.h>

namespace nsprobe {
namespace {

Error bad(const std::string &what, std::string why)
{
	return Error{Errc::malformed, what, std::move(why), {}, 0};
}

std::vector<std::string_view> words(std::string_view line)
{
	std::vector<std::string_view> out;
	size_t i = 0;
	while (i < line.size()) {
		while (i < line.size() && (line[i] == ' ' || line[i] == '\t'))
			i++;
		size_t j = i;
		while (j < line.size() && line[j] != ' ' && line[j] != '\t')
			j++;
		if (j > i)
			out.push_back(line.substr(i, j - i));
		i = j;
	}
	return out;
}

std::vector<std::string_view> lines(std::string_view text)
{
	std::vector<std::string_view> out;
	while (!text.empty()) {
		size_t nl = text.find('\n');
		std::string_view l = text.substr(0, nl);
		if (!l.empty())
			out.push_back(l);
		if (nl == std::string_view::npos)
			break;
		text.remove_prefix(nl + 1);
	}
	return out;
}

} // namespace

Status parse_snmp(std::string_view text, const std::string &what, SnmpTable &out)
{
	std::vector<std::string_view> ls = lines(text);
	if (ls.size() % 2)
		return bad(what, "odd number of lines (a header without its values)");
	for (size_t i = 0; i < ls.size(); i += 2) {
		std::vector<std::string_view> h = words(ls[i]), v = words(ls[i + 1]);
		if (h.empty() || v.empty() || h[0].back() != ':' || h[0] != v[0])
			return bad(what, fmt::format("line {}: not a \"Proto: ...\" pair", i + 1));
		if (h.size() != v.size())
			return bad(what, fmt::format("line {}: {} names, {} values", i + 1,
						     h.size() - 1, v.size() - 1));
		std::string proto(h[0].substr(0, h[0].size() - 1));
		auto &table = out[proto];
		for (size_t k = 1; k < h.size(); k++) {
			if (v[k].starts_with('-'))
				continue;	// Tcp MaxConn -1: not a counter
			uint64_t n = 0;
			auto [p, ec] = std::from_chars(v[k].data(), v[k].data() + v[k].size(), n);
			if (ec != std::errc() || p != v[k].data() + v[k].size())
				return bad(what, fmt::format("line {}: {} {}: not a number", i + 2,
							     proto, h[k]));
			table[std::string(h[k])] = n;
		}
	}
	return ok_status();
}

Result<std::optional<NeighTableStats>> parse_neightbl(const nlmsghdr *hdr)
{
	const std::string what = "RTM_NEWNEIGHTBL";
	if (hdr->nlmsg_type != RTM_NEWNEIGHTBL)
		return bad(what, fmt::format("message type {}", hdr->nlmsg_type));
	const size_t hlen = NLMSG_ALIGN(sizeof(ndtmsg));
	if (hdr->nlmsg_len < NLMSG_LENGTH(hlen))
		return bad(what, "shorter than struct ndtmsg");
	const auto *ndtm = static_cast<const ndtmsg *>(NLMSG_DATA(hdr));
	NeighTableStats s;
	s.family = ndtm->ndtm_family;
	bool named = false, stats = false;
	auto *a = reinterpret_cast<const rtattr *>(reinterpret_cast<const char *>(ndtm) + hlen);
	int len = static_cast<int>(hdr->nlmsg_len - NLMSG_LENGTH(hlen));
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		const char *data = static_cast<const char *>(RTA_DATA(a));
		size_t n = RTA_PAYLOAD(a);
		switch (a->rta_type) {
		case NDTA_NAME:
			s.name.assign(data, strnlen(data, n));
			named = true;
			break;
		case NDTA_STATS: {
			if (n < sizeof(ndt_stats))
				return bad(what, fmt::format("NDTA_STATS of {} bytes, want {}", n,
							     sizeof(ndt_stats)));
			ndt_stats st;
			std::memcpy(&st, data, sizeof(st));
			s.res_failed = st.ndts_res_failed;
			s.allocs = st.ndts_allocs;
			s.destroys = st.ndts_destroys;
			s.lookups = st.ndts_lookups;
			s.hits = st.ndts_hits;
			s.table_fulls = st.ndts_table_fulls;
			stats = true;
			break;
		}
		default:
			break;
		}
	}
	if (!named)
		return bad(what, "no NDTA_NAME");
	if (!stats)
		return std::optional<NeighTableStats>();
	return std::optional<NeighTableStats>(std::move(s));
}

Result<uint64_t> parse_neigh_stat(std::string_view text, std::string_view column,
				  const std::string &what)
{
	std::vector<std::string_view> ls = lines(text);
	if (ls.empty())
		return bad(what, "empty");
	std::vector<std::string_view> h = words(ls[0]);
	size_t col = h.size();
	for (size_t i = 0; i < h.size(); i++)
		if (h[i] == column)
			col = i;
	if (col == h.size())
		return bad(what, fmt::format("no column {}", column));
	uint64_t sum = 0;
	for (size_t i = 1; i < ls.size(); i++) {
		std::vector<std::string_view> v = words(ls[i]);
		if (v.size() != h.size())
			return bad(what, fmt::format("line {}: {} values, {} columns", i + 1,
						     v.size(), h.size()));
		uint64_t n = 0;
		auto [p, ec] = std::from_chars(v[col].data(), v[col].data() + v[col].size(), n, 16);
		if (ec != std::errc() || p != v[col].data() + v[col].size())
			return bad(what, fmt::format("line {}: {} not hex", i + 1, column));
		sum += n;
	}
	return sum;
}

std::string tc_handle_str(uint32_t h)
{
	if (h == TC_H_ROOT)
		return "root";
	if (h == TC_H_UNSPEC)
		return "none";
	if (TC_H_MIN(h) == 0)
		return fmt::format("{:x}:", TC_H_MAJ(h) >> 16);
	return fmt::format("{:x}:{:x}", TC_H_MAJ(h) >> 16, TC_H_MIN(h));
}

const std::vector<ProtoCounter> &proto_drop_counters()
{
	// Receive side first (the peer's stack, in packet order: IP, then the
	// transport), then what this netns's own sends lose in the stack.
	static const std::vector<ProtoCounter> v = {
		{"ip", "Ip", "InHdrErrors", true},
		{"ip", "Ip", "InAddrErrors", true},
		{"ip", "IpExt", "InNoRoutes", true},
		{"ip", "Ip", "InDiscards", true},
		{"ip", "Ip", "OutDiscards", false, true},
		{"ip", "Ip", "OutNoRoutes", false, true},
		{"udp", "Udp", "NoPorts", true},
		{"udp", "Udp", "InErrors", true},
		{"udp", "Udp", "RcvbufErrors"},		// in InErrors
		{"udp", "Udp", "InCsumErrors"},		// in InErrors
		{"udp", "Udp", "MemErrors"},		// in InErrors
		{"udp", "Udp", "SndbufErrors", false, true},
		{"tcp", "TcpExt", "ListenOverflows"},	// in ListenDrops
		{"tcp", "TcpExt", "ListenDrops", true},
		{"tcp", "TcpExt", "TCPBacklogDrop", true},
		{"tcp", "TcpExt", "TCPRcvQDrop", true},
		{"tcp", "TcpExt", "TCPZeroWindowDrop", true},
		{"tcp", "TcpExt", "TCPOFODrop", true},
		{"tcp", "TcpExt", "PFMemallocDrop", true},
		{"tcp", "TcpExt", "TCPMinTTLDrop", true},
	};
	return v;
}

std::optional<uint64_t> snmp_value(const NetnsDropCounters &c, const ProtoCounter &p)
{
	if (c.snmp_error)
		return std::nullopt;
	auto t = c.snmp.find(p.table);
	if (t == c.snmp.end())
		return std::nullopt;
	auto v = t->second.find(p.name);
	if (v == t->second.end())
		return std::nullopt;
	return v->second;
}

std::optional<uint64_t> stack_rx_drops(const NetnsDropCounters &c)
{
	uint64_t sum = 0;
	for (const ProtoCounter &p : proto_drop_counters()) {
		if (!p.rx_sum)
			continue;
		auto v = snmp_value(c, p);
		if (!v)
			return std::nullopt;
		sum += *v;
	}
	return sum;
}

void add_neigh_table(std::vector<NeighTableStats> &tables, NeighTableStats t)
{
	for (NeighTableStats &have : tables)
		if (have.name == t.name && have.family == t.family) {
			have = std::move(t);
			return;
		}
	tables.push_back(std::move(t));
}

uint64_t root_qdisc_drops(const std::vector<QdiscStats> &qdiscs, std::optional<int> ifindex)
{
	uint64_t sum = 0;
	for (const QdiscStats &q : qdiscs)
		if (q.parent == TC_H_ROOT && (!ifindex || q.ifindex == *ifindex))
			sum += q.drops;
	return sum;
}

} // namespace nsprobe
