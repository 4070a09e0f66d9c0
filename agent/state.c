// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The state file's format, JSON through jansson (its two slots on disk:
 * state_file.c). See state.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "state.h"

#define FORMAT "dtcpd-state"
#define SEEN_HEX (DTCP_SEQ_RING / 4)

/*
 * Version 4 ends with the SHA-256 of every byte before this member, as
 * written: a slot overwritten in place and cut short (old and new bytes
 * mixed, in any order) never reads as a state.
 */
#define DIGEST_HEAD ",\n \"sha256\": \""
#define DIGEST_TAIL "\"\n}"
#define DIGEST_HEX (2 * 32)
#define DIGEST_LEN (sizeof(DIGEST_HEAD) - 1 + DIGEST_HEX + sizeof(DIGEST_TAIL) - 1)

/* The digest of len bytes at p, in lowercase hex; -1 if libcrypto failed. */
static int digest_hex(const void *p, size_t len, char out[DIGEST_HEX + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (!EVP_Digest(p, len, md, &n, EVP_sha256(), NULL) || n * 2 != DIGEST_HEX)
		return -1;
	dtcp_hex(md, n, out);
	return 0;
}

void dtcp_boot_id(char out[40])
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");

	out[0] = '\0';
	if (!f)
		return;
	if (fgets(out, 40, f))
		out[strcspn(out, "\n")] = '\0';
	fclose(f);
}

/* ---- writing ---- */

static json_t *u64_json(uint64_t v)
{
	char b[24];

	/* JSON readers round integers past 2^53: u64 values are decimal strings. */
	snprintf(b, sizeof(b), "%" PRIu64, v);
	return json_string(b);
}

static json_t *seq_json(const struct dtcp_seq *w)
{
	char hex[SEEN_HEX + 1];

	if (!w->have)
		return json_null();
	for (unsigned int i = 0; i < DTCP_SEQ_RING / 64; i++)
		snprintf(hex + 16 * i, 17, "%016" PRIx64, w->seen[i]);
	return json_pack("{s:o,s:s}", "max", u64_json(w->max), "seen", hex);
}

/*
 * jansson's text ("...\n}"), its last member the digest of what precedes
 * it, and a final newline.
 */
static char *with_digest(char *text)
{
	size_t len = strlen(text);
	char hex[DIGEST_HEX + 1], *out;

	if (len < 2 || memcmp(text + len - 2, "\n}", 2) ||
	    digest_hex(text, len - 2, hex) || !(out = realloc(text, len - 2 + DIGEST_LEN + 2))) {
		free(text);
		return NULL;
	}
	snprintf(out + len - 2, DIGEST_LEN + 2, "%s%s%s\n", DIGEST_HEAD, hex, DIGEST_TAIL);
	return out;
}

char *dtcp_state_format(const struct dtcp_state *st)
{
	json_t *srcs = json_array(), *o;
	char *text;

	for (unsigned int i = 0; srcs && i < st->n_src; i++)
		if (json_array_append_new(srcs, json_pack("{s:s,s:o}", "id", st->src[i].id,
							  "seq", seq_json(&st->src[i].seq)))) {
			json_decref(srcs);
			return NULL;
		}
	o = json_pack("{s:s,s:i,s:o,s:I,s:s,s:o,s:I,s:I,s:o}", "format", FORMAT,
		      "version", DTCP_STATE_VERSION, "generation", u64_json(st->generation),
		      "next_criteria_id", (json_int_t)st->next_id,
		      "boot_id", st->boot_id, "kernel_expired", u64_json(st->kexpired),
		      "criteria_static", (json_int_t)st->n_static,
		      "criteria_dynamic", (json_int_t)st->n_dynamic, "sources", srcs);
	if (!o)
		return NULL;
	text = json_dumps(o, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(o);
	return text ? with_digest(text) : NULL;
}

/* ---- reading ---- */

struct ctx {
	char *why;
	size_t whylen;
	json_int_t version;
	const char *buf;	/* the bytes parsed, for the digest */
	size_t len;
};

static int bad(struct ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(struct ctx *x, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(x->why, x->whylen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Exactly these members, each once (duplicates were refused by the decoder). */
static int members(struct ctx *x, const json_t *o, const char *where,
		   const char *const *names)
{
	const char *k;
	json_t *v;
	unsigned int n = 0;

	if (!json_is_object(o))
		return bad(x, "%s: not an object", where);
	json_object_foreach((json_t *)o, k, v) {
		unsigned int i;

		for (i = 0; names[i] && strcmp(names[i], k); i++)
			;
		if (!names[i])
			return bad(x, "%s: unknown member \"%.64s\"", where, k);
	}
	for (; names[n]; n++)
		if (!json_object_get(o, names[n]))
			return bad(x, "%s: \"%s\" is missing", where, names[n]);
	return 0;
}

static int get_u32(struct ctx *x, const json_t *o, const char *name, uint32_t lo, uint32_t *out)
{
	const json_t *v = json_object_get(o, name);
	json_int_t n;

	if (!json_is_integer(v))
		return bad(x, "%s: not an integer", name);
	n = json_integer_value(v);
	if (n < lo || n > UINT32_MAX)
		return bad(x, "%s: %" JSON_INTEGER_FORMAT " out of range", name, n);
	*out = (uint32_t)n;
	return 0;
}

/* A u64 as its decimal digits: no sign, no leading zero, no space. */
static int get_u64(struct ctx *x, const json_t *v, const char *where, uint64_t *out)
{
	const char *s = json_string_value(v);
	size_t len = s ? json_string_length(v) : 0;
	uint64_t n = 0;

	if (!s || !len || len > 20 || (s[0] == '0' && len > 1))
		return bad(x, "%s: not a decimal u64 string", where);
	for (size_t i = 0; i < len; i++) {
		unsigned int d = (unsigned char)s[i] - '0';

		if (d > 9 || n > (UINT64_MAX - d) / 10)
			return bad(x, "%s: not a decimal u64 string", where);
		n = n * 10 + d;
	}
	*out = n;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int get_seq(struct ctx *x, const json_t *o, unsigned int i, struct dtcp_seq *w)
{
	static const char *const names[] = { "max", "seen", NULL };
	const json_t *seen;
	const char *hex;
	char where[48];
	int err;

	dtcp_seq_reset(w);
	if (json_is_null(o))
		return 0; /* no authentic request yet */
	snprintf(where, sizeof(where), "sources[%u].seq", i);
	err = members(x, o, where, names);
	if (err)
		return err;
	snprintf(where, sizeof(where), "sources[%u].seq.max", i);
	err = get_u64(x, json_object_get(o, "max"), where, &w->max);
	if (err)
		return err;
	seen = json_object_get(o, "seen");
	hex = json_string_value(seen);
	if (!hex || json_string_length(seen) != SEEN_HEX)
		return bad(x, "sources[%u].seq.seen: not %u hex digits", i, SEEN_HEX);
	for (unsigned int k = 0; k < SEEN_HEX; k++) {
		int v = hexval(hex[k]);

		if (v < 0)
			return bad(x, "sources[%u].seq.seen: not %u lowercase hex digits", i,
				   SEEN_HEX);
		w->seen[k / 16] |= (uint64_t)v << (60 - 4 * (k % 16));
	}
	/*
	 * What dtcp_seq_accept() leaves: max seen, the slots above it clear.
	 * Version 2 files (written before it cleared the Seqs leaving the
	 * window) may have marks there, of Seqs more than 256 below max:
	 * they mean nothing, and go.
	 */
	if (!dtcp_seq_seen(w, w->max))
		return bad(x, "sources[%u].seq: max is not marked seen", i);
	for (uint64_t d = 1; d < DTCP_SEQ_RING - DTCP_SEQ_WINDOW; d++) {
		if (x->version == 2)
			dtcp_seq_mark(w, w->max + d, false);
		else if (dtcp_seq_seen(w, w->max + d))
			return bad(x, "sources[%u].seq: a Seq above max is marked seen", i);
	}
	w->have = true;
	return 0;
}

static int id_cmp(const void *a, const void *b)
{
	return strcmp(((const struct dtcp_state_src *)a)->id,
		      ((const struct dtcp_state_src *)b)->id);
}

static int get_sources(struct ctx *x, const json_t *a, struct dtcp_state *st)
{
	static const char *const names[] = { "id", "seq", NULL };
	struct dtcp_state_src *sorted;
	size_t n = json_array_size(a);
	int err = 0;

	if (!json_is_array(a))
		return bad(x, "sources: not an array");
	st->src = calloc(n ? n : 1, sizeof(*st->src));
	if (!st->src)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const json_t *o = json_array_get(a, i), *id;
		const char *s;
		char where[32];
		size_t len;

		snprintf(where, sizeof(where), "sources[%zu]", i);
		err = members(x, o, where, names);
		if (err)
			return err;
		id = json_object_get(o, "id");
		s = json_string_value(id);
		len = s ? json_string_length(id) : 0;
		if (!len || len > DTCP_STATE_ID_MAX)
			return bad(x, "sources[%zu].id: not a string of 1..%u bytes", i,
				   DTCP_STATE_ID_MAX);
		for (size_t k = 0; k < len; k++)
			if ((unsigned char)s[k] < 0x20 || s[k] == 0x7f)
				return bad(x, "sources[%zu].id: control character", i);
		st->src[i].id = strdup(s);
		if (!st->src[i].id)
			return -ENOMEM;
		st->n_src = i + 1;
		err = get_seq(x, json_object_get(o, "seq"), i, &st->src[i].seq);
		if (err)
			return err;
	}
	/* One window per source: a second entry for an id is an error. */
	sorted = malloc((n ? n : 1) * sizeof(*sorted));
	if (!sorted)
		return -ENOMEM;
	memcpy(sorted, st->src, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), id_cmp);
	for (size_t i = 1; i < n && !err; i++)
		if (!strcmp(sorted[i - 1].id, sorted[i].id))
			err = bad(x, "sources: \"%.64s\" appears twice", sorted[i].id);
	free(sorted);
	return err;
}

/* The last member, as written (a final newline after it), and its digest right. */
static int check_digest(struct ctx *x, const json_t *d)
{
	size_t n = x->len - (x->len && x->buf[x->len - 1] == '\n');
	const char *hex = json_string_value(d), *at = x->buf + (n < DIGEST_LEN ? 0 : n - DIGEST_LEN);
	char want[DIGEST_HEX + 1];

	if (!hex || json_string_length(d) != DIGEST_HEX || n < DIGEST_LEN ||
	    memcmp(at, DIGEST_HEAD, sizeof(DIGEST_HEAD) - 1) ||
	    memcmp(at + sizeof(DIGEST_HEAD) - 1, hex, DIGEST_HEX) ||
	    memcmp(x->buf + n - (sizeof(DIGEST_TAIL) - 1), DIGEST_TAIL, sizeof(DIGEST_TAIL) - 1))
		return bad(x, "sha256: not the last member, as dtcpd writes it");
	if (digest_hex(x->buf, at - x->buf, want))
		return bad(x, "sha256: libcrypto failed");
	if (strcmp(want, hex))
		return bad(x, "sha256: does not match the file (a write cut short?)");
	return 0;
}

static int parse_top(struct ctx *x, const json_t *o, struct dtcp_state *st)
{
	/* Version 4 adds the generation; 2 and 3 were written whole, once (1). */
	static const char *const names[] = { "format", "version", "generation",
		"next_criteria_id", "boot_id", "kernel_expired", "criteria_static",
		"criteria_dynamic", "sources", "sha256", NULL };
	static const char *const names_3[] = { "format", "version", "next_criteria_id", "boot_id",
		"kernel_expired", "criteria_static", "criteria_dynamic", "sources", NULL };
	const json_t *ver = json_object_get(o, "version"), *bj;
	const char *fmt, *boot;
	json_int_t v;
	size_t blen;
	int err;

	if (!json_is_object(o))
		return bad(x, "the state: not an object");
	fmt = json_string_value(json_object_get(o, "format"));
	if (!fmt || strcmp(fmt, FORMAT))
		return bad(x, "format: not \"" FORMAT "\"");
	/* 2: the same fields as 3; its Seq windows are read as their writer left them. */
	v = json_is_integer(ver) ? json_integer_value(ver) : 0;
	if (v != DTCP_STATE_VERSION && v != 3 && v != 2)
		return bad(x, "version: not 2, 3 or %d", DTCP_STATE_VERSION);
	x->version = v;
	err = members(x, o, "the state", v == DTCP_STATE_VERSION ? names : names_3);
	if (err)
		return err;
	st->generation = 1;
	if (v == DTCP_STATE_VERSION) {
		err = check_digest(x, json_object_get(o, "sha256")) ?:
		      get_u64(x, json_object_get(o, "generation"), "generation", &st->generation);
		if (err)
			return err;
		if (!st->generation)
			return bad(x, "generation: 0 out of range");
	}
	err = get_u32(x, o, "next_criteria_id", 1, &st->next_id);
	if (err)
		return err;
	bj = json_object_get(o, "boot_id");
	boot = json_string_value(bj);
	blen = boot ? json_string_length(bj) : 0;
	if (!boot || blen >= sizeof(st->boot_id) || strspn(boot, "0123456789abcdef-") != blen)
		return bad(x, "boot_id: not a boot id");
	memcpy(st->boot_id, boot, blen + 1);
	err = get_u64(x, json_object_get(o, "kernel_expired"), "kernel_expired", &st->kexpired) ?:
	      get_u32(x, o, "criteria_static", 0, &st->n_static) ?:
	      get_u32(x, o, "criteria_dynamic", 0, &st->n_dynamic);
	if (err)
		return err;
	return get_sources(x, json_object_get(o, "sources"), st);
}

int dtcp_state_parse(const void *buf, size_t len, struct dtcp_state *st, char *why,
		     size_t whylen)
{
	struct ctx x = { why, whylen, 0, buf, len };
	json_error_t jerr;
	json_t *o;
	int err;

	memset(st, 0, sizeof(*st));
	st->next_id = 1;
	if (whylen)
		why[0] = '\0';
	if (len > DTCP_STATE_MAX_BYTES)
		return bad(&x, "larger than %u bytes", DTCP_STATE_MAX_BYTES);
	o = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!o)
		return bad(&x, "line %d: %s", jerr.line, jerr.text);
	err = parse_top(&x, o, st);
	json_decref(o);
	if (err) {
		dtcp_state_free(st);
		st->next_id = 1;
		if (err == -ENOMEM)
			bad(&x, "out of memory");
	}
	return err;
}

void dtcp_state_free(struct dtcp_state *st)
{
	for (unsigned int i = 0; i < st->n_src; i++)
		free(st->src[i].id);
	free(st->src);
	st->src = NULL;
	st->n_src = 0;
}
