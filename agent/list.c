// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The LIST method: entries with the kernel's counters, split over
 * datagrams as whole entries (over SSH, one answer up to DTCP_OUT_MAX).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "core.h"

/* Kernel counters of a source's criteria, for LIST Stats. */
struct kstat {
	uint64_t kid;
	struct dfc_nl_crit c;
};

struct kstats {
	struct kstat *v;
	unsigned int n, cap;
};

static int kstat_cb(const struct dfc_nl_crit *c, void *data)
{
	struct kstats *ks = data;

	if (DTCP_KID_DEST(c->id))
		return 0; /* destination 0 speaks for the criterion */
	if (ks->n == ks->cap) {
		unsigned int cap = ks->cap ? ks->cap * 2 : 256;
		struct kstat *v = realloc(ks->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		ks->v = v;
		ks->cap = cap;
	}
	ks->v[ks->n].kid = c->id;
	ks->v[ks->n].c = *c;
	ks->v[ks->n].c.blob = NULL;
	ks->v[ks->n].c.entries = ks->v[ks->n].c.excl = NULL;
	ks->n++;
	return 0;
}

static int kstat_restart(void *data)
{
	((struct kstats *)data)->n = 0;
	return 0;
}

static int kstat_cmp(const void *a, const void *b)
{
	const struct kstat *x = a, *y = b;

	return x->kid < y->kid ? -1 : x->kid > y->kid;
}

static const struct dfc_nl_crit *kstat_find(const struct kstats *ks, uint64_t kid)
{
	struct kstat key = { .kid = kid }, *r;

	if (!ks->n)
		return NULL;
	r = bsearch(&key, ks->v, ks->n, sizeof(*ks->v), kstat_cmp);
	return r ? &r->c : NULL;
}

struct entry_ctx {
	struct dtcp_out *o;
	bool criteria;
	bool x_pass;
};

static void entry_line(const char *name, const char *value, void *data)
{
	struct entry_ctx *x = data;
	bool is_x = !strncasecmp(name, "X-", 2);

	if (!strcasecmp(name, "Cdest-ID") || is_x != x->x_pass)
		return;
	dtcp_out_param(x->o, name, "%s", value);
}

/* One List-Resp-Entry into o (which starts empty). */
static void list_entry(struct dtcp_req *q, struct dtcp_out *o, const struct dtcp_crit *c,
		       unsigned int flags, const struct dfc_nl_crit *k, unsigned int num,
		       unsigned int count)
{
	struct entry_ctx x = { .o = o };
	char ts[32];

	dtcp_out_param(o, "Criteria-ID", "%" PRIu32, c->id);
	dtcp_out_param_str(o, "Csource-ID", q->src->id);
	dtcp_out_param(o, "Csource-Address", "%s", c->from);
	/* Already a DSTRING list (as sent): escaping it again would garble it. */
	dtcp_out_param(o, "Cdest-ID", "%s", c->cdests);
	dtcp_time_fmt(c->added_ms, ts);
	dtcp_out_param(o, "Timestamp", "%s", ts);
	if (flags & (DTCP_FL_CRITERIA | DTCP_FL_BOTH)) {
		if (c->blob)
			dtcp_blob_lines(c->blob, c->blob_len, entry_line, &x);
		if (c->t_idle)
			dtcp_out_param(o, "Timeout-Idle", "%" PRIu32, c->t_idle);
		if (c->t_total)
			dtcp_out_param(o, "Timeout-Total", "%" PRIu32, c->t_total);
		if (c->t_packets)
			dtcp_out_param(o, "Timeout-Packets", "%" PRIu64, c->t_packets);
		if (c->t_bytes)
			dtcp_out_param(o, "Timeout-Bytes", "%" PRIu64, c->t_bytes);
	}
	/* Whether it is Static is shown whatever was asked (draft §5.11). */
	if (c->flags & (DFC_CRIT_F_STATIC | DFC_CRIT_F_SEND_ASYNC))
		dtcp_out_param(o, "Flags", "%s%s%s",
			       c->flags & DFC_CRIT_F_STATIC ? "Static" : "",
			       (c->flags & DFC_CRIT_F_STATIC) && (c->flags & DFC_CRIT_F_SEND_ASYNC) ?
			       "," : "", c->flags & DFC_CRIT_F_SEND_ASYNC ? "SendAsync" : "");
	if (flags & (DTCP_FL_CRITERIA | DTCP_FL_BOTH)) {
		x.x_pass = true;
		if (c->blob)
			dtcp_blob_lines(c->blob, c->blob_len, entry_line, &x);
	}
	if (flags & (DTCP_FL_STATS | DTCP_FL_BOTH)) {
		struct dfc_nl_crit z = { 0 };

		if (!k)
			k = &z;
		if (c->t_idle)
			dtcp_out_param(o, "Remaining-Idle", "%" PRIu32, k->timeout_idle);
		if (c->t_total)
			dtcp_out_param(o, "Remaining-Total", "%" PRIu32, k->timeout_total);
		if (c->t_packets)
			dtcp_out_param(o, "Remaining-Packets", "%" PRIu64, k->limit_packets);
		if (c->t_bytes)
			dtcp_out_param(o, "Remaining-Bytes", "%" PRIu64, k->limit_bytes);
		dtcp_out_param(o, "Average-Bandwidth", "%" PRIu64, c->avg_bps);
		dtcp_out_param(o, "Matching-Packets", "%" PRIu64, k->packets);
		dtcp_out_param(o, "Matching-Bytes", "%" PRIu64, k->bytes);
		dtcp_out_param(o, "Num-Refresh", "%" PRIu32, c->n_refresh);
		dtcp_time_fmt(c->refresh_ms ? c->refresh_ms : c->added_ms, ts);
		dtcp_out_param(o, "Last-Refresh", "%s", ts);
	}
	dtcp_out_param(o, "Criteria-Num", "%u", num);
	dtcp_out_param(o, "Criteria-Count", "%u", count);
}

/* Bytes the signature line and the blank line add to a datagram. */
#define DTCP_TRAILER (sizeof("Authentication-Info: ") - 1 + DTCP_HMAC_HEX + 4)

unsigned int dtcp_method_list(struct dtcp_req *q)
{
	struct dtcp_server *s = q->s;
	struct dtcp_src *src = q->src;
	const struct dtcp_param *pid = dtcp_msg_pget(q->m, DTCP_P_CRITERIA_ID);
	const struct dtcp_param *pcd = dtcp_msg_pget(q->m, DTCP_P_CDEST_ID);
	struct dtcp_err e = { 0 };
	struct kstats ks = { 0 };
	struct dtcp_crit **sel;
	struct dtcp_out *entry = NULL;
	unsigned int n, fl, i = 0;
	size_t head, budget = q->budget ? q->budget : DTCP_DGRAM_BUDGET;

	if (pid && pcd) {
		dtcp_fail(&e, 400, pcd, "Criteria-ID or Cdest-ID, not both");
		return dtcp_reply_error(q, &e);
	}
	if (dtcp_req_flags(q->m, &fl, &e))
		return dtcp_reply_error(q, &e);
	/* No Stats/Criteria/Both: Criteria, as later Junos releases do. */
	if (!(fl & (DTCP_FL_STATS | DTCP_FL_CRITERIA | DTCP_FL_BOTH)))
		fl |= DTCP_FL_CRITERIA;
	if (dtcp_select_crits(q, pid, pcd, &sel, &n, &e))
		return dtcp_reply_error(q, &e);
	if (n && (fl & (DTCP_FL_STATS | DTCP_FL_BOTH))) {
		/* One dump is the atomic snapshot the draft asks for (not terse: limits). */
		uint32_t owner = src->cfg->owner;
		int err = s->kops->dump(s->kctx, &owner, false, kstat_cb, kstat_restart, &ks);

		if (err) {
			free(sel);
			free(ks.v);
			s->st.kernel_errors++;
			dtcp_fail(&e, 500, NULL, "kernel: %s", strerror(-err));
			return dtcp_reply_error(q, &e);
		}
		if (ks.n) /* qsort(NULL, 0) is undefined: the kernel may have none of them */
			qsort(ks.v, ks.n, sizeof(*ks.v), kstat_cmp);
	}
	entry = malloc(sizeof(*entry));
	if (!entry) {
		free(sel);
		free(ks.v);
		dtcp_fail(&e, 500, NULL, "out of memory");
		return dtcp_reply_error(q, &e);
	}
	/* Each datagram: one whole Response, whole entries, the same Seq (draft §6.1). */
	do {
		struct dtcp_out *o = s->out;

		dtcp_reply_begin(q, o, 200);
		dtcp_reply_timestamp(q, o);
		head = o->len;
		for (; i < n; i++) {
			dtcp_out_init(entry, o->upper);
			list_entry(q, entry, sel[i], fl, kstat_find(&ks, DTCP_KID(sel[i]->id, 0)),
				   i + 1, n);
			/* An entry never straddles datagrams; one too big goes alone. */
			if (o->len > head && o->len + entry->len + DTCP_TRAILER > budget)
				break;
			dtcp_out_raw(o, entry->buf, entry->len);
		}
		dtcp_out_sign(o, src->cfg->key, src->cfg->key_len);
		dtcp_reply_push(s, q->out, o);
	} while (i < n);
	free(entry);
	free(sel);
	free(ks.v);
	return 200;
}
