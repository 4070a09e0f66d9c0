// SPDX-License-Identifier: GPL-2.0
/*
 * The criteria of a namespace: adding and removing them (all or nothing per
 * batch), finding them by (owner, id), counting matches in the hook, and
 * expiring them when a limit is reached.
 */
#define pr_fmt(fmt) "dfc: " fmt

#include <linux/jhash.h>
#include <linux/list_sort.h>
#include <linux/netdevice.h>
#include <linux/random.h>
#include <linux/ktime.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>
#include <uapi/linux/dfc.h>
#include "cdest.h"
#include "copy.h"
#include "filter.h"

#define DFC_IDHASH_MIN 1024

/*
 * Expired criteria reported a tick: about 17 messages of up to 8 KiB,
 * some 150 KiB of socket buffer, within a listener's default
 * (net.core.rmem_default, 208 KiB).
 */
#define DFC_EXPIRE_BATCH 2048

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
	f->idhash = kvcalloc(size, sizeof(*f->idhash), GFP_KERNEL_ACCOUNT);
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
	return dfc_crit_size(c->n_entries, c->n_excl, c->narrow) + c->blob_len +
	       (c->lim ? sizeof(*c->lim) : 0);
}

/* The next second at which a timeout of lim may have run out; 0: none. */
static u32 lim_deadline(const struct dfc_limits *lim)
{
	u32 d = lim->total_deadline;

	if (lim->timeout_idle) {
		u32 idle = max(READ_ONCE(lim->crit->last_match), lim->idle_base) +
			   lim->timeout_idle;

		if (!d || idle < d)
			d = idle;
	}
	return d;
}

/* File lim where the worker will look: its deadline's slot, f->counted. */
static void lim_file(struct dfc_filter *f, struct dfc_limits *lim)
{
	u32 when = lim_deadline(lim);

	if (lim->packets || lim->bytes) {
		if (list_empty(&lim->clist))
			list_add_tail(&lim->clist, &f->counted);
	} else {
		list_del_init(&lim->clist);
	}
	if (!when) {
		list_del_init(&lim->tlist);
		return;
	}
	if ((s32)(when - f->wheel_time) <= 0)
		when = f->wheel_time + 1;
	lim->when = when;
	list_move_tail(&lim->tlist, &f->wheel[when & (DFC_WHEEL - 1)]);
}

void dfc_filter_free(struct dfc_crit *c)
{
	kfree(c->blob);
	kfree(c->lim);
	kvfree(c);
}

static void crit_free_rcu(struct rcu_head *rcu)
{
	dfc_filter_free(container_of(rcu, struct dfc_crit, rcu));
}

/*
 * Add n criteria, all or nothing. masks[i] holds the masks of v[i]'s
 * entries. On success the filter owns them; on failure the caller frees
 * them, and *bad is the index of the criterion at fault, *why the reason.
 * Everything that can fail happens before the first entry is linked, and
 * each criterion is complete (seq, limits, destination) before its first
 * entry is: the hook sees the whole batch or none of it.
 */
int dfc_filter_add(struct dfc_filter *f, struct dfc_crit **v, unsigned int n,
		   const struct dfc_key *const *masks, unsigned int *bad,
		   enum dfc_add_why *why)
{
	unsigned int i, linked = 0;
	size_t entries = 0, blobs = 0;
	int err;

	lockdep_assert_held(&f->lock);
	*bad = 0;
	if (n > f->max_crits - min(f->n_crits, f->max_crits)) {
		*why = DFC_ADD_CRITS;
		return -ENOSPC;
	}
	for (i = 0; i < n; i++) {
		entries += v[i]->n_entries;
		blobs += v[i]->blob_len;
	}
	if (entries > DFC_MAX_ENTRIES - min_t(size_t, f->table.n_entries,
					      DFC_MAX_ENTRIES)) {
		*why = DFC_ADD_ENTRIES;
		return -ENOSPC;
	}
	if (blobs > DFC_MAX_BLOB_MEM - min_t(size_t, f->blob_mem,
					     DFC_MAX_BLOB_MEM)) {
		*why = DFC_ADD_BLOBS;
		return -ENOSPC;
	}
	err = idhash_reserve(f, f->n_crits + n);
	if (err) {
		*why = DFC_ADD_NOMEM;
		return err;
	}
	for (i = 0; i < n; i++) {
		if (!v[i]->cdest)
			continue;
		v[i]->cd = dfc_cdest_find(f, v[i]->cdest);
		if (!v[i]->cd) {
			*bad = i;
			*why = DFC_ADD_CDEST;
			return -ENOENT;
		}
	}
	/* The id hash is the writers' own: readers never see it. */
	for (; linked < n; linked++) {
		if (dfc_filter_find(f, v[linked]->owner, v[linked]->id)) {
			*bad = linked;
			*why = DFC_ADD_EXISTS;
			err = -EEXIST;
			goto unlink;
		}
		idhash_link(f, v[linked]);
	}
	err = dfc_table_reserve(&f->table, v, masks, n, bad);
	if (err) {
		*why = err == -ENOSPC ? DFC_ADD_MASKS : DFC_ADD_NOMEM;
		goto unlink;
	}

	/* From here on nothing fails: complete each criterion, then link. */
	for (i = 0; i < n; i++) {
		struct dfc_crit *c = v[i];

		c->seq = ++f->seq;
		c->bytes_mark_time = c->added;
		list_add_tail(&c->list, &f->crits);
		if (c->lim) {
			c->lim->crit = c;
			lim_file(f, c->lim);
		}
		if (c->cd)
			c->cd->n_crits++;
		f->crit_mem += dfc_filter_crit_mem(c);
		f->blob_mem += c->blob_len;
		dfc_table_link(&f->table, c, masks[i]);
	}
	f->n_crits += n;
	f->gen++;
	dfc_filter_kick(f);
	return 0;

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
	if (c->lim) {
		list_del_init(&c->lim->tlist);
		list_del_init(&c->lim->clist);
	}
	if (c->cd)
		c->cd->n_crits--;
	f->crit_mem -= dfc_filter_crit_mem(c);
	f->blob_mem -= c->blob_len;
	f->n_crits--;
	f->gen++;
	f->del_gen++;
}

/* Unlink c; dfc_filter_reap() frees it once no reader can see it. */
void dfc_filter_del(struct dfc_filter *f, struct dfc_crit *c)
{
	dfc_filter_unlink(f, c);
	list_add_tail(&c->list, &f->graveyard);
}

/* Frees reaped criteria in process context, past their grace period. */
static struct workqueue_struct *dfc_reap_wq;

/* One reap's criteria, linked by their list heads. */
struct dfc_reap {
	struct rcu_work rw;
	struct list_head crits;
};

static void dfc_filter_reap_work(struct work_struct *w)
{
	struct dfc_reap *r = container_of(to_rcu_work(w), struct dfc_reap, rw);
	struct dfc_crit *c, *tmp;
	unsigned int n = 0;

	list_for_each_entry_safe(c, tmp, &r->crits, list) {
		dfc_filter_free(c);
		if (!(++n % 1024))
			cond_resched();
	}
	kfree(r);
}

/*
 * Free every criterion removed since the last reap once no reader can see
 * it; the request that removed it does not wait. One RCU callback for the
 * whole reap, and the frees in a worker: as a callback each, a purge of
 * 100k criteria was 100k frees in softirq, taken from the receive path of
 * that CPU, and every synchronize_rcu() queued behind them. Each gets its
 * own callback only if the batch cannot be allocated.
 */
void dfc_filter_reap(struct dfc_filter *f)
{
	struct dfc_crit *c, *tmp;
	struct dfc_reap *r;
	unsigned int n = 0;

	lockdep_assert_held(&f->lock);
	if (list_empty(&f->graveyard))
		return;
	r = kmalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (r) {
		INIT_LIST_HEAD(&r->crits);
		list_splice_init(&f->graveyard, &r->crits);
		INIT_RCU_WORK(&r->rw, dfc_filter_reap_work);
		queue_rcu_work(dfc_reap_wq, &r->rw);
		return;
	}
	list_for_each_entry_safe(c, tmp, &f->graveyard, list) {
		list_del(&c->list);
		call_rcu(&c->rcu, crit_free_rcu);
		if (!(++n % 1024))
			cond_resched();
	}
}

int dfc_filter_mod_init(void)
{
	dfc_reap_wq = alloc_workqueue("dfc_reap", WQ_UNBOUND, 0);
	return dfc_reap_wq ? 0 : -ENOMEM;
}

/* Once no filter is left: every reap queued, then drained. */
void dfc_filter_mod_exit(void)
{
	rcu_barrier();
	destroy_workqueue(dfc_reap_wq);
}

/* Refresh changed c's limits: file them again. */
void dfc_filter_retime(struct dfc_filter *f, struct dfc_crit *c)
{
	lockdep_assert_held(&f->lock);
	if (c->lim && !c->dead)
		lim_file(f, c->lim);
	dfc_filter_kick(f);
}

void dfc_filter_kick(struct dfc_filter *f)
{
	if (!delayed_work_pending(&f->work))
		schedule_delayed_work(&f->work, HZ);
}

/*
 * Set (max_dup > 0) or clear an owner's own max-duplicates. The array
 * stays sorted by owner and is replaced whole; -ENOSPC beyond
 * DFC_MAX_OWNERS owners.
 */
int dfc_filter_set_owner(struct dfc_filter *f, u32 owner, u32 max_dup)
{
	struct dfc_owners *old = rcu_dereference_protected(f->owners,
					lockdep_is_held(&f->lock));
	u32 n = old ? old->n : 0, i, j = 0;
	bool found = false, added = false;
	struct dfc_owners *nw;

	for (i = 0; i < n; i++)
		found |= old->o[i].owner == owner;
	if (!found && max_dup && n >= DFC_MAX_OWNERS)
		return -ENOSPC;
	nw = kvzalloc(struct_size(nw, o, n + 1), GFP_KERNEL_ACCOUNT);
	if (!nw)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (max_dup && !added && old->o[i].owner >= owner) {
			nw->o[j].owner = owner;
			nw->o[j++].max_dup = max_dup;
			added = true;
		}
		if (old->o[i].owner != owner)
			nw->o[j++] = old->o[i];
	}
	if (max_dup && !added) {
		nw->o[j].owner = owner;
		nw->o[j++].max_dup = max_dup;
	}
	nw->n = j;
	rcu_assign_pointer(f->owners, nw);
	if (old)
		kvfree_rcu(old, rcu);
	return 0;
}

/* The hook's view: the owner's own cap (binary search), else the namespace's. */
u32 dfc_filter_max_dup(struct dfc_filter *f, u32 owner)
{
	const struct dfc_owners *ow = rcu_dereference(f->owners);
	u32 lo = 0, hi = ow ? ow->n : 0;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (ow->o[mid].owner == owner)
			return ow->o[mid].max_dup;
		if (ow->o[mid].owner < owner)
			lo = mid + 1;
		else
			hi = mid;
	}
	return READ_ONCE(f->max_dup);
}

/* Better first: lower priority value, then older. */
static bool crit_better(const struct dfc_crit *a, const struct dfc_crit *b)
{
	if (a->prio != b->prio)
		return a->prio < b->prio;
	return a->seq < b->seq;
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

	if (lim->packets && (u64)atomic64_read(&c->packets) >= lim->packets)
		return DFC_REASON_PACKETS;
	if (lim->bytes && (u64)atomic64_read(&c->bytes) >= lim->bytes)
		return DFC_REASON_BYTES;
	if (lim->total_deadline && now >= lim->total_deadline)
		return DFC_REASON_TOTAL;
	if (lim->timeout_idle && now >= idle_from + lim->timeout_idle)
		return DFC_REASON_IDLE;
	return DFC_REASON_NONE;
}

static void lim_dying(struct dfc_filter *f, struct dfc_limits *lim, u8 reason)
{
	/* Stop counting first, so the notice has the final counts. */
	WRITE_ONCE(lim->crit->dead, reason);
	list_move_tail(&lim->tlist, &f->dying);
	list_del_init(&lim->clist);
}

static int lim_cmp(void *priv, const struct list_head *a, const struct list_head *b)
{
	const struct dfc_crit *x = list_entry(a, struct dfc_limits, tlist)->crit;
	const struct dfc_crit *y = list_entry(b, struct dfc_limits, tlist)->crit;

	if (x->owner != y->owner)
		return x->owner < y->owner ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/*
 * Report and remove up to DFC_EXPIRE_BATCH expired criteria, in messages
 * of one owner each: a mass expiry reaches listeners at a rate whose
 * second fits a default socket buffer, the rest a tick later (dead, they
 * match nothing meanwhile).
 */
static void filter_report_expired(struct dfc_filter *f)
{
	struct dfc_limits *lim, *tmp;
	unsigned int n = 0;
	LIST_HEAD(batch);

	list_for_each_entry_safe(lim, tmp, &f->expiring, tlist) {
		if (n++ == DFC_EXPIRE_BATCH)
			break;
		list_move_tail(&lim->tlist, &batch);
	}
	if (list_empty(&batch))
		return;
	list_sort(NULL, &batch, lim_cmp);
	f->ev->expired(f->net, &batch);
	n = 0;
	list_for_each_entry_safe(lim, tmp, &batch, tlist) {
		list_del_init(&lim->tlist);
		f->expired++;
		dfc_filter_del(f, lim->crit);
		if (!(++n % 1024))
			cond_resched();
	}
}

/*
 * Expiry in two ticks, without waiting for a grace period: criteria that
 * reached a limit are marked dead (the hook stops counting them) and kept
 * on f->dying; once a grace period has passed since, no CPU can still be
 * counting them, so the notice carries the final counts, and they go.
 * A tick looks only at the wheel slots that came due (an idle timeout
 * pushed back by traffic is filed again) and at the criteria with packet
 * or byte limits: not at every timed criterion.
 */
static void filter_expire(struct dfc_filter *f, u32 now)
{
	struct dfc_limits *lim, *tmp;
	unsigned int n = 0;
	u32 t;

	if (!list_empty(&f->dying)) {
		/* Marking more waits: they would need a grace period of their own. */
		if (!dfc_rcu_done(f->dying_cookie)) {
			filter_report_expired(f);
			return;
		}
		list_splice_tail_init(&f->dying, &f->expiring);
	}
	filter_report_expired(f);
	/* Late by more than a lap: one look at every slot is enough. */
	if ((s32)(now - f->wheel_time) > DFC_WHEEL)
		f->wheel_time = now - DFC_WHEEL;
	for (t = f->wheel_time + 1; (s32)(t - now) <= 0; t++) {
		struct list_head *slot = &f->wheel[t & (DFC_WHEEL - 1)];

		list_for_each_entry_safe(lim, tmp, slot, tlist) {
			u8 reason;

			if (!(++n % 4096))
				cond_resched();
			if ((s32)(lim->when - now) > 0)
				continue;	/* a later lap */
			reason = expiry_reason(lim->crit, now);
			if (reason)
				lim_dying(f, lim, reason);
			else
				lim_file(f, lim);
		}
	}
	f->wheel_time = now;
	list_for_each_entry_safe(lim, tmp, &f->counted, clist) {
		u8 reason = expiry_reason(lim->crit, now);

		if (!(++n % 4096))
			cond_resched();
		if (reason == DFC_REASON_PACKETS || reason == DFC_REASON_BYTES)
			lim_dying(f, lim, reason);
	}
	if (!list_empty(&f->dying))
		f->dying_cookie = dfc_rcu_cookie();
}

/* Every 10 s: what each criterion matched so far, for its recent rate. */
static void filter_mark(struct dfc_filter *f, u32 now)
{
	struct dfc_crit *c;

	unsigned int n = 0;

	list_for_each_entry(c, &f->crits, list) {
		if (!(++n % 4096))
			cond_resched();
		if (!c->cd)
			continue;
		c->bytes_mark = atomic64_read(&c->bytes);
		c->bytes_mark_time = now;
	}
}

/* Every dup period: tell each owner whose criteria lost duplicates. */
static void filter_dup_events(struct dfc_filter *f)
{
	u32 done[16], n_done = 0, i, n = 0;
	struct dfc_crit *c;

	list_for_each_entry(c, &f->crits, list) {
		if (!(++n % 4096))
			cond_resched();
		if ((u64)atomic64_read(&c->dup_dropped) == c->dup_reported)
			continue;
		for (i = 0; i < n_done && done[i] != c->owner; i++)
			;
		if (i < n_done)
			continue;
		/* Marks every criterion of the owner as reported. */
		f->ev->dup(f->net, f, c->owner);
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
	dfc_table_rebalance(&f->table);
	dfc_filter_reap(f);
	if (f->n_crits || f->n_cdests)
		schedule_delayed_work(&f->work, HZ);
	mutex_unlock(&f->lock);
}

int dfc_filter_init(struct dfc_filter *f, struct net *net, const struct dfc_events *ev)
{
	unsigned int i;
	int err;

	mutex_init(&f->lock);
	f->net = net;
	f->ev = ev;
	INIT_LIST_HEAD(&f->crits);
	INIT_LIST_HEAD(&f->counted);
	INIT_LIST_HEAD(&f->dying);
	INIT_LIST_HEAD(&f->expiring);
	INIT_LIST_HEAD(&f->graveyard);
	INIT_LIST_HEAD(&f->cdests);
	f->max_dup = DFC_DEFAULT_MAX_DUP;
	f->dup_period = DFC_DEFAULT_DUP_PERIOD;
	f->copy_mark = DFC_DEFAULT_COPY_MARK;
	INIT_DELAYED_WORK(&f->work, filter_work);
	f->max_crits = DFC_DEFAULT_MAX_CRITS;
	f->idseed = get_random_u32();
	f->idhash_size = DFC_IDHASH_MIN;
	f->wheel_time = ktime_get_boottime_seconds();
	f->wheel = kvcalloc(DFC_WHEEL, sizeof(*f->wheel), GFP_KERNEL_ACCOUNT);
	f->idhash = kvcalloc(f->idhash_size, sizeof(*f->idhash),
			     GFP_KERNEL_ACCOUNT);
	err = -ENOMEM;
	if (!f->wheel || !f->idhash)
		goto fail;
	for (i = 0; i < DFC_WHEEL; i++)
		INIT_LIST_HEAD(&f->wheel[i]);
	err = dfc_table_init(&f->table, DFC_DEFAULT_MAX_MASKS);
	if (err)
		goto fail;
	f->table.lock = &f->lock;
	return 0;
fail:
	kvfree(f->wheel);
	kvfree(f->idhash);
	return err;
}

/* No reader may remain (the namespace's hooks are gone). */
void dfc_filter_uninit(struct dfc_filter *f)
{
	struct dfc_crit *c, *tmp;
	struct dfc_cdest *cd, *ctmp;
	unsigned int n = 0;

	cancel_delayed_work_sync(&f->work);
	mutex_lock(&f->lock);
	list_for_each_entry_safe(c, tmp, &f->crits, list) {
		dfc_filter_del(f, c);
		if (!(++n % 1024))
			cond_resched();
	}
	dfc_filter_reap(f);
	list_for_each_entry_safe(cd, ctmp, &f->cdests, list) {
		list_del(&cd->list);
		dfc_cdest_free(cd);
	}
	dfc_table_destroy(&f->table);
	kvfree(rcu_dereference_protected(f->owners,
					 lockdep_is_held(&f->lock)));
	mutex_unlock(&f->lock);
	kvfree(f->idhash);
	kvfree(f->wheel);
}
