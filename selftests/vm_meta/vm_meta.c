// SPDX-License-Identifier: GPL-2.0
/*
 * Provokes, on load, one real kernel report of the kind tools/vm-run must
 * turn into a failed run, so that selftests/vm_meta.sh can show that each
 * one does: fault=warn|hold|hang|lockup|leak|uaf|lockdep|sleep|rcu (ifname names
 * the device for hold), or none for the control. Never loaded outside those tests.
 */
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <net/net_namespace.h>

static char *fault = "";
module_param(fault, charp, 0444);
static char *ifname = "";
module_param(ifname, charp, 0444);

/* Where fault=leak drops its only pointer. */
static void *volatile vm_meta_sink;

static DEFINE_MUTEX(vm_meta_a);
static DEFINE_MUTEX(vm_meta_b);
static DEFINE_SPINLOCK(vm_meta_lock);
static int __rcu *vm_meta_ptr;

static int __init vm_meta_init(void)
{
	struct net_device *dev;
	volatile char *p;

	if (!strcmp(fault, "none")) {
		/* The positive control: same module, same path, no fault. */
	} else if (!strcmp(fault, "warn")) {
		WARN(1, "vm_meta: provoked WARN");
	} else if (!strcmp(fault, "hold")) {
		/* A reference never put back: unregister waits forever. */
		dev = dev_get_by_name(&init_net, ifname);
		if (!dev)
			return -ENODEV;
	} else if (!strcmp(fault, "hang")) {
		/* Uninterruptible sleep, longer than hung_task_timeout_secs. */
		msleep(8000);
	} else if (!strcmp(fault, "lockup")) {
		/* A CPU that never schedules again: only a panic ends the run. */
		preempt_disable();
		for (;;)
			mdelay(1);
	} else if (!strcmp(fault, "leak")) {
		vm_meta_sink = kmalloc(512, GFP_KERNEL);
		vm_meta_sink = NULL;
	} else if (!strcmp(fault, "uaf")) {
		p = kmalloc(64, GFP_KERNEL);
		if (!p)
			return -ENOMEM;
		kfree((void *)p);
		pr_info("vm_meta: read after free: %d\n", p[8]);
	} else if (!strcmp(fault, "lockdep")) {
		/* A then B, then B then A: an inversion, without deadlock. */
		mutex_lock(&vm_meta_a);
		mutex_lock(&vm_meta_b);
		mutex_unlock(&vm_meta_b);
		mutex_unlock(&vm_meta_a);
		mutex_lock(&vm_meta_b);
		mutex_lock(&vm_meta_a);
		mutex_unlock(&vm_meta_a);
		mutex_unlock(&vm_meta_b);
	} else if (!strcmp(fault, "sleep")) {
		spin_lock(&vm_meta_lock);
		might_sleep();
		spin_unlock(&vm_meta_lock);
	} else if (!strcmp(fault, "rcu")) {
		/* rcu_dereference() outside any read-side section. */
		pr_info("vm_meta: %p\n", rcu_dereference(vm_meta_ptr));
	} else {
		return -EINVAL;
	}
	return 0;
}

static void __exit vm_meta_exit(void)
{
}

module_init(vm_meta_init);
module_exit(vm_meta_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("dfc harness meta-test: provokes kernel reports");
