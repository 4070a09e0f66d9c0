// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * HMAC and sequence window. See auth.h.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "auth.h"
#include "msg.h"

/*
 * One HMAC-SHA1 context, kept keyed. OpenSSL's one-shot HMAC() fetches
 * the algorithm, builds a context and derives the key's pads on every
 * call: more than half of what one signature costs. Messages come in runs
 * under one key (a source's requests, their answers), so the context keeps
 * the last key and is only reset between messages; another key rekeys it.
 * dtcpd and dtcpc are single-threaded.
 */
static struct {
	EVP_MAC *mac;
	EVP_MAC_CTX *ctx;
	unsigned char *key;	/* the key ctx holds (a copy, cleared when dropped) */
	size_t key_len;
	bool keyed;		/* ctx holds key and is sound */
} hm;

void dtcp_hmac_reset(void)
{
	EVP_MAC_CTX_free(hm.ctx);
	EVP_MAC_free(hm.mac);
	OPENSSL_clear_free(hm.key, hm.key_len);
	memset(&hm, 0, sizeof(hm));
}

static int hmac_key(const void *key, size_t key_len)
{
	static const unsigned char empty;
	char digest[] = "SHA1";
	OSSL_PARAM p[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
		OSSL_PARAM_construct_end(),
	};

	if (hm.keyed && key_len == hm.key_len && !CRYPTO_memcmp(key, hm.key, key_len))
		return EVP_MAC_init(hm.ctx, NULL, 0, NULL) ? 0 : -1;
	hm.keyed = false;
	OPENSSL_clear_free(hm.key, hm.key_len);
	hm.key = NULL;
	hm.key_len = 0;
	if (!hm.mac)
		hm.mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (hm.mac && !hm.ctx)
		hm.ctx = EVP_MAC_CTX_new(hm.mac);
	if (!hm.ctx)
		return -1;
	/* OpenSSL wants a non-NULL key pointer even for an empty key. */
	hm.key = OPENSSL_memdup(key_len ? key : &empty, key_len ? key_len : 1);
	if (!hm.key)
		return -1;
	hm.key_len = key_len;	/* from here on, the copy is cleared when dropped */
	if (!EVP_MAC_init(hm.ctx, hm.key, key_len, p))
		return -1;
	hm.keyed = true;
	return 0;
}

/* 0, or -1 if libcrypto failed: then out means nothing and must not be used. */
static int hmac(const void *key, size_t key_len, const void *data, size_t len,
		unsigned char out[DTCP_SHA1_LEN])
{
	size_t olen = 0;

	if (hmac_key(key, key_len) || (len && !EVP_MAC_update(hm.ctx, data, len)) ||
	    !EVP_MAC_final(hm.ctx, out, &olen, DTCP_SHA1_LEN) || olen != DTCP_SHA1_LEN) {
		/* Whatever state it was left in, the next message starts afresh. */
		hm.keyed = false;
		return -1;
	}
	return 0;
}

void dtcp_hex(const void *data, size_t len, char *out)
{
	static const char hexd[] = "0123456789abcdef";
	const unsigned char *d = data;

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = hexd[d[i] >> 4];
		out[2 * i + 1] = hexd[d[i] & 15];
	}
	out[2 * len] = '\0';
}

int dtcp_hmac_hex(const void *key, size_t key_len, const void *data, size_t len,
		  char out[41])
{
	unsigned char d[DTCP_SHA1_LEN];

	out[0] = '\0';
	if (hmac(key, key_len, data, len, d))
		return -1;
	dtcp_hex(d, DTCP_SHA1_LEN, out);
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

bool dtcp_hmac_verify(const void *key, size_t key_len, const void *data, size_t len,
		      const char *hex)
{
	unsigned char want[DTCP_SHA1_LEN], got[DTCP_SHA1_LEN];

	if (!hex || strlen(hex) != 2 * DTCP_SHA1_LEN)
		return false;
	for (int i = 0; i < DTCP_SHA1_LEN; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		want[i] = hi << 4 | lo;
	}
	/* A crypto failure rejects: nothing is compared with a digest never computed. */
	if (hmac(key, key_len, data, len, got))
		return false;
	return !CRYPTO_memcmp(want, got, DTCP_SHA1_LEN);
}

/* ---- sequence window ---- */

bool dtcp_seq_seen(const struct dtcp_seq *w, uint64_t s)
{
	unsigned int b = s % DTCP_SEQ_RING;

	return w->seen[b / 64] >> (b % 64) & 1;
}

void dtcp_seq_mark(struct dtcp_seq *w, uint64_t s, bool on)
{
	unsigned int b = s % DTCP_SEQ_RING;

	if (on)
		w->seen[b / 64] |= 1ULL << (b % 64);
	else
		w->seen[b / 64] &= ~(1ULL << (b % 64));
}

enum dtcp_seq_verdict dtcp_seq_check(const struct dtcp_seq *w, uint64_t s)
{
	/* Distance in the 2^64 circle: a wrap past zero reads as a small step. */
	int64_t d = (int64_t)(s - w->max);

	if (!w->have)
		return DTCP_SEQ_OK; /* the first authentic message sets the baseline */
	if (d >= 1 && d <= DTCP_SEQ_WINDOW)
		return DTCP_SEQ_OK;
	if (d >= -DTCP_SEQ_WINDOW && d <= 0)
		return d == 0 || dtcp_seq_seen(w, s) ? DTCP_SEQ_REPLAY : DTCP_SEQ_OK;
	return DTCP_SEQ_OUTSIDE;
}

/*
 * A Seq that leaves the window [max - 256, max] as max moves up has its
 * slot cleared: only Seqs in the window are marked, so the slot of any s
 * in it tells exactly whether s was seen, and every slot above max is
 * clear (what the state file keeps, and its loader checks).
 */
bool dtcp_seq_accept(struct dtcp_seq *w, uint64_t s)
{
	int64_t d = (int64_t)(s - w->max);
	bool rolled = false;

	if (!w->have) {
		dtcp_seq_reset(w);
		w->have = true;
		w->max = s;
	} else if (d > 0) {
		/* check() allowed at most DTCP_SEQ_WINDOW: d Seqs leave from the bottom. */
		for (int64_t k = 0; k < d && k < DTCP_SEQ_RING; k++)
			dtcp_seq_mark(w, w->max - DTCP_SEQ_WINDOW + (uint64_t)k, false);
		/* Legal only from a max with its top bit set: check() saw to that. */
		rolled = s < w->max;
		w->max = s;
	}
	dtcp_seq_mark(w, s, true);
	return rolled;
}

void dtcp_seq_reset(struct dtcp_seq *w)
{
	memset(w, 0, sizeof(*w));
}
