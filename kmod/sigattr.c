// SPDX-License-Identifier: GPL-2.0
/*
 * Attribution of one signal send to its target's network namespace, and
 * OOM kills.
 *
 * kmod/signal.c builds one struct nsp_sig_event per send, in the
 * signal_generate tracepoint (the one hook every send passes, also
 * send_sigqueue()), and hands it to nsp_sig_attribute(). Every counter of
 * that send and its event land in the netns resolved here, once.
 *
 * Resolving the TARGET's netns
 * ----------------------------
 * Another task's ->nsproxy is protected by its task_lock() (->alloc_lock).
 * We hold the target's siglock, and the kernel takes alloc_lock before the
 * siglock elsewhere (the OOM killer: find_lock_task_mm() ...
 * do_send_sig_info() ... task_unlock() in __oom_kill_process(); 6.1.170,
 * 6.12.107), so spinning on alloc_lock here could deadlock; and the holder
 * may be current itself (the OOM killer again). So:
 *
 *  1. target == current: its own ->nsproxy needs no lock: only the task
 *     itself changes it (below). From an interrupt, current is the
 *     interrupted task, which cannot run until we return, so whatever
 *     ->nsproxy it has stays valid meanwhile.
 *  2. in task context, spin_trylock(&t->alloc_lock) succeeds: read
 *     ->nsproxy under it. Never from interrupt context (a timer's signal):
 *     alloc_lock is taken with interrupts on everywhere else, so lockdep
 *     would call even a trylock there inconsistent, and on PREEMPT_RT it is
 *     an rtmutex, which needs a task owner. Never from NMI at all.
 *  3. Otherwise the send is DEFERRED: its event is copied into an entry of
 *     a preallocated pool, with a reference on the target task, and
 *     resolved later by whichever comes first:
 *     a. a work item, in process context: task_lock(t), read ->nsproxy;
 *     b. the target itself, at the entry of exit_task_namespaces() or
 *        switch_task_namespaces() (kprobes "sig_ns_exit", "sig_ns_switch"):
 *        the only functions that change ->nsproxy of a live task, always
 *        called by the task on itself (do_exit(), unshare(), setns(),
 *        execve() for time namespaces; 6.1.170, 6.12.107), and before the
 *        swap, so its own ->nsproxy is still the one the send met;
 *     c. the oom:mark_victim tracepoint, for the OOM killer's SIGKILL: its
 *        caller holds the victim's task lock (or the victim is current).
 *     Because (b) resolves pending sends before every change of ->nsproxy,
 *     (a) reads under task_lock() the same netns the send met. A pool
 *     that is full counts the send in sig_unattributed, never a guess.
 *     A target past exit_task_namespaces() has no ->nsproxy: the netns it
 *     left is looked up by the cookie its sig_ns_exit hook noted, if that
 *     netns still lives (nsp_exited_net()); else the send is unattributed.
 *
 * Lifetime: a netns read from a live ->nsproxy is referenced by it; we use
 * it inside rcu_read_lock() (or under the task lock that pins ->nsproxy),
 * and cleanup_net() waits for an RCU grace period before any pernet exit
 * frees what net_generic() points to.
 *
 * Locks: nsp_pending_lock is a raw spinlock and a leaf (only refcount
 * operations inside it). Taken under the target's siglock (tracepoint),
 * under a task's alloc_lock (work item; OOM killer path), alone (flush).
 * The event ring's raw lock nests inside alloc_lock and the siglock, as
 * before.
 */

#include <linux/hash.h>
#include <linux/irq_work.h>
#include <linux/log2.h>
#include <linux/kprobes.h>
#include <linux/list.h>
#include <linux/nsproxy.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <trace/events/oom.h>

#include "compat.h"
#include "netns.h"
#include "postmortem.h"
#include "probes.h"
#include "sigattr.h"
#include "sigevents.h"

atomic64_t nsp_sig_deferred = ATOMIC64_INIT(0);
atomic64_t nsp_oom_unattributed = ATOMIC64_INIT(0);

/* Sends waiting for their netns at once; more count as unattributed. */
#define NSP_PENDING_MAX 256

/**
 * struct nsp_sig_pending - a send whose netns is resolved later
 * @node:   on nsp_pending or nsp_pending_free
 * @target: the target task, referenced
 * @e:      its event, counters derived from it
 */
struct nsp_sig_pending {
	struct list_head node;
	struct task_struct *target;
	struct nsp_sig_event e;
};

static DEFINE_RAW_SPINLOCK(nsp_pending_lock);
static LIST_HEAD(nsp_pending);
static LIST_HEAD(nsp_pending_free);
static struct nsp_sig_pending *nsp_pending_pool;
/* Entries on nsp_pending: a lockless "anything to do?" for the hooks. */
static atomic_t nsp_pending_count = ATOMIC_INIT(0);

static void nsp_pending_workfn(struct work_struct *w);
static DECLARE_WORK(nsp_pending_work, nsp_pending_workfn);

static void nsp_pending_irq_workfn(struct irq_work *w)
{
	schedule_work(&nsp_pending_work);
}

static struct irq_work nsp_pending_irq_work;

/*
 * The last SIGKILL a task sent with SEND_SIG_PRIV on this CPU, for
 * oom:mark_victim, which follows the OOM killer's SIGKILL on the same CPU
 * (both inside the victim's task_lock(), so preemption is off, or on
 * PREEMPT_RT migration). @seq is the event's handle (nsp_sigev_add()), 0
 * if none; @pending is set if the send was deferred.
 */
struct nsp_oom_slot {
	struct task_struct *sender;
	struct task_struct *target;
	u64 seq;
	bool pending;
};

static DEFINE_PER_CPU(struct nsp_oom_slot, nsp_oom_slot);

static const enum nsp_sig_ctr nsp_sig_reason_ctrs[] = {
	[NSP_SIG_WHY_NONE] = NSP_SIG_CTR_ignored_other,
	[NSP_SIG_WHY_EXITING] = NSP_SIG_CTR_ignored_exiting,
	[NSP_SIG_WHY_SIG_IGN] = NSP_SIG_CTR_ignored_sig_ign,
	[NSP_SIG_WHY_DEFAULT] = NSP_SIG_CTR_ignored_default,
	[NSP_SIG_WHY_INIT] = NSP_SIG_CTR_ignored_init,
	[NSP_SIG_WHY_OTHER] = NSP_SIG_CTR_ignored_other,
};

/* The counters of one send, from its event, in @net; the event's handle. */
static u64 nsp_sig_account(struct net *net, const struct nsp_sig_event *e)
{
	struct nsp_net *pn = nsp_net(net);
	int sig = e->sig;

	nsp_net_sig_inc(pn, sig, NSP_SIG_CTR_generated);
	if (e->forced == NSP_SIG_FORCED_YES)
		nsp_net_sig_inc(pn, sig, NSP_SIG_CTR_forced);
	nsp_net_sig_inc(pn, sig, e->origin ? NSP_SIG_CTR_origin_kernel :
			NSP_SIG_CTR_origin_process);
	switch (e->outcome) {
	case NSP_SIG_OUT_IGNORED:
		nsp_net_sig_inc(pn, sig, nsp_sig_reason_ctrs[e->reason]);
		if (sig == SIGCONT && e->reason == NSP_SIG_WHY_DEFAULT)
			nsp_net_sig_inc(pn, sig, NSP_SIG_CTR_ignored_cont);
		break;
	case NSP_SIG_OUT_COALESCED:
		nsp_net_sig_inc(pn, sig, NSP_SIG_CTR_coalesced);
		break;
	case NSP_SIG_OUT_OVERFLOW:
		nsp_net_sig_inc(pn, sig, NSP_SIG_CTR_queue_overflow);
		break;
	case NSP_SIG_OUT_DELIVERED_TERM:
		nsp_net_sig_inc(pn, sig, NSP_SIG_CTR_delivered_term);
		nsp_net_sig_inc(pn, sig, NSP_SIG_CTR_queued);
		break;
	case NSP_SIG_OUT_QUEUED_BLOCKED:
		nsp_net_sig_inc(pn, sig, NSP_SIG_CTR_queued_blocked);
		fallthrough;
	default:
		nsp_net_sig_inc(pn, sig, NSP_SIG_CTR_queued);
		break;
	}
	if (e->cause == NSP_SIG_CAUSE_OOM)
		nsp_net_sig_inc(pn, sig, NSP_SIG_CTR_oom_kill);
	return nsp_sigev_add(net, e);
}

/*
 * The netns each exiting task left, by task: a signal may still reach a task
 * after exit_task_namespaces() (the OOM killer's group kill, a pid
 * namespace's teardown), when its ->nsproxy is NULL. The sig_ns_exit hook
 * notes the netns cookie here, in the exiting task itself; a direct-mapped
 * table, so an entry may be overwritten by a later exit (the signal is then
 * unattributed, never guessed: the entry names its task). One raw lock per
 * slot, so exits on different CPUs rarely meet.
 */
#define NSP_EXITED_SLOTS 256

struct nsp_exited_slot {
	raw_spinlock_t lock;
	const struct task_struct *task;
	u64 cookie;
};

static struct nsp_exited_slot nsp_exited[NSP_EXITED_SLOTS];

static struct nsp_exited_slot *nsp_exited_slot(const struct task_struct *t)
{
	return &nsp_exited[hash_ptr(t, ilog2(NSP_EXITED_SLOTS))];
}

static void nsp_exited_note(struct task_struct *t, const struct net *net)
{
	struct nsp_exited_slot *s = nsp_exited_slot(t);
	unsigned long flags;

	raw_spin_lock_irqsave(&s->lock, flags);
	s->task = t;
	s->cookie = nsp_net_cookie(net);
	raw_spin_unlock_irqrestore(&s->lock, flags);
}

/*
 * The live netns an exited @t left, or NULL. Under rcu_read_lock(): a netns
 * still on the list has not been through cleanup_net()'s grace period, so
 * its pernet data lives until the caller's rcu_read_unlock(). Rare (only
 * signals to a task past exit_task_namespaces()), so a list walk will do.
 */
static struct net *nsp_exited_net(const struct task_struct *t)
{
	struct nsp_exited_slot *s = nsp_exited_slot(t);
	unsigned long flags;
	struct net *net;
	u64 cookie = 0;

	raw_spin_lock_irqsave(&s->lock, flags);
	if (s->task == t)
		cookie = s->cookie;
	raw_spin_unlock_irqrestore(&s->lock, flags);
	if (!cookie)
		return NULL;
	for_each_net_rcu(net)
		if (nsp_net_cookie(net) == cookie)
			return net;
	return NULL;
}

/*
 * The netns of a task whose ->nsproxy the caller may read (under
 * rcu_read_lock()); for a task past exit_task_namespaces(), the one it
 * left, if that still lives; else NULL.
 */
static struct net *nsp_task_net(struct task_struct *t)
{
	struct nsproxy *nsp = READ_ONCE(t->nsproxy);

	if (nsp)
		return nsp->net_ns;
	return nsp_exited_net(t);
}

/* Note an OOM-killer candidate send for oom:mark_victim. */
static void nsp_oom_note(struct task_struct *t, const struct nsp_sig_event *e,
			 u64 seq, bool pending)
{
	struct nsp_oom_slot *s;

	if (e->sig != SIGKILL || !e->priv)
		return;
	s = this_cpu_ptr(&nsp_oom_slot);
	s->sender = current;
	s->target = t;
	s->seq = seq;
	s->pending = pending;
}

static void nsp_sig_defer(struct task_struct *t, const struct nsp_sig_event *e)
{
	struct nsp_sig_pending *p;
	unsigned long flags;

	raw_spin_lock_irqsave(&nsp_pending_lock, flags);
	p = list_first_entry_or_null(&nsp_pending_free,
				     struct nsp_sig_pending, node);
	if (p) {
		get_task_struct(t);	/* the caller pins t; this keeps it */
		p->target = t;
		p->e = *e;
		list_move_tail(&p->node, &nsp_pending);
		atomic_inc(&nsp_pending_count);
	}
	raw_spin_unlock_irqrestore(&nsp_pending_lock, flags);
	if (!p) {
		atomic64_inc(&nsp_sig_unattributed);
		return;
	}
	atomic64_inc(&nsp_sig_deferred);
	nsp_oom_note(t, e, 0, true);
	irq_work_queue(&nsp_pending_irq_work);
}

/**
 * nsp_sig_attribute() - count one send in its target's netns
 * @t: the target; the caller holds t->sighand->siglock
 * @e: the send's event (counters are derived from it)
 *
 * See the top of this file: resolved now, or deferred to a point where
 * the target's ->nsproxy can be read safely. Never blocks.
 *
 * Context: probe handler (preemption off), any context but NMI.
 */
void nsp_sig_attribute(struct task_struct *t, const struct nsp_sig_event *e)
{
	struct net *net = NULL;

	if (in_nmi()) {
		atomic64_inc(&nsp_sig_unattributed);
		return;
	}
	rcu_read_lock();
	if (t != current && (!in_task() || !spin_trylock(&t->alloc_lock))) {
		rcu_read_unlock();
		nsp_sig_defer(t, e);
		return;
	}
	net = nsp_task_net(t);
	if (t != current)
		spin_unlock(&t->alloc_lock);
	if (net)
		nsp_oom_note(t, e, nsp_sig_account(net, e), false);
	else
		atomic64_inc(&nsp_sig_unattributed);
	rcu_read_unlock();
}

/*
 * Take the pending sends of @t off the list, into @out; with @oom_only,
 * only the newest SIGKILL from current (the OOM killer's).
 */
static void nsp_pending_take(struct task_struct *t, struct list_head *out,
			     bool oom_only)
{
	struct nsp_sig_pending *p, *tmp;
	unsigned long flags;

	raw_spin_lock_irqsave(&nsp_pending_lock, flags);
	list_for_each_entry_safe_reverse(p, tmp, &nsp_pending, node) {
		if (p->target != t)
			continue;
		if (oom_only &&
		    (p->e.sig != SIGKILL || !p->e.priv ||
		     p->e.sender_pid != task_pid_nr(current)))
			continue;
		list_move(&p->node, out);
		atomic_dec(&nsp_pending_count);
		if (oom_only)
			break;
	}
	raw_spin_unlock_irqrestore(&nsp_pending_lock, flags);
}

/* Count the sends of @list in @net (NULL: unattributed), free them. */
static void nsp_pending_finish(struct list_head *list, struct net *net,
			       bool oom)
{
	struct nsp_sig_pending *p, *tmp;
	unsigned long flags;

	list_for_each_entry_safe(p, tmp, list, node) {
		if (oom)
			p->e.cause = NSP_SIG_CAUSE_OOM;
		if (net)
			nsp_sig_account(net, &p->e);
		else
			atomic64_inc(&nsp_sig_unattributed);
		put_task_struct(p->target);
		p->target = NULL;
	}
	raw_spin_lock_irqsave(&nsp_pending_lock, flags);
	list_splice(list, &nsp_pending_free);
	raw_spin_unlock_irqrestore(&nsp_pending_lock, flags);
}

/* (a) Process context: one target at a time, under its task_lock(). */
static void nsp_pending_workfn(struct work_struct *w)
{
	while (atomic_read(&nsp_pending_count)) {
		struct nsp_sig_pending *p;
		struct task_struct *t = NULL;
		LIST_HEAD(mine);

		raw_spin_lock_irq(&nsp_pending_lock);
		p = list_first_entry_or_null(&nsp_pending,
					     struct nsp_sig_pending, node);
		if (p) {
			t = p->target;
			get_task_struct(t);
		}
		raw_spin_unlock_irq(&nsp_pending_lock);
		if (!t)
			break;
		task_lock(t);
		nsp_pending_take(t, &mine, false);
		rcu_read_lock();
		nsp_pending_finish(&mine, nsp_task_net(t), false);
		rcu_read_unlock();
		task_unlock(t);
		put_task_struct(t);
		cond_resched();
	}
}

static struct nsp_probe nsp_ns_exit_probe;

/*
 * (b) exit_task_namespaces(p) / switch_task_namespaces(p, new), entry. At
 * exit, also note the netns the task leaves (nsp_exited_note()).
 */
static int nsp_ns_change_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct nsp_probe *probe = container_of(kp, struct nsp_probe, kp);
	struct task_struct *p = nsp_ns_change_task(regs);
	LIST_HEAD(mine);

	nsp_probe_hit(probe);
	/* p != current: an unborn child in copy_process()'s error path. */
	if (p != current)
		return 0;
	if (probe == &nsp_ns_exit_probe && current->nsproxy) {
		nsp_exited_note(current, current->nsproxy->net_ns);
		/* its cgroup, for the netns' post-mortem record */
		nsp_pm_note_exit(current->nsproxy->net_ns);
	}
	if (!atomic_read(&nsp_pending_count))
		return 0;
	nsp_pending_take(current, &mine, false);
	if (list_empty(&mine))
		return 0;
	rcu_read_lock();
	nsp_pending_finish(&mine, nsp_task_net(current), false);
	rcu_read_unlock();
	return 0;
}

static struct nsp_probe nsp_ns_exit_probe = {
	.id = NSP_HOOK_ID_SIG_NS_EXIT,
	.name = NSP_HOOK_SIG_NS_EXIT,
	.kind = NSP_PROBE_KPROBE,
	.pre = nsp_ns_change_pre,
};

static struct nsp_probe nsp_ns_switch_probe = {
	.id = NSP_HOOK_ID_SIG_NS_SWITCH,
	.name = NSP_HOOK_SIG_NS_SWITCH,
	.kind = NSP_PROBE_KPROBE,
	.pre = nsp_ns_change_pre,
};

static struct nsp_probe nsp_oom_probe;

/*
 * (c) oom:mark_victim(victim, uid): see compat.h. An OOM kill is a
 * mark_victim that follows a SIGKILL with SEND_SIG_PRIV from current to the
 * victim on this CPU (__oom_kill_process()); out_of_memory() also marks a
 * current that is already dying, without a kill, and that is not counted,
 * as memory.events oom_kill does not count it either.
 */
static void nsp_oom_victim(struct task_struct *victim)
{
	struct nsp_oom_slot *s = this_cpu_ptr(&nsp_oom_slot);
	struct net *net;
	LIST_HEAD(mine);

	nsp_probe_hit(&nsp_oom_probe);
	if (!victim || s->sender != current || s->target != victim)
		return;
	s->sender = NULL;
	rcu_read_lock();
	/* The caller holds the victim's task lock, or victim == current. */
	net = nsp_task_net(victim);
	if (s->pending) {
		nsp_pending_take(victim, &mine, true);
		if (!list_empty(&mine))
			nsp_pending_finish(&mine, net, true);
		else
			/* the work item was faster: it counted the SIGKILL */
			atomic64_inc(&nsp_oom_unattributed);
	} else if (net) {
		nsp_net_sig_inc(nsp_net(net), SIGKILL, NSP_SIG_CTR_oom_kill);
		nsp_sigev_set_cause(net, s->seq, NSP_SIG_CAUSE_OOM);
	} else {
		atomic64_inc(&nsp_oom_unattributed);
	}
	rcu_read_unlock();
}

NSP_DEFINE_OOM_VICTIM_TP(nsp_oom_victim)

static struct nsp_probe nsp_oom_probe = {
	.id = NSP_HOOK_ID_OOM_VICTIM,
	.name = NSP_HOOK_OOM_VICTIM,
	.kind = NSP_PROBE_TRACEPOINT,
	.tp_name = NSP_TP_OOM_VICTIM,
	.tp_func = NSP_OOM_VICTIM_TP(nsp_oom_victim),
};

static struct nsp_probe *const nsp_sigattr_probes[] = {
	&nsp_ns_exit_probe,
	&nsp_ns_switch_probe,
	&nsp_oom_probe,
};

/**
 * nsp_sigattr_init() - the pending pool, then arm the resolution hooks
 * @enable: false leaves them disabled (module parameter sig_probes)
 *
 * Armed before the signal hooks, so that no send is deferred before its
 * resolution points exist. A hook that fails to arm is shown failed; sends
 * then wait for the work item alone.
 *
 * Context: process context; sleeps.
 * Return: 0, or -ENOMEM if the pool cannot be allocated.
 */
int nsp_sigattr_init(bool enable)
{
	unsigned int i;

	/* Registered as void *: check the probe against the kernel's. */
	check_trace_callback_type_mark_victim(NSP_OOM_VICTIM_TP(nsp_oom_victim));
	nsp_pending_pool = kcalloc(NSP_PENDING_MAX, sizeof(*nsp_pending_pool),
				   GFP_KERNEL);
	if (!nsp_pending_pool)
		return -ENOMEM;
	for (i = 0; i < NSP_PENDING_MAX; i++)
		list_add_tail(&nsp_pending_pool[i].node, &nsp_pending_free);
	for (i = 0; i < NSP_EXITED_SLOTS; i++)
		raw_spin_lock_init(&nsp_exited[i].lock);
	init_irq_work(&nsp_pending_irq_work, nsp_pending_irq_workfn);

	nsp_ns_exit_probe.symbols = nsp_ns_exit_symbols();
	nsp_ns_switch_probe.symbols = nsp_ns_switch_symbols();
	nsp_oom_probe.symbols = nsp_oom_victim_symbols();
	for (i = 0; i < ARRAY_SIZE(nsp_sigattr_probes); i++)
		nsp_probe_add(nsp_sigattr_probes[i],
			      enable ? NSP_PROBE_PENDING : NSP_PROBE_DISABLED);
	if (!enable)
		return 0;
	mutex_lock(&nsp_probes_lock);
	for (i = 0; i < ARRAY_SIZE(nsp_sigattr_probes); i++) {
		struct nsp_probe *p = nsp_sigattr_probes[i];
		int err = nsp_probe_arm(p);

		if (err) {
			p->state = NSP_PROBE_FAILED;
			pr_warn("%s: no probe on %s: %d\n", p->name, p->symbol,
				err);
		}
	}
	mutex_unlock(&nsp_probes_lock);
	return 0;
}

/**
 * nsp_sigattr_exit() - resolve what is pending, disarm, free the pool
 *
 * Called after the signal hooks are gone (no new deferrals): the work item
 * resolves every pending send while the resolution hooks still run, then
 * they go.
 *
 * Context: process context; sleeps.
 */
void nsp_sigattr_exit(void)
{
	int i;

	irq_work_sync(&nsp_pending_irq_work);
	flush_work(&nsp_pending_work);
	nsp_pending_workfn(NULL);
	mutex_lock(&nsp_probes_lock);
	for (i = ARRAY_SIZE(nsp_sigattr_probes) - 1; i >= 0; i--)
		nsp_probe_disarm(nsp_sigattr_probes[i], NSP_PROBE_DISABLED);
	mutex_unlock(&nsp_probes_lock);
	cancel_work_sync(&nsp_pending_work);
	WARN_ON_ONCE(atomic_read(&nsp_pending_count));
	kfree(nsp_pending_pool);
	nsp_pending_pool = NULL;
}
