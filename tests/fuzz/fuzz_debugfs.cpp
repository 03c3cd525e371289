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
// renderers (signals --events, latency), fed the same input, and so has the
// post-mortem file (format 1.4): its dead netns go through the selector
// resolver (selector.h, by each one's INUM:COOKIE and inum), the signal
// story of --why, and the show and signals models they appear in.
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
#include "libnsprobe/selector.h"
#include "libnsprobe/sig_events.h"
#include "libnsprobe/sig_story.h"

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

	if (auto pm = parse_postmortem(in, "postmortem")) {
		// Every dead netns is named by its INUM:COOKIE: exactly that one.
		std::vector<NetnsCandidate> cands = netns_candidates({}, {}, pm->gone);
		for (const GoneRecord &g : pm->gone) {
			std::string exact = std::to_string(g.inum) + ":" + std::to_string(g.cookie);
			auto ref = resolve_selector(exact, cands);
			require(ref && ref->gone && ref->inum == g.inum && ref->cookie == g.cookie);
			(void)resolve_selector(std::to_string(g.inum), cands);
			SigStory story = build_story(pm->events, g.inum, g.cookie, true);
			story.gone = GoneView::from(g);
			(void)story_text(story, exact);
			(void)json_text(story_json(story, exact));
		}
		Snapshot dead;
		dead.version = tool_format_version();
		dead.postmortem = std::move(*pm);
		Result<Snapshot> r(std::move(dead));
		SignalsModel sg = build_signals(r, "/sys/kernel/debug/nsprobe", {});
		(void)render_text(sg);
		(void)json_text(to_json(sg));
		test::FakeLinkSource links;
		ShowModel sh = correlate({}, links, r, "/sys/kernel/debug/nsprobe");
		(void)render_text(sh);
		(void)json_text(to_json(sh));
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
