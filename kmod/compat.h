/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the lookup core (key.h, table.c) needs from the kernel, and the same
 * names for userspace, so the very same code is built into the host test
 * and benchmark binaries. Userspace builds are single threaded: RCU
 * publication becomes release stores and grace periods are immediate.
 */
#ifndef _DFC_COMPAT_H
#define _DFC_COMPAT_H

#ifdef __KERNEL__
#include <linux/atomic.h>
#include <linux/compiler.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/types.h>

#define dfc_call_rcu(head, fn)	call_rcu(head, fn)
#define dfc_synchronize_rcu()	synchronize_rcu()
#else
/* Userspace builds: lib/kcompat_user.h gives the same names. */
#include "kcompat_user.h"
#endif /* __KERNEL__ */

#endif /* _DFC_COMPAT_H */
