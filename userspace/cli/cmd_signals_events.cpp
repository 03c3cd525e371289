// SPDX-License-Identifier: GPL-2.0 OR MIT
// nsprobe signals --events [--follow] [--json] [--netns X]: the signal
// event ring of each netns (format.h NSP_FILE_EVENTS), like killsnoop but
// with what became of each signal and why.
//
// --follow polls the file every 0.2 s and prints events whose seq is above
// the last one seen in that netns (by inum + cookie); events overwritten
// between two polls are reported as a count. JSON: one document without
// --follow ({"schema", "rings", "events"}); with --follow one event object
// per line (JSON lines).
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "commands.h"
#include "exit_codes.h"
#include "libnsprobe/debugfs_source.h"
#include "libnsprobe/render.h"
#include "libnsprobe/container.h"
#include "libnsprobe/sig_events.h"

namespace nsprobe::cli {

Result<SigEvents> read_sig_events(const std::string &dir)
{
	std::string path = dir + "/" NSP_FILE_EVENTS;
	std::ifstream f(path);
	if (!f)
		return Error{Errc::module_not_loaded, path, "cannot be read",
			     "the loaded nsprobe.ko is older than format 1.1 (no event ring), "
			     "or it was unloaded", 0};
	std::stringstream ss;
	ss << f.rdbuf();
	return parse_sig_events(ss.str(), path);
}

Result<Postmortem> read_postmortem(const std::string &dir, const FormatVersion &v)
{
	if (!v.at_least(NSP_FORMAT_MAJOR, 4))
		return Postmortem{};	// no such file before 1.4: no dead netns
	std::string path = dir + "/" NSP_FILE_POSTMORTEM;
	std::ifstream f(path);
	if (!f)
		return Error{Errc::module_not_loaded, path, "cannot be read",
			     "the module was unloaded, or this is not a format 1.4 module", 0};
	std::stringstream ss;
	ss << f.rdbuf();
	return parse_postmortem(ss.str(), path);
}

Error no_event_ring(const std::string &selector, const NetnsTarget &ref)
{
	return Error{Errc::netns_not_found, fmt::format("netns {} ({})", selector, describe(ref)),
		     "no event ring for it",
		     "the module keeps a ring per netns it has seen a signal for", 0};
}

int SignalsCommand::run_events()
{
	DebugfsSource src(resolve_debugfs(g_.debugfs));
	// read() checks the format version and turns lockdown, permissions and
	// a missing module into their exit codes.
	auto snap = src.read();
	if (!snap)
		return fail(snap.error());
	// One netns, live or (1.4) dead: selector.h.
	std::optional<NetnsTarget> only;
	if (netns_) {
		auto ref = resolve_netns(*netns_, snap);
		if (!ref)
			return fail(ref.error());
		only = *ref;
	}

	// The live rings and (format 1.4) those of dead netns, kept apart:
	// a dead netns' inum may be a live one's, its (inum, cookie) never.
	const FormatVersion version = snap->version;
	std::map<std::pair<uint64_t, uint64_t>, GoneView> gone;
	std::vector<GoneRecord> gone_order;	// oldest first, as the module lists them
	auto read_all = [&]() -> Result<SigEvents> {
		auto evs = read_sig_events(src.dir());
		if (!evs)
			return evs.error();
		auto pm = read_postmortem(src.dir(), version);
		if (!pm)
			return pm.error();
		gone.clear();
		for (const GoneRecord &g : pm->gone)
			gone[{g.inum, g.cookie}] = GoneView::from(g);
		gone_order = pm->gone;
		evs->rings.insert(evs->rings.end(), pm->events.rings.begin(), pm->events.rings.end());
		evs->events.insert(evs->events.end(), pm->events.events.begin(),
				   pm->events.events.end());
		return evs;
	};
	auto gone_of = [&](uint64_t inum, uint64_t cookie) -> std::optional<GoneView> {
		auto it = gone.find({inum, cookie});
		return it == gone.end() ? std::nullopt : std::optional<GoneView>(it->second);
	};
	auto want = [&](uint64_t inum, uint64_t cookie) {
		return !only || only->is(inum, cookie, gone.count({inum, cookie}) > 0);
	};
	auto ev_json = [&](const SigEvent &e) {
		nlohmann::json j = event_json(e);
		j["gone"] = gone_json(gone_of(e.inum, e.cookie));
		return j;
	};
	auto ev_text = [&](const SigEvent &e) {
		auto g = gone_of(e.inum, e.cookie);
		return event_text(e) + (g ? " [netns " + gone_ago(g->age_ns) + "]" : "") + "\n";
	};

	auto evs = read_all();
	if (!evs)
		return fail(evs.error());
	if (netns_) {
		bool known = false;
		for (const SigRing &r : evs->rings)
			known |= want(r.inum, r.cookie);
		if (!known)
			return fail(no_event_ring(*netns_, *only));
	}

	// Rings of size 0: the module keeps no events (sig_events=0, and with
	// format 1.4 sig_events_notable=0). Said once, never an empty silence.
	bool any_ring = false, any_kept = false;
	for (const SigRing &r : evs->rings)
		if (want(r.inum, r.cookie)) {
			any_ring = true;
			any_kept |= r.size > 0;
		}
	if (any_ring && !any_kept && !json_)
		emit(std::string("the module keeps no signal events (loaded with sig_events=0") +
		     (version.at_least(NSP_FORMAT_MAJOR, 4) ? " sig_events_notable=0" : "") +
		     "): counters only, see nsprobe signals\n");

	if (!follow_) {
		if (json_) {
			nlohmann::json j = {{"schema", kJsonSchema}};
			nlohmann::json rings = nlohmann::json::array(), list = nlohmann::json::array();
			for (const SigRing &r : evs->rings)
				if (want(r.inum, r.cookie)) {
					nlohmann::json rj = ring_json(r);
					rj["gone"] = gone_json(gone_of(r.inum, r.cookie));
					rings.push_back(std::move(rj));
				}
			for (const SigEvent &e : evs->events)
				if (want(e.inum, e.cookie))
					list.push_back(ev_json(e));
			j["rings"] = rings;
			j["events"] = list;
			emit(json_text(j));
			return kExitOk;
		}
		for (const SigRing &r : evs->rings) {
			if (!want(r.inum, r.cookie) || !r.overflow)
				continue;
			if (r.notable_size)	// 1.4: two rings
				emit(fmt::format("netns {}: {} older routine events overwritten (ring "
						 "of {}), {} notable (ring of {})\n", r.inum,
						 r.routine_overflow(), r.size - *r.notable_size,
						 r.story_overflow(), *r.notable_size));
			else
				emit(fmt::format("netns {}: {} older events overwritten (ring of {})\n",
						 r.inum, r.overflow, r.size));
		}
		for (const GoneRecord &r : gone_order)
			if (want(r.inum, r.cookie)) {
				GoneView g = GoneView::from(r);
				emit(fmt::format("netns {} cookie {}: {}, from {}\n", r.inum, r.cookie,
						 gone_when(g), gone_from(g)));
			}
		for (const SigEvent &e : evs->events)
			if (want(e.inum, e.cookie))
				emit(ev_text(e));
		return kExitOk;
	}

	// Follow: what the rings hold now, then each new event once. The last
	// seq printed and the last "written" are kept per (inum, cookie), so a
	// new netns with a reused inum starts from its own first event. Events
	// written since the last read but not shown were overwritten before
	// they were read: with two rings (1.4) the seqs shown are not one run,
	// so that is counted, not inferred from the oldest seq.
	struct Seen {
		uint64_t seq = 0, written = 0;
	};
	std::map<std::pair<uint64_t, uint64_t>, Seen> last;
	for (;;) {
		std::map<std::pair<uint64_t, uint64_t>, uint64_t> fresh;
		for (const SigEvent &e : evs->events)
			if (auto it = last.find({e.inum, e.cookie}); it == last.end() || e.seq > it->second.seq)
				fresh[{e.inum, e.cookie}]++;
		for (const SigRing &r : evs->rings) {
			auto key = std::make_pair(r.inum, r.cookie);
			auto it = last.find(key);
			if (it == last.end()) {
				last[key].written = r.written;
				continue;
			}
			uint64_t news = r.written - std::min(r.written, it->second.written);
			uint64_t lost = news - std::min(news, fresh[key]);
			it->second.written = r.written;
			if (want(r.inum, r.cookie) && lost && !json_)
				std::printf("netns %llu: %llu events overwritten before they were read\n",
					    static_cast<unsigned long long>(r.inum),
					    static_cast<unsigned long long>(lost));
		}
		for (const SigEvent &e : evs->events) {
			uint64_t &seen = last[{e.inum, e.cookie}].seq;
			if (e.seq <= seen)
				continue;
			seen = e.seq;
			if (!want(e.inum, e.cookie))
				continue;
			if (json_)
				std::printf("%s\n", ev_json(e).dump(-1, ' ', false,
						nlohmann::json::error_handler_t::replace).c_str());
			else
				emit(ev_text(e));
		}
		if (std::fflush(stdout) != 0 || std::ferror(stdout))
			return kExitOk;	// main()'s finish_stdout() reports it
		std::this_thread::sleep_for(std::chrono::milliseconds(200));
		evs = read_all();
		if (!evs)
			return fail(evs.error());
	}
}

} // namespace nsprobe::cli
