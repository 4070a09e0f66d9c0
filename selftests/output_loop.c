// SPDX-License-Identifier: GPL-2.0
/*
 * Copies never loop back into capture, in the guest (topology in
 * output_lib.h): a destination routed out of a monitored port gets no
 * copy; copies carry the namespace's copy mark, by which a monitored port
 * knows its own copies come back through a veth pair, a bridge or an ipip
 * tunnel of the same namespace. (Apart from output_ops.c so that each
 * program stays well within the guest runner's per-program timeout.)
 */
#include "output_lib.h"

/*
 * The loop guard: a destination routed out of a monitored port gets no
 * copy and counts loop, and nothing leaves by that port. Control: once
 * the port is no longer monitored, the same copies leave by it.
 */
OUT_TEST(loop_guard)
{
	struct cstats s;
	int fd;

	ASSERT_EQ(0, sh("ip link add m1 type veth peer name p1 netns %1$s && "
			"ip link set m1 up && ip -n %1$s link set p1 up && "
			"ip addr add 203.0.113.1/24 dev m1 && "
			"ip neigh replace 203.0.113.2 lladdr 02:00:00:00:00:42 dev m1 nud permanent",
			gen_ns));
	fd = in_ns(gen_ns, open_dev, "p1");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, dfc_nl_iface_add(self->nl, 0, "m1", 0));
	ASSERT_EQ(0, add_cdest(self->nl, 1, "203.0.113.2", DFC_ENCAP_IPIP, 0, 0));
	ASSERT_EQ(0, add_crit(self->nl, 1, 1, 1, 1, 4));
	ASSERT_EQ(0, inject(4, "-k ipv4 -l 100"));
	EXPECT_EQ(0, wire_count(fd, IPPROTO_IPIP, 1500));
	ASSERT_EQ(0, cdest_stats(self->nl, 1, &s));
	EXPECT_EQ(0, s.v[DFC_CSTATS_A_COPIES]);
	EXPECT_EQ(4, s.v[DFC_CSTATS_A_LOOP]);

	ASSERT_EQ(0, dfc_nl_iface_del(self->nl, 0, "m1"));
	ASSERT_EQ(0, inject(4, "-k ipv4 -l 100"));
	EXPECT_EQ(4, wire_count(fd, IPPROTO_IPIP, 3000));
	ASSERT_EQ(0, cdest_stats(self->nl, 1, &s));
	EXPECT_EQ(4, s.v[DFC_CSTATS_A_COPIES]);
	EXPECT_EQ(4, s.v[DFC_CSTATS_A_LOOP]);
	close(fd);
}

/* lv1's and the namespace's looped counters, and the copies sent to destination 1. */
struct loop_counts {
	uint64_t lv1_looped, lv1_seen, m0_looped, ns_looped, copies, drops;
};

static int loop_counts(struct dfc_nl *nl, struct loop_counts *c)
{
	struct dfc_iface_info lv1, m0;
	struct dfc_stats st;
	struct cstats s;

	if (dfc_nl_iface_get(nl, 0, "lv1", &lv1) || dfc_nl_iface_get(nl, 0, "m0", &m0) ||
	    dfc_nl_stats_get(nl, &st) || cdest_stats(nl, 1, &s))
		return -1;
	*c = (struct loop_counts){ lv1.stats.looped, lv1.stats.seen, m0.stats.looped,
				   st.looped, s.v[DFC_CSTATS_A_COPIES], drops(&s) };
	return 0;
}

/*
 * A loop the dst->dev check cannot see: setup routes the copies to addr out
 * of a device that is not monitored and brings them back, in this same
 * namespace, into lv1, which is (a veth peer, a bridge port's peer, under a
 * tunnel). The criterion takes the injected frames and, on lv1, the copies'
 * outer header (to 203.0.113.2; not the bridge's own IGMP and the like).
 * With the copy mark (the default), each injected frame is copied
 * once and its copy comes back marked: looped on lv1 and in the namespace,
 * not copied. Control: with mark 0 the copies are copied again, as often
 * as the criterion's packet limit (the loop's bound) lets it match.
 */
static void loop_through(struct __test_metadata *_metadata, struct dfc_nl *nl,
			 const char *setup, const char *addr)
{
	const int n = 4, limit = 50;
	struct dfc_nl_entry e[2] = {
		{ .ipver = 4, .src_plen = 32, .src = { 192, 0, 2, 1 },
		  .dst_plen = 32, .dst = { 192, 0, 2, 2 } },
		{ .ipver = 4, .dst_plen = 32, .dst = { 203, 0, 113, 2 } },
	};
	struct loop_counts a, b;
	struct dfc_stats st;
	long t0;

	ASSERT_EQ(0, sh("ip link add lv0 type veth peer name lv1 && ip link set lv1 up && "
			"ip link set lv0 up && %s", setup));
	ASSERT_EQ(0, dfc_nl_iface_add(nl, 0, "lv1", 0));
	ASSERT_EQ(0, add_cdest(nl, 1, addr, DFC_ENCAP_IPIP, 0, 0));
	ASSERT_EQ(0, add_crit_limited(nl, 1, 1, 1, limit, e, 2));
	ASSERT_EQ(0, dfc_nl_stats_get(nl, &st));
	ASSERT_EQ(DFC_DEFAULT_COPY_MARK, st.copy_mark);

	ASSERT_EQ(0, inject(n, "-k ipv4 -l 100"));
	t0 = now_ms();
	do {
		usleep(200000);
		ASSERT_EQ(0, loop_counts(nl, &a));
	} while (a.lv1_looped < (uint64_t)n && now_ms() - t0 < 10000);
	usleep(1000000);	/* anything more would be a loop */
	ASSERT_EQ(0, loop_counts(nl, &a));
	TH_LOG("mark %#x: %llu copies, %llu drops; looped %llu on lv1, %llu in the namespace",
	       DFC_DEFAULT_COPY_MARK, (unsigned long long)a.copies, (unsigned long long)a.drops,
	       (unsigned long long)a.lv1_looped, (unsigned long long)a.ns_looped);
	EXPECT_EQ(n, a.copies);
	EXPECT_EQ(0, a.drops);
	EXPECT_EQ(n, a.lv1_looped);
	EXPECT_EQ(0, a.m0_looped);
	EXPECT_EQ(n, a.ns_looped);
	EXPECT_EQ(n, crit_packets(nl, 1, 1));
	ASSERT_EQ(0, dfc_nl_crit_del(nl, 1, NULL, NULL, false, NULL));

	/* The control: no mark, the copies come back and are copied again. */
	ASSERT_EQ(0, dfc_nl_copy_mark_set(nl, 0));
	ASSERT_EQ(0, add_crit_limited(nl, 1, 2, 1, limit, e, 2));
	ASSERT_EQ(0, inject(n, "-k ipv4 -l 100"));
	t0 = now_ms();
	while (crit_exists(nl, 1, 2) && now_ms() - t0 < 30000)
		usleep(200000);
	usleep(1000000);	/* the last copies come back, matching nothing */
	/* Stop the loop whatever happened. */
	dfc_nl_crit_del(nl, 1, NULL, NULL, false, NULL);
	ASSERT_EQ(0, loop_counts(nl, &b));
	TH_LOG("mark 0: %llu copies, %llu drops for %d frames; lv1 saw %llu, looped %llu",
	       (unsigned long long)(b.copies - a.copies), (unsigned long long)(b.drops - a.drops),
	       n, (unsigned long long)(b.lv1_seen - a.lv1_seen),
	       (unsigned long long)(b.lv1_looped - a.lv1_looped));
	EXPECT_FALSE(crit_exists(nl, 1, 2));
	EXPECT_LT(n, b.copies - a.copies);
	EXPECT_EQ(limit, (b.copies - a.copies) + (b.drops - a.drops));
	EXPECT_LE(limit, b.lv1_seen - a.lv1_seen);	/* every copy came back */
	EXPECT_EQ(a.lv1_looped, b.lv1_looped);
	EXPECT_EQ(a.ns_looped, b.ns_looped);
}

/* Out of one end of a veth pair, in at the other, monitored. */
OUT_TEST(loop_mark_veth)
{
	loop_through(_metadata, self->nl,
		     "ip addr add 203.0.113.1/24 dev lv0 && "
		     "ip neigh replace 203.0.113.2 lladdr 02:00:00:00:00:42 dev lv0 nud permanent",
		     "203.0.113.2");
}

/* Out of a bridge, flooded to its port lv0, in at lv1. */
OUT_TEST(loop_mark_bridge)
{
	loop_through(_metadata, self->nl,
		     "ip link add br9 type bridge && ip link set br9 up && "
		     "ip link set lv0 master br9 && ip addr add 203.0.113.1/24 dev br9 && "
		     "ip neigh replace 203.0.113.2 lladdr 02:00:00:00:00:42 dev br9 nud permanent",
		     "203.0.113.2");
}

/* Into an ipip tunnel device, whose outer packets leave by lv0, in at lv1. */
OUT_TEST(loop_mark_ipip)
{
	loop_through(_metadata, self->nl,
		     "ip addr add 203.0.113.1/24 dev lv0 && "
		     "ip neigh replace 203.0.113.2 lladdr 02:00:00:00:00:42 dev lv0 nud permanent && "
		     "ip link add tn9 type ipip local 203.0.113.1 remote 203.0.113.2 && "
		     "ip link set tn9 up && ip route add 10.99.0.2/32 dev tn9",
		     "10.99.0.2");
}

DFC_HARNESS_MAIN
