// SPDX-License-Identifier: GPL-2.0
/*
 * Content destinations: their lifetime, counters, and the once-a-second
 * look at their rate (10 s average) that raises congestion, purges
 * criteria above the hard limit, and notices IPsec going missing.
 */
#define pr_fmt(fmt) "dfc: " fmt

#include <linux/slab.h>
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

static struct dfc_cdest_route *route_alloc(void)
{
	struct dfc_cdest_route *r = kzalloc(sizeof(*r), GFP_KERNEL);

	if (r && dst_cache_init(&r->cache, GFP_KERNEL)) {
		kfree(r);
		return NULL;
	}
	return r;
}

static void route_free_rcu(struct rcu_head *rcu)
{
	struct dfc_cdest_route *r = container_of(rcu, struct dfc_cdest_route, rcu);

	dst_cache_destroy(&r->cache);
	kfree(r);
}

/*
 * Start over with an empty route cache (routes changed, or a device is
 * going away). Without memory, no cache at all: copies drop as unrouted
 * until the next tick provides one.
 */
void dfc_cdest_reroute(struct dfc_cdest *cd)
{
	struct dfc_cdest_route *old = rcu_replace_pointer(cd->route,
							  route_alloc(), 1);

	if (old)
		call_rcu(&old->rcu, route_free_rcu);
}

struct dfc_cdest *dfc_cdest_alloc(u32 id, struct dfc_cdest_cfg *cfg)
{
	struct dfc_cdest *cd = kzalloc(sizeof(*cd), GFP_KERNEL);

	if (!cd)
		return NULL;
	cd->stats = netdev_alloc_pcpu_stats(struct dfc_cdest_pcpu);
	RCU_INIT_POINTER(cd->route, route_alloc());
	if (!cd->stats || !rcu_access_pointer(cd->route)) {
		free_percpu(cd->stats);
		kfree(rcu_access_pointer(cd->route));
		kfree(cd);
		return NULL;
	}
	cd->id = id;
	RCU_INIT_POINTER(cd->cfg, cfg);
	return cd;
}

static void cdest_free_rcu(struct rcu_head *rcu)
{
	struct dfc_cdest *cd = container_of(rcu, struct dfc_cdest, rcu);
	struct dfc_cdest_route *r = rcu_dereference_protected(cd->route, 1);

	if (r) {
		dst_cache_destroy(&r->cache);
		kfree(r);
	}
	free_percpu(cd->stats);
	kfree(rcu_dereference_protected(cd->cfg, 1));
	kfree(cd);
}

/* Unlinked already; the hook may hold it until a grace period ends. */
void dfc_cdest_free(struct dfc_cdest *cd)
{
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

/* Worse first: higher priority value, then newer. */
static bool crit_worse(const struct dfc_crit *a, const struct dfc_crit *b)
{
	if (a->prio != b->prio)
		return a->prio > b->prio;
	return (s32)(a->seq - b->seq) > 0;
}

/*
 * Above the hard limit: remove criteria toward cd, worst first, until what
 * they carried brings the rate under the hard-limit target. Each owner
 * hears which of its criteria went.
 */
static void cdest_purge(struct dfc_filter *f, struct dfc_cdest *cd,
			const struct dfc_cdest_cfg *cfg, u64 now)
{
	u64 excess = cd->rate - min(cd->rate, cfg->hard_target);
	struct dfc_crit *c, *worst;
	LIST_HEAD(purged);

	while (excess && cd->n_crits) {
		worst = NULL;
		list_for_each_entry(c, &f->crits, list)
			if (c->cd == cd && (!worst || crit_worse(c, worst)))
				worst = c;
		if (!worst)
			break;
		excess -= min(excess, crit_rate(worst, now));
		dfc_filter_unlink(f, worst);
		list_add_tail(&worst->list, &purged);
	}
	/* Still above after every criterion went: hold copies back. */
	WRITE_ONCE(cd->over_hard, !!excess);
	if (list_empty(&purged))
		return;
	dfc_genl_notify_purged(f->net, cd, &purged);
	/* Freed by the worker's reap, after a grace period. */
	list_splice_tail(&purged, &f->graveyard);
}

void dfc_cdest_tick(struct dfc_filter *f, struct dfc_cdest *cd, u64 now)
{
	const struct dfc_cdest_cfg *cfg =
		rcu_dereference_protected(cd->cfg, lockdep_is_held(&f->lock));
	struct dfc_cdest_stats s;
	u64 old;

	if (!rcu_access_pointer(cd->route))
		dfc_cdest_reroute(cd);
	dfc_cdest_read(cd, &s);
	old = cd->win[cd->slot];
	cd->win[cd->slot] = s.bytes;
	cd->slot = (cd->slot + 1) % DFC_RATE_SLOTS;
	cd->rate = (s.bytes - old) * 8 / DFC_RATE_SLOTS;

	if (cfg->soft_limit && !cd->congested && cd->rate > cfg->soft_limit) {
		cd->congested = true;
		dfc_genl_notify_cdest(f->net, cd, DFC_CMD_CDEST_CONGESTED);
	} else if (cd->congested &&
		   cd->rate < (cfg->soft_clear ?: cfg->soft_limit)) {
		cd->congested = false;
		dfc_genl_notify_cdest(f->net, cd, DFC_CMD_CDEST_CONGESTED);
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
	} else if (READ_ONCE(cd->over_hard) && cd->rate < cfg->hard_target)
		WRITE_ONCE(cd->over_hard, false);

	/* Copies dropped for want of IPsec: say so once per episode. */
	if (s.noipsec != cd->noipsec_seen) {
		if (!cd->noipsec) {
			cd->noipsec = true;
			dfc_genl_notify_cdest(f->net, cd, DFC_CMD_CDEST_NOIPSEC);
		}
	} else if (s.copies != cd->copies_seen) {
		cd->noipsec = false;
	}
	cd->noipsec_seen = s.noipsec;
	cd->copies_seen = s.copies;
}
