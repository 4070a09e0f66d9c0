// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Format 2 of the blob, read only: a criterion's DTCP form as one JSON
 * object, as dtcpd wrote it before format 3 (blob.c). Criteria a running
 * kernel holds from then survive an upgrade. docs/dtcpd.md lists the
 * members.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "blob.h"
#include "blob_priv.h"

static bool text_ok(const json_t *v, size_t max)
{
	const char *s = json_string_value(v);

	return s && dtcp_blob_text_ok(s, json_string_length(v), max);
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
	const char *dnames[DTCP_MAX_DEST];

	if (!only(r, names) || json_object_size(r) != 16u + !!rdest ||
	    !int_in(json_object_get(r, "dtcpd"), 2, 2, &v[0]) ||
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
	/* flags (v[5]) and prio (v[6]) are checked; the kernel's are used. */
	b->t_idle = v[7];
	b->t_total = v[8];
	snprintf(b->csource, sizeof(b->csource), "%s", json_string_value(json_object_get(r, "csource")));
	snprintf(b->csource_addr, sizeof(b->csource_addr), "%s",
		 json_string_value(json_object_get(r, "from")));
	b->request_dest = rdest != NULL;
	for (unsigned int i = 0; i < b->n; i++) {
		json_int_t k;

		if (!int_in(json_array_get(kid, i), 1, UINT32_MAX, &k) ||
		    !dtcp_blob_kid_ok(b, (uint32_t)k) ||
		    !text_ok(json_array_get(cdest, i), 79) ||
		    (rdest && kdest_parse(json_array_get(rdest, i), &b->rkd[i])))
			return -EINVAL;
		b->cdest_kid[i] = k;
		b->rkd[i].kid = b->request_dest ? k : 0;
		if (b->request_dest)
			snprintf(b->rkd[i].name, sizeof(b->rkd[i].name), "%.31s",
				 json_string_value(json_array_get(cdest, i)));
		dnames[i] = json_string_value(json_array_get(cdest, i));
	}
	if (b->n == 2 && json_equal(json_array_get(cdest, 0), json_array_get(cdest, 1)))
		return -EINVAL;
	for (size_t i = 0; i < json_array_size(params); i++)
		if (!param_ok(json_array_get(params, i)))
			return -EINVAL;
	return dtcp_blob_cdests_join(b, dnames);
}

int dtcp_blob_v2_read(const void *blob, size_t len, struct dtcp_blob *b,
		      dtcp_blob_line_cb cb, void *data)
{
	json_t *root = load(blob, len), *params;
	int err;

	if (!root)
		return -EINVAL;
	err = parse(root, b);
	if (!err && cb) {
		params = json_object_get(root, "params");
		for (size_t i = 0; i < json_array_size(params); i++)
			cb(json_string_value(json_array_get(json_array_get(params, i), 0)),
			   json_string_value(json_array_get(json_array_get(params, i), 1)), data);
	}
	json_decref(root);
	return err;
}
