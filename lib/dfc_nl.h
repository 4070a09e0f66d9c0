/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * dfc_nl: the small libmnl generic netlink client for the "dfc" family
 * (include/uapi/linux/dfc.h), shared by dfcctl, dtcpd and the selftests.
 *
 * Functions return 0 or a negative errno; dfc_nl_open returns NULL and
 * sets errno. After a failed request, dfc_nl_extack() and
 * dfc_nl_extack_offset() tell what the kernel said about it.
 *
 * A handle runs one request at a time and is not thread-safe; callbacks
 * must not start another request on the handle that calls them.
 */
#ifndef DFC_NL_H
#define DFC_NL_H

#include <stdbool.h>
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
 * dfc_nl_crit_add() also puts its own explanation here when it refuses a
 * criterion before asking the kernel (over the uapi caps, unencodable, or
 * too big for one message).
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
/*
 * Send buffer size: DFC_NL_MSG_MAX, or less if the socket's send buffer
 * could not be raised that far (net.core.wmem_max).
 */
size_t dfc_nl_msg_room(const struct dfc_nl *nl);
#define DFC_NL_MSG_MAX (128 * 1024)

/* Called on each reply message; returns MNL_CB_OK, MNL_CB_STOP or MNL_CB_ERROR (errno set). */
typedef int (*dfc_nl_cb)(const struct nlmsghdr *nlh, void *data);

/*
 * Send nlh, run cb on each reply, wait for the ACK (or DONE for a dump).
 * Returns 0, the kernel's -errno, or the callback's -errno.
 * Dumps (NLM_F_DUMP) are collected whole before cb runs, so cb only ever
 * sees a consistent snapshot: a dump the kernel marks NLM_F_DUMP_INTR is
 * retried transparently, and fails with -EAGAIN if it stays inconsistent.
 * (dfc_nl_crit_dump streams instead: the criteria table can be large.)
 */
int dfc_nl_request(struct dfc_nl *nl, struct nlmsghdr *nlh, dfc_nl_cb cb, void *data);

/*
 * no_l4_*: IP frames looked up without ports or ICMP fields, by cause
 * (DFC_ISTATS_A_NO_L4_*); 0 when the module does not send them.
 */
struct dfc_no_l4 {
	uint64_t exthdrs, truncated, fragment;
};

/*
 * Later fragments following their first (DFC_STATS_A_FRAG_*; all 0 from
 * a module without them): settings max (datagrams, 0: off), timeout
 * (seconds), hold_max (bytes); now: entries, mem (bytes); counters.
 */
struct dfc_frag_info {
	uint32_t max, timeout, hold_max, entries;
	uint64_t mem, hits, missed, held, evicted;
};

struct dfc_iface_stats {
	uint64_t seen, bytes, ipv4, ipv6, other, attached_secs;
	struct dfc_no_l4 no_l4;
	/* dfc's own copies come back (not in seen); 0 from an older module */
	uint64_t looped;
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
	/*
	 * Data path and criteria table (DFC_STATS_A_PARSED and on): 0 when
	 * the module does not send them (older than the criteria commands).
	 */
	uint64_t parsed, unparseable, matched, masks_probed;
	uint32_t crits, max_crits, masks, max_masks, entries;
	uint64_t table_mem, expired;
	/*
	 * Copies (DFC_STATS_A_MAX_DUP and on): 0 when the module does not
	 * send them. copies: copies sent to content destinations; max_dup
	 * and dup_period: the namespace's max-duplicates and the seconds
	 * between duplicates-dropped events; dup_dropped: copies lost to
	 * max-duplicates; copies_shared: copies sent sharing the frame's
	 * page instead of copying its bytes (0 from an older module).
	 */
	uint32_t max_dup, dup_period;
	uint64_t copies, dup_dropped, copies_shared;
	struct dfc_no_l4 no_l4;
	struct dfc_frag_info frag;
	/*
	 * The loop guard: looped, dfc's own copies come back to a monitored
	 * port (not in seen); copy_mark, the skb->mark copies carry (0: none,
	 * and so from an older module, which has no such guard).
	 */
	uint64_t looped;
	uint32_t copy_mark;
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

/* ---- criteria ---- */

/*
 * One entry (or exclusion) of a criterion, host byte order. A field takes
 * part only when set: ipver non-zero; an address when its plen is non-zero
 * (4 or 16 bytes by ipver, which it requires); ports when `ports` is set
 * or a port mask is non-zero (a port condition: only frames that carry
 * ports match it, even with both masks zero); ICMP likewise with `icmp`;
 * proto when proto_mask is non-zero; ifindex when non-zero. sport_range
 * makes the source port the range sport..sport_max instead (sport_mask
 * then 0; DFC_ENTRY_A_SPORT_MAX), likewise dport_range.
 */
struct dfc_nl_entry {
	uint8_t ipver;
	uint8_t src_plen, dst_plen;
	uint8_t src[16], dst[16];
	bool ports;
	uint16_t sport, sport_mask, dport, dport_mask;
	uint8_t proto, proto_mask;
	bool icmp;
	uint8_t icmp_type, icmp_type_mask, icmp_code, icmp_code_mask;
	uint32_t ifindex;
	bool sport_range, dport_range;
	uint16_t sport_max, dport_max;
};
#define DFC_NL_ENTRY_DEFINED 1

/*
 * A criterion. To add one, set id, the entries (1..DFC_CRIT_MAX_ENTRIES),
 * optionally exclusions (up to DFC_CRIT_MAX_EXCL) and a blob (up to
 * DFC_CRIT_BLOB_MAX bytes), and either DFC_CRIT_F_STATIC or at least one
 * timeout/limit; 0 leaves a timeout or limit unset. prio, flags and cdest
 * are always sent (prio 0 is sent as 0: use 1 for the kernel's default).
 *
 * As filled by get, dump and events: everything the kernel sent, 0 for
 * what it did not. Timeouts and limits are what is left of each (0: unset
 * or used up). entries/excl are NULL unless the reply carried them (a GET
 * reply does; dumps never do: n_entries/n_excl still give the counts).
 * entries, excl and blob point into the library's buffers and are valid
 * only during the callback: copy what you keep.
 */
struct dfc_nl_crit {
	uint64_t id;
	uint32_t prio;
	uint32_t flags;			/* DFC_CRIT_F_* */
	uint32_t cdest;
	uint32_t timeout_total, timeout_idle; /* seconds */
	uint64_t limit_packets, limit_bytes;
	const void *blob;		/* up to DFC_CRIT_BLOB_MAX bytes, stored as is */
	uint16_t blob_len;
	unsigned int n_entries, n_excl;
	struct dfc_nl_entry *entries, *excl;
	/* filled by get, dump and events */
	uint32_t owner;
	uint64_t packets, bytes;
	uint64_t last_match_secs;	/* seconds since the last match; UINT64_MAX: never */
	uint64_t age_secs;
	uint32_t n_refresh;
	uint8_t reason;			/* DFC_REASON_*, events only */
};

/*
 * Bytes of a DFC_A_CRIT nest kept free for the counters a GET reply adds
 * to it. The uapi caps keep every valid criterion (even DFC_CRIT_MAX_ENTRIES
 * entries and DFC_CRIT_MAX_EXCL exclusions using every field, and a
 * DFC_CRIT_BLOB_MAX-byte blob: about 51 KiB) that far under the 64 KiB a
 * nest can hold, so a criterion that can be added can be read back whole.
 */
#define DFC_NL_CRIT_REPLY_ROOM 128

/* Called once per criterion; returns 0 to go on, anything else stops (and is returned). */
typedef int (*dfc_nl_crit_cb)(const struct dfc_nl_crit *c, void *data);

/*
 * Add n criteria of owner. They are packed into as few messages as
 * possible (up to dfc_nl_msg_room() bytes each), never splitting one
 * criterion; the kernel applies each message all or nothing. Returns 0
 * with *done == n, or the first failure's -errno with *done = criteria
 * committed by earlier messages (crits[*done..] were not added).
 * A criterion the kernel would refuse anyway, more than DFC_CRIT_MAX_ENTRIES
 * entries, DFC_CRIT_MAX_EXCL exclusions or DFC_CRIT_BLOB_MAX bytes of blob,
 * or that cannot be encoded (an address without ipver 4/6), fails with
 * -EINVAL before it is sent; one that does not fit in one message (only
 * possible when dfc_nl_msg_room() is small: the largest valid criterion
 * takes about 51 KiB) with -EMSGSIZE. Criteria before it were sent as
 * usual (*done tells), none after it; dfc_nl_extack() says why and
 * dfc_nl_crit_add_failed() which.
 */
int dfc_nl_crit_add(struct dfc_nl *nl, uint32_t owner, const struct dfc_nl_crit *crits,
		    unsigned int n, unsigned int *done);
/*
 * After dfc_nl_crit_add() failed: the index into its crits of the
 * criterion the failure is about (the kernel's extack offset points into
 * it, or it could not be encoded), or -1 if the failure names none.
 */
long dfc_nl_crit_add_failed(const struct dfc_nl *nl);

/*
 * Delete owner's criteria: the one with *id, or those toward *cdest, or
 * (both NULL) all; static ones only with include_static. Both id and
 * cdest is -EINVAL. *deleted (may be NULL) gets the kernel's count.
 */
int dfc_nl_crit_del(struct dfc_nl *nl, uint32_t owner, const uint64_t *id,
		    const uint32_t *cdest, bool include_static, uint32_t *deleted);
/* Restart the timeouts and limits of c->id that are non-zero in c. */
int dfc_nl_crit_refresh(struct dfc_nl *nl, uint32_t owner, const struct dfc_nl_crit *c);
/* One criterion, with its entries and exclusions: cb runs once. */
int dfc_nl_crit_get(struct dfc_nl *nl, uint32_t owner, uint64_t id,
		    dfc_nl_crit_cb cb, void *data);
/*
 * Every criterion (owner NULL) or only *owner's; cb is required. terse
 * asks for a lighter reply (no blob; the module may leave out more: what
 * it does not send reads 0). Entries are never in a dump (n_entries and
 * n_excl give the counts; dfc_nl_crit_get fetches them).

 *
 * Streamed: cb runs as messages arrive, so a table of any size takes
 * constant memory. If the kernel flags the dump inconsistent
 * (NLM_F_DUMP_INTR: the set changed under it), cb stops being called,
 * the rest is drained, restart(data) runs, and the dump starts over; so
 * on success, what cb got since the last restart is one consistent
 * snapshot. restart returns 0 to go on, anything else stops (returned).
 * restart NULL: no retry, -EAGAIN. Gives up with -EAGAIN after
 * DFC_NL_DUMP_TRIES attempts. On any error, what cb got is not a snapshot.
 */
int dfc_nl_crit_dump(struct dfc_nl *nl, const uint32_t *owner, bool terse,
		     dfc_nl_crit_cb cb, int (*restart)(void *data), void *data);
#define DFC_NL_DUMP_TRIES 4

/* New limits; 0 leaves one unchanged (both 0: -EINVAL, nothing to set). */
int dfc_nl_limits_set(struct dfc_nl *nl, uint32_t max_crits, uint32_t max_masks);

/*
 * Every namespace-wide limit DFC_CMD_LIMITS_SET takes, in one request (the
 * kernel applies all or none). The first four: 0 leaves one unchanged.
 * max_dup: copies per matched frame, 1..64; dup_period: seconds between
 * duplicates-dropped events, 1..3600. The rest, where 0 is a value, are
 * sent only with their DFC_NL_SET_* bit in set: frag_max (datagrams whose
 * later fragments follow their first; 0: off), frag_timeout (1..3600 s),
 * frag_hold_max (bytes held; 0: never hold), copy_mark (the skb->mark of
 * copies; 0: unmarked, the mark loop guard off). Nothing to set is
 * -EINVAL without asking.
 */
struct dfc_nl_limits {
	uint32_t max_crits, max_masks;
	uint32_t max_dup, dup_period;
	uint32_t frag_max, frag_timeout, frag_hold_max;
	uint32_t copy_mark;
	unsigned int set;
};
#define DFC_NL_SET_FRAG_MAX		0x1
#define DFC_NL_SET_FRAG_TIMEOUT		0x2
#define DFC_NL_SET_FRAG_HOLD_MAX	0x4
#define DFC_NL_SET_COPY_MARK		0x8
int dfc_nl_limits_update(struct dfc_nl *nl, const struct dfc_nl_limits *l);
/* The copy limits alone: dfc_nl_limits_update() with only these two. */
int dfc_nl_dup_set(struct dfc_nl *nl, uint32_t max_dup, uint32_t dup_period);
/* The copy mark alone (0: copies unmarked, the mark loop guard off). */
int dfc_nl_copy_mark_set(struct dfc_nl *nl, uint32_t mark);
/* Owner's own max-duplicates, 1..64; 0 returns it to the namespace's. */
int dfc_nl_owner_set(struct dfc_nl *nl, uint32_t owner, uint32_t max_dup);

/*
 * Encode c as one DFC_A_CRIT nest at the end of nlh, a message in a
 * buffer of room bytes. -EINVAL if c is over the uapi caps (entries,
 * exclusions, blob) or cannot be encoded, checked before anything is
 * written; -EMSGSIZE if it does not fit in room. nlh is then left as it
 * was. (Within the caps, a criterion always fits one nest with
 * DFC_NL_CRIT_REPLY_ROOM to spare.)
 */
int dfc_nl_crit_put(struct nlmsghdr *nlh, size_t room, const struct dfc_nl_crit *c);
/*
 * Append crits[0..n) to nlh while they fit, stopping before the first
 * that does not fit or is invalid: *packed = how many (at least one, else
 * the error of crits[0]: -EMSGSIZE if it alone does not fit, -EINVAL if
 * it is invalid, as dfc_nl_crit_put). A criterion is never split.
 */
int dfc_nl_crit_pack(struct nlmsghdr *nlh, size_t room, const struct dfc_nl_crit *crits,
		     unsigned int n, unsigned int *packed);
/*
 * Batches of CRIT_NEW requests: up to DFC_NL_BATCH_MAX messages in one
 * sendmsg(), as many bytes as one request may have, and as many answers
 * as the socket's receive buffer holds. Each message is applied on its
 * own, all or nothing, and has its own result: the kernel answers only a
 * failure, and a NOOP after the batch says when all were handled. The ids
 * must be new to the kernel: when an answer may have been lost, each
 * message's result is recovered by asking whether its first criterion is
 * there. A batch uses its handle (nl)
 * only while it runs: other requests may come between two
 * dfc_nl_batch_crit_add() calls.
 */
#define DFC_NL_BATCH_MAX 64
struct dfc_nl_batch;
struct dfc_nl_batch *dfc_nl_batch_new(struct dfc_nl *nl); /* NULL: out of memory */
void dfc_nl_batch_free(struct dfc_nl_batch *b);
/*
 * Append one message adding crits[0..n) for owner: its index in the
 * batch, -ENOSPC (the batch is full: run it, then add again), or another
 * -errno when they cannot go in a batch at all (too big for one message,
 * or invalid: dfc_nl_crit_add() sends them and says why).
 */
int dfc_nl_batch_crit_add(struct dfc_nl_batch *b, uint32_t owner, const struct dfc_nl_crit *crits,
			  unsigned int n);
unsigned int dfc_nl_batch_count(const struct dfc_nl_batch *b);

struct dfc_nl_batch_res {
	int err;		/* 0 or the kernel's -errno for this message */
	char why[160];		/* its extack message, "" if none */
};

/*
 * Send the batch and read every answer into res[0..count): the batch is
 * empty afterwards. 0, or -errno when the batch could not be sent (then
 * every res[i].err is that, and nothing changed).
 */
int dfc_nl_batch_run(struct dfc_nl_batch *b, struct dfc_nl_batch_res *res);
/* Messages whose answer was lost and that were sent again, since dfc_nl_batch_new(). */
unsigned long dfc_nl_batch_lost(const struct dfc_nl_batch *b);

/*
 * Parse a criteria message (a GET reply or dump message, or an event):
 * DFC_A_OWNER and one DFC_A_CRIT. Entries and exclusions go to entries[]
 * and excl[] (up to max_entries/max_excl; -ENOBUFS if there are more);
 * with a NULL array they are only counted. out->blob points into nlh.
 * 0, or -EINVAL if the message is malformed.
 */
int dfc_nl_crit_parse(const struct nlmsghdr *nlh, struct dfc_nl_crit *out,
		      struct dfc_nl_entry *entries, unsigned int max_entries,
		      struct dfc_nl_entry *excl, unsigned int max_excl);
/* The same for one DFC_A_CRIT nest (owner is left 0). */
int dfc_nl_crit_parse_attr(const struct nlattr *crit, struct dfc_nl_crit *out,
			   struct dfc_nl_entry *entries, unsigned int max_entries,
			   struct dfc_nl_entry *excl, unsigned int max_excl);

/* ---- content destinations ---- */

/*
 * Which configuration fields of a struct dfc_nl_cdest a SET changes (its
 * set_mask): one bit per attribute, 1 << DFC_CDEST_A_*.
 */
#define DFC_NL_CDEST_SET_NAME		(1U << DFC_CDEST_A_NAME)
#define DFC_NL_CDEST_SET_ENCAP		(1U << DFC_CDEST_A_ENCAP)
#define DFC_NL_CDEST_SET_ADDR		(1U << DFC_CDEST_A_ADDR)
#define DFC_NL_CDEST_SET_SRC		(1U << DFC_CDEST_A_SRC)
#define DFC_NL_CDEST_SET_SPORT		(1U << DFC_CDEST_A_SPORT)
#define DFC_NL_CDEST_SET_DPORT		(1U << DFC_CDEST_A_DPORT)
#define DFC_NL_CDEST_SET_TTL		(1U << DFC_CDEST_A_TTL)
#define DFC_NL_CDEST_SET_DSCP		(1U << DFC_CDEST_A_DSCP)
#define DFC_NL_CDEST_SET_SOFT_LIMIT	(1U << DFC_CDEST_A_SOFT_LIMIT)
#define DFC_NL_CDEST_SET_SOFT_CLEAR	(1U << DFC_CDEST_A_SOFT_CLEAR)
#define DFC_NL_CDEST_SET_HARD_LIMIT	(1U << DFC_CDEST_A_HARD_LIMIT)
#define DFC_NL_CDEST_SET_HARD_TARGET	(1U << DFC_CDEST_A_HARD_TARGET)
#define DFC_NL_CDEST_SET_FLAGS		(1U << DFC_CDEST_A_FLAGS)
#define DFC_NL_CDEST_SET_ALL							\
	(DFC_NL_CDEST_SET_NAME | DFC_NL_CDEST_SET_ENCAP | DFC_NL_CDEST_SET_ADDR |	\
	 DFC_NL_CDEST_SET_SRC | DFC_NL_CDEST_SET_SPORT | DFC_NL_CDEST_SET_DPORT |	\
	 DFC_NL_CDEST_SET_TTL | DFC_NL_CDEST_SET_DSCP | DFC_NL_CDEST_SET_SOFT_LIMIT |	\
	 DFC_NL_CDEST_SET_SOFT_CLEAR | DFC_NL_CDEST_SET_HARD_LIMIT |		\
	 DFC_NL_CDEST_SET_HARD_TARGET | DFC_NL_CDEST_SET_FLAGS)

/*
 * A content destination, host byte order. Addresses are 4 (ipver 4) or
 * 16 (ipver 6) bytes of addr/src; src, when has_src, is of the same
 * version (the kernel refuses a mix). Rates are bit/s over a 10 s
 * average, 0: no limit.
 *
 * add sends every configuration field, leaving out those that mean "the
 * kernel's default": an empty name, no has_src, sport/dport 0 (udp needs
 * a dport: the kernel says so), ttl 0 (255). set_mask is ignored.
 * set sends id and exactly the fields in set_mask (ttl 0 or dport 0 are
 * then sent, and refused by the kernel); the others keep their values.
 * A source cannot be removed: SET_SRC wants has_src. ADDR and SRC are
 * encoded by ipver, which must be 4 or 6 when either is in the mask.
 *
 * As filled by get and dump: what the kernel sent, 0 for what it did not,
 * with set_mask telling which configuration fields came (so that a GET
 * reply, changed, can be sent back with set).
 */
struct dfc_nl_cdest {
	uint32_t id;			/* 1.. */
	char name[32];			/* up to 31 characters, NUL-terminated */
	uint8_t encap;			/* DFC_ENCAP_* */
	uint8_t ipver;			/* 4 or 6 */
	uint8_t addr[16], src[16];
	bool has_src;
	uint16_t sport, dport;		/* udp */
	uint8_t ttl, dscp;
	uint32_t flags;			/* DFC_CDEST_F_* */
	uint64_t soft_limit, soft_clear, hard_limit, hard_target;
	uint32_t set_mask;		/* DFC_NL_CDEST_SET_* */
	/* filled by get and dump */
	uint32_t crits;			/* criteria toward it */
	uint8_t congested;		/* 1: above soft-limit, not yet back under soft-clear */
	uint8_t noipsec;		/* 1: copies dropped for want of IPsec (ipsec-required) */
	struct {
		uint64_t copies, bytes;	/* sent */
		/* dropped, by cause (DFC_CSTATS_A_*) */
		uint64_t nomem, noroute, noipsec, toobig, loop, ratelimit, dupcap, txerr;
		uint64_t rate;		/* bit/s, 10 s average */
	} stats;
};

/* Called once per destination; returns 0 to go on, anything else stops (and is returned). */
typedef int (*dfc_nl_cdest_cb)(const struct dfc_nl_cdest *c, void *data);

/*
 * add: -EEXIST if the id is taken. set: -ENOENT if there is none, -EINVAL
 * for an empty or unknown set_mask (nothing sent). Both: -EINVAL without
 * asking for what cannot be encoded (ipver, an unterminated name, SET_SRC
 * without has_src), with the reason in dfc_nl_extack().
 */
int dfc_nl_cdest_add(struct dfc_nl *nl, const struct dfc_nl_cdest *c);
int dfc_nl_cdest_set(struct dfc_nl *nl, const struct dfc_nl_cdest *c);
/* -EBUSY while criteria use it, unless force (which deletes them too). */
int dfc_nl_cdest_del(struct dfc_nl *nl, uint32_t id, bool force);
int dfc_nl_cdest_get(struct dfc_nl *nl, uint32_t id, struct dfc_nl_cdest *out);
/* Every destination; a consistent snapshot (retried if it changes under the dump). */
int dfc_nl_cdest_dump(struct dfc_nl *nl, dfc_nl_cdest_cb cb, void *data);

/*
 * Encode id and the fields of c in mask (DFC_NL_CDEST_SET_*) at the end of
 * nlh, a message in a buffer of room bytes: what set sends with
 * c->set_mask, and add with dfc_nl_cdest_add_mask(c). -EINVAL (nothing
 * written) if a field in mask cannot be encoded or mask has unknown bits,
 * -EMSGSIZE if it does not fit (nlh is then left as it was).
 */
int dfc_nl_cdest_put(struct nlmsghdr *nlh, size_t room, const struct dfc_nl_cdest *c,
		     uint32_t mask);
/* The fields add sends for c (see struct dfc_nl_cdest). */
uint32_t dfc_nl_cdest_add_mask(const struct dfc_nl_cdest *c);
/* Pure parser of a DFC_CMD_CDEST_GET reply or dump message: 0, or -EINVAL if malformed. */
int dfc_nl_cdest_parse(const struct nlmsghdr *nlh, struct dfc_nl_cdest *out);

/* ---- events ---- */

/*
 * A handle subscribed to the "events" multicast group of the dfc family,
 * in the caller's network namespace (needs CAP_NET_ADMIN there if the
 * module restricts the group). Only for events: it sends no requests.
 */
struct dfc_nl_events;

/*
 * The most ids (DFC_CMD_CDEST_PURGED) and criteria (DFC_CMD_DUP_DROPPED,
 * DFC_CMD_CRIT_EXPIRED) one event message can carry: the kernel builds
 * each in one NLMSG_GOODSIZE buffer (at most 8 KiB), an id taking at
 * least 12 bytes, a criterion's nest 36 (duplicates) or 64 (expiry). A message with more (a kernel sending larger
 * ones) is parsed up to these, and its total count told.
 */
#define DFC_NL_EVENT_MSG_MAX 8192
#define DFC_NL_EVENT_MAX_IDS (DFC_NL_EVENT_MSG_MAX / 12)
#define DFC_NL_EVENT_MAX_DUPS (DFC_NL_EVENT_MSG_MAX / 36)
/* An expired criterion's nest: 64 bytes. */
#define DFC_NL_EVENT_MAX_EXPIRED (DFC_NL_EVENT_MSG_MAX / 64)

/* One criterion of an expiry event. */
struct dfc_nl_expired {
	uint64_t id;
	uint32_t flags, cdest;
	uint8_t reason;		/* DFC_REASON_* */
	uint64_t packets, bytes;	/* final counts */
};

/* One criterion of a duplicates-dropped event. */
struct dfc_nl_dup {
	uint64_t id;
	uint32_t cdest;
	uint64_t dropped;	/* frames that lost since the last event */
};

/*
 * An event: cmd says which member of the union is filled (the others are
 * zero). Large (some KiB): one at a time, not arrays of them.
 */
struct dfc_nl_event {
	uint8_t cmd;
	union {
		/*
		 * DFC_CMD_CRIT_EXPIRED: owner's criteria removed by their
		 * limits, v[0..n); n_total > n only if the message had more
		 * than DFC_NL_EVENT_MAX_EXPIRED. A mass expiry comes as
		 * several events.
		 */
		struct {
			uint32_t owner;
			unsigned int n, n_total;
			struct dfc_nl_expired v[DFC_NL_EVENT_MAX_EXPIRED];
		} expired;
		/*
		 * DFC_CMD_CDEST_CONGESTED: id, congested (1: above its
		 * soft-limit, 0: back under soft-clear), rate (bit/s).
		 * DFC_CMD_CDEST_NOIPSEC: id (copies to it are dropped: no
		 * xfrm on its route); congested and rate as the kernel sent
		 * them, 0 if it did not.
		 */
		struct {
			uint32_t id;
			uint8_t congested;
			uint64_t rate;
		} cdest;
		/*
		 * DFC_CMD_CDEST_PURGED: owner's criteria removed because
		 * destination cdest went over its hard limit. ids[0..n_ids);
		 * n_total > n_ids only if the message had more than
		 * DFC_NL_EVENT_MAX_IDS. A purge of many criteria comes as
		 * several events.
		 */
		struct {
			uint32_t owner, cdest;
			unsigned int n_ids, n_total;
			uint64_t ids[DFC_NL_EVENT_MAX_IDS];
		} purged;
		/* DFC_CMD_DUP_DROPPED: owner's criteria that lost copies, v[0..n). */
		struct {
			uint32_t owner;
			unsigned int n, n_total;
			struct dfc_nl_dup v[DFC_NL_EVENT_MAX_DUPS];
		} dup;
	};
};

/* NULL and errno: ENOENT (module not loaded, or no such group), EPERM, ... */
struct dfc_nl_events *dfc_nl_events_open(void);
void dfc_nl_events_close(struct dfc_nl_events *ev);
/* For poll(): readable when events wait. O_NONBLOCK may be set on it. */
int dfc_nl_events_fd(const struct dfc_nl_events *ev);
/*
 * Read one datagram (blocking unless the fd is non-blocking) and run cb on
 * each event in it. Returns the number of events, or -errno: -EAGAIN
 * (non-blocking, nothing there), -EINTR (a signal), -ENOBUFS (the socket
 * overflowed and events were lost: the handle stays usable; resynchronise
 * with a dump). Messages that are not known events are skipped; cb gets
 * every kind of struct dfc_nl_event, so it looks at e->cmd (one written
 * for expiries alone skips the others). A non-zero return of cb stops the
 * walk and is returned. e is valid only during cb.
 */
int dfc_nl_events_recv(struct dfc_nl_events *ev,
		       int (*cb)(const struct dfc_nl_event *e, void *data), void *data);
/*
 * Pure parser of the events above: 0, -EINVAL if malformed, -EOPNOTSUPP
 * if not a known event. Whatever points into the message (crit.blob) is
 * valid as long as nlh is.
 */
int dfc_nl_event_parse(const struct nlmsghdr *nlh, struct dfc_nl_event *out);

#endif /* DFC_NL_H */
