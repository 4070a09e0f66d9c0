// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dfc_nl: libmnl generic netlink client for the "dfc" family.
 *
 * One request in flight per handle: dfc_nl_request() sends, then reads
 * until the matching ACK/DONE, so the socket is always left drained.
 */
#include <errno.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>
#include <libmnl/libmnl.h>

#include "dfc_nl.h"

/*
 * The kernel sizes dump skbs after the largest recvmsg() buffer it has
 * seen, capped at 32 KiB: a 32 KiB receive buffer is never truncated.
 * The send buffer is as large so that batched requests fit.
 */
#define DFC_NL_BUFSZ 32768
#define DFC_NL_MAX_GROUPS 8
#define DFC_NL_DUMP_TRIES 4

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
	alignas(8) char tx[DFC_NL_BUFSZ]; /* kept intact: extack offsets point into it */
	alignas(8) char rx[DFC_NL_BUFSZ];
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
		size_t cap = nl->dump_cap ? nl->dump_cap : DFC_NL_BUFSZ;
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
 * to be consistent), any other reply goes to cb at once.
 */
static int exchange(struct dfc_nl *nl, struct nlmsghdr *req, bool dump,
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
		for (nlh = (const void *)nl->rx; mnl_nlmsg_ok(nlh, len);
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
				if (dump) {
					if (!cb_err)
						cb_err = collect(nl, nlh);
				} else if (cb) {
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
		int err = exchange(nl, nlh, dump, cb, data, &intr);
		int len;

		if (err || !dump)
			return err;
		if (intr)
			continue; /* the set changed under the dump: take it again */
		err = 0;
		len = (int)nl->dump_len;
		for (m = (const void *)nl->dump; cb_on && mnl_nlmsg_ok(m, len);
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
	return sizeof(nl->tx);
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

	nl->family = GENL_ID_CTRL;
	nlh = dfc_nl_msg_new(nl, CTRL_CMD_GETFAMILY, 0);
	if (!mnl_attr_put_strz_check(nlh, sizeof(nl->tx), CTRL_ATTR_FAMILY_NAME, name)) {
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
	int err = put_dev(nlh, sizeof(nl->tx), ifindex, ifname);

	if (err)
		return err;
	if (!mnl_attr_put_u32_check(nlh, sizeof(nl->tx), DFC_IFACE_A_FLAGS, flags))
		return -EMSGSIZE;
	return dfc_nl_request(nl, nlh, NULL, NULL);
}

int dfc_nl_iface_del(struct dfc_nl *nl, uint32_t ifindex, const char *ifname)
{
	struct nlmsghdr *nlh = dfc_nl_msg_new(nl, DFC_CMD_IFACE_DEL, 0);
	int err = put_dev(nlh, sizeof(nl->tx), ifindex, ifname);

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
	int err = put_dev(nlh, sizeof(nl->tx), ifindex, ifname);

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
