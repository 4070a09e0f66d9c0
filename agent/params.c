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

static unsigned int param_class(const char *canon)
{
	static const struct { const char *n; unsigned int c; } t[] = {
		{ "Cdest-ID", P_CDEST }, { "Source-Address", P_FILTER },
		{ "Dest-Address", P_FILTER }, { "Protocol", P_FILTER },
		{ "Source-Port", P_FILTER }, { "Dest-Port", P_FILTER },
		{ "ICMP-Type", P_FILTER }, { "ICMP-Code", P_FILTER },
		{ "Timeout-Idle", P_TIMEOUT }, { "Timeout-Total", P_TIMEOUT },
		{ "Timeout-Packets", P_TIMEOUT }, { "Timeout-Bytes", P_TIMEOUT },
		{ "Priority", P_PRIO }, { "Action", P_ACTION }, { "Flags", P_FLAGS },
		{ "Criteria-ID", P_CRITID },
	};

	for (unsigned int i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(t[i].n, canon))
			return t[i].c;
	return 0;
}

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
		const char *c;

		if (!strncasecmp(p->name, "X-", 2) || !strcasecmp(p->name, "Csource-ID") ||
		    !strcasecmp(p->name, "Seq"))
			continue; /* extensions: used by ADD or dropped silently */
		c = dtcp_param_canon(p->name);
		if (!c || !param_class(c)) {
			if (c)
				return dtcp_fail(e, 400, p, "%s is not a request parameter", c);
			return dtcp_fail(e, 501, p, "parameter %s is not implemented", p->name);
		}
		if (!(param_class(c) & allowed[meth]))
			return dtcp_fail(e, 400, p, "%s is not a %s parameter", c, m->method);
	}
	return 0;
}

int dtcp_req_flags(const struct dtcp_msg *m, unsigned int *fl, struct dtcp_err *e)
{
	const struct dtcp_param *p = dtcp_msg_get(m, "Flags");

	*fl = 0;
	if (p && dtcp_flags_parse(p->value, fl))
		return dtcp_fail(e, 400, p, "unknown flag");
	return 0;
}
