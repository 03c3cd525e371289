// SPDX-License-Identifier: GPL-2.0 OR MIT
// Network interfaces per netns: LinkSource, and its real implementation over
// rtnetlink (libnl-route-3).
#ifndef LIBNSPROBE_LINK_SOURCE_H
#define LIBNSPROBE_LINK_SOURCE_H

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "libnsprobe/drops.h"
#include "libnsprobe/fd.h"
#include "libnsprobe/netns_discovery.h"
#include "libnsprobe/result.h"

struct nl_sock;

namespace nsprobe {

// The kernel's own link counters (IFLA_STATS64): packets, bytes.
struct LinkStats {
	uint64_t rx_packets = 0;
	uint64_t rx_bytes = 0;
	uint64_t rx_dropped = 0;
	uint64_t tx_packets = 0;
	uint64_t tx_bytes = 0;
	uint64_t tx_dropped = 0;
	friend bool operator==(const LinkStats &, const LinkStats &) = default;
};

// NETNSA_NSID_NOT_ASSIGNED: the viewer has no id for that netns.
constexpr int32_t kNsidNotAssigned = -1;

// One RTM_NEWLINK of a dump, as far as nsprobe needs it.
struct LinkInfo {
	std::string name;		// IFLA_IFNAME
	int ifindex = 0;		// unique only within its netns
	std::string kind;		// IFLA_INFO_KIND ("veth"), "" if none
	bool admin_up = false;		// IFF_UP
	std::string oper_state;		// IF_OPER_* as text: "up", "down", "unknown", ...
	unsigned mtu = 0;		// bytes
	// IFLA_LINK. For a veth: the peer's ifindex in the peer's netns.
	// Older kernels omit IFLA_LINK when it equals the device's own ifindex
	// (rtnl_fill_ifinfo: iflink != ifindex); newer ones always send it
	// when IFLA_LINK_NETNSID is present. So nullopt on a veth means "the
	// peer has the same ifindex", never "no peer".
	std::optional<int> link;
	// IFLA_LINK_NETNSID: the peer netns's id as seen from this netns.
	// nullopt: absent, the peer is in this same netns.
	// kNsidNotAssigned (-1): the peer is elsewhere but has no id here.
	std::optional<int32_t> link_netnsid;
	LinkStats stats;
};

struct LinkDump {
	// net->net_cookie from SO_NETNS_COOKIE (Linux >= 5.14), nullopt if the
	// kernel does not support it.
	std::optional<uint64_t> cookie;
	std::vector<LinkInfo> links;	// in dump order (by ifindex)
};

class LinkSource {
public:
	virtual ~LinkSource() = default;
	// Dumps the links of `ns` (RTM_GETLINK) and learns its cookie.
	// Errors: netns_not_found (it vanished: every open path failed or now
	// leads elsewhere), permission_denied (setns/open refused), netlink,
	// internal.
	virtual Result<LinkDump> dump(const NetnsInfo &ns) = 0;
	// The nsid that `viewer` has for `target` (RTM_GETNSID, NETNSA_FD, sent
	// on viewer's socket; it never allocates one). kNsidNotAssigned if none.
	// Both must have been dumped before. Errors: netns_not_found, netlink.
	virtual Result<int32_t> nsid_of(const NetnsId &viewer, const NetnsId &target) = 0;
};

// The cheap reads of a netns's link counters, between full dumps
// (LinkDumpCache of link_cache.h).
class LinkCounterReader {
public:
	virtual ~LinkCounterReader() = default;
	// /proc/<pid>/net/dev, trusted only if /proc/<pid>/ns/net is the inode
	// `id` (st_dev and st_ino) both before and after the read, both looked
	// up under one open /proc/<pid> (a pid reused meanwhile fails the
	// lookup). No setns, no socket. Parsed by parse_proc_net_dev()
	// (link_cache.h). Errors: netns_not_found (the process exited, or its
	// netns is another one now), permission_denied, malformed, internal.
	virtual Result<std::map<std::string, LinkStats>> proc_net_dev(int pid,
								      const NetnsId &id) = 0;
	// The counters of every link of `ns` by ifindex: one RTM_GETSTATS
	// dump (IFLA_STATS_LINK_64: rtnl_link_stats64, IFLA_STATS64's
	// counters) on a netlink socket made inside `ns`, through its
	// open_paths as LinkSource::dump(). Neither the socket nor the netns
	// fd outlives the call. Errors: netns_not_found, permission_denied,
	// netlink, internal.
	virtual Result<std::map<int, LinkStats>> link_stats(const NetnsInfo &ns) = 0;
};

// Real LinkSource. For each netns: one open(), setns() into it and back
// (skipped for nsprobe's own netns), one netlink socket, one UDP socket for
// SO_NETNS_COOKIE, one link dump. Keeps the netns fd, and the netlink socket
// when a link there has a link-netnsid (needed for nsid_of): at most two fds
// per netns. Must be used from the main thread of a single-threaded process:
// setns(CLONE_NEWNET) applies to the calling thread only.
class NetlinkLinkSource : public LinkSource, public LinkCounterReader {
public:
	NetlinkLinkSource();
	~NetlinkLinkSource() override;
	Result<LinkDump> dump(const NetnsInfo &ns) override;
	Result<int32_t> nsid_of(const NetnsId &viewer, const NetnsId &target) override;
	// LinkCounterReader. Neither keeps anything open: the cheap reads
	// make no Handle.
	Result<std::map<std::string, LinkStats>> proc_net_dev(int pid, const NetnsId &id) override;
	Result<std::map<int, LinkStats>> link_stats(const NetnsInfo &ns) override;

	// The drop counters of `ns` (drops.h), read inside it: its qdiscs
	// (RTM_GETQDISC dump through libnl-route, rtnl_qdisc_alloc_cache, on a
	// netlink socket made there) and /proc/thread-self/net/{snmp,netstat}
	// opened while this thread is in it. The same open/setns/return as
	// dump(). A failed stage sets qdisc_error or snmp_error. `snmp`
	// false: the qdiscs only (snmp left empty, snmp_error unset). Errors
	// (the whole netns): netns_not_found (it vanished), permission_denied,
	// internal.
	Result<NetnsDropCounters> drop_counters(const NetnsInfo &ns, bool snmp = true);

	// The neighbour tables' statistics, host-wide (drops.h): an
	// RTM_GETNEIGHTBL dump in nsprobe's own netns (NDTA_STATS), and
	// unres_discards from /proc/net/stat/<table> when nsprobe runs in the
	// initial netns. Errors: netlink, malformed.
	Result<std::vector<NeighTableStats>> neigh_tables();

private:
	struct Handle {
		UniqueFd ns_fd;
		nl_sock *sock = nullptr;
	};
	Status init();
	// An fd of `ns`, through the first of its open_paths that still leads
	// to its inode. Errors: netns_not_found, permission_denied.
	Result<UniqueFd> open_ns(const NetnsInfo &ns);
	// Runs `in_ns` with this thread in `ns` (directly when `ns` is the
	// netns we started in), then returns to the original netns. What
	// `in_ns` creates stays bound to `ns`: sockets, and files opened under
	// /proc/thread-self/net. Returns the fd of `ns` for the caller to keep.
	// Errors: those of init() and open_ns(); permission_denied when setns()
	// says EPERM; internal for any other setns() failure.
	Result<UniqueFd> run_in_netns(const NetnsInfo &ns, const std::function<void()> &in_ns);

	UniqueFd orig_fd_;	// the netns we started in
	NetnsId orig_id_{};
	std::map<NetnsId, Handle> handles_;
};

} // namespace nsprobe

#endif
