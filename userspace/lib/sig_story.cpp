// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "libnsprobe/sig_story.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "libnsprobe/model.h"
#include "libnsprobe/render.h"
#include "libnsprobe/units.h"

namespace nsprobe {

namespace {

bool has_cause(const SigEvent &e)
{
	return !e.cause.empty() && e.cause != "-";
}

std::string comm_or_unknown(const std::string &comm)
{
	return comm.empty() ? std::string("unknown") : printable(comm);
}

// PROC_PID_INIT_INO (include/linux/proc_ns.h, 6.1 and 6.12): the initial
// pid namespace's inum, static.
constexpr uint64_t kInitPidnsInum = 0xEFFFFFFCu;

// Where the sender was, from the target netns's side (SigStory::kind).
std::string where(std::optional<bool> inside, const std::string &kind)
{
	if (!inside)
		return "netns unknown";
	if (kind == "host")
		return *inside ? "on the host" : "in another netns, not the host's";
	return (*inside ? "inside the " : "outside the ") + kind;
}

std::string sender_kind(const SigEvent &e)
{
	if (e.cause == "oom")
		return "oom_killer";
	if (e.cause == "init_exit")
		return "pidns_teardown";
	if (from_interrupt(e))
		return "interrupt";
	return e.origin == "kernel" ? "kernel" : "process";
}

// The sender in words. `again`: the same task sent the step before, so its
// pid is enough.
std::string sender_words(const SigEvent &e, const std::string &kind, std::optional<bool> inside,
			 const std::string &netns_kind, bool again)
{
	std::string task = fmt::format("pid {}, {}, {}", e.sender_pid,
				       comm_or_unknown(e.sender_comm), where(inside, netns_kind));
	if (kind == "interrupt")
		return "an unknown sender (interrupt context, e.g. a timer: no sending task)";
	if (kind == "oom_killer")
		return "the OOM killer (run by " + task + ")";
	if (kind == "pidns_teardown")
		return "pid namespace teardown (PID 1 exited: " + task + ")";
	if (kind == "kernel")
		return "the kernel (in " + task + ")";
	if (again)
		return fmt::format("pid {}", e.sender_pid);
	return fmt::format("pid {} ({}, {})", e.sender_pid, comm_or_unknown(e.sender_comm),
			   where(inside, netns_kind));
}

std::string target_words(const SigEvent &e)
{
	if (e.target_nspid == 1)
		return fmt::format("PID 1 ({})", comm_or_unknown(e.target_comm));
	return fmt::format("pid {} ({})", e.target_pid, comm_or_unknown(e.target_comm));
}

// What the kernel did and why. The words are sig_events.cpp's; an init's
// protection is named as the kernel names it.
std::string verdict(const SigEvent &e)
{
	if (e.outcome == "ignored") {
		std::string why = "ignored: " + ignore_why(e.signo, e.reason, target_words(e));
		return e.reason == "init" ? why + " (SIGNAL_UNKILLABLE)" : why;
	}
	if (e.outcome == "delivered_term" && e.signo == 9 && !has_cause(e))
		return "delivered: killed";
	std::string words = event_explanation(e);
	if (words.empty())	// an outcome word newer than this tool
		return printable(e.outcome);
	bool killed = words.rfind("killed: ", 0) == 0;
	return e.outcome == "delivered_term" || killed ? "delivered: " + words : words;
}

std::string later(int64_t ns)
{
	if (ns < 0)
		return "at about the same time";	// stamped on another CPU
	if (ns >= 1000000000)
		return fmt::format("{:.1f} s later", static_cast<double>(ns) / 1e9);
	if (ns >= 1000000)
		return fmt::format("{} ms later", ns / 1000000);
	return fmt::format("{} µs later", ns / 1000);
}

} // namespace

bool routine_step(const SigEvent &e)
{
	bool default_ignore = e.signo == 17 || e.signo == 23 || e.signo == 28;
	return default_ignore && !has_cause(e);
}

namespace {

// The story of s.inum with s.ring (if any) chosen by the caller.
SigStory tell(const SigEvents &evs, SigStory s, bool all)
{
	uint64_t inum = s.inum;
	if (!s.ring) {
		s.notes.push_back(fmt::format("the module has no event ring for netns {}", inum));
		return s;
	}
	s.cookie = s.ring->cookie;
	s.kind = is_host_netns(inum, s.cookie) ? "host" : s.container ? "container" : "netns";
	for (const SigEvent &e : evs.events)
		if (s.kind == "netns" && e.inum == inum && e.cookie == s.ring->cookie &&
		    e.target_pidns != 0 && e.target_pidns != kInitPidnsInum)
			s.kind = "container";
	const StoryStep *prev = nullptr;
	for (const SigEvent &e : evs.events) {
		if (e.inum != inum || e.cookie != s.ring->cookie)
			continue;
		if (!all && routine_step(e)) {
			s.hidden++;
			continue;
		}
		StoryStep st;
		st.ev = e;
		st.sender_kind = sender_kind(e);
		if (st.sender_kind != "interrupt" && e.sender_netns != 0)
			st.inside = e.sender_netns == inum;
		bool again = prev && prev->sender_kind == st.sender_kind &&
			     prev->ev.sender_pid == e.sender_pid &&
			     prev->ev.sender_comm == e.sender_comm;
		bool same_target = prev && prev->ev.target_pid == e.target_pid &&
				   prev->ev.target_comm == e.target_comm;
		std::string sig = signal_name(e.signo);
		st.text = fmt::format("{} from {}{} → {}", sig,
				      sender_words(e, st.sender_kind, st.inside, s.kind, again),
				      same_target ? "" : " to " + target_words(e), verdict(e));
		if (prev) {
			st.since_prev_ns = static_cast<int64_t>(e.ts_ns - prev->ev.ts_ns);
			st.text = later(*st.since_prev_ns) + " " + st.text;
		}
		s.steps.push_back(std::move(st));
		prev = &s.steps.back();
	}

	const SigRing &r = *s.ring;
	if (r.size == 0)
		s.notes.push_back("the module keeps no signal events (loaded with sig_events=0): "
				  "load it with sig_events=256 (the default) to tell the story");
	else if (r.written == 0)
		s.notes.push_back("no signal events recorded for this netns");
	uint64_t lost = r.story_overflow();
	bool one = lost == 1;
	if (r.notable_size) {
		// 1.4: kills and ignored signals have a ring of their own
		if (lost != 0)
			s.notes.push_back(fmt::format("{} earlier notable {} overwritten (the "
						      "notable ring keeps the last {}): the story may "
						      "be incomplete", lost,
						      one ? "event was" : "events were",
						      *r.notable_size));
		if (uint64_t rl = r.routine_overflow(); rl != 0)
			s.notes.push_back(fmt::format("{} routine {} (SIGCHLD, timers) {} overwritten; "
						      "kills and ignored signals are kept apart",
						      rl, rl == 1 ? "event" : "events",
						      rl == 1 ? "was" : "were"));
	} else if (r.size != 0 && lost != 0) {
		s.notes.push_back(fmt::format("{} earlier {} overwritten (the ring keeps the last "
					      "{}): the story may be incomplete", lost,
					      one ? "event was" : "events were", r.size));
	}
	one = s.hidden == 1;
	if (s.hidden)
		s.notes.push_back(fmt::format("{} routine SIGCHLD, SIGURG or SIGWINCH {} left out "
					      "(--all shows {})", s.hidden, one ? "event" : "events",
					      one ? "it" : "them"));
	return s;
}

} // namespace

SigStory build_story(const SigEvents &evs, uint64_t inum, bool all,
		     const std::optional<ContainerId> &container)
{
	SigStory s;
	s.inum = inum;
	s.container = container;
	for (const SigRing &r : evs.rings)
		if (r.inum == inum && (!s.ring || r.cookie > s.ring->cookie))
			s.ring = r;
	return tell(evs, std::move(s), all);
}

SigStory build_story(const SigEvents &evs, uint64_t inum, uint64_t cookie, bool all,
		     const std::optional<ContainerId> &container)
{
	SigStory s;
	s.inum = inum;
	s.container = container;
	s.cookie = cookie;
	for (const SigRing &r : evs.rings)
		if (r.inum == inum && r.cookie == cookie)
			s.ring = r;
	return tell(evs, std::move(s), all);
}

std::string story_text(const SigStory &s, std::string_view target)
{
	std::string out = fmt::format("signals of netns {}", s.inum);
	std::vector<std::string> names;
	if (target != std::to_string(s.inum))
		names.push_back(printable(target));
	if (s.container)
		names.push_back(container_words(*s.container));
	if (!names.empty())
		out += " (" + fmt::format("{}", fmt::join(names, ", ")) + ")";
	out += ", oldest first:\n";
	if (s.gone) {
		out += "  " + gone_when(*s.gone) + " (post-mortem record)\n";
		out += "  from: " + gone_from(*s.gone) + "\n";
	}
	for (const std::string &n : s.notes)
		out += "  note: " + n + "\n";
	for (const StoryStep &st : s.steps)
		out += "  " + st.text + "\n";
	return out;
}

nlohmann::json story_json(const SigStory &s, std::string_view target)
{
	nlohmann::json steps = nlohmann::json::array();
	for (const StoryStep &st : s.steps) {
		const SigEvent &e = st.ev;
		bool no_task = st.sender_kind == "interrupt";
		steps.push_back(
			{{"seq", e.seq},
			 {"ts_ns", e.ts_ns},
			 {"since_prev_ns", st.since_prev_ns ? nlohmann::json(*st.since_prev_ns)
							    : nlohmann::json(nullptr)},
			 {"sender", {{"kind", st.sender_kind},
				     {"pid", no_task ? nlohmann::json(nullptr) : nlohmann::json(e.sender_pid)},
				     {"comm", no_task ? nlohmann::json(nullptr) : nlohmann::json(e.sender_comm)},
				     {"netns", e.sender_netns ? nlohmann::json(e.sender_netns)
							      : nlohmann::json(nullptr)},
				     {"inside", st.inside ? nlohmann::json(*st.inside) : nlohmann::json(nullptr)}}},
			 {"target", {{"pid", e.target_pid}, {"nspid", e.target_nspid},
				     {"comm", e.target_comm}}},
			 {"signo", e.signo},
			 {"signal", signal_name(e.signo)},
			 {"outcome", e.outcome},
			 {"reason", e.reason},
			 {"cause", has_cause(e) ? nlohmann::json(e.cause) : nlohmann::json(nullptr)},
			 {"forced", e.forced == "-" ? nlohmann::json(nullptr) : nlohmann::json(e.forced == "1")},
			 {"origin", e.origin},
			 {"text", st.text}});
	}
	bool kept = s.ring && s.ring->size != 0;
	return {{"schema", kJsonSchema},
		{"target", std::string(target)},
		{"inum", s.inum},
		{"cookie", s.cookie ? nlohmann::json(*s.cookie) : nlohmann::json(nullptr)},
		{"kind", s.kind.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.kind)},
		{"container", container_json(s.container)},
		{"gone", gone_json(s.gone)},
		{"ring", s.ring ? ring_json(*s.ring) : nlohmann::json(nullptr)},
		{"events_kept", kept},
		{"complete", kept && s.ring->story_overflow() == 0},
		{"hidden", s.hidden},
		{"notes", s.notes},
		{"steps", steps}};
}

} // namespace nsprobe
