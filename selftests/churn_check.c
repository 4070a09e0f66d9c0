// SPDX-License-Identifier: GPL-2.0
/*
 * churn check and churn snap: read-only views of the namespace, the
 * consistency at rest and the counters stress.sh's exact phases compare.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "churn.h"

/* ---- check ---- */

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

int dfc_churn_check(void)
{
	struct dfc_nl *nl = dfc_nl_open();
	struct check *k = calloc(1, sizeof(*k));
	int err, rc = 0;

	if (!nl || !k) {
		rc = 2;
		goto out;
	}
	err = dfc_nl_stats_get(nl, &k->st);
	if (!err)
		err = dfc_nl_crit_dump(nl, NULL, false, check_crit, check_restart, k);
	if (!err)
		err = dfc_nl_cdest_dump(nl, check_cdest, k);
	if (err) {
		printf("# check: %s\n", strerror(-err));
		rc = 1;
		goto out;
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
out:
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
int dfc_churn_snap(const char *p)
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
