// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * nsp-ctlfuzz: writes to nsprobe's debugfs control file and reports the
 * exact outcome of every write(2). Used by tests/vm/t_control_fuzz.sh.
 *
 *   nsp-ctlfuzz one PATH STRING        one write of STRING ("" = 0 bytes)
 *   nsp-ctlfuzz len PATH N [CHAR]      one write of N bytes of CHAR ('x')
 *   nsp-ctlfuzz chunks PATH STRING K   STRING in writes of K bytes, one fd
 *   nsp-ctlfuzz fault PATH             a buffer whose tail is unmapped
 *   nsp-ctlfuzz fuzz PATH SEED COUNT [INUM...]
 *       COUNT writes of random sizes (0..64 KiB, most near the 64-byte
 *       limit) and random or mutated-valid content, each checked against
 *       the model below. INUMs are the live netns ("reset inum=" of one of
 *       them succeeds, of any other u32 fails with ENOENT).
 *   nsp-ctlfuzz storm PATH SEED SECONDS [STOP_FILE]
 *       for make stress, while nsprobe is loaded and unloaded: until
 *       SECONDS pass or STOP_FILE exists, open PATH, make 1..16 writes like
 *       fuzz's (no model: netns come and go), close, pause 0..20 ms. An
 *       open fails cleanly with ENOENT (module not loaded) or ENXIO (module
 *       going away); a write ends in ok, EINVAL, ENOENT or EIO. Prints
 *         writes=N ok=N einval=N enoent=N eio=N other=N opens=N
 *         open_enoent=N open_enxio=N open_other=N bytes=N
 *       (after each burst, so a killed writer leaves its counts: the last
 *       line is the total) and exits 1 if any errno was not a clean one.
 *
 * one/len/fault print one word per write: ok, or the errno name (EINVAL,
 * ENOENT, EFAULT, ...); chunks prints one word per chunk. fuzz prints
 *   writes=N ok=N einval=N enoent=N other=N mismatch=N bytes=N
 * and exits 1 if any write's outcome differs from the model.
 *
 * The model is the contract of include/nsprobe/format.h for the control
 * file, as kmod/debugfs.c implements it: 1..NSP_CONTROL_MAX bytes, one
 * optional trailing '\n', no NUL, then exactly "reset" or "reset inum=" and
 * decimal digits that fit in a u32.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define CONTROL_MAX 64		/* NSP_CONTROL_MAX */
#define BIG (64 * 1024)

static const char *outcome(ssize_t r, int err)
{
	static char buf[32];

	if (r >= 0)
		return "ok";
	switch (err) {
	case EINVAL: return "EINVAL";
	case ENOENT: return "ENOENT";
	case EFAULT: return "EFAULT";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case EIO: return "EIO";
	case ENOMEM: return "ENOMEM";
	default:
		snprintf(buf, sizeof(buf), "E%d", err);
		return buf;
	}
}

static int open_ctl(const char *path)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0) {
		perror(path);
		exit(2);
	}
	return fd;
}

/* One write; the outcome word, and the byte count must be all or error. */
static const char *write_once(int fd, const void *buf, size_t len)
{
	ssize_t r = write(fd, buf, len);

	if (r >= 0 && (size_t)r != len) {
		fprintf(stderr, "short write: %zd of %zu\n", r, len);
		return "SHORT";
	}
	return outcome(r, errno);
}

static const uint32_t *g_inums;
static int g_ninums;

/* What the module must answer for this buffer: 0, EINVAL or ENOENT. */
static int model(const char *buf, size_t len)
{
	static const char prefix[] = "reset inum=";
	const size_t plen = sizeof(prefix) - 1;
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > CONTROL_MAX)
		return EINVAL;
	if (buf[len - 1] == '\n')
		len--;
	if (memchr(buf, '\0', len))
		return EINVAL;
	if (len == 5 && !memcmp(buf, "reset", 5))
		return 0;
	if (len <= plen || memcmp(buf, prefix, plen))
		return EINVAL;
	for (i = plen; i < len; i++) {
		if (buf[i] < '0' || buf[i] > '9')
			return EINVAL;
		v = v * 10 + (uint64_t)(buf[i] - '0');
		if (v > UINT32_MAX)
			return EINVAL;	/* kstrtou32: -ERANGE, reported as EINVAL */
	}
	for (i = 0; i < (size_t)g_ninums; i++)
		if (g_inums[i] == v)
			return 0;
	return ENOENT;
}

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: reproducible from the seed on the command line. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static size_t pick_len(void)
{
	switch (rnd() % 8) {
	case 0: return 0;
	case 1: return CONTROL_MAX - 2 + rnd() % 5;	/* 62..66: the edge */
	case 2: return rnd() % (BIG + 1);		/* anything up to 64 KiB */
	case 3: return 65 + rnd() % 4096;
	default: return rnd() % (CONTROL_MAX + 1);
	}
}

/* LEN random bytes (returns LEN) or, half the time when LEN <= 64, a
 * command, mutated or not (returns its length). */
static size_t fill(char *buf, size_t len)
{
	static const char *valid[] = { "reset", "reset\n", "reset inum=", "reset inum=0",
				       "reset inum=4294967295", "reset inum=4294967296" };
	size_t i, n;

	for (i = 0; i < len; i++)
		buf[i] = (char)rnd();
	if (len > 64 || rnd() % 2)
		return len;
	/* a command, then maybe digits, '\n', NUL, '+', or a flipped bit */
	if (rnd() % 3 == 0 && g_ninums) {
		n = (size_t)snprintf(buf, 64, "reset inum=%u%s", g_inums[rnd() % g_ninums],
				     rnd() % 2 ? "\n" : "");
	} else {
		const char *v = valid[rnd() % 6];

		n = strlen(v);
		memcpy(buf, v, n);
		while (rnd() % 2 && n < 63)
			buf[n++] = (char)('0' + rnd() % 10);
		switch (rnd() % 6) {
		case 0: buf[n++] = '\n'; break;
		case 1: buf[n++] = '\0'; break;
		case 2: buf[rnd() % n] ^= (char)(1u << (rnd() % 8)); break;
		case 3: buf[n++] = '+'; break;
		default: break;
		}
	}
	return n;
}

static int do_fuzz(const char *path, uint64_t seed, long count)
{
	long n_ok = 0, n_einval = 0, n_enoent = 0, n_other = 0, mismatch = 0;
	unsigned long long bytes = 0;
	char *buf = malloc(BIG + 64);
	int fd = open_ctl(path);
	long k;

	if (!buf)
		return 2;
	rng_state = seed ? seed : 1;
	for (k = 0; k < count; k++) {
		size_t len = pick_len();
		ssize_t r;
		int err, want;

		len = fill(buf, len);
		want = model(buf, len);
		errno = 0;
		r = write(fd, buf, len);
		err = r < 0 ? errno : 0;
		bytes += len;
		if (r >= 0 && (size_t)r != len)
			err = -1;
		switch (err) {
		case 0: n_ok++; break;
		case EINVAL: n_einval++; break;
		case ENOENT: n_enoent++; break;
		default: n_other++; break;
		}
		if (err != want) {
			if (mismatch < 5) {
				size_t i;

				fprintf(stderr, "mismatch: write #%ld of %zu bytes: got %s, model %s; "
					"bytes:", k, len, err == -1 ? "SHORT" : outcome(-1, err),
					want ? outcome(-1, want) : "ok");
				for (i = 0; i < len && i < 80; i++)
					fprintf(stderr, " %02x", (unsigned char)buf[i]);
				fputc('\n', stderr);
			}
			mismatch++;
		}
	}
	close(fd);
	free(buf);
	printf("writes=%ld ok=%ld einval=%ld enoent=%ld other=%ld mismatch=%ld bytes=%llu\n",
	       count, n_ok, n_einval, n_enoent, n_other, mismatch, bytes);
	return mismatch || n_other ? 1 : 0;
}

/* Counters of "storm", printed as one line. */
struct storm_counts {
	long writes, ok, einval, enoent, eio, other;
	long opens, open_enoent, open_enxio, open_other;
	unsigned long long bytes;
};

static void storm_print(const struct storm_counts *c)
{
	printf("writes=%ld ok=%ld einval=%ld enoent=%ld eio=%ld other=%ld opens=%ld "
	       "open_enoent=%ld open_enxio=%ld open_other=%ld bytes=%llu\n",
	       c->writes, c->ok, c->einval, c->enoent, c->eio, c->other, c->opens,
	       c->open_enoent, c->open_enxio, c->open_other, c->bytes);
	fflush(stdout);
}

static int do_storm(const char *path, uint64_t seed, long seconds, const char *stop)
{
	struct storm_counts c = { 0 };
	char *buf = malloc(BIG + 64);
	time_t end = time(NULL) + seconds;

	if (!buf)
		return 2;
	rng_state = seed ? seed : 1;
	while (time(NULL) < end && !(stop && access(stop, F_OK) == 0)) {
		int fd = open(path, O_WRONLY | O_CLOEXEC), k, n;

		c.opens++;
		if (fd < 0) {
			if (errno == ENOENT) {
				c.open_enoent++;
			} else if (errno == ENXIO) {
				c.open_enxio++;
			} else {
				c.open_other++;
				fprintf(stderr, "storm: open: %s\n", outcome(-1, errno));
			}
			usleep(20000);
			continue;
		}
		for (k = 0, n = 1 + rnd() % 16; k < n; k++) {
			size_t len = fill(buf, pick_len());
			ssize_t r;
			int err;

			errno = 0;
			r = write(fd, buf, len);
			err = r < 0 ? errno : 0;
			c.writes++;
			c.bytes += len;
			if (r >= 0 && (size_t)r != len)
				err = -1;
			switch (err) {
			case 0: c.ok++; break;
			case EINVAL: c.einval++; break;
			case ENOENT: c.enoent++; break;
			case EIO: c.eio++; break;
			default:
				c.other++;
				fprintf(stderr, "storm: write of %zu bytes: %s\n", len,
					err == -1 ? "SHORT" : outcome(-1, err));
			}
		}
		close(fd);
		storm_print(&c);
		usleep(rnd() % 20000);
	}
	free(buf);
	storm_print(&c);
	return c.other || c.open_other ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 2 ? argv[1] : "", *path = argc > 2 ? argv[2] : "";
	int fd;

	if (!strcmp(mode, "one") && argc == 4) {
		fd = open_ctl(path);
		puts(write_once(fd, argv[3], strlen(argv[3])));
		return 0;
	}
	if (!strcmp(mode, "len") && (argc == 4 || argc == 5)) {
		size_t n = strtoul(argv[3], NULL, 10);
		char *buf = malloc(n + 1);

		if (!buf)
			return 2;
		memset(buf, argc == 5 ? argv[4][0] : 'x', n);
		fd = open_ctl(path);
		puts(write_once(fd, buf, n));
		return 0;
	}
	if (!strcmp(mode, "chunks") && argc == 5) {
		size_t len = strlen(argv[3]), k = strtoul(argv[4], NULL, 10), off;

		if (!k)
			return 2;
		fd = open_ctl(path);
		for (off = 0; off < len; off += k) {
			size_t n = len - off < k ? len - off : k;

			printf("%s%s", off ? " " : "", write_once(fd, argv[3] + off, n));
		}
		putchar('\n');
		return 0;
	}
	if (!strcmp(mode, "fault") && argc == 3) {
		long pg = sysconf(_SC_PAGESIZE);
		char *map = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (map == MAP_FAILED)
			return 2;
		munmap(map + pg, pg);
		memcpy(map + pg - 5, "reset", 5);
		fd = open_ctl(path);
		/* "reset" then 5 bytes past the end of the mapping */
		puts(write_once(fd, map + pg - 5, 10));
		return 0;
	}
	if (!strcmp(mode, "fuzz") && argc >= 5) {
		static uint32_t inums[64];
		int i;

		for (i = 5; i < argc && g_ninums < 64; i++)
			inums[g_ninums++] = (uint32_t)strtoul(argv[i], NULL, 10);
		g_inums = inums;
		return do_fuzz(path, strtoull(argv[3], NULL, 10), strtol(argv[4], NULL, 10));
	}
	if (!strcmp(mode, "storm") && (argc == 5 || argc == 6))
		return do_storm(path, strtoull(argv[3], NULL, 10), strtol(argv[4], NULL, 10),
				argc == 6 ? argv[5] : NULL);
	fprintf(stderr, "usage: nsp-ctlfuzz one|len|chunks|fault|fuzz|storm PATH ... (see the source)\n");
	return 2;
}
