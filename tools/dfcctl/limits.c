// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dfcctl limits: the criteria, mask and copy limits and the copy mark
 * (read from the stats, stats.c), and their change.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
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
		return print_json(json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
					    "max_crits", (json_int_t)s.max_crits,
					    "crits", (json_int_t)s.crits,
					    "max_masks", (json_int_t)s.max_masks,
					    "masks", (json_int_t)s.masks,
					    "max_duplicates", (json_int_t)s.max_dup,
					    "dup_period", (json_int_t)s.dup_period,
					    "copy_mark", (json_int_t)s.copy_mark));
	printf("max-criteria: %" PRIu32 " (in use: %" PRIu32 ")\n"
	       "max-masks: %" PRIu32 " (in use: %" PRIu32 ")\n"
	       "max-duplicates: %" PRIu32 "\n"
	       "dup-period: %" PRIu32 "s\n",
	       s.max_crits, s.crits, s.max_masks, s.masks, s.max_dup, s.dup_period);
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
	static const char *const kw[] = {
		"max-criteria", "max-masks", "max-duplicates", "dup-period",
	};
	struct dfc_nl_limits l = { 0 };
	uint64_t v[4] = { 0 };
	int err;

	while (argc) {
		size_t i;

		if (!strcmp(argv[0], "copy-mark")) {
			if (l.set_copy_mark || take_mark(&argc, &argv, &l.copy_mark))
				return bad_usage(c);
			l.set_copy_mark = true;
			continue;
		}
		for (i = 0; i < 4 && strcmp(argv[0], kw[i]); i++)
			;
		/* 0 would mean "unchanged" to the library: not a limit */
		if (i == 4 || v[i] || take_num(&argc, &argv, UINT32_MAX, &v[i]) || !v[i])
			return bad_usage(c);
	}
	if (!v[0] && !v[1] && !v[2] && !v[3] && !l.set_copy_mark)
		return bad_usage(c);
	if (!ctl_nl(c))
		return EXIT_FAILURE;
	l.max_crits = (uint32_t)v[0];
	l.max_masks = (uint32_t)v[1];
	l.max_dup = (uint32_t)v[2];
	l.dup_period = (uint32_t)v[3];
	err = dfc_nl_limits_update(c->nl, &l);
	return err ? fail(c, "limits set", err) : 0;
}
