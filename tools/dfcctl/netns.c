// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dfcctl -n NETNS: act in a named network namespace, as ip -n does: the
 * file ip netns add made in /run/netns, joined with setns() before any
 * socket is opened (a socket stays in the namespace it was made in).
 * Only the network namespace changes: dfc's state and the interface
 * names of 'iif' are per network namespace; dtcpd's control socket is a
 * path, the same everywhere.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dfcctl.h"

#define NETNS_RUN_DIR "/run/netns"

/* 0 in NETNS_RUN_DIR/name; EXIT_USAGE for a name ip netns could not have made; else EXIT_FAILURE. */
int netns_switch(const char *name)
{
	char path[sizeof(NETNS_RUN_DIR) + 256];
	int fd, err;

	if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..") ||
	    strlen(name) > 255) {
		fprintf(stderr, "dfcctl: -netns: '%s' is not a namespace name\n", name);
		return EXIT_USAGE;
	}
	snprintf(path, sizeof(path), "%s/%s", NETNS_RUN_DIR, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "dfcctl: cannot open network namespace \"%s\": %s\n", name,
			strerror(errno));
		return EXIT_FAILURE;
	}
	err = setns(fd, CLONE_NEWNET) ? errno : 0;
	close(fd);
	if (err) {
		fprintf(stderr, "dfcctl: setting the network namespace \"%s\" failed: %s\n", name,
			strerror(err));
		return EXIT_FAILURE;
	}
	return 0;
}
