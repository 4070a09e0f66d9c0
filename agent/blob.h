/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * A criterion's DTCP form, kept in the kernel with it (DFC_CRIT_A_BLOB)
 * so that a restarted dtcpd finds its criteria again. The blob is what a
 * control source sent, so it is hostile input: written through libmnl,
 * never by pasting, and read back strictly (every attribute known, of its
 * length, at most once, nothing unknown or left over). The kernel keeps
 * one per criterion, so it is binary and leaves out what is zero.
 * docs/dtcpd.md describes the format.
 */
#ifndef DTCP_BLOB_H
#define DTCP_BLOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crit.h"

/*
 * The blob format's version, the last byte of its magic "dtc\6". 1 was a
 * line format, 2 a JSON object (still read); 3 to 6: netlink attributes,
 * 4 without the kernel id of the criterion's own destination (the kernel
 * keeps it), 5 also without the Criteria-ID and k (the kernel id gives
 * them: DTCP_KID) and with the source's address binary, 6 also without
 * the control source's name (the owner gives it) and configured
 * destinations' names (their kernel ids give them), the time added in a
 * fixed header and canonical filter addresses binary; 3 to 5 are still
 * read.
 */
#define DTCP_BLOB_VERSION 6
/* Format 6: the magic, then the time added (u64, wall-clock ms), then attributes. */
#define DTCP_BLOB_HEAD 12

/*
 * Top-level attributes; numbers absent are zero (N: one), and zero is
 * never written. What the kernel keeps of a criterion as given (its id,
 * flags, priority, destination) is not repeated here.
 */
enum {
	DTCP_BLOB_ID = 1,		/* u32, formats 3, 4 only (required): the Criteria-ID */
	DTCP_BLOB_K,			/* u32, formats 3, 4 only: this kernel criterion is
					 * destination k ... (5: the DEST without KID) */
	DTCP_BLOB_N,			/* u32: ... of n; absent: 1, so never 1 */
	DTCP_BLOB_ADDED,		/* u64: wall-clock ms (6: in the header) */
	DTCP_BLOB_IDLE,			/* u32: Timeout-Idle, s */
	DTCP_BLOB_TOTAL,		/* u32: Timeout-Total, s */
	DTCP_BLOB_PACKETS,		/* u64: Transfer-Packets */
	DTCP_BLOB_BYTES,		/* u64: Transfer-Bytes */
	DTCP_BLOB_CSOURCE,		/* string, required up to format 5, then never */
	DTCP_BLOB_FROM,			/* the source's address: 4 or 16 bytes, absent if
					 * unknown (formats 3, 4: string, required) */
	DTCP_BLOB_DEST,			/* nested DTCP_BLOB_D_*, exactly n, in order (6: none
					 * if n is 1 and it is configured) */
	DTCP_BLOB_XPARAM,		/* nested DTCP_BLOB_X_*: an X- parameter */
	/* The filter parameters, raw values as strings, in the order sent. */
	DTCP_BLOB_P_FIRST,		/* Source-Address */
	DTCP_BLOB_P_LAST = DTCP_BLOB_P_FIRST + 6, /* ... Dest-Address, Protocol, Source-Port,
						   * Dest-Port, ICMP-Type, ICMP-Code */
	/*
	 * Format 6: Source-Address, Dest-Address whose raw value is an address
	 * (4 or 16 bytes) or a prefix (one byte more: its length) as inet_ntop()
	 * writes it, binary; never beside the same parameter as text.
	 */
	DTCP_BLOB_PA_FIRST,
	DTCP_BLOB_PA_LAST = DTCP_BLOB_PA_FIRST + 1,
	DTCP_BLOB_MAX = DTCP_BLOB_PA_LAST,
};

enum {
	DTCP_BLOB_D_NAME = 1,		/* string: the Cdest-ID, decoded; required up to
					 * format 5, then for request-defined ones only */
	DTCP_BLOB_D_KID,		/* u32: its kernel id; not for destination k */
	DTCP_BLOB_D_RDEST,		/* nested DTCP_BLOB_R_*: request-defined (all or none) */
	DTCP_BLOB_D_MAX = DTCP_BLOB_D_RDEST,
};

enum {					/* all required */
	DTCP_BLOB_R_ADDR = 1,		/* 4 or 16 bytes */
	DTCP_BLOB_R_SRC,		/* as long as the address */
	DTCP_BLOB_R_SPORT,		/* u16 */
	DTCP_BLOB_R_PORT,		/* u16, not 0 */
	DTCP_BLOB_R_TTL,		/* u8 */
	DTCP_BLOB_R_MAX = DTCP_BLOB_R_TTL,
};

enum {					/* both required */
	DTCP_BLOB_X_NAME = 1,		/* string: X-... */
	DTCP_BLOB_X_VALUE,		/* string: the raw value, maybe empty */
	DTCP_BLOB_X_MAX = DTCP_BLOB_X_VALUE,
};

/*
 * The blob of destination k of the criterion a describes. Its length;
 * -E2BIG if it exceeds size (at most DFC_CRIT_BLOB_MAX; unknown X-
 * parameters are left out while they do not fit); -EILSEQ if a text is
 * not UTF-8 (*bad: that parameter, if one is to blame).
 */
struct sockaddr;
int dtcp_add_blob(const struct dtcp_msg *m, const struct dtcp_add *a,
		  const struct sockaddr *from, uint64_t added_ms, unsigned int k, char *out,
		  size_t size, const struct dtcp_param **bad);

struct dtcp_blob {
	char csource[80];		/* "" from format 6: the owner's source */
	uint32_t id;
	unsigned int k, n;		/* this kernel criterion is destination k of n */
	char csource_addr[48];		/* "?" if unknown */
	uint64_t added_ms;
	char *cdests;			/* malloc'd: the Cdest-ID list as a DSTRING (dtcp_escape'd names,
					 * ','); NULL until dtcp_blob_own_names() if by_kid */
	bool by_kid;			/* format 6, configured: the kernel ids name the destinations */
	uint32_t t_idle, t_total;
	uint64_t t_packets, t_bytes;
	uint32_t cdest_kid[DTCP_MAX_DEST];
	bool request_dest;		/* rkd holds the destinations the request defined */
	struct dtcp_kdest rkd[DTCP_MAX_DEST];
};

/*
 * Read a blob back (format 6, 5, 4, 3 or 2). 0; -EINVAL if it is not a
 * dtcpd blob of any, or breaks any rule of its format (b is then empty);
 * -ENOMEM. From format 4, b->cdest_kid[b->k] is 0 until
 * dtcp_blob_own_kid() gives it; from format 5, b->id is 0 until
 * dtcp_blob_own_id() gives it; from format 6, b->csource is "" (the
 * kernel owner's source) and configured destinations have no name until
 * dtcp_blob_own_names() gives them.
 */
int dtcp_blob_parse(const void *blob, size_t len, struct dtcp_blob *b);
/*
 * The kernel id of the destination the criterion holding the blob copies
 * to: taken if the blob left it out and it is one of its kind (configured,
 * or request-defined), else it must equal the blob's. 0 or -EINVAL.
 */
int dtcp_blob_own_kid(struct dtcp_blob *b, uint32_t kid);
/*
 * The Criteria-ID and k of the kernel criterion holding the blob: taken
 * if the blob left the id out (format 5), else they must equal the
 * blob's; k always must. 0 or -EINVAL.
 */
int dtcp_blob_own_id(struct dtcp_blob *b, uint32_t id, unsigned int k);
/*
 * Format 6 names configured destinations by their kernel ids: name_of
 * gives the name of one (NULL: none), and b->cdests is built from them.
 * 0 (also for a blob that kept its names), -EINVAL (an id names none,
 * or two ids are one) or -ENOMEM. After dtcp_blob_own_kid().
 */
int dtcp_blob_own_names(struct dtcp_blob *b, const char *(*name_of)(uint32_t kid, void *data),
			void *data);
void dtcp_blob_free(struct dtcp_blob *b);
/* Does the blob come from some dtcpd (this format or an older one)? */
bool dtcp_blob_is_dtcpd(const void *blob, size_t len);

/* Each parameter the ADD carried (the filter, X-*), name and raw value, in order. */
typedef void (*dtcp_blob_line_cb)(const char *name, const char *value, void *data);
/* 0, or -EINVAL (not a valid blob: nothing was called). */
int dtcp_blob_lines(const char *blob, size_t len, dtcp_blob_line_cb cb, void *data);

#endif /* DTCP_BLOB_H */
