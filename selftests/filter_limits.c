// SPDX-License-Identifier: GPL-2.0
/*
 * Criteria limits against the real module, in the guest: packet and byte
 * limits, timeouts, refresh, and the events that report expiry.
 */
#include "filter_lib.h"

TEST_F(filter, packet_limit_is_exact)
{
	struct mnl_socket *ev = events_open(self->nl);
	struct crit_info ci;

	ASSERT_NE(NULL, ev);
	ASSERT_EQ(0, add_crit(self->nl, 5, 42, "192.0.2.2", 32, DFC_CRIT_F_SEND_ASYNC,
			      DFC_CRIT_A_LIMIT_PACKETS, 3));
	ASSERT_EQ(0, inject(10, "ipv4", 100, "-D 192.0.2.2"));
	ASSERT_EQ(0, event_wait(ev, 4000, &ci));
	EXPECT_EQ(5, ci.owner);
	EXPECT_EQ(42, ci.id);
	EXPECT_EQ(DFC_REASON_PACKETS, ci.reason);
	EXPECT_EQ(3, ci.packets);
	EXPECT_EQ(300, ci.bytes);
	EXPECT_EQ(-ENOENT, get_crit(self->nl, 5, 42, &ci));
	mnl_socket_close(ev);
}

TEST_F(filter, byte_limit)
{
	struct mnl_socket *ev = events_open(self->nl);
	struct crit_info ci;

	ASSERT_NE(NULL, ev);
	ASSERT_EQ(0, add_crit(self->nl, 5, 43, "192.0.2.2", 32, 0, DFC_CRIT_A_LIMIT_BYTES, 250));
	ASSERT_EQ(0, inject(10, "ipv4", 100, "-D 192.0.2.2"));
	ASSERT_EQ(0, event_wait(ev, 4000, &ci));
	EXPECT_EQ(DFC_REASON_BYTES, ci.reason);
	/* Frames match while fewer than 250 bytes were counted. */
	EXPECT_EQ(3, ci.packets);
	EXPECT_EQ(300, ci.bytes);
	mnl_socket_close(ev);
}

/* Seconds scaled by DFC_SLOW: what a slow kernel takes to start inject must not idle id 2 out. */
TEST_F_TIMEOUT(filter, total_and_idle_timeouts, 60)
{
	struct mnl_socket *ev = events_open(self->nl);
	const int k = dfc_slow();
	struct crit_info ci;
	time_t t0 = time(NULL);

	ASSERT_NE(NULL, ev);
	ASSERT_EQ(0, add_crit(self->nl, 1, 1, "192.0.2.2", 32, 0, DFC_CRIT_A_TIMEOUT_TOTAL, 2 * k));
	/* Idle 5 s: room for a loaded host to start the second inject late. */
	ASSERT_EQ(0, add_crit(self->nl, 1, 2, "192.0.2.0", 24, 0, DFC_CRIT_A_TIMEOUT_IDLE, 5 * k));
	ASSERT_EQ(0, add_crit(self->nl, 1, 3, "192.0.2.0", 24, DFC_CRIT_F_STATIC,
			      DFC_CRIT_A_TIMEOUT_TOTAL, 1));
	/* Traffic keeps id 2 alive past its idle time; id 1 ages out anyway. */
	ASSERT_EQ(0, inject(1, "ipv4", 100, "-D 192.0.2.7"));
	sleep(2 * k);
	ASSERT_EQ(0, inject(1, "ipv4", 100, "-D 192.0.2.7"));
	ASSERT_EQ(0, event_wait(ev, 6000 * k, &ci));
	EXPECT_EQ(1, ci.id);
	EXPECT_EQ(DFC_REASON_TOTAL, ci.reason);
	EXPECT_LE(2 * k, time(NULL) - t0);
	ASSERT_EQ(0, event_wait(ev, 10000 * k, &ci));
	EXPECT_EQ(2, ci.id);
	EXPECT_EQ(DFC_REASON_IDLE, ci.reason);
	EXPECT_EQ(2, ci.packets);
	/* Seconds are whole: idle 5 s after a frame at 2 s is 6 s at least. */
	EXPECT_LE(6 * k, time(NULL) - t0);
	/* Static ignores its timeout. */
	EXPECT_EQ(0, get_crit(self->nl, 1, 3, &ci));
	mnl_socket_close(ev);
}

TEST_F_TIMEOUT(filter, refresh_replaces_the_named_kinds, 60)
{
	struct nlmsghdr *nlh;
	struct nlattr *c;
	struct crit_info ci;

	ASSERT_EQ(0, add_crit(self->nl, 1, 1, "192.0.2.2", 32, 0, DFC_CRIT_A_LIMIT_PACKETS, 2));
	ASSERT_EQ(0, inject(1, "ipv4", 100, "-D 192.0.2.2"));
	nlh = new_msg(self->nl, DFC_CMD_CRIT_REFRESH, 1);
	c = crit_begin(nlh, 1);
	mnl_attr_put_u64(nlh, DFC_CRIT_A_LIMIT_PACKETS, 5);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_TIMEOUT_TOTAL, 600);
	mnl_attr_nest_end(nlh, c);
	ASSERT_EQ(0, dfc_nl_request(self->nl, nlh, NULL, NULL));
	ASSERT_EQ(0, get_crit(self->nl, 1, 1, &ci));
	EXPECT_EQ(1, ci.n_refresh);
	EXPECT_EQ(5, ci.limit_packets);	/* left */
	EXPECT_LE(599, ci.timeout_total);
	ASSERT_EQ(0, inject(9, "ipv4", 100, "-D 192.0.2.2"));
	sleep(2);
	EXPECT_EQ(-ENOENT, get_crit(self->nl, 1, 1, &ci));

	/* Refresh of what is not there, or of something else than limits. */
	nlh = new_msg(self->nl, DFC_CMD_CRIT_REFRESH, 1);
	c = crit_begin(nlh, 99);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_TIMEOUT_TOTAL, 5);
	mnl_attr_nest_end(nlh, c);
	EXPECT_EQ(-ENOENT, dfc_nl_request(self->nl, nlh, NULL, NULL));
	ASSERT_EQ(0, add_crit(self->nl, 1, 2, "192.0.2.2", 32, DFC_CRIT_F_STATIC, 0, 0));
	nlh = new_msg(self->nl, DFC_CMD_CRIT_REFRESH, 1);
	c = crit_begin(nlh, 2);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_PRIO, 5);
	mnl_attr_nest_end(nlh, c);
	EXPECT_EQ(-EINVAL, dfc_nl_request(self->nl, nlh, NULL, NULL));
	EXPECT_STREQ("refresh changes only timeouts and limits", dfc_nl_extack(self->nl));
}

/* Limits of 2^63 and more are limits, counted exactly, never negative. */
TEST_F_TIMEOUT(filter, limits_up_to_2_64_minus_1, 60)
{
	struct nlmsghdr *nlh;
	struct crit_info ci;
	struct nlattr *c;

	ASSERT_EQ(0, add_crit(self->nl, 1, 1, "192.0.2.2", 32, 0, DFC_CRIT_A_LIMIT_PACKETS,
			      UINT64_MAX));
	ASSERT_EQ(0, add_crit(self->nl, 1, 2, "192.0.2.2", 32, 0, DFC_CRIT_A_LIMIT_BYTES,
			      UINT64_MAX));
	ASSERT_EQ(0, add_crit(self->nl, 1, 3, "192.0.2.2", 32, 0, DFC_CRIT_A_LIMIT_PACKETS,
			      1ULL << 63));
	ASSERT_EQ(0, inject(5, "ipv4", 100, "-D 192.0.2.2"));
	/* Past two ticks of the expiry worker. */
	sleep(3);
	for (uint64_t id = 1; id <= 3; id++) {
		ASSERT_EQ(0, get_crit(self->nl, 1, id, &ci)) TH_LOG("id %lu expired", (unsigned long)id);
		EXPECT_EQ(5, ci.packets) TH_LOG("id %lu", (unsigned long)id);
		EXPECT_EQ(500, ci.bytes) TH_LOG("id %lu", (unsigned long)id);
	}
	ASSERT_EQ(0, get_crit(self->nl, 1, 1, &ci));
	EXPECT_EQ(UINT64_MAX - 5, ci.limit_packets);
	ASSERT_EQ(0, get_crit(self->nl, 1, 3, &ci));
	EXPECT_EQ((1ULL << 63) - 5, ci.limit_packets);

	/* Refresh adds to the current count, saturating at 2^64 - 1. */
	nlh = new_msg(self->nl, DFC_CMD_CRIT_REFRESH, 1);
	c = crit_begin(nlh, 3);
	mnl_attr_put_u64(nlh, DFC_CRIT_A_LIMIT_PACKETS, UINT64_MAX);
	mnl_attr_nest_end(nlh, c);
	ASSERT_EQ(0, dfc_nl_request(self->nl, nlh, NULL, NULL));
	ASSERT_EQ(0, inject(2, "ipv4", 100, "-D 192.0.2.2"));
	sleep(2);
	ASSERT_EQ(0, get_crit(self->nl, 1, 3, &ci));
	EXPECT_EQ(7, ci.packets);
	EXPECT_EQ(UINT64_MAX - 7, ci.limit_packets);
	EXPECT_EQ(1, ci.n_refresh);
}

/* Refreshing a static criterion would change nothing: refused. */
TEST_F(filter, refresh_static_refused)
{
	struct nlmsghdr *nlh;
	struct crit_info ci;
	struct nlattr *c;

	ASSERT_EQ(0, add_crit(self->nl, 1, 1, "192.0.2.2", 32, DFC_CRIT_F_STATIC, 0, 0));
	nlh = new_msg(self->nl, DFC_CMD_CRIT_REFRESH, 1);
	c = crit_begin(nlh, 1);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_TIMEOUT_TOTAL, 60);
	mnl_attr_nest_end(nlh, c);
	EXPECT_EQ(-EINVAL, dfc_nl_request(self->nl, nlh, NULL, NULL));
	EXPECT_NE(0, strlen(dfc_nl_extack(self->nl)));
	ASSERT_EQ(0, get_crit(self->nl, 1, 1, &ci));
	EXPECT_EQ(0, ci.n_refresh);
	EXPECT_EQ(0, ci.timeout_total);
	/* Positive control: the same refresh of a timed criterion works. */
	ASSERT_EQ(0, add_crit(self->nl, 1, 2, "192.0.2.2", 32, 0, DFC_CRIT_A_TIMEOUT_TOTAL, 30));
	nlh = new_msg(self->nl, DFC_CMD_CRIT_REFRESH, 1);
	c = crit_begin(nlh, 2);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_TIMEOUT_TOTAL, 60);
	mnl_attr_nest_end(nlh, c);
	EXPECT_EQ(0, dfc_nl_request(self->nl, nlh, NULL, NULL));
	ASSERT_EQ(0, get_crit(self->nl, 1, 2, &ci));
	EXPECT_EQ(1, ci.n_refresh);
}

#define MASS_A 3000
#define MASS_B 2000

/* What a listener heard of owners 10 and 20's criteria (ids 1..n) expiring. */
struct mass {
	uint8_t seen[2][MASS_A + 1];
	long msgs, crits, bad;
};

static int mass_cb(const struct dfc_nl_event *e, void *data)
{
	struct mass *m = data;
	int o;

	if (e->cmd != DFC_CMD_CRIT_EXPIRED)
		return 0;
	m->msgs++;
	o = e->expired.owner == 10 ? 0 : e->expired.owner == 20 ? 1 : -1;
	if (o < 0 || e->expired.n != e->expired.n_total || !e->expired.n) {
		m->bad++;
		return 0;
	}
	for (unsigned int i = 0; i < e->expired.n; i++) {
		uint64_t id = e->expired.v[i].id;

		if (!id || id > (o ? MASS_B : MASS_A) ||
		    e->expired.v[i].reason != DFC_REASON_TOTAL || m->seen[o][id]++)
			m->bad++;
		m->crits++;
	}
	return 0;
}

/* Everything waiting now; the first error (-ENOBUFS: some were lost). */
static int mass_read(struct mnl_socket *s, struct mass *m)
{
	struct pollfd p = { .fd = mnl_socket_get_fd(s), .events = POLLIN };
	static char buf[65536];

	while (poll(&p, 1, 0) == 1) {
		int n = (int)mnl_socket_recvfrom(s, buf, sizeof(buf));
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		struct dfc_nl_event e;

		if (n < 0)
			return -errno;
		for (; mnl_nlmsg_ok(nlh, n); nlh = mnl_nlmsg_next(nlh, &n))
			if (dfc_nl_event_parse(nlh, &e) || mass_cb(&e, m))
				m->bad++;
	}
	return 0;
}

/*
 * 5000 criteria of two owners reach their total timeout at about the same time.
 * A listener with the system's default receive buffer, reading only every
 * half second, hears of every one, once, in messages that each carry many
 * of one owner's criteria (one message per criterion overflowed such a
 * buffer after about 46). The control: the same expiry with a listener
 * whose buffer holds almost nothing is told that it lost events.
 */
TEST_F_TIMEOUT(filter, mass_expiry_coalesced, 240)
{
	const int k = dfc_slow();
	struct mass *m = calloc(1, sizeof(*m)), *c = calloc(1, sizeof(*c));
	struct mnl_socket *ev, *tiny;
	int sz = 0, err = 0, once = 1;
	socklen_t len = sizeof(sz);
	long t0;

	ASSERT_NE(NULL, m);
	ASSERT_NE(NULL, c);
	/* A plain socket: the buffer any listener gets (net.core.rmem_default). */
	ev = events_open(self->nl);
	ASSERT_NE(NULL, ev);
	ASSERT_EQ(0, getsockopt(mnl_socket_get_fd(ev), SOL_SOCKET, SO_RCVBUF, &sz, &len));
	TH_LOG("listener's receive buffer: %d bytes", sz);

	/* Long enough that none expires before all are in (the debug kernel is slow). */
	ASSERT_EQ(0, add_many_timed(self->nl, 10, 1, MASS_A, 3 * k));
	ASSERT_EQ(0, add_many_timed(self->nl, 20, 1, MASS_B, 3 * k));
	ASSERT_EQ(MASS_A + MASS_B, n_crits(self->nl));
	t0 = time(NULL);
	while (m->crits < MASS_A + MASS_B && time(NULL) - t0 < 60L * k) {
		usleep(500000);
		err = mass_read(ev, m);
		if (err)
			break;
	}
	TH_LOG("%ld criteria in %ld messages within %ld s", m->crits, m->msgs,
	       (long)(time(NULL) - t0));
	EXPECT_EQ(0, err) TH_LOG("%s", strerror(-err));
	EXPECT_EQ(MASS_A + MASS_B, m->crits);
	EXPECT_EQ(0, m->bad);
	for (int i = 1; i <= MASS_A; i++)
		once &= m->seen[0][i] == 1 && (i > MASS_B || m->seen[1][i] == 1);
	EXPECT_TRUE(once);
	/* Coalesced: dozens of criteria a message, not one. */
	EXPECT_GE((MASS_A + MASS_B) / 20, m->msgs);
	EXPECT_EQ(0, n_crits(self->nl));

	/* The control: a listener with a buffer of almost nothing. */
	tiny = events_open(self->nl);
	ASSERT_NE(NULL, tiny);
	sz = 1;		/* the kernel's minimum */
	ASSERT_EQ(0, setsockopt(mnl_socket_get_fd(tiny), SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz)));
	ASSERT_EQ(0, add_many_timed(self->nl, 10, 1, MASS_A, k));
	sleep(5 * k);
	err = mass_read(tiny, c);
	EXPECT_EQ(-ENOBUFS, err);
	EXPECT_GT(MASS_A, c->crits);
	mnl_socket_close(tiny);
	mnl_socket_close(ev);
	free(m);
	free(c);
}

DFC_HARNESS_MAIN
