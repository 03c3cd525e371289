// SPDX-License-Identifier: GPL-2.0 OR MIT
// Prometheus metrics (`nsprobe serve`, `nsprobe export`): the models that
// `status`, `show` and `signals` print, turned into prometheus-cpp metric
// families, built fresh from one snapshot each time (no long-lived registry:
// the series of a netns that vanished are simply not built again). The
// metrics, their types, labels and units are listed in docs/metrics.md.
#ifndef LIBNSPROBE_PROM_H
#define LIBNSPROBE_PROM_H

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <prometheus/metric_family.h>

#include "libnsprobe/latency.h"
#include "libnsprobe/model.h"

namespace nsprobe {

constexpr std::size_t kDefaultMaxNetns = 500;

// One snapshot of everything the metrics are made of.
struct MetricsInput {
	// nsprobe.ko is loaded (debugfs says so, or sysfs when debugfs cannot).
	bool module_loaded = false;
	StatusModel status;	// probes, module stats; counters status
	ShowModel show;		// netns, links, veth peers, netns/dev counters
	SignalsModel signals;	// per netns and signal
	std::optional<LatencyFile> latency;	// with latency=1 only
	// At most this many netns get per-netns series; the tool's own netns
	// first, then by inum ascending (stable across scrapes: the oldest
	// netns stay). nsprobe_netns_omitted counts the rest.
	std::size_t max_netns = kDefaultMaxNetns;
};

// The metric families, in a fixed order; families without a sample are left
// out. Label values are made valid UTF-8 (an invalid byte becomes U+FFFD).
std::vector<prometheus::MetricFamily> build_metrics(const MetricsInput &in);

// Prometheus text exposition format 0.0.4 (prometheus::TextSerializer).
std::string render_prometheus_text(const std::vector<prometheus::MetricFamily> &families);

// `s` with every byte that is not part of valid UTF-8 replaced by U+FFFD.
std::string valid_utf8(const std::string &s);

} // namespace nsprobe

#endif
