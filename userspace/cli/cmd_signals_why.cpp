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
	auto ref = resolve_netns(*why_, snap);
	if (!ref)
		return fail(ref.error());
	if (ref->gone) {
		for (const GoneRecord &g : snap->postmortem.gone)
			if (ref->is(g.inum, g.cookie, true)) {
				SigStory story =
					build_story(snap->postmortem.events, g.inum, g.cookie, all_);
				story.gone = GoneView::from(g);
				return tell(story);
			}
	}
	auto evs = read_sig_events(src.dir());
	if (!evs)
		return fail(evs.error());
	// The module's cookie when it knows the netns: its own ring, not that
	// of a namesake that reused the inum.
	SigStory story = ref->cookie ? build_story(*evs, ref->inum, *ref->cookie, all_)
				     : build_story(*evs, ref->inum, all_);
	if (!story.ring)
		return fail(no_event_ring(*why_, *ref));
	return tell(story);
}

} // namespace nsprobe::cli
