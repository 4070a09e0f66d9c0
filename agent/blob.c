// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The blob: a criterion's DTCP form as one JSON object. See blob.h; the
 * members are listed in docs/dtcpd.md ("The blob is hostile text").
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <jansson.h>

#include "blob.h"

static bool text_ok(const json_t *v, size_t max);
static bool param_ok(const json_t *p);

/* ---- writing ---- */

static int set_str(json_t *o, const char *key, const char *s)
{
	json_t *v = json_string(s);	/* NULL unless UTF-8 */

	return v ? json_object_set_new(o, key, v) : -EILSEQ;
}

static int set_int(json_t *o, const char *key, json_int_t n)
{
	return json_object_set_new(o, key, json_integer(n)) ? -ENOMEM : 0;
}

/* 64-bit counts as decimal strings: a JSON integer here is signed. */
static int set_u64(json_t *o, const char *key, uint64_t n)
{
	char s[24];

	snprintf(s, sizeof(s), "%" PRIu64, n);
	return set_str(o, key, s);
}

static json_t *kdest_json(const struct dtcp_kdest *d)
{
	char addr[INET6_ADDRSTRLEN], src[INET6_ADDRSTRLEN];
	json_t *o;

	if (!inet_ntop(d->family, d->addr, addr, sizeof(addr)) ||
	    !inet_ntop(d->family, d->src, src, sizeof(src)))
		return NULL;
	o = json_pack("{s:i, s:s, s:s, s:i, s:i, s:i}", "family", d->family == AF_INET ? 4 : 6,
		      "address", addr, "source", src, "source-port", (int)d->sport,
		      "port", (int)d->dport, "ttl", (int)d->ttl);
	return o;
}

/* ["Name", "raw value"]; NULL if either is not UTF-8. */
static json_t *param_json(const char *name, const char *raw)
{
	return json_pack("[s, s]", name, raw);
}

/* Bytes o takes written compactly. */
static size_t dumped(const json_t *o)
{
	return json_dumpb(o, NULL, 0, JSON_COMPACT);
}

static int add_params(json_t *params, const struct dtcp_msg *m, size_t size, json_t *root,
		      const struct dtcp_param **bad)
{
	static const char *const keep[] = { "Source-Address", "Dest-Address", "Protocol",
		"Source-Port", "Dest-Port", "ICMP-Type", "ICMP-Code", NULL };

	/* The filter as given (first occurrence of each), then the X- parameters. */
	for (int pass = 0; pass < 2; pass++) {
		for (unsigned int i = 0; i < m->n; i++) {
			const struct dtcp_param *p = &m->p[i];
			const char *c = dtcp_param_canon(p->name);
			bool want = false;
			json_t *j;

			if (dtcp_msg_get(m, p->name) != p)
				continue;
			if (pass == 0)
				for (const char *const *kp = keep; *kp && !want; kp++)
					want = c && !strcmp(c, *kp);
			else
				want = !strncasecmp(p->name, "X-", 2);
			if (!want)
				continue;
			j = param_json(c ? c : p->name, p->raw);
			/* What the reader would refuse is never written. */
			if (!j || !param_ok(j)) {
				json_decref(j);
				if (pass == 1 && !c)
					continue; /* an unknown extension: dropped */
				*bad = p;
				return -EILSEQ;
			}
			if (json_array_append_new(params, j))
				return -ENOMEM;
			/* Unknown X- parameters are kept only while they fit; ours must. */
			if (pass == 1 && !c && dumped(root) > size)
				json_array_remove(params, json_array_size(params) - 1);
		}
	}
	return 0;
}

int dtcp_add_blob(const struct dtcp_msg *m, const struct dtcp_add *a, const char *csource,
		  const char *from, uint32_t id, uint64_t added_ms, unsigned int k,
		  char *out, size_t size, const struct dtcp_param **bad)
{
	json_t *root = json_object(), *cdest = json_array(), *kid = json_array();
	json_t *params = json_array(), *rdest = NULL;
	size_t len;
	int err = -ENOMEM;

	*bad = NULL;
	if (size > DFC_CRIT_BLOB_MAX)
		size = DFC_CRIT_BLOB_MAX;
	if (!root || !cdest || !kid || !params)
		goto out;
	for (unsigned int i = 0; i < a->n_dest; i++) {
		if (json_array_append_new(kid, json_integer(a->cdest_kid[i])))
			goto out;
		json_t *name = json_string(a->dest_names[i]);

		if (!name || !text_ok(name, 79) || json_array_append_new(cdest, name)) {
			json_decref(name);
			*bad = a->cdest_param;
			err = -EILSEQ;
			goto out;
		}
	}
	if (a->request_dest) {
		rdest = json_array();
		for (unsigned int i = 0; rdest && i < a->n_dest; i++)
			if (json_array_append_new(rdest, kdest_json(&a->kd[i])))
				goto out;
		if (!rdest)
			goto out;
	}
	if (set_int(root, "dtcpd", DTCP_BLOB_VERSION) || set_int(root, "id", id) ||
	    set_int(root, "k", k) || set_int(root, "n", a->n_dest) ||
	    set_int(root, "added", (json_int_t)added_ms) || set_int(root, "flags", a->flags) ||
	    set_int(root, "prio", a->prio) || set_int(root, "idle", a->t_idle) ||
	    set_int(root, "total", a->t_total))
		goto out;
	err = set_str(root, "csource", csource) ?: set_str(root, "from", from) ?:
	      set_u64(root, "packets", a->t_packets) ?: set_u64(root, "bytes", a->t_bytes);
	if (err)
		goto out;
	err = -ENOMEM;
	if (json_object_set(root, "cdest", cdest) || json_object_set(root, "kid", kid) ||
	    (rdest && json_object_set(root, "rdest", rdest)) ||
	    json_object_set(root, "params", params))
		goto out;
	err = add_params(params, m, size, root, bad);
	if (err)
		goto out;
	/* One pass: json_dumpb() says the whole length even when it did not fit. */
	len = json_dumpb(root, out, size, JSON_COMPACT);
	err = !len ? -ENOMEM : len > size ? -E2BIG : (int)len;
out:
	json_decref(cdest);
	json_decref(kid);
	json_decref(params);
	json_decref(rdest);
	json_decref(root);
	return err;
}

/* ---- reading ---- */

bool dtcp_blob_is_dtcpd(const void *blob, size_t len)
{
	static const char v1[] = "dtcpd ", v2[] = "{\"dtcpd\":";

	return blob && ((len >= sizeof(v1) - 1 && !memcmp(blob, v1, sizeof(v1) - 1)) ||
			(len >= sizeof(v2) - 1 && !memcmp(blob, v2, sizeof(v2) - 1)));
}

/* Text another format may carry: no control characters, 1..max bytes. */
static bool text_ok(const json_t *v, size_t max)
{
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);

	if (!s || !n || n > max || strlen(s) != n)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

static bool int_in(const json_t *v, json_int_t lo, json_int_t hi, json_int_t *out)
{
	if (!json_is_integer(v))
		return false;
	*out = json_integer_value(v);
	return *out >= lo && *out <= hi;
}

static bool u64_of(const json_t *v, uint64_t *out)
{
	return text_ok(v, 20) && !dtcp_parse_u64(json_string_value(v), UINT64_MAX, out);
}

/* Every member of o is one of names (each at most once: the loader saw to that). */
static bool only(const json_t *o, const char *const *names)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)o, key, v) {
		const char *const *n = names;

		while (*n && strcmp(*n, key))
			n++;
		if (!*n)
			return false;
	}
	return true;
}

static int kdest_parse(const json_t *o, struct dtcp_kdest *d)
{
	static const char *const names[] = { "family", "address", "source", "source-port",
					     "port", "ttl", NULL };
	json_int_t fam, sport, dport, ttl;

	memset(d, 0, sizeof(*d));
	if (!json_is_object(o) || json_object_size(o) != 6 || !only(o, names) ||
	    !int_in(json_object_get(o, "family"), 4, 6, &fam) || fam == 5 ||
	    !int_in(json_object_get(o, "source-port"), 0, 65535, &sport) ||
	    !int_in(json_object_get(o, "port"), 1, 65535, &dport) ||
	    !int_in(json_object_get(o, "ttl"), 0, 255, &ttl) ||
	    !text_ok(json_object_get(o, "address"), INET6_ADDRSTRLEN - 1) ||
	    !text_ok(json_object_get(o, "source"), INET6_ADDRSTRLEN - 1))
		return -EINVAL;
	d->family = fam == 4 ? AF_INET : AF_INET6;
	if (inet_pton(d->family, json_string_value(json_object_get(o, "address")), d->addr) != 1 ||
	    inet_pton(d->family, json_string_value(json_object_get(o, "source")), d->src) != 1)
		return -EINVAL;
	d->encap = DFC_ENCAP_UDP;
	d->has_src = true;
	d->sport = sport;
	d->dport = dport;
	d->ttl = ttl;
	return 0;
}

/* A parameter: ["Name", "value"], a name as DTCP spells one. */
static bool param_ok(const json_t *p)
{
	const char *name;

	if (!json_is_array(p) || json_array_size(p) != 2 || !text_ok(json_array_get(p, 0), 63) ||
	    !json_is_string(json_array_get(p, 1)) || (json_string_length(json_array_get(p, 1)) &&
						      !text_ok(json_array_get(p, 1), DFC_CRIT_BLOB_MAX)))
		return false;
	for (name = json_string_value(json_array_get(p, 0)); *name; name++)
		if (*name == ' ' || *name == ':' || (unsigned char)*name > 0x7e)
			return false;
	return true;
}

static json_t *load(const void *blob, size_t len)
{
	json_t *root;

	if (!blob || len > DFC_CRIT_BLOB_MAX || !len || ((const char *)blob)[0] != '{')
		return NULL;
	root = json_loadb(blob, len, JSON_REJECT_DUPLICATES, NULL);
	if (root && !json_is_object(root)) {
		json_decref(root);
		root = NULL;
	}
	return root;
}

static int parse(const json_t *r, struct dtcp_blob *b)
{
	static const char *const names[] = { "dtcpd", "id", "k", "n", "added", "flags", "prio",
		"idle", "total", "csource", "from", "packets", "bytes", "cdest", "kid", "rdest",
		"params", NULL };
	const json_t *cdest = json_object_get(r, "cdest"), *kid = json_object_get(r, "kid");
	const json_t *rdest = json_object_get(r, "rdest"), *params = json_object_get(r, "params");
	json_int_t v[9];
	size_t joined = 0;

	if (!only(r, names) || json_object_size(r) != 16u + !!rdest ||
	    !int_in(json_object_get(r, "dtcpd"), DTCP_BLOB_VERSION, DTCP_BLOB_VERSION, &v[0]) ||
	    !int_in(json_object_get(r, "id"), 1, UINT32_MAX, &v[1]) ||
	    !int_in(json_object_get(r, "n"), 1, DTCP_MAX_DEST, &v[3]) ||
	    !int_in(json_object_get(r, "k"), 0, v[3] - 1, &v[2]) ||
	    !int_in(json_object_get(r, "added"), 0, INT64_MAX, &v[4]) ||
	    !int_in(json_object_get(r, "flags"), 0, __DFC_CRIT_F_ALL, &v[5]) ||
	    !int_in(json_object_get(r, "prio"), 0, UINT32_MAX, &v[6]) ||
	    !int_in(json_object_get(r, "idle"), 0, DFC_TIMEOUT_MAX, &v[7]) ||
	    !int_in(json_object_get(r, "total"), 0, DFC_TIMEOUT_MAX, &v[8]) ||
	    !text_ok(json_object_get(r, "csource"), sizeof(b->csource) - 1) ||
	    !text_ok(json_object_get(r, "from"), sizeof(b->csource_addr) - 1) ||
	    !u64_of(json_object_get(r, "packets"), &b->t_packets) ||
	    !u64_of(json_object_get(r, "bytes"), &b->t_bytes) ||
	    !json_is_array(cdest) || json_array_size(cdest) != (size_t)v[3] ||
	    !json_is_array(kid) || json_array_size(kid) != (size_t)v[3] ||
	    (rdest && (!json_is_array(rdest) || json_array_size(rdest) != (size_t)v[3])) ||
	    !json_is_array(params))
		return -EINVAL;
	b->id = v[1];
	b->k = v[2];
	b->n = v[3];
	b->added_ms = v[4];
	b->flags = v[5];
	b->prio = v[6];
	b->t_idle = v[7];
	b->t_total = v[8];
	snprintf(b->csource, sizeof(b->csource), "%s", json_string_value(json_object_get(r, "csource")));
	snprintf(b->csource_addr, sizeof(b->csource_addr), "%s",
		 json_string_value(json_object_get(r, "from")));
	/* Request-defined destinations have kernel ids with the top bit set, configured ones not. */
	b->request_dest = rdest != NULL;
	for (unsigned int i = 0; i < b->n; i++) {
		json_int_t k;

		if (!int_in(json_array_get(kid, i), b->request_dest ? 0x80000001 : 1,
			    b->request_dest ? UINT32_MAX : 0x7fffffff, &k) ||
		    !text_ok(json_array_get(cdest, i), 79) ||
		    (rdest && kdest_parse(json_array_get(rdest, i), &b->rkd[i])))
			return -EINVAL;
		b->cdest_kid[i] = k;
		b->rkd[i].kid = b->request_dest ? k : 0;
		if (b->request_dest)
			snprintf(b->rkd[i].name, sizeof(b->rkd[i].name), "%.31s",
				 json_string_value(json_array_get(cdest, i)));
		joined += dtcp_escape(NULL, 0, json_string_value(json_array_get(cdest, i))) + 1;
	}
	if (b->n == 2 && json_equal(json_array_get(cdest, 0), json_array_get(cdest, 1)))
		return -EINVAL;
	for (size_t i = 0; i < json_array_size(params); i++)
		if (!param_ok(json_array_get(params, i)))
			return -EINVAL;
	b->cdests = malloc(joined);
	if (!b->cdests)
		return -ENOMEM;
	/* A DSTRING list, like the Cdest-ID line it came from (names may hold commas). */
	for (unsigned int i = 0, o = 0; i < b->n; i++) {
		if (i)
			b->cdests[o++] = ',';
		o += dtcp_escape(b->cdests + o, joined - o,
				 json_string_value(json_array_get(cdest, i)));
	}
	return 0;
}

int dtcp_blob_parse(const void *blob, size_t len, struct dtcp_blob *b)
{
	json_t *root = load(blob, len);
	int err;

	memset(b, 0, sizeof(*b));
	if (!root)
		return -EINVAL;
	err = parse(root, b);
	json_decref(root);
	if (err) {
		dtcp_blob_free(b);
		memset(b, 0, sizeof(*b));
		return err == -ENOMEM ? err : -EINVAL;
	}
	return 0;
}

void dtcp_blob_free(struct dtcp_blob *b)
{
	free(b->cdests);
	b->cdests = NULL;
}

int dtcp_blob_lines(const char *blob, size_t len, dtcp_blob_line_cb cb, void *data)
{
	struct dtcp_blob b = { 0 };
	json_t *root = load(blob, len), *params;
	int err = -EINVAL;

	/* The whole blob is checked first: LIST shows nothing from a bad one. */
	if (root && !parse(root, &b)) {
		params = json_object_get(root, "params");
		for (size_t i = 0; i < json_array_size(params); i++)
			cb(json_string_value(json_array_get(json_array_get(params, i), 0)),
			   json_string_value(json_array_get(json_array_get(params, i), 1)), data);
		err = 0;
	}
	dtcp_blob_free(&b);
	json_decref(root);
	return err;
}
