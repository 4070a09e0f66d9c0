/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DFC_XMIT_H
#define _DFC_XMIT_H

#include <linux/skbuff.h>

struct dfc_cdest;

/* After the last copy: the CPUs' fragment caches go back. */
void dfc_xmit_uninit(void);

bool dfc_xmit(struct net *net, struct dfc_cdest *cd, const struct sk_buff *skb,
	      unsigned int off, unsigned int len, u8 inner_ver, u32 mark);

#endif /* _DFC_XMIT_H */
