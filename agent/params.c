// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Which parameters each method takes, and the Flags of a request.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "core.h"

enum {
	P_CDEST = 1 << 0, P_FILTER = 1 << 1, P_TIMEOUT = 1 << 2, P_PRIO = 1 << 3,
	P_ACTION = 1 << 4, P_FLAGS = 1 << 5, P_CRITID = 1 << 6,
};

/* The class of each request parameter; 0: not one. */
static const unsigned char param_class[DTCP_P_COUNT] = {
	[DTCP_P_CDEST_ID] = P_CDEST, [DTCP_P_SOURCE_ADDRESS] = P_FILTER,
	[DTCP_P_DEST_ADDRESS] = P_FILTER, [DTCP_P_PROTOCOL] = P_FILTER,
	[DTCP_P_SOURCE_PORT] = P_FILTER, [DTCP_P_DEST_PORT] = P_FILTER,
	[DTCP_P_ICMP_TYPE] = P_FILTER, [DTCP_P_ICMP_CODE] = P_FILTER,
	[DTCP_P_TIMEOUT_IDLE] = P_TIMEOUT, [DTCP_P_TIMEOUT_TOTAL] = P_TIMEOUT,
	[DTCP_P_TIMEOUT_PACKETS] = P_TIMEOUT, [DTCP_P_TIMEOUT_BYTES] = P_TIMEOUT,
	[DTCP_P_PRIORITY] = P_PRIO, [DTCP_P_ACTION] = P_ACTION, [DTCP_P_FLAGS] = P_FLAGS,
	[DTCP_P_CRITERIA_ID] = P_CRITID,
};

int dtcp_params_check(const struct dtcp_msg *m, enum dtcp_method meth, struct dtcp_err *e)
{
	static const unsigned int allowed[] = {
		[DTCP_M_ADD] = P_CDEST | P_FILTER | P_TIMEOUT | P_PRIO | P_ACTION | P_FLAGS,
		[DTCP_M_DELETE] = P_CDEST | P_CRITID | P_FLAGS,
		[DTCP_M_REFRESH] = P_CDEST | P_CRITID | P_TIMEOUT | P_FLAGS,
		[DTCP_M_LIST] = P_CDEST | P_CRITID | P_FLAGS,
		[DTCP_M_NOOP] = P_FLAGS,
	};

	for (unsigned int i = 0; i < m->n; i++) {
		const struct dtcp_param *p = &m->p[i];
		const char *c = dtcp_pid_name(p->pid);

		if (p->pid == DTCP_P_CSOURCE_ID || p->pid == DTCP_P_SEQ ||
		    !strncasecmp(p->name, "X-", 2))
			continue; /* extensions: used by ADD or dropped silently */
		if (!param_class[p->pid]) {
			if (c)
				return dtcp_fail(e, 400, p, "%s is not a request parameter", c);
			return dtcp_fail(e, 501, p, "parameter %s is not implemented", p->name);
		}
		if (!(param_class[p->pid] & allowed[meth]))
			return dtcp_fail(e, 400, p, "%s is not a %s parameter", c, m->method);
	}
	return 0;
}

int dtcp_req_flags(const struct dtcp_msg *m, unsigned int *fl, struct dtcp_err *e)
{
	const struct dtcp_param *p = dtcp_msg_pget(m, DTCP_P_FLAGS);

	*fl = 0;
	if (p && dtcp_flags_parse(p->raw, fl))
		return dtcp_fail(e, 400, p, "unknown flag");
	return 0;
}
