// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * nsp-readcmp: reads one of nsprobe's debugfs files in small read()s and
 * in big ones, from one open file description, and compares the bytes.
 * Used by tests/vm/t_debugfs_seq.sh.
 *
 *   nsp-readcmp PATH SELECT TRIES OUT [BS...]
 *
 * Opens PATH (read-write if SELECT is not "", and writes SELECT to it once:
 * the events file's selection, which every pass from offset 0 then uses).
 * A pass is lseek(0) and read()s of a given size until one returns 0. The
 * big pass reads 1 MiB or more at a time (one seq_file buffer's worth per
 * read(), however big that is). For each BS: a big pass, a pass of
 * BS-byte reads, a big pass. The two big passes agreeing tell that the
 * file did not change meanwhile; then the small pass must be the same bytes, else it is a
 * failure. If they disagree (something changed the file), that BS is tried
 * again, up to TRIES times in all. Nothing forks between the passes.
 *
 * Prints one line per BS: "bs=BS same N bytes", "bs=BS differ at byte K
 * (N vs M bytes)" or "bs=BS unstable"; writes the last big pass to OUT
 * ("-": nowhere). Without BS, one big pass into OUT. Exits 0 if every
 * BS was the same, 1 if not, 2 on a usage or I/O error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BIG (16u << 20)

struct buf {
	char *p;
	size_t len, cap;
};

static void die(const char *what)
{
	fprintf(stderr, "nsp-readcmp: %s: %s\n", what, strerror(errno));
	exit(2);
}

/*
 * One pass from offset 0 in reads of @bs bytes, into @b (a big pass's
 * reads are at least 1 MiB, far more than seq_file's buffer holds).
 */
static void pass(int fd, size_t bs, struct buf *b)
{
	size_t want = bs < (1u << 20) ? bs : (1u << 20);
	ssize_t n;

	if (lseek(fd, 0, SEEK_SET) != 0)
		die("lseek");
	b->len = 0;
	for (;;) {
		if (b->cap - b->len < want) {
			b->cap = (b->cap + want) * 2;
			b->p = realloc(b->p, b->cap);
			if (!b->p)
				die("realloc");
		}
		n = read(fd, b->p + b->len,
			 b->cap - b->len < bs ? b->cap - b->len : bs);
		if (n < 0)
			die("read");
		if (n == 0)
			return;
		b->len += n;
	}
}

static int same(const struct buf *a, const struct buf *b)
{
	return a->len == b->len && !memcmp(a->p, b->p, a->len);
}

int main(int argc, char **argv)
{
	struct buf b1 = { 0 }, b2 = { 0 }, s = { 0 };
	int fd, tries, i, t, bad = 0;
	size_t k, bs;
	FILE *out;

	if (argc < 5) {
		fprintf(stderr, "usage: nsp-readcmp PATH SELECT TRIES OUT [BS...]\n");
		return 2;
	}
	tries = atoi(argv[3]);
	fd = open(argv[1], argv[2][0] ? O_RDWR : O_RDONLY);
	if (fd < 0)
		die(argv[1]);
	if (argv[2][0] &&
	    write(fd, argv[2], strlen(argv[2])) != (ssize_t)strlen(argv[2]))
		die("write SELECT");
	pass(fd, BIG, &b2);
	for (i = 5; i < argc; i++) {
		bs = strtoul(argv[i], NULL, 10);
		if (!bs || bs > BIG) {
			fprintf(stderr, "nsp-readcmp: bad BS %s\n", argv[i]);
			return 2;
		}
		for (t = 0; t < tries; t++) {
			pass(fd, BIG, &b1);
			pass(fd, bs, &s);
			pass(fd, BIG, &b2);
			if (same(&b1, &b2))
				break;
		}
		if (t == tries) {
			printf("bs=%zu unstable\n", bs);
			bad = 1;
		} else if (same(&s, &b1)) {
			printf("bs=%zu same %zu bytes\n", bs, s.len);
		} else {
			for (k = 0; k < s.len && k < b1.len && s.p[k] == b1.p[k];)
				k++;
			printf("bs=%zu differ at byte %zu (%zu vs %zu bytes)\n",
			       bs, k, s.len, b1.len);
			bad = 1;
		}
	}
	if (strcmp(argv[4], "-")) {
		out = fopen(argv[4], "w");
		if (!out || fwrite(b2.p, 1, b2.len, out) != b2.len ||
		    fclose(out))
			die(argv[4]);
	}
	return bad;
}
