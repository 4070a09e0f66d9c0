/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the output tests share (output_api.c, output_ops.c): the topology,
 * in the guest,
 *
 *   gen: p0 --veth-- m0 :mon (the test process; dfc on m0)
 *                    c0 --veth-- d0 :dst (content destination)
 *
 * mon reaches dst over 198.51.100.0/24 and 2001:db8:c::/64. In dst, tunnel
 * devices (ipip, sit, ip6tnl) and UDP sockets decapsulate the copies.
 */
#ifndef _DFC_OUTPUT_LIB_H
#define _DFC_OUTPUT_LIB_H

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
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "guest_harness.h"
#include "dfc_nl.h"

#define MON_V4 "198.51.100.1"
#define DST_V4 "198.51.100.2"
#define MON_V6 "2001:db8:c::1"
#define DST_V6 "2001:db8:c::2"

static char gen_ns[64], dst_ns[64];

static inline int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline int sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

/* Lines of `ip -batch` (printf-style), in namespace ns (NULL: ours): 0 if all worked. */
static inline int ip_batch(const char *ns, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline int ip_batch(const char *ns, const char *fmt, ...)
{
	char cmd[256];
	va_list ap;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "ip %s%s -batch -", ns ? "-n " : "", ns ?: "");
	p = popen(cmd, "w");
	if (!p)
		return -1;
	va_start(ap, fmt);
	vfprintf(p, fmt, ap);
	va_end(ap);
	st = pclose(p);
	return st == 0 ? 0 : -1;
}

static inline const char *top(void)
{
	return getenv("DFC_TOP") ?: ".";
}

/* Send n frames from gen; the IP packet they carry lands in /tmp/pkt.<pid>. */
static inline int inject(int n, const char *args)
{
	return sh("ip netns exec %s %s/build/selftests/inject -i p0 -n %d %s -w /tmp/pkt.%d >/dev/null",
		  gen_ns, top(), n, args, getpid());
}

static inline ssize_t expected(uint8_t *buf, size_t len)
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

/* fn's socket, created in namespace name. */
static inline int in_ns(const char *name, int (*fn)(const void *), const void *arg)
{
	char path[128];
	int self = open("/proc/self/ns/net", O_RDONLY), ns, fd;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
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

/* Run fn's socket creation inside the dst namespace. */
static inline int in_dst(int (*fn)(const void *), const void *arg)
{
	return in_ns(dst_ns, fn, arg);
}

/*
 * Decapsulated packets as the tunnel device delivers them. The socket takes
 * its protocol at bind(), not before: a packet socket created with one
 * receives from every device of the namespace until it is bound, and a
 * frame of d0 queued in that moment would be counted as a copy.
 */
static inline int open_dev(const void *name)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(ETH_P_ALL) };
	int fd = socket(AF_PACKET, SOCK_DGRAM, 0);

	sll.sll_ifindex = (int)if_nametoindex(name);
	if (fd < 0 || !sll.sll_ifindex || bind(fd, (struct sockaddr *)&sll, sizeof(sll)))
		return -1;
	return fd;
}

/* Flow-tap copies: the payload of UDP datagrams to this port. */
static inline int open_udp(const void *port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6,
				  .sin6_port = htons(*(const uint16_t *)port) };
	int fd = socket(AF_INET6, SOCK_DGRAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)))
		return -1;
	return fd;
}

/* The device a packet socket is bound to (0 for any other socket). */
static inline int bound_ifindex(int fd)
{
	struct sockaddr_ll me;
	socklen_t len = sizeof(me);

	if (getsockname(fd, (struct sockaddr *)&me, &len) || me.sll_family != AF_PACKET)
		return 0;
	return me.sll_ifindex;
}

/*
 * Count what arrives within ms; each must equal want[0..wlen) and, on a
 * packet socket, come from the device it is bound to.
 */
static inline int collect(int fd, const uint8_t *want, ssize_t wlen, int ms, int *bad)
{
	uint8_t buf[70000];
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int n = 0, ifindex = bound_ifindex(fd);

	*bad = 0;
	while (poll(&p, 1, ms) == 1) {
		struct sockaddr_ll from;
		socklen_t flen = sizeof(from);
		ssize_t r = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);

		if (r < 0)
			break;
		/* What the destination's own stack sends on the device (RS, MLD) is no copy. */
		if (flen >= sizeof(from) && from.sll_family == AF_PACKET &&
		    from.sll_pkttype == PACKET_OUTGOING)
			continue;
		n++;
		if (r != wlen || memcmp(buf, want, (size_t)wlen) ||
		    (ifindex && from.sll_ifindex != ifindex))
			(*bad)++;
		ms = 500;
	}
	return n;
}

/* Packets of an IP protocol seen on d0 (outer headers). */
static inline int open_wire(const void *unused)
{
	(void)unused;
	return open_dev("d0");
}

static inline int wire_count(int fd, int proto, int ms)
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

/* Packets received on fd by IP protocol (outer), until ms pass quietly. */
static inline void wire_counts(int fd, int ms, int seen[256])
{
	uint8_t buf[70000];
	struct pollfd p = { .fd = fd, .events = POLLIN };

	memset(seen, 0, 256 * sizeof(*seen));
	while (poll(&p, 1, ms) == 1) {
		ssize_t r = recv(fd, buf, sizeof(buf), 0);

		if (r < 40)
			continue;
		if ((buf[0] >> 4) == 4)
			seen[buf[9]]++;
		else if ((buf[0] >> 4) == 6)
			seen[buf[6]]++;
		ms = 300;
	}
}

static inline int add_cdest(struct dfc_nl *nl, uint32_t id, const char *addr, uint8_t encap,
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
static inline int add_crit(struct dfc_nl *nl, uint32_t owner, uint64_t id, uint32_t cdest,
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
static inline struct mnl_socket *events_open(struct dfc_nl *nl)
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

static inline int ev_crit_attr(const struct nlattr *a, void *data)
{
	struct event *e = data;

	if (mnl_attr_get_type(a) == DFC_CRIT_A_ID && e->n_ids < 8)
		e->ids[e->n_ids] = mnl_attr_get_u64(a);
	if (mnl_attr_get_type(a) == DFC_CRIT_A_DUP_DROPPED && e->n_ids < 8)
		e->dup[e->n_ids] = mnl_attr_get_u64(a);
	return MNL_CB_OK;
}

/* The next event of kind cmd within ms (others are skipped). */
static inline int event_wait(struct mnl_socket *s, uint8_t cmd, int ms, struct event *e)
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

static inline int limits_set(struct dfc_nl *nl, uint32_t max_dup, uint32_t period)
{
	struct nlmsghdr *nlh = dfc_nl_msg_new(nl, DFC_CMD_LIMITS_SET, 0);

	mnl_attr_put_u32(nlh, DFC_STATS_A_MAX_DUP, max_dup);
	mnl_attr_put_u32(nlh, DFC_STATS_A_DUP_PERIOD, period);
	return dfc_nl_request(nl, nlh, NULL, NULL);
}

/* A criterion of n entries toward cdest that ends after limit frames. */
static inline int add_crit_limited(struct dfc_nl *nl, uint32_t owner, uint64_t id,
				   uint32_t cdest, uint64_t limit, struct dfc_nl_entry *e,
				   unsigned int n)
{
	struct dfc_nl_crit c = { .id = id, .prio = 1, .cdest = cdest, .limit_packets = limit,
				 .n_entries = n, .entries = e };
	unsigned int done;

	return dfc_nl_crit_add(nl, owner, &c, 1, &done);
}

/* dfc_nl_crit_get's callback: the criterion's packet counter, into a uint64_t. */
static inline int crit_packets_cb(const struct dfc_nl_crit *c, void *data)
{
	*(uint64_t *)data = c->packets;
	return 0;
}

/* Frames the criterion matched so far, or -1 (no such criterion). */
static inline int64_t crit_packets(struct dfc_nl *nl, uint32_t owner, uint64_t id)
{
	uint64_t n;

	if (dfc_nl_crit_get(nl, owner, id, crit_packets_cb, &n))
		return -1;
	return (int64_t)n;
}

static inline int crit_exists(struct dfc_nl *nl, uint32_t owner, uint64_t id)
{
	struct nlmsghdr *nlh = dfc_nl_msg_new(nl, DFC_CMD_CRIT_GET, 0);

	mnl_attr_put_u32(nlh, DFC_A_OWNER, owner);
	mnl_attr_put_u64(nlh, DFC_A_ID, id);
	return dfc_nl_request(nl, nlh, NULL, NULL) == 0;
}

struct cstats {
	uint64_t v[DFC_CSTATS_A_MAX + 1];
};

static inline int cstats_attr(const struct nlattr *a, void *data)
{
	struct cstats *s = data;

	if (mnl_attr_get_type(a) <= DFC_CSTATS_A_MAX &&
	    mnl_attr_get_type(a) != DFC_CSTATS_A_PAD)
		s->v[mnl_attr_get_type(a)] = mnl_attr_get_u64(a);
	return MNL_CB_OK;
}

static inline int cdest_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(a) == DFC_CDEST_A_STATS)
			mnl_attr_parse_nested(a, cstats_attr, data);
	return MNL_CB_OK;
}

static inline int cdest_stats(struct dfc_nl *nl, uint32_t id, struct cstats *s)
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
	/*
	 * One ip process per namespace (their sysctls apart): processes are
	 * slow to start under TCG, and every test sets this up again.
	 */
	ASSERT_EQ(0, sh("ip netns add %1$s && ip netns add %2$s && "
			"ip netns exec %1$s sysctl -qw net.ipv6.conf.all.disable_ipv6=1 "
			"net.ipv6.conf.default.disable_ipv6=1 && "
			"ip netns exec %2$s sysctl -qw net.ipv4.conf.all.rp_filter=0 "
			"net.ipv4.conf.default.rp_filter=0", gen_ns, dst_ns));
	/* ipip0 and the other tunnels below take rp_filter from default. */
	ASSERT_EQ(0, ip_batch(NULL,
		"link set lo up\n"
		"link add m0 type veth peer name p0 netns %1$s\n"
		"link set m0 up\n"
		"link add c0 type veth peer name d0 netns %2$s\n"
		"link set c0 up mtu 1400\n"
		"addr add " MON_V4 "/24 dev c0\n"
		"addr add " MON_V6 "/64 dev c0 nodad\n", gen_ns, dst_ns));
	ASSERT_EQ(0, ip_batch(gen_ns, "link set p0 up\n"));
	ASSERT_EQ(0, ip_batch(dst_ns,
		"link set lo up\n"
		"link set d0 up mtu 1400\n"
		"addr add " DST_V4 "/24 dev d0\n"
		"addr add " DST_V6 "/64 dev d0 nodad\n"
		"link add ipip0 type ipip local " DST_V4 " remote " MON_V4 "\n"
		"link add sit0x type sit local " DST_V4 " remote " MON_V4 "\n"
		"link add t6 type ip6tnl mode any local " DST_V6 " remote " MON_V6 "\n"
		"link set ipip0 up\n"
		"link set sit0x up\n"
		"link set t6 up\n"));
	self->nl = dfc_nl_open();
	ASSERT_NE(NULL, self->nl);
	ASSERT_EQ(0, dfc_nl_iface_add(self->nl, 0, "m0", 0));
}

FIXTURE_TEARDOWN(out)
{
	dfc_nl_close(self->nl);
	sh("ip netns del %s; ip netns del %s", gen_ns, dst_ns);
}


static inline long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000L + t.tv_nsec / 1000000;
}

/* What pktgen in gen says it sent on p0 (its "pkts-sofar"), or -1. */
static inline long pktgen_sent(void)
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

/* Every copy the destination dropped, whatever the cause. */
static inline uint64_t drops(const struct cstats *s)
{
	return s->v[DFC_CSTATS_A_NOMEM] + s->v[DFC_CSTATS_A_NOROUTE] +
	       s->v[DFC_CSTATS_A_NOIPSEC] + s->v[DFC_CSTATS_A_TOOBIG] +
	       s->v[DFC_CSTATS_A_LOOP] + s->v[DFC_CSTATS_A_RATELIMIT] +
	       s->v[DFC_CSTATS_A_DUPCAP] + s->v[DFC_CSTATS_A_TXERR];
}

#endif /* _DFC_OUTPUT_LIB_H */
