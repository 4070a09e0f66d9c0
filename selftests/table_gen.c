// SPDX-License-Identifier: GPL-2.0
/*
 * Random criteria and frames for the classifier's differential test
 * (unit_table.c): DTCP criteria of many shapes (or ClassBench-style rules,
 * tools/cbgen.h) as text through dfc_spec, and frames drawn mostly from
 * some criterion's items, as the kernel's parser would key them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table_gen.h"

/* ------------------------------------------------------------ random */

uint64_t rng_state = 0x5eedULL, kr_state = 0x1234567ULL;

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t rnd(void)
{
	return splitmix(&rng_state);
}

/* Uniform enough in [0, n). */
unsigned int rn(unsigned int n)
{
	return (unsigned int)(rnd() % n);
}

bool pct(unsigned int p)
{
	return rn(100) < p;
}

/* Table instances' hash seeds: their own stream, so they vary by run. */
u32 get_random_u32(void)
{
	return (u32)splitmix(&kr_state);
}

/* ------------------------------------------------------- random specs */

void put_addr(char *out, size_t len, int ver, const uint8_t *a)
{
	inet_ntop(ver == 4 ? AF_INET : AF_INET6, a, out, (socklen_t)len);
}

static u128 get128(const uint8_t *a, unsigned int alen)
{
	u128 v = 0;

	for (unsigned int i = 0; i < alen; i++)
		v = v << 8 | a[i];
	return v;
}

static void set128(uint8_t *a, u128 v, unsigned int alen)
{
	memset(a, 0, 16);
	for (unsigned int i = alen; i-- > 0; v >>= 8)
		a[i] = (uint8_t)v;
}

/* An address near the others: frames and criteria share few networks. */
static void pool_addr(int ver, uint8_t *a)
{
	memset(a, 0, 16);
	if (ver == 4) {
		a[0] = 10;
		a[1] = (uint8_t)rn(4);
		a[2] = (uint8_t)rn(8);
		a[3] = (uint8_t)rnd();
	} else {
		a[0] = 0x20;
		a[1] = 0x01;
		a[2] = 0x0d;
		a[3] = 0xb8;
		a[5] = (uint8_t)rn(4);
		a[7] = (uint8_t)rn(8);
		a[14] = (uint8_t)rn(4);
		a[15] = (uint8_t)rnd();
	}
}

static const unsigned int v4_plens[] = { 24, 16, 28, 8, 30 };
static const unsigned int v6_plens[] = { 64, 48, 120, 32, 126 };

/*
 * Entry classes. Criteria are mostly hosts, a couple of prefix lengths,
 * exact ports and protocols, as real ones are: the number of distinct
 * masks (what a lookup costs) stays in the hundreds. Ranges add blocks
 * of many lengths; WILD entries (any form, any prefix length) add the
 * odd masks.
 */
enum cls { C_NONE, C_EXACT, C_PFX_A, C_PFX_B, C_RANGE, C_STAR, C_WILD };

static enum cls pick_cls(const unsigned int *w)
{
	unsigned int r = rn(100), acc = 0, c;

	for (c = 0; c <= C_WILD; c++) {
		acc += w[c];
		if (r < acc)
			return (enum cls)c;
	}
	return C_NONE;
}

/* One address entry of class c and version ver, as DTCP text. */
static void gen_addr_entry(char *out, size_t len, int ver, enum cls c)
{
	unsigned int alen = ver == 4 ? 4 : 16, bits = alen * 8, r;
	const unsigned int *pl = ver == 4 ? v4_plens : v6_plens;
	char a[64], b[64];
	uint8_t x[16], y[16];
	u128 v;

	pool_addr(ver, x);
	put_addr(a, sizeof(a), ver, x);
	if (c == C_WILD)
		c = (enum cls)(C_EXACT + rn(C_WILD));
	switch (c) {
	case C_PFX_A:
	case C_PFX_B:
		snprintf(out, len, "%s/%u", a, pl[c - C_PFX_A]);
		return;
	case C_RANGE:
		v = get128(x, alen);
		v += rn(pct(80) ? 16 : 300);
		set128(y, v, alen);
		put_addr(b, sizeof(b), ver, y);
		snprintf(out, len, "%s%s-%s", a, rn(2) ? "" : " ", b);
		return;
	case C_STAR:
		snprintf(out, len, "*");
		return;
	case C_WILD:	/* any other form */
		r = rn(4);
		memset(y, r & 1 ? 0xff : 0, 16);
		y[alen - 1] = (uint8_t)rnd();
		put_addr(b, sizeof(b), ver, y);
		if (r == 0)
			snprintf(out, len, "*-%s", b);
		else if (r == 1)
			snprintf(out, len, "%s-*", b);
		else if (r == 2)
			snprintf(out, len, "%s/%u", a, pl[2 + rn(3)]);
		else
			snprintf(out, len, "%s/%u", a, bits - rn(bits / 2 + 1));
		return;
	default:
		snprintf(out, len, "%s", a);
		return;
	}
}

static void gen_num_entry(char *out, size_t len, unsigned int max,
			  const unsigned int *common, unsigned int n_common,
			  enum cls c)
{
	unsigned int a = pct(60) ? common[rn(n_common)] : rn(max + 1), b;

	if (c == C_WILD)
		c = (enum cls)(C_EXACT + rn(C_WILD));
	switch (c) {
	case C_RANGE:
		b = a + rn(pct(70) ? 16 : max / 64 + 1);
		snprintf(out, len, "%u-%u", a, b > max ? max : b);
		return;
	case C_STAR:
		snprintf(out, len, "*");
		return;
	case C_PFX_A:
		snprintf(out, len, "%u-*", max - rn(max / 8 + 1));
		return;
	case C_PFX_B:
		snprintf(out, len, "*-%u", rn(max / 8 + 1));
		return;
	case C_WILD:
		snprintf(out, len, max > 255 ? "1024-65535" : "0-127");
		return;
	default:
		snprintf(out, len, "%u", a);
		return;
	}
}

static const unsigned int common_ports[] = { 22, 53, 80, 443, 1024, 5060, 8080, 65535, 0 };
static const unsigned int common_protos[] = { 6, 17, 1, 58, 132, 136, 47, 50 };
static const unsigned int common_icmp[] = { 0, 3, 8, 11, 128, 129, 135 };

static void gen_entry(char *e, size_t len, enum dfc_spec_field f, int ver,
		      enum cls c)
{
	switch (f) {
	case DFC_SPEC_SRC:
	case DFC_SPEC_DST:
		gen_addr_entry(e, len, ver, c);
		break;
	case DFC_SPEC_SPORT:
	case DFC_SPEC_DPORT:
		gen_num_entry(e, len, 65535, common_ports, 9, c);
		break;
	case DFC_SPEC_PROTO:
		gen_num_entry(e, len, 255, common_protos, 8, c);
		break;
	default:
		gen_num_entry(e, len, 255, common_icmp, 7, c);
		break;
	}
}

/*
 * A list for one field: usually one entry, sometimes more of the same
 * class (rarely of any class), plus negated entries: usually holes in
 * what the positive ones admit, or negation only (n_pos 0).
 */
static void gen_field(char *out, size_t len, enum dfc_spec_field f, int ver,
		      enum cls c, unsigned int n_pos, unsigned int n_neg,
		      bool wild)
{
	unsigned int i, r, n = n_pos + n_neg;
	bool mixed = wild && pct(50);
	size_t used = 0;

	out[0] = '\0';
	for (i = 0; i < n; i++) {
		bool neg = i >= n_pos;
		enum cls ci = mixed ? (enum cls)(C_EXACT + rn(C_WILD)) : c;
		char e[160];

		if (neg) {
			r = rn(100);
			ci = r < 60 ? C_EXACT : r < 80 ? C_RANGE : r < 98 ? C_PFX_A : C_STAR;
		}
		gen_entry(e, sizeof(e), f, ver, ci);
		used += (size_t)snprintf(out + used, len - used, "%s%s%s",
					 i ? (pct(50) ? ", " : ",") : "",
					 neg ? (pct(20) ? "! " : "!") : "", e);
	}
}

static unsigned int n_items(void)
{
	unsigned int r = rn(100);

	return r < 80 ? 1 : r < 97 ? 2 + rn(2) : 4 + rn(3);
}


/* The specs apart: the naive loop reads only them. */
struct dfc_spec *specs;
struct crit_rec *recs;
unsigned int n_specs;

struct dfc_nl_entry g_ents[DFC_CRIT_MAX_ENTRIES], g_excl[DFC_CRIT_MAX_EXCL];
struct dfc_key g_masks[DFC_CRIT_MAX_ENTRIES];
unsigned long gen_e2big, gen_entries, gen_excls, gen_max_entries;

/*
 * Criteria profiles: which fields a criterion has and of which class; the
 * values are random. A profile's ranges give it a few masks, so all of
 * them together stay within a few hundred masks, whatever the number of
 * criteria; the wild ones (any class anywhere) add the odd masks.
 */
struct profile {
	unsigned int weight;	/* per mille */
	int ver;		/* -1: 4 or 6; 0: none; -2: 4 or 6, no address */
	enum cls c[DFC_SPEC_NFIELDS];	/* src dst sport dport proto type code */
	unsigned int ifindex_pct;
};

static const struct profile profiles[] = {
	{ 180, -1, { C_EXACT, C_EXACT, 0, C_EXACT, C_EXACT }, 2 },
	{ 90, -1, { C_EXACT }, 2 },
	{ 90, -1, { 0, C_EXACT }, 2 },
	{ 70, -1, { 0, C_PFX_A, 0, 0, C_EXACT }, 0 },
	{ 60, -1, { C_PFX_B, C_EXACT }, 0 },
	{ 60, -1, { C_EXACT, C_EXACT, C_EXACT, C_EXACT, C_EXACT }, 0 },
	{ 50, -1, { 0, C_EXACT, 0, C_RANGE, C_EXACT }, 0 },
	{ 50, -1, { C_RANGE, C_EXACT }, 0 },
	{ 50, -1, { C_PFX_A, C_PFX_A }, 0 },
	{ 40, -1, { C_EXACT, 0, 0, 0, C_EXACT, C_EXACT }, 0 },
	{ 20, -1, { C_EXACT, 0, 0, 0, C_EXACT, C_EXACT, C_EXACT }, 0 },
	{ 30, 0, { 0, 0, 0, C_EXACT, C_EXACT }, 0 },
	{ 20, -2, { 0, 0, 0, C_EXACT }, 0 },
	{ 30, -1, { 0, C_EXACT, 0, C_STAR }, 0 },
	{ 30, -1, { C_EXACT, 0, C_RANGE }, 0 },
	{ 30, -1, { 0, C_PFX_B, 0, 0, C_RANGE }, 0 },
	{ 30, -1, { C_EXACT }, 100 },
	{ 30, -1, { 0, C_RANGE, 0, C_EXACT }, 0 },
	{ 20, -1, { C_PFX_A, 0, 0, C_PFX_A }, 0 },
	{ 20, -1, { 0, C_EXACT, 0, C_PFX_B, C_EXACT }, 0 },
	{ 10, -1, { C_STAR, C_EXACT, C_EXACT, C_EXACT }, 0 },
	{ 5, 0, { 0, 0, 0, 0, 0, C_RANGE }, 0 },
};

static const unsigned int w_wild[] = { 45, 15, 8, 8, 10, 6, 8 };

/* Set by the classbench tests: criteria are ClassBench-style rules. */
struct cbgen cb;

/* One random criterion of the profiles above into s. 0, or the parser's error. */
static int random_spec(struct dfc_spec *s, const char **why)
{
	char buf[2048];
	int err, ver, f;

	unsigned int r = rn(1000), neg_field = DFC_SPEC_NFIELDS, p;
	const struct profile *pr = NULL;
	bool wild = r < 3, any_addr = false;
	enum cls c[DFC_SPEC_NFIELDS];

	memset(s, 0, sizeof(*s));
	for (p = 0; !wild; p++) {
		pr = &profiles[p % (sizeof(profiles) / sizeof(profiles[0]))];
		if (r < pr->weight)
			break;
		r -= pr->weight;
	}
	ver = pct(55) ? 4 : 6;
	if (wild) {
		for (f = 0; f < DFC_SPEC_NFIELDS; f++)
			c[f] = pick_cls(w_wild);
		if (pct(10))
			ver = 0;
		/* Port and ICMP conditions: never matches; rarely. */
		if ((c[DFC_SPEC_SPORT] || c[DFC_SPEC_DPORT]) && pct(85))
			c[DFC_SPEC_ICMP_TYPE] = c[DFC_SPEC_ICMP_CODE] = C_NONE;
	} else {
		memcpy(c, pr->c, sizeof(c));
		if (!pr->ver)
			ver = 0;
	}
	if (!ver)
		c[DFC_SPEC_SRC] = c[DFC_SPEC_DST] = C_NONE;
	/* Negation in an eighth: holes mostly, negation only at times. */
	if (pct(12) || wild) {
		neg_field = rn(DFC_SPEC_NFIELDS);
		if (!ver && neg_field <= DFC_SPEC_DST)
			neg_field = DFC_SPEC_PROTO;
		if (!c[neg_field] && pct(70))
			neg_field = DFC_SPEC_NFIELDS;
	}
	for (f = 0; f < DFC_SPEC_NFIELDS; f++) {
		unsigned int n_pos = c[f] ? n_items() : 0;
		unsigned int n_neg = (unsigned int)f == neg_field ? 1 + rn(2) : 0;

		if (!n_pos && !n_neg)
			continue;
		gen_field(buf, sizeof(buf), (enum dfc_spec_field)f, ver,
			  c[f], n_pos, n_neg, wild);
		err = dfc_spec_parse_field(s, (enum dfc_spec_field)f, buf, why);
		if (err)
			return err;
		any_addr |= f <= DFC_SPEC_DST;
	}
	if (ver && !any_addr)
		s->ipver = (uint8_t)ver;	/* the version alone */
	if (pct(wild ? 30 : pr->ifindex_pct))
		s->ifindex = 1 + rn(4);
	return 0;
}

/* One ClassBench-style rule (cb) as a criterion into s. */
static int cb_spec(struct dfc_spec *s, const char **why)
{
	struct cb_rule r;

	cbgen_rule(&cb, &r);
	return cb_rule_spec(&r, s, why) ? -EINVAL : 0;
}

/* Random spec until one expands within the bounds; entries in g_ents. */
int gen_spec(struct dfc_spec *s, unsigned int *ne, unsigned int *nx, const char **why)
{
	for (;;) {
		int err = cb.pf ? cb_spec(s, why) : random_spec(s, why);

		if (!err)
			err = dfc_spec_expand(s, g_ents, DFC_CRIT_MAX_ENTRIES, ne, g_excl,
					      DFC_CRIT_MAX_EXCL, nx, why);
		if (err != -E2BIG)
			return err;
		gen_e2big++;
	}
}

/* ------------------------------------------------------- random frames */

/* A value of a numeric field, from the list or near its edges. */
static unsigned int pick_num(const struct dfc_spec_nums *l, unsigned int max,
			     const unsigned int *common, unsigned int n_common)
{
	const struct dfc_spec_num *it;
	unsigned int r = rn(100), v;

	if (!l->n || r >= 90)
		return pct(60) ? common[rn(n_common)] : rn(max + 1);
	it = &l->item[rn(l->n)];
	r = rn(100);
	if (r < 70)
		v = it->lo + rn((unsigned int)(it->hi - it->lo) + 1);
	else if (r < 80)
		v = it->lo;
	else if (r < 90)
		v = it->hi;
	else if (r < 95)
		v = it->lo - 1;
	else
		v = it->hi + 1u;
	return v & max;
}

static void pick_addr(const struct dfc_spec_addrs *l, int ver, uint8_t *a)
{
	unsigned int alen = ver == 4 ? 4 : 16, r = rn(100);
	const struct dfc_spec_addr *it;
	u128 lo, hi, v;

	if (!l->n || r >= 88) {
		if (pct(80)) {
			pool_addr(ver, a);
		} else {
			for (unsigned int i = 0; i < 16; i++)
				a[i] = i < alen ? (uint8_t)rnd() : 0;
		}
		return;
	}
	it = &l->item[rn(l->n)];
	lo = get128(it->lo, alen);
	hi = get128(it->hi, alen);
	r = rn(100);
	if (r < 70) {
		u128 span = hi - lo, x = (u128)rnd() << 64 | rnd();

		v = span == ~(u128)0 ? x : lo + x % (span + 1);
	} else if (r < 80) {
		v = lo;
	} else if (r < 90) {
		v = hi;
	} else if (r < 95) {
		v = lo - 1;
	} else {
		v = hi + 1;
	}
	set128(a, v, alen);
}

static bool port_proto(uint8_t p)
{
	return p == 6 || p == 17 || p == 132 || p == 136;
}

/* A frame as the kernel parser would see one: flags follow the protocol. */
static void gen_frame(struct dfc_flow *fl, const struct dfc_spec *s)
{
	static const struct dfc_spec empty;
	bool nonfirst = false;
	int ver;

	if (!s)
		s = &empty;
	memset(fl, 0, sizeof(*fl));
	ver = s->ipver && pct(95) ? s->ipver : pct(50) ? 4 : 6;
	fl->ipver = (uint8_t)ver;
	pick_addr(s->ipver == ver ? &s->src : &empty.src, ver, fl->src);
	pick_addr(s->ipver == ver ? &s->dst : &empty.dst, ver, fl->dst);

	if (s->proto.n) {
		fl->proto = (uint8_t)pick_num(&s->proto, 255, common_protos, 8);
	} else if ((s->sport.n || s->dport.n) && pct(85)) {
		static const uint8_t pp[] = { 6, 17, 132, 136 };

		fl->proto = pp[rn(4)];
	} else if ((s->icmp_type.n || s->icmp_code.n) && pct(85)) {
		fl->proto = ver == 4 ? 1 : 58;
	} else {
		fl->proto = (uint8_t)(pct(80) ? common_protos[rn(8)] : rn(256));
	}
	if (pct(8)) {
		fl->frag = true;
		nonfirst = pct(50);
	}
	fl->has_ports = port_proto(fl->proto) && !nonfirst;
	fl->has_icmp = fl->proto == (ver == 4 ? 1 : 58) && !nonfirst;
	if (fl->has_ports) {
		fl->sport = (uint16_t)pick_num(&s->sport, 65535, common_ports, 9);
		fl->dport = (uint16_t)pick_num(&s->dport, 65535, common_ports, 9);
	}
	if (fl->has_icmp) {
		fl->icmp_type = (uint8_t)pick_num(&s->icmp_type, 255, common_icmp, 7);
		fl->icmp_code = (uint8_t)pick_num(&s->icmp_code, 255, common_icmp, 7);
	}
	fl->ifindex = s->ifindex && pct(85) ? s->ifindex : 1 + rn(5);
}

/* What the kernel's parser puts into the key for this frame. */
void flow_to_key(const struct dfc_flow *f, struct dfc_key *k)
{
	memset(k, 0, sizeof(*k));
	k->ipver = f->ipver;
	memcpy(k->src, f->src, f->ipver == 4 ? 4 : 16);
	memcpy(k->dst, f->dst, f->ipver == 4 ? 4 : 16);
	k->proto = f->proto;
	k->ifindex = f->ifindex;
	if (f->has_ports) {
		k->sport = htons(f->sport);
		k->dport = htons(f->dport);
		k->flags |= DFC_KEY_F_PORTS;
	}
	if (f->has_icmp) {
		k->icmp_type = f->icmp_type;
		k->icmp_code = f->icmp_code;
		k->flags |= DFC_KEY_F_ICMP;
	}
	if (f->frag)
		k->flags |= DFC_KEY_F_FRAG;
}

static int cmp_flow(const void *a, const void *b)
{
	const struct dfc_flow *x = a, *y = b;

	if (x->ipver != y->ipver)
		return x->ipver < y->ipver ? -1 : 1;
	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	return memcmp(x->src, y->src, 16);
}

/*
 * Frames for one phase: most from a live criterion, some from a removed
 * one (must no longer match), some from nothing at all.
 */
struct dfc_flow *gen_frames(unsigned int n)
{
	struct dfc_flow *v = calloc(n, sizeof(*v));
	unsigned int i, j;

	if (!v)
		abort();
	for (i = 0; i < n; i++) {
		unsigned int r = rn(100);
		const struct dfc_spec *s = NULL;

		for (j = 0; r < 92 && j < 64; j++) {
			unsigned int k = rn(n_specs);

			if (recs[k].live || (r < 8 && recs[k].ever)) {
				s = &specs[k];
				break;
			}
		}
		gen_frame(&v[i], s);
	}
	/*
	 * Grouped by version, then protocol and source: the naive matcher's
	 * branches become predictable (several times faster); the order
	 * means nothing to either matcher.
	 */
	qsort(v, n, sizeof(*v), cmp_flow);
	return v;
}
