// SPDX-License-Identifier: MIT
/*
 * nsp-udp: send or receive an exact number of UDP datagrams, for tests that
 * check nsprobe's packet and byte counts.
 *
 *   nsp-udp send ADDR PORT COUNT SIZE   send COUNT datagrams of SIZE payload
 *                                       bytes (IPv4), one sendto() each
 *   nsp-udp sink PORT [READY_FILE]      bind 0.0.0.0:PORT, create READY_FILE
 *                                       once bound, count datagrams until
 *                                       SIGTERM, then print "received N BYTES"
 *   nsp-udp hold PORT RCVBUF READY_FILE  bind 0.0.0.0:PORT with SO_RCVBUF
 *                                       RCVBUF, create READY_FILE, read
 *                                       nothing until SIGTERM, then drain
 *                                       the queue and print "queued N BYTES"
 *                                       (the datagrams the full buffer kept)
 *   nsp-udp echo PORT READY_FILE        bind 0.0.0.0:PORT, create READY_FILE,
 *                                       send each datagram back to its sender
 *                                       until SIGTERM, then print "echoed N"
 *   nsp-udp rr ADDR PORT COUNT SIZE     COUNT request/responses of SIZE bytes
 *                                       with an echo server, one at a time;
 *                                       print "rr COUNT MIN P50 P99 MAX" (round
 *                                       trip times in ns, CLOCK_MONOTONIC);
 *                                       exit 1 if a reply takes over 5 s
 *   nsp-udp blast ADDR PORT SIZE NS     send datagrams of SIZE bytes for NS
 *                                       ns of CLOCK_MONOTONIC counted from
 *                                       the first sendto() (the clock is read
 *                                       every 256 sends); print "sent COUNT
 *                                       ELAPSED_NS": a rate that excludes
 *                                       the sender's own start-up
 *
 * A frame on the wire is SIZE + 42 bytes: 14 Ethernet + 20 IPv4 + 8 UDP.
 * Exit status: 0 on success, 1 on a socket error (the message names the
 * call and errno), 2 on bad arguments.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static int usage(void)
{
	fprintf(stderr, "usage: nsp-udp send ADDR PORT COUNT SIZE\n"
			"       nsp-udp sink PORT [READY_FILE]\n"
			"       nsp-udp hold PORT RCVBUF READY_FILE\n"
			"       nsp-udp echo PORT READY_FILE\n"
			"       nsp-udp rr ADDR PORT COUNT SIZE\n"
			"       nsp-udp blast ADDR PORT SIZE NS\n");
	return 2;
}

static int do_send(const char *addr, int port, long count, long size)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port) };
	char *buf;
	int fd;

	if (inet_pton(AF_INET, addr, &to.sin_addr) != 1 || size < 0 || size > 65507 || count < 0)
		return usage();
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("nsp-udp: socket");
		return 1;
	}
	buf = calloc(1, size ? size : 1);
	if (!buf)
		return 1;
	for (long i = 0; i < count; i++) {
		if (sendto(fd, buf, size, 0, (struct sockaddr *)&to, sizeof(to)) != size) {
			fprintf(stderr, "nsp-udp: sendto #%ld: %s\n", i, strerror(errno));
			return 1;
		}
	}
	free(buf);
	close(fd);
	return 0;
}

static long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static int do_blast(const char *addr, int port, long size, long ns)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port) };
	long t0, t = 0;
	long n = 0;
	char *buf;
	int fd;

	if (inet_pton(AF_INET, addr, &to.sin_addr) != 1 || size < 0 || size > 65507 || ns <= 0)
		return usage();
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	buf = calloc(1, size ? size : 1);
	if (fd < 0 || !buf) {
		perror("nsp-udp: socket");
		return 1;
	}
	t0 = now_ns();
	for (;;) {
		if (sendto(fd, buf, size, 0, (struct sockaddr *)&to, sizeof(to)) != size) {
			fprintf(stderr, "nsp-udp: sendto #%ld: %s\n", n, strerror(errno));
			return 1;
		}
		if (++n % 256 == 0 && (t = now_ns()) - t0 >= ns)
			break;
	}
	printf("sent %ld %ld\n", n, t - t0);
	free(buf);
	close(fd);
	return 0;
}

static int touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0) {
		perror("nsp-udp: ready file");
		return -1;
	}
	close(fd);
	return 0;
}

/*
 * A UDP socket bound to 0.0.0.0:PORT (with SO_RCVBUF RCVBUF unless 0), SIGTERM
 * and SIGINT set to end the caller's loop, and READY (unless NULL) created
 * once bound. Returns the socket, or -1 after printing why.
 */
static int bound_socket(int port, int rcvbuf, const char *ready)
{
	struct sockaddr_in me = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct sigaction sa = { .sa_handler = on_term };
	int fd;

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 ||
	    (rcvbuf && setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) < 0) ||
	    bind(fd, (struct sockaddr *)&me, sizeof(me)) < 0) {
		perror("nsp-udp: socket");
		return -1;
	}
	if (ready && touch(ready))
		return -1;
	return fd;
}

static int do_sink(int port, const char *ready)
{
	static char buf[65536];
	long n = 0, bytes = 0;
	int fd = bound_socket(port, 0, ready);

	if (fd < 0)
		return 1;
	while (!stop) {
		ssize_t r = recv(fd, buf, sizeof(buf), 0);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			perror("nsp-udp: recv");
			return 1;
		}
		n++;
		bytes += r;
	}
	printf("received %ld %ld\n", n, bytes);
	return 0;
}

static int do_hold(int port, int rcvbuf, const char *ready)
{
	static char buf[65536];
	long n = 0, bytes = 0;
	int fd = bound_socket(port, rcvbuf, ready);

	if (fd < 0)
		return 1;
	while (!stop)
		pause();
	for (;;) {
		ssize_t r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			perror("nsp-udp: recv");
			return 1;
		}
		n++;
		bytes += r;
	}
	printf("queued %ld %ld\n", n, bytes);
	return 0;
}

static int do_echo(int port, const char *ready)
{
	static char buf[65536];
	long n = 0;
	int fd = bound_socket(port, 0, ready);

	if (fd < 0)
		return 1;
	while (!stop) {
		struct sockaddr_in from;
		socklen_t len = sizeof(from);
		ssize_t r = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			perror("nsp-udp: recvfrom");
			return 1;
		}
		if (sendto(fd, buf, r, 0, (struct sockaddr *)&from, len) != r) {
			perror("nsp-udp: sendto");
			return 1;
		}
		n++;
	}
	printf("echoed %ld\n", n);
	return 0;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

static int do_rr(const char *addr, int port, long count, long size)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct timeval tmo = { .tv_sec = 5 };
	long *rtt;
	char *buf;
	int fd;

	if (inet_pton(AF_INET, addr, &to.sin_addr) != 1 || size < 1 || size > 65507 || count < 1)
		return usage();
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&to, sizeof(to)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tmo, sizeof(tmo)) < 0) {
		perror("nsp-udp: rr socket");
		return 1;
	}
	buf = calloc(1, size);
	rtt = calloc(count, sizeof(*rtt));
	if (!buf || !rtt)
		return 1;
	for (long i = 0; i < count; i++) {
		long t0 = now_ns();

		if (send(fd, buf, size, 0) != size) {
			fprintf(stderr, "nsp-udp: send #%ld: %s\n", i, strerror(errno));
			return 1;
		}
		if (recv(fd, buf, size, 0) != size) {
			fprintf(stderr, "nsp-udp: reply #%ld: %s\n", i,
				errno == EAGAIN ? "none within 5 s" : strerror(errno));
			return 1;
		}
		rtt[i] = now_ns() - t0;
	}
	qsort(rtt, count, sizeof(*rtt), cmp_long);
	printf("rr %ld %ld %ld %ld %ld\n", count, rtt[0], rtt[(count - 1) / 2],
	       rtt[(count * 99 + 99) / 100 - 1], rtt[count - 1]);
	free(rtt);
	free(buf);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 6 && !strcmp(argv[1], "send"))
		return do_send(argv[2], atoi(argv[3]), atol(argv[4]), atol(argv[5]));
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "sink"))
		return do_sink(atoi(argv[2]), argc == 4 ? argv[3] : NULL);
	if (argc == 5 && !strcmp(argv[1], "hold"))
		return do_hold(atoi(argv[2]), atoi(argv[3]), argv[4]);
	if (argc == 4 && !strcmp(argv[1], "echo"))
		return do_echo(atoi(argv[2]), argv[3]);
	if (argc == 6 && !strcmp(argv[1], "rr"))
		return do_rr(argv[2], atoi(argv[3]), atol(argv[4]), atol(argv[5]));
	if (argc == 6 && !strcmp(argv[1], "blast"))
		return do_blast(argv[2], atoi(argv[3]), atol(argv[4]), atol(argv[5]));
	return usage();
}
