/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DFC_ENTRY_H
#define _DFC_ENTRY_H

#include "key.h"

/*
 * One entry as the netlink API describes it (host byte order), before it
 * becomes a masked key. A zero mask or prefix length is a wildcard.
 */
struct dfc_espec {
	u8 ipver;			/* 0: any, else 4 or 6 */
	u8 src_plen;
	u8 dst_plen;
	u8 src[16];
	u8 dst[16];
	bool ports;			/* a port condition, even all-zero */
	u16 sport, sport_mask;
	u16 dport, dport_mask;
	/* A range sport..sport_max instead of a mask (which is then 0). */
	bool sport_range, dport_range;
	u16 sport_max, dport_max;
	u8 proto, proto_mask;
	bool icmp;			/* an ICMP condition, even all-zero */
	u8 icmp_type, icmp_type_mask;
	u8 icmp_code, icmp_code_mask;
	u32 ifindex;			/* 0: any */
};

/* Which field a rejected espec got wrong (for extack). */
enum dfc_espec_field {
	DFC_ESPEC_OK,
	DFC_ESPEC_IPVER,
	DFC_ESPEC_SRC,
	DFC_ESPEC_DST,
	DFC_ESPEC_SPORT,
	DFC_ESPEC_DPORT,
	DFC_ESPEC_PROTO,
	DFC_ESPEC_ICMP_TYPE,
	DFC_ESPEC_ICMP_CODE,
	DFC_ESPEC_SPORT_RANGE,
	DFC_ESPEC_DPORT_RANGE,
};

int dfc_espec_to_key(const struct dfc_espec *s, struct dfc_key *val,
		     struct dfc_key *mask, struct dfc_prange *pr,
		     enum dfc_espec_field *bad, const char **why);

#endif /* _DFC_ENTRY_H */
