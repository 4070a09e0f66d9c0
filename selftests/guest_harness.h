/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest test programs' main: kselftest's, with each test's timeout
 * multiplied by DFC_SLOW (run_guest.sh sets it; the debug kernel runs
 * everything several times slower), as lib.sh scales the scripts' waits.
 * Include after kselftest_harness.h; end the program with DFC_HARNESS_MAIN.
 */
#ifndef DFC_GUEST_HARNESS_H
#define DFC_GUEST_HARNESS_H

#include <stdlib.h>

static inline void dfc_harness_scale(void)
{
	const char *e = getenv("DFC_SLOW");
	int k = e ? atoi(e) : 1;

	if (k <= 1 || k > 100)
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
