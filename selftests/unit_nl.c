// SPDX-License-Identifier: GPL-2.0
/*
 * Host-tier unit tests of lib/dfc_nl.c, no dfc module needed:
 * - the reply parsers, fed messages built here exactly as the kernel
 *   builds them (genl header, nested stats, 64-bit values after PAD);
 *   malformed and truncated replies must give -EINVAL, never a crash;
 * - the request machinery (ACK, dump, extack, family and group lookup)
 *   against the kernel's own "nlctrl" family, which every kernel with
 *   generic netlink has; and dfc_nl_open() failing with ENOENT.
 */
#include <errno.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>
#include <libmnl/libmnl.h>

#include "kselftest_harness.h"
#include "dfc_nl.h"

#define FAMILY 0x1d /* any id: the parsers do not look at it */

/*
 * nla_put_64bit() on an architecture without efficient unaligned access:
 * a zero-length PAD first whenever the value would not be 8-aligned.
 * x86 never pads, so emulate the other case, the one the parser must cope with.
 */
static void put_u64(struct nlmsghdr *nlh, uint16_t type, uint64_t v, uint16_t pad)
{
	if (((uintptr_t)mnl_nlmsg_get_payload_tail(nlh) + MNL_ATTR_HDRLEN) % 8)
		mnl_attr_put(nlh, pad, 0, NULL);
	mnl_attr_put_u64(nlh, type, v);
}

/* nla_nest_start() marks nests with NLA_F_NESTED */
static struct nlattr *nest_start(struct nlmsghdr *nlh, uint16_t type)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);

	nest->nla_type |= NLA_F_NESTED;
	return nest;
}

static struct nlmsghdr *genl_reply(void *buf, uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));

	nlh->nlmsg_type = FAMILY;
	nlh->nlmsg_seq = 42;
	nlh->nlmsg_pid = 4242;
	genl->cmd = cmd;
	genl->version = DFC_GENL_VERSION;
	return nlh;
}

static const uint64_t istats[] = {
	[DFC_ISTATS_A_SEEN] = 0x1122334455667788ULL,
	[DFC_ISTATS_A_BYTES] = 0xfedcba9876543210ULL,
	[DFC_ISTATS_A_IPV4] = 3,
	[DFC_ISTATS_A_IPV6] = 4,
	[DFC_ISTATS_A_OTHER] = 5,
	[DFC_ISTATS_A_ATTACHED] = 86400 * 365,
};

/* The nested DFC_IFACE_A_STATS, with counter `skip` left out (0: none). */
static void put_istats(struct nlmsghdr *nlh, unsigned int skip)
{
	struct nlattr *nest = nest_start(nlh, DFC_IFACE_A_STATS);

	for (unsigned int t = DFC_ISTATS_A_SEEN; t <= DFC_ISTATS_A_ATTACHED; t++)
		if (t != skip)
			put_u64(nlh, t, istats[t], DFC_ISTATS_A_PAD);
	mnl_attr_nest_end(nlh, nest);
}

/* A DFC_CMD_IFACE_GET reply, as dfc.ko sends it. */
static struct nlmsghdr *iface_reply(void *buf, const char *ifname)
{
	struct nlmsghdr *nlh = genl_reply(buf, DFC_CMD_IFACE_GET);

	mnl_attr_put_u32(nlh, DFC_IFACE_A_IFINDEX, 7);
	mnl_attr_put_strz(nlh, DFC_IFACE_A_IFNAME, ifname);
	mnl_attr_put_u32(nlh, DFC_IFACE_A_FLAGS, DFC_IFACE_F_PASS);
	put_istats(nlh, 0);
	return nlh;
}

static const uint64_t gstats[] = {
	[DFC_STATS_A_SEEN] = 0x8000000000000001ULL,
	[DFC_STATS_A_BYTES] = 1500ULL << 33,
	[DFC_STATS_A_IPV4] = 10,
	[DFC_STATS_A_IPV6] = 20,
	[DFC_STATS_A_OTHER] = 30,
};

/* A DFC_CMD_STATS_GET reply, counter `skip` left out (0: none). */
static struct nlmsghdr *stats_reply(void *buf, const char *version, unsigned int skip)
{
	struct nlmsghdr *nlh = genl_reply(buf, DFC_CMD_STATS_GET);

	if (version)
		mnl_attr_put_strz(nlh, DFC_STATS_A_VERSION, version);
	mnl_attr_put_u32(nlh, DFC_STATS_A_IFACES, 2);
	for (unsigned int t = DFC_STATS_A_SEEN; t <= DFC_STATS_A_OTHER; t++)
		if (t != skip)
			put_u64(nlh, t, gstats[t], DFC_STATS_A_PAD);
	return nlh;
}

static int count_type(const void *start, size_t len, uint16_t type)
{
	const struct nlattr *attr;
	int n = 0;

	mnl_attr_for_each_payload(start, len)
		n += mnl_attr_get_type(attr) == type;
	return n;
}

static struct nlattr *find_attr(const struct nlmsghdr *nlh, uint16_t type)
{
	struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(attr) == type)
			return attr;
	return NULL;
}

/* A copy of nlh cut to len bytes, in a buffer of exactly that size (ASan sees overreads). */
static struct nlmsghdr *cut(const struct nlmsghdr *nlh, size_t len)
{
	struct nlmsghdr *c = malloc(len);

	memcpy(c, nlh, len);
	c->nlmsg_len = len;
	return c;
}

FIXTURE(msg) {
	alignas(8) char buf[4096];
};

FIXTURE_SETUP(msg)
{
	memset(self->buf, 0, sizeof(self->buf));
}

FIXTURE_TEARDOWN(msg)
{
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

/* ---- against the kernel's nlctrl family ---- */

#define OPEN_CTRL(nl) do { \
	nl = dfc_nl_open_family("nlctrl"); \
	if (!nl) \
		SKIP(return, "no generic netlink here: %s", strerror(errno)); \
} while (0)

TEST(open_dfc_not_loaded)
{
	struct dfc_nl *nl;

	OPEN_CTRL(nl);
	dfc_nl_close(nl);

	errno = 0;
	nl = dfc_nl_open_family("dfc-nonexistent");
	EXPECT_EQ(NULL, nl);
	EXPECT_EQ(ENOENT, errno);

	errno = 0;
	nl = dfc_nl_open();
	if (nl) {
		dfc_nl_close(nl);
		SKIP(return, "family %s is registered here (module loaded)", DFC_GENL_NAME);
	}
	EXPECT_EQ(ENOENT, errno);
}

TEST(open_family_and_groups)
{
	struct dfc_nl *nl;

	OPEN_CTRL(nl);
	EXPECT_EQ(GENL_ID_CTRL, dfc_nl_family_id(nl));
	/* nlctrl's one multicast group; its id is GENL_ID_CTRL too */
	EXPECT_EQ(GENL_ID_CTRL, dfc_nl_mcast_group(nl, "notify"));
	EXPECT_EQ(0, dfc_nl_mcast_group(nl, "no-such-group"));
	EXPECT_STREQ("", dfc_nl_extack(nl));
	EXPECT_EQ(0, dfc_nl_extack_offset(nl));
	dfc_nl_close(nl);
}

TEST(msg_new_header)
{
	struct genlmsghdr *genl;
	struct nlmsghdr *nlh;
	struct dfc_nl *nl;

	OPEN_CTRL(nl);
	nlh = dfc_nl_msg_new(nl, DFC_CMD_IFACE_GET, NLM_F_DUMP);
	EXPECT_EQ(MNL_NLMSG_HDRLEN + GENL_HDRLEN, nlh->nlmsg_len);
	EXPECT_EQ(dfc_nl_family_id(nl), nlh->nlmsg_type);
	EXPECT_EQ(NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP, nlh->nlmsg_flags);
	genl = mnl_nlmsg_get_payload(nlh);
	EXPECT_EQ(DFC_CMD_IFACE_GET, genl->cmd);
	EXPECT_EQ(DFC_GENL_VERSION, genl->version);
	EXPECT_EQ(0, genl->reserved);
	EXPECT_LE((size_t)MNL_SOCKET_BUFFER_SIZE, dfc_nl_msg_room(nl));

	/* a new message starts over, in the same buffer */
	ASSERT_TRUE(mnl_attr_put_u32_check(nlh, dfc_nl_msg_room(nl), DFC_IFACE_A_IFINDEX, 1));
	nlh = dfc_nl_msg_new(nl, DFC_CMD_STATS_GET, 0);
	EXPECT_EQ(MNL_NLMSG_HDRLEN + GENL_HDRLEN, nlh->nlmsg_len);
	EXPECT_EQ(NLM_F_REQUEST | NLM_F_ACK, nlh->nlmsg_flags);
	EXPECT_EQ(DFC_CMD_STATS_GET, ((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd);
	dfc_nl_close(nl);
}

struct families {
	int n;
	bool ctrl;
	int stop_after; /* return MNL_CB_ERROR (EBADE) after this many; 0: never */
};

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct families *f = data;
	const struct nlattr *attr;

	f->n++;
	mnl_attr_for_each(attr, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_NAME &&
		    !strcmp(mnl_attr_get_str(attr), "nlctrl"))
			f->ctrl = true;
	if (f->stop_after && f->n == f->stop_after) {
		errno = EBADE;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

TEST(request_get_and_dump)
{
	struct families f = { 0 };
	struct nlmsghdr *nlh;
	struct dfc_nl *nl;

	OPEN_CTRL(nl);
	nlh = dfc_nl_msg_new(nl, CTRL_CMD_GETFAMILY, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "nlctrl");
	ASSERT_EQ(0, dfc_nl_request(nl, nlh, family_cb, &f));
	EXPECT_EQ(1, f.n);
	EXPECT_TRUE(f.ctrl);

	memset(&f, 0, sizeof(f));
	nlh = dfc_nl_msg_new(nl, CTRL_CMD_GETFAMILY, NLM_F_DUMP);
	ASSERT_EQ(0, dfc_nl_request(nl, nlh, family_cb, &f));
	EXPECT_LT(1, f.n);
	EXPECT_TRUE(f.ctrl);
	dfc_nl_close(nl);
}

/* A callback error is returned, and the handle stays usable (replies drained). */
TEST(request_cb_error)
{
	struct families f = { .stop_after = 1 };
	struct nlmsghdr *nlh;
	struct dfc_nl *nl;

	OPEN_CTRL(nl);
	nlh = dfc_nl_msg_new(nl, CTRL_CMD_GETFAMILY, NLM_F_DUMP);
	EXPECT_EQ(-EBADE, dfc_nl_request(nl, nlh, family_cb, &f));
	EXPECT_EQ(1, f.n);

	memset(&f, 0, sizeof(f));
	nlh = dfc_nl_msg_new(nl, CTRL_CMD_GETFAMILY, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "nlctrl");
	EXPECT_EQ(0, dfc_nl_request(nl, nlh, family_cb, &f));
	EXPECT_EQ(1, f.n);
	dfc_nl_close(nl);
}

/* The kernel's error, its extack message and the offset of the attribute at fault. */
TEST(request_extack)
{
	struct nlmsghdr *nlh;
	struct nlattr *bad;
	struct dfc_nl *nl;
	uint8_t one = 1;
	int err;

	OPEN_CTRL(nl);
	nlh = dfc_nl_msg_new(nl, CTRL_CMD_GETFAMILY, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "nlctrl");
	bad = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put(nlh, CTRL_ATTR_FAMILY_ID, sizeof(one), &one); /* a u16 */
	err = dfc_nl_request(nl, nlh, NULL, NULL);
	EXPECT_TRUE(err == -ERANGE || err == -EINVAL) TH_LOG("err %d", err);
	EXPECT_STRNE("", dfc_nl_extack(nl));
	EXPECT_EQ((char *)bad - (char *)nlh, dfc_nl_extack_offset(nl));

	/* the next request starts clean */
	nlh = dfc_nl_msg_new(nl, CTRL_CMD_GETFAMILY, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "nlctrl");
	EXPECT_EQ(0, dfc_nl_request(nl, nlh, NULL, NULL));
	EXPECT_STREQ("", dfc_nl_extack(nl));
	EXPECT_EQ(0, dfc_nl_extack_offset(nl));

	nlh = dfc_nl_msg_new(nl, CTRL_CMD_GETFAMILY, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "dfc-nonexistent");
	EXPECT_EQ(-ENOENT, dfc_nl_request(nl, nlh, NULL, NULL));
	dfc_nl_close(nl);
}

/* The high-level calls reject both or neither of ifindex/ifname without asking. */
TEST(iface_dev_args)
{
	struct dfc_iface_info info;
	struct dfc_nl *nl;

	OPEN_CTRL(nl);
	EXPECT_EQ(-EINVAL, dfc_nl_iface_add(nl, 0, NULL, 0));
	EXPECT_EQ(-EINVAL, dfc_nl_iface_add(nl, 1, "eth0", 0));
	EXPECT_EQ(-EINVAL, dfc_nl_iface_del(nl, 0, NULL));
	EXPECT_EQ(-EINVAL, dfc_nl_iface_get(nl, 2, "eth0", &info));
	dfc_nl_close(nl);
}

TEST_HARNESS_MAIN
