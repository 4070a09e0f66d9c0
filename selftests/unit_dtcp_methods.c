// SPDX-License-Identifier: GPL-2.0
/*
 * Host-tier unit tests of dtcpd's request handling against the in-memory
 * kernel (agent/kfake.c): ADD in its forms, every status code, kernel
 * failures, silent drops, DELETE and REFRESH.
 */

#include "dtcp_fixture.h"

/* ---- the server against an in-memory kernel ---- */

TEST_F(srv, add_ok)
{
	struct kfake_crit *k;
	struct dtcp_blob b;

	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", ADD1));
	ASSERT_EQ(200, reply(self, 0, 0));
	EXPECT_STREQ("OK", M.reason);
	EXPECT_EQ(101, num("Seq"));
	EXPECT_EQ(1, num("Criteria-ID"));
	EXPECT_STREQ("2005-01-01 12:01:01.111", dtcp_msg_value(&M, "Timestamp"));
	/* Junos style: upper-case names, Seq first, Authentication-Info last. */
	EXPECT_EQ(0, strncmp(self->r.d[0].buf, "DTCP/0.7 200 OK\r\nSEQ: 101\r\nCRITERIA-ID: 1\r\n"
			     "TIMESTAMP: ", 53));
	/* In the kernel: owner, id, priority with minimum-priority 3, destination, blob. */
	k = kfake_find(&self->k, self->s.cfg->groups[0].srcs[0].owner, DTCP_KID(1, 0));
	ASSERT_NE(NULL, k);
	EXPECT_EQ(4, k->c.prio);
	EXPECT_EQ(600, k->c.timeout_idle);
	EXPECT_EQ(0, k->c.flags);
	EXPECT_EQ(self->s.cfg->groups[0].dests[0].kid, k->c.cdest);
	EXPECT_EQ(1, k->c.n_entries);
	ASSERT_EQ(0, dtcp_blob_parse(k->blob, k->c.blob_len, &b));
	EXPECT_STREQ("", b.csource);		/* format 6: the owner's */
	EXPECT_EQ(0, b.id);			/* from format 5: the kernel id's */
	EXPECT_EQ(NULL, b.cdests);		/* format 6: the kernel id's */
	EXPECT_EQ(0, blob_own(self, &b, 1, k->c.cdest));
	EXPECT_EQ(1, b.id);
	EXPECT_STREQ("192.0.2.1", b.csource_addr);
	EXPECT_STREQ("cd1", b.cdests);
	EXPECT_EQ(fake_wall, b.added_ms);
	free(b.cdests);
	/* Ids increase server-wide. */
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", ADD1));
	ASSERT_EQ(200, reply(self, 0, 0));
	EXPECT_EQ(2, num("Criteria-ID"));
	ASSERT_EQ(1, req(self, 1, "ADD DTCP/0.7", "Cdest-ID: cd3|Timeout-Total: 60"));
	ASSERT_EQ(200, reply(self, 1, 0));
	EXPECT_EQ(3, num("Criteria-ID"));
	/* cs2 asked for mixed case. */
	EXPECT_EQ(0, strncmp(self->r.d[0].buf, "DTCP/0.7 200 OK\r\nSeq: 5001\r\nCriteria-ID: 3\r\n", 42));
	EXPECT_EQ(2, self->s.srcs[0]->st.added);
}

TEST_F(srv, add_forms)
{
	struct kfake_crit *k;
	uint32_t owner = self->s.cfg->groups[0].srcs[0].owner;

	/* The draft's own example, minus its destination name. */
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.6", "Source-Address: 192.168.10.4|"
			 "Dest-Address: 10.1.1.1-10.1.1.10|Protocol: 6,17|Dest-Port: 53|"
			 "Timeout-Idle: 600|Action: Copy|Priority: 2|Flags: SendAsync|Cdest-ID: cd1"));
	ASSERT_EQ(200, reply(self, 0, 0));
	EXPECT_EQ(0, strncmp(self->r.d[0].buf, "DTCP/0.6 200 OK", 15));
	k = kfake_find(&self->k, owner, DTCP_KID(num("Criteria-ID"), 0));
	ASSERT_NE(NULL, k);
	EXPECT_EQ(DFC_CRIT_F_SEND_ASYNC, k->c.flags);
	EXPECT_EQ(5, k->c.prio);
	EXPECT_GT(k->c.n_entries, 1);
	/* IPv6, negation, ICMP, wildcards, STATIC without timeouts, names in any case. */
	ASSERT_EQ(1, req(self, 0, "add DTCP/0.8", "CDEST-ID: cd2|source-address: 2001:db8::/48|"
			 "Dest-Address: !2001:db8::5|PROTOCOL: 58|ICMP-Type: 128-129|ICMP-Code: *|"
			 "Source-Port: *|flags: STATIC|X-Unknown-Thing: whatever"));
	ASSERT_EQ(200, reply(self, 0, 0));
	EXPECT_EQ(0, strncmp(self->r.d[0].buf, "DTCP/0.8 200 OK", 15));
	k = kfake_find(&self->k, owner, DTCP_KID(num("Criteria-ID"), 0));
	ASSERT_NE(NULL, k);
	EXPECT_EQ(DFC_CRIT_F_STATIC, k->c.flags);
	EXPECT_EQ(1, k->c.n_excl);
	/* Input interfaces: a Junos name through interface-map, unit 0 implied, and a Linux name. */
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Bytes: 1000000|"
			 "X-JTap-Input-Interface: ge-1/3/5, eth1|X-JTap-IP-Version: ipv4"));
	ASSERT_EQ(200, reply(self, 0, 0));
	k = kfake_find(&self->k, owner, DTCP_KID(num("Criteria-ID"), 0));
	ASSERT_NE(NULL, k);
	ASSERT_EQ(2, k->c.n_entries);
	/*
	 * One expansion per interface (ge-1/3/5.0 is lo), each entry on its
	 * own: the server's entries are what the kernel was just sent.
	 */
	EXPECT_EQ(1, self->s.entries[0].ifindex);
	EXPECT_EQ(7, self->s.entries[1].ifindex);
	EXPECT_EQ(1000000, k->c.limit_bytes);
	/* Two destinations: two kernel criteria, one DTCP criterion. */
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", "Cdest-ID: cd1,cd2|Timeout-Packets: 10"));
	ASSERT_EQ(200, reply(self, 0, 0));
	EXPECT_NE(NULL, kfake_find(&self->k, owner, DTCP_KID(num("Criteria-ID"), 0)));
	EXPECT_NE(NULL, kfake_find(&self->k, owner, DTCP_KID(num("Criteria-ID"), 1)));
	EXPECT_EQ(4, self->s.srcs[0]->n_live);
}

TEST_F(srv, add_flowtap_destinations)
{
	uint32_t owner = self->s.cfg->groups[0].srcs[1].owner;
	struct kfake_crit *k;

	ASSERT_EQ(1, req(self, 1, "ADD DTCP/0.7", "Cdest-ID: md1,md2|Flags: Static|"
			 "X-JTap-Cdest-Dest-Address: 192.0.2.40,192.0.2.41|"
			 "X-JTap-Cdest-Dest-Port: 50000,50001|X-JTap-Cdest-Source-Address: 192.0.2.2|"
			 "X-JTap-Cdest-Source-Port: 49153|X-JTap-Cdest-TTL: 64|Source-Address: 10.0.0.1"));
	ASSERT_EQ(200, reply(self, 1, 0));
	k = kfake_find(&self->k, owner, DTCP_KID(num("Criteria-ID"), 1));
	ASSERT_NE(NULL, k);
	EXPECT_NE(0, k->c.cdest & 0x80000000);
	EXPECT_EQ(2, self->s.n_rdests);
	/* Counts must agree (432); required parts missing (901); not allowed for cs1 (430). */
	ASSERT_EQ(1, req(self, 1, "ADD DTCP/0.7", "Cdest-ID: md1,md2|Flags: Static|"
			 "X-JTap-Cdest-Dest-Address: 192.0.2.40|X-JTap-Cdest-Dest-Port: 50000|"
			 "X-JTap-Cdest-Source-Address: 192.0.2.2|X-JTap-Cdest-Source-Port: 1"));
	EXPECT_EQ(432, reply(self, 1, 0));
	ASSERT_EQ(1, req(self, 1, "ADD DTCP/0.7", "Cdest-ID: md1|Flags: Static|"
			 "X-JTap-Cdest-Dest-Address: 192.0.2.40|X-JTap-Cdest-Dest-Port: 50000"));
	EXPECT_EQ(901, reply(self, 1, 0));
	ASSERT_EQ(1, req(self, 1, "ADD DTCP/0.7", "Cdest-ID: md1|Flags: Static|"
			 "X-JTap-Cdest-Dest-Port: 50000"));
	EXPECT_EQ(901, reply(self, 1, 0));
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", "Cdest-ID: md1|Flags: Static|"
			 "X-JTap-Cdest-Dest-Address: 192.0.2.40|X-JTap-Cdest-Dest-Port: 50000|"
			 "X-JTap-Cdest-Source-Address: 192.0.2.2|X-JTap-Cdest-Source-Port: 1"));
	EXPECT_EQ(430, reply(self, 0, 0));
	EXPECT_STREQ("md1", dtcp_msg_value(&M, "Cdest-ID"));
	/* Three destinations: 400. */
	ASSERT_EQ(1, req(self, 1, "ADD DTCP/0.7", "Cdest-ID: a,b,c|Flags: Static"));
	EXPECT_EQ(400, reply(self, 1, 0));
	/* Deleting by a request-defined label. */
	ASSERT_EQ(1, req(self, 1, "DELETE DTCP/0.7", "Cdest-ID: md2|Flags: Static"));
	ASSERT_EQ(200, reply(self, 1, 0));
	EXPECT_EQ(1, num("Criteria-Count"));
	EXPECT_EQ(0, kfake_count(&self->k, owner));
	EXPECT_EQ(0, self->s.n_rdests);
}

/* Each request, its expected code, and what the answer must echo. */
static const struct {
	unsigned int src;
	const char *start, *lines;
	unsigned int code;
	const char *echo_name, *echo_value;
} errors[] = {
	{ 0, "ADD DTCP/0.7", "Timeout-Idle: 60", 400, NULL, NULL },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: nope|Timeout-Idle: 60", 430, "Cdest-ID", "nope" },
	/* Configured, but not in cs1's allowed-destinations: just as unknown. */
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd3|Timeout-Idle: 60", 430, "Cdest-ID", "cd3" },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd1", 433, NULL, NULL },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 0|Timeout-Total: 0", 433, NULL, NULL },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 86401", 433, "Timeout-Idle", "86401" },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Total: x", 433, "Timeout-Total", "x" },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 9|Protocol: 256", 432, "Protocol", "256" },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 9|Source-Address: 10.0.0.1|"
	  "Dest-Address: 2001:db8::1", 432, "Dest-Address", "2001:db8::1" },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 9|Dest-Port: 90-80", 432, "Dest-Port", "90-80" },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 9|X-JTap-IP-Version: ipv6|"
	  "Source-Address: 10.0.0.1", 432, "Source-Address", "10.0.0.1" },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 9|X-JTap-Input-Interface: ge-0/0/0",
	  901, NULL, NULL },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 9|X-JTap-Input-Interface: lo|"
	  "X-JTap-VRF-Name: red", 432, NULL, NULL },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 9|X-JTap-VRF-Name: red", 901, NULL, NULL },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 9|X-JTap-Output-Interface: lo", 501,
	  NULL, NULL },
	{ 0, "ADD DTCP/0.8", "Cdest-ID: cd1|Flags: Static|X-JTap-Filter-Family: ccc", 501, NULL, NULL },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 9|Action: Redirect", 501, "Action", "Redirect" },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 9|Action: Block", 501, "Action", "Block" },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 9|Priority: 0", 400, "Priority", "0" },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 9|Priority: 256", 400, "Priority", "256" },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 9|Flags: Sticky", 400, "Flags", "Sticky" },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 9|Criteria-ID: 5", 400, "Criteria-ID", "5" },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 9|Colour: blue", 501, "Colour", "blue" },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 9|Matching-Bytes: 5", 400, "Matching-Bytes", "5" },
	{ 0, "ADD DTCP/0.6", "Cdest-ID: cd1,cd2|Timeout-Idle: 9", 400, "Cdest-ID", "cd1,cd2" },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd1,cd1|Timeout-Idle: 9", 400, "Cdest-ID", "cd1,cd1" },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 9|Source-Address: 10.0.0.\\0491", 432, NULL, NULL },
	{ 0, "ADD DTCP/0.7", "Cdest-ID: cd1|bad line", 400, "X-Error-Line", "bad\\032line" },
	{ 0, "ENABLE DTCP/0.7", "", 501, NULL, NULL },
	{ 0, "ADD DTCP/0.9", "Cdest-ID: cd1|Timeout-Idle: 9", 505, NULL, NULL },
	{ 0, "ADD DTCP/1.0", "Cdest-ID: cd1|Timeout-Idle: 9", 505, NULL, NULL },
	{ 0, "ADD DTCP/0.5", "Cdest-ID: cd1|Timeout-Idle: 9", 505, NULL, NULL },
	{ 0, "ADD DTCP/0.x", "Cdest-ID: cd1|Timeout-Idle: 9", 400, NULL, NULL },
	{ 0, "DELETE DTCP/0.7", "", 400, NULL, NULL },
	{ 0, "DELETE DTCP/0.7", "Criteria-ID: 1|Cdest-ID: cd1", 400, NULL, NULL },
	{ 0, "DELETE DTCP/0.7", "Criteria-ID: 424242", 431, "Criteria-ID", "424242" },
	{ 0, "DELETE DTCP/0.7", "Criteria-ID: 1-x", 400, "Criteria-ID", "1-x" },
	{ 0, "DELETE DTCP/0.7", "Cdest-ID: cd3", 430, "Cdest-ID", "cd3" },
	{ 0, "DELETE DTCP/0.7", "Cdest-ID: cd1,cd2", 400, "Cdest-ID", "cd1,cd2" },
	{ 0, "DELETE DTCP/0.7", "Cdest-ID: cd1|Protocol: 6", 400, "Protocol", "6" },
	{ 0, "REFRESH DTCP/0.7", "Criteria-ID: 1", 433, NULL, NULL },
	{ 0, "REFRESH DTCP/0.7", "Criteria-ID: 1|Timeout-Idle: 0", 433, NULL, NULL },
	{ 0, "REFRESH DTCP/0.7", "Criteria-ID: 77|Timeout-Idle: 5", 431, "Criteria-ID", "77" },
	{ 0, "REFRESH DTCP/0.7", "Cdest-ID: zz|Timeout-Idle: 5", 430, "Cdest-ID", "zz" },
	{ 0, "REFRESH DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 5|Flags: Static", 400, "Flags", "Static" },
	{ 0, "LIST DTCP/0.7", "Criteria-ID: 1|Cdest-ID: cd1", 400, NULL, NULL },
	{ 0, "LIST DTCP/0.7", "Criteria-ID: 99", 431, "Criteria-ID", "99" },
	{ 0, "LIST DTCP/0.7", "Cdest-ID: cdX", 430, "Cdest-ID", "cdX" },
	{ 0, "LIST DTCP/0.7", "Flags: Everything", 400, "Flags", "Everything" },
	{ 0, "NOOP DTCP/0.7", "Flags: Nope", 400, "Flags", "Nope" },
	{ 0, "NOOP DTCP/0.7", "Cdest-ID: cd1", 400, "Cdest-ID", "cd1" },
	{ 2, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 9", 200, NULL, NULL },
	{ 2, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 9", 200, NULL, NULL },
	{ 2, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 9", 550, NULL, NULL },
	{ 2, "ADD DTCP/0.6", "Cdest-ID: cd1|Timeout-Idle: 9", 500, NULL, NULL },
};

TEST_F(srv, error_codes)
{
	/* Criterion 1 exists for the selectors that need one. */
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", ADD1));
	ASSERT_EQ(200, reply(self, 0, 0));
	for (unsigned int i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		unsigned int s = errors[i].src;
		char ver[16];

		ASSERT_EQ(1, req(self, s, errors[i].start, errors[i].lines))
			TH_LOG("case %u: no answer", i);
		EXPECT_EQ(errors[i].code, reply(self, s, 0))
			TH_LOG("case %u (%s %s): got %u: %.*s", i, errors[i].start, errors[i].lines,
			       M.code, (int)self->r.d[0].len, self->r.d[0].buf);
		EXPECT_STREQ(dtcp_reason(errors[i].code), M.reason);
		/* The request's Seq comes back exactly. */
		EXPECT_EQ(self->seq[s], num("Seq"));
		if (errors[i].echo_name) {
			const struct dtcp_param *p = dtcp_msg_get(&M, errors[i].echo_name);

			EXPECT_NE(NULL, p) TH_LOG("case %u: no %s", i, errors[i].echo_name);
			if (p) {
				EXPECT_STREQ(errors[i].echo_value, p->raw);
			}
		}
		/* Version of the answer: the request's, else our highest or lowest. */
		snprintf(ver, sizeof(ver), "%s", strchr(errors[i].start, '/') + 1);
		if (!strcmp(ver, "0.9") || !strcmp(ver, "1.0")) {
			EXPECT_EQ(DTCP_VER(0, 8), M.version);
		} else if (!strcmp(ver, "0.5")) {
			EXPECT_EQ(DTCP_VER(0, 6), M.version);
		} else if (!strcmp(ver, "0.x")) {
			EXPECT_EQ(DTCP_VER(0, 7), M.version);
		} else {
			EXPECT_EQ(dtcp_ver_parse(strstr(errors[i].start, "DTCP/")), M.version);
		}
	}
	/* Nothing but the two good cs3 ADDs reached the kernel. */
	EXPECT_EQ(1, kfake_count(&self->k, self->s.cfg->groups[0].srcs[0].owner));
	EXPECT_EQ(2, kfake_count(&self->k, self->s.cfg->groups[0].srcs[2].owner));
	EXPECT_GT(self->s.srcs[0]->st.req_failed[DTCP_M_ADD], 20);
}

TEST_F(srv, kernel_failures)
{
	self->k.fail_add = -ENOSPC;
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", ADD1));
	EXPECT_EQ(550, reply(self, 0, 0));
	self->k.fail_add = -EINVAL;
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", ADD1));
	EXPECT_EQ(432, reply(self, 0, 0));
	EXPECT_NE(NULL, strstr(dtcp_msg_value(&M, "X-Error-Info"), "injected"));
	self->k.fail_add = -EIO;
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", ADD1));
	EXPECT_EQ(500, reply(self, 0, 0));
	EXPECT_EQ(0, self->s.srcs[0]->n_live);
	/* The kernel's criteria limit. */
	self->k.max = 1;
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", "Cdest-ID: cd1,cd2|Timeout-Idle: 5"));
	EXPECT_EQ(550, reply(self, 0, 0));
}

TEST_F(srv, silent_drops)
{
	struct dtcp_src *s1 = self->s.srcs[0];
	static const char junk[] = "GET / HTTP/1.0\r\n\r\n";
	static const char resp[] = "DTCP/0.7 200 OK\r\nSeq: 1\r\n\r\n";

	/* Bad HMAC (wrong key), wrong port, sender not allowed, unknown source. */
	EXPECT_EQ(0, req_full(self, 0, "NOOP DTCP/0.7", "", "wrong", 2400));
	EXPECT_EQ(1, s1->st.drop_auth);
	EXPECT_EQ(0, req_full(self, 0, "NOOP DTCP/0.7", "", "secret", 2401));
	EXPECT_EQ(1, s1->st.drop_port);
	inet_pton(AF_INET, "198.51.100.9", &self->from.sin_addr);
	EXPECT_EQ(0, req(self, 0, "NOOP DTCP/0.7", ""));
	EXPECT_EQ(1, s1->st.drop_addr);
	inet_pton(AF_INET, "192.0.2.1", &self->from.sin_addr);
	EXPECT_EQ(0, req_full(self, 0, "NOOP DTCP/0.7", "Csource-ID: nobody", "secret", 2400));
	EXPECT_EQ(1, self->s.st.unknown_csource); /* the first Csource-ID counts */
	EXPECT_EQ(1, s1->st.drop_auth);
	{
		static const char u[] = "NOOP DTCP/0.7\r\nCsource-ID: nobody\r\nSeq: 1\r\n"
					"Authentication-Info: 0000000000000000000000000000000000000000\r\n\r\n";

		dtcp_server_handle(&self->s, (struct sockaddr *)&self->from, 2400, u, strlen(u), &self->r);
		EXPECT_EQ(0, self->r.n);
		EXPECT_EQ(2, self->s.st.unknown_csource);
	}
	/* Not DTCP, and responses: dropped. */
	dtcp_server_handle(&self->s, (struct sockaddr *)&self->from, 2400, junk, strlen(junk), &self->r);
	dtcp_server_handle(&self->s, (struct sockaddr *)&self->from, 2400, resp, strlen(resp), &self->r);
	EXPECT_EQ(0, self->r.n);
	EXPECT_EQ(1, self->s.st.not_dtcp);
	EXPECT_EQ(1, self->s.st.not_request);
	/* None of these moved the window: the next Seq is still accepted. */
	EXPECT_FALSE(s1->seq.have);
	ASSERT_EQ(1, req(self, 0, "NOOP DTCP/0.7", ""));
	EXPECT_EQ(200, reply(self, 0, 0));
	/* A replay: the same bytes again. */
	{
		char copy[512];
		size_t len;
		static struct dtcp_out o;

		dtcp_out_init(&o, false);
		dtcp_out_request(&o, "NOOP", DTCP_VER(0, 7));
		dtcp_out_param(&o, "Csource-ID", "cs1");
		dtcp_out_param(&o, "Seq", "%" PRIu64, ++self->seq[0]);
		dtcp_out_sign(&o, "secret", 6);
		len = o.len;
		memcpy(copy, o.buf, len);
		dtcp_replies_clear(&self->r);
		dtcp_server_handle(&self->s, (struct sockaddr *)&self->from, 2400, copy, len, &self->r);
		EXPECT_EQ(1, self->r.n);
		dtcp_replies_clear(&self->r);
		dtcp_server_handle(&self->s, (struct sockaddr *)&self->from, 2400, copy, len, &self->r);
		EXPECT_EQ(0, self->r.n);
		EXPECT_EQ(1, s1->st.drop_seq);
	}
	/* Far ahead of the window, and with no Seq: dropped too. */
	self->seq[0] += 300;
	EXPECT_EQ(0, req(self, 0, "NOOP DTCP/0.7", ""));
	EXPECT_EQ(2, s1->st.drop_seq);
	self->seq[0] -= 300;
	/* A lower Seq inside the negative window, never seen: answered. */
	self->seq[0] -= 50;
	EXPECT_EQ(1, req(self, 0, "NOOP DTCP/0.7", ""));
	self->seq[0] += 50;
	/* An unsigned message (no Authentication-Info). */
	{
		static const char u[] = "NOOP DTCP/0.7\r\nCsource-ID: cs1\r\nSeq: 999\r\n\r\n";

		dtcp_replies_clear(&self->r);
		dtcp_server_handle(&self->s, (struct sockaddr *)&self->from, 2400, u, strlen(u), &self->r);
		EXPECT_EQ(0, self->r.n);
		EXPECT_EQ(2, s1->st.drop_auth);
	}
}

TEST_F(srv, delete)
{
	uint32_t owner = self->s.cfg->groups[0].srcs[0].owner;

	for (int i = 0; i < 6; i++) {
		ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", i < 2 ? "Cdest-ID: cd1|Flags: Static" :
				 i < 4 ? "Cdest-ID: cd1|Timeout-Idle: 60" :
				 "Cdest-ID: cd2|Timeout-Idle: 60"));
		ASSERT_EQ(200, reply(self, 0, 0));
	}
	/* ids 1,2 static cd1; 3,4 cd1; 5,6 cd2. One unknown id in a list: nothing deleted. */
	ASSERT_EQ(1, req(self, 0, "DELETE DTCP/0.7", "Criteria-ID: 3,4,77"));
	EXPECT_EQ(431, reply(self, 0, 0));
	EXPECT_EQ(77, num("Criteria-ID"));
	EXPECT_EQ(6, kfake_count(&self->k, owner));
	/* A static one without the flag: skipped, success, count 0. */
	ASSERT_EQ(1, req(self, 0, "DELETE DTCP/0.7", "Criteria-ID: 1"));
	ASSERT_EQ(200, reply(self, 0, 0));
	EXPECT_EQ(0, num("Criteria-Count"));
	/* A range deletes what exists in it, statics excepted. */
	ASSERT_EQ(1, req(self, 0, "DELETE DTCP/0.7", "Criteria-ID: 1-4,1000-2000"));
	ASSERT_EQ(200, reply(self, 0, 0));
	EXPECT_EQ(2, num("Criteria-Count"));
	EXPECT_EQ(4, kfake_count(&self->k, owner));
	/* By destination, with the static flag. */
	ASSERT_EQ(1, req(self, 0, "DELETE DTCP/0.7", "Cdest-ID: cd1|Flags: static"));
	ASSERT_EQ(200, reply(self, 0, 0));
	EXPECT_EQ(2, num("Criteria-Count"));
	/* A known destination with nothing on it: 0, not an error. */
	ASSERT_EQ(1, req(self, 0, "DELETE DTCP/0.7", "Cdest-ID: cd1"));
	ASSERT_EQ(200, reply(self, 0, 0));
	EXPECT_EQ(0, num("Criteria-Count"));
	/* Negation: all but 6. */
	ASSERT_EQ(1, req(self, 0, "DELETE DTCP/0.7", "Criteria-ID: !6"));
	ASSERT_EQ(200, reply(self, 0, 0));
	EXPECT_EQ(1, num("Criteria-Count"));
	ASSERT_EQ(1, req(self, 0, "DELETE DTCP/0.7", "Criteria-ID: 6"));
	ASSERT_EQ(200, reply(self, 0, 0));
	EXPECT_EQ(1, num("Criteria-Count"));
	EXPECT_EQ(0, kfake_count(&self->k, owner));
	/* Deleted ids are unknown now. */
	ASSERT_EQ(1, req(self, 0, "DELETE DTCP/0.7", "Criteria-ID: 6"));
	EXPECT_EQ(431, reply(self, 0, 0));
	/* "*" on an empty table: 0. */
	ASSERT_EQ(1, req(self, 0, "DELETE DTCP/0.7", "Criteria-ID: *|Flags: Static"));
	ASSERT_EQ(200, reply(self, 0, 0));
	EXPECT_EQ(0, num("Criteria-Count"));
}

TEST_F(srv, refresh)
{
	uint32_t owner = self->s.cfg->groups[0].srcs[0].owner;
	struct kfake_crit *k;

	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 60"));
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Flags: Static"));
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", "Cdest-ID: cd2|Timeout-Total: 60"));
	/* Replace, not add; a kind it did not have may be added. */
	ASSERT_EQ(1, req(self, 0, "REFRESH DTCP/0.7", "Criteria-ID: 1|Timeout-Idle: 30|"
			 "Timeout-Packets: 500"));
	ASSERT_EQ(200, reply(self, 0, 0));
	EXPECT_EQ(1, num("Criteria-Count"));
	k = kfake_find(&self->k, owner, DTCP_KID(1, 0));
	ASSERT_NE(NULL, k);
	EXPECT_EQ(30, k->c.timeout_idle);
	EXPECT_EQ(500, k->c.limit_packets);
	EXPECT_EQ(1, k->c.n_refresh);
	/* A Static criterion has nothing to refresh: not counted. */
	ASSERT_EQ(1, req(self, 0, "REFRESH DTCP/0.7", "Cdest-ID: cd1|Timeout-Total: 30"));
	ASSERT_EQ(200, reply(self, 0, 0));
	EXPECT_EQ(1, num("Criteria-Count"));
	ASSERT_EQ(1, req(self, 0, "REFRESH DTCP/0.7", "Criteria-ID: *|Timeout-Total: 99"));
	ASSERT_EQ(200, reply(self, 0, 0));
	EXPECT_EQ(2, num("Criteria-Count"));
	EXPECT_EQ(99, kfake_find(&self->k, owner, DTCP_KID(3, 0))->c.timeout_total);
	EXPECT_EQ(0, kfake_find(&self->k, owner, DTCP_KID(2, 0))->c.timeout_total);
	/* Unknown id in a list: nothing changes. */
	ASSERT_EQ(1, req(self, 0, "REFRESH DTCP/0.7", "Criteria-ID: 1,9|Timeout-Total: 5"));
	EXPECT_EQ(431, reply(self, 0, 0));
	EXPECT_EQ(99, kfake_find(&self->k, owner, DTCP_KID(1, 0))->c.timeout_total);
}

TEST_HARNESS_MAIN
