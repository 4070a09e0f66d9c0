// SPDX-License-Identifier: GPL-2.0
/*
 * Host-tier unit tests of lib/dfc_nl*.c: the criteria parser on
 * kernel-style replies (GET and dump messages, storage, malformed,
 * truncated and newer messages).
 */
#include "unit_nl.h"

/* ---- criteria: encoder and parser ---- */

TEST_F(crit, parse_kernel_reply)
{
	struct nlmsghdr *nlh = get_reply(self->buf, true, true);
	struct dfc_nl_crit c;
	const struct dfc_nl_entry *e;
	uint8_t a[16];

	ASSERT_LT(0, nest_count(crit_nest(nlh), DFC_CRIT_A_PAD));
	memset(&c, 0xa5, sizeof(c));
	ASSERT_EQ(0, PARSE(nlh, &c));
	EXPECT_EQ(3, c.owner);
	EXPECT_EQ(0x1122334455667788ULL, c.id);
	EXPECT_EQ(1ULL << 33, c.packets);
	EXPECT_EQ(3ULL << 40, c.bytes);
	EXPECT_EQ(0, c.last_match_secs); /* matched this very second */
	EXPECT_EQ(100000, c.age_secs);
	EXPECT_EQ(2, c.prio);
	EXPECT_EQ(DFC_CRIT_F_SEND_ASYNC, c.flags);
	EXPECT_EQ(12, c.cdest);
	EXPECT_EQ(4, c.n_refresh);
	EXPECT_EQ(0, c.timeout_idle);
	EXPECT_EQ(0, c.timeout_total);
	EXPECT_EQ(5, c.limit_packets);
	EXPECT_EQ(DFC_REASON_NONE, c.reason);
	ASSERT_EQ(3, c.blob_len);
	EXPECT_EQ(0, memcmp("abc", c.blob, 3));
	ASSERT_EQ(2, c.n_entries);
	ASSERT_EQ(1, c.n_excl);

	e = &c.entries[0];
	ip(a, "fe80::");
	EXPECT_EQ(6, e->ipver);
	EXPECT_EQ(10, e->src_plen);
	EXPECT_EQ(0, memcmp(a, e->src, 16));
	EXPECT_EQ(0, e->dst_plen);
	EXPECT_TRUE(e->ports);
	EXPECT_EQ(1024, e->sport);
	EXPECT_EQ(0xfc00, e->sport_mask);
	EXPECT_EQ(0, e->dport_mask);
	EXPECT_FALSE(e->icmp);
	EXPECT_EQ(0, e->proto_mask);

	e = &c.entries[1];
	ip(a, "10.9.8.7");
	EXPECT_EQ(4, e->ipver);
	EXPECT_EQ(32, e->dst_plen);
	EXPECT_EQ(0, memcmp(a, e->dst, 16));
	EXPECT_EQ(0, e->src_plen);
	EXPECT_TRUE(e->ports);
	EXPECT_EQ(53, e->dport);
	EXPECT_EQ(0xffff, e->dport_mask);
	EXPECT_EQ(0, e->sport_mask);
	EXPECT_EQ(17, e->proto);
	EXPECT_EQ(0xff, e->proto_mask);
	EXPECT_TRUE(e->icmp);
	EXPECT_EQ(4, e->icmp_code);
	EXPECT_EQ(0xff, e->icmp_code_mask);
	EXPECT_EQ(0, e->icmp_type_mask);
	EXPECT_EQ(9, e->ifindex);

	EXPECT_EQ(0, c.excl[0].ipver);
	EXPECT_EQ(1, c.excl[0].proto);
	EXPECT_EQ(0xff, c.excl[0].proto_mask);

	/* never matched: no LAST_MATCH */
	ASSERT_EQ(0, PARSE(get_reply(self->buf, false, true), &c));
	EXPECT_EQ(UINT64_MAX, c.last_match_secs);
}

/* A dump message carries counts, not entries. */
TEST_F(crit, parse_dump_counts)
{
	struct dfc_nl_crit c;

	ASSERT_EQ(0, PARSE(get_reply(self->buf, true, false), &c));
	EXPECT_EQ(2, c.n_entries);
	EXPECT_EQ(1, c.n_excl);
	EXPECT_EQ(NULL, c.entries);
	EXPECT_EQ(NULL, c.excl);
}

/* Storage: too small is -ENOBUFS; none means the entries are only counted. */
TEST_F(crit, parse_storage)
{
	struct nlmsghdr *nlh = get_reply(self->buf, true, true);
	struct dfc_nl_crit c;

	EXPECT_EQ(-ENOBUFS, dfc_nl_crit_parse(nlh, &c, self->got_ent, 1, self->got_exc, 1));
	EXPECT_EQ(-ENOBUFS, dfc_nl_crit_parse(nlh, &c, self->got_ent, 2, self->got_exc, 0));
	ASSERT_EQ(0, dfc_nl_crit_parse(nlh, &c, self->got_ent, 2, self->got_exc, 1));
	ASSERT_EQ(0, dfc_nl_crit_parse(nlh, &c, NULL, 0, NULL, 0));
	EXPECT_EQ(2, c.n_entries);
	EXPECT_EQ(1, c.n_excl);
	EXPECT_EQ(NULL, c.entries);
	EXPECT_EQ(NULL, c.excl);
}

/* One entry attribute list, for the malformed cases. */
struct bad_entry {
	const char *what;
	void (*put)(struct nlmsghdr *nlh);
};

static void be_plen_no_addr(struct nlmsghdr *nlh)
{
	mnl_attr_put_u8(nlh, DFC_ENTRY_A_IPVER, 4);
	mnl_attr_put_u8(nlh, DFC_ENTRY_A_SRC_PLEN, 8);
}

static void be_addr_no_ipver(struct nlmsghdr *nlh)
{
	mnl_attr_put(nlh, DFC_ENTRY_A_DST, 4, "\x0a\0\0\0");
}

static void be_addr_len(struct nlmsghdr *nlh)
{
	mnl_attr_put_u8(nlh, DFC_ENTRY_A_IPVER, 6);
	mnl_attr_put(nlh, DFC_ENTRY_A_SRC, 4, "\x0a\0\0\0");
}

static void be_plen_long(struct nlmsghdr *nlh)
{
	mnl_attr_put_u8(nlh, DFC_ENTRY_A_IPVER, 4);
	mnl_attr_put(nlh, DFC_ENTRY_A_SRC, 4, "\x0a\0\0\0");
	mnl_attr_put_u8(nlh, DFC_ENTRY_A_SRC_PLEN, 33);
}

static void be_ipver(struct nlmsghdr *nlh)
{
	mnl_attr_put_u8(nlh, DFC_ENTRY_A_IPVER, 5);
}

static void be_port_width(struct nlmsghdr *nlh)
{
	mnl_attr_put_u32(nlh, DFC_ENTRY_A_SPORT, 80);
}

static void be_ifindex_width(struct nlmsghdr *nlh)
{
	mnl_attr_put_u16(nlh, DFC_ENTRY_A_IFINDEX, 1);
}

TEST_F(crit, parse_malformed_entry)
{
	static const struct bad_entry cases[] = {
		{ "prefix length without address", be_plen_no_addr },
		{ "address without ipver", be_addr_no_ipver },
		{ "v4 address for v6", be_addr_len },
		{ "prefix longer than the address", be_plen_long },
		{ "ipver 5", be_ipver },
		{ "32-bit port", be_port_width },
		{ "16-bit ifindex", be_ifindex_width },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct nlmsghdr *nlh = genl_reply(self->buf, DFC_CMD_CRIT_GET);
		struct nlattr *crit, *e;
		struct dfc_nl_crit c;

		mnl_attr_put_u32(nlh, DFC_A_OWNER, 1);
		crit = nest_start(nlh, DFC_A_CRIT);
		put_u64(nlh, DFC_CRIT_A_ID, 1, DFC_CRIT_A_PAD);
		e = nest_start(nlh, i % 2 ? DFC_CRIT_A_EXCL : DFC_CRIT_A_ENTRY);
		cases[i].put(nlh);
		mnl_attr_nest_end(nlh, e);
		mnl_attr_nest_end(nlh, crit);
		EXPECT_EQ(-EINVAL, PARSE(nlh, &c)) TH_LOG("%s", cases[i].what);
		/* counted only, still checked */
		EXPECT_EQ(-EINVAL, dfc_nl_crit_parse(nlh, &c, NULL, 0, NULL, 0))
			TH_LOG("%s", cases[i].what);
	}
}

TEST_F(crit, parse_malformed)
{
	struct dfc_nl_crit c;
	struct nlmsghdr *nlh;
	struct nlattr *crit;

	/* no owner; no criterion; no id */
	nlh = genl_reply(self->buf, DFC_CMD_CRIT_GET);
	crit = nest_start(nlh, DFC_A_CRIT);
	put_u64(nlh, DFC_CRIT_A_ID, 1, DFC_CRIT_A_PAD);
	mnl_attr_nest_end(nlh, crit);
	EXPECT_EQ(-EINVAL, PARSE(nlh, &c));

	nlh = genl_reply(self->buf, DFC_CMD_CRIT_GET);
	mnl_attr_put_u32(nlh, DFC_A_OWNER, 1);
	EXPECT_EQ(-EINVAL, PARSE(nlh, &c));

	nlh = genl_reply(self->buf, DFC_CMD_CRIT_GET);
	mnl_attr_put_u32(nlh, DFC_A_OWNER, 1);
	crit = nest_start(nlh, DFC_A_CRIT);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_PRIO, 1);
	mnl_attr_nest_end(nlh, crit);
	EXPECT_EQ(-EINVAL, PARSE(nlh, &c));

	/* a 32-bit id, a 64-bit prio */
	nlh = genl_reply(self->buf, DFC_CMD_CRIT_GET);
	mnl_attr_put_u32(nlh, DFC_A_OWNER, 1);
	crit = nest_start(nlh, DFC_A_CRIT);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_ID, 1);
	mnl_attr_nest_end(nlh, crit);
	EXPECT_EQ(-EINVAL, PARSE(nlh, &c));
	nlh = genl_reply(self->buf, DFC_CMD_CRIT_GET);
	mnl_attr_put_u32(nlh, DFC_A_OWNER, 1);
	crit = nest_start(nlh, DFC_A_CRIT);
	put_u64(nlh, DFC_CRIT_A_ID, 1, DFC_CRIT_A_PAD);
	put_u64(nlh, DFC_CRIT_A_PRIO, 1, DFC_CRIT_A_PAD);
	mnl_attr_nest_end(nlh, crit);
	EXPECT_EQ(-EINVAL, PARSE(nlh, &c));

	/* entries that disagree with the count the kernel gives */
	nlh = get_reply(self->buf, true, true);
	ASSERT_EQ(0, PARSE(nlh, &c)) TH_LOG("the reply as built");
	{
		struct nlattr *n = (struct nlattr *)nest_find(crit_nest(nlh), DFC_CRIT_A_N_ENTRIES);
		uint32_t three = 3;

		memcpy(mnl_attr_get_payload(n), &three, sizeof(three));
		EXPECT_EQ(-EINVAL, PARSE(nlh, &c));
	}

	/* a nest cut short of its last attribute, which spills to top level */
	nlh = get_reply(self->buf, true, true);
	crit_nest(nlh)->nla_len -= 4;
	EXPECT_EQ(-EINVAL, PARSE(nlh, &c));
}

TEST_F(crit, parse_truncated)
{
	struct nlmsghdr *nlh = get_reply(self->buf, true, true);
	struct dfc_nl_crit c;

	ASSERT_EQ(0, PARSE(nlh, &c));
	for (size_t len = MNL_NLMSG_HDRLEN; len < nlh->nlmsg_len; len++) {
		struct nlmsghdr *t = cut(nlh, len);

		EXPECT_EQ(-EINVAL, PARSE(t, &c)) TH_LOG("cut to %zu", len);
		free(t);
	}
}

/* A newer module's attributes are skipped, at every level. */
TEST_F(crit, parse_unknown_attrs)
{
	struct nlmsghdr *nlh = genl_reply(self->buf, DFC_CMD_CRIT_GET);
	struct nlattr *crit, *e;
	struct dfc_nl_crit c;

	mnl_attr_put_u32(nlh, DFC_A_OWNER, 1);
	mnl_attr_put_u32(nlh, DFC_A_MAX + 1, 1);
	crit = nest_start(nlh, DFC_A_CRIT);
	put_u64(nlh, DFC_CRIT_A_ID, 1, DFC_CRIT_A_PAD);
	mnl_attr_put_strz(nlh, DFC_CRIT_A_MAX + 1, "future");
	e = nest_start(nlh, DFC_CRIT_A_ENTRY);
	mnl_attr_put_u8(nlh, DFC_ENTRY_A_IPVER, 4);
	mnl_attr_put_u64(nlh, DFC_ENTRY_A_MAX + 1, 1);
	mnl_attr_nest_end(nlh, e);
	mnl_attr_nest_end(nlh, crit);
	ASSERT_EQ(0, PARSE(nlh, &c));
	EXPECT_EQ(1, c.n_entries);
	EXPECT_EQ(4, c.entries[0].ipver);
}

TEST_HARNESS_MAIN
