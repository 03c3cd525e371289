// SPDX-License-Identifier: GPL-2.0
/*
 * The signal event rings of each network namespace (format.h "events").
 *
 * Its own pernet subsystem (.id/.size), registered by nsp_signal_init()
 * before the signal hooks arm and unregistered after they are gone, so the
 * rings' life does not touch netns.c.
 *
 * Two rings per netns (issue 9, item 5): notable events (kills, signals
 * ignored by the init protection, anything a process sent on purpose; see
 * nsp_sigev_notable()) and routine ones (SIGCHLD, timers, ...). A busy
 * netns overwrites its routine ring many times a second, and would push
 * the one SIGTERM that explains a container's end out of a shared ring
 * within seconds. Each event gets a seq from one per-netns counter, so the
 * reader merges the two rings back into one order; each ring counts what it
 * overwrote (evring overflow, notable_overflow).
 *
 * Memory on first use: a ring is sig_events (routine, default 256) or
 * sig_events_notable (default 64) slots (module parameters, 0 for none, at
 * most NSP_SIG_EVENTS_MAX), stored in page-sized chunks of
 * NSP_SIGEV_PER_CHUNK events, reached through a directory of chunk
 * pointers (8 bytes per chunk). The pernet data is a fixed 64 bytes or so;
 * a ring's directory is taken from a preallocated pool on its first event
 * and each chunk when the writer first reaches it (pool.c), since the
 * writer is a tracepoint probe where nothing may be allocated on
 * PREEMPT_RT. A netns that never sees a signal costs the pernet data;
 * netns creation never fails because of the rings. With the pool empty the
 * event is not stored, and counted in alloc_failed (the netns' and the
 * module's); "written" counts stored events only, so each ring stays
 * gap-free.
 *
 * Bounded: when a ring is full, its oldest event is overwritten; readers see
 * that as its overflow = written - size.
 *
 * Locking: one raw_spinlock_t per netns for both rings, taken with
 * interrupts off, held for one struct copy (and, on a chunk's first use,
 * the pool's raw spinlock nested inside it). The writer is the sig_outcome
 * tracepoint probe (under the target's siglock; preemption off); readers
 * are debugfs reads. A raw spinlock stays a spinning lock on PREEMPT_RT, so
 * taking it inside the siglock (a sleeping lock on RT) is allowed there.
 * NMI is never a writer (signals are not generated from NMI; the hook
 * refuses NMI anyway).
 *
 * Waiting for events (format 1.7): every stored event also takes a number
 * from one node-wide sequence, nsp_sigev_gseq (ev gseq=), so a reader of
 * the "events" file can ask for what is newer than the last event it saw
 * in any netns, and poll() that file until there is some (debugfs.c). The
 * writer runs in a tracepoint probe under the target's siglock with
 * interrupts off, in any context; on PREEMPT_RT a wait queue's lock is a
 * sleeping lock, so it may not wake the readers itself. It only tests, with
 * the barrier of wq_has_sleeper(), whether anyone waits, and if so queues
 * an irq_work (safe in any context; on RT it runs in the irq_work kthread),
 * whose callback wakes the wait queue. A poller adds itself to the queue
 * before it reads nsp_sigev_gseq or a netns' seq (nsp_sigev_poll_wait(),
 * smp_mb() between),
 * and the writer bumps nsp_sigev_gseq before it tests the queue: either
 * the poller sees the new number or the writer sees the poller. An open
 * "events" file pins the module (debugfs takes a reference on our fops'
 * owner), so no poller waits on the queue when nsp_sigev_exit() runs; it
 * waits for a queued irq_work with irq_work_sync() before returning.
 *
 * Lifetime: the writer reaches the rings under rcu_read_lock() through a
 * netns it proved alive (kmod/signal.c); cleanup_net() waits for an RCU
 * grace period before any pernet exit, so the chunks outlive the writer.
 * Readers walk for_each_net_rcu() under rcu_read_lock(), with the same
 * argument as every other debugfs file. At the pernet exit the rings go to
 * the netns' post-mortem record (postmortem.c), or their chunks go back to
 * the pool.
 */

#include <linux/irq_work.h>
#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/moduleparam.h>
#include <linux/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
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
MODULE_PARM_DESC(sig_events, "Routine signal events kept per netns (default 256, 0: none, at most 65536)");

static unsigned int sig_events_notable = 64;
module_param(sig_events_notable, uint, 0444);
MODULE_PARM_DESC(sig_events_notable, "Notable signal events (kills, ignored, OOM; see format.h) kept per netns (default 64, 0: none, at most 65536)");

#define NSP_SIG_EVENTS_MAX 65536

/* Events per chunk: a chunk is one page. */
#define NSP_SIGEV_PER_CHUNK (PAGE_SIZE / sizeof(struct nsp_sig_event))
#define NSP_SIGEV_CHUNKS(n) DIV_ROUND_UP(n, NSP_SIGEV_PER_CHUNK)

/*
 * Kept ready: the directory and first chunk of 16 rings (64 KiB of
 * chunks); the refill work tops each pool up again from half.
 */
#define NSP_SIGEV_POOL 16

/**
 * struct nsp_sigev_net - the rings of one netns (net_generic)
 * @lock: protects @r
 * @r:    the rings and the netns' event count
 */
struct nsp_sigev_net {
	raw_spinlock_t lock;
	struct nsp_sigev_rings r;
};

static unsigned int nsp_sigev_id __read_mostly;
static unsigned int nsp_sigev_sizes[NSP_EV_CLASSES] __read_mostly;
/* blocks of NSP_SIGEV_CHUNKS(the larger size) pointers */
static struct nsp_pool nsp_dir_pool;
/* blocks of NSP_SIGEV_PER_CHUNK events */
static struct nsp_pool nsp_chunk_pool;

/* (1.7) The node-wide event sequence, and the readers waiting for it. */
static atomic64_t nsp_sigev_gseq = ATOMIC64_INIT(0);
static DECLARE_WAIT_QUEUE_HEAD(nsp_sigev_waitq);

static void nsp_sigev_wake_fn(struct irq_work *w)
{
	wake_up_interruptible_all(&nsp_sigev_waitq);
}

static struct irq_work nsp_sigev_wake_work;

static const char * const nsp_outcome_names[] = NSP_SIG_OUTCOME_NAMES;
static const char * const nsp_reason_names[] = NSP_SIG_REASON_NAMES;
static const char * const nsp_origin_names[] = NSP_SIG_ORIGIN_NAMES;
static const char * const nsp_cause_names[] = NSP_SIG_CAUSE_NAMES;
static const char * const nsp_class_names[] = NSP_SIG_EV_CLASS_NAMES;

/* Allocates nothing: a netns creation never fails because of the rings. */
static int __net_init nsp_sigev_net_init(struct net *net)
{
	struct nsp_sigev_net *n = net_generic(net, nsp_sigev_id);
	int cl;

	raw_spin_lock_init(&n->lock);
	for (cl = 0; cl < NSP_EV_CLASSES; cl++)
		n->r.ring[cl].size = nsp_sigev_sizes[cl];
	return 0;
}

/**
 * nsp_sigev_rings_free() - free the rings' chunks and directories
 * @rings: rings no writer can reach any more; emptied
 *
 * Context: process context.
 */
void nsp_sigev_rings_free(struct nsp_sigev_rings *rings)
{
	struct nsp_sigev_ring *ring;
	unsigned int c;
	int cl;

	for (cl = 0; cl < NSP_EV_CLASSES; cl++) {
		ring = &rings->ring[cl];
		if (!ring->dir)
			continue;
		for (c = 0; c < NSP_SIGEV_CHUNKS(ring->size); c++)
			nsp_pool_free(&nsp_chunk_pool, ring->dir[c]);
		nsp_pool_free(&nsp_dir_pool, ring->dir);
		ring->dir = NULL;
	}
}

/*
 * Runs before netns.c's exit_batch (pernet exits run in the reverse order
 * of registration, and this subsystem registers after it). With post-mortem
 * records on, the rings move into the netns' struct nsp_net, whose
 * exit_batch hands them to the record or frees them (nsp_pm_keep()); both
 * happen in the same cleanup_net(), which holds pernet_ops_rwsem, so the
 * pools outlive the move. At module unload, records are off by then
 * (nsp_pm_stop()): the rings are freed here.
 */
static void __net_exit nsp_sigev_net_exit(struct net *net)
{
	struct nsp_sigev_net *n = net_generic(net, nsp_sigev_id);
	struct nsp_sigev_rings rings = n->r;
	int cl;

	for (cl = 0; cl < NSP_EV_CLASSES; cl++)
		n->r.ring[cl].dir = NULL;
	if (nsp_pm_wanted())
		nsp_net(net)->dead_rings = rings;
	else
		nsp_sigev_rings_free(&rings);
}

static struct pernet_operations nsp_sigev_ops = {
	.init = nsp_sigev_net_init,
	.exit = nsp_sigev_net_exit,
	.id = &nsp_sigev_id,
	.size = sizeof(struct nsp_sigev_net),
};

/*
 * The chunk pointer of position @p (1..), NULL if the directory is not
 * there. Context: the ring's lock held (or no writer), r->size > 0.
 */
static struct nsp_sig_event **nsp_sigev_chunk(const struct nsp_sigev_ring *r,
					      u64 p)
{
	u32 i = (p - 1) % r->size;

	return r->dir ? &r->dir[i / NSP_SIGEV_PER_CHUNK] : NULL;
}

/* The slot of position @p, NULL if its chunk is not there. As above. */
static struct nsp_sig_event *nsp_sigev_slot(const struct nsp_sigev_ring *r,
					    u64 p)
{
	struct nsp_sig_event **c = nsp_sigev_chunk(r, p);

	return c && *c ? &(*c)[(p - 1) % r->size % NSP_SIGEV_PER_CHUNK] : NULL;
}

/**
 * nsp_sigev_notable() - does an event go to the notable ring?
 * @e: the event, its outcome known
 *
 * Notable: what a container's story is made of, kept apart from the
 * routine traffic of a busy netns (a shell reaping children: SIGCHLD; a
 * runtime preempting threads: SIGURG; timers: SIGALRM, SIGPROF). That is an
 * event with a cause (an OOM kill, a kill at a pid namespace's teardown),
 * one that terminates its target, SIGKILL and SIGSTOP, a signal ignored by
 * the pid namespace init protection, and any signal a process sent
 * (kill(), tgkill(), sigqueue()) but those whose default action is to be
 * ignored (SIGCHLD, SIGCONT, SIGURG, SIGWINCH: sig_kernel_ignore()).
 * Everything else the kernel sends is routine.
 *
 * Return: true for the notable ring.
 */
static bool nsp_sigev_notable(const struct nsp_sig_event *e)
{
	if (e->cause != NSP_SIG_CAUSE_NONE ||
	    e->outcome == NSP_SIG_OUT_DELIVERED_TERM ||
	    e->sig == SIGKILL || e->sig == SIGSTOP)
		return true;
	if (e->outcome == NSP_SIG_OUT_IGNORED && e->reason == NSP_SIG_WHY_INIT)
		return true;
	return e->origin == 0 && !sig_kernel_ignore(e->sig);
}

/**
 * nsp_sigev_add() - append one event to a netns' rings
 * @net: the target's netns, alive under the caller's rcu_read_lock()
 * @e:   the event; its seq, pos and ev_class are set here
 *
 * Into the notable or the routine ring (nsp_sigev_notable()). On a ring's
 * first event, takes its chunk directory from a pool, and on the first
 * event of each chunk, the chunk; with a pool empty the event is dropped
 * and counted in alloc_failed.
 *
 * Return: a handle for nsp_sigev_set_cause(), 0 if the event was not
 * stored (no ring of its class, or a pool empty).
 *
 * Wakes the pollers of "events" through an irq_work when there are some.
 *
 * Context: any but NMI; no allocation, no sleeping (PREEMPT_RT too).
 */
u64 nsp_sigev_add(const struct net *net, const struct nsp_sig_event *e)
{
	struct nsp_sigev_net *n = net_generic(net, nsp_sigev_id);
	int cl = nsp_sigev_notable(e) ? NSP_EV_NOTABLE : NSP_EV_ROUTINE;
	struct nsp_sigev_ring *r = &n->r.ring[cl];
	struct nsp_sig_event *slot, **c;
	unsigned long flags;
	u64 handle = 0, p;

	if (!r->size)
		return 0;
	raw_spin_lock_irqsave(&n->lock, flags);
	p = r->written + 1;
	slot = nsp_sigev_slot(r, p);
	if (unlikely(!slot)) {
		if (!r->dir)
			r->dir = nsp_pool_take(&nsp_dir_pool);
		c = nsp_sigev_chunk(r, p);
		if (c) {
			*c = nsp_pool_take(&nsp_chunk_pool);
			if (*c)
				atomic_inc(&nsp_net(net)->ev_chunks);
		}
		slot = nsp_sigev_slot(r, p);
	}
	if (slot) {
		*slot = *e;
		slot->seq = ++n->r.seq;
		/* Under the lock: a reader that has seen this number finds it. */
		slot->gseq = atomic64_inc_return(&nsp_sigev_gseq);
		n->r.gseq = slot->gseq;
		slot->pos = p;
		slot->ev_class = cl;
		r->written = p;
		handle = p << 1 | cl;
	}
	raw_spin_unlock_irqrestore(&n->lock, flags);
	if (!handle)
		nsp_net_alloc_failed(nsp_net(net));
	/* wq_has_sleeper(): smp_mb(), paired with nsp_sigev_poll()'s. */
	else if (wq_has_sleeper(&nsp_sigev_waitq))
		irq_work_queue(&nsp_sigev_wake_work);
	return handle;
}

/**
 * nsp_sigev_set_cause() - mark an event of the rings with its cause
 * @net:    its netns, alive (as for nsp_sigev_add())
 * @handle: what nsp_sigev_add() returned; 0 (not stored) does nothing
 * @cause:  NSP_SIG_CAUSE_*
 *
 * Does nothing if the event was overwritten meanwhile. The event stays in
 * its ring: only SIGKILL gets a cause, and SIGKILL is always notable.
 *
 * Context: any but NMI; takes the rings' raw spinlock.
 */
void nsp_sigev_set_cause(const struct net *net, u64 handle, u8 cause)
{
	struct nsp_sigev_net *n = net_generic(net, nsp_sigev_id);
	struct nsp_sigev_ring *r = &n->r.ring[handle & 1];
	struct nsp_sig_event *slot;
	unsigned long flags;
	u64 p = handle >> 1;

	if (!r->size || !p)
		return;
	raw_spin_lock_irqsave(&n->lock, flags);
	slot = nsp_sigev_slot(r, p);
	if (slot && slot->pos == p)
		slot->cause = cause;
	raw_spin_unlock_irqrestore(&n->lock, flags);
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
	seq_printf(m, " target_nspid=%u target_pidns=%u signo=%u code=%d outcome=%s reason=%s origin=%s forced=%s cause=%s class=%s gseq=%llu\n",
		   e->target_nspid, e->target_pidns, e->sig, e->code,
		   nsp_outcome_names[e->outcome], nsp_reason_names[e->reason],
		   nsp_origin_names[e->origin],
		   e->forced == NSP_SIG_FORCED_YES ? "1" :
		   e->forced == NSP_SIG_FORCED_NO ? "0" : "-",
		   nsp_cause_names[e->cause], nsp_class_names[e->ev_class],
		   e->gseq);
}

/*
 * Copy the event at position @p of ring @cl into @e; false if it is not
 * there any more (overwritten). @live: the live netns' lock holder, taken
 * per copy; NULL for a dead netns' rings, which have no writer.
 */
static bool nsp_sigev_copy(struct nsp_sigev_net *live,
			   const struct nsp_sigev_rings *rs, int cl, u64 p,
			   struct nsp_sig_event *e)
{
	const struct nsp_sig_event *slot;
	unsigned long flags = 0;
	bool ok;

	if (live)
		raw_spin_lock_irqsave(&live->lock, flags);
	slot = nsp_sigev_slot(&rs->ring[cl], p);
	ok = slot && slot->pos == p;
	if (ok)
		*e = *slot;
	if (live)
		raw_spin_unlock_irqrestore(&live->lock, flags);
	return ok;
}

/*
 * (1.6) Whether a selection's signal set @signals (bit signo - 1; 0: every
 * signal) takes signal @sig.
 */
static bool nsp_sigev_wanted(u64 signals, u32 sig)
{
	return !signals || (sig >= 1 && sig <= 64 && (signals & BIT_ULL(sig - 1)));
}

/*
 * The "evring" record and the events of both rings, merged in seq order.
 * One event is copied at a time (under the lock of a live netns) and
 * printed outside; an event overwritten meanwhile is skipped (it is part of
 * the next read's overflow). (1.7) With @gafter, only the events whose
 * gseq is greater than *@gafter, and nothing at all (no evring record) for
 * rings that hold none.
 */
static void nsp_sigev_show(struct seq_file *m, u32 inum, u64 cookie,
			   struct nsp_sigev_net *live,
			   const struct nsp_sigev_rings *rs, u64 after,
			   u64 signals, const u64 *gafter)
{
	u64 gmin = gafter ? *gafter : 0;
	u64 next[NSP_EV_CLASSES], last[NSP_EV_CLASSES], over[NSP_EV_CLASSES];
	struct nsp_sig_event ev[NSP_EV_CLASSES];
	bool have[NSP_EV_CLASSES] = { };
	unsigned long flags = 0;
	u64 seq, gseq;
	int cl;

	if (live)
		raw_spin_lock_irqsave(&live->lock, flags);
	seq = rs->seq;
	gseq = rs->gseq;
	for (cl = 0; cl < NSP_EV_CLASSES; cl++)
		last[cl] = rs->ring[cl].written;
	if (live)
		raw_spin_unlock_irqrestore(&live->lock, flags);
	if (gafter && gseq <= gmin)
		return;
	for (cl = 0; cl < NSP_EV_CLASSES; cl++) {
		u32 size = rs->ring[cl].size;

		next[cl] = last[cl] > size ? last[cl] - size + 1 : 1;
		over[cl] = next[cl] - 1;
	}
	seq_printf(m, "evring inum=%u cookie=%llu size=%u written=%llu overflow=%llu notable_size=%u notable_written=%llu notable_overflow=%llu\n",
		   inum, cookie,
		   rs->ring[NSP_EV_ROUTINE].size + rs->ring[NSP_EV_NOTABLE].size,
		   seq, over[NSP_EV_ROUTINE] + over[NSP_EV_NOTABLE],
		   rs->ring[NSP_EV_NOTABLE].size, last[NSP_EV_NOTABLE],
		   over[NSP_EV_NOTABLE]);
	/* An overflowed buffer is thrown away and the show run again. */
	while (!seq_has_overflowed(m)) {
		for (cl = 0; cl < NSP_EV_CLASSES; cl++)
			while (!have[cl] && next[cl] <= last[cl])
				have[cl] = nsp_sigev_copy(live, rs, cl,
							  next[cl]++, &ev[cl]) &&
					   ev[cl].seq > after &&
					   ev[cl].gseq > gmin &&
					   nsp_sigev_wanted(signals, ev[cl].sig);
		if (!have[NSP_EV_ROUTINE] && !have[NSP_EV_NOTABLE])
			break;
		cl = !have[NSP_EV_NOTABLE] ||
		     (have[NSP_EV_ROUTINE] &&
		      ev[NSP_EV_ROUTINE].seq < ev[NSP_EV_NOTABLE].seq) ?
		     NSP_EV_ROUTINE : NSP_EV_NOTABLE;
		nsp_sigev_show_one(m, inum, cookie, &ev[cl]);
		have[cl] = false;
	}
}

/**
 * nsp_sigev_show_net() - the "evring" record and the events of one netns
 * @m:     the seq_file of "events"
 * @net:   a netns reached under rcu_read_lock()
 * @after: (format 1.5) only the events whose seq is greater; 0 for all
 * @signals: (format 1.6) only the events of these signals (bit signo - 1);
 *           0 for all. The evring record is the same either way.
 * @gafter: (format 1.7) NULL for all; else only the events whose gseq is
 *          greater than *@gafter, and nothing if the netns has none
 *
 * Context: rcu_read_lock() held.
 */
void nsp_sigev_show_net(struct seq_file *m, const struct net *net, u64 after,
			u64 signals, const u64 *gafter)
{
	struct nsp_sigev_net *n = net_generic(net, nsp_sigev_id);

	nsp_sigev_show(m, net->ns.inum, nsp_net_cookie(net), n, &n->r, after,
		       signals, gafter);
}

/**
 * nsp_sigev_last_gseq() - the node-wide number of the last stored event
 *
 * A reader takes it before it walks the rings: every event with a number
 * up to it is in its ring by then (numbered under the ring's lock).
 *
 * Return: 0 before the first event.
 */
u64 nsp_sigev_last_gseq(void)
{
	return atomic64_read(&nsp_sigev_gseq);
}

/**
 * nsp_sigev_net_seq() - the seq of a netns' last event
 * @net: a netns reached under rcu_read_lock()
 *
 * Taken before its rings are walked, as nsp_sigev_last_gseq().
 *
 * Context: rcu_read_lock() held.
 * Return: 0 before its first event.
 */
u64 nsp_sigev_net_seq(const struct net *net)
{
	struct nsp_sigev_net *n = net_generic(net, nsp_sigev_id);
	unsigned long flags;
	u64 seq;

	raw_spin_lock_irqsave(&n->lock, flags);
	seq = n->r.seq;
	raw_spin_unlock_irqrestore(&n->lock, flags);
	return seq;
}

/**
 * nsp_sigev_wake_all() - wake every poller of "events" to look again
 *
 * For what stores no event: a netns that died (netns.c).
 *
 * Context: process context.
 */
void nsp_sigev_wake_all(void)
{
	if (wq_has_sleeper(&nsp_sigev_waitq))
		wake_up_interruptible_all(&nsp_sigev_waitq);
}

/**
 * nsp_sigev_poll_wait() - the wait of poll() on the "events" file
 * @file: the open file
 * @pt:   poll()'s table
 *
 * The caller reads nsp_sigev_last_gseq() or nsp_sigev_net_seq() after it:
 * an event stored after that read wakes the poller.
 *
 * Context: process context (the file pins the module, so the wait queue
 * outlives every waiter).
 */
void nsp_sigev_poll_wait(struct file *file, poll_table *pt)
{
	poll_wait(file, &nsp_sigev_waitq, pt);
	/* Paired with wq_has_sleeper() in nsp_sigev_add(). */
	smp_mb();
}

/**
 * nsp_sigev_show_dead() - the "evring" record and events of a dead netns
 * @m:      the seq_file of "postmortem"
 * @inum:   its inum
 * @cookie: its cookie
 * @rings:  its rings, owned by a post-mortem record: no writer any more
 *
 * Context: the post-mortem list lock held (the record cannot go).
 */
void nsp_sigev_show_dead(struct seq_file *m, u32 inum, u64 cookie,
			 const struct nsp_sigev_rings *rings)
{
	nsp_sigev_show(m, inum, cookie, NULL, rings, 0, 0, NULL);
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
	unsigned int target, chunks;
	int err;

	/* The netns core allocates .size per netns: keep it order-0. */
	BUILD_BUG_ON(sizeof(struct nsp_sigev_net) > PAGE_SIZE);
	BUILD_BUG_ON(NSP_SIGEV_PER_CHUNK < 1);
	BUILD_BUG_ON(NSP_EV_CLASSES != 2);	/* nsp_sigev_add()'s handle */
	init_irq_work(&nsp_sigev_wake_work, nsp_sigev_wake_fn);
	nsp_sigev_sizes[NSP_EV_ROUTINE] = min_t(unsigned int, sig_events,
						NSP_SIG_EVENTS_MAX);
	nsp_sigev_sizes[NSP_EV_NOTABLE] = min_t(unsigned int, sig_events_notable,
						NSP_SIG_EVENTS_MAX);
	chunks = NSP_SIGEV_CHUNKS(max(nsp_sigev_sizes[NSP_EV_ROUTINE],
				      nsp_sigev_sizes[NSP_EV_NOTABLE]));
	target = chunks ? NSP_SIGEV_POOL : 0;
	err = nsp_pool_init(&nsp_dir_pool, "nsp_sigev_dir",
			    max_t(unsigned int, 1, chunks) *
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
 * No "events" file is open (it would pin the module): no poller waits, and
 * after irq_work_sync() no wake-up runs either.
 *
 * Context: process context; sleeps.
 */
void nsp_sigev_exit(void)
{
	irq_work_sync(&nsp_sigev_wake_work);
	unregister_pernet_subsys(&nsp_sigev_ops);
	nsp_pool_exit(&nsp_chunk_pool);
	nsp_pool_exit(&nsp_dir_pool);
}
