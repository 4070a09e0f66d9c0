// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dfc_nl batches: many CRIT_NEW requests in one sendmsg(), each its own
 * message, applied on its own (all or nothing) and acknowledged on its
 * own. See dfc_nl.h.
 *
 * The kernel runs a generic netlink request inside the sender's
 * sendmsg(), so every ACK is queued by the time it returns: they are
 * read with recvmmsg(), without waiting. The kernel drops an ACK when
 * the socket's receive buffer is full, so a batch holds no more messages
 * than the buffer has room for ACKs. Should one be lost all the same
 * (the buffer shrank), its message's outcome is asked for: its ids were
 * new (dfc_nl.h), so its first criterion is there if and only if the
 * batch added it.
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
	size_t room = b->nl->tx_room > b->len ? b->nl->tx_room - b->len : 0;
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
	uint32_t first = nl->seq + 1;
	unsigned int left = b->n;
	bool overrun = false;
	int err = 0;

	_Static_assert(ACK_BUF >= 1024, "room for an ACK with its extack");

	for (unsigned int i = 0; i < b->n; i++) {
		struct nlmsghdr *nlh = msg_at(b, i);

		nlh->nlmsg_seq = ++nl->seq;
		nlh->nlmsg_pid = 0;
		res[i].err = 1;		/* no ACK yet */
		res[i].why[0] = '\0';
	}
	if (b->n && mnl_socket_sendto(nl->sock, b->buf, b->len) < 0) {
		/* Nothing was taken: every message fails alike. */
		err = -errno;
		for (unsigned int i = 0; i < b->n; i++)
			res[i].err = err;
		left = 0;
	}
	/* Every ACK is queued already: read them all, many per call, never waiting. */
	while (left) {
		struct mmsghdr mm[DFC_NL_BATCH_MAX];
		struct iovec iov[DFC_NL_BATCH_MAX];
		unsigned int want = left < DFC_NL_BATCH_MAX ? left : DFC_NL_BATCH_MAX;
		int got;

		for (unsigned int k = 0; k < want; k++) {
			iov[k] = (struct iovec){ nl->rx + k * ACK_BUF, ACK_BUF };
			mm[k] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[k], .msg_iovlen = 1 } };
		}
		got = recvmmsg(mnl_socket_get_fd(nl->sock), mm, want, MSG_DONTWAIT, NULL);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS && !overrun) {
				overrun = true;	/* some ACKs were dropped: read the rest */
				continue;
			}
			break;		/* EAGAIN: every ACK left was lost */
		}
		for (int k = 0; k < got; k++) {
			const struct nlmsghdr *nlh = (const void *)(nl->rx + k * ACK_BUF);
			int len = (int)mm[k].msg_len;
			uint32_t i;

			/* A truncated one is left unanswered: asked about below. */
			if (mm[k].msg_hdr.msg_flags & MSG_TRUNC || !dfc_nl_msg_ok(nlh, len))
				continue;
			i = nlh->nlmsg_seq - first;
			if (nlh->nlmsg_pid != nl->portid || i >= b->n ||
			    nlh->nlmsg_type != NLMSG_ERROR || res[i].err != 1)
				continue;
			nl->extack[0] = '\0';
			res_set(&res[i], dfc_nl_parse_error(nl, nlh), nl);
			left--;
		}
		if (!got)
			break;
	}
	for (unsigned int i = 0; i < b->n; i++)
		if (res[i].err == 1)
			res_set(&res[i], resend(b, i), nl);
	b->n = 0;
	b->len = 0;
	return err;
}
