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
 * A key's last two words (bytes 32..47 of struct dfc_key, the fields
 * of the same names), as an entry keeps them.
 */
struct dfc_key_tail {
	__be16 sport;
	__be16 dport;
	u32 ifindex;
	u8 ipver;
	u8 proto;
	u8 icmp_type;
	u8 icmp_code;
	u8 flags;
	u8 aux;
	u8 pad[2];
} __aligned(8);

static_assert(sizeof(struct dfc_key_tail) == 2 * sizeof(u64) &&
	      offsetof(struct dfc_key, sport) == 4 * sizeof(u64) &&
	      offsetof(struct dfc_key, ifindex) - 32 ==
	      offsetof(struct dfc_key_tail, ifindex) &&
	      offsetof(struct dfc_key, ipver) - 32 ==
	      offsetof(struct dfc_key_tail, ipver) &&
	      offsetof(struct dfc_key, pad) - 32 ==
	      offsetof(struct dfc_key_tail, pad),
	      "dfc_key_tail is the key's words 4 and 5");

/*
 * One positive masked entry of a criterion, linked in its mask's table.
 * Its criterion is found from its index (t.aux), not stored. Its masked
 * key is kept in parts: the last two words, the first 32 bits of each
 * address, and the rest of the addresses (hi). A narrow entry's own mask
 * has no address bit beyond the first 32 (IPv4, or no address), so it
 * ends before hi: 56 bytes instead of 80. A criterion's entries are all
 * narrow or none is (dfc_crit.narrow), so that they index as an array;
 * DFC_KEY_F_NARROW in t.flags says which.
 */
struct dfc_entry {
	/* Two links, so resizing can build the new instance beside the old. */
	struct dfc_entry __rcu *next[2];
	struct dfc_mask *mask;
	struct dfc_prange pr;		/* port ranges beside the mask */
	struct dfc_key_tail t;		/* aux: index in crit; 8-aligned */
	__be32 src0, dst0;
	__be32 hi[6];			/* not narrow: src[1..3], dst[1..3] */
};

#define DFC_ENTRY_NARROW_SIZE offsetof(struct dfc_entry, hi)

static_assert(offsetof(struct dfc_entry, t) % sizeof(u64) == 0 &&
	      DFC_ENTRY_NARROW_SIZE == 56 && sizeof(struct dfc_entry) == 80,
	      "an entry's key tail reads as two words; 56 or 80 bytes");

/* Does an entry of own mask m fit the narrow layout? */
static inline bool dfc_entry_mask_narrow(const struct dfc_key *m)
{
	return !(m->src[1] | m->src[2] | m->src[3] |
		 m->dst[1] | m->dst[2] | m->dst[3]);
}

/* Do entries of own masks m[0..n) all fit it (a criterion's layout)? */
static inline bool dfc_entry_masks_narrow(const struct dfc_key *m,
					  unsigned int n)
{
	bool narrow = true;

	while (n--)
		narrow &= dfc_entry_mask_narrow(m++);
	return narrow;
}

/* e's masked key, whole (without DFC_KEY_F_NARROW). */
static inline void dfc_entry_key(const struct dfc_entry *e, struct dfc_key *k)
{
	bool narrow = e->t.flags & DFC_KEY_F_NARROW;

	k->src[0] = e->src0;
	k->dst[0] = e->dst0;
	k->src[1] = narrow ? 0 : e->hi[0];
	k->src[2] = narrow ? 0 : e->hi[1];
	k->src[3] = narrow ? 0 : e->hi[2];
	k->dst[1] = narrow ? 0 : e->hi[3];
	k->dst[2] = narrow ? 0 : e->hi[4];
	k->dst[3] = narrow ? 0 : e->hi[5];
	((u64 *)k)[4] = ((const u64 *)&e->t)[0];
	((u64 *)k)[5] = ((const u64 *)&e->t)[1];
	k->flags &= ~DFC_KEY_F_NARROW;
}

/*
 * Keep k as e's key. A narrow e drops the address bits past the first
 * 32, which its own mask clears anyway.
 */
static inline void dfc_entry_set_key(struct dfc_entry *e,
				     const struct dfc_key *k, bool narrow)
{
	((u64 *)&e->t)[0] = dfc_key_words(k)[4];
	((u64 *)&e->t)[1] = dfc_key_words(k)[5];
	e->t.flags = narrow ? e->t.flags | DFC_KEY_F_NARROW :
			      e->t.flags & ~DFC_KEY_F_NARROW;
	e->src0 = k->src[0];
	e->dst0 = k->dst[0];
	if (narrow)
		return;
	memcpy(e->hi, &k->src[1], 3 * sizeof(__be32));
	memcpy(e->hi + 3, &k->dst[1], 3 * sizeof(__be32));
}

/*
 * Is e's key mk (a frame's key under e's table's mask)? A narrow e sits
 * only in tables without address bits past the first 32, where mk has
 * none either.
 */
static inline bool dfc_entry_equal(const struct dfc_entry *e,
				   const struct dfc_key *mk)
{
	const u64 *x = (const u64 *)&e->t, *y = dfc_key_words(mk) + 4;

	if (e->src0 != mk->src[0] || e->dst0 != mk->dst[0] || x[0] != y[0] ||
	    ((x[1] ^ y[1]) & DFC_ENTRY_W5_CMP))
		return false;
	if (e->t.flags & DFC_KEY_F_NARROW)
		return true;
	return !((e->hi[0] ^ mk->src[1]) | (e->hi[1] ^ mk->src[2]) |
		 (e->hi[2] ^ mk->src[3]) | (e->hi[3] ^ mk->dst[1]) |
		 (e->hi[4] ^ mk->dst[2]) | (e->hi[5] ^ mk->dst[3]));
}

/* Do a and b agree on their first plen (at most 32) bits? */
static inline bool dfc_prefix32_equal(__be32 a, __be32 b, unsigned int plen)
{
	return !plen || !((a ^ b) & htonl(~0U << (32 - plen)));
}

/* The same for an address of a wide entry: its first 32 bits, then hi. */
static inline bool dfc_entry_addr_prefix(const __be32 *a, __be32 first,
					 const __be32 *hi, unsigned int plen)
{
	__be32 b[4] = { first, hi[0], hi[1], hi[2] };

	return dfc_addr_prefix_equal(a, b, plen);
}

/*
 * A relaxed entry e against key (mk: key under e's table's mask): its own
 * prefix lengths and, with DFC_KEY_F_OWN_PROTO, its own protocol. A
 * narrow entry's own lengths are 32 at most.
 */
static inline bool dfc_entry_relaxed_match(const struct dfc_entry *e,
					   const struct dfc_key *key,
					   const struct dfc_key *mk)
{
	const u64 *x = (const u64 *)&e->t, *y = dfc_key_words(mk) + 4;
	u8 proto = e->t.flags & DFC_KEY_F_OWN_PROTO ? key->proto : mk->proto;

	if (x[0] != y[0] || ((x[1] ^ y[1]) & DFC_ENTRY_W5_RELAXED_CMP) ||
	    proto != e->t.proto)
		return false;
	if (e->t.flags & DFC_KEY_F_NARROW)
		return dfc_prefix32_equal(key->src[0], e->src0, e->t.pad[0]) &&
		       dfc_prefix32_equal(key->dst[0], e->dst0, e->t.pad[1]);
	return dfc_entry_addr_prefix(key->src, e->src0, e->hi, e->t.pad[0]) &&
	       dfc_entry_addr_prefix(key->dst, e->dst0, e->hi + 3, e->t.pad[1]);
}

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

/* out = key & m's mask, and its hash: the same for writers and readers. */
static inline u32 dfc_mask_hash(const struct dfc_mask *m, struct dfc_key *out,
				const struct dfc_key *key, u32 seed)
{
	if (m->narrow)
		return dfc_key_mask_hash4(out, key, &m->mask, seed);
	return dfc_key_mask_hash(out, key, &m->mask, seed);
}

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
/* Between table.c and lookup.c only; the caller holds the table's lock. */
int dfc_table_publish(struct dfc_table *t, struct dfc_mask **v, u32 n);
void dfc_table_compact(struct dfc_table *t);

#endif /* _DFC_TABLE_H */
