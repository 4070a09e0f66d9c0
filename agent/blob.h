/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * A criterion's DTCP form, kept in the kernel with it (DFC_CRIT_A_BLOB)
 * so that a restarted dtcpd finds its criteria again. The blob is what a
 * control source sent, so it is hostile text: it is a JSON object written
 * through jansson, never by string pasting, and read back strictly (a
 * version, every field once and of its type and range, nothing unknown).
 * docs/dtcpd.md describes the format.
 */
#ifndef DTCP_BLOB_H
#define DTCP_BLOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crit.h"

/* The blob format's version ("dtcpd" member); 1 was the line format before it. */
#define DTCP_BLOB_VERSION 2

/*
 * The blob of destination k of the criterion a describes. Its length;
 * -E2BIG if it exceeds size (at most DFC_CRIT_BLOB_MAX; unknown X-
 * parameters are left out while they do not fit); -EILSEQ if a text is
 * not UTF-8 (*bad: that parameter, if one is to blame).
 */
int dtcp_add_blob(const struct dtcp_msg *m, const struct dtcp_add *a, const char *csource,
		  const char *from, uint32_t id, uint64_t added_ms, unsigned int k,
		  char *out, size_t size, const struct dtcp_param **bad);

struct dtcp_blob {
	char csource[80];
	uint32_t id;
	unsigned int k, n;		/* this kernel criterion is destination k of n */
	char csource_addr[48];
	uint64_t added_ms;
	char *cdests;			/* malloc'd: the Cdest-ID list as a DSTRING (dtcp_escape'd names, ',') */
	uint32_t flags, prio;		/* DFC_CRIT_F_*; Priority + minimum-priority */
	uint32_t t_idle, t_total;
	uint64_t t_packets, t_bytes;
	uint32_t cdest_kid[DTCP_MAX_DEST];
	bool request_dest;		/* rkd holds the destinations the request defined */
	struct dtcp_kdest rkd[DTCP_MAX_DEST];
};

/*
 * Read a blob back. 0; -EINVAL if it is not a dtcpd blob of this version,
 * or breaks any rule of the format (b is then empty).
 */
int dtcp_blob_parse(const void *blob, size_t len, struct dtcp_blob *b);
void dtcp_blob_free(struct dtcp_blob *b);
/* Does the blob come from some dtcpd (this format or an older one)? */
bool dtcp_blob_is_dtcpd(const void *blob, size_t len);

/* Each parameter the ADD carried (the filter, X-*), name and raw value, in order. */
typedef void (*dtcp_blob_line_cb)(const char *name, const char *value, void *data);
/* 0, or -EINVAL (not a valid blob: nothing was called). */
int dtcp_blob_lines(const char *blob, size_t len, dtcp_blob_line_cb cb, void *data);

#endif /* DTCP_BLOB_H */
