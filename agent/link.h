/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The capture groups' interfaces follow the host's: dtcpd attaches each
 * configured interface to dfc.ko when it exists, and watches the links of
 * its namespace (RTNLGRP_LINK, libmnl) to attach one that appears later
 * (hot-plug, a late driver, a rename to the configured name), to mark one
 * absent when it goes (dfc.ko drops its hook with the device), and to
 * detach what a reload removed from the file. docs/dtcpd.md says how.
 */
#ifndef DTCP_LINK_H
#define DTCP_LINK_H

#include <stdbool.h>

#include "config.h"
#include "kernel.h"

enum dtcp_link_state {
	DTCP_LINK_ABSENT,	/* no such interface in the namespace (yet) */
	DTCP_LINK_ATTACHED,	/* dfc.ko's hook is on it: ifindex */
	DTCP_LINK_FAILED,	/* it exists but could not be attached: err */
};

/* One configured interface (a name listed by several groups is one entry). */
struct dtcp_link_if {
	char *name;
	char *group;			/* the first group that lists it */
	enum dtcp_link_state state;
	unsigned int ifindex;		/* ATTACHED */
	int err;			/* FAILED: -errno of the last attempt */
	char why[96];			/* FAILED: what the kernel said, or strerror */
	bool seen;			/* its state was decided (and logged) once */
};

/* An interface dtcpd attached, and the configured name it had then. */
struct dtcp_link_owned {
	unsigned int ifindex;
	char *name;
};

struct dtcp_links {
	struct dtcp_link_if *v;
	unsigned int n;
	/* ifindexes dtcpd attached or found attached under a configured name */
	struct dtcp_link_owned *owned;
	unsigned int n_owned;
	struct mnl_socket *rt;		/* RTNLGRP_LINK; NULL: synced every tick */
	bool retry;			/* an attach failed: dtcp_link_tick() tries again */
	bool started;			/* the first sync is done: later attaches are "late" */
	unsigned long long lost;	/* link event overflows (each one resynced) */
	struct dtcp_kernel *k;		/* k->nl NULL while dfc.ko is away */
	void (*log)(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
};

static inline const char *dtcp_link_state_name(enum dtcp_link_state s)
{
	return s == DTCP_LINK_ATTACHED ? "attached" : s == DTCP_LINK_FAILED ? "failed" : "absent";
}

/* The route socket; 0 or -errno (then every tick resyncs instead). */
int dtcp_link_open(struct dtcp_links *l);
void dtcp_link_close(struct dtcp_links *l);
/* For poll(): -1 when there is no route socket. */
int dtcp_link_fd(const struct dtcp_links *l);
/*
 * Take c's interfaces: entries of names kept keep their state, new ones
 * start absent, removed ones go (dtcp_link_sync() detaches them). 0 or
 * -ENOMEM (the old list is kept).
 */
int dtcp_link_configure(struct dtcp_links *l, const struct dtcp_config *c);
/*
 * Make dfc.ko match: attach every configured interface that exists and is
 * not attached (all of them again with force, after events were lost),
 * detach what dtcpd attached that is no longer a configured interface
 * (removed from the file, or renamed away), log every change.
 */
void dtcp_link_sync(struct dtcp_links *l, bool force);
/* Read the waiting link events, then sync if one concerned us. */
void dtcp_link_read(struct dtcp_links *l);
/* Each second: sync again after a failed attach, or without a route socket. */
void dtcp_link_tick(struct dtcp_links *l);
/* dfc.ko went away: nothing is attached any more (every hook went with it). */
void dtcp_link_lost(struct dtcp_links *l);

#endif /* DTCP_LINK_H */
