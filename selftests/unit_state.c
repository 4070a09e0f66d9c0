// SPDX-License-Identifier: GPL-2.0
/*
 * Host-tier tests of dtcpd's state file (agent/state.c): a strict,
 * versioned JSON format (every field once; unknown, duplicate, missing or
 * out-of-range fields refused with a reason), and the Seq windows of
 * control sources that were removed from the configuration kept across
 * reloads and restarts, so that removing a source and adding it back does
 * not make its old requests acceptable again. Its two slots on disk
 * (agent/state_file.c): written in place, in turn, the newest complete
 * generation read back whatever a write cut short left in the other.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
		{ "\"version\": 3", "\"version\": 5", "version" },
		{ "\"version\": 3", "\"version\": 4", "\"generation\" is missing" },
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
	st.generation = 1;
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
	EXPECT_NE(NULL, strstr(why, "format: not \"dtcpd-state\"")) TH_LOG("%s", why);
	ASSERT_EQ(0, truncate(path, DTCP_STATE_MAX_BYTES + 1));
	EXPECT_EQ(-EINVAL, dtcp_state_load(path, &back, why, sizeof(why)));
	unlink(path);
	EXPECT_EQ(-ENOENT, dtcp_state_load(path, &back, why, sizeof(why)));
	strcat(path, ".tmp");
	EXPECT_NE(0, access(path, F_OK));
}

/* ---- the two slots ---- */

struct slots {
	char path[64], alt[70];
	struct dtcp_state st;
	struct dtcp_state_src src[2];
};

static void slots_init(struct slots *t)
{
	int fd;

	memset(t, 0, sizeof(*t));
	snprintf(t->path, sizeof(t->path), "/tmp/unit_state_slots.XXXXXX");
	fd = mkstemp(t->path);
	if (fd >= 0)
		close(fd);
	unlink(t->path);
	snprintf(t->alt, sizeof(t->alt), "%s.1", t->path);
	t->src[0].id = "cs1";
	t->src[1].id = "a longer name, so that a state with it is longer";
	t->st.src = t->src;
	t->st.n_src = 2;
	snprintf(t->st.boot_id, sizeof(t->st.boot_id), "b00f");
}

/* Generation gen, told apart by its next Criteria-ID (gen + 10), with n sources. */
static int slots_save(struct slots *t, uint64_t gen, unsigned int n)
{
	t->st.generation = gen;
	t->st.next_id = (uint32_t)gen + 10;
	t->st.n_src = n;
	dtcp_seq_accept(&t->src[0].seq, gen * 7);
	return dtcp_state_save(t->path, &t->st, true);
}

/* The generation read (0: none), its next id checked; why in why. */
static uint64_t slots_load(struct slots *t, char *why, size_t len, int *err)
{
	struct dtcp_state back;
	uint64_t gen = 0;

	*err = dtcp_state_load(t->path, &back, why, len);
	if (!*err) {
		gen = back.next_id == back.generation + 10 ? back.generation : 999;
		dtcp_state_free(&back);
	}
	return gen;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = f ? malloc(1 << 16) : NULL;

	*len = buf ? fread(buf, 1, 1 << 16, f) : 0;
	if (f)
		fclose(f);
	return buf;
}

static void spill(const char *path, const char *buf, size_t len, bool trunc)
{
	int fd = open(path, O_WRONLY | O_CREAT | (trunc ? O_TRUNC : 0), 0600);

	if (fd >= 0) {
		if (write(fd, buf, len) != (ssize_t)len)
			abort();
		close(fd);
	}
}

static ino_t inode(const char *path)
{
	struct stat sb;

	return stat(path, &sb) ? 0 : sb.st_ino;
}

TEST(slots_in_turn_in_place)
{
	struct slots t;
	char why[512];
	ino_t ino;
	int err;

	slots_init(&t);
	EXPECT_EQ(0, slots_load(&t, why, sizeof(why), &err));
	EXPECT_EQ(-ENOENT, err);
	t.st.generation = 0;
	EXPECT_EQ(-EINVAL, dtcp_state_save(t.path, &t.st, true));
	/* 1 creates PATH, 2 creates PATH.1, then each is overwritten in turn. */
	ASSERT_EQ(0, slots_save(&t, 1, 2));
	EXPECT_EQ(0, access(t.path, F_OK));
	EXPECT_NE(0, access(t.alt, F_OK));
	EXPECT_EQ(1, slots_load(&t, why, sizeof(why), &err));
	ASSERT_EQ(0, slots_save(&t, 2, 2));
	EXPECT_EQ(2, slots_load(&t, why, sizeof(why), &err));
	EXPECT_STREQ("", why);
	ino = inode(t.path);
	ASSERT_EQ(0, slots_save(&t, 3, 2));
	EXPECT_EQ(3, slots_load(&t, why, sizeof(why), &err));
	EXPECT_EQ(ino, inode(t.path)) TH_LOG("PATH was replaced, not overwritten");
	/* Shorter than what it overwrites: the file ends with it. */
	ASSERT_EQ(0, slots_save(&t, 4, 2));
	ASSERT_EQ(0, slots_save(&t, 5, 1));
	EXPECT_EQ(5, slots_load(&t, why, sizeof(why), &err));
	EXPECT_EQ(0, err) TH_LOG("%s", why);
	unlink(t.path);
	unlink(t.alt);
}

TEST(slots_write_cut_short)
{
	struct slots t;
	char why[512], *old, *cur, *seen;
	size_t olen, clen;
	int err;

	slots_init(&t);
	ASSERT_EQ(0, slots_save(&t, 1, 2));
	old = slurp(t.path, &olen);		/* generation 1, two sources */
	ASSERT_EQ(0, slots_save(&t, 2, 2));
	ASSERT_EQ(0, slots_save(&t, 3, 1));	/* PATH: 3, shorter than 1 */
	cur = slurp(t.path, &clen);
	ASSERT_NE(NULL, old);
	ASSERT_NE(NULL, cur);
	ASSERT_LT(clen, olen);

	/* Cut short at any point: generation 2 of PATH.1 is read, and the reason said. */
	for (size_t cut = 0; cut < clen; cut += 97) {
		char *mix = malloc(olen);

		/* 3's first bytes over 1's: what a crash mid-write leaves. */
		memcpy(mix, old, olen);
		memcpy(mix, cur, cut);
		spill(t.path, mix, olen, true);
		EXPECT_EQ(2, slots_load(&t, why, sizeof(why), &err)) TH_LOG("cut at %zu", cut);
		/* Passed over with its reason, unless it is still 1 whole (older than 2). */
		if (memcmp(mix, old, olen))
			EXPECT_NE(NULL, strstr(why, t.path)) TH_LOG("%zu: %s", cut, why);
		free(mix);
	}
	/* All of 3 written, not yet its length: 1's last bytes after it. */
	memcpy(old, cur, clen);
	spill(t.path, old, olen, true);
	EXPECT_EQ(2, slots_load(&t, why, sizeof(why), &err));
	/* A mix that is still JSON: 3 with another digit in its Seq window. */
	seen = strstr(cur, "\"seen\": \"");
	ASSERT_NE(NULL, seen);
	seen += 20;
	*seen = *seen == '0' ? '1' : '0';
	spill(t.path, cur, clen, true);
	EXPECT_EQ(2, slots_load(&t, why, sizeof(why), &err));
	EXPECT_NE(NULL, strstr(why, "sha256: does not match")) TH_LOG("%s", why);
	/* Positive control: 3 as written is read. */
	*seen = *seen == '0' ? '1' : '0';
	spill(t.path, cur, clen, true);
	EXPECT_EQ(3, slots_load(&t, why, sizeof(why), &err));
	EXPECT_STREQ("", why);
	/* Neither slot reads: nothing is read, both are named. */
	spill(t.path, "{", 1, true);
	spill(t.alt, "x", 1, true);
	EXPECT_EQ(0, slots_load(&t, why, sizeof(why), &err));
	EXPECT_EQ(-EINVAL, err);
	EXPECT_NE(NULL, strstr(why, t.alt)) TH_LOG("%s", why);
	/* The only slot does not read (never cut short: it was created whole). */
	unlink(t.alt);
	EXPECT_EQ(0, slots_load(&t, why, sizeof(why), &err));
	EXPECT_EQ(-EINVAL, err);
	free(old);
	free(cur);
	unlink(t.path);
}

TEST(slots_wrong_slot_and_failed_write)
{
	struct slots t;
	char why[512], *a, *b;
	size_t alen, blen;
	int err;

	slots_init(&t);
	ASSERT_EQ(0, slots_save(&t, 1, 2));
	ASSERT_EQ(0, slots_save(&t, 2, 2));
	/* An even generation in PATH is not read as one. */
	a = slurp(t.alt, &alen);
	ASSERT_NE(NULL, a);
	spill(t.path, a, alen, true);
	EXPECT_EQ(2, slots_load(&t, why, sizeof(why), &err));
	EXPECT_NE(NULL, strstr(why, "generation 2 in the wrong slot")) TH_LOG("%s", why);
	unlink(t.alt);
	EXPECT_EQ(0, slots_load(&t, why, sizeof(why), &err));
	EXPECT_EQ(-EINVAL, err);
	/* A write that fails leaves the other slot as it was. */
	ASSERT_EQ(0, slots_save(&t, 3, 2));
	a = (free(a), slurp(t.path, &alen));
	ASSERT_EQ(0, mkdir(t.alt, 0700));
	EXPECT_NE(0, slots_save(&t, 4, 2));
	b = slurp(t.path, &blen);
	ASSERT_NE(NULL, b);
	EXPECT_EQ(alen, blen);
	EXPECT_EQ(0, memcmp(a, b, alen));
	EXPECT_EQ(3, slots_load(&t, why, sizeof(why), &err));
	rmdir(t.alt);
	free(a);
	free(b);
	unlink(t.path);
}

/* A version 3 file, written whole by an older dtcpd: generation 1, in PATH. */
TEST(slots_version_3)
{
	struct slots t;
	char why[512];
	int err;

	slots_init(&t);
	spill(t.path, good, strlen(good), true);
	EXPECT_EQ(1, slots_load(&t, why, sizeof(why), &err) ? 1 : 0);
	{
		struct dtcp_state back;

		ASSERT_EQ(0, dtcp_state_load(t.path, &back, why, sizeof(why))) TH_LOG("%s", why);
		EXPECT_EQ(1, back.generation);
		EXPECT_EQ(42, back.next_id);
		dtcp_state_free(&back);
	}
	ASSERT_EQ(0, slots_save(&t, 2, 2));
	EXPECT_EQ(2, slots_load(&t, why, sizeof(why), &err));
	/* In PATH.1 it is in the wrong slot. */
	rename(t.path, t.alt);
	spill(t.path, "", 0, true);
	unlink(t.path);
	spill(t.alt, good, strlen(good), true);
	EXPECT_EQ(0, slots_load(&t, why, sizeof(why), &err));
	EXPECT_EQ(-EINVAL, err);
	unlink(t.alt);
}

TEST_HARNESS_MAIN
