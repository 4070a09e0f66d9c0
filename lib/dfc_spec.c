// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * DTCP criteria: parse filter values, expand them into disjoint masked
 * entries, and match them naively. See dfc_spec.h for the grammar and the
 * semantics.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dfc_spec.h"

__extension__ typedef unsigned __int128 u128;

static _Thread_local char why_buf[192];

static int fail(const char **why, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(const char **why, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why_buf, sizeof(why_buf), fmt, ap);
	va_end(ap);
	if (why)
		*why = why_buf;
	return err;
}

static const struct {
	const char *name;
	bool addr;
	unsigned int bits;	/* numeric fields */
} fields[DFC_SPEC_NFIELDS] = {
	[DFC_SPEC_SRC] = { "Source-Address", true, 0 },
	[DFC_SPEC_DST] = { "Dest-Address", true, 0 },
	[DFC_SPEC_SPORT] = { "Source-Port", false, 16 },
	[DFC_SPEC_DPORT] = { "Dest-Port", false, 16 },
	[DFC_SPEC_PROTO] = { "Protocol", false, 8 },
	[DFC_SPEC_ICMP_TYPE] = { "ICMP-Type", false, 8 },
	[DFC_SPEC_ICMP_CODE] = { "ICMP-Code", false, 8 },
};

const char *dfc_spec_field_name(enum dfc_spec_field f)
{
	return (unsigned int)f < DFC_SPEC_NFIELDS ? fields[f].name : "?";
}

int dfc_spec_field_by_name(const char *name)
{
	int f;

	for (f = 0; f < DFC_SPEC_NFIELDS; f++)
		if (!strcasecmp(name, fields[f].name))
			return f;
	return -1;
}

static struct dfc_spec_nums *spec_nums(struct dfc_spec *s,
				       enum dfc_spec_field f)
{
	switch (f) {
	case DFC_SPEC_SPORT:
		return &s->sport;
	case DFC_SPEC_DPORT:
		return &s->dport;
	case DFC_SPEC_PROTO:
		return &s->proto;
	case DFC_SPEC_ICMP_TYPE:
		return &s->icmp_type;
	case DFC_SPEC_ICMP_CODE:
		return &s->icmp_code;
	default:
		return NULL;
	}
}

/* ---------------------------------------------------------------- parse */

static bool is_ws(char c)
{
	return c == ' ' || c == '\t';
}

/* Trim s in place (it is a private copy); returns the first non-blank. */
static char *trim(char *s)
{
	char *e;

	while (is_ws(*s))
		s++;
	e = s + strlen(s);
	while (e > s && is_ws(e[-1]))
		*--e = '\0';
	return s;
}

/* Decimal 0..max, digits only. */
static int parse_uint(const char *s, unsigned long max, unsigned long *out,
		      const char *what, const char **why)
{
	unsigned long v = 0;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return fail(why, -EINVAL, "'%s': %s expected", s, what);
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > max)
			return fail(why, -EINVAL, "'%s': %s above %lu", s,
				    what, max);
	}
	if (*p)
		return fail(why, -EINVAL, "'%s': %s expected", s, what);
	*out = v;
	return 0;
}

/* One address; returns its version (4 or 6), bytes in a[0..15]. */
static int parse_addr(const char *s, uint8_t a[16], const char **why)
{
	memset(a, 0, 16);
	if (inet_pton(AF_INET, s, a) == 1)
		return 4;
	if (inet_pton(AF_INET6, s, a) == 1)
		return 6;
	return fail(why, -EINVAL, "'%s': not an IPv4 or IPv6 address", s);
}

/* Parse one address entry (after "!"); *ver: 0 for "*", else 4 or 6. */
static int parse_addr_entry(char *s, struct dfc_spec_addr *it, int *ver,
			    const char **why)
{
	uint8_t b[16];
	char *dash, *slash;
	int v, v2;

	*ver = 0;
	memset(it->lo, 0, 16);
	memset(it->hi, 0xff, 16);
	if (!strcmp(s, "*"))
		return 0;
	if (s[0] == '*') {
		char *r = trim(s + 1);

		if (*r != '-')
			return fail(why, -EINVAL, "'%s': '*-' expected", s);
		r = trim(r + 1);
		v = parse_addr(r, it->hi, why);
		if (v < 0)
			return v;
		*ver = v;
		return 0;
	}
	dash = strchr(s, '-');
	if (dash) {
		char *l, *r;

		*dash = '\0';
		l = trim(s);
		r = trim(dash + 1);
		v = parse_addr(l, it->lo, why);
		if (v < 0)
			return v;
		*ver = v;
		if (!strcmp(r, "*"))
			return 0;
		v2 = parse_addr(r, it->hi, why);
		if (v2 < 0)
			return v2;
		if (v2 != v)
			return fail(why, -EINVAL,
				    "'%s-%s': IPv4 and IPv6 mixed in one range",
				    l, r);
		if (memcmp(it->lo, it->hi, 16) > 0)
			return fail(why, -EINVAL,
				    "'%s-%s': range start above its end", l, r);
		return 0;
	}
	slash = strchr(s, '/');
	if (slash) {
		unsigned long plen;
		unsigned int i, alen;
		char *l, *r;
		int err;

		*slash = '\0';
		l = trim(s);
		r = trim(slash + 1);
		v = parse_addr(l, b, why);
		if (v < 0)
			return v;
		alen = v == 4 ? 4 : 16;
		err = parse_uint(r, alen * 8, &plen, "prefix length", why);
		if (err)
			return err;
		memset(it->hi, 0, 16);
		for (i = 0; i < alen; i++) {
			unsigned int bits = plen > i * 8 ? plen - i * 8 : 0;
			uint8_t m = bits >= 8 ? 0xff : (uint8_t)(0xff00 >> bits);

			it->lo[i] = b[i] & m;
			it->hi[i] = b[i] | (uint8_t)~m;
		}
		*ver = v;
		return 0;
	}
	v = parse_addr(s, it->lo, why);
	if (v < 0)
		return v;
	memcpy(it->hi, it->lo, 16);
	*ver = v;
	return 0;
}

static int parse_num_entry(char *s, unsigned long max, const char *what,
			   struct dfc_spec_num *it, const char **why)
{
	unsigned long lo = 0, hi = max;
	char *dash;
	int err;

	if (!strcmp(s, "*"))
		goto out;
	if (s[0] == '*') {
		char *r = trim(s + 1);

		if (*r != '-')
			return fail(why, -EINVAL, "'%s': '*-' expected", s);
		err = parse_uint(trim(r + 1), max, &hi, what, why);
		if (err)
			return err;
		goto out;
	}
	dash = strchr(s, '-');
	if (dash) {
		char *l, *r;

		*dash = '\0';
		l = trim(s);
		r = trim(dash + 1);
		err = parse_uint(l, max, &lo, what, why);
		if (err)
			return err;
		if (strcmp(r, "*")) {
			err = parse_uint(r, max, &hi, what, why);
			if (err)
				return err;
		}
		if (lo > hi)
			return fail(why, -EINVAL,
				    "'%s-%s': range start above its end", l, r);
		goto out;
	}
	err = parse_uint(s, max, &lo, what, why);
	if (err)
		return err;
	hi = lo;
out:
	it->lo = (uint16_t)lo;
	it->hi = (uint16_t)hi;
	return 0;
}

/*
 * IP versions as a mask. A criterion may list addresses of both versions
 * (DTCP allows it): it then matches IPv4 frames by its IPv4 items and IPv6
 * frames by its IPv6 items, "*" items counting for both.
 */
#define VER4 1u
#define VER6 2u

static unsigned int ver_bit(unsigned int v)
{
	return v == 4 ? VER4 : v == 6 ? VER6 : 0;
}

/* The versions a field's items name (0: none, only "*" or empty). */
static unsigned int addr_vers(const struct dfc_spec_addrs *a)
{
	unsigned int m = 0;

	for (unsigned int i = 0; i < a->n && i < DFC_SPEC_MAX_ITEMS; i++)
		m |= ver_bit(a->item[i].ver);
	return m;
}

/*
 * The versions a criterion can match: those every constraint allows (its
 * ipver, and each address field naming a version). *any: some constraint
 * exists (else the criterion is version-blind: one pass with ipver 0).
 */
static unsigned int spec_vers(uint8_t ipver, const struct dfc_spec_addrs *a,
			      const struct dfc_spec_addrs *b, bool *any)
{
	unsigned int m = VER4 | VER6, fa = addr_vers(a), fb = addr_vers(b);

	*any = ipver || fa || fb;
	if (ipver)
		m &= ver_bit(ipver);
	if (fa)
		m &= fa;
	if (fb)
		m &= fb;
	return m;
}

int dfc_spec_parse_field(struct dfc_spec *s, enum dfc_spec_field f,
			 const char *value, const char **why)
{
	static const char *const what[DFC_SPEC_NFIELDS] = {
		[DFC_SPEC_SPORT] = "port", [DFC_SPEC_DPORT] = "port",
		[DFC_SPEC_PROTO] = "protocol",
		[DFC_SPEC_ICMP_TYPE] = "ICMP type",
		[DFC_SPEC_ICMP_CODE] = "ICMP code",
	};
	struct dfc_spec_addrs addrs;
	struct dfc_spec_nums nums;
	const char *p = value;
	unsigned int n = 0;
	int ver = 0;

	if ((unsigned int)f >= DFC_SPEC_NFIELDS)
		return fail(why, -EINVAL, "unknown filter field %d", (int)f);
	if (!value || !value[strspn(value, " \t")])
		return fail(why, -EINVAL, "%s: no value", fields[f].name);

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char buf[128], *item;
		bool neg = false;
		int err = 0, v;

		if (len >= sizeof(buf))
			return fail(why, -EINVAL, "%s: item '%.24s...' too long",
				    fields[f].name, p);
		memcpy(buf, p, len);
		buf[len] = '\0';
		item = trim(buf);
		if (*item == '!') {
			neg = true;
			item = trim(item + 1);
		}
		if (!*item)
			return fail(why, -EINVAL, "%s: empty item in '%s'",
				    fields[f].name, value);
		if (n >= DFC_SPEC_MAX_ITEMS)
			return fail(why, -EINVAL, "%s: more than %d items",
				    fields[f].name, DFC_SPEC_MAX_ITEMS);
		if (fields[f].addr) {
			err = parse_addr_entry(item, &addrs.item[n], &v, why);
			addrs.item[n].neg = neg;
			addrs.item[n].ver = (uint8_t)v;
			if (!err && v)
				ver = ver && ver != v ? -1 : v;
		} else {
			err = parse_num_entry(item, (1UL << fields[f].bits) - 1,
					      what[f], &nums.item[n], why);
			nums.item[n].neg = neg;
		}
		if (err)
			return err;
		n++;
		if (!comma)
			break;
		p = comma + 1;
	}

	if (fields[f].addr) {
		const struct dfc_spec_addrs *o = f == DFC_SPEC_SRC ? &s->dst : &s->src;
		bool any;
		unsigned int m;

		addrs.n = n;
		m = spec_vers(s->ipver, &addrs, o, &any);
		if (!m && ver > 0 && (s->ipver || addr_vers(o) != 3))
			return fail(why, -EINVAL,
				    "%s: IPv%d, but the criterion is IPv%d already",
				    fields[f].name, ver, s->ipver ? s->ipver :
				    addr_vers(o) == VER4 ? 4 : 6);
		if (!m)
			return fail(why, -EINVAL,
				    "%s: no IP version in common with the criterion",
				    fields[f].name);
		*(f == DFC_SPEC_SRC ? &s->src : &s->dst) = addrs;
		/* One version left: the criterion has it (two: entries of both). */
		if (any && m != (VER4 | VER6))
			s->ipver = m == VER4 ? 4 : 6;
	} else {
		nums.n = n;
		*spec_nums(s, f) = nums;
	}
	return 0;
}

/* --------------------------------------------------------------- expand */

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

	if (!n)
		return 0;
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

static void put_field(struct dfc_nl_entry *e, unsigned int f,
		      const struct block *b, unsigned int bits)
{
	uint16_t v = (uint16_t)b->val, m = 0;

	if (!fields[f].addr)
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
		e->sport = v;
		e->sport_mask = b->range ? 0 : m;
		e->sport_range = b->range;
		e->sport_max = b->range ? (uint16_t)b->hi : 0;
		break;
	case DFC_SPEC_DPORT:
		e->dport = v;
		e->dport_mask = b->range ? 0 : m;
		e->dport_range = b->range;
		e->dport_max = b->range ? (uint16_t)b->hi : 0;
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

/* Items of field f as ranges; positives to pos, negatives to neg. */
static int field_ranges(const struct dfc_spec *s, unsigned int f,
			unsigned int bits, struct range *pos, unsigned int *np,
			struct range *neg, unsigned int *nn, const char **why)
{
	unsigned int i, n, alen = bits / 8;
	u128 max = width_max(bits);

	*np = *nn = 0;
	if (fields[f].addr) {
		const struct dfc_spec_addrs *a = f == DFC_SPEC_SRC ? &s->src :
								     &s->dst;

		n = a->n;
		if (n > DFC_SPEC_MAX_ITEMS)
			goto too_many;
		for (i = 0; i < n; i++) {
			const struct dfc_spec_addr *it = &a->item[i];
			struct range r = { addr_to_u128(it->lo, alen),
					   addr_to_u128(it->hi, alen) };

			if (r.lo > r.hi)
				goto bad;
			if (!s->ipver && (r.lo || r.hi != max))
				return fail(why, -EINVAL,
					    "%s: addresses need an IP version",
					    fields[f].name);
			if (it->neg)
				neg[(*nn)++] = r;
			else
				pos[(*np)++] = r;
		}
	} else {
		const struct dfc_spec_nums *l = spec_nums((struct dfc_spec *)s,
							  (enum dfc_spec_field)f);

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
	return fail(why, -EINVAL, "%s: more than %d items", fields[f].name,
		    DFC_SPEC_MAX_ITEMS);
bad:
	return fail(why, -EINVAL, "%s: item %u out of range", fields[f].name, i);
}

static void entry_base(const struct dfc_spec *s, struct dfc_nl_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->ipver = s->ipver;
	e->ifindex = s->ifindex;
	e->ports = s->sport.n || s->dport.n;
	e->icmp = s->icmp_type.n || s->icmp_code.n;
}

/* One IP version (or none): s->ipver is the entries'. */
static int expand_one(const struct dfc_spec *s,
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
	if (s->ipver && s->ipver != 4 && s->ipver != 6)
		return fail(why, -EINVAL, "IP version %u: 4 or 6 expected",
			    s->ipver);

	/*
	 * One arena: max_entries positive blocks per field, then max_excl.
	 * Not zeroed: every block is written whole before it is read, and
	 * zeroing the ~100 KB arena was a quarter of what an ADD cost dtcpd.
	 */
	blocks = malloc(((size_t)DFC_SPEC_NFIELDS * max_entries + max_excl + 1) *
			sizeof(*blocks));
	if (!blocks)
		return fail(why, -ENOMEM, "out of memory");
	nb = blocks + (size_t)DFC_SPEC_NFIELDS * max_entries;

	for (f = 0; f < DFC_SPEC_NFIELDS; f++) {
		struct field_x *x = &fx[f];
		unsigned int np, nn, nc;

		x->bits = fields[f].addr ? (s->ipver == 6 ? 128 : 32) :
					   fields[f].bits;
		x->pos = blocks + (size_t)f * max_entries;
		x->n_pos = 0;
		err = field_ranges(s, f, x->bits, pos, &np, neg, &nn, why);
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
		if (addr_excl_only && !fields[f].addr)
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
				if (fields[f].addr)
					e->ipver = s->ipver;
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

		entry_base(s, e);
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
	err = fail(why, -E2BIG, "criterion expands to more than %u entries",
		   max_entries);
	goto out;
too_many_excl:
	err = fail(why, -E2BIG, "criterion expands to more than %u exclusions",
		   max_excl);
out:
	free(blocks);
	return err;
}

/* The items of a that count for version v ("*" counts for both). */
static void addrs_of(struct dfc_spec_addrs *a, unsigned int v)
{
	unsigned int k = 0;

	for (unsigned int i = 0; i < a->n && i < DFC_SPEC_MAX_ITEMS; i++)
		if (!a->item[i].ver || a->item[i].ver == v)
			a->item[k++] = a->item[i];
	a->n = k;
}

int dfc_spec_expand(const struct dfc_spec *s,
		    struct dfc_nl_entry *entries, unsigned int max_entries,
		    unsigned int *n_entries,
		    struct dfc_nl_entry *excl, unsigned int max_excl,
		    unsigned int *n_excl, const char **why)
{
	unsigned int m, ne = 0, nx = 0, pass = 0;
	struct dfc_spec *r;
	bool any;
	int err = 0;

	*n_entries = *n_excl = 0;
	if (s->ipver && s->ipver != 4 && s->ipver != 6)
		return fail(why, -EINVAL, "IP version %u: 4 or 6 expected",
			    s->ipver);
	m = spec_vers(s->ipver, &s->src, &s->dst, &any);
	if (!any)
		return expand_one(s, entries, max_entries, n_entries, excl,
				  max_excl, n_excl, false, why);
	if (!m)
		return fail(why, -EINVAL, "no IP version fits every address field");
	if (max_entries > DFC_CRIT_MAX_ENTRIES)
		max_entries = DFC_CRIT_MAX_ENTRIES;
	if (max_excl > DFC_CRIT_MAX_EXCL)
		max_excl = DFC_CRIT_MAX_EXCL;
	r = malloc(sizeof(*r));
	if (!r)
		return fail(why, -ENOMEM, "out of memory");
	/* Each version on its own: its entries and exclusions carry it. */
	for (unsigned int v = 4; v <= 6 && !err; v += 2) {
		unsigned int n, x;

		if (!(m & ver_bit(v)))
			continue;
		*r = *s;
		r->ipver = (uint8_t)v;
		addrs_of(&r->src, v);
		addrs_of(&r->dst, v);
		err = expand_one(r, entries + ne, max_entries - ne, &n,
				 excl + nx, max_excl - nx, &x, pass++ > 0, why);
		ne += n;
		nx += x;
	}
	free(r);
	if (!err) {
		*n_entries = ne;
		*n_excl = nx;
	}
	return err;
}

/* ---------------------------------------------------------------- naive */

/* Big-endian comparison of the first len bytes. */
static int addr_cmp(const uint8_t *a, const uint8_t *b, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

static bool nums_ok(const struct dfc_spec_nums *l, unsigned int v)
{
	bool any_pos = false, in_pos = false;
	unsigned int i;

	for (i = 0; i < l->n; i++) {
		bool in = l->item[i].lo <= v && v <= l->item[i].hi;

		if (l->item[i].neg) {
			if (in)
				return false;
		} else {
			any_pos = true;
			in_pos |= in;
		}
	}
	return in_pos || !any_pos;
}

static bool addrs_ok(const struct dfc_spec_addrs *l, const uint8_t *a,
		     unsigned int alen, uint8_t ver)
{
	bool any_pos = false, in_pos = false;
	unsigned int i;

	for (i = 0; i < l->n; i++) {
		const struct dfc_spec_addr *it = &l->item[i];

		if (it->ver && it->ver != ver)
			continue;	/* the other version's item */
		bool in = addr_cmp(it->lo, a, alen) <= 0 &&
			  addr_cmp(a, it->hi, alen) <= 0;

		if (it->neg) {
			if (in)
				return false;
		} else {
			any_pos = true;
			in_pos |= in;
		}
	}
	return in_pos || !any_pos;
}

bool dfc_spec_match_naive(const struct dfc_spec *s, const struct dfc_flow *f)
{
	unsigned int alen = f->ipver == 6 ? 16 : 4, m;
	bool any;

	/* Cheapest first; an empty list (n == 0) matches anything. */
	if (s->ipver && f->ipver != s->ipver)
		return false;
	m = spec_vers(s->ipver, &s->src, &s->dst, &any);
	if (any && !(m & ver_bit(f->ipver)))
		return false;
	if (s->ifindex && f->ifindex != s->ifindex)
		return false;
	if (s->proto.n && !nums_ok(&s->proto, f->proto))
		return false;
	if (s->sport.n || s->dport.n) {
		if (!f->has_ports || !nums_ok(&s->sport, f->sport) ||
		    !nums_ok(&s->dport, f->dport))
			return false;
	}
	if (s->icmp_type.n || s->icmp_code.n) {
		if (!f->has_icmp || !nums_ok(&s->icmp_type, f->icmp_type) ||
		    !nums_ok(&s->icmp_code, f->icmp_code))
			return false;
	}
	if (s->src.n && !addrs_ok(&s->src, f->src, alen, f->ipver))
		return false;
	if (s->dst.n && !addrs_ok(&s->dst, f->dst, alen, f->ipver))
		return false;
	return true;
}
