// SPDX-License-Identifier: GPL-2.0 OR MIT
// The netns selector resolver: see libnsprobe/selector.h.
#include "libnsprobe/selector.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstdint>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

namespace nsprobe {
namespace {

std::optional<uint64_t> parse_u64(std::string_view s)
{
	uint64_t n = 0;
	auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
	if (s.empty() || ec != std::errc() || p != s.data() + s.size())
		return std::nullopt;
	return n;
}

enum class Kind { any, path, name, inode, pid, container, exact };

constexpr const char *kForms =
	"give an inum as in /proc/<pid>/ns/net, a name from ip netns list, a path to it, a pid, "
	"a container id prefix, INUM:COOKIE, or host";

// What named a candidate, for the ambiguity message: "pid 12",
// "container docker 12ab34cd56ef".
struct Hit {
	size_t cand;
	std::string how;
};

std::string short_container(const ContainerId &c)
{
	return c.runtime + " " + c.id.substr(0, 12);
}

// "netns 4026532201:12 (inode, gone 12 s ago)": INUM:COOKIE when the
// cookie is known, so the user can pick it.
std::string candidate_text(const NetnsCandidate &c, const std::string &how)
{
	std::string s = c.ref.cookie ? fmt::format("netns {}:{}", c.ref.inum, *c.ref.cookie)
				     : fmt::format("netns {}", c.ref.inum);
	std::string when = !c.ref.gone ? "live" : c.gone_age_ns ? gone_ago(*c.gone_age_ns) : "gone";
	return s + " (" + how + ", " + when + ")";
}

} // namespace

std::optional<std::pair<uint64_t, uint64_t>> parse_inum_cookie(const std::string &selector)
{
	size_t colon = selector.find(':');
	if (colon == std::string::npos)
		return std::nullopt;
	auto inum = parse_u64(std::string_view(selector).substr(0, colon));
	auto cookie = parse_u64(std::string_view(selector).substr(colon + 1));
	if (!inum || !cookie)
		return std::nullopt;
	return std::make_pair(*inum, *cookie);
}

std::string describe(const NetnsTarget &ref)
{
	std::string s = fmt::format("netns {}", ref.inum);
	if (ref.gone && ref.cookie)
		s += fmt::format(" cookie {}", *ref.cookie);
	return s;
}

std::vector<NetnsCandidate> netns_candidates(const std::vector<NetnsInfo> &live,
					     const std::vector<NetnsRecord> &module_live,
					     const std::vector<GoneRecord> &gone)
{
	std::vector<NetnsCandidate> out;
	std::map<uint64_t, size_t> by_inum;
	for (const NetnsInfo &n : live) {
		NetnsCandidate c;
		c.ref.inum = n.id.inum;
		c.names = n.names;
		c.pids = n.pids;
		c.container = n.container;
		by_inum.emplace(c.ref.inum, out.size());
		out.push_back(std::move(c));
	}
	for (const NetnsRecord &r : module_live) {
		auto it = by_inum.find(r.inum);
		if (it != by_inum.end()) {
			if (!out[it->second].ref.cookie)
				out[it->second].ref.cookie = r.cookie;
			continue;
		}
		NetnsCandidate c;	// known to the module only
		c.ref = {r.inum, r.cookie, false};
		by_inum.emplace(r.inum, out.size());
		out.push_back(std::move(c));
	}
	for (const GoneRecord &g : gone) {
		NetnsCandidate c;
		c.ref = {g.inum, g.cookie, true};
		if (g.cgroup)
			c.container = container_of_cgroup_path(*g.cgroup);
		c.gone_age_ns = g.age_ns;
		out.push_back(std::move(c));
	}
	return out;
}

std::vector<NetnsCandidate> netns_candidates(const ShowModel &m)
{
	std::vector<NetnsCandidate> out;
	for (const NetnsView &v : m.netns) {
		NetnsCandidate c;
		c.ref = {v.inum, v.cookie, false};
		c.names = v.names;
		c.pids = v.pids;
		c.container = v.container;
		out.push_back(std::move(c));
	}
	for (const GoneNetnsView &g : m.gone) {
		NetnsCandidate c;
		c.ref = {g.inum, g.cookie, true};
		c.container = g.gone.container;
		c.gone_age_ns = g.gone.age_ns;
		out.push_back(std::move(c));
	}
	return out;
}

int stat_pid_netns(uint64_t pid)
{
	struct stat st {};
	std::string path = fmt::format("/proc/{}/ns/net", pid);
	return ::stat(path.c_str(), &st) == 0 ? 0 : errno;
}

std::string denied_hint(bool root, const std::string &whose)
{
	if (!root)
		return whose == "process" ? "another user's process; run as root to see its netns"
					  : "another user's netns; run as root";
	return "denied to root too: reading another process's netns needs CAP_SYS_PTRACE over "
	       "it, which this nsprobe lacks (a container without it?) or which does not "
	       "reach its user namespace";
}

Result<NetnsTarget> resolve_selector(const std::string &selector,
				  const std::vector<NetnsCandidate> &candidates,
				  const PidNetnsProbe &probe)
{
	const std::string what = "netns " + selector;
	if (selector.empty())
		return Error{Errc::usage, "--netns ''", "an empty selector", kForms, 0};

	// The kind, spelled out or not, and the value it applies to.
	Kind kind = Kind::any;
	std::string val = selector;
	static const std::pair<const char *, Kind> kinds[] = {
		{"name:", Kind::name}, {"inode:", Kind::inode}, {"inum:", Kind::inode},
		{"pid:", Kind::pid},   {"container:", Kind::container},
	};
	for (const auto &[prefix, k] : kinds) {
		std::string p = prefix;
		if (selector.compare(0, p.size(), p) == 0) {
			kind = k;
			val = selector.substr(p.size());
			break;
		}
	}
	std::optional<std::pair<uint64_t, uint64_t>> exact;
	if (kind == Kind::any && selector.front() == '/') {
		kind = Kind::path;
	} else if (kind == Kind::any && (exact = parse_inum_cookie(selector))) {
		kind = Kind::exact;
	} else if (kind == Kind::any && selector.find(':') != std::string::npos) {
		return Error{Errc::usage, what, "unknown selector kind",
			     "kinds: name:, inode:, pid:, container:, or INUM:COOKIE", 0};
	}
	if (val.empty())
		return Error{Errc::usage, what, "nothing after the kind", kForms, 0};
	std::optional<uint64_t> num = parse_u64(val);
	if ((kind == Kind::inode || kind == Kind::pid) && !num)
		return Error{Errc::usage, what, "not a decimal number", kForms, 0};
	if (kind == Kind::inode && *num > UINT32_MAX)
		return Error{Errc::usage, what, "an inode number is 32 bits", "see /proc/<pid>/ns/net",
			     0};

	std::vector<Hit> hits;
	auto want = [&](Kind k) { return kind == Kind::any || kind == k; };
	if (kind == Kind::path) {
		struct stat st {};
		if (::stat(val.c_str(), &st) != 0) {
			int err = errno;
			if (err == EACCES || err == EPERM)
				return errno_error(Errc::permission_denied, val, err,
						   denied_hint(::geteuid() == 0, "netns"));
			return errno_error(Errc::netns_not_found, val, err);
		}
		for (size_t i = 0; i < candidates.size(); i++)
			if (!candidates[i].ref.gone &&
			    candidates[i].ref.inum == static_cast<uint64_t>(st.st_ino))
				hits.push_back({i, "path " + val});
	}
	if (kind == Kind::exact)
		for (size_t i = 0; i < candidates.size(); i++) {
			const NetnsTarget &r = candidates[i].ref;
			if (r.inum == exact->first && r.cookie && *r.cookie == exact->second)
				hits.push_back({i, "inode and cookie"});
		}
	std::set<std::string> containers;	// "runtime id" of container hits
	for (size_t i = 0; i < candidates.size(); i++) {
		const NetnsCandidate &c = candidates[i];
		if (want(Kind::name) && std::find(c.names.begin(), c.names.end(), val) != c.names.end())
			hits.push_back({i, "name " + val});
		if (kind == Kind::any && val == "host" && !c.ref.gone &&
		    is_host_netns(c.ref.inum, c.ref.cookie))
			hits.push_back({i, "host (the initial netns)"});
		if (want(Kind::inode) && num && c.ref.inum == *num)
			hits.push_back({i, "inode"});
		if (want(Kind::pid) && num && !c.ref.gone &&
		    std::any_of(c.pids.begin(), c.pids.end(),
				[&](const ProcRef &p) { return static_cast<uint64_t>(p.pid) == *num; }))
			hits.push_back({i, "pid " + val});
		if (want(Kind::container) && c.container &&
		    c.container->id.compare(0, val.size(), val) == 0) {
			hits.push_back({i, "container " + short_container(*c.container)});
			containers.insert(c.container->runtime + " " + c.container->id);
		}
	}

	// One netns, however many ways it was named: a live one by inum, a
	// dead one by inum and cookie.
	auto key = [&](size_t i) {
		const NetnsTarget &r = candidates[i].ref;
		return std::make_tuple(r.gone, r.inum, r.gone ? r.cookie.value_or(0) : 0);
	};
	std::map<std::tuple<bool, uint64_t, uint64_t>, std::vector<const Hit *>> distinct;
	for (const Hit &h : hits)
		distinct[key(h.cand)].push_back(&h);
	if (distinct.empty()) {
		// A pid the scan could not place: its netns is hidden from us
		// (not root), which is not "no such netns".
		if (want(Kind::pid) && num && *num > 0 && *num <= INT32_MAX)
			if (int err = probe(*num); err == EACCES || err == EPERM)
				return errno_error(Errc::permission_denied,
						   fmt::format("{}: /proc/{}/ns/net", what, *num), err,
						   denied_hint(::geteuid() == 0, "process"));
		return Error{Errc::netns_not_found, what, "no such network namespace (or it vanished)",
			     kForms, 0};
	}
	if (distinct.size() == 1)
		return candidates[distinct.begin()->second.front()->cand].ref;

	std::string list;
	for (const auto &[k, hs] : distinct) {
		std::string how;
		for (const Hit *h : hs)
			if (how.find(h->how) == std::string::npos)
				how += (how.empty() ? "" : ", ") + h->how;
		list += (list.empty() ? "" : "; ") + candidate_text(candidates[hs.front()->cand], how);
	}
	std::string why = containers.size() > 1
				  ? fmt::format("container id prefix matches {} containers: ",
						containers.size())
				  : fmt::format("names {} network namespaces: ", distinct.size());
	// Named by their inum alone (an inode match is exact: a live and a
	// dead netns, or two dead ones, that share it): neither more digits
	// nor a kind can tell them apart, only the cookie.
	bool by_inum = std::all_of(hits.begin(), hits.end(),
				   [](const Hit &h) { return h.how == "inode"; });
	std::string hint = containers.size() > 1 && kind == Kind::container
				   ? "give more digits"
			   : by_inum ? "give INUM:COOKIE"
				     : "give more digits, spell the kind (pid:N, inode:N, name:X, "
				       "container:P), or give INUM:COOKIE";
	return Error{Errc::usage, what, why + list, hint, 0};
}

} // namespace nsprobe
