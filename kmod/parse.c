// SPDX-License-Identifier: GPL-2.0
/*
 * The frame parser: every frame a monitored interface receives is parsed
 * once into a struct dfc_key, in softirq. The skb may be shared with packet
 * sockets, so it is only ever read through skb_header_pointer(): never
 * pulled, linearized or written.
 *
 * At the netdev ingress hook skb->data is at the network header and
 * skb->protocol is the EtherType after the first VLAN tag, which the stack
 * has already moved into skb->vlan_tci (hwaccel, or skb_vlan_untag() in
 * __netif_receive_skb_core()). What is left is walked in this order:
 *
 *   [802.1Q/802.1ad tag]  at most DFC_PARSE_MAX_VLANS tags in all
 *   [MPLS label stack]    at most DFC_PARSE_MAX_LABELS labels; the payload
 *                         after the bottom of stack is IPv4 or IPv6 by its
 *                         first nibble
 *   IPv4 | IPv6 [extension headers, at most DFC_PARSE_MAX_EXTHDRS]
 *   [TCP/UDP/SCTP/UDP-Lite ports | ICMP/ICMPv6 type and code]
 *
 * Until an IP header is reached a frame is "other" (-EPROTONOSUPPORT):
 * non-IP EtherTypes, too many tags or labels, non-IP MPLS payload, and
 * encapsulation headers cut short. An IP header cut short or with a bad
 * version, header length or total/payload length beyond the frame is
 * "unparseable" (-EINVAL). Past a readable IP header every frame gets a
 * key with its addresses, so that no target escapes an address criterion
 * by shaping what follows: when ports or ICMP type/code cannot be read
 * (an extension header chain longer than the bound, headers cut by the IP
 * length, a fragment other than the first) the key lacks them, l3->no_l4
 * says why, and key->proto is the last header type reached. The IPv4
 * header checksum is not checked (that is the stack's business, and a
 * capture should see such packets). Lengths are checked against the IP
 * total/payload length, so Ethernet padding is never taken for headers.
 */
#define pr_fmt(fmt) "dfc: " fmt

#include <linux/if_ether.h>
#include <linux/if_vlan.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/string.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <uapi/linux/mpls.h>
#include "parse.h"

/*
 * The transport header at @off, the IP payload ending at @end (already
 * checked to lie within the skb). key->proto and key->ipver are set.
 */
static int dfc_parse_l4(const struct sk_buff *skb, unsigned int off,
			unsigned int end, struct dfc_key *key,
			struct dfc_l3 *l3)
{
	__be16 buf[2];
	const __be16 *p;
	const u8 *t;
	bool v4, icmp4;

	switch (key->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
	case IPPROTO_UDPLITE:
		/* Source and destination port lead all four headers. */
		if (end - off < sizeof(buf))
			goto truncated;
		p = skb_header_pointer(skb, off, sizeof(buf), buf);
		if (unlikely(!p))
			goto truncated;
		key->sport = p[0];
		key->dport = p[1];
		key->flags |= DFC_KEY_F_PORTS;
		return 0;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		/* ICMP in IPv6 or ICMPv6 in IPv4: just a protocol number. */
		v4 = key->ipver == 4;
		icmp4 = key->proto == IPPROTO_ICMP;
		if (v4 != icmp4)
			return 0;
		if (end - off < 2)
			goto truncated;
		t = skb_header_pointer(skb, off, 2, buf);
		if (unlikely(!t))
			goto truncated;
		key->icmp_type = t[0];
		key->icmp_code = t[1];
		key->flags |= DFC_KEY_F_ICMP;
		return 0;
	default:
		return 0;
	}
truncated:
	l3->no_l4 = DFC_NO_L4_TRUNCATED;
	return 0;
}

static int dfc_parse_ipv4(const struct sk_buff *skb, unsigned int off,
			  struct dfc_key *key, struct dfc_l3 *l3)
{
	const struct iphdr *iph;
	unsigned int hlen, tot;
	struct iphdr buf;

	iph = skb_header_pointer(skb, off, sizeof(buf), &buf);
	if (!iph || iph->version != 4 || iph->ihl < 5)
		return -EINVAL;
	hlen = iph->ihl * 4;
	tot = ntohs(iph->tot_len);
	/* BIG TCP aggregates of more than 64 KiB carry a zero length. */
	if (unlikely(!tot) && skb_is_gso(skb))
		tot = skb->len - off;
	if (tot < hlen || tot > skb->len - off)
		return -EINVAL;

	l3->off = off;
	l3->len = tot;
	key->ipver = 4;
	key->proto = iph->protocol;
	key->src[0] = iph->saddr;
	key->dst[0] = iph->daddr;
	if (unlikely(iph->frag_off & htons(IP_MF | IP_OFFSET))) {
		key->flags |= DFC_KEY_F_FRAG;
		l3->frag_proto = iph->protocol;
		l3->frag_id = (__force __be32)iph->id;
		/* Only the first fragment carries the transport header. */
		if (iph->frag_off & htons(IP_OFFSET)) {
			l3->no_l4 = DFC_NO_L4_FRAGMENT;
			return 0;
		}
	}
	return dfc_parse_l4(skb, off + hlen, off + tot, key, l3);
}

static int dfc_parse_ipv6(const struct sk_buff *skb, unsigned int off,
			  struct dfc_key *key, struct dfc_l3 *l3)
{
	const struct ipv6hdr *ip6;
	struct ipv6hdr buf;
	unsigned int end, len, n;
	u8 nexthdr;

	ip6 = skb_header_pointer(skb, off, sizeof(buf), &buf);
	if (!ip6 || ip6->version != 6)
		return -EINVAL;
	off += sizeof(*ip6);
	len = ntohs(ip6->payload_len);
	/* GRO aggregates beyond 64 KiB (BIG TCP) carry a zero length. */
	if (unlikely(!len) && skb_is_gso(skb))
		len = skb->len - off;
	if (len > skb->len - off)
		return -EINVAL;
	end = off + len;

	l3->off = off - sizeof(*ip6);
	l3->len = sizeof(*ip6) + len;
	key->ipver = 6;
	memcpy(key->src, &ip6->saddr, sizeof(key->src));
	memcpy(key->dst, &ip6->daddr, sizeof(key->dst));
	nexthdr = ip6->nexthdr;

	for (n = 0;; n++) {
		const struct ipv6_opt_hdr *oh;
		const struct frag_hdr *fh;
		union {
			struct ipv6_opt_hdr oh;
			struct frag_hdr fh;
		} hb;

		/* Until the walk ends, the header it is at. */
		key->proto = nexthdr;
		switch (nexthdr) {
		case NEXTHDR_HOP:
		case NEXTHDR_ROUTING:
		case NEXTHDR_DEST:
		case NEXTHDR_AUTH:
			if (n == DFC_PARSE_MAX_EXTHDRS)
				goto exthdrs;
			if (end - off < sizeof(hb.oh))
				goto truncated;
			oh = skb_header_pointer(skb, off, sizeof(hb.oh), &hb);
			if (unlikely(!oh))
				goto truncated;
			len = nexthdr == NEXTHDR_AUTH ? ipv6_authlen(oh) :
							ipv6_optlen(oh);
			if (len > end - off)
				goto truncated;
			nexthdr = oh->nexthdr;
			break;
		case NEXTHDR_FRAGMENT:
			if (n == DFC_PARSE_MAX_EXTHDRS)
				goto exthdrs;
			if (end - off < sizeof(hb.fh))
				goto truncated;
			fh = skb_header_pointer(skb, off, sizeof(hb.fh), &hb);
			if (unlikely(!fh))
				goto truncated;
			key->flags |= DFC_KEY_F_FRAG;
			l3->frag_proto = fh->nexthdr;
			l3->frag_id = fh->identification;
			if (fh->frag_off & htons(IP6_OFFSET)) {
				/* Not the first: no transport header. */
				key->proto = fh->nexthdr;
				l3->no_l4 = DFC_NO_L4_FRAGMENT;
				return 0;
			}
			len = sizeof(hb.fh);
			nexthdr = fh->nexthdr;
			break;
		default:
			/* Transport, or ESP / no next header: stop there. */
			return dfc_parse_l4(skb, off, end, key, l3);
		}
		off += len;
	}
exthdrs:
	l3->no_l4 = DFC_NO_L4_EXTHDRS;
	return 0;
truncated:
	l3->no_l4 = DFC_NO_L4_TRUNCATED;
	return 0;
}

int dfc_parse(const struct sk_buff *skb, struct dfc_key *key, struct dfc_l3 *l3)
{
	__be16 proto = skb->protocol;
	unsigned int off = 0, n;

	memset(key, 0, sizeof(*key));
	key->ifindex = skb->dev->ifindex;
	l3->no_l4 = DFC_NO_L4_NONE;

	if (likely(proto == htons(ETH_P_IP)))
		return dfc_parse_ipv4(skb, off, key, l3);

	/* Tags the stack left in the data: the second one of QinQ. */
	if (eth_type_vlan(proto)) {
		n = skb_vlan_tag_present(skb) ? 1 : 0;
		do {
			const struct vlan_hdr *vh;
			struct vlan_hdr vbuf;

			if (++n > DFC_PARSE_MAX_VLANS)
				return -EPROTONOSUPPORT;
			vh = skb_header_pointer(skb, off, sizeof(vbuf), &vbuf);
			if (!vh)
				return -EPROTONOSUPPORT;
			proto = vh->h_vlan_encapsulated_proto;
			off += sizeof(vbuf);
		} while (eth_type_vlan(proto));
	}

	if (proto == htons(ETH_P_MPLS_UC) || proto == htons(ETH_P_MPLS_MC)) {
		const __be32 *lse;
		__be32 lbuf;
		const u8 *v;

		for (n = 0;; n++) {
			if (n == DFC_PARSE_MAX_LABELS)
				return -EPROTONOSUPPORT;
			lse = skb_header_pointer(skb, off, sizeof(lbuf), &lbuf);
			if (!lse)
				return -EPROTONOSUPPORT;
			off += sizeof(lbuf);
			if (*lse & htonl(MPLS_LS_S_MASK))
				break;
		}
		/* No protocol field: guess from the IP version nibble. */
		v = skb_header_pointer(skb, off, 1, &lbuf);
		if (!v)
			return -EPROTONOSUPPORT;
		switch (*v >> 4) {
		case 4:
			return dfc_parse_ipv4(skb, off, key, l3);
		case 6:
			return dfc_parse_ipv6(skb, off, key, l3);
		default:
			return -EPROTONOSUPPORT;
		}
	}

	if (proto == htons(ETH_P_IP))
		return dfc_parse_ipv4(skb, off, key, l3);
	if (proto == htons(ETH_P_IPV6))
		return dfc_parse_ipv6(skb, off, key, l3);
	return -EPROTONOSUPPORT;
}
