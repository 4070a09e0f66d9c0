// SPDX-License-Identifier: GPL-2.0
/*
 * Host-tier unit tests of lib/dfc_nl*.c: the content destination encoder
 * and parser, and the destination, owner and copy-limit commands against
 * the fake kernel (unit_nl_fake.h).
 */
#include "unit_nl_fake.h"

/* ---- content destinations: encoder and parser ---- */

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
	EXPECT_EQ(0, d.noipsec);
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
	EXPECT_EQ(1, d.noipsec);
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
		EXPECT_EQ(0, d.noipsec);

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

	/* the copy mark: sent only when asked for, and then 0 too */
	EXPECT_EQ(NULL, req_attr(log.req, DFC_STATS_A_COPY_MARK));
	ASSERT_EQ(0, dfc_nl_copy_mark_set(self->nl, 0));
	EXPECT_EQ(DFC_CMD_LIMITS_SET, req_cmd(log.req));
	EXPECT_EQ(1, req_n_attrs(log.req));
	ASSERT_NE(NULL, req_attr(log.req, DFC_STATS_A_COPY_MARK));
	EXPECT_EQ(0, mnl_attr_get_u32(req_attr(log.req, DFC_STATS_A_COPY_MARK)));
	ASSERT_EQ(0, dfc_nl_copy_mark_set(self->nl, 0xfffffffe));
	EXPECT_EQ(0xfffffffe, mnl_attr_get_u32(req_attr(log.req, DFC_STATS_A_COPY_MARK)));
	l.set = DFC_NL_SET_COPY_MARK;
	l.copy_mark = 0x0dfc0001;
	ASSERT_EQ(0, dfc_nl_limits_update(self->nl, &l));
	EXPECT_EQ(5, req_n_attrs(log.req));
	EXPECT_EQ(0x0dfc0001, mnl_attr_get_u32(req_attr(log.req, DFC_STATS_A_COPY_MARK)));
	EXPECT_EQ(10, mnl_attr_get_u32(req_attr(log.req, DFC_STATS_A_DUP_PERIOD)));

	fake.n_req = 0;
	EXPECT_EQ(-EINVAL, dfc_nl_dup_set(self->nl, 0, 0));
	l = (struct dfc_nl_limits){ 0 };
	EXPECT_EQ(-EINVAL, dfc_nl_limits_update(self->nl, &l));
	/* settings where 0 is a value, without their bit, are not given */
	l = (struct dfc_nl_limits){ .frag_max = 5, .frag_timeout = 6, .frag_hold_max = 7,
				    .copy_mark = 8 };
	EXPECT_EQ(-EINVAL, dfc_nl_limits_update(self->nl, &l));
	EXPECT_EQ(0, fake.n_req);
	free(log.req);
}

/* Fragment settings: 0 is a value (off, never hold), sent when flagged. */
TEST_F(fk, frag_limits)
{
	struct dfc_nl_limits l = { .set = DFC_NL_SET_FRAG_MAX };
	struct req_log log = { 0 };

	fake.ctx = &log;
	FAKE_OPEN(kernel_ack);
	ASSERT_EQ(0, dfc_nl_limits_update(self->nl, &l));
	EXPECT_EQ(DFC_CMD_LIMITS_SET, req_cmd(log.req));
	EXPECT_EQ(1, req_n_attrs(log.req));
	ASSERT_NE(NULL, req_attr(log.req, DFC_STATS_A_FRAG_MAX));
	EXPECT_EQ(0, mnl_attr_get_u32(req_attr(log.req, DFC_STATS_A_FRAG_MAX)));

	l = (struct dfc_nl_limits){ .max_dup = 2, .frag_max = 100, .frag_timeout = 60,
				    .frag_hold_max = 0,
				    .set = DFC_NL_SET_FRAG_MAX | DFC_NL_SET_FRAG_TIMEOUT |
					   DFC_NL_SET_FRAG_HOLD_MAX };
	ASSERT_EQ(0, dfc_nl_limits_update(self->nl, &l));
	EXPECT_EQ(4, req_n_attrs(log.req));
	EXPECT_EQ(2, mnl_attr_get_u32(req_attr(log.req, DFC_STATS_A_MAX_DUP)));
	EXPECT_EQ(100, mnl_attr_get_u32(req_attr(log.req, DFC_STATS_A_FRAG_MAX)));
	EXPECT_EQ(60, mnl_attr_get_u32(req_attr(log.req, DFC_STATS_A_FRAG_TIMEOUT)));
	EXPECT_EQ(0, mnl_attr_get_u32(req_attr(log.req, DFC_STATS_A_FRAG_HOLD_MAX)));

	l = (struct dfc_nl_limits){ .frag_timeout = 9, .set = DFC_NL_SET_FRAG_TIMEOUT };
	ASSERT_EQ(0, dfc_nl_limits_update(self->nl, &l));
	EXPECT_EQ(1, req_n_attrs(log.req));
	EXPECT_EQ(9, mnl_attr_get_u32(req_attr(log.req, DFC_STATS_A_FRAG_TIMEOUT)));
	free(log.req);
}

TEST_HARNESS_MAIN
