/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * dtcpd's state file: what the kernel cannot keep across a restart of
 * dtcpd (Seq windows of every control source ever configured, the next
 * Criteria-ID, the data of the restart check). One JSON object, versioned,
 * parsed strictly: every field exactly once, unknown or duplicate fields
 * and out-of-range values rejected. docs/dtcpd.md shows the format.
 *
 * It is kept in two slots, PATH (odd generations) and PATH.1 (even ones),
 * each overwritten in place: a commit writes the slot that does not hold
 * the newest generation, so a write cut short leaves the newest complete
 * one readable (agent/state_file.c).
 */
#ifndef DTCP_STATE_H
#define DTCP_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth.h"

#define DTCP_STATE_VERSION 4
#define DTCP_STATE_MAX_BYTES (16u << 20)	/* a larger file is refused */
#define DTCP_STATE_ID_MAX 255			/* bytes of a Csource-ID */

struct dtcp_state_src {
	char *id;		/* Csource-ID */
	struct dtcp_seq seq;
};

struct dtcp_state {
	uint64_t generation;	/* commits so far, from 1 (versions 2 and 3: 1) */
	uint32_t next_id;	/* next Criteria-ID to hand out */
	char boot_id[40];	/* /proc/sys/kernel/random/boot_id when written */
	uint64_t kexpired;	/* the kernel's expired-criteria counter then */
	uint32_t n_static, n_dynamic; /* our criteria in the kernel then */
	unsigned int n_src;
	struct dtcp_state_src *src;
};

/* A slot's text (malloc'd JSON, a final newline), or NULL: out of memory, or libcrypto failed. */
char *dtcp_state_format(const struct dtcp_state *st);
/*
 * Write st, generation st->generation (at least 1), into its slot of path:
 * in place (with sync, fdatasync'd), or, while the slot does not exist, a
 * temporary file renamed to it (with sync, file and directory fsync'd).
 * The other slot is not touched. 0 or -errno.
 */
int dtcp_state_save(const char *path, const struct dtcp_state *st, bool sync);
/*
 * Parse a state file's bytes. 0 or -EINVAL with why filled ("line 3:
 * ..." or "sources[2].seq.max: ..."); -ENOMEM. st is freed on error.
 */
int dtcp_state_parse(const void *buf, size_t len, struct dtcp_state *st, char *why,
		     size_t whylen);
/*
 * The newest generation that reads from the two slots of path. 0 (why is
 * "", or says which slot did not read and was passed over: a write cut
 * short), -ENOENT (neither slot exists), -EINVAL (no slot reads, or the
 * only one does not: why says how), -errno (a slot could not be read).
 */
int dtcp_state_load(const char *path, struct dtcp_state *st, char *why, size_t whylen);
void dtcp_state_free(struct dtcp_state *st);
/* The host's boot id ("" if unknown). */
void dtcp_boot_id(char out[40]);

#endif /* DTCP_STATE_H */
