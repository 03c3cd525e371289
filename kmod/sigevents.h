/* SPDX-License-Identifier: GPL-2.0 */
#ifndef NSP_SIGEVENTS_H
#define NSP_SIGEVENTS_H

#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/types.h>
#include <net/net_namespace.h>

/* Indexes into NSP_SIG_OUTCOME_NAMES and NSP_SIG_REASON_NAMES (format.h). */
enum nsp_sig_outcome {
	NSP_SIG_OUT_IGNORED,
	NSP_SIG_OUT_COALESCED,
	NSP_SIG_OUT_QUEUED,
	NSP_SIG_OUT_QUEUED_BLOCKED,
	NSP_SIG_OUT_OVERFLOW,
	NSP_SIG_OUT_DELIVERED_TERM,
};

enum nsp_sig_reason {
	NSP_SIG_WHY_NONE,
	NSP_SIG_WHY_EXITING,
	NSP_SIG_WHY_SIG_IGN,
	NSP_SIG_WHY_DEFAULT,
	NSP_SIG_WHY_INIT,
	NSP_SIG_WHY_OTHER,
};

/* Values of nsp_sig_event.cause: NSP_SIG_CAUSE_NAMES. */
#define NSP_SIG_CAUSE_NONE	0
#define NSP_SIG_CAUSE_OOM	1
#define NSP_SIG_CAUSE_INIT_EXIT	2

/* Values of nsp_sig_event.forced. */
#define NSP_SIG_FORCED_NO	0
#define NSP_SIG_FORCED_YES	1
#define NSP_SIG_FORCED_UNKNOWN	2

/**
 * struct nsp_sig_event - one entry of a netns' signal event rings
 * @seq:          1.. per netns, across both rings (their order)
 * @gseq:         (format 1.7) 1.. across every netns since the module
 *                loaded: the order of the node's events (nsp_sigev_add())
 * @pos:          its position in its ring, 1..; 0 marks an empty slot
 * @ts_ns:        ktime_get_ns() at generation
 * @sender_pid:   current's pid, initial pid namespace; 0 when sent from
 *                interrupt context (no sending task), as all sender fields
 * @sender_tgid:  current's tgid, initial pid namespace
 * @sender_netns: current's netns inum, 0 if it has none (exiting)
 * @target_pid:   the target thread's pid, initial pid namespace
 * @target_tgid:  its tgid, initial pid namespace
 * @target_nspid: its pid in its own pid namespace, 0 if it has none
 * @target_pidns: the inum of that pid namespace, 0 if none
 * @code:         si_code, 0 for SEND_SIG_NOINFO, SI_KERNEL for SEND_SIG_PRIV
 * @sig:          signal number
 * @outcome:      enum nsp_sig_outcome
 * @reason:       enum nsp_sig_reason (NONE unless ignored)
 * @origin:       0 process, 1 kernel
 * @forced:       NSP_SIG_FORCED_*
 * @cause:        NSP_SIG_CAUSE_* (OOM: set by oom:mark_victim, sigattr.c;
 *                INIT_EXIT: zap_pid_ns_processes(), signal.c)
 * @ev_class:     enum nsp_sigev_class, its ring (set by nsp_sigev_add())
 * @priv:         sent with SEND_SIG_PRIV (not shown; for OOM matching)
 * @sender_comm:  current->comm
 * @target_comm:  the target's comm
 */
struct nsp_sig_event {
	u64 seq;
	u64 gseq;
	u64 pos;
	u64 ts_ns;
	u32 sender_pid, sender_tgid, sender_netns;
	u32 target_pid, target_tgid, target_nspid, target_pidns;
	s32 code;
	u8 sig, outcome, reason, origin, forced, cause, ev_class;
	bool priv;
	char sender_comm[TASK_COMM_LEN];
	char target_comm[TASK_COMM_LEN];
};

u64 nsp_sigev_add(const struct net *net, const struct nsp_sig_event *e);
void nsp_sigev_set_cause(const struct net *net, u64 handle, u8 cause);
void nsp_sigev_show_net(struct seq_file *m, const struct net *net, u64 after,
			u64 signals, const u64 *gafter);
u64 nsp_sigev_last_gseq(void);
u64 nsp_sigev_net_seq(const struct net *net);
void nsp_sigev_poll_wait(struct file *file, poll_table *pt);
void nsp_sigev_wake_all(void);
struct nsp_sigev_rings;
void nsp_sigev_rings_free(struct nsp_sigev_rings *rings);
void nsp_sigev_show_dead(struct seq_file *m, u32 inum, u64 cookie,
			 const struct nsp_sigev_rings *rings);
int nsp_sigev_init(void);
void nsp_sigev_exit(void);

#endif /* NSP_SIGEVENTS_H */
