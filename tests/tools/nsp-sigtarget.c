// SPDX-License-Identifier: MIT
/*
 * nsp-sigtarget: a process that waits for signals, for nsprobe's signal
 * tests. Typically PID 1 of a fresh pid namespace ("container init").
 *
 *   nsp-sigtarget READY_FILE [SIGNO...]
 *
 * Installs a counting handler for each SIGNO (none: every signal keeps
 * SIG_DFL), then creates READY_FILE, so a test sends nothing before the
 * handlers are in place (under TCG a process may take over a second to
 * start). Each handled signal appends "SIGNO\n" to READY_FILE.log. Waits
 * until killed. Exit status 2 on bad arguments, 1 if READY_FILE cannot be
 * created.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int log_fd = -1;

static void on_signal(int sig)
{
	char line[8];
	int n = snprintf(line, sizeof(line), "%d\n", sig);

	if (write(log_fd, line, n) != n)
		_exit(1);
}

int main(int argc, char **argv)
{
	char logpath[4096];
	int fd;

	if (argc < 2) {
		fprintf(stderr, "usage: nsp-sigtarget READY_FILE [SIGNO...]\n");
		return 2;
	}
	snprintf(logpath, sizeof(logpath), "%s.log", argv[1]);
	log_fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_TRUNC, 0644);
	if (log_fd < 0) {
		perror("nsp-sigtarget: log");
		return 1;
	}
	for (int i = 2; i < argc; i++) {
		struct sigaction sa = { .sa_handler = on_signal };
		int sig = atoi(argv[i]);

		if (sig <= 0 || sig >= NSIG || sigaction(sig, &sa, NULL) < 0) {
			fprintf(stderr, "nsp-sigtarget: bad signal '%s'\n", argv[i]);
			return 2;
		}
	}
	fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		perror("nsp-sigtarget: ready file");
		return 1;
	}
	close(fd);
	for (;;)
		pause();
}
