// SPDX-License-Identifier: GPL-2.0
/*
 * Host-tier randomized differential test of the classifier: random DTCP
 * criteria go the way dtcpd and the kernel take them, text value ->
 * dfc_spec_parse_field -> dfc_spec_expand -> struct dfc_nl_entry ->
 * struct dfc_espec -> dfc_espec_to_key -> struct dfc_crit ->
 * dfc_table_insert (kmod/table.c and kmod/entry.c, built for userspace),
 * and random frames, mostly drawn from some criterion's items and then
 * perturbed, are looked up with dfc_table_match. The set of criteria the
 * table reports (each at most once) must equal the set the naive matcher
 * (dfc_spec_match_naive, item by item over every live criterion) finds.
 *
 * Also: removal of a random 30% of the criteria half-way, insertion of new
 * ones into the compacted table, mask sorting by hits, and the table's
 * memory back to its baseline once every criterion is gone. The same runs
 * on ClassBench-style rule sets (tools/cbgen.h: acl, fw, ipc), each rule
 * one criterion with prefixes, port ranges and a protocol.
 *
 * The naive side costs frames x criteria (10^10 evaluations): two worker
 * processes; frames sorted by version, protocol and source (the naive
 * matcher's branches become predictable); criterion-major over blocks of
 * frames; a block of one IP version skips the criteria of the other.
 * Under ASan/UBSan it takes about 95 CPU seconds.
 *
 * DFC_SEED=<n> in the environment replays a run (every run prints its
 * seed); DFC_FRAMES and DFC_CRITS scale it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* kcompat_user.h defines ARRAY_SIZE unconditionally, kselftest.h if unset. */
#include "crit.h"
#include "entry.h"
#include "dfc_spec.h"
#include "kselftest_harness.h"
#include "crit_host.h"
#include "cbgen.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

__extension__ typedef unsigned __int128 u128;

#define N_CRITS		10000		/* at least 10^4 */
#define N_FRAMES	1000000		/* at least 10^6, all phases */
#define N_SORT_FRAMES	20000		/* checked in the parent, then sort */
#define N_ADDED		1000		/* inserted after the removal */
#define REMOVE_PCT	30
#define N_CB_CRITS	2000		/* per ClassBench-style profile */
#define N_CB_FRAMES	60000
#define WORKERS		2
#define BLOCK		2048		/* frames per naive block */
#define MAX_MASKS	65536
#define MAX_REPORT	8		/* mismatches printed per worker */

/* ------------------------------------------------------------ random */

static uint64_t rng_state = 0x5eedULL, kr_state = 0x1234567ULL;

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rnd(void)
{
	return splitmix(&rng_state);
}

/* Uniform enough in [0, n). */
static unsigned int rn(unsigned int n)
{
	return (unsigned int)(rnd() % n);
}

static bool pct(unsigned int p)
{
	return rn(100) < p;
}

/* Table instances' hash seeds: their own stream, so they vary by run. */
u32 get_random_u32(void)
{
	return (u32)splitmix(&kr_state);
}

/* ------------------------------------------------------- random specs */

static void put_addr(char *out, size_t len, int ver, const uint8_t *a)
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

struct crit_rec {
	struct dfc_crit *c;
	bool live;
	bool ever;		/* was inserted at some point */
};

/* The specs apart: the naive loop reads only them. */
static struct dfc_spec *specs;
static struct crit_rec *recs;
static unsigned int n_specs;

static struct dfc_nl_entry g_ents[DFC_CRIT_MAX_ENTRIES], g_excl[DFC_CRIT_MAX_EXCL];
static struct dfc_key g_masks[DFC_CRIT_MAX_ENTRIES];
static unsigned long gen_e2big, gen_entries, gen_excls, gen_max_entries;

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
static struct cbgen cb;

/* Random spec until one expands within the bounds; entries in g_ents. */
static void gen_spec(struct __test_metadata *_metadata, struct dfc_spec *s,
		     unsigned int *ne, unsigned int *nx)
{
	char buf[2048];
	const char *why;
	int err, ver, f;

	while (cb.pf) {
		struct cb_rule r;

		cbgen_rule(&cb, &r);
		ASSERT_EQ(0, cb_rule_spec(&r, s, &why)) TH_LOG("%s", why);
		err = dfc_spec_expand(s, g_ents, DFC_CRIT_MAX_ENTRIES, ne, g_excl,
				      DFC_CRIT_MAX_EXCL, nx, &why);
		if (err == -E2BIG) {
			gen_e2big++;
			continue;
		}
		ASSERT_EQ(0, err) TH_LOG("%s", why);
		return;
	}
	for (;;) {
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
			err = dfc_spec_parse_field(s, (enum dfc_spec_field)f, buf, &why);
			ASSERT_EQ(0, err) TH_LOG("'%s': %s", buf, why);
			any_addr |= f <= DFC_SPEC_DST;
		}
		if (ver && !any_addr)
			s->ipver = (uint8_t)ver;	/* the version alone */
		if (pct(wild ? 30 : pr->ifindex_pct))
			s->ifindex = 1 + rn(4);
		err = dfc_spec_expand(s, g_ents, DFC_CRIT_MAX_ENTRIES, ne, g_excl,
				      DFC_CRIT_MAX_EXCL, nx, &why);
		if (err == -E2BIG) {
			gen_e2big++;
			continue;
		}
		ASSERT_EQ(0, err) TH_LOG("%s", why);
		ASSERT_LE(1, *ne);
		return;
	}
}

static size_t crit_bytes;	/* criterion allocations held */

/* Build criterion i from spec i (entries in g_ents) and insert it. */
static void add_crit(struct __test_metadata *_metadata, struct dfc_table *t,
		     unsigned int i, unsigned int ne, unsigned int nx)
{
	struct dfc_crit *c;
	const char *why;

	c = crit_host_build(g_ents, ne, g_excl, nx, g_masks, &why);
	ASSERT_NE(NULL, c) TH_LOG("criterion %u: %s", i, why ? why : "no memory");
	c->id = i;
	/* What the kernel checks before inserting. */
	ASSERT_FALSE(dfc_crit_overlaps(c, g_masks)) TH_LOG("criterion %u", i);
	ASSERT_EQ(0, dfc_table_insert(t, c, g_masks));
	recs[i].c = c;
	recs[i].live = true;
	recs[i].ever = true;
	crit_bytes += dfc_crit_size(ne) + nx * sizeof(*c->excl);
	gen_entries += ne;
	gen_excls += nx;
	if (ne > gen_max_entries)
		gen_max_entries = ne;
}

static void del_crit(struct dfc_table *t, unsigned int i)
{
	struct dfc_crit *c = recs[i].c;

	dfc_table_remove(t, c);
	crit_bytes -= dfc_crit_size(c->n_entries) + c->n_excl * sizeof(*c->excl);
	free(c->excl);
	free(c);	/* userspace: the grace period is over already */
	recs[i].c = NULL;
	recs[i].live = false;
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
static void flow_to_key(const struct dfc_flow *f, struct dfc_key *k)
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
static struct dfc_flow *gen_frames(unsigned int n)
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

/* ------------------------------------------------------------ checking */

struct stats {
	uint64_t frames, hit_frames, matches, mismatches, dups, probed;
};

struct vec {
	uint32_t *v;
	size_t n, cap;
};

static void vec_push(struct vec *x, uint32_t a)
{
	if (x->n == x->cap) {
		x->cap = x->cap ? 2 * x->cap : 1024;
		x->v = realloc(x->v, x->cap * sizeof(*x->v));
		if (!x->v)
			abort();
	}
	x->v[x->n++] = a;
}

/* Never NULL, so empty vectors are fine for qsort, bsearch and memcmp. */
static void vec_init(struct vec *x)
{
	x->n = 0;
	x->cap = 1024;
	x->v = malloc(x->cap * sizeof(*x->v));
	if (!x->v)
		abort();
}

static void on_match(struct dfc_crit *c, void *ctx)
{
	vec_push(ctx, (uint32_t)c->id);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void print_flow(const struct dfc_flow *f)
{
	char s[64], d[64];

	put_addr(s, sizeof(s), f->ipver, f->src);
	put_addr(d, sizeof(d), f->ipver, f->dst);
	fprintf(stderr, "#   frame v%u %s -> %s proto %u ports %d %u>%u icmp %d %u/%u frag %d if %u\n",
		f->ipver, s, d, f->proto, f->has_ports, f->sport, f->dport,
		f->has_icmp, f->icmp_type, f->icmp_code, f->frag, f->ifindex);
}

static void print_spec(unsigned int id)
{
	const struct dfc_spec *s = &specs[id];

	fprintf(stderr, "#   crit %u: ipver %u ifindex %u items src %u dst %u sport %u dport %u proto %u type %u code %u, %u entries %u excl\n",
		id, s->ipver, s->ifindex, s->src.n, s->dst.n, s->sport.n,
		s->dport.n, s->proto.n, s->icmp_type.n, s->icmp_code.n,
		recs[id].c ? recs[id].c->n_entries : 0,
		recs[id].c ? recs[id].c->n_excl : 0);
}

/*
 * Check frames [from, to): the naive matcher over every live criterion
 * against the table. Spec-major per block: each spec is loaded once per
 * BLOCK frames.
 */
static void check_frames(struct dfc_table *t, const struct dfc_flow *fr,
			 unsigned int from, unsigned int to, struct stats *st)
{
	static uint32_t start[BLOCK + 1], fill[BLOCK];
	struct vec pairs, sorted, got;
	unsigned int *live[3], n_live[3] = { 0 }, b, i, k, v;
	unsigned int reported = 0;
	struct dfc_key key;

	/*
	 * Live criteria, all of them and those a frame of each version can
	 * match: a block of frames of one version skips the criteria whose
	 * ipver rules that version out (the naive matcher's first test,
	 * hoisted out of the loop; it halves the work).
	 */
	for (v = 0; v < 3; v++) {
		live[v] = calloc(n_specs, sizeof(*live[v]));
		if (!live[v])
			abort();
	}
	for (i = 0; i < n_specs; i++) {
		if (!recs[i].live)
			continue;
		live[0][n_live[0]++] = i;
		if (specs[i].ipver != 6)
			live[1][n_live[1]++] = i;
		if (specs[i].ipver != 4)
			live[2][n_live[2]++] = i;
	}

	vec_init(&pairs);
	vec_init(&sorted);
	vec_init(&got);
	for (b = from; b < to; b += BLOCK) {
		unsigned int nb = to - b < BLOCK ? to - b : BLOCK;
		const struct dfc_flow *blk = fr + b;

		v = blk[0].ipver == blk[nb - 1].ipver ? (blk[0].ipver == 4 ? 1 : 2) : 0;
		/* Naive: (frame, criterion) pairs, criterion-ascending. */
		pairs.n = 0;
		memset(start, 0, sizeof(start));
		for (i = 0; i < n_live[v]; i++) {
			unsigned int id = live[v][i];
			const struct dfc_spec *s = &specs[id];

			for (k = 0; k < nb; k++) {
				if (dfc_spec_match_naive(s, &blk[k])) {
					vec_push(&pairs, k);
					vec_push(&pairs, id);
					start[k + 1]++;
				}
			}
		}
		/* Stable counting sort by frame. */
		for (k = 0; k < nb; k++)
			start[k + 1] += start[k];
		sorted.n = 0;
		while (sorted.n < pairs.n / 2)
			vec_push(&sorted, 0);
		memcpy(fill, start, nb * sizeof(fill[0]));
		for (i = 0; i < pairs.n; i += 2)
			sorted.v[fill[pairs.v[i]]++] = pairs.v[i + 1];

		for (k = 0; k < nb; k++) {
			const uint32_t *want = sorted.v + start[k];
			size_t n_want = start[k + 1] - start[k];
			bool bad = false;

			flow_to_key(&blk[k], &key);
			got.n = 0;
			st->probed += dfc_table_match(t, &key, on_match, &got);
			if (got.n > 1)
				qsort(got.v, got.n, sizeof(*got.v), cmp_u32);
			for (i = 1; i < got.n; i++) {
				if (got.v[i] == got.v[i - 1]) {
					st->dups++;
					bad = true;
				}
			}
			if (got.n != n_want ||
			    (n_want && memcmp(got.v, want, n_want * sizeof(*want))))
				bad = true;
			st->frames++;
			st->hit_frames += n_want > 0;
			st->matches += n_want;
			if (!bad)
				continue;
			st->mismatches++;
			if (reported++ >= MAX_REPORT)
				continue;
			fprintf(stderr, "# MISMATCH at frame %u: table %zu, naive %zu\n",
				b + k, got.n, n_want);
			print_flow(&blk[k]);
			for (i = 0; i < got.n; i++) {
				if (!bsearch(&got.v[i], want, n_want, sizeof(*want), cmp_u32) ||
				    (i && got.v[i] == got.v[i - 1])) {
					fprintf(stderr, "#   only the table (or twice):\n");
					print_spec(got.v[i]);
				}
			}
			for (i = 0; i < n_want; i++) {
				if (!bsearch(&want[i], got.v, got.n, sizeof(*want), cmp_u32)) {
					fprintf(stderr, "#   only naive:\n");
					print_spec(want[i]);
				}
			}
		}
	}
	free(pairs.v);
	free(sorted.v);
	free(got.v);
	for (v = 0; v < 3; v++)
		free(live[v]);
}

/* Split [0, n) over WORKERS processes; sum their stats. */
static int check_parallel(struct dfc_table *t, const struct dfc_flow *fr,
			  unsigned int n, struct stats *sum)
{
	pid_t pid[WORKERS];
	int fd[WORKERS][2], w, status, ret = 0;

	fflush(stdout);
	fflush(stderr);
	for (w = 0; w < WORKERS; w++) {
		if (pipe(fd[w]))
			return -errno;
		pid[w] = fork();
		if (pid[w] < 0)
			return -errno;
		if (!pid[w]) {
			struct stats st = { 0 };
			unsigned int from = (unsigned int)((uint64_t)n * w / WORKERS);
			unsigned int to = (unsigned int)((uint64_t)n * (w + 1) / WORKERS);

			close(fd[w][0]);
			check_frames(t, fr, from, to, &st);
			if (write(fd[w][1], &st, sizeof(st)) != sizeof(st))
				_exit(2);
			_exit(0);
		}
		close(fd[w][1]);
	}
	for (w = 0; w < WORKERS; w++) {
		struct stats st;

		if (read(fd[w][0], &st, sizeof(st)) != sizeof(st))
			ret = -EIO;
		close(fd[w][0]);
		if (waitpid(pid[w], &status, 0) != pid[w] || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			ret = -ECHILD;
		if (ret)
			continue;
		sum->frames += st.frames;
		sum->hit_frames += st.hit_frames;
		sum->matches += st.matches;
		sum->mismatches += st.mismatches;
		sum->dups += st.dups;
		sum->probed += st.probed;
	}
	return ret;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void report(struct __test_metadata *_metadata, const char *phase,
		   const struct stats *st, unsigned int live, u32 masks, double secs)
{
	TH_LOG("%s: %" PRIu64 " frames x %u criteria (%u masks): hit rate %.1f%%, "
	       "%.2f matches/frame, %.1f masks probed/frame, %" PRIu64
	       " mismatches, %" PRIu64 " duplicates, %.1f s",
	       phase, st->frames, live, masks,
	       st->frames ? 100.0 * st->hit_frames / st->frames : 0.0,
	       st->frames ? (double)st->matches / st->frames : 0.0,
	       st->frames ? (double)st->probed / st->frames : 0.0,
	       st->mismatches, st->dups, secs);
}

static unsigned int env_uint(const char *name, unsigned int def)
{
	const char *v = getenv(name);

	return v && *v ? (unsigned int)strtoul(v, NULL, 0) : def;
}

static unsigned int count_live(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < n_specs; i++)
		n += recs[i].live;
	return n;
}

/* Masks in probing order must have non-increasing hits after a sort. */
static bool masks_sorted(struct dfc_table *t)
{
	struct dfc_mask_array *ma = rcu_dereference_protected(t->ma, 1);
	u32 i;

	for (i = 1; i < ma->n; i++)
		if (ma->masks[i - 1]->hits < ma->masks[i]->hits)
			return false;
	return true;
}

FIXTURE(table) {
	struct dfc_table t;
};

FIXTURE_SETUP(table)
{
	ASSERT_EQ(0, dfc_table_init(&self->t, MAX_MASKS));
}

FIXTURE_TEARDOWN(table)
{
}

/*
 * Build crits criteria, check frames frames in three phases (a sample,
 * then sort; every criterion; after removing 30% and adding N_ADDED), then
 * empty the table: no mismatch, memory back to where it was.
 */
static void differential(struct __test_metadata *_metadata, struct dfc_table *t,
			 const char *profile, unsigned int crits, unsigned int frames)
{
	unsigned int n_a, n_b, i, ne, nx, removed = 0;
	struct stats total = { 0 }, st;
	size_t mem0 = t->mem;
	struct dfc_flow *fr;
	double t0, t1, tstart = now_s();
	uint64_t seed;

	seed = getenv("DFC_SEED") ? strtoull(getenv("DFC_SEED"), NULL, 0) : 0;
	if (!seed)
		seed = (uint64_t)time(NULL) ^ (uint64_t)getpid() << 20;
	rng_state = seed;
	kr_state = seed * 3 + 1;
	TH_LOG("DFC_SEED=%" PRIu64 " (set it to replay this run)", seed);
	if (profile) {
		cbgen_init(&cb, cb_profile(profile), seed);
		TH_LOG("ClassBench-style profile %s", profile);
	}

	n_specs = crits + N_ADDED;
	specs = calloc(n_specs, sizeof(*specs));
	recs = calloc(n_specs, sizeof(*recs));
	ASSERT_NE(NULL, specs);
	ASSERT_NE(NULL, recs);

	/* Build. */
	t0 = now_s();
	for (i = 0; i < crits; i++) {
		gen_spec(_metadata, &specs[i], &ne, &nx);
		add_crit(_metadata, t, i, ne, nx);
	}
	TH_LOG("%u criteria: %lu entries (max %lu per criterion), %lu exclusions, "
	       "%lu random specs over the bounds (-E2BIG) redrawn, %u masks, "
	       "table %zu + criteria %zu bytes, %.1f s",
	       crits, gen_entries, gen_max_entries, gen_excls, gen_e2big,
	       dfc_table_masks(t), t->mem, crit_bytes, now_s() - t0);
	ASSERT_EQ(gen_entries, t->n_entries);

	/* A first sample in this process, so masks gather hits; then sort. */
	t0 = now_s();
	memset(&st, 0, sizeof(st));
	fr = gen_frames(N_SORT_FRAMES);
	check_frames(t, fr, 0, N_SORT_FRAMES, &st);
	free(fr);
	report(_metadata, "sort sample", &st, count_live(), dfc_table_masks(t), now_s() - t0);
	total.frames += st.frames;
	total.hit_frames += st.hit_frames;
	total.mismatches += st.mismatches + st.dups;
	ASSERT_EQ(0, dfc_table_sort_masks(t));
	ASSERT_TRUE(masks_sorted(t));

	n_a = frames > N_SORT_FRAMES ? (frames - N_SORT_FRAMES) / 2 : 0;
	n_b = frames > N_SORT_FRAMES ? frames - N_SORT_FRAMES - n_a : 0;

	/* Phase A: every criterion. */
	t0 = now_s();
	fr = gen_frames(n_a);
	t1 = now_s();
	memset(&st, 0, sizeof(st));
	ASSERT_EQ(0, check_parallel(t, fr, n_a, &st));
	free(fr);
	report(_metadata, "phase A", &st, count_live(), dfc_table_masks(t), now_s() - t1);
	total.frames += st.frames;
	total.hit_frames += st.hit_frames;
	total.mismatches += st.mismatches + st.dups;
	TH_LOG("(frame generation %.1f s)", t1 - t0);

	/* Remove 30%, add new criteria into the compacted table, sort. */
	for (i = 0; i < crits; i++) {
		if (pct(REMOVE_PCT)) {
			del_crit(t, i);
			removed++;
		}
	}
	for (i = crits; i < n_specs; i++) {
		gen_spec(_metadata, &specs[i], &ne, &nx);
		add_crit(_metadata, t, i, ne, nx);
	}
	ASSERT_EQ(0, dfc_table_sort_masks(t));
	ASSERT_TRUE(masks_sorted(t));
	TH_LOG("removed %u criteria, added %u: %u masks", removed, N_ADDED,
	       dfc_table_masks(t));

	/* Phase B: the survivors and the new ones; frames also from the dead. */
	fr = gen_frames(n_b);
	t1 = now_s();
	memset(&st, 0, sizeof(st));
	ASSERT_EQ(0, check_parallel(t, fr, n_b, &st));
	free(fr);
	report(_metadata, "phase B", &st, count_live(), dfc_table_masks(t), now_s() - t1);
	total.frames += st.frames;
	total.hit_frames += st.hit_frames;
	total.mismatches += st.mismatches + st.dups;

	/* Everything out: the table is back to its empty self. */
	for (i = 0; i < n_specs; i++)
		if (recs[i].live)
			del_crit(t, i);
	EXPECT_EQ(0, t->n_entries);
	EXPECT_EQ(0, dfc_table_masks(t));
	EXPECT_EQ(mem0, t->mem);
	EXPECT_EQ(0, crit_bytes);
	dfc_table_destroy(t);
	free(specs);
	free(recs);

	TH_LOG("total: %" PRIu64 " frames, %u + %u criteria, hit rate %.1f%%, "
	       "%" PRIu64 " mismatches, %.1f s",
	       total.frames, crits, N_ADDED,
	       total.frames ? 100.0 * total.hit_frames / total.frames : 0.0,
	       total.mismatches, now_s() - tstart);
	EXPECT_EQ(0, total.mismatches);
	EXPECT_GE(total.frames, frames);
#if defined(__SANITIZE_ADDRESS__)
	/* The harness leaves with _exit(): ask LeakSanitizer now. */
	EXPECT_EQ(0, __lsan_do_recoverable_leak_check());
#endif
}

TEST_F_TIMEOUT(table, differential, 900)
{
	differential(_metadata, &self->t, NULL, env_uint("DFC_CRITS", N_CRITS),
		     env_uint("DFC_FRAMES", N_FRAMES));
}

/*
 * ClassBench-style rule sets (tools/cbgen.h), each rule one criterion as
 * dtcpd sends it: prefixes, port ranges, protocol, expanded as dtcpd
 * expands them. Fewer criteria than above: the naive side is the cost.
 */
static void classbench(struct __test_metadata *_metadata, struct dfc_table *t,
		       const char *profile)
{
	ASSERT_NE(NULL, cb_profile(profile));
	differential(_metadata, t, profile, env_uint("DFC_CB_CRITS", N_CB_CRITS),
		     env_uint("DFC_CB_FRAMES", N_CB_FRAMES));
}

TEST_F_TIMEOUT(table, classbench_acl, 600)
{
	classbench(_metadata, &self->t, "acl");
}

TEST_F_TIMEOUT(table, classbench_fw, 600)
{
	classbench(_metadata, &self->t, "fw");
}

TEST_F_TIMEOUT(table, classbench_ipc, 600)
{
	classbench(_metadata, &self->t, "ipc");
}

TEST_HARNESS_MAIN
