// SPDX-License-Identifier: GPL-2.0 OR MIT
// libFuzzer target: the debugfs parser (include/nsprobe/format.h) and what
// the tool does with a parsed snapshot.
//
// The input is the content of one debugfs file. It goes through
// parse_version() and through every record parser (each keeps only its own
// record type, so one input can feed all of them). When every snapshot
// parser accepts it, the snapshot is rendered the way the CLI renders it:
// status, signals and show (all netns anonymous, default and wide), as text
// and as JSON text. The events and latency files have their own parsers and
// renderers (signals --events, latency), fed the same input.
//
// Oracles besides ASan/UBSan: the invariants the parser promises (a version
// it accepts has our MAJOR, signo in 1..NSP_SIG_MAX, ifindex > 0, at most
// one stats record), and no exception from the renderers.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "fakes.h"
#include "libnsprobe/correlator.h"
#include "libnsprobe/format_parser.h"
#include "libnsprobe/latency.h"
#include "libnsprobe/model.h"
#include "libnsprobe/render.h"
#include "libnsprobe/sig_events.h"

using namespace nsprobe;

namespace {

void require(bool ok)
{
	if (!ok)
		std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	std::string_view in(reinterpret_cast<const char *>(data), size);

	if (auto v = parse_version(in, "version"))
		require(v->major == NSP_FORMAT_MAJOR);

	// Escapes on their own: a decoded string is never longer than its input.
	if (auto s = unescape(in))
		require(s->size() <= in.size());

	if (auto ev = parse_sig_events(in, "events")) {
		for (const SigEvent &e : ev->events) {
			(void)event_text(e);
			(void)json_text(event_json(e));
		}
		for (const SigRing &r : ev->rings)
			(void)json_text(ring_json(r));
	}
	if (auto lat = parse_latency(in, "latency")) {
		LatencyFilter all;
		(void)render_latency_text(*lat, all);
		(void)render_latency_json(*lat, all);
	}

	Snapshot snap;
	snap.version = tool_format_version();
	auto probes = parse_probes(in, "probes");
	auto stats = parse_stats(in, "stats");
	auto netns = parse_netns(in, "netns");
	auto devices = parse_devices(in, "devices");
	auto signals = parse_signals(in, "signals");
	if (!probes || !stats || !netns || !devices || !signals)
		return 0;
	for (const DevRecord &d : *devices)
		require(d.ifindex > 0);
	for (const SigRecord &s : *signals)
		require(s.signo >= 1 && s.signo <= NSP_SIG_MAX);
	snap.probes = std::move(*probes);
	snap.stats = *stats;
	snap.netns = std::move(*netns);
	snap.devices = std::move(*devices);
	snap.signals = std::move(*signals);

	const std::string where = "/sys/kernel/debug/nsprobe";
	Result<Snapshot> r(std::move(snap));
	StatusModel st = build_status(r, where);
	(void)render_text(st);
	(void)json_text(to_json(st));
	SignalsModel sg = build_signals(r, where, {});
	(void)render_text(sg);
	(void)json_text(to_json(sg));
	test::FakeLinkSource links;
	ShowModel sh = correlate({}, links, r, where);
	(void)render_text(sh);
	(void)render_text(sh, {.wide = true, .color = true});
	(void)json_text(to_json(sh));
	return 0;
}
