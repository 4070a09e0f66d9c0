// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ADD checking and translation, the blob, Criteria-ID filters and Flags.
 * See crit.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crit.h"

int dtcp_fail(struct dtcp_err *e, unsigned int code, const struct dtcp_param *p,
	      const char *fmt, ...)
{
	va_list ap;

	e->code = code;
	e->param = p;
	va_start(ap, fmt);
	vsnprintf(e->why, sizeof(e->why), fmt, ap);
	va_end(ap);
	return -1;
}

int dtcp_flags_parse(const char *raw, unsigned int *flags)
{
	struct dtcp_span el[16];
	int n = dtcp_list_split(raw, el, 16);

	*flags = 0;
	if (n < 0)
		return -EINVAL;
	for (int i = 0; i < n; i++) {
		char tok[16];

		if (dtcp_span_decode(&el[i], tok, sizeof(tok)) < 0)
			return -EINVAL;
		if (!strcasecmp(tok, "Static"))
			*flags |= DTCP_FL_STATIC;
		else if (!strcasecmp(tok, "SendAsync"))
			*flags |= DTCP_FL_SENDASYNC;
		else if (!strcasecmp(tok, "Stats"))
			*flags |= DTCP_FL_STATS;
		else if (!strcasecmp(tok, "Criteria"))
			*flags |= DTCP_FL_CRITERIA;
		else if (!strcasecmp(tok, "Both") || !strcasecmp(tok, "All"))
			*flags |= DTCP_FL_BOTH;
		else
			return -EINVAL;
	}
	return 0;
}

static const char *skip_wsp(const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	return s;
}

/* One bound of a CritEntry, raw s..end: a number, or "*" (*star). */
static int id_bound(const char *s, const char *end, uint64_t *v, bool *star)
{
	char d[24];

	s = skip_wsp(s, end);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (dtcp_unescape(s, end - s, d, sizeof(d)) < 0)
		return -EINVAL;
	*star = !strcmp(d, "*");
	return *star ? 0 : dtcp_parse_u64(d, UINT64_MAX, v);
}

/* "!", "-" and "," are found in the raw text: an escape is never a delimiter. */
int dtcp_idset_parse(const char *raw, struct dtcp_idset *set)
{
	struct dtcp_span el[DTCP_IDSET_MAX];
	int n = dtcp_list_split(raw, el, DTCP_IDSET_MAX);

	set->n = 0;
	if (n < 0)
		return -EINVAL;
	for (int i = 0; i < n; i++) {
		const char *p = el[i].s, *end = p + el[i].len, *dash;
		bool neg = false, star_lo, star_hi;
		uint64_t lo = 0, hi = UINT64_MAX;

		if (*p == '!') {
			neg = true;
			p = skip_wsp(p + 1, end);
		}
		if (p == end)
			return -EINVAL;
		dash = memchr(p, '-', end - p);
		if (!dash) {
			if (id_bound(p, end, &lo, &star_lo))
				return -EINVAL;
			if (!star_lo)
				hi = lo;
		} else {
			uint64_t a = 0, b = UINT64_MAX;

			if (id_bound(p, dash, &a, &star_lo) || id_bound(dash + 1, end, &b, &star_hi) ||
			    (star_lo && star_hi))
				return -EINVAL;
			lo = star_lo ? 0 : a;
			hi = star_hi ? UINT64_MAX : b;
			if (lo > hi)
				return -EINVAL;
		}
		set->it[set->n].lo = lo;
		set->it[set->n].hi = hi;
		set->it[set->n].neg = neg;
		set->it[set->n].single = !dash && !star_lo;
		set->n++;
	}
	return 0;
}

bool dtcp_idset_has(const struct dtcp_idset *set, uint64_t id)
{
	bool pos = false, any_pos = false;

	for (unsigned int i = 0; i < set->n; i++) {
		bool in = id >= set->it[i].lo && id <= set->it[i].hi;

		if (set->it[i].neg) {
			if (in)
				return false;
		} else {
			any_pos = true;
			pos |= in;
		}
	}
	return pos || !any_pos;
}

/* ---- timeouts ---- */

int dtcp_timeouts_parse(const struct dtcp_msg *m, struct dtcp_timeouts *t, struct dtcp_err *e)
{
	static const enum dtcp_pid ids[] = { DTCP_P_TIMEOUT_IDLE, DTCP_P_TIMEOUT_TOTAL,
					     DTCP_P_TIMEOUT_PACKETS, DTCP_P_TIMEOUT_BYTES };

	memset(t, 0, sizeof(*t));
	for (int i = 0; i < 4; i++) {
		const struct dtcp_param *p = dtcp_msg_pget(m, ids[i]);
		uint64_t v;
		int err;

		if (!p)
			continue;
		t->any = true;
		err = dtcp_parse_u64(p->value, i < 2 ? DFC_TIMEOUT_MAX : UINT64_MAX, &v);
		if (err == -ERANGE)
			return dtcp_fail(e, 433, p, "%s above %s", dtcp_pid_name(ids[i]),
					 i < 2 ? "86400 seconds" : "2^64-1");
		if (err)
			return dtcp_fail(e, 433, p, "%s is not a number",
					 dtcp_pid_name(ids[i]));
		switch (i) {
		case 0: t->idle = v; break;
		case 1: t->total = v; break;
		case 2: t->packets = v; break;
		case 3: t->bytes = v; break;
		}
	}
	return 0;
}

/* ---- ADD ---- */

static const struct {
	enum dtcp_pid id;
	enum dfc_spec_field f;
} filters[] = {
	/* Protocol first: it decides whether ports and ICMP mean anything. */
	{ DTCP_P_PROTOCOL, DFC_SPEC_PROTO },
	{ DTCP_P_SOURCE_ADDRESS, DFC_SPEC_SRC },
	{ DTCP_P_DEST_ADDRESS, DFC_SPEC_DST },
	{ DTCP_P_SOURCE_PORT, DFC_SPEC_SPORT },
	{ DTCP_P_DEST_PORT, DFC_SPEC_DPORT },
	{ DTCP_P_ICMP_TYPE, DFC_SPEC_ICMP_TYPE },
	{ DTCP_P_ICMP_CODE, DFC_SPEC_ICMP_CODE },
};

/* Does the Protocol field admit p? (No Protocol: every protocol.) */
static bool proto_has(const struct dfc_spec *s, unsigned int p)
{
	bool pos = false, any_pos = false;

	for (unsigned int i = 0; i < s->proto.n; i++) {
		bool in = p >= s->proto.item[i].lo && p <= s->proto.item[i].hi;

		if (s->proto.item[i].neg) {
			if (in)
				return false;
		} else {
			any_pos = true;
			pos |= in;
		}
	}
	return pos || !any_pos;
}

/*
 * The elements of a list parameter, each decoded (split on the raw text:
 * an escaped comma is part of an element). 0, -EINVAL (empty element, bad
 * escape, too long) or -E2BIG (more than max).
 */
static int list_items(const struct dtcp_param *p, char items[][80], unsigned int max,
		      unsigned int *n)
{
	struct dtcp_span el[DTCP_MAX_IFACES + 1];
	int k;

	*n = 0;
	if (max > DTCP_MAX_IFACES + 1)
		max = DTCP_MAX_IFACES + 1;
	k = dtcp_list_split(p->raw, el, max);
	if (k < 0)
		return k;
	for (int i = 0; i < k; i++)
		if (dtcp_span_decode(&el[i], items[i], 80) < 0)
			return -EINVAL;
	*n = k;
	return 0;
}

static int addr_parse(const char *s, int *family, uint8_t a[16])
{
	memset(a, 0, 16);
	if (inet_pton(AF_INET, s, a) == 1) {
		*family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a) == 1) {
		*family = AF_INET6;
		return 0;
	}
	return -EINVAL;
}

static int jtap_dests(struct dtcp_server *s, const struct dtcp_msg *m, struct dtcp_add *a,
		      struct dtcp_err *e)
{
	const struct dtcp_param *pa = dtcp_msg_pget(m, DTCP_P_JT_DEST_ADDRESS);
	const struct dtcp_param *pp = dtcp_msg_pget(m, DTCP_P_JT_DEST_PORT);
	const struct dtcp_param *sa = dtcp_msg_pget(m, DTCP_P_JT_SOURCE_ADDRESS);
	const struct dtcp_param *sp = dtcp_msg_pget(m, DTCP_P_JT_SOURCE_PORT);
	const struct dtcp_param *tt = dtcp_msg_pget(m, DTCP_P_JT_TTL);
	char addrs[DTCP_MAX_DEST + 1][80], ports[DTCP_MAX_DEST + 1][80];
	unsigned int na, np;
	uint8_t saddr[16];
	uint64_t v, sport, ttl = 255;
	int sfam, err;

	(void)s;
	if (!pp)
		return dtcp_fail(e, 901, pa, "X-JTap-Cdest-Dest-Port is required");
	if (!sa)
		return dtcp_fail(e, 901, pa, "X-JTap-Cdest-Source-Address is required");
	if (!sp)
		return dtcp_fail(e, 901, pa, "X-JTap-Cdest-Source-Port is required");
	err = list_items(pa, addrs, DTCP_MAX_DEST, &na);
	if (err)
		return dtcp_fail(e, err == -E2BIG ? 400 : 901, pa,
				 "X-JTap-Cdest-Dest-Address: 1 or 2 addresses");
	err = list_items(pp, ports, DTCP_MAX_DEST, &np);
	if (err)
		return dtcp_fail(e, err == -E2BIG ? 400 : 901, pp,
				 "X-JTap-Cdest-Dest-Port: 1 or 2 ports");
	if (na != a->n_dest || np != a->n_dest)
		return dtcp_fail(e, 432, pa, "Cdest-ID, X-JTap-Cdest-Dest-Address and "
				 "X-JTap-Cdest-Dest-Port must have as many entries");
	if (addr_parse(sa->value, &sfam, saddr))
		return dtcp_fail(e, 901, sa, "bad X-JTap-Cdest-Source-Address");
	if (dtcp_parse_u64(sp->value, 65535, &sport))
		return dtcp_fail(e, 901, sp, "bad X-JTap-Cdest-Source-Port");
	if (tt && dtcp_parse_u64(tt->value, 255, &ttl))
		return dtcp_fail(e, 901, tt, "bad X-JTap-Cdest-TTL");
	for (unsigned int i = 0; i < a->n_dest; i++) {
		struct dtcp_kdest *j = &a->kd[i];
		uint8_t daddr[16];
		int fam;

		if (addr_parse(addrs[i], &fam, daddr))
			return dtcp_fail(e, 901, pa, "bad X-JTap-Cdest-Dest-Address '%s'", addrs[i]);
		if (fam != sfam)
			return dtcp_fail(e, 901, pa, "destination and source address families differ");
		if (dtcp_parse_u64(ports[i], 65535, &v) || !v)
			return dtcp_fail(e, 901, pp, "bad X-JTap-Cdest-Dest-Port '%s'", ports[i]);
		memset(j, 0, sizeof(*j));
		j->encap = DFC_ENCAP_UDP;
		j->family = fam;
		memcpy(j->addr, daddr, 16);
		memcpy(j->src, saddr, 16);
		j->has_src = true;
		j->dport = v;
		j->sport = sport;
		j->ttl = ttl;
		/* Its kernel id comes from the source's table (rdest.c), at ADD. */
		memcpy(j->name, a->dest_names[i], strnlen(a->dest_names[i], sizeof(j->name) - 1));
	}
	a->request_dest = true;
	return 0;
}

static int input_ifaces(struct dtcp_server *s, const struct dtcp_msg *m, struct dtcp_add *a,
			struct dtcp_err *e)
{
	const struct dtcp_param *in = dtcp_msg_pget(m, DTCP_P_JT_INPUT_IFACE);
	const struct dtcp_param *out = dtcp_msg_pget(m, DTCP_P_JT_OUTPUT_IFACE);
	const struct dtcp_param *vrf = dtcp_msg_pget(m, DTCP_P_JT_VRF_NAME);
	char names[DTCP_MAX_IFACES + 1][80];
	unsigned int n;
	int err;

	if (!!in + !!out + !!vrf > 1)
		return dtcp_fail(e, 432, in ? in : out, "X-JTap-VRF-Name, X-JTap-Input-Interface "
				 "and X-JTap-Output-Interface exclude each other");
	if (vrf)
		return dtcp_fail(e, 901, vrf, "VRF '%s' is not configured", vrf->value);
	if (out)
		return dtcp_fail(e, 501, out, "output interfaces: only ingress is captured");
	if (!in)
		return 0;
	err = list_items(in, names, DTCP_MAX_IFACES, &n);
	if (err == -E2BIG)
		return dtcp_fail(e, 400, in, "X-JTap-Input-Interface: at most 8 interfaces");
	if (err)
		return dtcp_fail(e, 400, in, "X-JTap-Input-Interface: 1 to 8 interfaces");
	for (unsigned int i = 0; i < n; i++) {
		const char *name;
		char unit0[96];
		unsigned int idx = 0;

		/* "ge-1/3/5" means unit 0: look for both spellings in the map. */
		name = dtcp_config_ifname(s->cfg, names[i]);
		if (name == names[i] && !strchr(names[i], '.')) {
			snprintf(unit0, sizeof(unit0), "%s.0", names[i]);
			name = dtcp_config_ifname(s->cfg, unit0);
			if (!strcmp(name, unit0))
				name = names[i];
		}
		if (s->ifindex)
			idx = s->ifindex(name);
		if (!idx)
			return dtcp_fail(e, 901, in, "interface '%s' is not configured", names[i]);
		for (unsigned int j = 0; j < a->n_if; j++)
			if (a->ifindex[j] == idx)
				idx = 0;
		if (idx)
			a->ifindex[a->n_if++] = idx;
	}
	return 0;
}

int dtcp_add_parse(struct dtcp_server *s, struct dtcp_src *src, const struct dtcp_msg *m,
		   int ver, struct dtcp_add *a, struct dtcp_err *e)
{
	const struct dtcp_csource *cs = src->cfg;
	const struct dtcp_param *p;
	struct dtcp_timeouts t;
	bool ports, icmp;
	unsigned int fl = 0;
	uint64_t prio = 1;
	int err;

	memset(a, 0, sizeof(*a));

	/* Destinations: configured ones by name, or defined by the request. */
	p = a->cdest_param = dtcp_msg_pget(m, DTCP_P_CDEST_ID);
	if (!p)
		return dtcp_fail(e, 400, NULL, "Cdest-ID is required");
	err = list_items(p, a->dest_names, DTCP_MAX_DEST, &a->n_dest);
	if (err)
		return dtcp_fail(e, 400, p, "Cdest-ID: one or two destinations");
	if (a->n_dest > 1 && ver < DTCP_VER(0, 7))
		return dtcp_fail(e, 400, p, "a Cdest-ID list needs DTCP/0.7");
	for (unsigned int i = 0; i < a->n_dest; i++) {
		for (unsigned int j = 0; j < i; j++)
			if (!strcmp(a->dest_names[i], a->dest_names[j]))
				return dtcp_fail(e, 400, p, "Cdest-ID lists '%s' twice",
						 a->dest_names[i]);
	}
	if (dtcp_msg_pget(m, DTCP_P_JT_DEST_ADDRESS)) {
		if (!cs->request_dests) {
			snprintf(e->cdest, sizeof(e->cdest), "%s", a->dest_names[0]);
			return dtcp_fail(e, 430, NULL, "this control source may not define "
					 "content destinations in requests");
		}
		if (jtap_dests(s, m, a, e))
			return -1;
	} else {
		static const enum dtcp_pid jt[] = { DTCP_P_JT_DEST_PORT,
			DTCP_P_JT_SOURCE_ADDRESS, DTCP_P_JT_SOURCE_PORT, DTCP_P_JT_TTL };

		for (unsigned int i = 0; i < 4; i++)
			if ((p = dtcp_msg_pget(m, jt[i])))
				return dtcp_fail(e, 901, p, "X-JTap-Cdest-Dest-Address is required");
		for (unsigned int i = 0; i < a->n_dest; i++) {
			const struct dtcp_cdest *d = dtcp_config_cdest(cs->group, a->dest_names[i]);

			if (!d || !dtcp_csource_allows(cs, d)) {
				snprintf(e->cdest, sizeof(e->cdest), "%s", a->dest_names[i]);
				return dtcp_fail(e, 430, NULL, "unknown content destination");
			}
			a->cdest_kid[i] = d->kid;
		}
	}

	/* Filter. */
	if ((p = dtcp_msg_pget(m, DTCP_P_JT_FILTER_FAMILY)) &&
	    strcasecmp(p->value, "inet") && strcasecmp(p->value, "inet6"))
		return dtcp_fail(e, 501, p, "filter family '%s' is not implemented", p->value);
	if ((p = dtcp_msg_pget(m, DTCP_P_JT_IP_VERSION))) {
		if (!strcasecmp(p->value, "ipv4") || !strcmp(p->value, "4"))
			a->spec.ipver = 4;
		else if (!strcasecmp(p->value, "ipv6") || !strcmp(p->value, "6"))
			a->spec.ipver = 6;
		else
			return dtcp_fail(e, 901, p, "X-JTap-IP-Version: ipv4 or ipv6");
	}
	ports = icmp = true;
	for (unsigned int i = 0; i < sizeof(filters) / sizeof(filters[0]); i++) {
		enum dfc_spec_field f = filters[i].f;
		const char *why = NULL;

		p = dtcp_msg_pget(m, filters[i].id);
		if (!p)
			continue;
		a->any_filter = true;
		if ((f == DFC_SPEC_SPORT || f == DFC_SPEC_DPORT) && !ports)
			continue;
		if ((f == DFC_SPEC_ICMP_TYPE || f == DFC_SPEC_ICMP_CODE) && !icmp)
			continue;
		/* "Source-Port: *" from a DTCP client means don't care, not "has ports". */
		if (!strcmp(p->value, "*") && f != DFC_SPEC_SRC && f != DFC_SPEC_DST &&
		    f != DFC_SPEC_PROTO)
			continue;
		if (p->escaped)
			return dtcp_fail(e, 432, p, "escapes are not allowed in filter values");
		if (dfc_spec_parse_field(&a->spec, f, p->value, &why))
			return dtcp_fail(e, 432, p, "%s", why ? why : "bad filter value");
		if (f == DFC_SPEC_PROTO) {
			/* Ports and ICMP fields only mean something for their protocols. */
			ports = proto_has(&a->spec, 6) || proto_has(&a->spec, 17) ||
				proto_has(&a->spec, 132) || proto_has(&a->spec, 136);
			icmp = proto_has(&a->spec, 1) || proto_has(&a->spec, 58);
		}
	}
	if (input_ifaces(s, m, a, e))
		return -1;

	/* Timeouts, flags, priority, action. */
	if (dtcp_timeouts_parse(m, &t, e))
		return -1;
	if ((p = dtcp_msg_pget(m, DTCP_P_FLAGS)) && dtcp_flags_parse(p->raw, &fl))
		return dtcp_fail(e, 400, p, "unknown flag");
	if (fl & DTCP_FL_STATIC)
		a->flags |= DFC_CRIT_F_STATIC;
	if (fl & DTCP_FL_SENDASYNC)
		a->flags |= DFC_CRIT_F_SEND_ASYNC;
	if (!(a->flags & DFC_CRIT_F_STATIC)) {
		if (!t.idle && !t.total && !t.packets && !t.bytes)
			return dtcp_fail(e, 433, dtcp_msg_pget(m, DTCP_P_TIMEOUT_IDLE),
					 "a criterion that is not Static needs a non-zero timeout");
		a->t_idle = t.idle;
		a->t_total = t.total;
		a->t_packets = t.packets;
		a->t_bytes = t.bytes;
	}
	if ((p = dtcp_msg_pget(m, DTCP_P_PRIORITY))) {
		if (dtcp_parse_u64(p->value, 255, &prio) || !prio)
			return dtcp_fail(e, 400, p, "Priority: 1..255");
	}
	a->prio = prio + cs->min_prio;
	if ((p = dtcp_msg_pget(m, DTCP_P_ACTION)) && strcasecmp(p->value, "Copy"))
		return dtcp_fail(e, 501, p, "action '%s' is not implemented: only Copy", p->value);
	return 0;
}

int dtcp_add_expand(struct dtcp_server *s, struct dtcp_add *a, unsigned int *n_entries,
		    unsigned int *n_excl, struct dtcp_err *e)
{
	unsigned int ne = 0, nx = 0, passes = a->n_if ? a->n_if : 1;
	int err = 0;

	/* One expansion per input interface: entries on different interfaces are disjoint. */
	for (unsigned int i = 0; i < passes && !err; i++) {
		unsigned int n = 0, x = 0;
		const char *why = NULL;

		a->spec.ifindex = a->n_if ? a->ifindex[i] : 0;
		err = dfc_spec_expand(&a->spec, s->entries + ne, DFC_CRIT_MAX_ENTRIES - ne, &n,
				      s->excl + nx, DFC_CRIT_MAX_EXCL - nx, &x, &why);
		if (err == -ENOMEM)
			dtcp_fail(e, 500, NULL, "out of memory");
		else if (err)
			dtcp_fail(e, 432, NULL, "%s", why ? why : "filter cannot be expanded");
		ne += n;
		nx += x;
	}
	/* The interfaces are a->ifindex's; the filter itself names none. */
	a->spec.ifindex = 0;
	if (err)
		return -1;
	*n_entries = ne;
	*n_excl = nx;
	return 0;
}

int dtcp_crit_dest(const struct dtcp_crit *c, unsigned int k, char *out, size_t size)
{
	struct dtcp_span el[DTCP_MAX_DEST];
	int n = c->cdests ? dtcp_list_split(c->cdests, el, DTCP_MAX_DEST) : -EINVAL;

	if (n < 0 || k >= (unsigned int)n || dtcp_span_decode(&el[k], out, size) < 0)
		return -EINVAL;
	return 0;
}
