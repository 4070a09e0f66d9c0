/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * dfc: dynamic flow capture, generic netlink interface.
 *
 * Family DFC_GENL_NAME ("dfc"), version DFC_GENL_VERSION. The family is
 * netnsok: every object lives in the network namespace of the socket that
 * talks to it. Every command needs CAP_NET_ADMIN in the user namespace that
 * owns that network namespace (capture state is sensitive: reading it is as
 * privileged as changing it), otherwise EPERM.
 *
 * Every rejection carries an extended ACK message and, where one attribute
 * is at fault, points at it (NLMSGERR_ATTR_OFFS). A rejected request changes
 * nothing.
 *
 * Each command has its own top-level attribute space, named after it:
 *
 * DFC_CMD_IFACE_NEW: attach a passive-monitor interface. A netdev ingress
 *   hook is registered on the device; every frame it receives is counted
 *   and then consumed (a passive port feeds nothing to the host stack),
 *   unless DFC_IFACE_F_PASS is set, in which case frames continue into the
 *   stack after being counted.
 *     DFC_IFACE_A_IFINDEX: NLA_U32     } exactly one of these two
 *     DFC_IFACE_A_IFNAME: NLA_NUL_STRING }
 *     DFC_IFACE_A_FLAGS: NLA_U32, optional, DFC_IFACE_F_*
 *   Errors: ENODEV (no such device), EEXIST (already attached), EINVAL
 *   (neither or both of IFINDEX/IFNAME, unknown flags, device is not an
 *   Ethernet-like device).
 *
 * DFC_CMD_IFACE_DEL: detach. DFC_IFACE_A_IFINDEX or DFC_IFACE_A_IFNAME.
 *   Errors: ENODEV (no such device), ENOENT (device not attached).
 *   A device that is unregistered (deleted, or moved to another network
 *   namespace) is detached automatically; so are all devices when the
 *   module is unloaded.
 *
 * DFC_CMD_IFACE_GET: with DFC_IFACE_A_IFINDEX or DFC_IFACE_A_IFNAME, reply
 *   with that one interface; as a dump (NLM_F_DUMP), one message per
 *   attached interface:
 *     DFC_IFACE_A_IFINDEX: NLA_U32
 *     DFC_IFACE_A_IFNAME: NLA_NUL_STRING
 *     DFC_IFACE_A_FLAGS: NLA_U32
 *     DFC_IFACE_A_STATS: NLA_NESTED
 *       DFC_ISTATS_A_SEEN: NLA_U64, frames received by the hook
 *       DFC_ISTATS_A_BYTES: NLA_U64, their bytes from the MAC header on
 *       DFC_ISTATS_A_IPV4: NLA_U64, of them IPv4
 *       DFC_ISTATS_A_IPV6: NLA_U64, of them IPv6
 *       DFC_ISTATS_A_OTHER: NLA_U64, of them neither (ARP, ...)
 *       DFC_ISTATS_A_ATTACHED: NLA_U64, seconds since attach (boottime)
 *   A dump is generation-checked: if the set of attached interfaces
 *   changes while it runs, a message carries NLM_F_DUMP_INTR.
 *
 * DFC_CMD_STATS_GET: reply with the namespace's global counters:
 *     DFC_STATS_A_VERSION: NLA_NUL_STRING, module version
 *     DFC_STATS_A_IFACES: NLA_U32, interfaces attached now
 *     DFC_STATS_A_SEEN, DFC_STATS_A_BYTES, DFC_STATS_A_IPV4,
 *     DFC_STATS_A_IPV6, DFC_STATS_A_OTHER: NLA_U64, the same counters as
 *       DFC_ISTATS_A_*, summed over every interface ever attached in this
 *       namespace since it was created (or the module loaded).
 *
 * 64-bit values are padded with the *_A_PAD attribute of their space.
 */
#ifndef _UAPI_LINUX_DFC_H
#define _UAPI_LINUX_DFC_H

#define DFC_GENL_NAME "dfc"
#define DFC_GENL_VERSION 1

enum dfc_cmd {
	DFC_CMD_UNSPEC,
	DFC_CMD_IFACE_NEW,
	DFC_CMD_IFACE_DEL,
	DFC_CMD_IFACE_GET,
	DFC_CMD_STATS_GET,
	__DFC_CMD_MAX
};

#define DFC_CMD_MAX (__DFC_CMD_MAX - 1)

enum dfc_iface_flag {
	DFC_IFACE_F_PASS = 1U << 0, /* let frames continue into the stack */
	__DFC_IFACE_F_ALL = DFC_IFACE_F_PASS
};

enum dfc_iface_attr {
	DFC_IFACE_A_UNSPEC,
	DFC_IFACE_A_IFINDEX,
	DFC_IFACE_A_IFNAME,
	DFC_IFACE_A_FLAGS,
	DFC_IFACE_A_STATS,
	__DFC_IFACE_A_LAST
};

#define DFC_IFACE_A_MAX (__DFC_IFACE_A_LAST - 1)

enum dfc_istats_attr {
	DFC_ISTATS_A_UNSPEC,
	DFC_ISTATS_A_PAD,
	DFC_ISTATS_A_SEEN,
	DFC_ISTATS_A_BYTES,
	DFC_ISTATS_A_IPV4,
	DFC_ISTATS_A_IPV6,
	DFC_ISTATS_A_OTHER,
	DFC_ISTATS_A_ATTACHED,
	__DFC_ISTATS_A_LAST
};

#define DFC_ISTATS_A_MAX (__DFC_ISTATS_A_LAST - 1)

enum dfc_stats_attr {
	DFC_STATS_A_UNSPEC,
	DFC_STATS_A_PAD,
	DFC_STATS_A_VERSION,
	DFC_STATS_A_IFACES,
	DFC_STATS_A_SEEN,
	DFC_STATS_A_BYTES,
	DFC_STATS_A_IPV4,
	DFC_STATS_A_IPV6,
	DFC_STATS_A_OTHER,
	__DFC_STATS_A_LAST
};

#define DFC_STATS_A_MAX (__DFC_STATS_A_LAST - 1)

#endif /* _UAPI_LINUX_DFC_H */
