/* SPDX-License-Identifier: GPL-2.0 */
#ifndef NSP_DEBUGFS_H
#define NSP_DEBUGFS_H

int nsp_debugfs_init(void);
void nsp_debugfs_exit(void);

#endif /* NSP_DEBUGFS_H */
