/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DFC_FILTER_H
#define _DFC_FILTER_H

#include <linux/mutex.h>
#include <linux/workqueue.h>
#include "crit.h"

struct net;

#define DFC_DEFAULT_MAX_CRITS	(1U << 20)
#define DFC_DEFAULT_MAX_MASKS	128

/*
 * The criteria of one network namespace: the lookup table the hook reads
 * under RCU, and what the writers (netlink, the expiry worker) keep under
 * the lock: an (owner, id) hash, the list of all criteria, limits.
 */
struct dfc_filter {
	struct mutex lock;
	struct net *net;
	struct dfc_table table;
	struct dfc_crit **idhash;
	u32 idhash_size;		/* power of two */
	u32 idseed;
	u32 n_crits;
	u32 max_crits;
	unsigned int gen;		/* bumped on every change, for dumps */
	size_t crit_mem;		/* bytes of criteria, exclusions, blobs */
	u64 expired;
	struct list_head crits;		/* oldest first */
	struct list_head timed;		/* criteria with any limit */
	struct delayed_work work;	/* expiry and mask ordering */
	unsigned int ticks;
};

/* What the hook learns from one lookup. */
struct dfc_filter_result {
	unsigned int matched;		/* criteria counted */
	unsigned int probed;		/* masks probed */
	u64 now;
	unsigned int len;
};

int dfc_filter_init(struct dfc_filter *f, struct net *net);
void dfc_filter_uninit(struct dfc_filter *f);
void dfc_filter_match(struct dfc_filter *f, const struct dfc_key *key,
		      struct dfc_filter_result *res);

/* Writer side, f->lock held. */
struct dfc_crit *dfc_filter_find(struct dfc_filter *f, u32 owner, u64 id);
int dfc_filter_add(struct dfc_filter *f, struct dfc_crit **v, unsigned int n,
		   const struct dfc_key *const *masks, unsigned int *bad,
		   const char **why);
void dfc_filter_del(struct dfc_filter *f, struct dfc_crit *c);
void dfc_filter_retime(struct dfc_filter *f, struct dfc_crit *c);
void dfc_filter_free(struct dfc_crit *c);
size_t dfc_filter_crit_mem(const struct dfc_crit *c);

/* Expiry notices; implemented by the netlink code. */
void dfc_genl_notify_expired(struct net *net, const struct dfc_crit *c);

#endif /* _DFC_FILTER_H */
