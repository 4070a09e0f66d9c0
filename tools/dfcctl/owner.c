// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dfcctl owner: settings of one owner's criteria (max-duplicates).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dfcctl.h"

/* ---- owner ---- */

int cmd_owner_set(struct ctl *c, int argc, char **argv)
{
	uint64_t owner, max_dup;
	char what[64];
	int err;

	if (!argc || parse_num(argv[0], UINT32_MAX, &owner)) {
		fprintf(stderr, "dfcctl: owner set: OWNER: a number up to %" PRIu32 "\n",
			UINT32_MAX);
		return bad_usage(c);
	}
	argc--;
	argv++;
	if (!argc || strcmp(argv[0], "max-duplicates") ||
	    take_num(&argc, &argv, 64, &max_dup) || argc)
		return bad_usage(c);
	if (!ctl_nl(c))
		return EXIT_FAILURE;
	err = dfc_nl_owner_set(c->nl, (uint32_t)owner, (uint32_t)max_dup);
	snprintf(what, sizeof(what), "owner set %" PRIu64, owner);
	return err ? fail(c, what, err) : 0;
}
