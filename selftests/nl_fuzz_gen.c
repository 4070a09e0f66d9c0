// SPDX-License-Identifier: GPL-2.0
/*
 * nl_fuzz's generator: random "dfc" generic netlink requests derived from
 * the family's policies (kmod/netlink.c, kmod/crit_nl.c, kmod/cdest_nl.c,
 * mirrored in the tables below). Half are built to be accepted (aimed at
 * the devices, addresses and ports of the traffic the driver injects, so
 * that the data path matches what the control path adds), the rest are
 * those with one thing broken, attributes drawn from the policy with
 * boundary and out-of-range values, or random attributes. Refreshes
 * mostly name one of the last non-static criteria the module accepted (the
 * driver reports every accepted request to fz_accepted()): picked at random,
 * a criterion that exists and has limits is rarely hit.
 */
#include <arpa/inet.h>
#include <linux/genetlink.h>
#include <string.h>

#include "nl_fuzz.h"

struct fz_env fz_env;
const char *const fz_mode_name[FZ_MODES] = { "valid", "mutated", "policy", "random" };

/* splitmix64: small, and the same stream for the same seed everywhere. */
static uint64_t state;

void fz_seed(uint64_t seed)
{
	state = seed;
}

uint64_t fz_rnd(void)
{
	uint64_t z = (state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint32_t fz_below(uint32_t n)
{
	return n ? (uint32_t)(fz_rnd() % n) : 0;
}

bool fz_chance(unsigned int pct)
{
	return fz_below(100) < pct;
}

#define PICK(...) ({ \
	static const uint64_t v_[] = { __VA_ARGS__ }; \
	v_[fz_below(sizeof(v_) / sizeof(v_[0]))]; })

/* Policy mirror. lo/hi: the accepted range (hi 0: the type's maximum). */
enum kind { K_NONE, K_U8, K_U16, K_U32, K_U64, K_STR, K_BIN, K_FLAG, K_NEST,
	    K_REJECT, K_KINDS };

struct space;
struct attr {
	uint8_t kind;
	uint64_t lo, hi;
	uint16_t len;		/* string / binary cap, or binary minimum */
	const struct space *nest;
};

struct space {
	int max;
	const struct attr *a;
};

static const struct attr entry_a[DFC_ENTRY_A_MAX + 1] = {
	[DFC_ENTRY_A_IPVER] = { K_U8, 4, 6 },
	[DFC_ENTRY_A_SRC] = { K_BIN, .len = 4 },
	[DFC_ENTRY_A_SRC_PLEN] = { K_U8, 0, 128 },
	[DFC_ENTRY_A_DST] = { K_BIN, .len = 4 },
	[DFC_ENTRY_A_DST_PLEN] = { K_U8, 0, 128 },
	[DFC_ENTRY_A_SPORT] = { K_U16 },
	[DFC_ENTRY_A_SPORT_MASK] = { K_U16 },
	[DFC_ENTRY_A_DPORT] = { K_U16 },
	[DFC_ENTRY_A_DPORT_MASK] = { K_U16 },
	[DFC_ENTRY_A_PROTO] = { K_U8 },
	[DFC_ENTRY_A_PROTO_MASK] = { K_U8 },
	[DFC_ENTRY_A_ICMP_TYPE] = { K_U8 },
	[DFC_ENTRY_A_ICMP_TYPE_MASK] = { K_U8 },
	[DFC_ENTRY_A_ICMP_CODE] = { K_U8 },
	[DFC_ENTRY_A_ICMP_CODE_MASK] = { K_U8 },
	[DFC_ENTRY_A_IFINDEX] = { K_U32, 1 },
	[DFC_ENTRY_A_SPORT_MAX] = { K_U16 },
	[DFC_ENTRY_A_DPORT_MAX] = { K_U16 },
};
static const struct space entry_s = { DFC_ENTRY_A_MAX, entry_a };

static const struct attr crit_a[DFC_CRIT_A_MAX + 1] = {
	[DFC_CRIT_A_ID] = { K_U64 },
	[DFC_CRIT_A_PRIO] = { K_U32 },
	[DFC_CRIT_A_FLAGS] = { K_U32, 0, __DFC_CRIT_F_ALL },
	[DFC_CRIT_A_CDEST] = { K_U32 },
	[DFC_CRIT_A_TIMEOUT_TOTAL] = { K_U32, 1, DFC_TIMEOUT_MAX },
	[DFC_CRIT_A_TIMEOUT_IDLE] = { K_U32, 1, DFC_TIMEOUT_MAX },
	[DFC_CRIT_A_LIMIT_PACKETS] = { K_U64, 1 },
	[DFC_CRIT_A_LIMIT_BYTES] = { K_U64, 1 },
	[DFC_CRIT_A_BLOB] = { K_BIN, .len = DFC_CRIT_BLOB_MAX },
	[DFC_CRIT_A_ENTRY] = { K_NEST, .nest = &entry_s },
	[DFC_CRIT_A_EXCL] = { K_NEST, .nest = &entry_s },
	[DFC_CRIT_A_PACKETS] = { K_REJECT },
	[DFC_CRIT_A_BYTES] = { K_REJECT },
	[DFC_CRIT_A_LAST_MATCH] = { K_REJECT },
	[DFC_CRIT_A_AGE] = { K_REJECT },
	[DFC_CRIT_A_N_REFRESH] = { K_REJECT },
	[DFC_CRIT_A_REASON] = { K_REJECT },
	[DFC_CRIT_A_N_ENTRIES] = { K_REJECT },
	[DFC_CRIT_A_N_EXCL] = { K_REJECT },
	[DFC_CRIT_A_DUP_DROPPED] = { K_REJECT },
};
static const struct space crit_s = { DFC_CRIT_A_MAX, crit_a };

static const struct attr dfc_a[DFC_A_MAX + 1] = {
	[DFC_A_OWNER] = { K_U32 },
	[DFC_A_ID] = { K_U64 },
	[DFC_A_CDEST] = { K_U32 },
	[DFC_A_FLAGS] = { K_U32, 0, __DFC_CRIT_F_ALL },
	[DFC_A_TERSE] = { K_FLAG },
	[DFC_A_COUNT] = { K_REJECT },
	[DFC_A_CRIT] = { K_NEST, .nest = &crit_s },
	[DFC_A_MAX_DUP] = { K_U32, 0, 64 },
};
static const struct space dfc_s = { DFC_A_MAX, dfc_a };

static const struct attr iface_a[DFC_IFACE_A_MAX + 1] = {
	[DFC_IFACE_A_IFINDEX] = { K_U32, 1 },
	[DFC_IFACE_A_IFNAME] = { K_STR, .len = 15 },
	[DFC_IFACE_A_FLAGS] = { K_U32, 0, __DFC_IFACE_F_ALL },
	[DFC_IFACE_A_STATS] = { K_REJECT },
};
static const struct space iface_s = { DFC_IFACE_A_MAX, iface_a };

/* STATS_GET takes nothing; LIMITS_SET these eight. */
static const struct attr stats_a[DFC_STATS_A_MAX + 1] = {
	[DFC_STATS_A_VERSION] = { K_REJECT },
	[DFC_STATS_A_MAX_CRITS] = { K_U32, 1 },
	[DFC_STATS_A_MAX_MASKS] = { K_U32, 1, 4096 },
	[DFC_STATS_A_MAX_DUP] = { K_U32, 1, 64 },
	[DFC_STATS_A_DUP_PERIOD] = { K_U32, 1, 3600 },
	[DFC_STATS_A_COPY_MARK] = { K_U32 },
	[DFC_STATS_A_FRAG_MAX] = { K_U32, 0, DFC_NS_MAX_FRAGS },
	[DFC_STATS_A_FRAG_TIMEOUT] = { K_U32, 1, 3600 },
	[DFC_STATS_A_FRAG_HOLD_MAX] = { K_U32, 0, DFC_NS_MAX_FRAG_HOLD },
};
static const struct space stats_s = { DFC_STATS_A_MAX, stats_a };

static const struct attr cdest_a[DFC_CDEST_A_MAX + 1] = {
	[DFC_CDEST_A_ID] = { K_U32, 1 },
	[DFC_CDEST_A_NAME] = { K_STR, .len = 31 },
	[DFC_CDEST_A_ENCAP] = { K_U8, 0, DFC_ENCAP_UDP },
	[DFC_CDEST_A_ADDR] = { K_BIN, .len = 4 },
	[DFC_CDEST_A_SRC] = { K_BIN, .len = 4 },
	[DFC_CDEST_A_SPORT] = { K_U16 },
	[DFC_CDEST_A_DPORT] = { K_U16, 1 },
	[DFC_CDEST_A_TTL] = { K_U8, 1 },
	[DFC_CDEST_A_DSCP] = { K_U8, 0, 63 },
	[DFC_CDEST_A_SOFT_LIMIT] = { K_U64 },
	[DFC_CDEST_A_SOFT_CLEAR] = { K_U64 },
	[DFC_CDEST_A_HARD_LIMIT] = { K_U64 },
	[DFC_CDEST_A_HARD_TARGET] = { K_U64 },
	[DFC_CDEST_A_FLAGS] = { K_U32, 0, __DFC_CDEST_F_ALL },
	[DFC_CDEST_A_FORCE] = { K_FLAG },
	[DFC_CDEST_A_STATS] = { K_REJECT },
	[DFC_CDEST_A_CRITS] = { K_REJECT },
	[DFC_CDEST_A_CONGESTED] = { K_REJECT },
	[DFC_CDEST_A_NOIPSEC] = { K_REJECT },
};
static const struct space cdest_s = { DFC_CDEST_A_MAX, cdest_a };

static const struct space *cmd_space(uint8_t cmd)
{
	switch (cmd) {
	case DFC_CMD_IFACE_NEW: case DFC_CMD_IFACE_DEL: case DFC_CMD_IFACE_GET:
		return &iface_s;
	case DFC_CMD_STATS_GET: case DFC_CMD_LIMITS_SET:
		return &stats_s;
	case DFC_CMD_CDEST_NEW: case DFC_CMD_CDEST_SET: case DFC_CMD_CDEST_DEL:
	case DFC_CMD_CDEST_GET:
		return &cdest_s;
	default:
		return &dfc_s;
	}
}

/* Everything is put with a check against FZ_MSG_CAP: a full message just stops growing. */
static void put(struct nlmsghdr *nlh, uint16_t type, size_t len, const void *data)
{
	mnl_attr_put_check(nlh, FZ_MSG_CAP, type, len, data);
}

static void put_u8(struct nlmsghdr *nlh, uint16_t type, uint8_t v) { put(nlh, type, 1, &v); }
static void put_u16(struct nlmsghdr *nlh, uint16_t type, uint16_t v) { put(nlh, type, 2, &v); }
static void put_u32(struct nlmsghdr *nlh, uint16_t type, uint32_t v) { put(nlh, type, 4, &v); }
static void put_u64(struct nlmsghdr *nlh, uint16_t type, uint64_t v) { put(nlh, type, 8, &v); }

static struct nlattr *nest_start(struct nlmsghdr *nlh, uint16_t type)
{
	return mnl_attr_nest_start_check(nlh, FZ_MSG_CAP, type);
}

static void nest_end(struct nlmsghdr *nlh, struct nlattr *nest)
{
	if (nest)
		mnl_attr_nest_end(nlh, nest);
}

static void rand_bytes(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)fz_rnd();
}

/* An integer for a field of bits width: in range, at either edge, just outside, extremes. */
static uint64_t pick_int(const struct attr *a, int bits)
{
	uint64_t tmax = bits == 64 ? UINT64_MAX : (1ULL << bits) - 1;
	uint64_t lo = a ? a->lo : 0, hi = a && a->hi ? a->hi : tmax, v;

	switch (fz_below(10)) {
	case 0: v = lo; break;
	case 1: v = hi; break;
	case 2: v = lo ? lo - 1 : 0; break;
	case 3: v = hi + 1; break;
	case 4: v = tmax; break;
	case 5: v = 0; break;
	case 6: v = fz_rnd(); break;
	case 7: v = fz_below(256); break;
	default: v = lo + fz_rnd() % (hi - lo + (hi - lo < UINT64_MAX));
	}
	return v & tmax;
}

static const char *const names[] = { "v1", "d0", "d1", "lo", "v0", "nosuch0", "" };

static void gen_space(struct nlmsghdr *nlh, const struct space *sp, int depth);

/* One attribute of type from space sp, drawn from its policy, sometimes of the wrong kind. */
static void gen_attr(struct nlmsghdr *nlh, const struct space *sp, uint16_t type, int depth)
{
	const struct attr *a = type <= sp->max ? &sp->a[type] : NULL;
	uint8_t kind = a && a->kind ? a->kind : (uint8_t)(1 + fz_below(K_KINDS - 1));
	uint8_t buf[4200] = { 0 };
	size_t len;
	struct nlattr *n, *at = mnl_nlmsg_get_payload_tail(nlh);

	if (fz_chance(8))
		kind = (uint8_t)(1 + fz_below(K_KINDS - 1));
	switch (kind) {
	case K_U8: put_u8(nlh, type, (uint8_t)pick_int(a, 8)); break;
	case K_U16: put_u16(nlh, type, (uint16_t)pick_int(a, 16)); break;
	case K_U32: put_u32(nlh, type, (uint32_t)pick_int(a, 32)); break;
	case K_U64: put_u64(nlh, type, pick_int(a, 64)); break;
	case K_STR:
		if (fz_chance(50)) {
			const char *s = names[fz_below(sizeof(names) / sizeof(names[0]))];

			put(nlh, type, strlen(s) + fz_chance(90), s);
			break;
		}
		len = PICK(0, 1, 15, 16, 17, 31, 32, 33, 100);
		memset(buf, 'a' + fz_below(26), len);
		if (len && fz_chance(80))
			buf[len - 1] = 0;
		put(nlh, type, len, buf);
		break;
	case K_BIN:
		len = PICK(0, 1, 3, 4, 5, 15, 16, 17, 2047, 2048, 2049, 4096);
		rand_bytes(buf, len);
		put(nlh, type, len, buf);
		break;
	case K_FLAG:
		put(nlh, type, fz_chance(85) ? 0 : 4, buf);
		break;
	case K_NEST:
		n = nest_start(nlh, type);
		if (depth < 6)
			gen_space(nlh, a && a->nest ? a->nest : sp, depth + 1);
		nest_end(nlh, n);
		if (n && fz_chance(5))
			n->nla_type &= ~NLA_F_NESTED;
		break;
	default:	/* K_REJECT, and anything else: some bytes */
		len = fz_below(9);
		rand_bytes(buf, len);
		put(nlh, type, len, buf);
	}
	if (kind != K_NEST && fz_chance(2) && (void *)at < mnl_nlmsg_get_payload_tail(nlh))
		at->nla_type |= NLA_F_NESTED;
}

/* A few attributes of space sp, mostly known types, duplicates allowed. */
static void gen_space(struct nlmsghdr *nlh, const struct space *sp, int depth)
{
	unsigned int n = fz_below(depth ? 6 : 9);

	while (n--) {
		const uint16_t odd[] = { 0, (uint16_t)(sp->max + 1), (uint16_t)(sp->max + 2), 0x3fff };
		uint16_t type = (uint16_t)(fz_chance(93) ? 1 + fz_below(sp->max) : odd[fz_below(4)]);

		gen_attr(nlh, sp, type, depth);
	}
}

static uint32_t pick_owner(void)
{
	return fz_chance(92) ? 1 + fz_below(3) : (uint32_t)PICK(0, UINT32_MAX, 0x80000000);
}

static uint64_t pick_id(void)
{
	return fz_chance(92) ? fz_below(48) : PICK(0, UINT64_MAX, 1ULL << 63, 48);
}

/* Non-static criteria the module accepted lately (fz_accepted): refresh targets. */
#define KEPT 16
static struct { uint32_t owner; uint64_t id; } kept[KEPT];
static unsigned int nkept, kept_next;

void fz_accepted(const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a, *in;
	uint32_t owner = 0;

	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + GENL_HDRLEN || g->cmd != DFC_CMD_CRIT_NEW)
		return;
	mnl_attr_for_each(a, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(a) == DFC_A_OWNER && mnl_attr_get_payload_len(a) == 4)
			owner = mnl_attr_get_u32(a);
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		uint32_t flags = 0;
		bool has_id = false;
		uint64_t id = 0;

		if (mnl_attr_get_type(a) != DFC_A_CRIT)
			continue;
		mnl_attr_for_each_nested(in, a) {
			if (mnl_attr_get_type(in) == DFC_CRIT_A_ID && mnl_attr_get_payload_len(in) == 8) {
				id = mnl_attr_get_u64(in);
				has_id = true;
			} else if (mnl_attr_get_type(in) == DFC_CRIT_A_FLAGS &&
				   mnl_attr_get_payload_len(in) == 4) {
				flags = mnl_attr_get_u32(in);
			}
		}
		if (!has_id || (flags & DFC_CRIT_F_STATIC))
			continue;
		kept[kept_next].owner = owner;
		kept[kept_next].id = id;
		kept_next = (kept_next + 1) % KEPT;
		if (nkept < KEPT)
			nkept++;
	}
}

static uint32_t pick_ifindex(void)
{
	if (fz_chance(85))
		return fz_env.ifindex[fz_chance(60) ? 0 : fz_below(4)];
	return (uint32_t)PICK(0, 1, 999999, UINT32_MAX);
}

static const uint8_t src4[4] = { 192, 0, 2, 1 }, dst4[4] = { 192, 0, 2, 2 };
static const uint8_t src6[16] = { 0x20, 1, 0x0d, 0xb8, [15] = 1 };
static const uint8_t dst6[16] = { 0x20, 1, 0x0d, 0xb8, [15] = 2 };

/* An entry (or exclusion) near the injected traffic; entry idx gets its own dport. */
static void gen_entry(struct nlmsghdr *nlh, uint16_t type, unsigned int idx)
{
	struct nlattr *n = nest_start(nlh, type);
	bool v6 = fz_chance(30);

	if (fz_chance(85)) {
		put_u8(nlh, DFC_ENTRY_A_IPVER, v6 ? 6 : 4);
		if (fz_chance(60)) {
			put(nlh, DFC_ENTRY_A_SRC, v6 ? 16 : 4, v6 ? src6 : src4);
			if (fz_chance(40))
				put_u8(nlh, DFC_ENTRY_A_SRC_PLEN, (uint8_t)(v6 ? PICK(0, 64, 127, 128, 129) :
									  PICK(0, 24, 31, 32, 33)));
		}
		if (fz_chance(50))
			put(nlh, DFC_ENTRY_A_DST, v6 ? 16 : 4, v6 ? dst6 : dst4);
	}
	if (fz_chance(60)) {
		put_u8(nlh, DFC_ENTRY_A_PROTO, 17);
		if (fz_chance(20))
			put_u8(nlh, DFC_ENTRY_A_PROTO_MASK, (uint8_t)PICK(0xff, 0xf0, 0));
	}
	if (idx || fz_chance(60)) {
		put_u16(nlh, DFC_ENTRY_A_DPORT, (uint16_t)(idx ? 1000 + idx : 9));
		if (fz_chance(10))
			put_u16(nlh, DFC_ENTRY_A_DPORT_MASK, (uint16_t)PICK(0xffff, 0xff00, 0, 0xfff0));
	}
	if (fz_chance(25))
		put_u16(nlh, DFC_ENTRY_A_SPORT, 40000);
	if (fz_chance(5))
		put_u8(nlh, DFC_ENTRY_A_ICMP_TYPE, 8);
	if (fz_chance(20))
		put_u32(nlh, DFC_ENTRY_A_IFINDEX, pick_ifindex());
	nest_end(nlh, n);
}

static void put_limits(struct nlmsghdr *nlh)
{
	unsigned int any = 0;

	while (!any || fz_chance(30)) {
		switch (fz_below(4)) {
		case 0: put_u32(nlh, DFC_CRIT_A_TIMEOUT_TOTAL, (uint32_t)PICK(1, 2, 5, 60, DFC_TIMEOUT_MAX)); break;
		case 1: put_u32(nlh, DFC_CRIT_A_TIMEOUT_IDLE, (uint32_t)PICK(1, 2, 5, DFC_TIMEOUT_MAX)); break;
		case 2: put_u64(nlh, DFC_CRIT_A_LIMIT_PACKETS, PICK(1, 3, 50, 1000, UINT64_MAX)); break;
		default: put_u64(nlh, DFC_CRIT_A_LIMIT_BYTES, PICK(1, 1500, 100000, UINT64_MAX));
		}
		any++;
	}
}

/* A criterion likely to be accepted, at the caps now and then. */
static void gen_crit(struct nlmsghdr *nlh)
{
	struct nlattr *n = nest_start(nlh, DFC_A_CRIT);
	uint8_t blob[DFC_CRIT_BLOB_MAX + 1];
	uint32_t flags = 0;
	unsigned int i, ne, nx;

	put_u64(nlh, DFC_CRIT_A_ID, pick_id());
	if (fz_chance(40))
		put_u32(nlh, DFC_CRIT_A_PRIO, (uint32_t)PICK(0, 1, 5, UINT32_MAX));
	if (fz_chance(35)) {
		flags = (uint32_t)PICK(DFC_CRIT_F_STATIC, DFC_CRIT_F_SEND_ASYNC, __DFC_CRIT_F_ALL);
		put_u32(nlh, DFC_CRIT_A_FLAGS, flags);
	}
	if (fz_chance(25))
		put_u32(nlh, DFC_CRIT_A_CDEST, (uint32_t)PICK(1, 1, 2, 3, 4, UINT32_MAX));
	if (!(flags & DFC_CRIT_F_STATIC) || fz_chance(20))
		put_limits(nlh);
	if (fz_chance(15)) {
		size_t len = PICK(1, 17, DFC_CRIT_BLOB_MAX, DFC_CRIT_BLOB_MAX + 1);

		rand_bytes(blob, len);
		put(nlh, DFC_CRIT_A_BLOB, len, blob);
	}
	ne = fz_chance(93) ? 1 + fz_below(3) :
	     (unsigned int)PICK(0, 16, DFC_CRIT_MAX_ENTRIES, DFC_CRIT_MAX_ENTRIES + 1);
	nx = fz_chance(85) ? 0 : fz_chance(90) ? 1 + fz_below(2) :
	     (unsigned int)PICK(DFC_CRIT_MAX_EXCL, DFC_CRIT_MAX_EXCL + 1);
	for (i = 0; i < ne; i++)
		gen_entry(nlh, DFC_CRIT_A_ENTRY, i);
	for (i = 0; i < nx; i++)
		gen_entry(nlh, DFC_CRIT_A_EXCL, 500 + i);
	nest_end(nlh, n);
}

static void gen_dev(struct nlmsghdr *nlh)
{
	if (fz_chance(50))
		put_u32(nlh, DFC_IFACE_A_IFINDEX, pick_ifindex());
	else
		mnl_attr_put_strz_check(nlh, FZ_MSG_CAP, DFC_IFACE_A_IFNAME,
					names[fz_chance(70) ? 0 : fz_below(6)]);
}

static void gen_cdest(struct nlmsghdr *nlh, uint8_t cmd)
{
	static const uint8_t a4[4] = { 198, 51, 100, 1 }, s4[16] = { 198, 51, 100, 2 };
	static const uint8_t a6[16] = { 0x20, 1, 0x0d, 0xb8, 0, 0xff, [15] = 1 };
	bool v6 = fz_chance(30), udp = fz_chance(30);
	uint64_t lim;

	put_u32(nlh, DFC_CDEST_A_ID, (uint32_t)(fz_chance(95) ? 1 + fz_below(4) : PICK(0, UINT32_MAX)));
	if (cmd == DFC_CMD_CDEST_DEL || cmd == DFC_CMD_CDEST_GET) {
		if (cmd == DFC_CMD_CDEST_DEL && fz_chance(50))
			put(nlh, DFC_CDEST_A_FORCE, 0, NULL);
		return;
	}
	if (cmd == DFC_CMD_CDEST_NEW || fz_chance(50))
		put(nlh, DFC_CDEST_A_ADDR, v6 ? 16 : 4, v6 ? a6 : a4);
	if (fz_chance(20))
		put(nlh, DFC_CDEST_A_SRC, (v6 ^ fz_chance(10)) ? 16 : 4, v6 ? a6 : s4);
	if (fz_chance(40))
		put_u8(nlh, DFC_CDEST_A_ENCAP, udp ? DFC_ENCAP_UDP : DFC_ENCAP_IPIP);
	if (udp || fz_chance(10))
		put_u16(nlh, DFC_CDEST_A_DPORT, (uint16_t)PICK(4789, 1, 65535));
	if (fz_chance(20))
		put_u16(nlh, DFC_CDEST_A_SPORT, (uint16_t)PICK(0, 4789, 65535));
	if (fz_chance(20))
		put_u8(nlh, DFC_CDEST_A_TTL, (uint8_t)PICK(1, 64, 255));
	if (fz_chance(20))
		put_u8(nlh, DFC_CDEST_A_DSCP, (uint8_t)PICK(0, 46, 63));
	if (fz_chance(20))
		mnl_attr_put_strz_check(nlh, FZ_MSG_CAP, DFC_CDEST_A_NAME,
					fz_chance(80) ? "lawful-1" : "0123456789012345678901234567890");
	if (fz_chance(30)) {
		lim = PICK(0, 1000, 1000000, UINT64_MAX);
		put_u64(nlh, DFC_CDEST_A_SOFT_LIMIT, lim);
		put_u64(nlh, DFC_CDEST_A_SOFT_CLEAR, fz_chance(90) ? lim / 2 : lim + 1);
	}
	if (fz_chance(30)) {
		lim = PICK(0, 8000, 1000000, UINT64_MAX);
		put_u64(nlh, DFC_CDEST_A_HARD_LIMIT, lim);
		put_u64(nlh, DFC_CDEST_A_HARD_TARGET, fz_chance(90) ? lim / 2 : lim + 1);
	}
	if (fz_chance(15))
		put_u32(nlh, DFC_CDEST_A_FLAGS, DFC_CDEST_F_IPSEC_REQUIRED);
}

/* A request the module should accept (or refuse for the state it is in). */
static void gen_valid(struct nlmsghdr *nlh, uint8_t cmd, bool dump)
{
	unsigned int i, n;
	struct nlattr *c;

	switch (cmd) {
	case DFC_CMD_IFACE_NEW:
		gen_dev(nlh);
		if (fz_chance(30))
			put_u32(nlh, DFC_IFACE_A_FLAGS, DFC_IFACE_F_PASS);
		break;
	case DFC_CMD_IFACE_DEL: case DFC_CMD_IFACE_GET:
		if (!dump)
			gen_dev(nlh);
		break;
	case DFC_CMD_CRIT_NEW:
		put_u32(nlh, DFC_A_OWNER, pick_owner());
		n = fz_chance(90) ? 1 + fz_below(3) : (unsigned int)PICK(0, 20, 64);
		for (i = 0; i < n; i++)
			gen_crit(nlh);
		break;
	case DFC_CMD_CRIT_DEL:
		put_u32(nlh, DFC_A_OWNER, pick_owner());
		if (fz_chance(50))
			put_u64(nlh, DFC_A_ID, pick_id());
		else if (fz_chance(30))
			put_u32(nlh, DFC_A_CDEST, 1 + fz_below(4));
		if (fz_chance(40))
			put_u32(nlh, DFC_A_FLAGS, DFC_CRIT_F_STATIC);
		break;
	case DFC_CMD_CRIT_REFRESH:
		/* Mostly one the module holds (unless it expired meanwhile). */
		if (nkept && fz_chance(75)) {
			i = (kept_next + KEPT - 1 - fz_below(nkept)) % KEPT;
			put_u32(nlh, DFC_A_OWNER, kept[i].owner);
			c = nest_start(nlh, DFC_A_CRIT);
			put_u64(nlh, DFC_CRIT_A_ID, kept[i].id);
		} else {
			put_u32(nlh, DFC_A_OWNER, pick_owner());
			c = nest_start(nlh, DFC_A_CRIT);
			put_u64(nlh, DFC_CRIT_A_ID, pick_id());
		}
		put_limits(nlh);
		nest_end(nlh, c);
		break;
	case DFC_CMD_CRIT_GET:
		if (!dump || fz_chance(50))
			put_u32(nlh, DFC_A_OWNER, pick_owner());
		if (!dump)
			put_u64(nlh, DFC_A_ID, pick_id());
		else if (fz_chance(50))
			put(nlh, DFC_A_TERSE, 0, NULL);
		break;
	case DFC_CMD_LIMITS_SET:
		do {
			switch (fz_below(8)) {
			case 0: put_u32(nlh, DFC_STATS_A_MAX_CRITS, (uint32_t)PICK(1, 64, 4096, 100000)); break;
			case 1: put_u32(nlh, DFC_STATS_A_MAX_MASKS, (uint32_t)PICK(1, 16, 128, 4096)); break;
			case 2: put_u32(nlh, DFC_STATS_A_MAX_DUP, (uint32_t)PICK(1, 3, 64)); break;
			case 3: put_u32(nlh, DFC_STATS_A_DUP_PERIOD, (uint32_t)PICK(1, 30, 3600)); break;
			case 4: put_u32(nlh, DFC_STATS_A_FRAG_MAX, (uint32_t)PICK(0, 1, 4096, 16384)); break;
			case 5: put_u32(nlh, DFC_STATS_A_FRAG_TIMEOUT, (uint32_t)PICK(1, 30, 3600)); break;
			case 6: put_u32(nlh, DFC_STATS_A_FRAG_HOLD_MAX,
					(uint32_t)PICK(0, 1500, 1 << 20, DFC_NS_MAX_FRAG_HOLD)); break;
			default: put_u32(nlh, DFC_STATS_A_COPY_MARK,
					 (uint32_t)PICK(0, 1, DFC_DEFAULT_COPY_MARK, 0xffffffff));
			}
		} while (fz_chance(40));
		break;
	case DFC_CMD_CDEST_NEW: case DFC_CMD_CDEST_SET: case DFC_CMD_CDEST_DEL:
	case DFC_CMD_CDEST_GET:
		if (!dump)
			gen_cdest(nlh, cmd);
		break;
	case DFC_CMD_OWNER_SET:
		put_u32(nlh, DFC_A_OWNER, pick_owner());
		put_u32(nlh, DFC_A_MAX_DUP, (uint32_t)(fz_chance(90) ? fz_below(5) : PICK(64, 65)));
		break;
	default:	/* STATS_GET, unknown commands: nothing */
		break;
	}
}

/* Break one thing of a built request; framing of the netlink message stays. */
static void mutate(struct nlmsghdr *nlh, uint8_t cmd)
{
	size_t hdr = MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct genlmsghdr));
	uint8_t *p = (uint8_t *)nlh;
	struct nlattr *a, *last = NULL;

	switch (fz_below(5)) {
	case 0:	/* one more attribute drawn from the policy (may duplicate one) */
		gen_attr(nlh, cmd_space(cmd), (uint16_t)(1 + fz_below(cmd_space(cmd)->max)), 0);
		break;
	case 1:	/* flip a byte of the attributes */
		if (nlh->nlmsg_len > hdr)
			p[hdr + fz_below(nlh->nlmsg_len - hdr)] ^= (uint8_t)(1 + fz_below(255));
		break;
	case 2:	/* duplicate the last top-level attribute */
		mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
			last = a;
		if (last && last->nla_len <= 4096)
			put(nlh, last->nla_type, last->nla_len - MNL_ATTR_HDRLEN, mnl_attr_get_payload(last));
		break;
	case 3:	/* a nest whose last inner attribute claims more than the nest holds */
		mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
			if (a->nla_type & NLA_F_NESTED)
				last = a;
		if (last && mnl_attr_get_payload_len(last) >= MNL_ATTR_HDRLEN) {
			struct nlattr *in, *inner = NULL;

			mnl_attr_for_each_nested(in, last)
				inner = in;
			if (inner)
				inner->nla_len += (uint16_t)(4 + fz_below(64));
		}
		break;
	default:	/* a nest that ends early: its tail reads as top-level attributes */
		mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
			if (a->nla_type & NLA_F_NESTED)
				last = a;
		if (last && last->nla_len > 8)
			last->nla_len = (uint16_t)(MNL_ATTR_HDRLEN + fz_below(last->nla_len - MNL_ATTR_HDRLEN));
	}
}

struct nlmsghdr *fz_msg(void *buf, uint16_t fam, uint32_t seq, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = fam;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = DFC_GENL_VERSION;
	return nlh;
}

static const uint8_t weights[DFC_CMD_MAX + 1] = {
	[DFC_CMD_IFACE_NEW] = 4, [DFC_CMD_IFACE_DEL] = 3, [DFC_CMD_IFACE_GET] = 4,
	[DFC_CMD_STATS_GET] = 3, [DFC_CMD_CRIT_NEW] = 22, [DFC_CMD_CRIT_DEL] = 7,
	[DFC_CMD_CRIT_REFRESH] = 8, [DFC_CMD_CRIT_GET] = 8, [DFC_CMD_LIMITS_SET] = 3,
	[DFC_CMD_CDEST_NEW] = 5, [DFC_CMD_CDEST_SET] = 5, [DFC_CMD_CDEST_DEL] = 4,
	[DFC_CMD_CDEST_GET] = 4, [DFC_CMD_OWNER_SET] = 4,
};

static uint8_t pick_cmd(void)
{
	unsigned int total = 0, r, c;

	if (fz_chance(2))	/* no such command, or an event's number */
		return (uint8_t)PICK(DFC_CMD_UNSPEC, DFC_CMD_CRIT_EXPIRED, DFC_CMD_CDEST_CONGESTED,
				     DFC_CMD_CDEST_PURGED, DFC_CMD_CDEST_NOIPSEC, DFC_CMD_DUP_DROPPED,
				     DFC_CMD_MAX + 1, 200, 255);
	for (c = 0; c <= DFC_CMD_MAX; c++)
		total += weights[c];
	r = fz_below(total);
	for (c = 0; r >= weights[c]; c++)
		r -= weights[c];
	return (uint8_t)c;
}

struct nlmsghdr *fz_gen(void *buf, uint16_t fam, uint32_t seq, enum fz_mode *mode)
{
	uint8_t cmd = pick_cmd();
	bool get = cmd == DFC_CMD_IFACE_GET || cmd == DFC_CMD_CRIT_GET || cmd == DFC_CMD_CDEST_GET;
	bool dump = fz_chance(get ? 45 : 3);
	uint16_t flags = dump ? NLM_F_DUMP : 0;
	struct nlmsghdr *nlh;
	unsigned int r = fz_below(100);

	if (fz_chance(3))
		flags |= (uint16_t)PICK(NLM_F_ECHO, NLM_F_EXCL, NLM_F_CREATE | NLM_F_REPLACE, NLM_F_APPEND);
	nlh = fz_msg(buf, fam, seq, cmd, flags);
	if (fz_chance(2))
		((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->version = (uint8_t)fz_rnd();
	if (r < 55) {
		*mode = FZ_VALID;
		gen_valid(nlh, cmd, dump);
	} else if (r < 75) {
		*mode = FZ_MUTATED;
		gen_valid(nlh, cmd, dump);
		mutate(nlh, cmd);
	} else if (r < 95) {
		*mode = FZ_SPEC;
		gen_space(nlh, cmd_space(cmd), 0);
	} else {
		uint8_t junk[256];
		size_t len = fz_below(sizeof(junk));

		*mode = FZ_RANDOM;
		rand_bytes(junk, len);
		if (mnl_nlmsg_size(mnl_nlmsg_get_payload_len(nlh) + len) <= FZ_MSG_CAP) {
			memcpy(mnl_nlmsg_get_payload_tail(nlh), junk, len);
			nlh->nlmsg_len += (uint32_t)len;
		}
	}
	/* Cut short, but never below the netlink header (the kernel would drop the rest). */
	if (fz_chance(3))
		nlh->nlmsg_len = MNL_NLMSG_HDRLEN + fz_below(nlh->nlmsg_len - MNL_NLMSG_HDRLEN + 1);
	return nlh;
}
