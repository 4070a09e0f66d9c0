// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dfcctl limits: the criteria, mask and copy limits (read from the
 * stats, stats.c) and their change.
 */
#include <inttypes.h>
#include <stdbool.h>
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
		return print_json(json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
					    "max_crits", (json_int_t)s.max_crits,
					    "crits", (json_int_t)s.crits,
					    "max_masks", (json_int_t)s.max_masks,
					    "masks", (json_int_t)s.masks,
					    "max_duplicates", (json_int_t)s.max_dup,
					    "dup_period", (json_int_t)s.dup_period,
					    "frag_max", (json_int_t)s.frag.max,
					    "frag_entries", (json_int_t)s.frag.entries,
					    "frag_timeout", (json_int_t)s.frag.timeout,
					    "frag_hold", (json_int_t)s.frag.hold_max));
	printf("max-criteria: %" PRIu32 " (in use: %" PRIu32 ")\n"
	       "max-masks: %" PRIu32 " (in use: %" PRIu32 ")\n"
	       "max-duplicates: %" PRIu32 "\n"
	       "dup-period: %" PRIu32 "s\n"
	       "frag-max: %" PRIu32 " (in use: %" PRIu32 ")\n"
	       "frag-timeout: %" PRIu32 "s\n"
	       "frag-hold: %" PRIu32 " bytes (in use: %" PRIu64 " bytes with the table)\n",
	       s.max_crits, s.crits, s.max_masks, s.masks, s.max_dup, s.dup_period,
	       s.frag.max, s.frag.entries, s.frag.timeout, s.frag.hold_max, s.frag.mem);
	return 0;
}

int cmd_limits_set(struct ctl *c, int argc, char **argv)
{
	/* min: the least value; the frag-* ones may be 0 (off, never hold) */
	static const struct {
		const char *kw;
		uint64_t min;
	} kw[] = {
		{ "max-criteria", 1 }, { "max-masks", 1 }, { "max-duplicates", 1 },
		{ "dup-period", 1 }, { "frag-max", 0 }, { "frag-timeout", 1 },
		{ "frag-hold", 0 },
	};
	enum { N = sizeof(kw) / sizeof(kw[0]) };
	uint64_t v[N] = { 0 };
	bool given[N] = { false }, any = false;
	struct dfc_nl_limits l;
	int err;

	while (argc) {
		size_t i;

		for (i = 0; i < N && strcmp(argv[0], kw[i].kw); i++)
			;
		if (i == N || given[i] || take_num(&argc, &argv, UINT32_MAX, &v[i]) ||
		    v[i] < kw[i].min)
			return bad_usage(c);
		given[i] = any = true;
	}
	if (!any)
		return bad_usage(c);
	if (!ctl_nl(c))
		return EXIT_FAILURE;
	l = (struct dfc_nl_limits){ .max_crits = (uint32_t)v[0], .max_masks = (uint32_t)v[1],
				    .max_dup = (uint32_t)v[2], .dup_period = (uint32_t)v[3],
				    .frag_max = (uint32_t)v[4], .frag_timeout = (uint32_t)v[5],
				    .frag_hold_max = (uint32_t)v[6] };
	l.frag_set = (given[4] ? DFC_NL_FRAG_MAX : 0) | (given[5] ? DFC_NL_FRAG_TIMEOUT : 0) |
		     (given[6] ? DFC_NL_FRAG_HOLD_MAX : 0);
	err = dfc_nl_limits_update(c->nl, &l);
	return err ? fail(c, "limits set", err) : 0;
}
