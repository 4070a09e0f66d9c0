// SPDX-License-Identifier: GPL-2.0
/*
 * Host-tier unit tests of lib/dfc_nl*.c: the event parser (expiries,
 * destination events) and the event socket against the fake kernel
 * (unit_nl_fake.h).
 */
#include "unit_nl_fake.h"

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

/* ---- events, against the fake kernel ---- */

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

TEST_HARNESS_MAIN
