// SPDX-License-Identifier: GPL-2.0
/*
 * Host-tier tests of the blob's formats (agent/blob.c, agent/blob_v2.c):
 * a blob dtcpd wrote reads back, and every rule of each format, broken
 * one at a time on a real blob, makes the whole blob unreadable. What a
 * restart does with blobs is unit_dtcp_trust's.
 */
#include <errno.h>
#include <stdalign.h>
#include <libmnl/libmnl.h>

#include "dtcp_fixture.h"

/* ---- formats 5, 4 and 3: attributes ---- */

/* A blob being edited: its magic, then its attributes. */
struct ed {
	alignas(struct nlattr) uint8_t b[2 * DFC_CRIT_BLOB_MAX];
	size_t len;
};

static void ed_put(struct ed *e, uint16_t type, const void *data, size_t dlen)
{
	struct nlattr a = { .nla_len = (uint16_t)(MNL_ATTR_HDRLEN + dlen), .nla_type = type };

	memcpy(e->b + e->len, &a, sizeof(a));
	if (dlen)
		memcpy(e->b + e->len + MNL_ATTR_HDRLEN, data, dlen);
	memset(e->b + e->len + a.nla_len, 0, MNL_ALIGN(a.nla_len) - a.nla_len);
	e->len += MNL_ALIGN(a.nla_len);
}

static void ed_u32(struct ed *e, uint16_t type, uint32_t v) { ed_put(e, type, &v, 4); }
static void ed_str(struct ed *e, uint16_t type, const char *s) { ed_put(e, type, s, strlen(s) + 1); }

static size_t ed_nest(struct ed *e, uint16_t type)
{
	size_t at = e->len;

	ed_put(e, type | NLA_F_NESTED, NULL, 0);
	return at;
}

static void ed_nest_end(struct ed *e, size_t at)
{
	uint16_t len = (uint16_t)(e->len - at);

	memcpy(e->b + at, &len, sizeof(len));
}

/* Take out the first top-level attribute of this type; false if none. */
static bool ed_drop(struct ed *e, uint16_t type)
{
	for (size_t o = 4; o + MNL_ATTR_HDRLEN <= e->len;) {
		struct nlattr a;
		size_t n;

		memcpy(&a, e->b + o, sizeof(a));
		n = MNL_ALIGN(a.nla_len);
		if ((a.nla_type & ~NLA_F_NESTED) == type) {
			memmove(e->b + o, e->b + o + n, e->len - o - n);
			e->len -= n;
			return true;
		}
		o += n;
	}
	return false;
}

static bool ed_reads(const struct ed *e)
{
	struct dtcp_blob b;
	int err = dtcp_blob_parse(e->b, e->len, &b);

	dtcp_blob_free(&b);
	return !err;
}

/* Each parameter as Name=value; */
static void lines_cb(const char *name, const char *value, void *data)
{
	char *out = data;

	snprintf(out + strlen(out), 256 - strlen(out), "%s=%s;", name, value);
}

/* A real blob: an ADD through dtcpd over the in-memory kernel. False if it failed. */
static bool added(struct _test_data_srv *self, const char *params, struct ed *e)
{
	struct kfake_crit *k;

	if (req(self, 0, "ADD DTCP/0.7", params) != 1 || reply(self, 0, 0) != 200)
		return false;
	k = kfake_find(&self->k, self->s.cfg->groups[0].srcs[0].owner,
		       DTCP_KID(num("Criteria-ID"), 0));
	if (!k)
		return false;
	memcpy(e->b, k->blob, k->c.blob_len);
	e->len = k->c.blob_len;
	return true;
}

/* One break of the format: what it does to a copy of the good blob. */
struct brk {
	const char *what;
	void (*apply)(struct ed *e, uint32_t kid);
};

#define BRK(name, body) static void brk_##name(struct ed *e, uint32_t kid) \
	{ (void)kid; body; }

BRK(version6, e->b[3] = 6)
BRK(version2, e->b[3] = 2)
BRK(cut1, e->len -= 1)
BRK(cut4, e->len -= 4)
BRK(zeros, memset(e->b + e->len, 0, 4); e->len += 4)
BRK(tail2, e->b[e->len++] = 8; e->b[e->len++] = 0)
BRK(unknown, ed_u32(e, DTCP_BLOB_MAX + 1, 1))
BRK(type0, ed_u32(e, 0, 1))
/* Format 5 leaves the Criteria-ID and k to the kernel id. */
BRK(id, ed_u32(e, DTCP_BLOB_ID, 5))
BRK(param_twice, ed_str(e, DTCP_BLOB_P_FIRST + 4, "81"))
BRK(no_csource, ed_drop(e, DTCP_BLOB_CSOURCE))
BRK(from_text, ed_drop(e, DTCP_BLOB_FROM); ed_str(e, DTCP_BLOB_FROM, "192.0.2.1"))
BRK(from_len8, ed_drop(e, DTCP_BLOB_FROM); ed_put(e, DTCP_BLOB_FROM, "\xc0\0\2\1\xc0\0\2\1", 8))
BRK(from_twice, ed_put(e, DTCP_BLOB_FROM, "\xc0\0\2\1", 4))
BRK(no_dest, ed_drop(e, DTCP_BLOB_DEST))
BRK(k_zero, ed_u32(e, DTCP_BLOB_K, 0))
BRK(n_two, ed_u32(e, DTCP_BLOB_N, 2))
BRK(id_zero, ed_drop(e, DTCP_BLOB_ID); ed_u32(e, DTCP_BLOB_ID, 0))
BRK(n_one, ed_u32(e, DTCP_BLOB_N, 1))
BRK(n_zero, ed_u32(e, DTCP_BLOB_N, 0))
BRK(idle_long, ed_drop(e, DTCP_BLOB_IDLE); ed_u32(e, DTCP_BLOB_IDLE, DFC_TIMEOUT_MAX + 1))
BRK(idle_u16, ed_drop(e, DTCP_BLOB_IDLE); ed_put(e, DTCP_BLOB_IDLE, "\x58\x02", 2))
BRK(packets_zero, uint64_t z = 0; ed_put(e, DTCP_BLOB_PACKETS, &z, 8))
BRK(csource_ctl, ed_drop(e, DTCP_BLOB_CSOURCE); ed_str(e, DTCP_BLOB_CSOURCE, "c\ns1"))
BRK(csource_empty, ed_drop(e, DTCP_BLOB_CSOURCE); ed_str(e, DTCP_BLOB_CSOURCE, ""))
BRK(csource_no_nul, ed_drop(e, DTCP_BLOB_CSOURCE); ed_put(e, DTCP_BLOB_CSOURCE, "cs1", 3))
BRK(csource_nul, ed_drop(e, DTCP_BLOB_CSOURCE); ed_put(e, DTCP_BLOB_CSOURCE, "c\0s1", 5))
BRK(csource_pad, ed_drop(e, DTCP_BLOB_CSOURCE); ed_str(e, DTCP_BLOB_CSOURCE, "cs");
    e->b[e->len - 1] = 'x')
BRK(id_nested, ed_drop(e, DTCP_BLOB_ID); ed_u32(e, DTCP_BLOB_ID | NLA_F_NESTED, 1))
BRK(id_byteorder, ed_drop(e, DTCP_BLOB_ID); ed_u32(e, DTCP_BLOB_ID | NLA_F_NET_BYTEORDER, 1))
BRK(dest_flat, ed_drop(e, DTCP_BLOB_DEST); ed_u32(e, DTCP_BLOB_DEST, kid))
/* The own destination's kernel id is the kernel's: never in the blob. */
BRK(dest_own_kid, ed_drop(e, DTCP_BLOB_DEST); size_t n = ed_nest(e, DTCP_BLOB_DEST);
    ed_str(e, DTCP_BLOB_D_NAME, "cd1"); ed_u32(e, DTCP_BLOB_D_KID, kid); ed_nest_end(e, n))
BRK(dest_no_name, ed_drop(e, DTCP_BLOB_DEST); size_t n = ed_nest(e, DTCP_BLOB_DEST);
    ed_nest_end(e, n))
BRK(dest_unknown, ed_drop(e, DTCP_BLOB_DEST); size_t n = ed_nest(e, DTCP_BLOB_DEST);
    ed_str(e, DTCP_BLOB_D_NAME, "cd1"); ed_u32(e, DTCP_BLOB_D_MAX + 1, 0); ed_nest_end(e, n))
/* Destination 0 of two, the criterion's own being 1: ids as the edit gives them. */
static void two_dests(struct ed *e, bool kid0, uint32_t v0, bool kid1, uint32_t v1)
{
	size_t n;

	ed_drop(e, DTCP_BLOB_DEST);
	ed_u32(e, DTCP_BLOB_N, 2);
	n = ed_nest(e, DTCP_BLOB_DEST);
	ed_str(e, DTCP_BLOB_D_NAME, "cd1");
	if (kid0)
		ed_u32(e, DTCP_BLOB_D_KID, v0);
	ed_nest_end(e, n);
	n = ed_nest(e, DTCP_BLOB_DEST);
	ed_str(e, DTCP_BLOB_D_NAME, "cd2");
	if (kid1)
		ed_u32(e, DTCP_BLOB_D_KID, v1);
	ed_nest_end(e, n);
}
BRK(other_no_kid, two_dests(e, false, 0, false, 0))
BRK(other_top_bit, two_dests(e, true, kid | 0x80000000u, false, 0))
BRK(other_zero, two_dests(e, true, 0, false, 0))
BRK(own_of_two_kid, two_dests(e, true, kid, true, kid + 1))
BRK(k_one, two_dests(e, true, kid, false, 0); ed_u32(e, DTCP_BLOB_K, 1))
BRK(x_name, size_t n = ed_nest(e, DTCP_BLOB_XPARAM); ed_str(e, DTCP_BLOB_X_NAME, "X A");
    ed_str(e, DTCP_BLOB_X_VALUE, "1"); ed_nest_end(e, n))
BRK(x_not_x, size_t n = ed_nest(e, DTCP_BLOB_XPARAM); ed_str(e, DTCP_BLOB_X_NAME, "Priority");
    ed_str(e, DTCP_BLOB_X_VALUE, "1"); ed_nest_end(e, n))
BRK(x_value_crlf, size_t n = ed_nest(e, DTCP_BLOB_XPARAM); ed_str(e, DTCP_BLOB_X_NAME, "X-A");
    ed_str(e, DTCP_BLOB_X_VALUE, "1\r\nX-B: 2"); ed_nest_end(e, n))
BRK(x_no_value, size_t n = ed_nest(e, DTCP_BLOB_XPARAM); ed_str(e, DTCP_BLOB_X_NAME, "X-A");
    ed_nest_end(e, n))
BRK(x_twice, size_t n = ed_nest(e, DTCP_BLOB_XPARAM); ed_str(e, DTCP_BLOB_X_NAME, "x-NOTE");
    ed_str(e, DTCP_BLOB_X_VALUE, "b"); ed_nest_end(e, n))
BRK(param_ctl, ed_drop(e, DTCP_BLOB_P_FIRST + 4); ed_str(e, DTCP_BLOB_P_FIRST + 4, "8\x01"))

TEST_F(srv, v5_strict)
{
	static const struct brk brks[] = {
#define B(n) { #n, brk_##n }
		B(version6), B(version2), B(cut1), B(cut4), B(zeros), B(tail2), B(unknown),
		B(type0), B(id), B(param_twice), B(no_csource), B(from_text), B(from_len8),
		B(from_twice), B(no_dest), B(k_zero), B(k_one), B(n_two), B(n_one), B(n_zero),
		B(id_zero), B(idle_long), B(idle_u16), B(packets_zero), B(csource_ctl),
		B(csource_empty), B(csource_no_nul), B(csource_nul), B(csource_pad),
		B(id_nested), B(id_byteorder), B(dest_flat), B(dest_own_kid), B(dest_no_name),
		B(dest_unknown), B(other_no_kid), B(other_top_bit), B(other_zero),
		B(own_of_two_kid), B(x_name), B(x_not_x), B(x_value_crlf), B(x_no_value),
		B(x_twice), B(param_ctl),
#undef B
	};
	uint32_t kid = self->s.cfg->groups[0].dests[0].kid;
	static struct ed good, e;
	char lines[256] = "";
	struct dtcp_blob b;

	ASSERT_TRUE(added(self, "Cdest-ID: cd1|Dest-Port: 80|Timeout-Idle: 600|X-Note: a", &good));
	/* The positive controls: as written it reads, whole; so do edits that keep the rules. */
	ASSERT_EQ(0, memcmp(good.b, "dtc\5", 4));
	ASSERT_EQ(0, dtcp_blob_parse(good.b, good.len, &b));
	EXPECT_STREQ("cs1", b.csource);
	EXPECT_STREQ("192.0.2.1", b.csource_addr);
	EXPECT_EQ(0, b.id);			/* the kernel's, given below */
	EXPECT_EQ(-EINVAL, dtcp_blob_own_id(&b, 0, 0));
	EXPECT_EQ(-EINVAL, dtcp_blob_own_id(&b, 7, 1));	/* destination 0 of 1 */
	EXPECT_EQ(0, dtcp_blob_own_id(&b, 7, 0));
	EXPECT_EQ(7, b.id);
	EXPECT_EQ(-EINVAL, dtcp_blob_own_id(&b, 8, 0));	/* given once */
	EXPECT_STREQ("cd1", b.cdests);
	EXPECT_EQ(0, b.cdest_kid[0]);		/* the kernel's, given below */
	EXPECT_EQ(-EINVAL, dtcp_blob_own_kid(&b, 0));
	EXPECT_EQ(-EINVAL, dtcp_blob_own_kid(&b, kid | 0x80000000u)); /* another kind */
	EXPECT_EQ(0, dtcp_blob_own_kid(&b, kid));
	EXPECT_EQ(kid, b.cdest_kid[0]);
	EXPECT_EQ(-EINVAL, dtcp_blob_own_kid(&b, kid + 1));	/* given once */
	EXPECT_EQ(600, b.t_idle);
	EXPECT_EQ(1, b.n);
	EXPECT_FALSE(b.request_dest);
	dtcp_blob_free(&b);
	ASSERT_EQ(0, dtcp_blob_lines((const char *)good.b, good.len, lines_cb, lines));
	EXPECT_STREQ("Dest-Port=80;X-Note=a;", lines);
	e = good;
	ASSERT_TRUE(ed_drop(&e, DTCP_BLOB_CSOURCE));
	ed_str(&e, DTCP_BLOB_CSOURCE, "cs");	/* padded with a zero byte */
	EXPECT_TRUE(ed_reads(&e));
	e = good;
	ASSERT_TRUE(ed_drop(&e, DTCP_BLOB_IDLE));
	ed_u32(&e, DTCP_BLOB_IDLE, DFC_TIMEOUT_MAX);
	EXPECT_TRUE(ed_reads(&e));
	e = good;
	ASSERT_TRUE(ed_drop(&e, DTCP_BLOB_FROM));	/* an unknown address */
	ASSERT_EQ(0, dtcp_blob_parse(e.b, e.len, &b));
	EXPECT_STREQ("?", b.csource_addr);
	dtcp_blob_free(&b);
	e = good;
	ASSERT_TRUE(ed_drop(&e, DTCP_BLOB_FROM));
	ed_put(&e, DTCP_BLOB_FROM, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
	ASSERT_EQ(0, dtcp_blob_parse(e.b, e.len, &b));
	EXPECT_STREQ("2001:db8::1", b.csource_addr);
	dtcp_blob_free(&b);
	e = good;
	two_dests(&e, true, kid, false, 0);
	ASSERT_EQ(0, dtcp_blob_parse(e.b, e.len, &b));
	EXPECT_EQ(1, b.k);			/* the one without its kernel id */
	EXPECT_EQ(-EINVAL, dtcp_blob_own_id(&b, 7, 0));
	EXPECT_EQ(0, dtcp_blob_own_id(&b, 7, 1));
	EXPECT_EQ(kid, b.cdest_kid[0]);
	EXPECT_EQ(0, b.cdest_kid[1]);
	EXPECT_EQ(0, dtcp_blob_own_kid(&b, kid + 1));
	EXPECT_EQ(kid + 1, b.cdest_kid[1]);
	dtcp_blob_free(&b);

	for (unsigned int i = 0; i < sizeof(brks) / sizeof(brks[0]); i++) {
		e = good;
		brks[i].apply(&e, kid);
		EXPECT_EQ(-EINVAL, dtcp_blob_parse(e.b, e.len, &b)) TH_LOG("%s", brks[i].what);
		EXPECT_EQ(NULL, b.cdests);
		EXPECT_EQ(-EINVAL, dtcp_blob_lines((const char *)e.b, e.len, NULL, NULL))
			TH_LOG("%s", brks[i].what);
		/*
		 * Still dtcpd's (a restart deletes it rather than leave it to
		 * another owner), but for "dtc\2": no format of dtcpd's.
		 */
		EXPECT_EQ(brks[i].apply != brk_version2, dtcp_blob_is_dtcpd(e.b, e.len))
			TH_LOG("%s", brks[i].what);
	}
	EXPECT_EQ(-EINVAL, dtcp_blob_parse(good.b, 3, &b));
	EXPECT_EQ(-EINVAL, dtcp_blob_parse(good.b, 4, &b));	/* no attribute at all */
}

/* The blob of a criterion with a request-defined destination reads back. */
TEST_F(srv, v5_request_dest)
{
	static struct ed good;
	struct dtcp_blob b;
	struct kfake_crit *k;

	ASSERT_EQ(1, req(self, 1, "ADD DTCP/0.7",
			 "Cdest-ID: md1|Flags: Static|X-JTap-Cdest-Dest-Address: 2001:db8::40|"
			 "X-JTap-Cdest-Dest-Port: 4000|X-JTap-Cdest-Source-Address: 2001:db8::2|"
			 "X-JTap-Cdest-Source-Port: 49153|X-JTap-Cdest-TTL: 9|Dest-Port: 80"));
	ASSERT_EQ(200, reply(self, 1, 0));
	k = kfake_find(&self->k, self->s.cfg->groups[0].srcs[1].owner,
		       DTCP_KID(num("Criteria-ID"), 0));
	ASSERT_NE(NULL, k);
	memcpy(good.b, k->blob, k->c.blob_len);
	good.len = k->c.blob_len;
	ASSERT_EQ(0, dtcp_blob_parse(good.b, good.len, &b));
	EXPECT_TRUE(b.request_dest);
	EXPECT_EQ(AF_INET6, b.rkd[0].family);
	EXPECT_EQ(4000, b.rkd[0].dport);
	EXPECT_EQ(49153, b.rkd[0].sport);
	EXPECT_EQ(9, b.rkd[0].ttl);
	EXPECT_STREQ("md1", b.rkd[0].name);
	EXPECT_EQ(0, b.cdest_kid[0]);
	EXPECT_NE(0u, k->c.cdest & 0x80000000u);
	EXPECT_EQ(-EINVAL, dtcp_blob_own_kid(&b, k->c.cdest & 0x7fffffffu)); /* a configured one */
	EXPECT_EQ(0, dtcp_blob_own_kid(&b, k->c.cdest));
	EXPECT_EQ(k->c.cdest, b.cdest_kid[0]);
	EXPECT_EQ(k->c.cdest, b.rkd[0].kid);
	dtcp_blob_free(&b);
}

/* good (format 5) as format 4 wrote it: Criteria-ID id, the address as text. */
static void to_v4(struct ed *e, uint32_t id)
{
	e->b[3] = 4;
	ed_u32(e, DTCP_BLOB_ID, id);
	ed_drop(e, DTCP_BLOB_FROM);
	ed_str(e, DTCP_BLOB_FROM, "192.0.2.1");
}

/*
 * Format 4, still read: the Criteria-ID is in the blob, and is the one
 * the kernel id's must equal; the source's address is text.
 */
TEST_F(srv, v4_read)
{
	static struct ed good, e;
	struct dtcp_blob b;

	ASSERT_TRUE(added(self, "Cdest-ID: cd1|Dest-Port: 80|Timeout-Idle: 600", &good));
	e = good;
	to_v4(&e, 5);
	ASSERT_EQ(0, dtcp_blob_parse(e.b, e.len, &b));
	EXPECT_EQ(5, b.id);
	EXPECT_STREQ("192.0.2.1", b.csource_addr);
	EXPECT_EQ(-EINVAL, dtcp_blob_own_id(&b, 6, 0));
	EXPECT_EQ(0, dtcp_blob_own_id(&b, 5, 0));
	dtcp_blob_free(&b);
	ASSERT_TRUE(ed_drop(&e, DTCP_BLOB_ID));
	EXPECT_FALSE(ed_reads(&e));		/* format 4 needs it */
	e = good;
	e.b[3] = 4;
	EXPECT_FALSE(ed_reads(&e));		/* no id, a binary address */
	ed_u32(&e, DTCP_BLOB_ID, 5);
	EXPECT_FALSE(ed_reads(&e));		/* a binary address */
}

/*
 * Format 3, still read: destination k's kernel id is in the blob, and is
 * the one the kernel's must equal.
 */
TEST_F(srv, v3_read)
{
	uint32_t kid = self->s.cfg->groups[0].dests[0].kid;
	static struct ed good, e;
	struct dtcp_blob b;
	size_t n;

	ASSERT_TRUE(added(self, "Cdest-ID: cd1|Dest-Port: 80|Timeout-Idle: 600", &good));
	to_v4(&good, 5);
	e = good;
	ASSERT_TRUE(ed_drop(&e, DTCP_BLOB_DEST));
	n = ed_nest(&e, DTCP_BLOB_DEST);
	ed_str(&e, DTCP_BLOB_D_NAME, "cd1");
	ed_u32(&e, DTCP_BLOB_D_KID, kid);
	ed_nest_end(&e, n);
	EXPECT_FALSE(ed_reads(&e));		/* format 4 has no own kid */
	e.b[3] = 3;
	ASSERT_EQ(0, dtcp_blob_parse(e.b, e.len, &b));
	EXPECT_EQ(kid, b.cdest_kid[0]);
	EXPECT_EQ(-EINVAL, dtcp_blob_own_kid(&b, kid + 1));
	EXPECT_EQ(0, dtcp_blob_own_kid(&b, kid));
	dtcp_blob_free(&b);
	e = good;
	e.b[3] = 3;
	EXPECT_FALSE(ed_reads(&e));		/* format 3 has it */
}

/* ---- format 2: JSON, still read ---- */

/* Every rule of format 2, one broken at a time, on a blob as dtcpd wrote it. */
TEST_F(srv, v2_strict)
{
	static const struct { const char *from, *to; } bad[] = {
		{ "{\"dtcpd\":2,", "{\"dtcpd\":1," },		/* another version */
		{ "{\"dtcpd\":2,", "{\"dtcpd\":3," },
		{ "{\"dtcpd\":2,", "{\"dtcpd\":2,\"dtcpd\":2," },	/* a field twice */
		{ "{\"dtcpd\":2,", "{\"dtcpd\":2,\"id\":9," },
		{ "{\"dtcpd\":2,", "{\"dtcpd\":2,\"extra\":0," },	/* unknown */
		{ "{\"dtcpd\":2,", "{" },			/* missing */
		{ "\"id\":1,", "\"id\":\"1\"," },		/* wrong type */
		{ "\"id\":1,", "\"id\":0," },			/* out of range */
		{ "\"id\":1,", "\"id\":4294967296," },
		{ "\"k\":0,", "\"k\":1," },			/* k < n */
		{ "\"n\":1,", "\"n\":3," },
		{ "\"flags\":0,", "\"flags\":4," },		/* unknown flag */
		{ "\"idle\":600,", "\"idle\":86401," },
		{ "\"idle\":600,", "\"idle\":-1," },
		{ "\"csource\":\"cs1\"", "\"csource\":\"c\\ns1\"" },	/* control character */
		{ "\"csource\":\"cs1\"", "\"csource\":\"\"" },
		{ "\"csource\":\"cs1\"", "\"csource\":\"c\\u0000s1\"" },
		{ "\"packets\":\"0\"", "\"packets\":0" },
		{ "\"packets\":\"0\"", "\"packets\":\"18446744073709551616\"" },
		{ "\"packets\":\"0\"", "\"packets\":\"-1\"" },
		{ "\"cdest\":[\"cd1\"]", "\"cdest\":[\"cd1\",\"cd2\"]" },	/* counts differ */
		{ "\"cdest\":[\"cd1\"]", "\"cdest\":[1]" },
		{ "\"cdest\":[\"cd1\"]", "\"cdest\":\"cd1\"" },
		{ "\"kid\":[", "\"kid\":[0],\"y\":[" },
		{ "\"params\":[", "\"params\":[[\"Bad Name\",\"1\"]," },
		{ "\"params\":[", "\"params\":[[\"X-A\",\"1\\r\\nX-B: 2\"]," },
		{ "\"params\":[", "\"params\":[[\"X-A\"]," },
		{ "\"params\":[", "\"params\":{},\"z\":[" },
		{ "}", "}}" },				/* trailing bytes */
		{ "}", "" },				/* truncated */
	};
	uint32_t kid = self->s.cfg->groups[0].dests[0].kid;
	char good[DFC_CRIT_BLOB_MAX + 1], buf[DFC_CRIT_BLOB_MAX + 64], from[32], to[32];
	char lines[256] = "";
	struct dtcp_blob b;

	/* What dtcpd wrote for "Cdest-ID: cd1|Dest-Port: 80|Timeout-Idle: 600" before format 3. */
	snprintf(good, sizeof(good),
		 "{\"dtcpd\":2,\"id\":1,\"k\":0,\"n\":1,\"added\":1104580861111,\"flags\":0,"
		 "\"prio\":3,\"idle\":600,\"total\":0,\"csource\":\"cs1\",\"from\":\"192.0.2.1\","
		 "\"packets\":\"0\",\"bytes\":\"0\",\"cdest\":[\"cd1\"],\"kid\":[%u],"
		 "\"params\":[[\"Dest-Port\",\"80\"]]}", kid);
	/* The positive control: it reads. */
	ASSERT_EQ(0, dtcp_blob_parse(good, strlen(good), &b)) TH_LOG("%s", good);
	EXPECT_STREQ("cs1", b.csource);
	EXPECT_EQ(kid, b.cdest_kid[0]);
	EXPECT_EQ(600, b.t_idle);
	EXPECT_FALSE(b.request_dest);
	dtcp_blob_free(&b);
	ASSERT_EQ(0, dtcp_blob_lines(good, strlen(good), lines_cb, lines));
	EXPECT_STREQ("Dest-Port=80;", lines);
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(buf, sizeof(buf), "%s", good);
		if (!strcmp(bad[i].from, "}")) {
			/* the last brace */
			char *e = strrchr(buf, '}');

			ASSERT_NE(NULL, e);
			snprintf(e, sizeof(buf) - (e - buf), "%s", bad[i].to);
		} else {
			ASSERT_TRUE(replace(buf, sizeof(buf), bad[i].from, bad[i].to))
				TH_LOG("%u: no '%s' in %s", i, bad[i].from, good);
		}
		EXPECT_EQ(-EINVAL, dtcp_blob_parse(buf, strlen(buf), &b)) TH_LOG("%u: %s", i, buf);
		EXPECT_EQ(NULL, b.cdests);
		EXPECT_EQ(-EINVAL, dtcp_blob_lines(buf, strlen(buf), NULL, NULL));
	}
	/* Without "rdest", an id with the top bit (a request-defined one) is refused. */
	snprintf(buf, sizeof(buf), "%s", good);
	snprintf(from, sizeof(from), "\"kid\":[%u]", kid);
	snprintf(to, sizeof(to), "\"kid\":[%u]", kid | 0x80000000u);
	ASSERT_TRUE(replace(buf, sizeof(buf), from, to));
	EXPECT_EQ(-EINVAL, dtcp_blob_parse(buf, strlen(buf), &b));
	/* The old line format is not read, but known as dtcpd's. */
	snprintf(buf, sizeof(buf), "dtcpd 1\nid 1 0 1\ncsource cs1\nfrom 1.2.3.4\nadded 0\n"
		 "flags 0 1\ntimeouts 600 0 0 0\nrdest 0\nkid %u\nCdest-ID: cd1\n", kid);
	EXPECT_EQ(-EINVAL, dtcp_blob_parse(buf, strlen(buf), &b));
	EXPECT_TRUE(dtcp_blob_is_dtcpd(buf, strlen(buf)));
	EXPECT_FALSE(dtcp_blob_is_dtcpd("hello", 5));
	EXPECT_EQ(-EINVAL, dtcp_blob_parse(NULL, 0, &b));
}

TEST_HARNESS_MAIN
