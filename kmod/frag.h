/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DFC_FRAG_H
#define _DFC_FRAG_H

#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include "key.h"

struct dfc_net;
struct dfc_l3;
struct sk_buff;

#define DFC_FRAG_BUCKETS	4096
#define DFC_FRAG_UNWANTED	4096		/* first fragments that matched nothing */
#define DFC_FRAG_DEFAULT_MAX	4096		/* datagrams remembered */
#define DFC_FRAG_DEFAULT_TIMEOUT 30		/* seconds, as ipfrag_time */
#define DFC_FRAG_DEFAULT_HOLD	BIT(20)	/* bytes of held fragments */
#define DFC_FRAG_HOLD_MS	2000		/* a held fragment waits this long */

/* Counters of the fragment table, read under its lock. */
struct dfc_frag_stats {
	u64 hits;		/* later fragments that followed their first */
	u64 missed;		/* later ones whose first never came in time */
	u64 held;		/* later fragments held for their first */
	u64 evicted;		/* datagrams forgotten to make room */
};

/*
 * Later fragments of a datagram whose first fragment matched follow it:
 * per namespace, datagrams (addresses, protocol, IP id) and the key of
 * their first fragment, so a later fragment is looked up with the ports
 * the first carried. Later fragments that come before their first are
 * held briefly. Bounded in datagrams and held bytes; entries expire.
 */
struct dfc_frag {
	spinlock_t lock;		/* everything below; taken in softirq */
	struct hlist_head *buckets;	/* DFC_FRAG_BUCKETS */
	u64 *unwanted;			/* DFC_FRAG_UNWANTED tags, lockless */
	struct list_head lru;		/* oldest first */
	u32 seed, seed2;
	u32 n;				/* datagrams */
	u32 max;			/* 0: fragments are not followed */
	u32 timeout;			/* seconds */
	u32 hold_max;			/* bytes */
	u32 hold_mem;			/* bytes held now (truesize) */
	struct dfc_frag_stats st;
	struct dfc_net *dn;
	struct delayed_work work;	/* expiry, while anything is held */
};

int dfc_frag_init(struct dfc_frag *fr, struct dfc_net *dn);
void dfc_frag_uninit(struct dfc_frag *fr);
/* A fragment, first or later: looks it up as the datagram's first says. */
void dfc_frag_rx(struct dfc_frag *fr, struct sk_buff *skb,
		 const struct dfc_key *key, const struct dfc_l3 *l3,
		 unsigned int len);
void dfc_frag_set(struct dfc_frag *fr, const u32 *max, const u32 *timeout,
		  const u32 *hold_max);
void dfc_frag_read(struct dfc_frag *fr, struct dfc_frag_stats *st, u32 *n,
		   u32 *mem, u32 *max, u32 *timeout, u32 *hold_max);

int dfc_frag_cache_init(void);
void dfc_frag_cache_uninit(void);

#endif /* _DFC_FRAG_H */
