// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink commands that change criteria: add (batched), delete,
 * refresh, limits (crit_get.c reads them back). Requests are checked whole
 * before anything changes; every rejection names the attribute at fault.
 */
#define pr_fmt(fmt) "dfc: " fmt

#include <linux/ktime.h>
#include <linux/timekeeping.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include <uapi/linux/dfc.h>
#include "entry.h"
#include "filter.h"
#include "netlink.h"
#include "netns.h"

static const struct nla_policy dfc_entry_policy[DFC_ENTRY_A_MAX + 1] = {
	[DFC_ENTRY_A_IPVER] = NLA_POLICY_RANGE(NLA_U8, 4, 6),
	[DFC_ENTRY_A_SRC] = NLA_POLICY_MIN_LEN(4),
	[DFC_ENTRY_A_SRC_PLEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[DFC_ENTRY_A_DST] = NLA_POLICY_MIN_LEN(4),
	[DFC_ENTRY_A_DST_PLEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[DFC_ENTRY_A_SPORT] = { .type = NLA_U16 },
	[DFC_ENTRY_A_SPORT_MASK] = { .type = NLA_U16 },
	[DFC_ENTRY_A_DPORT] = { .type = NLA_U16 },
	[DFC_ENTRY_A_DPORT_MASK] = { .type = NLA_U16 },
	[DFC_ENTRY_A_PROTO] = { .type = NLA_U8 },
	[DFC_ENTRY_A_PROTO_MASK] = { .type = NLA_U8 },
	[DFC_ENTRY_A_ICMP_TYPE] = { .type = NLA_U8 },
	[DFC_ENTRY_A_ICMP_TYPE_MASK] = { .type = NLA_U8 },
	[DFC_ENTRY_A_ICMP_CODE] = { .type = NLA_U8 },
	[DFC_ENTRY_A_ICMP_CODE_MASK] = { .type = NLA_U8 },
	[DFC_ENTRY_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[DFC_ENTRY_A_SPORT_MAX] = { .type = NLA_U16 },
	[DFC_ENTRY_A_DPORT_MAX] = { .type = NLA_U16 },
};

static struct netlink_range_validation dfc_timeout_range = {
	.min = 1,
	.max = DFC_TIMEOUT_MAX,
};

static const struct nla_policy dfc_crit_policy[DFC_CRIT_A_MAX + 1] = {
	[DFC_CRIT_A_ID] = { .type = NLA_U64 },
	[DFC_CRIT_A_PRIO] = { .type = NLA_U32 },
	[DFC_CRIT_A_FLAGS] = NLA_POLICY_MASK(NLA_U32, __DFC_CRIT_F_ALL),
	[DFC_CRIT_A_CDEST] = { .type = NLA_U32 },
	[DFC_CRIT_A_TIMEOUT_TOTAL] = NLA_POLICY_FULL_RANGE(NLA_U32, &dfc_timeout_range),
	[DFC_CRIT_A_TIMEOUT_IDLE] = NLA_POLICY_FULL_RANGE(NLA_U32, &dfc_timeout_range),
	/* Any u64: compared as u64, summed with saturation (see dfc.h). */
	[DFC_CRIT_A_LIMIT_PACKETS] = NLA_POLICY_MIN(NLA_U64, 1),
	[DFC_CRIT_A_LIMIT_BYTES] = NLA_POLICY_MIN(NLA_U64, 1),
	[DFC_CRIT_A_BLOB] = { .type = NLA_BINARY, .len = DFC_CRIT_BLOB_MAX },
	[DFC_CRIT_A_ENTRY] = NLA_POLICY_NESTED(dfc_entry_policy),
	[DFC_CRIT_A_EXCL] = NLA_POLICY_NESTED(dfc_entry_policy),
	[DFC_CRIT_A_PACKETS] = { .type = NLA_REJECT },
	[DFC_CRIT_A_BYTES] = { .type = NLA_REJECT },
	[DFC_CRIT_A_LAST_MATCH] = { .type = NLA_REJECT },
	[DFC_CRIT_A_AGE] = { .type = NLA_REJECT },
	[DFC_CRIT_A_N_REFRESH] = { .type = NLA_REJECT },
	[DFC_CRIT_A_REASON] = { .type = NLA_REJECT },
	[DFC_CRIT_A_N_ENTRIES] = { .type = NLA_REJECT },
	[DFC_CRIT_A_N_EXCL] = { .type = NLA_REJECT },
	[DFC_CRIT_A_DUP_DROPPED] = { .type = NLA_REJECT },
};

#define DFC_REFRESH_ONLY { .type = NLA_REJECT, \
	.reject_message = "refresh changes only timeouts and limits" }

/* REFRESH: an id, and the timeouts and limits to replace; nothing else. */
static const struct nla_policy dfc_refresh_policy[DFC_CRIT_A_MAX + 1] = {
	[DFC_CRIT_A_ID] = { .type = NLA_U64 },
	[DFC_CRIT_A_TIMEOUT_TOTAL] = NLA_POLICY_FULL_RANGE(NLA_U32, &dfc_timeout_range),
	[DFC_CRIT_A_TIMEOUT_IDLE] = NLA_POLICY_FULL_RANGE(NLA_U32, &dfc_timeout_range),
	[DFC_CRIT_A_LIMIT_PACKETS] = NLA_POLICY_MIN(NLA_U64, 1),
	[DFC_CRIT_A_LIMIT_BYTES] = NLA_POLICY_MIN(NLA_U64, 1),
	[DFC_CRIT_A_PRIO] = DFC_REFRESH_ONLY,
	[DFC_CRIT_A_FLAGS] = DFC_REFRESH_ONLY,
	[DFC_CRIT_A_CDEST] = DFC_REFRESH_ONLY,
	[DFC_CRIT_A_BLOB] = DFC_REFRESH_ONLY,
	[DFC_CRIT_A_ENTRY] = DFC_REFRESH_ONLY,
	[DFC_CRIT_A_EXCL] = DFC_REFRESH_ONLY,
	[DFC_CRIT_A_PACKETS] = DFC_REFRESH_ONLY,
	[DFC_CRIT_A_BYTES] = DFC_REFRESH_ONLY,
	[DFC_CRIT_A_LAST_MATCH] = DFC_REFRESH_ONLY,
	[DFC_CRIT_A_AGE] = DFC_REFRESH_ONLY,
	[DFC_CRIT_A_N_REFRESH] = DFC_REFRESH_ONLY,
	[DFC_CRIT_A_REASON] = DFC_REFRESH_ONLY,
	[DFC_CRIT_A_N_ENTRIES] = DFC_REFRESH_ONLY,
	[DFC_CRIT_A_N_EXCL] = DFC_REFRESH_ONLY,
	[DFC_CRIT_A_DUP_DROPPED] = DFC_REFRESH_ONLY,
};

/* One policy per command: each accepts only what that command reads. */
const struct nla_policy dfc_crit_new_policy[DFC_A_MAX + 1] = {
	[DFC_A_OWNER] = { .type = NLA_U32 },
	[DFC_A_CRIT] = NLA_POLICY_NESTED(dfc_crit_policy),
};

const struct nla_policy dfc_crit_del_policy[DFC_A_MAX + 1] = {
	[DFC_A_OWNER] = { .type = NLA_U32 },
	[DFC_A_ID] = { .type = NLA_U64 },
	[DFC_A_CDEST] = { .type = NLA_U32 },
	[DFC_A_FLAGS] = NLA_POLICY_MASK(NLA_U32, DFC_CRIT_F_STATIC),
};

const struct nla_policy dfc_crit_refresh_policy[DFC_A_MAX + 1] = {
	[DFC_A_OWNER] = { .type = NLA_U32 },
	[DFC_A_CRIT] = NLA_POLICY_NESTED(dfc_refresh_policy),
};

const struct nla_policy dfc_crit_get_policy[DFC_A_MAX + 1] = {
	[DFC_A_OWNER] = { .type = NLA_U32 },
	[DFC_A_ID] = { .type = NLA_U64 },
	[DFC_A_TERSE] = { .type = NLA_FLAG },
};

const struct nla_policy dfc_owner_policy[DFC_A_MAX + 1] = {
	[DFC_A_OWNER] = { .type = NLA_U32 },
	[DFC_A_MAX_DUP] = NLA_POLICY_MAX(NLA_U32, DFC_MAX_DUP),
};

static struct netlink_range_validation dfc_max_crits_range = {
	.min = 1,
	.max = DFC_NS_MAX_CRITS,
};

static struct netlink_range_validation dfc_frag_hold_range = {
	.max = DFC_NS_MAX_FRAG_HOLD,
};

const struct nla_policy dfc_limits_policy[DFC_STATS_A_MAX + 1] = {
	[DFC_STATS_A_MAX_CRITS] = NLA_POLICY_FULL_RANGE(NLA_U32, &dfc_max_crits_range),
	[DFC_STATS_A_MAX_MASKS] = NLA_POLICY_RANGE(NLA_U32, 1, 4096),
	[DFC_STATS_A_MAX_DUP] = NLA_POLICY_RANGE(NLA_U32, 1, DFC_MAX_DUP),
	[DFC_STATS_A_DUP_PERIOD] = NLA_POLICY_RANGE(NLA_U32, 1, 3600),
	[DFC_STATS_A_FRAG_MAX] = NLA_POLICY_MAX(NLA_U32, DFC_NS_MAX_FRAGS),
	[DFC_STATS_A_FRAG_TIMEOUT] = NLA_POLICY_RANGE(NLA_U32, 1, 3600),
	[DFC_STATS_A_FRAG_HOLD_MAX] = NLA_POLICY_FULL_RANGE(NLA_U32, &dfc_frag_hold_range),
	[DFC_STATS_A_COPY_MARK] = { .type = NLA_U32 },
};

static u32 get_u32(struct nlattr **tb, int type, u32 def)
{
	return tb[type] ? nla_get_u32(tb[type]) : def;
}

static u8 get_u8(struct nlattr **tb, int type, u8 def)
{
	return tb[type] ? nla_get_u8(tb[type]) : def;
}

/* The attribute to blame for a rejected field, or the entry itself. */
static const struct nlattr *espec_blame(struct nlattr **tb,
					const struct nlattr *nest,
					enum dfc_espec_field bad)
{
	static const int attr[] = {
		[DFC_ESPEC_IPVER] = DFC_ENTRY_A_IPVER,
		[DFC_ESPEC_SRC] = DFC_ENTRY_A_SRC,
		[DFC_ESPEC_DST] = DFC_ENTRY_A_DST,
		[DFC_ESPEC_SPORT] = DFC_ENTRY_A_SPORT,
		[DFC_ESPEC_DPORT] = DFC_ENTRY_A_DPORT,
		[DFC_ESPEC_PROTO] = DFC_ENTRY_A_PROTO,
		[DFC_ESPEC_ICMP_TYPE] = DFC_ENTRY_A_ICMP_TYPE,
		[DFC_ESPEC_ICMP_CODE] = DFC_ENTRY_A_ICMP_CODE,
		[DFC_ESPEC_SPORT_RANGE] = DFC_ENTRY_A_SPORT_MAX,
		[DFC_ESPEC_DPORT_RANGE] = DFC_ENTRY_A_DPORT_MAX,
	};

	if (bad < ARRAY_SIZE(attr) && attr[bad] && tb[attr[bad]])
		return tb[attr[bad]];
	return nest;
}

/* extack messages are literals: one per field dfc_espec_to_key() names. */
static void espec_err(struct netlink_ext_ack *extack, const struct nlattr *at,
		      enum dfc_espec_field bad, u8 ipver)
{
	switch (bad) {
	case DFC_ESPEC_IPVER:
		if (ipver)
			NL_SET_ERR_MSG_ATTR(extack, at, "IP version must be 4 or 6");
		else
			NL_SET_ERR_MSG_ATTR(extack, at, "addresses need an IP version");
		break;
	case DFC_ESPEC_SRC:
		NL_SET_ERR_MSG_ATTR(extack, at,
				    "source prefix too long or host bits set");
		break;
	case DFC_ESPEC_DST:
		NL_SET_ERR_MSG_ATTR(extack, at,
				    "destination prefix too long or host bits set");
		break;
	case DFC_ESPEC_SPORT:
	case DFC_ESPEC_DPORT:
		NL_SET_ERR_MSG_ATTR(extack, at, "port has bits outside its mask");
		break;
	case DFC_ESPEC_SPORT_RANGE:
	case DFC_ESPEC_DPORT_RANGE:
		NL_SET_ERR_MSG_ATTR(extack, at,
				    "port range ends below its start");
		break;
	case DFC_ESPEC_PROTO:
		NL_SET_ERR_MSG_ATTR(extack, at,
				    "protocol has bits outside its mask");
		break;
	default:
		NL_SET_ERR_MSG_ATTR(extack, at,
				    "ICMP value has bits outside its mask");
		break;
	}
}

static int addr_get(struct nlattr **tb, int a, int plen_a, u8 ipver, u8 *addr,
		    u8 *plen, struct netlink_ext_ack *extack)
{
	unsigned int alen = ipver == 6 ? 16 : 4;

	if (!tb[a]) {
		if (tb[plen_a]) {
			NL_SET_ERR_MSG_ATTR(extack, tb[plen_a],
					    "prefix length without an address");
			return -EINVAL;
		}
		return 0;
	}
	if (!ipver || nla_len(tb[a]) != alen) {
		NL_SET_ERR_MSG_ATTR(extack, tb[a],
				    "address length does not match the IP version");
		return -EINVAL;
	}
	memcpy(addr, nla_data(tb[a]), alen);
	*plen = get_u8(tb, plen_a, alen * 8);
	if (*plen > alen * 8) {
		NL_SET_ERR_MSG_ATTR(extack, tb[plen_a], "prefix length too long");
		return -EINVAL;
	}
	return 0;
}

/* A port given both as a range and with a mask: which one is meant? */
static int port_form_check(struct nlattr **tb, int max_a, int mask_a,
			   struct netlink_ext_ack *extack)
{
	if (tb[max_a] && tb[mask_a]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[mask_a],
				    "a port takes a range or a mask, not both");
		return -EINVAL;
	}
	return 0;
}

/* One DFC_CRIT_A_ENTRY/EXCL nest into a value, a mask and port ranges. */
static int entry_parse(const struct nlattr *nest, struct dfc_key *val,
		       struct dfc_key *mask, struct dfc_prange *pr,
		       struct netlink_ext_ack *extack)
{
	struct nlattr *tb[DFC_ENTRY_A_MAX + 1];
	struct dfc_espec s = {};
	enum dfc_espec_field bad;
	const char *why;
	int err;

	/* Validated with the request (dfc_crit_new_policy): only parse. */
	err = nla_parse_nested(tb, DFC_ENTRY_A_MAX, nest, NULL, extack);
	if (err)
		return err;
	s.ipver = get_u8(tb, DFC_ENTRY_A_IPVER, 0);
	err = addr_get(tb, DFC_ENTRY_A_SRC, DFC_ENTRY_A_SRC_PLEN, s.ipver,
		       s.src, &s.src_plen, extack) ?:
	      addr_get(tb, DFC_ENTRY_A_DST, DFC_ENTRY_A_DST_PLEN, s.ipver,
		       s.dst, &s.dst_plen, extack);
	if (err)
		return err;
	err = port_form_check(tb, DFC_ENTRY_A_SPORT_MAX, DFC_ENTRY_A_SPORT_MASK,
			      extack) ?:
	      port_form_check(tb, DFC_ENTRY_A_DPORT_MAX, DFC_ENTRY_A_DPORT_MASK,
			      extack);
	if (err)
		return err;
	s.sport_range = !!tb[DFC_ENTRY_A_SPORT_MAX];
	s.dport_range = !!tb[DFC_ENTRY_A_DPORT_MAX];
	s.sport_max = s.sport_range ? nla_get_u16(tb[DFC_ENTRY_A_SPORT_MAX]) : 0;
	s.dport_max = s.dport_range ? nla_get_u16(tb[DFC_ENTRY_A_DPORT_MAX]) : 0;
	s.ports = tb[DFC_ENTRY_A_SPORT] || tb[DFC_ENTRY_A_SPORT_MASK] ||
		  tb[DFC_ENTRY_A_DPORT] || tb[DFC_ENTRY_A_DPORT_MASK];
	s.sport = tb[DFC_ENTRY_A_SPORT] ? nla_get_u16(tb[DFC_ENTRY_A_SPORT]) : 0;
	s.sport_mask = tb[DFC_ENTRY_A_SPORT_MASK] ?
		       nla_get_u16(tb[DFC_ENTRY_A_SPORT_MASK]) :
		       tb[DFC_ENTRY_A_SPORT] && !s.sport_range ? 0xffff : 0;
	s.dport = tb[DFC_ENTRY_A_DPORT] ? nla_get_u16(tb[DFC_ENTRY_A_DPORT]) : 0;
	s.dport_mask = tb[DFC_ENTRY_A_DPORT_MASK] ?
		       nla_get_u16(tb[DFC_ENTRY_A_DPORT_MASK]) :
		       tb[DFC_ENTRY_A_DPORT] && !s.dport_range ? 0xffff : 0;
	s.proto = get_u8(tb, DFC_ENTRY_A_PROTO, 0);
	s.proto_mask = get_u8(tb, DFC_ENTRY_A_PROTO_MASK,
			      tb[DFC_ENTRY_A_PROTO] ? 0xff : 0);
	s.icmp = tb[DFC_ENTRY_A_ICMP_TYPE] || tb[DFC_ENTRY_A_ICMP_TYPE_MASK] ||
		 tb[DFC_ENTRY_A_ICMP_CODE] || tb[DFC_ENTRY_A_ICMP_CODE_MASK];
	s.icmp_type = get_u8(tb, DFC_ENTRY_A_ICMP_TYPE, 0);
	s.icmp_type_mask = get_u8(tb, DFC_ENTRY_A_ICMP_TYPE_MASK,
				  tb[DFC_ENTRY_A_ICMP_TYPE] ? 0xff : 0);
	s.icmp_code = get_u8(tb, DFC_ENTRY_A_ICMP_CODE, 0);
	s.icmp_code_mask = get_u8(tb, DFC_ENTRY_A_ICMP_CODE_MASK,
				  tb[DFC_ENTRY_A_ICMP_CODE] ? 0xff : 0);
	s.ifindex = get_u32(tb, DFC_ENTRY_A_IFINDEX, 0);

	err = dfc_espec_to_key(&s, val, mask, pr, &bad, &why);
	if (err)
		espec_err(extack, espec_blame(tb, nest, bad), bad, s.ipver);
	return err;
}

/* count + n, or U64_MAX when that does not fit: a counter never gets there. */
static u64 limit_from(u64 count, u64 n)
{
	u64 v;

	return check_add_overflow(count, n, &v) ? U64_MAX : v;
}

/*
 * Limits apply to non-static criteria only; refresh reuses this. The hook
 * may read them meanwhile: each field is written once, whole. Packet and
 * byte limits are absolute counts, from the current count, saturated.
 */
static int crit_set_limits(struct dfc_crit *c, struct nlattr **tb, u32 now)
{
	struct dfc_limits *lim = c->lim;

	if (c->flags & DFC_CRIT_F_STATIC)
		return 0;
	if (!lim) {
		lim = kzalloc(sizeof(*lim), GFP_KERNEL_ACCOUNT);
		if (!lim)
			return -ENOMEM;
		INIT_LIST_HEAD(&lim->tlist);
		INIT_LIST_HEAD(&lim->clist);
		lim->crit = c;
	}
	if (tb[DFC_CRIT_A_TIMEOUT_TOTAL])
		WRITE_ONCE(lim->total_deadline,
			   now + nla_get_u32(tb[DFC_CRIT_A_TIMEOUT_TOTAL]));
	if (tb[DFC_CRIT_A_TIMEOUT_IDLE]) {
		WRITE_ONCE(lim->timeout_idle,
			   nla_get_u32(tb[DFC_CRIT_A_TIMEOUT_IDLE]));
		WRITE_ONCE(lim->idle_base, now);
	}
	if (tb[DFC_CRIT_A_LIMIT_PACKETS])
		WRITE_ONCE(lim->packets,
			   limit_from(atomic64_read(&c->packets),
				      nla_get_u64(tb[DFC_CRIT_A_LIMIT_PACKETS])));
	if (tb[DFC_CRIT_A_LIMIT_BYTES])
		WRITE_ONCE(lim->bytes,
			   limit_from(atomic64_read(&c->bytes),
				      nla_get_u64(tb[DFC_CRIT_A_LIMIT_BYTES])));
	/* Published last, complete. */
	smp_store_release(&c->lim, lim);
	return 0;
}

static bool has_limits(struct nlattr **tb)
{
	return tb[DFC_CRIT_A_TIMEOUT_TOTAL] || tb[DFC_CRIT_A_TIMEOUT_IDLE] ||
	       tb[DFC_CRIT_A_LIMIT_PACKETS] || tb[DFC_CRIT_A_LIMIT_BYTES];
}

/* An entry finds its criterion by its index, a u8 (dfc_entry_crit). */
static_assert(DFC_CRIT_MAX_ENTRIES <= 256, "entry index is a u8");
static_assert(DFC_CRIT_MAX_EXCL <= U8_MAX && __DFC_CRIT_F_ALL <= U8_MAX &&
	      __DFC_REASON_MAX <= U8_MAX, "dfc_crit's n_excl, flags, dead are u8");
static_assert(!DFC_REASON_NONE, "dfc_crit.dead: 0 while it matches");

/* An entry's value and port ranges, parsed before c's size is known. */
struct crit_ent {
	struct dfc_key val;
	struct dfc_prange pr;
};

/*
 * Entries parsed on the stack, not allocated, up to this many: dtcpd's
 * criteria have one per input interface, most of them one.
 */
#define CRIT_ENTS_ONSTACK 2

/* One DFC_A_CRIT nest of a NEW request into a criterion and its masks. */
static int crit_parse(const struct nlattr *nest, u32 owner, u64 now,
		      struct dfc_crit **cp, struct dfc_key **mp,
		      struct netlink_ext_ack *extack)
{
	unsigned int n_entries = 0, n_excl = 0, ie = 0, ix = 0;
	struct crit_ent ents_stack[CRIT_ENTS_ONSTACK], *ents = NULL;
	struct nlattr *tb[DFC_CRIT_A_MAX + 1], *a;
	struct dfc_key *masks = NULL;
	struct dfc_crit *c = NULL;
	bool narrow;
	int rem, err;

	/*
	 * Generic netlink validated the whole request, nests included,
	 * against dfc_crit_new_policy before the doit: validating each
	 * criterion again, and each entry a third time, took about half
	 * of this function's time.
	 */
	err = nla_parse_nested(tb, DFC_CRIT_A_MAX, nest, NULL, extack);
	if (err)
		return err;
	if (!tb[DFC_CRIT_A_ID]) {
		NL_SET_ERR_ATTR_MISS(extack, nest, DFC_CRIT_A_ID);
		NL_SET_ERR_MSG(extack, "criterion id required");
		return -EINVAL;
	}
	nla_for_each_nested(a, nest, rem) {
		n_entries += nla_type(a) == DFC_CRIT_A_ENTRY;
		n_excl += nla_type(a) == DFC_CRIT_A_EXCL;
	}
	if (!n_entries || n_entries > DFC_CRIT_MAX_ENTRIES ||
	    n_excl > DFC_CRIT_MAX_EXCL) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "a criterion needs 1 to 256 entries and at most 64 exclusions");
		return -EINVAL;
	}
	if (!has_limits(tb) &&
	    !(get_u32(tb, DFC_CRIT_A_FLAGS, 0) & DFC_CRIT_F_STATIC)) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "a timeout or limit is required unless static");
		return -EINVAL;
	}

	/* Entries first: whether they are narrow decides c's size. */
	err = -ENOMEM;
	masks = kvcalloc(n_entries, sizeof(*masks), GFP_KERNEL_ACCOUNT);
	if (n_entries <= ARRAY_SIZE(ents_stack)) {
		ents = ents_stack;
		memset(ents, 0, n_entries * sizeof(*ents));
	} else {
		ents = kvcalloc(n_entries, sizeof(*ents), GFP_KERNEL_ACCOUNT);
	}
	if (!masks || !ents)
		goto fail;
	nla_for_each_nested(a, nest, rem) {
		if (nla_type(a) != DFC_CRIT_A_ENTRY)
			continue;
		err = entry_parse(a, &ents[ie].val, &masks[ie], &ents[ie].pr,
				  extack);
		if (err)
			goto fail;
		ie++;
	}

	narrow = dfc_entry_masks_narrow(masks, n_entries);
	err = -ENOMEM;
	c = kvzalloc(dfc_crit_size(n_entries, n_excl, narrow),
		     GFP_KERNEL_ACCOUNT);
	if (!c)
		goto fail;
	if (tb[DFC_CRIT_A_BLOB] && nla_len(tb[DFC_CRIT_A_BLOB])) {
		c->blob = nla_memdup(tb[DFC_CRIT_A_BLOB], GFP_KERNEL_ACCOUNT);
		if (!c->blob)
			goto fail;
		c->blob_len = nla_len(tb[DFC_CRIT_A_BLOB]);
	}
	c->id = nla_get_u64(tb[DFC_CRIT_A_ID]);
	c->owner = owner;
	c->prio = get_u32(tb, DFC_CRIT_A_PRIO, 1);
	c->flags = get_u32(tb, DFC_CRIT_A_FLAGS, 0);	/* policy: 8 bits */
	c->cdest = get_u32(tb, DFC_CRIT_A_CDEST, 0);
	c->n_entries = n_entries;
	c->n_excl = n_excl;
	c->narrow = narrow;
	c->added = now;
	for (ie = 0; ie < n_entries; ie++)
		dfc_crit_set_entry(c, ie, &ents[ie].val, &ents[ie].pr);
	err = crit_set_limits(c, tb, now);
	if (err)
		goto fail;

	nla_for_each_nested(a, nest, rem) {
		struct dfc_xentry *x;

		if (nla_type(a) != DFC_CRIT_A_EXCL)
			continue;
		x = &dfc_crit_excl(c)[ix++];
		err = entry_parse(a, &x->key, &x->mask, &x->pr, extack);
		if (err)
			goto fail;
	}
	/* Disjoint entries: a frame counts once per criterion. */
	if (dfc_crit_overlaps(c, masks)) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "entries of a criterion overlap");
		err = -EINVAL;
		goto fail;
	}
	if (ents != ents_stack)
		kvfree(ents);
	*cp = c;
	*mp = masks;
	return 0;

fail:
	if (c)
		dfc_filter_free(c);
	if (ents != ents_stack)
		kvfree(ents);
	kvfree(masks);
	return err;
}

/* extack for a batch dfc_filter_add() refused, on the criterion at fault. */
static void add_err(struct netlink_ext_ack *extack, const struct nlattr *at,
		    enum dfc_add_why why)
{
	switch (why) {
	case DFC_ADD_CRITS:
		NL_SET_ERR_MSG_ATTR(extack, at, "criteria limit reached");
		break;
	case DFC_ADD_ENTRIES:
		NL_SET_ERR_MSG_ATTR(extack, at,
				    "entries cap of the namespace reached");
		break;
	case DFC_ADD_BLOBS:
		NL_SET_ERR_MSG_ATTR(extack, at,
				    "blob bytes cap of the namespace reached");
		break;
	case DFC_ADD_CDEST:
		NL_SET_ERR_MSG_ATTR(extack, at, "unknown content destination");
		break;
	case DFC_ADD_EXISTS:
		NL_SET_ERR_MSG_ATTR(extack, at,
				    "criterion id exists for this owner");
		break;
	case DFC_ADD_MASKS:
		NL_SET_ERR_MSG_ATTR(extack, at, "mask limit reached");
		break;
	default:
		NL_SET_ERR_MSG_ATTR(extack, at, "out of memory");
		break;
	}
}

/*
 * A request's arrays on the stack, not allocated, up to this many
 * criteria: dtcpd sends one criterion per request.
 */
#define CRIT_NEW_ONSTACK 4

int dfc_genl_crit_new(struct sk_buff *skb, struct genl_info *info)
{
	struct dfc_filter *f = dfc_genl_filter(info);
	unsigned int n = 0, i, bad;
	u64 now = ktime_get_boottime_seconds();
	struct dfc_key *masks_stack[CRIT_NEW_ONSTACK], **masks = NULL;
	struct dfc_crit *v_stack[CRIT_NEW_ONSTACK], **v = NULL;
	const struct nlattr *at_stack[CRIT_NEW_ONSTACK], **at = NULL;
	enum dfc_add_why why;
	struct nlattr *a;
	int rem, err;
	u32 owner;

	err = dfc_genl_owner(info, &owner);
	if (err)
		return err;
	nlmsg_for_each_attr(a, info->nlhdr, GENL_HDRLEN, rem)
		n += nla_type(a) == DFC_A_CRIT;
	if (!n) {
		GENL_REQ_ATTR_CHECK(info, DFC_A_CRIT);
		NL_SET_ERR_MSG(info->extack, "no criteria in the request");
		return -EINVAL;
	}
	if (n <= CRIT_NEW_ONSTACK) {
		v = v_stack;
		masks = masks_stack;
		at = at_stack;
		memset(v, 0, n * sizeof(*v));
		memset(masks, 0, n * sizeof(*masks));
	} else {
		v = kvcalloc(n, sizeof(*v), GFP_KERNEL_ACCOUNT);
		masks = kvcalloc(n, sizeof(*masks), GFP_KERNEL_ACCOUNT);
		at = kvcalloc(n, sizeof(*at), GFP_KERNEL_ACCOUNT);
	}
	err = -ENOMEM;
	if (!v || !masks || !at)
		goto out;
	i = 0;
	nlmsg_for_each_attr(a, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(a) != DFC_A_CRIT)
			continue;
		at[i] = a;
		err = crit_parse(a, owner, now, &v[i], &masks[i], info->extack);
		if (err)
			goto out;
		i++;
	}
	mutex_lock(&f->lock);
	err = dfc_filter_add(f, v, n, (const struct dfc_key *const *)masks,
			     &bad, &why);
	mutex_unlock(&f->lock);
	if (err)
		add_err(info->extack, at[bad], why);
	else
		memset(v, 0, n * sizeof(*v));	/* the filter owns them */
out:
	/* Any of the three arrays may be missing: free what exists. */
	for (i = 0; i < n; i++) {
		if (v && v[i])
			dfc_filter_free(v[i]);
		if (masks)
			kvfree(masks[i]);
	}
	if (v != v_stack) {
		kvfree(v);
		kvfree(masks);
		kvfree(at);
	}
	return err;
}

/* The count reply, made before anything is deleted: afterwards nothing may fail. */
static struct sk_buff *count_msg_new(struct genl_info *info, void **hdr)
{
	struct sk_buff *msg = genlmsg_new(nla_total_size(sizeof(u32)), GFP_KERNEL_ACCOUNT);

	if (!msg)
		return NULL;
	*hdr = genlmsg_put_reply(msg, info, &dfc_genl_family, 0, info->genlhdr->cmd);
	if (!*hdr) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

int dfc_genl_crit_del(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *id = info->attrs[DFC_A_ID];
	struct nlattr *cdest = info->attrs[DFC_A_CDEST];
	struct dfc_filter *f = dfc_genl_filter(info);
	bool statics = info->attrs[DFC_A_FLAGS] &&
		       nla_get_u32(info->attrs[DFC_A_FLAGS]) & DFC_CRIT_F_STATIC;
	struct dfc_crit *c, *tmp;
	u32 owner, count = 0;
	struct sk_buff *msg;
	void *hdr;
	int err;

	err = dfc_genl_owner(info, &owner);
	if (err)
		return err;
	if (id && cdest) {
		NL_SET_ERR_MSG_ATTR(info->extack, cdest,
				    "delete by id or by destination, not both");
		return -EINVAL;
	}
	msg = count_msg_new(info, &hdr);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&f->lock);
	if (id) {
		c = dfc_filter_find(f, owner, nla_get_u64(id));
		if (!c) {
			NL_SET_ERR_MSG_ATTR(info->extack, id, "no such criterion");
			err = -ENOENT;
		} else if ((c->flags & DFC_CRIT_F_STATIC) && !statics) {
			NL_SET_ERR_MSG_ATTR(info->extack, id,
					    "static criterion: deleting it needs the static flag");
			err = -EPERM;
		} else {
			dfc_filter_del(f, c);
			count = 1;
		}
	} else {
		list_for_each_entry_safe(c, tmp, &f->crits, list) {
			if (c->owner != owner ||
			    (cdest && c->cdest != nla_get_u32(cdest)) ||
			    ((c->flags & DFC_CRIT_F_STATIC) && !statics))
				continue;
			dfc_filter_del(f, c);
			count++;
			if (!(count % 4096))
				cond_resched();
		}
	}
	dfc_filter_reap(f);
	mutex_unlock(&f->lock);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	/* Sized for it: cannot fail. */
	nla_put_u32(msg, DFC_A_COUNT, count);
	genlmsg_end(msg, hdr);
	/*
	 * The criteria are gone whatever happens to the count: a full socket
	 * loses the count only, and the ack still says what happened.
	 */
	genlmsg_reply(msg, info);
	return 0;
}

int dfc_genl_crit_refresh(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *nest = info->attrs[DFC_A_CRIT];
	struct dfc_filter *f = dfc_genl_filter(info);
	struct nlattr *tb[DFC_CRIT_A_MAX + 1];
	struct dfc_crit *c;
	u32 owner;
	int err;

	err = dfc_genl_owner(info, &owner);
	if (err)
		return err;
	if (GENL_REQ_ATTR_CHECK(info, DFC_A_CRIT))
		return -EINVAL;
	err = nla_parse_nested(tb, DFC_CRIT_A_MAX, nest, dfc_refresh_policy,
			       info->extack);
	if (err)
		return err;
	if (!tb[DFC_CRIT_A_ID]) {
		NL_SET_ERR_ATTR_MISS(info->extack, nest, DFC_CRIT_A_ID);
		NL_SET_ERR_MSG(info->extack, "criterion id required");
		return -EINVAL;
	}
	if (!has_limits(tb)) {
		NL_SET_ERR_MSG_ATTR(info->extack, nest, "nothing to refresh");
		return -EINVAL;
	}
	mutex_lock(&f->lock);
	c = dfc_filter_find(f, owner, nla_get_u64(tb[DFC_CRIT_A_ID]));
	if (!c || c->dead) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[DFC_CRIT_A_ID],
				    "no such criterion");
		err = -ENOENT;
	} else if (c->flags & DFC_CRIT_F_STATIC) {
		/* It has no timeouts or limits: refreshing would change nothing. */
		NL_SET_ERR_MSG_ATTR(info->extack, tb[DFC_CRIT_A_ID],
				    "static criterion: it has no timeouts or limits to refresh");
		err = -EINVAL;
	} else {
		u32 now = ktime_get_boottime_seconds();
		bool had = c->lim;

		err = crit_set_limits(c, tb, now);
		if (!err) {
			if (!had && c->lim)
				f->crit_mem += sizeof(*c->lim);
			c->lim->n_refresh++;
			dfc_filter_retime(f, c);
			f->gen++;
		}
	}
	mutex_unlock(&f->lock);
	return err;
}

int dfc_genl_limits_set(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *mc = info->attrs[DFC_STATS_A_MAX_CRITS];
	struct nlattr *mm = info->attrs[DFC_STATS_A_MAX_MASKS];
	struct nlattr *md = info->attrs[DFC_STATS_A_MAX_DUP];
	struct nlattr *dp = info->attrs[DFC_STATS_A_DUP_PERIOD];
	struct nlattr *fm = info->attrs[DFC_STATS_A_FRAG_MAX];
	struct nlattr *ft = info->attrs[DFC_STATS_A_FRAG_TIMEOUT];
	struct nlattr *fh = info->attrs[DFC_STATS_A_FRAG_HOLD_MAX];
	struct nlattr *cm = info->attrs[DFC_STATS_A_COPY_MARK];
	struct dfc_filter *f = dfc_genl_filter(info);
	u32 v[3];

	if (!mc && !mm && !md && !dp && !fm && !ft && !fh && !cm) {
		NL_SET_ERR_MSG(info->extack, "no limit given");
		return -EINVAL;
	}
	if (fm)
		v[0] = nla_get_u32(fm);
	if (ft)
		v[1] = nla_get_u32(ft);
	if (fh)
		v[2] = nla_get_u32(fh);
	dfc_frag_set(&dfc_net(genl_info_net(info))->frag, fm ? &v[0] : NULL,
		     ft ? &v[1] : NULL, fh ? &v[2] : NULL);
	mutex_lock(&f->lock);
	if (mc)
		f->max_crits = nla_get_u32(mc);
	if (mm)
		f->table.max_masks = nla_get_u32(mm);
	if (md)
		WRITE_ONCE(f->max_dup, nla_get_u32(md));
	if (dp)
		f->dup_period = nla_get_u32(dp);
	/* Read by the hook and by each copy: 0 turns the mark guard off. */
	if (cm)
		WRITE_ONCE(f->copy_mark, nla_get_u32(cm));
	mutex_unlock(&f->lock);
	return 0;
}
