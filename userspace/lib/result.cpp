// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "libnsprobe/result.h"

#include <cstring>

namespace nsprobe {

std::string_view errc_name(Errc code)
{
	switch (code) {
	case Errc::internal: return "internal";
	case Errc::usage: return "usage";
	case Errc::module_not_loaded: return "module_not_loaded";
	case Errc::debugfs_not_mounted: return "debugfs_not_mounted";
	case Errc::permission_denied: return "permission_denied";
	case Errc::format_version_mismatch: return "format_version_mismatch";
	case Errc::lockdown: return "lockdown";
	case Errc::malformed: return "malformed";
	case Errc::netns_not_found: return "netns_not_found";
	case Errc::netlink: return "netlink";
	case Errc::rejected: return "rejected";
	case Errc::address_in_use: return "address_in_use";
	case Errc::feature_off: return "feature_off";
	}
	return "internal";
}

std::string Error::message() const
{
	std::string s = what;
	if (!why.empty())
		s += (s.empty() ? "" : ": ") + why;
	if (!hint.empty())
		s += " (" + hint + ")";
	return s;
}

Error errno_error(Errc code, std::string what, int err, std::string hint)
{
	return Error{code, std::move(what), std::strerror(err), std::move(hint), err};
}

} // namespace nsprobe
