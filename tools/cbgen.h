/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ClassBench-style rule generation (the method of Taylor and Turner's
 * ClassBench, 2005; this project's own profiles and code), shared by
 * tools/cbgen.c (rule sets as text), tools/bench_ruleset.c and the
 * differential test selftests/unit_table.c (rules as DTCP criteria).
 *
 * A profile holds distributions taken from real filter sets, and each
 * rule draws from them in turn: a protocol, then for TCP and UDP a pair of
 * port classes (WC any, HI 1024-65535, LO 0-1023, AR an arbitrary range,
 * EM one port) with their values, then a pair of prefix lengths, then
 * addresses grown from a few base networks per side, picked with a skew,
 * so that prefixes nest and share networks as in real sets. The three
 * profiles approximate ClassBench's acl (hosts and ports), fw (short
 * prefixes, wildcards, 1024-65535 ranges) and ipc (every shape at once);
 * the weights are this project's estimates, not ClassBench's seed files.
 * Same profile and seed: the same rules.
 */
#ifndef DFC_CBGEN_H
#define DFC_CBGEN_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define CB_LEN(a) (sizeof(a) / sizeof((a)[0]))

enum pcls { WC, HI, LO, AR, EM };

struct w_proto { uint8_t proto, mask; unsigned int w; };
struct w_cls { uint8_t s, d; unsigned int w; };		/* enum pcls pair */
struct w_plen { uint8_t s, d; unsigned int w; };
struct w_port { uint16_t lo, hi; unsigned int w; };

#define CB_W(a) a, CB_LEN(a)

struct cb_profile {
	const char *name;
	const struct w_proto *proto; size_t n_proto;
	const struct w_cls *cls; size_t n_cls;
	const struct w_plen *plen; size_t n_plen;
	const struct w_port *em; size_t n_em;		/* exact ports */
	const struct w_port *ar; size_t n_ar;		/* arbitrary ranges */
	unsigned int bases;		/* base networks per side */
	unsigned int random_plen;	/* per mille: lengths drawn uniformly */
};

/* ---- acl: host pairs, a destination port, few ranges ---- */
static const struct w_proto acl_proto[] = {
	{ 6, 0xff, 834 }, { 0, 0, 83 }, { 1, 0xff, 34 }, { 17, 0xff, 10 },
};
static const struct w_cls acl_cls[] = {
	{ WC, EM, 548 }, { WC, WC, 296 }, { WC, AR, 117 }, { WC, HI, 10 },
};
static const struct w_plen acl_plen[] = {
	{ 32, 32, 464 }, { 31, 32, 129 }, { 32, 31, 113 }, { 31, 31, 27 },
	{ 32, 30, 23 }, { 32, 22, 21 }, { 30, 32, 21 }, { 32, 24, 14 },
	{ 23, 32, 14 }, { 31, 22, 12 }, { 31, 23, 11 }, { 24, 31, 11 },
	{ 32, 25, 10 }, { 31, 25, 8 }, { 25, 32, 8 }, { 24, 16, 5 },
};
static const struct w_port acl_em[] = {
	{ 1521, 1521, 97 }, { 1526, 1526, 28 }, { 1221, 1221, 27 },
	{ 14753, 14753, 20 }, { 1433, 1433, 20 }, { 1705, 1705, 16 },
	{ 135, 135, 16 }, { 1707, 1707, 15 }, { 80, 80, 14 }, { 443, 443, 12 },
	{ 5541, 5541, 12 }, { 0, 0, 120 },	/* 0..0: a random port */
};
static const struct w_port acl_ar[] = {
	{ 1600, 1649, 11 }, { 1300, 1350, 11 }, { 1300, 1349, 10 },
	{ 61500, 61509, 7 }, { 2200, 2210, 7 }, { 8000, 8100, 5 },
	{ 61600, 61609, 5 }, { 61200, 61209, 5 }, { 0, 0, 40 },
};

/* ---- fw: wildcards and very short prefixes, 1024-65535 ranges ---- */
static const struct w_proto fw_proto[] = {
	{ 6, 0xff, 471 }, { 17, 0xff, 294 }, { 47, 0xff, 48 }, { 1, 0xff, 33 },
	{ 0, 0, 9 },
};
static const struct w_cls fw_cls[] = {
	{ WC, EM, 474 }, { WC, WC, 184 }, { EM, WC, 83 }, { HI, HI, 52 },
	{ EM, EM, 25 }, { EM, HI, 17 }, { HI, EM, 15 }, { HI, AR, 3 },
	{ AR, HI, 2 },
};
static const struct w_plen fw_plen[] = {
	{ 1, 32, 143 }, { 0, 31, 105 }, { 0, 32, 104 }, { 1, 31, 56 },
	{ 2, 32, 50 }, { 32, 32, 37 }, { 32, 1, 31 }, { 31, 0, 31 },
	{ 32, 0, 27 }, { 0, 30, 25 }, { 32, 31, 22 }, { 31, 1, 14 },
	{ 0, 0, 13 }, { 32, 2, 12 }, { 31, 32, 12 }, { 30, 32, 9 },
	{ 29, 32, 8 }, { 28, 0, 8 }, { 0, 21, 6 }, { 0, 27, 6 },
};
static const struct w_port fw_em[] = {
	{ 22, 22, 53 }, { 53, 53, 51 }, { 25, 25, 49 }, { 80, 80, 48 },
	{ 123, 123, 33 }, { 750, 750, 22 }, { 544, 544, 20 }, { 2105, 2105, 17 },
	{ 21, 21, 15 }, { 23, 23, 14 }, { 67, 67, 11 }, { 443, 443, 11 },
	{ 161, 161, 10 }, { 0, 0, 60 },
};
static const struct w_port fw_ar[] = {
	{ 33434, 33600, 3 }, { 6000, 6063, 1 }, { 0, 0, 2 },
};

/* ---- ipc: a bit of everything ---- */
static const struct w_proto ipc_proto[] = {
	{ 17, 0xff, 367 }, { 0, 0, 319 }, { 6, 0xff, 278 }, { 1, 0xff, 9 },
	{ 47, 0xff, 4 }, { 50, 0xff, 1 }, { 51, 0xff, 1 },
};
static const struct w_cls ipc_cls[] = {
	{ WC, WC, 366 }, { WC, EM, 354 }, { EM, WC, 152 }, { WC, HI, 55 },
	{ AR, WC, 23 }, { WC, AR, 22 }, { EM, EM, 4 }, { HI, WC, 3 },
};
static const struct w_plen ipc_plen[] = {
	{ 32, 32, 174 }, { 31, 32, 50 }, { 24, 32, 25 }, { 32, 31, 23 },
	{ 32, 25, 21 }, { 25, 32, 20 }, { 23, 32, 20 }, { 23, 24, 19 },
	{ 24, 23, 17 }, { 24, 31, 16 }, { 24, 25, 16 }, { 32, 27, 15 },
	{ 25, 31, 15 }, { 24, 24, 15 }, { 0, 32, 15 }, { 32, 24, 13 },
	{ 26, 26, 12 }, { 22, 16, 10 }, { 16, 16, 8 }, { 0, 0, 6 },
};
static const struct w_port ipc_em[] = {
	{ 514, 514, 70 }, { 69, 69, 62 }, { 80, 80, 32 }, { 9003, 9003, 31 },
	{ 53, 53, 26 }, { 25, 25, 22 }, { 161, 161, 44 }, { 1433, 1433, 11 },
	{ 137, 137, 11 }, { 143, 143, 7 }, { 22, 22, 8 }, { 0, 0, 60 },
};
static const struct w_port ipc_ar[] = {
	{ 109, 110, 6 }, { 20, 23, 5 }, { 1645, 1646, 5 }, { 20, 21, 4 },
	{ 5000, 5001, 3 }, { 1812, 1813, 1 }, { 0, 0, 6 },
};

static const struct cb_profile cb_profiles[] = {
	{ "acl", CB_W(acl_proto), CB_W(acl_cls), CB_W(acl_plen), CB_W(acl_em), CB_W(acl_ar), 24, 30 },
	{ "fw", CB_W(fw_proto), CB_W(fw_cls), CB_W(fw_plen), CB_W(fw_em), CB_W(fw_ar), 8, 60 },
	{ "ipc", CB_W(ipc_proto), CB_W(ipc_cls), CB_W(ipc_plen), CB_W(ipc_em), CB_W(ipc_ar), 32, 150 },
};

/* A generator: its profile, random state and base networks. */
struct cbgen {
	const struct cb_profile *pf;
	uint64_t rng;
	uint32_t base_src[64], base_dst[64];
};

/* One rule: addresses in host order, masked to their lengths. */
struct cb_rule {
	uint32_t src, dst;
	uint8_t slen, dlen;
	uint16_t slo, shi, dlo, dhi;
	uint8_t proto, pmask;		/* pmask 0: any protocol */
};

static inline uint64_t cb_rnd(struct cbgen *g)
{
	uint64_t z = (g->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline unsigned int cb_rn(struct cbgen *g, unsigned int n)
{
	return (unsigned int)(cb_rnd(g) % n);
}

/* Index into a table of weights: the field w of each element. */
#define CB_PICK(g, tab, n) cb_pick_w((g), &(tab)[0].w, sizeof((tab)[0]), (n))

static inline size_t cb_pick_w(struct cbgen *g, const unsigned int *w0, size_t stride,
			       size_t n)
{
	const char *p = (const char *)w0;
	unsigned long total = 0, r;
	size_t i;

	for (i = 0; i < n; i++)
		total += *(const unsigned int *)(p + i * stride);
	r = cb_rnd(g) % total;
	for (i = 0; i < n; i++) {
		unsigned int w = *(const unsigned int *)(p + i * stride);

		if (r < w)
			return i;
		r -= w;
	}
	return n - 1;
}

static inline void cb_port(struct cbgen *g, enum pcls c, uint16_t *lo, uint16_t *hi)
{
	const struct cb_profile *pf = g->pf;
	const struct w_port *p;

	switch (c) {
	case WC:
		*lo = 0, *hi = 65535;
		return;
	case HI:
		*lo = 1024, *hi = 65535;
		return;
	case LO:
		*lo = 0, *hi = 1023;
		return;
	case EM:
		p = &pf->em[CB_PICK(g, pf->em, pf->n_em)];
		*lo = *hi = p->hi ? p->lo : (uint16_t)(1 + cb_rn(g, 65535));
		return;
	case AR:
		p = &pf->ar[CB_PICK(g, pf->ar, pf->n_ar)];
		if (p->hi) {
			*lo = p->lo, *hi = p->hi;
		} else {
			/* A random range: widths spread over the orders of magnitude. */
			unsigned int width = 1u << cb_rn(g, 14), l, h;

			l = cb_rn(g, 65536 - width);
			h = l + width + cb_rn(g, width);
			*lo = (uint16_t)l;
			*hi = (uint16_t)(h > 65535 ? 65535 : h);
		}
		return;
	}
}

/* An address of plen bits from one of the bases, picked with a skew. */
static inline uint32_t cb_addr(struct cbgen *g, const uint32_t *bases, unsigned int plen)
{
	double u = (double)cb_rnd(g) / 18446744073709551616.0;
	uint32_t a = bases[(unsigned int)(g->pf->bases * u * u)];
	/* The base decides the first 8 to 20 bits, the rest is the rule's own. */
	unsigned int keep = 8 + cb_rn(g, 13);
	uint32_t own = (uint32_t)cb_rnd(g);

	a = (a & (~0u << (32 - keep))) | (own & ~(~0u << (32 - keep)));
	return plen ? a & (~0u << (32 - plen)) : 0;
}

/* The profile called name, or NULL. */
static inline const struct cb_profile *cb_profile(const char *name)
{
	size_t i;

	for (i = 0; i < CB_LEN(cb_profiles); i++)
		if (!strcmp(name, cb_profiles[i].name))
			return &cb_profiles[i];
	return NULL;
}

static inline void cbgen_init(struct cbgen *g, const struct cb_profile *pf, uint64_t seed)
{
	unsigned int i;

	g->pf = pf;
	g->rng = seed * 0x2545f4914f6cdd1dULL + (uint64_t)(pf - cb_profiles);
	for (i = 0; i < pf->bases; i++) {
		g->base_src[i] = (uint32_t)cb_rnd(g);
		g->base_dst[i] = (uint32_t)cb_rnd(g);
	}
}

static inline void cbgen_rule(struct cbgen *g, struct cb_rule *r)
{
	const struct cb_profile *pf = g->pf;
	const struct w_proto *pr = &pf->proto[CB_PICK(g, pf->proto, pf->n_proto)];
	unsigned int sl, dl;

	r->slo = r->dlo = 0;
	r->shi = r->dhi = 65535;
	if (pr->mask && (pr->proto == 6 || pr->proto == 17)) {
		const struct w_cls *c = &pf->cls[CB_PICK(g, pf->cls, pf->n_cls)];

		cb_port(g, (enum pcls)c->s, &r->slo, &r->shi);
		cb_port(g, (enum pcls)c->d, &r->dlo, &r->dhi);
	}
	if (cb_rn(g, 1000) < pf->random_plen) {
		sl = cb_rn(g, 33);
		dl = cb_rn(g, 33);
	} else {
		const struct w_plen *pl = &pf->plen[CB_PICK(g, pf->plen, pf->n_plen)];

		sl = pl->s;
		dl = pl->d;
	}
	r->slen = (uint8_t)sl;
	r->dlen = (uint8_t)dl;
	r->src = cb_addr(g, g->base_src, sl);
	r->dst = cb_addr(g, g->base_dst, dl);
	r->proto = pr->proto & pr->mask;
	r->pmask = pr->mask;
}

/* An address and its prefix length as "a.b.c.d/len" into buf (CB_PREFIX_LEN bytes). */
#define CB_PREFIX_LEN 32
static inline const char *cb_prefix_fmt(char *buf, uint32_t a, unsigned int len)
{
	snprintf(buf, CB_PREFIX_LEN, "%u.%u.%u.%u/%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255,
		 a & 255, len);
	return buf;
}

/* ClassBench's text format, one line. */
static inline void cb_rule_print(FILE *f, const struct cb_rule *r)
{
	char src[CB_PREFIX_LEN], dst[CB_PREFIX_LEN];

	fprintf(f, "@%s\t%s\t%u : %u\t%u : %u\t0x%02x/0x%02x\t0x0000/0x0000\t\n",
		cb_prefix_fmt(src, r->src, r->slen), cb_prefix_fmt(dst, r->dst, r->dlen),
		r->slo, r->shi, r->dlo, r->dhi, r->proto, r->pmask);
}

/* One line of that format back; -1 if it is not one. */
static inline int cb_rule_parse(const char *line, struct cb_rule *r)
{
	unsigned int s[4], d[4], sl, dl, slo, shi, dlo, dhi, p, pm, i;

	if (sscanf(line, "@%u.%u.%u.%u/%u %u.%u.%u.%u/%u %u : %u %u : %u %x/%x",
		   &s[0], &s[1], &s[2], &s[3], &sl, &d[0], &d[1], &d[2], &d[3], &dl,
		   &slo, &shi, &dlo, &dhi, &p, &pm) != 16)
		return -1;
	for (i = 0; i < 4; i++)
		if (s[i] > 255 || d[i] > 255)
			return -1;
	if (sl > 32 || dl > 32 || slo > shi || shi > 65535 || dlo > dhi || dhi > 65535 ||
	    p > 255 || (pm != 0 && pm != 0xff))
		return -1;
	r->src = (s[0] << 24 | s[1] << 16 | s[2] << 8 | s[3]) & (sl ? ~0u << (32 - sl) : 0);
	r->dst = (d[0] << 24 | d[1] << 16 | d[2] << 8 | d[3]) & (dl ? ~0u << (32 - dl) : 0);
	r->slen = (uint8_t)sl;
	r->dlen = (uint8_t)dl;
	r->slo = (uint16_t)slo;
	r->shi = (uint16_t)shi;
	r->dlo = (uint16_t)dlo;
	r->dhi = (uint16_t)dhi;
	r->proto = (uint8_t)(p & pm);
	r->pmask = (uint8_t)pm;
	return 0;
}

#ifdef DFC_SPEC_H
/*
 * The rule as the DTCP criterion a mediation device would send: addresses
 * left out when /0, ports when 0-65535, the protocol when any. 0, or -1
 * with *why (the parser's).
 */
static inline int cb_rule_spec(const struct cb_rule *r, struct dfc_spec *s, const char **why)
{
	char v[64];

	memset(s, 0, sizeof(*s));
	if (r->slen) {
		if (dfc_spec_parse_field(s, DFC_SPEC_SRC, cb_prefix_fmt(v, r->src, r->slen), why))
			return -1;
	}
	if (r->dlen) {
		if (dfc_spec_parse_field(s, DFC_SPEC_DST, cb_prefix_fmt(v, r->dst, r->dlen), why))
			return -1;
	}
	if (r->slo || r->shi != 65535) {
		snprintf(v, sizeof(v), "%u-%u", r->slo, r->shi);
		if (dfc_spec_parse_field(s, DFC_SPEC_SPORT, v, why))
			return -1;
	}
	if (r->dlo || r->dhi != 65535) {
		snprintf(v, sizeof(v), "%u-%u", r->dlo, r->dhi);
		if (dfc_spec_parse_field(s, DFC_SPEC_DPORT, v, why))
			return -1;
	}
	if (r->pmask) {
		snprintf(v, sizeof(v), "%u", r->proto);
		if (dfc_spec_parse_field(s, DFC_SPEC_PROTO, v, why))
			return -1;
	}
	return 0;
}
#endif

#endif /* DFC_CBGEN_H */
