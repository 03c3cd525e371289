// SPDX-License-Identifier: GPL-2.0 OR MIT
// nsprobe latency: the veth latency histograms (issue 3).
#ifndef NSPROBE_CLI_CMD_LATENCY_H
#define NSPROBE_CLI_CMD_LATENCY_H

#include <optional>
#include <string>

#include "commands.h"

namespace nsprobe::cli {

class LatencyCommand {
public:
	LatencyCommand(CLI::App &app, const GlobalOptions &g);
	CLI::App *sub() const { return sub_; }
	int run();

private:
	const GlobalOptions &g_;
	CLI::App *sub_;
	bool json_ = false;
	std::optional<uint64_t> netns_;
	std::optional<std::string> dev_;
};

} // namespace nsprobe::cli

#endif
