// SPDX-License-Identifier: MIT
/*
 * nsp-sigtool: small signal actors for nsprobe's t_sig_* VM tests.
 *
 *   nsp-sigtool ign READY SIGNO          set SIGNO to SIG_IGN, create READY,
 *                                        wait until killed
 *   nsp-sigtool block READY SIGNO        install a handler for SIGNO and
 *                                        block it, create READY; once
 *                                        READY.go exists, unblock it; each
 *                                        handled signal appends "SIGNO\n" to
 *                                        READY.log; wait until killed
 *   nsp-sigtool sigqueue PID SIGNO N     sigqueue() SIGNO to PID N times
 *   nsp-sigtool segv                     dereference NULL
 *   nsp-sigtool threads READY SIGNO      install a handler for SIGNO (it
 *                                        appends "TID\n" to READY.log), start
 *                                        a second thread, write "TGID TID" of
 *                                        that thread to READY; wait
 *   nsp-sigtool tgkill TGID TID SIGNO    tgkill()
 *   nsp-sigtool orphans N                make N orphans: a child forks N
 *                                        grandchildren and exits; once it is
 *                                        reaped (they are reparented to the
 *                                        pid namespace's init), let them exit
 *   nsp-sigtool storm SECONDS            fork, SIGTERM + SIGKILL, reap, in a
 *                                        loop; prints the iterations
 *   nsp-sigtool kernel N                 signals the kernel sends, N of each,
 *                                        one at a time, each caught by a
 *                                        handler before the next: SIGALRM
 *                                        from setitimer(ITIMER_REAL), SIGALRM
 *                                        from alarm() (once, not N times: it
 *                                        takes a second), SIGUSR1 from a
 *                                        POSIX timer (timer_create), SIGPIPE
 *                                        from a write to a pipe with no
 *                                        reader, SIGCHLD from a child's exit.
 *                                        Prints "alrm=A usr1=U pipe=P chld=C"
 *                                        as handled
 *   nsp-sigtool hog READY MIB            allocate and touch MIB MiB, create
 *                                        READY, wait until killed
 *   nsp-sigtool catch SIGNO              try to install a handler for SIGNO;
 *                                        prints "sigaction(SIGNO): ok" or
 *                                        "sigaction(SIGNO): EINVAL" (other
 *                                        errors by number); exit 0 either
 *                                        way (scripts/workshop shows that
 *                                        SIGKILL cannot be caught)
 *   nsp-sigtool nsreader                 until killed: read the link
 *                                        /proc/PID/task/TID/ns/net (which
 *                                        takes each task's task_lock(), as
 *                                        any /proc/.../ns reader does) and
 *                                        /proc/PID/status of every process,
 *                                        over and over, 0.5 ms apart
 *   nsp-sigtool everyns [-k] PATH...     for each PATH (a netns file, e.g.
 *                                        /run/netns/NAME), in order: setns()
 *                                        into it, then three signals whose
 *                                        target is this process there:
 *                                        SIGUSR1 to itself (SIG_IGN: ignored),
 *                                        SIGUSR2 to itself (handled), and the
 *                                        SIGCHLD of a child's exit (reaped);
 *                                        with -k also a child that stays
 *                                        there (pause(), stdio on /dev/null)
 *                                        until killed: a process per netns.
 *                                        One process for all, so a netns
 *                                        costs a setns and a fork or two, not
 *                                        an exec (scripts/bench-scale-guest).
 *                                        Prints "netns=N usr1=N usr2=N
 *                                        chld=N kept=N" as sent and handled
 *
 * Ready files are created with rename(), so a reader never sees a partial
 * one. Exit status 2 on bad arguments, 1 on a failed system call.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int log_fd = -1;
static int handled_sig;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void write_ready(const char *path, const char *content)
{
	char tmp[4096];
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die("ready file");
	if (content && write(fd, content, strlen(content)) < 0)
		die("write ready");
	close(fd);
	if (rename(tmp, path) < 0)
		die("rename ready");
}

static void open_log(const char *ready)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s.log", ready);
	log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_TRUNC, 0644);
	if (log_fd < 0)
		die("log");
}

static void log_line(long v)
{
	char line[32];
	int n = snprintf(line, sizeof(line), "%ld\n", v);

	if (write(log_fd, line, n) != n)
		_exit(1);
}

static void on_signal(int sig)
{
	log_line(handled_sig == -1 ? (long)syscall(SYS_gettid) : sig);
}

static void install(int sig)
{
	struct sigaction sa = { .sa_handler = on_signal };

	if (sigaction(sig, &sa, NULL) < 0)
		die("sigaction");
}

static int parse_sig(const char *s)
{
	int sig = atoi(s);

	if (sig <= 0 || sig >= NSIG) {
		fprintf(stderr, "nsp-sigtool: bad signal '%s'\n", s);
		exit(2);
	}
	return sig;
}

static int tid_pipe[2];

static void *thread_main(void *arg)
{
	long tid = (long)syscall(SYS_gettid);

	(void)arg;
	if (write(tid_pipe[1], &tid, sizeof(tid)) != sizeof(tid))
		_exit(1);
	for (;;)
		pause();
	return NULL;
}

static _Noreturn void cmd_threads(const char *ready, int sig)
{
	char buf[64];
	pthread_t th;
	long tid;

	handled_sig = -1;	/* the handler logs the tid that ran it */
	open_log(ready);
	install(sig);
	if (pipe(tid_pipe) < 0)
		die("pipe");
	if (pthread_create(&th, NULL, thread_main, NULL))
		die("pthread_create");
	if (read(tid_pipe[0], &tid, sizeof(tid)) != sizeof(tid))
		die("read tid");
	snprintf(buf, sizeof(buf), "%d %ld\n", getpid(), tid);
	write_ready(ready, buf);
	for (;;)
		pause();
}

static _Noreturn void cmd_block(const char *ready, int sig)
{
	char go[4096];
	sigset_t set;
	struct stat st;

	open_log(ready);
	install(sig);
	sigemptyset(&set);
	sigaddset(&set, sig);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		die("sigprocmask");
	write_ready(ready, NULL);
	snprintf(go, sizeof(go), "%s.go", ready);
	while (stat(go, &st) < 0)
		usleep(10000);
	if (sigprocmask(SIG_UNBLOCK, &set, NULL) < 0)
		die("sigprocmask");
	for (;;)
		pause();
}

static volatile sig_atomic_t kernel_seen[NSIG];

static void kernel_handler(int sig)
{
	kernel_seen[sig]++;
}

/* Wait until the handler for @sig ran @want times (10 s at most). */
static void kernel_wait(int sig, int want)
{
	int i;

	for (i = 0; i < 10000 && kernel_seen[sig] < want; i++)
		usleep(1000);
	if (kernel_seen[sig] < want) {
		fprintf(stderr, "nsp-sigtool: signal %d not seen\n", sig);
		exit(1);
	}
}

static int cmd_kernel(int n)
{
	struct sigaction sa = { .sa_handler = kernel_handler };
	struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL,
				.sigev_signo = SIGUSR1 };
	struct itimerspec its = { .it_value.tv_nsec = 10 * 1000 * 1000 };
	struct itimerval itv = { .it_value.tv_usec = 10 * 1000 };
	int sigs[] = { SIGALRM, SIGUSR1, SIGPIPE, SIGCHLD };
	timer_t timer;
	int i, p[2];
	pid_t child;

	for (i = 0; i < (int)(sizeof(sigs) / sizeof(sigs[0])); i++)
		if (sigaction(sigs[i], &sa, NULL) < 0)
			die("sigaction");
	for (i = 1; i <= n; i++) {
		if (setitimer(ITIMER_REAL, &itv, NULL) < 0)
			die("setitimer");
		kernel_wait(SIGALRM, i);
	}
	alarm(1);
	kernel_wait(SIGALRM, n + 1);
	if (timer_create(CLOCK_MONOTONIC, &sev, &timer) < 0)
		die("timer_create");
	for (i = 1; i <= n; i++) {
		if (timer_settime(timer, 0, &its, NULL) < 0)
			die("timer_settime");
		kernel_wait(SIGUSR1, i);
	}
	timer_delete(timer);
	if (pipe(p) < 0)
		die("pipe");
	close(p[0]);
	for (i = 1; i <= n; i++) {
		if (write(p[1], "x", 1) != -1 || errno != EPIPE)
			die("write to a pipe without reader");
		kernel_wait(SIGPIPE, i);
	}
	for (i = 1; i <= n; i++) {
		child = fork();
		if (child < 0)
			die("fork");
		if (child == 0)
			_exit(0);
		kernel_wait(SIGCHLD, i);
		if (waitpid(child, NULL, 0) != child)
			die("waitpid");
	}
	printf("alrm=%d usr1=%d pipe=%d chld=%d\n", (int)kernel_seen[SIGALRM],
	       (int)kernel_seen[SIGUSR1], (int)kernel_seen[SIGPIPE],
	       (int)kernel_seen[SIGCHLD]);
	return 0;
}

static _Noreturn void cmd_hog(const char *ready, long mib)
{
	size_t len = (size_t)mib << 20, i;
	volatile char *mem = malloc(len);	/* volatile: no store is dead */

	if (!mem || mib <= 0)
		die("malloc");
	for (i = 0; i < len; i += 4096)
		mem[i] = 0x5a;
	write_ready(ready, NULL);
	for (;;)
		pause();
}

static _Noreturn void cmd_nsreader(void)
{
	char path[600], buf[4096];
	struct dirent *p, *t;
	DIR *proc, *task;
	int fd;

	for (;;) {
		proc = opendir("/proc");
		if (!proc)
			die("/proc");
		while ((p = readdir(proc))) {
			if (p->d_name[0] < '0' || p->d_name[0] > '9')
				continue;
			snprintf(path, sizeof(path), "/proc/%s/task", p->d_name);
			task = opendir(path);
			while (task && (t = readdir(task))) {
				if (t->d_name[0] == '.')
					continue;
				snprintf(path, sizeof(path), "/proc/%s/task/%s/ns/net",
					 p->d_name, t->d_name);
				if (readlink(path, buf, sizeof(buf)) < 0)
					continue;	/* it exited meanwhile */
			}
			if (task)
				closedir(task);
			snprintf(path, sizeof(path), "/proc/%s/status", p->d_name);
			fd = open(path, O_RDONLY);
			if (fd >= 0) {
				while (read(fd, buf, sizeof(buf)) > 0)
					;
				close(fd);
			}
		}
		closedir(proc);
		usleep(500);	/* leave the test itself some CPU */
	}
}

static int cmd_orphans(int n)
{
	int p[2], i;
	pid_t mid;

	if (pipe(p) < 0)
		die("pipe");
	mid = fork();
	if (mid < 0)
		die("fork");
	if (mid == 0) {
		for (i = 0; i < n; i++) {
			pid_t k = fork();

			if (k < 0)
				_exit(1);
			if (k == 0) {
				char c;

				close(p[1]);
				while (read(p[0], &c, 1) > 0)
					;
				_exit(0);
			}
		}
		_exit(0);
	}
	close(p[0]);
	if (waitpid(mid, NULL, 0) < 0)
		die("waitpid");
	close(p[1]);	/* the orphans see EOF and exit */
	return 0;
}

static int cmd_storm(int seconds)
{
	time_t end = time(NULL) + seconds;
	long n = 0;

	while (time(NULL) < end) {
		pid_t c = fork();

		if (c < 0)
			die("fork");
		if (c == 0)
			_exit(0);
		kill(c, SIGTERM);
		kill(c, SIGKILL);
		kill(c, SIGUSR1);
		if (waitpid(c, NULL, 0) < 0)
			die("waitpid");
		n++;
	}
	printf("%ld\n", n);
	return 0;
}

static volatile sig_atomic_t everyns_usr2, everyns_chld;

static void on_everyns(int sig)
{
	if (sig == SIGUSR2)
		everyns_usr2++;
	else
		everyns_chld++;
}

static int cmd_everyns(int n, char **paths)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };
	struct sigaction h = { .sa_handler = on_everyns };
	long usr1 = 0, kept = 0;
	int i, keep = 0;

	if (n > 0 && !strcmp(paths[0], "-k")) {
		keep = 1;
		paths++;
		n--;
	}

	if (sigaction(SIGUSR1, &ign, NULL) < 0 || sigaction(SIGUSR2, &h, NULL) < 0 ||
	    sigaction(SIGCHLD, &h, NULL) < 0)
		die("sigaction");
	for (i = 0; i < n; i++) {
		pid_t c;
		int fd;

		fd = open(paths[i], O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			die(paths[i]);
		if (setns(fd, CLONE_NEWNET) < 0)
			die("setns");
		close(fd);
		if (kill(getpid(), SIGUSR1) < 0)
			die("kill");
		usr1++;
		if (kill(getpid(), SIGUSR2) < 0)
			die("kill");
		c = fork();
		if (c < 0)
			die("fork");
		if (c == 0)
			_exit(0);
		while (waitpid(c, NULL, 0) < 0)
			if (errno != EINTR)
				die("waitpid");
		if (!keep)
			continue;
		fflush(stdout);
		c = fork();
		if (c < 0)
			die("fork");
		if (c == 0) {
			int null = open("/dev/null", O_RDWR);

			/* Hold no pipe of the caller open: $(...) waits for EOF. */
			if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
			    dup2(null, 2) < 0)
				_exit(1);
			close(null);
			signal(SIGCHLD, SIG_DFL);
			signal(SIGUSR2, SIG_DFL);
			for (;;)
				pause();
		}
		kept++;
	}
	printf("netns=%d usr1=%ld usr2=%ld chld=%ld kept=%ld\n", n, usr1,
	       (long)everyns_usr2, (long)everyns_chld, kept);
	return 0;
}

static void on_catch(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (!strcmp(cmd, "ign") && argc == 4) {
		struct sigaction sa = { .sa_handler = SIG_IGN };

		if (sigaction(parse_sig(argv[3]), &sa, NULL) < 0)
			die("sigaction");
		write_ready(argv[2], NULL);
		for (;;)
			pause();
	}
	if (!strcmp(cmd, "block") && argc == 4)
		cmd_block(argv[2], handled_sig = parse_sig(argv[3]));
	if (!strcmp(cmd, "sigqueue") && argc == 5) {
		union sigval v = { .sival_int = 0 };
		int i, n = atoi(argv[4]);

		for (i = 0; i < n; i++)
			if (sigqueue(atoi(argv[2]), parse_sig(argv[3]), v) < 0)
				die("sigqueue");
		return 0;
	}
	if (!strcmp(cmd, "segv") && argc == 2) {
		volatile int *p = NULL;

		return *p;
	}
	if (!strcmp(cmd, "threads") && argc == 4)
		cmd_threads(argv[2], parse_sig(argv[3]));
	if (!strcmp(cmd, "tgkill") && argc == 5) {
		if (syscall(SYS_tgkill, atoi(argv[2]), atoi(argv[3]),
			    parse_sig(argv[4])) < 0)
			die("tgkill");
		return 0;
	}
	if (!strcmp(cmd, "orphans") && argc == 3)
		return cmd_orphans(atoi(argv[2]));
	if (!strcmp(cmd, "hog") && argc == 4)
		cmd_hog(argv[2], atol(argv[3]));
	if (!strcmp(cmd, "nsreader") && argc == 2)
		cmd_nsreader();
	if (!strcmp(cmd, "kernel") && argc == 3)
		return cmd_kernel(atoi(argv[2]));
	if (!strcmp(cmd, "catch") && argc == 3) {
		struct sigaction sa = { .sa_handler = on_catch };
		int sig = parse_sig(argv[2]);

		if (sigaction(sig, &sa, NULL) == 0)
			printf("sigaction(%d): ok\n", sig);
		else if (errno == EINVAL)
			printf("sigaction(%d): EINVAL\n", sig);
		else
			printf("sigaction(%d): errno %d\n", sig, errno);
		return 0;
	}
	if (!strcmp(cmd, "storm") && argc == 3)
		return cmd_storm(atoi(argv[2]));
	if (!strcmp(cmd, "everyns") && argc >= 3)
		return cmd_everyns(argc - 2, argv + 2);
	fprintf(stderr, "usage: nsp-sigtool ign|block|sigqueue|segv|threads|tgkill|orphans|kernel|hog|nsreader|storm|catch|everyns ...\n");
	return 2;
}
