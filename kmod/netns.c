// SPDX-License-Identifier: GPL-2.0
/* Per network namespace state: created with the namespace, torn down with it. */
#define pr_fmt(fmt) "dfc: " fmt

#include <linux/rtnetlink.h>
#include <net/netns/generic.h>
#include "netns.h"
#include "iface.h"

static unsigned int dfc_net_id __read_mostly;

struct dfc_net *dfc_net(const struct net *net)
{
	return net_generic(net, dfc_net_id);
}

static int __net_init dfc_net_init(struct net *net)
{
	struct dfc_net *dn = dfc_net(net);
	int err;

	dn->net = net;
	INIT_LIST_HEAD(&dn->ifaces);
	dn->stats = netdev_alloc_pcpu_stats(struct dfc_pcpu_stats);
	if (!dn->stats)
		return -ENOMEM;
	err = dfc_filter_init(&dn->filter, net);
	if (err)
		free_percpu(dn->stats);
	return err;
}

static void __net_exit dfc_net_exit(struct net *net)
{
	struct dfc_net *dn = dfc_net(net);

	/* Devices of a dying namespace are gone already; this is for unload. */
	rtnl_lock();
	dfc_iface_detach_all(dn);
	rtnl_unlock();
	/* The hooks that were just removed may still be running. */
	synchronize_net();
	dfc_filter_uninit(&dn->filter);
	free_percpu(dn->stats);
}

static struct pernet_operations dfc_net_ops = {
	.init = dfc_net_init,
	.exit = dfc_net_exit,
	.id = &dfc_net_id,
	.size = sizeof(struct dfc_net),
};

int dfc_netns_init(void)
{
	return register_pernet_subsys(&dfc_net_ops);
}

void dfc_netns_uninit(void)
{
	unregister_pernet_subsys(&dfc_net_ops);
}
