// SPDX-License-Identifier: GPL-2.0 OR MIT
// The output model: what `status`, `show` and `signals` print. Both renderers
// (render_text.h, render_json.h) read only this.
#ifndef LIBNSPROBE_MODEL_H
#define LIBNSPROBE_MODEL_H

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libnsprobe/coverage.h"
#include "libnsprobe/format_parser.h"
#include "libnsprobe/link_source.h"
#include "libnsprobe/netns_discovery.h"
#include "libnsprobe/result.h"
#include "libnsprobe/sig_events.h"

namespace nsprobe {

// Are module counters available, and if not, why.
struct CountersStatus {
	bool available = false;
	std::optional<FormatVersion> format;	// when available
	std::string reason;			// errc_name() when unavailable
	std::string message;			// Error::message() when unavailable
	std::string where;			// <debugfs>/nsprobe

	static CountersStatus from(const Result<Snapshot> &r, std::string where);
	// Module counters are available and their format is at least 1.MINOR
	// (a key added in 1.MINOR is then known, not merely absent).
	bool has_minor(unsigned minor) const;
};

// A netns as referred to from elsewhere (a veth peer).
struct NetnsRef {
	uint64_t inum = 0;
	std::optional<uint64_t> cookie;
	std::vector<std::string> names;
};

// Per-device nsprobe counters (NSP_DEV_COUNTERS).
struct DevCounters {
#define NSP_X(key, unit) uint64_t key = 0;
	NSP_DEV_COUNTERS(NSP_X)
#undef NSP_X
	std::optional<uint64_t> tx_dropped_base;	// DevRecord::tx_dropped_base
	std::optional<uint64_t> rx_packets_base;	// DevRecord::rx_packets_base (1.7)
	static DevCounters from(const DevRecord &r);
};

enum class PeerStatus {
	resolved,	// found and proven: same netns, or nsid_of() == link-netnsid
	unverified,	// link-netnsid unassigned; the only candidate was taken
	ambiguous,	// several candidates, none provable
	not_found,	// no candidate in any netns nsprobe could read
};
const char *peer_status_name(PeerStatus s);

struct PeerView {
	PeerStatus status = PeerStatus::not_found;
	int ifindex = 0;		// the peer's ifindex, in the peer's netns
	std::string name;		// empty unless resolved/unverified
	std::optional<NetnsRef> netns;	// set unless ambiguous/not_found
};

struct InterfaceView {
	LinkInfo link;
	std::optional<PeerView> peer;		// veths only
	std::optional<DevCounters> nsprobe;	// module counters, if tracked
	// (show --wide) Packets its root qdiscs dropped (root_qdisc_drops() of
	// drops.h), since each qdisc was created. nullopt when not read (show
	// without --wide) or unknown (NetnsView::qdisc_error).
	std::optional<uint64_t> qdisc_drops;
};

// The kernel's TX dropped that nsprobe did not see at veth_xmit(): drops
// before the driver (carrier off, qdisc, neighbour), in packets, over the
// span of nsprobe's counters: (link tx_dropped - tx_dropped_base) - drops.
// nullopt when nsprobe does not track the device, or its module predates
// tx_dropped_base (format < 1.2); 0 (never negative) if nsprobe saw more
// (the link stats and debugfs are read moments apart). nullopt too when
// coverage says nsprobe's "drops" is unknown (counters-only mode): the
// difference would then be every drop, not the ones before the driver.
std::optional<uint64_t> drops_before_driver(const InterfaceView &iv,
					    const std::optional<Coverage> &cov = std::nullopt);

// Packets that reached the device without its peer's veth_xmit() (a blind
// spot of nsprobe: bpf_redirect_peer(), an XDP redirect into the peer, an
// XDP_TX of the peer), over the span of nsprobe's counters:
// (link rx_packets - rx_packets_base) - rx_veth. rx_veth counts what the
// peer's veth_xmit() delivered here, drops and requeues excluded, on the
// backlog and NAPI paths alike (format.h). nullopt when nsprobe does not
// track the device, its module predates rx_packets_base (format < 1.7), or
// coverage says rx_veth is unknown (counters-only mode, veth_fwd not
// armed). 0 (never negative) if nsprobe saw more (the link stats and
// debugfs are read moments apart, or a NAPI ring not yet polled). What the
// kernel does not count in RX at all (bpf_redirect_peer() before Linux 6.7
// without the stable backport: ShowModel::rx_counts_redirect_peer) is in
// neither, so not here.
std::optional<uint64_t> rx_without_veth_xmit(const InterfaceView &iv,
					     const std::optional<Coverage> &cov = std::nullopt);

// Whether a kernel of that release (uname -r, "6.12.107+deb12-amd64")
// counts bpf_redirect_peer() traffic in the RX packets of the veth it
// reaches: true from Linux 6.7, where skb_do_redirect() (net/core/filter.c,
// BPF_F_PEER) calls dev_sw_netstats_rx_add() on the peer ("bpf: Fix dev's
// rx stats for bpf_redirect_peer traffic", with veth's move to tstats).
// nullopt (unknown) before 6.7: stable kernels may have the backport or
// not, and the release does not say (Debian's 6.1.170, "6.1.0-47-amd64",
// has it: tests/vm/t_veth_exact.sh); without it that traffic is in no
// counter at all. nullopt too when the release does not parse.
std::optional<bool> rx_counts_redirect_peer(std::string_view release);

// Whether (inum, cookie) is the initial netns (init_net, the host's): its
// inum is PROC_NET_INIT_INO (0xEFFFFFF9) on kernels that give it a static
// one (6.18 does), or its cookie is 1 on those where its inum is dynamic
// (6.1, 6.12: init_net takes the first netns cookie). False when neither is
// known: "host" is never a guess.
constexpr uint64_t kInitNetInum = 0xEFFFFFF9u;
bool is_host_netns(uint64_t inum, std::optional<uint64_t> cookie);

// The name a person knows a netns by, for one-word labels (watch): its
// first /run/netns name, else its container ("docker:1234567890ab"), else
// "host" for the initial netns; nullopt when none is known. Never the
// comm of a process in it.
std::optional<std::string> netns_name(const std::vector<std::string> &names,
				      const std::optional<ContainerId> &container, bool host);

struct NetnsView {
	uint64_t inum = 0;
	std::optional<uint64_t> cookie;
	bool current = false;		// nsprobe runs in it
	bool host = false;		// the initial netns (is_host_netns())
	bool anonymous = false;		// known to the module only
	std::vector<std::string> names;
	std::vector<std::string> bind_paths;
	std::vector<ProcRef> pids;
	std::optional<ProcRef> init;		// see NetnsInfo::init
	std::optional<ContainerId> container;	// from the init's cgroup
	std::optional<NetnsRecord> nsprobe;	// the module's netns record
	// (format 1.3) Kills of a task in this netns by the OOM killer, in
	// signals: the SIGKILL sig record's oom_kill (0 without one). nullopt
	// when unknown: no module record for the netns, or a module older
	// than format 1.3 (which does not tell OOM kills apart).
	std::optional<uint64_t> oom_kills;
	std::vector<InterfaceView> interfaces;	// by ifindex
	std::vector<DevRecord> module_devices;	// module-tracked, not in the dump
	std::optional<std::string> links_error;	// why interfaces are unknown
	// (show --wide) why its qdiscs are unknown: RTM_GETQDISC failed
	std::optional<std::string> qdisc_error;
};

struct SkippedNetns {
	uint64_t inum = 0;
	std::string reason;
};

// (format 1.4) A dead netns, from its post-mortem record (format.h
// NSP_FILE_POSTMORTEM).
struct GoneView {
	uint64_t gone_ns = 0;	// when it died: ns since the epoch (CLOCK_REALTIME)
	uint64_t age_ns = 0;	// ns between its death and the read of debugfs
	// cgroup v2 id and path of the last task that left it; nullopt when
	// the module did not see one (cgroup_id=0, cgroup=-).
	std::optional<uint64_t> cgroup_id;
	std::optional<std::string> cgroup;
	// The container that cgroup names (container_of_cgroup_path());
	// nullopt when the cgroup is unknown or names no container.
	std::optional<ContainerId> container;
	static GoneView from(const GoneRecord &r);
};

// "gone 12 s ago" from age_ns (never from clocks): seconds below 2 min,
// minutes below 2 h, hours below 2 days, then days; "gone <1 s ago".
std::string gone_ago(uint64_t age_ns);

// (format 1.4) A dead netns in `show`, from its post-mortem record.
struct GoneNetnsView {
	uint64_t inum = 0;
	uint64_t cookie = 0;
	GoneView gone;
	std::optional<NetnsRecord> nsprobe;	// its netns record at its exit
	// Its OOM kills (SIGKILL oom_kill, format 1.3); nullopt as NetnsView's.
	std::optional<uint64_t> oom_kills;
};

struct ShowModel {
	CountersStatus counters;
	std::vector<NetnsView> netns;		// by inum
	std::vector<SkippedNetns> skipped;	// vanished during the scan
	// (1.4) Dead netns the module keeps a post-mortem record of, oldest
	// first; with a --netns selector, only the dead netns it names.
	std::vector<GoneNetnsView> gone;
	// What the counters can be trusted for (coverage.h): the fields a
	// helper that is not armed makes unknown, the calls veth_xmit missed.
	// nullopt when the counters are unavailable.
	std::optional<Coverage> coverage;
	// Whether the running kernel counts bpf_redirect_peer() traffic in a
	// veth's RX (rx_counts_redirect_peer()); nullopt: not known. Unless
	// true, such traffic may be missing from rx_without_veth_xmit(), and
	// the text says so when redirect_peer_asked (the tool read uname).
	std::optional<bool> rx_counts_redirect_peer;
	bool redirect_peer_asked = false;
};

struct SignalRow {
	int signo = 0;
	std::string name;	// "SIGTERM", "SIGRTMIN+3", "SIG32"
#define NSP_X(key, unit) uint64_t key = 0;
	NSP_SIG_COUNTERS(NSP_X)
#undef NSP_X
	bool init_protected = false;	// ignored_init > 0
	// One plain-words sentence per ignore reason with a count
	// (explain_ignored() of sig_events.h), in the kernel module's order.
	std::vector<std::string> explanations;
};

struct SignalNetnsView {
	uint64_t inum = 0;
	uint64_t cookie = 0;
	std::vector<std::string> names;
	std::vector<ProcRef> pids;
	std::optional<ProcRef> init;
	// A live netns: from its init's cgroup. A gone one: gone->container.
	std::optional<ContainerId> container;
	bool anonymous = false;		// live, and no bind mount or task found
	// (1.4) Set for a dead netns: the module's post-mortem record. Its
	// names, pids and init are empty (discovery sees live netns only; an
	// inum it shares with a live netns says nothing about the dead one).
	std::optional<GoneView> gone;
	std::vector<SignalRow> signals;	// by signo
};

struct SignalsModel {
	CountersStatus counters;
	// Live netns with a signal counted, by inum; then (1.4) every dead netns
	// the module keeps a post-mortem record of, oldest first, with or
	// without signals.
	std::vector<SignalNetnsView> netns;
	// Signals counted in no netns (stats sig_unattributed, format 1.3).
	// nullopt when unknown: counters unavailable, no stats record, or a
	// module older than 1.3, whose sig_unattributed counts hook events.
	std::optional<uint64_t> unattributed;
	// Before format 1.3: stats sig_unattributed as the module counts it,
	// in signal hook events (up to four per signal); nullopt from 1.3 on.
	std::optional<uint64_t> unattributed_hook_events;
	// The module tells OOM kills apart (format 1.3): SignalRow::oom_kill
	// is a count; else it is unknown (the member reads 0).
	bool oom_counted = false;
	// (1.4) Dead netns the module could not keep a record of (stats
	// postmortem_lost); nullopt from an older module.
	std::optional<uint64_t> postmortem_lost;
	// (1.5) The node's counters by signo: every netns, live or dead, since
	// the module loaded or the last reset of every netns (node_sig records;
	// no explanations). nullopt from an older module: unknown.
	std::optional<std::vector<SignalRow>> node;
};

struct StatusModel {
	CountersStatus counters;
	std::optional<bool> module_loaded;	// nullopt: cannot tell
	std::vector<ProbeRecord> probes;
	std::optional<StatsRecord> stats;
};

// How a person knows a live netns: its /run/netns names, the container of
// its init (from the init's cgroup), and whether nsprobe runs in it. From a
// /proc scan (netns_discovery.h), which learns inums, not cookies.
struct NetnsLabel {
	std::vector<std::string> names;
	std::optional<ContainerId> container;
	bool current = false;
	bool host = false;	// its inum is the initial netns's (kInitNetInum)
};
// The label of each scanned netns, by inum.
std::map<uint64_t, NetnsLabel> netns_labels(const std::vector<NetnsInfo> &netns);

// What `signals --events` prints (render.h): the rings of the selected netns
// and their events that pass the filter.
struct SigEventsModel {
	// Rings of the selected netns: live ones in file order, then (1.4)
	// those of dead netns, from the post-mortem file.
	std::vector<SigRing> rings;
	// Their events that pass `filter`, per netns as written (oldest
	// first in each ring; two rings from 1.4 on).
	std::vector<SigEvent> events;
	// Dead netns by (inum, cookie), and the selected ones oldest first
	// as the module lists them (a dead netns may have no ring).
	std::map<std::pair<uint64_t, uint64_t>, GoneView> gone;
	std::vector<GoneRecord> gone_order;
	// Live netns by inum (a dead netns's inum says nothing: never used
	// for it).
	std::map<uint64_t, NetnsLabel> labels;
	SigEventFilter filter;
	// Events each ring holds before the filter, by (inum, cookie).
	std::map<std::pair<uint64_t, uint64_t>, uint64_t> kept;

	std::optional<GoneView> gone_of(uint64_t inum, uint64_t cookie) const;
};

// The model of `signals --events` from the live events file and (1.4) the
// post-mortem file: the netns `want` accepts (inum, cookie, gone), their
// events that pass `filter`, labelled from `netns` (a /proc scan).
SigEventsModel build_sig_events(const SigEvents &live, const Postmortem &pm,
				const std::vector<NetnsInfo> &netns, const SigEventFilter &filter,
				const std::function<bool(uint64_t, uint64_t, bool)> &want);

// "SIGTERM" for 15; "SIGRTMIN+n" for real-time signals; "SIG<n>" otherwise.
std::string signal_name(int signo);

StatusModel build_status(const Result<Snapshot> &snap, std::string where);
// Per netns, the signals with any counter; netns names from `netns`
// (matched by inum, as discovery does not learn cookies). Then each dead
// netns of the post-mortem file (format 1.4), never matched with `netns`.
SignalsModel build_signals(const Result<Snapshot> &snap, std::string where,
			   const std::vector<NetnsInfo> &netns);

} // namespace nsprobe

#endif
