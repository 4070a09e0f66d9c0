/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DFC_PARSE_H
#define _DFC_PARSE_H

#include <linux/skbuff.h>
#include "key.h"

/* Encapsulations looked through before giving up on a frame. */
#define DFC_PARSE_MAX_VLANS	2	/* 802.1Q/802.1ad tags, hwaccel included */
#define DFC_PARSE_MAX_LABELS	8	/* MPLS label stack entries */
#define DFC_PARSE_MAX_EXTHDRS	64	/* IPv6 extension headers */

/*
 * Why an IP frame's key has no ports or ICMP type/code: it is still looked
 * up by addresses and protocol, and only criteria asking for those fields
 * miss it.
 */
enum dfc_no_l4 {
	DFC_NO_L4_NONE,
	DFC_NO_L4_EXTHDRS,	/* more IPv6 extension headers than the bound */
	DFC_NO_L4_TRUNCATED,	/* headers cut by the IP length */
	DFC_NO_L4_FRAGMENT,	/* a fragment other than the first */
};

/* Where the IP packet is in the frame: what a copy carries. */
struct dfc_l3 {
	unsigned int off;		/* from skb->data */
	unsigned int len;		/* IP total length, no link padding */
	u8 no_l4;			/* enum dfc_no_l4 */
	/* A fragment (key->flags DFC_KEY_F_FRAG): the datagram's identity. */
	u8 frag_proto;			/* IPv4 protocol, IPv6 fragment nexthdr */
	__be32 frag_id;			/* IPv4 id (in the low 16 bits), IPv6 id */
};

/*
 * Parses a frame at the netdev ingress hook (skb->data at the network
 * header) into @key, without modifying the skb. Returns 0 for an IP frame
 * (key->ipver set), -EPROTONOSUPPORT for a frame that is not IP or whose
 * payload cannot be reached (ARP, a third VLAN tag, a ninth MPLS label,
 * non-IP MPLS payload, a cut encapsulation), -EINVAL for an IPv4/IPv6
 * header that is itself malformed or truncated. On success @l3 says where
 * the IP packet is, and l3->no_l4 why the key lacks ports or ICMP fields
 * that the protocol would carry.
 */
int dfc_parse(const struct sk_buff *skb, struct dfc_key *key,
	      struct dfc_l3 *l3);

#endif /* _DFC_PARSE_H */
