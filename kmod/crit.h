/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A criterion: what one owner (a control source) asked to capture, as one
 * or more disjoint masked entries and optional exclusions sharing one id
 * and one set of counters, plus its lifetime. One allocation holds the
 * criterion and its entries; counters are shared atomics, not per CPU, so
 * a million criteria stay affordable.
 */
#ifndef _DFC_CRIT_H
#define _DFC_CRIT_H

#include "table.h"

struct dfc_crit {
	u64 id;				/* chosen by the owner */
	u32 owner;
	u32 prio;			/* lower wins */
	u32 flags;			/* DFC_CRIT_F_* */
	u32 cdest;			/* content destination id */
	u16 n_entries;
	u16 n_excl;
	u16 blob_len;
	u8 dead;			/* expired: matches no more */
	u8 reason;			/* DFC_REASON_* once dead */
	struct dfc_xentry *excl;
	void *blob;			/* owner's opaque form, dumped back */
	atomic64_t packets;
	atomic64_t bytes;
	u64 last_match;			/* boottime seconds */
	u64 limit_packets;		/* absolute packet count; 0: none */
	u64 limit_bytes;		/* absolute byte count; 0: none */
	u64 added;			/* boottime seconds */
	u64 refreshed;			/* boottime seconds, last refresh */
	u64 total_deadline;		/* boottime seconds; 0: none */
	u64 idle_base;			/* idle counts from max(this, last_match) */
	u32 timeout_idle;		/* seconds without a match; 0: none */
	u32 n_refresh;
	struct dfc_crit *hnext;		/* id hash chain, writer side */
	struct list_head list;		/* all criteria, oldest first */
	struct list_head tlist;		/* those with limits, for expiry */
	struct rcu_head rcu;
	struct dfc_entry entries[];
};

/* Bytes one criterion with n entries takes, as allocated. */
static inline size_t dfc_crit_size(unsigned int n_entries)
{
	return sizeof(struct dfc_crit) + n_entries * sizeof(struct dfc_entry);
}

/*
 * Count one frame of len bytes against c. Returns false, counting nothing,
 * when a packet or byte limit is already used up: a packet limit of N lets
 * exactly N frames match, even when CPUs race.
 */
static inline bool dfc_crit_account(struct dfc_crit *c, unsigned int len,
				    u64 now)
{
	s64 old = atomic64_read(&c->packets);

	if (unlikely(READ_ONCE(c->dead)))
		return false;
	if (c->limit_packets || c->limit_bytes) {
		do {
			if ((c->limit_packets && old >= (s64)c->limit_packets) ||
			    (c->limit_bytes &&
			     atomic64_read(&c->bytes) >= (s64)c->limit_bytes))
				return false;
		} while (!atomic64_try_cmpxchg(&c->packets, &old, old + 1));
	} else {
		atomic64_add(1, &c->packets);
	}
	atomic64_add(len, &c->bytes);
	if (READ_ONCE(c->last_match) != now)
		WRITE_ONCE(c->last_match, now);
	return true;
}

/* After accounting: has a packet or byte limit been reached? */
static inline bool dfc_crit_limit_reached(const struct dfc_crit *c)
{
	return (c->limit_packets &&
		atomic64_read(&c->packets) >= (s64)c->limit_packets) ||
	       (c->limit_bytes &&
		atomic64_read(&c->bytes) >= (s64)c->limit_bytes);
}

#endif /* _DFC_CRIT_H */
