// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink commands on content destinations and per-owner copy
 * limits.
 */
#define pr_fmt(fmt) "dfc: " fmt

#include <net/genetlink.h>
#include <net/sock.h>
#include <uapi/linux/dfc.h>
#include "cdest.h"
#include "filter.h"
#include "netlink.h"
#include "netns.h"

const struct nla_policy dfc_cdest_policy[DFC_CDEST_A_MAX + 1] = {
	[DFC_CDEST_A_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[DFC_CDEST_A_NAME] = { .type = NLA_NUL_STRING, .len = 31 },
	[DFC_CDEST_A_ENCAP] = NLA_POLICY_MAX(NLA_U8, DFC_ENCAP_UDP),
	[DFC_CDEST_A_ADDR] = NLA_POLICY_MIN_LEN(4),
	[DFC_CDEST_A_SRC] = NLA_POLICY_MIN_LEN(4),
	[DFC_CDEST_A_SPORT] = { .type = NLA_U16 },
	[DFC_CDEST_A_DPORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[DFC_CDEST_A_TTL] = NLA_POLICY_MIN(NLA_U8, 1),
	[DFC_CDEST_A_DSCP] = NLA_POLICY_MAX(NLA_U8, 63),
	[DFC_CDEST_A_SOFT_LIMIT] = { .type = NLA_U64 },
	[DFC_CDEST_A_SOFT_CLEAR] = { .type = NLA_U64 },
	[DFC_CDEST_A_HARD_LIMIT] = { .type = NLA_U64 },
	[DFC_CDEST_A_HARD_TARGET] = { .type = NLA_U64 },
	[DFC_CDEST_A_FLAGS] = NLA_POLICY_MASK(NLA_U32, __DFC_CDEST_F_ALL),
	[DFC_CDEST_A_FORCE] = { .type = NLA_FLAG },
	[DFC_CDEST_A_STATS] = { .type = NLA_REJECT,
				.reject_message = "counters are read-only" },
	[DFC_CDEST_A_CRITS] = { .type = NLA_REJECT },
	[DFC_CDEST_A_CONGESTED] = { .type = NLA_REJECT },
	[DFC_CDEST_A_NOIPSEC] = { .type = NLA_REJECT },
};

static int get_addr(struct nlattr *a, struct in6_addr *addr, u8 *ver,
		    struct netlink_ext_ack *extack)
{
	if (nla_len(a) != 4 && nla_len(a) != 16) {
		NL_SET_ERR_MSG_ATTR(extack, a, "address must be 4 or 16 bytes");
		return -EINVAL;
	}
	memset(addr, 0, sizeof(*addr));
	memcpy(addr, nla_data(a), nla_len(a));
	*ver = nla_len(a) == 4 ? 4 : 6;
	return 0;
}

static u64 get_u64(struct nlattr **tb, int type, u64 def)
{
	return tb[type] ? nla_get_u64(tb[type]) : def;
}

/* cfg = base changed by the attributes present, then checked whole. */
static int cfg_parse(struct nlattr **tb, struct dfc_cdest_cfg *cfg,
		     struct netlink_ext_ack *extack)
{
	u8 ver, old_ver = cfg->ipver;

	if (tb[DFC_CDEST_A_NAME])
		nla_strscpy(cfg->name, tb[DFC_CDEST_A_NAME], sizeof(cfg->name));
	if (tb[DFC_CDEST_A_ENCAP])
		cfg->encap = nla_get_u8(tb[DFC_CDEST_A_ENCAP]);
	if (tb[DFC_CDEST_A_ADDR] &&
	    get_addr(tb[DFC_CDEST_A_ADDR], &cfg->addr, &cfg->ipver, extack))
		return -EINVAL;
	if (tb[DFC_CDEST_A_SRC]) {
		if (get_addr(tb[DFC_CDEST_A_SRC], &cfg->src, &ver, extack))
			return -EINVAL;
		if (ver != cfg->ipver) {
			NL_SET_ERR_MSG_ATTR(extack, tb[DFC_CDEST_A_SRC],
					    "source and destination differ in IP version");
			return -EINVAL;
		}
		cfg->has_src = true;
	}
	if (tb[DFC_CDEST_A_SPORT])
		cfg->sport = htons(nla_get_u16(tb[DFC_CDEST_A_SPORT]));
	if (tb[DFC_CDEST_A_DPORT])
		cfg->dport = htons(nla_get_u16(tb[DFC_CDEST_A_DPORT]));
	if (tb[DFC_CDEST_A_TTL])
		cfg->ttl = nla_get_u8(tb[DFC_CDEST_A_TTL]);
	if (tb[DFC_CDEST_A_DSCP])
		cfg->dscp = nla_get_u8(tb[DFC_CDEST_A_DSCP]);
	if (tb[DFC_CDEST_A_FLAGS])
		cfg->flags = nla_get_u32(tb[DFC_CDEST_A_FLAGS]);
	cfg->soft_limit = get_u64(tb, DFC_CDEST_A_SOFT_LIMIT, cfg->soft_limit);
	cfg->soft_clear = get_u64(tb, DFC_CDEST_A_SOFT_CLEAR, cfg->soft_clear);
	cfg->hard_limit = get_u64(tb, DFC_CDEST_A_HARD_LIMIT, cfg->hard_limit);
	cfg->hard_target = get_u64(tb, DFC_CDEST_A_HARD_TARGET,
				   cfg->hard_target);

	if (!cfg->ipver) {
		NL_SET_ERR_ATTR_MISS(extack, NULL, DFC_CDEST_A_ADDR);
		NL_SET_ERR_MSG(extack, "destination address required");
		return -EINVAL;
	}
	if (cfg->has_src && !tb[DFC_CDEST_A_SRC] && old_ver &&
	    old_ver != cfg->ipver) {
		NL_SET_ERR_MSG_ATTR(extack, tb[DFC_CDEST_A_ADDR],
				    "source and destination differ in IP version");
		return -EINVAL;
	}
	if (cfg->encap == DFC_ENCAP_UDP && !cfg->dport) {
		NL_SET_ERR_ATTR_MISS(extack, NULL, DFC_CDEST_A_DPORT);
		NL_SET_ERR_MSG(extack, "udp encapsulation needs a destination port");
		return -EINVAL;
	}
	if (cfg->soft_clear > cfg->soft_limit ||
	    cfg->hard_target > cfg->hard_limit) {
		NL_SET_ERR_MSG(extack,
			       "soft-limit-clear and hard-limit-target must not exceed their limits");
		return -EINVAL;
	}
	return 0;
}

int dfc_genl_cdest_new(struct sk_buff *skb, struct genl_info *info)
{
	struct dfc_filter *f = dfc_genl_filter(info);
	struct dfc_cdest_cfg *cfg;
	struct dfc_cdest *cd;
	u32 id;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, DFC_CDEST_A_ID))
		return -EINVAL;
	id = nla_get_u32(info->attrs[DFC_CDEST_A_ID]);
	cfg = dfc_cdest_cfg_new(NULL);
	if (!cfg)
		return -ENOMEM;
	cfg->ttl = 255;
	err = cfg_parse(info->attrs, cfg, info->extack);
	if (err)
		goto free;
	mutex_lock(&f->lock);
	if (dfc_cdest_find(f, id)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[DFC_CDEST_A_ID],
				    "content destination exists");
		err = -EEXIST;
	} else if (f->n_cdests >= DFC_NS_MAX_CDESTS) {
		NL_SET_ERR_MSG(info->extack, "content destinations cap reached");
		err = -ENOSPC;
	} else {
		cd = dfc_cdest_alloc(f, id, cfg);
		err = cd ? 0 : -ENOMEM;
	}
	if (!err) {
		list_add_tail_rcu(&cd->list, &f->cdests);
		f->n_cdests++;
		f->cdest_gen++;
		dfc_filter_kick(f);
		cfg = NULL;
	}
	mutex_unlock(&f->lock);
free:
	dfc_cdest_cfg_free(cfg);
	return err;
}

static struct dfc_cdest *info_cdest(struct genl_info *info,
				    struct dfc_filter *f)
{
	struct dfc_cdest *cd;

	if (GENL_REQ_ATTR_CHECK(info, DFC_CDEST_A_ID))
		return ERR_PTR(-EINVAL);
	cd = dfc_cdest_find(f, nla_get_u32(info->attrs[DFC_CDEST_A_ID]));
	if (!cd) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[DFC_CDEST_A_ID],
				    "no such content destination");
		return ERR_PTR(-ENOENT);
	}
	return cd;
}

int dfc_genl_cdest_set(struct sk_buff *skb, struct genl_info *info)
{
	struct dfc_filter *f = dfc_genl_filter(info);
	struct dfc_cdest_cfg *cfg = NULL;
	struct dfc_cdest *cd;
	int err;

	mutex_lock(&f->lock);
	cd = info_cdest(info, f);
	err = PTR_ERR_OR_ZERO(cd);
	if (err)
		goto out;
	/* A new version with an empty route cache: the route may differ. */
	cfg = dfc_cdest_cfg_new(dfc_cdest_cfg(cd));
	err = cfg ? cfg_parse(info->attrs, cfg, info->extack) : -ENOMEM;
	if (err)
		goto out;
	dfc_cdest_cfg_replace(cd, cfg);
	f->cdest_gen++;
	cfg = NULL;
out:
	mutex_unlock(&f->lock);
	dfc_cdest_cfg_free(cfg);
	return err;
}

int dfc_genl_cdest_del(struct sk_buff *skb, struct genl_info *info)
{
	struct dfc_filter *f = dfc_genl_filter(info);
	struct dfc_crit *c, *tmp;
	struct dfc_cdest *cd;
	int err;

	mutex_lock(&f->lock);
	cd = info_cdest(info, f);
	err = PTR_ERR_OR_ZERO(cd);
	if (err)
		goto out;
	if (cd->n_crits && !info->attrs[DFC_CDEST_A_FORCE]) {
		NL_SET_ERR_MSG(info->extack,
			       "criteria use this destination (force deletes them too)");
		err = -EBUSY;
		goto out;
	}
	list_for_each_entry_safe(c, tmp, &f->crits, list) {
		if (c->cd == cd)
			dfc_filter_del(f, c);
		cond_resched();
	}
	dfc_filter_reap(f);
	list_del_rcu(&cd->list);
	f->n_cdests--;
	f->cdest_gen++;
	dfc_cdest_free(cd);
out:
	mutex_unlock(&f->lock);
	return err;
}

static int put_addr(struct sk_buff *skb, int type, const struct in6_addr *a,
		    u8 ver)
{
	return nla_put(skb, type, ver == 4 ? 4 : 16, a);
}

static int cdest_fill(struct sk_buff *skb, struct dfc_filter *f,
		      struct dfc_cdest *cd)
{
	const struct dfc_cdest_cfg *cfg = dfc_cdest_cfg(cd);
	struct dfc_cdest_stats s;
	struct nlattr *nest;

	dfc_cdest_read(cd, &s);
	if (nla_put_u32(skb, DFC_CDEST_A_ID, cd->id) ||
	    nla_put_string(skb, DFC_CDEST_A_NAME, cfg->name) ||
	    nla_put_u8(skb, DFC_CDEST_A_ENCAP, cfg->encap) ||
	    put_addr(skb, DFC_CDEST_A_ADDR, &cfg->addr, cfg->ipver) ||
	    (cfg->has_src &&
	     put_addr(skb, DFC_CDEST_A_SRC, &cfg->src, cfg->ipver)) ||
	    (cfg->encap == DFC_ENCAP_UDP &&
	     (nla_put_u16(skb, DFC_CDEST_A_SPORT, ntohs(cfg->sport)) ||
	      nla_put_u16(skb, DFC_CDEST_A_DPORT, ntohs(cfg->dport)))) ||
	    nla_put_u8(skb, DFC_CDEST_A_TTL, cfg->ttl) ||
	    nla_put_u8(skb, DFC_CDEST_A_DSCP, cfg->dscp) ||
	    nla_put_u32(skb, DFC_CDEST_A_FLAGS, cfg->flags) ||
	    nla_put_u64_64bit(skb, DFC_CDEST_A_SOFT_LIMIT, cfg->soft_limit,
			      DFC_CDEST_A_PAD) ||
	    nla_put_u64_64bit(skb, DFC_CDEST_A_SOFT_CLEAR, cfg->soft_clear,
			      DFC_CDEST_A_PAD) ||
	    nla_put_u64_64bit(skb, DFC_CDEST_A_HARD_LIMIT, cfg->hard_limit,
			      DFC_CDEST_A_PAD) ||
	    nla_put_u64_64bit(skb, DFC_CDEST_A_HARD_TARGET, cfg->hard_target,
			      DFC_CDEST_A_PAD) ||
	    nla_put_u32(skb, DFC_CDEST_A_CRITS, cd->n_crits) ||
	    nla_put_u8(skb, DFC_CDEST_A_CONGESTED, cd->congested) ||
	    nla_put_u8(skb, DFC_CDEST_A_NOIPSEC, cd->noipsec))
		return -EMSGSIZE;
	nest = nla_nest_start(skb, DFC_CDEST_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, DFC_CSTATS_A_COPIES, s.copies, DFC_CSTATS_A_PAD) ||
	    nla_put_u64_64bit(skb, DFC_CSTATS_A_BYTES, s.bytes, DFC_CSTATS_A_PAD) ||
	    nla_put_u64_64bit(skb, DFC_CSTATS_A_NOMEM, s.nomem, DFC_CSTATS_A_PAD) ||
	    nla_put_u64_64bit(skb, DFC_CSTATS_A_NOROUTE, s.noroute, DFC_CSTATS_A_PAD) ||
	    nla_put_u64_64bit(skb, DFC_CSTATS_A_NOIPSEC, s.noipsec, DFC_CSTATS_A_PAD) ||
	    nla_put_u64_64bit(skb, DFC_CSTATS_A_TOOBIG, s.toobig, DFC_CSTATS_A_PAD) ||
	    nla_put_u64_64bit(skb, DFC_CSTATS_A_LOOP, s.loop, DFC_CSTATS_A_PAD) ||
	    nla_put_u64_64bit(skb, DFC_CSTATS_A_RATELIMIT, s.ratelimit, DFC_CSTATS_A_PAD) ||
	    nla_put_u64_64bit(skb, DFC_CSTATS_A_DUPCAP, s.dupcap, DFC_CSTATS_A_PAD) ||
	    nla_put_u64_64bit(skb, DFC_CSTATS_A_TXERR, s.txerr, DFC_CSTATS_A_PAD) ||
	    nla_put_u64_64bit(skb, DFC_CSTATS_A_RATE, cd->rate, DFC_CSTATS_A_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

int dfc_genl_cdest_get(struct sk_buff *skb, struct genl_info *info)
{
	struct dfc_filter *f = dfc_genl_filter(info);
	struct sk_buff *msg;
	struct dfc_cdest *cd;
	void *hdr;
	int err;

	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL_ACCOUNT);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&f->lock);
	cd = info_cdest(info, f);
	err = PTR_ERR_OR_ZERO(cd);
	if (err)
		goto out;
	hdr = genlmsg_put_reply(msg, info, &dfc_genl_family, 0,
				DFC_CMD_CDEST_GET);
	err = !hdr || cdest_fill(msg, f, cd) ? -EMSGSIZE : 0;
	if (err)
		goto out;
	mutex_unlock(&f->lock);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
out:
	mutex_unlock(&f->lock);
	nlmsg_free(msg);
	return err;
}

int dfc_genl_cdest_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct dfc_filter *f = &dfc_net(sock_net(skb->sk))->filter;
	long idx = 0, start = cb->args[0];
	struct dfc_cdest *cd;
	int err = 0;

	mutex_lock(&f->lock);
	cb->seq = f->cdest_gen;
	list_for_each_entry(cd, &f->cdests, list) {
		void *hdr;

		if (idx++ < start)
			continue;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &dfc_genl_family,
				  NLM_F_MULTI, DFC_CMD_CDEST_GET);
		if (!hdr) {
			err = -EMSGSIZE;
			break;
		}
		genl_dump_check_consistent(cb, hdr);
		err = cdest_fill(skb, f, cd);
		if (err) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		cb->args[0] = idx;
	}
	mutex_unlock(&f->lock);
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ?: skb->len;
}

int dfc_genl_owner_set(struct sk_buff *skb, struct genl_info *info)
{
	struct dfc_filter *f = dfc_genl_filter(info);
	int err;

	if (GENL_REQ_ATTR_CHECK(info, DFC_A_OWNER) ||
	    GENL_REQ_ATTR_CHECK(info, DFC_A_MAX_DUP))
		return -EINVAL;
	mutex_lock(&f->lock);
	err = dfc_filter_set_owner(f, nla_get_u32(info->attrs[DFC_A_OWNER]),
				   nla_get_u32(info->attrs[DFC_A_MAX_DUP]));
	mutex_unlock(&f->lock);
	return err;
}
