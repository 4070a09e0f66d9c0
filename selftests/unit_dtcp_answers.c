// SPDX-License-Identifier: GPL-2.0
/*
 * Host-tier tests of dtcpd's answers and state against the in-memory
 * kernel, where the kernel fails or the configuration changes under it:
 * a DELETE the kernel refused is never answered 200 and the criterion
 * stays (dtcpd and the kernel agree); a removed source whose criteria the
 * kernel would not delete has them deleted later; a control source removed
 * and added back (two reloads, or a restart in between) keeps its Seq
 * window, so its old requests stay replays; LIST Stats when the kernel
 * has none of the criteria; the default per-source max-criteria.
 */
#include <errno.h>
#include <stdarg.h>

#include "dtcp_fixture.h"

/* The configuration without cs3 (the last source of good_conf). */
static char *conf_without_cs3(void)
{
	char *text = strdup(good_conf), *p = strstr(text, " },\n    { id = \"cs3\"");

	strcpy(p, " }\n  );\n} );\n");
	return text;
}

static void reload(struct _test_data_srv *self, const char *text)
{
	char err[512];
	struct dtcp_config *c;

	unlink(self->path);
	self->path = write_conf(text);
	c = dtcp_config_load(self->path, err, sizeof(err));
	if (!c)
		abort();
	dtcp_server_reconfig(&self->s, c);
}

TEST_F(srv, replay_after_remove_and_readd)
{
	static struct dtcp_out old;
	char *without = conf_without_cs3();
	uint32_t owner3 = self->s.cfg->groups[0].srcs[2].owner;
	struct dtcp_state st, back;
	char path[64] = "/tmp/unit_dtcp_answers.XXXXXX", why[256];
	int fd;

	/* cs3's ADD, its bytes kept as an attacker on the path would keep them. */
	dtcp_out_init(&old, false);
	dtcp_out_raw(&old, "ADD DTCP/0.7\r\nCdest-ID: cd1\r\nTimeout-Idle: 60\r\n", 47);
	dtcp_out_param(&old, "Csource-ID", "%s", "cs3");
	dtcp_out_param(&old, "Seq", "%" PRIu64, ++self->seq[2]);
	dtcp_out_sign(&old, "third", 5);
	dtcp_replies_clear(&self->r);
	dtcp_server_handle(&self->s, (struct sockaddr *)&self->from, 2400, old.buf, old.len,
			   &self->r);
	ASSERT_EQ(1, self->r.n);
	ASSERT_EQ(200, reply(self, 2, 0));
	/* A replay now is dropped: the positive control of what follows. */
	dtcp_replies_clear(&self->r);
	dtcp_server_handle(&self->s, (struct sockaddr *)&self->from, 2400, old.buf, old.len,
			   &self->r);
	ASSERT_EQ(0, self->r.n);
	/* Two reloads: cs3 goes (its criterion with it), then comes back. */
	reload(self, without);
	EXPECT_EQ(0, kfake_count(&self->k, owner3));
	EXPECT_EQ(NULL, dtcp_server_src(&self->s, "cs3"));
	/* Removed, its window is still in the state file. */
	dtcp_server_state(&self->s, &st);
	fd = mkstemp(path);
	ASSERT_GE(fd, 0);
	close(fd);
	st.generation = 1;
	ASSERT_EQ(0, dtcp_state_save(path, &st, false));
	free(st.src);
	ASSERT_EQ(0, dtcp_state_load(path, &back, why, sizeof(why))) TH_LOG("%s", why);
	unlink(path);
	ASSERT_EQ(3, back.n_src);
	EXPECT_STREQ("cs3", back.src[2].id);
	EXPECT_TRUE(back.src[2].seq.have);
	reload(self, good_conf);
	ASSERT_NE(NULL, dtcp_server_src(&self->s, "cs3"));
	dtcp_replies_clear(&self->r);
	dtcp_server_handle(&self->s, (struct sockaddr *)&self->from, 2400, old.buf, old.len,
			   &self->r);
	EXPECT_EQ(0, self->r.n) TH_LOG("the old ADD was answered again after the reloads");
	EXPECT_EQ(0, kfake_count(&self->k, owner3));
	/* New requests are answered. */
	ASSERT_EQ(1, req(self, 2, "NOOP DTCP/0.7", ""));
	EXPECT_EQ(200, reply(self, 2, 0));
	/* Across a restart while it is removed: a new server restores the window. */
	reload(self, without);
	dtcp_server_state(&self->s, &st);
	{
		struct dtcp_server s2 = { 0 };
		struct dtcp_config *c;
		char err[256];

		self->path = write_conf(good_conf);
		c = dtcp_config_load(self->path, err, sizeof(err));
		ASSERT_NE(NULL, c);
		ASSERT_EQ(0, dtcp_server_init(&s2, c));
		srv_wire(&s2, &self->k);
		ASSERT_EQ(0, dtcp_server_restore(&s2, &st));
		free(st.src);
		dtcp_server_fini(&self->s);
		self->s = s2;
	}
	dtcp_replies_clear(&self->r);
	dtcp_server_handle(&self->s, (struct sockaddr *)&self->from, 2400, old.buf, old.len,
			   &self->r);
	EXPECT_EQ(0, self->r.n);
	free(without);
	dtcp_state_free(&back);
}

TEST_F(srv, delete_refused_by_the_kernel)
{
	uint32_t owner = self->s.cfg->groups[0].srcs[0].owner;

	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", ADD1));
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", "Cdest-ID: cd1,cd2|Timeout-Idle: 60"));
	self->k.fail_del = -EIO;
	/* One criterion, then all of them (one kernel request): 500, nothing removed. */
	ASSERT_EQ(1, req(self, 0, "DELETE DTCP/0.7", "Criteria-ID: 2"));
	EXPECT_EQ(500, reply(self, 0, 0));
	ASSERT_EQ(1, req(self, 0, "DELETE DTCP/0.7", "Criteria-ID: *"));
	EXPECT_EQ(500, reply(self, 0, 0));
	EXPECT_EQ(2, dtcp_server_src(&self->s, "cs1")->n_live);
	EXPECT_EQ(3, kfake_count(&self->k, owner));
	ASSERT_EQ(1, req(self, 0, "LIST DTCP/0.7", ""));
	EXPECT_EQ(200, reply(self, 0, 0));
	EXPECT_EQ(2, num("Criteria-Count"));
	/* The kernel works again: the same DELETE succeeds. */
	self->k.fail_del = 0;
	ASSERT_EQ(1, req(self, 0, "DELETE DTCP/0.7", "Criteria-ID: 2"));
	EXPECT_EQ(200, reply(self, 0, 0));
	EXPECT_EQ(1, num("Criteria-Count"));
	EXPECT_EQ(1, kfake_count(&self->k, owner));
}

TEST_F(srv, removed_source_deleted_later)
{
	char *without = conf_without_cs3();
	uint32_t owner3 = self->s.cfg->groups[0].srcs[2].owner;

	ASSERT_EQ(1, req(self, 2, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 60"));
	ASSERT_EQ(200, reply(self, 2, 0));
	self->k.fail_del = -EBUSY;
	reload(self, without);
	EXPECT_EQ(1, kfake_count(&self->k, owner3));
	EXPECT_EQ(1, self->s.n_orphans);
	dtcp_server_retry(&self->s);
	EXPECT_EQ(1, kfake_count(&self->k, owner3));
	self->k.fail_del = 0;
	dtcp_server_retry(&self->s);
	EXPECT_EQ(0, kfake_count(&self->k, owner3));
	EXPECT_EQ(0, self->s.n_orphans);
	free(without);
}

TEST_F(srv, list_stats_kernel_has_none)
{
	uint32_t owner = self->s.cfg->groups[0].srcs[0].owner;

	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", ADD1));
	/* Gone from the kernel, its event not yet read: the dump is empty. */
	kfake_expire(&self->k, kfake_find(&self->k, owner, DTCP_KID(1, 0)));
	ASSERT_EQ(1, req(self, 0, "LIST DTCP/0.7", "Flags: Stats"));
	EXPECT_EQ(200, reply(self, 0, 0));
	EXPECT_EQ(0, num("Matching-Packets"));
}

TEST_F_TIMEOUT(srv, default_max_criteria, 600)
{
	/* cs1 sets none: the default holds (a source may not fill the kernel). */
	EXPECT_EQ(DTCP_DEFAULT_MAX_CRITERIA, self->s.cfg->groups[0].srcs[0].max_criteria);
	EXPECT_EQ(2, self->s.cfg->groups[0].srcs[2].max_criteria);
	for (unsigned int i = 0; i < DTCP_DEFAULT_MAX_CRITERIA; i++) {
		ASSERT_EQ(1, req(self, 1, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 60"));
		ASSERT_EQ(200, reply(self, 1, 0));
	}
	ASSERT_EQ(1, req(self, 1, "ADD DTCP/0.7", "Cdest-ID: cd1|Timeout-Idle: 60"));
	EXPECT_EQ(550, reply(self, 1, 0));
	/* Another source is not affected. */
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", ADD1));
	EXPECT_EQ(200, reply(self, 0, 0));
}

static unsigned int n_logged;
static char last_logged[512];

static void count_log(struct dtcp_server *s, const struct dtcp_src *src, int prio,
		      const char *fmt, ...)
{
	va_list ap;

	(void)s, (void)src, (void)prio;
	n_logged++;
	va_start(ap, fmt);
	vsnprintf(last_logged, sizeof(last_logged), fmt, ap);
	va_end(ap);
}

TEST_F(srv, drop_logs_rate_limited)
{
	static const char junk[] = "NOOP DTCP/0.7\r\nCsource-ID: nobody\r\nSeq: 1\r\n\r\n";

	self->s.log = count_log;
	n_logged = 0;
	for (unsigned int i = 0; i < 5000; i++) {
		dtcp_replies_clear(&self->r);
		dtcp_server_handle(&self->s, (struct sockaddr *)&self->from, 2400, junk,
				   strlen(junk), &self->r);
	}
	EXPECT_EQ(5000, self->s.st.unknown_csource);
	EXPECT_LE(n_logged, 10) TH_LOG("%u lines logged for 5000 dropped datagrams", n_logged);
	/* Once the period is over, one line says how many were not logged. */
	fake_mono += 10000;
	dtcp_server_log_flush(&self->s);
	EXPECT_EQ(11, n_logged);
	EXPECT_NE(NULL, strstr(last_logged, "4990 more dropped datagrams not logged"))
		TH_LOG("%s", last_logged);
	/* Authentic requests are still answered (and logged when they fail). */
	ASSERT_EQ(1, req(self, 0, "NOOP DTCP/0.7", ""));
	EXPECT_EQ(200, reply(self, 0, 0));
}

TEST_HARNESS_MAIN
