/* SPDX-License-Identifier: GPL-2.0 */
#ifndef NSP_DEVICES_H
#define NSP_DEVICES_H

#include <linux/if.h>
#include <linux/netdevice.h>
#include <linux/rcupdate.h>
#include <linux/types.h>

#include "netns.h"

/**
 * struct nsp_dev - one tracked veth device in one netns
 * @dev:     the net_device, for an identity check only; never dereferenced
 *           outside the netdevice notifier or another RTNL section (a reset)
 * @pn:      the netns state the device counts in
 * @ifindex: its ifindex in that netns (the xarray key)
 * @name:    a copy of dev->name, updated on NETDEV_CHANGENAME under pn->lock
 * @stats:   per-CPU counters, bumped by the veth_xmit() probe
 * @base:    the counters at the last reset, under pn->lock
 * @hist:    per-CPU latency histograms; NULL unless nsp_latency
 * @hist_base: @hist at the last reset, under pn->lock; allocated with @hist
 * @kdrop_base: the device's tx_dropped (dev_get_stats()) when its counters
 *           started: at tracking start or the last reset, under pn->lock
 * @krx_base: the device's rx_packets (dev_get_stats()) at the same moment
 * @rcu:     frees the device after a grace period
 */
struct nsp_dev {
	struct net_device *dev;
	struct nsp_net *pn;
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
u64 nsp_devices_sum(struct nsp_net *pn, struct nsp_dev_stats *sum);
void nsp_devices_reset_locked(struct nsp_net *pn, struct nsp_dev_stats *sum);
void nsp_dev_read(struct nsp_net *pn, struct nsp_dev *d,
		  struct nsp_dev_snap *snap);
int nsp_devices_init(void);
void nsp_devices_exit(void);

#endif /* NSP_DEVICES_H */
