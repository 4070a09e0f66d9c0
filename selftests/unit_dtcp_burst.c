// SPDX-License-Identifier: GPL-2.0
/*
 * dtcpd's bursts on the in-memory kernel: the ADDs of requests read
 * together go to the kernel as one batch, each ADD applied and answered
 * on its own, in order, and as a request handled alone would be.
 */
#include "dtcp_fixture.h"

#define BURST_MAX 80

/* A burst's answers, one slot per request, as agent/udp.c keeps them. */
struct burst {
	struct dtcp_replies r[BURST_MAX];
	bool later[BURST_MAX];
	unsigned int n;
};

static void burst_begin(struct _test_data_srv *self, struct burst *b)
{
	memset(b, 0, sizeof(*b));
	dtcp_server_burst_begin(&self->s);
}

/* One request of source i into the burst; true: its answer comes later. */
static bool burst_req(struct _test_data_srv *self, struct burst *b, unsigned int i,
		      const char *start, const char *lines)
{
	static struct dtcp_out o;
	unsigned int k = b->n++;

	dtcp_req_build(&o, start, lines, ids[i], keys[i], ++self->seq[i]);
	b->later[k] = dtcp_server_handle(&self->s, (struct sockaddr *)&self->from, ports[i],
					 o.buf, o.len, &b->r[k]);
	return b->later[k];
}

static void burst_free(struct burst *b)
{
	for (unsigned int k = 0; k < b->n; k++) {
		dtcp_replies_clear(&b->r[k]);
		free(b->r[k].d);
	}
}

/* Answer k of the burst (source i's key): its code, 0 if none or not authentic. */
static unsigned int burst_code(struct burst *b, unsigned int k, unsigned int i)
{
	if (b->r[k].n != 1 || dtcp_msg_parse(&M, b->r[k].d[0].buf, b->r[k].d[0].len) ||
	    M.kind != DTCP_K_STATUS || !M.auth ||
	    !dtcp_hmac_verify(keys[i], strlen(keys[i]), M.raw, M.signed_len, M.auth))
		return 0;
	return M.code;
}

static unsigned int n_kernel(struct kfake *k)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < k->n; i++)
		n += k->v[i].used;
	return n;
}

/* Ten ADDs: one batch, no answer before it ran, then each its own 200 and Seq. */
TEST_F(srv, burst_one_batch)
{
	struct burst b;
	uint64_t first = self->seq[0] + 1, id = 0;

	burst_begin(self, &b);
	for (unsigned int k = 0; k < 10; k++) {
		ASSERT_TRUE(burst_req(self, &b, 0, "ADD DTCP/0.7", ADD1));
		ASSERT_EQ(0, b.r[k].n);
	}
	EXPECT_EQ(0, self->k.calls_flush);
	EXPECT_EQ(10, self->k.calls_queue);
	dtcp_server_burst_end(&self->s);
	EXPECT_EQ(1, self->k.calls_flush);
	for (unsigned int k = 0; k < 10; k++) {
		ASSERT_EQ(200, burst_code(&b, k, 0)) TH_LOG("answer %u", k);
		EXPECT_EQ(first + k, num("Seq"));
		if (k)
			EXPECT_EQ(id + 1, num("Criteria-ID"));
		id = num("Criteria-ID");
	}
	EXPECT_EQ(10, n_kernel(&self->k));
	EXPECT_EQ(10, self->s.srcs[0]->n_live);
	EXPECT_EQ(10, self->s.srcs[0]->st.added);
	EXPECT_EQ(10, self->s.srcs[0]->st.answers[2]);
	/* Positive control: outside a burst, an ADD is answered at once. */
	EXPECT_EQ(1, req(self, 0, "ADD DTCP/0.7", ADD1));
	EXPECT_EQ(200, reply(self, 0, 0));
	EXPECT_EQ(1, self->k.calls_flush);
	burst_free(&b);
}

/* The kernel refuses one ADD of the batch: that one fails, alone. */
TEST_F(srv, burst_kernel_refuses_one)
{
	struct burst b;

	burst_begin(self, &b);
	burst_req(self, &b, 0, "ADD DTCP/0.7", ADD1);
	burst_req(self, &b, 0, "ADD DTCP/0.7", ADD1);
	self->k.fail_add = -ENOSPC;
	burst_req(self, &b, 0, "ADD DTCP/0.7", ADD1);
	burst_req(self, &b, 0, "ADD DTCP/0.7", ADD1);
	dtcp_server_burst_end(&self->s);
	EXPECT_EQ(200, burst_code(&b, 0, 0));
	EXPECT_EQ(200, burst_code(&b, 1, 0));
	EXPECT_EQ(550, burst_code(&b, 2, 0));
	EXPECT_STREQ("kernel criteria limit reached", dtcp_msg_value(&M, "X-Error-Info"));
	EXPECT_EQ(200, burst_code(&b, 3, 0));
	EXPECT_EQ(3, n_kernel(&self->k));
	EXPECT_EQ(3, self->s.srcs[0]->n_live);
	EXPECT_EQ(1, self->s.srcs[0]->st.add_failed);
	EXPECT_EQ(1, self->s.srcs[0]->st.req_failed[DTCP_M_ADD]);
	EXPECT_EQ(1, self->s.srcs[0]->st.answers[5]);
	burst_free(&b);
}

/* A DELETE after ADDs in the same burst sees them: the batch runs before it. */
TEST_F(srv, burst_delete_sees_adds)
{
	struct burst b;

	burst_begin(self, &b);
	for (unsigned int k = 0; k < 3; k++)
		ASSERT_TRUE(burst_req(self, &b, 0, "ADD DTCP/0.7", ADD1));
	ASSERT_FALSE(burst_req(self, &b, 0, "DELETE DTCP/0.7", "Criteria-ID: *"));
	/* Answered already: the ADDs before it too. */
	EXPECT_EQ(200, burst_code(&b, 0, 0));
	EXPECT_EQ(200, burst_code(&b, 3, 0));
	EXPECT_EQ(3, num("Criteria-Count"));
	ASSERT_TRUE(burst_req(self, &b, 0, "ADD DTCP/0.7", ADD1));
	dtcp_server_burst_end(&self->s);
	EXPECT_EQ(200, burst_code(&b, 4, 0));
	EXPECT_EQ(2, self->k.calls_flush);
	EXPECT_EQ(1, n_kernel(&self->k));
	EXPECT_EQ(1, self->s.srcs[0]->n_live);
	burst_free(&b);
}

/* max-criteria counts the ADDs waiting in the batch (cs3 has 2). */
TEST_F(srv, burst_max_criteria)
{
	static const unsigned int want[] = { 200, 200, 550, 550 };
	struct burst b;

	burst_begin(self, &b);
	for (unsigned int k = 0; k < 4; k++)
		burst_req(self, &b, 2, "ADD DTCP/0.7", "Cdest-ID: cd1|Source-Address: 192.0.2.10|"
			  "Timeout-Idle: 60");
	dtcp_server_burst_end(&self->s);
	for (unsigned int k = 0; k < 4; k++) {
		EXPECT_EQ(want[k], burst_code(&b, k, 2)) TH_LOG("answer %u", k);
	}
	EXPECT_EQ(2, n_kernel(&self->k));
	EXPECT_EQ(2, self->s.srcs[2]->n_live);
	burst_free(&b);
}

/* More ADDs than a batch holds: the full batch runs, the rest go in the next. */
TEST_F(srv, burst_batch_full)
{
	struct burst b;

	burst_begin(self, &b);
	for (unsigned int k = 0; k < DFC_NL_BATCH_MAX + 6; k++)
		ASSERT_TRUE(burst_req(self, &b, 0, "ADD DTCP/0.7", ADD1));
	EXPECT_EQ(1, self->k.calls_flush);
	dtcp_server_burst_end(&self->s);
	EXPECT_EQ(2, self->k.calls_flush);
	for (unsigned int k = 0; k < DFC_NL_BATCH_MAX + 6; k++) {
		ASSERT_EQ(200, burst_code(&b, k, 0)) TH_LOG("answer %u", k);
	}
	EXPECT_EQ(DFC_NL_BATCH_MAX + 6, n_kernel(&self->k));
	burst_free(&b);
}

/* A burst answers as requests handled one by one do (Seq and Criteria-ID aside). */
TEST_F(srv, burst_same_answers)
{
	static const char *const adds[] = {
		ADD1,
		"Cdest-ID: cd9|Source-Address: 192.0.2.10|Timeout-Idle: 60",
		"Cdest-ID: cd1|Source-Address: 192.0.2.300|Timeout-Idle: 60",
		"Cdest-ID: cd1,cd2|Source-Address: 192.0.2.0/24|Protocol: 17|Timeout-Total: 60",
	};
	unsigned int code[4];
	char info[4][256];
	struct burst b;

	for (unsigned int k = 0; k < 4; k++) {
		const char *v;

		ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", adds[k]));
		code[k] = reply(self, 0, 0);
		v = dtcp_msg_value(&M, "X-Error-Info");
		snprintf(info[k], sizeof(info[k]), "%s", v ? v : "");
	}
	/* Positive control: the four answer differently. */
	EXPECT_EQ(200, code[0]);
	EXPECT_NE(200, code[1]);
	EXPECT_NE(200, code[2]);
	EXPECT_EQ(200, code[3]);
	EXPECT_STRNE(info[1], info[2]);
	burst_begin(self, &b);
	for (unsigned int k = 0; k < 4; k++)
		burst_req(self, &b, 0, "ADD DTCP/0.7", adds[k]);
	dtcp_server_burst_end(&self->s);
	for (unsigned int k = 0; k < 4; k++) {
		const char *v;

		EXPECT_EQ(code[k], burst_code(&b, k, 0)) TH_LOG("answer %u", k);
		v = dtcp_msg_value(&M, "X-Error-Info");
		EXPECT_STREQ(info[k], v ? v : "") TH_LOG("answer %u", k);
	}
	EXPECT_EQ(2, self->k.calls_queue);
	EXPECT_EQ(2 + 2, self->s.srcs[0]->n_live);
	EXPECT_EQ(2 * 3, n_kernel(&self->k));
	burst_free(&b);
}

TEST_HARNESS_MAIN
