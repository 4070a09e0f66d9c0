// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the event parser of lib/dfc_nl_event.c (dfc_nl_event_parse).
 * Each input is a receive buffer of the dfc events multicast group, one or
 * more netlink messages as recvmsg() returns them (up to 65535 bytes),
 * walked with dfc_nl_msg_ok/mnl_nlmsg_next as dfc_nl_events_recv() walks
 * its own; every message is parsed, whatever its type (the library skips
 * other families and senders before parsing: parsing them too only adds
 * inputs). Beyond ASan/UBSan it checks what the callers rely on:
 *   - the result is 0, -EINVAL or -EOPNOTSUPP, and -EOPNOTSUPP exactly for
 *     the commands that are not events (the event then all zero);
 *   - a parsed event has the message's cmd; its counts never exceed the
 *     arrays (agent/kernel.c copies dup.v[0..n) into an array of
 *     DFC_NL_EVENT_MAX_DUPS), n == min(n_total, cap), n_total is the
 *     number of list attributes in the message and an expiry has one;
 *   - every parsed id, owner and destination is the one the message
 *     carries (the last of a repeated attribute, as the parser keeps it);
 *   - everything past what was filled is zero (the other union members,
 *     the array slots past n).
 * reason and congested are passed on as the kernel sent them (callers
 * range-check reason: agent/notify.c, dfcctl's reason_name), so only
 * their round trip is checked.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>
#include <libmnl/libmnl.h>

#include "dfc_nl_priv.h"	/* dfc_nl_msg_ok(): the library's own walk */

static struct dfc_nl_event E;

/* A byte loop of the checker's own: nothing for coverage to learn from. */
__attribute__((noinline, no_sanitize("coverage")))
static void check_zero(const void *p, size_t len)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < len; i++)
		if (b[i])
			abort();
}

/* Everything of E after the first used bytes of the union is zero. */
static void check_rest_zero(size_t used)
{
	size_t off = offsetof(struct dfc_nl_event, expired) + used;

	check_zero((const char *)&E + off, sizeof(E) - off);
}

/* The last top-level attribute of type in a parsed message (validated: whole). */
static const struct nlattr *last_attr(const struct nlmsghdr *nlh, uint16_t type)
{
	const struct nlattr *a, *found = NULL;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(a) == type)
			found = a;
	return found;
}

static const struct nlattr *last_nested(const struct nlattr *nest, uint16_t type)
{
	const struct nlattr *a, *found = NULL;

	mnl_attr_for_each_nested(a, nest)
		if (mnl_attr_get_type(a) == type)
			found = a;
	return found;
}

static uint64_t u64_or0(const struct nlattr *a)
{
	return a ? mnl_attr_get_u64(a) : 0;
}

static uint32_t u32_or0(const struct nlattr *a)
{
	return a ? mnl_attr_get_u32(a) : 0;
}

static uint8_t u8_or0(const struct nlattr *a)
{
	return a ? mnl_attr_get_u8(a) : 0;
}

/*
 * A list of an event: n of n_total in an array of cap, n_total being the
 * attributes of type in the message, each at least min bytes; ok(a, i)
 * tells whether element i holds what a, the i-th of them, carries.
 */
static void check_list(const struct nlmsghdr *nlh, uint16_t type, unsigned int n,
		       unsigned int n_total, unsigned int cap, size_t min,
		       bool (*ok)(const struct nlattr *a, unsigned int i))
{
	const struct nlattr *a;
	unsigned int count = 0;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(a) != type)
			continue;
		if (count < n && !ok(a, count))
			abort();
		count++;
	}
	if (n > cap || n_total != count || n != (count < cap ? count : cap) ||
	    (size_t)n_total * min > nlh->nlmsg_len)
		abort();
}

/* The smallest list entries: an id (u64), or a nest of one. */
#define ID_MIN (MNL_ATTR_HDRLEN + 8)
#define NEST_MIN (MNL_ATTR_HDRLEN + ID_MIN)

static bool expired_ok(const struct nlattr *a, unsigned int i)
{
	const struct dfc_nl_expired *x = &E.expired.v[i];

	return last_nested(a, DFC_CRIT_A_ID) &&
	       x->id == u64_or0(last_nested(a, DFC_CRIT_A_ID)) &&
	       x->flags == u32_or0(last_nested(a, DFC_CRIT_A_FLAGS)) &&
	       x->cdest == u32_or0(last_nested(a, DFC_CRIT_A_CDEST)) &&
	       x->reason == u8_or0(last_nested(a, DFC_CRIT_A_REASON)) &&
	       x->packets == u64_or0(last_nested(a, DFC_CRIT_A_PACKETS)) &&
	       x->bytes == u64_or0(last_nested(a, DFC_CRIT_A_BYTES));
}

static void check_expired(const struct nlmsghdr *nlh)
{
	check_list(nlh, DFC_A_CRIT, E.expired.n, E.expired.n_total, DFC_NL_EVENT_MAX_EXPIRED,
		   NEST_MIN, expired_ok);
	if (!E.expired.n_total || E.expired.owner != u32_or0(last_attr(nlh, DFC_A_OWNER)))
		abort();
	check_rest_zero(offsetof(__typeof__(E.expired), v) + E.expired.n * sizeof(E.expired.v[0]));
}

static bool dup_ok(const struct nlattr *a, unsigned int i)
{
	const struct dfc_nl_dup *d = &E.dup.v[i];

	return last_nested(a, DFC_CRIT_A_ID) &&
	       d->id == u64_or0(last_nested(a, DFC_CRIT_A_ID)) &&
	       d->cdest == u32_or0(last_nested(a, DFC_CRIT_A_CDEST)) &&
	       d->dropped == u64_or0(last_nested(a, DFC_CRIT_A_DUP_DROPPED));
}

static void check_dup(const struct nlmsghdr *nlh)
{
	check_list(nlh, DFC_A_CRIT, E.dup.n, E.dup.n_total, DFC_NL_EVENT_MAX_DUPS, NEST_MIN,
		   dup_ok);
	if (E.dup.owner != u32_or0(last_attr(nlh, DFC_A_OWNER)))
		abort();
	check_rest_zero(offsetof(__typeof__(E.dup), v) + E.dup.n * sizeof(E.dup.v[0]));
}

static bool purged_ok(const struct nlattr *a, unsigned int i)
{
	return E.purged.ids[i] == mnl_attr_get_u64(a);
}

static void check_purged(const struct nlmsghdr *nlh)
{
	check_list(nlh, DFC_A_ID, E.purged.n_ids, E.purged.n_total, DFC_NL_EVENT_MAX_IDS, ID_MIN,
		   purged_ok);
	if (!last_attr(nlh, DFC_A_OWNER) || !last_attr(nlh, DFC_A_CDEST) ||
	    E.purged.owner != u32_or0(last_attr(nlh, DFC_A_OWNER)) ||
	    E.purged.cdest != u32_or0(last_attr(nlh, DFC_A_CDEST)))
		abort();
	check_rest_zero(offsetof(__typeof__(E.purged), ids) +
			E.purged.n_ids * sizeof(E.purged.ids[0]));
}

static void check_cdest(const struct nlmsghdr *nlh)
{
	const struct nlattr *st = last_attr(nlh, DFC_CDEST_A_STATS);

	if (!last_attr(nlh, DFC_CDEST_A_ID) ||
	    E.cdest.id != u32_or0(last_attr(nlh, DFC_CDEST_A_ID)) ||
	    E.cdest.congested != u8_or0(last_attr(nlh, DFC_CDEST_A_CONGESTED)) ||
	    E.cdest.rate != (st ? u64_or0(last_nested(st, DFC_CSTATS_A_RATE)) : 0))
		abort();
	/* the struct's own padding included: the parser memsets, then sets fields */
	check_rest_zero(sizeof(E.cdest));
}

static void check_one(const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	bool whole = nlh->nlmsg_len >= MNL_NLMSG_HDRLEN + GENL_HDRLEN;
	bool known = whole && (genl->cmd == DFC_CMD_CRIT_EXPIRED ||
			       genl->cmd == DFC_CMD_CDEST_CONGESTED ||
			       genl->cmd == DFC_CMD_CDEST_NOIPSEC ||
			       genl->cmd == DFC_CMD_CDEST_PURGED ||
			       genl->cmd == DFC_CMD_DUP_DROPPED);
	int err;

	memset(&E, 0xa5, sizeof(E));
	err = dfc_nl_event_parse(nlh, &E);
	if (err == -EOPNOTSUPP) {
		if (!whole || known)
			abort();
		check_zero(&E, sizeof(E));
		return;
	}
	if (err == -EINVAL) {
		if (whole && !known)
			abort();
		return;
	}
	if (err || !known || E.cmd != genl->cmd)
		abort();
	check_zero(&E.cmd + 1, offsetof(struct dfc_nl_event, expired) - 1);
	switch (E.cmd) {
	case DFC_CMD_CRIT_EXPIRED:
		check_expired(nlh);
		break;
	case DFC_CMD_CDEST_PURGED:
		check_purged(nlh);
		break;
	case DFC_CMD_DUP_DROPPED:
		check_dup(nlh);
		break;
	default:
		check_cdest(nlh);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	const struct nlmsghdr *nlh = (const void *)data;
	int left = (int)len;

	if (len > 65535)
		return 0;	/* larger than any datagram the fuzzer is run with */
	for (; dfc_nl_msg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left))
		check_one(nlh);
	return 0;
}
