/* SPDX-License-Identifier: GPL-2.0 */
#ifndef NSP_POSTMORTEM_H
#define NSP_POSTMORTEM_H

#include <linux/list.h>
#include <linux/types.h>
#include <net/net_namespace.h>

#include "netns.h"

/**
 * struct nsp_pm_rec - the post-mortem record of a dead network namespace
 * @node:      on the module-wide list, oldest first
 * @inum:      the netns' inum
 * @cookie:    its cookie: with @inum its identity, so a new netns that gets
 *             the same inum is never mistaken for this one
 * @gone_real: when its pernet exit ran, CLOCK_REALTIME ns (the gone key)
 * @gone_boot: the same, CLOCK_BOOTTIME ns (expiry: postmortem_secs)
 * @id:        1.. in the order records were kept (the postmortem file's
 *             position: a record freed between two reads shifts nothing)
 * @cgroup_id: the cgroup v2 id of the last task that left it through
 *             exit_task_namespaces(), 0 if none was seen
 * @t:         its netns record at the pernet exit
 * @sig:       its signal counter rows, taken over from its struct nsp_net
 * @rings:     its signal event rings, taken over likewise
 * @cgroup:    that cgroup's path from the cgroup v2 root if the cgroup
 *             still existed at the pernet exit, "" if not (or unknown)
 */
struct nsp_pm_rec {
	struct list_head node;
	u64 id;
	u32 inum;
	u64 cookie;
	u64 gone_real;
	u64 gone_boot;
	u64 cgroup_id;
	struct nsp_net_totals t;
	struct nsp_sig_row *sig[NSP_SIG_ROWS];
	struct nsp_sigev_rings rings;
	char cgroup[];
};

extern atomic64_t nsp_pm_lost;

bool nsp_pm_wanted(void);
void nsp_pm_note_exit(const struct net *net);
void nsp_pm_keep(struct net *net, struct nsp_net *pn,
		 const struct nsp_net_totals *t);
void nsp_pm_begin(void);
struct nsp_pm_rec *nsp_pm_seek(u64 id);
struct nsp_pm_rec *nsp_pm_after(struct nsp_pm_rec *rec);
void nsp_pm_end(void);
unsigned int nsp_pm_count(void);
void nsp_pm_init(void);
void nsp_pm_stop(void);

#endif /* NSP_POSTMORTEM_H */
