/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DFC_NETNS_H
#define _DFC_NETNS_H

#include <linux/list.h>
#include <net/net_namespace.h>
#include "filter.h"
#include "frag.h"
#include "stats.h"

/*
 * Per network namespace state, allocated by the first dfc command in the
 * namespace: namespaces that never use dfc cost one pointer. The lists
 * are protected by RTNL.
 */
struct dfc_net {
	struct net *net;
	struct list_head ifaces;
	unsigned int n_ifaces;		/* read without RTNL: a snapshot */
	/* Bumped on every change of the interface set: dumps check it. */
	unsigned int iface_gen;
	/* Every frame seen in this namespace, surviving detach. */
	struct dfc_pcpu_stats __percpu *stats;
	struct dfc_filter filter;
	struct dfc_frag frag;		/* later fragments follow their first */
};

/* The namespace's state, or NULL if dfc was never used there. */
struct dfc_net *dfc_net(const struct net *net);
/* The same, created on first use; ERR_PTR(-ENOMEM). */
struct dfc_net *dfc_net_get(struct net *net);
int dfc_netns_init(void);
void dfc_netns_uninit(void);

#endif /* _DFC_NETNS_H */
