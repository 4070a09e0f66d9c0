// SPDX-License-Identifier: GPL-2.0
/*
 * Host-tier unit tests of lib/dfc_spec.c and lib/dfc_spec_expand.c: the
 * DTCP filter value parser (every value form, IPv4 and IPv6, every error
 * with its message), the expansion into disjoint prefix-aligned entries
 * and exclusions (exact blocks, merging, negation, bounds), and the naive
 * matcher's semantics.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "dfc_spec.h"

#define MAXE DFC_CRIT_MAX_ENTRIES
#define MAXX DFC_CRIT_MAX_EXCL

static struct dfc_nl_entry ents[MAXE], excls[MAXX];

static void addr(const char *s, uint8_t a[16])
{
	memset(a, 0, 16);
	if (inet_pton(AF_INET, s, a) != 1 && inet_pton(AF_INET6, s, a) != 1)
		abort();
}

static int parse(struct dfc_spec *s, enum dfc_spec_field f, const char *v)
{
	const char *why = NULL;
	int err = dfc_spec_parse_field(s, f, v, &why);

	if (err)
		fprintf(stderr, "# '%s': %s\n", v, why);
	return err;
}

/* Expect an error whose message contains msg; s must be left unchanged. */
static bool parse_fails(enum dfc_spec_field f, const char *v, const char *msg)
{
	static struct dfc_spec s, copy;
	const char *why = NULL;
	int err;

	memset(&s, 0, sizeof(s));
	s.ipver = 4;
	s.sport.n = 1;
	s.sport.item[0].lo = 7;
	s.sport.item[0].hi = 7;
	copy = s;
	err = dfc_spec_parse_field(&s, f, v, &why);
	if (err != -EINVAL || !why || !strstr(why, msg) ||
	    memcmp(&s, &copy, sizeof(s))) {
		fprintf(stderr, "# '%s': err %d why '%s', want '%s'\n", v, err,
			why ? why : "(null)", msg);
		return false;
	}
	return true;
}

static int expand(const struct dfc_spec *s, unsigned int *ne, unsigned int *nx,
		  const char **why)
{
	return dfc_spec_expand(s, ents, MAXE, ne, excls, MAXX, nx, why);
}

static bool addr_eq(const struct dfc_spec_addr *it, const char *lo,
		    const char *hi, unsigned int alen)
{
	uint8_t l[16], h[16];

	addr(lo, l);
	addr(hi, h);
	return !memcmp(it->lo, l, alen) && !memcmp(it->hi, h, alen);
}

TEST(parse_ipv4_forms)
{
	struct dfc_spec s = { 0 };
	const struct dfc_spec_addr *it = s.src.item;

	ASSERT_EQ(0, parse(&s, DFC_SPEC_SRC,
			   "10.1.1.1, 10.1.1.7/24,10.0.0.1-10.0.0.9, "
			   "192.168.0.0-*,*-1.2.3.4 ,\t*, !10.1.1.5, ! 10.2.0.0/16,"
			   "1.2.3.4 - 1.2.3.5, 0.0.0.0/0, 10.0.0.1/32"));
	ASSERT_EQ(11, s.src.n);
	EXPECT_EQ(4, s.ipver);
	EXPECT_TRUE(addr_eq(&it[0], "10.1.1.1", "10.1.1.1", 4));
	EXPECT_TRUE(addr_eq(&it[1], "10.1.1.0", "10.1.1.255", 4));
	EXPECT_TRUE(addr_eq(&it[2], "10.0.0.1", "10.0.0.9", 4));
	EXPECT_TRUE(addr_eq(&it[3], "192.168.0.0", "255.255.255.255", 4));
	EXPECT_TRUE(addr_eq(&it[4], "0.0.0.0", "1.2.3.4", 4));
	EXPECT_TRUE(addr_eq(&it[5], "0.0.0.0", "255.255.255.255", 4));
	EXPECT_TRUE(addr_eq(&it[6], "10.1.1.5", "10.1.1.5", 4));
	EXPECT_TRUE(it[6].neg);
	EXPECT_TRUE(addr_eq(&it[7], "10.2.0.0", "10.2.255.255", 4));
	EXPECT_TRUE(it[7].neg);
	EXPECT_TRUE(addr_eq(&it[8], "1.2.3.4", "1.2.3.5", 4));
	EXPECT_TRUE(addr_eq(&it[9], "0.0.0.0", "255.255.255.255", 4));
	EXPECT_TRUE(addr_eq(&it[10], "10.0.0.1", "10.0.0.1", 4));
	for (unsigned int i = 0; i < 6; i++)
		EXPECT_FALSE(it[i].neg);
}

TEST(parse_ipv6_forms)
{
	struct dfc_spec s = { 0 };
	const struct dfc_spec_addr *it = s.dst.item;

	ASSERT_EQ(0, parse(&s, DFC_SPEC_DST,
			   "2001:db8::1,2001:db8:1::/48, ::1-::ff, fe80::-*, *-::ffff,"
			   " !2001:db8::/127, ::ffff:10.0.0.1, ::/0, 2001:db8::1:2:3:4/128"));
	ASSERT_EQ(9, s.dst.n);
	EXPECT_EQ(6, s.ipver);
	EXPECT_TRUE(addr_eq(&it[0], "2001:db8::1", "2001:db8::1", 16));
	EXPECT_TRUE(addr_eq(&it[1], "2001:db8:1::",
			    "2001:db8:1:ffff:ffff:ffff:ffff:ffff", 16));
	EXPECT_TRUE(addr_eq(&it[2], "::1", "::ff", 16));
	EXPECT_TRUE(addr_eq(&it[3], "fe80::",
			    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 16));
	EXPECT_TRUE(addr_eq(&it[4], "::", "::ffff", 16));
	EXPECT_TRUE(addr_eq(&it[5], "2001:db8::", "2001:db8::1", 16));
	EXPECT_TRUE(it[5].neg);
	EXPECT_TRUE(addr_eq(&it[6], "::ffff:10.0.0.1", "::ffff:10.0.0.1", 16));
	EXPECT_TRUE(addr_eq(&it[7], "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 16));
	EXPECT_TRUE(addr_eq(&it[8], "2001:db8::1:2:3:4", "2001:db8::1:2:3:4", 16));

	/* The other address field must agree; "*" fits either. */
	EXPECT_EQ(0, parse(&s, DFC_SPEC_SRC, "*"));
	EXPECT_EQ(0, parse(&s, DFC_SPEC_SRC, "2001:db8::/32"));
	EXPECT_EQ(-EINVAL, dfc_spec_parse_field(&s, DFC_SPEC_SRC, "10.0.0.1", NULL));
	EXPECT_EQ(6, s.ipver);
}

TEST(parse_wildcard_address_sets_no_version)
{
	struct dfc_spec s = { 0 };

	ASSERT_EQ(0, parse(&s, DFC_SPEC_SRC, "*"));
	EXPECT_EQ(0, s.ipver);
	ASSERT_EQ(0, parse(&s, DFC_SPEC_DST, "!*"));
	EXPECT_EQ(0, s.ipver);
	EXPECT_TRUE(s.dst.item[0].neg);
	ASSERT_EQ(0, parse(&s, DFC_SPEC_DST, "10.0.0.0/8"));
	EXPECT_EQ(4, s.ipver);
}

TEST(parse_numeric_forms)
{
	struct dfc_spec s = { 0 };
	const struct dfc_spec_num *it = s.dport.item;

	ASSERT_EQ(0, parse(&s, DFC_SPEC_DPORT,
			   "80,443, 1024-65535,1024-*, *-1023,*, !22, ! 8000-8080, 0, 065535"));
	ASSERT_EQ(10, s.dport.n);
	EXPECT_EQ(80, it[0].lo); EXPECT_EQ(80, it[0].hi);
	EXPECT_EQ(443, it[1].lo); EXPECT_EQ(443, it[1].hi);
	EXPECT_EQ(1024, it[2].lo); EXPECT_EQ(65535, it[2].hi);
	EXPECT_EQ(1024, it[3].lo); EXPECT_EQ(65535, it[3].hi);
	EXPECT_EQ(0, it[4].lo); EXPECT_EQ(1023, it[4].hi);
	EXPECT_EQ(0, it[5].lo); EXPECT_EQ(65535, it[5].hi);
	EXPECT_EQ(22, it[6].lo); EXPECT_TRUE(it[6].neg);
	EXPECT_EQ(8000, it[7].lo); EXPECT_EQ(8080, it[7].hi); EXPECT_TRUE(it[7].neg);
	EXPECT_EQ(0, it[8].lo); EXPECT_EQ(0, it[8].hi);
	EXPECT_EQ(65535, it[9].lo);
	EXPECT_EQ(0, s.ipver);

	ASSERT_EQ(0, parse(&s, DFC_SPEC_PROTO, "6, 17,!1, 132-136, *-3, 250-*"));
	ASSERT_EQ(6, s.proto.n);
	EXPECT_EQ(250, s.proto.item[5].lo); EXPECT_EQ(255, s.proto.item[5].hi);
	ASSERT_EQ(0, parse(&s, DFC_SPEC_ICMP_TYPE, "8,0"));
	ASSERT_EQ(0, parse(&s, DFC_SPEC_ICMP_CODE, "*"));
	EXPECT_EQ(0, s.icmp_code.item[0].lo); EXPECT_EQ(255, s.icmp_code.item[0].hi);
	ASSERT_EQ(0, parse(&s, DFC_SPEC_SPORT, "5"));

	/* Replacing a field. */
	ASSERT_EQ(0, parse(&s, DFC_SPEC_DPORT, "53"));
	EXPECT_EQ(1, s.dport.n);
	EXPECT_EQ(53, s.dport.item[0].lo);
}

TEST(parse_errors)
{
	EXPECT_TRUE(parse_fails(DFC_SPEC_DPORT, "65536", "'65536': port above 65535"));
	EXPECT_TRUE(parse_fails(DFC_SPEC_DPORT, "99999999999999999999", "above 65535"));
	EXPECT_TRUE(parse_fails(DFC_SPEC_DPORT, "-1", "port expected"));
	EXPECT_TRUE(parse_fails(DFC_SPEC_DPORT, "abc", "'abc': port expected"));
	EXPECT_TRUE(parse_fails(DFC_SPEC_DPORT, "0x10", "port expected"));
	EXPECT_TRUE(parse_fails(DFC_SPEC_DPORT, "+5", "port expected"));
	EXPECT_TRUE(parse_fails(DFC_SPEC_DPORT, "80-", "port expected"));
	EXPECT_TRUE(parse_fails(DFC_SPEC_DPORT, "1 2", "port expected"));
	EXPECT_TRUE(parse_fails(DFC_SPEC_DPORT, "10-5", "range start above its end"));
	EXPECT_TRUE(parse_fails(DFC_SPEC_DPORT, "*-*", "port expected"));
	EXPECT_TRUE(parse_fails(DFC_SPEC_DPORT, "*80", "'*-' expected"));
	EXPECT_TRUE(parse_fails(DFC_SPEC_DPORT, "", "Dest-Port: no value"));
	EXPECT_TRUE(parse_fails(DFC_SPEC_DPORT, " \t", "no value"));
	EXPECT_TRUE(parse_fails(DFC_SPEC_DPORT, "80,", "empty item"));
	EXPECT_TRUE(parse_fails(DFC_SPEC_DPORT, ",80", "empty item"));
	EXPECT_TRUE(parse_fails(DFC_SPEC_DPORT, "80,,443", "empty item"));
	EXPECT_TRUE(parse_fails(DFC_SPEC_DPORT, "!", "empty item"));
	EXPECT_TRUE(parse_fails(DFC_SPEC_DPORT, "!!80", "port expected"));
	EXPECT_TRUE(parse_fails(DFC_SPEC_DPORT, "80/8", "port expected"));
	EXPECT_TRUE(parse_fails(DFC_SPEC_PROTO, "256", "protocol above 255"));
	EXPECT_TRUE(parse_fails(DFC_SPEC_ICMP_TYPE, "300", "ICMP type above 255"));
	EXPECT_TRUE(parse_fails(DFC_SPEC_ICMP_CODE, "x", "ICMP code expected"));
	EXPECT_TRUE(parse_fails(DFC_SPEC_SRC, "10.0.0.256", "'10.0.0.256': not an IPv4 or IPv6 address"));
	EXPECT_TRUE(parse_fails(DFC_SPEC_SRC, "10.0.0", "not an IPv4 or IPv6"));
	EXPECT_TRUE(parse_fails(DFC_SPEC_SRC, "10.0.0.1/33", "prefix length above 32"));
	EXPECT_TRUE(parse_fails(DFC_SPEC_SRC, "10.0.0.1/", "prefix length expected"));
	EXPECT_TRUE(parse_fails(DFC_SPEC_SRC, "10.0.0.0/8/9", "prefix length expected"));
	EXPECT_TRUE(parse_fails(DFC_SPEC_SRC, "10.0.0.9-10.0.0.1", "range start above its end"));
	EXPECT_TRUE(parse_fails(DFC_SPEC_SRC, "10.0.0.1-::1", "IPv4 and IPv6 mixed in one range"));
	/* parse_fails() starts from an IPv4 criterion (a mixed list is fine: see mixed_versions). */
	EXPECT_TRUE(parse_fails(DFC_SPEC_DST, "::1", "Dest-Address: IPv6, but the criterion is IPv4"));
	EXPECT_TRUE(parse_fails(DFC_SPEC_DST, "::1, !2001:db8::/32", "IPv6, but the criterion is IPv4"));
	EXPECT_TRUE(parse_fails(DFC_SPEC_SRC, "[::1]", "not an IPv4 or IPv6"));
	EXPECT_TRUE(parse_fails(DFC_SPEC_SRC, "fe80::1%eth0", "not an IPv4 or IPv6"));
	EXPECT_TRUE(parse_fails(DFC_SPEC_SRC, "::1/129", "prefix length above 128"));
	EXPECT_TRUE(parse_fails(DFC_SPEC_SRC, "*-*", "not an IPv4 or IPv6"));
	EXPECT_TRUE(parse_fails(DFC_SPEC_SRC, "10.0.0.1-", "not an IPv4 or IPv6"));
	EXPECT_TRUE(parse_fails(DFC_SPEC_SRC, "host.example", "not an IPv4 or IPv6"));
	EXPECT_TRUE(parse_fails(DFC_SPEC_SRC,
				"1234567890123456789012345678901234567890123456789012345678901234567890"
				"1234567890123456789012345678901234567890123456789012345678901234567890",
				"too long"));
}

TEST(parse_item_limit)
{
	struct dfc_spec s = { 0 };
	char buf[1024] = "";
	const char *why;
	int i;

	for (i = 0; i < DFC_SPEC_MAX_ITEMS; i++)
		sprintf(buf + strlen(buf), "%s%d", i ? "," : "", i * 2);
	ASSERT_EQ(0, parse(&s, DFC_SPEC_SPORT, buf));
	EXPECT_EQ(DFC_SPEC_MAX_ITEMS, s.sport.n);
	strcat(buf, ",999");
	ASSERT_EQ(-EINVAL, dfc_spec_parse_field(&s, DFC_SPEC_SPORT, buf, &why));
	EXPECT_NE(NULL, strstr(why, "Source-Port: more than 64 items"));
}

TEST(field_names)
{
	EXPECT_EQ(DFC_SPEC_SRC, dfc_spec_field_by_name("Source-Address"));
	EXPECT_EQ(DFC_SPEC_DST, dfc_spec_field_by_name("DEST-ADDRESS"));
	EXPECT_EQ(DFC_SPEC_ICMP_CODE, dfc_spec_field_by_name("icmp-code"));
	EXPECT_EQ(-1, dfc_spec_field_by_name("Cdest-ID"));
	EXPECT_STREQ("Protocol", dfc_spec_field_name(DFC_SPEC_PROTO));
	EXPECT_STREQ("Source-Port", dfc_spec_field_name(DFC_SPEC_SPORT));
}

/* ------------------------------------------------------------ expansion */

TEST(expand_empty_is_one_wildcard)
{
	struct dfc_spec s = { 0 };
	struct dfc_nl_entry zero = { 0 };
	unsigned int ne, nx;

	ASSERT_EQ(0, expand(&s, &ne, &nx, NULL));
	ASSERT_EQ(1, ne);
	EXPECT_EQ(0, nx);
	EXPECT_EQ(0, memcmp(&ents[0], &zero, sizeof(zero)));

	s.ifindex = 7;
	ASSERT_EQ(0, parse(&s, DFC_SPEC_SRC, "*"));
	ASSERT_EQ(0, expand(&s, &ne, &nx, NULL));
	ASSERT_EQ(1, ne);
	EXPECT_EQ(0, ents[0].ipver);
	EXPECT_EQ(0, ents[0].src_plen);
	EXPECT_EQ(7, ents[0].ifindex);
}

TEST(expand_port_range_as_range)
{
	struct dfc_spec s = { 0 };
	unsigned int ne, nx;

	/* A port range is one entry in range form, not its 6 prefix blocks. */
	ASSERT_EQ(0, parse(&s, DFC_SPEC_DPORT, "1024-65535"));
	ASSERT_EQ(0, expand(&s, &ne, &nx, NULL));
	ASSERT_EQ(1, ne);
	EXPECT_EQ(0, nx);
	EXPECT_TRUE(ents[0].dport_range);
	EXPECT_EQ(1024, ents[0].dport);
	EXPECT_EQ(65535, ents[0].dport_max);
	EXPECT_EQ(0, ents[0].dport_mask);
	EXPECT_TRUE(ents[0].ports);
	EXPECT_FALSE(ents[0].sport_range);
	EXPECT_EQ(0, ents[0].sport_mask);
	EXPECT_FALSE(ents[0].icmp);
	EXPECT_EQ(0, ents[0].ipver);

	/* "*" on a port field: a wildcard, but still a port condition. */
	ASSERT_EQ(0, parse(&s, DFC_SPEC_DPORT, "*"));
	ASSERT_EQ(0, expand(&s, &ne, &nx, NULL));
	ASSERT_EQ(1, ne);
	EXPECT_EQ(0, ents[0].dport_mask);
	EXPECT_FALSE(ents[0].dport_range);
	EXPECT_TRUE(ents[0].ports);

	/* Overlapping and adjacent items merge: 80-100, one range; 7 exact. */
	ASSERT_EQ(0, parse(&s, DFC_SPEC_DPORT, "85-100, 80-90, 95, 7"));
	ASSERT_EQ(0, expand(&s, &ne, &nx, NULL));
	ASSERT_EQ(2, ne);
	EXPECT_FALSE(ents[0].dport_range);
	EXPECT_EQ(7, ents[0].dport); EXPECT_EQ(0xffff, ents[0].dport_mask);
	EXPECT_TRUE(ents[1].dport_range);
	EXPECT_EQ(80, ents[1].dport); EXPECT_EQ(100, ents[1].dport_max);

	/* Both ports ranged: one entry, where prefix blocks took 15 x 16. */
	ASSERT_EQ(0, parse(&s, DFC_SPEC_SPORT, "0-65534"));
	ASSERT_EQ(0, parse(&s, DFC_SPEC_DPORT, "1-*"));
	ASSERT_EQ(0, expand(&s, &ne, &nx, NULL));
	ASSERT_EQ(1, ne);
	EXPECT_TRUE(ents[0].sport_range);
	EXPECT_EQ(0, ents[0].sport); EXPECT_EQ(65534, ents[0].sport_max);
	EXPECT_TRUE(ents[0].dport_range);
	EXPECT_EQ(1, ents[0].dport); EXPECT_EQ(65535, ents[0].dport_max);
}

TEST(expand_address_range_to_prefixes)
{
	static const char *const want[] = { "10.0.0.1", "10.0.0.2", "10.0.0.4", "10.0.0.6" };
	static const uint8_t plen[] = { 32, 31, 31, 32 };
	struct dfc_spec s = { 0 };
	unsigned int ne, nx, i;
	uint8_t a[16];

	ASSERT_EQ(0, parse(&s, DFC_SPEC_SRC, "10.0.0.1-10.0.0.6"));
	ASSERT_EQ(0, expand(&s, &ne, &nx, NULL));
	ASSERT_EQ(4, ne);
	for (i = 0; i < ne; i++) {
		addr(want[i], a);
		EXPECT_EQ(0, memcmp(ents[i].src, a, 16));
		EXPECT_EQ(plen[i], ents[i].src_plen);
		EXPECT_EQ(4, ents[i].ipver);
		EXPECT_EQ(0, ents[i].dst_plen);
		EXPECT_FALSE(ents[i].ports);
	}

	/* A prefix stays one entry, host bits dropped; "a-*" to the top. */
	ASSERT_EQ(0, parse(&s, DFC_SPEC_SRC, "10.1.2.3/16"));
	ASSERT_EQ(0, parse(&s, DFC_SPEC_DST, "128.0.0.0-*"));
	ASSERT_EQ(0, expand(&s, &ne, &nx, NULL));
	ASSERT_EQ(1, ne);
	addr("10.1.0.0", a);
	EXPECT_EQ(0, memcmp(ents[0].src, a, 16));
	EXPECT_EQ(16, ents[0].src_plen);
	addr("128.0.0.0", a);
	EXPECT_EQ(0, memcmp(ents[0].dst, a, 16));
	EXPECT_EQ(1, ents[0].dst_plen);
}

TEST(expand_ipv6)
{
	struct dfc_spec s = { 0 };
	unsigned int ne, nx;
	uint8_t a[16];

	ASSERT_EQ(0, parse(&s, DFC_SPEC_DST, "2001:db8::/32"));
	ASSERT_EQ(0, expand(&s, &ne, &nx, NULL));
	ASSERT_EQ(1, ne);
	EXPECT_EQ(6, ents[0].ipver);
	EXPECT_EQ(32, ents[0].dst_plen);
	addr("2001:db8::", a);
	EXPECT_EQ(0, memcmp(ents[0].dst, a, 16));

	/* ::-ffff:...:fffe: 127 blocks, /1 .. /128. */
	ASSERT_EQ(0, parse(&s, DFC_SPEC_DST, "*-ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"));
	ASSERT_EQ(0, expand(&s, &ne, &nx, NULL));
	ASSERT_EQ(128, ne);
	EXPECT_EQ(1, ents[0].dst_plen);
	EXPECT_EQ(128, ents[127].dst_plen);
	addr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffc", a);
	EXPECT_EQ(0, memcmp(ents[126].dst, a, 16));
	EXPECT_EQ(127, ents[126].dst_plen);

	/* ::1-ffff::fffe: worst case is 2 * 128 - 2 blocks. */
	ASSERT_EQ(0, parse(&s, DFC_SPEC_DST, "::1-ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"));
	ASSERT_EQ(0, expand(&s, &ne, &nx, NULL));
	EXPECT_EQ(254, ne);
}

TEST(expand_lists_cross_product)
{
	struct dfc_spec s = { 0 };
	unsigned int ne, nx, i, seen = 0;

	ASSERT_EQ(0, parse(&s, DFC_SPEC_PROTO, "17, 6"));
	ASSERT_EQ(0, parse(&s, DFC_SPEC_DPORT, "443,80"));
	ASSERT_EQ(0, parse(&s, DFC_SPEC_SRC, "10.0.0.1, 10.0.0.3"));
	s.ifindex = 3;
	ASSERT_EQ(0, expand(&s, &ne, &nx, NULL));
	ASSERT_EQ(8, ne);
	EXPECT_EQ(0, nx);
	for (i = 0; i < ne; i++) {
		unsigned int bit = (ents[i].proto == 6) | (ents[i].dport == 80) << 1 |
				   (ents[i].src[3] == 3) << 2;

		EXPECT_EQ(0xff, ents[i].proto_mask);
		EXPECT_EQ(0xffff, ents[i].dport_mask);
		EXPECT_EQ(32, ents[i].src_plen);
		EXPECT_EQ(3, ents[i].ifindex);
		EXPECT_TRUE(ents[i].ports);
		seen |= 1U << bit;
	}
	EXPECT_EQ(0xff, seen);
}

TEST(expand_negation)
{
	struct dfc_spec s = { 0 };
	unsigned int ne, nx;
	uint8_t a[16];

	/* Negation only: everything but 22, still a port condition. */
	ASSERT_EQ(0, parse(&s, DFC_SPEC_DPORT, "!22"));
	ASSERT_EQ(0, expand(&s, &ne, &nx, NULL));
	ASSERT_EQ(1, ne);
	ASSERT_EQ(1, nx);
	EXPECT_TRUE(ents[0].ports);
	EXPECT_EQ(0, ents[0].dport_mask);
	EXPECT_EQ(22, excls[0].dport);
	EXPECT_EQ(0xffff, excls[0].dport_mask);
	EXPECT_TRUE(excls[0].ports);
	EXPECT_EQ(0, excls[0].sport_mask);
	EXPECT_EQ(0, excls[0].ipver);

	/* A negative item no positive admits costs nothing. */
	ASSERT_EQ(0, parse(&s, DFC_SPEC_DPORT, "80, !22, !79-80"));
	ASSERT_EQ(0, expand(&s, &ne, &nx, NULL));
	ASSERT_EQ(1, ne);
	ASSERT_EQ(1, nx);
	EXPECT_EQ(80, excls[0].dport);

	/* Address exclusions carry the IP version, and only their field. */
	memset(&s, 0, sizeof(s));
	s.ifindex = 9;
	ASSERT_EQ(0, parse(&s, DFC_SPEC_SRC, "10.0.0.0/8, !10.1.0.0/16, !10.2.0.0-10.2.0.2"));
	ASSERT_EQ(0, parse(&s, DFC_SPEC_PROTO, "!6"));
	ASSERT_EQ(0, expand(&s, &ne, &nx, NULL));
	ASSERT_EQ(1, ne);
	ASSERT_EQ(4, nx);
	EXPECT_EQ(8, ents[0].src_plen);
	EXPECT_EQ(9, ents[0].ifindex);
	EXPECT_EQ(4, excls[0].ipver);
	EXPECT_EQ(16, excls[0].src_plen);
	addr("10.1.0.0", a);
	EXPECT_EQ(0, memcmp(excls[0].src, a, 16));
	EXPECT_EQ(31, excls[1].src_plen);
	EXPECT_EQ(32, excls[2].src_plen);
	EXPECT_EQ(0, excls[0].ifindex);
	EXPECT_FALSE(excls[0].ports);
	EXPECT_EQ(0, excls[3].ipver);
	EXPECT_EQ(6, excls[3].proto);
	EXPECT_EQ(0xff, excls[3].proto_mask);
	EXPECT_EQ(0, excls[3].src_plen);

	/* "!*" excludes everything. */
	memset(&s, 0, sizeof(s));
	ASSERT_EQ(0, parse(&s, DFC_SPEC_ICMP_TYPE, "!*"));
	ASSERT_EQ(0, expand(&s, &ne, &nx, NULL));
	ASSERT_EQ(1, ne);
	ASSERT_EQ(1, nx);
	EXPECT_TRUE(ents[0].icmp);
	EXPECT_TRUE(excls[0].icmp);
	EXPECT_EQ(0, excls[0].icmp_type_mask);
}

TEST(expand_bounds)
{
	struct dfc_spec s = { 0 };
	unsigned int ne, nx;
	const char *why = NULL;
	char over_max[64];

	snprintf(over_max, sizeof(over_max),
		 "criterion expands to more than %u entries", MAXE);

	/* 254 address blocks x 14 protocol blocks: over any bound. */
	ASSERT_EQ(0, parse(&s, DFC_SPEC_DST, "::1-ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"));
	ASSERT_EQ(0, parse(&s, DFC_SPEC_PROTO, "1-254"));
	EXPECT_EQ(-E2BIG, expand(&s, &ne, &nx, &why));
	EXPECT_STREQ(over_max, why);

	/* A caller's smaller bound; exactly at the bound is fine. */
	memset(&s, 0, sizeof(s));
	ASSERT_EQ(0, parse(&s, DFC_SPEC_PROTO, "4-9"));
	EXPECT_EQ(-E2BIG, dfc_spec_expand(&s, ents, 1, &ne, excls, MAXX, &nx, &why));
	EXPECT_STREQ("criterion expands to more than 1 entries", why);
	EXPECT_EQ(0, dfc_spec_expand(&s, ents, 2, &ne, excls, MAXX, &nx, &why));
	EXPECT_EQ(2, ne);
	/* A caller's bigger bound is clamped to the kernel's. */
	ASSERT_EQ(0, parse(&s, DFC_SPEC_SRC, "::1-ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"));
	EXPECT_EQ(-E2BIG, dfc_spec_expand(&s, ents, 100000, &ne, excls, MAXX, &nx, &why));
	EXPECT_STREQ(over_max, why);

	/* 14 x 4 exclusion blocks and a port range fit, 14 more do not. */
	_Static_assert(MAXX >= 57 && MAXX < 71, "exclusion bound changed: adapt");
	memset(&s, 0, sizeof(s));
	ASSERT_EQ(0, parse(&s, DFC_SPEC_SPORT, "!1-65534"));
	ASSERT_EQ(0, parse(&s, DFC_SPEC_SRC, "!10.0.0.1-10.0.0.254"));
	ASSERT_EQ(0, parse(&s, DFC_SPEC_DST, "!10.0.0.1-10.0.0.254"));
	ASSERT_EQ(0, parse(&s, DFC_SPEC_ICMP_TYPE, "!1-254"));
	ASSERT_EQ(0, parse(&s, DFC_SPEC_ICMP_CODE, "!1-254"));
	ASSERT_EQ(0, expand(&s, &ne, &nx, &why));
	EXPECT_EQ(57, nx);
	ASSERT_EQ(0, parse(&s, DFC_SPEC_PROTO, "!1-254"));
	EXPECT_EQ(-E2BIG, expand(&s, &ne, &nx, &why));
	snprintf(over_max, sizeof(over_max),
		 "criterion expands to more than %u exclusions", MAXX);
	EXPECT_STREQ(over_max, why);
	EXPECT_EQ(-E2BIG, dfc_spec_expand(&s, ents, MAXE, &ne, excls, 3, &nx, &why));
	EXPECT_STREQ("criterion expands to more than 3 exclusions", why);
}

TEST(expand_rejects_bad_specs)
{
	struct dfc_spec s = { 0 };
	unsigned int ne, nx;
	const char *why = NULL;

	s.ipver = 5;
	EXPECT_EQ(-EINVAL, expand(&s, &ne, &nx, &why));
	EXPECT_NE(NULL, strstr(why, "4 or 6"));
	s.ipver = 0;
	s.src.n = 1;
	s.src.item[0].lo[0] = 10;
	s.src.item[0].hi[0] = 10;
	EXPECT_EQ(-EINVAL, expand(&s, &ne, &nx, &why));
	EXPECT_NE(NULL, strstr(why, "addresses need an IP version"));
	memset(&s, 0, sizeof(s));
	s.proto.n = 1;
	s.proto.item[0].lo = 3;
	s.proto.item[0].hi = 300;
	EXPECT_EQ(-EINVAL, expand(&s, &ne, &nx, &why));
	s.proto.item[0].hi = 2;
	EXPECT_EQ(-EINVAL, expand(&s, &ne, &nx, &why));
	s.proto.n = DFC_SPEC_MAX_ITEMS + 1;
	EXPECT_EQ(-EINVAL, expand(&s, &ne, &nx, &why));
}

/* Does port p fall in a value/mask block, or in a range? */
static bool in_block(unsigned int p, uint16_t v, uint16_t m, bool range, uint16_t max)
{
	return range ? v <= p && p <= max : (p & m) == v;
}

/*
 * Exhaustive over one port field: every port is covered by exactly one
 * entry if it is in the list's positive set, by none otherwise; by at most
 * one exclusion, only within the positive set; and entries minus
 * exclusions agree with the naive matcher.
 */
TEST(expand_exhaustive_port_lists)
{
	static const char *const lists[] = {
		"1024-65535", "0", "65535", "*", "1-65534", "80,443,8000-8100",
		"3-4, 6-9, 5", "100-200, 150-300, !160-170, !250", "!0-1000",
		"*-1023, 32768-*", "!*", "7, !7", "0-65535, !1-65534",
		"12345-23456, 2000-3000, !2500-12400",
	};
	struct dfc_spec s;
	unsigned int l, p, ne, nx, i;

	for (l = 0; l < sizeof(lists) / sizeof(lists[0]); l++) {
		struct dfc_flow fl = { .ipver = 4, .has_ports = true, .proto = 6 };

		memset(&s, 0, sizeof(s));
		ASSERT_EQ(0, parse(&s, DFC_SPEC_SPORT, lists[l]));
		ASSERT_EQ(0, expand(&s, &ne, &nx, NULL));
		for (p = 0; p < 65536; p++) {
			unsigned int hits = 0, ex = 0, pos = 0, any = 0;

			for (i = 0; i < s.sport.n; i++) {
				if (s.sport.item[i].neg)
					continue;
				any = 1;
				pos |= s.sport.item[i].lo <= p && p <= s.sport.item[i].hi;
			}
			for (i = 0; i < ne; i++)
				hits += in_block(p, ents[i].sport, ents[i].sport_mask,
						 ents[i].sport_range, ents[i].sport_max);
			for (i = 0; i < nx; i++)
				ex += in_block(p, excls[i].sport, excls[i].sport_mask,
					       excls[i].sport_range, excls[i].sport_max);
			fl.sport = (uint16_t)p;
			ASSERT_EQ(pos || !any, hits) TH_LOG("%s: port %u", lists[l], p);
			/* Exclusions are clipped to the positive set. */
			ASSERT_GE(hits, ex) TH_LOG("%s: port %u", lists[l], p);
			ASSERT_EQ(dfc_spec_match_naive(&s, &fl), hits == 1 && !ex)
				TH_LOG("%s: port %u", lists[l], p);
		}
	}
}

/* Two entries overlap unless some field's blocks are disjoint. */
static bool pfx_overlap(const uint8_t *a, unsigned int pa, const uint8_t *b,
			unsigned int pb)
{
	unsigned int n = pa < pb ? pa : pb, i;

	for (i = 0; i < n; i++)
		if (((a[i / 8] ^ b[i / 8]) >> (7 - i % 8)) & 1)
			return false;
	return true;
}

/* A port as the range it stands for (a mask: from its value to its last port). */
static bool port_overlap(uint16_t av, uint16_t am, bool ar, uint16_t ax, uint16_t bv,
			 uint16_t bm, bool br, uint16_t bx)
{
	if (!ar && !br)
		return !((av ^ bv) & am & bm);
	if (!ar)
		ax = (uint16_t)(av | (uint16_t)~am);
	if (!br)
		bx = (uint16_t)(bv | (uint16_t)~bm);
	/* only prefix masks come out of the expansion: a block is a range */
	return av <= bx && bv <= ax;
}

static bool entries_overlap(const struct dfc_nl_entry *a, const struct dfc_nl_entry *b)
{
	if (a->ipver && b->ipver && a->ipver != b->ipver)
		return false;
	return pfx_overlap(a->src, a->src_plen, b->src, b->src_plen) &&
	       pfx_overlap(a->dst, a->dst_plen, b->dst, b->dst_plen) &&
	       port_overlap(a->sport, a->sport_mask, a->sport_range, a->sport_max,
			    b->sport, b->sport_mask, b->sport_range, b->sport_max) &&
	       port_overlap(a->dport, a->dport_mask, a->dport_range, a->dport_max,
			    b->dport, b->dport_mask, b->dport_range, b->dport_max) &&
	       !((a->proto ^ b->proto) & a->proto_mask & b->proto_mask) &&
	       !((a->icmp_type ^ b->icmp_type) & a->icmp_type_mask & b->icmp_type_mask) &&
	       !((a->icmp_code ^ b->icmp_code) & a->icmp_code_mask & b->icmp_code_mask);
}

TEST(expand_disjoint)
{
	static const char *const v[][5] = {
		/* src, dst, sport, dport, proto */
		{ "10.0.0.0-10.0.3.7, 10.0.2.0/23", "192.168.1.1, 192.168.1.2-192.168.1.9",
		  "1000-2000", "53, 80-88", "6, 17" },
		{ "2001:db8::5-2001:db8::1:0", "*", "*", "1-1000, 999-1024", "0-7" },
		{ "*", "fe80::/10, ::1, ::2-::7", NULL, "!80", "6-17, !11" },
	};
	unsigned int t, i, j, ne, nx;

	for (t = 0; t < sizeof(v) / sizeof(v[0]); t++) {
		struct dfc_spec s = { 0 };

		for (i = 0; i < 5; i++)
			if (v[t][i])
				ASSERT_EQ(0, parse(&s, (enum dfc_spec_field)i, v[t][i]));
		ASSERT_EQ(0, expand(&s, &ne, &nx, NULL));
		TH_LOG("spec %u: %u entries, %u exclusions", t, ne, nx);
		ASSERT_GT(ne, 1);
		for (i = 0; i < ne; i++)
			for (j = i + 1; j < ne; j++)
				ASSERT_FALSE(entries_overlap(&ents[i], &ents[j]))
					TH_LOG("spec %u: entries %u and %u", t, i, j);
	}
}

/* ------------------------------------------------------------ naive */

/* One criterion, addresses of both versions: entries of both (DTCP allows it). */
TEST(mixed_versions)
{
	struct dfc_flow a = { .ipver = 4, .has_ports = true, .proto = 6, .dport = 80 };
	struct dfc_flow b = a, c = { .ipver = 6, .has_ports = true, .proto = 6, .dport = 80 };
	struct dfc_flow d = c;
	struct dfc_spec s = { 0 };
	unsigned int ne, nx;

	addr("192.0.2.1", a.src);
	addr("192.0.2.2", b.src);
	addr("2001:db8::1", c.src);
	addr("2001:db9::1", d.src);
	ASSERT_EQ(0, parse(&s, DFC_SPEC_SRC, "192.0.2.1, 2001:db8::1"));
	EXPECT_EQ(0, s.ipver);
	ASSERT_EQ(0, expand(&s, &ne, &nx, NULL));
	ASSERT_EQ(2, ne);
	EXPECT_EQ(0, nx);
	EXPECT_EQ(4, ents[0].ipver);
	EXPECT_EQ(32, ents[0].src_plen);
	EXPECT_EQ(6, ents[1].ipver);
	EXPECT_EQ(128, ents[1].src_plen);
	EXPECT_TRUE(dfc_spec_match_naive(&s, &a));
	EXPECT_FALSE(dfc_spec_match_naive(&s, &b));
	EXPECT_TRUE(dfc_spec_match_naive(&s, &c));
	EXPECT_FALSE(dfc_spec_match_naive(&s, &d));
	/* A port exclusion is made once, for both versions. */
	ASSERT_EQ(0, parse(&s, DFC_SPEC_DPORT, "!80"));
	ASSERT_EQ(0, expand(&s, &ne, &nx, NULL));
	EXPECT_EQ(2, ne);
	ASSERT_EQ(1, nx);
	EXPECT_EQ(0, excls[0].ipver);
	EXPECT_FALSE(dfc_spec_match_naive(&s, &a));
	EXPECT_FALSE(dfc_spec_match_naive(&s, &c));
	ASSERT_EQ(0, parse(&s, DFC_SPEC_DPORT, "*"));
	/* An IPv4-only destination leaves IPv4 alone. */
	ASSERT_EQ(0, parse(&s, DFC_SPEC_DST, "*, 10.0.0.0/8"));
	EXPECT_EQ(4, s.ipver);
	ASSERT_EQ(0, expand(&s, &ne, &nx, NULL));
	ASSERT_EQ(1, ne);
	EXPECT_EQ(4, ents[0].ipver);
	EXPECT_FALSE(dfc_spec_match_naive(&s, &c));
	/* Negations count for their own version only. */
	memset(&s, 0, sizeof(s));
	ASSERT_EQ(0, parse(&s, DFC_SPEC_SRC, "!192.0.2.1, 2001:db8::/32"));
	ASSERT_EQ(0, expand(&s, &ne, &nx, NULL));
	ASSERT_EQ(2, ne);
	ASSERT_EQ(1, nx);
	EXPECT_EQ(4, excls[0].ipver);
	EXPECT_FALSE(dfc_spec_match_naive(&s, &a));
	EXPECT_TRUE(dfc_spec_match_naive(&s, &b));
	EXPECT_TRUE(dfc_spec_match_naive(&s, &c));
	EXPECT_FALSE(dfc_spec_match_naive(&s, &d));
	/* No version in common: refused. */
	ASSERT_EQ(0, parse(&s, DFC_SPEC_DST, "10.0.0.1"));
	EXPECT_EQ(4, s.ipver);
	EXPECT_EQ(-EINVAL, dfc_spec_parse_field(&s, DFC_SPEC_SRC, "2001:db8::1", NULL));
}

TEST(naive_semantics)
{
	struct dfc_flow tcp = { .ipver = 4, .has_ports = true, .proto = 6,
				.sport = 1234, .dport = 80 };
	struct dfc_flow icmp = { .ipver = 4, .proto = 1, .has_icmp = true,
				 .icmp_type = 8 };
	struct dfc_flow frag = { .ipver = 4, .proto = 6, .frag = true };
	struct dfc_flow v6 = { .ipver = 6, .has_ports = true, .proto = 17,
			       .dport = 80 };
	struct dfc_spec s = { 0 };

	addr("10.0.0.1", tcp.src);
	addr("10.0.0.1", icmp.src);
	addr("10.0.0.1", frag.src);
	addr("2001:db8::1", v6.src);

	/* Empty: everything. */
	EXPECT_TRUE(dfc_spec_match_naive(&s, &tcp));
	EXPECT_TRUE(dfc_spec_match_naive(&s, &v6));
	/* A port condition: no frame without ports, even with "*". */
	ASSERT_EQ(0, parse(&s, DFC_SPEC_SPORT, "*"));
	EXPECT_TRUE(dfc_spec_match_naive(&s, &tcp));
	EXPECT_FALSE(dfc_spec_match_naive(&s, &icmp));
	EXPECT_FALSE(dfc_spec_match_naive(&s, &frag));
	ASSERT_EQ(0, parse(&s, DFC_SPEC_SPORT, "!1234"));
	EXPECT_FALSE(dfc_spec_match_naive(&s, &tcp));
	EXPECT_TRUE(dfc_spec_match_naive(&s, &v6));
	ASSERT_EQ(0, parse(&s, DFC_SPEC_DPORT, "80, 443"));
	EXPECT_TRUE(dfc_spec_match_naive(&s, &v6));
	/* An address sets the version. */
	ASSERT_EQ(0, parse(&s, DFC_SPEC_SRC, "10.0.0.0/8"));
	EXPECT_FALSE(dfc_spec_match_naive(&s, &v6));
	tcp.sport = 1;
	EXPECT_TRUE(dfc_spec_match_naive(&s, &tcp));
	ASSERT_EQ(0, parse(&s, DFC_SPEC_SRC, "10.0.0.0/8, !10.0.0.1"));
	EXPECT_FALSE(dfc_spec_match_naive(&s, &tcp));

	memset(&s, 0, sizeof(s));
	ASSERT_EQ(0, parse(&s, DFC_SPEC_ICMP_CODE, "0"));
	EXPECT_TRUE(dfc_spec_match_naive(&s, &icmp));
	EXPECT_FALSE(dfc_spec_match_naive(&s, &tcp));
	s.ifindex = 2;
	EXPECT_FALSE(dfc_spec_match_naive(&s, &icmp));
	icmp.ifindex = 2;
	EXPECT_TRUE(dfc_spec_match_naive(&s, &icmp));

	/* ipver alone. */
	memset(&s, 0, sizeof(s));
	s.ipver = 6;
	EXPECT_TRUE(dfc_spec_match_naive(&s, &v6));
	EXPECT_FALSE(dfc_spec_match_naive(&s, &tcp));
	ASSERT_EQ(0, parse(&s, DFC_SPEC_PROTO, "!17"));
	EXPECT_FALSE(dfc_spec_match_naive(&s, &v6));
}

TEST_HARNESS_MAIN
