/* SPDX-License-Identifier: GPL-2.0 */
#ifndef NSP_PROBES_H
#define NSP_PROBES_H

#include <linux/kprobes.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/seq_file.h>
#include <linux/tracepoint.h>
#include <linux/types.h>

#include <nsprobe/format.h>

/* Rendering order of the "probes" file. */
enum nsp_hook_id {
	NSP_HOOK_ID_VETH_XMIT,
	NSP_HOOK_ID_SIG_GENERATE,
	NSP_HOOK_ID_SIG_OUTCOME,
	NSP_HOOK_ID_SIG_DELIVER,
	NSP_HOOK_ID_SIG_NS_EXIT,
	NSP_HOOK_ID_SIG_NS_SWITCH,
	NSP_HOOK_ID_OOM_VICTIM,
	NSP_HOOK_ID_VETH_FWD,
	NSP_HOOK_ID_VETH_BACKLOG,
	NSP_HOOK_ID_RX_BACKLOG,
	NSP_HOOK_ID_RX_NAPI,
	NSP_HOOK_ID__COUNT,
};

/**
 * struct nsp_probe - one hook: its registration and what "probes" shows
 * @id:        slot in the probe table and in the per-CPU hit counters
 * @name:      NSP_HOOK_* name
 * @kind:      NSP_PROBE_KPROBE or NSP_PROBE_KRETPROBE
 * @symbols:   NULL-terminated candidate symbols, tried in order
 * @pre:       kprobe pre-handler (kind kprobe)
 * @entry:     kretprobe entry handler (kind kretprobe)
 * @ret:       kretprobe return handler (kind kretprobe)
 * @data_size: kretprobe per-instance data size (bytes)
 * @maxactive: kretprobe instances that may be live at once
 * @tp_name:   a tracepoint to attach when no symbol exists (NULL: none);
 *             list it last in @symbols too, so it is tried in order
 * @tp_func:   its probe function (void *data first; data is the probe)
 * @base_kind: @kind as declared; @kind shows what attached
 * @tp:        the attached tracepoint
 * @symbol:    the attached symbol; else the first candidate
 * @state:     enum nsp_probe_state
 * @err:       -errno of the last failed registration, 0 if none
 * @reason:    why the probe is in @state (NSP_PROBE_REASON_*)
 * @nmissed:   nmissed summed over earlier registrations
 * @kp:        the kprobe (kind kprobe)
 * @rp:        the kretprobe (kind kretprobe)
 *
 * @symbol, @state, @err, @reason, @nmissed and the registration are
 * protected by nsp_probes_lock.
 */
struct nsp_probe {
	enum nsp_hook_id id;
	const char *name;
	enum nsp_probe_kind kind;
	const char * const *symbols;
	kprobe_pre_handler_t pre;
	kretprobe_handler_t entry;
	kretprobe_handler_t ret;
	size_t data_size;
	int maxactive;
	const char *tp_name;
	void *tp_func;
	enum nsp_probe_kind base_kind;
	struct tracepoint *tp;

	const char *symbol;
	enum nsp_probe_state state;
	int err;
	const char *reason;
	unsigned long nmissed;
	union {
		struct kprobe kp;
		struct kretprobe rp;
	};
};

extern struct mutex nsp_probes_lock;

DECLARE_PER_CPU(u64 [NSP_HOOK_ID__COUNT], nsp_probe_hits);

/**
 * nsp_probe_hit() - count one handler invocation
 * @p: the probe whose handler runs
 *
 * Per-CPU, no atomics: safe from any context a kprobe handler runs in.
 */
static inline void nsp_probe_hit(const struct nsp_probe *p)
{
	this_cpu_inc(nsp_probe_hits[p->id]);
}

void nsp_probe_add(struct nsp_probe *p, enum nsp_probe_state state);
int nsp_probe_arm(struct nsp_probe *p);
void nsp_probe_disarm(struct nsp_probe *p, enum nsp_probe_state state);
void nsp_probes_show(struct seq_file *m);

#endif /* NSP_PROBES_H */
