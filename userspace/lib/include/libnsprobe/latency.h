// SPDX-License-Identifier: GPL-2.0 OR MIT
// The "latency" file of nsprobe.ko (include/nsprobe/format.h,
// NSP_FILE_LATENCY): parser, and percentiles estimated from log2 buckets.
#ifndef LIBNSPROBE_LATENCY_H
#define LIBNSPROBE_LATENCY_H

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nsprobe/format.h>

#include "libnsprobe/coverage.h"
#include "libnsprobe/model.h"
#include "libnsprobe/result.h"

namespace nsprobe {

// One log2 histogram: buckets[i] counts values in [bucket_lo(i), bucket_hi(i)).
struct Hist {
	uint64_t count = 0;
	uint64_t sum_ns = 0;
	std::array<uint64_t, NSP_HIST_BUCKETS> buckets{};
};

// Bucket bounds in ns (format.h): bucket 0 is [0, 1), bucket i is
// [2^(i-1), 2^i), the last one is open: bucket_hi() returns nullopt.
uint64_t bucket_lo(unsigned i);
std::optional<uint64_t> bucket_hi(unsigned i);

// The value below which a fraction `q` (0 < q <= 1) of the samples lie,
// estimated from the buckets: the bucket holding the rank ceil(q * total) is
// found, and the value is interpolated linearly inside it (samples assumed
// evenly spread over [lo, hi)). In the open last bucket the estimate is its
// lower bound. nullopt for an empty histogram.
std::optional<double> hist_percentile(const Hist &h, double q);

// A dev_hist or netns_hist record.
struct HistRecord {
	bool per_device = false;	// dev_hist (else netns_hist)
	uint32_t inum = 0;
	uint64_t cookie = 0;
	int32_t ifindex = 0;		// dev_hist only
	std::string name;		// dev_hist only, unescaped
	std::string kind;		// NSP_HIST_KIND_NAMES word ("xmit", "cross")
	Hist hist;
};

// The "latency" record: the crossing-latency matcher.
struct LatencyStatsRecord {
	uint64_t table = 0;
	uint64_t max_age_ns = 0;
	uint64_t cross_matched = 0;
	uint64_t cross_evicted = 0;
	uint64_t cross_aged = 0;
	uint64_t cross_busy = 0;
};

struct LatencyFile {
	std::optional<LatencyStatsRecord> stats;
	std::vector<HistRecord> hists;	// in file order
};

// Parses the content of the latency file. Unknown record types and keys are
// ignored; known keys are required (b<i> keys are optional: absent = 0).
// Checks: i < NSP_HIST_BUCKETS, count == sum of the buckets.
// Errors: malformed, what = "<file>:<line>".
Result<LatencyFile> parse_latency(std::string_view content, std::string_view file);

// Which histograms to render: all, or one netns (inum), one device (name).
struct LatencyFilter {
	std::optional<uint32_t> inum;
	std::optional<std::string> dev;
	bool matches(const HistRecord &r) const;
};

// "1.5µs"-style value of a number of ns (ns, µs, ms, s; 3 significant digits).
std::string format_ns(double ns);

// What the histograms measure and what they do not, the first line of the
// text (format.h NSP_FILE_LATENCY, kmod/veth.c and kmod/latency.c): xmit is
// the time inside veth_xmit(); cross runs from the peer's veth_xmit() entry
// to this device's receive path (__netif_receive_skb() from the backlog,
// napi_gro_receive() from veth's NAPI). A qdisc (netem delay, tbf), the
// neighbour layer, the IP/UDP/TCP stack and the socket are before or after
// that, never in it.
constexpr const char *kLatencyScope =
	"measured: the veth crossing only (xmit: time in veth_xmit(); cross: the peer's "
	"veth_xmit() entry to this device's backlog/NAPI receive); not measured: qdisc, "
	"IP/UDP/TCP stack and socket time";

// bcc/bpftrace-style text: kLatencyScope first, then per histogram a header
// line "@netns <inum>:<cookie> (<netns_label_text()>) dev <name> (ifindex
// <i>) <kind>: count, average and p50/p90/p99", then one line per bucket
// from the first non-empty to the last non-empty, its bounds with units:
// "[2.05µs, 4.1µs)  count |@@@@  |". Then the matcher's counters. Netns
// labels come from `labels` (by inum; "unnamed" without). With a device
// filter, netns_hist records are left out; a netns_hist ("all devices")
// that equals the one dev_hist of its netns and kind is left out too. With `cov` (from
// the probes file) saying the crossing latency is unknown (coverage.h: a
// helper not armed), a cross histogram reads "count -" without buckets, and
// a note under everything says why.
std::string render_latency_text(const LatencyFile &f, const LatencyFilter &filter,
				const Coverage *cov = nullptr,
				const std::map<uint64_t, NetnsLabel> *labels = nullptr);

// JSON (schema nsprobe/1): {"matcher": {...} | null, "histograms": [{"scope":
// "dev"|"netns", "inum", "cookie", "ifindex", "name", "kind", "count",
// "sum_ns", "buckets": [NSP_HIST_BUCKETS counts], "p50_ns", "p90_ns",
// "p99_ns" (null when empty)}], "coverage": coverage_json() of the latency
// scope | null without `cov`}. A cross histogram that `cov` says is unknown
// has count, sum_ns, buckets and the percentiles null.
std::string render_latency_json(const LatencyFile &f, const LatencyFilter &filter,
				const Coverage *cov = nullptr);

} // namespace nsprobe

#endif
