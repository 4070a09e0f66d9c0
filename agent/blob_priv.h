/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Between the blob's writer (blob_write.c) and readers: formats 6 to 3 (blob.c), 2 (blob_v2.c). */
#ifndef DTCP_BLOB_PRIV_H
#define DTCP_BLOB_PRIV_H

#include <netinet/in.h>

#include "blob.h"
#include "msg.h"

/* The magic: "dtc" and the format's version. */
extern const char dtcp_blob_magic[4];
/* The filter parameters, in the order of their attributes (DTCP_BLOB_P_*). */
#define DTCP_BLOB_N_FILTER 7
extern const enum dtcp_pid dtcp_blob_filter_ids[DTCP_BLOB_N_FILTER];

/* n bytes of text another format may carry: 1..max, no control character. */
bool dtcp_blob_text_ok(const char *s, size_t n, size_t max);
/* A parameter name as DTCP spells one: visible, no ':'. */
bool dtcp_blob_pname_ok(const char *s, size_t n);
/* A raw value: empty, or text. */
bool dtcp_blob_pvalue_ok(const char *s);
/*
 * A filter address as format 6 keeps it: 4 or 16 bytes, then the prefix
 * length if there is one. Its text in out; NULL if it is none of these.
 */
const char *dtcp_blob_addr_text(const uint8_t *p, size_t len, char out[INET6_ADDRSTRLEN + 4]);

/*
 * A kernel id of b's kind: request-defined destinations have the top bit
 * set, configured ones not (and never 0).
 */
bool dtcp_blob_kid_ok(const struct dtcp_blob *b, uint32_t kid);

/*
 * b->cdests: the Cdest-ID list as a DSTRING, like the line it came from
 * (names may hold commas), from b->n names. 0 or -ENOMEM.
 */
int dtcp_blob_cdests_join(struct dtcp_blob *b, const char *const *names);

/*
 * Read a format 2 blob into b (zeroed by the caller) and, if cb is set,
 * give it each parameter. 0, -EINVAL or -ENOMEM; on error b may hold
 * memory for dtcp_blob_free().
 */
int dtcp_blob_v2_read(const void *blob, size_t len, struct dtcp_blob *b,
		      dtcp_blob_line_cb cb, void *data);

#endif /* DTCP_BLOB_PRIV_H */
