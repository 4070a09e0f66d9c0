// SPDX-License-Identifier: GPL-2.0
/*
 * A ClassBench rule set (tools/cbgen.c) for make bench-datapath
 * (tools/bench-datapath/): as dfcctl batch lines, as nftables pipapo sets
 * holding the same rules, and as the pktgen ranges of frames inside rules.
 *
 *   bench_dp_rules -k dfc|nft|frames [-o OWNER] [-d DEV] [-n SAMPLES] < RULES
 *
 * dfc: rule i (from 1) is criterion i of OWNER, with the fields
 * cb_rule_spec() gives it (what bench_ruleset sends through dtcpd's
 * expansion): dfcctl filter add expands it with lib/dfc_spec_expand.c as
 * dtcpd does.
 *
 * nft: table netdev dprules with sets of type
 * ipv4_addr . ipv4_addr . inet_proto . inet_service . inet_service,
 * flags interval (pipapo), and on DEV's ingress a rule per set (counter,
 * no verdict: every set is looked up, as dfc reports every criterion a
 * frame matches), policy drop. pipapo refuses an element whose first or
 * last point lies inside an element it holds, so each rule goes into the
 * first set that takes it (greedy); the sets together hold every rule.
 * A comment line "# sets N" says how many it took.
 *
 * frames: SAMPLES rules (evenly spread) that UDP frames can match (UDP or
 * any protocol) and pktgen can draw destinations in, one a line, as pktgen ranges:
 * "src_min src_max dst_min dst_max sport_min sport_max dport_min dport_max".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cbgen.h"

struct box {
	uint32_t lo[5], hi[5];	/* src, dst, proto, sport, dport */
};

static void rule_box(const struct cb_rule *r, struct box *b)
{
	b->lo[0] = r->src;
	b->hi[0] = r->src | (r->slen ? ~(~0u << (32 - r->slen)) : ~0u);
	if (r->slen == 32)
		b->hi[0] = r->src;
	b->lo[1] = r->dst;
	b->hi[1] = r->dst | (r->dlen ? ~(~0u << (32 - r->dlen)) : ~0u);
	if (r->dlen == 32)
		b->hi[1] = r->dst;
	b->lo[2] = r->pmask ? r->proto : 0;
	b->hi[2] = r->pmask ? r->proto : 255;
	b->lo[3] = r->slo;
	b->hi[3] = r->shi;
	b->lo[4] = r->dlo;
	b->hi[4] = r->dhi;
}

static int inside(const struct box *b, const uint32_t *p)
{
	for (int d = 0; d < 5; d++)
		if (p[d] < b->lo[d] || p[d] > b->hi[d])
			return 0;
	return 1;
}

static const char *ip(uint32_t a, char *buf)
{
	sprintf(buf, "%u.%u.%u.%u", a >> 24, a >> 16 & 255, a >> 8 & 255, a & 255);
	return buf;
}

static void dfc_line(const struct cb_rule *r, unsigned long id, unsigned long owner)
{
	char a[16];

	printf("filter add owner %lu id %lu static", owner, id);
	if (r->slen)
		printf(" src %s/%u", ip(r->src, a), r->slen);
	if (r->dlen)
		printf(" dst %s/%u", ip(r->dst, a), r->dlen);
	if (r->slo || r->shi != 65535)
		printf(" sport %u-%u", r->slo, r->shi);
	if (r->dlo || r->dhi != 65535)
		printf(" dport %u-%u", r->dlo, r->dhi);
	if (r->pmask)
		printf(" proto %u", r->proto);
	putchar('\n');
}

static void nft_elem(const struct cb_rule *r)
{
	char a[16], b[16];

	printf("%s/%u . %s/%u . ", ip(r->src, a), r->slen, ip(r->dst, b), r->dlen);
	if (r->pmask)
		printf("%u", r->proto);
	else
		printf("0-255");
	printf(" . %u-%u . %u-%u", r->slo, r->shi, r->dlo, r->dhi);
}

/* Greedy: each rule into the first set none of whose elements holds its ends. */
static int nft_sets(const struct cb_rule *rules, unsigned long n, const char *dev)
{
	struct box *boxes = calloc(n ? n : 1, sizeof(*boxes));
	unsigned int *set = calloc(n ? n : 1, sizeof(*set));
	/* members[s]: the rules in set s so far, by index; at most n sets */
	unsigned long **members = calloc(n ? n : 1, sizeof(*members));
	unsigned long *count = calloc(n ? n : 1, sizeof(*count));
	unsigned int nsets = 0;

	if (!boxes || !set || !members || !count)
		return 1;
	for (unsigned long i = 0; i < n; i++) {
		unsigned int s;

		rule_box(&rules[i], &boxes[i]);
		for (s = 0; s < nsets; s++) {
			unsigned long j;

			for (j = 0; j < count[s]; j++) {
				const struct box *b = &boxes[members[s][j]];

				if (inside(b, boxes[i].lo) || inside(b, boxes[i].hi))
					break;
			}
			if (j == count[s])
				break;
		}
		if (s == nsets) {
			members[s] = calloc(n, sizeof(**members));
			if (!members[s])
				return 1;
			nsets++;
		}
		members[s][count[s]++] = i;
		set[i] = s;
	}
	for (unsigned int s = 0; s < nsets; s++)
		free(members[s]);
	free(members);
	free(count);
	printf("# sets %u\ntable netdev dprules {\n", nsets);
	for (unsigned int s = 0; s < nsets; s++)
		printf("\tset r%u { type ipv4_addr . ipv4_addr . inet_proto . inet_service . "
		       "inet_service; flags interval; }\n", s);
	printf("\tchain in {\n\t\ttype filter hook ingress device %s priority 0; policy drop;\n",
	       dev);
	for (unsigned int s = 0; s < nsets; s++)
		printf("\t\tip saddr . ip daddr . meta l4proto . th sport . th dport @r%u counter\n",
		       s);
	printf("\t}\n}\n");
	for (unsigned int s = 0; s < nsets; s++) {
		unsigned long k = 0;

		for (unsigned long i = 0; i < n; i++) {
			if (set[i] != s)
				continue;
			printf(k % 500 ? ", " : "%sadd element netdev dprules r%u { ",
			       k ? " }\n" : "", s);
			nft_elem(&rules[i]);
			k++;
		}
		if (k)
			printf(" }\n");
	}
	free(boxes);
	free(set);
	return 0;
}

/*
 * pktgen draws a random destination again until it is not 0/8, 127/8,
 * multicast or 255.255.255.255: a range holding nothing else would
 * never end (and the kernel thread would spin).
 */
static int dst_drawable(const struct cb_rule *r)
{
	static const uint32_t bad[][2] = {
		{ 0x00000000, 0x00ffffff }, { 0x7f000000, 0x7fffffff }, { 0xe0000000, 0xefffffff },
	};
	struct box b;

	rule_box(r, &b);
	if (b.lo[1] == b.hi[1])
		return 1;	/* one address: pktgen does not draw it */
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (b.lo[1] >= bad[i][0] && b.hi[1] <= bad[i][1])
			return 0;
	return 1;
}

/* UDP frames can match it, and pktgen can draw them. */
static int eligible_rule(const struct cb_rule *r)
{
	return (!r->pmask || r->proto == 17) && dst_drawable(r);
}

static void frames(const struct cb_rule *rules, unsigned long n, unsigned long samples)
{
	unsigned long eligible = 0, k = 0, j = 0, i;

	for (i = 0; i < n; i++)
		eligible += eligible_rule(&rules[i]);
	if (samples > eligible)
		samples = eligible;
	for (i = 0; i < n && j < samples; i++) {
		const struct cb_rule *r = &rules[i];
		struct box b;
		char a[4][16];

		if (!eligible_rule(r))
			continue;
		/* the eligible rules j * eligible / samples, j = 0..samples-1 */
		if (k++ != j * eligible / samples)
			continue;
		j++;
		rule_box(r, &b);
		printf("%s %s %s %s %u %u %u %u\n", ip(b.lo[0], a[0]), ip(b.hi[0], a[1]),
		       ip(b.lo[1], a[2]), ip(b.hi[1], a[3]), b.lo[3], b.hi[3], b.lo[4], b.hi[4]);
	}
}

static int usage(void)
{
	fprintf(stderr, "usage: bench_dp_rules -k dfc|nft|frames [-o OWNER] [-d DEV] "
		"[-n SAMPLES] < RULES\n");
	return 2;
}

int main(int argc, char **argv)
{
	unsigned long owner = 2, samples = 4, n = 0, cap = 0;
	const char *kind = NULL, *dev = "dp0";
	struct cb_rule *rules = NULL;
	char line[512], *end;
	int opt;

	while ((opt = getopt(argc, argv, "k:o:d:n:")) != -1) {
		errno = 0;
		switch (opt) {
		case 'k':
			kind = optarg;
			break;
		case 'o':
			owner = strtoul(optarg, &end, 10);
			if (errno || *end || !*optarg || owner > 0xffffffffUL)
				return usage();
			break;
		case 'd':
			dev = optarg;
			break;
		case 'n':
			samples = strtoul(optarg, &end, 10);
			if (errno || *end || !*optarg || samples > 1000)
				return usage();
			break;
		default:
			return usage();
		}
	}
	if (!kind || optind != argc ||
	    strspn(dev, "abcdefghijklmnopqrstuvwxyz0123456789") != strlen(dev))
		return usage();
	while (fgets(line, sizeof(line), stdin)) {
		if (n == cap) {
			cap = cap ? 2 * cap : 1024;
			rules = realloc(rules, cap * sizeof(*rules));
			if (!rules)
				return 1;
		}
		if (cb_rule_parse(line, &rules[n])) {
			fprintf(stderr, "bench_dp_rules: line %lu: not a ClassBench rule\n", n + 1);
			return 1;
		}
		n++;
	}
	if (!strcmp(kind, "dfc")) {
		for (unsigned long i = 0; i < n; i++)
			dfc_line(&rules[i], i + 1, owner);
	} else if (!strcmp(kind, "nft")) {
		if (nft_sets(rules, n, dev))
			return 1;
	} else if (!strcmp(kind, "frames")) {
		frames(rules, n, samples);
	} else {
		return usage();
	}
	free(rules);
	return fflush(stdout) ? 1 : 0;
}
