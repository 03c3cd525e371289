// SPDX-License-Identifier: GPL-2.0
/*
 * nsprobe: per network namespace counters of veth transmit and of signal
 * generation and drops, in debugfs (include/nsprobe/format.h).
 *
 * This file only orders init and exit. Init: per-netns state, device
 * tracking, the veth module watch, the probes, then debugfs. Exit runs the
 * exact reverse: debugfs goes first (it waits for readers), the probes are
 * unregistered before anything their handlers touch is freed, and the last
 * rcu_barrier() waits for our RCU callbacks before the module text goes.
 */

#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/rcupdate.h>

#include "debugfs.h"
#include "devices.h"
#include "latency.h"
#include "netns.h"
#include "postmortem.h"
#include "signal.h"
#include "veth.h"

static bool sig_probes = true;
module_param(sig_probes, bool, 0444);
MODULE_PARM_DESC(sig_probes, "Hook signal generation and drops (default 1; 0: state disabled)");

static bool veth_probe = true;
module_param(veth_probe, bool, 0444);
MODULE_PARM_DESC(veth_probe, "Hook veth_xmit() (default 1; 0: state disabled)");

static bool veth_paths = true;
module_param(veth_paths, bool, 0444);
MODULE_PARM_DESC(veth_paths, "Classify veth drops and paths: a kretprobe on veth_xmit() (default 1; 0: tx counters only, one entry kprobe)");

static bool latency;
module_param(latency, bool, 0444);
MODULE_PARM_DESC(latency, "veth latency histograms: time in veth_xmit() and crossing to the peer (default 0; 1 implies veth_paths)");

/*
 * For testing the degraded states: helpers left disabled (reason
 * module_parameter) though their mode is on; kmod/veth.c.
 */
static char *hooks_off = "";
module_param(hooks_off, charp, 0444);
MODULE_PARM_DESC(hooks_off, "Comma list of veth helper hooks to leave disabled, for testing: veth_fwd, veth_backlog, rx_backlog, rx_napi (default none)");

static int __init nsp_init(void)
{
	int err;

	nsp_latency = latency && veth_probe;
	if (nsp_latency) {
		err = nsp_lat_init();
		if (err)
			goto err_lat;
	}
	nsp_pm_init();
	err = nsp_netns_init();
	if (err)
		goto err_netns;
	err = nsp_devices_init();
	if (err)
		goto err_devices;
	err = nsp_veth_watch_init();
	if (err)
		goto err_veth_watch;
	err = nsp_veth_init(veth_probe, veth_paths, nsp_latency, hooks_off);
	if (err)
		goto err_veth;
	err = nsp_signal_init(sig_probes);
	if (err)
		goto err_signal;
	err = nsp_debugfs_init();
	if (err) {
		pr_err("cannot create debugfs directory: %d (debugfs missing or restricted by lockdown?)\n",
		       err);
		goto err_debugfs;
	}
	return 0;

err_debugfs:
	nsp_pm_stop();
	nsp_signal_exit();
err_signal:
	nsp_pm_stop();
	nsp_veth_exit();
err_veth:
	nsp_veth_watch_exit();
err_veth_watch:
	nsp_devices_exit();
err_devices:
	nsp_pm_stop();
	nsp_netns_exit();
err_netns:
	/*
	 * A failed register_pernet_subsys() runs exit_batch for the netns it
	 * had set up, which keeps records and arms the expiry work.
	 */
	nsp_pm_stop();
	rcu_barrier();
	if (nsp_latency)
		nsp_lat_exit();
err_lat:
	return err;
}

static void __exit nsp_exit(void)
{
	nsp_debugfs_exit();
	/* records own pool blocks; later netns exits free instead */
	nsp_pm_stop();
	nsp_signal_exit();
	nsp_veth_exit();
	nsp_veth_watch_exit();
	nsp_devices_exit();
	nsp_netns_exit();
	rcu_barrier();
	if (nsp_latency)
		nsp_lat_exit();
}

module_init(nsp_init);
module_exit(nsp_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("nsprobe developers");
MODULE_DESCRIPTION("Per network namespace veth and signal counters in debugfs");
/* The project's version, from kmod/Kbuild (NSP_VERSION). */
MODULE_VERSION(NSP_MODULE_VERSION);
