// SPDX-License-Identifier: GPL-2.0
/*
 * dfcctl's xfrm matching (tools/dfcctl/ipsec_match.c): which policy and
 * SA the kernel picks for a destination's copies. The guest test
 * ipsec_view.sh checks the same against the real kernel.
 */
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/xfrm.h>

#include "kselftest_harness.h"
#include "ipsec_match.h"

static void ip(uint8_t a[16], const char *s)
{
	memset(a, 0, 16);
	if (inet_pton(AF_INET, s, a) != 1 && inet_pton(AF_INET6, s, a) != 1)
		abort();
}

static struct dfc_ipsec_flow flow(const char *src, const char *dst, uint8_t proto,
				  uint16_t dport)
{
	struct dfc_ipsec_flow f = { .family = strchr(dst, ':') ? AF_INET6 : AF_INET,
				    .proto = proto, .dport = dport };

	ip(f.daddr, dst);
	if (src) {
		ip(f.saddr, src);
		f.has_saddr = true;
	}
	return f;
}

static struct dfc_ipsec_sel sel(const char *src, unsigned int ps, const char *dst,
				unsigned int pd, uint8_t proto)
{
	struct dfc_ipsec_sel s = { .family = strchr(dst, ':') ? AF_INET6 : AF_INET,
				   .prefixlen_s = (uint8_t)ps, .prefixlen_d = (uint8_t)pd,
				   .proto = proto };

	ip(s.saddr, src);
	ip(s.daddr, dst);
	return s;
}

TEST(selector)
{
	struct dfc_ipsec_flow ipip = flow("192.0.2.1", "192.0.2.2", IPPROTO_IPIP, 0);
	struct dfc_ipsec_flow ip6in = flow("192.0.2.1", "192.0.2.2", IPPROTO_IPV6, 0);
	struct dfc_ipsec_flow udp = flow("192.0.2.1", "192.0.2.2", IPPROTO_UDP, 4789);
	struct dfc_ipsec_flow nosrc = flow(NULL, "192.0.2.2", IPPROTO_IPIP, 0);
	struct dfc_ipsec_flow v6 = flow("2001:db8::1", "2001:db8:1::9", IPPROTO_IPV6, 0);
	struct dfc_ipsec_sel s;

	/* the demo's: host to host, any protocol */
	s = sel("192.0.2.1", 32, "192.0.2.2", 32, 0);
	EXPECT_TRUE(dfc_ipsec_sel_match(&s, &ipip));
	EXPECT_TRUE(dfc_ipsec_sel_match(&s, &ip6in));
	EXPECT_TRUE(dfc_ipsec_sel_match(&s, &udp));
	/* a source restriction needs a known source */
	EXPECT_FALSE(dfc_ipsec_sel_match(&s, &nosrc));
	s.prefixlen_s = 0;
	EXPECT_TRUE(dfc_ipsec_sel_match(&s, &nosrc));
	/* protocol 4 only: IPv6-inner copies (41) are not covered */
	s = sel("0.0.0.0", 0, "192.0.2.2", 32, IPPROTO_IPIP);
	EXPECT_TRUE(dfc_ipsec_sel_match(&s, &ipip));
	EXPECT_FALSE(dfc_ipsec_sel_match(&s, &ip6in));
	/* prefixes: /24 holds .2, /31 of .0 does not */
	s = sel("0.0.0.0", 0, "192.0.2.0", 24, 0);
	EXPECT_TRUE(dfc_ipsec_sel_match(&s, &ipip));
	s = sel("0.0.0.0", 0, "192.0.2.0", 31, 0);
	EXPECT_FALSE(dfc_ipsec_sel_match(&s, &ipip));
	s = sel("0.0.0.0", 0, "192.0.2.3", 31, 0);
	EXPECT_TRUE(dfc_ipsec_sel_match(&s, &ipip));
	/* UDP and its port, under the mask */
	s = sel("0.0.0.0", 0, "192.0.2.2", 32, IPPROTO_UDP);
	s.dport = 4789;
	s.dport_mask = 0xffff;
	EXPECT_TRUE(dfc_ipsec_sel_match(&s, &udp));
	EXPECT_FALSE(dfc_ipsec_sel_match(&s, &ipip));
	s.dport = 4790;
	EXPECT_FALSE(dfc_ipsec_sel_match(&s, &udp));
	s.dport_mask = 0;
	EXPECT_TRUE(dfc_ipsec_sel_match(&s, &udp));
	/* a port on an any-protocol selector: protocol 4 carries none */
	s = sel("0.0.0.0", 0, "192.0.2.2", 32, 0);
	s.dport = 4789;
	s.dport_mask = 0xffff;
	EXPECT_FALSE(dfc_ipsec_sel_match(&s, &ipip));
	/* the other family, an interface */
	s = sel("::", 0, "2001:db8:1::", 48, 0);
	EXPECT_TRUE(dfc_ipsec_sel_match(&s, &v6));
	EXPECT_FALSE(dfc_ipsec_sel_match(&s, &ipip));
	s.ifindex = 3;
	EXPECT_FALSE(dfc_ipsec_sel_match(&s, &v6));
}

TEST(policy_pick)
{
	struct dfc_ipsec_flow f = flow("192.0.2.1", "192.0.2.2", IPPROTO_IPIP, 0);
	struct dfc_ipsec_pol v[5] = {
		{ .sel = sel("0.0.0.0", 0, "192.0.2.2", 32, 0), .priority = 10, .index = 9,
		  .dir = XFRM_POLICY_IN },
		{ .sel = sel("0.0.0.0", 0, "192.0.2.0", 24, 0), .priority = 20, .index = 1,
		  .dir = XFRM_POLICY_OUT },
		{ .sel = sel("0.0.0.0", 0, "192.0.2.2", 32, 0), .priority = 5, .index = 17,
		  .dir = XFRM_POLICY_OUT, .mark_v = 7, .mark_m = 0xff },
		{ .sel = sel("0.0.0.0", 0, "192.0.2.2", 32, IPPROTO_UDP), .priority = 1,
		  .index = 25, .dir = XFRM_POLICY_OUT },
		{ .sel = sel("0.0.0.0", 0, "192.0.2.2", 32, 0), .priority = 20, .index = 33,
		  .dir = XFRM_POLICY_OUT },
	};

	/* in-bound, marked and UDP-only ones never; of the two equal, the older index */
	EXPECT_EQ(1, dfc_ipsec_policy_pick(v, 5, &f));
	v[4].priority = 19;
	EXPECT_EQ(4, dfc_ipsec_policy_pick(v, 5, &f));
	EXPECT_EQ(-1, dfc_ipsec_policy_pick(v, 1, &f));
	f.proto = IPPROTO_UDP;
	EXPECT_EQ(3, dfc_ipsec_policy_pick(v, 5, &f));
}

TEST(sa_pick)
{
	struct dfc_ipsec_flow f = flow("198.51.100.1", "198.51.100.2", IPPROTO_IPIP, 0);
	struct dfc_ipsec_tmpl tun = { .family = AF_INET, .reqid = 257, .proto = IPPROTO_ESP,
				      .mode = XFRM_MODE_TUNNEL };
	struct dfc_ipsec_sa v[5];
	unsigned int fit;

	ip(tun.saddr, "198.51.100.1");
	ip(tun.daddr, "198.51.100.2");
	for (int i = 0; i < 5; i++) {
		v[i] = (struct dfc_ipsec_sa){ .family = AF_INET, .reqid = 257, .proto = IPPROTO_ESP,
					      .mode = XFRM_MODE_TUNNEL, .spi = 0x100 + i,
					      .add_time = 1000 + i };
		ip(v[i].saddr, "198.51.100.1");
		ip(v[i].daddr, "198.51.100.2");
	}
	v[0].reqid = 1;				/* another policy's */
	ip(v[1].daddr, "198.51.100.3");		/* another peer */
	v[4].spi = 0;				/* larval */
	/* two fit (a rekey): the newer */
	EXPECT_EQ(3, dfc_ipsec_sa_pick(v, 5, &tun, &f, &fit));
	EXPECT_EQ(2, fit);
	/* the newer one dying: the other */
	v[3].dying = true;
	EXPECT_EQ(2, dfc_ipsec_sa_pick(v, 5, &tun, &f, &fit));
	EXPECT_EQ(2, fit);
	/* a template naming an SPI takes that one only */
	tun.spi = 0x103;
	EXPECT_EQ(3, dfc_ipsec_sa_pick(v, 5, &tun, &f, &fit));
	EXPECT_EQ(1, fit);
	tun.spi = 0;
	/* transport mode: the flow's own ends, and the SA's selector */
	tun.mode = XFRM_MODE_TRANSPORT;
	memset(tun.daddr, 0, 16);
	EXPECT_EQ(-1, dfc_ipsec_sa_pick(v, 5, &tun, &f, &fit));
	EXPECT_EQ(0, fit);
	v[2].mode = XFRM_MODE_TRANSPORT;
	v[2].sel = sel("0.0.0.0", 0, "198.51.100.2", 32, IPPROTO_UDP);
	EXPECT_EQ(-1, dfc_ipsec_sa_pick(v, 5, &tun, &f, &fit));
	v[2].sel.proto = 0;
	EXPECT_EQ(2, dfc_ipsec_sa_pick(v, 5, &tun, &f, &fit));
	EXPECT_EQ(1, fit);
	/* an SA from another source address does not serve */
	ip(v[2].saddr, "198.51.100.9");
	EXPECT_EQ(-1, dfc_ipsec_sa_pick(v, 5, &tun, &f, &fit));
	/* unless the copies' source is not known */
	f.has_saddr = false;
	EXPECT_EQ(2, dfc_ipsec_sa_pick(v, 5, &tun, &f, &fit));
}

TEST_HARNESS_MAIN
