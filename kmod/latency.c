// SPDX-License-Identifier: GPL-2.0
/*
 * Crossing latency: veth_xmit() on one end to the skb entering the peer's
 * receive path, matched through a bounded lockless table.
 *
 * Recording (kmod/veth.c, __dev_forward_skb() entry inside veth_xmit(), once
 * the skb is known to be forwardable): slot hash_ptr(skb) of a fixed table
 * gets (skb, peer net_device, veth_xmit() entry time). A slot is claimed by
 * a cmpxchg of its key to NSP_LAT_BUSY, filled, then published with a
 * release store of the skb pointer. An entry it replaces was never matched:
 * it is counted as aged (older than the limit) or evicted. A slot that
 * another CPU is filling right now is left alone and the new skb is counted
 * as busy. Nothing allocates, nothing blocks, memory is fixed.
 *
 * Matching (kprobes on __netif_receive_skb(), the backlog's delivery, and
 * napi_gro_receive(), veth's NAPI poll): the slot of the skb is read with an
 * acquire load; it matches only if the key is this skb AND the recorded peer
 * is skb->dev (set by eth_type_trans() in __dev_forward_skb()). Then the
 * slot is released with cmpxchg(key, skb, NULL): of two CPUs seeing the same
 * entry, one wins. An skb address that was freed and reused for another skb
 * would have to be received by the same device to match; its age is then
 * checked against the limit too (an older entry counts as aged, not as a
 * sample). The sample goes into the histogram of the RECEIVING device
 * (found by ifindex in its netns, as the tx counters are), which is alive
 * in its own receive path: no pointer to a device or netns is ever kept in
 * the table, only compared.
 *
 * veth_xmit() forgets the entry of an skb it dropped after recording it
 * (ring or backlog full), so those are not counted as unmatched.
 */

#include <linux/atomic.h>
#include <linux/hash.h>
#include <linux/ktime.h>
#include <linux/percpu.h>
#include <linux/vmalloc.h>

#include "devices.h"
#include "latency.h"
#include "netns.h"

#define NSP_LAT_BITS 12			/* 4096 slots, 96 KiB */
#define NSP_LAT_MAX_AGE_NS NSEC_PER_SEC	/* older entries are unmatched */
#define NSP_LAT_BUSY 1UL		/* key of a slot being written */

struct nsp_lat_slot {
	unsigned long key;		/* skb address, 0 or NSP_LAT_BUSY */
	const struct net_device *peer;	/* compared, never dereferenced */
	u64 t0;
};

static struct nsp_lat_slot *nsp_lat_table;

static DEFINE_PER_CPU(struct nsp_lat_stats, nsp_lat_pcpu);

static struct nsp_lat_slot *nsp_lat_slot(const struct sk_buff *skb)
{
	return &nsp_lat_table[hash_ptr(skb, NSP_LAT_BITS)];
}

/**
 * nsp_lat_insert() - record an skb about to cross to @peer
 * @skb:  the skb in veth_xmit()
 * @peer: the device it is forwarded to
 * @t0:   veth_xmit() entry time, ktime_get_ns()
 *
 * Context: a probe handler inside veth_xmit() (BH disabled).
 */
void nsp_lat_insert(const struct sk_buff *skb, const struct net_device *peer,
		    u64 t0)
{
	struct nsp_lat_slot *s = nsp_lat_slot(skb);
	unsigned long old = READ_ONCE(s->key);

	do {
		if (old == NSP_LAT_BUSY) {
			this_cpu_inc(nsp_lat_pcpu.busy);
			return;
		}
	} while (!try_cmpxchg(&s->key, &old, NSP_LAT_BUSY));

	if (old) {
		if (t0 - READ_ONCE(s->t0) > NSP_LAT_MAX_AGE_NS)
			this_cpu_inc(nsp_lat_pcpu.aged);
		else
			this_cpu_inc(nsp_lat_pcpu.evicted);
	}
	WRITE_ONCE(s->peer, peer);
	WRITE_ONCE(s->t0, t0);
	/* Publish: peer and t0 are visible before the key (pairs with match). */
	smp_store_release(&s->key, (unsigned long)skb);
}

/**
 * nsp_lat_forget() - drop the entry of an skb veth_xmit() dropped or requeued
 * @skb: the skb (its address only; it may be freed)
 *
 * Context: veth_xmit()'s return handler.
 */
void nsp_lat_forget(const struct sk_buff *skb)
{
	struct nsp_lat_slot *s = nsp_lat_slot(skb);

	cmpxchg(&s->key, (unsigned long)skb, 0UL);
}

/**
 * nsp_lat_match() - an skb enters a receive path: match and record it
 * @skb: the skb; skb->dev is the receiving device
 *
 * Context: a kprobe handler in the receive path (softirq, BH disabled).
 * Return: true if @skb was an entry of the table (matched or aged).
 */
bool nsp_lat_match(const struct sk_buff *skb)
{
	struct nsp_lat_slot *s = nsp_lat_slot(skb);
	const struct net_device *dev;
	struct nsp_dev *d;
	u64 t0, now;

	/* Pairs with the release in insert: peer and t0 read after the key. */
	if (smp_load_acquire(&s->key) != (unsigned long)skb)
		return false;
	dev = READ_ONCE(skb->dev);
	if (READ_ONCE(s->peer) != dev)
		return false;
	t0 = READ_ONCE(s->t0);
	if (cmpxchg(&s->key, (unsigned long)skb, 0UL) != (unsigned long)skb)
		return false;

	now = ktime_get_ns();
	if (now - t0 > NSP_LAT_MAX_AGE_NS) {
		this_cpu_inc(nsp_lat_pcpu.aged);
		return true;
	}
	this_cpu_inc(nsp_lat_pcpu.matched);
	rcu_read_lock();
	d = nsp_devices_find_rcu(dev);
	if (d && d->hist)
		nsp_hist_add(d->hist, NSP_HIST_CROSS, now - t0);
	rcu_read_unlock();
	return true;
}

/**
 * nsp_lat_read() - sum the matcher's counters
 * @st: filled
 */
void nsp_lat_read(struct nsp_lat_stats *st)
{
	int cpu;

	memset(st, 0, sizeof(*st));
	for_each_possible_cpu(cpu) {
		const struct nsp_lat_stats *c = per_cpu_ptr(&nsp_lat_pcpu, cpu);

		st->matched += READ_ONCE(c->matched);
		st->evicted += READ_ONCE(c->evicted);
		st->aged += READ_ONCE(c->aged);
		st->busy += READ_ONCE(c->busy);
	}
}

/**
 * nsp_lat_slots() - the table size
 *
 * Return: the number of slots.
 */
unsigned int nsp_lat_slots(void)
{
	return 1U << NSP_LAT_BITS;
}

/**
 * nsp_lat_max_age_ns() - the age limit
 *
 * Return: entries older than this (ns) are never matched.
 */
u64 nsp_lat_max_age_ns(void)
{
	return NSP_LAT_MAX_AGE_NS;
}

/**
 * nsp_lat_init() - allocate the table (only with latency tracking on)
 *
 * Context: process context, before any probe that uses the table is armed.
 * Return: 0 or -ENOMEM.
 */
int nsp_lat_init(void)
{
	nsp_lat_table = vzalloc(array_size(nsp_lat_slots(),
					   sizeof(*nsp_lat_table)));
	return nsp_lat_table ? 0 : -ENOMEM;
}

/**
 * nsp_lat_exit() - free the table
 *
 * Context: process context, after every probe that uses it is unregistered.
 */
void nsp_lat_exit(void)
{
	vfree(nsp_lat_table);
	nsp_lat_table = NULL;
}
