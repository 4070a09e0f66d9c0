// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The ADD method: checks (crit.c), destinations, the kernel, the table.
 * In a burst, the kernel part of its ADDs is one batch (server.h): each
 * ADD is checked and built at once, and answered once the batch ran.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "core.h"

static uint32_t alloc_id(struct dtcp_server *s, struct dtcp_src *src)
{
	/* Server-wide and increasing: an id is not reused soon after its delete. */
	for (;;) {
		uint32_t id = s->next_id++;

		if (!s->next_id)
			s->next_id = 1;
		if (id && !dtcp_src_find(src, id))
			return id;
	}
}

/* An ADD waiting for its burst's kernel batch: what its answer needs. */
struct dtcp_pending {
	struct dtcp_src *src;
	struct dtcp_crit *c;		/* built; inserted once the kernel took it */
	unsigned int refs;		/* request-defined destinations it holds */
	struct dtcp_replies *out;
	int ver;
	char *seq;
	int slot;			/* its message in the batch */
};

struct dtcp_pending *dtcp_pending_new(void)
{
	return calloc(DFC_NL_BATCH_MAX, sizeof(struct dtcp_pending));
}

static unsigned int pending_of(const struct dtcp_server *s, const struct dtcp_src *src)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < s->n_pend; i++)
		n += s->pend[i].src == src;
	return n;
}

/* The criterion as the table keeps it, before the kernel has it. */
static struct dtcp_crit *crit_new(const struct dtcp_add *a, uint32_t id, uint64_t now,
				  uint64_t mono, const char *from, const struct dfc_nl_crit *kc)
{
	struct dtcp_crit *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->id = id;
	c->flags = a->flags;
	c->prio = a->prio;
	c->n_dest = a->n_dest;
	memcpy(c->cdest_kid, a->cdest_kid, sizeof(c->cdest_kid));
	/* As sent, like the blob keeps it: names may hold escaped commas. */
	c->cdests = strdup(a->cdest_param->raw);
	c->request_dest = a->request_dest;
	c->t_idle = a->t_idle;
	c->t_total = a->t_total;
	c->t_packets = a->t_packets;
	c->t_bytes = a->t_bytes;
	c->added_ms = now;
	snprintf(c->from, sizeof(c->from), "%s", from);
	c->blob_len = kc->blob_len;
	c->blob = malloc(c->blob_len);
	if (c->blob)
		memcpy(c->blob, kc->blob, c->blob_len);
	c->bw_ms = mono;
	if (!c->cdests || !c->blob) {
		dtcp_crit_free(c);
		return NULL;
	}
	return c;
}

/* What the kernel said, as a DTCP error. */
static void kernel_fail(struct dtcp_server *s, struct dtcp_err *e, int err, const char *why)
{
	if (err == -ENOSPC)
		dtcp_fail(e, 550, NULL, "kernel criteria limit reached");
	else if (err == -EINVAL || err == -EMSGSIZE || err == -E2BIG)
		dtcp_fail(e, 432, NULL, "kernel refused the filter%s%s", why && *why ? ": " : "",
			  why ? why : "");
	else
		dtcp_fail(e, 500, NULL, "kernel: %s", strerror(-err));
	s->st.kernel_errors += err != -ENOSPC && err != -EINVAL;
}

/*
 * The kernel's answer (err) to the add of c: c into the table and 200,
 * or the error. Either way, c and the references it holds are taken.
 */
static unsigned int add_finish(struct dtcp_req *q, struct dtcp_crit *c, unsigned int refs,
			       int err, const char *why)
{
	struct dtcp_server *s = q->s;
	struct dtcp_src *src = q->src;
	struct dtcp_err e = { 0 };
	uint32_t id = c->id;

	if (err) {
		kernel_fail(s, &e, err, why);
	} else if (dtcp_src_insert(src, c)) {
		for (unsigned int k = 0; k < c->n_dest; k++)
			s->kops->del(s->kctx, src->cfg->owner, DTCP_KID(id, k));
		dtcp_fail(&e, 500, NULL, "out of memory");
		err = -ENOMEM;
	}
	if (err) {
		for (unsigned int k = 0; k < refs; k++)
			dtcp_rdest_put(s, c->cdest_kid[k]);
		dtcp_crit_free(c);
		src->st.add_failed++;
		return dtcp_reply_error(q, &e);
	}
	src->st.added++;
	s->dirty = true;
	dtcp_reply_begin(q, s->out, 200);
	dtcp_out_param(s->out, "Criteria-ID", "%" PRIu32, id);
	dtcp_reply_finish(q, s->out);
	return 200;
}

/* Into the burst's batch: the slot, or -errno (then it goes to the kernel alone). */
static int add_queue(struct dtcp_req *q, const struct dfc_nl_crit *kc, unsigned int n,
		     struct dtcp_crit *c, unsigned int refs)
{
	struct dtcp_server *s = q->s;
	struct dtcp_pending *p;
	char *seq;
	int slot;

	if (!s->burst || !s->kops->add_queue || !s->kops->add_flush)
		return -EOPNOTSUPP;
	seq = strdup(q->seq);
	if (!seq)
		return -ENOMEM;
	slot = s->kops->add_queue(s->kctx, q->src->cfg->owner, kc, n);
	if (slot == -ENOSPC) {
		dtcp_add_flush(s);
		slot = s->kops->add_queue(s->kctx, q->src->cfg->owner, kc, n);
	}
	if (slot < 0) {
		free(seq);
		return slot;
	}
	p = &s->pend[s->n_pend++];
	*p = (struct dtcp_pending){ q->src, c, refs, q->out, q->ver, seq, slot };
	return 0;
}

void dtcp_add_flush(struct dtcp_server *s)
{
	struct dfc_nl_batch_res res[DFC_NL_BATCH_MAX];
	unsigned int n = s->n_pend;
	int err;

	if (!n)
		return;
	err = s->kops->add_flush(s->kctx, res);
	s->n_pend = 0;
	for (unsigned int i = 0; i < n; i++) {
		struct dtcp_pending *p = &s->pend[i];
		struct dtcp_req q = { .s = s, .src = p->src, .from_text = p->c->from,
				      .ver = p->ver, .seq = p->seq, .out = p->out };
		const struct dfc_nl_batch_res *r = &res[p->slot];

		dtcp_req_count(p->src, DTCP_M_ADD,
			       add_finish(&q, p->c, p->refs, err ? err : r->err,
					  err ? NULL : r->why));
		free(p->seq);
	}
}

unsigned int dtcp_method_add(struct dtcp_req *q)
{
	struct dtcp_server *s = q->s;
	struct dtcp_src *src = q->src;
	struct dfc_nl_crit kc[DTCP_MAX_DEST];
	struct dtcp_err e = { 0 };
	struct dtcp_add *a = malloc(sizeof(*a));
	struct dtcp_crit *c;
	char *blobs = malloc(DTCP_MAX_DEST * DFC_CRIT_BLOB_MAX);
	unsigned int ne, nx, done = 0, fresh = 0, refs = 0, owned, live;
	uint64_t now = dtcp_wall_ms(s);
	const char *why = NULL;
	bool queued;
	uint32_t id;
	int err = 0;

	if (!a || !blobs) {
		dtcp_fail(&e, 500, NULL, "out of memory");
		goto fail;
	}
	if (dtcp_add_parse(s, src, q->m, q->ver, a, &e))
		goto fail;
	if (src->cfg->max_criteria &&
	    (live = src->n_live + pending_of(s, src)) >= src->cfg->max_criteria) {
		dtcp_fail(&e, 550, NULL, "this control source has %u criteria", live);
		goto fail;
	}
	if (a->request_dest) {
		for (unsigned int k = 0; k < a->n_dest; k++)
			fresh += !dtcp_rdest_find(s, src, &a->kd[k]);
		if (fresh && s->n_rdests + fresh > s->cfg->max_request_dests) {
			dtcp_fail(&e, 551, NULL, "too many content destinations");
			goto fail;
		}
		owned = dtcp_rdest_count(s, src);
		if (fresh && owned + fresh > src->cfg->max_rdests) {
			dtcp_fail(&e, 551, NULL, "this control source has %u of its %u "
				  "request-defined content destinations", owned, src->cfg->max_rdests);
			goto fail;
		}
	}
	if (dtcp_add_expand(s, a, &ne, &nx, &e))
		goto fail;
	/* Request-defined destinations exist in the kernel before criteria name them. */
	for (unsigned int k = 0; a->request_dest && k < a->n_dest; k++) {
		err = dtcp_rdest_get(s, src, &a->kd[k], &a->cdest_kid[k]);
		if (err) {
			/* The ones taken before it are dropped at fail. */
			dtcp_fail(&e, err == -ENOMEM ? 500 : 551, NULL,
				  "content destination: %s", strerror(-err));
			goto fail;
		}
		a->kd[k].kid = a->cdest_kid[k];
		refs = k + 1;
	}
	id = alloc_id(s, src);
	memset(kc, 0, sizeof(kc));
	for (unsigned int k = 0; k < a->n_dest; k++) {
		char *b = blobs + k * DFC_CRIT_BLOB_MAX;
		const struct dtcp_param *bad;
		int len = dtcp_add_blob(q->m, a, q->from, now, k, b, DFC_CRIT_BLOB_MAX, &bad);

		if (len == -E2BIG) {
			dtcp_fail(&e, 432, NULL, "criterion longer than the %d bytes the kernel keeps",
				  DFC_CRIT_BLOB_MAX);
			goto fail;
		} else if (len == -EILSEQ) {
			dtcp_fail(&e, 400, bad, "not text: bytes above 126 must be escaped");
			goto fail;
		} else if (len < 0) {
			dtcp_fail(&e, 500, NULL, "criterion: %s", strerror(-len));
			goto fail;
		}
		kc[k].id = DTCP_KID(id, k);
		kc[k].prio = a->prio;
		kc[k].flags = a->flags;
		kc[k].cdest = a->cdest_kid[k];
		kc[k].timeout_idle = a->t_idle;
		kc[k].timeout_total = a->t_total;
		kc[k].limit_packets = a->t_packets;
		kc[k].limit_bytes = a->t_bytes;
		kc[k].blob = b;
		kc[k].blob_len = len;
		kc[k].entries = s->entries;
		kc[k].n_entries = ne;
		kc[k].excl = nx ? s->excl : NULL;
		kc[k].n_excl = nx;
	}
	c = crit_new(a, id, now, dtcp_mono_ms(s), q->from_text, &kc[0]);
	if (!c) {
		dtcp_fail(&e, 500, NULL, "out of memory");
		goto fail;
	}
	/* Queued, the criteria are in the batch's message: the next ADD may use the scratch. */
	queued = !add_queue(q, kc, c->n_dest, c, refs);
	if (!queued) {
		err = s->kops->add(s->kctx, src->cfg->owner, kc, c->n_dest, &done, &why);
		/* All or nothing: take back what an earlier message committed. */
		for (unsigned int k = 0; err && k < done; k++)
			s->kops->del(s->kctx, src->cfg->owner, kc[k].id);
	}
	free(a);
	free(blobs);
	return queued ? 0 : add_finish(q, c, refs, err, why);
fail:
	for (unsigned int k = 0; k < refs; k++)
		dtcp_rdest_put(s, a->cdest_kid[k]);
	free(a);
	free(blobs);
	src->st.add_failed++;
	return dtcp_reply_error(q, &e);
}
