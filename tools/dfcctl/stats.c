// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dfcctl stats: the global counters of the network namespace.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "dfcctl.h"

/* ---- stats ---- */

int stats_get(struct ctl *c, struct dfc_stats *s)
{
	int err;

	if (!ctl_nl(c))
		return EXIT_FAILURE;
	err = dfc_nl_stats_get(c->nl, s);
	return err ? fail(c, "stats", err) : 0;
}

int cmd_stats_show(struct ctl *c, int argc, char **argv)
{
	struct dfc_stats s;
	int ret;

	(void)argv;
	if (argc)
		return bad_usage(c);
	ret = stats_get(c, &s);
	if (ret)
		return ret;
	/* One list of counters serves both outputs. */
	const struct {
		const char *name;
		uint64_t v;
	} rows[] = {
		{ "ifaces", s.ifaces }, { "seen", s.seen }, { "bytes", s.bytes },
		{ "ipv4", s.ipv4 }, { "ipv6", s.ipv6 }, { "other", s.other },
		{ "parsed", s.parsed }, { "unparseable", s.unparseable },
		{ "no_l4_exthdrs", s.no_l4.exthdrs }, { "no_l4_truncated", s.no_l4.truncated },
		{ "no_l4_fragment", s.no_l4.fragment },
		{ "matched", s.matched }, { "masks_probed", s.masks_probed },
		{ "crits", s.crits }, { "max_crits", s.max_crits }, { "masks", s.masks },
		{ "max_masks", s.max_masks }, { "entries", s.entries },
		{ "table_mem", s.table_mem }, { "expired", s.expired },
		{ "copies", s.copies }, { "copies_shared", s.copies_shared },
		{ "dup_dropped", s.dup_dropped },
		{ "max_duplicates", s.max_dup }, { "dup_period", s.dup_period },
		{ "frag_entries", s.frag.entries }, { "frag_mem", s.frag.mem },
		{ "frag_hits", s.frag.hits }, { "frag_missed", s.frag.missed },
		{ "frag_held", s.frag.held }, { "frag_evicted", s.frag.evicted },
		{ "looped", s.looped }, { "copy_mark", s.copy_mark },
	};
	size_t n = sizeof(rows) / sizeof(rows[0]);

	if (c->json) {
		json_t *o = json_pack("{s:s}", "version", s.version);

		for (size_t i = 0; o && i < n; i++)
			json_object_set_new(o, rows[i].name, json_integer((json_int_t)rows[i].v));
		return print_json(o);
	}
	printf("version: %s\n", s.version);
	for (size_t i = 0; i < n; i++)
		printf("%s: %" PRIu64 "\n", rows[i].name, rows[i].v);
	return 0;
}
