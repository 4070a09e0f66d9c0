// SPDX-License-Identifier: GPL-2.0
/*
 * Attaching and detaching passive-monitor interfaces: one netdev ingress
 * hook per device, removed when the device goes away. RTNL serialises all
 * of it against device unregistration.
 */
#define pr_fmt(fmt) "dfc: " fmt

#include <linux/if_arp.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include "iface.h"
#include "cdest.h"
#include "hook.h"
#include "netns.h"

struct dfc_iface *dfc_iface_find(struct dfc_net *dn,
				 const struct net_device *dev)
{
	struct dfc_iface *iface;

	ASSERT_RTNL();
	list_for_each_entry(iface, &dn->ifaces, list)
		if (iface->dev == dev)
			return iface;
	return NULL;
}

int dfc_iface_attach(struct dfc_net *dn, struct net_device *dev, u32 flags,
		     struct netlink_ext_ack *extack)
{
	struct dfc_iface *iface;
	int err;

	ASSERT_RTNL();
	if (dfc_iface_find(dn, dev)) {
		NL_SET_ERR_MSG(extack, "interface is already attached");
		return -EEXIST;
	}
	if (dev->type != ARPHRD_ETHER) {
		NL_SET_ERR_MSG(extack, "not an Ethernet interface");
		return -EINVAL;
	}

	iface = kzalloc(sizeof(*iface), GFP_KERNEL_ACCOUNT);
	if (!iface)
		return -ENOMEM;
	iface->stats = __netdev_alloc_pcpu_stats(struct dfc_pcpu_stats,
						 GFP_KERNEL_ACCOUNT);
	if (!iface->stats) {
		err = -ENOMEM;
		goto err_free;
	}
	iface->dn = dn;
	iface->dev = dev;
	iface->flags = flags;
	iface->attached = ktime_get_boottime_seconds();
	iface->ops.hook = dfc_hook_rx;
	iface->ops.pf = NFPROTO_NETDEV;
	iface->ops.hooknum = NF_NETDEV_INGRESS;
	iface->ops.priority = 0;
	iface->ops.dev = dev;
	iface->ops.priv = iface;

	err = nf_register_net_hook(dn->net, &iface->ops);
	if (err) {
		NL_SET_ERR_MSG(extack, "cannot register the ingress hook");
		goto err_stats;
	}
	netdev_hold(dev, &iface->dev_tracker, GFP_KERNEL_ACCOUNT);
	list_add_tail(&iface->list, &dn->ifaces);
	WRITE_ONCE(dn->n_ifaces, dn->n_ifaces + 1);
	dn->iface_gen++;
	pr_info("attached %s (ifindex %d)\n", dev->name, dev->ifindex);
	/* Merged frames would be copied (and counted) as one. */
	if (dev->features & (NETIF_F_GRO | NETIF_F_LRO))
		pr_warn("%s: GRO/LRO is on; turn it off on passive ports (ethtool -K %s gro off lro off)\n",
			dev->name, dev->name);
	return 0;

err_stats:
	free_percpu(iface->stats);
err_free:
	kfree(iface);
	return err;
}

static void dfc_iface_free_rcu(struct rcu_head *rcu)
{
	struct dfc_iface *iface = container_of(rcu, struct dfc_iface, rcu);

	free_percpu(iface->stats);
	kfree(iface);
}

void dfc_iface_detach(struct dfc_iface *iface)
{
	struct dfc_net *dn = iface->dn;

	ASSERT_RTNL();
	nf_unregister_net_hook(dn->net, &iface->ops);
	list_del(&iface->list);
	WRITE_ONCE(dn->n_ifaces, dn->n_ifaces - 1);
	dn->iface_gen++;
	pr_info("detached %s\n", iface->dev->name);
	netdev_put(iface->dev, &iface->dev_tracker);
	/* The hook may still be running on another CPU until a grace period. */
	call_rcu(&iface->rcu, dfc_iface_free_rcu);
}

void dfc_iface_detach_all(struct dfc_net *dn)
{
	struct dfc_iface *iface, *tmp;

	list_for_each_entry_safe(iface, tmp, &dn->ifaces, list)
		dfc_iface_detach(iface);
}

static int dfc_iface_netdev_event(struct notifier_block *nb,
				  unsigned long event, void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct dfc_net *dn = dfc_net(dev_net(dev));
	struct dfc_iface *iface;

	/*
	 * Deletion and moving to another namespace both unregister. Only
	 * namespaces that use dfc concern us, and no filter lock is taken
	 * here, under RTNL: cached routes let go of a deleted device by
	 * themselves (the routing code moves them to blackhole_netdev); a
	 * dying namespace's caches are dropped by dfc_net_dev_exit().
	 */
	if (event != NETDEV_UNREGISTER || !dn)
		return NOTIFY_DONE;
	iface = dfc_iface_find(dn, dev);
	if (iface)
		dfc_iface_detach(iface);
	return NOTIFY_DONE;
}

static struct notifier_block dfc_iface_notifier = {
	.notifier_call = dfc_iface_netdev_event,
};

int dfc_iface_init(void)
{
	return register_netdevice_notifier(&dfc_iface_notifier);
}

/*
 * Unregistering replays NETDEV_UNREGISTER for every device of every
 * namespace, under RTNL: this detaches every interface.
 */
void dfc_iface_uninit(void)
{
	unregister_netdevice_notifier(&dfc_iface_notifier);
}
