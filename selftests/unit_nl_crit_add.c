// SPDX-License-Identifier: GPL-2.0
/*
 * Host-tier unit tests of lib/dfc_nl*.c: the batched add of criteria
 * (CRIT_NEW) against the fake kernel (unit_nl_fake.h).
 */
#include "unit_nl_fake.h"

/* ---- CRIT_NEW ---- */

struct add_log {
	unsigned int fail_msg;	/* 1-based request to fail, on its second criterion; 0: none */
	unsigned int msgs, crits;
	uint64_t next_id;	/* ids must come in order, each once */
	bool bad;		/* something was wrong with a request */
	size_t max_len;
	/* if set, what was added (ids are indices): each must arrive whole */
	const struct dfc_nl_crit *v;
	unsigned int n;
};

static void kernel_add(struct fake *f, const struct nlmsghdr *req, uint32_t portid)
{
	struct add_log *log = f->ctx;
	const struct nlattr *a;
	unsigned int k = 0;
	uint32_t off = 0;

	fake_dgram(f);
	log->msgs++;
	if (req_cmd(req) != DFC_CMD_CRIT_NEW || req->nlmsg_type != FAKE_FAMILY ||
	    !(req->nlmsg_flags & NLM_F_ACK) || !req_attr(req, DFC_A_OWNER) ||
	    mnl_attr_get_u32(req_attr(req, DFC_A_OWNER)) != 42)
		log->bad = true;
	if (req->nlmsg_len > log->max_len)
		log->max_len = req->nlmsg_len;
	mnl_attr_for_each(a, req, GENL_HDRLEN) {
		struct dfc_nl_crit c;

		if (mnl_attr_get_type(a) != DFC_A_CRIT)
			continue;
		if (dfc_nl_crit_parse_attr(a, &c, NULL, 0, NULL, 0) ||
		    c.id != log->next_id + k || !c.n_entries)
			log->bad = true;
		else if (log->v && (c.id >= log->n || c.n_entries != log->v[c.id].n_entries ||
				    c.n_excl != log->v[c.id].n_excl ||
				    c.blob_len != log->v[c.id].blob_len))
			log->bad = true;
		if (++k == 2)
			off = (uint32_t)((const char *)a - (const char *)req) + 8;
	}
	if (log->msgs == log->fail_msg) {
		fake_ack(f, req, portid, -EEXIST, "criterion exists", off);
		return;
	}
	log->crits += k;
	log->next_id += k;
	fake_ack(f, req, portid, 0, NULL, 0);
}

static struct dfc_nl_crit *many_crits(unsigned int n, struct dfc_nl_entry *ent)
{
	struct dfc_nl_crit *v = calloc(n, sizeof(*v));

	for (unsigned int i = 0; v && i < n; i++)
		v[i] = (struct dfc_nl_crit){ .id = i, .timeout_total = 10, .entries = ent,
					     .n_entries = 1 + i % DFC_CRIT_MAX_ENTRIES };
	return v;
}

TEST_F(fk, crit_add_batches)
{
	struct add_log log = { 0 };
	unsigned int done = 12345;
	struct dfc_nl_crit *v = many_crits(1000, self->ent);

	ASSERT_NE(NULL, v);
	log.v = v;
	log.n = 1000;
	for (unsigned int i = 0; i < DFC_CRIT_MAX_ENTRIES; i++)
		self->ent[i] = entry4("10.0.0.0", 24, NULL, 0, (uint16_t)(i + 1), 17);
	fake.ctx = &log;
	FAKE_OPEN(kernel_add);
	ASSERT_EQ(0, dfc_nl_crit_add(self->nl, 42, v, 1000, &done));
	EXPECT_EQ(1000, done);
	EXPECT_EQ(1000, log.crits);
	EXPECT_FALSE(log.bad);
	EXPECT_LT(1, log.msgs);
	EXPECT_GE(dfc_nl_msg_room(self->nl), log.max_len);
	/* batches fill the room: far fewer messages than criteria */
	EXPECT_GT(log.max_len, dfc_nl_msg_room(self->nl) / 2);
	TH_LOG("1000 criteria in %u messages of up to %zu bytes", log.msgs, log.max_len);
	EXPECT_EQ(-1, dfc_nl_crit_add_failed(self->nl));

	/* nothing to add: no request */
	fake.n_req = 0;
	EXPECT_EQ(0, dfc_nl_crit_add(self->nl, 42, v, 0, &done));
	EXPECT_EQ(0, done);
	EXPECT_EQ(0, fake.n_req);
	free(v);
}

/* A message the kernel refuses: what went before stays, what comes after is not sent. */
TEST_F(fk, crit_add_fails_midway)
{
	struct add_log log = { .fail_msg = 3 };
	unsigned int done = 12345, before;
	struct dfc_nl_crit *v = many_crits(1000, self->ent);

	ASSERT_NE(NULL, v);
	for (unsigned int i = 0; i < DFC_CRIT_MAX_ENTRIES; i++)
		self->ent[i] = entry4("10.0.0.0", 24, NULL, 0, (uint16_t)(i + 1), 17);
	fake.ctx = &log;
	FAKE_OPEN(kernel_add);
	EXPECT_EQ(-EEXIST, dfc_nl_crit_add(self->nl, 42, v, 1000, &done));
	EXPECT_FALSE(log.bad);
	EXPECT_EQ(3, log.msgs);
	before = log.crits;
	EXPECT_LT(0, before);
	EXPECT_EQ(before, done);
	EXPECT_STREQ("criterion exists", dfc_nl_extack(self->nl));
	/* the extack offset pointed into the failed message's second criterion */
	EXPECT_EQ((long)done + 1, dfc_nl_crit_add_failed(self->nl));
	free(v);
}

/*
 * The largest criteria go two to a message of the library's room, each
 * whole: batching never splits one.
 */
TEST_F(fk, crit_add_largest)
{
	enum { N = 9 };
	static char blob[DFC_CRIT_BLOB_MAX];
	struct add_log log = { 0 };
	struct dfc_nl_crit v[N];
	unsigned int done = 12345, per;
	char *buf = calloc(1, DFC_NL_MSG_MAX);
	struct nlmsghdr *nlh;
	uint32_t base;

	ASSERT_NE(NULL, buf);
	for (unsigned int i = 0; i < N; i++) {
		v[i] = max_crit(self->ent, self->exc, blob);
		v[i].id = i;
		if (i % 3 == 1) { /* and a few smaller ones between */
			v[i].n_entries = 1 + i;
			v[i].n_excl = 0;
			v[i].blob_len = 0;
		}
	}
	fake.ctx = &log;
	log.v = v;
	log.n = N;
	FAKE_OPEN(kernel_add);
	ASSERT_EQ(DFC_NL_MSG_MAX, dfc_nl_msg_room(self->nl)) TH_LOG("wmem_max too small here?");
	/* how many of the largest a message holds */
	nlh = crit_msg(buf, 42);
	base = nlh->nlmsg_len;
	ASSERT_EQ(0, dfc_nl_crit_put(nlh, DFC_NL_MSG_MAX, &v[0]));
	per = (DFC_NL_MSG_MAX - base) / (nlh->nlmsg_len - base);
	EXPECT_LE(2, per);

	ASSERT_EQ(0, dfc_nl_crit_add(self->nl, 42, v, N, &done));
	EXPECT_EQ(N, done);
	EXPECT_EQ(N, log.crits);
	EXPECT_FALSE(log.bad);
	EXPECT_GE(dfc_nl_msg_room(self->nl), log.max_len);
	/* 6 of the largest, `per` to a message, the small ones in with them */
	EXPECT_EQ((6 + per - 1) / per, log.msgs);
	TH_LOG("%u criteria, %u at most of the largest to a message: %u messages of up to %zu bytes",
	       N, per, log.msgs, log.max_len);
	free(buf);
}

/*
 * Over a cap: refused before anything of it is sent, with a reason and
 * its index; those before it went, those after it did not.
 */
TEST_F(fk, crit_add_over_caps)
{
	static char blob[DFC_CRIT_BLOB_MAX + 1];
	static const struct {
		unsigned int ne, nx, blob;
		const char *says;
	} over[] = {
		{ DFC_CRIT_MAX_ENTRIES + 1, 0, 0, "257 entries, at most 256" },
		{ 1, DFC_CRIT_MAX_EXCL + 1, 0, "65 exclusions, at most 64" },
		{ 1, 0, DFC_CRIT_BLOB_MAX + 1, "2049-byte blob, at most 2048" },
	};
	struct dfc_nl_crit v[3] = {
		{ .id = 0, .timeout_total = 1, .entries = self->ent, .n_entries = 1 },
		{ .id = 1, .timeout_total = 1, .entries = self->ent, .excl = self->exc,
		  .blob = blob },
		{ .id = 2, .timeout_total = 1, .entries = self->ent, .n_entries = 1 },
	};

	_Static_assert(DFC_CRIT_MAX_ENTRIES == 256 && DFC_CRIT_MAX_EXCL == 64 &&
		       DFC_CRIT_BLOB_MAX == 2048, "the messages below name the caps");
	for (unsigned int i = 0; i <= DFC_CRIT_MAX_ENTRIES; i++)
		self->ent[i] = entry4("10.0.0.0", 8, NULL, 0, (uint16_t)(i + 1), 6);
	for (unsigned int i = 0; i <= DFC_CRIT_MAX_EXCL; i++)
		self->exc[i] = entry4(NULL, 0, "10.1.0.0", 16, (uint16_t)(i + 1), 17);
	FAKE_OPEN(kernel_add);
	for (size_t i = 0; i < sizeof(over) / sizeof(over[0]); i++) {
		struct add_log log = { 0 };
		unsigned int done = 12345;

		fake.ctx = &log;
		v[1].n_entries = over[i].ne;
		v[1].n_excl = over[i].nx;
		v[1].blob_len = (uint16_t)over[i].blob;
		EXPECT_EQ(-EINVAL, dfc_nl_crit_add(self->nl, 42, v, 3, &done))
			TH_LOG("%s", over[i].says);
		EXPECT_EQ(1, done);		/* the first went alone */
		EXPECT_EQ(1, log.msgs);
		EXPECT_EQ(1, log.crits);
		EXPECT_FALSE(log.bad);
		EXPECT_EQ(1, dfc_nl_crit_add_failed(self->nl));
		EXPECT_NE(NULL, strstr(dfc_nl_extack(self->nl), over[i].says))
			TH_LOG("extack: %s", dfc_nl_extack(self->nl));
		EXPECT_EQ(0, dfc_nl_extack_offset(self->nl));
	}

	/* at the caps, it goes */
	{
		struct add_log log = { 0 };
		unsigned int done = 12345;

		fake.ctx = &log;
		v[1].n_entries = DFC_CRIT_MAX_ENTRIES;
		v[1].n_excl = DFC_CRIT_MAX_EXCL;
		v[1].blob_len = DFC_CRIT_BLOB_MAX;
		EXPECT_EQ(0, dfc_nl_crit_add(self->nl, 42, v, 3, &done));
		EXPECT_EQ(3, done);
		EXPECT_EQ(3, log.crits);
		EXPECT_FALSE(log.bad);
	}

	/* unencodable: -EINVAL, also named, nothing sent */
	fake.n_req = 0;
	v[1].n_entries = 1;
	v[1].n_excl = 0;
	self->ent[0].ipver = 0;
	{
		unsigned int done = 12345;

		EXPECT_EQ(-EINVAL, dfc_nl_crit_add(self->nl, 42, v + 1, 2, &done));
		EXPECT_EQ(0, done);
	}
	EXPECT_EQ(0, fake.n_req);
	EXPECT_EQ(0, dfc_nl_crit_add_failed(self->nl));
	EXPECT_NE(NULL, strstr(dfc_nl_extack(self->nl), "IP version"))
		TH_LOG("extack: %s", dfc_nl_extack(self->nl));
}

/*
 * Too big for one message, which only a small room (a host with a small
 * net.core.wmem_max) makes possible: -EMSGSIZE before anything of it is
 * sent, with a reason; the same criterion goes with the usual room.
 */
TEST_F(fk, crit_add_too_big)
{
	enum { SNDBUF = 40000 };
	static char blob[DFC_CRIT_BLOB_MAX];
	struct add_log log = { 0 };
	unsigned int done = 12345;
	struct dfc_nl_crit v[3] = {
		{ .id = 0, .timeout_total = 1, .entries = self->ent, .n_entries = 1 },
		max_crit(self->ent, self->exc, blob),
		{ .id = 2, .timeout_total = 1, .entries = self->ent, .n_entries = 1 },
	};

	v[1].id = 1;
	fake.ctx = &log;
	log.v = v;
	log.n = 3;
	fake.sndbuf = SNDBUF;
	FAKE_OPEN(kernel_add);
	EXPECT_EQ(SNDBUF - 32, dfc_nl_msg_room(self->nl));
	EXPECT_EQ(-EMSGSIZE, dfc_nl_crit_add(self->nl, 42, v, 3, &done));
	EXPECT_EQ(1, done);		/* the first went alone */
	EXPECT_EQ(1, log.msgs);
	EXPECT_EQ(1, log.crits);
	EXPECT_FALSE(log.bad);
	EXPECT_GE(dfc_nl_msg_room(self->nl), log.max_len);
	EXPECT_EQ(1, dfc_nl_crit_add_failed(self->nl));
	EXPECT_NE(NULL, strstr(dfc_nl_extack(self->nl), "does not fit in one message"))
		TH_LOG("extack: %s", dfc_nl_extack(self->nl));

	/* the usual room: it goes, whole */
	dfc_nl_close(self->nl);
	fake.sndbuf = 0;
	FAKE_OPEN(kernel_add);
	ASSERT_EQ(DFC_NL_MSG_MAX, dfc_nl_msg_room(self->nl)) TH_LOG("wmem_max too small here?");
	EXPECT_EQ(0, dfc_nl_crit_add(self->nl, 42, v + 1, 2, &done));
	EXPECT_EQ(2, done);
	EXPECT_EQ(3, log.crits);
	EXPECT_FALSE(log.bad);
	EXPECT_EQ(-1, dfc_nl_crit_add_failed(self->nl));
}

TEST_HARNESS_MAIN
