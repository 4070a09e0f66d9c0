// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Criteria and their entries as text and JSON, for 'filter show' and
 * 'monitor'.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/socket.h>

#include "blob.h"
#include "dfcctl.h"

/* ---- filter: formatting ---- */

const char *reason_name(uint8_t r)
{
	static const char *const names[] = {
		[DFC_REASON_NONE] = "none", [DFC_REASON_TOTAL] = "total-timeout",
		[DFC_REASON_IDLE] = "idle-timeout", [DFC_REASON_PACKETS] = "packets",
		[DFC_REASON_BYTES] = "bytes",
	};

	return r < sizeof(names) / sizeof(names[0]) ? names[r] : "unknown";
}

void fmt_flags(char *buf, size_t size, uint32_t flags)
{
	snprintf(buf, size, "%s%s%s",
		 flags & DFC_CRIT_F_STATIC ? "static" : "",
		 (flags & DFC_CRIT_F_STATIC) && (flags & DFC_CRIT_F_SEND_ASYNC) ? "," : "",
		 flags & DFC_CRIT_F_SEND_ASYNC ? "async" : "");
	if (!*buf)
		snprintf(buf, size, "-");
}

static void fmt_prefix(char *buf, size_t size, uint8_t ipver, const uint8_t *a, uint8_t plen)
{
	char t[INET6_ADDRSTRLEN];

	if (!inet_ntop(ipver == 6 ? AF_INET6 : AF_INET, a, t, sizeof(t)))
		snprintf(t, sizeof(t), "?");
	snprintf(buf, size, "%s/%u", t, plen);
}

/* value, or value/0xmask when the mask is not full; "any" for mask 0 */
static int fmt_masked(char *buf, size_t size, unsigned int v, unsigned int mask, unsigned int full)
{
	if (!mask)
		return snprintf(buf, size, "any");
	if (mask == full)
		return snprintf(buf, size, "%u", v);
	return snprintf(buf, size, "%u/0x%x", v, mask);
}

/* An entry as "ipver 4 src 10.0.0.0/8 dport 80 proto 6 ...", in the keywords of filter add. */
void fmt_entry(char *buf, size_t size, const struct dfc_nl_entry *e)
{
	char v[64], name[IF_NAMESIZE];
	size_t n = 0;

#define ADD(...) do { \
	if (n < size) \
		n += (size_t)snprintf(buf + n, size - n, __VA_ARGS__); \
} while (0)
	buf[0] = '\0';
	if (e->ipver)
		ADD(" ipver %u", e->ipver);
	if (e->src_plen) {
		fmt_prefix(v, sizeof(v), e->ipver, e->src, e->src_plen);
		ADD(" src %s", v);
	}
	if (e->dst_plen) {
		fmt_prefix(v, sizeof(v), e->ipver, e->dst, e->dst_plen);
		ADD(" dst %s", v);
	}
	if (e->ports || e->sport_mask || e->dport_mask || e->sport_range || e->dport_range) {
		if (!e->sport_mask && !e->dport_mask && !e->sport_range && !e->dport_range)
			ADD(" ports any");
		if (e->sport_range) {
			ADD(" sport %u-%u", e->sport, e->sport_max);
		} else if (e->sport_mask) {
			fmt_masked(v, sizeof(v), e->sport, e->sport_mask, 0xffff);
			ADD(" sport %s", v);
		}
		if (e->dport_range) {
			ADD(" dport %u-%u", e->dport, e->dport_max);
		} else if (e->dport_mask) {
			fmt_masked(v, sizeof(v), e->dport, e->dport_mask, 0xffff);
			ADD(" dport %s", v);
		}
	}
	if (e->proto_mask) {
		fmt_masked(v, sizeof(v), e->proto, e->proto_mask, 0xff);
		ADD(" proto %s", v);
	}
	if (e->icmp || e->icmp_type_mask || e->icmp_code_mask) {
		if (!e->icmp_type_mask && !e->icmp_code_mask)
			ADD(" icmp any");
		if (e->icmp_type_mask) {
			fmt_masked(v, sizeof(v), e->icmp_type, e->icmp_type_mask, 0xff);
			ADD(" icmp-type %s", v);
		}
		if (e->icmp_code_mask) {
			fmt_masked(v, sizeof(v), e->icmp_code, e->icmp_code_mask, 0xff);
			ADD(" icmp-code %s", v);
		}
	}
	if (e->ifindex) {
		if (if_indextoname(e->ifindex, name))
			ADD(" iif %s", name);
		else
			ADD(" iif %" PRIu32, e->ifindex);
	}
	if (!n)
		ADD(" any");
#undef ADD
	/* drop the leading space */
	memmove(buf, buf + 1, strlen(buf));
}

static json_t *entry_json(const struct dfc_nl_entry *e)
{
	json_t *o = json_object();
	char v[64], name[IF_NAMESIZE];
	int err = 0;

	if (!o)
		return NULL;
	if (e->ipver)
		err |= json_object_set_new(o, "ipver", json_integer(e->ipver));
	if (e->src_plen) {
		fmt_prefix(v, sizeof(v), e->ipver, e->src, e->src_plen);
		err |= json_object_set_new(o, "src", json_string(v));
	}
	if (e->dst_plen) {
		fmt_prefix(v, sizeof(v), e->ipver, e->dst, e->dst_plen);
		err |= json_object_set_new(o, "dst", json_string(v));
	}
	if (e->ports || e->sport_mask || e->dport_mask || e->sport_range || e->dport_range)
		err |= json_object_set_new(o, "sport", json_integer(e->sport)) |
		       json_object_set_new(o, "sport_mask", json_integer(e->sport_mask)) |
		       json_object_set_new(o, "dport", json_integer(e->dport)) |
		       json_object_set_new(o, "dport_mask", json_integer(e->dport_mask));
	/* a range: sport..sport_max (its mask is 0) */
	if (e->sport_range)
		err |= json_object_set_new(o, "sport_max", json_integer(e->sport_max));
	if (e->dport_range)
		err |= json_object_set_new(o, "dport_max", json_integer(e->dport_max));
	if (e->proto_mask)
		err |= json_object_set_new(o, "proto", json_integer(e->proto)) |
		       json_object_set_new(o, "proto_mask", json_integer(e->proto_mask));
	if (e->icmp || e->icmp_type_mask || e->icmp_code_mask)
		err |= json_object_set_new(o, "icmp_type", json_integer(e->icmp_type)) |
		       json_object_set_new(o, "icmp_type_mask", json_integer(e->icmp_type_mask)) |
		       json_object_set_new(o, "icmp_code", json_integer(e->icmp_code)) |
		       json_object_set_new(o, "icmp_code_mask", json_integer(e->icmp_code_mask));
	if (e->ifindex) {
		err |= json_object_set_new(o, "ifindex", json_integer(e->ifindex));
		if (if_indextoname(e->ifindex, name))
			err |= json_object_set_new(o, "iif", json_string(name));
	}
	if (err) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *entries_json(const struct dfc_nl_entry *v, unsigned int n)
{
	json_t *arr = json_array();

	for (unsigned int i = 0; arr && i < n; i++)
		if (json_array_append_new(arr, entry_json(&v[i]))) {
			json_decref(arr);
			return NULL;
		}
	return arr;
}

/* ---- a criterion's text ---- */

/* Room for n bytes of input escaped (\xNN, \u00NN at most 6 per byte), quotes and NUL. */
#define ESCAPED_MAX(n) (6 * (size_t)(n) + 3)

static bool is_c1(const unsigned char *s, size_t left)
{
	return left >= 2 && s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f;
}

/* Length of the valid UTF-8 sequence at s (1..4), 0 if it is not one. */
static size_t utf8_len(const unsigned char *s, size_t left)
{
	size_t n = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3 :
		   (s[0] & 0xf8) == 0xf0 ? 4 : 0;

	if (!n || n > left || (n == 2 && s[0] < 0xc2) || (n == 4 && s[0] > 0xf4))
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((n == 3 && s[0] == 0xe0 && s[1] < 0xa0) || (n == 3 && s[0] == 0xed && s[1] >= 0xa0) ||
	    (n == 4 && s[0] == 0xf0 && s[1] < 0x90) || (n == 4 && s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return n;
}

/* Would s need quotes (empty, blanks, quotes, backslashes, anything escaped)? */
static bool needs_quotes(const unsigned char *s, size_t len)
{
	if (!len)
		return true;
	for (size_t i = 0; i < len;) {
		size_t n = utf8_len(s + i, len - i);

		if (!n || s[i] <= 0x20 || s[i] == 0x7f || s[i] == '"' || s[i] == '\\' ||
		    is_c1(s + i, len - i))
			return true;
		i += n;
	}
	return false;
}

/*
 * s[0..len) appended at out (room checked by the caller: ESCAPED_MAX):
 * control characters (C0, DEL, C1) and bytes that are not UTF-8 as \xNN
 * or \u00NN, backslash as \\, and in quotes (quote) '"' as \". Returns the
 * end.
 */
static char *escape_to(char *out, const void *str, size_t len, bool quote)
{
	const unsigned char *s = str;

	if (quote)
		*out++ = '"';
	for (size_t i = 0; i < len;) {
		size_t n = utf8_len(s + i, len - i);

		if (is_c1(s + i, len - i)) {
			out += sprintf(out, "\\u%04x", s[i + 1]);
			i += 2;
			continue;
		}
		if (!n || s[i] < 0x20 || s[i] == 0x7f) {
			out += sprintf(out, "\\x%02x", s[i]);
			i++;
			continue;
		}
		if (s[i] == '\\' || (quote && s[i] == '"'))
			*out++ = '\\';
		memcpy(out, s + i, n);
		out += n;
		i += n;
	}
	if (quote)
		*out++ = '"';
	*out = '\0';
	return out;
}

void fmt_name(char *buf, size_t size, const char *name)
{
	size_t len = strlen(name);
	char *t = malloc(ESCAPED_MAX(len));

	if (!t) {
		snprintf(buf, size, "?");
		return;
	}
	escape_to(t, name, len, false);
	snprintf(buf, size, "%s", t);
	free(t);
}

struct dtcp_form {
	char *out, *o;
};

static void dtcp_form_param(const char *name, const char *value, void *data)
{
	struct dtcp_form *f = data;
	size_t vlen = strlen(value);

	if (f->o != f->out)
		*f->o++ = ' ';
	f->o = escape_to(f->o, name, strlen(name), false);
	*f->o++ = '=';
	f->o = escape_to(f->o, value, vlen, needs_quotes((const unsigned char *)value, vlen));
}

/*
 * A dtcpd blob read strictly (agent/blob.c): its parameters as
 * "Name=value ..." in the order sent, and its control source (none from
 * format 6: the owner names it). NULL with
 * *bad set if it does not read.
 */
static char *dtcp_form(const void *blob, uint16_t len, char *csource, size_t cs_size, bool *bad)
{
	struct dtcp_form f = { 0 };
	struct dtcp_blob b;

	if (dtcp_blob_parse(blob, len, &b)) {
		*bad = true;
		return NULL;
	}
	/* From format 6 the owner names the source (filter_show.c asks dtcpd). */
	fmt_name(csource, cs_size, b.csource);
	dtcp_blob_free(&b);
	/*
	 * Each byte of the blob at most once in a value or name, escaped;
	 * and per parameter quotes, '=', ' ' and, from format 3, a filter
	 * name of at most 14 bytes the blob holds as a type: 18 bytes out
	 * of 4 * 8, every parameter taking 8 blob bytes at least. An address
	 * kept binary (format 6) is at most 14 + 4 + 49 bytes out of the
	 * 8 * 10 its 8 blob bytes or more give.
	 */
	f.out = f.o = malloc(ESCAPED_MAX(len) + 4 * (size_t)len);
	if (!f.out)
		return NULL;
	*f.o = '\0';
	if (dtcp_blob_lines(blob, len, dtcp_form_param, &f)) {
		free(f.out);
		*bad = true;
		return NULL;
	}
	*f.o = '\0';
	return f.out;
}

/*
 * The criterion as its owner added it. A dtcpd blob in DTCP form (see
 * dtcp_form(); csource gets its control source), or "<unreadable dtcpd
 * blob, N bytes>"; any other blob is the text it was added with ('filter
 * add'), line breaks as "; ", control characters escaped. NULL without
 * memory.
 */
char *crit_text(const void *blob, uint16_t len, char *csource, size_t cs_size)
{
	const unsigned char *b = blob;
	char *out, *o;
	bool sep = false, bad = false;

	csource[0] = '\0';
	if (dtcp_blob_is_dtcpd(blob, len)) {
		out = dtcp_form(blob, len, csource, cs_size, &bad);
		if (bad && asprintf(&out, "<unreadable dtcpd blob, %u bytes>", len) < 0)
			out = NULL;
		return out;
	}
	out = o = malloc(ESCAPED_MAX(len) + 2 * (size_t)len);
	if (!out)
		return NULL;
	if (len && b[len - 1] == '\0')
		len--; /* a C string's terminator */
	for (uint16_t i = 0; i < len; i++) {
		size_t run = 0;

		if (b[i] == '\r' || b[i] == '\n') {
			sep = o != out;
			continue;
		}
		if (sep) {
			*o++ = ';';
			*o++ = ' ';
			sep = false;
		}
		while (i + run < len && b[i + run] != '\r' && b[i + run] != '\n')
			run++;
		o = escape_to(o, b + i, run, false);
		i = (uint16_t)(i + run - 1);
	}
	*o = '\0';
	return out;
}
