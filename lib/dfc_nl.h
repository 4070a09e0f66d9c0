/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * dfc_nl: the small libmnl generic netlink client for the "dfc" family
 * (include/uapi/linux/dfc.h), shared by dfcctl, dtcpd and the selftests.
 *
 * Functions return 0 or a negative errno; dfc_nl_open returns NULL and
 * sets errno. After a failed request, dfc_nl_extack() and
 * dfc_nl_extack_offset() tell what the kernel said about it.
 */
#ifndef DFC_NL_H
#define DFC_NL_H

#include <stdint.h>
#include <linux/netlink.h>
#include <linux/dfc.h>

struct dfc_nl; /* opaque: socket, family id, seq, portid, buffers, extack */

/* Resolve family "dfc"; errno ENOENT when it is not registered. */
struct dfc_nl *dfc_nl_open(void);
/* Same, any generic netlink family (tests use "nlctrl", always present). */
struct dfc_nl *dfc_nl_open_family(const char *name);
void dfc_nl_close(struct dfc_nl *nl);

uint16_t dfc_nl_family_id(const struct dfc_nl *nl);
/* Multicast group id by name, from the family's CTRL_ATTR_MCAST_GROUPS; 0 if none. */
uint32_t dfc_nl_mcast_group(const struct dfc_nl *nl, const char *name);

/*
 * What the kernel attached to the last request's ACK (or DONE): set when
 * it failed (or carried a warning), reset by every request. "" / 0 if none.
 * The offset is relative to the start of the request's nlmsghdr, which
 * stays intact in the handle's buffer until the next dfc_nl_msg_new.
 */
const char *dfc_nl_extack(const struct dfc_nl *nl);
uint32_t dfc_nl_extack_offset(const struct dfc_nl *nl);
uint32_t dfc_nl_extack_miss_type(const struct dfc_nl *nl); /* NLMSGERR_ATTR_MISS_TYPE */

/*
 * Low level: build a request in the handle's send buffer (NLM_F_REQUEST |
 * NLM_F_ACK | flags, genl header with cmd and DFC_GENL_VERSION), add
 * attributes with mnl_attr_put_*_check(nlh, dfc_nl_msg_room(nl), ...),
 * then dfc_nl_request().
 */
struct nlmsghdr *dfc_nl_msg_new(struct dfc_nl *nl, uint8_t cmd, uint16_t flags);
size_t dfc_nl_msg_room(const struct dfc_nl *nl); /* send buffer size */

/* Called on each reply message; returns MNL_CB_OK, MNL_CB_STOP or MNL_CB_ERROR (errno set). */
typedef int (*dfc_nl_cb)(const struct nlmsghdr *nlh, void *data);

/*
 * Send nlh, run cb on each reply, wait for the ACK (or DONE for a dump).
 * Returns 0, the kernel's -errno, or the callback's -errno.
 * Dumps (NLM_F_DUMP) are collected whole before cb runs, so cb only ever
 * sees a consistent snapshot: a dump the kernel marks NLM_F_DUMP_INTR is
 * retried transparently, and fails with -EAGAIN if it stays inconsistent.
 */
int dfc_nl_request(struct dfc_nl *nl, struct nlmsghdr *nlh, dfc_nl_cb cb, void *data);

struct dfc_iface_stats {
	uint64_t seen, bytes, ipv4, ipv6, other, attached_secs;
};

struct dfc_iface_info {
	uint32_t ifindex;
	char ifname[16]; /* IFNAMSIZ */
	uint32_t flags;  /* DFC_IFACE_F_* */
	struct dfc_iface_stats stats;
};

struct dfc_stats {
	char version[64];
	uint32_t ifaces;
	uint64_t seen, bytes, ipv4, ipv6, other;
};

/*
 * A device is named by exactly one of ifindex (non-zero) or ifname
 * (non-NULL); both or neither is -EINVAL without asking the kernel.
 */
int dfc_nl_iface_add(struct dfc_nl *nl, uint32_t ifindex, const char *ifname, uint32_t flags);
int dfc_nl_iface_del(struct dfc_nl *nl, uint32_t ifindex, const char *ifname);
int dfc_nl_iface_get(struct dfc_nl *nl, uint32_t ifindex, const char *ifname,
		     struct dfc_iface_info *out);
/* cb returns 0 to go on; anything else stops the walk and is returned. */
int dfc_nl_iface_dump(struct dfc_nl *nl,
		      int (*cb)(const struct dfc_iface_info *info, void *data), void *data);
int dfc_nl_stats_get(struct dfc_nl *nl, struct dfc_stats *out);

/* Pure parsers of one reply message: 0, or -EINVAL if it is malformed. */
int dfc_nl_iface_parse(const struct nlmsghdr *nlh, struct dfc_iface_info *out);
int dfc_nl_stats_parse(const struct nlmsghdr *nlh, struct dfc_stats *out);

#endif /* DFC_NL_H */
