// SPDX-License-Identifier: GPL-2.0
/*
 * <debugfs>/nsprobe/: the files of include/nsprobe/format.h, rendered with
 * seq_file.
 *
 * The per-netns files (netns, devices, signals, events, latency) are
 * seq_file iterators with one record per netns (all of its lines), plus a
 * header record (latency's latency line; (1.7) events' evnode line, with a
 * "select gseq_after=" selection) or a trailer record (signals' node_sig
 * lines): see "Walking the namespaces" below. When the buffer fills, seq_file
 * drops only the record that did not fit and shows it again from the next
 * start(), into a buffer twice as big if it was alone; a read never walks
 * the namespaces again from the beginning. That is seq_read_iter() of
 * fs/seq_file.c, the same function in 6.1.192 and 6.12.118: it shows the
 * first record of a read() with start() at m->index; if that one record
 * overflows an empty buffer, it stop()s, doubles m->size and start()s
 * again at the same index (a netns with a full event ring, about 110 KiB,
 * grows the buffer for itself); then it next()s and shows more until the
 * buffer or the read() is full, and a record that overflowed is dropped,
 * m->index already at it for the next read(). A record that shows nothing
 * (a netns without devices) is skipped.
 *
 * Every walk follows net_namespace_list under rcu_read_lock(), held from
 * start() to stop() only (one buffer's worth), and never stores a per-netns
 * pointer anywhere (i_private is unused; the position between two read()s
 * is a number). That is safe: cleanup_net() unlinks a dying netns from
 * net_namespace_list with list_del_rcu() and then waits for an RCU grace
 * period (cleanup_net() on 6.1, ops_undo_list() on 6.12) before any pernet
 * exit runs and before the netns core frees our net_generic data. So a
 * netns we reach under rcu_read_lock() keeps its struct nsp_net until we
 * unlock. struct nsp_dev entries are freed with call_rcu(), so the same read
 * section covers them. A netns is added to the list only after every pernet
 * init ran, so each one we find has its struct nsp_net set up. Nothing
 * between start() and stop() sleeps: the seq buffer is allocated by
 * seq_file outside, and the latency file's scratch space at open.
 *
 * Removal: debugfs_remove() waits for readers and writers already inside a
 * file operation, and main.c removes the directory before anything else is
 * torn down.
 */

#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/rcupdate.h>
#include <linux/rtnetlink.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>
#include <net/net_namespace.h>

#include <nsprobe/format.h>

#include "compat.h"
#include "debugfs.h"
#include "devices.h"
#include "latency.h"
#include "netns.h"
#include "postmortem.h"
#include "probes.h"
#include "sigattr.h"
#include "sigevents.h"

#define NSP_X_NAME(key, ...) __stringify(key),
static const char * const nsp_dev_keys[] = { NSP_DEV_COUNTERS(NSP_X_NAME) };
static const char * const nsp_sig_keys[] = { NSP_SIG_COUNTERS(NSP_X_NAME) };

static struct dentry *nsp_debugfs_dir;

/* format.h escaping: bytes outside printable ASCII, ' ', '=' and '\\'. */
static void nsp_seq_escape(struct seq_file *m, const char *s)
{
	for (; *s; s++) {
		unsigned char c = *s;

		if (c > ' ' && c < 0x7f && c != '=' && c != '\\')
			seq_putc(m, c);
		else
			seq_printf(m, "\\%03o", c);
	}
}

static void nsp_seq_netns_id(struct seq_file *m, const struct net *net)
{
	seq_printf(m, "inum=%u cookie=%llu", net->ns.inum, nsp_net_cookie(net));
}

/*
 * ---- Walking the namespaces, one buffer at a time -----------------------
 *
 * Between two read() calls a file's position is a number (seq_file's
 * m->index), and netns come and go meanwhile. Resuming by an index into
 * the list would skip a netns whenever an earlier one died in between. So
 * the position is "after the netns whose key is K": the next
 * start() walks the list from its head and resumes at the first netns with
 * a key above K. For that, keys must increase along the list.
 *
 * net->net_cookie does not: on 6.1.192 and 6.12.118, setup_net()
 * (net/core/net_namespace.c, called by copy_net_ns() with pernet_ops_rwsem
 * held for reading, so several run at once) draws the cookie with
 * gen_cookie_next() (include/linux/cookie.h: per-CPU batches of 4096, so
 * a netns created later on another CPU gets a smaller cookie) before the
 * pernet inits, and list_add_tail_rcu()s the netns to net_namespace_list
 * after them. Neither the cookie nor anything our pernet init could draw
 * follows the list order.
 *
 * What the same sources do guarantee: a netns enters net_namespace_list
 * only at its tail (setup_net()'s list_add_tail_rcu(), under net_rwsem),
 * leaves it only through cleanup_net()'s list_del_rcu() (which sets
 * ->list.prev to LIST_POISON2), and never comes back. So the netns still
 * on the list keep their relative order, and a walker that reaches a netns
 * by following ->next under RCU has passed every netns that is on the list
 * before it.
 *
 * So the key is drawn by the walkers themselves: nsp_walk_key() gives a
 * netns, the first time any walk passes it, the next value of one counter
 * (nsp_walk_last), and every walk calls it on every netns it passes, in
 * list order. When a netns N still on the list is keyed, every netns
 * before it on the list was passed, so keyed, before, by this walker:
 * their keys are smaller. Hence, among the netns on the list, keys
 * increase along it. A netns keyed after it left the list may get a key
 * above its successors', so a key counts only if the netns was still on
 * the list after the key was known (nsp_walk_key() returns 0 otherwise,
 * and the walks skip that netns: it is dying, as if it were already gone).
 *
 * Then every read emits netns in increasing key order, and a netns that
 * is on the list during the whole read is emitted exactly once: the
 * netns on the list before the resume point have keys up to K (emitted),
 * those after it keys above K or none yet (not emitted). A netns created
 * during a read is appended after the walker or not seen. The order is
 * net_namespace_list's, as for_each_net_rcu() gives it: a file's content is
 * the same as when one show() walked everything.
 *
 * Positions (loff_t): 0 is the beginning (the header record if the file
 * has one, else the first netns); K + 1 is "after the netns whose key is
 * K" (1: after the header); NSP_WALK_EOF, the end. The trailer record has
 * no position of its own: it is what comes when no netns is left.
 */
static atomic64_t nsp_walk_last = ATOMIC64_INIT(0);

#define NSP_WALK_TAIL	((void *)2)	/* the trailer record */
#define NSP_WALK_EOF	LLONG_MAX

/*
 * The key of @net (drawn now if it has none), or 0 if @net was no longer
 * on net_namespace_list once its key was known.
 */
static u64 nsp_walk_key(struct net *net)
{
	atomic64_t *key = &nsp_net(net)->walk_key;
	s64 k, old;

	k = atomic64_read_acquire(key);
	if (!k) {
		k = atomic64_inc_return(&nsp_walk_last);
		old = atomic64_cmpxchg(key, 0, k);
		if (old)
			k = old;
		/* A failed cmpxchg orders nothing: the key before the test. */
		smp_mb();
	}
	return READ_ONCE(net->list.prev) == LIST_POISON2 ? 0 : k;
}

/*
 * The first netns after @lh (&net_namespace_list: from the head) whose key
 * is non-zero and at least @min; each netns passed is keyed.
 */
static struct net *nsp_walk_seek(struct list_head *lh, loff_t min)
{
	struct net *net;
	u64 k;

	for (lh = rcu_dereference(list_next_rcu(lh)); lh != &net_namespace_list;
	     lh = rcu_dereference(list_next_rcu(lh))) {
		net = list_entry(lh, struct net, list);
		k = nsp_walk_key(net);
		if (k && k >= min)
			return net;
	}
	return NULL;
}

/*
 * start(): rcu_read_lock() until stop(). @head: the file has a header
 * record (SEQ_START_TOKEN) at position 0; @tail: a trailer record
 * (NSP_WALK_TAIL) after the last netns.
 */
static void *nsp_walk_start(loff_t *pos, bool head, bool tail)
{
	struct net *net;

	rcu_read_lock();
	if (*pos == NSP_WALK_EOF)
		return NULL;
	if (!*pos && head)
		return SEQ_START_TOKEN;
	net = nsp_walk_seek(&net_namespace_list, *pos);
	return net ? net : tail ? NSP_WALK_TAIL : NULL;
}

static void *nsp_walk_next(void *v, loff_t *pos, bool tail)
{
	struct net *net;

	if (v == NSP_WALK_TAIL) {
		*pos = NSP_WALK_EOF;
		return NULL;
	}
	if (v == SEQ_START_TOKEN) {
		*pos = 1;
		net = nsp_walk_seek(&net_namespace_list, 1);
	} else {
		/* Non-zero: @v was on the list when it was returned. */
		*pos = atomic64_read(&nsp_net(v)->walk_key) + 1;
		net = nsp_walk_seek(&((struct net *)v)->list, 0);
	}
	if (net)
		return net;
	if (tail)
		return NSP_WALK_TAIL;
	*pos = NSP_WALK_EOF;
	return NULL;
}

static void nsp_walk_stop(struct seq_file *m, void *v)
{
	rcu_read_unlock();
}

static int nsp_version_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%s %d.%d\n", NSP_VERSION_PREFIX, NSP_FORMAT_MAJOR,
		   NSP_FORMAT_MINOR);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(nsp_version);

static int nsp_probes_file_show(struct seq_file *m, void *v)
{
	nsp_probes_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(nsp_probes_file);

static int nsp_stats_show(struct seq_file *m, void *v)
{
	u64 nets = 0, devs = 0, untracked = 0;
	unsigned long idx;
	struct net *net;
	int cpu;

	rcu_read_lock();
	for_each_net_rcu(net) {
		nets++;
		idx = 0;
		while (nsp_devs_next(&nsp_net(net)->devs, &idx))
			devs++;
	}
	rcu_read_unlock();
	for_each_possible_cpu(cpu)
		untracked += READ_ONCE(per_cpu(nsp_veth_untracked, cpu));

	seq_printf(m, "stats netns=%llu devices=%llu veth_untracked=%llu sig_unattributed=%lld alloc_failed=%lld sig_deferred=%lld oom_unattributed=%lld postmortem=%u postmortem_lost=%lld\n",
		   nets, devs, untracked,
		   (long long)atomic64_read(&nsp_sig_unattributed),
		   (long long)atomic64_read(&nsp_alloc_failed),
		   (long long)atomic64_read(&nsp_sig_deferred),
		   (long long)atomic64_read(&nsp_oom_unattributed),
		   nsp_pm_count(),
		   (long long)atomic64_read(&nsp_pm_lost));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(nsp_stats);

/* The keys of a netns record after its identity, without the newline. */
static void nsp_seq_netns_totals(struct seq_file *m,
				 const struct nsp_net_totals *t)
{
	int i;

	seq_printf(m, " devices=%llu", t->devices);
	for (i = 0; i < NSP_DEV_CTR__COUNT; i++)
		seq_printf(m, " %s=%llu", nsp_dev_keys[i], t->tx[i]);
	seq_printf(m, " sig_generated=%llu sig_ignored=%llu sig_rows=%u ev_chunks=%u alloc_failed=%llu",
		   t->sig_generated, t->sig_ignored, t->sig_rows,
		   t->ev_chunks, t->alloc_failed);
}

/* "netns": one record per netns. */
static void *nsp_netns_start(struct seq_file *m, loff_t *pos)
{
	return nsp_walk_start(pos, false, false);
}

static void *nsp_netns_next(struct seq_file *m, void *v, loff_t *pos)
{
	return nsp_walk_next(v, pos, false);
}

static int nsp_netns_show(struct seq_file *m, void *v)
{
	struct nsp_net_totals t;
	struct net *net = v;

	nsp_net_totals(nsp_net(net), &t);
	seq_puts(m, "netns ");
	nsp_seq_netns_id(m, net);
	nsp_seq_netns_totals(m, &t);
	seq_putc(m, '\n');
	return 0;
}

static const struct seq_operations nsp_netns_sops = {
	.start = nsp_netns_start,
	.next = nsp_netns_next,
	.stop = nsp_walk_stop,
	.show = nsp_netns_show,
};
DEFINE_SEQ_ATTRIBUTE(nsp_netns);

/* "devices": one record per netns, its devices' lines (maybe none). */
static void *nsp_devices_start(struct seq_file *m, loff_t *pos)
{
	return nsp_walk_start(pos, false, false);
}

static void *nsp_devices_next(struct seq_file *m, void *v, loff_t *pos)
{
	return nsp_walk_next(v, pos, false);
}

static int nsp_devices_show(struct seq_file *m, void *v)
{
	struct nsp_net *pn = nsp_net(v);
	struct nsp_dev_snap snap;
	struct net *net = v;
	struct nsp_dev *d;
	unsigned long idx;
	int i;

	idx = 0;
	while ((d = nsp_devs_next(&pn->devs, &idx))) {
		nsp_dev_read(d, &snap);
		seq_puts(m, "dev ");
		nsp_seq_netns_id(m, net);
		seq_printf(m, " ifindex=%d name=", snap.ifindex);
		nsp_seq_escape(m, snap.name);
		for (i = 0; i < NSP_DEV_CTR__COUNT; i++)
			seq_printf(m, " %s=%llu", nsp_dev_keys[i], snap.ctr[i]);
		seq_printf(m, " tx_dropped_base=%llu rx_packets_base=%llu\n",
			   snap.kdrop_base, snap.krx_base);
	}
	return 0;
}

static const struct seq_operations nsp_devices_sops = {
	.start = nsp_devices_start,
	.next = nsp_devices_next,
	.stop = nsp_walk_stop,
	.show = nsp_devices_show,
};
DEFINE_SEQ_ATTRIBUTE(nsp_devices);

static bool nsp_sig_any(const u64 v[NSP_SIG_CTR__COUNT])
{
	int i;

	for (i = 0; i < NSP_SIG_CTR__COUNT; i++)
		if (v[i])
			return true;
	return false;
}

/* The counter keys of a sig or node_sig record, and its end. */
static void nsp_seq_sig_counters(struct seq_file *m,
				 const u64 v[NSP_SIG_CTR__COUNT])
{
	int i;

	for (i = 0; i < NSP_SIG_CTR__COUNT; i++)
		seq_printf(m, " %s=%llu", nsp_sig_keys[i], v[i]);
	seq_putc(m, '\n');
}

/* The sig records of one netns: rows of non-zero counters. */
static void nsp_seq_sig_row(struct seq_file *m, u32 inum, u64 cookie, int s,
			    const u64 v[NSP_SIG_CTR__COUNT])
{
	if (!nsp_sig_any(v))
		return;
	seq_printf(m, "sig inum=%u cookie=%llu signo=%d", inum, cookie, s);
	nsp_seq_sig_counters(m, v);
}

static void nsp_signals_show_net(struct seq_file *m, struct net *net)
{
	struct nsp_net *pn = nsp_net(net);
	u64 v[NSP_SIG_CTR__COUNT];
	unsigned int seq;
	int s;

	for (s = 1; s <= NSP_SIG_MAX; s++) {
		do {
			seq = read_seqbegin(&pn->lock);
			nsp_net_sig_read(pn, s, v);
		} while (read_seqretry(&pn->lock, seq));
		nsp_seq_sig_row(m, net->ns.inum, nsp_net_cookie(net), s, v);
	}
}

/*
 * "signals": one record per netns (its sig lines, maybe none), then the
 * trailer record: (1.5) the node's rows, dead netns' counts included.
 */
static void *nsp_signals_start(struct seq_file *m, loff_t *pos)
{
	return nsp_walk_start(pos, false, true);
}

static void *nsp_signals_next(struct seq_file *m, void *v, loff_t *pos)
{
	return nsp_walk_next(v, pos, true);
}

static int nsp_signals_show(struct seq_file *m, void *v)
{
	u64 c[NSP_SIG_CTR__COUNT];
	int s;

	if (v != NSP_WALK_TAIL) {
		nsp_signals_show_net(m, v);
		return 0;
	}
	for (s = 1; s <= NSP_SIG_MAX; s++) {
		nsp_node_sig_read(s, c);
		if (!nsp_sig_any(c))
			continue;
		seq_printf(m, "node_sig signo=%d", s);
		nsp_seq_sig_counters(m, c);
	}
	return 0;
}

static const struct seq_operations nsp_signals_sops = {
	.start = nsp_signals_start,
	.next = nsp_signals_next,
	.stop = nsp_walk_stop,
	.show = nsp_signals_show,
};
DEFINE_SEQ_ATTRIBUTE(nsp_signals);

/* (1.5) One selection of the "events" file (format.h, NSP_FILE_EVENTS). */
struct nsp_ev_pick {
	bool on;
	bool one;	/* (1.7) one netns (inum, cookie, after); else gafter */
	u32 inum;
	u64 cookie;
	u64 after;
	u64 signals;	/* (1.6) bit signo - 1; 0: every signal */
	u64 gafter;	/* (1.7) events of any netns with a greater gseq */
};

/*
 * The selection of one open "events" file: seq_file's private data, from
 * open to release. @set is what the last write selected. @cur is @set as
 * a read from offset 0 found it: the whole pass uses it, however many
 * read()s it takes, as the one show() of the whole file did before the
 * file had an iterator; @cur_gseq is the pass's evnode number. The pass
 * also takes, before it walks, what poll() compares with (@read_gseq,
 * @read_seq), as that one show() did.
 */
struct nsp_ev_sel {
	spinlock_t lock;	/* @set, @read_*: writes, reads and poll() */
	struct nsp_ev_pick set;
	struct nsp_ev_pick cur;
	u64 cur_gseq;	/* (1.7) nsp_sigev_last_gseq() when @cur was taken */
	u64 read_gseq;	/* (1.7) nsp_sigev_last_gseq() at the last read */
	u64 read_seq;	/* (1.7) the selected netns' seq then, 0 if gone */
};

/* The live netns (inum, cookie), or NULL. Context: rcu_read_lock() held. */
static struct net *nsp_net_find(u32 inum, u64 cookie)
{
	struct net *net;

	for_each_net_rcu(net)
		if (net->ns.inum == inum && nsp_net_cookie(net) == cookie)
			return net;
	return NULL;
}

/*
 * The start of a pass (a read from offset 0): @cur from @set, then what
 * poll() compares with, before the walk: every event numbered up to them
 * is in its ring by now. Context: process context, no lock held.
 */
static void nsp_events_begin(struct nsp_ev_sel *sel)
{
	struct nsp_ev_pick *p = &sel->cur;
	u64 last, seq = 0;
	struct net *net;

	spin_lock(&sel->lock);
	*p = sel->set;
	spin_unlock(&sel->lock);
	p->one = p->on && p->one;
	if (!p->one)
		p->after = 0;
	if (!p->on)
		p->signals = 0;

	last = nsp_sigev_last_gseq();
	if (p->one) {
		rcu_read_lock();
		net = nsp_net_find(p->inum, p->cookie);
		if (net)
			seq = nsp_sigev_net_seq(net);
		rcu_read_unlock();
	}
	sel->cur_gseq = last;
	spin_lock(&sel->lock);
	sel->read_gseq = last;
	if (p->one && sel->set.inum == p->inum && sel->set.cookie == p->cookie)
		sel->read_seq = seq;
	spin_unlock(&sel->lock);
}

/*
 * "events": (1.7) with a "select gseq_after=" selection a header record,
 * the evnode line; then one record per netns, its evring and ev lines.
 */
static void *nsp_events_start(struct seq_file *m, loff_t *pos)
{
	struct nsp_ev_sel *sel = m->private;

	if (!*pos)
		nsp_events_begin(sel);
	return nsp_walk_start(pos, sel->cur.on && !sel->cur.one, false);
}

static void *nsp_events_next(struct seq_file *m, void *v, loff_t *pos)
{
	return nsp_walk_next(v, pos, false);
}

static int nsp_events_show(struct seq_file *m, void *v)
{
	const struct nsp_ev_sel *sel = m->private;
	const struct nsp_ev_pick *p = &sel->cur;
	struct net *net = v;

	/* (1.7) What the next "select gseq_after=" asks for. */
	if (v == SEQ_START_TOKEN) {
		seq_printf(m, "evnode gseq=%llu\n", sel->cur_gseq);
		return 0;
	}
	if (p->one) {
		/* Another netns than the selected one: an empty record. */
		if (net->ns.inum == p->inum &&
		    nsp_net_cookie(net) == p->cookie)
			nsp_sigev_show_net(m, net, p->after, p->signals, NULL);
		return 0;
	}
	nsp_sigev_show_net(m, net, 0, p->signals, p->on ? &p->gafter : NULL);
	return 0;
}

static const struct seq_operations nsp_events_sops = {
	.start = nsp_events_start,
	.next = nsp_events_next,
	.stop = nsp_walk_stop,
	.show = nsp_events_show,
};

/*
 * (1.7) Readable when an event was stored since this file's last read
 * began (or ever, before its first read): with a one-netns selection an
 * event of that netns, else of any netns; of any signal. A one-netns
 * selection whose netns is gone hangs up. A follower reads its selection
 * again when woken, and finds what is new in it.
 */
static __poll_t nsp_events_poll(struct file *file, poll_table *pt)
{
	struct seq_file *m = file->private_data;
	struct nsp_ev_sel *sel = m->private;
	u64 seen, seen_seq, cookie, cur = 0;
	__poll_t ready = EPOLLIN | EPOLLRDNORM;
	struct net *net;
	bool one;
	u32 inum;

	nsp_sigev_poll_wait(file, pt);
	spin_lock(&sel->lock);
	one = sel->set.on && sel->set.one;
	inum = sel->set.inum;
	cookie = sel->set.cookie;
	seen = sel->read_gseq;
	seen_seq = sel->read_seq;
	spin_unlock(&sel->lock);
	if (!one)
		return nsp_sigev_last_gseq() != seen ? ready : 0;
	rcu_read_lock();
	net = nsp_net_find(inum, cookie);
	if (net)
		cur = nsp_sigev_net_seq(net);
	rcu_read_unlock();
	if (!net)
		return EPOLLHUP;
	return cur != seen_seq ? ready : 0;
}

static int nsp_events_open(struct inode *inode, struct file *file)
{
	struct nsp_ev_sel *sel;

	sel = __seq_open_private(file, &nsp_events_sops, sizeof(*sel));
	if (!sel)
		return -ENOMEM;
	spin_lock_init(&sel->lock);
	return 0;
}

/*
 * "<key>=<unsigned decimal>": digits only (kstrtou64() would also take a
 * leading '+' and a trailing '\n').
 */
static int nsp_parse_kv(const char *tok, const char *key, u64 *v)
{
	size_t n = strlen(key);

	if (!tok || strncmp(tok, key, n) || tok[n] != '=' ||
	    !isdigit(tok[n + 1]) || strchr(tok, '\n'))
		return -EINVAL;
	return kstrtou64(tok + n + 1, 10, v) ? -EINVAL : 0;
}

/* Parses one write to "events"; @arg: the file's struct nsp_ev_sel. */
static int nsp_events_select(void *arg, char *buf, size_t len)
{
	struct nsp_ev_sel *sel = arg;
	char *p = buf, *tok[6];
	u64 inum, cookie, after, signals = 0;
	unsigned int n = 0;

	while (n < ARRAY_SIZE(tok) && (tok[n] = strsep(&p, " ")))
		n++;
	if (p || n < 2 || strcmp(tok[0], "select"))
		return -EINVAL;
	if (n == 2 && !strcmp(tok[1], "all")) {
		spin_lock(&sel->lock);
		sel->set.on = false;
		spin_unlock(&sel->lock);
		return 0;
	}
	/* (1.7) "select gseq_after=G [signals=M]": every netns. */
	if (!strncmp(tok[1], "gseq_after=", 11)) {
		if (n > 3 || nsp_parse_kv(tok[1], "gseq_after", &after) ||
		    (n == 3 && (nsp_parse_kv(tok[2], "signals", &signals) ||
				!signals)))
			return -EINVAL;
		spin_lock(&sel->lock);
		sel->set.on = true;
		sel->set.one = false;
		sel->set.gafter = after;
		sel->set.signals = signals;
		spin_unlock(&sel->lock);
		return 0;
	}
	if ((n != 4 && n != 5) || nsp_parse_kv(tok[1], "inum", &inum) ||
	    nsp_parse_kv(tok[2], "cookie", &cookie) ||
	    nsp_parse_kv(tok[3], "after", &after) || inum > U32_MAX)
		return -EINVAL;
	/* (1.6) A set of no signal would select nothing: refused. */
	if (n == 5 && (nsp_parse_kv(tok[4], "signals", &signals) || !signals))
		return -EINVAL;
	spin_lock(&sel->lock);
	/* (1.7) poll()'s seq is that of the netns last read */
	if (!sel->set.one || sel->set.inum != inum || sel->set.cookie != cookie)
		sel->read_seq = 0;
	sel->set.on = true;
	sel->set.one = true;
	sel->set.inum = inum;
	sel->set.cookie = cookie;
	sel->set.after = after;
	sel->set.signals = signals;
	spin_unlock(&sel->lock);
	return 0;
}

/*
 * One write of at most @max bytes, one optional trailing '\n' cut, handed
 * NUL-terminated to @parse (with @arg and its length). Return: @count, or
 * -EINVAL for an empty or too long write or an embedded NUL, -EFAULT,
 * -ENOMEM, or @parse's error.
 */
static ssize_t nsp_write_line(const char __user *ubuf, size_t count,
			      size_t max, void *arg,
			      int (*parse)(void *arg, char *buf, size_t len))
{
	size_t len;
	char *buf;
	int err;

	if (!count || count > max)
		return -EINVAL;
	buf = memdup_user_nul(ubuf, count);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	len = count;
	if (buf[len - 1] == '\n')
		buf[--len] = '\0';
	err = strlen(buf) != len ? -EINVAL : parse(arg, buf, len);
	kfree(buf);
	return err ? err : count;
}

static ssize_t nsp_events_write(struct file *file, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	struct seq_file *m = file->private_data;

	return nsp_write_line(ubuf, count, NSP_EVENTS_SELECT_MAX, m->private,
			      nsp_events_select);
}

static const struct file_operations nsp_events_fops = {
	.owner = THIS_MODULE,
	.open = nsp_events_open,
	.read = seq_read,
	.write = nsp_events_write,
	.poll = nsp_events_poll,
	.llseek = seq_lseek,
	.release = seq_release_private,
};

/*
 * "postmortem": per dead netns, oldest first, its "gone" record, then its
 * netns, sig, evring and ev records as the live files show them
 * (include/nsprobe/format.h, NSP_FILE_POSTMORTEM). One record per seq_file
 * item, positioned by record id: the list lock is held from start to stop,
 * one buffer at a time, never for a whole read (postmortem.c).
 */
static void *nsp_pm_seq_start(struct seq_file *m, loff_t *pos)
{
	nsp_pm_begin();
	return nsp_pm_seek(*pos);
}

static void *nsp_pm_seq_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct nsp_pm_rec *rec = v;

	*pos = rec->id + 1;
	return nsp_pm_after(rec);
}

static void nsp_pm_seq_stop(struct seq_file *m, void *v)
{
	nsp_pm_end();
}

static int nsp_pm_seq_show(struct seq_file *m, void *v)
{
	const struct nsp_pm_rec *rec = v;
	u64 c[NSP_SIG_CTR__COUNT];
	u64 now = ktime_get_boottime_ns();
	int s;

	seq_printf(m, "gone inum=%u cookie=%llu gone_ns=%llu age_ns=%llu cgroup_id=%llu cgroup=",
		   rec->inum, rec->cookie, rec->gone_real,
		   now - rec->gone_boot, rec->cgroup_id);
	if (rec->cgroup[0])
		nsp_seq_escape(m, rec->cgroup);
	else
		seq_putc(m, '-');
	seq_printf(m, "\nnetns inum=%u cookie=%llu", rec->inum, rec->cookie);
	nsp_seq_netns_totals(m, &rec->t);
	seq_putc(m, '\n');
	for (s = 1; s <= NSP_SIG_MAX && !seq_has_overflowed(m); s++) {
		nsp_sig_row_read(rec->sig[s], c);
		nsp_seq_sig_row(m, rec->inum, rec->cookie, s, c);
	}
	nsp_sigev_show_dead(m, rec->inum, rec->cookie, &rec->rings);
	return 0;
}

static const struct seq_operations nsp_postmortem_sops = {
	.start = nsp_pm_seq_start,
	.next = nsp_pm_seq_next,
	.stop = nsp_pm_seq_stop,
	.show = nsp_pm_seq_show,
};
DEFINE_SEQ_ATTRIBUTE(nsp_postmortem);

static const char * const nsp_hist_kinds[] = NSP_HIST_KIND_NAMES;

static void nsp_seq_hists(struct seq_file *m, const struct nsp_hists *h, int k)
{
	int i;

	seq_printf(m, " kind=%s count=%llu sum_ns=%llu", nsp_hist_kinds[k],
		   h->h[k].count, h->h[k].sum_ns);
	for (i = 0; i < NSP_HIST_BUCKETS; i++)
		if (h->h[k].b[i])
			seq_printf(m, " b%d=%llu", i, h->h[k].b[i]);
	seq_putc(m, '\n');
}

/*
 * The "latency" file: the header record (the matcher's counters), then one
 * record per netns: its dev_hist lines and netns_hist lines (none before
 * its first veth). Histograms are baselined by a reset like the counters
 * (nsp_net_reset()): each sum is read in a read section of the netns'
 * devices' lock (nsp_devs_hists(), nsp_dev_hists()), so it is all from
 * before or all from after a reset. The sums are built in the open file's
 * scratch space (seq_file private data, allocated at open): nothing is
 * allocated between start() and stop().
 */
struct nsp_lat_scratch {
	struct nsp_hists nh;
	struct nsp_hists dh;
};

static void *nsp_latency_start(struct seq_file *m, loff_t *pos)
{
	return nsp_walk_start(pos, true, false);
}

static void *nsp_latency_next(struct seq_file *m, void *v, loff_t *pos)
{
	return nsp_walk_next(v, pos, false);
}

static void nsp_latency_show_net(struct seq_file *m, struct net *net,
				 struct nsp_lat_scratch *sc)
{
	struct nsp_net *pn = nsp_net(net);
	struct nsp_hists *nh = &sc->nh, *dh = &sc->dh;
	struct nsp_dev_snap snap;
	struct nsp_dev *d;
	unsigned long idx;
	int k;

	/* None until the netns' first veth (devices.c). */
	if (!nsp_devs_hists(&pn->devs, nh))
		return;
	idx = 0;
	while ((d = nsp_devs_next(&pn->devs, &idx))) {
		if (!nsp_dev_hists(d, dh))
			continue;
		nsp_dev_read(d, &snap);
		for (k = 0; k < NSP_HIST_KIND__COUNT; k++) {
			seq_puts(m, "dev_hist ");
			nsp_seq_netns_id(m, net);
			seq_printf(m, " ifindex=%d name=", snap.ifindex);
			nsp_seq_escape(m, snap.name);
			nsp_seq_hists(m, dh, k);
		}
	}
	for (k = 0; k < NSP_HIST_KIND__COUNT; k++) {
		seq_puts(m, "netns_hist ");
		nsp_seq_netns_id(m, net);
		nsp_seq_hists(m, nh, k);
	}
}

static int nsp_latency_show(struct seq_file *m, void *v)
{
	struct nsp_lat_stats st;

	if (v != SEQ_START_TOKEN) {
		nsp_latency_show_net(m, v, m->private);
		return 0;
	}
	nsp_lat_read(&st);
	seq_printf(m, "latency table=%u max_age_ns=%llu cross_matched=%llu cross_evicted=%llu cross_aged=%llu cross_busy=%llu\n",
		   nsp_lat_slots(), nsp_lat_max_age_ns(), st.matched,
		   st.evicted, st.aged, st.busy);
	return 0;
}

static const struct seq_operations nsp_latency_sops = {
	.start = nsp_latency_start,
	.next = nsp_latency_next,
	.stop = nsp_walk_stop,
	.show = nsp_latency_show,
};

static int nsp_latency_open(struct inode *inode, struct file *file)
{
	return seq_open_private(file, &nsp_latency_sops,
				sizeof(struct nsp_lat_scratch));
}

static const struct file_operations nsp_latency_fops = {
	.owner = THIS_MODULE,
	.open = nsp_latency_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = seq_release_private,
};

/* Reset every netns (all) or the one whose inum is @inum. */
static int nsp_control_reset(bool all, u32 inum)
{
	int err = all ? 0 : -ENOENT;
	struct net *net;

	/* No RTNL: nsp_net_reset() needs only RCU and the netns seqlocks. */
	rcu_read_lock();
	for_each_net_rcu(net) {
		if (!all && net->ns.inum != inum)
			continue;
		nsp_net_reset(nsp_net(net));
		err = 0;
	}
	rcu_read_unlock();
	if (all)
		nsp_node_reset();
	return err;
}

/* Parses one write to "control" (no per-file state: @unused). */
static int nsp_control_parse(void *unused, char *buf, size_t len)
{
	static const char prefix[] = "reset ";
	u64 inum;

	if (!strcmp(buf, "reset"))
		return nsp_control_reset(true, 0);
	if (strncmp(buf, prefix, sizeof(prefix) - 1) ||
	    nsp_parse_kv(buf + sizeof(prefix) - 1, "inum", &inum) ||
	    inum > U32_MAX)
		return -EINVAL;
	return nsp_control_reset(false, inum);
}

static ssize_t nsp_control_write(struct file *file, const char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	return nsp_write_line(ubuf, count, NSP_CONTROL_MAX, NULL,
			      nsp_control_parse);
}

static const struct file_operations nsp_control_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = nsp_control_write,
	.llseek = noop_llseek,
};

/**
 * nsp_debugfs_init() - create <debugfs>/nsprobe and its files
 *
 * Return: 0, or the error of debugfs_create_dir(): -ENODEV without debugfs,
 * -EPERM when lockdown restricts it, -EEXIST if the directory exists.
 */
int nsp_debugfs_init(void)
{
	struct dentry *dir;

	dir = debugfs_create_dir(NSP_DEBUGFS_DIR, NULL);
	if (IS_ERR(dir))
		return PTR_ERR(dir);

	debugfs_create_file(NSP_FILE_VERSION, 0444, dir, NULL, &nsp_version_fops);
	debugfs_create_file(NSP_FILE_PROBES, 0444, dir, NULL,
			    &nsp_probes_file_fops);
	debugfs_create_file(NSP_FILE_STATS, 0444, dir, NULL, &nsp_stats_fops);
	debugfs_create_file(NSP_FILE_NETNS, 0444, dir, NULL, &nsp_netns_fops);
	debugfs_create_file(NSP_FILE_DEVICES, 0444, dir, NULL,
			    &nsp_devices_fops);
	debugfs_create_file(NSP_FILE_SIGNALS, 0444, dir, NULL,
			    &nsp_signals_fops);
	debugfs_create_file(NSP_FILE_EVENTS, 0644, dir, NULL, &nsp_events_fops);
	debugfs_create_file(NSP_FILE_POSTMORTEM, 0444, dir, NULL,
			    &nsp_postmortem_fops);
	debugfs_create_file(NSP_FILE_CONTROL, 0200, dir, NULL,
			    &nsp_control_fops);
	if (nsp_latency)
		debugfs_create_file(NSP_FILE_LATENCY, 0444, dir, NULL,
				    &nsp_latency_fops);
	nsp_debugfs_dir = dir;
	return 0;
}

/**
 * nsp_debugfs_exit() - remove the directory; waits for open file operations
 */
void nsp_debugfs_exit(void)
{
	debugfs_remove(nsp_debugfs_dir);
	nsp_debugfs_dir = NULL;
}
