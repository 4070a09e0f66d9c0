// SPDX-License-Identifier: GPL-2.0
/*
 * Host-tier tests of the blob's formats (agent/blob_write.c, agent/blob.c,
 * agent/blob_v2.c): a blob dtcpd wrote reads back, and every rule of each
 * format, broken one at a time on a real blob, makes the whole blob
 * unreadable. What a restart does with blobs is unit_dtcp_trust's.
 */
#include <errno.h>
#include <stdalign.h>
#include <libmnl/libmnl.h>

#include "dtcp_fixture.h"

/* ---- formats 6 to 3: attributes ---- */

/* A blob being edited: its magic (6: and the time added), then its attributes. */
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
static void ed_u64(struct ed *e, uint16_t type, uint64_t v) { ed_put(e, type, &v, 8); }
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
	for (size_t o = e->b[3] >= 6 ? DTCP_BLOB_HEAD : 4; o + MNL_ATTR_HDRLEN <= e->len;) {
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

/* e (format 6, cs1's, one configured destination: cd1) as format 5 wrote it. */
static bool ed_to_v5(struct ed *e)
{
	uint16_t len = (uint16_t)e->len;
	bool ok = blob_to_v5(e->b, &len, sizeof(e->b), "cs1", "cd1");

	e->len = len;
	return ok;
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

BRK(version7, e->b[3] = 7)
BRK(version2, e->b[3] = 2)
BRK(version5, e->b[3] = 5)
BRK(cut1, e->len -= 1)
BRK(cut4, e->len -= 4)
BRK(head_cut, e->len = DTCP_BLOB_HEAD - 1)
BRK(added_big, memset(e->b + 4, 0xff, 8))
BRK(added_attr, ed_u64(e, DTCP_BLOB_ADDED, 1104580861111ULL))
BRK(zeros, memset(e->b + e->len, 0, 4); e->len += 4)
BRK(tail2, e->b[e->len++] = 8; e->b[e->len++] = 0)
BRK(unknown, ed_u32(e, DTCP_BLOB_MAX + 1, 1))
BRK(type0, ed_u32(e, 0, 1))
/* From format 5 the kernel id has the Criteria-ID and k; from 6 the owner the source. */
BRK(id, ed_u32(e, DTCP_BLOB_ID, 5))
BRK(csource, ed_str(e, DTCP_BLOB_CSOURCE, "cs1"))
BRK(param_twice, ed_str(e, DTCP_BLOB_P_FIRST + 4, "81"))
BRK(addr_twice, ed_str(e, DTCP_BLOB_P_FIRST, "10.1.2.3"))
BRK(addr_len3, ed_drop(e, DTCP_BLOB_PA_FIRST); ed_put(e, DTCP_BLOB_PA_FIRST, "\x0a\1\2", 3))
BRK(addr_len6, ed_drop(e, DTCP_BLOB_PA_FIRST); ed_put(e, DTCP_BLOB_PA_FIRST, "\x0a\1\2\3\x20\0", 6))
BRK(addr_plen33, ed_drop(e, DTCP_BLOB_PA_FIRST + 1);
    ed_put(e, DTCP_BLOB_PA_FIRST + 1, "\x0a\x09\0\0\x21", 5))
BRK(addr_plen129, ed_drop(e, DTCP_BLOB_PA_FIRST + 1);
    ed_put(e, DTCP_BLOB_PA_FIRST + 1, "\x20\1\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\0\x81", 17))
BRK(from_text, ed_drop(e, DTCP_BLOB_FROM); ed_str(e, DTCP_BLOB_FROM, "192.0.2.1"))
BRK(from_len8, ed_drop(e, DTCP_BLOB_FROM); ed_put(e, DTCP_BLOB_FROM, "\xc0\0\2\1\xc0\0\2\1", 8))
BRK(from_twice, ed_put(e, DTCP_BLOB_FROM, "\xc0\0\2\1", 4))
BRK(k_zero, ed_u32(e, DTCP_BLOB_K, 0))
BRK(n_two, ed_u32(e, DTCP_BLOB_N, 2))
BRK(n_one, ed_u32(e, DTCP_BLOB_N, 1))
BRK(n_zero, ed_u32(e, DTCP_BLOB_N, 0))
BRK(idle_long, ed_drop(e, DTCP_BLOB_IDLE); ed_u32(e, DTCP_BLOB_IDLE, DFC_TIMEOUT_MAX + 1))
BRK(idle_u16, ed_drop(e, DTCP_BLOB_IDLE); ed_put(e, DTCP_BLOB_IDLE, "\x58\x02", 2))
BRK(idle_nested, ed_drop(e, DTCP_BLOB_IDLE); ed_u32(e, DTCP_BLOB_IDLE | NLA_F_NESTED, 600))
BRK(idle_byteorder, ed_drop(e, DTCP_BLOB_IDLE);
    ed_u32(e, DTCP_BLOB_IDLE | NLA_F_NET_BYTEORDER, 600))
BRK(packets_zero, uint64_t z = 0; ed_put(e, DTCP_BLOB_PACKETS, &z, 8))
BRK(dest_flat, ed_u32(e, DTCP_BLOB_DEST, kid))
/* The one configured destination: no nest, not an empty one, a name or a kernel id. */
BRK(dest_empty, size_t n = ed_nest(e, DTCP_BLOB_DEST); ed_nest_end(e, n))
BRK(dest_named, size_t n = ed_nest(e, DTCP_BLOB_DEST); ed_str(e, DTCP_BLOB_D_NAME, "cd1");
    ed_nest_end(e, n))
BRK(dest_own_kid, size_t n = ed_nest(e, DTCP_BLOB_DEST); ed_u32(e, DTCP_BLOB_D_KID, kid);
    ed_nest_end(e, n))
BRK(dest_unknown, size_t n = ed_nest(e, DTCP_BLOB_DEST); ed_u32(e, DTCP_BLOB_D_MAX + 1, 0);
    ed_nest_end(e, n))
/* Two destinations, the criterion's own being 1: names and ids as the edit gives them. */
static void two_dests(struct ed *e, bool named, bool kid0, uint32_t v0, bool kid1, uint32_t v1)
{
	size_t n;

	ed_drop(e, DTCP_BLOB_DEST);
	ed_u32(e, DTCP_BLOB_N, 2);
	n = ed_nest(e, DTCP_BLOB_DEST);
	if (named)
		ed_str(e, DTCP_BLOB_D_NAME, "cd1");
	if (kid0)
		ed_u32(e, DTCP_BLOB_D_KID, v0);
	ed_nest_end(e, n);
	n = ed_nest(e, DTCP_BLOB_DEST);
	if (named)
		ed_str(e, DTCP_BLOB_D_NAME, "cd2");
	if (kid1)
		ed_u32(e, DTCP_BLOB_D_KID, v1);
	ed_nest_end(e, n);
}
BRK(other_no_kid, two_dests(e, false, false, 0, false, 0))
BRK(other_top_bit, two_dests(e, false, true, kid | 0x80000000u, false, 0))
BRK(other_zero, two_dests(e, false, true, 0, false, 0))
BRK(own_of_two_kid, two_dests(e, false, true, kid, true, kid + 1))
BRK(k_one, two_dests(e, false, true, kid, false, 0); ed_u32(e, DTCP_BLOB_K, 1))
BRK(two_named, two_dests(e, true, true, kid, false, 0))
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

/* Each break makes the whole blob unreadable, yet still dtcpd's (but "dtc\2"). */
static void all_break(struct __test_metadata *_metadata, const struct ed *good,
		      const struct brk *brks, unsigned int n, uint32_t kid)
{
	static struct ed e;
	struct dtcp_blob b;

	for (unsigned int i = 0; i < n; i++) {
		e = *good;
		brks[i].apply(&e, kid);
		EXPECT_EQ(-EINVAL, dtcp_blob_parse(e.b, e.len, &b)) TH_LOG("%s", brks[i].what);
		EXPECT_EQ(NULL, b.cdests);
		EXPECT_EQ(-EINVAL, dtcp_blob_lines((const char *)e.b, e.len, NULL, NULL))
			TH_LOG("%s", brks[i].what);
		/* A restart deletes it rather than leave it to another owner. */
		EXPECT_EQ(brks[i].apply != brk_version2, dtcp_blob_is_dtcpd(e.b, e.len))
			TH_LOG("%s", brks[i].what);
	}
}

#define B(n) { #n, brk_##n }

TEST_F(srv, v6_strict)
{
	static const struct brk brks[] = {
		B(version7), B(version2), B(version5), B(cut1), B(cut4), B(head_cut),
		B(added_big), B(added_attr), B(zeros), B(tail2), B(unknown), B(type0), B(id),
		B(csource), B(param_twice), B(addr_twice), B(addr_len3), B(addr_len6),
		B(addr_plen33), B(addr_plen129), B(from_text), B(from_len8), B(from_twice),
		B(k_zero), B(k_one), B(n_two), B(n_one), B(n_zero), B(idle_long), B(idle_u16),
		B(idle_nested), B(idle_byteorder), B(packets_zero), B(dest_flat), B(dest_empty),
		B(dest_named), B(dest_own_kid), B(dest_unknown), B(other_no_kid),
		B(other_top_bit), B(other_zero), B(own_of_two_kid), B(two_named), B(x_name),
		B(x_not_x), B(x_value_crlf), B(x_no_value), B(x_twice), B(param_ctl),
	};
	const struct dtcp_group *g = &self->s.cfg->groups[0];
	uint32_t kid = g->dests[0].kid, kid2 = g->dests[1].kid;
	static struct ed good, e;
	char lines[256] = "";
	struct dtcp_blob b;

	ASSERT_TRUE(added(self, "Cdest-ID: cd1|Source-Address: 10.1.2.3|Dest-Address: 10.9.0.0/16|"
			  "Dest-Port: 80|Timeout-Idle: 600|X-Note: a", &good));
	/* The positive controls: as written it reads, whole; so do edits that keep the rules. */
	ASSERT_EQ(0, memcmp(good.b, "dtc\6", 4));
	ASSERT_EQ(0, dtcp_blob_parse(good.b, good.len, &b));
	EXPECT_EQ(fake_wall, b.added_ms);
	EXPECT_STREQ("", b.csource);		/* the kernel owner's */
	EXPECT_STREQ("192.0.2.1", b.csource_addr);
	EXPECT_EQ(0, b.id);			/* the kernel's, given below */
	EXPECT_EQ(-EINVAL, dtcp_blob_own_id(&b, 0, 0));
	EXPECT_EQ(-EINVAL, dtcp_blob_own_id(&b, 7, 1));	/* destination 0 of 1 */
	EXPECT_EQ(0, dtcp_blob_own_id(&b, 7, 0));
	EXPECT_EQ(7, b.id);
	EXPECT_EQ(-EINVAL, dtcp_blob_own_id(&b, 8, 0));	/* given once */
	EXPECT_TRUE(b.by_kid);
	EXPECT_EQ(NULL, b.cdests);		/* named by the kernel id, below */
	EXPECT_EQ(0, b.cdest_kid[0]);		/* the kernel's, given below */
	EXPECT_EQ(-EINVAL, dtcp_blob_own_kid(&b, 0));
	EXPECT_EQ(-EINVAL, dtcp_blob_own_kid(&b, kid | 0x80000000u)); /* another kind */
	EXPECT_EQ(0, dtcp_blob_own_kid(&b, kid));
	EXPECT_EQ(kid, b.cdest_kid[0]);
	EXPECT_EQ(-EINVAL, dtcp_blob_own_kid(&b, kid + 1));	/* given once */
	EXPECT_EQ(0, dtcp_blob_own_names(&b, cdest_by_kid, (void *)g));
	EXPECT_STREQ("cd1", b.cdests);
	EXPECT_EQ(600, b.t_idle);
	EXPECT_EQ(1, b.n);
	EXPECT_FALSE(b.request_dest);
	dtcp_blob_free(&b);
	/* A kernel id no configured destination has names none. */
	ASSERT_EQ(0, dtcp_blob_parse(good.b, good.len, &b));
	ASSERT_EQ(0, dtcp_blob_own_kid(&b, kid ^ 1));
	EXPECT_EQ(-EINVAL, dtcp_blob_own_names(&b, cdest_by_kid, (void *)g));
	EXPECT_EQ(NULL, b.cdests);
	dtcp_blob_free(&b);
	ASSERT_EQ(0, dtcp_blob_lines((const char *)good.b, good.len, lines_cb, lines));
	EXPECT_STREQ("Source-Address=10.1.2.3;Dest-Address=10.9.0.0/16;Dest-Port=80;X-Note=a;",
		     lines);
	/* Both addresses are kept binary: 4 bytes, and 5 with the prefix length. */
	e = good;
	EXPECT_TRUE(ed_drop(&e, DTCP_BLOB_PA_FIRST));
	EXPECT_TRUE(ed_drop(&e, DTCP_BLOB_PA_FIRST + 1));
	EXPECT_FALSE(ed_drop(&e, DTCP_BLOB_P_FIRST));
	EXPECT_TRUE(ed_reads(&e));
	EXPECT_EQ(good.len - 8 - 12, e.len);
	ed_str(&e, DTCP_BLOB_P_FIRST, "10.1.2.3");	/* as text instead: read too */
	EXPECT_TRUE(ed_reads(&e));
	e = good;
	ASSERT_TRUE(ed_drop(&e, DTCP_BLOB_PA_FIRST + 1));
	ed_put(&e, DTCP_BLOB_PA_FIRST + 1, "\x20\1\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\0\x20", 17);
	lines[0] = '\0';
	ASSERT_EQ(0, dtcp_blob_lines((const char *)e.b, e.len, lines_cb, lines));
	EXPECT_STREQ("Source-Address=10.1.2.3;Dest-Port=80;X-Note=a;Dest-Address=2001:db8::/32;",
		     lines);
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
	/* Two configured destinations: empty nests but for the other's kernel id. */
	e = good;
	two_dests(&e, false, true, kid, false, 0);
	ASSERT_EQ(0, dtcp_blob_parse(e.b, e.len, &b));
	EXPECT_EQ(1, b.k);			/* the one without its kernel id */
	EXPECT_EQ(-EINVAL, dtcp_blob_own_id(&b, 7, 0));
	EXPECT_EQ(0, dtcp_blob_own_id(&b, 7, 1));
	EXPECT_EQ(kid, b.cdest_kid[0]);
	EXPECT_EQ(0, b.cdest_kid[1]);
	EXPECT_EQ(0, dtcp_blob_own_kid(&b, kid2));
	EXPECT_EQ(kid2, b.cdest_kid[1]);
	EXPECT_EQ(0, dtcp_blob_own_names(&b, cdest_by_kid, (void *)g));
	EXPECT_STREQ("cd1,cd2", b.cdests);
	dtcp_blob_free(&b);
	/* The same destination twice is refused. */
	ASSERT_EQ(0, dtcp_blob_parse(e.b, e.len, &b));
	ASSERT_EQ(0, dtcp_blob_own_kid(&b, kid));
	EXPECT_EQ(-EINVAL, dtcp_blob_own_names(&b, cdest_by_kid, (void *)g));
	dtcp_blob_free(&b);

	all_break(_metadata, &good, brks, sizeof(brks) / sizeof(brks[0]), kid);
	EXPECT_EQ(-EINVAL, dtcp_blob_parse(good.b, 3, &b));
	EXPECT_EQ(-EINVAL, dtcp_blob_parse(good.b, DTCP_BLOB_HEAD - 1, &b));
}

/* An address that would not read back the same stays text. */
TEST_F(srv, v6_addresses_as_sent)
{
	static struct ed good;
	char lines[256] = "";

	ASSERT_TRUE(added(self, "Cdest-ID: cd1|Source-Address: 2001:DB8::1|"
			  "Dest-Address: 2001:db8:0::/48|Dest-Port: 80|Flags: Static", &good));
	ASSERT_EQ(0, dtcp_blob_lines((const char *)good.b, good.len, lines_cb, lines));
	EXPECT_STREQ("Source-Address=2001:DB8::1;Dest-Address=2001:db8:0::/48;Dest-Port=80;", lines);
	EXPECT_TRUE(ed_drop(&good, DTCP_BLOB_P_FIRST));
	EXPECT_TRUE(ed_drop(&good, DTCP_BLOB_P_FIRST + 1));
	/* The positive control: in inet_ntop()'s form they are binary. */
	ASSERT_TRUE(added(self, "Cdest-ID: cd1|Source-Address: 2001:db8::1/128|"
			  "Dest-Address: ::ffff:10.0.0.1|Dest-Port: 80|Flags: Static", &good));
	lines[0] = '\0';
	ASSERT_EQ(0, dtcp_blob_lines((const char *)good.b, good.len, lines_cb, lines));
	EXPECT_STREQ("Source-Address=2001:db8::1/128;Dest-Address=::ffff:10.0.0.1;Dest-Port=80;",
		     lines);
	EXPECT_TRUE(ed_drop(&good, DTCP_BLOB_PA_FIRST));
	EXPECT_TRUE(ed_drop(&good, DTCP_BLOB_PA_FIRST + 1));
}

/* IPv4 is kept binary only in the form inet_ntop() prints back. */
TEST_F(srv, v4_addresses_as_sent)
{
	static const struct { const char *addr; bool binary; } t[] = {
		{ "10.1.2.3", true }, { "10.1.2.3/32", true }, { "10.0.0.0/8", true },
		{ "0.0.0.0/0", true }, { "255.255.255.255", true }, { "10.10.100.0/24", true },
		{ "10.1.2.3/08", false }, { "10.0.0.0/008", false }, { "10.1.2.3/032", false },
	};
	static struct ed good;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char params[160], lines[256] = "", want[256];

		snprintf(params, sizeof(params), "Cdest-ID: cd1|Source-Address: %s|Dest-Port: 80|"
			 "Flags: Static", t[i].addr);
		ASSERT_TRUE(added(self, params, &good)) TH_LOG("%s", t[i].addr);
		ASSERT_EQ(0, dtcp_blob_lines((const char *)good.b, good.len, lines_cb, lines));
		snprintf(want, sizeof(want), "Source-Address=%s;Dest-Port=80;", t[i].addr);
		EXPECT_STREQ(want, lines);
		EXPECT_EQ(t[i].binary, ed_drop(&good, DTCP_BLOB_PA_FIRST)) TH_LOG("%s", t[i].addr);
		EXPECT_EQ(!t[i].binary, ed_drop(&good, DTCP_BLOB_P_FIRST)) TH_LOG("%s", t[i].addr);
	}
}

/* Every request's sender as text: what inet_ntop() writes, octet by octet. */
TEST(ip4_text)
{
	char mine[INET_ADDRSTRLEN], libc[INET_ADDRSTRLEN];

	for (unsigned int v = 0; v < 256; v++) {
		for (int at = 0; at < 4; at++) {
			uint8_t a[4] = { 192, 0, 2, 1 };

			a[at] = (uint8_t)v;
			dtcp_ip4_text(a, mine);
			ASSERT_NE(NULL, inet_ntop(AF_INET, a, libc, sizeof(libc)));
			ASSERT_STREQ(libc, mine);
		}
	}
}

BRK(csource_none, ed_drop(e, DTCP_BLOB_CSOURCE))
BRK(csource_ctl, ed_drop(e, DTCP_BLOB_CSOURCE); ed_str(e, DTCP_BLOB_CSOURCE, "c\ns1"))
BRK(csource_empty, ed_drop(e, DTCP_BLOB_CSOURCE); ed_str(e, DTCP_BLOB_CSOURCE, ""))
BRK(csource_no_nul, ed_drop(e, DTCP_BLOB_CSOURCE); ed_put(e, DTCP_BLOB_CSOURCE, "cs1", 3))
BRK(csource_nul, ed_drop(e, DTCP_BLOB_CSOURCE); ed_put(e, DTCP_BLOB_CSOURCE, "c\0s1", 5))
BRK(csource_pad, ed_drop(e, DTCP_BLOB_CSOURCE); ed_str(e, DTCP_BLOB_CSOURCE, "cs");
    e->b[e->len - 1] = 'x')
BRK(v5_addr, ed_put(e, DTCP_BLOB_PA_FIRST, "\x0a\1\2\3", 4))
BRK(v5_nameless, ed_drop(e, DTCP_BLOB_DEST); size_t n = ed_nest(e, DTCP_BLOB_DEST);
    ed_nest_end(e, n))
BRK(v5_no_dest, ed_drop(e, DTCP_BLOB_DEST))
BRK(v5_two_unnamed, two_dests(e, false, true, kid, false, 0))
BRK(v5_same_twice, size_t n; ed_drop(e, DTCP_BLOB_DEST); ed_u32(e, DTCP_BLOB_N, 2);
    n = ed_nest(e, DTCP_BLOB_DEST); ed_str(e, DTCP_BLOB_D_NAME, "cd1");
    ed_u32(e, DTCP_BLOB_D_KID, kid); ed_nest_end(e, n);
    n = ed_nest(e, DTCP_BLOB_DEST); ed_str(e, DTCP_BLOB_D_NAME, "cd1"); ed_nest_end(e, n))
BRK(version6, e->b[3] = 6)

/*
 * Format 5, still read: the control source's and every destination's
 * name in the blob, the time added an attribute, addresses as text.
 */
TEST_F(srv, v5_read)
{
	static const struct brk brks[] = {
		B(version6), B(cut1), B(cut4), B(id), B(csource_none), B(csource_ctl),
		B(csource_empty), B(csource_no_nul), B(csource_nul), B(csource_pad), B(v5_addr),
		B(v5_nameless), B(v5_no_dest), B(v5_two_unnamed), B(v5_same_twice), B(param_twice),
		B(dest_own_kid), B(other_no_kid), B(k_one), B(x_twice),
	};
	uint32_t kid = self->s.cfg->groups[0].dests[0].kid;
	static struct ed good, e;
	char lines[256] = "";
	struct dtcp_blob b;

	ASSERT_TRUE(added(self, "Cdest-ID: cd1|Dest-Port: 80|Timeout-Idle: 600|X-Note: a", &good));
	ASSERT_TRUE(ed_to_v5(&good));
	ASSERT_EQ(0, dtcp_blob_parse(good.b, good.len, &b));
	EXPECT_EQ(fake_wall, b.added_ms);
	EXPECT_STREQ("cs1", b.csource);
	EXPECT_STREQ("cd1", b.cdests);		/* named in the blob */
	EXPECT_FALSE(b.by_kid);
	EXPECT_EQ(0, dtcp_blob_own_kid(&b, kid));
	EXPECT_EQ(0, dtcp_blob_own_names(&b, NULL, NULL));	/* nothing to name */
	EXPECT_STREQ("cd1", b.cdests);
	dtcp_blob_free(&b);
	ASSERT_EQ(0, dtcp_blob_lines((const char *)good.b, good.len, lines_cb, lines));
	EXPECT_STREQ("Dest-Port=80;X-Note=a;", lines);
	e = good;
	ASSERT_TRUE(ed_drop(&e, DTCP_BLOB_CSOURCE));
	ed_str(&e, DTCP_BLOB_CSOURCE, "cs");	/* padded with a zero byte */
	EXPECT_TRUE(ed_reads(&e));
	e = good;
	ASSERT_TRUE(ed_drop(&e, DTCP_BLOB_ADDED));	/* unknown: 0 */
	EXPECT_TRUE(ed_reads(&e));
	e = good;
	two_dests(&e, true, true, kid, false, 0);
	ASSERT_EQ(0, dtcp_blob_parse(e.b, e.len, &b));
	EXPECT_STREQ("cd1,cd2", b.cdests);
	EXPECT_EQ(1, b.k);
	dtcp_blob_free(&b);
	all_break(_metadata, &good, brks, sizeof(brks) / sizeof(brks[0]), kid);
}

#undef B

/* The blob of a criterion with a request-defined destination reads back. */
TEST_F(srv, v6_request_dest)
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
	ASSERT_TRUE(ed_to_v5(&good));
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
	ASSERT_TRUE(ed_to_v5(&good));
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
