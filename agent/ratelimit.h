/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Log rate limits, one per cause: at most DTCP_RL_BURST lines of a cause
 * per DTCP_RL_MS, then nothing of it until the period is over, when one
 * line says how many were left out. What anyone on the network can
 * provoke (dropped datagrams, failed sends) cannot flood the log; the
 * counters of the control socket still count every event.
 */
#ifndef DTCP_RATELIMIT_H
#define DTCP_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

#define DTCP_RL_BURST 10
#define DTCP_RL_MS 10000

/* One limiter: the period started at start_ms, n lines in it, quiet left out. */
struct dtcp_rl {
	uint64_t start_ms;
	unsigned int n;
	uint64_t quiet;
};

/*
 * May a line be logged now? A new period starts when the last is over:
 * *report then takes the count left out in the last one (0: none), which
 * the caller logs first. false: left out (counted).
 */
bool dtcp_rl_take(struct dtcp_rl *rl, uint64_t now_ms, unsigned int burst, uint64_t period_ms,
		  uint64_t *report);
/* The period is over: how many were left out in it (then reset), else 0. */
uint64_t dtcp_rl_flush(struct dtcp_rl *rl, uint64_t now_ms, uint64_t period_ms);

/* The causes dtcpd limits (server.h's rl[]), and what their summary line calls them. */
enum dtcp_rl_cause {
	DTCP_RL_DROP,		/* silent drops (dispatch.c): one limiter for every kind */
	DTCP_RL_ANSWER,		/* answers the socket refused (udp.c) */
	DTCP_RL_NOTIFY,		/* notifications that could not be sent (udp.c) */
	DTCP_RL_KERNEL,		/* dfc.ko's transient errors (main.c's check) */
	DTCP_RL_N
};

extern const char *const dtcp_rl_what[DTCP_RL_N];

#endif /* DTCP_RATELIMIT_H */
