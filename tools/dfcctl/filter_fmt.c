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
	if (e->ports || e->sport_mask || e->dport_mask) {
		if (!e->sport_mask && !e->dport_mask)
			ADD(" ports any");
		if (e->sport_mask) {
			fmt_masked(v, sizeof(v), e->sport, e->sport_mask, 0xffff);
			ADD(" sport %s", v);
		}
		if (e->dport_mask) {
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
	if (e->ports || e->sport_mask || e->dport_mask)
		err |= json_object_set_new(o, "sport", json_integer(e->sport)) |
		       json_object_set_new(o, "sport_mask", json_integer(e->sport_mask)) |
		       json_object_set_new(o, "dport", json_integer(e->dport)) |
		       json_object_set_new(o, "dport_mask", json_integer(e->dport_mask));
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

/*
 * The blob as one line of text: the criterion as it was added (by
 * 'filter add', or a DTCP client through dtcpd). Line breaks become "; ";
 * anything else unprintable makes it "<N bytes>".
 */
char *blob_line(const void *blob, uint16_t len)
{
	const unsigned char *b = blob;
	char *out = malloc(2 * (size_t)len + 16), *o = out;
	bool sep = false;

	if (!out)
		return NULL;
	for (uint16_t i = 0; i < len; i++) {
		unsigned char ch = b[i];

		if (ch == '\r' || ch == '\n') {
			sep = o != out;
			continue;
		}
		if (ch == '\0' && i == len - 1)
			break; /* a C string's terminator */
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
			snprintf(out, 16, "<%u bytes>", len);
			return out;
		}
		if (sep) {
			*o++ = ';';
			*o++ = ' ';
			sep = false;
		}
		*o++ = ch == '\t' ? ' ' : (char)ch;
	}
	*o = '\0';
	return out;
}
