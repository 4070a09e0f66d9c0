/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A dtcpd protocol core over the in-memory kernel (agent/kfake.c) for the
 * host tests that do not share dtcp_fixture.h: a configuration written to a
 * temporary file, requests signed as a control source would sign them,
 * answers parsed and verified. Logged lines are counted.
 */
#ifndef DTCP_SRV_H
#define DTCP_SRV_H

#include <arpa/inet.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>

#include "config.h"
#include "kfake.h"
#include "msg.h"
#include "dtcp_req.h"
#include "server.h"

struct tsrv {
	struct dtcp_server s;
	struct kfake k;
	struct dtcp_replies r;
	struct sockaddr_in from;
	char path[64];
	unsigned int n_log;		/* lines logged */
	char last_log[512];
};

static struct dtcp_msg tsrv_msg;

static inline uint64_t tsrv_wall(void) { return 1104580861111ULL; }
static inline uint64_t tsrv_mono(void) { return 1000000; }

static inline void tsrv_log(struct dtcp_server *s, const struct dtcp_src *src, int prio,
			    const char *fmt, ...)
{
	struct tsrv *t = s->user;
	va_list ap;

	(void)src;
	(void)prio;
	t->n_log++;
	va_start(ap, fmt);
	vsnprintf(t->last_log, sizeof(t->last_log), fmt, ap);
	va_end(ap);
}

static inline void tsrv_send(struct dtcp_server *s, const struct dtcp_csource *src,
			     const struct dtcp_target *t, const void *buf, size_t len)
{
	(void)s, (void)src, (void)t, (void)buf, (void)len;
}

static inline struct dtcp_config *tsrv_conf(struct tsrv *t, const char *text)
{
	char err[512];
	struct dtcp_config *c;
	int fd;

	if (!t->path[0]) {
		snprintf(t->path, sizeof(t->path), "/tmp/dtcp_srv.XXXXXX");
		fd = mkstemp(t->path);
	} else {
		fd = open(t->path, O_WRONLY | O_TRUNC);
	}
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		abort();
	close(fd);
	c = dtcp_config_load(t->path, err, sizeof(err));
	if (!c)
		fprintf(stderr, "# %s\n", err);
	return c;
}

/* A server over t->k (initialised once by the caller) with the configuration text. */
static inline int tsrv_start(struct tsrv *t, const char *text)
{
	struct dtcp_config *c = tsrv_conf(t, text);

	if (!c)
		return -1;
	memset(&t->s, 0, sizeof(t->s));
	if (dtcp_server_init(&t->s, c))
		return -1;
	t->s.kops = &kfake_ops;
	t->s.kctx = &t->k;
	t->s.wall_ms = tsrv_wall;
	t->s.mono_ms = tsrv_mono;
	t->s.send = tsrv_send;
	t->s.log = tsrv_log;
	t->s.user = t;
	t->from.sin_family = AF_INET;
	t->from.sin_port = htons(5000);
	inet_pton(AF_INET, "192.0.2.1", &t->from.sin_addr);
	return 0;
}

static inline void tsrv_stop(struct tsrv *t)
{
	dtcp_replies_clear(&t->r);
	free(t->r.d);
	t->r.d = NULL;
	t->r.cap = 0;
	dtcp_server_fini(&t->s);
}

/*
 * A request of source id (key, port, Seq seq) with "Name: value" lines
 * separated by '|'; the raw bytes (signed) go to out if not NULL. The
 * number of answer datagrams.
 */
static inline unsigned int tsrv_req(struct tsrv *t, const char *id, const char *key,
				    uint16_t port, uint64_t seq, const char *start,
				    const char *lines, struct dtcp_out *keep)
{
	static struct dtcp_out o;

	dtcp_req_build(&o, start, lines, id, key, seq);
	if (keep)
		*keep = o;
	dtcp_replies_clear(&t->r);
	dtcp_server_handle(&t->s, (struct sockaddr *)&t->from, port, o.buf, o.len, &t->r);
	return t->r.n;
}

/* The same bytes again (a replay). */
static inline unsigned int tsrv_raw(struct tsrv *t, uint16_t port, const void *buf, size_t len)
{
	dtcp_replies_clear(&t->r);
	dtcp_server_handle(&t->s, (struct sockaddr *)&t->from, port, buf, len, &t->r);
	return t->r.n;
}

/* Status code of answer d, verified with key (0: none or not authentic); into tsrv_msg. */
static inline unsigned int tsrv_code(struct tsrv *t, const char *key, unsigned int d)
{
	struct dtcp_msg *m = &tsrv_msg;

	if (d >= t->r.n || dtcp_msg_parse(m, t->r.d[d].buf, t->r.d[d].len) ||
	    m->kind != DTCP_K_STATUS || !m->auth ||
	    !dtcp_hmac_verify(key, strlen(key), m->raw, m->signed_len, m->auth))
		return 0;
	return m->code;
}

static inline uint64_t tsrv_num(const char *name)
{
	const char *v = dtcp_msg_value(&tsrv_msg, name);
	uint64_t n = UINT64_MAX;

	if (v)
		dtcp_parse_u64(v, UINT64_MAX, &n);
	return n;
}

#endif /* DTCP_SRV_H */
