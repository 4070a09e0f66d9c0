// SPDX-License-Identifier: GPL-2.0
/*
 * Host-tier tests of dtcpd's request path (against agent/kfake.c) for
 * hostile text: the 40 KB NOOP that overran the parser before
 * authentication, escapes that decode to control characters (the blob
 * injection), escapes that would act as list delimiters, and a filter
 * listing addresses of both IP versions.
 */
#include "dtcp_fixture.h"

/* Criteria of owner in the in-memory kernel. */
static unsigned int live(struct _test_data_srv *self, uint32_t owner)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < self->k.n; i++)
		n += self->k.v[i].used && self->k.v[i].owner == owner;
	return n;
}

static uint32_t owner(struct _test_data_srv *self, unsigned int i)
{
	return self->s.cfg->groups[0].srcs[i].owner;
}

/* A NOOP carrying values of the given lengths, signed by cs1. */
static unsigned int noop_long(struct _test_data_srv *self, size_t a, size_t b)
{
	static struct dtcp_out o;
	static char v[DTCP_MSG_MAX];

	dtcp_out_init(&o, false);
	dtcp_out_request(&o, "NOOP", DTCP_VER(0, 7));
	memset(v, 'v', a);
	v[a] = '\0';
	dtcp_out_param(&o, "X-A", "%s", v);
	if (b) {
		memset(v, 'w', b);
		v[b] = '\0';
		dtcp_out_param(&o, "X-B", "%s", v);
	}
	dtcp_out_param(&o, "Csource-ID", "cs1");
	dtcp_out_param(&o, "Seq", "%" PRIu64, ++self->seq[0]);
	dtcp_out_sign(&o, "secret", 6);
	if (o.overflow || o.len > DTCP_MSG_MAX)
		return 0;
	dtcp_replies_clear(&self->r);
	dtcp_server_handle(&self->s, (struct sockaddr *)&self->from, 2400, o.buf, o.len, &self->r);
	return self->r.n;
}

/* The datagrams that crashed dtcpd: now answered like any NOOP. */
TEST_F(srv, noop_long_values)
{
	ASSERT_EQ(1, noop_long(self, 40000, 0));
	EXPECT_EQ(200, reply(self, 0, 0));
	ASSERT_EQ(1, noop_long(self, 30000, 30000));
	EXPECT_EQ(200, reply(self, 0, 0));
	/* And dtcpd still works. */
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", ADD1));
	EXPECT_EQ(200, reply(self, 0, 0));
}

/* A name decoding to "X-a\nrdest 1\nX-b" must not reach the blob: 400, nothing added. */
TEST_F(srv, no_control_characters)
{
	static const char *const bad[] = {
		"X-a\\010rdest\\0321\\010X-b: 1",
		"X-Note: a\\010kid 7",
		"X-JTap-VRF-Name: a\\013b",
		"X-\\009: 1",
	};

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char lines[512];

		snprintf(lines, sizeof(lines), "%s|%s", ADD1, bad[i]);
		ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", lines));
		EXPECT_EQ(400, reply(self, 0, 0)) TH_LOG("%s", bad[i]);
		EXPECT_NE(NULL, dtcp_msg_value(&M, "X-Error-Info"));
	}
	EXPECT_EQ(0, live(self, owner(self, 0)));
	/* Positive control: the same request without the bad line is added. */
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", ADD1 "|X-Note: a\\032b"));
	EXPECT_EQ(200, reply(self, 0, 0));
	EXPECT_EQ(1, live(self, owner(self, 0)));
}

/* An escaped comma is no delimiter in Criteria-ID, Flags or destination addresses. */
TEST_F(srv, escapes_are_not_delimiters)
{
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", ADD1));
	ASSERT_EQ(200, reply(self, 0, 0));
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", ADD1));
	ASSERT_EQ(200, reply(self, 0, 0));
	ASSERT_EQ(2, live(self, owner(self, 0)));

	/* "1\0442" is one id, "1,2", which is not a number. */
	ASSERT_EQ(1, req(self, 0, "DELETE DTCP/0.7", "Criteria-ID: 1\\0442"));
	EXPECT_EQ(400, reply(self, 0, 0));
	EXPECT_EQ(2, live(self, owner(self, 0)));
	ASSERT_EQ(1, req(self, 0, "DELETE DTCP/0.7", "Criteria-ID: 1\\0452"));
	EXPECT_EQ(400, reply(self, 0, 0));
	EXPECT_EQ(2, live(self, owner(self, 0)));
	/* An escaped digit is still that digit. */
	ASSERT_EQ(1, req(self, 0, "DELETE DTCP/0.7", "Criteria-ID: \\049"));
	EXPECT_EQ(200, reply(self, 0, 0));
	EXPECT_EQ(1, live(self, owner(self, 0)));

	/* "Static\044SendAsync" is one unknown flag. */
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", ADD1 "|Flags: Static\\044SendAsync"));
	EXPECT_EQ(400, reply(self, 0, 0));
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", ADD1 "|Flags: Static, SendAsync"));
	EXPECT_EQ(200, reply(self, 0, 0));

	/* One address "192.0.2.40,192.0.2.41" is no address: not two destinations. */
	ASSERT_EQ(1, req(self, 1, "ADD DTCP/0.7", "Cdest-ID: md1,md2|Flags: Static|"
			 "X-JTap-Cdest-Dest-Address: 192.0.2.40\\044192.0.2.41|"
			 "X-JTap-Cdest-Dest-Port: 50000,50001|X-JTap-Cdest-Source-Address: 192.0.2.2|"
			 "X-JTap-Cdest-Source-Port: 49153"));
	EXPECT_NE(200, reply(self, 1, 0));
	EXPECT_EQ(0, live(self, owner(self, 1)));
	EXPECT_EQ(0, self->s.n_rdests);
}

/* A destination name holding an escaped comma is one name, in every method. */
TEST_F(srv, escaped_comma_in_cdest_id)
{
	ASSERT_EQ(1, req(self, 1, "ADD DTCP/0.7", "Cdest-ID: m\\044d|Flags: Static|"
			 "X-JTap-Cdest-Dest-Address: 192.0.2.40|X-JTap-Cdest-Dest-Port: 50000|"
			 "X-JTap-Cdest-Source-Address: 192.0.2.2|X-JTap-Cdest-Source-Port: 49153"));
	ASSERT_EQ(200, reply(self, 1, 0));
	EXPECT_EQ(1, live(self, owner(self, 1)));
	/* LIST gives the name back as it was written. */
	ASSERT_LE(1, req(self, 1, "LIST DTCP/0.7", "Flags: Criteria"));
	ASSERT_EQ(200, reply(self, 1, 0));
	EXPECT_STREQ("m\\044d", dtcp_msg_get(&M, "Cdest-ID")->raw);
	EXPECT_STREQ("m,d", dtcp_msg_value(&M, "Cdest-ID"));
	/* "m" is not it; "m\044d" is. */
	ASSERT_EQ(1, req(self, 1, "DELETE DTCP/0.7", "Cdest-ID: m|Flags: Static"));
	EXPECT_EQ(1, live(self, owner(self, 1)));
	ASSERT_EQ(1, req(self, 1, "DELETE DTCP/0.7", "Cdest-ID: m\\044d|Flags: Static"));
	EXPECT_EQ(200, reply(self, 1, 0));
	EXPECT_EQ(1, num("Criteria-Count"));
	EXPECT_EQ(0, live(self, owner(self, 1)));
}

/* The same after a restart: the name comes back from the kernel's blob whole. */
TEST_F(srv, escaped_comma_in_cdest_id_after_restart)
{
	struct dtcp_server s2;
	struct dtcp_config *c;
	unsigned int found;
	char err[256];

	ASSERT_EQ(1, req(self, 1, "ADD DTCP/0.7", "Cdest-ID: m\\044d|Flags: Static|"
			 "X-JTap-Cdest-Dest-Address: 192.0.2.40|X-JTap-Cdest-Dest-Port: 50000|"
			 "X-JTap-Cdest-Source-Address: 192.0.2.2|X-JTap-Cdest-Source-Port: 49153"));
	ASSERT_EQ(200, reply(self, 1, 0));
	c = dtcp_config_load(self->path, err, sizeof(err));
	ASSERT_NE(NULL, c) TH_LOG("%s", err);
	memset(&s2, 0, sizeof(s2));
	ASSERT_EQ(0, dtcp_server_init(&s2, c));
	srv_wire(&s2, &self->k);
	s2.ifindex = fake_ifindex;
	ASSERT_EQ(0, dtcp_server_rebuild(&s2, &found));
	EXPECT_EQ(1, found);
	dtcp_server_fini(&self->s);
	self->s = s2;
	ASSERT_EQ(1, req(self, 1, "DELETE DTCP/0.7", "Cdest-ID: m|Flags: Static"));
	EXPECT_EQ(1, live(self, owner(self, 1)));
	ASSERT_EQ(1, req(self, 1, "DELETE DTCP/0.7", "Cdest-ID: m\\044d|Flags: Static"));
	EXPECT_EQ(200, reply(self, 1, 0));
	EXPECT_EQ(1, num("Criteria-Count"));
	EXPECT_EQ(0, live(self, owner(self, 1)));
}

/* Source-Address listing IPv4 and IPv6: one criterion, entries of both. */
TEST_F(srv, mixed_address_families)
{
	struct kfake_crit *k;

	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 60|"
			 "Source-Address: 192.0.2.10, 2001:db8::10|Dest-Address: *|Protocol: 6"));
	ASSERT_EQ(200, reply(self, 0, 0));
	k = kfake_find(&self->k, owner(self, 0), DTCP_KID(num("Criteria-ID"), 0));
	ASSERT_NE(NULL, k);
	ASSERT_EQ(2, k->c.n_entries);
	/* The expansion the request made (the server's scratch entries). */
	EXPECT_EQ(4, self->s.entries[0].ipver);
	EXPECT_EQ(6, self->s.entries[1].ipver);
	EXPECT_EQ(1, live(self, owner(self, 0)));
	/* An IPv4 Dest-Address leaves the IPv4 half; X-JTap-IP-Version likewise. */
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 60|"
			 "Source-Address: 192.0.2.10, 2001:db8::10|Dest-Address: 10.0.0.1"));
	ASSERT_EQ(200, reply(self, 0, 0));
	k = kfake_find(&self->k, owner(self, 0), DTCP_KID(num("Criteria-ID"), 0));
	ASSERT_NE(NULL, k);
	EXPECT_EQ(1, k->c.n_entries);
	EXPECT_EQ(4, self->s.entries[0].ipver);
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 60|"
			 "X-JTap-IP-Version: ipv6|Source-Address: 192.0.2.10, 2001:db8::10"));
	ASSERT_EQ(200, reply(self, 0, 0));
	EXPECT_EQ(6, self->s.entries[0].ipver);
	/* No version in common: 432. */
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 60|"
			 "Source-Address: 2001:db8::10|Dest-Address: 10.0.0.1"));
	EXPECT_EQ(432, reply(self, 0, 0));
}

TEST_HARNESS_MAIN
