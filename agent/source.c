// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Control sources at run time and the handling of their requests: the
 * security checks in the order docs/dtcp.md §6.3 suggests (port, sender,
 * Csource-ID, HMAC, Seq: any failure is dropped silently, logged and
 * counted), then the version, the parameters and the method. Every
 * answer is signed with the source's key and carries its Seq.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <netinet/in.h>

#include "crit.h"
#include "server.h"

#define LOG(s, src, prio, ...) do { if ((s)->log) (s)->log(s, src, prio, __VA_ARGS__); } while (0)

/* ---- criteria table ---- */

struct dtcp_crit *dtcp_src_find(const struct dtcp_src *src, uint32_t id)
{
	unsigned int lo = 0, hi = src->n_crits;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		struct dtcp_crit *c = src->crits[mid];

		if (c->id == id)
			return c->dead ? NULL : c;
		if (c->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void crit_free(struct dtcp_crit *c)
{
	free(c->cdests);
	free(c->blob);
	free(c);
}

static void compact(struct dtcp_src *src)
{
	unsigned int j = 0;

	for (unsigned int i = 0; i < src->n_crits; i++) {
		if (src->crits[i]->dead)
			crit_free(src->crits[i]);
		else
			src->crits[j++] = src->crits[i];
	}
	src->n_crits = j;
	src->n_dead = 0;
}

static int crit_insert(struct dtcp_src *src, struct dtcp_crit *c)
{
	unsigned int pos = src->n_crits;

	if (src->n_crits == src->cap) {
		unsigned int cap = src->cap ? src->cap * 2 : 64;
		struct dtcp_crit **n = realloc(src->crits, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		src->crits = n;
		src->cap = cap;
	}
	/* Ids are handed out increasing: the end, unless the counter wrapped. */
	while (pos && src->crits[pos - 1]->id > c->id)
		pos--;
	memmove(src->crits + pos + 1, src->crits + pos, (src->n_crits - pos) * sizeof(c));
	src->crits[pos] = c;
	src->n_crits++;
	src->n_live++;
	if (c->flags & DFC_CRIT_F_STATIC)
		src->n_static++;
	return 0;
}

/*
 * Reference a request-defined destination: the first reference creates it
 * in the kernel (kd given), the last one deletes it. 0 or -errno.
 */
static int rdest_ref(struct dtcp_server *s, uint32_t kid, int delta, const struct dtcp_kdest *kd)
{
	for (unsigned int i = 0; i < s->n_rdests; i++) {
		if (s->rdests[i].kid != kid)
			continue;
		s->rdests[i].refs += delta;
		if (!s->rdests[i].refs) {
			if (s->kops->cdest_del)
				s->kops->cdest_del(s->kctx, kid);
			s->rdests[i] = s->rdests[--s->n_rdests];
		}
		return 0;
	}
	if (delta > 0) {
		struct dtcp_rdest *n = realloc(s->rdests, (s->n_rdests + 1) * sizeof(*n));

		if (!n)
			return -ENOMEM;
		s->rdests = n;
		memset(&n[s->n_rdests], 0, sizeof(*n));
		if (kd) {
			int err = s->kops->cdest_set ? s->kops->cdest_set(s->kctx, kd) : 0;

			if (err)
				return err;
			n[s->n_rdests].kd = *kd;
		}
		n[s->n_rdests].kid = kid;
		n[s->n_rdests++].refs = delta;
	}
	return 0;
}

static bool rdest_known(const struct dtcp_server *s, uint32_t kid)
{
	for (unsigned int i = 0; i < s->n_rdests; i++)
		if (s->rdests[i].kid == kid)
			return true;
	return false;
}

void dtcp_src_remove(struct dtcp_server *s, struct dtcp_src *src, struct dtcp_crit *c,
		     int reason)
{
	if (c->dead)
		return;
	c->dead = true;
	src->n_live--;
	src->n_dead++;
	if (c->flags & DFC_CRIT_F_STATIC)
		src->n_static--;
	if (c->request_dest)
		for (unsigned int k = 0; k < c->n_dest; k++)
			rdest_ref(s, c->cdest_kid[k], -1, NULL);
	if (reason >= 0 && reason < 5)
		src->st.deleted_by[reason]++;
	free(c->blob);
	c->blob = NULL;
	s->dirty = true;
	/* Not compacted here: callers may be walking src->crits. */
}

void dtcp_server_gc(struct dtcp_server *s)
{
	for (unsigned int i = 0; i < s->n_srcs; i++) {
		struct dtcp_src *src = s->srcs[i];

		if (src->n_dead > 64 && src->n_dead > src->n_crits / 2)
			compact(src);
	}
}

/* ---- sources ---- */

static struct dtcp_src *src_new(struct dtcp_server *s, struct dtcp_csource *cfg)
{
	struct dtcp_src *src = calloc(1, sizeof(*src)), **n;

	if (!src)
		return NULL;
	src->id = strdup(cfg->id);
	n = realloc(s->srcs, (s->n_srcs + 1) * sizeof(*n));
	if (!src->id || !n) {
		free(src->id);
		free(src);
		return NULL;
	}
	s->srcs = n;
	src->cfg = cfg;
	s->srcs[s->n_srcs++] = src;
	return src;
}

static void src_free(struct dtcp_src *src)
{
	for (unsigned int i = 0; i < src->n_crits; i++)
		crit_free(src->crits[i]);
	free(src->crits);
	free(src->id);
	free(src);
}

struct dtcp_src *dtcp_server_src(const struct dtcp_server *s, const char *id)
{
	for (unsigned int i = 0; i < s->n_srcs; i++)
		if (!strcmp(s->srcs[i]->id, id))
			return s->srcs[i];
	return NULL;
}

struct dtcp_src *dtcp_server_src_by_owner(const struct dtcp_server *s, uint32_t owner)
{
	for (unsigned int i = 0; i < s->n_srcs; i++)
		if (s->srcs[i]->cfg && s->srcs[i]->cfg->owner == owner)
			return s->srcs[i];
	return NULL;
}

int dtcp_server_init(struct dtcp_server *s, struct dtcp_config *cfg)
{
	s->cfg = cfg;
	s->next_id = 1;
	s->entries = calloc(DFC_CRIT_MAX_ENTRIES, sizeof(*s->entries));
	s->excl = calloc(DFC_CRIT_MAX_EXCL, sizeof(*s->excl));
	s->msg = malloc(sizeof(*s->msg));
	s->out = malloc(sizeof(*s->out));
	if (!s->entries || !s->excl || !s->msg || !s->out)
		return -ENOMEM;
	for (unsigned int g = 0; g < cfg->n_groups; g++)
		for (unsigned int i = 0; i < cfg->groups[g].n_srcs; i++)
			if (!src_new(s, &cfg->groups[g].srcs[i]))
				return -ENOMEM;
	return 0;
}

void dtcp_server_fini(struct dtcp_server *s)
{
	for (unsigned int i = 0; i < s->n_srcs; i++)
		src_free(s->srcs[i]);
	free(s->srcs);
	free(s->rdests);
	free(s->entries);
	free(s->excl);
	free(s->msg);
	free(s->out);
	dtcp_config_free(s->cfg);
	s->srcs = NULL;
	s->n_srcs = 0;
	s->cfg = NULL;
}

static void kernel_del(struct dtcp_server *s, struct dtcp_src *src, struct dtcp_crit *c)
{
	for (unsigned int k = 0; k < c->n_dest; k++) {
		int err = s->kops->del(s->kctx, src->cfg ? src->cfg->owner :
				       dtcp_hash32(src->id, strlen(src->id), DTCP_HASH_INIT),
				       DTCP_KID(c->id, k));

		/* Gone already: it expired, and its event is on the way. */
		if (err && err != -ENOENT) {
			s->st.kernel_errors++;
			LOG(s, src, LOG_ERR, "kernel: delete criterion %" PRIu32 ": %s", c->id,
			    strerror(-err));
		}
	}
}

/* Does a criterion still point at destinations its source may use? */
static bool dests_valid(const struct dtcp_src *src, const struct dtcp_crit *c)
{
	char names[DTCP_MAX_DEST][80];
	const char *p = c->cdests;
	unsigned int n = 0;

	if (c->request_dest)
		return src->cfg->request_dests;
	while (p && *p && n < DTCP_MAX_DEST) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		const struct dtcp_cdest *d;

		snprintf(names[n], sizeof(names[n]), "%.*s", (int)len, p);
		d = dtcp_config_cdest(src->cfg->group, names[n]);
		if (!d || !dtcp_csource_allows(src->cfg, d) || d->kid != c->cdest_kid[n])
			return false;
		n++;
		p = comma ? comma + 1 : NULL;
	}
	return n == c->n_dest;
}

void dtcp_server_reconfig(struct dtcp_server *s, struct dtcp_config *cfg)
{
	struct dtcp_config *old = s->cfg;
	unsigned int j = 0;

	s->cfg = cfg;
	for (unsigned int i = 0; i < s->n_srcs; i++) {
		struct dtcp_src *src = s->srcs[i];
		struct dtcp_csource *cs = dtcp_config_source(cfg, src->id);

		if (!cs) {
			uint32_t n = 0;
			uint32_t owner = src->cfg->owner;

			/* A source that is gone takes its criteria with it. */
			if (src->n_live && s->kops->del_owner(s->kctx, owner, &n))
				s->st.kernel_errors++;
			LOG(s, NULL, LOG_NOTICE, "control source %s removed: %u criteria deleted",
			    src->id, src->n_live);
			for (unsigned int k = 0; k < src->n_crits; k++)
				dtcp_src_remove(s, src, src->crits[k], DFC_REASON_NONE);
			src_free(src);
			s->dirty = true;
			continue;
		}
		src->cfg = cs;
		s->srcs[j++] = src;
		for (unsigned int k = 0; k < src->n_crits; k++) {
			struct dtcp_crit *c = src->crits[k];

			if (c->dead || dests_valid(src, c))
				continue;
			kernel_del(s, src, c);
			LOG(s, src, LOG_NOTICE, "criterion %" PRIu32 " deleted: destination %s "
			    "no longer configured or allowed", c->id, c->cdests);
			dtcp_src_remove(s, src, c, DFC_REASON_NONE);
		}
	}
	s->n_srcs = j;
	for (unsigned int g = 0; g < cfg->n_groups; g++)
		for (unsigned int i = 0; i < cfg->groups[g].n_srcs; i++)
			if (!dtcp_server_src(s, cfg->groups[g].srcs[i].id))
				src_new(s, &cfg->groups[g].srcs[i]);
	/* Destinations gone from the file go from the kernel; the rest are updated. */
	for (unsigned int g = 0; s->kops->cdest_del && g < old->n_groups; g++)
		for (unsigned int i = 0; i < old->groups[g].n_dests; i++) {
			uint32_t kid = old->groups[g].dests[i].kid;
			bool kept = false;

			for (unsigned int h = 0; h < cfg->n_groups && !kept; h++)
				for (unsigned int k = 0; k < cfg->groups[h].n_dests && !kept; k++)
					kept = cfg->groups[h].dests[k].kid == kid;
			if (!kept)
				s->kops->cdest_del(s->kctx, kid);
		}
	dtcp_config_free(old);
	dtcp_server_program(s);
	dtcp_server_gc(s);
}

static void kdest_of(const struct dtcp_cdest *d, struct dtcp_kdest *kd)
{
	memset(kd, 0, sizeof(*kd));
	kd->kid = d->kid;
	snprintf(kd->name, sizeof(kd->name), "%.31s", d->id);
	kd->encap = strcmp(d->encap, "udp") ? DFC_ENCAP_IPIP : DFC_ENCAP_UDP;
	kd->family = d->addr.ss_family;
	if (kd->family == AF_INET)
		memcpy(kd->addr, &((const struct sockaddr_in *)&d->addr)->sin_addr, 4);
	else
		memcpy(kd->addr, &((const struct sockaddr_in6 *)&d->addr)->sin6_addr, 16);
	kd->dport = d->udp_port;
	kd->ttl = d->ttl;
	kd->soft = d->soft_limit;
	kd->soft_clear = d->soft_limit_clear;
	kd->hard = d->hard_limit;
	kd->hard_target = d->hard_limit_target;
	kd->flags = d->ipsec_required ? DFC_CDEST_F_IPSEC_REQUIRED : 0;
}

void dtcp_server_program(struct dtcp_server *s)
{
	const struct dtcp_config *c = s->cfg;
	int err;

	if (s->kops->dup_limits && (err = s->kops->dup_limits(s->kctx, c->g_max_dups,
							     c->g_dup_period)))
		LOG(s, NULL, LOG_WARNING, "kernel: max-duplicates: %s", strerror(-err));
	for (unsigned int g = 0; g < c->n_groups; g++) {
		const struct dtcp_group *grp = &c->groups[g];

		for (unsigned int i = 0; s->kops->cdest_set && i < grp->n_dests; i++) {
			struct dtcp_kdest kd;

			kdest_of(&grp->dests[i], &kd);
			err = s->kops->cdest_set(s->kctx, &kd);
			if (err)
				LOG(s, NULL, LOG_ERR, "kernel: content destination %s: %s",
				    grp->dests[i].id, strerror(-err));
		}
		/* A group's own max-duplicates holds for each of its control sources. */
		for (unsigned int i = 0; s->kops->owner_dup && i < grp->n_srcs; i++) {
			err = s->kops->owner_dup(s->kctx, grp->srcs[i].owner,
						 grp->max_dups == c->g_max_dups ? 0 : grp->max_dups);
			if (err)
				LOG(s, NULL, LOG_WARNING, "kernel: max-duplicates of %s: %s",
				    grp->srcs[i].id, strerror(-err));
		}
	}
}

void dtcp_server_state(const struct dtcp_server *s, struct dtcp_state *st)
{
	memset(st, 0, sizeof(*st));
	st->next_id = s->next_id;
	st->src = calloc(s->n_srcs ? s->n_srcs : 1, sizeof(*st->src));
	for (unsigned int i = 0; st->src && i < s->n_srcs; i++) {
		st->src[i].id = s->srcs[i]->id; /* borrowed: free st->src only */
		st->src[i].seq = s->srcs[i]->seq;
		st->n_static += s->srcs[i]->n_static;
		st->n_dynamic += s->srcs[i]->n_live - s->srcs[i]->n_static;
	}
	if (st->src)
		st->n_src = s->n_srcs;
}

void dtcp_server_restore(struct dtcp_server *s, const struct dtcp_state *st)
{
	if (st->next_id > s->next_id)
		s->next_id = st->next_id;
	for (unsigned int i = 0; i < st->n_src; i++) {
		struct dtcp_src *src = dtcp_server_src(s, st->src[i].id);

		if (src)
			src->seq = st->src[i].seq;
	}
}

/* ---- replies ---- */

void dtcp_replies_clear(struct dtcp_replies *r)
{
	for (unsigned int i = 0; i < r->n; i++)
		free(r->d[i].buf);
	r->n = 0;
}

static void push(struct dtcp_server *s, struct dtcp_replies *r, const struct dtcp_out *o)
{
	char *b;

	if (o->overflow) {
		LOG(s, NULL, LOG_ERR, "reply too large: dropped");
		return;
	}
	if (r->n == r->cap) {
		unsigned int cap = r->cap ? r->cap * 2 : 4;
		struct dtcp_dgram *d = realloc(r->d, cap * sizeof(*d));

		if (!d)
			return;
		r->d = d;
		r->cap = cap;
	}
	b = malloc(o->len + 1);
	if (!b)
		return;
	memcpy(b, o->buf, o->len);
	b[o->len] = '\0'; /* for whoever prints it */
	r->d[r->n].buf = b;
	r->d[r->n++].len = o->len;
	s->st.replies++;
}

struct req {
	struct dtcp_server *s;
	struct dtcp_src *src;
	const struct dtcp_msg *m;
	const struct sockaddr *from;
	int ver;
	const char *seq;		/* as sent: echoed exactly */
	struct dtcp_replies *out;
};

static void begin(struct req *q, struct dtcp_out *o, unsigned int code)
{
	dtcp_out_init(o, !q->src->cfg->mixed_case);
	dtcp_out_status(o, q->ver, code, NULL);
	dtcp_out_param(o, "Seq", "%s", q->seq);
}

static void timestamp(struct req *q, struct dtcp_out *o)
{
	char ts[32];

	dtcp_time_fmt(q->s->wall_ms(), ts);
	dtcp_out_param(o, "Timestamp", "%s", ts);
}

static void finish(struct req *q, struct dtcp_out *o)
{
	timestamp(q, o);
	dtcp_out_sign(o, q->src->cfg->key, q->src->cfg->key_len);
	push(q->s, q->out, o);
}

static unsigned int error_reply(struct req *q, struct dtcp_err *e)
{
	struct dtcp_out *o = q->s->out;
	unsigned int code = e->code;

	/* 550 and 551 are 0.7 codes: a 0.6 client knew them as 500. */
	if ((code == 550 || code == 551) && q->ver < DTCP_VER(0, 7))
		code = 500;
	begin(q, o, code);
	if (e->param) {
		const char *c = dtcp_param_canon(e->param->name);

		dtcp_out_param(o, c ? c : e->param->name, "%s", e->param->raw);
	}
	if (e->cdest[0])
		dtcp_out_param_str(o, "Cdest-ID", e->cdest);
	if (e->has_id)
		dtcp_out_param(o, "Criteria-ID", "%" PRIu64, e->id);
	if (e->why[0])
		dtcp_out_param_str(o, "X-Error-Info", e->why);
	finish(q, o);
	LOG(q->s, q->src, LOG_INFO, "%s: %u %s%s%s", q->m->method, code, dtcp_reason(code),
	    e->why[0] ? ": " : "", e->why);
	return code;
}

/* ---- parameter checks ---- */

enum {
	P_CDEST = 1 << 0, P_FILTER = 1 << 1, P_TIMEOUT = 1 << 2, P_PRIO = 1 << 3,
	P_ACTION = 1 << 4, P_FLAGS = 1 << 5, P_CRITID = 1 << 6,
};

static unsigned int param_class(const char *canon)
{
	static const struct { const char *n; unsigned int c; } t[] = {
		{ "Cdest-ID", P_CDEST }, { "Source-Address", P_FILTER },
		{ "Dest-Address", P_FILTER }, { "Protocol", P_FILTER },
		{ "Source-Port", P_FILTER }, { "Dest-Port", P_FILTER },
		{ "ICMP-Type", P_FILTER }, { "ICMP-Code", P_FILTER },
		{ "Timeout-Idle", P_TIMEOUT }, { "Timeout-Total", P_TIMEOUT },
		{ "Timeout-Packets", P_TIMEOUT }, { "Timeout-Bytes", P_TIMEOUT },
		{ "Priority", P_PRIO }, { "Action", P_ACTION }, { "Flags", P_FLAGS },
		{ "Criteria-ID", P_CRITID },
	};

	for (unsigned int i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(t[i].n, canon))
			return t[i].c;
	return 0;
}

static int check_params(const struct dtcp_msg *m, enum dtcp_method meth, struct dtcp_err *e)
{
	static const unsigned int allowed[] = {
		[DTCP_M_ADD] = P_CDEST | P_FILTER | P_TIMEOUT | P_PRIO | P_ACTION | P_FLAGS,
		[DTCP_M_DELETE] = P_CDEST | P_CRITID | P_FLAGS,
		[DTCP_M_REFRESH] = P_CDEST | P_CRITID | P_TIMEOUT | P_FLAGS,
		[DTCP_M_LIST] = P_CDEST | P_CRITID | P_FLAGS,
		[DTCP_M_NOOP] = P_FLAGS,
	};

	for (unsigned int i = 0; i < m->n; i++) {
		const struct dtcp_param *p = &m->p[i];
		const char *c;

		if (!strncasecmp(p->name, "X-", 2) || !strcasecmp(p->name, "Csource-ID") ||
		    !strcasecmp(p->name, "Seq"))
			continue; /* extensions: used by ADD or dropped silently */
		c = dtcp_param_canon(p->name);
		if (!c || !param_class(c)) {
			if (c)
				return dtcp_fail(e, 400, p, "%s is not a request parameter", c);
			return dtcp_fail(e, 501, p, "parameter %s is not implemented", p->name);
		}
		if (!(param_class(c) & allowed[meth]))
			return dtcp_fail(e, 400, p, "%s is not a %s parameter", c, m->method);
	}
	return 0;
}

/* ---- selecting criteria: Criteria-ID or Cdest-ID ---- */

static bool has_dest(const struct dtcp_crit *c, const char *name)
{
	const char *p = c->cdests;
	size_t n = strlen(name);

	while (p && *p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		if (len == n && !memcmp(p, name, n))
			return true;
		p = comma ? comma + 1 : NULL;
	}
	return false;
}

/*
 * The live criteria of src the request names; *sel malloc'd. Neither
 * selector: all of them. Singles must exist (431); ranges take what exists.
 */
static int select_crits(struct req *q, const struct dtcp_param *pid,
			const struct dtcp_param *pcd, struct dtcp_crit ***sel,
			unsigned int *n, struct dtcp_err *e)
{
	struct dtcp_src *src = q->src;
	struct dtcp_idset *set = NULL;
	char name[256];

	*sel = NULL;
	*n = 0;
	if (pid) {
		set = malloc(sizeof(*set));
		if (!set)
			return dtcp_fail(e, 500, NULL, "out of memory");
		if (dtcp_idset_parse(pid->value, set)) {
			free(set);
			return dtcp_fail(e, 400, pid, "bad Criteria-ID");
		}
		for (unsigned int i = 0; i < set->n; i++) {
			if (set->it[i].neg || !set->it[i].single)
				continue;
			if (set->it[i].lo > UINT32_MAX ||
			    !dtcp_src_find(src, (uint32_t)set->it[i].lo)) {
				e->has_id = true;
				e->id = set->it[i].lo;
				free(set);
				return dtcp_fail(e, 431, NULL, "no such criterion");
			}
		}
	} else if (pcd) {
		const struct dtcp_cdest *d;
		bool known = false;

		if (strchr(pcd->raw, ','))
			return dtcp_fail(e, 400, pcd, "one Cdest-ID only");
		snprintf(name, sizeof(name), "%s", pcd->value);
		d = dtcp_config_cdest(src->cfg->group, name);
		/* Or a label its own requests may have defined. */
		known = (d && dtcp_csource_allows(src->cfg, d)) || src->cfg->request_dests;
		if (!known) {
			snprintf(e->cdest, sizeof(e->cdest), "%s", pcd->value);
			return dtcp_fail(e, 430, NULL, "unknown content destination");
		}
	}
	*sel = malloc((src->n_live ? src->n_live : 1) * sizeof(**sel));
	if (!*sel) {
		free(set);
		return dtcp_fail(e, 500, NULL, "out of memory");
	}
	for (unsigned int i = 0; i < src->n_crits; i++) {
		struct dtcp_crit *c = src->crits[i];

		if (c->dead)
			continue;
		if (set && !dtcp_idset_has(set, c->id))
			continue;
		if (pcd && !has_dest(c, name))
			continue;
		(*sel)[(*n)++] = c;
	}
	free(set);
	return 0;
}

/* ---- methods ---- */

static uint32_t alloc_id(struct dtcp_server *s, struct dtcp_src *src)
{
	/* Server-wide and increasing: an id is not reused soon after its delete. */
	for (;;) {
		uint32_t id = s->next_id++;

		if (!s->next_id)
			s->next_id = 1;
		if (id && !dtcp_src_find(src, id))
			return id;
	}
}

static unsigned int do_add(struct req *q)
{
	struct dtcp_server *s = q->s;
	struct dtcp_src *src = q->src;
	struct dfc_nl_crit kc[DTCP_MAX_DEST];
	struct dtcp_err e = { 0 };
	struct dtcp_add *a = malloc(sizeof(*a));
	struct dtcp_crit *c = NULL;
	char *blobs = malloc(DTCP_MAX_DEST * DFC_CRIT_BLOB_MAX);
	unsigned int ne, nx, done = 0, fresh = 0, refs = 0;
	uint64_t now = s->wall_ms();
	const char *why = NULL;
	char from[48];
	uint32_t id;
	int err;

	if (!a || !blobs) {
		dtcp_fail(&e, 500, NULL, "out of memory");
		goto fail;
	}
	if (dtcp_add_parse(s, src, q->m, q->ver, a, &e))
		goto fail;
	if (src->cfg->max_criteria && src->n_live >= src->cfg->max_criteria) {
		dtcp_fail(&e, 550, NULL, "this control source has %u criteria", src->n_live);
		goto fail;
	}
	if (a->request_dest) {
		for (unsigned int k = 0; k < a->n_dest; k++)
			fresh += !rdest_known(s, a->cdest_kid[k]);
		if (fresh && s->n_rdests + fresh > s->cfg->max_request_dests) {
			dtcp_fail(&e, 551, NULL, "too many content destinations");
			goto fail;
		}
	}
	if (dtcp_add_expand(s, a, &ne, &nx, &e))
		goto fail;
	/* Request-defined destinations exist in the kernel before criteria name them. */
	for (unsigned int k = 0; a->request_dest && k < a->n_dest; k++) {
		err = rdest_ref(s, a->cdest_kid[k], 1, &a->kd[k]);
		if (err) {
			while (k--)
				rdest_ref(s, a->cdest_kid[k], -1, NULL);
			dtcp_fail(&e, err == -ENOMEM ? 500 : 551, NULL,
				  "content destination: %s", strerror(-err));
			goto fail;
		}
		refs = k + 1;
	}
	dtcp_sa_text(q->from, from, sizeof(from));
	id = alloc_id(s, src);
	memset(kc, 0, sizeof(kc));
	for (unsigned int k = 0; k < a->n_dest; k++) {
		char *b = blobs + k * DFC_CRIT_BLOB_MAX;
		int len = dtcp_add_blob(q->m, a, src->id, from, id, now, k, b, DFC_CRIT_BLOB_MAX);

		if (len < 0) {
			dtcp_fail(&e, 432, NULL, "criterion longer than the %d bytes the kernel keeps",
				  DFC_CRIT_BLOB_MAX);
			goto fail;
		}
		kc[k].id = DTCP_KID(id, k);
		kc[k].prio = a->prio;
		kc[k].flags = a->flags;
		kc[k].cdest = a->cdest_kid[k];
		kc[k].timeout_idle = a->t_idle;
		kc[k].timeout_total = a->t_total;
		kc[k].limit_packets = a->t_packets;
		kc[k].limit_bytes = a->t_bytes;
		kc[k].blob = b;
		kc[k].blob_len = len;
		kc[k].entries = s->entries;
		kc[k].n_entries = ne;
		kc[k].excl = nx ? s->excl : NULL;
		kc[k].n_excl = nx;
	}
	err = s->kops->add(s->kctx, src->cfg->owner, kc, a->n_dest, &done, &why);
	if (err) {
		/* All or nothing: take back what an earlier message committed. */
		for (unsigned int k = 0; k < done; k++)
			s->kops->del(s->kctx, src->cfg->owner, kc[k].id);
		if (err == -ENOSPC)
			dtcp_fail(&e, 550, NULL, "kernel criteria limit reached");
		else if (err == -EINVAL || err == -EMSGSIZE || err == -E2BIG)
			dtcp_fail(&e, 432, NULL, "kernel refused the filter%s%s", why ? ": " : "",
				  why ? why : "");
		else
			dtcp_fail(&e, 500, NULL, "kernel: %s", strerror(-err));
		s->st.kernel_errors += err != -ENOSPC && err != -EINVAL;
		goto fail;
	}
	c = calloc(1, sizeof(*c));
	if (c) {
		c->id = id;
		c->flags = a->flags;
		c->prio = a->prio;
		c->n_dest = a->n_dest;
		memcpy(c->cdest_kid, a->cdest_kid, sizeof(c->cdest_kid));
		c->cdests = strdup(a->n_dest == 2 ? "" : a->dest_names[0]);
		if (a->n_dest == 2 && c->cdests) {
			free(c->cdests);
			c->cdests = malloc(strlen(a->dest_names[0]) + strlen(a->dest_names[1]) + 2);
			if (c->cdests)
				sprintf(c->cdests, "%s,%s", a->dest_names[0], a->dest_names[1]);
		}
		c->request_dest = a->request_dest;
		c->t_idle = a->t_idle;
		c->t_total = a->t_total;
		c->t_packets = a->t_packets;
		c->t_bytes = a->t_bytes;
		c->added_ms = now;
		snprintf(c->from, sizeof(c->from), "%s", from);
		c->blob_len = kc[0].blob_len;
		c->blob = malloc(c->blob_len);
		if (c->blob)
			memcpy(c->blob, kc[0].blob, c->blob_len);
		c->bw_ms = s->mono_ms ? s->mono_ms() : 0;
	}
	if (!c || !c->cdests || !c->blob || crit_insert(src, c)) {
		for (unsigned int k = 0; k < a->n_dest; k++)
			s->kops->del(s->kctx, src->cfg->owner, kc[k].id);
		if (c)
			crit_free(c);
		dtcp_fail(&e, 500, NULL, "out of memory");
		goto fail;
	}
	src->st.added++;
	s->dirty = true;
	free(a);
	free(blobs);
	begin(q, s->out, 200);
	dtcp_out_param(s->out, "Criteria-ID", "%" PRIu32, id);
	finish(q, s->out);
	return 200;
fail:
	for (unsigned int k = 0; k < refs; k++)
		rdest_ref(s, a->cdest_kid[k], -1, NULL);
	free(a);
	free(blobs);
	src->st.add_failed++;
	return error_reply(q, &e);
}

static int req_flags(const struct dtcp_msg *m, unsigned int *fl, struct dtcp_err *e)
{
	const struct dtcp_param *p = dtcp_msg_get(m, "Flags");

	*fl = 0;
	if (p && dtcp_flags_parse(p->value, fl))
		return dtcp_fail(e, 400, p, "unknown flag");
	return 0;
}

static unsigned int do_delete(struct req *q)
{
	struct dtcp_server *s = q->s;
	struct dtcp_src *src = q->src;
	const struct dtcp_param *pid = dtcp_msg_get(q->m, "Criteria-ID");
	const struct dtcp_param *pcd = dtcp_msg_get(q->m, "Cdest-ID");
	struct dtcp_err e = { 0 };
	struct dtcp_crit **sel;
	unsigned int n, fl, count = 0;
	bool statics;

	if (!!pid == !!pcd) {
		dtcp_fail(&e, 400, pid, "exactly one of Criteria-ID and Cdest-ID");
		return error_reply(q, &e);
	}
	if (req_flags(q->m, &fl, &e) || select_crits(q, pid, pcd, &sel, &n, &e))
		return error_reply(q, &e);
	statics = fl & DTCP_FL_STATIC;
	if (n && n == src->n_live && (statics || !src->n_static) && s->kops->del_owner) {
		/* Everything of the source: one kernel request. */
		uint32_t kn = 0;

		if (s->kops->del_owner(s->kctx, src->cfg->owner, &kn))
			s->st.kernel_errors++;
		for (unsigned int i = 0; i < n; i++)
			dtcp_src_remove(s, src, sel[i], DFC_REASON_NONE);
		count = n;
	} else {
		for (unsigned int i = 0; i < n; i++) {
			/* Static ones stay unless asked for: skipped, not an error. */
			if ((sel[i]->flags & DFC_CRIT_F_STATIC) && !statics)
				continue;
			kernel_del(s, src, sel[i]);
			dtcp_src_remove(s, src, sel[i], DFC_REASON_NONE);
			count++;
		}
	}
	free(sel);
	begin(q, s->out, 200);
	dtcp_out_param(s->out, "Criteria-Count", "%u", count);
	finish(q, s->out);
	return 200;
}

static unsigned int do_refresh(struct req *q)
{
	struct dtcp_server *s = q->s;
	struct dtcp_src *src = q->src;
	const struct dtcp_param *pid = dtcp_msg_get(q->m, "Criteria-ID");
	const struct dtcp_param *pcd = dtcp_msg_get(q->m, "Cdest-ID");
	struct dtcp_err e = { 0 };
	struct dtcp_timeouts t;
	struct dtcp_crit **sel;
	unsigned int n, fl, count = 0;
	uint64_t now = s->wall_ms();

	if (!!pid == !!pcd) {
		dtcp_fail(&e, 400, pid, "exactly one of Criteria-ID and Cdest-ID");
		return error_reply(q, &e);
	}
	if (req_flags(q->m, &fl, &e))
		return error_reply(q, &e);
	if (fl & DTCP_FL_STATIC) {
		dtcp_fail(&e, 400, dtcp_msg_get(q->m, "Flags"),
			  "REFRESH cannot make a criterion Static");
		return error_reply(q, &e);
	}
	if (dtcp_timeouts_parse(q->m, &t, &e))
		return error_reply(q, &e);
	if (!t.idle && !t.total && !t.packets && !t.bytes) {
		dtcp_fail(&e, 433, dtcp_msg_get(q->m, "Timeout-Idle"),
			  "REFRESH needs a non-zero timeout");
		return error_reply(q, &e);
	}
	if (select_crits(q, pid, pcd, &sel, &n, &e))
		return error_reply(q, &e);
	for (unsigned int i = 0; i < n; i++) {
		struct dtcp_crit *c = sel[i];
		bool ok = false;

		/* A Static criterion has no timeout to refresh: left alone, not counted. */
		if (c->flags & DFC_CRIT_F_STATIC)
			continue;
		for (unsigned int k = 0; k < c->n_dest; k++) {
			struct dfc_nl_crit kc = {
				.id = DTCP_KID(c->id, k),
				.timeout_idle = t.idle, .timeout_total = t.total,
				.limit_packets = t.packets, .limit_bytes = t.bytes,
			};
			int err = s->kops->refresh(s->kctx, src->cfg->owner, &kc);

			if (!err) {
				ok = true;
			} else if (err != -ENOENT) {
				s->st.kernel_errors++;
				LOG(s, src, LOG_ERR, "kernel: refresh criterion %" PRIu32 ": %s",
				    c->id, strerror(-err));
			}
		}
		if (!ok)
			continue; /* expired meanwhile: its event will tell */
		/* The named kinds replace what was left; the others keep running. */
		if (t.idle)
			c->t_idle = t.idle;
		if (t.total)
			c->t_total = t.total;
		if (t.packets)
			c->t_packets = t.packets;
		if (t.bytes)
			c->t_bytes = t.bytes;
		c->n_refresh++;
		c->refresh_ms = now;
		count++;
	}
	free(sel);
	begin(q, s->out, 200);
	dtcp_out_param(s->out, "Criteria-Count", "%u", count);
	finish(q, s->out);
	return 200;
}

/* Kernel counters of a source's criteria, for LIST Stats. */
struct kstat {
	uint64_t kid;
	struct dfc_nl_crit c;
};

struct kstats {
	struct kstat *v;
	unsigned int n, cap;
};

static int kstat_cb(const struct dfc_nl_crit *c, void *data)
{
	struct kstats *ks = data;

	if (DTCP_KID_DEST(c->id))
		return 0; /* destination 0 speaks for the criterion */
	if (ks->n == ks->cap) {
		unsigned int cap = ks->cap ? ks->cap * 2 : 256;
		struct kstat *v = realloc(ks->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		ks->v = v;
		ks->cap = cap;
	}
	ks->v[ks->n].kid = c->id;
	ks->v[ks->n].c = *c;
	ks->v[ks->n].c.blob = NULL;
	ks->v[ks->n].c.entries = ks->v[ks->n].c.excl = NULL;
	ks->n++;
	return 0;
}

static int kstat_restart(void *data)
{
	((struct kstats *)data)->n = 0;
	return 0;
}

static int kstat_cmp(const void *a, const void *b)
{
	const struct kstat *x = a, *y = b;

	return x->kid < y->kid ? -1 : x->kid > y->kid;
}

static const struct dfc_nl_crit *kstat_find(const struct kstats *ks, uint64_t kid)
{
	struct kstat key = { .kid = kid }, *r;

	if (!ks->n)
		return NULL;
	r = bsearch(&key, ks->v, ks->n, sizeof(*ks->v), kstat_cmp);
	return r ? &r->c : NULL;
}

struct entry_ctx {
	struct dtcp_out *o;
	bool criteria;
	bool x_pass;
};

static void entry_line(const char *name, const char *value, void *data)
{
	struct entry_ctx *x = data;
	bool is_x = !strncasecmp(name, "X-", 2);

	if (!strcasecmp(name, "Cdest-ID") || is_x != x->x_pass)
		return;
	dtcp_out_param(x->o, name, "%s", value);
}

/* One List-Resp-Entry into o (which starts empty). */
static void list_entry(struct req *q, struct dtcp_out *o, const struct dtcp_crit *c,
		       unsigned int flags, const struct dfc_nl_crit *k, unsigned int num,
		       unsigned int count)
{
	struct entry_ctx x = { .o = o };
	char ts[32];

	dtcp_out_param(o, "Criteria-ID", "%" PRIu32, c->id);
	dtcp_out_param_str(o, "Csource-ID", q->src->id);
	dtcp_out_param(o, "Csource-Address", "%s", c->from);
	dtcp_out_param_str(o, "Cdest-ID", c->cdests);
	dtcp_time_fmt(c->added_ms, ts);
	dtcp_out_param(o, "Timestamp", "%s", ts);
	if (flags & (DTCP_FL_CRITERIA | DTCP_FL_BOTH)) {
		if (c->blob)
			dtcp_blob_lines(c->blob, c->blob_len, entry_line, &x);
		if (c->t_idle)
			dtcp_out_param(o, "Timeout-Idle", "%" PRIu32, c->t_idle);
		if (c->t_total)
			dtcp_out_param(o, "Timeout-Total", "%" PRIu32, c->t_total);
		if (c->t_packets)
			dtcp_out_param(o, "Timeout-Packets", "%" PRIu64, c->t_packets);
		if (c->t_bytes)
			dtcp_out_param(o, "Timeout-Bytes", "%" PRIu64, c->t_bytes);
	}
	/* Whether it is Static is shown whatever was asked (draft §5.11). */
	if (c->flags & (DFC_CRIT_F_STATIC | DFC_CRIT_F_SEND_ASYNC))
		dtcp_out_param(o, "Flags", "%s%s%s",
			       c->flags & DFC_CRIT_F_STATIC ? "Static" : "",
			       (c->flags & DFC_CRIT_F_STATIC) && (c->flags & DFC_CRIT_F_SEND_ASYNC) ?
			       "," : "", c->flags & DFC_CRIT_F_SEND_ASYNC ? "SendAsync" : "");
	if (flags & (DTCP_FL_CRITERIA | DTCP_FL_BOTH)) {
		x.x_pass = true;
		if (c->blob)
			dtcp_blob_lines(c->blob, c->blob_len, entry_line, &x);
	}
	if (flags & (DTCP_FL_STATS | DTCP_FL_BOTH)) {
		struct dfc_nl_crit z = { 0 };

		if (!k)
			k = &z;
		if (c->t_idle)
			dtcp_out_param(o, "Remaining-Idle", "%" PRIu32, k->timeout_idle);
		if (c->t_total)
			dtcp_out_param(o, "Remaining-Total", "%" PRIu32, k->timeout_total);
		if (c->t_packets)
			dtcp_out_param(o, "Remaining-Packets", "%" PRIu64, k->limit_packets);
		if (c->t_bytes)
			dtcp_out_param(o, "Remaining-Bytes", "%" PRIu64, k->limit_bytes);
		dtcp_out_param(o, "Average-Bandwidth", "%" PRIu64, c->avg_bps);
		dtcp_out_param(o, "Matching-Packets", "%" PRIu64, k->packets);
		dtcp_out_param(o, "Matching-Bytes", "%" PRIu64, k->bytes);
		dtcp_out_param(o, "Num-Refresh", "%" PRIu32, c->n_refresh);
		dtcp_time_fmt(c->refresh_ms ? c->refresh_ms : c->added_ms, ts);
		dtcp_out_param(o, "Last-Refresh", "%s", ts);
	}
	dtcp_out_param(o, "Criteria-Num", "%u", num);
	dtcp_out_param(o, "Criteria-Count", "%u", count);
}

/* Bytes the signature line and the blank line add to a datagram. */
#define DTCP_TRAILER (sizeof("Authentication-Info: ") - 1 + DTCP_HMAC_HEX + 4)

static unsigned int do_list(struct req *q)
{
	struct dtcp_server *s = q->s;
	struct dtcp_src *src = q->src;
	const struct dtcp_param *pid = dtcp_msg_get(q->m, "Criteria-ID");
	const struct dtcp_param *pcd = dtcp_msg_get(q->m, "Cdest-ID");
	struct dtcp_err e = { 0 };
	struct kstats ks = { 0 };
	struct dtcp_crit **sel;
	struct dtcp_out *entry = NULL;
	unsigned int n, fl, i = 0;
	size_t head;

	if (pid && pcd) {
		dtcp_fail(&e, 400, pcd, "Criteria-ID or Cdest-ID, not both");
		return error_reply(q, &e);
	}
	if (req_flags(q->m, &fl, &e))
		return error_reply(q, &e);
	/* No Stats/Criteria/Both: Criteria, as later Junos releases do. */
	if (!(fl & (DTCP_FL_STATS | DTCP_FL_CRITERIA | DTCP_FL_BOTH)))
		fl |= DTCP_FL_CRITERIA;
	if (select_crits(q, pid, pcd, &sel, &n, &e))
		return error_reply(q, &e);
	if (n && (fl & (DTCP_FL_STATS | DTCP_FL_BOTH))) {
		/* One dump is the atomic snapshot the draft asks for (not terse: limits). */
		uint32_t owner = src->cfg->owner;
		int err = s->kops->dump(s->kctx, &owner, false, kstat_cb, kstat_restart, &ks);

		if (err) {
			free(sel);
			free(ks.v);
			s->st.kernel_errors++;
			dtcp_fail(&e, 500, NULL, "kernel: %s", strerror(-err));
			return error_reply(q, &e);
		}
		qsort(ks.v, ks.n, sizeof(*ks.v), kstat_cmp);
	}
	entry = malloc(sizeof(*entry));
	if (!entry) {
		free(sel);
		free(ks.v);
		dtcp_fail(&e, 500, NULL, "out of memory");
		return error_reply(q, &e);
	}
	/* Each datagram: one whole Response, whole entries, the same Seq (draft §6.1). */
	do {
		struct dtcp_out *o = s->out;

		begin(q, o, 200);
		timestamp(q, o);
		head = o->len;
		for (; i < n; i++) {
			dtcp_out_init(entry, o->upper);
			list_entry(q, entry, sel[i], fl, kstat_find(&ks, DTCP_KID(sel[i]->id, 0)),
				   i + 1, n);
			/* An entry never straddles datagrams; one too big goes alone. */
			if (o->len > head && o->len + entry->len + DTCP_TRAILER > DTCP_DGRAM_BUDGET)
				break;
			dtcp_out_raw(o, entry->buf, entry->len);
		}
		dtcp_out_sign(o, src->cfg->key, src->cfg->key_len);
		push(s, q->out, o);
	} while (i < n);
	free(entry);
	free(sel);
	free(ks.v);
	return 200;
}

static unsigned int do_noop(struct req *q)
{
	struct dtcp_err e = { 0 };
	unsigned int fl;

	if (req_flags(q->m, &fl, &e))
		return error_reply(q, &e);
	begin(q, q->s->out, 200);
	finish(q, q->s->out);
	if (fl & DTCP_FL_SENDASYNC)
		dtcp_notify(q->s, q->src, 131, NULL);
	return 200;
}

static enum dtcp_method method_of(const char *m)
{
	static const char *const names[] = { "ADD", "DELETE", "REFRESH", "LIST", "NOOP" };

	for (int i = 0; i < DTCP_M_OTHER; i++)
		if (!strcasecmp(m, names[i]))
			return i;
	return DTCP_M_OTHER;
}

void dtcp_server_handle(struct dtcp_server *s, const struct sockaddr *from,
			uint16_t local_port, const void *data, size_t len,
			struct dtcp_replies *out)
{
	struct dtcp_msg *m = s->msg;
	const struct dtcp_param *cs, *seqp;
	struct dtcp_err e = { 0 };
	enum dtcp_seq_verdict v;
	enum dtcp_method meth;
	struct dtcp_src *src;
	unsigned int code;
	char addr[48];
	uint64_t seq;
	struct req q;
	int err;

	s->st.rx++;
	dtcp_sa_text(from, addr, sizeof(addr));
	err = dtcp_msg_parse(m, data, len);
	if (err) {
		if (err == -EMSGSIZE)
			s->st.too_big++;
		else
			s->st.not_dtcp++;
		LOG(s, NULL, LOG_DEBUG, "from %s: not a DTCP message, dropped", addr);
		return;
	}
	if (m->kind != DTCP_K_REQUEST) {
		s->st.not_request++;
		LOG(s, NULL, LOG_DEBUG, "from %s: not a request, dropped", addr);
		return;
	}
	/* Security checks: every failure is dropped without an answer. */
	cs = dtcp_msg_get(m, "Csource-ID");
	if (!cs) {
		s->st.no_csource++;
		LOG(s, NULL, LOG_WARNING, "from %s: no Csource-ID, dropped (499)", addr);
		return;
	}
	src = dtcp_server_src(s, cs->value);
	if (!src || !src->cfg) {
		s->st.unknown_csource++;
		LOG(s, NULL, LOG_WARNING, "from %s: unknown control source, dropped (499)", addr);
		return;
	}
	if (local_port != src->cfg->port) {
		src->st.drop_port++;
		LOG(s, src, LOG_WARNING, "from %s: request to port %u, not the service port, "
		    "dropped", addr, local_port);
		return;
	}
	if (!dtcp_csource_sender_ok(src->cfg, from)) {
		src->st.drop_addr++;
		LOG(s, src, LOG_WARNING, "from %s: sender not in source-addresses, dropped", addr);
		return;
	}
	if (!m->auth || !dtcp_hmac_verify(src->cfg->key, src->cfg->key_len, m->raw,
					  m->signed_len, m->auth)) {
		src->st.drop_auth++;
		LOG(s, src, LOG_WARNING, "from %s: authentication failed, dropped (497)", addr);
		return;
	}
	seqp = dtcp_msg_get(m, "Seq");
	if (!seqp || dtcp_parse_u64(seqp->value, UINT64_MAX, &seq)) {
		src->st.drop_noseq++;
		LOG(s, src, LOG_WARNING, "from %s: no valid Seq, dropped (498)", addr);
		return;
	}
	v = dtcp_seq_check(&src->seq, seq);
	if (v != DTCP_SEQ_OK) {
		src->st.drop_seq++;
		LOG(s, src, LOG_WARNING, "from %s: Seq %" PRIu64 " %s (highest %" PRIu64
		    "), dropped (498)", addr, seq,
		    v == DTCP_SEQ_REPLAY ? "already seen" : "outside the window", src->seq.max);
		return;
	}
	/* Authentic: the window moves even if the request then fails (§6.2). */
	if (dtcp_seq_accept(&src->seq, seq)) {
		LOG(s, src, LOG_NOTICE, "sequence number rolled over (Seq %" PRIu64 ")", seq);
		dtcp_notify(s, src, 130, NULL);
	}
	src->st.last_seq = seq;
	s->dirty = true;

	meth = method_of(m->method);
	src->st.req[meth]++;
	q = (struct req){ s, src, m, from, m->version, seqp->value, out };
	if (m->version < 0) {
		q.ver = DTCP_VER_CUR;
		dtcp_fail(&e, 400, NULL, "%s", m->bad_why);
		code = error_reply(&q, &e);
	} else if (m->version > DTCP_VER_HIGH || m->version < DTCP_VER_LOW) {
		/* Newer: answered in our highest version; older: in our lowest (§6.7). */
		q.ver = m->version > DTCP_VER_HIGH ? DTCP_VER_HIGH : DTCP_VER_LOW;
		dtcp_fail(&e, 505, NULL, "DTCP/%s", m->version_text);
		code = error_reply(&q, &e);
	} else if (m->bad_lineno) {
		struct dtcp_out *o = s->out;
		char line[512];

		begin(&q, o, 400);
		snprintf(line, sizeof(line), "%.*s", (int)m->bad_line_len, m->bad_line);
		dtcp_out_param_str(o, "X-Error-Line", line);
		dtcp_out_param_str(o, "X-Error-Info", m->bad_why);
		finish(&q, o);
		code = 400;
	} else if (meth == DTCP_M_OTHER) {
		dtcp_fail(&e, 501, NULL, "method %s is not implemented", m->method);
		code = error_reply(&q, &e);
	} else if (check_params(m, meth, &e)) {
		code = error_reply(&q, &e);
	} else {
		switch (meth) {
		case DTCP_M_ADD: code = do_add(&q); break;
		case DTCP_M_DELETE: code = do_delete(&q); break;
		case DTCP_M_REFRESH: code = do_refresh(&q); break;
		case DTCP_M_LIST: code = do_list(&q); break;
		default: code = do_noop(&q); break;
		}
	}
	if (code != 200)
		src->st.req_failed[meth]++;
	src->st.answers[code / 100 % 10]++;
	dtcp_server_gc(s);
}

/* ---- rebuilding from the kernel ---- */

struct rebuild {
	struct dtcp_server *s;
	unsigned int found;
	struct { uint32_t owner; uint64_t kid; } *stale;
	unsigned int n_stale, cap_stale;
};

static void rebuild_reset(struct dtcp_server *s)
{
	for (unsigned int i = 0; i < s->n_srcs; i++) {
		struct dtcp_src *src = s->srcs[i];

		for (unsigned int k = 0; k < src->n_crits; k++)
			crit_free(src->crits[k]);
		src->n_crits = src->n_live = src->n_static = src->n_dead = 0;
	}
	free(s->rdests);
	s->rdests = NULL;
	s->n_rdests = 0;
}

static int rebuild_restart(void *data)
{
	struct rebuild *r = data;

	rebuild_reset(r->s);
	r->found = 0;
	r->n_stale = 0;
	return 0;
}

static int rebuild_cb(const struct dfc_nl_crit *kc, void *data)
{
	struct rebuild *r = data;
	struct dtcp_server *s = r->s;
	struct dtcp_src *src;
	struct dtcp_crit *c;
	struct dtcp_blob b;

	if (dtcp_blob_parse(kc->blob, kc->blob_len, &b))
		return 0; /* not ours: someone else's criterion */
	src = dtcp_server_src(s, b.csource);
	if (!src || !src->cfg || src->cfg->owner != kc->owner ||
	    DTCP_KID_CRIT(kc->id) != b.id || DTCP_KID_DEST(kc->id) != b.k) {
		free(b.cdests);
		if (r->n_stale == r->cap_stale) {
			unsigned int cap = r->cap_stale ? r->cap_stale * 2 : 64;
			void *n = realloc(r->stale, cap * sizeof(*r->stale));

			if (!n)
				return -ENOMEM;
			r->stale = n;
			r->cap_stale = cap;
		}
		r->stale[r->n_stale].owner = kc->owner;
		r->stale[r->n_stale++].kid = kc->id;
		return 0;
	}
	if (b.id >= s->next_id)
		s->next_id = b.id + 1 ? b.id + 1 : 1;
	/* Destination k > 0 of a criterion already seen adds nothing. */
	for (unsigned int i = src->n_crits; i-- > 0;) {
		if (src->crits[i]->id == b.id) {
			free(b.cdests);
			if (b.k == 0)
				src->crits[i]->n_refresh = kc->n_refresh;
			return 0;
		}
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		free(b.cdests);
		return -ENOMEM;
	}
	c->id = b.id;
	c->flags = b.flags;
	c->prio = b.prio;
	c->n_dest = b.n;
	memcpy(c->cdest_kid, b.cdest_kid, sizeof(c->cdest_kid));
	c->cdests = b.cdests;
	c->request_dest = b.request_dest;
	/* Timeouts as added; a REFRESH since then is not in the blob. */
	c->t_idle = b.t_idle;
	c->t_total = b.t_total;
	c->t_packets = b.t_packets;
	c->t_bytes = b.t_bytes;
	c->added_ms = b.added_ms;
	c->n_refresh = kc->n_refresh;
	c->refresh_ms = kc->n_refresh ? s->wall_ms() : 0;
	snprintf(c->from, sizeof(c->from), "%s", b.csource_addr);
	c->blob = malloc(kc->blob_len);
	if (!c->blob) {
		crit_free(c);
		return -ENOMEM;
	}
	memcpy(c->blob, kc->blob, kc->blob_len);
	c->blob_len = kc->blob_len;
	c->bw_bytes = kc->bytes;
	c->bw_ms = s->mono_ms ? s->mono_ms() : 0;
	/* Appended unsorted: sorted once the dump is complete. */
	if (src->n_crits == src->cap) {
		unsigned int cap = src->cap ? src->cap * 2 : 64;
		struct dtcp_crit **n = realloc(src->crits, cap * sizeof(*n));

		if (!n) {
			crit_free(c);
			return -ENOMEM;
		}
		src->crits = n;
		src->cap = cap;
	}
	src->crits[src->n_crits++] = c;
	src->n_live++;
	if (c->flags & DFC_CRIT_F_STATIC)
		src->n_static++;
	if (c->request_dest)
		for (unsigned int k = 0; k < c->n_dest; k++)
			rdest_ref(s, c->cdest_kid[k], 1, NULL);
	r->found++;
	return 0;
}

static int crit_cmp(const void *a, const void *b)
{
	const struct dtcp_crit *x = *(struct dtcp_crit *const *)a;
	const struct dtcp_crit *y = *(struct dtcp_crit *const *)b;

	return x->id < y->id ? -1 : x->id > y->id;
}

int dtcp_server_rebuild(struct dtcp_server *s, unsigned int *found)
{
	struct rebuild r = { .s = s };
	int err;

	rebuild_reset(s);
	err = s->kops->dump(s->kctx, NULL, false, rebuild_cb, rebuild_restart, &r);
	for (unsigned int i = 0; i < s->n_srcs; i++)
		if (s->srcs[i]->n_crits)
			qsort(s->srcs[i]->crits, s->srcs[i]->n_crits, sizeof(struct dtcp_crit *),
			      crit_cmp);
	if (!err) {
		/* Ours by their blob, but their source is gone: they go too. */
		for (unsigned int i = 0; i < r.n_stale; i++)
			s->kops->del(s->kctx, r.stale[i].owner, r.stale[i].kid);
		if (r.n_stale)
			LOG(s, NULL, LOG_NOTICE, "deleted %u kernel criteria of control sources "
			    "no longer configured", r.n_stale);
	}
	free(r.stale);
	*found = r.found;
	return err;
}
