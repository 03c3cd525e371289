// SPDX-License-Identifier: GPL-2.0
/*
 * Per-netns state: register_pernet_subsys() with .id/.size, so the netns
 * core allocates a struct nsp_net for every namespace (net_generic()).
 *
 * Footprint: the netns core allocates .size for every new netns, in the
 * netns creation path, and nothing we add there may make it fail. So
 * struct nsp_net stays small (an order-0 allocation, checked at build time)
 * and the pernet init allocates nothing and cannot fail. What is big is
 * allocated on first use: a signal counter row per signal number from a
 * preallocated pool (the first count happens in a probe handler, where no
 * allocator may run on PREEMPT_RT: see pool.c), the retired device
 * counters when the first veth is tracked (devices.c, process context).
 * A failed first use is counted in alloc_failed and loses that one count.
 *
 * Reset semantics: counters are never zeroed, since per-CPU counters cannot
 * be zeroed remotely without racing their owners. A reset stores the
 * current values as a baseline, under the netns seqlock (the signal
 * baselines) and, nested inside it, the seqlock of the netns' devices
 * (devices.c, the device baselines); readers subtract it. Counting never
 * pauses. A device registered after a reset starts from zero anyway; its
 * baseline is zero.
 */

#include <linux/atomic.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/seqlock.h>
#include <linux/string.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "devices.h"
#include "netns.h"
#include "pool.h"
#include "postmortem.h"
#include "sigevents.h"

unsigned int nsp_net_id __read_mostly;
bool nsp_latency __read_mostly;

DEFINE_PER_CPU(u64, nsp_veth_untracked);
atomic64_t nsp_sig_unattributed = ATOMIC64_INIT(0);
atomic64_t nsp_alloc_failed = ATOMIC64_INIT(0);
struct nsp_sig_row nsp_node_sig[NSP_SIG_ROWS];
/* Orders a reset of nsp_node_sig's baselines against their readers. */
static DEFINE_SEQLOCK(nsp_node_lock);

/*
 * Signal counter rows ready for probe handlers. 64 rows (20 KiB) cover the
 * first signal numbers of a burst of new namespaces; the refill work tops
 * the pool up again from half.
 */
#define NSP_SIG_ROW_POOL 64

static struct nsp_pool nsp_row_pool;

static int __net_init nsp_net_init(struct net *net)
{
	struct nsp_net *pn = nsp_net(net);

	/*
	 * The netns core zeroed *pn (kzalloc of .size). Nothing is allocated
	 * here, so a netns creation never fails because of nsprobe.
	 */
	seqlock_init(&pn->lock);
	nsp_devs_init(&pn->devs);
	return 0;
}

/**
 * nsp_net_sig_row() - the signal counter row of (netns, signo), made on first use
 * @pn:  netns state, alive under the caller's rcu_read_lock() (or pinned)
 * @sig: signal number, 1..NSP_SIG_MAX
 *
 * Takes a zeroed row from the pool and installs it with cmpxchg(); the
 * loser of a race gives its row back. Its baseline is zero, which is what a
 * reset before this first count would have stored.
 *
 * Context: any but NMI; never allocates or sleeps (pool.c).
 * Return: the row, or NULL if the pool is empty (the caller counts the loss).
 */
struct nsp_sig_row *nsp_net_sig_row(struct nsp_net *pn, int sig)
{
	struct nsp_sig_row *row, *old;

	row = nsp_pool_take(&nsp_row_pool);
	if (!row)
		return READ_ONCE(pn->sig[sig]);
	old = cmpxchg(&pn->sig[sig], NULL, row);
	if (old) {
		nsp_pool_put(&nsp_row_pool, row);
		return old;
	}
	atomic_inc(&pn->sig_rows);
	return row;
}

/*
 * exit_batch runs after every pernet device exit of these namespaces, so all
 * their devices are unregistered by now and folded into their netns'
 * retired counters; the RCU callbacks still pending free only their own
 * nsp_dev (devices.c), so nothing here waits for them. The netns core frees
 * *pn itself after this returns. Probe handlers reach *pn only under
 * rcu_read_lock() through a live task's nsproxy; cleanup_net() waited a
 * grace period after unlinking the netns, so none still holds a signal row.
 */
static void __net_exit nsp_net_exit_batch(struct list_head *net_exit_list)
{
	struct nsp_net_totals t;
	struct net *net;
	int s;

	list_for_each_entry(net, net_exit_list, exit_list) {
		struct nsp_net *pn = nsp_net(net);

		/*
		 * The record as debugfs showed it last, kept (with the signal
		 * rows and the ring, which it takes over) if post-mortem
		 * records are on (postmortem.c). Every device is gone and
		 * folded into the retired counters by now.
		 */
		rcu_read_lock();
		nsp_net_totals(pn, &t);
		rcu_read_unlock();
		nsp_pm_keep(net, pn, &t);
		nsp_sigev_rings_free(&pn->dead_rings);
		nsp_devs_destroy(&pn->devs);
		for (s = 1; s <= NSP_SIG_MAX; s++) {
			nsp_pool_free(&nsp_row_pool, pn->sig[s]);
			pn->sig[s] = NULL;
		}
	}
	/*
	 * (1.7) A poller of "events" following one of these netns hangs up
	 * now (debugfs.c), its post-mortem record in place.
	 */
	nsp_sigev_wake_all();
}

static struct pernet_operations nsp_net_ops = {
	.init = nsp_net_init,
	.exit_batch = nsp_net_exit_batch,
	.id = &nsp_net_id,
	.size = sizeof(struct nsp_net),
};

/**
 * nsp_net_totals() - the netns record of one namespace
 * @pn: netns state, reached under rcu_read_lock()
 * @t:  filled with the totals minus the last reset's baseline
 *
 * Retries while a reset runs (pn->lock), and the device part while a device
 * retirement runs (nsp_devs_totals()), so @t is consistent: its device and
 * signal counters are all from the same side of a reset.
 *
 * Context: rcu_read_lock() held.
 */
void nsp_net_totals(struct nsp_net *pn, struct nsp_net_totals *t)
{
	unsigned int seq;
	int s;

	do {
		seq = read_seqbegin(&pn->lock);
		memset(t, 0, sizeof(*t));
		t->sig_rows = atomic_read(&pn->sig_rows);
		t->ev_chunks = atomic_read(&pn->ev_chunks);
		t->alloc_failed = atomic64_read(&pn->alloc_failed);
		t->devices = nsp_devs_totals(&pn->devs, t->tx);
		for (s = 1; s <= NSP_SIG_MAX; s++) {
			u64 v[NSP_SIG_CTR__COUNT];

			nsp_net_sig_read(pn, s, v);
			t->sig_generated += v[NSP_SIG_CTR_generated];
			t->sig_ignored += v[NSP_SIG_CTR_ignored];
		}
	} while (read_seqretry(&pn->lock, seq));
}

/**
 * nsp_net_sig_read() - the counters of one (netns, signo)
 * @pn:  netns state, reached under rcu_read_lock()
 * @sig: signal number, 1..NSP_SIG_MAX
 * @out: the counters minus the baseline, indexed by enum nsp_sig_ctr;
 *       out[NSP_SIG_CTR_ignored] is the sum of the ignored_* reasons, so the
 *       format's invariant holds even while signals are being counted
 *
 * A signal number never counted in this netns has no row: all zero.
 *
 * The caller retries with read_seqbegin()/read_seqretry() on pn->lock if it
 * needs a result consistent with resets.
 */
void nsp_net_sig_read(struct nsp_net *pn, int sig, u64 out[NSP_SIG_CTR__COUNT])
{
	nsp_sig_row_read(READ_ONCE(pn->sig[sig]), out);
}

/**
 * nsp_sig_row_read() - the counters of one signal row
 * @row: the row, or NULL (all zero)
 * @out: as for nsp_net_sig_read()
 */
void nsp_sig_row_read(const struct nsp_sig_row *row,
		      u64 out[NSP_SIG_CTR__COUNT])
{
	int i;

	if (!row) {
		memset(out, 0, sizeof(u64) * NSP_SIG_CTR__COUNT);
		return;
	}
	for (i = 0; i < NSP_SIG_CTR__COUNT; i++)
		out[i] = nsp_sub(atomic64_read(&row->ctr[i]),
				 READ_ONCE(row->base[i]));
	out[NSP_SIG_CTR_ignored] = out[NSP_SIG_CTR_ignored_init] +
				   out[NSP_SIG_CTR_ignored_sig_ign] +
				   out[NSP_SIG_CTR_ignored_default] +
				   out[NSP_SIG_CTR_ignored_exiting] +
				   out[NSP_SIG_CTR_ignored_other];
}

/**
 * nsp_sig_row_free() - give a signal row back (post-mortem records)
 * @row: a row no handler can reach any more, or NULL
 *
 * Context: process context.
 */
void nsp_sig_row_free(struct nsp_sig_row *row)
{
	nsp_pool_free(&nsp_row_pool, row);
}

/**
 * nsp_net_reset() - zero every counter of one netns (by baseline)
 * @pn: netns state, reached under rcu_read_lock() or with a reference
 *
 * Stores the current device, netns and signal counters, and the latency
 * histograms, as baselines: the signal ones under pn->lock, the device ones
 * (nsp_devs_reset()) under the devices' seqlock, nested inside pn->lock
 * (lock order: devices.h), so a reader in a pn->lock read section sees all
 * of a reset or none of it. Work is O(devices x possible CPUs) under spin
 * locks: resets are rare administrative writes. No RTNL (nsp_devs_reset()
 * says why).
 *
 * Context: process context, rcu_read_lock() held, no spin lock.
 */
void nsp_net_reset(struct nsp_net *pn)
{
	int s, i;

	write_seqlock(&pn->lock);
	nsp_devs_reset(&pn->devs);
	/*
	 * A row installed after this loop passed its slot started from zero
	 * with a zero baseline: as if it had been reset here.
	 */
	for (s = 1; s <= NSP_SIG_MAX; s++) {
		struct nsp_sig_row *row = READ_ONCE(pn->sig[s]);

		if (!row)
			continue;
		for (i = 0; i < NSP_SIG_CTR__COUNT; i++)
			WRITE_ONCE(row->base[i], atomic64_read(&row->ctr[i]));
	}
	write_sequnlock(&pn->lock);
}

/**
 * nsp_node_sig_read() - the node's counters of one signal number
 * @sig: 1..NSP_SIG_MAX
 * @out: as for nsp_net_sig_read(): baseline subtracted, ignored summed
 *
 * Counts of every netns, live or dead, since the module loaded or the last
 * reset of every netns (nsp_node_reset()).
 *
 * Context: any but NMI.
 */
void nsp_node_sig_read(int sig, u64 out[NSP_SIG_CTR__COUNT])
{
	unsigned int seq;

	do {
		seq = read_seqbegin(&nsp_node_lock);
		nsp_sig_row_read(&nsp_node_sig[sig], out);
	} while (read_seqretry(&nsp_node_lock, seq));
}

/**
 * nsp_node_reset() - zero the node's signal counters (by baseline)
 *
 * Context: process context; the control file's "reset" (every netns).
 */
void nsp_node_reset(void)
{
	int s, i;

	write_seqlock(&nsp_node_lock);
	for (s = 1; s <= NSP_SIG_MAX; s++)
		for (i = 0; i < NSP_SIG_CTR__COUNT; i++)
			WRITE_ONCE(nsp_node_sig[s].base[i],
				   atomic64_read(&nsp_node_sig[s].ctr[i]));
	write_sequnlock(&nsp_node_lock);
}

/**
 * nsp_netns_init() - fill the signal row pool, register the pernet subsystem
 *
 * Runs nsp_net_init() for every existing netns.
 *
 * Context: process context; sleeps.
 * Return: 0, or -ENOMEM (the row pool's slab cache), or another error of
 * register_pernet_subsys().
 */
int nsp_netns_init(void)
{
	int err;

	/* The netns core allocates .size per netns: keep it order-0. */
	BUILD_BUG_ON(sizeof(struct nsp_net) > PAGE_SIZE);
	err = nsp_pool_init(&nsp_row_pool, "nsp_sig_row",
			    sizeof(struct nsp_sig_row), NSP_SIG_ROW_POOL);
	if (err)
		return err;
	err = register_pernet_subsys(&nsp_net_ops);
	if (err)
		nsp_pool_exit(&nsp_row_pool);
	return err;
}

/**
 * nsp_netns_exit() - unregister the pernet subsystem, free the row pool
 *
 * Every device must be untracked first (nsp_devices_exit()) and every probe
 * handler gone (the pernet exit frees the signal rows).
 *
 * Context: process context; sleeps.
 */
void nsp_netns_exit(void)
{
	unregister_pernet_subsys(&nsp_net_ops);
	nsp_pool_exit(&nsp_row_pool);
}
