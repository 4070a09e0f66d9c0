// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The server and its control sources: creation, lookup, the end, and the
 * state that is persisted (Seq windows, next id).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "core.h"

struct dtcp_src *dtcp_src_new(struct dtcp_server *s, struct dtcp_csource *cfg)
{
	struct dtcp_src *src = calloc(1, sizeof(*src)), **n;

	if (!src)
		return NULL;
	src->id = strdup(cfg->id);
	n = realloc(s->srcs, (s->n_srcs + 1) * sizeof(*n));
	if (!src->id || !n) {
		free(src->id);
		free(src);
		return NULL;
	}
	s->srcs = n;
	src->cfg = cfg;
	s->srcs[s->n_srcs++] = src;
	for (unsigned int i = 0; i < s->n_retired; i++) {
		if (strcmp(s->retired[i].id, src->id))
			continue;
		src->seq = s->retired[i].seq;
		free(s->retired[i].id);
		s->retired[i] = s->retired[--s->n_retired];
		break;
	}
	return src;
}

static int retire(struct dtcp_server *s, const char *id, const struct dtcp_seq *seq)
{
	struct dtcp_state_src *n;

	if (!seq->have)
		return 0; /* nothing to remember: any Seq would set a new baseline anyway */
	for (unsigned int i = 0; i < s->n_retired; i++) {
		if (!strcmp(s->retired[i].id, id)) {
			s->retired[i].seq = *seq;
			return 0;
		}
	}
	n = realloc(s->retired, (s->n_retired + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	s->retired = n;
	n[s->n_retired].id = strdup(id);
	if (!n[s->n_retired].id)
		return -ENOMEM;
	n[s->n_retired++].seq = *seq;
	s->dirty = true;
	return 0;
}

int dtcp_src_retire(struct dtcp_server *s, const struct dtcp_src *src)
{
	return retire(s, src->id, &src->seq);
}

void dtcp_src_free(struct dtcp_src *src)
{
	for (unsigned int i = 0; i < src->n_crits; i++)
		dtcp_crit_free(src->crits[i]);
	free(src->crits);
	free(src->id);
	free(src);
}

struct dtcp_src *dtcp_server_src(const struct dtcp_server *s, const char *id)
{
	for (unsigned int i = 0; i < s->n_srcs; i++)
		if (!strcmp(s->srcs[i]->id, id))
			return s->srcs[i];
	return NULL;
}

struct dtcp_src *dtcp_server_src_by_owner(const struct dtcp_server *s, uint32_t owner)
{
	for (unsigned int i = 0; i < s->n_srcs; i++)
		if (s->srcs[i]->cfg && s->srcs[i]->cfg->owner == owner)
			return s->srcs[i];
	return NULL;
}

int dtcp_server_init(struct dtcp_server *s, struct dtcp_config *cfg)
{
	s->cfg = cfg;
	s->next_id = 1;
	s->next_rdest_kid = 0x80000001u;
	s->entries = calloc(DFC_CRIT_MAX_ENTRIES, sizeof(*s->entries));
	s->excl = calloc(DFC_CRIT_MAX_EXCL, sizeof(*s->excl));
	s->msg = malloc(sizeof(*s->msg));
	s->out = malloc(sizeof(*s->out));
	s->pend = dtcp_pending_new();
	if (!s->entries || !s->excl || !s->msg || !s->out || !s->pend)
		return -ENOMEM;
	for (unsigned int g = 0; g < cfg->n_groups; g++)
		for (unsigned int i = 0; i < cfg->groups[g].n_srcs; i++)
			if (!dtcp_src_new(s, &cfg->groups[g].srcs[i]))
				return -ENOMEM;
	return 0;
}

void dtcp_server_fini(struct dtcp_server *s)
{
	for (unsigned int i = 0; i < s->n_srcs; i++)
		dtcp_src_free(s->srcs[i]);
	free(s->srcs);
	dtcp_rdest_reset(s);
	for (unsigned int i = 0; i < s->n_retired; i++)
		free(s->retired[i].id);
	free(s->retired);
	s->retired = NULL;
	s->n_retired = 0;
	free(s->orphans);
	s->orphans = NULL;
	s->n_orphans = 0;
	free(s->entries);
	free(s->pend);
	free(s->excl);
	free(s->msg);
	free(s->out);
	dtcp_config_free(s->cfg);
	s->srcs = NULL;
	s->n_srcs = 0;
	s->cfg = NULL;
}

void dtcp_server_state(const struct dtcp_server *s, struct dtcp_state *st)
{
	unsigned int n = s->n_srcs + s->n_retired;

	memset(st, 0, sizeof(*st));
	st->next_id = s->next_id;
	st->src = calloc(n ? n : 1, sizeof(*st->src));
	if (!st->src)
		return;
	for (unsigned int i = 0; i < s->n_srcs; i++) {
		st->src[i].id = s->srcs[i]->id; /* borrowed: free st->src only */
		st->src[i].seq = s->srcs[i]->seq;
		st->n_static += s->srcs[i]->n_static;
		st->n_dynamic += s->srcs[i]->n_live - s->srcs[i]->n_static;
	}
	/* Sources configured before: their windows stay until they come back. */
	for (unsigned int i = 0; i < s->n_retired; i++)
		st->src[s->n_srcs + i] = s->retired[i];
	st->n_src = n;
}

int dtcp_server_restore(struct dtcp_server *s, const struct dtcp_state *st)
{
	int err = 0;

	if (st->next_id > s->next_id)
		s->next_id = st->next_id;
	for (unsigned int i = 0; i < st->n_src; i++) {
		struct dtcp_src *src = dtcp_server_src(s, st->src[i].id);

		if (src)
			src->seq = st->src[i].seq;
		else if (retire(s, st->src[i].id, &st->src[i].seq))
			err = -ENOMEM;
	}
	return err;
}
