// SPDX-License-Identifier: GPL-2.0 OR MIT
// Error and Result<T>: how every libnsprobe function reports failure.
//
// The library never exits and never prints; it returns a typed Error. Only the
// CLI (userspace/cli) maps an Error's code to a process exit code.
#ifndef LIBNSPROBE_RESULT_H
#define LIBNSPROBE_RESULT_H

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace nsprobe {

// What went wrong, as a category the CLI can map to an exit code.
enum class Errc {
	internal,		// a bug, or an unexpected system failure
	usage,			// bad argument from the caller
	module_not_loaded,	// debugfs is fine, <debugfs>/nsprobe is absent
	debugfs_not_mounted,	// no debugfs at the expected mount point
	permission_denied,	// EACCES/EPERM without lockdown
	format_version_mismatch,// the module's format MAJOR differs from ours
	lockdown,		// kernel lockdown refuses debugfs access
	malformed,		// a record violates include/nsprobe/format.h
	netns_not_found,	// --netns names nothing, or it vanished
	netlink,		// a netlink request failed
	rejected,		// the module refused a control command (EINVAL)
	address_in_use,		// serve: the --listen address is taken (EADDRINUSE)
	feature_off,		// the module runs without what was asked (latency=0)
};

// Stable machine-readable name of an Errc ("module_not_loaded", ...). Used as
// the "reason" of JSON output; never changes for a given Errc.
std::string_view errc_name(Errc code);

struct Error {
	Errc code = Errc::internal;
	std::string what;	// the object: a path, "netns 4026532201", ...
	std::string why;	// the cause: "No such file or directory"
	std::string hint;	// what the user can do; may be empty
	int sys_errno = 0;	// errno (positive) behind it, 0 if none

	// "<what>: <why> (<hint>)", or without " (<hint>)" when hint is empty.
	std::string message() const;
};

// Builds an Error from an errno value: why = strerror(err).
Error errno_error(Errc code, std::string what, int err, std::string hint = {});

// Either a T or an Error. A deliberately small std::expected stand-in
// (C++20 has none).
template <typename T>
class [[nodiscard]] Result {
public:
	Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
	Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}

	bool ok() const { return v_.index() == 0; }
	explicit operator bool() const { return ok(); }

	T &value() & { assert(ok()); return std::get<0>(v_); }
	const T &value() const & { assert(ok()); return std::get<0>(v_); }
	T &&value() && { assert(ok()); return std::get<0>(std::move(v_)); }
	T &operator*() & { return value(); }
	const T &operator*() const & { return value(); }
	T *operator->() { return &value(); }
	const T *operator->() const { return &value(); }

	const Error &error() const { assert(!ok()); return std::get<1>(v_); }

private:
	std::variant<T, Error> v_;
};

// Result of an operation that returns nothing.
struct Unit {};
using Status = Result<Unit>;
inline Status ok_status() { return Unit{}; }

} // namespace nsprobe

#endif
