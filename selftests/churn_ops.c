// SPDX-License-Identifier: GPL-2.0
/*
 * churn's random operations, each through lib/dfc_nl: criteria added in
 * batches, deleted (by id, by destination, all), refreshed; destinations
 * moved between address families, their limits changed, force-deleted and
 * re-created; namespace limits lowered and restored; dumps. Each counts
 * its successes and its expected errors (dfc_churn_tally).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "churn.h"

const char *const dfc_churn_op_name[N_OPS] = {
	"add", "del_id", "del_cdest", "del_all", "refresh", "cdest_addr",
	"cdest_limits", "cdest_force_del", "cdest_del", "limits", "dump", "stats",
};

static uint64_t rnd(struct state *s)
{
	/* xorshift64*: reproducible from the seed printed at start */
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return s->rng * 2685821657736338717ULL;
}

unsigned int dfc_churn_rnd_below(struct state *s, unsigned int n)
{
	return n ? (unsigned int)(rnd(s) % n) : 0;
}

bool dfc_churn_tally(struct state *s, enum op op, int err, int ok1, int ok2)
{
	struct tally *t = &s->t[op];

	if (!err) {
		t->ok++;
		return true;
	}
	if (-err == ok1 || -err == ok2) {
		switch (-err) {
		case ENOENT: t->enoent++; break;
		case ENOSPC: t->enospc++; break;
		case EBUSY: t->ebusy++; break;
		case EAGAIN: t->eagain++; break;
		}
		return true;
	}
	t->bad++;
	fprintf(stderr, "churn: %s: unexpected %s (%s)\n", dfc_churn_op_name[op], strerror(-err),
		dfc_nl_extack(s->nl));
	return false;
}

static int on_event(const struct dfc_nl_event *e, void *data)
{
	struct state *s = data;

	switch (e->cmd) {
	case DFC_CMD_CRIT_EXPIRED:
		for (unsigned int i = 0; i < e->expired.n; i++)
			if (e->expired.v[i].reason < __DFC_REASON_MAX)
				s->ev_expired[e->expired.v[i].reason]++;
		break;
	case DFC_CMD_CDEST_PURGED:
		s->ev_purged_msgs++;
		s->ev_purged_ids += e->purged.n_total;
		break;
	case DFC_CMD_CDEST_CONGESTED:
		s->ev_congested++;
		break;
	case DFC_CMD_DUP_DROPPED:
		s->ev_dup++;
		break;
	case DFC_CMD_CDEST_NOIPSEC:
		s->ev_noipsec++;
		break;
	}
	return 0;
}

void dfc_churn_drain(struct state *s)
{
	int r;

	if (!s->ev)
		return;
	for (;;) {
		r = dfc_nl_events_recv(s->ev, on_event, s);
		if (r == -ENOBUFS) {
			/* a mass expiry overflowed the socket: counted, go on */
			s->ev_overflow++;
			continue;
		}
		if (r < 0)
			break;
	}
}

static uint32_t cd_id(const struct state *s, unsigned int i)
{
	return s->cd_base + i;
}

int dfc_churn_cdest_add(struct state *s, unsigned int i, uint8_t ver)
{
	struct dfc_nl_cdest c = { .id = cd_id(s, i), .ipver = ver, .ttl = 64 };
	int err;

	snprintf(c.name, sizeof(c.name), "churn%u", i);
	if (ver == 4)
		memcpy(c.addr, s->addr4, 4);
	else
		memcpy(c.addr, s->addr6, 16);
	/* two ipip, two flow-tap */
	if (i & 1) {
		c.encap = DFC_ENCAP_UDP;
		c.dport = s->udp_dport;
	}
	/* the first one is the purge target: a hard limit the traffic exceeds */
	if (i == 0) {
		c.hard_limit = 20000;
		c.hard_target = 10000;
		c.soft_limit = 10000;
		c.soft_clear = 5000;
	}
	err = dfc_nl_cdest_add(s->nl, &c);
	if (!err) {
		s->cd_exists[i] = true;
		s->cd_ver[i] = ver;
	}
	return err;
}

/* A criterion of one of five kinds into s->buf[k] (entry s->ent[k]). */
static void make_crit(struct state *s, unsigned int k, unsigned int kind, uint32_t cdest)
{
	struct dfc_nl_crit *c = &s->buf[k];
	struct dfc_nl_entry *e = &s->ent[k];
	static const uint8_t p4[] = { 16, 20, 24, 32 }, p6[] = { 32, 48, 64, 128 };
	uint64_t r = rnd(s);

	memset(c, 0, sizeof(*c));
	memset(e, 0, sizeof(*e));
	c->id = s->next_id++;
	c->prio = 1 + (uint32_t)(r % 7);
	c->entries = e;
	c->n_entries = 1;
	c->cdest = cdest;
	if (kind < 2) {
		/* noise: 100.64.0.0/10 or 2001:db8:ffff::/48, never the traffic */
		if (r & 8) {
			e->ipver = 4;
			e->dst_plen = p4[(r >> 4) & 3];
			e->dst[0] = 100;
			e->dst[1] = (uint8_t)(64 | ((r >> 8) & 63));
			e->dst[2] = (uint8_t)(r >> 16);
			e->dst[3] = (uint8_t)(r >> 24);
			for (unsigned int b = e->dst_plen; b < 32; b++)
				e->dst[b / 8] &= (uint8_t)~(0x80 >> (b % 8));
		} else {
			e->ipver = 6;
			e->dst_plen = p6[(r >> 4) & 3];
			e->dst[0] = 0x20;
			e->dst[1] = 0x01;
			e->dst[2] = 0x0d;
			e->dst[3] = 0xb8;
			e->dst[4] = 0xff;
			e->dst[5] = 0xff;
			for (unsigned int b = 6; b < 16; b++)
				e->dst[b] = (uint8_t)(rnd(s) >> 13);
			for (unsigned int b = e->dst_plen; b < 128; b++)
				e->dst[b / 8] &= (uint8_t)~(0x80 >> (b % 8));
		}
		if (r & (1 << 30)) {
			e->ports = true;
			e->dport = (uint16_t)(r >> 32);
			e->dport_mask = 0xffff;
		}
		if (kind == 0)
			c->flags = DFC_CRIT_F_STATIC;
		else if (r & (1ULL << 40))
			c->timeout_total = 1 + (uint32_t)((r >> 41) % 3);
		else
			c->timeout_idle = 1 + (uint32_t)((r >> 41) % 2);
		return;
	}
	/* hits: one port of the stress traffic */
	e->ports = true;
	e->dport = (uint16_t)(s->port + dfc_churn_rnd_below(s, s->nports));
	e->dport_mask = 0xffff;
	if (kind == 2)
		c->limit_packets = 1 + (r >> 8) % 50;
	else if (kind == 3)
		c->timeout_total = 2 + (uint32_t)((r >> 8) % 4);
	else
		c->flags = DFC_CRIT_F_STATIC;
	if (r & (1ULL << 20))
		c->flags |= DFC_CRIT_F_SEND_ASYNC;
}

static bool is_static(const struct state *s, uint64_t id)
{
	return id / 8 < s->statics_len && (s->statics[id / 8] & (1 << (id % 8)));
}

static int mark_static(struct state *s, uint64_t id)
{
	if (id / 8 >= s->statics_len) {
		size_t len = (id / 8 + 1) * 2;
		uint8_t *p = realloc(s->statics, len);

		if (!p)
			return -1;
		memset(p + s->statics_len, 0, len - s->statics_len);
		s->statics = p;
		s->statics_len = len;
	}
	s->statics[id / 8] |= (uint8_t)(1 << (id % 8));
	return 0;
}

static void op_add(struct state *s)
{
	unsigned int kind = dfc_churn_rnd_below(s, 5), n, j;

	/* log-uniform size; the table-only kinds go up to the largest batch */
	n = 1;
	for (j = dfc_churn_rnd_below(s, 6); j; j--)
		n *= 10;
	if (kind >= 2 && n > 1000)
		n = 1000;
	if (n > s->max_batch)
		n = s->max_batch;
	dfc_churn_add_batch(s, kind, n, N_CD);
}

/* Static criteria on the traffic toward the purge target (index 0). */
void dfc_churn_feed(struct state *s)
{
	if (s->cd_exists[0])
		dfc_churn_add_batch(s, 4, 20 + dfc_churn_rnd_below(s, 80), 0);
}

void dfc_churn_add_batch(struct state *s, unsigned int kind, unsigned int n, unsigned int cd)
{
	unsigned int done = 0, i;
	uint32_t cdest = 0;
	int err;

	if (cd == N_CD && (kind >= 2 || dfc_churn_rnd_below(s, 4) == 0))
		cd = dfc_churn_rnd_below(s, N_CD + 1);
	if (cd < N_CD && s->cd_exists[cd])
		cdest = cd_id(s, cd);
	for (i = 0; i < n; i++) {
		make_crit(s, i, kind, cdest);
		if ((s->buf[i].flags & DFC_CRIT_F_STATIC) && mark_static(s, s->buf[i].id)) {
			perror("churn");
			exit(2);
		}
	}
	err = dfc_nl_crit_add(s->nl, s->owner, s->buf, n, &done);
	dfc_churn_tally(s, OP_ADD, err, ENOSPC, 0);
	s->crits_added += done;
	s->batches++;
	if (!err && n > s->max_batch_done)
		s->max_batch_done = n;
}

static void op_del_id(struct state *s)
{
	unsigned int n = 1 + dfc_churn_rnd_below(s, 200), i;
	uint64_t span = s->next_id > 1 ? s->next_id - 1 : 1;

	for (i = 0; i < n; i++) {
		/* mostly recent ids, where the live ones are */
		uint64_t back = rnd(s) % (span < 5000 ? span : 5000);
		uint64_t id = dfc_churn_rnd_below(s, 8) ? s->next_id - 1 - back : 1 + rnd(s) % span;
		uint32_t del = 0;
		int err = dfc_nl_crit_del(s->nl, s->owner, &id, NULL, true, &del);

		dfc_churn_tally(s, OP_DEL_ID, err, ENOENT, 0);
		s->crits_deleted += del;
	}
}

static void op_del_cdest(struct state *s)
{
	unsigned int i = dfc_churn_rnd_below(s, N_CD);
	uint32_t cd = cd_id(s, i), del = 0;
	int err;

	if (!s->cd_exists[i])
		return;
	err = dfc_nl_crit_del(s->nl, s->owner, NULL, &cd, true, &del);
	dfc_churn_tally(s, OP_DEL_CDEST, err, 0, 0);
	s->crits_deleted += del;
}

static void op_del_all(struct state *s)
{
	uint32_t del = 0;
	int err = dfc_nl_crit_del(s->nl, s->owner, NULL, NULL, true, &del);

	dfc_churn_tally(s, OP_DEL_ALL, err, 0, 0);
	s->crits_deleted += del;
}

static void op_refresh(struct state *s)
{
	unsigned int n = 1 + dfc_churn_rnd_below(s, 50), i;

	for (i = 0; i < n; i++) {
		struct dfc_nl_crit c = { 0 };
		uint64_t back = rnd(s) % 2000;

		if (back >= s->next_id - 1)
			continue;
		c.id = s->next_id - 1 - back;
		if (is_static(s, c.id))
			continue;
		c.timeout_total = 1 + dfc_churn_rnd_below(s, 3);
		dfc_churn_tally(s, OP_REFRESH, dfc_nl_crit_refresh(s->nl, s->owner, &c), ENOENT, 0);
	}
}

static void op_cd_addr(struct state *s)
{
	unsigned int i = dfc_churn_rnd_below(s, N_CD);
	struct dfc_nl_cdest c = { .id = cd_id(s, i), .set_mask = DFC_NL_CDEST_SET_ADDR };
	int err;

	if (!s->cd_exists[i])
		return;
	c.ipver = s->cd_ver[i] == 4 ? 6 : 4;
	if (c.ipver == 4)
		memcpy(c.addr, s->addr4, 4);
	else
		memcpy(c.addr, s->addr6, 16);
	err = dfc_nl_cdest_set(s->nl, &c);
	if (dfc_churn_tally(s, OP_CD_ADDR, err, 0, 0) && !err) {
		s->cd_ver[i] = c.ipver;
		s->addr_changes++;
	}
}

static void op_cd_limits(struct state *s)
{
	static const uint64_t hard[] = { 0, 20000, 200000, 2000000 };
	unsigned int i = 1 + dfc_churn_rnd_below(s, N_CD - 1); /* not the purge target */
	struct dfc_nl_cdest c = { .id = cd_id(s, i) };
	int err;

	if (!s->cd_exists[i])
		return;
	c.hard_limit = hard[dfc_churn_rnd_below(s, 4)];
	c.hard_target = c.hard_limit / 2;
	c.soft_limit = c.hard_limit / 2;
	c.soft_clear = c.hard_limit / 4;
	c.set_mask = DFC_NL_CDEST_SET_HARD_LIMIT | DFC_NL_CDEST_SET_HARD_TARGET |
		     DFC_NL_CDEST_SET_SOFT_LIMIT | DFC_NL_CDEST_SET_SOFT_CLEAR;
	err = dfc_nl_cdest_set(s->nl, &c);
	if (dfc_churn_tally(s, OP_CD_LIMITS, err, 0, 0) && !err)
		s->limit_changes++;
}

static void op_cd_force(struct state *s)
{
	unsigned int i = dfc_churn_rnd_below(s, N_CD);
	int err;

	if (s->cd_exists[i]) {
		err = dfc_nl_cdest_del(s->nl, cd_id(s, i), true);
		if (dfc_churn_tally(s, OP_CD_FORCE, err, 0, 0) && !err) {
			s->cd_exists[i] = false;
			s->force_dels++;
		}
		return;
	}
	dfc_churn_tally(s, OP_CD_FORCE, dfc_churn_cdest_add(s, i, dfc_churn_rnd_below(s, 2) ? 4 : 6), 0, 0);
}

static void op_cd_del(struct state *s)
{
	unsigned int i = dfc_churn_rnd_below(s, N_CD);
	int err;

	if (!s->cd_exists[i])
		return;
	err = dfc_nl_cdest_del(s->nl, cd_id(s, i), false);
	dfc_churn_tally(s, OP_CD_DEL, err, EBUSY, 0);
	if (!err) {
		s->cd_exists[i] = false;
		dfc_churn_tally(s, OP_CD_DEL, dfc_churn_cdest_add(s, i, s->cd_ver[i]), 0, 0);
	}
}

static void op_limits(struct state *s)
{
	struct dfc_stats st;
	struct dfc_nl_limits l = { 0 };
	int err = dfc_nl_stats_get(s->nl, &st);

	if (!dfc_churn_tally(s, OP_STATS, err, 0, 0))
		return;
	/* a little room above what is there, for a moment; then back */
	l.max_crits = st.crits + 10 + dfc_churn_rnd_below(s, 1000);
	l.max_dup = 1 + dfc_churn_rnd_below(s, 4);
	dfc_churn_tally(s, OP_LIMITS, dfc_nl_limits_update(s->nl, &l), 0, 0);
	op_add(s);
	op_add(s);
	l.max_crits = 1048576;
	l.max_dup = 3;
	dfc_churn_tally(s, OP_LIMITS, dfc_nl_limits_update(s->nl, &l), 0, 0);
}

static int count_cb(const struct dfc_nl_crit *c, void *data)
{
	(void)c;
	++*(unsigned long *)data;
	return 0;
}

static int count_restart(void *data)
{
	*(unsigned long *)data = 0;
	return 0;
}

static void op_dump(struct state *s)
{
	unsigned long n = 0;
	int err = dfc_nl_crit_dump(s->nl, &s->owner, true, count_cb, count_restart, &n);

	dfc_churn_tally(s, OP_DUMP, err, EAGAIN, 0);
	if (!err && n > CRIT_CAP)
		op_del_all(s);
}

void dfc_churn_op(struct state *s, unsigned int op)
{
	struct dfc_stats st;

	switch (op) {
	case OP_ADD: op_add(s); break;
	case OP_DEL_ID: op_del_id(s); break;
	case OP_DEL_CDEST: op_del_cdest(s); break;
	case OP_DEL_ALL: op_del_all(s); break;
	case OP_REFRESH: op_refresh(s); break;
	case OP_CD_ADDR: op_cd_addr(s); break;
	case OP_CD_LIMITS: op_cd_limits(s); break;
	case OP_CD_FORCE:
		op_cd_force(s);
		op_cd_force(s);
		break;
	case OP_CD_DEL: op_cd_del(s); break;
	case OP_LIMITS: op_limits(s); break;
	case OP_DUMP: op_dump(s); break;
	default:
		if (dfc_churn_tally(s, OP_STATS, dfc_nl_stats_get(s->nl, &st), 0, 0) &&
		    st.crits > CRIT_CAP)
			op_del_all(s);
	}
	dfc_churn_drain(s);
}
