// SPDX-License-Identifier: GPL-2.0
/*
 * icount_loop N: runs N rounds of a loop of two instructions and prints the
 * nanoseconds of CLOCK_MONOTONIC they took. Under tools/vm-run's instruction
 * counting (VM_ICOUNT=1) that is 2 * N, plus the few instructions of the
 * interrupts that come in between (selftests/vm_icount.sh).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
	struct timespec a, b;
	unsigned long n;

	if (argc != 2 || !(n = strtoul(argv[1], NULL, 10))) {
		fprintf(stderr, "usage: icount_loop N\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	__asm__ volatile("1: dec %0\n\tjnz 1b" : "+r"(n));
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%lld\n", (long long)(b.tv_sec - a.tv_sec) * 1000000000 + (b.tv_nsec - a.tv_nsec));
	return 0;
}
