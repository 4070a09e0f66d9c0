// SPDX-License-Identifier: GPL-2.0
/*
 * Host-tier unit tests of lib/dfc_nl*.c: the criteria commands against the
 * fake kernel (unit_nl_fake.h): the streamed dump with restarts, get,
 * delete, refresh, limits.
 */
#include "unit_nl_fake.h"

/* ---- CRIT_GET dump ---- */

struct dump_log {
	/* per attempt (0-based): ids to send, and after which of them the set "changes" */
	unsigned int attempts;
	int intr_after[8];	/* -1: never */
	bool always_intr;
	uint64_t ids[8][8];
	unsigned int n_ids[8];
	bool bad;
	/* what the callback saw */
	uint64_t seen[64];
	unsigned int n_seen, restarts;
	uint64_t ever[64];	/* every id the callback got, restarts or not */
	unsigned int n_ever;
	int restart_ret;
};

/* A dump in several datagrams, like the kernel's one skb per recvmsg. */
static void kernel_dump(struct fake *f, const struct nlmsghdr *req, uint32_t portid)
{
	struct dump_log *log = f->ctx;
	unsigned int a = log->attempts++;
	uint16_t intr = 0;

	if (req_cmd(req) != DFC_CMD_CRIT_GET ||
	    (req->nlmsg_flags & NLM_F_DUMP) != NLM_F_DUMP || !req_attr(req, DFC_A_TERSE) ||
	    !req_attr(req, DFC_A_OWNER) || mnl_attr_get_u32(req_attr(req, DFC_A_OWNER)) != 3)
		log->bad = true;
	if (a >= 8)
		abort();
	for (unsigned int i = 0; i < log->n_ids[a]; i++) {
		struct nlmsghdr *nlh;
		struct nlattr *crit;

		if (i % 2 == 0)
			fake_dgram(f);
		if (log->always_intr || (log->intr_after[a] >= 0 && (int)i > log->intr_after[a]))
			intr = NLM_F_DUMP_INTR;
		nlh = fake_genl(f, req, portid, FAKE_FAMILY, DFC_CMD_CRIT_GET, NLM_F_MULTI | intr);
		mnl_attr_put_u32(nlh, DFC_A_OWNER, 3);
		crit = nest_start(nlh, DFC_A_CRIT);
		put_u64(nlh, DFC_CRIT_A_ID, log->ids[a][i], DFC_CRIT_A_PAD);
		put_u64(nlh, DFC_CRIT_A_PACKETS, i, DFC_CRIT_A_PAD);
		mnl_attr_nest_end(nlh, crit);
		fake_end(f, nlh);
	}
	fake_dgram(f);
	/* the kernel checks the generation for DONE too */
	if (log->always_intr || log->intr_after[a] >= 0)
		intr = NLM_F_DUMP_INTR;
	fake_done(f, req, portid, intr);
}

static int dump_cb(const struct dfc_nl_crit *c, void *data)
{
	struct dump_log *log = data;

	if (log->n_seen < 64)
		log->seen[log->n_seen++] = c->id;
	if (log->n_ever < 64)
		log->ever[log->n_ever++] = c->id;
	return c->id == 666 ? 7 : 0; /* the devil stops the walk */
}

static int dump_restart(void *data)
{
	struct dump_log *log = data;

	log->restarts++;
	log->n_seen = 0;
	return log->restart_ret;
}

static void dump_log_init(struct dump_log *log)
{
	memset(log, 0, sizeof(*log));
	for (int i = 0; i < 8; i++) {
		log->intr_after[i] = -1;
		log->n_ids[i] = 4;
		for (int j = 0; j < 4; j++)
			log->ids[i][j] = 100 * (i + 1) + j;
	}
}

TEST_F(fk, crit_dump_streams)
{
	struct dump_log log;
	uint32_t owner = 3;

	dump_log_init(&log);
	fake.ctx = &log;
	FAKE_OPEN(kernel_dump);
	ASSERT_EQ(0, dfc_nl_crit_dump(self->nl, &owner, true, dump_cb, dump_restart, &log));
	EXPECT_FALSE(log.bad);
	EXPECT_EQ(1, log.attempts);
	EXPECT_EQ(0, log.restarts);
	ASSERT_EQ(4, log.n_seen);
	for (unsigned int i = 0; i < 4; i++)
		EXPECT_EQ(100 + i, log.seen[i]);
}

/*
 * The set changes after the second message: the callback saw two, then
 * hears of the restart, then gets the second attempt whole; nothing of
 * the flagged part reaches it.
 */
TEST_F(fk, crit_dump_restarts)
{
	struct dump_log log;
	uint32_t owner = 3;

	dump_log_init(&log);
	log.intr_after[0] = 1;
	fake.ctx = &log;
	FAKE_OPEN(kernel_dump);
	ASSERT_EQ(0, dfc_nl_crit_dump(self->nl, &owner, true, dump_cb, dump_restart, &log));
	EXPECT_FALSE(log.bad);
	EXPECT_EQ(2, log.attempts);
	EXPECT_EQ(1, log.restarts);
	ASSERT_EQ(4, log.n_seen);
	for (unsigned int i = 0; i < 4; i++)
		EXPECT_EQ(200 + i, log.seen[i]);
	/* the flagged messages of the first attempt never reached it */
	ASSERT_EQ(6, log.n_ever);
	EXPECT_EQ(100, log.ever[0]);
	EXPECT_EQ(101, log.ever[1]);
	EXPECT_EQ(200, log.ever[2]);
	/* the handle is in step: the next request gets its own replies */
	log.restarts = 0;
	log.n_seen = 0;
	ASSERT_EQ(0, dfc_nl_crit_dump(self->nl, &owner, true, dump_cb, dump_restart, &log));
	EXPECT_EQ(0, log.restarts);
	EXPECT_EQ(300, log.seen[0]);
}

/* Flagged only on DONE: still not a snapshot. */
TEST_F(fk, crit_dump_intr_on_done)
{
	struct dump_log log;
	uint32_t owner = 3;

	dump_log_init(&log);
	log.intr_after[0] = 3; /* after the last: only DONE carries it */
	fake.ctx = &log;
	FAKE_OPEN(kernel_dump);
	ASSERT_EQ(0, dfc_nl_crit_dump(self->nl, &owner, true, dump_cb, dump_restart, &log));
	EXPECT_EQ(1, log.restarts);
	EXPECT_EQ(200, log.seen[0]);
}

TEST_F(fk, crit_dump_no_restart_hook)
{
	struct dump_log log;
	uint32_t owner = 3;

	dump_log_init(&log);
	log.intr_after[0] = 0;
	fake.ctx = &log;
	FAKE_OPEN(kernel_dump);
	EXPECT_EQ(-EAGAIN, dfc_nl_crit_dump(self->nl, &owner, true, dump_cb, NULL, &log));
	EXPECT_EQ(1, log.attempts);
	EXPECT_EQ(1, log.n_seen);
}

TEST_F(fk, crit_dump_gives_up)
{
	struct dump_log log;
	uint32_t owner = 3;

	dump_log_init(&log);
	log.always_intr = true;
	fake.ctx = &log;
	FAKE_OPEN(kernel_dump);
	EXPECT_EQ(-EAGAIN, dfc_nl_crit_dump(self->nl, &owner, true, dump_cb, dump_restart, &log));
	EXPECT_EQ(DFC_NL_DUMP_TRIES, log.attempts);
	EXPECT_EQ(log.attempts - 1, log.restarts);
	/* always flagged from the first message on: the callback never ran */
	EXPECT_EQ(0, log.n_seen);
}

/* The restart hook and the callback can each stop the dump; their value comes back. */
TEST_F(fk, crit_dump_stopped)
{
	struct dump_log log;
	uint32_t owner = 3;

	dump_log_init(&log);
	log.intr_after[0] = 0;
	log.restart_ret = -ECANCELED;
	fake.ctx = &log;
	FAKE_OPEN(kernel_dump);
	EXPECT_EQ(-ECANCELED, dfc_nl_crit_dump(self->nl, &owner, true, dump_cb, dump_restart,
					       &log));
	EXPECT_EQ(1, log.attempts);

	dump_log_init(&log);
	log.ids[0][1] = 666;
	EXPECT_EQ(7, dfc_nl_crit_dump(self->nl, &owner, true, dump_cb, dump_restart, &log));
	EXPECT_EQ(2, log.n_seen);
	/* drained all the same */
	EXPECT_EQ(fake.head, fake.tail);
}

/* ---- GET, DEL, REFRESH, LIMITS ---- */

struct got_crit {
	unsigned int calls;
	struct dfc_nl_crit c;
	struct dfc_nl_entry e1;
};

static int get_cb(const struct dfc_nl_crit *c, void *data)
{
	struct got_crit *g = data;

	g->calls++;
	g->c = *c;
	if (c->n_entries > 1 && c->entries)
		g->e1 = c->entries[1];
	return 0;
}

TEST_F(fk, crit_get)
{
	struct req_log log = { 0 };
	struct got_crit g = { 0 };

	fake.ctx = &log;
	FAKE_OPEN(kernel_get);
	ASSERT_EQ(0, dfc_nl_crit_get(self->nl, 3, 0x1122334455667788ULL, get_cb, &g));
	EXPECT_EQ(1, g.calls);
	EXPECT_EQ(3, g.c.owner);
	EXPECT_EQ(2, g.c.n_entries);
	EXPECT_EQ(53, g.e1.dport);
	EXPECT_EQ(DFC_CMD_CRIT_GET, req_cmd(log.req));
	EXPECT_EQ(0, log.req->nlmsg_flags & NLM_F_DUMP);
	EXPECT_EQ(3, mnl_attr_get_u32(req_attr(log.req, DFC_A_OWNER)));
	EXPECT_EQ(0x1122334455667788ULL, mnl_attr_get_u64(req_attr(log.req, DFC_A_ID)));

	log.reply = 1;
	EXPECT_EQ(-EPROTO, dfc_nl_crit_get(self->nl, 3, 1, get_cb, &g));
	log.reply = -ENOENT;
	EXPECT_EQ(-ENOENT, dfc_nl_crit_get(self->nl, 3, 1, get_cb, &g));
	EXPECT_STREQ("no such criterion", dfc_nl_extack(self->nl));
	free(log.req);
}

static int get_copy_cb(const struct dfc_nl_crit *c, void *data)
{
	struct dfc_nl_crit *out = data;
	struct dfc_nl_entry *ent = (struct dfc_nl_entry *)out->entries;
	struct dfc_nl_entry *exc = (struct dfc_nl_entry *)out->excl;
	char *blob = (char *)out->blob;

	if (!c->entries || c->n_entries > DFC_CRIT_MAX_ENTRIES || c->n_excl > DFC_CRIT_MAX_EXCL ||
	    c->blob_len > DFC_CRIT_BLOB_MAX || (c->n_excl && !c->excl) ||
	    (c->blob_len && !c->blob))
		return -EBADMSG;
	*out = *c;
	memcpy(ent, c->entries, c->n_entries * sizeof(*ent));
	memcpy(exc, c->excl, c->n_excl * sizeof(*exc));
	memcpy(blob, c->blob, c->blob_len);
	out->entries = ent;
	out->excl = exc;
	out->blob = blob;
	return 0;
}

/* The largest criterion comes back whole from a GET. */
TEST_F(fk, crit_get_largest)
{
	static char blob[DFC_CRIT_BLOB_MAX], got_blob[DFC_CRIT_BLOB_MAX];
	static struct dfc_nl_entry got_ent[DFC_CRIT_MAX_ENTRIES], got_exc[DFC_CRIT_MAX_EXCL];
	struct dfc_nl_crit c = max_crit(self->ent, self->exc, blob);
	struct dfc_nl_crit got = { .entries = got_ent, .excl = got_exc, .blob = got_blob };
	char *req = calloc(1, DFC_NL_MSG_MAX), *rep = calloc(1, DFC_NL_MSG_MAX);
	struct req_log log = { 0 };
	size_t rlen;

	ASSERT_NE(NULL, req);
	ASSERT_NE(NULL, rep);
	memset(blob, 'z', sizeof(blob));
	ASSERT_EQ(0, dfc_nl_crit_put(crit_msg(req, 3), DFC_NL_MSG_MAX, &c));
	log.msg = reply_of(rep, (struct nlmsghdr *)req, &rlen);
	ASSERT_GE((size_t)UINT16_MAX, rlen);
	fake.ctx = &log;
	FAKE_OPEN(kernel_get);
	ASSERT_EQ(0, dfc_nl_crit_get(self->nl, 3, c.id, get_copy_cb, &got));
	EXPECT_EQ(3, got.owner);
	EXPECT_EQ(c.id, got.id);
	ASSERT_EQ(DFC_CRIT_MAX_ENTRIES, got.n_entries);
	ASSERT_EQ(DFC_CRIT_MAX_EXCL, got.n_excl);
	ASSERT_EQ(DFC_CRIT_BLOB_MAX, got.blob_len);
	EXPECT_EQ(0, memcmp(blob, got.blob, sizeof(blob)));
	for (unsigned int i = 0; i < DFC_CRIT_MAX_ENTRIES; i++) {
		ASSERT_TRUE(entry_eq(&self->ent[i], &got.entries[i])) TH_LOG("entry %u", i);
	}
	for (unsigned int i = 0; i < DFC_CRIT_MAX_EXCL; i++) {
		ASSERT_TRUE(entry_eq(&self->exc[i], &got.excl[i])) TH_LOG("exclusion %u", i);
	}
	free(log.req);
	free(req);
	free(rep);
}

static void kernel_count(struct fake *f, const struct nlmsghdr *req, uint32_t portid)
{
	struct req_log *log = f->ctx;
	struct nlmsghdr *nlh;

	log_req(f, req);
	fake_dgram(f);
	if (log->reply == 0) {
		nlh = fake_genl(f, req, portid, FAKE_FAMILY, DFC_CMD_CRIT_DEL, 0);
		mnl_attr_put_u32(nlh, DFC_A_COUNT, 7);
		fake_end(f, nlh);
	}
	fake_ack(f, req, portid, log->reply < 0 ? log->reply : 0, NULL, 0);
}

TEST_F(fk, crit_del)
{
	struct req_log log = { 0 };
	uint32_t deleted = 0, cdest = 5;
	uint64_t id = 1ULL << 60;

	fake.ctx = &log;
	FAKE_OPEN(kernel_count);
	ASSERT_EQ(0, dfc_nl_crit_del(self->nl, 9, &id, NULL, true, &deleted));
	EXPECT_EQ(7, deleted);
	EXPECT_EQ(DFC_CMD_CRIT_DEL, req_cmd(log.req));
	EXPECT_EQ(9, mnl_attr_get_u32(req_attr(log.req, DFC_A_OWNER)));
	EXPECT_EQ(id, mnl_attr_get_u64(req_attr(log.req, DFC_A_ID)));
	EXPECT_EQ(NULL, req_attr(log.req, DFC_A_CDEST));
	EXPECT_EQ(DFC_CRIT_F_STATIC, mnl_attr_get_u32(req_attr(log.req, DFC_A_FLAGS)));

	ASSERT_EQ(0, dfc_nl_crit_del(self->nl, 9, NULL, &cdest, false, NULL));
	EXPECT_EQ(NULL, req_attr(log.req, DFC_A_ID));
	EXPECT_EQ(5, mnl_attr_get_u32(req_attr(log.req, DFC_A_CDEST)));
	EXPECT_EQ(NULL, req_attr(log.req, DFC_A_FLAGS));

	ASSERT_EQ(0, dfc_nl_crit_del(self->nl, 9, NULL, NULL, false, &deleted));
	EXPECT_EQ(NULL, req_attr(log.req, DFC_A_ID));
	EXPECT_EQ(NULL, req_attr(log.req, DFC_A_CDEST));

	/* both: refused without asking */
	fake.n_req = 0;
	EXPECT_EQ(-EINVAL, dfc_nl_crit_del(self->nl, 9, &id, &cdest, false, &deleted));
	EXPECT_EQ(0, fake.n_req);

	log.reply = 1; /* no count */
	EXPECT_EQ(-EPROTO, dfc_nl_crit_del(self->nl, 9, NULL, NULL, false, &deleted));
	log.reply = -EPERM;
	EXPECT_EQ(-EPERM, dfc_nl_crit_del(self->nl, 9, &id, NULL, false, &deleted));
	free(log.req);
}

TEST_F(fk, crit_refresh)
{
	struct req_log log = { 0 };
	struct dfc_nl_crit c = { .id = 77, .timeout_idle = 30, .limit_bytes = 1ULL << 35,
				 .prio = 3, .cdest = 4, .flags = DFC_CRIT_F_STATIC,
				 .entries = self->ent, .n_entries = 1 };
	const struct nlattr *n;

	fake.ctx = &log;
	FAKE_OPEN(kernel_ack);
	ASSERT_EQ(0, dfc_nl_crit_refresh(self->nl, 2, &c));
	EXPECT_EQ(DFC_CMD_CRIT_REFRESH, req_cmd(log.req));
	EXPECT_EQ(2, mnl_attr_get_u32(req_attr(log.req, DFC_A_OWNER)));
	n = req_attr(log.req, DFC_A_CRIT);
	ASSERT_NE(NULL, n);
	EXPECT_TRUE(n->nla_type & NLA_F_NESTED);
	EXPECT_EQ(77, mnl_attr_get_u64(nest_find(n, DFC_CRIT_A_ID)));
	EXPECT_EQ(30, mnl_attr_get_u32(nest_find(n, DFC_CRIT_A_TIMEOUT_IDLE)));
	EXPECT_EQ(1ULL << 35, mnl_attr_get_u64(nest_find(n, DFC_CRIT_A_LIMIT_BYTES)));
	/* only the timeouts and limits given: the kernel refuses anything else */
	EXPECT_EQ(NULL, nest_find(n, DFC_CRIT_A_TIMEOUT_TOTAL));
	EXPECT_EQ(NULL, nest_find(n, DFC_CRIT_A_LIMIT_PACKETS));
	EXPECT_EQ(NULL, nest_find(n, DFC_CRIT_A_PRIO));
	EXPECT_EQ(NULL, nest_find(n, DFC_CRIT_A_FLAGS));
	EXPECT_EQ(NULL, nest_find(n, DFC_CRIT_A_CDEST));
	EXPECT_EQ(NULL, nest_find(n, DFC_CRIT_A_ENTRY));
	free(log.req);
}

TEST_F(fk, limits_set)
{
	struct req_log log = { 0 };

	fake.ctx = &log;
	FAKE_OPEN(kernel_ack);
	ASSERT_EQ(0, dfc_nl_limits_set(self->nl, 0, 64));
	EXPECT_EQ(DFC_CMD_LIMITS_SET, req_cmd(log.req));
	EXPECT_EQ(NULL, req_attr(log.req, DFC_STATS_A_MAX_CRITS));
	EXPECT_EQ(64, mnl_attr_get_u32(req_attr(log.req, DFC_STATS_A_MAX_MASKS)));
	ASSERT_EQ(0, dfc_nl_limits_set(self->nl, 100000, 0));
	EXPECT_EQ(100000, mnl_attr_get_u32(req_attr(log.req, DFC_STATS_A_MAX_CRITS)));
	EXPECT_EQ(NULL, req_attr(log.req, DFC_STATS_A_MAX_MASKS));
	fake.n_req = 0;
	EXPECT_EQ(-EINVAL, dfc_nl_limits_set(self->nl, 0, 0));
	EXPECT_EQ(0, fake.n_req);
	free(log.req);
}

/*
 * A reply claiming 2 GiB or more (libmnl 1.0.4's mnl_nlmsg_ok() passes
 * it, and mnl_nlmsg_next() would step 4 GiB on): the rest of its datagram
 * is dropped, nothing past it is read, and the ACK in the next datagram
 * still ends the request.
 */
static void kernel_huge_then_ack(struct fake *f, const struct nlmsghdr *req, uint32_t portid)
{
	struct nlmsghdr *nlh;

	fake_dgram(f);
	nlh = fake_genl(f, req, portid, FAKE_FAMILY, DFC_CMD_LIMITS_SET, 0);
	mnl_attr_put_u32(nlh, DFC_A_OWNER, 1);
	fake_end(f, nlh);
	nlh->nlmsg_len = 0xfffff000u;	/* (int)-4096: the next would be 4 GiB on */
	fake_ack(f, req, portid, -EPERM, NULL, 0);
	fake_dgram(f);
	fake_ack(f, req, portid, 0, NULL, 0);
}

TEST_F(fk, reply_huge_len)
{
	FAKE_OPEN(kernel_huge_then_ack);
	EXPECT_EQ(0, dfc_nl_limits_set(self->nl, 0, 64));
	EXPECT_EQ(1, fake.n_req);
}

TEST_HARNESS_MAIN
