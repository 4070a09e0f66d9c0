// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The kernel's choice of xfrm policy and SA for a flow of copies, as
 * net/xfrm/xfrm_policy.c and xfrm_state.c make it (Linux 6.1).
 */
#include <string.h>
#include <sys/socket.h>
#include <linux/xfrm.h>

#include "ipsec_match.h"

static int addr_len(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

/* The first plen bits of a and b are equal (plen beyond the address: all). */
static bool prefix_eq(const uint8_t *a, const uint8_t *b, unsigned int plen, int family)
{
	unsigned int bits = (unsigned int)addr_len(family) * 8, whole;

	if (plen > bits)
		plen = bits;
	whole = plen / 8;
	if (memcmp(a, b, whole))
		return false;
	if (plen % 8) {
		uint8_t mask = (uint8_t)(0xff << (8 - plen % 8));

		return !((a[whole] ^ b[whole]) & mask);
	}
	return true;
}

static bool addr_any(const uint8_t *a, int family)
{
	static const uint8_t zero[16];

	return !memcmp(a, zero, (size_t)addr_len(family));
}

bool dfc_ipsec_sel_match(const struct dfc_ipsec_sel *sel, const struct dfc_ipsec_flow *fl)
{
	if (sel->family != fl->family || !prefix_eq(sel->daddr, fl->daddr, sel->prefixlen_d,
						    fl->family))
		return false;
	/* a source the route would choose but we could not learn: only "any" is sure */
	if (sel->prefixlen_s &&
	    (!fl->has_saddr || !prefix_eq(sel->saddr, fl->saddr, sel->prefixlen_s, fl->family)))
		return false;
	if (sel->proto && sel->proto != fl->proto)
		return false;
	/* ports count for UDP only here: protocols 4 and 41 carry none (xfrm_flowi_dport) */
	if (((fl->proto == 17 ? fl->dport : 0) ^ sel->dport) & sel->dport_mask)
		return false;
	if (((fl->proto == 17 ? fl->sport : 0) ^ sel->sport) & sel->sport_mask)
		return false;
	/* copies are routed without an output interface */
	return !sel->ifindex;
}

int dfc_ipsec_policy_pick(const struct dfc_ipsec_pol *v, size_t n,
			  const struct dfc_ipsec_flow *fl)
{
	int best = -1;

	for (size_t i = 0; i < n; i++) {
		const struct dfc_ipsec_pol *p = &v[i];

		/* the lookup's mark is 0: dfc.ko sets the copy mark after it */
		if (p->dir != XFRM_POLICY_OUT || p->mark_v || !dfc_ipsec_sel_match(&p->sel, fl))
			continue;
		if (best < 0 || p->priority < v[best].priority ||
		    (p->priority == v[best].priority && p->index < v[best].index))
			best = (int)i;
	}
	return best;
}

int dfc_ipsec_sa_pick(const struct dfc_ipsec_sa *v, size_t n, const struct dfc_ipsec_tmpl *t,
		      const struct dfc_ipsec_flow *fl, unsigned int *fit)
{
	const uint8_t *daddr = fl->daddr, *saddr = fl->has_saddr ? fl->saddr : NULL;
	int best = -1;

	*fit = 0;
	/* a tunnel goes between the template's ends; transport between the flow's */
	if (t->mode != XFRM_MODE_TRANSPORT) {
		daddr = t->daddr;
		saddr = addr_any(t->saddr, t->family) ? saddr : t->saddr;
	}
	for (size_t i = 0; i < n; i++) {
		const struct dfc_ipsec_sa *x = &v[i];
		size_t len = (size_t)addr_len(t->family);

		if (x->family != t->family || x->reqid != t->reqid || x->mark_v ||
		    x->mode != t->mode || x->proto != t->proto || (t->spi && t->spi != x->spi) ||
		    !x->spi /* larval: an acquire still negotiating */ ||
		    memcmp(x->daddr, daddr, len) ||
		    (saddr && !addr_any(saddr, t->family) && !addr_any(x->saddr, t->family) &&
		     memcmp(x->saddr, saddr, len)) ||
		    (x->sel.family && !dfc_ipsec_sel_match(&x->sel, fl)))
			continue;
		(*fit)++;
		if (best < 0 || v[best].dying > x->dying ||
		    (v[best].dying == x->dying && v[best].add_time < x->add_time))
			best = (int)i;
	}
	return best;
}
