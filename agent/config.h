/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * dtcpd configuration (libconfig), shaped after Junos'
 * [edit services dynamic-flow-capture] (docs/dtcp.md §9): capture groups
 * holding content destinations and control sources. docs/dtcpd.md is the
 * reference of every setting. Errors name the file and the line.
 */
#ifndef DTCP_CONFIG_H
#define DTCP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>

/* An IPv4 or IPv6 prefix (a host is a full-length prefix). */
struct dtcp_prefix {
	int family;		/* AF_INET, AF_INET6 */
	uint8_t addr[16];
	uint8_t plen;
};

struct dtcp_target {
	struct sockaddr_storage ss;
	socklen_t len;
	char text[64];		/* "addr port N", for logs */
};

struct dtcp_group;

struct dtcp_cdest {
	char *id;
	struct dtcp_group *group;
	struct sockaddr_storage addr;	/* port 0 */
	char addr_text[48];
	uint8_t ttl;
	char encap[8];			/* "ipip" or "udp" */
	uint16_t udp_port;		/* encapsulation udp */
	uint64_t soft_limit, soft_limit_clear, hard_limit, hard_limit_target; /* bit/s, 0: unset */
	bool ipsec_required;
	uint32_t kid;			/* DFC_CRIT_A_CDEST: stable hash of group and id */
	unsigned int line;
	/* Run time: the 10-second rate toward it, and the soft-limit state. */
	uint64_t rate;
	bool congested;
};

struct dtcp_csource {
	char *id;
	struct dtcp_group *group;
	struct dtcp_prefix *src_addrs;	/* none: any sender */
	unsigned int n_src_addrs;
	uint16_t port;			/* service-port */
	uint8_t *key;
	size_t key_len;
	struct dtcp_target *targets;
	unsigned int n_targets;
	char **allowed;			/* allowed-destinations; none: all of the group's */
	unsigned int n_allowed;
	uint8_t min_prio;		/* minimum-priority, 0..254 */
	bool no_syslog;
	bool mixed_case;		/* answer in the draft's mixed case, not Junos upper case */
	bool request_dests;		/* may define destinations with X-JTap-Cdest-* */
	int notify_ver;			/* DTCP_VER() of notifications */
	uint32_t max_criteria;		/* 0: no limit (550 beyond) */
#define DTCP_DEFAULT_MAX_CRITERIA 10000	/* one source may not take the whole kernel */
	uint32_t max_rdests;		/* its request-defined destinations (551 beyond) */
#define DTCP_RDESTS_SHARE UINT32_MAX	/* unset: an even share of max-request-destinations */
	uint32_t owner;			/* kernel owner: stable hash of the id */
	char **ssh_logins;		/* SSH logins that speak for it (config_ssh.c) */
	unsigned int n_ssh_logins;
	unsigned int line;
};

struct dtcp_group {
	char *name;
	char **ifaces;
	unsigned int n_ifaces;
	unsigned int *iface_lines;	/* where each is listed */
	unsigned int max_dups, dup_period;
	struct dtcp_cdest *dests;
	unsigned int n_dests;
	struct dtcp_csource *srcs;
	unsigned int n_srcs;
	unsigned int line;
};

struct dtcp_ifmap {
	char *name;			/* as control sources write it, e.g. ge-1/3/5.0 */
	char *ifname;			/* the Linux interface */
};

/* DTCP over SSH (the root's "ssh" group): sshd's relay reaches dtcpd here. */
struct dtcp_ssh_cfg {
	char *socket;			/* NULL: no "ssh" group, DTCP over SSH is off */
	char *relay_group;		/* the relay's (effective) group */
	unsigned int relay_gid;
	unsigned int max_sessions;	/* in all */
	unsigned int max_per_source;
	unsigned int rate;		/* new sessions a minute */
};

struct dtcp_config {
	char *file;
	char *state_file;
	bool state_sync;
	char *ctl_socket;
	struct dtcp_prefix *listen;	/* addresses the service ports bind to */
	unsigned int n_listen;
	unsigned int g_max_dups, g_dup_period;
	uint32_t max_request_dests;	/* destinations defined by requests, server-wide */
	struct dtcp_ifmap *ifmap;
	unsigned int n_ifmap;
	struct dtcp_group *groups;
	unsigned int n_groups;
	struct dtcp_ssh_cfg ssh;
};

/*
 * Load and check path. NULL on error, with err = "file:line: what".
 */
struct dtcp_config *dtcp_config_load(const char *path, char *err, size_t errlen);
/*
 * The same, and with host, against this host too (dtcpd -t, agent/hostcheck.h):
 * interfaces exist, listen addresses can be bound. Not at reload: a running
 * dtcpd keeps serving what it can.
 */
struct dtcp_config *dtcp_config_load_host(const char *path, bool host, char *err,
					  size_t errlen);
void dtcp_config_free(struct dtcp_config *c);

struct dtcp_csource *dtcp_config_source(const struct dtcp_config *c, const char *id);
struct dtcp_cdest *dtcp_config_cdest(const struct dtcp_group *g, const char *id);
/* Group g's destination with kernel id kid (unique in the configuration), or NULL. */
struct dtcp_cdest *dtcp_config_cdest_by_kid(const struct dtcp_group *g, uint32_t kid);
/* The configured destination with kernel id kid, in any group, or NULL. */
struct dtcp_cdest *dtcp_config_cdest_any_kid(const struct dtcp_config *c, uint32_t kid);
/* May src use the configured destination d? */
bool dtcp_csource_allows(const struct dtcp_csource *src, const struct dtcp_cdest *d);
/* Is the sender address sa allowed for src? */
bool dtcp_csource_sender_ok(const struct dtcp_csource *src, const struct sockaddr *sa);
/* Does login (sshd's) speak for src? */
bool dtcp_csource_has_login(const struct dtcp_csource *src, const char *login);
/* How many control sources login speaks for. */
unsigned int dtcp_config_login_sources(const struct dtcp_config *c, const char *login);
/* Linux interface for a name a control source uses (interface-map, then as is). */
const char *dtcp_config_ifname(const struct dtcp_config *c, const char *name);

/* 32-bit FNV-1a: stable kernel ids from names. */
uint32_t dtcp_hash32(const void *data, size_t len, uint32_t h);
#define DTCP_HASH_INIT 2166136261u

/* Parse "addr" or "addr/len" (IPv4 or IPv6). 0 or -EINVAL. */
int dtcp_prefix_parse(const char *s, struct dtcp_prefix *p);
bool dtcp_prefix_match(const struct dtcp_prefix *p, const struct sockaddr *sa);
/* An IPv4 address as inet_ntop() writes it. */
void dtcp_ip4_text(const uint8_t a[4], char buf[INET_ADDRSTRLEN]);
/* Address of sa as text (IPv4-mapped IPv6 shown as IPv4). */
void dtcp_sa_text(const struct sockaddr *sa, char *buf, size_t size);
/* The address of sa in a: 4 bytes (IPv4-mapped IPv6 too), 16, or 0 if neither. */
size_t dtcp_sa_bytes(const struct sockaddr *sa, uint8_t a[16]);

#endif /* DTCP_CONFIG_H */
