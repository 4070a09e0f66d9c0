// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dfc_nl: libmnl generic netlink client for the "dfc" family.
 *
 * One request in flight per handle: dfc_nl_request() sends, then reads
 * until the matching ACK/DONE, so the socket is always left drained.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <libmnl/libmnl.h>

#include "dfc_nl.h"

/*
 * The kernel sizes dump skbs after the largest recvmsg() buffer it has
 * seen, capped at 32 KiB; a non-dump reply (a criterion with its entries)
 * can be larger, up to a 64 KiB DFC_A_CRIT nest plus headers. The send
 * buffer holds a batch of criteria: always at least one whole criterion.
 */
#define DFC_NL_DUMPSZ 32768
#define DFC_NL_RXSZ (128 * 1024)
#define DFC_NL_TXSZ DFC_NL_MSG_MAX
#define DFC_NL_MAX_GROUPS 8
/* netlink_sendmsg() refuses messages longer than sk_sndbuf - 32 */
#define DFC_NL_SNDBUF_SLACK 32
/* the events socket: room for bursts of expiries (capped by rmem_max) */
#define DFC_NL_EVENTS_RCVBUF (1024 * 1024)

struct dfc_nl {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;
	uint16_t family;
	unsigned int ngroups;
	struct {
		uint32_t id;
		char name[GENL_NAMSIZ];
	} groups[DFC_NL_MAX_GROUPS];
	char extack[256];
	uint32_t extack_off;
	uint32_t miss_type;
	char *dump; /* a dump's replies, collected until DONE */
	size_t dump_len, dump_cap;
	size_t tx_room; /* what the socket lets us send, at most sizeof(tx) */
	long crit_failed; /* dfc_nl_crit_add_failed() */
	/* entries and exclusions of the criterion being passed to a callback */
	struct dfc_nl_entry *scratch;
	alignas(8) char tx[DFC_NL_TXSZ]; /* kept intact: extack offsets point into it */
	alignas(8) char rx[DFC_NL_RXSZ];
};

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

static int parse_nested(const struct nlattr *nest, const struct nlattr **tb,
			const enum mnl_attr_data_type *policy, unsigned int max)
{
	return parse_attrs(mnl_attr_get_payload(nest), mnl_attr_get_payload_len(nest),
			   tb, policy, max);
}

/* Top-level attributes of a generic netlink message. */
static int parse_genl(const struct nlmsghdr *nlh, const struct nlattr **tb,
		      const enum mnl_attr_data_type *policy, unsigned int max)
{
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + GENL_HDRLEN)
		return -EINVAL;
	return parse_attrs((const char *)mnl_nlmsg_get_payload(nlh) + GENL_HDRLEN,
			   mnl_nlmsg_get_payload_len(nlh) - GENL_HDRLEN, tb, policy, max);
}

/*
 * mnl_nlmsg_ok() with nlmsg_len compared as the unsigned it is: libmnl
 * 1.0.4 compares (int)nlmsg_len <= len, so a message claiming 2 GiB or
 * more passes, and parsing or stepping over it reads far past the buffer.
 */
static bool nlmsg_ok(const struct nlmsghdr *nlh, int len)
{
	return mnl_nlmsg_ok(nlh, len) && nlh->nlmsg_len <= (unsigned int)len;
}

/* Copy a validated NUL_STRING attribute, rejecting one that does not fit. */
static int copy_str(char *dst, size_t size, const struct nlattr *attr)
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

/* NLMSG_ERROR: the request's status (0 for an ACK) and its extack. */
static int parse_error(struct dfc_nl *nl, const struct nlmsghdr *nlh)
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

enum xmode {
	X_DIRECT,  /* not a dump: every reply to cb */
	X_COLLECT, /* a dump, collected into nl->dump */
	X_STREAM,  /* a dump, to cb as it comes, until a reply is flagged NLM_F_DUMP_INTR */
};

/*
 * Send req and read every reply up to its ACK or DONE. A dump's replies
 * are collected into nl->dump (for the caller to walk once it is known
 * to be consistent) or streamed; any other reply goes to cb at once.
 */
static int exchange(struct dfc_nl *nl, struct nlmsghdr *req, enum xmode mode,
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
		for (nlh = (const void *)nl->rx; nlmsg_ok(nlh, len);
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
				int err = parse_error(nl, nlh);

				return err ? err : cb_err;
			}
			case NLMSG_DONE: {
				int err = parse_done(nl, nlh);

				return err ? err : cb_err;
			}
			case NLMSG_OVERRUN:
				return -ENOBUFS;
			default:
				if (mode == X_COLLECT) {
					if (!cb_err)
						cb_err = collect(nl, nlh);
				} else if (cb) {
					/* the rest is not part of a snapshot: drained only */
					if (mode == X_STREAM && *intr)
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
		int err = exchange(nl, nlh, dump ? X_COLLECT : X_DIRECT, cb, data, &intr);
		int len;

		if (err || !dump)
			return err;
		if (intr)
			continue; /* the set changed under the dump: take it again */
		err = 0;
		len = (int)nl->dump_len;
		for (m = (const void *)nl->dump; cb_on && nlmsg_ok(m, len);
		     m = mnl_nlmsg_next(m, &len))
			run_cb(cb, data, m, &cb_on, &err);
		return err;
	}
	return -EAGAIN;
}

struct nlmsghdr *dfc_nl_msg_new(struct dfc_nl *nl, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->tx);
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

	if (parse_genl(nlh, tb, policy, CTRL_ATTR_MAX) < 0 || !tb[CTRL_ATTR_FAMILY_ID]) {
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
		if (parse_nested(grp, gtb, grp_policy, CTRL_ATTR_MCAST_GRP_MAX) < 0 ||
		    !gtb[CTRL_ATTR_MCAST_GRP_NAME] || !gtb[CTRL_ATTR_MCAST_GRP_ID])
			continue;
		if (copy_str(nl->groups[nl->ngroups].name, GENL_NAMSIZ, gtb[CTRL_ATTR_MCAST_GRP_NAME]))
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

/* ---- parsers ---- */

/* Optional attributes, already validated: their value, or 0 when absent. */
static uint64_t opt_u64(const struct nlattr *a)
{
	return a ? mnl_attr_get_u64(a) : 0;
}

static uint32_t opt_u32(const struct nlattr *a)
{
	return a ? mnl_attr_get_u32(a) : 0;
}

static uint16_t opt_u16(const struct nlattr *a, uint16_t def)
{
	return a ? mnl_attr_get_u16(a) : def;
}

static uint8_t opt_u8(const struct nlattr *a, uint8_t def)
{
	return a ? mnl_attr_get_u8(a) : def;
}

int dfc_nl_iface_parse(const struct nlmsghdr *nlh, struct dfc_iface_info *out)
{
	static const enum mnl_attr_data_type policy[DFC_IFACE_A_MAX + 1] = {
		[DFC_IFACE_A_IFINDEX] = MNL_TYPE_U32,
		[DFC_IFACE_A_IFNAME] = MNL_TYPE_NUL_STRING,
		[DFC_IFACE_A_FLAGS] = MNL_TYPE_U32,
		[DFC_IFACE_A_STATS] = MNL_TYPE_NESTED,
	};
	static const enum mnl_attr_data_type spolicy[DFC_ISTATS_A_MAX + 1] = {
		[DFC_ISTATS_A_SEEN] = MNL_TYPE_U64,
		[DFC_ISTATS_A_BYTES] = MNL_TYPE_U64,
		[DFC_ISTATS_A_IPV4] = MNL_TYPE_U64,
		[DFC_ISTATS_A_IPV6] = MNL_TYPE_U64,
		[DFC_ISTATS_A_OTHER] = MNL_TYPE_U64,
		[DFC_ISTATS_A_ATTACHED] = MNL_TYPE_U64,
	};
	const struct nlattr *tb[DFC_IFACE_A_MAX + 1], *st[DFC_ISTATS_A_MAX + 1];

	memset(out, 0, sizeof(*out));
	/* every attribute is always sent: one missing means a broken reply */
	if (parse_genl(nlh, tb, policy, DFC_IFACE_A_MAX) < 0 ||
	    !tb[DFC_IFACE_A_IFINDEX] || !tb[DFC_IFACE_A_IFNAME] ||
	    !tb[DFC_IFACE_A_FLAGS] || !tb[DFC_IFACE_A_STATS])
		return -EINVAL;
	if (parse_nested(tb[DFC_IFACE_A_STATS], st, spolicy, DFC_ISTATS_A_MAX) < 0)
		return -EINVAL;
	for (unsigned int i = DFC_ISTATS_A_SEEN; i <= DFC_ISTATS_A_ATTACHED; i++)
		if (!st[i])
			return -EINVAL;
	if (copy_str(out->ifname, sizeof(out->ifname), tb[DFC_IFACE_A_IFNAME]) < 0)
		return -EINVAL;
	out->ifindex = mnl_attr_get_u32(tb[DFC_IFACE_A_IFINDEX]);
	out->flags = mnl_attr_get_u32(tb[DFC_IFACE_A_FLAGS]);
	out->stats.seen = mnl_attr_get_u64(st[DFC_ISTATS_A_SEEN]);
	out->stats.bytes = mnl_attr_get_u64(st[DFC_ISTATS_A_BYTES]);
	out->stats.ipv4 = mnl_attr_get_u64(st[DFC_ISTATS_A_IPV4]);
	out->stats.ipv6 = mnl_attr_get_u64(st[DFC_ISTATS_A_IPV6]);
	out->stats.other = mnl_attr_get_u64(st[DFC_ISTATS_A_OTHER]);
	out->stats.attached_secs = mnl_attr_get_u64(st[DFC_ISTATS_A_ATTACHED]);
	return 0;
}

int dfc_nl_stats_parse(const struct nlmsghdr *nlh, struct dfc_stats *out)
{
	static const enum mnl_attr_data_type policy[DFC_STATS_A_MAX + 1] = {
		[DFC_STATS_A_VERSION] = MNL_TYPE_NUL_STRING,
		[DFC_STATS_A_IFACES] = MNL_TYPE_U32,
		[DFC_STATS_A_SEEN] = MNL_TYPE_U64,
		[DFC_STATS_A_BYTES] = MNL_TYPE_U64,
		[DFC_STATS_A_IPV4] = MNL_TYPE_U64,
		[DFC_STATS_A_IPV6] = MNL_TYPE_U64,
		[DFC_STATS_A_OTHER] = MNL_TYPE_U64,
		[DFC_STATS_A_PARSED] = MNL_TYPE_U64,
		[DFC_STATS_A_UNPARSEABLE] = MNL_TYPE_U64,
		[DFC_STATS_A_MATCHED] = MNL_TYPE_U64,
		[DFC_STATS_A_MASKS_PROBED] = MNL_TYPE_U64,
		[DFC_STATS_A_CRITS] = MNL_TYPE_U32,
		[DFC_STATS_A_MAX_CRITS] = MNL_TYPE_U32,
		[DFC_STATS_A_MASKS] = MNL_TYPE_U32,
		[DFC_STATS_A_MAX_MASKS] = MNL_TYPE_U32,
		[DFC_STATS_A_ENTRIES] = MNL_TYPE_U32,
		[DFC_STATS_A_TABLE_MEM] = MNL_TYPE_U64,
		[DFC_STATS_A_EXPIRED] = MNL_TYPE_U64,
		[DFC_STATS_A_MAX_DUP] = MNL_TYPE_U32,
		[DFC_STATS_A_DUP_PERIOD] = MNL_TYPE_U32,
		[DFC_STATS_A_COPIES] = MNL_TYPE_U64,
		[DFC_STATS_A_DUP_DROPPED] = MNL_TYPE_U64,
	};
	const struct nlattr *tb[DFC_STATS_A_MAX + 1];

	memset(out, 0, sizeof(*out));
	if (parse_genl(nlh, tb, policy, DFC_STATS_A_MAX) < 0)
		return -EINVAL;
	for (unsigned int i = DFC_STATS_A_VERSION; i <= DFC_STATS_A_OTHER; i++)
		if (!tb[i])
			return -EINVAL;
	if (copy_str(out->version, sizeof(out->version), tb[DFC_STATS_A_VERSION]) < 0)
		return -EINVAL;
	out->ifaces = mnl_attr_get_u32(tb[DFC_STATS_A_IFACES]);
	out->seen = mnl_attr_get_u64(tb[DFC_STATS_A_SEEN]);
	out->bytes = mnl_attr_get_u64(tb[DFC_STATS_A_BYTES]);
	out->ipv4 = mnl_attr_get_u64(tb[DFC_STATS_A_IPV4]);
	out->ipv6 = mnl_attr_get_u64(tb[DFC_STATS_A_IPV6]);
	out->other = mnl_attr_get_u64(tb[DFC_STATS_A_OTHER]);
	/* the rest came with the criteria: an older module does not send them */
	out->parsed = opt_u64(tb[DFC_STATS_A_PARSED]);
	out->unparseable = opt_u64(tb[DFC_STATS_A_UNPARSEABLE]);
	out->matched = opt_u64(tb[DFC_STATS_A_MATCHED]);
	out->masks_probed = opt_u64(tb[DFC_STATS_A_MASKS_PROBED]);
	out->crits = opt_u32(tb[DFC_STATS_A_CRITS]);
	out->max_crits = opt_u32(tb[DFC_STATS_A_MAX_CRITS]);
	out->masks = opt_u32(tb[DFC_STATS_A_MASKS]);
	out->max_masks = opt_u32(tb[DFC_STATS_A_MAX_MASKS]);
	out->entries = opt_u32(tb[DFC_STATS_A_ENTRIES]);
	out->table_mem = opt_u64(tb[DFC_STATS_A_TABLE_MEM]);
	out->expired = opt_u64(tb[DFC_STATS_A_EXPIRED]);
	/* and these with the content destinations */
	out->max_dup = opt_u32(tb[DFC_STATS_A_MAX_DUP]);
	out->dup_period = opt_u32(tb[DFC_STATS_A_DUP_PERIOD]);
	out->copies = opt_u64(tb[DFC_STATS_A_COPIES]);
	out->dup_dropped = opt_u64(tb[DFC_STATS_A_DUP_DROPPED]);
	return 0;
}

/* ---- commands ---- */

/* Name the device by exactly one of ifindex / ifname. */
static int put_dev(struct nlmsghdr *nlh, size_t room, uint32_t ifindex, const char *ifname)
{
	bool ok;

	if (!ifindex == !ifname)
		return -EINVAL;
	if (ifname)
		ok = mnl_attr_put_strz_check(nlh, room, DFC_IFACE_A_IFNAME, ifname);
	else
		ok = mnl_attr_put_u32_check(nlh, room, DFC_IFACE_A_IFINDEX, ifindex);
	return ok ? 0 : -EMSGSIZE;
}

int dfc_nl_iface_add(struct dfc_nl *nl, uint32_t ifindex, const char *ifname, uint32_t flags)
{
	struct nlmsghdr *nlh = dfc_nl_msg_new(nl, DFC_CMD_IFACE_NEW, 0);
	int err = put_dev(nlh, nl->tx_room, ifindex, ifname);

	if (err)
		return err;
	if (!mnl_attr_put_u32_check(nlh, nl->tx_room, DFC_IFACE_A_FLAGS, flags))
		return -EMSGSIZE;
	return dfc_nl_request(nl, nlh, NULL, NULL);
}

int dfc_nl_iface_del(struct dfc_nl *nl, uint32_t ifindex, const char *ifname)
{
	struct nlmsghdr *nlh = dfc_nl_msg_new(nl, DFC_CMD_IFACE_DEL, 0);
	int err = put_dev(nlh, nl->tx_room, ifindex, ifname);

	return err ? err : dfc_nl_request(nl, nlh, NULL, NULL);
}

/* A non-dump GET: exactly one reply, parsed by parse into out. */
struct one_reply {
	int (*parse)(const struct nlmsghdr *nlh, void *out);
	void *out;
	bool got;
};

static int one_cb(const struct nlmsghdr *nlh, void *data)
{
	struct one_reply *r = data;

	if (r->parse(nlh, r->out) < 0) {
		errno = EINVAL;
		return MNL_CB_ERROR;
	}
	r->got = true;
	return MNL_CB_STOP;
}

static int get_one(struct dfc_nl *nl, struct nlmsghdr *nlh, struct one_reply *r)
{
	int err = dfc_nl_request(nl, nlh, one_cb, r);

	if (!err && !r->got)
		err = -EPROTO; /* ACKed without a reply */
	return err;
}

static int iface_parse_cb(const struct nlmsghdr *nlh, void *out)
{
	return dfc_nl_iface_parse(nlh, out);
}

static int stats_parse_cb(const struct nlmsghdr *nlh, void *out)
{
	return dfc_nl_stats_parse(nlh, out);
}

int dfc_nl_iface_get(struct dfc_nl *nl, uint32_t ifindex, const char *ifname,
		     struct dfc_iface_info *out)
{
	struct one_reply r = { .parse = iface_parse_cb, .out = out };
	struct nlmsghdr *nlh = dfc_nl_msg_new(nl, DFC_CMD_IFACE_GET, 0);
	int err = put_dev(nlh, nl->tx_room, ifindex, ifname);

	return err ? err : get_one(nl, nlh, &r);
}

struct iface_walk {
	int (*cb)(const struct dfc_iface_info *info, void *data);
	void *data;
	int ret;
};

static int iface_walk_cb(const struct nlmsghdr *nlh, void *data)
{
	struct iface_walk *w = data;
	struct dfc_iface_info info;

	if (dfc_nl_iface_parse(nlh, &info) < 0) {
		errno = EINVAL;
		return MNL_CB_ERROR;
	}
	w->ret = w->cb(&info, w->data);
	return w->ret ? MNL_CB_STOP : MNL_CB_OK;
}

int dfc_nl_iface_dump(struct dfc_nl *nl,
		      int (*cb)(const struct dfc_iface_info *info, void *data), void *data)
{
	struct iface_walk w = { .cb = cb, .data = data };
	struct nlmsghdr *nlh = dfc_nl_msg_new(nl, DFC_CMD_IFACE_GET, NLM_F_DUMP);
	int err = dfc_nl_request(nl, nlh, iface_walk_cb, &w);

	return err ? err : w.ret;
}

int dfc_nl_stats_get(struct dfc_nl *nl, struct dfc_stats *out)
{
	struct one_reply r = { .parse = stats_parse_cb, .out = out };

	return get_one(nl, dfc_nl_msg_new(nl, DFC_CMD_STATS_GET, 0), &r);
}

int dfc_nl_limits_update(struct dfc_nl *nl, const struct dfc_nl_limits *l)
{
	const struct {
		uint16_t type;
		uint32_t v;
	} lim[] = {
		{ DFC_STATS_A_MAX_CRITS, l->max_crits },
		{ DFC_STATS_A_MAX_MASKS, l->max_masks },
		{ DFC_STATS_A_MAX_DUP, l->max_dup },
		{ DFC_STATS_A_DUP_PERIOD, l->dup_period },
	};
	struct nlmsghdr *nlh;
	bool any = false;

	for (size_t i = 0; i < sizeof(lim) / sizeof(lim[0]); i++)
		any |= lim[i].v != 0;
	if (!any)
		return -EINVAL;
	nlh = dfc_nl_msg_new(nl, DFC_CMD_LIMITS_SET, 0);
	for (size_t i = 0; i < sizeof(lim) / sizeof(lim[0]); i++)
		if (lim[i].v && !mnl_attr_put_u32_check(nlh, nl->tx_room, lim[i].type, lim[i].v))
			return -EMSGSIZE;
	return dfc_nl_request(nl, nlh, NULL, NULL);
}

int dfc_nl_limits_set(struct dfc_nl *nl, uint32_t max_crits, uint32_t max_masks)
{
	struct dfc_nl_limits l = { .max_crits = max_crits, .max_masks = max_masks };

	return dfc_nl_limits_update(nl, &l);
}

int dfc_nl_dup_set(struct dfc_nl *nl, uint32_t max_dup, uint32_t dup_period)
{
	struct dfc_nl_limits l = { .max_dup = max_dup, .dup_period = dup_period };

	return dfc_nl_limits_update(nl, &l);
}

int dfc_nl_owner_set(struct dfc_nl *nl, uint32_t owner, uint32_t max_dup)
{
	struct nlmsghdr *nlh = dfc_nl_msg_new(nl, DFC_CMD_OWNER_SET, 0);

	if (!mnl_attr_put_u32_check(nlh, nl->tx_room, DFC_A_OWNER, owner) ||
	    !mnl_attr_put_u32_check(nlh, nl->tx_room, DFC_A_MAX_DUP, max_dup))
		return -EMSGSIZE;
	return dfc_nl_request(nl, nlh, NULL, NULL);
}

/* ---- criteria: encoding ---- */

/*
 * nla_len is 16 bits: no attribute, nest or not, is longer. A criterion
 * also keeps room for what a GET reply adds to the same nest (counters,
 * counts, their padding: under 128 bytes), so that every criterion added
 * through here can be read back whole.
 */
#define NEST_MAX UINT16_MAX
#define CRIT_NEST_MAX (NEST_MAX - DFC_NL_CRIT_REPLY_ROOM)

/*
 * The largest encodings, attribute by attribute as entry_put() and
 * dfc_nl_crit_put() write them: an entry using every field (on v6), and
 * a criterion with every optional attribute, the largest blob and the
 * most entries and exclusions of that shape. The uapi caps are what makes
 * every valid criterion fit one nest with the reply's room to spare.
 */
#define ATTR_SZ(len) MNL_ALIGN(MNL_ATTR_HDRLEN + (len))
#define ENTRY_MAX_LEN (MNL_ATTR_HDRLEN +				\
		       ATTR_SZ(1) +		/* ipver */		\
		       2 * (ATTR_SZ(16) + ATTR_SZ(1)) + /* src, dst, plens */ \
		       4 * ATTR_SZ(2) +		/* ports and masks */	\
		       2 * ATTR_SZ(1) +		/* proto and mask */	\
		       4 * ATTR_SZ(1) +		/* icmp and masks */	\
		       ATTR_SZ(4))		/* ifindex */
#define CRIT_MAX_LEN (MNL_ATTR_HDRLEN +					\
		      ATTR_SZ(8) +		/* id */		\
		      3 * ATTR_SZ(4) +		/* prio, flags, cdest */ \
		      2 * ATTR_SZ(4) +		/* timeouts */		\
		      2 * ATTR_SZ(8) +		/* limits */		\
		      ATTR_SZ(DFC_CRIT_BLOB_MAX) +				\
		      (DFC_CRIT_MAX_ENTRIES + DFC_CRIT_MAX_EXCL) * ENTRY_MAX_LEN)
_Static_assert(CRIT_MAX_LEN <= CRIT_NEST_MAX,
	       "the largest valid criterion must fit one nest, with room for the reply");

static unsigned int addr_len(uint8_t ipver)
{
	return ipver == 4 ? 4 : ipver == 6 ? 16 : 0;
}

/*
 * What the kernel refuses whatever the message (more entries, exclusions
 * or blob than the uapi allows), or what cannot be encoded: -EINVAL, with
 * the reason in why (may be NULL); 0 if c can be sent.
 */
static int crit_check(const struct dfc_nl_crit *c, char *why, size_t len)
{
	if (!why)
		len = 0;
	if (c->n_entries > DFC_CRIT_MAX_ENTRIES) {
		snprintf(why, len, "has %u entries, at most %u are allowed",
			 c->n_entries, DFC_CRIT_MAX_ENTRIES);
		return -EINVAL;
	}
	if (c->n_excl > DFC_CRIT_MAX_EXCL) {
		snprintf(why, len, "has %u exclusions, at most %u are allowed",
			 c->n_excl, DFC_CRIT_MAX_EXCL);
		return -EINVAL;
	}
	if (c->blob_len > DFC_CRIT_BLOB_MAX) {
		snprintf(why, len, "has a %u-byte blob, at most %u bytes are allowed",
			 c->blob_len, DFC_CRIT_BLOB_MAX);
		return -EINVAL;
	}
	if ((c->blob_len && !c->blob) || (c->n_entries && !c->entries) ||
	    (c->n_excl && !c->excl)) {
		snprintf(why, len, "has a blob, entries or exclusions but no array for them");
		return -EINVAL;
	}
	for (unsigned int i = 0; i < c->n_entries + c->n_excl; i++) {
		const struct dfc_nl_entry *e = i < c->n_entries ? &c->entries[i] :
					       &c->excl[i - c->n_entries];

		if ((e->src_plen || e->dst_plen) && !addr_len(e->ipver)) {
			snprintf(why, len, "cannot be encoded: %s %u has an address "
				 "but no IP version 4 or 6",
				 i < c->n_entries ? "entry" : "exclusion",
				 i < c->n_entries ? i : i - c->n_entries);
			return -EINVAL;
		}
	}
	return 0;
}

static struct nlattr *nest_start(struct nlmsghdr *nlh, size_t room, uint16_t type)
{
	struct nlattr *nest = mnl_attr_nest_start_check(nlh, room, type);

	/* strict validation (every dfc command) wants nests flagged */
	if (nest)
		nest->nla_type |= NLA_F_NESTED;
	return nest;
}

/* Close a nest, unless it grew past max bytes (at most what nla_len can say). */
static bool nest_end(struct nlmsghdr *nlh, struct nlattr *nest, size_t max)
{
	if ((size_t)((char *)mnl_nlmsg_get_payload_tail(nlh) - (char *)nest) > max)
		return false;
	mnl_attr_nest_end(nlh, nest);
	return true;
}

static int entry_put(struct nlmsghdr *nlh, size_t room, uint16_t type,
		     const struct dfc_nl_entry *e)
{
	unsigned int alen = addr_len(e->ipver);
	struct nlattr *nest;

	/* the address length comes from the IP version */
	if ((e->src_plen || e->dst_plen) && !alen)
		return -EINVAL;
	nest = nest_start(nlh, room, type);
	if (!nest)
		return -EMSGSIZE;
	if (e->ipver && !mnl_attr_put_u8_check(nlh, room, DFC_ENTRY_A_IPVER, e->ipver))
		goto full;
	if (e->src_plen &&
	    (!mnl_attr_put_check(nlh, room, DFC_ENTRY_A_SRC, alen, e->src) ||
	     !mnl_attr_put_u8_check(nlh, room, DFC_ENTRY_A_SRC_PLEN, e->src_plen)))
		goto full;
	if (e->dst_plen &&
	    (!mnl_attr_put_check(nlh, room, DFC_ENTRY_A_DST, alen, e->dst) ||
	     !mnl_attr_put_u8_check(nlh, room, DFC_ENTRY_A_DST_PLEN, e->dst_plen)))
		goto full;
	/* all four, always: their presence is what makes a port condition */
	if ((e->ports || e->sport_mask || e->dport_mask) &&
	    (!mnl_attr_put_u16_check(nlh, room, DFC_ENTRY_A_SPORT, e->sport) ||
	     !mnl_attr_put_u16_check(nlh, room, DFC_ENTRY_A_SPORT_MASK, e->sport_mask) ||
	     !mnl_attr_put_u16_check(nlh, room, DFC_ENTRY_A_DPORT, e->dport) ||
	     !mnl_attr_put_u16_check(nlh, room, DFC_ENTRY_A_DPORT_MASK, e->dport_mask)))
		goto full;
	if (e->proto_mask &&
	    (!mnl_attr_put_u8_check(nlh, room, DFC_ENTRY_A_PROTO, e->proto) ||
	     !mnl_attr_put_u8_check(nlh, room, DFC_ENTRY_A_PROTO_MASK, e->proto_mask)))
		goto full;
	if ((e->icmp || e->icmp_type_mask || e->icmp_code_mask) &&
	    (!mnl_attr_put_u8_check(nlh, room, DFC_ENTRY_A_ICMP_TYPE, e->icmp_type) ||
	     !mnl_attr_put_u8_check(nlh, room, DFC_ENTRY_A_ICMP_TYPE_MASK, e->icmp_type_mask) ||
	     !mnl_attr_put_u8_check(nlh, room, DFC_ENTRY_A_ICMP_CODE, e->icmp_code) ||
	     !mnl_attr_put_u8_check(nlh, room, DFC_ENTRY_A_ICMP_CODE_MASK, e->icmp_code_mask)))
		goto full;
	if (e->ifindex && !mnl_attr_put_u32_check(nlh, room, DFC_ENTRY_A_IFINDEX, e->ifindex))
		goto full;
	mnl_attr_nest_end(nlh, nest); /* a few hundred bytes at most */
	return 0;
full:
	mnl_attr_nest_cancel(nlh, nest);
	return -EMSGSIZE;
}

int dfc_nl_crit_put(struct nlmsghdr *nlh, size_t room, const struct dfc_nl_crit *c)
{
	struct nlattr *nest;
	int err = crit_check(c, NULL, 0);

	if (err)
		return err;
	nest = nest_start(nlh, room, DFC_A_CRIT);
	if (!nest)
		return -EMSGSIZE;
	err = -EMSGSIZE;
	if (!mnl_attr_put_u64_check(nlh, room, DFC_CRIT_A_ID, c->id) ||
	    !mnl_attr_put_u32_check(nlh, room, DFC_CRIT_A_PRIO, c->prio) ||
	    !mnl_attr_put_u32_check(nlh, room, DFC_CRIT_A_FLAGS, c->flags) ||
	    !mnl_attr_put_u32_check(nlh, room, DFC_CRIT_A_CDEST, c->cdest) ||
	    (c->timeout_total &&
	     !mnl_attr_put_u32_check(nlh, room, DFC_CRIT_A_TIMEOUT_TOTAL, c->timeout_total)) ||
	    (c->timeout_idle &&
	     !mnl_attr_put_u32_check(nlh, room, DFC_CRIT_A_TIMEOUT_IDLE, c->timeout_idle)) ||
	    (c->limit_packets &&
	     !mnl_attr_put_u64_check(nlh, room, DFC_CRIT_A_LIMIT_PACKETS, c->limit_packets)) ||
	    (c->limit_bytes &&
	     !mnl_attr_put_u64_check(nlh, room, DFC_CRIT_A_LIMIT_BYTES, c->limit_bytes)) ||
	    (c->blob_len &&
	     !mnl_attr_put_check(nlh, room, DFC_CRIT_A_BLOB, c->blob_len, c->blob)))
		goto cancel;
	for (unsigned int i = 0; i < c->n_entries; i++) {
		err = entry_put(nlh, room, DFC_CRIT_A_ENTRY, &c->entries[i]);
		if (err)
			goto cancel;
	}
	for (unsigned int i = 0; i < c->n_excl; i++) {
		err = entry_put(nlh, room, DFC_CRIT_A_EXCL, &c->excl[i]);
		if (err)
			goto cancel;
	}
	/* cannot fail since crit_check() (CRIT_MAX_LEN): kept against a wrapped nla_len */
	if (!nest_end(nlh, nest, CRIT_NEST_MAX)) {
		err = -EMSGSIZE;
		goto cancel;
	}
	return 0;
cancel:
	mnl_attr_nest_cancel(nlh, nest);
	return err;
}

int dfc_nl_crit_pack(struct nlmsghdr *nlh, size_t room, const struct dfc_nl_crit *crits,
		     unsigned int n, unsigned int *packed)
{
	unsigned int i;
	int err = 0;

	for (i = 0; i < n; i++) {
		err = dfc_nl_crit_put(nlh, room, &crits[i]);
		if (err)
			break;
	}
	*packed = i;
	return i || !n ? 0 : err;
}

/* ---- criteria: parsing ---- */

static int entry_parse(const struct nlattr *nest, struct dfc_nl_entry *e)
{
	static const enum mnl_attr_data_type policy[DFC_ENTRY_A_MAX + 1] = {
		[DFC_ENTRY_A_IPVER] = MNL_TYPE_U8,
		[DFC_ENTRY_A_SRC] = MNL_TYPE_BINARY,
		[DFC_ENTRY_A_SRC_PLEN] = MNL_TYPE_U8,
		[DFC_ENTRY_A_DST] = MNL_TYPE_BINARY,
		[DFC_ENTRY_A_DST_PLEN] = MNL_TYPE_U8,
		[DFC_ENTRY_A_SPORT] = MNL_TYPE_U16,
		[DFC_ENTRY_A_SPORT_MASK] = MNL_TYPE_U16,
		[DFC_ENTRY_A_DPORT] = MNL_TYPE_U16,
		[DFC_ENTRY_A_DPORT_MASK] = MNL_TYPE_U16,
		[DFC_ENTRY_A_PROTO] = MNL_TYPE_U8,
		[DFC_ENTRY_A_PROTO_MASK] = MNL_TYPE_U8,
		[DFC_ENTRY_A_ICMP_TYPE] = MNL_TYPE_U8,
		[DFC_ENTRY_A_ICMP_TYPE_MASK] = MNL_TYPE_U8,
		[DFC_ENTRY_A_ICMP_CODE] = MNL_TYPE_U8,
		[DFC_ENTRY_A_ICMP_CODE_MASK] = MNL_TYPE_U8,
		[DFC_ENTRY_A_IFINDEX] = MNL_TYPE_U32,
	};
	static const struct {
		uint16_t addr, plen;
	} addrs[2] = {
		{ DFC_ENTRY_A_SRC, DFC_ENTRY_A_SRC_PLEN },
		{ DFC_ENTRY_A_DST, DFC_ENTRY_A_DST_PLEN },
	};
	const struct nlattr *tb[DFC_ENTRY_A_MAX + 1];
	unsigned int alen;

	memset(e, 0, sizeof(*e));
	if (parse_nested(nest, tb, policy, DFC_ENTRY_A_MAX) < 0)
		return -EINVAL;
	e->ipver = opt_u8(tb[DFC_ENTRY_A_IPVER], 0);
	alen = addr_len(e->ipver);
	if (e->ipver && !alen)
		return -EINVAL;
	for (int i = 0; i < 2; i++) {
		const struct nlattr *a = tb[addrs[i].addr], *p = tb[addrs[i].plen];
		uint8_t *addr = i ? e->dst : e->src, *plen = i ? &e->dst_plen : &e->src_plen;

		if (!a) {
			if (p)
				return -EINVAL; /* a prefix length of no address */
			continue;
		}
		if (!alen || mnl_attr_get_payload_len(a) != alen)
			return -EINVAL;
		memcpy(addr, mnl_attr_get_payload(a), alen);
		*plen = opt_u8(p, (uint8_t)(alen * 8));
		if (*plen > alen * 8)
			return -EINVAL;
	}
	/* any of the four is a port condition; a mask defaults to exact if its value is there */
	e->ports = tb[DFC_ENTRY_A_SPORT] || tb[DFC_ENTRY_A_SPORT_MASK] ||
		   tb[DFC_ENTRY_A_DPORT] || tb[DFC_ENTRY_A_DPORT_MASK];
	e->sport = opt_u16(tb[DFC_ENTRY_A_SPORT], 0);
	e->sport_mask = opt_u16(tb[DFC_ENTRY_A_SPORT_MASK], tb[DFC_ENTRY_A_SPORT] ? 0xffff : 0);
	e->dport = opt_u16(tb[DFC_ENTRY_A_DPORT], 0);
	e->dport_mask = opt_u16(tb[DFC_ENTRY_A_DPORT_MASK], tb[DFC_ENTRY_A_DPORT] ? 0xffff : 0);
	e->proto = opt_u8(tb[DFC_ENTRY_A_PROTO], 0);
	e->proto_mask = opt_u8(tb[DFC_ENTRY_A_PROTO_MASK], tb[DFC_ENTRY_A_PROTO] ? 0xff : 0);
	e->icmp = tb[DFC_ENTRY_A_ICMP_TYPE] || tb[DFC_ENTRY_A_ICMP_TYPE_MASK] ||
		  tb[DFC_ENTRY_A_ICMP_CODE] || tb[DFC_ENTRY_A_ICMP_CODE_MASK];
	e->icmp_type = opt_u8(tb[DFC_ENTRY_A_ICMP_TYPE], 0);
	e->icmp_type_mask = opt_u8(tb[DFC_ENTRY_A_ICMP_TYPE_MASK],
				   tb[DFC_ENTRY_A_ICMP_TYPE] ? 0xff : 0);
	e->icmp_code = opt_u8(tb[DFC_ENTRY_A_ICMP_CODE], 0);
	e->icmp_code_mask = opt_u8(tb[DFC_ENTRY_A_ICMP_CODE_MASK],
				   tb[DFC_ENTRY_A_ICMP_CODE] ? 0xff : 0);
	e->ifindex = opt_u32(tb[DFC_ENTRY_A_IFINDEX]);
	return 0;
}

int dfc_nl_crit_parse_attr(const struct nlattr *crit, struct dfc_nl_crit *out,
			   struct dfc_nl_entry *entries, unsigned int max_entries,
			   struct dfc_nl_entry *excl, unsigned int max_excl)
{
	static const enum mnl_attr_data_type policy[DFC_CRIT_A_MAX + 1] = {
		[DFC_CRIT_A_ID] = MNL_TYPE_U64,
		[DFC_CRIT_A_PRIO] = MNL_TYPE_U32,
		[DFC_CRIT_A_FLAGS] = MNL_TYPE_U32,
		[DFC_CRIT_A_CDEST] = MNL_TYPE_U32,
		[DFC_CRIT_A_TIMEOUT_TOTAL] = MNL_TYPE_U32,
		[DFC_CRIT_A_TIMEOUT_IDLE] = MNL_TYPE_U32,
		[DFC_CRIT_A_LIMIT_PACKETS] = MNL_TYPE_U64,
		[DFC_CRIT_A_LIMIT_BYTES] = MNL_TYPE_U64,
		[DFC_CRIT_A_BLOB] = MNL_TYPE_BINARY,
		[DFC_CRIT_A_ENTRY] = MNL_TYPE_NESTED,
		[DFC_CRIT_A_EXCL] = MNL_TYPE_NESTED,
		[DFC_CRIT_A_PACKETS] = MNL_TYPE_U64,
		[DFC_CRIT_A_BYTES] = MNL_TYPE_U64,
		[DFC_CRIT_A_LAST_MATCH] = MNL_TYPE_U64,
		[DFC_CRIT_A_AGE] = MNL_TYPE_U64,
		[DFC_CRIT_A_N_REFRESH] = MNL_TYPE_U32,
		[DFC_CRIT_A_REASON] = MNL_TYPE_U8,
		[DFC_CRIT_A_N_ENTRIES] = MNL_TYPE_U32,
		[DFC_CRIT_A_N_EXCL] = MNL_TYPE_U32,
	};
	const struct nlattr *tb[DFC_CRIT_A_MAX + 1], *a;
	unsigned int ne = 0, nx = 0;

	memset(out, 0, sizeof(*out));
	out->last_match_secs = UINT64_MAX;
	/* validates every attribute, the repeated ENTRY/EXCL ones included */
	if (parse_nested(crit, tb, policy, DFC_CRIT_A_MAX) < 0 || !tb[DFC_CRIT_A_ID])
		return -EINVAL;
	mnl_attr_for_each_nested(a, crit) {
		uint16_t type = mnl_attr_get_type(a);
		struct dfc_nl_entry tmp, *e = &tmp;

		if (type == DFC_CRIT_A_ENTRY) {
			if (entries && ne >= max_entries)
				return -ENOBUFS;
			if (entries)
				e = &entries[ne];
			ne++;
		} else if (type == DFC_CRIT_A_EXCL) {
			if (excl && nx >= max_excl)
				return -ENOBUFS;
			if (excl)
				e = &excl[nx];
			nx++;
		} else {
			continue;
		}
		if (entry_parse(a, e) < 0)
			return -EINVAL;
	}
	out->id = mnl_attr_get_u64(tb[DFC_CRIT_A_ID]);
	out->prio = opt_u32(tb[DFC_CRIT_A_PRIO]);
	out->flags = opt_u32(tb[DFC_CRIT_A_FLAGS]);
	out->cdest = opt_u32(tb[DFC_CRIT_A_CDEST]);
	out->timeout_total = opt_u32(tb[DFC_CRIT_A_TIMEOUT_TOTAL]);
	out->timeout_idle = opt_u32(tb[DFC_CRIT_A_TIMEOUT_IDLE]);
	out->limit_packets = opt_u64(tb[DFC_CRIT_A_LIMIT_PACKETS]);
	out->limit_bytes = opt_u64(tb[DFC_CRIT_A_LIMIT_BYTES]);
	if (tb[DFC_CRIT_A_BLOB] && mnl_attr_get_payload_len(tb[DFC_CRIT_A_BLOB])) {
		out->blob = mnl_attr_get_payload(tb[DFC_CRIT_A_BLOB]);
		out->blob_len = mnl_attr_get_payload_len(tb[DFC_CRIT_A_BLOB]);
	}
	out->packets = opt_u64(tb[DFC_CRIT_A_PACKETS]);
	out->bytes = opt_u64(tb[DFC_CRIT_A_BYTES]);
	if (tb[DFC_CRIT_A_LAST_MATCH])
		out->last_match_secs = mnl_attr_get_u64(tb[DFC_CRIT_A_LAST_MATCH]);
	out->age_secs = opt_u64(tb[DFC_CRIT_A_AGE]);
	out->n_refresh = opt_u32(tb[DFC_CRIT_A_N_REFRESH]);
	out->reason = opt_u8(tb[DFC_CRIT_A_REASON], DFC_REASON_NONE);
	/* counts: of what came, which must then agree with what the kernel says it has */
	out->n_entries = tb[DFC_CRIT_A_N_ENTRIES] ? mnl_attr_get_u32(tb[DFC_CRIT_A_N_ENTRIES]) : ne;
	out->n_excl = tb[DFC_CRIT_A_N_EXCL] ? mnl_attr_get_u32(tb[DFC_CRIT_A_N_EXCL]) : nx;
	if ((ne && ne != out->n_entries) || (nx && nx != out->n_excl))
		return -EINVAL;
	if (ne && entries)
		out->entries = entries;
	if (nx && excl)
		out->excl = excl;
	return 0;
}

int dfc_nl_crit_parse(const struct nlmsghdr *nlh, struct dfc_nl_crit *out,
		      struct dfc_nl_entry *entries, unsigned int max_entries,
		      struct dfc_nl_entry *excl, unsigned int max_excl)
{
	static const enum mnl_attr_data_type policy[DFC_A_MAX + 1] = {
		[DFC_A_OWNER] = MNL_TYPE_U32,
		[DFC_A_ID] = MNL_TYPE_U64,
		[DFC_A_CDEST] = MNL_TYPE_U32,
		[DFC_A_FLAGS] = MNL_TYPE_U32,
		[DFC_A_TERSE] = MNL_TYPE_FLAG,
		[DFC_A_COUNT] = MNL_TYPE_U32,
		[DFC_A_CRIT] = MNL_TYPE_NESTED,
	};
	const struct nlattr *tb[DFC_A_MAX + 1];
	int err;

	memset(out, 0, sizeof(*out));
	out->last_match_secs = UINT64_MAX;
	if (parse_genl(nlh, tb, policy, DFC_A_MAX) < 0 || !tb[DFC_A_OWNER] || !tb[DFC_A_CRIT])
		return -EINVAL;
	err = dfc_nl_crit_parse_attr(tb[DFC_A_CRIT], out, entries, max_entries, excl, max_excl);
	if (err)
		return err;
	out->owner = mnl_attr_get_u32(tb[DFC_A_OWNER]);
	return 0;
}

/* The counters of DFC_CDEST_A_STATS, all NLA_U64. */
static const enum mnl_attr_data_type cstats_policy[DFC_CSTATS_A_MAX + 1] = {
	[DFC_CSTATS_A_COPIES] = MNL_TYPE_U64,
	[DFC_CSTATS_A_BYTES] = MNL_TYPE_U64,
	[DFC_CSTATS_A_NOMEM] = MNL_TYPE_U64,
	[DFC_CSTATS_A_NOROUTE] = MNL_TYPE_U64,
	[DFC_CSTATS_A_NOIPSEC] = MNL_TYPE_U64,
	[DFC_CSTATS_A_TOOBIG] = MNL_TYPE_U64,
	[DFC_CSTATS_A_LOOP] = MNL_TYPE_U64,
	[DFC_CSTATS_A_RATELIMIT] = MNL_TYPE_U64,
	[DFC_CSTATS_A_DUPCAP] = MNL_TYPE_U64,
	[DFC_CSTATS_A_RATE] = MNL_TYPE_U64,
	[DFC_CSTATS_A_TXERR] = MNL_TYPE_U64,
};

/* DFC_CMD_CDEST_CONGESTED and DFC_CMD_CDEST_NOIPSEC: the DFC_CDEST_A_* space. */
static int event_cdest_parse(const struct nlmsghdr *nlh, struct dfc_nl_event *out)
{
	static const enum mnl_attr_data_type policy[DFC_CDEST_A_MAX + 1] = {
		[DFC_CDEST_A_ID] = MNL_TYPE_U32,
		[DFC_CDEST_A_STATS] = MNL_TYPE_NESTED,
		[DFC_CDEST_A_CONGESTED] = MNL_TYPE_U8,
	};
	const struct nlattr *tb[DFC_CDEST_A_MAX + 1], *st[DFC_CSTATS_A_MAX + 1];

	if (parse_genl(nlh, tb, policy, DFC_CDEST_A_MAX) < 0 || !tb[DFC_CDEST_A_ID])
		return -EINVAL;
	if (tb[DFC_CDEST_A_STATS]) {
		if (parse_nested(tb[DFC_CDEST_A_STATS], st, cstats_policy, DFC_CSTATS_A_MAX) < 0)
			return -EINVAL;
		out->cdest.rate = opt_u64(st[DFC_CSTATS_A_RATE]);
	}
	out->cdest.id = mnl_attr_get_u32(tb[DFC_CDEST_A_ID]);
	out->cdest.congested = opt_u8(tb[DFC_CDEST_A_CONGESTED], 0);
	return 0;
}

/*
 * The list an event carries: every top-level attribute of type in nlh, in
 * order. Each is checked by entry(a, slot), which fills slot, the next free
 * element of v (max elements of size bytes), or only checks the attribute
 * when v is full (slot NULL). *n counts the elements filled, *n_total every
 * attribute. The first failure of entry is returned.
 */
typedef int (*event_entry_fn)(const struct nlattr *a, void *slot);

static int event_list_parse(const struct nlmsghdr *nlh, uint16_t type, event_entry_fn entry,
			    void *v, size_t size, unsigned int max,
			    unsigned int *n, unsigned int *n_total)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		void *slot = *n < max ? (char *)v + *n * size : NULL;
		int err;

		if (mnl_attr_get_type(a) != type)
			continue;
		err = entry(a, slot);
		if (err)
			return err;
		if (slot)
			(*n)++;
		(*n_total)++;
	}
	return 0;
}

/* A DFC_A_ID of a purge, already validated with the message. */
static int purged_entry(const struct nlattr *a, void *slot)
{
	if (slot)
		*(uint64_t *)slot = mnl_attr_get_u64(a);
	return 0;
}

/* DFC_CMD_CDEST_PURGED: DFC_A_OWNER, DFC_A_CDEST, DFC_A_ID repeated. */
static int event_purged_parse(const struct nlmsghdr *nlh, struct dfc_nl_event *out)
{
	static const enum mnl_attr_data_type policy[DFC_A_MAX + 1] = {
		[DFC_A_OWNER] = MNL_TYPE_U32,
		[DFC_A_ID] = MNL_TYPE_U64,
		[DFC_A_CDEST] = MNL_TYPE_U32,
	};
	const struct nlattr *tb[DFC_A_MAX + 1];

	/* validates every attribute, each of the repeated ids included */
	if (parse_genl(nlh, tb, policy, DFC_A_MAX) < 0 || !tb[DFC_A_OWNER] || !tb[DFC_A_CDEST])
		return -EINVAL;
	out->purged.owner = mnl_attr_get_u32(tb[DFC_A_OWNER]);
	out->purged.cdest = mnl_attr_get_u32(tb[DFC_A_CDEST]);
	return event_list_parse(nlh, DFC_A_ID, purged_entry, out->purged.ids,
				sizeof(out->purged.ids[0]), DFC_NL_EVENT_MAX_IDS,
				&out->purged.n_ids, &out->purged.n_total);
}

/* The top level of the events that list criteria: DFC_A_OWNER, DFC_A_CRIT repeated. */
static const enum mnl_attr_data_type crit_list_policy[DFC_A_MAX + 1] = {
	[DFC_A_OWNER] = MNL_TYPE_U32,
	[DFC_A_CRIT] = MNL_TYPE_NESTED,
};

/* A DFC_A_CRIT of a duplicates-dropped event: id, cdest, dup_dropped. */
static int dup_entry(const struct nlattr *a, void *slot)
{
	static const enum mnl_attr_data_type cpolicy[DFC_CRIT_A_MAX + 1] = {
		[DFC_CRIT_A_ID] = MNL_TYPE_U64,
		[DFC_CRIT_A_CDEST] = MNL_TYPE_U32,
		[DFC_CRIT_A_DUP_DROPPED] = MNL_TYPE_U64,
	};
	const struct nlattr *ct[DFC_CRIT_A_MAX + 1];
	struct dfc_nl_dup *d = slot;

	if (parse_nested(a, ct, cpolicy, DFC_CRIT_A_MAX) < 0 || !ct[DFC_CRIT_A_ID])
		return -EINVAL;
	if (!d)
		return 0;
	d->id = mnl_attr_get_u64(ct[DFC_CRIT_A_ID]);
	d->cdest = opt_u32(ct[DFC_CRIT_A_CDEST]);
	d->dropped = opt_u64(ct[DFC_CRIT_A_DUP_DROPPED]);
	return 0;
}

/* DFC_CMD_DUP_DROPPED: DFC_A_OWNER, DFC_A_CRIT repeated (id, cdest, dup_dropped). */
static int event_dup_parse(const struct nlmsghdr *nlh, struct dfc_nl_event *out)
{
	const struct nlattr *tb[DFC_A_MAX + 1];

	if (parse_genl(nlh, tb, crit_list_policy, DFC_A_MAX) < 0 || !tb[DFC_A_OWNER])
		return -EINVAL;
	out->dup.owner = mnl_attr_get_u32(tb[DFC_A_OWNER]);
	return event_list_parse(nlh, DFC_A_CRIT, dup_entry, out->dup.v, sizeof(out->dup.v[0]),
				DFC_NL_EVENT_MAX_DUPS, &out->dup.n, &out->dup.n_total);
}

/* A DFC_A_CRIT of an expiry event: id, flags, cdest, reason, counts. */
static int expired_entry(const struct nlattr *a, void *slot)
{
	static const enum mnl_attr_data_type cpolicy[DFC_CRIT_A_MAX + 1] = {
		[DFC_CRIT_A_ID] = MNL_TYPE_U64,
		[DFC_CRIT_A_FLAGS] = MNL_TYPE_U32,
		[DFC_CRIT_A_CDEST] = MNL_TYPE_U32,
		[DFC_CRIT_A_REASON] = MNL_TYPE_U8,
		[DFC_CRIT_A_PACKETS] = MNL_TYPE_U64,
		[DFC_CRIT_A_BYTES] = MNL_TYPE_U64,
	};
	const struct nlattr *ct[DFC_CRIT_A_MAX + 1];
	struct dfc_nl_expired *x = slot;

	if (parse_nested(a, ct, cpolicy, DFC_CRIT_A_MAX) < 0 || !ct[DFC_CRIT_A_ID])
		return -EINVAL;
	if (!x)
		return 0;
	x->id = mnl_attr_get_u64(ct[DFC_CRIT_A_ID]);
	x->flags = opt_u32(ct[DFC_CRIT_A_FLAGS]);
	x->cdest = opt_u32(ct[DFC_CRIT_A_CDEST]);
	x->reason = opt_u8(ct[DFC_CRIT_A_REASON], 0);
	x->packets = opt_u64(ct[DFC_CRIT_A_PACKETS]);
	x->bytes = opt_u64(ct[DFC_CRIT_A_BYTES]);
	return 0;
}

/* DFC_CMD_CRIT_EXPIRED: DFC_A_OWNER, DFC_A_CRIT repeated (id, flags, cdest, reason, counts). */
static int event_expired_parse(const struct nlmsghdr *nlh, struct dfc_nl_event *out)
{
	const struct nlattr *tb[DFC_A_MAX + 1];

	if (parse_genl(nlh, tb, crit_list_policy, DFC_A_MAX) < 0 || !tb[DFC_A_OWNER] ||
	    !tb[DFC_A_CRIT])
		return -EINVAL;
	out->expired.owner = mnl_attr_get_u32(tb[DFC_A_OWNER]);
	return event_list_parse(nlh, DFC_A_CRIT, expired_entry, out->expired.v,
				sizeof(out->expired.v[0]), DFC_NL_EVENT_MAX_EXPIRED,
				&out->expired.n, &out->expired.n_total);
}

int dfc_nl_event_parse(const struct nlmsghdr *nlh, struct dfc_nl_event *out)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);

	memset(out, 0, sizeof(*out));
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + GENL_HDRLEN)
		return -EINVAL;
	switch (genl->cmd) {
	case DFC_CMD_CRIT_EXPIRED:
		out->cmd = genl->cmd;
		return event_expired_parse(nlh, out);
	case DFC_CMD_CDEST_CONGESTED:
	case DFC_CMD_CDEST_NOIPSEC:
		out->cmd = genl->cmd;
		return event_cdest_parse(nlh, out);
	case DFC_CMD_CDEST_PURGED:
		out->cmd = genl->cmd;
		return event_purged_parse(nlh, out);
	case DFC_CMD_DUP_DROPPED:
		out->cmd = genl->cmd;
		return event_dup_parse(nlh, out);
	default:
		return -EOPNOTSUPP;
	}
}

/* ---- criteria: commands ---- */

static void local_error(struct dfc_nl *nl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* An explanation of a request refused before it was sent, read as extack. */
static void local_error(struct dfc_nl *nl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(nl->extack, sizeof(nl->extack), fmt, ap);
	va_end(ap);
	nl->extack_off = 0;
	nl->miss_type = 0;
}

/*
 * Which criterion of the failed request nlh (the first is crits[first])
 * the kernel's extack offset points into, or -1.
 */
static long crit_at_offset(const struct dfc_nl *nl, const struct nlmsghdr *nlh, unsigned int first)
{
	const struct nlattr *attr;
	uint32_t off = nl->extack_off;
	long k = 0;

	if (!off)
		return -1;
	mnl_attr_for_each(attr, nlh, GENL_HDRLEN) {
		uint32_t start = (uint32_t)((const char *)attr - (const char *)nlh);

		if (mnl_attr_get_type(attr) != DFC_A_CRIT)
			continue;
		if (off >= start && off < start + attr->nla_len)
			return first + k;
		k++;
	}
	return -1;
}

long dfc_nl_crit_add_failed(const struct dfc_nl *nl)
{
	return nl->crit_failed;
}

int dfc_nl_crit_add(struct dfc_nl *nl, uint32_t owner, const struct dfc_nl_crit *crits,
		    unsigned int n, unsigned int *done)
{
	unsigned int d = 0, k;
	int err = 0;

	nl->crit_failed = -1;
	while (d < n) {
		struct nlmsghdr *nlh = dfc_nl_msg_new(nl, DFC_CMD_CRIT_NEW, 0);

		if (!mnl_attr_put_u32_check(nlh, nl->tx_room, DFC_A_OWNER, owner)) {
			err = -EMSGSIZE;
			break;
		}
		err = dfc_nl_crit_pack(nlh, nl->tx_room, crits + d, n - d, &k);
		if (err) {
			const struct dfc_nl_crit *c = &crits[d];
			char why[160];

			nl->crit_failed = d;
			if (crit_check(c, why, sizeof(why)))
				local_error(nl, "criterion %" PRIu64 " %s", c->id, why);
			else
				local_error(nl, "criterion %" PRIu64 " does not fit in one message "
					    "of %zu bytes (%u entries, %u exclusions, %u-byte "
					    "blob): split it into several criteria",
					    c->id, nl->tx_room, c->n_entries, c->n_excl,
					    c->blob_len);
			break;
		}
		err = dfc_nl_request(nl, nlh, NULL, NULL);
		if (err) {
			nl->crit_failed = crit_at_offset(nl, nlh, d);
			break;
		}
		d += k;
	}
	if (done)
		*done = d;
	return err;
}

static int count_parse_cb(const struct nlmsghdr *nlh, void *out)
{
	static const enum mnl_attr_data_type policy[DFC_A_MAX + 1] = {
		[DFC_A_COUNT] = MNL_TYPE_U32,
	};
	const struct nlattr *tb[DFC_A_MAX + 1];

	if (parse_genl(nlh, tb, policy, DFC_A_MAX) < 0 || !tb[DFC_A_COUNT])
		return -EINVAL;
	*(uint32_t *)out = mnl_attr_get_u32(tb[DFC_A_COUNT]);
	return 0;
}

int dfc_nl_crit_del(struct dfc_nl *nl, uint32_t owner, const uint64_t *id,
		    const uint32_t *cdest, bool include_static, uint32_t *deleted)
{
	uint32_t count = 0;
	struct one_reply r = { .parse = count_parse_cb, .out = &count };
	struct nlmsghdr *nlh;
	int err;

	if (id && cdest)
		return -EINVAL;
	nlh = dfc_nl_msg_new(nl, DFC_CMD_CRIT_DEL, 0);
	if (!mnl_attr_put_u32_check(nlh, nl->tx_room, DFC_A_OWNER, owner) ||
	    (id && !mnl_attr_put_u64_check(nlh, nl->tx_room, DFC_A_ID, *id)) ||
	    (cdest && !mnl_attr_put_u32_check(nlh, nl->tx_room, DFC_A_CDEST, *cdest)) ||
	    (include_static &&
	     !mnl_attr_put_u32_check(nlh, nl->tx_room, DFC_A_FLAGS, DFC_CRIT_F_STATIC)))
		return -EMSGSIZE;
	err = get_one(nl, nlh, &r);
	if (!err && deleted)
		*deleted = count;
	return err;
}

int dfc_nl_crit_refresh(struct dfc_nl *nl, uint32_t owner, const struct dfc_nl_crit *c)
{
	struct nlmsghdr *nlh = dfc_nl_msg_new(nl, DFC_CMD_CRIT_REFRESH, 0);
	size_t room = nl->tx_room;
	struct nlattr *nest;

	if (!mnl_attr_put_u32_check(nlh, room, DFC_A_OWNER, owner))
		return -EMSGSIZE;
	nest = nest_start(nlh, room, DFC_A_CRIT);
	if (!nest ||
	    !mnl_attr_put_u64_check(nlh, room, DFC_CRIT_A_ID, c->id) ||
	    (c->timeout_total &&
	     !mnl_attr_put_u32_check(nlh, room, DFC_CRIT_A_TIMEOUT_TOTAL, c->timeout_total)) ||
	    (c->timeout_idle &&
	     !mnl_attr_put_u32_check(nlh, room, DFC_CRIT_A_TIMEOUT_IDLE, c->timeout_idle)) ||
	    (c->limit_packets &&
	     !mnl_attr_put_u64_check(nlh, room, DFC_CRIT_A_LIMIT_PACKETS, c->limit_packets)) ||
	    (c->limit_bytes &&
	     !mnl_attr_put_u64_check(nlh, room, DFC_CRIT_A_LIMIT_BYTES, c->limit_bytes)))
		return -EMSGSIZE;
	mnl_attr_nest_end(nlh, nest);
	return dfc_nl_request(nl, nlh, NULL, NULL);
}

/* Room for the largest criterion's entries and exclusions. */
static int need_scratch(struct dfc_nl *nl)
{
	if (!nl->scratch)
		nl->scratch = calloc(DFC_CRIT_MAX_ENTRIES + DFC_CRIT_MAX_EXCL, sizeof(*nl->scratch));
	return nl->scratch ? 0 : -ENOMEM;
}

struct crit_walk {
	struct dfc_nl *nl;
	dfc_nl_crit_cb cb;
	void *data;
	int ret;  /* what cb returned when it stopped the walk */
	bool got; /* a GET: its one reply came */
};

static int crit_walk_cb(const struct nlmsghdr *nlh, void *data)
{
	struct crit_walk *w = data;
	struct dfc_nl_entry *s = w->nl->scratch;
	struct dfc_nl_crit c;
	int err;

	err = dfc_nl_crit_parse(nlh, &c, s, DFC_CRIT_MAX_ENTRIES,
				s + DFC_CRIT_MAX_ENTRIES, DFC_CRIT_MAX_EXCL);
	if (err) {
		errno = -err;
		return MNL_CB_ERROR;
	}
	w->got = true;
	w->ret = w->cb(&c, w->data);
	return w->ret ? MNL_CB_STOP : MNL_CB_OK;
}

int dfc_nl_crit_get(struct dfc_nl *nl, uint32_t owner, uint64_t id,
		    dfc_nl_crit_cb cb, void *data)
{
	struct crit_walk w = { .nl = nl, .cb = cb, .data = data };
	struct nlmsghdr *nlh;
	int err = need_scratch(nl);

	if (err)
		return err;
	nlh = dfc_nl_msg_new(nl, DFC_CMD_CRIT_GET, 0);
	if (!mnl_attr_put_u32_check(nlh, nl->tx_room, DFC_A_OWNER, owner) ||
	    !mnl_attr_put_u64_check(nlh, nl->tx_room, DFC_A_ID, id))
		return -EMSGSIZE;
	err = dfc_nl_request(nl, nlh, crit_walk_cb, &w);
	if (!err && !w.got)
		err = -EPROTO; /* ACKed without a reply */
	return err ? err : w.ret;
}

int dfc_nl_crit_dump(struct dfc_nl *nl, const uint32_t *owner, bool terse,
		     dfc_nl_crit_cb cb, int (*restart)(void *data), void *data)
{
	struct crit_walk w = { .nl = nl, .cb = cb, .data = data };
	struct nlmsghdr *nlh;
	int err = need_scratch(nl);

	if (err)
		return err;
	nlh = dfc_nl_msg_new(nl, DFC_CMD_CRIT_GET, NLM_F_DUMP);
	if ((owner && !mnl_attr_put_u32_check(nlh, nl->tx_room, DFC_A_OWNER, *owner)) ||
	    (terse && !mnl_attr_put_check(nlh, nl->tx_room, DFC_A_TERSE, 0, NULL)))
		return -EMSGSIZE;
	for (int try = 1;; try++) {
		bool intr;

		w.ret = 0;
		err = exchange(nl, nlh, X_STREAM, crit_walk_cb, &w, &intr);
		if (err)
			return err;
		if (w.ret)
			return w.ret; /* cb stopped, before any sign of trouble */
		if (!intr)
			return 0;
		if (!restart || try == DFC_NL_DUMP_TRIES)
			return -EAGAIN;
		err = restart(data);
		if (err)
			return err;
	}
}

/* ---- content destinations ---- */

/*
 * What cannot be encoded: -EINVAL with the reason in why (may be NULL),
 * or 0. The kernel checks the rest (ranges, the udp port, the limits).
 */
static int cdest_check(const struct dfc_nl_cdest *c, uint32_t mask, char *why, size_t len)
{
	if (!why)
		len = 0;
	if (mask & ~DFC_NL_CDEST_SET_ALL) {
		snprintf(why, len, "unknown fields 0x%x in the mask",
			 (unsigned int)(mask & ~DFC_NL_CDEST_SET_ALL));
		return -EINVAL;
	}
	if ((mask & (DFC_NL_CDEST_SET_ADDR | DFC_NL_CDEST_SET_SRC)) && !addr_len(c->ipver)) {
		snprintf(why, len, "has an address of IP version %u (4 or 6)", c->ipver);
		return -EINVAL;
	}
	if ((mask & DFC_NL_CDEST_SET_SRC) && !c->has_src) {
		snprintf(why, len, "has no source address to set (a source cannot be removed)");
		return -EINVAL;
	}
	if ((mask & DFC_NL_CDEST_SET_NAME) && !memchr(c->name, '\0', sizeof(c->name))) {
		snprintf(why, len, "has a name longer than %zu characters", sizeof(c->name) - 1);
		return -EINVAL;
	}
	return 0;
}

uint32_t dfc_nl_cdest_add_mask(const struct dfc_nl_cdest *c)
{
	uint32_t m = DFC_NL_CDEST_SET_ALL;

	/* what would only repeat the kernel's default, and a udp port it may refuse */
	if (!c->name[0])
		m &= ~DFC_NL_CDEST_SET_NAME;
	if (!c->has_src)
		m &= ~DFC_NL_CDEST_SET_SRC;
	if (!c->sport)
		m &= ~DFC_NL_CDEST_SET_SPORT;
	if (!c->dport)
		m &= ~DFC_NL_CDEST_SET_DPORT;
	if (!c->ttl)
		m &= ~DFC_NL_CDEST_SET_TTL;
	return m;
}

int dfc_nl_cdest_put(struct nlmsghdr *nlh, size_t room, const struct dfc_nl_cdest *c,
		     uint32_t mask)
{
	static const struct {
		uint32_t bit;
		uint16_t type;
		size_t off;
	} u64s[] = {
		{ DFC_NL_CDEST_SET_SOFT_LIMIT, DFC_CDEST_A_SOFT_LIMIT,
		  offsetof(struct dfc_nl_cdest, soft_limit) },
		{ DFC_NL_CDEST_SET_SOFT_CLEAR, DFC_CDEST_A_SOFT_CLEAR,
		  offsetof(struct dfc_nl_cdest, soft_clear) },
		{ DFC_NL_CDEST_SET_HARD_LIMIT, DFC_CDEST_A_HARD_LIMIT,
		  offsetof(struct dfc_nl_cdest, hard_limit) },
		{ DFC_NL_CDEST_SET_HARD_TARGET, DFC_CDEST_A_HARD_TARGET,
		  offsetof(struct dfc_nl_cdest, hard_target) },
	};
	unsigned int alen = addr_len(c->ipver);
	uint32_t len0 = nlh->nlmsg_len;
	int err = cdest_check(c, mask, NULL, 0);

	if (err)
		return err;
	if (!mnl_attr_put_u32_check(nlh, room, DFC_CDEST_A_ID, c->id) ||
	    ((mask & DFC_NL_CDEST_SET_NAME) &&
	     !mnl_attr_put_strz_check(nlh, room, DFC_CDEST_A_NAME, c->name)) ||
	    ((mask & DFC_NL_CDEST_SET_ENCAP) &&
	     !mnl_attr_put_u8_check(nlh, room, DFC_CDEST_A_ENCAP, c->encap)) ||
	    ((mask & DFC_NL_CDEST_SET_ADDR) &&
	     !mnl_attr_put_check(nlh, room, DFC_CDEST_A_ADDR, alen, c->addr)) ||
	    ((mask & DFC_NL_CDEST_SET_SRC) &&
	     !mnl_attr_put_check(nlh, room, DFC_CDEST_A_SRC, alen, c->src)) ||
	    ((mask & DFC_NL_CDEST_SET_SPORT) &&
	     !mnl_attr_put_u16_check(nlh, room, DFC_CDEST_A_SPORT, c->sport)) ||
	    ((mask & DFC_NL_CDEST_SET_DPORT) &&
	     !mnl_attr_put_u16_check(nlh, room, DFC_CDEST_A_DPORT, c->dport)) ||
	    ((mask & DFC_NL_CDEST_SET_TTL) &&
	     !mnl_attr_put_u8_check(nlh, room, DFC_CDEST_A_TTL, c->ttl)) ||
	    ((mask & DFC_NL_CDEST_SET_DSCP) &&
	     !mnl_attr_put_u8_check(nlh, room, DFC_CDEST_A_DSCP, c->dscp)) ||
	    ((mask & DFC_NL_CDEST_SET_FLAGS) &&
	     !mnl_attr_put_u32_check(nlh, room, DFC_CDEST_A_FLAGS, c->flags)))
		goto full;
	for (size_t i = 0; i < sizeof(u64s) / sizeof(u64s[0]); i++) {
		uint64_t v;

		if (!(mask & u64s[i].bit))
			continue;
		memcpy(&v, (const char *)c + u64s[i].off, sizeof(v));
		if (!mnl_attr_put_u64_check(nlh, room, u64s[i].type, v))
			goto full;
	}
	return 0;
full:
	nlh->nlmsg_len = len0;
	return -EMSGSIZE;
}

int dfc_nl_cdest_parse(const struct nlmsghdr *nlh, struct dfc_nl_cdest *out)
{
	static const enum mnl_attr_data_type policy[DFC_CDEST_A_MAX + 1] = {
		[DFC_CDEST_A_ID] = MNL_TYPE_U32,
		[DFC_CDEST_A_NAME] = MNL_TYPE_NUL_STRING,
		[DFC_CDEST_A_ENCAP] = MNL_TYPE_U8,
		[DFC_CDEST_A_ADDR] = MNL_TYPE_BINARY,
		[DFC_CDEST_A_SRC] = MNL_TYPE_BINARY,
		[DFC_CDEST_A_SPORT] = MNL_TYPE_U16,
		[DFC_CDEST_A_DPORT] = MNL_TYPE_U16,
		[DFC_CDEST_A_TTL] = MNL_TYPE_U8,
		[DFC_CDEST_A_DSCP] = MNL_TYPE_U8,
		[DFC_CDEST_A_SOFT_LIMIT] = MNL_TYPE_U64,
		[DFC_CDEST_A_SOFT_CLEAR] = MNL_TYPE_U64,
		[DFC_CDEST_A_HARD_LIMIT] = MNL_TYPE_U64,
		[DFC_CDEST_A_HARD_TARGET] = MNL_TYPE_U64,
		[DFC_CDEST_A_FLAGS] = MNL_TYPE_U32,
		[DFC_CDEST_A_STATS] = MNL_TYPE_NESTED,
		[DFC_CDEST_A_CRITS] = MNL_TYPE_U32,
		[DFC_CDEST_A_CONGESTED] = MNL_TYPE_U8,
	};
	const struct nlattr *tb[DFC_CDEST_A_MAX + 1], *st[DFC_CSTATS_A_MAX + 1];
	const struct nlattr *addr, *src;
	size_t alen;

	memset(out, 0, sizeof(*out));
	/* a destination is its id and address; the rest may be left out (0) */
	if (parse_genl(nlh, tb, policy, DFC_CDEST_A_MAX) < 0 ||
	    !tb[DFC_CDEST_A_ID] || !tb[DFC_CDEST_A_ADDR])
		return -EINVAL;
	addr = tb[DFC_CDEST_A_ADDR];
	src = tb[DFC_CDEST_A_SRC];
	alen = mnl_attr_get_payload_len(addr);
	if ((alen != 4 && alen != 16) || (src && mnl_attr_get_payload_len(src) != alen))
		return -EINVAL;
	if (tb[DFC_CDEST_A_NAME] && copy_str(out->name, sizeof(out->name), tb[DFC_CDEST_A_NAME]))
		return -EINVAL;
	if (tb[DFC_CDEST_A_STATS] &&
	    parse_nested(tb[DFC_CDEST_A_STATS], st, cstats_policy, DFC_CSTATS_A_MAX) < 0)
		return -EINVAL;
	out->id = mnl_attr_get_u32(tb[DFC_CDEST_A_ID]);
	out->ipver = alen == 4 ? 4 : 6;
	memcpy(out->addr, mnl_attr_get_payload(addr), alen);
	if (src) {
		memcpy(out->src, mnl_attr_get_payload(src), alen);
		out->has_src = true;
	}
	out->encap = opt_u8(tb[DFC_CDEST_A_ENCAP], DFC_ENCAP_IPIP);
	out->sport = opt_u16(tb[DFC_CDEST_A_SPORT], 0);
	out->dport = opt_u16(tb[DFC_CDEST_A_DPORT], 0);
	out->ttl = opt_u8(tb[DFC_CDEST_A_TTL], 0);
	out->dscp = opt_u8(tb[DFC_CDEST_A_DSCP], 0);
	out->flags = opt_u32(tb[DFC_CDEST_A_FLAGS]);
	out->soft_limit = opt_u64(tb[DFC_CDEST_A_SOFT_LIMIT]);
	out->soft_clear = opt_u64(tb[DFC_CDEST_A_SOFT_CLEAR]);
	out->hard_limit = opt_u64(tb[DFC_CDEST_A_HARD_LIMIT]);
	out->hard_target = opt_u64(tb[DFC_CDEST_A_HARD_TARGET]);
	/* the configuration that came, as set would send it back */
	for (unsigned int t = DFC_CDEST_A_NAME; t <= DFC_CDEST_A_FLAGS; t++)
		if (tb[t] && ((1U << t) & DFC_NL_CDEST_SET_ALL))
			out->set_mask |= 1U << t;
	out->crits = opt_u32(tb[DFC_CDEST_A_CRITS]);
	out->congested = opt_u8(tb[DFC_CDEST_A_CONGESTED], 0);
	if (tb[DFC_CDEST_A_STATS]) {
		out->stats.copies = opt_u64(st[DFC_CSTATS_A_COPIES]);
		out->stats.bytes = opt_u64(st[DFC_CSTATS_A_BYTES]);
		out->stats.nomem = opt_u64(st[DFC_CSTATS_A_NOMEM]);
		out->stats.noroute = opt_u64(st[DFC_CSTATS_A_NOROUTE]);
		out->stats.noipsec = opt_u64(st[DFC_CSTATS_A_NOIPSEC]);
		out->stats.toobig = opt_u64(st[DFC_CSTATS_A_TOOBIG]);
		out->stats.loop = opt_u64(st[DFC_CSTATS_A_LOOP]);
		out->stats.ratelimit = opt_u64(st[DFC_CSTATS_A_RATELIMIT]);
		out->stats.dupcap = opt_u64(st[DFC_CSTATS_A_DUPCAP]);
		out->stats.txerr = opt_u64(st[DFC_CSTATS_A_TXERR]);
		out->stats.rate = opt_u64(st[DFC_CSTATS_A_RATE]);
	}
	return 0;
}

/* NEW or SET of c with the fields in mask; refused here if it cannot be encoded. */
static int cdest_send(struct dfc_nl *nl, uint8_t cmd, const struct dfc_nl_cdest *c,
		      uint32_t mask)
{
	struct nlmsghdr *nlh;
	char why[96];
	int err;

	if (cdest_check(c, mask, why, sizeof(why))) {
		local_error(nl, "content destination %" PRIu32 " %s", c->id, why);
		return -EINVAL;
	}
	nlh = dfc_nl_msg_new(nl, cmd, 0);
	err = dfc_nl_cdest_put(nlh, nl->tx_room, c, mask);
	return err ? err : dfc_nl_request(nl, nlh, NULL, NULL);
}

int dfc_nl_cdest_add(struct dfc_nl *nl, const struct dfc_nl_cdest *c)
{
	return cdest_send(nl, DFC_CMD_CDEST_NEW, c, dfc_nl_cdest_add_mask(c));
}

int dfc_nl_cdest_set(struct dfc_nl *nl, const struct dfc_nl_cdest *c)
{
	if (!c->set_mask) {
		local_error(nl, "content destination %" PRIu32 ": nothing to change (set_mask 0)",
			    c->id);
		return -EINVAL;
	}
	return cdest_send(nl, DFC_CMD_CDEST_SET, c, c->set_mask);
}

int dfc_nl_cdest_del(struct dfc_nl *nl, uint32_t id, bool force)
{
	struct nlmsghdr *nlh = dfc_nl_msg_new(nl, DFC_CMD_CDEST_DEL, 0);

	if (!mnl_attr_put_u32_check(nlh, nl->tx_room, DFC_CDEST_A_ID, id) ||
	    (force && !mnl_attr_put_check(nlh, nl->tx_room, DFC_CDEST_A_FORCE, 0, NULL)))
		return -EMSGSIZE;
	return dfc_nl_request(nl, nlh, NULL, NULL);
}

static int cdest_parse_cb(const struct nlmsghdr *nlh, void *out)
{
	return dfc_nl_cdest_parse(nlh, out);
}

int dfc_nl_cdest_get(struct dfc_nl *nl, uint32_t id, struct dfc_nl_cdest *out)
{
	struct one_reply r = { .parse = cdest_parse_cb, .out = out };
	struct nlmsghdr *nlh = dfc_nl_msg_new(nl, DFC_CMD_CDEST_GET, 0);

	if (!mnl_attr_put_u32_check(nlh, nl->tx_room, DFC_CDEST_A_ID, id))
		return -EMSGSIZE;
	return get_one(nl, nlh, &r);
}

struct cdest_walk {
	dfc_nl_cdest_cb cb;
	void *data;
	int ret;
};

static int cdest_walk_cb(const struct nlmsghdr *nlh, void *data)
{
	struct cdest_walk *w = data;
	struct dfc_nl_cdest c;

	if (dfc_nl_cdest_parse(nlh, &c) < 0) {
		errno = EINVAL;
		return MNL_CB_ERROR;
	}
	w->ret = w->cb(&c, w->data);
	return w->ret ? MNL_CB_STOP : MNL_CB_OK;
}

int dfc_nl_cdest_dump(struct dfc_nl *nl, dfc_nl_cdest_cb cb, void *data)
{
	struct cdest_walk w = { .cb = cb, .data = data };
	struct nlmsghdr *nlh = dfc_nl_msg_new(nl, DFC_CMD_CDEST_GET, NLM_F_DUMP);
	int err = dfc_nl_request(nl, nlh, cdest_walk_cb, &w);

	return err ? err : w.ret;
}

/* ---- events ---- */

struct dfc_nl_events {
	struct dfc_nl *nl; /* never sends: a reply would be mistaken for nothing */
};

struct dfc_nl_events *dfc_nl_events_open(void)
{
	struct dfc_nl_events *ev = calloc(1, sizeof(*ev));
	int fd, rcvbuf = DFC_NL_EVENTS_RCVBUF, err;
	uint32_t grp;

	if (!ev)
		return NULL;
	ev->nl = dfc_nl_open();
	if (!ev->nl)
		goto fail_errno;
	grp = dfc_nl_mcast_group(ev->nl, DFC_GENL_MCGRP_EVENTS);
	if (!grp) {
		err = ENOENT; /* a module without events */
		goto fail;
	}
	fd = mnl_socket_get_fd(ev->nl->sock);
	/*
	 * Best effort: a larger buffer loses fewer events in a burst. Beyond
	 * net.core.rmem_max only with CAP_NET_ADMIN, which listening needs.
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (mnl_socket_setsockopt(ev->nl->sock, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)) < 0)
		goto fail_errno;
	return ev;

fail_errno:
	err = errno;
fail:
	dfc_nl_events_close(ev);
	errno = err;
	return NULL;
}

void dfc_nl_events_close(struct dfc_nl_events *ev)
{
	if (!ev)
		return;
	dfc_nl_close(ev->nl);
	free(ev);
}

int dfc_nl_events_fd(const struct dfc_nl_events *ev)
{
	return mnl_socket_get_fd(ev->nl->sock);
}

int dfc_nl_events_recv(struct dfc_nl_events *ev,
		       int (*cb)(const struct dfc_nl_event *e, void *data), void *data)
{
	struct dfc_nl *nl = ev->nl;
	const struct nlmsghdr *nlh;
	ssize_t n = mnl_socket_recvfrom(nl->sock, nl->rx, sizeof(nl->rx));
	int len = (int)n, count = 0;

	if (n < 0)
		return -errno;
	for (nlh = (const void *)nl->rx; nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		struct dfc_nl_event e;
		int err;

		/* from the kernel, of our family: anything else is not an event */
		if (nlh->nlmsg_type != nl->family || nlh->nlmsg_pid != 0)
			continue;
		err = dfc_nl_event_parse(nlh, &e);
		if (err == -EOPNOTSUPP)
			continue; /* an event newer than us */
		if (err)
			return err;
		count++;
		err = cb(&e, data);
		if (err)
			return err;
	}
	return count;
}
