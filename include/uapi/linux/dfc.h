/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * dfc: dynamic flow capture, generic netlink interface.
 *
 * Family DFC_GENL_NAME ("dfc"), version DFC_GENL_VERSION. The family is
 * netnsok: every object lives in the network namespace of the socket that
 * talks to it. Capture is a host facility: every command needs
 * CAP_NET_ADMIN in the initial user namespace (capture state is sensitive:
 * reading it is as privileged as changing it), otherwise EPERM; and dfc
 * works only in network namespaces owned by the initial user namespace
 * (one created by an unprivileged user, as with unshare -Urn, gets EPERM
 * for every command, even from the host's administrator). The module is
 * never loaded on demand (no family alias): the administrator loads it.
 * Requests are validated strictly: an attribute the command does not take
 * is EINVAL. A namespace's state is allocated by its first dfc command.
 *
 * Every rejection carries an extended ACK message and, where one attribute
 * is at fault, points at it (NLMSGERR_ATTR_OFFS). A rejected request changes
 * nothing.
 *
 * Errors. Any command can fail with EPERM (above), EINVAL or ERANGE (the
 * policy refuses an attribute: unknown type, wrong length or type, value
 * out of range, read-only; or a required attribute is missing),
 * EOPNOTSUPP (unknown command, or NLM_F_DUMP on a command without a dump)
 * and ENOMEM. The netlink core checks the header first, before the
 * permission, for every sender: EINVAL for a message too short for the
 * generic netlink header, a genlmsghdr.reserved that is not 0, or
 * nlmsg_flags with bits other than NLM_F_REQUEST, NLM_F_ACK, NLM_F_ECHO
 * and NLM_F_DUMP (both of its bits); then EOPNOTSUPP for an unknown
 * command. So a sender without the privilege gets one of those two or
 * EPERM, nothing else. Beyond those, each command returns only these (the
 * reasons are given below; selftests/nl_fuzz.c holds the module to this
 * table):
 *   IFACE_NEW: ENODEV EEXIST
 *   IFACE_DEL: ENODEV ENOENT
 *   IFACE_GET: ENODEV ENOENT
 *   STATS_GET: -
 *   CRIT_NEW: EEXIST ENOSPC ENOENT
 *   CRIT_DEL: ENOENT EPERM
 *   CRIT_REFRESH: ENOENT
 *   CRIT_GET: ENOENT
 *   LIMITS_SET: -
 *   CDEST_NEW: EEXIST
 *   CDEST_SET: ENOENT
 *   CDEST_DEL: ENOENT EBUSY
 *   CDEST_GET: ENOENT
 *   OWNER_SET: -
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
 *       DFC_ISTATS_A_SEEN: NLA_U64, frames received by the hook (but
 *         our own copies come back, counted in LOOPED only)
 *       DFC_ISTATS_A_BYTES: NLA_U64, their bytes from the MAC header on
 *       DFC_ISTATS_A_IPV4: NLA_U64, of them IPv4
 *       DFC_ISTATS_A_IPV6: NLA_U64, of them IPv6
 *       DFC_ISTATS_A_OTHER: NLA_U64, of them neither (ARP, ...)
 *       DFC_ISTATS_A_ATTACHED: NLA_U64, seconds since attach (boottime)
 *       DFC_ISTATS_A_NO_L4_EXTHDRS, DFC_ISTATS_A_NO_L4_TRUNCATED,
 *       DFC_ISTATS_A_NO_L4_FRAGMENT: NLA_U64, IPv4/IPv6 frames whose
 *         ports or ICMP type/code could not be read, by cause: more IPv6
 *         extension headers than the parser walks (64), headers cut by
 *         the IP length, a fragment other than the first. They are still
 *         looked up by input interface, addresses and protocol (the last
 *         header type reached); only criteria with ports or ICMP fields
 *         miss them.
 *       DFC_ISTATS_A_LOOPED: NLA_U64, frames carrying the namespace's
 *         copy mark: dfc's own copies come back (see "Loops" below),
 *         neither looked up nor copied; passed or consumed as any other
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
 *     Per stage of the data path, NLA_U64: DFC_STATS_A_PARSED (IP frames
 *       parsed into a key), DFC_STATS_A_UNPARSEABLE (IP frames whose IP
 *       header is too short or malformed: never looked up),
 *       DFC_STATS_A_MATCHED (frames matching at least one criterion),
 *       DFC_STATS_A_MASKS_PROBED (sum over frames of the masks whose
 *       table was looked up: a mask none of whose entries has the frame's
 *       IP version or first address bytes is passed over, not probed).
 *     DFC_STATS_A_NO_L4_EXTHDRS, DFC_STATS_A_NO_L4_TRUNCATED,
 *       DFC_STATS_A_NO_L4_FRAGMENT (NLA_U64): as DFC_ISTATS_A_NO_L4_*.
 *     DFC_STATS_A_COPIES, DFC_STATS_A_DUP_DROPPED (NLA_U64): copies sent,
 *       copies lost to max-duplicates; DFC_STATS_A_COPIES_SHARED (NLA_U64):
 *       the copies sent that hold a reference to the frame's page instead
 *       of a copy of its bytes (a frame a passive port consumes, in a page
 *       buffer, of 256 bytes or more; "Copies").
 *     DFC_STATS_A_MAX_DUP, DFC_STATS_A_DUP_PERIOD (NLA_U32): see below.
 *     DFC_STATS_A_LOOPED (NLA_U64): as DFC_ISTATS_A_LOOPED;
 *       DFC_STATS_A_COPY_MARK (NLA_U32): the copy mark, see "Loops".
 *     The table, NLA_U32: DFC_STATS_A_CRITS, DFC_STATS_A_MAX_CRITS,
 *       DFC_STATS_A_MASKS, DFC_STATS_A_MAX_MASKS, DFC_STATS_A_ENTRIES;
 *       DFC_STATS_A_TABLE_MEM (NLA_U64): bytes of criteria and tables;
 *       DFC_STATS_A_EXPIRED (NLA_U64): criteria removed by their limits.
 *     Fragments follow their first fragment: when a first fragment matches,
 *       its key (ports included) is remembered per datagram (addresses,
 *       protocol, IP id or IPv6 fragment id), and the datagram's later
 *       fragments are looked up with it; a later fragment that comes first
 *       is held up to 2 s for its first. Only while some criterion asks
 *       for ports or ICMP fields. Settings (NLA_U32, also taken by
 *       DFC_CMD_LIMITS_SET): DFC_STATS_A_FRAG_MAX (datagrams remembered,
 *       0..DFC_NS_MAX_FRAGS, default 4096, 0: off; when full, a matched
 *       first fragment forgets the oldest), DFC_STATS_A_FRAG_TIMEOUT
 *       (seconds a datagram is remembered after its first fragment,
 *       1..3600, default 30; a change applies to those remembered),
 *       DFC_STATS_A_FRAG_HOLD_MAX (bytes of held fragments,
 *       0..DFC_NS_MAX_FRAG_HOLD, default 1 MiB). Counters:
 *       DFC_STATS_A_FRAG_ENTRIES (NLA_U32, datagrams now),
 *       DFC_STATS_A_FRAG_MEM (NLA_U64, bytes now, entries and held
 *       fragments), and NLA_U64: DFC_STATS_A_FRAG_HITS (later fragments
 *       looked up with their first fragment's key), DFC_STATS_A_FRAG_MISSED
 *       (later fragments whose first fragment did not come within the
 *       2 s, or that found no room to wait for it: looked up by addresses
 *       and protocol alone), DFC_STATS_A_FRAG_HELD (later fragments held
 *       for their first), DFC_STATS_A_FRAG_EVICTED (datagrams forgotten to
 *       make room). Later fragments of a datagram whose first fragment
 *       matched nothing are looked up as they are, and counted in none.
 *
 * Criteria. A criterion belongs to an owner (a control source, any u32
 * chosen by userspace) and has a 64-bit id unique within that owner. It
 * matches a frame when one of its entries matches and none of its
 * exclusions does; every matching criterion of every owner is counted
 * (all-match). Entries of one criterion must be disjoint (no frame can
 * match two of them): userspace splits lists into disjoint entries (port
 * ranges as ranges, other ranges as prefix-aligned blocks;
 * lib/dfc_spec_expand.c does), and the kernel refuses overlapping entries
 * with EINVAL.
 *
 * The criteria commands share one top-level attribute space, DFC_A_*:
 *
 * DFC_CMD_CRIT_NEW: add criteria, all or nothing per message. A large
 *   batch is sent as several messages.
 *     DFC_A_OWNER: NLA_U32, required
 *     DFC_A_CRIT: NLA_NESTED, repeated, one per criterion:
 *       DFC_CRIT_A_ID: NLA_U64, required
 *       DFC_CRIT_A_PRIO: NLA_U32, lower wins (default 1)
 *       DFC_CRIT_A_FLAGS: NLA_U32, DFC_CRIT_F_*
 *       DFC_CRIT_A_CDEST: NLA_U32, content destination id
 *       DFC_CRIT_A_TIMEOUT_TOTAL: NLA_U32, seconds, 1..86400
 *       DFC_CRIT_A_TIMEOUT_IDLE: NLA_U32, seconds, 1..86400
 *       DFC_CRIT_A_LIMIT_PACKETS: NLA_U64, exactly this many frames match
 *       DFC_CRIT_A_LIMIT_BYTES: NLA_U64
 *         At least one of the four, or DFC_CRIT_F_STATIC (which ignores
 *         them), else EINVAL.
 *       DFC_CRIT_A_BLOB: NLA_BINARY, up to DFC_CRIT_BLOB_MAX bytes, stored
 *         and dumped back unchanged
 *       DFC_CRIT_A_ENTRY: NLA_NESTED, repeated, 1..DFC_CRIT_MAX_ENTRIES:
 *         DFC_ENTRY_A_IPVER: NLA_U8, 4 or 6; required with addresses
 *         DFC_ENTRY_A_SRC, DFC_ENTRY_A_DST: NLA_BINARY, 4 or 16 bytes
 *         DFC_ENTRY_A_SRC_PLEN, DFC_ENTRY_A_DST_PLEN: NLA_U8 (default:
 *           the full length)
 *         DFC_ENTRY_A_SPORT, DFC_ENTRY_A_DPORT: NLA_U16, host order
 *         DFC_ENTRY_A_SPORT_MASK, DFC_ENTRY_A_DPORT_MASK: NLA_U16
 *           (default 0xffff when the port is given, else 0); any of the
 *           four makes a port condition,
 *           which matches only frames that carry ports (TCP, UDP, SCTP,
 *           UDP-Lite; not a later fragment), even with both masks zero
 *         DFC_ENTRY_A_SPORT_MAX, DFC_ENTRY_A_DPORT_MAX: NLA_U16, host
 *           order: the port is the range SPORT..SPORT_MAX (SPORT default
 *           0), inclusive, instead of a masked value; with the port's
 *           MASK, or below its start, EINVAL. A range also makes a port
 *           condition. The kernel stores a one-port range as that port
 *           (mask 0xffff) and 0..65535 as mask 0; others are dumped back
 *           as SPORT and SPORT_MAX
 *         DFC_ENTRY_A_PROTO, DFC_ENTRY_A_PROTO_MASK: NLA_U8 (mask default
 *           0xff when the protocol is given)
 *         DFC_ENTRY_A_ICMP_TYPE, DFC_ENTRY_A_ICMP_TYPE_MASK,
 *         DFC_ENTRY_A_ICMP_CODE, DFC_ENTRY_A_ICMP_CODE_MASK: NLA_U8
 *           (masks default 0xff); any of the four makes an ICMP condition,
 *           which matches only ICMP and ICMPv6 frames
 *         DFC_ENTRY_A_IFINDEX: NLA_U32, input interface
 *         Absent fields are wildcards; a value with bits outside its mask
 *         is EINVAL.
 *       DFC_CRIT_A_EXCL: NLA_NESTED, repeated, 0..DFC_CRIT_MAX_EXCL, the
 *         same attributes as DFC_CRIT_A_ENTRY: frames it matches are not
 *         matched by the criterion
 *   Errors: EEXIST (owner and id exist, or repeated in the message),
 *   ENOSPC (max criteria or max masks reached, or a namespace cap:
 *   DFC_NS_MAX_ENTRIES entries, DFC_NS_MAX_BLOB_BYTES of blobs), ENOENT
 *   (unknown content destination), EINVAL. The batch becomes visible to
 *   the data path whole, once nothing in it can fail: a rejected batch
 *   never counted or copied a frame.
 *   Packet and byte limits are u64 and compared as such: any value from 1
 *   to 2^64-1 is honoured. A limit counts from the criterion's current
 *   count; where count + limit exceeds 2^64-1 it is 2^64-1 (saturated; a
 *   64-bit counter cannot get further).
 *
 * DFC_CMD_CRIT_DEL: DFC_A_OWNER required; then DFC_A_ID (one criterion,
 *   ENOENT if absent), or DFC_A_CDEST (those toward that destination), or
 *   neither (all of the owner). Static criteria are deleted only when
 *   DFC_A_FLAGS has DFC_CRIT_F_STATIC (by id: EPERM otherwise). The reply
 *   carries DFC_A_COUNT: NLA_U32, criteria deleted.
 *
 * DFC_CMD_CRIT_REFRESH: DFC_A_OWNER, DFC_A_CRIT with DFC_CRIT_A_ID and the
 *   timeouts and limits to replace (any other attribute: EINVAL): each
 *   named kind restarts with the given amount left (packets and bytes from
 *   the current count, saturated as above); the others keep running. A
 *   static criterion has none to refresh: EINVAL, nothing changes.
 *
 * DFC_CMD_CRIT_GET: DFC_A_OWNER and DFC_A_ID: one criterion. As a dump:
 *   every criterion, or only DFC_A_OWNER's; DFC_A_TERSE (NLA_FLAG) keeps
 *   only id, counters, last match and age. Each message: DFC_A_OWNER and one
 *   DFC_A_CRIT with the attributes above plus
 *       DFC_CRIT_A_PACKETS, DFC_CRIT_A_BYTES: NLA_U64, matched so far
 *       DFC_CRIT_A_LAST_MATCH: NLA_U64, seconds since the last match
 *         (absent if none)
 *       DFC_CRIT_A_AGE: NLA_U64, seconds since added
 *       DFC_CRIT_A_N_REFRESH: NLA_U32
 *       DFC_CRIT_A_N_ENTRIES, DFC_CRIT_A_N_EXCL: NLA_U32
 *     where TIMEOUT_TOTAL, TIMEOUT_IDLE, LIMIT_PACKETS and LIMIT_BYTES give
 *     what is left of each (0: used up), and entries and exclusions come
 *     back as masked values (ports and addresses as value and mask/prefix).
 *     Entries and exclusions are in GET replies only, never in dumps (a
 *     criterion's entries may not fit a dump message); the blob is in both
 *     unless terse.
 *   The dump goes in order of addition and resumes by that order, which no
 *   two criteria share: every criterion present from its start to its end
 *   is sent exactly once, whatever else is added or removed meanwhile, and
 *   criteria added meanwhile are sent too. If a criterion added after the
 *   start is sent while others were removed meanwhile (an id deleted and
 *   added again may then appear twice, old and new), the dump is flagged
 *   NLM_F_DUMP_INTR: take it again.
 *
 * DFC_CMD_LIMITS_SET: DFC_STATS_A_MAX_CRITS (NLA_U32, 1..DFC_NS_MAX_CRITS),
 *   DFC_STATS_A_MAX_MASKS (NLA_U32, 1..4096): new limits; existing
 *   criteria stay. Also DFC_STATS_A_MAX_DUP, DFC_STATS_A_DUP_PERIOD
 *   ("Copies") and DFC_STATS_A_COPY_MARK ("Loops"); each optional, at
 *   least one of them all.
 *
 * Events, multicast group DFC_GENL_MCGRP_EVENTS ("events"), in the
 * namespace of the criteria:
 *   DFC_CMD_CRIT_EXPIRED: DFC_A_OWNER, then DFC_A_CRIT repeated, each with
 *     DFC_CRIT_A_ID, DFC_CRIT_A_FLAGS, DFC_CRIT_A_CDEST, DFC_CRIT_A_REASON
 *     (NLA_U8, DFC_REASON_*), DFC_CRIT_A_PACKETS, DFC_CRIT_A_BYTES: the
 *     owner's criteria that reached one of their limits and were removed,
 *     as many as fit one message (about 120). Sent for every criterion,
 *     SEND_ASYNC or not (the owner's agent keeps its state from them; the
 *     flag tells it whether to pass the notice on). A mass expiry is
 *     reported 2048 criteria a second per namespace (about 17 messages,
 *     150 KiB of receive buffer, under net.core.rmem_default); the rest
 *     wait, matching nothing, and are reported in the seconds after.
 *   Listening needs CAP_NET_ADMIN in the initial user namespace (dfc
 *   sends events only in namespaces that user namespace owns).
 *   Events are datagrams: a listener that falls behind (one that does not
 *   read for seconds, or whose buffer also holds purges and other events)
 *   loses some, and its next recv() fails with ENOBUFS. To resynchronise,
 *   dump the criteria (DFC_CMD_CRIT_GET, NLM_F_DUMP) and the destinations:
 *   a criterion the listener holds that the dump lacks was removed
 *   (expired, purged or deleted); its final counters are lost with the
 *   event. A larger receive buffer (SO_RCVBUFFORCE) makes losses rarer.
 *
 * Content destinations: where copies of matched frames go. Each has a u32
 * id chosen by userspace; criteria name it in DFC_CRIT_A_CDEST. Commands
 * DFC_CMD_CDEST_NEW, DFC_CMD_CDEST_SET (change, same attributes, only those
 * given change), DFC_CMD_CDEST_DEL (refused with EBUSY while criteria
 * reference it, unless DFC_CDEST_A_FORCE, which deletes those criteria
 * too) and DFC_CMD_CDEST_GET (DFC_CDEST_A_ID, or a dump), in the
 * DFC_CDEST_A_* space:
 *     DFC_CDEST_A_ID: NLA_U32, required
 *     DFC_CDEST_A_NAME: NLA_NUL_STRING, up to 31 characters
 *     DFC_CDEST_A_ENCAP: NLA_U8, DFC_ENCAP_IPIP (default: the original IP
 *       packet behind a new IPv4 or IPv6 header, protocol 4 or 41 by the
 *       inner version, as Junos DFC) or DFC_ENCAP_UDP (flow-tap: behind an
 *       outer IP and UDP header)
 *     DFC_CDEST_A_ADDR: NLA_BINARY, 4 or 16 bytes, required
 *     DFC_CDEST_A_SRC: NLA_BINARY, the same length: outer source address
 *       (default: chosen by the route)
 *     DFC_CDEST_A_SPORT, DFC_CDEST_A_DPORT: NLA_U16, UDP ports (udp only;
 *       DPORT required there)
 *     DFC_CDEST_A_TTL: NLA_U8, outer TTL or hop limit, default 255
 *     DFC_CDEST_A_DSCP: NLA_U8, 0..63, default 0
 *     DFC_CDEST_A_SOFT_LIMIT, DFC_CDEST_A_SOFT_CLEAR, DFC_CDEST_A_HARD_LIMIT,
 *     DFC_CDEST_A_HARD_TARGET: NLA_U64, bit/s over a 10 s average, 0: none
 *     DFC_CDEST_A_FLAGS: NLA_U32, DFC_CDEST_F_*
 *     DFC_CDEST_A_FORCE: NLA_FLAG (DEL)
 *   Errors: EEXIST (NEW: the id exists), ENOENT (SET, DEL, GET: no such
 *   id), EBUSY (above).
 *   Replies and dumps add DFC_CDEST_A_STATS (NLA_NESTED, DFC_CSTATS_A_*,
 *   NLA_U64): COPIES, BYTES sent; drops by cause NOMEM, NOROUTE, NOIPSEC
 *   (no xfrm on the route of an ipsec-required destination), TOOBIG
 *   (larger than 64 KiB with its outer header), LOOP (the route leads out
 *   a monitored interface, or the copy would be sent from within the
 *   output path of another copy), RATELIMIT (above the hard limit, until the
 *   purge brings it under the target), DUPCAP (lost to max-duplicates),
 *   TXERR (the output path refused it: a netfilter drop, a full queue,
 *   an IPsec error; COPIES counts only what it accepted);
 *   RATE (bit/s, 10 s average), and DFC_CDEST_A_CRITS (NLA_U32),
 *   criteria toward it, DFC_CDEST_A_CONGESTED (NLA_U8, as in the event
 *   below) and DFC_CDEST_A_NOIPSEC (NLA_U8: 1 while copies to this
 *   ipsec-required destination are dropped for want of xfrm, from the
 *   second that counted the first NOIPSEC drop, the one that sent the
 *   DFC_CMD_CDEST_NOIPSEC event, until a copy goes out again; 0
 *   otherwise, and always for a destination without ipsec-required).
 *
 * Copies. For each matched frame at most one copy goes to each content
 * destination and at most max-duplicates copies in all (per owner too),
 * chosen by criterion priority (lower first), then age (older first).
 * Criteria that lose count dropped duplicates. DFC_CMD_LIMITS_SET also
 * takes DFC_STATS_A_MAX_DUP (1..64, default 3) and DFC_STATS_A_DUP_PERIOD
 * (seconds between duplicates-dropped events, default 30);
 * DFC_CMD_OWNER_SET sets an owner's own max-duplicates: DFC_A_OWNER,
 * DFC_A_MAX_DUP (NLA_U32, 1..64; 0 returns to the global value).
 *
 * Loops. A copy must never be captured again: that copy would be copied
 * too, for ever. Three guards: a destination whose route leads out a
 * monitored interface gets no copy (LOOP above); nor does one whose copy
 * would be sent from within another copy's output path on the same CPU
 * (LOOP); and every copy leaves with skb->mark set to the namespace's
 * copy mark, DFC_STATS_A_COPY_MARK (default DFC_DEFAULT_COPY_MARK,
 * 0x0dfc0000: no bit in the low 16 that kube-proxy, Cilium, wg-quick and
 * most hand-written rules use; any u32 by DFC_CMD_LIMITS_SET). The mark is
 * set after the route lookup, so routing and xfrm policy selection never
 * see it (netfilter rules on the output path do). A monitored port that
 * receives a frame carrying that mark (a copy that left by a veth, bridge
 * or tunnel device of the same namespace and came back: the mark survives
 * those; an SA with an output mark replaces it) neither looks it up nor
 * copies it, and counts it LOOPED. 0 marks nothing and turns that guard
 * off. The mark never leaves the host: a copy fed back into a monitored
 * port over a wire (the uplink the copies leave by, mirrored into a
 * monitored port; a destination that sends them back) or from another
 * namespace (which clears marks) is captured again if a criterion
 * matches its outer header. Do not monitor a mirror of the path the
 * copies take, or exclude the copies' outer header (protocol 4, 41 or
 * the UDP port, toward the destinations) from criteria there. Any local
 * sender allowed to set marks (CAP_NET_ADMIN: SO_MARK, netfilter, tc)
 * can make its frames skip capture on a port in this namespace by
 * setting the copy mark; change it if that matters.
 *
 * More events on the "events" group:
 *   DFC_CMD_CDEST_CONGESTED: DFC_CDEST_A_ID, DFC_CDEST_A_STATS (RATE), and
 *     DFC_CDEST_A_CONGESTED (NLA_U8: 1 above the soft limit, 0 back below
 *     soft-clear); sent once per crossing.
 *   DFC_CMD_CDEST_PURGED: the hard limit was crossed; one message per
 *     owner: DFC_A_OWNER, DFC_A_CDEST, DFC_A_ID repeated (criteria removed,
 *     worst priority then newest first, until under the hard target).
 *   DFC_CMD_CDEST_NOIPSEC: DFC_CDEST_A_ID (and, as in CONGESTED, the
 *     congestion state and rate): copies to an ipsec-required
 *     destination are being dropped (the route has no xfrm); sent once per
 *     change from protected to unprotected.
 *   DFC_CMD_DUP_DROPPED: DFC_A_OWNER and per criterion a DFC_A_CRIT with
 *     DFC_CRIT_A_ID, DFC_CRIT_A_CDEST and DFC_CRIT_A_DUP_DROPPED (NLA_U64,
 *     frames that lost since the last event); every dup period while it
 *     goes on.
 *
 * 64-bit values are padded with the *_A_PAD attribute of their space.
 */
#ifndef _UAPI_LINUX_DFC_H
#define _UAPI_LINUX_DFC_H

#define DFC_GENL_NAME "dfc"
#define DFC_GENL_VERSION 1
#define DFC_GENL_MCGRP_EVENTS "events"

#define DFC_CRIT_MAX_ENTRIES 256
#define DFC_CRIT_MAX_EXCL 64
#define DFC_CRIT_BLOB_MAX 2048
#define DFC_TIMEOUT_MAX 86400

/* Hard caps per network namespace, whatever DFC_CMD_LIMITS_SET says. */
#define DFC_NS_MAX_CRITS (1U << 22)		/* upper bound of max-criteria */
#define DFC_NS_MAX_ENTRIES (1U << 22)		/* entries of all criteria */
#define DFC_NS_MAX_BLOB_BYTES (1U << 28)	/* blobs of all criteria */
#define DFC_NS_MAX_OWNERS 4096			/* owners with their own max-dup */
#define DFC_NS_MAX_CDESTS 1024			/* content destinations */
#define DFC_NS_MAX_FRAGS 16384			/* datagrams followed */
#define DFC_NS_MAX_FRAG_HOLD (64U << 20)	/* bytes of held fragments */

/* skb->mark of copies until DFC_CMD_LIMITS_SET changes it ("dfc" << 16). */
#define DFC_DEFAULT_COPY_MARK 0x0dfc0000

enum dfc_cmd {
	DFC_CMD_UNSPEC,
	DFC_CMD_IFACE_NEW,
	DFC_CMD_IFACE_DEL,
	DFC_CMD_IFACE_GET,
	DFC_CMD_STATS_GET,
	DFC_CMD_CRIT_NEW,
	DFC_CMD_CRIT_DEL,
	DFC_CMD_CRIT_REFRESH,
	DFC_CMD_CRIT_GET,
	DFC_CMD_CRIT_EXPIRED,
	DFC_CMD_LIMITS_SET,
	DFC_CMD_CDEST_NEW,
	DFC_CMD_CDEST_SET,
	DFC_CMD_CDEST_DEL,
	DFC_CMD_CDEST_GET,
	DFC_CMD_OWNER_SET,
	DFC_CMD_CDEST_CONGESTED,
	DFC_CMD_CDEST_PURGED,
	DFC_CMD_CDEST_NOIPSEC,
	DFC_CMD_DUP_DROPPED,
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
	DFC_ISTATS_A_NO_L4_EXTHDRS,
	DFC_ISTATS_A_NO_L4_TRUNCATED,
	DFC_ISTATS_A_NO_L4_FRAGMENT,
	DFC_ISTATS_A_LOOPED,
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
	DFC_STATS_A_PARSED,
	DFC_STATS_A_UNPARSEABLE,
	DFC_STATS_A_MATCHED,
	DFC_STATS_A_MASKS_PROBED,
	DFC_STATS_A_CRITS,
	DFC_STATS_A_MAX_CRITS,
	DFC_STATS_A_MASKS,
	DFC_STATS_A_MAX_MASKS,
	DFC_STATS_A_ENTRIES,
	DFC_STATS_A_TABLE_MEM,
	DFC_STATS_A_EXPIRED,
	DFC_STATS_A_MAX_DUP,
	DFC_STATS_A_DUP_PERIOD,
	DFC_STATS_A_COPIES,
	DFC_STATS_A_DUP_DROPPED,
	DFC_STATS_A_NO_L4_EXTHDRS,
	DFC_STATS_A_NO_L4_TRUNCATED,
	DFC_STATS_A_NO_L4_FRAGMENT,
	DFC_STATS_A_FRAG_MAX,
	DFC_STATS_A_FRAG_TIMEOUT,
	DFC_STATS_A_FRAG_HOLD_MAX,
	DFC_STATS_A_FRAG_ENTRIES,
	DFC_STATS_A_FRAG_MEM,
	DFC_STATS_A_FRAG_HITS,
	DFC_STATS_A_FRAG_MISSED,
	DFC_STATS_A_FRAG_HELD,
	DFC_STATS_A_FRAG_EVICTED,
	DFC_STATS_A_LOOPED,
	DFC_STATS_A_COPY_MARK,
	DFC_STATS_A_COPIES_SHARED,
	__DFC_STATS_A_LAST
};

#define DFC_STATS_A_MAX (__DFC_STATS_A_LAST - 1)

enum dfc_crit_flag {
	DFC_CRIT_F_STATIC = 1U << 0,	/* no timeouts; deleted only explicitly */
	DFC_CRIT_F_SEND_ASYNC = 1U << 1, /* owner wants expiry notices */
	__DFC_CRIT_F_ALL = DFC_CRIT_F_STATIC | DFC_CRIT_F_SEND_ASYNC
};

enum dfc_reason {
	DFC_REASON_NONE,
	DFC_REASON_TOTAL,
	DFC_REASON_IDLE,
	DFC_REASON_PACKETS,
	DFC_REASON_BYTES,
	__DFC_REASON_MAX
};

enum dfc_attr {
	DFC_A_UNSPEC,
	DFC_A_PAD,
	DFC_A_OWNER,
	DFC_A_ID,
	DFC_A_CDEST,
	DFC_A_FLAGS,
	DFC_A_TERSE,
	DFC_A_COUNT,
	DFC_A_CRIT,
	DFC_A_MAX_DUP,
	__DFC_A_LAST
};

#define DFC_A_MAX (__DFC_A_LAST - 1)

enum dfc_crit_attr {
	DFC_CRIT_A_UNSPEC,
	DFC_CRIT_A_PAD,
	DFC_CRIT_A_ID,
	DFC_CRIT_A_PRIO,
	DFC_CRIT_A_FLAGS,
	DFC_CRIT_A_CDEST,
	DFC_CRIT_A_TIMEOUT_TOTAL,
	DFC_CRIT_A_TIMEOUT_IDLE,
	DFC_CRIT_A_LIMIT_PACKETS,
	DFC_CRIT_A_LIMIT_BYTES,
	DFC_CRIT_A_BLOB,
	DFC_CRIT_A_ENTRY,
	DFC_CRIT_A_EXCL,
	DFC_CRIT_A_PACKETS,
	DFC_CRIT_A_BYTES,
	DFC_CRIT_A_LAST_MATCH,
	DFC_CRIT_A_AGE,
	DFC_CRIT_A_N_REFRESH,
	DFC_CRIT_A_REASON,
	DFC_CRIT_A_N_ENTRIES,
	DFC_CRIT_A_N_EXCL,
	DFC_CRIT_A_DUP_DROPPED,
	__DFC_CRIT_A_LAST
};

#define DFC_CRIT_A_MAX (__DFC_CRIT_A_LAST - 1)

enum dfc_entry_attr {
	DFC_ENTRY_A_UNSPEC,
	DFC_ENTRY_A_IPVER,
	DFC_ENTRY_A_SRC,
	DFC_ENTRY_A_SRC_PLEN,
	DFC_ENTRY_A_DST,
	DFC_ENTRY_A_DST_PLEN,
	DFC_ENTRY_A_SPORT,
	DFC_ENTRY_A_SPORT_MASK,
	DFC_ENTRY_A_DPORT,
	DFC_ENTRY_A_DPORT_MASK,
	DFC_ENTRY_A_PROTO,
	DFC_ENTRY_A_PROTO_MASK,
	DFC_ENTRY_A_ICMP_TYPE,
	DFC_ENTRY_A_ICMP_TYPE_MASK,
	DFC_ENTRY_A_ICMP_CODE,
	DFC_ENTRY_A_ICMP_CODE_MASK,
	DFC_ENTRY_A_IFINDEX,
	DFC_ENTRY_A_SPORT_MAX,
	DFC_ENTRY_A_DPORT_MAX,
	__DFC_ENTRY_A_LAST
};

#define DFC_ENTRY_A_MAX (__DFC_ENTRY_A_LAST - 1)

enum dfc_encap {
	DFC_ENCAP_IPIP,
	DFC_ENCAP_UDP,
	__DFC_ENCAP_MAX
};

enum dfc_cdest_flag {
	DFC_CDEST_F_IPSEC_REQUIRED = 1U << 0, /* fail closed without xfrm */
	__DFC_CDEST_F_ALL = DFC_CDEST_F_IPSEC_REQUIRED
};

enum dfc_cdest_attr {
	DFC_CDEST_A_UNSPEC,
	DFC_CDEST_A_PAD,
	DFC_CDEST_A_ID,
	DFC_CDEST_A_NAME,
	DFC_CDEST_A_ENCAP,
	DFC_CDEST_A_ADDR,
	DFC_CDEST_A_SRC,
	DFC_CDEST_A_SPORT,
	DFC_CDEST_A_DPORT,
	DFC_CDEST_A_TTL,
	DFC_CDEST_A_DSCP,
	DFC_CDEST_A_SOFT_LIMIT,
	DFC_CDEST_A_SOFT_CLEAR,
	DFC_CDEST_A_HARD_LIMIT,
	DFC_CDEST_A_HARD_TARGET,
	DFC_CDEST_A_FLAGS,
	DFC_CDEST_A_FORCE,
	DFC_CDEST_A_STATS,
	DFC_CDEST_A_CRITS,
	DFC_CDEST_A_CONGESTED,
	DFC_CDEST_A_NOIPSEC,
	__DFC_CDEST_A_LAST
};

#define DFC_CDEST_A_MAX (__DFC_CDEST_A_LAST - 1)

enum dfc_cstats_attr {
	DFC_CSTATS_A_UNSPEC,
	DFC_CSTATS_A_PAD,
	DFC_CSTATS_A_COPIES,
	DFC_CSTATS_A_BYTES,
	DFC_CSTATS_A_NOMEM,
	DFC_CSTATS_A_NOROUTE,
	DFC_CSTATS_A_NOIPSEC,
	DFC_CSTATS_A_TOOBIG,
	DFC_CSTATS_A_LOOP,
	DFC_CSTATS_A_RATELIMIT,
	DFC_CSTATS_A_DUPCAP,
	DFC_CSTATS_A_RATE,
	DFC_CSTATS_A_TXERR,
	__DFC_CSTATS_A_LAST
};

#define DFC_CSTATS_A_MAX (__DFC_CSTATS_A_LAST - 1)

#endif /* _UAPI_LINUX_DFC_H */
