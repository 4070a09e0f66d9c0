// SPDX-License-Identifier: GPL-2.0
/*
 * Tuple-space search over the criteria's masked entries, with relaxed
 * tuples (docs/classifier.md); this file puts entries in and takes them
 * out, lookup.c holds the lookup and the masks' probe order. An entry
 * goes into the most specific table whose prefix lengths are at most its
 * own and whose other fields agree, or a new table with its lengths
 * rounded down to a coarse grid, so that address shapes alone make few
 * tables. Plain C on top of compat.h: the same file is built into dfc.ko
 * and into the host tests.
 *
 * Readers take an RCU snapshot of the mask array, then for each mask an
 * RCU snapshot of its hash table instance. Writers (serialised by the
 * caller) publish new arrays and instances with rcu_assign_pointer and free
 * the old ones after a grace period, so readers never stop.
 */
#include "addrmap.h"
#include "pairmap.h"
#include "crit.h"
#include "table.h"

#define DFC_TINST_MIN_BUCKETS 8
#define DFC_TINST_MAX_BUCKETS 0x1000000U	/* 2^24 */
/*
 * Entries of other criteria a bucket may hold before a new entry goes to
 * a more specific table instead (step 3 in docs/classifier.md).
 */
#define DFC_BUCKET_MAX 8

static size_t tinst_size(u32 n)
{
	return sizeof(struct dfc_tinst) + n * sizeof(struct dfc_entry *) +
	       dfc_pairmap_words(n) * sizeof(u64);
}

static size_t marray_size(u32 n)
{
	return sizeof(struct dfc_mask_array) + n * sizeof(struct dfc_mask *);
}

static struct dfc_tinst *tinst_alloc(struct dfc_table *t, u32 n, u8 ver)
{
	struct dfc_tinst *ti = kvzalloc(tinst_size(n), GFP_KERNEL_ACCOUNT);

	if (!ti)
		return NULL;
	ti->n_buckets = n;
	ti->seed = get_random_u32();
	ti->ver = ver;
	dfc_pairmap_size(ti);
	t->mem += tinst_size(n);
	return ti;
}

static void tinst_free_rcu(struct rcu_head *rcu)
{
	kvfree(container_of(rcu, struct dfc_tinst, rcu));
}

/* The bucket of ti (a table of m) that value k hashes to under m's mask. */
static struct dfc_entry __rcu **
tinst_bucket(struct dfc_tinst *ti, const struct dfc_mask *m,
	     const struct dfc_key *k)
{
	struct dfc_key mk;

	return &ti->buckets[dfc_mask_hash(m, &mk, k, ti->seed) &
			    (ti->n_buckets - 1)];
}

static void tinst_link(struct dfc_table *t, struct dfc_tinst *ti,
		       struct dfc_entry *e, const struct dfc_key *k)
{
	struct dfc_entry __rcu **b = tinst_bucket(ti, e->mask, k);

	dfc_pairmap_add(e->mask, ti, k);

	RCU_INIT_POINTER(e->next[ti->ver], dfc_table_deref(t, *b));
	rcu_assign_pointer(*b, e);
}

static void tinst_unlink(struct dfc_table *t, struct dfc_tinst *ti,
			 struct dfc_entry *e)
{
	struct dfc_entry __rcu **pp;
	struct dfc_key k;

	dfc_entry_key(e, &k);
	pp = tinst_bucket(ti, e->mask, &k);

	while (dfc_table_deref(t, *pp) != e)
		pp = &dfc_table_deref(t, *pp)->next[ti->ver];
	/* e keeps its own link: a reader standing on it walks on. */
	rcu_assign_pointer(*pp, dfc_table_deref(t, e->next[ti->ver]));
}

/* Buckets for count entries: about one each, within the bounds. */
static u32 mask_want_buckets(u32 count)
{
	u32 n = DFC_TINST_MIN_BUCKETS;

	while (n < count && n < DFC_TINST_MAX_BUCKETS)
		n *= 2;
	return n;
}

/*
 * Rebuild a mask's table for its entry count, with a fresh seed; best
 * effort. Also at the same size once more entries have gone than are
 * left, whose address map bits only a rebuild clears. The new instance
 * reuses the link slot of the one before the current: until a grace
 * period has passed since that one was retired, a reader may still walk
 * those links, so the rebuild waits for a later call (the worker retries
 * every tick) instead of blocking here.
 */
static void mask_resize(struct dfc_table *t, struct dfc_mask *m)
{
	struct dfc_tinst *old = dfc_table_deref(t, m->ti), *ti;
	u32 n = mask_want_buckets(m->count), b;
	u64 f8[2][4] = { { 0 } };
	struct dfc_entry *e;

	if (n < old->n_buckets && m->count >= old->n_buckets / 4)
		n = old->n_buckets;
	if (n == old->n_buckets && m->stale <= m->count)
		return;
	if (!dfc_rcu_done(m->retire_cookie))
		return;
	ti = tinst_alloc(t, n, !old->ver);
	if (!ti)
		return;
	for (b = 0; b < old->n_buckets; b++)
		for (e = dfc_table_deref(t, old->buckets[b]); e;
		     e = dfc_table_deref(t, e->next[old->ver])) {
			struct dfc_key k;

			dfc_entry_key(e, &k);
			tinst_link(t, ti, e, &k);
			dfc_addrmap_note(f8, &k);
		}
	/* Bits of entries gone since the last rebuild go now. */
	dfc_addrmap_set(m, f8);
	m->stale = 0;
	rcu_assign_pointer(m->ti, ti);
	m->retire_cookie = dfc_rcu_cookie();
	t->mem -= tinst_size(old->n_buckets);
	dfc_call_rcu(&old->rcu, tinst_free_rcu);
}

/* No reader can see m (never published, or after a grace period). */
static void mask_free(struct dfc_mask *m)
{
	kvfree(rcu_access_pointer(m->ti));
	free_percpu(m->hits);
	kfree(m);
}

/* What a mask takes besides its hash table. */
static size_t mask_mem(void)
{
	return sizeof(struct dfc_mask) + sizeof(u32) * num_possible_cpus();
}

static void mask_free_rcu(struct rcu_head *rcu)
{
	mask_free(container_of(rcu, struct dfc_mask, rcu));
}

static void array_free_rcu(struct rcu_head *rcu)
{
	kfree(container_of(rcu, struct dfc_mask_array, rcu));
}

/* Prefix length of an address mask (a prefix: leading ones only). */
static u8 addr_plen(const __be32 *m)
{
	unsigned int i;
	u8 n = 0;
	u32 w;

	for (i = 0; i < 4; i++)
		for (w = ntohl(m[i]); w; w <<= 1)
			n++;
	return n;
}

static void addr_mask(__be32 *m, unsigned int plen)
{
	unsigned int i;

	for (i = 0; i < 4; i++, plen = plen > 32 ? plen - 32 : 0)
		m[i] = plen >= 32 ? htonl(~0U) :
		       plen ? htonl(~0U << (32 - plen)) : 0;
}

/* A new table's length: IPv4 0, 8, 16, 24, 32; IPv6 in steps of 16. */
static u8 plen_grid(u8 plen, bool v6)
{
	return plen - plen % (v6 ? 16 : 8);
}

/* Table mask mk with its address prefixes cut to sp and dp bits. */
static struct dfc_mask *mask_alloc(struct dfc_table *t,
				   const struct dfc_key *mk, u8 sp, u8 dp)
{
	struct dfc_mask *m = kzalloc(sizeof(*m), GFP_KERNEL_ACCOUNT);
	struct dfc_tinst *ti;

	if (!m)
		return NULL;
	m->hits = alloc_percpu_gfp(u32, GFP_KERNEL_ACCOUNT);
	ti = m->hits ? tinst_alloc(t, DFC_TINST_MIN_BUCKETS, 0) : NULL;
	if (!ti) {
		free_percpu(m->hits);
		kfree(m);
		return NULL;
	}
	m->mask = *mk;
	addr_mask(m->mask.src, sp);
	addr_mask(m->mask.dst, dp);
	m->plen[0] = sp;
	m->plen[1] = dp;
	m->narrow = !dfc_key_words(&m->mask)[1] && !dfc_key_words(&m->mask)[3];
	m->fon = dfc_pairmap_init(m);
	dfc_addrmap_init(m);
	m->retire_cookie = dfc_rcu_cookie();
	RCU_INIT_POINTER(m->ti, ti);
	t->mem += mask_mem();
	return m;
}

/* A port the table hashes: as the entry's, or any for an exact one. */
static bool port_fits(__be16 table, __be16 own)
{
	return table == own || (!table && own == htons(0xffff));
}

/*
 * Can table m hold an entry of mask mk, prefix lengths sp and dp? Its
 * lengths at most those; an exact port or protocol may go where the table
 * takes any (the port as a one-port range, the protocol compared in the
 * bucket); every other field equal.
 */
static bool mask_fits(const struct dfc_mask *m, const struct dfc_key *mk,
		      u8 sp, u8 dp)
{
	const struct dfc_key *a = &m->mask;

	return m->plen[0] <= sp && m->plen[1] <= dp &&
	       port_fits(a->sport, mk->sport) && port_fits(a->dport, mk->dport) &&
	       (a->proto == mk->proto || (!a->proto && mk->proto == 0xff)) &&
	       a->ifindex == mk->ifindex && a->ipver == mk->ipver &&
	       a->icmp_type == mk->icmp_type && a->icmp_code == mk->icmp_code &&
	       a->flags == mk->flags;
}

/* How specific a table is: the bits it hashes, roughly. */
static unsigned int mask_score(const struct dfc_mask *m)
{
	return m->plen[0] + m->plen[1] + (m->mask.sport ? 16 : 0) +
	       (m->mask.dport ? 16 : 0) + (m->mask.proto ? 8 : 0);
}

/* The most specific table of v[0..n) that can hold the entry; or NULL. */
static struct dfc_mask *masks_choose(struct dfc_mask **v, u32 n,
				     const struct dfc_key *mk, u8 sp, u8 dp)
{
	struct dfc_mask *best = NULL;
	u32 i;

	for (i = 0; i < n; i++)
		if (mask_fits(v[i], mk, sp, dp) &&
		    (!best || mask_score(v[i]) > mask_score(best)))
			best = v[i];
	return best;
}

/* The table of v[0..n) whose mask is exactly mk; or NULL. */
static struct dfc_mask *masks_find(struct dfc_mask **v, u32 n,
				   const struct dfc_key *mk)
{
	u32 i;

	for (i = 0; i < n; i++)
		if (dfc_key_equal(&v[i]->mask, mk))
			return v[i];
	return NULL;
}

/*
 * Whether m holds DFC_BUCKET_MAX entries with val's key under m's mask:
 * entries a bigger table would not spread either (other collisions are
 * for resizing to spread).
 */
static bool bucket_full(struct dfc_table *t, struct dfc_mask *m,
			const struct dfc_key *val)
{
	struct dfc_tinst *ti = dfc_table_deref(t, m->ti);
	struct dfc_key mk, ek;
	struct dfc_entry *e;
	unsigned int n = 0;
	u32 h = dfc_mask_hash(m, &mk, val, ti->seed);

	e = dfc_table_deref(t, ti->buckets[h & (ti->n_buckets - 1)]);
	for (; e; e = dfc_table_deref(t, e->next[ti->ver])) {
		dfc_entry_key(e, &ek);
		dfc_key_mask(&ek, &ek, &m->mask);
		if (dfc_key_equal(&ek, &mk) && ++n >= DFC_BUCKET_MAX)
			return true;
	}
	return false;
}

/*
 * The table for one entry (value val, mask mk) among v[0..*k), made and
 * added there if needed. The most specific table that can hold it, if its
 * bucket there has room; else, of the tables more specific than that one,
 * the first with room or that can be made: the entry's lengths cut to the
 * grid with exact ports taken as one-port ranges (not hashed), then the
 * same lengths with its exact ports hashed. Otherwise (at the limit of
 * masks, or no table would split the bucket) the most specific table,
 * however full.
 * NULL with *err set if there is none.
 */
static struct dfc_mask *mask_for_entry(struct dfc_table *t,
				       struct dfc_mask **v, u32 *k,
				       const struct dfc_key *val,
				       const struct dfc_key *mk, int *err)
{
	u8 sp = addr_plen(mk->src), dp = addr_plen(mk->dst);
	struct dfc_mask *m = masks_choose(v, *k, mk, sp, dp), *x;
	bool v6 = val->ipver == 6;
	struct dfc_mask cand;
	unsigned int i;

	if (m && !bucket_full(t, m, val))
		return m;
	for (i = 0; i < 2; i++) {
		cand.mask = *mk;
		cand.plen[0] = plen_grid(sp, v6);
		cand.plen[1] = plen_grid(dp, v6);
		addr_mask(cand.mask.src, cand.plen[0]);
		addr_mask(cand.mask.dst, cand.plen[1]);
		if (!i) {
			if (cand.mask.sport == htons(0xffff))
				cand.mask.sport = 0;
			if (cand.mask.dport == htons(0xffff))
				cand.mask.dport = 0;
		}
		if (m && mask_score(&cand) <= mask_score(m))
			continue;
		x = masks_find(v, *k, &cand.mask);
		if (x) {
			if (!bucket_full(t, x, val))
				return x;
			continue;
		}
		if (*k >= t->max_masks)
			break;
		x = mask_alloc(t, &cand.mask, cand.plen[0], cand.plen[1]);
		if (!x) {
			*err = -ENOMEM;
			return NULL;
		}
		v[(*k)++] = x;
		return x;
	}
	if (!m)
		*err = -ENOSPC;
	return m;
}

/* Publish a new array holding v[0..n); the old one goes after a grace period. */
int dfc_table_publish(struct dfc_table *t, struct dfc_mask **v, u32 n)
{
	struct dfc_mask_array *old = dfc_table_deref(t, t->ma), *ma;
	u32 i;

	ma = kzalloc(marray_size(n), GFP_KERNEL_ACCOUNT);
	if (!ma)
		return -ENOMEM;
	ma->n = n;
	for (i = 0; i < n; i++)
		RCU_INIT_POINTER(ma->masks[i], v[i]);
	rcu_assign_pointer(t->ma, ma);
	t->mem += marray_size(n) - marray_size(old->n);
	dfc_call_rcu(&old->rcu, array_free_rcu);
	return 0;
}

int dfc_table_init(struct dfc_table *t, u32 max_masks)
{
	struct dfc_mask_array *ma = kzalloc(marray_size(0), GFP_KERNEL_ACCOUNT);

	if (!ma)
		return -ENOMEM;
	memset(t, 0, sizeof(*t));
	RCU_INIT_POINTER(t->ma, ma);
	t->max_masks = max_masks;
	t->mem = marray_size(0);
	return 0;
}

/* Caller holds the lock, no reader remains, every criterion was removed. */
void dfc_table_destroy(struct dfc_table *t)
{
	struct dfc_mask_array *ma = dfc_table_deref(t, t->ma);
	u32 i;

	for (i = 0; i < ma->n; i++)
		mask_free(dfc_table_deref(t, ma->masks[i]));
	kfree(ma);
	RCU_INIT_POINTER(t->ma, NULL);
}

/* Would two entries of c match the same frame? Then it would count twice. */
bool dfc_crit_overlaps(const struct dfc_crit *c, const struct dfc_key *masks)
{
	struct dfc_key a, b;
	unsigned int i, j;

	for (i = 0; i < c->n_entries; i++) {
		const struct dfc_entry *ei = dfc_crit_entry(c, i);

		dfc_entry_key(ei, &a);
		for (j = i + 1; j < c->n_entries; j++) {
			const struct dfc_entry *ej = dfc_crit_entry(c, j);

			dfc_entry_key(ej, &b);
			if (dfc_key_overlap(&a, &masks[i], &b, &masks[j]) &&
			    dfc_prange_overlap(&a, &masks[i], &ei->pr,
					       &b, &masks[j], &ej->pr))
				return true;
		}
	}
	return false;
}

static void mask_count(struct dfc_mask *m, const struct dfc_entry *e, int d)
{
	unsigned int v, v6 = e->t.ipver == 6;

	m->count += d;
	/* An entry of any IP version counts for both. */
	for (v = 0; v < 2; v++)
		if (!m->mask.ipver || v == v6)
			WRITE_ONCE(m->n_ver[v], m->n_ver[v] + d);
}

/*
 * Choose the table of every entry of the n criteria v[i] (masks[i][j] the
 * mask of entry j), making the tables that are missing, all or nothing,
 * before any entry is linked; the choice is kept in the entry's mask
 * pointer for dfc_table_link(). A batch
 * either becomes visible whole (dfc_table_link, which cannot fail) or not
 * at all. New masks are published empty, which readers skip at the cost
 * of a probe until dfc_table_compact drops them if the batch fails later.
 * -ENOSPC beyond max_masks (*bad: the criterion), -ENOMEM.
 */
int dfc_table_reserve(struct dfc_table *t, struct dfc_crit *const *v,
		      const struct dfc_key *const *masks, unsigned int n,
		      unsigned int *bad)
{
	struct dfc_mask_array *ma = dfc_table_deref(t, t->ma);
	u32 have = ma->n, k, i, j;
	struct dfc_mask **nv;
	int err = 0;

	*bad = 0;
	/* Each entry makes at most one table. */
	for (i = 0, k = have; i < n; i++)
		k += v[i]->n_entries;
	if (k > t->max_masks)
		k = have > t->max_masks ? have : t->max_masks;
	nv = kvcalloc(k, sizeof(*nv), GFP_KERNEL_ACCOUNT);
	if (!nv)
		return -ENOMEM;
	for (i = 0; i < have; i++)
		nv[i] = dfc_table_deref(t, ma->masks[i]);
	k = have;
	for (i = 0; i < n && !err; i++) {
		for (j = 0; j < v[i]->n_entries; j++) {
			struct dfc_entry *e = dfc_crit_entry(v[i], j);
			struct dfc_key val;

			dfc_entry_key(e, &val);
			e->mask = mask_for_entry(t, nv, &k, &val,
						 &masks[i][j], &err);
			if (!e->mask) {
				*bad = i;
				break;
			}
		}
	}
	if (!err && k != have)
		err = dfc_table_publish(t, nv, k);
	if (err) {
		for (i = have; i < k; i++) {
			t->mem -= mask_mem() + tinst_size(DFC_TINST_MIN_BUCKETS);
			mask_free(nv[i]);
		}
	}
	kvfree(nv);
	return err;
}

/*
 * Link every entry of c (values in its entries, masks in masks[i])
 * into the table dfc_table_reserve() chose for it. An entry whose
 * prefixes are longer than its table's keeps their lengths. c must be
 * complete: from the first link on, readers count with it.
 */
void dfc_table_link(struct dfc_table *t, struct dfc_crit *c,
		    const struct dfc_key *masks)
{
	u32 i;

	for (i = 0; i < c->n_entries; i++) {
		struct dfc_entry *e = dfc_crit_entry(c, i);
		struct dfc_mask *m = e->mask;
		struct dfc_key own = masks[i], k;
		u8 sp = addr_plen(own.src), dp = addr_plen(own.dst);
		bool own_proto = own.proto && !m->mask.proto;

		dfc_entry_key(e, &k);
		/* An exact port where the table takes any: a one-port range. */
		if (own.sport && !m->mask.sport) {
			e->pr.slo = ntohs(k.sport);
			e->pr.sspan = 0;
			own.sport = 0;
		}
		if (own.dport && !m->mask.dport) {
			e->pr.dlo = ntohs(k.dport);
			e->pr.dspan = 0;
			own.dport = 0;
		}
		dfc_key_mask(&k, &k, &own);
		k.aux = i;		/* after masking, which clears it */
		if (sp != m->plen[0] || dp != m->plen[1] || own_proto) {
			k.flags |= DFC_KEY_F_RELAXED |
				   (own_proto ? DFC_KEY_F_OWN_PROTO : 0);
			k.pad[0] = sp;
			k.pad[1] = dp;
		}
		dfc_entry_set_key(e, &k, c->narrow);
		dfc_addrmap_add(m, &k);
		tinst_link(t, dfc_table_deref(t, m->ti), e, &k);
		mask_count(m, e, 1);
	}
	t->n_entries += c->n_entries;
	for (i = 0; i < c->n_entries; i++)
		mask_resize(t, dfc_crit_entry(c, i)->mask);
}

/* One criterion: dfc_table_reserve() and dfc_table_link(). */
int dfc_table_insert(struct dfc_table *t, struct dfc_crit *c,
		     const struct dfc_key *masks)
{
	unsigned int bad;
	int err = dfc_table_reserve(t, &c, &masks, 1, &bad);

	if (!err)
		dfc_table_link(t, c, masks);
	return err;
}

/*
 * Drop masks left empty; the array is rebuilt without them. Failing to
 * allocate only leaves them in place until the next attempt (the worker's,
 * dfc_table_rebalance()).
 */
void dfc_table_compact(struct dfc_table *t)
{
	struct dfc_mask_array *ma = dfc_table_deref(t, t->ma);
	u32 i, n = 0, total = ma->n, gone;
	struct dfc_mask **v;

	for (i = 0; i < total; i++)
		if (!dfc_table_deref(t, ma->masks[i])->count)
			break;
	if (i == total)
		return;
	v = kvcalloc(total, sizeof(*v), GFP_KERNEL_ACCOUNT);
	if (!v)
		return;
	/* Kept masks at the front, empty ones from the back. */
	gone = total;
	for (i = 0; i < total; i++) {
		struct dfc_mask *m = dfc_table_deref(t, ma->masks[i]);

		if (m->count)
			v[n++] = m;
		else
			v[--gone] = m;
	}
	if (!dfc_table_publish(t, v, n)) {
		for (i = gone; i < total; i++) {
			t->mem -= mask_mem() +
				  tinst_size(dfc_table_deref(t, v[i]->ti)->n_buckets);
			dfc_call_rcu(&v[i]->rcu, mask_free_rcu);
		}
	}
	kvfree(v);
}

/* Unlink every entry of c; c may be freed after the next grace period. */
void dfc_table_remove(struct dfc_table *t, struct dfc_crit *c)
{
	bool empty = false;
	u32 i;

	for (i = 0; i < c->n_entries; i++) {
		struct dfc_entry *e = dfc_crit_entry(c, i);

		tinst_unlink(t, dfc_table_deref(t, e->mask->ti), e);
		mask_count(e->mask, e, -1);
		e->mask->stale++;
		empty |= !e->mask->count;
	}
	t->n_entries -= c->n_entries;
	for (i = 0; i < c->n_entries; i++)
		if (dfc_crit_entry(c, i)->mask->count)
			mask_resize(t, dfc_crit_entry(c, i)->mask);
	if (empty)
		dfc_table_compact(t);
}

/*
 * Resizes that had to wait for a grace period, and a compaction that could
 * not allocate (an empty mask would otherwise stay, probed by every frame
 * and counted against max_masks, until another mask empties): the
 * worker's retry.
 */
void dfc_table_rebalance(struct dfc_table *t)
{
	struct dfc_mask_array *ma;
	u32 i;

	dfc_table_compact(t);
	ma = dfc_table_deref(t, t->ma);
	for (i = 0; i < ma->n; i++)
		mask_resize(t, dfc_table_deref(t, ma->masks[i]));
}

u32 dfc_table_masks(struct dfc_table *t)
{
	return dfc_table_deref(t, t->ma)->n;
}

/* The value, mask and port ranges entry e was given (for dumps). */
void dfc_entry_spec(const struct dfc_entry *e, struct dfc_key *val,
		    struct dfc_key *mask, struct dfc_prange *pr)
{
	dfc_entry_key(e, val);
	*mask = e->mask->mask;
	*pr = e->pr;
	if (val->flags & DFC_KEY_F_RELAXED) {
		addr_mask(mask->src, val->pad[0]);
		addr_mask(mask->dst, val->pad[1]);
		if (val->flags & DFC_KEY_F_OWN_PROTO)
			mask->proto = 0xff;
		val->flags &= ~(DFC_KEY_F_RELAXED | DFC_KEY_F_OWN_PROTO);
	}
	/* A one-port range only comes from an exact port (dfc_table_link). */
	if (!pr->sspan) {
		val->sport = htons(pr->slo);
		mask->sport = htons(0xffff);
		pr->slo = 0;
		pr->sspan = 0xffff;
	}
	if (!pr->dspan) {
		val->dport = htons(pr->dlo);
		mask->dport = htons(0xffff);
		pr->dlo = 0;
		pr->dspan = 0xffff;
	}
	val->aux = 0;
	val->pad[0] = 0;
	val->pad[1] = 0;
}
