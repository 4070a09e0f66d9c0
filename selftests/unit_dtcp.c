// SPDX-License-Identifier: GPL-2.0
/*
 * Host-tier unit tests of the DTCP agent's protocol core (agent/): the
 * message parser and printer, HMAC-SHA1 against the draft's examples, the
 * sequence window (edges, replays, negative window, rollover), the state
 * file, Criteria-ID and Flags values, the configuration file and its
 * errors, and the request handling of dtcpd against an in-memory kernel:
 * every method, every status code, silent drops, isolation between
 * control sources, LIST splitting, notifications, restart rebuild.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>

#include "kselftest_harness.h"
#include "auth.h"
#include "config.h"
#include "crit.h"
#include "kfake.h"
#include "msg.h"
#include "server.h"
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

/* ---- configuration ---- */

TEST(config_good)
{
	char err[512] = "";
	char *path = write_conf(good_conf);
	struct dtcp_config *c = dtcp_config_load(path, err, sizeof(err));
	struct dtcp_csource *cs1, *cs2;
	struct sockaddr_in sin = { .sin_family = AF_INET };

	ASSERT_NE(NULL, c) TH_LOG("%s", err);
	EXPECT_STREQ("/tmp/unit_dtcp.state", c->state_file);
	ASSERT_EQ(1, c->n_groups);
	EXPECT_EQ(5, c->groups[0].max_dups);
	EXPECT_EQ(30, c->groups[0].dup_period);
	EXPECT_EQ(3, c->groups[0].n_dests);
	EXPECT_EQ(64, c->groups[0].dests[1].ttl);
	EXPECT_EQ(255, c->groups[0].dests[0].ttl);
	EXPECT_EQ(1000000, c->groups[0].dests[1].soft_limit);
	EXPECT_STREQ("udp", c->groups[0].dests[2].encap);
	cs1 = dtcp_config_source(c, "cs1");
	cs2 = dtcp_config_source(c, "cs2");
	ASSERT_NE(NULL, cs1);
	ASSERT_NE(NULL, cs2);
	EXPECT_EQ(NULL, dtcp_config_source(c, "CS1"));
	EXPECT_EQ(2400, cs1->port);
	EXPECT_EQ(6, cs1->key_len);
	EXPECT_EQ(3, cs1->min_prio);
	EXPECT_EQ(1, cs1->n_targets);
	EXPECT_STREQ("192.0.2.1 port 2100", cs1->targets[0].text);
	EXPECT_TRUE(cs2->mixed_case);
	EXPECT_TRUE(cs2->request_dests);
	EXPECT_EQ(DTCP_VER(0, 6), cs2->notify_ver);
	EXPECT_NE(cs1->owner, cs2->owner);
	EXPECT_TRUE(dtcp_csource_allows(cs1, dtcp_config_cdest(&c->groups[0], "cd2")));
	EXPECT_FALSE(dtcp_csource_allows(cs1, dtcp_config_cdest(&c->groups[0], "cd3")));
	EXPECT_TRUE(dtcp_csource_allows(cs2, dtcp_config_cdest(&c->groups[0], "cd3")));
	inet_pton(AF_INET, "192.0.2.77", &sin.sin_addr);
	EXPECT_TRUE(dtcp_csource_sender_ok(cs1, (struct sockaddr *)&sin));
	inet_pton(AF_INET, "198.51.100.1", &sin.sin_addr);
	EXPECT_FALSE(dtcp_csource_sender_ok(cs1, (struct sockaddr *)&sin));
	EXPECT_TRUE(dtcp_csource_sender_ok(cs2, (struct sockaddr *)&sin));
	EXPECT_STREQ("lo", dtcp_config_ifname(c, "ge-1/3/5.0"));
	EXPECT_STREQ("eth9", dtcp_config_ifname(c, "eth9"));
	/* The destination kernel ids are stable and below the request-defined range. */
	EXPECT_EQ(0, c->groups[0].dests[0].kid & 0x80000000);
	dtcp_config_free(c);
	unlink(path);
}

TEST(config_errors)
{
	static const struct { const char *text; const char *want; } bad[] = {
		{ "capture-group = ( { name = \"g\"; } ) ;\nfoo = 1;\n", ":2: unknown setting 'foo'" },
		{ "capture-group = ( {\n name = \"g\";\n control-source = ( {\n id = \"a\";\n"
		  " shared-key = \"k\"; } ); } );\n", ":3: control source 'a': 'service-port'" },
		{ "capture-group = ( { name = \"g\";\n control-source = ( { id = \"a\";"
		  " service-port = 70000; shared-key = \"k\"; } ); } );\n", ":2: 'service-port' must be in 1..65535" },
		{ "capture-group = ( { name = \"g\";\n content-destination = ( {\n id = \"d\";\n"
		  " address = \"10.0.0.300\"; } ); } );\n", ":4: content destination 'd': bad address" },
		{ "capture-group = ( { name = \"g\";\n control-source = ( { id = \"a\"; service-port = 1;"
		  " shared-key = \"k\";\n allowed-destinations = [ \"nope\" ]; } ); } );\n",
		  ":3: control source 'a': allowed destination 'nope'" },
		{ "capture-group = ( { name = \"g\";\n control-source = (\n { id = \"a\"; service-port = 1;"
		  " shared-key = \"k\"; },\n { id = \"a\"; service-port = 2; shared-key = \"k\"; } ); } );\n",
		  ":4: control source 'a' defined twice (line 3)" },
		{ "capture-group = ( { name = \"g\";\n control-source = ( { id = \"a\"; service-port = 1;\n"
		  " shared-key = \"k\"; key-file = \"/x\"; } ); } );\n", ":2: control source 'a': shared-key and key-file" },
		{ "capture-group = ( { name = \"g\";\n control-source = ( { id = \"a\"; service-port = 1;\n"
		  " key-file = \"/nonexistent/key\"; } ); } );\n", ":3: control source 'a': key file /nonexistent/key" },
		{ "capture-group = ( { name = \"g\";\n control-source = ( { id = \"a\"; service-port = 1;"
		  " shared-key = \"k\";\n notification-targets = ( { address = \"1.2.3.4\"; } ); } ); } );\n",
		  ":3: notification target: 'port'" },
		{ "capture-group = ( { name = \"g\";\n control-source = ( { id = \"a\"; service-port = 1;"
		  " shared-key = \"k\";\n minimum-priority = 255; } ); } );\n", ":3: 'minimum-priority' must be in 0..254" },
		{ "capture-group = ( { name = \"g\"; } );\nstate-sync = 1;\n", ":2: 'state-sync' must be true or false" },
		{ "capture-group = ( { name = \"g\"\n", ":2: syntax error" },
		{ "listen-addresses = [ \"nowhere\" ];\ncapture-group = ( { name = \"g\"; } );\n", ":1: bad listen address" },
		{ "state-file = \"/x\";\n", ": no capture-group" },
		{ "capture-group = ( { name = \"g\";\n control-source = ( { id = \"a,b\"; service-port = 1;"
		  " shared-key = \"k\"; } ); } );\n", ":2: control source id 'a,b'" },
	};

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char err[512] = "", want[600];
		char *path = write_conf(bad[i].text);
		struct dtcp_config *c = dtcp_config_load(path, err, sizeof(err));

		snprintf(want, sizeof(want), "%s%s", path, bad[i].want);
		EXPECT_EQ(NULL, c);
		EXPECT_EQ(0, strncmp(err, want, strlen(want))) TH_LOG("case %u: got '%s', want '%s'",
								    i, err, want);
		dtcp_config_free(c);
		unlink(path);
	}
}

TEST(config_key_file)
{
	char kpath[] = "/tmp/unit_dtcp_keyXXXXXX", conf[512], err[512];
	int fd = mkstemp(kpath);
	struct dtcp_config *c;
	char *path;

	ASSERT_GE(fd, 0);
	ASSERT_EQ(9, write(fd, "Juniper\r\n", 9));
	close(fd);
	snprintf(conf, sizeof(conf), "capture-group = ( { name = \"g\"; control-source = ( {"
		 " id = \"a\"; service-port = 1; key-file = \"%s\"; } ); } );\n", kpath);
	path = write_conf(conf);
	c = dtcp_config_load(path, err, sizeof(err));
	ASSERT_NE(NULL, c) TH_LOG("%s", err);
	EXPECT_EQ(7, c->groups[0].srcs[0].key_len);
	EXPECT_EQ(0, memcmp("Juniper", c->groups[0].srcs[0].key, 7));
	dtcp_config_free(c);
	unlink(path);
	unlink(kpath);
}

/* ---- the server against an in-memory kernel ---- */

TEST_F(srv, add_ok)
{
	struct kfake_crit *k;
	struct dtcp_blob b;

	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", ADD1));
	ASSERT_EQ(200, reply(self, 0, 0));
	EXPECT_STREQ("OK", M.reason);
	EXPECT_EQ(101, num("Seq"));
	EXPECT_EQ(1, num("Criteria-ID"));
	EXPECT_STREQ("2005-01-01 12:01:01.111", dtcp_msg_value(&M, "Timestamp"));
	/* Junos style: upper-case names, Seq first, Authentication-Info last. */
	EXPECT_EQ(0, strncmp(self->r.d[0].buf, "DTCP/0.7 200 OK\r\nSEQ: 101\r\nCRITERIA-ID: 1\r\n"
			     "TIMESTAMP: ", 53));
	/* In the kernel: owner, id, priority with minimum-priority 3, destination, blob. */
	k = kfake_find(&self->k, self->s.cfg->groups[0].srcs[0].owner, DTCP_KID(1, 0));
	ASSERT_NE(NULL, k);
	EXPECT_EQ(4, k->c.prio);
	EXPECT_EQ(600, k->c.timeout_idle);
	EXPECT_EQ(0, k->c.flags);
	EXPECT_EQ(self->s.cfg->groups[0].dests[0].kid, k->c.cdest);
	EXPECT_EQ(1, k->c.n_entries);
	ASSERT_EQ(0, dtcp_blob_parse(k->blob, k->c.blob_len, &b));
	EXPECT_STREQ("cs1", b.csource);
	EXPECT_EQ(1, b.id);
	EXPECT_STREQ("192.0.2.1", b.csource_addr);
	EXPECT_STREQ("cd1", b.cdests);
	free(b.cdests);
	/* Ids increase server-wide. */
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", ADD1));
	ASSERT_EQ(200, reply(self, 0, 0));
	EXPECT_EQ(2, num("Criteria-ID"));
	ASSERT_EQ(1, req(self, 1, "ADD DTCP/0.7", "Cdest-ID: cd3|Timeout-Total: 60"));
	ASSERT_EQ(200, reply(self, 1, 0));
	EXPECT_EQ(3, num("Criteria-ID"));
	/* cs2 asked for mixed case. */
	EXPECT_EQ(0, strncmp(self->r.d[0].buf, "DTCP/0.7 200 OK\r\nSeq: 5001\r\nCriteria-ID: 3\r\n", 42));
	EXPECT_EQ(2, self->s.srcs[0]->st.added);
}

TEST_F(srv, add_forms)
{
	struct kfake_crit *k;
	uint32_t owner = self->s.cfg->groups[0].srcs[0].owner;

	/* The draft's own example, minus its destination name. */
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.6", "Source-Address: 192.168.10.4|"
			 "Dest-Address: 10.1.1.1-10.1.1.10|Protocol: 6,17|Dest-Port: 53|"
			 "Timeout-Idle: 600|Action: Copy|Priority: 2|Flags: SendAsync|Cdest-ID: cd1"));
	ASSERT_EQ(200, reply(self, 0, 0));
	EXPECT_EQ(0, strncmp(self->r.d[0].buf, "DTCP/0.6 200 OK", 15));
	k = kfake_find(&self->k, owner, DTCP_KID(num("Criteria-ID"), 0));
	ASSERT_NE(NULL, k);
	EXPECT_EQ(DFC_CRIT_F_SEND_ASYNC, k->c.flags);
	EXPECT_EQ(5, k->c.prio);
	EXPECT_GT(k->c.n_entries, 1);
	/* IPv6, negation, ICMP, wildcards, STATIC without timeouts, names in any case. */
	ASSERT_EQ(1, req(self, 0, "add DTCP/0.8", "CDEST-ID: cd2|source-address: 2001:db8::/48|"
			 "Dest-Address: !2001:db8::5|PROTOCOL: 58|ICMP-Type: 128-129|ICMP-Code: *|"
			 "Source-Port: *|flags: STATIC|X-Unknown-Thing: whatever"));
	ASSERT_EQ(200, reply(self, 0, 0));
	EXPECT_EQ(0, strncmp(self->r.d[0].buf, "DTCP/0.8 200 OK", 15));
	k = kfake_find(&self->k, owner, DTCP_KID(num("Criteria-ID"), 0));
	ASSERT_NE(NULL, k);
	EXPECT_EQ(DFC_CRIT_F_STATIC, k->c.flags);
	EXPECT_EQ(1, k->c.n_excl);
	/* Input interfaces: a Junos name through interface-map, unit 0 implied, and a Linux name. */
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Bytes: 1000000|"
			 "X-JTap-Input-Interface: ge-1/3/5, eth1|X-JTap-IP-Version: ipv4"));
	ASSERT_EQ(200, reply(self, 0, 0));
	k = kfake_find(&self->k, owner, DTCP_KID(num("Criteria-ID"), 0));
	ASSERT_NE(NULL, k);
	EXPECT_EQ(2, k->c.n_entries);
	EXPECT_EQ(1000000, k->c.limit_bytes);
	/* Two destinations: two kernel criteria, one DTCP criterion. */
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", "Cdest-ID: cd1,cd2|Timeout-Packets: 10"));
	ASSERT_EQ(200, reply(self, 0, 0));
	EXPECT_NE(NULL, kfake_find(&self->k, owner, DTCP_KID(num("Criteria-ID"), 0)));
	EXPECT_NE(NULL, kfake_find(&self->k, owner, DTCP_KID(num("Criteria-ID"), 1)));
	EXPECT_EQ(4, self->s.srcs[0]->n_live);
}

TEST_F(srv, add_flowtap_destinations)
{
	uint32_t owner = self->s.cfg->groups[0].srcs[1].owner;
	struct kfake_crit *k;

	ASSERT_EQ(1, req(self, 1, "ADD DTCP/0.7", "Cdest-ID: md1,md2|Flags: Static|"
			 "X-JTap-Cdest-Dest-Address: 192.0.2.40,192.0.2.41|"
			 "X-JTap-Cdest-Dest-Port: 50000,50001|X-JTap-Cdest-Source-Address: 192.0.2.2|"
			 "X-JTap-Cdest-Source-Port: 49153|X-JTap-Cdest-TTL: 64|Source-Address: 10.0.0.1"));
	ASSERT_EQ(200, reply(self, 1, 0));
	k = kfake_find(&self->k, owner, DTCP_KID(num("Criteria-ID"), 1));
	ASSERT_NE(NULL, k);
	EXPECT_NE(0, k->c.cdest & 0x80000000);
	EXPECT_EQ(2, self->s.n_rdests);
	/* Counts must agree (432); required parts missing (901); not allowed for cs1 (430). */
	ASSERT_EQ(1, req(self, 1, "ADD DTCP/0.7", "Cdest-ID: md1,md2|Flags: Static|"
			 "X-JTap-Cdest-Dest-Address: 192.0.2.40|X-JTap-Cdest-Dest-Port: 50000|"
			 "X-JTap-Cdest-Source-Address: 192.0.2.2|X-JTap-Cdest-Source-Port: 1"));
	EXPECT_EQ(432, reply(self, 1, 0));
	ASSERT_EQ(1, req(self, 1, "ADD DTCP/0.7", "Cdest-ID: md1|Flags: Static|"
			 "X-JTap-Cdest-Dest-Address: 192.0.2.40|X-JTap-Cdest-Dest-Port: 50000"));
	EXPECT_EQ(901, reply(self, 1, 0));
	ASSERT_EQ(1, req(self, 1, "ADD DTCP/0.7", "Cdest-ID: md1|Flags: Static|"
			 "X-JTap-Cdest-Dest-Port: 50000"));
	EXPECT_EQ(901, reply(self, 1, 0));
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", "Cdest-ID: md1|Flags: Static|"
			 "X-JTap-Cdest-Dest-Address: 192.0.2.40|X-JTap-Cdest-Dest-Port: 50000|"
			 "X-JTap-Cdest-Source-Address: 192.0.2.2|X-JTap-Cdest-Source-Port: 1"));
	EXPECT_EQ(430, reply(self, 0, 0));
	EXPECT_STREQ("md1", dtcp_msg_value(&M, "Cdest-ID"));
	/* Three destinations: 400. */
	ASSERT_EQ(1, req(self, 1, "ADD DTCP/0.7", "Cdest-ID: a,b,c|Flags: Static"));
	EXPECT_EQ(400, reply(self, 1, 0));
	/* Deleting by a request-defined label. */
	ASSERT_EQ(1, req(self, 1, "DELETE DTCP/0.7", "Cdest-ID: md2|Flags: Static"));
	ASSERT_EQ(200, reply(self, 1, 0));
	EXPECT_EQ(1, num("Criteria-Count"));
	EXPECT_EQ(0, kfake_count(&self->k, owner));
	EXPECT_EQ(0, self->s.n_rdests);
}

/* Each request, its expected code, and what the answer must echo. */
static const struct {
	unsigned int src;
	const char *start, *lines;
	unsigned int code;
	const char *echo_name, *echo_value;
} errors[] = {
	{ 0, "ADD DTCP/0.7", "Timeout-Idle: 60", 400, NULL, NULL },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: nope|Timeout-Idle: 60", 430, "Cdest-ID", "nope" },
	/* Configured, but not in cs1's allowed-destinations: just as unknown. */
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd3|Timeout-Idle: 60", 430, "Cdest-ID", "cd3" },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd1", 433, NULL, NULL },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 0|Timeout-Total: 0", 433, NULL, NULL },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 86401", 433, "Timeout-Idle", "86401" },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Total: x", 433, "Timeout-Total", "x" },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 9|Protocol: 256", 432, "Protocol", "256" },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 9|Source-Address: 10.0.0.1|"
	  "Dest-Address: 2001:db8::1", 432, "Dest-Address", "2001:db8::1" },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 9|Dest-Port: 90-80", 432, "Dest-Port", "90-80" },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 9|X-JTap-IP-Version: ipv6|"
	  "Source-Address: 10.0.0.1", 432, "Source-Address", "10.0.0.1" },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 9|X-JTap-Input-Interface: ge-0/0/0",
	  901, NULL, NULL },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 9|X-JTap-Input-Interface: lo|"
	  "X-JTap-VRF-Name: red", 432, NULL, NULL },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 9|X-JTap-VRF-Name: red", 901, NULL, NULL },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 9|X-JTap-Output-Interface: lo", 501,
	  NULL, NULL },
	{ 0, "ADD DTCP/0.8", "Cdest-ID: cd1|Flags: Static|X-JTap-Filter-Family: ccc", 501, NULL, NULL },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 9|Action: Redirect", 501, "Action", "Redirect" },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 9|Action: Block", 501, "Action", "Block" },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 9|Priority: 0", 400, "Priority", "0" },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 9|Priority: 256", 400, "Priority", "256" },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 9|Flags: Sticky", 400, "Flags", "Sticky" },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 9|Criteria-ID: 5", 400, "Criteria-ID", "5" },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 9|Colour: blue", 501, "Colour", "blue" },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 9|Matching-Bytes: 5", 400, "Matching-Bytes", "5" },
	{ 0, "ADD DTCP/0.6", "Cdest-ID: cd1,cd2|Timeout-Idle: 9", 400, "Cdest-ID", "cd1,cd2" },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd1,cd1|Timeout-Idle: 9", 400, "Cdest-ID", "cd1,cd1" },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 9|Source-Address: 10.0.0.\\0491", 432, NULL, NULL },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd1|bad line", 400, "X-Error-Line", "bad\\032line" },
	{ 0, "ENABLE DTCP/0.7", "", 501, NULL, NULL },
	{ 0, "ADD DTCP/0.9", "Cdest-ID: cd1|Timeout-Idle: 9", 505, NULL, NULL },
	{ 0, "ADD DTCP/1.0", "Cdest-ID: cd1|Timeout-Idle: 9", 505, NULL, NULL },
	{ 0, "ADD DTCP/0.5", "Cdest-ID: cd1|Timeout-Idle: 9", 505, NULL, NULL },
	{ 0, "ADD DTCP/0.x", "Cdest-ID: cd1|Timeout-Idle: 9", 400, NULL, NULL },
	{ 0, "DELETE DTCP/0.7", "", 400, NULL, NULL },
	{ 0, "DELETE DTCP/0.7", "Criteria-ID: 1|Cdest-ID: cd1", 400, NULL, NULL },
	{ 0, "DELETE DTCP/0.7", "Criteria-ID: 424242", 431, "Criteria-ID", "424242" },
	{ 0, "DELETE DTCP/0.7", "Criteria-ID: 1-x", 400, "Criteria-ID", "1-x" },
	{ 0, "DELETE DTCP/0.7", "Cdest-ID: cd3", 430, "Cdest-ID", "cd3" },
	{ 0, "DELETE DTCP/0.7", "Cdest-ID: cd1,cd2", 400, "Cdest-ID", "cd1,cd2" },
	{ 0, "DELETE DTCP/0.7", "Cdest-ID: cd1|Protocol: 6", 400, "Protocol", "6" },
	{ 0, "REFRESH DTCP/0.7", "Criteria-ID: 1", 433, NULL, NULL },
	{ 0, "REFRESH DTCP/0.7", "Criteria-ID: 1|Timeout-Idle: 0", 433, NULL, NULL },
	{ 0, "REFRESH DTCP/0.7", "Criteria-ID: 77|Timeout-Idle: 5", 431, "Criteria-ID", "77" },
	{ 0, "REFRESH DTCP/0.7", "Cdest-ID: zz|Timeout-Idle: 5", 430, "Cdest-ID", "zz" },
	{ 0, "REFRESH DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 5|Flags: Static", 400, "Flags", "Static" },
	{ 0, "LIST DTCP/0.7", "Criteria-ID: 1|Cdest-ID: cd1", 400, NULL, NULL },
	{ 0, "LIST DTCP/0.7", "Criteria-ID: 99", 431, "Criteria-ID", "99" },
	{ 0, "LIST DTCP/0.7", "Cdest-ID: cdX", 430, "Cdest-ID", "cdX" },
	{ 0, "LIST DTCP/0.7", "Flags: Everything", 400, "Flags", "Everything" },
	{ 0, "NOOP DTCP/0.7", "Flags: Nope", 400, "Flags", "Nope" },
	{ 0, "NOOP DTCP/0.7", "Cdest-ID: cd1", 400, "Cdest-ID", "cd1" },
	{ 2, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 9", 200, NULL, NULL },
	{ 2, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 9", 200, NULL, NULL },
	{ 2, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 9", 550, NULL, NULL },
	{ 2, "ADD DTCP/0.6", "Cdest-ID: cd1|Timeout-Idle: 9", 500, NULL, NULL },
};

TEST_F(srv, error_codes)
{
	/* Criterion 1 exists for the selectors that need one. */
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", ADD1));
	ASSERT_EQ(200, reply(self, 0, 0));
	for (unsigned int i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		unsigned int s = errors[i].src;
		char ver[16];

		ASSERT_EQ(1, req(self, s, errors[i].start, errors[i].lines))
			TH_LOG("case %u: no answer", i);
		EXPECT_EQ(errors[i].code, reply(self, s, 0))
			TH_LOG("case %u (%s %s): got %u: %.*s", i, errors[i].start, errors[i].lines,
			       M.code, (int)self->r.d[0].len, self->r.d[0].buf);
		EXPECT_STREQ(dtcp_reason(errors[i].code), M.reason);
		/* The request's Seq comes back exactly. */
		EXPECT_EQ(self->seq[s], num("Seq"));
		if (errors[i].echo_name) {
			const struct dtcp_param *p = dtcp_msg_get(&M, errors[i].echo_name);

			EXPECT_NE(NULL, p) TH_LOG("case %u: no %s", i, errors[i].echo_name);
			if (p) {
				EXPECT_STREQ(errors[i].echo_value, p->raw);
			}
		}
		/* Version of the answer: the request's, else our highest or lowest. */
		snprintf(ver, sizeof(ver), "%s", strchr(errors[i].start, '/') + 1);
		if (!strcmp(ver, "0.9") || !strcmp(ver, "1.0")) {
			EXPECT_EQ(DTCP_VER(0, 8), M.version);
		} else if (!strcmp(ver, "0.5")) {
			EXPECT_EQ(DTCP_VER(0, 6), M.version);
		} else if (!strcmp(ver, "0.x")) {
			EXPECT_EQ(DTCP_VER(0, 7), M.version);
		} else {
			EXPECT_EQ(dtcp_ver_parse(strstr(errors[i].start, "DTCP/")), M.version);
		}
	}
	/* Nothing but the two good cs3 ADDs reached the kernel. */
	EXPECT_EQ(1, kfake_count(&self->k, self->s.cfg->groups[0].srcs[0].owner));
	EXPECT_EQ(2, kfake_count(&self->k, self->s.cfg->groups[0].srcs[2].owner));
	EXPECT_GT(self->s.srcs[0]->st.req_failed[DTCP_M_ADD], 20);
}

TEST_F(srv, kernel_failures)
{
	self->k.fail_add = -ENOSPC;
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", ADD1));
	EXPECT_EQ(550, reply(self, 0, 0));
	self->k.fail_add = -EINVAL;
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", ADD1));
	EXPECT_EQ(432, reply(self, 0, 0));
	EXPECT_NE(NULL, strstr(dtcp_msg_value(&M, "X-Error-Info"), "injected"));
	self->k.fail_add = -EIO;
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", ADD1));
	EXPECT_EQ(500, reply(self, 0, 0));
	EXPECT_EQ(0, self->s.srcs[0]->n_live);
	/* The kernel's criteria limit. */
	self->k.max = 1;
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", "Cdest-ID: cd1,cd2|Timeout-Idle: 5"));
	EXPECT_EQ(550, reply(self, 0, 0));
}

TEST_F(srv, silent_drops)
{
	struct dtcp_src *s1 = self->s.srcs[0];
	static const char junk[] = "GET / HTTP/1.0\r\n\r\n";
	static const char resp[] = "DTCP/0.7 200 OK\r\nSeq: 1\r\n\r\n";

	/* Bad HMAC (wrong key), wrong port, sender not allowed, unknown source. */
	EXPECT_EQ(0, req_full(self, 0, "NOOP DTCP/0.7", "", "wrong", 2400));
	EXPECT_EQ(1, s1->st.drop_auth);
	EXPECT_EQ(0, req_full(self, 0, "NOOP DTCP/0.7", "", "secret", 2401));
	EXPECT_EQ(1, s1->st.drop_port);
	inet_pton(AF_INET, "198.51.100.9", &self->from.sin_addr);
	EXPECT_EQ(0, req(self, 0, "NOOP DTCP/0.7", ""));
	EXPECT_EQ(1, s1->st.drop_addr);
	inet_pton(AF_INET, "192.0.2.1", &self->from.sin_addr);
	EXPECT_EQ(0, req_full(self, 0, "NOOP DTCP/0.7", "Csource-ID: nobody", "secret", 2400));
	EXPECT_EQ(1, self->s.st.unknown_csource); /* the first Csource-ID counts */
	EXPECT_EQ(1, s1->st.drop_auth);
	{
		static const char u[] = "NOOP DTCP/0.7\r\nCsource-ID: nobody\r\nSeq: 1\r\n"
					"Authentication-Info: 0000000000000000000000000000000000000000\r\n\r\n";

		dtcp_server_handle(&self->s, (struct sockaddr *)&self->from, 2400, u, strlen(u), &self->r);
		EXPECT_EQ(0, self->r.n);
		EXPECT_EQ(2, self->s.st.unknown_csource);
	}
	/* Not DTCP, and responses: dropped. */
	dtcp_server_handle(&self->s, (struct sockaddr *)&self->from, 2400, junk, strlen(junk), &self->r);
	dtcp_server_handle(&self->s, (struct sockaddr *)&self->from, 2400, resp, strlen(resp), &self->r);
	EXPECT_EQ(0, self->r.n);
	EXPECT_EQ(1, self->s.st.not_dtcp);
	EXPECT_EQ(1, self->s.st.not_request);
	/* None of these moved the window: the next Seq is still accepted. */
	EXPECT_FALSE(s1->seq.have);
	ASSERT_EQ(1, req(self, 0, "NOOP DTCP/0.7", ""));
	EXPECT_EQ(200, reply(self, 0, 0));
	/* A replay: the same bytes again. */
	{
		char copy[512];
		size_t len;
		static struct dtcp_out o;

		dtcp_out_init(&o, false);
		dtcp_out_request(&o, "NOOP", DTCP_VER(0, 7));
		dtcp_out_param(&o, "Csource-ID", "cs1");
		dtcp_out_param(&o, "Seq", "%" PRIu64, ++self->seq[0]);
		dtcp_out_sign(&o, "secret", 6);
		len = o.len;
		memcpy(copy, o.buf, len);
		dtcp_replies_clear(&self->r);
		dtcp_server_handle(&self->s, (struct sockaddr *)&self->from, 2400, copy, len, &self->r);
		EXPECT_EQ(1, self->r.n);
		dtcp_replies_clear(&self->r);
		dtcp_server_handle(&self->s, (struct sockaddr *)&self->from, 2400, copy, len, &self->r);
		EXPECT_EQ(0, self->r.n);
		EXPECT_EQ(1, s1->st.drop_seq);
	}
	/* Far ahead of the window, and with no Seq: dropped too. */
	self->seq[0] += 300;
	EXPECT_EQ(0, req(self, 0, "NOOP DTCP/0.7", ""));
	EXPECT_EQ(2, s1->st.drop_seq);
	self->seq[0] -= 300;
	/* A lower Seq inside the negative window, never seen: answered. */
	self->seq[0] -= 50;
	EXPECT_EQ(1, req(self, 0, "NOOP DTCP/0.7", ""));
	self->seq[0] += 50;
	/* An unsigned message (no Authentication-Info). */
	{
		static const char u[] = "NOOP DTCP/0.7\r\nCsource-ID: cs1\r\nSeq: 999\r\n\r\n";

		dtcp_replies_clear(&self->r);
		dtcp_server_handle(&self->s, (struct sockaddr *)&self->from, 2400, u, strlen(u), &self->r);
		EXPECT_EQ(0, self->r.n);
		EXPECT_EQ(2, s1->st.drop_auth);
	}
}

TEST_F(srv, delete)
{
	uint32_t owner = self->s.cfg->groups[0].srcs[0].owner;

	for (int i = 0; i < 6; i++) {
		ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", i < 2 ? "Cdest-ID: cd1|Flags: Static" :
				 i < 4 ? "Cdest-ID: cd1|Timeout-Idle: 60" :
				 "Cdest-ID: cd2|Timeout-Idle: 60"));
		ASSERT_EQ(200, reply(self, 0, 0));
	}
	/* ids 1,2 static cd1; 3,4 cd1; 5,6 cd2. One unknown id in a list: nothing deleted. */
	ASSERT_EQ(1, req(self, 0, "DELETE DTCP/0.7", "Criteria-ID: 3,4,77"));
	EXPECT_EQ(431, reply(self, 0, 0));
	EXPECT_EQ(77, num("Criteria-ID"));
	EXPECT_EQ(6, kfake_count(&self->k, owner));
	/* A static one without the flag: skipped, success, count 0. */
	ASSERT_EQ(1, req(self, 0, "DELETE DTCP/0.7", "Criteria-ID: 1"));
	ASSERT_EQ(200, reply(self, 0, 0));
	EXPECT_EQ(0, num("Criteria-Count"));
	/* A range deletes what exists in it, statics excepted. */
	ASSERT_EQ(1, req(self, 0, "DELETE DTCP/0.7", "Criteria-ID: 1-4,1000-2000"));
	ASSERT_EQ(200, reply(self, 0, 0));
	EXPECT_EQ(2, num("Criteria-Count"));
	EXPECT_EQ(4, kfake_count(&self->k, owner));
	/* By destination, with the static flag. */
	ASSERT_EQ(1, req(self, 0, "DELETE DTCP/0.7", "Cdest-ID: cd1|Flags: static"));
	ASSERT_EQ(200, reply(self, 0, 0));
	EXPECT_EQ(2, num("Criteria-Count"));
	/* A known destination with nothing on it: 0, not an error. */
	ASSERT_EQ(1, req(self, 0, "DELETE DTCP/0.7", "Cdest-ID: cd1"));
	ASSERT_EQ(200, reply(self, 0, 0));
	EXPECT_EQ(0, num("Criteria-Count"));
	/* Negation: all but 6. */
	ASSERT_EQ(1, req(self, 0, "DELETE DTCP/0.7", "Criteria-ID: !6"));
	ASSERT_EQ(200, reply(self, 0, 0));
	EXPECT_EQ(1, num("Criteria-Count"));
	ASSERT_EQ(1, req(self, 0, "DELETE DTCP/0.7", "Criteria-ID: 6"));
	ASSERT_EQ(200, reply(self, 0, 0));
	EXPECT_EQ(1, num("Criteria-Count"));
	EXPECT_EQ(0, kfake_count(&self->k, owner));
	/* Deleted ids are unknown now. */
	ASSERT_EQ(1, req(self, 0, "DELETE DTCP/0.7", "Criteria-ID: 6"));
	EXPECT_EQ(431, reply(self, 0, 0));
	/* "*" on an empty table: 0. */
	ASSERT_EQ(1, req(self, 0, "DELETE DTCP/0.7", "Criteria-ID: *|Flags: Static"));
	ASSERT_EQ(200, reply(self, 0, 0));
	EXPECT_EQ(0, num("Criteria-Count"));
}

TEST_F(srv, refresh)
{
	uint32_t owner = self->s.cfg->groups[0].srcs[0].owner;
	struct kfake_crit *k;

	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 60"));
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Flags: Static"));
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", "Cdest-ID: cd2|Timeout-Total: 60"));
	/* Replace, not add; a kind it did not have may be added. */
	ASSERT_EQ(1, req(self, 0, "REFRESH DTCP/0.7", "Criteria-ID: 1|Timeout-Idle: 30|"
			 "Timeout-Packets: 500"));
	ASSERT_EQ(200, reply(self, 0, 0));
	EXPECT_EQ(1, num("Criteria-Count"));
	k = kfake_find(&self->k, owner, DTCP_KID(1, 0));
	ASSERT_NE(NULL, k);
	EXPECT_EQ(30, k->c.timeout_idle);
	EXPECT_EQ(500, k->c.limit_packets);
	EXPECT_EQ(1, k->c.n_refresh);
	/* A Static criterion has nothing to refresh: not counted. */
	ASSERT_EQ(1, req(self, 0, "REFRESH DTCP/0.7", "Cdest-ID: cd1|Timeout-Total: 30"));
	ASSERT_EQ(200, reply(self, 0, 0));
	EXPECT_EQ(1, num("Criteria-Count"));
	ASSERT_EQ(1, req(self, 0, "REFRESH DTCP/0.7", "Criteria-ID: *|Timeout-Total: 99"));
	ASSERT_EQ(200, reply(self, 0, 0));
	EXPECT_EQ(2, num("Criteria-Count"));
	EXPECT_EQ(99, kfake_find(&self->k, owner, DTCP_KID(3, 0))->c.timeout_total);
	EXPECT_EQ(0, kfake_find(&self->k, owner, DTCP_KID(2, 0))->c.timeout_total);
	/* Unknown id in a list: nothing changes. */
	ASSERT_EQ(1, req(self, 0, "REFRESH DTCP/0.7", "Criteria-ID: 1,9|Timeout-Total: 5"));
	EXPECT_EQ(431, reply(self, 0, 0));
	EXPECT_EQ(99, kfake_find(&self->k, owner, DTCP_KID(1, 0))->c.timeout_total);
}

/* Reassemble a LIST answer: entries by Criteria-Num; returns the count, checks each datagram. */
static unsigned int list_entries(struct _test_data_srv *self, unsigned int src, uint64_t seq,
				 char ids[][16], unsigned int max)
{
	unsigned int total = 0, got = 0;

	for (unsigned int d = 0; d < self->r.n; d++) {
		if (reply(self, src, d) != 200 || num("Seq") != seq || self->r.d[d].len > 1400)
			return UINT32_MAX;
		for (unsigned int i = 0; i < M.n; i++) {
			uint64_t n;

			if (!strcasecmp(M.p[i].name, "Criteria-ID")) {
				if (got >= max)
					return UINT32_MAX;
				snprintf(ids[got], 16, "%s", M.p[i].value);
			} else if (!strcasecmp(M.p[i].name, "Criteria-Num")) {
				dtcp_parse_u64(M.p[i].value, UINT64_MAX, &n);
				if (n != ++got)
					return UINT32_MAX;
			} else if (!strcasecmp(M.p[i].name, "Criteria-Count")) {
				dtcp_parse_u64(M.p[i].value, UINT64_MAX, &n);
				total = n;
			}
		}
	}
	return got == total ? got : UINT32_MAX;
}

TEST_F(srv, list)
{
	static char got[400][16];
	uint32_t owner = self->s.cfg->groups[0].srcs[0].owner;
	const char *e;

	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Source-Address: 192.0.2.10, 192.0.2.20|"
			 "Protocol: 6,17|Timeout-Idle: 60|Timeout-Packets: 1000|Flags: SendAsync|"
			 "X-JTap-Something: kept"));
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", "Cdest-ID: cd2|Flags: Static"));
	kfake_find(&self->k, owner, DTCP_KID(1, 0))->c.packets = 12;
	kfake_find(&self->k, owner, DTCP_KID(1, 0))->c.bytes = 3400;
	kfake_find(&self->k, owner, DTCP_KID(1, 0))->c.limit_packets = 988;
	/* Both: criteria as given and statistics. */
	ASSERT_EQ(1, req(self, 0, "LIST DTCP/0.7", "Flags: BOTH"));
	ASSERT_EQ(2, list_entries(self, 0, self->seq[0], got, 400));
	EXPECT_STREQ("1", got[0]);
	EXPECT_STREQ("2", got[1]);
	e = self->r.d[0].buf;
	EXPECT_NE(NULL, strstr(e, "\r\nCSOURCE-ID: cs1\r\nCSOURCE-ADDRESS: 192.0.2.1\r\nCDEST-ID: cd1\r\n"
				  "TIMESTAMP: 2005-01-01 12:01:01.111\r\n"
				  "SOURCE-ADDRESS: 192.0.2.10, 192.0.2.20\r\nPROTOCOL: 6,17\r\n"
				  "TIMEOUT-IDLE: 60\r\nTIMEOUT-PACKETS: 1000\r\nFLAGS: SendAsync\r\n"
				  "X-JTAP-SOMETHING: kept\r\n"
				  "REMAINING-IDLE: 60\r\nREMAINING-PACKETS: 988\r\nAVERAGE-BANDWIDTH: 0\r\n"
				  "MATCHING-PACKETS: 12\r\nMATCHING-BYTES: 3400\r\nNUM-REFRESH: 0\r\n"
				  "LAST-REFRESH: 2005-01-01 12:01:01.111\r\nCRITERIA-NUM: 1\r\n"
				  "CRITERIA-COUNT: 2\r\n")) TH_LOG("%s", e);
	/* Header: status, Seq, Timestamp, then the entries. */
	EXPECT_EQ(0, strncmp(e, "DTCP/0.7 200 OK\r\nSEQ: 103\r\nTIMESTAMP: ", 38));
	EXPECT_NE(NULL, strstr(e, "FLAGS: Static\r\nAVERAGE-BANDWIDTH: 0\r\n"));
	/* No flag: Criteria (no statistics). */
	ASSERT_EQ(1, req(self, 0, "LIST DTCP/0.7", "Criteria-ID: 1"));
	ASSERT_EQ(1, list_entries(self, 0, self->seq[0], got, 400));
	EXPECT_EQ(NULL, strstr(self->r.d[0].buf, "MATCHING-PACKETS"));
	EXPECT_NE(NULL, strstr(self->r.d[0].buf, "PROTOCOL: 6,17"));
	/* Stats only. */
	ASSERT_EQ(1, req(self, 0, "LIST DTCP/0.7", "Flags: Stats|Cdest-ID: cd2"));
	ASSERT_EQ(1, list_entries(self, 0, self->seq[0], got, 400));
	EXPECT_STREQ("2", got[0]);
	EXPECT_EQ(NULL, strstr(self->r.d[0].buf, "PROTOCOL"));
	EXPECT_NE(NULL, strstr(self->r.d[0].buf, "MATCHING-PACKETS: 0"));
	/* A valid selector that matches nothing: one datagram, no entries. */
	ASSERT_EQ(1, req(self, 0, "LIST DTCP/0.7", "Criteria-ID: 500-600"));
	ASSERT_EQ(200, reply(self, 0, 0));
	EXPECT_EQ(NULL, dtcp_msg_get(&M, "Criteria-ID"));
	EXPECT_EQ(0, list_entries(self, 0, self->seq[0], got, 400));
}

TEST_F(srv, list_split)
{
	static char got[400][16];

	for (int i = 0; i < 300; i++) {
		ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", ADD1));
		ASSERT_EQ(200, reply(self, 0, 0));
	}
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", ADD1 "|Dest-Address: 10.0.0.1,10.0.0.2,10.0.0.3,"
			 "10.0.0.4,10.0.0.5,10.0.0.6,10.0.0.7,10.0.0.8,10.0.0.9,10.0.0.10,10.0.0.11"));
	ASSERT_EQ(200, reply(self, 0, 0));
	/* Every datagram under 1400 bytes, entries whole and numbered 1..301. */
	req(self, 0, "LIST DTCP/0.7", "Flags: Both");
	EXPECT_GT(self->r.n, 40);
	ASSERT_EQ(301, list_entries(self, 0, self->seq[0], got, 400));
	for (int i = 0; i < 301; i++) {
		char want[16];

		snprintf(want, sizeof(want), "%d", i + 1);
		ASSERT_STREQ(want, got[i]);
	}
	for (unsigned int d = 0; d < self->r.n; d++) {
		ASSERT_LE(self->r.d[d].len, 1400);
		ASSERT_EQ(0, strcmp(self->r.d[d].buf + self->r.d[d].len - 4, "\r\n\r\n"));
	}
	/* Ranges and negations in the selector. */
	req(self, 0, "LIST DTCP/0.7", "Criteria-ID: 10-19,!15,300-*");
	ASSERT_EQ(11, list_entries(self, 0, self->seq[0], got, 400));
	EXPECT_STREQ("301", got[10]);
}

TEST_F(srv, isolation)
{
	static char got[10][16];

	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", ADD1));
	ASSERT_EQ(200, reply(self, 0, 0));
	/* cs3 shares cs1's group and port but sees none of its criteria. */
	ASSERT_EQ(1, req(self, 2, "LIST DTCP/0.7", "Flags: Both"));
	EXPECT_EQ(0, list_entries(self, 2, self->seq[2], got, 10));
	ASSERT_EQ(1, req(self, 2, "DELETE DTCP/0.7", "Criteria-ID: 1|Flags: Static"));
	EXPECT_EQ(431, reply(self, 2, 0));
	ASSERT_EQ(1, req(self, 2, "REFRESH DTCP/0.7", "Criteria-ID: 1|Timeout-Idle: 1"));
	EXPECT_EQ(431, reply(self, 2, 0));
	ASSERT_EQ(1, req(self, 2, "DELETE DTCP/0.7", "Criteria-ID: *|Flags: Static"));
	ASSERT_EQ(200, reply(self, 2, 0));
	EXPECT_EQ(0, num("Criteria-Count"));
	ASSERT_EQ(1, req(self, 2, "LIST DTCP/0.7", "Criteria-ID: 1"));
	EXPECT_EQ(431, reply(self, 2, 0));
	EXPECT_EQ(1, kfake_count(&self->k, self->s.cfg->groups[0].srcs[0].owner));
	/* Answers to cs3 are signed with cs3's key only. */
	ASSERT_EQ(1, req(self, 2, "NOOP DTCP/0.7", ""));
	EXPECT_EQ(0, reply(self, 0, 0));
	EXPECT_EQ(200, reply(self, 2, 0));
}

static bool notified(unsigned int i, const char *key, unsigned int code)
{
	return !dtcp_msg_parse(&M, sent[i].buf, sent[i].len) && M.kind == DTCP_K_STATUS &&
	       M.code == code && M.auth &&
	       dtcp_hmac_verify(key, strlen(key), M.raw, M.signed_len, M.auth) &&
	       !dtcp_msg_get(&M, "Seq") && dtcp_msg_get(&M, "Timestamp");
}

TEST_F(srv, notifications)
{
	uint32_t owner = self->s.cfg->groups[0].srcs[0].owner;
	struct kfake_crit *k;

	/* NOOP with SendAsync: 131 to cs1's target, signed, no Seq. */
	ASSERT_EQ(1, req(self, 0, "NOOP DTCP/0.7", "Flags: SendAsync"));
	ASSERT_EQ(200, reply(self, 0, 0));
	ASSERT_EQ(1, n_sent);
	EXPECT_TRUE(notified(0, "secret", 131));
	EXPECT_STREQ("192.0.2.1 port 2100", sent[0].target);
	EXPECT_EQ(DTCP_VER(0, 7), M.version);
	/* Timeout: only with SendAsync, with what was configured and what was left. */
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 60|Timeout-Packets: 10|"
			 "Flags: SendAsync"));
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 60"));
	k = kfake_find(&self->k, owner, DTCP_KID(1, 0));
	kfake_expire(&self->k, k);
	dtcp_server_expired(&self->s, owner, DTCP_KID(1, 0), DFC_REASON_PACKETS, 10, 640);
	ASSERT_EQ(2, n_sent);
	EXPECT_TRUE(notified(1, "secret", 390));
	EXPECT_EQ(1, num("Criteria-ID"));
	EXPECT_EQ(10, num("Timeout-Packets"));
	EXPECT_EQ(0, num("Remaining-Packets"));
	EXPECT_EQ(60, num("Timeout-Idle"));
	EXPECT_EQ(NULL, dtcp_msg_get(&M, "Timeout-Total"));
	EXPECT_EQ(0, self->s.srcs[0]->n_live - 1);
	EXPECT_EQ(1, self->s.srcs[0]->st.deleted_by[DFC_REASON_PACKETS]);
	kfake_expire(&self->k, kfake_find(&self->k, owner, DTCP_KID(2, 0)));
	dtcp_server_expired(&self->s, owner, DTCP_KID(2, 0), DFC_REASON_IDLE, 0, 0);
	EXPECT_EQ(2, n_sent);
	EXPECT_EQ(0, self->s.srcs[0]->n_live);
	/* cs2 notifies in 0.6 and mixed case; nothing goes to cs1's target. */
	ASSERT_EQ(1, req(self, 1, "NOOP DTCP/0.7", "Flags: SendAsync,Static"));
	ASSERT_EQ(3, n_sent);
	EXPECT_TRUE(notified(2, "other", 131));
	EXPECT_EQ(DTCP_VER(0, 6), M.version);
	EXPECT_STREQ("192.0.2.2 port 2101", sent[2].target);
	EXPECT_NE(NULL, strstr(sent[2].buf, "\r\nTimestamp: "));
	/* Restart: every source, Alert-Info. */
	dtcp_notify_restart(&self->s, "dfc module reloaded");
	ASSERT_EQ(5, n_sent);
	EXPECT_TRUE(notified(3, "secret", 599));
	EXPECT_STREQ("dfc module reloaded", dtcp_msg_value(&M, "Alert-Info"));
	EXPECT_TRUE(notified(4, "other", 599));
}

TEST_F(srv, rollover)
{
	self->seq[0] = UINT64_MAX - 2;
	ASSERT_EQ(1, req(self, 0, "NOOP DTCP/0.7", ""));	/* baseline 2^64-2 */
	ASSERT_EQ(1, req(self, 0, "NOOP DTCP/0.7", ""));	/* 2^64-1 */
	EXPECT_EQ(0, n_sent);
	ASSERT_EQ(1, req(self, 0, "NOOP DTCP/0.7", ""));	/* 0: rolled over */
	ASSERT_EQ(200, reply(self, 0, 0));
	EXPECT_EQ(0, num("Seq"));
	ASSERT_EQ(1, n_sent);
	EXPECT_TRUE(notified(0, "secret", 130));
}

TEST_F(srv, destinations_programmed)
{
	struct dtcp_kdest *d;

	/* What the configuration says reaches the kernel once programmed. */
	dtcp_server_program(&self->s);
	ASSERT_EQ(3, self->k.n_dests);
	d = kfake_dest(&self->k, self->s.cfg->groups[0].dests[1].kid);
	ASSERT_NE(NULL, d);
	EXPECT_STREQ("cd2", d->name);
	EXPECT_EQ(DFC_ENCAP_IPIP, d->encap);
	EXPECT_EQ(AF_INET, d->family);
	EXPECT_EQ(64, d->ttl);
	EXPECT_EQ(1000000, d->soft);
	EXPECT_EQ(500000, d->soft_clear);
	EXPECT_EQ(2000000, d->hard);
	EXPECT_EQ(1500000, d->hard_target);
	d = kfake_dest(&self->k, self->s.cfg->groups[0].dests[2].kid);
	ASSERT_NE(NULL, d);
	EXPECT_EQ(DFC_ENCAP_UDP, d->encap);
	EXPECT_EQ(AF_INET6, d->family);
	EXPECT_EQ(4789, d->dport);
	/* max-duplicates: the group's 5 for each of its sources, the global 3 and period 30. */
	EXPECT_EQ(3, self->k.max_dup);
	EXPECT_EQ(30, self->k.dup_period);
	ASSERT_EQ(3, self->k.n_owner_dup);
	EXPECT_EQ(5, self->k.owner_dup[0][1]);
	/* A request-defined destination exists while criteria use it. */
	ASSERT_EQ(1, req(self, 1, "ADD DTCP/0.7", "Cdest-ID: md1|Flags: Static|"
			 "X-JTap-Cdest-Dest-Address: 192.0.2.40|X-JTap-Cdest-Dest-Port: 50000|"
			 "X-JTap-Cdest-Source-Address: 192.0.2.2|X-JTap-Cdest-Source-Port: 49153"));
	ASSERT_EQ(200, reply(self, 1, 0));
	ASSERT_EQ(4, self->k.n_dests);
	d = &self->k.dests[3];
	EXPECT_EQ(DFC_ENCAP_UDP, d->encap);
	EXPECT_EQ(50000, d->dport);
	EXPECT_EQ(49153, d->sport);
	EXPECT_EQ(255, d->ttl);
	EXPECT_TRUE(d->has_src);
	EXPECT_STREQ("md1", d->name);
	ASSERT_EQ(1, req(self, 1, "ADD DTCP/0.7", "Cdest-ID: other-label|Flags: Static|"
			 "X-JTap-Cdest-Dest-Address: 192.0.2.40|X-JTap-Cdest-Dest-Port: 50000|"
			 "X-JTap-Cdest-Source-Address: 192.0.2.2|X-JTap-Cdest-Source-Port: 49153"));
	ASSERT_EQ(200, reply(self, 1, 0));
	EXPECT_EQ(4, self->k.n_dests);	/* the same definition: shared */
	ASSERT_EQ(1, req(self, 1, "DELETE DTCP/0.7", "Criteria-ID: *|Flags: Static"));
	ASSERT_EQ(200, reply(self, 1, 0));
	EXPECT_EQ(2, num("Criteria-Count"));
	EXPECT_EQ(3, self->k.n_dests);
}

static char last_log[256];

static void keep_log(struct dtcp_server *s, const struct dtcp_src *src, int prio,
		     const char *fmt, ...)
{
	va_list ap;

	(void)s;
	(void)src;
	(void)prio;
	va_start(ap, fmt);
	vsnprintf(last_log, sizeof(last_log), fmt, ap);
	va_end(ap);
}

TEST_F(srv, congestion_events)
{
	uint32_t owner = self->s.cfg->groups[0].srcs[0].owner;
	uint32_t cd2 = self->s.cfg->groups[0].dests[1].kid;
	uint64_t purged[2];

	for (int i = 0; i < 4; i++)
		ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", i == 3 ? "Cdest-ID: cd1,cd2|Flags: Static"
				 : "Cdest-ID: cd2|Timeout-Idle: 600"));
	ASSERT_EQ(1, req(self, 2, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 600"));
	/* Soft limit crossed: Congestion to every source with criteria there (cs1, not cs3). */
	dtcp_server_congested(&self->s, cd2, 1200000, true);
	ASSERT_EQ(1, n_sent);
	EXPECT_TRUE(notified(0, "secret", 580));
	EXPECT_STREQ("cd2", dtcp_msg_value(&M, "Cdest-ID"));
	EXPECT_EQ(1200000, num("Average-Bandwidth"));
	EXPECT_EQ(1000000, num("Alert-Bandwidth"));
	EXPECT_EQ(2000000, num("Max-Bandwidth"));
	dtcp_server_congested(&self->s, cd2, 400000, false);
	EXPECT_EQ(1, n_sent);
	/* NoIPSecDestination: logged under the configured name, not the kernel id; nothing sent */
	self->s.log = keep_log;
	dtcp_server_noipsec(&self->s, cd2);
	EXPECT_EQ(1, n_sent);
	EXPECT_STREQ("content destination cd2 requires IPsec but its route has none: copies are "
		     "dropped", last_log);
	dtcp_server_noipsec(&self->s, 0x1234abcd);
	EXPECT_STREQ("content destination 0x1234abcd requires IPsec but its route has none: "
		     "copies are dropped", last_log);
	/* Hard limit: the kernel purged two; 4 goes whole (its cd1 part too). */
	purged[0] = DTCP_KID(4, 1);
	purged[1] = DTCP_KID(2, 0);
	kfake_expire(&self->k, kfake_find(&self->k, owner, purged[0]));
	kfake_expire(&self->k, kfake_find(&self->k, owner, purged[1]));
	dtcp_server_purged(&self->s, owner, cd2, purged, 2);
	ASSERT_EQ(2, n_sent);
	EXPECT_TRUE(notified(1, "secret", 680));
	EXPECT_STREQ("cd2", dtcp_msg_value(&M, "Cdest-ID"));
	EXPECT_STREQ("4,2", dtcp_msg_value(&M, "Criteria-ID"));
	EXPECT_EQ(NULL, kfake_find(&self->k, owner, DTCP_KID(4, 0)));
	EXPECT_EQ(2, self->s.srcs[0]->n_live);
	EXPECT_EQ(1, self->s.srcs[0]->st.notif[DTCP_N_CONGDEL]);
	/* Duplicates dropped: per destination, the criteria and how many. */
	{
		struct dtcp_dup d[3] = {
			{ DTCP_KID(1, 0), cd2, 5 }, { DTCP_KID(3, 0), cd2, 7 },
			{ DTCP_KID(99, 0), cd2, 100 },	/* unknown: left out */
		};

		dtcp_server_dups(&self->s, owner, d, 3);
	}
	ASSERT_EQ(3, n_sent);
	EXPECT_TRUE(notified(2, "secret", 598));
	EXPECT_STREQ("cd2", dtcp_msg_value(&M, "Cdest-ID"));
	EXPECT_STREQ("1,3", dtcp_msg_value(&M, "Criteria-ID"));
	EXPECT_EQ(12, num("X-Dropped-Packets"));
	/* Another owner's events never reach cs1. */
	dtcp_server_purged(&self->s, 4242, cd2, purged, 2);
	EXPECT_EQ(3, n_sent);
}

TEST_F(srv, average_bandwidth)
{
	uint32_t owner = self->s.cfg->groups[0].srcs[0].owner;

	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", "Cdest-ID: cd2|Timeout-Idle: 600"));
	fake_mono += 10000;
	dtcp_server_tick(&self->s);
	kfake_find(&self->k, owner, DTCP_KID(1, 0))->c.bytes = 1250000;
	fake_mono += 10000;
	dtcp_server_tick(&self->s);
	EXPECT_EQ(1000000, dtcp_src_find(self->s.srcs[0], 1)->avg_bps);
	ASSERT_EQ(1, req(self, 0, "LIST DTCP/0.7", "Flags: Stats"));
	ASSERT_EQ(200, reply(self, 0, 0));
	EXPECT_EQ(1000000, num("Average-Bandwidth"));
}

TEST_F(srv, restart_rebuild)
{
	static char got[10][16];
	struct dtcp_state st;
	struct dtcp_server s2 = { 0 };
	struct dtcp_config *c;
	unsigned int found;
	char err[256];

	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", ADD1));
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", "Cdest-ID: cd1,cd2|Flags: Static,SendAsync|"
			 "Dest-Port: 53"));
	ASSERT_EQ(1, req(self, 1, "ADD DTCP/0.7", "Cdest-ID: cd3|Timeout-Total: 100"));
	/* Someone else's criterion in the kernel is left alone. */
	{
		struct dfc_nl_crit other = { .id = 77, .timeout_idle = 5, .n_entries = 1,
					     .entries = self->s.entries };
		unsigned int done;

		ASSERT_EQ(0, kfake_ops.add(&self->k, 4242, &other, 1, &done, NULL));
	}
	dtcp_server_state(&self->s, &st);
	/* A new dtcpd over the same kernel. */
	c = dtcp_config_load(self->path, err, sizeof(err));
	ASSERT_NE(NULL, c);
	ASSERT_EQ(0, dtcp_server_init(&s2, c));
	s2.kops = &kfake_ops;
	s2.kctx = &self->k;
	s2.wall_ms = wall;
	s2.mono_ms = mono;
	s2.send = send_cb;
	ASSERT_EQ(0, dtcp_server_rebuild(&s2, &found));
	EXPECT_EQ(3, found);
	dtcp_server_restore(&s2, &st);
	free(st.src);
	EXPECT_EQ(2, dtcp_server_src(&s2, "cs1")->n_live);
	EXPECT_EQ(1, dtcp_server_src(&s2, "cs1")->n_static);
	EXPECT_EQ(1, dtcp_server_src(&s2, "cs2")->n_live);
	EXPECT_EQ(4, s2.next_id);
	EXPECT_EQ(NULL, dtcp_src_find(dtcp_server_src(&s2, "cs1"), 3));
	EXPECT_STREQ("cd1,cd2", dtcp_src_find(dtcp_server_src(&s2, "cs1"), 2)->cdests);
	EXPECT_NE(NULL, kfake_find(&self->k, 4242, 77));
	/* The same LIST as before the restart; the Seq window came back too. */
	dtcp_server_fini(&self->s);
	self->s = s2;
	ASSERT_EQ(1, req(self, 0, "LIST DTCP/0.7", "Flags: Both"));
	ASSERT_EQ(2, list_entries(self, 0, self->seq[0], got, 10));
	EXPECT_NE(NULL, strstr(self->r.d[0].buf, "CDEST-ID: cd1,cd2\r\nTIMESTAMP: 2005-01-01 "
			       "12:01:01.111\r\nDEST-PORT: 53\r\nFLAGS: Static,SendAsync\r\n"));
	EXPECT_NE(NULL, strstr(self->r.d[0].buf, "SOURCE-ADDRESS: 192.0.2.10\r\nDEST-ADDRESS: *\r\n"
			       "PROTOCOL: 6\r\nDEST-PORT: 80\r\nTIMEOUT-IDLE: 600\r\n"));
	self->seq[0] -= 3;
	EXPECT_EQ(0, req(self, 0, "NOOP DTCP/0.7", ""));	/* a replay after the restart */
	self->seq[0] += 3;
	/* New ids continue after the highest. */
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", ADD1));
	ASSERT_EQ(200, reply(self, 0, 0));
	EXPECT_EQ(4, num("Criteria-ID"));
	/* A criterion that vanished while events were lost expires on resync. */
	kfake_expire(&self->k, kfake_find(&self->k, self->s.cfg->groups[0].srcs[0].owner,
					  DTCP_KID(2, 0)));
	n_sent = 0;
	ASSERT_EQ(0, dtcp_server_resync(&self->s));
	EXPECT_EQ(NULL, kfake_find(&self->k, self->s.cfg->groups[0].srcs[0].owner, DTCP_KID(2, 1)));
	EXPECT_EQ(2, dtcp_server_src(&self->s, "cs1")->n_live);
	ASSERT_EQ(1, n_sent);
	EXPECT_TRUE(notified(0, "secret", 390));
}

TEST_F(srv, reconfig)
{
	char err[512];
	struct dtcp_config *c;
	char *text = strdup(good_conf), *p;
	uint32_t owner1 = self->s.cfg->groups[0].srcs[0].owner;
	uint32_t owner3 = self->s.cfg->groups[0].srcs[2].owner;

	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 60"));
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", "Cdest-ID: cd2|Timeout-Idle: 60"));
	ASSERT_EQ(1, req(self, 2, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 60"));
	/* cs1 loses cd2; cs3 goes away; the key of cs1 changes. */
	p = strstr(text, "[ \"cd1\", \"cd2\" ]");
	memcpy(p, "[ \"cd1\"        ]", 16);
	p = strstr(text, " },\n    { id = \"cs3\"");
	strcpy(p, " }\n  );\n} );\n");
	p = strstr(text, "\"secret\"");
	memcpy(p, "\"Secret\"", 8);
	unlink(self->path);
	self->path = write_conf(text);
	free(text);
	c = dtcp_config_load(self->path, err, sizeof(err));
	ASSERT_NE(NULL, c) TH_LOG("%s", err);
	dtcp_server_reconfig(&self->s, c);
	EXPECT_EQ(2, self->s.n_srcs);
	EXPECT_EQ(1, kfake_count(&self->k, owner1));
	EXPECT_NE(NULL, kfake_find(&self->k, owner1, DTCP_KID(1, 0)));
	EXPECT_EQ(0, kfake_count(&self->k, owner3));
	/* The Seq window survived the reload; the new key is in force. */
	EXPECT_EQ(0, req(self, 0, "NOOP DTCP/0.7", ""));
	ASSERT_EQ(1, req_full(self, 0, "NOOP DTCP/0.7", "", "Secret", 2400));
}

TEST_HARNESS_MAIN
