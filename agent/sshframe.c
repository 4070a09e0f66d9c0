// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The DTCP-over-SSH framer (sshframe.h). A message ends at its first
 * empty line, CRLF CRLF as DTCP writes it (LF LF taken too). Each byte is
 * looked at about once: the scan resumes where it stopped, so a message
 * trickling in a byte at a time costs no more than one read at once.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sshframe.h"

int dtcp_framer_init(struct dtcp_framer *f, size_t cap)
{
	memset(f, 0, sizeof(*f));
	f->buf = malloc(cap + 1);
	if (!f->buf)
		return -ENOMEM;
	f->cap = cap;
	return 0;
}

void dtcp_framer_fini(struct dtcp_framer *f)
{
	free(f->buf);
	f->buf = NULL;
}

char *dtcp_framer_space(struct dtcp_framer *f, size_t *room)
{
	if (f->start) {
		memmove(f->buf, f->buf + f->start, f->len - f->start);
		f->len -= f->start;
		f->scan -= f->start;
		f->start = 0;
	}
	*room = f->cap + 1 - f->len;
	return f->buf + f->len;
}

void dtcp_framer_added(struct dtcp_framer *f, size_t n)
{
	f->len += n;
}

int dtcp_framer_next(struct dtcp_framer *f, const char **msg, size_t *len)
{
	const char *b = f->buf;
	size_t i, end = 0;

	/* Blank lines between messages (a client's extra CRLF) are no message. */
	while (f->start < f->len && (b[f->start] == '\r' || b[f->start] == '\n'))
		f->start++;
	if (f->scan < f->start)
		f->scan = f->start;
	for (i = f->scan; i < f->len; i++) {
		const char *nl;

		nl = memchr(b + i, '\n', f->len - i);
		if (!nl) {
			i = f->len;
			break;
		}
		i = nl - b;
		if (i + 1 < f->len && b[i + 1] == '\n') {
			end = i + 2;
			break;
		}
		if (i + 2 < f->len && b[i + 1] == '\r' && b[i + 2] == '\n') {
			end = i + 3;
			break;
		}
		if (i + 1 == f->len || (i + 2 == f->len && b[i + 1] == '\r'))
			break;	/* the line after it is not here yet */
	}
	if (!end) {
		f->scan = i < f->len ? i : f->len;
		return f->len - f->start > f->cap ? -EMSGSIZE : 0;
	}
	if (end - f->start > f->cap)
		return -EMSGSIZE;
	*msg = b + f->start;
	*len = end - f->start;
	f->start = f->scan = end;
	return 1;
}
