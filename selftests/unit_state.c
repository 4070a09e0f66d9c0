// SPDX-License-Identifier: GPL-2.0
/*
 * Host-tier tests of dtcpd's state file (agent/state.c): a strict,
 * versioned JSON format (every field once; unknown, duplicate, missing or
 * out-of-range fields refused with a reason), and the Seq windows of
 * control sources that were removed from the configuration kept across
 * reloads and restarts, so that removing a source and adding it back does
 * not make its old requests acceptable again.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "state.h"

static const char good[] =
	"{\"format\": \"dtcpd-state\", \"version\": 3, \"next_criteria_id\": 42,\n"
	" \"boot_id\": \"0b5e2c1a-1111-2222-3333-444455556666\", \"kernel_expired\": \"18446744073709551615\",\n"
	" \"criteria_static\": 3, \"criteria_dynamic\": 4294967295,\n"
	" \"sources\": [ {\"id\": \"cs 1\", \"seq\": null},\n"
	"   {\"id\": \"cs2\", \"seq\": {\"max\": \"5\", \"seen\": \""
	"0000000000000028000000000000000000000000000000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000\"}} ] }\n";

static int parse(const char *text, struct dtcp_state *st, char *why, size_t len)
{
	return dtcp_state_parse(text, strlen(text), st, why, len);
}

/* good with the first occurrence of from replaced by to. */
static int parse_edit(const char *from, const char *to, char *why, size_t len)
{
	static char buf[4096];
	struct dtcp_state st;
	const char *p = strstr(good, from);
	int err;

	if (!p)
		return 12345;
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(p - good), good, to, p + strlen(from));
	err = parse(buf, &st, why, len);
	if (!err)
		dtcp_state_free(&st);
	return err;
}

TEST(good_file)
{
	struct dtcp_state st;
	char why[256];

	ASSERT_EQ(0, parse(good, &st, why, sizeof(why))) TH_LOG("%s", why);
	EXPECT_EQ(42, st.next_id);
	EXPECT_STREQ("0b5e2c1a-1111-2222-3333-444455556666", st.boot_id);
	EXPECT_EQ(UINT64_MAX, st.kexpired);
	EXPECT_EQ(3, st.n_static);
	EXPECT_EQ(UINT32_MAX, st.n_dynamic);
	ASSERT_EQ(2, st.n_src);
	EXPECT_STREQ("cs 1", st.src[0].id);
	EXPECT_FALSE(st.src[0].seq.have);
	EXPECT_TRUE(st.src[1].seq.have);
	EXPECT_EQ(5, st.src[1].seq.max);
	EXPECT_EQ(DTCP_SEQ_REPLAY, dtcp_seq_check(&st.src[1].seq, 5));
	EXPECT_EQ(DTCP_SEQ_OK, dtcp_seq_check(&st.src[1].seq, 4));
	dtcp_state_free(&st);
}

TEST(refusals)
{
	static const struct { const char *from, *to, *why; } v[] = {
		{ "\"version\": 3", "\"version\": 1", "version" },
		{ "\"version\": 3", "\"version\": 4", "version" },
		{ "\"version\": 3", "\"version\": \"3\"", "version" },
		{ "\"format\": \"dtcpd-state\"", "\"format\": \"x\"", "format" },
		{ "\"version\": 3,", "\"version\": 3, \"version\": 3,", "duplicate" },
		{ "\"version\": 3,", "\"version\": 3, \"extra\": 1,", "unknown member \"extra\"" },
		{ "\"next_criteria_id\": 42,", "", "\"next_criteria_id\" is missing" },
		{ "\"next_criteria_id\": 42", "\"next_criteria_id\": 0", "next_criteria_id" },
		{ "\"next_criteria_id\": 42", "\"next_criteria_id\": 4294967296", "next_criteria_id" },
		{ "\"next_criteria_id\": 42", "\"next_criteria_id\": 4.2", "next_criteria_id" },
		{ "\"18446744073709551615\"", "\"18446744073709551616\"", "kernel_expired" },
		{ "\"18446744073709551615\"", "\"+1\"", "kernel_expired" },
		{ "\"18446744073709551615\"", "\"01\"", "kernel_expired" },
		{ "\"18446744073709551615\"", "18", "kernel_expired" },
		{ "\"criteria_static\": 3", "\"criteria_static\": -3", "criteria_static" },
		{ "\"0b5e2c1a", "\"0B5E2c1a", "boot_id" },
		{ "\"0b5e2c1a", "\"0b5e2c1a\\n", "boot_id" },
		{ "\"cs 1\"", "\"\"", "sources[0].id" },
		{ "\"cs 1\"", "\"cs\\n1\"", "control character" },
		{ "\"cs 1\"", "\"cs\\u00001\"", "line 4" },
		{ "\"cs 1\"", "\"cs2\"", "appears twice" },
		{ "\"seq\": null}", "\"seq\": null, \"seq\": null}", "duplicate" },
		{ "\"seq\": null}", "\"seq\": null, \"rdest\": 1}", "unknown member \"rdest\"" },
		{ "{\"id\": \"cs 1\", \"seq\": null}", "{\"seq\": null}", "\"id\" is missing" },
		{ "{\"max\": \"5\",", "{\"max\": \"5\", \"have\": true,", "unknown member" },
		{ "\"max\": \"5\"", "\"max\": \"6\"", "max is not marked seen" },
		{ "\"max\": \"5\"", "\"max\": \"3\"", "above max" },
		{ "28000", "2800", "hex digits" },
		{ "28000", "2G000", "hex digits" },
		{ "28000", "2A000", "hex digits" },
		{ "\"sources\": [", "\"sources\": {}, \"s\": [", "unknown member \"s\"" },
		{ "\"sources\": [", "\"sources\": 1, \"s\": [", "unknown member \"s\"" },
		{ "\"sources\": [ ", "\"sources\": [ 1, ", "sources[0]: not an object" },
		{ "] }\n", "] } {}\n", "end of file expected" },
	};
	char why[256];

	for (unsigned int i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		EXPECT_EQ(-EINVAL, parse_edit(v[i].from, v[i].to, why, sizeof(why)))
			TH_LOG("case %u: %s -> %s", i, v[i].from, v[i].to);
		EXPECT_NE(NULL, strstr(why, v[i].why)) TH_LOG("case %u: '%s'", i, why);
	}
}

/*
 * Version 2 files were written while Seqs leaving the window kept their
 * marks, which then sat above max: such a file loads, without them. The
 * same window in a version 3 file is refused (positive control).
 */
TEST(version_2_marks_above_max)
{
	static char buf[4096];
	struct dtcp_state st;
	char why[256];
	const char *p = strstr(good, "\"max\": \"5\"");

	ASSERT_NE(NULL, p);
	snprintf(buf, sizeof(buf), "%.*s\"max\": \"3\"%s", (int)(p - good), good,
		 p + strlen("\"max\": \"5\""));
	EXPECT_EQ(-EINVAL, parse(buf, &st, why, sizeof(why)));
	EXPECT_NE(NULL, strstr(why, "above max")) TH_LOG("%s", why);
	memcpy(strstr(buf, "\"version\": 3"), "\"version\": 2", 12);
	ASSERT_EQ(0, parse(buf, &st, why, sizeof(why))) TH_LOG("%s", why);
	EXPECT_EQ(3, st.src[1].seq.max);
	EXPECT_EQ(DTCP_SEQ_REPLAY, dtcp_seq_check(&st.src[1].seq, 3));
	/* 5's mark is gone: 5 is above max, not seen. */
	EXPECT_EQ(0, st.src[1].seq.seen[0] & 1ULL << 5);
	EXPECT_EQ(DTCP_SEQ_OK, dtcp_seq_check(&st.src[1].seq, 5));
	dtcp_state_free(&st);
}

TEST(save_load_round_trip)
{
	char path[64] = "/tmp/unit_state.XXXXXX", why[256];
	struct dtcp_state st = { 0 }, back;
	struct dtcp_state_src src[3];
	char *text;
	int fd = mkstemp(path);

	ASSERT_GE(fd, 0);
	close(fd);
	memset(src, 0, sizeof(src));
	src[0].id = "cs\"1\\";
	dtcp_seq_accept(&src[0].seq, UINT64_MAX - 3);
	dtcp_seq_accept(&src[0].seq, 2);	/* rolled over */
	dtcp_seq_accept(&src[0].seq, UINT64_MAX);
	src[1].id = "gone";			/* a removed source keeps its window */
	dtcp_seq_accept(&src[1].seq, 1000);
	src[2].id = "fresh";
	st.next_id = UINT32_MAX;
	st.n_src = 3;
	st.src = src;
	ASSERT_EQ(0, dtcp_state_save(path, &st, true));
	ASSERT_EQ(0, dtcp_state_load(path, &back, why, sizeof(why))) TH_LOG("%s", why);
	ASSERT_EQ(3, back.n_src);
	for (unsigned int i = 0; i < 3; i++) {
		EXPECT_STREQ(src[i].id, back.src[i].id);
		EXPECT_EQ(0, memcmp(&src[i].seq, &back.src[i].seq, sizeof(src[i].seq)));
	}
	EXPECT_EQ(UINT32_MAX, back.next_id);
	EXPECT_EQ(DTCP_SEQ_REPLAY, dtcp_seq_check(&back.src[0].seq, UINT64_MAX - 3));
	EXPECT_EQ(DTCP_SEQ_REPLAY, dtcp_seq_check(&back.src[1].seq, 1000));
	/* A source that sent more than 256 requests loads back too. */
	for (uint64_t q = 2000; q < 2700; q++)
		dtcp_seq_accept(&src[1].seq, q);
	dtcp_state_free(&back);
	ASSERT_EQ(0, dtcp_state_save(path, &st, true));
	ASSERT_EQ(0, dtcp_state_load(path, &back, why, sizeof(why))) TH_LOG("%s", why);
	EXPECT_EQ(0, memcmp(&src[1].seq, &back.src[1].seq, sizeof(src[1].seq)));
	EXPECT_EQ(DTCP_SEQ_REPLAY, dtcp_seq_check(&back.src[1].seq, 2699 - 256));
	EXPECT_EQ(DTCP_SEQ_OUTSIDE, dtcp_seq_check(&back.src[1].seq, 2699 - 257));
	EXPECT_EQ(DTCP_SEQ_OK, dtcp_seq_check(&back.src[1].seq, 2700));
	/* What is printed parses back the same. */
	text = dtcp_state_format(&back);
	ASSERT_NE(NULL, text);
	dtcp_state_free(&back);
	ASSERT_EQ(0, parse(text, &back, why, sizeof(why))) TH_LOG("%s", why);
	EXPECT_EQ(0, memcmp(&src[0].seq, &back.src[0].seq, sizeof(src[0].seq)));
	free(text);
	dtcp_state_free(&back);
	/* A file that is no JSON, or too large, is refused with its reason. */
	fd = open(path, O_WRONLY | O_TRUNC);
	ASSERT_EQ(3, write(fd, "{}\n", 3));
	close(fd);
	EXPECT_EQ(-EINVAL, dtcp_state_load(path, &back, why, sizeof(why)));
	EXPECT_NE(NULL, strstr(why, "\"format\" is missing")) TH_LOG("%s", why);
	ASSERT_EQ(0, truncate(path, DTCP_STATE_MAX_BYTES + 1));
	EXPECT_EQ(-EINVAL, dtcp_state_load(path, &back, why, sizeof(why)));
	unlink(path);
	EXPECT_EQ(-ENOENT, dtcp_state_load(path, &back, why, sizeof(why)));
	strcat(path, ".tmp");
	EXPECT_NE(0, access(path, F_OK));
}

TEST_HARNESS_MAIN
