// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dfc_nl: content destinations: encoding, parsing, and the commands
 * (add, set, delete, get, dump).
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "dfc_nl_priv.h"

/* The counters of DFC_CDEST_A_STATS, all NLA_U64. */
const enum mnl_attr_data_type dfc_nl_cstats_policy[DFC_CSTATS_A_MAX + 1] = {
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
		[DFC_CDEST_A_NOIPSEC] = MNL_TYPE_U8,
	};
	const struct nlattr *tb[DFC_CDEST_A_MAX + 1], *st[DFC_CSTATS_A_MAX + 1];
	const struct nlattr *addr, *src;
	size_t alen;

	memset(out, 0, sizeof(*out));
	/* a destination is its id and address; the rest may be left out (0) */
	if (dfc_nl_parse_genl(nlh, tb, policy, DFC_CDEST_A_MAX) < 0 ||
	    !tb[DFC_CDEST_A_ID] || !tb[DFC_CDEST_A_ADDR])
		return -EINVAL;
	addr = tb[DFC_CDEST_A_ADDR];
	src = tb[DFC_CDEST_A_SRC];
	alen = mnl_attr_get_payload_len(addr);
	if ((alen != 4 && alen != 16) || (src && mnl_attr_get_payload_len(src) != alen))
		return -EINVAL;
	if (tb[DFC_CDEST_A_NAME] &&
	    dfc_nl_copy_str(out->name, sizeof(out->name), tb[DFC_CDEST_A_NAME]))
		return -EINVAL;
	if (tb[DFC_CDEST_A_STATS] &&
	    dfc_nl_parse_nested(tb[DFC_CDEST_A_STATS], st, dfc_nl_cstats_policy,
				DFC_CSTATS_A_MAX) < 0)
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
	out->noipsec = opt_u8(tb[DFC_CDEST_A_NOIPSEC], 0);
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
		dfc_nl_local_error(nl, "content destination %" PRIu32 " %s", c->id, why);
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
		dfc_nl_local_error(nl, "content destination %" PRIu32
				   ": nothing to change (set_mask 0)", c->id);
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
	struct dfc_nl_one_reply r = { .parse = cdest_parse_cb, .out = out };
	struct nlmsghdr *nlh = dfc_nl_msg_new(nl, DFC_CMD_CDEST_GET, 0);

	if (!mnl_attr_put_u32_check(nlh, nl->tx_room, DFC_CDEST_A_ID, id))
		return -EMSGSIZE;
	return dfc_nl_get_one(nl, nlh, &r);
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
