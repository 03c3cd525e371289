// SPDX-License-Identifier: GPL-2.0
/*
 * Veth device tracking, through a netdevice notifier.
 *
 * Semantics (the "devices" and "netns" files):
 *  - nsprobe tracks a device from its NETDEV_REGISTER in a netns to its
 *    NETDEV_UNREGISTER there. register_netdevice_notifier() replays
 *    REGISTER for devices that exist when the module loads, and
 *    unregister_netdevice_notifier() replays UNREGISTER when it unloads.
 *  - Only veth devices are tracked (rtnl_link_ops->kind "veth"). A veth
 *    device's counters start at zero when nsprobe starts tracking it.
 *  - A device moved to another netns gets UNREGISTER in the old netns and
 *    REGISTER in the new one (dev_change_net_namespace()): its counters
 *    restart at zero in the new netns, under its new ifindex. The old netns
 *    keeps what the device sent while it was there.
 *  - A netns record sums its live devices and every device that left it
 *    (deleted or moved away): on UNREGISTER a device's counts are folded into
 *    the netns' per-CPU "retired" counters, under the seqlock of the netns'
 *    devices (struct nsp_net_devs) so that a reader never sees them in
 *    neither or both places. The latency
 *    histograms fold there too. Nothing can count for the device after
 *    that: unregister_netdevice_many_notify() (net/core/dev.c, checked on
 *    6.1 and 6.12) closes the device (no new veth_xmit(): __dev_queue_xmit()
 *    and dev_direct_xmit() test IFF_UP / netif_running(); its NAPI is
 *    disabled), flushes the backlogs of skbs received by it, and calls
 *    synchronize_net(), all before NETDEV_UNREGISTER. Every handler that
 *    counts for a device runs inside veth_xmit() or in that device's own
 *    receive path, with BH disabled (an RCU read-side section), so it has
 *    returned by then. (1.7) rx_veth counts for the receiving device inside
 *    its peer's veth_xmit(), only after __dev_forward_skb() was called
 *    with it up (IFF_UP); the device is closed before that
 *    synchronize_net(), so that veth_xmit() has returned too. The RCU
 *    callback only frees: it never touches the netns state, so the netns
 *    exit need not wait for it (no rcu_barrier() there; module exit has
 *    one, for the callback's code).
 *  - The netns' retired counters (and, with latency, its retired histograms)
 *    are allocated when its first veth is tracked, not at netns creation:
 *    most namespaces never have a veth.
 *  - If allocating a device's state, or its netns' retired counters, fails,
 *    it is counted in alloc_failed (module and netns) and its packets in
 *    veth_untracked (stats file). Nothing is lost silently.
 */

#include <linux/netdevice.h>
#include <linux/notifier.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/rtnetlink.h>
#include <linux/seqlock.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/xarray.h>
#include <net/rtnetlink.h>

#include "devices.h"
#include "netns.h"

static bool nsp_is_veth(const struct net_device *dev)
{
	return dev->rtnl_link_ops && dev->rtnl_link_ops->kind &&
	       !strcmp(dev->rtnl_link_ops->kind, "veth");
}

/**
 * nsp_devices_count_tx() - count one skb entering veth_xmit()
 * @dev: the transmitting veth device (veth_xmit()'s second argument)
 * @len: skb->len at veth_xmit() entry, in bytes
 *
 * Lock-free and allocation-free: RCU xarray lookup by ifindex in the
 * device's netns, identity check, per-CPU increments. An untracked device
 * counts in veth_untracked.
 *
 * Context: any context veth_xmit() runs in (BH disabled).
 * Return: the tracked device, or NULL. veth_xmit() runs with BH disabled,
 * which is an RCU read-side critical section, so the caller may keep using
 * the device until veth_xmit() returns (its kretprobe return handler
 * included), never longer.
 */
struct nsp_dev *nsp_devices_count_tx(const struct net_device *dev,
				     unsigned int len)
{
	struct nsp_dev *d;

	rcu_read_lock();
	d = xa_load(&nsp_net(dev_net(dev))->devs.xa, READ_ONCE(dev->ifindex));
	if (likely(d && d->dev == dev)) {
		this_cpu_inc(d->stats->ctr[NSP_DEV_CTR_tx_packets]);
		this_cpu_add(d->stats->ctr[NSP_DEV_CTR_tx_bytes], len);
	} else {
		this_cpu_inc(nsp_veth_untracked);
		d = NULL;
	}
	rcu_read_unlock();
	return d;
}

/**
 * nsp_devices_find_rcu() - the tracked state of a device
 * @dev: a live device (a probe handler's argument)
 *
 * Context: rcu_read_lock() held, or BH disabled.
 * Return: the device's state, or NULL if it is not a tracked veth.
 */
struct nsp_dev *nsp_devices_find_rcu(const struct net_device *dev)
{
	struct nsp_dev *d;

	d = xa_load(&nsp_net(dev_net(dev))->devs.xa, READ_ONCE(dev->ifindex));
	return d && d->dev == dev ? d : NULL;
}

/**
 * nsp_devs_init() - initialize the device state of a new netns
 * @nd: the netns' devices, zeroed (the netns core's kzalloc of .size)
 *
 * Allocates nothing, so it cannot fail: the retired counters come with the
 * first veth (nsp_devs_retired_alloc()).
 *
 * Context: the pernet init of the netns; nothing else sees @nd yet.
 */
void nsp_devs_init(struct nsp_net_devs *nd)
{
	seqlock_init(&nd->lock);
	xa_init(&nd->xa);
}

/**
 * nsp_devs_destroy() - free the device state of a dying netns
 * @nd: the netns' devices
 *
 * Every device of the netns must have been unregistered, and so folded into
 * the retired counters (the pernet exit_batch runs after every pernet
 * device exit, see net/core/net_namespace.c); warns once otherwise. The RCU
 * callbacks still pending free only their own nsp_dev, never @nd, so
 * nothing here waits for them. Frees the retired counters and histograms.
 *
 * Context: process context, the pernet exit of the netns; nothing can
 * reach @nd any more.
 */
void nsp_devs_destroy(struct nsp_net_devs *nd)
{
	WARN_ON_ONCE(!xa_empty(&nd->xa));
	xa_destroy(&nd->xa);
	free_percpu(nd->retired);
	nd->retired = NULL;
	free_percpu(nd->retired_hist);
	nd->retired_hist = NULL;
	kfree(nd->hist_base);
	nd->hist_base = NULL;
}

/**
 * nsp_devs_next() - the next tracked device of a netns, by ifindex
 * @nd:  the netns' devices
 * @pos: a cursor, 0 to start: the lowest ifindex wanted; set to one past
 *       the ifindex of the device returned (untouched when none is)
 *
 * Walks the devices in ifindex order, as xa_for_each() would:
 * ``pos = 0; while ((d = nsp_devs_next(nd, &pos))) ...``. A device may
 * come or go during the walk; each is returned at most once.
 *
 * Context: rcu_read_lock() held, to use the device returned.
 * Return: the tracked device with the lowest ifindex at or above *@pos, or
 * NULL if there is none.
 */
struct nsp_dev *nsp_devs_next(struct nsp_net_devs *nd, unsigned long *pos)
{
	unsigned long idx = *pos;
	struct nsp_dev *d;

	d = xa_find(&nd->xa, &idx, ULONG_MAX, XA_PRESENT);
	/* idx is an ifindex, a positive int: idx + 1 cannot wrap. */
	if (d)
		*pos = idx + 1;
	return d;
}

/**
 * nsp_devs_totals() - a netns' device counters, live and retired devices
 * @nd: the netns' devices
 * @tx: filled with the sums minus the last reset's baseline, by enum
 *      nsp_dev_ctr
 *
 * Retries while a reset, a device's retirement or a rename runs, so the
 * snapshot is consistent: a retiring device counts either live or retired,
 * never both nor neither, and every value is from the same side of a reset.
 * A caller that also needs the signal counters from that side of a reset
 * calls this inside a read section of nsp_net.lock (lock order: devices.h).
 *
 * Context: rcu_read_lock() held.
 * Return: the number of tracked devices.
 */
u64 nsp_devs_totals(struct nsp_net_devs *nd, u64 tx[NSP_DEV_CTR__COUNT])
{
	struct nsp_dev_stats __percpu *retired;
	struct nsp_dev_stats sum;
	struct nsp_dev *d;
	unsigned long idx;
	unsigned int seq;
	u64 n;
	int i;

	do {
		seq = read_seqbegin(&nd->lock);
		memset(&sum, 0, sizeof(sum));
		n = 0;
		xa_for_each(&nd->xa, idx, d) {
			nsp_dev_stats_add(&sum, d->stats);
			n++;
		}
		/* Pairs with nsp_devs_retired_alloc(): zeroed first. */
		retired = READ_ONCE(nd->retired);
		if (retired)
			nsp_dev_stats_add(&sum, retired);
		for (i = 0; i < NSP_DEV_CTR__COUNT; i++)
			tx[i] = nsp_sub(sum.ctr[i], nd->base.ctr[i]);
	} while (read_seqretry(&nd->lock, seq));
	return n;
}

/*
 * The device's TX dropped and RX packets, in packets, as its link stats
 * say. Context: @dev cannot be freed: RTNL held, or its nsp_dev seen in
 * the devices' xarray under their lock (see nsp_devs_reset()).
 * dev_get_stats() calls veth_get_stats64(), which neither sleeps nor takes
 * a lock (/proc/net/dev calls it under RCU).
 */
static void nsp_dev_kbase(struct nsp_dev *d, struct net_device *dev)
{
	struct rtnl_link_stats64 st;

	dev_get_stats(dev, &st);
	d->kdrop_base = st.tx_dropped;
	d->krx_base = st.rx_packets;
}

/**
 * nsp_devs_reset() - store a netns' device counters as their baseline
 * @nd: the netns' devices
 *
 * Under @nd's lock, taken for writing: the retired histograms become
 * nd->hist_base; each live device's counters become its base, its
 * histograms its hist_base (added to nd->hist_base), its TX dropped and RX
 * packets now its kdrop_base and krx_base; the live devices' and the
 * retired counters, summed, become nd->base. Work is O(devices x possible
 * CPUs) under a spin lock: resets are rare administrative writes.
 *
 * No RTNL: a device found in the xarray while the lock is held for writing
 * has not reached its NETDEV_UNREGISTER (which erases it under the same
 * lock, before the net_device can be freed), so d->dev is alive; the
 * retired counters and histograms are published with release stores, read
 * here with acquire.
 *
 * Context: process context, rcu_read_lock() held, the owning struct
 * nsp_net's lock held for writing (lock order: devices.h), no other spin
 * lock.
 */
void nsp_devs_reset(struct nsp_net_devs *nd)
{
	struct nsp_dev_stats __percpu *retired;
	struct nsp_hists __percpu *rh;
	struct nsp_dev_stats sum = {};
	struct nsp_dev *d;
	unsigned long idx;
	int i;

	write_seqlock(&nd->lock);
	/* Pairs with nsp_devs_retired_alloc(): hist_base is there. */
	rh = smp_load_acquire(&nd->retired_hist);
	if (rh) {
		memset(nd->hist_base, 0, sizeof(*nd->hist_base));
		nsp_hists_sum(nd->hist_base, rh);
	}
	xa_for_each(&nd->xa, idx, d) {
		struct nsp_dev_stats s = {};

		nsp_dev_stats_add(&s, d->stats);
		d->base = s;
		nsp_dev_kbase(d, d->dev);
		for (i = 0; i < NSP_DEV_CTR__COUNT; i++)
			sum.ctr[i] += s.ctr[i];
		if (d->hist) {
			memset(d->hist_base, 0, sizeof(*d->hist_base));
			nsp_hists_sum(d->hist_base, d->hist);
			/* Pairs with nsp_devs_retired_alloc(): hist_base first. */
			if (smp_load_acquire(&nd->retired_hist))
				nsp_hists_add(nd->hist_base, d->hist_base);
		}
	}
	/* Pairs with nsp_devs_retired_alloc(): zeroed before published. */
	retired = smp_load_acquire(&nd->retired);
	if (retired)
		nsp_dev_stats_add(&sum, retired);
	nd->base = sum;
	write_sequnlock(&nd->lock);
}

/**
 * nsp_devs_hists() - a netns' latency histograms, live and retired devices
 * @nd: the netns' devices
 * @h:  filled with the sums minus the last reset's baseline
 *
 * Retries like nsp_devs_totals(), so @h is all from before or all from
 * after a reset, and a retiring device's histograms count once.
 *
 * Context: rcu_read_lock() held.
 * Return: false, @h untouched, if the netns has no latency histograms
 * (latency tracking off, or no veth tracked in it yet); true otherwise.
 */
bool nsp_devs_hists(struct nsp_net_devs *nd, struct nsp_hists *h)
{
	struct nsp_hists __percpu *rh;
	struct nsp_dev *d;
	unsigned long idx;
	unsigned int seq;

	/* Pairs with nsp_devs_retired_alloc(): hist_base is there. */
	rh = smp_load_acquire(&nd->retired_hist);
	if (!rh)
		return false;
	do {
		seq = read_seqbegin(&nd->lock);
		memset(h, 0, sizeof(*h));
		nsp_hists_sum(h, rh);
		xa_for_each(&nd->xa, idx, d)
			if (d->hist)
				nsp_hists_sum(h, d->hist);
		nsp_hists_sub(h, nd->hist_base);
	} while (read_seqretry(&nd->lock, seq));
	return true;
}

/**
 * nsp_dev_hists() - one device's latency histograms
 * @d: a device found with nsp_devs_next() under rcu_read_lock()
 * @h: filled with its histograms minus the last reset's baseline
 *
 * Context: rcu_read_lock() held.
 * Return: false, @h untouched, if @d has no histograms (latency tracking
 * off); true otherwise.
 */
bool nsp_dev_hists(struct nsp_dev *d, struct nsp_hists *h)
{
	unsigned int seq;

	if (!d->hist)
		return false;
	do {
		seq = read_seqbegin(&d->owner->lock);
		memset(h, 0, sizeof(*h));
		nsp_hists_sum(h, d->hist);
		nsp_hists_sub(h, d->hist_base);
	} while (read_seqretry(&d->owner->lock, seq));
	return true;
}

/**
 * nsp_dev_read() - one dev record, consistent with renames and resets
 * @d:    a device found with nsp_devs_next() under rcu_read_lock()
 * @snap: filled with the record
 *
 * Context: rcu_read_lock() held.
 */
void nsp_dev_read(struct nsp_dev *d, struct nsp_dev_snap *snap)
{
	struct nsp_dev_stats s;
	unsigned int seq;
	int i;

	do {
		seq = read_seqbegin(&d->owner->lock);
		memset(&s, 0, sizeof(s));
		nsp_dev_stats_add(&s, d->stats);
		for (i = 0; i < NSP_DEV_CTR__COUNT; i++)
			snap->ctr[i] = nsp_sub(s.ctr[i], d->base.ctr[i]);
		memcpy(snap->name, d->name, sizeof(snap->name));
		snap->ifindex = d->ifindex;
		snap->kdrop_base = d->kdrop_base;
		snap->krx_base = d->krx_base;
	} while (read_seqretry(&d->owner->lock, seq));
	snap->name[IFNAMSIZ - 1] = '\0';
}

/* Frees a device no reader can still see. Touches nothing else. */
static void nsp_dev_free_rcu(struct rcu_head *head)
{
	struct nsp_dev *d = container_of(head, struct nsp_dev, rcu);

	free_percpu(d->hist);
	kfree(d->hist_base);
	free_percpu(d->stats);
	kfree(d);
}

/*
 * The retired counters of a netns (and its retired histograms with latency
 * tracking), on its first tracked veth. Published with smp_store_release()
 * for the debugfs readers and resets (RCU, no RTNL), after what they point
 * to is zero; hist_base before retired_hist, which readers test. RTNL
 * serializes this against other registrations. Freed at the pernet exit.
 *
 * Context: process context, RTNL held.
 * Return: 0, or -ENOMEM (nothing published then but what is complete).
 */
static int nsp_devs_retired_alloc(struct nsp_net_devs *nd)
{
	struct nsp_dev_stats __percpu *retired;
	struct nsp_hists __percpu *rh;

	ASSERT_RTNL();
	if (!nd->retired) {
		retired = alloc_percpu(struct nsp_dev_stats);
		if (!retired)
			return -ENOMEM;
		/* Pairs with READ_ONCE() in nsp_devs_totals(): zeroed first. */
		smp_store_release(&nd->retired, retired);
	}
	if (nsp_latency && !nd->retired_hist) {
		if (!nd->hist_base) {
			nd->hist_base = kzalloc(sizeof(*nd->hist_base),
						GFP_KERNEL);
			if (!nd->hist_base)
				return -ENOMEM;
		}
		rh = alloc_percpu(struct nsp_hists);
		if (!rh)
			return -ENOMEM;
		/* Pairs with smp_load_acquire() in nsp_devs_hists(). */
		smp_store_release(&nd->retired_hist, rh);
	}
	return 0;
}

static void nsp_dev_register(struct net_device *dev)
{
	struct nsp_net *pn = nsp_net(dev_net(dev));
	struct nsp_dev *d;

	if (nsp_devs_retired_alloc(&pn->devs)) {
		nsp_net_alloc_failed(pn);
		return;
	}
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		goto err;
	d->stats = alloc_percpu(struct nsp_dev_stats);
	if (!d->stats)
		goto err_free;
	if (nsp_latency) {
		d->hist = alloc_percpu(struct nsp_hists);
		d->hist_base = kzalloc(sizeof(*d->hist_base), GFP_KERNEL);
		if (!d->hist || !d->hist_base)
			goto err_percpu;
	}
	d->dev = dev;
	d->owner = &pn->devs;
	d->ifindex = dev->ifindex;
	nsp_dev_kbase(d, dev);
	strscpy(d->name, dev->name, sizeof(d->name));
	if (xa_insert(&pn->devs.xa, dev->ifindex, d, GFP_KERNEL))
		goto err_percpu;
	return;

err_percpu:
	free_percpu(d->hist);
	kfree(d->hist_base);
	free_percpu(d->stats);
err_free:
	kfree(d);
err:
	nsp_net_alloc_failed(pn);
}

static struct nsp_dev *nsp_dev_find(struct net_device *dev)
{
	struct nsp_dev *d = xa_load(&nsp_net(dev_net(dev))->devs.xa,
				    dev->ifindex);

	return d && d->dev == dev ? d : NULL;
}

/**
 * nsp_dev_unregister() - retire a device: fold its counts into its netns'
 * @dev: the device at its NETDEV_UNREGISTER
 *
 * Under the lock of the netns' devices, taken for writing, the device
 * leaves the xarray and its counters (and histograms) are added to the
 * retired ones, so a reader sees them in exactly one place. The nsp_dev is
 * freed after a grace period (nsp_dev_free_rcu()).
 *
 * Context: process context, RTNL held (the netdevice notifier).
 */
static void nsp_dev_unregister(struct net_device *dev)
{
	struct nsp_dev *d = nsp_dev_find(dev);
	struct nsp_dev_stats s = {};
	struct nsp_net_devs *nd;
	int i;

	if (!d)
		return;
	nd = d->owner;
	/*
	 * Every count of the device is in by now (see the top of this file).
	 * this_cpu_add(): process context, preemptible; the add itself is
	 * safe against a handler on this CPU.
	 */
	nsp_dev_stats_add(&s, d->stats);
	write_seqlock(&nd->lock);
	xa_erase(&nd->xa, d->ifindex);
	for (i = 0; i < NSP_DEV_CTR__COUNT; i++)
		this_cpu_add(nd->retired->ctr[i], s.ctr[i]);
	if (d->hist && nd->retired_hist)
		nsp_hists_fold(nd->retired_hist, d->hist);
	write_sequnlock(&nd->lock);
	call_rcu(&d->rcu, nsp_dev_free_rcu);
}

static void nsp_dev_rename(struct net_device *dev)
{
	struct nsp_dev *d = nsp_dev_find(dev);

	if (!d)
		return;
	write_seqlock(&d->owner->lock);
	strscpy(d->name, dev->name, sizeof(d->name));
	write_sequnlock(&d->owner->lock);
}

/* Called under RTNL, in process context. */
static int nsp_netdev_event(struct notifier_block *nb, unsigned long event,
			    void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);

	switch (event) {
	case NETDEV_REGISTER:
		if (nsp_is_veth(dev))
			nsp_dev_register(dev);
		break;
	case NETDEV_UNREGISTER:
		nsp_dev_unregister(dev);
		break;
	case NETDEV_CHANGENAME:
		nsp_dev_rename(dev);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block nsp_netdev_nb = {
	.notifier_call = nsp_netdev_event,
};

/**
 * nsp_devices_init() - start tracking veth devices
 *
 * Registers the netdevice notifier, which replays NETDEV_REGISTER for every
 * existing device in every netns. Needs nsp_netns_init() first.
 *
 * Return: 0 or the -errno of register_netdevice_notifier().
 */
int nsp_devices_init(void)
{
	return register_netdevice_notifier(&nsp_netdev_nb);
}

/**
 * nsp_devices_exit() - stop tracking; every device is retired
 *
 * The replayed NETDEV_UNREGISTERs queue RCU callbacks that touch per-netns
 * state; nsp_netns_exit() waits for them before freeing it.
 */
void nsp_devices_exit(void)
{
	unregister_netdevice_notifier(&nsp_netdev_nb);
}
