// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Writing the blob, format 6 (blob.c reads it): what a control source
 * sent, as netlink attributes through libmnl after the magic and the time
 * added, compact because the kernel keeps one per criterion, and never
 * anything the reader would refuse.
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

/* The attributes go after a netlink header in a scratch buffer (libmnl's way). */
struct wbuf {
	struct nlmsghdr *nlh;
	size_t size;			/* header + what the blob may take after its own header */
};

static int put_u32(struct wbuf *w, uint16_t type, uint32_t v)
{
	return mnl_attr_put_u32_check(w->nlh, w->size, type, v) ? 0 : -E2BIG;
}

static int put_u64(struct wbuf *w, uint16_t type, uint64_t v)
{
	return mnl_attr_put_u64_check(w->nlh, w->size, type, v) ? 0 : -E2BIG;
}

/* Zero is what a reader takes for an absent number: left out. */
static int put_u32_nz(struct wbuf *w, uint16_t type, uint32_t v)
{
	return v ? put_u32(w, type, v) : 0;
}

static int put_u64_nz(struct wbuf *w, uint16_t type, uint64_t v)
{
	return v ? put_u64(w, type, v) : 0;
}

static int put_str(struct wbuf *w, uint16_t type, const char *s)
{
	return mnl_attr_put_strz_check(w->nlh, w->size, type, s) ? 0 : -E2BIG;
}

static int put_rdest(struct wbuf *w, const struct dtcp_kdest *d)
{
	size_t alen = d->family == AF_INET ? 4 : 16;
	struct nlattr *n = mnl_attr_nest_start_check(w->nlh, w->size, DTCP_BLOB_D_RDEST);

	if (!n || !mnl_attr_put_check(w->nlh, w->size, DTCP_BLOB_R_ADDR, alen, d->addr) ||
	    !mnl_attr_put_check(w->nlh, w->size, DTCP_BLOB_R_SRC, alen, d->src) ||
	    !mnl_attr_put_u16_check(w->nlh, w->size, DTCP_BLOB_R_SPORT, d->sport) ||
	    !mnl_attr_put_u16_check(w->nlh, w->size, DTCP_BLOB_R_PORT, d->dport) ||
	    !mnl_attr_put_u8_check(w->nlh, w->size, DTCP_BLOB_R_TTL, d->ttl))
		return -E2BIG;
	mnl_attr_nest_end(w->nlh, n);
	return 0;
}

/*
 * Destination i of the criterion for destination k: its kernel id but for
 * k's own; a name only if request-defined (a configured one's kernel id
 * names it).
 */
static int put_dest(struct wbuf *w, const struct dtcp_add *a, unsigned int i, unsigned int k)
{
	struct nlattr *n = mnl_attr_nest_start_check(w->nlh, w->size, DTCP_BLOB_DEST);
	int err;

	if (!n)
		return -E2BIG;
	err = (a->request_dest ? put_str(w, DTCP_BLOB_D_NAME, a->dest_names[i]) : 0) ?:
	      (i != k ? put_u32(w, DTCP_BLOB_D_KID, a->cdest_kid[i]) : 0) ?:
	      (a->request_dest ? put_rdest(w, &a->kd[i]) : 0);
	if (err)
		return err;
	mnl_attr_nest_end(w->nlh, n);
	return 0;
}

static int put_xparam(struct wbuf *w, const char *name, const char *raw)
{
	struct nlattr *n = mnl_attr_nest_start_check(w->nlh, w->size, DTCP_BLOB_XPARAM);

	if (!n || put_str(w, DTCP_BLOB_X_NAME, name) || put_str(w, DTCP_BLOB_X_VALUE, raw)) {
		if (n)
			mnl_attr_nest_cancel(w->nlh, n);
		return -E2BIG;
	}
	mnl_attr_nest_end(w->nlh, n);
	return 0;
}

/* A prefix length as it is printed back: 1 to 3 digits, no leading zero. */
static bool plen_canon(const char *s, unsigned long *plen)
{
	size_t n = strspn(s, "0123456789");

	if (!n || n > 3 || s[n] || (n > 1 && s[0] == '0'))
		return false;
	*plen = strtoul(s, NULL, 10);
	return true;
}

/* Dotted decimal that inet_pton() took, with no octet written with a leading zero. */
static bool v4_canon(const char *a)
{
	for (size_t i = 0; a[i]; i++)
		if (a[i] == '0' && (!i || a[i - 1] == '.') && a[i + 1] >= '0' && a[i + 1] <= '9')
			return false;
	return true;
}

/*
 * A filter address binary, if dtcp_blob_addr_text() gives back exactly
 * its text. IPv4 that inet_pton() takes is four decimal octets, so without
 * leading zeros it is what inet_ntop() prints: only IPv6 is printed back
 * to be compared.
 */
static size_t addr_pack(const char *raw, uint8_t out[17])
{
	char a[INET6_ADDRSTRLEN + 4], back[INET6_ADDRSTRLEN + 4];
	const char *slash = strchr(raw, '/');
	size_t n = slash ? (size_t)(slash - raw) : strlen(raw), len;
	unsigned long plen = 0;

	if (n >= INET6_ADDRSTRLEN)
		return 0;
	memcpy(a, raw, n);
	a[n] = '\0';
	len = inet_pton(AF_INET, a, out) == 1 ? 4 : inet_pton(AF_INET6, a, out) == 1 ? 16 : 0;
	if (!len)
		return 0;
	if (slash) {
		if (!plen_canon(slash + 1, &plen) || plen > len * 8)
			return 0;
		out[len++] = (uint8_t)plen;
	}
	if (len <= 5)
		return v4_canon(a) ? len : 0;
	return dtcp_blob_addr_text(out, len, back) && !strcmp(back, raw) ? len : 0;
}

/* Filter parameter f's raw value: an address binary where it reads back the same. */
static int put_filter(struct wbuf *w, unsigned int f, const char *raw)
{
	uint8_t bin[17];
	size_t len = f < DTCP_BLOB_PA_LAST - DTCP_BLOB_PA_FIRST + 1 ? addr_pack(raw, bin) : 0;

	if (!len)
		return put_str(w, DTCP_BLOB_P_FIRST + f, raw);
	return mnl_attr_put_check(w->nlh, w->size, DTCP_BLOB_PA_FIRST + f, len, bin) ? 0 : -E2BIG;
}

/* Which filter attribute (DTCP_BLOB_P_*) a parameter is, DTCP_BLOB_N_FILTER if none. */
static unsigned int filter_of(enum dtcp_pid id)
{
	unsigned int f = 0;

	while (f < DTCP_BLOB_N_FILTER && dtcp_blob_filter_ids[f] != id)
		f++;
	return f;
}

/* The filter as given (first occurrence of each), then the X- parameters. */
static int put_params(struct wbuf *w, const struct dtcp_msg *m, const struct dtcp_param **bad)
{
	for (int pass = 0; pass < 2; pass++) {
		for (unsigned int i = 0; i < m->n; i++) {
			const struct dtcp_param *p = &m->p[i];
			const char *c = dtcp_pid_name(p->pid), *name = c ? c : p->name;
			unsigned int f = filter_of(p->pid);
			int err;

			if (pass == 0 ? f == DTCP_BLOB_N_FILTER : strncasecmp(p->name, "X-", 2))
				continue;
			if ((c ? dtcp_msg_pget(m, p->pid) : dtcp_msg_get(m, p->name)) != p)
				continue;
			/* What the reader would refuse is never written. */
			if (!dtcp_blob_pvalue_ok(p->raw) || (pass == 1 && !dtcp_blob_pname_ok(name, strlen(name)))) {
				if (pass == 1 && !c)
					continue; /* an unknown extension: dropped */
				*bad = p;
				return -EILSEQ;
			}
			err = pass == 0 ? put_filter(w, f, p->raw) :
			      put_xparam(w, name, p->raw);
			/* Unknown X- parameters are kept only while they fit; ours must. */
			if (err && !(pass == 1 && !c))
				return err;
		}
	}
	return 0;
}

int dtcp_add_blob(const struct dtcp_msg *m, const struct dtcp_add *a,
		  const struct sockaddr *from, uint64_t added_ms, unsigned int k, char *out,
		  size_t size, const struct dtcp_param **bad)
{
	uint8_t fa[16];
	/* The source's address, binary, as its text shows it; none if not IP. */
	size_t flen = dtcp_sa_bytes(from, fa);
	/* Zeroed: libmnl leaves the padding after an attribute as it finds it. */
	alignas(struct nlmsghdr) char buf[MNL_NLMSG_HDRLEN + DFC_CRIT_BLOB_MAX] = { 0 };
	struct wbuf w = { .nlh = mnl_nlmsg_put_header(buf) };
	size_t len;
	int err;

	*bad = NULL;
	if (size > DFC_CRIT_BLOB_MAX)
		size = DFC_CRIT_BLOB_MAX;
	if (size < DTCP_BLOB_HEAD)
		return -E2BIG;
	w.size = MNL_NLMSG_HDRLEN + size - DTCP_BLOB_HEAD;
	for (unsigned int i = 0; i < a->n_dest; i++) {
		if (!dtcp_blob_text_ok(a->dest_names[i], strlen(a->dest_names[i]), 79)) {
			*bad = a->cdest_param;
			return -EILSEQ;
		}
	}
	/*
	 * The Criteria-ID and k are the kernel id's (DTCP_KID), the source the
	 * owner's: not repeated.
	 */
	err = (a->n_dest > 1 ? put_u32(&w, DTCP_BLOB_N, a->n_dest) : 0) ?:
	      put_u32_nz(&w, DTCP_BLOB_IDLE, a->t_idle) ?:
	      put_u32_nz(&w, DTCP_BLOB_TOTAL, a->t_total) ?:
	      put_u64_nz(&w, DTCP_BLOB_PACKETS, a->t_packets) ?:
	      put_u64_nz(&w, DTCP_BLOB_BYTES, a->t_bytes) ?:
	      (flen && !mnl_attr_put_check(w.nlh, w.size, DTCP_BLOB_FROM, flen, fa) ? -E2BIG : 0);
	/* One configured destination: its nest would be empty. */
	for (unsigned int i = 0; !err && (a->n_dest > 1 || a->request_dest) && i < a->n_dest; i++)
		err = put_dest(&w, a, i, k);
	err = err ?: put_params(&w, m, bad);
	if (err)
		return err;
	len = mnl_nlmsg_get_payload_len(w.nlh);
	memcpy(out, dtcp_blob_magic, sizeof(dtcp_blob_magic));
	memcpy(out + sizeof(dtcp_blob_magic), &added_ms, sizeof(added_ms));
	memcpy(out + DTCP_BLOB_HEAD, mnl_nlmsg_get_payload(w.nlh), len);
	return (int)(DTCP_BLOB_HEAD + len);
}
