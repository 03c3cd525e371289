/* SPDX-License-Identifier: GPL-2.0 */
#ifndef NSP_POOL_H
#define NSP_POOL_H

#include <linux/irq_work.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>

/**
 * struct nsp_pool - zeroed blocks of one size, preallocated for probe handlers
 * @lock:   protects @free and @count; a raw spinlock (spins on PREEMPT_RT too),
 *          taken with interrupts off, innermost: nothing is taken inside it
 * @free:   free blocks, linked through their first word
 * @count:  blocks on @free
 * @target: the refill work fills @free up to this many blocks
 * @cache:  the slab cache the blocks come from (its name names the pool)
 * @kick:   queued by nsp_pool_take() when @count falls below @target / 2;
 *          irq_work, because queue_work() may wake a worker, and a probe
 *          handler may run where waking up is not allowed
 * @refill: the work that allocates, in process context, with GFP_KERNEL
 *
 * See pool.c for the rules.
 */
struct nsp_pool {
	raw_spinlock_t lock;
	void *free;
	unsigned int count;
	unsigned int target;
	struct kmem_cache *cache;
	struct irq_work kick;
	struct work_struct refill;
};

void *nsp_pool_take(struct nsp_pool *p);
void nsp_pool_put(struct nsp_pool *p, void *obj);
void nsp_pool_free(struct nsp_pool *p, void *obj);
unsigned int nsp_pool_count(struct nsp_pool *p);
int nsp_pool_init(struct nsp_pool *p, const char *name, unsigned int size,
		  unsigned int target);
void nsp_pool_exit(struct nsp_pool *p);

#endif /* NSP_POOL_H */
