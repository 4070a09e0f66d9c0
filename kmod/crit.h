/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A criterion: what one owner (a control source) asked to capture, as one
 * or more disjoint masked entries and optional exclusions sharing one id
 * and one set of counters, plus its lifetime. One allocation holds the
 * criterion, its entries and its exclusions; counters are shared atomics,
 * not per CPU, so a million criteria stay affordable.
 */
#ifndef _DFC_CRIT_H
#define _DFC_CRIT_H

#include "table.h"

struct dfc_cdest;
struct dfc_crit;

/* Limits and timeouts: only criteria that have any carry this. */
struct dfc_limits {
	u64 packets;			/* absolute count; 0: none */
	u64 bytes;			/* absolute count; 0: none */
	u32 total_deadline;		/* boottime seconds; 0: none */
	u32 idle_base;			/* idle runs from max(this, last_match) */
	u32 timeout_idle;		/* seconds without a match; 0: none */
	u32 when;			/* second of the wheel slot it is in */
	u32 n_refresh;			/* refreshes (only these have any) */
	/* In its wheel slot (dfc_filter.wheel), dfc_filter.dying or .expiring. */
	struct list_head tlist;
	struct list_head clist;		/* in dfc_filter.counted: a count limit */
	struct dfc_crit *crit;
};

struct dfc_crit {
	/* Read by every lookup that reaches it: never written per frame. */
	u64 id;				/* chosen by the owner */
	u32 owner;
	u32 prio;			/* lower wins */
	u16 n_entries;
	u16 blob_len;
	u8 flags;			/* DFC_CRIT_F_* */
	u8 n_excl;			/* at most DFC_CRIT_MAX_EXCL */
	u8 narrow;			/* its entries are narrow (table.h) */
	/* DFC_REASON_* it expired for; DFC_REASON_NONE (0): it matches. */
	u8 dead;
	u32 cdest;			/* content destination id; 0: none */
	u32 added;			/* boottime seconds */
	struct dfc_cdest *cd;		/* where copies go; NULL: count only */
	void *blob;			/* owner's opaque form, dumped back */
	struct dfc_limits *lim;		/* NULL: none (static criteria) */
	u64 seq;			/* order of addition, never reused */
	/*
	 * Written per matching frame, on the next cache line, so that CPUs
	 * counting a match do not take the line above from the others.
	 */
	atomic64_t packets;
	atomic64_t bytes;
	atomic64_t dup_dropped;		/* frames lost to max-duplicates */
	u64 dup_reported;		/* dup_dropped at the last event */
	u64 bytes_mark;			/* bytes at bytes_mark_time: recent rate */
	/* Boottime seconds. */
	u32 last_match;
	u32 bytes_mark_time;
	struct dfc_crit *hnext;		/* id hash chain, writer side */
	union {
		/* All criteria, oldest first; after removal, the list to free. */
		struct list_head list;
		/* Once out of every list: freed after a grace period. */
		struct rcu_head rcu;
	};
	/*
	 * n_entries entries of dfc_entry_size(narrow) bytes each (index them
	 * with dfc_crit_entry()), then n_excl struct dfc_xentry.
	 */
	struct dfc_entry entries[];
};

static_assert(DFC_ENTRY_NARROW_SIZE % __alignof__(struct dfc_xentry) == 0 &&
	      sizeof(struct dfc_entry) % __alignof__(struct dfc_xentry) == 0,
	      "exclusions follow the entries aligned");
static_assert(offsetof(struct dfc_crit, packets) == 64 &&
	      sizeof(struct dfc_crit) == 136,
	      "the per-frame counters share no cache line with the lookup's fields");

/* Bytes of one entry of a criterion whose entries are narrow or not. */
static inline size_t dfc_entry_size(bool narrow)
{
	return narrow ? DFC_ENTRY_NARROW_SIZE : sizeof(struct dfc_entry);
}

/* Entry i of c: entries are as long as c's kind makes them. */
static inline struct dfc_entry *dfc_crit_entry(const struct dfc_crit *c,
					       unsigned int i)
{
	return (struct dfc_entry *)((char *)c->entries +
				    i * dfc_entry_size(c->narrow));
}

/*
 * Entry i of c: masked value val and port ranges pr, kept in the layout
 * c->narrow (set before) gives its entries.
 */
static inline void dfc_crit_set_entry(struct dfc_crit *c, unsigned int i,
				      const struct dfc_key *val,
				      const struct dfc_prange *pr)
{
	struct dfc_entry *e = dfc_crit_entry(c, i);

	e->pr = *pr;
	dfc_entry_set_key(e, val, c->narrow);
}

/* The criterion holding e (its entry number e->t.aux). */
static inline struct dfc_crit *dfc_entry_crit(const struct dfc_entry *e)
{
	bool narrow = e->t.flags & DFC_KEY_F_NARROW;

	return (struct dfc_crit *)((char *)e - e->t.aux * dfc_entry_size(narrow) -
				   offsetof(struct dfc_crit, entries));
}

/* Bytes one criterion with these entries and exclusions takes, allocated. */
static inline size_t dfc_crit_size(unsigned int n_entries, unsigned int n_excl,
				   bool narrow)
{
	return sizeof(struct dfc_crit) + n_entries * dfc_entry_size(narrow) +
	       n_excl * sizeof(struct dfc_xentry);
}

/* c's exclusions: after its entries, in its own allocation. */
static inline struct dfc_xentry *dfc_crit_excl(const struct dfc_crit *c)
{
	return (struct dfc_xentry *)dfc_crit_entry(c, c->n_entries);
}

/*
 * Count one frame of len bytes against c. Returns false, counting nothing,
 * when a packet or byte limit is already used up: a packet limit of N lets
 * exactly N frames match, even when CPUs race.
 */
static inline bool dfc_crit_account(struct dfc_crit *c, unsigned int len,
				    u64 now)
{
	const struct dfc_limits *lim = READ_ONCE(c->lim);
	s64 old = atomic64_read(&c->packets);

	if (unlikely(READ_ONCE(c->dead)))
		return false;
	/* Counts and limits are u64: a limit of 2^63 or more is a limit. */
	if (lim && (READ_ONCE(lim->packets) || READ_ONCE(lim->bytes))) {
		do {
			u64 lp = READ_ONCE(lim->packets);
			u64 lb = READ_ONCE(lim->bytes);

			if ((lp && (u64)old >= lp) ||
			    (lb && (u64)atomic64_read(&c->bytes) >= lb))
				return false;
		} while (!atomic64_try_cmpxchg(&c->packets, &old, old + 1));
	} else {
		atomic64_add(1, &c->packets);
	}
	atomic64_add(len, &c->bytes);
	if (READ_ONCE(c->last_match) != (u32)now)
		WRITE_ONCE(c->last_match, (u32)now);
	return true;
}

#endif /* _DFC_CRIT_H */
