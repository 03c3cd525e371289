// SPDX-License-Identifier: GPL-2.0
/*
 * Signal probes, counted per target network namespace and signal number.
 *
 *  sig_generate  kprobe on __send_signal_locked() (6.0+; __send_signal()
 *                before): learns force, which no tracepoint shows, and
 *                leaves it in a per-CPU slot for sig_outcome. Counts
 *                nothing itself.
 *  sig_outcome   tracepoint signal_generate, at the end of every send
 *                (__send_signal_locked() and send_sigqueue(), so posix
 *                timers too): builds the send's event (outcome, drop reason,
 *                origin, force, sender, target) and hands it to
 *                nsp_sig_attribute() (sigattr.c), which counts every counter
 *                of the send and its event in the target's netns, once.
 *  sig_deliver   tracepoint signal_deliver: the signal as its target
 *                dequeues it in get_signal(): to a handler or to a default
 *                action.
 *
 * Why one hook counts a send: prepare_signal() returning false is exactly
 * result TRACE_SIGNAL_IGNORED at signal_generate (both callers trace it),
 * so the kretprobe on prepare_signal() of format 1.2 told nothing the
 * tracepoint does not, at several times the cost; and a send counted at
 * one point is resolved to one netns once (sigattr.c), where three hooks
 * could each meet the target in a different state.
 *
 * Both generation hooks run with the target's sighand->siglock held by the
 * caller (lockdep_assert_held() in __send_signal_locked(); send_sigqueue()
 * and get_signal() lock it too), with preemption off (kprobe handlers and
 * tracepoint probes always run so). The target's pid fields of an event are
 * read under that siglock: t->thread_pid is cleared only in __exit_signal(),
 * which takes it, and a struct pid pins its pid namespace.
 *
 * A send from interrupt context (a timer: alarm(), setitimer(), posix
 * timers) has no sending task: current is whatever was interrupted, so the
 * sender fields of its event stay empty.
 *
 * The delivery hook runs in the target itself (current): its own ->nsproxy
 * can only be changed by itself, so it is read without a lock (under
 * rcu_read_lock(), for the net_generic lifetime argument of sigattr.c).
 *
 * Dropped-signal reasons (one per drop, the first that holds):
 *   exiting   SIGNAL_GROUP_EXIT (prepare_signal() returns false before it
 *             looks at handlers; during a core dump only SIGKILL passes)
 *   sig_ign   handler SIG_IGN
 *   default   handler SIG_DFL and the default action is to ignore
 *   init      global init and SIGKILL/SIGSTOP; or SIGNAL_UNKILLABLE, handler
 *             SIG_DFL and not (force and SIGKILL/SIGSTOP)
 *   other     anything else (e.g. a kernel thread with SIG_KTHREAD_KERNEL)
 * sig_task_ignored() tests init before SIG_IGN and the default action. The
 * init test needs SIG_DFL, so it never overlaps sig_ign; it overlaps
 * default (a SIGCHLD with SIG_DFL to a namespace init), and there default
 * is the reason that explains the drop: the same SIGCHLD is dropped for any
 * process. Blocked and ptraced targets never get false from
 * prepare_signal() (except SIGKILL to a ptraced unkillable init: "init").
 */

#include <linux/cpumask.h>
#include <linux/kprobes.h>
#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/nsproxy.h>
#include <linux/percpu.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/preempt.h>
#include <linux/ptrace.h>
#include <linux/rcupdate.h>
#include <linux/rculist.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/signal.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <trace/events/signal.h>

#include "compat.h"
#include "netns.h"
#include "probes.h"
#include "sigattr.h"
#include "sigevents.h"
#include "signal.h"

/* The values of TRACE_SIGNAL_* (include/trace/events/signal.h, 6.1/6.12). */
enum {
	NSP_TRACE_DELIVERED,
	NSP_TRACE_IGNORED,
	NSP_TRACE_ALREADY_PENDING,
	NSP_TRACE_OVERFLOW_FAIL,
	NSP_TRACE_LOSE_INFO,
};

/*
 * force, from the entry kprobe to the signal_generate tracepoint of the same
 * call. Both run with preemption off, so each slot access is atomic with
 * respect to other tasks on this CPU; between them the sender holds the
 * target's siglock with interrupts off on !PREEMPT_RT, so nothing else runs
 * on this CPU. On PREEMPT_RT the siglock sleeps, but holding it disables
 * migration: the sender stays on this CPU, yet another sender may run here
 * in between and overwrite the slot. So the tracepoint takes the slot only
 * if it names the same sender, target and signal, and clears it; otherwise
 * force is "unknown" (so is a send the kprobe never saw: send_sigqueue()).
 */
struct nsp_sig_force_slot {
	struct task_struct *sender;
	struct task_struct *target;
	int sig;
	bool force;
};

static DEFINE_PER_CPU(struct nsp_sig_force_slot, nsp_sig_force_slot);

/*
 * __send_signal_locked(int sig, struct kernel_siginfo *info,
 *                      struct task_struct *t, enum pid_type type, bool force)
 * (6.1.170, 6.12.107; __send_signal() with the same arguments before 6.0).
 */
static int nsp_sig_generate_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct nsp_probe *p = container_of(kp, struct nsp_probe, kp);
	int sig = nsp_sig_generate_sig(regs);
	struct task_struct *t = nsp_sig_generate_target(regs);
	bool force = nsp_sig_generate_force(regs);
	struct nsp_sig_force_slot *slot;

	nsp_probe_hit(p);
	if (sig < 1 || sig > NSP_SIG_MAX || !t)
		return 0;
	slot = this_cpu_ptr(&nsp_sig_force_slot);
	slot->sender = current;
	slot->target = t;
	slot->sig = sig;
	slot->force = force;
	return 0;
}

/* NSP_SIG_FORCED_* of this send, from the slot the kprobe left. */
static u8 nsp_sig_take_force(struct task_struct *t, int sig)
{
	struct nsp_sig_force_slot *slot = this_cpu_ptr(&nsp_sig_force_slot);
	u8 forced;

	if (slot->sender != current || slot->target != t || slot->sig != sig)
		return NSP_SIG_FORCED_UNKNOWN;
	forced = slot->force ? NSP_SIG_FORCED_YES : NSP_SIG_FORCED_NO;
	slot->sender = NULL;
	return forced;
}

static struct nsp_probe nsp_sig_generate_probe = {
	.id = NSP_HOOK_ID_SIG_GENERATE,
	.name = NSP_HOOK_SIG_GENERATE,
	.kind = NSP_PROBE_KPROBE,
	.pre = nsp_sig_generate_pre,
};

/*
 * Why a signal was dropped. The caller holds p->sighand->siglock, so
 * p->signal->flags and p->sighand->action[] are what prepare_signal() saw.
 */
static enum nsp_sig_reason nsp_sig_reason(struct task_struct *p, int sig,
					  bool force)
{
	void __user *handler = p->sighand->action[sig - 1].sa.sa_handler;
	unsigned int flags = p->signal->flags;

	if (nsp_sig_group_exiting(p->signal))
		return NSP_SIG_WHY_EXITING;
	if (handler == SIG_IGN)
		return NSP_SIG_WHY_SIG_IGN;
	if (handler == SIG_DFL && sig_kernel_ignore(sig))
		return NSP_SIG_WHY_DEFAULT;
	if (is_global_init(p) && sig_kernel_only(sig))
		return NSP_SIG_WHY_INIT;
	if ((flags & SIGNAL_UNKILLABLE) && handler == SIG_DFL &&
	    !(force && sig_kernel_only(sig)))
		return NSP_SIG_WHY_INIT;
	return NSP_SIG_WHY_OTHER;
}

/*
 * Blocked where it was queued: by the target thread for a thread signal, by
 * every thread for a group signal (any thread that does not block it will
 * take it). Thread list walked under the siglock, which __exit_signal() and
 * copy_process() take to change it.
 */
static bool nsp_sig_blocked(struct task_struct *t, int sig, int group)
{
	struct task_struct *it;

	if (!group)
		return sigismember(&t->blocked, sig);
	/*
	 * Not __for_each_thread(): with CONFIG_PROVE_RCU_LIST its lockdep
	 * condition names tasklist_lock, which is not exported.
	 */
	list_for_each_entry_rcu(it, &t->signal->thread_head, thread_node,
				lockdep_is_held(&t->sighand->siglock))
		if (!sigismember(&it->blocked, sig))
			return false;
	return true;
}

/*
 * Process (kill, tgkill, sigqueue, pidfd_send_signal: always with a real
 * siginfo, si_code <= 0) or kernel (a fault, SI_KERNEL, SEND_SIG_PRIV, a
 * timer, and SEND_SIG_NOINFO: send_sig(sig, p, 0) from kernel code only,
 * e.g. SIGPIPE in pipe_write() and sk_stream_error(), a pdeath_signal,
 * ptrace's SIGKILL; 6.1.170, 6.12.107). SEND_SIG_NOINFO reaches the target
 * as SI_USER from current (__send_signal_locked()), so @code says SI_USER.
 */
static bool nsp_sig_from_kernel(const struct kernel_siginfo *info, int *code)
{
	if (info == SEND_SIG_NOINFO) {
		*code = SI_USER;
		return true;
	}
	if (info == SEND_SIG_PRIV) {
		*code = SI_KERNEL;
		return true;
	}
	*code = info->si_code;
	return *code > 0 || *code == SI_TIMER || *code == SI_MESGQ ||
	       *code == SI_ASYNCIO || *code == SI_SIGIO;
}

/*
 * A kill that a pid namespace's init leaves behind: when it exits,
 * zap_pid_ns_processes() (kernel/pid_namespace.c, 6.1.170, 6.12.107), run by
 * the exiting init (current, PF_EXITING, the namespace's child_reaper or a
 * thread of it), sends SIGKILL with SEND_SIG_PRIV to every task of that
 * namespace. Nothing else an exiting init sends looks like that (its
 * children's pdeath_signal has no siginfo, SIGCHLD to its parent has one).
 */
static bool nsp_sig_init_exit(struct task_struct *t,
			      const struct nsp_sig_event *e)
{
	struct task_struct *reaper;
	struct pid_namespace *ns;

	if (e->sig != SIGKILL || !e->priv || !in_task() ||
	    !(current->flags & PF_EXITING))
		return false;
	ns = task_active_pid_ns(current);
	if (!ns || ns == &init_pid_ns || task_active_pid_ns(t) != ns)
		return false;
	reaper = READ_ONCE(ns->child_reaper);
	return reaper && same_thread_group(current, reaper);
}

static struct nsp_probe nsp_sig_outcome_probe;

/* signal_generate(sig, info, task, group, result): see compat.h. */
static void nsp_sig_outcome_tp(void *data, int sig,
			       struct kernel_siginfo *info,
			       struct task_struct *t, int group, int result)
{
	struct nsp_sig_event e = {};
	struct nsproxy *own;
	struct pid *pid;
	int code;

	nsp_probe_hit(&nsp_sig_outcome_probe);
	if (sig < 1 || sig > NSP_SIG_MAX || !t)
		return;

	e.ts_ns = ktime_get_ns();
	e.forced = nsp_sig_take_force(t, sig);
	e.origin = nsp_sig_from_kernel(info, &code);
	e.code = code;
	e.priv = info == SEND_SIG_PRIV;
	e.sig = sig;
	switch (result) {
	case NSP_TRACE_IGNORED:
		e.outcome = NSP_SIG_OUT_IGNORED;
		e.reason = nsp_sig_reason(t, sig,
					  e.forced == NSP_SIG_FORCED_YES);
		break;
	case NSP_TRACE_ALREADY_PENDING:
		e.outcome = NSP_SIG_OUT_COALESCED;
		break;
	case NSP_TRACE_OVERFLOW_FAIL:
		e.outcome = NSP_SIG_OUT_OVERFLOW;
		break;
	default:	/* DELIVERED, LOSE_INFO: queued */
		if ((t->signal->flags & SIGNAL_GROUP_EXIT) &&
		    t->signal->group_exit_code == sig)
			e.outcome = NSP_SIG_OUT_DELIVERED_TERM;
		else if (nsp_sig_blocked(t, sig, group))
			e.outcome = NSP_SIG_OUT_QUEUED_BLOCKED;
		else
			e.outcome = NSP_SIG_OUT_QUEUED;
		break;
	}

	if (in_task()) {	/* else no task sent it: fields stay empty */
		e.sender_pid = task_pid_nr(current);
		e.sender_tgid = task_tgid_nr(current);
		memcpy(e.sender_comm, current->comm,
		       sizeof(e.sender_comm) - 1);
		own = current->nsproxy;	/* current's own: no lock needed */
		e.sender_netns = own && own->net_ns ? own->net_ns->ns.inum : 0;
	}
	e.target_pid = task_pid_nr(t);
	e.target_tgid = task_tgid_nr(t);
	memcpy(e.target_comm, t->comm, sizeof(e.target_comm) - 1);
	pid = task_pid(t);		/* stable under t's siglock */
	if (pid) {
		e.target_nspid = pid_nr_ns(pid, ns_of_pid(pid));
		e.target_pidns = ns_of_pid(pid)->ns.inum;
	}
	if (nsp_sig_init_exit(t, &e))
		e.cause = NSP_SIG_CAUSE_INIT_EXIT;
	nsp_sig_attribute(t, &e);
}

static struct nsp_probe nsp_sig_outcome_probe = {
	.id = NSP_HOOK_ID_SIG_OUTCOME,
	.name = NSP_HOOK_SIG_OUTCOME,
	.kind = NSP_PROBE_TRACEPOINT,
	.tp_name = NSP_TP_SIG_GENERATE,
	.tp_func = nsp_sig_outcome_tp,
};

static struct nsp_probe nsp_sig_deliver_probe;

/* signal_deliver(sig, info, ka) in get_signal(), for current. */
static void nsp_sig_deliver_tp(void *data, int sig,
			       struct kernel_siginfo *info,
			       struct k_sigaction *ka)
{
	void __user *handler;
	enum nsp_sig_ctr ctr;
	struct nsproxy *own;

	nsp_probe_hit(&nsp_sig_deliver_probe);
	if (sig < 1 || sig > NSP_SIG_MAX || !ka)
		return;
	/*
	 * The group-exit path traces SIGKILL with SEND_SIG_NOINFO in every
	 * thread of a dying group; a dequeued signal always has siginfo. That
	 * kill is the consequence of a signal counted at its generation.
	 */
	if (sig == SIGKILL && info == SEND_SIG_NOINFO)
		return;

	handler = ka->sa.sa_handler;
	if (handler == SIG_IGN)
		ctr = NSP_SIG_CTR_delivered_ignored;
	else if (handler != SIG_DFL)
		ctr = NSP_SIG_CTR_delivered_handler;
	else if (sig_kernel_ignore(sig))
		ctr = NSP_SIG_CTR_delivered_ignored;
	else if ((current->signal->flags & SIGNAL_UNKILLABLE) &&
		 !sig_kernel_only(sig))
		ctr = NSP_SIG_CTR_delivered_ignored;
	else if (sig_kernel_stop(sig))
		ctr = NSP_SIG_CTR_delivered_stop;
	else if (sig_kernel_coredump(sig))
		ctr = NSP_SIG_CTR_delivered_core;
	else
		ctr = NSP_SIG_CTR_delivered_term;

	rcu_read_lock();
	own = current->nsproxy;
	if (own && own->net_ns)
		nsp_net_sig_inc(nsp_net(own->net_ns), sig, ctr);
	else
		atomic64_inc(&nsp_sig_unattributed);
	rcu_read_unlock();
}

static struct nsp_probe nsp_sig_deliver_probe = {
	.id = NSP_HOOK_ID_SIG_DELIVER,
	.name = NSP_HOOK_SIG_DELIVER,
	.kind = NSP_PROBE_TRACEPOINT,
	.tp_name = NSP_TP_SIG_DELIVER,
	.tp_func = nsp_sig_deliver_tp,
};

/* Armed in this order; sig_generate first, so sig_outcome finds force. */
static struct nsp_probe *const nsp_sig_probes[] = {
	&nsp_sig_generate_probe,
	&nsp_sig_outcome_probe,
	&nsp_sig_deliver_probe,
};

/**
 * nsp_signal_init() - the event rings, attribution, then the signal probes
 * @enable: false leaves every hook disabled (module parameter sig_probes)
 *
 * A hook whose candidates all fail to register stays in state failed with
 * err set (-ENOENT if no candidate exists); that is not a load failure.
 *
 * Context: process context; sleeps.
 * Return: 0, or -ENOMEM if the event rings or the pool of deferred sends
 * cannot be allocated.
 */
int nsp_signal_init(bool enable)
{
	unsigned int i;
	int err;

	/* The probes are registered as void *: check them against the kernel. */
	check_trace_callback_type_signal_generate(nsp_sig_outcome_tp);
	check_trace_callback_type_signal_deliver(nsp_sig_deliver_tp);
	err = nsp_sigev_init();
	if (err)
		return err;
	err = nsp_sigattr_init(enable);
	if (err) {
		nsp_sigev_exit();
		return err;
	}

	nsp_sig_generate_probe.symbols = nsp_sig_generate_symbols();
	nsp_sig_outcome_probe.symbols = nsp_sig_outcome_symbols();
	nsp_sig_deliver_probe.symbols = nsp_sig_deliver_symbols();

	for (i = 0; i < ARRAY_SIZE(nsp_sig_probes); i++)
		nsp_probe_add(nsp_sig_probes[i],
			      enable ? NSP_PROBE_PENDING : NSP_PROBE_DISABLED);
	if (!enable)
		return 0;

	mutex_lock(&nsp_probes_lock);
	for (i = 0; i < ARRAY_SIZE(nsp_sig_probes); i++) {
		struct nsp_probe *p = nsp_sig_probes[i];

		err = nsp_probe_arm(p);
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
 * nsp_signal_exit() - unregister the signal probes, resolve what was
 * deferred, then free the rings
 *
 * Waits until no handler runs (unregister_kprobe(),
 * tracepoint_synchronize_unregister()).
 *
 * Context: process context; sleeps.
 */
void nsp_signal_exit(void)
{
	int i;

	mutex_lock(&nsp_probes_lock);
	for (i = ARRAY_SIZE(nsp_sig_probes) - 1; i >= 0; i--)
		nsp_probe_disarm(nsp_sig_probes[i], NSP_PROBE_DISABLED);
	mutex_unlock(&nsp_probes_lock);
	nsp_sigattr_exit();
	nsp_sigev_exit();
}
