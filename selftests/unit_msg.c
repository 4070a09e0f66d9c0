// SPDX-License-Identifier: GPL-2.0
/*
 * Host-tier tests of the DTCP message parser alone (agent/msg.c), under
 * ASan/UBSan: datagrams up to the largest legal size with the longest
 * values (the 40 KB NOOP that overran the parser's buffer), decoded text
 * that must never hold a control character, the one \DDD decoder and the
 * one comma splitter of the agent; the printer's numbers, written without
 * printf, as printf writes them; known parameter names by their ids.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kselftest_harness.h"
#include "auth.h"
#include "msg.h"

static struct dtcp_msg M;
static char big[DTCP_MSG_MAX + 1];

/* Append to big at *len; false if it would not fit in one datagram. */
static bool put(size_t *len, const char *s)
{
	size_t l = strlen(s);

	if (*len + l > DTCP_MSG_MAX)
		return false;
	memcpy(big + *len, s, l);
	*len += l;
	return true;
}

static void put_fill(size_t *len, char c, size_t n)
{
	memset(big + *len, c, n);
	*len += n;
}

/* Every value is as long as sent, the bytes HMAC sees are the datagram's own. */
static void check_intact(struct __test_metadata *_metadata, size_t len)
{
	ASSERT_EQ(len, M.raw_len);
	EXPECT_EQ(0, memcmp(M.raw, big, len));
	EXPECT_LE(M.buf_used, sizeof(M.buf));
}

/* The NOOP that crashed dtcpd before authentication: one ~40 KB X- value. */
TEST(noop_40k_value)
{
	size_t len = 0;

	ASSERT_TRUE(put(&len, "NOOP DTCP/0.7\r\nX-A: "));
	put_fill(&len, 'v', 40000);
	ASSERT_TRUE(put(&len, "\r\nCsource-ID: cs1\r\nSeq: 1\r\n"
			"Authentication-Info: 0123456789012345678901234567890123456789\r\n\r\n"));
	ASSERT_EQ(0, dtcp_msg_parse(&M, big, len));
	EXPECT_EQ(0, M.bad_lineno);
	ASSERT_EQ(3, M.n);
	EXPECT_EQ(40000, strlen(dtcp_msg_value(&M, "X-A")));
	EXPECT_EQ(40000, strlen(dtcp_msg_get(&M, "X-A")->raw));
	EXPECT_STREQ("cs1", dtcp_msg_value(&M, "Csource-ID"));
	EXPECT_STREQ("1", dtcp_msg_value(&M, "Seq"));
	EXPECT_STREQ("0123456789012345678901234567890123456789", M.auth);
	check_intact(_metadata, len);
}

/* Two long values: the second one used to land past the end of the buffer. */
TEST(two_long_values)
{
	size_t len = 0;

	ASSERT_TRUE(put(&len, "NOOP DTCP/0.7\r\nX-A: "));
	put_fill(&len, 'a', 32000);
	ASSERT_TRUE(put(&len, "\r\nX-B: "));
	put_fill(&len, 'b', 32000);
	ASSERT_TRUE(put(&len, "\r\nCsource-ID: cs1\r\nSeq: 2\r\n\r\n"));
	ASSERT_EQ(0, dtcp_msg_parse(&M, big, len));
	EXPECT_EQ(0, M.bad_lineno);
	EXPECT_EQ(32000, strlen(dtcp_msg_value(&M, "X-A")));
	EXPECT_EQ(32000, strlen(dtcp_msg_value(&M, "X-B")));
	EXPECT_EQ(32000, strspn(dtcp_msg_value(&M, "X-B"), "b"));
	EXPECT_STREQ("2", dtcp_msg_value(&M, "Seq"));
	check_intact(_metadata, len);
}

/* The largest datagram, in the shapes that cost the parser the most. */
TEST(max_size_messages)
{
	size_t len = 0;

	/* One value filling the whole datagram, no line end. */
	ASSERT_TRUE(put(&len, "ADD DTCP/0.7\r\nX-Fill: "));
	put_fill(&len, 'x', DTCP_MSG_MAX - len);
	ASSERT_EQ(0, dtcp_msg_parse(&M, big, len));
	EXPECT_EQ(0, M.bad_lineno);
	EXPECT_EQ(DTCP_MSG_MAX - strlen("ADD DTCP/0.7\r\nX-Fill: "),
		  strlen(dtcp_msg_value(&M, "X-Fill")));
	check_intact(_metadata, len);

	/* The shortest parameter lines, thousands past the 256 kept. */
	len = 0;
	ASSERT_TRUE(put(&len, "ADD DTCP/0.7\n"));
	while (put(&len, "a:b\n"))
		;
	put_fill(&len, 'a', DTCP_MSG_MAX - len);
	ASSERT_EQ(0, dtcp_msg_parse(&M, big, len));
	EXPECT_EQ(DTCP_MAX_PARAMS, M.n);
	EXPECT_EQ(DTCP_MAX_PARAMS + 2, M.bad_lineno);
	EXPECT_NE(NULL, strstr(M.bad_why, "too many parameters"));
	check_intact(_metadata, len);

	/* 255 parameters of ~250 bytes, each value with escapes. */
	len = 0;
	ASSERT_TRUE(put(&len, "ADD DTCP/0.7\r\n"));
	for (int i = 0; i < 255; i++) {
		char line[300];

		snprintf(line, sizeof(line), "X-P%d: \\065", i);
		ASSERT_TRUE(put(&len, line));
		put_fill(&len, 'p', 240);
		ASSERT_TRUE(put(&len, "\r\n"));
	}
	ASSERT_EQ(0, dtcp_msg_parse(&M, big, len));
	EXPECT_EQ(0, M.bad_lineno);
	EXPECT_EQ(255, M.n);
	EXPECT_EQ('A', dtcp_msg_value(&M, "X-P254")[0]);
	EXPECT_EQ(241, strlen(dtcp_msg_value(&M, "X-P254")));
	EXPECT_EQ(244, strlen(dtcp_msg_get(&M, "X-P254")->raw));
	check_intact(_metadata, len);

	/* One byte over: refused outright. */
	EXPECT_EQ(-EMSGSIZE, dtcp_msg_parse(&M, big, DTCP_MSG_MAX + 1));
}

/* Escapes may not smuggle a control character into a name or a value. */
TEST(no_control_characters)
{
	static const struct { const char *msg; unsigned int line; const char *why; } bad[] = {
		/* The blob injection: a name that decodes to several lines. */
		{ "ADD DTCP/0.7\r\nX-a\\010rdest\\0321\\010X-b: 1\r\n", 2, "control character" },
		{ "ADD DTCP/0.7\r\nX-A: a\\010b\r\n", 2, "control character" },
		{ "ADD DTCP/0.7\r\nX-A: a\\013\\010b\r\n", 2, "control character" },
		{ "ADD DTCP/0.7\r\nX-A: \\009\r\n", 2, "control character" },
		{ "ADD DTCP/0.7\r\nX-A: \\127\r\n", 2, "control character" },
		{ "ADD DTCP/0.7\r\nX-A: \\001\r\n", 2, "control character" },
		{ "ADD DTCP/0.7\r\nX-A: \\031\r\n", 2, "control character" },
		{ "ADD DTCP/0.7\r\nSeq: 1\r\nCdest-ID: cd\\0101\r\n", 3, "control character" },
		{ "ADD DTCP/0.7\r\nX-A\\058b: 1\r\n", 2, "parameter name" },
		{ "ADD DTCP/0.7\r\nX-A\\032b: 1\r\n", 2, "parameter name" },
		{ "ADD DTCP/0.7\r\nX-\\009: 1\r\n", 2, "control character" },
		{ "ADD DTCP/0.7\r\nX-A: a\x7f" "b\r\n", 2, "control character" },
	};

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ASSERT_EQ(0, dtcp_msg_parse(&M, bad[i].msg, strlen(bad[i].msg)));
		EXPECT_EQ(bad[i].line, M.bad_lineno) TH_LOG("%s", bad[i].msg);
		EXPECT_NE(NULL, strstr(M.bad_why, bad[i].why)) TH_LOG("%s: '%s'", bad[i].msg,
								       M.bad_why);
		for (unsigned int j = 0; j < M.n; j++) {
			for (const char *c = M.p[j].value; *c; c++)
				EXPECT_FALSE((unsigned char)*c < 0x20 || *c == 0x7f);
			for (const char *c = M.p[j].name; *c; c++)
				EXPECT_FALSE((unsigned char)*c <= 0x20 || *c == 0x7f);
		}
	}
}

/* What stays legal: printable escapes, 8-bit text, a raw HTAB (whitespace). */
TEST(legal_escapes)
{
	static const char msg[] = "NOOP DTCP/0.7\r\nCsource-ID: a\\032b\\044c\r\n"
				  "X-T: 1,\t2\r\nX-U: \\200\\255\xc3\xa9\r\nX-\\065: q\r\n\r\n";

	ASSERT_EQ(0, dtcp_msg_parse(&M, msg, strlen(msg)));
	EXPECT_EQ(0, M.bad_lineno);
	EXPECT_STREQ("a b,c", dtcp_msg_value(&M, "Csource-ID"));
	EXPECT_TRUE(dtcp_msg_get(&M, "Csource-ID")->escaped);
	EXPECT_STREQ("1, 2", dtcp_msg_value(&M, "X-T"));
	EXPECT_STREQ("1,\t2", dtcp_msg_get(&M, "X-T")->raw);
	EXPECT_FALSE(dtcp_msg_get(&M, "X-T")->escaped);
	EXPECT_STREQ("\xc8\xff\xc3\xa9", dtcp_msg_value(&M, "X-U"));
	EXPECT_STREQ("q", dtcp_msg_value(&M, "X-A"));
}

/*
 * A line with nothing to decode (no backslash, no HTAB) is stored once:
 * its raw value is its value. Lines around it that need decoding still
 * are decoded, and keep their raw form apart.
 */
TEST(plain_lines_stored_once)
{
	static const char msg[] = "ADD DTCP/0.7\r\nCsource-ID: cs\\0451\r\n"
				  "Dest-Port:   80  \r\nX-E: caf\xc3\xa9\r\nX-T: a\tb\r\n"
				  "X-\\065: q\r\nSeq: 7\r\n\r\n";
	const struct dtcp_param *p;

	ASSERT_EQ(0, dtcp_msg_parse(&M, msg, strlen(msg)));
	EXPECT_EQ(0, M.bad_lineno);
	ASSERT_EQ(6, M.n);
	/* Plain: as sent, trimmed, one string. */
	p = dtcp_msg_pget(&M, DTCP_P_DEST_PORT);
	ASSERT_NE(NULL, p);
	EXPECT_STREQ("80", p->value);
	EXPECT_EQ(p->value, p->raw);
	EXPECT_FALSE(p->escaped);
	p = dtcp_msg_get(&M, "X-E");
	ASSERT_NE(NULL, p);
	EXPECT_STREQ("caf\xc3\xa9", p->value);
	EXPECT_EQ(p->value, p->raw);
	EXPECT_STREQ("7", dtcp_msg_pget(&M, DTCP_P_SEQ)->value);
	/* An escape, an HTAB, an escaped name: decoded, raw kept apart. */
	p = dtcp_msg_pget(&M, DTCP_P_CSOURCE_ID);
	ASSERT_NE(NULL, p);
	EXPECT_STREQ("cs-1", p->value);
	EXPECT_STREQ("cs\\0451", p->raw);
	EXPECT_TRUE(p->escaped);
	p = dtcp_msg_get(&M, "X-T");
	ASSERT_NE(NULL, p);
	EXPECT_STREQ("a b", p->value);
	EXPECT_STREQ("a\tb", p->raw);
	EXPECT_NE(p->value, p->raw);
	EXPECT_STREQ("q", dtcp_msg_value(&M, "X-A"));
}

TEST(unescape)
{
	char out[16];

	EXPECT_EQ(3, dtcp_unescape("a\\044b", 6, out, sizeof(out)));
	EXPECT_STREQ("a,b", out);
	/* Only the given length counts, and it needs no NUL. */
	EXPECT_EQ(1, dtcp_unescape("\\065BC", 4, out, sizeof(out)));
	EXPECT_STREQ("A", out);
	/* Fewer than three digits, or at the end: a plain backslash. */
	EXPECT_EQ(4, dtcp_unescape("\\12x", 4, out, sizeof(out)));
	EXPECT_STREQ("\\12x", out);
	EXPECT_EQ(3, dtcp_unescape("\\06", 3, out, sizeof(out)));
	EXPECT_EQ(3, dtcp_unescape("a\tb", 3, out, sizeof(out)));
	EXPECT_STREQ("a b", out);
	EXPECT_EQ(-EINVAL, dtcp_unescape("\\256", 4, out, sizeof(out)));
	EXPECT_EQ(-EINVAL, dtcp_unescape("\\000", 4, out, sizeof(out)));
	EXPECT_EQ(-EINVAL, dtcp_unescape("\\010", 4, out, sizeof(out)));
	EXPECT_EQ(-EINVAL, dtcp_unescape("\\127", 4, out, sizeof(out)));
	EXPECT_EQ(-EINVAL, dtcp_unescape("a\nb", 3, out, sizeof(out)));
	EXPECT_EQ(-E2BIG, dtcp_unescape("abcd", 4, out, 4));
	EXPECT_EQ(4, dtcp_unescape("abcd", 4, out, 5));
	EXPECT_EQ(-E2BIG, dtcp_unescape("", 0, out, 0));
}

/* Lists split on the raw text: an escaped comma is part of an element. */
TEST(list_split)
{
	struct dtcp_span el[4];
	char out[32];

	ASSERT_EQ(3, dtcp_list_split("a\\044b, c ,\t\\032d", el, 4));
	EXPECT_EQ(6, el[0].len);
	EXPECT_EQ(0, strncmp(el[0].s, "a\\044b", 6));
	EXPECT_EQ(3, dtcp_span_decode(&el[0], out, sizeof(out)));
	EXPECT_STREQ("a,b", out);
	EXPECT_EQ(1, dtcp_span_decode(&el[1], out, sizeof(out)));
	EXPECT_STREQ("c", out);
	/* Trimming is of raw whitespace only: an escaped space stays. */
	EXPECT_EQ(2, dtcp_span_decode(&el[2], out, sizeof(out)));
	EXPECT_STREQ(" d", out);
	ASSERT_EQ(1, dtcp_list_split("1\\0442", el, 4));
	EXPECT_EQ(3, dtcp_span_decode(&el[0], out, sizeof(out)));
	EXPECT_STREQ("1,2", out);
	EXPECT_EQ(4, dtcp_list_split("1,2,3,4", el, 4));
	EXPECT_EQ(-E2BIG, dtcp_list_split("1,2,3,4,5", el, 4));
	EXPECT_EQ(-EINVAL, dtcp_list_split("", el, 4));
	EXPECT_EQ(-EINVAL, dtcp_list_split(" \t", el, 4));
	EXPECT_EQ(-EINVAL, dtcp_list_split("a,,b", el, 4));
	EXPECT_EQ(-EINVAL, dtcp_list_split("a, ,b", el, 4));
	EXPECT_EQ(-EINVAL, dtcp_list_split("a,", el, 4));
	EXPECT_EQ(-EINVAL, dtcp_list_split(",a", el, 4));
}

/*
 * Timestamps: the second's text is kept between calls; each must still
 * read as its own time (parsed back), across seconds and back again.
 */
TEST(time_fmt_each_second)
{
	static const uint64_t ms[] = {
		1764806400000ull, 1764806400999ull, 1764806401000ull, 1764806400007ull,
		1764806401123ull, 1893456000050ull, 1764806401123ull, 0ull,
	};
	char buf[32], want[32];

	for (size_t i = 0; i < sizeof(ms) / sizeof(ms[0]); i++) {
		time_t t = ms[i] / 1000;
		struct tm tm;
		uint64_t back;
		size_t n;

		localtime_r(&t, &tm);
		n = strftime(want, sizeof(want), "%Y-%m-%d %H:%M:%S", &tm);
		snprintf(want + n, sizeof(want) - n, ".%03u", (unsigned int)(ms[i] % 1000));
		dtcp_time_fmt(ms[i], buf);
		EXPECT_STREQ(want, buf);
		ASSERT_EQ(0, dtcp_time_parse(buf, &back));
		EXPECT_EQ(ms[i], back);
	}
}

/* Status and request lines and number parameters, as printf would write them. */
TEST(printer_numbers)
{
	static const uint64_t v[] = { 0, 1, 9, 10, 99, 100, 200, 999, 1000, 4294967295u,
				      4294967296u, UINT64_MAX - 1, UINT64_MAX };
	static const int vers[] = { DTCP_VER(0, 7), DTCP_VER(0, 6), DTCP_VER(1, 0),
				    DTCP_VER(999, 999), DTCP_VER(12, 34) };
	struct dtcp_out o;
	char want[256], ver[16];

	for (unsigned int i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		dtcp_out_init(&o, false);
		dtcp_out_param(&o, "Seq", "%" PRIu64, v[i]);
		snprintf(want, sizeof(want), "Seq: %" PRIu64 "\r\n", v[i]);
		EXPECT_STREQ(want, o.buf);
		dtcp_out_init(&o, false);
		dtcp_out_param(&o, "Count", "%u", (unsigned int)v[i]);
		snprintf(want, sizeof(want), "Count: %u\r\n", (unsigned int)v[i]);
		EXPECT_STREQ(want, o.buf);
	}
	for (unsigned int i = 0; i < sizeof(vers) / sizeof(vers[0]); i++) {
		for (unsigned int code = 0; code < 1200; code += 7) {
			dtcp_out_init(&o, false);
			dtcp_out_status(&o, vers[i], code, "Why");
			snprintf(want, sizeof(want), "DTCP/%s %03u Why\r\n",
				 dtcp_ver_str(vers[i], ver), code);
			EXPECT_STREQ(want, o.buf);
		}
		dtcp_out_init(&o, true);
		dtcp_out_request(&o, "ADD", vers[i]);
		snprintf(want, sizeof(want), "ADD DTCP/%s\r\n", dtcp_ver_str(vers[i], ver));
		EXPECT_STREQ(want, o.buf);
	}
	/* No room: the printer says so. */
	dtcp_out_init(&o, false);
	memset(o.buf, 'x', sizeof(o.buf) - 3);
	o.len = sizeof(o.buf) - 3;
	o.buf[o.len] = '\0';
	dtcp_out_param(&o, "S", "%" PRIu64, UINT64_MAX);
	EXPECT_TRUE(o.overflow);
}

/*
 * Known names are looked up once, at parse time: dtcp_msg_pget() must find
 * what dtcp_msg_get() finds by name, in any case, first occurrence first,
 * and nothing left over from the message parsed before.
 */
TEST(param_ids)
{
	static const char first[] = "ADD DTCP/0.7\r\nseq: 9\r\nX-Note: a\r\nDEST-PORT: 80\r\n"
				    "Dest-Port: 81\r\nx-jtap-ip-version: 4\r\nPriority: 2\r\n\r\n";
	static const char second[] = "NOOP DTCP/0.7\r\nCsource-ID: cs1\r\n\r\n";
	char name[64];
	size_t len = 0;

	/* Every known name, in its canonical spelling and in upper case. */
	for (int id = DTCP_P_UNKNOWN + 1; id < DTCP_P_COUNT; id++) {
		const char *c = dtcp_pid_name((enum dtcp_pid)id);

		ASSERT_NE(NULL, c);
		EXPECT_EQ(id, dtcp_param_id(c, strlen(c)));
		for (size_t i = 0; i <= strlen(c); i++)
			name[i] = (char)(c[i] >= 'a' && c[i] <= 'z' ? c[i] - 32 : c[i]);
		EXPECT_EQ(id, dtcp_param_id(name, strlen(name)));
		EXPECT_STREQ(c, dtcp_pid_name(dtcp_param_id(name, strlen(name))));
	}
	EXPECT_EQ(NULL, dtcp_pid_name(DTCP_P_UNKNOWN));
	EXPECT_EQ(NULL, dtcp_pid_name(DTCP_P_COUNT));
	EXPECT_EQ(DTCP_P_UNKNOWN, dtcp_param_id("X-Note", 6));
	EXPECT_EQ(DTCP_P_UNKNOWN, dtcp_param_id("Dest-Port2", 10));

	ASSERT_EQ(0, dtcp_msg_parse(&M, first, strlen(first)));
	for (int id = DTCP_P_UNKNOWN + 1; id < DTCP_P_COUNT; id++)
		EXPECT_EQ(dtcp_msg_get(&M, dtcp_pid_name((enum dtcp_pid)id)),
			  dtcp_msg_pget(&M, (enum dtcp_pid)id));
	EXPECT_STREQ("80", dtcp_msg_pget(&M, DTCP_P_DEST_PORT)->value);
	EXPECT_EQ(DTCP_P_DEST_PORT, M.p[3].pid);
	EXPECT_EQ(DTCP_P_UNKNOWN, M.p[1].pid);
	EXPECT_STREQ("4", dtcp_msg_pget(&M, DTCP_P_JT_IP_VERSION)->value);
	EXPECT_STREQ("9", dtcp_msg_pget(&M, DTCP_P_SEQ)->value);

	/* The next message on the same struct has none of these. */
	ASSERT_EQ(0, dtcp_msg_parse(&M, second, strlen(second)));
	EXPECT_EQ(NULL, dtcp_msg_pget(&M, DTCP_P_SEQ));
	EXPECT_EQ(NULL, dtcp_msg_pget(&M, DTCP_P_DEST_PORT));
	EXPECT_EQ(NULL, dtcp_msg_pget(&M, DTCP_P_PRIORITY));
	EXPECT_STREQ("cs1", dtcp_msg_pget(&M, DTCP_P_CSOURCE_ID)->value);

	/* The last of DTCP_MAX_PARAMS lines is found by its id too. */
	ASSERT_TRUE(put(&len, "NOOP DTCP/0.7\r\n"));
	for (int i = 0; i < DTCP_MAX_PARAMS - 1; i++) {
		snprintf(name, sizeof(name), "X-P%d: 1\r\n", i);
		ASSERT_TRUE(put(&len, name));
	}
	ASSERT_TRUE(put(&len, "FLAGS: Static\r\n\r\n"));
	ASSERT_EQ(0, dtcp_msg_parse(&M, big, len));
	ASSERT_EQ(DTCP_MAX_PARAMS, M.n);
	EXPECT_EQ(&M.p[DTCP_MAX_PARAMS - 1], dtcp_msg_pget(&M, DTCP_P_FLAGS));
}

TEST_HARNESS_MAIN
