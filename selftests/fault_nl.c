// SPDX-License-Identifier: GPL-2.0
/*
 * fault_nl: fault.sh's helper. Runs every dfc command with allocation
 * failures injected into this task only, in the current network namespace
 * (which has veth v0/v1 and dummy d0 with routes to the destinations):
 *
 *   fault_nl nth      the N-th allocation fails (/proc/thread-self/fail-nth),
 *                     N = 1, 2, ... until the command runs without reaching
 *                     it: every allocation of every command fails once
 *   fault_nl slab     failslab with task-filter and make-it-fail, times 1,
 *                     space 0, 32, 64, ... bytes: the same by size
 *   fault_nl page     the same with fail_page_alloc, space in pages
 *   fault_nl dry      no fault: each command, and whether the state
 *                     snapshot sees what it changes (a positive control)
 *   fault_nl copy     the copy path (softirq, no task filter): failslab and
 *                     fail_page_alloc with a probability and a bounded
 *                     times during a burst of matching frames
 *
 * A command under a fault must answer 0, ENOMEM, or lose its answer
 * (ENOBUFS, when the ACK itself could not be allocated); the state
 * afterwards (interfaces, criteria, destinations, counters of the table)
 * must equal the state before if it failed, the state of a fault-free run
 * if it succeeded, and one of the two if the answer was lost. The table's
 * memory and mask count move on after a command (resizes wait for a grace
 * period, the worker retries what could not allocate): when they alone
 * differ, the fault point runs again from a settled setup, and settled,
 * must equal a fault-free run done the same way. Prints
 * "PASS name: ..." or "FAIL name: ..." per command, "# " lines otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/genetlink.h>
#include <linux/membarrier.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "dfc_nl.h"

#define DBG "/sys/kernel/debug/"
#define SNAP_CAP (256 * 1024)

static struct mnl_socket *nl;
static uint16_t fam;
static uint32_t seq;
static uint8_t buf[128 * 1024] __attribute__((aligned(8)));
static uint8_t rbuf[512 * 1024] __attribute__((aligned(8)));
static const char *inject = "inject";

static int sock_open(void)
{
	int one = 1;
	struct timeval tv = { .tv_sec = 30 };

	if (nl)
		mnl_socket_close(nl);
	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl || mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one)) ||
	    setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID)) {
		perror("fault_nl: socket");
		exit(1);
	}
	return 0;
}

static struct nlmsghdr *req(uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = fam;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = DFC_GENL_VERSION;
	return nlh;
}

typedef void (*reply_cb)(const struct nlmsghdr *nlh, void *data);

/* Send nlh; replies to cb; 0 or -errno of the ACK/DONE, or of send/recv. */
static int talk(struct nlmsghdr *nlh, reply_cb cb, void *data)
{
	const struct nlmsghdr *r;
	int len;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		len = (int)mnl_socket_recvfrom(nl, rbuf, sizeof(rbuf));
		if (len < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		for (r = (void *)rbuf; mnl_nlmsg_ok(r, len); r = mnl_nlmsg_next(r, &len)) {
			if (r->nlmsg_seq != nlh->nlmsg_seq)
				continue;
			if (r->nlmsg_type == NLMSG_ERROR || r->nlmsg_type == NLMSG_DONE)
				return *(const int *)mnl_nlmsg_get_payload(r);
			if (cb)
				cb(r, data);
		}
	}
}

/* A request of the setup, which must work. */
static void must(struct nlmsghdr *nlh, const char *what, int ok2)
{
	int err = talk(nlh, NULL, NULL);

	if (err && err != -ok2) {
		printf("# setup: %s: %s\n", what, strerror(-err));
		exit(1);
	}
}

/* The state a command may change, without counters and clocks. */
struct snap { size_t n; char s[SNAP_CAP]; };

static void put_attrs(struct snap *sn, const struct nlattr *at, int len, const uint64_t keep,
		      const uint64_t shape)
{
	const char *end = (const char *)at + len;

	for (; mnl_attr_ok(at, (int)(end - (const char *)at)); at = mnl_attr_next(at)) {
		uint16_t t = mnl_attr_get_type(at), i;
		const uint8_t *p = mnl_attr_get_payload(at);

		if (t >= 64 || !((keep | shape) >> t & 1))
			continue;
		sn->n += snprintf(sn->s + sn->n, SNAP_CAP - sn->n, " %u", t);
		for (i = 0; keep >> t & 1 && i < mnl_attr_get_payload_len(at) && sn->n < SNAP_CAP - 4; i++)
			sn->n += snprintf(sn->s + sn->n, SNAP_CAP - sn->n, "%s%02x", i ? "" : "=", p[i]);
	}
}

#define B(x) (1ULL << (x))

static void snap_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	int len = (int)(nlh->nlmsg_len - MNL_NLMSG_HDRLEN - GENL_HDRLEN);
	const struct nlattr *a = mnl_nlmsg_get_payload_offset(nlh, GENL_HDRLEN);
	struct snap *sn = data;

	if (sn->n > SNAP_CAP - 256)
		return;
	sn->n += snprintf(sn->s + sn->n, SNAP_CAP - sn->n, "\n%u:", g->cmd);
	switch (g->cmd) {
	case DFC_CMD_IFACE_GET:
		put_attrs(sn, a, len, B(DFC_IFACE_A_IFINDEX) | B(DFC_IFACE_A_FLAGS), 0);
		break;
	case DFC_CMD_STATS_GET:
		put_attrs(sn, a, len, B(DFC_STATS_A_IFACES) | B(DFC_STATS_A_CRITS) |
			  B(DFC_STATS_A_MAX_CRITS) | B(DFC_STATS_A_MASKS) | B(DFC_STATS_A_MAX_MASKS) |
			  B(DFC_STATS_A_ENTRIES) | B(DFC_STATS_A_TABLE_MEM) | B(DFC_STATS_A_MAX_DUP) |
			  B(DFC_STATS_A_DUP_PERIOD) | B(DFC_STATS_A_COPY_MARK) |
			  B(DFC_STATS_A_FRAG_MAX) | B(DFC_STATS_A_FRAG_TIMEOUT) |
			  B(DFC_STATS_A_FRAG_HOLD_MAX), 0);
		break;
	case DFC_CMD_CDEST_GET:
		put_attrs(sn, a, len, ~(B(DFC_CDEST_A_PAD) | B(DFC_CDEST_A_STATS)), 0);
		break;
	case DFC_CMD_CRIT_GET:
		put_attrs(sn, a, len, B(DFC_A_OWNER), 0);
		mnl_attr_for_each(a, nlh, GENL_HDRLEN)
			if (mnl_attr_get_type(a) == DFC_A_CRIT)
				put_attrs(sn, mnl_attr_get_payload(a), mnl_attr_get_payload_len(a),
					  B(DFC_CRIT_A_ID) | B(DFC_CRIT_A_PRIO) | B(DFC_CRIT_A_FLAGS) |
					  B(DFC_CRIT_A_CDEST) | B(DFC_CRIT_A_BLOB) |
					  B(DFC_CRIT_A_N_REFRESH) | B(DFC_CRIT_A_N_ENTRIES) |
					  B(DFC_CRIT_A_N_EXCL),
					  /* left of a limit changes with time: there or not */
					  B(DFC_CRIT_A_TIMEOUT_TOTAL) | B(DFC_CRIT_A_TIMEOUT_IDLE) |
					  B(DFC_CRIT_A_LIMIT_PACKETS) | B(DFC_CRIT_A_LIMIT_BYTES));
	}
}

static void snap(struct snap *sn)
{
	static const uint8_t cmds[] = { DFC_CMD_IFACE_GET, DFC_CMD_CRIT_GET, DFC_CMD_CDEST_GET };
	unsigned int i;
	int err;

	sn->n = 0;
	for (i = 0; i < sizeof(cmds); i++)
		if ((err = talk(req(cmds[i], NLM_F_DUMP), snap_cb, sn))) {
			printf("# snapshot dump %u: %s\n", cmds[i], strerror(-err));
			exit(1);
		}
	if ((err = talk(req(DFC_CMD_STATS_GET, 0), snap_cb, sn))) {
		printf("# snapshot stats: %s\n", strerror(-err));
		exit(1);
	}
}

/*
 * sn without the values of the counters the module's worker settles after
 * a command: the table's memory and its mask count (an empty mask stays
 * until a compaction succeeds). They are in the stats line, the last one.
 */
static void strip_settling(const struct snap *sn, struct snap *out)
{
	static const uint16_t attrs[] = { DFC_STATS_A_MASKS, DFC_STATS_A_TABLE_MEM };
	char key[32];
	const char *line;
	size_t i;

	*out = *sn;
	snprintf(key, sizeof(key), "\n%u:", DFC_CMD_STATS_GET);
	line = memmem(out->s, out->n, key, strlen(key));
	for (i = 0; line && i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		char *v;
		size_t len;

		snprintf(key, sizeof(key), " %u=", attrs[i]);
		v = memmem(line, out->n - (size_t)(line - out->s), key, strlen(key));
		if (!v)
			continue;
		v += strlen(key);
		len = strcspn(v, " \n");
		memmove(v, v + len, out->n - (size_t)(v + len - out->s));
		out->n -= len;
	}
}

static bool snap_eq(const struct snap *a, const struct snap *b)
{
	return a->n == b->n && !memcmp(a->s, b->s, a->n);
}

/* Equal but for the counters the worker settles (strip_settling()). */
static bool snap_eq_but_mem(const struct snap *a, const struct snap *b)
{
	static struct snap sa, sb;

	strip_settling(a, &sa);
	strip_settling(b, &sb);
	return snap_eq(&sa, &sb);
}

/* An attribute's value as the snapshot holds it: hex bytes; numbers decoded. */
static void show_val(const char *tok, size_t n, char *out, size_t cap)
{
	const char *eq = memchr(tok, '=', n);
	size_t hex = eq ? n - (size_t)(eq - tok) - 1 : 0, i;
	unsigned long long v = 0;

	if (!eq || !hex || hex > 16 || hex % 2) {
		snprintf(out, cap, "%.*s", (int)(n > 80 ? 80 : n), tok);
		return;
	}
	for (i = hex; i > 0; i -= 2) {	/* little endian */
		char b[3] = { eq[i - 1], eq[i], 0 };

		v = v << 8 | strtoul(b, NULL, 16);
	}
	snprintf(out, cap, "%.*s=%llu", (int)(eq - tok), tok, v);
}

/* The end of the line at p (lines start with their newline), or e. */
static const char *line_end(const char *p, const char *e)
{
	const char *n = p + 1 < e ? memchr(p + 1, '\n', (size_t)(e - p - 1)) : NULL;

	return n ? n : e;
}

/* The next space-separated token of [*p, e): *p at its start, its length. */
static size_t token(const char **p, const char *e)
{
	size_t n = 0;

	while (*p < e && **p == ' ')
		(*p)++;
	while (*p + n < e && (*p)[n] != ' ')
		n++;
	return n;
}

/*
 * Every attribute that differs between two snapshots, as "# " lines: line
 * by line (a command's answer, an object in dump order), token by token.
 */
static void snap_diff(const char *name, const struct snap *got, const struct snap *want)
{
	const char *pa = got->s, *ea = got->s + got->n, *pb = want->s, *eb = want->s + want->n;
	unsigned int line = 0, shown = 0;

	while ((pa < ea || pb < eb) && shown < 40) {
		const char *na = line_end(pa, ea), *nb = line_end(pb, eb);
		const char *ta = pa < na ? memchr(pa, ':', (size_t)(na - pa)) : NULL;
		const char *tb = pb < nb ? memchr(pb, ':', (size_t)(nb - pb)) : NULL;
		const char *h = ta ? pa : pb;
		int hn = ta ? (int)(ta - pa) : tb ? (int)(tb - pb) : 0;

		line++;
		ta = ta ? ta + 1 : na;
		tb = tb ? tb + 1 : nb;
		if (na - pa != nb - pb || memcmp(pa, pb, (size_t)(na - pa))) {
			while ((ta < na || tb < nb) && shown < 40) {
				size_t sa = token(&ta, na), sb = token(&tb, nb);
				char va[96], vb[96];

				if (sa != sb || memcmp(ta, tb, sa)) {
					show_val(ta, sa, va, sizeof(va));
					show_val(tb, sb, vb, sizeof(vb));
					printf("# %s: line %u (command %.*s): %s, expected %s\n", name, line,
					       hn > 1 ? hn - 1 : 0, h + 1, sa ? va : "(nothing)",
					       sb ? vb : "(nothing)");
					shown++;
				}
				ta += sa;
				tb += sb;
			}
		}
		pa = na;
		pb = nb;
	}
}

/*
 * A mask's hash table is resized to fit its entries at most once per RCU
 * grace period; a resize that had to wait is done by the module's worker
 * (every second), and one whose allocation failed is retried there too.
 * So the table-memory counter moves on after a command. Settled: after a
 * grace period (MEMBARRIER_CMD_GLOBAL waits for one) and a worker tick,
 * twice the same snapshot. Bounded: 20 rounds.
 */
static bool settle(struct snap *sn)
{
	static struct snap prev;
	unsigned int i;

	snap(&prev);
	for (i = 0; i < 20; i++) {
		if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0)) {
			perror("fault_nl: membarrier");
			exit(1);
		}
		usleep(1200 * 1000);
		snap(sn);
		if (snap_eq(sn, &prev))
			return true;
		prev = *sn;
	}
	return false;
}

static const uint8_t a4[4] = { 198, 51, 100, 1 };
static const uint8_t a6[16] = { 0x20, 1, 0x0d, 0xb8, 0, 0xff, [15] = 1 };

static void cdest(uint32_t id, uint32_t cmd)
{
	struct nlmsghdr *nlh = req((uint8_t)cmd, 0);

	mnl_attr_put_u32(nlh, DFC_CDEST_A_ID, id);
	mnl_attr_put(nlh, DFC_CDEST_A_ADDR, 4, a4);
	if (cmd == DFC_CMD_CDEST_NEW)
		must(nlh, "cdest", EEXIST);
}

static void iface(uint8_t cmd, int ok2)
{
	struct nlmsghdr *nlh = req(cmd, 0);

	mnl_attr_put_strz(nlh, DFC_IFACE_A_IFNAME, "v1");
	must(nlh, "iface", ok2);
}

/* One criterion: n entries (UDP to 192.0.2.2, dport 9 or 1000 + i), nx exclusions. */
static void crit(struct nlmsghdr *nlh, uint64_t id, unsigned int n, unsigned int nx, size_t blob,
		 bool statik, uint32_t cd)
{
	static const uint8_t dst[4] = { 192, 0, 2, 2 }, b[DFC_CRIT_BLOB_MAX];
	struct nlattr *c = mnl_attr_nest_start(nlh, DFC_A_CRIT), *e;
	unsigned int i;

	mnl_attr_put_u64(nlh, DFC_CRIT_A_ID, id);
	if (statik)
		mnl_attr_put_u32(nlh, DFC_CRIT_A_FLAGS, DFC_CRIT_F_STATIC);
	else
		mnl_attr_put_u64(nlh, DFC_CRIT_A_LIMIT_PACKETS, 1000000);
	if (cd)
		mnl_attr_put_u32(nlh, DFC_CRIT_A_CDEST, cd);
	if (blob)
		mnl_attr_put(nlh, DFC_CRIT_A_BLOB, blob, b);
	for (i = 0; i < n + nx; i++) {
		e = mnl_attr_nest_start(nlh, i < n ? DFC_CRIT_A_ENTRY : DFC_CRIT_A_EXCL);
		mnl_attr_put_u8(nlh, DFC_ENTRY_A_IPVER, 4);
		mnl_attr_put(nlh, DFC_ENTRY_A_DST, 4, dst);
		mnl_attr_put_u8(nlh, DFC_ENTRY_A_PROTO, 17);
		mnl_attr_put_u16(nlh, DFC_ENTRY_A_DPORT, (uint16_t)(i ? 1000 + i : 9));
		mnl_attr_nest_end(nlh, e);
	}
	mnl_attr_nest_end(nlh, c);
}

static struct nlmsghdr *crits_msg(void)
{
	struct nlmsghdr *nlh = req(DFC_CMD_CRIT_NEW, 0);
	unsigned int i;

	mnl_attr_put_u32(nlh, DFC_A_OWNER, 1);
	for (i = 1; i <= 8; i++)
		crit(nlh, i, 1 + i % 3, i % 4 == 0, i % 3 ? 0 : 100, i == 5, i % 2);
	return nlh;
}

/* Known state: nothing of ours; then what a case needs. */
static void base(void)
{
	struct nlmsghdr *nlh;
	uint32_t o;

	for (o = 1; o <= 2; o++) {
		nlh = req(DFC_CMD_CRIT_DEL, 0);
		mnl_attr_put_u32(nlh, DFC_A_OWNER, o);
		mnl_attr_put_u32(nlh, DFC_A_FLAGS, DFC_CRIT_F_STATIC);
		must(nlh, "crit del", 0);
		nlh = req(DFC_CMD_CDEST_DEL, 0);
		mnl_attr_put_u32(nlh, DFC_CDEST_A_ID, o);
		mnl_attr_put(nlh, DFC_CDEST_A_FORCE, 0, NULL);
		must(nlh, "cdest del", ENOENT);
	}
	iface(DFC_CMD_IFACE_DEL, ENOENT);
	nlh = req(DFC_CMD_LIMITS_SET, 0);
	mnl_attr_put_u32(nlh, DFC_STATS_A_MAX_CRITS, 1U << 20);
	mnl_attr_put_u32(nlh, DFC_STATS_A_MAX_MASKS, 128);
	must(nlh, "limits", 0);
}

static void s_base(void) { base(); }
static void s_iface(void) { base(); iface(DFC_CMD_IFACE_NEW, 0); }
static void s_cdest(void) { base(); iface(DFC_CMD_IFACE_NEW, 0); cdest(1, DFC_CMD_CDEST_NEW); }
static void s_crits(void) { s_cdest(); must(crits_msg(), "crits", 0); }

static struct nlmsghdr *c_iface(uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = req(cmd, flags);

	if (!flags)
		mnl_attr_put_strz(nlh, DFC_IFACE_A_IFNAME, "v1");
	return nlh;
}

static struct nlmsghdr *c_iface_new(void) { return c_iface(DFC_CMD_IFACE_NEW, 0); }
static struct nlmsghdr *c_iface_del(void) { return c_iface(DFC_CMD_IFACE_DEL, 0); }
static struct nlmsghdr *c_iface_get(void) { return c_iface(DFC_CMD_IFACE_GET, 0); }
static struct nlmsghdr *c_iface_dump(void) { return c_iface(DFC_CMD_IFACE_GET, NLM_F_DUMP); }
static struct nlmsghdr *c_stats(void) { return req(DFC_CMD_STATS_GET, 0); }
static struct nlmsghdr *c_crit_new(void) { return crits_msg(); }

static struct nlmsghdr *c_crit_big(void)
{
	struct nlmsghdr *nlh = req(DFC_CMD_CRIT_NEW, 0);

	mnl_attr_put_u32(nlh, DFC_A_OWNER, 2);
	crit(nlh, 1, DFC_CRIT_MAX_ENTRIES, DFC_CRIT_MAX_EXCL, DFC_CRIT_BLOB_MAX, false, 1);
	return nlh;
}

static struct nlmsghdr *c_crit_del(int how)
{
	struct nlmsghdr *nlh = req(DFC_CMD_CRIT_DEL, 0);

	mnl_attr_put_u32(nlh, DFC_A_OWNER, 1);
	if (how == 0)
		mnl_attr_put_u64(nlh, DFC_A_ID, 3);
	if (how == 1)
		mnl_attr_put_u32(nlh, DFC_A_CDEST, 1);
	mnl_attr_put_u32(nlh, DFC_A_FLAGS, DFC_CRIT_F_STATIC);
	return nlh;
}

static struct nlmsghdr *c_del_id(void) { return c_crit_del(0); }
static struct nlmsghdr *c_del_cdest(void) { return c_crit_del(1); }
static struct nlmsghdr *c_del_owner(void) { return c_crit_del(2); }

static struct nlmsghdr *c_refresh(void)
{
	struct nlmsghdr *nlh = req(DFC_CMD_CRIT_REFRESH, 0);
	struct nlattr *c;

	mnl_attr_put_u32(nlh, DFC_A_OWNER, 1);
	c = mnl_attr_nest_start(nlh, DFC_A_CRIT);
	mnl_attr_put_u64(nlh, DFC_CRIT_A_ID, 2);
	mnl_attr_put_u32(nlh, DFC_CRIT_A_TIMEOUT_TOTAL, 600);
	mnl_attr_nest_end(nlh, c);
	return nlh;
}

static struct nlmsghdr *c_crit_get(void)
{
	struct nlmsghdr *nlh = req(DFC_CMD_CRIT_GET, 0);

	mnl_attr_put_u32(nlh, DFC_A_OWNER, 1);
	mnl_attr_put_u64(nlh, DFC_A_ID, 4);
	return nlh;
}

static struct nlmsghdr *c_crit_get1(void)
{
	struct nlmsghdr *nlh = req(DFC_CMD_CRIT_GET, 0);

	mnl_attr_put_u32(nlh, DFC_A_OWNER, 1);
	mnl_attr_put_u64(nlh, DFC_A_ID, 1);
	return nlh;
}

static struct nlmsghdr *c_crit_dump(void) { return req(DFC_CMD_CRIT_GET, NLM_F_DUMP); }

static struct nlmsghdr *c_limits(void)
{
	struct nlmsghdr *nlh = req(DFC_CMD_LIMITS_SET, 0);

	mnl_attr_put_u32(nlh, DFC_STATS_A_MAX_CRITS, 5000);
	mnl_attr_put_u32(nlh, DFC_STATS_A_MAX_MASKS, 64);
	return nlh;
}

static struct nlmsghdr *c_cdest_new(void)
{
	struct nlmsghdr *nlh = req(DFC_CMD_CDEST_NEW, 0);

	mnl_attr_put_u32(nlh, DFC_CDEST_A_ID, 2);
	mnl_attr_put(nlh, DFC_CDEST_A_ADDR, 16, a6);
	mnl_attr_put_u8(nlh, DFC_CDEST_A_ENCAP, DFC_ENCAP_UDP);
	mnl_attr_put_u16(nlh, DFC_CDEST_A_DPORT, 4789);
	mnl_attr_put_strz(nlh, DFC_CDEST_A_NAME, "collector");
	mnl_attr_put_u64(nlh, DFC_CDEST_A_HARD_LIMIT, 1000000);
	return nlh;
}

static struct nlmsghdr *c_cdest_set(void)
{
	struct nlmsghdr *nlh = req(DFC_CMD_CDEST_SET, 0);

	mnl_attr_put_u32(nlh, DFC_CDEST_A_ID, 1);
	mnl_attr_put(nlh, DFC_CDEST_A_ADDR, 16, a6);
	mnl_attr_put_u64(nlh, DFC_CDEST_A_SOFT_LIMIT, 5000);
	return nlh;
}

static struct nlmsghdr *c_cdest_del(void)
{
	struct nlmsghdr *nlh = req(DFC_CMD_CDEST_DEL, 0);

	mnl_attr_put_u32(nlh, DFC_CDEST_A_ID, 1);
	mnl_attr_put(nlh, DFC_CDEST_A_FORCE, 0, NULL);
	return nlh;
}

static struct nlmsghdr *c_cdest_get(void)
{
	struct nlmsghdr *nlh = req(DFC_CMD_CDEST_GET, 0);

	mnl_attr_put_u32(nlh, DFC_CDEST_A_ID, 1);
	return nlh;
}

static struct nlmsghdr *c_cdest_dump(void) { return req(DFC_CMD_CDEST_GET, NLM_F_DUMP); }

static struct nlmsghdr *c_owner(void)
{
	struct nlmsghdr *nlh = req(DFC_CMD_OWNER_SET, 0);

	mnl_attr_put_u32(nlh, DFC_A_OWNER, 1);
	mnl_attr_put_u32(nlh, DFC_A_MAX_DUP, 2);
	return nlh;
}

static const struct fcase {
	const char *name;
	void (*setup)(void);
	struct nlmsghdr *(*build)(void);
	bool changes;	/* visibly: owner settings cannot be read back */
} cases[] = {
	{ "iface-new", s_base, c_iface_new, true },
	{ "iface-del", s_iface, c_iface_del, true },
	{ "iface-get", s_iface, c_iface_get, false },
	{ "iface-dump", s_iface, c_iface_dump, false },
	{ "stats-get", s_crits, c_stats, false },
	{ "crit-new-batch", s_cdest, c_crit_new, true },
	{ "crit-new-caps", s_cdest, c_crit_big, true },
	{ "crit-del-id", s_crits, c_del_id, true },
	{ "crit-del-cdest", s_crits, c_del_cdest, true },
	{ "crit-del-owner", s_crits, c_del_owner, true },
	{ "crit-refresh", s_crits, c_refresh, true },
	{ "crit-get", s_crits, c_crit_get, false },
	{ "crit-dump", s_crits, c_crit_dump, false },
	{ "limits-set", s_crits, c_limits, true },
	{ "cdest-new", s_cdest, c_cdest_new, true },
	{ "cdest-set", s_crits, c_cdest_set, true },
	{ "cdest-del", s_crits, c_cdest_del, true },
	{ "cdest-get", s_cdest, c_cdest_get, false },
	{ "cdest-dump", s_cdest, c_cdest_dump, false },
	{ "owner-set", s_base, c_owner, false },
};

static int wfile(const char *path, const char *fmt, long v)
{
	char s[32];
	int fd = open(path, O_WRONLY), n = snprintf(s, sizeof(s), fmt, v), ok;

	if (fd < 0)
		return -1;
	ok = write(fd, s, (size_t)n) == n;
	close(fd);
	return ok ? 0 : -1;
}

static long rfile(const char *path)
{
	char s[32] = "";
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, s, sizeof(s) - 1);

	if (fd >= 0)
		close(fd);
	return n > 0 ? strtol(s, NULL, 10) : -1;
}

/* mode "slab": failslab's file, "page": fail_page_alloc's. */
static const char *attr_path(const char *mode, const char *file)
{
	static char p[128];

	snprintf(p, sizeof(p), DBG "%s/%s", strcmp(mode, "page") ? "failslab" : "fail_page_alloc", file);
	return p;
}

/* Arm, run one command, disarm: its errno; *hit when the fault was injected. */
static int faulted(const char *mode, long arg, struct nlmsghdr *nlh, bool *hit)
{
	static int nth = -1, mif = -1;
	int err;

	if (!strcmp(mode, "nth")) {
		char s[16];
		int n = snprintf(s, sizeof(s), "%ld", arg);

		if (nth < 0 && (nth = open("/proc/thread-self/fail-nth", O_RDWR)) < 0) {
			perror("fault_nl: fail-nth");
			exit(1);
		}
		if (pwrite(nth, s, (size_t)n, 0) != n)
			exit(1);
		err = talk(nlh, NULL, NULL);
		n = (int)pread(nth, s, sizeof(s) - 1, 0);
		s[n > 0 ? n : 0] = 0;
		*hit = !strtol(s, NULL, 10);
		if (pwrite(nth, "0", 1, 0) != 1)
			exit(1);
		return err;
	}
	/*
	 * The first allocation past arg bytes of this task fails, once. The
	 * flag is written through a file opened beforehand: an open() after
	 * the command would be the allocation that fails.
	 */
	if (mif < 0 && (mif = open("/proc/thread-self/make-it-fail", O_WRONLY)) < 0) {
		perror("fault_nl: make-it-fail");
		exit(1);
	}
	if (wfile(attr_path(mode, "space"), "%ld", arg) || wfile(attr_path(mode, "times"), "%ld", 1) ||
	    pwrite(mif, "1", 1, 0) != 1)
		exit(1);
	err = talk(nlh, NULL, NULL);
	if (pwrite(mif, "0", 1, 0) != 1)
		exit(1);
	*hit = rfile(attr_path(mode, "times")) == 0;
	wfile(attr_path(mode, "times"), "%ld", 0);
	return err;
}

/*
 * A case's two states, settled: after its setup (s[0]) and after a
 * fault-free run of its command from the settled setup (s[1]); taken
 * when first needed.
 */
struct refs { struct snap s[2]; bool have[2]; };

/*
 * Whether the fault at arg leaves the right state when the table's memory
 * or mask count alone differed: a mask's hash table size depends on when
 * its resizes ran (at most one per grace period, the rest by the worker,
 * and shrinking with hysteresis), not only on its entries, and an empty
 * mask stays until the worker's compaction. So the same fault point runs
 * again from a settled setup and settles, and must equal a fault-free run
 * done the same way (or the settled setup, if it failed). Prints how the
 * state differs if it does not.
 */
static bool redo_settled(const struct fcase *c, const char *mode, long arg, struct refs *r,
			 struct snap *a)
{
	const struct snap *want;
	bool hit;
	int err;

	if (!r->have[0]) {
		c->setup();
		r->have[0] = settle(&r->s[0]);
	}
	if (!r->have[1]) {
		c->setup();
		settle(&r->s[1]);
		if (talk(c->build(), NULL, NULL))
			exit(1);
		r->have[1] = settle(&r->s[1]);
	}
	if (!r->have[0] || !r->have[1]) {
		printf("# %s: the table's memory did not settle\n", c->name);
		return false;
	}
	c->setup();
	settle(a);
	err = faulted(mode, arg, c->build(), &hit);
	sock_open();
	if (!settle(a))
		printf("# %s: the table's memory did not settle\n", c->name);
	want = &r->s[err ? 0 : 1];
	if (snap_eq(a, want) || (err == -ENOBUFS && snap_eq(a, &r->s[1])))
		return true;
	printf("# %s: fault %ld again from a settled setup (%s), settled:\n", c->name, arg,
	       err ? strerror(-err) : "success");
	snap_diff(c->name, a, want);
	return false;
}

/* a is want, or differs in the table's memory alone and passes redo_settled(). */
static bool same_state(const struct fcase *c, const char *mode, long arg, struct snap *a,
		       const struct snap *want, struct refs *r, bool *dirty)
{
	if (snap_eq(a, want))
		return true;
	if (!snap_eq_but_mem(a, want))
		return false;
	*dirty = true;
	return redo_settled(c, mode, arg, r, a);
}

static bool run_case(const struct fcase *c, const char *mode)
{
	static struct snap ok, before, after;
	static struct refs r;
	unsigned int nomem = 0, lost = 0, despite = 0, points = 0;
	long arg = !strcmp(mode, "nth");
	bool hit = true, dirty = true, pass = true, unchanged;
	int err;

	memset(r.have, 0, sizeof(r.have));
	c->setup();
	snap(&before);
	if ((err = talk(c->build(), NULL, NULL))) {
		printf("FAIL %s: without a fault: %s\n", c->name, strerror(-err));
		return false;
	}
	snap(&ok);
	/* Positive control: the snapshot sees what the command changes. */
	unchanged = snap_eq(&ok, &before);
	if (!unchanged && !c->changes && snap_eq_but_mem(&ok, &before)) {
		/* A resize still to come? The settled states must be equal. */
		settle(&ok);
		c->setup();
		settle(&before);
		unchanged = snap_eq(&ok, &before);
	}
	if (c->changes == unchanged) {
		printf("FAIL %s: the state %s without a fault\n", c->name,
		       c->changes ? "did not change" : "changed");
		snap_diff(c->name, &ok, &before);
		return false;
	}
	if (!strcmp(mode, "dry")) {
		printf("PASS %s: %zu bytes of state, %s by the command\n", c->name, ok.n,
		       c->changes ? "changed" : "unchanged");
		return true;
	}
	while (hit && points < 5000) {
		if (dirty)
			c->setup();
		snap(&before);
		err = faulted(mode, arg, c->build(), &hit);
		sock_open();	/* a dump cut short must not linger */
		snap(&after);
		points += hit;
		dirty = err != -ENOMEM;
		if (err == 0) {
			despite += hit;
			if (!same_state(c, mode, arg, &after, &ok, &r, &dirty)) {
				printf("# %s: fault %ld: success, but the state differs from a fault-free run\n",
				       c->name, arg);
				if (!snap_eq_but_mem(&after, &ok))
					snap_diff(c->name, &after, &ok);
				pass = false;
			}
		} else if (err == -ENOMEM) {
			nomem++;
			if (!same_state(c, mode, arg, &after, &before, &r, &dirty)) {
				printf("# %s: fault %ld: ENOMEM, but the state changed\n", c->name, arg);
				if (!snap_eq_but_mem(&after, &before))
					snap_diff(c->name, &after, &before);
				pass = false;
			}
		} else if (err == -ENOBUFS) {
			lost++;
			if (!snap_eq(&after, &before) && !snap_eq(&after, &ok) &&
			    !((snap_eq_but_mem(&after, &before) || snap_eq_but_mem(&after, &ok)) &&
			      redo_settled(c, mode, arg, &r, &after))) {
				printf("# %s: fault %ld: answer lost, and the state is neither before nor after\n",
				       c->name, arg);
				if (!snap_eq_but_mem(&after, &ok))
					snap_diff(c->name, &after, &ok);
				pass = false;
			}
		} else {
			printf("# %s: fault %ld: %s (only ENOMEM, or a lost answer, is an allocation failure)\n",
			       c->name, arg, strerror(-err));
			pass = false;
			dirty = true;
		}
		if (!pass)
			break;
		arg += !strcmp(mode, "nth") ? 1 : !strcmp(mode, "page") ? 4096 : 32;
	}
	printf("%s %s: %u allocations failed in turn: ENOMEM %u, answer lost %u, succeeded anyway %u\n",
	       pass && points ? "PASS" : "FAIL", c->name, points, nomem, lost, despite);
	return pass && points;
}

/* Counters of destination 1 and of criterion (1, 1). */
struct ctr { uint64_t packets, copies, drops, nomem; };

static void ctr_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	struct ctr *c = data;
	const struct nlattr *a, *b;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		if (g->cmd == DFC_CMD_CRIT_GET && mnl_attr_get_type(a) == DFC_A_CRIT)
			mnl_attr_for_each_nested(b, a)
				if (mnl_attr_get_type(b) == DFC_CRIT_A_PACKETS)
					c->packets = mnl_attr_get_u64(b);
		if (g->cmd != DFC_CMD_CDEST_GET || mnl_attr_get_type(a) != DFC_CDEST_A_STATS)
			continue;
		mnl_attr_for_each_nested(b, a) {
			uint16_t t = mnl_attr_get_type(b);

			if (t == DFC_CSTATS_A_COPIES)
				c->copies = mnl_attr_get_u64(b);
			else if (t >= DFC_CSTATS_A_NOMEM && t <= DFC_CSTATS_A_DUPCAP)
				c->drops += mnl_attr_get_u64(b);
			if (t == DFC_CSTATS_A_NOMEM)
				c->nomem = mnl_attr_get_u64(b);
		}
	}
}

static void counters(struct ctr *c)
{
	memset(c, 0, sizeof(*c));
	if (talk(c_cdest_get(), ctr_cb, c) || talk(c_crit_get1(), ctr_cb, c)) {
		printf("# copy: counters unreadable\n");
		exit(1);
	}
}

static void burst(const char *len, const char *n)
{
	pid_t pid = fork();
	int st;

	if (!pid) {
		if (!freopen("/dev/null", "w", stdout))
			_exit(1);
		execl(inject, "inject", "-i", "v0", "-n", n, "-l", len, (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &st, 0);
}

/*
 * The copy path allocates in softirq, where no task filter applies: a
 * probability and a bounded times, only for allocations that cannot sleep
 * (so that the rest of the guest goes on), during a burst of frames.
 */
static bool copy_path(const char *attr, const char *len, int hits)
{
	static const char *const knobs[][2] = {
		{ "task-filter", "N" }, { "ignore-gfp-wait", "Y" }, { "verbose", "0" },
		{ "interval", "1" }, { "space", "0" },
	};
	struct nlmsghdr *nlh;
	struct ctr c0, c1;
	char p[128];
	unsigned int i;
	long left;

	s_cdest();
	nlh = req(DFC_CMD_CRIT_NEW, 0);
	mnl_attr_put_u32(nlh, DFC_A_OWNER, 1);
	crit(nlh, 1, 1, 0, 0, true, 1);
	must(nlh, "copy criterion", 0);
	counters(&c0);
	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		snprintf(p, sizeof(p), DBG "%s/%s", attr, knobs[i][0]);
		FILE *f = fopen(p, "w");

		if (!f || fputs(knobs[i][1], f) < 0 || fclose(f)) {
			printf("# copy: %s: %s\n", p, strerror(errno));
			return false;
		}
	}
	snprintf(p, sizeof(p), DBG "%s/times", attr);
	wfile(p, "%ld", hits);
	snprintf(p, sizeof(p), DBG "%s/probability", attr);
	wfile(p, "%ld", 20);
	burst(len, "1000");
	wfile(p, "%ld", 0);
	snprintf(p, sizeof(p), DBG "%s/times", attr);
	left = rfile(p);
	counters(&c1);
	printf("# copy, %s, %s-byte frames: %ld faults injected; %llu frames matched, %llu copies, %llu dropped (%llu for memory)\n",
	       attr, len, hits - left, (unsigned long long)(c1.packets - c0.packets),
	       (unsigned long long)(c1.copies - c0.copies), (unsigned long long)(c1.drops - c0.drops),
	       (unsigned long long)(c1.nomem - c0.nomem));
	if (c1.packets == c0.packets || c1.nomem == c0.nomem ||
	    c1.copies - c0.copies + c1.drops - c0.drops != c1.packets - c0.packets) {
		printf("FAIL copy-%s: every matched frame is a copy or a counted drop, some for memory\n", attr);
		return false;
	}
	printf("PASS copy-%s: every matched frame is a copy or a counted drop, %llu for memory\n", attr,
	       (unsigned long long)(c1.nomem - c0.nomem));
	return true;
}

int main(int argc, char **argv)
{
	static const char *const nth_knobs[][2] = {
		{ "failslab/ignore-gfp-wait", "N" }, { "failslab/verbose", "0" },
		{ "failslab/probability", "0" }, { "fail_page_alloc/ignore-gfp-wait", "N" },
		{ "fail_page_alloc/verbose", "0" }, { "fail_page_alloc/probability", "0" },
		{ "fail_page_alloc/min-order", "0" },
		/* slab and page: task filter, every call, only make-it-fail tasks */
		{ "failslab/task-filter", "Y" }, { "fail_page_alloc/task-filter", "Y" },
		{ "failslab/interval", "1" }, { "fail_page_alloc/interval", "1" },
		{ "failslab/times", "0" }, { "fail_page_alloc/times", "0" },
	};
	const char *mode = argc > 1 ? argv[1] : "";
	struct dfc_nl *h;
	unsigned int i, failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 2)
		inject = argv[2];
	h = dfc_nl_open();
	if (!h) {
		printf("# family dfc: %s\n", strerror(errno));
		return 1;
	}
	fam = dfc_nl_family_id(h);
	dfc_nl_close(h);
	sock_open();
	for (i = 0; strcmp(mode, "dry") && i < sizeof(nth_knobs) / sizeof(nth_knobs[0]); i++) {
		char p[128];
		FILE *f;

		snprintf(p, sizeof(p), DBG "%s", nth_knobs[i][0]);
		f = fopen(p, "w");

		if (!f || fputs(nth_knobs[i][1], f) < 0 || fclose(f)) {
			printf("# %s: %s\n", nth_knobs[i][0], strerror(errno));
			return 1;
		}
	}
	if (!strcmp(mode, "copy")) {
		failed += !copy_path("failslab", "200", 100);
		failed += !copy_path("fail_page_alloc", "8000", 100);
	} else if (!strcmp(mode, "nth") || !strcmp(mode, "slab") || !strcmp(mode, "page") ||
		   !strcmp(mode, "dry")) {
		if (strcmp(mode, "nth") && strcmp(mode, "dry"))
			wfile(attr_path(mode, "probability"), "%ld", 100);
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			failed += !run_case(&cases[i], mode);
		if (strcmp(mode, "dry"))
			wfile(attr_path(mode, "probability"), "%ld", 0);
	} else {
		fprintf(stderr, "usage: fault_nl nth|slab|page|copy|dry [INJECT]\n");
		return 2;
	}
	base();
	return failed ? 1 : 0;
}
