/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DFC_IFACE_H
#define _DFC_IFACE_H

#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/rcupdate.h>
#include "stats.h"

struct dfc_net;

/* A passive-monitor interface: one netdev ingress hook on one device. */
struct dfc_iface {
	struct list_head list;		/* in dfc_net.ifaces, under RTNL */
	struct dfc_net *dn;
	struct net_device *dev;
	netdevice_tracker dev_tracker;
	struct nf_hook_ops ops;
	u32 flags;			/* DFC_IFACE_F_* */
	time64_t attached;		/* boottime seconds */
	struct dfc_pcpu_stats __percpu *stats;
	struct rcu_head rcu;
};

int dfc_iface_attach(struct dfc_net *dn, struct net_device *dev, u32 flags,
		     struct netlink_ext_ack *extack);
void dfc_iface_detach(struct dfc_iface *iface);
void dfc_iface_detach_all(struct dfc_net *dn);
struct dfc_iface *dfc_iface_find(struct dfc_net *dn,
				 const struct net_device *dev);
int dfc_iface_init(void);
void dfc_iface_uninit(void);

#endif /* _DFC_IFACE_H */
