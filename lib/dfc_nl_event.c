// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dfc_nl: events. The parser of the messages of the "events" multicast
 * group (dfc_nl_event_parse) and the handle that listens to it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dfc_nl_priv.h"

/* the events socket: room for bursts of expiries (capped by rmem_max) */
#define DFC_NL_EVENTS_RCVBUF (1024 * 1024)

/* DFC_CMD_CDEST_CONGESTED and DFC_CMD_CDEST_NOIPSEC: the DFC_CDEST_A_* space. */
static int event_cdest_parse(const struct nlmsghdr *nlh, struct dfc_nl_event *out)
{
	static const enum mnl_attr_data_type policy[DFC_CDEST_A_MAX + 1] = {
		[DFC_CDEST_A_ID] = MNL_TYPE_U32,
		[DFC_CDEST_A_STATS] = MNL_TYPE_NESTED,
		[DFC_CDEST_A_CONGESTED] = MNL_TYPE_U8,
	};
	const struct nlattr *tb[DFC_CDEST_A_MAX + 1], *st[DFC_CSTATS_A_MAX + 1];

	if (dfc_nl_parse_genl(nlh, tb, policy, DFC_CDEST_A_MAX) < 0 || !tb[DFC_CDEST_A_ID])
		return -EINVAL;
	if (tb[DFC_CDEST_A_STATS]) {
		if (dfc_nl_parse_nested(tb[DFC_CDEST_A_STATS], st, dfc_nl_cstats_policy,
					DFC_CSTATS_A_MAX) < 0)
			return -EINVAL;
		out->cdest.rate = opt_u64(st[DFC_CSTATS_A_RATE]);
	}
	out->cdest.id = mnl_attr_get_u32(tb[DFC_CDEST_A_ID]);
	out->cdest.congested = opt_u8(tb[DFC_CDEST_A_CONGESTED], 0);
	return 0;
}

/*
 * The list an event carries: every top-level attribute of type in nlh, in
 * order. Each is checked by entry(a, slot), which fills slot, the next free
 * element of v (max elements of size bytes), or only checks the attribute
 * when v is full (slot NULL). *n counts the elements filled, *n_total every
 * attribute. The first failure of entry is returned.
 */
typedef int (*event_entry_fn)(const struct nlattr *a, void *slot);

static int event_list_parse(const struct nlmsghdr *nlh, uint16_t type, event_entry_fn entry,
			    void *v, size_t size, unsigned int max,
			    unsigned int *n, unsigned int *n_total)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		void *slot = *n < max ? (char *)v + *n * size : NULL;
		int err;

		if (mnl_attr_get_type(a) != type)
			continue;
		err = entry(a, slot);
		if (err)
			return err;
		if (slot)
			(*n)++;
		(*n_total)++;
	}
	return 0;
}

/* A DFC_A_ID of a purge, already validated with the message. */
static int purged_entry(const struct nlattr *a, void *slot)
{
	if (slot)
		*(uint64_t *)slot = mnl_attr_get_u64(a);
	return 0;
}

/* DFC_CMD_CDEST_PURGED: DFC_A_OWNER, DFC_A_CDEST, DFC_A_ID repeated. */
static int event_purged_parse(const struct nlmsghdr *nlh, struct dfc_nl_event *out)
{
	static const enum mnl_attr_data_type policy[DFC_A_MAX + 1] = {
		[DFC_A_OWNER] = MNL_TYPE_U32,
		[DFC_A_ID] = MNL_TYPE_U64,
		[DFC_A_CDEST] = MNL_TYPE_U32,
	};
	const struct nlattr *tb[DFC_A_MAX + 1];

	/* validates every attribute, each of the repeated ids included */
	if (dfc_nl_parse_genl(nlh, tb, policy, DFC_A_MAX) < 0 || !tb[DFC_A_OWNER] ||
	    !tb[DFC_A_CDEST])
		return -EINVAL;
	out->purged.owner = mnl_attr_get_u32(tb[DFC_A_OWNER]);
	out->purged.cdest = mnl_attr_get_u32(tb[DFC_A_CDEST]);
	return event_list_parse(nlh, DFC_A_ID, purged_entry, out->purged.ids,
				sizeof(out->purged.ids[0]), DFC_NL_EVENT_MAX_IDS,
				&out->purged.n_ids, &out->purged.n_total);
}

/* The top level of the events that list criteria: DFC_A_OWNER, DFC_A_CRIT repeated. */
static const enum mnl_attr_data_type crit_list_policy[DFC_A_MAX + 1] = {
	[DFC_A_OWNER] = MNL_TYPE_U32,
	[DFC_A_CRIT] = MNL_TYPE_NESTED,
};

/* A DFC_A_CRIT of a duplicates-dropped event: id, cdest, dup_dropped. */
static int dup_entry(const struct nlattr *a, void *slot)
{
	static const enum mnl_attr_data_type cpolicy[DFC_CRIT_A_MAX + 1] = {
		[DFC_CRIT_A_ID] = MNL_TYPE_U64,
		[DFC_CRIT_A_CDEST] = MNL_TYPE_U32,
		[DFC_CRIT_A_DUP_DROPPED] = MNL_TYPE_U64,
	};
	const struct nlattr *ct[DFC_CRIT_A_MAX + 1];
	struct dfc_nl_dup *d = slot;

	if (dfc_nl_parse_nested(a, ct, cpolicy, DFC_CRIT_A_MAX) < 0 || !ct[DFC_CRIT_A_ID])
		return -EINVAL;
	if (!d)
		return 0;
	d->id = mnl_attr_get_u64(ct[DFC_CRIT_A_ID]);
	d->cdest = opt_u32(ct[DFC_CRIT_A_CDEST]);
	d->dropped = opt_u64(ct[DFC_CRIT_A_DUP_DROPPED]);
	return 0;
}

/* DFC_CMD_DUP_DROPPED: DFC_A_OWNER, DFC_A_CRIT repeated (id, cdest, dup_dropped). */
static int event_dup_parse(const struct nlmsghdr *nlh, struct dfc_nl_event *out)
{
	const struct nlattr *tb[DFC_A_MAX + 1];

	if (dfc_nl_parse_genl(nlh, tb, crit_list_policy, DFC_A_MAX) < 0 || !tb[DFC_A_OWNER])
		return -EINVAL;
	out->dup.owner = mnl_attr_get_u32(tb[DFC_A_OWNER]);
	return event_list_parse(nlh, DFC_A_CRIT, dup_entry, out->dup.v, sizeof(out->dup.v[0]),
				DFC_NL_EVENT_MAX_DUPS, &out->dup.n, &out->dup.n_total);
}

/* A DFC_A_CRIT of an expiry event: id, flags, cdest, reason, counts. */
static int expired_entry(const struct nlattr *a, void *slot)
{
	static const enum mnl_attr_data_type cpolicy[DFC_CRIT_A_MAX + 1] = {
		[DFC_CRIT_A_ID] = MNL_TYPE_U64,
		[DFC_CRIT_A_FLAGS] = MNL_TYPE_U32,
		[DFC_CRIT_A_CDEST] = MNL_TYPE_U32,
		[DFC_CRIT_A_REASON] = MNL_TYPE_U8,
		[DFC_CRIT_A_PACKETS] = MNL_TYPE_U64,
		[DFC_CRIT_A_BYTES] = MNL_TYPE_U64,
	};
	const struct nlattr *ct[DFC_CRIT_A_MAX + 1];
	struct dfc_nl_expired *x = slot;

	if (dfc_nl_parse_nested(a, ct, cpolicy, DFC_CRIT_A_MAX) < 0 || !ct[DFC_CRIT_A_ID])
		return -EINVAL;
	if (!x)
		return 0;
	x->id = mnl_attr_get_u64(ct[DFC_CRIT_A_ID]);
	x->flags = opt_u32(ct[DFC_CRIT_A_FLAGS]);
	x->cdest = opt_u32(ct[DFC_CRIT_A_CDEST]);
	x->reason = opt_u8(ct[DFC_CRIT_A_REASON], 0);
	x->packets = opt_u64(ct[DFC_CRIT_A_PACKETS]);
	x->bytes = opt_u64(ct[DFC_CRIT_A_BYTES]);
	return 0;
}

/* DFC_CMD_CRIT_EXPIRED: DFC_A_OWNER, DFC_A_CRIT repeated (id, flags, cdest, reason, counts). */
static int event_expired_parse(const struct nlmsghdr *nlh, struct dfc_nl_event *out)
{
	const struct nlattr *tb[DFC_A_MAX + 1];

	if (dfc_nl_parse_genl(nlh, tb, crit_list_policy, DFC_A_MAX) < 0 || !tb[DFC_A_OWNER] ||
	    !tb[DFC_A_CRIT])
		return -EINVAL;
	out->expired.owner = mnl_attr_get_u32(tb[DFC_A_OWNER]);
	return event_list_parse(nlh, DFC_A_CRIT, expired_entry, out->expired.v,
				sizeof(out->expired.v[0]), DFC_NL_EVENT_MAX_EXPIRED,
				&out->expired.n, &out->expired.n_total);
}

int dfc_nl_event_parse(const struct nlmsghdr *nlh, struct dfc_nl_event *out)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);

	memset(out, 0, sizeof(*out));
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + GENL_HDRLEN)
		return -EINVAL;
	switch (genl->cmd) {
	case DFC_CMD_CRIT_EXPIRED:
		out->cmd = genl->cmd;
		return event_expired_parse(nlh, out);
	case DFC_CMD_CDEST_CONGESTED:
	case DFC_CMD_CDEST_NOIPSEC:
		out->cmd = genl->cmd;
		return event_cdest_parse(nlh, out);
	case DFC_CMD_CDEST_PURGED:
		out->cmd = genl->cmd;
		return event_purged_parse(nlh, out);
	case DFC_CMD_DUP_DROPPED:
		out->cmd = genl->cmd;
		return event_dup_parse(nlh, out);
	default:
		return -EOPNOTSUPP;
	}
}

/* ---- the events socket ---- */

struct dfc_nl_events {
	struct dfc_nl *nl; /* never sends: a reply would be mistaken for nothing */
};

struct dfc_nl_events *dfc_nl_events_open(void)
{
	struct dfc_nl_events *ev = calloc(1, sizeof(*ev));
	int fd, rcvbuf = DFC_NL_EVENTS_RCVBUF, err;
	uint32_t grp;

	if (!ev)
		return NULL;
	ev->nl = dfc_nl_open();
	if (!ev->nl)
		goto fail_errno;
	grp = dfc_nl_mcast_group(ev->nl, DFC_GENL_MCGRP_EVENTS);
	if (!grp) {
		err = ENOENT; /* a module without events */
		goto fail;
	}
	fd = mnl_socket_get_fd(ev->nl->sock);
	/*
	 * Best effort: a larger buffer loses fewer events in a burst. Beyond
	 * net.core.rmem_max only with CAP_NET_ADMIN, which listening needs.
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (mnl_socket_setsockopt(ev->nl->sock, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)) < 0)
		goto fail_errno;
	return ev;

fail_errno:
	err = errno;
fail:
	dfc_nl_events_close(ev);
	errno = err;
	return NULL;
}

void dfc_nl_events_close(struct dfc_nl_events *ev)
{
	if (!ev)
		return;
	dfc_nl_close(ev->nl);
	free(ev);
}

int dfc_nl_events_fd(const struct dfc_nl_events *ev)
{
	return mnl_socket_get_fd(ev->nl->sock);
}

int dfc_nl_events_recv(struct dfc_nl_events *ev,
		       int (*cb)(const struct dfc_nl_event *e, void *data), void *data)
{
	struct dfc_nl *nl = ev->nl;
	const struct nlmsghdr *nlh;
	ssize_t n = mnl_socket_recvfrom(nl->sock, nl->rx, sizeof(nl->rx));
	int len = (int)n, count = 0;

	if (n < 0)
		return -errno;
	for (nlh = (const void *)nl->rx; dfc_nl_msg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		struct dfc_nl_event e;
		int err;

		/* from the kernel, of our family: anything else is not an event */
		if (nlh->nlmsg_type != nl->family || nlh->nlmsg_pid != 0)
			continue;
		err = dfc_nl_event_parse(nlh, &e);
		if (err == -EOPNOTSUPP)
			continue; /* an event newer than us */
		if (err)
			return err;
		count++;
		err = cb(&e, data);
		if (err)
			return err;
	}
	return count;
}
