// SPDX-License-Identifier: GPL-2.0
/*
 * The probe table shared by the veth and signal hooks: registration from a
 * list of candidate symbols, state, errors and nmissed across re-arms, and
 * the "probes" file.
 */

#include <linux/cpumask.h>
#include <linux/kprobes.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

#include "probes.h"

/* Serializes every registration and state change; never taken in handlers. */
DEFINE_MUTEX(nsp_probes_lock);

/* Handler invocations, per CPU and hook: no shared cache line on hot paths. */
DEFINE_PER_CPU(u64 [NSP_HOOK_ID__COUNT], nsp_probe_hits);

static struct nsp_probe *nsp_probe_table[NSP_HOOK_ID__COUNT];

static const char * const nsp_probe_kind_names[] = NSP_PROBE_KIND_NAMES;
static const char * const nsp_probe_state_names[] = NSP_PROBE_STATE_NAMES;

/**
 * nsp_probe_add() - put a probe in the table shown by "probes"
 * @p:     the probe; it must stay valid until the module unloads
 * @state: its initial state (NSP_PROBE_PENDING or NSP_PROBE_DISABLED)
 *
 * Context: process context; takes nsp_probes_lock.
 */
void nsp_probe_add(struct nsp_probe *p, enum nsp_probe_state state)
{
	mutex_lock(&nsp_probes_lock);
	p->state = state;
	p->symbol = p->symbols[0];
	p->err = 0;
	p->base_kind = p->kind;
	p->reason = state == NSP_PROBE_DISABLED ? NSP_PROBE_REASON_PARAM_OFF :
		    NSP_PROBE_REASON_NO_SYMBOL;
	p->nmissed = 0;
	nsp_probe_table[p->id] = p;
	mutex_unlock(&nsp_probes_lock);
}

static void nsp_probe_tp_match(struct tracepoint *tp, void *priv)
{
	struct nsp_probe *p = priv;

	if (!p->tp && !strcmp(tp->name, p->tp_name))
		p->tp = tp;
}

/*
 * A built-in tracepoint (the signal ones are in kernel/signal.c): found
 * with for_each_kernel_tracepoint(), never through kallsyms.
 */
static int nsp_probe_tp_register(struct nsp_probe *p)
{
	int err;

	p->tp = NULL;
	for_each_kernel_tracepoint(nsp_probe_tp_match, p);
	if (!p->tp)
		return -ENOENT;
	err = tracepoint_probe_register(p->tp, p->tp_func, p);
	if (err)
		return err;
	p->kind = NSP_PROBE_TRACEPOINT;
	return 0;
}

static int nsp_probe_register(struct nsp_probe *p, const char *sym)
{
	if (p->tp_name && !strcmp(sym, p->tp_name))
		return nsp_probe_tp_register(p);
	p->kind = p->base_kind;
	/*
	 * register_kprobe() fills in addr, flags and list heads; a struct
	 * that was registered before must be cleared before it is reused.
	 */
	if (p->kind == NSP_PROBE_KRETPROBE) {
		memset(&p->rp, 0, sizeof(p->rp));
		p->rp.kp.symbol_name = sym;
		p->rp.entry_handler = p->entry;
		p->rp.handler = p->ret;
		p->rp.data_size = p->data_size;
		p->rp.maxactive = p->maxactive;
		return register_kretprobe(&p->rp);
	}
	memset(&p->kp, 0, sizeof(p->kp));
	p->kp.symbol_name = sym;
	p->kp.pre_handler = p->pre;
	return register_kprobe(&p->kp);
}

/**
 * nsp_probe_arm() - register a probe on its first candidate symbol that exists
 * @p: the probe; its state must not be NSP_PROBE_ARMED
 *
 * Tries each candidate in order. A candidate that does not exist fails with
 * -ENOENT (kallsyms lookup inside register_kprobe()) and the next one is
 * tried. On success the state becomes NSP_PROBE_ARMED and err 0; on failure
 * the caller picks the state (pending or failed), err holds the error.
 * The reason becomes armed_at_load, symbol_not_found or register_failed; a
 * caller that knows better (a module notifier) overwrites it.
 *
 * Context: process context, nsp_probes_lock held.
 * Return: 0, or the -errno of the last candidate tried.
 */
int nsp_probe_arm(struct nsp_probe *p)
{
	const char * const *sym;
	int err = -ENOENT;

	lockdep_assert_held(&nsp_probes_lock);
	if (WARN_ON_ONCE(p->state == NSP_PROBE_ARMED))
		return -EBUSY;

	for (sym = p->symbols; *sym; sym++) {
		err = nsp_probe_register(p, *sym);
		if (!err) {
			p->symbol = *sym;
			p->state = NSP_PROBE_ARMED;
			p->err = 0;
			p->reason = NSP_PROBE_REASON_ARMED_AT_LOAD;
			return 0;
		}
		if (err != -ENOENT)
			break;
	}
	p->symbol = p->symbols[0];
	p->err = err;
	p->reason = err == -ENOENT ? NSP_PROBE_REASON_NO_SYMBOL :
		    NSP_PROBE_REASON_REGISTER_ERR;
	return err;
}

static unsigned long nsp_probe_cur_missed(const struct nsp_probe *p)
{
	if (p->state != NSP_PROBE_ARMED || p->kind == NSP_PROBE_TRACEPOINT)
		return 0;
	if (p->kind == NSP_PROBE_KRETPROBE)
		return p->rp.nmissed + p->rp.kp.nmissed;
	return p->kp.nmissed;
}

/**
 * nsp_probe_disarm() - unregister an armed probe
 * @p:     the probe
 * @state: the state it goes to (gone, disabled or pending)
 *
 * The reason follows the state: module_unloaded for gone, module_parameter
 * for disabled, symbol_not_found for pending; a caller may overwrite it.
 * Adds its nmissed to the running total. unregister_k(ret)probe() waits
 * (synchronize_rcu()) until no handler runs any more. A probe that is not
 * armed only changes state.
 *
 * Context: process context, nsp_probes_lock held; sleeps.
 */
void nsp_probe_disarm(struct nsp_probe *p, enum nsp_probe_state state)
{
	lockdep_assert_held(&nsp_probes_lock);
	if (p->state == NSP_PROBE_ARMED) {
		p->nmissed += nsp_probe_cur_missed(p);
		if (p->kind == NSP_PROBE_TRACEPOINT) {
			tracepoint_probe_unregister(p->tp, p->tp_func, p);
			tracepoint_synchronize_unregister();
		} else if (p->kind == NSP_PROBE_KRETPROBE) {
			unregister_kretprobe(&p->rp);
		} else {
			unregister_kprobe(&p->kp);
		}
	}
	p->state = state;
	p->reason = state == NSP_PROBE_GONE ? NSP_PROBE_REASON_MODULE_GONE :
		    state == NSP_PROBE_DISABLED ? NSP_PROBE_REASON_PARAM_OFF :
		    NSP_PROBE_REASON_NO_SYMBOL;
}

static u64 nsp_probe_hits_sum(enum nsp_hook_id id)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu(nsp_probe_hits, cpu)[id];
	return sum;
}

/**
 * nsp_probes_show() - write one "probe" record per hook
 * @m: the seq_file of the "probes" file
 *
 * Context: process context; takes nsp_probes_lock.
 */
void nsp_probes_show(struct seq_file *m)
{
	int i;

	mutex_lock(&nsp_probes_lock);
	for (i = 0; i < NSP_HOOK_ID__COUNT; i++) {
		const struct nsp_probe *p = nsp_probe_table[i];

		if (!p)
			continue;
		seq_printf(m, "probe name=%s symbol=%s kind=%s state=%s hits=%llu nmissed=%lu err=%d reason=%s\n",
			   p->name, p->symbol ? p->symbol : "-",
			   nsp_probe_kind_names[p->kind],
			   nsp_probe_state_names[p->state],
			   nsp_probe_hits_sum(p->id),
			   p->nmissed + nsp_probe_cur_missed(p), p->err,
			   p->reason);
	}
	mutex_unlock(&nsp_probes_lock);
}
