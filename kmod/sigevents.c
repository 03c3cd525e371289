// SPDX-License-Identifier: GPL-2.0
/*
 * The signal event ring of each network namespace (format.h "events").
 *
 * Its own pernet subsystem (.id/.size), registered by nsp_signal_init()
 * before the signal hooks arm and unregistered after they are gone, so the
 * ring's life does not touch netns.c. The ring is allocated in the pernet
 * init, in process context (kvcalloc(), GFP_KERNEL): the hook never
 * allocates, and a failed allocation fails the netns creation (or the module
 * load) cleanly instead of losing events silently.
 *
 * Bounded: sig_events slots (module parameter, default 256, 0 for none),
 * fixed per netns at its creation. When full, the oldest event is
 * overwritten; readers see that as overflow = written - size.
 *
 * Locking: one raw_spinlock_t per netns, taken with interrupts off, held
 * for one struct copy. The writer is the sig_outcome tracepoint probe (under
 * the target's siglock; preemption off); readers are debugfs reads. A raw
 * spinlock stays a spinning lock on PREEMPT_RT, so taking it inside the
 * siglock (a sleeping lock on RT) is allowed there; nothing is taken inside
 * it. NMI is never a writer (signals are not generated from NMI; the hook
 * refuses NMI anyway).
 *
 * Lifetime: the writer reaches the ring under rcu_read_lock() through a
 * netns it proved alive (kmod/signal.c); cleanup_net() waits for an RCU
 * grace period before any pernet exit, so the ring outlives the writer.
 * Readers walk for_each_net_rcu() under rcu_read_lock(), with the same
 * argument as every other debugfs file.
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
#include "sigevents.h"

static unsigned int sig_events = 256;
module_param(sig_events, uint, 0444);
MODULE_PARM_DESC(sig_events, "Signal events kept per netns (default 256, 0: none, at most 65536)");

#define NSP_SIG_EVENTS_MAX 65536

/**
 * struct nsp_sigev_net - the ring of one netns (net_generic)
 * @lock:    protects everything below
 * @ev:      @size slots; NULL when @size is 0
 * @size:    slots
 * @written: events written so far; event seq N lives in slot (N-1) % @size
 */
struct nsp_sigev_net {
	raw_spinlock_t lock;
	struct nsp_sig_event *ev;
	u32 size;
	u64 written;
};

static unsigned int nsp_sigev_id __read_mostly;

static const char * const nsp_outcome_names[] = NSP_SIG_OUTCOME_NAMES;
static const char * const nsp_reason_names[] = NSP_SIG_REASON_NAMES;
static const char * const nsp_origin_names[] = NSP_SIG_ORIGIN_NAMES;
static const char * const nsp_cause_names[] = NSP_SIG_CAUSE_NAMES;

static int __net_init nsp_sigev_net_init(struct net *net)
{
	struct nsp_sigev_net *r = net_generic(net, nsp_sigev_id);

	raw_spin_lock_init(&r->lock);
	r->size = min_t(unsigned int, sig_events, NSP_SIG_EVENTS_MAX);
	if (!r->size)
		return 0;
	r->ev = kvcalloc(r->size, sizeof(*r->ev), GFP_KERNEL);
	if (!r->ev) {
		atomic64_inc(&nsp_alloc_failed);
		return -ENOMEM;
	}
	return 0;
}

static void __net_exit nsp_sigev_net_exit(struct net *net)
{
	struct nsp_sigev_net *r = net_generic(net, nsp_sigev_id);

	kvfree(r->ev);
	r->ev = NULL;
}

static struct pernet_operations nsp_sigev_ops = {
	.init = nsp_sigev_net_init,
	.exit = nsp_sigev_net_exit,
	.id = &nsp_sigev_id,
	.size = sizeof(struct nsp_sigev_net),
};

/**
 * nsp_sigev_add() - append one event to a netns' ring
 * @net: the target's netns, alive under the caller's rcu_read_lock()
 * @e:   the event; its seq is set here
 *
 * Context: any but NMI; no allocation, no sleeping.
 */
u64 nsp_sigev_add(const struct net *net, const struct nsp_sig_event *e)
{
	struct nsp_sigev_net *r = net_generic(net, nsp_sigev_id);
	struct nsp_sig_event *slot;
	unsigned long flags;
	u64 seq;

	if (!r->ev)
		return 0;
	raw_spin_lock_irqsave(&r->lock, flags);
	slot = &r->ev[r->written % r->size];
	*slot = *e;
	seq = ++r->written;
	slot->seq = seq;
	raw_spin_unlock_irqrestore(&r->lock, flags);
	return seq;
}

/**
 * nsp_sigev_set_cause() - mark an event of the ring with its cause
 * @net:   its netns, alive (as for nsp_sigev_add())
 * @seq:   what nsp_sigev_add() returned; 0 (no ring) does nothing
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

	if (!r->ev || !seq)
		return;
	raw_spin_lock_irqsave(&r->lock, flags);
	slot = &r->ev[(seq - 1) % r->size];
	if (slot->seq == seq)
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

static void nsp_sigev_show_one(struct seq_file *m, const struct net *net,
			       const struct nsp_sig_event *e)
{
	seq_printf(m, "ev inum=%u cookie=%llu seq=%llu ts_ns=%llu sender_pid=%u sender_tgid=%u sender_comm=",
		   net->ns.inum, nsp_net_cookie(net), e->seq, e->ts_ns,
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
	for (s = first; r->ev && s <= written; s++) {
		raw_spin_lock_irqsave(&r->lock, flags);
		e = r->ev[(s - 1) % r->size];
		raw_spin_unlock_irqrestore(&r->lock, flags);
		if (e.seq == s)
			nsp_sigev_show_one(m, net, &e);
	}
}

/**
 * nsp_sigev_init() - register the ring's pernet subsystem
 *
 * Allocates a ring for every existing netns.
 *
 * Context: process context; sleeps.
 * Return: 0 or -ENOMEM.
 */
int nsp_sigev_init(void)
{
	return register_pernet_subsys(&nsp_sigev_ops);
}

/**
 * nsp_sigev_exit() - free every ring; no hook may run any more
 */
void nsp_sigev_exit(void)
{
	unregister_pernet_subsys(&nsp_sigev_ops);
}
