/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DFC_HOOK_H
#define _DFC_HOOK_H

#include <linux/netfilter.h>

unsigned int dfc_hook_rx(void *priv, struct sk_buff *skb,
			 const struct nf_hook_state *state);

#endif /* _DFC_HOOK_H */
