// SPDX-License-Identifier: GPL-2.0
/*
 * Post-mortem records of dead network namespaces (issue 9, item 6).
 *
 * When a container's last process dies its netns goes, and with it the
 * counters and events that would tell how it died. So at the netns' pernet
 * exit (netns.c, exit_batch, process context in the cleanup_net workqueue)
 * its netns record is kept in a module-wide list, with its signal counter
 * rows and its event rings: their ownership moves to the record (nothing
 * is copied), marked with the time it went and the cgroup v2 of the last
 * task that left it (its id, noted by the sig_ns_exit kprobe; resolved to
 * a path here, where sleeping is allowed, if the cgroup still exists; the
 * kprobe takes no reference, so no removed cgroup stays pinned for a netns
 * that outlives it).
 *
 * Bounded: at most postmortem_max records (default 64, 0: off, at most
 * NSP_PM_MAX_RECORDS), the oldest dropped first; each for postmortem_secs
 * seconds (default 600, 0: no time limit), freed by a delayed work item or
 * by the reader that finds it expired. Memory: docs/architecture.md.
 *
 * Nothing here can fail or block a netns teardown: keeping a record is one
 * kmalloc (GFP_KERNEL) and, with a cgroup, one PATH_MAX buffer; if either
 * fails the record (or its path) is not kept and that is counted
 * (stats postmortem_lost, alloc_failed), never silent.
 *
 * Locking: nsp_pm_lock, a mutex, taken at a netns' pernet exit, by debugfs
 * readers (one seq_file buffer at a time: a record cannot be freed under
 * them, and a reader picks up by record id after the lock was dropped), by
 * the expiry work and at unload. Never by a probe handler: the sig_ns_exit
 * kprobe only stores a cgroup id in the netns' own struct nsp_net.
 *
 * Lifetime: a record owns rows of the row pool (netns.c) and chunks of the
 * ring pools (sigevents.c). nsp_pm_stop() (main.c, before the signal hooks
 * and the pools go) turns records off under the lock and frees them all;
 * a pernet exit after that frees instead of keeping.
 */

#include <linux/cgroup.h>
#include <linux/kernfs.h>
#include <linux/ktime.h>
#include <linux/limits.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "compat.h"
#include "netns.h"
#include "postmortem.h"
#include "sigevents.h"

static unsigned int postmortem_max = 64;
module_param(postmortem_max, uint, 0444);
MODULE_PARM_DESC(postmortem_max, "Dead network namespaces whose records are kept (default 64, 0: none, at most 4096)");

static unsigned int postmortem_secs = 600;
module_param(postmortem_secs, uint, 0444);
MODULE_PARM_DESC(postmortem_secs, "Seconds a dead netns' record is kept (default 600, 0: until postmortem_max newer ones push it out)");

#define NSP_PM_MAX_RECORDS 4096

atomic64_t nsp_pm_lost = ATOMIC64_INIT(0);

static DEFINE_MUTEX(nsp_pm_lock);
static LIST_HEAD(nsp_pm_list);		/* oldest first */
static unsigned int nsp_pm_n;		/* records on the list */
static u64 nsp_pm_last_id;		/* the id of the newest record */
static unsigned int nsp_pm_limit;	/* postmortem_max, capped */
static bool nsp_pm_active;		/* written under nsp_pm_lock */

static void nsp_pm_workfn(struct work_struct *w);
static DECLARE_DELAYED_WORK(nsp_pm_work, nsp_pm_workfn);

/**
 * nsp_pm_wanted() - are post-mortem records kept now?
 *
 * A hint for the pernet exits (the ring's exit moves the ring aside only
 * then); nsp_pm_keep() decides under the lock.
 *
 * Context: any.
 */
bool nsp_pm_wanted(void)
{
	return READ_ONCE(nsp_pm_active);
}

/**
 * nsp_pm_note_exit() - note current's cgroup in the netns it leaves
 * @net: current->nsproxy->net_ns
 *
 * Stores the id of current's cgroup v2, written only when it changes (the
 * tasks of a container share one), never for the initial netns (it never
 * dies, and every host task's exit would write one shared line). current
 * is past exit_signals() (PF_EXITING), so no migration moves it meanwhile.
 *
 * Context: the sig_ns_exit kprobe (preemption off), current exiting.
 */
void nsp_pm_note_exit(const struct net *net)
{
	struct nsp_net *pn;
	u64 id;

	if (!nsp_pm_wanted() || net_eq(net, &init_net))
		return;
	pn = nsp_net(net);
	rcu_read_lock();
	id = cgroup_id(task_dfl_cgroup(current));
	rcu_read_unlock();
	if (READ_ONCE(pn->exit_cgid) != id)
		WRITE_ONCE(pn->exit_cgid, id);
}

/* Free a record and what it owns. Context: process. */
static void nsp_pm_free(struct nsp_pm_rec *rec)
{
	int s;

	for (s = 1; s <= NSP_SIG_MAX; s++)
		nsp_sig_row_free(rec->sig[s]);
	nsp_sigev_rings_free(&rec->rings);
	kfree(rec);
}

static void nsp_pm_del_locked(struct nsp_pm_rec *rec)
{
	list_del(&rec->node);
	WRITE_ONCE(nsp_pm_n, nsp_pm_n - 1);
	nsp_pm_free(rec);
}

static u64 nsp_pm_ttl_ns(void)
{
	return (u64)postmortem_secs * NSEC_PER_SEC;
}

/* Free the expired records. Context: nsp_pm_lock held. */
static void nsp_pm_expire_locked(void)
{
	struct nsp_pm_rec *rec, *tmp;
	u64 now = ktime_get_boottime_ns();

	if (!postmortem_secs)
		return;
	list_for_each_entry_safe(rec, tmp, &nsp_pm_list, node) {
		if (now - rec->gone_boot < nsp_pm_ttl_ns())
			break;	/* oldest first: the rest are younger */
		nsp_pm_del_locked(rec);
	}
}

/* Arm the expiry work for the oldest record. Context: nsp_pm_lock held. */
static void nsp_pm_arm_locked(void)
{
	struct nsp_pm_rec *rec;
	u64 now = ktime_get_boottime_ns(), left;

	if (!postmortem_secs || !nsp_pm_active)
		return;
	rec = list_first_entry_or_null(&nsp_pm_list, struct nsp_pm_rec, node);
	if (!rec)
		return;
	left = nsp_pm_ttl_ns() - min(now - rec->gone_boot, nsp_pm_ttl_ns());
	mod_delayed_work(system_wq, &nsp_pm_work,
			 nsecs_to_jiffies(left) + 1);
}

static void nsp_pm_workfn(struct work_struct *w)
{
	mutex_lock(&nsp_pm_lock);
	nsp_pm_expire_locked();
	nsp_pm_arm_locked();
	mutex_unlock(&nsp_pm_lock);
}

/**
 * nsp_pm_keep() - keep the record of a netns at its pernet exit
 * @net: the dying netns
 * @pn:  its state; its signal rows and pn->dead_rings are taken over if the
 *       record is kept, left for the caller to free otherwise
 * @t:   its netns record, read at the exit
 *
 * Context: netns.c's exit_batch (process context; may sleep).
 */
void nsp_pm_keep(struct net *net, struct nsp_net *pn,
		 const struct nsp_net_totals *t)
{
	u64 cgid = READ_ONCE(pn->exit_cgid);
	struct cgroup *cg = NULL;
	struct nsp_pm_rec *rec;
	size_t len = 0;
	char *buf = NULL;
	int s, n;

	if (!nsp_pm_wanted())
		return;
	/* The path, if the cgroup is still there (it holds its kernfs node). */
	if (cgid) {
		cg = cgroup_get_from_id(cgid);
		if (IS_ERR(cg))
			cg = NULL;
	}
	if (cg) {
		buf = kmalloc(PATH_MAX, GFP_KERNEL);
		if (!buf) {
			atomic64_inc(&nsp_alloc_failed);
		} else {
			n = cgroup_path(cg, buf, PATH_MAX);
			if (n >= 0 && n < PATH_MAX)
				len = strnlen(buf, PATH_MAX - 1);
		}
	}
	rec = kzalloc(struct_size(rec, cgroup, len + 1), GFP_KERNEL);
	if (!rec) {
		atomic64_inc(&nsp_alloc_failed);
		atomic64_inc(&nsp_pm_lost);
		goto out;
	}
	rec->inum = net->ns.inum;
	rec->cookie = nsp_net_cookie(net);
	rec->gone_real = ktime_get_real_ns();
	rec->gone_boot = ktime_get_boottime_ns();
	rec->cgroup_id = cgid;
	rec->t = *t;
	memcpy(rec->cgroup, buf, len);
	rec->cgroup[len] = '\0';

	mutex_lock(&nsp_pm_lock);
	if (!nsp_pm_active) {
		mutex_unlock(&nsp_pm_lock);
		kfree(rec);
		goto out;
	}
	/* No handler reaches pn any more: the rows and ring move over. */
	for (s = 1; s <= NSP_SIG_MAX; s++) {
		rec->sig[s] = pn->sig[s];
		pn->sig[s] = NULL;
	}
	rec->rings = pn->dead_rings;
	memset(&pn->dead_rings, 0, sizeof(pn->dead_rings));
	rec->id = ++nsp_pm_last_id;
	list_add_tail(&rec->node, &nsp_pm_list);
	WRITE_ONCE(nsp_pm_n, nsp_pm_n + 1);
	while (nsp_pm_n > nsp_pm_limit)
		nsp_pm_del_locked(list_first_entry(&nsp_pm_list,
						   struct nsp_pm_rec, node));
	nsp_pm_expire_locked();
	nsp_pm_arm_locked();
	mutex_unlock(&nsp_pm_lock);
out:
	kfree(buf);
	if (cg)
		cgroup_put(cg);
}

/**
 * nsp_pm_begin() - lock the records for a debugfs walk
 *
 * Frees the expired ones first. Pair with nsp_pm_end(). The postmortem
 * file (debugfs.c) walks with seq_file's start/next/stop, which drop the
 * lock whenever a buffer is full: a pernet exit never waits for a whole
 * read, at most for one buffer's worth of records.
 *
 * Context: process context; sleeps.
 */
void nsp_pm_begin(void)
{
	mutex_lock(&nsp_pm_lock);
	nsp_pm_expire_locked();
}

/**
 * nsp_pm_seek() - the oldest record whose id is at least @id
 * @id: 0 for the oldest of all
 *
 * Context: between nsp_pm_begin() and nsp_pm_end().
 * Return: the record, or NULL if there is none.
 */
struct nsp_pm_rec *nsp_pm_seek(u64 id)
{
	struct nsp_pm_rec *rec;

	list_for_each_entry(rec, &nsp_pm_list, node)
		if (rec->id >= id)
			return rec;
	return NULL;
}

/**
 * nsp_pm_after() - the record kept after @rec
 * @rec: a record on the list
 *
 * Context: between nsp_pm_begin() and nsp_pm_end().
 * Return: the next record, or NULL after the newest.
 */
struct nsp_pm_rec *nsp_pm_after(struct nsp_pm_rec *rec)
{
	return list_is_last(&rec->node, &nsp_pm_list) ? NULL :
	       list_next_entry(rec, node);
}

/**
 * nsp_pm_end() - the end of a walk begun with nsp_pm_begin()
 */
void nsp_pm_end(void)
{
	mutex_unlock(&nsp_pm_lock);
}

/**
 * nsp_pm_count() - records kept
 *
 * Return: a snapshot.
 */
unsigned int nsp_pm_count(void)
{
	return READ_ONCE(nsp_pm_n);
}

/**
 * nsp_pm_init() - take the module parameters; records on unless max is 0
 *
 * Called before the pernet subsystems register.
 */
void nsp_pm_init(void)
{
	nsp_pm_limit = min_t(unsigned int, postmortem_max, NSP_PM_MAX_RECORDS);
	mutex_lock(&nsp_pm_lock);
	nsp_pm_active = nsp_pm_limit > 0;
	mutex_unlock(&nsp_pm_lock);
}

/**
 * nsp_pm_stop() - turn records off and free them all
 *
 * Idempotent. Before the signal hooks and the pools go (main.c): a record
 * owns pool blocks. A pernet exit after this frees what it would have kept.
 *
 * Context: process context; sleeps.
 */
void nsp_pm_stop(void)
{
	struct nsp_pm_rec *rec, *tmp;

	mutex_lock(&nsp_pm_lock);
	WRITE_ONCE(nsp_pm_active, false);
	mutex_unlock(&nsp_pm_lock);
	cancel_delayed_work_sync(&nsp_pm_work);
	mutex_lock(&nsp_pm_lock);
	list_for_each_entry_safe(rec, tmp, &nsp_pm_list, node)
		nsp_pm_del_locked(rec);
	mutex_unlock(&nsp_pm_lock);
}
