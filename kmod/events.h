/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the objects (the filter, destinations) report, as an interface the
 * control layer implements (netlink.c: dfc_genl_events), so that they do
 * not call up into it. Called from the worker, the filter lock held, never
 * from the data path.
 */
#ifndef _DFC_EVENTS_H
#define _DFC_EVENTS_H

#include <linux/list.h>
#include <linux/types.h>

struct net;
struct dfc_crit;
struct dfc_cdest;
struct dfc_filter;

struct dfc_events {
	/*
	 * Criteria ran out of one of their limits: those linked by their
	 * limits' tlist (struct dfc_limits), sorted by owner, then id.
	 */
	void (*expired)(struct net *net, struct list_head *lims);
	/* The destination's rate crossed its soft limit (cd->congested says which way). */
	void (*congested)(struct net *net, struct dfc_cdest *cd);
	/* Copies to the destination are dropped for want of IPsec. */
	void (*noipsec)(struct net *net, struct dfc_cdest *cd);
	/* The hard limit removed these criteria (linked by their list). */
	void (*purged)(struct net *net, struct dfc_cdest *cd, struct list_head *purged);
	/* Copies of the owner's criteria were dropped over max_dup. */
	void (*dup)(struct net *net, struct dfc_filter *f, u32 owner);
};

#endif /* _DFC_EVENTS_H */
