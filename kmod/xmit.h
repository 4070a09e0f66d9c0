/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DFC_XMIT_H
#define _DFC_XMIT_H

#include <linux/skbuff.h>

struct dfc_cdest;

/* After the last copy: the CPUs' fragment caches go back. */
void dfc_xmit_uninit(void);

/* What became of one copy. */
enum dfc_xmit_ret {
	DFC_XMIT_DROPPED,	/* counted on the destination, by cause */
	DFC_XMIT_COPIED,	/* sent, the frame's bytes copied */
	DFC_XMIT_SHARED,	/* sent, holding the frame's pages: not all copied */
};

enum dfc_xmit_ret dfc_xmit(struct net *net, struct dfc_cdest *cd,
			   const struct sk_buff *skb, unsigned int off,
			   unsigned int len, u8 inner_ver, u32 mark, bool may_share);

#endif /* _DFC_XMIT_H */
