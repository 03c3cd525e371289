// SPDX-License-Identifier: GPL-2.0 OR MIT
// Parser for include/nsprobe/format.h records. See format_parser.h.
#include "libnsprobe/format_parser.h"

#include <array>
#include <charconv>
#include <functional>
#include <limits>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "record_lines.h"

namespace nsprobe {

Error detail::line_error(std::string_view file, size_t lineno, std::string why)
{
	return Error{Errc::malformed, fmt::format("{}:{}", file, lineno), std::move(why),
		     "the module and this tool disagree on include/nsprobe/format.h", 0};
}

namespace {

using detail::line_error;

constexpr std::array<const char *, NSP_PROBE_KIND__COUNT> kKindNames = NSP_PROBE_KIND_NAMES;
constexpr std::array<const char *, NSP_PROBE_STATE__COUNT> kStateNames = NSP_PROBE_STATE_NAMES;

bool is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

bool is_word_char(char c)
{
	return is_key_char(c) || c == '.' || c == '+' || c == '-';
}

bool all_of(std::string_view s, bool (*pred)(char))
{
	if (s.empty())
		return false;
	for (char c : s)
		if (!pred(c))
			return false;
	return true;
}

struct Field {
	std::string_view key;
	std::string_view value;
};

struct Line {
	std::string_view type;
	std::vector<Field> fields;
};

// Splits one record line; returns an error text, or "" on success.
std::string tokenize(std::string_view text, Line &out)
{
	out.fields.clear();
	if (text.empty())
		return "empty line";
	size_t pos = 0;
	bool first = true;
	while (true) {
		size_t sp = text.find(' ', pos);
		std::string_view tok = text.substr(pos, sp == std::string_view::npos ? sp : sp - pos);
		if (tok.empty())
			return "empty field (fields are separated by exactly one space)";
		if (first) {
			if (!all_of(tok, is_key_char))
				return fmt::format("record type '{}' is not [a-z0-9_]+", tok);
			out.type = tok;
			first = false;
		} else {
			size_t eq = tok.find('=');
			if (eq == std::string_view::npos)
				return fmt::format("field '{}' is not key=value", tok);
			std::string_view key = tok.substr(0, eq), value = tok.substr(eq + 1);
			if (!all_of(key, is_key_char))
				return fmt::format("key '{}' is not [a-z0-9_]+", key);
			if (value.empty())
				return fmt::format("key '{}' has an empty value", key);
			for (char c : value)
				if (c <= 0x20 || c >= 0x7f || c == '=')
					return fmt::format("key '{}': byte 0x{:02x} must be escaped",
							   key, static_cast<unsigned char>(c));
			for (const Field &f : out.fields)
				if (f.key == key)
					return fmt::format("key '{}' appears twice", key);
			out.fields.push_back({key, value});
		}
		if (sp == std::string_view::npos)
			return {};
		pos = sp + 1;
	}
}

template <typename T>
bool parse_int(std::string_view s, T &out)
{
	if (s.empty() || s[0] == '+')
		return false;
	if constexpr (std::is_unsigned_v<T>) {
		if (s[0] == '-')
			return false;
	}
	auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out, 10);
	return ec == std::errc() && ptr == s.data() + s.size();
}

// A record type's schema: each known key with its parser. All are required,
// except keys added by a minor version (optional: absent in an older module's
// records, the member keeps its default).
template <typename Rec>
struct KeySpec {
	const char *key;
	std::function<std::string(std::string_view, Rec &)> parse; // "" = ok
	bool optional = false;
};

// Marks a key as added by a minor version (see KeySpec).
template <typename Rec>
KeySpec<Rec> since_minor(KeySpec<Rec> spec)
{
	spec.optional = true;
	return spec;
}

template <typename Rec, typename T>
KeySpec<Rec> int_key(const char *key, T Rec::*member)
{
	return {key, [key, member](std::string_view v, Rec &r) -> std::string {
		if (parse_int(v, r.*member))
			return {};
		if constexpr (std::is_unsigned_v<T>)
			return fmt::format("key '{}': '{}' is not an unsigned decimal integer "
					   "of at most {} bits", key, v, sizeof(T) * 8);
		else
			return fmt::format("key '{}': '{}' is not a signed decimal integer "
					   "of at most {} bits", key, v, sizeof(T) * 8);
	}};
}

// An unsigned key added by a minor version whose absence means "unknown":
// the member stays nullopt in an older module's records (not 0).
template <typename Rec>
KeySpec<Rec> opt_int_key(const char *key, std::optional<uint64_t> Rec::*member)
{
	return since_minor(KeySpec<Rec>{key, [key, member](std::string_view v, Rec &r) -> std::string {
		uint64_t n = 0;
		if (!parse_int(v, n))
			return fmt::format("key '{}': '{}' is not an unsigned decimal integer "
					   "of at most 64 bits", key, v);
		r.*member = n;
		return {};
	}});
}

template <typename Rec>
KeySpec<Rec> word_key(const char *key, std::string Rec::*member)
{
	return {key, [key, member](std::string_view v, Rec &r) -> std::string {
		if (!all_of(v, is_word_char))
			return fmt::format("key '{}': '{}' is not a word [a-z0-9_.+-]+", key, v);
		r.*member = std::string(v);
		return {};
	}};
}

template <typename Rec>
KeySpec<Rec> string_key(const char *key, std::string Rec::*member)
{
	return {key, [key, member](std::string_view v, Rec &r) -> std::string {
		auto s = unescape(v);
		if (!s)
			return fmt::format("key '{}': '{}' is not a valid escaped string "
					   "(expected \\ooo escapes)", key, v);
		r.*member = std::move(*s);
		return {};
	}};
}

// Parses every line of `content`; records of `type` go through `specs`, then
// `check` (may return an extra error); other types are syntax-checked only.
template <typename Rec>
Result<std::vector<Rec>> parse_records(std::string_view content, std::string_view file,
				       std::string_view type,
				       const std::vector<KeySpec<Rec>> &specs,
				       std::function<std::string(const Rec &)> check = {})
{
	std::vector<Rec> out;
	Line line;
	auto err = detail::for_each_record_line(content, [&](std::string_view text, size_t lineno)
							 -> std::optional<Error> {
		if (std::string why = tokenize(text, line); !why.empty())
			return line_error(file, lineno, std::move(why));
		if (line.type != type)
			return std::nullopt;	// a record type we do not know: ignored
		Rec rec{};
		for (const KeySpec<Rec> &spec : specs) {
			const Field *found = nullptr;
			for (const Field &f : line.fields)
				if (f.key == spec.key)
					found = &f;
			if (!found && spec.optional)
				continue;
			if (!found)
				return line_error(file, lineno,
						  fmt::format("{} record lacks key '{}'", type, spec.key));
			if (std::string why = spec.parse(found->value, rec); !why.empty())
				return line_error(file, lineno, fmt::format("{} record: {}", type, why));
		}
		if (check) {
			if (std::string why = check(rec); !why.empty())
				return line_error(file, lineno, fmt::format("{} record: {}", type, why));
		}
		out.push_back(std::move(rec));
		return std::nullopt;
	});
	if (err)
		return *err;
	return out;
}

template <typename E, size_t N>
E lookup(const std::array<const char *, N> &names, std::string_view word, E unknown)
{
	for (size_t i = 0; i < N; i++)
		if (word == names[i])
			return static_cast<E>(i);
	return unknown;
}

} // namespace

std::string FormatVersion::str() const
{
	return fmt::format("{}.{}", major, minor);
}

FormatVersion tool_format_version()
{
	return {NSP_FORMAT_MAJOR, NSP_FORMAT_MINOR};
}

std::optional<std::string> unescape(std::string_view in)
{
	std::string out;
	out.reserve(in.size());
	for (size_t i = 0; i < in.size(); i++) {
		char c = in[i];
		if (c == '\\') {
			if (in.size() - i < 4)
				return std::nullopt;
			unsigned v = 0;
			for (size_t k = 1; k <= 3; k++) {
				char d = in[i + k];
				if (d < '0' || d > '7')
					return std::nullopt;
				v = v * 8 + static_cast<unsigned>(d - '0');
			}
			if (v > 0377)
				return std::nullopt;
			out.push_back(static_cast<char>(v));
			i += 3;
		} else if (c <= 0x20 || c >= 0x7f || c == '=') {
			return std::nullopt;
		} else {
			out.push_back(c);
		}
	}
	return out;
}

Result<FormatVersion> parse_version(std::string_view content, std::string_view file)
{
	std::string_view line = content;
	if (!line.empty() && line.back() == '\n')
		line.remove_suffix(1);
	auto bad = [&](std::string why) {
		return Error{Errc::malformed, fmt::format("{}:1", file), std::move(why),
			     "expected \"" NSP_VERSION_PREFIX " <MAJOR>.<MINOR>\"", 0};
	};
	if (line.empty())
		return bad("empty version file");
	if (line.find('\n') != std::string_view::npos)
		return bad("more than one line");
	constexpr std::string_view prefix = NSP_VERSION_PREFIX " ";
	if (line.substr(0, prefix.size()) != prefix)
		return bad(fmt::format("'{}' does not start with '{}'", line, NSP_VERSION_PREFIX));
	std::string_view num = line.substr(prefix.size());
	size_t dot = num.find('.');
	FormatVersion v;
	if (dot == std::string_view::npos || !parse_int(num.substr(0, dot), v.major) ||
	    !parse_int(num.substr(dot + 1), v.minor))
		return bad(fmt::format("'{}' is not <MAJOR>.<MINOR>", num));
	if (v.major != NSP_FORMAT_MAJOR)
		return Error{Errc::format_version_mismatch, std::string(file),
			     fmt::format("the module writes format {}, this nsprobe reads format {}.x "
					 "(built for {})", v.str(), NSP_FORMAT_MAJOR,
					 tool_format_version().str()),
			     "use the nsprobe built from the same tree as the loaded nsprobe.ko", 0};
	return v;
}

Result<std::vector<ProbeRecord>> parse_probes(std::string_view content, std::string_view file)
{
	using R = ProbeRecord;
	static const std::vector<KeySpec<R>> specs = {
		word_key<R>("name", &R::name),
		string_key<R>("symbol", &R::symbol),
		word_key<R>("kind", &R::kind_word),
		word_key<R>("state", &R::state_word),
		int_key<R>("hits", &R::hits),
		int_key<R>("nmissed", &R::nmissed),
		int_key<R>("err", &R::err),
		since_minor(word_key<R>("reason", &R::reason)),	// 1.1
	};
	auto res = parse_records<R>(content, file, "probe", specs);
	if (!res)
		return res.error();
	for (ProbeRecord &p : *res) {
		p.kind = lookup(kKindNames, p.kind_word, ProbeKind::unknown);
		p.state = lookup(kStateNames, p.state_word, ProbeState::unknown);
	}
	return res;
}

Result<std::optional<StatsRecord>> parse_stats(std::string_view content, std::string_view file)
{
	using R = StatsRecord;
	static const std::vector<KeySpec<R>> specs = {
		int_key<R>("netns", &R::netns),
		int_key<R>("devices", &R::devices),
		int_key<R>("veth_untracked", &R::veth_untracked),
		int_key<R>("sig_unattributed", &R::sig_unattributed),
		int_key<R>("alloc_failed", &R::alloc_failed),
		opt_int_key<R>("sig_deferred", &R::sig_deferred),		// 1.3
		opt_int_key<R>("oom_unattributed", &R::oom_unattributed),	// 1.3
		opt_int_key<R>("postmortem", &R::postmortem),			// 1.4
		opt_int_key<R>("postmortem_lost", &R::postmortem_lost),		// 1.4
	};
	auto res = parse_records<R>(content, file, "stats", specs);
	if (!res)
		return res.error();
	if (res->size() > 1)
		return Error{Errc::malformed, std::string(file),
			     fmt::format("{} stats records, expected one", res->size()), {}, 0};
	if (res->empty())
		return std::optional<StatsRecord>{};
	return std::optional<StatsRecord>{res->front()};
}

Result<std::vector<NetnsRecord>> parse_netns(std::string_view content, std::string_view file)
{
	using R = NetnsRecord;
	static const std::vector<KeySpec<R>> specs = {
		int_key<R>("inum", &R::inum),
		int_key<R>("cookie", &R::cookie),
		int_key<R>("devices", &R::devices),
		int_key<R>("tx_packets", &R::tx_packets),
		int_key<R>("tx_bytes", &R::tx_bytes),
		int_key<R>("sig_generated", &R::sig_generated),
		int_key<R>("sig_ignored", &R::sig_ignored),
		since_minor(int_key<R>("sig_rows", &R::sig_rows)),	// 1.3
		since_minor(int_key<R>("ev_chunks", &R::ev_chunks)),
		since_minor(int_key<R>("alloc_failed", &R::alloc_failed)),
	};
	return parse_records<R>(content, file, "netns", specs);
}

Result<std::vector<DevRecord>> parse_devices(std::string_view content, std::string_view file)
{
	using R = DevRecord;
	static const std::vector<KeySpec<R>> specs = {
		int_key<R>("inum", &R::inum),
		int_key<R>("cookie", &R::cookie),
		int_key<R>("ifindex", &R::ifindex),
		string_key<R>("name", &R::name),
#define NSP_X(key, unit) int_key<R>(#key, &R::key),
		NSP_DEV_COUNTERS(NSP_X)
#undef NSP_X
		{"tx_dropped_base",
		 [](std::string_view v, R &r) -> std::string {
			 uint64_t n = 0;
			 if (!parse_int(v, n))
				 return fmt::format("key 'tx_dropped_base': '{}' is not an unsigned "
						    "decimal integer of at most 64 bits", v);
			 r.tx_dropped_base = n;
			 return {};
		 }},
		{"rx_packets_base",	// 1.7
		 [](std::string_view v, R &r) -> std::string {
			 uint64_t n = 0;
			 if (!parse_int(v, n))
				 return fmt::format("key 'rx_packets_base': '{}' is not an unsigned "
						    "decimal integer of at most 64 bits", v);
			 r.rx_packets_base = n;
			 return {};
		 }},
	};
	// Format 1.0 had tx_packets and tx_bytes only; the rest came in 1.1
	// (requeued and tx_dropped_base in 1.2, rx_veth and rx_packets_base in
	// 1.7).
	static const std::vector<KeySpec<R>> dev_specs = [] {
		std::vector<KeySpec<R>> v = specs;
		for (KeySpec<R> &k : v)
			if (std::string_view(k.key) != "tx_packets" && std::string_view(k.key) != "tx_bytes" &&
			    std::string_view(k.key) != "inum" && std::string_view(k.key) != "cookie" &&
			    std::string_view(k.key) != "ifindex" && std::string_view(k.key) != "name")
				k.optional = true;
		return v;
	}();
	return parse_records<R>(content, file, "dev", dev_specs, [](const R &r) -> std::string {
		if (r.ifindex <= 0)
			return fmt::format("ifindex {} is not positive", r.ifindex);
		return {};
	});
}

namespace {

std::string valid_signo(const SigRecord &r)
{
	if (r.signo < 1 || r.signo > NSP_SIG_MAX)
		return fmt::format("signo {} is outside 1..{}", r.signo, NSP_SIG_MAX);
	return {};
}

} // namespace

Result<std::vector<SigRecord>> parse_signals(std::string_view content, std::string_view file)
{
	using R = SigRecord;
	static const std::vector<KeySpec<R>> specs = {
		int_key<R>("inum", &R::inum),
		int_key<R>("cookie", &R::cookie),
		int_key<R>("signo", &R::signo),
#define NSP_X(key, unit) int_key<R>(#key, &R::key),
		NSP_SIG_COUNTERS(NSP_X)
#undef NSP_X
	};
	// Format 1.0 had generated..ignored_other; the counters after them came
	// in 1.1 (an older module's records lack them; they stay 0).
	static const std::vector<KeySpec<R>> sig_specs = [] {
		std::vector<KeySpec<R>> v = specs;
		bool newer = false;
		for (KeySpec<R> &k : v) {
			k.optional = newer;
			newer |= std::string_view(k.key) == "ignored_other";
		}
		return v;
	}();
	return parse_records<R>(content, file, "sig", sig_specs, valid_signo);
}

Result<std::vector<SigRecord>> parse_node_signals(std::string_view content, std::string_view file)
{
	using R = SigRecord;
	// No netns identity; every counter is there (the record came in 1.5).
	static const std::vector<KeySpec<R>> specs = {
		int_key<R>("signo", &R::signo),
#define NSP_X(key, unit) int_key<R>(#key, &R::key),
		NSP_SIG_COUNTERS(NSP_X)
#undef NSP_X
	};
	return parse_records<R>(content, file, "node_sig", specs, valid_signo);
}

Result<Postmortem> parse_postmortem(std::string_view content, std::string_view file)
{
	using R = GoneRecord;
	static const std::vector<KeySpec<R>> specs = {
		int_key<R>("inum", &R::inum),
		int_key<R>("cookie", &R::cookie),
		int_key<R>("gone_ns", &R::gone_ns),
		int_key<R>("age_ns", &R::age_ns),
		int_key<R>("cgroup_id", &R::cgroup_id),
		{"cgroup",
		 [](std::string_view v, R &r) -> std::string {
			 if (v == "-")	// unknown; a real path starts with '/'
				 return {};
			 auto s = unescape(v);
			 if (!s)
				 return fmt::format("key 'cgroup': '{}' is not a valid escaped string "
						    "(expected \\ooo escapes)", v);
			 r.cgroup = std::move(*s);
			 return {};
		 }},
	};
	Postmortem pm;
	auto gone = parse_records<R>(content, file, "gone", specs);
	if (!gone)
		return gone.error();
	pm.gone = std::move(*gone);
	// The other records are the live files' and go through their parsers;
	// each ignores the others' record types.
	auto netns = parse_netns(content, file);
	if (!netns)
		return netns.error();
	pm.netns = std::move(*netns);
	auto sigs = parse_signals(content, file);
	if (!sigs)
		return sigs.error();
	pm.signals = std::move(*sigs);
	auto evs = parse_sig_events(content, file);
	if (!evs)
		return evs.error();
	pm.events = std::move(*evs);

	std::set<std::pair<uint64_t, uint64_t>> ids;
	for (const GoneRecord &g : pm.gone)
		if (!ids.insert({g.inum, g.cookie}).second)
			return Error{Errc::malformed, std::string(file),
				     fmt::format("two gone records for netns {} cookie {}", g.inum,
						 g.cookie),
				     "the module and this tool disagree on include/nsprobe/format.h", 0};
	auto orphan = [&](const char *type, uint64_t inum, uint64_t cookie) -> std::optional<Error> {
		if (ids.count({inum, cookie}))
			return std::nullopt;
		return Error{Errc::malformed, std::string(file),
			     fmt::format("{} record of netns {} cookie {} without a gone record", type,
					 inum, cookie),
			     "the module and this tool disagree on include/nsprobe/format.h", 0};
	};
	for (const NetnsRecord &r : pm.netns)
		if (auto e = orphan("netns", r.inum, r.cookie))
			return *e;
	for (const SigRecord &r : pm.signals)
		if (auto e = orphan("sig", r.inum, r.cookie))
			return *e;
	for (const SigRing &r : pm.events.rings)
		if (auto e = orphan("evring", r.inum, r.cookie))
			return *e;
	for (const SigEvent &r : pm.events.events)
		if (auto e = orphan("ev", r.inum, r.cookie))
			return *e;
	return pm;
}

} // namespace nsprobe
