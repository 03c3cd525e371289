// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <cstdio>

#include "commands.h"
#include "exit_codes.h"

namespace nsprobe::cli {

int fail(const Error &e)
{
	std::fprintf(stderr, "nsprobe: %s\n", e.message().c_str());
	return exit_code_for(e.code);
}

} // namespace nsprobe::cli
