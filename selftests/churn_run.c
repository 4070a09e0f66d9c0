// SPDX-License-Identifier: GPL-2.0
/*
 * churn run: the operations drawn at random by weight for the time given,
 * every one at least once, then what was done and the events seen, as
 * the summary stress.sh reads.
 */
#include <inttypes.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "churn.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void print_summary(const struct state *s, double secs)
{
	unsigned long bad = 0;

	for (int i = 0; i < N_OPS; i++) {
		const struct tally *t = &s->t[i];

		bad += t->bad;
		printf("# churn %-15s ok %lu enoent %lu enospc %lu ebusy %lu eagain %lu unexpected %lu\n",
		       dfc_churn_op_name[i], t->ok, t->enoent, t->enospc, t->ebusy, t->eagain, t->bad);
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

int dfc_churn_run(struct state *s, double secs)
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
		if (!dfc_churn_tally(s, OP_CD_FORCE, dfc_churn_cdest_add(s, i, i < 2 ? 4 : 6), 0, 0))
			return 1;
	dfc_churn_feed(s);
	/* Every operation once for sure, however slow the machine is. */
	for (i = 0; i < N_OPS; i++)
		dfc_churn_op(s, i);
	if (s->big_batch) {
		double t = now();

		dfc_churn_add_batch(s, 0, s->big_batch, N_CD);
		printf("# churn: %u criteria in one batch: %.1f s\n", s->big_batch, now() - t);
	}
	for (unsigned long n = 1; now() - start < secs; n++) {
		if (!(n % 16))
			dfc_churn_feed(s);
		w = dfc_churn_rnd_below(s, total);
		for (i = 0; w >= weight[i]; i++)
			w -= weight[i];
		dfc_churn_op(s, i);
	}
	/* Wait out the expiries still due, so the events are counted. */
	usleep(2500000);
	dfc_churn_drain(s);
	print_summary(s, now() - start);
	for (i = 0; i < N_OPS; i++)
		bad += s->t[i].bad;
	return bad ? 1 : 0;
}
