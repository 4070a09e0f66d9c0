// SPDX-License-Identifier: GPL-2.0
/*
 * Copies to content destinations, in the guest, on real topologies:
 *
 *   gen: p0 --veth-- m0 :mon (the test process; dfc on m0)
 *                    c0 --veth-- d0 :dst (content destination)
 *
 * mon reaches dst over 198.51.100.0/24 and 2001:db8:c::/64. In dst, tunnel
 * devices (ipip, sit, ip6tnl) and UDP sockets decapsulate the copies,
 * which must equal the injected packets byte for byte.
 */
#include "output_lib.h"

/* One copy case: criterion on inner ipver to a destination, compare. */
static void one_case(struct __test_metadata *_metadata, struct dfc_nl *nl,
		     const char *dst, uint8_t encap, const char *dev, uint16_t port,
		     uint8_t inner, const char *args)
{
	uint8_t want[4096];
	ssize_t wlen;
	int fd, bad, n;
	struct cstats s;

	fd = dev ? in_dst(open_dev, dev) : in_dst(open_udp, &port);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, add_cdest(nl, 1, dst, encap, port, 0));
	ASSERT_EQ(0, add_crit(nl, 1, 1, 1, 1, inner));
	ASSERT_EQ(0, inject(5, args));
	wlen = expected(want, sizeof(want));
	ASSERT_LT(20, wlen);
	n = collect(fd, want, wlen, 3000, &bad);
	EXPECT_EQ(5, n);
	EXPECT_EQ(0, bad);
	ASSERT_EQ(0, cdest_stats(nl, 1, &s));
	EXPECT_EQ(5, s.v[DFC_CSTATS_A_COPIES]);
	close(fd);
}

OUT_TEST(ipip_v4_in_v4)
{
	one_case(_metadata, self->nl, DST_V4, DFC_ENCAP_IPIP, "ipip0", 0, 4,
		 "-k ipv4 -l 200 -v 100");
}

OUT_TEST(ipip_v6_in_v4)
{
	one_case(_metadata, self->nl, DST_V4, DFC_ENCAP_IPIP, "sit0x", 0, 6,
		 "-k ipv6 -l 300 -m 16,17");
}

OUT_TEST(ipip_v4_in_v6)
{
	one_case(_metadata, self->nl, DST_V6, DFC_ENCAP_IPIP, "t6", 0, 4,
		 "-k ipv4 -l 120");
}

OUT_TEST(ipip_v6_in_v6)
{
	one_case(_metadata, self->nl, DST_V6, DFC_ENCAP_IPIP, "t6", 0, 6,
		 "-k ipv6 -l 150 -x hbh,frag -F first");
}

OUT_TEST(udp_v4)
{
	one_case(_metadata, self->nl, DST_V4, DFC_ENCAP_UDP, NULL, 30030, 4,
		 "-k ipv4 -l 400 -P tcp");
}

OUT_TEST(udp_v6)
{
	one_case(_metadata, self->nl, DST_V6, DFC_ENCAP_UDP, NULL, 30030, 6,
		 "-k ipv6 -l 90");
}

/* Bigger than the path MTU: fragmented outside, whole inside. */
OUT_TEST(fragmented_when_too_big)
{
	one_case(_metadata, self->nl, DST_V4, DFC_ENCAP_IPIP, "ipip0", 0, 4,
		 "-k ipv4 -l 1500");
}

OUT_TEST(fragmented_when_too_big_v6_outer)
{
	one_case(_metadata, self->nl, DST_V6, DFC_ENCAP_IPIP, "t6", 0, 4,
		 "-k ipv4 -l 1500");
}

/*
 * ipsec-required and no SA: nothing leaves, every copy counted dropped, and
 * listeners hear of it once. Control: the same destination without the
 * flag puts the same copies on the wire, in clear.
 */
OUT_TEST(ipsec_required_fails_closed)
{
	struct mnl_socket *ev = events_open(self->nl);
	int wire = in_dst(open_wire, NULL);
	struct nlmsghdr *nlh;
	struct cstats s;
	struct event e;

	ASSERT_NE(NULL, ev);
	ASSERT_LE(0, wire);
	ASSERT_EQ(0, add_cdest(self->nl, 1, DST_V4, DFC_ENCAP_IPIP, 0,
			       DFC_CDEST_F_IPSEC_REQUIRED));
	ASSERT_EQ(0, add_crit(self->nl, 1, 1, 1, 1, 4));
	ASSERT_EQ(0, inject(7, "-k ipv4 -l 100"));
	EXPECT_EQ(0, wire_count(wire, IPPROTO_IPIP, 1500));
	ASSERT_EQ(0, cdest_stats(self->nl, 1, &s));
	EXPECT_EQ(0, s.v[DFC_CSTATS_A_COPIES]);
	EXPECT_EQ(7, s.v[DFC_CSTATS_A_NOIPSEC]);
	EXPECT_EQ(0, event_wait(ev, DFC_CMD_CDEST_NOIPSEC, 5000, &e));

	nlh = dfc_nl_msg_new(self->nl, DFC_CMD_CDEST_SET, 0);
	mnl_attr_put_u32(nlh, DFC_CDEST_A_ID, 1);
	mnl_attr_put_u32(nlh, DFC_CDEST_A_FLAGS, 0);
	ASSERT_EQ(0, dfc_nl_request(self->nl, nlh, NULL, NULL));
	ASSERT_EQ(0, inject(7, "-k ipv4 -l 100"));
	EXPECT_EQ(7, wire_count(wire, IPPROTO_IPIP, 3000));
	ASSERT_EQ(0, cdest_stats(self->nl, 1, &s));
	EXPECT_EQ(7, s.v[DFC_CSTATS_A_COPIES]);
	close(wire);
	mnl_socket_close(ev);
}

#define SPI_OUT "0x100"
#define KEY "0x0102030405060708090a0b0c0d0e0f1011121314"

/* With an ESP SA only ESP is on the wire, and it decrypts to the copy;
 * deleting the SA mid-stream switches to dropping at once.
 */
OUT_TEST(esp_protected_then_sa_deleted)
{
	int wire = in_dst(open_wire, NULL), fd = in_dst(open_dev, "ipip0");
	int seen[256];
	uint8_t want[4096];
	struct cstats s;
	int bad, n;
	ssize_t wlen;

	ASSERT_LE(0, wire);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, sh(
		"for ns in '' 'ip netns exec %1$s'; do $ns ip xfrm state add src " MON_V4
		" dst " DST_V4 " proto esp spi " SPI_OUT " mode transport "
		"aead 'rfc4106(gcm(aes))' " KEY " 128 || exit 1; done && "
		"ip xfrm policy add src " MON_V4 "/32 dst " DST_V4 "/32 proto ipencap dir out "
		"tmpl src " MON_V4 " dst " DST_V4 " proto esp mode transport && "
		"ip netns exec %1$s ip xfrm policy add src " MON_V4 "/32 dst " DST_V4
		"/32 proto ipencap dir in tmpl src " MON_V4 " dst " DST_V4
		" proto esp mode transport", dst_ns));
	ASSERT_EQ(0, add_cdest(self->nl, 1, DST_V4, DFC_ENCAP_IPIP, 0,
			       DFC_CDEST_F_IPSEC_REQUIRED));
	ASSERT_EQ(0, add_crit(self->nl, 1, 1, 1, 1, 4));
	ASSERT_EQ(0, inject(6, "-k ipv4 -l 200"));
	wlen = expected(want, sizeof(want));
	n = collect(fd, want, wlen, 3000, &bad);
	EXPECT_EQ(6, n);
	EXPECT_EQ(0, bad);
	/* What was on the wire: ESP, one per copy, and no IPIP in clear. */
	wire_counts(wire, 300, seen);
	EXPECT_EQ(6, seen[IPPROTO_ESP]);
	EXPECT_EQ(0, seen[IPPROTO_IPIP]);

	ASSERT_EQ(0, sh("ip xfrm state flush"));
	ASSERT_EQ(0, inject(4, "-k ipv4 -l 200"));
	EXPECT_EQ(0, collect(fd, want, wlen, 1500, &bad));
	EXPECT_EQ(0, wire_count(wire, IPPROTO_IPIP, 300));
	ASSERT_EQ(0, cdest_stats(self->nl, 1, &s));
	EXPECT_EQ(6, s.v[DFC_CSTATS_A_COPIES]);
	EXPECT_EQ(4, s.v[DFC_CSTATS_A_NOIPSEC] + s.v[DFC_CSTATS_A_NOROUTE]);
	close(fd);
	close(wire);
}

/*
 * Five criteria of five owners toward five destinations, max-duplicates
 * 3: the three best (priority, then age) get copies, the others count
 * dropped duplicates and their owners hear of it.
 */
OUT_TEST(max_duplicates)
{
	static const uint32_t prio[6] = { 0, 2, 1, 2, 3, 1 };
	uint64_t dropped[6] = { 0 };
	struct mnl_socket *ev = events_open(self->nl);
	struct cstats s;
	struct event e;
	char addr[32];
	uint32_t i, seen = 0;

	ASSERT_NE(NULL, ev);
	ASSERT_EQ(0, limits_set(self->nl, 3, 1));
	for (i = 1; i <= 5; i++) {
		snprintf(addr, sizeof(addr), "198.51.100.%u", 10 + i);
		ASSERT_EQ(0, sh("ip -n %s addr add %s/32 dev d0", dst_ns, addr));
		ASSERT_EQ(0, add_cdest(self->nl, i, addr, DFC_ENCAP_IPIP, 0, 0));
		ASSERT_EQ(0, add_crit(self->nl, i, i, i, prio[i], 4));
	}
	ASSERT_EQ(0, inject(4, "-k ipv4 -l 100"));
	/* Winners: 2 and 5 (priority 1), then 1 (priority 2, older than 3). */
	for (i = 1; i <= 5; i++) {
		int wins = i == 1 || i == 2 || i == 5;

		ASSERT_EQ(0, cdest_stats(self->nl, i, &s));
		EXPECT_EQ(wins ? 4 : 0, s.v[DFC_CSTATS_A_COPIES]) TH_LOG("cdest %u", i);
		EXPECT_EQ(wins ? 0 : 4, s.v[DFC_CSTATS_A_DUPCAP]) TH_LOG("cdest %u", i);
	}
	/*
	 * Notices to the losing owners only, each naming its criterion; a
	 * notice counts one period's drops, and the four frames may straddle
	 * a period's end on a slow kernel: per owner they add up to 4.
	 */
	while (seen != ((1u << 3) | (1u << 4))) {
		ASSERT_EQ(0, event_wait(ev, DFC_CMD_DUP_DROPPED, 5000, &e));
		ASSERT_TRUE(e.owner == 3 || e.owner == 4) TH_LOG("owner %u", e.owner);
		EXPECT_EQ(1, e.n_ids);
		EXPECT_EQ(e.owner, e.ids[0]);
		dropped[e.owner] += e.dup[0];
		ASSERT_GE(4, dropped[e.owner]) TH_LOG("owner %u", e.owner);
		if (dropped[e.owner] == 4)
			seen |= 1u << e.owner;
	}
	mnl_socket_close(ev);
}

/*
 * Bandwidth: a burst above the soft limit raises congestion once; above
 * the hard limit the worst criterion (priority, then newest) goes first,
 * and only that one; once the 10 s average falls below soft-limit-clear,
 * congestion is cleared.
 */
OUT_TEST(soft_and_hard_limits)
{
	struct mnl_socket *ev = events_open(self->nl);
	struct nlmsghdr *nlh;
	struct event e;

	ASSERT_NE(NULL, ev);
	ASSERT_EQ(0, add_cdest(self->nl, 1, DST_V4, DFC_ENCAP_IPIP, 0, 0));
	nlh = dfc_nl_msg_new(self->nl, DFC_CMD_CDEST_SET, 0);
	mnl_attr_put_u32(nlh, DFC_CDEST_A_ID, 1);
	mnl_attr_put_u64(nlh, DFC_CDEST_A_SOFT_LIMIT, 8000);
	mnl_attr_put_u64(nlh, DFC_CDEST_A_SOFT_CLEAR, 4000);
	mnl_attr_put_u64(nlh, DFC_CDEST_A_HARD_LIMIT, 16000);
	mnl_attr_put_u64(nlh, DFC_CDEST_A_HARD_TARGET, 12000);
	ASSERT_EQ(0, dfc_nl_request(self->nl, nlh, NULL, NULL));
	ASSERT_EQ(0, add_crit(self->nl, 1, 1, 1, 1, 4));
	ASSERT_EQ(0, add_crit(self->nl, 2, 2, 1, 5, 4));
	ASSERT_EQ(0, add_crit(self->nl, 3, 3, 1, 5, 4));
	/* About 300 kbit in one burst: 30 kbit/s over the 10 s window. */
	ASSERT_EQ(0, inject(300, "-k ipv4 -l 100"));

	ASSERT_EQ(0, event_wait(ev, DFC_CMD_CDEST_CONGESTED, 5000, &e));
	EXPECT_EQ(1, e.congested);
	ASSERT_EQ(0, event_wait(ev, DFC_CMD_CDEST_PURGED, 5000, &e));
	EXPECT_EQ(3, e.owner);
	EXPECT_EQ(1, e.cdest);
	ASSERT_EQ(1, e.n_ids);
	EXPECT_EQ(3, e.ids[0]);
	EXPECT_FALSE(crit_exists(self->nl, 3, 3));
	/* Nothing more purged, and congestion clears when the burst ages out. */
	ASSERT_EQ(0, event_wait(ev, DFC_CMD_CDEST_CONGESTED, 16000, &e));
	EXPECT_EQ(0, e.congested);
	EXPECT_TRUE(crit_exists(self->nl, 1, 1));
	EXPECT_TRUE(crit_exists(self->nl, 2, 2));
	mnl_socket_close(ev);
}

/*
 * pktgen_load_hard_limit: count frames of size from gen, delay ns apart;
 * the microseconds pktgen took to queue them on the veth, -1 on failure.
 */
static long pktgen_burst(int count, int frame, long delay)
{
	char cmd[256];
	long us = -1;
	FILE *p;

	if (sh("ip netns exec %s sh -c '"
	       "pg() { echo \"$2\" > /proc/net/pktgen/$1 || exit 1; }; "
	       "pg kpktgend_0 rem_device_all && pg kpktgend_0 \"add_device p0\" && "
	       "pg p0 \"count %d\" && pg p0 \"pkt_size %d\" && pg p0 \"clone_skb 0\" && "
	       "pg p0 \"delay %ld\" && pg p0 \"src_min 192.0.2.1\" && "
	       "pg p0 \"src_max 192.0.2.1\" && pg p0 \"dst 192.0.2.5\" && "
	       "pg p0 \"dst_mac 02:00:00:00:00:99\" && pg pgctrl start'",
	       gen_ns, count, frame, delay))
		return -1;
	/* "Result: OK: 123456(c123000+d3456) usec, 2000 (100byte,0frags)" */
	snprintf(cmd, sizeof(cmd),
		 "ip netns exec %s sed -n 's/^Result: OK: \\([0-9]*\\)(.*/\\1/p' "
		 "/proc/net/pktgen/p0", gen_ns);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (fscanf(p, "%ld", &us) != 1)
		us = -1;
	pclose(p);
	return us;
}

/* Milliseconds until the hook on m0 has seen n frames in all; -1 past ms. */
static long seen_within(struct dfc_nl *nl, uint64_t n, long ms)
{
	struct dfc_iface_info ifi;
	long t0 = now_ms();

	while (now_ms() - t0 < ms) {
		if (dfc_nl_iface_get(nl, 0, "m0", &ifi))
			return -1;
		if (ifi.stats.seen >= n)
			return now_ms() - t0;
		usleep(20000);
	}
	return -1;
}

/*
 * The limits under the kernel's pktgen: up to 20000 frames of 100 bytes
 * (86-byte IP packets, 106-byte copies) from gen over 2 s, a quarter of
 * what the kernel takes and copies in that time (measured first; a slow
 * kernel takes fewer), matched by three criteria of three
 * owners toward one destination: 1 (priority 1), 2 (priority 5, older)
 * and 3 (priority 5, newer). The burst stays in the 10 s average long
 * enough to take it above the soft limit and the hard limit (set at 24 %
 * and 47 % of the burst's bits over 10 s: 1.7 Mbit/s for 20000). Congestion is
 * raised; the purge removes the worst criterion, 3, alone: its own recent
 * rate is as high as the destination's, so removing it brings the average
 * under the hard target, and 1 and 2 stay. Criterion 1, the best, carries
 * every copy: each frame it matched is either a copy or a counted drop.
 */
OUT_TEST(pktgen_load_hard_limit)
{
	const int frame = 100, copy = 86 + 20;
	uint64_t burst, hard;
	struct mnl_socket *ev;
	long t0, us, ms, count, read_ms;
	struct dfc_iface_info ifi;
	struct dfc_stats st, base;
	struct nlmsghdr *nlh;
	uint64_t p1 = 0, p2 = 0, drops;
	struct cstats s, r;
	struct event e;
	long sent;

	if (sh("modprobe pktgen 2>/dev/null"))
		SKIP(return, "no pktgen module");
	/*
	 * How fast this kernel takes frames in and copies them: 500 through
	 * the hook (fewer than the receive backlog holds, so none is dropped
	 * there), each copied by a criterion of another owner toward another
	 * destination, both gone before the burst: the time pktgen took to
	 * queue them on the veth, and then until the hook saw the last. The
	 * copy is most of a frame's cost on the debug kernel; measured
	 * without it, the burst came out ten times too fast there and took
	 * 21 s, too spread out to reach the hard limit. Paced frames cost
	 * more than a back-to-back run (four times on the debug kernel:
	 * 1264 planned over 2 s took 8 s), so the burst is a quarter of
	 * what the measure allows.
	 */
	ASSERT_EQ(0, add_cdest(self->nl, 2, DST_V4, DFC_ENCAP_IPIP, 0, 0));
	ASSERT_EQ(0, add_crit(self->nl, 9, 9, 2, 1, 4));
	us = pktgen_burst(500, frame, 0);
	ASSERT_LE(0, us);
	ms = seen_within(self->nl, 500, 120000L * dfc_slow());
	ASSERT_LE(0, ms);
	ms += us / 1000 + 1;
	ASSERT_EQ(0, cdest_stats(self->nl, 2, &s));
	EXPECT_LT(0, s.v[DFC_CSTATS_A_COPIES]);
	ASSERT_EQ(0, dfc_nl_stats_get(self->nl, &base));
	ASSERT_EQ(0, dfc_nl_crit_del(self->nl, 9, NULL, NULL, true, NULL));
	ASSERT_EQ(0, dfc_nl_cdest_del(self->nl, 2, false));
	count = 500L * 2000 / ms / 4;
	if (count > 20000)
		count = 20000;
	burst = (uint64_t)count * copy * 8 / 10;
	hard = burst * 47 / 100;
	TH_LOG("500 frames copied in %ld ms: a burst of %ld over 2 s, %llu bit/s over 10 s",
	       ms, count, (unsigned long long)burst);
	ASSERT_LE(100, count);
	ev = events_open(self->nl);
	ASSERT_NE(NULL, ev);
	ASSERT_EQ(0, add_cdest(self->nl, 1, DST_V4, DFC_ENCAP_IPIP, 0, 0));
	nlh = dfc_nl_msg_new(self->nl, DFC_CMD_CDEST_SET, 0);
	mnl_attr_put_u32(nlh, DFC_CDEST_A_ID, 1);
	mnl_attr_put_u64(nlh, DFC_CDEST_A_SOFT_LIMIT, burst * 24 / 100);
	mnl_attr_put_u64(nlh, DFC_CDEST_A_SOFT_CLEAR, burst * 12 / 100);
	mnl_attr_put_u64(nlh, DFC_CDEST_A_HARD_LIMIT, hard);
	mnl_attr_put_u64(nlh, DFC_CDEST_A_HARD_TARGET, burst * 41 / 100);
	ASSERT_EQ(0, dfc_nl_request(self->nl, nlh, NULL, NULL));
	ASSERT_EQ(0, add_crit(self->nl, 1, 1, 1, 1, 4));
	ASSERT_EQ(0, add_crit(self->nl, 2, 2, 1, 5, 4));
	ASSERT_EQ(0, add_crit(self->nl, 3, 3, 1, 5, 4));

	/* pktgen is per namespace: configured and started from within gen. */
	t0 = now_ms();
	/* Paced over 2 s, no faster than the kernel took the 500 in. */
	ASSERT_LE(0, pktgen_burst((int)count, frame, 2000000000L / count));
	ASSERT_LE(0, seen_within(self->nl, 500 + count, 120000L * dfc_slow()));
	TH_LOG("%ld frames, all seen in %ld ms", count, now_ms() - t0);
	/*
	 * The rate is a 10 s average, updated once a second: read it after
	 * the next look and before anything else (on the debug kernel the
	 * burst alone can take 8 s, one `ip netns exec` several more).
	 */
	usleep(2000 * 1000);
	ASSERT_EQ(0, cdest_stats(self->nl, 1, &r));
	read_ms = now_ms() - t0;
	sent = pktgen_sent();
	sh("ip netns exec %s sh -c 'echo rem_device_all > /proc/net/pktgen/kpktgend_0'",
	   gen_ns);
	EXPECT_EQ(count, sent);

	/* Congestion first, then the purge, in the same once-a-second look. */
	ASSERT_EQ(0, event_wait(ev, DFC_CMD_CDEST_CONGESTED, 15000 * dfc_slow(), &e));
	EXPECT_EQ(1, e.congested);
	ASSERT_EQ(0, event_wait(ev, DFC_CMD_CDEST_PURGED, 5000 * dfc_slow(), &e));
	EXPECT_EQ(3, e.owner);
	EXPECT_EQ(1, e.cdest);
	ASSERT_EQ(1, e.n_ids);
	EXPECT_EQ(3, e.ids[0]);
	/* One message per owner, all at once: no other owner lost any. */
	EXPECT_EQ(-ETIMEDOUT, event_wait(ev, DFC_CMD_CDEST_PURGED, 2000, &e))
		TH_LOG("also purged: owner %u id %llu", e.owner,
		       (unsigned long long)e.ids[0]);
	EXPECT_FALSE(crit_exists(self->nl, 3, 3));
	EXPECT_TRUE(crit_exists(self->nl, 1, 1));
	EXPECT_TRUE(crit_exists(self->nl, 2, 2));

	/* Every frame pktgen sent reached the hook, as IPv4 of 100 bytes. */
	ASSERT_EQ(0, dfc_nl_iface_get(self->nl, 0, "m0", &ifi));
	EXPECT_EQ((uint64_t)sent + 500, ifi.stats.seen);
	EXPECT_EQ(ifi.stats.seen, ifi.stats.ipv4);
	EXPECT_EQ(ifi.stats.seen * frame, ifi.stats.bytes);

	/* The surviving criteria matched every frame of the burst. */
	ASSERT_EQ(0, dfc_nl_crit_get(self->nl, 1, 1, crit_packets_cb, &p1));
	ASSERT_EQ(0, dfc_nl_crit_get(self->nl, 2, 2, crit_packets_cb, &p2));
	EXPECT_EQ((uint64_t)sent, p1);
	EXPECT_EQ((uint64_t)sent, p2);

	/*
	 * One copy per frame to the one destination, from criterion 1: sent
	 * or counted dropped, never lost to max-duplicates (the others toward
	 * the same destination need no copy of their own), and none held
	 * back by the hard limit since the purge brought it under target.
	 */
	ASSERT_EQ(0, cdest_stats(self->nl, 1, &s));
	drops = s.v[DFC_CSTATS_A_NOMEM] + s.v[DFC_CSTATS_A_NOROUTE] +
		s.v[DFC_CSTATS_A_NOIPSEC] + s.v[DFC_CSTATS_A_TOOBIG] +
		s.v[DFC_CSTATS_A_LOOP] + s.v[DFC_CSTATS_A_RATELIMIT] +
		s.v[DFC_CSTATS_A_DUPCAP] + s.v[DFC_CSTATS_A_TXERR];
	EXPECT_EQ(p1, s.v[DFC_CSTATS_A_COPIES] + drops)
		TH_LOG("copies %llu drops %llu", (unsigned long long)s.v[DFC_CSTATS_A_COPIES],
		       (unsigned long long)drops);
	EXPECT_EQ(0, s.v[DFC_CSTATS_A_DUPCAP]);
	EXPECT_EQ(0, s.v[DFC_CSTATS_A_RATELIMIT]);
	EXPECT_LT(0, s.v[DFC_CSTATS_A_COPIES]);
	EXPECT_EQ(s.v[DFC_CSTATS_A_COPIES] * copy, s.v[DFC_CSTATS_A_BYTES]);
	/*
	 * The 10 s average (updated once a second): above the hard limit
	 * (47 % of all bytes in 10 s) while most of the burst is in its
	 * window. Read at most 12 s after the burst began, the window holds
	 * at least its last 9 s (read at 10.8 s on the debug kernel); a host
	 * busy enough to stretch it to 16 s left 40 % there. At most all
	 * bytes in 10 s.
	 */
	if (read_ms <= 12000) {
		EXPECT_LT(hard, r.v[DFC_CSTATS_A_RATE]);
	} else {
		TH_LOG("rate read %ld ms after the burst began: not compared with the hard limit",
		       read_ms);
	}
	EXPECT_GE(r.v[DFC_CSTATS_A_BYTES] * 8 / 10, r.v[DFC_CSTATS_A_RATE]);

	/* The namespace agrees: every frame matched, every copy counted. */
	ASSERT_EQ(0, dfc_nl_stats_get(self->nl, &st));
	EXPECT_EQ((uint64_t)sent, st.matched - base.matched);
	EXPECT_EQ(s.v[DFC_CSTATS_A_COPIES], st.copies - base.copies);
	EXPECT_EQ(0, st.dup_dropped);
	mnl_socket_close(ev);
}

DFC_HARNESS_MAIN
