// SPDX-License-Identifier: GPL-2.0
/*
 * Content destinations: their lifetime, counters, and the once-a-second
 * look at their rate (10 s average) that raises congestion, purges
 * criteria above the hard limit, and notices IPsec going missing.
 */
#define pr_fmt(fmt) "dfc: " fmt

#include <linux/slab.h>
#include <linux/sort.h>
#include <uapi/linux/dfc.h>
#include "cdest.h"
#include "filter.h"

struct dfc_cdest *dfc_cdest_find(struct dfc_filter *f, u32 id)
{
	struct dfc_cdest *cd;

	lockdep_assert_held(&f->lock);
	list_for_each_entry(cd, &f->cdests, list)
		if (cd->id == id)
			return cd;
	return NULL;
}

/*
 * A new version of the settings: a copy of base (or zeroes), with an empty
 * route cache of its own.
 */
struct dfc_cdest_cfg *dfc_cdest_cfg_new(const struct dfc_cdest_cfg *base)
{
	struct dfc_cdest_cfg *cfg = kzalloc(sizeof(*cfg), GFP_KERNEL_ACCOUNT);

	if (!cfg)
		return NULL;
	if (base)
		*cfg = *base;
	if (dst_cache_init(&cfg->cache, GFP_KERNEL_ACCOUNT)) {
		kfree(cfg);
		return NULL;
	}
	return cfg;
}

/* A version no reader has seen. */
void dfc_cdest_cfg_free(struct dfc_cdest_cfg *cfg)
{
	if (!cfg)
		return;
	dst_cache_destroy(&cfg->cache);
	kfree(cfg);
}

static void cfg_free_rcu(struct rcu_head *rcu)
{
	dfc_cdest_cfg_free(container_of(rcu, struct dfc_cdest_cfg, rcu));
}

/* The current version, for the writer side (the filter lock held). */
struct dfc_cdest_cfg *dfc_cdest_cfg(struct dfc_cdest *cd)
{
	return rcu_dereference_protected(cd->cfg, lockdep_is_held(&cd->f->lock));
}

/* Publish cfg; the old version and its routes go after a grace period. */
void dfc_cdest_cfg_replace(struct dfc_cdest *cd, struct dfc_cdest_cfg *cfg)
{
	struct dfc_cdest_cfg *old;

	old = rcu_replace_pointer(cd->cfg, cfg, lockdep_is_held(&cd->f->lock));
	call_rcu(&old->rcu, cfg_free_rcu);
}

/*
 * The namespace is dying (dfc_net_dev_exit): drop every cached route now,
 * before its devices are unregistered, or a cached route would keep its
 * loopback referenced. No reader uses the caches any more: copies in a
 * dying namespace do not cache (dfc_xmit), and a grace period has passed
 * since it began to die. Bounded by the namespace's destination cap.
 */
void dfc_cdest_release_routes(struct dfc_filter *f)
{
	struct dfc_cdest *cd;

	mutex_lock(&f->lock);
	list_for_each_entry(cd, &f->cdests, list)
		dst_cache_reset_now(&dfc_cdest_cfg(cd)->cache);
	mutex_unlock(&f->lock);
}

struct dfc_cdest *dfc_cdest_alloc(struct dfc_filter *f, u32 id,
				  struct dfc_cdest_cfg *cfg)
{
	struct dfc_cdest *cd = kzalloc(sizeof(*cd), GFP_KERNEL_ACCOUNT);

	if (!cd)
		return NULL;
	cd->stats = __netdev_alloc_pcpu_stats(struct dfc_cdest_pcpu,
					      GFP_KERNEL_ACCOUNT);
	if (!cd->stats) {
		kfree(cd);
		return NULL;
	}
	cd->f = f;
	cd->id = id;
	RCU_INIT_POINTER(cd->cfg, cfg);
	return cd;
}

static void cdest_free_rcu(struct rcu_head *rcu)
{
	struct dfc_cdest *cd = container_of(rcu, struct dfc_cdest, rcu);

	free_percpu(cd->stats);
	kfree(cd);
}

/* Unlinked already; the hook may hold it until a grace period ends. */
void dfc_cdest_free(struct dfc_cdest *cd)
{
	struct dfc_cdest_cfg *cfg = dfc_cdest_cfg(cd);

	call_rcu(&cfg->rcu, cfg_free_rcu);
	call_rcu(&cd->rcu, cdest_free_rcu);
}

void dfc_cdest_read(const struct dfc_cdest *cd, struct dfc_cdest_stats *sum)
{
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct dfc_cdest_pcpu *s = per_cpu_ptr(cd->stats, cpu);
		struct dfc_cdest_stats v;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			v.copies = u64_stats_read(&s->copies);
			v.bytes = u64_stats_read(&s->bytes);
			v.nomem = u64_stats_read(&s->nomem);
			v.noroute = u64_stats_read(&s->noroute);
			v.noipsec = u64_stats_read(&s->noipsec);
			v.toobig = u64_stats_read(&s->toobig);
			v.loop = u64_stats_read(&s->loop);
			v.ratelimit = u64_stats_read(&s->ratelimit);
			v.dupcap = u64_stats_read(&s->dupcap);
			v.txerr = u64_stats_read(&s->txerr);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		sum->copies += v.copies;
		sum->bytes += v.bytes;
		sum->nomem += v.nomem;
		sum->noroute += v.noroute;
		sum->noipsec += v.noipsec;
		sum->toobig += v.toobig;
		sum->loop += v.loop;
		sum->ratelimit += v.ratelimit;
		sum->dupcap += v.dupcap;
		sum->txerr += v.txerr;
	}
}

void dfc_cdest_drop(struct dfc_cdest *cd, enum dfc_cdest_drop why)
{
	struct dfc_cdest_pcpu *s = this_cpu_ptr(cd->stats);
	u64_stats_t *c[] = {
		[DFC_DROP_NOMEM] = &s->nomem,
		[DFC_DROP_NOROUTE] = &s->noroute,
		[DFC_DROP_NOIPSEC] = &s->noipsec,
		[DFC_DROP_TOOBIG] = &s->toobig,
		[DFC_DROP_LOOP] = &s->loop,
		[DFC_DROP_RATELIMIT] = &s->ratelimit,
		[DFC_DROP_DUPCAP] = &s->dupcap,
		[DFC_DROP_TXERR] = &s->txerr,
	};

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(c[why]);
	u64_stats_update_end(&s->syncp);
}

void dfc_cdest_sent(struct dfc_cdest *cd, unsigned int len)
{
	struct dfc_cdest_pcpu *s = this_cpu_ptr(cd->stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->copies);
	u64_stats_add(&s->bytes, len);
	u64_stats_update_end(&s->syncp);
}

/* Bits per second a criterion matched since its last mark. */
static u64 crit_rate(const struct dfc_crit *c, u64 now)
{
	u64 secs = now > c->bytes_mark_time ? now - c->bytes_mark_time : 1;

	return (atomic64_read(&c->bytes) - c->bytes_mark) * 8 / secs;
}

/* A purge candidate: a criterion toward the destination, and its rate. */
struct purge_cand {
	struct dfc_crit *c;
	u64 rate;
};

/* Worse first: higher priority value, then newer. */
static int cand_cmp_worse(const void *a, const void *b)
{
	const struct dfc_crit *x = ((const struct purge_cand *)a)->c;
	const struct dfc_crit *y = ((const struct purge_cand *)b)->c;

	if (x->prio != y->prio)
		return x->prio > y->prio ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq > y->seq ? -1 : 1;
	return 0;
}

/* By owner, then id: each owner's criteria in one run. */
static int cand_cmp_owner(const void *a, const void *b)
{
	const struct dfc_crit *x = ((const struct purge_cand *)a)->c;
	const struct dfc_crit *y = ((const struct purge_cand *)b)->c;

	if (x->owner != y->owner)
		return x->owner < y->owner ? -1 : 1;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return 0;
}

#define DFC_PURGE_BATCH 1024	/* criteria between two cond_resched() */

/*
 * Above the hard limit: remove criteria toward cd, worst first, until what
 * they carried brings the rate under the hard-limit target. One pass picks
 * the criteria that carried traffic within the rate window (removing an
 * idle one lowers nothing), one sort orders them: O(N + P log P) for N
 * criteria, P candidates.
 * Each owner hears which of its criteria went.
 */
static void cdest_purge(struct dfc_filter *f, struct dfc_cdest *cd,
			const struct dfc_cdest_cfg *cfg, u64 now)
{
	u64 excess = cd->rate - min(cd->rate, cfg->hard_target);
	unsigned int n = 0, k, i = 0;
	struct purge_cand *v = NULL;
	struct dfc_crit *c;
	LIST_HEAD(purged);

	if (cd->n_crits)
		v = kvmalloc_array(cd->n_crits, sizeof(*v), GFP_KERNEL_ACCOUNT);
	if (!v) {
		/* Nothing to remove, or no memory to choose: hold copies. */
		WRITE_ONCE(cd->over_hard, true);
		return;
	}
	list_for_each_entry(c, &f->crits, list) {
		u64 rate;

		if (!(++i % DFC_PURGE_BATCH))
			cond_resched();
		if (c->cd != cd || n == cd->n_crits)
			continue;
		/* Matched within the rate window, even if not since the mark. */
		rate = crit_rate(c, now);
		if (rate || (u32)now - READ_ONCE(c->last_match) < DFC_RATE_SLOTS) {
			v[n].c = c;
			v[n++].rate = rate;
		}
	}
	sort(v, n, sizeof(*v), cand_cmp_worse, NULL);
	for (k = 0; k < n && excess; k++)
		excess -= min(excess, v[k].rate);
	sort(v, k, sizeof(*v), cand_cmp_owner, NULL);
	for (i = 0; i < k; i++) {
		dfc_filter_unlink(f, v[i].c);
		list_add_tail(&v[i].c->list, &purged);
		if (!((i + 1) % DFC_PURGE_BATCH))
			cond_resched();
	}
	kvfree(v);
	/* Still above after every busy criterion went: hold copies back. */
	WRITE_ONCE(cd->over_hard, !!excess);
	if (list_empty(&purged))
		return;
	f->ev->purged(f->net, cd, &purged);
	/* Freed by the worker's reap, after a grace period. */
	list_splice_tail(&purged, &f->graveyard);
}

void dfc_cdest_tick(struct dfc_filter *f, struct dfc_cdest *cd, u64 now)
{
	const struct dfc_cdest_cfg *cfg = dfc_cdest_cfg(cd);
	struct dfc_cdest_stats s;
	u64 old;

	dfc_cdest_read(cd, &s);
	old = cd->win[cd->slot];
	cd->win[cd->slot] = s.bytes;
	cd->slot = (cd->slot + 1) % DFC_RATE_SLOTS;
	cd->rate = (s.bytes - old) * 8 / DFC_RATE_SLOTS;

	if (cfg->soft_limit && !cd->congested && cd->rate > cfg->soft_limit) {
		cd->congested = true;
		f->ev->congested(f->net, cd);
	} else if (cd->congested &&
		   cd->rate < (cfg->soft_clear ?: cfg->soft_limit)) {
		cd->congested = false;
		f->ev->congested(f->net, cd);
	}

	/*
	 * After a purge the average needs a whole window to show its effect:
	 * purging again before would remove criteria for traffic already gone.
	 */
	if (cd->holdoff) {
		cd->holdoff--;
	} else if (cfg->hard_limit && cd->rate > cfg->hard_limit) {
		cdest_purge(f, cd, cfg, now);
		cd->holdoff = DFC_RATE_SLOTS;
	} else if (READ_ONCE(cd->over_hard) && cd->rate < cfg->hard_target) {
		WRITE_ONCE(cd->over_hard, false);
	}

	/* Copies dropped for want of IPsec: say so once per episode. */
	if (s.noipsec != cd->noipsec_seen) {
		if (!cd->noipsec) {
			cd->noipsec = true;
			f->ev->noipsec(f->net, cd);
		}
	} else if (s.copies != cd->copies_seen) {
		cd->noipsec = false;
	}
	cd->noipsec_seen = s.noipsec;
	cd->copies_seen = s.copies;
}
