// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Addresses in dtcpd's configuration: prefixes of allowed senders, their
 * text form for logs, and the hash that names things derived from them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "config.h"

uint32_t dtcp_hash32(const void *data, size_t len, uint32_t h)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	return h;
}

int dtcp_prefix_parse(const char *s, struct dtcp_prefix *p)
{
	char buf[64], *slash;
	unsigned long plen;
	int max;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	memset(p, 0, sizeof(*p));
	if (inet_pton(AF_INET, buf, p->addr) == 1) {
		p->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, p->addr) == 1) {
		p->family = AF_INET6;
		max = 128;
	} else {
		return -EINVAL;
	}
	p->plen = max;
	if (slash) {
		char *end;

		if (!*slash || *slash < '0' || *slash > '9')
			return -EINVAL;
		plen = strtoul(slash, &end, 10);
		if (*end || plen > (unsigned long)max)
			return -EINVAL;
		p->plen = plen;
	}
	return 0;
}

/* The address of sa as (family, 16 bytes), IPv4-mapped IPv6 taken as IPv4. */
static int sa_addr(const struct sockaddr *sa, uint8_t a[16])
{
	if (sa->sa_family == AF_INET) {
		memcpy(a, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		return AF_INET;
	}
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *in6 = &((const struct sockaddr_in6 *)sa)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(in6)) {
			memcpy(a, in6->s6_addr + 12, 4);
			return AF_INET;
		}
		memcpy(a, in6->s6_addr, 16);
		return AF_INET6;
	}
	return AF_UNSPEC;
}

bool dtcp_prefix_match(const struct dtcp_prefix *p, const struct sockaddr *sa)
{
	uint8_t a[16];
	unsigned int full, rest;

	if (sa_addr(sa, a) != p->family)
		return false;
	full = p->plen / 8;
	rest = p->plen % 8;
	if (memcmp(a, p->addr, full))
		return false;
	return !rest || !((a[full] ^ p->addr[full]) & (0xff << (8 - rest)));
}

size_t dtcp_sa_bytes(const struct sockaddr *sa, uint8_t a[16])
{
	int fam = sa_addr(sa, a);

	return fam == AF_INET ? 4 : fam == AF_INET6 ? 16 : 0;
}

void dtcp_ip4_text(const uint8_t a[4], char buf[INET_ADDRSTRLEN])
{
	char *p = buf;

	for (int i = 0; i < 4; i++) {
		unsigned int v = a[i];

		if (v >= 100)
			*p++ = (char)('0' + v / 100);
		if (v >= 10)
			*p++ = (char)('0' + v / 10 % 10);
		*p++ = (char)('0' + v % 10);
		*p++ = i < 3 ? '.' : '\0';
	}
}

void dtcp_sa_text(const struct sockaddr *sa, char *buf, size_t size)
{
	uint8_t a[16];
	int fam = sa_addr(sa, a);

	/* Every request's sender: IPv4 without inet_ntop()'s sprintf() per octet. */
	if (fam == AF_INET && size >= INET_ADDRSTRLEN)
		dtcp_ip4_text(a, buf);
	else if (fam == AF_UNSPEC || !inet_ntop(fam, a, buf, size))
		snprintf(buf, size, "?");
}

/* ---- typed lookups ---- */
