// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "libnsprobe/debugfs_source.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <poll.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <fmt/format.h>

#include "libnsprobe/fd.h"

namespace nsprobe {

DebugfsLocation resolve_debugfs(const std::optional<std::string> &flag)
{
	if (flag && !flag->empty())
		return {*flag, false};
	if (const char *env = std::getenv(kDebugfsEnv); env && *env)
		return {env, false};
	return {kDefaultDebugfs, true};
}

std::string not_debugfs_hint(const DebugfsLocation &loc)
{
	std::string root = loc.root;
	while (root.size() > 1 && root.back() == '/')
		root.pop_back();
	if (loc.require_debugfs_magic || root == kDefaultDebugfs)
		return "mount it: mount -t debugfs none /sys/kernel/debug";
	return "give the debugfs mount point (--debugfs /sys/kernel/debug), "
	       "or mount it there: mount -t debugfs none DIR";
}

std::optional<std::string> parse_lockdown(std::string_view content)
{
	size_t open = content.find('[');
	size_t close = content.find(']', open == std::string_view::npos ? 0 : open);
	if (open == std::string_view::npos || close == std::string_view::npos)
		return std::nullopt;
	return std::string(content.substr(open + 1, close - open - 1));
}

Error access_error(const std::string &path, int err,
		   const std::optional<std::string> &lockdown_mode)
{
	bool locked = lockdown_mode && (*lockdown_mode == "integrity" ||
					*lockdown_mode == "confidentiality");
	if (err == EPERM && locked)
		return errno_error(Errc::lockdown, path, err,
				   fmt::format("the kernel is in lockdown mode '{}', which restricts "
					       "debugfs; boot without Secure Boot or lockdown to "
					       "read nsprobe counters", *lockdown_mode));
	if (err == EACCES || err == EPERM)
		return errno_error(Errc::permission_denied, path, err,
				   "nsprobe counters are readable by root only; run as root");
	return errno_error(Errc::internal, path, err);
}

Error control_error(const std::string &path, const std::string &command, int err, bool on_write,
		    const std::optional<std::string> &lockdown_mode)
{
	if (err == EINVAL)
		return errno_error(Errc::rejected, fmt::format("{}: \"{}\"", path, command), err,
				   "the module does not accept this command; is the tool's "
				   "format version the module's?");
	if (err == ENOENT && on_write)
		return errno_error(Errc::netns_not_found, fmt::format("{}: \"{}\"", path, command),
				   err, "the module knows no live netns with that inum");
	if (err == ENOENT)
		return errno_error(Errc::module_not_loaded, path, err,
				   std::string("the nsprobe module is not loaded; ") + kLoadModuleHint);
	return access_error(path, err, lockdown_mode);
}

std::optional<bool> module_loaded_sysfs(const std::string &sys_module)
{
	struct stat st {};
	if (::stat((sys_module + "/nsprobe").c_str(), &st) == 0)
		return true;
	if (errno == ENOENT && ::stat(sys_module.c_str(), &st) == 0)
		return false;
	return std::nullopt;
}

DebugfsSource::DebugfsSource(DebugfsLocation loc, std::string lockdown_file)
	: loc_(std::move(loc)), lockdown_file_(std::move(lockdown_file))
{
}

std::string DebugfsSource::dir() const
{
	// --debugfs /sys/kernel/debug/ names the same directory: one slash
	// before nsprobe, never "/sys/kernel/debug//nsprobe" in messages and
	// in JSON's counters.debugfs.
	std::string root = loc_.root;
	while (!root.empty() && root.back() == '/')
		root.pop_back();
	return root + "/" NSP_DEBUGFS_DIR;
}

std::optional<std::string> DebugfsSource::lockdown_mode() const
{
	auto content = read_whole_file(lockdown_file_);
	if (!content)
		return std::nullopt;
	return parse_lockdown(*content);
}

Result<std::string> DebugfsSource::read_file(const std::string &name)
{
	std::string path = dir() + "/" + name;
	auto content = read_whole_file(path);
	if (content)
		return content;
	int err = content.error().sys_errno;
	if (err == ENOENT)
		return Error{Errc::malformed, path, "missing",
			     fmt::format("format {} requires it; module and tool disagree on "
					 "include/nsprobe/format.h", tool_format_version().str()),
			     err};
	return access_error(path, err, lockdown_mode());
}

std::optional<unsigned long> DebugfsSource::fs_type(const std::string &path) const
{
	struct statfs sfs {};
	if (::statfs(path.c_str(), &sfs) != 0)
		return std::nullopt;
	return static_cast<unsigned long>(sfs.f_type);
}

Result<Snapshot> DebugfsSource::read()
{
	struct stat st {};
	if (::stat(loc_.root.c_str(), &st) != 0) {
		int err = errno;
		if (err == ENOENT || err == ENOTDIR)
			return errno_error(Errc::debugfs_not_mounted, loc_.root, err,
					   loc_.require_debugfs_magic
						   ? "mount it: mount -t debugfs none /sys/kernel/debug"
						   : "check --debugfs or $NSPROBE_DEBUGFS");
		return access_error(loc_.root, err, lockdown_mode());
	}
	// Is root a debugfs mount? The default root must be; an explicit one
	// only when it has no nsprobe/ (a fixture tree is a plain directory).
	auto not_debugfs = [&](bool has_dir) -> std::optional<Error> {
		auto type = fs_type(loc_.root);
		if (!type)
			return access_error(loc_.root, errno, lockdown_mode());
		if (*type == DEBUGFS_MAGIC)
			return std::nullopt;
		std::string why = fmt::format("not a debugfs mount (filesystem magic {:#x}, "
					      "debugfs is {:#x})", *type, DEBUGFS_MAGIC);
		if (!has_dir)
			why += ", and no " NSP_DEBUGFS_DIR "/ in it";
		return Error{Errc::debugfs_not_mounted, loc_.root, why, not_debugfs_hint(loc_), 0};
	};
	if (loc_.require_debugfs_magic)
		if (auto e = not_debugfs(true))
			return *e;
	if (::stat(dir().c_str(), &st) != 0) {
		int err = errno;
		// ENOTDIR: an explicit --debugfs that is a file, not a debugfs
		// mount either (exit 4), not an internal error.
		if (err != ENOENT && err != ENOTDIR)
			return access_error(dir(), err, lockdown_mode());
		if (!loc_.require_debugfs_magic)
			if (auto e = not_debugfs(false))
				return *e;
		return Error{Errc::module_not_loaded, dir(), "does not exist",
			     std::string("the nsprobe module is not loaded; ") + kLoadModuleHint, err};
	}

	Snapshot snap;
	std::string vpath = dir() + "/" NSP_FILE_VERSION;
	auto vtext = read_whole_file(vpath);
	if (!vtext) {
		int err = vtext.error().sys_errno;
		if (err == ENOENT)
			return Error{Errc::module_not_loaded, vpath, "does not exist",
				     "the nsprobe module is loading or unloading; try again", err};
		return access_error(vpath, err, lockdown_mode());
	}
	auto version = parse_version(*vtext, vpath);
	if (!version)
		return version.error();
	snap.version = *version;

	auto parse_into = [&](const char *name, auto parser, auto &dest) -> Status {
		auto text = read_file(name);
		if (!text)
			return text.error();
		auto parsed = parser(*text, dir() + "/" + name);
		if (!parsed)
			return parsed.error();
		dest = std::move(*parsed);
		return ok_status();
	};
	if (auto s = parse_into(NSP_FILE_PROBES, parse_probes, snap.probes); !s)
		return s.error();
	if (auto s = parse_into(NSP_FILE_STATS, parse_stats, snap.stats); !s)
		return s.error();
	if (auto s = parse_into(NSP_FILE_NETNS, parse_netns, snap.netns); !s)
		return s.error();
	if (auto s = parse_into(NSP_FILE_DEVICES, parse_devices, snap.devices); !s)
		return s.error();
	// One read for both record types: the node's counters and the netns'
	// are then of the same moment.
	auto parse_signals_file = [&](std::string_view text, std::string_view file)
		-> Result<std::pair<std::vector<SigRecord>, std::optional<std::vector<SigRecord>>>> {
		auto sigs = parse_signals(text, file);
		if (!sigs)
			return sigs.error();
		std::optional<std::vector<SigRecord>> node;
		if (snap.version.at_least(NSP_FORMAT_MAJOR, 5)) {
			auto n = parse_node_signals(text, file);
			if (!n)
				return n.error();
			node = std::move(*n);
		}
		return std::pair(std::move(*sigs), std::move(node));
	};
	std::pair<std::vector<SigRecord>, std::optional<std::vector<SigRecord>>> sig_file;
	if (auto s = parse_into(NSP_FILE_SIGNALS, parse_signals_file, sig_file); !s)
		return s.error();
	snap.signals = std::move(sig_file.first);
	snap.node_signals = std::move(sig_file.second);
	// (1.4) Dead netns. A module older than 1.4 has no such file: then
	// there are none to show, which is not an error. A 1.4 module always
	// creates it, so there its absence is (read_file()'s "missing").
	if (snap.version.at_least(NSP_FORMAT_MAJOR, 4)) {
		if (auto s = parse_into(NSP_FILE_POSTMORTEM, parse_postmortem, snap.postmortem); !s)
			return s.error();
	}
	return snap;
}

Status DebugfsSource::write_control(const std::string &command)
{
	std::string path = dir() + "/" + NSP_FILE_CONTROL;
	std::string line = command + "\n";
	if (line.size() > NSP_CONTROL_MAX)
		return Error{Errc::usage, path, "command longer than NSP_CONTROL_MAX", "", 0};
	UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
	if (!fd.valid())
		return control_error(path, command, errno, false, lockdown_mode());
	ssize_t n = ::write(fd.get(), line.data(), line.size());
	if (n < 0)
		return control_error(path, command, errno, true, lockdown_mode());
	if (static_cast<size_t>(n) != line.size())
		return Error{Errc::internal, path, fmt::format("short write ({} of {} bytes)", n, line.size()),
			     "", 0};
	return ok_status();
}

Result<EventsFile> EventsFile::open(const std::string &dir, bool select)
{
	EventsFile f;
	f.path_ = dir + "/" NSP_FILE_EVENTS;
	f.selectable_ = select;
	f.fd_.reset(::open(f.path_.c_str(), (select ? O_RDWR : O_RDONLY) | O_CLOEXEC));
	if (!f.fd_.valid())
		return errno_error(Errc::internal, f.path_, errno);
	return f;
}

Status EventsFile::write_line(const std::string &line)
{
	ssize_t n = ::write(fd_.get(), line.data(), line.size());
	if (n < 0)
		return errno_error(errno == EINVAL ? Errc::rejected : Errc::internal,
				   fmt::format("{}: \"{}\"", path_, line.substr(0, line.size() - 1)), errno,
				   "the module does not accept this selection");
	if (static_cast<size_t>(n) != line.size())
		return Error{Errc::internal, path_,
			     fmt::format("short write ({} of {} bytes)", n, line.size()), "", 0};
	return ok_status();
}

Status EventsFile::select(uint32_t inum, uint64_t cookie, uint64_t after,
			  std::optional<uint64_t> signals)
{
	std::string line = fmt::format("select inum={} cookie={} after={}", inum, cookie, after);
	if (signals)
		line += fmt::format(" signals={}", *signals);
	return write_line(line + "\n");
}

Status EventsFile::select_all()
{
	return write_line("select all\n");
}

Status EventsFile::select_after_gseq(uint64_t gseq, std::optional<uint64_t> signals)
{
	std::string line = fmt::format("select gseq_after={}", gseq);
	if (signals)
		line += fmt::format(" signals={}", *signals);
	return write_line(line + "\n");
}

Result<EventsFile::Wake> EventsFile::wait(int timeout_ms, int watch_fd)
{
	// events 0 for watch_fd: poll() reports POLLERR and POLLHUP anyway.
	pollfd p[2] = {{fd_.get(), POLLIN, 0}, {watch_fd, 0, 0}};
	int n;
	while ((n = ::poll(p, watch_fd < 0 ? 1 : 2, timeout_ms)) < 0 && errno == EINTR) {
	}
	if (n < 0)
		return errno_error(Errc::internal, path_ + ": poll", errno);
	if (watch_fd >= 0 && (p[1].revents & (POLLERR | POLLHUP)))
		return Wake::watch_closed;
	if (p[0].revents & POLLHUP)
		return Wake::hangup;
	if (p[0].revents & (POLLERR | POLLNVAL))
		return Error{Errc::internal, path_ + ": poll",
			     fmt::format("revents {:#x}", static_cast<unsigned>(p[0].revents)),
			     "the module's events file cannot be waited on", 0};
	return p[0].revents & POLLIN ? Wake::event : Wake::timeout;
}

Result<std::string> EventsFile::read()
{
	return read_fd_from_start(fd_.get(), path_);
}

} // namespace nsprobe
