/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * dtcpd's service sockets: requests in, answers and notifications out.
 *
 * Answers leave in the order their requests came, and only once the state
 * file holds the Seq windows they depend on (dtcp_udp_release). A socket
 * whose send buffer is full (EAGAIN) does not lose them: the rest waits
 * for POLLOUT, and meanwhile no new request is read (requests wait in the
 * sockets' receive buffers). An answer that cannot leave for
 * DTCP_UDP_STALL_MS is given up, counted and logged.
 */
#ifndef DTCP_UDP_H
#define DTCP_UDP_H

#include <sys/socket.h>

#include "server.h"

#define DTCP_UDP_MAX_SOCKS 64
#define DTCP_UDP_BATCH 64		/* datagrams read per socket per round */
#define DTCP_UDP_STALL_MS 5000

struct dtcp_usock {
	int fd;
	int family;
	uint16_t port;
};

/* The answer to one request: its datagrams, and how far it got. */
struct dtcp_answer {
	int fd;
	struct sockaddr_storage to;
	socklen_t tolen;
	struct sockaddr_storage local;	/* the request's destination: the answer's source */
	int ifindex;
	struct dtcp_replies r;
	unsigned int next;		/* the first datagram not sent yet */
};

struct dtcp_udp {
	struct dtcp_server *s;
	struct dtcp_usock socks[DTCP_UDP_MAX_SOCKS];
	unsigned int n_socks;
	int any4, any6;			/* unbound sockets for notifications */
	/*
	 * Queue: [head, n_ready) may leave, [n_ready, n) wait for the state
	 * file; slots before head are done (their arrays kept for reuse).
	 */
	struct dtcp_answer *q;
	unsigned int head, n_ready, n, cap;
	uint64_t progress_ms;		/* when the first answer last moved */
};

int dtcp_udp_init(struct dtcp_udp *u, struct dtcp_server *s);
void dtcp_udp_fini(struct dtcp_udp *u);
/* Open the ports c needs, close the others; 0 if every one opened. */
int dtcp_udp_sync(struct dtcp_udp *u, const struct dtcp_config *c);
/* Read up to a batch of requests on socket i; their answers are queued. */
void dtcp_udp_read(struct dtcp_udp *u, unsigned int i);
/* The state file was written (saved) or not: the answers waiting for it leave or are withheld. */
void dtcp_udp_release(struct dtcp_udp *u, bool saved);
/* Answers not yet released. */
static inline unsigned int dtcp_udp_unreleased(const struct dtcp_udp *u)
{
	return u->n - u->n_ready;
}

/* Released answers still to send: while there are, no request is read. */
static inline bool dtcp_udp_backlog(const struct dtcp_udp *u)
{
	return u->n_ready > u->head;
}

/* Send what may leave; the fd to wait on for POLLOUT, or -1 when nothing waits. */
int dtcp_udp_send(struct dtcp_udp *u);
/* Each second: give up an answer stuck longer than DTCP_UDP_STALL_MS. */
void dtcp_udp_tick(struct dtcp_udp *u);
/* struct dtcp_server's send: one notification, from the source's service port when we can. */
void dtcp_udp_notify(struct dtcp_server *s, const struct dtcp_csource *src,
		     const struct dtcp_target *t, const void *buf, size_t len);

#endif
