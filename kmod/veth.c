// SPDX-License-Identifier: GPL-2.0
/*
 * The veth_xmit() kprobe and its life across veth.ko loads and unloads.
 *
 * With CONFIG_VETH=m, veth_xmit() exists only while veth.ko is loaded. A
 * module notifier follows it: MODULE_STATE_COMING of "veth" arms the probe,
 * MODULE_STATE_GOING unregisters it (state gone; the kprobe core marks a
 * probe in an unloading module gone anyway, but never re-arms it). At init
 * the probe is armed directly if veth is already loaded or built in; if the
 * symbol does not exist the state is pending with err -ENOENT.
 *
 * Every transition runs under nsp_probes_lock. nsp_veth_active says whether
 * the notifier may arm: it is set by nsp_veth_init() and cleared by
 * nsp_veth_exit(), so a veth load racing with module init or exit never
 * leaves a probe behind.
 */

#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/notifier.h>
#include <linux/ptrace.h>
#include <linux/skbuff.h>
#include <linux/string.h>

#include "compat.h"
#include "devices.h"
#include "probes.h"
#include "veth.h"

static bool nsp_veth_active;	/* under nsp_probes_lock */

/*
 * veth_xmit(struct sk_buff *skb, struct net_device *dev), the
 * ndo_start_xmit of veth on 6.1.170 and 6.12.107. Entry kprobe (through
 * ftrace): the arguments are still in their registers.
 */
static int nsp_veth_xmit_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct nsp_probe *p = container_of(kp, struct nsp_probe, kp);
	struct sk_buff *skb = (struct sk_buff *)regs_get_kernel_argument(regs, 0);
	struct net_device *dev = (struct net_device *)regs_get_kernel_argument(regs, 1);

	nsp_probe_hit(p);
	if (likely(skb && dev))
		nsp_devices_count_tx(dev, skb->len);
	return 0;
}

static struct nsp_probe nsp_veth_probe = {
	.id = NSP_HOOK_ID_VETH_XMIT,
	.name = NSP_HOOK_VETH_XMIT,
	.kind = NSP_PROBE_KPROBE,
	.pre = nsp_veth_xmit_pre,
};

static void nsp_veth_arm_locked(void)
{
	int err;

	err = nsp_probe_arm(&nsp_veth_probe);
	if (err == -ENOENT)
		nsp_veth_probe.state = NSP_PROBE_PENDING;
	else if (err)
		nsp_veth_probe.state = NSP_PROBE_FAILED;
}

static int nsp_veth_module_event(struct notifier_block *nb,
				 unsigned long action, void *data)
{
	struct module *mod = data;

	if (strcmp(mod->name, "veth"))
		return NOTIFY_DONE;

	mutex_lock(&nsp_probes_lock);
	if (!nsp_veth_active)
		goto out;
	switch (action) {
	case MODULE_STATE_COMING:
		if (nsp_veth_probe.state != NSP_PROBE_ARMED)
			nsp_veth_arm_locked();
		break;
	case MODULE_STATE_GOING:
		nsp_probe_disarm(&nsp_veth_probe, NSP_PROBE_GONE);
		break;
	}
out:
	mutex_unlock(&nsp_probes_lock);
	return NOTIFY_DONE;
}

static struct notifier_block nsp_veth_module_nb = {
	.notifier_call = nsp_veth_module_event,
};

/**
 * nsp_veth_watch_init() - follow veth.ko loads and unloads
 *
 * Return: 0 or the -errno of register_module_notifier().
 */
int nsp_veth_watch_init(void)
{
	return register_module_notifier(&nsp_veth_module_nb);
}

/**
 * nsp_veth_watch_exit() - stop following veth.ko
 */
void nsp_veth_watch_exit(void)
{
	unregister_module_notifier(&nsp_veth_module_nb);
}

/**
 * nsp_veth_init() - arm the veth_xmit() probe if veth is present
 * @enable: false leaves the hook in state disabled (module parameter)
 *
 * veth_xmit() missing (veth.ko not loaded) is not an error: state pending,
 * err -ENOENT; the module notifier arms it later. Other registration errors
 * leave the hook failed with err set; the module still loads.
 *
 * Context: process context; sleeps.
 * Return: 0.
 */
int nsp_veth_init(bool enable)
{
	nsp_veth_probe.symbols = nsp_veth_xmit_symbols();
	nsp_probe_add(&nsp_veth_probe,
		      enable ? NSP_PROBE_PENDING : NSP_PROBE_DISABLED);
	if (!enable)
		return 0;

	mutex_lock(&nsp_probes_lock);
	nsp_veth_active = true;
	nsp_veth_arm_locked();
	mutex_unlock(&nsp_probes_lock);
	return 0;
}

/**
 * nsp_veth_exit() - unregister the veth_xmit() probe
 *
 * After this, no veth_xmit() handler runs and the notifier arms nothing.
 *
 * Context: process context; sleeps.
 */
void nsp_veth_exit(void)
{
	mutex_lock(&nsp_probes_lock);
	nsp_veth_active = false;
	if (nsp_veth_probe.state == NSP_PROBE_ARMED)
		nsp_probe_disarm(&nsp_veth_probe, NSP_PROBE_DISABLED);
	mutex_unlock(&nsp_probes_lock);
}
