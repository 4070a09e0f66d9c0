// SPDX-License-Identifier: GPL-2.0
/*
 * Fragments follow their first fragment. Only the first fragment of a
 * datagram carries its ports; a later one is looked up by addresses and
 * protocol alone and so misses every criterion that asks for ports. When
 * a first fragment matches, its key is remembered under the datagram's
 * identity (addresses, protocol, IP id or IPv6 fragment id), and its
 * later fragments are looked up with that key: the same criteria count
 * them and the same destinations get them, whichever port they came in
 * on. A later fragment that comes before its first is held (a clone, its
 * data shared) for up to DFC_FRAG_HOLD_MS; when no matched first comes
 * in that time it is looked up as it is and counted missed. First
 * fragments that matched nothing are remembered too, as a hash in a
 * direct-mapped array (no allocation, overwritten on collision), so that
 * the later fragments of datagrams nobody wants, in order, are looked up
 * at once rather than held.
 *
 * Bounded: at most fr->max datagrams (a matched first fragment makes
 * room by forgetting the oldest, counted evicted; a held one never does)
 * and fr->hold_max bytes held (beyond, a fragment is looked up at once,
 * missed). Entries expire after fr->timeout seconds, like the stack's
 * reassembly queues. A namespace with no criterion asking for ports or
 * ICMP fields has nothing to follow and skips all of this.
 */
#define pr_fmt(fmt) "dfc: " fmt

#include <linux/jhash.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include "frag.h"
#include "hook.h"
#include "netns.h"
#include "parse.h"

/* A datagram's identity, as the stack's reassembly keys it. */
struct dfc_frag_id {
	__be32 src[4];
	__be32 dst[4];
	__be32 id;
	u8 ipver;
	u8 proto;
	u8 pad[2];
};

struct dfc_frag_ent {
	struct hlist_node hnode;
	struct list_head lru;		/* in dfc_frag.lru, or a list to free */
	struct dfc_frag_id id;
	struct dfc_key first;		/* the first fragment's key */
	/* jiffies: when the first came (have_first), or the held ones' deadline */
	unsigned long when;
	struct sk_buff *held;		/* later fragments, in arrival order */
	struct sk_buff **held_tail;
	bool have_first;
};

/* A held fragment's place and size, in its clone's control block. */
struct dfc_frag_cb {
	u32 off;
	u32 len;
	u32 wire;
	int ifindex;
};

#define DFC_FRAG_CB(skb) ((struct dfc_frag_cb *)(skb)->cb)

static struct kmem_cache *dfc_frag_cache;

/* Any criterion asking for ports or ICMP fields: what fragments lack. */
static bool dfc_frag_wanted(struct dfc_table *t)
{
	const struct dfc_mask_array *ma = rcu_dereference(t->ma);
	unsigned int i;

	for (i = 0; ma && i < ma->n; i++) {
		const struct dfc_mask *m = rcu_dereference(ma->masks[i]);

		if (m->mask.flags & (DFC_KEY_F_PORTS | DFC_KEY_F_ICMP))
			return true;
	}
	return false;
}

static void dfc_frag_id_make(struct dfc_frag_id *id, const struct dfc_key *key,
			     const struct dfc_l3 *l3)
{
	memset(id, 0, sizeof(*id));
	memcpy(id->src, key->src, sizeof(id->src));
	memcpy(id->dst, key->dst, sizeof(id->dst));
	id->id = l3->frag_id;
	id->ipver = key->ipver;
	id->proto = l3->frag_proto;
}

/* The key dfc_parse() gives a later fragment of the datagram. */
static void dfc_frag_later_key(struct dfc_key *key, const struct dfc_frag_id *id)
{
	memset(key, 0, sizeof(*key));
	memcpy(key->src, id->src, sizeof(key->src));
	memcpy(key->dst, id->dst, sizeof(key->dst));
	key->ipver = id->ipver;
	key->proto = id->proto;
	key->flags = DFC_KEY_F_FRAG;
}

static u32 dfc_frag_hash(const struct dfc_frag *fr, const struct dfc_frag_id *id)
{
	return jhash2((const u32 *)id, sizeof(*id) / sizeof(u32), fr->seed);
}

/* The datagram's slot and tag among the unwanted ones; the tag is never 0. */
static u64 *dfc_frag_unwanted_slot(struct dfc_frag *fr, const struct dfc_frag_id *id,
				   u32 h, u64 *tag)
{
	u32 h2 = jhash2((const u32 *)id, sizeof(*id) / sizeof(u32), fr->seed2);

	*tag = ((u64)h << 32 | h2) | 1;
	return &fr->unwanted[h2 & (DFC_FRAG_UNWANTED - 1)];
}

static struct dfc_frag_ent *dfc_frag_find(struct dfc_frag *fr,
					  const struct dfc_frag_id *id, u32 h)
{
	struct dfc_frag_ent *e;

	hlist_for_each_entry(e, &fr->buckets[h & (DFC_FRAG_BUCKETS - 1)], hnode)
		if (!memcmp(&e->id, id, sizeof(*id)))
			return e;
	return NULL;
}

/* Takes e's held fragments off it; the caller counts and releases them. */
static struct sk_buff *dfc_frag_take(struct dfc_frag *fr, struct dfc_frag_ent *e,
				     unsigned int *n)
{
	struct sk_buff *list = e->held, *s;

	for (s = list; s; s = s->next) {
		fr->hold_mem -= s->truesize;
		(*n)++;
	}
	e->held = NULL;
	e->held_tail = &e->held;
	return list;
}

/* A datagram is remembered fr->timeout (as it is now) after its first fragment. */
static bool dfc_frag_expired(const struct dfc_frag *fr, const struct dfc_frag_ent *e)
{
	if (e->have_first)
		return !time_before(jiffies, e->when + READ_ONCE(fr->timeout) * HZ);
	return !time_before(jiffies, e->when);
}

static void dfc_frag_unlink(struct dfc_frag *fr, struct dfc_frag_ent *e)
{
	hlist_del(&e->hnode);
	list_del(&e->lru);
	fr->n--;
}

/*
 * A new entry, or NULL. Only a matched first fragment (@evict) makes room
 * by forgetting the oldest datagram: its held fragments go to *gone.
 */
static struct dfc_frag_ent *dfc_frag_new(struct dfc_frag *fr,
					 const struct dfc_frag_id *id, u32 h,
					 bool evict, struct list_head *gone)
{
	struct dfc_frag_ent *e;
	unsigned int n = 0;

	if (fr->n >= fr->max) {
		if (!evict || list_empty(&fr->lru))
			return NULL;
		e = list_first_entry(&fr->lru, struct dfc_frag_ent, lru);
		e->held = dfc_frag_take(fr, e, &n);
		fr->st.missed += n;
		dfc_frag_unlink(fr, e);
		list_add_tail(&e->lru, gone);
		fr->st.evicted++;
	}
	e = kmem_cache_zalloc(dfc_frag_cache, GFP_ATOMIC);
	if (!e)
		return NULL;
	e->id = *id;
	e->held_tail = &e->held;
	hlist_add_head(&e->hnode, &fr->buckets[h & (DFC_FRAG_BUCKETS - 1)]);
	list_add_tail(&e->lru, &fr->lru);
	fr->n++;
	return e;
}

/*
 * Held fragments, looked up with the first fragment's key, or as they
 * are (@first NULL). RCU read side, softirq or bottom halves disabled.
 */
static void dfc_frag_release(struct dfc_frag *fr, struct sk_buff *list,
			     const struct dfc_frag_id *id,
			     const struct dfc_key *first)
{
	while (list) {
		struct dfc_frag_cb *cb = DFC_FRAG_CB(list);
		struct sk_buff *next = list->next;
		struct dfc_l3 l3 = {
			.off = cb->off,
			.len = cb->len,
			.no_l4 = DFC_NO_L4_FRAGMENT,
		};
		struct dfc_key key;

		skb_mark_not_on_list(list);
		if (first)
			key = *first;
		else
			dfc_frag_later_key(&key, id);
		key.ifindex = cb->ifindex;
		dfc_hook_lookup(fr->dn, list, &key, &l3, cb->wire, false);
		consume_skb(list);
		list = next;
	}
}

/* Entries forgotten (evicted or expired): their held fragments missed. */
static void dfc_frag_free_list(struct dfc_frag *fr, struct list_head *gone)
{
	struct dfc_frag_ent *e, *tmp;

	list_for_each_entry_safe(e, tmp, gone, lru) {
		dfc_frag_release(fr, e->held, &e->id, NULL);
		kmem_cache_free(dfc_frag_cache, e);
	}
}

static void dfc_frag_first(struct dfc_frag *fr, struct sk_buff *skb,
			   const struct dfc_key *key, const struct dfc_l3 *l3,
			   unsigned int len, const struct dfc_frag_id *id, u32 h)
{
	bool matched = dfc_hook_lookup(fr->dn, skb, key, l3, len, false);
	struct dfc_frag_ent *e, *dead = NULL;
	struct sk_buff *held = NULL;
	unsigned int n = 0;
	u64 tag, *slot;
	LIST_HEAD(gone);

	slot = dfc_frag_unwanted_slot(fr, id, h, &tag);
	if (!matched)
		WRITE_ONCE(*slot, tag);
	else if (READ_ONCE(*slot) == tag)
		WRITE_ONCE(*slot, 0);
	spin_lock(&fr->lock);
	e = dfc_frag_find(fr, id, h);
	if (matched) {
		if (!e)
			e = dfc_frag_new(fr, id, h, true, &gone);
		if (e) {
			e->first = *key;
			e->have_first = true;
			e->when = jiffies;
			list_move_tail(&e->lru, &fr->lru);
			held = dfc_frag_take(fr, e, &n);
			fr->st.hits += n;
		}
	} else if (e) {
		/* Nothing (any more) wants this datagram: not missed. */
		held = dfc_frag_take(fr, e, &n);
		dfc_frag_unlink(fr, e);
		dead = e;
	}
	spin_unlock(&fr->lock);
	if (held)
		dfc_frag_release(fr, held, id, matched ? key : NULL);
	if (dead)
		kmem_cache_free(dfc_frag_cache, dead);
	dfc_frag_free_list(fr, &gone);
}

/* Holds a clone of a later fragment; false if there is no room. */
static bool dfc_frag_hold(struct dfc_frag *fr, struct dfc_frag_ent *e,
			  struct sk_buff *skb, const struct dfc_key *key,
			  const struct dfc_l3 *l3, unsigned int len,
			  const struct dfc_frag_id *id, u32 h)
{
	struct dfc_frag_cb *cb;
	struct sk_buff *c;

	if (fr->hold_mem + skb->truesize > fr->hold_max)
		return false;
	if (!e) {
		e = dfc_frag_new(fr, id, h, false, NULL);
		if (!e)
			return false;
		e->when = jiffies + msecs_to_jiffies(DFC_FRAG_HOLD_MS);
	}
	c = skb_clone(skb, GFP_ATOMIC);
	if (!c) {
		if (!e->held && !e->have_first) {
			dfc_frag_unlink(fr, e);
			kmem_cache_free(dfc_frag_cache, e);
		}
		return false;
	}
	/* Its device may be gone when it is released: never looked at. */
	c->dev = NULL;
	cb = DFC_FRAG_CB(c);
	cb->off = l3->off;
	cb->len = l3->len;
	cb->wire = len;
	cb->ifindex = key->ifindex;
	*e->held_tail = c;
	e->held_tail = &c->next;
	fr->hold_mem += c->truesize;
	fr->st.held++;
	return true;
}

void dfc_frag_rx(struct dfc_frag *fr, struct sk_buff *skb,
		 const struct dfc_key *key, const struct dfc_l3 *l3,
		 unsigned int len)
{
	struct dfc_frag_ent *e;
	struct dfc_frag_id id;
	struct dfc_key first;
	bool follow = false;
	u64 tag, *slot;
	u32 h;

	if (!READ_ONCE(fr->max) || !dfc_frag_wanted(&fr->dn->filter.table)) {
		dfc_hook_lookup(fr->dn, skb, key, l3, len, false);
		return;
	}
	dfc_frag_id_make(&id, key, l3);
	h = dfc_frag_hash(fr, &id);
	if (l3->no_l4 != DFC_NO_L4_FRAGMENT) {
		dfc_frag_first(fr, skb, key, l3, len, &id, h);
		if (READ_ONCE(fr->n))
			schedule_delayed_work(&fr->work, HZ / 2);
		return;
	}

	slot = dfc_frag_unwanted_slot(fr, &id, h, &tag);
	spin_lock(&fr->lock);
	e = dfc_frag_find(fr, &id, h);
	if (e && e->have_first && !dfc_frag_expired(fr, e)) {
		first = e->first;
		follow = true;
		fr->st.hits++;
	} else if (!e && READ_ONCE(*slot) == tag) {
		/* Its first fragment came and matched nothing. */
	} else {
		if (e && e->have_first) {
			/* Expired: wait for a first fragment again. */
			e->have_first = false;
			e->when = jiffies + msecs_to_jiffies(DFC_FRAG_HOLD_MS);
		}
		if (dfc_frag_hold(fr, e, skb, key, l3, len, &id, h)) {
			spin_unlock(&fr->lock);
			schedule_delayed_work(&fr->work, HZ / 2);
			return;
		}
		fr->st.missed++;
	}
	spin_unlock(&fr->lock);
	if (follow) {
		first.ifindex = key->ifindex;
		dfc_hook_lookup(fr->dn, skb, &first, l3, len, false);
	} else {
		dfc_hook_lookup(fr->dn, skb, key, l3, len, false);
	}
}

/* Forgets expired datagrams and releases fragments held too long. */
static void dfc_frag_work(struct work_struct *work)
{
	struct dfc_frag *fr = container_of(to_delayed_work(work),
					   struct dfc_frag, work);
	struct dfc_frag_ent *e, *tmp;
	unsigned int n = 0;
	LIST_HEAD(gone);
	bool more;

	spin_lock_bh(&fr->lock);
	/* At most fr->max entries: bounded. */
	list_for_each_entry_safe(e, tmp, &fr->lru, lru) {
		if (!dfc_frag_expired(fr, e))
			continue;
		e->held = dfc_frag_take(fr, e, &n);
		dfc_frag_unlink(fr, e);
		list_add_tail(&e->lru, &gone);
	}
	fr->st.missed += n;
	more = fr->n;
	spin_unlock_bh(&fr->lock);

	local_bh_disable();
	rcu_read_lock();
	dfc_frag_free_list(fr, &gone);
	rcu_read_unlock();
	local_bh_enable();
	if (more)
		schedule_delayed_work(&fr->work, HZ / 2);
}

int dfc_frag_init(struct dfc_frag *fr, struct dfc_net *dn)
{
	unsigned int i;

	spin_lock_init(&fr->lock);
	INIT_LIST_HEAD(&fr->lru);
	INIT_DELAYED_WORK(&fr->work, dfc_frag_work);
	fr->dn = dn;
	fr->seed = get_random_u32();
	fr->seed2 = get_random_u32();
	fr->max = DFC_FRAG_DEFAULT_MAX;
	fr->timeout = DFC_FRAG_DEFAULT_TIMEOUT;
	fr->hold_max = DFC_FRAG_DEFAULT_HOLD;
	fr->buckets = kvcalloc(DFC_FRAG_BUCKETS, sizeof(*fr->buckets),
			       GFP_KERNEL_ACCOUNT);
	fr->unwanted = kvcalloc(DFC_FRAG_UNWANTED, sizeof(*fr->unwanted),
				GFP_KERNEL_ACCOUNT);
	if (!fr->buckets || !fr->unwanted) {
		kvfree(fr->buckets);
		kvfree(fr->unwanted);
		fr->buckets = NULL;
		fr->unwanted = NULL;
		return -ENOMEM;
	}
	for (i = 0; i < DFC_FRAG_BUCKETS; i++)
		INIT_HLIST_HEAD(&fr->buckets[i]);
	return 0;
}

/* No reader may remain (the namespace's hooks are gone). */
void dfc_frag_uninit(struct dfc_frag *fr)
{
	struct dfc_frag_ent *e, *tmp;
	struct sk_buff *s;

	if (!fr->buckets)
		return;
	cancel_delayed_work_sync(&fr->work);
	list_for_each_entry_safe(e, tmp, &fr->lru, lru) {
		while (e->held) {
			s = e->held;
			e->held = s->next;
			kfree_skb(s);
		}
		kmem_cache_free(dfc_frag_cache, e);
	}
	kvfree(fr->buckets);
	kvfree(fr->unwanted);
	fr->buckets = NULL;
	fr->unwanted = NULL;
}

/* New settings; NULL leaves one as it is. A lower max applies to new entries. */
void dfc_frag_set(struct dfc_frag *fr, const u32 *max, const u32 *timeout,
		  const u32 *hold_max)
{
	spin_lock_bh(&fr->lock);
	if (max)
		WRITE_ONCE(fr->max, *max);
	if (timeout)
		WRITE_ONCE(fr->timeout, *timeout);
	if (hold_max)
		fr->hold_max = *hold_max;
	spin_unlock_bh(&fr->lock);
}

void dfc_frag_read(struct dfc_frag *fr, struct dfc_frag_stats *st, u32 *n,
		   u32 *mem, u32 *max, u32 *timeout, u32 *hold_max)
{
	spin_lock_bh(&fr->lock);
	*st = fr->st;
	*n = fr->n;
	*mem = fr->n * sizeof(struct dfc_frag_ent) + fr->hold_mem;
	*max = fr->max;
	*timeout = fr->timeout;
	*hold_max = fr->hold_max;
	spin_unlock_bh(&fr->lock);
}

int dfc_frag_cache_init(void)
{
	dfc_frag_cache = KMEM_CACHE(dfc_frag_ent, SLAB_ACCOUNT);
	return dfc_frag_cache ? 0 : -ENOMEM;
}

void dfc_frag_cache_uninit(void)
{
	kmem_cache_destroy(dfc_frag_cache);
}
