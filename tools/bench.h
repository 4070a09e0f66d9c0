/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the host benchmarks of the filter table (bench_classifier.c,
 * bench_ruleset.c) share: one seeded stream, which also gives the table
 * instances their hash seeds (get_random_u32, as compat.h expects), and
 * callgrind's toggles, so that only the lookup loop is counted. Included
 * once per program.
 */
#ifndef DFC_BENCH_H
#define DFC_BENCH_H

#include <stdint.h>

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#endif
#endif
#ifndef CALLGRIND_START_INSTRUMENTATION
#define CALLGRIND_START_INSTRUMENTATION do { } while (0)
#define CALLGRIND_STOP_INSTRUMENTATION do { } while (0)
#endif

static uint64_t rng = 0x5eed;	/* -s SEED sets it */

static inline uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

u32 get_random_u32(void)
{
	return (u32)rnd();
}

#endif /* DFC_BENCH_H */
