// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The DELETE, REFRESH and NOOP methods.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "core.h"

unsigned int dtcp_method_delete(struct dtcp_req *q)
{
	struct dtcp_server *s = q->s;
	struct dtcp_src *src = q->src;
	const struct dtcp_param *pid = dtcp_msg_pget(q->m, DTCP_P_CRITERIA_ID);
	const struct dtcp_param *pcd = dtcp_msg_pget(q->m, DTCP_P_CDEST_ID);
	struct dtcp_err e = { 0 };
	struct dtcp_crit **sel;
	unsigned int n, fl, count = 0;
	bool statics;
	int err = 0;

	if (!!pid == !!pcd) {
		dtcp_fail(&e, 400, pid, "exactly one of Criteria-ID and Cdest-ID");
		return dtcp_reply_error(q, &e);
	}
	if (dtcp_req_flags(q->m, &fl, &e) || dtcp_select_crits(q, pid, pcd, &sel, &n, &e))
		return dtcp_reply_error(q, &e);
	statics = fl & DTCP_FL_STATIC;
	if (n && n == src->n_live && (statics || !src->n_static) && s->kops->del_owner) {
		/* Everything of the source: one kernel request. */
		uint32_t kn = 0;

		err = s->kops->del_owner(s->kctx, src->cfg->owner, &kn);
		if (err && err != -ENOENT) {
			/* Nothing is known deleted: the table keeps all of them. */
			s->st.kernel_errors++;
			LOG(s, src, LOG_ERR, "kernel: delete all criteria: %s", strerror(-err));
		} else {
			err = 0;
			for (unsigned int i = 0; i < n; i++)
				dtcp_src_remove(s, src, sel[i], DFC_REASON_NONE);
			count = n;
		}
	} else {
		for (unsigned int i = 0; i < n; i++) {
			int e1;

			/* Static ones stay unless asked for: skipped, not an error. */
			if ((sel[i]->flags & DFC_CRIT_F_STATIC) && !statics)
				continue;
			/* One the kernel kept stays in the table too (LIST shows it). */
			e1 = dtcp_crit_kernel_del(s, src, sel[i]);
			if (e1) {
				err = err ?: e1;
				continue;
			}
			dtcp_src_remove(s, src, sel[i], DFC_REASON_NONE);
			count++;
		}
	}
	free(sel);
	if (err) {
		/* Never 200 for what the kernel still holds. */
		dtcp_fail(&e, 500, NULL, "kernel: %s (%u of the criteria deleted)", strerror(-err),
			  count);
		return dtcp_reply_error(q, &e);
	}
	dtcp_reply_begin(q, s->out, 200);
	dtcp_out_param(s->out, "Criteria-Count", "%u", count);
	dtcp_reply_finish(q, s->out);
	return 200;
}

unsigned int dtcp_method_refresh(struct dtcp_req *q)
{
	struct dtcp_server *s = q->s;
	struct dtcp_src *src = q->src;
	const struct dtcp_param *pid = dtcp_msg_pget(q->m, DTCP_P_CRITERIA_ID);
	const struct dtcp_param *pcd = dtcp_msg_pget(q->m, DTCP_P_CDEST_ID);
	struct dtcp_err e = { 0 };
	struct dtcp_timeouts t;
	struct dtcp_crit **sel;
	unsigned int n, fl, count = 0;
	uint64_t now = dtcp_wall_ms(s);

	if (!!pid == !!pcd) {
		dtcp_fail(&e, 400, pid, "exactly one of Criteria-ID and Cdest-ID");
		return dtcp_reply_error(q, &e);
	}
	if (dtcp_req_flags(q->m, &fl, &e))
		return dtcp_reply_error(q, &e);
	if (fl & DTCP_FL_STATIC) {
		dtcp_fail(&e, 400, dtcp_msg_pget(q->m, DTCP_P_FLAGS),
			  "REFRESH cannot make a criterion Static");
		return dtcp_reply_error(q, &e);
	}
	if (dtcp_timeouts_parse(q->m, &t, &e))
		return dtcp_reply_error(q, &e);
	if (!t.idle && !t.total && !t.packets && !t.bytes) {
		dtcp_fail(&e, 433, dtcp_msg_pget(q->m, DTCP_P_TIMEOUT_IDLE),
			  "REFRESH needs a non-zero timeout");
		return dtcp_reply_error(q, &e);
	}
	if (dtcp_select_crits(q, pid, pcd, &sel, &n, &e))
		return dtcp_reply_error(q, &e);
	for (unsigned int i = 0; i < n; i++) {
		struct dtcp_crit *c = sel[i];
		bool ok = false;

		/* A Static criterion has no timeout to refresh: left alone, not counted. */
		if (c->flags & DFC_CRIT_F_STATIC)
			continue;
		for (unsigned int k = 0; k < c->n_dest; k++) {
			struct dfc_nl_crit kc = {
				.id = DTCP_KID(c->id, k),
				.timeout_idle = t.idle, .timeout_total = t.total,
				.limit_packets = t.packets, .limit_bytes = t.bytes,
			};
			int err = s->kops->refresh(s->kctx, src->cfg->owner, &kc);

			if (!err) {
				ok = true;
			} else if (err != -ENOENT) {
				s->st.kernel_errors++;
				LOG(s, src, LOG_ERR, "kernel: refresh criterion %" PRIu32 ": %s",
				    c->id, strerror(-err));
			}
		}
		if (!ok)
			continue; /* expired meanwhile: its event will tell */
		/* The named kinds replace what was left; the others keep running. */
		if (t.idle)
			c->t_idle = t.idle;
		if (t.total)
			c->t_total = t.total;
		if (t.packets)
			c->t_packets = t.packets;
		if (t.bytes)
			c->t_bytes = t.bytes;
		c->n_refresh++;
		c->refresh_ms = now;
		count++;
	}
	free(sel);
	dtcp_reply_begin(q, s->out, 200);
	dtcp_out_param(s->out, "Criteria-Count", "%u", count);
	dtcp_reply_finish(q, s->out);
	return 200;
}

unsigned int dtcp_method_noop(struct dtcp_req *q)
{
	struct dtcp_err e = { 0 };
	unsigned int fl;

	if (dtcp_req_flags(q->m, &fl, &e))
		return dtcp_reply_error(q, &e);
	dtcp_reply_begin(q, q->s->out, 200);
	dtcp_reply_finish(q, q->s->out);
	if (fl & DTCP_FL_SENDASYNC)
		dtcp_notify(q->s, q->src, 131, NULL);
	return 200;
}
