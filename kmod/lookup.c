// SPDX-License-Identifier: GPL-2.0
/*
 * The filter table's lookup (table.h, docs/classifier.md): the all-match
 * search the hook runs for every frame, under RCU and never blocking, and
 * the order its masks are probed in, busiest first, which the worker
 * keeps up to date. Putting entries in and taking them out is table.c's.
 * Plain C on top of compat.h: the same file is built into dfc.ko and into
 * the host tests.
 */
#include "addrmap.h"
#include "pairmap.h"
#include "crit.h"
#include "table.h"

/* Out of line: rare, and inlined it costs the lookup loop registers. */
static noinline bool crit_excluded(const struct dfc_crit *c,
				   const struct dfc_key *key, u16 sp, u16 dp)
{
	const struct dfc_xentry *x = dfc_crit_excl(c);
	unsigned int i;

	for (i = 0; i < c->n_excl; i++)
		if (dfc_key_match(key, &x[i].mask, &x[i].key) &&
		    dfc_prange_match(&x[i].pr, sp, dp))
			return true;
	return false;
}

/*
 * All-match: call fn for every criterion matching key, each at most once
 * (a criterion's entries are disjoint). Returns the number of masks probed
 * (hashed and looked up: not those the frame's IP version or an address
 * map rules out). Caller holds rcu_read_lock (or is the writer).
 */
unsigned int dfc_table_match(struct dfc_table *t, const struct dfc_key *key,
			     dfc_match_fn fn, void *ctx)
{
	struct dfc_mask_array *ma = rcu_dereference(t->ma);
	u16 sp = ntohs(key->sport), dp = ntohs(key->dport);
	unsigned int probed = 0, i, v6 = key->ipver == 6;
	struct dfc_key mk __uninitialized;	/* dfc_mask_hash() writes it whole */

	for (i = 0; i < ma->n; i++) {
		struct dfc_mask *m = rcu_dereference(ma->masks[i]);
		struct dfc_tinst *ti;
		struct dfc_entry *e;
		bool hit = false;
		u8 fon;
		u32 h;

		/* No entry of this IP version behind this mask: skip it. */
		if (!READ_ONCE(m->n_ver[v6]))
			continue;
		/* None with the frame's first address bytes: skip it too. */
		fon = READ_ONCE(m->fon);
		if ((fon & 3) && dfc_addrmap_rules_out(m, fon, key))
			continue;
		/* Nor with its prefix pair. */
		ti = rcu_dereference(m->ti);
		if ((fon & DFC_PAIRMAP_ON) && dfc_pairmap_rules_out(m, fon, ti, key))
			continue;
		probed++;
		h = dfc_mask_hash(m, &mk, key, ti->seed);
		e = rcu_dereference(ti->buckets[h & (ti->n_buckets - 1)]);
		for (; e; e = rcu_dereference(e->next[ti->ver])) {
			struct dfc_crit *c;

			if (!dfc_entry_equal(e, &mk) &&
			    (likely(!(e->t.flags & DFC_KEY_F_RELAXED)) ||
			     !dfc_entry_relaxed_match(e, key, &mk)))
				continue;
			if (!dfc_prange_match(&e->pr, sp, dp))
				continue;
			c = dfc_entry_crit(e);
			if (unlikely(c->n_excl) && crit_excluded(c, key, sp, dp))
				continue;
			hit = true;
			fn(c, ctx);
		}
		if (hit)
			this_cpu_inc(*m->hits);
	}
	return probed;
}

/* Hits since the last sort count whole, older ones half as much each time. */
static void mask_tally(struct dfc_mask *m)
{
	u32 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(*per_cpu_ptr(m->hits, cpu));
	m->busy = m->busy / 2 + (sum - m->hits_seen);
	m->hits_seen = sum;
}

static void sort_by_busy(struct dfc_mask **v, u32 n)
{
	u32 i, j;

	/* Insertion sort: few masks, mostly in order already. */
	for (i = 1; i < n; i++) {
		struct dfc_mask *m = v[i];

		for (j = i; j > 0 && v[j - 1]->busy < m->busy; j--)
			v[j] = v[j - 1];
		v[j] = m;
	}
}

/*
 * Probe the busiest masks first: the hook's working set stays at the front
 * and its caches warm. Hits decay so that the order follows the traffic.
 */
int dfc_table_sort_masks(struct dfc_table *t)
{
	struct dfc_mask_array *ma;
	struct dfc_mask **v;
	u32 i, n;
	int err;

	dfc_table_compact(t);
	ma = dfc_table_deref(t, t->ma);
	n = ma->n;
	if (n < 2)
		return 0;
	v = kvcalloc(n, sizeof(*v), GFP_KERNEL_ACCOUNT);
	if (!v)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		v[i] = dfc_table_deref(t, ma->masks[i]);
		mask_tally(v[i]);
	}
	sort_by_busy(v, n);
	for (i = 0; i < n && v[i] == dfc_table_deref(t, ma->masks[i]); i++)
		;
	/* Publishing frees ma after a grace period: only v and n from here. */
	err = i < n ? dfc_table_publish(t, v, n) : 0;
	kvfree(v);
	return err;
}
