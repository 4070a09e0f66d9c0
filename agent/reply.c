// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Building answers: the status line, Seq, Timestamp, errors and the
 * signature, each datagram queued for the caller to send.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "core.h"

void dtcp_replies_clear(struct dtcp_replies *r)
{
	for (unsigned int i = 0; i < r->n; i++)
		free(r->d[i].buf);
	r->n = 0;
}

void dtcp_reply_push(struct dtcp_server *s, struct dtcp_replies *r, const struct dtcp_out *o)
{
	char *b;

	if (o->overflow) {
		LOG(s, NULL, LOG_ERR, "reply too large or not signed: dropped");
		return;
	}
	if (r->n == r->cap) {
		unsigned int cap = r->cap ? r->cap * 2 : 4;
		struct dtcp_dgram *d = realloc(r->d, cap * sizeof(*d));

		if (!d)
			return;
		r->d = d;
		r->cap = cap;
	}
	b = malloc(o->len + 1);
	if (!b)
		return;
	memcpy(b, o->buf, o->len);
	b[o->len] = '\0'; /* for whoever prints it */
	r->d[r->n].buf = b;
	r->d[r->n++].len = o->len;
	s->st.replies++;
}

void dtcp_reply_begin(struct dtcp_req *q, struct dtcp_out *o, unsigned int code)
{
	dtcp_out_init(o, !q->src->cfg->mixed_case);
	dtcp_out_status(o, q->ver, code, NULL);
	dtcp_out_param(o, "Seq", "%s", q->seq);
}

void dtcp_reply_timestamp(struct dtcp_req *q, struct dtcp_out *o)
{
	char ts[32];

	dtcp_time_fmt(dtcp_wall_ms(q->s), ts);
	dtcp_out_param(o, "Timestamp", "%s", ts);
}

void dtcp_reply_finish(struct dtcp_req *q, struct dtcp_out *o)
{
	dtcp_reply_timestamp(q, o);
	dtcp_out_sign(o, q->src->cfg->key, q->src->cfg->key_len);
	dtcp_reply_push(q->s, q->out, o);
}

unsigned int dtcp_reply_error(struct dtcp_req *q, struct dtcp_err *e)
{
	struct dtcp_out *o = q->s->out;
	unsigned int code = e->code;

	/* 550 and 551 are 0.7 codes: a 0.6 client knew them as 500. */
	if ((code == 550 || code == 551) && q->ver < DTCP_VER(0, 7))
		code = 500;
	dtcp_reply_begin(q, o, code);
	if (e->param) {
		const char *c = dtcp_pid_name(e->param->pid);

		dtcp_out_param(o, c ? c : e->param->name, "%s", e->param->raw);
	}
	if (e->cdest[0])
		dtcp_out_param_str(o, "Cdest-ID", e->cdest);
	if (e->has_id)
		dtcp_out_param(o, "Criteria-ID", "%" PRIu64, e->id);
	if (e->why[0])
		dtcp_out_param_str(o, "X-Error-Info", e->why);
	dtcp_reply_finish(q, o);
	LOG(q->s, q->src, LOG_INFO, "%s: %u %s%s%s", q->m ? q->m->method : "ADD", code,
	    dtcp_reason(code),
	    e->why[0] ? ": " : "", e->why);
	return code;
}
