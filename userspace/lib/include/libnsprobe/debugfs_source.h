// SPDX-License-Identifier: GPL-2.0 OR MIT
// Where module counters come from: CounterSource, and its real implementation
// reading <debugfs>/nsprobe/* as written by nsprobe.ko.
#ifndef LIBNSPROBE_DEBUGFS_SOURCE_H
#define LIBNSPROBE_DEBUGFS_SOURCE_H

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "libnsprobe/fd.h"
#include "libnsprobe/format_parser.h"
#include "libnsprobe/result.h"

namespace nsprobe {

// Reads one consistent-enough snapshot of the module's counters. Each file is
// read once; files are not read atomically with respect to each other.
class CounterSource {
public:
	virtual ~CounterSource() = default;
	// Errors (Errc): debugfs_not_mounted, lockdown, permission_denied,
	// module_not_loaded, format_version_mismatch, malformed, internal.
	virtual Result<Snapshot> read() = 0;
};

constexpr const char *kDefaultDebugfs = "/sys/kernel/debug";
constexpr const char *kDebugfsEnv = "NSPROBE_DEBUGFS";
// How to load the module, for every "not loaded" hint: the Debian package
// nsprobe-dkms installs it for modprobe; a build tree has kmod/nsprobe.ko.
constexpr const char *kLoadModuleHint =
	"load it: modprobe nsprobe (installed by the nsprobe-dkms package), or "
	"insmod kmod/nsprobe.ko from a build";

// Where debugfs is: `flag` (--debugfs) if set, else $NSPROBE_DEBUGFS if set
// and non-empty, else /sys/kernel/debug.
struct DebugfsLocation {
	std::string root;
	// True for the default location only: then root must be a debugfs mount
	// (statfs f_type == DEBUGFS_MAGIC) before anything else is looked at.
	// An explicit directory that holds nsprobe/ is read as is, so tests
	// and fixtures can point at a plain directory; one without nsprobe/
	// gets the default's diagnosis: not a debugfs mount (exit 4) unless
	// it is one, then module not loaded (exit 3).
	bool require_debugfs_magic = true;
};
DebugfsLocation resolve_debugfs(const std::optional<std::string> &flag);

// The hint of the "not a debugfs mount" error (exit 4) at `loc`: for the
// default, or /sys/kernel/debug given explicitly (with or without trailing
// slashes), "mount it: mount -t debugfs none /sys/kernel/debug"; for any
// other directory, to give the debugfs mount point with --debugfs or mount
// debugfs there ("DIR": never the given path, which may be /tmp).
std::string not_debugfs_hint(const DebugfsLocation &loc);

// The active mode in the content of /sys/kernel/security/lockdown
// ("none [integrity] confidentiality" -> "integrity"); nullopt if none is
// bracketed.
std::optional<std::string> parse_lockdown(std::string_view content);

// Classifies an access failure on `path`:
//   EPERM while lockdown is "integrity" or "confidentiality" -> lockdown
//     (debugfs refuses opens with EPERM from security_locked_down());
//   EACCES, or EPERM without lockdown                        -> permission_denied;
//   anything else                                           -> internal.
Error access_error(const std::string &path, int err,
		   const std::optional<std::string> &lockdown_mode);

// Classifies a failed open or write of the control file for `command`:
//   EINVAL -> rejected (the module does not accept the command);
//   ENOENT on write -> netns_not_found (no live netns has that inum);
//   ENOENT on open  -> module_not_loaded;
//   otherwise as access_error().
Error control_error(const std::string &path, const std::string &command, int err, bool on_write,
		    const std::optional<std::string> &lockdown_mode);

// Whether nsprobe.ko is loaded, from sysfs (<sys_module>/nsprobe exists for a
// loaded module), for when debugfs cannot tell (not mounted, no access).
// nullopt if sysfs itself is unreadable.
std::optional<bool> module_loaded_sysfs(const std::string &sys_module = "/sys/module");

// (format 1.5) The events file (format.h NSP_FILE_EVENTS) of the module at
// `dir`, open so that a selection written to it narrows the reads to one
// netns and to the events after a sequence number: a --follow then reads
// only what is new, not every ring of every netns. (1.7) wait() sleeps in
// poll() until an event is stored. While open it pins the module (rmmod:
// EBUSY); only a --follow keeps it open between reads.
class EventsFile {
public:
	// Opens <dir>/events, for reading and, with `select` (the module's
	// format is 1.5 or later: a module before has no selection, and root
	// may open its 0444 file for writing anyway), writing. Without it
	// selectable() is false and read() returns every ring. Errors: as
	// read_whole_file() (open), what = the path.
	static Result<EventsFile> open(const std::string &dir, bool select);
	bool selectable() const { return selectable_; }
	// Writes "select inum=N cookie=C after=S", with " signals=M" when
	// `signals` is set (format 1.6: bit signo - 1; never 0), or "select all".
	// Errors: rejected (EINVAL: the module refused the line), internal.
	Status select(uint32_t inum, uint64_t cookie, uint64_t after,
		      std::optional<uint64_t> signals = std::nullopt);
	Status select_all();
	// (1.7) Writes "select gseq_after=G", with " signals=M" when set:
	// every netns' events numbered after G, and first the evnode record.
	Status select_after_gseq(uint64_t gseq, std::optional<uint64_t> signals = std::nullopt);
	// (1.7) poll() for POLLIN, at most `timeout_ms` (-1: no limit), and
	// for `watch_fd` (if not -1; e.g. stdout) to report POLLERR or
	// POLLHUP (a pipe whose reader went away, a hung-up terminal). The
	// file hangs up (POLLHUP: hangup) when its one-netns selection names
	// a netns that is gone. EINTR is retried. Errors: internal (poll()
	// failed, or the events file said POLLERR or POLLNVAL).
	enum class Wake { event, timeout, watch_closed, hangup };
	Result<Wake> wait(int timeout_ms, int watch_fd = -1);
	// The file from offset 0, as the selection shapes it.
	Result<std::string> read();
	const std::string &path() const { return path_; }

private:
	Status write_line(const std::string &line);
	UniqueFd fd_;
	std::string path_;
	bool selectable_ = false;
};

class DebugfsSource : public CounterSource {
public:
	explicit DebugfsSource(DebugfsLocation loc,
			       std::string lockdown_file = "/sys/kernel/security/lockdown");
	// Errors: debugfs_not_mounted (root missing; the default root, or an
	// explicit one without nsprobe/, is not a debugfs mount: the message
	// names what is missing), module_not_loaded (a debugfs mount without
	// nsprobe/), and those of CounterSource::read().
	Result<Snapshot> read() override;
	// <root>/nsprobe
	std::string dir() const;
	// Writes one command to <root>/nsprobe/control (format.h:
	// NSP_FILE_CONTROL) in a single write(). Errors: see control_error().
	Status write_control(const std::string &command);

protected:
	// statfs(path)'s f_type; nullopt with errno set on failure. Virtual
	// for the unit tests, which have no debugfs mount.
	virtual std::optional<unsigned long> fs_type(const std::string &path) const;

private:
	Result<std::string> read_file(const std::string &name);
	std::optional<std::string> lockdown_mode() const;

	DebugfsLocation loc_;
	std::string lockdown_file_;
};

} // namespace nsprobe

#endif
