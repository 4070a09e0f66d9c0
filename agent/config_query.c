// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * A loaded dtcpd configuration (config.h): what the rest of dtcpd looks
 * up in it, and freeing it. Loading and checking are config.c's.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "config.h"
#include "key.h"

static void free_strs(char **v, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void dtcp_config_free(struct dtcp_config *c)
{
	if (!c)
		return;
	for (unsigned int gi = 0; gi < c->n_groups; gi++) {
		struct dtcp_group *g = &c->groups[gi];

		for (unsigned int i = 0; i < g->n_dests; i++)
			free(g->dests[i].id);
		for (unsigned int i = 0; i < g->n_srcs; i++) {
			struct dtcp_csource *s = &g->srcs[i];

			free(s->id);
			free(s->src_addrs);
			dtcp_key_free(s->key, s->key_len);
			free(s->targets);
			free_strs(s->allowed, s->n_allowed);
			free_strs(s->ssh_logins, s->n_ssh_logins);
		}
		free(g->dests);
		free(g->srcs);
		free(g->name);
		free_strs(g->ifaces, g->n_ifaces);
		free(g->iface_lines);
	}
	for (unsigned int i = 0; i < c->n_ifmap; i++) {
		free(c->ifmap[i].name);
		free(c->ifmap[i].ifname);
	}
	free(c->ifmap);
	free(c->groups);
	free(c->listen);
	free(c->file);
	free(c->state_file);
	free(c->ctl_socket);
	free(c->ssh.socket);
	free(c->ssh.relay_group);
	free(c);
}

struct dtcp_csource *dtcp_config_source(const struct dtcp_config *c, const char *id)
{
	for (unsigned int gi = 0; gi < c->n_groups; gi++)
		for (unsigned int i = 0; i < c->groups[gi].n_srcs; i++)
			if (!strcmp(c->groups[gi].srcs[i].id, id))
				return &c->groups[gi].srcs[i];
	return NULL;
}

struct dtcp_cdest *dtcp_config_cdest(const struct dtcp_group *g, const char *id)
{
	for (unsigned int i = 0; i < g->n_dests; i++)
		if (g->dests[i].id && !strcmp(g->dests[i].id, id))
			return &g->dests[i];
	return NULL;
}

struct dtcp_cdest *dtcp_config_cdest_by_kid(const struct dtcp_group *g, uint32_t kid)
{
	for (unsigned int i = 0; i < g->n_dests; i++)
		if (g->dests[i].kid == kid)
			return &g->dests[i];
	return NULL;
}

struct dtcp_cdest *dtcp_config_cdest_any_kid(const struct dtcp_config *c, uint32_t kid)
{
	struct dtcp_cdest *d = NULL;

	for (unsigned int g = 0; g < c->n_groups && !d; g++)
		d = dtcp_config_cdest_by_kid(&c->groups[g], kid);
	return d;
}

bool dtcp_csource_allows(const struct dtcp_csource *src, const struct dtcp_cdest *d)
{
	if (!d || d->group != src->group)
		return false;
	if (!src->n_allowed)
		return true; /* an empty allow-list allows the group's every destination */
	for (unsigned int i = 0; i < src->n_allowed; i++)
		if (!strcmp(src->allowed[i], d->id))
			return true;
	return false;
}

bool dtcp_csource_sender_ok(const struct dtcp_csource *src, const struct sockaddr *sa)
{
	if (!src->n_src_addrs)
		return true;
	for (unsigned int i = 0; i < src->n_src_addrs; i++)
		if (dtcp_prefix_match(&src->src_addrs[i], sa))
			return true;
	return false;
}

const char *dtcp_config_ifname(const struct dtcp_config *c, const char *name)
{
	for (unsigned int i = 0; i < c->n_ifmap; i++)
		if (!strcmp(c->ifmap[i].name, name))
			return c->ifmap[i].ifname;
	return name;
}
