// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the DTCP-over-SSH framer (agent/sshframe.c), which
 * the relay runs on whatever an SSH client writes. Input: byte 0 picks
 * the size of the reads (1..255, 0: as much as fits), byte 1 the cap (0:
 * DTCP_MSG_MAX, the relay's; else 64 * n, so that streams too long to
 * frame fit in an input), the rest is the stream. Each result is checked
 * against a reference that frames the whole stream at once: the same
 * messages in the same order, the same bytes, -EMSGSIZE exactly when a
 * message (or what is held without an end) is longer than the cap, and
 * nothing but CR and LF skipped between messages.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "sshframe.h"

/* The reference: the message starting at or after *pos. 1 (*s, *e set), 0 (more needed), -EMSGSIZE. */
static int ref_next(const uint8_t *d, size_t len, size_t cap, size_t *pos, size_t *s, size_t *e)
{
	size_t i = *pos;

	while (i < len && (d[i] == '\r' || d[i] == '\n'))
		i++;
	*pos = *s = i;
	for (; i < len; i++) {
		if (d[i] != '\n')
			continue;
		if (i + 1 < len && d[i + 1] == '\n')
			*e = i + 2;
		else if (i + 2 < len && d[i + 1] == '\r' && d[i + 2] == '\n')
			*e = i + 3;
		else
			continue;
		return *e - *s > cap ? -EMSGSIZE : 1;
	}
	return len - *s > cap ? -EMSGSIZE : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dtcp_framer f;
	size_t step, cap, off = 2, pos = 0, len, s, e;
	const uint8_t *d = data + 2;
	const char *msg;
	int r = 0, want;

	if (size < 2)
		return 0;
	step = data[0];
	cap = data[1] ? 64u * data[1] : DTCP_MSG_MAX;
	size -= 2;
	if (dtcp_framer_init(&f, cap))
		abort();
	while (off - 2 < size && r >= 0) {
		size_t room, n;
		char *p = dtcp_framer_space(&f, &room);

		if (!room)
			abort(); /* room while the stream can still be framed */
		n = size - (off - 2);
		if (step && n > step)
			n = step;
		if (n > room)
			n = room;
		memcpy(p, data + off, n);
		dtcp_framer_added(&f, n);
		off += n;
		/* Everything framed so far is also framed by the reference on the bytes given. */
		while ((r = dtcp_framer_next(&f, &msg, &len)) == 1) {
			if (ref_next(d, off - 2, cap, &pos, &s, &e) != 1 || e - s != len ||
			    memcmp(d + s, msg, len))
				abort();
			pos = e;
		}
	}
	/* Once, not per read: the reference rescans what is held (quadratic bytewise). */
	if (r < 0) {
		if (r != -EMSGSIZE || ref_next(d, off - 2, cap, &pos, &s, &e) != -EMSGSIZE)
			abort();
	} else if (ref_next(d, size, cap, &pos, &s, &e) != 0) {
		abort(); /* the reference sees a message the framer still waits for */
	}
	dtcp_framer_fini(&f);
	return 0;
}
