// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "libnsprobe/netns_discovery.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libnsprobe/fd.h"

namespace nsprobe {
namespace {

struct DirCloser {
	void operator()(DIR *d) const { closedir(d); }
};
using DirPtr = std::unique_ptr<DIR, DirCloser>;

bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

std::string real_path(const std::string &p)
{
	char buf[PATH_MAX];
	if (::realpath(p.c_str(), buf))
		return buf;
	return {};
}

class Builder {
public:
	explicit Builder(uint64_t nsfs_dev) : nsfs_dev_(nsfs_dev) {}

	NetnsInfo &at(const struct stat &st)
	{
		NetnsId id{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
		NetnsInfo &info = map_[id];
		info.id = id;
		return info;
	}

	// A bind path; ignored unless it is an nsfs inode (not a stale file).
	void add_path(const std::string &path, const std::string &name)
	{
		if (!seen_paths_.insert(path).second)
			return;
		struct stat st {};
		if (::stat(path.c_str(), &st) != 0 || static_cast<uint64_t>(st.st_dev) != nsfs_dev_)
			return;	// vanished, unreadable or a stale file: skip
		NetnsInfo &info = at(st);
		if (!name.empty())
			info.names.push_back(name);
		else
			info.bind_paths.push_back(path);
		info.open_paths.push_back(path);	// bind mounts come before tasks
	}

	std::map<NetnsId, NetnsInfo> &map() { return map_; }

private:
	uint64_t nsfs_dev_;
	std::map<NetnsId, NetnsInfo> map_;
	std::set<std::string> seen_paths_;
};

// From /proc/<pid>/status: the ppid ("PPid:"), and whether the task is
// the init of its own pid namespace (the last "NSpid:" field is 1; the line
// exists since Linux 4.1). ppid -1 if unreadable.
struct TaskIds {
	int ppid = -1;
	bool pidns_init = false;
};

TaskIds read_task_ids(const std::string &proc, int pid)
{
	TaskIds t;
	auto st = read_whole_file(proc + "/" + std::to_string(pid) + "/status");
	if (!st)
		return t;
	std::istringstream in(*st);
	std::string line;
	while (std::getline(in, line)) {
		if (line.rfind("PPid:", 0) == 0) {
			t.ppid = std::atoi(line.c_str() + 5);
		} else if (line.rfind("NSpid:", 0) == 0) {
			size_t sp = line.find_last_of(" \t");
			t.pidns_init = sp != std::string::npos && line.substr(sp + 1) == "1";
		}
	}
	return t;
}

// Sets info.init (and info.container from its cgroup). info.pids holds the
// live members, by pid. The init is, in this order: the lowest pid that is
// PID 1 of its own pid namespace (a container's init, below the runtime's
// shim or unshare that may share the netns), else the first member whose
// parent is outside the netns (the process that entered it). The second
// rule needs the parent's netns: a parent whose netns the scan could not
// see (`hidden`: not root, another user's process) may be a member, so
// it proves nothing and there is no init rather than a guess (a non-root
// scan of the host netns would otherwise name the user's shell).
void find_init(const std::string &proc, NetnsInfo &info, const std::set<int> &members,
	       const std::set<int> &hidden)
{
	if (info.pids.empty())
		return;
	const ProcRef *init = nullptr;
	const ProcRef *top = nullptr;
	for (const ProcRef &p : info.pids) {
		TaskIds t = read_task_ids(proc, p.pid);
		if (t.pidns_init) {
			init = &p;
			break;
		}
		// PPid 0: no parent (kthreadd, an init), or one outside nsprobe's
		// pid namespace: neither says where the parent's netns is.
		if (!top && t.ppid > 0 && !members.count(t.ppid) && !hidden.count(t.ppid))
			top = &p;
	}
	if (!init)
		init = top;
	if (!init)
		return;
	info.init = *init;
	if (info.current)
		return;
	if (auto cg = read_whole_file(proc + "/" + std::to_string(init->pid) + "/cgroup"))
		info.container = parse_cgroup(*cg);
}

} // namespace

std::string unescape_mountinfo(std::string_view s)
{
	std::string out;
	for (size_t i = 0; i < s.size(); i++) {
		if (s[i] == '\\' && s.size() - i >= 4 &&
		    s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' && s[i + 2] <= '7' &&
		    s[i + 3] >= '0' && s[i + 3] <= '7') {
			out.push_back(static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 +
							(s[i + 3] - '0')));
			i += 3;
		} else {
			out.push_back(s[i]);
		}
	}
	return out;
}

ProcNetnsDiscovery::ProcNetnsDiscovery(std::string proc, std::vector<std::string> netns_dirs)
	: proc_(std::move(proc)), dirs_(std::move(netns_dirs))
{
}

Result<std::vector<NetnsInfo>> ProcNetnsDiscovery::scan()
{
	struct stat self {};
	std::string self_path = proc_ + "/thread-self/ns/net";
	if (::stat(self_path.c_str(), &self) != 0)
		return errno_error(Errc::internal, self_path, errno, "is /proc mounted?");
	Builder b(static_cast<uint64_t>(self.st_dev));
	b.at(self).current = true;

	// 1. Bind mounts in the well-known directories.
	std::string names_dir = dirs_.empty() ? std::string() : real_path(dirs_[0]);
	for (size_t d = 0; d < dirs_.size(); d++) {
		std::string dir = real_path(dirs_[d]);
		if (dir.empty())
			continue;
		DirPtr dp(::opendir(dir.c_str()));
		if (!dp)
			continue;
		std::vector<std::string> entries;
		while (struct dirent *de = ::readdir(dp.get())) {
			std::string n = de->d_name;
			if (n != "." && n != "..")
				entries.push_back(n);
		}
		std::sort(entries.begin(), entries.end());
		for (const std::string &n : entries)
			b.add_path(dir + "/" + n, dir == names_dir ? n : std::string());
	}

	// 2. Any other nsfs bind mount of a netns in our mount namespace.
	if (auto mi = read_whole_file(proc_ + "/self/mountinfo")) {
		std::istringstream in(*mi);
		std::string line;
		while (std::getline(in, line)) {
			size_t sep = line.find(" - ");
			if (sep == std::string::npos)
				continue;
			std::istringstream head(line.substr(0, sep)), tail(line.substr(sep + 3));
			std::string id, parent, majmin, root, mnt, fstype;
			head >> id >> parent >> majmin >> root >> mnt;
			tail >> fstype;
			if (fstype != "nsfs" || root.rfind("net:[", 0) != 0)
				continue;
			std::string path = unescape_mountinfo(mnt);
			std::string parent_dir = path.substr(0, path.rfind('/'));
			bool in_names = !names_dir.empty() && parent_dir == names_dir;
			b.add_path(path, in_names ? path.substr(path.rfind('/') + 1) : std::string());
		}
	}

	// 3. Every task. Vanishing tasks (ENOENT, ESRCH) and tasks we may not
	// inspect (EACCES) are skipped; the latter are `hidden`.
	std::map<NetnsId, std::set<int>> pids;
	std::set<int> hidden;
	DirPtr proc(::opendir(proc_.c_str()));
	if (!proc)
		return errno_error(Errc::internal, proc_, errno);
	while (struct dirent *de = ::readdir(proc.get())) {
		if (!all_digits(de->d_name))
			continue;
		std::string task_dir = proc_ + "/" + de->d_name + "/task";
		DirPtr td(::opendir(task_dir.c_str()));
		if (!td)
			continue;
		int pid = std::atoi(de->d_name);
		NetnsId last{};
		while (struct dirent *te = ::readdir(td.get())) {
			if (!all_digits(te->d_name))
				continue;
			std::string rel = std::string(te->d_name) + "/ns/net";
			struct stat st {};
			if (::fstatat(::dirfd(td.get()), rel.c_str(), &st, 0) != 0) {
				if (errno != ENOENT && errno != ESRCH)
					hidden.insert(pid);	// EACCES: not ours to see
				continue;
			}
			NetnsId id{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
			if (id == last)
				continue;	// common case: all threads share one netns
			last = id;
			NetnsInfo &info = b.at(st);
			if (pids[id].insert(pid).second && info.open_paths.size() < 8)
				info.open_paths.push_back(task_dir + "/" + rel);
		}
	}

	std::vector<NetnsInfo> out;
	out.reserve(b.map().size());
	for (auto &[id, info] : b.map()) {
		const std::set<int> &members = pids[id];
		for (int pid : members) {
			auto comm = read_whole_file(proc_ + "/" + std::to_string(pid) + "/comm");
			if (!comm)
				continue;	// exited meanwhile
			std::string c = *comm;
			if (!c.empty() && c.back() == '\n')
				c.pop_back();
			info.pids.push_back({pid, c});
		}
		find_init(proc_, info, members, hidden);
		std::sort(info.names.begin(), info.names.end());
		std::sort(info.bind_paths.begin(), info.bind_paths.end());
		if (info.open_paths.empty() && !info.current)
			continue;	// every way to reach it vanished
		if (info.current && info.open_paths.empty())
			info.open_paths.push_back(self_path);
		out.push_back(std::move(info));
	}
	std::sort(out.begin(), out.end(),
		  [](const NetnsInfo &a, const NetnsInfo &c) { return a.id.inum < c.id.inum; });
	return out;
}

CachedNetnsDiscovery::CachedNetnsDiscovery(NetnsDiscovery &inner, double max_age_s,
					   std::vector<std::string> dirs,
					   std::function<double()> now)
	: inner_(inner), max_age_(max_age_s), dirs_(std::move(dirs)), now_(std::move(now))
{
}

std::vector<std::pair<std::string, int64_t>> CachedNetnsDiscovery::dir_mtimes() const
{
	std::vector<std::pair<std::string, int64_t>> v;
	for (const std::string &d : dirs_) {
		struct stat st {};
		int64_t t = -1;	// absent: a dir that appears is a change too
		if (::stat(d.c_str(), &st) == 0)
			t = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
		v.emplace_back(d, t);
	}
	return v;
}

Result<std::vector<NetnsInfo>> CachedNetnsDiscovery::scan()
{
	double t = now_();
	auto mtimes = dir_mtimes();
	if (!stale_ && max_age_ > 0 && t - scanned_at_ < max_age_ && mtimes == mtimes_) {
		last_full_ = false;
		return list_;
	}
	auto fresh = inner_.scan();
	last_full_ = true;
	if (!fresh) {
		stale_ = true;
		return fresh.error();
	}
	full_scans_++;
	list_ = *fresh;
	inums_.clear();
	accepted_.clear();
	for (const NetnsInfo &i : list_)
		inums_.insert(i.id.inum);
	mtimes_ = std::move(mtimes);
	scanned_at_ = t;
	stale_ = false;
	return fresh;
}

bool CachedNetnsDiscovery::knows(uint64_t inum) const
{
	return inums_.count(inum) || accepted_.count(inum);
}

} // namespace nsprobe
