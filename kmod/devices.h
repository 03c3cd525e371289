/* SPDX-License-Identifier: GPL-2.0 */
#ifndef NSP_DEVICES_H
#define NSP_DEVICES_H

#include <linux/if.h>
#include <linux/netdevice.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/seqlock.h>
#include <linux/types.h>
#include <linux/xarray.h>

#include "counters.h"

/**
 * struct nsp_net_devs - the tracked veth devices of one netns, and its
 *                       device counters (embedded in struct nsp_net)
 * @lock:     seqlock over everything below and over each device's baselines
 *            and name (struct nsp_dev). Writers (spin lock): a device
 *            leaving (NETDEV_UNREGISTER, under RTNL) or being renamed, and a
 *            reset (nsp_devs_reset()). Readers (debugfs, under
 *            rcu_read_lock()) retry, so a snapshot never mixes values from
 *            before and after a reset or a device's retirement. Never taken
 *            by a probe handler.
 * @xa:       tracked veth devices: ifindex -> struct nsp_dev
 * @retired:  per-CPU counters of devices that left this netns (deleted or
 *            moved away), so the netns totals stay monotonic. NULL until
 *            the first veth of the netns is tracked (allocated under RTNL,
 *            published with smp_store_release()); a device is tracked only
 *            once it exists
 * @base:     netns totals (live + retired devices) at the last reset
 * @retired_hist: per-CPU histograms of devices that left this netns; NULL
 *            unless latency tracking is on (nsp_latency) and a veth was
 *            tracked; allocated and published after @hist_base
 * @hist_base: the netns histograms (live + retired devices) at the last
 *            reset; allocated with @retired_hist
 *
 * Only devices.c touches these fields, through the nsp_devs_*() functions.
 *
 * Lock order: struct nsp_net.lock (the signal baselines), then @lock. A
 * reset of a netns takes both, @lock nested inside (nsp_net_reset()); a
 * reader that wants a netns record consistent with resets reads the device
 * snapshot (which retries on @lock) inside a read section of nsp_net.lock.
 * Nothing takes nsp_net.lock while holding @lock.
 */
struct nsp_net_devs {
	seqlock_t lock;
	struct xarray xa;
	struct nsp_dev_stats __percpu *retired;
	struct nsp_dev_stats base;
	struct nsp_hists __percpu *retired_hist;
	struct nsp_hists *hist_base;
};

/**
 * struct nsp_dev - one tracked veth device in one netns
 * @dev:     the net_device, for an identity check only; never dereferenced
 *           outside the netdevice notifier or another RTNL section (a reset)
 * @owner:   the devices of the netns the device counts in
 * @ifindex: its ifindex in that netns (the xarray key)
 * @name:    a copy of dev->name, updated on NETDEV_CHANGENAME under
 *           owner->lock
 * @stats:   per-CPU counters, bumped by the veth_xmit() probe
 * @base:    the counters at the last reset, under owner->lock
 * @hist:    per-CPU latency histograms; NULL unless nsp_latency
 * @hist_base: @hist at the last reset, under owner->lock; allocated with
 *           @hist
 * @kdrop_base: the device's tx_dropped (dev_get_stats()) when its counters
 *           started: at tracking start or the last reset, under owner->lock
 * @krx_base: the device's rx_packets (dev_get_stats()) at the same moment
 * @rcu:     frees the device after a grace period
 */
struct nsp_dev {
	struct net_device *dev;
	struct nsp_net_devs *owner;
	int ifindex;
	char name[IFNAMSIZ];
	struct nsp_dev_stats __percpu *stats;
	struct nsp_dev_stats base;
	struct nsp_hists __percpu *hist;
	struct nsp_hists *hist_base;
	u64 kdrop_base;
	u64 krx_base;
	struct rcu_head rcu;
};

/**
 * struct nsp_dev_snap - one dev record, baseline subtracted
 * @ifindex: ifindex in its netns
 * @name:    NUL-terminated name, not escaped
 * @ctr:     the NSP_DEV_COUNTERS values
 * @kdrop_base: the device's tx_dropped when the counters started
 * @krx_base: the device's rx_packets when the counters started
 */
struct nsp_dev_snap {
	int ifindex;
	char name[IFNAMSIZ];
	u64 ctr[NSP_DEV_CTR__COUNT];
	u64 kdrop_base;
	u64 krx_base;
};

/**
 * nsp_dev_inc() - count one event of a tracked device
 * @d:   the device, found under RCU (a probe handler)
 * @ctr: which counter
 */
static inline void nsp_dev_inc(struct nsp_dev *d, enum nsp_dev_ctr ctr)
{
	this_cpu_inc(d->stats->ctr[ctr]);
}

struct nsp_dev *nsp_devices_count_tx(const struct net_device *dev,
				     unsigned int len);
struct nsp_dev *nsp_devices_find_rcu(const struct net_device *dev);
void nsp_devs_init(struct nsp_net_devs *nd);
void nsp_devs_destroy(struct nsp_net_devs *nd);
struct nsp_dev *nsp_devs_next(struct nsp_net_devs *nd, unsigned long *pos);
u64 nsp_devs_totals(struct nsp_net_devs *nd, u64 tx[NSP_DEV_CTR__COUNT]);
void nsp_devs_reset(struct nsp_net_devs *nd);
bool nsp_devs_hists(struct nsp_net_devs *nd, struct nsp_hists *h);
bool nsp_dev_hists(struct nsp_dev *d, struct nsp_hists *h);
void nsp_dev_read(struct nsp_dev *d, struct nsp_dev_snap *snap);
int nsp_devices_init(void);
void nsp_devices_exit(void);

#endif /* NSP_DEVICES_H */
