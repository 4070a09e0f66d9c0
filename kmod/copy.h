/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DFC_COPY_H
#define _DFC_COPY_H

#include <linux/skbuff.h>

struct dfc_crit;
struct dfc_filter;
struct dfc_filter_result;
struct dfc_l3;

/* What the copies of one frame came to. */
struct dfc_copy_stats {
	unsigned int sent;	/* taken by the output path */
	unsigned int shared;	/* of those, sent without copying the bytes */
	unsigned int lost;	/* left out by max-duplicates */
};

void dfc_copy_lost(struct dfc_crit *c);
void dfc_copy_frame(struct dfc_filter *f, const struct dfc_filter_result *res,
		    struct sk_buff *skb, const struct dfc_l3 *l3, u8 ipver,
		    bool may_share, struct dfc_copy_stats *st);

#endif /* _DFC_COPY_H */
