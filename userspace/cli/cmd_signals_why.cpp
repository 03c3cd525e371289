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
#include <algorithm>

#include <fmt/format.h>

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

	std::vector<const GoneRecord *> gone = gone_matching(snap->postmortem, *why_);
	auto exact = parse_inum_cookie(*why_);
	if (exact && gone.empty()) {
		// A live netns by INUM:COOKIE: its own ring, not a namesake's.
		auto evs = read_sig_events(src.dir());
		if (!evs)
			return fail(evs.error());
		SigStory story = build_story(*evs, exact->first, exact->second, all_);
		if (!story.ring)
			return fail(no_event_ring(*why_, exact->first));
		return tell(story);
	}
	if (gone.empty()) {
		// No dead netns named: a live one, as before format 1.4. Nothing
		// matched: 8; a container id prefix of several containers: 2,
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
		return tell(story);
	}

	// Dead netns matched; a live netns TARGET names too makes it ambiguous
	// (INUM:COOKIE named exactly one).
	std::vector<std::string> live;	// "netns N cookie C (live)"
	if (!exact) {
		auto inum = resolve_netns_inum(*why_);
		if (inum) {
			for (const NetnsRecord &r : snap->netns)
				if (r.inum == *inum)
					live.push_back(fmt::format("netns {} cookie {} (live)", r.inum,
								   r.cookie));
			// Found by name, pid or container: live even without a record.
			if (live.empty() && std::to_string(*inum) != *why_)
				live.push_back(fmt::format("netns {} (live)", *inum));
		} else if (inum.error().code != Errc::netns_not_found) {
			return fail(inum.error());
		}
	}
	if (gone.size() + live.size() > 1) {
		std::vector<std::string> list;
		for (const GoneRecord *g : gone) {
			GoneView v = GoneView::from(*g);
			list.push_back(fmt::format("netns {} cookie {} ({}; {})", g->inum, g->cookie,
						   gone_ago(v.age_ns), gone_from(v)));
		}
		list.insert(list.end(), live.begin(), live.end());
		std::string joined;
		for (const std::string &l : list)
			joined += (joined.empty() ? "" : ", ") + l;
		const GoneRecord *first = gone.front();
		return fail(Error{Errc::usage, "netns " + *why_,
				  fmt::format("names {} network namespaces: {}", list.size(), joined),
				  fmt::format("give INUM:COOKIE, e.g. --why {}:{}", first->inum,
					      first->cookie),
				  0});
	}
	const GoneRecord &g = *gone.front();
	SigStory story = build_story(snap->postmortem.events, g.inum, g.cookie, all_);
	story.gone = GoneView::from(g);
	return tell(story);
}

} // namespace nsprobe::cli
