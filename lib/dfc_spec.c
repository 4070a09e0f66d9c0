// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * DTCP criteria: the field table, parsing of filter values, and the naive
 * matcher; expansion into entries is in dfc_spec_expand.c. See dfc_spec.h
 * for the grammar and the semantics.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dfc_spec_priv.h"

static _Thread_local char why_buf[192];

int dfc_spec_fail(const char **why, int err, const char *fmt, ...)
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
	size_t nums;		/* numeric fields: offset of their items in a struct dfc_spec */
} fields[DFC_SPEC_NFIELDS] = {
	[DFC_SPEC_SRC] = { "Source-Address", true, 0, 0 },
	[DFC_SPEC_DST] = { "Dest-Address", true, 0, 0 },
	[DFC_SPEC_SPORT] = { "Source-Port", false, 16, offsetof(struct dfc_spec, sport) },
	[DFC_SPEC_DPORT] = { "Dest-Port", false, 16, offsetof(struct dfc_spec, dport) },
	[DFC_SPEC_PROTO] = { "Protocol", false, 8, offsetof(struct dfc_spec, proto) },
	[DFC_SPEC_ICMP_TYPE] = { "ICMP-Type", false, 8, offsetof(struct dfc_spec, icmp_type) },
	[DFC_SPEC_ICMP_CODE] = { "ICMP-Code", false, 8, offsetof(struct dfc_spec, icmp_code) },
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

/* dfc_spec_expand.c reads the table through these (dfc_spec_priv.h). */
bool dfc_spec_field_is_addr(enum dfc_spec_field f)
{
	return fields[f].addr;
}

unsigned int dfc_spec_field_bits(enum dfc_spec_field f)
{
	return fields[f].bits;
}

struct dfc_spec_nums *dfc_spec_field_nums(struct dfc_spec *s,
					  enum dfc_spec_field f)
{
	return fields[f].addr ? NULL : (struct dfc_spec_nums *)((char *)s + fields[f].nums);
}

const struct dfc_spec_nums *dfc_spec_field_nums_const(const struct dfc_spec *s,
						      enum dfc_spec_field f)
{
	return fields[f].addr ? NULL :
	       (const struct dfc_spec_nums *)((const char *)s + fields[f].nums);
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
		return dfc_spec_fail(why, -EINVAL, "'%s': %s expected", s, what);
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > max)
			return dfc_spec_fail(why, -EINVAL, "'%s': %s above %lu", s,
					     what, max);
	}
	if (*p)
		return dfc_spec_fail(why, -EINVAL, "'%s': %s expected", s, what);
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
	return dfc_spec_fail(why, -EINVAL, "'%s': not an IPv4 or IPv6 address", s);
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
			return dfc_spec_fail(why, -EINVAL, "'%s': '*-' expected", s);
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
			return dfc_spec_fail(why, -EINVAL,
					     "'%s-%s': IPv4 and IPv6 mixed in one range",
					     l, r);
		if (memcmp(it->lo, it->hi, 16) > 0)
			return dfc_spec_fail(why, -EINVAL,
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
			return dfc_spec_fail(why, -EINVAL, "'%s': '*-' expected", s);
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
			return dfc_spec_fail(why, -EINVAL,
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

unsigned int dfc_spec_ver_bit(unsigned int v)
{
	return v == 4 ? VER4 : v == 6 ? VER6 : 0;
}

/* The versions a field's items name (0: none, only "*" or empty). */
static unsigned int addr_vers(const struct dfc_spec_addrs *a)
{
	unsigned int m = 0;

	for (unsigned int i = 0; i < a->n && i < DFC_SPEC_MAX_ITEMS; i++)
		m |= dfc_spec_ver_bit(a->item[i].ver);
	return m;
}

/*
 * The versions a criterion can match: those every constraint allows (its
 * ipver, and each address field naming a version). *any: some constraint
 * exists (else the criterion is version-blind: one pass with ipver 0).
 */
unsigned int dfc_spec_vers(uint8_t ipver, const struct dfc_spec_addrs *a,
			   const struct dfc_spec_addrs *b, bool *any)
{
	unsigned int m = VER4 | VER6, fa = addr_vers(a), fb = addr_vers(b);

	*any = ipver || fa || fb;
	if (ipver)
		m &= dfc_spec_ver_bit(ipver);
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
		return dfc_spec_fail(why, -EINVAL, "unknown filter field %d", (int)f);
	if (!value || !value[strspn(value, " \t")])
		return dfc_spec_fail(why, -EINVAL, "%s: no value", fields[f].name);

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char buf[128], *item;
		bool neg = false;
		int err = 0, v;

		if (len >= sizeof(buf))
			return dfc_spec_fail(why, -EINVAL, "%s: item '%.24s...' too long",
					     fields[f].name, p);
		memcpy(buf, p, len);
		buf[len] = '\0';
		item = trim(buf);
		if (*item == '!') {
			neg = true;
			item = trim(item + 1);
		}
		if (!*item)
			return dfc_spec_fail(why, -EINVAL, "%s: empty item in '%s'",
					     fields[f].name, value);
		if (n >= DFC_SPEC_MAX_ITEMS)
			return dfc_spec_fail(why, -EINVAL, "%s: more than %d items",
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
		m = dfc_spec_vers(s->ipver, &addrs, o, &any);
		if (!m && ver > 0 && (s->ipver || addr_vers(o) != 3))
			return dfc_spec_fail(why, -EINVAL,
					     "%s: IPv%d, but the criterion is IPv%d already",
					     fields[f].name, ver, s->ipver ? s->ipver :
					     addr_vers(o) == VER4 ? 4 : 6);
		if (!m)
			return dfc_spec_fail(why, -EINVAL,
					     "%s: no IP version in common with the criterion",
					     fields[f].name);
		*(f == DFC_SPEC_SRC ? &s->src : &s->dst) = addrs;
		/* One version left: the criterion has it (two: entries of both). */
		if (any && m != (VER4 | VER6))
			s->ipver = m == VER4 ? 4 : 6;
	} else {
		nums.n = n;
		*dfc_spec_field_nums(s, f) = nums;
	}
	return 0;
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
	m = dfc_spec_vers(s->ipver, &s->src, &s->dst, &any);
	if (any && !(m & dfc_spec_ver_bit(f->ipver)))
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
