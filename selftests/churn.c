// SPDX-License-Identifier: GPL-2.0
/*
 * churn: the control-plane half of selftests/stress.sh, in the namespace it
 * runs in, through lib/dfc_nl.
 *
 *   churn base OWNER CDEST PORT N
 *       N static criteria of OWNER, ids 1..N, one UDP/TCP destination port
 *       each (PORT..PORT+N-1), toward CDEST (0: none), in one batched add.
 *   churn run [-t SECONDS] [-o OWNER] [-p PORT] [-n NPORTS] [-B BIGBATCH]
 *             [-b MAXBATCH] [-s SEED] [-k CDEST] [-4 ADDR] [-6 ADDR] [-u DPORT] [-q]
 *       For SECONDS, random operations: criteria added in one batch of
 *       BIGBATCH (up to 100000) first, then in batches of 1 up to MAXBATCH and deleted (by id, by destination, all), refreshed;
 *       four destinations of its own (ids CDEST..CDEST+3) switched between
 *       ADDR4 and ADDR6, their limits changed (hard limits low enough to
 *       purge), force-deleted and re-created; namespace limits lowered and
 *       restored; dumps. Criteria on PORT..PORT+NPORTS-1 match the stress
 *       traffic (packet limits and short timeouts: expiries; toward
 *       destinations with a hard limit: purges); the others match nothing
 *       and only move the table. Events (the namespace's, whoever caused
 *       them) are counted as they come, unless -q.
 *   churn control
 *       Positive control of the error tallies: an error no one expects is
 *       reported and fails (exit status 1).
 *   churn snap PREFIX
 *       The counters stress.sh's exact phases compare, as shell assignments.
 *   churn check
 *       Consistency at rest: every criterion's counts within the
 *       namespace's frame counters, every destination a criterion names
 *       exists and counts exactly the criteria toward it, the criteria
 *       count equals the dump.
 *
 * Every operation counts its successes and its expected errors (ENOENT for
 * a criterion that expired or was purged meanwhile, ENOSPC under lowered
 * limits, EBUSY for a destination in use, EAGAIN for a dump that kept
 * changing); any other errno is printed and makes the exit status 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "dfc_nl.h"

#define N_CD 4
#define MAX_BATCH_DEFAULT 100000
#define CRIT_CAP 250000		/* above this many of ours, delete them all */

enum op {
	OP_ADD, OP_DEL_ID, OP_DEL_CDEST, OP_DEL_ALL, OP_REFRESH, OP_CD_ADDR,
	OP_CD_LIMITS, OP_CD_FORCE, OP_CD_DEL, OP_LIMITS, OP_DUMP, OP_STATS,
	N_OPS
};

static const char *const op_name[N_OPS] = {
	"add", "del_id", "del_cdest", "del_all", "refresh", "cdest_addr",
	"cdest_limits", "cdest_force_del", "cdest_del", "limits", "dump", "stats",
};

/* Per operation: successes and expected errors by kind. */
struct tally {
	unsigned long ok, enoent, enospc, ebusy, eagain, bad;
};

struct state {
	struct dfc_nl *nl;
	struct dfc_nl_events *ev;
	uint32_t owner;
	uint16_t port, nports;
	unsigned int max_batch, big_batch;
	uint32_t cd_base;
	uint8_t addr4[4], addr6[16];
	uint16_t udp_dport;
	bool cd_exists[N_CD];
	uint8_t cd_ver[N_CD];
	uint64_t next_id;
	uint64_t rng;
	struct tally t[N_OPS];
	/* what was done */
	unsigned long crits_added, crits_deleted, batches, max_batch_done;
	unsigned long addr_changes, limit_changes, force_dels;
	unsigned long ev_expired[__DFC_REASON_MAX], ev_purged_msgs, ev_purged_ids;
	unsigned long ev_congested, ev_dup, ev_noipsec, ev_overflow;
	struct dfc_nl_crit *buf;
	struct dfc_nl_entry *ent;
	uint8_t *statics;	/* bit per id: static (refresh would not apply) */
	size_t statics_len;
};

static uint64_t rnd(struct state *s)
{
	/* xorshift64*: reproducible from the seed printed at start */
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return s->rng * 2685821657736338717ULL;
}

static unsigned int rnd_below(struct state *s, unsigned int n)
{
	return n ? (unsigned int)(rnd(s) % n) : 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Record err for op: true if expected. */
static bool tally(struct state *s, enum op op, int err, int ok1, int ok2)
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
	fprintf(stderr, "churn: %s: unexpected %s (%s)\n", op_name[op], strerror(-err),
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

static void drain_events(struct state *s)
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

static int cdest_add(struct state *s, unsigned int i, uint8_t ver)
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
	e->dport = (uint16_t)(s->port + rnd_below(s, s->nports));
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

/*
 * n criteria of kind 0..4 (0, 1: match nothing; 2..4: the stress traffic)
 * toward destination index cd (N_CD: a random one or none).
 */
static void add_batch(struct state *s, unsigned int kind, unsigned int n, unsigned int cd);

static void op_add(struct state *s)
{
	unsigned int kind = rnd_below(s, 5), n, j;

	/* log-uniform size; the table-only kinds go up to the largest batch */
	n = 1;
	for (j = rnd_below(s, 6); j; j--)
		n *= 10;
	if (kind >= 2 && n > 1000)
		n = 1000;
	if (n > s->max_batch)
		n = s->max_batch;
	add_batch(s, kind, n, N_CD);
}

/* Static criteria on the traffic toward the purge target (index 0). */
static void op_feed(struct state *s)
{
	if (s->cd_exists[0])
		add_batch(s, 4, 20 + rnd_below(s, 80), 0);
}

static void add_batch(struct state *s, unsigned int kind, unsigned int n, unsigned int cd)
{
	unsigned int done = 0, i;
	uint32_t cdest = 0;
	int err;

	if (cd == N_CD && (kind >= 2 || rnd_below(s, 4) == 0))
		cd = rnd_below(s, N_CD + 1);
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
	tally(s, OP_ADD, err, ENOSPC, 0);
	s->crits_added += done;
	s->batches++;
	if (!err && n > s->max_batch_done)
		s->max_batch_done = n;
}

static void op_del_id(struct state *s)
{
	unsigned int n = 1 + rnd_below(s, 200), i;
	uint64_t span = s->next_id > 1 ? s->next_id - 1 : 1;

	for (i = 0; i < n; i++) {
		/* mostly recent ids, where the live ones are */
		uint64_t back = rnd(s) % (span < 5000 ? span : 5000);
		uint64_t id = rnd_below(s, 8) ? s->next_id - 1 - back : 1 + rnd(s) % span;
		uint32_t del = 0;
		int err = dfc_nl_crit_del(s->nl, s->owner, &id, NULL, true, &del);

		tally(s, OP_DEL_ID, err, ENOENT, 0);
		s->crits_deleted += del;
	}
}

static void op_del_cdest(struct state *s)
{
	unsigned int i = rnd_below(s, N_CD);
	uint32_t cd = cd_id(s, i), del = 0;
	int err;

	if (!s->cd_exists[i])
		return;
	err = dfc_nl_crit_del(s->nl, s->owner, NULL, &cd, true, &del);
	tally(s, OP_DEL_CDEST, err, 0, 0);
	s->crits_deleted += del;
}

static void op_del_all(struct state *s)
{
	uint32_t del = 0;
	int err = dfc_nl_crit_del(s->nl, s->owner, NULL, NULL, true, &del);

	tally(s, OP_DEL_ALL, err, 0, 0);
	s->crits_deleted += del;
}

static void op_refresh(struct state *s)
{
	unsigned int n = 1 + rnd_below(s, 50), i;

	for (i = 0; i < n; i++) {
		struct dfc_nl_crit c = { 0 };
		uint64_t back = rnd(s) % 2000;

		if (back >= s->next_id - 1)
			continue;
		c.id = s->next_id - 1 - back;
		if (is_static(s, c.id))
			continue;
		c.timeout_total = 1 + rnd_below(s, 3);
		tally(s, OP_REFRESH, dfc_nl_crit_refresh(s->nl, s->owner, &c), ENOENT, 0);
	}
}

static void op_cd_addr(struct state *s)
{
	unsigned int i = rnd_below(s, N_CD);
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
	if (tally(s, OP_CD_ADDR, err, 0, 0) && !err) {
		s->cd_ver[i] = c.ipver;
		s->addr_changes++;
	}
}

static void op_cd_limits(struct state *s)
{
	static const uint64_t hard[] = { 0, 20000, 200000, 2000000 };
	unsigned int i = 1 + rnd_below(s, N_CD - 1); /* not the purge target */
	struct dfc_nl_cdest c = { .id = cd_id(s, i) };
	int err;

	if (!s->cd_exists[i])
		return;
	c.hard_limit = hard[rnd_below(s, 4)];
	c.hard_target = c.hard_limit / 2;
	c.soft_limit = c.hard_limit / 2;
	c.soft_clear = c.hard_limit / 4;
	c.set_mask = DFC_NL_CDEST_SET_HARD_LIMIT | DFC_NL_CDEST_SET_HARD_TARGET |
		     DFC_NL_CDEST_SET_SOFT_LIMIT | DFC_NL_CDEST_SET_SOFT_CLEAR;
	err = dfc_nl_cdest_set(s->nl, &c);
	if (tally(s, OP_CD_LIMITS, err, 0, 0) && !err)
		s->limit_changes++;
}

static void op_cd_force(struct state *s)
{
	unsigned int i = rnd_below(s, N_CD);
	int err;

	if (s->cd_exists[i]) {
		err = dfc_nl_cdest_del(s->nl, cd_id(s, i), true);
		if (tally(s, OP_CD_FORCE, err, 0, 0) && !err) {
			s->cd_exists[i] = false;
			s->force_dels++;
		}
		return;
	}
	tally(s, OP_CD_FORCE, cdest_add(s, i, rnd_below(s, 2) ? 4 : 6), 0, 0);
}

static void op_cd_del(struct state *s)
{
	unsigned int i = rnd_below(s, N_CD);
	int err;

	if (!s->cd_exists[i])
		return;
	err = dfc_nl_cdest_del(s->nl, cd_id(s, i), false);
	tally(s, OP_CD_DEL, err, EBUSY, 0);
	if (!err) {
		s->cd_exists[i] = false;
		tally(s, OP_CD_DEL, cdest_add(s, i, s->cd_ver[i]), 0, 0);
	}
}

static void op_limits(struct state *s)
{
	struct dfc_stats st;
	struct dfc_nl_limits l = { 0 };
	int err = dfc_nl_stats_get(s->nl, &st);

	if (!tally(s, OP_STATS, err, 0, 0))
		return;
	/* a little room above what is there, for a moment; then back */
	l.max_crits = st.crits + 10 + rnd_below(s, 1000);
	l.max_dup = 1 + rnd_below(s, 4);
	tally(s, OP_LIMITS, dfc_nl_limits_update(s->nl, &l), 0, 0);
	op_add(s);
	op_add(s);
	l.max_crits = 1048576;
	l.max_dup = 3;
	tally(s, OP_LIMITS, dfc_nl_limits_update(s->nl, &l), 0, 0);
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

	tally(s, OP_DUMP, err, EAGAIN, 0);
	if (!err && n > CRIT_CAP)
		op_del_all(s);
}

static void print_summary(const struct state *s, double secs)
{
	unsigned long bad = 0;

	for (int i = 0; i < N_OPS; i++) {
		const struct tally *t = &s->t[i];

		bad += t->bad;
		printf("# churn %-15s ok %lu enoent %lu enospc %lu ebusy %lu eagain %lu unexpected %lu\n",
		       op_name[i], t->ok, t->enoent, t->enospc, t->ebusy, t->eagain, t->bad);
	}
	printf("churn-summary: secs=%.0f batches=%lu crits_added=%lu max_batch=%lu "
	       "crits_deleted=%lu addr_changes=%lu limit_changes=%lu force_dels=%lu "
	       "ev_expired_total=%lu ev_expired_idle=%lu ev_expired_packets=%lu "
	       "ev_purged_msgs=%lu ev_purged_ids=%lu ev_congested=%lu ev_dup=%lu "
	       "ev_overflow=%lu unexpected=%lu\n",
	       secs, s->batches, s->crits_added, s->max_batch_done, s->crits_deleted,
	       s->addr_changes, s->limit_changes, s->force_dels,
	       s->ev_expired[DFC_REASON_TOTAL], s->ev_expired[DFC_REASON_IDLE],
	       s->ev_expired[DFC_REASON_PACKETS], s->ev_purged_msgs, s->ev_purged_ids,
	       s->ev_congested, s->ev_dup, s->ev_overflow, bad);
}

static void do_op(struct state *s, unsigned int op)
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
		if (tally(s, OP_STATS, dfc_nl_stats_get(s->nl, &st), 0, 0) &&
		    st.crits > CRIT_CAP)
			op_del_all(s);
	}
	drain_events(s);
}

static int run(struct state *s, double secs)
{
	static const unsigned char weight[N_OPS] = {
		[OP_ADD] = 30, [OP_DEL_ID] = 15, [OP_DEL_CDEST] = 3, [OP_DEL_ALL] = 1,
		[OP_REFRESH] = 6, [OP_CD_ADDR] = 12, [OP_CD_LIMITS] = 8, [OP_CD_FORCE] = 4,
		[OP_CD_DEL] = 3, [OP_LIMITS] = 2, [OP_DUMP] = 2, [OP_STATS] = 4,
	};
	unsigned int total = 0, i, w;
	double start = now();
	unsigned long bad = 0;

	for (i = 0; i < N_OPS; i++)
		total += weight[i];
	for (i = 0; i < N_CD; i++)
		if (!tally(s, OP_CD_FORCE, cdest_add(s, i, i < 2 ? 4 : 6), 0, 0))
			return 1;
	op_feed(s);
	/* Every operation once for sure, however slow the machine is. */
	for (i = 0; i < N_OPS; i++)
		do_op(s, i);
	if (s->big_batch) {
		double t = now();

		add_batch(s, 0, s->big_batch, N_CD);
		printf("# churn: %u criteria in one batch: %.1f s\n", s->big_batch, now() - t);
	}
	for (unsigned long n = 1; now() - start < secs; n++) {
		if (!(n % 16))
			op_feed(s);
		w = rnd_below(s, total);
		for (i = 0; w >= weight[i]; i++)
			w -= weight[i];
		do_op(s, i);
	}
	/* Wait out the expiries still due, so the events are counted. */
	usleep(2500000);
	drain_events(s);
	print_summary(s, now() - start);
	for (i = 0; i < N_OPS; i++)
		bad += s->t[i].bad;
	return bad ? 1 : 0;
}

/*
 * churn control: the positive control of the tallies. Deleting an id that
 * was never added, with no error expected, must count as unexpected and
 * fail the run as any surprise in "run" would.
 */
static int cmd_control(void)
{
	struct state s = { .owner = 0xc0de };
	uint64_t id = 0xdeadbeef;
	int err;

	s.nl = dfc_nl_open();
	if (!s.nl)
		return 2;
	err = dfc_nl_crit_del(s.nl, s.owner, &id, NULL, true, NULL);
	tally(&s, OP_DEL_ID, err, 0, 0);
	dfc_nl_close(s.nl);
	printf("control: unexpected=%lu\n", s.t[OP_DEL_ID].bad);
	return s.t[OP_DEL_ID].bad ? 1 : 0;
}

static int cmd_base(int argc, char **argv)
{
	struct dfc_nl *nl = dfc_nl_open();
	uint32_t owner, cdest;
	unsigned int port, n, done = 0, i;
	struct dfc_nl_crit *v;
	struct dfc_nl_entry *e;
	int err;

	if (argc != 6 || !nl)
		return 2;
	owner = (uint32_t)strtoul(argv[2], NULL, 0);
	cdest = (uint32_t)strtoul(argv[3], NULL, 0);
	port = (unsigned int)strtoul(argv[4], NULL, 0);
	n = (unsigned int)strtoul(argv[5], NULL, 0);
	v = calloc(n, sizeof(*v));
	e = calloc(n, sizeof(*e));
	if (!v || !e || port + n > 65536)
		return 2;
	for (i = 0; i < n; i++) {
		v[i].id = i + 1;
		v[i].prio = 2;
		v[i].flags = DFC_CRIT_F_STATIC;
		v[i].cdest = cdest;
		v[i].entries = &e[i];
		v[i].n_entries = 1;
		e[i].ports = true;
		e[i].dport = (uint16_t)(port + i);
		e[i].dport_mask = 0xffff;
	}
	err = dfc_nl_crit_add(nl, owner, v, n, &done);
	if (err)
		fprintf(stderr, "churn base: %s (%s)\n", strerror(-err), dfc_nl_extack(nl));
	free(v);
	free(e);
	dfc_nl_close(nl);
	return err ? 1 : 0;
}

/* ---- check ---- */

#define MAX_CDEST_ID 4096

struct check {
	struct dfc_stats st;
	unsigned long crits, over, dangling;
	unsigned long per_cd[MAX_CDEST_ID];
	unsigned long cd_n, cd_bad, cd_big;
};

static int check_crit(const struct dfc_nl_crit *c, void *data)
{
	struct check *k = data;

	k->crits++;
	if (c->packets > k->st.seen || c->bytes > k->st.bytes) {
		if (k->over++ < 5)
			printf("# criterion %u/%" PRIu64 ": %" PRIu64 " packets %" PRIu64
			       " bytes, namespace saw %" PRIu64 "/%" PRIu64 "\n", c->owner, c->id,
			       c->packets, c->bytes, k->st.seen, k->st.bytes);
	}
	if (c->cdest < MAX_CDEST_ID)
		k->per_cd[c->cdest]++;
	else
		k->cd_big++;
	return 0;
}

static int check_restart(void *data)
{
	struct check *k = data;

	k->crits = k->over = k->cd_big = 0;
	memset(k->per_cd, 0, sizeof(k->per_cd));
	return 0;
}

static int check_cdest(const struct dfc_nl_cdest *d, void *data)
{
	struct check *k = data;
	unsigned long want = d->id < MAX_CDEST_ID ? k->per_cd[d->id] : 0;

	k->cd_n++;
	if (d->crits != want) {
		k->cd_bad++;
		printf("# cdest %u: says %u criteria toward it, the dump has %lu\n", d->id,
		       d->crits, want);
	}
	if (d->id < MAX_CDEST_ID)
		k->per_cd[d->id] = 0; /* seen: what is left names missing ones */
	return 0;
}

static int cmd_check(void)
{
	struct dfc_nl *nl = dfc_nl_open();
	struct check *k = calloc(1, sizeof(*k));
	int err, rc = 0;

	if (!nl || !k)
		return 2;
	err = dfc_nl_stats_get(nl, &k->st);
	if (!err)
		err = dfc_nl_crit_dump(nl, NULL, false, check_crit, check_restart, k);
	if (!err)
		err = dfc_nl_cdest_dump(nl, check_cdest, k);
	if (err) {
		printf("# check: %s\n", strerror(-err));
		return 1;
	}
	for (unsigned int i = 1; i < MAX_CDEST_ID; i++)
		if (k->per_cd[i]) {
			k->dangling += k->per_cd[i];
			printf("# %lu criteria toward cdest %u, which does not exist\n",
			       k->per_cd[i], i);
		}
	if (k->over || k->dangling || k->cd_bad || k->cd_big || k->crits != k->st.crits)
		rc = 1;
	printf("check: crits=%lu stats_crits=%u over_seen=%lu dangling=%lu cdests=%lu "
	       "cdest_count_bad=%lu seen=%" PRIu64 " matched=%" PRIu64 " copies=%" PRIu64
	       " expired=%" PRIu64 "\n", k->crits, k->st.crits, k->over, k->dangling, k->cd_n,
	       k->cd_bad, k->st.seen, k->st.matched, k->st.copies, k->st.expired);
	free(k);
	dfc_nl_close(nl);
	return rc;
}

/* ---- snap: the counters stress.sh compares, as shell assignments ---- */

struct snap {
	const char *p;
	uint64_t sum, txerr;
};

static int snap_crit(const struct dfc_nl_crit *c, void *data)
{
	struct snap *k = data;

	if (c->owner == 1)
		printf("%s_crit%" PRIu64 "=%" PRIu64 "\n", k->p, c->id - 1001, c->packets);
	else
		k->sum += c->packets;
	return 0;
}

static int snap_restart(void *data)
{
	((struct snap *)data)->sum = 0;
	return 0;
}

static int snap_cdest(const struct dfc_nl_cdest *d, void *data)
{
	struct snap *k = data;
	uint64_t drops = d->stats.nomem + d->stats.noroute + d->stats.noipsec +
			 d->stats.toobig + d->stats.loop + d->stats.ratelimit + d->stats.dupcap;

	if (d->id < 1 || d->id > 5)
		return 0;
	/* A copy the output path refused (txerr) is neither sent nor lost here. */
	printf("%s_cd%u=%" PRIu64 "\n", k->p, d->id - 1,
	       d->stats.copies + drops + d->stats.txerr);
	k->sum += drops;
	k->txerr += d->stats.txerr;
	return 0;
}

static int snap_iface(const struct dfc_iface_info *f, void *data)
{
	const struct snap *k = data;

	for (const char *c = f->ifname; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9')))
			return 0;
	printf("%s_if_%s=\"%" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\"\n", k->p,
	       f->ifname, f->stats.seen, f->stats.ipv4, f->stats.ipv6, f->stats.bytes);
	return 0;
}

/*
 * churn snap PREFIX: criteria 1001.. of owner 1 (PREFIX_critN, N = id -
 * 1001), the sum over owner 2's (PREFIX_ports), copies + drops + txerr of
 * destinations 1..5 (PREFIX_cd0..4), their drops (PREFIX_drops) and the
 * copies the output path refused (PREFIX_txerr), the namespace's counters
 * and every attached interface's.
 */
static int cmd_snap(const char *p)
{
	struct dfc_nl *nl = dfc_nl_open();
	struct snap k = { .p = p };
	uint32_t owner = 1;
	struct dfc_stats st;
	int err;

	if (!nl)
		return 2;
	err = dfc_nl_crit_dump(nl, &owner, true, snap_crit, NULL, &k);
	owner = 2;
	if (!err)
		err = dfc_nl_crit_dump(nl, &owner, true, snap_crit, snap_restart, &k);
	if (!err)
		printf("%s_ports=%" PRIu64 "\n", p, k.sum);
	k.sum = 0;
	if (!err)
		err = dfc_nl_cdest_dump(nl, snap_cdest, &k);
	if (!err)
		printf("%s_drops=%" PRIu64 " %s_txerr=%" PRIu64 "\n", p, k.sum, p, k.txerr);
	if (!err)
		err = dfc_nl_stats_get(nl, &st);
	if (!err)
		printf("%s_matched=%" PRIu64 " %s_copies=%" PRIu64 " %s_dup=%" PRIu64
		       " %s_seen=%" PRIu64 "\n", p, st.matched, p, st.copies, p, st.dup_dropped,
		       p, st.seen);
	if (!err)
		err = dfc_nl_iface_dump(nl, snap_iface, &k);
	dfc_nl_close(nl);
	if (err)
		fprintf(stderr, "churn snap: %s\n", strerror(-err));
	return err ? 1 : 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: churn base OWNER CDEST PORT N\n"
			"       churn run [-t SECONDS] [-o OWNER] [-p PORT] [-n NPORTS] "
			"[-B BIGBATCH] [-b MAXBATCH] [-s SEED] [-k CDEST] [-4 ADDR] [-6 ADDR] [-u DPORT] [-q]\n"
			"       churn check\n"
			"       churn snap PREFIX\n"
			"       churn control\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct state *s;
	bool no_events = false;
	double secs = 60;
	int opt, rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "base"))
		return cmd_base(argc, argv);
	if (!strcmp(argv[1], "check"))
		return cmd_check();
	if (!strcmp(argv[1], "control"))
		return cmd_control();
	if (!strcmp(argv[1], "snap") && argc == 3)
		return cmd_snap(argv[2]);
	if (strcmp(argv[1], "run"))
		usage();
	s = calloc(1, sizeof(*s));
	if (!s)
		return 2;
	s->owner = 100;
	s->port = 10000;
	s->nports = 1000;
	s->max_batch = MAX_BATCH_DEFAULT;
	s->cd_base = 10;
	s->udp_dport = 30031;
	s->rng = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	s->next_id = 1;
	inet_pton(AF_INET, "198.51.100.3", s->addr4);
	inet_pton(AF_INET6, "2001:db8:c::3", s->addr6);
	optind = 2;
	while ((opt = getopt(argc, argv, "t:o:p:n:b:B:s:k:4:6:u:q")) != -1) {
		switch (opt) {
		case 't': secs = atof(optarg); break;
		case 'o': s->owner = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'p': s->port = (uint16_t)strtoul(optarg, NULL, 0); break;
		case 'n': s->nports = (uint16_t)strtoul(optarg, NULL, 0); break;
		case 'b': s->max_batch = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'B': s->big_batch = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 's': s->rng = strtoull(optarg, NULL, 0); break;
		case 'k': s->cd_base = (uint32_t)strtoul(optarg, NULL, 0); break;
		case '4':
			if (inet_pton(AF_INET, optarg, s->addr4) != 1)
				usage();
			break;
		case '6':
			if (inet_pton(AF_INET6, optarg, s->addr6) != 1)
				usage();
			break;
		case 'u': s->udp_dport = (uint16_t)strtoul(optarg, NULL, 0); break;
		case 'q': no_events = true; break;
		default: usage();
		}
	}
	if (!s->rng)
		s->rng = 1;
	if (!s->max_batch || s->max_batch > MAX_BATCH_DEFAULT ||
	    s->big_batch > MAX_BATCH_DEFAULT || !s->nports ||
	    s->cd_base + N_CD >= MAX_CDEST_ID)
		usage();
	printf("# churn: owner %u seed 0x%" PRIx64 " for %.0f s, a batch of %u, then up to %u\n",
	       s->owner, s->rng, secs, s->big_batch, s->max_batch);
	s->buf = calloc(MAX_BATCH_DEFAULT, sizeof(*s->buf));
	s->ent = calloc(MAX_BATCH_DEFAULT, sizeof(*s->ent));
	s->nl = dfc_nl_open();
	if (!s->buf || !s->ent || !s->nl) {
		perror("churn");
		return 2;
	}
	s->ev = no_events ? NULL : dfc_nl_events_open();
	if (s->ev)
		fcntl(dfc_nl_events_fd(s->ev), F_SETFL, O_NONBLOCK);
	else if (!no_events)
		printf("# churn: no events socket (%s): events not counted\n", strerror(errno));
	rc = run(s, secs);
	if (s->ev)
		dfc_nl_events_close(s->ev);
	dfc_nl_close(s->nl);
	free(s->buf);
	free(s->ent);
	free(s->statics);
	free(s);
	return rc;
}
