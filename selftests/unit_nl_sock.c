// SPDX-License-Identifier: GPL-2.0
/*
 * Host-tier unit tests of lib/dfc_nl*.c: the request machinery (ACK, dump,
 * extack, family and group lookup) against the kernel's own "nlctrl"
 * family, which every kernel with generic netlink has; dfc_nl_open()
 * failing with ENOENT; and a full batch of criteria through the real socket
 * (unit_nl_fake.h's send and receive only pass through here).
 */
#include "unit_nl_fake.h"

/* ---- against the kernel's nlctrl family ---- */

#define OPEN_CTRL(nl) do { \
	nl = dfc_nl_open_family("nlctrl"); \
	if (!nl) \
		SKIP(return, "no generic netlink here: %s", strerror(errno)); \
} while (0)

TEST(open_dfc_not_loaded)
{
	struct dfc_nl *nl;

	OPEN_CTRL(nl);
	dfc_nl_close(nl);

	errno = 0;
	nl = dfc_nl_open_family("dfc-nonexistent");
	EXPECT_EQ(NULL, nl);
	EXPECT_EQ(ENOENT, errno);

	errno = 0;
	nl = dfc_nl_open();
	if (nl) {
		dfc_nl_close(nl);
		SKIP(return, "family %s is registered here (module loaded)", DFC_GENL_NAME);
	}
	EXPECT_EQ(ENOENT, errno);
}

TEST(open_family_and_groups)
{
	struct dfc_nl *nl;

	OPEN_CTRL(nl);
	EXPECT_EQ(GENL_ID_CTRL, dfc_nl_family_id(nl));
	/* nlctrl's one multicast group; its id is GENL_ID_CTRL too */
	EXPECT_EQ(GENL_ID_CTRL, dfc_nl_mcast_group(nl, "notify"));
	EXPECT_EQ(0, dfc_nl_mcast_group(nl, "no-such-group"));
	EXPECT_STREQ("", dfc_nl_extack(nl));
	EXPECT_EQ(0, dfc_nl_extack_offset(nl));
	dfc_nl_close(nl);
}

TEST(msg_new_header)
{
	struct genlmsghdr *genl;
	struct nlmsghdr *nlh;
	struct dfc_nl *nl;

	OPEN_CTRL(nl);
	nlh = dfc_nl_msg_new(nl, DFC_CMD_IFACE_GET, NLM_F_DUMP);
	EXPECT_EQ(MNL_NLMSG_HDRLEN + GENL_HDRLEN, nlh->nlmsg_len);
	EXPECT_EQ(dfc_nl_family_id(nl), nlh->nlmsg_type);
	EXPECT_EQ(NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP, nlh->nlmsg_flags);
	genl = mnl_nlmsg_get_payload(nlh);
	EXPECT_EQ(DFC_CMD_IFACE_GET, genl->cmd);
	EXPECT_EQ(DFC_GENL_VERSION, genl->version);
	EXPECT_EQ(0, genl->reserved);
	EXPECT_LE((size_t)MNL_SOCKET_BUFFER_SIZE, dfc_nl_msg_room(nl));

	/* a new message starts over, in the same buffer */
	ASSERT_TRUE(mnl_attr_put_u32_check(nlh, dfc_nl_msg_room(nl), DFC_IFACE_A_IFINDEX, 1));
	nlh = dfc_nl_msg_new(nl, DFC_CMD_STATS_GET, 0);
	EXPECT_EQ(MNL_NLMSG_HDRLEN + GENL_HDRLEN, nlh->nlmsg_len);
	EXPECT_EQ(NLM_F_REQUEST | NLM_F_ACK, nlh->nlmsg_flags);
	EXPECT_EQ(DFC_CMD_STATS_GET, ((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd);
	dfc_nl_close(nl);
}

struct families {
	int n;
	bool ctrl;
	int stop_after; /* return MNL_CB_ERROR (EBADE) after this many; 0: never */
};

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct families *f = data;
	const struct nlattr *attr;

	f->n++;
	mnl_attr_for_each(attr, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_NAME &&
		    !strcmp(mnl_attr_get_str(attr), "nlctrl"))
			f->ctrl = true;
	if (f->stop_after && f->n == f->stop_after) {
		errno = EBADE;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

TEST(request_get_and_dump)
{
	struct families f = { 0 };
	struct nlmsghdr *nlh;
	struct dfc_nl *nl;

	OPEN_CTRL(nl);
	nlh = dfc_nl_msg_new(nl, CTRL_CMD_GETFAMILY, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "nlctrl");
	ASSERT_EQ(0, dfc_nl_request(nl, nlh, family_cb, &f));
	EXPECT_EQ(1, f.n);
	EXPECT_TRUE(f.ctrl);

	memset(&f, 0, sizeof(f));
	nlh = dfc_nl_msg_new(nl, CTRL_CMD_GETFAMILY, NLM_F_DUMP);
	ASSERT_EQ(0, dfc_nl_request(nl, nlh, family_cb, &f));
	EXPECT_LT(1, f.n);
	EXPECT_TRUE(f.ctrl);
	dfc_nl_close(nl);
}

/* A callback error is returned, and the handle stays usable (replies drained). */
TEST(request_cb_error)
{
	struct families f = { .stop_after = 1 };
	struct nlmsghdr *nlh;
	struct dfc_nl *nl;

	OPEN_CTRL(nl);
	nlh = dfc_nl_msg_new(nl, CTRL_CMD_GETFAMILY, NLM_F_DUMP);
	EXPECT_EQ(-EBADE, dfc_nl_request(nl, nlh, family_cb, &f));
	EXPECT_EQ(1, f.n);

	memset(&f, 0, sizeof(f));
	nlh = dfc_nl_msg_new(nl, CTRL_CMD_GETFAMILY, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "nlctrl");
	EXPECT_EQ(0, dfc_nl_request(nl, nlh, family_cb, &f));
	EXPECT_EQ(1, f.n);
	dfc_nl_close(nl);
}

/* The kernel's error, its extack message and the offset of the attribute at fault. */
TEST(request_extack)
{
	struct nlmsghdr *nlh;
	struct nlattr *bad;
	struct dfc_nl *nl;
	uint8_t one = 1;
	int err;

	OPEN_CTRL(nl);
	nlh = dfc_nl_msg_new(nl, CTRL_CMD_GETFAMILY, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "nlctrl");
	bad = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put(nlh, CTRL_ATTR_FAMILY_ID, sizeof(one), &one); /* a u16 */
	err = dfc_nl_request(nl, nlh, NULL, NULL);
	EXPECT_TRUE(err == -ERANGE || err == -EINVAL) TH_LOG("err %d", err);
	EXPECT_STRNE("", dfc_nl_extack(nl));
	EXPECT_EQ((char *)bad - (char *)nlh, dfc_nl_extack_offset(nl));

	/* the next request starts clean */
	nlh = dfc_nl_msg_new(nl, CTRL_CMD_GETFAMILY, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "nlctrl");
	EXPECT_EQ(0, dfc_nl_request(nl, nlh, NULL, NULL));
	EXPECT_STREQ("", dfc_nl_extack(nl));
	EXPECT_EQ(0, dfc_nl_extack_offset(nl));

	nlh = dfc_nl_msg_new(nl, CTRL_CMD_GETFAMILY, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "dfc-nonexistent");
	EXPECT_EQ(-ENOENT, dfc_nl_request(nl, nlh, NULL, NULL));
	dfc_nl_close(nl);
}

/* The high-level calls reject both or neither of ifindex/ifname without asking. */
TEST(iface_dev_args)
{
	struct dfc_iface_info info;
	struct dfc_nl *nl;

	OPEN_CTRL(nl);
	EXPECT_EQ(-EINVAL, dfc_nl_iface_add(nl, 0, NULL, 0));
	EXPECT_EQ(-EINVAL, dfc_nl_iface_add(nl, 1, "eth0", 0));
	EXPECT_EQ(-EINVAL, dfc_nl_iface_del(nl, 0, NULL));
	EXPECT_EQ(-EINVAL, dfc_nl_iface_get(nl, 2, "eth0", &info));
	dfc_nl_close(nl);
}

/* ---- the real socket: a full batch is accepted ---- */

/*
 * The library's room is what the socket really sends: a first message
 * filled to within one (small) criterion of DFC_NL_MSG_MAX, with two of
 * the largest criteria in it, reaches the kernel.
 */
TEST(crit_add_full_message_sent)
{
	enum { N = 64, FILL = 8 };
	struct dfc_nl_entry *ent = calloc(DFC_CRIT_MAX_ENTRIES + 1, sizeof(*ent));
	struct dfc_nl_entry *exc = calloc(DFC_CRIT_MAX_EXCL + 1, sizeof(*exc));
	static char blob[DFC_CRIT_BLOB_MAX];
	char *buf = calloc(1, DFC_NL_MSG_MAX);
	struct dfc_nl_crit v[N];
	unsigned int done = 99, k;
	struct nlmsghdr *nlh;
	uint32_t fill_len, base;
	struct dfc_nl *nl;

	ASSERT_NE(NULL, ent);
	ASSERT_NE(NULL, exc);
	ASSERT_NE(NULL, buf);
	OPEN_CTRL(nl);
	EXPECT_EQ(DFC_NL_MSG_MAX, dfc_nl_msg_room(nl)) TH_LOG("wmem_max too small here?");
	/* two of the largest, then criteria of FILL of the largest entries */
	for (unsigned int i = 0; i < N; i++) {
		v[i] = max_crit(ent, exc, blob);
		v[i].id = i;
		if (i >= 2) {
			v[i].n_entries = FILL;
			v[i].n_excl = 0;
			v[i].blob_len = 0;
		}
	}
	/* what the first message should be: as full as it gets */
	nlh = crit_msg(buf, 1);
	ASSERT_EQ(0, dfc_nl_crit_pack(nlh, dfc_nl_msg_room(nl), v, N, &k));
	ASSERT_GT(N, k);	/* there is more than one message's worth */
	EXPECT_LE(3, k);
	fill_len = nlh->nlmsg_len;
	/* within one of the small ones of the room: the next did not fit */
	nlh = crit_msg(buf, 1);
	base = nlh->nlmsg_len;
	ASSERT_EQ(0, dfc_nl_crit_put(nlh, DFC_NL_MSG_MAX, &v[N - 1]));
	EXPECT_LT(dfc_nl_msg_room(nl), fill_len + (nlh->nlmsg_len - base));
	/*
	 * nlctrl has no command DFC_CMD_CRIT_NEW: EOPNOTSUPP proves the kernel
	 * got the message (the socket would refuse one over its send buffer
	 * with EMSGSIZE before that).
	 */
	sent_len = 0;
	EXPECT_EQ(-EOPNOTSUPP, dfc_nl_crit_add(nl, 1, v, N, &done));
	EXPECT_EQ(0, done);
	EXPECT_EQ(fill_len, sent_len);
	TH_LOG("%u criteria in a first message of %zu bytes", k, sent_len);
	dfc_nl_close(nl);
	free(buf);
	free(exc);
	free(ent);
}

TEST_HARNESS_MAIN
