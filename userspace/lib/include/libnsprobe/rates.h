// SPDX-License-Identifier: GPL-2.0 OR MIT
// Rates for `nsprobe watch`: two samples of the show model, per-second
// differences per netns and interface.
//
// Identity: a netns is (inum, cookie), an interface is (netns, ifindex), as
// in the correlator. The kernel reuses inums (and ifindexes in a new netns);
// a key that was not in the previous sample has no rate yet, so a recycled
// inode with a new cookie never yields a negative or absurd rate. A counter
// that went backwards (a reset through the control file, a device deleted and
// re-created with the same ifindex) has no rate for that interval either:
// what happened between the samples is unknown.
#ifndef LIBNSPROBE_RATES_H
#define LIBNSPROBE_RATES_H

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "libnsprobe/latency.h"
#include "libnsprobe/model.h"
#include "libnsprobe/units.h"	// human_si(), human_iec() for rate tables

namespace nsprobe {

struct IfaceSample {
	int ifindex = 0;
	std::string name;
	LinkStats kernel;
	std::optional<DevCounters> nsprobe;
};

struct NetnsSample {
	uint64_t inum = 0;
	std::optional<uint64_t> cookie;
	std::optional<std::string> label;	// netns_name(): name, container, "host"
	std::optional<uint64_t> sig_generated;	// module counters, if available
	std::optional<uint64_t> sig_ignored;
	// Packets nsprobe saw dropped in veth_xmit(), summed over its tracked
	// devices; nullopt when none is tracked or coverage says "drops" is
	// unknown (counters-only mode).
	std::optional<uint64_t> nsp_drops;
	// Of those, the packets the per-CPU backlog refused (drop_backlog);
	// nullopt as nsp_drops, or when coverage says drop_backlog is unknown.
	std::optional<uint64_t> backlog_drops;
	// Packets its root qdiscs dropped (TCA_STATS2, as `tc -s`: a root's
	// count includes its children's), summed; nullopt when not read
	// (watch without --wide) or unreadable.
	std::optional<uint64_t> qdisc_drops;
	// Packets its IPv4 stack received and dropped (stack_rx_drops() of
	// drops.h); nullopt when not read (without --wide) or unreadable.
	std::optional<uint64_t> stack_drops;
	// Its netns_hist histograms by kind ("xmit", "cross"), cumulative
	// (module loaded with latency=1; add_latency()).
	std::map<std::string, Hist> latency;
	std::vector<IfaceSample> ifaces;	// without loopback
};

struct Sample {
	Sample() = default;
	Sample(double t_, std::vector<NetnsSample> netns_) : t(t_), netns(std::move(netns_)) {}

	// Seconds, monotonic: the middle of the window in which the link
	// stats, the module's counters (and latency histograms) were read,
	// one timestamp for all of them.
	double t = 0;
	std::vector<NetnsSample> netns;
	double span = 0;	// that window's length, seconds
	// The module keeps latency histograms (latency=1); nullopt when its
	// counters are unavailable.
	std::optional<bool> latency_on;
};

// Every netns of `m` (the caller selects), at time t.
Sample sample_of(const ShowModel &m, double t);

// Adds the netns_hist records of `f` to the netns of `s` with their inum
// and cookie.
void add_latency(Sample &s, const LatencyFile &f);

// cur - prev per bucket; nullopt when a bucket went backwards (a reset).
std::optional<Hist> hist_delta(const Hist &prev, const Hist &cur);

// (cur - prev) / dt; nullopt when dt <= 0 or cur < prev.
std::optional<double> counter_rate(uint64_t prev, uint64_t cur, double dt);

struct IfaceRate {
	int ifindex = 0;
	std::string name;
	std::optional<double> rx_pps, tx_pps, rx_bps, tx_bps, drops_ps;	// kernel stats
	std::optional<double> nsp_tx_pps, nsp_tx_bps;			// nsprobe counters
	std::optional<double> nsp_drops_ps;	// veth_xmit() drops (nullopt: unknown)
};

struct NetnsRate {
	uint64_t inum = 0;
	std::optional<uint64_t> cookie;
	std::optional<std::string> label;	// as NetnsSample's; nullopt: unknown
	bool fresh = false;	// not in the previous sample: no rates yet
	// Sums over the interfaces that have a rate (nullopt if none has).
	std::optional<double> pps, bps, drops_ps;
	std::optional<double> sig_ps, sig_ignored_ps;
	std::optional<double> nsp_drops_ps;	// NetnsSample::nsp_drops per second
	std::optional<double> qdisc_drops_ps;	// NetnsSample::qdisc_drops per second
	std::optional<double> backlog_drops_ps;	// NetnsSample::backlog_drops per second
	std::optional<double> stack_drops_ps;	// NetnsSample::stack_drops per second
	// Drops per second of the stages that count each packet once: qdisc
	// drops, plus the kernel's link RX+TX dropped (drops_ps, which holds
	// veth_xmit's drops and so the backlog's), plus the stack's receive
	// drops; nullopt unless all three are known.
	std::optional<double> total_drops_ps;
	// p99 of the veth latency over the interval (ns), from the histogram's
	// growth between the samples: nullopt without latency=1, when nothing
	// was measured in the interval, or after a reset. Never 0 for unknown.
	std::optional<double> xmit_p99_ns, cross_p99_ns;
	std::vector<IfaceRate> ifaces;
};

// Rates from prev to cur, sorted by bytes/s (rx + tx) descending, then
// packets/s, then inum; interfaces likewise within their netns. Netns only
// in prev are gone and not listed.
std::vector<NetnsRate> compute_rates(const Sample &prev, const Sample &cur);

// One refresh of `nsprobe watch`, as render_watch_text() and to_json() of
// render.h print it.
struct WatchFrame {
	long frame = 0;			// 1, 2, ...
	double interval = 0;		// s between the two samples
	double sample_span = 0;		// s the slower of the two samples took to read
	std::optional<bool> latency_on;	// the module's latency=1; nullopt: unknown
	std::string counters_note;	// why nsprobe's counters are missing; "" if they are not
	std::vector<NetnsRate> netns;	// compute_rates()
};

} // namespace nsprobe

#endif
