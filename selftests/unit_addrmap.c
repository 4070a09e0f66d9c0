// SPDX-License-Identifier: GPL-2.0
/*
 * Host-tier test of the tables' address maps (kmod/addrmap.h), on the
 * kernel's lookup core built for userspace: a frame from a network no
 * entry of a table holds passes that table over (not probed), one from a
 * network it holds is looked up; a map that fills up is turned off (the
 * table is probed again); once the entries that filled it are gone and
 * the table is rebuilt, the map is back on. Every step also checks what
 * matches, so a map that rules out too much fails here too.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "crit.h"
#include "entry.h"
#include "dfc_spec.h"
#include "kselftest_harness.h"
#include "crit_host.h"

#define N_LOW	100		/* criteria in 10.0.0.0/8 */
#define N_WIDE	256		/* one per first byte: fills the map */

static struct dfc_crit *crits[N_LOW + N_WIDE];

/* Tables' hash seeds: any will do here. */
u32 get_random_u32(void)
{
	return (u32)random();
}

/* Criterion i: UDP from a.b.c.d (one host) to 192.0.2.1. */
static struct dfc_crit *host_crit(struct dfc_table *t, unsigned int i, uint32_t src)
{
	struct dfc_nl_entry e = { .ipver = 4, .src_plen = 32, .dst_plen = 32,
				  .proto = 17, .proto_mask = 0xff };
	uint32_t s = htonl(src), d = htonl(0xc0000201);
	struct dfc_key mask;
	struct dfc_crit *c;
	const char *why;

	memcpy(e.src, &s, 4);
	memcpy(e.dst, &d, 4);
	c = crit_host_build(&e, 1, NULL, 0, &mask, &why);
	if (!c)
		return NULL;
	c->id = i;
	if (dfc_table_insert(t, c, &mask)) {
		free(c);
		return NULL;
	}
	return c;
}

static void count(struct dfc_crit *c, void *ctx)
{
	(void)c;
	++*(unsigned int *)ctx;
}

/* Look up a UDP frame from src to 192.0.2.1: tables probed, matches. */
static unsigned int look(struct dfc_table *t, uint32_t src, unsigned int *matched)
{
	struct dfc_key k = { .ipver = 4, .proto = 17, .flags = DFC_KEY_F_PORTS };

	k.src[0] = htonl(src);
	k.dst[0] = htonl(0xc0000201);
	k.sport = htons(1000);
	k.dport = htons(2000);
	*matched = 0;
	return dfc_table_match(t, &k, count, matched);
}

TEST(addrmap)
{
	struct dfc_table t;
	unsigned int i, m;

	ASSERT_EQ(0, dfc_table_init(&t, 128));
	for (i = 0; i < N_LOW; i++) {
		crits[i] = host_crit(&t, i, 0x0a000001 + i);
		ASSERT_NE(NULL, crits[i]);
	}
	ASSERT_EQ(1, dfc_table_masks(&t));
	/* From a network the table holds: looked up, and it matches. */
	EXPECT_EQ(1, look(&t, 0x0a000001, &m));
	EXPECT_EQ(1, m);
	/* Same first byte, no criterion: looked up, nothing matches. */
	EXPECT_EQ(1, look(&t, 0x0aff0001, &m));
	EXPECT_EQ(0, m);
	/* Another network: passed over. */
	EXPECT_EQ(0, look(&t, 0x0b000001, &m));
	EXPECT_EQ(0, m);

	/* One host in every /8: the map fills and is turned off. */
	for (i = 0; i < N_WIDE; i++) {
		crits[N_LOW + i] = host_crit(&t, N_LOW + i, i << 24 | 0x00010203);
		ASSERT_NE(NULL, crits[N_LOW + i]);
	}
	EXPECT_EQ(1, look(&t, 0x0b000001, &m));
	EXPECT_EQ(0, m);
	EXPECT_EQ(1, look(&t, 0x0b010203, &m));
	EXPECT_EQ(1, m);

	/* They go; the table shrinks, is rebuilt, and its map is back on. */
	for (i = 0; i < N_WIDE; i++) {
		dfc_table_remove(&t, crits[N_LOW + i]);
		free(crits[N_LOW + i]);
	}
	dfc_table_rebalance(&t);
	EXPECT_EQ(0, look(&t, 0x0b010203, &m));
	EXPECT_EQ(0, m);
	EXPECT_EQ(1, look(&t, 0x0a000002, &m));
	EXPECT_EQ(1, m);

	for (i = 0; i < N_LOW; i++) {
		dfc_table_remove(&t, crits[i]);
		free(crits[i]);
	}
	EXPECT_EQ(0, t.n_entries);
	dfc_table_destroy(&t);
}

TEST_HARNESS_MAIN
