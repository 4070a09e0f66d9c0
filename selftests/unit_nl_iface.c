// SPDX-License-Identifier: GPL-2.0
/*
 * Host-tier unit tests of lib/dfc_nl*.c, no dfc module needed (one program
 * per subject, sharing unit_nl.h): the interface and statistics reply
 * parsers, fed messages built here exactly as the kernel builds them (genl
 * header, nested stats, 64-bit values after PAD); malformed and truncated
 * replies must give -EINVAL, never a crash.
 */
#include "unit_nl.h"

static const uint64_t istats[] = {
	[DFC_ISTATS_A_SEEN] = 0x1122334455667788ULL,
	[DFC_ISTATS_A_BYTES] = 0xfedcba9876543210ULL,
	[DFC_ISTATS_A_IPV4] = 3,
	[DFC_ISTATS_A_IPV6] = 4,
	[DFC_ISTATS_A_OTHER] = 5,
	[DFC_ISTATS_A_ATTACHED] = 86400 * 365,
	[DFC_ISTATS_A_NO_L4_EXTHDRS] = (1ULL << 35) + 1,
	[DFC_ISTATS_A_NO_L4_TRUNCATED] = 2,
	[DFC_ISTATS_A_NO_L4_FRAGMENT] = 3,
	[DFC_ISTATS_A_LOOPED] = (1ULL << 36) + 9,
};

/*
 * The nested DFC_IFACE_A_STATS up to counter `last` (DFC_ISTATS_A_ATTACHED:
 * what an older module sends), with counter `skip` left out (0: none).
 */
static void put_istats_to(struct nlmsghdr *nlh, unsigned int skip, unsigned int last)
{
	struct nlattr *nest = nest_start(nlh, DFC_IFACE_A_STATS);

	for (unsigned int t = DFC_ISTATS_A_SEEN; t <= last; t++)
		if (t != skip)
			put_u64(nlh, t, istats[t], DFC_ISTATS_A_PAD);
	mnl_attr_nest_end(nlh, nest);
}

static void put_istats(struct nlmsghdr *nlh, unsigned int skip)
{
	put_istats_to(nlh, skip, DFC_ISTATS_A_ATTACHED);
}

/* A DFC_CMD_IFACE_GET reply, as dfc.ko sends it (up to counter last). */
static struct nlmsghdr *iface_reply_to(void *buf, const char *ifname, unsigned int last)
{
	struct nlmsghdr *nlh = genl_reply(buf, DFC_CMD_IFACE_GET);

	mnl_attr_put_u32(nlh, DFC_IFACE_A_IFINDEX, 7);
	mnl_attr_put_strz(nlh, DFC_IFACE_A_IFNAME, ifname);
	mnl_attr_put_u32(nlh, DFC_IFACE_A_FLAGS, DFC_IFACE_F_PASS);
	put_istats_to(nlh, 0, last);
	return nlh;
}

static struct nlmsghdr *iface_reply(void *buf, const char *ifname)
{
	return iface_reply_to(buf, ifname, DFC_ISTATS_A_ATTACHED);
}

TEST_F(msg, iface_ok)
{
	struct nlmsghdr *nlh = iface_reply(self->buf, "eth1");
	struct nlattr *nest = find_attr(nlh, DFC_IFACE_A_STATS);
	struct dfc_iface_info info;

	/* the message really has PADs in the nest, where the kernel would put them */
	ASSERT_NE(NULL, nest);
	ASSERT_LT(0, count_type(mnl_attr_get_payload(nest), mnl_attr_get_payload_len(nest),
				DFC_ISTATS_A_PAD));

	memset(&info, 0xa5, sizeof(info));
	ASSERT_EQ(0, dfc_nl_iface_parse(nlh, &info));
	EXPECT_EQ(7, info.ifindex);
	EXPECT_STREQ("eth1", info.ifname);
	EXPECT_EQ(DFC_IFACE_F_PASS, info.flags);
	EXPECT_EQ(istats[DFC_ISTATS_A_SEEN], info.stats.seen);
	EXPECT_EQ(istats[DFC_ISTATS_A_BYTES], info.stats.bytes);
	EXPECT_EQ(3, info.stats.ipv4);
	EXPECT_EQ(4, info.stats.ipv6);
	EXPECT_EQ(5, info.stats.other);
	EXPECT_EQ(86400 * 365, info.stats.attached_secs);
}

/* Without PADs (what x86 sends), 64-bit values sit unaligned: read them anyway. */
TEST_F(msg, iface_no_pad_unaligned)
{
	struct nlmsghdr *nlh = genl_reply(self->buf, DFC_CMD_IFACE_GET);
	struct dfc_iface_info info;
	struct nlattr *nest;

	mnl_attr_put_u32(nlh, DFC_IFACE_A_IFINDEX, 1);
	mnl_attr_put_strz(nlh, DFC_IFACE_A_IFNAME, "x");
	mnl_attr_put_u32(nlh, DFC_IFACE_A_FLAGS, 0);
	nest = nest_start(nlh, DFC_IFACE_A_STATS);
	for (unsigned int t = DFC_ISTATS_A_SEEN; t <= DFC_ISTATS_A_ATTACHED; t++)
		mnl_attr_put_u64(nlh, t, istats[t]);
	mnl_attr_nest_end(nlh, nest);

	ASSERT_EQ(0, dfc_nl_iface_parse(nlh, &info));
	EXPECT_STREQ("x", info.ifname);
	EXPECT_EQ(0, info.flags);
	EXPECT_EQ(istats[DFC_ISTATS_A_SEEN], info.stats.seen);
	EXPECT_EQ(istats[DFC_ISTATS_A_ATTACHED], info.stats.attached_secs);
}

/* The no_l4 counters, by cause; an older module sends none (0 each). */
TEST_F(msg, iface_no_l4_counters)
{
	struct dfc_iface_info info;

	memset(&info, 0xa5, sizeof(info));
	ASSERT_EQ(0, dfc_nl_iface_parse(iface_reply_to(self->buf, "x", DFC_ISTATS_A_MAX),
					&info));
	EXPECT_EQ(istats[DFC_ISTATS_A_NO_L4_EXTHDRS], info.stats.no_l4.exthdrs);
	EXPECT_EQ(2, info.stats.no_l4.truncated);
	EXPECT_EQ(3, info.stats.no_l4.fragment);
	EXPECT_EQ(istats[DFC_ISTATS_A_ATTACHED], info.stats.attached_secs);

	memset(&info, 0xa5, sizeof(info));
	ASSERT_EQ(0, dfc_nl_iface_parse(iface_reply(self->buf, "eth1"), &info));
	EXPECT_EQ(0, info.stats.no_l4.exthdrs);
	EXPECT_EQ(0, info.stats.no_l4.truncated);
	EXPECT_EQ(0, info.stats.no_l4.fragment);
}

/* The copies come back (loop guard); 0 from an older module; 64-bit or broken. */
TEST_F(msg, iface_looped_counter)
{
	struct dfc_iface_info info;
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	memset(&info, 0xa5, sizeof(info));
	ASSERT_EQ(0, dfc_nl_iface_parse(iface_reply_to(self->buf, "x", DFC_ISTATS_A_LOOPED),
					&info));
	EXPECT_EQ(istats[DFC_ISTATS_A_LOOPED], info.stats.looped);
	EXPECT_EQ(3, info.stats.no_l4.fragment);

	memset(&info, 0xa5, sizeof(info));
	ASSERT_EQ(0, dfc_nl_iface_parse(iface_reply_to(self->buf, "x",
						       DFC_ISTATS_A_NO_L4_FRAGMENT), &info));
	EXPECT_EQ(0, info.stats.looped);
	EXPECT_EQ(3, info.stats.no_l4.fragment);

	/* the nest is last: LOOPED appended to it, as a u64 (control), then a u32 */
	nlh = iface_reply_to(self->buf, "x", DFC_ISTATS_A_NO_L4_FRAGMENT);
	nest = find_attr(nlh, DFC_IFACE_A_STATS);
	ASSERT_NE(NULL, nest);
	mnl_attr_put_u64(nlh, DFC_ISTATS_A_LOOPED, 6);
	nest->nla_len += MNL_ATTR_HDRLEN + sizeof(uint64_t);
	ASSERT_EQ(0, dfc_nl_iface_parse(nlh, &info));
	EXPECT_EQ(6, info.stats.looped);
	nlh = iface_reply_to(self->buf, "x", DFC_ISTATS_A_NO_L4_FRAGMENT);
	nest = find_attr(nlh, DFC_IFACE_A_STATS);
	ASSERT_NE(NULL, nest);
	mnl_attr_put_u32(nlh, DFC_ISTATS_A_LOOPED, 1);
	nest->nla_len += MNL_ATTR_HDRLEN + sizeof(uint32_t);
	EXPECT_EQ(-EINVAL, dfc_nl_iface_parse(nlh, &info));
}

/* A newer module may add attributes: unknown ones are skipped. */
TEST_F(msg, iface_unknown_attrs_ignored)
{
	struct nlmsghdr *nlh = iface_reply(self->buf, "eth1");
	struct dfc_iface_info info;

	mnl_attr_put_u32(nlh, DFC_IFACE_A_MAX + 1, 0xdead);
	mnl_attr_put_strz(nlh, 300, "future");
	ASSERT_EQ(0, dfc_nl_iface_parse(nlh, &info));
	EXPECT_EQ(7, info.ifindex);
	EXPECT_EQ(istats[DFC_ISTATS_A_BYTES], info.stats.bytes);
}

TEST_F(msg, iface_ifname_boundary)
{
	struct dfc_iface_info info;

	/* IFNAMSIZ - 1 characters: the longest name there is */
	ASSERT_EQ(0, dfc_nl_iface_parse(iface_reply(self->buf, "abcdefghijklmno"), &info));
	EXPECT_STREQ("abcdefghijklmno", info.ifname);
	/* one more cannot be a device name, and would not fit */
	EXPECT_EQ(-EINVAL, dfc_nl_iface_parse(iface_reply(self->buf, "abcdefghijklmnop"), &info));
	EXPECT_EQ(-EINVAL, dfc_nl_iface_parse(iface_reply(self->buf, "abcdefghijklmnopqrstuvwxyz"),
					      &info));
}

TEST_F(msg, iface_ifname_not_nul_terminated)
{
	struct nlmsghdr *nlh = genl_reply(self->buf, DFC_CMD_IFACE_GET);
	struct dfc_iface_info info;

	mnl_attr_put_u32(nlh, DFC_IFACE_A_IFINDEX, 7);
	mnl_attr_put(nlh, DFC_IFACE_A_IFNAME, 4, "eth1");
	mnl_attr_put_u32(nlh, DFC_IFACE_A_FLAGS, 0);
	put_istats(nlh, 0);
	EXPECT_EQ(-EINVAL, dfc_nl_iface_parse(nlh, &info));
}

TEST_F(msg, iface_ifname_empty_attr)
{
	struct nlmsghdr *nlh = genl_reply(self->buf, DFC_CMD_IFACE_GET);
	struct dfc_iface_info info;

	mnl_attr_put_u32(nlh, DFC_IFACE_A_IFINDEX, 7);
	mnl_attr_put(nlh, DFC_IFACE_A_IFNAME, 0, NULL);
	mnl_attr_put_u32(nlh, DFC_IFACE_A_FLAGS, 0);
	put_istats(nlh, 0);
	EXPECT_EQ(-EINVAL, dfc_nl_iface_parse(nlh, &info));
}

TEST_F(msg, iface_wrong_attr_length)
{
	struct dfc_iface_info info;
	struct nlmsghdr *nlh;
	uint64_t v = 7;

	/* IFINDEX shorter, then longer, than a u32 */
	for (int len = 2; len <= 8; len += 6) {
		nlh = genl_reply(self->buf, DFC_CMD_IFACE_GET);
		mnl_attr_put(nlh, DFC_IFACE_A_IFINDEX, len, &v);
		mnl_attr_put_strz(nlh, DFC_IFACE_A_IFNAME, "eth1");
		mnl_attr_put_u32(nlh, DFC_IFACE_A_FLAGS, 0);
		put_istats(nlh, 0);
		EXPECT_EQ(-EINVAL, dfc_nl_iface_parse(nlh, &info)) TH_LOG("ifindex len %d", len);
	}

	/* a counter in 32 bits */
	nlh = genl_reply(self->buf, DFC_CMD_IFACE_GET);
	mnl_attr_put_u32(nlh, DFC_IFACE_A_IFINDEX, 7);
	mnl_attr_put_strz(nlh, DFC_IFACE_A_IFNAME, "eth1");
	mnl_attr_put_u32(nlh, DFC_IFACE_A_FLAGS, 0);
	{
		struct nlattr *nest = nest_start(nlh, DFC_IFACE_A_STATS);

		for (unsigned int t = DFC_ISTATS_A_SEEN; t <= DFC_ISTATS_A_ATTACHED; t++) {
			if (t == DFC_ISTATS_A_IPV6)
				mnl_attr_put_u32(nlh, t, 1);
			else
				put_u64(nlh, t, istats[t], DFC_ISTATS_A_PAD);
		}
		mnl_attr_nest_end(nlh, nest);
	}
	EXPECT_EQ(-EINVAL, dfc_nl_iface_parse(nlh, &info));

	/* STATS too short to hold even one attribute header */
	nlh = genl_reply(self->buf, DFC_CMD_IFACE_GET);
	mnl_attr_put_u32(nlh, DFC_IFACE_A_IFINDEX, 7);
	mnl_attr_put_strz(nlh, DFC_IFACE_A_IFNAME, "eth1");
	mnl_attr_put_u32(nlh, DFC_IFACE_A_FLAGS, 0);
	mnl_attr_put_u16(nlh, DFC_IFACE_A_STATS, 1);
	EXPECT_EQ(-EINVAL, dfc_nl_iface_parse(nlh, &info));
}

TEST_F(msg, iface_missing_attrs)
{
	static const uint16_t types[] = {
		DFC_IFACE_A_IFINDEX, DFC_IFACE_A_IFNAME, DFC_IFACE_A_FLAGS, DFC_IFACE_A_STATS,
	};
	struct dfc_iface_info info;

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		struct nlmsghdr *nlh = genl_reply(self->buf, DFC_CMD_IFACE_GET);

		if (types[i] != DFC_IFACE_A_IFINDEX)
			mnl_attr_put_u32(nlh, DFC_IFACE_A_IFINDEX, 7);
		if (types[i] != DFC_IFACE_A_IFNAME)
			mnl_attr_put_strz(nlh, DFC_IFACE_A_IFNAME, "eth1");
		if (types[i] != DFC_IFACE_A_FLAGS)
			mnl_attr_put_u32(nlh, DFC_IFACE_A_FLAGS, 0);
		if (types[i] != DFC_IFACE_A_STATS)
			put_istats(nlh, 0);
		EXPECT_EQ(-EINVAL, dfc_nl_iface_parse(nlh, &info)) TH_LOG("without %u", types[i]);
	}
	/* each counter inside the nest, too */
	for (unsigned int t = DFC_ISTATS_A_SEEN; t <= DFC_ISTATS_A_ATTACHED; t++) {
		struct nlmsghdr *nlh = genl_reply(self->buf, DFC_CMD_IFACE_GET);

		mnl_attr_put_u32(nlh, DFC_IFACE_A_IFINDEX, 7);
		mnl_attr_put_strz(nlh, DFC_IFACE_A_IFNAME, "eth1");
		mnl_attr_put_u32(nlh, DFC_IFACE_A_FLAGS, 0);
		put_istats(nlh, t);
		EXPECT_EQ(-EINVAL, dfc_nl_iface_parse(nlh, &info)) TH_LOG("without counter %u", t);
	}
}

/* The nest's length stops short of its last counter, which lands at top level. */
TEST_F(msg, iface_counter_outside_nest)
{
	struct nlmsghdr *nlh = iface_reply(self->buf, "eth1");
	struct nlattr *nest = find_attr(nlh, DFC_IFACE_A_STATS);
	struct dfc_iface_info info;

	ASSERT_NE(NULL, nest);
	ASSERT_EQ(0, dfc_nl_iface_parse(nlh, &info));
	nest->nla_len -= MNL_ATTR_HDRLEN + sizeof(uint64_t);
	EXPECT_EQ(-EINVAL, dfc_nl_iface_parse(nlh, &info));
}

/* Every truncation of a good reply is rejected. */
TEST_F(msg, iface_truncated)
{
	struct nlmsghdr *nlh = iface_reply(self->buf, "eth1");
	struct dfc_iface_info info;

	for (size_t len = MNL_NLMSG_HDRLEN; len < nlh->nlmsg_len; len++) {
		struct nlmsghdr *c = cut(nlh, len);

		EXPECT_EQ(-EINVAL, dfc_nl_iface_parse(c, &info)) TH_LOG("cut to %zu", len);
		free(c);
	}
}

/* An attribute claiming more than the message holds. */
TEST_F(msg, iface_attr_overruns_message)
{
	struct nlmsghdr *nlh = iface_reply(self->buf, "eth1");
	struct nlattr *first = (struct nlattr *)((char *)mnl_nlmsg_get_payload(nlh) + GENL_HDRLEN);
	struct dfc_iface_info info;

	first->nla_len = nlh->nlmsg_len;
	EXPECT_EQ(-EINVAL, dfc_nl_iface_parse(nlh, &info));
}

/* Bytes after the last attribute that do not make a whole one. */
TEST_F(msg, iface_trailing_garbage)
{
	struct nlmsghdr *nlh = iface_reply(self->buf, "eth1");
	struct dfc_iface_info info;

	ASSERT_EQ(0, dfc_nl_iface_parse(nlh, &info));
	nlh->nlmsg_len += 2;
	EXPECT_EQ(-EINVAL, dfc_nl_iface_parse(nlh, &info));
}

TEST_F(msg, stats_ok)
{
	struct nlmsghdr *nlh = stats_reply(self->buf, "1.0-g1234567", 0);
	struct dfc_stats st;

	ASSERT_LT(0, count_type((char *)mnl_nlmsg_get_payload(nlh) + GENL_HDRLEN,
				mnl_nlmsg_get_payload_len(nlh) - GENL_HDRLEN, DFC_STATS_A_PAD));
	memset(&st, 0xa5, sizeof(st));
	ASSERT_EQ(0, dfc_nl_stats_parse(nlh, &st));
	EXPECT_STREQ("1.0-g1234567", st.version);
	EXPECT_EQ(2, st.ifaces);
	EXPECT_EQ(gstats[DFC_STATS_A_SEEN], st.seen);
	EXPECT_EQ(gstats[DFC_STATS_A_BYTES], st.bytes);
	EXPECT_EQ(10, st.ipv4);
	EXPECT_EQ(20, st.ipv6);
	EXPECT_EQ(30, st.other);
}

TEST_F(msg, stats_version)
{
	char v[80];
	struct dfc_stats st;

	memset(v, 'v', sizeof(v));
	v[63] = '\0'; /* fills version[64] */
	ASSERT_EQ(0, dfc_nl_stats_parse(stats_reply(self->buf, v, 0), &st));
	EXPECT_STREQ(v, st.version);
	v[63] = 'v';
	v[64] = '\0';
	EXPECT_EQ(-EINVAL, dfc_nl_stats_parse(stats_reply(self->buf, v, 0), &st));
	EXPECT_EQ(-EINVAL, dfc_nl_stats_parse(stats_reply(self->buf, NULL, 0), &st));
}

TEST_F(msg, stats_missing_and_malformed)
{
	struct nlmsghdr *nlh;
	struct dfc_stats st;

	for (unsigned int t = DFC_STATS_A_SEEN; t <= DFC_STATS_A_OTHER; t++) {
		EXPECT_EQ(-EINVAL, dfc_nl_stats_parse(stats_reply(self->buf, "1", t), &st))
			TH_LOG("without %u", t);
	}

	nlh = genl_reply(self->buf, DFC_CMD_STATS_GET);
	mnl_attr_put_strz(nlh, DFC_STATS_A_VERSION, "1");
	mnl_attr_put_u32(nlh, DFC_STATS_A_IFACES, 2);
	for (unsigned int t = DFC_STATS_A_SEEN; t <= DFC_STATS_A_OTHER; t++)
		mnl_attr_put_u32(nlh, t, 1); /* counters are 64-bit */
	EXPECT_EQ(-EINVAL, dfc_nl_stats_parse(nlh, &st));

	nlh = genl_reply(self->buf, DFC_CMD_STATS_GET);
	mnl_attr_put(nlh, DFC_STATS_A_VERSION, 3, "1.0"); /* no NUL */
	mnl_attr_put_u32(nlh, DFC_STATS_A_IFACES, 2);
	for (unsigned int t = DFC_STATS_A_SEEN; t <= DFC_STATS_A_OTHER; t++)
		put_u64(nlh, t, 1, DFC_STATS_A_PAD);
	EXPECT_EQ(-EINVAL, dfc_nl_stats_parse(nlh, &st));
}

TEST_F(msg, stats_truncated)
{
	struct nlmsghdr *nlh = stats_reply(self->buf, "1.0", 0);
	struct dfc_stats st;

	for (size_t len = MNL_NLMSG_HDRLEN; len < nlh->nlmsg_len; len++) {
		struct nlmsghdr *c = cut(nlh, len);

		EXPECT_EQ(-EINVAL, dfc_nl_stats_parse(c, &st)) TH_LOG("cut to %zu", len);
		free(c);
	}
}

TEST_F(msg, stats_new_counters)
{
	struct nlmsghdr *nlh = stats_reply(self->buf, "2.0", 0);
	struct dfc_stats st;

	put_new_stats(nlh, 0);
	memset(&st, 0xa5, sizeof(st));
	ASSERT_EQ(0, dfc_nl_stats_parse(nlh, &st));
	EXPECT_EQ(gstats[DFC_STATS_A_SEEN], st.seen);
	EXPECT_EQ(30, st.other);
	EXPECT_EQ((1ULL << 40) + DFC_STATS_A_PARSED, st.parsed);
	EXPECT_EQ((1ULL << 40) + DFC_STATS_A_UNPARSEABLE, st.unparseable);
	EXPECT_EQ((1ULL << 40) + DFC_STATS_A_MATCHED, st.matched);
	EXPECT_EQ((1ULL << 40) + DFC_STATS_A_MASKS_PROBED, st.masks_probed);
	EXPECT_EQ(1000 + DFC_STATS_A_CRITS, st.crits);
	EXPECT_EQ(1000 + DFC_STATS_A_MAX_CRITS, st.max_crits);
	EXPECT_EQ(1000 + DFC_STATS_A_MASKS, st.masks);
	EXPECT_EQ(1000 + DFC_STATS_A_MAX_MASKS, st.max_masks);
	EXPECT_EQ(1000 + DFC_STATS_A_ENTRIES, st.entries);
	EXPECT_EQ((1ULL << 40) + DFC_STATS_A_TABLE_MEM, st.table_mem);
	EXPECT_EQ((1ULL << 40) + DFC_STATS_A_EXPIRED, st.expired);
	EXPECT_EQ(0, st.no_l4.exthdrs);

	for (unsigned int t = DFC_STATS_A_NO_L4_EXTHDRS; t <= DFC_STATS_A_NO_L4_FRAGMENT; t++)
		put_u64(nlh, t, (1ULL << 41) + t, DFC_STATS_A_PAD);
	ASSERT_EQ(0, dfc_nl_stats_parse(nlh, &st));
	EXPECT_EQ((1ULL << 41) + DFC_STATS_A_NO_L4_EXTHDRS, st.no_l4.exthdrs);
	EXPECT_EQ((1ULL << 41) + DFC_STATS_A_NO_L4_TRUNCATED, st.no_l4.truncated);
	EXPECT_EQ((1ULL << 41) + DFC_STATS_A_NO_L4_FRAGMENT, st.no_l4.fragment);
	EXPECT_EQ((1ULL << 40) + DFC_STATS_A_EXPIRED, st.expired);
	EXPECT_EQ(0, st.frag.max);
	EXPECT_EQ(0, st.frag.hits);

	/* the fragment table's settings and counters */
	for (unsigned int t = DFC_STATS_A_FRAG_MAX; t <= DFC_STATS_A_FRAG_ENTRIES; t++)
		mnl_attr_put_u32(nlh, t, 2000 + t);
	for (unsigned int t = DFC_STATS_A_FRAG_MEM; t <= DFC_STATS_A_FRAG_EVICTED; t++)
		put_u64(nlh, t, (1ULL << 42) + t, DFC_STATS_A_PAD);
	ASSERT_EQ(0, dfc_nl_stats_parse(nlh, &st));
	EXPECT_EQ(2000 + DFC_STATS_A_FRAG_MAX, st.frag.max);
	EXPECT_EQ(2000 + DFC_STATS_A_FRAG_TIMEOUT, st.frag.timeout);
	EXPECT_EQ(2000 + DFC_STATS_A_FRAG_HOLD_MAX, st.frag.hold_max);
	EXPECT_EQ(2000 + DFC_STATS_A_FRAG_ENTRIES, st.frag.entries);
	EXPECT_EQ((1ULL << 42) + DFC_STATS_A_FRAG_MEM, st.frag.mem);
	EXPECT_EQ((1ULL << 42) + DFC_STATS_A_FRAG_HITS, st.frag.hits);
	EXPECT_EQ((1ULL << 42) + DFC_STATS_A_FRAG_MISSED, st.frag.missed);
	EXPECT_EQ((1ULL << 42) + DFC_STATS_A_FRAG_HELD, st.frag.held);
	EXPECT_EQ((1ULL << 42) + DFC_STATS_A_FRAG_EVICTED, st.frag.evicted);
}

/* An older module sends none of them, a newer one maybe only some: 0 each. */
TEST_F(msg, stats_without_new_counters)
{
	struct dfc_stats st;
	struct nlmsghdr *nlh;

	memset(&st, 0xa5, sizeof(st));
	ASSERT_EQ(0, dfc_nl_stats_parse(stats_reply(self->buf, "1.0", 0), &st));
	EXPECT_EQ(gstats[DFC_STATS_A_BYTES], st.bytes);
	EXPECT_EQ(0, st.parsed);
	EXPECT_EQ(0, st.unparseable);
	EXPECT_EQ(0, st.matched);
	EXPECT_EQ(0, st.masks_probed);
	EXPECT_EQ(0, st.crits);
	EXPECT_EQ(0, st.max_crits);
	EXPECT_EQ(0, st.masks);
	EXPECT_EQ(0, st.max_masks);
	EXPECT_EQ(0, st.entries);
	EXPECT_EQ(0, st.table_mem);
	EXPECT_EQ(0, st.expired);

	nlh = stats_reply(self->buf, "2.0", 0);
	put_new_stats(nlh, DFC_STATS_A_MAX_MASKS);
	memset(&st, 0xa5, sizeof(st));
	ASSERT_EQ(0, dfc_nl_stats_parse(nlh, &st));
	EXPECT_EQ(0, st.max_masks);
	EXPECT_EQ(1000 + DFC_STATS_A_MASKS, st.masks);
}

/* The loop guard's counter and mark: read when sent, 0 when not, checked. */
TEST_F(msg, stats_loop_guard)
{
	struct nlmsghdr *nlh = stats_reply(self->buf, "4.0", 0);
	struct dfc_stats st;

	put_new_stats(nlh, 0);
	put_u64(nlh, DFC_STATS_A_LOOPED, (1ULL << 42) + 5, DFC_STATS_A_PAD);
	mnl_attr_put_u32(nlh, DFC_STATS_A_COPY_MARK, DFC_DEFAULT_COPY_MARK);
	memset(&st, 0xa5, sizeof(st));
	ASSERT_EQ(0, dfc_nl_stats_parse(nlh, &st));
	EXPECT_EQ((1ULL << 42) + 5, st.looped);
	EXPECT_EQ(DFC_DEFAULT_COPY_MARK, st.copy_mark);
	EXPECT_EQ((1ULL << 40) + DFC_STATS_A_EXPIRED, st.expired);

	/* 0 is a mark like any other (the guard off) */
	nlh = stats_reply(self->buf, "4.0", 0);
	mnl_attr_put_u32(nlh, DFC_STATS_A_COPY_MARK, 0);
	memset(&st, 0xa5, sizeof(st));
	ASSERT_EQ(0, dfc_nl_stats_parse(nlh, &st));
	EXPECT_EQ(0, st.copy_mark);
	EXPECT_EQ(0, st.looped);

	/* an older module: no guard, 0 */
	memset(&st, 0xa5, sizeof(st));
	ASSERT_EQ(0, dfc_nl_stats_parse(stats_reply(self->buf, "1.0", 0), &st));
	EXPECT_EQ(0, st.looped);
	EXPECT_EQ(0, st.copy_mark);

	/* each of the wrong width */
	nlh = stats_reply(self->buf, "4.0", 0);
	mnl_attr_put_u32(nlh, DFC_STATS_A_LOOPED, 1);
	EXPECT_EQ(-EINVAL, dfc_nl_stats_parse(nlh, &st));
	nlh = stats_reply(self->buf, "4.0", 0);
	put_u64(nlh, DFC_STATS_A_COPY_MARK, 1, DFC_STATS_A_PAD);
	EXPECT_EQ(-EINVAL, dfc_nl_stats_parse(nlh, &st));
}

/* Copies that shared the frame's page: read when sent, 0 when not, checked. */
TEST_F(msg, stats_copies_shared)
{
	struct nlmsghdr *nlh = stats_reply(self->buf, "4.0", 0);
	struct dfc_stats st;

	put_new_stats(nlh, 0);
	put_u64(nlh, DFC_STATS_A_COPIES_SHARED, (1ULL << 41) + 3, DFC_STATS_A_PAD);
	memset(&st, 0xa5, sizeof(st));
	ASSERT_EQ(0, dfc_nl_stats_parse(nlh, &st));
	EXPECT_EQ((1ULL << 41) + 3, st.copies_shared);
	/* an older module: 0 */
	memset(&st, 0xa5, sizeof(st));
	ASSERT_EQ(0, dfc_nl_stats_parse(stats_reply(self->buf, "1.0", 0), &st));
	EXPECT_EQ(0, st.copies_shared);
	/* of the wrong width */
	nlh = stats_reply(self->buf, "4.0", 0);
	mnl_attr_put_u32(nlh, DFC_STATS_A_COPIES_SHARED, 1);
	EXPECT_EQ(-EINVAL, dfc_nl_stats_parse(nlh, &st));
}

/* Optional is not unchecked: a new counter of the wrong width is a broken reply. */
TEST_F(msg, stats_new_counter_malformed)
{
	struct dfc_stats st;

	for (unsigned int t = DFC_STATS_A_PARSED; t <= DFC_STATS_A_FRAG_EVICTED; t++) {
		struct nlmsghdr *nlh = stats_reply(self->buf, "2.0", 0);
		bool is32 = (t >= DFC_STATS_A_CRITS && t <= DFC_STATS_A_ENTRIES) ||
			    t == DFC_STATS_A_MAX_DUP || t == DFC_STATS_A_DUP_PERIOD ||
			    (t >= DFC_STATS_A_FRAG_MAX && t <= DFC_STATS_A_FRAG_ENTRIES);

		put_new_stats(nlh, t);
		if (is32)
			put_u64(nlh, t, 1, DFC_STATS_A_PAD);
		else
			mnl_attr_put_u32(nlh, t, 1);
		EXPECT_EQ(-EINVAL, dfc_nl_stats_parse(nlh, &st)) TH_LOG("counter %u", t);
	}
	/* and the old ones stay required */
	{
		struct nlmsghdr *nlh = stats_reply(self->buf, "2.0", DFC_STATS_A_IPV6);

		put_new_stats(nlh, 0);
		EXPECT_EQ(-EINVAL, dfc_nl_stats_parse(nlh, &st));
	}
}

TEST_HARNESS_MAIN
