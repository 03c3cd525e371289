// SPDX-License-Identifier: GPL-2.0 OR MIT
// The subcommands of nsprobe. Each registers its options on construction and
// returns an exit code from run(); only these map errors to exit codes.
#ifndef NSPROBE_CLI_COMMANDS_H
#define NSPROBE_CLI_COMMANDS_H

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "libnsprobe/result.h"

namespace nsprobe::cli {

struct GlobalOptions {
	std::optional<std::string> debugfs;	// --debugfs DIR
};

constexpr const char *kNetnsOptionHelp =
	"only this netns: an inum, a /run/netns name, a pid, or a container id prefix";

// Prints "nsprobe: <what>: <why> (<hint>)" on stderr, returns its exit code.
int fail(const Error &e);

class StatusCommand {
public:
	StatusCommand(CLI::App &app, const GlobalOptions &g);
	CLI::App *sub() const { return sub_; }
	int run();

private:
	const GlobalOptions &g_;
	CLI::App *sub_;
	bool json_ = false;
};

class ShowCommand {
public:
	ShowCommand(CLI::App &app, const GlobalOptions &g);
	CLI::App *sub() const { return sub_; }
	int run();

private:
	const GlobalOptions &g_;
	CLI::App *sub_;
	bool json_ = false;
	std::optional<std::string> netns_;
};

class SignalsCommand {
public:
	SignalsCommand(CLI::App &app, const GlobalOptions &g);
	CLI::App *sub() const { return sub_; }
	int run();

private:
	int run_events();	// cmd_signals_events.cpp

	const GlobalOptions &g_;
	CLI::App *sub_;
	bool json_ = false;
	std::optional<std::string> netns_;
	bool events_ = false;	// --events: the event ring
	bool follow_ = false;	// --follow: keep printing new events
};

class ResetCommand {
public:
	ResetCommand(CLI::App &app, const GlobalOptions &g);
	CLI::App *sub() const { return sub_; }
	int run();

private:
	const GlobalOptions &g_;
	CLI::App *sub_;
	std::optional<std::string> netns_;
};

class WatchCommand {
public:
	WatchCommand(CLI::App &app, const GlobalOptions &g);
	CLI::App *sub() const { return sub_; }
	int run();

private:
	const GlobalOptions &g_;
	CLI::App *sub_;
	double interval_ = 1.0;
	long count_ = 0;	// 0: until interrupted
	bool plain_ = false;
	bool json_ = false;
	std::optional<std::string> netns_;
};

// Raises RLIMIT_NOFILE to its hard limit: the link source keeps up to two
// fds per netns.
void raise_fd_limit();

} // namespace nsprobe::cli

#endif
