// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The capture groups' interfaces, kept attached as the host's links come
 * and go. See link.h.
 *
 * Every change is found by dtcp_link_sync(), which looks at the names as
 * they are now (if_nametoindex): a link event only says when to look, so
 * events in any order, or lost ones (ENOBUFS, then a forced sync), never
 * leave a wrong state behind.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "link.h"

/* Datagrams of link events read per call; poll() comes back for more. */
#define LINK_BATCH 64
/* Large enough for any RTM_NEWLINK (a message cut short reads as lost events). */
#define LINK_BUF 32768

#define LOGL(l, ...) do { if ((l)->log) (l)->log(__VA_ARGS__); } while (0)

int dtcp_link_open(struct dtcp_links *l)
{
	int err;

	l->rt = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (!l->rt)
		return -errno;
	if (mnl_socket_bind(l->rt, RTMGRP_LINK, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		mnl_socket_close(l->rt);
		l->rt = NULL;
		return err;
	}
	return 0;
}

static void entry_free(struct dtcp_link_if *e)
{
	free(e->name);
	free(e->group);
}

void dtcp_link_close(struct dtcp_links *l)
{
	if (l->rt)
		mnl_socket_close(l->rt);
	l->rt = NULL;
	for (unsigned int i = 0; i < l->n; i++)
		entry_free(&l->v[i]);
	free(l->v);
	for (unsigned int i = 0; i < l->n_owned; i++)
		free(l->owned[i].name);
	free(l->owned);
	l->v = NULL;
	l->owned = NULL;
	l->n = l->n_owned = 0;
}

int dtcp_link_fd(const struct dtcp_links *l)
{
	return l->rt ? mnl_socket_get_fd(l->rt) : -1;
}

static struct dtcp_link_if *find_name(const struct dtcp_links *l, const char *name)
{
	for (unsigned int i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].name, name))
			return &l->v[i];
	return NULL;
}

static unsigned int count_names(const struct dtcp_config *c)
{
	unsigned int n = 0;

	for (unsigned int g = 0; g < c->n_groups; g++)
		n += c->groups[g].n_ifaces;
	return n;
}

int dtcp_link_configure(struct dtcp_links *l, const struct dtcp_config *c)
{
	struct dtcp_links nl = { .n = 0 };
	unsigned int max = count_names(c);

	nl.v = calloc(max ? max : 1, sizeof(*nl.v));
	if (!nl.v)
		return -ENOMEM;
	for (unsigned int g = 0; g < c->n_groups; g++)
		for (unsigned int i = 0; i < c->groups[g].n_ifaces; i++) {
			const char *name = c->groups[g].ifaces[i];
			const struct dtcp_link_if *old = find_name(l, name);
			struct dtcp_link_if *e = &nl.v[nl.n];

			if (find_name(&nl, name))
				continue;
			/* A kept name keeps its state; a new one is decided by the next sync. */
			*e = old ? *old : (struct dtcp_link_if){ .state = DTCP_LINK_ABSENT };
			e->name = strdup(name);
			e->group = strdup(c->groups[g].name);
			nl.n++;
			if (!e->name || !e->group) {
				for (unsigned int k = 0; k < nl.n; k++)
					entry_free(&nl.v[k]);
				free(nl.v);
				return -ENOMEM;
			}
		}
	for (unsigned int i = 0; i < l->n; i++)
		entry_free(&l->v[i]);
	free(l->v);
	l->v = nl.v;
	l->n = nl.n;
	return 0;
}

/* ---- owned: what dtcpd attached, with the configured name it had then ---- */

static int owned_add(struct dtcp_links *l, unsigned int ifindex, const char *name)
{
	struct dtcp_link_owned *o;

	for (unsigned int i = 0; i < l->n_owned; i++)
		if (l->owned[i].ifindex == ifindex) {
			char *n = strdup(name);

			if (!n)
				return -ENOMEM;
			free(l->owned[i].name);
			l->owned[i].name = n;
			return 0;
		}
	o = realloc(l->owned, (l->n_owned + 1) * sizeof(*o));
	if (!o)
		return -ENOMEM;
	l->owned = o;
	o[l->n_owned].name = strdup(name);
	if (!o[l->n_owned].name)
		return -ENOMEM;
	o[l->n_owned++].ifindex = ifindex;
	return 0;
}

static bool ifindex_configured(const struct dtcp_links *l, unsigned int ifindex)
{
	for (unsigned int i = 0; i < l->n; i++)
		if (l->v[i].state == DTCP_LINK_ATTACHED && l->v[i].ifindex == ifindex)
			return true;
	return false;
}

/*
 * Detach what dtcpd attached that no configured interface is now: its
 * name left the file, or the device was renamed away from it. A device
 * that is gone took its hook with it.
 */
static void sweep(struct dtcp_links *l)
{
	unsigned int j = 0;

	for (unsigned int i = 0; i < l->n_owned; i++) {
		struct dtcp_link_owned *o = &l->owned[i];
		char now[IF_NAMESIZE] = "?";
		int err = 0;

		if (ifindex_configured(l, o->ifindex)) {
			l->owned[j++] = *o;
			continue;
		}
		if (l->k && l->k->nl) {
			if_indextoname(o->ifindex, now);
			err = dfc_nl_iface_del(l->k->nl, o->ifindex, NULL);
		}
		if (!err && l->k && l->k->nl) {
			if (find_name(l, o->name))
				LOGL(l, LOG_NOTICE, "interface %s (ifindex %u), attached as %s, detached: "
				     "it no longer has that name", now, o->ifindex, o->name);
			else
				LOGL(l, LOG_NOTICE, "interface %s (ifindex %u) detached: no longer in "
				     "the configuration", o->name, o->ifindex);
		} else if (err && err != -ENOENT && err != -ENODEV) {
			/* Still attached: kept, and tried again at the next tick. */
			LOGL(l, LOG_WARNING, "interface %s (ifindex %u): detaching: %s (retried)",
			     o->name, o->ifindex, strerror(-err));
			l->retry = true;
			l->owned[j++] = *o;
			continue;
		}
		free(o->name);
	}
	l->n_owned = j;
}

/* ---- one configured interface ---- */

static void set_absent(struct dtcp_links *l, struct dtcp_link_if *e)
{
	char now[IF_NAMESIZE];

	if (e->state == DTCP_LINK_ATTACHED && if_indextoname(e->ifindex, now))
		LOGL(l, LOG_WARNING, "capture group %s: interface %s (ifindex %u) was renamed to "
		     "%s: no longer captured; attached again when an interface named %s appears",
		     e->group, e->name, e->ifindex, now, e->name);
	else if (e->state == DTCP_LINK_ATTACHED)
		LOGL(l, LOG_WARNING, "capture group %s: interface %s (ifindex %u) went away: "
		     "attached again when it comes back", e->group, e->name, e->ifindex);
	else if (!e->seen)
		LOGL(l, LOG_WARNING, "capture group %s: interface %s does not exist: attached "
		     "when it appears", e->group, e->name);
	else if (e->state == DTCP_LINK_FAILED)
		LOGL(l, LOG_NOTICE, "capture group %s: interface %s went away", e->group, e->name);
	e->state = DTCP_LINK_ABSENT;
	e->ifindex = 0;
	e->why[0] = '\0';
	e->seen = true;
}

static void set_failed(struct dtcp_links *l, struct dtcp_link_if *e, int err)
{
	char why[sizeof(e->why)];
	const char *ext = l->k && l->k->nl ? dfc_nl_extack(l->k->nl) : "";

	if (!l->k || !l->k->nl)
		snprintf(why, sizeof(why), "dfc.ko is not loaded");
	else
		snprintf(why, sizeof(why), "%s", ext && *ext ? ext : strerror(-err));
	/*
	 * What the device is (not Ethernet: EINVAL) does not change while it
	 * exists; anything else may pass: retried every second. Without
	 * dfc.ko, kernel_check() syncs when it is back.
	 */
	bool again = l->k && l->k->nl && err != -EINVAL;

	/* Once per cause: a failure retried every second is not logged every second. */
	if (l->k && l->k->nl && (e->state != DTCP_LINK_FAILED || strcmp(e->why, why)))
		LOGL(l, LOG_WARNING, "capture group %s: interface %s: cannot attach: %s (%s)",
		     e->group, e->name, why, again ? "retried every second" :
		     "tried again when the interface changes");
	e->state = DTCP_LINK_FAILED;
	e->ifindex = 0;
	e->err = err;
	memcpy(e->why, why, sizeof(why));
	e->seen = true;
	if (again)
		l->retry = true;
}

static void attach(struct dtcp_links *l, struct dtcp_link_if *e, unsigned int ifindex)
{
	enum dtcp_link_state was = e->state;
	bool seen = e->seen;
	int err = l->k && l->k->nl ? dfc_nl_iface_add(l->k->nl, ifindex, NULL, 0) : -ENODEV;

	/* Already attached (by an earlier dtcpd, or dfcctl) is attached: it is taken over. */
	if (err && err != -EEXIST) {
		set_failed(l, e, err);
		return;
	}
	if (owned_add(l, ifindex, e->name))
		LOGL(l, LOG_ERR, "interface %s: out of memory: a reload that removes it may "
		     "leave it attached", e->name);
	e->state = DTCP_LINK_ATTACHED;
	e->ifindex = ifindex;
	e->err = 0;
	e->why[0] = '\0';
	e->seen = true;
	if (!seen)
		LOGL(l, l->started ? LOG_NOTICE : LOG_INFO, "capture group %s: interface %s "
		     "attached (ifindex %u)", e->group, e->name, ifindex);
	else if (was == DTCP_LINK_ABSENT)
		LOGL(l, LOG_NOTICE, "capture group %s: interface %s appeared (ifindex %u): "
		     "attached", e->group, e->name, ifindex);
	else if (was != DTCP_LINK_ATTACHED || !err)
		/* A failure that cleared, or a hook someone had removed: back now. */
		LOGL(l, LOG_NOTICE, "capture group %s: interface %s attached (ifindex %u)",
		     e->group, e->name, ifindex);
}

void dtcp_link_sync(struct dtcp_links *l, bool force)
{
	l->retry = false;
	for (unsigned int i = 0; i < l->n; i++) {
		struct dtcp_link_if *e = &l->v[i];
		unsigned int ifindex = if_nametoindex(e->name);

		if (!ifindex)
			set_absent(l, e);
		else if (force || e->state != DTCP_LINK_ATTACHED || e->ifindex != ifindex)
			attach(l, e, ifindex);
	}
	sweep(l);
	l->started = true;
}

void dtcp_link_tick(struct dtcp_links *l)
{
	if (l->retry || !l->rt)
		dtcp_link_sync(l, false);
}

void dtcp_link_lost(struct dtcp_links *l)
{
	for (unsigned int i = 0; i < l->n; i++) {
		struct dtcp_link_if *e = &l->v[i];

		if (e->state == DTCP_LINK_ABSENT)
			continue;
		e->state = DTCP_LINK_FAILED;
		e->ifindex = 0;
		e->err = -ENODEV;
		snprintf(e->why, sizeof(e->why), "dfc.ko is not loaded");
	}
	/* The module's hooks went with it: nothing is left to detach. */
	for (unsigned int i = 0; i < l->n_owned; i++)
		free(l->owned[i].name);
	l->n_owned = 0;
}

/* ---- link events ---- */

struct link_ev {
	const struct dtcp_links *l;
	bool ours;	/* an event about a configured name or an interface dtcpd attached */
};

static int name_attr_cb(const struct nlattr *a, void *data)
{
	const char **name = data;

	if (mnl_attr_get_type(a) == IFLA_IFNAME && !mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
		*name = mnl_attr_get_str(a);
	return MNL_CB_OK;
}

static int link_ev_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_ev *x = data;
	const struct ifinfomsg *ifi;
	const char *name = NULL;

	if ((nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK) ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifi))
		return MNL_CB_OK;
	ifi = mnl_nlmsg_get_payload(nlh);
	mnl_attr_parse(nlh, sizeof(*ifi), name_attr_cb, &name);
	if ((name && find_name(x->l, name)) || ifindex_configured(x->l, ifi->ifi_index))
		x->ours = true;
	for (unsigned int i = 0; i < x->l->n_owned && !x->ours; i++)
		x->ours = x->l->owned[i].ifindex == (unsigned int)ifi->ifi_index;
	return MNL_CB_OK;
}

void dtcp_link_read(struct dtcp_links *l)
{
	static char buf[LINK_BUF];
	struct link_ev x = { .l = l };
	bool force = false;

	for (int i = 0; l->rt && i < LINK_BATCH; i++) {
		ssize_t n = mnl_socket_recvfrom(l->rt, buf, sizeof(buf));

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == ENOBUFS || errno == ENOSPC)) {
			/* Events were lost (or one was cut short): look at every name again. */
			l->lost++;
			LOGL(l, LOG_WARNING, "link events lost: re-reading the interfaces");
			force = true;
			continue;
		}
		if (n < 0) {
			LOGL(l, LOG_ERR, "link events: %s", strerror(errno));
			break;
		}
		if (mnl_cb_run(buf, n, 0, 0, link_ev_cb, &x) < 0)
			force = true; /* unreadable: as if lost */
	}
	if (force || x.ours)
		dtcp_link_sync(l, force);
}
