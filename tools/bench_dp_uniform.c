// SPDX-License-Identifier: GPL-2.0
/*
 * Uniform criteria for make bench-datapath (tools/bench-datapath/): the
 * same N criteria over M masks (1..16) as dfcctl batch lines, as nft set
 * elements (one hash set per mask) and as linear nft rules, and the frame
 * that matches one of them.
 *
 *   bench_dp_uniform -k dfc|nft-init|nft-set|nft-linear|frame -m MASKS
 *                    [-f FROM] [-t TO] [-o OWNER] [-d DEV]
 *
 * Criterion i (FROM <= i < TO) has the shape i % MASKS: which of source,
 * destination, protocol, source port and destination port it fixes (every
 * shape fixes an address, so no frame from outside 10/8 and 20/8 matches),
 * with values unique to i. nft-init writes table netdev dpbench: a set
 * per shape and, on DEV's ingress, a rule per set (counter drop), policy
 * drop; nft-set adds criteria FROM..TO-1 to those sets; nft-linear inserts
 * them as rules at the top of the chain, so that the earliest criteria
 * stay last; frame prints the matching frame's "src dst sport dport":
 * criterion MASKS-1, the last shape (every set or rule before it looked
 * at, and, inserted first, among the last linear rules).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { F_SRC = 1, F_DST = 2, F_PROTO = 4, F_SPORT = 8, F_DPORT = 16 };

/* Shapes in the order masks are taken: the first is a 5-tuple less sport. */
static const unsigned int shapes[16] = {
	F_SRC | F_DST | F_PROTO | F_DPORT,
	F_SRC | F_DST | F_PROTO | F_SPORT | F_DPORT,
	F_SRC | F_DST,
	F_DST | F_PROTO | F_DPORT,
	F_SRC | F_PROTO | F_SPORT,
	F_DST,
	F_SRC,
	F_SRC | F_DST | F_PROTO,
	F_DST | F_PROTO,
	F_SRC | F_PROTO,
	F_DST | F_DPORT,
	F_SRC | F_SPORT,
	F_DST | F_SPORT | F_DPORT,
	F_SRC | F_SPORT | F_DPORT,
	F_SRC | F_DST | F_DPORT,
	F_SRC | F_DST | F_SPORT,
};

static void addr(char *buf, size_t size, unsigned int net, unsigned long i)
{
	snprintf(buf, size, "%u.%lu.%lu.%lu", net, i >> 16 & 255, i >> 8 & 255, i & 255);
}

static unsigned int sport(unsigned long i) { return 10000 + (unsigned int)(i % 30000); }
static unsigned int dport(unsigned long i) { return 40000 + (unsigned int)(i % 20000); }

/* Criterion i's fields as dfcctl filter add takes them. */
static void dfc_line(unsigned long i, unsigned int m, unsigned long owner)
{
	unsigned int sh = shapes[i % m];
	char a[32];

	printf("filter add owner %lu id %lu static", owner, i + 1);
	if (sh & F_SRC) {
		addr(a, sizeof(a), 10, i);
		printf(" src %s", a);
	}
	if (sh & F_DST) {
		addr(a, sizeof(a), 20, i);
		printf(" dst %s", a);
	}
	if (sh & F_PROTO)
		printf(" proto 17");
	if (sh & F_SPORT)
		printf(" sport %u", sport(i));
	if (sh & F_DPORT)
		printf(" dport %u", dport(i));
	putchar('\n');
}

/* The fields of a shape: as an nft set key type, or as the expression looked up. */
static void nft_fields(unsigned int sh, int type)
{
	static const char *const kind[5][2] = {
		{ "ipv4_addr", "ip saddr" }, { "ipv4_addr", "ip daddr" },
		{ "inet_proto", "meta l4proto" }, { "inet_service", "th sport" },
		{ "inet_service", "th dport" },
	};
	const char *sep = "";

	for (unsigned int f = 0; f < 5; f++) {
		if (!(sh & 1u << f))
			continue;
		printf("%s%s", sep, kind[f][type ? 1 : 0]);
		sep = " . ";
	}
}

/* Criterion i's values in nft's concatenation syntax, or as matches (linear). */
static void nft_values(unsigned long i, unsigned int sh, int linear)
{
	const char *sep = "";
	char a[32];

	if (sh & F_SRC) {
		addr(a, sizeof(a), 10, i);
		printf(linear ? "ip saddr %s" : "%s", a);
		sep = linear ? " " : " . ";
	}
	if (sh & F_DST) {
		addr(a, sizeof(a), 20, i);
		printf(linear ? "%sip daddr %s" : "%s%s", sep, a);
		sep = linear ? " " : " . ";
	}
	if (sh & F_PROTO) {
		printf(linear ? "%smeta l4proto 17" : "%s17", sep);
		sep = linear ? " " : " . ";
	}
	if (sh & F_SPORT) {
		printf(linear ? "%sth sport %u" : "%s%u", sep, sport(i));
		sep = linear ? " " : " . ";
	}
	if (sh & F_DPORT)
		printf(linear ? "%sth dport %u" : "%s%u", sep, dport(i));
}

static void nft_init(unsigned int m, const char *dev)
{
	printf("table netdev dpbench {\n");
	for (unsigned int k = 0; k < m; k++) {
		printf("\tset s%u { type ", k);
		nft_fields(shapes[k], 0);
		printf("; }\n");
	}
	printf("\tchain in {\n\t\ttype filter hook ingress device %s priority 0; policy drop;\n", dev);
	for (unsigned int k = 0; k < m; k++) {
		printf("\t\t");
		nft_fields(shapes[k], 1);
		printf(" @s%u counter drop\n", k);
	}
	printf("\t}\n}\n");
}

/* Elements FROM..TO-1, a command per shape and thousand elements. */
static void nft_set(unsigned long from, unsigned long to, unsigned int m)
{
	for (unsigned int k = 0; k < m; k++) {
		unsigned long n = 0;

		for (unsigned long i = from; i < to; i++) {
			if (i % m != k)
				continue;
			if (n % 1000 == 0)
				printf("%sadd element netdev dpbench s%u { ", n ? " }\n" : "", k);
			else
				printf(", ");
			nft_values(i, shapes[k], 0);
			n++;
		}
		if (n)
			printf(" }\n");
	}
}

static int usage(void)
{
	fprintf(stderr, "usage: bench_dp_uniform -k dfc|nft-init|nft-set|nft-linear|frame "
		"-m MASKS [-f FROM] [-t TO] [-o OWNER] [-d DEV]\n");
	return 2;
}

static int num(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 10);
	return errno || *end || !*s || *s == '-' || *v > max ? -1 : 0;
}

int main(int argc, char **argv)
{
	unsigned long from = 0, to = 0, m = 0, owner = 1, i;
	const char *kind = NULL, *dev = "dp0";
	int opt;

	while ((opt = getopt(argc, argv, "k:m:f:t:o:d:")) != -1) {
		switch (opt) {
		case 'k':
			kind = optarg;
			break;
		case 'm':
			if (num(optarg, 16, &m) || !m)
				return usage();
			break;
		case 'f':
			if (num(optarg, 1UL << 24, &from))
				return usage();
			break;
		case 't':
			if (num(optarg, 1UL << 24, &to))
				return usage();
			break;
		case 'o':
			if (num(optarg, 0xffffffffUL, &owner))
				return usage();
			break;
		case 'd':
			dev = optarg;
			break;
		default:
			return usage();
		}
	}
	if (!kind || !m || optind != argc || from > to || strspn(dev, "abcdefghijklmnopqrstuvwxyz0123456789") != strlen(dev))
		return usage();

	if (!strcmp(kind, "dfc")) {
		for (i = from; i < to; i++)
			dfc_line(i, (unsigned int)m, owner);
	} else if (!strcmp(kind, "nft-init")) {
		nft_init((unsigned int)m, dev);
	} else if (!strcmp(kind, "nft-set")) {
		nft_set(from, to, (unsigned int)m);
	} else if (!strcmp(kind, "nft-linear")) {
		for (i = from; i < to; i++) {
			printf("insert rule netdev dpbench in ");
			nft_values(i, shapes[i % m], 1);
			printf(" counter drop\n");
		}
	} else if (!strcmp(kind, "frame")) {
		char s[32], d[32];

		addr(s, sizeof(s), 10, m - 1);
		addr(d, sizeof(d), 20, m - 1);
		printf("%s %s %u %u\n", s, d, sport(m - 1), dport(m - 1));
	} else {
		return usage();
	}
	return fflush(stdout) ? 1 : 0;
}
