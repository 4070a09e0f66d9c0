// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dfcctl cdest show: which xfrm policy covers a destination's copies and
 * which SA protects them, read from the kernel's xfrm tables with
 * libnl-xfrm and matched as the kernel matches (ipsec_match.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <netlink/netlink.h>
#include <netlink/cache.h>
#include <netlink/errno.h>
#include <netlink/xfrm/lifetime.h>
#include <netlink/xfrm/sa.h>
#include <netlink/xfrm/selector.h>
#include <netlink/xfrm/sp.h>
#include <netlink/xfrm/template.h>
#include <linux/xfrm.h>

#include "dfcctl.h"
#include "ipsec.h"
#include "ipsec_match.h"

#define MAX_TMPL 6 /* XFRM_MAX_DEPTH: templates a policy holds at most */

struct pol {
	struct dfc_ipsec_pol m;
	struct dfc_ipsec_tmpl t[MAX_TMPL];
	int n_tmpl;
};

struct sa {
	struct dfc_ipsec_sa m;
	char enc[68], auth[68], aead[68];	/* kernel names: 64 bytes at most */
	unsigned int enc_bits, auth_bits, aead_bits, trunc_bits, icv_bits;
	uint64_t soft_bytes, hard_bytes, soft_packets, hard_packets, soft_add, hard_add;
	uint64_t bytes, packets;
};

struct dfc_ipsec {
	struct pol *pol;
	size_t n_pol;
	struct sa *sa;
	size_t n_sa;
	struct dfc_ipsec_pol *pm;	/* the match views, in the same order */
	struct dfc_ipsec_sa *sm;
};

/* An nl_addr into 16 bytes, left-aligned. */
static void take_addr(uint8_t out[16], struct nl_addr *a)
{
	memset(out, 0, 16);
	if (a && nl_addr_get_len(a) <= 16)
		memcpy(out, nl_addr_get_binary_addr(a), nl_addr_get_len(a));
}

static void take_sel(struct dfc_ipsec_sel *s, struct xfrmnl_sel *x)
{
	memset(s, 0, sizeof(*s));
	if (!x)
		return;
	s->family = xfrmnl_sel_get_family(x);
	take_addr(s->daddr, xfrmnl_sel_get_daddr(x));
	take_addr(s->saddr, xfrmnl_sel_get_saddr(x));
	s->prefixlen_d = (uint8_t)xfrmnl_sel_get_prefixlen_d(x);
	s->prefixlen_s = (uint8_t)xfrmnl_sel_get_prefixlen_s(x);
	s->proto = (uint8_t)xfrmnl_sel_get_proto(x);
	s->dport = (uint16_t)xfrmnl_sel_get_dport(x);
	s->dport_mask = (uint16_t)xfrmnl_sel_get_dportmask(x);
	s->sport = (uint16_t)xfrmnl_sel_get_sport(x);
	s->sport_mask = (uint16_t)xfrmnl_sel_get_sportmask(x);
	s->ifindex = xfrmnl_sel_get_ifindex(x);
}

/* An algorithm name printable anywhere: control characters become '?'. */
static void clean_name(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			*s = '?';
}

static void take_algs(struct sa *o, struct xfrmnl_sa *x)
{
	/* libnl copies the key out too: room for the largest an attribute holds, wiped after */
	static char key[65536];
	unsigned int kbits, extra;

	if (!xfrmnl_sa_get_aead_params(x, o->aead, &kbits, &extra, key)) {
		o->aead_bits = kbits;
		o->icv_bits = extra;
	}
	if (!xfrmnl_sa_get_crypto_params(x, o->enc, &kbits, key))
		o->enc_bits = kbits;
	if (!xfrmnl_sa_get_auth_params(x, o->auth, &kbits, &extra, key)) {
		o->auth_bits = kbits;
		o->trunc_bits = extra;
	}
	explicit_bzero(key, sizeof(key));
	clean_name(o->aead);
	clean_name(o->enc);
	clean_name(o->auth);
}

static int load_sa(struct dfc_ipsec *x, struct nl_cache *cache)
{
	int n = nl_cache_nitems(cache), i = 0;
	time_t now = time(NULL);

	x->sa = calloc((size_t)n + 1, sizeof(*x->sa));
	x->sm = calloc((size_t)n + 1, sizeof(*x->sm));
	if (!x->sa || !x->sm)
		return -ENOMEM;
	for (struct nl_object *o = nl_cache_get_first(cache); o && i < n;
	     o = nl_cache_get_next(o)) {
		struct xfrmnl_sa *s = (struct xfrmnl_sa *)o;
		struct xfrmnl_ltime_cfg *lt = xfrmnl_sa_get_lifetime_cfg(s);
		unsigned long long b = 0, p = 0, add = 0, use = 0;
		unsigned int mm = 0, mv = 0;
		struct sa *a = &x->sa[i++];

		a->m.family = xfrmnl_sa_get_family(s);
		take_addr(a->m.daddr, xfrmnl_sa_get_daddr(s));
		take_addr(a->m.saddr, xfrmnl_sa_get_saddr(s));
		a->m.spi = (uint32_t)xfrmnl_sa_get_spi(s);
		a->m.reqid = (uint32_t)xfrmnl_sa_get_reqid(s);
		a->m.proto = (uint8_t)xfrmnl_sa_get_proto(s);
		a->m.mode = (uint8_t)xfrmnl_sa_get_mode(s);
		if (!xfrmnl_sa_get_mark(s, &mm, &mv))
			a->m.mark_v = mv & mm;
		take_sel(&a->m.sel, xfrmnl_sa_get_sel(s));
		if (!xfrmnl_sa_get_curlifetime(s, &b, &p, &add, &use)) {
			a->bytes = b;
			a->packets = p;
			a->m.add_time = add;
		}
		a->soft_bytes = a->hard_bytes = a->soft_packets = a->hard_packets = XFRM_INF;
		a->soft_add = a->hard_add = XFRM_INF;
		if (lt) {
			a->soft_bytes = xfrmnl_ltime_cfg_get_soft_bytelimit(lt);
			a->hard_bytes = xfrmnl_ltime_cfg_get_hard_bytelimit(lt);
			a->soft_packets = xfrmnl_ltime_cfg_get_soft_packetlimit(lt);
			a->hard_packets = xfrmnl_ltime_cfg_get_hard_packetlimit(lt);
			a->soft_add = xfrmnl_ltime_cfg_get_soft_addexpires(lt);
			a->hard_add = xfrmnl_ltime_cfg_get_hard_addexpires(lt);
			/* no time limit is 0 there, XFRM_INF for the others: one way here */
			a->soft_add = a->soft_add ? a->soft_add : XFRM_INF;
			a->hard_add = a->hard_add ? a->hard_add : XFRM_INF;
		}
		take_algs(a, s);
		/* the kernel marks it dying at a soft limit; dumps do not say so */
		a->m.dying = (a->soft_bytes != XFRM_INF && a->bytes >= a->soft_bytes) ||
			     (a->soft_packets != XFRM_INF && a->packets >= a->soft_packets) ||
			     (a->soft_add != XFRM_INF &&
			      (uint64_t)now >= a->m.add_time + a->soft_add);
		x->sm[i - 1] = a->m;
	}
	x->n_sa = (size_t)i;
	return 0;
}

static int load_pol(struct dfc_ipsec *x, struct nl_cache *cache)
{
	int n = nl_cache_nitems(cache), i = 0;

	x->pol = calloc((size_t)n + 1, sizeof(*x->pol));
	x->pm = calloc((size_t)n + 1, sizeof(*x->pm));
	if (!x->pol || !x->pm)
		return -ENOMEM;
	for (struct nl_object *o = nl_cache_get_first(cache); o && i < n;
	     o = nl_cache_get_next(o)) {
		struct xfrmnl_sp *s = (struct xfrmnl_sp *)o;
		unsigned int mm = 0, mv = 0;
		struct pol *p = &x->pol[i++];

		take_sel(&p->m.sel, xfrmnl_sp_get_sel(s));
		p->m.priority = (uint32_t)xfrmnl_sp_get_priority(s);
		p->m.index = (uint32_t)xfrmnl_sp_get_index(s);
		p->m.dir = (uint8_t)xfrmnl_sp_get_dir(s);
		p->m.action = (uint8_t)xfrmnl_sp_get_action(s);
		if (!xfrmnl_sp_get_mark(s, &mm, &mv))
			p->m.mark_v = mv & mm;
		for (int k = 0; k < xfrmnl_sp_get_nusertemplates(s) && k < MAX_TMPL; k++) {
			struct xfrmnl_user_tmpl *u = xfrmnl_sp_usertemplate_n(s, k);
			struct dfc_ipsec_tmpl *t = &p->t[p->n_tmpl];

			if (!u)
				break;
			t->family = xfrmnl_user_tmpl_get_family(u);
			take_addr(t->daddr, xfrmnl_user_tmpl_get_daddr(u));
			take_addr(t->saddr, xfrmnl_user_tmpl_get_saddr(u));
			t->spi = (uint32_t)xfrmnl_user_tmpl_get_spi(u);
			t->reqid = (uint32_t)xfrmnl_user_tmpl_get_reqid(u);
			t->proto = (uint8_t)xfrmnl_user_tmpl_get_proto(u);
			t->mode = (uint8_t)xfrmnl_user_tmpl_get_mode(u);
			t->optional = xfrmnl_user_tmpl_get_optional(u) > 0;
			p->n_tmpl++;
		}
		x->pm[i - 1] = p->m;
	}
	x->n_pol = (size_t)i;
	return 0;
}

struct dfc_ipsec *dfc_ipsec_load(char *err, size_t size)
{
	struct dfc_ipsec *x = calloc(1, sizeof(*x));
	struct nl_cache *sp = NULL, *sa = NULL;
	struct nl_sock *sk = nl_socket_alloc();
	int e = -ENOMEM;

	if (!x || !sk)
		goto out;
	e = nl_connect(sk, NETLINK_XFRM);
	if (!e)
		e = xfrmnl_sp_alloc_cache(sk, &sp);
	if (!e)
		e = xfrmnl_sa_alloc_cache(sk, &sa);
	if (e) {
		snprintf(err, size, "xfrm: %s", nl_geterror(e));
		e = -EIO;
		goto out;
	}
	e = load_pol(x, sp);
	if (!e)
		e = load_sa(x, sa);
out:
	if (e == -ENOMEM)
		snprintf(err, size, "xfrm: %s", strerror(ENOMEM));
	if (sp)
		nl_cache_free(sp);
	if (sa)
		nl_cache_free(sa);
	nl_socket_free(sk);
	if (e) {
		dfc_ipsec_free(x);
		return NULL;
	}
	return x;
}

void dfc_ipsec_free(struct dfc_ipsec *x)
{
	if (!x)
		return;
	if (x->sa)
		explicit_bzero(x->sa, x->n_sa * sizeof(*x->sa));
	free(x->pol);
	free(x->pm);
	free(x->sa);
	free(x->sm);
	free(x);
}

/*
 * The source of d's copies: configured, or the one the route picks (a
 * connected UDP socket is told it; nothing is sent). false: unknown.
 */
static bool cdest_source(const struct dfc_nl_cdest *d, uint8_t out[16], bool *routed)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len = sizeof(ss);
	bool ok = false;
	int fd;

	*routed = false;
	memset(out, 0, 16);
	if (d->has_src) {
		memcpy(out, d->src, 16);
		return true;
	}
	fd = socket(d->ipver == 6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	if (d->ipver == 6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(9);
		memcpy(&s6->sin6_addr, d->addr, 16);
		len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(9);
		memcpy(&s4->sin_addr, d->addr, 4);
		len = sizeof(*s4);
	}
	if (!connect(fd, (struct sockaddr *)&ss, len)) {
		len = sizeof(ss);
		if (!getsockname(fd, (struct sockaddr *)&ss, &len)) {
			if (d->ipver == 6)
				memcpy(out, &((struct sockaddr_in6 *)&ss)->sin6_addr, 16);
			else
				memcpy(out, &((struct sockaddr_in *)&ss)->sin_addr, 4);
			ok = *routed = true;
		}
	}
	close(fd);
	return ok;
}

/* The flows of d's copies: ipip: protocol 4 and 41 (by inner version); udp: one. */
static int cdest_flows(const struct dfc_nl_cdest *d, struct dfc_ipsec_flow fl[2], bool *routed)
{
	int n = d->encap == DFC_ENCAP_UDP ? 1 : 2;

	for (int i = 0; i < n; i++) {
		memset(&fl[i], 0, sizeof(fl[i]));
		fl[i].family = d->ipver == 6 ? AF_INET6 : AF_INET;
		memcpy(fl[i].daddr, d->addr, 16);
		fl[i].has_saddr = cdest_source(d, fl[i].saddr, routed);
		fl[i].proto = d->encap == DFC_ENCAP_UDP ? IPPROTO_UDP : i ? IPPROTO_IPV6 : IPPROTO_IPIP;
		fl[i].sport = d->encap == DFC_ENCAP_UDP ? d->sport : 0;
		fl[i].dport = d->encap == DFC_ENCAP_UDP ? d->dport : 0;
	}
	return n;
}

/* What one flow gets: the policy, and per template the SA and how many fit. */
struct verdict {
	int pol;
	int sa[MAX_TMPL];
	unsigned int fit[MAX_TMPL];
	bool covered;
};

static void judge(const struct dfc_ipsec *x, const struct dfc_ipsec_flow *fl, struct verdict *v)
{
	const struct pol *p;

	memset(v, 0, sizeof(*v));
	v->pol = dfc_ipsec_policy_pick(x->pm, x->n_pol, fl);
	if (v->pol < 0)
		return;
	p = &x->pol[v->pol];
	v->covered = p->m.action == XFRM_POLICY_ALLOW && p->n_tmpl > 0;
	for (int k = 0; k < p->n_tmpl; k++) {
		v->sa[k] = dfc_ipsec_sa_pick(x->sm, x->n_sa, &p->t[k], fl, &v->fit[k]);
		if (v->sa[k] < 0 && !p->t[k].optional)
			v->covered = false;
	}
}

static void fmt_a(char *buf, size_t size, int family, const uint8_t *a)
{
	if (!inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, a, buf, (socklen_t)size))
		snprintf(buf, size, "?");
}

static const char *mode_name(uint8_t m)
{
	return m == XFRM_MODE_TRANSPORT ? "transport" : m == XFRM_MODE_TUNNEL ? "tunnel" :
	       m == XFRM_MODE_BEET ? "beet" : "other";
}

static const char *proto_name(uint8_t p)
{
	return p == IPPROTO_ESP ? "esp" : p == IPPROTO_AH ? "ah" : p == IPPROTO_COMP ? "comp" :
	       "other";
}

static const char *flow_name(const struct dfc_ipsec_flow *fl, char *buf, size_t size)
{
	if (fl->proto == IPPROTO_UDP)
		snprintf(buf, size, "udp dport %u", fl->dport);
	else
		snprintf(buf, size, "proto %u (IPv%c inner)", fl->proto,
			 fl->proto == IPPROTO_IPIP ? '4' : '6');
	return buf;
}

const char *dfc_ipsec_summary(const struct dfc_ipsec *x, const struct dfc_nl_cdest *d)
{
	struct dfc_ipsec_flow fl[2];
	struct verdict v;
	bool routed;
	int n, yes = 0;

	if (!x)
		return "?";
	n = cdest_flows(d, fl, &routed);
	for (int i = 0; i < n; i++) {
		judge(x, &fl[i], &v);
		yes += v.covered;
	}
	return yes == n ? "yes" : yes ? "partial" : "no";
}

/* "none" for XFRM_INF (no limit), else the number. */
static void fmt_lim(char *buf, size_t size, uint64_t v)
{
	if (v == XFRM_INF)
		snprintf(buf, size, "none");
	else
		snprintf(buf, size, "%" PRIu64, v);
}

static void print_sa(const struct sa *a)
{
	char s[INET6_ADDRSTRLEN], dd[INET6_ADDRSTRLEN], l[6][24];
	const uint64_t lim[6] = { a->soft_bytes, a->hard_bytes, a->soft_packets,
				  a->hard_packets, a->soft_add, a->hard_add };

	fmt_a(s, sizeof(s), a->m.family, a->m.saddr);
	fmt_a(dd, sizeof(dd), a->m.family, a->m.daddr);
	printf("    sa %s spi 0x%08" PRIx32 " %s %s -> %s reqid %" PRIu32 "%s\n",
	       proto_name(a->m.proto), a->m.spi, mode_name(a->m.mode), s, dd, a->m.reqid,
	       a->m.dying ? " (soft limit reached: being replaced)" : "");
	printf("     ");
	if (a->aead[0])
		printf(" aead %s %u-bit icv %u", a->aead, a->aead_bits, a->icv_bits);
	if (a->enc[0])
		printf(" enc %s %u-bit", a->enc, a->enc_bits);
	if (a->auth[0])
		printf(" auth %s %u-bit trunc %u", a->auth, a->auth_bits, a->trunc_bits);
	putchar('\n');
	for (int i = 0; i < 6; i++)
		fmt_lim(l[i], sizeof(l[i]), lim[i]);
	printf("      limits: bytes soft %s hard %s, packets soft %s hard %s, "
	       "seconds soft %s hard %s\n", l[0], l[1], l[2], l[3], l[4], l[5]);
	printf("      current: %" PRIu64 " bytes, %" PRIu64 " packets\n", a->bytes, a->packets);
}

static void print_pol(const struct pol *p)
{
	char s[INET6_ADDRSTRLEN], dd[INET6_ADDRSTRLEN];

	fmt_a(s, sizeof(s), p->m.sel.family, p->m.sel.saddr);
	fmt_a(dd, sizeof(dd), p->m.sel.family, p->m.sel.daddr);
	printf("    policy out index %" PRIu32 " priority %" PRIu32 " %s: %s/%u -> %s/%u",
	       p->m.index, p->m.priority, p->m.action == XFRM_POLICY_ALLOW ? "allow" : "block",
	       s, p->m.sel.prefixlen_s, dd, p->m.sel.prefixlen_d);
	if (p->m.sel.proto)
		printf(" proto %u", p->m.sel.proto);
	if (p->m.sel.dport_mask)
		printf(" dport %u", p->m.sel.dport);
	putchar('\n');
}

void dfc_ipsec_print(const struct dfc_ipsec *x, const struct dfc_nl_cdest *d)
{
	bool req = d->flags & DFC_CDEST_F_IPSEC_REQUIRED, routed;
	struct dfc_ipsec_flow fl[2];
	char name[48], src[INET6_ADDRSTRLEN];
	int n;

	printf("  ipsec: %s; kernel: %s (noipsec drops %" PRIu64 ")\n",
	       req ? "required" : "not required",
	       d->noipsec ? "copies dropped for want of IPsec" :
	       req ? "no copy dropped for want of IPsec now" : "copies go out in clear without "
	       "a policy", d->stats.noipsec);
	if (!x) {
		printf("  xfrm: not readable\n");
		return;
	}
	n = cdest_flows(d, fl, &routed);
	if (fl[0].has_saddr)
		fmt_a(src, sizeof(src), fl[0].family, fl[0].saddr);
	else
		snprintf(src, sizeof(src), "unknown (no route)");
	printf("  copies from %s%s\n", src, routed ? " (the route's choice)" : "");
	for (int i = 0; i < n; i++) {
		struct verdict v;
		const struct pol *p;

		judge(x, &fl[i], &v);
		printf("  %s: %s\n", flow_name(&fl[i], name, sizeof(name)),
		       v.covered ? "covered" : v.pol < 0 ? "not covered (no policy)" :
		       x->pol[v.pol].m.action != XFRM_POLICY_ALLOW ? "blocked by policy" :
		       "not covered (no SA)");
		if (v.pol < 0)
			continue;
		p = &x->pol[v.pol];
		print_pol(p);
		for (int k = 0; k < p->n_tmpl; k++) {
			if (v.sa[k] >= 0)
				print_sa(&x->sa[v.sa[k]]);
			else
				printf("    sa %s %s reqid %" PRIu32 ": none%s\n",
				       proto_name(p->t[k].proto), mode_name(p->t[k].mode),
				       p->t[k].reqid, p->t[k].optional ? " (optional)" : "");
			if (v.fit[k] > 1)
				printf("    (%u SAs fit: a rekey in progress; the one in use shown)\n",
				       v.fit[k]);
		}
	}
}

/* A limit for JSON: null for none. */
static json_t *jlim(uint64_t v)
{
	return v == XFRM_INF ? json_null() : json_integer((json_int_t)v);
}

static json_t *alg_json(const char *name, unsigned int bits, const char *extra, unsigned int e)
{
	if (!name[0])
		return json_null();
	return extra ? json_pack("{s:s, s:I, s:I}", "name", name, "key_bits", (json_int_t)bits,
				 extra, (json_int_t)e) :
		       json_pack("{s:s, s:I}", "name", name, "key_bits", (json_int_t)bits);
}

static json_t *sa_json(const struct sa *a, unsigned int fit)
{
	char s[INET6_ADDRSTRLEN], dd[INET6_ADDRSTRLEN], spi[16];

	fmt_a(s, sizeof(s), a->m.family, a->m.saddr);
	fmt_a(dd, sizeof(dd), a->m.family, a->m.daddr);
	snprintf(spi, sizeof(spi), "0x%08" PRIx32, a->m.spi);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:b, s:I, s:o, s:o, s:o,"
			 " s:{s:o, s:o, s:o, s:o, s:o, s:o}, s:{s:I, s:I}}",
			 "spi", spi, "proto", proto_name(a->m.proto), "mode", mode_name(a->m.mode),
			 "src", s, "dst", dd, "reqid", (json_int_t)a->m.reqid, "dying", a->m.dying,
			 "fit", (json_int_t)fit,
			 "aead", alg_json(a->aead, a->aead_bits, "icv_bits", a->icv_bits),
			 "enc", alg_json(a->enc, a->enc_bits, NULL, 0),
			 "auth", alg_json(a->auth, a->auth_bits, "trunc_bits", a->trunc_bits),
			 "limits", "soft_bytes", jlim(a->soft_bytes), "hard_bytes", jlim(a->hard_bytes),
			 "soft_packets", jlim(a->soft_packets),
			 "hard_packets", jlim(a->hard_packets),
			 "soft_seconds", jlim(a->soft_add), "hard_seconds", jlim(a->hard_add),
			 "current", "bytes", (json_int_t)a->bytes, "packets", (json_int_t)a->packets);
}

static json_t *pol_json(const struct dfc_ipsec *x, const struct verdict *v)
{
	const struct pol *p = &x->pol[v->pol];
	char s[INET6_ADDRSTRLEN], dd[INET6_ADDRSTRLEN];
	json_t *sas = json_array(), *o;

	for (int k = 0; sas && k < p->n_tmpl; k++)
		if (json_array_append_new(sas, v->sa[k] >= 0 ?
					  sa_json(&x->sa[v->sa[k]], v->fit[k]) : json_null())) {
			json_decref(sas);
			sas = NULL;
		}
	if (!sas)
		return NULL;
	fmt_a(s, sizeof(s), p->m.sel.family, p->m.sel.saddr);
	fmt_a(dd, sizeof(dd), p->m.sel.family, p->m.sel.daddr);
	o = json_pack("{s:I, s:I, s:s, s:{s:s, s:I, s:s, s:I, s:I, s:I, s:I}, s:o}",
		      "index", (json_int_t)p->m.index, "priority", (json_int_t)p->m.priority,
		      "action", p->m.action == XFRM_POLICY_ALLOW ? "allow" : "block",
		      "selector", "src", s, "src_prefix", (json_int_t)p->m.sel.prefixlen_s,
		      "dst", dd, "dst_prefix", (json_int_t)p->m.sel.prefixlen_d,
		      "proto", (json_int_t)p->m.sel.proto, "dport", (json_int_t)p->m.sel.dport,
		      "dport_mask", (json_int_t)p->m.sel.dport_mask, "sas", sas);
	return o;
}

json_t *dfc_ipsec_json(const struct dfc_ipsec *x, const struct dfc_nl_cdest *d)
{
	bool req = d->flags & DFC_CDEST_F_IPSEC_REQUIRED, routed, all = true;
	struct dfc_ipsec_flow fl[2];
	char src[INET6_ADDRSTRLEN];
	json_t *flows, *o;
	int n;

	if (!x)
		return json_pack("{s:b, s:b, s:n, s:n}", "required", req,
				 "kernel_noipsec", d->noipsec != 0, "covered", "flows");
	n = cdest_flows(d, fl, &routed);
	flows = json_array();
	for (int i = 0; flows && i < n; i++) {
		struct verdict v;
		json_t *f;

		judge(x, &fl[i], &v);
		all &= v.covered;
		f = json_pack("{s:I, s:o, s:b, s:o}", "proto", (json_int_t)fl[i].proto,
			      "dport", fl[i].proto == IPPROTO_UDP ?
			      json_integer(fl[i].dport) : json_null(),
			      "covered", v.covered,
			      "policy", v.pol < 0 ? json_null() : pol_json(x, &v));
		if (json_array_append_new(flows, f)) {
			json_decref(flows);
			flows = NULL;
		}
	}
	if (!flows)
		return NULL;
	if (fl[0].has_saddr)
		fmt_a(src, sizeof(src), fl[0].family, fl[0].saddr);
	o = json_pack("{s:b, s:b, s:o, s:s, s:b, s:o}", "required", req,
		      "kernel_noipsec", d->noipsec != 0,
		      "src", fl[0].has_saddr ? json_string(src) : json_null(),
		      "src_from", d->has_src ? "config" : routed ? "route" : "unknown",
		      "covered", all, "flows", flows);
	return o;
}
