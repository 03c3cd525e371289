// SPDX-License-Identifier: GPL-2.0
/*
 * The veth_xmit() probe, its helpers, and their life across veth.ko loads.
 *
 * With CONFIG_VETH=m, veth_xmit() exists only while veth.ko is loaded. A
 * module notifier follows it: MODULE_STATE_COMING of "veth" arms the probe,
 * MODULE_STATE_GOING unregisters it (state gone; the kprobe core marks a
 * probe in an unloading module gone anyway, but never re-arms it). At init
 * the probe is armed directly if veth is already loaded or built in; if the
 * symbol does not exist the state is pending with err -ENOENT. The probe
 * record's reason says which of these happened.
 *
 * Every transition runs under nsp_probes_lock. nsp_veth_active says whether
 * the notifier may arm: it is set by nsp_veth_init() and cleared by
 * nsp_veth_exit(), so a veth load racing with module init or exit never
 * leaves a probe behind.
 *
 * Three modes, chosen at load by module parameters (main.c):
 *  - counters only (veth_paths=0 latency=0): one entry kprobe on veth_xmit()
 *    (through ftrace): tx_packets and tx_bytes. The cheapest.
 *  - paths (veth_paths=1, the default): veth_xmit() becomes a kretprobe, and
 *    two helper kprobes in the core kernel (always present) watch what
 *    happens to the skb inside veth_xmit(), without touching veth's private
 *    structs:
 *      __dev_forward_skb(peer, skb)  the peer device, and whether the frame
 *                                    is forwardable (peer up, length within
 *                                    its MTU: is_skb_forwardable(), the test
 *                                    __dev_forward_skb() itself makes);
 *      enqueue_to_backlog(skb, ...)  the skb takes the backlog (netif_rx)
 *                                    path, on 6.1 (netif_rx()) and 6.12
 *                                    (__netif_rx()) alike.
 *    The return value of veth_xmit() then says delivered (0) or dropped
 *    (NET_XMIT_DROP, exactly when veth counts a TX drop), and the state the
 *    helpers left says why or where: no __dev_forward_skb() call means the
 *    peer was missing; forwarded but not to the backlog means the NAPI ring.
 *  - latency (latency=1): paths, plus the time in veth_xmit() and the
 *    crossing latency (kmod/latency.c), with two receive-side kprobes.
 *
 * The helpers find veth_xmit()'s state in a per-CPU context, and act only
 * when their skb is the one the context names and the context is in the
 * state they expect. That is sound because veth_xmit() runs with BH
 * disabled: no migration, and no softirq on this CPU until it returns; the
 * return handler clears the context (restoring an outer one, should
 * veth_xmit() ever nest). So between entry and return, a helper call on
 * this CPU with this skb is part of this veth_xmit(). The context keeps a
 * pointer to the sending device's struct nsp_dev, valid for the same reason
 * (a BH-disabled region is an RCU read-side critical section).
 *
 * Cost, measured in docs/performance.md: the kretprobe is the price of the
 * outcome; the helpers cost a per-CPU compare on every call.
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
#include "latency.h"
#include "netns.h"
#include "probes.h"
#include "veth.h"

static bool nsp_veth_active;	/* under nsp_probes_lock */

enum nsp_xmit_state {
	NSP_XMIT_NONE,		/* not inside veth_xmit() */
	NSP_XMIT_ENTERED,	/* no __dev_forward_skb() yet */
	NSP_XMIT_REFUSED,	/* __dev_forward_skb() will drop it */
	NSP_XMIT_FORWARDED,	/* forwardable; NAPI ring unless ... */
	NSP_XMIT_BACKLOG,	/* ... enqueue_to_backlog() saw it */
};

/**
 * struct nsp_xmit_ctx - what is known about the veth_xmit() on this CPU
 * @skb:    its skb (compared only)
 * @d:      the sending device's state, or NULL if untracked
 * @rx:     the peer's state once __dev_forward_skb() found it forwardable,
 *          or NULL (peer untracked, or not forwarded); same lifetime as @d
 * @t0:     entry time (ktime_get_ns()) with latency on, else 0
 * @state:  enum nsp_xmit_state
 * @refuse: with state refused, the drop counter (drop_peer or drop_mtu)
 */
struct nsp_xmit_ctx {
	const struct sk_buff *skb;
	struct nsp_dev *d;
	struct nsp_dev *rx;
	u64 t0;
	u8 state;
	u8 refuse;
};

static DEFINE_PER_CPU(struct nsp_xmit_ctx, nsp_xmit_ctx);

/*
 * veth_xmit(struct sk_buff *skb, struct net_device *dev), the
 * ndo_start_xmit of veth on 6.1.170 and 6.12.107. Entry kprobe (through
 * ftrace): the arguments are still in their registers.
 */
static int nsp_veth_xmit_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct nsp_probe *p = container_of(kp, struct nsp_probe, kp);
	struct sk_buff *skb = nsp_veth_xmit_skb(regs);
	struct net_device *dev = nsp_veth_xmit_dev(regs);

	nsp_probe_hit(p);
	if (likely(skb && dev))
		nsp_devices_count_tx(dev, skb->len);
	return 0;
}

/* veth_xmit() entry, paths and latency modes: count, then open the context. */
static int nsp_veth_xmit_entry(struct kretprobe_instance *ri,
			       struct pt_regs *regs)
{
	struct nsp_probe *p = container_of(get_kretprobe(ri), struct nsp_probe,
					   rp);
	struct sk_buff *skb = nsp_veth_xmit_skb(regs);
	struct net_device *dev = nsp_veth_xmit_dev(regs);
	struct nsp_xmit_ctx *ctx = this_cpu_ptr(&nsp_xmit_ctx);

	nsp_probe_hit(p);
	/* An outer context (never seen; veth_xmit() does not nest) is kept. */
	memcpy(ri->data, ctx, sizeof(*ctx));
	ctx->skb = skb;
	ctx->d = likely(skb && dev) ? nsp_devices_count_tx(dev, skb->len) : NULL;
	ctx->rx = NULL;
	ctx->t0 = nsp_latency ? ktime_get_ns() : 0;
	ctx->state = NSP_XMIT_ENTERED;
	return 0;
}

/* veth_xmit() return: the outcome, from its return value and the context. */
static int nsp_veth_xmit_ret(struct kretprobe_instance *ri,
			     struct pt_regs *regs)
{
	struct nsp_xmit_ctx *ctx = this_cpu_ptr(&nsp_xmit_ctx);
	unsigned long ret = regs_return_value(regs);
	struct nsp_dev *d = ctx->d;

	if (d && d->hist)
		nsp_hist_add(d->hist, NSP_HIST_XMIT, ktime_get_ns() - ctx->t0);
	if (ret == NET_XMIT_DROP) {
		if (nsp_latency && ctx->state >= NSP_XMIT_FORWARDED)
			nsp_lat_forget(ctx->skb);
		if (d) {
			nsp_dev_inc(d, NSP_DEV_CTR_drops);
			switch (ctx->state) {
			case NSP_XMIT_ENTERED:
				nsp_dev_inc(d, NSP_DEV_CTR_drop_peer);
				break;
			case NSP_XMIT_REFUSED:
				nsp_dev_inc(d, ctx->refuse);
				break;
			case NSP_XMIT_FORWARDED:
				nsp_dev_inc(d, NSP_DEV_CTR_drop_ring);
				break;
			case NSP_XMIT_BACKLOG:
				nsp_dev_inc(d, NSP_DEV_CTR_drop_backlog);
				break;
			default:
				nsp_dev_inc(d, NSP_DEV_CTR_drop_other);
			}
		}
	} else if (ret == NETDEV_TX_OK) {
		/* Delivered: veth adds it to the peer's RX (format.h rx_veth). */
		if (ctx->rx && ctx->state >= NSP_XMIT_FORWARDED)
			nsp_dev_inc(ctx->rx, NSP_DEV_CTR_rx_veth);
		if (d && ctx->state == NSP_XMIT_BACKLOG)
			nsp_dev_inc(d, NSP_DEV_CTR_path_backlog);
		else if (d && ctx->state == NSP_XMIT_FORWARDED)
			nsp_dev_inc(d, NSP_DEV_CTR_path_napi);
	} else if (ret == NETDEV_TX_BUSY) {
		/* 6.12, NAPI ring full, a qdisc: requeued, it enters again. */
		if (nsp_latency && ctx->state >= NSP_XMIT_FORWARDED)
			nsp_lat_forget(ctx->skb);
		if (d)
			nsp_dev_inc(d, NSP_DEV_CTR_requeued);
	}
	memcpy(ctx, ri->data, sizeof(*ctx));
	return 0;
}

/*
 * __dev_forward_skb(struct net_device *dev, struct sk_buff *skb): dev is
 * the peer. Inside veth_xmit() only (the context names this skb).
 */
static int nsp_veth_fwd_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct nsp_probe *p = container_of(kp, struct nsp_probe, kp);
	struct net_device *peer = nsp_dev_forward_dev(regs);
	struct sk_buff *skb = nsp_dev_forward_skb(regs);
	struct nsp_xmit_ctx *ctx = this_cpu_ptr(&nsp_xmit_ctx);

	if (ctx->state != NSP_XMIT_ENTERED || ctx->skb != skb)
		return 0;
	nsp_probe_hit(p);
	if (!(READ_ONCE(peer->flags) & IFF_UP)) {
		ctx->state = NSP_XMIT_REFUSED;
		ctx->refuse = NSP_DEV_CTR_drop_peer;
	} else if (!is_skb_forwardable(peer, skb)) {
		ctx->state = NSP_XMIT_REFUSED;
		ctx->refuse = NSP_DEV_CTR_drop_mtu;
	} else {
		ctx->state = NSP_XMIT_FORWARDED;
		ctx->rx = nsp_devices_find_rcu(peer);
		if (nsp_latency && ctx->d)
			nsp_lat_insert(skb, peer, ctx->t0);
	}
	return 0;
}

/* enqueue_to_backlog(struct sk_buff *skb, int cpu, unsigned int *qtail) */
static int nsp_veth_backlog_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct nsp_probe *p = container_of(kp, struct nsp_probe, kp);
	struct sk_buff *skb = nsp_backlog_skb(regs);
	struct nsp_xmit_ctx *ctx = this_cpu_ptr(&nsp_xmit_ctx);

	if (ctx->state != NSP_XMIT_FORWARDED || ctx->skb != skb)
		return 0;
	nsp_probe_hit(p);
	ctx->state = NSP_XMIT_BACKLOG;
	return 0;
}

/*
 * __netif_receive_skb(struct sk_buff *skb): the backlog delivers. Like the
 * other helpers, hits counts only the calls that concern nsprobe (here: an
 * skb of the matcher's table).
 */
static int nsp_rx_backlog_pre(struct kprobe *kp, struct pt_regs *regs)
{
	if (nsp_lat_match(nsp_rx_backlog_skb(regs)))
		nsp_probe_hit(container_of(kp, struct nsp_probe, kp));
	return 0;
}

/* napi_gro_receive(struct napi_struct *napi, struct sk_buff *skb) */
static int nsp_rx_napi_pre(struct kprobe *kp, struct pt_regs *regs)
{
	if (nsp_lat_match(nsp_rx_napi_skb(regs)))
		nsp_probe_hit(container_of(kp, struct nsp_probe, kp));
	return 0;
}

static struct nsp_probe nsp_veth_probe = {
	.id = NSP_HOOK_ID_VETH_XMIT,
	.name = NSP_HOOK_VETH_XMIT,
	.kind = NSP_PROBE_KPROBE,
	.pre = nsp_veth_xmit_pre,
	.entry = nsp_veth_xmit_entry,
	.ret = nsp_veth_xmit_ret,
	.data_size = sizeof(struct nsp_xmit_ctx),
};

/* The helpers: core kernel symbols, armed for the module's whole life. */
static struct nsp_probe nsp_veth_helpers[] = {
	{
		.id = NSP_HOOK_ID_VETH_FWD,
		.name = NSP_HOOK_VETH_FWD,
		.kind = NSP_PROBE_KPROBE,
		.pre = nsp_veth_fwd_pre,
	}, {
		.id = NSP_HOOK_ID_VETH_BACKLOG,
		.name = NSP_HOOK_VETH_BACKLOG,
		.kind = NSP_PROBE_KPROBE,
		.pre = nsp_veth_backlog_pre,
	}, {
		.id = NSP_HOOK_ID_RX_BACKLOG,
		.name = NSP_HOOK_RX_BACKLOG,
		.kind = NSP_PROBE_KPROBE,
		.pre = nsp_rx_backlog_pre,
	}, {
		.id = NSP_HOOK_ID_RX_NAPI,
		.name = NSP_HOOK_RX_NAPI,
		.kind = NSP_PROBE_KPROBE,
		.pre = nsp_rx_napi_pre,
	},
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
		if (nsp_veth_probe.state != NSP_PROBE_ARMED) {
			nsp_veth_arm_locked();
			if (nsp_veth_probe.state == NSP_PROBE_ARMED)
				nsp_veth_probe.reason = NSP_PROBE_REASON_ARMED_ON_LOAD;
		}
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

/* Whether helper @i is needed in the chosen mode. */
static bool nsp_veth_helper_needed(int i, bool paths, bool latency)
{
	switch (nsp_veth_helpers[i].id) {
	case NSP_HOOK_ID_VETH_FWD:
	case NSP_HOOK_ID_VETH_BACKLOG:
		return paths;
	default:
		return latency;
	}
}

/*
 * The helper whose name is the item [@item, @item + @len) of a hooks_off
 * list, or NULL.
 */
static struct nsp_probe *nsp_veth_helper_named(const char *item, size_t len)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(nsp_veth_helpers); i++) {
		const char *name = nsp_veth_helpers[i].name;

		if (strlen(name) == len && !strncmp(item, name, len))
			return &nsp_veth_helpers[i];
	}
	return NULL;
}

/*
 * Walks the comma list @off (module parameter hooks_off; empty items are
 * skipped): with @p NULL, checks that every item names a helper; else
 * whether @p is named.
 */
static bool nsp_veth_hooks_off(const char *off, const struct nsp_probe *p)
{
	while (off && *off) {
		const char *end = strchrnul(off, ',');
		size_t len = end - off;
		struct nsp_probe *named = nsp_veth_helper_named(off, len);

		if (!p && len && !named) {
			pr_err("hooks_off: unknown hook '%.*s' (veth_fwd, veth_backlog, rx_backlog, rx_napi)\n",
			       (int)len, off);
			return false;
		}
		if (p && named == p)
			return true;
		off = *end ? end + 1 : end;
	}
	return !p;
}

/**
 * nsp_veth_init() - arm the veth_xmit() probe if veth is present
 * @enable:  false leaves the hook in state disabled (module parameter)
 * @paths:   classify drops and paths (a kretprobe and two helpers)
 * @latency: also latency histograms (implies @paths); needs nsp_lat_init()
 * @off:     comma list of helpers to leave disabled (module parameter
 *           hooks_off, for testing the degraded states), or NULL
 *
 * veth_xmit() missing (veth.ko not loaded) is not an error: state pending,
 * err -ENOENT; the module notifier arms it later. Other registration errors
 * leave the hook failed with err set; the module still loads. The helpers
 * are armed first, so that the first veth_xmit() seen is seen whole. A
 * helper that a chosen mode needs but that is not armed (failed, or named
 * in @off: disabled, reason module_parameter) leaves the counters it feeds
 * wrong (docs/architecture.md, "A helper not armed"); its probe record says
 * so, and the tool shows those counters as unknown. A helper no mode needs
 * stays disabled with reason not_needed, named in @off or not.
 *
 * Context: process context; sleeps.
 * Return: 0, or -EINVAL if @off names something that is not a helper.
 */
int nsp_veth_init(bool enable, bool paths, bool latency, const char *off)
{
	static const char * const *(*const syms[])(void) = {
		nsp_dev_forward_symbols, nsp_backlog_symbols,
		nsp_rx_backlog_symbols, nsp_rx_napi_symbols,
	};
	int i;

	if (!nsp_veth_hooks_off(off, NULL))
		return -EINVAL;
	paths = enable && (paths || latency);
	latency = enable && latency;
	for (i = 0; i < ARRAY_SIZE(nsp_veth_helpers); i++) {
		bool on = nsp_veth_helper_needed(i, paths, latency);
		bool forced_off = on && nsp_veth_hooks_off(off, &nsp_veth_helpers[i]);

		nsp_veth_helpers[i].symbols = syms[i]();
		nsp_probe_add(&nsp_veth_helpers[i], on && !forced_off ?
			      NSP_PROBE_PENDING : NSP_PROBE_DISABLED);
		if (!on) {
			nsp_veth_helpers[i].reason = enable ?
				NSP_PROBE_REASON_NOT_NEEDED :
				NSP_PROBE_REASON_PARAM_OFF;
			continue;
		}
		if (forced_off)
			continue;	/* disabled, reason module_parameter */
		mutex_lock(&nsp_probes_lock);
		if (nsp_probe_arm(&nsp_veth_helpers[i]))
			nsp_veth_helpers[i].state = NSP_PROBE_FAILED;
		mutex_unlock(&nsp_probes_lock);
	}

	nsp_veth_probe.symbols = nsp_veth_xmit_symbols();
	nsp_veth_probe.kind = paths ? NSP_PROBE_KRETPROBE : NSP_PROBE_KPROBE;
	/* veth_xmit() runs with BH off and does not nest: one per CPU. */
	nsp_veth_probe.maxactive = 2 * num_possible_cpus();
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
 * nsp_veth_exit() - unregister the veth_xmit() probe and its helpers
 *
 * After this, no handler runs and the notifier arms nothing. veth_xmit()
 * goes first, so no context is opened that the helpers would miss.
 *
 * Context: process context; sleeps.
 */
void nsp_veth_exit(void)
{
	int i;

	mutex_lock(&nsp_probes_lock);
	nsp_veth_active = false;
	if (nsp_veth_probe.state == NSP_PROBE_ARMED)
		nsp_probe_disarm(&nsp_veth_probe, NSP_PROBE_DISABLED);
	for (i = 0; i < ARRAY_SIZE(nsp_veth_helpers); i++)
		if (nsp_veth_helpers[i].state == NSP_PROBE_ARMED)
			nsp_probe_disarm(&nsp_veth_helpers[i],
					 NSP_PROBE_DISABLED);
	mutex_unlock(&nsp_probes_lock);
}
