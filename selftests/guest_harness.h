/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest test programs' main: kselftest's, with each test's timeout
 * multiplied by DFC_SLOW (run_guest.sh sets it; the debug kernel runs
 * everything several times slower), as lib.sh scales the scripts' waits;
 * and dfc_shrink(), their volume on that kernel.
 * Include after kselftest_harness.h; end the program with DFC_HARNESS_MAIN.
 */
#ifndef DFC_GUEST_HARNESS_H
#define DFC_GUEST_HARNESS_H

#include <stdlib.h>

/* How many times slower than Debian's kernel the kernel under test runs (1..100). */
static inline int dfc_slow(void)
{
	const char *e = getenv("DFC_SLOW");
	int k = e ? atoi(e) : 1;

	return k < 1 ? 1 : k > 100 ? 100 : k;
}

/*
 * A volume (frames, criteria, repetitions) scaled for the kernel under
 * test: n divided by DFC_SHRINK (1..100), at least min. run_guest.sh sets
 * it to 10 on the debug kernel, which is there for KASAN, lockdep, RCU and
 * leak reports, not rates: the same code paths with less volume (lib.sh's
 * shrink is the scripts' one).
 */
static inline long dfc_shrink(long n, long min)
{
	const char *e = getenv("DFC_SHRINK");
	long k = e ? atol(e) : 1;

	k = k < 1 ? 1 : k > 100 ? 100 : k;
	return n / k < min ? min : n / k;
}

static inline void dfc_harness_scale(void)
{
	int k = dfc_slow();

	if (k == 1)
		return;
	for (struct __fixture_metadata *f = __fixture_list; f; f = f->next)
		for (struct __test_metadata *t = f->tests; t; t = t->next)
			t->timeout *= k;
}

#define DFC_HARNESS_MAIN \
	int main(int argc, char **argv) \
	{ \
		dfc_harness_scale(); \
		return test_harness_run(argc, argv); \
	}

#endif
