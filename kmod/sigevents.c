// SPDX-License-Identifier: GPL-2.0
/*
 * The signal event ring of each network namespace (format.h "events").
 *
 * Its own pernet subsystem (.id/.size), registered by nsp_signal_init()
 * before the signal hooks arm and unregistered after they are gone, so the
 * ring's life does not touch netns.c.
 *
 * Memory on first use: the ring is sig_events slots (module parameter,
 * default 256, 0 for none, at most NSP_SIG_EVENTS_MAX), stored in
 * page-sized chunks of NSP_SIGEV_PER_CHUNK events, reached through a
 * directory of chunk pointers (8 bytes per chunk: 48 bytes at the default,
 * 11 KiB at the maximum). The pernet data is a fixed 32 bytes; the directory
 * is taken from a preallocated pool on the netns' first event and each
 * chunk when the writer first reaches it (pool.c), since the writer is a
 * tracepoint probe where nothing may be allocated on PREEMPT_RT. A netns
 * that never sees a signal costs the 32 bytes; netns creation never fails
 * because of the ring. With the pool empty the event is not stored, and
 * counted in alloc_failed (the netns' and the module's); "written" counts
 * stored events only, so the ring stays gap-free.
 *
 * Bounded: when full, the oldest event is overwritten; readers see that as
 * overflow = written - size.
 *
 * Locking: one raw_spinlock_t per netns, taken with interrupts off, held
 * for one struct copy (and, on a chunk's first use, the pool's raw spinlock
 * nested inside it). The writer is the sig_outcome tracepoint probe (under
 * the target's siglock; preemption off); readers are debugfs reads. A raw
 * spinlock stays a spinning lock on PREEMPT_RT, so taking it inside the
 * siglock (a sleeping lock on RT) is allowed there. NMI is never a writer
 * (signals are not generated from NMI; the hook refuses NMI anyway).
 *
 * Lifetime: the writer reaches the ring under rcu_read_lock() through a
 * netns it proved alive (kmod/signal.c); cleanup_net() waits for an RCU
 * grace period before any pernet exit, so the chunks outlive the writer.
 * Readers walk for_each_net_rcu() under rcu_read_lock(), with the same
 * argument as every other debugfs file. The chunks go back to the pool at
 * the pernet exit.
 */

#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include <nsprobe/format.h>

#include "compat.h"
#include "netns.h"
#include "pool.h"
#include "postmortem.h"
#include "sigevents.h"

static unsigned int sig_events = 256;
module_param(sig_events, uint, 0444);
MODULE_PARM_DESC(sig_events, "Signal events kept per netns (default 256, 0: none, at most 65536)");

#define NSP_SIG_EVENTS_MAX 65536

/* Events per chunk: a chunk is one page. */
#define NSP_SIGEV_PER_CHUNK (PAGE_SIZE / sizeof(struct nsp_sig_event))
#define NSP_SIGEV_CHUNKS(n) DIV_ROUND_UP(n, NSP_SIGEV_PER_CHUNK)

/*
 * Kept ready: the directory and first chunk of 16 namespaces' rings (64 KiB
 * of chunks); the refill work tops each pool up again from half.
 */
#define NSP_SIGEV_POOL 16

/**
 * struct nsp_sigev_net - the ring of one netns (net_generic)
 * @lock:    protects everything below
 * @size:    slots
 * @written: events stored so far; event seq N lives in slot (N-1) % @size
 * @dir:     NULL until the first event; then NSP_SIGEV_CHUNKS(@size) chunk
 *           pointers, each NULL until the writer first reaches it; chunk c
 *           holds slots c * NSP_SIGEV_PER_CHUNK..
 */
struct nsp_sigev_net {
	raw_spinlock_t lock;
	u32 size;
	u64 written;
	struct nsp_sig_event **dir;
};

static unsigned int nsp_sigev_id __read_mostly;
static unsigned int nsp_sigev_size __read_mostly;
static struct nsp_pool nsp_dir_pool;	/* blocks of NSP_SIGEV_CHUNKS(size) pointers */
static struct nsp_pool nsp_chunk_pool;	/* blocks of NSP_SIGEV_PER_CHUNK events */

static const char * const nsp_outcome_names[] = NSP_SIG_OUTCOME_NAMES;
static const char * const nsp_reason_names[] = NSP_SIG_REASON_NAMES;
static const char * const nsp_origin_names[] = NSP_SIG_ORIGIN_NAMES;
static const char * const nsp_cause_names[] = NSP_SIG_CAUSE_NAMES;

/* Allocates nothing: a netns creation never fails because of the ring. */
static int __net_init nsp_sigev_net_init(struct net *net)
{
	struct nsp_sigev_net *r = net_generic(net, nsp_sigev_id);

	raw_spin_lock_init(&r->lock);
	r->size = nsp_sigev_size;
	return 0;
}

/**
 * nsp_sigev_ring_free() - free a ring's chunks and directory
 * @ring: a ring no writer can reach any more; emptied
 *
 * Context: process context.
 */
void nsp_sigev_ring_free(struct nsp_sigev_ring *ring)
{
	unsigned int c;

	if (!ring->dir)
		return;
	for (c = 0; c < NSP_SIGEV_CHUNKS(ring->size); c++)
		nsp_pool_free(&nsp_chunk_pool, ring->dir[c]);
	nsp_pool_free(&nsp_dir_pool, ring->dir);
	ring->dir = NULL;
}

/*
 * Runs before netns.c's exit_batch (pernet exits run in the reverse order
 * of registration, and this subsystem registers after it). With post-mortem
 * records on, the ring moves into the netns' struct nsp_net, whose
 * exit_batch hands it to the record or frees it (nsp_pm_keep()); both
 * happen in the same cleanup_net(), which holds pernet_ops_rwsem, so the
 * pools outlive the move. At module unload, records are off by then
 * (nsp_pm_stop()): the ring is freed here.
 */
static void __net_exit nsp_sigev_net_exit(struct net *net)
{
	struct nsp_sigev_net *r = net_generic(net, nsp_sigev_id);
	struct nsp_sigev_ring ring = {
		.size = r->size, .written = r->written, .dir = r->dir,
	};

	r->dir = NULL;
	if (ring.dir && nsp_pm_wanted())
		nsp_net(net)->dead_ring = ring;
	else
		nsp_sigev_ring_free(&ring);
}

static struct pernet_operations nsp_sigev_ops = {
	.init = nsp_sigev_net_init,
	.exit = nsp_sigev_net_exit,
	.id = &nsp_sigev_id,
	.size = sizeof(struct nsp_sigev_net),
};

/*
 * The chunk pointer of seq @s (1..), NULL if the directory is not there.
 * Context: r->lock held, r->size > 0.
 */
static struct nsp_sig_event **nsp_sigev_chunk(struct nsp_sigev_net *r, u64 s)
{
	u32 i = (s - 1) % r->size;

	return r->dir ? &r->dir[i / NSP_SIGEV_PER_CHUNK] : NULL;
}

/* The slot of seq @s, NULL if its chunk is not there. r->lock held. */
static struct nsp_sig_event *nsp_sigev_slot(struct nsp_sigev_net *r, u64 s)
{
	struct nsp_sig_event **c = nsp_sigev_chunk(r, s);

	return c && *c ? &(*c)[(s - 1) % r->size % NSP_SIGEV_PER_CHUNK] : NULL;
}

/**
 * nsp_sigev_add() - append one event to a netns' ring
 * @net: the target's netns, alive under the caller's rcu_read_lock()
 * @e:   the event; its seq is set here
 *
 * On the netns' first event, takes the ring's chunk directory from a pool,
 * and on the first event of each chunk, the chunk; with a pool empty the
 * event is dropped and counted in alloc_failed.
 *
 * Return: the event's seq (1..), 0 if it was not stored (no ring, or a pool
 * empty).
 *
 * Context: any but NMI; no allocation, no sleeping (PREEMPT_RT too).
 */
u64 nsp_sigev_add(const struct net *net, const struct nsp_sig_event *e)
{
	struct nsp_sigev_net *r = net_generic(net, nsp_sigev_id);
	struct nsp_sig_event *slot, **c;
	unsigned long flags;
	u64 seq = 0;

	if (!r->size)
		return 0;
	raw_spin_lock_irqsave(&r->lock, flags);
	slot = nsp_sigev_slot(r, r->written + 1);
	if (unlikely(!slot)) {
		if (!r->dir)
			r->dir = nsp_pool_take(&nsp_dir_pool);
		c = nsp_sigev_chunk(r, r->written + 1);
		if (c) {
			*c = nsp_pool_take(&nsp_chunk_pool);
			if (*c)
				atomic_inc(&nsp_net(net)->ev_chunks);
		}
		slot = nsp_sigev_slot(r, r->written + 1);
	}
	if (slot) {
		*slot = *e;
		seq = ++r->written;
		slot->seq = seq;
	}
	raw_spin_unlock_irqrestore(&r->lock, flags);
	if (!seq)
		nsp_net_alloc_failed(nsp_net(net));
	return seq;
}

/**
 * nsp_sigev_set_cause() - mark an event of the ring with its cause
 * @net:   its netns, alive (as for nsp_sigev_add())
 * @seq:   what nsp_sigev_add() returned; 0 (not stored) does nothing
 * @cause: NSP_SIG_CAUSE_*
 *
 * Does nothing if the event was overwritten meanwhile.
 *
 * Context: any but NMI; takes the ring's raw spinlock.
 */
void nsp_sigev_set_cause(const struct net *net, u64 seq, u8 cause)
{
	struct nsp_sigev_net *r = net_generic(net, nsp_sigev_id);
	struct nsp_sig_event *slot;
	unsigned long flags;

	if (!r->size || !seq)
		return;
	raw_spin_lock_irqsave(&r->lock, flags);
	slot = nsp_sigev_slot(r, seq);
	if (slot && slot->seq == seq)
		slot->cause = cause;
	raw_spin_unlock_irqrestore(&r->lock, flags);
}

/* format.h escaping: bytes outside printable ASCII, ' ', '=' and '\\'. */
static void nsp_sigev_escape(struct seq_file *m, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && s[i]; i++) {
		unsigned char c = s[i];

		if (c > ' ' && c < 0x7f && c != '=' && c != '\\')
			seq_putc(m, c);
		else
			seq_printf(m, "\\%03o", c);
	}
}

static void nsp_sigev_show_one(struct seq_file *m, u32 inum, u64 cookie,
			       const struct nsp_sig_event *e)
{
	seq_printf(m, "ev inum=%u cookie=%llu seq=%llu ts_ns=%llu sender_pid=%u sender_tgid=%u sender_comm=",
		   inum, cookie, e->seq, e->ts_ns,
		   e->sender_pid, e->sender_tgid);
	nsp_sigev_escape(m, e->sender_comm, sizeof(e->sender_comm));
	seq_printf(m, " sender_netns=%u target_pid=%u target_tgid=%u target_comm=",
		   e->sender_netns, e->target_pid, e->target_tgid);
	nsp_sigev_escape(m, e->target_comm, sizeof(e->target_comm));
	seq_printf(m, " target_nspid=%u target_pidns=%u signo=%u code=%d outcome=%s reason=%s origin=%s forced=%s cause=%s\n",
		   e->target_nspid, e->target_pidns, e->sig, e->code,
		   nsp_outcome_names[e->outcome], nsp_reason_names[e->reason],
		   nsp_origin_names[e->origin],
		   e->forced == NSP_SIG_FORCED_YES ? "1" :
		   e->forced == NSP_SIG_FORCED_NO ? "0" : "-",
		   nsp_cause_names[e->cause]);
}

/**
 * nsp_sigev_show_net() - the "evring" record and the events of one netns
 * @m:   the seq_file of "events"
 * @net: a netns reached under rcu_read_lock()
 *
 * Copies one event at a time under the ring lock and prints it outside;
 * an event overwritten meanwhile is skipped (and is part of overflow).
 *
 * Context: rcu_read_lock() held.
 */
void nsp_sigev_show_net(struct seq_file *m, const struct net *net)
{
	struct nsp_sigev_net *r = net_generic(net, nsp_sigev_id);
	struct nsp_sig_event e;
	unsigned long flags;
	u64 first, written, s;

	raw_spin_lock_irqsave(&r->lock, flags);
	written = r->written;
	raw_spin_unlock_irqrestore(&r->lock, flags);
	first = written > r->size ? written - r->size + 1 : 1;
	seq_printf(m, "evring inum=%u cookie=%llu size=%u written=%llu overflow=%llu\n",
		   net->ns.inum, nsp_net_cookie(net), r->size, written,
		   first - 1);
	for (s = first; r->size && s <= written; s++) {
		struct nsp_sig_event *slot;

		e.seq = 0;
		raw_spin_lock_irqsave(&r->lock, flags);
		slot = nsp_sigev_slot(r, s);
		if (slot)
			e = *slot;
		raw_spin_unlock_irqrestore(&r->lock, flags);
		if (e.seq == s)
			nsp_sigev_show_one(m, net->ns.inum, nsp_net_cookie(net),
					   &e);
	}
}

/**
 * nsp_sigev_show_dead() - the "evring" record and events of a dead netns
 * @m:      the seq_file of "events"
 * @inum:   its inum
 * @cookie: its cookie
 * @ring:   its ring, owned by a post-mortem record: no writer any more
 *
 * Context: the post-mortem list lock held (the record cannot go).
 */
void nsp_sigev_show_dead(struct seq_file *m, u32 inum, u64 cookie,
			 const struct nsp_sigev_ring *ring)
{
	u64 first, s;

	first = ring->written > ring->size ? ring->written - ring->size + 1 : 1;
	seq_printf(m, "evring inum=%u cookie=%llu size=%u written=%llu overflow=%llu\n",
		   inum, cookie, ring->size, ring->written, first - 1);
	for (s = first; ring->size && ring->dir && s <= ring->written; s++) {
		u32 i = (s - 1) % ring->size;
		const struct nsp_sig_event *c = ring->dir[i / NSP_SIGEV_PER_CHUNK];

		if (c && c[i % NSP_SIGEV_PER_CHUNK].seq == s)
			nsp_sigev_show_one(m, inum, cookie,
					   &c[i % NSP_SIGEV_PER_CHUNK]);
	}
}

/**
 * nsp_sigev_init() - fill the chunk pool, register the ring's pernet subsystem
 *
 * Takes sig_events (capped at NSP_SIG_EVENTS_MAX), fills the directory and
 * chunk pools and sets up an empty ring for every existing netns.
 *
 * Context: process context; sleeps.
 * Return: 0, or -ENOMEM (a pool's slab cache), or another error of
 * register_pernet_subsys().
 */
int nsp_sigev_init(void)
{
	unsigned int target;
	int err;

	/* The netns core allocates .size per netns: keep it order-0. */
	BUILD_BUG_ON(sizeof(struct nsp_sigev_net) > PAGE_SIZE);
	BUILD_BUG_ON(NSP_SIGEV_PER_CHUNK < 1);
	nsp_sigev_size = min_t(unsigned int, sig_events, NSP_SIG_EVENTS_MAX);
	target = nsp_sigev_size ? NSP_SIGEV_POOL : 0;
	err = nsp_pool_init(&nsp_dir_pool, "nsp_sigev_dir",
			    max_t(unsigned int, 1, NSP_SIGEV_CHUNKS(nsp_sigev_size)) *
			    sizeof(struct nsp_sig_event *), target);
	if (err)
		return err;
	err = nsp_pool_init(&nsp_chunk_pool, "nsp_sigev_chunk",
			    NSP_SIGEV_PER_CHUNK * sizeof(struct nsp_sig_event),
			    target);
	if (err)
		goto err_dir;
	err = register_pernet_subsys(&nsp_sigev_ops);
	if (err)
		goto err_chunk;
	return 0;

err_chunk:
	nsp_pool_exit(&nsp_chunk_pool);
err_dir:
	nsp_pool_exit(&nsp_dir_pool);
	return err;
}

/**
 * nsp_sigev_exit() - free every ring and the chunk pool; no hook may run
 *
 * Context: process context; sleeps.
 */
void nsp_sigev_exit(void)
{
	unregister_pernet_subsys(&nsp_sigev_ops);
	nsp_pool_exit(&nsp_chunk_pool);
	nsp_pool_exit(&nsp_dir_pool);
}
