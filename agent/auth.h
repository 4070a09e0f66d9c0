/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * DTCP security (draft-cavuto-dtcp-03 §4.4; docs/dtcp.md §6): the
 * HMAC-SHA1 authenticator over the raw bytes, the per-source 64-bit
 * sequence window (+256 / -256 around the highest Seq seen, with a
 * seen-bitmap so nothing in the window is accepted twice); agent/state.h
 * keeps the windows across restarts. No sockets: unit-tested directly.
 */
#ifndef DTCP_AUTH_H
#define DTCP_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DTCP_SHA1_LEN 20

/* len bytes of data in lowercase hex into out (2 * len + 1 bytes, NUL-terminated). */
void dtcp_hex(const void *data, size_t len, char *out);
/*
 * HMAC-SHA1 (OpenSSL libcrypto) of data under key; out: 40 lowercase hex
 * + NUL. 0, or -1 if libcrypto failed (out is then "").
 */
int dtcp_hmac_hex(const void *key, size_t key_len, const void *data, size_t len,
		  char out[41]);
/*
 * Does hex (40 hex digits, either case) authenticate data under key?
 * Constant time in the digest comparison; false if libcrypto fails.
 */
bool dtcp_hmac_verify(const void *key, size_t key_len, const void *data, size_t len,
		      const char *hex);
/*
 * Drop the keyed context both keep (and its copy of the key): the next
 * HMAC builds it anew from libcrypto. For a reload, when keys may change.
 */
void dtcp_hmac_reset(void);

/* ---- sequence window ---- */

#define DTCP_SEQ_WINDOW 256
#define DTCP_SEQ_RING 512	/* bits: slot s % 512 tells whether s was seen */

struct dtcp_seq {
	bool have;		/* false until the first authentic message (the baseline) */
	uint64_t max;		/* highest Seq accepted */
	uint64_t seen[DTCP_SEQ_RING / 64];
};

enum dtcp_seq_verdict {
	DTCP_SEQ_OK,
	DTCP_SEQ_REPLAY,	/* inside the window, already seen (or == max) */
	DTCP_SEQ_OUTSIDE,	/* more than 256 above or below max */
};

/* Would s be accepted? Changes nothing (run it after the HMAC check). */
enum dtcp_seq_verdict dtcp_seq_check(const struct dtcp_seq *w, uint64_t s);
/*
 * Record s, which dtcp_seq_check() accepted, once the message is known
 * authentic. Returns true if the window rolled over past 2^64 - 1 (the
 * server then sends a Rollover notification).
 */
bool dtcp_seq_accept(struct dtcp_seq *w, uint64_t s);
void dtcp_seq_reset(struct dtcp_seq *w);
/* The ring itself (slot s % DTCP_SEQ_RING), for the state file's loader. */
bool dtcp_seq_seen(const struct dtcp_seq *w, uint64_t s);
void dtcp_seq_mark(struct dtcp_seq *w, uint64_t s, bool on);

#endif /* DTCP_AUTH_H */
