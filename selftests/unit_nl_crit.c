// SPDX-License-Identifier: GPL-2.0
/*
 * Host-tier unit tests of lib/dfc_nl*.c: the criteria encoder against its
 * parser and against the attributes themselves (the port/ICMP presence
 * rule, the 64 KiB nest limit), and the batching of criteria into messages.
 */
#include "unit_nl.h"

/* ---- criteria: encoder and parser ---- */

static struct dfc_nl_entry entry6(const char *src, uint8_t splen)
{
	struct dfc_nl_entry e = { .ipver = 6, .src_plen = splen };

	ip(e.src, src);
	return e;
}

TEST_F(crit, roundtrip)
{
	static const char blob[] = "src 10.0.0.0/8 dport 80,443 !dst 10.1.2.3";
	struct dfc_nl_crit c = {
		.id = 0x8000000000000005ULL, .prio = 7, .flags = DFC_CRIT_F_SEND_ASYNC,
		.cdest = 0xfffffffe, .timeout_total = 86400, .timeout_idle = 30,
		.limit_packets = 1ULL << 40, .limit_bytes = 0xffffffffffffffffULL,
		.blob = blob, .blob_len = sizeof(blob), .entries = self->ent, .excl = self->exc,
	}, got;
	struct nlmsghdr *nlh = crit_msg(self->buf, 77);

	self->ent[0] = entry4("10.0.0.0", 8, "192.168.1.1", 32, 80, 6);
	self->ent[1] = entry4("10.0.0.0", 8, NULL, 0, 443, 17);
	self->ent[2] = entry6("2001:db8::", 48);
	self->ent[3] = entry6("2001:db8:1::1", 128);
	self->ent[3].dst_plen = 1;
	ip(self->ent[3].dst, "8000::");
	self->ent[4] = (struct dfc_nl_entry){ .ifindex = 42 }; /* any IP version */
	self->ent[5] = (struct dfc_nl_entry){ .ipver = 4, .icmp = true, .icmp_type = 8,
					      .icmp_type_mask = 0xff, .icmp_code = 0,
					      .icmp_code_mask = 0, .proto = 1, .proto_mask = 0xff };
	self->ent[6] = (struct dfc_nl_entry){ .ports = true, .sport = 0x1000, .sport_mask = 0xf000,
					      .dport = 0, .dport_mask = 0 };
	/* port ranges: SPORT..SPORT_MAX, no mask; the other port exact */
	self->ent[7] = (struct dfc_nl_entry){ .ports = true, .sport_range = true, .sport = 1024,
					      .sport_max = 65535, .dport = 53, .dport_mask = 0xffff };
	c.n_entries = 8;
	self->exc[0] = entry4(NULL, 0, "10.1.2.3", 32, 0, 0);
	self->exc[1] = entry6("2001:db8::", 64);
	self->exc[2] = (struct dfc_nl_entry){ .ports = true, .dport_range = true, .dport = 6000,
					      .dport_max = 6063 };
	c.n_excl = 3;

	ASSERT_EQ(0, dfc_nl_crit_put(nlh, BIG, &c));
	memset(&got, 0xa5, sizeof(got));
	ASSERT_EQ(0, PARSE(nlh, &got));
	EXPECT_EQ(77, got.owner);
	EXPECT_EQ(c.id, got.id);
	EXPECT_EQ(7, got.prio);
	EXPECT_EQ(DFC_CRIT_F_SEND_ASYNC, got.flags);
	EXPECT_EQ(0xfffffffe, got.cdest);
	EXPECT_EQ(86400, got.timeout_total);
	EXPECT_EQ(30, got.timeout_idle);
	EXPECT_EQ(1ULL << 40, got.limit_packets);
	EXPECT_EQ(0xffffffffffffffffULL, got.limit_bytes);
	ASSERT_EQ(sizeof(blob), got.blob_len);
	EXPECT_EQ(0, memcmp(blob, got.blob, sizeof(blob)));
	/* the blob points into the message, not at the caller's copy */
	EXPECT_TRUE((const char *)got.blob > self->buf && (const char *)got.blob < self->buf + BIG);
	ASSERT_EQ(8, got.n_entries);
	ASSERT_EQ(3, got.n_excl);
	ASSERT_EQ(&self->got_ent[0], got.entries);
	ASSERT_EQ(&self->got_exc[0], got.excl);
	for (unsigned int i = 0; i < 8; i++) {
		EXPECT_TRUE(entry_eq(&self->ent[i], &got.entries[i])) TH_LOG("entry %u", i);
	}
	for (unsigned int i = 0; i < 3; i++) {
		EXPECT_TRUE(entry_eq(&self->exc[i], &got.excl[i])) TH_LOG("exclusion %u", i);
	}
	/* not in a request: read as absent */
	EXPECT_EQ(UINT64_MAX, got.last_match_secs);
	EXPECT_EQ(0, got.packets);
	EXPECT_EQ(0, got.age_secs) TH_LOG("no AGE in a request");

	/* the attributes themselves, independently of the parser */
	{
		struct nlattr *n = crit_nest(nlh);
		const struct nlattr *e;

		ASSERT_NE(NULL, n);
		EXPECT_TRUE(n->nla_type & NLA_F_NESTED);
		EXPECT_EQ(8, nest_count(n, DFC_CRIT_A_ENTRY));
		EXPECT_EQ(3, nest_count(n, DFC_CRIT_A_EXCL));
		EXPECT_EQ(8, mnl_attr_get_payload_len(nest_find(n, DFC_CRIT_A_ID)));
		EXPECT_EQ(c.id, mnl_attr_get_u64(nest_find(n, DFC_CRIT_A_ID)));
		EXPECT_EQ(30, mnl_attr_get_u32(nest_find(n, DFC_CRIT_A_TIMEOUT_IDLE)));
		e = nest_find(n, DFC_CRIT_A_ENTRY);
		EXPECT_TRUE(e->nla_type & NLA_F_NESTED);
		/* entry 0: a v4 address is 4 bytes, a v6 one 16 */
		EXPECT_EQ(4, mnl_attr_get_payload_len(nest_find(e, DFC_ENTRY_A_SRC)));
		EXPECT_EQ(8, mnl_attr_get_u8(nest_find(e, DFC_ENTRY_A_SRC_PLEN)));
		EXPECT_EQ(80, mnl_attr_get_u16(nest_find(e, DFC_ENTRY_A_DPORT)));
		/* entry 7: a range has its end, never a mask, beside its start */
		{
			const struct nlattr *a;
			int k = 0;

			mnl_attr_for_each_nested(a, n)
				if (mnl_attr_get_type(a) == DFC_CRIT_A_ENTRY && k++ == 7)
					e = a;
			ASSERT_EQ(8, k);
		}
		EXPECT_EQ(1024, mnl_attr_get_u16(nest_find(e, DFC_ENTRY_A_SPORT)));
		EXPECT_EQ(65535, mnl_attr_get_u16(nest_find(e, DFC_ENTRY_A_SPORT_MAX)));
		EXPECT_EQ(0, nest_count(e, DFC_ENTRY_A_SPORT_MASK));
		EXPECT_EQ(0xffff, mnl_attr_get_u16(nest_find(e, DFC_ENTRY_A_DPORT_MASK)));
		EXPECT_EQ(0, nest_count(e, DFC_ENTRY_A_DPORT_MAX));
	}
}

TEST_F(crit, unset_limits_not_sent)
{
	struct dfc_nl_crit c = { .id = 1, .prio = 1, .flags = DFC_CRIT_F_STATIC,
				 .entries = self->ent, .n_entries = 1 }, got;
	struct nlmsghdr *nlh = crit_msg(self->buf, 1);
	struct nlattr *n;

	self->ent[0] = entry4("10.0.0.0", 8, NULL, 0, 0, 0);
	ASSERT_EQ(0, dfc_nl_crit_put(nlh, BIG, &c));
	n = crit_nest(nlh);
	for (uint16_t t = DFC_CRIT_A_TIMEOUT_TOTAL; t <= DFC_CRIT_A_BLOB; t++) {
		EXPECT_EQ(0, nest_count(n, t)) TH_LOG("attr %u", t);
	}
	EXPECT_EQ(0, nest_count(n, DFC_CRIT_A_EXCL));
	/* prio, flags and cdest always, even 0 */
	EXPECT_EQ(1, nest_count(n, DFC_CRIT_A_CDEST));
	EXPECT_EQ(0, mnl_attr_get_u32(nest_find(n, DFC_CRIT_A_CDEST)));
	ASSERT_EQ(0, PARSE(nlh, &got));
	EXPECT_EQ(NULL, got.blob);
	EXPECT_EQ(0, got.blob_len);
	EXPECT_EQ(NULL, got.excl);
	EXPECT_EQ(0, got.timeout_total);
}

/*
 * The port and ICMP conditions are made by the presence of their
 * attributes: all four are sent when `ports`/`icmp` is set or a mask is
 * non-zero, none otherwise; a value without its mask is not sent.
 */
TEST_F(crit, presence_rule)
{
	static const struct {
		struct dfc_nl_entry e;
		bool ports, icmp, proto;
	} cases[] = {
		{ { .ipver = 4 }, false, false, false },
		/* values without masks mean nothing and are not sent */
		{ { .sport = 80, .dport = 80, .icmp_type = 3, .proto = 6 }, false, false, false },
		/* a port condition with both masks zero: frames with ports, any */
		{ { .ports = true }, true, false, false },
		{ { .sport = 0x1200, .sport_mask = 0xff00 }, true, false, false },
		{ { .dport_mask = 0xffff }, true, false, false },
		{ { .icmp = true }, false, true, false },
		{ { .icmp_code_mask = 0xff, .icmp_code = 1 }, false, true, false },
		{ { .proto_mask = 0xff, .proto = 0 }, false, false, true },
		{ { .ports = true, .icmp = true, .proto_mask = 0xf0, .proto = 0x10 }, true, true, true },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dfc_nl_crit c = { .id = i, .flags = DFC_CRIT_F_STATIC,
					 .entries = self->ent, .n_entries = 1 }, got;
		struct nlmsghdr *nlh = crit_msg(self->buf, 1);
		const struct nlattr *e;
		int np = cases[i].ports ? 1 : 0, ni = cases[i].icmp ? 1 : 0;

		self->ent[0] = cases[i].e;
		ASSERT_EQ(0, dfc_nl_crit_put(nlh, BIG, &c));
		e = nest_find(crit_nest(nlh), DFC_CRIT_A_ENTRY);
		ASSERT_NE(NULL, e);
		for (uint16_t t = DFC_ENTRY_A_SPORT; t <= DFC_ENTRY_A_DPORT_MASK; t++) {
			EXPECT_EQ(np, nest_count(e, t)) TH_LOG("case %zu port attr %u", i, t);
		}
		for (uint16_t t = DFC_ENTRY_A_ICMP_TYPE; t <= DFC_ENTRY_A_ICMP_CODE_MASK; t++) {
			EXPECT_EQ(ni, nest_count(e, t)) TH_LOG("case %zu icmp attr %u", i, t);
		}
		EXPECT_EQ(cases[i].proto, nest_count(e, DFC_ENTRY_A_PROTO)) TH_LOG("case %zu", i);
		EXPECT_EQ(cases[i].proto, nest_count(e, DFC_ENTRY_A_PROTO_MASK));
		EXPECT_EQ(0, nest_count(e, DFC_ENTRY_A_SRC));
		EXPECT_EQ(0, nest_count(e, DFC_ENTRY_A_IFINDEX));

		ASSERT_EQ(0, PARSE(nlh, &got));
		EXPECT_EQ(cases[i].ports, got.entries[0].ports) TH_LOG("case %zu", i);
		EXPECT_EQ(cases[i].icmp, got.entries[0].icmp) TH_LOG("case %zu", i);
		if (cases[i].ports) {
			EXPECT_EQ(cases[i].e.sport, got.entries[0].sport);
			EXPECT_EQ(cases[i].e.sport_mask, got.entries[0].sport_mask);
			EXPECT_EQ(cases[i].e.dport_mask, got.entries[0].dport_mask);
		} else {
			EXPECT_EQ(0, got.entries[0].sport_mask);
			EXPECT_EQ(0, got.entries[0].dport_mask);
		}
		if (cases[i].icmp) {
			EXPECT_EQ(cases[i].e.icmp_code, got.entries[0].icmp_code);
			EXPECT_EQ(cases[i].e.icmp_code_mask, got.entries[0].icmp_code_mask);
		}
		EXPECT_EQ(cases[i].e.proto_mask, got.entries[0].proto_mask);
	}
}

/* What cannot be encoded is refused, and the message is left as it was. */
TEST_F(crit, put_refuses_unencodable)
{
	static const char blob[] = "x";
	struct dfc_nl_crit c = { .id = 1, .flags = DFC_CRIT_F_STATIC, .entries = self->ent,
				 .n_entries = 2 };
	struct nlmsghdr *nlh = crit_msg(self->buf, 1);
	uint32_t len;

	self->ent[0] = entry4("10.0.0.0", 8, NULL, 0, 0, 0);
	/* an address, but no IP version to tell its length */
	self->ent[1] = (struct dfc_nl_entry){ .dst_plen = 8 };
	len = nlh->nlmsg_len;
	EXPECT_EQ(-EINVAL, dfc_nl_crit_put(nlh, BIG, &c));
	EXPECT_EQ(len, nlh->nlmsg_len);
	self->ent[1].ipver = 5;
	EXPECT_EQ(-EINVAL, dfc_nl_crit_put(nlh, BIG, &c));
	EXPECT_EQ(len, nlh->nlmsg_len);
	/* in an exclusion too */
	c.n_entries = 1;
	c.excl = &self->ent[1];
	c.n_excl = 1;
	EXPECT_EQ(-EINVAL, dfc_nl_crit_put(nlh, BIG, &c));
	EXPECT_EQ(len, nlh->nlmsg_len);
	c.n_excl = 0;
	/* a blob length without a blob, entries without an array */
	c.blob_len = 1;
	EXPECT_EQ(-EINVAL, dfc_nl_crit_put(nlh, BIG, &c));
	c.blob = blob;
	c.entries = NULL;
	EXPECT_EQ(-EINVAL, dfc_nl_crit_put(nlh, BIG, &c));
	EXPECT_EQ(len, nlh->nlmsg_len);
	c.entries = self->ent;
	EXPECT_EQ(0, dfc_nl_crit_put(nlh, BIG, &c));
	EXPECT_LT(len, nlh->nlmsg_len);
}

/* The buffer's room is respected to the byte; a miss leaves the message intact. */
TEST_F(crit, put_room)
{
	struct dfc_nl_crit c = { .id = 9, .flags = DFC_CRIT_F_STATIC, .entries = self->ent,
				 .n_entries = 3 };
	struct nlmsghdr *nlh = crit_msg(self->buf, 1);
	uint32_t base = nlh->nlmsg_len, need;

	for (int i = 0; i < 3; i++)
		self->ent[i] = entry4("10.0.0.0", (uint8_t)(8 + i), NULL, 0, 80, 6);
	ASSERT_EQ(0, dfc_nl_crit_put(nlh, BIG, &c));
	need = nlh->nlmsg_len;
	nlh->nlmsg_len = base;
	/* every room short of it fails without a trace; the exact room works */
	for (uint32_t room = base; room < need; room++) {
		memset(self->buf + base, 0x5a, need - base);
		EXPECT_EQ(-EMSGSIZE, dfc_nl_crit_put(nlh, room, &c)) TH_LOG("room %u", room);
		EXPECT_EQ(base, nlh->nlmsg_len);
	}
	ASSERT_EQ(0, dfc_nl_crit_put(nlh, need, &c));
	EXPECT_EQ(need, nlh->nlmsg_len);
}

/*
 * The uapi caps, checked before anything is written, whatever the room:
 * a criterion at every cap is encoded, one over any cap is -EINVAL (the
 * kernel would refuse it) even when it would fit the message and a nest.
 */
TEST_F(crit, put_caps)
{
	static char blob[UINT16_MAX];
	static const struct {
		const char *what;
		unsigned int ne, nx, blob;
	} over[] = {
		{ "entries", DFC_CRIT_MAX_ENTRIES + 1, DFC_CRIT_MAX_EXCL, DFC_CRIT_BLOB_MAX },
		{ "exclusions", DFC_CRIT_MAX_ENTRIES, DFC_CRIT_MAX_EXCL + 1, DFC_CRIT_BLOB_MAX },
		{ "blob", DFC_CRIT_MAX_ENTRIES, DFC_CRIT_MAX_EXCL, DFC_CRIT_BLOB_MAX + 1 },
		{ "blob, 64 KiB", 1, 0, UINT16_MAX },
		{ "entries, one small", DFC_CRIT_MAX_ENTRIES + 1, 0, 0 },
		{ "exclusions, one small", 1, DFC_CRIT_MAX_EXCL + 1, 0 },
	};
	struct dfc_nl_crit c = { .id = 1, .timeout_idle = 5, .entries = self->ent,
				 .excl = self->exc, .blob = blob }, got;
	struct nlmsghdr *nlh = crit_msg(self->buf, 1);
	uint32_t base = nlh->nlmsg_len;

	/* small entries: the caps are at stake, not the size */
	for (unsigned int i = 0; i <= DFC_CRIT_MAX_ENTRIES; i++)
		self->ent[i] = entry4("10.0.0.0", 8, NULL, 0, (uint16_t)(i + 1), 6);
	for (unsigned int i = 0; i <= DFC_CRIT_MAX_EXCL; i++)
		self->exc[i] = entry4(NULL, 0, "10.1.0.0", 16, (uint16_t)(i + 1), 17);
	memset(blob, 'b', sizeof(blob));

	/* at every cap */
	c.n_entries = DFC_CRIT_MAX_ENTRIES;
	c.n_excl = DFC_CRIT_MAX_EXCL;
	c.blob_len = DFC_CRIT_BLOB_MAX;
	ASSERT_EQ(0, dfc_nl_crit_put(nlh, BIG, &c));
	ASSERT_EQ(0, PARSE(nlh, &got));
	EXPECT_EQ(DFC_CRIT_MAX_ENTRIES, got.n_entries);
	EXPECT_EQ(DFC_CRIT_MAX_EXCL, got.n_excl);
	EXPECT_EQ(DFC_CRIT_BLOB_MAX, got.blob_len);

	for (size_t i = 0; i < sizeof(over) / sizeof(over[0]); i++) {
		c.n_entries = over[i].ne;
		c.n_excl = over[i].nx;
		c.blob_len = (uint16_t)over[i].blob;
		/* with all the room there is, and with none at all */
		for (int r = 0; r < 2; r++) {
			nlh->nlmsg_len = base;
			memset(self->buf + base, 0x5a, BIG - base);
			EXPECT_EQ(-EINVAL, dfc_nl_crit_put(nlh, r ? base : BIG, &c))
				TH_LOG("over the cap of %s, room %s", over[i].what,
				       r ? "none" : "plenty");
			EXPECT_EQ(base, nlh->nlmsg_len);
			/* refused before anything was written */
			EXPECT_EQ(0x5a, (unsigned char)self->buf[base]);
			EXPECT_EQ(0x5a, (unsigned char)self->buf[base + 4]);
		}
	}
}

/*
 * The largest valid criterion fits one DFC_A_CRIT nest with
 * DFC_NL_CRIT_REPLY_ROOM to spare, and one message of the library's
 * room; it comes back whole, from the request and from the kernel's GET
 * reply, which the spared room is enough for. A room short of it by a
 * byte is -EMSGSIZE, the message left as it was.
 */
TEST_F(crit, put_largest)
{
	static char blob[DFC_CRIT_BLOB_MAX];
	struct dfc_nl_crit c = max_crit(self->ent, self->exc, blob), got;
	struct nlmsghdr *nlh = crit_msg(self->buf, 1), *rep;
	uint32_t base = nlh->nlmsg_len, need;
	char *rbuf = calloc(1, BIG);
	size_t rlen;
	struct nlattr *n;

	ASSERT_NE(NULL, rbuf);
	for (unsigned int i = 0; i < sizeof(blob); i++)
		blob[i] = (char)(i * 7);
	ASSERT_EQ(0, dfc_nl_crit_put(nlh, DFC_NL_MSG_MAX, &c));
	need = nlh->nlmsg_len;
	n = crit_nest(nlh);
	ASSERT_NE(NULL, n);
	TH_LOG("the largest criterion: a %u-byte nest, a %u-byte message", n->nla_len, need);
	EXPECT_GE(DFC_NL_MSG_MAX, need);
	EXPECT_GE(UINT16_MAX - DFC_NL_CRIT_REPLY_ROOM, n->nla_len);
	/* the nest ends where the message does: nothing spilled out of it */
	EXPECT_EQ(need, (uint32_t)((char *)n - self->buf) + MNL_ALIGN(n->nla_len));
	EXPECT_EQ(DFC_CRIT_MAX_ENTRIES, nest_count(n, DFC_CRIT_A_ENTRY));
	EXPECT_EQ(DFC_CRIT_MAX_EXCL, nest_count(n, DFC_CRIT_A_EXCL));

	memset(&got, 0xa5, sizeof(got));
	ASSERT_EQ(0, PARSE(nlh, &got));
	EXPECT_EQ(c.id, got.id);
	EXPECT_EQ(c.prio, got.prio);
	EXPECT_EQ(c.cdest, got.cdest);
	EXPECT_EQ(c.timeout_total, got.timeout_total);
	EXPECT_EQ(c.limit_bytes, got.limit_bytes);
	ASSERT_EQ(DFC_CRIT_BLOB_MAX, got.blob_len);
	EXPECT_EQ(0, memcmp(blob, got.blob, sizeof(blob)));
	ASSERT_EQ(DFC_CRIT_MAX_ENTRIES, got.n_entries);
	ASSERT_EQ(DFC_CRIT_MAX_EXCL, got.n_excl);
	for (unsigned int i = 0; i < DFC_CRIT_MAX_ENTRIES; i++) {
		ASSERT_TRUE(entry_eq(&self->ent[i], &got.entries[i])) TH_LOG("entry %u", i);
	}
	for (unsigned int i = 0; i < DFC_CRIT_MAX_EXCL; i++) {
		ASSERT_TRUE(entry_eq(&self->exc[i], &got.excl[i])) TH_LOG("exclusion %u", i);
	}

	/* the kernel's reply: within the room kept for it, so within 64 KiB */
	rep = reply_of(rbuf, nlh, &rlen);
	TH_LOG("its GET reply: a %zu-byte nest", rlen);
	EXPECT_GE((size_t)n->nla_len + DFC_NL_CRIT_REPLY_ROOM, rlen);
	ASSERT_GE((size_t)UINT16_MAX, rlen);
	memset(&got, 0xa5, sizeof(got));
	ASSERT_EQ(0, PARSE(rep, &got));
	EXPECT_EQ(c.id, got.id);
	EXPECT_EQ(UINT64_MAX, got.packets);
	EXPECT_EQ(UINT64_MAX - 1, got.last_match_secs);
	EXPECT_EQ(c.limit_packets, got.limit_packets);
	ASSERT_EQ(DFC_CRIT_BLOB_MAX, got.blob_len);
	EXPECT_EQ(0, memcmp(blob, got.blob, sizeof(blob)));
	ASSERT_EQ(DFC_CRIT_MAX_ENTRIES, got.n_entries);
	ASSERT_EQ(DFC_CRIT_MAX_EXCL, got.n_excl);
	EXPECT_TRUE(entry_eq(&self->ent[DFC_CRIT_MAX_ENTRIES - 1],
			     &got.entries[DFC_CRIT_MAX_ENTRIES - 1]));
	EXPECT_TRUE(entry_eq(&self->exc[DFC_CRIT_MAX_EXCL - 1], &got.excl[DFC_CRIT_MAX_EXCL - 1]));

	/* the room, to the byte: one short fails without a trace */
	nlh->nlmsg_len = base;
	EXPECT_EQ(-EMSGSIZE, dfc_nl_crit_put(nlh, need - 1, &c));
	EXPECT_EQ(base, nlh->nlmsg_len);
	EXPECT_EQ(0, dfc_nl_crit_put(nlh, need, &c));
	EXPECT_EQ(need, nlh->nlmsg_len);
	free(rbuf);
}

/* Criteria of assorted sizes, for batching. */
static void assorted(struct dfc_nl_crit *v, unsigned int n, struct dfc_nl_entry *ent,
		     struct dfc_nl_entry *exc)
{
	for (unsigned int i = 0; i < n; i++) {
		v[i] = (struct dfc_nl_crit){ .id = 1000 + i, .timeout_idle = 60,
					     .entries = ent,
					     .n_entries = 1 + (i * 37) % DFC_CRIT_MAX_ENTRIES };
		if (i % 5 == 0) {
			v[i].excl = exc;
			v[i].n_excl = 1 + i % DFC_CRIT_MAX_EXCL;
		}
	}
}

/*
 * Batching: criteria go into as few messages as fit the room, in order,
 * each whole in exactly one message, and a message ends only where the
 * next criterion would not fit.
 */
TEST_F(crit, pack_batches)
{
	enum { N = 300, ROOM = 32768 };
	struct dfc_nl_crit *v = calloc(N, sizeof(*v));
	unsigned int done = 0, msgs = 0;
	char *tmp = malloc(ROOM);

	ASSERT_NE(NULL, v);
	for (unsigned int i = 0; i < DFC_CRIT_MAX_ENTRIES; i++)
		self->ent[i] = entry4("10.0.0.0", 24, "192.168.0.0", 16, (uint16_t)(i + 1), 6);
	for (unsigned int i = 0; i < DFC_CRIT_MAX_EXCL; i++)
		self->exc[i] = entry4("10.0.0.0", 32, NULL, 0, (uint16_t)(i + 1), 17);
	assorted(v, N, self->ent, self->exc);
	while (done < N) {
		struct nlmsghdr *nlh = crit_msg(self->buf, 5);
		const struct nlattr *a;
		unsigned int k, seen = 0;

		ASSERT_EQ(0, dfc_nl_crit_pack(nlh, ROOM, v + done, N - done, &k));
		ASSERT_LE(1, k);
		ASSERT_GE(ROOM, nlh->nlmsg_len);
		/* every nest of this message is one whole criterion, in order */
		mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
			struct dfc_nl_crit got;

			if (mnl_attr_get_type(a) != DFC_A_CRIT)
				continue;
			ASSERT_EQ(0, dfc_nl_crit_parse_attr(a, &got, self->got_ent,
							    DFC_CRIT_MAX_ENTRIES, self->got_exc,
							    DFC_CRIT_MAX_EXCL));
			ASSERT_EQ(v[done + seen].id, got.id);
			ASSERT_EQ(v[done + seen].n_entries, got.n_entries);
			ASSERT_EQ(v[done + seen].n_excl, got.n_excl);
			EXPECT_TRUE(entry_eq(&v[done + seen].entries[got.n_entries - 1],
					     &got.entries[got.n_entries - 1]));
			if (got.n_excl)
				EXPECT_TRUE(entry_eq(&v[done + seen].excl[got.n_excl - 1],
						     &got.excl[got.n_excl - 1]));
			seen++;
		}
		ASSERT_EQ(k, seen);
		/* tight: the next one would not have fitted */
		if (done + k < N) {
			memcpy(tmp, self->buf, nlh->nlmsg_len);
			EXPECT_EQ(-EMSGSIZE, dfc_nl_crit_put((struct nlmsghdr *)tmp, ROOM,
							     &v[done + k]));
		}
		done += k;
		msgs++;
	}
	EXPECT_EQ(N, done);
	EXPECT_LT(5, msgs);
	TH_LOG("%u criteria in %u messages", N, msgs);
	free(tmp);
	free(v);
}

/*
 * A criterion that does not fit the room on its own stops the packing
 * with -EMSGSIZE; one over a cap with -EINVAL, whatever the room. Either
 * is the error only when it comes first; neither is split or half written.
 */
TEST_F(crit, pack_too_big)
{
	enum { SMALL_ROOM = 32 * 1024 }; /* the library's room when the socket cannot tell */
	static char blob[DFC_CRIT_BLOB_MAX];
	struct dfc_nl_crit v[3] = {
		{ .id = 1, .timeout_total = 1, .entries = self->ent, .n_entries = 1 },
		max_crit(self->ent, self->exc, blob),
		{ .id = 3, .timeout_total = 1, .entries = self->ent, .n_entries = 1 },
	};
	struct nlmsghdr *nlh;
	unsigned int k = 99;
	uint32_t len;

	/* the library's room: all three in one message */
	nlh = crit_msg(self->buf, 1);
	ASSERT_EQ(0, dfc_nl_crit_pack(nlh, DFC_NL_MSG_MAX, v, 3, &k));
	EXPECT_EQ(3, k);
	EXPECT_GE(DFC_NL_MSG_MAX, nlh->nlmsg_len);

	/* a small room: the first goes alone, then the largest does not fit */
	nlh = crit_msg(self->buf, 1);
	ASSERT_EQ(0, dfc_nl_crit_pack(nlh, SMALL_ROOM, v, 3, &k));
	EXPECT_EQ(1, k);
	nlh = crit_msg(self->buf, 1);
	len = nlh->nlmsg_len;
	EXPECT_EQ(-EMSGSIZE, dfc_nl_crit_pack(nlh, SMALL_ROOM, v + 1, 2, &k));
	EXPECT_EQ(0, k);
	EXPECT_EQ(len, nlh->nlmsg_len);

	/* one entry over the cap: fits any room here, refused all the same */
	v[1].n_entries = DFC_CRIT_MAX_ENTRIES + 1;
	nlh = crit_msg(self->buf, 1);
	ASSERT_EQ(0, dfc_nl_crit_pack(nlh, BIG, v, 3, &k));
	EXPECT_EQ(1, k);
	nlh = crit_msg(self->buf, 1);
	len = nlh->nlmsg_len;
	EXPECT_EQ(-EINVAL, dfc_nl_crit_pack(nlh, BIG, v + 1, 2, &k));
	EXPECT_EQ(0, k);
	EXPECT_EQ(len, nlh->nlmsg_len);
	/* what follows is still packed once the caller moves past it */
	ASSERT_EQ(0, dfc_nl_crit_pack(nlh, BIG, v + 2, 1, &k));
	EXPECT_EQ(1, k);

	/* nothing to pack is no error */
	nlh = crit_msg(self->buf, 1);
	EXPECT_EQ(0, dfc_nl_crit_pack(nlh, BIG, v, 0, &k));
	EXPECT_EQ(0, k);
}

TEST_HARNESS_MAIN
