// SPDX-License-Identifier: GPL-2.0 OR MIT
// Link dumps reused between refreshes (nsprobe watch, issue 10 item 2):
// LinkDumpCache keeps, per live netns, what cannot change while its links
// stay the same (its cookie, the links' names, ifindexes, kinds, peers) and
// refreshes only the counters, through a read far cheaper than a full
// RTM_GETLINK dump (LinkCounterReader).
#ifndef LIBNSPROBE_LINK_CACHE_H
#define LIBNSPROBE_LINK_CACHE_H

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "libnsprobe/correlator.h"
#include "libnsprobe/format_parser.h"
#include "libnsprobe/link_source.h"
#include "libnsprobe/netns_discovery.h"
#include "libnsprobe/result.h"

namespace nsprobe {

// The counters of every link of one netns, by name, from the text of
// /proc/<pid>/net/dev (dev_seq_printf_stats() in net/core/net-procfs.c):
// two header lines, then "NAME: " and 16 decimal columns, 8 receive (bytes
// packets errs drop fifo frame compressed multicast) and 8 transmit (bytes
// packets errs drop fifo colls carrier compressed). LinkStats gets rx/tx
// bytes, packets and the drop columns. The transmit drop column is
// rtnl_link_stats64's tx_dropped; the receive one is rx_dropped +
// rx_missed_errors, equal to IFLA_STATS64's rx_dropped only for a device
// that never counts rx_missed_errors (see proc_net_dev_exact()).
// Errors: malformed (a line without ':' or with another column count, a
// number that does not parse, a name twice), what = `where`.
Result<std::map<std::string, LinkStats>> parse_proc_net_dev(std::string_view text,
							    const std::string &where);

// Whether /proc/net/dev gives exactly IFLA_STATS64's counters for this link:
// a veth or the loopback ("lo", no kind), whose drivers never set
// rx_missed_errors (veth_get_stats64(), loopback_get_stats64()). Any other
// kind (a physical NIC, a bridge, ...) is read through RTM_GETSTATS instead.
bool proc_net_dev_exact(const LinkInfo &l);

// Whether `now` can follow `before` for the same device: no counter went
// backwards (the kernel's link counters are 64-bit and never reset for a
// device; a device deleted and re-created under the same name or ifindex
// starts again from 0).
bool counters_monotonic(const LinkStats &before, const LinkStats &now);

// What the cache did, summed since it was made (for tests and benchmarks).
struct LinkCacheStats {
	uint64_t full_dumps = 0;	// LinkSource::dump() calls
	uint64_t proc_reads = 0;	// netns refreshed through /proc/<pid>/net/dev
	uint64_t netlink_reads = 0;	// netns refreshed through RTM_GETSTATS
	uint64_t refused = 0;		// cheap reads that disagreed: a full dump followed
};

// The link dumps of the live netns, from one refresh to the next.
//
// collect() returns what collect_links() (correlator.h) returns for the same
// netns, in the same order: a LinkDump or an error per netns. A netns gets a
// full LinkSource::dump() when:
//  - the cache has no entry for it (a new netns, or clear() was called: the
//    caller clears it at each full rescan of the netns list);
//  - its last dump failed (no entry is kept for an error);
//  - its cheap read failed, or disagrees with the entry: another set of
//    link names (/proc/net/dev) or ifindexes (RTM_GETSTATS), or a counter
//    lower than the entry's (a device re-created under the same key).
// Otherwise the entry's dump is returned with every link's counters replaced
// by the cheap read's: /proc/<pid>/net/dev of one of the netns's processes
// (the first of NetnsInfo::pids whose read succeeds, at most 3 tried) when
// every link of the entry is proc_net_dev_exact(), else RTM_GETSTATS. The
// cookie, ifindexes (under /proc), names (under RTM_GETSTATS), kinds,
// flags, MTU, IFLA_LINK and link-netnsid are those of the last full dump
// until the next one. So, until the caller's next full rescan: a flag or MTU
// change, a rename seen only through RTM_GETSTATS, and a device deleted and
// re-created under the same name between two reads through /proc with
// counters no lower than before (an idle one: a new device counts from 0)
// keep their old values; so does the cookie of a netns that died when a
// new one got its inum and is reached through the same path or reused pid,
// with the same link names and counters no lower (the caller's
// cookie_disagrees() catches it when the module lists the new netns).
// Entries of netns not in `netns` are dropped. No fd or socket is kept
// between calls (a kept one would keep a dead netns alive): only
// NetnsInfo's paths and pids.
class LinkDumpCache {
public:
	std::vector<NetnsObservation> collect(std::vector<NetnsInfo> netns, LinkSource &full,
					      LinkCounterReader &cheap);
	// The next collect() dumps every netns in full.
	void clear() { entries_.clear(); }
	const LinkCacheStats &stats() const { return stats_; }
	size_t size() const { return entries_.size(); }

private:
	struct Entry {
		LinkDump dump;
		bool proc_exact = false;	// every link proc_net_dev_exact()
	};
	// The entry's dump with fresh counters, or nullopt: dump it in full.
	std::optional<LinkDump> refresh(const NetnsInfo &ns, Entry &e, LinkCounterReader &cheap);

	std::map<NetnsId, Entry> entries_;
	LinkCacheStats stats_;
};

// Whether the module lists a live netns under an inum that an observation
// has with another cookie: that inum now belongs to a new netns (the kernel
// reuses inums) that a reused path led to, and the cached cookie is stale.
// Observations without a dump or a cookie prove nothing.
bool cookie_disagrees(const std::vector<NetnsObservation> &obs, const Snapshot &snap);

} // namespace nsprobe

#endif
