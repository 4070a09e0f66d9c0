// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Log rate limits (ratelimit.h), and the server's per cause.
 */
#include <inttypes.h>
#include <syslog.h>

#include "core.h"

const char *const dtcp_rl_what[DTCP_RL_N] = {
	[DTCP_RL_DROP] = "dropped datagrams",
	[DTCP_RL_ANSWER] = "failed answers",
	[DTCP_RL_NOTIFY] = "failed notifications",
	[DTCP_RL_KERNEL] = "dfc.ko errors",
};

uint64_t dtcp_rl_flush(struct dtcp_rl *rl, uint64_t now_ms, uint64_t period_ms)
{
	uint64_t quiet;

	if (now_ms - rl->start_ms < period_ms)
		return 0;
	quiet = rl->quiet;
	rl->start_ms = now_ms;
	rl->n = 0;
	rl->quiet = 0;
	return quiet;
}

bool dtcp_rl_take(struct dtcp_rl *rl, uint64_t now_ms, unsigned int burst, uint64_t period_ms,
		  uint64_t *report)
{
	*report = dtcp_rl_flush(rl, now_ms, period_ms);
	if (rl->n < burst) {
		rl->n++;
		return true;
	}
	rl->quiet++;
	return false;
}

static void summary(struct dtcp_server *s, enum dtcp_rl_cause c, uint64_t quiet)
{
	if (quiet)
		LOG(s, NULL, LOG_WARNING, "%" PRIu64 " more %s not logged in the last %u s "
		    "(rate limit; the counters have them all)", quiet, dtcp_rl_what[c],
		    DTCP_RL_MS / 1000);
}

bool dtcp_server_log_ok(struct dtcp_server *s, enum dtcp_rl_cause c)
{
	uint64_t quiet;
	bool ok = dtcp_rl_take(&s->rl[c], s->mono_ms ? s->mono_ms() : 0, DTCP_RL_BURST,
			       DTCP_RL_MS, &quiet);

	summary(s, c, quiet);
	if (!ok)
		s->st.log_suppressed++;
	return ok;
}

void dtcp_server_log_flush(struct dtcp_server *s)
{
	uint64_t now = s->mono_ms ? s->mono_ms() : 0;

	for (int c = 0; c < DTCP_RL_N; c++)
		summary(s, c, dtcp_rl_flush(&s->rl[c], now, DTCP_RL_MS));
}
