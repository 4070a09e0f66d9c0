/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The flow key: the fixed layout every frame is parsed into once, and the
 * layout of every entry's value and mask in the filter table. Addresses and
 * ports are in network byte order, so masking is plain bit arithmetic.
 */
#ifndef _DFC_KEY_H
#define _DFC_KEY_H

#include "compat.h"

#ifdef __KERNEL__
#include <asm/byteorder.h>
#else
#include <arpa/inet.h>
#endif

/* dfc_key.flags */
#define DFC_KEY_F_PORTS	0x01	/* sport/dport hold transport ports */
#define DFC_KEY_F_ICMP	0x02	/* icmp_type/icmp_code are valid */
#define DFC_KEY_F_FRAG	0x04	/* a fragment (first or not) */
/*
 * Only in a table entry, never in a frame or a mask (so dfc_key_equal()
 * never takes such an entry for a frame): its mask is more specific than
 * its table's, its own prefix lengths are in pad[0] (source) and pad[1]
 * (destination), and with OWN_PROTO its protocol is exact where the
 * table's is any.
 */
#define DFC_KEY_F_RELAXED	0x80
#define DFC_KEY_F_OWN_PROTO	0x40
/*
 * Only in a table entry too, and compared by none: the entry is kept
 * narrow (table.h).
 */
#define DFC_KEY_F_NARROW	0x20

struct dfc_key {
	__be32 src[4];		/* IPv4 in src[0], the rest zero */
	__be32 dst[4];
	__be16 sport;
	__be16 dport;
	u32 ifindex;		/* input interface */
	u8 ipver;		/* 4 or 6; 0: not IP, never matched */
	u8 proto;		/* transport protocol after extension headers */
	u8 icmp_type;
	u8 icmp_code;
	u8 flags;		/* DFC_KEY_F_* */
	/* In a table entry: its index in its criterion; never compared. */
	u8 aux;
	u8 pad[2];		/* entry: own prefix lengths, if relaxed */
} __aligned(8);

/*
 * Word 5 (ipver .. flags) as compared and hashed: without aux and pad,
 * which are zero in frames and masks but not in entries.
 */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define DFC_KEY_W5_CMP 0x000000ffffffffffULL
#define DFC_KEY_W5_SHIFT(off) (8 * ((off) - 40))
#else
#define DFC_KEY_W5_CMP 0xffffffffff000000ULL
#define DFC_KEY_W5_SHIFT(off) (8 * (47 - (off)))
#endif
/* Word 5 of an entry as compared: not its DFC_KEY_F_NARROW bit. */
#define DFC_ENTRY_W5_CMP (DFC_KEY_W5_CMP & \
	~((u64)DFC_KEY_F_NARROW << DFC_KEY_W5_SHIFT(44)))
/* Word 5 of a relaxed entry compared as its table hashes it. */
#define DFC_KEY_W5_RELAXED_CMP (DFC_KEY_W5_CMP & \
	~(0xffULL << DFC_KEY_W5_SHIFT(41)) & \
	~((u64)(DFC_KEY_F_RELAXED | DFC_KEY_F_OWN_PROTO) << DFC_KEY_W5_SHIFT(44)))
#define DFC_ENTRY_W5_RELAXED_CMP (DFC_KEY_W5_RELAXED_CMP & \
	~((u64)DFC_KEY_F_NARROW << DFC_KEY_W5_SHIFT(44)))

#define DFC_KEY_WORDS (sizeof(struct dfc_key) / sizeof(u64))

static inline const u64 *dfc_key_words(const struct dfc_key *k)
{
	return (const u64 *)k;
}

/* out = key & mask, word by word. */
static inline void dfc_key_mask(struct dfc_key *out, const struct dfc_key *key,
				const struct dfc_key *mask)
{
	const u64 *k = dfc_key_words(key), *m = dfc_key_words(mask);
	u64 *o = (u64 *)out;
	unsigned int i;

	for (i = 0; i < DFC_KEY_WORDS; i++)
		o[i] = k[i] & m[i];
}

/*
 * Word by word with an early exit: in a hash chain the entries that are not
 * the one sought differ in their addresses, so those words come first.
 */
static inline bool dfc_key_equal(const struct dfc_key *a,
				 const struct dfc_key *b)
{
	const u64 *x = dfc_key_words(a), *y = dfc_key_words(b);

	return x[0] == y[0] && x[2] == y[2] && x[4] == y[4] &&
	       x[1] == y[1] && x[3] == y[3] &&
	       !((x[5] ^ y[5]) & DFC_KEY_W5_CMP);
}

/* The first plen bits of two addresses (four words) are equal. */
static inline bool dfc_addr_prefix_equal(const __be32 *a, const __be32 *b,
					 unsigned int plen)
{
	unsigned int i;

	for (i = 0; plen >= 32; i++, plen -= 32)
		if (a[i] != b[i])
			return false;
	return !plen || !((a[i] ^ b[i]) & htonl(~0U << (32 - plen)));
}

/* (key & mask) == value, value being already masked. */
static inline bool dfc_key_match(const struct dfc_key *key,
				 const struct dfc_key *mask,
				 const struct dfc_key *value)
{
	const u64 *k = dfc_key_words(key), *m = dfc_key_words(mask);
	const u64 *v = dfc_key_words(value);
	u64 diff = 0;
	unsigned int i;

	for (i = 0; i < DFC_KEY_WORDS; i++)
		diff |= (k[i] & m[i]) ^ v[i];
	return !diff;
}

/* Two masked entries can both match one key unless they differ on a bit
 * both of them care about.
 */
static inline bool dfc_key_overlap(const struct dfc_key *v1,
				   const struct dfc_key *m1,
				   const struct dfc_key *v2,
				   const struct dfc_key *m2)
{
	const u64 *a = dfc_key_words(v1), *ma = dfc_key_words(m1);
	const u64 *b = dfc_key_words(v2), *mb = dfc_key_words(m2);
	u64 diff = 0;
	unsigned int i;

	for (i = 0; i < DFC_KEY_WORDS; i++)
		diff |= (a[i] ^ b[i]) & ma[i] & mb[i];
	return !diff;
}

/*
 * Port ranges checked beside the masked key: a port condition given as a
 * range lo..hi hashes nothing (its mask is 0) and is compared here, so one
 * entry covers what would be up to 30 prefix blocks. Host order; span is
 * hi - lo, and 0..0xffff (span 0xffff) passes every port.
 */
struct dfc_prange {
	u16 slo, sspan;
	u16 dlo, dspan;
};

#define DFC_PRANGE_ANY ((struct dfc_prange){ 0, 0xffff, 0, 0xffff })

/* sp, dp: the frame's ports in host order. */
static inline bool dfc_prange_match(const struct dfc_prange *r, u16 sp, u16 dp)
{
	return (u16)(sp - r->slo) <= r->sspan && (u16)(dp - r->dlo) <= r->dspan;
}

static inline bool dfc_span_overlap(u16 alo, u16 aspan, u16 blo, u16 bspan)
{
	u32 ahi = (u32)alo + aspan, bhi = (u32)blo + bspan;

	return alo <= bhi && blo <= ahi;
}

/*
 * Whether one port of two entries can be equal: a range is lo..lo+span,
 * a masked value v/m lies within v..v|~m (exactly that for the prefix
 * masks ranges used to expand into; a hull, so never a missed overlap,
 * for others). Two masked values are left to dfc_key_overlap.
 */
static inline bool dfc_port_overlap(__be16 v1, __be16 m1, u16 lo1, u16 span1,
				    __be16 v2, __be16 m2, u16 lo2, u16 span2)
{
	if (span1 == 0xffff && span2 == 0xffff)
		return true;
	if (span1 == 0xffff) {
		lo1 = ntohs(v1);
		span1 = (u16)~ntohs(m1);
	}
	if (span2 == 0xffff) {
		lo2 = ntohs(v2);
		span2 = (u16)~ntohs(m2);
	}
	return dfc_span_overlap(lo1, span1, lo2, span2);
}

/* Ports of two entries (value, mask, ranges) that can both match a frame. */
static inline bool dfc_prange_overlap(const struct dfc_key *v1,
				      const struct dfc_key *m1,
				      const struct dfc_prange *r1,
				      const struct dfc_key *v2,
				      const struct dfc_key *m2,
				      const struct dfc_prange *r2)
{
	return dfc_port_overlap(v1->sport, m1->sport, r1->slo, r1->sspan,
				v2->sport, m2->sport, r2->slo, r2->sspan) &&
	       dfc_port_overlap(v1->dport, m1->dport, r1->dlo, r1->dspan,
				v2->dport, m2->dport, r2->dlo, r2->dspan);
}

/*
 * A fast multiplicative hash of a masked key, seeded per table instance:
 * per 64-bit word, xor, multiply by the golden ratio and swap the halves,
 * so the well-mixed high bits feed the next multiply and, at the end, the
 * bucket index. Unrolled by hand (the key is six words, checked below):
 * the lookup runs it once per probed mask. Chains stay as long as with a
 * random hash for sequential IPv4/IPv6 addresses, prefixes and ports.
 */
#define DFC_HASH_MUL 0x9e3779b97f4a7c15ULL

static inline u64 dfc_hash_word(u64 h, u64 w)
{
	h = (h ^ w) * DFC_HASH_MUL;
	return (h << 32) | (h >> 32);
}

/*
 * out = key & mask, and its hash, in one pass. Not wide: the mask's words 1
 * and 3 are zero (IPv4 prefixes, IPv6 ones up to /64), so they are zeroed,
 * not hashed. Always inlined with a constant wide: two unrolled bodies.
 */
static __always_inline u32 dfc_key_mask_hash_w(struct dfc_key *out,
					       const struct dfc_key *key,
					       const struct dfc_key *mask,
					       u32 seed, bool wide)
{
	const u64 *k = dfc_key_words(key), *m = dfc_key_words(mask);
	u64 *o = (u64 *)out, h = seed;

	o[0] = k[0] & m[0];
	h = dfc_hash_word(h, o[0]);
	o[1] = wide ? k[1] & m[1] : 0;
	if (wide)
		h = dfc_hash_word(h, o[1]);
	o[2] = k[2] & m[2];
	h = dfc_hash_word(h, o[2]);
	o[3] = wide ? k[3] & m[3] : 0;
	if (wide)
		h = dfc_hash_word(h, o[3]);
	o[4] = k[4] & m[4];
	h = dfc_hash_word(h, o[4]);
	o[5] = k[5] & m[5];
	h = dfc_hash_word(h, o[5]);
	return (u32)h;
}

static inline u32 dfc_key_mask_hash(struct dfc_key *out,
				    const struct dfc_key *key,
				    const struct dfc_key *mask, u32 seed)
{
	return dfc_key_mask_hash_w(out, key, mask, seed, true);
}

/* dfc_key_mask_hash() for a mask whose words 1 and 3 are zero. */
static inline u32 dfc_key_mask_hash4(struct dfc_key *out,
				     const struct dfc_key *key,
				     const struct dfc_key *mask, u32 seed)
{
	return dfc_key_mask_hash_w(out, key, mask, seed, false);
}

/* The unrolled functions above cover exactly the six words of a key. */
static_assert(sizeof(struct dfc_key) == 6 * sizeof(u64),
	      "dfc_key_equal and dfc_key_mask_hash unroll six words");
static_assert(offsetof(struct dfc_key, proto) == 41 &&
	      offsetof(struct dfc_key, flags) == 44 &&
	      offsetof(struct dfc_key, aux) == 45,
	      "DFC_KEY_W5_CMP keeps bytes 40..44 of the key");

#endif /* _DFC_KEY_H */
