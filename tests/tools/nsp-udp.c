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
			"       nsp-udp hold PORT RCVBUF READY_FILE\n");
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

static int do_sink(int port, const char *ready)
{
	struct sockaddr_in me = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct sigaction sa = { .sa_handler = on_term };
	static char buf[65536];
	long n = 0, bytes = 0;
	int fd;

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&me, sizeof(me)) < 0) {
		perror("nsp-udp: bind");
		return 1;
	}
	if (ready) {
		int rfd = open(ready, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (rfd < 0) {
			perror("nsp-udp: ready file");
			return 1;
		}
		close(rfd);
	}
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
	struct sockaddr_in me = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct sigaction sa = { .sa_handler = on_term };
	static char buf[65536];
	long n = 0, bytes = 0;
	int fd, rfd;

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) < 0 ||
	    bind(fd, (struct sockaddr *)&me, sizeof(me)) < 0) {
		perror("nsp-udp: hold socket");
		return 1;
	}
	rfd = open(ready, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (rfd < 0) {
		perror("nsp-udp: ready file");
		return 1;
	}
	close(rfd);
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

int main(int argc, char **argv)
{
	if (argc == 6 && !strcmp(argv[1], "send"))
		return do_send(argv[2], atoi(argv[3]), atol(argv[4]), atol(argv[5]));
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "sink"))
		return do_sink(atoi(argv[2]), argc == 4 ? argv[3] : NULL);
	if (argc == 5 && !strcmp(argv[1], "hold"))
		return do_hold(atoi(argv[2]), atoi(argv[3]), argv[4]);
	return usage();
}
