// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * What dtcpd -t checks on the host (hostcheck.h): without dfc.ko, which
 * is not loaded yet when the configuration is checked before start.
 */
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "hostcheck.h"

int dtcp_host_check_iface(const char *name, char *why, size_t whylen)
{
	if (!*name || strlen(name) >= IF_NAMESIZE || strchr(name, '/') ||
	    strpbrk(name, " \t\n:")) {
		snprintf(why, whylen, "not an interface name (1..%d characters, no '/', ':' "
			 "or space)", IF_NAMESIZE - 1);
		return -EINVAL;
	}
	/* The kernel's own lookup by name, as dfc.ko's attach does: no stale list. */
	if (!if_nametoindex(name)) {
		int err = errno;

		snprintf(why, whylen, "%s", err == ENODEV || err == ENXIO ?
			 "no such interface on this host" : strerror(err));
		return -err;
	}
	return 0;
}

int dtcp_host_check_addr(const struct dtcp_prefix *p, char *why, size_t whylen)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	int fd, err = 0;

	/*
	 * The bind() start-up does (agent/udp.c), on port 0: the service
	 * ports may be open already (a running dtcpd), and a second socket
	 * on one of them could take its requests. A bind test, not a list
	 * of addresses, so that whatever lets start-up bind (nonlocal bind
	 * sysctls, an address still tentative) counts the same here.
	 */
	if (p->family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		in->sin_family = AF_INET;
		memcpy(&in->sin_addr, p->addr, 4);
		len = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		in6->sin6_family = AF_INET6;
		memcpy(&in6->sin6_addr, p->addr, 16);
		len = sizeof(*in6);
	}
	fd = socket(p->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len))
		err = -errno;
	if (fd >= 0)
		close(fd);
	if (err == -EADDRNOTAVAIL)
		snprintf(why, whylen, "not an address of this host");
	else if (err == -EAFNOSUPPORT)
		snprintf(why, whylen, "%s is not available on this host",
			 p->family == AF_INET ? "IPv4" : "IPv6");
	else if (err)
		snprintf(why, whylen, "%s", strerror(-err));
	return err;
}
