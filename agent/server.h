/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The DTCP server core: control sources at run time (Seq window,
 * criteria, counters), request handling, notifications and the rebuild
 * of state from the kernel. It owns no socket and no netlink handle: the
 * kernel is reached through struct dtcp_kops (agent/kernel.c: dfc.ko via
 * lib/dfc_nl; the unit tests: a table in memory), and datagrams go out
 * through callbacks. So the whole protocol is host-testable.
 */
#ifndef DTCP_SERVER_H
#define DTCP_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "auth.h"
#include "config.h"
#include "dfc_nl.h"
#include "msg.h"
#include "ratelimit.h"
#include "state.h"

#define DTCP_MAX_DEST 2		/* content destinations per criterion (flow-tap: 2) */
#define DTCP_MAX_IFACES 8	/* X-JTap-Input-Interface entries */
#define DTCP_KID(id, k) ((uint64_t)(id) << 8 | (k))
#define DTCP_KID_CRIT(kid) ((uint32_t)((kid) >> 8))
#define DTCP_KID_DEST(kid) ((unsigned int)((kid) & 0xff))

/* A content destination as the kernel takes it (DFC_CDEST_A_*). */
struct dtcp_kdest {
	uint32_t kid;
	char name[32];
	uint8_t encap;			/* DFC_ENCAP_* */
	int family;
	uint8_t addr[16], src[16];
	bool has_src;
	uint16_t sport, dport;
	uint8_t ttl;
	uint64_t soft, soft_clear, hard, hard_target;
	uint32_t flags;			/* DFC_CDEST_F_* */
};

/* Kernel operations; every one returns 0 or -errno, why may be set on error. */
struct dtcp_kops {
	int (*add)(void *k, uint32_t owner, const struct dfc_nl_crit *crits, unsigned int n,
		   unsigned int *done, const char **why);
	/*
	 * A burst's adds in one kernel call (NULL: none): add_queue puts one
	 * all-or-nothing add in the batch (its index; -ENOSPC: the batch is
	 * full, flush it first; another -errno: use add), add_flush sends it
	 * and fills res[i] for index i (0, or -errno: none was sent).
	 */
	int (*add_queue)(void *k, uint32_t owner, const struct dfc_nl_crit *crits, unsigned int n);
	int (*add_flush)(void *k, struct dfc_nl_batch_res *res);
	/* Batched adds whose acknowledgement was lost and recovered (NULL: none can be). */
	unsigned long (*add_recovered)(void *k);
	int (*del)(void *k, uint32_t owner, uint64_t kid);	/* static ones too */
	int (*del_owner)(void *k, uint32_t owner, uint32_t *count); /* all, static too */
	int (*refresh)(void *k, uint32_t owner, const struct dfc_nl_crit *c);
	/* Every criterion (owner NULL) or owner's; blob included unless terse. */
	int (*dump)(void *k, const uint32_t *owner, bool terse, dfc_nl_crit_cb cb,
		    int (*restart)(void *data), void *data);
	/* The kernel's count of criteria removed by their limits (0 if unknown). */
	int (*expired)(void *k, uint64_t *count);
	/* Create or update a content destination; delete one (its criteria too). */
	int (*cdest_set)(void *k, const struct dtcp_kdest *d);
	int (*cdest_del)(void *k, uint32_t kid);
	/* max-duplicates: server-wide (with the DuplicatesDropped period), per owner. */
	int (*dup_limits)(void *k, uint32_t max_dup, uint32_t period);
	int (*owner_dup)(void *k, uint32_t owner, uint32_t max_dup);
};

/* One DTCP criterion (maps to n_dest kernel criteria, ids DTCP_KID(id, k)). */
struct dtcp_crit {
	uint32_t id;
	bool dead;
	uint32_t flags;			/* DFC_CRIT_F_* */
	uint32_t prio;			/* total: Priority + minimum-priority */
	uint8_t n_dest;
	uint32_t cdest_kid[DTCP_MAX_DEST];
	char *cdests;			/* Cdest-ID as sent (escapes intact): dtcp_crit_dest() */
	bool request_dest;		/* destinations defined by X-JTap-Cdest-* */
	uint32_t t_idle, t_total;	/* configured timeouts (0: none) */
	uint64_t t_packets, t_bytes;
	uint64_t added_ms, refresh_ms;	/* wall clock */
	uint32_t n_refresh;
	char from[48];			/* Csource-Address: who added it */
	char *blob;			/* its DTCP form, also stored in the kernel */
	uint16_t blob_len;
	/* Average-Bandwidth: bytes at the last sample, and the rate then. */
	uint64_t bw_bytes, bw_ms, avg_bps;
};

enum dtcp_method { DTCP_M_ADD, DTCP_M_DELETE, DTCP_M_REFRESH, DTCP_M_LIST, DTCP_M_NOOP,
		   DTCP_M_OTHER, DTCP_M_N };

enum dtcp_notif { DTCP_N_RESTART, DTCP_N_ROLLOVER, DTCP_N_NOOP, DTCP_N_TIMEOUT,
		  DTCP_N_CONGESTION, DTCP_N_CONGDEL, DTCP_N_DUPS, DTCP_N_N };

struct dtcp_src_stats {
	uint64_t req[DTCP_M_N], req_failed[DTCP_M_N];
	uint64_t answers[10];		/* answered requests by status class: code / 100 */
	uint64_t drop_auth, drop_seq, drop_addr, drop_port, drop_noseq;
	uint64_t drop_login;		/* over SSH: a login that does not speak for it */
	uint64_t added, add_failed;
	uint64_t notif[DTCP_N_N];
	uint64_t deleted_by[5];		/* DFC_REASON_*: none (client/other), total, idle, packets, bytes */
	uint64_t last_seq;
};

/* A control source at run time; survives reloads (found again by id). */
struct dtcp_src {
	char *id;
	struct dtcp_csource *cfg;	/* NULL: removed from the configuration */
	struct dtcp_seq seq;
	struct dtcp_crit **crits;	/* by increasing id (ids are handed out increasing) */
	unsigned int n_crits, cap, n_dead;
	unsigned int n_live, n_static;
	struct dtcp_src_stats st;
};

/* A destination defined by a request (X-JTap-Cdest-*): its source's alone. */
struct dtcp_rdest {
	uint32_t kid;
	struct dtcp_src *src;		/* the only source whose criteria use it */
	unsigned int refs;		/* criteria using it */
	struct dtcp_kdest kd;
};

struct dtcp_dgram {
	char *buf;
	size_t len;
};

struct dtcp_replies {
	unsigned int n, cap;
	struct dtcp_dgram *d;
};

struct dtcp_server_stats {
	uint64_t rx, not_dtcp, too_big, not_request, no_csource, unknown_csource;
	uint64_t replies, notif_sent, notif_failed, kernel_errors, events_lost;
	uint64_t unsaved_drops;		/* answers withheld: the state file could not be written */
	uint64_t log_suppressed;	/* messages not logged (rate limits: drops, state file errors) */
	uint64_t send_waits;		/* answers that waited for a full socket (udp.c) */
	uint64_t send_lost;		/* answer datagrams that could not be sent */
};

struct dtcp_server {
	struct dtcp_config *cfg;
	struct dtcp_src **srcs;
	unsigned int n_srcs;
	uint32_t next_id;
	const struct dtcp_kops *kops;
	void *kctx;
	/* Clocks: wall (timestamps) and monotonic (rates), milliseconds. */
	uint64_t (*wall_ms)(void);
	uint64_t (*mono_ms)(void);
	/* Send one notification datagram to one target. */
	void (*send)(struct dtcp_server *s, const struct dtcp_csource *src,
		     const struct dtcp_target *t, const void *buf, size_t len);
	/* Send one notification down src's SSH sessions (agent/ssh.c); NULL: none. */
	unsigned int (*send_ssh)(struct dtcp_server *s, const struct dtcp_src *src,
				 const void *buf, size_t len);	/* sessions it went to */
	void *ssh;			/* its struct dtcp_ssh */
	/* Log (syslog priorities); src NULL: server-wide. */
	void (*log)(struct dtcp_server *s, const struct dtcp_src *src, int prio,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
	/* Resolve an interface name to an ifindex (0: none). */
	unsigned int (*ifindex)(const char *name);
	void *user;
	bool dirty;			/* the state file is behind */
	struct dtcp_rdest *rdests;	/* rdest.c */
	unsigned int n_rdests, cap_rdests;
	uint32_t next_rdest_kid;
	/*
	 * Seq windows of control sources no longer configured, kept (and
	 * persisted) so that one added back does not accept its old requests.
	 */
	struct dtcp_rl rl[DTCP_RL_N];	/* ratelimit.c: log rate limits, per cause */
	struct dtcp_state_src *retired;
	unsigned int n_retired;
	/* Owners whose criteria a reload could not delete: retried each second. */
	uint32_t *orphans;
	unsigned int n_orphans;
	struct dtcp_server_stats st;
	uint64_t last_sample_ms;	/* rates: the last counter sample */
	/* Scratch for one criterion's expansion. */
	struct dfc_nl_entry *entries, *excl;
	/*
	 * A burst (dtcp_server_burst_begin): its ADDs wait for one kernel
	 * batch, their answers with them; the clocks are read once.
	 */
	bool burst;
	uint64_t burst_wall, burst_mono;
	struct dtcp_pending *pend;	/* add.c: DFC_NL_BATCH_MAX of them */
	unsigned int n_pend;
	struct dtcp_msg *msg;
	struct dtcp_out *out;
};

/* ---- the core: server.c, reconfig.c, dispatch.c, rebuild.c, crittab.c (core.h) ---- */

int dtcp_server_init(struct dtcp_server *s, struct dtcp_config *cfg);
void dtcp_server_fini(struct dtcp_server *s);
/*
 * Apply a new configuration (SIGHUP): sources and destinations that are
 * gone lose their criteria; nothing else is touched. Takes ownership of
 * cfg, frees the old one.
 */
void dtcp_server_reconfig(struct dtcp_server *s, struct dtcp_config *cfg);
struct dtcp_src *dtcp_server_src(const struct dtcp_server *s, const char *id);
/*
 * The requests handled until dtcp_server_burst_end() arrived together:
 * their ADDs go to the kernel in one batch (when the kernel operations
 * can batch), which runs before any other method of the burst and at its
 * end, when every answer is in its out. The clocks are read once, here.
 * Every out given to dtcp_server_handle() in the burst must stay put
 * until its end.
 */
void dtcp_server_burst_begin(struct dtcp_server *s);
void dtcp_server_burst_end(struct dtcp_server *s);
struct dtcp_src *dtcp_server_src_by_owner(const struct dtcp_server *s, uint32_t owner);

/*
 * Handle one datagram that arrived from `from` on local UDP port
 * local_port. Appends the answer's datagrams to out (none: dropped
 * silently, as every failed security check must be). Notifications it
 * causes (NoOp, Rollover) go out through s->send. In a burst, an ADD's
 * answer may come later, at the latest from dtcp_server_burst_end(): true
 * when out is to be kept for it.
 */
bool dtcp_server_handle(struct dtcp_server *s, const struct sockaddr *from,
			uint16_t local_port, const void *data, size_t len,
			struct dtcp_replies *out);
/* A request from an SSH session (agent/ssh.c). */
enum dtcp_ssh_verdict {
	DTCP_SSH_OK,			/* authentic (answered, whatever the answer) */
	DTCP_SSH_DROPPED,		/* failed HMAC or Seq: dropped silently, counted */
	DTCP_SSH_REFUSED,		/* not DTCP, not a request, or not the login's: close */
};
struct dtcp_ssh_req {
	const char *login;		/* sshd's, known from the relay's credentials */
	struct dtcp_seq *seq;		/* the session's own window */
	struct dtcp_src *src;		/* in: the session's source once bound; out: the request's */
	enum dtcp_ssh_verdict verdict;	/* out */
};
/*
 * As dtcp_server_handle(), for one message of an SSH session: the source
 * named must list r->login in ssh-logins (and be r->src once bound), Seq
 * is checked in the session's window; no service port check. from: the
 * SSH client's address (AF_UNSPEC if unknown).
 */
void dtcp_server_handle_ssh(struct dtcp_server *s, const struct sockaddr *from,
			    struct dtcp_ssh_req *r, const void *data, size_t len,
			    struct dtcp_replies *out);
void dtcp_replies_clear(struct dtcp_replies *r);
/* May a line of cause c be logged (rate limit; the summary of the last period first)? */
bool dtcp_server_log_ok(struct dtcp_server *s, enum dtcp_rl_cause c);
/* Log how many lines of each cause were left out, once their period is over. */
void dtcp_server_log_flush(struct dtcp_server *s);

/* The state to persist now (Seq windows, next id, counts). */
void dtcp_server_state(const struct dtcp_server *s, struct dtcp_state *st);
/* Take Seq windows and the next id from a loaded state. 0 or -ENOMEM. */
int dtcp_server_restore(struct dtcp_server *s, const struct dtcp_state *st);
/*
 * Delete again the criteria of removed sources that the kernel refused to
 * delete at the reload (a transient error): call it periodically.
 */
void dtcp_server_retry(struct dtcp_server *s);

/*
 * Rebuild criteria from a kernel dump (restart without losing capture).
 * *found: criteria adopted. Criteria of sources no longer configured are
 * deleted from the kernel.
 */
int dtcp_server_rebuild(struct dtcp_server *s, unsigned int *found);

/* Criteria table of a source. */
struct dtcp_crit *dtcp_src_find(const struct dtcp_src *src, uint32_t id);
void dtcp_src_remove(struct dtcp_server *s, struct dtcp_src *src, struct dtcp_crit *c,
		     int reason);
/* Free removed criteria (never while someone walks a table). */
void dtcp_server_gc(struct dtcp_server *s);

/* ---- notify.c ---- */

void dtcp_notify(struct dtcp_server *s, struct dtcp_src *src, unsigned int code,
		 const struct dtcp_out *params);
void dtcp_notify_restart(struct dtcp_server *s, const char *why);
/* A criterion left the kernel on its own (event, or found missing). */
void dtcp_server_expired(struct dtcp_server *s, uint32_t owner, uint64_t kid, uint8_t reason,
			 uint64_t packets, uint64_t bytes);
/* Periodic work: every 10 s, each criterion's Average-Bandwidth. */
void dtcp_server_tick(struct dtcp_server *s);
/* Kernel events about destinations, turned into notifications. */
void dtcp_server_congested(struct dtcp_server *s, uint32_t cdest, uint64_t rate, bool on);
/* NoIPSecDestination: logged under the destination's name. */
void dtcp_server_noipsec(struct dtcp_server *s, uint32_t cdest);
void dtcp_server_purged(struct dtcp_server *s, uint32_t owner, uint32_t cdest,
			const uint64_t *kids, unsigned int n);
struct dtcp_dup {
	uint64_t kid;
	uint32_t cdest;
	uint64_t dropped;
};
void dtcp_server_dups(struct dtcp_server *s, uint32_t owner, const struct dtcp_dup *v,
		      unsigned int n);
/* Program the configured destinations and duplicate limits into the kernel. */
void dtcp_server_program(struct dtcp_server *s);
/* Events were lost: compare the table with the kernel's and expire what is gone. */
int dtcp_server_resync(struct dtcp_server *s);

#endif /* DTCP_SERVER_H */
