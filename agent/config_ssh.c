// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * DTCP over SSH in the configuration (docs/dtcpd.md, "DTCP over SSH"):
 * the root's "ssh" group (the relay's socket and group, session limits)
 * and each control source's ssh-logins, the logins sshd authenticated
 * that may speak for it. A login listed nowhere gets nothing.
 */
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "config_ctx.h"

#define SSH_SOCKET "/run/dtcpd/ssh.sock"
#define SSH_GROUP "dtcpd-ssh"

/* A login as useradd takes it, and as logs can show it unescaped. */
static bool login_ok(const char *s)
{
	if (!*s || strlen(s) > 32 || *s == '-')
		return false;
	for (; *s; s++)
		if (!(*s >= 'a' && *s <= 'z') && !(*s >= 'A' && *s <= 'Z') &&
		    !(*s >= '0' && *s <= '9') && *s != '_' && *s != '.' && *s != '-')
			return false;
	return true;
}

void dtcp_cfg_load_ssh(struct dtcp_cfg_ctx *x, struct dtcp_config *cfg,
		       const config_setting_t *root)
{
	static const char *const keys[] = { "socket", "relay-group", "max-sessions",
		"max-sessions-per-source", "rate-limit", NULL };
	config_setting_t *g = config_setting_get_member(root, "ssh");
	struct dtcp_ssh_cfg *c = &cfg->ssh;
	const char *sock, *grp;
	struct group *gr;
	long long v;

	if (!g)
		return;
	if (!config_setting_is_group(g)) {
		dtcp_cfg_err(x, g, "'ssh' must be a group: ssh = { ... }");
		return;
	}
	dtcp_cfg_only(x, g, keys);
	sock = dtcp_cfg_str(x, g, "socket", false);
	if (!sock)
		sock = SSH_SOCKET;
	if (!*sock || strlen(sock) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		dtcp_cfg_err(x, config_setting_get_member(g, "socket"), "ssh socket: a unix "
			     "socket path is 1..%zu bytes, not %zu",
			     sizeof(((struct sockaddr_un *)0)->sun_path) - 1, strlen(sock));
	grp = dtcp_cfg_str(x, g, "relay-group", false);
	if (!grp)
		grp = SSH_GROUP;
	gr = getgrnam(grp);
	if (!gr)
		dtcp_cfg_err(x, config_setting_get_member(g, "relay-group") ?
			     config_setting_get_member(g, "relay-group") : g,
			     "ssh relay-group '%s': no such group on this host", grp);
	else
		c->relay_gid = gr->gr_gid;
	c->socket = strdup(sock);
	c->relay_group = strdup(grp);
	if (!c->socket || !c->relay_group)
		dtcp_cfg_err(x, g, "out of memory");
	c->max_sessions = 75;
	if (dtcp_cfg_int(x, g, "max-sessions", 1, 1024, &v))
		c->max_sessions = v;
	c->max_per_source = 4;
	if (dtcp_cfg_int(x, g, "max-sessions-per-source", 1, 1024, &v))
		c->max_per_source = v;
	c->rate = 150;
	if (dtcp_cfg_int(x, g, "rate-limit", 1, 100000, &v))
		c->rate = v;
}

void dtcp_cfg_load_logins(struct dtcp_cfg_ctx *x, struct dtcp_csource *c,
			  const config_setting_t *g)
{
	config_setting_t *s = config_setting_get_member(g, "ssh-logins");

	c->ssh_logins = dtcp_cfg_strs(x, g, "ssh-logins", &c->n_ssh_logins);
	for (unsigned int i = 0; i < c->n_ssh_logins; i++) {
		if (!login_ok(c->ssh_logins[i]))
			dtcp_cfg_err(x, s, "control source '%s': ssh login '%s': 1..32 letters, "
				     "digits, '_', '.' or '-', not starting with '-'",
				     c->id ? c->id : "", c->ssh_logins[i]);
		for (unsigned int j = 0; j < i; j++)
			if (!strcmp(c->ssh_logins[i], c->ssh_logins[j]))
				dtcp_cfg_err(x, s, "control source '%s': ssh login '%s' listed "
					     "twice", c->id ? c->id : "", c->ssh_logins[i]);
	}
}

void dtcp_cfg_check_ssh(struct dtcp_cfg_ctx *x, struct dtcp_config *cfg,
			const config_setting_t *root)
{
	if (cfg->ssh.socket)
		return;
	for (unsigned int g = 0; g < cfg->n_groups; g++)
		for (unsigned int i = 0; i < cfg->groups[g].n_srcs; i++)
			if (cfg->groups[g].srcs[i].n_ssh_logins) {
				dtcp_cfg_err(x, root, "control source '%s' (line %u) has "
					     "ssh-logins, but there is no 'ssh' group: DTCP "
					     "over SSH is off", cfg->groups[g].srcs[i].id,
					     cfg->groups[g].srcs[i].line);
				return;
			}
}

bool dtcp_csource_has_login(const struct dtcp_csource *src, const char *login)
{
	for (unsigned int i = 0; i < src->n_ssh_logins; i++)
		if (!strcmp(src->ssh_logins[i], login))
			return true;
	return false;
}

unsigned int dtcp_config_login_sources(const struct dtcp_config *c, const char *login)
{
	unsigned int n = 0;

	for (unsigned int g = 0; g < c->n_groups; g++)
		for (unsigned int i = 0; i < c->groups[g].n_srcs; i++)
			n += dtcp_csource_has_login(&c->groups[g].srcs[i], login);
	return n;
}
