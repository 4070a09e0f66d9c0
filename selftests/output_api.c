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
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <poll.h>
#include <stdarg.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "dfc_nl.h"

#define MON_V4 "198.51.100.1"
#define DST_V4 "198.51.100.2"
#define MON_V6 "2001:db8:c::1"
#define DST_V6 "2001:db8:c::2"

static char gen_ns[64], dst_ns[64];

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static const char *top(void)
{
	return getenv("DFC_TOP") ?: ".";
}

/* Send n frames from gen; the IP packet they carry lands in /tmp/pkt.<pid>. */
static int inject(int n, const char *args)
{
	return sh("ip netns exec %s %s/build/selftests/inject -i p0 -n %d %s -w /tmp/pkt.%d >/dev/null",
		  gen_ns, top(), n, args, getpid());
}

static ssize_t expected(uint8_t *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/tmp/pkt.%d", getpid());
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len);
	close(fd);
	return n;
}

/* Run fn's socket creation inside the dst namespace. */
static int in_dst(int (*fn)(const void *), const void *arg)
{
	char path[128];
	int self = open("/proc/self/ns/net", O_RDONLY), ns, fd;

	snprintf(path, sizeof(path), "/run/netns/%s", dst_ns);
	ns = open(path, O_RDONLY);
	if (self < 0 || ns < 0 || setns(ns, CLONE_NEWNET))
		return -1;
	fd = fn(arg);
	if (setns(self, CLONE_NEWNET))
		fd = -1;
	close(self);
	close(ns);
	return fd;
}

/* Decapsulated packets as the tunnel device delivers them. */
static int open_dev(const void *name)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(ETH_P_ALL) };
	int fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_ALL));

	sll.sll_ifindex = (int)if_nametoindex(name);
	if (fd < 0 || !sll.sll_ifindex || bind(fd, (struct sockaddr *)&sll, sizeof(sll)))
		return -1;
	return fd;
}

/* Flow-tap copies: the payload of UDP datagrams to this port. */
static int open_udp(const void *port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6,
				  .sin6_port = htons(*(const uint16_t *)port) };
	int fd = socket(AF_INET6, SOCK_DGRAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)))
		return -1;
	return fd;
}

/* Count what arrives within ms; each must equal want[0..wlen). */
static int collect(int fd, const uint8_t *want, ssize_t wlen, int ms, int *bad)
{
	uint8_t buf[70000];
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int n = 0;

	*bad = 0;
	while (poll(&p, 1, ms) == 1) {
		ssize_t r = recv(fd, buf, sizeof(buf), 0);

		if (r < 0)
			break;
		n++;
		if (r != wlen || memcmp(buf, want, (size_t)wlen))
			(*bad)++;
		ms = 500;
	}
	return n;
}

/* Packets of an IP protocol seen on d0 (outer headers). */
static int open_wire(const void *unused)
{
	(void)unused;
	return open_dev("d0");
}

static int wire_count(int fd, int proto, int ms)
{
	uint8_t buf[70000];
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int n = 0;

	while (poll(&p, 1, ms) == 1) {
		ssize_t r = recv(fd, buf, sizeof(buf), 0);

		if (r < 40)
			continue;
		if ((buf[0] >> 4) == 4 && buf[9] == proto)
			n++;
		else if ((buf[0] >> 4) == 6 && buf[6] == proto)
			n++;
		ms = 300;
	}
	return n;
}

static int add_cdest(struct dfc_nl *nl, uint32_t id, const char *addr, uint8_t encap,
		     uint16_t dport, uint32_t flags)
{
	struct nlmsghdr *nlh = dfc_nl_msg_new(nl, DFC_CMD_CDEST_NEW, 0);
	uint8_t a[16];
	int v6 = strchr(addr, ':') != NULL;

	inet_pton(v6 ? AF_INET6 : AF_INET, addr, a);
	mnl_attr_put_u32(nlh, DFC_CDEST_A_ID, id);
	mnl_attr_put(nlh, DFC_CDEST_A_ADDR, v6 ? 16 : 4, a);
	mnl_attr_put_u8(nlh, DFC_CDEST_A_ENCAP, encap);
	if (dport)
		mnl_attr_put_u16(nlh, DFC_CDEST_A_DPORT, dport);
	if (flags)
		mnl_attr_put_u32(nlh, DFC_CDEST_A_FLAGS, flags);
	mnl_attr_put_u8(nlh, DFC_CDEST_A_TTL, 64);
	return dfc_nl_request(nl, nlh, NULL, NULL);
}

/* A static criterion on everything of one IP version, toward cdest. */
static int add_crit(struct dfc_nl *nl, uint32_t owner, uint64_t id, uint32_t cdest,
		    uint32_t prio, uint8_t ipver)
{
	struct nlmsghdr *nlh = dfc_nl_msg_new(nl, DFC_CMD_CRIT_NEW, 0);
	struct nlattr *c, *e;

	mnl_attr_put_u32(nlh, DFC_A_OWNER, owner);
	c = mnl_attr_nest_start(nlh, DFC_A_CRIT);
	mnl_attr_put_u64(nlh, DFC_CRIT_A_ID, id);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_FLAGS, DFC_CRIT_F_STATIC);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_CDEST, cdest);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_PRIO, prio);
	e = mnl_attr_nest_start(nlh, DFC_CRIT_A_ENTRY);
	if (ipver)
		mnl_attr_put_u8(nlh, DFC_ENTRY_A_IPVER, ipver);
	mnl_attr_nest_end(nlh, e);
	mnl_attr_nest_end(nlh, c);
	return dfc_nl_request(nl, nlh, NULL, NULL);
}


/* A socket on the events group. */
static struct mnl_socket *events_open(struct dfc_nl *nl)
{
	struct mnl_socket *s = mnl_socket_open(NETLINK_GENERIC);
	int grp = (int)dfc_nl_mcast_group(nl, DFC_GENL_MCGRP_EVENTS);

	if (!s || mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) ||
	    mnl_socket_setsockopt(s, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)))
		return NULL;
	return s;
}

struct event {
	uint8_t cmd;
	uint32_t owner, cdest, n_ids;
	uint64_t ids[8], dup[8];
	uint8_t congested;
};

static int ev_crit_attr(const struct nlattr *a, void *data)
{
	struct event *e = data;

	if (mnl_attr_get_type(a) == DFC_CRIT_A_ID && e->n_ids < 8)
		e->ids[e->n_ids] = mnl_attr_get_u64(a);
	if (mnl_attr_get_type(a) == DFC_CRIT_A_DUP_DROPPED && e->n_ids < 8)
		e->dup[e->n_ids] = mnl_attr_get_u64(a);
	return MNL_CB_OK;
}

/* The next event of kind cmd within ms (others are skipped). */
static int event_wait(struct mnl_socket *s, uint8_t cmd, int ms, struct event *e)
{
	char buf[16384];
	struct pollfd p = { .fd = mnl_socket_get_fd(s), .events = POLLIN };

	while (poll(&p, 1, ms) == 1) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		const struct genlmsghdr *g;
		struct nlattr *a;

		if (mnl_socket_recvfrom(s, buf, sizeof(buf)) <= 0)
			return -EIO;
		g = mnl_nlmsg_get_payload(nlh);
		if (g->cmd != cmd)
			continue;
		memset(e, 0, sizeof(*e));
		e->cmd = cmd;
		mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
			switch (mnl_attr_get_type(a)) {
			case DFC_A_OWNER:
				e->owner = mnl_attr_get_u32(a);
				break;
			case DFC_A_CDEST:
				e->cdest = mnl_attr_get_u32(a);
				break;
			case DFC_A_ID:
				if (e->n_ids < 8)
					e->ids[e->n_ids++] = mnl_attr_get_u64(a);
				break;
			case DFC_A_CRIT:
				mnl_attr_parse_nested(a, ev_crit_attr, e);
				e->n_ids++;
				break;
			}
			if (cmd == DFC_CMD_CDEST_CONGESTED &&
			    mnl_attr_get_type(a) == DFC_CDEST_A_CONGESTED)
				e->congested = mnl_attr_get_u8(a);
		}
		return 0;
	}
	return -ETIMEDOUT;
}

static int limits_set(struct dfc_nl *nl, uint32_t max_dup, uint32_t period)
{
	struct nlmsghdr *nlh = dfc_nl_msg_new(nl, DFC_CMD_LIMITS_SET, 0);

	mnl_attr_put_u32(nlh, DFC_STATS_A_MAX_DUP, max_dup);
	mnl_attr_put_u32(nlh, DFC_STATS_A_DUP_PERIOD, period);
	return dfc_nl_request(nl, nlh, NULL, NULL);
}

static int crit_exists(struct dfc_nl *nl, uint32_t owner, uint64_t id)
{
	struct nlmsghdr *nlh = dfc_nl_msg_new(nl, DFC_CMD_CRIT_GET, 0);

	mnl_attr_put_u32(nlh, DFC_A_OWNER, owner);
	mnl_attr_put_u64(nlh, DFC_A_ID, id);
	return dfc_nl_request(nl, nlh, NULL, NULL) == 0;
}

struct cstats {
	uint64_t v[DFC_CSTATS_A_MAX + 1];
};

static int cstats_attr(const struct nlattr *a, void *data)
{
	struct cstats *s = data;

	if (mnl_attr_get_type(a) <= DFC_CSTATS_A_MAX &&
	    mnl_attr_get_type(a) != DFC_CSTATS_A_PAD)
		s->v[mnl_attr_get_type(a)] = mnl_attr_get_u64(a);
	return MNL_CB_OK;
}

static int cdest_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(a) == DFC_CDEST_A_STATS)
			mnl_attr_parse_nested(a, cstats_attr, data);
	return MNL_CB_OK;
}

static int cdest_stats(struct dfc_nl *nl, uint32_t id, struct cstats *s)
{
	struct nlmsghdr *nlh = dfc_nl_msg_new(nl, DFC_CMD_CDEST_GET, 0);

	memset(s, 0, sizeof(*s));
	mnl_attr_put_u32(nlh, DFC_CDEST_A_ID, id);
	return dfc_nl_request(nl, nlh, cdest_cb, s);
}

/* Namespaces, tunnels and crypto modules are slow to set up under TCG. */
#define OUT_TEST(name) TEST_F_TIMEOUT(out, name, 180)

FIXTURE(out) {
	struct dfc_nl *nl;
};

FIXTURE_SETUP(out)
{
	const char *ko = getenv("DFC_KO");

	if (access("/sys/module/dfc", F_OK))
		ASSERT_EQ(0, sh("insmod %s", ko ? ko : "dfc.ko"));
	snprintf(gen_ns, sizeof(gen_ns), "dfcgen%d", getpid());
	snprintf(dst_ns, sizeof(dst_ns), "dfcdst%d", getpid());
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, sh(
		"ip netns add %1$s && ip netns add %2$s && ip link set lo up && "
		"ip netns exec %1$s sysctl -qw net.ipv6.conf.all.disable_ipv6=1 "
		"net.ipv6.conf.default.disable_ipv6=1 && "
		"ip -n %2$s link set lo up && "
		"ip link add m0 type veth peer name p0 netns %1$s && "
		"ip link set m0 up && ip -n %1$s link set p0 up && "
		"ip link add c0 type veth peer name d0 netns %2$s && "
		"ip link set c0 up mtu 1400 && ip -n %2$s link set d0 up mtu 1400 && "
		"ip addr add " MON_V4 "/24 dev c0 && ip -n %2$s addr add " DST_V4 "/24 dev d0 && "
		"ip addr add " MON_V6 "/64 dev c0 nodad && "
		"ip -n %2$s addr add " DST_V6 "/64 dev d0 nodad && "
		"ip -n %2$s link add ipip0 type ipip local " DST_V4 " remote " MON_V4 " && "
		"ip -n %2$s link add sit0x type sit local " DST_V4 " remote " MON_V4 " && "
		"ip -n %2$s link add t6 type ip6tnl mode any local " DST_V6 " remote " MON_V6 " && "
		"ip -n %2$s link set ipip0 up && ip -n %2$s link set sit0x up && "
		"ip -n %2$s link set t6 up && "
		"ip netns exec %2$s sysctl -qw net.ipv4.conf.all.rp_filter=0 "
		"net.ipv4.conf.ipip0.rp_filter=0 net.ipv4.conf.default.rp_filter=0",
		gen_ns, dst_ns));
	self->nl = dfc_nl_open();
	ASSERT_NE(NULL, self->nl);
	ASSERT_EQ(0, dfc_nl_iface_add(self->nl, 0, "m0", 0));
}

FIXTURE_TEARDOWN(out)
{
	dfc_nl_close(self->nl);
	sh("ip netns del %s; ip netns del %s", gen_ns, dst_ns);
}

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

/* ipsec-required and no SA: nothing leaves, every copy counted dropped. */
OUT_TEST(ipsec_required_fails_closed)
{
	int wire = in_dst(open_wire, NULL);
	struct cstats s;

	ASSERT_LE(0, wire);
	ASSERT_EQ(0, add_cdest(self->nl, 1, DST_V4, DFC_ENCAP_IPIP, 0,
			       DFC_CDEST_F_IPSEC_REQUIRED));
	ASSERT_EQ(0, add_crit(self->nl, 1, 1, 1, 1, 4));
	ASSERT_EQ(0, inject(7, "-k ipv4 -l 100"));
	EXPECT_EQ(0, wire_count(wire, IPPROTO_IPIP, 1500));
	ASSERT_EQ(0, cdest_stats(self->nl, 1, &s));
	EXPECT_EQ(0, s.v[DFC_CSTATS_A_COPIES]);
	EXPECT_EQ(7, s.v[DFC_CSTATS_A_NOIPSEC]);
	close(wire);
}

#define SPI_OUT "0x100"
#define KEY "0x0102030405060708090a0b0c0d0e0f1011121314"

/* With an ESP SA only ESP is on the wire, and it decrypts to the copy;
 * deleting the SA mid-stream switches to dropping at once.
 */
OUT_TEST(esp_protected_then_sa_deleted)
{
	int wire = in_dst(open_wire, NULL), fd = in_dst(open_dev, "ipip0");
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
	EXPECT_EQ(0, wire_count(wire, IPPROTO_IPIP, 300));

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
	/* One notice per losing owner, naming its criterion and count. */
	while (seen != ((1u << 3) | (1u << 4))) {
		ASSERT_EQ(0, event_wait(ev, DFC_CMD_DUP_DROPPED, 5000, &e));
		ASSERT_TRUE(e.owner == 3 || e.owner == 4) TH_LOG("owner %u", e.owner);
		EXPECT_EQ(1, e.n_ids);
		EXPECT_EQ(e.owner, e.ids[0]);
		EXPECT_EQ(4, e.dup[0]);
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

/* pktgen_load_hard_limit: a criterion's packet counter, by GET. */
static int crit_packets_cb(const struct dfc_nl_crit *c, void *data)
{
	*(uint64_t *)data = c->packets;
	return 0;
}

/* What pktgen in gen says it sent on p0 (its "pkts-sofar"), or -1. */
static long pktgen_sent(void)
{
	char cmd[256];
	long n = -1;
	FILE *p;

	snprintf(cmd, sizeof(cmd),
		 "ip netns exec %s sed -n 's/.*pkts-sofar: \\([0-9]*\\).*/\\1/p' "
		 "/proc/net/pktgen/p0", gen_ns);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (fscanf(p, "%ld", &n) != 1)
		n = -1;
	pclose(p);
	return n;
}

/*
 * The limits under the kernel's pktgen: 20000 frames of 100 bytes (86-byte
 * IP packets, 106-byte copies) from gen as fast as the guest sends them,
 * matched by three criteria of three owners toward one destination:
 * 1 (priority 1), 2 (priority 5, older) and 3 (priority 5, newer). The
 * burst stays in the 10 s average long enough to take it above the soft
 * limit and the hard limit (about 1.7 Mbit/s once all in). Congestion is
 * raised; the purge removes the worst criterion, 3, alone: its own recent
 * rate is as high as the destination's, so removing it brings the average
 * under the hard target, and 1 and 2 stay. Criterion 1, the best, carries
 * every copy: each frame it matched is either a copy or a counted drop.
 */
OUT_TEST(pktgen_load_hard_limit)
{
	const int count = 20000, frame = 100, copy = 86 + 20;
	struct mnl_socket *ev;
	struct dfc_iface_info ifi;
	struct dfc_stats st;
	struct nlmsghdr *nlh;
	uint64_t p1 = 0, p2 = 0, drops;
	struct cstats s;
	struct event e;
	long sent;

	if (sh("modprobe pktgen 2>/dev/null"))
		SKIP(return, "no pktgen module");
	ev = events_open(self->nl);
	ASSERT_NE(NULL, ev);
	ASSERT_EQ(0, add_cdest(self->nl, 1, DST_V4, DFC_ENCAP_IPIP, 0, 0));
	nlh = dfc_nl_msg_new(self->nl, DFC_CMD_CDEST_SET, 0);
	mnl_attr_put_u32(nlh, DFC_CDEST_A_ID, 1);
	mnl_attr_put_u64(nlh, DFC_CDEST_A_SOFT_LIMIT, 400000);
	mnl_attr_put_u64(nlh, DFC_CDEST_A_SOFT_CLEAR, 200000);
	mnl_attr_put_u64(nlh, DFC_CDEST_A_HARD_LIMIT, 800000);
	mnl_attr_put_u64(nlh, DFC_CDEST_A_HARD_TARGET, 700000);
	ASSERT_EQ(0, dfc_nl_request(self->nl, nlh, NULL, NULL));
	ASSERT_EQ(0, add_crit(self->nl, 1, 1, 1, 1, 4));
	ASSERT_EQ(0, add_crit(self->nl, 2, 2, 1, 5, 4));
	ASSERT_EQ(0, add_crit(self->nl, 3, 3, 1, 5, 4));

	/* pktgen is per namespace: configured and started from within gen. */
	ASSERT_EQ(0, sh("ip netns exec %s sh -c '"
			"pg() { echo \"$2\" > /proc/net/pktgen/$1 || exit 1; }; "
			"pg kpktgend_0 rem_device_all && pg kpktgend_0 \"add_device p0\" && "
			"pg p0 \"count %d\" && pg p0 \"pkt_size %d\" && pg p0 \"clone_skb 0\" && "
			"pg p0 \"delay 0\" && pg p0 \"src_min 192.0.2.1\" && "
			"pg p0 \"src_max 192.0.2.1\" && pg p0 \"dst 192.0.2.5\" && "
			"pg p0 \"dst_mac 02:00:00:00:00:99\" && pg pgctrl start'",
			gen_ns, count, frame));
	sent = pktgen_sent();
	sh("ip netns exec %s sh -c 'echo rem_device_all > /proc/net/pktgen/kpktgend_0'",
	   gen_ns);
	EXPECT_EQ(count, sent);

	/* Congestion first, then the purge, in the same once-a-second look. */
	ASSERT_EQ(0, event_wait(ev, DFC_CMD_CDEST_CONGESTED, 15000, &e));
	EXPECT_EQ(1, e.congested);
	ASSERT_EQ(0, event_wait(ev, DFC_CMD_CDEST_PURGED, 5000, &e));
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
	EXPECT_EQ((uint64_t)sent, ifi.stats.seen);
	EXPECT_EQ(ifi.stats.seen, ifi.stats.ipv4);
	EXPECT_EQ(ifi.stats.seen * frame, ifi.stats.bytes);

	/* The surviving criteria matched every frame. */
	ASSERT_EQ(0, dfc_nl_crit_get(self->nl, 1, 1, crit_packets_cb, &p1));
	ASSERT_EQ(0, dfc_nl_crit_get(self->nl, 2, 2, crit_packets_cb, &p2));
	EXPECT_EQ(ifi.stats.seen, p1);
	EXPECT_EQ(ifi.stats.seen, p2);

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
		s.v[DFC_CSTATS_A_DUPCAP];
	EXPECT_EQ(p1, s.v[DFC_CSTATS_A_COPIES] + drops)
		TH_LOG("copies %llu drops %llu", (unsigned long long)s.v[DFC_CSTATS_A_COPIES],
		       (unsigned long long)drops);
	EXPECT_EQ(0, s.v[DFC_CSTATS_A_DUPCAP]);
	EXPECT_EQ(0, s.v[DFC_CSTATS_A_RATELIMIT]);
	EXPECT_LT(0, s.v[DFC_CSTATS_A_COPIES]);
	EXPECT_EQ(s.v[DFC_CSTATS_A_COPIES] * copy, s.v[DFC_CSTATS_A_BYTES]);
	/* The 10 s average: above the hard limit, at most all bytes in 10 s. */
	EXPECT_LT(800000, s.v[DFC_CSTATS_A_RATE]);
	EXPECT_GE(s.v[DFC_CSTATS_A_BYTES] * 8 / 10, s.v[DFC_CSTATS_A_RATE]);

	/* The namespace agrees: every frame matched, every copy counted. */
	ASSERT_EQ(0, dfc_nl_stats_get(self->nl, &st));
	EXPECT_EQ(ifi.stats.seen, st.matched);
	EXPECT_EQ(s.v[DFC_CSTATS_A_COPIES], st.copies);
	EXPECT_EQ(0, st.dup_dropped);
	mnl_socket_close(ev);
}

TEST_HARNESS_MAIN
