// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * One datagram in: the security checks in the order of docs/dtcp.md §6.3
 * (Csource-ID, port, sender, HMAC, Seq: any failure is dropped silently,
 * logged and counted), then the version, the parameters and the method.
 * Every answer is signed with the source's key and carries its Seq.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "core.h"

static enum dtcp_method method_of(const char *m)
{
	static const char *const names[] = { "ADD", "DELETE", "REFRESH", "LIST", "NOOP" };

	for (int i = 0; i < DTCP_M_OTHER; i++)
		if (!strcasecmp(m, names[i]))
			return i;
	return DTCP_M_OTHER;
}

/*
 * Dropped datagrams share one rate limit, server-wide (ratelimit.h): a
 * flood (from anyone, authentic or not, of any kind) cannot flood the log.
 */
#define DROP_LOG(s, src, prio, ...) \
	do { if (dtcp_server_log_ok(s, DTCP_RL_DROP)) LOG(s, src, prio, __VA_ARGS__); } while (0)

void dtcp_req_count(struct dtcp_src *src, enum dtcp_method meth, unsigned int code)
{
	if (code != 200)
		src->st.req_failed[meth]++;
	src->st.answers[code / 100 % 10]++;
}

void dtcp_server_burst_begin(struct dtcp_server *s)
{
	s->burst_wall = s->wall_ms();
	s->burst_mono = s->mono_ms ? s->mono_ms() : 0;
	s->burst = true;
}

void dtcp_server_burst_end(struct dtcp_server *s)
{
	dtcp_add_flush(s);
	s->burst = false;
}

/* ssh NULL: a UDP datagram to local_port. True: the answer comes later (a batched ADD). */
static bool handle(struct dtcp_server *s, const struct sockaddr *from, uint16_t local_port,
		   struct dtcp_ssh_req *ssh, const void *data, size_t len,
		   struct dtcp_replies *out)
{
	struct dtcp_seq *win;
	struct dtcp_msg *m = s->msg;
	const struct dtcp_param *cs, *seqp;
	struct dtcp_err e = { 0 };
	enum dtcp_seq_verdict v;
	enum dtcp_method meth;
	struct dtcp_src *src;
	unsigned int code;
	char addr[48];
	uint64_t seq;
	struct dtcp_req q;
	int err;

	s->st.rx++;
	if (ssh)
		ssh->verdict = DTCP_SSH_REFUSED;
	dtcp_sa_text(from, addr, sizeof(addr));
	err = dtcp_msg_parse(m, data, len);
	if (err) {
		if (err == -EMSGSIZE)
			s->st.too_big++;
		else
			s->st.not_dtcp++;
		DROP_LOG(s, NULL, LOG_DEBUG, "from %s: not a DTCP message, dropped", addr);
		return false;
	}
	if (m->kind != DTCP_K_REQUEST) {
		s->st.not_request++;
		DROP_LOG(s, NULL, LOG_DEBUG, "from %s: not a request, dropped", addr);
		return false;
	}
	/* Security checks: every failure is dropped without an answer. */
	cs = dtcp_msg_pget(m, DTCP_P_CSOURCE_ID);
	if (!cs) {
		s->st.no_csource++;
		DROP_LOG(s, NULL, LOG_WARNING, "from %s: no Csource-ID, dropped (499)", addr);
		return false;
	}
	src = dtcp_server_src(s, cs->value);
	if (!src || !src->cfg) {
		s->st.unknown_csource++;
		DROP_LOG(s, NULL, LOG_WARNING, "from %s: unknown control source, dropped (499)", addr);
		return false;
	}
	if (ssh && (!dtcp_csource_has_login(src->cfg, ssh->login) ||
		    (ssh->src && ssh->src != src))) {
		src->st.drop_login++;
		DROP_LOG(s, src, LOG_WARNING, "from %s: SSH login %s does not speak for this control "
		    "source, session closed (499)", addr, ssh->login);
		return false;
	}
	if (ssh)
		ssh->verdict = DTCP_SSH_DROPPED;
	if (!ssh && local_port != src->cfg->port) {
		src->st.drop_port++;
		DROP_LOG(s, src, LOG_WARNING, "from %s: request to port %u, not the service port, "
		    "dropped", addr, local_port);
		return false;
	}
	if (!dtcp_csource_sender_ok(src->cfg, from)) {
		src->st.drop_addr++;
		DROP_LOG(s, src, LOG_WARNING, "from %s: sender not in source-addresses, dropped", addr);
		return false;
	}
	if (!m->auth || !dtcp_hmac_verify(src->cfg->key, src->cfg->key_len, m->raw,
					  m->signed_len, m->auth)) {
		src->st.drop_auth++;
		DROP_LOG(s, src, LOG_WARNING, "from %s: authentication failed, dropped (497)", addr);
		return false;
	}
	seqp = dtcp_msg_pget(m, DTCP_P_SEQ);
	if (!seqp || dtcp_parse_u64(seqp->value, UINT64_MAX, &seq)) {
		src->st.drop_noseq++;
		DROP_LOG(s, src, LOG_WARNING, "from %s: no valid Seq, dropped (498)", addr);
		return false;
	}
	/* Over SSH the window is the session's: Junos clients start at 1 on each. */
	win = ssh ? ssh->seq : &src->seq;
	v = dtcp_seq_check(win, seq);
	if (v != DTCP_SEQ_OK) {
		src->st.drop_seq++;
		DROP_LOG(s, src, LOG_WARNING, "from %s: Seq %" PRIu64 " %s (highest %" PRIu64
		    "), dropped (498)", addr, seq,
		    v == DTCP_SEQ_REPLAY ? "already seen" : "outside the window", win->max);
		return false;
	}
	/* Authentic: the window moves even if the request then fails (§6.2). */
	if (ssh) {
		ssh->verdict = DTCP_SSH_OK;
		ssh->src = src;
	}
	if (dtcp_seq_accept(win, seq)) {
		LOG(s, src, LOG_NOTICE, "sequence number rolled over (Seq %" PRIu64 ")", seq);
		dtcp_notify(s, src, 130, NULL);
	}
	src->st.last_seq = seq;
	s->dirty = true;

	meth = method_of(m->method);
	src->st.req[meth]++;
	q = (struct dtcp_req){ s, src, m, from, addr, m->version, seqp->value, out,
			       ssh ? DTCP_OUT_MAX - 1 : 0 };
	if (m->version < 0) {
		q.ver = DTCP_VER_CUR;
		dtcp_fail(&e, 400, NULL, "%s", m->bad_why);
		code = dtcp_reply_error(&q, &e);
	} else if (m->version > DTCP_VER_HIGH || m->version < DTCP_VER_LOW) {
		/* Newer: answered in our highest version; older: in our lowest (§6.7). */
		q.ver = m->version > DTCP_VER_HIGH ? DTCP_VER_HIGH : DTCP_VER_LOW;
		dtcp_fail(&e, 505, NULL, "DTCP/%s", m->version_text);
		code = dtcp_reply_error(&q, &e);
	} else if (m->bad_lineno) {
		struct dtcp_out *o = s->out;
		char line[512];

		dtcp_reply_begin(&q, o, 400);
		snprintf(line, sizeof(line), "%.*s", (int)m->bad_line_len, m->bad_line);
		dtcp_out_param_str(o, "X-Error-Line", line);
		dtcp_out_param_str(o, "X-Error-Info", m->bad_why);
		dtcp_reply_finish(&q, o);
		code = 400;
	} else if (meth == DTCP_M_OTHER) {
		dtcp_fail(&e, 501, NULL, "method %s is not implemented", m->method);
		code = dtcp_reply_error(&q, &e);
	} else if (dtcp_params_check(m, meth, &e)) {
		code = dtcp_reply_error(&q, &e);
	} else {
		/* What the kernel holds must include the burst's ADDs so far. */
		if (meth != DTCP_M_ADD)
			dtcp_add_flush(s);
		switch (meth) {
		case DTCP_M_ADD: code = dtcp_method_add(&q); break;
		case DTCP_M_DELETE: code = dtcp_method_delete(&q); break;
		case DTCP_M_REFRESH: code = dtcp_method_refresh(&q); break;
		case DTCP_M_LIST: code = dtcp_method_list(&q); break;
		default: code = dtcp_method_noop(&q); break;
		}
	}
	if (code)
		dtcp_req_count(src, meth, code);
	dtcp_server_gc(s);
	return !code;
}

bool dtcp_server_handle(struct dtcp_server *s, const struct sockaddr *from,
			uint16_t local_port, const void *data, size_t len,
			struct dtcp_replies *out)
{
	return handle(s, from, local_port, NULL, data, len, out);
}

void dtcp_server_handle_ssh(struct dtcp_server *s, const struct sockaddr *from,
			    struct dtcp_ssh_req *r, const void *data, size_t len,
			    struct dtcp_replies *out)
{
	handle(s, from, 0, r, data, len, out);
}
