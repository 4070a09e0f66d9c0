/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DFC_HOOK_H
#define _DFC_HOOK_H

#include <linux/netfilter.h>

struct dfc_net;
struct dfc_key;
struct dfc_l3;

bool dfc_hook_lookup(struct dfc_net *dn, struct sk_buff *skb,
		     const struct dfc_key *key, const struct dfc_l3 *l3,
		     unsigned int len, bool may_share);
unsigned int dfc_hook_rx(void *priv, struct sk_buff *skb,
			 const struct nf_hook_state *state);

#endif /* _DFC_HOOK_H */
