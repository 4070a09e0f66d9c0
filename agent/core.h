/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * What the files of the server core (server.h) share and nothing else
 * needs: the criteria table, request-defined destinations, a request
 * being handled, the reply builder, the parameter checks, the selectors
 * and the methods. dtcpd's main loop uses server.h only.
 */
#ifndef DTCP_CORE_H
#define DTCP_CORE_H

#include "blob.h"
#include "crit.h"
#include "server.h"

#define LOG(s, src, prio, ...) do { if ((s)->log) (s)->log(s, src, prio, __VA_ARGS__); } while (0)

/* The clocks, read once per burst (server.h). */
static inline uint64_t dtcp_wall_ms(const struct dtcp_server *s)
{
	return s->burst ? s->burst_wall : s->wall_ms();
}

static inline uint64_t dtcp_mono_ms(const struct dtcp_server *s)
{
	return s->burst ? s->burst_mono : s->mono_ms ? s->mono_ms() : 0;
}

/* ---- crittab.c: a source's criteria ---- */

void dtcp_crit_free(struct dtcp_crit *c);
/* Insert at its place by id. 0 or -ENOMEM. */
int dtcp_src_insert(struct dtcp_src *src, struct dtcp_crit *c);
/*
 * Delete every kernel criterion of c (an expired one is no error). 0, or
 * the first error: then c is (at least partly) still in the kernel.
 */
int dtcp_crit_kernel_del(struct dtcp_server *s, struct dtcp_src *src, struct dtcp_crit *c);

/* ---- reconfig.c ---- */

/* Does a criterion point at destinations its source may use (now)? */
bool dtcp_crit_dests_valid(const struct dtcp_src *src, const struct dtcp_crit *c);

/* ---- server.c: control sources ---- */

/* A new source takes the Seq window its id had, if it was configured before. */
struct dtcp_src *dtcp_src_new(struct dtcp_server *s, struct dtcp_csource *cfg);
void dtcp_src_free(struct dtcp_src *src);
/* Keep the Seq window of a source that leaves the configuration. 0 or -ENOMEM. */
int dtcp_src_retire(struct dtcp_server *s, const struct dtcp_src *src);

/* ---- rdest.c: request-defined destinations, each owned by one source ---- */

/* src's destination defined as kd (kid and name aside), or NULL. */
struct dtcp_rdest *dtcp_rdest_find(const struct dtcp_server *s, const struct dtcp_src *src,
				   const struct dtcp_kdest *kd);
/* How many src owns. */
unsigned int dtcp_rdest_count(const struct dtcp_server *s, const struct dtcp_src *src);
/*
 * A reference to src's destination kd: the same definition is shared, a
 * new one gets a fresh kernel id and is created in the kernel. *kid: its
 * id. 0 or -errno (nothing taken).
 */
int dtcp_rdest_get(struct dtcp_server *s, struct dtcp_src *src, const struct dtcp_kdest *kd,
		   uint32_t *kid);
/* Drop a reference; the last one deletes the destination from the kernel. */
void dtcp_rdest_put(struct dtcp_server *s, uint32_t kid);
/*
 * Rebuild: src's criterion uses kd[0..n-1], which the kernel has as
 * kd[i].kid: all are taken, or none. 0; -EINVAL (not a request-defined
 * id), -EPERM (another source's, or defined otherwise), -ENOMEM.
 */
int dtcp_rdest_adopt(struct dtcp_server *s, struct dtcp_src *src, const struct dtcp_kdest *kd,
		     unsigned int n);
void dtcp_rdest_reset(struct dtcp_server *s);

/* ---- reply.c: a request being answered ---- */

struct dtcp_req {
	struct dtcp_server *s;
	struct dtcp_src *src;
	const struct dtcp_msg *m;	/* NULL once the burst moved on: an ADD answered late */
	const struct sockaddr *from;
	const char *from_text;		/* its address as text */
	int ver;
	const char *seq;		/* as sent: echoed exactly */
	struct dtcp_replies *out;
	size_t budget;			/* LIST: bytes an answer aims to stay under (0: a datagram's) */
};

/* Queue o's datagram (dropped, and logged, if it overflowed). */
void dtcp_reply_push(struct dtcp_server *s, struct dtcp_replies *r, const struct dtcp_out *o);
/* Status line and Seq. */
void dtcp_reply_begin(struct dtcp_req *q, struct dtcp_out *o, unsigned int code);
void dtcp_reply_timestamp(struct dtcp_req *q, struct dtcp_out *o);
/* Timestamp, signature, queued. */
void dtcp_reply_finish(struct dtcp_req *q, struct dtcp_out *o);
/* Answer e; returns the code sent. */
unsigned int dtcp_reply_error(struct dtcp_req *q, struct dtcp_err *e);

/* ---- params.c ---- */

/* Every parameter allowed for the method: 0, or -1 with e filled (400, 501). */
int dtcp_params_check(const struct dtcp_msg *m, enum dtcp_method meth, struct dtcp_err *e);
/* The request's Flags (0 if none): 0, or -1 with e filled. */
int dtcp_req_flags(const struct dtcp_msg *m, unsigned int *fl, struct dtcp_err *e);

/* ---- select.c ---- */

/*
 * The live criteria of src the request names; *sel malloc'd. Neither
 * selector: all of them. Singles must exist (431); ranges take what exists.
 */
int dtcp_select_crits(struct dtcp_req *q, const struct dtcp_param *pid,
		      const struct dtcp_param *pcd, struct dtcp_crit ***sel,
		      unsigned int *n, struct dtcp_err *e);

/* ---- dispatch.c ---- */

/* Count an answer in src's statistics. */
void dtcp_req_count(struct dtcp_src *src, enum dtcp_method meth, unsigned int code);

/* ---- add.c, method.c, list.c: the methods; each returns the code answered ---- */

/* In a burst, 0: the answer comes with the burst's kernel batch (dtcp_add_flush). */
unsigned int dtcp_method_add(struct dtcp_req *q);
/* ADDs waiting for a batch: room for DFC_NL_BATCH_MAX (NULL: out of memory). */
struct dtcp_pending *dtcp_pending_new(void);
/* Run the batch: each waiting ADD is answered (and counted). */
void dtcp_add_flush(struct dtcp_server *s);
unsigned int dtcp_method_delete(struct dtcp_req *q);
unsigned int dtcp_method_refresh(struct dtcp_req *q);
unsigned int dtcp_method_list(struct dtcp_req *q);
unsigned int dtcp_method_noop(struct dtcp_req *q);

#endif /* DTCP_CORE_H */
