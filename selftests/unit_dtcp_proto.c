// SPDX-License-Identifier: GPL-2.0
/*
 * Host-tier unit tests of the DTCP agent's protocol pieces (agent/), no
 * server: HMAC-SHA1 against the draft's examples, the message parser and
 * printer, versions, numbers and times, the sequence window (edges,
 * replays, negative window, rollover), the state file, Criteria-ID and
 * Flags values.
 */
#include <errno.h>

#include "dtcp_fixture.h"

/* ---- HMAC: the draft's examples, bytes exactly as hashed (docs/dtcp.md §6.1) ---- */

static const char v1[] =
	"ADD DTCP/0.6 \r\nSource-Address: 192.168.10.4 \r\nDest-Address: 10.1.1.1-10.1.1.10 \r\n"
	"Protocol: 6,17 \r\nDest-Port: 53 \r\nTimeout-Idle: 600 \r\nAction: Copy \r\n"
	"Priority: 2 \r\nFlags: SendAsync \r\nCdest-ID: cdst_b \r\nCsource-ID: csrc_a \r\n"
	"Seq: 3827443 \r\n";
static const char v2[] =
	"DTCP/0.6 200 OK \r\nCriteria-ID: 38224 \r\nTimestamp: 2005-01-01 12:01:01.111 \r\n"
	"Seq: 3827443 \r\n";
static const char v3[] =
	"ADD DTCP/0.7\r\nCsource-ID: cs1\r\nCdest-ID: cd1\r\nSource-Address: 192.0.2.10\r\n"
	"Dest-Address: *\r\nProtocol: 6\r\nDest-Port: 80\r\nTimeout-Idle: 600\r\nPriority: 1\r\n"
	"Seq: 1\r\n";
/* Draft §7.2 (found by recomputing: the printed order is not the hashed one). */
static const char v4[] =
	"DELETE DTCP/0.6 \r\nCriteria-ID: 55331 \r\nFlags: Static \r\nCsource-ID: csrc_d \r\n"
	"Seq: 2655371 \r\n";
static const char v5[] =
	"DTCP/0.6 431 Unknown Criteria ID \r\nCriteria-ID: 55331 \r\n"
	"Timestamp: 2005-02-02 12:02:02.222 \r\nSeq: 2655371 \r\n";

TEST(hmac_vectors)
{
	static const struct { const char *text, *hex; } v[] = {
		{ v1, "28eb606458ba46160d7a59da48763020f5aef9f5" },
		{ v2, "38099d03fcb5b12a849b36f9bdccc757303fafd0" },
		{ v3, "dda4b696a73cd05408cbd1377cef7305334dbe4a" },
		{ v4, "6af62247a2b59a2a06e0ca08ec5a80a644e2cd67" },
		{ v5, "5de4552e98832c2d2c3a9ffa8a2958c967b4e1e8" },
	};
	char hex[41];

	for (unsigned int i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		dtcp_hmac_hex("secret", 6, v[i].text, strlen(v[i].text), hex);
		EXPECT_STREQ(v[i].hex, hex);
		EXPECT_TRUE(dtcp_hmac_verify("secret", 6, v[i].text, strlen(v[i].text), v[i].hex));
	}
	/* Upper-case hex is accepted; a wrong key, a flipped byte or short hex are not. */
	EXPECT_TRUE(dtcp_hmac_verify("secret", 6, v3, strlen(v3),
				     "DDA4B696A73CD05408CBD1377CEF7305334DBE4A"));
	EXPECT_FALSE(dtcp_hmac_verify("secreT", 6, v3, strlen(v3), v[2].hex));
	EXPECT_FALSE(dtcp_hmac_verify("secret", 6, v3, strlen(v3) - 1, v[2].hex));
	EXPECT_FALSE(dtcp_hmac_verify("secret", 6, v3, strlen(v3), "dda4b696"));
	EXPECT_FALSE(dtcp_hmac_verify("secret", 6, v3, strlen(v3),
				      "zda4b696a73cd05408cbd1377cef7305334dbe4a"));
}

/* The edges of keying: a key longer than SHA-1's block (RFC 2202 case 6), an empty key. */
TEST(hmac_key_edges)
{
	static const char t6[] = "Test Using Larger Than Block-Size Key - Hash Key First";
	static const char req[] = "ADD DTCP/0.7\r\n";
	unsigned char long_key[80];
	char hex[41];

	memset(long_key, 0xaa, sizeof(long_key));
	ASSERT_EQ(0, dtcp_hmac_hex(long_key, sizeof(long_key), t6, strlen(t6), hex));
	EXPECT_STREQ("aa4ae5e15272d00e95705637ce8a3b55ed402112", hex);
	ASSERT_EQ(0, dtcp_hmac_hex("", 0, req, strlen(req), hex));
	EXPECT_STREQ("5824cfcec2ff8a770ff5a329c91700b27fd53719", hex);
	/* Each message keyed on its own: one key never leaks into the next digest. */
	ASSERT_EQ(0, dtcp_hmac_hex("secret", 6, v3, strlen(v3), hex));
	EXPECT_STREQ("dda4b696a73cd05408cbd1377cef7305334dbe4a", hex);
	EXPECT_FALSE(dtcp_hmac_verify("", 0, req, strlen(req),
				      "dda4b696a73cd05408cbd1377cef7305334dbe4a"));

	/*
	 * The context stays keyed between messages: a key one byte shorter or
	 * one byte different from the last is its own key, an empty message
	 * too, and dropping the context changes no digest.
	 */
	for (int round = 0; round < 2; round++) {
		ASSERT_EQ(0, dtcp_hmac_hex("secret", 6, v3, strlen(v3), hex));
		EXPECT_STREQ("dda4b696a73cd05408cbd1377cef7305334dbe4a", hex);
		ASSERT_EQ(0, dtcp_hmac_hex("secre", 5, v3, strlen(v3), hex));
		EXPECT_STREQ("200242a511b8286b22dc1e4774e7a457ffffb6a0", hex);
		ASSERT_EQ(0, dtcp_hmac_hex("secreT", 6, v3, strlen(v3), hex));
		EXPECT_STREQ("a35c785861086eabf5ffd73e934707702eac3bca", hex);
		ASSERT_EQ(0, dtcp_hmac_hex("secreT", 6, "", 0, hex));
		EXPECT_STREQ("c5c4f8b505b4c4d498c1988806d07baa0f173029", hex);
		ASSERT_EQ(0, dtcp_hmac_hex("secreT", 6, v3, strlen(v3), hex));
		EXPECT_STREQ("a35c785861086eabf5ffd73e934707702eac3bca", hex);
		EXPECT_TRUE(dtcp_hmac_verify("secret", 6, v3, strlen(v3),
					     "dda4b696a73cd05408cbd1377cef7305334dbe4a"));
		EXPECT_FALSE(dtcp_hmac_verify("secreT", 6, v3, strlen(v3),
					      "dda4b696a73cd05408cbd1377cef7305334dbe4a"));
		dtcp_hmac_reset();
	}
}

/* A whole message with its Authentication-Info: parsed, the signed span verifies. */
TEST(parse_signed_example)
{
	char msg[1024];

	snprintf(msg, sizeof(msg), "%sAuthentication-Info: 28eb606458ba46160d7a59da48763020f5aef9f5 \r\n\r\n", v1);
	ASSERT_EQ(0, dtcp_msg_parse(&M, msg, strlen(msg)));
	EXPECT_EQ(DTCP_K_REQUEST, M.kind);
	EXPECT_STREQ("ADD", M.method);
	EXPECT_EQ(DTCP_VER(0, 6), M.version);
	EXPECT_EQ(strlen(v1), M.signed_len);
	EXPECT_STREQ("28eb606458ba46160d7a59da48763020f5aef9f5", M.auth);
	EXPECT_TRUE(dtcp_hmac_verify("secret", 6, M.raw, M.signed_len, M.auth));
	EXPECT_EQ(0, M.bad_lineno);
	EXPECT_EQ(11, M.n);
	/* Trailing whitespace is trimmed from values, names match in any case. */
	EXPECT_STREQ("10.1.1.1-10.1.1.10", dtcp_msg_value(&M, "DEST-ADDRESS"));
	EXPECT_STREQ("csrc_a", dtcp_msg_value(&M, "csource-id"));
	EXPECT_STREQ("6,17", dtcp_msg_value(&M, "Protocol"));
}

TEST(parse_forms)
{
	static const char lf[] = "noop DTCP/0.7\nCSOURCE-ID :\tcs1  \nSeq:5\nAuthentication-Info: ab\n\n";
	static const char after[] = "NOOP DTCP/0.7\r\nSeq: 1\r\nAuthentication-Info: x\r\nGarbage here\r\n";
	static const char esc[] = "NOOP DTCP/0.7\r\nCsource-ID: a\\032b\\092c\r\nX-A: \\1\\12x\\\r\n"
				  "X-Dup: 1\r\nX-DUP: 2\r\n\r\n";
	static const char status[] = "DTCP/0.8 599 Server Restart\r\nAlert-Info: module reloaded now\r\n\r\n";

	/* Bare LF line ends, spaces and tabs around the colon, method in lower case. */
	ASSERT_EQ(0, dtcp_msg_parse(&M, lf, strlen(lf)));
	EXPECT_STREQ("noop", M.method);
	EXPECT_STREQ("cs1", dtcp_msg_value(&M, "Csource-ID"));
	EXPECT_STREQ("5", dtcp_msg_value(&M, "seq"));
	EXPECT_STREQ("ab", M.auth);
	EXPECT_EQ(0, M.bad_lineno);
	/* Authentication-Info is last: what follows is ignored. */
	ASSERT_EQ(0, dtcp_msg_parse(&M, after, strlen(after)));
	EXPECT_EQ(0, M.bad_lineno);
	EXPECT_EQ(1, M.n);
	EXPECT_EQ(strlen("NOOP DTCP/0.7\r\nSeq: 1\r\n"), M.signed_len);
	/* \DDD escapes decode; a backslash not followed by three digits stays. */
	ASSERT_EQ(0, dtcp_msg_parse(&M, esc, strlen(esc)));
	EXPECT_STREQ("a b\\c", dtcp_msg_value(&M, "Csource-ID"));
	EXPECT_STREQ("a\\032b\\092c", dtcp_msg_get(&M, "Csource-ID")->raw);
	EXPECT_TRUE(dtcp_msg_get(&M, "Csource-ID")->escaped);
	EXPECT_STREQ("\\1\\12x\\", dtcp_msg_value(&M, "X-A"));
	/* A repeated parameter: the first one counts. */
	EXPECT_STREQ("1", dtcp_msg_value(&M, "x-dup"));
	EXPECT_EQ(2, dtcp_msg_count(&M, "X-Dup"));
	EXPECT_EQ(NULL, M.auth);
	/* Status lines: responses and notifications. */
	ASSERT_EQ(0, dtcp_msg_parse(&M, status, strlen(status)));
	EXPECT_EQ(DTCP_K_STATUS, M.kind);
	EXPECT_EQ(599, M.code);
	EXPECT_STREQ("Server Restart", M.reason);
	EXPECT_STREQ("module reloaded now", dtcp_msg_value(&M, "Alert-Info"));
}

TEST(parse_errors)
{
	static const char *const notdtcp[] = { "GET / HTTP/1.1\r\n\r\n", "ADD\r\n", "",
					       "ADD HTTP/1.0\r\n", "\x01\x02 DTCP/0.7\r\n" };
	static const struct { const char *msg; unsigned int line; const char *why; } bad[] = {
		{ "ADD DTCP/0.7\r\nno colon here\r\nSeq: 1\r\n", 2, "no ':'" },
		{ "ADD DTCP/0.7\r\n : x\r\n", 2, "bad parameter name" },
		{ "ADD DTCP/0.7\r\nSource Address: x\r\n", 2, "whitespace in parameter name" },
		{ "ADD DTCP/0.7\r\nX-A: \\300\r\n", 2, "escape out of range" },
		{ "ADD DTCP/0.7\r\nX-A: \\000\r\n", 2, "escape out of range" },
		{ "ADD DTCP/x.7\r\nSeq: 1\r\n", 1, "bad DTCP version" },
		{ "ADD DTCP/0.7 extra\r\n", 1, "extra text" },
		{ "ADD DTCP/0.7\r\nX-A: a\x01" "b\r\n", 2, "control character" },
		{ "DTCP/0.7 2x0 OK\r\n", 1, "bad status code" },
	};
	static char big[DTCP_MSG_MAX + 2];

	for (unsigned int i = 0; i < sizeof(notdtcp) / sizeof(notdtcp[0]); i++)
		EXPECT_EQ(-EBADMSG, dtcp_msg_parse(&M, notdtcp[i], strlen(notdtcp[i])));
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ASSERT_EQ(0, dtcp_msg_parse(&M, bad[i].msg, strlen(bad[i].msg)));
		EXPECT_EQ(bad[i].line, M.bad_lineno);
		EXPECT_NE(NULL, strstr(M.bad_why, bad[i].why)) TH_LOG("%s: '%s'", bad[i].msg, M.bad_why);
	}
	memset(big, 'x', sizeof(big));
	EXPECT_EQ(-EMSGSIZE, dtcp_msg_parse(&M, big, DTCP_MSG_MAX + 1));
	EXPECT_EQ(-EBADMSG, dtcp_msg_parse(&M, big, DTCP_MSG_MAX));
}

TEST(versions_numbers_times)
{
	char b[16], ts[32];
	uint64_t v, ms;

	EXPECT_EQ(DTCP_VER(0, 7), dtcp_ver_parse("DTCP/0.7"));
	EXPECT_EQ(DTCP_VER(1, 10), dtcp_ver_parse("dtcp/1.10"));
	EXPECT_EQ(-1, dtcp_ver_parse("DTCP/0."));
	EXPECT_EQ(-1, dtcp_ver_parse("DTCP/.7"));
	EXPECT_EQ(-1, dtcp_ver_parse("DTCP/0.7a"));
	EXPECT_STREQ("0.8", dtcp_ver_str(DTCP_VER(0, 8), b));
	EXPECT_TRUE(DTCP_VER(0, 10) > DTCP_VER(0, 9));
	EXPECT_EQ(0, dtcp_parse_u64("18446744073709551615", UINT64_MAX, &v));
	EXPECT_EQ(UINT64_MAX, v);
	EXPECT_EQ(-ERANGE, dtcp_parse_u64("18446744073709551616", UINT64_MAX, &v));
	EXPECT_EQ(-ERANGE, dtcp_parse_u64("86401", 86400, &v));
	EXPECT_EQ(-EINVAL, dtcp_parse_u64("-1", UINT64_MAX, &v));
	EXPECT_EQ(-EINVAL, dtcp_parse_u64("1 ", UINT64_MAX, &v));
	EXPECT_EQ(-EINVAL, dtcp_parse_u64("", UINT64_MAX, &v));
	setenv("TZ", "UTC", 1);
	dtcp_time_fmt(1104580861111ULL, ts);
	EXPECT_STREQ("2005-01-01 12:01:01.111", ts);
	EXPECT_EQ(0, dtcp_time_parse(ts, &ms));
	EXPECT_EQ(1104580861111ULL, ms);
	EXPECT_EQ(-EINVAL, dtcp_time_parse("2005-01-01 12:01:01", &ms));
}

TEST(printer)
{
	static struct dtcp_out o;
	char e[64];

	dtcp_out_init(&o, true);
	dtcp_out_status(&o, DTCP_VER(0, 7), 200, NULL);
	dtcp_out_param(&o, "Seq", "%d", 7);
	dtcp_out_param(&o, "Criteria-ID", "%d", 2);
	dtcp_out_param_str(&o, "Cdest-ID", "a b");
	dtcp_out_sign(&o, "Juniper", 7);
	ASSERT_FALSE(o.overflow);
	EXPECT_EQ(0, strncmp(o.buf, "DTCP/0.7 200 OK\r\nSEQ: 7\r\nCRITERIA-ID: 2\r\n"
			     "CDEST-ID: a\\032b\r\nAUTHENTICATION-INFO: ", 76));
	EXPECT_EQ(0, strcmp(o.buf + o.len - 4, "\r\n\r\n"));
	/* What we print, we parse and verify: the digest covers the upper-case bytes. */
	ASSERT_EQ(0, dtcp_msg_parse(&M, o.buf, o.len));
	EXPECT_TRUE(dtcp_hmac_verify("Juniper", 7, M.raw, M.signed_len, M.auth));
	EXPECT_STREQ("a b", dtcp_msg_value(&M, "cdest-id"));
	dtcp_out_init(&o, false);
	dtcp_out_request(&o, "LIST", DTCP_VER(0, 6));
	dtcp_out_param(&o, "Csource-ID", "x");
	EXPECT_STREQ("LIST DTCP/0.6\r\nCsource-ID: x\r\n", o.buf);
	EXPECT_STREQ("Criterion Timeout Delete", dtcp_reason(390));
	EXPECT_STREQ("DTCP Version not supported", dtcp_reason(505));
	/* Escaping: spaces, controls, a backslash that would read as an escape. */
	dtcp_escape(e, sizeof(e), "a\\123 b\\x\t");
	EXPECT_STREQ("a\\092123\\032b\\x\\009", e);
	EXPECT_EQ(2, dtcp_escape(e, 2, "abc") - 1);
}

/* ---- the sequence window ---- */

TEST(seq_window)
{
	struct dtcp_seq w;

	dtcp_seq_reset(&w);
	/* The first authentic Seq is the baseline, whatever it is. */
	EXPECT_EQ(DTCP_SEQ_OK, dtcp_seq_check(&w, 1000));
	EXPECT_FALSE(dtcp_seq_accept(&w, 1000));
	EXPECT_EQ(DTCP_SEQ_REPLAY, dtcp_seq_check(&w, 1000));
	/* Up by at most 256. */
	EXPECT_EQ(DTCP_SEQ_OK, dtcp_seq_check(&w, 1256));
	EXPECT_EQ(DTCP_SEQ_OUTSIDE, dtcp_seq_check(&w, 1257));
	EXPECT_EQ(DTCP_SEQ_OK, dtcp_seq_check(&w, 1001));
	/* Negative window: 256 below the highest, once each. */
	EXPECT_EQ(DTCP_SEQ_OK, dtcp_seq_check(&w, 744));
	EXPECT_EQ(DTCP_SEQ_OUTSIDE, dtcp_seq_check(&w, 743));
	dtcp_seq_accept(&w, 1200);
	EXPECT_EQ(1200, w.max);
	EXPECT_EQ(DTCP_SEQ_OK, dtcp_seq_check(&w, 1100));	/* skipped over: not seen */
	dtcp_seq_accept(&w, 1100);
	EXPECT_EQ(DTCP_SEQ_REPLAY, dtcp_seq_check(&w, 1100));
	EXPECT_EQ(DTCP_SEQ_REPLAY, dtcp_seq_check(&w, 1000));	/* seen before the move */
	EXPECT_EQ(DTCP_SEQ_REPLAY, dtcp_seq_check(&w, 1200));
	EXPECT_EQ(DTCP_SEQ_OK, dtcp_seq_check(&w, 944));
	EXPECT_EQ(DTCP_SEQ_OUTSIDE, dtcp_seq_check(&w, 943));
	EXPECT_EQ(DTCP_SEQ_OK, dtcp_seq_check(&w, 1456));
	EXPECT_EQ(DTCP_SEQ_OUTSIDE, dtcp_seq_check(&w, 1457));
	/* Slide by the full 256, then every slot of the new window is fresh but max. */
	dtcp_seq_accept(&w, 1456);
	for (uint64_t s = 1201; s < 1456; s++) {
		ASSERT_EQ(DTCP_SEQ_OK, dtcp_seq_check(&w, s));
	}
	EXPECT_EQ(DTCP_SEQ_REPLAY, dtcp_seq_check(&w, 1200));
	EXPECT_EQ(DTCP_SEQ_OUTSIDE, dtcp_seq_check(&w, 1199));
	/* Accept every value of the window: each is then a replay. */
	for (uint64_t s = 1201; s < 1456; s++)
		dtcp_seq_accept(&w, s);
	for (uint64_t s = 1200; s <= 1456; s++)
		ASSERT_EQ(DTCP_SEQ_REPLAY, dtcp_seq_check(&w, s));
	/* Far away in either direction, or a wrap from a small max: refused. */
	EXPECT_EQ(DTCP_SEQ_OUTSIDE, dtcp_seq_check(&w, 0));
	EXPECT_EQ(DTCP_SEQ_OUTSIDE, dtcp_seq_check(&w, UINT64_MAX));
	EXPECT_EQ(DTCP_SEQ_OUTSIDE, dtcp_seq_check(&w, 1ULL << 63));
}

/*
 * A long random run against a model that remembers every Seq accepted:
 * the window answers as the model does, and the slots above max stay
 * clear (a state file of a source that sent more than 256 requests
 * could not be loaded while they did not).
 */
TEST(seq_window_model)
{
	static bool acc[70000];
	struct dtcp_seq w;
	uint64_t base = 1000, x = 88172645463325252ULL;
	unsigned int bad = 0;

	dtcp_seq_reset(&w);
	dtcp_seq_accept(&w, base);
	acc[base] = true;
	for (unsigned int i = 0; i < 200000; i++) {
		uint64_t s;
		int64_t d;
		enum dtcp_seq_verdict want, got;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		/* Mostly just above max, sometimes anywhere in or near the window. */
		s = w.max + (x % 4 ? 1 + x % 3 : (x >> 8) % 600) - (x % 4 ? 0 : 300);
		if (s >= sizeof(acc) || s < 1)
			continue;
		d = (int64_t)(s - w.max);
		want = d > DTCP_SEQ_WINDOW || d < -DTCP_SEQ_WINDOW ? DTCP_SEQ_OUTSIDE :
		       acc[s] ? DTCP_SEQ_REPLAY : DTCP_SEQ_OK;
		got = dtcp_seq_check(&w, s);
		if (got != want && bad++ < 5)
			TH_LOG("step %u: Seq %" PRIu64 " (max %" PRIu64 "): %d, want %d", i, s,
			       w.max, got, want);
		if (got == DTCP_SEQ_OK) {
			dtcp_seq_accept(&w, s);
			acc[s] = true;
		}
		for (uint64_t k = 1; k < DTCP_SEQ_RING - DTCP_SEQ_WINDOW; k++) {
			if (dtcp_seq_seen(&w, w.max + k) && bad++ < 5)
				TH_LOG("step %u: slot of %" PRIu64 " above max %" PRIu64 " is set",
				       i, w.max + k, w.max);
		}
		if (w.max > sizeof(acc) - 700)
			break;
	}
	EXPECT_EQ(0, bad);
	EXPECT_LT(10000, w.max);	/* the run went far */
}

TEST(seq_rollover)
{
	struct dtcp_seq w;

	dtcp_seq_reset(&w);
	dtcp_seq_accept(&w, UINT64_MAX - 10);
	EXPECT_EQ(DTCP_SEQ_OK, dtcp_seq_check(&w, UINT64_MAX));
	EXPECT_EQ(DTCP_SEQ_OK, dtcp_seq_check(&w, 0));
	EXPECT_EQ(DTCP_SEQ_OK, dtcp_seq_check(&w, 245));
	EXPECT_EQ(DTCP_SEQ_OUTSIDE, dtcp_seq_check(&w, 246));
	EXPECT_FALSE(dtcp_seq_accept(&w, UINT64_MAX));
	/* Past zero: allowed (the top bit was set), reported as a rollover. */
	EXPECT_TRUE(dtcp_seq_accept(&w, 3));
	EXPECT_EQ(3, w.max);
	EXPECT_EQ(DTCP_SEQ_REPLAY, dtcp_seq_check(&w, UINT64_MAX));
	EXPECT_EQ(DTCP_SEQ_REPLAY, dtcp_seq_check(&w, UINT64_MAX - 10));
	EXPECT_EQ(DTCP_SEQ_OK, dtcp_seq_check(&w, UINT64_MAX - 5));
	EXPECT_EQ(DTCP_SEQ_OK, dtcp_seq_check(&w, 1));
	EXPECT_EQ(DTCP_SEQ_REPLAY, dtcp_seq_check(&w, 3));
	EXPECT_FALSE(dtcp_seq_accept(&w, 4));
}

TEST(state_file)
{
	char path[64] = "/tmp/unit_dtcp_stateXXXXXX";
	struct dtcp_state st = { 0 }, back;
	struct dtcp_state_src src[2];
	char why[256];
	FILE *f;
	int fd = mkstemp(path);

	ASSERT_GE(fd, 0);
	close(fd);
	memset(src, 0, sizeof(src));
	src[0].id = "cs 1";
	dtcp_seq_accept(&src[0].seq, 77);
	dtcp_seq_accept(&src[0].seq, 70);
	src[1].id = "cs2";
	st.next_id = 4242;
	snprintf(st.boot_id, sizeof(st.boot_id), "b00f");
	st.kexpired = 9;
	st.n_static = 3;
	st.n_dynamic = 5;
	st.n_src = 2;
	st.src = src;
	st.generation = 1;
	ASSERT_EQ(0, dtcp_state_save(path, &st, true));
	ASSERT_EQ(0, dtcp_state_load(path, &back, why, sizeof(why)));
	EXPECT_EQ(4242, back.next_id);
	EXPECT_STREQ("b00f", back.boot_id);
	EXPECT_EQ(9, back.kexpired);
	EXPECT_EQ(3, back.n_static);
	EXPECT_EQ(5, back.n_dynamic);
	ASSERT_EQ(2, back.n_src);
	EXPECT_STREQ("cs 1", back.src[0].id);
	EXPECT_EQ(0, memcmp(&src[0].seq, &back.src[0].seq, sizeof(src[0].seq)));
	EXPECT_EQ(DTCP_SEQ_REPLAY, dtcp_seq_check(&back.src[0].seq, 70));
	EXPECT_EQ(DTCP_SEQ_OK, dtcp_seq_check(&back.src[0].seq, 71));
	EXPECT_FALSE(back.src[1].seq.have);
	dtcp_state_free(&back);
	/* Malformed (the old line format is no longer read): the line is named. */
	f = fopen(path, "w");
	fprintf(f, "version 1\nnext-criteria-id 5\nsource x 1 nope 00\n");
	fclose(f);
	EXPECT_EQ(-EINVAL, dtcp_state_load(path, &back, why, sizeof(why)));
	EXPECT_NE(NULL, strstr(why, "line 1")) TH_LOG("%s", why);
	unlink(path);
	EXPECT_EQ(-ENOENT, dtcp_state_load(path, &back, why, sizeof(why)));
	/* No temporary file is left behind. */
	strcat(path, ".tmp");
	EXPECT_NE(0, access(path, F_OK));
}

TEST(idset_and_flags)
{
	struct dtcp_idset s;
	unsigned int fl;

	ASSERT_EQ(0, dtcp_idset_parse("10-20, 35,!15,100-*", &s));
	EXPECT_EQ(4, s.n);
	EXPECT_TRUE(dtcp_idset_has(&s, 10));
	EXPECT_TRUE(dtcp_idset_has(&s, 20));
	EXPECT_FALSE(dtcp_idset_has(&s, 15));
	EXPECT_TRUE(dtcp_idset_has(&s, 35));
	EXPECT_FALSE(dtcp_idset_has(&s, 36));
	EXPECT_TRUE(dtcp_idset_has(&s, UINT64_MAX));
	EXPECT_TRUE(s.it[1].single);
	EXPECT_FALSE(s.it[0].single);
	ASSERT_EQ(0, dtcp_idset_parse("!5", &s));
	EXPECT_TRUE(dtcp_idset_has(&s, 4));
	EXPECT_FALSE(dtcp_idset_has(&s, 5));
	ASSERT_EQ(0, dtcp_idset_parse("*-9", &s));
	EXPECT_TRUE(dtcp_idset_has(&s, 0));
	EXPECT_FALSE(dtcp_idset_has(&s, 10));
	EXPECT_EQ(-EINVAL, dtcp_idset_parse("", &s));
	EXPECT_EQ(-EINVAL, dtcp_idset_parse("5-4", &s));
	EXPECT_EQ(-EINVAL, dtcp_idset_parse("1,,2", &s));
	EXPECT_EQ(-EINVAL, dtcp_idset_parse("*-*", &s));
	EXPECT_EQ(-EINVAL, dtcp_idset_parse("a", &s));
	EXPECT_EQ(-EINVAL, dtcp_idset_parse("18446744073709551616", &s));
	ASSERT_EQ(0, dtcp_flags_parse("STATIC, sendasync", &fl));
	EXPECT_EQ(DTCP_FL_STATIC | DTCP_FL_SENDASYNC, fl);
	ASSERT_EQ(0, dtcp_flags_parse("Both", &fl));
	EXPECT_EQ(DTCP_FL_BOTH, fl);
	EXPECT_EQ(-EINVAL, dtcp_flags_parse("Static,Sticky", &fl));
	EXPECT_EQ(-EINVAL, dtcp_flags_parse("Static,", &fl));
	EXPECT_EQ(-EINVAL, dtcp_flags_parse("", &fl));
}

TEST_HARNESS_MAIN
