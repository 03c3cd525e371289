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
 *    the netns' per-CPU "retired" counters, under the netns seqlock so that
 *    a reader never sees them in neither or both places. The latency
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
	d = xa_load(&nsp_net(dev_net(dev))->devs, READ_ONCE(dev->ifindex));
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

	d = xa_load(&nsp_net(dev_net(dev))->devs, READ_ONCE(dev->ifindex));
	return d && d->dev == dev ? d : NULL;
}

/**
 * nsp_devices_sum() - sum a netns' device counters, live and retired
 * @pn:  netns state
 * @sum: counters are added here
 *
 * Context: rcu_read_lock() held; inside a pn->lock read section for a
 * result consistent with resets and retirements.
 * Return: the number of tracked devices.
 */
u64 nsp_devices_sum(struct nsp_net *pn, struct nsp_dev_stats *sum)
{
	struct nsp_dev_stats __percpu *retired;
	struct nsp_dev *d;
	unsigned long idx;
	u64 n = 0;

	xa_for_each(&pn->devs, idx, d) {
		nsp_dev_stats_add(sum, d->stats);
		n++;
	}
	retired = READ_ONCE(pn->retired);
	if (retired)
		nsp_dev_stats_add(sum, retired);
	return n;
}

/*
 * The device's TX dropped and RX packets, in packets, as its link stats
 * say. Context: @dev cannot be freed: RTNL held, or its nsp_dev seen in
 * pn->devs under pn->lock (see nsp_devices_reset_locked()).
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
 * nsp_devices_reset_locked() - store every live device's baseline
 * @pn:  netns state
 * @sum: the live devices' counters are added here
 *
 * With latency tracking, each device's histograms become its hist_base and
 * are added to pn->hist_base (which the caller zeroed and filled with the
 * retired histograms first). kdrop_base and krx_base become the device's
 * TX dropped and RX packets now. No RTNL: a device found in pn->devs while pn->lock is held for
 * writing has not reached its NETDEV_UNREGISTER (which erases it under the
 * same lock, before the net_device can be freed), so d->dev is alive.
 *
 * Context: pn->lock held for writing, rcu_read_lock() held.
 */
void nsp_devices_reset_locked(struct nsp_net *pn, struct nsp_dev_stats *sum)
{
	struct nsp_dev *d;
	unsigned long idx;
	int i;

	xa_for_each(&pn->devs, idx, d) {
		struct nsp_dev_stats s = {};

		nsp_dev_stats_add(&s, d->stats);
		d->base = s;
		nsp_dev_kbase(d, d->dev);
		for (i = 0; i < NSP_DEV_CTR__COUNT; i++)
			sum->ctr[i] += s.ctr[i];
		if (d->hist) {
			memset(d->hist_base, 0, sizeof(*d->hist_base));
			nsp_hists_sum(d->hist_base, d->hist);
			/* Pairs with nsp_net_retired_alloc(): hist_base is there. */
			if (smp_load_acquire(&pn->retired_hist))
				nsp_hists_add(pn->hist_base, d->hist_base);
		}
	}
}

/**
 * nsp_dev_read() - one dev record, consistent with renames and resets
 * @pn:   netns state of @d
 * @d:    a device found in pn->devs under rcu_read_lock()
 * @snap: filled with the record
 *
 * Context: rcu_read_lock() held.
 */
void nsp_dev_read(struct nsp_net *pn, struct nsp_dev *d,
		  struct nsp_dev_snap *snap)
{
	struct nsp_dev_stats s;
	unsigned int seq;
	int i;

	do {
		seq = read_seqbegin(&pn->lock);
		memset(&s, 0, sizeof(s));
		nsp_dev_stats_add(&s, d->stats);
		for (i = 0; i < NSP_DEV_CTR__COUNT; i++)
			snap->ctr[i] = nsp_sub(s.ctr[i], d->base.ctr[i]);
		memcpy(snap->name, d->name, sizeof(snap->name));
		snap->ifindex = d->ifindex;
		snap->kdrop_base = d->kdrop_base;
		snap->krx_base = d->krx_base;
	} while (read_seqretry(&pn->lock, seq));
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
static int nsp_net_retired_alloc(struct nsp_net *pn)
{
	struct nsp_dev_stats __percpu *retired;
	struct nsp_hists __percpu *rh;

	ASSERT_RTNL();
	if (!pn->retired) {
		retired = alloc_percpu(struct nsp_dev_stats);
		if (!retired)
			return -ENOMEM;
		/* Pairs with READ_ONCE() in nsp_devices_sum(): zeroed first. */
		smp_store_release(&pn->retired, retired);
	}
	if (nsp_latency && !pn->retired_hist) {
		if (!pn->hist_base) {
			pn->hist_base = kzalloc(sizeof(*pn->hist_base),
						GFP_KERNEL);
			if (!pn->hist_base)
				return -ENOMEM;
		}
		rh = alloc_percpu(struct nsp_hists);
		if (!rh)
			return -ENOMEM;
		/* Pairs with smp_load_acquire() in debugfs.c: hist_base first. */
		smp_store_release(&pn->retired_hist, rh);
	}
	return 0;
}

static void nsp_dev_register(struct net_device *dev)
{
	struct nsp_net *pn = nsp_net(dev_net(dev));
	struct nsp_dev *d;

	if (nsp_net_retired_alloc(pn)) {
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
	d->pn = pn;
	d->ifindex = dev->ifindex;
	nsp_dev_kbase(d, dev);
	strscpy(d->name, dev->name, sizeof(d->name));
	if (xa_insert(&pn->devs, dev->ifindex, d, GFP_KERNEL))
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
	struct nsp_dev *d = xa_load(&nsp_net(dev_net(dev))->devs, dev->ifindex);

	return d && d->dev == dev ? d : NULL;
}

static void nsp_dev_unregister(struct net_device *dev)
{
	struct nsp_dev *d = nsp_dev_find(dev);
	struct nsp_dev_stats s = {};
	struct nsp_net *pn;
	int i;

	if (!d)
		return;
	pn = d->pn;
	/*
	 * Every count of the device is in by now (see the top of this file).
	 * this_cpu_add(): process context, preemptible; the add itself is
	 * safe against a handler on this CPU.
	 */
	nsp_dev_stats_add(&s, d->stats);
	write_seqlock(&pn->lock);
	xa_erase(&pn->devs, d->ifindex);
	for (i = 0; i < NSP_DEV_CTR__COUNT; i++)
		this_cpu_add(pn->retired->ctr[i], s.ctr[i]);
	if (d->hist && pn->retired_hist)
		nsp_hists_fold(pn->retired_hist, d->hist);
	write_sequnlock(&pn->lock);
	call_rcu(&d->rcu, nsp_dev_free_rcu);
}

static void nsp_dev_rename(struct net_device *dev)
{
	struct nsp_dev *d = nsp_dev_find(dev);

	if (!d)
		return;
	write_seqlock(&d->pn->lock);
	strscpy(d->name, dev->name, sizeof(d->name));
	write_sequnlock(&d->pn->lock);
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
