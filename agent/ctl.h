/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The local control socket: a root-only AF_UNIX stream socket speaking
 * JSON lines (one request object per line, one reply object per line),
 * used by `dfcctl agent`. docs/dtcpd.md describes the commands.
 */
#ifndef DTCP_CTL_H
#define DTCP_CTL_H

#include <poll.h>
#include <stddef.h>
#include <jansson.h>

#include "server.h"

struct dtcp_links;

#define DTCP_CTL_CLIENTS 16

struct dtcp_ctl_client {
	int fd;
	char buf[4096];
	size_t len;
	/* The reply being written: requests wait until it is all out. */
	char *out;
	size_t out_len, out_off;
};

struct dtcp_ctl {
	int fd;				/* listening; -1 if none */
	char *path;
	struct dtcp_ctl_client c[DTCP_CTL_CLIENTS];
	struct dtcp_server *s;
	/* "reload": re-read the configuration; 0, or -1 with err filled. */
	int (*reload)(void *u, char *err, size_t errlen);
	void *u;
	/* The capture groups' interfaces for "status" (agent/link.h); NULL: none shown. */
	const struct dtcp_links *links;
	const char *version;
	long pid;
	/* DTCP over SSH for "status" and "ssh" (agent/ssh.h); NULL: not shown. */
	json_t *(*ssh_status)(void);
};

/* 0 or -errno. An old socket file at path is replaced. */
int dtcp_ctl_open(struct dtcp_ctl *ctl, const char *path);
void dtcp_ctl_close(struct dtcp_ctl *ctl);
/* The reply (malloc'd JSON, no newline) to one request line. */
char *dtcp_ctl_request(struct dtcp_ctl *ctl, const char *line);
/*
 * poll() helpers: the fds to watch (POLLIN, or POLLOUT while a reply is
 * being written: replies of any size are streamed as the client reads
 * them), and the handling of the ones that are ready.
 */
unsigned int dtcp_ctl_fds(const struct dtcp_ctl *ctl, struct pollfd *pfd, unsigned int max);
void dtcp_ctl_ready(struct dtcp_ctl *ctl, int fd, short revents);

#endif /* DTCP_CTL_H */
