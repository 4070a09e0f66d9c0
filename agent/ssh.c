// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * DTCP over SSH, dtcpd's side (ssh.h): the relay's socket, the sessions,
 * their limits and counters. The protocol itself is the server core's
 * (dtcp_server_handle_ssh): the same checks, methods and answers as UDP.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "core.h"
#include "ssh.h"

void dtcp_ssh_init(struct dtcp_ssh *h, struct dtcp_server *s)
{
	memset(h, 0, sizeof(*h));
	h->fd = -1;
	h->s = s;
	h->next_id = 1;
	s->ssh = h;
	s->send_ssh = dtcp_ssh_notify;
}

static void sess_close(struct dtcp_ssh *h, unsigned int i, const char *why)
{
	struct dtcp_ssh_sess *x = &h->v[i];

	if (why)
		LOG(h->s, NULL, LOG_INFO, "SSH session %llu (login %s, from %s): closed: %s",
		    (unsigned long long)x->id, x->hello ? x->login : "?",
		    x->from_text[0] ? x->from_text : "?", why);
	close(x->fd);
	h->st.closed++;
	h->v[i] = h->v[--h->n];
}

static void close_listener(struct dtcp_ssh *h)
{
	if (h->fd >= 0) {
		close(h->fd);
		unlink(h->path);
	}
	h->fd = -1;
	free(h->path);
	h->path = NULL;
}

void dtcp_ssh_fini(struct dtcp_ssh *h)
{
	while (h->n)
		sess_close(h, h->n - 1, NULL);
	close_listener(h);
	free(h->v);
	h->v = NULL;
	h->cap = 0;
}

static int open_listener(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char *slash;
	int fd, err;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, path);
	/* Its directory, when systemd did not make it: the relay (another user) passes through. */
	slash = strrchr(sun.sun_path, '/');
	if (slash && slash != sun.sun_path) {
		*slash = '\0';
		mkdir(sun.sun_path, 0711);
		*slash = '/';
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	/*
	 * Anyone may connect: who may claim a login is decided by the
	 * peer's credentials (SO_PEERCRED), not by the file's mode.
	 */
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) || chmod(path, 0666) ||
	    listen(fd, 64)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* Does sess x's login still speak for its source (or, unbound, for any)? */
static bool sess_valid(const struct dtcp_ssh *h, const struct dtcp_ssh_sess *x)
{
	const struct dtcp_src *src;

	if (!x->hello)
		return true;
	if (!x->src_id[0])
		return dtcp_config_login_sources(h->s->cfg, x->login) > 0;
	src = dtcp_server_src(h->s, x->src_id);
	return src && src->cfg && dtcp_csource_has_login(src->cfg, x->login);
}

int dtcp_ssh_sync(struct dtcp_ssh *h, const struct dtcp_config *c)
{
	int fd;

	h->cfg = &c->ssh;
	for (unsigned int i = h->n; i-- > 0;)
		if (!c->ssh.socket || !sess_valid(h, &h->v[i]))
			sess_close(h, i, "its login no longer speaks for its control source");
	if (!c->ssh.socket) {
		close_listener(h);
		return 0;
	}
	if (h->fd >= 0 && !strcmp(h->path, c->ssh.socket))
		return 0;
	close_listener(h);
	fd = open_listener(c->ssh.socket);
	if (fd < 0) {
		LOG(h->s, NULL, LOG_ERR, "SSH relay socket %s: %s", c->ssh.socket, strerror(-fd));
		return fd;
	}
	h->path = strdup(c->ssh.socket);
	if (!h->path) {
		close(fd);
		unlink(c->ssh.socket);
		return -ENOMEM;
	}
	h->fd = fd;
	return 0;
}

unsigned int dtcp_ssh_fds(struct dtcp_ssh *h, struct pollfd *pfd, unsigned int max)
{
	unsigned int n = 0;

	for (unsigned int i = h->n; i-- > 0;)
		if (h->v[i].dead)
			sess_close(h, i, "the relay does not read its notifications");
	if (h->fd >= 0 && n < max)
		pfd[n++] = (struct pollfd){ h->fd, POLLIN, 0 };
	for (unsigned int i = 0; i < h->n && n < max; i++)
		pfd[n++] = (struct pollfd){ h->v[i].fd, POLLIN, 0 };
	return n;
}

int dtcp_ssh_hello_parse(const char *p, size_t len, char login[33],
			 struct sockaddr_storage *from)
{
	char buf[DTCP_SSH_HELLO_MAX + 1], *l, *f, *end;
	size_t n;

	if (len > DTCP_SSH_HELLO_MAX || memchr(p, 0, len))
		return -EINVAL;
	memcpy(buf, p, len);
	buf[len] = 0;
	if (strncmp(buf, "login ", 6))
		return -EINVAL;
	l = buf + 6;
	end = strchr(l, '\n');
	if (!end)
		return -EINVAL;
	*end = 0;
	n = strlen(l);
	if (!n || n > 32 || strspn(l, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				   "0123456789_.-") != n)
		return -EINVAL;
	f = end + 1;
	if (strncmp(f, "from ", 5))
		return -EINVAL;
	f += 5;
	end = strchr(f, '\n');
	if (!end || end[1])
		return -EINVAL;
	*end = 0;
	memset(from, 0, sizeof(*from));
	from->ss_family = AF_UNSPEC;
	if (*f) {
		struct sockaddr_in *in = (struct sockaddr_in *)from;
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)from;

		if (inet_pton(AF_INET, f, &in->sin_addr) == 1)
			in->sin_family = AF_INET;
		else if (inet_pton(AF_INET6, f, &in6->sin6_addr) == 1)
			in6->sin6_family = AF_INET6;
		else
			return -EINVAL;
	}
	memcpy(login, l, n + 1);
	return 0;
}

/* A connection refused before it became a session: counted, logged (rate-limited), closed. */
static void __attribute__((format(printf, 4, 5)))
refuse(struct dtcp_ssh *h, int fd, uint64_t *count, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	(*count)++;
	if (dtcp_server_log_ok(h->s, DTCP_RL_DROP)) {
		va_start(ap, fmt);
		vsnprintf(why, sizeof(why), fmt, ap);
		va_end(ap);
		LOG(h->s, NULL, LOG_WARNING, "%s", why);
	}
	close(fd);
}

static void accept_one(struct dtcp_ssh *h)
{
	struct ucred cr = { 0 };
	socklen_t crlen = sizeof(cr);
	int fd = accept4(h->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), sndbuf = 1 << 20;
	uint64_t now = h->s->mono_ms();
	struct dtcp_ssh_sess *x;

	if (fd < 0)
		return;
	/* Credentials first: a local user without the relay-group spends no one's rate. */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &crlen) || cr.gid != h->cfg->relay_gid) {
		refuse(h, fd, &h->st.refused_peer, "SSH relay socket: a peer (uid %u, gid %u) "
		       "without relay-group %s, refused", (unsigned int)cr.uid,
		       (unsigned int)cr.gid, h->cfg->relay_group);
		return;
	}
	if (now - h->rate_ms >= 60000) {
		h->rate_ms = now;
		h->rate_n = 0;
	}
	if (h->rate_n >= h->cfg->rate) {
		refuse(h, fd, &h->st.refused_rate, "SSH session refused: more than %u a minute",
		       h->cfg->rate);
		return;
	}
	h->rate_n++;
	if (h->n >= h->cfg->max_sessions) {
		refuse(h, fd, &h->st.refused_limit, "SSH session refused: max-sessions %u reached",
		       h->cfg->max_sessions);
		return;
	}
	if (h->n == h->cap) {
		unsigned int cap = h->cap ? h->cap * 2 : 16;

		x = realloc(h->v, cap * sizeof(*x));
		if (!x) {
			close(fd);
			return;
		}
		h->v = x;
		h->cap = cap;
	}
	/* Room for a LIST answer and notifications: a relay that stops reading is closed. */
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	x = &h->v[h->n++];
	memset(x, 0, sizeof(*x));
	x->fd = fd;
	x->id = h->next_id++;
	x->uid = cr.uid;
	x->pid = cr.pid;
	x->since_ms = h->s->wall_ms();
	dtcp_seq_reset(&x->seq);
	h->st.accepted++;
}

/* Sessions whose login speaks for src (hello done). */
static unsigned int src_sessions(const struct dtcp_ssh *h, const struct dtcp_csource *c)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < h->n; i++)
		n += h->v[i].hello && dtcp_csource_has_login(c, h->v[i].login);
	return n;
}

/* The relay's first packet; false: the session is to be closed (why set). */
static bool hello(struct dtcp_ssh *h, struct dtcp_ssh_sess *x, const char *p, size_t len,
		  const char **why)
{
	const struct dtcp_config *c = h->s->cfg;
	struct passwd *pw;

	if (dtcp_ssh_hello_parse(p, len, x->login, &x->from)) {
		h->st.refused_hello++;
		*why = "its first packet is not the relay's";
		return false;
	}
	dtcp_sa_text((struct sockaddr *)&x->from, x->from_text, sizeof(x->from_text));
	/* The login is the peer's own uid: a relay cannot speak for another user. */
	pw = getpwnam(x->login);
	if (!pw || pw->pw_uid != x->uid) {
		h->st.refused_peer++;
		*why = "the login is not the relay's uid";
		return false;
	}
	if (!dtcp_config_login_sources(c, x->login)) {
		h->st.refused_login++;
		*why = "the login speaks for no control source";
		return false;
	}
	for (unsigned int g = 0; g < c->n_groups; g++)
		for (unsigned int i = 0; i < c->groups[g].n_srcs; i++) {
			const struct dtcp_csource *cs = &c->groups[g].srcs[i];

			if (dtcp_csource_has_login(cs, x->login) &&
			    src_sessions(h, cs) >= h->cfg->max_per_source) {
				h->st.refused_source++;
				*why = "max-sessions-per-source reached";
				return false;
			}
		}
	x->hello = true;
	LOG(h->s, NULL, LOG_INFO, "SSH session %llu: login %s from %s (relay pid %ld)",
	    (unsigned long long)x->id, x->login, x->from_text[0] ? x->from_text : "?",
	    (long)x->pid);
	return true;
}

/* One packet to the relay; false if it could not take it (the session is then closed). */
static bool sess_send(struct dtcp_ssh *h, struct dtcp_ssh_sess *x, const void *buf, size_t len)
{
	if (send(x->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)len) {
		h->st.tx_lost++;
		return false;
	}
	x->tx++;
	h->st.tx++;
	return true;
}

/* One packet from the relay; false: close the session (why set). */
static bool sess_read(struct dtcp_ssh *h, struct dtcp_ssh_sess *x, const char **why)
{
	static char buf[DTCP_MSG_MAX + 1];
	struct dtcp_replies r = { 0 };
	struct dtcp_ssh_req q;
	ssize_t len = recv(x->fd, buf, sizeof(buf), MSG_TRUNC | MSG_DONTWAIT);
	bool ok = true;

	if (len < 0) {
		*why = errno == EAGAIN || errno == EINTR ? NULL : strerror(errno);
		return errno == EAGAIN || errno == EINTR;
	}
	if (len == 0) {
		*why = "the client left";
		return false;
	}
	if (!x->hello)
		return hello(h, x, buf, len, why);
	x->rx++;
	h->st.rx++;
	if (len > DTCP_MSG_MAX) {
		/* The relay's mark of a message over the cap (relay.c). */
		h->st.too_big++;
		h->s->st.too_big++;
		*why = "a message over the size cap";
		return false;
	}
	q = (struct dtcp_ssh_req){ .login = x->login, .seq = &x->seq };
	if (x->src_id[0]) {
		q.src = dtcp_server_src(h->s, x->src_id);
		if (!q.src) {
			*why = "its control source is gone";
			return false;
		}
	}
	dtcp_server_handle_ssh(h->s, (struct sockaddr *)&x->from, &q, buf, len, &r);
	switch (q.verdict) {
	case DTCP_SSH_OK:
		snprintf(x->src_id, sizeof(x->src_id), "%s", q.src->id);
		break;
	case DTCP_SSH_DROPPED:
		x->dropped++;
		h->st.dropped++;
		break;
	default:
		h->st.closed_msg++;
		*why = "a message refused (not a DTCP request, or not the login's control source)";
		ok = false;
	}
	if (ok && r.n && h->save && !h->save()) {
		/* As over UDP: no answer before the state file holds what it depends on. */
		h->s->st.unsaved_drops++;
		dtcp_replies_clear(&r);
	}
	for (unsigned int i = 0; ok && i < r.n; i++) {
		if (!sess_send(h, x, r.d[i].buf, r.d[i].len)) {
			*why = "the relay does not read its answers";
			ok = false;
		}
		h->s->st.replies++;
	}
	dtcp_replies_clear(&r);
	free(r.d);
	return ok;
}

void dtcp_ssh_ready(struct dtcp_ssh *h, int fd, short revents)
{
	const char *why = NULL;

	if (fd == h->fd) {
		accept_one(h);
		return;
	}
	for (unsigned int i = 0; i < h->n; i++) {
		if (h->v[i].fd != fd || h->v[i].dead)
			continue;
		if (revents & (POLLIN | POLLHUP | POLLERR)) {
			if (!sess_read(h, &h->v[i], &why))
				sess_close(h, i, why ? why : "error");
		}
		return;
	}
}

unsigned int dtcp_ssh_notify(struct dtcp_server *s, const struct dtcp_src *src,
			     const void *buf, size_t len)
{
	struct dtcp_ssh *h = s->ssh;
	unsigned int n = 0;

	for (unsigned int i = h ? h->n : 0; i-- > 0;) {
		struct dtcp_ssh_sess *x = &h->v[i];

		if (!x->hello || x->dead || strcmp(x->src_id, src->id))
			continue;
		if (sess_send(h, x, buf, len)) {
			s->st.notif_sent++;
			n++;
		} else {
			/* Closed by dtcp_ssh_fds(): this may run inside sess_read(). */
			s->st.notif_failed++;
			x->dead = true;
		}
	}
	return n;
}

json_t *dtcp_ssh_json(const struct dtcp_ssh *h)
{
	json_t *o = json_object(), *a = json_array();
	const struct dtcp_ssh_stats *st = &h->st;

	json_object_set_new(o, "socket", h->fd >= 0 ? json_string(h->path) : json_null());
	for (unsigned int i = 0; i < h->n; i++) {
		const struct dtcp_ssh_sess *x = &h->v[i];
		char ts[32];

		dtcp_time_fmt(x->since_ms, ts);
		json_array_append_new(a, json_pack("{s:I,s:s,s:s,s:s,s:I,s:s,s:I,s:I,s:I}",
			"id", (json_int_t)x->id, "login", x->hello ? x->login : "",
			"from", x->from_text, "source", x->src_id, "relay_pid", (json_int_t)x->pid,
			"since", ts, "received", (json_int_t)x->rx, "sent", (json_int_t)x->tx,
			"dropped", (json_int_t)x->dropped));
	}
	json_object_set_new(o, "sessions", a);
	json_object_set_new(o, "counters", json_pack(
		"{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
		"accepted", (json_int_t)st->accepted, "closed", (json_int_t)st->closed,
		"refused_peer", (json_int_t)st->refused_peer,
		"refused_login", (json_int_t)st->refused_login,
		"refused_limit", (json_int_t)st->refused_limit,
		"refused_source_limit", (json_int_t)st->refused_source,
		"refused_rate", (json_int_t)st->refused_rate,
		"refused_hello", (json_int_t)st->refused_hello,
		"closed_refused_message", (json_int_t)st->closed_msg,
		"too_big", (json_int_t)st->too_big, "received", (json_int_t)st->rx,
		"sent", (json_int_t)st->tx, "dropped", (json_int_t)st->dropped,
		"send_lost", (json_int_t)st->tx_lost));
	return o;
}
