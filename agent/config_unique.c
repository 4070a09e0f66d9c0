// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * What must be one of a kind across the whole configuration: a capture
 * group's name, a control source's Csource-ID and its kernel owner (a hash
 * of the Csource-ID: a restart finds a criterion's source by it), a
 * configured content destination's kernel id (a hash of group and name: blob
 * format 6 names the destination by it). Each kind is sorted by its hash
 * (group names by name), so a clash is two neighbours: the same name twice,
 * or two names that collide. The error is at the later line of the earliest
 * such pair: O(n log n), however many sources a host serves.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_ctx.h"

struct named {
	uint32_t key;
	unsigned int line;
	const char *name;
};

/* By key, then line: a clash of keys is two neighbours in the file's order. */
static int by_key(const void *a, const void *b)
{
	const struct named *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* By name, then line: the same name twice is two neighbours. */
static int by_name(const void *a, const void *b)
{
	const struct named *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : by_key(a, b);
}

/*
 * Of the neighbours that share a key (names, if names), the later one of
 * the pair whose later line comes first; v[i - 1] is the other one. 0 if
 * none.
 */
static size_t first_clash(struct named *v, size_t n, bool names)
{
	size_t best = 0;

	qsort(v, n, sizeof(*v), names ? by_name : by_key);
	for (size_t i = 1; i < n; i++)
		if ((names ? !strcmp(v[i].name, v[i - 1].name) : v[i].key == v[i - 1].key) &&
		    (!best || v[i].line < v[best].line))
			best = i;
	return best;
}

static void clash_err(struct dtcp_cfg_ctx *x, unsigned int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void clash_err(struct dtcp_cfg_ctx *x, unsigned int line, const char *fmt, ...)
{
	char what[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(x->err, x->errlen, "%s:%u: %s", x->path, line, what);
	x->failed = true;
}

static void groups_unique(struct dtcp_cfg_ctx *x, const struct dtcp_config *cfg, struct named *v)
{
	size_t n = 0, i;

	for (unsigned int g = 0; g < cfg->n_groups; g++)
		if (cfg->groups[g].name)
			v[n++] = (struct named){ 0, cfg->groups[g].line, cfg->groups[g].name };
	i = first_clash(v, n, true);
	if (i)
		clash_err(x, v[i].line, "capture group '%s' defined twice (lines %u and %u)",
			  v[i].name, v[i - 1].line, v[i].line);
}

static void sources_unique(struct dtcp_cfg_ctx *x, const struct dtcp_config *cfg, struct named *v)
{
	size_t n = 0, i;

	for (unsigned int g = 0; g < cfg->n_groups; g++)
		for (unsigned int s = 0; s < cfg->groups[g].n_srcs; s++) {
			const struct dtcp_csource *c = &cfg->groups[g].srcs[s];

			if (c->id)
				v[n++] = (struct named){ c->owner, c->line, c->id };
		}
	i = first_clash(v, n, false);
	if (!i)
		return;
	if (!strcmp(v[i].name, v[i - 1].name))
		clash_err(x, v[i].line, "control source '%s' defined twice (line %u)",
			  v[i].name, v[i - 1].line);
	else
		clash_err(x, v[i].line, "control sources '%s' and '%s' hash to the same "
			  "kernel owner: rename one", v[i].name, v[i - 1].name);
}

static void cdests_unique(struct dtcp_cfg_ctx *x, const struct dtcp_config *cfg, struct named *v)
{
	size_t n = 0, i;

	for (unsigned int g = 0; g < cfg->n_groups; g++)
		for (unsigned int d = 0; d < cfg->groups[g].n_dests; d++) {
			const struct dtcp_cdest *c = &cfg->groups[g].dests[d];

			if (c->id)
				v[n++] = (struct named){ c->kid, c->line, c->id };
		}
	/* A name twice in one group was refused as the group loaded: a collision. */
	i = first_clash(v, n, false);
	if (i)
		clash_err(x, v[i].line, "content destinations '%s' and '%s' hash to the "
			  "same kernel id: rename one", v[i].name, v[i - 1].name);
}

void dtcp_cfg_check_unique(struct dtcp_cfg_ctx *x, const struct dtcp_config *cfg)
{
	size_t room = cfg->n_groups + 1;
	struct named *v;

	if (x->failed)
		return;
	for (unsigned int g = 0; g < cfg->n_groups; g++)
		room += cfg->groups[g].n_srcs + cfg->groups[g].n_dests;
	v = calloc(room, sizeof(*v));
	if (!v) {
		snprintf(x->err, x->errlen, "%s: out of memory", x->path);
		x->failed = true;
		return;
	}
	groups_unique(x, cfg, v);
	if (!x->failed)
		sources_unique(x, cfg, v);
	if (!x->failed)
		cdests_unique(x, cfg, v);
	free(v);
}
