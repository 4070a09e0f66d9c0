// SPDX-License-Identifier: GPL-2.0
/*
 * fault_nl's snapshot: interfaces, criteria, destinations and the table's
 * counters as text, compared before and after a fault.
 */
#include <linux/genetlink.h>
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>

#include "dfc_nl.h"
#include "fault_nl.h"

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

void snap(struct snap *sn)
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

bool snap_eq(const struct snap *a, const struct snap *b)
{
	return a->n == b->n && !memcmp(a->s, b->s, a->n);
}

/* Equal but for the counters the worker settles (strip_settling()). */
bool snap_eq_but_mem(const struct snap *a, const struct snap *b)
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
void snap_diff(const char *name, const struct snap *got, const struct snap *want)
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
bool settle(struct snap *sn)
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
