// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Rebuilding the criteria tables from a kernel dump (a restart keeps
 * capturing): each kernel criterion is adopted by the source its blob names.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "core.h"

struct rebuild {
	struct dtcp_server *s;
	unsigned int found;
	struct { uint32_t owner; uint64_t kid; } *stale;
	unsigned int n_stale, cap_stale;
	unsigned int n_bad;		/* of them, not consistent with our configuration */
	/*
	 * The criteria adopted so far by Criteria-ID (ids are server-wide),
	 * open addressing: finding the one a destination k > 0 belongs to
	 * costs O(1), not a walk of the table (40k criteria: O(N^2)).
	 */
	struct dtcp_crit **seen;
	unsigned int n_seen, cap_seen;	/* cap_seen: a power of two */
};

static unsigned int seen_slot(const struct rebuild *r, uint32_t id)
{
	unsigned int i = (id * 2654435761u) & (r->cap_seen - 1);

	while (r->seen[i] && r->seen[i]->id != id)
		i = (i + 1) & (r->cap_seen - 1);
	return i;
}

static struct dtcp_crit *seen_find(const struct rebuild *r, uint32_t id)
{
	return r->cap_seen ? r->seen[seen_slot(r, id)] : NULL;
}

static int seen_add(struct rebuild *r, struct dtcp_crit *c)
{
	if (2 * (r->n_seen + 1) > r->cap_seen) {
		struct rebuild g = *r;

		g.cap_seen = r->cap_seen ? 2 * r->cap_seen : 1024;
		g.seen = calloc(g.cap_seen, sizeof(*g.seen));
		if (!g.seen)
			return -ENOMEM;
		for (unsigned int i = 0; i < r->cap_seen; i++)
			if (r->seen[i])
				g.seen[seen_slot(&g, r->seen[i]->id)] = r->seen[i];
		free(r->seen);
		r->seen = g.seen;
		r->cap_seen = g.cap_seen;
	}
	r->seen[seen_slot(r, c->id)] = c;
	r->n_seen++;
	return 0;
}

static void rebuild_reset(struct dtcp_server *s)
{
	for (unsigned int i = 0; i < s->n_srcs; i++) {
		struct dtcp_src *src = s->srcs[i];

		for (unsigned int k = 0; k < src->n_crits; k++)
			dtcp_crit_free(src->crits[k]);
		src->n_crits = src->n_live = src->n_static = src->n_dead = 0;
	}
	dtcp_rdest_reset(s);
}

static int rebuild_restart(void *data)
{
	struct rebuild *r = data;

	rebuild_reset(r->s);
	r->found = 0;
	r->n_stale = r->n_bad = 0;
	if (r->cap_seen)
		memset(r->seen, 0, r->cap_seen * sizeof(*r->seen));
	r->n_seen = 0;
	return 0;
}

/* A kernel criterion that goes once the dump is over. */
static int stale(struct rebuild *r, const struct dfc_nl_crit *kc)
{
	if (r->n_stale == r->cap_stale) {
		unsigned int cap = r->cap_stale ? r->cap_stale * 2 : 64;
		void *n = realloc(r->stale, cap * sizeof(*r->stale));

		if (!n)
			return -ENOMEM;
		r->stale = n;
		r->cap_stale = cap;
	}
	r->stale[r->n_stale].owner = kc->owner;
	r->stale[r->n_stale++].kid = kc->id;
	return 0;
}

/*
 * May src have c, as the kernel has it? Its destinations must be ones src
 * may use now: configured and allowed under the names and ids the blob
 * gives, or request-defined ones no other source owns (taken, then).
 */
static bool dests_adopted(struct dtcp_server *s, struct dtcp_src *src, struct dtcp_crit *c,
			  const struct dtcp_blob *b)
{
	if (!dtcp_crit_dests_valid(src, c))
		return false;
	return !c->request_dest || !dtcp_rdest_adopt(s, src, b->rkd, b->n);
}

/* A configured destination of src's group by its kernel id (format 6 names them so). */
static const char *cdest_name(uint32_t kid, void *data)
{
	const struct dtcp_cdest *d =
		dtcp_config_cdest_by_kid(((const struct dtcp_src *)data)->cfg->group, kid);

	return d ? d->id : NULL;
}

static int rebuild_cb(const struct dfc_nl_crit *kc, void *data)
{
	struct rebuild *r = data;
	struct dtcp_server *s = r->s;
	struct dtcp_src *src;
	struct dtcp_crit *c;
	struct dtcp_blob b;
	int err;

	if (dtcp_blob_parse(kc->blob, kc->blob_len, &b)) {
		/* A dtcpd blob we cannot trust: an older format, or forged. */
		if (!dtcp_blob_is_dtcpd(kc->blob, kc->blob_len))
			return 0; /* not ours: someone else's criterion */
		r->n_bad++;
		return stale(r, kc);
	}
	/* From format 6 the owner alone names the source. */
	src = b.csource[0] ? dtcp_server_src(s, b.csource) : dtcp_server_src_by_owner(s, kc->owner);
	if (!src || !src->cfg || src->cfg->owner != kc->owner ||
	    kc->id != DTCP_KID(DTCP_KID_CRIT(kc->id), DTCP_KID_DEST(kc->id)) ||
	    dtcp_blob_own_id(&b, DTCP_KID_CRIT(kc->id), DTCP_KID_DEST(kc->id)) ||
	    dtcp_blob_own_kid(&b, kc->cdest)) {
		r->n_bad += src && src->cfg;
		dtcp_blob_free(&b);
		return stale(r, kc);
	}
	if (b.id >= s->next_id)
		s->next_id = b.id + 1 ? b.id + 1 : 1;
	/* Destination k > 0 of a criterion already seen adds nothing. */
	c = seen_find(r, b.id);
	if (c) {
		dtcp_blob_free(&b);
		if (b.k == 0)
			c->n_refresh = kc->n_refresh;
		return 0;
	}
	err = dtcp_blob_own_names(&b, cdest_name, src);
	if (err) {
		dtcp_blob_free(&b);
		if (err != -EINVAL)
			return err;
		r->n_bad++;
		return stale(r, kc);
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		dtcp_blob_free(&b);
		return -ENOMEM;
	}
	c->id = b.id;
	/* As the kernel keeps them: they were given to it once, at ADD. */
	c->flags = kc->flags;
	c->prio = kc->prio;
	c->n_dest = b.n;
	memcpy(c->cdest_kid, b.cdest_kid, sizeof(c->cdest_kid));
	c->cdests = b.cdests;
	c->request_dest = b.request_dest;
	/* Timeouts as added; a REFRESH since then is not in the blob. */
	c->t_idle = b.t_idle;
	c->t_total = b.t_total;
	c->t_packets = b.t_packets;
	c->t_bytes = b.t_bytes;
	c->added_ms = b.added_ms;
	c->n_refresh = kc->n_refresh;
	c->refresh_ms = kc->n_refresh ? s->wall_ms() : 0;
	snprintf(c->from, sizeof(c->from), "%s", b.csource_addr);
	c->blob = malloc(kc->blob_len);
	if (!c->blob) {
		dtcp_crit_free(c);
		return -ENOMEM;
	}
	memcpy(c->blob, kc->blob, kc->blob_len);
	c->blob_len = kc->blob_len;
	c->bw_bytes = kc->bytes;
	c->bw_ms = s->mono_ms ? s->mono_ms() : 0;
	/* Appended unsorted: sorted once the dump is complete. */
	if (src->n_crits == src->cap) {
		unsigned int cap = src->cap ? src->cap * 2 : 64;
		struct dtcp_crit **n = realloc(src->crits, cap * sizeof(*n));

		if (!n) {
			dtcp_crit_free(c);
			return -ENOMEM;
		}
		src->crits = n;
		src->cap = cap;
	}
	if (!dests_adopted(s, src, c, &b)) {
		dtcp_crit_free(c);
		r->n_bad++;
		return stale(r, kc);
	}
	if (seen_add(r, c)) {
		dtcp_crit_free(c);
		return -ENOMEM;
	}
	src->crits[src->n_crits++] = c;
	src->n_live++;
	if (c->flags & DFC_CRIT_F_STATIC)
		src->n_static++;
	r->found++;
	return 0;
}

static int crit_cmp(const void *a, const void *b)
{
	const struct dtcp_crit *x = *(struct dtcp_crit *const *)a;
	const struct dtcp_crit *y = *(struct dtcp_crit *const *)b;

	return x->id < y->id ? -1 : x->id > y->id;
}

int dtcp_server_rebuild(struct dtcp_server *s, unsigned int *found)
{
	struct rebuild r = { .s = s };
	int err;

	rebuild_reset(s);
	err = s->kops->dump(s->kctx, NULL, false, rebuild_cb, rebuild_restart, &r);
	for (unsigned int i = 0; i < s->n_srcs; i++)
		if (s->srcs[i]->n_crits)
			qsort(s->srcs[i]->crits, s->srcs[i]->n_crits, sizeof(struct dtcp_crit *),
			      crit_cmp);
	if (!err) {
		/* Ours by their blob, but their source is gone or they are not theirs: they go. */
		for (unsigned int i = 0; i < r.n_stale; i++)
			s->kops->del(s->kctx, r.stale[i].owner, r.stale[i].kid);
		if (r.n_stale - r.n_bad)
			LOG(s, NULL, LOG_NOTICE, "deleted %u kernel criteria of control sources "
			    "no longer configured", r.n_stale - r.n_bad);
		if (r.n_bad)
			LOG(s, NULL, LOG_WARNING, "deleted %u kernel criteria whose blob is "
			    "unreadable or names destinations their source may not use", r.n_bad);
	}
	free(r.stale);
	free(r.seen);
	*found = r.found;
	return err;
}
