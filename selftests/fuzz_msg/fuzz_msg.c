// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the DTCP message parser alone (agent/msg.c), every
 * input a datagram as received, up to the largest one. Beyond "no memory
 * error" (ASan/UBSan) it checks what the rest of dtcpd relies on: the
 * bytes HMAC sees are the datagram's own, decoded names and values carry
 * no control character, every list splits into elements that decode, and
 * what dtcp_escape() writes decodes back to the same text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"

static struct dtcp_msg M;

/* A byte loop of the checker's own: nothing for coverage to learn from. */
__attribute__((noinline, no_sanitize("coverage")))
static void check_text(const char *s, bool name, bool tab)
{
	for (; *s; s++) {
		unsigned char c = *s;

		if ((c < 0x20 && !(tab && c == '\t')) || c == 0x7f ||
		    (name && (c == ' ' || c == ':')))
			abort();
	}
}

static void check_param(const struct dtcp_param *p, unsigned int i)
{
	static char out[DTCP_MSG_MAX + 1], esc[4 * 256 + 1];
	struct dtcp_span el[DTCP_MAX_PARAMS];
	size_t vlen = strlen(p->value);
	int n;

	check_text(p->name, true, false);
	check_text(p->value, false, false);
	/* Found by name (the first few: a lookup walks them all, 256 of 256 is O(n^2)). */
	if (vlen > strlen(p->raw) || (i < 16 && !dtcp_msg_get(&M, p->name)))
		abort();
	/*
	 * Escaped, it comes back as it was (its HTABs were already SPs). Short
	 * values only: the parser is what this target is for, and a 40 KB
	 * value is no more interesting to the printer than a 256-byte one.
	 */
	if (vlen <= 256) {
		n = (int)dtcp_escape(esc, sizeof(esc), p->value);
		if (dtcp_unescape(esc, n, out, sizeof(out)) != (int)vlen ||
		    memcmp(out, p->value, vlen))
			abort();
	}
	/* Every list element decodes, and is no longer than the value. */
	n = dtcp_list_split(p->raw, el, DTCP_MAX_PARAMS);
	for (int i = 0; i < n; i++) {
		int d = dtcp_span_decode(&el[i], out, sizeof(out));

		if (d < 0 || (size_t)d > vlen || el[i].len == 0)
			abort();
		check_text(out, false, false);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	if (dtcp_msg_parse(&M, data, len))
		return 0;
	if (M.raw_len != len || memcmp(M.raw, data, len) || M.buf_used > sizeof(M.buf))
		abort();
	if (M.auth && (M.signed_len > M.raw_len || !memchr("\r\n", M.raw[M.signed_len - 1], 2)))
		abort();
	if (M.bad_lineno && (!M.bad_line || M.bad_line + M.bad_line_len > M.raw + M.raw_len))
		abort();
	/* The reason phrase is the start line's own text: HTAB may stay. */
	check_text(M.reason, false, true);
	for (unsigned int i = 0; i < M.n; i++)
		check_param(&M.p[i], i);
	return 0;
}
