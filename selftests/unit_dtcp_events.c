// SPDX-License-Identifier: GPL-2.0
/*
 * Host-tier unit tests of what dtcpd sends and keeps on its own, against
 * the in-memory kernel: notifications, Seq rollover, destinations
 * programmed, congestion and bandwidth events, the rebuild at restart
 * and a reload of the configuration.
 */
#include <stdarg.h>

#include "dtcp_fixture.h"

TEST_F(srv, notifications)
{
	uint32_t owner = self->s.cfg->groups[0].srcs[0].owner;
	struct kfake_crit *k;

	/* NOOP with SendAsync: 131 to cs1's target, signed, no Seq. */
	ASSERT_EQ(1, req(self, 0, "NOOP DTCP/0.7", "Flags: SendAsync"));
	ASSERT_EQ(200, reply(self, 0, 0));
	ASSERT_EQ(1, n_sent);
	EXPECT_TRUE(notified(0, "secret", 131));
	EXPECT_STREQ("192.0.2.1 port 2100", sent[0].target);
	EXPECT_EQ(DTCP_VER(0, 7), M.version);
	/* Timeout: only with SendAsync, with what was configured and what was left. */
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 60|Timeout-Packets: 10|"
			 "Flags: SendAsync"));
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 60"));
	k = kfake_find(&self->k, owner, DTCP_KID(1, 0));
	kfake_expire(&self->k, k);
	dtcp_server_expired(&self->s, owner, DTCP_KID(1, 0), DFC_REASON_PACKETS, 10, 640);
	ASSERT_EQ(2, n_sent);
	EXPECT_TRUE(notified(1, "secret", 390));
	EXPECT_EQ(1, num("Criteria-ID"));
	EXPECT_EQ(10, num("Timeout-Packets"));
	EXPECT_EQ(0, num("Remaining-Packets"));
	EXPECT_EQ(60, num("Timeout-Idle"));
	EXPECT_EQ(NULL, dtcp_msg_get(&M, "Timeout-Total"));
	EXPECT_EQ(0, self->s.srcs[0]->n_live - 1);
	EXPECT_EQ(1, self->s.srcs[0]->st.deleted_by[DFC_REASON_PACKETS]);
	kfake_expire(&self->k, kfake_find(&self->k, owner, DTCP_KID(2, 0)));
	dtcp_server_expired(&self->s, owner, DTCP_KID(2, 0), DFC_REASON_IDLE, 0, 0);
	EXPECT_EQ(2, n_sent);
	EXPECT_EQ(0, self->s.srcs[0]->n_live);
	/* cs2 notifies in 0.6 and mixed case; nothing goes to cs1's target. */
	ASSERT_EQ(1, req(self, 1, "NOOP DTCP/0.7", "Flags: SendAsync,Static"));
	ASSERT_EQ(3, n_sent);
	EXPECT_TRUE(notified(2, "other", 131));
	EXPECT_EQ(DTCP_VER(0, 6), M.version);
	EXPECT_STREQ("192.0.2.2 port 2101", sent[2].target);
	EXPECT_NE(NULL, strstr(sent[2].buf, "\r\nTimestamp: "));
	/* Restart: every source, Alert-Info. */
	dtcp_notify_restart(&self->s, "dfc module reloaded");
	ASSERT_EQ(5, n_sent);
	EXPECT_TRUE(notified(3, "secret", 599));
	EXPECT_STREQ("dfc module reloaded", dtcp_msg_value(&M, "Alert-Info"));
	EXPECT_TRUE(notified(4, "other", 599));
}

TEST_F(srv, rollover)
{
	self->seq[0] = UINT64_MAX - 2;
	ASSERT_EQ(1, req(self, 0, "NOOP DTCP/0.7", ""));	/* baseline 2^64-2 */
	ASSERT_EQ(1, req(self, 0, "NOOP DTCP/0.7", ""));	/* 2^64-1 */
	EXPECT_EQ(0, n_sent);
	ASSERT_EQ(1, req(self, 0, "NOOP DTCP/0.7", ""));	/* 0: rolled over */
	ASSERT_EQ(200, reply(self, 0, 0));
	EXPECT_EQ(0, num("Seq"));
	ASSERT_EQ(1, n_sent);
	EXPECT_TRUE(notified(0, "secret", 130));
}

TEST_F(srv, destinations_programmed)
{
	struct dtcp_kdest *d;

	/* What the configuration says reaches the kernel once programmed. */
	dtcp_server_program(&self->s);
	ASSERT_EQ(3, self->k.n_dests);
	d = kfake_dest(&self->k, self->s.cfg->groups[0].dests[1].kid);
	ASSERT_NE(NULL, d);
	EXPECT_STREQ("cd2", d->name);
	EXPECT_EQ(DFC_ENCAP_IPIP, d->encap);
	EXPECT_EQ(AF_INET, d->family);
	EXPECT_EQ(64, d->ttl);
	EXPECT_EQ(1000000, d->soft);
	EXPECT_EQ(500000, d->soft_clear);
	EXPECT_EQ(2000000, d->hard);
	EXPECT_EQ(1500000, d->hard_target);
	d = kfake_dest(&self->k, self->s.cfg->groups[0].dests[2].kid);
	ASSERT_NE(NULL, d);
	EXPECT_EQ(DFC_ENCAP_UDP, d->encap);
	EXPECT_EQ(AF_INET6, d->family);
	EXPECT_EQ(4789, d->dport);
	/* max-duplicates: the group's 5 for each of its sources, the global 3 and period 30. */
	EXPECT_EQ(3, self->k.max_dup);
	EXPECT_EQ(30, self->k.dup_period);
	ASSERT_EQ(3, self->k.n_owner_dup);
	EXPECT_EQ(5, self->k.owner_dup[0][1]);
	/* A request-defined destination exists while criteria use it. */
	ASSERT_EQ(1, req(self, 1, "ADD DTCP/0.7", "Cdest-ID: md1|Flags: Static|"
			 "X-JTap-Cdest-Dest-Address: 192.0.2.40|X-JTap-Cdest-Dest-Port: 50000|"
			 "X-JTap-Cdest-Source-Address: 192.0.2.2|X-JTap-Cdest-Source-Port: 49153"));
	ASSERT_EQ(200, reply(self, 1, 0));
	ASSERT_EQ(4, self->k.n_dests);
	d = &self->k.dests[3];
	EXPECT_EQ(DFC_ENCAP_UDP, d->encap);
	EXPECT_EQ(50000, d->dport);
	EXPECT_EQ(49153, d->sport);
	EXPECT_EQ(255, d->ttl);
	EXPECT_TRUE(d->has_src);
	EXPECT_STREQ("md1", d->name);
	ASSERT_EQ(1, req(self, 1, "ADD DTCP/0.7", "Cdest-ID: other-label|Flags: Static|"
			 "X-JTap-Cdest-Dest-Address: 192.0.2.40|X-JTap-Cdest-Dest-Port: 50000|"
			 "X-JTap-Cdest-Source-Address: 192.0.2.2|X-JTap-Cdest-Source-Port: 49153"));
	ASSERT_EQ(200, reply(self, 1, 0));
	EXPECT_EQ(4, self->k.n_dests);	/* the same definition: shared */
	ASSERT_EQ(1, req(self, 1, "DELETE DTCP/0.7", "Criteria-ID: *|Flags: Static"));
	ASSERT_EQ(200, reply(self, 1, 0));
	EXPECT_EQ(2, num("Criteria-Count"));
	EXPECT_EQ(3, self->k.n_dests);
}

static char last_log[256];

static void keep_log(struct dtcp_server *s, const struct dtcp_src *src, int prio,
		     const char *fmt, ...)
{
	va_list ap;

	(void)s;
	(void)src;
	(void)prio;
	va_start(ap, fmt);
	vsnprintf(last_log, sizeof(last_log), fmt, ap);
	va_end(ap);
}

TEST_F(srv, congestion_events)
{
	uint32_t owner = self->s.cfg->groups[0].srcs[0].owner;
	uint32_t cd2 = self->s.cfg->groups[0].dests[1].kid;
	uint64_t purged[2];

	for (int i = 0; i < 4; i++)
		ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", i == 3 ? "Cdest-ID: cd1,cd2|Flags: Static"
				 : "Cdest-ID: cd2|Timeout-Idle: 600"));
	ASSERT_EQ(1, req(self, 2, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 600"));
	/* Soft limit crossed: Congestion to every source with criteria there (cs1, not cs3). */
	dtcp_server_congested(&self->s, cd2, 1200000, true);
	ASSERT_EQ(1, n_sent);
	EXPECT_TRUE(notified(0, "secret", 580));
	EXPECT_STREQ("cd2", dtcp_msg_value(&M, "Cdest-ID"));
	EXPECT_EQ(1200000, num("Average-Bandwidth"));
	EXPECT_EQ(1000000, num("Alert-Bandwidth"));
	EXPECT_EQ(2000000, num("Max-Bandwidth"));
	dtcp_server_congested(&self->s, cd2, 400000, false);
	EXPECT_EQ(1, n_sent);
	/* NoIPSecDestination: logged under the configured name, not the kernel id; nothing sent */
	self->s.log = keep_log;
	dtcp_server_noipsec(&self->s, cd2);
	EXPECT_EQ(1, n_sent);
	EXPECT_STREQ("content destination cd2 requires IPsec but its route has none: copies are "
		     "dropped", last_log);
	dtcp_server_noipsec(&self->s, 0x1234abcd);
	EXPECT_STREQ("content destination 0x1234abcd requires IPsec but its route has none: "
		     "copies are dropped", last_log);
	/* Hard limit: the kernel purged two; 4 goes whole (its cd1 part too). */
	purged[0] = DTCP_KID(4, 1);
	purged[1] = DTCP_KID(2, 0);
	kfake_expire(&self->k, kfake_find(&self->k, owner, purged[0]));
	kfake_expire(&self->k, kfake_find(&self->k, owner, purged[1]));
	dtcp_server_purged(&self->s, owner, cd2, purged, 2);
	ASSERT_EQ(2, n_sent);
	EXPECT_TRUE(notified(1, "secret", 680));
	EXPECT_STREQ("cd2", dtcp_msg_value(&M, "Cdest-ID"));
	EXPECT_STREQ("4,2", dtcp_msg_value(&M, "Criteria-ID"));
	EXPECT_EQ(NULL, kfake_find(&self->k, owner, DTCP_KID(4, 0)));
	EXPECT_EQ(2, self->s.srcs[0]->n_live);
	EXPECT_EQ(1, self->s.srcs[0]->st.notif[DTCP_N_CONGDEL]);
	/* Duplicates dropped: per destination, the criteria and how many. */
	{
		struct dtcp_dup d[3] = {
			{ DTCP_KID(1, 0), cd2, 5 }, { DTCP_KID(3, 0), cd2, 7 },
			{ DTCP_KID(99, 0), cd2, 100 },	/* unknown: left out */
		};

		dtcp_server_dups(&self->s, owner, d, 3);
	}
	ASSERT_EQ(3, n_sent);
	EXPECT_TRUE(notified(2, "secret", 598));
	EXPECT_STREQ("cd2", dtcp_msg_value(&M, "Cdest-ID"));
	EXPECT_STREQ("1,3", dtcp_msg_value(&M, "Criteria-ID"));
	EXPECT_EQ(12, num("X-Dropped-Packets"));
	/* Another owner's events never reach cs1. */
	dtcp_server_purged(&self->s, 4242, cd2, purged, 2);
	EXPECT_EQ(3, n_sent);
}

TEST_F(srv, average_bandwidth)
{
	uint32_t owner = self->s.cfg->groups[0].srcs[0].owner;

	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", "Cdest-ID: cd2|Timeout-Idle: 600"));
	fake_mono += 10000;
	dtcp_server_tick(&self->s);
	kfake_find(&self->k, owner, DTCP_KID(1, 0))->c.bytes = 1250000;
	fake_mono += 10000;
	dtcp_server_tick(&self->s);
	EXPECT_EQ(1000000, dtcp_src_find(self->s.srcs[0], 1)->avg_bps);
	ASSERT_EQ(1, req(self, 0, "LIST DTCP/0.7", "Flags: Stats"));
	ASSERT_EQ(200, reply(self, 0, 0));
	EXPECT_EQ(1000000, num("Average-Bandwidth"));
}

TEST_F(srv, restart_rebuild)
{
	static char got[10][16];
	struct dtcp_state st;
	struct dtcp_server s2 = { 0 };
	struct dtcp_config *c;
	unsigned int found;
	char err[256];

	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", ADD1));
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", "Cdest-ID: cd1,cd2|Flags: Static,SendAsync|"
			 "Dest-Port: 53"));
	ASSERT_EQ(1, req(self, 1, "ADD DTCP/0.7", "Cdest-ID: cd3|Timeout-Total: 100"));
	/* Someone else's criterion in the kernel is left alone. */
	{
		struct dfc_nl_crit other = { .id = 77, .timeout_idle = 5, .n_entries = 1,
					     .entries = self->s.entries };
		unsigned int done;

		ASSERT_EQ(0, kfake_ops.add(&self->k, 4242, &other, 1, &done, NULL));
	}
	dtcp_server_state(&self->s, &st);
	/* A new dtcpd over the same kernel. */
	c = dtcp_config_load(self->path, err, sizeof(err));
	ASSERT_NE(NULL, c);
	ASSERT_EQ(0, dtcp_server_init(&s2, c));
	srv_wire(&s2, &self->k);
	ASSERT_EQ(0, dtcp_server_rebuild(&s2, &found));
	EXPECT_EQ(3, found);
	dtcp_server_restore(&s2, &st);
	free(st.src);
	EXPECT_EQ(2, dtcp_server_src(&s2, "cs1")->n_live);
	EXPECT_EQ(1, dtcp_server_src(&s2, "cs1")->n_static);
	EXPECT_EQ(1, dtcp_server_src(&s2, "cs2")->n_live);
	EXPECT_EQ(4, s2.next_id);
	EXPECT_EQ(NULL, dtcp_src_find(dtcp_server_src(&s2, "cs1"), 3));
	EXPECT_STREQ("cd1,cd2", dtcp_src_find(dtcp_server_src(&s2, "cs1"), 2)->cdests);
	EXPECT_NE(NULL, kfake_find(&self->k, 4242, 77));
	/* The same LIST as before the restart; the Seq window came back too. */
	dtcp_server_fini(&self->s);
	self->s = s2;
	ASSERT_EQ(1, req(self, 0, "LIST DTCP/0.7", "Flags: Both"));
	ASSERT_EQ(2, list_entries(self, 0, self->seq[0], got, 10));
	EXPECT_NE(NULL, strstr(self->r.d[0].buf, "CDEST-ID: cd1,cd2\r\nTIMESTAMP: 2005-01-01 "
			       "12:01:01.111\r\nDEST-PORT: 53\r\nFLAGS: Static,SendAsync\r\n"));
	EXPECT_NE(NULL, strstr(self->r.d[0].buf, "SOURCE-ADDRESS: 192.0.2.10\r\nDEST-ADDRESS: *\r\n"
			       "PROTOCOL: 6\r\nDEST-PORT: 80\r\nTIMEOUT-IDLE: 600\r\n"));
	self->seq[0] -= 3;
	EXPECT_EQ(0, req(self, 0, "NOOP DTCP/0.7", ""));	/* a replay after the restart */
	self->seq[0] += 3;
	/* New ids continue after the highest. */
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", ADD1));
	ASSERT_EQ(200, reply(self, 0, 0));
	EXPECT_EQ(4, num("Criteria-ID"));
	/* A criterion that vanished while events were lost expires on resync. */
	kfake_expire(&self->k, kfake_find(&self->k, self->s.cfg->groups[0].srcs[0].owner,
					  DTCP_KID(2, 0)));
	n_sent = 0;
	ASSERT_EQ(0, dtcp_server_resync(&self->s));
	EXPECT_EQ(NULL, kfake_find(&self->k, self->s.cfg->groups[0].srcs[0].owner, DTCP_KID(2, 1)));
	EXPECT_EQ(2, dtcp_server_src(&self->s, "cs1")->n_live);
	ASSERT_EQ(1, n_sent);
	EXPECT_TRUE(notified(0, "secret", 390));
}

TEST_F(srv, reconfig)
{
	char err[512];
	struct dtcp_config *c;
	char *text = strdup(good_conf), *p;
	uint32_t owner1 = self->s.cfg->groups[0].srcs[0].owner;
	uint32_t owner3 = self->s.cfg->groups[0].srcs[2].owner;

	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 60"));
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", "Cdest-ID: cd2|Timeout-Idle: 60"));
	ASSERT_EQ(1, req(self, 2, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 60"));
	/* cs1 loses cd2; cs3 goes away; the key of cs1 changes. */
	p = strstr(text, "[ \"cd1\", \"cd2\" ]");
	memcpy(p, "[ \"cd1\"        ]", 16);
	p = strstr(text, " },\n    { id = \"cs3\"");
	strcpy(p, " }\n  );\n} );\n");
	p = strstr(text, "\"secret\"");
	memcpy(p, "\"Secret\"", 8);
	unlink(self->path);
	self->path = write_conf(text);
	free(text);
	c = dtcp_config_load(self->path, err, sizeof(err));
	ASSERT_NE(NULL, c) TH_LOG("%s", err);
	dtcp_server_reconfig(&self->s, c);
	EXPECT_EQ(2, self->s.n_srcs);
	EXPECT_EQ(1, kfake_count(&self->k, owner1));
	EXPECT_NE(NULL, kfake_find(&self->k, owner1, DTCP_KID(1, 0)));
	EXPECT_EQ(0, kfake_count(&self->k, owner3));
	/* The Seq window survived the reload; the new key is in force. */
	EXPECT_EQ(0, req(self, 0, "NOOP DTCP/0.7", ""));
	ASSERT_EQ(1, req_full(self, 0, "NOOP DTCP/0.7", "", "Secret", 2400));
}

TEST_HARNESS_MAIN
