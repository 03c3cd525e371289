/* SPDX-License-Identifier: GPL-2.0 */
#ifndef NSP_VETH_H
#define NSP_VETH_H

#include <linux/types.h>

int nsp_veth_watch_init(void);
void nsp_veth_watch_exit(void);
int nsp_veth_init(bool enable, bool paths, bool latency, const char *off);
void nsp_veth_exit(void);

#endif /* NSP_VETH_H */
