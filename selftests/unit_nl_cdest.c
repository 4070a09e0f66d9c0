// SPDX-License-Identifier: GPL-2.0
/*
 * Host-tier unit tests of lib/dfc_nl*.c, no dfc module needed:
 * - the reply parsers, fed messages built here exactly as the kernel
 *   builds them (genl header, nested stats, 64-bit values after PAD);
 *   malformed and truncated replies must give -EINVAL, never a crash;
 * - the criteria encoder against its parser and against the attributes
 *   themselves (the port/ICMP presence rule, the 64 KiB nest limit), the
 *   batching of criteria into messages, kernel-style replies and events;
 * - the request machinery (ACK, dump, extack, family and group lookup)
 *   against the kernel's own "nlctrl" family, which every kernel with
 *   generic netlink has; and dfc_nl_open() failing with ENOENT;
 * - the criteria commands (batched add, streamed dump with restarts, get,
 *   delete, refresh, limits, events) against a fake dfc kernel that
 *   stands in for libmnl's send and receive (see "against a fake kernel").
 */
#include <errno.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <dlfcn.h>
#include <linux/genetlink.h>
#include <libmnl/libmnl.h>

#include "kselftest_harness.h"
#include "dfc_nl.h"

#ifdef __clang__
/* TEST() of the 6.1 harness leaves its variant parameter unused (gcc: a system header's) */
#pragma clang diagnostic ignored "-Wunused-parameter"
#endif

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
	[DFC_ISTATS_A_NO_L4_EXTHDRS] = (1ULL << 35) + 1,
	[DFC_ISTATS_A_NO_L4_TRUNCATED] = 2,
	[DFC_ISTATS_A_NO_L4_FRAGMENT] = 3,
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

/* The counters that came with the criteria, as a newer module sends them. */
static void put_new_stats(struct nlmsghdr *nlh, unsigned int skip)
{
	for (unsigned int t = DFC_STATS_A_PARSED; t <= DFC_STATS_A_EXPIRED; t++) {
		if (t == skip)
			continue;
		if (t >= DFC_STATS_A_CRITS && t <= DFC_STATS_A_ENTRIES)
			mnl_attr_put_u32(nlh, t, 1000 + t);
		else
			put_u64(nlh, t, (1ULL << 40) + t, DFC_STATS_A_PAD);
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

/* Optional is not unchecked: a new counter of the wrong width is a broken reply. */
TEST_F(msg, stats_new_counter_malformed)
{
	struct dfc_stats st;

	for (unsigned int t = DFC_STATS_A_PARSED; t <= DFC_STATS_A_EXPIRED; t++) {
		struct nlmsghdr *nlh = stats_reply(self->buf, "2.0", 0);
		bool is32 = t >= DFC_STATS_A_CRITS && t <= DFC_STATS_A_ENTRIES;

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

/* ---- criteria: encoder and parser ---- */

#define BIG (256 * 1024)

static void ip(uint8_t *dst, const char *s)
{
	memset(dst, 0, 16);
	if (inet_pton(AF_INET, s, dst) != 1 && inet_pton(AF_INET6, s, dst) != 1)
		abort();
}

/* Entries in the form the parser gives back (conditions flagged, masks as sent). */
static struct dfc_nl_entry entry4(const char *src, uint8_t splen, const char *dst, uint8_t dplen,
				  uint16_t dport, uint8_t proto)
{
	struct dfc_nl_entry e = { .ipver = 4, .src_plen = splen, .dst_plen = dplen };

	if (src)
		ip(e.src, src);
	if (dst)
		ip(e.dst, dst);
	if (dport) {
		e.ports = true;
		e.dport = dport;
		e.dport_mask = 0xffff;
	}
	if (proto) {
		e.proto = proto;
		e.proto_mask = 0xff;
	}
	return e;
}

static struct dfc_nl_entry entry6(const char *src, uint8_t splen)
{
	struct dfc_nl_entry e = { .ipver = 6, .src_plen = splen };

	ip(e.src, src);
	return e;
}

/* Field by field: the struct has padding. */
static bool entry_eq(const struct dfc_nl_entry *a, const struct dfc_nl_entry *b)
{
	return a->ipver == b->ipver && a->src_plen == b->src_plen && a->dst_plen == b->dst_plen &&
	       !memcmp(a->src, b->src, 16) && !memcmp(a->dst, b->dst, 16) &&
	       a->ports == b->ports && a->sport == b->sport && a->sport_mask == b->sport_mask &&
	       a->dport == b->dport && a->dport_mask == b->dport_mask &&
	       a->proto == b->proto && a->proto_mask == b->proto_mask && a->icmp == b->icmp &&
	       a->icmp_type == b->icmp_type && a->icmp_type_mask == b->icmp_type_mask &&
	       a->icmp_code == b->icmp_code && a->icmp_code_mask == b->icmp_code_mask &&
	       a->ifindex == b->ifindex;
}

/* A criterion request message: DFC_A_OWNER then nests, as dfc_nl_crit_add builds it. */
static struct nlmsghdr *crit_msg(void *buf, uint32_t owner)
{
	struct nlmsghdr *nlh = genl_reply(buf, DFC_CMD_CRIT_NEW);

	mnl_attr_put_u32(nlh, DFC_A_OWNER, owner);
	return nlh;
}

/* The one DFC_A_CRIT nest of nlh. */
static struct nlattr *crit_nest(const struct nlmsghdr *nlh)
{
	return find_attr(nlh, DFC_A_CRIT);
}

/* How many attributes of type t directly in nest. */
static int nest_count(const struct nlattr *nest, uint16_t t)
{
	return count_type(mnl_attr_get_payload(nest), mnl_attr_get_payload_len(nest), t);
}

static const struct nlattr *nest_find(const struct nlattr *nest, uint16_t t)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest)
		if (mnl_attr_get_type(a) == t)
			return a;
	return NULL;
}

FIXTURE(crit) {
	char *buf; /* BIG bytes, 8-aligned */
	/* one over each cap: an unchecked criterion is read, not overrun */
	struct dfc_nl_entry ent[DFC_CRIT_MAX_ENTRIES + 1], exc[DFC_CRIT_MAX_EXCL + 1];
	struct dfc_nl_entry got_ent[DFC_CRIT_MAX_ENTRIES], got_exc[DFC_CRIT_MAX_EXCL];
};

FIXTURE_SETUP(crit)
{
	self->buf = calloc(1, BIG);
	ASSERT_NE(NULL, self->buf);
	memset(self->ent, 0, sizeof(self->ent));
	memset(self->exc, 0, sizeof(self->exc));
}

FIXTURE_TEARDOWN(crit)
{
	free(self->buf);
}

#define PARSE(nlh, out) dfc_nl_crit_parse(nlh, out, self->got_ent, DFC_CRIT_MAX_ENTRIES, \
					  self->got_exc, DFC_CRIT_MAX_EXCL)

TEST_F(crit, roundtrip)
{
	static const char blob[] = "src 10.0.0.0/8 dport 80,443 !dst 10.1.2.3";
	struct dfc_nl_crit c = {
		.id = 0x8000000000000005ULL, .prio = 7, .flags = DFC_CRIT_F_SEND_ASYNC,
		.cdest = 0xfffffffe, .timeout_total = 86400, .timeout_idle = 30,
		.limit_packets = 1ULL << 40, .limit_bytes = 0xffffffffffffffffULL,
		.blob = blob, .blob_len = sizeof(blob), .entries = self->ent, .excl = self->exc,
	}, got;
	struct nlmsghdr *nlh = crit_msg(self->buf, 77);

	self->ent[0] = entry4("10.0.0.0", 8, "192.168.1.1", 32, 80, 6);
	self->ent[1] = entry4("10.0.0.0", 8, NULL, 0, 443, 17);
	self->ent[2] = entry6("2001:db8::", 48);
	self->ent[3] = entry6("2001:db8:1::1", 128);
	self->ent[3].dst_plen = 1;
	ip(self->ent[3].dst, "8000::");
	self->ent[4] = (struct dfc_nl_entry){ .ifindex = 42 }; /* any IP version */
	self->ent[5] = (struct dfc_nl_entry){ .ipver = 4, .icmp = true, .icmp_type = 8,
					      .icmp_type_mask = 0xff, .icmp_code = 0,
					      .icmp_code_mask = 0, .proto = 1, .proto_mask = 0xff };
	self->ent[6] = (struct dfc_nl_entry){ .ports = true, .sport = 0x1000, .sport_mask = 0xf000,
					      .dport = 0, .dport_mask = 0 };
	c.n_entries = 7;
	self->exc[0] = entry4(NULL, 0, "10.1.2.3", 32, 0, 0);
	self->exc[1] = entry6("2001:db8::", 64);
	c.n_excl = 2;

	ASSERT_EQ(0, dfc_nl_crit_put(nlh, BIG, &c));
	memset(&got, 0xa5, sizeof(got));
	ASSERT_EQ(0, PARSE(nlh, &got));
	EXPECT_EQ(77, got.owner);
	EXPECT_EQ(c.id, got.id);
	EXPECT_EQ(7, got.prio);
	EXPECT_EQ(DFC_CRIT_F_SEND_ASYNC, got.flags);
	EXPECT_EQ(0xfffffffe, got.cdest);
	EXPECT_EQ(86400, got.timeout_total);
	EXPECT_EQ(30, got.timeout_idle);
	EXPECT_EQ(1ULL << 40, got.limit_packets);
	EXPECT_EQ(0xffffffffffffffffULL, got.limit_bytes);
	ASSERT_EQ(sizeof(blob), got.blob_len);
	EXPECT_EQ(0, memcmp(blob, got.blob, sizeof(blob)));
	/* the blob points into the message, not at the caller's copy */
	EXPECT_TRUE((const char *)got.blob > self->buf && (const char *)got.blob < self->buf + BIG);
	ASSERT_EQ(7, got.n_entries);
	ASSERT_EQ(2, got.n_excl);
	ASSERT_EQ(&self->got_ent[0], got.entries);
	ASSERT_EQ(&self->got_exc[0], got.excl);
	for (unsigned int i = 0; i < 7; i++) {
		EXPECT_TRUE(entry_eq(&self->ent[i], &got.entries[i])) TH_LOG("entry %u", i);
	}
	for (unsigned int i = 0; i < 2; i++) {
		EXPECT_TRUE(entry_eq(&self->exc[i], &got.excl[i])) TH_LOG("exclusion %u", i);
	}
	/* not in a request: read as absent */
	EXPECT_EQ(UINT64_MAX, got.last_match_secs);
	EXPECT_EQ(0, got.packets);
	EXPECT_EQ(0, got.age_secs) TH_LOG("no AGE in a request");

	/* the attributes themselves, independently of the parser */
	{
		struct nlattr *n = crit_nest(nlh);
		const struct nlattr *e;

		ASSERT_NE(NULL, n);
		EXPECT_TRUE(n->nla_type & NLA_F_NESTED);
		EXPECT_EQ(7, nest_count(n, DFC_CRIT_A_ENTRY));
		EXPECT_EQ(2, nest_count(n, DFC_CRIT_A_EXCL));
		EXPECT_EQ(8, mnl_attr_get_payload_len(nest_find(n, DFC_CRIT_A_ID)));
		EXPECT_EQ(c.id, mnl_attr_get_u64(nest_find(n, DFC_CRIT_A_ID)));
		EXPECT_EQ(30, mnl_attr_get_u32(nest_find(n, DFC_CRIT_A_TIMEOUT_IDLE)));
		e = nest_find(n, DFC_CRIT_A_ENTRY);
		EXPECT_TRUE(e->nla_type & NLA_F_NESTED);
		/* entry 0: a v4 address is 4 bytes, a v6 one 16 */
		EXPECT_EQ(4, mnl_attr_get_payload_len(nest_find(e, DFC_ENTRY_A_SRC)));
		EXPECT_EQ(8, mnl_attr_get_u8(nest_find(e, DFC_ENTRY_A_SRC_PLEN)));
		EXPECT_EQ(80, mnl_attr_get_u16(nest_find(e, DFC_ENTRY_A_DPORT)));
	}
}

TEST_F(crit, unset_limits_not_sent)
{
	struct dfc_nl_crit c = { .id = 1, .prio = 1, .flags = DFC_CRIT_F_STATIC,
				 .entries = self->ent, .n_entries = 1 }, got;
	struct nlmsghdr *nlh = crit_msg(self->buf, 1);
	struct nlattr *n;

	self->ent[0] = entry4("10.0.0.0", 8, NULL, 0, 0, 0);
	ASSERT_EQ(0, dfc_nl_crit_put(nlh, BIG, &c));
	n = crit_nest(nlh);
	for (uint16_t t = DFC_CRIT_A_TIMEOUT_TOTAL; t <= DFC_CRIT_A_BLOB; t++) {
		EXPECT_EQ(0, nest_count(n, t)) TH_LOG("attr %u", t);
	}
	EXPECT_EQ(0, nest_count(n, DFC_CRIT_A_EXCL));
	/* prio, flags and cdest always, even 0 */
	EXPECT_EQ(1, nest_count(n, DFC_CRIT_A_CDEST));
	EXPECT_EQ(0, mnl_attr_get_u32(nest_find(n, DFC_CRIT_A_CDEST)));
	ASSERT_EQ(0, PARSE(nlh, &got));
	EXPECT_EQ(NULL, got.blob);
	EXPECT_EQ(0, got.blob_len);
	EXPECT_EQ(NULL, got.excl);
	EXPECT_EQ(0, got.timeout_total);
}

/*
 * The port and ICMP conditions are made by the presence of their
 * attributes: all four are sent when `ports`/`icmp` is set or a mask is
 * non-zero, none otherwise; a value without its mask is not sent.
 */
TEST_F(crit, presence_rule)
{
	static const struct {
		struct dfc_nl_entry e;
		bool ports, icmp, proto;
	} cases[] = {
		{ { .ipver = 4 }, false, false, false },
		/* values without masks mean nothing and are not sent */
		{ { .sport = 80, .dport = 80, .icmp_type = 3, .proto = 6 }, false, false, false },
		/* a port condition with both masks zero: frames with ports, any */
		{ { .ports = true }, true, false, false },
		{ { .sport = 0x1200, .sport_mask = 0xff00 }, true, false, false },
		{ { .dport_mask = 0xffff }, true, false, false },
		{ { .icmp = true }, false, true, false },
		{ { .icmp_code_mask = 0xff, .icmp_code = 1 }, false, true, false },
		{ { .proto_mask = 0xff, .proto = 0 }, false, false, true },
		{ { .ports = true, .icmp = true, .proto_mask = 0xf0, .proto = 0x10 }, true, true, true },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dfc_nl_crit c = { .id = i, .flags = DFC_CRIT_F_STATIC,
					 .entries = self->ent, .n_entries = 1 }, got;
		struct nlmsghdr *nlh = crit_msg(self->buf, 1);
		const struct nlattr *e;
		int np = cases[i].ports ? 1 : 0, ni = cases[i].icmp ? 1 : 0;

		self->ent[0] = cases[i].e;
		ASSERT_EQ(0, dfc_nl_crit_put(nlh, BIG, &c));
		e = nest_find(crit_nest(nlh), DFC_CRIT_A_ENTRY);
		ASSERT_NE(NULL, e);
		for (uint16_t t = DFC_ENTRY_A_SPORT; t <= DFC_ENTRY_A_DPORT_MASK; t++) {
			EXPECT_EQ(np, nest_count(e, t)) TH_LOG("case %zu port attr %u", i, t);
		}
		for (uint16_t t = DFC_ENTRY_A_ICMP_TYPE; t <= DFC_ENTRY_A_ICMP_CODE_MASK; t++) {
			EXPECT_EQ(ni, nest_count(e, t)) TH_LOG("case %zu icmp attr %u", i, t);
		}
		EXPECT_EQ(cases[i].proto, nest_count(e, DFC_ENTRY_A_PROTO)) TH_LOG("case %zu", i);
		EXPECT_EQ(cases[i].proto, nest_count(e, DFC_ENTRY_A_PROTO_MASK));
		EXPECT_EQ(0, nest_count(e, DFC_ENTRY_A_SRC));
		EXPECT_EQ(0, nest_count(e, DFC_ENTRY_A_IFINDEX));

		ASSERT_EQ(0, PARSE(nlh, &got));
		EXPECT_EQ(cases[i].ports, got.entries[0].ports) TH_LOG("case %zu", i);
		EXPECT_EQ(cases[i].icmp, got.entries[0].icmp) TH_LOG("case %zu", i);
		if (cases[i].ports) {
			EXPECT_EQ(cases[i].e.sport, got.entries[0].sport);
			EXPECT_EQ(cases[i].e.sport_mask, got.entries[0].sport_mask);
			EXPECT_EQ(cases[i].e.dport_mask, got.entries[0].dport_mask);
		} else {
			EXPECT_EQ(0, got.entries[0].sport_mask);
			EXPECT_EQ(0, got.entries[0].dport_mask);
		}
		if (cases[i].icmp) {
			EXPECT_EQ(cases[i].e.icmp_code, got.entries[0].icmp_code);
			EXPECT_EQ(cases[i].e.icmp_code_mask, got.entries[0].icmp_code_mask);
		}
		EXPECT_EQ(cases[i].e.proto_mask, got.entries[0].proto_mask);
	}
}

/* What cannot be encoded is refused, and the message is left as it was. */
TEST_F(crit, put_refuses_unencodable)
{
	static const char blob[] = "x";
	struct dfc_nl_crit c = { .id = 1, .flags = DFC_CRIT_F_STATIC, .entries = self->ent,
				 .n_entries = 2 };
	struct nlmsghdr *nlh = crit_msg(self->buf, 1);
	uint32_t len;

	self->ent[0] = entry4("10.0.0.0", 8, NULL, 0, 0, 0);
	/* an address, but no IP version to tell its length */
	self->ent[1] = (struct dfc_nl_entry){ .dst_plen = 8 };
	len = nlh->nlmsg_len;
	EXPECT_EQ(-EINVAL, dfc_nl_crit_put(nlh, BIG, &c));
	EXPECT_EQ(len, nlh->nlmsg_len);
	self->ent[1].ipver = 5;
	EXPECT_EQ(-EINVAL, dfc_nl_crit_put(nlh, BIG, &c));
	EXPECT_EQ(len, nlh->nlmsg_len);
	/* in an exclusion too */
	c.n_entries = 1;
	c.excl = &self->ent[1];
	c.n_excl = 1;
	EXPECT_EQ(-EINVAL, dfc_nl_crit_put(nlh, BIG, &c));
	EXPECT_EQ(len, nlh->nlmsg_len);
	c.n_excl = 0;
	/* a blob length without a blob, entries without an array */
	c.blob_len = 1;
	EXPECT_EQ(-EINVAL, dfc_nl_crit_put(nlh, BIG, &c));
	c.blob = blob;
	c.entries = NULL;
	EXPECT_EQ(-EINVAL, dfc_nl_crit_put(nlh, BIG, &c));
	EXPECT_EQ(len, nlh->nlmsg_len);
	c.entries = self->ent;
	EXPECT_EQ(0, dfc_nl_crit_put(nlh, BIG, &c));
	EXPECT_LT(len, nlh->nlmsg_len);
}

/* The buffer's room is respected to the byte; a miss leaves the message intact. */
TEST_F(crit, put_room)
{
	struct dfc_nl_crit c = { .id = 9, .flags = DFC_CRIT_F_STATIC, .entries = self->ent,
				 .n_entries = 3 };
	struct nlmsghdr *nlh = crit_msg(self->buf, 1);
	uint32_t base = nlh->nlmsg_len, need;

	for (int i = 0; i < 3; i++)
		self->ent[i] = entry4("10.0.0.0", (uint8_t)(8 + i), NULL, 0, 80, 6);
	ASSERT_EQ(0, dfc_nl_crit_put(nlh, BIG, &c));
	need = nlh->nlmsg_len;
	nlh->nlmsg_len = base;
	/* every room short of it fails without a trace; the exact room works */
	for (uint32_t room = base; room < need; room++) {
		memset(self->buf + base, 0x5a, need - base);
		EXPECT_EQ(-EMSGSIZE, dfc_nl_crit_put(nlh, room, &c)) TH_LOG("room %u", room);
		EXPECT_EQ(base, nlh->nlmsg_len);
	}
	ASSERT_EQ(0, dfc_nl_crit_put(nlh, need, &c));
	EXPECT_EQ(need, nlh->nlmsg_len);
}

/* Every entry condition there is, on v6: the largest entry. */
static struct dfc_nl_entry fat_entry(unsigned int i)
{
	struct dfc_nl_entry e = { .ipver = 6, .src_plen = 128, .dst_plen = 128, .ports = true,
				  .sport = (uint16_t)i, .sport_mask = 0xffff, .dport = 80,
				  .dport_mask = 0xffff, .proto = 6, .proto_mask = 0xff,
				  .icmp = true, .icmp_type_mask = 0xff, .icmp_code_mask = 0xff,
				  .ifindex = 3 };

	ip(e.src, "2001:db8::1");
	ip(e.dst, "2001:db8::2");
	return e;
}

/*
 * The largest valid criterion: DFC_CRIT_MAX_ENTRIES entries and
 * DFC_CRIT_MAX_EXCL exclusions of the largest shape, every optional
 * attribute, a DFC_CRIT_BLOB_MAX-byte blob. ent and exc need one more
 * element each: they are filled to one over the caps.
 */
static struct dfc_nl_crit max_crit(struct dfc_nl_entry *ent, struct dfc_nl_entry *exc,
				   const char *blob)
{
	for (unsigned int i = 0; i <= DFC_CRIT_MAX_ENTRIES; i++)
		ent[i] = fat_entry(i);
	for (unsigned int i = 0; i <= DFC_CRIT_MAX_EXCL; i++)
		exc[i] = fat_entry(60000 + i);
	return (struct dfc_nl_crit){
		.id = UINT64_MAX, .prio = UINT32_MAX, .flags = DFC_CRIT_F_SEND_ASYNC,
		.cdest = UINT32_MAX, .timeout_total = DFC_TIMEOUT_MAX,
		.timeout_idle = DFC_TIMEOUT_MAX, .limit_packets = UINT64_MAX,
		.limit_bytes = UINT64_MAX, .blob = blob, .blob_len = DFC_CRIT_BLOB_MAX,
		.entries = ent, .n_entries = DFC_CRIT_MAX_ENTRIES,
		.excl = exc, .n_excl = DFC_CRIT_MAX_EXCL,
	};
}

/* A 64-bit attribute after a PAD: the most nla_put_64bit() can take. */
static void put_u64_padded(struct nlmsghdr *nlh, uint16_t type, uint64_t v)
{
	mnl_attr_put(nlh, DFC_CRIT_A_PAD, 0, NULL);
	mnl_attr_put_u64(nlh, type, v);
}

/* Copy attribute a (type flags and all) to the end of nlh. */
static void copy_attr(struct nlmsghdr *nlh, const struct nlattr *a)
{
	if (a)
		mnl_attr_put(nlh, a->nla_type, mnl_attr_get_payload_len(a),
			     mnl_attr_get_payload(a));
}

/*
 * The kernel's GET reply to the criterion that request req added, as
 * crit_fill() (kmod/crit_nl.c) builds it: what was sent, in the same
 * shape, plus counters, counts and their PADs, every one of which is
 * taken (the worst case). *nest_len: the reply's DFC_A_CRIT nest as
 * long as it really is (its nla_len would wrap past 64 KiB).
 */
static struct nlmsghdr *reply_of(void *buf, const struct nlmsghdr *req, size_t *nest_len)
{
	const struct nlattr *rn = crit_nest(req), *a;
	struct nlmsghdr *nlh = genl_reply(buf, DFC_CMD_CRIT_GET);
	struct nlattr *crit;

	mnl_attr_put_u32(nlh, DFC_A_OWNER, mnl_attr_get_u32(find_attr(req, DFC_A_OWNER)));
	crit = nest_start(nlh, DFC_A_CRIT);
	put_u64_padded(nlh, DFC_CRIT_A_ID, mnl_attr_get_u64(nest_find(rn, DFC_CRIT_A_ID)));
	put_u64_padded(nlh, DFC_CRIT_A_PACKETS, UINT64_MAX);
	put_u64_padded(nlh, DFC_CRIT_A_BYTES, UINT64_MAX);
	put_u64_padded(nlh, DFC_CRIT_A_LAST_MATCH, UINT64_MAX - 1);
	put_u64_padded(nlh, DFC_CRIT_A_AGE, UINT64_MAX);
	copy_attr(nlh, nest_find(rn, DFC_CRIT_A_PRIO));
	copy_attr(nlh, nest_find(rn, DFC_CRIT_A_FLAGS));
	copy_attr(nlh, nest_find(rn, DFC_CRIT_A_CDEST));
	mnl_attr_put_u32(nlh, DFC_CRIT_A_N_REFRESH, UINT32_MAX);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_N_ENTRIES, (uint32_t)nest_count(rn, DFC_CRIT_A_ENTRY));
	mnl_attr_put_u32(nlh, DFC_CRIT_A_N_EXCL, (uint32_t)nest_count(rn, DFC_CRIT_A_EXCL));
	put_u64_padded(nlh, DFC_CRIT_A_DUP_DROPPED, UINT64_MAX);
	copy_attr(nlh, nest_find(rn, DFC_CRIT_A_TIMEOUT_TOTAL));
	copy_attr(nlh, nest_find(rn, DFC_CRIT_A_TIMEOUT_IDLE));
	if ((a = nest_find(rn, DFC_CRIT_A_LIMIT_PACKETS)))
		put_u64_padded(nlh, DFC_CRIT_A_LIMIT_PACKETS, mnl_attr_get_u64(a));
	if ((a = nest_find(rn, DFC_CRIT_A_LIMIT_BYTES)))
		put_u64_padded(nlh, DFC_CRIT_A_LIMIT_BYTES, mnl_attr_get_u64(a));
	copy_attr(nlh, nest_find(rn, DFC_CRIT_A_BLOB));
	/* entries, then exclusions: masked values, the same attributes as sent */
	mnl_attr_for_each_nested(a, rn)
		if (mnl_attr_get_type(a) == DFC_CRIT_A_ENTRY)
			copy_attr(nlh, a);
	mnl_attr_for_each_nested(a, rn)
		if (mnl_attr_get_type(a) == DFC_CRIT_A_EXCL)
			copy_attr(nlh, a);
	*nest_len = (size_t)((char *)mnl_nlmsg_get_payload_tail(nlh) - (char *)crit);
	mnl_attr_nest_end(nlh, crit);
	return nlh;
}

/*
 * The uapi caps, checked before anything is written, whatever the room:
 * a criterion at every cap is encoded, one over any cap is -EINVAL (the
 * kernel would refuse it) even when it would fit the message and a nest.
 */
TEST_F(crit, put_caps)
{
	static char blob[UINT16_MAX];
	static const struct {
		const char *what;
		unsigned int ne, nx, blob;
	} over[] = {
		{ "entries", DFC_CRIT_MAX_ENTRIES + 1, DFC_CRIT_MAX_EXCL, DFC_CRIT_BLOB_MAX },
		{ "exclusions", DFC_CRIT_MAX_ENTRIES, DFC_CRIT_MAX_EXCL + 1, DFC_CRIT_BLOB_MAX },
		{ "blob", DFC_CRIT_MAX_ENTRIES, DFC_CRIT_MAX_EXCL, DFC_CRIT_BLOB_MAX + 1 },
		{ "blob, 64 KiB", 1, 0, UINT16_MAX },
		{ "entries, one small", DFC_CRIT_MAX_ENTRIES + 1, 0, 0 },
		{ "exclusions, one small", 1, DFC_CRIT_MAX_EXCL + 1, 0 },
	};
	struct dfc_nl_crit c = { .id = 1, .timeout_idle = 5, .entries = self->ent,
				 .excl = self->exc, .blob = blob }, got;
	struct nlmsghdr *nlh = crit_msg(self->buf, 1);
	uint32_t base = nlh->nlmsg_len;

	/* small entries: the caps are at stake, not the size */
	for (unsigned int i = 0; i <= DFC_CRIT_MAX_ENTRIES; i++)
		self->ent[i] = entry4("10.0.0.0", 8, NULL, 0, (uint16_t)(i + 1), 6);
	for (unsigned int i = 0; i <= DFC_CRIT_MAX_EXCL; i++)
		self->exc[i] = entry4(NULL, 0, "10.1.0.0", 16, (uint16_t)(i + 1), 17);
	memset(blob, 'b', sizeof(blob));

	/* at every cap */
	c.n_entries = DFC_CRIT_MAX_ENTRIES;
	c.n_excl = DFC_CRIT_MAX_EXCL;
	c.blob_len = DFC_CRIT_BLOB_MAX;
	ASSERT_EQ(0, dfc_nl_crit_put(nlh, BIG, &c));
	ASSERT_EQ(0, PARSE(nlh, &got));
	EXPECT_EQ(DFC_CRIT_MAX_ENTRIES, got.n_entries);
	EXPECT_EQ(DFC_CRIT_MAX_EXCL, got.n_excl);
	EXPECT_EQ(DFC_CRIT_BLOB_MAX, got.blob_len);

	for (size_t i = 0; i < sizeof(over) / sizeof(over[0]); i++) {
		c.n_entries = over[i].ne;
		c.n_excl = over[i].nx;
		c.blob_len = (uint16_t)over[i].blob;
		/* with all the room there is, and with none at all */
		for (int r = 0; r < 2; r++) {
			nlh->nlmsg_len = base;
			memset(self->buf + base, 0x5a, BIG - base);
			EXPECT_EQ(-EINVAL, dfc_nl_crit_put(nlh, r ? base : BIG, &c))
				TH_LOG("over the cap of %s, room %s", over[i].what,
				       r ? "none" : "plenty");
			EXPECT_EQ(base, nlh->nlmsg_len);
			/* refused before anything was written */
			EXPECT_EQ(0x5a, (unsigned char)self->buf[base]);
			EXPECT_EQ(0x5a, (unsigned char)self->buf[base + 4]);
		}
	}
}

/*
 * The largest valid criterion fits one DFC_A_CRIT nest with
 * DFC_NL_CRIT_REPLY_ROOM to spare, and one message of the library's
 * room; it comes back whole, from the request and from the kernel's GET
 * reply, which the spared room is enough for. A room short of it by a
 * byte is -EMSGSIZE, the message left as it was.
 */
TEST_F(crit, put_largest)
{
	static char blob[DFC_CRIT_BLOB_MAX];
	struct dfc_nl_crit c = max_crit(self->ent, self->exc, blob), got;
	struct nlmsghdr *nlh = crit_msg(self->buf, 1), *rep;
	uint32_t base = nlh->nlmsg_len, need;
	char *rbuf = calloc(1, BIG);
	size_t rlen;
	struct nlattr *n;

	ASSERT_NE(NULL, rbuf);
	for (unsigned int i = 0; i < sizeof(blob); i++)
		blob[i] = (char)(i * 7);
	ASSERT_EQ(0, dfc_nl_crit_put(nlh, DFC_NL_MSG_MAX, &c));
	need = nlh->nlmsg_len;
	n = crit_nest(nlh);
	ASSERT_NE(NULL, n);
	TH_LOG("the largest criterion: a %u-byte nest, a %u-byte message", n->nla_len, need);
	EXPECT_GE(DFC_NL_MSG_MAX, need);
	EXPECT_GE(UINT16_MAX - DFC_NL_CRIT_REPLY_ROOM, n->nla_len);
	/* the nest ends where the message does: nothing spilled out of it */
	EXPECT_EQ(need, (uint32_t)((char *)n - self->buf) + MNL_ALIGN(n->nla_len));
	EXPECT_EQ(DFC_CRIT_MAX_ENTRIES, nest_count(n, DFC_CRIT_A_ENTRY));
	EXPECT_EQ(DFC_CRIT_MAX_EXCL, nest_count(n, DFC_CRIT_A_EXCL));

	memset(&got, 0xa5, sizeof(got));
	ASSERT_EQ(0, PARSE(nlh, &got));
	EXPECT_EQ(c.id, got.id);
	EXPECT_EQ(c.prio, got.prio);
	EXPECT_EQ(c.cdest, got.cdest);
	EXPECT_EQ(c.timeout_total, got.timeout_total);
	EXPECT_EQ(c.limit_bytes, got.limit_bytes);
	ASSERT_EQ(DFC_CRIT_BLOB_MAX, got.blob_len);
	EXPECT_EQ(0, memcmp(blob, got.blob, sizeof(blob)));
	ASSERT_EQ(DFC_CRIT_MAX_ENTRIES, got.n_entries);
	ASSERT_EQ(DFC_CRIT_MAX_EXCL, got.n_excl);
	for (unsigned int i = 0; i < DFC_CRIT_MAX_ENTRIES; i++) {
		ASSERT_TRUE(entry_eq(&self->ent[i], &got.entries[i])) TH_LOG("entry %u", i);
	}
	for (unsigned int i = 0; i < DFC_CRIT_MAX_EXCL; i++) {
		ASSERT_TRUE(entry_eq(&self->exc[i], &got.excl[i])) TH_LOG("exclusion %u", i);
	}

	/* the kernel's reply: within the room kept for it, so within 64 KiB */
	rep = reply_of(rbuf, nlh, &rlen);
	TH_LOG("its GET reply: a %zu-byte nest", rlen);
	EXPECT_GE((size_t)n->nla_len + DFC_NL_CRIT_REPLY_ROOM, rlen);
	ASSERT_GE((size_t)UINT16_MAX, rlen);
	memset(&got, 0xa5, sizeof(got));
	ASSERT_EQ(0, PARSE(rep, &got));
	EXPECT_EQ(c.id, got.id);
	EXPECT_EQ(UINT64_MAX, got.packets);
	EXPECT_EQ(UINT64_MAX - 1, got.last_match_secs);
	EXPECT_EQ(c.limit_packets, got.limit_packets);
	ASSERT_EQ(DFC_CRIT_BLOB_MAX, got.blob_len);
	EXPECT_EQ(0, memcmp(blob, got.blob, sizeof(blob)));
	ASSERT_EQ(DFC_CRIT_MAX_ENTRIES, got.n_entries);
	ASSERT_EQ(DFC_CRIT_MAX_EXCL, got.n_excl);
	EXPECT_TRUE(entry_eq(&self->ent[DFC_CRIT_MAX_ENTRIES - 1],
			     &got.entries[DFC_CRIT_MAX_ENTRIES - 1]));
	EXPECT_TRUE(entry_eq(&self->exc[DFC_CRIT_MAX_EXCL - 1], &got.excl[DFC_CRIT_MAX_EXCL - 1]));

	/* the room, to the byte: one short fails without a trace */
	nlh->nlmsg_len = base;
	EXPECT_EQ(-EMSGSIZE, dfc_nl_crit_put(nlh, need - 1, &c));
	EXPECT_EQ(base, nlh->nlmsg_len);
	EXPECT_EQ(0, dfc_nl_crit_put(nlh, need, &c));
	EXPECT_EQ(need, nlh->nlmsg_len);
	free(rbuf);
}

/* Criteria of assorted sizes, for batching. */
static void assorted(struct dfc_nl_crit *v, unsigned int n, struct dfc_nl_entry *ent,
		     struct dfc_nl_entry *exc)
{
	for (unsigned int i = 0; i < n; i++) {
		v[i] = (struct dfc_nl_crit){ .id = 1000 + i, .timeout_idle = 60,
					     .entries = ent,
					     .n_entries = 1 + (i * 37) % DFC_CRIT_MAX_ENTRIES };
		if (i % 5 == 0) {
			v[i].excl = exc;
			v[i].n_excl = 1 + i % DFC_CRIT_MAX_EXCL;
		}
	}
}

/*
 * Batching: criteria go into as few messages as fit the room, in order,
 * each whole in exactly one message, and a message ends only where the
 * next criterion would not fit.
 */
TEST_F(crit, pack_batches)
{
	enum { N = 300, ROOM = 32768 };
	struct dfc_nl_crit *v = calloc(N, sizeof(*v));
	unsigned int done = 0, msgs = 0;
	char *tmp = malloc(ROOM);

	ASSERT_NE(NULL, v);
	for (unsigned int i = 0; i < DFC_CRIT_MAX_ENTRIES; i++)
		self->ent[i] = entry4("10.0.0.0", 24, "192.168.0.0", 16, (uint16_t)(i + 1), 6);
	for (unsigned int i = 0; i < DFC_CRIT_MAX_EXCL; i++)
		self->exc[i] = entry4("10.0.0.0", 32, NULL, 0, (uint16_t)(i + 1), 17);
	assorted(v, N, self->ent, self->exc);
	while (done < N) {
		struct nlmsghdr *nlh = crit_msg(self->buf, 5);
		const struct nlattr *a;
		unsigned int k, seen = 0;

		ASSERT_EQ(0, dfc_nl_crit_pack(nlh, ROOM, v + done, N - done, &k));
		ASSERT_LE(1, k);
		ASSERT_GE(ROOM, nlh->nlmsg_len);
		/* every nest of this message is one whole criterion, in order */
		mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
			struct dfc_nl_crit got;

			if (mnl_attr_get_type(a) != DFC_A_CRIT)
				continue;
			ASSERT_EQ(0, dfc_nl_crit_parse_attr(a, &got, self->got_ent,
							    DFC_CRIT_MAX_ENTRIES, self->got_exc,
							    DFC_CRIT_MAX_EXCL));
			ASSERT_EQ(v[done + seen].id, got.id);
			ASSERT_EQ(v[done + seen].n_entries, got.n_entries);
			ASSERT_EQ(v[done + seen].n_excl, got.n_excl);
			EXPECT_TRUE(entry_eq(&v[done + seen].entries[got.n_entries - 1],
					     &got.entries[got.n_entries - 1]));
			if (got.n_excl)
				EXPECT_TRUE(entry_eq(&v[done + seen].excl[got.n_excl - 1],
						     &got.excl[got.n_excl - 1]));
			seen++;
		}
		ASSERT_EQ(k, seen);
		/* tight: the next one would not have fitted */
		if (done + k < N) {
			memcpy(tmp, self->buf, nlh->nlmsg_len);
			EXPECT_EQ(-EMSGSIZE, dfc_nl_crit_put((struct nlmsghdr *)tmp, ROOM,
							     &v[done + k]));
		}
		done += k;
		msgs++;
	}
	EXPECT_EQ(N, done);
	EXPECT_LT(5, msgs);
	TH_LOG("%u criteria in %u messages", N, msgs);
	free(tmp);
	free(v);
}

/*
 * A criterion that does not fit the room on its own stops the packing
 * with -EMSGSIZE; one over a cap with -EINVAL, whatever the room. Either
 * is the error only when it comes first; neither is split or half written.
 */
TEST_F(crit, pack_too_big)
{
	enum { SMALL_ROOM = 32 * 1024 }; /* the library's room when the socket cannot tell */
	static char blob[DFC_CRIT_BLOB_MAX];
	struct dfc_nl_crit v[3] = {
		{ .id = 1, .timeout_total = 1, .entries = self->ent, .n_entries = 1 },
		max_crit(self->ent, self->exc, blob),
		{ .id = 3, .timeout_total = 1, .entries = self->ent, .n_entries = 1 },
	};
	struct nlmsghdr *nlh;
	unsigned int k = 99;
	uint32_t len;

	/* the library's room: all three in one message */
	nlh = crit_msg(self->buf, 1);
	ASSERT_EQ(0, dfc_nl_crit_pack(nlh, DFC_NL_MSG_MAX, v, 3, &k));
	EXPECT_EQ(3, k);
	EXPECT_GE(DFC_NL_MSG_MAX, nlh->nlmsg_len);

	/* a small room: the first goes alone, then the largest does not fit */
	nlh = crit_msg(self->buf, 1);
	ASSERT_EQ(0, dfc_nl_crit_pack(nlh, SMALL_ROOM, v, 3, &k));
	EXPECT_EQ(1, k);
	nlh = crit_msg(self->buf, 1);
	len = nlh->nlmsg_len;
	EXPECT_EQ(-EMSGSIZE, dfc_nl_crit_pack(nlh, SMALL_ROOM, v + 1, 2, &k));
	EXPECT_EQ(0, k);
	EXPECT_EQ(len, nlh->nlmsg_len);

	/* one entry over the cap: fits any room here, refused all the same */
	v[1].n_entries = DFC_CRIT_MAX_ENTRIES + 1;
	nlh = crit_msg(self->buf, 1);
	ASSERT_EQ(0, dfc_nl_crit_pack(nlh, BIG, v, 3, &k));
	EXPECT_EQ(1, k);
	nlh = crit_msg(self->buf, 1);
	len = nlh->nlmsg_len;
	EXPECT_EQ(-EINVAL, dfc_nl_crit_pack(nlh, BIG, v + 1, 2, &k));
	EXPECT_EQ(0, k);
	EXPECT_EQ(len, nlh->nlmsg_len);
	/* what follows is still packed once the caller moves past it */
	ASSERT_EQ(0, dfc_nl_crit_pack(nlh, BIG, v + 2, 1, &k));
	EXPECT_EQ(1, k);

	/* nothing to pack is no error */
	nlh = crit_msg(self->buf, 1);
	EXPECT_EQ(0, dfc_nl_crit_pack(nlh, BIG, v, 0, &k));
	EXPECT_EQ(0, k);
}

/* The kernel's GET reply: counters (64-bit after PADs), counts, entries as masked values. */
static struct nlmsghdr *get_reply(void *buf, bool last_match, bool with_entries)
{
	struct nlmsghdr *nlh = genl_reply(buf, DFC_CMD_CRIT_GET);
	struct nlattr *crit, *e;
	uint8_t a[16];

	mnl_attr_put_u32(nlh, DFC_A_OWNER, 3);
	crit = nest_start(nlh, DFC_A_CRIT);
	put_u64(nlh, DFC_CRIT_A_ID, 0x1122334455667788ULL, DFC_CRIT_A_PAD);
	put_u64(nlh, DFC_CRIT_A_PACKETS, 1ULL << 33, DFC_CRIT_A_PAD);
	put_u64(nlh, DFC_CRIT_A_BYTES, 3ULL << 40, DFC_CRIT_A_PAD);
	if (last_match)
		put_u64(nlh, DFC_CRIT_A_LAST_MATCH, 0, DFC_CRIT_A_PAD);
	put_u64(nlh, DFC_CRIT_A_AGE, 100000, DFC_CRIT_A_PAD);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_PRIO, 2);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_FLAGS, DFC_CRIT_F_SEND_ASYNC);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_CDEST, 12);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_N_REFRESH, 4);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_N_ENTRIES, 2);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_N_EXCL, 1);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_TIMEOUT_IDLE, 0); /* used up */
	put_u64(nlh, DFC_CRIT_A_LIMIT_PACKETS, 5, DFC_CRIT_A_PAD);
	mnl_attr_put(nlh, DFC_CRIT_A_BLOB, 3, "abc");
	if (with_entries) {
		/* v6 source prefix; a port mask; values whose masks are left to default */
		e = nest_start(nlh, DFC_CRIT_A_ENTRY);
		mnl_attr_put_u8(nlh, DFC_ENTRY_A_IPVER, 6);
		ip(a, "fe80::");
		mnl_attr_put(nlh, DFC_ENTRY_A_SRC, 16, a);
		mnl_attr_put_u8(nlh, DFC_ENTRY_A_SRC_PLEN, 10);
		mnl_attr_put_u16(nlh, DFC_ENTRY_A_SPORT, 1024);
		mnl_attr_put_u16(nlh, DFC_ENTRY_A_SPORT_MASK, 0xfc00);
		mnl_attr_put_u16(nlh, DFC_ENTRY_A_DPORT, 0);
		mnl_attr_put_u16(nlh, DFC_ENTRY_A_DPORT_MASK, 0);
		mnl_attr_nest_end(nlh, e);
		e = nest_start(nlh, DFC_CRIT_A_ENTRY);
		mnl_attr_put_u8(nlh, DFC_ENTRY_A_IPVER, 4);
		ip(a, "10.9.8.7");
		mnl_attr_put(nlh, DFC_ENTRY_A_DST, 4, a); /* no PLEN: the full length */
		mnl_attr_put_u16(nlh, DFC_ENTRY_A_DPORT, 53); /* no masks: 0xffff, sport none */
		mnl_attr_put_u8(nlh, DFC_ENTRY_A_PROTO, 17); /* no mask: 0xff */
		mnl_attr_put_u8(nlh, DFC_ENTRY_A_ICMP_CODE, 4); /* an ICMP condition */
		mnl_attr_put_u32(nlh, DFC_ENTRY_A_IFINDEX, 9);
		mnl_attr_nest_end(nlh, e);
		e = nest_start(nlh, DFC_CRIT_A_EXCL);
		mnl_attr_put_u8(nlh, DFC_ENTRY_A_PROTO, 1);
		mnl_attr_put_u8(nlh, DFC_ENTRY_A_PROTO_MASK, 0xff);
		mnl_attr_nest_end(nlh, e);
	}
	mnl_attr_nest_end(nlh, crit);
	return nlh;
}

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

/* ---- events ---- */

static struct nlmsghdr *expired_event(void *buf, uint8_t cmd)
{
	struct nlmsghdr *nlh = genl_reply(buf, cmd);
	struct nlattr *crit;

	nlh->nlmsg_seq = 0;
	nlh->nlmsg_pid = 0;
	mnl_attr_put_u32(nlh, DFC_A_OWNER, 0xabcdef01);
	crit = nest_start(nlh, DFC_A_CRIT);
	put_u64(nlh, DFC_CRIT_A_ID, 99, DFC_CRIT_A_PAD);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_FLAGS, DFC_CRIT_F_SEND_ASYNC);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_CDEST, 6);
	mnl_attr_put_u8(nlh, DFC_CRIT_A_REASON, DFC_REASON_BYTES);
	put_u64(nlh, DFC_CRIT_A_PACKETS, 10, DFC_CRIT_A_PAD);
	put_u64(nlh, DFC_CRIT_A_BYTES, 15000, DFC_CRIT_A_PAD);
	mnl_attr_nest_end(nlh, crit);
	return nlh;
}

TEST_F(msg, event_parse)
{
	struct dfc_nl_event e;
	struct nlmsghdr *nlh;

	memset(&e, 0xa5, sizeof(e));
	ASSERT_EQ(0, dfc_nl_event_parse(expired_event(self->buf, DFC_CMD_CRIT_EXPIRED), &e));
	EXPECT_EQ(DFC_CMD_CRIT_EXPIRED, e.cmd);
	EXPECT_EQ(0xabcdef01, e.expired.owner);
	ASSERT_EQ(1, e.expired.n);
	EXPECT_EQ(1, e.expired.n_total);
	EXPECT_EQ(99, e.expired.v[0].id);
	EXPECT_EQ(DFC_CRIT_F_SEND_ASYNC, e.expired.v[0].flags);
	EXPECT_EQ(6, e.expired.v[0].cdest);
	EXPECT_EQ(DFC_REASON_BYTES, e.expired.v[0].reason);
	EXPECT_EQ(10, e.expired.v[0].packets);
	EXPECT_EQ(15000, e.expired.v[0].bytes);

	EXPECT_EQ(-EOPNOTSUPP, dfc_nl_event_parse(expired_event(self->buf, DFC_CMD_CRIT_GET), &e));

	/* a reason wider than a byte; no id */
	nlh = genl_reply(self->buf, DFC_CMD_CRIT_EXPIRED);
	mnl_attr_put_u32(nlh, DFC_A_OWNER, 1);
	{
		struct nlattr *crit = nest_start(nlh, DFC_A_CRIT);

		put_u64(nlh, DFC_CRIT_A_ID, 1, DFC_CRIT_A_PAD);
		mnl_attr_put_u32(nlh, DFC_CRIT_A_REASON, DFC_REASON_IDLE);
		mnl_attr_nest_end(nlh, crit);
	}
	EXPECT_EQ(-EINVAL, dfc_nl_event_parse(nlh, &e));
	nlh = genl_reply(self->buf, DFC_CMD_CRIT_EXPIRED);
	mnl_attr_put_u32(nlh, DFC_A_OWNER, 1);
	{
		struct nlattr *crit = nest_start(nlh, DFC_A_CRIT);

		mnl_attr_put_u8(nlh, DFC_CRIT_A_REASON, DFC_REASON_IDLE);
		mnl_attr_nest_end(nlh, crit);
	}
	EXPECT_EQ(-EINVAL, dfc_nl_event_parse(nlh, &e));

	/* every truncation */
	nlh = expired_event(self->buf, DFC_CMD_CRIT_EXPIRED);
	for (size_t len = MNL_NLMSG_HDRLEN; len < nlh->nlmsg_len; len++) {
		struct nlmsghdr *t = cut(nlh, len);

		EXPECT_NE(0, dfc_nl_event_parse(t, &e)) TH_LOG("cut to %zu", len);
		free(t);
	}
}

/* One expiry event with n criteria, ids 1..n, packets id * 3. */
static struct nlmsghdr *expired_many(char *buf, unsigned int n)
{
	struct nlmsghdr *nlh = genl_reply(buf, DFC_CMD_CRIT_EXPIRED);

	mnl_attr_put_u32(nlh, DFC_A_OWNER, 7);
	for (unsigned int i = 1; i <= n; i++) {
		struct nlattr *crit = nest_start(nlh, DFC_A_CRIT);

		put_u64(nlh, DFC_CRIT_A_ID, i, DFC_CRIT_A_PAD);
		mnl_attr_put_u32(nlh, DFC_CRIT_A_FLAGS, 0);
		mnl_attr_put_u32(nlh, DFC_CRIT_A_CDEST, 2);
		mnl_attr_put_u8(nlh, DFC_CRIT_A_REASON, DFC_REASON_TOTAL);
		put_u64(nlh, DFC_CRIT_A_PACKETS, i * 3, DFC_CRIT_A_PAD);
		put_u64(nlh, DFC_CRIT_A_BYTES, 0, DFC_CRIT_A_PAD);
		mnl_attr_nest_end(nlh, crit);
	}
	return nlh;
}

/* The kernel coalesces an owner's expiries: every criterion is read, up to the cap. */
TEST_F(msg, event_expired_many)
{
	alignas(8) static char big[4 * DFC_NL_EVENT_MSG_MAX];
	struct dfc_nl_event e;
	struct nlmsghdr *nlh;

	nlh = expired_many(big, 55);
	ASSERT_GE(DFC_NL_EVENT_MSG_MAX, nlh->nlmsg_len);
	ASSERT_EQ(0, dfc_nl_event_parse(nlh, &e));
	EXPECT_EQ(7, e.expired.owner);
	ASSERT_EQ(55, e.expired.n);
	EXPECT_EQ(55, e.expired.n_total);
	for (unsigned int i = 0; i < 55; i++) {
		EXPECT_EQ(i + 1, e.expired.v[i].id);
		EXPECT_EQ(3 * (i + 1), e.expired.v[i].packets);
		EXPECT_EQ(DFC_REASON_TOTAL, e.expired.v[i].reason);
	}
	/* More than a message the library expects: the first ones, and the count. */
	nlh = expired_many(big, DFC_NL_EVENT_MAX_EXPIRED + 20);
	ASSERT_EQ(0, dfc_nl_event_parse(nlh, &e));
	EXPECT_EQ(DFC_NL_EVENT_MAX_EXPIRED, e.expired.n);
	EXPECT_EQ(DFC_NL_EVENT_MAX_EXPIRED + 20, e.expired.n_total);
	EXPECT_EQ(DFC_NL_EVENT_MAX_EXPIRED, e.expired.v[DFC_NL_EVENT_MAX_EXPIRED - 1].id);
	/* An owner without criteria is malformed. */
	nlh = expired_many(big, 0);
	EXPECT_EQ(-EINVAL, dfc_nl_event_parse(nlh, &e));
}

/* ---- content destinations: encoder and parser ---- */

static uint64_t cstat_val(unsigned int t)
{
	return (1ULL << 33) + 1000 * t;
}

/*
 * A DFC_CMD_CDEST_GET reply as cdest_fill() builds it: v4 with udp
 * encapsulation, or v6 IP-in-IP with a source. stats: with the counters.
 */
static struct nlmsghdr *cdest_reply(void *buf, uint32_t id, bool v6, bool stats)
{
	struct nlmsghdr *nlh = genl_reply(buf, DFC_CMD_CDEST_GET);
	uint8_t a[16], s[16];

	ip(a, v6 ? "2001:db8::9" : "192.0.2.9");
	ip(s, v6 ? "2001:db8::1" : "192.0.2.1");
	mnl_attr_put_u32(nlh, DFC_CDEST_A_ID, id);
	mnl_attr_put_strz(nlh, DFC_CDEST_A_NAME, v6 ? "collector-6" : "");
	mnl_attr_put_u8(nlh, DFC_CDEST_A_ENCAP, v6 ? DFC_ENCAP_IPIP : DFC_ENCAP_UDP);
	mnl_attr_put(nlh, DFC_CDEST_A_ADDR, v6 ? 16 : 4, a);
	if (v6) {
		mnl_attr_put(nlh, DFC_CDEST_A_SRC, 16, s);
	} else {
		mnl_attr_put_u16(nlh, DFC_CDEST_A_SPORT, 0);
		mnl_attr_put_u16(nlh, DFC_CDEST_A_DPORT, 4789);
	}
	mnl_attr_put_u8(nlh, DFC_CDEST_A_TTL, 64);
	mnl_attr_put_u8(nlh, DFC_CDEST_A_DSCP, 46);
	mnl_attr_put_u32(nlh, DFC_CDEST_A_FLAGS, v6 ? DFC_CDEST_F_IPSEC_REQUIRED : 0);
	put_u64(nlh, DFC_CDEST_A_SOFT_LIMIT, 8000000000ULL, DFC_CDEST_A_PAD);
	put_u64(nlh, DFC_CDEST_A_SOFT_CLEAR, 6000000000ULL, DFC_CDEST_A_PAD);
	put_u64(nlh, DFC_CDEST_A_HARD_LIMIT, 10000000000ULL, DFC_CDEST_A_PAD);
	put_u64(nlh, DFC_CDEST_A_HARD_TARGET, 9000000000ULL, DFC_CDEST_A_PAD);
	mnl_attr_put_u32(nlh, DFC_CDEST_A_CRITS, 12);
	mnl_attr_put_u8(nlh, DFC_CDEST_A_CONGESTED, 1);
	if (stats) {
		struct nlattr *st = nest_start(nlh, DFC_CDEST_A_STATS);

		for (unsigned int t = DFC_CSTATS_A_COPIES; t <= DFC_CSTATS_A_RATE; t++)
			put_u64(nlh, t, cstat_val(t), DFC_CSTATS_A_PAD);
		mnl_attr_nest_end(nlh, st);
	}
	return nlh;
}

TEST_F(msg, cdest_parse_kernel_reply)
{
	struct dfc_nl_cdest d;
	uint8_t a[16];

	memset(&d, 0xa5, sizeof(d));
	ASSERT_EQ(0, dfc_nl_cdest_parse(cdest_reply(self->buf, 7, false, true), &d));
	EXPECT_EQ(7, d.id);
	EXPECT_STREQ("", d.name);
	EXPECT_EQ(DFC_ENCAP_UDP, d.encap);
	EXPECT_EQ(4, d.ipver);
	ip(a, "192.0.2.9");
	EXPECT_EQ(0, memcmp(a, d.addr, 16));
	EXPECT_FALSE(d.has_src);
	EXPECT_EQ(0, d.sport);
	EXPECT_EQ(4789, d.dport);
	EXPECT_EQ(64, d.ttl);
	EXPECT_EQ(46, d.dscp);
	EXPECT_EQ(0, d.flags);
	EXPECT_EQ(8000000000ULL, d.soft_limit);
	EXPECT_EQ(6000000000ULL, d.soft_clear);
	EXPECT_EQ(10000000000ULL, d.hard_limit);
	EXPECT_EQ(9000000000ULL, d.hard_target);
	EXPECT_EQ(12, d.crits);
	EXPECT_EQ(1, d.congested);
	EXPECT_EQ(cstat_val(DFC_CSTATS_A_COPIES), d.stats.copies);
	EXPECT_EQ(cstat_val(DFC_CSTATS_A_BYTES), d.stats.bytes);
	EXPECT_EQ(cstat_val(DFC_CSTATS_A_NOMEM), d.stats.nomem);
	EXPECT_EQ(cstat_val(DFC_CSTATS_A_NOROUTE), d.stats.noroute);
	EXPECT_EQ(cstat_val(DFC_CSTATS_A_NOIPSEC), d.stats.noipsec);
	EXPECT_EQ(cstat_val(DFC_CSTATS_A_TOOBIG), d.stats.toobig);
	EXPECT_EQ(cstat_val(DFC_CSTATS_A_LOOP), d.stats.loop);
	EXPECT_EQ(cstat_val(DFC_CSTATS_A_RATELIMIT), d.stats.ratelimit);
	EXPECT_EQ(cstat_val(DFC_CSTATS_A_DUPCAP), d.stats.dupcap);
	EXPECT_EQ(cstat_val(DFC_CSTATS_A_RATE), d.stats.rate);
	/* every configuration field came, but no source */
	EXPECT_EQ(DFC_NL_CDEST_SET_ALL & ~DFC_NL_CDEST_SET_SRC, d.set_mask);

	memset(&d, 0xa5, sizeof(d));
	ASSERT_EQ(0, dfc_nl_cdest_parse(cdest_reply(self->buf, 0xfffffffe, true, false), &d));
	EXPECT_EQ(0xfffffffe, d.id);
	EXPECT_STREQ("collector-6", d.name);
	EXPECT_EQ(DFC_ENCAP_IPIP, d.encap);
	EXPECT_EQ(6, d.ipver);
	ip(a, "2001:db8::9");
	EXPECT_EQ(0, memcmp(a, d.addr, 16));
	EXPECT_TRUE(d.has_src);
	ip(a, "2001:db8::1");
	EXPECT_EQ(0, memcmp(a, d.src, 16));
	EXPECT_EQ(0, d.dport);
	EXPECT_EQ(DFC_CDEST_F_IPSEC_REQUIRED, d.flags);
	/* no counters: all 0 */
	EXPECT_EQ(0, d.stats.copies);
	EXPECT_EQ(0, d.stats.rate);
	EXPECT_EQ(DFC_NL_CDEST_SET_ALL & ~(DFC_NL_CDEST_SET_SPORT | DFC_NL_CDEST_SET_DPORT),
		  d.set_mask);
}

static struct dfc_nl_cdest full_cdest(bool v6)
{
	struct dfc_nl_cdest c = {
		.id = v6 ? 0xffffffff : 1, .encap = v6 ? DFC_ENCAP_IPIP : DFC_ENCAP_UDP,
		.ipver = v6 ? 6 : 4, .has_src = true, .sport = 0xfedc, .dport = 0x1234,
		.ttl = 255, .dscp = 63, .flags = DFC_CDEST_F_IPSEC_REQUIRED,
		.soft_limit = UINT64_MAX, .soft_clear = 1ULL << 40,
		.hard_limit = 0x0123456789abcdefULL, .hard_target = 1,
	};

	snprintf(c.name, sizeof(c.name), "%s", v6 ? "0123456789012345678901234567890" : "a");
	ip(c.addr, v6 ? "fe80::1:2:3:4" : "255.255.255.255");
	ip(c.src, v6 ? "::1" : "0.0.0.1");
	return c;
}

/* The configuration parts of a and b agree. */
static bool cdest_cfg_eq(const struct dfc_nl_cdest *a, const struct dfc_nl_cdest *b)
{
	unsigned int alen = a->ipver == 4 ? 4 : 16;

	return a->id == b->id && !strcmp(a->name, b->name) && a->encap == b->encap &&
	       a->ipver == b->ipver && !memcmp(a->addr, b->addr, alen) &&
	       a->has_src == b->has_src && (!a->has_src || !memcmp(a->src, b->src, alen)) &&
	       a->sport == b->sport && a->dport == b->dport && a->ttl == b->ttl &&
	       a->dscp == b->dscp && a->flags == b->flags && a->soft_limit == b->soft_limit &&
	       a->soft_clear == b->soft_clear && a->hard_limit == b->hard_limit &&
	       a->hard_target == b->hard_target;
}

TEST_F(msg, cdest_round_trip)
{
	for (int v6 = 0; v6 < 2; v6++) {
		struct dfc_nl_cdest c = full_cdest(v6), d;
		struct nlmsghdr *nlh;
		const struct nlattr *a;

		/* libmnl leaves the bytes that pad an attribute as they were */
		memset(self->buf, 0, sizeof(self->buf));
		nlh = genl_reply(self->buf, DFC_CMD_CDEST_GET);

		ASSERT_EQ(0, dfc_nl_cdest_put(nlh, sizeof(self->buf), &c, DFC_NL_CDEST_SET_ALL));
		/* addresses are as long as their version */
		a = find_attr(nlh, DFC_CDEST_A_ADDR);
		ASSERT_NE(NULL, a);
		EXPECT_EQ(v6 ? 16 : 4, mnl_attr_get_payload_len(a));
		a = find_attr(nlh, DFC_CDEST_A_SRC);
		ASSERT_NE(NULL, a);
		EXPECT_EQ(v6 ? 16 : 4, mnl_attr_get_payload_len(a));
		/* ports in host order, as NLA_U16 */
		a = find_attr(nlh, DFC_CDEST_A_SPORT);
		ASSERT_NE(NULL, a);
		EXPECT_EQ(2, mnl_attr_get_payload_len(a));
		EXPECT_EQ(0xfedc, mnl_attr_get_u16(a));
		EXPECT_EQ(8, mnl_attr_get_payload_len(find_attr(nlh, DFC_CDEST_A_SOFT_LIMIT)));
		EXPECT_EQ(NULL, find_attr(nlh, DFC_CDEST_A_FORCE));
		EXPECT_EQ(NULL, find_attr(nlh, DFC_CDEST_A_STATS));

		memset(&d, 0x5a, sizeof(d));
		ASSERT_EQ(0, dfc_nl_cdest_parse(nlh, &d)) TH_LOG("v6 %d", v6);
		EXPECT_TRUE(cdest_cfg_eq(&c, &d)) TH_LOG("v6 %d", v6);
		EXPECT_EQ(DFC_NL_CDEST_SET_ALL, d.set_mask);
		EXPECT_EQ(0, d.crits);
		EXPECT_EQ(0, d.congested);

		/* and what was parsed encodes the same again, byte for byte */
		{
			alignas(8) char buf2[1024] = { 0 };
			struct nlmsghdr *again = genl_reply(buf2, DFC_CMD_CDEST_GET);

			ASSERT_EQ(0, dfc_nl_cdest_put(again, sizeof(buf2), &d, d.set_mask));
			ASSERT_EQ(nlh->nlmsg_len, again->nlmsg_len);
			EXPECT_EQ(0, memcmp(nlh, again, nlh->nlmsg_len));
		}
	}
}

/* Each bit of the mask is one attribute, after the id; nothing else goes. */
TEST_F(msg, cdest_set_mask)
{
	struct dfc_nl_cdest c = full_cdest(true);
	unsigned int bits = 0;

	for (unsigned int t = 0; t < 32; t++) {
		struct nlmsghdr *nlh = genl_reply(self->buf, DFC_CMD_CDEST_SET);
		uint32_t bit = 1U << t;
		const struct nlattr *a;
		int n = 0;

		if (!(bit & DFC_NL_CDEST_SET_ALL))
			continue;
		bits++;
		ASSERT_EQ(0, dfc_nl_cdest_put(nlh, sizeof(self->buf), &c, bit)) TH_LOG("bit %u", t);
		mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
			uint16_t type = mnl_attr_get_type(a);

			EXPECT_TRUE(type == DFC_CDEST_A_ID || type == t) TH_LOG("bit %u: %u", t, type);
			n++;
		}
		EXPECT_EQ(2, n) TH_LOG("bit %u", t);
		EXPECT_EQ(0xffffffff, mnl_attr_get_u32(find_attr(nlh, DFC_CDEST_A_ID)));
	}
	/* thirteen configuration attributes: NAME .. FLAGS */
	EXPECT_EQ(DFC_CDEST_A_FLAGS - DFC_CDEST_A_NAME + 1, bits);

	/* a pair: exactly those two; ttl 0 in the mask is sent (and the kernel refuses it) */
	{
		struct nlmsghdr *nlh = genl_reply(self->buf, DFC_CMD_CDEST_SET);
		struct dfc_nl_cdest d;

		c.ttl = 0;
		ASSERT_EQ(0, dfc_nl_cdest_put(nlh, sizeof(self->buf), &c,
					      DFC_NL_CDEST_SET_TTL | DFC_NL_CDEST_SET_HARD_LIMIT));
		EXPECT_EQ(3, count_type((char *)mnl_nlmsg_get_payload(nlh) + GENL_HDRLEN,
					mnl_nlmsg_get_payload_len(nlh) - GENL_HDRLEN, DFC_CDEST_A_ID) +
			     count_type((char *)mnl_nlmsg_get_payload(nlh) + GENL_HDRLEN,
					mnl_nlmsg_get_payload_len(nlh) - GENL_HDRLEN, DFC_CDEST_A_TTL) +
			     count_type((char *)mnl_nlmsg_get_payload(nlh) + GENL_HDRLEN,
					mnl_nlmsg_get_payload_len(nlh) - GENL_HDRLEN,
					DFC_CDEST_A_HARD_LIMIT));
		EXPECT_EQ(0, mnl_attr_get_u8(find_attr(nlh, DFC_CDEST_A_TTL)));
		/* no address: not a destination a GET would describe */
		EXPECT_EQ(-EINVAL, dfc_nl_cdest_parse(nlh, &d));
	}
}

/* What add leaves to the kernel's defaults. */
TEST_F(msg, cdest_add_mask)
{
	struct dfc_nl_cdest c = { .id = 3, .ipver = 4 }, d;
	struct nlmsghdr *nlh;
	uint32_t m = dfc_nl_cdest_add_mask(&c);

	EXPECT_EQ(DFC_NL_CDEST_SET_ALL & ~(DFC_NL_CDEST_SET_NAME | DFC_NL_CDEST_SET_SRC |
					   DFC_NL_CDEST_SET_SPORT | DFC_NL_CDEST_SET_DPORT |
					   DFC_NL_CDEST_SET_TTL), m);
	ip(c.addr, "198.51.100.1");
	nlh = genl_reply(self->buf, DFC_CMD_CDEST_NEW);
	ASSERT_EQ(0, dfc_nl_cdest_put(nlh, sizeof(self->buf), &c, m));
	EXPECT_EQ(NULL, find_attr(nlh, DFC_CDEST_A_NAME));
	EXPECT_EQ(NULL, find_attr(nlh, DFC_CDEST_A_SRC));
	EXPECT_EQ(NULL, find_attr(nlh, DFC_CDEST_A_TTL));
	EXPECT_EQ(NULL, find_attr(nlh, DFC_CDEST_A_DPORT));
	ASSERT_NE(NULL, find_attr(nlh, DFC_CDEST_A_FLAGS));
	ASSERT_NE(NULL, find_attr(nlh, DFC_CDEST_A_ENCAP));
	ASSERT_EQ(0, dfc_nl_cdest_parse(nlh, &d));
	EXPECT_TRUE(cdest_cfg_eq(&c, &d));

	c = full_cdest(false);
	EXPECT_EQ(DFC_NL_CDEST_SET_ALL, dfc_nl_cdest_add_mask(&c));
	/* set_mask plays no part in add */
	c.set_mask = DFC_NL_CDEST_SET_TTL;
	EXPECT_EQ(DFC_NL_CDEST_SET_ALL, dfc_nl_cdest_add_mask(&c));
}

TEST_F(msg, cdest_put_refused)
{
	struct dfc_nl_cdest c = full_cdest(false);
	struct nlmsghdr *nlh = genl_reply(self->buf, DFC_CMD_CDEST_NEW);
	uint32_t len = nlh->nlmsg_len;

	/* the address's length comes from ipver */
	c.ipver = 5;
	EXPECT_EQ(-EINVAL, dfc_nl_cdest_put(nlh, sizeof(self->buf), &c, DFC_NL_CDEST_SET_ADDR));
	EXPECT_EQ(-EINVAL, dfc_nl_cdest_put(nlh, sizeof(self->buf), &c, DFC_NL_CDEST_SET_SRC));
	/* without an address it does not matter */
	EXPECT_EQ(0, dfc_nl_cdest_put(nlh, sizeof(self->buf), &c, DFC_NL_CDEST_SET_TTL));
	nlh = genl_reply(self->buf, DFC_CMD_CDEST_NEW);
	c.ipver = 0;
	EXPECT_EQ(-EINVAL, dfc_nl_cdest_put(nlh, sizeof(self->buf), &c, DFC_NL_CDEST_SET_ALL));
	c.ipver = 4;
	/* a source cannot be removed */
	c.has_src = false;
	EXPECT_EQ(-EINVAL, dfc_nl_cdest_put(nlh, sizeof(self->buf), &c, DFC_NL_CDEST_SET_SRC));
	c.has_src = true;
	/* unknown fields */
	EXPECT_EQ(-EINVAL, dfc_nl_cdest_put(nlh, sizeof(self->buf), &c, 1U << DFC_CDEST_A_FORCE));
	EXPECT_EQ(-EINVAL, dfc_nl_cdest_put(nlh, sizeof(self->buf), &c, 1U << DFC_CDEST_A_ID));
	/* a name with no room for its NUL */
	memset(c.name, 'x', sizeof(c.name));
	EXPECT_EQ(-EINVAL, dfc_nl_cdest_put(nlh, sizeof(self->buf), &c, DFC_NL_CDEST_SET_NAME));
	EXPECT_EQ(len, nlh->nlmsg_len);

	/* too small a buffer: nothing half-written */
	c = full_cdest(true);
	for (size_t room = len; room < len + 200; room += 4) {
		int err;

		nlh = genl_reply(self->buf, DFC_CMD_CDEST_NEW);
		err = dfc_nl_cdest_put(nlh, room, &c, DFC_NL_CDEST_SET_ALL);
		if (err) {
			EXPECT_EQ(-EMSGSIZE, err);
			EXPECT_EQ(len, nlh->nlmsg_len) TH_LOG("room %zu", room);
		} else {
			EXPECT_LE(nlh->nlmsg_len, room);
		}
	}
}

TEST_F(msg, cdest_parse_malformed)
{
	struct nlmsghdr *nlh;
	struct dfc_nl_cdest d;
	struct nlattr *st;
	uint8_t a[16] = { 0 };

	/* no id, no address */
	nlh = genl_reply(self->buf, DFC_CMD_CDEST_GET);
	mnl_attr_put(nlh, DFC_CDEST_A_ADDR, 4, a);
	EXPECT_EQ(-EINVAL, dfc_nl_cdest_parse(nlh, &d));
	nlh = genl_reply(self->buf, DFC_CMD_CDEST_GET);
	mnl_attr_put_u32(nlh, DFC_CDEST_A_ID, 1);
	EXPECT_EQ(-EINVAL, dfc_nl_cdest_parse(nlh, &d));
	/* the least that is a destination */
	mnl_attr_put(nlh, DFC_CDEST_A_ADDR, 4, a);
	EXPECT_EQ(0, dfc_nl_cdest_parse(nlh, &d));
	EXPECT_EQ(DFC_NL_CDEST_SET_ADDR, d.set_mask);
	/* an address of neither length */
	nlh = genl_reply(self->buf, DFC_CMD_CDEST_GET);
	mnl_attr_put_u32(nlh, DFC_CDEST_A_ID, 1);
	mnl_attr_put(nlh, DFC_CDEST_A_ADDR, 5, a);
	EXPECT_EQ(-EINVAL, dfc_nl_cdest_parse(nlh, &d));
	/* source and destination of different versions */
	nlh = genl_reply(self->buf, DFC_CMD_CDEST_GET);
	mnl_attr_put_u32(nlh, DFC_CDEST_A_ID, 1);
	mnl_attr_put(nlh, DFC_CDEST_A_ADDR, 4, a);
	mnl_attr_put(nlh, DFC_CDEST_A_SRC, 16, a);
	EXPECT_EQ(-EINVAL, dfc_nl_cdest_parse(nlh, &d));
	/* a name without its NUL, or too long */
	nlh = genl_reply(self->buf, DFC_CMD_CDEST_GET);
	mnl_attr_put_u32(nlh, DFC_CDEST_A_ID, 1);
	mnl_attr_put(nlh, DFC_CDEST_A_ADDR, 4, a);
	mnl_attr_put(nlh, DFC_CDEST_A_NAME, 3, "abc");
	EXPECT_EQ(-EINVAL, dfc_nl_cdest_parse(nlh, &d));
	nlh = genl_reply(self->buf, DFC_CMD_CDEST_GET);
	mnl_attr_put_u32(nlh, DFC_CDEST_A_ID, 1);
	mnl_attr_put(nlh, DFC_CDEST_A_ADDR, 4, a);
	mnl_attr_put_strz(nlh, DFC_CDEST_A_NAME, "0123456789012345678901234567890123");
	EXPECT_EQ(-EINVAL, dfc_nl_cdest_parse(nlh, &d));
	/* a port, the ttl, a limit of the wrong width */
	for (int i = 0; i < 3; i++) {
		nlh = genl_reply(self->buf, DFC_CMD_CDEST_GET);
		mnl_attr_put_u32(nlh, DFC_CDEST_A_ID, 1);
		mnl_attr_put(nlh, DFC_CDEST_A_ADDR, 4, a);
		if (i == 0)
			mnl_attr_put_u32(nlh, DFC_CDEST_A_DPORT, 4789);
		else if (i == 1)
			mnl_attr_put_u16(nlh, DFC_CDEST_A_TTL, 64);
		else
			mnl_attr_put_u32(nlh, DFC_CDEST_A_HARD_LIMIT, 1);
		EXPECT_EQ(-EINVAL, dfc_nl_cdest_parse(nlh, &d)) TH_LOG("case %d", i);
	}
	/* a counter of the wrong width */
	nlh = genl_reply(self->buf, DFC_CMD_CDEST_GET);
	mnl_attr_put_u32(nlh, DFC_CDEST_A_ID, 1);
	mnl_attr_put(nlh, DFC_CDEST_A_ADDR, 4, a);
	st = nest_start(nlh, DFC_CDEST_A_STATS);
	mnl_attr_put_u32(nlh, DFC_CSTATS_A_NOROUTE, 1);
	mnl_attr_nest_end(nlh, st);
	EXPECT_EQ(-EINVAL, dfc_nl_cdest_parse(nlh, &d));
	/* unknown attributes, top level and in the counters: skipped */
	nlh = genl_reply(self->buf, DFC_CMD_CDEST_GET);
	mnl_attr_put_u32(nlh, DFC_CDEST_A_ID, 1);
	mnl_attr_put(nlh, DFC_CDEST_A_ADDR, 4, a);
	mnl_attr_put_strz(nlh, DFC_CDEST_A_MAX + 1, "future");
	st = nest_start(nlh, DFC_CDEST_A_STATS);
	mnl_attr_put_u8(nlh, DFC_CSTATS_A_MAX + 1, 1);
	put_u64(nlh, DFC_CSTATS_A_LOOP, 3, DFC_CSTATS_A_PAD);
	mnl_attr_nest_end(nlh, st);
	ASSERT_EQ(0, dfc_nl_cdest_parse(nlh, &d));
	EXPECT_EQ(3, d.stats.loop);
}

/* Cut anywhere: refused, or (cut between attributes) what came is right. */
TEST_F(msg, cdest_parse_truncated)
{
	struct nlmsghdr *nlh = cdest_reply(self->buf, 9, true, true);
	struct dfc_nl_cdest d;
	const struct nlattr *a;
	int ok = 0, n_attrs = 0;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN)
		n_attrs++;

	for (size_t len = MNL_NLMSG_HDRLEN; len < nlh->nlmsg_len; len++) {
		struct nlmsghdr *c = cut(nlh, len);
		int err = dfc_nl_cdest_parse(c, &d);

		if (err) {
			EXPECT_EQ(-EINVAL, err) TH_LOG("cut to %zu", len);
		} else {
			ok++;
			EXPECT_EQ(9, d.id);
			EXPECT_EQ(6, d.ipver);
		}
		free(c);
	}
	/*
	 * Only cuts after the address, at the end of an attribute: aligned, or
	 * (an attribute of 1 to 3 bytes) before its padding.
	 */
	EXPECT_LT(0, ok);
	EXPECT_GE(2 * n_attrs, ok);
}

/* The counters that came with the destinations; optional, but checked. */
TEST_F(msg, stats_copy_counters)
{
	struct nlmsghdr *nlh = stats_reply(self->buf, "3.0", 0);
	struct dfc_stats st;

	put_new_stats(nlh, 0);
	mnl_attr_put_u32(nlh, DFC_STATS_A_MAX_DUP, 3);
	mnl_attr_put_u32(nlh, DFC_STATS_A_DUP_PERIOD, 30);
	put_u64(nlh, DFC_STATS_A_COPIES, 1ULL << 50, DFC_STATS_A_PAD);
	put_u64(nlh, DFC_STATS_A_DUP_DROPPED, 77, DFC_STATS_A_PAD);
	memset(&st, 0xa5, sizeof(st));
	ASSERT_EQ(0, dfc_nl_stats_parse(nlh, &st));
	EXPECT_EQ(3, st.max_dup);
	EXPECT_EQ(30, st.dup_period);
	EXPECT_EQ(1ULL << 50, st.copies);
	EXPECT_EQ(77, st.dup_dropped);
	EXPECT_EQ((1ULL << 40) + DFC_STATS_A_EXPIRED, st.expired);

	/* an older module: 0 */
	memset(&st, 0xa5, sizeof(st));
	ASSERT_EQ(0, dfc_nl_stats_parse(stats_reply(self->buf, "1.0", 0), &st));
	EXPECT_EQ(0, st.max_dup);
	EXPECT_EQ(0, st.dup_period);
	EXPECT_EQ(0, st.copies);
	EXPECT_EQ(0, st.dup_dropped);

	/* each of the wrong width */
	for (unsigned int t = DFC_STATS_A_MAX_DUP; t <= DFC_STATS_A_DUP_DROPPED; t++) {
		nlh = stats_reply(self->buf, "3.0", 0);
		if (t == DFC_STATS_A_MAX_DUP || t == DFC_STATS_A_DUP_PERIOD)
			put_u64(nlh, t, 3, DFC_STATS_A_PAD);
		else
			mnl_attr_put_u32(nlh, t, 3);
		EXPECT_EQ(-EINVAL, dfc_nl_stats_parse(nlh, &st)) TH_LOG("counter %u", t);
	}
}

/* ---- destination events ---- */

/* DFC_CMD_CDEST_CONGESTED (and NOIPSEC) as dfc_genl_notify_cdest() sends it. */
static struct nlmsghdr *cdest_event(void *buf, uint8_t cmd, uint32_t id, uint8_t on,
				    uint64_t rate)
{
	struct nlmsghdr *nlh = genl_reply(buf, cmd);
	struct nlattr *st;

	nlh->nlmsg_seq = 0;
	nlh->nlmsg_pid = 0;
	mnl_attr_put_u32(nlh, DFC_CDEST_A_ID, id);
	mnl_attr_put_u8(nlh, DFC_CDEST_A_CONGESTED, on);
	st = nest_start(nlh, DFC_CDEST_A_STATS);
	put_u64(nlh, DFC_CSTATS_A_RATE, rate, DFC_CSTATS_A_PAD);
	mnl_attr_nest_end(nlh, st);
	return nlh;
}

/* DFC_CMD_CDEST_PURGED with ids first, first + 1, ... (n of them). */
static struct nlmsghdr *purged_event(void *buf, uint32_t owner, uint32_t cdest, uint64_t first,
				     unsigned int n)
{
	struct nlmsghdr *nlh = genl_reply(buf, DFC_CMD_CDEST_PURGED);

	nlh->nlmsg_seq = 0;
	nlh->nlmsg_pid = 0;
	mnl_attr_put_u32(nlh, DFC_A_OWNER, owner);
	mnl_attr_put_u32(nlh, DFC_A_CDEST, cdest);
	for (unsigned int i = 0; i < n; i++)
		put_u64(nlh, DFC_A_ID, first + i, DFC_A_PAD);
	return nlh;
}

/* DFC_CMD_DUP_DROPPED with n criteria: id first + i, cdest 10 + i, dropped 100 * (i + 1). */
static struct nlmsghdr *dup_event(void *buf, uint32_t owner, uint64_t first, unsigned int n)
{
	struct nlmsghdr *nlh = genl_reply(buf, DFC_CMD_DUP_DROPPED);

	nlh->nlmsg_seq = 0;
	nlh->nlmsg_pid = 0;
	mnl_attr_put_u32(nlh, DFC_A_OWNER, owner);
	for (unsigned int i = 0; i < n; i++) {
		struct nlattr *c = nest_start(nlh, DFC_A_CRIT);

		put_u64(nlh, DFC_CRIT_A_ID, first + i, DFC_CRIT_A_PAD);
		mnl_attr_put_u32(nlh, DFC_CRIT_A_CDEST, 10 + i);
		put_u64(nlh, DFC_CRIT_A_DUP_DROPPED, 100ULL * (i + 1), DFC_CRIT_A_PAD);
		mnl_attr_nest_end(nlh, c);
	}
	return nlh;
}

TEST_F(msg, event_cdest)
{
	struct dfc_nl_event e;
	struct nlmsghdr *nlh;

	memset(&e, 0xa5, sizeof(e));
	ASSERT_EQ(0, dfc_nl_event_parse(cdest_event(self->buf, DFC_CMD_CDEST_CONGESTED, 4, 1,
						    12000000000ULL), &e));
	EXPECT_EQ(DFC_CMD_CDEST_CONGESTED, e.cmd);
	EXPECT_EQ(4, e.cdest.id);
	EXPECT_EQ(1, e.cdest.congested);
	EXPECT_EQ(12000000000ULL, e.cdest.rate);

	ASSERT_EQ(0, dfc_nl_event_parse(cdest_event(self->buf, DFC_CMD_CDEST_CONGESTED, 4, 0,
						    5), &e));
	EXPECT_EQ(0, e.cdest.congested);
	EXPECT_EQ(5, e.cdest.rate);

	/* NOIPSEC: as the kernel sends it, and as the uapi promises it (the id alone) */
	ASSERT_EQ(0, dfc_nl_event_parse(cdest_event(self->buf, DFC_CMD_CDEST_NOIPSEC, 8, 0, 7),
					&e));
	EXPECT_EQ(DFC_CMD_CDEST_NOIPSEC, e.cmd);
	EXPECT_EQ(8, e.cdest.id);
	nlh = genl_reply(self->buf, DFC_CMD_CDEST_NOIPSEC);
	mnl_attr_put_u32(nlh, DFC_CDEST_A_ID, 9);
	memset(&e, 0xa5, sizeof(e));
	ASSERT_EQ(0, dfc_nl_event_parse(nlh, &e));
	EXPECT_EQ(9, e.cdest.id);
	EXPECT_EQ(0, e.cdest.congested);
	EXPECT_EQ(0, e.cdest.rate);

	/* no id; a congested flag or rate of the wrong width */
	nlh = genl_reply(self->buf, DFC_CMD_CDEST_NOIPSEC);
	mnl_attr_put_u8(nlh, DFC_CDEST_A_CONGESTED, 1);
	EXPECT_EQ(-EINVAL, dfc_nl_event_parse(nlh, &e));
	nlh = genl_reply(self->buf, DFC_CMD_CDEST_CONGESTED);
	mnl_attr_put_u32(nlh, DFC_CDEST_A_ID, 9);
	mnl_attr_put_u32(nlh, DFC_CDEST_A_CONGESTED, 1);
	EXPECT_EQ(-EINVAL, dfc_nl_event_parse(nlh, &e));
	nlh = genl_reply(self->buf, DFC_CMD_CDEST_CONGESTED);
	mnl_attr_put_u32(nlh, DFC_CDEST_A_ID, 9);
	{
		struct nlattr *st = nest_start(nlh, DFC_CDEST_A_STATS);

		mnl_attr_put_u32(nlh, DFC_CSTATS_A_RATE, 1);
		mnl_attr_nest_end(nlh, st);
	}
	EXPECT_EQ(-EINVAL, dfc_nl_event_parse(nlh, &e));

	/* truncated anywhere: never a crash, never an id out of thin air */
	nlh = cdest_event(self->buf, DFC_CMD_CDEST_CONGESTED, 4, 1, 99);
	for (size_t len = MNL_NLMSG_HDRLEN; len < nlh->nlmsg_len; len++) {
		struct nlmsghdr *t = cut(nlh, len);
		int err = dfc_nl_event_parse(t, &e);

		if (!err) {
			EXPECT_EQ(4, e.cdest.id) TH_LOG("cut to %zu", len);
		} else {
			EXPECT_EQ(-EINVAL, err) TH_LOG("cut to %zu", len);
		}
		free(t);
	}
}

TEST_F(msg, event_purged)
{
	struct dfc_nl_event e;
	struct nlmsghdr *nlh;

	memset(&e, 0xa5, sizeof(e));
	ASSERT_EQ(0, dfc_nl_event_parse(purged_event(self->buf, 0xabcdef01, 6, 1ULL << 62, 3),
					&e));
	EXPECT_EQ(DFC_CMD_CDEST_PURGED, e.cmd);
	EXPECT_EQ(0xabcdef01, e.purged.owner);
	EXPECT_EQ(6, e.purged.cdest);
	EXPECT_EQ(3, e.purged.n_ids);
	EXPECT_EQ(3, e.purged.n_total);
	EXPECT_EQ(1ULL << 62, e.purged.ids[0]);
	EXPECT_EQ((1ULL << 62) + 2, e.purged.ids[2]);
	EXPECT_EQ(0, e.purged.ids[3]);

	ASSERT_EQ(0, dfc_nl_event_parse(purged_event(self->buf, 1, 2, 0, 0), &e));
	EXPECT_EQ(0, e.purged.n_ids);

	/* owner and destination are required; ids are 64-bit */
	nlh = genl_reply(self->buf, DFC_CMD_CDEST_PURGED);
	mnl_attr_put_u32(nlh, DFC_A_CDEST, 2);
	put_u64(nlh, DFC_A_ID, 1, DFC_A_PAD);
	EXPECT_EQ(-EINVAL, dfc_nl_event_parse(nlh, &e));
	nlh = genl_reply(self->buf, DFC_CMD_CDEST_PURGED);
	mnl_attr_put_u32(nlh, DFC_A_OWNER, 2);
	put_u64(nlh, DFC_A_ID, 1, DFC_A_PAD);
	EXPECT_EQ(-EINVAL, dfc_nl_event_parse(nlh, &e));
	/* one bad id among good ones */
	nlh = purged_event(self->buf, 1, 2, 5, 3);
	mnl_attr_put_u32(nlh, DFC_A_ID, 1);
	put_u64(nlh, DFC_A_ID, 9, DFC_A_PAD);
	EXPECT_EQ(-EINVAL, dfc_nl_event_parse(nlh, &e));

	nlh = purged_event(self->buf, 1, 2, 5, 4);
	for (size_t len = MNL_NLMSG_HDRLEN; len < nlh->nlmsg_len; len++) {
		struct nlmsghdr *t = cut(nlh, len);
		int err = dfc_nl_event_parse(t, &e);

		if (!err) {
			EXPECT_GE(4, e.purged.n_ids) TH_LOG("cut to %zu", len);
			for (unsigned int i = 0; i < e.purged.n_ids; i++)
				EXPECT_EQ(5 + i, e.purged.ids[i]);
		} else {
			EXPECT_EQ(-EINVAL, err) TH_LOG("cut to %zu", len);
		}
		free(t);
	}
}

/*
 * The densest messages the kernel builds (x86: 64-bit values without
 * PAD): n ids, or n criteria, each of the same shape as above.
 */
static struct nlmsghdr *dense_event(void *buf, bool purged, unsigned int n)
{
	struct nlmsghdr *nlh = genl_reply(buf, purged ? DFC_CMD_CDEST_PURGED : DFC_CMD_DUP_DROPPED);

	mnl_attr_put_u32(nlh, DFC_A_OWNER, 1);
	if (purged)
		mnl_attr_put_u32(nlh, DFC_A_CDEST, 2);
	for (unsigned int i = 0; i < n; i++) {
		struct nlattr *c;

		if (purged) {
			mnl_attr_put_u64(nlh, DFC_A_ID, 100 + i);
			continue;
		}
		c = nest_start(nlh, DFC_A_CRIT);
		mnl_attr_put_u64(nlh, DFC_CRIT_A_ID, 100 + i);
		mnl_attr_put_u32(nlh, DFC_CRIT_A_CDEST, 10 + i);
		mnl_attr_put_u64(nlh, DFC_CRIT_A_DUP_DROPPED, 1);
		mnl_attr_nest_end(nlh, c);
	}
	return nlh;
}

/* The arrays hold any message the kernel can build; a larger one is cut, and says so. */
TEST(event_lists_over_cap)
{
	size_t size = 64 * 1024;
	char *buf = aligned_alloc(8, size);
	struct dfc_nl_event *e = malloc(sizeof(*e));
	struct nlmsghdr *nlh;

	ASSERT_NE(NULL, buf);
	ASSERT_NE(NULL, e);
	memset(buf, 0, size);
	/* the most a kernel message holds: all kept */
	nlh = dense_event(buf, true, (DFC_NL_EVENT_MSG_MAX - 40) / 12);
	ASSERT_GE(DFC_NL_EVENT_MSG_MAX, nlh->nlmsg_len);
	ASSERT_LT(DFC_NL_EVENT_MSG_MAX - 12, nlh->nlmsg_len);
	ASSERT_EQ(0, dfc_nl_event_parse(nlh, e));
	EXPECT_EQ((DFC_NL_EVENT_MSG_MAX - 40) / 12, e->purged.n_ids);
	EXPECT_EQ(e->purged.n_ids, e->purged.n_total);

	memset(buf, 0, size);
	nlh = purged_event(buf, 1, 2, 100, DFC_NL_EVENT_MAX_IDS + 5);
	ASSERT_EQ(0, dfc_nl_event_parse(nlh, e));
	EXPECT_EQ(DFC_NL_EVENT_MAX_IDS, e->purged.n_ids);
	EXPECT_EQ(DFC_NL_EVENT_MAX_IDS + 5, e->purged.n_total);
	EXPECT_EQ(100 + DFC_NL_EVENT_MAX_IDS - 1, e->purged.ids[DFC_NL_EVENT_MAX_IDS - 1]);

	memset(buf, 0, size);
	nlh = dense_event(buf, false, (DFC_NL_EVENT_MSG_MAX - 40) / 36);
	ASSERT_GE(DFC_NL_EVENT_MSG_MAX, nlh->nlmsg_len);
	ASSERT_LT(DFC_NL_EVENT_MSG_MAX - 36, nlh->nlmsg_len);
	ASSERT_EQ(0, dfc_nl_event_parse(nlh, e));
	EXPECT_EQ((DFC_NL_EVENT_MSG_MAX - 40) / 36, e->dup.n);
	EXPECT_EQ(e->dup.n, e->dup.n_total);

	memset(buf, 0, size);
	nlh = dup_event(buf, 1, 100, DFC_NL_EVENT_MAX_DUPS + 1);
	ASSERT_EQ(0, dfc_nl_event_parse(nlh, e));
	EXPECT_EQ(DFC_NL_EVENT_MAX_DUPS, e->dup.n);
	EXPECT_EQ(DFC_NL_EVENT_MAX_DUPS + 1, e->dup.n_total);
	EXPECT_EQ(100 + DFC_NL_EVENT_MAX_DUPS - 1, e->dup.v[DFC_NL_EVENT_MAX_DUPS - 1].id);
	free(e);
	free(buf);
}

TEST_F(msg, event_dup_dropped)
{
	struct dfc_nl_event e;
	struct nlmsghdr *nlh;
	struct nlattr *c;

	memset(&e, 0xa5, sizeof(e));
	ASSERT_EQ(0, dfc_nl_event_parse(dup_event(self->buf, 42, 1ULL << 40, 3), &e));
	EXPECT_EQ(DFC_CMD_DUP_DROPPED, e.cmd);
	EXPECT_EQ(42, e.dup.owner);
	EXPECT_EQ(3, e.dup.n);
	EXPECT_EQ(3, e.dup.n_total);
	for (unsigned int i = 0; i < 3; i++) {
		EXPECT_EQ((1ULL << 40) + i, e.dup.v[i].id);
		EXPECT_EQ(10 + i, e.dup.v[i].cdest);
		EXPECT_EQ(100ULL * (i + 1), e.dup.v[i].dropped);
	}

	/* no owner */
	nlh = genl_reply(self->buf, DFC_CMD_DUP_DROPPED);
	c = nest_start(nlh, DFC_A_CRIT);
	put_u64(nlh, DFC_CRIT_A_ID, 1, DFC_CRIT_A_PAD);
	mnl_attr_nest_end(nlh, c);
	EXPECT_EQ(-EINVAL, dfc_nl_event_parse(nlh, &e));
	/* a criterion without its id, after a good one */
	nlh = dup_event(self->buf, 42, 1, 1);
	c = nest_start(nlh, DFC_A_CRIT);
	put_u64(nlh, DFC_CRIT_A_DUP_DROPPED, 1, DFC_CRIT_A_PAD);
	mnl_attr_nest_end(nlh, c);
	EXPECT_EQ(-EINVAL, dfc_nl_event_parse(nlh, &e));
	/* a count of the wrong width */
	nlh = dup_event(self->buf, 42, 1, 1);
	c = nest_start(nlh, DFC_A_CRIT);
	put_u64(nlh, DFC_CRIT_A_ID, 2, DFC_CRIT_A_PAD);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_DUP_DROPPED, 1);
	mnl_attr_nest_end(nlh, c);
	EXPECT_EQ(-EINVAL, dfc_nl_event_parse(nlh, &e));

	nlh = dup_event(self->buf, 42, 7, 3);
	for (size_t len = MNL_NLMSG_HDRLEN; len < nlh->nlmsg_len; len++) {
		struct nlmsghdr *t = cut(nlh, len);
		int err = dfc_nl_event_parse(t, &e);

		if (!err) {
			EXPECT_GE(3, e.dup.n) TH_LOG("cut to %zu", len);
			for (unsigned int i = 0; i < e.dup.n; i++)
				EXPECT_EQ(7 + i, e.dup.v[i].id);
		} else {
			EXPECT_EQ(-EINVAL, err) TH_LOG("cut to %zu", len);
		}
		free(t);
	}
}

/* The expiry is parsed as before; other commands are not events. */
TEST_F(msg, event_kinds)
{
	struct dfc_nl_event e;

	ASSERT_EQ(0, dfc_nl_event_parse(expired_event(self->buf, DFC_CMD_CRIT_EXPIRED), &e));
	EXPECT_EQ(DFC_CMD_CRIT_EXPIRED, e.cmd);
	EXPECT_EQ(99, e.expired.v[0].id);
	EXPECT_EQ(-EOPNOTSUPP, dfc_nl_event_parse(cdest_reply(self->buf, 1, false, true), &e));
	EXPECT_EQ(-EOPNOTSUPP, dfc_nl_event_parse(cdest_event(self->buf, DFC_CMD_OWNER_SET, 1, 0, 0),
						  &e));
	EXPECT_EQ(-EOPNOTSUPP, dfc_nl_event_parse(cdest_event(self->buf, DFC_CMD_MAX + 1, 1, 0, 0),
						  &e));
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

/*
 * ---- against a fake kernel ----
 *
 * The dfc module is not on the build host, so the requests that need it
 * meet a fake: this program's own mnl_socket_sendto/recvfrom take the
 * place of libmnl's (an executable's symbols come first), and while
 * fake.on they hand each request to a per-test handler, which queues the
 * reply datagrams the kernel would send. Otherwise they call libmnl.
 */
#define FAKE_DGRAMS 64
#define FAKE_DGRAM_SZ (64 * 1024)

struct fake {
	bool on;
	/* the handler: queue replies to req (sent by the socket of portid) */
	void (*kernel)(struct fake *f, const struct nlmsghdr *req, uint32_t portid);
	void *ctx;
	unsigned int n_req;	/* requests seen */
	char *dg[FAKE_DGRAMS];	/* queued datagrams */
	size_t dg_len[FAKE_DGRAMS];
	unsigned int head, tail;
	int recv_errno;		/* next recvfrom fails with it (once) */
	int sndbuf;		/* non-zero: SO_SNDBUF reads this (a small wmem_max) */
};

static struct fake fake;
/* Bytes of the last request sent, through the fake or the real socket. */
static size_t sent_len;

ssize_t mnl_socket_sendto(const struct mnl_socket *nl, const void *buf, size_t len)
{
	static ssize_t (*real)(const struct mnl_socket *, const void *, size_t);

	if (!fake.on) {
		ssize_t n;

		if (!real)
			real = (ssize_t (*)(const struct mnl_socket *, const void *, size_t))
				dlsym(RTLD_NEXT, "mnl_socket_sendto");
		n = real(nl, buf, len);
		if (n >= 0)
			sent_len = len;
		return n;
	}
	sent_len = len;
	fake.n_req++;
	fake.kernel(&fake, buf, mnl_socket_get_portid(nl));
	return (ssize_t)len;
}

ssize_t mnl_socket_recvfrom(const struct mnl_socket *nl, void *buf, size_t len)
{
	static ssize_t (*real)(const struct mnl_socket *, void *, size_t);
	size_t n;

	if (!fake.on) {
		if (!real)
			real = (ssize_t (*)(const struct mnl_socket *, void *, size_t))
				dlsym(RTLD_NEXT, "mnl_socket_recvfrom");
		return real(nl, buf, len);
	}
	if (fake.recv_errno) {
		errno = fake.recv_errno;
		fake.recv_errno = 0;
		return -1;
	}
	if (fake.head == fake.tail) {
		errno = EAGAIN; /* the library waits for a reply that will never come */
		return -1;
	}
	n = fake.dg_len[fake.head % FAKE_DGRAMS];
	if (n > len) {
		errno = ENOSPC; /* what libmnl says on MSG_TRUNC */
		return -1;
	}
	memcpy(buf, fake.dg[fake.head % FAKE_DGRAMS], n);
	free(fake.dg[fake.head % FAKE_DGRAMS]);
	fake.head++;
	return (ssize_t)n;
}

/*
 * While fake.sndbuf is set, the socket's send buffer reads as that and
 * cannot be raised: a host whose net.core.wmem_max is small, so that the
 * library's room (dfc_nl_msg_room) is.
 */
int getsockopt(int fd, int level, int name, void *restrict val, socklen_t *restrict len)
{
	static int (*real)(int, int, int, void *restrict, socklen_t *restrict);

	if (fake.on && fake.sndbuf && level == SOL_SOCKET && name == SO_SNDBUF &&
	    *len >= sizeof(fake.sndbuf)) {
		memcpy(val, &fake.sndbuf, sizeof(fake.sndbuf));
		*len = sizeof(fake.sndbuf);
		return 0;
	}
	if (!real)
		real = (int (*)(int, int, int, void *restrict, socklen_t *restrict))
			dlsym(RTLD_NEXT, "getsockopt");
	return real(fd, level, name, val, len);
}

/* A new datagram to fill. */
static char *fake_dgram(struct fake *f)
{
	char *d = calloc(1, FAKE_DGRAM_SZ);

	if (!d || f->tail - f->head == FAKE_DGRAMS)
		abort();
	f->dg[f->tail % FAKE_DGRAMS] = d;
	f->dg_len[f->tail % FAKE_DGRAMS] = 0;
	f->tail++;
	return d;
}

/* A message at the end of the last datagram, answering req. */
static struct nlmsghdr *fake_msg(struct fake *f, const struct nlmsghdr *req, uint32_t portid,
				 uint16_t type, uint16_t flags)
{
	unsigned int last = (f->tail - 1) % FAKE_DGRAMS;
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(f->dg[last] + f->dg_len[last]);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = req ? req->nlmsg_seq : 0;
	nlh->nlmsg_pid = req ? portid : 0;
	return nlh;
}

/* Account for the message just built by fake_msg. */
static void fake_end(struct fake *f, const struct nlmsghdr *nlh)
{
	f->dg_len[(f->tail - 1) % FAKE_DGRAMS] += MNL_ALIGN(nlh->nlmsg_len);
}

/* A generic netlink message of family fam, cmd. */
static struct nlmsghdr *fake_genl(struct fake *f, const struct nlmsghdr *req, uint32_t portid,
				  uint16_t fam, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = fake_msg(f, req, portid, fam, flags);
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));

	g->cmd = cmd;
	g->version = DFC_GENL_VERSION;
	return nlh;
}

/* The ACK (err 0) or error, with extack message and offset, as with NETLINK_CAP_ACK. */
static void fake_ack(struct fake *f, const struct nlmsghdr *req, uint32_t portid, int err,
		     const char *msg, uint32_t off)
{
	struct nlmsghdr *nlh = fake_msg(f, req, portid, NLMSG_ERROR, NLM_F_CAPPED);
	struct nlmsgerr *e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));

	e->error = err;
	e->msg = *req;
	if (msg) {
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, msg);
		if (off)
			mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, off);
	}
	fake_end(f, nlh);
}

static void fake_done(struct fake *f, const struct nlmsghdr *req, uint32_t portid, uint16_t flags)
{
	struct nlmsghdr *nlh = fake_msg(f, req, portid, NLMSG_DONE, NLM_F_MULTI | flags);
	int zero = 0;

	memcpy(mnl_nlmsg_put_extra_header(nlh, sizeof(zero)), &zero, sizeof(zero));
	fake_end(f, nlh);
}

static uint8_t req_cmd(const struct nlmsghdr *req)
{
	return ((const struct genlmsghdr *)mnl_nlmsg_get_payload(req))->cmd;
}

static const struct nlattr *req_attr(const struct nlmsghdr *req, uint16_t type)
{
	return find_attr(req, type);
}

#define FAKE_FAMILY 0x1d

/* The family lookup of dfc_nl_open(): "dfc" with an "events" group (id: nlctrl's real one). */
static bool fake_family(struct fake *f, const struct nlmsghdr *req, uint32_t portid)
{
	struct nlmsghdr *nlh;
	struct nlattr *grps, *grp;

	if (req->nlmsg_type != GENL_ID_CTRL)
		return false;
	fake_dgram(f);
	nlh = fake_genl(f, req, portid, GENL_ID_CTRL, CTRL_CMD_NEWFAMILY, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, DFC_GENL_NAME);
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, FAKE_FAMILY);
	grps = nest_start(nlh, CTRL_ATTR_MCAST_GROUPS);
	grp = nest_start(nlh, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_MCAST_GRP_NAME, DFC_GENL_MCGRP_EVENTS);
	mnl_attr_put_u32(nlh, CTRL_ATTR_MCAST_GRP_ID, GENL_ID_CTRL);
	mnl_attr_nest_end(nlh, grp);
	mnl_attr_nest_end(nlh, grps);
	fake_end(f, nlh);
	fake_ack(f, req, portid, 0, NULL, 0);
	return true;
}

FIXTURE(fk) {
	struct dfc_nl *nl;
	/* one over each cap: an unchecked criterion is read, not overrun */
	struct dfc_nl_entry ent[DFC_CRIT_MAX_ENTRIES + 1], exc[DFC_CRIT_MAX_EXCL + 1];
};

FIXTURE_SETUP(fk)
{
	memset(&fake, 0, sizeof(fake));
	memset(self->ent, 0, sizeof(self->ent));
	memset(self->exc, 0, sizeof(self->exc));
	fake.on = true;
	fake.kernel = NULL;
	self->nl = NULL;
}

FIXTURE_TEARDOWN(fk)
{
	dfc_nl_close(self->nl);
	while (fake.head != fake.tail)
		free(fake.dg[fake.head++ % FAKE_DGRAMS]);
	fake.on = false;
}

/* Open "dfc" through the fake; the test's handler takes over afterwards. */
static void fake_nop(struct fake *f, const struct nlmsghdr *req, uint32_t portid)
{
	if (!fake_family(f, req, portid))
		abort();
}

#define FAKE_OPEN(handler) do { \
	fake.kernel = fake_nop; \
	self->nl = dfc_nl_open(); \
	ASSERT_NE(NULL, self->nl) TH_LOG("open: %s", strerror(errno)); \
	ASSERT_EQ(FAKE_FAMILY, dfc_nl_family_id(self->nl)); \
	fake.kernel = handler; \
	fake.n_req = 0; \
} while (0)

/* ---- CRIT_NEW ---- */

struct add_log {
	unsigned int fail_msg;	/* 1-based request to fail, on its second criterion; 0: none */
	unsigned int msgs, crits;
	uint64_t next_id;	/* ids must come in order, each once */
	bool bad;		/* something was wrong with a request */
	size_t max_len;
	/* if set, what was added (ids are indices): each must arrive whole */
	const struct dfc_nl_crit *v;
	unsigned int n;
};

static void kernel_add(struct fake *f, const struct nlmsghdr *req, uint32_t portid)
{
	struct add_log *log = f->ctx;
	const struct nlattr *a;
	unsigned int k = 0;
	uint32_t off = 0;

	fake_dgram(f);
	log->msgs++;
	if (req_cmd(req) != DFC_CMD_CRIT_NEW || req->nlmsg_type != FAKE_FAMILY ||
	    !(req->nlmsg_flags & NLM_F_ACK) || !req_attr(req, DFC_A_OWNER) ||
	    mnl_attr_get_u32(req_attr(req, DFC_A_OWNER)) != 42)
		log->bad = true;
	if (req->nlmsg_len > log->max_len)
		log->max_len = req->nlmsg_len;
	mnl_attr_for_each(a, req, GENL_HDRLEN) {
		struct dfc_nl_crit c;

		if (mnl_attr_get_type(a) != DFC_A_CRIT)
			continue;
		if (dfc_nl_crit_parse_attr(a, &c, NULL, 0, NULL, 0) ||
		    c.id != log->next_id + k || !c.n_entries)
			log->bad = true;
		else if (log->v && (c.id >= log->n || c.n_entries != log->v[c.id].n_entries ||
				    c.n_excl != log->v[c.id].n_excl ||
				    c.blob_len != log->v[c.id].blob_len))
			log->bad = true;
		if (++k == 2)
			off = (uint32_t)((const char *)a - (const char *)req) + 8;
	}
	if (log->msgs == log->fail_msg) {
		fake_ack(f, req, portid, -EEXIST, "criterion exists", off);
		return;
	}
	log->crits += k;
	log->next_id += k;
	fake_ack(f, req, portid, 0, NULL, 0);
}

static struct dfc_nl_crit *many_crits(unsigned int n, struct dfc_nl_entry *ent)
{
	struct dfc_nl_crit *v = calloc(n, sizeof(*v));

	for (unsigned int i = 0; v && i < n; i++)
		v[i] = (struct dfc_nl_crit){ .id = i, .timeout_total = 10, .entries = ent,
					     .n_entries = 1 + i % DFC_CRIT_MAX_ENTRIES };
	return v;
}

TEST_F(fk, crit_add_batches)
{
	struct add_log log = { 0 };
	unsigned int done = 12345;
	struct dfc_nl_crit *v = many_crits(1000, self->ent);

	ASSERT_NE(NULL, v);
	log.v = v;
	log.n = 1000;
	for (unsigned int i = 0; i < DFC_CRIT_MAX_ENTRIES; i++)
		self->ent[i] = entry4("10.0.0.0", 24, NULL, 0, (uint16_t)(i + 1), 17);
	fake.ctx = &log;
	FAKE_OPEN(kernel_add);
	ASSERT_EQ(0, dfc_nl_crit_add(self->nl, 42, v, 1000, &done));
	EXPECT_EQ(1000, done);
	EXPECT_EQ(1000, log.crits);
	EXPECT_FALSE(log.bad);
	EXPECT_LT(1, log.msgs);
	EXPECT_GE(dfc_nl_msg_room(self->nl), log.max_len);
	/* batches fill the room: far fewer messages than criteria */
	EXPECT_GT(log.max_len, dfc_nl_msg_room(self->nl) / 2);
	TH_LOG("1000 criteria in %u messages of up to %zu bytes", log.msgs, log.max_len);
	EXPECT_EQ(-1, dfc_nl_crit_add_failed(self->nl));

	/* nothing to add: no request */
	fake.n_req = 0;
	EXPECT_EQ(0, dfc_nl_crit_add(self->nl, 42, v, 0, &done));
	EXPECT_EQ(0, done);
	EXPECT_EQ(0, fake.n_req);
	free(v);
}

/* A message the kernel refuses: what went before stays, what comes after is not sent. */
TEST_F(fk, crit_add_fails_midway)
{
	struct add_log log = { .fail_msg = 3 };
	unsigned int done = 12345, before;
	struct dfc_nl_crit *v = many_crits(1000, self->ent);

	ASSERT_NE(NULL, v);
	for (unsigned int i = 0; i < DFC_CRIT_MAX_ENTRIES; i++)
		self->ent[i] = entry4("10.0.0.0", 24, NULL, 0, (uint16_t)(i + 1), 17);
	fake.ctx = &log;
	FAKE_OPEN(kernel_add);
	EXPECT_EQ(-EEXIST, dfc_nl_crit_add(self->nl, 42, v, 1000, &done));
	EXPECT_FALSE(log.bad);
	EXPECT_EQ(3, log.msgs);
	before = log.crits;
	EXPECT_LT(0, before);
	EXPECT_EQ(before, done);
	EXPECT_STREQ("criterion exists", dfc_nl_extack(self->nl));
	/* the extack offset pointed into the failed message's second criterion */
	EXPECT_EQ((long)done + 1, dfc_nl_crit_add_failed(self->nl));
	free(v);
}

/*
 * The largest criteria go two to a message of the library's room, each
 * whole: batching never splits one.
 */
TEST_F(fk, crit_add_largest)
{
	enum { N = 9 };
	static char blob[DFC_CRIT_BLOB_MAX];
	struct add_log log = { 0 };
	struct dfc_nl_crit v[N];
	unsigned int done = 12345, per;
	char *buf = calloc(1, DFC_NL_MSG_MAX);
	struct nlmsghdr *nlh;
	uint32_t base;

	ASSERT_NE(NULL, buf);
	for (unsigned int i = 0; i < N; i++) {
		v[i] = max_crit(self->ent, self->exc, blob);
		v[i].id = i;
		if (i % 3 == 1) { /* and a few smaller ones between */
			v[i].n_entries = 1 + i;
			v[i].n_excl = 0;
			v[i].blob_len = 0;
		}
	}
	fake.ctx = &log;
	log.v = v;
	log.n = N;
	FAKE_OPEN(kernel_add);
	ASSERT_EQ(DFC_NL_MSG_MAX, dfc_nl_msg_room(self->nl)) TH_LOG("wmem_max too small here?");
	/* how many of the largest a message holds */
	nlh = crit_msg(buf, 42);
	base = nlh->nlmsg_len;
	ASSERT_EQ(0, dfc_nl_crit_put(nlh, DFC_NL_MSG_MAX, &v[0]));
	per = (DFC_NL_MSG_MAX - base) / (nlh->nlmsg_len - base);
	EXPECT_LE(2, per);

	ASSERT_EQ(0, dfc_nl_crit_add(self->nl, 42, v, N, &done));
	EXPECT_EQ(N, done);
	EXPECT_EQ(N, log.crits);
	EXPECT_FALSE(log.bad);
	EXPECT_GE(dfc_nl_msg_room(self->nl), log.max_len);
	/* 6 of the largest, `per` to a message, the small ones in with them */
	EXPECT_EQ((6 + per - 1) / per, log.msgs);
	TH_LOG("%u criteria, %u at most of the largest to a message: %u messages of up to %zu bytes",
	       N, per, log.msgs, log.max_len);
	free(buf);
}

/*
 * Over a cap: refused before anything of it is sent, with a reason and
 * its index; those before it went, those after it did not.
 */
TEST_F(fk, crit_add_over_caps)
{
	static char blob[DFC_CRIT_BLOB_MAX + 1];
	static const struct {
		unsigned int ne, nx, blob;
		const char *says;
	} over[] = {
		{ DFC_CRIT_MAX_ENTRIES + 1, 0, 0, "257 entries, at most 256" },
		{ 1, DFC_CRIT_MAX_EXCL + 1, 0, "65 exclusions, at most 64" },
		{ 1, 0, DFC_CRIT_BLOB_MAX + 1, "2049-byte blob, at most 2048" },
	};
	struct dfc_nl_crit v[3] = {
		{ .id = 0, .timeout_total = 1, .entries = self->ent, .n_entries = 1 },
		{ .id = 1, .timeout_total = 1, .entries = self->ent, .excl = self->exc,
		  .blob = blob },
		{ .id = 2, .timeout_total = 1, .entries = self->ent, .n_entries = 1 },
	};

	_Static_assert(DFC_CRIT_MAX_ENTRIES == 256 && DFC_CRIT_MAX_EXCL == 64 &&
		       DFC_CRIT_BLOB_MAX == 2048, "the messages below name the caps");
	for (unsigned int i = 0; i <= DFC_CRIT_MAX_ENTRIES; i++)
		self->ent[i] = entry4("10.0.0.0", 8, NULL, 0, (uint16_t)(i + 1), 6);
	for (unsigned int i = 0; i <= DFC_CRIT_MAX_EXCL; i++)
		self->exc[i] = entry4(NULL, 0, "10.1.0.0", 16, (uint16_t)(i + 1), 17);
	FAKE_OPEN(kernel_add);
	for (size_t i = 0; i < sizeof(over) / sizeof(over[0]); i++) {
		struct add_log log = { 0 };
		unsigned int done = 12345;

		fake.ctx = &log;
		v[1].n_entries = over[i].ne;
		v[1].n_excl = over[i].nx;
		v[1].blob_len = (uint16_t)over[i].blob;
		EXPECT_EQ(-EINVAL, dfc_nl_crit_add(self->nl, 42, v, 3, &done))
			TH_LOG("%s", over[i].says);
		EXPECT_EQ(1, done);		/* the first went alone */
		EXPECT_EQ(1, log.msgs);
		EXPECT_EQ(1, log.crits);
		EXPECT_FALSE(log.bad);
		EXPECT_EQ(1, dfc_nl_crit_add_failed(self->nl));
		EXPECT_NE(NULL, strstr(dfc_nl_extack(self->nl), over[i].says))
			TH_LOG("extack: %s", dfc_nl_extack(self->nl));
		EXPECT_EQ(0, dfc_nl_extack_offset(self->nl));
	}

	/* at the caps, it goes */
	{
		struct add_log log = { 0 };
		unsigned int done = 12345;

		fake.ctx = &log;
		v[1].n_entries = DFC_CRIT_MAX_ENTRIES;
		v[1].n_excl = DFC_CRIT_MAX_EXCL;
		v[1].blob_len = DFC_CRIT_BLOB_MAX;
		EXPECT_EQ(0, dfc_nl_crit_add(self->nl, 42, v, 3, &done));
		EXPECT_EQ(3, done);
		EXPECT_EQ(3, log.crits);
		EXPECT_FALSE(log.bad);
	}

	/* unencodable: -EINVAL, also named, nothing sent */
	fake.n_req = 0;
	v[1].n_entries = 1;
	v[1].n_excl = 0;
	self->ent[0].ipver = 0;
	{
		unsigned int done = 12345;

		EXPECT_EQ(-EINVAL, dfc_nl_crit_add(self->nl, 42, v + 1, 2, &done));
		EXPECT_EQ(0, done);
	}
	EXPECT_EQ(0, fake.n_req);
	EXPECT_EQ(0, dfc_nl_crit_add_failed(self->nl));
	EXPECT_NE(NULL, strstr(dfc_nl_extack(self->nl), "IP version"))
		TH_LOG("extack: %s", dfc_nl_extack(self->nl));
}

/*
 * Too big for one message, which only a small room (a host with a small
 * net.core.wmem_max) makes possible: -EMSGSIZE before anything of it is
 * sent, with a reason; the same criterion goes with the usual room.
 */
TEST_F(fk, crit_add_too_big)
{
	enum { SNDBUF = 40000 };
	static char blob[DFC_CRIT_BLOB_MAX];
	struct add_log log = { 0 };
	unsigned int done = 12345;
	struct dfc_nl_crit v[3] = {
		{ .id = 0, .timeout_total = 1, .entries = self->ent, .n_entries = 1 },
		max_crit(self->ent, self->exc, blob),
		{ .id = 2, .timeout_total = 1, .entries = self->ent, .n_entries = 1 },
	};

	v[1].id = 1;
	fake.ctx = &log;
	log.v = v;
	log.n = 3;
	fake.sndbuf = SNDBUF;
	FAKE_OPEN(kernel_add);
	EXPECT_EQ(SNDBUF - 32, dfc_nl_msg_room(self->nl));
	EXPECT_EQ(-EMSGSIZE, dfc_nl_crit_add(self->nl, 42, v, 3, &done));
	EXPECT_EQ(1, done);		/* the first went alone */
	EXPECT_EQ(1, log.msgs);
	EXPECT_EQ(1, log.crits);
	EXPECT_FALSE(log.bad);
	EXPECT_GE(dfc_nl_msg_room(self->nl), log.max_len);
	EXPECT_EQ(1, dfc_nl_crit_add_failed(self->nl));
	EXPECT_NE(NULL, strstr(dfc_nl_extack(self->nl), "does not fit in one message"))
		TH_LOG("extack: %s", dfc_nl_extack(self->nl));

	/* the usual room: it goes, whole */
	dfc_nl_close(self->nl);
	fake.sndbuf = 0;
	FAKE_OPEN(kernel_add);
	ASSERT_EQ(DFC_NL_MSG_MAX, dfc_nl_msg_room(self->nl)) TH_LOG("wmem_max too small here?");
	EXPECT_EQ(0, dfc_nl_crit_add(self->nl, 42, v + 1, 2, &done));
	EXPECT_EQ(2, done);
	EXPECT_EQ(3, log.crits);
	EXPECT_FALSE(log.bad);
	EXPECT_EQ(-1, dfc_nl_crit_add_failed(self->nl));
}

/* ---- CRIT_GET dump ---- */

struct dump_log {
	/* per attempt (0-based): ids to send, and after which of them the set "changes" */
	unsigned int attempts;
	int intr_after[8];	/* -1: never */
	bool always_intr;
	uint64_t ids[8][8];
	unsigned int n_ids[8];
	bool bad;
	/* what the callback saw */
	uint64_t seen[64];
	unsigned int n_seen, restarts;
	uint64_t ever[64];	/* every id the callback got, restarts or not */
	unsigned int n_ever;
	int restart_ret;
};

/* A dump in several datagrams, like the kernel's one skb per recvmsg. */
static void kernel_dump(struct fake *f, const struct nlmsghdr *req, uint32_t portid)
{
	struct dump_log *log = f->ctx;
	unsigned int a = log->attempts++;
	uint16_t intr = 0;

	if (req_cmd(req) != DFC_CMD_CRIT_GET ||
	    (req->nlmsg_flags & NLM_F_DUMP) != NLM_F_DUMP || !req_attr(req, DFC_A_TERSE) ||
	    !req_attr(req, DFC_A_OWNER) || mnl_attr_get_u32(req_attr(req, DFC_A_OWNER)) != 3)
		log->bad = true;
	if (a >= 8)
		abort();
	for (unsigned int i = 0; i < log->n_ids[a]; i++) {
		struct nlmsghdr *nlh;
		struct nlattr *crit;

		if (i % 2 == 0)
			fake_dgram(f);
		if (log->always_intr || (log->intr_after[a] >= 0 && (int)i > log->intr_after[a]))
			intr = NLM_F_DUMP_INTR;
		nlh = fake_genl(f, req, portid, FAKE_FAMILY, DFC_CMD_CRIT_GET, NLM_F_MULTI | intr);
		mnl_attr_put_u32(nlh, DFC_A_OWNER, 3);
		crit = nest_start(nlh, DFC_A_CRIT);
		put_u64(nlh, DFC_CRIT_A_ID, log->ids[a][i], DFC_CRIT_A_PAD);
		put_u64(nlh, DFC_CRIT_A_PACKETS, i, DFC_CRIT_A_PAD);
		mnl_attr_nest_end(nlh, crit);
		fake_end(f, nlh);
	}
	fake_dgram(f);
	/* the kernel checks the generation for DONE too */
	if (log->always_intr || log->intr_after[a] >= 0)
		intr = NLM_F_DUMP_INTR;
	fake_done(f, req, portid, intr);
}

static int dump_cb(const struct dfc_nl_crit *c, void *data)
{
	struct dump_log *log = data;

	if (log->n_seen < 64)
		log->seen[log->n_seen++] = c->id;
	if (log->n_ever < 64)
		log->ever[log->n_ever++] = c->id;
	return c->id == 666 ? 7 : 0; /* the devil stops the walk */
}

static int dump_restart(void *data)
{
	struct dump_log *log = data;

	log->restarts++;
	log->n_seen = 0;
	return log->restart_ret;
}

static void dump_log_init(struct dump_log *log)
{
	memset(log, 0, sizeof(*log));
	for (int i = 0; i < 8; i++) {
		log->intr_after[i] = -1;
		log->n_ids[i] = 4;
		for (int j = 0; j < 4; j++)
			log->ids[i][j] = 100 * (i + 1) + j;
	}
}

TEST_F(fk, crit_dump_streams)
{
	struct dump_log log;
	uint32_t owner = 3;

	dump_log_init(&log);
	fake.ctx = &log;
	FAKE_OPEN(kernel_dump);
	ASSERT_EQ(0, dfc_nl_crit_dump(self->nl, &owner, true, dump_cb, dump_restart, &log));
	EXPECT_FALSE(log.bad);
	EXPECT_EQ(1, log.attempts);
	EXPECT_EQ(0, log.restarts);
	ASSERT_EQ(4, log.n_seen);
	for (unsigned int i = 0; i < 4; i++)
		EXPECT_EQ(100 + i, log.seen[i]);
}

/*
 * The set changes after the second message: the callback saw two, then
 * hears of the restart, then gets the second attempt whole; nothing of
 * the flagged part reaches it.
 */
TEST_F(fk, crit_dump_restarts)
{
	struct dump_log log;
	uint32_t owner = 3;

	dump_log_init(&log);
	log.intr_after[0] = 1;
	fake.ctx = &log;
	FAKE_OPEN(kernel_dump);
	ASSERT_EQ(0, dfc_nl_crit_dump(self->nl, &owner, true, dump_cb, dump_restart, &log));
	EXPECT_FALSE(log.bad);
	EXPECT_EQ(2, log.attempts);
	EXPECT_EQ(1, log.restarts);
	ASSERT_EQ(4, log.n_seen);
	for (unsigned int i = 0; i < 4; i++)
		EXPECT_EQ(200 + i, log.seen[i]);
	/* the flagged messages of the first attempt never reached it */
	ASSERT_EQ(6, log.n_ever);
	EXPECT_EQ(100, log.ever[0]);
	EXPECT_EQ(101, log.ever[1]);
	EXPECT_EQ(200, log.ever[2]);
	/* the handle is in step: the next request gets its own replies */
	log.restarts = 0;
	log.n_seen = 0;
	ASSERT_EQ(0, dfc_nl_crit_dump(self->nl, &owner, true, dump_cb, dump_restart, &log));
	EXPECT_EQ(0, log.restarts);
	EXPECT_EQ(300, log.seen[0]);
}

/* Flagged only on DONE: still not a snapshot. */
TEST_F(fk, crit_dump_intr_on_done)
{
	struct dump_log log;
	uint32_t owner = 3;

	dump_log_init(&log);
	log.intr_after[0] = 3; /* after the last: only DONE carries it */
	fake.ctx = &log;
	FAKE_OPEN(kernel_dump);
	ASSERT_EQ(0, dfc_nl_crit_dump(self->nl, &owner, true, dump_cb, dump_restart, &log));
	EXPECT_EQ(1, log.restarts);
	EXPECT_EQ(200, log.seen[0]);
}

TEST_F(fk, crit_dump_no_restart_hook)
{
	struct dump_log log;
	uint32_t owner = 3;

	dump_log_init(&log);
	log.intr_after[0] = 0;
	fake.ctx = &log;
	FAKE_OPEN(kernel_dump);
	EXPECT_EQ(-EAGAIN, dfc_nl_crit_dump(self->nl, &owner, true, dump_cb, NULL, &log));
	EXPECT_EQ(1, log.attempts);
	EXPECT_EQ(1, log.n_seen);
}

TEST_F(fk, crit_dump_gives_up)
{
	struct dump_log log;
	uint32_t owner = 3;

	dump_log_init(&log);
	log.always_intr = true;
	fake.ctx = &log;
	FAKE_OPEN(kernel_dump);
	EXPECT_EQ(-EAGAIN, dfc_nl_crit_dump(self->nl, &owner, true, dump_cb, dump_restart, &log));
	EXPECT_EQ(DFC_NL_DUMP_TRIES, log.attempts);
	EXPECT_EQ(log.attempts - 1, log.restarts);
	/* always flagged from the first message on: the callback never ran */
	EXPECT_EQ(0, log.n_seen);
}

/* The restart hook and the callback can each stop the dump; their value comes back. */
TEST_F(fk, crit_dump_stopped)
{
	struct dump_log log;
	uint32_t owner = 3;

	dump_log_init(&log);
	log.intr_after[0] = 0;
	log.restart_ret = -ECANCELED;
	fake.ctx = &log;
	FAKE_OPEN(kernel_dump);
	EXPECT_EQ(-ECANCELED, dfc_nl_crit_dump(self->nl, &owner, true, dump_cb, dump_restart,
					       &log));
	EXPECT_EQ(1, log.attempts);

	dump_log_init(&log);
	log.ids[0][1] = 666;
	EXPECT_EQ(7, dfc_nl_crit_dump(self->nl, &owner, true, dump_cb, dump_restart, &log));
	EXPECT_EQ(2, log.n_seen);
	/* drained all the same */
	EXPECT_EQ(fake.head, fake.tail);
}

/* ---- GET, DEL, REFRESH, LIMITS ---- */

struct req_log {
	struct nlmsghdr *req;	/* a copy of the last request */
	int reply;		/* 0: reply + ACK; 1: ACK only; <0: that error */
	const struct nlmsghdr *msg; /* the reply (default: get_reply()) */
};

static void log_req(struct fake *f, const struct nlmsghdr *req)
{
	struct req_log *log = f->ctx;

	free(log->req);
	log->req = malloc(req->nlmsg_len);
	memcpy(log->req, req, req->nlmsg_len);
}

static void kernel_get(struct fake *f, const struct nlmsghdr *req, uint32_t portid)
{
	struct req_log *log = f->ctx;

	log_req(f, req);
	fake_dgram(f);
	if (log->reply == 0) {
		char *buf = malloc(4096);
		const struct nlmsghdr *r = log->msg ? log->msg : get_reply(buf, true, true);
		struct nlmsghdr *nlh = fake_msg(f, req, portid, FAKE_FAMILY, 0);

		memcpy((char *)nlh + MNL_NLMSG_HDRLEN, (char *)r + MNL_NLMSG_HDRLEN,
		       r->nlmsg_len - MNL_NLMSG_HDRLEN);
		nlh->nlmsg_len = r->nlmsg_len;
		fake_end(f, nlh);
		free(buf);
	}
	fake_ack(f, req, portid, log->reply < 0 ? log->reply : 0,
		 log->reply < 0 ? "no such criterion" : NULL, 0);
}

struct got_crit {
	unsigned int calls;
	struct dfc_nl_crit c;
	struct dfc_nl_entry e1;
};

static int get_cb(const struct dfc_nl_crit *c, void *data)
{
	struct got_crit *g = data;

	g->calls++;
	g->c = *c;
	if (c->n_entries > 1 && c->entries)
		g->e1 = c->entries[1];
	return 0;
}

TEST_F(fk, crit_get)
{
	struct req_log log = { 0 };
	struct got_crit g = { 0 };

	fake.ctx = &log;
	FAKE_OPEN(kernel_get);
	ASSERT_EQ(0, dfc_nl_crit_get(self->nl, 3, 0x1122334455667788ULL, get_cb, &g));
	EXPECT_EQ(1, g.calls);
	EXPECT_EQ(3, g.c.owner);
	EXPECT_EQ(2, g.c.n_entries);
	EXPECT_EQ(53, g.e1.dport);
	EXPECT_EQ(DFC_CMD_CRIT_GET, req_cmd(log.req));
	EXPECT_EQ(0, log.req->nlmsg_flags & NLM_F_DUMP);
	EXPECT_EQ(3, mnl_attr_get_u32(req_attr(log.req, DFC_A_OWNER)));
	EXPECT_EQ(0x1122334455667788ULL, mnl_attr_get_u64(req_attr(log.req, DFC_A_ID)));

	log.reply = 1;
	EXPECT_EQ(-EPROTO, dfc_nl_crit_get(self->nl, 3, 1, get_cb, &g));
	log.reply = -ENOENT;
	EXPECT_EQ(-ENOENT, dfc_nl_crit_get(self->nl, 3, 1, get_cb, &g));
	EXPECT_STREQ("no such criterion", dfc_nl_extack(self->nl));
	free(log.req);
}

static int get_copy_cb(const struct dfc_nl_crit *c, void *data)
{
	struct dfc_nl_crit *out = data;
	struct dfc_nl_entry *ent = (struct dfc_nl_entry *)out->entries;
	struct dfc_nl_entry *exc = (struct dfc_nl_entry *)out->excl;
	char *blob = (char *)out->blob;

	if (!c->entries || c->n_entries > DFC_CRIT_MAX_ENTRIES || c->n_excl > DFC_CRIT_MAX_EXCL ||
	    c->blob_len > DFC_CRIT_BLOB_MAX || (c->n_excl && !c->excl) ||
	    (c->blob_len && !c->blob))
		return -EBADMSG;
	*out = *c;
	memcpy(ent, c->entries, c->n_entries * sizeof(*ent));
	memcpy(exc, c->excl, c->n_excl * sizeof(*exc));
	memcpy(blob, c->blob, c->blob_len);
	out->entries = ent;
	out->excl = exc;
	out->blob = blob;
	return 0;
}

/* The largest criterion comes back whole from a GET. */
TEST_F(fk, crit_get_largest)
{
	static char blob[DFC_CRIT_BLOB_MAX], got_blob[DFC_CRIT_BLOB_MAX];
	static struct dfc_nl_entry got_ent[DFC_CRIT_MAX_ENTRIES], got_exc[DFC_CRIT_MAX_EXCL];
	struct dfc_nl_crit c = max_crit(self->ent, self->exc, blob);
	struct dfc_nl_crit got = { .entries = got_ent, .excl = got_exc, .blob = got_blob };
	char *req = calloc(1, DFC_NL_MSG_MAX), *rep = calloc(1, DFC_NL_MSG_MAX);
	struct req_log log = { 0 };
	size_t rlen;

	ASSERT_NE(NULL, req);
	ASSERT_NE(NULL, rep);
	memset(blob, 'z', sizeof(blob));
	ASSERT_EQ(0, dfc_nl_crit_put(crit_msg(req, 3), DFC_NL_MSG_MAX, &c));
	log.msg = reply_of(rep, (struct nlmsghdr *)req, &rlen);
	ASSERT_GE((size_t)UINT16_MAX, rlen);
	fake.ctx = &log;
	FAKE_OPEN(kernel_get);
	ASSERT_EQ(0, dfc_nl_crit_get(self->nl, 3, c.id, get_copy_cb, &got));
	EXPECT_EQ(3, got.owner);
	EXPECT_EQ(c.id, got.id);
	ASSERT_EQ(DFC_CRIT_MAX_ENTRIES, got.n_entries);
	ASSERT_EQ(DFC_CRIT_MAX_EXCL, got.n_excl);
	ASSERT_EQ(DFC_CRIT_BLOB_MAX, got.blob_len);
	EXPECT_EQ(0, memcmp(blob, got.blob, sizeof(blob)));
	for (unsigned int i = 0; i < DFC_CRIT_MAX_ENTRIES; i++) {
		ASSERT_TRUE(entry_eq(&self->ent[i], &got.entries[i])) TH_LOG("entry %u", i);
	}
	for (unsigned int i = 0; i < DFC_CRIT_MAX_EXCL; i++) {
		ASSERT_TRUE(entry_eq(&self->exc[i], &got.excl[i])) TH_LOG("exclusion %u", i);
	}
	free(log.req);
	free(req);
	free(rep);
}

static void kernel_count(struct fake *f, const struct nlmsghdr *req, uint32_t portid)
{
	struct req_log *log = f->ctx;
	struct nlmsghdr *nlh;

	log_req(f, req);
	fake_dgram(f);
	if (log->reply == 0) {
		nlh = fake_genl(f, req, portid, FAKE_FAMILY, DFC_CMD_CRIT_DEL, 0);
		mnl_attr_put_u32(nlh, DFC_A_COUNT, 7);
		fake_end(f, nlh);
	}
	fake_ack(f, req, portid, log->reply < 0 ? log->reply : 0, NULL, 0);
}

TEST_F(fk, crit_del)
{
	struct req_log log = { 0 };
	uint32_t deleted = 0, cdest = 5;
	uint64_t id = 1ULL << 60;

	fake.ctx = &log;
	FAKE_OPEN(kernel_count);
	ASSERT_EQ(0, dfc_nl_crit_del(self->nl, 9, &id, NULL, true, &deleted));
	EXPECT_EQ(7, deleted);
	EXPECT_EQ(DFC_CMD_CRIT_DEL, req_cmd(log.req));
	EXPECT_EQ(9, mnl_attr_get_u32(req_attr(log.req, DFC_A_OWNER)));
	EXPECT_EQ(id, mnl_attr_get_u64(req_attr(log.req, DFC_A_ID)));
	EXPECT_EQ(NULL, req_attr(log.req, DFC_A_CDEST));
	EXPECT_EQ(DFC_CRIT_F_STATIC, mnl_attr_get_u32(req_attr(log.req, DFC_A_FLAGS)));

	ASSERT_EQ(0, dfc_nl_crit_del(self->nl, 9, NULL, &cdest, false, NULL));
	EXPECT_EQ(NULL, req_attr(log.req, DFC_A_ID));
	EXPECT_EQ(5, mnl_attr_get_u32(req_attr(log.req, DFC_A_CDEST)));
	EXPECT_EQ(NULL, req_attr(log.req, DFC_A_FLAGS));

	ASSERT_EQ(0, dfc_nl_crit_del(self->nl, 9, NULL, NULL, false, &deleted));
	EXPECT_EQ(NULL, req_attr(log.req, DFC_A_ID));
	EXPECT_EQ(NULL, req_attr(log.req, DFC_A_CDEST));

	/* both: refused without asking */
	fake.n_req = 0;
	EXPECT_EQ(-EINVAL, dfc_nl_crit_del(self->nl, 9, &id, &cdest, false, &deleted));
	EXPECT_EQ(0, fake.n_req);

	log.reply = 1; /* no count */
	EXPECT_EQ(-EPROTO, dfc_nl_crit_del(self->nl, 9, NULL, NULL, false, &deleted));
	log.reply = -EPERM;
	EXPECT_EQ(-EPERM, dfc_nl_crit_del(self->nl, 9, &id, NULL, false, &deleted));
	free(log.req);
}

static void kernel_ack(struct fake *f, const struct nlmsghdr *req, uint32_t portid)
{
	log_req(f, req);
	fake_dgram(f);
	fake_ack(f, req, portid, 0, NULL, 0);
}

TEST_F(fk, crit_refresh)
{
	struct req_log log = { 0 };
	struct dfc_nl_crit c = { .id = 77, .timeout_idle = 30, .limit_bytes = 1ULL << 35,
				 .prio = 3, .cdest = 4, .flags = DFC_CRIT_F_STATIC,
				 .entries = self->ent, .n_entries = 1 };
	const struct nlattr *n;

	fake.ctx = &log;
	FAKE_OPEN(kernel_ack);
	ASSERT_EQ(0, dfc_nl_crit_refresh(self->nl, 2, &c));
	EXPECT_EQ(DFC_CMD_CRIT_REFRESH, req_cmd(log.req));
	EXPECT_EQ(2, mnl_attr_get_u32(req_attr(log.req, DFC_A_OWNER)));
	n = req_attr(log.req, DFC_A_CRIT);
	ASSERT_NE(NULL, n);
	EXPECT_TRUE(n->nla_type & NLA_F_NESTED);
	EXPECT_EQ(77, mnl_attr_get_u64(nest_find(n, DFC_CRIT_A_ID)));
	EXPECT_EQ(30, mnl_attr_get_u32(nest_find(n, DFC_CRIT_A_TIMEOUT_IDLE)));
	EXPECT_EQ(1ULL << 35, mnl_attr_get_u64(nest_find(n, DFC_CRIT_A_LIMIT_BYTES)));
	/* only the timeouts and limits given: the kernel refuses anything else */
	EXPECT_EQ(NULL, nest_find(n, DFC_CRIT_A_TIMEOUT_TOTAL));
	EXPECT_EQ(NULL, nest_find(n, DFC_CRIT_A_LIMIT_PACKETS));
	EXPECT_EQ(NULL, nest_find(n, DFC_CRIT_A_PRIO));
	EXPECT_EQ(NULL, nest_find(n, DFC_CRIT_A_FLAGS));
	EXPECT_EQ(NULL, nest_find(n, DFC_CRIT_A_CDEST));
	EXPECT_EQ(NULL, nest_find(n, DFC_CRIT_A_ENTRY));
	free(log.req);
}

TEST_F(fk, limits_set)
{
	struct req_log log = { 0 };

	fake.ctx = &log;
	FAKE_OPEN(kernel_ack);
	ASSERT_EQ(0, dfc_nl_limits_set(self->nl, 0, 64));
	EXPECT_EQ(DFC_CMD_LIMITS_SET, req_cmd(log.req));
	EXPECT_EQ(NULL, req_attr(log.req, DFC_STATS_A_MAX_CRITS));
	EXPECT_EQ(64, mnl_attr_get_u32(req_attr(log.req, DFC_STATS_A_MAX_MASKS)));
	ASSERT_EQ(0, dfc_nl_limits_set(self->nl, 100000, 0));
	EXPECT_EQ(100000, mnl_attr_get_u32(req_attr(log.req, DFC_STATS_A_MAX_CRITS)));
	EXPECT_EQ(NULL, req_attr(log.req, DFC_STATS_A_MAX_MASKS));
	fake.n_req = 0;
	EXPECT_EQ(-EINVAL, dfc_nl_limits_set(self->nl, 0, 0));
	EXPECT_EQ(0, fake.n_req);
	free(log.req);
}

/*
 * A reply claiming 2 GiB or more (libmnl 1.0.4's mnl_nlmsg_ok() passes
 * it, and mnl_nlmsg_next() would step 4 GiB on): the rest of its datagram
 * is dropped, nothing past it is read, and the ACK in the next datagram
 * still ends the request.
 */
static void kernel_huge_then_ack(struct fake *f, const struct nlmsghdr *req, uint32_t portid)
{
	struct nlmsghdr *nlh;

	fake_dgram(f);
	nlh = fake_genl(f, req, portid, FAKE_FAMILY, DFC_CMD_LIMITS_SET, 0);
	mnl_attr_put_u32(nlh, DFC_A_OWNER, 1);
	fake_end(f, nlh);
	nlh->nlmsg_len = 0xfffff000u;	/* (int)-4096: the next would be 4 GiB on */
	fake_ack(f, req, portid, -EPERM, NULL, 0);
	fake_dgram(f);
	fake_ack(f, req, portid, 0, NULL, 0);
}

TEST_F(fk, reply_huge_len)
{
	FAKE_OPEN(kernel_huge_then_ack);
	EXPECT_EQ(0, dfc_nl_limits_set(self->nl, 0, 64));
	EXPECT_EQ(1, fake.n_req);
}

/* ---- events ---- */

struct ev_log {
	unsigned int n;
	struct dfc_nl_event last;
};

static int ev_cb(const struct dfc_nl_event *e, void *data)
{
	struct ev_log *log = data;

	log->n++;
	log->last = *e;
	return 0;
}

/* A multicast datagram: an expiry, a command we do not know, and another family's message. */
static void queue_events(struct fake *f)
{
	char *d = fake_dgram(f);
	struct nlmsghdr *nlh;

	(void)d;
	nlh = fake_genl(f, NULL, 0, FAKE_FAMILY, DFC_CMD_CRIT_EXPIRED, 0);
	mnl_attr_put_u32(nlh, DFC_A_OWNER, 8);
	{
		struct nlattr *crit = nest_start(nlh, DFC_A_CRIT);

		put_u64(nlh, DFC_CRIT_A_ID, 5, DFC_CRIT_A_PAD);
		mnl_attr_put_u8(nlh, DFC_CRIT_A_REASON, DFC_REASON_IDLE);
		put_u64(nlh, DFC_CRIT_A_BYTES, 1 << 20, DFC_CRIT_A_PAD);
		mnl_attr_nest_end(nlh, crit);
	}
	fake_end(f, nlh);
	nlh = fake_genl(f, NULL, 0, FAKE_FAMILY, DFC_CMD_MAX + 1, 0);
	mnl_attr_put_u32(nlh, DFC_A_OWNER, 8);
	fake_end(f, nlh);
	nlh = fake_genl(f, NULL, 0, GENL_ID_CTRL, CTRL_CMD_NEWFAMILY, 0);
	fake_end(f, nlh);
}

TEST_F(fk, events)
{
	struct dfc_nl_events *ev;
	struct ev_log log = { 0 };

	fake.kernel = fake_nop;
	ev = dfc_nl_events_open();
	ASSERT_NE(NULL, ev) TH_LOG("events_open: %s", strerror(errno));
	ASSERT_LE(0, dfc_nl_events_fd(ev));
	fake.n_req = 0;

	queue_events(&fake);
	EXPECT_EQ(1, dfc_nl_events_recv(ev, ev_cb, &log));
	EXPECT_EQ(1, log.n);
	EXPECT_EQ(DFC_CMD_CRIT_EXPIRED, log.last.cmd);
	EXPECT_EQ(8, log.last.expired.owner);
	EXPECT_EQ(1, log.last.expired.n);
	EXPECT_EQ(5, log.last.expired.v[0].id);
	EXPECT_EQ(DFC_REASON_IDLE, log.last.expired.v[0].reason);
	EXPECT_EQ(1 << 20, log.last.expired.v[0].bytes);

	/* lost events are told, and the handle goes on */
	fake.recv_errno = ENOBUFS;
	EXPECT_EQ(-ENOBUFS, dfc_nl_events_recv(ev, ev_cb, &log));
	queue_events(&fake);
	EXPECT_EQ(1, dfc_nl_events_recv(ev, ev_cb, &log));
	EXPECT_EQ(2, log.n);
	fake.recv_errno = EINTR;
	EXPECT_EQ(-EINTR, dfc_nl_events_recv(ev, ev_cb, &log));
	/* it never sent anything */
	EXPECT_EQ(0, fake.n_req);
	dfc_nl_events_close(ev);
}

/* A module without the group. */
static void fake_family_no_groups(struct fake *f, const struct nlmsghdr *req, uint32_t portid)
{
	struct nlmsghdr *nlh;

	fake_dgram(f);
	nlh = fake_genl(f, req, portid, GENL_ID_CTRL, CTRL_CMD_NEWFAMILY, 0);
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, FAKE_FAMILY);
	fake_end(f, nlh);
	fake_ack(f, req, portid, 0, NULL, 0);
}

TEST_F(fk, events_no_group)
{
	fake.kernel = fake_family_no_groups;
	errno = 0;
	EXPECT_EQ(NULL, dfc_nl_events_open());
	EXPECT_EQ(ENOENT, errno);
}

/* ---- content destinations, owners, copy limits ---- */

/* The number of top-level attributes of a request. */
static int req_n_attrs(const struct nlmsghdr *req)
{
	const struct nlattr *a;
	int n = 0;

	mnl_attr_for_each(a, req, GENL_HDRLEN)
		n++;
	return n;
}

TEST_F(fk, cdest_add)
{
	struct dfc_nl_cdest c = { .id = 5, .ipver = 4 };
	struct req_log log = { 0 };
	const struct nlattr *a;

	fake.ctx = &log;
	FAKE_OPEN(kernel_ack);
	ip(c.addr, "192.0.2.9");
	c.flags = DFC_CDEST_F_IPSEC_REQUIRED;
	c.set_mask = DFC_NL_CDEST_SET_TTL; /* not add's business */
	ASSERT_EQ(0, dfc_nl_cdest_add(self->nl, &c));
	EXPECT_EQ(DFC_CMD_CDEST_NEW, req_cmd(log.req));
	EXPECT_FALSE(log.req->nlmsg_flags & NLM_F_DUMP);
	EXPECT_EQ(5, mnl_attr_get_u32(req_attr(log.req, DFC_CDEST_A_ID)));
	a = req_attr(log.req, DFC_CDEST_A_ADDR);
	ASSERT_NE(NULL, a);
	ASSERT_EQ(4, mnl_attr_get_payload_len(a));
	EXPECT_EQ(0, memcmp(c.addr, mnl_attr_get_payload(a), 4));
	EXPECT_EQ(DFC_CDEST_F_IPSEC_REQUIRED,
		  mnl_attr_get_u32(req_attr(log.req, DFC_CDEST_A_FLAGS)));
	EXPECT_EQ(DFC_ENCAP_IPIP, mnl_attr_get_u8(req_attr(log.req, DFC_CDEST_A_ENCAP)));
	/* the kernel's defaults are left to it */
	EXPECT_EQ(NULL, req_attr(log.req, DFC_CDEST_A_TTL));
	EXPECT_EQ(NULL, req_attr(log.req, DFC_CDEST_A_NAME));
	EXPECT_EQ(NULL, req_attr(log.req, DFC_CDEST_A_SRC));
	EXPECT_EQ(NULL, req_attr(log.req, DFC_CDEST_A_DPORT));
	/* id, encap, addr, dscp, flags, four limits */
	EXPECT_EQ(9, req_n_attrs(log.req));

	/* v6, everything */
	c = full_cdest(true);
	ASSERT_EQ(0, dfc_nl_cdest_add(self->nl, &c));
	EXPECT_EQ(16, mnl_attr_get_payload_len(req_attr(log.req, DFC_CDEST_A_SRC)));
	EXPECT_EQ(UINT64_MAX, mnl_attr_get_u64(req_attr(log.req, DFC_CDEST_A_SOFT_LIMIT)));
	EXPECT_STREQ(c.name, mnl_attr_get_str(req_attr(log.req, DFC_CDEST_A_NAME)));
	EXPECT_EQ(14, req_n_attrs(log.req));

	/* what cannot be encoded is refused here, and told */
	fake.n_req = 0;
	c.ipver = 0;
	EXPECT_EQ(-EINVAL, dfc_nl_cdest_add(self->nl, &c));
	EXPECT_EQ(0, fake.n_req);
	EXPECT_NE(NULL, strstr(dfc_nl_extack(self->nl), "IP version"))
		TH_LOG("extack: %s", dfc_nl_extack(self->nl));
	free(log.req);
}

TEST_F(fk, cdest_add_refused)
{
	struct dfc_nl_cdest c = full_cdest(false);
	struct req_log log = { .reply = -EEXIST };

	fake.ctx = &log;
	FAKE_OPEN(kernel_get);
	EXPECT_EQ(-EEXIST, dfc_nl_cdest_add(self->nl, &c));
	EXPECT_STRNE("", dfc_nl_extack(self->nl));
	free(log.req);
}

TEST_F(fk, cdest_set)
{
	struct dfc_nl_cdest c = full_cdest(false);
	struct req_log log = { 0 };

	fake.ctx = &log;
	FAKE_OPEN(kernel_ack);
	c.set_mask = DFC_NL_CDEST_SET_TTL | DFC_NL_CDEST_SET_FLAGS;
	c.flags = 0;
	ASSERT_EQ(0, dfc_nl_cdest_set(self->nl, &c));
	EXPECT_EQ(DFC_CMD_CDEST_SET, req_cmd(log.req));
	EXPECT_EQ(3, req_n_attrs(log.req));
	EXPECT_EQ(1, mnl_attr_get_u32(req_attr(log.req, DFC_CDEST_A_ID)));
	EXPECT_EQ(255, mnl_attr_get_u8(req_attr(log.req, DFC_CDEST_A_TTL)));
	/* a flag cleared is sent as such */
	EXPECT_EQ(0, mnl_attr_get_u32(req_attr(log.req, DFC_CDEST_A_FLAGS)));

	/* a new address of the other version with its source */
	c = (struct dfc_nl_cdest){ .id = 2, .ipver = 6, .has_src = true,
				   .set_mask = DFC_NL_CDEST_SET_ADDR | DFC_NL_CDEST_SET_SRC };
	ip(c.addr, "2001:db8::2");
	ip(c.src, "2001:db8::1");
	ASSERT_EQ(0, dfc_nl_cdest_set(self->nl, &c));
	EXPECT_EQ(3, req_n_attrs(log.req));
	EXPECT_EQ(16, mnl_attr_get_payload_len(req_attr(log.req, DFC_CDEST_A_ADDR)));
	EXPECT_EQ(16, mnl_attr_get_payload_len(req_attr(log.req, DFC_CDEST_A_SRC)));

	/* nothing to set, or a source to remove: refused without asking */
	fake.n_req = 0;
	c.set_mask = 0;
	EXPECT_EQ(-EINVAL, dfc_nl_cdest_set(self->nl, &c));
	EXPECT_STRNE("", dfc_nl_extack(self->nl));
	c.set_mask = DFC_NL_CDEST_SET_SRC;
	c.has_src = false;
	EXPECT_EQ(-EINVAL, dfc_nl_cdest_set(self->nl, &c));
	c.set_mask = DFC_NL_CDEST_SET_ALL << 1;
	EXPECT_EQ(-EINVAL, dfc_nl_cdest_set(self->nl, &c));
	EXPECT_EQ(0, fake.n_req);
	free(log.req);
}

TEST_F(fk, cdest_del)
{
	struct req_log log = { 0 };
	const struct nlattr *a;

	fake.ctx = &log;
	FAKE_OPEN(kernel_ack);
	ASSERT_EQ(0, dfc_nl_cdest_del(self->nl, 0x80000000, false));
	EXPECT_EQ(DFC_CMD_CDEST_DEL, req_cmd(log.req));
	EXPECT_EQ(0x80000000, mnl_attr_get_u32(req_attr(log.req, DFC_CDEST_A_ID)));
	EXPECT_EQ(NULL, req_attr(log.req, DFC_CDEST_A_FORCE));
	ASSERT_EQ(0, dfc_nl_cdest_del(self->nl, 3, true));
	a = req_attr(log.req, DFC_CDEST_A_FORCE);
	ASSERT_NE(NULL, a);
	EXPECT_EQ(0, mnl_attr_get_payload_len(a));
	EXPECT_EQ(2, req_n_attrs(log.req));
	free(log.req);
}

TEST_F(fk, cdest_get)
{
	alignas(8) static char buf[4096];
	struct req_log log = { .msg = cdest_reply(buf, 77, true, true) };
	struct dfc_nl_cdest d;

	fake.ctx = &log;
	FAKE_OPEN(kernel_get);
	memset(&d, 0xa5, sizeof(d));
	ASSERT_EQ(0, dfc_nl_cdest_get(self->nl, 77, &d));
	EXPECT_EQ(DFC_CMD_CDEST_GET, req_cmd(log.req));
	EXPECT_FALSE(log.req->nlmsg_flags & NLM_F_DUMP);
	EXPECT_EQ(77, mnl_attr_get_u32(req_attr(log.req, DFC_CDEST_A_ID)));
	EXPECT_EQ(77, d.id);
	EXPECT_STREQ("collector-6", d.name);
	EXPECT_EQ(cstat_val(DFC_CSTATS_A_NOIPSEC), d.stats.noipsec);
	EXPECT_EQ(12, d.crits);

	log.reply = 1; /* ACK without the reply */
	EXPECT_EQ(-EPROTO, dfc_nl_cdest_get(self->nl, 77, &d));
	log.reply = -ENOENT;
	EXPECT_EQ(-ENOENT, dfc_nl_cdest_get(self->nl, 77, &d));
	/* a broken reply */
	log.reply = 0;
	log.msg = genl_reply(buf, DFC_CMD_CDEST_GET);
	mnl_attr_put_u32((struct nlmsghdr *)log.msg, DFC_CDEST_A_ID, 77);
	EXPECT_EQ(-EINVAL, dfc_nl_cdest_get(self->nl, 77, &d));
	free(log.req);
}

struct cdest_dump_log {
	unsigned int attempts, n_intr; /* the first n_intr attempts are flagged */
	unsigned int n;		/* destinations per dump */
	bool bad;
	uint32_t seen[16];
	unsigned int n_seen;
	uint32_t stop_at;	/* the callback returns 5 on this id */
};

static void kernel_cdest_dump(struct fake *f, const struct nlmsghdr *req, uint32_t portid)
{
	struct cdest_dump_log *log = f->ctx;
	uint16_t intr = log->attempts++ < log->n_intr ? NLM_F_DUMP_INTR : 0;

	if (req_cmd(req) != DFC_CMD_CDEST_GET || (req->nlmsg_flags & NLM_F_DUMP) != NLM_F_DUMP ||
	    req_n_attrs(req))
		log->bad = true;
	for (unsigned int i = 0; i < log->n; i++) {
		alignas(8) char buf[1024] = { 0 };
		const struct nlmsghdr *r = cdest_reply(buf, 10 + i + 100 * log->attempts, i % 2,
						       true);
		struct nlmsghdr *nlh;

		if (i % 3 == 0)
			fake_dgram(f);
		nlh = fake_msg(f, req, portid, FAKE_FAMILY, NLM_F_MULTI | intr);
		memcpy((char *)nlh + MNL_NLMSG_HDRLEN, (const char *)r + MNL_NLMSG_HDRLEN,
		       r->nlmsg_len - MNL_NLMSG_HDRLEN);
		nlh->nlmsg_len = r->nlmsg_len;
		fake_end(f, nlh);
	}
	fake_dgram(f);
	fake_done(f, req, portid, intr);
}

static int cdest_dump_cb(const struct dfc_nl_cdest *d, void *data)
{
	struct cdest_dump_log *log = data;

	if (log->n_seen < 16)
		log->seen[log->n_seen++] = d->id;
	return d->id == log->stop_at ? 5 : 0;
}

TEST_F(fk, cdest_dump)
{
	struct cdest_dump_log log = { .n = 7 };

	fake.ctx = &log;
	FAKE_OPEN(kernel_cdest_dump);
	ASSERT_EQ(0, dfc_nl_cdest_dump(self->nl, cdest_dump_cb, &log));
	EXPECT_FALSE(log.bad);
	ASSERT_EQ(7, log.n_seen);
	for (unsigned int i = 0; i < 7; i++)
		EXPECT_EQ(110 + i, log.seen[i]);

	/* the set changed under the dump: only the consistent retry is seen */
	log = (struct cdest_dump_log){ .n = 4, .n_intr = 1 };
	ASSERT_EQ(0, dfc_nl_cdest_dump(self->nl, cdest_dump_cb, &log));
	EXPECT_EQ(2, log.attempts);
	ASSERT_EQ(4, log.n_seen);
	EXPECT_EQ(210, log.seen[0]);

	/* the callback stops the walk: its value comes back */
	log = (struct cdest_dump_log){ .n = 6, .stop_at = 112 };
	EXPECT_EQ(5, dfc_nl_cdest_dump(self->nl, cdest_dump_cb, &log));
	EXPECT_EQ(3, log.n_seen);
	EXPECT_EQ(fake.head, fake.tail);

	/* none */
	log = (struct cdest_dump_log){ .n = 0 };
	ASSERT_EQ(0, dfc_nl_cdest_dump(self->nl, cdest_dump_cb, &log));
	EXPECT_EQ(0, log.n_seen);
}

TEST_F(fk, owner_and_copy_limits)
{
	struct dfc_nl_limits l = { .max_crits = 7, .max_masks = 8, .max_dup = 9, .dup_period = 10 };
	struct req_log log = { 0 };

	fake.ctx = &log;
	FAKE_OPEN(kernel_ack);
	ASSERT_EQ(0, dfc_nl_owner_set(self->nl, 0xfffffff0, 4));
	EXPECT_EQ(DFC_CMD_OWNER_SET, req_cmd(log.req));
	EXPECT_EQ(0xfffffff0, mnl_attr_get_u32(req_attr(log.req, DFC_A_OWNER)));
	EXPECT_EQ(4, mnl_attr_get_u32(req_attr(log.req, DFC_A_MAX_DUP)));
	/* 0: back to the namespace's, sent as such */
	ASSERT_EQ(0, dfc_nl_owner_set(self->nl, 1, 0));
	ASSERT_NE(NULL, req_attr(log.req, DFC_A_MAX_DUP));
	EXPECT_EQ(0, mnl_attr_get_u32(req_attr(log.req, DFC_A_MAX_DUP)));

	ASSERT_EQ(0, dfc_nl_dup_set(self->nl, 3, 0));
	EXPECT_EQ(DFC_CMD_LIMITS_SET, req_cmd(log.req));
	EXPECT_EQ(1, req_n_attrs(log.req));
	EXPECT_EQ(3, mnl_attr_get_u32(req_attr(log.req, DFC_STATS_A_MAX_DUP)));
	ASSERT_EQ(0, dfc_nl_dup_set(self->nl, 0, 60));
	EXPECT_EQ(1, req_n_attrs(log.req));
	EXPECT_EQ(60, mnl_attr_get_u32(req_attr(log.req, DFC_STATS_A_DUP_PERIOD)));

	/* all four in one request */
	ASSERT_EQ(0, dfc_nl_limits_update(self->nl, &l));
	EXPECT_EQ(4, req_n_attrs(log.req));
	EXPECT_EQ(7, mnl_attr_get_u32(req_attr(log.req, DFC_STATS_A_MAX_CRITS)));
	EXPECT_EQ(8, mnl_attr_get_u32(req_attr(log.req, DFC_STATS_A_MAX_MASKS)));
	EXPECT_EQ(9, mnl_attr_get_u32(req_attr(log.req, DFC_STATS_A_MAX_DUP)));
	EXPECT_EQ(10, mnl_attr_get_u32(req_attr(log.req, DFC_STATS_A_DUP_PERIOD)));
	/* the old call sends what it always did */
	ASSERT_EQ(0, dfc_nl_limits_set(self->nl, 5, 0));
	EXPECT_EQ(1, req_n_attrs(log.req));
	EXPECT_EQ(5, mnl_attr_get_u32(req_attr(log.req, DFC_STATS_A_MAX_CRITS)));

	fake.n_req = 0;
	EXPECT_EQ(-EINVAL, dfc_nl_dup_set(self->nl, 0, 0));
	l = (struct dfc_nl_limits){ 0 };
	EXPECT_EQ(-EINVAL, dfc_nl_limits_update(self->nl, &l));
	EXPECT_EQ(0, fake.n_req);
	free(log.req);
}

/* Every kind, as they come in one datagram. */
struct ev_kinds {
	uint8_t cmds[8];
	unsigned int n;
	bool bad;
};

static int ev_kinds_cb(const struct dfc_nl_event *e, void *data)
{
	struct ev_kinds *k = data;

	if (k->n < 8)
		k->cmds[k->n++] = e->cmd;
	switch (e->cmd) {
	case DFC_CMD_CRIT_EXPIRED:
		k->bad |= e->expired.n != 1 || e->expired.v[0].id != 99 || e->expired.owner != 0xabcdef01;
		break;
	case DFC_CMD_CDEST_CONGESTED:
		k->bad |= e->cdest.id != 4 || e->cdest.congested != 1 || e->cdest.rate != 123;
		break;
	case DFC_CMD_CDEST_NOIPSEC:
		k->bad |= e->cdest.id != 6;
		break;
	case DFC_CMD_CDEST_PURGED:
		k->bad |= e->purged.owner != 3 || e->purged.cdest != 4 || e->purged.n_ids != 2 ||
			  e->purged.ids[0] != 50 || e->purged.ids[1] != 51;
		break;
	case DFC_CMD_DUP_DROPPED:
		k->bad |= e->dup.owner != 3 || e->dup.n != 2 || e->dup.v[1].id != 8 ||
			  e->dup.v[1].cdest != 11 || e->dup.v[1].dropped != 200;
		break;
	default:
		k->bad = true;
	}
	return 0;
}

/* Copy the message nlh to the end of the fake's last datagram, as a multicast. */
static void fake_copy(struct fake *f, const struct nlmsghdr *m)
{
	struct nlmsghdr *nlh = fake_msg(f, NULL, 0, FAKE_FAMILY, 0);

	memcpy((char *)nlh + MNL_NLMSG_HDRLEN, (const char *)m + MNL_NLMSG_HDRLEN,
	       m->nlmsg_len - MNL_NLMSG_HDRLEN);
	nlh->nlmsg_len = m->nlmsg_len;
	fake_end(f, nlh);
}

TEST_F(fk, events_every_kind)
{
	alignas(8) static char buf[4096];
	struct ev_kinds k = { 0 };
	struct dfc_nl_events *ev;

	fake.kernel = fake_nop;
	ev = dfc_nl_events_open();
	ASSERT_NE(NULL, ev) TH_LOG("events_open: %s", strerror(errno));
	fake.n_req = 0;

	fake_dgram(&fake);
	fake_copy(&fake, cdest_event(buf, DFC_CMD_CDEST_CONGESTED, 4, 1, 123));
	fake_copy(&fake, purged_event(buf, 3, 4, 50, 2));
	fake_copy(&fake, dup_event(buf, 3, 7, 2));
	fake_copy(&fake, cdest_event(buf, DFC_CMD_CDEST_NOIPSEC, 6, 0, 0));
	fake_copy(&fake, expired_event(buf, DFC_CMD_CRIT_EXPIRED));
	/* not an event: skipped */
	fake_copy(&fake, cdest_reply(buf, 1, false, true));
	EXPECT_EQ(5, dfc_nl_events_recv(ev, ev_kinds_cb, &k));
	EXPECT_FALSE(k.bad);
	ASSERT_EQ(5, k.n);
	EXPECT_EQ(DFC_CMD_CDEST_CONGESTED, k.cmds[0]);
	EXPECT_EQ(DFC_CMD_CDEST_PURGED, k.cmds[1]);
	EXPECT_EQ(DFC_CMD_DUP_DROPPED, k.cmds[2]);
	EXPECT_EQ(DFC_CMD_CDEST_NOIPSEC, k.cmds[3]);
	EXPECT_EQ(DFC_CMD_CRIT_EXPIRED, k.cmds[4]);

	/* a malformed event fails the datagram, after those before it */
	k = (struct ev_kinds){ 0 };
	fake_dgram(&fake);
	fake_copy(&fake, cdest_event(buf, DFC_CMD_CDEST_CONGESTED, 4, 1, 123));
	{
		struct nlmsghdr *nlh = genl_reply(buf, DFC_CMD_CDEST_PURGED);

		mnl_attr_put_u32(nlh, DFC_A_OWNER, 3);
		fake_copy(&fake, nlh);
	}
	EXPECT_EQ(-EINVAL, dfc_nl_events_recv(ev, ev_kinds_cb, &k));
	EXPECT_EQ(1, k.n);
	EXPECT_EQ(0, fake.n_req);
	dfc_nl_events_close(ev);
}

/*
 * A message claiming 2 GiB or more, ours or not, ends the walk of its
 * datagram: the events before it are delivered, nothing past it is read.
 */
TEST_F(fk, events_huge_len)
{
	alignas(8) static char buf[4096];
	struct ev_kinds k;
	struct dfc_nl_events *ev;

	fake.kernel = fake_nop;
	ev = dfc_nl_events_open();
	ASSERT_NE(NULL, ev) TH_LOG("events_open: %s", strerror(errno));
	for (int ours = 0; ours < 2; ours++) {
		struct nlmsghdr *nlh;

		fake_dgram(&fake);
		fake_copy(&fake, cdest_event(buf, DFC_CMD_CDEST_CONGESTED, 4, 1, 123));
		nlh = fake_genl(&fake, NULL, 0, ours ? FAKE_FAMILY : GENL_ID_CTRL,
				DFC_CMD_CRIT_EXPIRED, 0);
		mnl_attr_put_u32(nlh, DFC_A_OWNER, 1);
		fake_end(&fake, nlh);
		nlh->nlmsg_len = 0xfffff000u;	/* (int)-4096: the next would be 4 GiB on */
		fake_copy(&fake, cdest_event(buf, DFC_CMD_CDEST_NOIPSEC, 6, 0, 0));
		k = (struct ev_kinds){ 0 };
		EXPECT_EQ(1, dfc_nl_events_recv(ev, ev_kinds_cb, &k)) TH_LOG("ours %d", ours);
		EXPECT_FALSE(k.bad);
		EXPECT_EQ(DFC_CMD_CDEST_CONGESTED, k.cmds[0]);
	}
	dfc_nl_events_close(ev);
}

/* ---- the real socket: a full batch is accepted ---- */

/*
 * The library's room is what the socket really sends: a first message
 * filled to within one (small) criterion of DFC_NL_MSG_MAX, with two of
 * the largest criteria in it, reaches the kernel.
 */
TEST(crit_add_full_message_sent)
{
	enum { N = 64, FILL = 8 };
	struct dfc_nl_entry *ent = calloc(DFC_CRIT_MAX_ENTRIES + 1, sizeof(*ent));
	struct dfc_nl_entry *exc = calloc(DFC_CRIT_MAX_EXCL + 1, sizeof(*exc));
	static char blob[DFC_CRIT_BLOB_MAX];
	char *buf = calloc(1, DFC_NL_MSG_MAX);
	struct dfc_nl_crit v[N];
	unsigned int done = 99, k;
	struct nlmsghdr *nlh;
	uint32_t fill_len, base;
	struct dfc_nl *nl;

	ASSERT_NE(NULL, ent);
	ASSERT_NE(NULL, exc);
	ASSERT_NE(NULL, buf);
	OPEN_CTRL(nl);
	EXPECT_EQ(DFC_NL_MSG_MAX, dfc_nl_msg_room(nl)) TH_LOG("wmem_max too small here?");
	/* two of the largest, then criteria of FILL of the largest entries */
	for (unsigned int i = 0; i < N; i++) {
		v[i] = max_crit(ent, exc, blob);
		v[i].id = i;
		if (i >= 2) {
			v[i].n_entries = FILL;
			v[i].n_excl = 0;
			v[i].blob_len = 0;
		}
	}
	/* what the first message should be: as full as it gets */
	nlh = crit_msg(buf, 1);
	ASSERT_EQ(0, dfc_nl_crit_pack(nlh, dfc_nl_msg_room(nl), v, N, &k));
	ASSERT_GT(N, k);	/* there is more than one message's worth */
	EXPECT_LE(3, k);
	fill_len = nlh->nlmsg_len;
	/* within one of the small ones of the room: the next did not fit */
	nlh = crit_msg(buf, 1);
	base = nlh->nlmsg_len;
	ASSERT_EQ(0, dfc_nl_crit_put(nlh, DFC_NL_MSG_MAX, &v[N - 1]));
	EXPECT_LT(dfc_nl_msg_room(nl), fill_len + (nlh->nlmsg_len - base));
	/*
	 * nlctrl has no command DFC_CMD_CRIT_NEW: EOPNOTSUPP proves the kernel
	 * got the message (the socket would refuse one over its send buffer
	 * with EMSGSIZE before that).
	 */
	sent_len = 0;
	EXPECT_EQ(-EOPNOTSUPP, dfc_nl_crit_add(nl, 1, v, N, &done));
	EXPECT_EQ(0, done);
	EXPECT_EQ(fill_len, sent_len);
	TH_LOG("%u criteria in a first message of %zu bytes", k, sent_len);
	dfc_nl_close(nl);
	free(buf);
	free(exc);
	free(ent);
}

TEST_HARNESS_MAIN
