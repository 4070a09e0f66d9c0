// SPDX-License-Identifier: GPL-2.0
/*
 * Lookup cost of the filter table (kmod/table.c, built for userspace), to
 * be run under callgrind: tools/bench-classifier.sh does, and turns the
 * instruction count of dfc_table_match into instructions per packet.
 *
 *   bench_classifier -n FILTERS -m MASKS [-l LOOKUPS] [-s SEED]
 *
 * Inserts FILTERS single-entry IPv4 criteria spread evenly over MASKS
 * distinct masks (source and destination prefix lengths vary by mask;
 * protocol and destination port exact), then looks up LOOKUPS keys: half
 * drawn from a random filter (its masked bits, random elsewhere: a hit),
 * half random (almost all misses). Only the lookup loop runs with
 * callgrind's instrumentation on; building the table does not.
 *
 * Prints: masks=M tables=T filters=N lookups=L masks_probed=Y bytes_per_filter=Z
 * matched=H ns_per_pkt=P (P: native wall clock, meaningless under
 * valgrind). T, the tables made, may exceed M: a crowded bucket sends an
 * entry to a more specific table. bytes_per_filter is (table memory + criterion allocations)/N.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crit.h"
#include "entry.h"

#include "bench.h"

/* Mask shapes: source x destination prefix lengths. */
static const u8 src_plens[4] = { 32, 24, 16, 0 };
static const u8 dst_plens[4] = { 32, 28, 20, 8 };

static void shape(unsigned int j, struct dfc_espec *e)
{
	u32 s = (u32)rnd(), d = (u32)rnd();
	unsigned int sp = src_plens[j % 4], dp = dst_plens[j / 4 % 4];

	memset(e, 0, sizeof(*e));
	e->ipver = 4;
	e->src_plen = (u8)sp;
	e->dst_plen = (u8)dp;
	s = sp ? s & ~0U << (32 - sp) : 0;
	d = dp ? d & ~0U << (32 - dp) : 0;
	s = htonl(s);
	d = htonl(d);
	memcpy(e->src, &s, 4);
	memcpy(e->dst, &d, 4);
	e->proto = rnd() & 1 ? 6 : 17;
	e->proto_mask = 0xff;
	e->ports = true;
	e->dport = (u16)rnd();
	e->dport_mask = 0xffff;
}

/* A random TCP/UDP frame's key. */
static void random_key(struct dfc_key *k)
{
	memset(k, 0, sizeof(*k));
	k->ipver = 4;
	k->src[0] = (__be32)rnd();
	k->dst[0] = (__be32)rnd();
	k->sport = (__be16)rnd();
	k->dport = (__be16)rnd();
	k->proto = rnd() & 1 ? 6 : 17;
	k->flags = DFC_KEY_F_PORTS;
	k->ifindex = 1;
}

static void on_match(struct dfc_crit *c, void *ctx)
{
	(void)c;
	++*(unsigned long *)ctx;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned long n = 1000, m = 1, lookups = 100000, matched = 0, probed = 0, i;
	struct dfc_crit **crits;
	struct dfc_key *keys, masks[16];
	struct dfc_table t;
	size_t crit_mem = 0;
	double t0, t1;
	int opt;

	while ((opt = getopt(argc, argv, "n:m:l:s:")) != -1) {
		switch (opt) {
		case 'n':
			n = strtoul(optarg, NULL, 0);
			break;
		case 'm':
			m = strtoul(optarg, NULL, 0);
			break;
		case 'l':
			lookups = strtoul(optarg, NULL, 0);
			break;
		case 's':
			rng = strtoull(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: %s -n filters -m masks(1..16) [-l lookups] [-s seed]\n",
				argv[0]);
			return 2;
		}
	}
	if (!n || !m || m > 16 || !lookups) {
		fprintf(stderr, "need filters >= 1, 1 <= masks <= 16, lookups >= 1\n");
		return 2;
	}
	crits = calloc(n, sizeof(*crits));
	keys = calloc(lookups, sizeof(*keys));
	if (!crits || !keys || dfc_table_init(&t, 64)) {
		fprintf(stderr, "out of memory\n");
		return 1;
	}

	for (i = 0; i < n; i++) {
		enum dfc_espec_field bad;
		struct dfc_espec e;
		const char *why;
		struct dfc_crit *c;
		int err;

		struct dfc_key val;
		struct dfc_prange pr;
		bool narrow;

		shape(i % m, &e);
		if (dfc_espec_to_key(&e, &val, &masks[i % m], &pr, &bad, &why)) {
			fprintf(stderr, "espec: %s\n", why);
			return 1;
		}
		narrow = dfc_entry_mask_narrow(&masks[i % m]);
		c = calloc(1, dfc_crit_size(1, 0, narrow));
		if (!c)
			return 1;
		c->id = i;
		c->n_entries = 1;
		c->narrow = narrow;
		dfc_crit_set_entry(c, 0, &val, &pr);
		err = dfc_table_insert(&t, c, &masks[i % m]);
		if (err) {
			fprintf(stderr, "insert: %s\n", strerror(-err));
			return 1;
		}
		crits[i] = c;
		crit_mem += dfc_crit_size(1, 0, c->narrow);
	}

	for (i = 0; i < lookups; i++) {
		struct dfc_key *k = &keys[i];

		random_key(k);
		if (i & 1) {
			const struct dfc_crit *c = crits[rnd() % n];
			struct dfc_key val, mk;
			struct dfc_prange pr;
			u64 *w = (u64 *)k;
			const u64 *v = dfc_key_words(&val);
			const u64 *mw = dfc_key_words(&mk);
			unsigned int j;

			/* As given: its table may hash less of it. */
			dfc_entry_spec(&c->entries[0], &val, &mk, &pr);
			for (j = 0; j < DFC_KEY_WORDS; j++)
				w[j] = (w[j] & ~mw[j]) | v[j];
		}
	}

	/* Warm up (caches, branch predictors, and page faults) natively. */
	for (i = 0; i < lookups && i < 10000; i++)
		dfc_table_match(&t, &keys[i], on_match, &matched);
	matched = 0;

	CALLGRIND_START_INSTRUMENTATION;
	t0 = now();
	for (i = 0; i < lookups; i++)
		probed += dfc_table_match(&t, &keys[i], on_match, &matched);
	t1 = now();
	CALLGRIND_STOP_INSTRUMENTATION;

	printf("masks=%lu tables=%u filters=%lu lookups=%lu masks_probed=%.2f bytes_per_filter=%.1f matched=%lu ns_per_pkt=%.1f\n",
	       m, dfc_table_masks(&t), n, lookups, (double)probed / lookups,
	       (double)(t.mem + crit_mem) / n, matched, (t1 - t0) * 1e9 / lookups);

	for (i = 0; i < n; i++) {
		dfc_table_remove(&t, crits[i]);
		free(crits[i]);
	}
	dfc_table_destroy(&t);
	free(crits);
	free(keys);
	return 0;
}
