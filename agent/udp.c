// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dtcpd's service sockets (udp.h): one per service port and address
 * family (or listen address), requests read in batches, answers queued
 * and sent in order at the pace the sockets take them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "core.h"
#include "udp.h"

int dtcp_udp_init(struct dtcp_udp *u, struct dtcp_server *s)
{
	memset(u, 0, sizeof(*u));
	u->s = s;
	s->user = u;
	u->any4 = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	u->any6 = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	return u->any4 < 0 && u->any6 < 0 ? -errno : 0;
}

void dtcp_udp_fini(struct dtcp_udp *u)
{
	for (unsigned int i = 0; i < u->n_socks; i++)
		close(u->socks[i].fd);
	for (unsigned int i = 0; i < u->cap; i++) {
		dtcp_replies_clear(&u->q[i].r);
		free(u->q[i].r.d);
	}
	free(u->q);
	if (u->any4 >= 0)
		close(u->any4);
	if (u->any6 >= 0)
		close(u->any6);
	u->q = NULL;
	u->head = u->n = u->n_ready = u->cap = u->n_socks = 0;
}

/* ---- ports ---- */

static int open_udp(int family, const struct dtcp_prefix *addr, uint16_t port)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	int fd, on = 1, rcvbuf = 4 << 20;

	fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/*
	 * Room for bursts: a datagram near 64 KB is queued as its IP
	 * fragments, which take most of the default receive buffer; while
	 * one waits, every other datagram to the port, authentic requests
	 * too, would be dropped. FORCE passes net.core.rmem_max (dtcpd has
	 * CAP_NET_ADMIN); plain SO_RCVBUF, capped by it, is the fallback.
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		if (addr)
			memcpy(&in->sin_addr, addr->addr, 4);
		len = sizeof(*in);
		/* The request's destination becomes the reply's source. */
		setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on));
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		if (addr)
			memcpy(&in6->sin6_addr, addr->addr, 16);
		len = sizeof(*in6);
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on));
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (bind(fd, (struct sockaddr *)&ss, len)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static bool have_sock(const struct dtcp_udp *u, uint16_t port)
{
	for (unsigned int i = 0; i < u->n_socks; i++)
		if (u->socks[i].port == port)
			return true;
	return false;
}

static bool port_wanted(const struct dtcp_config *c, uint16_t port)
{
	for (unsigned int g = 0; g < c->n_groups; g++)
		for (unsigned int i = 0; i < c->groups[g].n_srcs; i++)
			if (c->groups[g].srcs[i].port == port)
				return true;
	return false;
}

static int add_sock(struct dtcp_udp *u, int family, const struct dtcp_prefix *addr,
		    uint16_t port)
{
	int fd;

	if (u->n_socks == DTCP_UDP_MAX_SOCKS)
		return -ENOSPC;
	fd = open_udp(family, addr, port);
	if (fd < 0)
		return fd;
	u->socks[u->n_socks++] = (struct dtcp_usock){ fd, family, port };
	return 0;
}

/* One socket per service port and address family (or listen address); 0 if any is open. */
static int open_port(struct dtcp_udp *u, const struct dtcp_config *c, uint16_t port)
{
	int ok = 0, err = 0;

	if (c->n_listen) {
		for (unsigned int i = 0; i < c->n_listen; i++) {
			err = add_sock(u, c->listen[i].family, &c->listen[i], port);
			if (err)
				LOG(u->s, NULL, LOG_ERR, "UDP port %u: %s", port, strerror(-err));
			else
				ok++;
		}
	} else {
		err = add_sock(u, AF_INET, NULL, port);
		if (err)
			LOG(u->s, NULL, LOG_ERR, "UDP port %u (IPv4): %s", port, strerror(-err));
		else
			ok++;
		err = add_sock(u, AF_INET6, NULL, port);
		if (err)
			LOG(u->s, NULL, LOG_WARNING, "UDP port %u (IPv6): %s", port,
			    strerror(-err));
		else
			ok++;
	}
	return ok ? 0 : -EADDRNOTAVAIL;
}

/* Answers still queued on a socket about to close cannot leave: given up. */
static void drop_fd(struct dtcp_udp *u, int fd)
{
	unsigned int j = u->head, ready = u->head;

	for (unsigned int i = u->head; i < u->n; i++) {
		if (u->q[i].fd == fd) {
			u->s->st.send_lost += u->q[i].r.n - u->q[i].next;
			dtcp_replies_clear(&u->q[i].r);
			continue;
		}
		ready += i < u->n_ready;
		if (i != j) {
			struct dtcp_answer t = u->q[j];

			u->q[j] = u->q[i];
			u->q[i] = t;
		}
		j++;
	}
	u->n = j;
	u->n_ready = ready;
	if (u->head == u->n)
		u->head = u->n_ready = u->n = 0;
}

int dtcp_udp_sync(struct dtcp_udp *u, const struct dtcp_config *c)
{
	unsigned int j = 0;
	int err = 0;

	for (unsigned int i = 0; i < u->n_socks; i++) {
		if (port_wanted(c, u->socks[i].port)) {
			u->socks[j++] = u->socks[i];
		} else {
			LOG(u->s, NULL, LOG_INFO, "closing UDP port %u", u->socks[i].port);
			drop_fd(u, u->socks[i].fd);
			close(u->socks[i].fd);
		}
	}
	u->n_socks = j;
	for (unsigned int g = 0; g < c->n_groups; g++)
		for (unsigned int i = 0; i < c->groups[g].n_srcs; i++) {
			uint16_t port = c->groups[g].srcs[i].port;

			if (!have_sock(u, port) && open_port(u, c, port))
				err = -EADDRNOTAVAIL;
		}
	return err;
}

/* ---- requests ---- */

/* Room in the queue for n more answers; false: out of memory. */
static bool answers_reserve(struct dtcp_udp *u, unsigned int n)
{
	struct dtcp_answer *a;
	unsigned int cap = u->cap ? u->cap : 64;

	while (cap < u->n + n)
		cap *= 2;
	if (cap == u->cap)
		return true;
	a = realloc(u->q, cap * sizeof(*a));
	if (!a)
		return false;
	memset(a + u->cap, 0, (cap - u->cap) * sizeof(*a));
	u->q = a;
	u->cap = cap;
	return true;
}

/* A fresh slot at the queue's end (reserved; its datagram array kept from earlier use). */
static struct dtcp_answer *answer_new(struct dtcp_udp *u)
{
	struct dtcp_answer *a = &u->q[u->n];

	a->r.n = 0;
	a->next = 0;
	a->ifindex = 0;
	memset(&a->local, 0, sizeof(a->local));
	return a;
}

static void pktinfo(struct dtcp_answer *a, struct msghdr *mh)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			a->local.ss_family = AF_INET;
			((struct sockaddr_in *)&a->local)->sin_addr = pi.ipi_addr;
		} else if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			a->local.ss_family = AF_INET6;
			((struct sockaddr_in6 *)&a->local)->sin6_addr = pi.ipi6_addr;
			a->ifindex = pi.ipi6_ifindex;
		}
	}
}

/*
 * One recvmmsg() takes a whole batch: under load, one system call per
 * wakeup instead of one per request (and one more for EAGAIN).
 */
void dtcp_udp_read(struct dtcp_udp *u, unsigned int i)
{
	union cbuf {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) + 64];
		struct cmsghdr align;
	};
	static char buf[DTCP_UDP_BATCH][DTCP_MSG_MAX + 1];
	static union cbuf c[DTCP_UDP_BATCH];
	static struct sockaddr_storage from[DTCP_UDP_BATCH];
	static struct iovec iov[DTCP_UDP_BATCH];
	static struct mmsghdr mm[DTCP_UDP_BATCH];
	const struct dtcp_usock *us = &u->socks[i];
	int n;

	/* Every request read gets its slot: none is read that could not be answered. */
	if (!answers_reserve(u, DTCP_UDP_BATCH))
		return;
	for (int k = 0; k < DTCP_UDP_BATCH; k++) {
		iov[k] = (struct iovec){ buf[k], sizeof(buf[k]) };
		mm[k].msg_hdr = (struct msghdr){ .msg_name = &from[k], .msg_namelen = sizeof(from[k]),
						 .msg_iov = &iov[k], .msg_iovlen = 1,
						 .msg_control = c[k].buf,
						 .msg_controllen = sizeof(c[k].buf) };
	}
	n = recvmmsg(us->fd, mm, DTCP_UDP_BATCH, MSG_TRUNC, NULL);
	if (n <= 0)
		return;
	/* The queue was reserved: its slots stay put until the burst's end fills them. */
	dtcp_server_burst_begin(u->s);
	for (int k = 0; k < n; k++) {
		struct dtcp_answer *a = answer_new(u);
		/* With MSG_TRUNC, msg_len is the datagram's own length. */
		size_t len = mm[k].msg_len;
		bool later;

		a->fd = us->fd;
		a->to = from[k];
		a->tolen = mm[k].msg_hdr.msg_namelen;
		pktinfo(a, &mm[k].msg_hdr);
		/* A truncated datagram is larger than any request we take. */
		later = dtcp_server_handle(u->s, (struct sockaddr *)&from[k], us->port, buf[k],
					   len > DTCP_MSG_MAX ? DTCP_MSG_MAX + 1 : len, &a->r);
		if (a->r.n || later)
			u->n++;
	}
	dtcp_server_burst_end(u->s);
}

/* ---- answers ---- */

void dtcp_udp_release(struct dtcp_udp *u, bool saved)
{
	if (saved) {
		if (!dtcp_udp_backlog(u))
			u->progress_ms = u->s->mono_ms();
		u->n_ready = u->n;
		return;
	}
	for (unsigned int i = u->n_ready; i < u->n; i++)
		dtcp_replies_clear(&u->q[i].r);
	if (u->n > u->n_ready)
		LOG(u->s, NULL, LOG_ERR, "%u answers not sent: the state file could not be written",
		    u->n - u->n_ready);
	u->s->st.unsaved_drops += u->n - u->n_ready;
	u->n = u->n_ready;
	if (u->head == u->n)
		u->head = u->n_ready = u->n = 0;
}

/* A control message with the answer's source address. */
union dtcp_pktbuf {
	char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	struct cmsghdr align;
};

/* One datagram of a, from where its request came to. */
static void fill_one(struct msghdr *mh, struct iovec *iov, union dtcp_pktbuf *c,
		     const struct dtcp_answer *a, const struct dtcp_dgram *d)
{
	struct cmsghdr *cm = (struct cmsghdr *)c->buf;

	*iov = (struct iovec){ d->buf, d->len };
	*mh = (struct msghdr){ .msg_name = (void *)&a->to, .msg_namelen = a->tolen,
			       .msg_iov = iov, .msg_iovlen = 1 };
	memset(c, 0, sizeof(*c));
	if (a->local.ss_family == AF_INET) {
		struct in_pktinfo pi = { 0 };

		pi.ipi_spec_dst = ((const struct sockaddr_in *)&a->local)->sin_addr;
		cm->cmsg_level = IPPROTO_IP;
		cm->cmsg_type = IP_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
		mh->msg_control = c->buf;
		mh->msg_controllen = CMSG_SPACE(sizeof(pi));
	} else if (a->local.ss_family == AF_INET6) {
		struct in6_pktinfo pi = { 0 };

		pi.ipi6_addr = ((const struct sockaddr_in6 *)&a->local)->sin6_addr;
		pi.ipi6_ifindex = a->ifindex;
		cm->cmsg_level = IPPROTO_IPV6;
		cm->cmsg_type = IPV6_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
		mh->msg_control = c->buf;
		mh->msg_controllen = CMSG_SPACE(sizeof(pi));
	}
}

/* The first answer leaves the queue; the caller notes the progress. */
static void drop_head(struct dtcp_udp *u)
{
	dtcp_replies_clear(&u->q[u->head].r);
	if (++u->head == u->n)
		u->head = u->n_ready = u->n = 0;
}

/* The first answer is done (sent or given up): the next one's turn. */
static void pop(struct dtcp_udp *u)
{
	drop_head(u);
	u->progress_ms = u->s->mono_ms();
}

/* The first n datagrams waiting are done (sent, or lost and counted): one clock read. */
static void advance(struct dtcp_udp *u, unsigned int n)
{
	while (n--) {
		struct dtcp_answer *a = &u->q[u->head];

		if (++a->next >= a->r.n)
			drop_head(u);
	}
	u->progress_ms = u->s->mono_ms();
}

/*
 * The released datagrams leave in order, those in a row that share a
 * socket in one sendmmsg() (a burst's answers: one system call).
 */
int dtcp_udp_send(struct dtcp_udp *u)
{
	static struct mmsghdr mm[DTCP_UDP_BATCH];
	static struct iovec iov[DTCP_UDP_BATCH];
	static union dtcp_pktbuf c[DTCP_UDP_BATCH];

	while (dtcp_udp_backlog(u)) {
		int fd = u->q[u->head].fd, sent;
		unsigned int n = 0;

		if (u->q[u->head].next >= u->q[u->head].r.n) {
			pop(u);		/* nothing left of it: never stuck on it */
			continue;
		}
		for (unsigned int h = u->head; h < u->n_ready && u->q[h].fd == fd; h++) {
			const struct dtcp_answer *a = &u->q[h];

			for (unsigned int j = a->next; j < a->r.n && n < DTCP_UDP_BATCH; j++, n++)
				fill_one(&mm[n].msg_hdr, &iov[n], &c[n], a, &a->r.d[j]);
			if (n == DTCP_UDP_BATCH)
				break;
		}
		sent = sendmmsg(fd, mm, n, 0);
		if (sent < 0) {
			int err = errno;

			if (err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS ||
			    err == EINTR) {
				/* Full: the rest waits for POLLOUT (or the stall timeout). */
				u->s->st.send_waits++;
				return fd;
			}
			/* That datagram is lost; the next ones are tried. */
			u->s->st.send_lost++;
			if (dtcp_server_log_ok(u->s, DTCP_RL_ANSWER))
				LOG(u->s, NULL, LOG_WARNING, "answer: %s", strerror(err));
			sent = 1;
		}
		advance(u, sent);
	}
	return -1;
}

void dtcp_udp_tick(struct dtcp_udp *u)
{
	struct dtcp_answer *a;

	if (!dtcp_udp_backlog(u) || u->s->mono_ms() - u->progress_ms < DTCP_UDP_STALL_MS)
		return;
	a = &u->q[u->head];
	/* The socket took nothing for that long: this answer is given up, the next tried. */
	u->s->st.send_lost += a->r.n - a->next;
	LOG(u->s, NULL, LOG_WARNING, "answer given up: its socket took nothing for %u s "
	    "(%u of %u datagrams sent)", DTCP_UDP_STALL_MS / 1000, a->next, a->r.n);
	pop(u);
}

void dtcp_udp_notify(struct dtcp_server *s, const struct dtcp_csource *src,
		     const struct dtcp_target *t, const void *buf, size_t len)
{
	struct dtcp_udp *u = s->user;
	int fd = t->ss.ss_family == AF_INET ? u->any4 : u->any6;

	for (unsigned int i = 0; i < u->n_socks; i++) {
		if (u->socks[i].port == src->port && u->socks[i].family == t->ss.ss_family) {
			fd = u->socks[i].fd;
			break;
		}
	}
	if (fd < 0 || sendto(fd, buf, len, 0, (const struct sockaddr *)&t->ss, t->len) < 0) {
		int err = errno;

		s->st.notif_failed++;
		if (dtcp_server_log_ok(s, DTCP_RL_NOTIFY))
			LOG(s, NULL, LOG_WARNING, "control source %s: notification to %s: %s",
			    src->id, t->text, fd < 0 ? "no socket" : strerror(err));
		return;
	}
	s->st.notif_sent++;
}
