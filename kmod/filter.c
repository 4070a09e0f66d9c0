// SPDX-License-Identifier: GPL-2.0
/*
 * The criteria of a namespace: adding and removing them (all or nothing per
 * batch), finding them by (owner, id), counting matches in the hook, and
 * expiring them when a limit is reached.
 */
#define pr_fmt(fmt) "dfc: " fmt

#include <linux/jhash.h>
#include <linux/netdevice.h>
#include <linux/random.h>
#include <linux/ktime.h>
#include <linux/timekeeping.h>
#include <uapi/linux/dfc.h>
#include "cdest.h"
#include "copy.h"
#include "filter.h"

#define DFC_IDHASH_MIN 1024

static u32 idhash_slot(const struct dfc_filter *f, u32 owner, u64 id)
{
	return jhash_3words(owner, (u32)id, (u32)(id >> 32), f->idseed) &
	       (f->idhash_size - 1);
}

struct dfc_crit *dfc_filter_find(struct dfc_filter *f, u32 owner, u64 id)
{
	struct dfc_crit *c;

	lockdep_assert_held(&f->lock);
	for (c = f->idhash[idhash_slot(f, owner, id)]; c; c = c->hnext)
		if (c->owner == owner && c->id == id)
			return c;
	return NULL;
}

static void idhash_link(struct dfc_filter *f, struct dfc_crit *c)
{
	struct dfc_crit **b = &f->idhash[idhash_slot(f, c->owner, c->id)];

	c->hnext = *b;
	*b = c;
}

static void idhash_unlink(struct dfc_filter *f, struct dfc_crit *c)
{
	struct dfc_crit **pp = &f->idhash[idhash_slot(f, c->owner, c->id)];

	while (*pp != c)
		pp = &(*pp)->hnext;
	*pp = c->hnext;
}

/* Room for n criteria at a load of at most one per slot. */
static int idhash_reserve(struct dfc_filter *f, u32 n)
{
	struct dfc_crit **old = f->idhash, *c, *next;
	u32 size = f->idhash_size, old_size = size, i;

	while (size < n)
		size *= 2;
	if (size == old_size)
		return 0;
	f->idhash = kvcalloc(size, sizeof(*f->idhash), GFP_KERNEL);
	if (!f->idhash) {
		f->idhash = old;
		return -ENOMEM;
	}
	f->idhash_size = size;
	for (i = 0; i < old_size; i++)
		for (c = old[i]; c; c = next) {
			next = c->hnext;
			idhash_link(f, c);
		}
	kvfree(old);
	return 0;
}

size_t dfc_filter_crit_mem(const struct dfc_crit *c)
{
	return dfc_crit_size(c->n_entries) +
	       c->n_excl * sizeof(struct dfc_xentry) + c->blob_len +
	       (c->lim ? sizeof(*c->lim) : 0);
}

void dfc_filter_free(struct dfc_crit *c)
{
	kfree(c->excl);
	kfree(c->blob);
	kfree(c->lim);
	kvfree(c);
}

/*
 * Add n criteria, all or nothing. masks[i] holds the masks of v[i]'s
 * entries. On success the filter owns them; on failure the caller frees
 * them, and *bad is the index of the criterion at fault, *why the reason.
 */
int dfc_filter_add(struct dfc_filter *f, struct dfc_crit **v, unsigned int n,
		   const struct dfc_key *const *masks, unsigned int *bad,
		   const char **why)
{
	unsigned int i, linked = 0, inserted = 0;
	int err;

	lockdep_assert_held(&f->lock);
	*bad = 0;
	if (n > f->max_crits - min(f->n_crits, f->max_crits)) {
		*why = "criteria limit reached";
		return -ENOSPC;
	}
	err = idhash_reserve(f, f->n_crits + n);
	if (err) {
		*why = "out of memory";
		return err;
	}
	for (i = 0; i < n; i++) {
		if (!v[i]->cdest)
			continue;
		v[i]->cd = dfc_cdest_find(f, v[i]->cdest);
		if (!v[i]->cd) {
			*bad = i;
			*why = "unknown content destination";
			return -ENOENT;
		}
	}
	for (; linked < n; linked++) {
		if (dfc_filter_find(f, v[linked]->owner, v[linked]->id)) {
			*bad = linked;
			*why = "criterion id exists for this owner";
			err = -EEXIST;
			goto unlink;
		}
		idhash_link(f, v[linked]);
	}
	for (; inserted < n; inserted++) {
		err = dfc_table_insert(&f->table, v[inserted], masks[inserted]);
		if (err) {
			*bad = inserted;
			*why = err == -ENOSPC ? "mask limit reached" :
						"out of memory";
			goto remove;
		}
	}
	for (i = 0; i < n; i++) {
		struct dfc_crit *c = v[i];

		list_add_tail(&c->list, &f->crits);
		if (c->lim) {
			c->lim->crit = c;
			list_add_tail(&c->lim->tlist, &f->timed);
		}
		if (c->cd)
			c->cd->n_crits++;
		c->bytes_mark_time = c->added;
		c->seq = ++f->seq;
		f->crit_mem += dfc_filter_crit_mem(c);
	}
	f->n_crits += n;
	f->gen++;
	dfc_filter_kick(f);
	return 0;

remove:
	while (inserted--)
		dfc_table_remove(&f->table, v[inserted]);
	/* The hook may have seen them: free only after a grace period. */
	synchronize_net();
unlink:
	while (linked--)
		idhash_unlink(f, v[linked]);
	return err;
}

/* Take c out of every structure; the caller frees it after a grace period. */
void dfc_filter_unlink(struct dfc_filter *f, struct dfc_crit *c)
{
	lockdep_assert_held(&f->lock);
	dfc_table_remove(&f->table, c);
	idhash_unlink(f, c);
	list_del(&c->list);
	if (c->lim)
		list_del_init(&c->lim->tlist);
	if (c->cd)
		c->cd->n_crits--;
	f->crit_mem -= dfc_filter_crit_mem(c);
	f->n_crits--;
	f->gen++;
}

/* Unlink c; dfc_filter_reap() frees it once no reader can see it. */
void dfc_filter_del(struct dfc_filter *f, struct dfc_crit *c)
{
	dfc_filter_unlink(f, c);
	list_add_tail(&c->list, &f->graveyard);
}

/* One grace period for every criterion removed since the last reap. */
void dfc_filter_reap(struct dfc_filter *f)
{
	struct dfc_crit *c, *tmp;

	lockdep_assert_held(&f->lock);
	if (list_empty(&f->graveyard))
		return;
	synchronize_net();
	list_for_each_entry_safe(c, tmp, &f->graveyard, list) {
		list_del(&c->list);
		dfc_filter_free(c);
	}
}

/* Refresh gave c limits: put them on the expiry list if new. */
void dfc_filter_retime(struct dfc_filter *f, struct dfc_crit *c)
{
	lockdep_assert_held(&f->lock);
	if (c->lim && list_empty(&c->lim->tlist))
		list_add_tail(&c->lim->tlist, &f->timed);
	dfc_filter_kick(f);
}

void dfc_filter_kick(struct dfc_filter *f)
{
	if (!delayed_work_pending(&f->work))
		schedule_delayed_work(&f->work, HZ);
}

int dfc_filter_set_owner(struct dfc_filter *f, u32 owner, u32 max_dup)
{
	struct dfc_owners *old = rcu_dereference_protected(f->owners,
					lockdep_is_held(&f->lock));
	u32 n = old ? old->n : 0, i, j = 0;
	struct dfc_owners *nw;

	nw = kzalloc(struct_size(nw, o, n + 1), GFP_KERNEL);
	if (!nw)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		if (old->o[i].owner != owner)
			nw->o[j++] = old->o[i];
	if (max_dup) {
		nw->o[j].owner = owner;
		nw->o[j++].max_dup = max_dup;
	}
	nw->n = j;
	rcu_assign_pointer(f->owners, nw);
	if (old)
		kfree_rcu(old, rcu);
	return 0;
}

/* The hook's view: the owner's own cap, else the namespace's. */
u32 dfc_filter_max_dup(struct dfc_filter *f, u32 owner)
{
	const struct dfc_owners *ow = rcu_dereference(f->owners);
	u32 i;

	for (i = 0; ow && i < ow->n; i++)
		if (ow->o[i].owner == owner)
			return ow->o[i].max_dup;
	return READ_ONCE(f->max_dup);
}

/* Better first: lower priority value, then older. */
static bool crit_better(const struct dfc_crit *a, const struct dfc_crit *b)
{
	if (a->prio != b->prio)
		return a->prio < b->prio;
	return (s32)(a->seq - b->seq) < 0;
}

static void filter_hit(struct dfc_crit *c, void *ctx)
{
	struct dfc_filter_result *r = ctx;
	unsigned int i;

	if (!r->now)
		r->now = ktime_get_boottime_seconds();
	if (!dfc_crit_account(c, r->len, r->now))
		return;
	r->matched++;
	if (!c->cd)
		return;
	/* Keep the best DFC_MAX_DUP candidates in order; the rest lose. */
	if (r->n == DFC_MAX_DUP) {
		r->lost++;
		if (!crit_better(c, r->cand[r->n - 1])) {
			dfc_copy_lost(c);
			return;
		}
		dfc_copy_lost(r->cand[--r->n]);
	}
	for (i = r->n; i > 0 && crit_better(c, r->cand[i - 1]); i--)
		r->cand[i] = r->cand[i - 1];
	r->cand[i] = c;
	r->n++;
}

/* In the hook, under RCU: count every criterion the key matches. */
void dfc_filter_match(struct dfc_filter *f, const struct dfc_key *key,
		      struct dfc_filter_result *res)
{
	res->probed = dfc_table_match(&f->table, key, filter_hit, res);
}

static u8 expiry_reason(const struct dfc_crit *c, u32 now)
{
	const struct dfc_limits *lim = c->lim;
	u32 idle_from = max(READ_ONCE(c->last_match), lim->idle_base);

	if (lim->packets && atomic64_read(&c->packets) >= (s64)lim->packets)
		return DFC_REASON_PACKETS;
	if (lim->bytes && atomic64_read(&c->bytes) >= (s64)lim->bytes)
		return DFC_REASON_BYTES;
	if (lim->total_deadline && now >= lim->total_deadline)
		return DFC_REASON_TOTAL;
	if (lim->timeout_idle && now >= idle_from + lim->timeout_idle)
		return DFC_REASON_IDLE;
	return DFC_REASON_NONE;
}

static void filter_expire(struct dfc_filter *f, u32 now)
{
	struct dfc_limits *lim, *tmp;
	LIST_HEAD(expired);

	list_for_each_entry_safe(lim, tmp, &f->timed, tlist) {
		struct dfc_crit *c = lim->crit;
		u8 reason = expiry_reason(c, now);

		if (!reason)
			continue;
		/* Stop counting first, so the notice has the final counts. */
		WRITE_ONCE(c->dead, 1);
		c->reason = reason;
		list_move_tail(&lim->tlist, &expired);
	}
	if (list_empty(&expired))
		return;
	synchronize_net();
	list_for_each_entry_safe(lim, tmp, &expired, tlist) {
		list_del_init(&lim->tlist);
		dfc_genl_notify_expired(f->net, lim->crit);
		f->expired++;
		dfc_filter_del(f, lim->crit);
	}
}

/* Every 10 s: what each criterion matched so far, for its recent rate. */
static void filter_mark(struct dfc_filter *f, u32 now)
{
	struct dfc_crit *c;

	list_for_each_entry(c, &f->crits, list) {
		if (!c->cd)
			continue;
		c->bytes_mark = atomic64_read(&c->bytes);
		c->bytes_mark_time = now;
	}
}

/* Every dup period: tell each owner whose criteria lost duplicates. */
static void filter_dup_events(struct dfc_filter *f)
{
	u32 done[16], n_done = 0, i;
	struct dfc_crit *c;

	list_for_each_entry(c, &f->crits, list) {
		if ((u64)atomic64_read(&c->dup_dropped) == c->dup_reported)
			continue;
		for (i = 0; i < n_done && done[i] != c->owner; i++)
			;
		if (i < n_done)
			continue;
		/* Marks every criterion of the owner as reported. */
		dfc_genl_notify_dup(f->net, f, c->owner);
		if (n_done < ARRAY_SIZE(done))
			done[n_done++] = c->owner;
	}
}

static void filter_work(struct work_struct *work)
{
	struct dfc_filter *f = container_of(to_delayed_work(work),
					    struct dfc_filter, work);
	u32 now = ktime_get_boottime_seconds();
	struct dfc_cdest *cd;

	mutex_lock(&f->lock);
	f->ticks++;
	filter_expire(f, now);
	list_for_each_entry(cd, &f->cdests, list)
		dfc_cdest_tick(f, cd, now);
	if (!(f->ticks % 10))
		filter_mark(f, now);
	if (f->dup_period && !(f->ticks % f->dup_period))
		filter_dup_events(f);
	if (!(f->ticks % 4))
		dfc_table_sort_masks(&f->table);
	dfc_filter_reap(f);
	if (f->n_crits || f->n_cdests)
		schedule_delayed_work(&f->work, HZ);
	mutex_unlock(&f->lock);
}

int dfc_filter_init(struct dfc_filter *f, struct net *net)
{
	int err;

	mutex_init(&f->lock);
	f->net = net;
	INIT_LIST_HEAD(&f->crits);
	INIT_LIST_HEAD(&f->timed);
	INIT_LIST_HEAD(&f->graveyard);
	INIT_LIST_HEAD(&f->cdests);
	f->max_dup = DFC_DEFAULT_MAX_DUP;
	f->dup_period = DFC_DEFAULT_DUP_PERIOD;
	INIT_DELAYED_WORK(&f->work, filter_work);
	f->max_crits = DFC_DEFAULT_MAX_CRITS;
	f->idseed = get_random_u32();
	f->idhash_size = DFC_IDHASH_MIN;
	f->idhash = kvcalloc(f->idhash_size, sizeof(*f->idhash), GFP_KERNEL);
	if (!f->idhash)
		return -ENOMEM;
	err = dfc_table_init(&f->table, DFC_DEFAULT_MAX_MASKS);
	if (err)
		kvfree(f->idhash);
	return err;
}

/* No reader may remain (the namespace's hooks are gone). */
void dfc_filter_uninit(struct dfc_filter *f)
{
	struct dfc_crit *c, *tmp;
	struct dfc_cdest *cd, *ctmp;

	cancel_delayed_work_sync(&f->work);
	mutex_lock(&f->lock);
	list_for_each_entry_safe(c, tmp, &f->crits, list)
		dfc_filter_del(f, c);
	dfc_filter_reap(f);
	list_for_each_entry_safe(cd, ctmp, &f->cdests, list) {
		list_del(&cd->list);
		dfc_cdest_free(cd);
	}
	mutex_unlock(&f->lock);
	dfc_table_destroy(&f->table);
	kvfree(f->idhash);
	kfree(rcu_dereference_protected(f->owners, 1));
}
