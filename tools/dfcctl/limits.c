// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dfcctl limits: the criteria, mask and copy limits (read from the
 * stats, stats.c) and their change.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dfcctl.h"

/* ---- limits ---- */

int cmd_limits_show(struct ctl *c, int argc, char **argv)
{
	struct dfc_stats s;
	int ret;

	(void)argv;
	if (argc)
		return bad_usage(c);
	ret = stats_get(c, &s);
	if (ret)
		return ret;
	if (c->json)
		return print_json(json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}",
					    "max_crits", (json_int_t)s.max_crits,
					    "crits", (json_int_t)s.crits,
					    "max_masks", (json_int_t)s.max_masks,
					    "masks", (json_int_t)s.masks,
					    "max_duplicates", (json_int_t)s.max_dup,
					    "dup_period", (json_int_t)s.dup_period));
	printf("max-criteria: %" PRIu32 " (in use: %" PRIu32 ")\n"
	       "max-masks: %" PRIu32 " (in use: %" PRIu32 ")\n"
	       "max-duplicates: %" PRIu32 "\n"
	       "dup-period: %" PRIu32 "s\n",
	       s.max_crits, s.crits, s.max_masks, s.masks, s.max_dup, s.dup_period);
	return 0;
}

int cmd_limits_set(struct ctl *c, int argc, char **argv)
{
	static const char *const kw[] = {
		"max-criteria", "max-masks", "max-duplicates", "dup-period",
	};
	uint64_t v[4] = { 0 };
	struct dfc_nl_limits l;
	int err;

	while (argc) {
		size_t i;

		for (i = 0; i < 4 && strcmp(argv[0], kw[i]); i++)
			;
		/* 0 would mean "unchanged" to the library: not a limit */
		if (i == 4 || v[i] || take_num(&argc, &argv, UINT32_MAX, &v[i]) || !v[i])
			return bad_usage(c);
	}
	if (!v[0] && !v[1] && !v[2] && !v[3])
		return bad_usage(c);
	if (!ctl_nl(c))
		return EXIT_FAILURE;
	l = (struct dfc_nl_limits){ .max_crits = (uint32_t)v[0], .max_masks = (uint32_t)v[1],
				    .max_dup = (uint32_t)v[2], .dup_period = (uint32_t)v[3] };
	err = dfc_nl_limits_update(c->nl, &l);
	return err ? fail(c, "limits set", err) : 0;
}
