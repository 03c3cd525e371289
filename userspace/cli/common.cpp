// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <cstdio>

#include <sys/resource.h>

#include "commands.h"
#include "exit_codes.h"

namespace nsprobe::cli {

int fail(const Error &e)
{
	std::fprintf(stderr, "nsprobe: %s\n", e.message().c_str());
	return exit_code_for(e.code);
}

void raise_fd_limit()
{
	struct rlimit rl {};
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

} // namespace nsprobe::cli
