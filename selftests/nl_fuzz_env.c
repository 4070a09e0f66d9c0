// SPDX-License-Identifier: GPL-2.0
/*
 * nl_fuzz's surroundings: the devices of a network namespace, the traffic
 * on them, and the way into an unprivileged user namespace.
 */
#include <grp.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nl_fuzz.h"

double fz_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int fz_write_file(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");
	int err;

	if (!f)
		return -1;
	err = fputs(s, f) < 0;
	return fclose(f) || err ? -1 : 0;
}

int fz_run(const char *cmd)
{
	int r = system(cmd);

	return WIFEXITED(r) && !WEXITSTATUS(r) ? 0 : -1;
}

/* Devices of a fresh network namespace: v1 receives what is injected on v0. */
int fz_net_setup(void)
{
	/* One ip process: each costs most of a second on a busy TCG guest. */
	FILE *ip = popen("ip -batch -", "w");

	if (!ip || fputs("link set lo up\nlink add v0 type veth peer name v1\n"
			 "link set v0 up\nlink set v1 up\nlink add d0 type dummy\n"
			 "link add d1 type dummy\nlink set d0 up\n"
			 "route add 198.51.100.0/24 dev d0\n"
			 "route add 2001:db8:ff::/64 dev d0\n", ip) < 0 || pclose(ip))
		return -1;
	fz_env.ifindex[0] = if_nametoindex("v1");
	fz_env.ifindex[1] = if_nametoindex("d0");
	fz_env.ifindex[2] = if_nametoindex("d1");
	fz_env.ifindex[3] = if_nametoindex("lo");
	return 0;
}

/* Frames on v0 until the deadline: IPv4 and IPv6, UDP to the entries' port 9, TCP, ICMP. */
pid_t fz_traffic(const char *inject, double deadline)
{
	static const char *const kinds[][4] = {
		{ "-k", "ipv4", "-P", "udp" }, { "-k", "ipv6", "-P", "udp" },
		{ "-k", "ipv4", "-P", "tcp" }, { "-k", "ipv4", "-P", "icmp" },
		{ "-k", "ipv6", "-P", "icmp" }, { "-k", "bad4", "-P", "udp" },
	};
	pid_t pid = fork();
	unsigned int i = 0;

	if (pid)
		return pid;
	while (fz_now() < deadline) {
		pid_t c = fork();

		if (!c) {
			if (!freopen("/dev/null", "w", stdout))
				_exit(1);
			execl(inject, "inject", "-i", "v0", "-n", "100", kinds[i][0], kinds[i][1],
			      kinds[i][2], kinds[i][3], (char *)NULL);
			_exit(127);
		}
		waitpid(c, NULL, 0);
		i = (i + 1) % (sizeof(kinds) / sizeof(kinds[0]));
		usleep(20000);
	}
	_exit(0);
}

/* Drop to nobody, then a user namespace (with a network namespace of its own). */
int fz_enter_userns(bool own_net)
{
	char map[32];

	if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
		return -1;
	prctl(PR_SET_DUMPABLE, 1);	/* else /proc/self/uid_map belongs to root */
	if (unshare(CLONE_NEWUSER | (own_net ? CLONE_NEWNET : 0)))
		return -1;
	snprintf(map, sizeof(map), "0 65534 1");
	if (fz_write_file("/proc/self/setgroups", "deny") || fz_write_file("/proc/self/uid_map", map) ||
	    fz_write_file("/proc/self/gid_map", map))
		return -1;
	return 0;
}
