// SPDX-License-Identifier: GPL-2.0
/*
 * nl_fuzz: a generic netlink fuzzer for the "dfc" family, in the guest.
 *
 *   nl_fuzz [-s SEED] [-t SECONDS] [-n MESSAGES] [-r root,userns,foreign]
 *
 * (or NL_FUZZ_SEED, NL_FUZZ_TIME). Three senders run at once for SECONDS
 * (60): root in a network namespace of its own, where frames are injected
 * on a monitored veth so that the data path runs against what the fuzzer
 * adds; an unprivileged user in a user namespace with a network namespace
 * of its own; and an unprivileged user in a user namespace that does not
 * own root's network namespace. Capture is a host facility (every command
 * needs CAP_NET_ADMIN in the initial user namespace), so both unprivileged
 * senders are refused everything. Requests come from nl_fuzz_gen.c, one at
 * a time or in batches of up to 8 per send.
 *
 * Every answer (ACK, error, or a dump's DONE) must carry an errno that
 * include/uapi/linux/dfc.h documents for the command: the table there is
 * read at start, so that the documentation is what the module is held to.
 * The netlink core answers some requests before the permission check, and
 * then exactly: a malformed generic netlink header (too short, reserved
 * bits set in nlmsg_flags or genlmsghdr.reserved) EINVAL, then an unknown
 * command EOPNOTSUPP; every other request of a refused sender EPERM.
 * An undocumented errno, a malformed reply or a request left unanswered
 * fails the test with the request in hex and the seed; the kernel must
 * report nothing (the harness watches its log). Afterwards, for root: every
 * command was accepted and refused at least once, traffic was seen and
 * matched meanwhile, the criteria dump agrees with the counters, and
 * deleting every owner's criteria and every destination leaves nothing; for
 * each refused sender: every command was refused with EPERM at least once
 * (root's acceptances are the positive control of those refusals). Per
 * command, the numbers of requests and of each errno are printed.
 */
#include <errno.h>
#include <linux/genetlink.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dfc_nl.h"
#include "nl_fuzz.h"

#define NERR FZ_NERR
#define BATCH_MAX 8
#define RECV_CAP (512 * 1024)
#define FAIL_MAX 5

enum role { ROLE_ROOT, ROLE_OWN, ROLE_FOREIGN };
static const char *const role_name[] = { "root", "userns", "foreign" };


static struct {
	enum role role;
	uint64_t seed;
	uint16_t fam;
	struct mnl_socket *nl;
	uint32_t seq;
	uint64_t msgs, batches, replies, parts, intr, lost, stray, fails;
	uint64_t mode[FZ_MODES];
	uint64_t sent[256], err[256][NERR];
	void (*hook)(const struct nlmsghdr *nlh, void *data);
	void *hook_data;
} fz;

struct pending {
	struct nlmsghdr *nlh;
	uint32_t len;		/* bytes sent, nlmsg_len may claim less */
	uint8_t cmd;
	bool dump, done, lost;
	int err;
	enum fz_mode mode;
	uint64_t n;		/* the how-manieth request of this sender */
	char ext[160];
};

static uint8_t batch[BATCH_MAX * (FZ_MSG_CAP + 4)] __attribute__((aligned(8)));
static uint8_t rbuf[RECV_CAP] __attribute__((aligned(8)));

static const char *ename(int e)
{
	const char *s = e ? strerrorname_np(e) : "ok";

	return s ? s : "E?";
}


/* Root is allowed everything; the others nothing (EPERM). */
static bool refused(void)
{
	return fz.role != ROLE_ROOT;
}


/* Whether errno e (0: success) is a documented answer to p in this role. */
static bool allowed(const struct pending *p, int e)
{
	int core = fz_core_errno(p->nlh, p->cmd);

	if (e < 0 || e >= NERR)
		return false;
	if (core)
		return e == core;
	if (refused())
		return e == EPERM;
	return fz_documented(p->cmd, e);
}

static void hexdump(const void *buf, uint32_t len)
{
	const uint8_t *b = buf;
	uint32_t i, n = len > 4096 ? 4096 : len;

	for (i = 0; i < n; i++)
		printf("%s%02x%s", i % 16 ? "" : "#   ", b[i], i % 16 == 15 || i + 1 == n ? "\n" : " ");
	if (n < len)
		printf("#   ... %u bytes in all\n", len);
}

static void fail(const struct pending *p, const char *why)
{
	if (++fz.fails > FAIL_MAX)
		return;
	printf("# [%s] FAIL: %s: request %llu (seed 0x%llx), cmd %u (%s), flags 0x%x, %s, answer %s%s%s%s\n",
	       role_name[fz.role], why, (unsigned long long)p->n, (unsigned long long)fz.seed,
	       p->cmd, fz_known(p->cmd) ? fz_cmd_name[p->cmd] : "unknown", p->nlh->nlmsg_flags,
	       fz_mode_name[p->mode], p->done ? ename(p->err) : "none",
	       p->ext[0] ? " (extack: \"" : "", p->ext, p->ext[0] ? "\")" : "");
	hexdump(p->nlh, p->len);
}

/* Attributes from at, len bytes, nests recursively: must tile exactly. */
static bool attrs_ok(const struct nlattr *at, int len, int depth)
{
	while (len >= (int)MNL_ATTR_HDRLEN) {
		if (at->nla_len < MNL_ATTR_HDRLEN || at->nla_len > len)
			return false;
		if ((at->nla_type & NLA_F_NESTED) && depth < 8 &&
		    !attrs_ok(mnl_attr_get_payload(at), at->nla_len - MNL_ATTR_HDRLEN, depth + 1))
			return false;
		len -= MNL_ALIGN(at->nla_len);
		at = (const struct nlattr *)((const char *)at + MNL_ALIGN(at->nla_len));
	}
	return len <= 0;
}

static void extack(const struct nlmsghdr *nlh, char *out, size_t size)
{
	const struct nlattr *a;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || !(nlh->nlmsg_flags & NLM_F_CAPPED))
		return;
	mnl_attr_for_each(a, nlh, sizeof(struct nlmsgerr))
		if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG)
			snprintf(out, size, "%.*s", (int)mnl_attr_get_payload_len(a),
				 (const char *)mnl_attr_get_payload(a));
}

/* Take in one datagram of answers to the n requests of p (seqs base..). */
static void take(struct pending *p, unsigned int n, uint32_t base, const void *buf, int len)
{
	const struct nlmsghdr *nlh;

	for (nlh = buf; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		uint32_t i = nlh->nlmsg_seq - base;

		if (i >= n || p[i].done) {
			fz.stray++;
			continue;
		}
		if (nlh->nlmsg_type == NLMSG_ERROR || nlh->nlmsg_type == NLMSG_DONE) {
			const int *e = mnl_nlmsg_get_payload(nlh);

			p[i].err = mnl_nlmsg_get_payload_len(nlh) >= sizeof(int) ? -*e : 0;
			p[i].done = true;
			if (nlh->nlmsg_type == NLMSG_ERROR)
				extack(nlh, p[i].ext, sizeof(p[i].ext));
			if (!allowed(&p[i], p[i].err))
				fail(&p[i], "undocumented errno");
			else if (!p[i].err && nlh->nlmsg_type == NLMSG_ERROR)
				fz_accepted(p[i].nlh);
			continue;
		}
		if (nlh->nlmsg_type != fz.fam ||
		    mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN ||
		    !attrs_ok(mnl_nlmsg_get_payload_offset(nlh, GENL_HDRLEN),
			      (int)(nlh->nlmsg_len - MNL_NLMSG_HDRLEN - GENL_HDRLEN), 0)) {
			fail(&p[i], "malformed reply");
			continue;
		}
		if (refused())
			fail(&p[i], "a reply to a refused sender");
		if (nlh->nlmsg_flags & NLM_F_MULTI)
			fz.parts++;
		else
			fz.replies++;
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			fz.intr++;
		if (fz.hook)
			fz.hook(nlh, fz.hook_data);
	}
}

/* Read until quiet: after ENOBUFS nobody knows which answers were lost. */
static void drain(void)
{
	int quiet = 0, fd = mnl_socket_get_fd(fz.nl);

	while (quiet < 3) {
		if (recv(fd, rbuf, sizeof(rbuf), MSG_DONTWAIT) < 0 && errno == EAGAIN) {
			quiet++;
			usleep(50000);
		} else {
			quiet = 0;
		}
	}
}

/* Send the n requests of p (laid out in batch, len bytes) and collect every answer. */
static int exchange(struct pending *p, unsigned int n, size_t len)
{
	uint32_t base = p[0].nlh->nlmsg_seq;
	unsigned int i, open = n;
	int r;

	fz.batches++;
	if (mnl_socket_sendto(fz.nl, batch, len) < 0) {
		printf("# [%s] send of %u requests, %zu bytes: %s\n", role_name[fz.role], n, len,
		       strerror(errno));
		return -1;
	}
	while (open) {
		r = (int)mnl_socket_recvfrom(fz.nl, rbuf, sizeof(rbuf));
		if (r < 0 && errno == ENOBUFS) {
			fz.lost++;
			for (i = 0; i < n; i++)
				p[i].lost = !p[i].done;
			drain();
			return 0;
		}
		if (r < 0) {
			for (i = 0; i < n; i++)
				if (!p[i].done)
					fail(&p[i], errno == EAGAIN ? "no answer within 60 s" : strerror(errno));
			return -1;
		}
		take(p, n, base, rbuf, r);
		for (open = 0, i = 0; i < n; i++)
			open += !p[i].done;
	}
	return 0;
}

static void count(const struct pending *p)
{
	fz.msgs++;
	fz.sent[p->cmd]++;
	fz.mode[p->mode]++;
	if (p->done && p->err >= 0 && p->err < NERR)
		fz.err[p->cmd][p->err]++;
}

/* One request the driver means (cleanup, checks): its errno (positive). */
static int request(struct nlmsghdr *nlh)
{
	struct pending p = { .nlh = nlh, .len = nlh->nlmsg_len, .mode = FZ_VALID, .n = fz.msgs };

	p.cmd = ((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd;
	p.dump = (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	if (exchange(&p, 1, nlh->nlmsg_len))
		return EIO;
	count(&p);
	return p.lost ? ENOBUFS : p.err;
}

static struct nlmsghdr *msg(uint8_t cmd, uint16_t flags)
{
	return fz_msg(batch, fz.fam, ++fz.seq, cmd, flags);
}

/* Keep the table small and the data path busy: limits back, v1 attached, a destination. */
static void steer(unsigned int round)
{
	static const uint32_t owners[] = { 0, 1, 2, 3, UINT32_MAX };
	struct nlmsghdr *nlh;
	uint8_t a4[4] = { 198, 51, 100, 1 };
	unsigned int i;

	nlh = msg(DFC_CMD_LIMITS_SET, 0);
	mnl_attr_put_u32(nlh, DFC_STATS_A_MAX_CRITS, 2048);
	mnl_attr_put_u32(nlh, DFC_STATS_A_MAX_MASKS, 128);
	request(nlh);
	for (i = 0; round % 2 && i < sizeof(owners) / sizeof(owners[0]); i++) {
		nlh = msg(DFC_CMD_CRIT_DEL, 0);
		mnl_attr_put_u32(nlh, DFC_A_OWNER, owners[i]);
		mnl_attr_put_u32(nlh, DFC_A_FLAGS, DFC_CRIT_F_STATIC);
		request(nlh);
	}
	if (fz_env.ifindex[0]) {
		nlh = msg(DFC_CMD_IFACE_NEW, 0);
		mnl_attr_put_u32(nlh, DFC_IFACE_A_IFINDEX, fz_env.ifindex[0]);
		request(nlh);
	}
	nlh = msg(DFC_CMD_CDEST_NEW, 0);
	mnl_attr_put_u32(nlh, DFC_CDEST_A_ID, 1);
	mnl_attr_put(nlh, DFC_CDEST_A_ADDR, 4, a4);
	request(nlh);
}

static void fuzz(double deadline, uint64_t max)
{
	struct pending p[BATCH_MAX];
	unsigned int round = 0;
	double next = 0;

	while (fz_now() < deadline && fz.msgs < max) {
		unsigned int i, n = fz_chance(20) ? 2 + fz_below(BATCH_MAX - 1) : 1;
		bool dump = false;
		size_t len = 0;

		/* Every 256 requests, and every second on a slow guest. */
		if (!refused() && (fz.msgs / 256 >= round || fz_now() >= next)) {
			steer(round++);
			next = fz_now() + 1;
		}
		for (i = 0; i < n; i++) {
			enum fz_mode mode;
			struct nlmsghdr *nlh = fz_gen(batch + len, fz.fam, ++fz.seq, &mode);

			p[i] = (struct pending){ .nlh = nlh, .mode = mode, .n = fz.msgs + i };
			p[i].cmd = ((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd;
			if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + GENL_HDRLEN)
				p[i].cmd = 0;	/* cut before the command */
			/* One dump at a time per socket (a second is EBUSY). */
			if ((nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP) {
				if (dump)
					nlh->nlmsg_flags &= ~NLM_F_MATCH;
				else
					dump = p[i].dump = true;
			}
			p[i].len = MNL_ALIGN(nlh->nlmsg_len);
			len += p[i].len;
		}
		if (exchange(p, n, len))
			break;
		for (i = 0; i < n; i++)
			count(&p[i]);
		if (refused())
			usleep(2000);	/* cheap to refuse; leave the CPU to root */
	}
}

/* Counters from a STATS_GET reply. */
struct stats { uint64_t seen, matched; uint32_t crits; };

static void stats_cb(const struct nlmsghdr *nlh, void *data)
{
	struct stats *s = data;
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(a) == DFC_STATS_A_SEEN)
			s->seen = mnl_attr_get_u64(a);
		else if (mnl_attr_get_type(a) == DFC_STATS_A_MATCHED)
			s->matched = mnl_attr_get_u64(a);
		else if (mnl_attr_get_type(a) == DFC_STATS_A_CRITS)
			s->crits = mnl_attr_get_u32(a);
	}
}

static int stats(struct stats *s)
{
	int err;

	memset(s, 0, sizeof(*s));
	fz.hook = stats_cb;
	fz.hook_data = s;
	err = request(msg(DFC_CMD_STATS_GET, 0));
	fz.hook = NULL;
	return err;
}

/* What a dump found: messages, and the owners (or destination ids) seen. */
struct found { unsigned int n, nkeys; uint32_t keys[4096]; };

static void found_cb(const struct nlmsghdr *nlh, void *data)
{
	struct found *fd = data;
	const struct nlattr *a;
	unsigned int i;

	fd->n++;
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		uint16_t t = mnl_attr_get_type(a);
		uint32_t k;

		if (t != DFC_A_OWNER && t != DFC_CDEST_A_ID)	/* the same number, 2 */
			continue;
		k = mnl_attr_get_u32(a);
		for (i = 0; i < fd->nkeys && fd->keys[i] != k; i++)
			;
		if (i == fd->nkeys && fd->nkeys < 4096)
			fd->keys[fd->nkeys++] = k;
	}
}

/* A whole dump, again while the kernel marks it interrupted. */
static int dump(uint8_t cmd, struct found *fd)
{
	int err = 0, tries;

	for (tries = 0; tries < 5; tries++) {
		uint64_t intr = fz.intr;

		memset(fd, 0, sizeof(*fd));
		fz.hook = found_cb;
		fz.hook_data = fd;
		err = request(msg(cmd, NLM_F_DUMP));
		fz.hook = NULL;
		if (err || fz.intr == intr)
			break;
	}
	return err;
}

/* After fuzzing: the dump agrees with the counters; deleting everything leaves nothing. */
static bool consistent(void)
{
	struct found fd, cd;
	struct stats s;
	struct nlmsghdr *nlh;
	unsigned int i;
	int err;

	if ((err = stats(&s)) || (err = dump(DFC_CMD_CRIT_GET, &fd))) {
		printf("# [%s] stats or dump: %s\n", role_name[fz.role], ename(err));
		return false;
	}
	if (fd.n != s.crits) {
		printf("# [%s] dump has %u criteria, counters say %u\n", role_name[fz.role], fd.n, s.crits);
		return false;
	}
	printf("# [%s] %u criteria of %u owners left; deleting them all\n", role_name[fz.role], fd.n, fd.nkeys);
	for (i = 0; i < fd.nkeys; i++) {
		nlh = msg(DFC_CMD_CRIT_DEL, 0);
		mnl_attr_put_u32(nlh, DFC_A_OWNER, fd.keys[i]);
		mnl_attr_put_u32(nlh, DFC_A_FLAGS, DFC_CRIT_F_STATIC);
		if ((err = request(nlh)))
			printf("# [%s] delete owner %u: %s\n", role_name[fz.role], fd.keys[i], ename(err));
	}
	if ((err = dump(DFC_CMD_CDEST_GET, &cd))) {
		printf("# [%s] destinations dump: %s\n", role_name[fz.role], ename(err));
		return false;
	}
	for (i = 0; i < cd.nkeys; i++) {
		nlh = msg(DFC_CMD_CDEST_DEL, 0);
		mnl_attr_put_u32(nlh, DFC_CDEST_A_ID, cd.keys[i]);
		mnl_attr_put(nlh, DFC_CDEST_A_FORCE, 0, NULL);
		if ((err = request(nlh)))
			printf("# [%s] delete destination %u: %s\n", role_name[fz.role], cd.keys[i], ename(err));
	}
	if ((err = stats(&s)) || (err = dump(DFC_CMD_CRIT_GET, &fd)) ||
	    (err = dump(DFC_CMD_CDEST_GET, &cd))) {
		printf("# [%s] stats or dump after deleting all: %s\n", role_name[fz.role], ename(err));
		return false;
	}
	if (s.crits || fd.n || cd.n) {
		printf("# [%s] after deleting all: %u criteria counted, %u dumped, %u destinations\n",
		       role_name[fz.role], s.crits, fd.n, cd.n);
		return false;
	}
	return true;
}

static void report(double secs)
{
	unsigned int c, e;
	const char *r = role_name[fz.role];

	printf("# [%s] %llu requests in %llu sends, %.0f requests/s; %llu replies, %llu dump parts (%llu interrupted), %llu sends lost to ENOBUFS\n",
	       r, (unsigned long long)fz.msgs, (unsigned long long)fz.batches, fz.msgs / secs,
	       (unsigned long long)fz.replies, (unsigned long long)fz.parts,
	       (unsigned long long)fz.intr, (unsigned long long)fz.lost);
	printf("# [%s] built: valid %llu, mutated %llu, from the policy %llu, random %llu\n", r,
	       (unsigned long long)fz.mode[FZ_VALID], (unsigned long long)fz.mode[FZ_MUTATED],
	       (unsigned long long)fz.mode[FZ_SPEC], (unsigned long long)fz.mode[FZ_RANDOM]);
	for (c = 0; c < 256; c++) {
		char line[512];
		int o;

		if (!fz.sent[c])
			continue;
		o = snprintf(line, sizeof(line), "# [%s] %-12s %6llu:", r,
			     fz_known(c) ? fz_cmd_name[c] : "(unknown)", (unsigned long long)fz.sent[c]);
		if (!fz_known(c))
			o += snprintf(line + o, sizeof(line) - o, " cmd %u", c);
		for (e = 0; e < NERR && o < (int)sizeof(line) - 32; e++)
			if (fz.err[c][e])
				o += snprintf(line + o, sizeof(line) - o, " %s %llu", ename((int)e),
					      (unsigned long long)fz.err[c][e]);
		puts(line);
	}
}
static int open_sock(void)
{
	int one = 1, big = 4 << 20, fd;
	struct timeval tv = { .tv_sec = 60 };

	fz.nl = mnl_socket_open(NETLINK_GENERIC);
	if (!fz.nl)
		return -1;
	fd = mnl_socket_get_fd(fz.nl);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	if (mnl_socket_setsockopt(fz.nl, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    mnl_socket_setsockopt(fz.nl, NETLINK_CAP_ACK, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		return -1;
	return mnl_socket_bind(fz.nl, 0, MNL_SOCKET_AUTOPID);
}

/* Exit status of a sender: 0 pass, 1 fail, 4 skip. */
static int sender(enum role role, double deadline, uint64_t max, const char *inject)
{
	double t0 = fz_now();
	struct stats s0 = { 0 }, s1 = { 0 };
	pid_t tp = 0;
	bool ok = true;
	unsigned int c;
	int err;

	fz.role = role;
	fz_seed(fz.seed ^ ((uint64_t)role << 56));
	if (role != ROLE_ROOT && fz_enter_userns(role == ROLE_OWN)) {
		printf("# [%s] SKIP: no unprivileged user namespace: %s\n", role_name[role], strerror(errno));
		return 4;
	}
	if (open_sock()) {
		printf("# [%s] netlink socket: %s\n", role_name[role], strerror(errno));
		return 1;
	}
	if (role == ROLE_ROOT) {
		tp = fz_traffic(inject, deadline + 30);
		steer(1);
		if ((err = stats(&s0))) {
			printf("# [%s] stats: %s\n", role_name[role], ename(err));
			if (tp > 0)
				kill(tp, SIGTERM);
			return 1;
		}
	}
	/* Each sender fuzzes for the whole time, after its own setup. */
	deadline += fz_now() - t0;
	printf("# [%s] set up in %.1f s\n", role_name[role], fz_now() - t0);
	t0 = fz_now();
	fuzz(deadline, max);
	if (tp > 0) {	/* fork may have failed: never kill(-1) */
		kill(tp, SIGTERM);
		waitpid(tp, NULL, 0);
	}
	report(fz_now() - t0);
	if (fz.fails) {
		printf("# [%s] %llu failures (the first %d shown)\n", role_name[role],
		       (unsigned long long)fz.fails, FAIL_MAX);
		ok = false;
	}
	if (refused()) {
		/* The fuzzer reached the permission check of every command. */
		for (c = 0; c <= DFC_CMD_MAX && max == UINT64_MAX; c++) {
			if (fz_known(c) && !fz.err[c][EPERM]) {
				printf("# [%s] %s never refused with EPERM\n", role_name[role], fz_cmd_name[c]);
				ok = false;
			}
		}
		return ok && fz.msgs ? 0 : 1;
	}
	/* Positive controls: the fuzzer reached both sides of every command. */
	for (c = 0; c <= DFC_CMD_MAX && max == UINT64_MAX; c++) {
		uint64_t nrefused = fz.sent[c] - fz.err[c][0];

		if (fz_known(c) && (!fz.err[c][0] || !nrefused)) {
			printf("# [%s] %s never %s\n", role_name[role], fz_cmd_name[c],
			       fz.err[c][0] ? "refused" : "accepted");
			ok = false;
		}
	}
	if ((err = stats(&s1))) {
		printf("# [%s] stats: %s\n", role_name[role], ename(err));
		return 1;
	}
	printf("# [%s] data path meanwhile: %llu frames seen, %llu matched\n", role_name[role],
	       (unsigned long long)(s1.seen - s0.seen), (unsigned long long)(s1.matched - s0.matched));
	if (s1.seen == s0.seen || s1.matched == s0.matched) {
		printf("# [%s] no traffic seen or matched while fuzzing\n", role_name[role]);
		ok = false;
	}
	if (!consistent())
		ok = false;
	return ok && !fz.fails ? 0 : 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: nl_fuzz [-s SEED] [-t SECONDS] [-n MESSAGES] [-r root,userns,foreign]\n");
	exit(2);
}

/* -r root,userns,foreign: only these senders (to reproduce one). */
static bool wanted(const char *only, enum role role)
{
	return !only || strstr(only, role_name[role]);
}

static int tap(int n, int status, const char *what)
{
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 1;

	if (code == 4)
		printf("ok %d %s # SKIP not run (-r), or no unprivileged user namespaces\n", n, what);
	else
		printf("%sok %d %s\n", code ? "not " : "", n, what);
	return code == 4 ? 0 : code;
}

int main(int argc, char **argv)
{
	const char *top = getenv("DFC_TOP"), *ko = getenv("DFC_KO"), *e;
	char path[4096], inject[4096];
	uint64_t max = UINT64_MAX;
	const char *only = NULL;
	double secs = 60, deadline;
	int opt, st_own = 0, st_foreign = 0, st_root, bad = 0;
	pid_t own, foreign;
	struct dfc_nl *nl;

	setvbuf(stdout, NULL, _IOLBF, 0);
	fz.seed = (uint64_t)time(NULL) * 2654435761u ^ (uint64_t)getpid();
	if ((e = getenv("NL_FUZZ_SEED")))
		fz.seed = strtoull(e, NULL, 0);
	if ((e = getenv("NL_FUZZ_TIME")))
		secs = atof(e);
	while ((opt = getopt(argc, argv, "s:t:n:r:")) != -1) {
		switch (opt) {
		case 'r': only = optarg; break;
		case 's': fz.seed = strtoull(optarg, NULL, 0); break;
		case 't': secs = atof(optarg); break;
		case 'n': max = strtoull(optarg, NULL, 0); break;
		default: usage();
		}
	}
	printf("TAP version 13\n");
	printf("# nl_fuzz: seed 0x%llx, %.0f s (reproduce: nl_fuzz -s 0x%llx -t %.0f)\n",
	       (unsigned long long)fz.seed, secs, (unsigned long long)fz.seed, secs);
	snprintf(path, sizeof(path), "%s/include/uapi/linux/dfc.h", top ? top : ".");
	if (fz_load_doc(path)) {
		printf("not ok 1 the documented errnos (%s)\n1..1\n", path);
		return 1;
	}
	snprintf(inject, sizeof(inject), "%.*sinject", (int)(strrchr(argv[0], '/') ? strrchr(argv[0], '/') - argv[0] + 1 : 0), argv[0]);
	if (access("/sys/module/dfc", F_OK)) {
		snprintf(path, sizeof(path), "insmod %s", ko ? ko : "dfc.ko");
		if (fz_run(path)) {
			printf("not ok 1 insmod\n1..1\n");
			return 1;
		}
	}
	nl = dfc_nl_open();
	if (!nl) {
		printf("not ok 1 family dfc: %s\n1..1\n", strerror(errno));
		return 1;
	}
	fz.fam = dfc_nl_family_id(nl);
	dfc_nl_close(nl);
	/* Room for batches of answers, also for the user namespaces' sockets. */
	fz_write_file("/proc/sys/net/core/rmem_max", "8388608");
	fz_write_file("/proc/sys/net/core/wmem_max", "8388608");
	fz_write_file("/proc/sys/kernel/unprivileged_userns_clone", "1");
	if (unshare(CLONE_NEWNET) || fz_net_setup()) {
		printf("not ok 1 network namespace and devices\n1..1\n");
		return 1;
	}
	deadline = fz_now() + secs;
	own = wanted(only, ROLE_OWN) ? fork() : -1;
	if (!own)
		_exit(sender(ROLE_OWN, deadline, max, inject));
	foreign = wanted(only, ROLE_FOREIGN) ? fork() : -1;
	if (!foreign)
		_exit(sender(ROLE_FOREIGN, deadline, max, inject));
	st_root = wanted(only, ROLE_ROOT) ? sender(ROLE_ROOT, deadline, max, inject) : 4;
	if (own < 0 || waitpid(own, &st_own, 0) < 0)
		st_own = 4 << 8;
	if (foreign < 0 || waitpid(foreign, &st_foreign, 0) < 0)
		st_foreign = 4 << 8;
	bad = tap(1, st_root << 8, "root: every answer documented, every command accepted and refused, traffic matched, state consistent");
	bad |= tap(2, st_own, "user namespace with its own network namespace: every request refused (EPERM past the netlink core's header checks)");
	bad |= tap(3, st_foreign, "user namespace without rights on root's network namespace: every request refused (EPERM past the netlink core's header checks)");
	printf("1..3\n");
	return bad ? 1 : 0;
}
