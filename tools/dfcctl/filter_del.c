// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dfcctl filter del: an owner's criteria, one, those toward a
 * destination, or all.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dfcctl.h"

/* ---- filter del ---- */

int cmd_filter_del(struct ctl *c, int argc, char **argv)
{
	uint64_t owner = 0, id = 0, cdest = 0;
	bool has_owner = false, has_id = false, has_cdest = false, statics = false;
	uint32_t deleted = 0, cd32;
	char what[96];
	int err;

	while (argc) {
		if (!strcmp(argv[0], "owner") && !has_owner) {
			if (take_num(&argc, &argv, UINT32_MAX, &owner))
				return bad_usage(c);
			has_owner = true;
		} else if (!strcmp(argv[0], "id") && !has_id && !has_cdest) {
			if (take_num(&argc, &argv, UINT64_MAX, &id))
				return bad_usage(c);
			has_id = true;
		} else if (!strcmp(argv[0], "cdest") && !has_id && !has_cdest) {
			if (take_num(&argc, &argv, UINT32_MAX, &cdest))
				return bad_usage(c);
			has_cdest = true;
		} else if (!strcmp(argv[0], "static") && !statics) {
			statics = true;
			argc--;
			argv++;
		} else {
			return bad_usage(c);
		}
	}
	if (!has_owner)
		return bad_usage(c);
	if (!ctl_nl(c))
		return EXIT_FAILURE;
	cd32 = (uint32_t)cdest;
	err = dfc_nl_crit_del(c->nl, (uint32_t)owner, has_id ? &id : NULL,
			      has_cdest ? &cd32 : NULL, statics, &deleted);
	snprintf(what, sizeof(what), "filter del owner %" PRIu64, owner);
	if (err)
		return fail(c, what, err);
	if (c->json)
		return print_json(json_pack("{s:I}", "deleted", (json_int_t)deleted));
	printf("deleted %" PRIu32 "\n", deleted);
	return 0;
}
