/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the filter tests share (filter_api.c, filter_limits.c): the netlink
 * API built by hand with libmnl (independent of lib/'s encoder), frames
 * from the injector, and the fixture:
 *
 *   gen0 ---veth--- mon0 (dfc attached, consume), one namespace per test
 */
#ifndef _DFC_FILTER_LIB_H
#define _DFC_FILTER_LIB_H

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

static inline int dfc_load(void)
{
	const char *ko = getenv("DFC_KO");
	char cmd[512];

	if (!access("/sys/module/dfc", F_OK))
		return 0;
	snprintf(cmd, sizeof(cmd), "insmod %s", ko ? ko : "dfc.ko");
	return system(cmd);
}

/* inject N frames of KIND from gen0 to 192.0.2.2 (extra: more options). */
static inline int inject(int n, const char *kind, int len, const char *extra)
{
	const char *top = getenv("DFC_TOP");
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "%s/build/selftests/inject -i gen0 -n %d -k %s -l %d %s >/dev/null",
		 top ? top : ".", n, kind, len, extra ? extra : "");
	return system(cmd);
}

/* A criterion under construction: dfc_crit_begin ... entries ... end. */
static inline struct nlattr *crit_begin(struct nlmsghdr *nlh, uint64_t id)
{
	struct nlattr *c = mnl_attr_nest_start(nlh, DFC_A_CRIT);

	mnl_attr_put_u64(nlh, DFC_CRIT_A_ID, id);
	return c;
}

/* An entry (or exclusion) on one IPv4 destination prefix. */
static inline void entry_dst4(struct nlmsghdr *nlh, int type, const char *dst, uint8_t plen)
{
	struct nlattr *e = mnl_attr_nest_start(nlh, type);
	uint32_t a;

	inet_pton(AF_INET, dst, &a);
	mnl_attr_put_u8(nlh, DFC_ENTRY_A_IPVER, 4);
	mnl_attr_put(nlh, DFC_ENTRY_A_DST, 4, &a);
	mnl_attr_put_u8(nlh, DFC_ENTRY_A_DST_PLEN, plen);
	mnl_attr_nest_end(nlh, e);
}

static inline struct nlmsghdr *new_msg(struct dfc_nl *nl, uint8_t cmd, uint32_t owner)
{
	struct nlmsghdr *nlh = dfc_nl_msg_new(nl, cmd, 0);

	mnl_attr_put_u32(nlh, DFC_A_OWNER, owner);
	return nlh;
}

/* Add one static or limited criterion on dst/plen. */
static inline int add_crit(struct dfc_nl *nl, uint32_t owner, uint64_t id, const char *dst,
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

static inline int crit_attr_cb(const struct nlattr *a, void *data)
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

static inline int top_attr_cb(const struct nlattr *a, void *data)
{
	struct crit_info *ci = data;

	if (mnl_attr_get_type(a) == DFC_A_OWNER)
		ci->owner = mnl_attr_get_u32(a);
	if (mnl_attr_get_type(a) == DFC_A_CRIT)
		mnl_attr_parse_nested(a, crit_attr_cb, ci);
	return MNL_CB_OK;
}

static inline int crit_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct crit_info *ci = data;

	memset(ci, 0, sizeof(*ci));
	mnl_attr_parse(nlh, GENL_HDRLEN, top_attr_cb, ci);
	ci->found = 1;
	return MNL_CB_OK;
}

static inline int get_crit(struct dfc_nl *nl, uint32_t owner, uint64_t id, struct crit_info *ci)
{
	struct nlmsghdr *nlh = new_msg(nl, DFC_CMD_CRIT_GET, owner);

	mnl_attr_put_u64(nlh, DFC_A_ID, id);
	memset(ci, 0, sizeof(*ci));
	return dfc_nl_request(nl, nlh, crit_msg_cb, ci);
}

static inline int count_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(*(int *)data)++;
	return MNL_CB_OK;
}

/* Criteria in a dump: all owners, or one. */
static inline int dump_count(struct dfc_nl *nl, int64_t owner, int terse)
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

static inline int del_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(a) == DFC_A_COUNT)
			*(uint32_t *)data = mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

/* Delete: id (or -1), cdest (or -1), with the static flag or not. */
static inline int del(struct dfc_nl *nl, uint32_t owner, int64_t id, int64_t cdest, int statics,
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
static inline struct mnl_socket *events_open(struct dfc_nl *nl)
{
	struct mnl_socket *s = mnl_socket_open(NETLINK_GENERIC);
	int grp = (int)dfc_nl_mcast_group(nl, DFC_GENL_MCGRP_EVENTS);

	if (!s || mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) ||
	    mnl_socket_setsockopt(s, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)))
		return NULL;
	return s;
}

static inline int event_wait(struct mnl_socket *s, int ms, struct crit_info *ci)
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

static inline int stat_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(a) == DFC_STATS_A_CRITS)
			*(uint32_t *)data = mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

static inline int matched_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(a) == DFC_STATS_A_MATCHED)
			*(uint64_t *)data = mnl_attr_get_u64(a);
	return MNL_CB_OK;
}

/* Frames that matched any criterion in the namespace so far. */
static inline int64_t n_matched(struct dfc_nl *nl)
{
	struct nlmsghdr *nlh = dfc_nl_msg_new(nl, DFC_CMD_STATS_GET, 0);
	uint64_t n = UINT64_MAX;
	int err = dfc_nl_request(nl, nlh, matched_cb, &n);

	return err ?: (int64_t)n;
}

/* A static criterion on one IPv4 destination, into an open NEW message. */
static inline void put_static(struct nlmsghdr *nlh, uint64_t id, const char *dst, uint8_t plen)
{
	struct nlattr *c = crit_begin(nlh, id);

	mnl_attr_put_u32(nlh, DFC_CRIT_A_FLAGS, DFC_CRIT_F_STATIC);
	entry_dst4(nlh, DFC_CRIT_A_ENTRY, dst, plen);
	mnl_attr_nest_end(nlh, c);
}

/*
 * n criteria ids [from, from + n) of owner on 10.x.y.z/32, batched: static,
 * or (timeout > 0) dynamic with that total timeout.
 */
static inline int add_many_timed(struct dfc_nl *nl, uint32_t owner, uint64_t from, int n,
				 uint32_t timeout)
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
			if (timeout)
				mnl_attr_put_u32(nlh, DFC_CRIT_A_TIMEOUT_TOTAL, timeout);
			else
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

static inline int add_many(struct dfc_nl *nl, uint32_t owner, uint64_t from, int n)
{
	return add_many_timed(nl, owner, from, n, 0);
}

/* Delete id of owner and add it again at once (a new criterion, same id). */
static inline int readd(struct dfc_nl *nl, uint32_t owner, uint64_t id)
{
	uint32_t n;
	int err = del(nl, owner, (int64_t)id, -1, 1, &n);

	return err ?: add_many(nl, owner, id, 1);
}

static inline int n_crits(struct dfc_nl *nl)
{
	struct nlmsghdr *nlh = dfc_nl_msg_new(nl, DFC_CMD_STATS_GET, 0);
	uint32_t n = UINT32_MAX;
	int err = dfc_nl_request(nl, nlh, stat_cb, &n);

	return err ?: (int)n;
}

/* A content destination with no route: copies to it count as dropped. */
static inline int add_cdest(struct dfc_nl *nl, uint32_t id)
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

#endif /* _DFC_FILTER_LIB_H */
