/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DFC_COPY_H
#define _DFC_COPY_H

#include <linux/skbuff.h>

struct dfc_crit;
struct dfc_filter;
struct dfc_filter_result;
struct dfc_l3;

void dfc_copy_lost(struct dfc_crit *c);
unsigned int dfc_copy_frame(struct dfc_filter *f,
			    const struct dfc_filter_result *res,
			    struct sk_buff *skb, const struct dfc_l3 *l3,
			    u8 ipver, unsigned int *lost);

#endif /* _DFC_COPY_H */
