// SPDX-License-Identifier: GPL-2.0
/*
 * Host-tier tests of dtcpd's trust boundaries: the criteria blob (what a
 * control source sent, kept in the kernel and read back after a restart)
 * can claim nothing its source may not have; request-defined destinations
 * belong to one source. Against the in-memory kernel (agent/kfake.c),
 * with a real restart: a second server rebuilt from it. Secrets and
 * crypto failures: unit_dtcp_keys.c.
 */
#include <errno.h>
#include <stdalign.h>

#include "dtcp_fixture.h"
#include "key.h"

static uint32_t owner_of(struct _test_data_srv *self, unsigned int i)
{
	return self->s.cfg->groups[0].srcs[i].owner;
}

static uint32_t cdest_kid(struct _test_data_srv *self, unsigned int i)
{
	return self->s.cfg->groups[0].dests[i].kid;
}

/*
 * dtcpd restarts over the same kernel: a new server from the same
 * configuration file and the old one's state, its destinations programmed
 * and its criteria rebuilt from the kernel, as main.c does. The criteria
 * adopted, or -1.
 */
static int restart(struct _test_data_srv *self)
{
	struct dtcp_server s2 = { 0 };
	struct dtcp_config *c;
	struct dtcp_state st;
	unsigned int found;
	char err[512];

	c = dtcp_config_load(self->path, err, sizeof(err));
	if (!c || dtcp_server_init(&s2, c))
		return -1;
	srv_wire(&s2, &self->k);
	s2.ifindex = fake_ifindex;
	dtcp_server_program(&s2);
	if (dtcp_server_rebuild(&s2, &found))
		return -1;
	dtcp_server_state(&self->s, &st);
	dtcp_server_restore(&s2, &st);
	free(st.src);
	dtcp_server_fini(&self->s);
	self->s = s2;
	return found;
}

/* SIGHUP with the configuration file as it is now. */
static int reload(struct _test_data_srv *self)
{
	char err[512];
	struct dtcp_config *c = dtcp_config_load(self->path, err, sizeof(err));

	if (!c)
		return -1;
	dtcp_server_reconfig(&self->s, c);
	return 0;
}

/* Overwrite the first n bytes equal to from in b[len] with to. */
static bool swap(void *b, size_t len, const void *from, const void *to, size_t n)
{
	uint8_t *p = memmem(b, len, from, n);

	if (p)
		memcpy(p, to, n);
	return p != NULL;
}

/* ---- the blob: injection ---- */

/*
 * The attack of the review: newlines decoded into a parameter name
 * rewrote the blob's header lines (rdest, kid), so after a restart cs1's
 * criterion held cd1 as a request-defined destination, and deleting it
 * force-deleted cd1 with every other source's criteria on it.
 */
TEST_F(srv, blob_injection_restart)
{
	uint32_t cd1 = cdest_kid(self, 0);
	uint64_t victim, mine = 0;
	char lines[512];
	unsigned int code;

	dtcp_server_program(&self->s);	/* as dtcpd does at start: cd1 in the kernel */
	ASSERT_EQ(1, req(self, 2, "ADD DTCP/0.7", "Cdest-ID: cd1|Dest-Port: 25|Timeout-Idle: 600"));
	ASSERT_EQ(200, reply(self, 2, 0));
	victim = num("Criteria-ID");
	snprintf(lines, sizeof(lines), "Cdest-ID: cd1|Dest-Port: 80|Timeout-Idle: 600|"
		 "X-a\\010rdest\\0321\\010kid\\032%u\\010X-b: 1|"
		 "X-Note: \"},\"rdest\":[{}],\"kid\":[%u],\"csource\":\"cs3\",\"x\":{\"", cd1, cd1);
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", lines));
	code = reply(self, 0, 0);
	/* Refused for the control characters, or taken as plain text: nothing else. */
	ASSERT_TRUE(code == 200 || code == 400) TH_LOG("answered %u", code);
	if (code == 200)
		mine = num("Criteria-ID");

	ASSERT_EQ(code == 200 ? 2 : 1, restart(self));
	EXPECT_EQ(0, self->s.n_rdests);
	if (code == 200) {
		struct dtcp_crit *c = dtcp_src_find(dtcp_server_src(&self->s, "cs1"), mine);

		ASSERT_NE(NULL, c);
		EXPECT_FALSE(c->request_dest);
		EXPECT_EQ(cd1, c->cdest_kid[0]);
		EXPECT_STREQ("cd1", c->cdests);
		/* LIST gives the value back as it came. */
		ASSERT_EQ(1, req(self, 0, "LIST DTCP/0.7", "Flags: Criteria"));
		ASSERT_EQ(200, reply(self, 0, 0));
		EXPECT_NE(NULL, strstr(self->r.d[0].buf, "X-NOTE: \"},\"rdest\":[{}],\"kid\":["));
	}
	/* cs1 deletes everything it has: cd1 and cs3's criterion stay. */
	ASSERT_EQ(1, req(self, 0, "DELETE DTCP/0.7", "Cdest-ID: cd1"));
	ASSERT_EQ(200, reply(self, 0, 0));
	EXPECT_EQ(code == 200 ? 1 : 0, num("Criteria-Count"));
	EXPECT_NE(NULL, kfake_dest(&self->k, cd1));
	EXPECT_NE(NULL, kfake_find(&self->k, owner_of(self, 2), DTCP_KID(victim, 0)));
	EXPECT_EQ(1, dtcp_server_src(&self->s, "cs3")->n_live);
	EXPECT_EQ(0, kfake_count(&self->k, owner_of(self, 0)));
	/* And cs3's criterion is still there for cs3 to use. */
	ASSERT_EQ(1, req(self, 2, "LIST DTCP/0.7", ""));
	ASSERT_EQ(200, reply(self, 2, 0));
	EXPECT_EQ(victim, num("Criteria-ID"));
}

/*
 * The sender's address goes into the blob binary, taken from the socket
 * address as its text is: an IPv4-mapped IPv6 sender is its IPv4
 * address (4 bytes), an IPv6 one 16 bytes. LIST shows the same
 * Csource-Address before and after a restart.
 */
TEST_F(srv, csource_address_restart)
{
	static const struct {
		const char *addr, *text;
		size_t len;
	} cases[] = {
		{ "::ffff:192.0.2.7", "192.0.2.7", 4 },
		{ "2001:db8::7", "2001:db8::7", 16 },
	};
	static alignas(struct nlattr) uint8_t blob[DFC_CRIT_BLOB_MAX];
	uint32_t ids_of[2];
	static struct dtcp_out o;

	dtcp_server_program(&self->s);
	for (unsigned int i = 0; i < 2; i++) {
		struct sockaddr_in6 from6 = { .sin6_family = AF_INET6, .sin6_port = htons(5000) };
		struct kfake_crit *kc;
		struct dtcp_blob b;

		ASSERT_EQ(1, inet_pton(AF_INET6, cases[i].addr, &from6.sin6_addr));
		char lines[64];

		/* Two criteria that differ: the same twice is refused (433). */
		snprintf(lines, sizeof(lines), "Cdest-ID: cd1|Dest-Port: %u|Timeout-Idle: 600", 25 + i);
		dtcp_req_build(&o, "ADD DTCP/0.7", lines, ids[0], keys[0], ++self->seq[0]);
		dtcp_replies_clear(&self->r);
		dtcp_server_handle(&self->s, (struct sockaddr *)&from6, ports[0], o.buf, o.len,
				   &self->r);
		ASSERT_EQ(1, self->r.n);
		ASSERT_EQ(200, reply(self, 0, 0));
		ids_of[i] = (uint32_t)num("Criteria-ID");
		EXPECT_STREQ(cases[i].text,
			     dtcp_src_find(dtcp_server_src(&self->s, "cs1"), ids_of[i])->from);
		kc = kfake_find(&self->k, owner_of(self, 0), DTCP_KID(ids_of[i], 0));
		ASSERT_NE(NULL, kc);
		memcpy(blob, kc->blob, kc->c.blob_len);
		ASSERT_EQ(0, dtcp_blob_parse(blob, kc->c.blob_len, &b)) TH_LOG("case %u", i);
		EXPECT_STREQ(cases[i].text, b.csource_addr);
		dtcp_blob_free(&b);
		/* The attribute itself: the address's bytes, no text. */
		EXPECT_NE(NULL, memmem(blob, kc->c.blob_len,
				       cases[i].len == 4 ? (const void *)"\xc0\0\2\7" :
				       (const void *)&from6.sin6_addr, cases[i].len));
	}
	ASSERT_EQ(2, restart(self));
	ASSERT_EQ(1, req(self, 0, "LIST DTCP/0.7", ""));
	ASSERT_EQ(200, reply(self, 0, 0));
	for (unsigned int i = 0; i < 2; i++) {
		char want[80];

		EXPECT_STREQ(cases[i].text,
			     dtcp_src_find(dtcp_server_src(&self->s, "cs1"), ids_of[i])->from);
		snprintf(want, sizeof(want), "\nCSOURCE-ADDRESS: %s\r\n", cases[i].text);
		EXPECT_NE(NULL, strstr(self->r.d[0].buf, want)) TH_LOG("%s", self->r.d[0].buf);
	}
}

/* A Cdest-ID written with escapes is the same destination after a restart and a reload. */
TEST_F(srv, cdest_escaped_restart)
{
	uint64_t id;

	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", "Cdest-ID: \\099d1|Dest-Port: 80|"
			 "Timeout-Idle: 600"));
	ASSERT_EQ(200, reply(self, 0, 0));
	id = num("Criteria-ID");
	ASSERT_EQ(1, restart(self));
	ASSERT_NE(NULL, dtcp_src_find(self->s.srcs[0], id));
	EXPECT_STREQ("cd1", dtcp_src_find(self->s.srcs[0], id)->cdests);
	ASSERT_EQ(0, reload(self));
	ASSERT_NE(NULL, dtcp_src_find(self->s.srcs[0], id));
	ASSERT_EQ(1, req(self, 0, "LIST DTCP/0.7", "Cdest-ID: cd1"));
	ASSERT_EQ(200, reply(self, 0, 0));
	EXPECT_EQ(id, num("Criteria-ID"));
	ASSERT_EQ(1, req(self, 0, "DELETE DTCP/0.7", "Cdest-ID: cd1"));
	ASSERT_EQ(200, reply(self, 0, 0));
	EXPECT_EQ(1, num("Criteria-Count"));
}

/*
 * A kernel criterion whose blob names what its source may not use, or is
 * unreadable, is not adopted but deleted; the destination stays.
 */
TEST_F(srv, rebuild_refuses_foreign_destinations)
{
	uint32_t cd1 = cdest_kid(self, 0), cd3 = cdest_kid(self, 2);
	struct kfake_crit *k;
	uint64_t forged, old, kept;

	dtcp_server_program(&self->s);
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Dest-Port: 80|Timeout-Idle: 600"));
	ASSERT_EQ(200, reply(self, 0, 0));
	forged = num("Criteria-ID");
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Dest-Port: 81|Timeout-Idle: 600"));
	ASSERT_EQ(200, reply(self, 0, 0));
	old = num("Criteria-ID");
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Dest-Port: 82|Timeout-Idle: 600"));
	ASSERT_EQ(200, reply(self, 0, 0));
	kept = num("Criteria-ID");
	ASSERT_EQ(1, req(self, 2, "ADD DTCP/0.7", "Cdest-ID: cd3|Dest-Port: 25|Timeout-Idle: 600"));
	ASSERT_EQ(200, reply(self, 2, 0));
	/* cs1 may not use cd3 (allowed-destinations): its blob and the kernel say it does. */
	k = kfake_find(&self->k, owner_of(self, 0), DTCP_KID(forged, 0));
	ASSERT_NE(NULL, k);
	/* The blob names no destination of its own: the kernel's id does. */
	ASSERT_NE(cd1, cd3);
	k->c.cdest = cd3;
	/* A criterion in the old format. */
	k = kfake_find(&self->k, owner_of(self, 0), DTCP_KID(old, 0));
	ASSERT_NE(NULL, k);
	k->c.blob_len = snprintf((char *)k->blob, sizeof(k->blob), "dtcpd 1\nid %u 0 1\n",
				 (unsigned int)old);

	ASSERT_EQ(2, restart(self));
	EXPECT_EQ(NULL, kfake_find(&self->k, owner_of(self, 0), DTCP_KID(forged, 0)));
	EXPECT_EQ(NULL, kfake_find(&self->k, owner_of(self, 0), DTCP_KID(old, 0)));
	EXPECT_NE(NULL, kfake_find(&self->k, owner_of(self, 0), DTCP_KID(kept, 0)));
	EXPECT_EQ(1, self->s.srcs[0]->n_live);
	EXPECT_EQ(1, self->s.srcs[2]->n_live);
	EXPECT_NE(NULL, kfake_dest(&self->k, cd3));
	EXPECT_EQ(1, kfake_count(&self->k, owner_of(self, 2)));
}

/*
 * Flags and priority are the kernel's after a restart (the blob does not
 * repeat them): a Static criterion stays Static, its priority as added.
 */
TEST_F(srv, rebuild_takes_flags_and_prio_from_kernel)
{
	struct kfake_crit *k;
	struct dtcp_crit *c;
	uint32_t prio;
	uint64_t id;

	dtcp_server_program(&self->s);
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Dest-Port: 80|Flags: Static|"
			 "Priority: 5"));
	ASSERT_EQ(200, reply(self, 0, 0));
	id = num("Criteria-ID");
	c = dtcp_src_find(self->s.srcs[0], id);
	ASSERT_NE(NULL, c);
	prio = c->prio;
	EXPECT_NE(0, prio);
	k = kfake_find(&self->k, owner_of(self, 0), DTCP_KID(id, 0));
	ASSERT_NE(NULL, k);
	EXPECT_EQ(DFC_CRIT_F_STATIC, k->c.flags);
	EXPECT_EQ(prio, k->c.prio);

	ASSERT_EQ(1, restart(self));
	c = dtcp_src_find(self->s.srcs[0], id);
	ASSERT_NE(NULL, c);
	EXPECT_EQ(DFC_CRIT_F_STATIC, c->flags);
	EXPECT_EQ(prio, c->prio);
	ASSERT_EQ(1, req(self, 0, "LIST DTCP/0.7", "Criteria-ID: *"));
	ASSERT_EQ(200, reply(self, 0, 0));
	EXPECT_STREQ("Static", dtcp_msg_value(&M, "Flags"));
	/* The positive control: what the kernel says is what is taken. */
	k = kfake_find(&self->k, owner_of(self, 0), DTCP_KID(id, 0));
	ASSERT_NE(NULL, k);
	k->c.prio = prio + 1;
	ASSERT_EQ(1, restart(self));
	c = dtcp_src_find(self->s.srcs[0], id);
	ASSERT_NE(NULL, c);
	EXPECT_EQ(prio + 1, c->prio);
}

/*
 * An upgrade: criteria a dtcpd of format 2 left in the kernel are adopted
 * by a restart, listed, and deleted by their source as any other.
 */
TEST_F(srv, rebuild_adopts_format_2)
{
	struct kfake_crit *k;
	uint64_t id;

	dtcp_server_program(&self->s);
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Dest-Port: 80|Timeout-Idle: 600"));
	ASSERT_EQ(200, reply(self, 0, 0));
	id = num("Criteria-ID");
	k = kfake_find(&self->k, owner_of(self, 0), DTCP_KID(id, 0));
	ASSERT_NE(NULL, k);
	ASSERT_EQ(0, memcmp(k->blob, "dtc\6", 4));
	/* The same criterion as the dtcpd before format 3 wrote it. */
	k->c.blob_len = snprintf((char *)k->blob, sizeof(k->blob),
		"{\"dtcpd\":2,\"id\":%u,\"k\":0,\"n\":1,\"added\":1104580861111,\"flags\":0,"
		"\"prio\":3,\"idle\":600,\"total\":0,\"csource\":\"cs1\",\"from\":\"192.0.2.1\","
		"\"packets\":\"0\",\"bytes\":\"0\",\"cdest\":[\"cd1\"],\"kid\":[%u],"
		"\"params\":[[\"Dest-Port\",\"81\"]]}", (unsigned int)id, cdest_kid(self, 0));

	ASSERT_EQ(1, restart(self));
	EXPECT_NE(NULL, kfake_find(&self->k, owner_of(self, 0), DTCP_KID(id, 0)));
	ASSERT_EQ(1, req(self, 0, "LIST DTCP/0.7", "Criteria-ID: *"));
	ASSERT_EQ(200, reply(self, 0, 0));
	EXPECT_EQ(id, num("Criteria-ID"));
	EXPECT_EQ(81, num("Dest-Port"));	/* from the blob, not from this test's ADD */
	ASSERT_EQ(1, req(self, 0, "DELETE DTCP/0.7", "Criteria-ID: *"));
	ASSERT_EQ(200, reply(self, 0, 0));
	EXPECT_EQ(1, num("Criteria-Count"));
	EXPECT_EQ(NULL, kfake_find(&self->k, owner_of(self, 0), DTCP_KID(id, 0)));
}

static uint32_t crit_cdest(struct _test_data_srv *self, unsigned int src, uint64_t id)
{
	struct dtcp_crit *c = dtcp_src_find(self->s.srcs[src], id);

	return c ? c->cdest_kid[0] : 0;
}

/*
 * k's blob (format 6, cs1's, destination 0 of one: cd1) as format 4 wrote
 * it: format 5's, with the Criteria-ID id first and the source's address
 * as text. False if the blob is not of the form expected.
 */
static bool to_format_4(struct kfake_crit *k, uint32_t id)
{
	static const uint8_t from5[] = { 8, 0, 10, 0, 192, 0, 2, 1 };
	static const uint8_t from4[] = { 14, 0, 10, 0, '1', '9', '2', '.', '0', '.', '2', '.',
					 '1', 0, 0, 0 };
	uint8_t out[sizeof(k->blob)], *p;
	size_t at, n = 0;

	if (!blob_to_v5(k->blob, &k->c.blob_len, sizeof(k->blob), "cs1", "cd1"))
		return false;
	p = memmem(k->blob, k->c.blob_len, from5, sizeof(from5));
	if (!p || (size_t)k->c.blob_len + 16 > sizeof(k->blob))
		return false;
	at = (size_t)(p - k->blob);
	memcpy(out, "dtc\4", 4);
	n = 4;
	out[n++] = 8, out[n++] = 0, out[n++] = 1, out[n++] = 0;	/* ID */
	memcpy(out + n, &id, 4);
	n += 4;
	memcpy(out + n, k->blob + 4, at - 4);
	n += at - 4;
	memcpy(out + n, from4, sizeof(from4));
	n += sizeof(from4);
	memcpy(out + n, p + sizeof(from5), k->c.blob_len - at - sizeof(from5));
	n += k->c.blob_len - at - sizeof(from5);
	memcpy(k->blob, out, n);
	k->c.blob_len = (uint16_t)n;
	return true;
}

/*
 * k's blob as format 3 wrote it: format 4 with its one destination (cd1)
 * with a kernel id. False if the blob is not the one-destination form
 * expected.
 */
static bool to_format_3(struct kfake_crit *k, uint32_t id, uint32_t kid)
{
	static const uint8_t dest4[] = { 12, 0, 11, 0x80, 8, 0, 1, 0, 'c', 'd', '1', 0 };
	uint8_t kid_attr[8] = { 8, 0, 2, 0 };
	uint8_t *p;
	size_t at;

	if (!to_format_4(k, id))
		return false;
	p = memmem(k->blob, k->c.blob_len, dest4, sizeof(dest4));
	if (!p || (size_t)k->c.blob_len + 8 > sizeof(k->blob))
		return false;
	at = (size_t)(p - k->blob) + sizeof(dest4);
	memmove(k->blob + at + 8, k->blob + at, k->c.blob_len - at);
	memcpy(kid_attr + 4, &kid, 4);
	memcpy(k->blob + at, kid_attr, 8);
	p[0] = 20;
	k->blob[3] = 3;
	k->c.blob_len += 8;
	return true;
}

/* Two criteria of cs1 to cd1: Dest-Port 80 (*good), then 81 (*bad). */
static void two_adds(struct __test_metadata *_metadata, struct _test_data_srv *self,
		     uint64_t *good, uint64_t *bad)
{
	dtcp_server_program(&self->s);
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Dest-Port: 80|Timeout-Idle: 600"));
	ASSERT_EQ(200, reply(self, 0, 0));
	*good = num("Criteria-ID");
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Dest-Port: 81|Timeout-Idle: 600"));
	ASSERT_EQ(200, reply(self, 0, 0));
	*bad = num("Criteria-ID");
}

/* After a restart, good is adopted (and listed as added) and bad deleted. */
static void only_first_adopted(struct __test_metadata *_metadata, struct _test_data_srv *self,
			       uint64_t good, uint64_t bad)
{
	ASSERT_EQ(1, restart(self));
	EXPECT_NE(NULL, kfake_find(&self->k, owner_of(self, 0), DTCP_KID(good, 0)));
	EXPECT_EQ(NULL, kfake_find(&self->k, owner_of(self, 0), DTCP_KID(bad, 0)));
	ASSERT_EQ(1, req(self, 0, "LIST DTCP/0.7", "Criteria-ID: *"));
	ASSERT_EQ(200, reply(self, 0, 0));
	EXPECT_EQ(good, num("Criteria-ID"));
	EXPECT_EQ(80, num("Dest-Port"));
}

/*
 * An upgrade from format 3: a criterion whose blob names its own
 * destination's kernel id is adopted if the kernel's is that one, and
 * deleted if not.
 */
TEST_F(srv, rebuild_adopts_format_3)
{
	uint32_t cd1 = cdest_kid(self, 0), cd2 = cdest_kid(self, 1);
	uint64_t good, bad;
	struct kfake_crit *k;

	two_adds(_metadata, self, &good, &bad);
	k = kfake_find(&self->k, owner_of(self, 0), DTCP_KID(good, 0));
	ASSERT_NE(NULL, k);
	ASSERT_TRUE(to_format_3(k, (uint32_t)good, cd1));
	k = kfake_find(&self->k, owner_of(self, 0), DTCP_KID(bad, 0));
	ASSERT_NE(NULL, k);
	ASSERT_NE(cd1, cd2);
	/* A blob consistent in itself (cd2, which cs1 may use): the kernel copies to cd1. */
	ASSERT_TRUE(to_format_3(k, (uint32_t)bad, cd2));
	ASSERT_TRUE(swap(k->blob, k->c.blob_len, "cd1", "cd2", 4));

	only_first_adopted(_metadata, self, good, bad);
	EXPECT_EQ(cd1, crit_cdest(self, 0, good));
}

/*
 * An upgrade from format 4: the blob names its Criteria-ID, which must be
 * the kernel id's; the source's address, as text, is listed as before.
 */
TEST_F(srv, rebuild_adopts_format_4)
{
	uint64_t good, bad;
	struct kfake_crit *k;

	two_adds(_metadata, self, &good, &bad);
	k = kfake_find(&self->k, owner_of(self, 0), DTCP_KID(good, 0));
	ASSERT_NE(NULL, k);
	ASSERT_TRUE(to_format_4(k, (uint32_t)good));
	/* The other one names the first one's id: not the kernel's. */
	k = kfake_find(&self->k, owner_of(self, 0), DTCP_KID(bad, 0));
	ASSERT_NE(NULL, k);
	ASSERT_TRUE(to_format_4(k, (uint32_t)good));

	only_first_adopted(_metadata, self, good, bad);
}

/*
 * An upgrade from format 5: the blob names its control source, which must
 * be the kernel owner's, and its destination, which must be the kernel's.
 */
TEST_F(srv, rebuild_adopts_format_5)
{
	uint64_t good, bad, other;
	struct kfake_crit *k;

	two_adds(_metadata, self, &good, &bad);
	ASSERT_EQ(1, req(self, 0, "ADD DTCP/0.7", "Cdest-ID: cd1|Dest-Port: 82|Timeout-Idle: 600"));
	ASSERT_EQ(200, reply(self, 0, 0));
	other = num("Criteria-ID");
	k = kfake_find(&self->k, owner_of(self, 0), DTCP_KID(good, 0));
	ASSERT_NE(NULL, k);
	ASSERT_TRUE(blob_to_v5(k->blob, &k->c.blob_len, sizeof(k->blob), "cs1", "cd1"));
	/* cs2's name under cs1's owner. */
	k = kfake_find(&self->k, owner_of(self, 0), DTCP_KID(bad, 0));
	ASSERT_NE(NULL, k);
	ASSERT_TRUE(blob_to_v5(k->blob, &k->c.blob_len, sizeof(k->blob), "cs2", "cd1"));
	/* A destination the kernel criterion does not copy to (cd2, which cs1 may use). */
	k = kfake_find(&self->k, owner_of(self, 0), DTCP_KID(other, 0));
	ASSERT_NE(NULL, k);
	ASSERT_TRUE(blob_to_v5(k->blob, &k->c.blob_len, sizeof(k->blob), "cs1", "cd2"));

	only_first_adopted(_metadata, self, good, bad);
	EXPECT_EQ(NULL, kfake_find(&self->k, owner_of(self, 0), DTCP_KID(other, 0)));
	EXPECT_EQ(cdest_kid(self, 0), crit_cdest(self, 0, good));
}

/* ---- request-defined destinations: one owner each ---- */

#define JTAP(port) "Cdest-ID: md1|Flags: Static|X-JTap-Cdest-Dest-Address: 192.0.2.40|" \
	"X-JTap-Cdest-Dest-Port: " port "|X-JTap-Cdest-Source-Address: 192.0.2.2|" \
	"X-JTap-Cdest-Source-Port: 49153|Dest-Port: 80"

TEST_F(srv, request_dests_per_source)
{
	char *conf = malloc(sizeof(good_conf) + 64);
	uint64_t a2, b2, a3, c2;
	uint32_t k2, k3;

	/* cs3 may define destinations too. */
	ASSERT_NE(NULL, conf);
	snprintf(conf, sizeof(good_conf) + 64, "%s", good_conf);
	ASSERT_TRUE(replace(conf, sizeof(good_conf) + 64, "max-criteria = 2;",
			    "max-criteria = 3; request-destinations = true;"));
	unlink(self->path);
	self->path = write_conf(conf);
	free(conf);
	ASSERT_EQ(0, reload(self));

	/* The same definition from two sources: two destinations, never one. */
	ASSERT_EQ(1, req(self, 1, "ADD DTCP/0.7", JTAP("50000")));
	ASSERT_EQ(200, reply(self, 1, 0));
	a2 = num("Criteria-ID");
	ASSERT_EQ(1, req(self, 2, "ADD DTCP/0.7", JTAP("50000")));
	ASSERT_EQ(200, reply(self, 2, 0));
	a3 = num("Criteria-ID");
	k2 = crit_cdest(self, 1, a2);
	k3 = crit_cdest(self, 2, a3);
	EXPECT_NE(0, k2 & 0x80000000u);
	EXPECT_NE(0, k3 & 0x80000000u);
	EXPECT_NE(k2, k3);
	EXPECT_NE(NULL, kfake_dest(&self->k, k2));
	EXPECT_NE(NULL, kfake_dest(&self->k, k3));
	/* The same source, the same definition: shared; another definition: another id. */
	ASSERT_EQ(1, req(self, 1, "ADD DTCP/0.7", JTAP("50000")));
	ASSERT_EQ(200, reply(self, 1, 0));
	b2 = num("Criteria-ID");
	EXPECT_EQ(k2, crit_cdest(self, 1, b2));
	ASSERT_EQ(1, req(self, 1, "ADD DTCP/0.7", JTAP("50001")));
	ASSERT_EQ(200, reply(self, 1, 0));
	c2 = num("Criteria-ID");
	EXPECT_NE(k2, crit_cdest(self, 1, c2));
	EXPECT_NE(k3, crit_cdest(self, 1, c2));
	EXPECT_EQ(3, self->s.n_rdests);

	/* After a restart, each is still its source's alone, with its definition. */
	ASSERT_EQ(4, restart(self));
	EXPECT_EQ(3, self->s.n_rdests);
	ASSERT_EQ(1, req(self, 2, "ADD DTCP/0.7", JTAP("50000")));
	ASSERT_EQ(200, reply(self, 2, 0));
	EXPECT_EQ(k3, crit_cdest(self, 2, num("Criteria-ID")));
	ASSERT_EQ(1, req(self, 1, "ADD DTCP/0.7", JTAP("50000")));
	ASSERT_EQ(200, reply(self, 1, 0));
	EXPECT_EQ(k2, crit_cdest(self, 1, num("Criteria-ID")));

	/* cs2 deletes everything: its destinations go, cs3's and its criteria stay. */
	ASSERT_EQ(1, req(self, 1, "DELETE DTCP/0.7", "Criteria-ID: *|Flags: Static"));
	ASSERT_EQ(200, reply(self, 1, 0));
	EXPECT_EQ(4, num("Criteria-Count"));
	EXPECT_EQ(NULL, kfake_dest(&self->k, k2));
	EXPECT_NE(NULL, kfake_dest(&self->k, k3));
	EXPECT_EQ(2, kfake_count(&self->k, owner_of(self, 2)));
	EXPECT_EQ(1, self->s.n_rdests);
	/* cs3's last one goes: so does its destination. */
	ASSERT_EQ(1, req(self, 2, "DELETE DTCP/0.7", "Criteria-ID: *|Flags: Static"));
	ASSERT_EQ(200, reply(self, 2, 0));
	EXPECT_EQ(NULL, kfake_dest(&self->k, k3));
	EXPECT_EQ(0, self->s.n_rdests);
}

/* Each source's share of max-request-destinations, and the server-wide limit. */
TEST_F(srv, request_dests_share)
{
	static const char *const confs[] = {
		/* cs2 and cs3 share 3: one each. */
		"max-criteria = 3; request-destinations = true;",
		/* cs2 may have 2 of its own; cs3 alone shares the 3. */
		"max-criteria = 3; request-destinations = true; }, { id = \"x\"; "
		"service-port = 2409; shared-key = \"k\"; request-destinations = true; "
		"max-request-destinations = 0;",
	};
	size_t len = sizeof(good_conf) + 256;
	char *conf = malloc(len);

	ASSERT_NE(NULL, conf);
	for (unsigned int i = 0; i < 2; i++) {
		snprintf(conf, len, "max-request-destinations = 3;\n%s", good_conf);
		ASSERT_TRUE(replace(conf, len, "max-criteria = 2;", confs[i]));
		if (i)
			ASSERT_TRUE(replace(conf, len, "request-destinations = true; notification",
					    "request-destinations = true; "
					    "max-request-destinations = 2; notification"));
		unlink(self->path);
		self->path = write_conf(conf);
		ASSERT_EQ(0, reload(self));
		ASSERT_EQ(1, req(self, 1, "ADD DTCP/0.7", JTAP("50000")));
		ASSERT_EQ(200, reply(self, 1, 0));
		/* Another definition: beyond cs2's share (i = 0) or not (i = 1). */
		ASSERT_EQ(1, req(self, 1, "ADD DTCP/0.7", JTAP("50001")));
		ASSERT_EQ(i ? 200 : 551, reply(self, 1, 0));
		/* A definition cs2 already has costs nothing. */
		ASSERT_EQ(1, req(self, 1, "ADD DTCP/0.7", JTAP("50000")));
		ASSERT_EQ(200, reply(self, 1, 0));
		ASSERT_EQ(1, req(self, 2, "ADD DTCP/0.7", JTAP("50000")));
		ASSERT_EQ(200, reply(self, 2, 0));
		/* cs3: its share (i = 0), or the server's 3 (i = 1). */
		ASSERT_EQ(1, req(self, 2, "ADD DTCP/0.7", JTAP("50002")));
		ASSERT_EQ(551, reply(self, 2, 0));
		EXPECT_EQ(i ? 3 : 2, self->s.n_rdests);
		ASSERT_EQ(1, req(self, 1, "DELETE DTCP/0.7", "Criteria-ID: *|Flags: Static"));
		ASSERT_EQ(200, reply(self, 1, 0));
		ASSERT_EQ(1, req(self, 2, "DELETE DTCP/0.7", "Criteria-ID: *|Flags: Static"));
		ASSERT_EQ(200, reply(self, 2, 0));
		EXPECT_EQ(0, self->s.n_rdests);
	}
	free(conf);
}

TEST_HARNESS_MAIN
