/* SPDX-License-Identifier: GPL-2.0 */
#ifndef NSP_LATENCY_H
#define NSP_LATENCY_H

#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/types.h>

/**
 * struct nsp_lat_stats - the matcher's module-wide counters ("latency" file)
 * @matched: skbs matched on the receive side (each is one cross sample)
 * @evicted: entries overwritten by a newer skb hashing to the same slot
 * @aged:    entries found older than the age limit (at insert or match)
 * @busy:    skbs not recorded: their slot was being written on another CPU
 */
struct nsp_lat_stats {
	u64 matched;
	u64 evicted;
	u64 aged;
	u64 busy;
};

void nsp_lat_insert(const struct sk_buff *skb, const struct net_device *peer,
		    u64 t0);
void nsp_lat_forget(const struct sk_buff *skb);
bool nsp_lat_match(const struct sk_buff *skb);
void nsp_lat_read(struct nsp_lat_stats *st);
unsigned int nsp_lat_slots(void);
u64 nsp_lat_max_age_ns(void);
int nsp_lat_init(void);
void nsp_lat_exit(void);

#endif /* NSP_LATENCY_H */
