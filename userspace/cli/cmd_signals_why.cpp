// SPDX-License-Identifier: GPL-2.0 OR MIT
// nsprobe signals --why TARGET [--all] [--json]: the signal events of the
// netns TARGET names (kNetnsOptionHelp), told as a story (sig_story.h).
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
	if (auto snap = src.read(); !snap)
		return fail(snap.error());
	// Nothing matched: 8; a container id prefix of several containers: 2,
	// with the candidates.
	auto inum = resolve_netns_inum(*why_);
	if (!inum)
		return fail(inum.error());
	auto evs = read_sig_events(src.dir());
	if (!evs)
		return fail(evs.error());
	SigStory story = build_story(*evs, *inum, all_);
	if (!story.ring)
		return fail(no_event_ring(*why_, *inum));
	emit(json_ ? json_text(story_json(story, *why_)) : story_text(story, *why_));
	return kExitOk;
}

} // namespace nsprobe::cli
