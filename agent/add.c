// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The ADD method: checks (crit.c), destinations, the kernel, the table.
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

unsigned int dtcp_method_add(struct dtcp_req *q)
{
	struct dtcp_server *s = q->s;
	struct dtcp_src *src = q->src;
	struct dfc_nl_crit kc[DTCP_MAX_DEST];
	struct dtcp_err e = { 0 };
	struct dtcp_add *a = malloc(sizeof(*a));
	struct dtcp_crit *c = NULL;
	char *blobs = malloc(DTCP_MAX_DEST * DFC_CRIT_BLOB_MAX);
	unsigned int ne, nx, done = 0, fresh = 0, refs = 0, owned;
	uint64_t now = s->wall_ms();
	const char *why = NULL;
	const char *from = q->from_text;
	uint32_t id;
	int err;

	if (!a || !blobs) {
		dtcp_fail(&e, 500, NULL, "out of memory");
		goto fail;
	}
	if (dtcp_add_parse(s, src, q->m, q->ver, a, &e))
		goto fail;
	if (src->cfg->max_criteria && src->n_live >= src->cfg->max_criteria) {
		dtcp_fail(&e, 550, NULL, "this control source has %u criteria", src->n_live);
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
	err = s->kops->add(s->kctx, src->cfg->owner, kc, a->n_dest, &done, &why);
	if (err) {
		/* All or nothing: take back what an earlier message committed. */
		for (unsigned int k = 0; k < done; k++)
			s->kops->del(s->kctx, src->cfg->owner, kc[k].id);
		if (err == -ENOSPC)
			dtcp_fail(&e, 550, NULL, "kernel criteria limit reached");
		else if (err == -EINVAL || err == -EMSGSIZE || err == -E2BIG)
			dtcp_fail(&e, 432, NULL, "kernel refused the filter%s%s", why ? ": " : "",
				  why ? why : "");
		else
			dtcp_fail(&e, 500, NULL, "kernel: %s", strerror(-err));
		s->st.kernel_errors += err != -ENOSPC && err != -EINVAL;
		goto fail;
	}
	c = calloc(1, sizeof(*c));
	if (c) {
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
		c->blob_len = kc[0].blob_len;
		c->blob = malloc(c->blob_len);
		if (c->blob)
			memcpy(c->blob, kc[0].blob, c->blob_len);
		c->bw_ms = s->mono_ms ? s->mono_ms() : 0;
	}
	if (!c || !c->cdests || !c->blob || dtcp_src_insert(src, c)) {
		for (unsigned int k = 0; k < a->n_dest; k++)
			s->kops->del(s->kctx, src->cfg->owner, kc[k].id);
		if (c)
			dtcp_crit_free(c);
		dtcp_fail(&e, 500, NULL, "out of memory");
		goto fail;
	}
	src->st.added++;
	s->dirty = true;
	free(a);
	free(blobs);
	dtcp_reply_begin(q, s->out, 200);
	dtcp_out_param(s->out, "Criteria-ID", "%" PRIu32, id);
	dtcp_reply_finish(q, s->out);
	return 200;
fail:
	for (unsigned int k = 0; k < refs; k++)
		dtcp_rdest_put(s, a->cdest_kid[k]);
	free(a);
	free(blobs);
	src->st.add_failed++;
	return dtcp_reply_error(q, &e);
}
