/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every kernel-version difference nsprobe depends on, as small inlines.
 * No other file tests LINUX_VERSION_CODE or a version-dependent macro.
 *
 * Checked against Debian 6.1.0-47 (6.1.170) and 6.12.107+deb12. Needs 5.14
 * or later (net->net_cookie as a u64, regs_get_kernel_argument()). Where a
 * feature macro tells the difference it is tested with #ifdef; a version
 * test (LINUX_VERSION_CODE) would go here too, and nowhere else.
 */
#ifndef NSP_COMPAT_H
#define NSP_COMPAT_H

#include <linux/bits.h>
#include <linux/ptrace.h>
#include <linux/sched/signal.h>
#include <net/net_namespace.h>

/* Tracepoint names (struct tracepoint .name), candidates of the hooks. */
#define NSP_TP_SIG_GENERATE "signal_generate"
#define NSP_TP_SIG_DELIVER "signal_deliver"
#define NSP_TP_OOM_VICTIM "mark_victim"

/*
 * Per-CPU u64 counters are bumped with this_cpu_add() and summed with plain
 * reads; that is tear-free only where a u64 is one machine word.
 */
#if BITS_PER_LONG != 64
#error "nsprobe needs a 64-bit kernel"
#endif

/**
 * nsp_net_cookie() - the netns cookie, as SO_NETNS_COOKIE reports it
 * @net: network namespace
 *
 * Return: net->net_cookie (a plain u64 since 5.14; on 6.1 and 6.12 it is set
 * once in setup_net() and never reused).
 */
static inline u64 nsp_net_cookie(const struct net *net)
{
	return net->net_cookie;
}

/**
 * nsp_sig_group_exiting() - prepare_signal() drops signals for this group
 * @sig: the target's signal_struct; the caller holds its siglock
 *
 * prepare_signal() on 6.1.170 and 6.12.107 begins with
 * "if (signal->flags & SIGNAL_GROUP_EXIT) { if (signal->core_state) return
 * sig == SIGKILL; return false; }": a group that exits or dumps core drops
 * every signal (but SIGKILL during a core dump). Kernels before the removal
 * of SIGNAL_GROUP_COREDUMP (5.16) tested both flags.
 *
 * Return: true if the group is exiting or dumping core.
 */
static inline bool nsp_sig_group_exiting(const struct signal_struct *sig)
{
#ifdef SIGNAL_GROUP_COREDUMP
	return sig->flags & (SIGNAL_GROUP_EXIT | SIGNAL_GROUP_COREDUMP);
#else
	return sig->flags & SIGNAL_GROUP_EXIT;
#endif
}

/**
 * nsp_sig_generate_symbols() - candidates for the signal generation hook
 *
 * __send_signal() was renamed __send_signal_locked() in 6.0 (and the rename
 * is in 6.1.170 and 6.12.107). Both take (int sig, struct kernel_siginfo
 * *info, struct task_struct *t, enum pid_type type, bool force).
 *
 * It only tells force (kmod/signal.c); where no symbol exists, force is
 * unknown ("-") in events and never counted.
 *
 * Return: a NULL-terminated list, most recent name first.
 */
static inline const char * const *nsp_sig_generate_symbols(void)
{
	static const char * const syms[] = {
		"__send_signal_locked", "__send_signal", NULL
	};

	return syms;
}

/* Its arguments at entry: sig, t and force. */
static inline int nsp_sig_generate_sig(struct pt_regs *regs)
{
	return (int)regs_get_kernel_argument(regs, 0);
}

static inline struct task_struct *nsp_sig_generate_target(struct pt_regs *regs)
{
	return (struct task_struct *)regs_get_kernel_argument(regs, 2);
}

static inline bool nsp_sig_generate_force(struct pt_regs *regs)
{
	return regs_get_kernel_argument(regs, 4) & 0xff;
}

/**
 * nsp_sig_outcome_symbols() - the signal outcome hook: a tracepoint only
 *
 * signal_generate(int sig, struct kernel_siginfo *info, struct task_struct
 * *task, int group, int result) fires at the end of __send_signal_locked()
 * and of send_sigqueue() with the target's siglock held; the same
 * prototype on 6.1.170 and 6.12.107.
 *
 * Return: a NULL-terminated list.
 */
static inline const char * const *nsp_sig_outcome_symbols(void)
{
	static const char * const syms[] = { NSP_TP_SIG_GENERATE, NULL };

	return syms;
}

/**
 * nsp_sig_deliver_symbols() - the signal delivery hook: a tracepoint only
 *
 * signal_deliver(int sig, struct kernel_siginfo *info, struct k_sigaction
 * *ka) fires in get_signal() for current with its siglock held, also on
 * the group-exit path (SIGKILL, info SEND_SIG_NOINFO); the same prototype on
 * 6.1.170 and 6.12.107.
 *
 * Return: a NULL-terminated list.
 */
static inline const char * const *nsp_sig_deliver_symbols(void)
{
	static const char * const syms[] = { NSP_TP_SIG_DELIVER, NULL };

	return syms;
}

/**
 * nsp_veth_xmit_symbols() - candidates for the veth transmit hook
 *
 * veth_xmit(struct sk_buff *skb, struct net_device *dev) in
 * drivers/net/veth.c, the same on 6.1.170 and 6.12.107. With CONFIG_VETH=m
 * it exists only while veth.ko is loaded.
 *
 * Return: a NULL-terminated list.
 */
static inline const char * const *nsp_veth_xmit_symbols(void)
{
	static const char * const syms[] = { "veth_xmit", NULL };

	return syms;
}

/* veth_xmit()'s arguments at entry. */
static inline struct sk_buff *nsp_veth_xmit_skb(struct pt_regs *regs)
{
	return (struct sk_buff *)regs_get_kernel_argument(regs, 0);
}

static inline struct net_device *nsp_veth_xmit_dev(struct pt_regs *regs)
{
	return (struct net_device *)regs_get_kernel_argument(regs, 1);
}

/**
 * nsp_dev_forward_symbols() - candidates for the veth forward helper
 *
 * int __dev_forward_skb(struct net_device *dev, struct sk_buff *skb),
 * exported, called by veth_forward_skb() on 6.1.170 and 6.12.107.
 *
 * Return: a NULL-terminated list.
 */
static inline const char * const *nsp_dev_forward_symbols(void)
{
	static const char * const syms[] = { "__dev_forward_skb", NULL };

	return syms;
}

/* __dev_forward_skb()'s arguments at entry: the peer, and the skb. */
static inline struct net_device *nsp_dev_forward_dev(struct pt_regs *regs)
{
	return (struct net_device *)regs_get_kernel_argument(regs, 0);
}

static inline struct sk_buff *nsp_dev_forward_skb(struct pt_regs *regs)
{
	return (struct sk_buff *)regs_get_kernel_argument(regs, 1);
}

/**
 * nsp_backlog_symbols() - candidates for the backlog-path helper
 *
 * veth hands an skb to the backlog with netif_rx() on 6.1 and __netif_rx()
 * on 6.12; both reach enqueue_to_backlog(struct sk_buff *skb, int cpu,
 * unsigned int *qtail) through netif_rx_internal(). It is static but not
 * inlined on 6.1.170 and 6.12.107 ("t" in kallsyms).
 *
 * Return: a NULL-terminated list.
 */
static inline const char * const *nsp_backlog_symbols(void)
{
	static const char * const syms[] = { "enqueue_to_backlog", NULL };

	return syms;
}

/* enqueue_to_backlog()'s skb at entry. */
static inline struct sk_buff *nsp_backlog_skb(struct pt_regs *regs)
{
	return (struct sk_buff *)regs_get_kernel_argument(regs, 0);
}

/**
 * nsp_rx_backlog_symbols() - where the backlog delivers an skb
 *
 * process_backlog() calls __netif_receive_skb(struct sk_buff *skb) ("t",
 * not inlined, on 6.1.170 and 6.12.107).
 *
 * Return: a NULL-terminated list.
 */
static inline const char * const *nsp_rx_backlog_symbols(void)
{
	static const char * const syms[] = { "__netif_receive_skb", NULL };

	return syms;
}

/* __netif_receive_skb()'s skb at entry. */
static inline struct sk_buff *nsp_rx_backlog_skb(struct pt_regs *regs)
{
	return (struct sk_buff *)regs_get_kernel_argument(regs, 0);
}

/**
 * nsp_rx_napi_symbols() - where veth's NAPI poll delivers an skb
 *
 * veth_xdp_rcv() calls napi_gro_receive(struct napi_struct *napi, struct
 * sk_buff *skb) on 6.1.170 and 6.12.107. (6.15 renamed it gro_receive_skb(),
 * with the skb still second; add it here when a newer kernel is tested.)
 *
 * Return: a NULL-terminated list.
 */
static inline const char * const *nsp_rx_napi_symbols(void)
{
	static const char * const syms[] = { "napi_gro_receive", NULL };

	return syms;
}

/* napi_gro_receive()'s skb at entry. */
static inline struct sk_buff *nsp_rx_napi_skb(struct pt_regs *regs)
{
	return (struct sk_buff *)regs_get_kernel_argument(regs, 1);
}

/**
 * nsp_ns_exit_symbols() - where a task drops its namespaces
 *
 * void exit_task_namespaces(struct task_struct *p), kernel/nsproxy.c:
 * called by do_exit() with p == current (and by copy_process()'s error
 * path on the unborn child). It calls switch_task_namespaces(p, NULL),
 * which the compiler may inline into it, so both are hooked (6.1.170,
 * 6.12.107; not exported, kprobes only).
 *
 * Return: a NULL-terminated list.
 */
static inline const char * const *nsp_ns_exit_symbols(void)
{
	static const char * const syms[] = { "exit_task_namespaces", NULL };

	return syms;
}

/**
 * nsp_ns_switch_symbols() - where a task's ->nsproxy is swapped
 *
 * void switch_task_namespaces(struct task_struct *p, struct nsproxy *new),
 * kernel/nsproxy.c: the only writer of a live task's ->nsproxy, called
 * with p == current by unshare(), setns(), exec_task_namespaces() and
 * exit_task_namespaces() (6.1.170, 6.12.107).
 *
 * Return: a NULL-terminated list.
 */
static inline const char * const *nsp_ns_switch_symbols(void)
{
	static const char * const syms[] = { "switch_task_namespaces", NULL };

	return syms;
}

/*
 * The task of exit_task_namespaces(p) and switch_task_namespaces(p, new):
 * the first argument of both, at entry.
 */
static inline struct task_struct *nsp_ns_change_task(struct pt_regs *regs)
{
	return (struct task_struct *)regs_get_kernel_argument(regs, 0);
}

/**
 * nsp_oom_victim_symbols() - the OOM victim tracepoint
 *
 * oom:mark_victim, in mark_oom_victim(), once per victim (TIF_MEMDIE).
 * Prototype (struct task_struct *task, uid_t uid) on 6.12.107 and on Debian's
 * 6.1.170 (backported; older 6.1 had (int pid)). Its callers, in
 * mm/oom_kill.c: __oom_kill_process() after do_send_sig_info(SIGKILL,
 * SEND_SIG_PRIV, victim) and before task_unlock(victim); oom_kill_process()
 * for a victim that is already dying, under task_lock(victim), no kill;
 * out_of_memory() for a dying current, no kill. So the victim's ->nsproxy
 * is always safe to read there.
 *
 * Return: a NULL-terminated list.
 */
static inline const char * const *nsp_oom_victim_symbols(void)
{
	static const char * const syms[] = { NSP_TP_OOM_VICTIM, NULL };

	return syms;
}

/*
 * NSP_OOM_VICTIM_TP(fn): a mark_victim tracepoint probe that calls
 * void fn(struct task_struct *victim).
 */
#define NSP_OOM_VICTIM_TP(fn) fn##_tp
#define NSP_DEFINE_OOM_VICTIM_TP(fn)					\
	static void fn##_tp(void *data, struct task_struct *task, uid_t uid) \
	{								\
		fn(task);						\
	}

#endif /* NSP_COMPAT_H */
