// SPDX-License-Identifier: GPL-2.0
/*
 * The data path: runs in softirq for every frame a monitored interface
 * receives, under RCU, never sleeping. Each frame is parsed once into a
 * flow key; the counters come from the parse result.
 */
#define pr_fmt(fmt) "dfc: " fmt

#include <linux/if_vlan.h>
#include <linux/skbuff.h>
#include <uapi/linux/dfc.h>
#include "hook.h"
#include "iface.h"
#include "copy.h"
#include "frag.h"
#include "netns.h"
#include "parse.h"

/*
 * One frame into one set of counters. @err, @ipver and @no_l4 are
 * dfc_parse()'s result; @stages adds the per-stage counters (kept per
 * namespace only).
 */
static void dfc_hook_count(struct dfc_pcpu_stats __percpu *pcpu,
			   unsigned int len, int err, u8 ipver, u8 no_l4,
			   bool stages)
{
	struct dfc_pcpu_stats *s = this_cpu_ptr(pcpu);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->seen);
	u64_stats_add(&s->bytes, len);
	if (!err && ipver == 4)
		u64_stats_inc(&s->ipv4);
	else if (!err && ipver == 6)
		u64_stats_inc(&s->ipv6);
	else
		u64_stats_inc(&s->other);
	if (!err && no_l4 == DFC_NO_L4_EXTHDRS)
		u64_stats_inc(&s->no_l4_exthdrs);
	else if (!err && no_l4 == DFC_NO_L4_TRUNCATED)
		u64_stats_inc(&s->no_l4_truncated);
	else if (!err && no_l4 == DFC_NO_L4_FRAGMENT)
		u64_stats_inc(&s->no_l4_fragment);
	if (stages) {
		if (!err)
			u64_stats_inc(&s->parsed);
		else if (err == -EINVAL)
			u64_stats_inc(&s->unparseable);
	}
	u64_stats_update_end(&s->syncp);
}

/*
 * Every frame parsed into a key is looked up exactly once, here (a
 * fragment through dfc_frag_rx(), which may hold it for its first).
 * may_share: copies may share the frame's pages (dfc_copy_frame()). True if
 * it matched.
 */
bool dfc_hook_lookup(struct dfc_net *dn, struct sk_buff *skb,
		     const struct dfc_key *key, const struct dfc_l3 *l3,
		     unsigned int len, bool may_share)
{
	struct dfc_filter_result res __uninitialized;
	struct dfc_copy_stats cs = {};
	struct dfc_pcpu_stats *s;

	dfc_filter_result_init(&res, len);
	dfc_filter_match(&dn->filter, key, &res);
	if (res.n)
		dfc_copy_frame(&dn->filter, &res, skb, l3, key->ipver, may_share,
			       &cs);
	s = this_cpu_ptr(dn->stats);
	u64_stats_update_begin(&s->syncp);
	u64_stats_add(&s->probed, res.probed);
	u64_stats_add(&s->copies, cs.sent);
	u64_stats_add(&s->copies_shared, cs.shared);
	u64_stats_add(&s->dup_dropped, res.lost + cs.lost);
	if (res.matched)
		u64_stats_inc(&s->matched);
	u64_stats_update_end(&s->syncp);
	return res.matched;
}

/* One of our own copies came back: counted, never looked up again. */
static void dfc_hook_looped(struct dfc_iface *iface)
{
	struct dfc_pcpu_stats __percpu *pcpu[] = { iface->stats, iface->dn->stats };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pcpu); i++) {
		struct dfc_pcpu_stats *s = this_cpu_ptr(pcpu[i]);

		u64_stats_update_begin(&s->syncp);
		u64_stats_inc(&s->looped);
		u64_stats_update_end(&s->syncp);
	}
}

unsigned int dfc_hook_rx(void *priv, struct sk_buff *skb,
			 const struct nf_hook_state *state)
{
	struct dfc_iface *iface = priv;
	/* Read once: whether the frame lives on decides what copies may share. */
	bool pass = READ_ONCE(iface->flags) & DFC_IFACE_F_PASS;
	u32 mark = READ_ONCE(iface->dn->filter.copy_mark);
	unsigned int len = skb->len;
	struct dfc_key key __uninitialized;	/* dfc_parse() zeroes it first */
	struct dfc_l3 l3;
	int err;

	/*
	 * A copy that left by a device that is not monitored and came back
	 * in this namespace (veth, bridge, tunnel: skb->mark survives them)
	 * would be copied again, for ever. dfc_xmit() marked it.
	 */
	if (unlikely(mark && skb->mark == mark)) {
		dfc_hook_looped(iface);
		goto out;
	}

	/*
	 * Count the frame as it was on the wire, link header included, and
	 * the VLAN tag the NIC or the stack moved out of the data.
	 */
	if (skb_mac_header_was_set(skb))
		len += skb->data - skb_mac_header(skb);
	if (skb_vlan_tag_present(skb))
		len += VLAN_HLEN;

	err = dfc_parse(skb, &key, &l3);
	dfc_hook_count(iface->stats, len, err, key.ipver, l3.no_l4, false);
	dfc_hook_count(iface->dn->stats, len, err, key.ipver, l3.no_l4, true);
	if (unlikely(!err && (key.flags & DFC_KEY_F_FRAG)))
		dfc_frag_rx(&iface->dn->frag, skb, &key, &l3, len);
	else if (likely(!err))
		dfc_hook_lookup(iface->dn, skb, &key, &l3, len, !pass);

out:
	if (pass)
		return NF_ACCEPT;
	/* A passive port feeds nothing to the host: consumed, not dropped. */
	consume_skb(skb);
	return NF_STOLEN;
}
