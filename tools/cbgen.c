// SPDX-License-Identifier: GPL-2.0
/*
 * cbgen: ClassBench-style rule sets for the classifier benchmarks
 * (the generator and its profiles: tools/cbgen.h).
 *
 *   cbgen -p acl|fw|ipc -n RULES [-s SEED]
 *
 * Writes ClassBench's text format, one rule per line:
 *   @SRC/LEN TAB DST/LEN TAB SLO : SHI TAB DLO : DHI TAB 0xPP/0xMM TAB 0x0000/0x0000
 * Same profile, size and seed: the same rules.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "cbgen.h"

static int usage(void)
{
	fprintf(stderr, "usage: cbgen -p acl|fw|ipc -n RULES [-s SEED]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const struct cb_profile *pf = NULL;
	unsigned long n = 0, i;
	uint64_t seed = 1;
	struct cbgen g;
	struct cb_rule r;
	char *end;
	int opt;

	while ((opt = getopt(argc, argv, "p:n:s:")) != -1) {
		switch (opt) {
		case 'p':
			pf = cb_profile(optarg);
			if (!pf) {
				fprintf(stderr, "cbgen: unknown profile '%s'\n", optarg);
				return 2;
			}
			break;
		case 'n':
			errno = 0;
			n = strtoul(optarg, &end, 10);
			if (errno || *end || !n || n > 10000000 || *optarg == '-')
				return usage();
			break;
		case 's':
			errno = 0;
			seed = strtoull(optarg, &end, 10);
			if (errno || *end || *optarg == '-')
				return usage();
			break;
		default:
			return usage();
		}
	}
	if (!pf || !n || optind != argc)
		return usage();

	cbgen_init(&g, pf, seed);
	for (i = 0; i < n; i++) {
		cbgen_rule(&g, &r);
		cb_rule_print(stdout, &r);
	}
	return fflush(stdout) ? 1 : 0;
}
