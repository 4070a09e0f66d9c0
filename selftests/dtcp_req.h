/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A signed DTCP request as the unit tests write it: the method line, then
 * "Name: value" lines separated by '|', then Csource-ID, Seq and the HMAC.
 */
#ifndef DFC_SELFTESTS_DTCP_REQ_H
#define DFC_SELFTESTS_DTCP_REQ_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "msg.h"

static inline void dtcp_req_build(struct dtcp_out *o, const char *start, const char *lines,
				  const char *id, const char *key, uint64_t seq)
{
	char buf[4096], *l, *save = NULL;

	dtcp_out_init(o, false);
	snprintf(buf, sizeof(buf), "%s\r\n", start);
	dtcp_out_raw(o, buf, strlen(buf));
	snprintf(buf, sizeof(buf), "%s", lines);
	for (l = strtok_r(buf, "|", &save); l; l = strtok_r(NULL, "|", &save)) {
		dtcp_out_raw(o, l, strlen(l));
		dtcp_out_raw(o, "\r\n", 2);
	}
	dtcp_out_param(o, "Csource-ID", "%s", id);
	dtcp_out_param(o, "Seq", "%" PRIu64, seq);
	dtcp_out_sign(o, key, strlen(key));
}

#endif
