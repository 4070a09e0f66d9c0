// SPDX-License-Identifier: GPL-2.0
/*
 * lib/dfc_nl's batches against the real module, in the guest: many
 * CRIT_NEW messages in one sendmsg(), each applied on its own and
 * answered only if it fails, and what happens when those answers do not
 * fit the socket's receive buffer. Each test has a network namespace of its own.
 */
#include <arpa/inet.h>
#include <sched.h>
#include <sys/socket.h>

#include "filter_lib.h"
#include "dfc_nl_priv.h"

#define OWNER 7

FIXTURE(batch) {
	struct dfc_nl *nl;
	struct dfc_nl_batch *b;
	struct dfc_nl_batch_res res[DFC_NL_BATCH_MAX];
	struct dfc_nl_entry e;
};

FIXTURE_SETUP(batch)
{
	ASSERT_EQ(0, dfc_load());
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	self->nl = dfc_nl_open();
	ASSERT_NE(NULL, self->nl) TH_LOG("dfc_nl_open: %s", strerror(errno));
	self->b = dfc_nl_batch_new(self->nl);
	ASSERT_NE(NULL, self->b);
}

FIXTURE_TEARDOWN(batch)
{
	dfc_nl_batch_free(self->b);
	dfc_nl_close(self->nl);
}

/* Static criterion id on 10.0.x.y/32 into the batch; its index. */
static int queue(struct _test_data_batch *self, uint64_t id)
{
	uint32_t a = htonl(0x0a000000u + (uint32_t)id);
	struct dfc_nl_crit c = {
		.id = id, .flags = DFC_CRIT_F_STATIC, .entries = &self->e, .n_entries = 1,
	};

	memset(&self->e, 0, sizeof(self->e));
	self->e.ipver = 4;
	self->e.dst_plen = 32;
	memcpy(self->e.dst, &a, 4);
	return dfc_nl_batch_crit_add(self->b, OWNER, &c, 1);
}

static bool exists(struct dfc_nl *nl, uint64_t id)
{
	struct crit_info ci = { 0 };

	return !get_crit(nl, OWNER, id, &ci) && ci.found;
}

/* A full batch: each message its index, each added, nothing lost. */
TEST_F(batch, all_added)
{
	for (int i = 0; i < DFC_NL_BATCH_MAX; i++)
		ASSERT_EQ(i, queue(self, 100 + i));
	EXPECT_EQ(-ENOSPC, queue(self, 999));
	EXPECT_EQ(DFC_NL_BATCH_MAX, dfc_nl_batch_count(self->b));
	EXPECT_EQ(0, n_crits(self->nl));	/* nothing sent yet */
	ASSERT_EQ(0, dfc_nl_batch_run(self->b, self->res));
	for (int i = 0; i < DFC_NL_BATCH_MAX; i++) {
		EXPECT_EQ(0, self->res[i].err) TH_LOG("message %d: %s", i, self->res[i].why);
	}
	EXPECT_EQ(DFC_NL_BATCH_MAX, n_crits(self->nl));
	EXPECT_TRUE(exists(self->nl, 100));
	EXPECT_TRUE(exists(self->nl, 100 + DFC_NL_BATCH_MAX - 1));
	EXPECT_EQ(0, dfc_nl_batch_lost(self->b));
	EXPECT_EQ(0, dfc_nl_batch_count(self->b));
	/* The handle still works for single requests, and the batch again. */
	EXPECT_EQ(0, add_many(self->nl, OWNER, 500, 1));
	ASSERT_EQ(0, queue(self, 501));
	ASSERT_EQ(0, dfc_nl_batch_run(self->b, self->res));
	EXPECT_EQ(0, self->res[0].err);
	EXPECT_EQ(DFC_NL_BATCH_MAX + 2, n_crits(self->nl));
}

/* Messages the kernel refuses fail alone, with the kernel's reason. */
TEST_F(batch, refused_alone)
{
	ASSERT_EQ(0, add_many(self->nl, OWNER, 110, 1));
	ASSERT_EQ(0, add_many(self->nl, OWNER, 140, 1));
	for (int i = 0; i < DFC_NL_BATCH_MAX; i++)
		ASSERT_EQ(i, queue(self, 100 + i));
	ASSERT_EQ(0, dfc_nl_batch_run(self->b, self->res));
	for (int i = 0; i < DFC_NL_BATCH_MAX; i++) {
		if (i == 10 || i == 40) {
			EXPECT_EQ(-EEXIST, self->res[i].err) TH_LOG("message %d", i);
			EXPECT_NE(0, self->res[i].why[0]) TH_LOG("message %d", i);
		} else {
			EXPECT_EQ(0, self->res[i].err) TH_LOG("message %d: %s", i,
							      self->res[i].why);
		}
	}
	EXPECT_EQ(DFC_NL_BATCH_MAX, n_crits(self->nl));
	EXPECT_EQ(0, dfc_nl_batch_lost(self->b));
}

/*
 * The kernel's limit is reached in the middle of a batch, and the
 * receive buffer shrank after the batch was made: the kernel drops most
 * answers, and each message whose answer was lost is sent again alone.
 * Outcomes: the first 60 added, the last 4 refused, as with every answer.
 */
TEST_F(batch, answers_lost)
{
	int fd = mnl_socket_get_fd(self->nl->sock), zero = 0;
	unsigned long lost;

	ASSERT_EQ(0, dfc_nl_limits_set(self->nl, 60, 0));
	for (int i = 0; i < DFC_NL_BATCH_MAX; i++)
		ASSERT_EQ(i, queue(self, 100 + i));
	ASSERT_EQ(0, setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &zero, sizeof(zero)));
	ASSERT_EQ(0, dfc_nl_batch_run(self->b, self->res));
	for (int i = 0; i < DFC_NL_BATCH_MAX; i++) {
		EXPECT_EQ(i < 60 ? 0 : -ENOSPC, self->res[i].err) TH_LOG("message %d: %s", i,
									  self->res[i].why);
	}
	EXPECT_EQ(60, n_crits(self->nl));
	lost = dfc_nl_batch_lost(self->b);
	/* Positive control: answers were lost indeed, not all. */
	EXPECT_LT(0, lost);
	EXPECT_GT(DFC_NL_BATCH_MAX, lost);
	TH_LOG("%lu of %d answers lost", lost, DFC_NL_BATCH_MAX);
	/* A batch made now takes no more than that buffer's room for answers. */
	ASSERT_EQ(0, queue(self, 300));
	EXPECT_EQ(-ENOSPC, queue(self, 301));
}

/*
 * Only failures are answered: with the receive buffer shrunk as above,
 * a batch whose messages all succeed loses no answer (the NOOP's ACK is
 * the only one queued), so nothing is looked up again. answers_lost,
 * with failures, is the positive control.
 */
TEST_F(batch, successes_unanswered)
{
	int fd = mnl_socket_get_fd(self->nl->sock), zero = 0;

	for (int i = 0; i < DFC_NL_BATCH_MAX; i++)
		ASSERT_EQ(i, queue(self, 100 + i));
	ASSERT_EQ(0, setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &zero, sizeof(zero)));
	ASSERT_EQ(0, dfc_nl_batch_run(self->b, self->res));
	for (int i = 0; i < DFC_NL_BATCH_MAX; i++) {
		EXPECT_EQ(0, self->res[i].err) TH_LOG("message %d: %s", i, self->res[i].why);
	}
	EXPECT_EQ(DFC_NL_BATCH_MAX, n_crits(self->nl));
	EXPECT_EQ(0, dfc_nl_batch_lost(self->b));
}

/* What never goes in a batch: too big for one message, or nothing. */
TEST_F(batch, not_batched)
{
	static struct dfc_nl_entry e[DFC_CRIT_MAX_ENTRIES];
	static struct dfc_nl_crit c[64];

	for (unsigned int i = 0; i < DFC_CRIT_MAX_ENTRIES; i++) {
		e[i].ipver = 6;
		e[i].dst_plen = 128;
		e[i].dst[15] = (uint8_t)i;
		e[i].dst[14] = (uint8_t)(i >> 8);
		e[i].ports = true;
		e[i].dport = 80;
		e[i].dport_mask = 0xffff;
	}
	for (unsigned int i = 0; i < 64; i++)
		c[i] = (struct dfc_nl_crit){ .id = i + 1, .flags = DFC_CRIT_F_STATIC,
					     .entries = e, .n_entries = DFC_CRIT_MAX_ENTRIES };
	EXPECT_EQ(-EMSGSIZE, dfc_nl_batch_crit_add(self->b, OWNER, c, 64));
	EXPECT_EQ(-EINVAL, dfc_nl_batch_crit_add(self->b, OWNER, c, 0));
	EXPECT_EQ(0, dfc_nl_batch_count(self->b));
	ASSERT_EQ(0, queue(self, 100));
	EXPECT_EQ(-ENOSPC, dfc_nl_batch_crit_add(self->b, OWNER, c, 64));
	ASSERT_EQ(0, dfc_nl_batch_run(self->b, self->res));
	EXPECT_EQ(0, self->res[0].err);
	EXPECT_EQ(1, n_crits(self->nl));
}

TEST_HARNESS_MAIN
