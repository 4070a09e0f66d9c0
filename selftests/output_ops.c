// SPDX-License-Identifier: GPL-2.0
/*
 * Copies under change, in the guest (topology in output_lib.h): a
 * destination changing IP version under pktgen traffic, the output path
 * refusing copies, the hard-limit purge of 100k criteria next to `ip link`,
 * deleting a destination in use, and the outer headers. The loop guards
 * are output_loop.c's.
 */
#include <linux/ipv6.h>
#include <netinet/ip6.h>
#include <netinet/udp.h>
#include <time.h>
#include <sys/wait.h>

#include "output_lib.h"

#define GEN_SRC "192.0.2.1"
#define GEN_DST "192.0.2.5"

/*
 * Configure pktgen on p0 in gen: count frames of size bytes, delay ns
 * apart, plus the "pg p0 ..." lines in extra; then start it in a child
 * process (pktgen's start blocks until done). Returns the child, or -1.
 */
static pid_t pktgen_start(long count, int size, long delay, const char *extra)
{
	pid_t pid;

	if (sh("modprobe pktgen 2>/dev/null"))
		return -1;
	if (sh("ip netns exec %s sh -c '"
	       "pg() { echo \"$2\" > /proc/net/pktgen/$1 || exit 1; }; "
	       "pg kpktgend_0 rem_device_all && pg kpktgend_0 \"add_device p0\" && "
	       "pg p0 \"count %ld\" && pg p0 \"pkt_size %d\" && pg p0 \"clone_skb 0\" && "
	       "pg p0 \"delay %ld\" && pg p0 \"src_min " GEN_SRC "\" && "
	       "pg p0 \"src_max " GEN_SRC "\" && pg p0 \"dst " GEN_DST "\" && "
	       "pg p0 \"dst_mac 02:00:00:00:00:99\" %s'",
	       gen_ns, count, size, delay, extra ?: ""))
		return -1;
	pid = fork();
	if (pid == 0)
		_exit(sh("ip netns exec %s sh -c 'echo start > /proc/net/pktgen/pgctrl'",
			 gen_ns) ? 1 : 0);
	return pid;
}

/* Wait until pktgen sent n frames (it is slow to start under TCG). */
static long pktgen_wait(long n, long ms)
{
	long t0 = now_ms(), sent;

	while ((sent = pktgen_sent()) < n && now_ms() - t0 < ms)
		usleep(100000);
	return sent;
}

static void pktgen_stop(pid_t pid)
{
	sh("ip netns exec %s sh -c 'echo stop > /proc/net/pktgen/pgctrl'", gen_ns);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	sh("ip netns exec %s sh -c 'echo rem_device_all > /proc/net/pktgen/kpktgend_0'",
	   gen_ns);
}

/* Room for every copy a test sends, so that nothing is lost to a full socket. */
static void big_rcvbuf(int fd)
{
	int sz = 64 << 20;

	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
}

/* Static neighbours: copies never wait for (or get lost to) resolution. */
static int pin_neighbours(void)
{
	return sh("mac=$(ip -n %1$s -br link show d0 | awk '{print $3}') && "
		  "ip neigh replace " DST_V4 " lladdr $mac dev c0 nud permanent && "
		  "ip neigh replace " DST_V6 " lladdr $mac dev c0 nud permanent",
		  dst_ns);
}

static int cdest_set_addr(struct dfc_nl *nl, uint32_t id, const char *addr)
{
	struct nlmsghdr *nlh = dfc_nl_msg_new(nl, DFC_CMD_CDEST_SET, 0);
	int v6 = strchr(addr, ':') != NULL;
	uint8_t a[16];

	inet_pton(v6 ? AF_INET6 : AF_INET, addr, a);
	mnl_attr_put_u32(nlh, DFC_CDEST_A_ID, id);
	mnl_attr_put(nlh, DFC_CDEST_A_ADDR, v6 ? 16 : 4, a);
	return dfc_nl_request(nl, nlh, NULL, NULL);
}

/* What pktgen puts behind the UDP header: magic, then sequence (from 1). */
#define PKTGEN_MAGIC 0xbe9be955

/*
 * The copies one socket received: pktgen packets as sent, from the device
 * the socket is bound to, told apart by pktgen's sequence number, which
 * seen[] (count entries, shared by the sockets) takes once. Anything else
 * (another device's frame, a packet not as sent, a sequence number again)
 * counts in *bad, the first one logged.
 */
static int drain_pktgen(int fd, int size, uint8_t *seen, long count, int *bad)
{
	uint8_t buf[2048];
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int n = 0, ifindex = bound_ifindex(fd);
	struct in_addr s, d;

	inet_pton(AF_INET, GEN_SRC, &s);
	inet_pton(AF_INET, GEN_DST, &d);
	*bad = 0;
	while (poll(&p, 1, 1000) == 1) {
		struct sockaddr_ll sll;
		socklen_t sl = sizeof(sll);
		ssize_t r = recvfrom(fd, buf, sizeof(buf), 0,
				     (struct sockaddr *)&sll, &sl);
		char from[INET_ADDRSTRLEN] = "?", to[INET_ADDRSTRLEN] = "?";
		uint32_t magic = 0, seq = 0;
		int as_sent;

		if (r < 0)
			break;
		/* What the device itself sends (IPv6 chatter) is no copy. */
		if (sll.sll_pkttype == PACKET_OUTGOING)
			continue;
		/* size - 14 (Ethernet): the IPv4 packet, pktgen's header at 28. */
		as_sent = r == size - 14 && buf[0] == 0x45 && buf[9] == IPPROTO_UDP &&
			  !memcmp(buf + 12, &s, 4) && !memcmp(buf + 16, &d, 4);
		if (as_sent) {
			memcpy(&magic, buf + 28, 4);
			memcpy(&seq, buf + 32, 4);
			seq = ntohl(seq);
			as_sent = ntohl(magic) == PKTGEN_MAGIC && seq >= 1 && seq <= count;
		}
		if (as_sent && sll.sll_ifindex == ifindex && !seen[seq - 1]++) {
			n++;
			continue;
		}
		if ((*bad)++)
			continue;
		if (r >= 20 && buf[0] >> 4 == 4) {
			inet_ntop(AF_INET, buf + 12, from, sizeof(from));
			inet_ntop(AF_INET, buf + 16, to, sizeof(to));
		}
		fprintf(stderr, "# not a copy: device %d (bound to %d), packet type %u, "
			"ethertype %#06x, %zd bytes, first byte %#x, protocol %u, %s > %s%s\n",
			sll.sll_ifindex, ifindex, sll.sll_pkttype, ntohs(sll.sll_protocol), r,
			r > 0 ? buf[0] : 0, r > 9 ? buf[9] : 0, from, to,
			as_sent && sll.sll_ifindex == ifindex ? ", pktgen sequence again" : "");
	}
	return n;
}

/*
 * A destination switching between its IPv4 and IPv6 address as fast as
 * netlink allows while pktgen sends 10000 frames: each copy goes out under
 * the outer header of the address it was routed for, so each arrives,
 * whole, at dst's ipip (IPv4 outer) or ip6tnl (IPv6 outer) device, and
 * what arrives is exactly what was counted sent (a copy routed for the
 * other version would count as sent and never arrive): each pktgen packet
 * at most once, known by its sequence number, and nothing else.
 */
OUT_TEST(family_change_under_traffic)
{
	/* 2,000 on the debug kernel: still hundreds of flips under traffic. */
	const int count = (int)dfc_shrink(10000, 2000), size = 100;
	uint8_t seen[10000] = { 0 };	/* per pktgen sequence number */
	int fd4 = in_dst(open_dev, "ipip0"), fd6 = in_dst(open_dev, "t6");
	int n4, n6, bad4, bad6, flips = 0;
	struct dfc_iface_info ifi;
	struct cstats s;
	pid_t pg;

	ASSERT_LE(0, fd4);
	ASSERT_LE(0, fd6);
	big_rcvbuf(fd4);
	big_rcvbuf(fd6);
	ASSERT_EQ(0, pin_neighbours());
	ASSERT_EQ(0, add_cdest(self->nl, 1, DST_V4, DFC_ENCAP_IPIP, 0, 0));
	ASSERT_EQ(0, add_crit(self->nl, 1, 1, 1, 1, 4));
	/* 100 us apart: what dst's backlog takes without a drop. */
	pg = pktgen_start(count, size, 100000, NULL);
	if (pg < 0)
		SKIP(return, "no pktgen");
	while (waitpid(pg, NULL, WNOHANG) == 0) {
		ASSERT_EQ(0, cdest_set_addr(self->nl, 1, flips % 2 ? DST_V4 : DST_V6));
		flips++;
	}
	EXPECT_EQ(count, pktgen_sent());
	pktgen_stop(-1);
	n4 = drain_pktgen(fd4, size, seen, count, &bad4);
	n6 = drain_pktgen(fd6, size, seen, count, &bad6);
	ASSERT_EQ(0, cdest_stats(self->nl, 1, &s));
	ASSERT_EQ(0, dfc_nl_iface_get(self->nl, 0, "m0", &ifi));
	TH_LOG("%d flips; %d copies under IPv4, %d under IPv6; m0 saw %llu frames", flips, n4,
	       n6, (unsigned long long)ifi.stats.seen);
	TH_LOG("nomem %llu noroute %llu loop %llu txerr %llu",
	       (unsigned long long)s.v[DFC_CSTATS_A_NOMEM],
	       (unsigned long long)s.v[DFC_CSTATS_A_NOROUTE],
	       (unsigned long long)s.v[DFC_CSTATS_A_LOOP],
	       (unsigned long long)s.v[DFC_CSTATS_A_TXERR]);
	EXPECT_LT(20, flips);
	EXPECT_LT(0, n4);
	EXPECT_LT(0, n6);
	EXPECT_EQ(0, bad4);
	EXPECT_EQ(0, bad6);
	/* A full backlog in dst (TCG under load) is the only loss allowed. */
	EXPECT_EQ(s.v[DFC_CSTATS_A_TXERR], drops(&s));
	EXPECT_EQ(count, s.v[DFC_CSTATS_A_COPIES] + s.v[DFC_CSTATS_A_TXERR]);
	EXPECT_EQ((uint64_t)(n4 + n6), s.v[DFC_CSTATS_A_COPIES]);
	close(fd4);
	close(fd6);
}

/*
 * A copy the output path refuses (here a netfilter drop on the way out)
 * is not sent: it counts txerr, not copies. Positive control first: the
 * same copies arrive without the rule.
 */
OUT_TEST(output_refusal_not_counted_sent)
{
	int fd = in_dst(open_dev, "ipip0"), bad;
	uint8_t want[4096];
	struct cstats s;
	ssize_t wlen;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, add_cdest(self->nl, 1, DST_V4, DFC_ENCAP_IPIP, 0, 0));
	ASSERT_EQ(0, add_crit(self->nl, 1, 1, 1, 1, 4));
	ASSERT_EQ(0, inject(3, "-k ipv4 -l 100"));
	wlen = expected(want, sizeof(want));
	EXPECT_EQ(3, collect(fd, want, wlen, 3000, &bad));
	EXPECT_EQ(0, bad);

	ASSERT_EQ(0, sh("nft add table ip dfct && "
			"nft add chain ip dfct out '{ type filter hook output priority 0; }' && "
			"nft add rule ip dfct out ip daddr " DST_V4 " counter drop"));
	ASSERT_EQ(0, inject(5, "-k ipv4 -l 100"));
	EXPECT_EQ(0, collect(fd, want, wlen, 1500, &bad));
	ASSERT_EQ(0, cdest_stats(self->nl, 1, &s));
	EXPECT_EQ(3, s.v[DFC_CSTATS_A_COPIES]);
	EXPECT_EQ(3 * (wlen + 20), s.v[DFC_CSTATS_A_BYTES]);
	EXPECT_EQ(5, s.v[DFC_CSTATS_A_TXERR]);
	/* The rule saw exactly those five. */
	EXPECT_EQ(0, sh("nft list chain ip dfct out | grep -q 'packets 5 '"));
	close(fd);
}

/* Ids in DFC_CMD_CDEST_PURGED events of cdest, and messages naming two owners. */
static long purged_ids(struct mnl_socket *ev, uint32_t cdest, int ms, int *mixed)
{
	char buf[65536];
	struct pollfd p = { .fd = mnl_socket_get_fd(ev), .events = POLLIN };
	long n = 0;

	while (poll(&p, 1, ms) == 1) {
		int r = (int)mnl_socket_recvfrom(ev, buf, sizeof(buf));
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;

		if (r <= 0)
			return -1;
		for (; mnl_nlmsg_ok(nlh, r); nlh = mnl_nlmsg_next(nlh, &r)) {
			const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
			uint32_t owner = 0, cd = 0;
			int owners = 0;
			struct nlattr *a;

			if (g->cmd != DFC_CMD_CDEST_PURGED)
				continue;
			mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
				if (mnl_attr_get_type(a) == DFC_A_OWNER) {
					owner = mnl_attr_get_u32(a);
					owners++;
				} else if (mnl_attr_get_type(a) == DFC_A_CDEST) {
					cd = mnl_attr_get_u32(a);
				} else if (mnl_attr_get_type(a) == DFC_A_ID) {
					n++;
				}
			}
			if (owners != 1 || !owner || cd != cdest)
				(*mixed)++;
		}
		ms = 2000;
	}
	return n;
}

static int cdest_crits_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(a) == DFC_CDEST_A_CRITS)
			*(uint32_t *)data = mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

static long cdest_crits(struct dfc_nl *nl, uint32_t id)
{
	struct nlmsghdr *nlh = dfc_nl_msg_new(nl, DFC_CMD_CDEST_GET, 0);
	uint32_t n = 0;

	mnl_attr_put_u32(nlh, DFC_CDEST_A_ID, id);
	if (dfc_nl_request(nl, nlh, cdest_crits_cb, &n))
		return -1;
	return n;
}

#define PURGE_N 100000
#define PURGE_OWNERS 4
#define PURGE_SAMPLES 4096

/*
 * 100k criteria toward one destination: four owners, each with one
 * criterion per destination address of the 25000 pktgen cycles through,
 * so that all carry traffic within the rate window. The hard limit drops
 * to 1 bit/s (target 0) under that traffic: the purge looks at all 100k and
 * removes the worst until what they carried (each frame counts for four)
 * covers the rate. Meanwhile `ip link add/del` in the same namespace
 * (whose netdev notifier dfc runs) never takes a second, or twice what it
 * takes on the same host under the same traffic without a purge (before
 * the limit drops, and after the last purge was heard of), and the owners
 * hear of every id, one owner a message.
 */
TEST_F_TIMEOUT(out, purge_100k_beside_rtnl, 400)
{
	/*
	 * On a slow kernel (the debug kernel), a tenth of the criteria at a
	 * fiftieth of the rate: kmemleak frees every slab object through
	 * call_rcu, and traffic that keeps a TCG CPU busy queues callbacks
	 * faster than that CPU runs them, until any rcu_barrier() (every ip
	 * link del) waits for ever.
	 */
	const int slow = dfc_slow() > 1;
	const unsigned int n = slow ? PURGE_N / 10 : PURGE_N, flows = n / PURGE_OWNERS;
	struct dfc_nl_crit *v = calloc(flows, sizeof(*v));
	struct dfc_nl_entry *e = calloc(flows, sizeof(*e));
	uint32_t last_dst = 0x0a000001 + flows - 1;
	char range[128];
	long worst = 0, after = 0, left = -1, ids = 0, got, t0, set, quiet;
	long control = 0, bound = 1000, *dts;
	struct mnl_socket *ev;
	struct nlmsghdr *nlh;
	int mixed = 0, sz = 32 << 20, k = 0, last = -1;
	unsigned int i, done;
	pid_t pg;

	ASSERT_NE(NULL, v);
	ASSERT_NE(NULL, e);
	/* Copies go to a dummy device: cheap to send, counted all the same. */
	ASSERT_EQ(0, sh("ip link add dfcdm type dummy && ip link set dfcdm up && "
			"ip addr add 203.0.113.1/24 dev dfcdm"));
	ASSERT_EQ(0, add_cdest(self->nl, 1, "203.0.113.2", DFC_ENCAP_IPIP, 0, 0));
	for (i = 0; i < flows; i++) {
		uint32_t a = 0x0a000001 + i;	/* 10.0.0.1 + i */

		e[i].ipver = 4;
		e[i].dst_plen = 32;
		e[i].dst[0] = a >> 24;
		e[i].dst[1] = a >> 16;
		e[i].dst[2] = a >> 8;
		e[i].dst[3] = a;
		v[i].id = i + 1;
		v[i].prio = 1 + i % 7;
		v[i].flags = DFC_CRIT_F_STATIC;
		v[i].cdest = 1;
		v[i].n_entries = 1;
		v[i].entries = &e[i];
	}
	t0 = now_ms();
	for (i = 0; i < PURGE_OWNERS; i++)
		ASSERT_EQ(0, dfc_nl_crit_add(self->nl, 10 + i, v, flows, &done))
			TH_LOG("%s", dfc_nl_extack(self->nl) ?: "");
	TH_LOG("%u criteria added in %ld ms", n, now_ms() - t0);
	ASSERT_EQ(n, cdest_crits(self->nl, 1));

	/* Every address, over and over (100 us apart: pktgen sleeps). */
	snprintf(range, sizeof(range), "&& pg p0 \"dst_min 10.0.0.1\" && "
		 "pg p0 \"dst_max 10.%u.%u.%u\"", (last_dst >> 16) & 0xff,
		 (last_dst >> 8) & 0xff, last_dst & 0xff);
	pg = pktgen_start(0, 64, slow ? 5000000 : 100000, range);
	if (pg < 0)
		SKIP(return, "no pktgen");
	ASSERT_LE(1, pktgen_wait(1, 60000));
	t0 = now_ms();
	ASSERT_LE(flows, pktgen_wait(flows, 120000L * dfc_slow()));
	TH_LOG("a cycle of %u addresses in %ld ms", flows, now_ms() - t0);
	/* The control: ip link under the same load, before the purge. */
	for (i = 0; i < 3; i++) {
		long t = now_ms();

		ASSERT_EQ(0, sh("ip link add dfcy type dummy && ip link del dfcy"));
		t = now_ms() - t;
		TH_LOG("before the purge: ip link add+del in %ld ms", t);
		if (t > control)
			control = t;
	}

	ev = events_open(self->nl);
	ASSERT_NE(NULL, ev);
	setsockopt(mnl_socket_get_fd(ev), SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	nlh = dfc_nl_msg_new(self->nl, DFC_CMD_CDEST_SET, 0);
	mnl_attr_put_u32(nlh, DFC_CDEST_A_ID, 1);
	mnl_attr_put_u64(nlh, DFC_CDEST_A_HARD_LIMIT, 1);
	mnl_attr_put_u64(nlh, DFC_CDEST_A_HARD_TARGET, 0);
	ASSERT_EQ(0, dfc_nl_request(self->nl, nlh, NULL, NULL));
	set = now_ms();

	/*
	 * ip link until the purge was heard of and 12 s passed quietly: more
	 * than the 10 s a destination waits between purges, for criteria
	 * whose traffic a slow kernel only delivered after the first one.
	 * A host too slow to purge everything in 120 s still purges: the
	 * traffic stops then (nothing over the limit, no purge), and the
	 * samples after the last event are taken without it.
	 */
	dts = calloc(PURGE_SAMPLES, sizeof(*dts));
	ASSERT_NE(NULL, dts);
	quiet = now_ms();
	while (now_ms() - quiet < 12000L * dfc_slow() && now_ms() - set < 180000L * dfc_slow() &&
	       k < PURGE_SAMPLES) {
		long t = now_ms();

		if (pg > 0 && t - set > 120000L * dfc_slow()) {
			TH_LOG("traffic stopped at +%ld ms, %d samples", t - set, k);
			pktgen_stop(pg);
			pg = -1;
		}

		ASSERT_EQ(0, sh("ip link add dfcx%d type dummy && ip link del dfcx%d", k, k));
		dts[k] = now_ms() - t;
		if (dts[k] > 500)
			TH_LOG("ip link add+del in %ld ms at +%ld ms", dts[k], t - set);
		got = purged_ids(ev, 1, 50, &mixed);
		ASSERT_LE(0, got);
		ids += got;
		if (got || !ids) {
			quiet = now_ms();
			last = k;
		}
		k++;
	}
	if (pg > 0)
		pktgen_stop(pg);
	/* Up to the last event the purge may run; after it, none does. */
	for (i = 0; i < (unsigned int)k; i++) {
		if ((int)i <= last && dts[i] > worst)
			worst = dts[i];
		if ((int)i > last && dts[i] > after)
			after = dts[i];
	}
	TH_LOG("after the last purge: ip link add+del in %ld ms at the slowest", after);
	if (after > control)
		control = after;
	/*
	 * A host too loaded for 1 s even without a purge: twice the control,
	 * and at least 3 s over it. The control is the slowest of a dozen
	 * samples, the purge's of about fifty: on a shared host the larger
	 * set's slowest alone reached 2.06 times the control (CI, 3549 ms
	 * against 1724). The stall guarded against held RTNL for tens of
	 * seconds, far above either.
	 */
	if (2 * control > bound || control + 3000 > bound) {
		bound = 2 * control > control + 3000 ? 2 * control : control + 3000;
		TH_LOG("bound raised to %ld ms by the control", bound);
	}
	left = cdest_crits(self->nl, 1);
	TH_LOG("%d ip link add+del, the slowest while purging %ld ms; %ld ids in events, %ld criteria left",
	       k, worst, ids, left);
	EXPECT_LT(last + 1, k);
	EXPECT_LT(worst, bound);
	EXPECT_LE(n / 10, ids);
	EXPECT_EQ(n - left, ids);
	EXPECT_EQ(0, mixed);
	mnl_socket_close(ev);
	free(dts);
	free(v);
	free(e);
}


/*
 * A destination in use: deleting it is refused, and copies go on; with
 * force, it goes with its criteria under live traffic, the hook carries
 * on, and the id can be used again.
 */
OUT_TEST(cdest_del_in_use_then_force)
{
	struct dfc_iface_info a, b;
	struct cstats s1, s2;
	pid_t pg;

	ASSERT_EQ(0, pin_neighbours());
	ASSERT_EQ(0, add_cdest(self->nl, 1, DST_V4, DFC_ENCAP_IPIP, 0, 0));
	ASSERT_EQ(0, add_crit(self->nl, 1, 1, 1, 1, 4));
	ASSERT_EQ(0, add_crit(self->nl, 2, 7, 1, 3, 4));
	pg = pktgen_start(0, 100, 100000, NULL);
	if (pg < 0)
		SKIP(return, "no pktgen");
	ASSERT_LE(100, pktgen_wait(100, 60000));
	ASSERT_EQ(0, cdest_stats(self->nl, 1, &s1));
	EXPECT_EQ(-EBUSY, dfc_nl_cdest_del(self->nl, 1, false));
	EXPECT_NE(NULL, strstr(dfc_nl_extack(self->nl) ?: "", "force"));
	EXPECT_TRUE(crit_exists(self->nl, 1, 1));
	EXPECT_TRUE(crit_exists(self->nl, 2, 7));
	pktgen_wait(pktgen_sent() + 100, 30000);
	ASSERT_EQ(0, cdest_stats(self->nl, 1, &s2));
	EXPECT_LT(s1.v[DFC_CSTATS_A_COPIES], s2.v[DFC_CSTATS_A_COPIES]);

	EXPECT_EQ(0, dfc_nl_cdest_del(self->nl, 1, true));
	EXPECT_FALSE(crit_exists(self->nl, 1, 1));
	EXPECT_FALSE(crit_exists(self->nl, 2, 7));
	EXPECT_EQ(-ENOENT, cdest_stats(self->nl, 1, &s1));
	ASSERT_EQ(0, dfc_nl_iface_get(self->nl, 0, "m0", &a));
	pktgen_wait(pktgen_sent() + 100, 30000);
	ASSERT_EQ(0, dfc_nl_iface_get(self->nl, 0, "m0", &b));
	EXPECT_LT(a.stats.seen, b.stats.seen);
	pktgen_stop(pg);
	EXPECT_EQ(0, add_cdest(self->nl, 1, DST_V4, DFC_ENCAP_IPIP, 0, 0));
}

/* Change the outer header of destination id: addr and src (same version), encap. */
static int cdest_set_outer(struct dfc_nl *nl, uint32_t id, const char *addr,
			   const char *src, int encap, uint16_t sport, uint16_t dport)
{
	struct nlmsghdr *nlh = dfc_nl_msg_new(nl, DFC_CMD_CDEST_SET, 0);
	int v6 = strchr(addr, ':') != NULL;
	uint8_t a[16], b[16];

	inet_pton(v6 ? AF_INET6 : AF_INET, addr, a);
	inet_pton(v6 ? AF_INET6 : AF_INET, src, b);
	mnl_attr_put_u32(nlh, DFC_CDEST_A_ID, id);
	mnl_attr_put(nlh, DFC_CDEST_A_ADDR, v6 ? 16 : 4, a);
	mnl_attr_put(nlh, DFC_CDEST_A_SRC, v6 ? 16 : 4, b);
	mnl_attr_put_u8(nlh, DFC_CDEST_A_TTL, 17);
	mnl_attr_put_u8(nlh, DFC_CDEST_A_DSCP, 46);
	if (encap >= 0)
		mnl_attr_put_u8(nlh, DFC_CDEST_A_ENCAP, (uint8_t)encap);
	if (sport)
		mnl_attr_put_u16(nlh, DFC_CDEST_A_SPORT, sport);
	if (dport)
		mnl_attr_put_u16(nlh, DFC_CDEST_A_DPORT, dport);
	return dfc_nl_request(nl, nlh, NULL, NULL);
}

/* The next copy on the wire (an outer IPv4 or IPv6 header) within ms. */
static ssize_t wire_copy(int fd, uint8_t *buf, size_t len, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	while (poll(&p, 1, ms) == 1) {
		struct sockaddr_ll sll;
		socklen_t sl = sizeof(sll);
		ssize_t r = recvfrom(fd, buf, len, 0, (struct sockaddr *)&sll, &sl);
		int proto;

		if (r < 40 || sll.sll_pkttype == PACKET_OUTGOING)
			continue;
		proto = (buf[0] >> 4) == 4 ? buf[9] : (buf[0] >> 4) == 6 ? buf[6] : -1;
		if (proto == IPPROTO_IPIP || proto == IPPROTO_IPV6 || proto == IPPROTO_UDP)
			return r;
	}
	return -1;
}

struct outer {
	int ver, proto, ttl, dscp;
	const char *src;
	int sport;			/* UDP: outer source port */
};

static void outer_check(struct __test_metadata *_metadata, int wire,
			const char *kind, const struct outer *o)
{
	uint8_t buf[4096], src[16];
	const uint8_t *l4;
	ssize_t r;

	ASSERT_EQ(0, inject(1, kind));
	r = wire_copy(wire, buf, sizeof(buf), 3000);
	ASSERT_LT(0, r) TH_LOG("no copy of %s", kind);
	inet_pton(o->ver == 6 ? AF_INET6 : AF_INET, o->src, src);
	EXPECT_EQ(o->ver, buf[0] >> 4);
	if (o->ver == 4) {
		EXPECT_EQ(o->proto, buf[9]);
		EXPECT_EQ(o->ttl, buf[8]);
		EXPECT_EQ(o->dscp, buf[1] >> 2);
		EXPECT_EQ(0, memcmp(buf + 12, src, 4));
		EXPECT_EQ(0, buf[6] & 0x40);	/* DF clear */
		l4 = buf + 20;
	} else {
		EXPECT_EQ(o->proto, buf[6]);
		EXPECT_EQ(o->ttl, buf[7]);
		EXPECT_EQ(o->dscp, (((buf[0] & 0x0f) << 4) | (buf[1] >> 4)) >> 2);
		EXPECT_EQ(0, memcmp(buf + 8, src, 16));
		l4 = buf + 40;
	}
	if (o->proto == IPPROTO_UDP) {
		EXPECT_EQ(o->sport, (l4[0] << 8) | l4[1]);
		EXPECT_EQ(30030, (l4[2] << 8) | l4[3]);
	}
}

/*
 * The outer headers of copies as configured: TTL/hop limit, DSCP, source
 * address, protocol 4 or 41 by the inner version under an IPv4 and an
 * IPv6 outer header, and the UDP source port of flow-tap copies.
 */
OUT_TEST(outer_headers)
{
	int wire = in_dst(open_wire, NULL);

	ASSERT_LE(0, wire);
	ASSERT_EQ(0, pin_neighbours());
	ASSERT_EQ(0, sh("ip addr add 198.51.100.7/24 dev c0 && "
			"ip addr add 2001:db8:c::7/64 dev c0 nodad"));
	ASSERT_EQ(0, add_cdest(self->nl, 1, DST_V4, DFC_ENCAP_IPIP, 0, 0));
	ASSERT_EQ(0, add_crit(self->nl, 1, 1, 1, 1, 4));
	ASSERT_EQ(0, add_crit(self->nl, 1, 2, 1, 1, 6));

	ASSERT_EQ(0, cdest_set_outer(self->nl, 1, DST_V4, "198.51.100.7", -1, 0, 0));
	outer_check(_metadata, wire, "-k ipv4 -l 100",
		    &(struct outer){ 4, IPPROTO_IPIP, 17, 46, "198.51.100.7", 0 });
	outer_check(_metadata, wire, "-k ipv6 -l 100",
		    &(struct outer){ 4, IPPROTO_IPV6, 17, 46, "198.51.100.7", 0 });

	ASSERT_EQ(0, cdest_set_outer(self->nl, 1, DST_V6, "2001:db8:c::7", -1, 0, 0));
	outer_check(_metadata, wire, "-k ipv4 -l 100",
		    &(struct outer){ 6, IPPROTO_IPIP, 17, 46, "2001:db8:c::7", 0 });
	outer_check(_metadata, wire, "-k ipv6 -l 100",
		    &(struct outer){ 6, IPPROTO_IPV6, 17, 46, "2001:db8:c::7", 0 });

	ASSERT_EQ(0, cdest_set_outer(self->nl, 1, DST_V6, "2001:db8:c::7",
				     DFC_ENCAP_UDP, 40001, 30030));
	outer_check(_metadata, wire, "-k ipv6 -l 100",
		    &(struct outer){ 6, IPPROTO_UDP, 17, 46, "2001:db8:c::7", 40001 });
	ASSERT_EQ(0, cdest_set_outer(self->nl, 1, DST_V4, "198.51.100.7",
				     DFC_ENCAP_UDP, 40002, 30030));
	outer_check(_metadata, wire, "-k ipv4 -l 100",
		    &(struct outer){ 4, IPPROTO_UDP, 17, 46, "198.51.100.7", 40002 });
	close(wire);
}

DFC_HARNESS_MAIN
