// SPDX-License-Identifier: GPL-2.0
/*
 * inject: send crafted Ethernet frames out of an interface through
 * AF_PACKET, so guest tests know exactly what a monitored port receives.
 * See usage() for the options. Prints the number of frames and bytes sent.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FRAME_MAX 9000
#define MAX_TAGS 4	/* more than the module looks through, on purpose */
#define MAX_LABELS 16
#define MAX_EXT 128

static void usage(void)
{
	fprintf(stderr,
"usage: inject -i IFACE [-n COUNT] [-t SECONDS] [-k KIND] [-d DSTMAC] [-l LEN]\n"
"              [-S SRCIP] [-D DSTIP] [-P PROTO] [-s SPORT] [-p DPORT]\n"
"              [-T ICMPTYPE] [-C ICMPCODE] [-v VID[,VID...]] [-q VID,VID...]\n"
"              [-m LABEL[,LABEL...]] [-M LABEL[,LABEL...]] [-x EXT[,EXT...]]\n"
"              [-F first|later] [-L IPLEN] [-w FILE] [-c] [-V HEADLEN]\n"
"  -w FILE     write the frame's IP packet (after tags and labels) to FILE\n"
"  -c          UDP over IPv4: a payload of pseudo-random bytes under the\n"
"              UDP checksum, so a receiver checks every byte (with -L\n"
"              shorter than the frame, the datagram ends with the packet)\n"
"  -V HEADLEN  the sending kernel keeps HEADLEN bytes in the frame's head,\n"
"              the rest in page fragments (frames of a page or more)\n"
"  -n COUNT    frames to send (1); 0 with -t: send for SECONDS\n"
"  -k KIND     ipv4 (default), ipv6, arp, or a malformed frame:\n"
"              bad4    IPv4 total length 20 bytes beyond the frame\n"
"              short4  IPv4 header cut after 12 bytes\n"
"              bad6    IPv6 header cut after 20 bytes\n"
"              badlen6 IPv6 payload length 20 bytes beyond the frame\n"
"  -d DSTMAC   destination MAC (02:00:00:00:00:99, foreign to the receiver)\n"
"  -l LEN      frame length from the MAC header on, at least the headers\n"
"  -S, -D      source and destination address (192.0.2.1 -> 192.0.2.2,\n"
"              2001:db8::1 -> 2001:db8::2)\n"
"  -P PROTO    transport: udp (default), tcp, icmp (ICMPv6 over IPv6),\n"
"              sctp, udplite, gre, or a protocol number (8 zero bytes)\n"
"  -s, -p      source (40000) and destination (9) port\n"
"  -T, -C      ICMP type (echo request: 8, or 128 for ICMPv6) and code (0)\n"
"  -v VIDS     802.1Q tags (TPID 0x8100), outermost first; repeatable\n"
"  -q VIDS     802.1ad tag (TPID 0x88a8) then 802.1Q tags (QinQ)\n"
"              at most %d tags in all\n"
"  -m LABELS   MPLS label stack (EtherType 0x8847), top first, at most %d;\n"
"              bottom of stack set on the last\n"
"  -M LABELS   the same with the multicast EtherType 0x8848\n"
"  -x EXTS     IPv6 extension headers in order: hbh, rt, dst, frag, ah\n"
"              (8 bytes each, ah 16), at most %d\n"
"  -F first    first fragment (MF set, offset 0): transport header present\n"
"  -F later    non-first fragment (offset 1480): no transport header\n"
"              IPv6 gets a fragment header if -x has none\n"
"  -L IPLEN    override the IPv4 total length / IPv6 payload length\n",
		MAX_TAGS, MAX_LABELS, MAX_EXT);
	exit(2);
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;

	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* A comma-separated list of numbers, appended to a[*n]. */
static void parse_list(const char *s, unsigned long *a, int *n, int max,
		       unsigned long lim)
{
	char *end;

	for (;;) {
		unsigned long v = strtoul(s, &end, 0);

		if (end == s || v > lim || *n >= max)
			usage();
		a[(*n)++] = v;
		if (!*end)
			return;
		if (*end != ',')
			usage();
		s = end + 1;
	}
}

struct opts {
	const char *src, *dst;
	const char *pname;
	uint16_t sport, dport;
	int icmp_type, icmp_code;
	int ext[MAX_EXT], n_ext;
	int frag;		/* 0 none, 1 first, 2 later */
	int csum;		/* -c */
	long iplen;		/* -1: from the frame */
};

enum { EXT_HBH, EXT_RT, EXT_DST, EXT_FRAG, EXT_AH };
static const char *const ext_names[] = { "hbh", "rt", "dst", "frag", "ah" };
static const uint8_t ext_proto[] = { 0, 43, 60, 44, 51 };

/* The transport protocol number and the size of the header written. */
static int l4_proto(const struct opts *o, int v6, size_t *hlen)
{
	const char *n = o->pname;
	char *end;
	long v;

	if (!strcmp(n, "udp")) {
		*hlen = 8;
		return IPPROTO_UDP;
	} else if (!strcmp(n, "udplite")) {
		*hlen = 8;
		return IPPROTO_UDPLITE;
	} else if (!strcmp(n, "tcp")) {
		*hlen = 20;
		return IPPROTO_TCP;
	} else if (!strcmp(n, "sctp")) {
		*hlen = 12;
		return IPPROTO_SCTP;
	} else if (!strcmp(n, "icmp")) {
		*hlen = 8;
		return v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
	} else if (!strcmp(n, "gre")) {
		*hlen = 4;
		return IPPROTO_GRE;
	}
	v = strtol(n, &end, 0);
	if (end == n || *end || v < 0 || v > 255)
		usage();
	*hlen = 8;
	return (int)v;
}

/* The transport header at @p, @len bytes of transport header + payload. */
static void build_l4(uint8_t *p, size_t len, int proto, const struct opts *o,
		     int v6, int write)
{
	if (!write)	/* a non-first fragment: payload bytes only */
		return;
	switch (proto) {
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
		put16(p, o->sport);
		put16(p + 2, o->dport);
		/* UDP length; for UDP-Lite 0 is the checksum coverage "all". */
		put16(p + 4, proto == IPPROTO_UDP ? (uint16_t)len : 0);
		break;
	case IPPROTO_TCP:
		put16(p, o->sport);
		put16(p + 2, o->dport);
		p[12] = 5 << 4;		/* data offset */
		p[13] = 0x02;		/* SYN */
		put16(p + 14, 65535);
		break;
	case IPPROTO_SCTP:
		put16(p, o->sport);
		put16(p + 2, o->dport);
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		p[0] = o->icmp_type >= 0 ? o->icmp_type : v6 ? 128 : 8;
		p[1] = o->icmp_code;
		if (!v6)
			put16(p + 2, csum_fold(csum_add(0, p, len)));
		break;
	case IPPROTO_GRE:
		put16(p + 2, 0x0800);
		break;
	}
}

static void parse_addr(int af, const char *s, void *a)
{
	if (inet_pton(af, s, a) != 1)
		usage();
}

/*
 * The UDP datagram at @u (@len bytes, ports written) gets its length,
 * pseudo-random payload bytes, no run of which repeats elsewhere, and its
 * checksum.
 */
static void udp4_fill(uint8_t *u, size_t len, const struct iphdr *ip)
{
	uint32_t x = 12345, sum;
	uint16_t c;

	put16(u + 4, (uint16_t)len);
	for (size_t i = 8; i < len; i++) {
		x = x * 1103515245 + 12345;
		u[i] = (uint8_t)(x >> 16);
	}
	sum = csum_add(0, &ip->saddr, 8) + IPPROTO_UDP + (uint32_t)len;
	c = csum_fold(csum_add(sum, u, len));
	put16(u + 6, c ? c : 0xffff);
}

/* IPv4 at @p, @len bytes from the IP header on; returns the min length. */
static size_t build_ipv4(uint8_t *p, size_t len, const struct opts *o,
			 int measure)
{
	struct iphdr *ip = (struct iphdr *)p;
	size_t hl;
	int proto = l4_proto(o, 0, &hl);

	if (o->frag == 2)
		hl = 0;
	if (measure)
		return sizeof(*ip) + hl;
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = (uint8_t)proto;
	ip->tot_len = htons(o->iplen >= 0 ? (uint16_t)o->iplen : (uint16_t)len);
	ip->id = htons(0x1234);
	if (o->frag == 1)
		ip->frag_off = htons(IP_MF);
	else if (o->frag == 2)
		ip->frag_off = htons(1480 / 8);
	parse_addr(AF_INET, o->src ?: "192.0.2.1", &ip->saddr);
	parse_addr(AF_INET, o->dst ?: "192.0.2.2", &ip->daddr);
	ip->check = htons(csum_fold(csum_add(0, ip, sizeof(*ip))));
	build_l4(p + sizeof(*ip), len - sizeof(*ip), proto, o, 0, o->frag != 2);
	/* -L shorter than the frame: the datagram ends with the packet. */
	if (o->iplen >= (long)sizeof(*ip) && (size_t)o->iplen < len)
		len = (size_t)o->iplen;
	if (o->csum && proto == IPPROTO_UDP && !o->frag)
		udp4_fill(p + sizeof(*ip), len - sizeof(*ip), ip);
	return 0;
}

/* IPv6 at @p, extension headers as in -x; returns the min length. */
static size_t build_ipv6(uint8_t *p, size_t len, const struct opts *o,
			 int measure)
{
	struct ip6_hdr *ip6 = (struct ip6_hdr *)p;
	int ext[MAX_EXT + 1], n_ext = o->n_ext, i, has_frag = 0, proto;
	size_t hl, off = sizeof(*ip6);
	uint8_t *nh = &ip6->ip6_nxt;

	memcpy(ext, o->ext, sizeof(o->ext));
	for (i = 0; i < n_ext; i++)
		has_frag |= ext[i] == EXT_FRAG;
	if (o->frag && !has_frag)
		ext[n_ext++] = EXT_FRAG;
	proto = l4_proto(o, 1, &hl);
	if (o->frag == 2)
		hl = 0;
	for (i = 0; i < n_ext; i++) {
		size_t el = ext[i] == EXT_AH ? 16 : 8;

		if (!measure) {
			uint8_t *e = p + off;

			*nh = ext_proto[ext[i]];
			nh = e;
			switch (ext[i]) {
			case EXT_HBH:
			case EXT_DST:
				e[2] = 1;	/* PadN */
				e[3] = 4;
				break;
			case EXT_RT:
				e[2] = 253;	/* experimental type */
				break;
			case EXT_FRAG:
				if (o->frag == 1)
					put16(e + 2, 1);	/* M */
				else if (o->frag == 2)
					put16(e + 2, 1480);	/* offset */
				e[7] = 0x42;			/* id */
				break;
			case EXT_AH:
				e[1] = el / 4 - 2;
				e[7] = 1;	/* SPI */
				break;
			}
		}
		off += el;
	}
	if (measure)
		return off + hl;
	*nh = (uint8_t)proto;
	ip6->ip6_flow = htonl(6u << 28);
	ip6->ip6_plen = htons(o->iplen >= 0 ? (uint16_t)o->iplen :
			      (uint16_t)(len - sizeof(*ip6)));
	ip6->ip6_hlim = 64;
	parse_addr(AF_INET6, o->src ?: "2001:db8::1", &ip6->ip6_src);
	parse_addr(AF_INET6, o->dst ?: "2001:db8::2", &ip6->ip6_dst);
	build_l4(p + off, len - off, proto, o, 1, o->frag != 2);
	return 0;
}

/* An ARP request: counted by the module as "other". */
static size_t build_arp(uint8_t *f)
{
	static const uint8_t arp[] = {
		0, 1, 8, 0, 6, 4, 0, 1,			/* Ethernet/IPv4, request */
		2, 0, 0, 0, 0, 1, 192, 0, 2, 1,		/* sender */
		0, 0, 0, 0, 0, 0, 192, 0, 2, 2,		/* target */
	};

	memcpy(f, arp, sizeof(arp));
	return sizeof(arp);
}

int main(int argc, char **argv)
{
	struct opts o = { .pname = "udp", .sport = 40000,
			  .dport = 9, .icmp_type = -1, .iplen = -1 };
	const char *ifname = NULL, *kind = "ipv4";
	const char *dmac = "02:00:00:00:00:99";
	unsigned long count = 1, sent = 0, bytes = 0;
	unsigned long tags[MAX_TAGS], labels[MAX_LABELS];
	int n_tags = 0, n_labels = 0, stag = 0, mpls_mc = 0;
	size_t len = 0, olen, min, l3off;
	double seconds = 0;
	long headlen = -1;
	/* The frame, behind the virtio header that -V sends first. */
	static uint8_t buf[sizeof(struct virtio_net_hdr) + FRAME_MAX];
	uint8_t *f = buf + sizeof(struct virtio_net_hdr), *out = f;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	struct timespec t0, t;
	unsigned int m[6];
	int opt, fd, i, v6 = 0, cut = 0;
	uint16_t proto;
	char *s, *tok;
	const char *wfile = NULL;

	while ((opt = getopt(argc, argv,
			     "i:n:k:d:l:S:D:p:t:P:s:T:C:v:q:m:M:x:F:L:w:cV:")) != -1) {
		switch (opt) {
		case 'i': ifname = optarg; break;
		case 'n': count = strtoul(optarg, NULL, 0); break;
		case 'k': kind = optarg; break;
		case 'd': dmac = optarg; break;
		case 'l': len = strtoul(optarg, NULL, 0); break;
		case 'S': o.src = optarg; break;
		case 'D': o.dst = optarg; break;
		case 'p': o.dport = (uint16_t)strtoul(optarg, NULL, 0); break;
		case 's': o.sport = (uint16_t)strtoul(optarg, NULL, 0); break;
		case 't': seconds = strtod(optarg, NULL); break;
		case 'w': wfile = optarg; break;
		case 'c': o.csum = 1; break;
		case 'V': headlen = strtol(optarg, NULL, 0); break;
		case 'P': o.pname = optarg; break;
		case 'T': o.icmp_type = (int)strtol(optarg, NULL, 0) & 0xff; break;
		case 'C': o.icmp_code = (int)strtol(optarg, NULL, 0) & 0xff; break;
		case 'q':
			if (n_tags)
				usage();
			stag = 1;
			/* fallthrough */
		case 'v':
			parse_list(optarg, tags, &n_tags, MAX_TAGS, 4095);
			break;
		case 'M':
			mpls_mc = 1;
			/* fallthrough */
		case 'm':
			parse_list(optarg, labels, &n_labels, MAX_LABELS,
				   (1u << 20) - 1);
			break;
		case 'x':
			s = strdup(optarg);
			for (tok = strtok(s, ","); tok; tok = strtok(NULL, ",")) {
				for (i = 0; i < 5 && strcmp(tok, ext_names[i]); i++)
					;
				if (i == 5 || o.n_ext >= MAX_EXT)
					usage();
				o.ext[o.n_ext++] = i;
			}
			free(s);
			break;
		case 'F':
			if (!strcmp(optarg, "first"))
				o.frag = 1;
			else if (!strcmp(optarg, "later"))
				o.frag = 2;
			else
				usage();
			break;
		case 'L': o.iplen = strtol(optarg, NULL, 0) & 0xffff; break;
		default: usage();
		}
	}
	if (!ifname || (!count && seconds <= 0))
		usage();
	if (sscanf(dmac, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3],
		   &m[4], &m[5]) != 6)
		usage();
	for (i = 0; i < 6; i++)
		f[i] = (uint8_t)m[i];
	memcpy(f + 6, "\x02\x00\x00\x00\x00\x01", 6);

	/* Link layer: tags, then the EtherType, then the label stack. */
	l3off = 12;
	for (i = 0; i < n_tags; i++) {
		put16(f + l3off, stag && !i ? ETH_P_8021AD : ETH_P_8021Q);
		put16(f + l3off + 2, (uint16_t)tags[i]);
		l3off += 4;
	}
	l3off += 2;
	for (i = 0; i < n_labels; i++) {
		uint32_t lse = (uint32_t)labels[i] << 12 | 64;

		if (i == n_labels - 1)
			lse |= 1 << 8;	/* bottom of stack */
		f[l3off++] = lse >> 24;
		f[l3off++] = lse >> 16;
		f[l3off++] = lse >> 8;
		f[l3off++] = lse;
	}

	if (!strcmp(kind, "ipv4") || !strcmp(kind, "bad4") ||
	    !strcmp(kind, "short4")) {
		proto = ETH_P_IP;
		min = l3off + build_ipv4(f + l3off, 0, &o, 1);
	} else if (!strcmp(kind, "ipv6") || !strcmp(kind, "bad6") ||
		   !strcmp(kind, "badlen6")) {
		proto = ETH_P_IPV6;
		v6 = 1;
		min = l3off + build_ipv6(f + l3off, 0, &o, 1);
	} else if (!strcmp(kind, "arp")) {
		proto = ETH_P_ARP;
		min = l3off + 28;
	} else {
		usage();
	}
	len = len < min ? min : len;
	if (len > FRAME_MAX)
		usage();
	if (!strcmp(kind, "bad4") || !strcmp(kind, "badlen6"))
		o.iplen = (long)(len - l3off - (v6 ? 40 : 0) + 20);
	else if (!strcmp(kind, "short4"))
		cut = 12;
	else if (!strcmp(kind, "bad6"))
		cut = 20;
	if (proto == ETH_P_IP)
		build_ipv4(f + l3off, len - l3off, &o, 0);
	else if (proto == ETH_P_IPV6)
		build_ipv6(f + l3off, len - l3off, &o, 0);
	else
		build_arp(f + l3off);
	if (cut)
		len = l3off + cut;
	put16(f + 12 + 4 * n_tags, n_labels ?
	      (mpls_mc ? ETH_P_MPLS_MC : ETH_P_MPLS_UC) : proto);

	/* The packet a content destination must receive, byte for byte. */
	if (wfile) {
		FILE *w = fopen(wfile, "wb");

		if (!w || fwrite(f + l3off, 1, len - l3off, w) != len - l3off ||
		    fclose(w)) {
			perror("inject: -w");
			return 1;
		}
	}

	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (!sll.sll_ifindex) {
		fprintf(stderr, "inject: %s: %s\n", ifname, strerror(errno));
		return 1;
	}
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		perror("inject: socket");
		return 1;
	}
	olen = len;
	if (headlen >= 0) {
		struct virtio_net_hdr *vh = (struct virtio_net_hdr *)buf;
		int one = 1;

		if ((size_t)headlen > len)
			usage();
		/* No offload asked: only where the kernel splits the frame. */
		vh->hdr_len = (uint16_t)headlen;
		vh->gso_type = VIRTIO_NET_HDR_GSO_NONE;
		out = buf;
		olen += sizeof(*vh);
		if (setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one))) {
			perror("inject: PACKET_VNET_HDR");
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned long tries = 1; !count || sent < count; tries++) {
		/* Counted in tries, not frames sent: -t ends a run whose sends all fail. */
		if (!count && !(tries & 63)) {
			clock_gettime(CLOCK_MONOTONIC, &t);
			if (t.tv_sec - t0.tv_sec + (t.tv_nsec - t0.tv_nsec) / 1e9 >= seconds)
				break;
		}
		if (sendto(fd, out, olen, 0, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
			/* A full queue under load is not an error: retry. */
			if (errno == ENOBUFS || errno == EAGAIN)
				continue;
			perror("inject: sendto");
			return 1;
		}
		sent++;
		bytes += len;
	}
	printf("%lu %lu\n", sent, bytes);
	close(fd);
	return 0;
}
