// SPDX-License-Identifier: GPL-2.0
/*
 * Host-tier unit tests of dtcpd's LIST against the in-memory kernel:
 * entries, an answer split over datagrams, and isolation between control
 * sources.
 */

#include "dtcp_fixture.h"

TEST_F(srv, list)
{
	static char got[400][16];
	uint32_t owner = self->s.cfg->groups[0].srcs[0].owner;
	const char *e;

	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Source-Address: 192.0.2.10, 192.0.2.20|"
			 "Protocol: 6,17|Timeout-Idle: 60|Timeout-Packets: 1000|Flags: SendAsync|"
			 "X-JTap-Something: kept"));
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", "Cdest-ID: cd2|Flags: Static"));
	kfake_find(&self->k, owner, DTCP_KID(1, 0))->c.packets = 12;
	kfake_find(&self->k, owner, DTCP_KID(1, 0))->c.bytes = 3400;
	kfake_find(&self->k, owner, DTCP_KID(1, 0))->c.limit_packets = 988;
	/* Both: criteria as given and statistics. */
	ASSERT_EQ(1, req(self, 0, "LIST DTCP/0.7", "Flags: BOTH"));
	ASSERT_EQ(2, list_entries(self, 0, self->seq[0], got, 400));
	EXPECT_STREQ("1", got[0]);
	EXPECT_STREQ("2", got[1]);
	e = self->r.d[0].buf;
	EXPECT_NE(NULL, strstr(e, "\r\nCSOURCE-ID: cs1\r\nCSOURCE-ADDRESS: 192.0.2.1\r\nCDEST-ID: cd1\r\n"
				  "TIMESTAMP: 2005-01-01 12:01:01.111\r\n"
				  "SOURCE-ADDRESS: 192.0.2.10, 192.0.2.20\r\nPROTOCOL: 6,17\r\n"
				  "TIMEOUT-IDLE: 60\r\nTIMEOUT-PACKETS: 1000\r\nFLAGS: SendAsync\r\n"
				  "X-JTAP-SOMETHING: kept\r\n"
				  "REMAINING-IDLE: 60\r\nREMAINING-PACKETS: 988\r\nAVERAGE-BANDWIDTH: 0\r\n"
				  "MATCHING-PACKETS: 12\r\nMATCHING-BYTES: 3400\r\nNUM-REFRESH: 0\r\n"
				  "LAST-REFRESH: 2005-01-01 12:01:01.111\r\nCRITERIA-NUM: 1\r\n"
				  "CRITERIA-COUNT: 2\r\n")) TH_LOG("%s", e);
	/* Header: status, Seq, Timestamp, then the entries. */
	EXPECT_EQ(0, strncmp(e, "DTCP/0.7 200 OK\r\nSEQ: 103\r\nTIMESTAMP: ", 38));
	EXPECT_NE(NULL, strstr(e, "FLAGS: Static\r\nAVERAGE-BANDWIDTH: 0\r\n"));
	/* No flag: Criteria (no statistics). */
	ASSERT_EQ(1, req(self, 0, "LIST DTCP/0.7", "Criteria-ID: 1"));
	ASSERT_EQ(1, list_entries(self, 0, self->seq[0], got, 400));
	EXPECT_EQ(NULL, strstr(self->r.d[0].buf, "MATCHING-PACKETS"));
	EXPECT_NE(NULL, strstr(self->r.d[0].buf, "PROTOCOL: 6,17"));
	/* Stats only. */
	ASSERT_EQ(1, req(self, 0, "LIST DTCP/0.7", "Flags: Stats|Cdest-ID: cd2"));
	ASSERT_EQ(1, list_entries(self, 0, self->seq[0], got, 400));
	EXPECT_STREQ("2", got[0]);
	EXPECT_EQ(NULL, strstr(self->r.d[0].buf, "PROTOCOL"));
	EXPECT_NE(NULL, strstr(self->r.d[0].buf, "MATCHING-PACKETS: 0"));
	/* A valid selector that matches nothing: one datagram, no entries. */
	ASSERT_EQ(1, req(self, 0, "LIST DTCP/0.7", "Criteria-ID: 500-600"));
	ASSERT_EQ(200, reply(self, 0, 0));
	EXPECT_EQ(NULL, dtcp_msg_get(&M, "Criteria-ID"));
	EXPECT_EQ(0, list_entries(self, 0, self->seq[0], got, 400));
}

TEST_F(srv, list_split)
{
	static char got[400][16];

	for (int i = 0; i < 300; i++) {
		ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", ADD1));
		ASSERT_EQ(200, reply(self, 0, 0));
	}
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", ADD1 "|Dest-Address: 10.0.0.1,10.0.0.2,10.0.0.3,"
			 "10.0.0.4,10.0.0.5,10.0.0.6,10.0.0.7,10.0.0.8,10.0.0.9,10.0.0.10,10.0.0.11"));
	ASSERT_EQ(200, reply(self, 0, 0));
	/* Every datagram under 1400 bytes, entries whole and numbered 1..301. */
	req(self, 0, "LIST DTCP/0.7", "Flags: Both");
	EXPECT_GT(self->r.n, 40);
	ASSERT_EQ(301, list_entries(self, 0, self->seq[0], got, 400));
	for (int i = 0; i < 301; i++) {
		char want[16];

		snprintf(want, sizeof(want), "%d", i + 1);
		ASSERT_STREQ(want, got[i]);
	}
	for (unsigned int d = 0; d < self->r.n; d++) {
		ASSERT_LE(self->r.d[d].len, 1400);
		ASSERT_EQ(0, strcmp(self->r.d[d].buf + self->r.d[d].len - 4, "\r\n\r\n"));
	}
	/* Ranges and negations in the selector. */
	req(self, 0, "LIST DTCP/0.7", "Criteria-ID: 10-19,!15,300-*");
	ASSERT_EQ(11, list_entries(self, 0, self->seq[0], got, 400));
	EXPECT_STREQ("301", got[10]);
}

TEST_F(srv, isolation)
{
	static char got[10][16];

	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", ADD1));
	ASSERT_EQ(200, reply(self, 0, 0));
	/* cs3 shares cs1's group and port but sees none of its criteria. */
	ASSERT_EQ(1, req(self, 2, "LIST DTCP/0.7", "Flags: Both"));
	EXPECT_EQ(0, list_entries(self, 2, self->seq[2], got, 10));
	ASSERT_EQ(1, req(self, 2, "DELETE DTCP/0.7", "Criteria-ID: 1|Flags: Static"));
	EXPECT_EQ(431, reply(self, 2, 0));
	ASSERT_EQ(1, req(self, 2, "REFRESH DTCP/0.7", "Criteria-ID: 1|Timeout-Idle: 1"));
	EXPECT_EQ(431, reply(self, 2, 0));
	ASSERT_EQ(1, req(self, 2, "DELETE DTCP/0.7", "Criteria-ID: *|Flags: Static"));
	ASSERT_EQ(200, reply(self, 2, 0));
	EXPECT_EQ(0, num("Criteria-Count"));
	ASSERT_EQ(1, req(self, 2, "LIST DTCP/0.7", "Criteria-ID: 1"));
	EXPECT_EQ(431, reply(self, 2, 0));
	EXPECT_EQ(1, kfake_count(&self->k, self->s.cfg->groups[0].srcs[0].owner));
	/* Answers to cs3 are signed with cs3's key only. */
	ASSERT_EQ(1, req(self, 2, "NOOP DTCP/0.7", ""));
	EXPECT_EQ(0, reply(self, 0, 0));
	EXPECT_EQ(200, reply(self, 2, 0));
}

TEST_HARNESS_MAIN
