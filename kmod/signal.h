/* SPDX-License-Identifier: GPL-2.0 */
#ifndef NSP_SIGNAL_H
#define NSP_SIGNAL_H

#include <linux/types.h>

int nsp_signal_init(bool enable);
void nsp_signal_exit(void);

#endif /* NSP_SIGNAL_H */
