// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The blob, format 6: a criterion's DTCP form as netlink attributes
 * (libmnl) after a 4-byte magic and the time added (blob_write.c writes
 * it). Read here as strictly as any input: every attribute known, of its
 * exact length, at most once (DESTs: exactly n), in-range numbers, texts
 * without control characters, nothing after the last attribute. Formats
 * 5 (with the control source's and configured destinations' names, the
 * time added an attribute, filter addresses as text), 4 (5 with the
 * Criteria-ID, k and the source's address as text), 3 (4 with the own
 * destination's kernel id) and 2 (JSON, blob_v2.c) are still read. The
 * attributes are listed in blob.h and docs/dtcpd.md.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <libmnl/libmnl.h>

#include "blob.h"
#include "blob_priv.h"

const char dtcp_blob_magic[4] = { 'd', 't', 'c', DTCP_BLOB_VERSION };

/* The filter parameters, in the order of their attributes (DTCP_BLOB_P_*). */
const enum dtcp_pid dtcp_blob_filter_ids[DTCP_BLOB_N_FILTER] = {
	DTCP_P_SOURCE_ADDRESS, DTCP_P_DEST_ADDRESS, DTCP_P_PROTOCOL, DTCP_P_SOURCE_PORT,
	DTCP_P_DEST_PORT, DTCP_P_ICMP_TYPE, DTCP_P_ICMP_CODE,
};

bool dtcp_blob_text_ok(const char *s, size_t n, size_t max)
{
	if (!n || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

/* A parameter name as DTCP spells one: visible, no ':'. */
bool dtcp_blob_pname_ok(const char *s, size_t n)
{
	if (!dtcp_blob_text_ok(s, n, 63))
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] == ' ' || s[i] == ':' || (unsigned char)s[i] > 0x7e)
			return false;
	return true;
}

/* A raw value: empty, or text. */
bool dtcp_blob_pvalue_ok(const char *s)
{
	size_t n = strlen(s);

	return !n || dtcp_blob_text_ok(s, n, DFC_CRIT_BLOB_MAX);
}

const char *dtcp_blob_addr_text(const uint8_t *p, size_t len, char out[INET6_ADDRSTRLEN + 4])
{
	size_t alen = len >= 16 ? 16 : 4;

	if ((len != alen && len != alen + 1) || (len > alen && p[alen] > alen * 8) ||
	    !inet_ntop(alen == 4 ? AF_INET : AF_INET6, p, out, INET6_ADDRSTRLEN))
		return NULL;
	if (len > alen)
		snprintf(out + strlen(out), 5, "/%u", p[alen]);
	return out;
}

/* ---- reading ---- */

bool dtcp_blob_is_dtcpd(const void *blob, size_t len)
{
	static const char v1[] = "dtcpd ", v2[] = "{\"dtcpd\":";

	/* Format 3 and any later one: the magic's first three bytes. */
	return blob && ((len >= sizeof(dtcp_blob_magic) && !memcmp(blob, dtcp_blob_magic, 3) &&
			 ((const unsigned char *)blob)[3] >= 3) ||
			(len >= sizeof(v1) - 1 && !memcmp(blob, v1, sizeof(v1) - 1)) ||
			(len >= sizeof(v2) - 1 && !memcmp(blob, v2, sizeof(v2) - 1)));
}

/* A text attribute: NUL-terminated, no NUL or control character before. */
static const char *attr_text(const struct nlattr *at, size_t max)
{
	if (mnl_attr_validate(at, MNL_TYPE_NUL_STRING) < 0 ||
	    !dtcp_blob_text_ok(mnl_attr_get_str(at), mnl_attr_get_payload_len(at) - 1, max))
		return NULL;
	return mnl_attr_get_str(at);
}

/*
 * The attributes of one level: each type in tb[] at most once, those of
 * the repeat mask in rep[] (at most max_rep, *n_rep of them), in order.
 * 0, or -EINVAL: an unknown type, a flag bit the type does not take, a
 * second one, padding that is not zero, or bytes left over that are no
 * attribute.
 */
static int walk(const void *p, size_t len, const struct nlattr **tb, unsigned int max_type,
		uint32_t nested_mask, uint32_t repeat_mask, const struct nlattr **rep,
		unsigned int max_rep, unsigned int *n_rep)
{
	const char *end = (const char *)p + len;
	const struct nlattr *at;

	for (at = p; mnl_attr_ok(at, (int)(end - (const char *)at)); at = mnl_attr_next(at)) {
		unsigned int t = at->nla_type & ~NLA_F_NESTED;
		bool nested = at->nla_type & NLA_F_NESTED;
		const char *pad = (const char *)at + at->nla_len;

		if (!t || t > max_type || (at->nla_type & NLA_F_NET_BYTEORDER) ||
		    nested != !!(nested_mask & (1u << t)))
			return -EINVAL;
		for (; pad < (const char *)at + MNL_ALIGN(at->nla_len); pad++)
			if (pad >= end || *pad)
				return -EINVAL;
		if (repeat_mask & (1u << t)) {
			if (*n_rep >= max_rep)
				return -EINVAL;
			rep[(*n_rep)++] = at;
		} else {
			if (tb[t])
				return -EINVAL;
			tb[t] = at;
		}
	}
	return (const char *)at == end ? 0 : -EINVAL;
}

static bool get_u32(const struct nlattr *at, uint32_t lo, uint32_t hi, uint32_t *out)
{
	if (!at) {
		*out = 0;
		return lo == 0;
	}
	if (mnl_attr_validate(at, MNL_TYPE_U32) < 0)
		return false;
	*out = mnl_attr_get_u32(at);
	return *out >= lo && *out <= hi;
}

static bool get_u64(const struct nlattr *at, uint64_t *out)
{
	*out = 0;
	if (!at)
		return true;
	if (mnl_attr_validate(at, MNL_TYPE_U64) < 0)
		return false;
	*out = mnl_attr_get_u64(at);
	return *out != 0; /* zero is written as no attribute: only one way */
}

static int rdest_read(const struct nlattr *nest, struct dtcp_kdest *d)
{
	const struct nlattr *tb[DTCP_BLOB_R_MAX + 1] = { 0 };
	size_t alen;

	memset(d, 0, sizeof(*d));
	if (walk(mnl_attr_get_payload(nest), mnl_attr_get_payload_len(nest), tb, DTCP_BLOB_R_MAX,
		 0, 0, NULL, 0, NULL))
		return -EINVAL;
	for (unsigned int t = 1; t <= DTCP_BLOB_R_MAX; t++)
		if (!tb[t])
			return -EINVAL;
	alen = mnl_attr_get_payload_len(tb[DTCP_BLOB_R_ADDR]);
	if ((alen != 4 && alen != 16) || mnl_attr_get_payload_len(tb[DTCP_BLOB_R_SRC]) != alen ||
	    mnl_attr_validate(tb[DTCP_BLOB_R_SPORT], MNL_TYPE_U16) < 0 ||
	    mnl_attr_validate(tb[DTCP_BLOB_R_PORT], MNL_TYPE_U16) < 0 ||
	    mnl_attr_validate(tb[DTCP_BLOB_R_TTL], MNL_TYPE_U8) < 0 ||
	    !mnl_attr_get_u16(tb[DTCP_BLOB_R_PORT]))
		return -EINVAL;
	d->family = alen == 4 ? AF_INET : AF_INET6;
	memcpy(d->addr, mnl_attr_get_payload(tb[DTCP_BLOB_R_ADDR]), alen);
	memcpy(d->src, mnl_attr_get_payload(tb[DTCP_BLOB_R_SRC]), alen);
	d->encap = DFC_ENCAP_UDP;
	d->has_src = true;
	d->sport = mnl_attr_get_u16(tb[DTCP_BLOB_R_SPORT]);
	d->dport = mnl_attr_get_u16(tb[DTCP_BLOB_R_PORT]);
	d->ttl = mnl_attr_get_u8(tb[DTCP_BLOB_R_TTL]);
	return 0;
}

bool dtcp_blob_kid_ok(const struct dtcp_blob *b, uint32_t kid)
{
	return b->request_dest ? kid >= 0x80000001 : kid >= 1 && kid <= 0x7fffffff;
}

/*
 * Destination i; its name in names[i] (from format 6, NULL for a
 * configured one: its kernel id names it). Its kernel id is there but for
 * destination k from format 4 on (own: the kernel's, dtcp_blob_own_kid).
 * own: whether it must be k's; from format 5, whichever it is.
 */
static int dest_read(const struct nlattr *nest, struct dtcp_blob *b, unsigned int i,
		     const char **names, bool *own, unsigned int version)
{
	const struct nlattr *tb[DTCP_BLOB_D_MAX + 1] = { 0 };
	uint32_t kid = 0;

	if (walk(mnl_attr_get_payload(nest), mnl_attr_get_payload_len(nest), tb, DTCP_BLOB_D_MAX,
		 1u << DTCP_BLOB_D_RDEST, 0, NULL, 0, NULL))
		return -EINVAL;
	if (version >= 5)
		*own = !tb[DTCP_BLOB_D_KID];
	if (i == 0)
		b->request_dest = tb[DTCP_BLOB_D_RDEST] != NULL;
	names[i] = NULL;
	/* From format 6 only a request-defined destination has its name here. */
	if (b->request_dest != (tb[DTCP_BLOB_D_RDEST] != NULL) ||
	    (version < 6 || b->request_dest) != (tb[DTCP_BLOB_D_NAME] != NULL) ||
	    (tb[DTCP_BLOB_D_NAME] && !(names[i] = attr_text(tb[DTCP_BLOB_D_NAME], 79))) ||
	    *own != !tb[DTCP_BLOB_D_KID] ||
	    (!*own && (!get_u32(tb[DTCP_BLOB_D_KID], 1, UINT32_MAX, &kid) || !dtcp_blob_kid_ok(b, kid))) ||
	    (b->request_dest && rdest_read(tb[DTCP_BLOB_D_RDEST], &b->rkd[i])))
		return -EINVAL;
	b->cdest_kid[i] = kid;
	if (b->request_dest) {
		b->rkd[i].kid = kid;
		snprintf(b->rkd[i].name, sizeof(b->rkd[i].name), "%.31s", names[i]);
	}
	return 0;
}

int dtcp_blob_own_id(struct dtcp_blob *b, uint32_t id, unsigned int k)
{
	if (!id || k != b->k)
		return -EINVAL;
	if (b->id)
		return b->id == id ? 0 : -EINVAL;
	b->id = id;
	return 0;
}

int dtcp_blob_own_kid(struct dtcp_blob *b, uint32_t kid)
{
	if (b->cdest_kid[b->k])
		return b->cdest_kid[b->k] == kid ? 0 : -EINVAL;
	if (!dtcp_blob_kid_ok(b, kid))
		return -EINVAL;
	b->cdest_kid[b->k] = kid;
	if (b->request_dest)
		b->rkd[b->k].kid = kid;
	return 0;
}

/* A parameter's raw value: filter or X-, the same rules. */
static const char *raw_value(const struct nlattr *at)
{
	if (mnl_attr_validate(at, MNL_TYPE_NUL_STRING) < 0 ||
	    strlen(mnl_attr_get_str(at)) + 1 != mnl_attr_get_payload_len(at) ||
	    !dtcp_blob_pvalue_ok(mnl_attr_get_str(at)))
		return NULL;
	return mnl_attr_get_str(at);
}

/* An X- parameter: its name and raw value. */
static int xparam_read(const struct nlattr *nest, const char **name, const char **value)
{
	const struct nlattr *tb[DTCP_BLOB_X_MAX + 1] = { 0 };

	if (walk(mnl_attr_get_payload(nest), mnl_attr_get_payload_len(nest), tb, DTCP_BLOB_X_MAX,
		 0, 0, NULL, 0, NULL) || !tb[DTCP_BLOB_X_NAME] || !tb[DTCP_BLOB_X_VALUE] ||
	    !(*name = attr_text(tb[DTCP_BLOB_X_NAME], 63)) ||
	    !dtcp_blob_pname_ok(*name, strlen(*name)) || strncasecmp(*name, "X-", 2) ||
	    !(*value = raw_value(tb[DTCP_BLOB_X_VALUE])))
		return -EINVAL;
	return 0;
}

/* The parameters, in their order, after the whole blob read. */
static int params_read(const void *p, size_t len, dtcp_blob_line_cb cb, void *data)
{
	const char *end = (const char *)p + len;
	const struct nlattr *at;

	for (at = p; mnl_attr_ok(at, (int)(end - (const char *)at)); at = mnl_attr_next(at)) {
		unsigned int t = at->nla_type & ~NLA_F_NESTED;
		char text[INET6_ADDRSTRLEN + 4];
		const char *name, *value;

		if (t >= DTCP_BLOB_P_FIRST && t < DTCP_BLOB_P_FIRST + DTCP_BLOB_N_FILTER) {
			name = dtcp_pid_name(dtcp_blob_filter_ids[t - DTCP_BLOB_P_FIRST]);
			value = raw_value(at);
			if (!value)
				return -EINVAL;
		} else if (t >= DTCP_BLOB_PA_FIRST && t <= DTCP_BLOB_PA_LAST) {
			name = dtcp_pid_name(dtcp_blob_filter_ids[t - DTCP_BLOB_PA_FIRST]);
			value = dtcp_blob_addr_text(mnl_attr_get_payload(at),
						    mnl_attr_get_payload_len(at), text);
			if (!value)
				return -EINVAL;
		} else if (t == DTCP_BLOB_XPARAM) {
			if (xparam_read(at, &name, &value))
				return -EINVAL;
		} else {
			continue;
		}
		if (cb)
			cb(name, value, data);
	}
	return 0;
}

/* The source's address: text up to format 4, binary or absent ("?") from 5. */
static bool from_read(const struct nlattr *at, unsigned int version, struct dtcp_blob *b)
{
	size_t alen;

	if (version < 5) {
		if (!at || !attr_text(at, sizeof(b->csource_addr) - 1))
			return false;
		snprintf(b->csource_addr, sizeof(b->csource_addr), "%s", mnl_attr_get_str(at));
		return true;
	}
	if (!at) {
		snprintf(b->csource_addr, sizeof(b->csource_addr), "?");
		return true;
	}
	alen = mnl_attr_get_payload_len(at);
	return (alen == 4 || alen == 16) &&
	       inet_ntop(alen == 4 ? AF_INET : AF_INET6, mnl_attr_get_payload(at),
			 b->csource_addr, sizeof(b->csource_addr));
}

int dtcp_blob_cdests_join(struct dtcp_blob *b, const char *const *names)
{
	size_t joined = 0;

	for (unsigned int i = 0; i < b->n; i++)
		joined += dtcp_escape(NULL, 0, names[i]) + 1;
	b->cdests = malloc(joined);
	if (!b->cdests)
		return -ENOMEM;
	for (unsigned int i = 0, o = 0; i < b->n; i++) {
		if (i)
			b->cdests[o++] = ',';
		o += dtcp_escape(b->cdests + o, joined - o, names[i]);
	}
	return 0;
}

/*
 * The destinations (nests in dest[], n_dest of n): k and names[]. From
 * format 6, none when the one destination is configured.
 */
static int dests_read(const struct nlattr *const *dest, unsigned int n_dest, unsigned int version,
		      uint32_t k, struct dtcp_blob *b, const char **names)
{
	unsigned int owns = 0;

	if (version >= 6 && !n_dest && b->n == 1) {
		b->k = 0;
		b->by_kid = true;
		names[0] = NULL;
		return 0;
	}
	if (n_dest != b->n)
		return -EINVAL;
	for (unsigned int i = 0; i < b->n; i++) {
		bool own = version >= 4 && i == k;

		if (dest_read(dest[i], b, i, names, &own, version))
			return -EINVAL;
		/* From format 5, k is the one destination without its kernel id. */
		if (version >= 5 && own) {
			if (owns++)
				return -EINVAL;
			k = i;
		}
	}
	if (version >= 5 && !owns)
		return -EINVAL;
	b->k = k;
	b->by_kid = version >= 6 && !b->request_dest;
	/* The one configured destination leaves its empty nest out. */
	if (b->by_kid && b->n == 1)
		return -EINVAL;
	if (!b->by_kid && b->n == 2 && !strcmp(names[0], names[1]))
		return -EINVAL;
	return 0;
}

/* Formats 3 to 6 (version), after the magic (6: and the time added). */
static int attrs_read(const void *p, size_t len, unsigned int version, struct dtcp_blob *b,
		      dtcp_blob_line_cb cb, void *data)
{
	const struct nlattr *tb[DTCP_BLOB_MAX + 1] = { 0 };
	/* Every attribute takes 4 bytes at least. */
	const struct nlattr *rep[DFC_CRIT_BLOB_MAX / 4], *dest[DTCP_MAX_DEST];
	const char *names[DTCP_MAX_DEST], *xnames[DFC_CRIT_BLOB_MAX / 4];
	unsigned int n_rep = 0, n_dest = 0, n_x = 0;
	uint32_t k, n;
	int err;

	if (walk(p, len, tb, DTCP_BLOB_MAX, 1u << DTCP_BLOB_DEST | 1u << DTCP_BLOB_XPARAM,
		 1u << DTCP_BLOB_DEST | 1u << DTCP_BLOB_XPARAM, rep, DFC_CRIT_BLOB_MAX / 4,
		 &n_rep))
		return -EINVAL;
	for (unsigned int i = 0; i < n_rep; i++) {
		const char *v;

		if ((rep[i]->nla_type & ~NLA_F_NESTED) == DTCP_BLOB_XPARAM) {
			if (xparam_read(rep[i], &xnames[n_x], &v))
				return -EINVAL;
			/* X- names once each, whatever their case, as the writer keeps them. */
			for (unsigned int j = 0; j < n_x; j++)
				if (!strcasecmp(xnames[j], xnames[n_x]))
					return -EINVAL;
			n_x++;
		} else if (n_dest < DTCP_MAX_DEST) {
			dest[n_dest++] = rep[i];
		} else {
			return -EINVAL;
		}
	}
	/* An address binary (format 6) or as text, not both. */
	for (unsigned int f = 0; f <= DTCP_BLOB_PA_LAST - DTCP_BLOB_PA_FIRST; f++)
		if (tb[DTCP_BLOB_PA_FIRST + f] && (version < 6 || tb[DTCP_BLOB_P_FIRST + f]))
			return -EINVAL;
	/* From format 5 the kernel id gives the Criteria-ID and k: not here. */
	if ((version >= 5 ? tb[DTCP_BLOB_ID] || tb[DTCP_BLOB_K] :
	     !get_u32(tb[DTCP_BLOB_ID], 1, UINT32_MAX, &b->id) || !tb[DTCP_BLOB_ID]) ||
	    !get_u32(tb[DTCP_BLOB_N], 0, DTCP_MAX_DEST, &n) || (tb[DTCP_BLOB_N] && n < 2) ||
	    !get_u32(tb[DTCP_BLOB_K], 0, (n ?: 1) - 1, &k) || (tb[DTCP_BLOB_K] && !k) ||
	    /* From format 6 the header holds the time added, the owner the source. */
	    (version >= 6 ? tb[DTCP_BLOB_ADDED] || tb[DTCP_BLOB_CSOURCE] :
	     !get_u64(tb[DTCP_BLOB_ADDED], &b->added_ms) ||
	     !tb[DTCP_BLOB_CSOURCE] ||
	     !attr_text(tb[DTCP_BLOB_CSOURCE], sizeof(b->csource) - 1)) ||
	    b->added_ms > INT64_MAX ||
	    !get_u32(tb[DTCP_BLOB_IDLE], 0, DFC_TIMEOUT_MAX, &b->t_idle) ||
	    (tb[DTCP_BLOB_IDLE] && !b->t_idle) ||
	    !get_u32(tb[DTCP_BLOB_TOTAL], 0, DFC_TIMEOUT_MAX, &b->t_total) ||
	    (tb[DTCP_BLOB_TOTAL] && !b->t_total) ||
	    !get_u64(tb[DTCP_BLOB_PACKETS], &b->t_packets) ||
	    !get_u64(tb[DTCP_BLOB_BYTES], &b->t_bytes) ||
	    !from_read(tb[DTCP_BLOB_FROM], version, b))
		return -EINVAL;
	b->n = n ?: 1;
	if (tb[DTCP_BLOB_CSOURCE])
		snprintf(b->csource, sizeof(b->csource), "%s",
			 mnl_attr_get_str(tb[DTCP_BLOB_CSOURCE]));
	if (dests_read(dest, n_dest, version, k, b, names) || params_read(p, len, NULL, NULL))
		return -EINVAL;
	err = b->by_kid ? 0 : dtcp_blob_cdests_join(b, names);
	if (err)
		return err;
	return cb ? params_read(p, len, cb, data) : 0;
}

/* Either format; the whole blob is checked before cb sees a parameter. */
static int read_any(const void *blob, size_t len, struct dtcp_blob *b, dtcp_blob_line_cb cb,
		    void *data)
{
	/* A copy, aligned for the attribute headers wherever the blob came from. */
	alignas(struct nlattr) char abuf[DFC_CRIT_BLOB_MAX];
	unsigned int ver;
	int err;

	memset(b, 0, sizeof(*b));
	if (!blob || !len || len > DFC_CRIT_BLOB_MAX)
		return -EINVAL;
	ver = len >= sizeof(dtcp_blob_magic) && !memcmp(blob, dtcp_blob_magic, 3) ?
	      ((const uint8_t *)blob)[3] : 0;
	if (ver == 6 && len < DTCP_BLOB_HEAD) {
		err = -EINVAL;
	} else if (ver >= 3 && ver <= DTCP_BLOB_VERSION) {
		size_t head = ver >= 6 ? DTCP_BLOB_HEAD : sizeof(dtcp_blob_magic);

		if (ver >= 6)
			memcpy(&b->added_ms, (const char *)blob + sizeof(dtcp_blob_magic),
			       sizeof(b->added_ms));
		memcpy(abuf, (const char *)blob + head, len - head);
		err = attrs_read(abuf, len - head, ver, b, cb, data);
	} else {
		err = dtcp_blob_v2_read(blob, len, b, cb, data);
	}
	if (err) {
		dtcp_blob_free(b);
		memset(b, 0, sizeof(*b));
		return err == -ENOMEM ? err : -EINVAL;
	}
	return 0;
}

int dtcp_blob_own_names(struct dtcp_blob *b, const char *(*name_of)(uint32_t kid, void *data),
			void *data)
{
	const char *names[DTCP_MAX_DEST];

	if (!b->by_kid || b->cdests)
		return 0;
	for (unsigned int i = 0; i < b->n; i++) {
		names[i] = b->cdest_kid[i] ? name_of(b->cdest_kid[i], data) : NULL;
		if (!names[i] || !dtcp_blob_text_ok(names[i], strlen(names[i]), 79))
			return -EINVAL;
	}
	if (b->n == 2 && b->cdest_kid[0] == b->cdest_kid[1])
		return -EINVAL;
	return dtcp_blob_cdests_join(b, names);
}

int dtcp_blob_parse(const void *blob, size_t len, struct dtcp_blob *b)
{
	return read_any(blob, len, b, NULL, NULL);
}

void dtcp_blob_free(struct dtcp_blob *b)
{
	free(b->cdests);
	b->cdests = NULL;
}

int dtcp_blob_lines(const char *blob, size_t len, dtcp_blob_line_cb cb, void *data)
{
	struct dtcp_blob b;
	int err = read_any(blob, len, &b, cb, data);

	dtcp_blob_free(&b);
	return err ? -EINVAL : 0;
}
