// SPDX-License-Identifier: GPL-2.0
/*
 * From an entry as userspace describes it to the value and mask the table
 * stores. Plain C: also built into the host tests.
 */
#include "entry.h"

#ifndef __KERNEL__
#include <arpa/inet.h>
#endif

/* Prefix of plen bits over an address of alen bytes; rejects host bits. */
static int addr_to_key(const u8 *addr, u8 plen, unsigned int alen,
		       __be32 *val, __be32 *mask)
{
	u8 *v = (u8 *)val, *m = (u8 *)mask;
	unsigned int i;

	if (plen > alen * 8)
		return -1;
	for (i = 0; i < alen; i++) {
		unsigned int bits = plen > i * 8 ? plen - i * 8 : 0;

		m[i] = bits >= 8 ? 0xff : (u8)(0xff00 >> bits);
		if (addr[i] & ~m[i])
			return -1;
		v[i] = addr[i];
	}
	return 0;
}

/*
 * A port range into value, mask and span: a single port is hashed (mask
 * 0xffff), the whole space is a wildcard, anything else is checked beside
 * the key (mask 0). Host order in, host order out.
 */
static int port_range(bool range, u16 lo, u16 hi, u16 *v, u16 *m, u16 *plo,
		      u16 *span)
{
	*plo = 0;
	*span = 0xffff;
	if (!range)
		return 0;
	if (*m || hi < lo)
		return -1;
	if (lo == hi) {
		*v = lo;
		*m = 0xffff;
	} else if (lo || hi != 0xffff) {
		*plo = lo;
		*span = hi - lo;
	}
	return 0;
}

int dfc_espec_to_key(const struct dfc_espec *s, struct dfc_key *val,
		     struct dfc_key *mask, struct dfc_prange *pr,
		     enum dfc_espec_field *bad, const char **why)
{
	unsigned int alen = s->ipver == 6 ? 16 : 4;
	u16 sport = s->sport, sport_mask = s->sport_mask;
	u16 dport = s->dport, dport_mask = s->dport_mask;

	memset(val, 0, sizeof(*val));
	memset(mask, 0, sizeof(*mask));
	*pr = DFC_PRANGE_ANY;
	*bad = DFC_ESPEC_OK;

	if (s->ipver && s->ipver != 4 && s->ipver != 6) {
		*bad = DFC_ESPEC_IPVER;
		*why = "IP version must be 4 or 6";
		return -EINVAL;
	}
	if ((s->src_plen || s->dst_plen) && !s->ipver) {
		*bad = DFC_ESPEC_IPVER;
		*why = "addresses need an IP version";
		return -EINVAL;
	}
	if (s->ipver) {
		val->ipver = s->ipver;
		mask->ipver = 0xff;
	}
	if (s->src_plen &&
	    addr_to_key(s->src, s->src_plen, alen, val->src, mask->src)) {
		*bad = DFC_ESPEC_SRC;
		*why = "source prefix too long or host bits set";
		return -EINVAL;
	}
	if (s->dst_plen &&
	    addr_to_key(s->dst, s->dst_plen, alen, val->dst, mask->dst)) {
		*bad = DFC_ESPEC_DST;
		*why = "destination prefix too long or host bits set";
		return -EINVAL;
	}
	if (port_range(s->sport_range, s->sport, s->sport_max, &sport,
		       &sport_mask, &pr->slo, &pr->sspan)) {
		*bad = DFC_ESPEC_SPORT_RANGE;
		*why = "port range ends below its start or has a mask";
		return -EINVAL;
	}
	if (port_range(s->dport_range, s->dport, s->dport_max, &dport,
		       &dport_mask, &pr->dlo, &pr->dspan)) {
		*bad = DFC_ESPEC_DPORT_RANGE;
		*why = "port range ends below its start or has a mask";
		return -EINVAL;
	}
	if (s->sport_range)
		sport &= sport_mask;
	if (s->dport_range)
		dport &= dport_mask;
	if ((sport & ~sport_mask) || (dport & ~dport_mask)) {
		*bad = sport & ~sport_mask ? DFC_ESPEC_SPORT : DFC_ESPEC_DPORT;
		*why = "port has bits outside its mask";
		return -EINVAL;
	}
	if (s->ports || sport_mask || dport_mask || s->sport_range ||
	    s->dport_range) {
		val->sport = htons(sport);
		mask->sport = htons(sport_mask);
		val->dport = htons(dport);
		mask->dport = htons(dport_mask);
		/* Only frames that carry ports can match a port condition. */
		val->flags |= DFC_KEY_F_PORTS;
		mask->flags |= DFC_KEY_F_PORTS;
	}
	if (s->proto & ~s->proto_mask) {
		*bad = DFC_ESPEC_PROTO;
		*why = "protocol has bits outside its mask";
		return -EINVAL;
	}
	val->proto = s->proto;
	mask->proto = s->proto_mask;
	if ((s->icmp_type & ~s->icmp_type_mask) ||
	    (s->icmp_code & ~s->icmp_code_mask)) {
		*bad = s->icmp_type & ~s->icmp_type_mask ? DFC_ESPEC_ICMP_TYPE :
							   DFC_ESPEC_ICMP_CODE;
		*why = "ICMP value has bits outside its mask";
		return -EINVAL;
	}
	if (s->icmp || s->icmp_type_mask || s->icmp_code_mask) {
		val->icmp_type = s->icmp_type;
		mask->icmp_type = s->icmp_type_mask;
		val->icmp_code = s->icmp_code;
		mask->icmp_code = s->icmp_code_mask;
		val->flags |= DFC_KEY_F_ICMP;
		mask->flags |= DFC_KEY_F_ICMP;
	}
	if (s->ifindex) {
		val->ifindex = s->ifindex;
		mask->ifindex = ~0U;
	}
	return 0;
}
