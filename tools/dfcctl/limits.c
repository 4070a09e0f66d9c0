// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dfcctl limits: the criteria, mask and copy limits and the copy mark
 * (read from the stats, stats.c), and their change.
 */
#include <ctype.h>
#include <errno.h>
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
		return print_json(json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
					    "max_crits", (json_int_t)s.max_crits,
					    "crits", (json_int_t)s.crits,
					    "max_masks", (json_int_t)s.max_masks,
					    "masks", (json_int_t)s.masks,
					    "max_duplicates", (json_int_t)s.max_dup,
					    "dup_period", (json_int_t)s.dup_period,
					    "frag_max", (json_int_t)s.frag.max,
					    "frag_entries", (json_int_t)s.frag.entries,
					    "frag_timeout", (json_int_t)s.frag.timeout,
					    "frag_hold", (json_int_t)s.frag.hold_max,
					    "copy_mark", (json_int_t)s.copy_mark));
	printf("max-criteria: %" PRIu32 " (in use: %" PRIu32 ")\n"
	       "max-masks: %" PRIu32 " (in use: %" PRIu32 ")\n"
	       "max-duplicates: %" PRIu32 "\n"
	       "dup-period: %" PRIu32 "s\n"
	       "frag-max: %" PRIu32 " (in use: %" PRIu32 ")\n"
	       "frag-timeout: %" PRIu32 "s\n"
	       "frag-hold: %" PRIu32 " bytes (in use: %" PRIu64 " bytes with the table)\n",
	       s.max_crits, s.crits, s.max_masks, s.masks, s.max_dup, s.dup_period,
	       s.frag.max, s.frag.entries, s.frag.timeout, s.frag.hold_max, s.frag.mem);
	if (s.copy_mark)
		printf("copy-mark: %#" PRIx32 "\n", s.copy_mark);
	else
		printf("copy-mark: 0 (copies unmarked: no mark loop guard)\n");
	return 0;
}

/* "copy-mark MARK": decimal or 0x hex, any u32 (0 too). */
static int take_mark(int *argc, char ***argv, uint32_t *out)
{
	const char *arg = *argc < 2 ? "" : (*argv)[1];
	bool hex = arg[0] == '0' && (arg[1] == 'x' || arg[1] == 'X');
	unsigned long long v;
	char *end;

	/* never octal: 010 is ten */
	errno = 0;
	v = strtoull(hex ? arg + 2 : arg, &end, hex ? 16 : 10);
	if ((hex ? !isxdigit((unsigned char)arg[2]) : *arg < '0' || *arg > '9') ||
	    errno || *end || v > UINT32_MAX) {
		fprintf(stderr, "dfcctl: copy-mark: '%s' is not a 32-bit mark\n", arg);
		return -1;
	}
	*out = (uint32_t)v;
	*argc -= 2;
	*argv += 2;
	return 0;
}

int cmd_limits_set(struct ctl *c, int argc, char **argv)
{
	/*
	 * min: the least value. The first four are sent when not 0; the
	 * others, where 0 is a value (off, never hold), when given: bit.
	 */
	static const struct {
		const char *kw;
		uint64_t min;
		unsigned int bit;
	} kw[] = {
		{ "max-criteria", 1, 0 }, { "max-masks", 1, 0 }, { "max-duplicates", 1, 0 },
		{ "dup-period", 1, 0 }, { "frag-max", 0, DFC_NL_SET_FRAG_MAX },
		{ "frag-timeout", 1, DFC_NL_SET_FRAG_TIMEOUT },
		{ "frag-hold", 0, DFC_NL_SET_FRAG_HOLD_MAX },
	};
	enum { N = sizeof(kw) / sizeof(kw[0]) };
	struct dfc_nl_limits l = { 0 };
	uint64_t v[N] = { 0 };
	bool given[N] = { false }, any = false;
	int err;

	while (argc) {
		size_t i;

		if (!strcmp(argv[0], "copy-mark")) {
			if ((l.set & DFC_NL_SET_COPY_MARK) || take_mark(&argc, &argv, &l.copy_mark))
				return bad_usage(c);
			l.set |= DFC_NL_SET_COPY_MARK;
			any = true;
			continue;
		}
		for (i = 0; i < N && strcmp(argv[0], kw[i].kw); i++)
			;
		if (i == N || given[i] || take_num(&argc, &argv, UINT32_MAX, &v[i]) ||
		    v[i] < kw[i].min)
			return bad_usage(c);
		given[i] = any = true;
		l.set |= kw[i].bit;
	}
	if (!any)
		return bad_usage(c);
	if (!ctl_nl(c))
		return EXIT_FAILURE;
	l.max_crits = (uint32_t)v[0];
	l.max_masks = (uint32_t)v[1];
	l.max_dup = (uint32_t)v[2];
	l.dup_period = (uint32_t)v[3];
	l.frag_max = (uint32_t)v[4];
	l.frag_timeout = (uint32_t)v[5];
	l.frag_hold_max = (uint32_t)v[6];
	err = dfc_nl_limits_update(c->nl, &l);
	return err ? fail(c, "limits set", err) : 0;
}
