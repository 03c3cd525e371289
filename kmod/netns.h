/* SPDX-License-Identifier: GPL-2.0 */
#ifndef NSP_NETNS_H
#define NSP_NETNS_H

#include <linux/atomic.h>
#include <linux/percpu.h>
#include <linux/seqlock.h>
#include <linux/types.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include <nsprobe/format.h>

#include "counters.h"
#include "devices.h"

/* Rows of the signal counter arrays: signo 1..NSP_SIG_MAX, row 0 unused. */
#define NSP_SIG_ROWS (NSP_SIG_MAX + 1)

/**
 * struct nsp_sig_row - the signal counters of one (netns, signo)
 * @ctr:  counters by enum nsp_sig_ctr; the NSP_SIG_CTR_ignored column is
 *        unused (ignored is rendered as the sum of its reasons)
 * @base: @ctr at the last reset, under nsp_net.lock
 *
 * 320 bytes, taken from a preallocated pool on the first count of its signal
 * number in its netns (nsp_net_sig_row()), freed at the netns' pernet exit.
 */
struct nsp_sig_row {
	atomic64_t ctr[NSP_SIG_CTR__COUNT];
	u64 base[NSP_SIG_CTR__COUNT];
};

/*
 * The classes of signal events (sigevents.c, nsp_sigev_notable()); each has
 * a ring of its own, so routine events never push notable ones out.
 * Indexes into NSP_SIG_EV_CLASS_NAMES (format.h).
 */
enum nsp_sigev_class {
	NSP_EV_ROUTINE,
	NSP_EV_NOTABLE,
	NSP_EV_CLASSES,
};

/**
 * struct nsp_sigev_ring - the storage of one signal event ring (sigevents.c)
 * @size:    slots
 * @written: events stored in this ring so far; the event at position P
 *           (1..@written) lives in slot (P-1) % @size
 * @dir:     NULL until the first event; then the chunk pointers, each NULL
 *           until the writer first reached it
 */
struct nsp_sig_event;

struct nsp_sigev_ring {
	u32 size;
	u64 written;
	struct nsp_sig_event **dir;
};

/**
 * struct nsp_sigev_rings - the event rings of one netns
 * @seq:  events stored so far in both rings; the last event's seq
 * @gseq: (format 1.7) the node-wide sequence number of the last event
 *        stored here, 0 before the first (sigevents.c, nsp_sigev_gseq)
 * @ring: one ring per enum nsp_sigev_class
 *
 * A live netns' rings are in its struct nsp_sigev_net, under its lock. At
 * the netns' pernet exit the rings' .exit moves them into
 * nsp_net.dead_rings, where the post-mortem record (postmortem.c) takes
 * them over, or they are freed.
 */
struct nsp_sigev_rings {
	u64 seq;
	u64 gseq;
	struct nsp_sigev_ring ring[NSP_EV_CLASSES];
};

/**
 * struct nsp_net - nsprobe's state of one network namespace (net_generic)
 * @lock:     seqlock over the signal baselines (nsp_sig_row.base). Writer
 *            (spin lock): a reset, which also takes @devs' lock, nested
 *            inside this one (lock order in devices.h). Readers (debugfs,
 *            under rcu_read_lock()) retry, so a record never mixes values
 *            from before and after a reset. Never taken by a probe handler.
 * @devs:     the tracked veth devices and their counters (devices.c, which
 *            alone touches its fields), under a lock of its own
 * @sig:      signal counter rows by signo (slot 0 unused); NULL until the
 *            first count of that signal in this netns; set once with
 *            cmpxchg(), read with READ_ONCE()
 * @sig_rows: rows in @sig
 * @ev_chunks: chunks of this netns' signal event ring (sigevents.c)
 * @alloc_failed: counts lost in this netns for want of memory: a signal
 *            counter increment or an event with the pool empty, or a veth
 *            not tracked because its state or @devs' retired counters could
 *            not be allocated
 * @exit_cgid: the cgroup v2 id of the last task that left this netns
 *            through exit_task_namespaces() (the sig_ns_exit kprobe), 0 if
 *            none yet; an id, not a reference: a netns may outlive that
 *            cgroup, which must not stay pinned for it (postmortem.c)
 * @dead_rings: the event rings, moved here by their pernet exit for the
 *            post-mortem record; empty while the netns lives
 * @walk_key: this netns' place in net_namespace_list for the debugfs
 *            iterators (debugfs.c, nsp_walk_key()): 0 until a debugfs walk
 *            first reaches the netns, then set once; increasing along the
 *            list among the netns that are still on it
 *
 * The signal counters are atomic64_t, not per-CPU: signals are not a packet
 * hot path, and per-CPU x 64 signals x 20 counters x every netns would cost
 * 10 KiB per CPU per netns. This struct is 768 bytes on 6.12 and 6.1, 880
 * on 6.12-rt (whose seqlock_t holds an rtmutex-based spinlock_t), a
 * kmalloc-1k object (pahole; more with lockdep). BUILD_BUG_ON in netns.c:
 * it must stay an order-0 allocation, allocated by the netns core (.size)
 * for every netns; everything bigger is allocated on first use.
 */
struct nsp_net {
	seqlock_t lock;
	struct nsp_net_devs devs;
	struct nsp_sig_row *sig[NSP_SIG_ROWS];
	atomic_t sig_rows;
	atomic_t ev_chunks;
	atomic64_t alloc_failed;
	u64 exit_cgid;
	struct nsp_sigev_rings dead_rings;
	atomic64_t walk_key;
};

/**
 * struct nsp_net_totals - one netns record, baseline subtracted
 * @devices:       tracked veth devices
 * @tx:            device counters summed over live and retired devices
 * @sig_generated: generated signals, summed over signo
 * @sig_ignored:   ignored signals, summed over signo
 * @sig_rows:      signal counter rows allocated (signal numbers seen)
 * @ev_chunks:     event ring chunks allocated
 * @alloc_failed:  nsp_net.alloc_failed (never reset)
 */
struct nsp_net_totals {
	u64 devices;
	u64 tx[NSP_DEV_CTR__COUNT];
	u64 sig_generated;
	u64 sig_ignored;
	u32 sig_rows;
	u32 ev_chunks;
	u64 alloc_failed;
};

extern unsigned int nsp_net_id;

/*
 * (format 1.5) The signal counters of the whole node: every count
 * nsp_net_sig_inc() makes, whatever the netns, so the counts of a netns stay
 * in them after it dies ("node_sig" records, NSP_FILE_SIGNALS). Static, so
 * they never lose a count for want of memory. Baselined like a netns' rows,
 * by a reset of every netns only, under nsp_node_lock.
 */
extern struct nsp_sig_row nsp_node_sig[NSP_SIG_ROWS];

/* Latency tracking (module parameter latency); fixed once the module runs. */
extern bool nsp_latency;

/* Module-wide counters of the "stats" file. */
DECLARE_PER_CPU(u64, nsp_veth_untracked);
extern atomic64_t nsp_sig_unattributed;
extern atomic64_t nsp_alloc_failed;

/**
 * nsp_net() - nsprobe's state of a network namespace
 * @net: a netns that is alive, or one the caller reached under RCU
 *
 * Valid from before any device exists in @net until after the last one is
 * gone: the pernet subsys init runs before any pernet device init and its
 * exit after every device exit (see net/core/net_namespace.c).
 *
 * Return: the struct nsp_net of @net.
 */
static inline struct nsp_net *nsp_net(const struct net *net)
{
	return net_generic(net, nsp_net_id);
}

struct nsp_sig_row *nsp_net_sig_row(struct nsp_net *pn, int sig);

/**
 * nsp_net_alloc_failed() - count one loss for want of memory in a netns
 * @pn: the netns state
 *
 * Counts in the netns' alloc_failed and in the module-wide one.
 *
 * Context: any; lockless.
 */
static inline void nsp_net_alloc_failed(struct nsp_net *pn)
{
	atomic64_inc(&pn->alloc_failed);
	atomic64_inc(&nsp_alloc_failed);
}

/**
 * nsp_net_sig_inc() - count one signal event in a netns
 * @pn:  the target's netns state, reached under rcu_read_lock() through a
 *       live task's nsproxy (or otherwise pinned)
 * @sig: signal number, 1..NSP_SIG_MAX (checked by the caller)
 * @ctr: which counter
 *
 * The row of @sig is taken from a preallocated pool on its first count in
 * this netns (nsp_net_sig_row()); with the pool empty the count is lost and
 * counted in alloc_failed (the netns' and the module's) instead. The node's
 * row (nsp_node_sig) counts it either way: one more atomic increment, on a
 * cache line shared by every CPU, like the rows of a busy netns.
 *
 * Context: any but NMI, probe handlers included (PREEMPT_RT too): never
 * allocates or sleeps; lockless but for the pool's raw spinlock on a row's
 * first use.
 */
static inline void nsp_net_sig_inc(struct nsp_net *pn, int sig,
				   enum nsp_sig_ctr ctr)
{
	struct nsp_sig_row *row = READ_ONCE(pn->sig[sig]);

	atomic64_inc(&nsp_node_sig[sig].ctr[ctr]);
	if (unlikely(!row)) {
		row = nsp_net_sig_row(pn, sig);
		if (!row) {
			nsp_net_alloc_failed(pn);
			return;
		}
	}
	atomic64_inc(&row->ctr[ctr]);
}

void nsp_net_totals(struct nsp_net *pn, struct nsp_net_totals *t);
void nsp_net_sig_read(struct nsp_net *pn, int sig, u64 out[NSP_SIG_CTR__COUNT]);
void nsp_sig_row_read(const struct nsp_sig_row *row,
		      u64 out[NSP_SIG_CTR__COUNT]);
void nsp_sig_row_free(struct nsp_sig_row *row);
void nsp_net_reset(struct nsp_net *pn);
void nsp_node_sig_read(int sig, u64 out[NSP_SIG_CTR__COUNT]);
void nsp_node_reset(void);
int nsp_netns_init(void);
void nsp_netns_exit(void);

#endif /* NSP_NETNS_H */
