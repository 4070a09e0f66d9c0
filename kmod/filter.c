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
	       c->n_excl * sizeof(struct dfc_xentry) + c->blob_len;
}

void dfc_filter_free(struct dfc_crit *c)
{
	kfree(c->excl);
	kfree(c->blob);
	kvfree(c);
}

static void crit_free_rcu(struct rcu_head *rcu)
{
	dfc_filter_free(container_of(rcu, struct dfc_crit, rcu));
}

static bool crit_timed(const struct dfc_crit *c)
{
	return c->total_deadline || c->timeout_idle || c->limit_packets ||
	       c->limit_bytes;
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
		INIT_LIST_HEAD(&c->tlist);
		if (crit_timed(c))
			list_add_tail(&c->tlist, &f->timed);
		f->crit_mem += dfc_filter_crit_mem(c);
	}
	f->n_crits += n;
	f->gen++;
	if (!delayed_work_pending(&f->work))
		schedule_delayed_work(&f->work, HZ);
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

void dfc_filter_del(struct dfc_filter *f, struct dfc_crit *c)
{
	lockdep_assert_held(&f->lock);
	dfc_table_remove(&f->table, c);
	idhash_unlink(f, c);
	list_del(&c->list);
	list_del(&c->tlist);
	f->crit_mem -= dfc_filter_crit_mem(c);
	f->n_crits--;
	f->gen++;
	call_rcu(&c->rcu, crit_free_rcu);
}

/* Refresh moved c's limits: keep it on the expiry list only if it has any. */
void dfc_filter_retime(struct dfc_filter *f, struct dfc_crit *c)
{
	lockdep_assert_held(&f->lock);
	list_del_init(&c->tlist);
	if (crit_timed(c))
		list_add_tail(&c->tlist, &f->timed);
}

static void filter_hit(struct dfc_crit *c, void *ctx)
{
	struct dfc_filter_result *r = ctx;

	if (!r->now)
		r->now = ktime_get_boottime_seconds();
	if (dfc_crit_account(c, r->len, r->now))
		r->matched++;
}

/* In the hook, under RCU: count every criterion the key matches. */
void dfc_filter_match(struct dfc_filter *f, const struct dfc_key *key,
		      struct dfc_filter_result *res)
{
	res->probed = dfc_table_match(&f->table, key, filter_hit, res);
}

static u8 expiry_reason(const struct dfc_crit *c, u64 now)
{
	u64 idle_from = max(READ_ONCE(c->last_match), c->idle_base);

	if (c->limit_packets &&
	    atomic64_read(&c->packets) >= (s64)c->limit_packets)
		return DFC_REASON_PACKETS;
	if (c->limit_bytes && atomic64_read(&c->bytes) >= (s64)c->limit_bytes)
		return DFC_REASON_BYTES;
	if (c->total_deadline && now >= c->total_deadline)
		return DFC_REASON_TOTAL;
	if (c->timeout_idle && now >= idle_from + c->timeout_idle)
		return DFC_REASON_IDLE;
	return DFC_REASON_NONE;
}

static void filter_work(struct work_struct *work)
{
	struct dfc_filter *f = container_of(to_delayed_work(work),
					    struct dfc_filter, work);
	u64 now = ktime_get_boottime_seconds();
	struct dfc_crit *c, *tmp;
	LIST_HEAD(expired);

	mutex_lock(&f->lock);
	list_for_each_entry_safe(c, tmp, &f->timed, tlist) {
		u8 reason = expiry_reason(c, now);

		if (!reason)
			continue;
		/* Stop counting first, so the notice has the final counts. */
		WRITE_ONCE(c->dead, 1);
		c->reason = reason;
		list_move_tail(&c->tlist, &expired);
	}
	if (!list_empty(&expired))
		synchronize_net();
	list_for_each_entry_safe(c, tmp, &expired, tlist) {
		dfc_genl_notify_expired(f->net, c);
		f->expired++;
		dfc_filter_del(f, c);
	}
	if (!(++f->ticks % 4))
		dfc_table_sort_masks(&f->table);
	if (f->n_crits)
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

	cancel_delayed_work_sync(&f->work);
	mutex_lock(&f->lock);
	list_for_each_entry_safe(c, tmp, &f->crits, list)
		dfc_filter_del(f, c);
	mutex_unlock(&f->lock);
	dfc_table_destroy(&f->table);
	kvfree(f->idhash);
}
