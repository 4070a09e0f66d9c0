/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A kernel criterion (kmod/crit.h) built in userspace from the library's
 * entries, the way kmod/crit_nl.c builds one from the netlink request:
 * for the host builds of the filter table (selftests/unit_table.c,
 * tools/bench_ruleset.c). Include after crit.h, entry.h and dfc_nl.h.
 */
#ifndef DFC_CRIT_HOST_H
#define DFC_CRIT_HOST_H

#include <stdlib.h>
#include <string.h>

static inline void crit_host_espec(const struct dfc_nl_entry *n, struct dfc_espec *e)
{
	memset(e, 0, sizeof(*e));
	e->ipver = n->ipver;
	e->src_plen = n->src_plen;
	e->dst_plen = n->dst_plen;
	memcpy(e->src, n->src, 16);
	memcpy(e->dst, n->dst, 16);
	e->ports = n->ports;
	e->sport = n->sport;
	e->sport_mask = n->sport_mask;
	e->dport = n->dport;
	e->dport_mask = n->dport_mask;
	e->sport_range = n->sport_range;
	e->sport_max = n->sport_max;
	e->dport_range = n->dport_range;
	e->dport_max = n->dport_max;
	e->proto = n->proto;
	e->proto_mask = n->proto_mask;
	e->icmp = n->icmp;
	e->icmp_type = n->icmp_type;
	e->icmp_type_mask = n->icmp_type_mask;
	e->icmp_code = n->icmp_code;
	e->icmp_code_mask = n->icmp_code_mask;
	e->ifindex = n->ifindex;
}

/*
 * A criterion with ne entries (their masks into masks[]) and nx
 * exclusions, not yet in a table; free() it. NULL with *why
 * set when an entry is refused, or without memory (*why NULL).
 */
static inline struct dfc_crit *
crit_host_build(const struct dfc_nl_entry *ents, unsigned int ne,
		const struct dfc_nl_entry *excl, unsigned int nx,
		struct dfc_key *masks, const char **why)
{
	enum dfc_espec_field bad;
	struct dfc_espec es;
	struct dfc_key vals[DFC_CRIT_MAX_ENTRIES];
	struct dfc_prange prs[DFC_CRIT_MAX_ENTRIES];
	bool narrow;
	struct dfc_crit *c;
	unsigned int j;

	*why = NULL;
	if (ne > DFC_CRIT_MAX_ENTRIES)
		return NULL;
	for (j = 0; j < ne; j++) {
		crit_host_espec(&ents[j], &es);
		if (dfc_espec_to_key(&es, &vals[j], &masks[j], &prs[j], &bad, why))
			return NULL;
	}
	narrow = dfc_entry_masks_narrow(masks, ne);
	c = calloc(1, dfc_crit_size(ne, nx, narrow));
	if (!c)
		return NULL;
	c->n_entries = (u16)ne;
	c->n_excl = (u8)nx;
	c->narrow = narrow;
	for (j = 0; j < ne; j++)
		dfc_crit_set_entry(c, j, &vals[j], &prs[j]);
	for (j = 0; j < nx; j++) {
		struct dfc_xentry *x = &dfc_crit_excl(c)[j];

		crit_host_espec(&excl[j], &es);
		if (dfc_espec_to_key(&es, &x->key, &x->mask, &x->pr, &bad, why))
			goto fail;
	}
	return c;
fail:
	free(c);
	return NULL;
}

#endif /* DFC_CRIT_HOST_H */
