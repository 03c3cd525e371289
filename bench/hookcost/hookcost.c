// SPDX-License-Identifier: GPL-2.0
/*
 * hookcost.ko: the cheapest handler each hook type can have on the veth
 * transmit path, so that scripts/bench-veth can price a hook hit apart from
 * nsprobe's own work (docs/performance.md, "The floor of a hook").
 *
 * One hook, chosen by the hook= parameter at load time, whose handler only
 * adds 1 to a per-CPU counter:
 *
 *   kprobe      entry of veth_xmit() (drivers/net/veth.c); at a function's
 *               first instruction x86 kprobes go through ftrace
 *               (CONFIG_KPROBES_ON_FTRACE), as nsprobe's own entry probes do
 *   kretprobe   veth_xmit(); the hit is counted by the return handler
 *   tracepoint  net:net_dev_xmit, fired by xmit_one() (net/core/dev.c)
 *               after every ndo_start_xmit(), veth's included; found with
 *               for_each_kernel_tracepoint() (it is not exported)
 *   ftrace      an ftrace_ops of our own on veth_xmit(), without
 *               FTRACE_OPS_FL_SAVE_REGS: the function-entry hook a kprobe
 *               on ftrace is built on, minus the kprobe layer (the full
 *               pt_regs, the per-CPU current_kprobe, the kprobe lookup);
 *               the handler reads the device argument (ftrace_regs
 *               carries the argument registers: DYNAMIC_FTRACE_WITH_ARGS,
 *               set in Debian's 6.1 and 6.12) and guards recursion as an
 *               FTRACE_OPS_FL_RECURSION ops must
 *
 * /sys/module/hookcost/parameters/hits is the sum of the handler's calls on
 * all CPUs, so the benchmark divides the extra instructions per packet by
 * the hits per packet. Checked against Debian 6.1.0-47 and 6.12.107
 * (veth_xmit(struct sk_buff *, struct net_device *); net_dev_xmit's probe
 * arguments (skb, rc, dev, skb_len) are the same on both).
 */
#include <linux/ftrace.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/percpu.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

static char *hook = "kprobe";
module_param(hook, charp, 0444);
MODULE_PARM_DESC(hook, "kprobe, kretprobe, tracepoint or ftrace (see the source)");

static DEFINE_PER_CPU(unsigned long, hc_hits);

static int hc_hits_get(char *buf, const struct kernel_param *kp)
{
	unsigned long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu(hc_hits, cpu);
	return sysfs_emit(buf, "%lu\n", sum);
}

static const struct kernel_param_ops hc_hits_ops = {
	.get = hc_hits_get,
};

module_param_cb(hits, &hc_hits_ops, NULL, 0444);
MODULE_PARM_DESC(hits, "handler calls so far, all CPUs (read-only)");

static int hc_kprobe_pre(struct kprobe *p, struct pt_regs *regs)
{
	this_cpu_inc(hc_hits);
	return 0;
}

static int hc_kretprobe_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	this_cpu_inc(hc_hits);
	return 0;
}

/* The probe prototype of net_dev_xmit (include/trace/events/net.h). */
static void hc_tp_net_dev_xmit(void *data, struct sk_buff *skb, int rc,
			       struct net_device *dev, unsigned int skb_len)
{
	this_cpu_inc(hc_hits);
}

/*
 * ftrace_ops callback (include/linux/ftrace.h, ftrace_func_t, the same on
 * 6.1 and 6.12). The argument is read as a real handler would read it, so
 * that the figure includes that work: ftrace_regs_get_argument() on 6.12;
 * on 6.1, where that accessor does not exist yet, struct ftrace_regs is a
 * struct pt_regs whose argument registers ftrace_caller saved.
 */
static void hc_ftrace(unsigned long ip, unsigned long parent_ip,
		      struct ftrace_ops *op, struct ftrace_regs *fregs)
{
	unsigned long dev;
	int bit;

	bit = ftrace_test_recursion_trylock(ip, parent_ip);
	if (bit < 0)
		return;
#ifdef ftrace_regs_get_argument
	dev = ftrace_regs_get_argument(fregs, 1);
#else
	dev = regs_get_kernel_argument(&fregs->regs, 1);
#endif
	if (likely(dev))
		this_cpu_inc(hc_hits);
	ftrace_test_recursion_unlock(bit);
}

static struct ftrace_ops hc_ops = {
	.func = hc_ftrace,
	.flags = FTRACE_OPS_FL_RECURSION,
};

static struct kprobe hc_kp = {
	.symbol_name = "veth_xmit",
	.pre_handler = hc_kprobe_pre,
};

static struct kretprobe hc_krp = {
	.kp.symbol_name = "veth_xmit",
	.handler = hc_kretprobe_ret,
};

static struct tracepoint *hc_tp;

static void hc_tp_match(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "net_dev_xmit"))
		hc_tp = tp;
}

enum hc_kind { HC_KPROBE, HC_KRETPROBE, HC_TRACEPOINT, HC_FTRACE };
static enum hc_kind hc_kind;

static int __init hc_init(void)
{
	if (!strcmp(hook, "kprobe")) {
		hc_kind = HC_KPROBE;
		return register_kprobe(&hc_kp);
	}
	if (!strcmp(hook, "kretprobe")) {
		hc_kind = HC_KRETPROBE;
		return register_kretprobe(&hc_krp);
	}
	if (!strcmp(hook, "tracepoint")) {
		hc_kind = HC_TRACEPOINT;
		for_each_kernel_tracepoint(hc_tp_match, NULL);
		if (!hc_tp)
			return -ENOENT;
		return tracepoint_probe_register(hc_tp, hc_tp_net_dev_xmit, NULL);
	}
	if (!strcmp(hook, "ftrace")) {
		unsigned char sym[] = "veth_xmit";	/* the filter is writable */
		int err;

		hc_kind = HC_FTRACE;
		err = ftrace_set_filter(&hc_ops, sym, strlen(sym), 1);
		if (err)
			return err;
		err = register_ftrace_function(&hc_ops);
		if (err)
			ftrace_free_filter(&hc_ops);
		return err;
	}
	return -EINVAL;
}

static void __exit hc_exit(void)
{
	switch (hc_kind) {
	case HC_KPROBE:
		unregister_kprobe(&hc_kp);
		break;
	case HC_KRETPROBE:
		unregister_kretprobe(&hc_krp);
		break;
	case HC_TRACEPOINT:
		tracepoint_probe_unregister(hc_tp, hc_tp_net_dev_xmit, NULL);
		tracepoint_synchronize_unregister();
		break;
	case HC_FTRACE:
		/* Waits for every CPU to leave the callback. */
		unregister_ftrace_function(&hc_ops);
		ftrace_free_filter(&hc_ops);
		break;
	}
}

module_init(hc_init);
module_exit(hc_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("nsprobe benchmark: the cost floor of a kprobe, kretprobe, tracepoint or ftrace_ops on veth's transmit path");
