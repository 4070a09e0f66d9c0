// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * A new configuration (SIGHUP): what is gone leaves the kernel, the
 * configured destinations and duplicate limits are programmed.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <netinet/in.h>

#include "core.h"

bool dtcp_crit_dests_valid(const struct dtcp_src *src, const struct dtcp_crit *c)
{
	if (c->request_dest)
		return src->cfg->request_dests;
	for (unsigned int k = 0; k < c->n_dest; k++) {
		const struct dtcp_cdest *d;
		char name[80];

		if (dtcp_crit_dest(c, k, name, sizeof(name)))
			return false;
		d = dtcp_config_cdest(src->cfg->group, name);
		if (!d || !dtcp_csource_allows(src->cfg, d) || d->kid != c->cdest_kid[k])
			return false;
	}
	return c->n_dest > 0;
}

static int orphan_add(struct dtcp_server *s, uint32_t owner)
{
	uint32_t *n;

	for (unsigned int i = 0; i < s->n_orphans; i++)
		if (s->orphans[i] == owner)
			return 0;
	n = realloc(s->orphans, (s->n_orphans + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	s->orphans = n;
	n[s->n_orphans++] = owner;
	return 0;
}

void dtcp_server_retry(struct dtcp_server *s)
{
	unsigned int j = 0;

	for (unsigned int i = 0; i < s->n_orphans; i++) {
		uint32_t n = 0;
		int err = s->kops->del_owner(s->kctx, s->orphans[i], &n);

		if (err && err != -ENOENT)
			s->orphans[j++] = s->orphans[i];
		else
			LOG(s, NULL, LOG_NOTICE, "criteria of a removed control source (owner "
			    "%#x) deleted: %u", s->orphans[i], n);
	}
	s->n_orphans = j;
}

void dtcp_server_reconfig(struct dtcp_server *s, struct dtcp_config *cfg)
{
	struct dtcp_config *old = s->cfg;
	unsigned int j = 0;

	s->cfg = cfg;
	for (unsigned int i = 0; i < s->n_srcs; i++) {
		struct dtcp_src *src = s->srcs[i];
		struct dtcp_csource *cs = dtcp_config_source(cfg, src->id);

		if (!cs) {
			uint32_t n = 0;
			uint32_t owner = src->cfg->owner;
			int err = src->n_live ? s->kops->del_owner(s->kctx, owner, &n) : 0;

			/* A source that is gone takes its criteria with it. */
			if (err && orphan_add(s, owner))
				LOG(s, NULL, LOG_ERR, "control source %s: out of memory: its kernel "
				    "criteria are deleted at the next start", src->id);
			if (err) {
				s->st.kernel_errors++;
				LOG(s, NULL, LOG_ERR, "control source %s removed: deleting its %u "
				    "criteria: %s (retried every second)", src->id, src->n_live,
				    strerror(-err));
			} else {
				LOG(s, NULL, LOG_NOTICE, "control source %s removed: %u criteria "
				    "deleted", src->id, src->n_live);
			}
			for (unsigned int k = 0; k < src->n_crits; k++)
				dtcp_src_remove(s, src, src->crits[k], DFC_REASON_NONE);
			/* Its Seq window outlives it: added back, old requests stay replays. */
			if (dtcp_src_retire(s, src))
				LOG(s, NULL, LOG_ERR, "control source %s: Seq window: out of memory",
				    src->id);
			dtcp_src_free(src);
			s->dirty = true;
			continue;
		}
		src->cfg = cs;
		s->srcs[j++] = src;
		for (unsigned int k = 0; k < src->n_crits; k++) {
			struct dtcp_crit *c = src->crits[k];

			if (c->dead || dtcp_crit_dests_valid(src, c))
				continue;
			if (dtcp_crit_kernel_del(s, src, c))
				continue; /* still in the kernel: stays listed, the next reload retries */
			LOG(s, src, LOG_NOTICE, "criterion %" PRIu32 " deleted: destination %s "
			    "no longer configured or allowed", c->id, c->cdests);
			dtcp_src_remove(s, src, c, DFC_REASON_NONE);
		}
	}
	s->n_srcs = j;
	for (unsigned int g = 0; g < cfg->n_groups; g++)
		for (unsigned int i = 0; i < cfg->groups[g].n_srcs; i++)
			if (!dtcp_server_src(s, cfg->groups[g].srcs[i].id))
				dtcp_src_new(s, &cfg->groups[g].srcs[i]);
	/* Back before its old criteria could be deleted: they go now, or it waits. */
	if (s->n_orphans)
		dtcp_server_retry(s);
	/* Destinations gone from the file go from the kernel; the rest are updated. */
	for (unsigned int g = 0; s->kops->cdest_del && g < old->n_groups; g++)
		for (unsigned int i = 0; i < old->groups[g].n_dests; i++) {
			uint32_t kid = old->groups[g].dests[i].kid;

			if (!dtcp_config_cdest_any_kid(cfg, kid))
				s->kops->cdest_del(s->kctx, kid);
		}
	dtcp_config_free(old);
	/* No copy of a key the new configuration may have dropped stays behind. */
	dtcp_hmac_reset();
	dtcp_server_program(s);
	dtcp_server_gc(s);
}

static void kdest_of(const struct dtcp_cdest *d, struct dtcp_kdest *kd)
{
	memset(kd, 0, sizeof(*kd));
	kd->kid = d->kid;
	snprintf(kd->name, sizeof(kd->name), "%.31s", d->id);
	kd->encap = strcmp(d->encap, "udp") ? DFC_ENCAP_IPIP : DFC_ENCAP_UDP;
	kd->family = d->addr.ss_family;
	if (kd->family == AF_INET)
		memcpy(kd->addr, &((const struct sockaddr_in *)&d->addr)->sin_addr, 4);
	else
		memcpy(kd->addr, &((const struct sockaddr_in6 *)&d->addr)->sin6_addr, 16);
	kd->dport = d->udp_port;
	kd->ttl = d->ttl;
	kd->soft = d->soft_limit;
	kd->soft_clear = d->soft_limit_clear;
	kd->hard = d->hard_limit;
	kd->hard_target = d->hard_limit_target;
	kd->flags = d->ipsec_required ? DFC_CDEST_F_IPSEC_REQUIRED : 0;
}

void dtcp_server_program(struct dtcp_server *s)
{
	const struct dtcp_config *c = s->cfg;
	int err;

	if (s->kops->dup_limits && (err = s->kops->dup_limits(s->kctx, c->g_max_dups,
							     c->g_dup_period)))
		LOG(s, NULL, LOG_WARNING, "kernel: max-duplicates: %s", strerror(-err));
	for (unsigned int g = 0; g < c->n_groups; g++) {
		const struct dtcp_group *grp = &c->groups[g];

		for (unsigned int i = 0; s->kops->cdest_set && i < grp->n_dests; i++) {
			struct dtcp_kdest kd;

			kdest_of(&grp->dests[i], &kd);
			err = s->kops->cdest_set(s->kctx, &kd);
			if (err)
				LOG(s, NULL, LOG_ERR, "kernel: content destination %s: %s",
				    grp->dests[i].id, strerror(-err));
		}
		/* A group's own max-duplicates holds for each of its control sources. */
		for (unsigned int i = 0; s->kops->owner_dup && i < grp->n_srcs; i++) {
			err = s->kops->owner_dup(s->kctx, grp->srcs[i].owner,
						 grp->max_dups == c->g_max_dups ? 0 : grp->max_dups);
			if (err)
				LOG(s, NULL, LOG_WARNING, "kernel: max-duplicates of %s: %s",
				    grp->srcs[i].id, strerror(-err));
		}
	}
}
