// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dtcpd-ssh-relay: sshd's subsystem flow-tap-dtcp (docs/dtcp.md, "DTCP
 * over SSH"). sshd authenticated the login and runs this program as that
 * user, with the channel on stdin and stdout. It connects to dtcpd's SSH
 * socket (a unix SOCK_SEQPACKET socket), says who it runs as, then
 * relays: each message cut from stdin (agent/sshframe.h) becomes one
 * packet, each packet from dtcpd is written to stdout. dtcpd checks the
 * relay's credentials (SO_PEERCRED) itself: nothing said here is trusted
 * beyond what those credentials allow. A stream that cannot be framed
 * (a message over the cap) is reported to dtcpd as one packet of cap + 1
 * bytes, which it counts and answers by closing the session.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "msg.h"
#include "sshframe.h"

#ifndef DTCP_SSH_SOCKET
#define DTCP_SSH_SOCKET "/run/dtcpd/ssh.sock"
#endif

static void die(const char *what, int err)
{
	/* stderr goes to sshd's log (the client sees nothing of it). */
	fprintf(stderr, "dtcpd-ssh-relay: %s%s%s\n", what, err ? ": " : "",
		err ? strerror(err) : "");
	exit(1);
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= w;
	}
	return 0;
}

/* The client's address as sshd saw it (SSH_CONNECTION's first word), or "". */
static void client_addr(char *out, size_t size)
{
	const char *c = getenv("SSH_CONNECTION");
	unsigned char bin[16];
	char a[64];
	size_t n;

	*out = 0;
	if (!c)
		return;
	n = strcspn(c, " ");
	if (n >= sizeof(a))
		return;
	memcpy(a, c, n);
	a[n] = 0;
	/* An address, nothing else: dtcpd parses it again anyway. */
	if (inet_pton(AF_INET, a, bin) == 1 || inet_pton(AF_INET6, a, bin) == 1)
		snprintf(out, size, "%s", a);
}

static int connect_dtcpd(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path))
		die("socket path too long", 0);
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket", errno);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)))
		die(path, errno);
	return fd;
}

int main(int argc, char **argv)
{
	static char pkt[DTCP_MSG_MAX + 1];
	const char *path = DTCP_SSH_SOCKET;
	struct dtcp_framer fr;
	struct passwd *pw;
	char hello[256], from[64];
	bool in_open = true;
	int opt, fd;

	while ((opt = getopt(argc, argv, "s:V")) != -1) {
		switch (opt) {
		case 's': path = optarg; break;
		case 'V': printf("dtcpd-ssh-relay %s\n", DFC_VERSION); return 0;
		default:
			fprintf(stderr, "usage: dtcpd-ssh-relay [-s SOCKET]\n");
			return 2;
		}
	}
	/* Who we are is who sshd logged in: the real uid, never the environment. */
	pw = getpwuid(getuid());
	if (!pw)
		die("this uid has no user name", 0);
	client_addr(from, sizeof(from));
	if (snprintf(hello, sizeof(hello), "login %s\nfrom %s\n", pw->pw_name, from) >=
	    (int)sizeof(hello))
		die("user name too long", 0);
	fd = connect_dtcpd(path);
	if (send(fd, hello, strlen(hello), 0) < 0)
		die("dtcpd", errno);
	if (dtcp_framer_init(&fr, DTCP_MSG_MAX))
		die("out of memory", 0);

	for (;;) {
		struct pollfd p[2] = { { in_open ? 0 : -1, POLLIN, 0 }, { fd, POLLIN, 0 } };
		const char *msg;
		size_t room, len;
		char *buf;
		ssize_t n;
		int r;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll", errno);
		}
		if (p[1].revents) {
			n = recv(fd, pkt, sizeof(pkt), 0);
			if (n <= 0)
				break;	/* dtcpd closed the session */
			if (write_all(1, pkt, n))
				break;	/* the client went away */
		}
		if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		/* room is set by dtcp_framer_space(): not in the same call's arguments. */
		buf = dtcp_framer_space(&fr, &room);
		n = read(0, buf, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* The client closed its side: dtcpd sees the end once answers are read. */
			shutdown(fd, SHUT_WR);
			in_open = false;
			continue;
		}
		dtcp_framer_added(&fr, n);
		while ((r = dtcp_framer_next(&fr, &msg, &len)) == 1)
			if (send(fd, msg, len, 0) < 0)
				die("dtcpd", errno);
		if (r == -EMSGSIZE) {
			/* Too long to be a message: dtcpd counts it and closes the session. */
			memset(pkt, 'X', sizeof(pkt));
			send(fd, pkt, sizeof(pkt), 0);
			shutdown(fd, SHUT_WR);
			in_open = false;
		}
	}
	dtcp_framer_fini(&fr);
	close(fd);
	return 0;
}
