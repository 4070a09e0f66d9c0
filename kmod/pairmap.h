/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A table's pair map, the second stage after its address maps
 * (addrmap.h): a bit map in its hash instance, DFC_PAIRMAP_BITS bits per
 * bucket, of the (source, destination) prefix pairs its entries hold at
 * the table's lengths, hashed. A frame whose pair's bit is clear cannot
 * match the table, so the lookup passes over it for a few multiplies and
 * one test instead of hashing the whole key. The first bytes rule out
 * frames from networks a table does not hold; this rules out frames from
 * networks it shares first bytes with, such as those inside other
 * tables' rules, and frames among a large table's many networks, since
 * the map grows with the table (a resize rebuilds it). Tables whose
 * prefixes add up to fewer than DFC_PAIRMAP_MIN bits have none.
 * Writers set a bit before linking the entry that needs it; bits are only
 * cleared by a rebuild, into a new instance, so a reader never misses a
 * table that holds what it looks for.
 */
#ifndef _DFC_PAIRMAP_H
#define _DFC_PAIRMAP_H

#include "table.h"

#define DFC_PAIRMAP_BITS 16	/* per bucket: 2 bytes beside its 8 */
#define DFC_PAIRMAP_MIN 8
#define DFC_PAIRMAP_ON 4	/* dfc_mask.fon: the table has a pair map */
#define DFC_PAIRMAP_WIDE 8	/* dfc_mask.fon: its prefixes pass 32 bits */
#define DFC_PAIRMAP_L4 16	/* dfc_mask.fon: it hashes ports or protocol */

static inline size_t dfc_pairmap_words(u32 n_buckets)
{
	return n_buckets * DFC_PAIRMAP_BITS / 64;
}

static inline u64 *dfc_pairmap_of(struct dfc_tinst *ti)
{
	return (u64 *)&ti->buckets[ti->n_buckets];
}

#define DFC_PAIRMAP_MIX(h, w) (((h) ^ (__force u32)(w)) * 0x9e3779b1U)

/* The bit of k's prefix pair under table m's mask, in instance ti. */
static inline u32 dfc_pairmap_bit(const struct dfc_mask *m, u8 fon,
				  const struct dfc_tinst *ti,
				  const struct dfc_key *k)
{
	u32 h = DFC_PAIRMAP_MIX(ti->seed, k->src[0] & m->mask.src[0]);
	unsigned int i;

	h = DFC_PAIRMAP_MIX(h, k->dst[0] & m->mask.dst[0]);
	/* Ports and protocol in one word: a hash, collisions only cost a probe. */
	if (fon & DFC_PAIRMAP_L4)
		h = DFC_PAIRMAP_MIX(h, ((u32)(__force u16)(k->sport & m->mask.sport) << 16 |
				       (__force u16)(k->dport & m->mask.dport)) ^
				       (k->proto & m->mask.proto));
	if (unlikely(fon & DFC_PAIRMAP_WIDE))
		for (i = 1; i < 4; i++) {
			h = DFC_PAIRMAP_MIX(h, k->src[i] & m->mask.src[i]);
			h = DFC_PAIRMAP_MIX(h, k->dst[i] & m->mask.dst[i]);
		}
	return h >> ti->mshift;
}

/* Whether m's pair map in ti (fon: m's) rules out a frame's key. */
static inline bool dfc_pairmap_rules_out(const struct dfc_mask *m, u8 fon,
					 struct dfc_tinst *ti,
					 const struct dfc_key *key)
{
	u32 b = dfc_pairmap_bit(m, fon, ti, key);

	return !(READ_ONCE(dfc_pairmap_of(ti)[b / 64]) >> (b % 64) & 1);
}

/* A new table: a pair map if its prefixes have DFC_PAIRMAP_MIN bits. */
static inline u8 dfc_pairmap_init(const struct dfc_mask *m)
{
	bool l4 = m->mask.sport || m->mask.dport || m->mask.proto;

	return (m->plen[0] + m->plen[1] >= DFC_PAIRMAP_MIN || l4 ? DFC_PAIRMAP_ON : 0) |
	       (m->plen[0] > 32 || m->plen[1] > 32 ? DFC_PAIRMAP_WIDE : 0) |
	       (l4 ? DFC_PAIRMAP_L4 : 0);
}

/* A new instance: how many hash bits index its map. */
static inline void dfc_pairmap_size(struct dfc_tinst *ti)
{
	ti->mshift = 32 - ilog2(ti->n_buckets * DFC_PAIRMAP_BITS);
}

/* Writer: k's prefix pair into ti's map, before k's entry is linked there. */
static inline void dfc_pairmap_add(const struct dfc_mask *m, struct dfc_tinst *ti,
				   const struct dfc_key *k)
{
	u32 b = dfc_pairmap_bit(m, m->fon, ti, k);
	u64 *w = &dfc_pairmap_of(ti)[b / 64];

	if (m->fon & DFC_PAIRMAP_ON)
		WRITE_ONCE(*w, *w | 1ULL << (b % 64));
}

#endif /* _DFC_PAIRMAP_H */
