// SPDX-License-Identifier: GPL-2.0 OR MIT
// nsprobe signals --events [--follow] [--json] [--netns X]: the signal
// event ring of each netns (format.h NSP_FILE_EVENTS), like killsnoop but
// with what became of each signal and why.
//
// --follow prints events whose seq is above the last one seen in that
// netns (by inum + cookie); events overwritten between two reads are
// reported as a count. With a format 1.7 module it keeps the events file
// open and sleeps in poll() until the module stores an event, then reads
// only what is new: with --netns naming a live netns that netns' ring
// record and its events after the last seq seen (format 1.5 selection),
// else the events of every netns numbered after the node's last event of
// the previous read ("select gseq_after=", 1.7) and the dead netns'
// records. The open file pins the module: rmmod fails while a follower
// runs (docs/architecture.md). An older module is read every 0.2 s, the
// file opened for each read. JSON: one document without
// --follow ({"schema", "rings", "events"}); with --follow one event object
// per line (JSON lines). Text: render_text(SigEventsModel) of render.h,
// one block per netns with a header; --follow: one stream, in time order
// per read, with a header line when the netns changes. --signal,
// --exclude-signal and --since filter the events, the same in text and
// JSON (SigEventFilter).
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <thread>
#include <tuple>

#include <time.h>
#include <unistd.h>

#include <fmt/format.h>

#include "commands.h"
#include "exit_codes.h"
#include "libnsprobe/debugfs_source.h"
#include "libnsprobe/render.h"
#include "libnsprobe/container.h"
#include "libnsprobe/netns_discovery.h"
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

namespace {

// --signal, --exclude-signal and --since: a bad value is a usage error
// (exit 2) naming the option and the value.
Result<SigEventFilter> event_filter(const std::vector<std::string> &only,
				    const std::vector<std::string> &exclude,
				    const std::optional<std::string> &since)
{
	SigEventFilter f;
	for (auto [opt, list, set] : {std::tuple{"--signal", &only, &f.signals},
				      std::tuple{"--exclude-signal", &exclude, &f.exclude}})
		for (const std::string &v : *list) {
			std::optional<int> signo = parse_signal(v);
			if (!signo)
				return Error{Errc::usage, fmt::format("{} {}", opt, v),
					     "is not a signal",
					     "give a name (TERM, SIGTERM, RTMIN+3) or a number from 1 to "
					     "SIGRTMAX, as kill -l lists them", 0};
			set->insert(*signo);
		}
	if (since) {
		std::optional<uint64_t> d = parse_duration_ns(*since);
		if (!d)
			return Error{Errc::usage, "--since " + *since, "is not a duration",
				     "a whole number and a unit: 500ms, 30s, 5m, 2h, 1d (up to 100 d)", 0};
		// ts_ns is CLOCK_MONOTONIC (kmod/signal.c ktime_get_ns()).
		timespec now{};
		::clock_gettime(CLOCK_MONOTONIC, &now);
		uint64_t now_ns = static_cast<uint64_t>(now.tv_sec) * 1000000000ull +
				  static_cast<uint64_t>(now.tv_nsec);
		f.since_ts_ns = now_ns - std::min(now_ns, *d);
	}
	return f;
}

} // namespace

int SignalsCommand::run_events()
{
	auto filter = event_filter(signal_, exclude_signal_, since_);
	if (!filter)
		return fail(filter.error());
	DebugfsSource src(resolve_debugfs(g_.debugfs));
	// read() checks the format version and turns lockdown, permissions and
	// a missing module into their exit codes.
	auto snap = src.read();
	if (!snap)
		return fail(snap.error());
	// Names and containers for the headers; a failed scan leaves the
	// netns unnamed.
	ProcNetnsDiscovery discovery;
	auto scanned = discovery.scan();
	std::vector<NetnsInfo> netns = scanned ? std::move(*scanned) : std::vector<NetnsInfo>{};
	// One netns, live or (1.4) dead: selector.h.
	std::optional<NetnsTarget> only;
	if (netns_) {
		auto ref = resolve_netns(*netns_, snap, &netns);
		if (!ref)
			return fail(ref.error());
		only = *ref;
	}

	// The live rings and (format 1.4) those of dead netns, kept apart:
	// a dead netns' inum may be a live one's, its (inum, cookie) never.
	const FormatVersion version = snap->version;
	auto want = [&](uint64_t inum, uint64_t cookie, bool gone) {
		return !only || only->is(inum, cookie, gone);
	};
	// (1.5) One live netns: the module selects its ring, and each read of a
	// --follow asks only for the events after the last one seen; the dead
	// netns' records are not read. The file is opened for each read: an
	// open file pins the module, and a follower must not keep rmmod out.
	const bool kernel_select = only && !only->gone && only->cookie &&
				   version.at_least(NSP_FORMAT_MAJOR, 5);
	auto read_selected = [&](const SigEventFilter &f, uint64_t after) -> Result<SigEventsModel> {
		auto ev_file = EventsFile::open(src.dir(), true);
		if (!ev_file)
			return Error{Errc::module_not_loaded, ev_file.error().what, "cannot be read",
				     "the module was unloaded", ev_file.error().sys_errno};
		// (1.6) The signal filter too: only the wanted events are read.
		std::optional<uint64_t> signals;
		if (version.at_least(NSP_FORMAT_MAJOR, 6))
			signals = f.kernel_signal_set();
		if (auto s = ev_file->select(static_cast<uint32_t>(only->inum), *only->cookie, after,
					     signals);
		    !s)
			return s.error();
		auto text = ev_file->read();
		if (!text)
			return text.error();
		auto evs = parse_sig_events(*text, ev_file->path());
		if (!evs)
			return evs.error();
		SigEventsModel m = build_sig_events(*evs, Postmortem{}, netns, f, want);
		// The module left the other signals out: what the ring holds
		// (the "N of M" of the header) is its evring record's count.
		if (signals)
			for (const SigRing &r : m.rings)
				m.kept[{r.inum, r.cookie}] = r.written - std::min(r.written, r.overflow);
		return m;
	};
	auto read_all = [&](const SigEventFilter &f, uint64_t after = 0) -> Result<SigEventsModel> {
		if (kernel_select)
			return read_selected(f, after);
		auto evs = read_sig_events(src.dir());
		if (!evs)
			return evs.error();
		auto pm = read_postmortem(src.dir(), version);
		if (!pm)
			return pm.error();
		return build_sig_events(*evs, *pm, netns, f, want);
	};

	// (1.7) --follow of a live netns or of every netns: one open file, a
	// poll() between reads. A dead netns (nothing new ever comes) and an
	// older module keep the 0.2 s reads.
	const bool wait_poll = follow_ && version.at_least(NSP_FORMAT_MAJOR, 7) &&
			       (!only || kernel_select);
	std::optional<EventsFile> held;
	uint64_t node_gseq = 0;
	auto read_follow = [&](const SigEventFilter &f, uint64_t after) -> Result<SigEventsModel> {
		if (!held) {
			auto ev_file = EventsFile::open(src.dir(), true);
			if (!ev_file)
				return Error{Errc::module_not_loaded, ev_file.error().what,
					     "cannot be read", "the module was unloaded",
					     ev_file.error().sys_errno};
			held = std::move(*ev_file);
		}
		Status s = kernel_select ? held->select(static_cast<uint32_t>(only->inum),
							*only->cookie, after)
					 : held->select_after_gseq(node_gseq);
		if (!s)
			return s.error();
		auto text = held->read();
		if (!text)
			return text.error();
		auto evs = parse_sig_events(*text, held->path());
		if (!evs)
			return evs.error();
		if (kernel_select)
			return build_sig_events(*evs, Postmortem{}, netns, f, want);
		if (!evs->node_gseq)
			return Error{Errc::malformed, held->path(), "has no evnode record",
				     "a format 1.7 module writes one first after \"select gseq_after=\"",
				     0};
		node_gseq = *evs->node_gseq;
		// A netns that died since the last read took its last events
		// into its post-mortem record.
		auto pm = read_postmortem(src.dir(), version);
		if (!pm)
			return pm.error();
		return build_sig_events(*evs, *pm, netns, f, want);
	};

	auto m = read_all(*filter);
	if (!m)
		return fail(m.error());
	if (netns_ && m->rings.empty())
		return fail(no_event_ring(*netns_, *only));

	// Rings of size 0: the module keeps no events (sig_events=0, and with
	// format 1.4 sig_events_notable=0). Said once, never an empty silence.
	bool any_kept = false;
	for (const SigRing &r : m->rings)
		any_kept |= r.size > 0;
	if (!m->rings.empty() && !any_kept && !json_)
		emit(std::string("the module keeps no signal events (loaded with sig_events=0") +
		     (version.at_least(NSP_FORMAT_MAJOR, 4) ? " sig_events_notable=0" : "") +
		     "): counters only, see nsprobe signals\n");

	if (!follow_) {
		emit(json_ ? json_text(to_json(*m)) : render_text(*m, {.color = stdout_color()}));
		return kExitOk;
	}

	// Follow: what the rings hold now, then each new event once. The last
	// seq printed and the last "written" are kept per (inum, cookie), so a
	// new netns with a reused inum starts from its own first event. Events
	// written since the last read but not shown were overwritten before
	// they were read: with two rings (1.4) the seqs shown are not one run,
	// so that is counted, not inferred from the oldest seq. The counting
	// reads every event (no filter); the filter applies to what is printed.
	// Text is one stream in time order per read, with a header line
	// (sig_events_header()) whenever the netns changes.
	const SigEventFilter all;
	struct Seen {
		uint64_t seq = 0, written = 0;
	};
	std::map<std::pair<uint64_t, uint64_t>, Seen> last;
	std::optional<std::pair<uint64_t, uint64_t>> last_header;
	bool ending = false;	// (1.7) the followed netns is gone: one last batch
	auto mm = wait_poll ? read_follow(all, 0) : read_all(all);
	if (!mm)
		return fail(mm.error());
	for (;;) {
		std::map<std::pair<uint64_t, uint64_t>, uint64_t> fresh;
		for (const SigEvent &e : mm->events)
			if (auto it = last.find({e.inum, e.cookie}); it == last.end() || e.seq > it->second.seq)
				fresh[{e.inum, e.cookie}]++;
		for (const SigRing &r : mm->rings) {
			auto key = std::make_pair(r.inum, r.cookie);
			auto it = last.find(key);
			if (it == last.end()) {
				last[key].written = r.written;
				continue;
			}
			uint64_t news = r.written - std::min(r.written, it->second.written);
			uint64_t lost = news - std::min(news, fresh[key]);
			it->second.written = r.written;
			if (lost && !json_)
				emit(fmt::format("netns {}:{}: {} events overwritten before they were read\n",
						 r.inum, r.cookie, lost));
		}
		std::vector<const SigEvent *> batch;
		for (const SigEvent &e : mm->events) {
			uint64_t &seen = last[{e.inum, e.cookie}].seq;
			if (e.seq <= seen)
				continue;
			seen = e.seq;
			if (filter->matches(e))
				batch.push_back(&e);
		}
		std::stable_sort(batch.begin(), batch.end(), [](const SigEvent *a, const SigEvent *b) {
			return a->ts_ns < b->ts_ns;
		});
		for (const SigEvent *e : batch) {
			if (json_) {
				std::printf("%s\n", sig_event_json(*mm, *e).dump(-1, ' ', false,
						nlohmann::json::error_handler_t::replace).c_str());
				continue;
			}
			auto key = std::make_pair(e->inum, e->cookie);
			if (last_header != key) {
				emit(sig_events_header(*mm, e->inum, e->cookie) + "\n");
				last_header = key;
			}
			emit("  " + event_text(*e) + "\n");
		}
		if (std::fflush(stdout) != 0 || std::ferror(stdout))
			return kExitOk;	// main()'s finish_stdout() reports it
		if (ending)
			return kExitOk;
		const uint64_t after = only && only->cookie ? last[{only->inum, *only->cookie}].seq : 0;
		if (wait_poll) {
			// No time limit: only an event wakes the module's file
			// (the open file pins the module, so it cannot go away
			// meanwhile), and a signal ends the follower, as does a
			// reader of stdout that went away (a pipe's POLLERR, a
			// terminal's POLLHUP): a follower nobody reads must not
			// keep pinning the module until the next event.
			auto woke = held->wait(-1, STDOUT_FILENO);
			if (!woke)
				return fail(woke.error());
			if (*woke == EventsFile::Wake::watch_closed)
				return kExitOk;
			if (*woke == EventsFile::Wake::hangup) {
				// The netns is gone: its last events, from its
				// post-mortem record (1.4), then the end.
				ending = true;
				auto pm = read_postmortem(src.dir(), version);
				if (!pm)
					return fail(pm.error());
				auto dead = [&](uint64_t inum, uint64_t cookie, bool) {
					return inum == only->inum && cookie == *only->cookie;
				};
				mm = build_sig_events(SigEvents{}, *pm, netns, all, dead);
				// stderr, apart from the text or JSON stream.
				std::fprintf(stderr, "netns %llu:%llu is gone\n",
					     static_cast<unsigned long long>(only->inum),
					     static_cast<unsigned long long>(*only->cookie));
			} else {
				mm = read_follow(all, after);
			}
		} else {
			std::this_thread::sleep_for(std::chrono::milliseconds(200));
			mm = read_all(all, after);
		}
		if (!mm)
			return fail(mm.error());
	}
}

} // namespace nsprobe::cli
