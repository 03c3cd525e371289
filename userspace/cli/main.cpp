// SPDX-License-Identifier: GPL-2.0 OR MIT
// nsprobe: per network namespace veth and signal counters (see docs/).
// A thin CLI over libnsprobe; the single place that picks the exit code.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "commands.h"
#include "exit_codes.h"
#include "libnsprobe/format_parser.h"

int main(int argc, char **argv)
{
	using namespace nsprobe::cli;

	CLI::App app{"nsprobe: veth and signal counters per network namespace"};
	app.footer(kExitCodesHelp);
	app.set_version_flag("--version", std::string("nsprobe ") + NSPROBE_VERSION +
						  " (debugfs format " +
						  nsprobe::tool_format_version().str() + ")");
	app.require_subcommand(1);
	app.fallthrough();	// global options also after the subcommand
	GlobalOptions g;
	app.add_option("--debugfs", g.debugfs,
		       "debugfs mount point to read nsprobe/ from (default /sys/kernel/debug)")
		->type_name("DIR");

	StatusCommand status(app, g);
	ShowCommand show(app, g);
	SignalsCommand signals(app, g);
	ResetCommand reset(app, g);
	WatchCommand watch(app, g);
	LatencyCommand latency(app, g);
	ServeCommand serve(app, g);
	ExportCommand export_(app, g);
	DropsCommand drops(app, g);

	try {
		app.parse(argc, argv);
	} catch (const CLI::CallForHelp &e) {
		return app.exit(e);
	} catch (const CLI::CallForAllHelp &e) {
		return app.exit(e);
	} catch (const CLI::CallForVersion &e) {
		return app.exit(e);
	} catch (const CLI::RequiredError &e) {
		// "nsprobe bogus": CLI11 reports the missing subcommand; say what
		// was wrong with the word given instead.
		std::vector<std::string> left = app.remaining();
		if (app.get_subcommands().empty() && !left.empty()) {
			std::string names;
			for (const CLI::App *s : app.get_subcommands({}))
				names += (names.empty() ? "" : ", ") + s->get_name();
			std::fprintf(stderr, "nsprobe: %s: unknown command (commands: %s; try --help)\n",
				     left.front().c_str(), names.c_str());
			return kExitUsage;
		}
		app.exit(e);
		return kExitUsage;
	} catch (const CLI::ParseError &e) {
		app.exit(e);
		return kExitUsage;
	}

	Command *const commands[] = {&status, &show, &signals, &reset,
				     &watch, &latency, &serve, &export_, &drops};

	try {
		for (Command *c : commands)
			if (c->sub()->parsed())
				return finish_stdout(c->run());
	} catch (const std::exception &e) {
		std::fprintf(stderr, "nsprobe: internal error: %s\n", e.what());
		return kExitInternal;
	}
	return kExitUsage;
}
