/* SPDX-License-Identifier: GPL-2.0 */
#ifndef NSP_SIGATTR_H
#define NSP_SIGATTR_H

#include <linux/atomic.h>
#include <linux/sched.h>

#include "sigevents.h"

/* Module-wide counters of the "stats" file (format 1.3). */
extern atomic64_t nsp_sig_deferred;
extern atomic64_t nsp_oom_unattributed;

void nsp_sig_attribute(struct task_struct *t, const struct nsp_sig_event *e);
int nsp_sigattr_init(bool enable);
void nsp_sigattr_exit(void);

#endif /* NSP_SIGATTR_H */
