/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The filter table: tuple-space search with relaxed tuples. One hash table
 * per mask; an entry goes into a table whose address prefixes are at most
 * as long as its own (the rest of the mask equal) and keeps its own
 * lengths, compared in the bucket. A frame's key is masked and looked up
 * in each table, and every criterion with an entry there (and no
 * exclusion matching) is reported: all-match.
 *
 * Readers (the hook) run under RCU and never block; writers are serialised
 * by the caller (one lock per table).
 */
#ifndef _DFC_TABLE_H
#define _DFC_TABLE_H

#include "key.h"

struct dfc_crit;
struct dfc_mask;

/*
 * One positive masked entry of a criterion, linked in its mask's table:
 * 80 bytes. Its criterion is found from its index (key.aux), not stored.
 */
struct dfc_entry {
	/* Two links, so resizing can build the new instance beside the old. */
	struct dfc_entry __rcu *next[2];
	struct dfc_mask *mask;
	struct dfc_prange pr;		/* port ranges beside the mask */
	struct dfc_key key;		/* masked value; aux: index in crit */
};

/* An exclusion: checked only after a positive hit of its criterion. */
struct dfc_xentry {
	struct dfc_key key;		/* masked value */
	struct dfc_key mask;
	struct dfc_prange pr;
};

/* One instance of a mask's hash table; replaced whole on resize. */
struct dfc_tinst {
	u32 n_buckets;			/* power of two */
	u32 seed;
	u8 ver;				/* which dfc_entry.next[] it links */
	u8 mshift;			/* hash bits dropped for a map bit */
	struct rcu_head rcu;
	/* Then the pair map, DFC_PAIRMAP_BITS per bucket (pairmap.h). */
	struct dfc_entry __rcu *buckets[];
};

struct dfc_mask {
	struct dfc_key mask;
	struct dfc_tinst __rcu *ti;
	u32 count;			/* entries, writer side */
	u8 plen[2];			/* source, destination prefix lengths */
	u8 narrow;			/* words 1 and 3 zero: hashed without */
	u8 fon;				/* maps in use: f8 (bits 0, 1), pairmap.h */
	/* Entries a frame of each IP version (4, 6) can match. */
	u32 n_ver[2];
	u16 f8n[2];			/* bits set in f8, writer side */
	u32 stale;			/* entries gone since the maps' rebuild */
	/*
	 * Frames that hit it, per CPU: every CPU probes this mask's line,
	 * so a shared counter written on each hit would bounce it.
	 */
	u32 __percpu *hits;
	u32 hits_seen;			/* their sum at the last sort */
	u32 busy;			/* recent hits, decaying: the probe order */
	/* Grace period after which no reader is left on the previous
	 * instance, whose links the next resize reuses.
	 */
	unsigned long retire_cookie;
	/* First address bytes its entries hold (addrmap.h). */
	u64 f8[2][4];
	struct rcu_head rcu;
};

struct dfc_mask_array {
	u32 n;
	struct rcu_head rcu;
	struct dfc_mask __rcu *masks[];
};

struct dfc_table {
	struct dfc_mask_array __rcu *ma;
	u32 max_masks;
	u32 n_entries;
	size_t mem;			/* bytes held: arrays, masks, buckets */
#ifdef __KERNEL__
	struct mutex *lock;		/* the writers' lock, for lockdep */
#endif
};

typedef void (*dfc_match_fn)(struct dfc_crit *crit, void *ctx);

int dfc_table_init(struct dfc_table *t, u32 max_masks);
void dfc_table_destroy(struct dfc_table *t);
int dfc_table_reserve(struct dfc_table *t, struct dfc_crit *const *v,
		      const struct dfc_key *const *masks, unsigned int n,
		      unsigned int *bad);
void dfc_table_link(struct dfc_table *t, struct dfc_crit *c,
		    const struct dfc_key *masks);
int dfc_table_insert(struct dfc_table *t, struct dfc_crit *c,
		     const struct dfc_key *masks);
void dfc_table_remove(struct dfc_table *t, struct dfc_crit *c);
unsigned int dfc_table_match(struct dfc_table *t, const struct dfc_key *key,
			     dfc_match_fn fn, void *ctx);
int dfc_table_sort_masks(struct dfc_table *t);
void dfc_table_rebalance(struct dfc_table *t);
u32 dfc_table_masks(struct dfc_table *t);
void dfc_entry_spec(const struct dfc_entry *e, struct dfc_key *val,
		    struct dfc_key *mask, struct dfc_prange *pr);
bool dfc_crit_overlaps(const struct dfc_crit *c, const struct dfc_key *masks);

#endif /* _DFC_TABLE_H */
