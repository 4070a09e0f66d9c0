// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dfc_nl: criteria. Encoding (dfc_nl_crit_put/pack), parsing
 * (dfc_nl_crit_parse/parse_attr) and the commands: add in batches,
 * delete, refresh, get, and the streamed dump.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dfc_nl_priv.h"

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

/* A port's value and then its mask or the end of its range. */
static bool port_put(struct nlmsghdr *nlh, size_t room, uint16_t a, uint16_t b, uint16_t v,
		     uint16_t w)
{
	return mnl_attr_put_u16_check(nlh, room, a, v) && mnl_attr_put_u16_check(nlh, room, b, w);
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
	/* both ports, always: their presence is what makes a port condition */
	if ((e->ports || e->sport_mask || e->dport_mask || e->sport_range || e->dport_range) &&
	    (!port_put(nlh, room, DFC_ENTRY_A_SPORT, e->sport_range ? DFC_ENTRY_A_SPORT_MAX :
			  DFC_ENTRY_A_SPORT_MASK, e->sport, e->sport_range ? e->sport_max : e->sport_mask) ||
	     !port_put(nlh, room, DFC_ENTRY_A_DPORT, e->dport_range ? DFC_ENTRY_A_DPORT_MAX :
			  DFC_ENTRY_A_DPORT_MASK, e->dport, e->dport_range ? e->dport_max : e->dport_mask)))
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
		[DFC_ENTRY_A_SPORT_MAX] = MNL_TYPE_U16,
		[DFC_ENTRY_A_DPORT_MAX] = MNL_TYPE_U16,
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
	if (dfc_nl_parse_nested(nest, tb, policy, DFC_ENTRY_A_MAX) < 0)
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
	/*
	 * any of them is a port condition; a mask defaults to exact if its value is there,
	 * unless the port is a range (then it has no mask)
	 */
	e->sport_range = tb[DFC_ENTRY_A_SPORT_MAX];
	e->dport_range = tb[DFC_ENTRY_A_DPORT_MAX];
	if ((e->sport_range && tb[DFC_ENTRY_A_SPORT_MASK]) ||
	    (e->dport_range && tb[DFC_ENTRY_A_DPORT_MASK]))
		return -EINVAL;
	e->ports = tb[DFC_ENTRY_A_SPORT] || tb[DFC_ENTRY_A_SPORT_MASK] ||
		   tb[DFC_ENTRY_A_DPORT] || tb[DFC_ENTRY_A_DPORT_MASK] || e->sport_range ||
		   e->dport_range;
	e->sport = opt_u16(tb[DFC_ENTRY_A_SPORT], 0);
	e->sport_mask = opt_u16(tb[DFC_ENTRY_A_SPORT_MASK],
				tb[DFC_ENTRY_A_SPORT] && !e->sport_range ? 0xffff : 0);
	e->sport_max = opt_u16(tb[DFC_ENTRY_A_SPORT_MAX], 0);
	e->dport = opt_u16(tb[DFC_ENTRY_A_DPORT], 0);
	e->dport_mask = opt_u16(tb[DFC_ENTRY_A_DPORT_MASK],
				tb[DFC_ENTRY_A_DPORT] && !e->dport_range ? 0xffff : 0);
	e->dport_max = opt_u16(tb[DFC_ENTRY_A_DPORT_MAX], 0);
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
	if (dfc_nl_parse_nested(crit, tb, policy, DFC_CRIT_A_MAX) < 0 || !tb[DFC_CRIT_A_ID])
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
	if (dfc_nl_parse_genl(nlh, tb, policy, DFC_A_MAX) < 0 || !tb[DFC_A_OWNER] ||
	    !tb[DFC_A_CRIT])
		return -EINVAL;
	err = dfc_nl_crit_parse_attr(tb[DFC_A_CRIT], out, entries, max_entries, excl, max_excl);
	if (err)
		return err;
	out->owner = mnl_attr_get_u32(tb[DFC_A_OWNER]);
	return 0;
}

/* ---- criteria: commands ---- */

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
				dfc_nl_local_error(nl, "criterion %" PRIu64 " %s", c->id, why);
			else
				dfc_nl_local_error(nl, "criterion %" PRIu64 " does not fit in "
						   "one message of %zu bytes (%u entries, %u "
						   "exclusions, %u-byte blob): split it into "
						   "several criteria", c->id, nl->tx_room,
						   c->n_entries, c->n_excl, c->blob_len);
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

	if (dfc_nl_parse_genl(nlh, tb, policy, DFC_A_MAX) < 0 || !tb[DFC_A_COUNT])
		return -EINVAL;
	*(uint32_t *)out = mnl_attr_get_u32(tb[DFC_A_COUNT]);
	return 0;
}

int dfc_nl_crit_del(struct dfc_nl *nl, uint32_t owner, const uint64_t *id,
		    const uint32_t *cdest, bool include_static, uint32_t *deleted)
{
	uint32_t count = 0;
	struct dfc_nl_one_reply r = { .parse = count_parse_cb, .out = &count };
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
	err = dfc_nl_get_one(nl, nlh, &r);
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
		err = dfc_nl_exchange(nl, nlh, DFC_NL_X_STREAM, crit_walk_cb, &w, &intr);
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
