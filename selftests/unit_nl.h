/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the unit_nl_*.c host tests of lib/dfc_nl*.c share: replies and
 * requests built here exactly as the kernel and the library build them,
 * the test data, and the msg and crit fixtures. Included once per test
 * program; unit_nl_fake.h adds the fake kernel.
 */
#ifndef UNIT_NL_H
#define UNIT_NL_H

#include <errno.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/genetlink.h>
#include <libmnl/libmnl.h>

#include "kselftest_harness.h"
#include "dfc_nl.h"

#ifdef __clang__
/* TEST() of the 6.1 harness leaves its variant parameter unused (gcc: a system header's) */
#pragma clang diagnostic ignored "-Wunused-parameter"
#endif

/* Not every program uses every helper. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-const-variable"

#define FAMILY 0x1d /* any id: the parsers do not look at it */

/*
 * nla_put_64bit() on an architecture without efficient unaligned access:
 * a zero-length PAD first whenever the value would not be 8-aligned.
 * x86 never pads, so emulate the other case, the one the parser must cope with.
 */
static void put_u64(struct nlmsghdr *nlh, uint16_t type, uint64_t v, uint16_t pad)
{
	if (((uintptr_t)mnl_nlmsg_get_payload_tail(nlh) + MNL_ATTR_HDRLEN) % 8)
		mnl_attr_put(nlh, pad, 0, NULL);
	mnl_attr_put_u64(nlh, type, v);
}

/* nla_nest_start() marks nests with NLA_F_NESTED */
static struct nlattr *nest_start(struct nlmsghdr *nlh, uint16_t type)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);

	nest->nla_type |= NLA_F_NESTED;
	return nest;
}

static struct nlmsghdr *genl_reply(void *buf, uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));

	nlh->nlmsg_type = FAMILY;
	nlh->nlmsg_seq = 42;
	nlh->nlmsg_pid = 4242;
	genl->cmd = cmd;
	genl->version = DFC_GENL_VERSION;
	return nlh;
}

static const uint64_t gstats[] = {
	[DFC_STATS_A_SEEN] = 0x8000000000000001ULL,
	[DFC_STATS_A_BYTES] = 1500ULL << 33,
	[DFC_STATS_A_IPV4] = 10,
	[DFC_STATS_A_IPV6] = 20,
	[DFC_STATS_A_OTHER] = 30,
};

/* A DFC_CMD_STATS_GET reply, counter `skip` left out (0: none). */
static struct nlmsghdr *stats_reply(void *buf, const char *version, unsigned int skip)
{
	struct nlmsghdr *nlh = genl_reply(buf, DFC_CMD_STATS_GET);

	if (version)
		mnl_attr_put_strz(nlh, DFC_STATS_A_VERSION, version);
	mnl_attr_put_u32(nlh, DFC_STATS_A_IFACES, 2);
	for (unsigned int t = DFC_STATS_A_SEEN; t <= DFC_STATS_A_OTHER; t++)
		if (t != skip)
			put_u64(nlh, t, gstats[t], DFC_STATS_A_PAD);
	return nlh;
}

static int count_type(const void *start, size_t len, uint16_t type)
{
	const struct nlattr *attr;
	int n = 0;

	mnl_attr_for_each_payload(start, len)
		n += mnl_attr_get_type(attr) == type;
	return n;
}

static struct nlattr *find_attr(const struct nlmsghdr *nlh, uint16_t type)
{
	struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(attr) == type)
			return attr;
	return NULL;
}

/* A copy of nlh cut to len bytes, in a buffer of exactly that size (ASan sees overreads). */
static struct nlmsghdr *cut(const struct nlmsghdr *nlh, size_t len)
{
	struct nlmsghdr *c = malloc(len);

	memcpy(c, nlh, len);
	c->nlmsg_len = len;
	return c;
}

FIXTURE(msg) {
	alignas(8) char buf[4096];
};

FIXTURE_SETUP(msg)
{
	memset(self->buf, 0, sizeof(self->buf));
}

FIXTURE_TEARDOWN(msg)
{
}

/* The counters that came with the criteria, as a newer module sends them. */
static void put_new_stats(struct nlmsghdr *nlh, unsigned int skip)
{
	for (unsigned int t = DFC_STATS_A_PARSED; t <= DFC_STATS_A_EXPIRED; t++) {
		if (t == skip)
			continue;
		if (t >= DFC_STATS_A_CRITS && t <= DFC_STATS_A_ENTRIES)
			mnl_attr_put_u32(nlh, t, 1000 + t);
		else
			put_u64(nlh, t, (1ULL << 40) + t, DFC_STATS_A_PAD);
	}
}

/* ---- criteria: encoder and parser ---- */

#define BIG (256 * 1024)

static void ip(uint8_t *dst, const char *s)
{
	memset(dst, 0, 16);
	if (inet_pton(AF_INET, s, dst) != 1 && inet_pton(AF_INET6, s, dst) != 1)
		abort();
}

/* Entries in the form the parser gives back (conditions flagged, masks as sent). */
static struct dfc_nl_entry entry4(const char *src, uint8_t splen, const char *dst, uint8_t dplen,
				  uint16_t dport, uint8_t proto)
{
	struct dfc_nl_entry e = { .ipver = 4, .src_plen = splen, .dst_plen = dplen };

	if (src)
		ip(e.src, src);
	if (dst)
		ip(e.dst, dst);
	if (dport) {
		e.ports = true;
		e.dport = dport;
		e.dport_mask = 0xffff;
	}
	if (proto) {
		e.proto = proto;
		e.proto_mask = 0xff;
	}
	return e;
}

/* Field by field: the struct has padding. */
static bool entry_eq(const struct dfc_nl_entry *a, const struct dfc_nl_entry *b)
{
	return a->ipver == b->ipver && a->src_plen == b->src_plen && a->dst_plen == b->dst_plen &&
	       !memcmp(a->src, b->src, 16) && !memcmp(a->dst, b->dst, 16) &&
	       a->ports == b->ports && a->sport == b->sport && a->sport_mask == b->sport_mask &&
	       a->dport == b->dport && a->dport_mask == b->dport_mask &&
	       a->proto == b->proto && a->proto_mask == b->proto_mask && a->icmp == b->icmp &&
	       a->icmp_type == b->icmp_type && a->icmp_type_mask == b->icmp_type_mask &&
	       a->icmp_code == b->icmp_code && a->icmp_code_mask == b->icmp_code_mask &&
	       a->ifindex == b->ifindex && a->sport_range == b->sport_range &&
	       a->sport_max == b->sport_max && a->dport_range == b->dport_range &&
	       a->dport_max == b->dport_max;
}

/* A criterion request message: DFC_A_OWNER then nests, as dfc_nl_crit_add builds it. */
static struct nlmsghdr *crit_msg(void *buf, uint32_t owner)
{
	struct nlmsghdr *nlh = genl_reply(buf, DFC_CMD_CRIT_NEW);

	mnl_attr_put_u32(nlh, DFC_A_OWNER, owner);
	return nlh;
}

/* The one DFC_A_CRIT nest of nlh. */
static struct nlattr *crit_nest(const struct nlmsghdr *nlh)
{
	return find_attr(nlh, DFC_A_CRIT);
}

/* How many attributes of type t directly in nest. */
static int nest_count(const struct nlattr *nest, uint16_t t)
{
	return count_type(mnl_attr_get_payload(nest), mnl_attr_get_payload_len(nest), t);
}

static const struct nlattr *nest_find(const struct nlattr *nest, uint16_t t)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest)
		if (mnl_attr_get_type(a) == t)
			return a;
	return NULL;
}

FIXTURE(crit) {
	char *buf; /* BIG bytes, 8-aligned */
	/* one over each cap: an unchecked criterion is read, not overrun */
	struct dfc_nl_entry ent[DFC_CRIT_MAX_ENTRIES + 1], exc[DFC_CRIT_MAX_EXCL + 1];
	struct dfc_nl_entry got_ent[DFC_CRIT_MAX_ENTRIES], got_exc[DFC_CRIT_MAX_EXCL];
};

FIXTURE_SETUP(crit)
{
	self->buf = calloc(1, BIG);
	ASSERT_NE(NULL, self->buf);
	memset(self->ent, 0, sizeof(self->ent));
	memset(self->exc, 0, sizeof(self->exc));
}

FIXTURE_TEARDOWN(crit)
{
	free(self->buf);
}

#define PARSE(nlh, out) dfc_nl_crit_parse(nlh, out, self->got_ent, DFC_CRIT_MAX_ENTRIES, \
					  self->got_exc, DFC_CRIT_MAX_EXCL)

/* Every entry condition there is, on v6: the largest entry. */
static struct dfc_nl_entry fat_entry(unsigned int i)
{
	struct dfc_nl_entry e = { .ipver = 6, .src_plen = 128, .dst_plen = 128, .ports = true,
				  .sport = (uint16_t)i, .sport_mask = 0xffff, .dport = 80,
				  .dport_mask = 0xffff, .proto = 6, .proto_mask = 0xff,
				  .icmp = true, .icmp_type_mask = 0xff, .icmp_code_mask = 0xff,
				  .ifindex = 3 };

	ip(e.src, "2001:db8::1");
	ip(e.dst, "2001:db8::2");
	return e;
}

/*
 * The largest valid criterion: DFC_CRIT_MAX_ENTRIES entries and
 * DFC_CRIT_MAX_EXCL exclusions of the largest shape, every optional
 * attribute, a DFC_CRIT_BLOB_MAX-byte blob. ent and exc need one more
 * element each: they are filled to one over the caps.
 */
static struct dfc_nl_crit max_crit(struct dfc_nl_entry *ent, struct dfc_nl_entry *exc,
				   const char *blob)
{
	for (unsigned int i = 0; i <= DFC_CRIT_MAX_ENTRIES; i++)
		ent[i] = fat_entry(i);
	for (unsigned int i = 0; i <= DFC_CRIT_MAX_EXCL; i++)
		exc[i] = fat_entry(60000 + i);
	return (struct dfc_nl_crit){
		.id = UINT64_MAX, .prio = UINT32_MAX, .flags = DFC_CRIT_F_SEND_ASYNC,
		.cdest = UINT32_MAX, .timeout_total = DFC_TIMEOUT_MAX,
		.timeout_idle = DFC_TIMEOUT_MAX, .limit_packets = UINT64_MAX,
		.limit_bytes = UINT64_MAX, .blob = blob, .blob_len = DFC_CRIT_BLOB_MAX,
		.entries = ent, .n_entries = DFC_CRIT_MAX_ENTRIES,
		.excl = exc, .n_excl = DFC_CRIT_MAX_EXCL,
	};
}

/* A 64-bit attribute after a PAD: the most nla_put_64bit() can take. */
static void put_u64_padded(struct nlmsghdr *nlh, uint16_t type, uint64_t v)
{
	mnl_attr_put(nlh, DFC_CRIT_A_PAD, 0, NULL);
	mnl_attr_put_u64(nlh, type, v);
}

/* Copy attribute a (type flags and all) to the end of nlh. */
static void copy_attr(struct nlmsghdr *nlh, const struct nlattr *a)
{
	if (a)
		mnl_attr_put(nlh, a->nla_type, mnl_attr_get_payload_len(a),
			     mnl_attr_get_payload(a));
}

/*
 * The kernel's GET reply to the criterion that request req added, as
 * crit_fill() (kmod/crit_nl.c) builds it: what was sent, in the same
 * shape, plus counters, counts and their PADs, every one of which is
 * taken (the worst case). *nest_len: the reply's DFC_A_CRIT nest as
 * long as it really is (its nla_len would wrap past 64 KiB).
 */
static struct nlmsghdr *reply_of(void *buf, const struct nlmsghdr *req, size_t *nest_len)
{
	const struct nlattr *rn = crit_nest(req), *a;
	struct nlmsghdr *nlh = genl_reply(buf, DFC_CMD_CRIT_GET);
	struct nlattr *crit;

	mnl_attr_put_u32(nlh, DFC_A_OWNER, mnl_attr_get_u32(find_attr(req, DFC_A_OWNER)));
	crit = nest_start(nlh, DFC_A_CRIT);
	put_u64_padded(nlh, DFC_CRIT_A_ID, mnl_attr_get_u64(nest_find(rn, DFC_CRIT_A_ID)));
	put_u64_padded(nlh, DFC_CRIT_A_PACKETS, UINT64_MAX);
	put_u64_padded(nlh, DFC_CRIT_A_BYTES, UINT64_MAX);
	put_u64_padded(nlh, DFC_CRIT_A_LAST_MATCH, UINT64_MAX - 1);
	put_u64_padded(nlh, DFC_CRIT_A_AGE, UINT64_MAX);
	copy_attr(nlh, nest_find(rn, DFC_CRIT_A_PRIO));
	copy_attr(nlh, nest_find(rn, DFC_CRIT_A_FLAGS));
	copy_attr(nlh, nest_find(rn, DFC_CRIT_A_CDEST));
	mnl_attr_put_u32(nlh, DFC_CRIT_A_N_REFRESH, UINT32_MAX);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_N_ENTRIES, (uint32_t)nest_count(rn, DFC_CRIT_A_ENTRY));
	mnl_attr_put_u32(nlh, DFC_CRIT_A_N_EXCL, (uint32_t)nest_count(rn, DFC_CRIT_A_EXCL));
	put_u64_padded(nlh, DFC_CRIT_A_DUP_DROPPED, UINT64_MAX);
	copy_attr(nlh, nest_find(rn, DFC_CRIT_A_TIMEOUT_TOTAL));
	copy_attr(nlh, nest_find(rn, DFC_CRIT_A_TIMEOUT_IDLE));
	if ((a = nest_find(rn, DFC_CRIT_A_LIMIT_PACKETS)))
		put_u64_padded(nlh, DFC_CRIT_A_LIMIT_PACKETS, mnl_attr_get_u64(a));
	if ((a = nest_find(rn, DFC_CRIT_A_LIMIT_BYTES)))
		put_u64_padded(nlh, DFC_CRIT_A_LIMIT_BYTES, mnl_attr_get_u64(a));
	copy_attr(nlh, nest_find(rn, DFC_CRIT_A_BLOB));
	/* entries, then exclusions: masked values, the same attributes as sent */
	mnl_attr_for_each_nested(a, rn)
		if (mnl_attr_get_type(a) == DFC_CRIT_A_ENTRY)
			copy_attr(nlh, a);
	mnl_attr_for_each_nested(a, rn)
		if (mnl_attr_get_type(a) == DFC_CRIT_A_EXCL)
			copy_attr(nlh, a);
	*nest_len = (size_t)((char *)mnl_nlmsg_get_payload_tail(nlh) - (char *)crit);
	mnl_attr_nest_end(nlh, crit);
	return nlh;
}

/* The kernel's GET reply: counters (64-bit after PADs), counts, entries as masked values. */
static struct nlmsghdr *get_reply(void *buf, bool last_match, bool with_entries)
{
	struct nlmsghdr *nlh = genl_reply(buf, DFC_CMD_CRIT_GET);
	struct nlattr *crit, *e;
	uint8_t a[16];

	mnl_attr_put_u32(nlh, DFC_A_OWNER, 3);
	crit = nest_start(nlh, DFC_A_CRIT);
	put_u64(nlh, DFC_CRIT_A_ID, 0x1122334455667788ULL, DFC_CRIT_A_PAD);
	put_u64(nlh, DFC_CRIT_A_PACKETS, 1ULL << 33, DFC_CRIT_A_PAD);
	put_u64(nlh, DFC_CRIT_A_BYTES, 3ULL << 40, DFC_CRIT_A_PAD);
	if (last_match)
		put_u64(nlh, DFC_CRIT_A_LAST_MATCH, 0, DFC_CRIT_A_PAD);
	put_u64(nlh, DFC_CRIT_A_AGE, 100000, DFC_CRIT_A_PAD);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_PRIO, 2);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_FLAGS, DFC_CRIT_F_SEND_ASYNC);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_CDEST, 12);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_N_REFRESH, 4);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_N_ENTRIES, 2);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_N_EXCL, 1);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_TIMEOUT_IDLE, 0); /* used up */
	put_u64(nlh, DFC_CRIT_A_LIMIT_PACKETS, 5, DFC_CRIT_A_PAD);
	mnl_attr_put(nlh, DFC_CRIT_A_BLOB, 3, "abc");
	if (with_entries) {
		/* v6 source prefix; a port mask; values whose masks are left to default */
		e = nest_start(nlh, DFC_CRIT_A_ENTRY);
		mnl_attr_put_u8(nlh, DFC_ENTRY_A_IPVER, 6);
		ip(a, "fe80::");
		mnl_attr_put(nlh, DFC_ENTRY_A_SRC, 16, a);
		mnl_attr_put_u8(nlh, DFC_ENTRY_A_SRC_PLEN, 10);
		mnl_attr_put_u16(nlh, DFC_ENTRY_A_SPORT, 1024);
		mnl_attr_put_u16(nlh, DFC_ENTRY_A_SPORT_MASK, 0xfc00);
		mnl_attr_put_u16(nlh, DFC_ENTRY_A_DPORT, 0);
		mnl_attr_put_u16(nlh, DFC_ENTRY_A_DPORT_MASK, 0);
		mnl_attr_nest_end(nlh, e);
		e = nest_start(nlh, DFC_CRIT_A_ENTRY);
		mnl_attr_put_u8(nlh, DFC_ENTRY_A_IPVER, 4);
		ip(a, "10.9.8.7");
		mnl_attr_put(nlh, DFC_ENTRY_A_DST, 4, a); /* no PLEN: the full length */
		mnl_attr_put_u16(nlh, DFC_ENTRY_A_DPORT, 53); /* no masks: 0xffff, sport none */
		mnl_attr_put_u8(nlh, DFC_ENTRY_A_PROTO, 17); /* no mask: 0xff */
		mnl_attr_put_u8(nlh, DFC_ENTRY_A_ICMP_CODE, 4); /* an ICMP condition */
		mnl_attr_put_u32(nlh, DFC_ENTRY_A_IFINDEX, 9);
		mnl_attr_nest_end(nlh, e);
		e = nest_start(nlh, DFC_CRIT_A_EXCL);
		mnl_attr_put_u8(nlh, DFC_ENTRY_A_PROTO, 1);
		mnl_attr_put_u8(nlh, DFC_ENTRY_A_PROTO_MASK, 0xff);
		mnl_attr_nest_end(nlh, e);
	}
	mnl_attr_nest_end(nlh, crit);
	return nlh;
}

/* ---- content destinations: encoder and parser ---- */

static uint64_t cstat_val(unsigned int t)
{
	return (1ULL << 33) + 1000 * t;
}

/*
 * A DFC_CMD_CDEST_GET reply as cdest_fill() builds it: v4 with udp
 * encapsulation, or v6 IP-in-IP with a source. stats: with the counters.
 */
static struct nlmsghdr *cdest_reply(void *buf, uint32_t id, bool v6, bool stats)
{
	struct nlmsghdr *nlh = genl_reply(buf, DFC_CMD_CDEST_GET);
	uint8_t a[16], s[16];

	ip(a, v6 ? "2001:db8::9" : "192.0.2.9");
	ip(s, v6 ? "2001:db8::1" : "192.0.2.1");
	mnl_attr_put_u32(nlh, DFC_CDEST_A_ID, id);
	mnl_attr_put_strz(nlh, DFC_CDEST_A_NAME, v6 ? "collector-6" : "");
	mnl_attr_put_u8(nlh, DFC_CDEST_A_ENCAP, v6 ? DFC_ENCAP_IPIP : DFC_ENCAP_UDP);
	mnl_attr_put(nlh, DFC_CDEST_A_ADDR, v6 ? 16 : 4, a);
	if (v6) {
		mnl_attr_put(nlh, DFC_CDEST_A_SRC, 16, s);
	} else {
		mnl_attr_put_u16(nlh, DFC_CDEST_A_SPORT, 0);
		mnl_attr_put_u16(nlh, DFC_CDEST_A_DPORT, 4789);
	}
	mnl_attr_put_u8(nlh, DFC_CDEST_A_TTL, 64);
	mnl_attr_put_u8(nlh, DFC_CDEST_A_DSCP, 46);
	mnl_attr_put_u32(nlh, DFC_CDEST_A_FLAGS, v6 ? DFC_CDEST_F_IPSEC_REQUIRED : 0);
	put_u64(nlh, DFC_CDEST_A_SOFT_LIMIT, 8000000000ULL, DFC_CDEST_A_PAD);
	put_u64(nlh, DFC_CDEST_A_SOFT_CLEAR, 6000000000ULL, DFC_CDEST_A_PAD);
	put_u64(nlh, DFC_CDEST_A_HARD_LIMIT, 10000000000ULL, DFC_CDEST_A_PAD);
	put_u64(nlh, DFC_CDEST_A_HARD_TARGET, 9000000000ULL, DFC_CDEST_A_PAD);
	mnl_attr_put_u32(nlh, DFC_CDEST_A_CRITS, 12);
	mnl_attr_put_u8(nlh, DFC_CDEST_A_CONGESTED, 1);
	/* the ipsec-required one is dropping for want of IPsec; the other leaves it out */
	if (v6)
		mnl_attr_put_u8(nlh, DFC_CDEST_A_NOIPSEC, 1);
	if (stats) {
		struct nlattr *st = nest_start(nlh, DFC_CDEST_A_STATS);

		for (unsigned int t = DFC_CSTATS_A_COPIES; t <= DFC_CSTATS_A_RATE; t++)
			put_u64(nlh, t, cstat_val(t), DFC_CSTATS_A_PAD);
		mnl_attr_nest_end(nlh, st);
	}
	return nlh;
}

#pragma GCC diagnostic pop

#endif /* UNIT_NL_H */
