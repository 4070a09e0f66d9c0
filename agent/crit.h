/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * A DTCP criterion between the wire and the kernel: the checks of an ADD
 * (filters through lib/dfc_spec, timeouts, priority, action, flags,
 * destinations, X-JTap extensions), its expansion into kernel entries,
 * its DTCP form kept in the kernel's blob, and the small value grammars
 * the other methods share (Criteria-ID filters, Flags). No sockets.
 */
#ifndef DTCP_CRIT_H
#define DTCP_CRIT_H

#include <stdbool.h>
#include <stdint.h>

#include "dfc_spec.h"
#include "server.h"

/* Why a request failed: the status code and what to echo (draft §6.2). */
struct dtcp_err {
	unsigned int code;
	const struct dtcp_param *param;	/* echo this line (400 and friends) */
	char cdest[256];		/* echo Cdest-ID: this ("": none) */
	bool has_id;			/* echo Criteria-ID: id */
	uint64_t id;
	char why[160];			/* X-Error-Info: a human explanation */
};

int dtcp_fail(struct dtcp_err *e, unsigned int code, const struct dtcp_param *p,
	      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Flags values (case-insensitive on the wire). */
enum {
	DTCP_FL_STATIC = 1 << 0,
	DTCP_FL_SENDASYNC = 1 << 1,
	DTCP_FL_STATS = 1 << 2,
	DTCP_FL_CRITERIA = 1 << 3,
	DTCP_FL_BOTH = 1 << 4,
};
/* A Flags value as sent (split raw, each flag decoded). 0, or -EINVAL. */
int dtcp_flags_parse(const char *raw, unsigned int *flags);

/* A Criteria-ID value: single ids, ranges, "*", "!" (draft CritFilter). */
#define DTCP_IDSET_MAX 64
struct dtcp_idset {
	unsigned int n;
	struct {
		uint64_t lo, hi;
		bool neg, single;
	} it[DTCP_IDSET_MAX];
};
/* raw: the value as sent; ",", "!" and "-" count only unescaped. 0 or -EINVAL. */
int dtcp_idset_parse(const char *raw, struct dtcp_idset *set);
bool dtcp_idset_has(const struct dtcp_idset *set, uint64_t id);

struct dtcp_add {
	struct dfc_spec spec;
	bool any_filter;
	unsigned int n_if;
	uint32_t ifindex[DTCP_MAX_IFACES];
	uint32_t flags;			/* DFC_CRIT_F_* */
	uint32_t prio;			/* Priority + minimum-priority */
	uint32_t t_idle, t_total;
	uint64_t t_packets, t_bytes;
	unsigned int n_dest;
	char dest_names[DTCP_MAX_DEST][80];
	uint32_t cdest_kid[DTCP_MAX_DEST];
	bool request_dest;
	struct dtcp_kdest kd[DTCP_MAX_DEST];	/* request-defined destinations */
	const struct dtcp_param *cdest_param;
};

/*
 * Check an ADD and fill a. 0, or -1 with e filled (the code to answer).
 * ver: the request's DTCP version.
 */
int dtcp_add_parse(struct dtcp_server *s, struct dtcp_src *src, const struct dtcp_msg *m,
		   int ver, struct dtcp_add *a, struct dtcp_err *e);
/*
 * Expand into s->entries / s->excl, once per input interface (a->spec's
 * ifindex is set for each, then back to 0). 0, or -1 with e filled.
 */
int dtcp_add_expand(struct dtcp_server *s, struct dtcp_add *a, unsigned int *n_entries,
		    unsigned int *n_excl, struct dtcp_err *e);
/*
 * Destination k of c, decoded from c->cdests (the Cdest-ID list as sent:
 * split raw, so an escaped comma stays in its name). 0 or -EINVAL.
 */
int dtcp_crit_dest(const struct dtcp_crit *c, unsigned int k, char *out, size_t size);

/* Timeout values of a request (ADD, REFRESH). Each 0 if absent. */
struct dtcp_timeouts {
	uint32_t idle, total;
	uint64_t packets, bytes;
	bool any;			/* at least one Timeout-* line */
};
int dtcp_timeouts_parse(const struct dtcp_msg *m, struct dtcp_timeouts *t, struct dtcp_err *e);

#endif /* DTCP_CRIT_H */
