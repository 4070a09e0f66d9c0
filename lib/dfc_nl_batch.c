// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dfc_nl batches: many CRIT_NEW requests in one sendmsg(), each its own
 * message, applied on its own (all or nothing). See dfc_nl.h.
 *
 * The messages ask for no ACK: netlink answers a request that fails
 * whether or not it asked, and in order. A last NLMSG_NOOP asks for one,
 * so its ACK says every message before it was handled; each of them
 * without an error answer was added. That saves the kernel an answer per
 * message and us reading it.
 *
 * The kernel runs a generic netlink request inside the sender's
 * sendmsg(), so every answer is queued by the time it returns: they are
 * read with recvmmsg(), without waiting. The kernel drops an answer when
 * the socket's receive buffer is full, so a batch holds no more messages
 * than the buffer has room for (all might fail). Should one be dropped
 * all the same (the buffer shrank: recvmmsg() says ENOBUFS), or the NOOP's
 * ACK not come, no silence means success: the outcome of every message
 * without an error answer is asked for. Its ids were new (dfc_nl.h), so
 * its first criterion is there if and only if the batch added it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dfc_nl_priv.h"

/* Receive buffer per ACK: its skb's truesize, an error's extack included, with room to spare. */
#define DFC_NL_ACK_ROOM 2048
/* Bytes read per ACK (CAP_ACK: no echo of the request; the extack is short). */
#define ACK_BUF (DFC_NL_RXSZ / DFC_NL_BATCH_MAX)
/* The NLMSG_NOOP after the batch's messages, whose ACK ends its answers. */
#define NOOP_LEN MNL_NLMSG_HDRLEN

struct dfc_nl_batch {
	struct dfc_nl *nl;
	unsigned int n;			/* messages */
	unsigned int max;		/* as many as the receive buffer has room for ACKs */
	size_t len;			/* bytes */
	size_t off[DFC_NL_BATCH_MAX];	/* where each message starts */
	uint32_t owner[DFC_NL_BATCH_MAX];
	unsigned long lost;		/* dfc_nl_batch_lost() */
	alignas(8) char buf[DFC_NL_TXSZ];
};

struct dfc_nl_batch *dfc_nl_batch_new(struct dfc_nl *nl)
{
	struct dfc_nl_batch *b = calloc(1, sizeof(*b));
	int fd = mnl_socket_get_fd(nl->sock), sz = 0, want = DFC_NL_BATCH_MAX * DFC_NL_ACK_ROOM;
	socklen_t len = sizeof(sz);

	if (!b)
		return NULL;
	b->nl = nl;
	/* Best effort (net.core.rmem_max): what it allows is read per batch. */
	if (!getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, &len) && sz < want)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &want, sizeof(want));
	return b;
}

/* How many ACKs the receive buffer takes now (at least one). */
static unsigned int ack_room(const struct dfc_nl *nl)
{
	int sz = 0;
	socklen_t len = sizeof(sz);

	if (getsockopt(mnl_socket_get_fd(nl->sock), SOL_SOCKET, SO_RCVBUF, &sz, &len) < 0 ||
	    sz < 2 * DFC_NL_ACK_ROOM)
		return 1;
	sz /= DFC_NL_ACK_ROOM;
	return sz < DFC_NL_BATCH_MAX ? (unsigned int)sz : DFC_NL_BATCH_MAX;
}

void dfc_nl_batch_free(struct dfc_nl_batch *b)
{
	free(b);
}

unsigned int dfc_nl_batch_count(const struct dfc_nl_batch *b)
{
	return b->n;
}

unsigned long dfc_nl_batch_lost(const struct dfc_nl_batch *b)
{
	return b->lost;
}

int dfc_nl_batch_crit_add(struct dfc_nl_batch *b, uint32_t owner, const struct dfc_nl_crit *crits,
			  unsigned int n)
{
	/* The NOOP that ends the batch always fits. */
	size_t cap = b->nl->tx_room > NOOP_LEN ? b->nl->tx_room - NOOP_LEN : 0;
	size_t room = cap > b->len ? cap - b->len : 0;
	struct nlmsghdr *nlh;
	unsigned int packed;

	if (!n)
		return -EINVAL;
	if (!b->n)
		b->max = ack_room(b->nl);
	if (b->n == b->max)
		return -ENOSPC;
	if (room < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct genlmsghdr)))
		return b->n ? -ENOSPC : -EMSGSIZE;
	nlh = dfc_nl_msg_put(b->nl, b->buf + b->len, DFC_CMD_CRIT_NEW, 0);
	/* One message holds them all, or the batch is left as it was. */
	if (!mnl_attr_put_u32_check(nlh, room, DFC_A_OWNER, owner) ||
	    dfc_nl_crit_pack(nlh, room, crits, n, &packed) || packed < n)
		return b->n ? -ENOSPC : -EMSGSIZE;
	nlh->nlmsg_flags &= ~NLM_F_ACK;	/* only a failure is answered */
	b->off[b->n] = b->len;
	b->owner[b->n] = owner;
	b->len += MNL_ALIGN(nlh->nlmsg_len);
	return (int)b->n++;
}

static struct nlmsghdr *msg_at(struct dfc_nl_batch *b, unsigned int i)
{
	return (struct nlmsghdr *)(b->buf + b->off[i]);
}

static int found_cb(const struct dfc_nl_crit *c, void *data)
{
	(void)c;
	*(bool *)data = true;
	return 0;
}

/* The id of message i's first criterion. */
static uint64_t first_id(struct dfc_nl_batch *b, unsigned int i)
{
	const struct nlattr *a, *id;

	mnl_attr_for_each(a, msg_at(b, i), GENL_HDRLEN) {
		if (mnl_attr_get_type(a) != DFC_A_CRIT)
			continue;
		mnl_attr_for_each_nested(id, a)
			if (mnl_attr_get_type(id) == DFC_CRIT_A_ID)
				return mnl_attr_get_u64(id);
	}
	return 0;
}

/*
 * Message i's ACK was lost. Its ids were new, so if its first criterion
 * is there, the batch added it (all or nothing); if not, it failed, and
 * sent again alone it says why (or is added, if what stopped it passed).
 */
static int resend(struct dfc_nl_batch *b, unsigned int i)
{
	bool found = false, intr;
	int err = dfc_nl_crit_get(b->nl, b->owner[i], first_id(b, i), found_cb, &found);

	b->lost++;
	if (err && err != -ENOENT)
		return err;
	if (found)
		return 0;
	return dfc_nl_exchange(b->nl, msg_at(b, i), DFC_NL_X_DIRECT, NULL, NULL, &intr);
}

static void res_set(struct dfc_nl_batch_res *r, int err, const struct dfc_nl *nl)
{
	r->err = err;
	r->why[0] = '\0';
	if (err)
		memcpy(r->why, nl->extack, sizeof(r->why) - 1);
	r->why[sizeof(r->why) - 1] = '\0';
}

int dfc_nl_batch_run(struct dfc_nl_batch *b, struct dfc_nl_batch_res *res)
{
	struct dfc_nl *nl = b->nl;
	uint32_t first = nl->seq + 1, noop_seq;
	bool overrun = false, done = false;
	struct nlmsghdr *noop;
	int err = 0;

	_Static_assert(ACK_BUF >= 1024, "room for an ACK with its extack");
	_Static_assert(DFC_NL_TXSZ % 8 == 0 && NOOP_LEN % 4 == 0, "the NOOP is aligned");

	if (!b->n)
		return 0;
	for (unsigned int i = 0; i < b->n; i++) {
		struct nlmsghdr *nlh = msg_at(b, i);

		nlh->nlmsg_seq = ++nl->seq;
		nlh->nlmsg_pid = 0;
		res[i].err = 1;		/* no answer yet */
		res[i].why[0] = '\0';
	}
	noop = mnl_nlmsg_put_header(b->buf + b->len);
	noop->nlmsg_type = NLMSG_NOOP;
	noop->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	noop->nlmsg_seq = noop_seq = ++nl->seq;
	if (mnl_socket_sendto(nl->sock, b->buf, b->len + NOOP_LEN) < 0) {
		/* Nothing was taken: every message fails alike. */
		err = -errno;
		for (unsigned int i = 0; i < b->n; i++)
			res[i].err = err;
		done = true;
	}
	/* Every answer is queued already: read them all, many per call, never waiting. */
	while (!done) {
		struct mmsghdr mm[DFC_NL_BATCH_MAX];
		struct iovec iov[DFC_NL_BATCH_MAX];
		int got;

		for (unsigned int k = 0; k < DFC_NL_BATCH_MAX; k++) {
			iov[k] = (struct iovec){ nl->rx + k * ACK_BUF, ACK_BUF };
			mm[k] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[k], .msg_iovlen = 1 } };
		}
		got = recvmmsg(mnl_socket_get_fd(nl->sock), mm, DFC_NL_BATCH_MAX, MSG_DONTWAIT, NULL);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS && !overrun) {
				overrun = true;	/* some answers were dropped: read the rest */
				continue;
			}
			break;		/* EAGAIN: the NOOP's ACK was dropped too */
		}
		for (int k = 0; k < got; k++) {
			const struct nlmsghdr *nlh = (const void *)(nl->rx + k * ACK_BUF);
			int len = (int)mm[k].msg_len;
			uint32_t i;

			/* A truncated one is left unanswered: asked about below. */
			if (mm[k].msg_hdr.msg_flags & MSG_TRUNC || !dfc_nl_msg_ok(nlh, len) ||
			    nlh->nlmsg_pid != nl->portid || nlh->nlmsg_type != NLMSG_ERROR)
				continue;
			if (nlh->nlmsg_seq == noop_seq) {
				done = true;
				continue;
			}
			i = nlh->nlmsg_seq - first;
			if (i >= b->n || res[i].err != 1)
				continue;
			nl->extack[0] = '\0';
			res_set(&res[i], dfc_nl_parse_error(nl, nlh), nl);
		}
		if (!got)
			break;
	}
	for (unsigned int i = 0; i < b->n; i++) {
		if (res[i].err != 1)
			continue;
		if (done && !overrun)
			res_set(&res[i], 0, nl);	/* handled, and no failure answered */
		else
			res_set(&res[i], resend(b, i), nl);
	}
	b->n = 0;
	b->len = 0;
	return err;
}
