// SPDX-License-Identifier: GPL-2.0
/*
 * Signal probes, counted per target network namespace and signal number.
 *
 *  sig_generate  kprobe on __send_signal_locked() (6.0+; __send_signal()
 *                before): counts generated and forced.
 *  sig_prepare   kretprobe on prepare_signal(): when it returns false the
 *                signal is dropped; counts ignored by reason.
 *
 * Both run with the target's sighand->siglock held by the caller
 * (lockdep_assert_held() in __send_signal_locked(); send_sigqueue() locks it
 * too), with preemption off on !PREEMPT_RT (the kprobe handler itself always
 * runs with preemption off).
 *
 * Attribution to the TARGET's netns
 * ---------------------------------
 * Reading another task's ->nsproxy needs task_lock() (its ->alloc_lock): the
 * task may switch or drop its namespaces concurrently
 * (switch_task_namespaces() takes task_lock() to swap ->nsproxy and then
 * puts the old one; exit_task_namespaces() sets it to NULL the same way).
 * We cannot block here, and the order of alloc_lock against siglock is not
 * ours to choose, so we only spin_trylock() it. On failure the event is
 * counted in stats sig_unattributed, never guessed.
 *
 * Why the netns and its net_generic data stay valid while we use them:
 * while we hold alloc_lock, ->nsproxy holds a reference on the netns
 * (nsproxy->net_ns), so the netns cannot start dying. We also hold
 * rcu_read_lock() from before the read: should the task drop that nsproxy
 * right after we unlock and the netns' last reference go, cleanup_net()
 * first unlinks the netns, then waits for an RCU grace period
 * (synchronize_rcu() in cleanup_net() on 6.1, in ops_undo_list() on 6.12)
 * before any pernet exit runs and before net_generic data are freed. So the
 * counters we increment are alive until our rcu_read_unlock(). A NULL
 * ->nsproxy (task exiting) counts as sig_unattributed.
 *
 * PREEMPT_RT: spinlock_t is an rtmutex-based sleeping lock there, but
 * spin_trylock() never sleeps, so it is allowed with preemption disabled
 * (as in a kprobe handler). It is not allowed from hard interrupt context
 * (or NMI): an rtmutex has a task as owner, and in hardirq context "current"
 * is whatever task was interrupted. On RT the siglock is a sleeping lock
 * too, so signals are not generated from hardirq there; should that ever
 * happen, we count sig_unattributed instead of taking alloc_lock. NMI is
 * refused on every kernel.
 *
 * Dropped-signal reasons are tested in the order prepare_signal() and
 * sig_task_ignored() test them (6.1.170 and 6.12.107), so
 * the first that holds is the one the kernel acted on:
 *   exiting   SIGNAL_GROUP_EXIT (prepare_signal() returns false before it
 *             looks at handlers; during a core dump only SIGKILL passes)
 *   init      global init and SIGKILL/SIGSTOP; or SIGNAL_UNKILLABLE, handler
 *             SIG_DFL and not (force and SIGKILL/SIGSTOP)
 *   sig_ign   handler SIG_IGN
 *   default   handler SIG_DFL and the default action is to ignore
 *   other     anything else (e.g. a kernel thread with SIG_KTHREAD_KERNEL)
 * Blocked and ptraced targets never get false from prepare_signal() (except
 * SIGKILL to a ptraced unkillable init, which is "init").
 */

#include <linux/cpumask.h>
#include <linux/kprobes.h>
#include <linux/minmax.h>
#include <linux/nsproxy.h>
#include <linux/preempt.h>
#include <linux/ptrace.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/signal.h>
#include <linux/spinlock.h>

#include "compat.h"
#include "netns.h"
#include "probes.h"
#include "signal.h"

/**
 * nsp_sig_count() - count one event against the target's netns
 * @t:   target task; the caller holds t->sighand->siglock
 * @sig: 1..NSP_SIG_MAX
 * @c1:  a counter to bump
 * @c2:  a second counter, or NSP_SIG_CTR__COUNT for none
 *
 * Context: kprobe handler (preemption off). See the attribution argument at
 * the top of this file.
 */
static void nsp_sig_count(struct task_struct *t, int sig,
			  enum nsp_sig_ctr c1, enum nsp_sig_ctr c2)
{
	struct nsproxy *nsp;
	struct nsp_net *pn;

	if (in_nmi() || (IS_ENABLED(CONFIG_PREEMPT_RT) && in_hardirq()))
		goto unattributed;

	rcu_read_lock();
	if (!spin_trylock(&t->alloc_lock)) {
		rcu_read_unlock();
		goto unattributed;
	}
	nsp = t->nsproxy;
	if (!nsp || !nsp->net_ns) {
		spin_unlock(&t->alloc_lock);
		rcu_read_unlock();
		goto unattributed;
	}
	pn = nsp_net(nsp->net_ns);
	nsp_net_sig_inc(pn, sig, c1);
	if (c2 != NSP_SIG_CTR__COUNT)
		nsp_net_sig_inc(pn, sig, c2);
	spin_unlock(&t->alloc_lock);
	rcu_read_unlock();
	return;

unattributed:
	atomic64_inc(&nsp_sig_unattributed);
}

/*
 * __send_signal_locked(int sig, struct kernel_siginfo *info,
 *                      struct task_struct *t, enum pid_type type, bool force)
 * (6.1.170, 6.12.107; __send_signal() with the same arguments before 6.0).
 */
static int nsp_sig_generate_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct nsp_probe *p = container_of(kp, struct nsp_probe, kp);
	int sig = (int)regs_get_kernel_argument(regs, 0);
	struct task_struct *t = (struct task_struct *)regs_get_kernel_argument(regs, 2);
	bool force = regs_get_kernel_argument(regs, 4) & 0xff;

	nsp_probe_hit(p);
	if (sig < 1 || sig > NSP_SIG_MAX || !t)
		return 0;
	nsp_sig_count(t, sig, NSP_SIG_CTR_generated,
		      force ? NSP_SIG_CTR_forced : NSP_SIG_CTR__COUNT);
	return 0;
}

static struct nsp_probe nsp_sig_generate_probe = {
	.id = NSP_HOOK_ID_SIG_GENERATE,
	.name = NSP_HOOK_SIG_GENERATE,
	.kind = NSP_PROBE_KPROBE,
	.pre = nsp_sig_generate_pre,
};

/* prepare_signal()'s arguments, saved by the entry handler. */
struct nsp_prepare_data {
	struct task_struct *p;
	int sig;
	bool force;
};

static struct nsp_probe nsp_sig_prepare_probe;

/* prepare_signal(int sig, struct task_struct *p, bool force), 6.1 and 6.12 */
static int nsp_sig_prepare_entry(struct kretprobe_instance *ri,
				 struct pt_regs *regs)
{
	struct nsp_prepare_data *d = (struct nsp_prepare_data *)ri->data;

	nsp_probe_hit(&nsp_sig_prepare_probe);
	d->sig = (int)regs_get_kernel_argument(regs, 0);
	d->p = (struct task_struct *)regs_get_kernel_argument(regs, 1);
	d->force = regs_get_kernel_argument(regs, 2) & 0xff;
	return 0;
}

/*
 * Why prepare_signal() returned false. The caller still holds
 * p->sighand->siglock, so p->signal->flags and p->sighand->action[] are what
 * prepare_signal() saw.
 */
static enum nsp_sig_ctr nsp_sig_reason(struct task_struct *p, int sig,
				       bool force)
{
	void __user *handler = p->sighand->action[sig - 1].sa.sa_handler;
	unsigned int flags = p->signal->flags;

	if (nsp_sig_group_exiting(p->signal))
		return NSP_SIG_CTR_ignored_exiting;
	if (is_global_init(p) && sig_kernel_only(sig))
		return NSP_SIG_CTR_ignored_init;
	if ((flags & SIGNAL_UNKILLABLE) && handler == SIG_DFL &&
	    !(force && sig_kernel_only(sig)))
		return NSP_SIG_CTR_ignored_init;
	if (handler == SIG_IGN)
		return NSP_SIG_CTR_ignored_sig_ign;
	if (handler == SIG_DFL && sig_kernel_ignore(sig))
		return NSP_SIG_CTR_ignored_default;
	return NSP_SIG_CTR_ignored_other;
}

static int nsp_sig_prepare_ret(struct kretprobe_instance *ri,
			       struct pt_regs *regs)
{
	struct nsp_prepare_data *d = (struct nsp_prepare_data *)ri->data;

	/* bool return value: only the low byte of %rax is defined. */
	if (regs_return_value(regs) & 0xff)
		return 0;
	if (d->sig < 1 || d->sig > NSP_SIG_MAX || !d->p)
		return 0;
	nsp_sig_count(d->p, d->sig, nsp_sig_reason(d->p, d->sig, d->force),
		      NSP_SIG_CTR__COUNT);
	return 0;
}

static struct nsp_probe nsp_sig_prepare_probe = {
	.id = NSP_HOOK_ID_SIG_PREPARE,
	.name = NSP_HOOK_SIG_PREPARE,
	.kind = NSP_PROBE_KRETPROBE,
	.entry = nsp_sig_prepare_entry,
	.ret = nsp_sig_prepare_ret,
	.data_size = sizeof(struct nsp_prepare_data),
};

static struct nsp_probe *const nsp_sig_probes[] = {
	&nsp_sig_generate_probe,
	&nsp_sig_prepare_probe,
};

/**
 * nsp_signal_init() - arm the signal probes
 * @enable: false leaves both hooks disabled (module parameter sig_probes)
 *
 * A hook whose symbols all fail to register stays in state failed with err
 * set (-ENOENT if no candidate exists); that is not a load failure.
 *
 * Context: process context; sleeps.
 * Return: 0.
 */
int nsp_signal_init(bool enable)
{
	unsigned int i;

	nsp_sig_generate_probe.symbols = nsp_sig_generate_symbols();
	nsp_sig_prepare_probe.symbols = nsp_sig_prepare_symbols();
	/*
	 * prepare_signal() runs under the target's siglock, a spinlock taken
	 * with interrupts off: on !PREEMPT_RT at most one instance per CPU is
	 * live. On PREEMPT_RT the siglock sleeps and a preempted sender keeps
	 * its instance, so allow several per CPU. A shortfall shows as
	 * nmissed in "probes".
	 */
	nsp_sig_prepare_probe.maxactive = max_t(int, 16, 4 * num_possible_cpus());

	for (i = 0; i < ARRAY_SIZE(nsp_sig_probes); i++)
		nsp_probe_add(nsp_sig_probes[i],
			      enable ? NSP_PROBE_PENDING : NSP_PROBE_DISABLED);
	if (!enable)
		return 0;

	mutex_lock(&nsp_probes_lock);
	for (i = 0; i < ARRAY_SIZE(nsp_sig_probes); i++) {
		struct nsp_probe *p = nsp_sig_probes[i];
		int err = nsp_probe_arm(p);

		if (err) {
			p->state = NSP_PROBE_FAILED;
			pr_warn("%s: no probe on %s: %d\n", p->name,
				p->symbol, err);
		}
	}
	mutex_unlock(&nsp_probes_lock);
	return 0;
}

/**
 * nsp_signal_exit() - unregister the signal probes
 *
 * Waits until no handler runs (unregister_k(ret)probe()).
 *
 * Context: process context; sleeps.
 */
void nsp_signal_exit(void)
{
	unsigned int i;

	mutex_lock(&nsp_probes_lock);
	for (i = 0; i < ARRAY_SIZE(nsp_sig_probes); i++)
		nsp_probe_disarm(nsp_sig_probes[i], NSP_PROBE_DISABLED);
	mutex_unlock(&nsp_probes_lock);
}
