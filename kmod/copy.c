// SPDX-License-Identifier: GPL-2.0
/*
 * Which matching criteria get a copy of a frame: one copy per content
 * destination, at most max-duplicates in all and per owner, best criteria
 * first (lower priority value, then older). Those left out count dropped
 * duplicates. A frame that GRO merged (or a GSO frame from a veth or
 * virtio peer) is copied as the packets that crossed the wire: segmented
 * once, each segment copied.
 */
#define pr_fmt(fmt) "dfc: " fmt

#include "cdest.h"
#include "copy.h"
#include "filter.h"
#include "parse.h"
#include "xmit.h"

void dfc_copy_lost(struct dfc_crit *c)
{
	atomic64_add(1, &c->dup_dropped);
	dfc_cdest_drop(c->cd, DFC_DROP_DUPCAP);
}

/*
 * The wire packets of a GSO frame, or NULL to copy it whole (not IP at the
 * network header, or segmentation failed). The frame may be shared with
 * packet sockets and the stack: only a private copy of its head is
 * segmented (its pages are shared, never written), in software (no
 * device features), so each segment carries its own computed checksum.
 */
static struct sk_buff *dfc_copy_segment(struct sk_buff *skb,
					const struct dfc_l3 *l3)
{
	struct sk_buff *c, *segs;

	if (l3->off || (skb->protocol != htons(ETH_P_IP) &&
			skb->protocol != htons(ETH_P_IPV6)))
		return NULL;
	c = pskb_copy(skb, GFP_ATOMIC);
	if (!c)
		return NULL;
	/* Receive path: data at the network header, so no link header. */
	segs = __skb_gso_segment(c, 0, false);
	if (IS_ERR_OR_NULL(segs) || segs == c) {
		kfree_skb(c);
		return NULL;
	}
	consume_skb(c);
	return segs;
}

static void dfc_copy_count(struct dfc_copy_stats *st, enum dfc_xmit_ret r)
{
	st->sent += r != DFC_XMIT_DROPPED;
	st->shared += r == DFC_XMIT_SHARED;
}

/*
 * One copy of the frame, or of each of its segments, to cd. Segments are
 * private copies already: only the frame itself may share its pages.
 */
static void dfc_copy_one(struct net *net, struct dfc_cdest *cd,
			 struct sk_buff *skb, struct sk_buff *segs,
			 const struct dfc_l3 *l3, u8 ipver, u32 mark,
			 bool may_share, struct dfc_copy_stats *st)
{
	struct sk_buff *s;

	if (!segs) {
		dfc_copy_count(st, dfc_xmit(net, cd, skb, l3->off, l3->len,
					    ipver, mark, may_share));
		return;
	}
	for (s = segs; s; s = s->next)
		dfc_copy_count(st, dfc_xmit(net, cd, s, 0, s->len, ipver, mark,
					    false));
}

/*
 * The copies of a frame that matched, counted in *st. may_share: the
 * frame dies after the hook (a passive port), so its pages may be shared.
 */
void dfc_copy_frame(struct dfc_filter *f, const struct dfc_filter_result *res,
		    struct sk_buff *skb, const struct dfc_l3 *l3, u8 ipver,
		    bool may_share, struct dfc_copy_stats *st)
{
	/*
	 * Read only below n_served and n_owners, where written: no need for
	 * the 1 KiB of zeroes INIT_STACK_ALL_ZERO writes on every frame.
	 */
	struct dfc_cdest *served[DFC_MAX_DUP] __uninitialized;
	u32 owner[DFC_MAX_DUP] __uninitialized, n_copies[DFC_MAX_DUP] __uninitialized;
	unsigned int n_served = 0, n_owners = 0, i, j, k;
	u32 max = READ_ONCE(f->max_dup);
	u32 mark = READ_ONCE(f->copy_mark);
	struct sk_buff *segs = NULL;
	bool segmented = false;

	for (i = 0; i < res->n; i++) {
		struct dfc_crit *c = res->cand[i];

		/* The destination has its copy from a better criterion. */
		for (j = 0; j < n_served && served[j] != c->cd; j++)
			;
		if (j < n_served)
			continue;
		for (k = 0; k < n_owners && owner[k] != c->owner; k++)
			;
		if (k == n_owners) {
			owner[n_owners] = c->owner;
			n_copies[n_owners++] = 0;
		}
		/* Caps are at least 1: an owner's first copy needs no lookup. */
		if (n_served >= max ||
		    (n_copies[k] && n_copies[k] >= dfc_filter_max_dup(f, c->owner))) {
			dfc_copy_lost(c);
			st->lost++;
			continue;
		}
		served[n_served++] = c->cd;
		n_copies[k]++;
		if (READ_ONCE(c->cd->over_hard)) {
			dfc_cdest_drop(c->cd, DFC_DROP_RATELIMIT);
			continue;
		}
		if (!segmented && skb_is_gso(skb))
			segs = dfc_copy_segment(skb, l3);
		segmented = true;
		dfc_copy_one(f->net, c->cd, skb, segs, l3, ipver, mark,
			     may_share, st);
	}
	while (segs) {
		struct sk_buff *next = segs->next;

		consume_skb(segs);
		segs = next;
	}
}
