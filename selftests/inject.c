// SPDX-License-Identifier: GPL-2.0
/*
 * inject: send crafted Ethernet frames out of an interface through
 * AF_PACKET, so guest tests know exactly what a monitored port receives.
 *
 *   inject -i IFACE [-n COUNT] [-k ipv4|ipv6|arp] [-d DSTMAC] [-l LEN]
 *          [-S SRCIP] [-D DSTIP] [-p DPORT] [-t SECONDS]
 *
 * COUNT 0 with -t sends for SECONDS (traffic for unload-under-load tests).
 * LEN is the frame length from the MAC header on (at least the headers).
 * Prints the number of frames and bytes sent.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
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

static void usage(void)
{
	fprintf(stderr, "usage: inject -i IFACE [-n COUNT] [-k ipv4|ipv6|arp] "
		"[-d DSTMAC] [-l LEN] [-S SRCIP] [-D DSTIP] [-p DPORT] [-t SECONDS]\n");
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

/* Ethernet + IPv4 + UDP with a zero payload, valid checksums. */
static size_t build_ipv4(uint8_t *f, size_t len, const char *src,
			 const char *dst, uint16_t dport)
{
	struct iphdr *ip = (struct iphdr *)(f + ETH_HLEN);
	struct udphdr *udp = (struct udphdr *)(ip + 1);
	size_t ipl = len - ETH_HLEN;

	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->tot_len = htons(ipl);
	if (inet_pton(AF_INET, src, &ip->saddr) != 1 ||
	    inet_pton(AF_INET, dst, &ip->daddr) != 1)
		usage();
	ip->check = htons(csum_fold(csum_add(0, ip, sizeof(*ip))));
	udp->source = htons(40000);
	udp->dest = htons(dport);
	udp->len = htons(ipl - sizeof(*ip));
	return ETH_P_IP;
}

static size_t build_ipv6(uint8_t *f, size_t len, const char *src,
			 const char *dst, uint16_t dport)
{
	struct ip6_hdr *ip6 = (struct ip6_hdr *)(f + ETH_HLEN);
	struct udphdr *udp = (struct udphdr *)(ip6 + 1);
	size_t pl = len - ETH_HLEN - sizeof(*ip6);

	ip6->ip6_flow = htonl(6u << 28);
	ip6->ip6_plen = htons(pl);
	ip6->ip6_nxt = IPPROTO_UDP;
	ip6->ip6_hlim = 64;
	if (inet_pton(AF_INET6, src, &ip6->ip6_src) != 1 ||
	    inet_pton(AF_INET6, dst, &ip6->ip6_dst) != 1)
		usage();
	udp->source = htons(40000);
	udp->dest = htons(dport);
	udp->len = htons(pl);
	return ETH_P_IPV6;
}

/* An ARP request: counted by the module as "other". */
static size_t build_arp(uint8_t *f)
{
	static const uint8_t arp[] = {
		0, 1, 8, 0, 6, 4, 0, 1,			/* Ethernet/IPv4, request */
		2, 0, 0, 0, 0, 1, 192, 0, 2, 1,		/* sender */
		0, 0, 0, 0, 0, 0, 192, 0, 2, 2,		/* target */
	};

	memcpy(f + ETH_HLEN, arp, sizeof(arp));
	return ETH_P_ARP;
}

int main(int argc, char **argv)
{
	const char *ifname = NULL, *kind = "ipv4", *src = NULL, *dst = NULL;
	const char *dmac = "02:00:00:00:00:99";
	unsigned long count = 1, sent = 0, bytes = 0;
	size_t len = 0, min;
	uint16_t dport = 9;
	double seconds = 0;
	uint8_t f[FRAME_MAX] = { 0 };
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	struct timespec t0, t;
	unsigned int m[6];
	int opt, fd, i;
	uint16_t proto;

	while ((opt = getopt(argc, argv, "i:n:k:d:l:S:D:p:t:")) != -1) {
		switch (opt) {
		case 'i': ifname = optarg; break;
		case 'n': count = strtoul(optarg, NULL, 0); break;
		case 'k': kind = optarg; break;
		case 'd': dmac = optarg; break;
		case 'l': len = strtoul(optarg, NULL, 0); break;
		case 'S': src = optarg; break;
		case 'D': dst = optarg; break;
		case 'p': dport = (uint16_t)strtoul(optarg, NULL, 0); break;
		case 't': seconds = strtod(optarg, NULL); break;
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

	if (!strcmp(kind, "ipv4")) {
		min = ETH_HLEN + sizeof(struct iphdr) + sizeof(struct udphdr);
		len = len < min ? min : len;
		proto = build_ipv4(f, len, src ?: "192.0.2.1", dst ?: "192.0.2.2", dport);
	} else if (!strcmp(kind, "ipv6")) {
		min = ETH_HLEN + sizeof(struct ip6_hdr) + sizeof(struct udphdr);
		len = len < min ? min : len;
		proto = build_ipv6(f, len, src ?: "2001:db8::1", dst ?: "2001:db8::2", dport);
	} else if (!strcmp(kind, "arp")) {
		min = ETH_HLEN + 28;
		len = len < min ? min : len;
		proto = build_arp(f);
	} else {
		usage();
	}
	if (len > FRAME_MAX)
		usage();
	f[12] = proto >> 8;
	f[13] = proto & 0xff;

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
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!count || sent < count) {
		if (sendto(fd, f, len, 0, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
			/* A full queue under load is not an error: retry. */
			if (errno == ENOBUFS || errno == EAGAIN)
				continue;
			perror("inject: sendto");
			return 1;
		}
		sent++;
		bytes += len;
		if (!count && !(sent & 63)) {
			clock_gettime(CLOCK_MONOTONIC, &t);
			if (t.tv_sec - t0.tv_sec + (t.tv_nsec - t0.tv_nsec) / 1e9 >= seconds)
				break;
		}
	}
	printf("%lu %lu\n", sent, bytes);
	close(fd);
	return 0;
}
