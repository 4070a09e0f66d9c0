// SPDX-License-Identifier: GPL-2.0
/*
 * Criteria against the real module, in the guest: add, get, dump and
 * delete, matching, isolation, malformed requests, batches and limits of
 * the table (filter_lib.h has the topology).
 */
#include "filter_lib.h"

TEST_F(filter, add_get_dump_delete)
{
	struct crit_info ci;
	uint32_t n;

	ASSERT_EQ(0, add_crit(self->nl, 1, 10, "192.0.2.2", 32, DFC_CRIT_F_STATIC, 0, 0));
	ASSERT_EQ(0, get_crit(self->nl, 1, 10, &ci));
	EXPECT_EQ(1, ci.found);
	EXPECT_EQ(1, ci.owner);
	EXPECT_EQ(10, ci.id);
	EXPECT_EQ(DFC_CRIT_F_STATIC, ci.flags);
	EXPECT_EQ(1, ci.n_entries);
	EXPECT_EQ(1, dump_count(self->nl, -1, 0));
	EXPECT_EQ(1, dump_count(self->nl, -1, 1));
	EXPECT_EQ(-ENOENT, get_crit(self->nl, 2, 10, &ci));

	EXPECT_EQ(-EPERM, del(self->nl, 1, 10, -1, 0, &n));
	EXPECT_EQ(1, n_crits(self->nl));
	EXPECT_EQ(0, del(self->nl, 1, 10, -1, 1, &n));
	EXPECT_EQ(1, n);
	EXPECT_EQ(0, n_crits(self->nl));
	EXPECT_EQ(-ENOENT, del(self->nl, 1, 10, -1, 1, &n));
}

TEST_F(filter, counts_matching_frames)
{
	struct crit_info ci;

	ASSERT_EQ(0, add_crit(self->nl, 1, 1, "192.0.2.2", 32, DFC_CRIT_F_STATIC, 0, 0));
	ASSERT_EQ(0, add_crit(self->nl, 1, 2, "192.0.2.0", 24, DFC_CRIT_F_STATIC, 0, 0));
	ASSERT_EQ(0, add_crit(self->nl, 1, 3, "198.51.100.0", 24, DFC_CRIT_F_STATIC, 0, 0));
	ASSERT_EQ(0, inject(5, "ipv4", 100, "-D 192.0.2.2"));
	ASSERT_EQ(0, inject(4, "ipv4", 80, "-D 192.0.2.9"));
	ASSERT_EQ(0, inject(3, "ipv6", 100, NULL));
	ASSERT_EQ(0, inject(2, "arp", 60, NULL));
	ASSERT_EQ(0, get_crit(self->nl, 1, 1, &ci));
	EXPECT_EQ(5, ci.packets);
	EXPECT_EQ(500, ci.bytes);
	ASSERT_EQ(0, get_crit(self->nl, 1, 2, &ci));
	EXPECT_EQ(9, ci.packets);
	EXPECT_EQ(820, ci.bytes);
	ASSERT_EQ(0, get_crit(self->nl, 1, 3, &ci));
	EXPECT_EQ(0, ci.packets);
}

/* Every owner's matching criterion counts the frame. */
TEST_F(filter, all_match_across_owners)
{
	struct crit_info ci;

	ASSERT_EQ(0, add_crit(self->nl, 1, 7, "192.0.2.2", 32, DFC_CRIT_F_STATIC, 0, 0));
	ASSERT_EQ(0, add_crit(self->nl, 2, 7, "192.0.2.2", 32, DFC_CRIT_F_STATIC, 0, 0));
	ASSERT_EQ(0, add_crit(self->nl, 3, 7, "192.0.0.0", 16, DFC_CRIT_F_STATIC, 0, 0));
	ASSERT_EQ(0, inject(6, "ipv4", 64, "-D 192.0.2.2"));
	for (uint32_t o = 1; o <= 3; o++) {
		ASSERT_EQ(0, get_crit(self->nl, o, 7, &ci));
		EXPECT_EQ(6, ci.packets) TH_LOG("owner %u", o);
	}
	EXPECT_EQ(1, dump_count(self->nl, 2, 0));
	EXPECT_EQ(3, dump_count(self->nl, -1, 1));
}

TEST_F(filter, owners_are_isolated)
{
	uint32_t n;

	ASSERT_EQ(0, add_crit(self->nl, 1, 1, "192.0.2.1", 32, DFC_CRIT_F_STATIC, 0, 0));
	ASSERT_EQ(0, add_crit(self->nl, 1, 2, "192.0.2.2", 32, DFC_CRIT_F_STATIC, 0, 0));
	ASSERT_EQ(0, add_crit(self->nl, 2, 1, "192.0.2.1", 32, DFC_CRIT_F_STATIC, 0, 0));
	EXPECT_EQ(-ENOENT, del(self->nl, 3, 1, -1, 1, &n));
	/* Owner 1, all its criteria, static included. */
	ASSERT_EQ(0, del(self->nl, 1, -1, -1, 1, &n));
	EXPECT_EQ(2, n);
	EXPECT_EQ(1, dump_count(self->nl, 2, 0));
	EXPECT_EQ(0, dump_count(self->nl, 1, 0));
}

TEST_F(filter, delete_by_destination_and_static_rule)
{
	uint32_t n;

	/* add_crit sets cdest = id % 3. */
	for (int id = 1; id <= 6; id++)
		ASSERT_EQ(0, add_crit(self->nl, 1, id, "192.0.2.0", 24,
				      id == 4 ? DFC_CRIT_F_STATIC : 0,
				      DFC_CRIT_A_TIMEOUT_TOTAL, 600));
	/* cdest 1: ids 1 and 4; 4 is static and stays without the flag. */
	ASSERT_EQ(0, del(self->nl, 1, -1, 1, 0, &n));
	EXPECT_EQ(1, n);
	ASSERT_EQ(0, del(self->nl, 1, -1, 1, 1, &n));
	EXPECT_EQ(1, n);
	EXPECT_EQ(4, n_crits(self->nl));
}

TEST_F(filter, exclusions)
{
	struct nlmsghdr *nlh = new_msg(self->nl, DFC_CMD_CRIT_NEW, 1);
	struct nlattr *c = crit_begin(nlh, 1);
	struct crit_info ci;

	mnl_attr_put_u32(nlh, DFC_CRIT_A_FLAGS, DFC_CRIT_F_STATIC);
	entry_dst4(nlh, DFC_CRIT_A_ENTRY, "192.0.2.0", 24);
	entry_dst4(nlh, DFC_CRIT_A_EXCL, "192.0.2.2", 32);
	mnl_attr_nest_end(nlh, c);
	ASSERT_EQ(0, dfc_nl_request(self->nl, nlh, NULL, NULL));
	ASSERT_EQ(0, inject(4, "ipv4", 100, "-D 192.0.2.2"));
	ASSERT_EQ(0, inject(3, "ipv4", 100, "-D 192.0.2.3"));
	ASSERT_EQ(0, get_crit(self->nl, 1, 1, &ci));
	EXPECT_EQ(3, ci.packets);
}

/* One port entry or exclusion: a range (max set) or an exact port. */
static void put_dport(struct nlmsghdr *nlh, int type, uint16_t lo, int max)
{
	struct nlattr *e = mnl_attr_nest_start(nlh, type);

	mnl_attr_put_u8(nlh, DFC_ENTRY_A_IPVER, 4);
	mnl_attr_put_u16(nlh, DFC_ENTRY_A_DPORT, lo);
	if (max >= 0)
		mnl_attr_put_u16(nlh, DFC_ENTRY_A_DPORT_MAX, (uint16_t)max);
	mnl_attr_nest_end(nlh, e);
}

/* Port ranges are checked in the entry, edges included, and in exclusions. */
TEST_F(filter, port_ranges)
{
	static const struct { uint16_t port; int n; } frames[] = {
		{ 999, 2 }, { 1000, 3 }, { 1500, 1 }, { 2000, 4 }, { 2001, 5 },
	};
	struct nlmsghdr *nlh = new_msg(self->nl, DFC_CMD_CRIT_NEW, 1);
	struct nlattr *c = crit_begin(nlh, 1);
	struct crit_info ci;
	char opt[32];

	mnl_attr_put_u32(nlh, DFC_CRIT_A_FLAGS, DFC_CRIT_F_STATIC);
	put_dport(nlh, DFC_CRIT_A_ENTRY, 1000, 2000);
	mnl_attr_nest_end(nlh, c);
	c = crit_begin(nlh, 2);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_FLAGS, DFC_CRIT_F_STATIC);
	put_dport(nlh, DFC_CRIT_A_ENTRY, 0, 0xffff);
	put_dport(nlh, DFC_CRIT_A_EXCL, 1000, 1999);
	mnl_attr_nest_end(nlh, c);
	/* Adjacent ranges are disjoint: one criterion may hold both. */
	c = crit_begin(nlh, 3);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_FLAGS, DFC_CRIT_F_STATIC);
	put_dport(nlh, DFC_CRIT_A_ENTRY, 0, 999);
	put_dport(nlh, DFC_CRIT_A_ENTRY, 1000, -1);
	put_dport(nlh, DFC_CRIT_A_ENTRY, 2001, 3000);
	mnl_attr_nest_end(nlh, c);
	ASSERT_EQ(0, dfc_nl_request(self->nl, nlh, NULL, NULL)) TH_LOG("%s", dfc_nl_extack(self->nl));
	for (unsigned int i = 0; i < sizeof(frames) / sizeof(frames[0]); i++) {
		snprintf(opt, sizeof(opt), "-p %u", frames[i].port);
		ASSERT_EQ(0, inject(frames[i].n, "ipv4", 100, opt));
	}
	ASSERT_EQ(0, get_crit(self->nl, 1, 1, &ci));
	EXPECT_EQ(3 + 1 + 4, ci.packets);
	ASSERT_EQ(0, get_crit(self->nl, 1, 2, &ci));
	EXPECT_EQ(2 + 4 + 5, ci.packets);
	ASSERT_EQ(0, get_crit(self->nl, 1, 3, &ci));
	EXPECT_EQ(2 + 3 + 5, ci.packets);
	EXPECT_EQ(3, ci.n_entries);

	/* Overlapping ranges in one criterion would count a frame twice. */
	nlh = new_msg(self->nl, DFC_CMD_CRIT_NEW, 1);
	c = crit_begin(nlh, 4);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_FLAGS, DFC_CRIT_F_STATIC);
	put_dport(nlh, DFC_CRIT_A_ENTRY, 1000, 2000);
	put_dport(nlh, DFC_CRIT_A_ENTRY, 2000, -1);
	mnl_attr_nest_end(nlh, c);
	EXPECT_EQ(-EINVAL, dfc_nl_request(self->nl, nlh, NULL, NULL));
	EXPECT_STREQ("entries of a criterion overlap", dfc_nl_extack(self->nl));
	EXPECT_EQ(3, n_crits(self->nl));
}

/* Every rejection: the right errno, a message, and no change. */
TEST_F(filter, malformed_requests_change_nothing)
{
	struct nlmsghdr *nlh;
	struct nlattr *c, *e, *bad;

	/* No id. */
	nlh = new_msg(self->nl, DFC_CMD_CRIT_NEW, 1);
	c = mnl_attr_nest_start(nlh, DFC_A_CRIT);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_FLAGS, DFC_CRIT_F_STATIC);
	entry_dst4(nlh, DFC_CRIT_A_ENTRY, "192.0.2.0", 24);
	mnl_attr_nest_end(nlh, c);
	EXPECT_EQ(-EINVAL, dfc_nl_request(self->nl, nlh, NULL, NULL));
	EXPECT_EQ(DFC_CRIT_A_ID, dfc_nl_extack_miss_type(self->nl));

	/* No owner. */
	nlh = dfc_nl_msg_new(self->nl, DFC_CMD_CRIT_NEW, 0);
	c = crit_begin(nlh, 1);
	entry_dst4(nlh, DFC_CRIT_A_ENTRY, "192.0.2.0", 24);
	mnl_attr_nest_end(nlh, c);
	EXPECT_EQ(-EINVAL, dfc_nl_request(self->nl, nlh, NULL, NULL));
	EXPECT_EQ(DFC_A_OWNER, dfc_nl_extack_miss_type(self->nl));

	/* Neither timeout nor static. */
	nlh = new_msg(self->nl, DFC_CMD_CRIT_NEW, 1);
	c = crit_begin(nlh, 1);
	entry_dst4(nlh, DFC_CRIT_A_ENTRY, "192.0.2.0", 24);
	mnl_attr_nest_end(nlh, c);
	EXPECT_EQ(-EINVAL, dfc_nl_request(self->nl, nlh, NULL, NULL));
	EXPECT_STREQ("a timeout or limit is required unless static", dfc_nl_extack(self->nl));

	/* Overlapping entries. */
	nlh = new_msg(self->nl, DFC_CMD_CRIT_NEW, 1);
	c = crit_begin(nlh, 1);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_FLAGS, DFC_CRIT_F_STATIC);
	entry_dst4(nlh, DFC_CRIT_A_ENTRY, "192.0.2.0", 24);
	entry_dst4(nlh, DFC_CRIT_A_ENTRY, "192.0.2.128", 25);
	mnl_attr_nest_end(nlh, c);
	EXPECT_EQ(-EINVAL, dfc_nl_request(self->nl, nlh, NULL, NULL));
	EXPECT_STREQ("entries of a criterion overlap", dfc_nl_extack(self->nl));

	/* Host bits under the prefix: the offset names the address. */
	nlh = new_msg(self->nl, DFC_CMD_CRIT_NEW, 1);
	c = crit_begin(nlh, 1);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_FLAGS, DFC_CRIT_F_STATIC);
	e = mnl_attr_nest_start(nlh, DFC_CRIT_A_ENTRY);
	mnl_attr_put_u8(nlh, DFC_ENTRY_A_IPVER, 4);
	bad = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put(nlh, DFC_ENTRY_A_DST, 4, "\xc0\x00\x02\x05");
	mnl_attr_put_u8(nlh, DFC_ENTRY_A_DST_PLEN, 24);
	mnl_attr_nest_end(nlh, e);
	mnl_attr_nest_end(nlh, c);
	EXPECT_EQ(-EINVAL, dfc_nl_request(self->nl, nlh, NULL, NULL));
	EXPECT_EQ((uint32_t)((char *)bad - (char *)nlh), dfc_nl_extack_offset(self->nl));

	/* IPv6-sized address on an IPv4 entry. */
	nlh = new_msg(self->nl, DFC_CMD_CRIT_NEW, 1);
	c = crit_begin(nlh, 1);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_FLAGS, DFC_CRIT_F_STATIC);
	e = mnl_attr_nest_start(nlh, DFC_CRIT_A_ENTRY);
	mnl_attr_put_u8(nlh, DFC_ENTRY_A_IPVER, 4);
	bad = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put(nlh, DFC_ENTRY_A_SRC, 16, "0123456789abcdef");
	mnl_attr_nest_end(nlh, e);
	mnl_attr_nest_end(nlh, c);
	EXPECT_EQ(-EINVAL, dfc_nl_request(self->nl, nlh, NULL, NULL));
	EXPECT_EQ((uint32_t)((char *)bad - (char *)nlh), dfc_nl_extack_offset(self->nl));

	/* Port value outside its mask. */
	nlh = new_msg(self->nl, DFC_CMD_CRIT_NEW, 1);
	c = crit_begin(nlh, 1);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_FLAGS, DFC_CRIT_F_STATIC);
	e = mnl_attr_nest_start(nlh, DFC_CRIT_A_ENTRY);
	bad = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put_u16(nlh, DFC_ENTRY_A_DPORT, 81);
	mnl_attr_put_u16(nlh, DFC_ENTRY_A_DPORT_MASK, 0xfff0);
	mnl_attr_nest_end(nlh, e);
	mnl_attr_nest_end(nlh, c);
	EXPECT_EQ(-EINVAL, dfc_nl_request(self->nl, nlh, NULL, NULL));
	EXPECT_EQ((uint32_t)((char *)bad - (char *)nlh), dfc_nl_extack_offset(self->nl));

	/* A port range ending below its start: the offset names its end. */
	nlh = new_msg(self->nl, DFC_CMD_CRIT_NEW, 1);
	c = crit_begin(nlh, 1);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_FLAGS, DFC_CRIT_F_STATIC);
	e = mnl_attr_nest_start(nlh, DFC_CRIT_A_ENTRY);
	mnl_attr_put_u16(nlh, DFC_ENTRY_A_SPORT, 2000);
	bad = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put_u16(nlh, DFC_ENTRY_A_SPORT_MAX, 1999);
	mnl_attr_nest_end(nlh, e);
	mnl_attr_nest_end(nlh, c);
	EXPECT_EQ(-EINVAL, dfc_nl_request(self->nl, nlh, NULL, NULL));
	EXPECT_STREQ("port range ends below its start", dfc_nl_extack(self->nl));
	EXPECT_EQ((uint32_t)((char *)bad - (char *)nlh), dfc_nl_extack_offset(self->nl));

	/* A range and a mask on one port: the offset names the mask. */
	nlh = new_msg(self->nl, DFC_CMD_CRIT_NEW, 1);
	c = crit_begin(nlh, 1);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_FLAGS, DFC_CRIT_F_STATIC);
	e = mnl_attr_nest_start(nlh, DFC_CRIT_A_ENTRY);
	mnl_attr_put_u16(nlh, DFC_ENTRY_A_DPORT, 1000);
	mnl_attr_put_u16(nlh, DFC_ENTRY_A_DPORT_MAX, 2000);
	bad = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put_u16(nlh, DFC_ENTRY_A_DPORT_MASK, 0xff00);
	mnl_attr_nest_end(nlh, e);
	mnl_attr_nest_end(nlh, c);
	EXPECT_EQ(-EINVAL, dfc_nl_request(self->nl, nlh, NULL, NULL));
	EXPECT_STREQ("a port takes a range or a mask, not both", dfc_nl_extack(self->nl));
	EXPECT_EQ((uint32_t)((char *)bad - (char *)nlh), dfc_nl_extack_offset(self->nl));

	/* Timeout beyond a day; counters are read-only. */
	nlh = new_msg(self->nl, DFC_CMD_CRIT_NEW, 1);
	c = crit_begin(nlh, 1);
	bad = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_TIMEOUT_TOTAL, 86401);
	entry_dst4(nlh, DFC_CRIT_A_ENTRY, "192.0.2.0", 24);
	mnl_attr_nest_end(nlh, c);
	EXPECT_EQ(-ERANGE, dfc_nl_request(self->nl, nlh, NULL, NULL));
	EXPECT_EQ((uint32_t)((char *)bad - (char *)nlh), dfc_nl_extack_offset(self->nl));
	nlh = new_msg(self->nl, DFC_CMD_CRIT_NEW, 1);
	c = crit_begin(nlh, 1);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_FLAGS, DFC_CRIT_F_STATIC);
	bad = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put_u64(nlh, DFC_CRIT_A_PACKETS, 5);
	entry_dst4(nlh, DFC_CRIT_A_ENTRY, "192.0.2.0", 24);
	mnl_attr_nest_end(nlh, c);
	EXPECT_EQ(-EINVAL, dfc_nl_request(self->nl, nlh, NULL, NULL));
	EXPECT_EQ((uint32_t)((char *)bad - (char *)nlh), dfc_nl_extack_offset(self->nl));

	EXPECT_EQ(0, n_crits(self->nl));
}

/* A batch is all or nothing; the offending criterion is named. */
TEST_F(filter, batch_all_or_nothing)
{
	struct nlmsghdr *nlh = new_msg(self->nl, DFC_CMD_CRIT_NEW, 1);
	struct nlattr *c, *third = NULL;

	for (int i = 0; i < 3; i++) {
		if (i == 2)
			third = mnl_nlmsg_get_payload_tail(nlh);
		c = crit_begin(nlh, i == 2 ? 1 : (uint64_t)i + 1);
		mnl_attr_put_u32(nlh, DFC_CRIT_A_FLAGS, DFC_CRIT_F_STATIC);
		entry_dst4(nlh, DFC_CRIT_A_ENTRY, "192.0.2.0", 24);
		mnl_attr_nest_end(nlh, c);
	}
	EXPECT_EQ(-EEXIST, dfc_nl_request(self->nl, nlh, NULL, NULL));
	EXPECT_EQ((uint32_t)((char *)third - (char *)nlh), dfc_nl_extack_offset(self->nl));
	EXPECT_EQ(0, n_crits(self->nl));
}

/*
 * A request of k criteria of e entries each, ids from id, destinations
 * 10.id.k.e (disjoint); with overlap, the last criterion's last entry
 * repeats its first.
 */
static int add_shaped(struct dfc_nl *nl, uint64_t id, int k, int e, bool overlap)
{
	struct nlmsghdr *nlh = new_msg(nl, DFC_CMD_CRIT_NEW, 1);
	char dst[32];

	for (int i = 0; i < k; i++) {
		struct nlattr *c = crit_begin(nlh, id + (uint64_t)i);

		mnl_attr_put_u32(nlh, DFC_CRIT_A_FLAGS, DFC_CRIT_F_STATIC);
		for (int j = 0; j < e; j++) {
			int last = overlap && i == k - 1 && j == e - 1 && e > 1;

			snprintf(dst, sizeof(dst), "10.%d.%d.%d", (int)id, i, last ? 0 : j);
			entry_dst4(nlh, DFC_CRIT_A_ENTRY, dst, 32);
		}
		mnl_attr_nest_end(nlh, c);
	}
	return dfc_nl_request(nl, nlh, NULL, NULL);
}

/*
 * dfc.ko keeps a request's arrays on the stack up to 4 criteria, and a
 * criterion's entries up to 2, and allocates beyond: on each side of
 * both bounds a request adds all it holds, every entry in place (a frame
 * to the last entry of the last criterion counts there), or, with one
 * criterion refused, nothing.
 */
TEST_F(filter, request_shapes_around_the_stack_bounds)
{
	static const int ks[] = { 1, 4, 5 }, es[] = { 1, 2, 3 };
	struct crit_info ci;
	int total = 0, id = 1;
	char dst[48];

	for (unsigned int a = 0; a < ARRAY_SIZE(ks); a++) {
		for (unsigned int b = 0; b < ARRAY_SIZE(es); b++, id += 10) {
			int k = ks[a], e = es[b];

			if (e > 1) {
				EXPECT_EQ(-EINVAL, add_shaped(self->nl, id, k, e, true));
				EXPECT_EQ(total, n_crits(self->nl));
			}
			ASSERT_EQ(0, add_shaped(self->nl, id, k, e, false))
				TH_LOG("%d criteria of %d entries: %s", k, e, dfc_nl_extack(self->nl));
			total += k;
			EXPECT_EQ(total, n_crits(self->nl));
			snprintf(dst, sizeof(dst), "-D 10.%d.%d.%d", id, k - 1, e - 1);
			ASSERT_EQ(0, inject(2, "ipv4", 80, dst));
			ASSERT_EQ(0, get_crit(self->nl, 1, (uint64_t)(id + k - 1), &ci));
			EXPECT_EQ(e, ci.n_entries);
			EXPECT_EQ(2, ci.packets) TH_LOG("%d criteria of %d entries", k, e);
		}
	}
}

TEST_F(filter, limits_enforced)
{
	struct nlmsghdr *nlh = dfc_nl_msg_new(self->nl, DFC_CMD_LIMITS_SET, 0);
	uint32_t count;

	mnl_attr_put_u32(nlh, DFC_STATS_A_MAX_CRITS, 2);
	mnl_attr_put_u32(nlh, DFC_STATS_A_MAX_MASKS, 1);
	ASSERT_EQ(0, dfc_nl_request(self->nl, nlh, NULL, NULL));
	ASSERT_EQ(0, add_crit(self->nl, 1, 1, "192.0.2.0", 24, DFC_CRIT_F_STATIC, 0, 0));
	/* A longer prefix fits the /24 table; a shorter one needs its own. */
	ASSERT_EQ(0, add_crit(self->nl, 1, 4, "192.0.2.0", 25, DFC_CRIT_F_STATIC, 0, 0));
	ASSERT_EQ(0, del(self->nl, 1, 4, -1, 1, &count));
	EXPECT_EQ(1, count);
	EXPECT_EQ(-ENOSPC, add_crit(self->nl, 1, 2, "192.0.0.0", 16, DFC_CRIT_F_STATIC, 0, 0));
	EXPECT_STREQ("mask limit reached", dfc_nl_extack(self->nl));
	ASSERT_EQ(0, add_crit(self->nl, 1, 2, "198.51.100.0", 24, DFC_CRIT_F_STATIC, 0, 0));
	EXPECT_EQ(-ENOSPC, add_crit(self->nl, 1, 3, "203.0.113.0", 24, DFC_CRIT_F_STATIC, 0, 0));
	EXPECT_STREQ("criteria limit reached", dfc_nl_extack(self->nl));
	EXPECT_EQ(2, n_crits(self->nl));
}

/*
 * 100,000 criteria over several messages, then dumped whole (10,000 on the
 * debug kernel: still hundreds of messages each way).
 */
TEST_F_TIMEOUT(filter, hundred_thousand, 240)
{
	const int total = (int)dfc_shrink(100000, 10000);
	int added = 0;

	while (added < total) {
		struct nlmsghdr *nlh = new_msg(self->nl, DFC_CMD_CRIT_NEW, 9);

		/* Fill the message, leaving room for one more criterion. */
		while (added < total && nlh->nlmsg_len + 128 < dfc_nl_msg_room(self->nl)) {
			struct nlattr *c = crit_begin(nlh, (uint64_t)added);
			struct nlattr *e = mnl_attr_nest_start(nlh, DFC_CRIT_A_ENTRY);
			uint32_t a = htonl(0x0a000000u + (uint32_t)added);

			mnl_attr_put_u8(nlh, DFC_ENTRY_A_IPVER, 4);
			mnl_attr_put(nlh, DFC_ENTRY_A_DST, 4, &a);
			mnl_attr_put_u16(nlh, DFC_ENTRY_A_DPORT, 80);
			mnl_attr_nest_end(nlh, e);
			mnl_attr_put_u32(nlh, DFC_CRIT_A_FLAGS, DFC_CRIT_F_STATIC);
			mnl_attr_nest_end(nlh, c);
			added++;
		}
		ASSERT_EQ(0, dfc_nl_request(self->nl, nlh, NULL, NULL)) TH_LOG("%s", dfc_nl_extack(self->nl));
	}
	EXPECT_EQ(total, n_crits(self->nl));
	EXPECT_EQ(total, dump_count(self->nl, 9, 1));
	EXPECT_EQ(total, dump_count(self->nl, -1, 0));
}

/*
 * dfc.ko validates a CRIT_NEW once, with the request, nests included, and
 * only parses its criteria and entries after that: an attribute the
 * policy refuses, however deep, fails the request at that attribute and
 * adds nothing. The last request, correct, is the positive control.
 */
TEST_F(filter, nested_attributes_validated)
{
	enum { CRIT_UNKNOWN, ENTRY_SHORT, ENTRY_UNKNOWN, EXCL_SHORT, ID_SHORT, GOOD };

	for (int k = CRIT_UNKNOWN; k <= GOOD; k++) {
		struct nlmsghdr *nlh = new_msg(self->nl, DFC_CMD_CRIT_NEW, 1);
		struct nlattr *c = mnl_attr_nest_start(nlh, DFC_A_CRIT), *e, *bad = NULL;

		if (k == ID_SHORT) {
			bad = mnl_nlmsg_get_payload_tail(nlh);
			mnl_attr_put_u32(nlh, DFC_CRIT_A_ID, 5);
		} else {
			mnl_attr_put_u64(nlh, DFC_CRIT_A_ID, 5);
		}
		mnl_attr_put_u32(nlh, DFC_CRIT_A_FLAGS, DFC_CRIT_F_STATIC);
		if (k == CRIT_UNKNOWN) {
			bad = mnl_nlmsg_get_payload_tail(nlh);
			mnl_attr_put_u32(nlh, DFC_CRIT_A_MAX + 1, 1);
		}
		e = mnl_attr_nest_start(nlh, DFC_CRIT_A_ENTRY);
		mnl_attr_put_u8(nlh, DFC_ENTRY_A_IPVER, 4);
		mnl_attr_put(nlh, DFC_ENTRY_A_DST, 4, "\xc0\x00\x02\x00");
		if (k == ENTRY_SHORT)
			bad = mnl_nlmsg_get_payload_tail(nlh);
		/* A u8 sent as a u32 does not fit the policy's exact length. */
		if (k == ENTRY_SHORT)
			mnl_attr_put_u32(nlh, DFC_ENTRY_A_DST_PLEN, 24);
		else
			mnl_attr_put_u8(nlh, DFC_ENTRY_A_DST_PLEN, 24);
		if (k == ENTRY_UNKNOWN) {
			bad = mnl_nlmsg_get_payload_tail(nlh);
			mnl_attr_put_u8(nlh, DFC_ENTRY_A_MAX + 1, 1);
		}
		mnl_attr_nest_end(nlh, e);
		e = mnl_attr_nest_start(nlh, DFC_CRIT_A_EXCL);
		mnl_attr_put_u8(nlh, DFC_ENTRY_A_IPVER, 4);
		mnl_attr_put(nlh, DFC_ENTRY_A_DST, 4, "\xc0\x00\x02\x07");
		if (k == EXCL_SHORT) {
			bad = mnl_nlmsg_get_payload_tail(nlh);
			mnl_attr_put_u16(nlh, DFC_ENTRY_A_DST_PLEN, 32);
		} else {
			mnl_attr_put_u8(nlh, DFC_ENTRY_A_DST_PLEN, 32);
		}
		mnl_attr_nest_end(nlh, e);
		mnl_attr_nest_end(nlh, c);
		if (k == GOOD) {
			EXPECT_EQ(0, dfc_nl_request(self->nl, nlh, NULL, NULL));
			EXPECT_EQ(1, n_crits(self->nl));
			continue;
		}
		EXPECT_EQ(-EINVAL, dfc_nl_request(self->nl, nlh, NULL, NULL)) TH_LOG("case %d", k);
		EXPECT_EQ((uint32_t)((char *)bad - (char *)nlh), dfc_nl_extack_offset(self->nl))
			TH_LOG("case %d", k);
		EXPECT_EQ(0, n_crits(self->nl)) TH_LOG("case %d", k);
	}
}

/* Each command takes only its own attributes. */
TEST_F(filter, foreign_attributes_refused)
{
	struct nlmsghdr *nlh;
	struct nlattr *bad;

	ASSERT_EQ(0, add_crit(self->nl, 1, 1, "192.0.2.2", 32, DFC_CRIT_F_STATIC, 0, 0));
	/* DEL with a criterion nest, GET with max-dup, STATS with an owner. */
	nlh = new_msg(self->nl, DFC_CMD_CRIT_DEL, 1);
	mnl_attr_put_u64(nlh, DFC_A_ID, 1);
	mnl_attr_put_u32(nlh, DFC_A_FLAGS, DFC_CRIT_F_STATIC);
	bad = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put_u32(nlh, DFC_A_MAX_DUP, 3);
	EXPECT_EQ(-EINVAL, dfc_nl_request(self->nl, nlh, NULL, NULL));
	EXPECT_EQ((uint32_t)((char *)bad - (char *)nlh), dfc_nl_extack_offset(self->nl));
	EXPECT_EQ(1, n_crits(self->nl));

	nlh = new_msg(self->nl, DFC_CMD_CRIT_GET, 1);
	mnl_attr_put_u64(nlh, DFC_A_ID, 1);
	bad = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put_u32(nlh, DFC_A_CDEST, 1);
	EXPECT_EQ(-EINVAL, dfc_nl_request(self->nl, nlh, NULL, NULL));
	EXPECT_EQ((uint32_t)((char *)bad - (char *)nlh), dfc_nl_extack_offset(self->nl));

	nlh = dfc_nl_msg_new(self->nl, DFC_CMD_STATS_GET, 0);
	bad = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put_u32(nlh, DFC_STATS_A_MAX_CRITS, 5);
	EXPECT_EQ(-EINVAL, dfc_nl_request(self->nl, nlh, NULL, NULL));
	EXPECT_EQ((uint32_t)((char *)bad - (char *)nlh), dfc_nl_extack_offset(self->nl));

	/* max-criteria has an upper bound. */
	nlh = dfc_nl_msg_new(self->nl, DFC_CMD_LIMITS_SET, 0);
	mnl_attr_put_u32(nlh, DFC_STATS_A_MAX_CRITS, DFC_NS_MAX_CRITS + 1);
	EXPECT_GT(0, dfc_nl_request(self->nl, nlh, NULL, NULL));
	nlh = dfc_nl_msg_new(self->nl, DFC_CMD_LIMITS_SET, 0);
	mnl_attr_put_u32(nlh, DFC_STATS_A_MAX_CRITS, DFC_NS_MAX_CRITS);
	EXPECT_EQ(0, dfc_nl_request(self->nl, nlh, NULL, NULL));
}

/*
 * A batch the kernel rejects never counted a frame: the mask limit makes
 * its last criterion fail after thousands of matching ones were checked,
 * while frames matching all of them arrive.
 */
TEST_F_TIMEOUT(filter, rejected_batch_never_counts, 120)
{
	const char *top = getenv("DFC_TOP");
	struct nlmsghdr *nlh;
	char cmd[512];
	pid_t pid;
	int status, round, n;

	nlh = dfc_nl_msg_new(self->nl, DFC_CMD_LIMITS_SET, 0);
	mnl_attr_put_u32(nlh, DFC_STATS_A_MAX_MASKS, 1);
	ASSERT_EQ(0, dfc_nl_request(self->nl, nlh, NULL, NULL));
	/* Traffic to 192.0.2.2 for the whole test (killed at its end), however slow the kernel. */
	snprintf(cmd, sizeof(cmd), "exec %s/build/selftests/inject -i gen0 -n 0 -t 900 -l 100 -D 192.0.2.2 >/dev/null",
		 top ? top : ".");
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	usleep(300 * 1000);
	for (round = 0; round < dfc_shrink(10, 3); round++) {
		nlh = new_msg(self->nl, DFC_CMD_CRIT_NEW, 1);
		/* Matching criteria, each /32 (one mask), then a /24: a second mask. */
		for (n = 0; nlh->nlmsg_len + 256 < dfc_nl_msg_room(self->nl); n++)
			put_static(nlh, (uint64_t)n + 1, "192.0.2.2", 32);
		put_static(nlh, 0, "198.51.100.0", 24);
		ASSERT_EQ(-ENOSPC, dfc_nl_request(self->nl, nlh, NULL, NULL));
		EXPECT_STREQ("mask limit reached", dfc_nl_extack(self->nl));
	}
	EXPECT_EQ(0, n_crits(self->nl));
	EXPECT_EQ(0, n_matched(self->nl)) TH_LOG("a rejected batch counted frames");
	/* Positive control: the same criteria, accepted, do count. */
	ASSERT_EQ(0, add_crit(self->nl, 1, 1, "192.0.2.2", 32, DFC_CRIT_F_STATIC, 0, 0));
	usleep(500 * 1000);
	EXPECT_LT(0, n_matched(self->nl));
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
}

struct dump_tally {
	unsigned int n;
	unsigned int *seen;	/* per id */
	int intr;
};

static int tally_msg(const struct nlmsghdr *nlh, struct dump_tally *t)
{
	struct crit_info ci;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		t->intr = 1;
	if (nlh->nlmsg_type == NLMSG_DONE)
		return 1;
	if (nlh->nlmsg_type == NLMSG_ERROR)
		return -1;
	crit_msg_cb(nlh, &ci);
	if (ci.id < t->n)
		t->seen[ci.id]++;
	return 0;
}

/* Read one datagram of a dump into t: 1 at DONE, -1 on error. */
static int dump_recv(struct mnl_socket *s, struct dump_tally *t, int flags)
{
	static char buf[65536];
	ssize_t len = recv(mnl_socket_get_fd(s), buf, sizeof(buf), flags);
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int r = 0, l = (int)len;
	unsigned int last = UINT32_MAX;

	if (len <= 0)
		return -1;
	for (; mnl_nlmsg_ok(nlh, l) && !r; nlh = mnl_nlmsg_next(nlh, &l)) {
		struct crit_info ci;

		if (flags & MSG_PEEK) {
			if (nlh->nlmsg_type == NLMSG_DONE)
				return -2;
			crit_msg_cb(nlh, &ci);
			last = (unsigned int)ci.id;
			continue;
		}
		r = tally_msg(nlh, t);
	}
	return flags & MSG_PEEK ? (int)last : r;
}

/*
 * A criterion deleted and added again with the same id between two parts
 * of a dump: the rest is not jumped past, and the repeat is flagged.
 * The receive buffer is tiny, so the kernel keeps one part queued ahead:
 * the part after the one read is peeked to learn where the dump resumes.
 */
TEST_F_TIMEOUT(filter, dump_resume_after_readd, 120)
{
	const unsigned int total = 3000;
	struct mnl_socket *s = mnl_socket_open(NETLINK_GENERIC);
	unsigned int seen[3000] = { 0 }, i, twice = 0;
	struct dump_tally t = { .n = total, .seen = seen };
	struct nlmsghdr *nlh;
	int one = 1, r, resume;
	char req[256];

	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID));
	ASSERT_EQ(0, setsockopt(mnl_socket_get_fd(s), SOL_SOCKET, SO_RCVBUF, &one, sizeof(one)));
	ASSERT_EQ(0, add_many(self->nl, 1, 0, (int)total));
	nlh = dfc_nl_msg_new(self->nl, DFC_CMD_CRIT_GET, NLM_F_DUMP);
	mnl_attr_put(nlh, DFC_A_TERSE, 0, NULL);
	nlh->nlmsg_seq = 77;
	memcpy(req, nlh, nlh->nlmsg_len);
	ASSERT_LT(0, mnl_socket_sendto(s, req, ((struct nlmsghdr *)req)->nlmsg_len));
	ASSERT_EQ(0, dump_recv(s, &t, 0));
	resume = dump_recv(s, &t, MSG_PEEK);
	ASSERT_LE(0, resume);
	ASSERT_GT((int)total - 100, resume) TH_LOG("the dump should be far from its end");
	ASSERT_EQ(0, readd(self->nl, 1, (uint64_t)resume));
	do {
		r = dump_recv(s, &t, 0);
	} while (!r);
	ASSERT_EQ(1, r);
	for (i = 0; i < total; i++) {
		EXPECT_LE(1, seen[i]) TH_LOG("id %u never sent (resumed at %d)", i, resume);
		if (seen[i] > 1) {
			twice++;
			EXPECT_EQ((unsigned int)resume, i) TH_LOG("id %u sent %u times", i, seen[i]);
		}
	}
	/* The id sent twice (old and new) is flagged, so userspace retakes it. */
	if (twice)
		EXPECT_EQ(1, t.intr);
	mnl_socket_close(s);
}

struct snap {
	unsigned int n;
	unsigned int *seen;
	int restarts;
};

static int snap_cb(const struct dfc_nl_crit *c, void *data)
{
	struct snap *sn = data;

	if (c->id < sn->n)
		sn->seen[c->id]++;
	return 0;
}

static int snap_restart(void *data)
{
	struct snap *sn = data;

	memset(sn->seen, 0, sn->n * sizeof(*sn->seen));
	sn->restarts++;
	return 0;
}

/*
 * Dumps taken while another process deletes and adds again odd ids: every
 * dump that completes (not flagged) lists every even id, which stay, once,
 * and no id twice.
 */
TEST_F_TIMEOUT(filter, dump_consistent_under_readd, 180)
{
	const unsigned int total = 4000;
	unsigned int *seen = calloc(total, sizeof(*seen));
	struct snap sn = { .n = total, .seen = seen };
	uint32_t owner = 1;
	int ok_dumps = 0, status, k;
	struct timespec t0, t1;
	long dump_us, quiet_us;
	pid_t pid;

	ASSERT_NE(NULL, seen);
	ASSERT_EQ(0, add_many(self->nl, 1, 0, (int)total));
	/*
	 * An undisturbed dump first, which also shows every id once; the
	 * writer's quiet spells are three of its length (at least 150 ms), so
	 * that dumps can complete between bursts on a slow (debug) kernel too.
	 */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ASSERT_EQ(0, dfc_nl_crit_dump(self->nl, &owner, true, snap_cb, snap_restart, &sn));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	for (unsigned int i = 0; i < total; i++) {
		ASSERT_EQ(1, seen[i]) TH_LOG("undisturbed dump: id %u seen %u times", i, seen[i]);
	}
	dump_us = (t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000;
	quiet_us = dump_us < 50 * 1000 ? 150 * 1000 : 3 * dump_us;
	TH_LOG("undisturbed dump %ld us: quiet spells of %ld us", dump_us, quiet_us);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct dfc_nl *nl = dfc_nl_open();
		unsigned int x = 12345;

		if (!nl)
			_exit(1);
		/* Bursts with quiet spells, so that some dumps can complete. */
		for (;;) {
			for (int b = 0; b < 10; b++) {
				x = x * 1103515245 + 12345;
				if (readd(nl, 1, ((x >> 8) % (total / 2)) * 2 + 1))
					_exit(2);
			}
			usleep(quiet_us);
		}
	}
	for (k = 0; k < 16; k++) {
		int err;

		memset(seen, 0, total * sizeof(*seen));
		err = dfc_nl_crit_dump(self->nl, &owner, true, snap_cb, snap_restart, &sn);
		if (err == -EAGAIN)
			continue;
		ASSERT_EQ(0, err);
		ok_dumps++;
		for (unsigned int i = 0; i < total; i++) {
			if (i % 2 == 0) {
				EXPECT_EQ(1, seen[i]) TH_LOG("dump %d: stable id %u seen %u times",
							     k, i, seen[i]);
			} else {
				EXPECT_GE(1, seen[i]) TH_LOG("dump %d: id %u seen %u times", k, i, seen[i]);
			}
		}
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	TH_LOG("%d dumps complete, %d restarts", ok_dumps, sn.restarts);
	EXPECT_LT(0, ok_dumps);
	free(seen);
}

DFC_HARNESS_MAIN
