/* SPDX-License-Identifier: (GPL-2.0 OR MIT) */
/*
 * nsprobe debugfs format: the one contract between nsprobe.ko (kmod/) and the
 * nsprobe tool (userspace/). Both sides include this header; nothing else is
 * shared.
 *
 * Location: <debugfs>/nsprobe/ (normally /sys/kernel/debug/nsprobe/).
 *
 * Versioning (NSP_FORMAT_MAJOR.NSP_FORMAT_MINOR):
 *   - MAJOR is bumped for any incompatible change: a file, record type or key
 *     removed or renamed, a value whose unit or meaning changes, a change of
 *     the line syntax below.
 *   - MINOR is bumped for additive changes: a new file, record type or key.
 *   - A reader refuses a MAJOR other than its own (naming both versions) and
 *     ignores files, record types and keys it does not know.
 *
 * The "version" file holds exactly one line whose syntax never changes:
 *     "nsprobe-format <MAJOR>.<MINOR>\n"
 *
 * Every other readable file is a list of records, one per line:
 *     <type> <key>=<value> <key>=<value> ...\n
 *   - a line starting with '#' is a comment and is skipped;
 *   - fields are separated by exactly one space; keys are [a-z0-9_]+;
 *   - values are unsigned decimal integers (counters, ids, ns, bytes),
 *     signed decimal integers where noted (errno values), or words
 *     [a-z0-9_.+-]+;
 *   - free-form strings (interface names, comm) are escaped: every byte
 *     outside printable ASCII, and ' ', '=' and '\\', is written as a
 *     backslash and three octal digits ("\040" for a space).
 *
 * Identity: a network namespace is (inum, cookie): inum is net->ns.inum (the
 * N of /proc/<pid>/ns/net -> "net:[N]"), cookie is net->net_cookie (what
 * getsockopt(SO_NETNS_COOKIE) returns). The kernel reuses inums; cookies are
 * never reused while the system runs. A device is (netns identity, ifindex).
 *
 * Counters are monotonic u64 for the life of their netns or device, except
 * across an explicit reset through the control file.
 */
#ifndef NSPROBE_FORMAT_H
#define NSPROBE_FORMAT_H

#define NSP_FORMAT_MAJOR 1
#define NSP_FORMAT_MINOR 7

#define NSP_VERSION_PREFIX "nsprobe-format"

/* Directory under the debugfs mount point. */
#define NSP_DEBUGFS_DIR "nsprobe"

/* ---- Files ------------------------------------------------------------- */

/* "nsprobe-format MAJOR.MINOR\n". Mode 0444. */
#define NSP_FILE_VERSION "version"

/*
 * One "probe" record per hook. Mode 0444.
 *   probe name=<hook> symbol=<symbol or -> kind=<kind> state=<state>
 *         hits=<u64> nmissed=<u64> err=<int, -errno of the last failed
 *         registration, 0 if none>
 *   name    one of NSP_HOOK_* below;
 *   symbol  the kernel symbol (or tracepoint) that attached, or the first
 *           candidate while none is attached, "-" if there is none;
 *   kind    one of NSP_PROBE_KIND_NAMES;
 *   state   one of NSP_PROBE_STATE_NAMES;
 *   hits    handler invocations since the module loaded;
 *   nmissed the kernel's kprobe/kretprobe nmissed, summed over re-arms;
 *   reason  (1.1) why the probe is in its state, one of NSP_PROBE_REASON_*.
 */
#define NSP_FILE_PROBES "probes"

/*
 * One "stats" record with module-wide counters. Mode 0444.
 *   stats netns=<live netns> devices=<tracked veth devices>
 *         veth_untracked=<packets seen at veth_xmit on a device nsprobe
 *                         does not track (allocation failure or race)>
 *         sig_unattributed=<signals (1.3; hook events before) counted in
 *                           no netns: the target had no netns left, or the
 *                           pool of deferred sends was full; see
 *                           kmod/sigattr.c>
 *         alloc_failed=<allocations that failed; each is also counted in
 *                       the record that lost data>
 *         (1.3) sig_deferred=<signals whose target netns was resolved
 *                       after the send (kmod/sigattr.c): counted, with
 *                       their event, in the right netns, a little later>
 *         (1.3) oom_unattributed=<OOM kills whose SIGKILL was counted
 *                       but could not be marked as an OOM kill>
 *         (1.4) postmortem=<records in NSP_FILE_POSTMORTEM now>
 *         (1.4) postmortem_lost=<dead netns whose record could not be
 *                       allocated (also in alloc_failed)>
 */
#define NSP_FILE_STATS "stats"

/*
 * One "netns" record per live network namespace. Mode 0444.
 *   netns inum=<u32> cookie=<u64> devices=<tracked veth devices>
 *         tx_packets=<packets> tx_bytes=<bytes>   (sum over its veth devices,
 *                                                 including deleted ones)
 *         sig_generated=<signals> sig_ignored=<signals>
 *         sig_rows=<signal numbers with counters allocated>   (1.3)
 *         ev_chunks=<chunks of the event ring allocated>       (1.3)
 *         alloc_failed=<counts lost in this netns for want of memory: a
 *                       signal counter increment, an event, or a veth not
 *                       tracked; never reset>                   (1.3)
 * (1.3) nsprobe allocates per-netns memory on first use: a netns with no
 * signal has sig_rows=0 and ev_chunks=0. Each row holds the counters of one
 * signal number; each chunk holds a page of events of the ring. A non-zero
 * alloc_failed means this netns' signal counters and events are incomplete
 * (the module's memory pool was empty on a first use).
 */
#define NSP_FILE_NETNS "netns"

/*
 * One "dev" record per veth device nsprobe tracks. Mode 0444.
 *   dev inum=<u32> cookie=<u64> ifindex=<int> name=<escaped>
 *       <one key per NSP_DEV_COUNTERS entry>=<u64>
 *       tx_dropped_base=<u64>   (1.2)
 *       rx_packets_base=<u64>   (1.7)
 * tx_dropped_base is the device's own TX dropped count (dev_get_stats():
 * rtnl_link_stats64.tx_dropped, in packets) when its counters last started
 * from zero: when nsprobe began tracking it (NETDEV_REGISTER, or module
 * load for a device that existed) or at the last reset. So the link's TX
 * dropped minus tx_dropped_base is what the kernel dropped over the same
 * span as the counters, and minus drops, what it dropped before veth_xmit().
 * (1.7) rx_packets_base is the device's RX packets (dev_get_stats():
 * rx_packets) at the same moment. So the link's RX packets minus
 * rx_packets_base minus rx_veth is what reached the device over that span
 * without its peer's veth_xmit(): bpf_redirect_peer() (counted in RX by
 * skb_do_redirect() from Linux 6.7, before only with a stable backport:
 * Debian's 6.1.170 has it; not at all without), an XDP redirect
 * into the peer or an XDP_TX of the peer (counted at the device's NAPI
 * poll). Exact when no packet is in flight to the device at the moment the
 * counters start (device creation, or a module load or reset while it is
 * quiet): one in flight then may be in neither or both.
 */
#define NSP_FILE_DEVICES "devices"

/*
 * One "sig" record per (target netns, signal number) with any non-zero
 * counter. Mode 0444.
 *   sig inum=<u32> cookie=<u64> signo=<1..64>
 *       <one key per NSP_SIG_COUNTERS entry>=<u64>
 * Invariant: ignored == sum of the ignored_* reason counters.
 *
 * (1.5) Then one "node_sig" record per signal number with any non-zero
 * counter of the whole node:
 *   node_sig signo=<1..64> <one key per NSP_SIG_COUNTERS entry>=<u64>
 * Every signal counted in any netns since the module loaded or the last
 * "reset" of every netns (a reset of one netns leaves them), the netns that
 * died since included: so unlike the sum of the sig records, these never
 * go down when a netns dies. They also keep the counts a netns lost for
 * want of memory (its alloc_failed): node_sig equals the sum of the live
 * sig records and the dead netns' ones while alloc_failed is 0 everywhere,
 * and exceeds it otherwise. Signals counted in no netns (stats
 * sig_unattributed) are in neither.
 */
#define NSP_FILE_SIGNALS "signals"

/*
 * (1.1) The signal events of each netns, oldest first. Mode 0444.
 *   evring inum=<u32> cookie=<u64> size=<slots> written=<u64>
 *          overflow=<u64, events overwritten before this read>
 *          (1.4) notable_size=<slots> notable_written=<u64>
 *          notable_overflow=<u64>
 *   (1.4) Two rings per netns (class below): size, written and overflow
 *   are the sums over both (written: the last seq); the notable_* keys are
 *   the notable ring's own. The routine ring's are the differences.
 *   ev inum=<u32> cookie=<u64> seq=<u64, 1.., per netns> ts_ns=<u64,
 *      CLOCK_MONOTONIC> sender_pid=<u32> sender_tgid=<u32>
 *      sender_comm=<escaped> sender_netns=<u32, 0 if unknown>
 *      target_pid=<u32> target_tgid=<u32> target_comm=<escaped>
 *      target_nspid=<u32, pid in its own pid ns> target_pidns=<u32 inum>
 *      signo=<1..64> code=<int si_code, 0 without siginfo>
 *      outcome=<NSP_SIG_OUTCOME_NAMES> reason=<NSP_SIG_REASON_NAMES>
 *      origin=<process|kernel> forced=<0|1|->
 *      (1.3) cause=<NSP_SIG_CAUSE_NAMES: oom for the OOM killer's SIGKILL
 *      (oom:mark_victim); init_exit for the SIGKILL a pid namespace's
 *      exiting init sends every task left in it (zap_pid_ns_processes());
 *      "-" for anything else>
 *      (1.4) class=<NSP_SIG_EV_CLASS_NAMES: notable for an event with a
 *      cause, one that terminated its target, SIGKILL and SIGSTOP, a signal
 *      ignored by the pid namespace init protection (reason=init), and any
 *      signal a process sent (origin=process) except SIGCHLD, SIGCONT,
 *      SIGURG and SIGWINCH; routine for every other (SIGCHLD, timers,
 *      SIGPIPE ...). Each class has a ring of its own, so routine events
 *      never overwrite notable ones.>
 *      (1.7) gseq=<u64, 1.., across every netns since the module loaded:
 *      the node's order of events; a netns' seq orders its own>
 *   One ev per signal at its generation (signal:signal_generate), target's
 *   netns. Pids are as seen from the initial pid namespace. forced is "-"
 *   when the generation kprobe did not see the send (send_sigqueue(), or
 *   the hook fell back to the tracepoint). Each netns keeps the last
 *   sig_events (module parameter, default 256) routine events and (1.4)
 *   the last sig_events_notable (default 64) notable ones; ev records of
 *   both rings are merged in seq order.
 *
 * (1.5) Mode 0644. A reader may narrow what its open file shows by writing
 * one selection to it (at most NSP_EVENTS_SELECT_MAX bytes, an optional
 * trailing '\n'), then reading from offset 0:
 *   "select inum=<u32> cookie=<u64> after=<u64>"
 *       only that netns' evring record (unchanged: its sums) and its ev
 *       records whose seq is greater than after (0: all of them); nothing
 *       if no live netns is (inum, cookie)
 *   "select inum=<u32> cookie=<u64> after=<u64> signals=<u64>"
 *       (1.6) the same, and of those ev records only the ones whose signo
 *       is in the set: bit (signo - 1) of signals, signo 1 to 64. The
 *       evring record is unchanged. signals=0 (no signal) is refused.
 *   "select gseq_after=<u64>"
 *   "select gseq_after=<u64> signals=<u64>"
 *       (1.7) every live netns: first one record
 *         evnode gseq=<u64, the gseq of the node's last event when this
 *                read began, 0 before the first>
 *       then, for each netns holding events whose gseq is greater than
 *       gseq_after (and, with signals=, whose signo is in the set), its
 *       evring record (unchanged) and those ev records; nothing for the
 *       others. Every event numbered up to evnode's gseq is in its ring
 *       by that read (or counted in its overflow), so a reader that asks
 *       next for gseq_after=<that gseq> misses none; events numbered
 *       after it may be in both reads (their seq tells them apart).
 *   "select all"   everything again (the state of a new open)
 * Anything else fails with -EINVAL. The selection belongs to the open file
 * and lasts until the next selection or the close; the file is read from
 * the start at offset 0 (lseek), so one open serves a whole --follow. A
 * module before 1.5 refuses the write (mode 0444: -EACCES or -EBADF).
 *
 * (1.7) poll(): the file is readable (POLLIN) once an event of any netns
 * and any signal was stored since its last read from offset 0 began (or
 * since the module loaded, before its first read), whatever its selection;
 * a reader then reads its selection again. Like every open debugfs file of
 * the module it pins the module: rmmod fails with EBUSY while it is open.
 */
#define NSP_FILE_EVENTS "events"
#define NSP_EVENTS_SELECT_MAX 128

/*
 * (1.4) Post-mortem records: what nsprobe knew of each network namespace
 * that has died, kept at its pernet exit (kmod/postmortem.c) for at most
 * postmortem_secs seconds (module parameter, default 600; 0: no limit) and
 * at most postmortem_max of them (default 64; 0: none kept), the oldest
 * dropped first. Mode 0444. Per dead netns, oldest first:
 *   gone inum=<u32> cookie=<u64> gone_ns=<u64, CLOCK_REALTIME, its pernet
 *        exit> age_ns=<u64, ns since then (CLOCK_BOOTTIME) at this read>
 *        cgroup_id=<u64, cgroup v2 id of the last task that left the netns
 *                   through exit_task_namespaces(); 0 if none was seen>
 *        cgroup=<escaped path of that cgroup from the cgroup v2 root,
 *                "-" if unknown or if the cgroup was removed before the
 *                netns' exit (its cgroup_id still says which it was)>
 *   then its records as the live files showed them at its exit: one netns
 *   record (NSP_FILE_NETNS keys), its sig records (NSP_FILE_SIGNALS), its
 *   evring record and ev records (NSP_FILE_EVENTS), all with its inum and
 *   cookie. Dead netns are never in the live files; the kernel may give a
 *   new netns the inum of a dead one, never its cookie.
 */
#define NSP_FILE_POSTMORTEM "postmortem"

#define NSP_SIG_OUTCOME_NAMES \
	{ "ignored", "coalesced", "queued", "queued_blocked", "queue_overflow", \
	  "delivered_term" }
#define NSP_SIG_REASON_NAMES \
	{ "-", "exiting", "sig_ign", "default", "init", "other" }
#define NSP_SIG_ORIGIN_NAMES { "process", "kernel" }
#define NSP_SIG_CAUSE_NAMES { "-", "oom", "init_exit" }
#define NSP_SIG_EV_CLASS_NAMES { "routine", "notable" }

/*
 * (1.1) Latency histograms. Mode 0444. Present only when the module was
 * loaded with latency=1. Records:
 *   latency table=<slots> max_age_ns=<u64> cross_matched=<u64>
 *           cross_evicted=<u64> cross_aged=<u64> cross_busy=<u64>
 *     the crossing-latency matcher: slots of its table; entries older than
 *     max_age_ns are not matched; matched entries; unmatched entries,
 *     evicted by a newer skb hashing to the same slot, or found older than
 *     max_age_ns; skbs not recorded because their slot was being written.
 *   dev_hist inum=<u32> cookie=<u64> ifindex=<int> name=<escaped>
 *            kind=<NSP_HIST_KIND_NAMES> count=<u64> sum_ns=<u64>
 *            b<i>=<u64> ...
 *   netns_hist inum=<u32> cookie=<u64> kind=<...> count=<u64> sum_ns=<u64>
 *            b<i>=<u64> ...
 *     b<i> is the count of bucket i (NSP_HIST_* below); only non-zero
 *     buckets are written, in increasing i. count is the sum of the b<i>.
 *     kind xmit:  time spent in veth_xmit() of this device;
 *     kind cross: for skbs this device RECEIVED from its peer: from the
 *                 peer's veth_xmit() entry to the skb entering this
 *                 device's receive path (__netif_receive_skb() from the
 *                 backlog, or napi_gro_receive() from veth's NAPI).
 *   A netns_hist sums its live and departed devices. (1.3) netns_hist
 *   records are written only for a netns that has had a tracked veth (its
 *   histograms are allocated then).
 */
#define NSP_FILE_LATENCY "latency"

/*
 * Histogram buckets, log2 of nanoseconds: bucket 0 counts [0, 1) ns,
 * bucket i (1 <= i < NSP_HIST_BUCKETS - 1) counts [2^(i-1), 2^i) ns, and the
 * last bucket counts everything from 2^(NSP_HIST_BUCKETS - 2) ns up (about
 * 1.07 s).
 */
#define NSP_HIST_BUCKETS 32

enum nsp_hist_kind {
	NSP_HIST_XMIT,
	NSP_HIST_CROSS,
	NSP_HIST_KIND__COUNT,
};

#define NSP_HIST_KIND_NAMES { "xmit", "cross" }

/*
 * Write-only control file. Mode 0200. Accepted writes (one command per
 * write, at most NSP_CONTROL_MAX bytes, an optional trailing '\n'):
 *   "reset"            zero every counter of every netns
 *   "reset inum=<u32>" zero the counters of that netns
 * Anything else fails with -EINVAL; an unknown inum fails with -ENOENT.
 * A reset stores a baseline; counting is never paused. (1.2) A reset also
 * zeroes that netns's latency histograms (dev_hist, netns_hist); the
 * matcher's module-wide counters (latency record) are never reset.
 */
#define NSP_FILE_CONTROL "control"
#define NSP_CONTROL_MAX 64

/* ---- Hooks, kinds, states --------------------------------------------- */

#define NSP_HOOK_VETH_XMIT    "veth_xmit"    /* kprobe on veth_xmit() */
#define NSP_HOOK_SIG_GENERATE "sig_generate" /* kprobe on __send_signal_locked() */
/* kretprobe on prepare_signal(), until 1.2; 1.3 reads drops at sig_outcome */
#define NSP_HOOK_SIG_PREPARE  "sig_prepare"
/* (1.1) tracepoints signal:signal_generate and signal:signal_deliver */
#define NSP_HOOK_SIG_OUTCOME  "sig_outcome"
#define NSP_HOOK_SIG_DELIVER  "sig_deliver"
/* (1.1) veth drop and path classification, latency (kmod/veth.c) */
#define NSP_HOOK_VETH_FWD     "veth_fwd"     /* kprobe on __dev_forward_skb() */
#define NSP_HOOK_VETH_BACKLOG "veth_backlog" /* kprobe on enqueue_to_backlog() */
#define NSP_HOOK_RX_BACKLOG   "rx_backlog"   /* kprobe on __netif_receive_skb() */
#define NSP_HOOK_RX_NAPI      "rx_napi"      /* kprobe on napi_gro_receive() */
/* (1.3) where deferred signal sends are resolved (kmod/sigattr.c) */
#define NSP_HOOK_SIG_NS_EXIT   "sig_ns_exit"   /* kprobe on exit_task_namespaces() */
#define NSP_HOOK_SIG_NS_SWITCH "sig_ns_switch" /* kprobe on switch_task_namespaces() */
#define NSP_HOOK_OOM_VICTIM    "oom_victim"    /* tracepoint oom:mark_victim */

enum nsp_probe_kind {
	NSP_PROBE_KPROBE,
	NSP_PROBE_KRETPROBE,
	NSP_PROBE_TRACEPOINT,
	NSP_PROBE_KIND__COUNT,
};

#define NSP_PROBE_KIND_NAMES { "kprobe", "kretprobe", "tracepoint" }

enum nsp_probe_state {
	NSP_PROBE_PENDING,	/* target not present yet (veth.ko not loaded) */
	NSP_PROBE_ARMED,	/* registered and live */
	NSP_PROBE_GONE,		/* target module unloaded; re-armed on reload */
	NSP_PROBE_FAILED,	/* registration failed; see err */
	NSP_PROBE_DISABLED,	/* switched off by a module parameter */
	NSP_PROBE_STATE__COUNT,
};

#define NSP_PROBE_STATE_NAMES \
	{ "pending", "armed", "gone", "failed", "disabled" }

/* (1.1) The reason key of a probe record. */
#define NSP_PROBE_REASON_ARMED_AT_LOAD  "armed_at_load"   /* symbol present at init */
#define NSP_PROBE_REASON_ARMED_ON_LOAD  "armed_on_module_load" /* target module came */
#define NSP_PROBE_REASON_NO_SYMBOL      "symbol_not_found" /* module not loaded yet */
#define NSP_PROBE_REASON_MODULE_GONE    "module_unloaded" /* target module went */
#define NSP_PROBE_REASON_REGISTER_ERR   "register_failed" /* see err */
#define NSP_PROBE_REASON_PARAM_OFF      "module_parameter" /* switched off, or in hooks_off */
#define NSP_PROBE_REASON_NOT_NEEDED     "not_needed"      /* no mode uses it */

/* ---- Counters ---------------------------------------------------------- */

/*
 * NSP_DEV_COUNTERS and NSP_SIG_COUNTERS are X-macros: X(key, unit) once per
 * counter, so the module and the tool expand the same list. checkpatch
 * reports "Macros with complex values" and "Macro argument reuse 'X'" for
 * them; both are inherent to X-macros and harmless here (X is a macro name,
 * never an expression).
 */

/*
 * Per-device counters, in the order they are written. X(key, unit).
 *   tx_packets    skbs entering veth_xmit() on this device
 *   tx_bytes      sum of skb->len at veth_xmit() entry (L2 frame, no FCS)
 * (1.1) Outcome and path; all 0 when the module runs with veth_paths=0:
 *   drops         veth_xmit() returned NET_XMIT_DROP: exactly the drops veth
 *                 adds to the device's TX dropped (drops before the driver,
 *                 e.g. with the carrier off, are not seen here)
 *   drop_peer     of those: the peer is missing or down
 *   drop_mtu      of those: the frame is longer than the peer's MTU +
 *                 hard_header_len + 4 (is_skb_forwardable())
 *   drop_ring     of those: forwarded to the peer's NAPI ring and dropped
 *                 there (ring full)
 *   drop_backlog  of those: the per-CPU backlog refused it (backlog full)
 *   drop_other    of those: none of the above could be told
 *   path_backlog  delivered to the per-CPU backlog (netif_rx path)
 *   path_napi     delivered to the peer's NAPI ring (peer has XDP or GRO)
 * (1.2)
 *   requeued      veth_xmit() returned NETDEV_TX_BUSY (6.12: the peer's NAPI
 *                 ring is full and a qdisc holds the skb): the skb was not
 *                 consumed and enters veth_xmit() again later, where it is
 *                 counted once more in tx_packets and tx_bytes
 * (1.7)
 *   rx_veth       skbs the PEER's veth_xmit() delivered to THIS device
 *                 (counted in the peer's path_backlog or path_napi, and here
 *                 too, at veth_xmit() return, if the peer is tracked):
 *                 exactly what veth adds to this device's RX packets for its
 *                 peer's veth_xmit() (6.1 and 6.12: the peer's TX counter
 *                 on the backlog path, this device's NAPI poll count on the
 *                 NAPI path). Needs the veth_fwd helper; 0 with veth_paths=0.
 *   Invariant: drops == drop_peer + drop_mtu + drop_ring + drop_backlog +
 *   drop_other, and tx_packets == drops + path_backlog + path_napi +
 *   requeued (in a quiescent read; with veth_paths=0 only tx_* count).
 */
#define NSP_DEV_COUNTERS(X)		\
	X(tx_packets, packets)		\
	X(tx_bytes, bytes)		\
	X(drops, packets)		\
	X(drop_peer, packets)		\
	X(drop_mtu, packets)		\
	X(drop_ring, packets)		\
	X(drop_backlog, packets)	\
	X(drop_other, packets)		\
	X(path_backlog, packets)	\
	X(path_napi, packets)		\
	X(requeued, packets)		\
	X(rx_veth, packets)

/*
 * Per (target netns, signo) counters, in the order they are written.
 * (1.3) Every counter of generation comes from one hook, the
 * signal:signal_generate tracepoint (sig_outcome), which every send passes
 * (__send_signal_locked() and send_sigqueue()), and all of one send land in
 * the same netns (kmod/sigattr.c). Before 1.3, generated and forced came from
 * the sig_generate kprobe and the drops from the sig_prepare kretprobe.
 *   generated        signals generated for a target in this netns
 *   forced           of those, with force set (sender in an ancestor pid
 *                    namespace, or a kernel-private send); the sig_generate
 *                    kprobe on __send_signal_locked() tells; sends it does
 *                    not see (send_sigqueue()) are never counted forced
 *   ignored          prepare_signal() returned false: the signal was dropped
 *   ignored_init     dropped for a pid namespace init (SIGNAL_UNKILLABLE,
 *                    handler SIG_DFL, not a forced SIGKILL/SIGSTOP)
 *   ignored_sig_ign  dropped because the handler is SIG_IGN
 *   ignored_default  dropped because the handler is SIG_DFL and the default
 *                    action is to ignore (SIGCHLD, SIGWINCH, SIGURG, SIGCONT)
 *   ignored_exiting  dropped because the target's thread group is exiting
 *   ignored_other    dropped for a reason nsprobe cannot tell
 * Exactly one reason is counted per drop, the first that holds in this
 * order: ignored_exiting (prepare_signal() drops everything for an exiting
 * group), ignored_sig_ign, ignored_default, ignored_init, ignored_other.
 * (1.1: before, init was tested before sig_ign and default, as the kernel
 * does; but a SIGCHLD with SIG_DFL is dropped for any process, init or not,
 * so "default action is ignore" is the reason that explains it.)
 * (1.1) From the signal:signal_generate tracepoint (hook sig_outcome), at
 * the end of generation, with the target's siglock held:
 *   coalesced        a standard signal already pending: merged into it
 *   queued           put on a pending queue (TRACE_SIGNAL_DELIVERED or
 *                    LOSE_INFO), blocked or not
 *   queued_blocked   queued while blocked (PIDTYPE_PID: by the target
 *                    thread; a group signal: by every thread)
 *   queue_overflow   an RT signal from sigqueue() refused (RLIMIT_SIGPENDING)
 *   delivered_term   of queued: its default action (terminate) started the
 *                    group exit right at generation (complete_signal())
 *   ignored_cont     of ignored_default: SIGCONT, which resumed a stopped
 *                    target before it was dropped
 *   origin_process   sent by a process: kill(), tgkill(), sigqueue()
 *                    (SEND_SIG_NOINFO, or si_code <= 0 but SI_TIMER)
 *   origin_kernel    sent by the kernel: a fault (si_code > 0), SI_KERNEL,
 *                    SEND_SIG_PRIV, a posix timer (SI_TIMER)
 *   oom_kill         (1.3) of generated: the OOM killer's SIGKILL
 *                    (__oom_kill_process(), seen by oom:mark_victim), once
 *                    per victim, as memory.events oom_kill counts
 * (1.1) From the signal:signal_deliver tracepoint (hook sig_deliver), when
 * the target dequeues the signal in get_signal():
 *   delivered_handler  to a handler
 *   delivered_term   to the default action terminate (a signal dequeued
 *                    after it was blocked; see also above)
 *   delivered_core   to the default action core dump
 *   delivered_stop   to the default action stop
 *   delivered_ignored  dequeued and dropped there (SIG_IGN, default action
 *                    ignore, or an unkillable init)
 * The kill of each thread of an exiting group (SIGKILL without siginfo) is
 * the consequence of a signal already counted, and is not counted again.
 */
#define NSP_SIG_COUNTERS(X)		\
	X(generated, signals)		\
	X(forced, signals)		\
	X(ignored, signals)		\
	X(ignored_init, signals)	\
	X(ignored_sig_ign, signals)	\
	X(ignored_default, signals)	\
	X(ignored_exiting, signals)	\
	X(ignored_other, signals)	\
	X(coalesced, signals)		\
	X(queued, signals)		\
	X(queued_blocked, signals)	\
	X(queue_overflow, signals)	\
	X(delivered_handler, signals)	\
	X(delivered_term, signals)	\
	X(delivered_core, signals)	\
	X(delivered_stop, signals)	\
	X(delivered_ignored, signals)	\
	X(ignored_cont, signals)	\
	X(origin_process, signals)	\
	X(origin_kernel, signals)	\
	X(oom_kill, signals)

/* Signal numbers are 1..NSP_SIG_MAX (_NSIG on x86 is 64). */
#define NSP_SIG_MAX 64

#endif /* NSPROBE_FORMAT_H */
