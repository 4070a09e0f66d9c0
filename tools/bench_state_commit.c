// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * What one commit of dtcpd's state file costs (dtcp_state_save(), with
 * state-sync): COUNT commits of a state of four control sources, each
 * commit with one more Seq, as a burst leaves it. Prints the mean, wall
 * clock: run it beside another build, in turn (tools/bench-state.sh).
 * Builds against older trees too (their state had no generation).
 *
 *   bench_state_commit PATH COUNT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "state.h"

int main(int argc, char **argv)
{
	struct dtcp_state_src src[4] = { { .id = "cs1" }, { .id = "cs2" }, { .id = "cs3" },
					  { .id = "cs4" } };
	struct dtcp_state st = { .next_id = 5, .n_src = 4, .src = src };
	struct timespec a, b;
	long n = argc == 3 ? strtol(argv[2], NULL, 10) : 0;

	if (n <= 0) {
		fprintf(stderr, "usage: bench_state_commit PATH COUNT\n");
		return 2;
	}
	snprintf(st.boot_id, sizeof(st.boot_id), "0b5e2c1a-1111-2222-3333-444455556666");
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 1; i <= n; i++) {
		dtcp_seq_accept(&src[i % 4].seq, (uint64_t)i);
#if DTCP_STATE_VERSION >= 4
		st.generation = (uint64_t)i;
#endif
		if (dtcp_state_save(argv[1], &st, true)) {
			perror("bench_state_commit: save");
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.1f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n / 1e3);
	return 0;
}
