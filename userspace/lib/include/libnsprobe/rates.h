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
#include <vector>

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
	std::vector<IfaceSample> ifaces;	// without loopback
};

struct Sample {
	double t = 0;	// seconds, monotonic
	std::vector<NetnsSample> netns;
};

// Every netns of `m` (the caller selects), at time t.
Sample sample_of(const ShowModel &m, double t);

// (cur - prev) / dt; nullopt when dt <= 0 or cur < prev.
std::optional<double> counter_rate(uint64_t prev, uint64_t cur, double dt);

struct IfaceRate {
	int ifindex = 0;
	std::string name;
	std::optional<double> rx_pps, tx_pps, rx_bps, tx_bps, drops_ps;	// kernel stats
	std::optional<double> nsp_tx_pps, nsp_tx_bps;			// nsprobe counters
};

struct NetnsRate {
	uint64_t inum = 0;
	std::optional<uint64_t> cookie;
	std::optional<std::string> label;	// as NetnsSample's; nullopt: unknown
	bool fresh = false;	// not in the previous sample: no rates yet
	// Sums over the interfaces that have a rate (nullopt if none has).
	std::optional<double> pps, bps, drops_ps;
	std::optional<double> sig_ps, sig_ignored_ps;
	std::vector<IfaceRate> ifaces;
};

// Rates from prev to cur, sorted by bytes/s (rx + tx) descending, then
// packets/s, then inum; interfaces likewise within their netns. Netns only
// in prev are gone and not listed.
std::vector<NetnsRate> compute_rates(const Sample &prev, const Sample &cur);

} // namespace nsprobe

#endif
