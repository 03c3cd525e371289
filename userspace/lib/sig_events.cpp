// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "libnsprobe/sig_events.h"
#include "libnsprobe/units.h"

#include <cctype>
#include <charconv>
#include <csignal>
#include <functional>
#include <map>

#include <fmt/format.h>

#include "libnsprobe/format_parser.h"
#include "libnsprobe/model.h"
#include "record_lines.h"

namespace nsprobe {

namespace {

using detail::line_error;

template <typename T>
bool to_int(std::string_view s, T &out)
{
	if (s.empty() || s[0] == '+')
		return false;
	auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out, 10);
	return ec == std::errc() && ptr == s.data() + s.size();
}

// key -> value of one record line; "" on success, else the problem.
std::string split(std::string_view text, std::string_view &type,
		  std::map<std::string_view, std::string_view> &kv)
{
	kv.clear();
	size_t sp = text.find(' ');
	type = text.substr(0, sp);
	if (type.empty())
		return "empty record type";
	while (sp != std::string_view::npos) {
		size_t next = text.find(' ', sp + 1);
		std::string_view tok = text.substr(sp + 1, next == std::string_view::npos
						   ? std::string_view::npos : next - sp - 1);
		size_t eq = tok.find('=');
		// An empty value is allowed here (an empty escaped string: the
		// sender_comm of a send from interrupt context); Getter rejects it
		// for numbers and words.
		if (tok.empty() || eq == std::string_view::npos || eq == 0)
			return fmt::format("field '{}' is not key=value", tok);
		if (!kv.emplace(tok.substr(0, eq), tok.substr(eq + 1)).second)
			return fmt::format("key '{}' appears twice", tok.substr(0, eq));
		sp = next;
	}
	return {};
}

struct Getter {
	const std::map<std::string_view, std::string_view> &kv;
	std::string err;

	std::string_view raw(const char *key)
	{
		auto it = kv.find(key);
		if (it == kv.end()) {
			if (err.empty())
				err = fmt::format("lacks key '{}'", key);
			return {};
		}
		return it->second;
	}
	template <typename T>
	void num(const char *key, T &out)
	{
		std::string_view v = raw(key);
		if (err.empty() && !to_int(v, out))
			err = fmt::format("key '{}': '{}' is not a decimal integer", key, v);
	}
	void word(const char *key, std::string &out)
	{
		std::string_view v = raw(key);
		if (err.empty() && v.empty())
			err = fmt::format("key '{}' has an empty value", key);
		out = std::string(v);
	}
	// A number added by a minor version: absent leaves `out` empty.
	template <typename T>
	void opt_num(const char *key, std::optional<T> &out)
	{
		if (!kv.count(key))
			return;
		T v{};
		num(key, v);
		out = v;
	}
	// A word added by a minor version: absent leaves `out` empty.
	void opt_word(const char *key, std::string &out)
	{
		if (kv.count(key))
			word(key, out);
	}
	void str(const char *key, std::string &out)
	{
		std::string_view v = raw(key);
		if (!err.empty())
			return;
		auto s = unescape(v);
		if (!s)
			err = fmt::format("key '{}': '{}' is not a valid escaped string", key, v);
		else
			out = std::move(*s);
	}
};

} // namespace

Result<SigEvents> parse_sig_events(std::string_view content, std::string_view file)
{
	SigEvents out;
	std::map<std::string_view, std::string_view> kv;
	std::string_view type;
	auto err = detail::for_each_record_line(content, [&](std::string_view text, size_t lineno)
							 -> std::optional<Error> {
		if (std::string why = split(text, type, kv); !why.empty())
			return line_error(file, lineno, std::move(why));
		Getter g{kv, {}};
		if (type == "evring") {
			SigRing r;
			g.num("inum", r.inum);
			g.num("cookie", r.cookie);
			g.num("size", r.size);
			g.num("written", r.written);
			g.num("overflow", r.overflow);
			g.opt_num("notable_size", r.notable_size);	// 1.4
			g.opt_num("notable_written", r.notable_written);
			g.opt_num("notable_overflow", r.notable_overflow);
			if (g.err.empty() && r.notable_overflow && *r.notable_overflow > r.overflow)
				g.err = "notable_overflow is larger than overflow";
			if (!g.err.empty())
				return line_error(file, lineno, "evring record: " + g.err);
			out.rings.push_back(r);
		} else if (type == "ev") {
			SigEvent e;
			g.num("inum", e.inum);
			g.num("cookie", e.cookie);
			g.num("seq", e.seq);
			g.num("ts_ns", e.ts_ns);
			g.num("sender_pid", e.sender_pid);
			g.num("sender_tgid", e.sender_tgid);
			g.str("sender_comm", e.sender_comm);
			g.num("sender_netns", e.sender_netns);
			g.num("target_pid", e.target_pid);
			g.num("target_tgid", e.target_tgid);
			g.str("target_comm", e.target_comm);
			g.num("target_nspid", e.target_nspid);
			g.num("target_pidns", e.target_pidns);
			g.num("signo", e.signo);
			g.num("code", e.code);
			g.word("outcome", e.outcome);
			g.word("reason", e.reason);
			g.word("origin", e.origin);
			g.word("forced", e.forced);
			g.opt_word("cause", e.cause);	// 1.3
			g.opt_word("class", e.ev_class);	// 1.4
			g.opt_num("gseq", e.gseq);	// 1.7
			if (!g.err.empty())
				return line_error(file, lineno, "ev record: " + g.err);
			out.events.push_back(std::move(e));
		} else if (type == "evnode") {	// 1.7
			uint64_t gseq = 0;
			g.num("gseq", gseq);
			if (!g.err.empty())
				return line_error(file, lineno, "evnode record: " + g.err);
			out.node_gseq = gseq;
		}
		return std::nullopt;
	});
	if (err)
		return *err;
	return out;
}

std::string ignore_why(int signo, std::string_view reason, std::string_view target)
{
	std::string sig = signal_name(signo);
	bool kernel_only = signo == 9 || signo == 19;	// SIGKILL, SIGSTOP
	if (reason == "init") {
		if (kernel_only)
			return fmt::format("{} installed no handler (it cannot, for {}), "
					   "and {} only gets through when sent from outside "
					   "its pid namespace", target, sig, sig);
		return fmt::format("{} installed no handler; from outside its pid "
				   "namespace only SIGKILL and SIGSTOP get through", target);
	}
	if (reason == "default") {
		if (signo == 18)	// SIGCONT
			return "it resumed the process if stopped, then was dropped: no "
			       "handler installed, and SIGCONT's default action is nothing more";
		return fmt::format("no handler installed, and the default action of {} "
				   "is to ignore it (for any process, not only PID 1)", sig);
	}
	if (reason == "sig_ign")
		return fmt::format("the process set {} to SIG_IGN", sig);
	if (reason == "exiting")
		return "the target was already exiting (its thread group was dying)";
	return "for a reason nsprobe cannot tell (e.g. a kernel thread)";
}

std::string explain_ignored(int signo, std::string_view reason, uint64_t count,
			    uint64_t inum, std::string_view target, std::string_view forced)
{
	(void)forced;
	std::string times = count == 1 ? "" : fmt::format(" {}×", count);
	return fmt::format("{} to {} of netns {} ignored{}: {}", signal_name(signo), target,
			   inum, times, ignore_why(signo, reason, target));
}

namespace {

std::string event_target(const SigEvent &e)
{
	return e.target_nspid == 1 ? "PID 1" : fmt::format("PID {}", e.target_pid);
}

std::string outcome_explanation(const SigEvent &e)
{
	if (e.outcome == "ignored")
		return explain_ignored(e.signo, e.reason, 1, e.inum, event_target(e), e.forced);
	if (e.outcome == "coalesced")
		return "already pending; a standard signal is merged, not queued twice";
	if (e.outcome == "queued")
		return "queued; the target takes it on its way back to user space";
	if (e.outcome == "queued_blocked")
		return "queued while the target blocks it; taken once unblocked";
	if (e.outcome == "queue_overflow")
		return "refused: the target's queue of real-time signals is full (RLIMIT_SIGPENDING)";
	if (e.outcome == "delivered_term")
		return "fatal: no handler, and the default action (terminate) started at once";
	return {};
}

} // namespace

std::string event_explanation(const SigEvent &e)
{
	std::string base = outcome_explanation(e);
	std::string why;
	if (e.cause == "oom")
		why = "the OOM killer chose this task to free memory (memory.events oom_kill "
		      "counts it); the sender is the task that ran the OOM killer";
	else if (e.cause == "init_exit")
		why = "PID 1 of its pid namespace exited, and the kernel kills every task left "
		      "in it (zap_pid_ns_processes()); the sender is that PID 1";
	else
		return base;
	if (e.outcome == "queued" || e.outcome == "delivered_term" || e.outcome == "coalesced")
		return "killed: " + why;
	return why + "; " + base;
}

bool from_interrupt(const SigEvent &e)
{
	return e.sender_pid == 0 && e.sender_comm.empty();
}

std::string event_text(const SigEvent &e)
{
	std::string forced = e.forced == "1" ? ", forced" : e.forced == "0" ? "" : ", forced unknown";
	std::string what = e.outcome;
	if (e.outcome == "ignored")
		what += " (" + e.reason + ")";
	std::string sender = from_interrupt(e)
		? std::string("sent from interrupt context (a timer), no sending task")
		: e.sender_netns == 0
		? fmt::format("{}[{}] (exited, netns unknown)", printable(e.sender_comm), e.sender_pid)
		: fmt::format("{}[{}] netns {}", printable(e.sender_comm), e.sender_pid,
			      e.sender_netns);
	std::string sig = signal_name(e.signo);
	if (e.cause == "oom")
		sig += " by the OOM killer";
	else if (e.cause == "init_exit")
		sig += " at pid namespace teardown";
	else if (!e.cause.empty() && e.cause != "-")
		sig += " (cause " + printable(e.cause) + ")";	// a word newer than this tool
	return fmt::format("{}.{:06} {} -> {}[{}] pid {} in pidns {} netns {}: {} {}, {}{}: {}",
			   e.ts_ns / 1000000000, (e.ts_ns / 1000) % 1000000, sender,
			   printable(e.target_comm), e.target_pid, e.target_nspid, e.target_pidns,
			   e.inum, sig, what, e.origin, forced, event_explanation(e));
}

nlohmann::json event_json(const SigEvent &e)
{
	return {{"inum", e.inum},
		{"cookie", e.cookie},
		{"seq", e.seq},
		{"ts_ns", e.ts_ns},
		{"sender", {{"pid", e.sender_pid}, {"tgid", e.sender_tgid},
			    {"comm", e.sender_comm}, {"netns", e.sender_netns},
			    {"interrupt", from_interrupt(e)}}},
		{"target", {{"pid", e.target_pid}, {"tgid", e.target_tgid},
			    {"comm", e.target_comm}, {"nspid", e.target_nspid},
			    {"pidns", e.target_pidns}}},
		{"signo", e.signo},
		{"name", signal_name(e.signo)},
		{"code", e.code},
		{"outcome", e.outcome},
		{"reason", e.reason},
		{"origin", e.origin},
		{"forced", e.forced == "-" ? nlohmann::json(nullptr) : nlohmann::json(e.forced == "1")},
		{"cause", e.cause.empty() || e.cause == "-" ? nlohmann::json(nullptr)
							    : nlohmann::json(e.cause)},
		{"class", e.ev_class.empty() ? nlohmann::json(nullptr) : nlohmann::json(e.ev_class)},
		{"explanation", event_explanation(e)}};
}

nlohmann::json ring_json(const SigRing &r)
{
	auto opt = [](const std::optional<uint64_t> &v) {
		return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
	};
	return {{"inum", r.inum}, {"cookie", r.cookie}, {"size", r.size},
		{"written", r.written}, {"overflow", r.overflow},
		{"notable_size", opt(r.notable_size)}, {"notable_written", opt(r.notable_written)},
		{"notable_overflow", opt(r.notable_overflow)}};
}

std::optional<int> parse_signal(std::string_view s)
{
	int n = 0;
	if (to_int(s, n))
		return n >= 1 && n <= SIGRTMAX ? std::optional<int>(n) : std::nullopt;
	std::string want;
	for (char c : s)
		want += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
	if (want.rfind("SIG", 0) != 0)
		want = "SIG" + want;
	for (int signo = 1; signo <= SIGRTMAX; signo++)
		if (signal_name(signo) == want)
			return signo;
	// The other names kill -l prints (bash: SIGIO, SIGRTMAX-N), which the
	// error message points to, and the aliases signal(7) lists.
	static const std::pair<std::string_view, int> aliases[] = {
		{"SIGIO", SIGIO}, {"SIGIOT", SIGABRT}, {"SIGCLD", SIGCHLD}, {"SIGRTMAX", SIGRTMAX}};
	for (auto [name, signo] : aliases)
		if (want == name)
			return signo;
	int k = 0;
	if (want.rfind("SIGRTMAX-", 0) == 0 && to_int(std::string_view(want).substr(9), k) &&
	    k >= 1 && SIGRTMAX - k >= SIGRTMIN)
		return SIGRTMAX - k;
	return std::nullopt;
}

std::optional<uint64_t> parse_duration_ns(std::string_view s)
{
	size_t digits = 0;
	while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9')
		digits++;
	uint64_t n = 0;
	if (digits == 0 || digits > 12 || !to_int(s.substr(0, digits), n))
		return std::nullopt;
	std::string_view unit = s.substr(digits);
	static const std::pair<std::string_view, uint64_t> units[] = {
		{"", 1000000000ull},	{"s", 1000000000ull},	  {"ms", 1000000ull},
		{"m", 60000000000ull},	{"h", 3600000000000ull}, {"d", 86400000000000ull}};
	for (auto [u, mult] : units)
		if (unit == u) {
			if (n > 100 * 86400000000000ull / mult)
				return std::nullopt;
			return n * mult;
		}
	return std::nullopt;
}

std::optional<uint64_t> SigEventFilter::kernel_signal_set() const
{
	if (signals.empty() && exclude.empty())
		return std::nullopt;
	auto bit = [](int signo) { return signo >= 1 && signo <= 64 ? 1ull << (signo - 1) : 0; };
	uint64_t set = signals.empty() ? ~0ull : 0;
	for (int s : signals)
		set |= bit(s);
	for (int s : exclude)
		set &= ~bit(s);
	if (!set)
		return std::nullopt;
	return set;
}

bool SigEventFilter::matches(const SigEvent &e) const
{
	if (!signals.empty() && !signals.count(e.signo))
		return false;
	if (exclude.count(e.signo))
		return false;
	return !since_ts_ns || e.ts_ns >= *since_ts_ns;
}

} // namespace nsprobe
