/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DFC_CDEST_H
#define _DFC_CDEST_H

#include <linux/in6.h>
#include <linux/list.h>
#include <linux/u64_stats_sync.h>
#include <net/dst_cache.h>

struct dfc_filter;

#define DFC_RATE_SLOTS 10		/* seconds in the rate average */

struct dfc_cdest_pcpu {
	u64_stats_t copies;
	u64_stats_t bytes;
	u64_stats_t nomem;
	u64_stats_t noroute;
	u64_stats_t noipsec;
	u64_stats_t toobig;
	u64_stats_t loop;
	u64_stats_t ratelimit;
	u64_stats_t dupcap;
	u64_stats_t txerr;
	struct u64_stats_sync syncp;
};

struct dfc_cdest_stats {
	u64 copies, bytes, nomem, noroute, noipsec, toobig, loop, ratelimit,
	    dupcap, txerr;
};

/* Why a copy was not sent, as counted. */
enum dfc_cdest_drop {
	DFC_DROP_NOMEM,
	DFC_DROP_NOROUTE,
	DFC_DROP_NOIPSEC,
	DFC_DROP_TOOBIG,
	DFC_DROP_LOOP,
	DFC_DROP_RATELIMIT,
	DFC_DROP_DUPCAP,
	DFC_DROP_TXERR,
};

/*
 * What the operator set, and the routes (IPsec bundles included) looked up
 * for exactly that: one RCU object, replaced whole on every change. A
 * reader holds one version, so a route cached for an old address (or the
 * other IP version) can never serve a new one. Routes hold no device:
 * the stack moves a dying device's routes to the blackhole device and
 * dst_cache drops obsolete ones.
 */
struct dfc_cdest_cfg {
	struct rcu_head rcu;
	char name[32];
	u8 encap;			/* DFC_ENCAP_* */
	u8 ipver;			/* of the outer header: 4 or 6 */
	u8 ttl;
	u8 dscp;
	u32 flags;			/* DFC_CDEST_F_* */
	bool has_src;
	struct in6_addr addr;		/* IPv4 in s6_addr32[0] */
	struct in6_addr src;
	__be16 sport, dport;
	u64 soft_limit, soft_clear, hard_limit, hard_target;
	struct dst_cache cache;		/* of ipver's family only */
};

/* A content destination: its configuration, route cache and counters. */
struct dfc_cdest {
	struct list_head list;		/* in dfc_filter.cdests */
	struct rcu_head rcu;
	struct dfc_filter *f;
	u32 id;
	struct dfc_cdest_cfg __rcu *cfg;
	struct dfc_cdest_pcpu __percpu *stats;
	bool over_hard;			/* read by the hook: drop copies */
	/* Writer side, under the filter lock. */
	u32 n_crits;
	u64 win[DFC_RATE_SLOTS];	/* bytes sent, sampled each second */
	unsigned int slot;
	u64 rate;			/* bit/s over the window */
	bool congested;
	u8 holdoff;			/* ticks before the next purge */
	bool noipsec;			/* dropping for want of IPsec */
	u64 noipsec_seen;
	u64 copies_seen;
};

struct dfc_cdest *dfc_cdest_find(struct dfc_filter *f, u32 id);
void dfc_cdest_read(const struct dfc_cdest *cd, struct dfc_cdest_stats *s);
void dfc_cdest_drop(struct dfc_cdest *cd, enum dfc_cdest_drop why);
void dfc_cdest_sent(struct dfc_cdest *cd, unsigned int len);
struct dfc_cdest_cfg *dfc_cdest_cfg_new(const struct dfc_cdest_cfg *base);
void dfc_cdest_cfg_free(struct dfc_cdest_cfg *cfg);
struct dfc_cdest_cfg *dfc_cdest_cfg(struct dfc_cdest *cd);
void dfc_cdest_cfg_replace(struct dfc_cdest *cd, struct dfc_cdest_cfg *cfg);
void dfc_cdest_release_routes(struct dfc_filter *f);
struct dfc_cdest *dfc_cdest_alloc(struct dfc_filter *f, u32 id,
				  struct dfc_cdest_cfg *cfg);
void dfc_cdest_free(struct dfc_cdest *cd);
void dfc_cdest_tick(struct dfc_filter *f, struct dfc_cdest *cd, u64 now);

#endif /* _DFC_CDEST_H */
