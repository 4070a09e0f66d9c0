// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Notifications (draft §5.14-5.20; docs/dtcp.md §7): signed with the
 * source's key, no Seq, to every notification target of the source they
 * concern and never to another. Also what causes them: criteria the
 * kernel removed (Timeout, 390), the 10-second rates toward content
 * destinations (Congestion 580 above the soft limit, CongestionDelete 680
 * and a purge above the hard limit), and a resynchronisation with the
 * kernel when its events were lost.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "crit.h"
#include "server.h"

#define LOG(s, src, prio, ...) do { if ((s)->log) (s)->log(s, src, prio, __VA_ARGS__); } while (0)
#define RATE_PERIOD_MS 10000	/* the draft's "10-second average" */

static enum dtcp_notif notif_kind(unsigned int code)
{
	switch (code) {
	case 599: return DTCP_N_RESTART;
	case 130: return DTCP_N_ROLLOVER;
	case 131: return DTCP_N_NOOP;
	case 390: return DTCP_N_TIMEOUT;
	case 580: return DTCP_N_CONGESTION;
	case 680: return DTCP_N_CONGDEL;
	default: return DTCP_N_DUPS;
	}
}

void dtcp_notify(struct dtcp_server *s, struct dtcp_src *src, unsigned int code,
		 const struct dtcp_out *params)
{
	const struct dtcp_csource *cs = src->cfg;
	struct dtcp_out *o;
	char ts[32];

	if (!cs || (!cs->n_targets && !s->send_ssh))
		return;
	o = malloc(sizeof(*o));
	if (!o)
		return;
	dtcp_out_init(o, !cs->mixed_case);
	dtcp_out_status(o, cs->notify_ver, code, NULL);
	if (params)
		dtcp_out_raw(o, params->buf, params->len);
	dtcp_time_fmt(s->wall_ms(), ts);
	dtcp_out_param(o, "Timestamp", "%s", ts);
	dtcp_out_sign(o, cs->key, cs->key_len);
	if (!o->overflow) {
		unsigned int n = cs->n_targets;

		for (unsigned int i = 0; i < cs->n_targets; i++)
			if (s->send)
				s->send(s, cs, &cs->targets[i], o->buf, o->len);
		/* A source speaking over SSH hears them in its open sessions too. */
		if (s->send_ssh)
			n += s->send_ssh(s, src, o->buf, o->len);
		if (n)
			src->st.notif[notif_kind(code)]++;
	}
	free(o);
}

void dtcp_notify_restart(struct dtcp_server *s, const char *why)
{
	struct dtcp_out *p = malloc(sizeof(*p));

	if (!p)
		return;
	for (unsigned int i = 0; i < s->n_srcs; i++) {
		struct dtcp_src *src = s->srcs[i];

		if (!src->cfg)
			continue;
		dtcp_out_init(p, !src->cfg->mixed_case);
		dtcp_out_param(p, "Alert-Info", "%s", why);
		dtcp_notify(s, src, 599, p);
	}
	free(p);
}

/* Criteria-ID filter text of ids, "1,2,5". */
static char *id_list(const uint32_t *ids, unsigned int n)
{
	char *t = malloc(n * 11 + 1), *p = t;

	if (!t)
		return NULL;
	*p = '\0';
	for (unsigned int i = 0; i < n; i++)
		p += sprintf(p, "%s%" PRIu32, i ? "," : "", ids[i]);
	return t;
}

static void timeout_notice(struct dtcp_server *s, struct dtcp_src *src,
			   const struct dtcp_crit *c, uint8_t reason, uint64_t packets,
			   uint64_t bytes)
{
	struct dtcp_out *p = malloc(sizeof(*p));
	uint64_t now = s->wall_ms(), since = c->refresh_ms ? c->refresh_ms : c->added_ms;
	uint64_t elapsed = now > since ? (now - since) / 1000 : 0;

	if (!p)
		return;
	/* Each configured kind and what was left of it; the one that ran out is 0. */
	dtcp_out_init(p, !src->cfg->mixed_case);
	dtcp_out_param(p, "Criteria-ID", "%" PRIu32, c->id);
	if (c->t_idle) {
		dtcp_out_param(p, "Timeout-Idle", "%" PRIu32, c->t_idle);
		dtcp_out_param(p, "Remaining-Idle", "%" PRIu32,
			       reason == DFC_REASON_IDLE ? 0 : c->t_idle);
	}
	if (c->t_total) {
		dtcp_out_param(p, "Timeout-Total", "%" PRIu32, c->t_total);
		dtcp_out_param(p, "Remaining-Total", "%" PRIu64,
			       reason == DFC_REASON_TOTAL || elapsed >= c->t_total ? 0 :
			       c->t_total - elapsed);
	}
	if (c->t_packets) {
		dtcp_out_param(p, "Timeout-Packets", "%" PRIu64, c->t_packets);
		dtcp_out_param(p, "Remaining-Packets", "%" PRIu64,
			       reason == DFC_REASON_PACKETS || packets >= c->t_packets ? 0 :
			       c->t_packets - packets);
	}
	if (c->t_bytes) {
		dtcp_out_param(p, "Timeout-Bytes", "%" PRIu64, c->t_bytes);
		dtcp_out_param(p, "Remaining-Bytes", "%" PRIu64,
			       reason == DFC_REASON_BYTES || bytes >= c->t_bytes ? 0 :
			       c->t_bytes - bytes);
	}
	dtcp_notify(s, src, 390, p);
	free(p);
}

void dtcp_server_expired(struct dtcp_server *s, uint32_t owner, uint64_t kid, uint8_t reason,
			 uint64_t packets, uint64_t bytes)
{
	static const char *const why[] = { "removed", "total timeout", "idle timeout",
					   "packet limit", "byte limit" };
	struct dtcp_src *src = dtcp_server_src_by_owner(s, owner);
	struct dtcp_crit *c;

	if (!src)
		return;
	c = dtcp_src_find(src, DTCP_KID_CRIT(kid));
	if (!c)
		return; /* deleted by its source meanwhile */
	if (reason >= sizeof(why) / sizeof(why[0]))
		reason = DFC_REASON_NONE;
	/* The other destinations of the criterion share its fate. */
	for (unsigned int k = 0; k < c->n_dest; k++)
		if (k != DTCP_KID_DEST(kid))
			s->kops->del(s->kctx, owner, DTCP_KID(c->id, k));
	LOG(s, src, LOG_INFO, "criterion %" PRIu32 " expired (%s)", c->id, why[reason]);
	if (c->flags & DFC_CRIT_F_SEND_ASYNC)
		timeout_notice(s, src, c, reason, packets, bytes);
	dtcp_src_remove(s, src, c, reason);
}

/* ---- rates and congestion ---- */

struct sample {
	struct dtcp_server *s;
	uint64_t now;
	uint64_t *seen;			/* bitmap of kids found, for resync */
};

static int sample_cb(const struct dfc_nl_crit *kc, void *data)
{
	struct sample *x = data;
	struct dtcp_src *src;
	struct dtcp_crit *c;

	if (DTCP_KID_DEST(kc->id))
		return 0;
	src = dtcp_server_src_by_owner(x->s, kc->owner);
	if (!src || !(c = dtcp_src_find(src, DTCP_KID_CRIT(kc->id))))
		return 0;
	if (x->now > c->bw_ms && kc->bytes >= c->bw_bytes)
		c->avg_bps = (kc->bytes - c->bw_bytes) * 8 * 1000 / (x->now - c->bw_ms);
	c->bw_bytes = kc->bytes;
	c->bw_ms = x->now;
	return 0;
}

void dtcp_server_tick(struct dtcp_server *s)
{
	uint64_t now = s->mono_ms();
	struct sample x = { s, now, NULL };

	if (now - s->last_sample_ms < RATE_PERIOD_MS)
		return;
	s->last_sample_ms = now;
	s->kops->dump(s->kctx, NULL, true, sample_cb, NULL, &x);
}

static bool uses(const struct dtcp_crit *c, uint32_t kid)
{
	for (unsigned int k = 0; k < c->n_dest; k++)
		if (c->cdest_kid[k] == kid)
			return true;
	return false;
}

/* The name src knows destination kid by: configured, or the label its ADD gave. */
static void dest_name(const struct dtcp_server *s, const struct dtcp_src *src, uint32_t kid,
		      char *buf, size_t size)
{
	const struct dtcp_cdest *d = dtcp_config_cdest_any_kid(s->cfg, kid);

	snprintf(buf, size, "%s", d ? d->id : "");
	for (unsigned int i = 0; !d && i < src->n_crits; i++) {
		const struct dtcp_crit *c = src->crits[i];

		for (unsigned int k = 0; k < c->n_dest; k++)
			if (c->cdest_kid[k] == kid && !dtcp_crit_dest(c, k, buf, size))
				return;
	}
}

void dtcp_server_congested(struct dtcp_server *s, uint32_t cdest, uint64_t rate, bool on)
{
	const struct dtcp_cdest *d = dtcp_config_cdest_any_kid(s->cfg, cdest);
	struct dtcp_out *p;

	if (!d)
		return; /* request-defined destinations have no limits */
	if (!on) {
		LOG(s, NULL, LOG_INFO, "content destination %s: congestion cleared (%" PRIu64
		    " bit/s)", d->id, rate);
		return;
	}
	p = malloc(sizeof(*p));
	/* Every source with criteria toward it may be the cause: all of them hear (§5.18). */
	for (unsigned int i = 0; p && i < s->n_srcs; i++) {
		struct dtcp_src *src = s->srcs[i];
		bool any = false;

		if (!src->cfg)
			continue;
		for (unsigned int k = 0; k < src->n_crits && !any; k++)
			any = !src->crits[k]->dead && uses(src->crits[k], cdest);
		if (!any)
			continue;
		dtcp_out_init(p, !src->cfg->mixed_case);
		dtcp_out_param_str(p, "Cdest-ID", d->id);
		dtcp_out_param(p, "Average-Bandwidth", "%" PRIu64, rate);
		dtcp_out_param(p, "Alert-Bandwidth", "%" PRIu64, d->soft_limit);
		dtcp_out_param(p, "Max-Bandwidth", "%" PRIu64, d->hard_limit);
		dtcp_notify(s, src, 580, p);
		LOG(s, src, LOG_NOTICE, "content destination %s: %" PRIu64 " bit/s, above its "
		    "soft limit %" PRIu64, d->id, rate, d->soft_limit);
	}
	free(p);
}

void dtcp_server_noipsec(struct dtcp_server *s, uint32_t cdest)
{
	const struct dtcp_cdest *d = dtcp_config_cdest_any_kid(s->cfg, cdest);
	char name[128] = "";

	/* its configured name, else the label a request gave it; the kernel id last */
	if (d)
		snprintf(name, sizeof(name), "%s", d->id);
	for (unsigned int i = 0; i < s->n_srcs && !name[0]; i++)
		dest_name(s, s->srcs[i], cdest, name, sizeof(name));
	if (!name[0])
		snprintf(name, sizeof(name), "%#" PRIx32, cdest);
	LOG(s, NULL, LOG_WARNING, "content destination %s requires IPsec but its route has "
	    "none: copies are dropped", name);
}

void dtcp_server_purged(struct dtcp_server *s, uint32_t owner, uint32_t cdest,
			const uint64_t *kids, unsigned int n)
{
	struct dtcp_src *src = dtcp_server_src_by_owner(s, owner);
	uint32_t *ids = malloc((n ? n : 1) * sizeof(*ids));
	unsigned int m = 0;
	char name[128];

	if (!src || !ids) {
		free(ids);
		return;
	}
	dest_name(s, src, cdest, name, sizeof(name));
	for (unsigned int i = 0; i < n; i++) {
		struct dtcp_crit *c = dtcp_src_find(src, DTCP_KID_CRIT(kids[i]));

		if (!c)
			continue;
		/* Its other destinations go with it: the criterion is purged whole. */
		for (unsigned int k = 0; k < c->n_dest; k++)
			if (DTCP_KID(c->id, k) != kids[i])
				s->kops->del(s->kctx, owner, DTCP_KID(c->id, k));
		ids[m++] = c->id;
		dtcp_src_remove(s, src, c, DFC_REASON_NONE);
	}
	if (m) {
		struct dtcp_out *p = malloc(sizeof(*p));
		char *list = id_list(ids, m);

		/* Each source hears only of its own criteria (§5.19). */
		if (p && list) {
			dtcp_out_init(p, !src->cfg->mixed_case);
			dtcp_out_param_str(p, "Cdest-ID", name);
			dtcp_out_param(p, "Criteria-ID", "%s", list);
			dtcp_notify(s, src, 680, p);
		}
		LOG(s, src, LOG_WARNING, "content destination %s above its hard limit: %u criteria "
		    "purged", name, m);
		free(p);
		free(list);
	}
	free(ids);
	dtcp_server_gc(s);
}

void dtcp_server_dups(struct dtcp_server *s, uint32_t owner, const struct dtcp_dup *v,
		      unsigned int n)
{
	struct dtcp_src *src = dtcp_server_src_by_owner(s, owner);
	uint32_t *ids = malloc((n ? n : 1) * sizeof(*ids));
	struct dtcp_out *p = malloc(sizeof(*p));

	if (!src || !ids || !p)
		goto out;
	/* One notice per destination: its criteria and the copies they lost. */
	for (unsigned int i = 0; i < n; i++) {
		uint64_t dropped = 0;
		unsigned int m = 0;
		char name[128], *list;
		bool seen = false;

		for (unsigned int j = 0; j < i && !seen; j++)
			seen = v[j].cdest == v[i].cdest;
		if (seen)
			continue;
		for (unsigned int j = i; j < n; j++) {
			uint32_t id = DTCP_KID_CRIT(v[j].kid);
			bool dup = false;

			if (v[j].cdest != v[i].cdest || !dtcp_src_find(src, id))
				continue;
			dropped += v[j].dropped;
			for (unsigned int k = 0; k < m && !dup; k++)
				dup = ids[k] == id;
			if (!dup)
				ids[m++] = id;
		}
		if (!m)
			continue;
		dest_name(s, src, v[i].cdest, name, sizeof(name));
		list = id_list(ids, m);
		if (!list)
			break;
		dtcp_out_init(p, !src->cfg->mixed_case);
		dtcp_out_param_str(p, "Cdest-ID", name);
		dtcp_out_param(p, "Criteria-ID", "%s", list);
		dtcp_out_param(p, "X-Dropped-Packets", "%" PRIu64, dropped);
		dtcp_notify(s, src, 598, p);
		LOG(s, src, LOG_NOTICE, "content destination %s: %" PRIu64 " copies dropped "
		    "(max-duplicates)", name, dropped);
		free(list);
	}
out:
	free(ids);
	free(p);
}

/* ---- resynchronisation ---- */

struct okid {
	uint32_t owner;
	uint64_t kid;
};

struct resync {
	struct dtcp_server *s;
	struct okid *v;
	unsigned int n, cap;
};

static int resync_cb(const struct dfc_nl_crit *kc, void *data)
{
	struct resync *r = data;

	if (r->n == r->cap) {
		unsigned int cap = r->cap ? r->cap * 2 : 256;
		void *n = realloc(r->v, cap * sizeof(*r->v));

		if (!n)
			return -ENOMEM;
		r->v = n;
		r->cap = cap;
	}
	r->v[r->n].owner = kc->owner;
	r->v[r->n++].kid = kc->id;
	return 0;
}

static int resync_restart(void *data)
{
	((struct resync *)data)->n = 0;
	return 0;
}

static int okid_cmp(const void *a, const void *b)
{
	const struct okid *x = a, *y = b;

	if (x->owner != y->owner)
		return x->owner < y->owner ? -1 : 1;
	return x->kid < y->kid ? -1 : x->kid > y->kid;
}

int dtcp_server_resync(struct dtcp_server *s)
{
	struct resync r = { s, NULL, 0, 0 };
	unsigned int gone = 0;
	int err = s->kops->dump(s->kctx, NULL, true, resync_cb, resync_restart, &r);

	if (err) {
		free(r.v);
		return err;
	}
	if (r.n)
		qsort(r.v, r.n, sizeof(*r.v), okid_cmp);
	for (unsigned int i = 0; i < s->n_srcs; i++) {
		struct dtcp_src *src = s->srcs[i];

		for (unsigned int j = 0; src->cfg && j < src->n_crits; j++) {
			struct dtcp_crit *c = src->crits[j];
			unsigned int k;

			if (c->dead)
				continue;
			for (k = 0; k < c->n_dest; k++) {
				struct okid key = { src->cfg->owner, DTCP_KID(c->id, k) };

				if (!r.n || !bsearch(&key, r.v, r.n, sizeof(*r.v), okid_cmp))
					break;
			}
			if (k == c->n_dest)
				continue;
			/* Gone from the kernel while we were not listening: it expired. */
			dtcp_server_expired(s, src->cfg->owner, DTCP_KID(c->id, k), DFC_REASON_NONE,
					    0, 0);
			gone++;
		}
	}
	dtcp_server_gc(s);
	if (gone)
		LOG(s, NULL, LOG_NOTICE, "resynchronised with the kernel: %u criteria had expired",
		    gone);
	free(r.v);
	return 0;
}
