// SPDX-License-Identifier: GPL-2.0
/*
 * Sending one copy: the original IP packet, byte for byte, behind a new
 * outer IP (and, for flow-tap destinations, UDP) header. The route lookup
 * carries the outer protocol, so xfrm policies apply and strongSwan's SAs
 * protect the copy; an ipsec-required destination never gets a copy in
 * clear. Copies larger than the path MTU are fragmented (outer header, DF
 * clear), never silently lost.
 */
#define pr_fmt(fmt) "dfc: " fmt

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter_netdev.h>
#include <linux/skbuff.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/route.h>
#include <net/xfrm.h>
#include <uapi/linux/dfc.h>
#include "cdest.h"
#include "hook.h"
#include "xmit.h"

/* A copy's own output path never leads back into the hook on this CPU. */
static DEFINE_PER_CPU(u8, dfc_xmit_depth);

/*
 * Copies' buffers come from page fragments, as a driver's receive buffers
 * do: cheaper than kmalloc() per copy, and sized to the copy, not to the
 * next power of two. Only the hook's CPU (softirq) touches its cache.
 */
static DEFINE_PER_CPU(struct page_frag_cache, dfc_xmit_frags);

/* An skb with room for size bytes of data, or NULL. */
static struct sk_buff *dfc_xmit_alloc(unsigned int size)
{
	unsigned int fsize = SKB_HEAD_ALIGN(size);
	struct sk_buff *skb;
	void *data;

	if (fsize > PAGE_SIZE || !in_softirq() || in_hardirq())
		return alloc_skb(size, GFP_ATOMIC);
	data = page_frag_alloc(this_cpu_ptr(&dfc_xmit_frags), fsize, GFP_ATOMIC);
	if (!data)
		return NULL;
	/* The head from the CPU's NAPI cache of them. */
	skb = napi_build_skb(data, fsize);
	if (!skb)
		page_frag_free(data);
	return skb;
}

void dfc_xmit_uninit(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct page_frag_cache *nc = per_cpu_ptr(&dfc_xmit_frags, cpu);

		if (!nc->va)
			continue;
		__page_frag_cache_drain(virt_to_head_page(nc->va),
					nc->pagecnt_bias);
		nc->va = NULL;
	}
}

/* Never send out of a monitored port: our copies would be captured again. */
static bool dev_monitored(const struct net_device *dev)
{
	const struct nf_hook_entries *e = rcu_dereference(dev->nf_hooks_ingress);
	unsigned int i;

	for (i = 0; e && i < e->num_hook_entries; i++)
		if (e->hooks[i].hook == dfc_hook_rx)
			return true;
	return false;
}

static u8 outer_proto(const struct dfc_cdest_cfg *cfg, u8 inner_ver)
{
	if (cfg->encap == DFC_ENCAP_UDP)
		return IPPROTO_UDP;
	return inner_ver == 6 ? IPPROTO_IPV6 : IPPROTO_IPIP;
}

/*
 * The lookups behind the route caches, apart: their flows (zeroed whole
 * on Debian's kernel, INIT_STACK_ALL_ZERO) are built only on a miss.
 */
static noinline struct dst_entry *
route4_lookup(struct net *net, struct dst_cache *cache,
	      const struct dfc_cdest_cfg *cfg, u8 proto, __be32 *saddr)
{
	struct flowi4 fl4 = {
		.daddr = cfg->addr.s6_addr32[0],
		.saddr = cfg->has_src ? cfg->src.s6_addr32[0] : 0,
		.flowi4_proto = proto,
		.flowi4_tos = cfg->dscp << 2,
		.fl4_sport = cfg->sport,
		.fl4_dport = cfg->dport,
	};
	struct rtable *rt;

	/* With a protocol in the flow, this also runs the xfrm lookup. */
	rt = ip_route_output_flow(net, &fl4, NULL);
	if (IS_ERR(rt))
		return NULL;
	*saddr = fl4.saddr;
	if (cache)
		dst_cache_set_ip4(cache, &rt->dst, fl4.saddr);
	return &rt->dst;
}

static noinline struct dst_entry *
route6_lookup(struct net *net, struct dst_cache *cache,
	      const struct dfc_cdest_cfg *cfg, u8 proto, struct in6_addr *saddr)
{
	struct flowi6 fl6 = {
		.daddr = cfg->addr,
		.flowi6_proto = proto,
		.flowlabel = ip6_make_flowinfo(cfg->dscp << 2, 0),
		.fl6_sport = cfg->sport,
		.fl6_dport = cfg->dport,
	};
	struct dst_entry *dst;

	if (cfg->has_src)
		fl6.saddr = cfg->src;
	dst = ip6_dst_lookup_flow(net, NULL, &fl6, NULL);
	if (IS_ERR(dst))
		return NULL;
	*saddr = fl6.saddr;
	if (cache)
		dst_cache_set_ip6(cache, dst, &fl6.saddr);
	return dst;
}

static struct dst_entry *route4(struct net *net, struct dst_cache *cache,
				const struct dfc_cdest_cfg *cfg, u8 proto,
				__be32 *saddr)
{
	struct rtable *rt = cache ? dst_cache_get_ip4(cache, saddr) : NULL;

	return rt ? &rt->dst : route4_lookup(net, cache, cfg, proto, saddr);
}

static struct dst_entry *route6(struct net *net, struct dst_cache *cache,
				const struct dfc_cdest_cfg *cfg, u8 proto,
				struct in6_addr *saddr)
{
	struct dst_entry *dst = cache ? dst_cache_get_ip6(cache, saddr) : NULL;

	return dst ?: route6_lookup(net, cache, cfg, proto, saddr);
}

static void put_udp(struct sk_buff *skb, const struct dfc_cdest_cfg *cfg,
		    unsigned int len)
{
	struct udphdr *uh = udp_hdr(skb);

	uh->source = cfg->sport;
	uh->dest = cfg->dport;
	uh->len = htons(len);
	uh->check = 0;
}

static void put_ip6(struct sk_buff *skb, const struct dfc_cdest_cfg *cfg,
		    u8 proto, const struct in6_addr *saddr, unsigned int plen)
{
	struct ipv6hdr *ip6 = ipv6_hdr(skb);

	skb->protocol = htons(ETH_P_IPV6);
	ip6_flow_hdr(ip6, cfg->dscp << 2, 0);
	ip6->payload_len = htons(plen);
	ip6->nexthdr = proto;
	ip6->hop_limit = cfg->ttl;
	ip6->saddr = *saddr;
	ip6->daddr = cfg->addr;
	if (cfg->encap == DFC_ENCAP_UDP) {
		struct udphdr *uh = udp_hdr(skb);

		put_udp(skb, cfg, plen);
		/* IPv6 forbids a zero UDP checksum. */
		uh->check = csum_ipv6_magic(&ip6->saddr, &ip6->daddr, plen,
					    IPPROTO_UDP,
					    skb_checksum(skb, sizeof(*ip6), plen, 0));
		if (!uh->check)
			uh->check = CSUM_MANGLED_0;
	}
	/* Fragment rather than answer "too big" to ourselves. */
	skb->ignore_df = 1;
}

static void put_ip4(struct net *net, struct sk_buff *skb,
		    const struct dfc_cdest_cfg *cfg, u8 proto, __be32 saddr,
		    unsigned int plen)
{
	struct iphdr *iph = ip_hdr(skb);

	skb->protocol = htons(ETH_P_IP);
	iph->version = 4;
	iph->ihl = 5;
	iph->tos = cfg->dscp << 2;
	iph->frag_off = 0;	/* DF clear: routers may fragment */
	iph->ttl = cfg->ttl;
	iph->protocol = proto;
	iph->saddr = saddr;
	iph->daddr = cfg->addr.s6_addr32[0];
	iph->tot_len = htons(skb->len);
	ip_select_ident(net, skb, NULL);
	if (cfg->encap == DFC_ENCAP_UDP)
		put_udp(skb, cfg, plen);
}

/*
 * A frame whose sender left its transport checksum to the device
 * (CHECKSUM_PARTIAL: from a veth or virtio peer) carries only the
 * pseudo-header sum: the copy (the IP packet at hlen in nskb) gets the
 * checksum the device would have written.
 */
static void dfc_xmit_csum(struct sk_buff *nskb, const struct sk_buff *skb,
			  unsigned int off, unsigned int len, unsigned int hlen)
{
	int start = skb_checksum_start_offset(skb) - (int)off;

	if (skb->ip_summed != CHECKSUM_PARTIAL || start < 0 ||
	    start + skb->csum_offset + sizeof(__sum16) > len)
		return;
	/* The stack's own resolution, on the copy's inner packet. */
	if (skb_partial_csum_set(nskb, hlen + start, skb->csum_offset))
		skb_checksum_help(nskb);
}

/*
 * Below this, copying the bytes costs less than taking and dropping a
 * page reference (drivers' copybreak is of the same order).
 */
#define DFC_XMIT_SHARE_MIN 256

/*
 * How much of a copy of len bytes at off must be copied, the rest holding
 * references to the frame's pages instead: len when nothing may be shared.
 * Sharing needs a frame that dies after the hook (may_share: a passive port;
 * no later hook or layer writes it, and other holders, such as a packet
 * socket's clone, only read it), pages that no page pool takes back by
 * its own count, none from the emergency reserves and none lent or shared
 * by a sender (zerocopy, a file's pages: their bytes may change), and a
 * complete checksum (dfc_xmit_csum() would write into the copy).
 *
 * A packet in the head is shared if the head is a page fragment, as
 * drivers' receive buffers are. A packet that goes on into page fragments
 * (behind the headers a driver copied into a small head) shares those
 * fragments and copies the rest of its head, unless that is a page
 * fragment large enough to share too. slots: how many fragments the copy
 * may have.
 */
static unsigned int dfc_xmit_copy_len(const struct sk_buff *skb,
				      unsigned int off, unsigned int len,
				      bool may_share, unsigned int slots)
{
	const struct skb_shared_info *si = skb_shinfo(skb);
	unsigned int head = skb_headlen(skb), lin, pos, i, n;

	if (!may_share || len < DFC_XMIT_SHARE_MIN || skb->pp_recycle ||
	    skb->pfmemalloc || skb->ip_summed == CHECKSUM_PARTIAL)
		return len;
	if (off + len <= head)
		return skb->head_frag ? 0 : len;
	if (off > head || skb_has_frag_list(skb) ||
	    (si->flags & (SKBFL_ZEROCOPY_ENABLE | SKBFL_MANAGED_FRAG_REFS |
			  SKBFL_SHARED_FRAG)))
		return len;
	lin = head - off;
	if (skb->head_frag && lin >= DFC_XMIT_SHARE_MIN)
		lin = 0;
	if (len - lin < DFC_XMIT_SHARE_MIN)
		return len;
	/* The fragments the packet's end reaches into, one slot each. */
	n = !lin && off < head;
	for (i = 0, pos = head; i < si->nr_frags && pos < off + len; i++, n++)
		pos += skb_frag_size(&si->frags[i]);
	return n <= slots && pos >= off + len ? lin : len;
}

/*
 * Do the route's transformations take a copy with shared bytes in its
 * fragments as it is? ESP encrypts it out of place, into new pages, while
 * those bytes and its trailer (with any TFC padding) fit in a page;
 * beyond that, or under another transformation (AH), xfrm reallocates the
 * copy and copies it whole (skb_cow_data()): dearer than one copy into a
 * buffer sized for it.
 */
static bool dfc_xmit_xfrm_takes(const struct dst_entry *dst,
				unsigned int shared)
{
	unsigned int tail = dst->trailer_len;
	const struct dst_entry *d;

	if (!dst->xfrm)
		return true;
	for (d = dst; d && d->xfrm; d = xfrm_dst_child(d)) {
		if (d->xfrm->id.proto != IPPROTO_ESP)
			return false;
		tail += d->xfrm->tfcpad;	/* padding beyond trailer_len */
	}
	return ALIGN(shared + tail, L1_CACHE_BYTES) <= PAGE_SIZE;
}

/*
 * The copy's bytes from off + lin to off + len as fragments: the frame's
 * head page, then its own fragments, each referenced (dfc_xmit_copy_len()
 * said which). The copy is marked as sharing them: whatever writes into
 * it (a checksum, netfilter, IPsec) works on a private copy, or out of
 * place, as ESP does.
 */
static void dfc_xmit_share(struct sk_buff *nskb, const struct sk_buff *skb,
			   unsigned int off, unsigned int lin, unsigned int len)
{
	const struct skb_shared_info *si = skb_shinfo(skb);
	unsigned int head = skb_headlen(skb), pos = off + lin, end = off + len;
	unsigned int i, at, n, slot = 0;

	if (pos < head) {
		struct page *page = virt_to_head_page(skb->head);
		unsigned int poff = skb->data + pos -
				    (unsigned char *)page_address(page);

		/* What the copy keeps from being freed: the frame's buffer. */
		n = min(end, head) - pos;
		get_page(page);
		skb_add_rx_frag(nskb, slot++, page, poff, n, skb_end_offset(skb) +
				SKB_DATA_ALIGN(sizeof(struct skb_shared_info)));
		pos += n;
	}
	for (i = 0, at = head; i < si->nr_frags && pos < end; i++) {
		const skb_frag_t *f = &si->frags[i];
		unsigned int fend = at + skb_frag_size(f);

		if (pos < fend) {
			/* A fragment's share counts the bytes it holds. */
			n = min(end, fend) - pos;
			get_page(skb_frag_page(f));
			skb_add_rx_frag(nskb, slot++, skb_frag_page(f),
					skb_frag_off(f) + pos - at, n, n);
			pos += n;
		}
		at = fend;
	}
	skb_shinfo(nskb)->flags |= SKBFL_SHARED_FRAG;
}

/* The copy's bytes: a linear frame, the usual one, needs no walk of frags. */
static int dfc_xmit_copy_bits(const struct sk_buff *skb, unsigned int off,
			      void *to, unsigned int len)
{
	if (off + len <= skb_headlen(skb)) {
		memcpy(to, skb->data + off, len);
		return 0;
	}
	return skb_copy_bits(skb, off, to, len);
}

/*
 * Copy len bytes of the IP packet at offset off of skb to cd, with
 * skb->mark mark (the namespace's copy mark); may_share: skb dies after the
 * hook (dfc_xmit_copy_len()). Called from the hook (softirq, RCU held).
 * Counts the outcome on cd: a copy is sent only once the output path took
 * it.
 */
enum dfc_xmit_ret dfc_xmit(struct net *net, struct dfc_cdest *cd,
			   const struct sk_buff *skb, unsigned int off,
			   unsigned int len, u8 inner_ver, u32 mark, bool may_share)
{
	/* Settings and routes of one version: never mixed with another. */
	struct dfc_cdest_cfg *cfg = rcu_dereference(cd->cfg);
	unsigned int iplen = cfg->ipver == 6 ? sizeof(struct ipv6hdr) :
					       sizeof(struct iphdr);
	unsigned int hlen = iplen + (cfg->encap == DFC_ENCAP_UDP ?
				     sizeof(struct udphdr) : 0);
	u8 proto = outer_proto(cfg, inner_ver);
	struct in6_addr saddr6 = {};
	struct dst_cache *cache;
	struct dst_entry *dst;
	struct sk_buff *nskb;
	unsigned int wire;
	__be32 saddr4 = 0;
	unsigned int lin;
	bool shared;
	int err;

	if (unlikely(__this_cpu_read(dfc_xmit_depth))) {
		dfc_cdest_drop(cd, DFC_DROP_LOOP);
		return DFC_XMIT_DROPPED;
	}
	if (hlen + len > IP_MAX_MTU) {
		dfc_cdest_drop(cd, DFC_DROP_TOOBIG);
		return DFC_XMIT_DROPPED;
	}
	/* A dying namespace caches nothing: dfc_cdest_release_routes(). */
	cache = check_net(net) ? &cfg->cache : NULL;
	dst = cfg->ipver == 6 ? route6(net, cache, cfg, proto, &saddr6) :
				route4(net, cache, cfg, proto, &saddr4);
	if (!dst) {
		dfc_cdest_drop(cd, DFC_DROP_NOROUTE);
		return DFC_XMIT_DROPPED;
	}
	/* Fail closed: no transformation on the route, no copy. */
	if ((cfg->flags & DFC_CDEST_F_IPSEC_REQUIRED) && !dst->xfrm) {
		dst_release(dst);
		dfc_cdest_drop(cd, DFC_DROP_NOIPSEC);
		return DFC_XMIT_DROPPED;
	}
	if (dev_monitored(dst->dev)) {
		dst_release(dst);
		dfc_cdest_drop(cd, DFC_DROP_LOOP);
		return DFC_XMIT_DROPPED;
	}

	/*
	 * Room for what xfrm adds (ESP: header, trailer): never reallocated.
	 * A shared copy ends in fragments; ESP adds its trailer as another,
	 * so under xfrm one slot stays free (or ESP copies the copy whole).
	 */
	lin = dfc_xmit_copy_len(skb, off, len, may_share,
				dst->xfrm ? MAX_SKB_FRAGS - 1 : MAX_SKB_FRAGS);
	if (lin < len && !dfc_xmit_xfrm_takes(dst, len - lin))
		lin = len;
	shared = lin < len;
	nskb = dfc_xmit_alloc(LL_RESERVED_SPACE(dst->dev) + dst->header_len +
			      hlen + (shared ? lin : len + dst->trailer_len));
	if (!nskb) {
		dst_release(dst);
		dfc_cdest_drop(cd, DFC_DROP_NOMEM);
		return DFC_XMIT_DROPPED;
	}
	skb_reserve(nskb, LL_RESERVED_SPACE(dst->dev) + dst->header_len);
	/* Sized above: no tail check. */
	__skb_put(nskb, hlen + lin);
	if (dfc_xmit_copy_bits(skb, off, nskb->data + hlen, lin)) {
		kfree_skb(nskb);
		dst_release(dst);
		dfc_cdest_drop(cd, DFC_DROP_NOMEM);
		return DFC_XMIT_DROPPED;
	}
	if (shared)
		dfc_xmit_share(nskb, skb, off, lin, len);
	dfc_xmit_csum(nskb, skb, off, len, hlen);
	skb_reset_network_header(nskb);
	skb_set_transport_header(nskb, iplen);
	skb_dst_set(nskb, dst);
	/*
	 * After the route lookup, so routing and xfrm policy never see it:
	 * dfc_hook_rx() knows the copy by it if it comes back.
	 */
	nskb->mark = mark;

	if (cfg->ipver == 6)
		put_ip6(nskb, cfg, proto, &saddr6, hlen - iplen + len);
	else
		put_ip4(net, nskb, cfg, proto, saddr4, hlen - iplen + len);
	wire = nskb->len;
	__this_cpu_inc(dfc_xmit_depth);
	if (cfg->ipver == 6)
		err = ip6_local_out(net, NULL, nskb);
	else
		err = ip_local_out(net, NULL, nskb);
	__this_cpu_dec(dfc_xmit_depth);
	/* Congestion notified is still sent; any other error is a drop. */
	if (unlikely(net_xmit_eval(err))) {
		dfc_cdest_drop(cd, DFC_DROP_TXERR);
		return DFC_XMIT_DROPPED;
	}
	dfc_cdest_sent(cd, wire);
	return shared ? DFC_XMIT_SHARED : DFC_XMIT_COPIED;
}
