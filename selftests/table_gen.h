/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The random side of the classifier's differential test (table_gen.c):
 * one seeded stream for criteria and frames, one for the table's hash
 * seeds; the criteria, their records and the expansion buffers the test
 * and the generator share.
 */
#ifndef DFC_TABLE_GEN_H
#define DFC_TABLE_GEN_H

#include <stdbool.h>
#include <stdint.h>

#include "crit.h"
#include "dfc_spec.h"
#include "cbgen.h"

__extension__ typedef unsigned __int128 u128;

extern uint64_t rng_state, kr_state;
uint64_t rnd(void);
unsigned int rn(unsigned int n);	/* uniform enough in [0, n) */
bool pct(unsigned int p);		/* true p times in 100 */

struct crit_rec {
	struct dfc_crit *c;
	bool live;
	bool ever;		/* was inserted at some point */
};

/* The criteria apart (the naive loop reads only them), and their records. */
extern struct dfc_spec *specs;
extern struct crit_rec *recs;
extern unsigned int n_specs;

/* Expansion of the last gen_spec(): entries, exclusions, the entries' masks. */
extern struct dfc_nl_entry g_ents[DFC_CRIT_MAX_ENTRIES], g_excl[DFC_CRIT_MAX_EXCL];
extern struct dfc_key g_masks[DFC_CRIT_MAX_ENTRIES];
extern unsigned long gen_e2big, gen_entries, gen_excls, gen_max_entries;

/* Set (cbgen_init) for ClassBench-style criteria; pf NULL otherwise. */
extern struct cbgen cb;

/*
 * A random criterion into s, expanded into g_ents/g_excl (*ne, *nx);
 * those beyond the limits are redrawn. 0, or the parser's error (*why).
 */
int gen_spec(struct dfc_spec *s, unsigned int *ne, unsigned int *nx, const char **why);

/* n frames: most from a live criterion, some from removed ones or none. */
struct dfc_flow *gen_frames(unsigned int n);

/* What the kernel's parser puts into the key for this frame. */
void flow_to_key(const struct dfc_flow *f, struct dfc_key *k);

void put_addr(char *out, size_t len, int ver, const uint8_t *a);

#endif /* DFC_TABLE_GEN_H */
