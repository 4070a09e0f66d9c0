// SPDX-License-Identifier: GPL-2.0
/*
 * Host-tier tests of what 'dfcctl filter show' prints of a criterion
 * (tools/dfcctl/filter_fmt.c): a blob dtcpd wrote, through its real
 * request path on the in-memory kernel (agent/kfake.c), comes back in
 * DTCP form with its control source; a damaged one is said to be so; any
 * other blob is its text with every control character escaped.
 */
#include <errno.h>

#include "dtcp_fixture.h"
#include "dfcctl.h"

static uint32_t owner_of(struct _test_data_srv *self, unsigned int i)
{
	return self->s.cfg->groups[0].srcs[i].owner;
}

/* The blob of criterion kid 0 of the last ADD from source i, as crit_text() prints it. */
static char *added_text(struct _test_data_srv *self, unsigned int i, char *cs, size_t cs_size,
			char *blob, size_t *len)
{
	struct kfake_crit *k = kfake_find(&self->k, owner_of(self, i),
					  DTCP_KID(num("Criteria-ID"), 0));

	if (!k)
		return NULL;
	memcpy(blob, k->blob, k->c.blob_len);
	*len = k->c.blob_len;
	return crit_text(k->blob, k->c.blob_len, cs, cs_size);
}

TEST_F(srv, dtcp_form_as_sent)
{
	char cs[96], blob[DFC_CRIT_BLOB_MAX];
	size_t len;
	char *t;

	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Source-Address: 10.0.0.1|"
			 "Dest-Port: 53|Protocol: 17|Timeout-Idle: 600|Priority: 4"));
	ASSERT_EQ(200, reply(self, 0, 0));
	t = added_text(self, 0, cs, sizeof(cs), blob, &len);
	ASSERT_NE(NULL, t);
	/* the filter as sent, in its order; not the timeouts, priority or destination */
	EXPECT_STREQ("Source-Address=10.0.0.1 Dest-Port=53 Protocol=17", t);
	/* Format 6 leaves the source to the owner: 'filter show' asks dtcpd. */
	EXPECT_STREQ("", cs);
	free(t);
}

TEST_F(srv, dtcp_form_quotes_lists_and_extensions)
{
	char cs[96], blob[DFC_CRIT_BLOB_MAX];
	size_t len;
	char *t;

	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Source-Address: 10.0.0.1, 10.0.0.2|"
			 "Dest-Port: 53|X-Note: \"a\\\\b\"|Timeout-Idle: 600|Priority: 4"));
	ASSERT_EQ(200, reply(self, 0, 0)) TH_LOG("%s", self->r.n ? self->r.d[0].buf : "");
	t = added_text(self, 0, cs, sizeof(cs), blob, &len);
	ASSERT_NE(NULL, t);
	/* a value with a blank, quote or backslash is quoted, those escaped within */
	EXPECT_STREQ("Source-Address=\"10.0.0.1, 10.0.0.2\" Dest-Port=53 "
		     "X-Note=\"\\\"a\\\\\\\\b\\\"\"", t);
	free(t);
}

TEST_F(srv, damaged_dtcpd_blob)
{
	char cs[96], blob[DFC_CRIT_BLOB_MAX + 1], want[64];
	size_t len;
	char *t;

	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Dest-Port: 80|Timeout-Idle: 600|"
			 "Priority: 4"));
	ASSERT_EQ(200, reply(self, 0, 0));
	t = added_text(self, 0, cs, sizeof(cs), blob, &len);
	/* the positive control: as written, it reads */
	ASSERT_NE(NULL, t);
	EXPECT_STREQ("Dest-Port=80", t);
	free(t);
	/* one attribute it does not know: not read at all, and no name taken from it */
	ASSERT_LT(len + 8, sizeof(blob));
	memcpy(blob + len, "\x08\x00\x1f\x00\x01\x00\x00\x00", 8); /* type 31, u32 */
	len += 8;
	t = crit_text(blob, (uint16_t)len, cs, sizeof(cs));
	ASSERT_NE(NULL, t);
	snprintf(want, sizeof(want), "<unreadable dtcpd blob, %zu bytes>", len);
	EXPECT_STREQ(want, t);
	EXPECT_STREQ("", cs);
	free(t);
}

TEST(text_escaped)
{
	static const struct {
		const char *in;
		size_t len;
		const char *out;
	} v[] = {
		{ "src 10.0.0.0/8 dport 80", 23, "src 10.0.0.0/8 dport 80" },
		/* a C string's terminator is not text */
		{ "proto 6", 8, "proto 6" },
		/* line breaks join lines; a terminal escape stays visible, harmless */
		{ "src 1.2.3.4\r\n\x1b[2Jdport 80\n", 27, "src 1.2.3.4; \\x1b[2Jdport 80" },
		{ "a\tb\x7f", 4, "a\\x09b\\x7f" },
		/* C1 controls (NEL) as code points; bytes that are not UTF-8 as bytes */
		{ "x\xc2\x85y\xff\xc3", 6, "x\\u0085y\\xff\\xc3" },
		/* other UTF-8 passes; backslashes are doubled */
		{ "caf\xc3\xa9 \\", 7, "caf\xc3\xa9 \\\\" },
		{ "a\0b", 3, "a\\x00b" },
	};
	char cs[8];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char *t = crit_text(v[i].in, (uint16_t)v[i].len, cs, sizeof(cs));

		ASSERT_NE(NULL, t);
		EXPECT_STREQ(v[i].out, t) TH_LOG("case %zu", i);
		EXPECT_STREQ("", cs);
		free(t);
	}
}

TEST(names_escaped)
{
	char buf[96];

	fmt_name(buf, sizeof(buf), "cs1");
	EXPECT_STREQ("cs1", buf);
	fmt_name(buf, sizeof(buf), "cd\x1b]0;x\x07\xc2\x9b");
	EXPECT_STREQ("cd\\x1b]0;x\\x07\\u009b", buf);
	/* cut to the buffer, terminated */
	fmt_name(buf, 6, "\x01\x02");
	EXPECT_STREQ("\\x01\\", buf);
}

TEST_HARNESS_MAIN
