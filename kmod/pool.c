// SPDX-License-Identifier: GPL-2.0
/*
 * A small pool of zeroed blocks for the memory a probe handler needs on
 * first use (a netns' signal counter row, a chunk of its event ring).
 *
 * Why: the first signal of a netns arrives in a tracepoint or kprobe
 * handler: preemption off, maybe hard IRQ, maybe under raw spinlocks. On
 * PREEMPT_RT no allocator may be called there at all, not even with
 * GFP_ATOMIC (the page and slab allocators take sleeping locks on RT;
 * Documentation/locking/locktypes.rst, "raw_spinlock_t on RT"). So the
 * handler only unlinks a block from a free list under a raw spinlock, and a
 * work item refills the list in process context with GFP_KERNEL. This is
 * what kernel/bpf/memalloc.c does for BPF programs, for the same reason.
 *
 * Rules:
 *  - nsp_pool_take() and nsp_pool_put(): any context but NMI. O(1), one
 *    raw spinlock, interrupts off. take returns NULL when the pool is empty;
 *    the caller counts that (alloc_failed) and loses that one count, never
 *    silently.
 *  - The refill is kicked through irq_work, never by queue_work() from the
 *    handler: queue_work() may wake a kworker (the scheduler's rq lock), and
 *    a handler may run where that is not allowed. irq_work_queue() is safe
 *    in any context (NMI included); its callback runs in hard IRQ (!RT) or
 *    in the irq_work kthread (RT) and only queues the work.
 *  - Blocks on the free list are zero but for the link word, which take
 *    clears: a taken block is all zero.
 *  - nsp_pool_free(): process context; zeroes the block and keeps it if the
 *    pool is below target, else returns it to the slab.
 *  - Each take is on a first use (one per netns and signal number, one per
 *    ring chunk), never per event: the lock is not on a hot path.
 */

#include <linux/irq_work.h>
#include <linux/preempt.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "pool.h"

/* Push one zeroed block. Context: p->lock held. */
static void nsp_pool_push_locked(struct nsp_pool *p, void *obj)
{
	*(void **)obj = p->free;
	p->free = obj;
	p->count++;
}

static void nsp_pool_refill(struct work_struct *w)
{
	struct nsp_pool *p = container_of(w, struct nsp_pool, refill);
	unsigned long flags;
	void *obj;

	for (;;) {
		if (READ_ONCE(p->count) >= p->target)
			return;
		obj = kmem_cache_zalloc(p->cache, GFP_KERNEL);
		if (!obj)
			return;	/* the next take that finds it short kicks again */
		raw_spin_lock_irqsave(&p->lock, flags);
		nsp_pool_push_locked(p, obj);
		raw_spin_unlock_irqrestore(&p->lock, flags);
	}
}

static void nsp_pool_kick(struct irq_work *w)
{
	struct nsp_pool *p = container_of(w, struct nsp_pool, kick);

	queue_work(system_unbound_wq, &p->refill);
}

/**
 * nsp_pool_take() - a zeroed block, without allocating
 * @p: the pool
 *
 * Kicks the refill when the pool falls below half its target.
 *
 * Context: any but NMI (a probe handler included; PREEMPT_RT too): no
 * allocation, no sleeping.
 * Return: a zeroed block of the pool's size, or NULL if the pool is empty
 * (the caller must count the loss).
 */
void *nsp_pool_take(struct nsp_pool *p)
{
	unsigned long flags;
	bool low;
	void *obj;

	if (WARN_ON_ONCE(in_nmi()))
		return NULL;
	raw_spin_lock_irqsave(&p->lock, flags);
	obj = p->free;
	if (obj) {
		p->free = *(void **)obj;
		p->count--;
		*(void **)obj = NULL;
	}
	low = p->count < p->target / 2 + 1;
	raw_spin_unlock_irqrestore(&p->lock, flags);
	if (low)
		irq_work_queue(&p->kick);
	return obj;
}

/**
 * nsp_pool_put() - give back a block taken and never written
 * @p:   the pool
 * @obj: a block from nsp_pool_take() that is still all zero
 *
 * For the loser of a race to install a block. The pool may exceed its
 * target by such blocks; nsp_pool_free() trims it later.
 *
 * Context: any but NMI.
 */
void nsp_pool_put(struct nsp_pool *p, void *obj)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&p->lock, flags);
	nsp_pool_push_locked(p, obj);
	raw_spin_unlock_irqrestore(&p->lock, flags);
}

/**
 * nsp_pool_free() - release a block that was in use
 * @p:   the pool
 * @obj: a block from nsp_pool_take(), or NULL
 *
 * Zeroes it and keeps it while the pool is below target, so a netns churn
 * reuses blocks; otherwise frees it to the slab.
 *
 * Context: process context (a pernet exit).
 */
void nsp_pool_free(struct nsp_pool *p, void *obj)
{
	unsigned long flags;
	bool keep;

	if (!obj)
		return;
	memset(obj, 0, kmem_cache_size(p->cache));
	raw_spin_lock_irqsave(&p->lock, flags);
	keep = p->count < p->target;
	if (keep)
		nsp_pool_push_locked(p, obj);
	raw_spin_unlock_irqrestore(&p->lock, flags);
	if (!keep)
		kmem_cache_free(p->cache, obj);
}

/**
 * nsp_pool_count() - blocks ready in the pool
 * @p: the pool
 *
 * Return: the count, a snapshot.
 */
unsigned int nsp_pool_count(struct nsp_pool *p)
{
	return READ_ONCE(p->count);
}

/**
 * nsp_pool_init() - create a pool and fill it
 * @p:      the pool, zeroed
 * @name:   slab cache name (/proc/slabinfo)
 * @size:   block size in bytes, at least a pointer
 * @target: blocks kept ready
 *
 * A partial fill is not an error: takes then fail (counted) until the
 * refill work catches up.
 *
 * Context: process context; sleeps.
 * Return: 0, or -ENOMEM if the slab cache cannot be created.
 */
int nsp_pool_init(struct nsp_pool *p, const char *name, unsigned int size,
		  unsigned int target)
{
	raw_spin_lock_init(&p->lock);
	p->target = target;
	init_irq_work(&p->kick, nsp_pool_kick);
	INIT_WORK(&p->refill, nsp_pool_refill);
	p->cache = kmem_cache_create(name, size, 0, 0, NULL);
	if (!p->cache)
		return -ENOMEM;
	nsp_pool_refill(&p->refill);
	return 0;
}

/**
 * nsp_pool_exit() - free the pool
 * @p: the pool; no take or put may run any more, and every block taken
 *     must have been freed with nsp_pool_free() (kmem_cache_destroy()
 *     reports a leak otherwise)
 *
 * Context: process context; sleeps.
 */
void nsp_pool_exit(struct nsp_pool *p)
{
	void *obj;

	irq_work_sync(&p->kick);
	cancel_work_sync(&p->refill);
	while ((obj = p->free)) {
		p->free = *(void **)obj;
		kmem_cache_free(p->cache, obj);
	}
	p->count = 0;
	kmem_cache_destroy(p->cache);
	p->cache = NULL;
}
