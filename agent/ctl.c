// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Control socket: JSON lines over AF_UNIX. See ctl.h and docs/dtcpd.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <jansson.h>

#include "ctl.h"
#include "link.h"

int dtcp_ctl_open(struct dtcp_ctl *ctl, const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	mode_t old;
	int fd, err;

	for (unsigned int i = 0; i < DTCP_CTL_CLIENTS; i++)
		ctl->c[i] = (struct dtcp_ctl_client){ .fd = -1 };
	ctl->fd = -1;
	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	/* Root only: the agent's state is as sensitive as the criteria. */
	old = umask(0077);
	err = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (err || chmod(path, 0600) || listen(fd, 8)) {
		err = -errno;
		close(fd);
		return err;
	}
	ctl->fd = fd;
	ctl->path = strdup(path);
	return 0;
}

static void drop(struct dtcp_ctl_client *c);

void dtcp_ctl_close(struct dtcp_ctl *ctl)
{
	for (unsigned int i = 0; i < DTCP_CTL_CLIENTS; i++)
		if (ctl->c[i].fd >= 0)
			drop(&ctl->c[i]);
	if (ctl->fd >= 0) {
		close(ctl->fd);
		if (ctl->path)
			unlink(ctl->path);
	}
	free(ctl->path);
	ctl->path = NULL;
	ctl->fd = -1;
}

static json_t *counts(const uint64_t *v, const char *const *names, unsigned int n)
{
	json_t *o = json_object();

	for (unsigned int i = 0; i < n; i++)
		json_object_set_new(o, names[i], json_integer((json_int_t)v[i]));
	return o;
}

/* source-addresses: "192.0.2.1", "192.0.2.0/24"; none: any sender. */
static json_t *addresses_json(const struct dtcp_csource *cs)
{
	json_t *a = json_array();

	for (unsigned int i = 0; i < cs->n_src_addrs; i++) {
		const struct dtcp_prefix *p = &cs->src_addrs[i];
		char t[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN + 4];

		if (!inet_ntop(p->family, p->addr, t, sizeof(t)))
			snprintf(t, sizeof(t), "?");
		if (p->plen == (p->family == AF_INET6 ? 128 : 32))
			snprintf(b, sizeof(b), "%s", t);
		else
			snprintf(b, sizeof(b), "%s/%u", t, p->plen);
		json_array_append_new(a, json_string(b));
	}
	return a;
}

static json_t *source_json(const struct dtcp_src *src)
{
	static const char *const meth[] = { "add", "delete", "refresh", "list", "noop", "other" };
	static const char *const notif[] = { "restart", "rollover", "noop", "timeout",
					     "congestion", "congestion_delete", "duplicates_dropped" };
	static const char *const del[] = { "other", "timeout_total", "timeout_idle", "packets",
					   "bytes" };
	const struct dtcp_src_stats *st = &src->st;
	json_t *o = json_object();

	json_object_set_new(o, "id", json_string(src->id));
	if (src->cfg) {
		json_object_set_new(o, "group", json_string(src->cfg->group->name));
		json_object_set_new(o, "addresses", addresses_json(src->cfg));
		json_object_set_new(o, "port", json_integer(src->cfg->port));
		json_object_set_new(o, "owner", json_integer(src->cfg->owner));
		json_object_set_new(o, "notification_targets", json_integer(src->cfg->n_targets));
	}
	json_object_set_new(o, "seq", src->seq.have ? json_integer((json_int_t)src->seq.max) :
			    json_null());
	/* Seq is a u64: also as a string, which JSON readers never round. */
	if (src->seq.have) {
		char b[24];

		snprintf(b, sizeof(b), "%" PRIu64, src->seq.max);
		json_object_set_new(o, "seq_text", json_string(b));
	}
	json_object_set_new(o, "criteria", json_integer(src->n_live));
	json_object_set_new(o, "criteria_static", json_integer(src->n_static));
	json_object_set_new(o, "added", json_integer((json_int_t)st->added));
	json_object_set_new(o, "add_failed", json_integer((json_int_t)st->add_failed));
	json_object_set_new(o, "requests", counts(st->req, meth, DTCP_M_N));
	json_object_set_new(o, "failed", counts(st->req_failed, meth, DTCP_M_N));
	/* The classes answers have: 200, 4xx, 5xx and 901 (X-JTap parameter errors). */
	json_object_set_new(o, "answers", json_pack("{s:I,s:I,s:I,s:I}",
		"2xx", (json_int_t)st->answers[2], "4xx", (json_int_t)st->answers[4],
		"5xx", (json_int_t)st->answers[5], "9xx", (json_int_t)st->answers[9]));
	json_object_set_new(o, "drops", json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}",
		"auth", (json_int_t)st->drop_auth, "seq", (json_int_t)st->drop_seq,
		"no_seq", (json_int_t)st->drop_noseq, "address", (json_int_t)st->drop_addr,
		"port", (json_int_t)st->drop_port, "login", (json_int_t)st->drop_login));
	json_object_set_new(o, "notifications", counts(st->notif, notif, DTCP_N_N));
	json_object_set_new(o, "deleted", counts(st->deleted_by, del, 5));
	return o;
}

static json_t *criteria_json(const struct dtcp_src *src)
{
	json_t *a = json_array();

	for (unsigned int i = 0; i < src->n_crits; i++) {
		const struct dtcp_crit *c = src->crits[i];
		char ts[32];

		if (c->dead)
			continue;
		dtcp_time_fmt(c->added_ms, ts);
		json_array_append_new(a, json_pack("{s:I,s:s,s:b,s:b,s:i,s:s,s:s,s:I}",
			"id", (json_int_t)c->id, "cdest", c->cdests,
			"static", !!(c->flags & DFC_CRIT_F_STATIC),
			"send_async", !!(c->flags & DFC_CRIT_F_SEND_ASYNC),
			"priority", (int)c->prio, "added", ts, "from", c->from,
			"average_bandwidth", (json_int_t)c->avg_bps));
	}
	return a;
}

/* Each configured interface: name, group, state, and ifindex or error. */
static json_t *interfaces_json(const struct dtcp_links *l)
{
	json_t *a = json_array();

	for (unsigned int i = 0; i < l->n; i++) {
		const struct dtcp_link_if *e = &l->v[i];
		json_t *o = json_pack("{s:s,s:s,s:s}", "name", e->name, "group", e->group,
				      "state", dtcp_link_state_name(e->state));

		if (e->state == DTCP_LINK_ATTACHED)
			json_object_set_new(o, "ifindex", json_integer(e->ifindex));
		else if (e->state == DTCP_LINK_FAILED)
			json_object_set_new(o, "error", json_string(e->why));
		json_array_append_new(a, o);
	}
	return a;
}

static char *reply(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT);

	json_decref(o);
	return s;
}

static char *error(const char *fmt, const char *arg)
{
	char b[512];

	snprintf(b, sizeof(b), fmt, arg);
	return reply(json_pack("{s:b,s:s}", "ok", 0, "error", b));
}

char *dtcp_ctl_request(struct dtcp_ctl *ctl, const char *line)
{
	struct dtcp_server *s = ctl->s;
	json_error_t jerr;
	json_t *req = json_loads(line, 0, &jerr), *o;
	const char *cmd, *id = NULL;
	struct dtcp_src *src = NULL;
	char *out;

	if (!req || !json_is_object(req)) {
		json_decref(req);
		return error("bad request: %s", req ? "not an object" : jerr.text);
	}
	cmd = json_string_value(json_object_get(req, "cmd"));
	id = json_string_value(json_object_get(req, "source"));
	if (id && !(src = dtcp_server_src(s, id))) {
		out = error("no control source '%s'", id);
		json_decref(req);
		return out;
	}
	if (!cmd) {
		out = error("bad request: %s", "no \"cmd\"");
	} else if (!strcmp(cmd, "status")) {
		unsigned int crits = 0;

		for (unsigned int i = 0; i < s->n_srcs; i++)
			crits += s->srcs[i]->n_live;
		o = json_pack("{s:b,s:s,s:I,s:s,s:i,s:i,s:I}", "ok", 1,
			      "version", ctl->version ? ctl->version : "unknown",
			      "pid", (json_int_t)ctl->pid, "config", s->cfg->file,
			      "sources", (int)s->n_srcs, "criteria", (int)crits,
			      "next_criteria_id", (json_int_t)s->next_id);
		json_object_set_new(o, "counters", json_pack(
			"{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
			"received", (json_int_t)s->st.rx, "not_dtcp", (json_int_t)s->st.not_dtcp,
			"too_big", (json_int_t)s->st.too_big,
			"not_request", (json_int_t)s->st.not_request,
			"no_csource", (json_int_t)s->st.no_csource,
			"unknown_csource", (json_int_t)s->st.unknown_csource,
			"replies", (json_int_t)s->st.replies,
			"notifications_sent", (json_int_t)s->st.notif_sent,
			"notifications_failed", (json_int_t)s->st.notif_failed,
			"kernel_errors", (json_int_t)s->st.kernel_errors,
			"events_lost", (json_int_t)s->st.events_lost));
		json_object_set_new(json_object_get(o, "counters"), "answers_unsaved",
				    json_integer((json_int_t)s->st.unsaved_drops));
		json_object_set_new(json_object_get(o, "counters"), "logs_suppressed",
				    json_integer((json_int_t)s->st.log_suppressed));
		json_object_set_new(json_object_get(o, "counters"), "answers_waited",
				    json_integer((json_int_t)s->st.send_waits));
		json_object_set_new(json_object_get(o, "counters"), "answer_datagrams_lost",
				    json_integer((json_int_t)s->st.send_lost));
		json_object_set_new(json_object_get(o, "counters"), "kernel_acks_recovered",
				    json_integer((json_int_t)(s->kops->add_recovered ?
					s->kops->add_recovered(s->kctx) : 0)));
		if (ctl->links) {
			json_object_set_new(json_object_get(o, "counters"), "link_events_lost",
					    json_integer((json_int_t)ctl->links->lost));
			json_object_set_new(o, "interfaces", interfaces_json(ctl->links));
		}
		if (ctl->ssh_status)
			json_object_set_new(o, "ssh", ctl->ssh_status());
		out = reply(o);
	} else if (!strcmp(cmd, "sources")) {
		json_t *a = json_array();

		for (unsigned int i = 0; i < s->n_srcs; i++)
			if (!src || s->srcs[i] == src)
				json_array_append_new(a, source_json(s->srcs[i]));
		out = reply(json_pack("{s:b,s:o}", "ok", 1, "sources", a));
	} else if (!strcmp(cmd, "criteria")) {
		if (!src)
			out = error("%s", "criteria: \"source\" is required");
		else
			out = reply(json_pack("{s:b,s:s,s:o}", "ok", 1, "source", src->id,
					      "criteria", criteria_json(src)));
	} else if (!strcmp(cmd, "seq-reset")) {
		if (!src) {
			out = error("%s", "seq-reset: \"source\" is required");
		} else {
			/* The next authentic request sets a new baseline. */
			dtcp_seq_reset(&src->seq);
			s->dirty = true;
			if (s->log)
				s->log(s, src, 5 /* LOG_NOTICE */, "sequence number reset by the operator");
			out = reply(json_pack("{s:b}", "ok", 1));
		}
	} else if (!strcmp(cmd, "reload")) {
		char err[512] = "";

		if (!ctl->reload || ctl->reload(ctl->u, err, sizeof(err)))
			out = error("%s", err[0] ? err : "reload failed");
		else
			out = reply(json_pack("{s:b}", "ok", 1));
	} else {
		out = error("unknown command '%s'", cmd);
	}
	json_decref(req);
	return out;
}

unsigned int dtcp_ctl_fds(const struct dtcp_ctl *ctl, struct pollfd *pfd, unsigned int max)
{
	unsigned int n = 0;

	if (ctl->fd < 0)
		return 0;
	if (n < max)
		pfd[n++] = (struct pollfd){ ctl->fd, POLLIN, 0 };
	for (unsigned int i = 0; i < DTCP_CTL_CLIENTS && n < max; i++)
		if (ctl->c[i].fd >= 0)
			pfd[n++] = (struct pollfd){ ctl->c[i].fd,
						    ctl->c[i].out ? POLLOUT : POLLIN, 0 };
	return n;
}

static void drop(struct dtcp_ctl_client *c)
{
	close(c->fd);
	free(c->out);
	c->out = NULL;
	c->out_len = c->out_off = 0;
	c->fd = -1;
	c->len = 0;
}

/* Write what the socket takes; 0 when all is out or more must wait, -1 to drop. */
static int flush_out(struct dtcp_ctl_client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		c->out_off += n;
	}
	free(c->out);
	c->out = NULL;
	c->out_len = c->out_off = 0;
	return 0;
}

/* Answer the complete lines in c->buf, one at a time: a reply must be out before the next. */
static int answer(struct dtcp_ctl *ctl, struct dtcp_ctl_client *c)
{
	char *nl;

	while (!c->out && (nl = memchr(c->buf, '\n', c->len))) {
		char *out;

		*nl = '\0';
		out = dtcp_ctl_request(ctl, c->buf);
		c->len -= nl + 1 - c->buf;
		memmove(c->buf, nl + 1, c->len);
		if (!out)
			return -1; /* out of memory: the client sees the connection close */
		c->out_len = strlen(out) + 1;
		out[c->out_len - 1] = '\n'; /* over the NUL: sent by length */
		c->out = out;
		if (flush_out(c))
			return -1;
	}
	return 0;
}

static void serve(struct dtcp_ctl *ctl, struct dtcp_ctl_client *c, short revents)
{
	ssize_t n;

	if (c->out) {
		/* Nothing is read while a reply is pending: memory stays bounded. */
		if ((revents & (POLLOUT | POLLERR | POLLHUP)) && (flush_out(c) || answer(ctl, c)))
			drop(c);
		return;
	}
	n = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			drop(c);
		return;
	}
	c->len += n;
	if (answer(ctl, c))
		drop(c);
	else if (!c->out && c->len == sizeof(c->buf))
		drop(c); /* a line longer than any request */
}

void dtcp_ctl_ready(struct dtcp_ctl *ctl, int fd, short revents)
{
	if (fd == ctl->fd) {
		int cfd = accept4(ctl->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

		if (cfd < 0)
			return;
		for (unsigned int i = 0; i < DTCP_CTL_CLIENTS; i++) {
			if (ctl->c[i].fd < 0) {
				ctl->c[i].fd = cfd;
				ctl->c[i].len = 0;
				return;
			}
		}
		close(cfd); /* too many clients */
		return;
	}
	for (unsigned int i = 0; i < DTCP_CTL_CLIENTS; i++)
		if (ctl->c[i].fd == fd)
			serve(ctl, &ctl->c[i], revents);
}
