// SPDX-License-Identifier: GPL-2.0
/*
 * Host-tier test of the tables' address maps (kmod/addrmap.h) and pair
 * maps (kmod/pairmap.h), on the kernel's lookup core built for userspace:
 * a frame from a network no entry of a table holds passes that table over
 * (not probed), one from a network it holds is looked up; a first-byte
 * map that fills up is turned off (the pair map still rules out most
 * frames), and is back on once the table is rebuilt without the entries
 * that filled it; a pair map loses the bits of gone entries when more
 * have gone than are left. Every step also checks what matches, so a map
 * that rules out too much fails here too. The pair map is a hashed bit
 * map: its checks are counts over many frames, against bounds far from
 * what it gives (1/16 of a frame per entry and bucket at most).
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

/* Of n frames from src0, src0 + step, ...: how many were looked up. */
static unsigned int probed_of(struct dfc_table *t, uint32_t src0, uint32_t step,
			      unsigned int n, unsigned int *matched)
{
	unsigned int i, p = 0, m;

	*matched = 0;
	for (i = 0; i < n; i++) {
		p += look(t, src0 + i * step, &m);
		*matched += m;
	}
	return p;
}

TEST(addrmap)
{
	struct dfc_table t;
	unsigned int i, m, p;

	ASSERT_EQ(0, dfc_table_init(&t, 128));
	for (i = 0; i < N_LOW; i++) {
		crits[i] = host_crit(&t, i, 0x0a000001 + i);
		ASSERT_NE(NULL, crits[i]);
	}
	ASSERT_EQ(1, dfc_table_masks(&t));
	/* From a network the table holds: looked up, and it matches. */
	EXPECT_EQ(N_LOW, probed_of(&t, 0x0a000001, 1, N_LOW, &m));
	EXPECT_EQ(N_LOW, m);
	/*
	 * Same first byte, no criterion: the first-byte map lets them
	 * through, the pair map passes over nearly all (100 entries, 2048
	 * bits: about 5 % looked up).
	 */
	p = probed_of(&t, 0x0aff0001, 257, 1000, &m);
	EXPECT_GE(200, p);
	EXPECT_EQ(0, m);
	/* Another network: passed over by the first byte, every one. */
	EXPECT_EQ(0, probed_of(&t, 0x0b000001, 257, 1000, &m));
	EXPECT_EQ(0, m);

	/* One host in every /8: the first-byte map fills and is turned off. */
	for (i = 0; i < N_WIDE; i++) {
		crits[N_LOW + i] = host_crit(&t, N_LOW + i, i << 24 | 0x00010203);
		ASSERT_NE(NULL, crits[N_LOW + i]);
	}
	EXPECT_EQ(N_WIDE, probed_of(&t, 0x00010203, 1 << 24, N_WIDE, &m));
	EXPECT_EQ(N_WIDE, m);
	/* Now the pair map alone: most frames of other networks pass over. */
	p = probed_of(&t, 0x0b000001, 257, 1000, &m);
	EXPECT_LT(0, p);
	EXPECT_GE(200, p);
	EXPECT_EQ(0, m);

	/* They go; the table shrinks, is rebuilt, and its map is back on. */
	for (i = 0; i < N_WIDE; i++) {
		dfc_table_remove(&t, crits[N_LOW + i]);
		free(crits[N_LOW + i]);
	}
	dfc_table_rebalance(&t);
	EXPECT_EQ(0, probed_of(&t, 0x0b000001, 257, 1000, &m));
	EXPECT_EQ(0, look(&t, 0x0b010203, &m));
	EXPECT_EQ(0, m);
	EXPECT_EQ(N_LOW, probed_of(&t, 0x0a000001, 1, N_LOW, &m));
	EXPECT_EQ(N_LOW, m);

	for (i = 0; i < N_LOW; i++) {
		dfc_table_remove(&t, crits[i]);
		free(crits[i]);
	}
	EXPECT_EQ(0, t.n_entries);
	EXPECT_EQ(0, dfc_table_masks(&t));

	/*
	 * A new table of 100; half go, one by one, at the same size (128
	 * buckets): a gone entry's pair bit stays while as many are left as
	 * have gone, so each of the first 50 is still looked up (and matches
	 * nothing); the 51st rebuilds the map without them.
	 */
	for (i = 0; i < N_LOW; i++) {
		crits[i] = host_crit(&t, i, 0x0a000001 + i);
		ASSERT_NE(NULL, crits[i]);
	}
	for (i = 0; i < N_LOW / 2; i++) {
		dfc_table_remove(&t, crits[i]);
		free(crits[i]);
	}
	EXPECT_EQ(N_LOW / 2, probed_of(&t, 0x0a000001, 1, N_LOW / 2, &m));
	EXPECT_EQ(0, m);
	dfc_table_remove(&t, crits[N_LOW / 2]);
	free(crits[N_LOW / 2]);
	p = probed_of(&t, 0x0a000001, 1, N_LOW / 2 + 1, &m);
	EXPECT_GE(10, p);
	EXPECT_EQ(0, m);
	EXPECT_EQ(N_LOW / 2 - 1, probed_of(&t, 0x0a000001 + N_LOW / 2 + 1, 1,
					   N_LOW / 2 - 1, &m));
	EXPECT_EQ(N_LOW / 2 - 1, m);

	for (i = N_LOW / 2 + 1; i < N_LOW; i++) {
		dfc_table_remove(&t, crits[i]);
		free(crits[i]);
	}
	EXPECT_EQ(0, t.n_entries);
	dfc_table_destroy(&t);
}

TEST_HARNESS_MAIN
