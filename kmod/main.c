// SPDX-License-Identifier: GPL-2.0
/* Module init and exit: each subsystem in order, unwound in reverse. */
#define pr_fmt(fmt) "dfc: " fmt

#include <linux/module.h>
#include <linux/rcupdate.h>
#include <net/genetlink.h>
#include <uapi/linux/dfc.h>
#include "filter.h"
#include "frag.h"
#include "iface.h"
#include "netlink.h"
#include "netns.h"
#include "xmit.h"

/*
 * No MODULE_ALIAS_GENL_FAMILY: resolving a family name is open to every
 * user and would load the module on demand. Capture is loaded by the
 * administrator (insmod, or modprobe in dtcpd.service).
 */
static int __init dfc_mod_init(void)
{
	int err;

	err = dfc_frag_cache_init();
	if (err)
		return err;
	err = dfc_filter_mod_init();
	if (err)
		goto err_frag;
	err = dfc_netns_init();
	if (err)
		goto err_filter;
	err = dfc_iface_init();
	if (err)
		goto err_netns;
	err = dfc_genl_init();
	if (err)
		goto err_iface;
	pr_info("dynamic flow capture " DFC_VERSION " loaded\n");
	return 0;

err_iface:
	dfc_iface_uninit();
err_netns:
	dfc_netns_uninit();
err_filter:
	dfc_filter_mod_exit();
err_frag:
	dfc_frag_cache_uninit();
	return err;
}

static void __exit dfc_mod_exit(void)
{
	dfc_genl_uninit();
	dfc_iface_uninit();
	dfc_netns_uninit();
	dfc_filter_mod_exit();
	/* Objects freed after a grace period must be gone before the code. */
	rcu_barrier();
	dfc_xmit_uninit();
	dfc_frag_cache_uninit();
	pr_info("unloaded\n");
}

module_init(dfc_mod_init);
module_exit(dfc_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Dynamic flow capture for passive monitoring");
MODULE_VERSION(DFC_VERSION);
