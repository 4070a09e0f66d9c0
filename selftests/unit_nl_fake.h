/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fake dfc kernel of the unit_nl_*.c tests that send requests, with
 * the fk fixture and the request handlers several of them use. Its
 * mnl_socket_sendto/recvfrom and getsockopt are defined here, not static:
 * included once per test program.
 */
#ifndef UNIT_NL_FAKE_H
#define UNIT_NL_FAKE_H

#include <dlfcn.h>

#include "unit_nl.h"

/* Not every program uses every helper. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-const-variable"

/*
 * ---- against a fake kernel ----
 *
 * The dfc module is not on the build host, so the requests that need it
 * meet a fake: this program's own mnl_socket_sendto/recvfrom take the
 * place of libmnl's (an executable's symbols come first), and while
 * fake.on they hand each request to a per-test handler, which queues the
 * reply datagrams the kernel would send. Otherwise they call libmnl.
 */
#define FAKE_DGRAMS 64
#define FAKE_DGRAM_SZ (64 * 1024)

struct fake {
	bool on;
	/* the handler: queue replies to req (sent by the socket of portid) */
	void (*kernel)(struct fake *f, const struct nlmsghdr *req, uint32_t portid);
	void *ctx;
	unsigned int n_req;	/* requests seen */
	char *dg[FAKE_DGRAMS];	/* queued datagrams */
	size_t dg_len[FAKE_DGRAMS];
	unsigned int head, tail;
	int recv_errno;		/* next recvfrom fails with it (once) */
	int sndbuf;		/* non-zero: SO_SNDBUF reads this (a small wmem_max) */
};

static struct fake fake;
/* Bytes of the last request sent, through the fake or the real socket. */
static size_t sent_len;

ssize_t mnl_socket_sendto(const struct mnl_socket *nl, const void *buf, size_t len)
{
	static ssize_t (*real)(const struct mnl_socket *, const void *, size_t);

	if (!fake.on) {
		ssize_t n;

		if (!real)
			real = (ssize_t (*)(const struct mnl_socket *, const void *, size_t))
				dlsym(RTLD_NEXT, "mnl_socket_sendto");
		n = real(nl, buf, len);
		if (n >= 0)
			sent_len = len;
		return n;
	}
	sent_len = len;
	fake.n_req++;
	fake.kernel(&fake, buf, mnl_socket_get_portid(nl));
	return (ssize_t)len;
}

ssize_t mnl_socket_recvfrom(const struct mnl_socket *nl, void *buf, size_t len)
{
	static ssize_t (*real)(const struct mnl_socket *, void *, size_t);
	size_t n;

	if (!fake.on) {
		if (!real)
			real = (ssize_t (*)(const struct mnl_socket *, void *, size_t))
				dlsym(RTLD_NEXT, "mnl_socket_recvfrom");
		return real(nl, buf, len);
	}
	if (fake.recv_errno) {
		errno = fake.recv_errno;
		fake.recv_errno = 0;
		return -1;
	}
	if (fake.head == fake.tail) {
		errno = EAGAIN; /* the library waits for a reply that will never come */
		return -1;
	}
	n = fake.dg_len[fake.head % FAKE_DGRAMS];
	if (n > len) {
		errno = ENOSPC; /* what libmnl says on MSG_TRUNC */
		return -1;
	}
	memcpy(buf, fake.dg[fake.head % FAKE_DGRAMS], n);
	free(fake.dg[fake.head % FAKE_DGRAMS]);
	fake.head++;
	return (ssize_t)n;
}

/*
 * While fake.sndbuf is set, the socket's send buffer reads as that and
 * cannot be raised: a host whose net.core.wmem_max is small, so that the
 * library's room (dfc_nl_msg_room) is.
 */
int getsockopt(int fd, int level, int name, void *restrict val, socklen_t *restrict len)
{
	static int (*real)(int, int, int, void *restrict, socklen_t *restrict);

	if (fake.on && fake.sndbuf && level == SOL_SOCKET && name == SO_SNDBUF &&
	    *len >= sizeof(fake.sndbuf)) {
		memcpy(val, &fake.sndbuf, sizeof(fake.sndbuf));
		*len = sizeof(fake.sndbuf);
		return 0;
	}
	if (!real)
		real = (int (*)(int, int, int, void *restrict, socklen_t *restrict))
			dlsym(RTLD_NEXT, "getsockopt");
	return real(fd, level, name, val, len);
}

/* A new datagram to fill. */
static char *fake_dgram(struct fake *f)
{
	char *d = calloc(1, FAKE_DGRAM_SZ);

	if (!d || f->tail - f->head == FAKE_DGRAMS)
		abort();
	f->dg[f->tail % FAKE_DGRAMS] = d;
	f->dg_len[f->tail % FAKE_DGRAMS] = 0;
	f->tail++;
	return d;
}

/* A message at the end of the last datagram, answering req. */
static struct nlmsghdr *fake_msg(struct fake *f, const struct nlmsghdr *req, uint32_t portid,
				 uint16_t type, uint16_t flags)
{
	unsigned int last = (f->tail - 1) % FAKE_DGRAMS;
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(f->dg[last] + f->dg_len[last]);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = req ? req->nlmsg_seq : 0;
	nlh->nlmsg_pid = req ? portid : 0;
	return nlh;
}

/* Account for the message just built by fake_msg. */
static void fake_end(struct fake *f, const struct nlmsghdr *nlh)
{
	f->dg_len[(f->tail - 1) % FAKE_DGRAMS] += MNL_ALIGN(nlh->nlmsg_len);
}

/* A generic netlink message of family fam, cmd. */
static struct nlmsghdr *fake_genl(struct fake *f, const struct nlmsghdr *req, uint32_t portid,
				  uint16_t fam, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = fake_msg(f, req, portid, fam, flags);
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));

	g->cmd = cmd;
	g->version = DFC_GENL_VERSION;
	return nlh;
}

/* The ACK (err 0) or error, with extack message and offset, as with NETLINK_CAP_ACK. */
static void fake_ack(struct fake *f, const struct nlmsghdr *req, uint32_t portid, int err,
		     const char *msg, uint32_t off)
{
	struct nlmsghdr *nlh = fake_msg(f, req, portid, NLMSG_ERROR, NLM_F_CAPPED);
	struct nlmsgerr *e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));

	e->error = err;
	e->msg = *req;
	if (msg) {
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, msg);
		if (off)
			mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, off);
	}
	fake_end(f, nlh);
}

static void fake_done(struct fake *f, const struct nlmsghdr *req, uint32_t portid, uint16_t flags)
{
	struct nlmsghdr *nlh = fake_msg(f, req, portid, NLMSG_DONE, NLM_F_MULTI | flags);
	int zero = 0;

	memcpy(mnl_nlmsg_put_extra_header(nlh, sizeof(zero)), &zero, sizeof(zero));
	fake_end(f, nlh);
}

static uint8_t req_cmd(const struct nlmsghdr *req)
{
	return ((const struct genlmsghdr *)mnl_nlmsg_get_payload(req))->cmd;
}

static const struct nlattr *req_attr(const struct nlmsghdr *req, uint16_t type)
{
	return find_attr(req, type);
}

#define FAKE_FAMILY 0x1d

/* The family lookup of dfc_nl_open(): "dfc" with an "events" group (id: nlctrl's real one). */
static bool fake_family(struct fake *f, const struct nlmsghdr *req, uint32_t portid)
{
	struct nlmsghdr *nlh;
	struct nlattr *grps, *grp;

	if (req->nlmsg_type != GENL_ID_CTRL)
		return false;
	fake_dgram(f);
	nlh = fake_genl(f, req, portid, GENL_ID_CTRL, CTRL_CMD_NEWFAMILY, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, DFC_GENL_NAME);
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, FAKE_FAMILY);
	grps = nest_start(nlh, CTRL_ATTR_MCAST_GROUPS);
	grp = nest_start(nlh, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_MCAST_GRP_NAME, DFC_GENL_MCGRP_EVENTS);
	mnl_attr_put_u32(nlh, CTRL_ATTR_MCAST_GRP_ID, GENL_ID_CTRL);
	mnl_attr_nest_end(nlh, grp);
	mnl_attr_nest_end(nlh, grps);
	fake_end(f, nlh);
	fake_ack(f, req, portid, 0, NULL, 0);
	return true;
}

FIXTURE(fk) {
	struct dfc_nl *nl;
	/* one over each cap: an unchecked criterion is read, not overrun */
	struct dfc_nl_entry ent[DFC_CRIT_MAX_ENTRIES + 1], exc[DFC_CRIT_MAX_EXCL + 1];
};

FIXTURE_SETUP(fk)
{
	memset(&fake, 0, sizeof(fake));
	memset(self->ent, 0, sizeof(self->ent));
	memset(self->exc, 0, sizeof(self->exc));
	fake.on = true;
	fake.kernel = NULL;
	self->nl = NULL;
}

FIXTURE_TEARDOWN(fk)
{
	dfc_nl_close(self->nl);
	while (fake.head != fake.tail)
		free(fake.dg[fake.head++ % FAKE_DGRAMS]);
	fake.on = false;
}

/* Open "dfc" through the fake; the test's handler takes over afterwards. */
static void fake_nop(struct fake *f, const struct nlmsghdr *req, uint32_t portid)
{
	if (!fake_family(f, req, portid))
		abort();
}

#define FAKE_OPEN(handler) do { \
	fake.kernel = fake_nop; \
	self->nl = dfc_nl_open(); \
	ASSERT_NE(NULL, self->nl) TH_LOG("open: %s", strerror(errno)); \
	ASSERT_EQ(FAKE_FAMILY, dfc_nl_family_id(self->nl)); \
	fake.kernel = handler; \
	fake.n_req = 0; \
} while (0)

/* ---- handlers of GET, DEL, REFRESH, LIMITS (and of the destination commands) ---- */

struct req_log {
	struct nlmsghdr *req;	/* a copy of the last request */
	int reply;		/* 0: reply + ACK; 1: ACK only; <0: that error */
	const struct nlmsghdr *msg; /* the reply (default: get_reply()) */
};

static void log_req(struct fake *f, const struct nlmsghdr *req)
{
	struct req_log *log = f->ctx;

	free(log->req);
	log->req = malloc(req->nlmsg_len);
	memcpy(log->req, req, req->nlmsg_len);
}

static void kernel_get(struct fake *f, const struct nlmsghdr *req, uint32_t portid)
{
	struct req_log *log = f->ctx;

	log_req(f, req);
	fake_dgram(f);
	if (log->reply == 0) {
		char *buf = malloc(4096);
		const struct nlmsghdr *r = log->msg ? log->msg : get_reply(buf, true, true);
		struct nlmsghdr *nlh = fake_msg(f, req, portid, FAKE_FAMILY, 0);

		memcpy((char *)nlh + MNL_NLMSG_HDRLEN, (char *)r + MNL_NLMSG_HDRLEN,
		       r->nlmsg_len - MNL_NLMSG_HDRLEN);
		nlh->nlmsg_len = r->nlmsg_len;
		fake_end(f, nlh);
		free(buf);
	}
	fake_ack(f, req, portid, log->reply < 0 ? log->reply : 0,
		 log->reply < 0 ? "no such criterion" : NULL, 0);
}

static void kernel_ack(struct fake *f, const struct nlmsghdr *req, uint32_t portid)
{
	log_req(f, req);
	fake_dgram(f);
	fake_ack(f, req, portid, 0, NULL, 0);
}

#pragma GCC diagnostic pop

#endif /* UNIT_NL_FAKE_H */
