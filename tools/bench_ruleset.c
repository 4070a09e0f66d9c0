// SPDX-License-Identifier: GPL-2.0
/*
 * The filter table (kmod/table.c, built for userspace) on a ClassBench
 * rule set, each rule one DTCP criterion as dtcpd would send it, to be run
 * under callgrind: tools/bench-classifier.sh does.
 *
 *   bench_ruleset [-M MAX_MASKS] [-l LOOKUPS] [-t random|match] [-s SEED] < RULES
 *
 * A rule (tools/cbgen.c writes them) becomes Source-Address and
 * Dest-Address (left out when /0), Source-Port and Dest-Port (left out
 * when 0-65535) and Protocol (when its mask is 0xff), expanded by
 * lib/dfc_spec_expand.c into the entries the kernel takes and inserted
 * with the kernel's default limit of masks (-M). A criterion the table
 * refuses (too many masks) or that expands beyond DFC_CRIT_MAX_ENTRIES is
 * counted refused, as dtcpd would answer it 550 or 432.
 * Then LOOKUPS frames: -t random, IPv4 over the whole address and port
 * space (TCP, UDP, ICMP or GRE); -t match, each inside a random accepted
 * rule. Only the lookup loop runs with callgrind's instrumentation on.
 *
 * Prints one line: rules= accepted= refused_masks= refused_size= masks=
 * entries= bytes_per_crit= lookups= masks_probed= matches_per_pkt=.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crit.h"
#include "entry.h"
#include "dfc_spec.h"
#include "crit_host.h"
#include "cbgen.h"

#include "bench.h"

#define DEFAULT_MAX_MASKS 128	/* kmod/filter.h DFC_DEFAULT_MAX_MASKS */

static uint16_t in_range(uint16_t lo, uint16_t hi)
{
	return (uint16_t)(lo + rnd() % ((unsigned int)hi - lo + 1));
}

static uint32_t in_prefix(uint32_t a, unsigned int len)
{
	return len ? a | ((uint32_t)rnd() & ~(~0u << (32 - len))) : (uint32_t)rnd();
}

static const uint8_t protos[] = { 6, 17, 1, 47 };

/* A frame's key as the kernel's parser fills it: r NULL for a random one. */
static void frame_key(const struct cb_rule *r, struct dfc_key *k)
{
	uint8_t p = r && r->pmask ? r->proto : protos[rnd() % 4];

	memset(k, 0, sizeof(*k));
	k->ipver = 4;
	k->ifindex = 1;
	k->proto = p;
	k->src[0] = htonl(r ? in_prefix(r->src, r->slen) : (uint32_t)rnd());
	k->dst[0] = htonl(r ? in_prefix(r->dst, r->dlen) : (uint32_t)rnd());
	if (p == 6 || p == 17) {
		k->flags = DFC_KEY_F_PORTS;
		k->sport = htons(r ? in_range(r->slo, r->shi) : (uint16_t)rnd());
		k->dport = htons(r ? in_range(r->dlo, r->dhi) : (uint16_t)rnd());
	} else if (p == 1) {
		k->flags = DFC_KEY_F_ICMP;
		k->icmp_type = 8;
	}
}

static void on_match(struct dfc_crit *c, void *ctx)
{
	(void)c;
	++*(unsigned long *)ctx;
}

static int usage(void)
{
	fprintf(stderr, "usage: bench_ruleset [-M max-masks] [-l lookups] [-t random|match] "
		"[-s seed] < rules\n");
	return 2;
}

static struct dfc_nl_entry ents[DFC_CRIT_MAX_ENTRIES], excl[DFC_CRIT_MAX_EXCL];
static struct dfc_key masks[DFC_CRIT_MAX_ENTRIES];

int main(int argc, char **argv)
{
	unsigned long max_masks = DEFAULT_MAX_MASKS, lookups = 100000, i;
	unsigned long n_rules = 0, n_ok = 0, ref_masks = 0, ref_size = 0, entries = 0;
	unsigned long matched = 0, probed = 0, cap = 0;
	struct dfc_crit **crits = NULL;
	struct cb_rule *rules = NULL, *ok_rules;
	bool match = false;
	size_t crit_mem = 0;
	struct dfc_key *keys;
	struct dfc_table t;
	char line[512];
	int opt;

	while ((opt = getopt(argc, argv, "M:l:t:s:")) != -1) {
		char *end;

		errno = 0;
		switch (opt) {
		case 'M':
			max_masks = strtoul(optarg, &end, 10);
			if (errno || *end || !max_masks || max_masks > 65536)
				return usage();
			break;
		case 'l':
			lookups = strtoul(optarg, &end, 10);
			if (errno || *end || !lookups || lookups > 100000000)
				return usage();
			break;
		case 't':
			if (strcmp(optarg, "random") && strcmp(optarg, "match"))
				return usage();
			match = !strcmp(optarg, "match");
			break;
		case 's':
			rng = strtoull(optarg, &end, 10);
			if (errno || *end)
				return usage();
			break;
		default:
			return usage();
		}
	}
	if (optind != argc || dfc_table_init(&t, (u32)max_masks))
		return usage();

	while (fgets(line, sizeof(line), stdin)) {
		if (n_rules == cap) {
			cap = cap ? 2 * cap : 1024;
			rules = realloc(rules, cap * sizeof(*rules));
			crits = realloc(crits, cap * sizeof(*crits));
			if (!rules || !crits)
				return 1;
		}
		if (cb_rule_parse(line, &rules[n_rules])) {
			fprintf(stderr, "bench_ruleset: line %lu: not a ClassBench rule\n",
				n_rules + 1);
			return 1;
		}
		n_rules++;
	}
	ok_rules = calloc(n_rules ? n_rules : 1, sizeof(*ok_rules));
	keys = calloc(lookups, sizeof(*keys));
	if (!ok_rules || !keys)
		return 1;

	for (i = 0; i < n_rules; i++) {
		unsigned int ne, nx;
		struct dfc_spec s;
		struct dfc_crit *c;
		const char *why;
		int err;

		if (cb_rule_spec(&rules[i], &s, &why)) {
			fprintf(stderr, "bench_ruleset: rule %lu: %s\n", i + 1, why);
			return 1;
		}
		err = dfc_spec_expand(&s, ents, DFC_CRIT_MAX_ENTRIES, &ne, excl,
				      DFC_CRIT_MAX_EXCL, &nx, &why);
		if (err == -E2BIG) {
			ref_size++;
			continue;
		}
		if (err)
			return 1;
		c = crit_host_build(ents, ne, excl, nx, masks, &why);
		if (!c) {
			fprintf(stderr, "bench_ruleset: rule %lu: %s\n", i + 1, why ? why : "no memory");
			return 1;
		}
		c->id = i;
		err = dfc_table_insert(&t, c, masks);
		if (err == -ENOSPC) {
			ref_masks++;
			free(c);
			continue;
		}
		if (err)
			return 1;
		crits[n_ok] = c;
		ok_rules[n_ok++] = rules[i];
		entries += ne;
		crit_mem += dfc_crit_size(ne, nx, c->narrow);
	}

	for (i = 0; i < lookups; i++)
		frame_key(match && n_ok ? &ok_rules[rnd() % n_ok] : NULL, &keys[i]);
	/* Warm up natively: caches, branch predictors, page faults. */
	for (i = 0; i < lookups && i < 10000; i++)
		dfc_table_match(&t, &keys[i], on_match, &matched);
	matched = 0;

	CALLGRIND_START_INSTRUMENTATION;
	for (i = 0; i < lookups; i++)
		probed += dfc_table_match(&t, &keys[i], on_match, &matched);
	CALLGRIND_STOP_INSTRUMENTATION;

	printf("rules=%lu accepted=%lu refused_masks=%lu refused_size=%lu masks=%u entries=%lu "
	       "bytes_per_crit=%.1f lookups=%lu masks_probed=%.2f matches_per_pkt=%.3f\n",
	       n_rules, n_ok, ref_masks, ref_size, dfc_table_masks(&t), entries,
	       n_ok ? (double)(t.mem + crit_mem) / n_ok : 0.0, lookups,
	       (double)probed / lookups, (double)matched / lookups);

	/* Counted only for the DELETE cost (--toggle-collect=dfc_table_remove). */
	CALLGRIND_START_INSTRUMENTATION;
	for (i = 0; i < n_ok; i++) {
		dfc_table_remove(&t, crits[i]);
		free(crits[i]);
	}
	dfc_table_destroy(&t);
	free(crits);
	free(rules);
	free(ok_rules);
	free(keys);
	return 0;
}
