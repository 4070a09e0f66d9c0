// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dfc.ko through lib/dfc_nl. See kernel.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>

#include "kernel.h"

/* While dfc.ko is away (unloaded), every operation fails cleanly. */
#define NEED_NL(k) do { if (!((struct dtcp_kernel *)(k))->nl) return -ENODEV; } while (0)

static struct dfc_nl *knl(void *k)
{
	return ((struct dtcp_kernel *)k)->nl;
}

static int k_add(void *k, uint32_t owner, const struct dfc_nl_crit *crits, unsigned int n,
		 unsigned int *done, const char **why)
{
	int err;

	*done = 0;
	NEED_NL(k);
	err = dfc_nl_crit_add(knl(k), owner, crits, n, done);

	if (err && why)
		*why = dfc_nl_extack(knl(k));
	return err;
}

static int k_add_queue(void *k, uint32_t owner, const struct dfc_nl_crit *crits, unsigned int n)
{
	NEED_NL(k);
	return dfc_nl_batch_crit_add(((struct dtcp_kernel *)k)->batch, owner, crits, n);
}

static int k_add_flush(void *k, struct dfc_nl_batch_res *res)
{
	NEED_NL(k);
	return dfc_nl_batch_run(((struct dtcp_kernel *)k)->batch, res);
}

static unsigned long k_add_recovered(void *k)
{
	const struct dfc_nl_batch *b = ((struct dtcp_kernel *)k)->batch;

	return b ? dfc_nl_batch_lost(b) : 0;
}

static int k_del(void *k, uint32_t owner, uint64_t kid)
{
	NEED_NL(k);
	return dfc_nl_crit_del(knl(k), owner, &kid, NULL, true, NULL);
}

static int k_del_owner(void *k, uint32_t owner, uint32_t *count)
{
	NEED_NL(k);
	return dfc_nl_crit_del(knl(k), owner, NULL, NULL, true, count);
}

static int k_refresh(void *k, uint32_t owner, const struct dfc_nl_crit *c)
{
	NEED_NL(k);
	return dfc_nl_crit_refresh(knl(k), owner, c);
}

static int k_dump(void *k, const uint32_t *owner, bool terse, dfc_nl_crit_cb cb,
		  int (*restart)(void *data), void *data)
{
	NEED_NL(k);
	return dfc_nl_crit_dump(knl(k), owner, terse, cb, restart, data);
}

static int k_expired(void *k, uint64_t *count)
{
	struct dfc_stats st;
	int err;

	*count = 0;
	NEED_NL(k);
	err = dfc_nl_stats_get(knl(k), &st);
	*count = err ? 0 : st.expired;
	return err;
}

/*
 * A destination as lib/dfc_nl takes it. struct dtcp_kdest stays dtcpd's
 * own: request-defined destinations get their kernel id from a hash of
 * its bytes, which must not change. set_mask is every setting dtcpd
 * manages, for a destination that already exists: not DSCP (dtcpd has
 * none: one an operator set with dfcctl stays), ports only with udp
 * encapsulation, a source port only when there is one.
 */
static void cdest_of(const struct dtcp_kdest *d, struct dfc_nl_cdest *c)
{
	memset(c, 0, sizeof(*c));
	c->id = d->kid;
	memcpy(c->name, d->name, sizeof(c->name));
	c->name[sizeof(c->name) - 1] = '\0';
	c->encap = d->encap;
	c->ipver = d->family == AF_INET6 ? 6 : 4;
	memcpy(c->addr, d->addr, sizeof(c->addr));
	memcpy(c->src, d->src, sizeof(c->src));
	c->has_src = d->has_src;
	c->ttl = d->ttl;
	c->soft_limit = d->soft;
	c->soft_clear = d->soft_clear;
	c->hard_limit = d->hard;
	c->hard_target = d->hard_target;
	c->flags = d->flags;
	c->set_mask = DFC_NL_CDEST_SET_ALL & ~DFC_NL_CDEST_SET_DSCP;
	if (!d->has_src)
		c->set_mask &= ~DFC_NL_CDEST_SET_SRC;
	if (d->encap == DFC_ENCAP_UDP) {
		c->sport = d->sport;
		c->dport = d->dport;
		if (!d->sport)
			c->set_mask &= ~DFC_NL_CDEST_SET_SPORT;
	} else {
		c->set_mask &= ~(DFC_NL_CDEST_SET_SPORT | DFC_NL_CDEST_SET_DPORT);
	}
}

static int k_cdest_set(void *k, const struct dtcp_kdest *d)
{
	struct dfc_nl_cdest c;
	int err;

	NEED_NL(k);
	cdest_of(d, &c);
	/*
	 * New, or (it survived a restart of dtcpd) updated in place. A TTL
	 * of 0 (X-JTap-Cdest-TTL lets it through; the configuration does not) goes
	 * straight to SET, which sends it and has the kernel refuse it, as
	 * NEW always did: dfc_nl_cdest_add() would leave it out instead and
	 * quietly give the kernel's default.
	 */
	err = c.ttl ? dfc_nl_cdest_add(knl(k), &c) : -EEXIST;
	if (err != -EEXIST)
		return err;
	return dfc_nl_cdest_set(knl(k), &c);
}

static int k_cdest_del(void *k, uint32_t kid)
{
	NEED_NL(k);
	/* Forced: criteria still toward it go with it. */
	return dfc_nl_cdest_del(knl(k), kid, true);
}

static int k_dup_limits(void *k, uint32_t max_dup, uint32_t period)
{
	NEED_NL(k);
	return dfc_nl_dup_set(knl(k), max_dup, period);
}

static int k_owner_dup(void *k, uint32_t owner, uint32_t max_dup)
{
	NEED_NL(k);
	return dfc_nl_owner_set(knl(k), owner, max_dup);
}

const struct dtcp_kops dtcp_kernel_ops = {
	.cdest_set = k_cdest_set,
	.cdest_del = k_cdest_del,
	.dup_limits = k_dup_limits,
	.owner_dup = k_owner_dup,
	.add = k_add,
	.add_queue = k_add_queue,
	.add_flush = k_add_flush,
	.add_recovered = k_add_recovered,
	.del = k_del,
	.del_owner = k_del_owner,
	.refresh = k_refresh,
	.dump = k_dump,
	.expired = k_expired,
};

int dtcp_kernel_open(struct dtcp_kernel *k)
{
	memset(k, 0, sizeof(*k));
	k->nl = dfc_nl_open();
	if (!k->nl)
		return -errno;
	k->batch = dfc_nl_batch_new(k->nl);
	k->ev = k->batch ? dfc_nl_events_open() : NULL;
	if (!k->ev) {
		int err = k->batch ? -errno : -ENOMEM;

		dfc_nl_batch_free(k->batch);
		dfc_nl_close(k->nl);
		k->batch = NULL;
		k->nl = NULL;
		return err;
	}
	/* Events are read in the poll loop: never block on them. */
	fcntl(dfc_nl_events_fd(k->ev), F_SETFL, fcntl(dfc_nl_events_fd(k->ev), F_GETFL) | O_NONBLOCK);
	return 0;
}

void dtcp_kernel_close(struct dtcp_kernel *k)
{
	if (k->ev)
		dfc_nl_events_close(k->ev);
	dfc_nl_batch_free(k->batch);
	if (k->nl)
		dfc_nl_close(k->nl);
	k->ev = NULL;
	k->batch = NULL;
	k->nl = NULL;
}

/* ---- events ---- */

struct ev_ctx {
	const struct dtcp_kevents *cb;
	void *u;
	bool cut;	/* an event named more criteria than the library kept */
};

static void ev_dups(const struct ev_ctx *x, const struct dfc_nl_event *e)
{
	struct dtcp_dup v[DFC_NL_EVENT_MAX_DUPS];

	for (unsigned int i = 0; i < e->dup.n; i++)
		v[i] = (struct dtcp_dup){ .kid = e->dup.v[i].id, .cdest = e->dup.v[i].cdest,
					  .dropped = e->dup.v[i].dropped };
	x->cb->dups(x->u, e->dup.owner, v, e->dup.n);
}

static int ev_one(const struct dfc_nl_event *e, void *data)
{
	struct ev_ctx *x = data;
	const struct dtcp_kevents *cb = x->cb;

	switch (e->cmd) {
	case DFC_CMD_CRIT_EXPIRED:
		if (e->expired.n_total > e->expired.n)
			x->cut = true;
		for (unsigned int i = 0; cb->expired && i < e->expired.n; i++) {
			const struct dfc_nl_expired *v = &e->expired.v[i];
			struct dfc_nl_crit c = {
				.owner = e->expired.owner, .id = v->id, .flags = v->flags,
				.cdest = v->cdest, .reason = v->reason, .packets = v->packets,
				.bytes = v->bytes,
			};

			cb->expired(x->u, &c);
		}
		break;
	case DFC_CMD_CDEST_CONGESTED:
		if (cb->congested)
			cb->congested(x->u, e->cdest.id, e->cdest.rate, e->cdest.congested);
		break;
	case DFC_CMD_CDEST_NOIPSEC:
		if (cb->noipsec)
			cb->noipsec(x->u, e->cdest.id);
		break;
	case DFC_CMD_CDEST_PURGED:
		/* the kernel sends a large purge as several events, each within the library's cap */
		if (e->purged.n_total > e->purged.n_ids)
			x->cut = true;
		if (cb->purged && e->purged.n_ids)
			cb->purged(x->u, e->purged.owner, e->purged.cdest, e->purged.ids,
				   e->purged.n_ids);
		break;
	case DFC_CMD_DUP_DROPPED:
		if (cb->dups && e->dup.n)
			ev_dups(x, e);
		break;
	}
	return 0;
}

int dtcp_kernel_events(struct dtcp_kernel *k, const struct dtcp_kevents *cb, void *u)
{
	struct ev_ctx x = { cb, u, false };
	int n;

	if (!k->ev)
		return -ENODEV;
	n = dfc_nl_events_recv(k->ev, ev_one, &x);
	/*
	 * Criteria an event named beyond what the library keeps are gone
	 * from the kernel without us hearing of them: events were lost, as
	 * much as on ENOBUFS, and the caller resynchronises the same way.
	 */
	return n >= 0 && x.cut ? -ENOBUFS : n;
}
