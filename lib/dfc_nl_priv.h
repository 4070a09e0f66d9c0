/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * dfc_nl internals, shared by the files of the library (lib/dfc_nl*.c):
 * the handle, the request machinery and the attribute helpers. Programs
 * use dfc_nl.h; a test may include this to walk messages as the library
 * does.
 */
#ifndef DFC_NL_PRIV_H
#define DFC_NL_PRIV_H

#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/genetlink.h>
#include <libmnl/libmnl.h>

#include "dfc_nl.h"

/*
 * The kernel sizes dump skbs after the largest recvmsg() buffer it has
 * seen, capped at 32 KiB; a non-dump reply (a criterion with its entries)
 * can be larger, up to a 64 KiB DFC_A_CRIT nest plus headers. The send
 * buffer holds a batch of criteria: always at least one whole criterion.
 */
#define DFC_NL_DUMPSZ 32768
#define DFC_NL_RXSZ (128 * 1024)
#define DFC_NL_TXSZ DFC_NL_MSG_MAX
#define DFC_NL_MAX_GROUPS 8
/* netlink_sendmsg() refuses messages longer than sk_sndbuf - 32 */
#define DFC_NL_SNDBUF_SLACK 32

struct dfc_nl {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;
	uint16_t family;
	unsigned int ngroups;
	struct {
		uint32_t id;
		char name[GENL_NAMSIZ];
	} groups[DFC_NL_MAX_GROUPS];
	char extack[256];
	uint32_t extack_off;
	uint32_t miss_type;
	char *dump; /* a dump's replies, collected until DONE */
	size_t dump_len, dump_cap;
	size_t tx_room; /* what the socket lets us send, at most sizeof(tx) */
	long crit_failed; /* dfc_nl_crit_add_failed() */
	/* entries and exclusions of the criterion being passed to a callback */
	struct dfc_nl_entry *scratch;
	alignas(8) char tx[DFC_NL_TXSZ]; /* kept intact: extack offsets point into it */
	alignas(8) char rx[DFC_NL_RXSZ];
};

/* ---- attributes (dfc_nl.c) ---- */

int dfc_nl_parse_nested(const struct nlattr *nest, const struct nlattr **tb,
			const enum mnl_attr_data_type *policy, unsigned int max);
/* Top-level attributes of a generic netlink message. */
int dfc_nl_parse_genl(const struct nlmsghdr *nlh, const struct nlattr **tb,
		      const enum mnl_attr_data_type *policy, unsigned int max);
/* Copy a validated NUL_STRING attribute, rejecting one that does not fit. */
int dfc_nl_copy_str(char *dst, size_t size, const struct nlattr *attr);

/*
 * mnl_nlmsg_ok() with nlmsg_len compared as the unsigned it is: libmnl
 * 1.0.4 compares (int)nlmsg_len <= len, so a message claiming 2 GiB or
 * more passes, and parsing or stepping over it reads far past the buffer.
 */
static inline bool dfc_nl_msg_ok(const struct nlmsghdr *nlh, int len)
{
	return mnl_nlmsg_ok(nlh, len) && nlh->nlmsg_len <= (unsigned int)len;
}

/* Optional attributes, already validated: their value, or 0 when absent. */
static inline uint64_t opt_u64(const struct nlattr *a)
{
	return a ? mnl_attr_get_u64(a) : 0;
}

static inline uint32_t opt_u32(const struct nlattr *a)
{
	return a ? mnl_attr_get_u32(a) : 0;
}

static inline uint16_t opt_u16(const struct nlattr *a, uint16_t def)
{
	return a ? mnl_attr_get_u16(a) : def;
}

static inline uint8_t opt_u8(const struct nlattr *a, uint8_t def)
{
	return a ? mnl_attr_get_u8(a) : def;
}

/* An address's length by IP version: 4, 16, or 0 if neither 4 nor 6. */
static inline unsigned int addr_len(uint8_t ipver)
{
	return ipver == 4 ? 4 : ipver == 6 ? 16 : 0;
}

/* The counters of DFC_CDEST_A_STATS (dfc_nl_cdest.c), all NLA_U64. */
extern const enum mnl_attr_data_type dfc_nl_cstats_policy[DFC_CSTATS_A_MAX + 1];

/* ---- requests (dfc_nl.c) ---- */

enum dfc_nl_xmode {
	DFC_NL_X_DIRECT,  /* not a dump: every reply to cb */
	DFC_NL_X_COLLECT, /* a dump, collected into nl->dump */
	DFC_NL_X_STREAM,  /* a dump, to cb as it comes, until a reply is flagged NLM_F_DUMP_INTR */
};

/*
 * Send req and read every reply up to its ACK or DONE, as mode says;
 * *intr tells whether a reply was flagged NLM_F_DUMP_INTR.
 */
int dfc_nl_exchange(struct dfc_nl *nl, struct nlmsghdr *req, enum dfc_nl_xmode mode,
		    dfc_nl_cb cb, void *data, bool *intr);

/* dfc_nl_msg_new() at buf: a request's headers, for a batch of several. */
struct nlmsghdr *dfc_nl_msg_put(const struct dfc_nl *nl, void *buf, uint8_t cmd, uint16_t flags);
/* NLMSG_ERROR: the request's status (0 for an ACK), its extack into nl. */
int dfc_nl_parse_error(struct dfc_nl *nl, const struct nlmsghdr *nlh);
/* A non-dump GET: exactly one reply, parsed by parse into out. */
struct dfc_nl_one_reply {
	int (*parse)(const struct nlmsghdr *nlh, void *out);
	void *out;
	bool got;
};

/* Send nlh and parse its one reply into r->out: -EPROTO if it was ACKed without one. */
int dfc_nl_get_one(struct dfc_nl *nl, struct nlmsghdr *nlh, struct dfc_nl_one_reply *r);

/* An explanation of a request refused before it was sent, read as extack. */
void dfc_nl_local_error(struct dfc_nl *nl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* DFC_NL_PRIV_H */
