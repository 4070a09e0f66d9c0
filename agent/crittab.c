// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * A source's criteria table: sorted by id, removal marks (callers may be
 * walking it), compaction later; and taking a criterion out of the kernel.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "core.h"

struct dtcp_crit *dtcp_src_find(const struct dtcp_src *src, uint32_t id)
{
	unsigned int lo = 0, hi = src->n_crits;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		struct dtcp_crit *c = src->crits[mid];

		if (c->id == id)
			return c->dead ? NULL : c;
		if (c->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void dtcp_crit_free(struct dtcp_crit *c)
{
	free(c->cdests);
	free(c->blob);
	free(c);
}

static void compact(struct dtcp_src *src)
{
	unsigned int j = 0;

	for (unsigned int i = 0; i < src->n_crits; i++) {
		if (src->crits[i]->dead)
			dtcp_crit_free(src->crits[i]);
		else
			src->crits[j++] = src->crits[i];
	}
	src->n_crits = j;
	src->n_dead = 0;
}

int dtcp_src_insert(struct dtcp_src *src, struct dtcp_crit *c)
{
	unsigned int pos = src->n_crits;

	if (src->n_crits == src->cap) {
		unsigned int cap = src->cap ? src->cap * 2 : 64;
		struct dtcp_crit **n = realloc(src->crits, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		src->crits = n;
		src->cap = cap;
	}
	/* Ids are handed out increasing: the end, unless the counter wrapped. */
	while (pos && src->crits[pos - 1]->id > c->id)
		pos--;
	memmove(src->crits + pos + 1, src->crits + pos, (src->n_crits - pos) * sizeof(c));
	src->crits[pos] = c;
	src->n_crits++;
	src->n_live++;
	if (c->flags & DFC_CRIT_F_STATIC)
		src->n_static++;
	return 0;
}

void dtcp_src_remove(struct dtcp_server *s, struct dtcp_src *src, struct dtcp_crit *c,
		     int reason)
{
	if (c->dead)
		return;
	c->dead = true;
	src->n_live--;
	src->n_dead++;
	if (c->flags & DFC_CRIT_F_STATIC)
		src->n_static--;
	if (c->request_dest)
		for (unsigned int k = 0; k < c->n_dest; k++)
			dtcp_rdest_put(s, c->cdest_kid[k]);
	if (reason >= 0 && reason < 5)
		src->st.deleted_by[reason]++;
	free(c->blob);
	c->blob = NULL;
	s->dirty = true;
	/* Not compacted here: callers may be walking src->crits. */
}

void dtcp_server_gc(struct dtcp_server *s)
{
	for (unsigned int i = 0; i < s->n_srcs; i++) {
		struct dtcp_src *src = s->srcs[i];

		if (src->n_dead > 64 && src->n_dead > src->n_crits / 2)
			compact(src);
	}
}

int dtcp_crit_kernel_del(struct dtcp_server *s, struct dtcp_src *src, struct dtcp_crit *c)
{
	int ret = 0;

	for (unsigned int k = 0; k < c->n_dest; k++) {
		int err = s->kops->del(s->kctx, src->cfg ? src->cfg->owner :
				       dtcp_hash32(src->id, strlen(src->id), DTCP_HASH_INIT),
				       DTCP_KID(c->id, k));

		/* Gone already: it expired, and its event is on the way. */
		if (err && err != -ENOENT) {
			s->st.kernel_errors++;
			LOG(s, src, LOG_ERR, "kernel: delete criterion %" PRIu32 ": %s", c->id,
			    strerror(-err));
			ret = ret ?: err;
		}
	}
	return ret;
}
