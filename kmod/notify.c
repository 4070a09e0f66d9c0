// SPDX-License-Identifier: GPL-2.0
/*
 * The events dfc.ko multicasts to DFC_GENL_MCGRP_EVENTS: the struct
 * dfc_events the filter and destinations report through. Sent from the
 * worker (the filter lock held), never from the data path; many criteria
 * go as few messages, one owner each.
 */
#include <net/genetlink.h>
#include <uapi/linux/dfc.h>
#include "cdest.h"
#include "crit.h"
#include "filter.h"
#include "netlink.h"

static void multicast(struct net *net, struct sk_buff *msg, void *hdr)
{
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&dfc_genl_family, net, msg, 0,
				DFC_GENL_MCGRP_EVENTS_ID, GFP_KERNEL);
}

static void notify_cdest(struct net *net, struct dfc_cdest *cd, u8 cmd)
{
	struct sk_buff *msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL_ACCOUNT);
	struct nlattr *nest;
	void *hdr;

	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &dfc_genl_family, 0, cmd);
	if (!hdr || nla_put_u32(msg, DFC_CDEST_A_ID, cd->id) ||
	    nla_put_u8(msg, DFC_CDEST_A_CONGESTED, cd->congested))
		goto fail;
	nest = nla_nest_start(msg, DFC_CDEST_A_STATS);
	if (!nest || nla_put_u64_64bit(msg, DFC_CSTATS_A_RATE, cd->rate,
				       DFC_CSTATS_A_PAD))
		goto fail;
	nla_nest_end(msg, nest);
	multicast(net, msg, hdr);
	return;
fail:
	nlmsg_free(msg);
}

/* A message of command cmd about owner's criteria; NULL when out of memory. */
static struct sk_buff *owner_msg(u8 cmd, u32 owner, void **hdr)
{
	struct sk_buff *msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL_ACCOUNT);

	if (!msg)
		return NULL;
	*hdr = genlmsg_put(msg, 0, 0, &dfc_genl_family, 0, cmd);
	if (!*hdr || nla_put_u32(msg, DFC_A_OWNER, owner)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static int expired_put(struct sk_buff *msg, const struct dfc_crit *c)
{
	struct nlattr *nest = nla_nest_start(msg, DFC_A_CRIT);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(msg, DFC_CRIT_A_ID, c->id, DFC_CRIT_A_PAD) ||
	    nla_put_u32(msg, DFC_CRIT_A_FLAGS, c->flags) ||
	    nla_put_u32(msg, DFC_CRIT_A_CDEST, c->cdest) ||
	    nla_put_u8(msg, DFC_CRIT_A_REASON, c->dead) ||
	    nla_put_u64_64bit(msg, DFC_CRIT_A_PACKETS,
			      atomic64_read(&c->packets), DFC_CRIT_A_PAD) ||
	    nla_put_u64_64bit(msg, DFC_CRIT_A_BYTES, atomic64_read(&c->bytes),
			      DFC_CRIT_A_PAD)) {
		nla_nest_cancel(msg, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

/*
 * Expired criteria (linked by their limits, sorted by owner): as few
 * messages as fit them, one owner each.
 */
static void notify_expired(struct net *net, struct list_head *lims)
{
	struct sk_buff *msg = NULL;
	struct dfc_limits *lim;
	void *hdr = NULL;
	u32 owner = 0;

	list_for_each_entry(lim, lims, tlist) {
		const struct dfc_crit *c = lim->crit;

		if (msg && c->owner != owner) {
			multicast(net, msg, hdr);
			msg = NULL;
		}
		owner = c->owner;
		if (!msg)
			msg = owner_msg(DFC_CMD_CRIT_EXPIRED, owner, &hdr);
		if (!msg)
			return;
		if (!expired_put(msg, c))
			continue;
		/* Full: send it, and go on in a new one. */
		multicast(net, msg, hdr);
		msg = owner_msg(DFC_CMD_CRIT_EXPIRED, owner, &hdr);
		if (!msg || expired_put(msg, c)) {
			nlmsg_free(msg);
			return;
		}
	}
	if (msg)
		multicast(net, msg, hdr);
}

static void notify_congested(struct net *net, struct dfc_cdest *cd)
{
	notify_cdest(net, cd, DFC_CMD_CDEST_CONGESTED);
}

static void notify_noipsec(struct net *net, struct dfc_cdest *cd)
{
	notify_cdest(net, cd, DFC_CMD_CDEST_NOIPSEC);
}

/* A message for owner's purged criteria; NULL when out of memory. */
static struct sk_buff *purged_msg(struct dfc_cdest *cd, u32 owner, void **hdr)
{
	struct sk_buff *msg = owner_msg(DFC_CMD_CDEST_PURGED, owner, hdr);

	if (msg && nla_put_u32(msg, DFC_A_CDEST, cd->id)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/*
 * One or more messages per owner, each listing criteria ids, in one pass
 * over purged, which holds each owner's criteria in one run.
 */
static void notify_purged(struct net *net, struct dfc_cdest *cd,
			  struct list_head *purged)
{
	struct sk_buff *msg = NULL;
	struct dfc_crit *c;
	void *hdr = NULL;
	u32 owner = 0;

	list_for_each_entry(c, purged, list) {
		if (msg && c->owner != owner) {
			multicast(net, msg, hdr);
			msg = NULL;
			cond_resched();
		}
		owner = c->owner;
		if (!msg)
			msg = purged_msg(cd, owner, &hdr);
		if (!msg)
			return;
		if (!nla_put_u64_64bit(msg, DFC_A_ID, c->id, DFC_A_PAD))
			continue;
		/* Full: send it, and go on in a new one. */
		multicast(net, msg, hdr);
		cond_resched();
		msg = purged_msg(cd, owner, &hdr);
		if (!msg || nla_put_u64_64bit(msg, DFC_A_ID, c->id, DFC_A_PAD)) {
			nlmsg_free(msg);
			return;
		}
	}
	if (msg)
		multicast(net, msg, hdr);
}

static int dup_put(struct sk_buff *msg, const struct dfc_crit *c, u64 n)
{
	struct nlattr *nest = nla_nest_start(msg, DFC_A_CRIT);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(msg, DFC_CRIT_A_ID, c->id, DFC_CRIT_A_PAD) ||
	    nla_put_u32(msg, DFC_CRIT_A_CDEST, c->cdest) ||
	    nla_put_u64_64bit(msg, DFC_CRIT_A_DUP_DROPPED, n, DFC_CRIT_A_PAD)) {
		nla_nest_cancel(msg, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

/* Owner's criteria that lost duplicates since the last notice. */
static void notify_dup(struct net *net, struct dfc_filter *f, u32 owner)
{
	struct sk_buff *msg = NULL;
	struct dfc_crit *c;
	void *hdr = NULL;

	list_for_each_entry(c, &f->crits, list) {
		u64 now = atomic64_read(&c->dup_dropped);

		if (c->owner != owner || now == c->dup_reported)
			continue;
		if (!msg)
			msg = owner_msg(DFC_CMD_DUP_DROPPED, owner, &hdr);
		if (!msg)
			return;
		if (dup_put(msg, c, now - c->dup_reported)) {
			multicast(net, msg, hdr);
			msg = owner_msg(DFC_CMD_DUP_DROPPED, owner, &hdr);
			if (!msg || dup_put(msg, c, now - c->dup_reported))
				return;
		}
		c->dup_reported = now;
	}
	if (msg)
		multicast(net, msg, hdr);
}

const struct dfc_events dfc_genl_events = {
	.expired = notify_expired,
	.congested = notify_congested,
	.noipsec = notify_noipsec,
	.purged = notify_purged,
	.dup = notify_dup,
};
