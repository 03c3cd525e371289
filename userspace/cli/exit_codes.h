// SPDX-License-Identifier: GPL-2.0 OR MIT
// Exit codes of the nsprobe CLI. Only the CLI maps library errors to these.
#ifndef NSPROBE_CLI_EXIT_CODES_H
#define NSPROBE_CLI_EXIT_CODES_H

#include "libnsprobe/result.h"

namespace nsprobe::cli {

enum ExitCode : int {
	kExitOk = 0,			// success (show: also without module counters)
	kExitInternal = 1,		// internal error, or a malformed debugfs record
	kExitUsage = 2,			// bad command line
	kExitModuleNotLoaded = 3,	// <debugfs>/nsprobe does not exist
	kExitDebugfsNotMounted = 4,	// no debugfs at the mount point
	kExitPermission = 5,		// permission denied (not root)
	kExitFormatMismatch = 6,	// module format MAJOR != tool format MAJOR
	kExitLockdown = 7,		// kernel lockdown restricts debugfs
	kExitNetnsNotFound = 8,		// --netns matches nothing, or it vanished
	kExitNetlink = 9,		// a netlink request failed
	kExitRejected = 10,		// the module rejected a control write (EINVAL)
	kExitAddressInUse = 11,		// serve: the --listen address is in use
	kExitFeatureOff = 12,		// the module runs without it (latency: latency=0)
};

constexpr int exit_code_for(Errc code)
{
	switch (code) {
	case Errc::internal: return kExitInternal;
	case Errc::malformed: return kExitInternal;
	case Errc::usage: return kExitUsage;
	case Errc::module_not_loaded: return kExitModuleNotLoaded;
	case Errc::debugfs_not_mounted: return kExitDebugfsNotMounted;
	case Errc::permission_denied: return kExitPermission;
	case Errc::format_version_mismatch: return kExitFormatMismatch;
	case Errc::lockdown: return kExitLockdown;
	case Errc::netns_not_found: return kExitNetnsNotFound;
	case Errc::netlink: return kExitNetlink;
	case Errc::rejected: return kExitRejected;
	case Errc::address_in_use: return kExitAddressInUse;
	case Errc::feature_off: return kExitFeatureOff;
	}
	return kExitInternal;
}

// For --help.
constexpr const char *kExitCodesHelp =
	"Exit codes:\n"
	"  0  ok (show also succeeds without module counters and says why on stderr)\n"
	"  1  internal error, or a malformed debugfs record\n"
	"  2  usage error\n"
	"  3  nsprobe module not loaded\n"
	"  4  debugfs not mounted\n"
	"  5  permission denied (run as root)\n"
	"  6  debugfs format version mismatch between module and tool\n"
	"  7  kernel lockdown restricts debugfs\n"
	"  8  network namespace not found, or it vanished\n"
	"  9  netlink error\n"
	"  10 the module rejected a control command (reset)\n"
	"  11 serve: the --listen address is already in use\n"
	"  12 the module runs without what was asked (latency: load it with latency=1)\n"
	"\n"
	"Environment:\n"
	"  NSPROBE_DEBUGFS  debugfs mount point (default /sys/kernel/debug; --debugfs wins)\n"
	"  NO_COLOR         if set and not empty, no colour on a terminal\n";

} // namespace nsprobe::cli

#endif
