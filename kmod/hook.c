// SPDX-License-Identifier: GPL-2.0
/*
 * The data path: runs in softirq for every frame a monitored interface
 * receives, under RCU, never sleeping.
 */
#define pr_fmt(fmt) "dfc: " fmt

#include <linux/if_ether.h>
#include <linux/skbuff.h>
#include <uapi/linux/dfc.h>
#include "hook.h"
#include "iface.h"
#include "netns.h"

static void dfc_hook_count(struct dfc_pcpu_stats __percpu *pcpu,
			   unsigned int len, __be16 proto)
{
	struct dfc_pcpu_stats *s = this_cpu_ptr(pcpu);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->seen);
	u64_stats_add(&s->bytes, len);
	if (proto == htons(ETH_P_IP))
		u64_stats_inc(&s->ipv4);
	else if (proto == htons(ETH_P_IPV6))
		u64_stats_inc(&s->ipv6);
	else
		u64_stats_inc(&s->other);
	u64_stats_update_end(&s->syncp);
}

unsigned int dfc_hook_rx(void *priv, struct sk_buff *skb,
			 const struct nf_hook_state *state)
{
	struct dfc_iface *iface = priv;
	unsigned int len = skb->len;

	/* Count the frame as it was on the wire, link header included. */
	if (skb_mac_header_was_set(skb))
		len += skb->data - skb_mac_header(skb);
	dfc_hook_count(iface->stats, len, skb->protocol);
	dfc_hook_count(iface->dn->stats, len, skb->protocol);

	if (READ_ONCE(iface->flags) & DFC_IFACE_F_PASS)
		return NF_ACCEPT;
	/* A passive port feeds nothing to the host: consumed, not dropped. */
	consume_skb(skb);
	return NF_STOLEN;
}
