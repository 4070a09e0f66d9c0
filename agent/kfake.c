// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * In-memory criteria store for tests. See kfake.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kfake.h"

void kfake_init(struct kfake *k)
{
	memset(k, 0, sizeof(*k));
}

void kfake_fini(struct kfake *k)
{
	free(k->v);
	memset(k, 0, sizeof(*k));
}

struct kfake_crit *kfake_find(struct kfake *k, uint32_t owner, uint64_t kid)
{
	for (unsigned int i = 0; i < k->n; i++)
		if (k->v[i].used && k->v[i].owner == owner && k->v[i].c.id == kid)
			return &k->v[i];
	return NULL;
}

unsigned int kfake_count(const struct kfake *k, uint32_t owner)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < k->n; i++)
		n += k->v[i].used && k->v[i].owner == owner;
	return n;
}

static unsigned int live(const struct kfake *k)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < k->n; i++)
		n += k->v[i].used;
	return n;
}

void kfake_expire(struct kfake *k, struct kfake_crit *c)
{
	c->used = false;
	k->expired++;
}

static int f_add(void *p, uint32_t owner, const struct dfc_nl_crit *crits, unsigned int n,
		 unsigned int *done, const char **why)
{
	struct kfake *k = p;

	k->calls_add++;
	*done = 0;
	if (k->fail_add) {
		int err = k->fail_add;

		k->fail_add = 0;
		if (why)
			*why = "injected failure";
		return err;
	}
	/* One message, all or nothing, as the kernel does it. */
	for (unsigned int i = 0; i < n; i++) {
		const struct dfc_nl_crit *c = &crits[i];

		/* dtcpd hands out increasing ids: keep large tests off the linear search. */
		if (c->id <= k->top_kid && kfake_find(k, owner, c->id))
			return -EEXIST;
		if (!c->n_entries || c->n_entries > DFC_CRIT_MAX_ENTRIES ||
		    c->n_excl > DFC_CRIT_MAX_EXCL || c->blob_len > DFC_CRIT_BLOB_MAX)
			return -EINVAL;
		if (!(c->flags & DFC_CRIT_F_STATIC) && !c->timeout_idle && !c->timeout_total &&
		    !c->limit_packets && !c->limit_bytes)
			return -EINVAL;
		if (c->timeout_idle > DFC_TIMEOUT_MAX || c->timeout_total > DFC_TIMEOUT_MAX)
			return -EINVAL;
	}
	if (k->max && live(k) + n > k->max)
		return -ENOSPC;
	for (unsigned int i = 0; i < n; i++) {
		struct kfake_crit *kc;

		if (k->n == k->cap) {
			unsigned int cap = k->cap ? k->cap * 2 : 64;
			struct kfake_crit *v = realloc(k->v, cap * sizeof(*v));

			if (!v)
				return -ENOMEM;
			k->v = v;
			k->cap = cap;
		}
		kc = &k->v[k->n++];
		memset(kc, 0, sizeof(*kc));
		kc->used = true;
		kc->owner = owner;
		kc->c = crits[i];
		kc->c.owner = owner;
		if (crits[i].id > k->top_kid)
			k->top_kid = crits[i].id;
		kc->c.entries = kc->c.excl = NULL;
		if (crits[i].blob_len)
			memcpy(kc->blob, crits[i].blob, crits[i].blob_len);
		kc->c.blob = NULL;
		if (kc->c.flags & DFC_CRIT_F_STATIC)
			kc->c.timeout_idle = kc->c.timeout_total = 0, kc->c.limit_packets =
				kc->c.limit_bytes = 0;
		(*done)++;
	}
	return 0;
}

/* As dfc.ko takes a batch: its messages in order, each on its own. */
static int f_add_queue(void *p, uint32_t owner, const struct dfc_nl_crit *crits, unsigned int n)
{
	struct kfake *k = p;
	struct dfc_nl_batch_res *r;
	const char *why = NULL;
	unsigned int done;

	if (k->n_queued == DFC_NL_BATCH_MAX)
		return -ENOSPC;
	r = &k->queued[k->n_queued];
	r->err = f_add(p, owner, crits, n, &done, &why);
	snprintf(r->why, sizeof(r->why), "%s", r->err && why ? why : "");
	k->calls_queue++;
	return (int)k->n_queued++;
}

static int f_add_flush(void *p, struct dfc_nl_batch_res *res)
{
	struct kfake *k = p;

	k->calls_flush++;
	memcpy(res, k->queued, k->n_queued * sizeof(*res));
	k->n_queued = 0;
	return 0;
}

static unsigned long f_add_recovered(void *p)
{
	return ((struct kfake *)p)->recovered;
}

static int f_del(void *p, uint32_t owner, uint64_t kid)
{
	struct kfake *k = p;
	struct kfake_crit *c = kfake_find(k, owner, kid);

	k->calls_del++;
	if (k->fail_del)
		return k->fail_del;
	if (!c)
		return -ENOENT;
	c->used = false;
	return 0;
}

static int f_del_owner(void *p, uint32_t owner, uint32_t *count)
{
	struct kfake *k = p;

	k->calls_del++;
	*count = 0;
	if (k->fail_del)
		return k->fail_del;
	for (unsigned int i = 0; i < k->n; i++) {
		if (k->v[i].used && k->v[i].owner == owner) {
			k->v[i].used = false;
			(*count)++;
		}
	}
	return 0;
}

static int f_refresh(void *p, uint32_t owner, const struct dfc_nl_crit *c)
{
	struct kfake *k = p;
	struct kfake_crit *kc = kfake_find(k, owner, c->id);

	k->calls_refresh++;
	if (!kc)
		return -ENOENT;
	if (c->timeout_idle)
		kc->c.timeout_idle = c->timeout_idle;
	if (c->timeout_total)
		kc->c.timeout_total = c->timeout_total;
	if (c->limit_packets)
		kc->c.limit_packets = c->limit_packets;
	if (c->limit_bytes)
		kc->c.limit_bytes = c->limit_bytes;
	kc->c.n_refresh++;
	return 0;
}

static int f_dump(void *p, const uint32_t *owner, bool terse, dfc_nl_crit_cb cb,
		  int (*restart)(void *data), void *data)
{
	struct kfake *k = p;

	(void)restart;
	k->calls_dump++;
	for (unsigned int i = 0; i < k->n; i++) {
		struct dfc_nl_crit c;
		int err;

		if (!k->v[i].used || (owner && k->v[i].owner != *owner))
			continue;
		c = k->v[i].c;
		c.blob = terse ? NULL : k->v[i].blob;
		if (terse)
			c.blob_len = 0;
		err = cb(&c, data);
		if (err)
			return err;
	}
	return 0;
}

static int f_expired(void *p, uint64_t *count)
{
	*count = ((struct kfake *)p)->expired;
	return 0;
}

struct dtcp_kdest *kfake_dest(struct kfake *k, uint32_t kid)
{
	for (unsigned int i = 0; i < k->n_dests; i++)
		if (k->dests[i].kid == kid)
			return &k->dests[i];
	return NULL;
}

static int f_cdest_set(void *p, const struct dtcp_kdest *d)
{
	struct kfake *k = p;
	struct dtcp_kdest *e = kfake_dest(k, d->kid);

	if (!e) {
		if (k->n_dests == 64)
			return -ENOSPC;
		e = &k->dests[k->n_dests++];
	}
	*e = *d;
	return 0;
}

static int f_cdest_del(void *p, uint32_t kid)
{
	struct kfake *k = p;
	struct dtcp_kdest *e = kfake_dest(k, kid);

	if (!e)
		return -ENOENT;
	*e = k->dests[--k->n_dests];
	/* Forced: its criteria go too, as DFC_CDEST_A_FORCE does. */
	for (unsigned int i = 0; i < k->n; i++)
		if (k->v[i].used && k->v[i].c.cdest == kid)
			k->v[i].used = false;
	return 0;
}

static int f_dup_limits(void *p, uint32_t max_dup, uint32_t period)
{
	struct kfake *k = p;

	k->max_dup = max_dup;
	k->dup_period = period;
	return 0;
}

static int f_owner_dup(void *p, uint32_t owner, uint32_t max_dup)
{
	struct kfake *k = p;

	for (unsigned int i = 0; i < k->n_owner_dup; i++) {
		if (k->owner_dup[i][0] == owner) {
			k->owner_dup[i][1] = max_dup;
			return 0;
		}
	}
	if (k->n_owner_dup == 8)
		return -ENOSPC;
	k->owner_dup[k->n_owner_dup][0] = owner;
	k->owner_dup[k->n_owner_dup++][1] = max_dup;
	return 0;
}

const struct dtcp_kops kfake_ops = {
	.cdest_set = f_cdest_set,
	.cdest_del = f_cdest_del,
	.dup_limits = f_dup_limits,
	.owner_dup = f_owner_dup,
	.add = f_add,
	.add_queue = f_add_queue,
	.add_flush = f_add_flush,
	.add_recovered = f_add_recovered,
	.del = f_del,
	.del_owner = f_del_owner,
	.refresh = f_refresh,
	.dump = f_dump,
	.expired = f_expired,
};
