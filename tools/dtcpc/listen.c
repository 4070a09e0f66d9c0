// SPDX-License-Identifier: GPL-2.0 OR MIT
/* dtcpc listen: notifications as they arrive, verified when a key is given. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dtcpc.h"

/* "host:port" or "[v6]:port". */
static int split_hostport(const char *s, char *host, size_t size, uint16_t *port)
{
	const char *colon = strrchr(s, ':');
	unsigned long p;
	char *end;

	if (!colon)
		return -1;
	if (s[0] == '[' && colon > s && colon[-1] == ']')
		snprintf(host, size, "%.*s", (int)(colon - s - 2), s + 1);
	else
		snprintf(host, size, "%.*s", (int)(colon - s), s);
	p = strtoul(colon + 1, &end, 10);
	if (*end || !p || p > 65535)
		return -1;
	*port = p;
	return 0;
}

int dfc_dtcpc_listen(struct dtcpc_opts *o)
{
	static char buf[DTCP_MSG_MAX + 1];
	static struct dtcp_msg m;
	struct sockaddr_storage ss;
	socklen_t len;
	char host[256];
	uint16_t port;
	long n = 0;
	int fd, rc = 0;

	if (!o->listen || split_hostport(o->listen, host, sizeof(host), &port)) {
		fprintf(stderr, "dtcpc: listen needs -l ADDR:PORT\n");
		return EXIT_USAGE;
	}
	if (dfc_dtcpc_resolve(host, port, &ss, &len))
		return EXIT_USAGE;
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len)) {
		fprintf(stderr, "dtcpc: %s: %s\n", o->listen, strerror(errno));
		return 1;
	}
	printf("# listening on %s\n", o->listen);
	fflush(stdout);
	while (!o->count || n < o->count) {
		struct pollfd p = { fd, POLLIN, 0 };
		char why[128];
		ssize_t r;

		if (poll(&p, 1, o->wait > 0 ? (int)(o->wait * 1000) : -1) <= 0) {
			fprintf(stderr, "dtcpc: no notification\n");
			return n ? rc : EXIT_NOANSWER;
		}
		r = recv(fd, buf, sizeof(buf) - 1, 0);
		if (r <= 0)
			continue;
		buf[r] = '\0';
		n++;
		dfc_dtcpc_print(o, buf, r);
		if (dtcp_msg_parse(&m, buf, r) || m.kind != DTCP_K_STATUS) {
			printf("# NOT VERIFIED: not a DTCP notification\n");
			rc = EXIT_BADSIG;
		} else if (!o->key) {
			printf("# not verified: no key given\n");
		} else if (!dfc_dtcpc_verify(o, &m, NULL, why, sizeof(why))) {
			printf("# NOT VERIFIED: %s\n", why);
			rc = EXIT_BADSIG;
		} else if (dtcp_msg_get(&m, "Seq")) {
			printf("# NOT VERIFIED: a notification carries no Seq\n");
			rc = EXIT_BADSIG;
		} else {
			printf("# verified\n");
		}
		fflush(stdout);
	}
	close(fd);
	return rc;
}
