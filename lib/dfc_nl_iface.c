// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dfc_nl: interfaces (add, delete, get, dump), the statistics and the
 * namespace's limits (criteria, masks, copies) and owners' max-duplicates.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "dfc_nl_priv.h"

/* The no_l4 counters under three attribute types; 0 each when absent (an older module). */
static void no_l4_get(struct dfc_no_l4 *o, const struct nlattr *exthdrs,
		      const struct nlattr *truncated, const struct nlattr *fragment)
{
	o->exthdrs = opt_u64(exthdrs);
	o->truncated = opt_u64(truncated);
	o->fragment = opt_u64(fragment);
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
		[DFC_ISTATS_A_NO_L4_EXTHDRS] = MNL_TYPE_U64,
		[DFC_ISTATS_A_NO_L4_TRUNCATED] = MNL_TYPE_U64,
		[DFC_ISTATS_A_NO_L4_FRAGMENT] = MNL_TYPE_U64,
		[DFC_ISTATS_A_LOOPED] = MNL_TYPE_U64,
	};
	const struct nlattr *tb[DFC_IFACE_A_MAX + 1], *st[DFC_ISTATS_A_MAX + 1];

	memset(out, 0, sizeof(*out));
	/* every attribute is always sent: one missing means a broken reply */
	if (dfc_nl_parse_genl(nlh, tb, policy, DFC_IFACE_A_MAX) < 0 ||
	    !tb[DFC_IFACE_A_IFINDEX] || !tb[DFC_IFACE_A_IFNAME] ||
	    !tb[DFC_IFACE_A_FLAGS] || !tb[DFC_IFACE_A_STATS])
		return -EINVAL;
	if (dfc_nl_parse_nested(tb[DFC_IFACE_A_STATS], st, spolicy, DFC_ISTATS_A_MAX) < 0)
		return -EINVAL;
	for (unsigned int i = DFC_ISTATS_A_SEEN; i <= DFC_ISTATS_A_ATTACHED; i++)
		if (!st[i])
			return -EINVAL;
	if (dfc_nl_copy_str(out->ifname, sizeof(out->ifname), tb[DFC_IFACE_A_IFNAME]) < 0)
		return -EINVAL;
	out->ifindex = mnl_attr_get_u32(tb[DFC_IFACE_A_IFINDEX]);
	out->flags = mnl_attr_get_u32(tb[DFC_IFACE_A_FLAGS]);
	out->stats.seen = mnl_attr_get_u64(st[DFC_ISTATS_A_SEEN]);
	out->stats.bytes = mnl_attr_get_u64(st[DFC_ISTATS_A_BYTES]);
	out->stats.ipv4 = mnl_attr_get_u64(st[DFC_ISTATS_A_IPV4]);
	out->stats.ipv6 = mnl_attr_get_u64(st[DFC_ISTATS_A_IPV6]);
	out->stats.other = mnl_attr_get_u64(st[DFC_ISTATS_A_OTHER]);
	out->stats.attached_secs = mnl_attr_get_u64(st[DFC_ISTATS_A_ATTACHED]);
	no_l4_get(&out->stats.no_l4, st[DFC_ISTATS_A_NO_L4_EXTHDRS],
		  st[DFC_ISTATS_A_NO_L4_TRUNCATED], st[DFC_ISTATS_A_NO_L4_FRAGMENT]);
	out->stats.looped = opt_u64(st[DFC_ISTATS_A_LOOPED]);
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
		[DFC_STATS_A_COPIES_SHARED] = MNL_TYPE_U64,
		[DFC_STATS_A_DUP_DROPPED] = MNL_TYPE_U64,
		[DFC_STATS_A_NO_L4_EXTHDRS] = MNL_TYPE_U64,
		[DFC_STATS_A_NO_L4_TRUNCATED] = MNL_TYPE_U64,
		[DFC_STATS_A_NO_L4_FRAGMENT] = MNL_TYPE_U64,
		[DFC_STATS_A_FRAG_MAX] = MNL_TYPE_U32,
		[DFC_STATS_A_FRAG_TIMEOUT] = MNL_TYPE_U32,
		[DFC_STATS_A_FRAG_HOLD_MAX] = MNL_TYPE_U32,
		[DFC_STATS_A_FRAG_ENTRIES] = MNL_TYPE_U32,
		[DFC_STATS_A_FRAG_MEM] = MNL_TYPE_U64,
		[DFC_STATS_A_FRAG_HITS] = MNL_TYPE_U64,
		[DFC_STATS_A_FRAG_MISSED] = MNL_TYPE_U64,
		[DFC_STATS_A_FRAG_HELD] = MNL_TYPE_U64,
		[DFC_STATS_A_FRAG_EVICTED] = MNL_TYPE_U64,
		[DFC_STATS_A_LOOPED] = MNL_TYPE_U64,
		[DFC_STATS_A_COPY_MARK] = MNL_TYPE_U32,
	};
	const struct nlattr *tb[DFC_STATS_A_MAX + 1];

	memset(out, 0, sizeof(*out));
	if (dfc_nl_parse_genl(nlh, tb, policy, DFC_STATS_A_MAX) < 0)
		return -EINVAL;
	for (unsigned int i = DFC_STATS_A_VERSION; i <= DFC_STATS_A_OTHER; i++)
		if (!tb[i])
			return -EINVAL;
	if (dfc_nl_copy_str(out->version, sizeof(out->version), tb[DFC_STATS_A_VERSION]) < 0)
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
	out->copies_shared = opt_u64(tb[DFC_STATS_A_COPIES_SHARED]);
	out->dup_dropped = opt_u64(tb[DFC_STATS_A_DUP_DROPPED]);
	no_l4_get(&out->no_l4, tb[DFC_STATS_A_NO_L4_EXTHDRS],
		  tb[DFC_STATS_A_NO_L4_TRUNCATED], tb[DFC_STATS_A_NO_L4_FRAGMENT]);
	/* and these with fragment following */
	out->frag.max = opt_u32(tb[DFC_STATS_A_FRAG_MAX]);
	out->frag.timeout = opt_u32(tb[DFC_STATS_A_FRAG_TIMEOUT]);
	out->frag.hold_max = opt_u32(tb[DFC_STATS_A_FRAG_HOLD_MAX]);
	out->frag.entries = opt_u32(tb[DFC_STATS_A_FRAG_ENTRIES]);
	out->frag.mem = opt_u64(tb[DFC_STATS_A_FRAG_MEM]);
	out->frag.hits = opt_u64(tb[DFC_STATS_A_FRAG_HITS]);
	out->frag.missed = opt_u64(tb[DFC_STATS_A_FRAG_MISSED]);
	out->frag.held = opt_u64(tb[DFC_STATS_A_FRAG_HELD]);
	out->frag.evicted = opt_u64(tb[DFC_STATS_A_FRAG_EVICTED]);
	/* and these with the loop guard */
	out->looped = opt_u64(tb[DFC_STATS_A_LOOPED]);
	out->copy_mark = opt_u32(tb[DFC_STATS_A_COPY_MARK]);
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
	struct dfc_nl_one_reply r = { .parse = iface_parse_cb, .out = out };
	struct nlmsghdr *nlh = dfc_nl_msg_new(nl, DFC_CMD_IFACE_GET, 0);
	int err = put_dev(nlh, nl->tx_room, ifindex, ifname);

	return err ? err : dfc_nl_get_one(nl, nlh, &r);
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
	struct dfc_nl_one_reply r = { .parse = stats_parse_cb, .out = out };

	return dfc_nl_get_one(nl, dfc_nl_msg_new(nl, DFC_CMD_STATS_GET, 0), &r);
}

int dfc_nl_limits_update(struct dfc_nl *nl, const struct dfc_nl_limits *l)
{
	/* given: sent; the first four are given when not 0 */
	const struct {
		uint16_t type;
		uint32_t v;
		bool given;
	} lim[] = {
		{ DFC_STATS_A_MAX_CRITS, l->max_crits, l->max_crits != 0 },
		{ DFC_STATS_A_MAX_MASKS, l->max_masks, l->max_masks != 0 },
		{ DFC_STATS_A_MAX_DUP, l->max_dup, l->max_dup != 0 },
		{ DFC_STATS_A_DUP_PERIOD, l->dup_period, l->dup_period != 0 },
		{ DFC_STATS_A_FRAG_MAX, l->frag_max, l->set & DFC_NL_SET_FRAG_MAX },
		{ DFC_STATS_A_FRAG_TIMEOUT, l->frag_timeout, l->set & DFC_NL_SET_FRAG_TIMEOUT },
		{ DFC_STATS_A_FRAG_HOLD_MAX, l->frag_hold_max, l->set & DFC_NL_SET_FRAG_HOLD_MAX },
		{ DFC_STATS_A_COPY_MARK, l->copy_mark, l->set & DFC_NL_SET_COPY_MARK },
	};
	struct nlmsghdr *nlh;
	bool any = false;

	for (size_t i = 0; i < sizeof(lim) / sizeof(lim[0]); i++)
		any |= lim[i].given;
	if (!any)
		return -EINVAL;
	nlh = dfc_nl_msg_new(nl, DFC_CMD_LIMITS_SET, 0);
	for (size_t i = 0; i < sizeof(lim) / sizeof(lim[0]); i++)
		if (lim[i].given &&
		    !mnl_attr_put_u32_check(nlh, nl->tx_room, lim[i].type, lim[i].v))
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

int dfc_nl_copy_mark_set(struct dfc_nl *nl, uint32_t mark)
{
	struct dfc_nl_limits l = { .copy_mark = mark, .set = DFC_NL_SET_COPY_MARK };

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
