/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * DTCP over SSH (docs/dtcp.md, "DTCP over SSH"): the channel is a byte
 * stream of messages one after another, each ending with the empty line
 * after its last parameter (Authentication-Info). The framer cuts the
 * stream into messages of at most cap bytes; blank lines between messages
 * are skipped. Used by the relay (agent/relay.c); no I/O here.
 */
#ifndef DTCP_SSHFRAME_H
#define DTCP_SSHFRAME_H

#include <stddef.h>

struct dtcp_framer {
	char *buf;		/* cap + 1 bytes */
	size_t cap;		/* the largest message */
	size_t start;		/* the next message's first byte */
	size_t scan;		/* bytes before it hold no end of message */
	size_t len;		/* bytes held */
};

/* 0 or -ENOMEM. */
int dtcp_framer_init(struct dtcp_framer *f, size_t cap);
void dtcp_framer_fini(struct dtcp_framer *f);
/* Where to read into, and how much room there is (never 0 while next() says more). */
char *dtcp_framer_space(struct dtcp_framer *f, size_t *room);
/* n bytes were read into the space. */
void dtcp_framer_added(struct dtcp_framer *f, size_t n);
/*
 * The next whole message: 1 with *msg, *len set (valid until the next
 * call), 0 when more bytes are needed, -EMSGSIZE when cap bytes hold no
 * end (the stream cannot be framed any more).
 */
int dtcp_framer_next(struct dtcp_framer *f, const char **msg, size_t *len);

#endif /* DTCP_SSHFRAME_H */
