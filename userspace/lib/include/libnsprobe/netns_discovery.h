// SPDX-License-Identifier: GPL-2.0 OR MIT
// Finding network namespaces: NetnsDiscovery, and its real implementation
// scanning bind mounts and /proc.
#ifndef LIBNSPROBE_NETNS_DISCOVERY_H
#define LIBNSPROBE_NETNS_DISCOVERY_H

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "libnsprobe/container.h"
#include "libnsprobe/result.h"

namespace nsprobe {

// A netns as the VFS sees it: (st_dev, st_ino) of an nsfs inode, the way
// iproute2 identifies it. inum equals net->ns.inum, the N of "net:[N]".
struct NetnsId {
	uint64_t dev = 0;
	uint64_t inum = 0;
	friend bool operator==(const NetnsId &, const NetnsId &) = default;
	friend auto operator<=>(const NetnsId &, const NetnsId &) = default;
};

struct ProcRef {
	int pid = 0;		// thread group id, in nsprobe's pid namespace
	std::string comm;	// /proc/<pid>/comm without the newline
	friend bool operator==(const ProcRef &, const ProcRef &) = default;
};

struct NetnsInfo {
	NetnsId id;
	std::vector<std::string> names;		// entries of /run/netns (basenames), sorted
	std::vector<std::string> bind_paths;	// other nsfs bind mounts (docker, ...), sorted
	std::vector<ProcRef> pids;		// processes with a task in it, by pid
	std::vector<std::string> open_paths;	// paths that open it, best first
	bool current = false;			// the netns nsprobe itself runs in
	// The netns's init process: of its processes, the lowest pid that is
	// PID 1 of its own pid namespace (a container's init), else the lowest
	// whose parent is seen in another netns. nullopt when no process is in
	// it, or when neither rule holds: no PID 1 among them, and each one's
	// parent is a member or hidden from the scan (not root: its netns could
	// not be read, so it may be a member). Shown as the init, never used
	// to name the netns.
	std::optional<ProcRef> init;
	// The container the init process belongs to, from its cgroup.
	std::optional<ContainerId> container;
};

class NetnsDiscovery {
public:
	virtual ~NetnsDiscovery() = default;
	// Every netns reachable through a bind mount or a task, one entry per
	// (dev, inum), sorted by inum. Processes and mounts that vanish during
	// the scan are skipped. Errors: internal (no usable /proc).
	virtual Result<std::vector<NetnsInfo>> scan() = 0;
};

// Scans, in this order: <netns_dirs> entries that are nsfs inodes (the first
// dir gives "names", others "bind_paths"), nsfs "net:[N]" mounts in
// <proc>/self/mountinfo (any other bind path), then <proc>/<pid>/task/<tid>/ns/net
// for every task (one stat per task). Costs one readdir of /proc, one
// readdir and one stat per task, one read of comm per process listed, and
// per netns other than nsprobe's own: one read of status per process (parent
// pid and NSpid, to find the init) and one of the init's cgroup.
class ProcNetnsDiscovery : public NetnsDiscovery {
public:
	explicit ProcNetnsDiscovery(std::string proc = "/proc",
				    std::vector<std::string> netns_dirs = {"/run/netns",
									   "/var/run/docker/netns"});
	Result<std::vector<NetnsInfo>> scan() override;

private:
	std::string proc_;
	std::vector<std::string> dirs_;
};

// The netns list of `inner`, reused between full scans (nsprobe watch, issue
// 10 item 2). A full /proc scan costs a stat per task and reads per process
// (hundreds of ms at 1,000 containers); a reused list costs nothing here,
// and the link dump that follows opens each netns through its open_paths
// (open + fstat of the inode), which proves each one still reachable.
//
// scan() rescans when the list may be stale:
//  - the caller said so (invalidate()): a netns vanished during the dump,
//    or the module lists a netns the list lacks (see knows());
//  - the list is older than max_age_s seconds: the bound on how late a new
//    netns with no bind mount appears when the module is not loaded, or a
//    changed container label is seen;
//  - the mtime of one of `dirs` (the bind-mount dirs: /run/netns, ...) has
//    changed since the last full scan: `ip netns add/del`.
// max_age_s <= 0: every scan() is a full scan. `now` gives seconds on a
// monotonic clock (injected for tests). Errors: those of inner.scan(); a
// failed full scan leaves the list stale.
class CachedNetnsDiscovery : public NetnsDiscovery {
public:
	CachedNetnsDiscovery(NetnsDiscovery &inner, double max_age_s,
			     std::vector<std::string> dirs, std::function<double()> now);
	Result<std::vector<NetnsInfo>> scan() override;
	void invalidate() { stale_ = true; }
	// Whether the last scan() was a full one.
	bool last_was_full() const { return last_full_; }
	uint64_t full_scans() const { return full_scans_; }
	// inum is in the list, or was accepted after the full scan that did not
	// find it (a netns only the module sees: no process, no bind mount). An
	// inum the cache does not know means a new netns: invalidate().
	bool knows(uint64_t inum) const;
	void accept(uint64_t inum) { accepted_.insert(inum); }

private:
	std::vector<std::pair<std::string, int64_t>> dir_mtimes() const;

	NetnsDiscovery &inner_;
	double max_age_;
	std::vector<std::string> dirs_;
	std::function<double()> now_;
	std::vector<NetnsInfo> list_;
	std::set<uint64_t> inums_, accepted_;
	std::vector<std::pair<std::string, int64_t>> mtimes_;
	double scanned_at_ = 0;
	bool stale_ = true, last_full_ = false;
	uint64_t full_scans_ = 0;
};

// Decodes the octal escapes of /proc/self/mountinfo paths ("\040" = ' ').
std::string unescape_mountinfo(std::string_view s);

} // namespace nsprobe

#endif
