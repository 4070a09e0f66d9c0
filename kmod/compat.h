/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the lookup core (key.h, table.c, lookup.c) needs from the kernel,
 * and the same names for userspace, so the very same code is built into
 * the host test and benchmark binaries. Userspace builds are single
 * threaded: RCU publication becomes release stores and grace periods are
 * immediate.
 */
#ifndef _DFC_COMPAT_H
#define _DFC_COMPAT_H

#ifdef __KERNEL__
#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/build_bug.h>
#include <linux/compiler.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/random.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/types.h>

#define dfc_call_rcu(head, fn)	call_rcu(head, fn)
/* A grace period that starts now, and whether it has ended: no waiting. */
#define dfc_rcu_cookie()	start_poll_synchronize_rcu()
#define dfc_rcu_done(c)		poll_state_synchronize_rcu(c)
/* The table's writers hold the lock it was given (lockdep checks). */
#define dfc_table_held(t)	lockdep_is_held((t)->lock)
/* Writer-side dereference: lockdep checks the table's lock is held. */
#define dfc_table_deref(t, p)	rcu_dereference_protected(p, dfc_table_held(t))
#else
/* Userspace builds: lib/kcompat_user.h gives the same names. */
#include "kcompat_user.h"
#ifndef GFP_KERNEL_ACCOUNT
#define GFP_KERNEL_ACCOUNT	GFP_KERNEL
#endif
/* Single threaded: grace periods are immediate, there is no lock. */
#define dfc_rcu_cookie()	0UL
#define dfc_rcu_done(c)		((void)(c), true)
#define dfc_table_held(t)	((void)(t), true)
#define dfc_table_deref(t, p)	((void)(t), (p))
#endif /* __KERNEL__ */

#endif /* _DFC_COMPAT_H */
