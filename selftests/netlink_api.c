// SPDX-License-Identifier: GPL-2.0
/*
 * The dfc generic netlink API against the real module, in the guest.
 * Each test runs in a fresh network namespace of its own (the family is
 * netnsok), with dummy devices to attach.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "dfc_nl.h"

/* Load the module once, from DFC_KO, if it is not there yet. */
static int dfc_load(void)
{
	const char *ko = getenv("DFC_KO");
	char cmd[512];

	if (!access("/sys/module/dfc", F_OK))
		return 0;
	snprintf(cmd, sizeof(cmd), "insmod %s", ko ? ko : "dfc.ko");
	return system(cmd);
}

static int count_cb(const struct dfc_iface_info *info, void *data)
{
	(void)info;
	(*(int *)data)++;
	return 0;
}

static int iface_count(struct dfc_nl *nl)
{
	int n = 0;

	return dfc_nl_iface_dump(nl, count_cb, &n) ?: n;
}

/* Offset of attribute at in the request nlh, as extack reports it. */
static uint32_t attr_off(const struct nlmsghdr *nlh, const struct nlattr *at)
{
	return (uint32_t)((const char *)at - (const char *)nlh);
}

FIXTURE(api) {
	struct dfc_nl *nl;
	uint32_t d0, d1;
};

FIXTURE_SETUP(api)
{
	ASSERT_EQ(0, dfc_load());
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, system("ip link add d0 type dummy && ip link add d1 type dummy"));
	self->d0 = if_nametoindex("d0");
	self->d1 = if_nametoindex("d1");
	ASSERT_NE(0, self->d0);
	self->nl = dfc_nl_open();
	ASSERT_NE(NULL, self->nl) TH_LOG("dfc_nl_open: %s", strerror(errno));
}

FIXTURE_TEARDOWN(api)
{
	dfc_nl_close(self->nl);
}

TEST_F(api, attach_get_dump_detach)
{
	struct dfc_iface_info info;

	ASSERT_EQ(0, dfc_nl_iface_add(self->nl, 0, "d0", 0));
	ASSERT_EQ(0, dfc_nl_iface_add(self->nl, self->d1, NULL, DFC_IFACE_F_PASS));
	EXPECT_EQ(2, iface_count(self->nl));

	ASSERT_EQ(0, dfc_nl_iface_get(self->nl, self->d0, NULL, &info));
	EXPECT_STREQ("d0", info.ifname);
	EXPECT_EQ(self->d0, info.ifindex);
	EXPECT_EQ(0, info.flags);
	EXPECT_EQ(0, info.stats.seen);
	ASSERT_EQ(0, dfc_nl_iface_get(self->nl, 0, "d1", &info));
	EXPECT_EQ(self->d1, info.ifindex);
	EXPECT_EQ(DFC_IFACE_F_PASS, info.flags);

	ASSERT_EQ(0, dfc_nl_iface_del(self->nl, 0, "d0"));
	EXPECT_EQ(1, iface_count(self->nl));
	EXPECT_EQ(-ENOENT, dfc_nl_iface_get(self->nl, 0, "d0", &info));
	ASSERT_EQ(0, dfc_nl_iface_del(self->nl, self->d1, NULL));
	EXPECT_EQ(0, iface_count(self->nl));
}

TEST_F(api, stats)
{
	struct dfc_stats st;

	ASSERT_EQ(0, dfc_nl_iface_add(self->nl, 0, "d0", 0));
	ASSERT_EQ(0, dfc_nl_stats_get(self->nl, &st));
	EXPECT_EQ(1, st.ifaces);
	EXPECT_EQ(0, st.seen);
	EXPECT_NE(0, strlen(st.version));
}

TEST_F(api, unknown_interface)
{
	EXPECT_EQ(-ENODEV, dfc_nl_iface_add(self->nl, 0, "nosuch0", 0));
	EXPECT_STREQ("no such device", dfc_nl_extack(self->nl));
	EXPECT_NE(0, dfc_nl_extack_offset(self->nl));
	EXPECT_EQ(-ENODEV, dfc_nl_iface_add(self->nl, 999999, NULL, 0));
	EXPECT_STREQ("no such device", dfc_nl_extack(self->nl));
	EXPECT_EQ(-ENODEV, dfc_nl_iface_del(self->nl, 0, "nosuch0"));
	EXPECT_EQ(0, iface_count(self->nl));
}

TEST_F(api, double_attach)
{
	ASSERT_EQ(0, dfc_nl_iface_add(self->nl, 0, "d0", 0));
	EXPECT_EQ(-EEXIST, dfc_nl_iface_add(self->nl, self->d0, NULL, DFC_IFACE_F_PASS));
	EXPECT_STREQ("interface is already attached", dfc_nl_extack(self->nl));
	EXPECT_EQ(1, iface_count(self->nl));
}

TEST_F(api, detach_not_attached)
{
	EXPECT_EQ(-ENOENT, dfc_nl_iface_del(self->nl, 0, "d0"));
	EXPECT_STREQ("interface is not attached", dfc_nl_extack(self->nl));
}

TEST_F(api, missing_attribute)
{
	struct nlmsghdr *nlh = dfc_nl_msg_new(self->nl, DFC_CMD_IFACE_NEW, 0);

	EXPECT_EQ(-EINVAL, dfc_nl_request(self->nl, nlh, NULL, NULL));
	EXPECT_STREQ("ifindex or ifname required", dfc_nl_extack(self->nl));
	EXPECT_EQ(DFC_IFACE_A_IFINDEX, dfc_nl_extack_miss_type(self->nl));
	EXPECT_EQ(0, iface_count(self->nl));
}

TEST_F(api, both_names)
{
	struct nlmsghdr *nlh = dfc_nl_msg_new(self->nl, DFC_CMD_IFACE_NEW, 0);
	struct nlattr *name;

	mnl_attr_put_u32(nlh, DFC_IFACE_A_IFINDEX, self->d0);
	name = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put_strz(nlh, DFC_IFACE_A_IFNAME, "d0");
	EXPECT_EQ(-EINVAL, dfc_nl_request(self->nl, nlh, NULL, NULL));
	EXPECT_STREQ("give either ifindex or ifname, not both", dfc_nl_extack(self->nl));
	EXPECT_EQ(attr_off(nlh, name), dfc_nl_extack_offset(self->nl));
	EXPECT_EQ(0, iface_count(self->nl));
}

TEST_F(api, unknown_flag)
{
	struct nlmsghdr *nlh = dfc_nl_msg_new(self->nl, DFC_CMD_IFACE_NEW, 0);
	struct nlattr *fl;

	mnl_attr_put_strz(nlh, DFC_IFACE_A_IFNAME, "d0");
	fl = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put_u32(nlh, DFC_IFACE_A_FLAGS, 0x80);
	EXPECT_EQ(-EINVAL, dfc_nl_request(self->nl, nlh, NULL, NULL));
	EXPECT_NE(0, strlen(dfc_nl_extack(self->nl)));
	EXPECT_EQ(attr_off(nlh, fl), dfc_nl_extack_offset(self->nl));
	EXPECT_EQ(0, iface_count(self->nl));
}

TEST_F(api, malformed_attributes)
{
	struct nlmsghdr *nlh;
	struct nlattr *at;

	/* Counters are output only. */
	nlh = dfc_nl_msg_new(self->nl, DFC_CMD_IFACE_NEW, 0);
	mnl_attr_put_strz(nlh, DFC_IFACE_A_IFNAME, "d0");
	at = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put(nlh, DFC_IFACE_A_STATS, 0, NULL);
	EXPECT_EQ(-EINVAL, dfc_nl_request(self->nl, nlh, NULL, NULL));
	EXPECT_STREQ("counters are read-only", dfc_nl_extack(self->nl));
	EXPECT_EQ(attr_off(nlh, at), dfc_nl_extack_offset(self->nl));

	/* A name longer than IFNAMSIZ - 1. */
	nlh = dfc_nl_msg_new(self->nl, DFC_CMD_IFACE_NEW, 0);
	at = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put_strz(nlh, DFC_IFACE_A_IFNAME, "a-much-too-long-name");
	EXPECT_EQ(-EINVAL, dfc_nl_request(self->nl, nlh, NULL, NULL));
	EXPECT_EQ(attr_off(nlh, at), dfc_nl_extack_offset(self->nl));

	/* ifindex of the wrong size. */
	nlh = dfc_nl_msg_new(self->nl, DFC_CMD_IFACE_NEW, 0);
	at = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put_u16(nlh, DFC_IFACE_A_IFINDEX, 1);
	EXPECT_EQ(-EINVAL, dfc_nl_request(self->nl, nlh, NULL, NULL));
	EXPECT_EQ(attr_off(nlh, at), dfc_nl_extack_offset(self->nl));

	/* An attribute type the API does not know. */
	nlh = dfc_nl_msg_new(self->nl, DFC_CMD_IFACE_NEW, 0);
	mnl_attr_put_strz(nlh, DFC_IFACE_A_IFNAME, "d0");
	at = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put_u32(nlh, DFC_IFACE_A_MAX + 1, 1);
	EXPECT_EQ(-EINVAL, dfc_nl_request(self->nl, nlh, NULL, NULL));
	EXPECT_EQ(attr_off(nlh, at), dfc_nl_extack_offset(self->nl));

	EXPECT_EQ(0, iface_count(self->nl));
}

TEST_F(api, not_ethernet)
{
	EXPECT_EQ(-EINVAL, dfc_nl_iface_add(self->nl, 0, "lo", 0));
	EXPECT_STREQ("not an Ethernet interface", dfc_nl_extack(self->nl));
	EXPECT_EQ(0, iface_count(self->nl));
}

TEST_F(api, device_deleted_while_attached)
{
	ASSERT_EQ(0, dfc_nl_iface_add(self->nl, 0, "d0", 0));
	ASSERT_EQ(0, system("ip link del d0"));
	EXPECT_EQ(0, iface_count(self->nl));
}

/* Capture state is as sensitive to read as to change. */
TEST_F(api, unprivileged_eperm)
{
	struct dfc_iface_info info;
	struct dfc_stats st;
	struct dfc_nl *nl;
	pid_t pid;
	int status;

	ASSERT_EQ(0, dfc_nl_iface_add(self->nl, 0, "d0", 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(10);
		nl = dfc_nl_open();
		if (!nl)
			_exit(11);
		if (dfc_nl_iface_add(nl, 0, "d1", 0) != -EPERM)
			_exit(12);
		if (dfc_nl_iface_del(nl, 0, "d0") != -EPERM)
			_exit(13);
		if (dfc_nl_iface_get(nl, 0, "d0", &info) != -EPERM)
			_exit(14);
		if (iface_count(nl) != -EPERM)
			_exit(15);
		if (dfc_nl_stats_get(nl, &st) != -EPERM)
			_exit(16);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("child failed at step %d", WEXITSTATUS(status));
	EXPECT_EQ(1, iface_count(self->nl));
}

/* Another namespace sees none of this one's interfaces. */
TEST_F(api, netns_isolation)
{
	struct dfc_stats st;
	struct dfc_nl *nl;

	ASSERT_EQ(0, dfc_nl_iface_add(self->nl, 0, "d0", 0));
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, system("ip link add d0 type dummy"));
	nl = dfc_nl_open();
	ASSERT_NE(NULL, nl);
	EXPECT_EQ(0, iface_count(nl));
	ASSERT_EQ(0, dfc_nl_stats_get(nl, &st));
	EXPECT_EQ(0, st.ifaces);
	/* The same name is free to attach here. */
	EXPECT_EQ(0, dfc_nl_iface_add(nl, 0, "d0", 0));
	dfc_nl_close(nl);
	/* The first socket still talks to the first namespace. */
	EXPECT_EQ(1, iface_count(self->nl));
}

TEST_HARNESS_MAIN
