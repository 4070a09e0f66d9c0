// SPDX-License-Identifier: GPL-2.0
/* fault_nl's cases: every dfc command, each from a known setup. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>

#include "dfc_nl.h"
#include "fault_nl.h"

static const uint8_t a4[4] = { 198, 51, 100, 1 };
static const uint8_t a6[16] = { 0x20, 1, 0x0d, 0xb8, 0, 0xff, [15] = 1 };

static void cdest(uint32_t id, uint32_t cmd)
{
	struct nlmsghdr *nlh = req((uint8_t)cmd, 0);

	mnl_attr_put_u32(nlh, DFC_CDEST_A_ID, id);
	mnl_attr_put(nlh, DFC_CDEST_A_ADDR, 4, a4);
	if (cmd == DFC_CMD_CDEST_NEW)
		must(nlh, "cdest", EEXIST);
}

static void iface(uint8_t cmd, int ok2)
{
	struct nlmsghdr *nlh = req(cmd, 0);

	mnl_attr_put_strz(nlh, DFC_IFACE_A_IFNAME, "v1");
	must(nlh, "iface", ok2);
}

/* One criterion: n entries (UDP to 192.0.2.2, dport 9 or 1000 + i), nx exclusions. */
void crit(struct nlmsghdr *nlh, uint64_t id, unsigned int n, unsigned int nx, size_t blob,
		 bool statik, uint32_t cd)
{
	static const uint8_t dst[4] = { 192, 0, 2, 2 }, b[DFC_CRIT_BLOB_MAX];
	struct nlattr *c = mnl_attr_nest_start(nlh, DFC_A_CRIT), *e;
	unsigned int i;

	mnl_attr_put_u64(nlh, DFC_CRIT_A_ID, id);
	if (statik)
		mnl_attr_put_u32(nlh, DFC_CRIT_A_FLAGS, DFC_CRIT_F_STATIC);
	else
		mnl_attr_put_u64(nlh, DFC_CRIT_A_LIMIT_PACKETS, 1000000);
	if (cd)
		mnl_attr_put_u32(nlh, DFC_CRIT_A_CDEST, cd);
	if (blob)
		mnl_attr_put(nlh, DFC_CRIT_A_BLOB, blob, b);
	for (i = 0; i < n + nx; i++) {
		e = mnl_attr_nest_start(nlh, i < n ? DFC_CRIT_A_ENTRY : DFC_CRIT_A_EXCL);
		mnl_attr_put_u8(nlh, DFC_ENTRY_A_IPVER, 4);
		mnl_attr_put(nlh, DFC_ENTRY_A_DST, 4, dst);
		mnl_attr_put_u8(nlh, DFC_ENTRY_A_PROTO, 17);
		mnl_attr_put_u16(nlh, DFC_ENTRY_A_DPORT, (uint16_t)(i ? 1000 + i : 9));
		mnl_attr_nest_end(nlh, e);
	}
	mnl_attr_nest_end(nlh, c);
}

static struct nlmsghdr *crits_msg(void)
{
	struct nlmsghdr *nlh = req(DFC_CMD_CRIT_NEW, 0);
	unsigned int i;

	mnl_attr_put_u32(nlh, DFC_A_OWNER, 1);
	for (i = 1; i <= 8; i++)
		crit(nlh, i, 1 + i % 3, i % 4 == 0, i % 3 ? 0 : 100, i == 5, i % 2);
	return nlh;
}

/* Known state: nothing of ours; then what a case needs. */
void base(void)
{
	struct nlmsghdr *nlh;
	uint32_t o;

	for (o = 1; o <= 2; o++) {
		nlh = req(DFC_CMD_CRIT_DEL, 0);
		mnl_attr_put_u32(nlh, DFC_A_OWNER, o);
		mnl_attr_put_u32(nlh, DFC_A_FLAGS, DFC_CRIT_F_STATIC);
		must(nlh, "crit del", 0);
		nlh = req(DFC_CMD_CDEST_DEL, 0);
		mnl_attr_put_u32(nlh, DFC_CDEST_A_ID, o);
		mnl_attr_put(nlh, DFC_CDEST_A_FORCE, 0, NULL);
		must(nlh, "cdest del", ENOENT);
	}
	iface(DFC_CMD_IFACE_DEL, ENOENT);
	nlh = req(DFC_CMD_LIMITS_SET, 0);
	mnl_attr_put_u32(nlh, DFC_STATS_A_MAX_CRITS, 1U << 20);
	mnl_attr_put_u32(nlh, DFC_STATS_A_MAX_MASKS, 128);
	must(nlh, "limits", 0);
}

static void s_base(void) { base(); }
static void s_iface(void) { base(); iface(DFC_CMD_IFACE_NEW, 0); }
void s_cdest(void) { base(); iface(DFC_CMD_IFACE_NEW, 0); cdest(1, DFC_CMD_CDEST_NEW); }
static void s_crits(void) { s_cdest(); must(crits_msg(), "crits", 0); }

static struct nlmsghdr *c_iface(uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = req(cmd, flags);

	if (!flags)
		mnl_attr_put_strz(nlh, DFC_IFACE_A_IFNAME, "v1");
	return nlh;
}

static struct nlmsghdr *c_iface_new(void) { return c_iface(DFC_CMD_IFACE_NEW, 0); }
static struct nlmsghdr *c_iface_del(void) { return c_iface(DFC_CMD_IFACE_DEL, 0); }
static struct nlmsghdr *c_iface_get(void) { return c_iface(DFC_CMD_IFACE_GET, 0); }
static struct nlmsghdr *c_iface_dump(void) { return c_iface(DFC_CMD_IFACE_GET, NLM_F_DUMP); }
static struct nlmsghdr *c_stats(void) { return req(DFC_CMD_STATS_GET, 0); }
static struct nlmsghdr *c_crit_new(void) { return crits_msg(); }

static struct nlmsghdr *c_crit_big(void)
{
	struct nlmsghdr *nlh = req(DFC_CMD_CRIT_NEW, 0);

	mnl_attr_put_u32(nlh, DFC_A_OWNER, 2);
	crit(nlh, 1, DFC_CRIT_MAX_ENTRIES, DFC_CRIT_MAX_EXCL, DFC_CRIT_BLOB_MAX, false, 1);
	return nlh;
}

static struct nlmsghdr *c_crit_del(int how)
{
	struct nlmsghdr *nlh = req(DFC_CMD_CRIT_DEL, 0);

	mnl_attr_put_u32(nlh, DFC_A_OWNER, 1);
	if (how == 0)
		mnl_attr_put_u64(nlh, DFC_A_ID, 3);
	if (how == 1)
		mnl_attr_put_u32(nlh, DFC_A_CDEST, 1);
	mnl_attr_put_u32(nlh, DFC_A_FLAGS, DFC_CRIT_F_STATIC);
	return nlh;
}

static struct nlmsghdr *c_del_id(void) { return c_crit_del(0); }
static struct nlmsghdr *c_del_cdest(void) { return c_crit_del(1); }
static struct nlmsghdr *c_del_owner(void) { return c_crit_del(2); }

static struct nlmsghdr *c_refresh(void)
{
	struct nlmsghdr *nlh = req(DFC_CMD_CRIT_REFRESH, 0);
	struct nlattr *c;

	mnl_attr_put_u32(nlh, DFC_A_OWNER, 1);
	c = mnl_attr_nest_start(nlh, DFC_A_CRIT);
	mnl_attr_put_u64(nlh, DFC_CRIT_A_ID, 2);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_TIMEOUT_TOTAL, 600);
	mnl_attr_nest_end(nlh, c);
	return nlh;
}

static struct nlmsghdr *c_crit_get(void)
{
	struct nlmsghdr *nlh = req(DFC_CMD_CRIT_GET, 0);

	mnl_attr_put_u32(nlh, DFC_A_OWNER, 1);
	mnl_attr_put_u64(nlh, DFC_A_ID, 4);
	return nlh;
}

struct nlmsghdr *c_crit_get1(void)
{
	struct nlmsghdr *nlh = req(DFC_CMD_CRIT_GET, 0);

	mnl_attr_put_u32(nlh, DFC_A_OWNER, 1);
	mnl_attr_put_u64(nlh, DFC_A_ID, 1);
	return nlh;
}

static struct nlmsghdr *c_crit_dump(void) { return req(DFC_CMD_CRIT_GET, NLM_F_DUMP); }

static struct nlmsghdr *c_limits(void)
{
	struct nlmsghdr *nlh = req(DFC_CMD_LIMITS_SET, 0);

	mnl_attr_put_u32(nlh, DFC_STATS_A_MAX_CRITS, 5000);
	mnl_attr_put_u32(nlh, DFC_STATS_A_MAX_MASKS, 64);
	return nlh;
}

static struct nlmsghdr *c_cdest_new(void)
{
	struct nlmsghdr *nlh = req(DFC_CMD_CDEST_NEW, 0);

	mnl_attr_put_u32(nlh, DFC_CDEST_A_ID, 2);
	mnl_attr_put(nlh, DFC_CDEST_A_ADDR, 16, a6);
	mnl_attr_put_u8(nlh, DFC_CDEST_A_ENCAP, DFC_ENCAP_UDP);
	mnl_attr_put_u16(nlh, DFC_CDEST_A_DPORT, 4789);
	mnl_attr_put_strz(nlh, DFC_CDEST_A_NAME, "collector");
	mnl_attr_put_u64(nlh, DFC_CDEST_A_HARD_LIMIT, 1000000);
	return nlh;
}

static struct nlmsghdr *c_cdest_set(void)
{
	struct nlmsghdr *nlh = req(DFC_CMD_CDEST_SET, 0);

	mnl_attr_put_u32(nlh, DFC_CDEST_A_ID, 1);
	mnl_attr_put(nlh, DFC_CDEST_A_ADDR, 16, a6);
	mnl_attr_put_u64(nlh, DFC_CDEST_A_SOFT_LIMIT, 5000);
	return nlh;
}

static struct nlmsghdr *c_cdest_del(void)
{
	struct nlmsghdr *nlh = req(DFC_CMD_CDEST_DEL, 0);

	mnl_attr_put_u32(nlh, DFC_CDEST_A_ID, 1);
	mnl_attr_put(nlh, DFC_CDEST_A_FORCE, 0, NULL);
	return nlh;
}

struct nlmsghdr *c_cdest_get(void)
{
	struct nlmsghdr *nlh = req(DFC_CMD_CDEST_GET, 0);

	mnl_attr_put_u32(nlh, DFC_CDEST_A_ID, 1);
	return nlh;
}

static struct nlmsghdr *c_cdest_dump(void) { return req(DFC_CMD_CDEST_GET, NLM_F_DUMP); }

static struct nlmsghdr *c_owner(void)
{
	struct nlmsghdr *nlh = req(DFC_CMD_OWNER_SET, 0);

	mnl_attr_put_u32(nlh, DFC_A_OWNER, 1);
	mnl_attr_put_u32(nlh, DFC_A_MAX_DUP, 2);
	return nlh;
}

const struct fcase cases[] = {
	{ "iface-new", s_base, c_iface_new, true },
	{ "iface-del", s_iface, c_iface_del, true },
	{ "iface-get", s_iface, c_iface_get, false },
	{ "iface-dump", s_iface, c_iface_dump, false },
	{ "stats-get", s_crits, c_stats, false },
	{ "crit-new-batch", s_cdest, c_crit_new, true },
	{ "crit-new-caps", s_cdest, c_crit_big, true },
	{ "crit-del-id", s_crits, c_del_id, true },
	{ "crit-del-cdest", s_crits, c_del_cdest, true },
	{ "crit-del-owner", s_crits, c_del_owner, true },
	{ "crit-refresh", s_crits, c_refresh, true },
	{ "crit-get", s_crits, c_crit_get, false },
	{ "crit-dump", s_crits, c_crit_dump, false },
	{ "limits-set", s_crits, c_limits, true },
	{ "cdest-new", s_cdest, c_cdest_new, true },
	{ "cdest-set", s_crits, c_cdest_set, true },
	{ "cdest-del", s_crits, c_cdest_del, true },
	{ "cdest-get", s_cdest, c_cdest_get, false },
	{ "cdest-dump", s_cdest, c_cdest_dump, false },
	{ "owner-set", s_base, c_owner, false },
};

const unsigned int n_cases = sizeof(cases) / sizeof(cases[0]);
