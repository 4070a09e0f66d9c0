// SPDX-License-Identifier: GPL-2.0
/*
 * Which matching criteria get a copy of a frame: one copy per content
 * destination, at most max-duplicates in all and per owner, best criteria
 * first (lower priority value, then older). Those left out count dropped
 * duplicates.
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

/* Returns the number of copies sent; *lost grows by those capped. */
unsigned int dfc_copy_frame(struct dfc_filter *f,
			    const struct dfc_filter_result *res,
			    const struct sk_buff *skb, const struct dfc_l3 *l3,
			    u8 ipver, unsigned int *lost)
{
	struct dfc_cdest *served[DFC_MAX_DUP];
	u32 owner[DFC_MAX_DUP], share[DFC_MAX_DUP];
	unsigned int n_served = 0, n_owners = 0, sent = 0, i, j, k;
	u32 max = READ_ONCE(f->max_dup);

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
			share[n_owners++] = 0;
		}
		if (n_served >= max ||
		    share[k] >= dfc_filter_max_dup(f, c->owner)) {
			dfc_copy_lost(c);
			(*lost)++;
			continue;
		}
		served[n_served++] = c->cd;
		share[k]++;
		if (READ_ONCE(c->cd->over_hard)) {
			dfc_cdest_drop(c->cd, DFC_DROP_RATELIMIT);
			continue;
		}
		sent += dfc_xmit(f->net, c->cd, skb, l3->off, l3->len, ipver);
	}
	return sent;
}
