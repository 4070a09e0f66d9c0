// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "dfc": parses and checks requests, calls the
 * subsystems, builds replies. include/uapi/linux/dfc.h documents the tree.
 */
#define pr_fmt(fmt) "dfc: " fmt

#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include <uapi/linux/dfc.h>
#include "iface.h"
#include "netlink.h"
#include "netns.h"

/*
 * One policy per command, each naming only what that command reads; the
 * family validates strictly (resv_start_op 0): any other attribute, and
 * any trailing data, is refused.
 */
static const struct nla_policy dfc_iface_new_policy[DFC_IFACE_A_MAX + 1] = {
	[DFC_IFACE_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[DFC_IFACE_A_IFNAME] = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[DFC_IFACE_A_FLAGS] = NLA_POLICY_MASK(NLA_U32, __DFC_IFACE_F_ALL),
	[DFC_IFACE_A_STATS] = { .type = NLA_REJECT,
				.reject_message = "counters are read-only" },
};

/* DEL and GET: which device, nothing else. */
static const struct nla_policy dfc_iface_ref_policy[DFC_IFACE_A_MAX + 1] = {
	[DFC_IFACE_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[DFC_IFACE_A_IFNAME] = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[DFC_IFACE_A_FLAGS] = { .type = NLA_REJECT },
	[DFC_IFACE_A_STATS] = { .type = NLA_REJECT,
				.reject_message = "counters are read-only" },
};

/* STATS_GET takes no attribute. */
static const struct nla_policy dfc_stats_policy[DFC_STATS_A_MAX + 1] = {
	[DFC_STATS_A_VERSION] = { .type = NLA_REJECT },
};

static const struct nla_policy dfc_cdest_del_policy[DFC_CDEST_A_MAX + 1] = {
	[DFC_CDEST_A_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[DFC_CDEST_A_FORCE] = { .type = NLA_FLAG },
};

static const struct nla_policy dfc_cdest_get_policy[DFC_CDEST_A_MAX + 1] = {
	[DFC_CDEST_A_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* The device a request names, by ifindex or by name (exactly one). */
static struct net_device *dfc_genl_dev(struct genl_info *info)
{
	struct nlattr *idx = info->attrs[DFC_IFACE_A_IFINDEX];
	struct nlattr *name = info->attrs[DFC_IFACE_A_IFNAME];
	struct net *net = genl_info_net(info);
	struct net_device *dev;

	ASSERT_RTNL();
	if (idx && name) {
		NL_SET_ERR_MSG_ATTR(info->extack, name,
				    "give either ifindex or ifname, not both");
		return ERR_PTR(-EINVAL);
	}
	if (!idx && !name) {
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, DFC_IFACE_A_IFINDEX);
		NL_SET_ERR_MSG(info->extack, "ifindex or ifname required");
		return ERR_PTR(-EINVAL);
	}
	dev = idx ? __dev_get_by_index(net, nla_get_u32(idx)) :
		    __dev_get_by_name(net, nla_data(name));
	if (!dev) {
		NL_SET_ERR_MSG_ATTR(info->extack, idx ?: name, "no such device");
		return ERR_PTR(-ENODEV);
	}
	return dev;
}

static int dfc_genl_iface_new(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *fl = info->attrs[DFC_IFACE_A_FLAGS];
	struct net_device *dev;
	int err;

	rtnl_lock();
	dev = dfc_genl_dev(info);
	err = IS_ERR(dev) ? PTR_ERR(dev) :
	      dfc_iface_attach(dfc_net(genl_info_net(info)), dev,
			       fl ? nla_get_u32(fl) : 0, info->extack);
	rtnl_unlock();
	return err;
}

static int dfc_genl_iface_del(struct sk_buff *skb, struct genl_info *info)
{
	struct dfc_iface *iface = NULL;
	struct net_device *dev;
	int err = 0;

	rtnl_lock();
	dev = dfc_genl_dev(info);
	if (IS_ERR(dev))
		err = PTR_ERR(dev);
	else
		iface = dfc_iface_find(dfc_net(genl_info_net(info)), dev);
	if (iface) {
		dfc_iface_detach(iface);
	} else if (!err) {
		NL_SET_ERR_MSG(info->extack, "interface is not attached");
		err = -ENOENT;
	}
	rtnl_unlock();
	return err;
}

/* A list of 64-bit counters, each under its attribute type. */
struct dfc_genl_u64 {
	int type;
	u64 v;
};

static int dfc_genl_put_u64_list(struct sk_buff *skb,
				 const struct dfc_genl_u64 *c, unsigned int n,
				 int pad)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (nla_put_u64_64bit(skb, c[i].type, c[i].v, pad))
			return -EMSGSIZE;
	return 0;
}

static int dfc_genl_put_u64s(struct sk_buff *skb, const struct dfc_stats *s,
			     int seen, int bytes, int ipv4, int ipv6,
			     int other, int pad)
{
	if (nla_put_u64_64bit(skb, seen, s->seen, pad) ||
	    nla_put_u64_64bit(skb, bytes, s->bytes, pad) ||
	    nla_put_u64_64bit(skb, ipv4, s->ipv4, pad) ||
	    nla_put_u64_64bit(skb, ipv6, s->ipv6, pad) ||
	    nla_put_u64_64bit(skb, other, s->other, pad))
		return -EMSGSIZE;
	return 0;
}

/* The no_l4_* counters, under the three attribute types given. */
static int dfc_genl_put_no_l4(struct sk_buff *skb, const struct dfc_stats *s,
			      int exthdrs, int truncated, int fragment, int pad)
{
	if (nla_put_u64_64bit(skb, exthdrs, s->no_l4_exthdrs, pad) ||
	    nla_put_u64_64bit(skb, truncated, s->no_l4_truncated, pad) ||
	    nla_put_u64_64bit(skb, fragment, s->no_l4_fragment, pad))
		return -EMSGSIZE;
	return 0;
}

static int dfc_genl_iface_fill(struct sk_buff *skb, struct dfc_iface *iface)
{
	struct dfc_stats s;
	struct nlattr *nest;

	if (nla_put_u32(skb, DFC_IFACE_A_IFINDEX, iface->dev->ifindex) ||
	    nla_put_string(skb, DFC_IFACE_A_IFNAME, iface->dev->name) ||
	    nla_put_u32(skb, DFC_IFACE_A_FLAGS, READ_ONCE(iface->flags)))
		return -EMSGSIZE;
	nest = nla_nest_start(skb, DFC_IFACE_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	dfc_stats_read(iface->stats, &s);
	if (dfc_genl_put_u64s(skb, &s, DFC_ISTATS_A_SEEN, DFC_ISTATS_A_BYTES,
			      DFC_ISTATS_A_IPV4, DFC_ISTATS_A_IPV6,
			      DFC_ISTATS_A_OTHER, DFC_ISTATS_A_PAD) ||
	    nla_put_u64_64bit(skb, DFC_ISTATS_A_ATTACHED,
			      ktime_get_boottime_seconds() - iface->attached,
			      DFC_ISTATS_A_PAD) ||
	    dfc_genl_put_no_l4(skb, &s, DFC_ISTATS_A_NO_L4_EXTHDRS,
			       DFC_ISTATS_A_NO_L4_TRUNCATED,
			       DFC_ISTATS_A_NO_L4_FRAGMENT, DFC_ISTATS_A_PAD) ||
	    nla_put_u64_64bit(skb, DFC_ISTATS_A_LOOPED, s.looped,
			      DFC_ISTATS_A_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int dfc_genl_iface_get(struct sk_buff *skb, struct genl_info *info)
{
	struct dfc_iface *iface = NULL;
	struct net_device *dev;
	struct sk_buff *msg;
	void *hdr;
	int err = -ENOMEM;

	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL_ACCOUNT);
	if (!msg)
		return -ENOMEM;
	rtnl_lock();
	dev = dfc_genl_dev(info);
	if (IS_ERR(dev)) {
		err = PTR_ERR(dev);
		goto out_unlock;
	}
	iface = dfc_iface_find(dfc_net(genl_info_net(info)), dev);
	if (!iface) {
		NL_SET_ERR_MSG(info->extack, "interface is not attached");
		err = -ENOENT;
		goto out_unlock;
	}
	hdr = genlmsg_put_reply(msg, info, &dfc_genl_family, 0,
				DFC_CMD_IFACE_GET);
	if (!hdr || dfc_genl_iface_fill(msg, iface)) {
		err = -EMSGSIZE;
		goto out_unlock;
	}
	rtnl_unlock();
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

out_unlock:
	rtnl_unlock();
	nlmsg_free(msg);
	return err;
}

static int dfc_genl_iface_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct dfc_net *dn = dfc_net(sock_net(skb->sk));
	long idx = 0, start = cb->args[0];
	struct dfc_iface *iface;
	int err = 0;

	rtnl_lock();
	/* A change of the set between two parts sets NLM_F_DUMP_INTR. */
	cb->seq = dn->iface_gen;
	list_for_each_entry(iface, &dn->ifaces, list) {
		void *hdr;

		if (idx++ < start)
			continue;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &dfc_genl_family,
				  NLM_F_MULTI, DFC_CMD_IFACE_GET);
		if (!hdr) {
			err = -EMSGSIZE;
			break;
		}
		genl_dump_check_consistent(cb, hdr);
		err = dfc_genl_iface_fill(skb, iface);
		if (err) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		cb->args[0] = idx;
	}
	rtnl_unlock();
	/* A full buffer ends this part; the dump continues in the next. */
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ?: skb->len;
}

static int dfc_genl_put_table(struct sk_buff *skb, struct dfc_filter *f)
{
	struct dfc_table *t = &f->table;

	if (nla_put_u32(skb, DFC_STATS_A_CRITS, f->n_crits) ||
	    nla_put_u32(skb, DFC_STATS_A_MAX_CRITS, f->max_crits) ||
	    nla_put_u32(skb, DFC_STATS_A_MASKS, dfc_table_masks(t)) ||
	    nla_put_u32(skb, DFC_STATS_A_MAX_MASKS, t->max_masks) ||
	    nla_put_u32(skb, DFC_STATS_A_ENTRIES, t->n_entries) ||
	    nla_put_u64_64bit(skb, DFC_STATS_A_TABLE_MEM,
			      f->crit_mem + t->mem, DFC_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, DFC_STATS_A_EXPIRED, f->expired,
			      DFC_STATS_A_PAD) ||
	    nla_put_u32(skb, DFC_STATS_A_MAX_DUP, f->max_dup) ||
	    nla_put_u32(skb, DFC_STATS_A_DUP_PERIOD, f->dup_period) ||
	    nla_put_u32(skb, DFC_STATS_A_COPY_MARK, f->copy_mark))
		return -EMSGSIZE;
	return 0;
}

static int dfc_genl_put_frag(struct sk_buff *skb, struct dfc_frag *fr)
{
	u32 n, mem, max, timeout, hold_max;
	struct dfc_frag_stats st;

	dfc_frag_read(fr, &st, &n, &mem, &max, &timeout, &hold_max);
	{
		const struct dfc_genl_u64 c[] = {
			{ DFC_STATS_A_FRAG_MEM, mem },
			{ DFC_STATS_A_FRAG_HITS, st.hits },
			{ DFC_STATS_A_FRAG_MISSED, st.missed },
			{ DFC_STATS_A_FRAG_HELD, st.held },
			{ DFC_STATS_A_FRAG_EVICTED, st.evicted },
		};

		if (nla_put_u32(skb, DFC_STATS_A_FRAG_MAX, max) ||
		    nla_put_u32(skb, DFC_STATS_A_FRAG_TIMEOUT, timeout) ||
		    nla_put_u32(skb, DFC_STATS_A_FRAG_HOLD_MAX, hold_max) ||
		    nla_put_u32(skb, DFC_STATS_A_FRAG_ENTRIES, n) ||
		    dfc_genl_put_u64_list(skb, c, ARRAY_SIZE(c), DFC_STATS_A_PAD))
			return -EMSGSIZE;
	}
	return 0;
}

/* The namespace's per-stage counters (kept per namespace only). */
static int dfc_genl_put_stages(struct sk_buff *skb, const struct dfc_stats *s)
{
	const struct dfc_genl_u64 c[] = {
		{ DFC_STATS_A_PARSED, s->parsed },
		{ DFC_STATS_A_UNPARSEABLE, s->unparseable },
		{ DFC_STATS_A_MATCHED, s->matched },
		{ DFC_STATS_A_MASKS_PROBED, s->probed },
		{ DFC_STATS_A_COPIES, s->copies },
		{ DFC_STATS_A_COPIES_SHARED, s->copies_shared },
		{ DFC_STATS_A_DUP_DROPPED, s->dup_dropped },
		{ DFC_STATS_A_LOOPED, s->looped },
	};

	return dfc_genl_put_u64_list(skb, c, ARRAY_SIZE(c), DFC_STATS_A_PAD);
}

static int dfc_genl_stats_get(struct sk_buff *skb, struct genl_info *info)
{
	struct dfc_net *dn = dfc_net(genl_info_net(info));
	struct sk_buff *msg;
	struct dfc_stats s;
	unsigned int n;
	void *hdr;
	int err;

	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL_ACCOUNT);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &dfc_genl_family, 0,
				DFC_CMD_STATS_GET);
	if (!hdr)
		goto nospace;
	/* Counters only: monitoring never waits for RTNL. */
	n = READ_ONCE(dn->n_ifaces);
	dfc_stats_read(dn->stats, &s);
	mutex_lock(&dn->filter.lock);
	err = dfc_genl_put_table(msg, &dn->filter);
	mutex_unlock(&dn->filter.lock);
	if (err || dfc_genl_put_frag(msg, &dn->frag))
		goto nospace;
	if (nla_put_string(msg, DFC_STATS_A_VERSION, DFC_VERSION) ||
	    nla_put_u32(msg, DFC_STATS_A_IFACES, n) ||
	    dfc_genl_put_u64s(msg, &s, DFC_STATS_A_SEEN, DFC_STATS_A_BYTES,
			      DFC_STATS_A_IPV4, DFC_STATS_A_IPV6,
			      DFC_STATS_A_OTHER, DFC_STATS_A_PAD) ||
	    dfc_genl_put_stages(msg, &s) ||
	    dfc_genl_put_no_l4(msg, &s, DFC_STATS_A_NO_L4_EXTHDRS,
			       DFC_STATS_A_NO_L4_TRUNCATED,
			       DFC_STATS_A_NO_L4_FRAGMENT, DFC_STATS_A_PAD))
		goto nospace;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/* The request's namespace filter: pre_doit made sure its state exists. */
struct dfc_filter *dfc_genl_filter(struct genl_info *info)
{
	return &dfc_net(genl_info_net(info))->filter;
}

/* The request's DFC_A_OWNER; -EINVAL, said in extack, without one. */
int dfc_genl_owner(struct genl_info *info, u32 *owner)
{
	if (!info->attrs[DFC_A_OWNER]) {
		GENL_REQ_ATTR_CHECK(info, DFC_A_OWNER);
		NL_SET_ERR_MSG(info->extack, "owner required");
		return -EINVAL;
	}
	*owner = nla_get_u32(info->attrs[DFC_A_OWNER]);
	return 0;
}

/*
 * Capture is a host facility. The family is netnsok (objects live in the
 * namespace of the socket), but only in namespaces owned by the initial
 * user namespace: there, the events group's GENL_MCAST_CAP_NET_ADMIN
 * (which 6.1 checks against the namespace's owner) means CAP_NET_ADMIN in
 * the initial user namespace, like GENL_ADMIN_PERM on every command. A
 * namespace an unprivileged user created (unshare -Urn) gets no state, so
 * no event is ever sent there. The state is created by the first command.
 */
static int dfc_genl_net_check(struct net *net, struct netlink_ext_ack *extack)
{
	struct dfc_net *dn;

	if (net->user_ns != &init_user_ns) {
		NL_SET_ERR_MSG(extack,
			       "dfc works only in network namespaces of the initial user namespace");
		return -EPERM;
	}
	dn = dfc_net_get(net);
	return PTR_ERR_OR_ZERO(dn);
}

static int dfc_genl_pre_doit(const struct genl_ops *ops, struct sk_buff *skb,
			     struct genl_info *info)
{
	return dfc_genl_net_check(genl_info_net(info), info->extack);
}

static int dfc_genl_start(struct netlink_callback *cb)
{
	return dfc_genl_net_check(sock_net(cb->skb->sk), cb->extack);
}

/* Every command: CAP_NET_ADMIN in the initial user namespace. */
static const struct genl_ops dfc_genl_ops[] = {
	{
		.cmd = DFC_CMD_IFACE_NEW,
		.doit = dfc_genl_iface_new,
		.policy = dfc_iface_new_policy,
		.maxattr = DFC_IFACE_A_MAX,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = DFC_CMD_IFACE_DEL,
		.doit = dfc_genl_iface_del,
		.policy = dfc_iface_ref_policy,
		.maxattr = DFC_IFACE_A_MAX,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = DFC_CMD_IFACE_GET,
		.doit = dfc_genl_iface_get,
		.start = dfc_genl_start,
		.dumpit = dfc_genl_iface_dump,
		.policy = dfc_iface_ref_policy,
		.maxattr = DFC_IFACE_A_MAX,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = DFC_CMD_STATS_GET,
		.doit = dfc_genl_stats_get,
		.policy = dfc_stats_policy,
		.maxattr = DFC_STATS_A_MAX,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = DFC_CMD_CRIT_NEW,
		.doit = dfc_genl_crit_new,
		.policy = dfc_crit_new_policy,
		.maxattr = DFC_A_MAX,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = DFC_CMD_CRIT_DEL,
		.doit = dfc_genl_crit_del,
		.policy = dfc_crit_del_policy,
		.maxattr = DFC_A_MAX,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = DFC_CMD_CRIT_REFRESH,
		.doit = dfc_genl_crit_refresh,
		.policy = dfc_crit_refresh_policy,
		.maxattr = DFC_A_MAX,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = DFC_CMD_CRIT_GET,
		.doit = dfc_genl_crit_get,
		.start = dfc_genl_start,
		.dumpit = dfc_genl_crit_dump,
		.policy = dfc_crit_get_policy,
		.maxattr = DFC_A_MAX,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = DFC_CMD_LIMITS_SET,
		.doit = dfc_genl_limits_set,
		.policy = dfc_limits_policy,
		.maxattr = DFC_STATS_A_MAX,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = DFC_CMD_CDEST_NEW,
		.doit = dfc_genl_cdest_new,
		.policy = dfc_cdest_policy,
		.maxattr = DFC_CDEST_A_MAX,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = DFC_CMD_CDEST_SET,
		.doit = dfc_genl_cdest_set,
		.policy = dfc_cdest_policy,
		.maxattr = DFC_CDEST_A_MAX,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = DFC_CMD_CDEST_DEL,
		.doit = dfc_genl_cdest_del,
		.policy = dfc_cdest_del_policy,
		.maxattr = DFC_CDEST_A_MAX,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = DFC_CMD_CDEST_GET,
		.doit = dfc_genl_cdest_get,
		.start = dfc_genl_start,
		.dumpit = dfc_genl_cdest_dump,
		.policy = dfc_cdest_get_policy,
		.maxattr = DFC_CDEST_A_MAX,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = DFC_CMD_OWNER_SET,
		.doit = dfc_genl_owner_set,
		.policy = dfc_owner_policy,
		.maxattr = DFC_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
};

/* See dfc_genl_net_check(): in the namespaces dfc works in, listening
 * needs CAP_NET_ADMIN in the initial user namespace.
 */
static const struct genl_multicast_group dfc_genl_mcgrps[] = {
	[DFC_GENL_MCGRP_EVENTS_ID] = { .name = DFC_GENL_MCGRP_EVENTS,
				       .flags = GENL_MCAST_CAP_NET_ADMIN },
};

/*
 * resv_start_op 0: every command is validated strictly (unknown
 * attributes, trailing bytes and reserved header fields are refused); no
 * op sets .validate to relax it. parallel_ops: requests do not hold the
 * host-wide genl mutex (a 100k-criteria batch would stall every other
 * generic netlink family meanwhile); dfc's own locks order them: RTNL for
 * ports, the namespace's f->lock for criteria, destinations and limits
 * (against each other and the worker), dfc_net_create for the state's
 * creation.
 */
struct genl_family dfc_genl_family __ro_after_init = {
	.name = DFC_GENL_NAME,
	.version = DFC_GENL_VERSION,
	.netnsok = true,
	.module = THIS_MODULE,
	.ops = dfc_genl_ops,
	.n_ops = ARRAY_SIZE(dfc_genl_ops),
	.mcgrps = dfc_genl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(dfc_genl_mcgrps),
	.pre_doit = dfc_genl_pre_doit,
	.parallel_ops = true,
	.resv_start_op = 0,
};

int __init dfc_genl_init(void)
{
	return genl_register_family(&dfc_genl_family);
}

void dfc_genl_uninit(void)
{
	genl_unregister_family(&dfc_genl_family);
}
