// SPDX-License-Identifier: GPL-2.0
/*
 * Host-tier tests of the DTCP-over-SSH framer (agent/sshframe.c), which
 * the relay uses to cut sshd's channel into messages: each message ends
 * with its empty line, blank lines between messages are skipped, a
 * message may arrive in any pieces, and cap bytes without an end make the
 * stream unframeable (-EMSGSIZE) while a message of exactly cap passes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "msg.h"
#include "sshframe.h"

#define ADD1 "ADD DTCP/0.7\r\nCsource-ID: cs1\r\nSeq: 1\r\n" \
	"Authentication-Info: 0123456789abcdef0123456789abcdef01234567\r\n\r\n"
#define LIST2 "LIST DTCP/0.7\r\nCsource-ID: cs1\r\nSeq: 2\r\n" \
	"Authentication-Info: 89abcdef0123456789abcdef0123456789abcdef\r\n\r\n"

/* Feed text in pieces of `step` bytes; the messages cut, joined by '|'. */
static int feed(struct dtcp_framer *f, const char *text, size_t len, size_t step, char *out,
		size_t outlen)
{
	size_t off = 0, o = 0;
	int r = 0;

	*out = 0;
	while (off < len) {
		size_t room, n;
		char *p = dtcp_framer_space(f, &room);
		const char *m;
		size_t ml;

		if (!room)
			return -ENOSPC;
		n = len - off < step ? len - off : step;
		n = n < room ? n : room;
		memcpy(p, text + off, n);
		dtcp_framer_added(f, n);
		off += n;
		while ((r = dtcp_framer_next(f, &m, &ml)) == 1) {
			if (o + ml + 2 > outlen)
				return -ENOSPC;
			memcpy(out + o, m, ml);
			o += ml;
			out[o++] = '|';
			out[o] = 0;
		}
		if (r < 0)
			return r;
	}
	return 0;
}

TEST(two_messages_any_pieces)
{
	static const char text[] = ADD1 LIST2;
	char out[1024];

	for (size_t step = 1; step <= sizeof(text); step++) {
		struct dtcp_framer f;

		ASSERT_EQ(0, dtcp_framer_init(&f, DTCP_MSG_MAX));
		ASSERT_EQ(0, feed(&f, text, strlen(text), step, out, sizeof(out)));
		EXPECT_STREQ(ADD1 "|" LIST2 "|", out) TH_LOG("pieces of %zu", step);
		dtcp_framer_fini(&f);
	}
}

TEST(blank_lines_between_and_lf_only)
{
	static const char text[] = "\r\n\r\n" ADD1 "\r\n\n" "NOOP DTCP/0.7\nSeq: 3\n\n";
	struct dtcp_framer f;
	char out[1024];

	ASSERT_EQ(0, dtcp_framer_init(&f, DTCP_MSG_MAX));
	ASSERT_EQ(0, feed(&f, text, strlen(text), 7, out, sizeof(out)));
	EXPECT_STREQ(ADD1 "|NOOP DTCP/0.7\nSeq: 3\n\n|", out);
	dtcp_framer_fini(&f);
}

TEST(incomplete_waits)
{
	/* Up to the CR of the final CRLF: not a message yet. */
	static const char text[] = "NOOP DTCP/0.7\r\nSeq: 1\r\n\r";
	struct dtcp_framer f;
	char out[256];

	ASSERT_EQ(0, dtcp_framer_init(&f, DTCP_MSG_MAX));
	ASSERT_EQ(0, feed(&f, text, strlen(text), 3, out, sizeof(out)));
	EXPECT_STREQ("", out);
	ASSERT_EQ(0, feed(&f, "\n", 1, 1, out, sizeof(out)));
	EXPECT_STREQ("NOOP DTCP/0.7\r\nSeq: 1\r\n\r\n|", out);
	dtcp_framer_fini(&f);
}

/* A message of exactly cap bytes passes; one byte more fails, and only then. */
static char *big(size_t total)
{
	static const char head[] = "NOOP DTCP/0.7\r\nX-Pad: ", tail[] = "\r\n\r\n";
	char *b = malloc(total + 1);

	memcpy(b, head, strlen(head));
	memset(b + strlen(head), 'a', total - strlen(head) - strlen(tail));
	memcpy(b + total - strlen(tail), tail, strlen(tail) + 1);
	return b;
}

TEST(cap_exact_and_over)
{
	char *out = malloc(2 * DTCP_MSG_MAX);
	char *ok = big(DTCP_MSG_MAX), *over = big(DTCP_MSG_MAX + 1);
	struct dtcp_framer f;

	ASSERT_EQ(0, dtcp_framer_init(&f, DTCP_MSG_MAX));
	ASSERT_EQ(0, feed(&f, ok, DTCP_MSG_MAX, 4096, out, 2 * DTCP_MSG_MAX));
	EXPECT_EQ(DTCP_MSG_MAX + 1, strlen(out));	/* the message and its '|' */
	/* The buffer is reused after a message: a second one of cap fits too. */
	ASSERT_EQ(0, feed(&f, ok, DTCP_MSG_MAX, 65000, out, 2 * DTCP_MSG_MAX));
	EXPECT_EQ(DTCP_MSG_MAX + 1, strlen(out));
	dtcp_framer_fini(&f);

	ASSERT_EQ(0, dtcp_framer_init(&f, DTCP_MSG_MAX));
	EXPECT_EQ(-EMSGSIZE, feed(&f, over, DTCP_MSG_MAX + 1, 1000, out, 2 * DTCP_MSG_MAX));
	dtcp_framer_fini(&f);
	/* No end at all: refused once cap + 1 bytes are held, not before. */
	ASSERT_EQ(0, dtcp_framer_init(&f, 100));
	memset(ok, 'x', 101);
	EXPECT_EQ(0, feed(&f, ok, 100, 1, out, 256));
	EXPECT_EQ(-EMSGSIZE, feed(&f, ok, 1, 1, out, 256));
	dtcp_framer_fini(&f);
	free(ok);
	free(over);
	free(out);
}

TEST_HARNESS_MAIN
