// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dfc.ko through lib/dfc_nl. See kernel.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <libmnl/libmnl.h>
#include <string.h>

#include "kernel.h"

/* While dfc.ko is away (unloaded), every operation fails cleanly. */
#define NEED_NL(k) do { if (!((struct dtcp_kernel *)(k))->nl) return -ENODEV; } while (0)

static int k_add(void *k, uint32_t owner, const struct dfc_nl_crit *crits, unsigned int n,
		 unsigned int *done, const char **why)
{
	struct dtcp_kernel *kn = k;
	int err;

	*done = 0;
	NEED_NL(k);
	err = dfc_nl_crit_add(kn->nl, owner, crits, n, done);

	if (err && why)
		*why = dfc_nl_extack(kn->nl);
	return err;
}

static int k_del(void *k, uint32_t owner, uint64_t kid)
{
	NEED_NL(k);
	return dfc_nl_crit_del(((struct dtcp_kernel *)k)->nl, owner, &kid, NULL, true, NULL);
}

static int k_del_owner(void *k, uint32_t owner, uint32_t *count)
{
	NEED_NL(k);
	return dfc_nl_crit_del(((struct dtcp_kernel *)k)->nl, owner, NULL, NULL, true, count);
}

static int k_refresh(void *k, uint32_t owner, const struct dfc_nl_crit *c)
{
	NEED_NL(k);
	return dfc_nl_crit_refresh(((struct dtcp_kernel *)k)->nl, owner, c);
}

static int k_dump(void *k, const uint32_t *owner, bool terse, dfc_nl_crit_cb cb,
		  int (*restart)(void *data), void *data)
{
	NEED_NL(k);
	return dfc_nl_crit_dump(((struct dtcp_kernel *)k)->nl, owner, terse, cb, restart, data);
}

static int k_expired(void *k, uint64_t *count)
{
	struct dfc_stats st;
	int err;

	*count = 0;
	NEED_NL(k);
	err = dfc_nl_stats_get(((struct dtcp_kernel *)k)->nl, &st);
	*count = err ? 0 : st.expired;
	return err;
}

/* Build and send one request; the attributes come from fill(). */
static int put_cdest(struct nlmsghdr *nlh, size_t room, const struct dtcp_kdest *d)
{
	unsigned int alen = d->family == AF_INET6 ? 16 : 4;

	if (!mnl_attr_put_u32_check(nlh, room, DFC_CDEST_A_ID, d->kid) ||
	    !mnl_attr_put_strz_check(nlh, room, DFC_CDEST_A_NAME, d->name) ||
	    !mnl_attr_put_u8_check(nlh, room, DFC_CDEST_A_ENCAP, d->encap) ||
	    !mnl_attr_put_check(nlh, room, DFC_CDEST_A_ADDR, alen, d->addr) ||
	    (d->has_src && !mnl_attr_put_check(nlh, room, DFC_CDEST_A_SRC, alen, d->src)) ||
	    (d->encap == DFC_ENCAP_UDP &&
	     (!mnl_attr_put_u16_check(nlh, room, DFC_CDEST_A_DPORT, d->dport) ||
	      (d->sport && !mnl_attr_put_u16_check(nlh, room, DFC_CDEST_A_SPORT, d->sport)))) ||
	    !mnl_attr_put_u8_check(nlh, room, DFC_CDEST_A_TTL, d->ttl) ||
	    !mnl_attr_put_u64_check(nlh, room, DFC_CDEST_A_SOFT_LIMIT, d->soft) ||
	    !mnl_attr_put_u64_check(nlh, room, DFC_CDEST_A_SOFT_CLEAR, d->soft_clear) ||
	    !mnl_attr_put_u64_check(nlh, room, DFC_CDEST_A_HARD_LIMIT, d->hard) ||
	    !mnl_attr_put_u64_check(nlh, room, DFC_CDEST_A_HARD_TARGET, d->hard_target) ||
	    !mnl_attr_put_u32_check(nlh, room, DFC_CDEST_A_FLAGS, d->flags))
		return -EMSGSIZE;
	return 0;
}

static int k_cdest_set(void *k, const struct dtcp_kdest *d)
{
	struct dfc_nl *nl = ((struct dtcp_kernel *)k)->nl;
	struct nlmsghdr *nlh;
	int err;

	NEED_NL(k);
	/* New, or (it survived a restart of dtcpd) updated in place. */
	nlh = dfc_nl_msg_new(nl, DFC_CMD_CDEST_NEW, 0);
	err = put_cdest(nlh, dfc_nl_msg_room(nl), d);
	if (!err)
		err = dfc_nl_request(nl, nlh, NULL, NULL);
	if (err != -EEXIST)
		return err;
	nlh = dfc_nl_msg_new(nl, DFC_CMD_CDEST_SET, 0);
	err = put_cdest(nlh, dfc_nl_msg_room(nl), d);
	return err ?: dfc_nl_request(nl, nlh, NULL, NULL);
}

static int k_cdest_del(void *k, uint32_t kid)
{
	struct dfc_nl *nl = ((struct dtcp_kernel *)k)->nl;
	struct nlmsghdr *nlh;

	NEED_NL(k);
	nlh = dfc_nl_msg_new(nl, DFC_CMD_CDEST_DEL, 0);
	/* Forced: criteria still toward it go with it. */
	if (!mnl_attr_put_u32_check(nlh, dfc_nl_msg_room(nl), DFC_CDEST_A_ID, kid) ||
	    !mnl_attr_put_check(nlh, dfc_nl_msg_room(nl), DFC_CDEST_A_FORCE, 0, NULL))
		return -EMSGSIZE;
	return dfc_nl_request(nl, nlh, NULL, NULL);
}

static int k_dup_limits(void *k, uint32_t max_dup, uint32_t period)
{
	struct dfc_nl *nl = ((struct dtcp_kernel *)k)->nl;
	struct nlmsghdr *nlh;

	NEED_NL(k);
	nlh = dfc_nl_msg_new(nl, DFC_CMD_LIMITS_SET, 0);
	if (!mnl_attr_put_u32_check(nlh, dfc_nl_msg_room(nl), DFC_STATS_A_MAX_DUP, max_dup) ||
	    !mnl_attr_put_u32_check(nlh, dfc_nl_msg_room(nl), DFC_STATS_A_DUP_PERIOD, period))
		return -EMSGSIZE;
	return dfc_nl_request(nl, nlh, NULL, NULL);
}

static int k_owner_dup(void *k, uint32_t owner, uint32_t max_dup)
{
	struct dfc_nl *nl = ((struct dtcp_kernel *)k)->nl;
	struct nlmsghdr *nlh;

	NEED_NL(k);
	nlh = dfc_nl_msg_new(nl, DFC_CMD_OWNER_SET, 0);
	if (!mnl_attr_put_u32_check(nlh, dfc_nl_msg_room(nl), DFC_A_OWNER, owner) ||
	    !mnl_attr_put_u32_check(nlh, dfc_nl_msg_room(nl), DFC_A_MAX_DUP, max_dup))
		return -EMSGSIZE;
	return dfc_nl_request(nl, nlh, NULL, NULL);
}

const struct dtcp_kops dtcp_kernel_ops = {
	.cdest_set = k_cdest_set,
	.cdest_del = k_cdest_del,
	.dup_limits = k_dup_limits,
	.owner_dup = k_owner_dup,
	.add = k_add,
	.del = k_del,
	.del_owner = k_del_owner,
	.refresh = k_refresh,
	.dump = k_dump,
	.expired = k_expired,
};

int dtcp_kernel_open(struct dtcp_kernel *k)
{
	memset(k, 0, sizeof(*k));
	k->nl = dfc_nl_open();
	if (!k->nl)
		return -errno;
	k->ev = dfc_nl_events_open();
	if (!k->ev) {
		int err = -errno;

		dfc_nl_close(k->nl);
		k->nl = NULL;
		return err;
	}
	/* Events are read in the poll loop: never block on them. */
	fcntl(dfc_nl_events_fd(k->ev), F_SETFL, fcntl(dfc_nl_events_fd(k->ev), F_GETFL) | O_NONBLOCK);
	return 0;
}

void dtcp_kernel_close(struct dtcp_kernel *k)
{
	if (k->ev)
		dfc_nl_events_close(k->ev);
	if (k->nl)
		dfc_nl_close(k->nl);
	k->ev = NULL;
	k->nl = NULL;
}

int dtcp_kernel_attach(struct dtcp_kernel *k, const char *ifname)
{
	int err = dfc_nl_iface_add(k->nl, 0, ifname, 0);

	return err == -EEXIST ? 0 : err;
}

/* ---- events ---- */

struct ev_ctx {
	const struct dtcp_kevents *cb;
	void *u;
	int n;
};

static uint64_t get_u64(const struct nlattr *a)
{
	return mnl_attr_get_payload_len(a) >= 8 ? mnl_attr_get_u64(a) : 0;
}

static void ev_congested(const struct nlmsghdr *nlh, struct ev_ctx *x)
{
	const struct nlattr *a, *b;
	uint32_t id = 0;
	uint64_t rate = 0;
	bool on = false, have = false;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		switch (mnl_attr_get_type(a)) {
		case DFC_CDEST_A_ID:
			if (mnl_attr_get_payload_len(a) >= 4) {
				id = mnl_attr_get_u32(a);
				have = true;
			}
			break;
		case DFC_CDEST_A_CONGESTED:
			if (mnl_attr_get_payload_len(a) >= 1)
				on = mnl_attr_get_u8(a);
			break;
		case DFC_CDEST_A_STATS:
			mnl_attr_for_each_nested(b, a)
				if (mnl_attr_get_type(b) == DFC_CSTATS_A_RATE)
					rate = get_u64(b);
			break;
		}
	}
	if (have && x->cb->congested) {
		x->cb->congested(x->u, id, rate, on);
		x->n++;
	}
}

static void ev_noipsec(const struct nlmsghdr *nlh, struct ev_ctx *x)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(a) == DFC_CDEST_A_ID && mnl_attr_get_payload_len(a) >= 4 &&
		    x->cb->noipsec) {
			x->cb->noipsec(x->u, mnl_attr_get_u32(a));
			x->n++;
		}
}

static void ev_purged(const struct nlmsghdr *nlh, struct ev_ctx *x)
{
	const struct nlattr *a;
	uint32_t owner = 0, cdest = 0;
	uint64_t *kids;
	unsigned int n = 0;

	kids = malloc(mnl_nlmsg_get_payload_len(nlh) / 8 * sizeof(*kids) + sizeof(*kids));
	if (!kids)
		return;
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		switch (mnl_attr_get_type(a)) {
		case DFC_A_OWNER:
			if (mnl_attr_get_payload_len(a) >= 4)
				owner = mnl_attr_get_u32(a);
			break;
		case DFC_A_CDEST:
			if (mnl_attr_get_payload_len(a) >= 4)
				cdest = mnl_attr_get_u32(a);
			break;
		case DFC_A_ID:
			if (mnl_attr_get_payload_len(a) >= 8)
				kids[n++] = mnl_attr_get_u64(a);
			break;
		}
	}
	if (n && x->cb->purged) {
		x->cb->purged(x->u, owner, cdest, kids, n);
		x->n++;
	}
	free(kids);
}

static void ev_dups(const struct nlmsghdr *nlh, struct ev_ctx *x)
{
	const struct nlattr *a, *b;
	struct dtcp_dup *v;
	uint32_t owner = 0;
	unsigned int n = 0;

	v = malloc(mnl_nlmsg_get_payload_len(nlh) / 16 * sizeof(*v) + sizeof(*v));
	if (!v)
		return;
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(a) == DFC_A_OWNER && mnl_attr_get_payload_len(a) >= 4) {
			owner = mnl_attr_get_u32(a);
		} else if (mnl_attr_get_type(a) == DFC_A_CRIT) {
			struct dtcp_dup d = { 0 };

			mnl_attr_for_each_nested(b, a) {
				switch (mnl_attr_get_type(b)) {
				case DFC_CRIT_A_ID: d.kid = get_u64(b); break;
				case DFC_CRIT_A_CDEST:
					if (mnl_attr_get_payload_len(b) >= 4)
						d.cdest = mnl_attr_get_u32(b);
					break;
				case DFC_CRIT_A_DUP_DROPPED: d.dropped = get_u64(b); break;
				}
			}
			v[n++] = d;
		}
	}
	if (n && x->cb->dups) {
		x->cb->dups(x->u, owner, v, n);
		x->n++;
	}
	free(v);
}

static int ev_msg(const struct nlmsghdr *nlh, void *data)
{
	struct ev_ctx *x = data;
	const struct genlmsghdr *g;
	struct dfc_nl_event e;

	if (mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN)
		return MNL_CB_OK;
	g = mnl_nlmsg_get_payload(nlh);
	switch (g->cmd) {
	case DFC_CMD_CRIT_EXPIRED:
		if (!dfc_nl_event_parse(nlh, &e) && x->cb->expired) {
			x->cb->expired(x->u, &e.crit);
			x->n++;
		}
		break;
	case DFC_CMD_CDEST_CONGESTED: ev_congested(nlh, x); break;
	case DFC_CMD_CDEST_PURGED: ev_purged(nlh, x); break;
	case DFC_CMD_DUP_DROPPED: ev_dups(nlh, x); break;
	case DFC_CMD_CDEST_NOIPSEC: ev_noipsec(nlh, x); break;
	}
	return MNL_CB_OK;
}

/*
 * The shared client's dfc_nl_events_recv() knows only expiry events, so
 * the datagram is read here and each message dispatched by its command.
 */
int dtcp_kernel_events(struct dtcp_kernel *k, const struct dtcp_kevents *cb, void *u)
{
	static char buf[256 * 1024];
	struct ev_ctx x = { cb, u, 0 };
	ssize_t len;

	if (!k->ev)
		return -ENODEV;
	len = recv(dfc_nl_events_fd(k->ev), buf, sizeof(buf), 0);
	if (len < 0)
		return -errno;
	/* Multicast: no sequence numbers or port ids to check. */
	if (mnl_cb_run(buf, len, 0, 0, ev_msg, &x) < 0 && errno != ENOENT)
		return x.n ? x.n : -errno;
	return x.n;
}
