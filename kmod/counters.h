/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The counter types shared by the device state (devices.h) and the netns
 * state (netns.h), and the operations on them: plain data, no lock, no state
 * of its own. Here so that devices.h needs nothing of netns.h: netns.h
 * includes devices.h (struct nsp_net embeds struct nsp_net_devs), never the
 * other way round.
 */
#ifndef NSP_COUNTERS_H
#define NSP_COUNTERS_H

#include <linux/bitops.h>
#include <linux/compiler.h>
#include <linux/cpumask.h>
#include <linux/percpu.h>
#include <linux/types.h>

#include <nsprobe/format.h>

#define NSP_X_DEV_ENUM(key, ...) NSP_DEV_CTR_##key,
enum nsp_dev_ctr {
	NSP_DEV_COUNTERS(NSP_X_DEV_ENUM)
	NSP_DEV_CTR__COUNT
};

#define NSP_X_SIG_ENUM(key, ...) NSP_SIG_CTR_##key,
enum nsp_sig_ctr {
	NSP_SIG_COUNTERS(NSP_X_SIG_ENUM)
	NSP_SIG_CTR__COUNT
};

/**
 * struct nsp_hist - one log2 latency histogram (format.h NSP_HIST_*)
 * @count:  values added
 * @sum_ns: their sum, in ns
 * @b:      counts per bucket
 */
struct nsp_hist {
	u64 count;
	u64 sum_ns;
	u64 b[NSP_HIST_BUCKETS];
};

/* The histograms of one device or netns, by enum nsp_hist_kind. */
struct nsp_hists {
	struct nsp_hist h[NSP_HIST_KIND__COUNT];
};

/**
 * nsp_hist_bucket() - the bucket of a value
 * @ns: nanoseconds
 *
 * Return: 0 for 0, else fls64(@ns) capped at NSP_HIST_BUCKETS - 1, so that
 * bucket i holds [2^(i-1), 2^i).
 */
static inline unsigned int nsp_hist_bucket(u64 ns)
{
	unsigned int b = fls64(ns);

	return b < NSP_HIST_BUCKETS ? b : NSP_HIST_BUCKETS - 1;
}

/**
 * nsp_hist_add() - add one value to this CPU's histogram
 * @h:    per-CPU histograms
 * @kind: which one
 * @ns:   the value
 *
 * Context: preemption disabled (a probe handler).
 */
static inline void nsp_hist_add(struct nsp_hists __percpu *h,
				enum nsp_hist_kind kind, u64 ns)
{
	this_cpu_inc(h->h[kind].count);
	this_cpu_add(h->h[kind].sum_ns, ns);
	this_cpu_inc(h->h[kind].b[nsp_hist_bucket(ns)]);
}

/**
 * nsp_hists_sum() - add per-CPU histograms into a sum
 * @sum:  where to add
 * @pcpu: per-CPU histograms
 */
static inline void nsp_hists_sum(struct nsp_hists *sum,
				 const struct nsp_hists __percpu *pcpu)
{
	int cpu, k, i;

	for_each_possible_cpu(cpu) {
		const struct nsp_hists *s = per_cpu_ptr(pcpu, cpu);

		for (k = 0; k < NSP_HIST_KIND__COUNT; k++) {
			sum->h[k].count += READ_ONCE(s->h[k].count);
			sum->h[k].sum_ns += READ_ONCE(s->h[k].sum_ns);
			for (i = 0; i < NSP_HIST_BUCKETS; i++)
				sum->h[k].b[i] += READ_ONCE(s->h[k].b[i]);
		}
	}
}

/**
 * nsp_hists_add() - add one histogram set into another
 * @sum: where to add
 * @h:   what to add
 */
static inline void nsp_hists_add(struct nsp_hists *sum,
				 const struct nsp_hists *h)
{
	int k, i;

	for (k = 0; k < NSP_HIST_KIND__COUNT; k++) {
		sum->h[k].count += h->h[k].count;
		sum->h[k].sum_ns += h->h[k].sum_ns;
		for (i = 0; i < NSP_HIST_BUCKETS; i++)
			sum->h[k].b[i] += h->h[k].b[i];
	}
}

/**
 * nsp_hists_fold() - add every CPU's histograms of @from to @to
 * @to:   per-CPU histograms, added to on the calling CPU
 * @from: per-CPU histograms that nothing writes any more
 *
 * Each add is a this_cpu_add(): safe from any context, preemptible ones
 * included, against handlers adding on the same CPU.
 */
static inline void nsp_hists_fold(struct nsp_hists __percpu *to,
				  const struct nsp_hists __percpu *from)
{
	int cpu, k, i;

	for_each_possible_cpu(cpu) {
		const struct nsp_hists *s = per_cpu_ptr(from, cpu);

		for (k = 0; k < NSP_HIST_KIND__COUNT; k++) {
			this_cpu_add(to->h[k].count, s->h[k].count);
			this_cpu_add(to->h[k].sum_ns, s->h[k].sum_ns);
			for (i = 0; i < NSP_HIST_BUCKETS; i++)
				this_cpu_add(to->h[k].b[i], s->h[k].b[i]);
		}
	}
}

/* One set of device counters (per CPU, a baseline, or a sum). */
struct nsp_dev_stats {
	u64 ctr[NSP_DEV_CTR__COUNT];
};

/**
 * nsp_dev_stats_add() - add per-CPU device counters into a sum
 * @sum:  where to add
 * @pcpu: per-CPU counters
 */
static inline void nsp_dev_stats_add(struct nsp_dev_stats *sum,
				     const struct nsp_dev_stats __percpu *pcpu)
{
	int cpu, i;

	for_each_possible_cpu(cpu) {
		const struct nsp_dev_stats *s = per_cpu_ptr(pcpu, cpu);

		for (i = 0; i < NSP_DEV_CTR__COUNT; i++)
			sum->ctr[i] += READ_ONCE(s->ctr[i]);
	}
}

/**
 * nsp_sub() - a counter minus its baseline
 * @cur:  current value
 * @base: value at the last reset
 *
 * Return: @cur - @base, or 0 should a race make it negative.
 */
static inline u64 nsp_sub(u64 cur, u64 base)
{
	return cur > base ? cur - base : 0;
}

/**
 * nsp_hists_sub() - histograms minus their baseline, in place
 * @h:    current sums, replaced by @h - @base (nsp_sub() per value)
 * @base: the sums at the last reset
 */
static inline void nsp_hists_sub(struct nsp_hists *h,
				 const struct nsp_hists *base)
{
	int k, i;

	for (k = 0; k < NSP_HIST_KIND__COUNT; k++) {
		h->h[k].count = nsp_sub(h->h[k].count, base->h[k].count);
		h->h[k].sum_ns = nsp_sub(h->h[k].sum_ns, base->h[k].sum_ns);
		for (i = 0; i < NSP_HIST_BUCKETS; i++)
			h->h[k].b[i] = nsp_sub(h->h[k].b[i], base->h[k].b[i]);
	}
}

#endif /* NSP_COUNTERS_H */
