/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DFC_FILTER_H
#define _DFC_FILTER_H

#include <linux/mutex.h>
#include <linux/workqueue.h>
#include <uapi/linux/dfc.h>
#include "crit.h"
#include "events.h"

struct net;
struct dfc_cdest;

#define DFC_DEFAULT_MAX_CRITS	BIT(20)
#define DFC_DEFAULT_MAX_MASKS	128
#define DFC_DEFAULT_MAX_DUP	3
#define DFC_MAX_DUP		64
#define DFC_DEFAULT_DUP_PERIOD	30

/*
 * Hard caps per namespace, whatever the limits say: the most a namespace
 * can hold (the UAPI header gives the same numbers).
 */
#define DFC_MAX_ENTRIES		DFC_NS_MAX_ENTRIES
#define DFC_MAX_BLOB_MEM	DFC_NS_MAX_BLOB_BYTES
#define DFC_MAX_OWNERS		DFC_NS_MAX_OWNERS
#define DFC_WHEEL		1024	/* seconds, a power of two */

/*
 * Owners with their own max-duplicates, sorted by owner for a binary
 * search in the hook; published whole under RCU.
 */
struct dfc_owners {
	struct rcu_head rcu;
	u32 n;
	struct {
		u32 owner;
		u32 max_dup;
	} o[];
};

/*
 * The criteria and content destinations of one network namespace: the
 * lookup table the hook reads under RCU, and what the writers (netlink,
 * the worker) keep under the lock: an (owner, id) hash, lists, limits.
 */
struct dfc_filter {
	struct mutex lock;		/* writers: netlink, the worker */
	struct net *net;
	const struct dfc_events *ev;	/* where events go (events.h) */
	struct dfc_table table;
	struct dfc_crit **idhash;
	u32 idhash_size;		/* power of two */
	u32 idseed;
	u32 n_crits;
	u32 max_crits;
	u32 max_dup;			/* copies per frame, read by the hook */
	u32 dup_period;			/* seconds between dup events */
	u32 copy_mark;			/* skb->mark of copies, 0: none */
	struct dfc_owners __rcu *owners;
	unsigned int gen;		/* bumped on every change */
	unsigned int del_gen;		/* bumped on every removal, for dumps */
	u64 seq;			/* criteria added so far */
	size_t crit_mem;		/* bytes of criteria and their parts */
	size_t blob_mem;		/* bytes of blobs, capped */
	u64 expired;
	struct list_head crits;		/* oldest first, by seq */
	/*
	 * Timeouts: a wheel of DFC_WHEEL one-second slots, each limit filed
	 * under its next deadline (a later lap stays in its slot), so a tick
	 * looks only at what is due. Packet and byte limits: f->counted.
	 */
	struct list_head *wheel;
	u32 wheel_time;			/* last second looked at */
	struct list_head counted;
	/* Marked dead, reported once no reader can still count them. */
	struct list_head dying;
	unsigned long dying_cookie;
	/* Past their grace period: reported and removed, DFC_EXPIRE_BATCH a tick. */
	struct list_head expiring;
	struct list_head graveyard;	/* removed, freed after a grace period */
	struct list_head cdests;
	u32 n_cdests;
	unsigned int cdest_gen;
	struct delayed_work work;	/* expiry, rates, events, mask order */
	unsigned int ticks;
};

/* What one lookup found: counts, and the candidates for copies. */
struct dfc_filter_result {
	unsigned int len;		/* frame length, for the counters */
	u64 now;
	unsigned int matched;		/* criteria counted */
	unsigned int probed;		/* masks probed */
	unsigned int lost;		/* candidates beyond the array */
	unsigned int n;			/* candidates, best first */
	struct dfc_crit *cand[DFC_MAX_DUP];
};

/*
 * Everything but the candidates, which are read only below n: a result on
 * the stack need not be zeroed whole (512 bytes per frame) to start.
 */
static inline void dfc_filter_result_init(struct dfc_filter_result *res,
					  unsigned int len)
{
	res->len = len;
	res->now = 0;
	res->matched = 0;
	res->probed = 0;
	res->lost = 0;
	res->n = 0;
}

int dfc_filter_init(struct dfc_filter *f, struct net *net, const struct dfc_events *ev);
void dfc_filter_uninit(struct dfc_filter *f);
int dfc_filter_mod_init(void);
void dfc_filter_mod_exit(void);
void dfc_filter_match(struct dfc_filter *f, const struct dfc_key *key,
		      struct dfc_filter_result *res);
u32 dfc_filter_max_dup(struct dfc_filter *f, u32 owner);

/* Why dfc_filter_add() refused a batch. */
enum dfc_add_why {
	DFC_ADD_OK,
	DFC_ADD_CRITS,			/* criteria limit */
	DFC_ADD_ENTRIES,		/* entries cap */
	DFC_ADD_BLOBS,			/* blob bytes cap */
	DFC_ADD_NOMEM,
	DFC_ADD_CDEST,			/* unknown content destination */
	DFC_ADD_EXISTS,			/* (owner, id) exists or repeats */
	DFC_ADD_MASKS,			/* mask limit */
};

/* Writer side, f->lock held. */
struct dfc_crit *dfc_filter_find(struct dfc_filter *f, u32 owner, u64 id);
int dfc_filter_add(struct dfc_filter *f, struct dfc_crit **v, unsigned int n,
		   const struct dfc_key *const *masks, unsigned int *bad,
		   enum dfc_add_why *why);
void dfc_filter_unlink(struct dfc_filter *f, struct dfc_crit *c);
void dfc_filter_del(struct dfc_filter *f, struct dfc_crit *c);
void dfc_filter_reap(struct dfc_filter *f);
void dfc_filter_retime(struct dfc_filter *f, struct dfc_crit *c);
void dfc_filter_free(struct dfc_crit *c);
size_t dfc_filter_crit_mem(const struct dfc_crit *c);
int dfc_filter_set_owner(struct dfc_filter *f, u32 owner, u32 max_dup);
void dfc_filter_kick(struct dfc_filter *f);

#endif /* _DFC_FILTER_H */
