/* SPDX-License-Identifier: GPL-2.0 */
/*
 * churn (selftests/stress.sh's control-plane load): what its files share.
 * churn.c reads the command line and runs base and control; churn_ops.c
 * holds the random operations, churn_run.c their schedule and summary,
 * churn_check.c the read-only views (check, snap).
 */
#ifndef DFC_CHURN_H
#define DFC_CHURN_H

#include <stdbool.h>
#include <stdint.h>

#include "dfc_nl.h"

#define N_CD 4
#define MAX_BATCH_DEFAULT 100000
#define CRIT_CAP 250000		/* above this many of ours, delete them all */
#define MAX_CDEST_ID 4096	/* check: destinations counted by id below this */

enum op {
	OP_ADD, OP_DEL_ID, OP_DEL_CDEST, OP_DEL_ALL, OP_REFRESH, OP_CD_ADDR,
	OP_CD_LIMITS, OP_CD_FORCE, OP_CD_DEL, OP_LIMITS, OP_DUMP, OP_STATS,
	N_OPS
};

extern const char *const dfc_churn_op_name[N_OPS];

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

/* churn_ops.c */
unsigned int dfc_churn_rnd_below(struct state *s, unsigned int n);
/* Record err for op: true if expected (ok1, ok2: the errnos expected). */
bool dfc_churn_tally(struct state *s, enum op op, int err, int ok1, int ok2);
void dfc_churn_drain(struct state *s);
int dfc_churn_cdest_add(struct state *s, unsigned int i, uint8_t ver);
/*
 * n criteria of kind 0..4 (0, 1: match nothing; 2..4: the stress traffic)
 * toward destination index cd (N_CD: a random one or none).
 */
void dfc_churn_add_batch(struct state *s, unsigned int kind, unsigned int n, unsigned int cd);
void dfc_churn_feed(struct state *s);
void dfc_churn_op(struct state *s, unsigned int op);

/* churn_run.c: operations for secs seconds, then the summary; the exit status. */
int dfc_churn_run(struct state *s, double secs);

/* churn_check.c */
int dfc_churn_check(void);
int dfc_churn_snap(const char *p);

#endif /* DFC_CHURN_H */
