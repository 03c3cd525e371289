// SPDX-License-Identifier: GPL-2.0 OR MIT
// `nsprobe signals --why`: the story of one netns's signal events
// (sig_story.h) on tests/fixtures/debugfs/why{,_off}, golden text and JSON.
#include <gtest/gtest.h>

#include "golden.h"
#include "libnsprobe/sig_story.h"

using namespace nsprobe;
using namespace nsprobe::test;

namespace {

constexpr uint64_t kStopped = 4026532301;	// podman stop -t 2, then init_exit
constexpr uint64_t kOom = 4026532302;		// OOM kill, timer, overflow
constexpr uint64_t kQuiet = 4026532303;		// no events

SigEvents events_of(const std::string &fixture)
{
	auto r = parse_sig_events(read_fixture("debugfs/" + fixture + "/nsprobe/events"), "events");
	EXPECT_TRUE(r) << r.error().message();
	return r ? *r : SigEvents{};
}

void expect_story(const std::string &name, const SigStory &s, const std::string &target)
{
	expect_golden(name + ".txt", story_text(s, target));
	expect_golden(name + ".json", story_json(s, target).dump(2) + "\n");
}

} // namespace

// SIGTERM ignored by a handler-less init, SIGKILL 2 s later from the same
// sender outside, then the kernel kills the rest at pid namespace teardown.
// The SIGCHLD between them is routine and left out.
TEST(SigStory, StopIgnoredThenKilled)
{
	SigStory s = build_story(events_of("why"), kStopped, false);
	ASSERT_EQ(s.steps.size(), 3u);
	EXPECT_EQ(s.hidden, 1u);
	const StoryStep &term = s.steps[0];
	EXPECT_EQ(term.ev.signo, 15);
	EXPECT_EQ(term.inside, false);
	EXPECT_EQ(term.sender_kind, "process");
	EXPECT_FALSE(term.since_prev_ns);
	EXPECT_EQ(term.text, "SIGTERM from pid 812 (crun, outside the container) to PID 1 (sleep) "
			     "→ ignored: PID 1 (sleep) installed no handler; from outside its pid "
			     "namespace only SIGKILL and SIGSTOP get through (SIGNAL_UNKILLABLE)");
	const StoryStep &kill = s.steps[1];
	EXPECT_EQ(kill.since_prev_ns, 2000000000);
	EXPECT_EQ(kill.text, "2.0 s later SIGKILL from pid 812 → delivered: killed");
	const StoryStep &zap = s.steps[2];
	EXPECT_EQ(zap.sender_kind, "pidns_teardown");
	EXPECT_EQ(zap.inside, true);
	EXPECT_EQ(zap.ev.cause, "init_exit");
	expect_story("why_stop", s, "4026532301");
}

// The host's own netns is no container: its senders are "on the host" or
// "in another netns", never "inside the container".
TEST(SigStory, HostNetnsIsNoContainer)
{
	SigEvents evs = events_of("why");
	for (SigRing &r : evs.rings)
		if (r.inum == kStopped)
			r.cookie = 1;	// the initial netns's cookie (6.1, 6.12)
	for (SigEvent &e : evs.events)
		if (e.inum == kStopped)
			e.cookie = 1;
	SigStory s = build_story(evs, kStopped, 1, false);
	ASSERT_EQ(s.steps.size(), 3u);
	EXPECT_EQ(s.steps[0].text.substr(0, 58),
		  "SIGTERM from pid 812 (crun, in another netns, not the host");
	EXPECT_NE(s.steps[2].text.find("on the host"), std::string::npos) << s.steps[2].text;
	for (const StoryStep &st : s.steps)
		EXPECT_EQ(st.text.find("container"), std::string::npos) << st.text;
}

// A netns no container runtime owns, whose tasks share the initial pid
// namespace (`ip netns add blue; ip netns exec blue ...`): its senders are
// "inside/outside the netns". The same events with a container known, or
// with the targets in a pid namespace of their own, say "container".
TEST(SigStory, PlainNetnsIsNoContainer)
{
	constexpr uint64_t kInitPidns = 0xEFFFFFFCu;	// PROC_PID_INIT_INO
	SigEvents evs = events_of("why");
	for (SigEvent &e : evs.events)
		if (e.inum == kStopped)
			e.target_pidns = kInitPidns;
	SigStory s = build_story(evs, kStopped, false);
	ASSERT_EQ(s.steps.size(), 3u);
	EXPECT_EQ(s.kind, "netns");
	EXPECT_NE(s.steps[0].text.find("(crun, outside the netns) to PID 1"), std::string::npos)
		<< s.steps[0].text;
	EXPECT_NE(s.steps[2].text.find("(PID 1 exited: pid 900, sleep, inside the netns)"),
		  std::string::npos) << s.steps[2].text;
	for (const StoryStep &st : s.steps)
		EXPECT_EQ(st.text.find("container"), std::string::npos) << st.text;
	EXPECT_EQ(story_json(s, "blue")["kind"], "netns");
	EXPECT_EQ(story_json(s, "blue")["container"], nullptr);
	EXPECT_EQ(story_text(s, "blue").substr(0, 50),
		  "signals of netns 4026532301 (blue), oldest first:\n");

	// A pid namespace of its own in one event is enough: unshare --pid.
	for (SigEvent &e : evs.events)
		if (e.inum == kStopped && e.seq == 4)
			e.target_pidns = 4026532399;
	EXPECT_EQ(build_story(evs, kStopped, false).kind, "container");

	// A container the caller knows, whatever the pid namespaces.
	for (SigEvent &e : evs.events)
		if (e.inum == kStopped)
			e.target_pidns = kInitPidns;
	ContainerId c{"docker", std::string(64, 'a'), 2, "/system.slice/docker-a.scope"};
	SigStory d = build_story(evs, kStopped, false, c);
	EXPECT_EQ(d.kind, "container");
	EXPECT_NE(d.steps[0].text.find("(crun, outside the container)"), std::string::npos);
	EXPECT_EQ(story_text(d, "blue").substr(0, 81),
		  "signals of netns 4026532301 (blue, docker container aaaaaaaaaaaa), oldest first:\n");

	// An older module without target_pidns (0): unknown, not a container.
	for (SigEvent &e : evs.events)
		e.target_pidns = 0;
	EXPECT_EQ(build_story(evs, kStopped, false).kind, "netns");
}

TEST(SigStory, AllKeepsRoutineSteps)
{
	SigStory s = build_story(events_of("why"), kStopped, true);
	ASSERT_EQ(s.steps.size(), 4u);
	EXPECT_EQ(s.hidden, 0u);
	EXPECT_EQ(s.steps[1].ev.signo, 17);
	EXPECT_TRUE(s.notes.empty());
	expect_golden("why_stop_all.txt", story_text(s, "4026532301"));
}

// The OOM killer's SIGKILL, a timer's signal (no sending task: never
// guessed), a sender whose comm and netns are unknown, and a ring that
// overflowed.
TEST(SigStory, OomInterruptUnknownAndOverflow)
{
	SigStory s = build_story(events_of("why"), kOom, false);
	ASSERT_EQ(s.steps.size(), 3u);
	EXPECT_EQ(s.hidden, 1u);
	EXPECT_EQ(s.steps[0].sender_kind, "interrupt");
	EXPECT_FALSE(s.steps[0].inside);
	EXPECT_EQ(s.steps[1].sender_kind, "oom_killer");
	EXPECT_EQ(s.steps[1].ev.cause, "oom");
	EXPECT_EQ(s.steps[1].text.rfind("500 ms later SIGKILL from the OOM killer (run by pid 950, "
					"hog, inside the container) → delivered: killed: the OOM "
					"killer chose", 0), 0u)
		<< s.steps[1].text;
	EXPECT_FALSE(s.steps[2].inside);
	EXPECT_NE(s.steps[2].text.find("pid 1200 (unknown, netns unknown)"), std::string::npos)
		<< s.steps[2].text;
	ASSERT_FALSE(s.notes.empty());
	EXPECT_EQ(s.notes[0], "3 earlier events were overwritten (the ring keeps the last 4): "
			      "the story may be incomplete");
	nlohmann::json j = story_json(s, "4026532302");
	EXPECT_EQ(j["complete"], false);
	EXPECT_EQ(j["steps"][0]["sender"]["pid"], nullptr);
	EXPECT_EQ(j["steps"][0]["sender"]["comm"], nullptr);
	EXPECT_EQ(j["steps"][1]["cause"], "oom");
	EXPECT_EQ(j["steps"][2]["forced"], nullptr);
	expect_story("why_oom", s, "4026532302");
}

TEST(SigStory, NoEvents)
{
	SigStory s = build_story(events_of("why"), kQuiet, false);
	EXPECT_TRUE(s.steps.empty());
	ASSERT_EQ(s.notes.size(), 1u);
	EXPECT_EQ(s.notes[0], "no signal events recorded for this netns");
	EXPECT_EQ(story_json(s, "x")["complete"], true);
	expect_golden("why_empty.txt", story_text(s, "4026532303"));
}

TEST(SigStory, ModuleKeepsNone)
{
	SigStory s = build_story(events_of("why_off"), kStopped, false);
	EXPECT_TRUE(s.steps.empty());
	ASSERT_EQ(s.notes.size(), 1u);
	EXPECT_NE(s.notes[0].find("sig_events=0"), std::string::npos);
	nlohmann::json j = story_json(s, "4026532301");
	EXPECT_EQ(j["events_kept"], false);
	EXPECT_EQ(j["complete"], false);
	expect_story("why_off", s, "4026532301");
}

TEST(SigStory, NoRing)
{
	SigStory s = build_story(events_of("why"), 4026539999, false);
	EXPECT_FALSE(s.ring);
	EXPECT_EQ(story_json(s, "x")["ring"], nullptr);
}

TEST(SigStory, RoutineSteps)
{
	SigEvent e;
	e.signo = 17;
	e.cause = "-";
	EXPECT_TRUE(routine_step(e));
	e.cause = "";
	EXPECT_TRUE(routine_step(e));
	e.signo = 15;
	EXPECT_FALSE(routine_step(e));
	e.signo = 9;
	e.cause = "oom";
	EXPECT_FALSE(routine_step(e));
}

// (format 1.4) The story of a dead netns, from the post-mortem file: said to
// be gone, when, and from which container; its inum is the live "blue"'s,
// whose own story (cookie 4097) stays apart.
TEST(SigStory, GoneNetns)
{
	auto snap = snapshot_of("v1_4");
	ASSERT_TRUE(snap) << snap.error().message();
	const Postmortem &pm = snap->postmortem;
	ASSERT_EQ(pm.gone.size(), 2u);
	// As signals --why does: the container of the dead netns's last cgroup.
	GoneView gone = GoneView::from(pm.gone[0]);
	SigStory s = build_story(pm.events, 4026532201, 12, false, gone.container);
	s.gone = gone;
	ASSERT_TRUE(s.ring);
	EXPECT_EQ(s.cookie, 12u);
	ASSERT_EQ(s.steps.size(), 2u);
	EXPECT_EQ(s.steps[0].text, "SIGTERM from pid 880 (conmon, outside the container) to PID 1 "
				   "(my app) → ignored: PID 1 (my app) installed no handler; from "
				   "outside its pid namespace only SIGKILL and SIGSTOP get through "
				   "(SIGNAL_UNKILLABLE)");
	EXPECT_EQ(s.steps[1].text, "10.0 s later SIGKILL from pid 880 → delivered: killed");
	std::string text = story_text(s, "0123abcd");
	EXPECT_EQ(text.substr(0, text.find('\n')),
		  "signals of netns 4026532201 (0123abcd, podman container 0123abcd4567), "
		  "oldest first:");
	EXPECT_NE(text.find("\n  gone 12 s ago, at 2025-12-06 05:46:40 UTC (post-mortem record)\n"
			    "  from: podman container 0123abcd4567, cgroup /machine.slice/libpod-"),
		  std::string::npos) << text;
	expect_story("why_gone", s, "0123abcd");
	nlohmann::json j = story_json(s, "0123abcd");
	EXPECT_EQ(j["cookie"], 12);
	EXPECT_EQ(j["gone"]["age_ns"], 12000000000u);
	EXPECT_EQ(j["gone"]["container"]["runtime"], "podman");
	EXPECT_EQ(j["container"]["runtime"], "podman");
	EXPECT_EQ(j["kind"], "container");

	// The live netns of the same inum: its own ring, no gone.
	auto live = parse_sig_events(read_fixture("debugfs/v1_4/nsprobe/events"), "events");
	ASSERT_TRUE(live);
	SigStory b = build_story(*live, 4026532201, false);
	EXPECT_EQ(b.cookie, 4097u);
	EXPECT_FALSE(b.gone);
	EXPECT_EQ(story_json(b, "blue")["gone"], nullptr);
	EXPECT_FALSE(build_story(*live, 4026532201, 12, false).ring);

	// A dead netns without a ring: the gone lines and a note, no steps.
	SigStory q = build_story(pm.events, 4026532400, 13, false);
	q.gone = GoneView::from(pm.gone[1]);
	EXPECT_EQ(story_text(q, "4026532400"),
		  "signals of netns 4026532400, oldest first:\n"
		  "  gone 3 s ago, at 2025-12-06 05:46:49 UTC (post-mortem record)\n"
		  "  from: cgroup unknown, container unknown\n"
		  "  note: the module has no event ring for netns 4026532400\n");
}

// (format 1.4) Two rings: routine losses do not make the story incomplete,
// notable ones do; each is said in its own note.
TEST(SigStory, Format14RoutineAndNotableLosses)
{
	auto evs = parse_sig_events(
		"evring inum=7 cookie=9 size=320 written=700 overflow=380 notable_size=64 "
		"notable_written=4 notable_overflow=0\n", "events");
	ASSERT_TRUE(evs) << evs.error().message();
	SigStory s = build_story(*evs, 7, false);
	ASSERT_EQ(s.notes.size(), 1u);
	EXPECT_EQ(s.notes[0], "380 routine events (SIGCHLD, timers) were overwritten; kills and "
			      "ignored signals are kept apart");
	EXPECT_EQ(story_json(s, "7")["complete"], true);

	evs = parse_sig_events(
		"evring inum=7 cookie=9 size=320 written=700 overflow=381 notable_size=64 "
		"notable_written=65 notable_overflow=1\n", "events");
	ASSERT_TRUE(evs) << evs.error().message();
	s = build_story(*evs, 7, false);
	ASSERT_EQ(s.notes.size(), 2u);
	EXPECT_EQ(s.notes[0], "1 earlier notable event was overwritten (the notable ring keeps the "
			      "last 64): the story may be incomplete");
	EXPECT_EQ(s.notes[1], "380 routine events (SIGCHLD, timers) were overwritten; kills and "
			      "ignored signals are kept apart");
	EXPECT_EQ(story_json(s, "7")["complete"], false);
}
