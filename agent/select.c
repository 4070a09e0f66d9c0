// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Selecting a source's criteria: by Criteria-ID or by Cdest-ID.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "core.h"

static bool has_dest(const struct dtcp_crit *c, const char *name)
{
	const char *p = c->cdests;
	size_t n = strlen(name);

	while (p && *p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		if (len == n && !memcmp(p, name, n))
			return true;
		p = comma ? comma + 1 : NULL;
	}
	return false;
}

/*
 * The live criteria of src the request names; *sel malloc'd. Neither
 * selector: all of them. Singles must exist (431); ranges take what exists.
 */
int dtcp_select_crits(struct dtcp_req *q, const struct dtcp_param *pid,
		      const struct dtcp_param *pcd, struct dtcp_crit ***sel,
		      unsigned int *n, struct dtcp_err *e)
{
	struct dtcp_src *src = q->src;
	struct dtcp_idset *set = NULL;
	char name[256];

	*sel = NULL;
	*n = 0;
	if (pid) {
		set = malloc(sizeof(*set));
		if (!set)
			return dtcp_fail(e, 500, NULL, "out of memory");
		if (dtcp_idset_parse(pid->value, set)) {
			free(set);
			return dtcp_fail(e, 400, pid, "bad Criteria-ID");
		}
		for (unsigned int i = 0; i < set->n; i++) {
			if (set->it[i].neg || !set->it[i].single)
				continue;
			if (set->it[i].lo > UINT32_MAX ||
			    !dtcp_src_find(src, (uint32_t)set->it[i].lo)) {
				e->has_id = true;
				e->id = set->it[i].lo;
				free(set);
				return dtcp_fail(e, 431, NULL, "no such criterion");
			}
		}
	} else if (pcd) {
		const struct dtcp_cdest *d;
		bool known = false;

		if (strchr(pcd->raw, ','))
			return dtcp_fail(e, 400, pcd, "one Cdest-ID only");
		snprintf(name, sizeof(name), "%s", pcd->value);
		d = dtcp_config_cdest(src->cfg->group, name);
		/* Or a label its own requests may have defined. */
		known = (d && dtcp_csource_allows(src->cfg, d)) || src->cfg->request_dests;
		if (!known) {
			snprintf(e->cdest, sizeof(e->cdest), "%s", pcd->value);
			return dtcp_fail(e, 430, NULL, "unknown content destination");
		}
	}
	*sel = malloc((src->n_live ? src->n_live : 1) * sizeof(**sel));
	if (!*sel) {
		free(set);
		return dtcp_fail(e, 500, NULL, "out of memory");
	}
	for (unsigned int i = 0; i < src->n_crits; i++) {
		struct dtcp_crit *c = src->crits[i];

		if (c->dead)
			continue;
		if (set && !dtcp_idset_has(set, c->id))
			continue;
		if (pcd && !has_dest(c, name))
			continue;
		(*sel)[(*n)++] = c;
	}
	free(set);
	return 0;
}
