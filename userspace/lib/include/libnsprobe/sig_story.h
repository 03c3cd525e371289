// SPDX-License-Identifier: GPL-2.0 OR MIT
// `nsprobe signals --why TARGET`: the signal events of one netns told as a
// story, in time order and in words: who sent which signal, what the kernel
// did with it and why, and how long after the step before.
#ifndef LIBNSPROBE_SIG_STORY_H
#define LIBNSPROBE_SIG_STORY_H

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "libnsprobe/model.h"
#include "libnsprobe/sig_events.h"

namespace nsprobe {

// One signal of the story.
struct StoryStep {
	SigEvent ev;
	// ts_ns minus the previous step's; nullopt for the first step.
	std::optional<int64_t> since_prev_ns;
	// The sender task was in the netns (true), outside it (false), or
	// unknown (sender_netns 0, or no sending task: interrupt context).
	std::optional<bool> inside;
	// "process", "kernel", "oom_killer", "pidns_teardown" (cause
	// init_exit) or "interrupt" (no sending task).
	std::string sender_kind;
	// The step in words, as printed:
	//   "2.0 s later SIGKILL from pid 812 → delivered: killed"
	std::string text;
};

struct SigStory {
	uint64_t inum = 0;
	// The netns' cookie when known: its ring's, or the one asked for.
	std::optional<uint64_t> cookie;
	// (1.4) Set for a dead netns (the caller sets it from the post-mortem
	// record): the story then says when it died and where from.
	std::optional<GoneView> gone;
	// The container the caller knows the netns by (a live netns's init's
	// cgroup, a dead one's last cgroup); nullopt: none known.
	std::optional<ContainerId> container;
	// What a sender's place is said against: "container" when `container`
	// is known or a task the story's events target lives in a pid
	// namespace of its own (target_pidns other than the initial pid
	// namespace's PROC_PID_INIT_INO: what every container runtime and
	// `unshare --net --pid` make), else "netns" (an `ip netns add` netns
	// whose tasks share the host's pid namespace). The initial netns is
	// "host". So a step reads "outside the container", "outside the netns"
	// or "in another netns, not the host's".
	std::string kind;
	std::optional<SigRing> ring;	// nullopt: the module has no ring for it
	std::vector<StoryStep> steps;	// oldest first
	uint64_t hidden = 0;		// routine steps left out (not `all`)
	// Sentences on what the story lacks: no events, none kept
	// (sig_events=0), events overwritten, routine steps hidden.
	std::vector<std::string> notes;
};

// A step that says nothing about why a process stopped or did not: a
// signal whose default action is to ignore it (SIGCHLD, SIGURG, SIGWINCH),
// so it can neither kill nor stop, and with no cause. Left out unless
// `all`.
bool routine_step(const SigEvent &e);

// The story of netns `inum` from `evs` (the ring with the highest cookie,
// i.e. the newest netns, if the inum was reused). `all`: keep the routine
// steps too.
// `container`: SigStory::container.
SigStory build_story(const SigEvents &evs, uint64_t inum, bool all,
		     const std::optional<ContainerId> &container = std::nullopt);
// The story of the netns (inum, cookie) exactly (a dead netns' ring is in
// the post-mortem file's events, not the events file).
SigStory build_story(const SigEvents &evs, uint64_t inum, uint64_t cookie, bool all,
		     const std::optional<ContainerId> &container = std::nullopt);

// "signals of netns N (TARGET, podman container 0123abcd4567), oldest
// first:" (the container when known), for a dead netns its
// gone_when() and gone_from() lines, the notes, then one indented line per
// step.
std::string story_text(const SigStory &s, std::string_view target);
// {"schema", "target", "inum", "cookie", "kind", "container", "gone",
//  "ring", "events_kept", "complete", "hidden", "notes", "steps"}
//  (docs/json-schema.md); "gone" is gone_json() (render.h), "container"
//  container_json(), "cookie" null when unknown.
nlohmann::json story_json(const SigStory &s, std::string_view target);

} // namespace nsprobe

#endif
