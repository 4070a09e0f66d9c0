// SPDX-License-Identifier: GPL-2.0
/*
 * Host-tier randomized differential test of the classifier: random DTCP
 * criteria go the way dtcpd and the kernel take them, text value ->
 * dfc_spec_parse_field -> dfc_spec_expand -> struct dfc_nl_entry ->
 * struct dfc_espec -> dfc_espec_to_key -> struct dfc_crit ->
 * dfc_table_insert (kmod/table.c and kmod/entry.c, built for userspace),
 * and random frames, mostly drawn from some criterion's items and then
 * perturbed, are looked up with dfc_table_match. The set of criteria the
 * table reports (each at most once) must equal the set the naive matcher
 * (dfc_spec_match_naive, item by item over every live criterion) finds.
 *
 * Also: removal of a random 30% of the criteria half-way, insertion of new
 * ones into the compacted table, mask sorting by hits, and the table's
 * memory back to its baseline once every criterion is gone. The same runs
 * on ClassBench-style rule sets (tools/cbgen.h: acl, fw, ipc), each rule
 * one criterion with prefixes, port ranges and a protocol.
 *
 * The naive side costs frames x criteria (10^10 evaluations): two worker
 * processes; frames sorted by version, protocol and source (the naive
 * matcher's branches become predictable); criterion-major over blocks of
 * frames; a block of one IP version skips the criteria of the other.
 * Under ASan/UBSan it takes about 95 CPU seconds.
 *
 * DFC_SEED=<n> in the environment replays a run (every run prints its
 * seed); DFC_FRAMES and DFC_CRITS scale it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* kcompat_user.h defines ARRAY_SIZE unconditionally, kselftest.h if unset. */
#include "crit.h"
#include "entry.h"
#include "dfc_spec.h"
#include "kselftest_harness.h"
#include "crit_host.h"
#include "table_gen.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

#define N_CRITS		10000		/* at least 10^4 */
#define N_FRAMES	1000000		/* at least 10^6, all phases */
#define N_SORT_FRAMES	20000		/* checked in the parent, then sort */
#define N_ADDED		1000		/* inserted after the removal */
#define REMOVE_PCT	30
#define N_CB_CRITS	2000		/* per ClassBench-style profile */
#define N_CB_FRAMES	60000
#define WORKERS		2
#define BLOCK		2048		/* frames per naive block */
#define MAX_MASKS	65536
#define MAX_REPORT	8		/* mismatches printed per worker */

static size_t crit_bytes;	/* criterion allocations held */
/* Entries kept relaxed, under their table's lengths (kmod/table.c). */
static unsigned long gen_relaxed;

/* Build criterion i from spec i (entries in g_ents) and insert it. */
static void add_crit(struct __test_metadata *_metadata, struct dfc_table *t,
		     unsigned int i, unsigned int ne, unsigned int nx)
{
	static struct {
		struct dfc_key key;
		struct dfc_prange pr;
	} given[DFC_CRIT_MAX_ENTRIES];
	struct dfc_crit *c;
	const char *why;
	unsigned int j;

	c = crit_host_build(g_ents, ne, g_excl, nx, g_masks, &why);
	ASSERT_NE(NULL, c) TH_LOG("criterion %u: %s", i, why ? why : "no memory");
	c->id = i;
	/* What the kernel checks before inserting. */
	ASSERT_FALSE(dfc_crit_overlaps(c, g_masks)) TH_LOG("criterion %u", i);
	for (j = 0; j < ne; j++) {
		dfc_entry_key(dfc_crit_entry(c, j), &given[j].key);
		dfc_key_mask(&given[j].key, &given[j].key, &g_masks[j]);
		given[j].pr = dfc_crit_entry(c, j)->pr;
	}
	ASSERT_EQ(0, dfc_table_insert(t, c, g_masks));
	/* Dumps give every entry back as it was given, however it is kept. */
	for (j = 0; j < ne; j++) {
		const struct dfc_entry *e = dfc_crit_entry(c, j);
		struct dfc_key val, mask;
		struct dfc_prange pr;

		gen_relaxed += !!(e->t.flags & DFC_KEY_F_RELAXED);
		dfc_entry_spec(e, &val, &mask, &pr);
		ASSERT_EQ(0, memcmp(&val, &given[j].key, sizeof(val)))
			TH_LOG("criterion %u entry %u: value", i, j);
		ASSERT_EQ(0, memcmp(&mask, &g_masks[j], sizeof(mask)))
			TH_LOG("criterion %u entry %u: mask", i, j);
		ASSERT_EQ(0, memcmp(&pr, &given[j].pr, sizeof(pr)))
			TH_LOG("criterion %u entry %u: port ranges", i, j);
	}
	recs[i].c = c;
	recs[i].live = true;
	recs[i].ever = true;
	crit_bytes += dfc_crit_size(ne, nx, c->narrow);
	gen_entries += ne;
	gen_excls += nx;
	if (ne > gen_max_entries)
		gen_max_entries = ne;
}

static void del_crit(struct dfc_table *t, unsigned int i)
{
	struct dfc_crit *c = recs[i].c;

	dfc_table_remove(t, c);
	crit_bytes -= dfc_crit_size(c->n_entries, c->n_excl, c->narrow);
	free(c);	/* userspace: the grace period is over already */
	recs[i].c = NULL;
	recs[i].live = false;
}

/* ------------------------------------------------------------ checking */

struct stats {
	uint64_t frames, hit_frames, matches, mismatches, dups, probed;
};

struct vec {
	uint32_t *v;
	size_t n, cap;
};

static void vec_push(struct vec *x, uint32_t a)
{
	if (x->n == x->cap) {
		x->cap = x->cap ? 2 * x->cap : 1024;
		x->v = realloc(x->v, x->cap * sizeof(*x->v));
		if (!x->v)
			abort();
	}
	x->v[x->n++] = a;
}

/* Never NULL, so empty vectors are fine for qsort, bsearch and memcmp. */
static void vec_init(struct vec *x)
{
	x->n = 0;
	x->cap = 1024;
	x->v = malloc(x->cap * sizeof(*x->v));
	if (!x->v)
		abort();
}

static void on_match(struct dfc_crit *c, void *ctx)
{
	vec_push(ctx, (uint32_t)c->id);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void print_flow(const struct dfc_flow *f)
{
	char s[64], d[64];

	put_addr(s, sizeof(s), f->ipver, f->src);
	put_addr(d, sizeof(d), f->ipver, f->dst);
	fprintf(stderr, "#   frame v%u %s -> %s proto %u ports %d %u>%u icmp %d %u/%u frag %d if %u\n",
		f->ipver, s, d, f->proto, f->has_ports, f->sport, f->dport,
		f->has_icmp, f->icmp_type, f->icmp_code, f->frag, f->ifindex);
}

static void print_spec(unsigned int id)
{
	const struct dfc_spec *s = &specs[id];

	fprintf(stderr, "#   crit %u: ipver %u ifindex %u items src %u dst %u sport %u dport %u proto %u type %u code %u, %u entries %u excl\n",
		id, s->ipver, s->ifindex, s->src.n, s->dst.n, s->sport.n,
		s->dport.n, s->proto.n, s->icmp_type.n, s->icmp_code.n,
		recs[id].c ? recs[id].c->n_entries : 0,
		recs[id].c ? recs[id].c->n_excl : 0);
}

/*
 * Check frames [from, to): the naive matcher over every live criterion
 * against the table. Spec-major per block: each spec is loaded once per
 * BLOCK frames.
 */
static void check_frames(struct dfc_table *t, const struct dfc_flow *fr,
			 unsigned int from, unsigned int to, struct stats *st)
{
	static uint32_t start[BLOCK + 1], fill[BLOCK];
	struct vec pairs, sorted, got;
	unsigned int *live[3], n_live[3] = { 0 }, b, i, k, v;
	unsigned int reported = 0;
	struct dfc_key key;

	/*
	 * Live criteria, all of them and those a frame of each version can
	 * match: a block of frames of one version skips the criteria whose
	 * ipver rules that version out (the naive matcher's first test,
	 * hoisted out of the loop; it halves the work).
	 */
	for (v = 0; v < 3; v++) {
		live[v] = calloc(n_specs, sizeof(*live[v]));
		if (!live[v])
			abort();
	}
	for (i = 0; i < n_specs; i++) {
		if (!recs[i].live)
			continue;
		live[0][n_live[0]++] = i;
		if (specs[i].ipver != 6)
			live[1][n_live[1]++] = i;
		if (specs[i].ipver != 4)
			live[2][n_live[2]++] = i;
	}

	vec_init(&pairs);
	vec_init(&sorted);
	vec_init(&got);
	for (b = from; b < to; b += BLOCK) {
		unsigned int nb = to - b < BLOCK ? to - b : BLOCK;
		const struct dfc_flow *blk = fr + b;

		v = blk[0].ipver == blk[nb - 1].ipver ? (blk[0].ipver == 4 ? 1 : 2) : 0;
		/* Naive: (frame, criterion) pairs, criterion-ascending. */
		pairs.n = 0;
		memset(start, 0, sizeof(start));
		for (i = 0; i < n_live[v]; i++) {
			unsigned int id = live[v][i];
			const struct dfc_spec *s = &specs[id];

			for (k = 0; k < nb; k++) {
				if (dfc_spec_match_naive(s, &blk[k])) {
					vec_push(&pairs, k);
					vec_push(&pairs, id);
					start[k + 1]++;
				}
			}
		}
		/* Stable counting sort by frame. */
		for (k = 0; k < nb; k++)
			start[k + 1] += start[k];
		sorted.n = 0;
		while (sorted.n < pairs.n / 2)
			vec_push(&sorted, 0);
		memcpy(fill, start, nb * sizeof(fill[0]));
		for (i = 0; i < pairs.n; i += 2)
			sorted.v[fill[pairs.v[i]]++] = pairs.v[i + 1];

		for (k = 0; k < nb; k++) {
			const uint32_t *want = sorted.v + start[k];
			size_t n_want = start[k + 1] - start[k];
			bool bad = false;

			flow_to_key(&blk[k], &key);
			got.n = 0;
			st->probed += dfc_table_match(t, &key, on_match, &got);
			if (got.n > 1)
				qsort(got.v, got.n, sizeof(*got.v), cmp_u32);
			for (i = 1; i < got.n; i++) {
				if (got.v[i] == got.v[i - 1]) {
					st->dups++;
					bad = true;
				}
			}
			if (got.n != n_want ||
			    (n_want && memcmp(got.v, want, n_want * sizeof(*want))))
				bad = true;
			st->frames++;
			st->hit_frames += n_want > 0;
			st->matches += n_want;
			if (!bad)
				continue;
			st->mismatches++;
			if (reported++ >= MAX_REPORT)
				continue;
			fprintf(stderr, "# MISMATCH at frame %u: table %zu, naive %zu\n",
				b + k, got.n, n_want);
			print_flow(&blk[k]);
			for (i = 0; i < got.n; i++) {
				if (!bsearch(&got.v[i], want, n_want, sizeof(*want), cmp_u32) ||
				    (i && got.v[i] == got.v[i - 1])) {
					fprintf(stderr, "#   only the table (or twice):\n");
					print_spec(got.v[i]);
				}
			}
			for (i = 0; i < n_want; i++) {
				if (!bsearch(&want[i], got.v, got.n, sizeof(*want), cmp_u32)) {
					fprintf(stderr, "#   only naive:\n");
					print_spec(want[i]);
				}
			}
		}
	}
	free(pairs.v);
	free(sorted.v);
	free(got.v);
	for (v = 0; v < 3; v++)
		free(live[v]);
}

/* Split [0, n) over WORKERS processes; sum their stats. */
static int check_parallel(struct dfc_table *t, const struct dfc_flow *fr,
			  unsigned int n, struct stats *sum)
{
	pid_t pid[WORKERS];
	int fd[WORKERS][2], w, status, ret = 0;

	fflush(stdout);
	fflush(stderr);
	for (w = 0; w < WORKERS; w++) {
		if (pipe(fd[w]))
			return -errno;
		pid[w] = fork();
		if (pid[w] < 0)
			return -errno;
		if (!pid[w]) {
			struct stats st = { 0 };
			unsigned int from = (unsigned int)((uint64_t)n * w / WORKERS);
			unsigned int to = (unsigned int)((uint64_t)n * (w + 1) / WORKERS);

			close(fd[w][0]);
			check_frames(t, fr, from, to, &st);
			if (write(fd[w][1], &st, sizeof(st)) != sizeof(st))
				_exit(2);
			_exit(0);
		}
		close(fd[w][1]);
	}
	for (w = 0; w < WORKERS; w++) {
		struct stats st;

		if (read(fd[w][0], &st, sizeof(st)) != sizeof(st))
			ret = -EIO;
		close(fd[w][0]);
		if (waitpid(pid[w], &status, 0) != pid[w] || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			ret = -ECHILD;
		if (ret)
			continue;
		sum->frames += st.frames;
		sum->hit_frames += st.hit_frames;
		sum->matches += st.matches;
		sum->mismatches += st.mismatches;
		sum->dups += st.dups;
		sum->probed += st.probed;
	}
	return ret;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void report(struct __test_metadata *_metadata, const char *phase,
		   const struct stats *st, unsigned int live, u32 masks, double secs)
{
	TH_LOG("%s: %" PRIu64 " frames x %u criteria (%u masks): hit rate %.1f%%, "
	       "%.2f matches/frame, %.1f masks probed/frame, %" PRIu64
	       " mismatches, %" PRIu64 " duplicates, %.1f s",
	       phase, st->frames, live, masks,
	       st->frames ? 100.0 * st->hit_frames / st->frames : 0.0,
	       st->frames ? (double)st->matches / st->frames : 0.0,
	       st->frames ? (double)st->probed / st->frames : 0.0,
	       st->mismatches, st->dups, secs);
}

static unsigned int env_uint(const char *name, unsigned int def)
{
	const char *v = getenv(name);

	return v && *v ? (unsigned int)strtoul(v, NULL, 0) : def;
}

static unsigned int count_live(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < n_specs; i++)
		n += recs[i].live;
	return n;
}

/* Masks in probing order must have non-increasing hits after a sort. */
static bool masks_sorted(struct dfc_table *t)
{
	struct dfc_mask_array *ma = rcu_dereference_protected(t->ma, 1);
	u32 i;

	for (i = 1; i < ma->n; i++)
		if (ma->masks[i - 1]->busy < ma->masks[i]->busy)
			return false;
	return true;
}

FIXTURE(table) {
	struct dfc_table t;
};

FIXTURE_SETUP(table)
{
	ASSERT_EQ(0, dfc_table_init(&self->t, MAX_MASKS));
}

FIXTURE_TEARDOWN(table)
{
}

/*
 * Build crits criteria, check frames frames in three phases (a sample,
 * then sort; every criterion; after removing 30% and adding N_ADDED), then
 * empty the table: no mismatch, memory back to where it was.
 */
static void differential(struct __test_metadata *_metadata, struct dfc_table *t,
			 const char *profile, unsigned int crits, unsigned int frames)
{
	unsigned int n_a, n_b, i, ne, nx, removed = 0;
	const char *why = NULL;
	struct stats total = { 0 }, st;
	size_t mem0 = t->mem;
	struct dfc_flow *fr;
	double t0, t1, tstart = now_s();
	uint64_t seed;

	seed = getenv("DFC_SEED") ? strtoull(getenv("DFC_SEED"), NULL, 0) : 0;
	if (!seed)
		seed = (uint64_t)time(NULL) ^ (uint64_t)getpid() << 20;
	rng_state = seed;
	kr_state = seed * 3 + 1;
	TH_LOG("DFC_SEED=%" PRIu64 " (set it to replay this run)", seed);
	if (profile) {
		cbgen_init(&cb, cb_profile(profile), seed);
		TH_LOG("ClassBench-style profile %s", profile);
	}

	n_specs = crits + N_ADDED;
	specs = calloc(n_specs, sizeof(*specs));
	recs = calloc(n_specs, sizeof(*recs));
	ASSERT_NE(NULL, specs);
	ASSERT_NE(NULL, recs);

	/* Build. */
	t0 = now_s();
	for (i = 0; i < crits; i++) {
		ASSERT_EQ(0, gen_spec(&specs[i], &ne, &nx, &why)) TH_LOG("%s", why);
		add_crit(_metadata, t, i, ne, nx);
	}
	TH_LOG("%u criteria: %lu entries (max %lu per criterion; %lu relaxed), "
	       "%lu exclusions, %lu random specs over the bounds (-E2BIG) "
	       "redrawn, %u masks, table %zu + criteria %zu bytes, %.1f s",
	       crits, gen_entries, gen_max_entries, gen_relaxed,
	       gen_excls, gen_e2big, dfc_table_masks(t), t->mem, crit_bytes,
	       now_s() - t0);
	ASSERT_EQ(gen_entries, t->n_entries);
	/* The checks see entries kept relaxed, not only as given. */
	ASSERT_LT(0, gen_relaxed);

	/* A first sample in this process, so masks gather hits; then sort. */
	t0 = now_s();
	memset(&st, 0, sizeof(st));
	fr = gen_frames(N_SORT_FRAMES);
	check_frames(t, fr, 0, N_SORT_FRAMES, &st);
	free(fr);
	report(_metadata, "sort sample", &st, count_live(), dfc_table_masks(t), now_s() - t0);
	total.frames += st.frames;
	total.hit_frames += st.hit_frames;
	total.mismatches += st.mismatches + st.dups;
	ASSERT_EQ(0, dfc_table_sort_masks(t));
	ASSERT_TRUE(masks_sorted(t));

	n_a = frames > N_SORT_FRAMES ? (frames - N_SORT_FRAMES) / 2 : 0;
	n_b = frames > N_SORT_FRAMES ? frames - N_SORT_FRAMES - n_a : 0;

	/* Phase A: every criterion. */
	t0 = now_s();
	fr = gen_frames(n_a);
	t1 = now_s();
	memset(&st, 0, sizeof(st));
	ASSERT_EQ(0, check_parallel(t, fr, n_a, &st));
	free(fr);
	report(_metadata, "phase A", &st, count_live(), dfc_table_masks(t), now_s() - t1);
	total.frames += st.frames;
	total.hit_frames += st.hit_frames;
	total.mismatches += st.mismatches + st.dups;
	TH_LOG("(frame generation %.1f s)", t1 - t0);

	/* Remove 30%, add new criteria into the compacted table, sort. */
	for (i = 0; i < crits; i++) {
		if (pct(REMOVE_PCT)) {
			del_crit(t, i);
			removed++;
		}
	}
	for (i = crits; i < n_specs; i++) {
		ASSERT_EQ(0, gen_spec(&specs[i], &ne, &nx, &why)) TH_LOG("%s", why);
		add_crit(_metadata, t, i, ne, nx);
	}
	ASSERT_EQ(0, dfc_table_sort_masks(t));
	ASSERT_TRUE(masks_sorted(t));
	TH_LOG("removed %u criteria, added %u: %u masks", removed, N_ADDED,
	       dfc_table_masks(t));

	/* Phase B: the survivors and the new ones; frames also from the dead. */
	fr = gen_frames(n_b);
	t1 = now_s();
	memset(&st, 0, sizeof(st));
	ASSERT_EQ(0, check_parallel(t, fr, n_b, &st));
	free(fr);
	report(_metadata, "phase B", &st, count_live(), dfc_table_masks(t), now_s() - t1);
	total.frames += st.frames;
	total.hit_frames += st.hit_frames;
	total.mismatches += st.mismatches + st.dups;

	/* Everything out: the table is back to its empty self. */
	for (i = 0; i < n_specs; i++)
		if (recs[i].live)
			del_crit(t, i);
	EXPECT_EQ(0, t->n_entries);
	EXPECT_EQ(0, dfc_table_masks(t));
	EXPECT_EQ(mem0, t->mem);
	EXPECT_EQ(0, crit_bytes);
	dfc_table_destroy(t);
	free(specs);
	free(recs);

	TH_LOG("total: %" PRIu64 " frames, %u + %u criteria, hit rate %.1f%%, "
	       "%" PRIu64 " mismatches, %.1f s",
	       total.frames, crits, N_ADDED,
	       total.frames ? 100.0 * total.hit_frames / total.frames : 0.0,
	       total.mismatches, now_s() - tstart);
	EXPECT_EQ(0, total.mismatches);
	EXPECT_GE(total.frames, frames);
#if defined(__SANITIZE_ADDRESS__)
	/* The harness leaves with _exit(): ask LeakSanitizer now. */
	EXPECT_EQ(0, __lsan_do_recoverable_leak_check());
#endif
}

TEST_F_TIMEOUT(table, differential, 900)
{
	differential(_metadata, &self->t, NULL, env_uint("DFC_CRITS", N_CRITS),
		     env_uint("DFC_FRAMES", N_FRAMES));
}

/*
 * ClassBench-style rule sets (tools/cbgen.h), each rule one criterion as
 * dtcpd sends it: prefixes, port ranges, protocol, expanded as dtcpd
 * expands them. Fewer criteria than above: the naive side is the cost.
 */
static void classbench(struct __test_metadata *_metadata, struct dfc_table *t,
		       const char *profile)
{
	ASSERT_NE(NULL, cb_profile(profile));
	differential(_metadata, t, profile, env_uint("DFC_CB_CRITS", N_CB_CRITS),
		     env_uint("DFC_CB_FRAMES", N_CB_FRAMES));
}

TEST_F_TIMEOUT(table, classbench_acl, 600)
{
	classbench(_metadata, &self->t, "acl");
}

TEST_F_TIMEOUT(table, classbench_fw, 600)
{
	classbench(_metadata, &self->t, "fw");
}

TEST_F_TIMEOUT(table, classbench_ipc, 600)
{
	classbench(_metadata, &self->t, "ipc");
}

TEST_HARNESS_MAIN
