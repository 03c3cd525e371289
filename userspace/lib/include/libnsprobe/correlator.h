// SPDX-License-Identifier: GPL-2.0 OR MIT
// Joins discovery, link dumps and module counters into the ShowModel.
#ifndef LIBNSPROBE_CORRELATOR_H
#define LIBNSPROBE_CORRELATOR_H

#include <optional>
#include <string>
#include <vector>

#include "libnsprobe/debugfs_source.h"
#include "libnsprobe/link_source.h"
#include "libnsprobe/model.h"
#include "libnsprobe/netns_discovery.h"
#include "libnsprobe/selector.h"

namespace nsprobe {

// One discovered netns and what its link dump gave: either dump or error.
struct NetnsObservation {
	NetnsInfo info;
	std::optional<LinkDump> dump;
	std::optional<Error> error;
};

// Calls links.dump() once per netns, in order. Failures are recorded, never
// fatal.
std::vector<NetnsObservation> collect_links(std::vector<NetnsInfo> netns, LinkSource &links);

// Builds the model of every observed netns plus the netns known only to the
// module (anonymous). Identity of a netns: (inum, cookie) when the cookie is
// known, else inum.
//
// Veth peers: for a veth L in netns A with peer ifindex P (IFLA_LINK, or L's
// own ifindex when the kernel omitted it) and link-netnsid X:
//   candidates = veths C with C.ifindex == P and C's peer ifindex ==
//                L.ifindex, in A if X is absent, in any other netns if not;
//   X >= 0:  keep C in netns B iff links.nsid_of(A, B) == X  -> resolved;
//   X == -1: one candidate -> unverified, several -> ambiguous;
//   absent:  the candidate in A -> resolved.
// nsid_of() is asked only for candidates, once per (A, B). Names are never
// used as keys.
//
// Counters: a NetnsRecord/DevRecord matches a netns with the same inum and
// cookie (inum only when the cookie is unknown), a DevRecord a link by
// ifindex within it. Records of no observed netns form anonymous netns.
//
// resolve_peers false: no veth gets a PeerView (InterfaceView::peer stays
// nullopt) and `links` is not used: for watch, which prints no peers and
// whose reused dumps (link_cache.h) leave nothing for nsid_of().
ShowModel correlate(const std::vector<NetnsObservation> &obs, LinkSource &links,
		    const Result<Snapshot> &counters, std::string counters_where,
		    bool resolve_peers = true);

// (show --wide) Sets the qdisc_drops of each interface of `v` from its
// netns's drop counters (root_qdisc_drops() per ifindex), or v.qdisc_error
// when its qdiscs are unknown (c's qdisc_error, or c's error: the netns
// vanished or refused us).
void attach_qdisc_drops(NetnsView &v, const Result<NetnsDropCounters> &c);

// The netns `show` prints by default: the tool's own netns (so the output is
// never empty), and any with module counters, a veth, module devices, or
// unknown links.
bool worth_showing(const NetnsView &v);

// Keeps the netns `selector` names (resolve_selector() of selector.h over
// netns_candidates(m): one netns, live or dead) or, without selector, the
// live netns worth_showing() and every dead one. Errors: resolve_selector()'s.
Status select_netns(ShowModel &m, const std::optional<std::string> &selector);
// Keeps only the netns `ref` is (live views, or dead ones).
void select_netns(ShowModel &m, const NetnsTarget &ref);
// The same for signals, which also drops the node's rows (m.node: not this
// netns').
void select_netns(SignalsModel &m, const NetnsTarget &ref);

} // namespace nsprobe

#endif
