/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * An in-memory stand-in for dfc.ko behind struct dtcp_kops, for the unit
 * tests and the fuzzer: it keeps what the kernel would keep (ids, flags,
 * destination, limits, blob, entry counts), answers like the kernel does
 * (EEXIST, ENOENT, ENOSPC), and lets a test play the data path and expiry.
 */
#ifndef DTCP_KFAKE_H
#define DTCP_KFAKE_H

#include "server.h"

struct kfake_crit {
	uint32_t owner;
	struct dfc_nl_crit c;		/* blob points at blob[] */
	uint8_t blob[DFC_CRIT_BLOB_MAX];
	bool used;
};

struct kfake {
	struct kfake_crit *v;
	unsigned int n, cap, max;	/* max: 0 no limit (else ENOSPC) */
	uint64_t expired;
	unsigned int calls_add, calls_del, calls_refresh, calls_dump;
	unsigned int calls_queue, calls_flush;	/* batches: adds queued, batches run */
	/* The batch: each queued add is applied at once, its outcome kept for the flush. */
	struct dfc_nl_batch_res queued[DFC_NL_BATCH_MAX];
	unsigned int n_queued;
	unsigned long recovered;	/* what add_recovered reports */
	int fail_add;			/* next add fails with this, once */
	int fail_del;			/* del and del_owner fail with this while set */
	uint64_t top_kid;		/* highest id added: above it, no duplicate to look for */
	struct dtcp_kdest dests[64];	/* content destinations */
	unsigned int n_dests;
	uint32_t max_dup, dup_period;
	uint32_t owner_dup[8][2];	/* owner, max-duplicates */
	unsigned int n_owner_dup;
};

struct dtcp_kdest *kfake_dest(struct kfake *k, uint32_t kid);

extern const struct dtcp_kops kfake_ops;

void kfake_init(struct kfake *k);
void kfake_fini(struct kfake *k);
unsigned int kfake_count(const struct kfake *k, uint32_t owner);
struct kfake_crit *kfake_find(struct kfake *k, uint32_t owner, uint64_t kid);
/* Remove a criterion as its limits would; the caller then calls dtcp_server_expired(). */
void kfake_expire(struct kfake *k, struct kfake_crit *c);

#endif /* DTCP_KFAKE_H */
