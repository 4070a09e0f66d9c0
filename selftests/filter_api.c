// SPDX-License-Identifier: GPL-2.0
/*
 * Criteria against the real module, in the guest: the netlink API built
 * by hand with libmnl (independent of lib/'s encoder), and frames from the
 * injector through a veth pair into a monitored interface.
 *
 *   gen0 ---veth--- mon0 (dfc attached, consume), one namespace per test
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "guest_harness.h"
#include "dfc_nl.h"

struct crit_info {
	uint32_t owner;
	uint64_t id, packets, bytes, limit_packets;
	uint32_t flags, cdest, n_refresh, n_entries, timeout_total;
	uint8_t reason;
	int found;
};

static int dfc_load(void)
{
	const char *ko = getenv("DFC_KO");
	char cmd[512];

	if (!access("/sys/module/dfc", F_OK))
		return 0;
	snprintf(cmd, sizeof(cmd), "insmod %s", ko ? ko : "dfc.ko");
	return system(cmd);
}

/* inject N frames of KIND from gen0 to 192.0.2.2 (extra: more options). */
static int inject(int n, const char *kind, int len, const char *extra)
{
	const char *top = getenv("DFC_TOP");
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "%s/build/selftests/inject -i gen0 -n %d -k %s -l %d %s >/dev/null",
		 top ? top : ".", n, kind, len, extra ? extra : "");
	return system(cmd);
}

/* A criterion under construction: dfc_crit_begin ... entries ... end. */
static struct nlattr *crit_begin(struct nlmsghdr *nlh, uint64_t id)
{
	struct nlattr *c = mnl_attr_nest_start(nlh, DFC_A_CRIT);

	mnl_attr_put_u64(nlh, DFC_CRIT_A_ID, id);
	return c;
}

/* An entry (or exclusion) on one IPv4 destination prefix. */
static void entry_dst4(struct nlmsghdr *nlh, int type, const char *dst, uint8_t plen)
{
	struct nlattr *e = mnl_attr_nest_start(nlh, type);
	uint32_t a;

	inet_pton(AF_INET, dst, &a);
	mnl_attr_put_u8(nlh, DFC_ENTRY_A_IPVER, 4);
	mnl_attr_put(nlh, DFC_ENTRY_A_DST, 4, &a);
	mnl_attr_put_u8(nlh, DFC_ENTRY_A_DST_PLEN, plen);
	mnl_attr_nest_end(nlh, e);
}

static struct nlmsghdr *new_msg(struct dfc_nl *nl, uint8_t cmd, uint32_t owner)
{
	struct nlmsghdr *nlh = dfc_nl_msg_new(nl, cmd, 0);

	mnl_attr_put_u32(nlh, DFC_A_OWNER, owner);
	return nlh;
}

/* Add one static or limited criterion on dst/plen. */
static int add_crit(struct dfc_nl *nl, uint32_t owner, uint64_t id, const char *dst,
		    uint8_t plen, uint32_t flags, int limit_type, uint64_t limit)
{
	struct nlmsghdr *nlh = new_msg(nl, DFC_CMD_CRIT_NEW, owner);
	struct nlattr *c = crit_begin(nlh, id);

	if (flags)
		mnl_attr_put_u32(nlh, DFC_CRIT_A_FLAGS, flags);
	if (limit_type == DFC_CRIT_A_LIMIT_PACKETS || limit_type == DFC_CRIT_A_LIMIT_BYTES)
		mnl_attr_put_u64(nlh, limit_type, limit);
	else if (limit_type)
		mnl_attr_put_u32(nlh, limit_type, (uint32_t)limit);
	if (id % 3)
		mnl_attr_put_u32(nlh, DFC_CRIT_A_CDEST, (uint32_t)id % 3);
	entry_dst4(nlh, DFC_CRIT_A_ENTRY, dst, plen);
	mnl_attr_nest_end(nlh, c);
	return dfc_nl_request(nl, nlh, NULL, NULL);
}

static int crit_attr_cb(const struct nlattr *a, void *data)
{
	struct crit_info *ci = data;

	switch (mnl_attr_get_type(a)) {
	case DFC_CRIT_A_ID: ci->id = mnl_attr_get_u64(a); break;
	case DFC_CRIT_A_PACKETS: ci->packets = mnl_attr_get_u64(a); break;
	case DFC_CRIT_A_BYTES: ci->bytes = mnl_attr_get_u64(a); break;
	case DFC_CRIT_A_LIMIT_PACKETS: ci->limit_packets = mnl_attr_get_u64(a); break;
	case DFC_CRIT_A_FLAGS: ci->flags = mnl_attr_get_u32(a); break;
	case DFC_CRIT_A_CDEST: ci->cdest = mnl_attr_get_u32(a); break;
	case DFC_CRIT_A_N_REFRESH: ci->n_refresh = mnl_attr_get_u32(a); break;
	case DFC_CRIT_A_N_ENTRIES: ci->n_entries = mnl_attr_get_u32(a); break;
	case DFC_CRIT_A_TIMEOUT_TOTAL: ci->timeout_total = mnl_attr_get_u32(a); break;
	case DFC_CRIT_A_REASON: ci->reason = mnl_attr_get_u8(a); break;
	}
	return MNL_CB_OK;
}

static int top_attr_cb(const struct nlattr *a, void *data)
{
	struct crit_info *ci = data;

	if (mnl_attr_get_type(a) == DFC_A_OWNER)
		ci->owner = mnl_attr_get_u32(a);
	if (mnl_attr_get_type(a) == DFC_A_CRIT)
		mnl_attr_parse_nested(a, crit_attr_cb, ci);
	return MNL_CB_OK;
}

static int crit_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct crit_info *ci = data;

	memset(ci, 0, sizeof(*ci));
	mnl_attr_parse(nlh, GENL_HDRLEN, top_attr_cb, ci);
	ci->found = 1;
	return MNL_CB_OK;
}

static int get_crit(struct dfc_nl *nl, uint32_t owner, uint64_t id, struct crit_info *ci)
{
	struct nlmsghdr *nlh = new_msg(nl, DFC_CMD_CRIT_GET, owner);

	mnl_attr_put_u64(nlh, DFC_A_ID, id);
	memset(ci, 0, sizeof(*ci));
	return dfc_nl_request(nl, nlh, crit_msg_cb, ci);
}

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(*(int *)data)++;
	return MNL_CB_OK;
}

/* Criteria in a dump: all owners, or one. */
static int dump_count(struct dfc_nl *nl, int64_t owner, int terse)
{
	struct nlmsghdr *nlh = dfc_nl_msg_new(nl, DFC_CMD_CRIT_GET, NLM_F_DUMP);
	int n = 0, err;

	if (owner >= 0)
		mnl_attr_put_u32(nlh, DFC_A_OWNER, (uint32_t)owner);
	if (terse)
		mnl_attr_put(nlh, DFC_A_TERSE, 0, NULL);
	err = dfc_nl_request(nl, nlh, count_cb, &n);
	return err ?: n;
}

static int del_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(a) == DFC_A_COUNT)
			*(uint32_t *)data = mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

/* Delete: id (or -1), cdest (or -1), with the static flag or not. */
static int del(struct dfc_nl *nl, uint32_t owner, int64_t id, int64_t cdest, int statics,
	       uint32_t *count)
{
	struct nlmsghdr *nlh = new_msg(nl, DFC_CMD_CRIT_DEL, owner);

	if (id >= 0)
		mnl_attr_put_u64(nlh, DFC_A_ID, (uint64_t)id);
	if (cdest >= 0)
		mnl_attr_put_u32(nlh, DFC_A_CDEST, (uint32_t)cdest);
	if (statics)
		mnl_attr_put_u32(nlh, DFC_A_FLAGS, DFC_CRIT_F_STATIC);
	*count = UINT32_MAX;
	return dfc_nl_request(nl, nlh, del_cb, count);
}

/* A socket on the events group, and waiting for one expiry notice. */
static struct mnl_socket *events_open(struct dfc_nl *nl)
{
	struct mnl_socket *s = mnl_socket_open(NETLINK_GENERIC);
	int grp = (int)dfc_nl_mcast_group(nl, DFC_GENL_MCGRP_EVENTS);

	if (!s || mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) ||
	    mnl_socket_setsockopt(s, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)))
		return NULL;
	return s;
}

static int event_wait(struct mnl_socket *s, int ms, struct crit_info *ci)
{
	char buf[8192];
	struct pollfd p = { .fd = mnl_socket_get_fd(s), .events = POLLIN };
	const struct nlmsghdr *nlh;
	ssize_t n;

	if (poll(&p, 1, ms) != 1)
		return -ETIMEDOUT;
	n = mnl_socket_recvfrom(s, buf, sizeof(buf));
	if (n <= 0)
		return -EIO;
	nlh = (const struct nlmsghdr *)buf;
	if (((const struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd != DFC_CMD_CRIT_EXPIRED)
		return -EPROTO;
	crit_msg_cb(nlh, ci);
	return 0;
}

static int stat_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(a) == DFC_STATS_A_CRITS)
			*(uint32_t *)data = mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

static int matched_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(a) == DFC_STATS_A_MATCHED)
			*(uint64_t *)data = mnl_attr_get_u64(a);
	return MNL_CB_OK;
}

/* Frames that matched any criterion in the namespace so far. */
static int64_t n_matched(struct dfc_nl *nl)
{
	struct nlmsghdr *nlh = dfc_nl_msg_new(nl, DFC_CMD_STATS_GET, 0);
	uint64_t n = UINT64_MAX;
	int err = dfc_nl_request(nl, nlh, matched_cb, &n);

	return err ?: (int64_t)n;
}

/* A static criterion on one IPv4 destination, into an open NEW message. */
static void put_static(struct nlmsghdr *nlh, uint64_t id, const char *dst, uint8_t plen)
{
	struct nlattr *c = crit_begin(nlh, id);

	mnl_attr_put_u32(nlh, DFC_CRIT_A_FLAGS, DFC_CRIT_F_STATIC);
	entry_dst4(nlh, DFC_CRIT_A_ENTRY, dst, plen);
	mnl_attr_nest_end(nlh, c);
}

/* n static criteria ids [from, from + n) of owner on 10.x.y.z/32, batched. */
static int add_many(struct dfc_nl *nl, uint32_t owner, uint64_t from, int n)
{
	int added = 0;

	while (added < n) {
		struct nlmsghdr *nlh = new_msg(nl, DFC_CMD_CRIT_NEW, owner);
		int err;

		while (added < n && nlh->nlmsg_len + 128 < dfc_nl_msg_room(nl)) {
			uint64_t id = from + (uint64_t)added;
			struct nlattr *c = crit_begin(nlh, id);
			struct nlattr *e = mnl_attr_nest_start(nlh, DFC_CRIT_A_ENTRY);
			uint32_t a = htonl(0x0a000000u + (uint32_t)id);

			mnl_attr_put_u8(nlh, DFC_ENTRY_A_IPVER, 4);
			mnl_attr_put(nlh, DFC_ENTRY_A_DST, 4, &a);
			mnl_attr_nest_end(nlh, e);
			mnl_attr_put_u32(nlh, DFC_CRIT_A_FLAGS, DFC_CRIT_F_STATIC);
			mnl_attr_nest_end(nlh, c);
			added++;
		}
		err = dfc_nl_request(nl, nlh, NULL, NULL);
		if (err)
			return err;
	}
	return 0;
}

/* Delete id of owner and add it again at once (a new criterion, same id). */
static int readd(struct dfc_nl *nl, uint32_t owner, uint64_t id)
{
	uint32_t n;
	int err = del(nl, owner, (int64_t)id, -1, 1, &n);

	return err ?: add_many(nl, owner, id, 1);
}

static int n_crits(struct dfc_nl *nl)
{
	struct nlmsghdr *nlh = dfc_nl_msg_new(nl, DFC_CMD_STATS_GET, 0);
	uint32_t n = UINT32_MAX;
	int err = dfc_nl_request(nl, nlh, stat_cb, &n);

	return err ?: (int)n;
}

/* A content destination with no route: copies to it count as dropped. */
static int add_cdest(struct dfc_nl *nl, uint32_t id)
{
	struct nlmsghdr *nlh = dfc_nl_msg_new(nl, DFC_CMD_CDEST_NEW, 0);
	uint32_t a = htonl(0xc6336400u + id);	/* 198.51.100.id */

	mnl_attr_put_u32(nlh, DFC_CDEST_A_ID, id);
	mnl_attr_put(nlh, DFC_CDEST_A_ADDR, 4, &a);
	return dfc_nl_request(nl, nlh, NULL, NULL);
}

FIXTURE(filter) {
	struct dfc_nl *nl;
};

FIXTURE_SETUP(filter)
{
	ASSERT_EQ(0, dfc_load());
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, system("ip link add gen0 type veth peer name mon0 && "
			    "ip link set gen0 up && ip link set mon0 up"));
	self->nl = dfc_nl_open();
	ASSERT_NE(NULL, self->nl);
	ASSERT_EQ(0, dfc_nl_iface_add(self->nl, 0, "mon0", 0));
	/* add_crit() points criteria at destination id % 3. */
	ASSERT_EQ(0, add_cdest(self->nl, 1));
	ASSERT_EQ(0, add_cdest(self->nl, 2));
}

FIXTURE_TEARDOWN(filter)
{
	dfc_nl_close(self->nl);
}

TEST_F(filter, add_get_dump_delete)
{
	struct crit_info ci;
	uint32_t n;

	ASSERT_EQ(0, add_crit(self->nl, 1, 10, "192.0.2.2", 32, DFC_CRIT_F_STATIC, 0, 0));
	ASSERT_EQ(0, get_crit(self->nl, 1, 10, &ci));
	EXPECT_EQ(1, ci.found);
	EXPECT_EQ(1, ci.owner);
	EXPECT_EQ(10, ci.id);
	EXPECT_EQ(DFC_CRIT_F_STATIC, ci.flags);
	EXPECT_EQ(1, ci.n_entries);
	EXPECT_EQ(1, dump_count(self->nl, -1, 0));
	EXPECT_EQ(1, dump_count(self->nl, -1, 1));
	EXPECT_EQ(-ENOENT, get_crit(self->nl, 2, 10, &ci));

	EXPECT_EQ(-EPERM, del(self->nl, 1, 10, -1, 0, &n));
	EXPECT_EQ(1, n_crits(self->nl));
	EXPECT_EQ(0, del(self->nl, 1, 10, -1, 1, &n));
	EXPECT_EQ(1, n);
	EXPECT_EQ(0, n_crits(self->nl));
	EXPECT_EQ(-ENOENT, del(self->nl, 1, 10, -1, 1, &n));
}

TEST_F(filter, counts_matching_frames)
{
	struct crit_info ci;

	ASSERT_EQ(0, add_crit(self->nl, 1, 1, "192.0.2.2", 32, DFC_CRIT_F_STATIC, 0, 0));
	ASSERT_EQ(0, add_crit(self->nl, 1, 2, "192.0.2.0", 24, DFC_CRIT_F_STATIC, 0, 0));
	ASSERT_EQ(0, add_crit(self->nl, 1, 3, "198.51.100.0", 24, DFC_CRIT_F_STATIC, 0, 0));
	ASSERT_EQ(0, inject(5, "ipv4", 100, "-D 192.0.2.2"));
	ASSERT_EQ(0, inject(4, "ipv4", 80, "-D 192.0.2.9"));
	ASSERT_EQ(0, inject(3, "ipv6", 100, NULL));
	ASSERT_EQ(0, inject(2, "arp", 60, NULL));
	ASSERT_EQ(0, get_crit(self->nl, 1, 1, &ci));
	EXPECT_EQ(5, ci.packets);
	EXPECT_EQ(500, ci.bytes);
	ASSERT_EQ(0, get_crit(self->nl, 1, 2, &ci));
	EXPECT_EQ(9, ci.packets);
	EXPECT_EQ(820, ci.bytes);
	ASSERT_EQ(0, get_crit(self->nl, 1, 3, &ci));
	EXPECT_EQ(0, ci.packets);
}

/* Every owner's matching criterion counts the frame. */
TEST_F(filter, all_match_across_owners)
{
	struct crit_info ci;

	ASSERT_EQ(0, add_crit(self->nl, 1, 7, "192.0.2.2", 32, DFC_CRIT_F_STATIC, 0, 0));
	ASSERT_EQ(0, add_crit(self->nl, 2, 7, "192.0.2.2", 32, DFC_CRIT_F_STATIC, 0, 0));
	ASSERT_EQ(0, add_crit(self->nl, 3, 7, "192.0.0.0", 16, DFC_CRIT_F_STATIC, 0, 0));
	ASSERT_EQ(0, inject(6, "ipv4", 64, "-D 192.0.2.2"));
	for (uint32_t o = 1; o <= 3; o++) {
		ASSERT_EQ(0, get_crit(self->nl, o, 7, &ci));
		EXPECT_EQ(6, ci.packets) TH_LOG("owner %u", o);
	}
	EXPECT_EQ(1, dump_count(self->nl, 2, 0));
	EXPECT_EQ(3, dump_count(self->nl, -1, 1));
}

TEST_F(filter, owners_are_isolated)
{
	uint32_t n;

	ASSERT_EQ(0, add_crit(self->nl, 1, 1, "192.0.2.1", 32, DFC_CRIT_F_STATIC, 0, 0));
	ASSERT_EQ(0, add_crit(self->nl, 1, 2, "192.0.2.2", 32, DFC_CRIT_F_STATIC, 0, 0));
	ASSERT_EQ(0, add_crit(self->nl, 2, 1, "192.0.2.1", 32, DFC_CRIT_F_STATIC, 0, 0));
	EXPECT_EQ(-ENOENT, del(self->nl, 3, 1, -1, 1, &n));
	/* Owner 1, all its criteria, static included. */
	ASSERT_EQ(0, del(self->nl, 1, -1, -1, 1, &n));
	EXPECT_EQ(2, n);
	EXPECT_EQ(1, dump_count(self->nl, 2, 0));
	EXPECT_EQ(0, dump_count(self->nl, 1, 0));
}

TEST_F(filter, delete_by_destination_and_static_rule)
{
	uint32_t n;

	/* add_crit sets cdest = id % 3. */
	for (int id = 1; id <= 6; id++)
		ASSERT_EQ(0, add_crit(self->nl, 1, id, "192.0.2.0", 24,
				      id == 4 ? DFC_CRIT_F_STATIC : 0,
				      DFC_CRIT_A_TIMEOUT_TOTAL, 600));
	/* cdest 1: ids 1 and 4; 4 is static and stays without the flag. */
	ASSERT_EQ(0, del(self->nl, 1, -1, 1, 0, &n));
	EXPECT_EQ(1, n);
	ASSERT_EQ(0, del(self->nl, 1, -1, 1, 1, &n));
	EXPECT_EQ(1, n);
	EXPECT_EQ(4, n_crits(self->nl));
}

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
	ASSERT_EQ(0, add_crit(self->nl, 1, 2, "192.0.2.0", 24, 0, DFC_CRIT_A_TIMEOUT_IDLE, 3 * k));
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
	ASSERT_EQ(0, event_wait(ev, 8000 * k, &ci));
	EXPECT_EQ(2, ci.id);
	EXPECT_EQ(DFC_REASON_IDLE, ci.reason);
	EXPECT_EQ(2, ci.packets);
	/* Seconds are whole: idle 3 s after a frame at 2 s is 4 s at least. */
	EXPECT_LE(4 * k, time(NULL) - t0);
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

TEST_F(filter, exclusions)
{
	struct nlmsghdr *nlh = new_msg(self->nl, DFC_CMD_CRIT_NEW, 1);
	struct nlattr *c = crit_begin(nlh, 1);
	struct crit_info ci;

	mnl_attr_put_u32(nlh, DFC_CRIT_A_FLAGS, DFC_CRIT_F_STATIC);
	entry_dst4(nlh, DFC_CRIT_A_ENTRY, "192.0.2.0", 24);
	entry_dst4(nlh, DFC_CRIT_A_EXCL, "192.0.2.2", 32);
	mnl_attr_nest_end(nlh, c);
	ASSERT_EQ(0, dfc_nl_request(self->nl, nlh, NULL, NULL));
	ASSERT_EQ(0, inject(4, "ipv4", 100, "-D 192.0.2.2"));
	ASSERT_EQ(0, inject(3, "ipv4", 100, "-D 192.0.2.3"));
	ASSERT_EQ(0, get_crit(self->nl, 1, 1, &ci));
	EXPECT_EQ(3, ci.packets);
}

/* Every rejection: the right errno, a message, and no change. */
TEST_F(filter, malformed_requests_change_nothing)
{
	struct nlmsghdr *nlh;
	struct nlattr *c, *e, *bad;

	/* No id. */
	nlh = new_msg(self->nl, DFC_CMD_CRIT_NEW, 1);
	c = mnl_attr_nest_start(nlh, DFC_A_CRIT);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_FLAGS, DFC_CRIT_F_STATIC);
	entry_dst4(nlh, DFC_CRIT_A_ENTRY, "192.0.2.0", 24);
	mnl_attr_nest_end(nlh, c);
	EXPECT_EQ(-EINVAL, dfc_nl_request(self->nl, nlh, NULL, NULL));
	EXPECT_EQ(DFC_CRIT_A_ID, dfc_nl_extack_miss_type(self->nl));

	/* No owner. */
	nlh = dfc_nl_msg_new(self->nl, DFC_CMD_CRIT_NEW, 0);
	c = crit_begin(nlh, 1);
	entry_dst4(nlh, DFC_CRIT_A_ENTRY, "192.0.2.0", 24);
	mnl_attr_nest_end(nlh, c);
	EXPECT_EQ(-EINVAL, dfc_nl_request(self->nl, nlh, NULL, NULL));
	EXPECT_EQ(DFC_A_OWNER, dfc_nl_extack_miss_type(self->nl));

	/* Neither timeout nor static. */
	nlh = new_msg(self->nl, DFC_CMD_CRIT_NEW, 1);
	c = crit_begin(nlh, 1);
	entry_dst4(nlh, DFC_CRIT_A_ENTRY, "192.0.2.0", 24);
	mnl_attr_nest_end(nlh, c);
	EXPECT_EQ(-EINVAL, dfc_nl_request(self->nl, nlh, NULL, NULL));
	EXPECT_STREQ("a timeout or limit is required unless static", dfc_nl_extack(self->nl));

	/* Overlapping entries. */
	nlh = new_msg(self->nl, DFC_CMD_CRIT_NEW, 1);
	c = crit_begin(nlh, 1);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_FLAGS, DFC_CRIT_F_STATIC);
	entry_dst4(nlh, DFC_CRIT_A_ENTRY, "192.0.2.0", 24);
	entry_dst4(nlh, DFC_CRIT_A_ENTRY, "192.0.2.128", 25);
	mnl_attr_nest_end(nlh, c);
	EXPECT_EQ(-EINVAL, dfc_nl_request(self->nl, nlh, NULL, NULL));
	EXPECT_STREQ("entries of a criterion overlap", dfc_nl_extack(self->nl));

	/* Host bits under the prefix: the offset names the address. */
	nlh = new_msg(self->nl, DFC_CMD_CRIT_NEW, 1);
	c = crit_begin(nlh, 1);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_FLAGS, DFC_CRIT_F_STATIC);
	e = mnl_attr_nest_start(nlh, DFC_CRIT_A_ENTRY);
	mnl_attr_put_u8(nlh, DFC_ENTRY_A_IPVER, 4);
	bad = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put(nlh, DFC_ENTRY_A_DST, 4, "\xc0\x00\x02\x05");
	mnl_attr_put_u8(nlh, DFC_ENTRY_A_DST_PLEN, 24);
	mnl_attr_nest_end(nlh, e);
	mnl_attr_nest_end(nlh, c);
	EXPECT_EQ(-EINVAL, dfc_nl_request(self->nl, nlh, NULL, NULL));
	EXPECT_EQ((uint32_t)((char *)bad - (char *)nlh), dfc_nl_extack_offset(self->nl));

	/* IPv6-sized address on an IPv4 entry. */
	nlh = new_msg(self->nl, DFC_CMD_CRIT_NEW, 1);
	c = crit_begin(nlh, 1);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_FLAGS, DFC_CRIT_F_STATIC);
	e = mnl_attr_nest_start(nlh, DFC_CRIT_A_ENTRY);
	mnl_attr_put_u8(nlh, DFC_ENTRY_A_IPVER, 4);
	bad = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put(nlh, DFC_ENTRY_A_SRC, 16, "0123456789abcdef");
	mnl_attr_nest_end(nlh, e);
	mnl_attr_nest_end(nlh, c);
	EXPECT_EQ(-EINVAL, dfc_nl_request(self->nl, nlh, NULL, NULL));
	EXPECT_EQ((uint32_t)((char *)bad - (char *)nlh), dfc_nl_extack_offset(self->nl));

	/* Port value outside its mask. */
	nlh = new_msg(self->nl, DFC_CMD_CRIT_NEW, 1);
	c = crit_begin(nlh, 1);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_FLAGS, DFC_CRIT_F_STATIC);
	e = mnl_attr_nest_start(nlh, DFC_CRIT_A_ENTRY);
	bad = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put_u16(nlh, DFC_ENTRY_A_DPORT, 81);
	mnl_attr_put_u16(nlh, DFC_ENTRY_A_DPORT_MASK, 0xfff0);
	mnl_attr_nest_end(nlh, e);
	mnl_attr_nest_end(nlh, c);
	EXPECT_EQ(-EINVAL, dfc_nl_request(self->nl, nlh, NULL, NULL));
	EXPECT_EQ((uint32_t)((char *)bad - (char *)nlh), dfc_nl_extack_offset(self->nl));

	/* Timeout beyond a day; counters are read-only. */
	nlh = new_msg(self->nl, DFC_CMD_CRIT_NEW, 1);
	c = crit_begin(nlh, 1);
	bad = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_TIMEOUT_TOTAL, 86401);
	entry_dst4(nlh, DFC_CRIT_A_ENTRY, "192.0.2.0", 24);
	mnl_attr_nest_end(nlh, c);
	EXPECT_EQ(-ERANGE, dfc_nl_request(self->nl, nlh, NULL, NULL));
	EXPECT_EQ((uint32_t)((char *)bad - (char *)nlh), dfc_nl_extack_offset(self->nl));
	nlh = new_msg(self->nl, DFC_CMD_CRIT_NEW, 1);
	c = crit_begin(nlh, 1);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_FLAGS, DFC_CRIT_F_STATIC);
	bad = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put_u64(nlh, DFC_CRIT_A_PACKETS, 5);
	entry_dst4(nlh, DFC_CRIT_A_ENTRY, "192.0.2.0", 24);
	mnl_attr_nest_end(nlh, c);
	EXPECT_EQ(-EINVAL, dfc_nl_request(self->nl, nlh, NULL, NULL));
	EXPECT_EQ((uint32_t)((char *)bad - (char *)nlh), dfc_nl_extack_offset(self->nl));

	EXPECT_EQ(0, n_crits(self->nl));
}

/* A batch is all or nothing; the offending criterion is named. */
TEST_F(filter, batch_all_or_nothing)
{
	struct nlmsghdr *nlh = new_msg(self->nl, DFC_CMD_CRIT_NEW, 1);
	struct nlattr *c, *third = NULL;

	for (int i = 0; i < 3; i++) {
		if (i == 2)
			third = mnl_nlmsg_get_payload_tail(nlh);
		c = crit_begin(nlh, i == 2 ? 1 : (uint64_t)i + 1);
		mnl_attr_put_u32(nlh, DFC_CRIT_A_FLAGS, DFC_CRIT_F_STATIC);
		entry_dst4(nlh, DFC_CRIT_A_ENTRY, "192.0.2.0", 24);
		mnl_attr_nest_end(nlh, c);
	}
	EXPECT_EQ(-EEXIST, dfc_nl_request(self->nl, nlh, NULL, NULL));
	EXPECT_EQ((uint32_t)((char *)third - (char *)nlh), dfc_nl_extack_offset(self->nl));
	EXPECT_EQ(0, n_crits(self->nl));
}

TEST_F(filter, limits_enforced)
{
	struct nlmsghdr *nlh = dfc_nl_msg_new(self->nl, DFC_CMD_LIMITS_SET, 0);

	mnl_attr_put_u32(nlh, DFC_STATS_A_MAX_CRITS, 2);
	mnl_attr_put_u32(nlh, DFC_STATS_A_MAX_MASKS, 1);
	ASSERT_EQ(0, dfc_nl_request(self->nl, nlh, NULL, NULL));
	ASSERT_EQ(0, add_crit(self->nl, 1, 1, "192.0.2.0", 24, DFC_CRIT_F_STATIC, 0, 0));
	EXPECT_EQ(-ENOSPC, add_crit(self->nl, 1, 2, "192.0.2.0", 25, DFC_CRIT_F_STATIC, 0, 0));
	EXPECT_STREQ("mask limit reached", dfc_nl_extack(self->nl));
	ASSERT_EQ(0, add_crit(self->nl, 1, 2, "198.51.100.0", 24, DFC_CRIT_F_STATIC, 0, 0));
	EXPECT_EQ(-ENOSPC, add_crit(self->nl, 1, 3, "203.0.113.0", 24, DFC_CRIT_F_STATIC, 0, 0));
	EXPECT_STREQ("criteria limit reached", dfc_nl_extack(self->nl));
	EXPECT_EQ(2, n_crits(self->nl));
}

/* 100,000 criteria over several messages, then dumped whole. */
TEST_F_TIMEOUT(filter, hundred_thousand, 240)
{
	const int total = 100000;
	int added = 0;

	while (added < total) {
		struct nlmsghdr *nlh = new_msg(self->nl, DFC_CMD_CRIT_NEW, 9);

		/* Fill the message, leaving room for one more criterion. */
		while (added < total && nlh->nlmsg_len + 128 < dfc_nl_msg_room(self->nl)) {
			struct nlattr *c = crit_begin(nlh, (uint64_t)added);
			struct nlattr *e = mnl_attr_nest_start(nlh, DFC_CRIT_A_ENTRY);
			uint32_t a = htonl(0x0a000000u + (uint32_t)added);

			mnl_attr_put_u8(nlh, DFC_ENTRY_A_IPVER, 4);
			mnl_attr_put(nlh, DFC_ENTRY_A_DST, 4, &a);
			mnl_attr_put_u16(nlh, DFC_ENTRY_A_DPORT, 80);
			mnl_attr_nest_end(nlh, e);
			mnl_attr_put_u32(nlh, DFC_CRIT_A_FLAGS, DFC_CRIT_F_STATIC);
			mnl_attr_nest_end(nlh, c);
			added++;
		}
		ASSERT_EQ(0, dfc_nl_request(self->nl, nlh, NULL, NULL)) TH_LOG("%s", dfc_nl_extack(self->nl));
	}
	EXPECT_EQ(total, n_crits(self->nl));
	EXPECT_EQ(total, dump_count(self->nl, 9, 1));
	EXPECT_EQ(total, dump_count(self->nl, -1, 0));
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

/* Each command takes only its own attributes. */
TEST_F(filter, foreign_attributes_refused)
{
	struct nlmsghdr *nlh;
	struct nlattr *bad;

	ASSERT_EQ(0, add_crit(self->nl, 1, 1, "192.0.2.2", 32, DFC_CRIT_F_STATIC, 0, 0));
	/* DEL with a criterion nest, GET with max-dup, STATS with an owner. */
	nlh = new_msg(self->nl, DFC_CMD_CRIT_DEL, 1);
	mnl_attr_put_u64(nlh, DFC_A_ID, 1);
	mnl_attr_put_u32(nlh, DFC_A_FLAGS, DFC_CRIT_F_STATIC);
	bad = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put_u32(nlh, DFC_A_MAX_DUP, 3);
	EXPECT_EQ(-EINVAL, dfc_nl_request(self->nl, nlh, NULL, NULL));
	EXPECT_EQ((uint32_t)((char *)bad - (char *)nlh), dfc_nl_extack_offset(self->nl));
	EXPECT_EQ(1, n_crits(self->nl));

	nlh = new_msg(self->nl, DFC_CMD_CRIT_GET, 1);
	mnl_attr_put_u64(nlh, DFC_A_ID, 1);
	bad = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put_u32(nlh, DFC_A_CDEST, 1);
	EXPECT_EQ(-EINVAL, dfc_nl_request(self->nl, nlh, NULL, NULL));
	EXPECT_EQ((uint32_t)((char *)bad - (char *)nlh), dfc_nl_extack_offset(self->nl));

	nlh = dfc_nl_msg_new(self->nl, DFC_CMD_STATS_GET, 0);
	bad = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put_u32(nlh, DFC_STATS_A_MAX_CRITS, 5);
	EXPECT_EQ(-EINVAL, dfc_nl_request(self->nl, nlh, NULL, NULL));
	EXPECT_EQ((uint32_t)((char *)bad - (char *)nlh), dfc_nl_extack_offset(self->nl));

	/* max-criteria has an upper bound. */
	nlh = dfc_nl_msg_new(self->nl, DFC_CMD_LIMITS_SET, 0);
	mnl_attr_put_u32(nlh, DFC_STATS_A_MAX_CRITS, DFC_NS_MAX_CRITS + 1);
	EXPECT_GT(0, dfc_nl_request(self->nl, nlh, NULL, NULL));
	nlh = dfc_nl_msg_new(self->nl, DFC_CMD_LIMITS_SET, 0);
	mnl_attr_put_u32(nlh, DFC_STATS_A_MAX_CRITS, DFC_NS_MAX_CRITS);
	EXPECT_EQ(0, dfc_nl_request(self->nl, nlh, NULL, NULL));
}

/*
 * A batch the kernel rejects never counted a frame: the mask limit makes
 * its last criterion fail after thousands of matching ones were checked,
 * while frames matching all of them arrive.
 */
TEST_F_TIMEOUT(filter, rejected_batch_never_counts, 120)
{
	const char *top = getenv("DFC_TOP");
	struct nlmsghdr *nlh;
	char cmd[512];
	pid_t pid;
	int status, round, n;

	nlh = dfc_nl_msg_new(self->nl, DFC_CMD_LIMITS_SET, 0);
	mnl_attr_put_u32(nlh, DFC_STATS_A_MAX_MASKS, 1);
	ASSERT_EQ(0, dfc_nl_request(self->nl, nlh, NULL, NULL));
	/* Traffic to 192.0.2.2 for the whole test (killed at its end), however slow the kernel. */
	snprintf(cmd, sizeof(cmd), "exec %s/build/selftests/inject -i gen0 -n 0 -t 900 -l 100 -D 192.0.2.2 >/dev/null",
		 top ? top : ".");
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	usleep(300 * 1000);
	for (round = 0; round < 10; round++) {
		nlh = new_msg(self->nl, DFC_CMD_CRIT_NEW, 1);
		/* Matching criteria, each /32 (one mask), then a /24: a second mask. */
		for (n = 0; nlh->nlmsg_len + 256 < dfc_nl_msg_room(self->nl); n++)
			put_static(nlh, (uint64_t)n + 1, "192.0.2.2", 32);
		put_static(nlh, 0, "198.51.100.0", 24);
		ASSERT_EQ(-ENOSPC, dfc_nl_request(self->nl, nlh, NULL, NULL));
		EXPECT_STREQ("mask limit reached", dfc_nl_extack(self->nl));
	}
	EXPECT_EQ(0, n_crits(self->nl));
	EXPECT_EQ(0, n_matched(self->nl)) TH_LOG("a rejected batch counted frames");
	/* Positive control: the same criteria, accepted, do count. */
	ASSERT_EQ(0, add_crit(self->nl, 1, 1, "192.0.2.2", 32, DFC_CRIT_F_STATIC, 0, 0));
	usleep(500 * 1000);
	EXPECT_LT(0, n_matched(self->nl));
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
}

struct dump_tally {
	unsigned int n;
	unsigned int *seen;	/* per id */
	int intr;
};

static int tally_msg(const struct nlmsghdr *nlh, struct dump_tally *t)
{
	struct crit_info ci;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		t->intr = 1;
	if (nlh->nlmsg_type == NLMSG_DONE)
		return 1;
	if (nlh->nlmsg_type == NLMSG_ERROR)
		return -1;
	crit_msg_cb(nlh, &ci);
	if (ci.id < t->n)
		t->seen[ci.id]++;
	return 0;
}

/* Read one datagram of a dump into t: 1 at DONE, -1 on error. */
static int dump_recv(struct mnl_socket *s, struct dump_tally *t, int flags)
{
	static char buf[65536];
	ssize_t len = recv(mnl_socket_get_fd(s), buf, sizeof(buf), flags);
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int r = 0, l = (int)len;
	unsigned int last = UINT32_MAX;

	if (len <= 0)
		return -1;
	for (; mnl_nlmsg_ok(nlh, l) && !r; nlh = mnl_nlmsg_next(nlh, &l)) {
		struct crit_info ci;

		if (flags & MSG_PEEK) {
			if (nlh->nlmsg_type == NLMSG_DONE)
				return -2;
			crit_msg_cb(nlh, &ci);
			last = (unsigned int)ci.id;
			continue;
		}
		r = tally_msg(nlh, t);
	}
	return flags & MSG_PEEK ? (int)last : r;
}

/*
 * A criterion deleted and added again with the same id between two parts
 * of a dump: the rest is not jumped past, and the repeat is flagged.
 * The receive buffer is tiny, so the kernel keeps one part queued ahead:
 * the part after the one read is peeked to learn where the dump resumes.
 */
TEST_F_TIMEOUT(filter, dump_resume_after_readd, 120)
{
	const unsigned int total = 3000;
	struct mnl_socket *s = mnl_socket_open(NETLINK_GENERIC);
	unsigned int seen[3000] = { 0 }, i, twice = 0;
	struct dump_tally t = { .n = total, .seen = seen };
	struct nlmsghdr *nlh;
	int one = 1, r, resume;
	char req[256];

	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID));
	ASSERT_EQ(0, setsockopt(mnl_socket_get_fd(s), SOL_SOCKET, SO_RCVBUF, &one, sizeof(one)));
	ASSERT_EQ(0, add_many(self->nl, 1, 0, (int)total));
	nlh = dfc_nl_msg_new(self->nl, DFC_CMD_CRIT_GET, NLM_F_DUMP);
	mnl_attr_put(nlh, DFC_A_TERSE, 0, NULL);
	nlh->nlmsg_seq = 77;
	memcpy(req, nlh, nlh->nlmsg_len);
	ASSERT_LT(0, mnl_socket_sendto(s, req, ((struct nlmsghdr *)req)->nlmsg_len));
	ASSERT_EQ(0, dump_recv(s, &t, 0));
	resume = dump_recv(s, &t, MSG_PEEK);
	ASSERT_LE(0, resume);
	ASSERT_GT((int)total - 100, resume) TH_LOG("the dump should be far from its end");
	ASSERT_EQ(0, readd(self->nl, 1, (uint64_t)resume));
	do {
		r = dump_recv(s, &t, 0);
	} while (!r);
	ASSERT_EQ(1, r);
	for (i = 0; i < total; i++) {
		EXPECT_LE(1, seen[i]) TH_LOG("id %u never sent (resumed at %d)", i, resume);
		if (seen[i] > 1) {
			twice++;
			EXPECT_EQ((unsigned int)resume, i) TH_LOG("id %u sent %u times", i, seen[i]);
		}
	}
	/* The id sent twice (old and new) is flagged, so userspace retakes it. */
	if (twice)
		EXPECT_EQ(1, t.intr);
	mnl_socket_close(s);
}

struct snap {
	unsigned int n;
	unsigned int *seen;
	int restarts;
};

static int snap_cb(const struct dfc_nl_crit *c, void *data)
{
	struct snap *sn = data;

	if (c->id < sn->n)
		sn->seen[c->id]++;
	return 0;
}

static int snap_restart(void *data)
{
	struct snap *sn = data;

	memset(sn->seen, 0, sn->n * sizeof(*sn->seen));
	sn->restarts++;
	return 0;
}

/*
 * Dumps taken while another process deletes and adds again odd ids: every
 * dump that completes (not flagged) lists every even id, which stay, once,
 * and no id twice.
 */
TEST_F_TIMEOUT(filter, dump_consistent_under_readd, 180)
{
	const unsigned int total = 4000;
	unsigned int *seen = calloc(total, sizeof(*seen));
	struct snap sn = { .n = total, .seen = seen };
	uint32_t owner = 1;
	int ok_dumps = 0, status, k;
	pid_t pid;

	ASSERT_NE(NULL, seen);
	ASSERT_EQ(0, add_many(self->nl, 1, 0, (int)total));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct dfc_nl *nl = dfc_nl_open();
		unsigned int x = 12345;

		if (!nl)
			_exit(1);
		/* Bursts with quiet spells, so that some dumps can complete. */
		for (;;) {
			for (int b = 0; b < 10; b++) {
				x = x * 1103515245 + 12345;
				if (readd(nl, 1, ((x >> 8) % (total / 2)) * 2 + 1))
					_exit(2);
			}
			usleep(150 * 1000);
		}
	}
	for (k = 0; k < 16; k++) {
		int err;

		memset(seen, 0, total * sizeof(*seen));
		err = dfc_nl_crit_dump(self->nl, &owner, true, snap_cb, snap_restart, &sn);
		if (err == -EAGAIN)
			continue;
		ASSERT_EQ(0, err);
		ok_dumps++;
		for (unsigned int i = 0; i < total; i++) {
			if (i % 2 == 0) {
				EXPECT_EQ(1, seen[i]) TH_LOG("dump %d: stable id %u seen %u times",
							     k, i, seen[i]);
			} else {
				EXPECT_GE(1, seen[i]) TH_LOG("dump %d: id %u seen %u times", k, i, seen[i]);
			}
		}
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	TH_LOG("%d dumps complete, %d restarts", ok_dumps, sn.restarts);
	EXPECT_LT(0, ok_dumps);
	free(seen);
}

DFC_HARNESS_MAIN
