// SPDX-License-Identifier: GPL-2.0
/*
 * The dfc generic netlink API against the real module, in the guest.
 * Each test runs in a fresh network namespace of its own (the family is
 * netnsok), with dummy devices to attach.
 */
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "guest_harness.h"
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

/*
 * The copy mark (the loop guard's): a namespace setting with a non-zero
 * default, any u32 including 0 (no mark, guard off), shown by STATS_GET,
 * changed alone; the looped counter beside it is read-only.
 */
TEST_F(api, copy_mark_setting)
{
	struct nlmsghdr *nlh;
	struct dfc_stats st;
	struct dfc_nl *nl;

	ASSERT_EQ(0, dfc_nl_stats_get(self->nl, &st));
	EXPECT_EQ(DFC_DEFAULT_COPY_MARK, st.copy_mark);
	EXPECT_NE(0, DFC_DEFAULT_COPY_MARK);
	EXPECT_EQ(0, st.looped);
	EXPECT_EQ(3, st.max_dup);

	ASSERT_EQ(0, dfc_nl_copy_mark_set(self->nl, 0xffffffff));
	ASSERT_EQ(0, dfc_nl_stats_get(self->nl, &st));
	EXPECT_EQ(0xffffffff, st.copy_mark);
	ASSERT_EQ(0, dfc_nl_copy_mark_set(self->nl, 0));
	ASSERT_EQ(0, dfc_nl_stats_get(self->nl, &st));
	EXPECT_EQ(0, st.copy_mark);
	EXPECT_EQ(3, st.max_dup);
	ASSERT_EQ(0, dfc_nl_dup_set(self->nl, 5, 0));
	ASSERT_EQ(0, dfc_nl_stats_get(self->nl, &st));
	EXPECT_EQ(0, st.copy_mark);
	EXPECT_EQ(5, st.max_dup);

	/* read-only, and of the wrong width: refused, nothing changes */
	nlh = dfc_nl_msg_new(self->nl, DFC_CMD_LIMITS_SET, 0);
	mnl_attr_put_u64(nlh, DFC_STATS_A_LOOPED, 0);
	EXPECT_EQ(-EINVAL, dfc_nl_request(self->nl, nlh, NULL, NULL));
	nlh = dfc_nl_msg_new(self->nl, DFC_CMD_LIMITS_SET, 0);
	mnl_attr_put_u64(nlh, DFC_STATS_A_COPY_MARK, 7);
	EXPECT_GT(0, dfc_nl_request(self->nl, nlh, NULL, NULL));
	ASSERT_EQ(0, dfc_nl_copy_mark_set(self->nl, 0x1234));
	ASSERT_EQ(0, dfc_nl_stats_get(self->nl, &st));
	EXPECT_EQ(0x1234, st.copy_mark);

	/* per namespace: another one has the default */
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	nl = dfc_nl_open();
	ASSERT_NE(NULL, nl);
	ASSERT_EQ(0, dfc_nl_stats_get(nl, &st));
	EXPECT_EQ(DFC_DEFAULT_COPY_MARK, st.copy_mark);
	dfc_nl_close(nl);
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

/* Every request the family takes: each command, and each dump. */
static const struct {
	uint8_t cmd;
	uint16_t flags;
} all_cmds[] = {
	{ DFC_CMD_IFACE_NEW, 0 }, { DFC_CMD_IFACE_DEL, 0 },
	{ DFC_CMD_IFACE_GET, 0 }, { DFC_CMD_IFACE_GET, NLM_F_DUMP },
	{ DFC_CMD_STATS_GET, 0 }, { DFC_CMD_CRIT_NEW, 0 },
	{ DFC_CMD_CRIT_DEL, 0 }, { DFC_CMD_CRIT_REFRESH, 0 },
	{ DFC_CMD_CRIT_GET, 0 }, { DFC_CMD_CRIT_GET, NLM_F_DUMP },
	{ DFC_CMD_LIMITS_SET, 0 }, { DFC_CMD_CDEST_NEW, 0 },
	{ DFC_CMD_CDEST_SET, 0 }, { DFC_CMD_CDEST_DEL, 0 },
	{ DFC_CMD_CDEST_GET, 0 }, { DFC_CMD_CDEST_GET, NLM_F_DUMP },
	{ DFC_CMD_OWNER_SET, 0 },
};

/* Index of the first request not refused with EPERM, or -1: all were. */
static int first_not_eperm(struct dfc_nl *nl)
{
	for (size_t i = 0; i < sizeof(all_cmds) / sizeof(all_cmds[0]); i++) {
		/* Bare: valid for every command, so validation errors cannot
		 * stand in for the refusal.
		 */
		struct nlmsghdr *nlh = dfc_nl_msg_new(nl, all_cmds[i].cmd, all_cmds[i].flags);

		if (dfc_nl_request(nl, nlh, NULL, NULL) != -EPERM)
			return (int)i;
	}
	return -1;
}

/* Join the events group: 0, or -errno. */
static int events_join(struct dfc_nl *nl, struct mnl_socket **out)
{
	struct mnl_socket *s = mnl_socket_open(NETLINK_GENERIC);
	int grp = (int)dfc_nl_mcast_group(nl, DFC_GENL_MCGRP_EVENTS);
	int err = 0;

	if (!s || grp <= 0 || mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID))
		return -EIO;
	if (mnl_socket_setsockopt(s, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)))
		err = -errno;
	*out = s;
	return err;
}

/* Datagrams on s within ms milliseconds. */
static int events_count(struct mnl_socket *s, int ms)
{
	char buf[8192];
	struct pollfd p = { .fd = mnl_socket_get_fd(s), .events = POLLIN };
	int n = 0;

	while (poll(&p, 1, ms) == 1 && mnl_socket_recvfrom(s, buf, sizeof(buf)) > 0)
		n++;
	return n;
}

/* Each request, and the events group, refused to a user without privilege. */
TEST_F(api, every_command_eperm)
{
	struct mnl_socket *ev = NULL;
	pid_t pid;
	int status, i;

	ASSERT_EQ(0, dfc_nl_iface_add(self->nl, 0, "d0", 0));
	/* Positive control: the administrator is not refused any of them. */
	for (i = 0; i < (int)(sizeof(all_cmds) / sizeof(all_cmds[0])); i++) {
		struct nlmsghdr *nlh = dfc_nl_msg_new(self->nl, all_cmds[i].cmd,
						      all_cmds[i].flags);

		EXPECT_NE(-EPERM, dfc_nl_request(self->nl, nlh, NULL, NULL)) TH_LOG("request %d", i);
	}
	ASSERT_EQ(0, events_join(self->nl, &ev));
	mnl_socket_close(ev);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct dfc_nl *nl;

		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(100);
		nl = dfc_nl_open();
		if (!nl)
			_exit(101);
		i = first_not_eperm(nl);
		if (i >= 0)
			_exit(i + 1);
		if (events_join(nl, &ev) != -EPERM)
			_exit(102);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("child failed at %d", WEXITSTATUS(status));
	EXPECT_EQ(1, iface_count(self->nl));
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

/*
 * An unprivileged user in a user and network namespace of its own
 * (unshare -Urn) is root there, yet is refused every command; the host's
 * administrator is refused there too, so no event is ever sent into that
 * namespace, whether or not joining the group succeeds.
 */
TEST_F_TIMEOUT(api, unprivileged_userns_refused, 60)
{
	int ready[2], go[2], status, err;
	struct mnl_socket *ev = NULL;
	struct dfc_nl *nl;
	char path[64], c;
	pid_t pid;
	int fd;

	write_file("/proc/sys/kernel/unprivileged_userns_clone", "1");
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int i, joined;

		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(100);
		/* Changing uid made /proc/self root's: make it ours again. */
		if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0))
			_exit(108);
		if (unshare(CLONE_NEWUSER))
			_exit(101);
		if (write_file("/proc/self/setgroups", "deny") ||
		    write_file("/proc/self/uid_map", "0 65534 1") ||
		    write_file("/proc/self/gid_map", "0 65534 1"))
			_exit(102);
		if (unshare(CLONE_NEWNET))
			_exit(103);
		nl = dfc_nl_open();
		if (!nl)
			_exit(104);
		i = first_not_eperm(nl);
		if (i >= 0)
			_exit(i + 1);
		joined = events_join(nl, &ev);
		if (joined && joined != -EPERM)
			_exit(105);
		c = 'r';
		if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(106);
		/* The administrator has tried to add a criterion here. */
		if (!joined && events_count(ev, 3000))
			_exit(107);
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	/* EOF: the child stopped early, its status says where. */
	if (read(ready[0], &c, 1) != 1) {
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_EQ(0, WEXITSTATUS(status)) TH_LOG("child failed at %d",
							 WEXITSTATUS(status));
	}
	/* The host's administrator, in that namespace. */
	snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, setns(fd, CLONE_NEWNET));
	close(fd);
	nl = dfc_nl_open();
	ASSERT_NE(NULL, nl);
	{
		struct nlmsghdr *nlh = dfc_nl_msg_new(nl, DFC_CMD_LIMITS_SET, 0);

		mnl_attr_put_u32(nlh, DFC_STATS_A_MAX_CRITS, 5);
		err = dfc_nl_request(nl, nlh, NULL, NULL);
	}
	EXPECT_EQ(-EPERM, err);
	EXPECT_NE(0, strlen(dfc_nl_extack(nl)));
	EXPECT_EQ(-1, first_not_eperm(nl));
	dfc_nl_close(nl);
	c = 'g';
	ASSERT_EQ(1, write(go[1], &c, 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("child failed at %d", WEXITSTATUS(status));
}

DFC_HARNESS_MAIN
