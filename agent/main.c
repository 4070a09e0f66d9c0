// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dtcpd: the DTCP agent. Control sources ask it over UDP to copy matching
 * packets to content destinations; it answers them as Junos Capture Vision
 * does and programs dfc.ko. This file is the process around the protocol
 * core (agent/server.h): sockets, the poll loop, signals, the state file,
 * systemd readiness, and telling a restart of dtcpd (capture goes on)
 * from a loss of the criteria (Restart notification).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "kernel.h"
#include "server.h"

#ifndef DFC_VERSION
#define DFC_VERSION "unknown"
#endif

#define MAX_SOCKS 64
#define BATCH 64		/* datagrams read per socket per round */

struct usock {
	int fd;
	int family;
	uint16_t port;
};

/* A reply waiting for the state file to be written. */
struct pending {
	int fd;
	struct sockaddr_storage to;
	socklen_t tolen;
	struct sockaddr_storage local;	/* the request's destination: the reply's source */
	int ifindex;
	struct dtcp_replies r;
};

struct agent {
	const char *conf_path;
	bool foreground;
	int verbose;
	struct dtcp_server s;
	struct dtcp_kernel k;
	bool kernel_up;
	struct usock socks[MAX_SOCKS];
	unsigned int n_socks;
	int any4, any6;			/* unbound sockets for notifications */
	struct dtcp_ctl ctl;
	int sfd, tfd;
	struct pending *pend;
	unsigned int n_pend, cap_pend;
	char boot_id[40];
	uint64_t kexpired;
	bool stop;
	/* save_state(): the error being reported, when, and the failures since. */
	int state_err;
	uint64_t state_err_ms, state_err_quiet;
};

static struct agent A;

/* ---- logging ---- */

static void vlogf(int prio, const char *fmt, va_list ap)
{
	if (prio == LOG_DEBUG && A.verbose < 1)
		return;
	if (A.foreground) {
		static const char *const p[] = { "emerg", "alert", "crit", "error", "warning",
						 "notice", "info", "debug" };

		fprintf(stderr, "dtcpd: %s: ", p[prio & 7]);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	} else {
		vsyslog(prio, fmt, ap);
	}
}

static void logf_(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlogf(prio, fmt, ap);
	va_end(ap);
}

static void server_log(struct dtcp_server *s, const struct dtcp_src *src, int prio,
		       const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	(void)s;
	/* no-syslog: the source's routine events stay quiet; warnings still show. */
	if (src && src->cfg && src->cfg->no_syslog && prio > LOG_WARNING)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (src)
		logf_(prio, "control source %s: %s", src->id, buf);
	else
		logf_(prio, "%s", buf);
}

/* ---- systemd ---- */

static void sd_notify_(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t len;
	int fd;

	if (!path || !*path || strlen(path) >= sizeof(sun.sun_path))
		return;
	strcpy(sun.sun_path, path);
	if (sun.sun_path[0] == '@')
		sun.sun_path[0] = '\0'; /* abstract namespace */
	len = offsetof(struct sockaddr_un, sun_path) + strlen(path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sun, len) < 0)
		logf_(LOG_DEBUG, "sd_notify: %s", strerror(errno));
	close(fd);
}

/* ---- clocks, interfaces ---- */

static uint64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static unsigned int ifindex_of(const char *name)
{
	return if_nametoindex(name);
}

/* ---- UDP ---- */

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

static bool have_sock(uint16_t port)
{
	for (unsigned int i = 0; i < A.n_socks; i++)
		if (A.socks[i].port == port)
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

static int add_sock(int family, const struct dtcp_prefix *addr, uint16_t port)
{
	int fd;

	if (A.n_socks == MAX_SOCKS)
		return -ENOSPC;
	fd = open_udp(family, addr, port);
	if (fd < 0)
		return fd;
	A.socks[A.n_socks++] = (struct usock){ fd, family, port };
	return 0;
}

/* One socket per service port and address family (or listen address); 0 if any is open. */
static int open_port(const struct dtcp_config *c, uint16_t port)
{
	int ok = 0, err = 0;

	if (c->n_listen) {
		for (unsigned int i = 0; i < c->n_listen; i++) {
			err = add_sock(c->listen[i].family, &c->listen[i], port);
			if (err)
				logf_(LOG_ERR, "UDP port %u: %s", port, strerror(-err));
			else
				ok++;
		}
	} else {
		err = add_sock(AF_INET, NULL, port);
		if (err)
			logf_(LOG_ERR, "UDP port %u (IPv4): %s", port, strerror(-err));
		else
			ok++;
		err = add_sock(AF_INET6, NULL, port);
		if (err)
			logf_(LOG_WARNING, "UDP port %u (IPv6): %s", port, strerror(-err));
		else
			ok++;
	}
	return ok ? 0 : -EADDRNOTAVAIL;
}

/* Open the ports the configuration needs, close the ones it no longer has. */
static int sync_ports(const struct dtcp_config *c)
{
	unsigned int j = 0;
	int err = 0;

	for (unsigned int i = 0; i < A.n_socks; i++) {
		if (port_wanted(c, A.socks[i].port)) {
			A.socks[j++] = A.socks[i];
		} else {
			logf_(LOG_INFO, "closing UDP port %u", A.socks[i].port);
			close(A.socks[i].fd);
		}
	}
	A.n_socks = j;
	for (unsigned int g = 0; g < c->n_groups; g++)
		for (unsigned int i = 0; i < c->groups[g].n_srcs; i++) {
			uint16_t port = c->groups[g].srcs[i].port;

			if (!have_sock(port) && open_port(c, port))
				err = -EADDRNOTAVAIL;
			else
				logf_(LOG_DEBUG, "listening on UDP port %u", port);
		}
	return err;
}

/* Notifications leave from the source's service port when we can. */
static void send_notify(struct dtcp_server *s, const struct dtcp_csource *src,
			const struct dtcp_target *t, const void *buf, size_t len)
{
	int fd = t->ss.ss_family == AF_INET ? A.any4 : A.any6;

	for (unsigned int i = 0; i < A.n_socks; i++) {
		if (A.socks[i].port == src->port && A.socks[i].family == t->ss.ss_family) {
			fd = A.socks[i].fd;
			break;
		}
	}
	if (fd < 0 || sendto(fd, buf, len, 0, (const struct sockaddr *)&t->ss, t->len) < 0) {
		s->st.notif_failed++;
		logf_(LOG_WARNING, "control source %s: notification to %s: %s", src->id, t->text,
		      fd < 0 ? "no socket" : strerror(errno));
		return;
	}
	s->st.notif_sent++;
}

static struct pending *pend_new(void)
{
	if (A.n_pend == A.cap_pend) {
		unsigned int cap = A.cap_pend ? A.cap_pend * 2 : 64;
		struct pending *p = realloc(A.pend, cap * sizeof(*p));

		if (!p)
			return NULL;
		memset(p + A.cap_pend, 0, (cap - A.cap_pend) * sizeof(*p));
		A.pend = p;
		A.cap_pend = cap;
	}
	return &A.pend[A.n_pend++];
}

static void send_reply(struct pending *p)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = { .msg_name = &p->to, .msg_namelen = p->tolen };
	struct cmsghdr *cm;

	for (unsigned int i = 0; i < p->r.n; i++) {
		struct iovec iov = { p->r.d[i].buf, p->r.d[i].len };

		memset(&u, 0, sizeof(u));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = u.buf;
		cm = (struct cmsghdr *)u.buf;
		if (p->local.ss_family == AF_INET) {
			struct in_pktinfo pi = { 0 };

			pi.ipi_spec_dst = ((struct sockaddr_in *)&p->local)->sin_addr;
			cm->cmsg_level = IPPROTO_IP;
			cm->cmsg_type = IP_PKTINFO;
			cm->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
			mh.msg_controllen = CMSG_SPACE(sizeof(pi));
		} else if (p->local.ss_family == AF_INET6) {
			struct in6_pktinfo pi = { 0 };

			pi.ipi6_addr = ((struct sockaddr_in6 *)&p->local)->sin6_addr;
			pi.ipi6_ifindex = p->ifindex;
			cm->cmsg_level = IPPROTO_IPV6;
			cm->cmsg_type = IPV6_PKTINFO;
			cm->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
			mh.msg_controllen = CMSG_SPACE(sizeof(pi));
		} else {
			mh.msg_control = NULL;
			mh.msg_controllen = 0;
		}
		if (sendmsg(p->fd, &mh, 0) < 0)
			logf_(LOG_WARNING, "reply: %s", strerror(errno));
	}
	dtcp_replies_clear(&p->r);
}

/* ---- state ---- */

/*
 * A failed write is retried at every round of the loop, and datagrams
 * from anyone make rounds: it is logged when it starts (or its error
 * changes), then at most every STATE_LOG_MS with the count of failures
 * not logged, and once when the file can be written again.
 */
#define STATE_LOG_MS 10000

static void state_err_log(int err)
{
	uint64_t now = mono_ms();

	if (!err) {
		if (A.state_err)
			logf_(LOG_NOTICE, "state file %s written again", A.s.cfg->state_file);
		A.state_err = 0;
		A.state_err_quiet = 0;
		return;
	}
	if (err == A.state_err && now - A.state_err_ms < STATE_LOG_MS) {
		A.state_err_quiet++;
		A.s.st.log_suppressed++;
		return;
	}
	if (A.state_err_quiet)
		logf_(LOG_ERR, "state file %s: %s (%" PRIu64 " more failures not logged in the "
		      "last %u s)", A.s.cfg->state_file, strerror(-err), A.state_err_quiet,
		      STATE_LOG_MS / 1000);
	else
		logf_(LOG_ERR, "state file %s: %s", A.s.cfg->state_file, strerror(-err));
	A.state_err = err;
	A.state_err_ms = now;
	A.state_err_quiet = 0;
}

/* 0 when the state file is current, else -errno (it stays dirty: retried). */
static int save_state(void)
{
	struct dtcp_state st;
	int err;

	if (!A.s.dirty)
		return 0;
	dtcp_server_state(&A.s, &st);
	snprintf(st.boot_id, sizeof(st.boot_id), "%s", A.boot_id);
	/* Refreshed each second, not per request: a lower value only makes restart checks lenient. */
	st.kexpired = A.kexpired;
	err = dtcp_state_save(A.s.cfg->state_file, &st, A.s.cfg->state_sync);
	free(st.src);
	state_err_log(err);
	if (!err)
		A.s.dirty = false;
	return err;
}

/* Read every datagram waiting on socket i; replies go to the pending list. */
static void read_sock(struct usock *us)
{
	static char buf[DTCP_MSG_MAX + 1];

	for (int n = 0; n < BATCH; n++) {
		union {
			char buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) + 64];
			struct cmsghdr align;
		} u;
		struct sockaddr_storage from;
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof(from),
				     .msg_iov = &iov, .msg_iovlen = 1,
				     .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
		struct pending *p;
		ssize_t len = recvmsg(us->fd, &mh, MSG_TRUNC);

		if (len < 0)
			return;
		p = pend_new();
		if (!p)
			return;
		p->fd = us->fd;
		p->to = from;
		p->tolen = mh.msg_namelen;
		memset(&p->local, 0, sizeof(p->local));
		p->ifindex = 0;
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
				struct in_pktinfo pi;

				memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
				p->local.ss_family = AF_INET;
				((struct sockaddr_in *)&p->local)->sin_addr = pi.ipi_addr;
			} else if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO) {
				struct in6_pktinfo pi;

				memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
				p->local.ss_family = AF_INET6;
				((struct sockaddr_in6 *)&p->local)->sin6_addr = pi.ipi6_addr;
				p->ifindex = pi.ipi6_ifindex;
			}
		}
		/* A truncated datagram is larger than any request we take. */
		dtcp_server_handle(&A.s, (struct sockaddr *)&from, us->port, buf,
				   (size_t)len > DTCP_MSG_MAX ? DTCP_MSG_MAX + 1 : (size_t)len, &p->r);
		if (!p->r.n)
			A.n_pend--;
	}
}

static void flush_replies(void)
{
	/*
	 * Seq windows reach the disk before any answer leaves: no replay after
	 * a crash. When they cannot, no answer leaves (the request took effect
	 * in dtcpd and the kernel alike; the source sees no answer and may ask
	 * again with a new Seq).
	 */
	if (A.n_pend && save_state()) {
		A.s.st.unsaved_drops += A.n_pend;
		for (unsigned int i = 0; i < A.n_pend; i++)
			dtcp_replies_clear(&A.pend[i].r);
		logf_(LOG_ERR, "%u answers not sent: the state file could not be written",
		      A.n_pend);
		A.n_pend = 0;
		return;
	}
	for (unsigned int i = 0; i < A.n_pend; i++)
		send_reply(&A.pend[i]);
	A.n_pend = 0;
}

/* ---- kernel ---- */

static void ev_expired(void *u, const struct dfc_nl_crit *c)
{
	(void)u;
	dtcp_server_expired(&A.s, c->owner, c->id, c->reason, c->packets, c->bytes);
}

static void ev_congested(void *u, uint32_t cdest, uint64_t rate, bool on)
{
	(void)u;
	dtcp_server_congested(&A.s, cdest, rate, on);
}

static void ev_purged(void *u, uint32_t owner, uint32_t cdest, const uint64_t *kids,
		      unsigned int n)
{
	(void)u;
	dtcp_server_purged(&A.s, owner, cdest, kids, n);
}

static void ev_dups(void *u, uint32_t owner, const struct dtcp_dup *v, unsigned int n)
{
	(void)u;
	dtcp_server_dups(&A.s, owner, v, n);
}

static void ev_noipsec(void *u, uint32_t cdest)
{
	(void)u;
	logf_(LOG_WARNING, "content destination %#x requires IPsec but its route has none: "
	      "copies are dropped", cdest);
}

static const struct dtcp_kevents kevents = {
	.expired = ev_expired,
	.congested = ev_congested,
	.purged = ev_purged,
	.dups = ev_dups,
	.noipsec = ev_noipsec,
};

static void read_events(void)
{
	for (int i = 0; i < BATCH; i++) {
		int n = dtcp_kernel_events(&A.k, &kevents, NULL);

		if (n == -ENOBUFS) {
			/* Events were lost: what the kernel no longer has has expired. */
			A.s.st.events_lost++;
			logf_(LOG_WARNING, "kernel events lost: resynchronising");
			if (dtcp_server_resync(&A.s))
				logf_(LOG_ERR, "resynchronisation failed");
			continue;
		}
		if (n < 0)
			break;
	}
	dtcp_server_gc(&A.s);
}

static void attach_groups(void)
{
	for (unsigned int g = 0; g < A.s.cfg->n_groups; g++)
		for (unsigned int i = 0; i < A.s.cfg->groups[g].n_ifaces; i++) {
			const char *ifn = A.s.cfg->groups[g].ifaces[i];
			int err = dtcp_kernel_attach(&A.k, ifn);

			if (err)
				logf_(LOG_WARNING, "capture group %s: interface %s: %s",
				      A.s.cfg->groups[g].name, ifn, strerror(-err));
		}
}

/*
 * Take over what the kernel holds, and decide whether criteria were lost
 * since the state file was written (the module reloaded, the host
 * rebooted): only then do control sources get a Restart notification.
 */
static int kernel_sync(const struct dtcp_state *st, bool have_state, const char *why)
{
	unsigned int found, n_static = 0, n_dyn = 0;
	uint64_t kexp = 0;
	bool lost = false;
	int err;

	err = dtcp_server_rebuild(&A.s, &found);
	if (err) {
		logf_(LOG_ERR, "reading criteria from dfc.ko: %s", strerror(-err));
		return err;
	}
	for (unsigned int i = 0; i < A.s.n_srcs; i++) {
		n_static += A.s.srcs[i]->n_static;
		n_dyn += A.s.srcs[i]->n_live - A.s.srcs[i]->n_static;
	}
	A.s.kops->expired(A.s.kctx, &kexp);
	if (have_state && st->n_static + st->n_dynamic) {
		/* Static ones never expire; dynamic ones may have, and the kernel counted them. */
		lost = (st->boot_id[0] && strcmp(st->boot_id, A.boot_id)) ||
		       kexp < st->kexpired || n_static < st->n_static ||
		       n_dyn + (kexp - st->kexpired) < st->n_dynamic;
	}
	logf_(LOG_INFO, "%u criteria taken over from dfc.ko%s", found,
	      lost ? "; criteria were lost: sending Restart" : "");
	if (lost)
		dtcp_notify_restart(&A.s, why);
	A.kexpired = kexp;
	A.s.dirty = true;
	return 0;
}

/* The module went away (unloaded or reloaded): every criterion is gone. */
static void kernel_lost(void)
{
	logf_(LOG_ERR, "dfc.ko went away: all criteria are lost");
	dtcp_kernel_close(&A.k);
	A.kernel_up = false;
	for (unsigned int i = 0; i < A.s.n_srcs; i++) {
		struct dtcp_src *src = A.s.srcs[i];

		for (unsigned int k = 0; k < src->n_crits; k++)
			dtcp_src_remove(&A.s, src, src->crits[k], DFC_REASON_NONE);
	}
	dtcp_server_gc(&A.s);
	dtcp_notify_restart(&A.s, "dfc module unloaded: all criteria lost");
	A.kexpired = 0;
	A.s.dirty = true;
}

static void kernel_check(void)
{
	struct dfc_stats st;

	if (A.kernel_up) {
		int err = dfc_nl_stats_get(A.k.nl, &st);
		struct dfc_nl *probe;
		bool gone;

		if (!err)
			return;
		/*
		 * Only a family that is gone (ENOENT) or came back under another
		 * id (the module was reloaded) means the criteria are lost; any
		 * other error (ENOBUFS, EINTR, ENOMEM...) is retried next second.
		 */
		probe = dfc_nl_open();
		gone = probe ? dfc_nl_family_id(probe) != dfc_nl_family_id(A.k.nl) :
			       errno == ENOENT;
		dfc_nl_close(probe);
		if (!gone) {
			A.s.st.kernel_errors++;
			logf_(LOG_WARNING, "dfc.ko check: %s (transient: retried)", strerror(-err));
			return;
		}
		logf_(LOG_DEBUG, "dfc.ko check: %s", strerror(-err));
		kernel_lost();
	}
	if (!dtcp_kernel_open(&A.k)) {
		A.kernel_up = true;
		logf_(LOG_NOTICE, "dfc.ko is back");
		attach_groups();
		dtcp_server_program(&A.s);
		A.s.kops->expired(A.s.kctx, &A.kexpired);
		A.s.dirty = true;
	}
}

/* ---- reload ---- */

static int reload(void *u, char *err, size_t errlen)
{
	struct dtcp_config *c;

	(void)u;
	sd_notify_("RELOADING=1");
	c = dtcp_config_load(A.conf_path, err, errlen);
	if (!c) {
		logf_(LOG_ERR, "reload: %s; keeping the running configuration", err);
		sd_notify_("READY=1");
		return -1;
	}
	dtcp_server_reconfig(&A.s, c);
	sync_ports(c);
	if (A.kernel_up)
		attach_groups();
	logf_(LOG_NOTICE, "configuration %s reloaded", A.conf_path);
	sd_notify_("READY=1");
	return 0;
}

/* ---- main ---- */

static void usage(FILE *f)
{
	fprintf(f, "Usage: dtcpd [-c FILE] [-f] [-v] [-t]\n"
		   "  -c, --config FILE  configuration (default /etc/dtcpd/dtcpd.conf)\n"
		   "  -t, --test         check the configuration and exit\n"
		   "  -f, --foreground   log to stderr\n"
		   "  -v, --verbose      log debug messages too\n"
		   "  -V, --version      print the version\n");
}

static void loop(void)
{
	struct pollfd pfd[MAX_SOCKS + DTCP_CTL_CLIENTS + 8];

	while (!A.stop) {
		unsigned int n = 0, nc, first_ctl;

		for (unsigned int i = 0; i < A.n_socks; i++)
			pfd[n++] = (struct pollfd){ A.socks[i].fd, POLLIN, 0 };
		pfd[n++] = (struct pollfd){ A.sfd, POLLIN, 0 };
		pfd[n++] = (struct pollfd){ A.tfd, POLLIN, 0 };
		pfd[n++] = (struct pollfd){ A.kernel_up ? dfc_nl_events_fd(A.k.ev) : -1, POLLIN, 0 };
		first_ctl = n;
		nc = dtcp_ctl_fds(&A.ctl, pfd + n, DTCP_CTL_CLIENTS + 1);
		n += nc;
		if (poll(pfd, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			logf_(LOG_ERR, "poll: %s", strerror(errno));
			return;
		}
		for (unsigned int i = 0; i < A.n_socks; i++)
			if (pfd[i].revents)
				read_sock(&A.socks[i]);
		flush_replies();
		if (pfd[A.n_socks + 2].revents && A.kernel_up)
			read_events();
		if (pfd[A.n_socks].revents) {
			struct signalfd_siginfo si;

			if (read(A.sfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGHUP) {
					char err[512];

					reload(NULL, err, sizeof(err));
				} else {
					A.stop = true;
				}
			}
		}
		if (pfd[A.n_socks + 1].revents) {
			uint64_t ticks;

			if (read(A.tfd, &ticks, sizeof(ticks)) > 0) {
				kernel_check();
				dtcp_server_droplog_flush(&A.s);
				if (A.kernel_up && A.s.n_orphans)
					dtcp_server_retry(&A.s);
				if (A.kernel_up) {
					dtcp_server_tick(&A.s);
					A.s.kops->expired(A.s.kctx, &A.kexpired);
				}
				dtcp_server_gc(&A.s);
			}
		}
		for (unsigned int i = first_ctl; i < n; i++)
			if (pfd[i].revents)
				dtcp_ctl_ready(&A.ctl, pfd[i].fd, pfd[i].revents);
		save_state();
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "test", no_argument, NULL, 't' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct itimerspec its = { { 1, 0 }, { 1, 0 } };
	struct dtcp_state st = { 0 };
	struct dtcp_config *cfg;
	bool test = false, have_state;
	char err[512], why[256];
	sigset_t mask;
	int o, r;

	A.conf_path = "/etc/dtcpd/dtcpd.conf";
	while ((o = getopt_long(argc, argv, "c:tfvVh", opts, NULL)) != -1) {
		switch (o) {
		case 'c': A.conf_path = optarg; break;
		case 't': test = true; break;
		case 'f': A.foreground = true; break;
		case 'v': A.verbose++; break;
		case 'V': printf("dtcpd %s\n", DFC_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	cfg = dtcp_config_load(A.conf_path, err, sizeof(err));
	if (!cfg) {
		fprintf(stderr, "dtcpd: %s\n", err);
		return 1;
	}
	if (test) {
		printf("dtcpd: configuration %s is valid\n", A.conf_path);
		dtcp_config_free(cfg);
		return 0;
	}
	if (!A.foreground)
		openlog("dtcpd", LOG_PID, LOG_DAEMON);

	if (dtcp_server_init(&A.s, cfg)) {
		logf_(LOG_ERR, "out of memory");
		return 1;
	}
	A.s.kops = &dtcp_kernel_ops;
	A.s.kctx = &A.k;
	A.s.wall_ms = wall_ms;
	A.s.mono_ms = mono_ms;
	A.s.send = send_notify;
	A.s.log = server_log;
	A.s.ifindex = ifindex_of;
	A.s.last_sample_ms = mono_ms();
	dtcp_boot_id(A.boot_id);

	/*
	 * Without its Seq windows dtcpd would answer replays: a state file
	 * that exists but cannot be read is an error, never ignored.
	 */
	r = dtcp_state_load(cfg->state_file, &st, why, sizeof(why));
	have_state = !r;
	if (r && r != -ENOENT) {
		logf_(LOG_ERR, "state file %s: %s; move it away to start without it (Seq windows "
		      "are then lost: old requests would be answered again)", cfg->state_file,
		      r == -EINVAL ? why : strerror(-r));
		return 1;
	}

	r = dtcp_kernel_open(&A.k);
	if (r) {
		logf_(LOG_ERR, "dfc.ko: %s", r == -ENOENT ? "module not loaded" : strerror(-r));
		return 1;
	}
	A.kernel_up = true;
	attach_groups();
	dtcp_server_program(&A.s);
	if (kernel_sync(&st, have_state, "criteria lost: dfc module reloaded or host rebooted"))
		return 1;
	/* Seq windows after the rebuild, which reset nothing of them. */
	if (have_state && dtcp_server_restore(&A.s, &st)) {
		logf_(LOG_ERR, "state file %s: out of memory", cfg->state_file);
		return 1;
	}
	dtcp_state_free(&st);

	A.any4 = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	A.any6 = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sync_ports(cfg))
		logf_(LOG_WARNING, "some service ports could not be opened");
	if (!A.n_socks) {
		logf_(LOG_ERR, "no service port could be opened");
		return 1;
	}
	/* Their directories, when not made by systemd (StateDirectory, RuntimeDirectory). */
	for (int i = 0; i < 2; i++) {
		char *dir = strdup(i ? cfg->ctl_socket : cfg->state_file);
		char *slash = dir ? strrchr(dir, '/') : NULL;

		if (slash && slash != dir) {
			*slash = '\0';
			mkdir(dir, 0700);
		}
		free(dir);
	}
	A.ctl.s = &A.s;
	A.ctl.reload = reload;
	A.ctl.version = DFC_VERSION;
	A.ctl.pid = getpid();
	r = dtcp_ctl_open(&A.ctl, cfg->ctl_socket);
	if (r)
		logf_(LOG_WARNING, "control socket %s: %s", cfg->ctl_socket, strerror(-r));

	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	A.sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	A.tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	timerfd_settime(A.tfd, 0, &its, NULL);
	save_state();
	logf_(LOG_NOTICE, "dtcpd %s ready: %u control sources, %u sockets", DFC_VERSION,
	      A.s.n_srcs, A.n_socks);
	sd_notify_("READY=1");

	loop();

	sd_notify_("STOPPING=1");
	/* Criteria stay in the kernel: a restarted dtcpd takes them over. */
	A.s.dirty = true;
	save_state();
	logf_(LOG_NOTICE, "stopping; criteria stay in dfc.ko");
	dtcp_ctl_close(&A.ctl);
	for (unsigned int i = 0; i < A.n_socks; i++)
		close(A.socks[i].fd);
	dtcp_kernel_close(&A.k);
	dtcp_server_fini(&A.s);
	free(A.pend);
	return 0;
}
