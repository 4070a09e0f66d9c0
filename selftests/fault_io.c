// SPDX-License-Identifier: GPL-2.0
/* fault_nl's I/O: one generic netlink socket, and debugfs knobs. */
#include <fcntl.h>
#include <linux/genetlink.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>

#include "dfc_nl.h"
#include "fault_nl.h"

static struct mnl_socket *nl;
uint16_t fam;
static uint32_t seq;
static uint8_t buf[128 * 1024] __attribute__((aligned(8)));
static uint8_t rbuf[512 * 1024] __attribute__((aligned(8)));
const char *inject = "inject";

int sock_open(void)
{
	int one = 1;
	struct timeval tv = { .tv_sec = 30 };

	if (nl)
		mnl_socket_close(nl);
	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl || mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one)) ||
	    setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID)) {
		perror("fault_nl: socket");
		exit(1);
	}
	return 0;
}

struct nlmsghdr *req(uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = fam;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = DFC_GENL_VERSION;
	return nlh;
}

/* Send nlh; replies to cb; 0 or -errno of the ACK/DONE, or of send/recv. */
int talk(struct nlmsghdr *nlh, reply_cb cb, void *data)
{
	const struct nlmsghdr *r;
	int len;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		len = (int)mnl_socket_recvfrom(nl, rbuf, sizeof(rbuf));
		if (len < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		for (r = (void *)rbuf; mnl_nlmsg_ok(r, len); r = mnl_nlmsg_next(r, &len)) {
			if (r->nlmsg_seq != nlh->nlmsg_seq)
				continue;
			if (r->nlmsg_type == NLMSG_ERROR || r->nlmsg_type == NLMSG_DONE)
				return *(const int *)mnl_nlmsg_get_payload(r);
			if (cb)
				cb(r, data);
		}
	}
}

/* A request of the setup, which must work. */
void must(struct nlmsghdr *nlh, const char *what, int ok2)
{
	int err = talk(nlh, NULL, NULL);

	if (err && err != -ok2) {
		printf("# setup: %s: %s\n", what, strerror(-err));
		exit(1);
	}
}

int wfile(const char *path, const char *fmt, long v)
{
	char s[32];
	int fd = open(path, O_WRONLY), n = snprintf(s, sizeof(s), fmt, v), ok;

	if (fd < 0)
		return -1;
	ok = write(fd, s, (size_t)n) == n;
	close(fd);
	return ok ? 0 : -1;
}

long rfile(const char *path)
{
	char s[32] = "";
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, s, sizeof(s) - 1);

	if (fd >= 0)
		close(fd);
	return n > 0 ? strtol(s, NULL, 10) : -1;
}
