// Fakes for the kernel-facing interfaces, so unit tests need no root.
#ifndef NSPROBE_TESTS_FAKES_H
#define NSPROBE_TESTS_FAKES_H

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "libnsprobe/correlator.h"
#include "libnsprobe/link_source.h"
#include "libnsprobe/netns_discovery.h"

namespace nsprobe::test {

constexpr uint64_t kNsfsDev = 4;

inline NetnsId nsid(uint64_t inum)
{
	return {kNsfsDev, inum};
}

// A veth with IFLA_LINK `link` (nullopt: omitted, as the kernel does when it
// equals the own ifindex) and IFLA_LINK_NETNSID `netnsid`.
inline LinkInfo veth(std::string name, int ifindex, std::optional<int> link,
		     std::optional<int32_t> netnsid, LinkStats stats = {})
{
	LinkInfo l;
	l.name = std::move(name);
	l.ifindex = ifindex;
	l.kind = "veth";
	l.admin_up = true;
	l.oper_state = "up";
	l.mtu = 1500;
	l.link = link;
	l.link_netnsid = netnsid;
	l.stats = stats;
	return l;
}

inline LinkInfo loopback()
{
	LinkInfo l;
	l.name = "lo";
	l.ifindex = 1;
	l.admin_up = true;
	l.oper_state = "unknown";
	l.mtu = 65536;
	return l;
}

// A LinkSource over fixed dumps and a fixed nsid table.
class FakeLinkSource : public LinkSource {
public:
	void add(uint64_t inum, std::optional<uint64_t> cookie, std::vector<LinkInfo> links)
	{
		dumps_[nsid(inum)] = LinkDump{cookie, std::move(links)};
	}
	void vanish(uint64_t inum) { vanished_.push_back(nsid(inum)); }
	// viewer has id `id` for target.
	void set_nsid(uint64_t viewer, uint64_t target, int32_t id)
	{
		nsids_[{nsid(viewer), nsid(target)}] = id;
	}

	Result<LinkDump> dump(const NetnsInfo &ns) override
	{
		for (const NetnsId &v : vanished_)
			if (v == ns.id)
				return Error{Errc::netns_not_found, "netns " + std::to_string(ns.id.inum),
					     "vanished during the scan", {}, 0};
		auto it = dumps_.find(ns.id);
		if (it == dumps_.end())
			return Error{Errc::permission_denied, "netns", "denied", {}, 0};
		return it->second;
	}

	Result<int32_t> nsid_of(const NetnsId &viewer, const NetnsId &target) override
	{
		queries.push_back({viewer.inum, target.inum});
		auto it = nsids_.find({viewer, target});
		return it == nsids_.end() ? kNsidNotAssigned : it->second;
	}

	std::vector<std::pair<uint64_t, uint64_t>> queries;

private:
	std::map<NetnsId, LinkDump> dumps_;
	std::map<std::pair<NetnsId, NetnsId>, int32_t> nsids_;
	std::vector<NetnsId> vanished_;
};

inline NetnsInfo info(uint64_t inum, std::vector<std::string> names = {},
		      std::vector<ProcRef> pids = {}, bool current = false)
{
	NetnsInfo i;
	i.id = nsid(inum);
	i.names = std::move(names);
	i.pids = std::move(pids);
	i.current = current;
	return i;
}

} // namespace nsprobe::test

#endif
