// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * DTCP criteria: expansion of a parsed criterion into disjoint masked
 * entries and exclusions (dfc_spec_expand), field by field as ranges,
 * then blocks, then their cross product. See dfc_spec.h for the semantics.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dfc_spec_priv.h"

__extension__ typedef unsigned __int128 u128;

struct range {
	u128 lo, hi;
};

struct block {
	u128 val;
	unsigned int plen;	/* leading bits that count, of the width */
	bool range;		/* ports: val..hi, checked beside the mask */
	u128 hi;
};

static u128 width_max(unsigned int bits)
{
	return bits >= 128 ? ~(u128)0 : ((u128)1 << bits) - 1;
}

static u128 addr_to_u128(const uint8_t a[16], unsigned int alen)
{
	u128 v = 0;
	unsigned int i;

	for (i = 0; i < alen; i++)
		v = (v << 8) | a[i];
	return v;
}

static void u128_to_addr(u128 v, uint8_t a[16], unsigned int alen)
{
	unsigned int i;

	memset(a, 0, 16);
	for (i = alen; i-- > 0; v >>= 8)
		a[i] = (uint8_t)v;
}

static int range_cmp(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Sort and merge r[0..n) in place (overlapping or adjacent); new count. */
static unsigned int ranges_union(struct range *r, unsigned int n, u128 max)
{
	unsigned int i, m = 0;

	if (n <= 1)
		return n;
	qsort(r, n, sizeof(*r), range_cmp);
	for (i = 1; i < n; i++) {
		if (r[m].hi == max || r[i].lo <= r[m].hi + 1) {
			if (r[i].hi > r[m].hi)
				r[m].hi = r[i].hi;
		} else {
			r[++m] = r[i];
		}
	}
	return m + 1;
}

/* out = a & b, both sorted and disjoint; returns the count (<= na + nb). */
static unsigned int ranges_intersect(const struct range *a, unsigned int na,
				     const struct range *b, unsigned int nb,
				     struct range *out)
{
	unsigned int i = 0, j = 0, n = 0;

	while (i < na && j < nb) {
		u128 lo = a[i].lo > b[j].lo ? a[i].lo : b[j].lo;
		u128 hi = a[i].hi < b[j].hi ? a[i].hi : b[j].hi;

		if (lo <= hi)
			out[n++] = (struct range){ lo, hi };
		if (a[i].hi < b[j].hi)
			i++;
		else
			j++;
	}
	return n;
}

static unsigned int ctz128(u128 v, unsigned int bits)
{
	unsigned int n = 0;

	if (!v)
		return bits;
	while (!(v & 1)) {
		v >>= 1;
		n++;
	}
	return n < bits ? n : bits;
}

/*
 * Append the prefix-aligned blocks covering [lo, hi] of a bits-wide field
 * to b[*n..); false when more than cap would be needed.
 */
static bool range_blocks(struct range r, unsigned int bits, struct block *b,
			 unsigned int *n, unsigned int cap)
{
	u128 lo = r.lo;

	if (lo == 0 && r.hi == width_max(bits)) {
		if (*n >= cap)
			return false;
		b[(*n)++] = (struct block){ .val = 0, .plen = 0 };
		return true;
	}
	for (;;) {
		/* Not the whole space here, so k < bits and 1 << k fits. */
		unsigned int k = ctz128(lo, bits);
		u128 size;

		if (k >= bits)
			k = bits - 1;
		while (k && ((u128)1 << k) - 1 > r.hi - lo)
			k--;
		size = (u128)1 << k;
		if (*n >= cap)
			return false;
		b[(*n)++] = (struct block){ .val = lo, .plen = bits - k };
		if (r.hi - lo == size - 1)
			return true;
		lo += size;
	}
}

/*
 * Ports: [lo, hi] as one block, a range the kernel checks beside the mask
 * (DFC_ENTRY_A_SPORT_MAX), where prefix blocks would take up to 30. One
 * port stays exact and the whole space a wildcard: both hash.
 */
static bool port_block(struct range r, unsigned int bits, struct block *b,
		       unsigned int *n, unsigned int cap)
{
	if (r.lo == r.hi || (r.lo == 0 && r.hi == width_max(bits)))
		return range_blocks(r, bits, b, n, cap);
	if (*n >= cap)
		return false;
	b[(*n)++] = (struct block){ .val = r.lo, .range = true, .hi = r.hi };
	return true;
}

/* The blocks of field f covering r: ports as ranges, the rest as prefixes. */
static bool field_blocks(unsigned int f, struct range r, unsigned int bits,
			 struct block *b, unsigned int *n, unsigned int cap)
{
	if (f == DFC_SPEC_SPORT || f == DFC_SPEC_DPORT)
		return port_block(r, bits, b, n, cap);
	return range_blocks(r, bits, b, n, cap);
}

struct field_x {
	unsigned int bits;	/* 8, 16, 32 or 128 */
	unsigned int n_pos;	/* blocks */
	struct block *pos;
};

static uint16_t num_mask(unsigned int plen, unsigned int bits)
{
	return plen ? (uint16_t)(((1U << plen) - 1) << (bits - plen)) : 0;
}

/* A port block: prefix-masked value, or a range (mask 0). */
static void put_port(uint16_t *port, uint16_t *mask, bool *range,
		     uint16_t *max, const struct block *b, uint16_t m)
{
	*port = (uint16_t)b->val;
	*mask = b->range ? 0 : m;
	*range = b->range;
	*max = b->range ? (uint16_t)b->hi : 0;
}

static void put_field(struct dfc_nl_entry *e, unsigned int f,
		      const struct block *b, unsigned int bits)
{
	uint16_t v = (uint16_t)b->val, m = 0;

	if (!dfc_spec_field_is_addr(f))
		m = num_mask(b->plen, bits);
	switch (f) {
	case DFC_SPEC_SRC:
		u128_to_addr(b->val, e->src, bits / 8);
		e->src_plen = (uint8_t)b->plen;
		break;
	case DFC_SPEC_DST:
		u128_to_addr(b->val, e->dst, bits / 8);
		e->dst_plen = (uint8_t)b->plen;
		break;
	case DFC_SPEC_SPORT:
		put_port(&e->sport, &e->sport_mask, &e->sport_range,
			 &e->sport_max, b, m);
		break;
	case DFC_SPEC_DPORT:
		put_port(&e->dport, &e->dport_mask, &e->dport_range,
			 &e->dport_max, b, m);
		break;
	case DFC_SPEC_PROTO:
		e->proto = (uint8_t)v;
		e->proto_mask = (uint8_t)m;
		break;
	case DFC_SPEC_ICMP_TYPE:
		e->icmp_type = (uint8_t)v;
		e->icmp_type_mask = (uint8_t)m;
		break;
	case DFC_SPEC_ICMP_CODE:
		e->icmp_code = (uint8_t)v;
		e->icmp_code_mask = (uint8_t)m;
		break;
	}
}

/*
 * Items of field f as ranges; positives to pos, negatives to neg. ver:
 * the version expanded (0: none); address items of the other version are
 * left out ("*" counts for both).
 */
static int field_ranges(const struct dfc_spec *s, uint8_t ver, unsigned int f,
			unsigned int bits, struct range *pos, unsigned int *np,
			struct range *neg, unsigned int *nn, const char **why)
{
	unsigned int i, n, alen = bits / 8;
	u128 max = width_max(bits);

	*np = *nn = 0;
	if (dfc_spec_field_is_addr(f)) {
		const struct dfc_spec_addrs *a = f == DFC_SPEC_SRC ? &s->src :
								     &s->dst;

		n = a->n;
		if (n > DFC_SPEC_MAX_ITEMS)
			goto too_many;
		for (i = 0; i < n; i++) {
			const struct dfc_spec_addr *it = &a->item[i];
			struct range r;

			if (it->ver && ver && it->ver != ver)
				continue;
			r = (struct range){ addr_to_u128(it->lo, alen),
					    addr_to_u128(it->hi, alen) };
			if (r.lo > r.hi)
				goto bad;
			if (!ver && (r.lo || r.hi != max))
				return dfc_spec_fail(why, -EINVAL,
						     "%s: addresses need an IP version",
						     dfc_spec_field_name(f));
			if (it->neg)
				neg[(*nn)++] = r;
			else
				pos[(*np)++] = r;
		}
	} else {
		const struct dfc_spec_nums *l =
			dfc_spec_field_nums_const(s, (enum dfc_spec_field)f);

		n = l->n;
		if (n > DFC_SPEC_MAX_ITEMS)
			goto too_many;
		for (i = 0; i < n; i++) {
			const struct dfc_spec_num *it = &l->item[i];
			struct range r = { it->lo, it->hi };

			if (r.lo > r.hi || r.hi > max)
				goto bad;
			if (it->neg)
				neg[(*nn)++] = r;
			else
				pos[(*np)++] = r;
		}
	}
	return 0;
too_many:
	return dfc_spec_fail(why, -EINVAL, "%s: more than %d items",
			     dfc_spec_field_name(f), DFC_SPEC_MAX_ITEMS);
bad:
	return dfc_spec_fail(why, -EINVAL, "%s: item %u out of range",
			     dfc_spec_field_name(f), i);
}

static void entry_base(const struct dfc_spec *s, uint8_t ver,
		       struct dfc_nl_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->ipver = ver;
	e->ifindex = s->ifindex;
	e->ports = s->sport.n || s->dport.n;
	e->icmp = s->icmp_type.n || s->icmp_code.n;
}

/*
 * One IP version, ver (or none: 0), the entries' and the address
 * exclusions': s's address items of that version and "*".
 */
static int expand_one(const struct dfc_spec *s, uint8_t ver,
		      struct dfc_nl_entry *entries, unsigned int max_entries,
		      unsigned int *n_entries,
		      struct dfc_nl_entry *excl, unsigned int max_excl,
		      unsigned int *n_excl, bool addr_excl_only, const char **why)
{
	struct range pos[DFC_SPEC_MAX_ITEMS], neg[DFC_SPEC_MAX_ITEMS];
	struct range clip[2 * DFC_SPEC_MAX_ITEMS];
	struct field_x fx[DFC_SPEC_NFIELDS];
	unsigned int idx[DFC_SPEC_NFIELDS] = { 0 };
	struct block *blocks, *nb;
	unsigned int f, i, total = 1, nneg = 0, ne = 0, nx = 0;
	int err = 0;

	*n_entries = *n_excl = 0;
	if (max_entries > DFC_CRIT_MAX_ENTRIES)
		max_entries = DFC_CRIT_MAX_ENTRIES;
	if (max_excl > DFC_CRIT_MAX_EXCL)
		max_excl = DFC_CRIT_MAX_EXCL;
	/*
	 * One arena: max_entries positive blocks per field, then max_excl.
	 * Not zeroed: every block is written whole before it is read, and
	 * zeroing the ~100 KB arena was a quarter of what an ADD cost dtcpd.
	 */
	blocks = malloc(((size_t)DFC_SPEC_NFIELDS * max_entries + max_excl + 1) *
			sizeof(*blocks));
	if (!blocks)
		return dfc_spec_fail(why, -ENOMEM, "out of memory");
	nb = blocks + (size_t)DFC_SPEC_NFIELDS * max_entries;

	for (f = 0; f < DFC_SPEC_NFIELDS; f++) {
		struct field_x *x = &fx[f];
		unsigned int np, nn, nc;

		x->bits = dfc_spec_field_is_addr(f) ? (ver == 6 ? 128 : 32) :
						      dfc_spec_field_bits(f);
		x->pos = blocks + (size_t)f * max_entries;
		x->n_pos = 0;
		err = field_ranges(s, ver, f, x->bits, pos, &np, neg, &nn, why);
		if (err)
			goto out;
		if (!np) {
			pos[0] = (struct range){ 0, width_max(x->bits) };
			np = 1;
		}
		np = ranges_union(pos, np, width_max(x->bits));
		for (i = 0; i < np; i++)
			if (!field_blocks(f, pos[i], x->bits, x->pos, &x->n_pos,
					  max_entries))
				goto too_many_entries;
		if (total * x->n_pos > max_entries)	/* no overflow: both <= 1024 */
			goto too_many_entries;
		total *= x->n_pos;

		nn = ranges_union(neg, nn, width_max(x->bits));
		/* The other version's pass made these already (they have no ipver). */
		if (addr_excl_only && !dfc_spec_field_is_addr(f))
			nn = 0;
		nc = ranges_intersect(neg, nn, pos, np, clip);
		for (i = 0; i < nc; i++) {
			unsigned int from = nneg, j;

			if (!field_blocks(f, clip[i], x->bits, nb, &nneg,
					  max_excl))
				goto too_many_excl;
			for (j = from; j < nneg; j++) {
				struct dfc_nl_entry *e = &excl[nx++];

				memset(e, 0, sizeof(*e));
				if (dfc_spec_field_is_addr(f))
					e->ipver = ver;
				if (f == DFC_SPEC_SPORT || f == DFC_SPEC_DPORT)
					e->ports = true;
				if (f == DFC_SPEC_ICMP_TYPE ||
				    f == DFC_SPEC_ICMP_CODE)
					e->icmp = true;
				put_field(e, f, &nb[j], x->bits);
			}
		}
	}

	/* The cross product, odometer style. */
	for (ne = 0; ne < total; ne++) {
		struct dfc_nl_entry *e = &entries[ne];

		entry_base(s, ver, e);
		for (f = 0; f < DFC_SPEC_NFIELDS; f++)
			put_field(e, f, &fx[f].pos[idx[f]], fx[f].bits);
		for (f = 0; f < DFC_SPEC_NFIELDS; f++) {
			if (++idx[f] < fx[f].n_pos)
				break;
			idx[f] = 0;
		}
	}
	*n_entries = ne;
	*n_excl = nx;
	goto out;

too_many_entries:
	err = dfc_spec_fail(why, -E2BIG, "criterion expands to more than %u entries",
			    max_entries);
	goto out;
too_many_excl:
	err = dfc_spec_fail(why, -E2BIG, "criterion expands to more than %u exclusions",
			    max_excl);
out:
	free(blocks);
	return err;
}

int dfc_spec_expand(const struct dfc_spec *s,
		    struct dfc_nl_entry *entries, unsigned int max_entries,
		    unsigned int *n_entries,
		    struct dfc_nl_entry *excl, unsigned int max_excl,
		    unsigned int *n_excl, const char **why)
{
	unsigned int m, ne = 0, nx = 0, pass = 0;
	bool any;
	int err = 0;

	*n_entries = *n_excl = 0;
	if (s->ipver && s->ipver != 4 && s->ipver != 6)
		return dfc_spec_fail(why, -EINVAL, "IP version %u: 4 or 6 expected",
				     s->ipver);
	m = dfc_spec_vers(s->ipver, &s->src, &s->dst, &any);
	if (!any)
		return expand_one(s, 0, entries, max_entries, n_entries, excl,
				  max_excl, n_excl, false, why);
	if (!m)
		return dfc_spec_fail(why, -EINVAL, "no IP version fits every address field");
	if (max_entries > DFC_CRIT_MAX_ENTRIES)
		max_entries = DFC_CRIT_MAX_ENTRIES;
	if (max_excl > DFC_CRIT_MAX_EXCL)
		max_excl = DFC_CRIT_MAX_EXCL;
	/* Each version on its own: its entries and exclusions carry it. */
	for (unsigned int v = 4; v <= 6 && !err; v += 2) {
		unsigned int n, x;

		if (!(m & dfc_spec_ver_bit(v)))
			continue;
		err = expand_one(s, (uint8_t)v, entries + ne, max_entries - ne, &n,
				 excl + nx, max_excl - nx, &x, pass++ > 0, why);
		ne += n;
		nx += x;
	}
	if (!err) {
		*n_entries = ne;
		*n_excl = nx;
	}
	return err;
}
