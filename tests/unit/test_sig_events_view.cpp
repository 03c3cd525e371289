// SPDX-License-Identifier: GPL-2.0 OR MIT
// signals --events as a person reads it: the filters (--signal,
// --exclude-signal, --since), one block per netns with its header, time
// order within a block, and the same filter in text and JSON.
#include <csignal>
#include <functional>
#include <map>

#include <gtest/gtest.h>

#include "fakes.h"
#include "golden.h"
#include "libnsprobe/render.h"
#include "libnsprobe/sig_events.h"

using namespace nsprobe;
using nsprobe::test::info;
using nsprobe::test::read_fixture;

namespace {

// The v1_4 fixture: live rings of 4026531840:1 (1 event) and
// 4026532201:4097 "blue" (4), the dead 4026532201:12 (a podman container,
// 2 events) and the dead 4026532400:13 (no ring).
SigEventsModel v14_model(const SigEventFilter &filter,
			 std::function<bool(uint64_t, uint64_t, bool)> want = nullptr)
{
	auto live = parse_sig_events(read_fixture("debugfs/v1_4/nsprobe/events"), "events");
	auto pm = parse_postmortem(read_fixture("debugfs/v1_4/nsprobe/postmortem"), "postmortem");
	EXPECT_TRUE(live && pm);
	if (!want)
		want = [](uint64_t, uint64_t, bool) { return true; };
	return build_sig_events(*live, *pm,
				{info(4026531840, {}, {{1, "init"}}, true),
				 info(4026532201, {"blue"}, {{186, "my init"}})},
				filter, want);
}

std::vector<uint64_t> seqs(const SigEventsModel &m)
{
	std::vector<uint64_t> out;
	for (const SigEvent &e : m.events)
		out.push_back(e.inum % 1000 * 100 + e.seq);
	return out;
}

} // namespace

TEST(SigEventFilters, ParseSignal)
{
	EXPECT_EQ(parse_signal("15"), 15);
	EXPECT_EQ(parse_signal("TERM"), 15);
	EXPECT_EQ(parse_signal("sigterm"), 15);
	EXPECT_EQ(parse_signal("SIGCHLD"), 17);
	EXPECT_EQ(parse_signal("chld"), 17);
	EXPECT_EQ(parse_signal("KILL"), 9);
	EXPECT_EQ(parse_signal("RTMIN+3"), SIGRTMIN + 3);
	EXPECT_EQ(parse_signal(std::to_string(SIGRTMAX)), SIGRTMAX);
	// Names bash's kill -l prints that signal_name() does not, and aliases.
	EXPECT_EQ(parse_signal("IO"), SIGIO);
	EXPECT_EQ(parse_signal("SIGIOT"), SIGABRT);
	EXPECT_EQ(parse_signal("cld"), SIGCHLD);
	EXPECT_EQ(parse_signal("RTMAX"), SIGRTMAX);
	EXPECT_EQ(parse_signal("SIGRTMAX-2"), SIGRTMAX - 2);
	EXPECT_EQ(parse_signal("RTMAX-14"), SIGRTMAX - 14);
	for (const char *bad : {"", "0", "-9", "+9", "65", "SIG", "FOO", "SIGTERM ", "9x", "1.5",
				"RTMAX-0", "RTMAX+1", "RTMAX-99", "RTMAX-", "RTMAX-x"})
		EXPECT_EQ(parse_signal(bad), std::nullopt) << bad;
}

TEST(SigEventFilters, ParseDuration)
{
	EXPECT_EQ(parse_duration_ns("30s"), 30000000000u);
	EXPECT_EQ(parse_duration_ns("5m"), 300000000000u);
	EXPECT_EQ(parse_duration_ns("500ms"), 500000000u);
	EXPECT_EQ(parse_duration_ns("2h"), 7200000000000u);
	EXPECT_EQ(parse_duration_ns("1d"), 86400000000000u);
	EXPECT_EQ(parse_duration_ns("7"), 7000000000u);
	EXPECT_EQ(parse_duration_ns("0s"), 0u);
	EXPECT_EQ(parse_duration_ns("100d"), 8640000000000000u);
	for (const char *bad : {"", "s", "1.5s", "-1s", "+1s", "5x", "5 s", "5S", "101d", "1e3s",
				"99999999999999s"})
		EXPECT_EQ(parse_duration_ns(bad), std::nullopt) << bad;
}

TEST(SigEventFilters, SignalExcludeSince)
{
	// Live 4026531840:1 seq 1 (SIGALRM, 50 s); 4026532201:4097 seq 1..4
	// (SIGTERM 51 s, SIGKILL 52 s, SIGPIPE 53 s, SIGKILL 54 s); dead
	// 4026532201:12 seq 1, 2 (SIGTERM 40 s, SIGKILL 50 s).
	EXPECT_EQ(seqs(v14_model({})),
		  (std::vector<uint64_t>{84001, 20101, 20102, 20103, 20104, 20101, 20102}));
	SigEventFilter kill;
	kill.signals = {9};
	EXPECT_EQ(seqs(v14_model(kill)), (std::vector<uint64_t>{20102, 20104, 20102}));
	SigEventFilter two;
	two.signals = {9, 15};
	two.exclude = {15};	// exclude wins
	EXPECT_EQ(seqs(v14_model(two)), (std::vector<uint64_t>{20102, 20104, 20102}));
	SigEventFilter no_kill;
	no_kill.exclude = {9, 14};
	EXPECT_EQ(seqs(v14_model(no_kill)), (std::vector<uint64_t>{20101, 20103, 20101}));
	SigEventFilter since;
	since.since_ts_ns = 52000000000;	// at or after 52 s
	EXPECT_EQ(seqs(v14_model(since)), (std::vector<uint64_t>{20102, 20103, 20104}));
	// kept counts what each ring holds, whatever the filter.
	SigEventsModel m = v14_model(kill);
	EXPECT_EQ((m.kept[{4026532201, 4097}]), 4u);
	EXPECT_EQ((m.kept[{4026532201, 12}]), 2u);
	EXPECT_EQ((m.kept[{4026531840, 1}]), 1u);
}

TEST(SigEventsText, OneBlockPerNetnsInTimeOrder)
{
	EXPECT_EQ(render_text(v14_model({})),
		  "netns 4026532400:13 (cgroup unknown, container unknown): gone 3 s ago, at "
		  "2025-12-06 05:46:49 UTC, no event ring\n"
		  "\n"
		  "netns 4026531840:1 (host, current netns): live, 1 event\n"
		  "  50.000000 sent from interrupt context (a timer), no sending task -> sleeper[300] "
		  "pid 300 in pidns 4026531836 netns 4026531840: SIGALRM queued, kernel, forced: "
		  "queued; the target takes it on its way back to user space\n"
		  "\n"
		  "netns 4026532201:12 (podman container 0123abcd4567, cgroup "
		  "/machine.slice/libpod-0123abcd4567ef890123abcd4567ef890123abcd4567ef890123abcd4567ef89"
		  ".scope/container): gone 12 s ago, at 2025-12-06 05:46:40 UTC, 2 events\n"
		  "  40.000000 conmon[880] netns 4026531840 -> my app[901] pid 1 in pidns 4026532310 "
		  "netns 4026532201: SIGTERM ignored (init), process, forced: SIGTERM to PID 1 of "
		  "netns 4026532201 ignored: PID 1 installed no handler; from outside its pid "
		  "namespace only SIGKILL and SIGSTOP get through\n"
		  "  50.000000 conmon[880] netns 4026531840 -> my app[901] pid 1 in pidns 4026532310 "
		  "netns 4026532201: SIGKILL delivered_term, process, forced: fatal: no handler, and "
		  "the default action (terminate) started at once\n"
		  "\n"
		  "netns 4026532201:4097 (blue): live, 4 events\n"
		  "  51.000000 bash[175] netns 4026531840 -> my init[186] pid 1 in pidns 4026532249 "
		  "netns 4026532201: SIGTERM ignored (init), process, forced: SIGTERM to PID 1 of "
		  "netns 4026532201 ignored: PID 1 installed no handler; from outside its pid "
		  "namespace only SIGKILL and SIGSTOP get through\n"
		  "  52.000000 hog[190] netns 4026532201 -> hog[190] pid 4 in pidns 4026532249 netns "
		  "4026532201: SIGKILL by the OOM killer delivered_term, kernel, forced: killed: the "
		  "OOM killer chose this task to free memory (memory.events oom_kill counts it); the "
		  "sender is the task that ran the OOM killer\n"
		  "  53.000000 writer[191] netns 4026532201 -> writer[191] pid 5 in pidns 4026532249 "
		  "netns 4026532201: SIGPIPE delivered_term, kernel: fatal: no handler, and the "
		  "default action (terminate) started at once\n"
		  "  54.000000 bash[175] netns 4026531840 -> my init[186] pid 1 in pidns 4026532249 "
		  "netns 4026532201: SIGKILL delivered_term, process, forced: fatal: no handler, and "
		  "the default action (terminate) started at once\n");
}

TEST(SigEventsText, TimeOrderAcrossTwoRingsAndHeaders)
{
	// Format 1.4 writes the notable ring, then the routine one: a block
	// sorts them by time. An exiting sender (sender_netns=0) is "(exited,
	// netns unknown)", never "netns 0". A netns without a label is
	// "unnamed".
	SigEvents live;
	live.rings.push_back(SigRing{77, 3, 16, 3, 0, 8, 1, 0});
	auto ev = [](uint64_t seq, uint64_t ts, int signo, uint64_t sender_netns) {
		SigEvent e;
		e.inum = 77;
		e.cookie = 3;
		e.seq = seq;
		e.ts_ns = ts;
		e.sender_pid = 40;
		e.sender_comm = "sh";
		e.sender_netns = sender_netns;
		e.target_pid = 41;
		e.target_nspid = 41;
		e.target_comm = "t";
		e.signo = signo;
		e.outcome = "queued";
		e.reason = "-";
		e.origin = "kernel";
		e.forced = "0";
		return e;
	};
	live.events = {ev(2, 3000000000, 9, 77), ev(1, 1000000000, 17, 0), ev(3, 5000000000, 17, 77)};
	auto all = [](uint64_t, uint64_t, bool) { return true; };
	SigEventsModel m = build_sig_events(live, {}, {}, {}, all);
	EXPECT_EQ(render_text(m),
		  "netns 77:3 (unnamed): live, 3 events\n"
		  "  1.000000 sh[40] (exited, netns unknown) -> t[41] pid 41 in pidns 0 netns 77: "
		  "SIGCHLD queued, kernel: queued; the target takes it on its way back to user space\n"
		  "  3.000000 sh[40] netns 77 -> t[41] pid 41 in pidns 0 netns 77: SIGKILL queued, "
		  "kernel: queued; the target takes it on its way back to user space\n"
		  "  5.000000 sh[40] netns 77 -> t[41] pid 41 in pidns 0 netns 77: SIGCHLD queued, "
		  "kernel: queued; the target takes it on its way back to user space\n");
	EXPECT_EQ(sig_events_header(m, 77, 3), "netns 77:3 (unnamed): live");
	// JSON keeps the sender's netns as the module wrote it (0: unknown).
	EXPECT_EQ(to_json(m)["events"][1]["sender"]["netns"], 0);

	SigEventFilter no_chld;
	no_chld.exclude = {17};
	EXPECT_EQ(render_text(build_sig_events(live, {}, {}, no_chld, all)),
		  "netns 77:3 (unnamed): live, 1 of 3 events match the filters\n"
		  "  3.000000 sh[40] netns 77 -> t[41] pid 41 in pidns 0 netns 77: SIGKILL queued, "
		  "kernel: queued; the target takes it on its way back to user space\n");
	SigEventFilter none;
	none.signals = {15};
	EXPECT_EQ(render_text(build_sig_events(live, {}, {}, none, all)),
		  "no event matches the filters (3 events kept)\n");
}

TEST(SigEventsText, FilteredNetnsAreLeftOut)
{
	SigEventFilter term;
	term.signals = {15};
	std::string t = render_text(v14_model(term));
	// 4026531840:1 has no SIGTERM, 4026532400:13 no ring: left out.
	EXPECT_EQ(t.find("4026531840:1"), std::string::npos) << t;
	EXPECT_EQ(t.find("4026532400:13"), std::string::npos) << t;
	EXPECT_NE(t.find("netns 4026532201:4097 (blue): live, 1 of 4 events match the filters\n"),
		  std::string::npos)
		<< t;
	EXPECT_NE(t.find("gone 12 s ago, at 2025-12-06 05:46:40 UTC, 1 of 2 events match the "
			 "filters\n"),
		  std::string::npos)
		<< t;
}

TEST(SigEventsJson, SameFilterAsText)
{
	SigEventFilter kill;
	kill.signals = {9};
	SigEventsModel m = v14_model(kill);
	nlohmann::json j = to_json(m);
	EXPECT_EQ(j["schema"], "nsprobe/1");
	// Rings are listed whole; events are those the text shows.
	ASSERT_EQ(j["rings"].size(), 3u);
	ASSERT_EQ(j["events"].size(), 3u);
	for (const auto &e : j["events"])
		EXPECT_EQ(e["signo"], 9);
	EXPECT_EQ(j["events"][2]["gone"]["age_ns"], 12000000000u);
	EXPECT_TRUE(j["events"][0]["gone"].is_null());
	EXPECT_EQ(j["rings"][2]["gone"]["cgroup_id"], 1234);
	size_t lines = 0;
	for (char c : render_text(m))
		lines += c == '\n';
	// 2 headers, 3 events, 1 blank line between the blocks.
	EXPECT_EQ(lines, 6u);
}

namespace {

// The JSON document signals --events --json printed before it moved to
// render_json.cpp (cmd_signals_events.cpp at 0bb9646), kept verbatim as the
// reference: to_json(SigEventsModel) must print the same document.
nlohmann::json old_inline_json(const std::string &fixture,
			       std::function<bool(uint64_t, uint64_t, bool)> want_fn)
{
	auto evs = parse_sig_events(read_fixture("debugfs/" + fixture + "/nsprobe/events"), "events");
	std::string pm_text = read_fixture("debugfs/" + fixture + "/nsprobe/postmortem");
	auto pm = parse_postmortem(pm_text, "postmortem");
	EXPECT_TRUE(evs && pm);
	std::map<std::pair<uint64_t, uint64_t>, GoneView> gone;
	for (const GoneRecord &g : pm->gone)
		gone[{g.inum, g.cookie}] = GoneView::from(g);
	evs->rings.insert(evs->rings.end(), pm->events.rings.begin(), pm->events.rings.end());
	evs->events.insert(evs->events.end(), pm->events.events.begin(), pm->events.events.end());
	auto gone_of = [&](uint64_t inum, uint64_t cookie) -> std::optional<GoneView> {
		auto it = gone.find({inum, cookie});
		return it == gone.end() ? std::nullopt : std::optional<GoneView>(it->second);
	};
	auto want = [&](uint64_t inum, uint64_t cookie) {
		return want_fn(inum, cookie, gone.count({inum, cookie}) > 0);
	};
	auto ev_json = [&](const SigEvent &e) {
		nlohmann::json j = event_json(e);
		j["gone"] = gone_json(gone_of(e.inum, e.cookie));
		return j;
	};
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
	return j;
}

} // namespace

TEST(SigEventsJson, SameDocumentAsBeforeTheMove)
{
	auto all = [](uint64_t, uint64_t, bool) { return true; };
	auto dead_only = [](uint64_t inum, uint64_t cookie, bool gone) {
		return gone && inum == 4026532201 && cookie == 12;
	};
	auto live_blue = [](uint64_t inum, uint64_t, bool gone) { return !gone && inum == 4026532201; };
	for (const char *fx : {"good", "why", "why_off", "v1_3", "v1_4"})
		for (const auto &want : {std::function<bool(uint64_t, uint64_t, bool)>(all),
					 std::function<bool(uint64_t, uint64_t, bool)>(dead_only),
					 std::function<bool(uint64_t, uint64_t, bool)>(live_blue)}) {
			auto evs = parse_sig_events(
				read_fixture(std::string("debugfs/") + fx + "/nsprobe/events"), "events");
			auto pm = parse_postmortem(
				read_fixture(std::string("debugfs/") + fx + "/nsprobe/postmortem"),
				"postmortem");
			ASSERT_TRUE(evs && pm) << fx;
			SigEventsModel m = build_sig_events(*evs, *pm, {}, {}, want);
			EXPECT_EQ(json_text(to_json(m)), json_text(old_inline_json(fx, want))) << fx;
		}
	// Not vacuous: the v1_4 document has the live and the dead rings.
	auto evs = parse_sig_events(read_fixture("debugfs/v1_4/nsprobe/events"), "events");
	auto pm = parse_postmortem(read_fixture("debugfs/v1_4/nsprobe/postmortem"), "postmortem");
	nlohmann::json j = to_json(build_sig_events(*evs, *pm, {}, {}, all));
	EXPECT_EQ(j["rings"].size(), 3u);
	EXPECT_EQ(j["events"].size(), 7u);
}
