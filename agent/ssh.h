/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * DTCP over SSH, dtcpd's side (docs/dtcp.md, "DTCP over SSH"). sshd runs
 * the relay (agent/relay.c) as the login it authenticated; the relay
 * connects to this unix SOCK_SEQPACKET socket, says its login in its
 * first packet, then each packet is one DTCP message. dtcpd believes the
 * login only from a peer whose credentials (SO_PEERCRED) carry the
 * relay-group and whose uid is that login's. A session has its own Seq
 * window, is bound to the first control source it speaks for, and hears
 * that source's notifications. Limits: sessions in all and per source,
 * new sessions a minute. A session that sends what is not a request of
 * its source is closed.
 */
#ifndef DTCP_SSH_H
#define DTCP_SSH_H

#include <poll.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <jansson.h>

#include "server.h"

#define DTCP_SSH_HELLO_MAX 256
#define DTCP_SSH_FDS_MAX 1025		/* max-sessions' highest, and the listener */

struct dtcp_ssh_sess {
	int fd;
	uint64_t id;
	bool hello;			/* the relay said who it is */
	bool dead;			/* to be closed (a notification could not leave) */
	uid_t uid;
	pid_t pid;
	char login[33];
	struct sockaddr_storage from;	/* the SSH client (AF_UNSPEC: unknown) */
	char from_text[48];
	char src_id[65];		/* bound source ("" until its first authentic request) */
	struct dtcp_seq seq;
	uint64_t since_ms, rx, tx, dropped;
};

struct dtcp_ssh_stats {
	uint64_t accepted, closed;
	uint64_t refused_peer;		/* credentials without the relay-group, or another uid */
	uint64_t refused_login;		/* a login that speaks for no control source */
	uint64_t refused_limit;		/* max-sessions */
	uint64_t refused_source;	/* max-sessions-per-source */
	uint64_t refused_rate;		/* rate-limit */
	uint64_t refused_hello;		/* a first packet that is not the relay's */
	uint64_t closed_msg;		/* a message refused: not DTCP, not the login's source */
	uint64_t too_big;		/* the relay found a message over the cap */
	uint64_t rx, tx, dropped, tx_lost;
};

struct dtcp_ssh {
	int fd;				/* listening; -1: off */
	char *path;
	struct dtcp_server *s;
	const struct dtcp_ssh_cfg *cfg;
	struct dtcp_ssh_sess *v;
	unsigned int n, cap;
	uint64_t next_id;
	uint64_t rate_ms;		/* start of the current minute */
	unsigned int rate_n;		/* sessions begun in it */
	struct dtcp_ssh_stats st;
	/* Write the state file before answers leave; false: it failed (answers withheld). */
	bool (*save)(void);
};

void dtcp_ssh_init(struct dtcp_ssh *h, struct dtcp_server *s);
void dtcp_ssh_fini(struct dtcp_ssh *h);
/*
 * Follow the configuration: open (or move) the socket, close it when
 * there is no "ssh" group, close sessions whose login no longer speaks
 * for their source. 0 or -errno (the socket could not be opened).
 */
int dtcp_ssh_sync(struct dtcp_ssh *h, const struct dtcp_config *c);
/* poll(): the listening socket and every session (the dead ones closed first); what is ready. */
unsigned int dtcp_ssh_fds(struct dtcp_ssh *h, struct pollfd *pfd, unsigned int max);
void dtcp_ssh_ready(struct dtcp_ssh *h, int fd, short revents);
/* struct dtcp_server's send_ssh (s->ssh is the struct dtcp_ssh). */
unsigned int dtcp_ssh_notify(struct dtcp_server *s, const struct dtcp_src *src,
			     const void *buf, size_t len);
/* For the control socket's "status" and "ssh": counters and sessions. */
json_t *dtcp_ssh_json(const struct dtcp_ssh *h);

/* The relay's first packet: "login NAME\nfrom ADDR\n". 0 or -EINVAL. */
int dtcp_ssh_hello_parse(const char *p, size_t len, char login[33],
			 struct sockaddr_storage *from);

#endif /* DTCP_SSH_H */
