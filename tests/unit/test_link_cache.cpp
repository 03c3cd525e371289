// LinkDumpCache (watch, issue 10 item 2): full dumps only when a cheap read
// cannot be trusted; parse_proc_net_dev; cookie_disagrees.
#include <gtest/gtest.h>

#include "fakes.h"
#include "libnsprobe/link_cache.h"

using namespace nsprobe;
using namespace nsprobe::test;

namespace {

// Counts full dumps per inum over FakeLinkSource.
class CountingLinkSource : public FakeLinkSource {
public:
	Result<LinkDump> dump(const NetnsInfo &ns) override
	{
		dumps[ns.id.inum]++;
		return FakeLinkSource::dump(ns);
	}
	std::map<uint64_t, int> dumps;
};

// Cheap reads over fixed tables: per pid, (netns inum it is in, its
// /proc/net/dev); per inum, its RTM_GETSTATS answer.
class FakeCounterReader : public LinkCounterReader {
public:
	Result<std::map<std::string, LinkStats>> proc_net_dev(int pid, const NetnsId &id) override
	{
		proc_calls.push_back(pid);
		auto it = procs.find(pid);
		if (it == procs.end() || it->second.first != id.inum)
			return Error{Errc::netns_not_found, "pid " + std::to_string(pid), "gone", {}, 0};
		if (proc_malformed)
			return Error{Errc::malformed, "net/dev", "bad", {}, 0};
		return it->second.second;
	}
	Result<std::map<int, LinkStats>> link_stats(const NetnsInfo &ns) override
	{
		netlink_calls.push_back(ns.id.inum);
		auto it = stats.find(ns.id.inum);
		if (it == stats.end())
			return Error{Errc::netns_not_found, "netns", "gone", {}, 0};
		return it->second;
	}
	std::map<int, std::pair<uint64_t, std::map<std::string, LinkStats>>> procs;
	std::map<uint64_t, std::map<int, LinkStats>> stats;
	bool proc_malformed = false;
	std::vector<int> proc_calls;
	std::vector<uint64_t> netlink_calls;
};

LinkStats st(uint64_t n)
{
	return {n, n * 100, n / 10, 2 * n, 2 * n * 100, n / 5};
}

LinkInfo physical(std::string name, int ifindex, LinkStats s = {})
{
	LinkInfo l;
	l.name = std::move(name);
	l.ifindex = ifindex;
	l.admin_up = true;
	l.oper_state = "up";
	l.mtu = 1500;
	l.stats = s;
	return l;
}

// Three netns: 10 has a process (pid 100) and only lo + a veth; 20 has no
// process (bind mount only); 30 has a process but a physical link too.
struct World {
	CountingLinkSource full;
	FakeCounterReader cheap;
	World()
	{
		full.add(10, 1010, {loopback(), veth("eth0", 2, 7, 0, st(1))});
		full.add(20, 1020, {loopback(), veth("eth0", 2, 8, 0, st(2))});
		full.add(30, 1030, {loopback(), physical("enp1s0", 2, st(3)), veth("v", 3, 9, 0)});
		cheap.procs[100] = {10, {{"lo", {}}, {"eth0", st(11)}}};
		cheap.procs[300] = {30, {{"lo", {}}, {"enp1s0", st(33)}, {"v", {}}}};
		cheap.stats[10] = {{1, {}}, {2, st(12)}};
		cheap.stats[20] = {{1, {}}, {2, st(22)}};
		cheap.stats[30] = {{1, {}}, {2, st(34)}, {3, {}}};
	}
	std::vector<NetnsInfo> list() const
	{
		return {info(10, {}, {{100, "sleep"}}), info(20, {"bind"}), info(30, {}, {{300, "x"}})};
	}
};

const LinkInfo &link_of(const std::vector<NetnsObservation> &obs, uint64_t inum,
			const std::string &name)
{
	for (const NetnsObservation &o : obs)
		if (o.info.id.inum == inum && o.dump)
			for (const LinkInfo &l : o.dump->links)
				if (l.name == name)
					return l;
	throw std::runtime_error("no link " + name);
}

} // namespace

TEST(ParseProcNetDev, RealText)
{
	const char *text =
		"Inter-|   Receive                                                |  Transmit\n"
		" face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n"
		"    lo:    3267      29    0    0    0     0          0         0     3267      29    0    0    0     0       0          0\n"
		"eth0-long-name: 18446744073709551615 5 1 7 2 3 4 6 900 9 8 11 12 13 14 15\n";
	auto r = parse_proc_net_dev(text, "net/dev");
	ASSERT_TRUE(r) << r.error().message();
	ASSERT_EQ(r->size(), 2u);
	EXPECT_EQ(r->at("lo"), (LinkStats{29, 3267, 0, 29, 3267, 0}));
	// rx bytes, packets, drop; tx bytes, packets, drop: columns 1 2 4 9 10 12.
	EXPECT_EQ(r->at("eth0-long-name"), (LinkStats{5, 18446744073709551615ull, 7, 9, 900, 11}));
}

TEST(ParseProcNetDev, Malformed)
{
	const std::string head = "h1\nh2\n";
	for (const char *bad : {"eth0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n",	// no ':'
				"eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15\n",	// 15 columns
				"eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n",
				"eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 x6\n",
				"eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 -1\n",
				"eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 18446744073709551616\n",
				": 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n",
				"a: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"
				"a: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"}) {
		auto r = parse_proc_net_dev(head + bad, "net/dev");
		ASSERT_FALSE(r) << bad;
		EXPECT_EQ(r.error().code, Errc::malformed) << bad;
	}
	auto empty = parse_proc_net_dev(head, "net/dev");
	ASSERT_TRUE(empty);
	EXPECT_TRUE(empty->empty());
}

TEST(LinkCache, ExactKindsAndMonotonic)
{
	EXPECT_TRUE(proc_net_dev_exact(veth("eth0", 2, 3, 0)));
	EXPECT_TRUE(proc_net_dev_exact(loopback()));
	EXPECT_FALSE(proc_net_dev_exact(physical("enp1s0", 2)));
	LinkInfo br = physical("br0", 3);
	br.kind = "bridge";
	EXPECT_FALSE(proc_net_dev_exact(br));
	EXPECT_TRUE(counters_monotonic(st(5), st(5)));
	EXPECT_TRUE(counters_monotonic(st(5), st(6)));
	for (int field = 0; field < 6; field++) {
		LinkStats lower = st(50);
		uint64_t *f[] = {&lower.rx_packets, &lower.rx_bytes, &lower.rx_dropped,
				 &lower.tx_packets, &lower.tx_bytes, &lower.tx_dropped};
		*f[field] = 0;
		EXPECT_FALSE(counters_monotonic(st(50), lower)) << field;
	}
}

// First collect: full dumps. Then: /proc/<pid>/net/dev for 10, RTM_GETSTATS
// for 20 (no process) and 30 (a physical link), counters replaced, all else
// from the dump, the same as collect_links() would give.
TEST(LinkCache, FullOnceThenCheapReads)
{
	World w;
	LinkDumpCache c;
	auto first = c.collect(w.list(), w.full, w.cheap);
	ASSERT_EQ(first.size(), 3u);
	EXPECT_EQ(w.full.dumps, (std::map<uint64_t, int>{{10, 1}, {20, 1}, {30, 1}}));
	EXPECT_EQ(link_of(first, 10, "eth0").stats, st(1));
	EXPECT_TRUE(w.cheap.proc_calls.empty());
	EXPECT_EQ(c.size(), 3u);

	auto second = c.collect(w.list(), w.full, w.cheap);
	EXPECT_EQ(w.full.dumps, (std::map<uint64_t, int>{{10, 1}, {20, 1}, {30, 1}}));
	EXPECT_EQ(w.cheap.proc_calls, (std::vector<int>{100}));
	EXPECT_EQ(w.cheap.netlink_calls, (std::vector<uint64_t>{20, 30}));
	EXPECT_EQ(c.stats().proc_reads, 1u);
	EXPECT_EQ(c.stats().netlink_reads, 2u);
	EXPECT_EQ(c.stats().refused, 0u);
	ASSERT_EQ(second.size(), 3u);
	EXPECT_EQ(second[0].info.id.inum, 10u);
	EXPECT_EQ(second[1].info.id.inum, 20u);
	EXPECT_EQ(second[2].info.id.inum, 30u);
	EXPECT_EQ(link_of(second, 10, "eth0").stats, st(11));
	EXPECT_EQ(link_of(second, 20, "eth0").stats, st(22));
	EXPECT_EQ(link_of(second, 30, "enp1s0").stats, st(34));	// not /proc's 33

	// Identical to a full dump of the same state.
	w.full.add(10, 1010, {loopback(), veth("eth0", 2, 7, 0, st(11))});
	w.full.add(20, 1020, {loopback(), veth("eth0", 2, 8, 0, st(22))});
	w.full.add(30, 1030, {loopback(), physical("enp1s0", 2, st(34)), veth("v", 3, 9, 0)});
	auto ref = collect_links(w.list(), w.full);
	for (size_t i = 0; i < 3; i++) {
		ASSERT_TRUE(ref[i].dump && second[i].dump);
		EXPECT_EQ(ref[i].dump->cookie, second[i].dump->cookie);
		ASSERT_EQ(ref[i].dump->links.size(), second[i].dump->links.size());
		for (size_t k = 0; k < ref[i].dump->links.size(); k++) {
			const LinkInfo &a = ref[i].dump->links[k], &b = second[i].dump->links[k];
			EXPECT_EQ(a.name, b.name);
			EXPECT_EQ(a.ifindex, b.ifindex);
			EXPECT_EQ(a.kind, b.kind);
			EXPECT_EQ(a.link, b.link);
			EXPECT_EQ(a.link_netnsid, b.link_netnsid);
			EXPECT_EQ(a.stats, b.stats);
		}
	}
}

TEST(LinkCache, ClearDumpsEverythingAgain)
{
	World w;
	LinkDumpCache c;
	c.collect(w.list(), w.full, w.cheap);
	c.clear();
	EXPECT_EQ(c.size(), 0u);
	c.collect(w.list(), w.full, w.cheap);
	EXPECT_EQ(w.full.dumps, (std::map<uint64_t, int>{{10, 2}, {20, 2}, {30, 2}}));
	EXPECT_TRUE(w.cheap.proc_calls.empty());
	EXPECT_TRUE(w.cheap.netlink_calls.empty());
}

// /proc/net/dev lists another set of names (a link appeared, vanished or was
// renamed): a full dump, whose links then stand.
TEST(LinkCache, OtherNamesInProcNetDev)
{
	World w;
	LinkDumpCache c;
	c.collect(w.list(), w.full, w.cheap);
	w.cheap.procs[100].second["eth1"] = st(5);	// appeared
	w.full.add(10, 1010, {loopback(), veth("eth0", 2, 7, 0, st(11)), veth("eth1", 3, 4, 0, st(5))});
	auto r = c.collect(w.list(), w.full, w.cheap);
	EXPECT_EQ(w.full.dumps[10], 2);
	EXPECT_EQ(c.stats().refused, 1u);
	EXPECT_EQ(link_of(r, 10, "eth1").ifindex, 3);
	w.cheap.procs[100].second = {{"lo", {}}, {"eth9", st(12)}, {"eth1", st(6)}};	// renamed
	c.collect(w.list(), w.full, w.cheap);
	EXPECT_EQ(w.full.dumps[10], 3);
	w.cheap.procs[100].second = {{"lo", {}}, {"eth0", st(12)}};	// vanished
	c.collect(w.list(), w.full, w.cheap);
	EXPECT_EQ(w.full.dumps[10], 4);
	EXPECT_EQ(c.stats().refused, 3u);
	EXPECT_EQ(w.full.dumps[20], 1);
}

// RTM_GETSTATS lists another set of ifindexes: a full dump.
TEST(LinkCache, OtherIfindexesInGetStats)
{
	World w;
	LinkDumpCache c;
	c.collect(w.list(), w.full, w.cheap);
	w.cheap.stats[20] = {{1, {}}, {3, st(22)}};	// eth0 re-created as ifindex 3
	c.collect(w.list(), w.full, w.cheap);
	EXPECT_EQ(w.full.dumps[20], 2);
	w.cheap.stats[20] = {{1, {}}};	// vanished
	c.collect(w.list(), w.full, w.cheap);
	EXPECT_EQ(w.full.dumps[20], 3);
	EXPECT_EQ(c.stats().refused, 2u);
	EXPECT_EQ(w.full.dumps[10], 1);
}

// A counter lower than the entry's: a device re-created under the same name
// (or ifindex). Each of the six counters alone is enough.
TEST(LinkCache, CounterWentBackwards)
{
	World w;
	LinkDumpCache c;
	c.collect(w.list(), w.full, w.cheap);	// eth0 of 10: st(1)
	int expect = 1;
	for (int field = 0; field < 6; field++) {
		LinkStats s = st(1000);
		w.cheap.procs[100].second["eth0"] = s;
		c.collect(w.list(), w.full, w.cheap);
		EXPECT_EQ(w.full.dumps[10], expect);	// grew: cheap read trusted
		uint64_t *f[] = {&s.rx_packets, &s.rx_bytes, &s.rx_dropped,
				 &s.tx_packets, &s.tx_bytes, &s.tx_dropped};
		*f[field] -= 1;
		w.cheap.procs[100].second["eth0"] = s;
		w.full.add(10, 1010, {loopback(), veth("eth0", 2, 7, 0, st(1))});
		c.collect(w.list(), w.full, w.cheap);
		EXPECT_EQ(w.full.dumps[10], ++expect) << field;
	}
	// The same through RTM_GETSTATS.
	w.cheap.stats[20][2] = st(1);
	c.collect(w.list(), w.full, w.cheap);
	EXPECT_EQ(w.full.dumps[20], 2);
}

// The first process exited or moved: the next one is tried; none left (or
// /proc refused): RTM_GETSTATS; that failing too: a full dump, which says
// what happened (here: the netns vanished), and no entry is kept.
TEST(LinkCache, ProcessGoneFallsBack)
{
	World w;
	LinkDumpCache c;
	auto list = w.list();
	list[0].pids = {{100, "a"}, {101, "b"}, {102, "c"}, {103, "d"}};
	c.collect(list, w.full, w.cheap);
	w.cheap.procs.erase(100);
	w.cheap.procs[101] = {99, {}};	// pid reused in another netns
	w.cheap.procs[102] = {10, {{"lo", {}}, {"eth0", st(40)}}};
	auto r = c.collect(list, w.full, w.cheap);
	EXPECT_EQ(w.cheap.proc_calls, (std::vector<int>{100, 101, 102}));
	EXPECT_EQ(link_of(r, 10, "eth0").stats, st(40));
	EXPECT_EQ(c.stats().proc_reads, 1u);

	w.cheap.procs.erase(102);
	w.cheap.procs[103] = {10, {{"lo", {}}, {"eth0", st(41)}}};	// 4th: not tried
	w.cheap.stats[10] = {{1, {}}, {2, st(60)}};
	w.cheap.proc_calls.clear();
	w.cheap.netlink_calls.clear();
	r = c.collect(list, w.full, w.cheap);
	EXPECT_EQ(w.cheap.proc_calls, (std::vector<int>{100, 101, 102}));
	EXPECT_EQ(w.cheap.netlink_calls.front(), 10u);
	EXPECT_EQ(link_of(r, 10, "eth0").stats, st(60));
	EXPECT_EQ(w.full.dumps[10], 1);

	w.cheap.procs[100] = {10, {{"lo", {}}, {"eth0", st(50)}}};
	w.cheap.proc_malformed = true;	// not netns_not_found: straight to netlink
	w.cheap.proc_calls.clear();
	c.collect(list, w.full, w.cheap);
	EXPECT_EQ(w.cheap.proc_calls, (std::vector<int>{100}));
	EXPECT_EQ(w.full.dumps[10], 1);

	w.cheap.stats.erase(10);
	w.full.vanish(10);
	r = c.collect(list, w.full, w.cheap);
	EXPECT_EQ(w.full.dumps[10], 2);
	ASSERT_TRUE(r[0].error);
	EXPECT_EQ(r[0].error->code, Errc::netns_not_found);
	EXPECT_EQ(c.size(), 2u);	// no entry for an error
	c.collect(list, w.full, w.cheap);
	EXPECT_EQ(w.full.dumps[10], 3);	// so a full dump again
}

// Netns missing from the list lose their entry: back later, a full dump.
TEST(LinkCache, UnlistedNetnsAreDropped)
{
	World w;
	LinkDumpCache c;
	c.collect(w.list(), w.full, w.cheap);
	auto two = w.list();
	two.erase(two.begin() + 1);
	c.collect(two, w.full, w.cheap);
	EXPECT_EQ(c.size(), 2u);
	c.collect(w.list(), w.full, w.cheap);
	EXPECT_EQ(w.full.dumps, (std::map<uint64_t, int>{{10, 1}, {20, 2}, {30, 1}}));
}

TEST(LinkCache, CookieDisagrees)
{
	World w;
	auto obs = collect_links(w.list(), w.full);
	Snapshot s;
	NetnsRecord r;
	r.inum = 10;
	r.cookie = 1010;
	s.netns.push_back(r);
	r.inum = 77;	// a netns the list lacks: not this check's business
	r.cookie = 5;
	s.netns.push_back(r);
	EXPECT_FALSE(cookie_disagrees(obs, s));
	s.netns[0].cookie = 1011;	// inum 10 is another netns now
	EXPECT_TRUE(cookie_disagrees(obs, s));
	obs[0].dump->cookie.reset();	// no cookie (old kernel): proves nothing
	EXPECT_FALSE(cookie_disagrees(obs, s));
}
