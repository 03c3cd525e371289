// SPDX-License-Identifier: GPL-2.0 OR MIT
// The one netns selector resolver: what --netns X and signals --why X name,
// for every command. A selector names exactly one network namespace, live
// or (format 1.4) dead; anything else is an error, never a guess.
//
// Forms, each also accepted with its kind spelled out:
//   /path             a bind mount (/run/netns/x) or /proc/<pid>/ns/net:
//                     the live netns whose inode it is
//   name:NAME  NAME   a /run/netns name
//   inode:N    N      the inode number (inum) of /proc/<pid>/ns/net; also a
//                     dead netns with that inum
//   pid:N      N      the netns of any task of process N
//   container:P  P    a prefix of a container id (docker, podman, ...), of
//                     a live netns's init or of a dead netns's last cgroup
//   INUM:COOKIE       exactly one netns, live or dead: inum plus the
//                     module's netns cookie (format.h)
//   host              the initial netns, as is_host_netns() knows it (its
//                     cookie, or a static inum); a /run/netns name "host"
//                     of another netns makes it ambiguous (name:host is
//                     the name alone)
// Without a kind, every kind is tried. When they name different netns
// (a pid that is also a container id prefix, a live and a dead netns with
// one inum, a prefix of two containers), the selector is ambiguous: usage
// error (exit 2) listing the candidates, never the first.
#ifndef LIBNSPROBE_SELECTOR_H
#define LIBNSPROBE_SELECTOR_H

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "libnsprobe/container.h"
#include "libnsprobe/format_parser.h"
#include "libnsprobe/model.h"
#include "libnsprobe/netns_discovery.h"
#include "libnsprobe/result.h"

namespace nsprobe {

// One network namespace: a live one by inum (its cookie when the module
// knows it), or a dead one by inum and cookie (its post-mortem record).
struct NetnsTarget {
	uint64_t inum = 0;
	std::optional<uint64_t> cookie;
	bool gone = false;

	// Whether a record of (inum, cookie), from the live files (gone false)
	// or the post-mortem file (gone true), is of this netns. An unknown
	// cookie on either side matches any.
	bool is(uint64_t r_inum, std::optional<uint64_t> r_cookie, bool r_gone) const
	{
		return r_gone == gone && r_inum == inum &&
		       (!cookie || !r_cookie || *cookie == *r_cookie);
	}
	friend bool operator==(const NetnsTarget &, const NetnsTarget &) = default;
};

// A netns a selector may name, with what can name it.
struct NetnsCandidate {
	NetnsTarget ref;
	std::vector<std::string> names;		// /run/netns names
	std::vector<ProcRef> pids;		// processes with a task in it (live)
	std::optional<ContainerId> container;	// of its init, or (gone) last cgroup
	std::optional<uint64_t> gone_age_ns;	// (gone) ns since it died
};

// Candidates from a /proc scan (live), the module's live netns records
// (their cookies; netns only the module knows) and post-mortem records
// (dead). A module record joins the scanned netns of its inum.
std::vector<NetnsCandidate> netns_candidates(const std::vector<NetnsInfo> &live,
					     const std::vector<NetnsRecord> &module_live,
					     const std::vector<GoneRecord> &gone);
// Candidates of a show model: its netns views and its dead netns.
std::vector<NetnsCandidate> netns_candidates(const ShowModel &m);

// "INUM:COOKIE" as two numbers; nullopt for any other text.
std::optional<std::pair<uint64_t, uint64_t>> parse_inum_cookie(const std::string &selector);

// The errno of stat("/proc/<pid>/ns/net"), 0 when it succeeds: how the
// resolver tells a pid it may not inspect (EACCES: not root, another
// user's process) from one that does not exist (ENOENT).
using PidNetnsProbe = std::function<int(uint64_t pid)>;
int stat_pid_netns(uint64_t pid);

// The hint of a permission_denied (exit 5) selector error: `whose` is
// "process" (a pid whose /proc/PID/ns/net we may not read) or "netns" (a
// path we may not stat). Not root: "run as root". Root (`root` true, the
// caller passes geteuid() == 0): never "run as root", but what root lacks:
// CAP_SYS_PTRACE over the process (ptrace_may_access()), as in a container
// that drops it.
std::string denied_hint(bool root, const std::string &whose);

// The one netns among `candidates` that `selector` names (forms above).
// Errors: usage (exit 2): empty selector, a kind with a bad value
// ("pid:x"), an unknown kind, ambiguous (the candidates listed, with a hint
// to spell the kind or give INUM:COOKIE); permission_denied (exit 5): a
// path whose stat() says EACCES/EPERM, or nothing matched and the selector
// may be a pid whose netns `probe` says we may not see (EACCES/EPERM: the
// scan could not see that process's netns either); netns_not_found
// (exit 8): nothing matched, or a path that cannot be stat()ed (its errno).
Result<NetnsTarget> resolve_selector(const std::string &selector,
				  const std::vector<NetnsCandidate> &candidates,
				  const PidNetnsProbe &probe = stat_pid_netns);

// "netns 4026532301", "netns 4026532301 (gone)", for messages.
std::string describe(const NetnsTarget &ref);

} // namespace nsprobe

#endif
