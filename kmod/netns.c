// SPDX-License-Identifier: GPL-2.0
/*
 * Per network namespace state. Only a pointer is reserved in every
 * namespace; the state itself (filter, id hash, per-CPU counters) is
 * allocated by the first dfc command there, so the host's other
 * namespaces pay nothing, and their exit does not touch RTNL or wait.
 */
#define pr_fmt(fmt) "dfc: " fmt

#include <linux/rtnetlink.h>
#include <net/netns/generic.h>
#include "cdest.h"
#include "iface.h"
#include "netlink.h"
#include "netns.h"

static unsigned int dfc_net_id __read_mostly;
/* Serialises creation; readers see the pointer published whole. */
static DEFINE_MUTEX(dfc_net_create);

struct dfc_net_slot {
	struct dfc_net *dn;
};

static struct dfc_net_slot *dfc_slot(const struct net *net)
{
	return net_generic(net, dfc_net_id);
}

struct dfc_net *dfc_net(const struct net *net)
{
	/* Pairs with smp_store_release() in dfc_net_get(). */
	return smp_load_acquire(&dfc_slot(net)->dn);
}

static struct dfc_pcpu_stats __percpu *dfc_net_stats_alloc(void)
{
	struct dfc_pcpu_stats __percpu *st;
	int cpu;

	st = alloc_percpu_gfp(struct dfc_pcpu_stats, GFP_KERNEL_ACCOUNT);
	if (!st)
		return NULL;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(st, cpu)->syncp);
	return st;
}

struct dfc_net *dfc_net_get(struct net *net)
{
	struct dfc_net *dn = dfc_net(net);
	int err = -ENOMEM;

	if (dn)
		return dn;
	mutex_lock(&dfc_net_create);
	dn = dfc_slot(net)->dn;
	if (dn)
		goto out;
	dn = kzalloc(sizeof(*dn), GFP_KERNEL_ACCOUNT);
	if (!dn)
		goto fail;
	dn->net = net;
	INIT_LIST_HEAD(&dn->ifaces);
	dn->stats = dfc_net_stats_alloc();
	if (!dn->stats)
		goto fail;
	err = dfc_frag_init(&dn->frag, dn);
	if (err)
		goto fail;
	err = dfc_filter_init(&dn->filter, net, &dfc_genl_events);
	if (err)
		goto fail;
	/* Published complete: pairs with smp_load_acquire() in dfc_net(). */
	smp_store_release(&dfc_slot(net)->dn, dn);
out:
	mutex_unlock(&dfc_net_create);
	return dn;
fail:
	if (dn) {
		dfc_frag_uninit(&dn->frag);
		free_percpu(dn->stats);
	}
	kfree(dn);
	mutex_unlock(&dfc_net_create);
	return ERR_PTR(err);
}

/*
 * Namespaces die in batches: one RTNL section and one grace period for
 * the whole batch, and none at all when no namespace of it used dfc.
 */
static void __net_exit dfc_net_exit_batch(struct list_head *net_exit_list)
{
	struct net *net;
	bool any = false;

	list_for_each_entry(net, net_exit_list, exit_list)
		any |= !!dfc_slot(net)->dn;
	if (!any)
		return;
	/* Devices of a dying namespace are gone already; this is for unload. */
	rtnl_lock();
	list_for_each_entry(net, net_exit_list, exit_list)
		if (dfc_slot(net)->dn)
			dfc_iface_detach_all(dfc_slot(net)->dn);
	rtnl_unlock();
	/* The hooks that were just removed may still be running. */
	synchronize_net();
	list_for_each_entry(net, net_exit_list, exit_list) {
		struct dfc_net *dn = dfc_slot(net)->dn;

		if (!dn)
			continue;
		/* Held fragments are released through the filter: first. */
		dfc_frag_uninit(&dn->frag);
		dfc_filter_uninit(&dn->filter);
		free_percpu(dn->stats);
		kfree(dn);
		dfc_slot(net)->dn = NULL;
	}
}

static struct pernet_operations dfc_net_ops = {
	.exit_batch = dfc_net_exit_batch,
	.id = &dfc_net_id,
	.size = sizeof(struct dfc_net_slot),
};

/*
 * A dying namespace unregisters its devices before its subsystems exit,
 * and a route cached by a destination would keep its loopback referenced.
 * As a device exit registered after the core's, this runs before those
 * devices go. Live namespaces (module unload) are left to exit_batch,
 * which runs once their hooks are gone.
 */
static void __net_exit dfc_net_dev_exit(struct net *net)
{
	struct dfc_net *dn = dfc_net(net);

	if (dn && !check_net(net))
		dfc_cdest_release_routes(&dn->filter);
}

static struct pernet_operations dfc_net_dev_ops = {
	.exit = dfc_net_dev_exit,
};

int dfc_netns_init(void)
{
	int err = register_pernet_subsys(&dfc_net_ops);

	if (err)
		return err;
	err = register_pernet_device(&dfc_net_dev_ops);
	if (err)
		unregister_pernet_subsys(&dfc_net_ops);
	return err;
}

void dfc_netns_uninit(void)
{
	unregister_pernet_device(&dfc_net_dev_ops);
	unregister_pernet_subsys(&dfc_net_ops);
}
