// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dfc_nl: libmnl generic netlink client for the "dfc" family. This file:
 * the handle (socket, family and group lookup), the request machinery
 * (send, replies, ACK/DONE, dumps, extack) and the attribute helpers the
 * other files share (dfc_nl_priv.h). The commands are by subject in
 * dfc_nl_iface.c, dfc_nl_crit.c, dfc_nl_cdest.c and dfc_nl_event.c.
 *
 * One request in flight per handle: dfc_nl_request() sends, then reads
 * until the matching ACK/DONE, so the socket is always left drained.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dfc_nl_priv.h"

/*
 * Fill tb[0..max] from the attributes in [start, start + len) and check
 * each known one against policy (MNL_TYPE_UNSPEC: not checked, e.g. PAD).
 * Unknown types are skipped (a newer kernel may add some); bytes left
 * over that do not form a whole attribute mean a truncated message.
 */
static int parse_attrs(const void *start, size_t len, const struct nlattr **tb,
		       const enum mnl_attr_data_type *policy, unsigned int max)
{
	const struct nlattr *attr;

	memset(tb, 0, (max + 1) * sizeof(*tb));
	mnl_attr_for_each_payload(start, len) {
		unsigned int type = mnl_attr_get_type(attr);

		if (type > max)
			continue;
		if (policy[type] != MNL_TYPE_UNSPEC && mnl_attr_validate(attr, policy[type]) < 0)
			return -EINVAL;
		tb[type] = attr;
	}
	/* attr may overshoot the end by the last attribute's alignment */
	if ((const char *)attr < (const char *)start + len)
		return -EINVAL;
	return 0;
}

int dfc_nl_parse_nested(const struct nlattr *nest, const struct nlattr **tb,
			const enum mnl_attr_data_type *policy, unsigned int max)
{
	return parse_attrs(mnl_attr_get_payload(nest), mnl_attr_get_payload_len(nest),
			   tb, policy, max);
}

/* Top-level attributes of a generic netlink message. */
int dfc_nl_parse_genl(const struct nlmsghdr *nlh, const struct nlattr **tb,
		      const enum mnl_attr_data_type *policy, unsigned int max)
{
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + GENL_HDRLEN)
		return -EINVAL;
	return parse_attrs((const char *)mnl_nlmsg_get_payload(nlh) + GENL_HDRLEN,
			   mnl_nlmsg_get_payload_len(nlh) - GENL_HDRLEN, tb, policy, max);
}

/* Copy a validated NUL_STRING attribute, rejecting one that does not fit. */
int dfc_nl_copy_str(char *dst, size_t size, const struct nlattr *attr)
{
	const char *s = mnl_attr_get_str(attr);
	size_t n = strlen(s);

	if (n >= size)
		return -EINVAL;
	memcpy(dst, s, n + 1);
	return 0;
}

static void parse_extack(struct dfc_nl *nl, const void *start, size_t len)
{
	static const enum mnl_attr_data_type policy[NLMSGERR_ATTR_MAX + 1] = {
		[NLMSGERR_ATTR_MSG] = MNL_TYPE_NUL_STRING,
		[NLMSGERR_ATTR_OFFS] = MNL_TYPE_U32,
		[NLMSGERR_ATTR_MISS_TYPE] = MNL_TYPE_U32,
	};
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];

	/* extack is advisory: a malformed one is dropped, not an error */
	if (parse_attrs(start, len, tb, policy, NLMSGERR_ATTR_MAX) < 0)
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(nl->extack, sizeof(nl->extack), "%s", mnl_attr_get_str(tb[NLMSGERR_ATTR_MSG]));
	if (tb[NLMSGERR_ATTR_OFFS])
		nl->extack_off = mnl_attr_get_u32(tb[NLMSGERR_ATTR_OFFS]);
	if (tb[NLMSGERR_ATTR_MISS_TYPE])
		nl->miss_type = mnl_attr_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
}

int dfc_nl_parse_error(struct dfc_nl *nl, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	size_t len = mnl_nlmsg_get_payload_len(nlh);
	size_t off;

	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(*err))
		return -EPROTO;
	/* TLVs follow the echoed request, of which CAP_ACK keeps the header only */
	if (nlh->nlmsg_flags & NLM_F_CAPPED)
		off = sizeof(*err);
	else
		off = sizeof(err->error) + MNL_ALIGN(err->msg.nlmsg_len);
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) && off < len)
		parse_extack(nl, (const char *)err + off, len - off);
	return err->error;
}

/* NLMSG_DONE: a dump's final status (int) and, with NLM_F_ACK_TLVS, its extack. */
static int parse_done(struct dfc_nl *nl, const struct nlmsghdr *nlh)
{
	size_t len = mnl_nlmsg_get_payload_len(nlh);
	int err = 0;

	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN)
		return -EPROTO;
	if (len < sizeof(err))
		return 0; /* old kernels: no status */
	memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
		parse_extack(nl, (const char *)mnl_nlmsg_get_payload(nlh) + sizeof(err),
			     len - sizeof(err));
	return err;
}

static int collect(struct dfc_nl *nl, const struct nlmsghdr *nlh)
{
	size_t len = MNL_ALIGN(nlh->nlmsg_len);

	if (nl->dump_cap - nl->dump_len < len) {
		size_t cap = nl->dump_cap ? nl->dump_cap : DFC_NL_DUMPSZ;
		char *p;

		while (cap - nl->dump_len < len)
			cap *= 2;
		p = realloc(nl->dump, cap);
		if (!p)
			return -ENOMEM;
		nl->dump = p;
		nl->dump_cap = cap;
	}
	memcpy(nl->dump + nl->dump_len, nlh, nlh->nlmsg_len);
	memset(nl->dump + nl->dump_len + nlh->nlmsg_len, 0, len - nlh->nlmsg_len);
	nl->dump_len += len;
	return 0;
}

/* Run cb; after it stopped or failed, later replies are only drained. */
static void run_cb(dfc_nl_cb cb, void *data, const struct nlmsghdr *nlh, bool *on, int *err)
{
	int ret;

	if (!*on)
		return;
	errno = 0;
	ret = cb(nlh, data);
	if (ret == MNL_CB_ERROR)
		*err = errno ? -errno : -EINVAL;
	if (ret <= MNL_CB_STOP)
		*on = false;
}

/*
 * Send req and read every reply up to its ACK or DONE. A dump's replies
 * are collected into nl->dump (for the caller to walk once it is known
 * to be consistent) or streamed; any other reply goes to cb at once.
 */
int dfc_nl_exchange(struct dfc_nl *nl, struct nlmsghdr *req, enum dfc_nl_xmode mode,
		    dfc_nl_cb cb, void *data, bool *intr)
{
	uint32_t seq = ++nl->seq;
	bool cb_on = cb != NULL;
	int cb_err = 0;

	req->nlmsg_seq = seq;
	req->nlmsg_pid = 0;
	nl->extack[0] = '\0';
	nl->extack_off = 0;
	nl->miss_type = 0;
	nl->dump_len = 0;
	*intr = false;

	if (mnl_socket_sendto(nl->sock, req, req->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl->sock, nl->rx, sizeof(nl->rx));
		const struct nlmsghdr *nlh;
		int len = (int)n;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (nlh = (const void *)nl->rx; dfc_nl_msg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			/* replies to an abandoned earlier request */
			if (nlh->nlmsg_seq != seq || nlh->nlmsg_pid != nl->portid)
				continue;
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				*intr = true;
			switch (nlh->nlmsg_type) {
			case NLMSG_NOOP:
				break;
			case NLMSG_ERROR: {
				int err = dfc_nl_parse_error(nl, nlh);

				return err ? err : cb_err;
			}
			case NLMSG_DONE: {
				int err = parse_done(nl, nlh);

				return err ? err : cb_err;
			}
			case NLMSG_OVERRUN:
				return -ENOBUFS;
			default:
				if (mode == DFC_NL_X_COLLECT) {
					if (!cb_err)
						cb_err = collect(nl, nlh);
				} else if (cb) {
					/* the rest is not part of a snapshot: drained only */
					if (mode == DFC_NL_X_STREAM && *intr)
						cb_on = false;
					run_cb(cb, data, nlh, &cb_on, &cb_err);
				}
			}
		}
	}
}

int dfc_nl_request(struct dfc_nl *nl, struct nlmsghdr *nlh, dfc_nl_cb cb, void *data)
{
	bool dump = (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;

	for (int try = 0; try < DFC_NL_DUMP_TRIES; try++) {
		const struct nlmsghdr *m;
		bool intr, cb_on = cb != NULL;
		int err = dfc_nl_exchange(nl, nlh, dump ? DFC_NL_X_COLLECT : DFC_NL_X_DIRECT,
					  cb, data, &intr);
		int len;

		if (err || !dump)
			return err;
		if (intr)
			continue; /* the set changed under the dump: take it again */
		err = 0;
		len = (int)nl->dump_len;
		for (m = (const void *)nl->dump; cb_on && dfc_nl_msg_ok(m, len);
		     m = mnl_nlmsg_next(m, &len))
			run_cb(cb, data, m, &cb_on, &err);
		return err;
	}
	return -EAGAIN;
}

struct nlmsghdr *dfc_nl_msg_new(struct dfc_nl *nl, uint8_t cmd, uint16_t flags)
{
	return dfc_nl_msg_put(nl, nl->tx, cmd, flags);
}

struct nlmsghdr *dfc_nl_msg_put(const struct dfc_nl *nl, void *buf, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = nl->family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = DFC_GENL_VERSION;
	return nlh;
}

size_t dfc_nl_msg_room(const struct dfc_nl *nl)
{
	return nl->tx_room;
}

/*
 * Raise the socket's send buffer so that a full tx buffer can be sent
 * (the kernel doubles what is asked, within net.core.wmem_max); the room
 * is what it allows in the end.
 */
static size_t tx_room(struct mnl_socket *sock)
{
	int fd = mnl_socket_get_fd(sock), sz = 0, want = DFC_NL_TXSZ;
	socklen_t len = sizeof(sz);

	if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, &len) < 0)
		return DFC_NL_DUMPSZ; /* cannot tell: a size every default allows */
	if (sz < DFC_NL_TXSZ + DFC_NL_SNDBUF_SLACK) {
		len = sizeof(sz);
		if (setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &want, sizeof(want)) < 0 ||
		    getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, &len) < 0)
			return DFC_NL_DUMPSZ;
	}
	if (sz <= DFC_NL_SNDBUF_SLACK)
		return 0;
	sz -= DFC_NL_SNDBUF_SLACK;
	return (size_t)sz < DFC_NL_TXSZ ? (size_t)sz : DFC_NL_TXSZ;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	static const enum mnl_attr_data_type policy[CTRL_ATTR_MAX + 1] = {
		[CTRL_ATTR_FAMILY_ID] = MNL_TYPE_U16,
		[CTRL_ATTR_MCAST_GROUPS] = MNL_TYPE_NESTED,
	};
	static const enum mnl_attr_data_type grp_policy[CTRL_ATTR_MCAST_GRP_MAX + 1] = {
		[CTRL_ATTR_MCAST_GRP_NAME] = MNL_TYPE_NUL_STRING,
		[CTRL_ATTR_MCAST_GRP_ID] = MNL_TYPE_U32,
	};
	const struct nlattr *tb[CTRL_ATTR_MAX + 1], *grp;
	struct dfc_nl *nl = data;

	if (dfc_nl_parse_genl(nlh, tb, policy, CTRL_ATTR_MAX) < 0 || !tb[CTRL_ATTR_FAMILY_ID]) {
		errno = EPROTO;
		return MNL_CB_ERROR;
	}
	nl->family = mnl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	if (!tb[CTRL_ATTR_MCAST_GROUPS])
		return MNL_CB_OK;
	mnl_attr_for_each_nested(grp, tb[CTRL_ATTR_MCAST_GROUPS]) {
		const struct nlattr *gtb[CTRL_ATTR_MCAST_GRP_MAX + 1];

		if (nl->ngroups == DFC_NL_MAX_GROUPS)
			break;
		if (dfc_nl_parse_nested(grp, gtb, grp_policy, CTRL_ATTR_MCAST_GRP_MAX) < 0 ||
		    !gtb[CTRL_ATTR_MCAST_GRP_NAME] || !gtb[CTRL_ATTR_MCAST_GRP_ID])
			continue;
		if (dfc_nl_copy_str(nl->groups[nl->ngroups].name, GENL_NAMSIZ,
				    gtb[CTRL_ATTR_MCAST_GRP_NAME]))
			continue;
		nl->groups[nl->ngroups++].id = mnl_attr_get_u32(gtb[CTRL_ATTR_MCAST_GRP_ID]);
	}
	return MNL_CB_OK;
}

struct dfc_nl *dfc_nl_open_family(const char *name)
{
	struct dfc_nl *nl = calloc(1, sizeof(*nl));
	struct nlmsghdr *nlh;
	int one = 1, err;

	if (!nl)
		return NULL;
	nl->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sock)
		goto fail_errno;
	/* errors carry a message and the offending attribute, not an echo of our request */
	if (mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one)) < 0 ||
	    mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one)) < 0 ||
	    mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail_errno;
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->tx_room = tx_room(nl->sock);
	nl->crit_failed = -1;

	nl->family = GENL_ID_CTRL;
	nlh = dfc_nl_msg_new(nl, CTRL_CMD_GETFAMILY, 0);
	if (!mnl_attr_put_strz_check(nlh, nl->tx_room, CTRL_ATTR_FAMILY_NAME, name)) {
		err = -EINVAL;
		goto fail;
	}
	nl->family = 0;
	err = dfc_nl_request(nl, nlh, family_cb, nl);
	if (!err && !nl->family)
		err = -EPROTO; /* ACKed without telling the id */
	if (err)
		goto fail; /* -ENOENT: no such family, i.e. module not loaded */
	return nl;

fail_errno:
	err = -errno;
fail:
	dfc_nl_close(nl);
	errno = -err;
	return NULL;
}

struct dfc_nl *dfc_nl_open(void)
{
	return dfc_nl_open_family(DFC_GENL_NAME);
}

void dfc_nl_close(struct dfc_nl *nl)
{
	if (!nl)
		return;
	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl->dump);
	free(nl->scratch);
	free(nl);
}

uint16_t dfc_nl_family_id(const struct dfc_nl *nl)
{
	return nl->family;
}

uint32_t dfc_nl_mcast_group(const struct dfc_nl *nl, const char *name)
{
	for (unsigned int i = 0; i < nl->ngroups; i++)
		if (!strcmp(nl->groups[i].name, name))
			return nl->groups[i].id;
	return 0;
}

const char *dfc_nl_extack(const struct dfc_nl *nl)
{
	return nl->extack;
}

uint32_t dfc_nl_extack_offset(const struct dfc_nl *nl)
{
	return nl->extack_off;
}

uint32_t dfc_nl_extack_miss_type(const struct dfc_nl *nl)
{
	return nl->miss_type;
}

static int one_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dfc_nl_one_reply *r = data;

	if (r->parse(nlh, r->out) < 0) {
		errno = EINVAL;
		return MNL_CB_ERROR;
	}
	r->got = true;
	return MNL_CB_STOP;
}

int dfc_nl_get_one(struct dfc_nl *nl, struct nlmsghdr *nlh, struct dfc_nl_one_reply *r)
{
	int err = dfc_nl_request(nl, nlh, one_cb, r);

	if (!err && !r->got)
		err = -EPROTO; /* ACKed without a reply */
	return err;
}

/* An explanation of a request refused before it was sent, read as extack. */
void dfc_nl_local_error(struct dfc_nl *nl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(nl->extack, sizeof(nl->extack), fmt, ap);
	va_end(ap);
	nl->extack_off = 0;
	nl->miss_type = 0;
}
