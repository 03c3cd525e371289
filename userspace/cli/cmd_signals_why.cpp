// SPDX-License-Identifier: GPL-2.0 OR MIT
// nsprobe signals --why TARGET [--all] [--json]: the signal events of the
// netns TARGET names (kNetnsOptionHelp), told as a story (sig_story.h).
//
// (format 1.4) TARGET may name a netns that died: its inum, or a prefix of
// the id of the container its last task was in; its story comes from the
// post-mortem file and says when it died and where from. A dead netns and
// a live one (or two dead ones) may share an inum, or a container id (a
// restarted container gets a new netns): then TARGET is ambiguous, exit 2
// with the candidates, and INUM:COOKIE picks one. Never a guess.
#include "commands.h"
#include "exit_codes.h"
#include "libnsprobe/debugfs_source.h"
#include "libnsprobe/render.h"
#include "libnsprobe/sig_story.h"

namespace nsprobe::cli {

int SignalsCommand::run_why()
{
	DebugfsSource src(resolve_debugfs(g_.debugfs));
	// Format version, lockdown, permissions, a missing module: their codes.
	auto snap = src.read();
	if (!snap)
		return fail(snap.error());
	auto tell = [&](const SigStory &story) {
		emit(json_ ? json_text(story_json(story, *why_)) : story_text(story, *why_));
		return kExitOk;
	};

	// One netns, live or dead (selector.h): several candidates are exit 2
	// with the list, INUM:COOKIE picks one of them.
	ProcNetnsDiscovery discovery;
	auto scanned = discovery.scan();
	if (!scanned)
		return fail(scanned.error());
	auto ref = resolve_netns(*why_, snap, &*scanned);
	if (!ref)
		return fail(ref.error());
	if (ref->gone) {
		for (const GoneRecord &g : snap->postmortem.gone)
			if (ref->is(g.inum, g.cookie, true)) {
				GoneView gone = GoneView::from(g);
				SigStory story = build_story(snap->postmortem.events, g.inum,
							     g.cookie, all_, gone.container);
				story.gone = gone;
				return tell(story);
			}
	}
	// The container of a live netns: its init's cgroup (netns_discovery.h).
	std::optional<ContainerId> container;
	for (const NetnsInfo &n : *scanned)
		if (n.id.inum == ref->inum && n.container)
			container = n.container;
	auto evs = read_sig_events(src.dir());
	if (!evs)
		return fail(evs.error());
	// The module's cookie when it knows the netns: its own ring, not that
	// of a namesake that reused the inum.
	SigStory story = ref->cookie
				 ? build_story(*evs, ref->inum, *ref->cookie, all_, container)
				 : build_story(*evs, ref->inum, all_, container);
	if (!story.ring)
		return fail(no_event_ring(*why_, *ref));
	return tell(story);
}

} // namespace nsprobe::cli
