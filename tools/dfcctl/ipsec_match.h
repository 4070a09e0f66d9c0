/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Which xfrm policy and SA the kernel would use for a destination's
 * copies, decided as net/xfrm does it, on plain values: no netlink here,
 * so the host tests can drive it (selftests/unit_ipsec_match.c).
 */
#ifndef DFCCTL_IPSEC_MATCH_H
#define DFCCTL_IPSEC_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * One flow of copies as dfc.ko routes it: outer family, addresses (the
 * source known or not), protocol 4, 41 or 17 and, for UDP, the ports
 * (host order). No mark, no output interface (the route lookup has none).
 */
struct dfc_ipsec_flow {
	int family;			/* AF_INET or AF_INET6 */
	uint8_t daddr[16], saddr[16];
	bool has_saddr;
	uint8_t proto;
	uint16_t sport, dport;
};

/* An xfrm selector (struct xfrm_selector), ports in host order. */
struct dfc_ipsec_sel {
	int family;
	uint8_t daddr[16], saddr[16];
	uint8_t prefixlen_d, prefixlen_s;
	uint8_t proto;			/* 0: any */
	uint16_t dport, dport_mask, sport, sport_mask;
	int ifindex;			/* 0: any */
};

struct dfc_ipsec_pol {
	struct dfc_ipsec_sel sel;
	uint32_t priority, index;
	uint8_t dir, action;		/* XFRM_POLICY_* */
	uint32_t mark_v, mark_m;
};

/* A policy template: the SA it asks for. */
struct dfc_ipsec_tmpl {
	int family;
	uint8_t daddr[16], saddr[16];
	uint32_t spi, reqid;
	uint8_t proto, mode;		/* IPPROTO_ESP...; XFRM_MODE_* */
	bool optional;
};

struct dfc_ipsec_sa {
	int family;
	uint8_t daddr[16], saddr[16];
	uint32_t spi, reqid;
	uint8_t proto, mode;
	bool dying;			/* a soft limit was reached: being replaced */
	uint64_t add_time;
	struct dfc_ipsec_sel sel;	/* family 0: any flow */
	uint32_t mark_v, mark_m;
};

/* Does the selector take the flow (xfrm_selector_match)? */
bool dfc_ipsec_sel_match(const struct dfc_ipsec_sel *sel, const struct dfc_ipsec_flow *fl);

/*
 * The outbound policy the flow gets: the matching one of lowest priority
 * value, the lowest index among equals. Its position in v, or -1: none.
 */
int dfc_ipsec_policy_pick(const struct dfc_ipsec_pol *v, size_t n,
			  const struct dfc_ipsec_flow *fl);

/*
 * The SA template t resolves to for the flow (xfrm_state_find): of those
 * that fit, one not dying before a dying one, then the newest. Its
 * position in v, or -1; *fit counts those that fit (two while rekeying).
 */
int dfc_ipsec_sa_pick(const struct dfc_ipsec_sa *v, size_t n, const struct dfc_ipsec_tmpl *t,
		      const struct dfc_ipsec_flow *fl, unsigned int *fit);

#endif
