/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * dfc.ko behind struct dtcp_kops, through the shared libmnl client
 * (lib/dfc_nl). One request handle, one events handle.
 */
#ifndef DTCP_KERNEL_H
#define DTCP_KERNEL_H

#include "server.h"

struct dtcp_kernel {
	struct dfc_nl *nl;
	struct dfc_nl_batch *batch;	/* a burst's adds, on nl */
	struct dfc_nl_events *ev;
};

extern const struct dtcp_kops dtcp_kernel_ops;

/* 0 or -errno (-ENOENT: dfc.ko is not loaded). */
int dtcp_kernel_open(struct dtcp_kernel *k);
void dtcp_kernel_close(struct dtcp_kernel *k);

/*
 * What the events group says (lib/dfc_nl's struct dfc_nl_event), one
 * callback per kind; a purge or drop report with no criteria is not passed on.
 */
struct dtcp_kevents {
	void (*expired)(void *u, const struct dfc_nl_crit *c);
	void (*congested)(void *u, uint32_t cdest, uint64_t rate, bool on);
	void (*purged)(void *u, uint32_t owner, uint32_t cdest, const uint64_t *kids,
		       unsigned int n);
	void (*dups)(void *u, uint32_t owner, const struct dtcp_dup *v, unsigned int n);
	void (*noipsec)(void *u, uint32_t cdest);
};

/*
 * Read one datagram of events (the socket is non-blocking) and dispatch
 * them (dfc_nl_events_recv). The number of events, -EAGAIN (none
 * waiting), -ENOBUFS (events were lost, or an event named more criteria
 * than the library keeps: resynchronise), -EINVAL (a
 * malformed event: the rest of its datagram is skipped), or another -errno.
 */
int dtcp_kernel_events(struct dtcp_kernel *k, const struct dtcp_kevents *cb, void *u);

#endif /* DTCP_KERNEL_H */
