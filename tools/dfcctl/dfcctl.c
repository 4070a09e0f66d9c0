// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dfcctl: operator CLI for dfc.ko over generic netlink (lib/dfc_nl.h).
 *
 * Commands live in one table of {object, verb, handler}: a new object
 * (filters, destinations, ...) is a few handlers and table rows.
 * This file holds main, the table, usage and the helpers every command
 * uses; each object's handlers are in a file of their own (dfcctl.h).
 * Exit status: 0 success, 1 the request failed, 2 usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dfcctl.h"

#ifndef DFC_VERSION
#define DFC_VERSION "unknown"
#endif

static const struct cmd cmds[] = {
	{ "interface", "show", cmd_iface_show, "[DEV]", "list attached interfaces, or DEV" },
	{ "interface", "add", cmd_iface_add, "DEV [pass]",
	  "attach DEV: count its frames and consume them\n"
	  "('pass': let them continue into the stack)" },
	{ "interface", "del", cmd_iface_del, "DEV", "detach DEV" },
	{ "filter", "show", cmd_filter_show, "[owner N [id N]] [terse]",
	  "list criteria (of owner N), or one with its\n"
	  "entries; 'terse': counters only" },
	{ "filter", "add", cmd_filter_add, "owner N id N [OPTION]... [FIELD VALUE]...",
	  "add a criterion. OPTION: prio N, static, async,\n"
	  "cdest N, timeout-total S, timeout-idle S,\n"
	  "packets N, bytes N (a timeout or limit is\n"
	  "required unless static). FIELD: src, dst, sport,\n"
	  "dport, proto, icmp-type, icmp-code (DTCP filter\n"
	  "values: lists, ranges, '!', '*', prefixes),\n"
	  "ipver 4|6, iif DEVNAME|IFINDEX" },
	{ "filter", "del", cmd_filter_del, "owner N [id N | cdest N] [static]",
	  "delete owner N's criteria: one, those toward a\n"
	  "destination, or all; static ones only with 'static'" },
	{ "cdest", "show", cmd_cdest_show, "[ID]",
	  "list content destinations, or ID with its\n"
	  "settings and drops by cause" },
	{ "cdest", "add", cmd_cdest_add, "ID address ADDR [OPTION]...",
	  "add a content destination. OPTION: encap ipip|udp,\n"
	  "src ADDR, sport N, dport N (udp), ttl N, dscp N,\n"
	  "soft-limit BPS, soft-clear BPS, hard-limit BPS,\n"
	  "hard-target BPS, ipsec-required, name NAME" },
	{ "cdest", "set", cmd_cdest_set, "ID [address ADDR] [OPTION]...",
	  "change what is given, the rest stays; OPTION as\n"
	  "for add, and no-ipsec-required" },
	{ "cdest", "del", cmd_cdest_del, "ID [force]",
	  "delete a destination; 'force': and the criteria\n"
	  "toward it (else refused while there are some)" },
	{ "owner", "set", cmd_owner_set, "OWNER max-duplicates N",
	  "copies per frame for OWNER's criteria, 1..64\n"
	  "(0: back to the namespace's max-duplicates)" },
	{ "limits", "show", cmd_limits_show, "", "criteria, mask and copy limits, and their use" },
	{ "limits", "set", cmd_limits_set,
	  "[max-criteria N] [max-masks N] [max-duplicates N] [dup-period S]\n"
	  "[frag-max N] [frag-timeout S] [frag-hold BYTES] [copy-mark MARK]",
	  "change limits: max-duplicates copies per frame,\n"
	  "dup-period seconds between dropped-duplicates\n"
	  "events; frag-max datagrams whose later fragments\n"
	  "follow their first (0: off), frag-timeout seconds\n"
	  "one is remembered, frag-hold bytes of fragments\n"
	  "held for their first; copy-mark the skb mark of\n"
	  "copies, decimal or 0x hex (0: unmarked, loop guard\n"
	  "off) (applied together, or none)" },
	{ "stats", "show", cmd_stats_show, "", "global counters of this network namespace" },
	{ "monitor", "events", cmd_monitor, "",
	  "print events as they come, until interrupted:\n"
	  "expired criteria, congested destinations, purges,\n"
	  "missing IPsec, dropped duplicates" },
	{ "agent", "show", cmd_agent_show, "[SOURCE]",
	  "dtcpd's control sources (or SOURCE, with every\n"
	  "counter): addresses, port, Seq, criteria,\n"
	  "requests, answers by status class, notifications\n"
	  "sent, silent drops by cause" },
	{ "agent", "status", cmd_agent_status, "",
	  "dtcpd's version, pid, configuration file, totals\n"
	  "and datagrams dropped before a source is known" },
	{ "agent", "criteria", cmd_agent_criteria, "SOURCE",
	  "SOURCE's DTCP criteria as dtcpd holds them" },
	{ "agent", "seq-reset", cmd_agent_seq_reset, "SOURCE",
	  "forget SOURCE's Seq window: its next authentic\n"
	  "request sets a new baseline" },
	{ "agent", "reload", cmd_agent_reload, "",
	  "make dtcpd re-read its configuration (as SIGHUP;\n"
	  "a bad file is refused, and said why)" },
};

#define N_CMDS (sizeof(cmds) / sizeof(cmds[0]))

static void usage(FILE *f)
{
	fprintf(f, "Usage: dfcctl [-j] [-d] [-S PATH] OBJECT [COMMAND [ARGS]]\n"
		   "       dfcctl --version | help\n\nCommands:\n");
	for (size_t i = 0; i < N_CMDS; i++) {
		const char *h = cmds[i].help, *nl;
		char syn[160];

		snprintf(syn, sizeof(syn), "%s %s %s", cmds[i].object, cmds[i].verb, cmds[i].args);
		/* a long synopsis on a line of its own, help below it */
		if (strlen(syn) >= 28) {
			fprintf(f, "  %s\n", syn);
			syn[0] = '\0';
		}
		/* each help line in the second column */
		for (; (nl = strchr(h, '\n')); h = nl + 1, syn[0] = '\0')
			fprintf(f, "  %-28s%.*s\n", syn, (int)(nl - h), h);
		fprintf(f, "  %-28s%s\n", syn, h);
	}
	fprintf(f, "\nDEV is an interface name, or 'index N' for the interface with ifindex N.\n"
		   "An OBJECT alone runs its first COMMAND (show).\n"
		   "filter show: LAST is the time since the last match, ENTRIES counts\n"
		   "entries[/exclusions], CRITERION is the criterion as its owner gave it\n"
		   "(dtcpd's in DTCP form); OWNER and CDEST are names where known.\n"
		   "BPS is a bit rate: a number, optionally with a k, M, G or T (x1000)\n"
		   "suffix, e.g. 2.5G; 0 is no limit.\n"
		   "cdest show: RATE in bit/s (10 s average), DROPS the total with its\n"
		   "causes.\n"
		   "agent: asks dtcpd (the DTCP agent) through its root-only control socket,\n"
		   "not the module. agent show: SEQ is the highest Seq accepted, 2XX..9XX\n"
		   "count answers by status class, DROPS requests dropped without an\n"
		   "answer (the total with its causes). agent criteria: RATE in bit/s.\n\n"
		   "Options:\n"
		   "  -j, --json         JSON output (show, stats, filter del, monitor; agent\n"
		   "                     show, status and criteria: dtcpd's JSON)\n"
		   "  -d, --details      filter show: the ids behind owner and destination names\n"
		   "  -S, --socket PATH  dtcpd's control socket (default " DTCPD_SOCKET ")\n"
		   "  -V, --version      print the version\n"
		   "  -h, --help         print this help\n");
}

int bad_usage(const struct ctl *c)
{
	fprintf(stderr, "Usage: dfcctl [-j] %s%s %s %s\n", strcmp(c->cmd->object, "agent") ? "" :
		"[-S PATH] ", c->cmd->object, c->cmd->verb, c->cmd->args);
	return EXIT_USAGE;
}

/* dfcctl: <what>: <strerror>[: <extack>] */
int fail(const struct ctl *c, const char *what, int err)
{
	const char *ext = c->nl ? dfc_nl_extack(c->nl) : "";

	if (*ext)
		fprintf(stderr, "dfcctl: %s: %s: %s\n", what, strerror(-err), ext);
	else
		fprintf(stderr, "dfcctl: %s: %s\n", what, strerror(-err));
	return EXIT_FAILURE;
}

/* Opened only once the arguments are known good: usage errors need no module. */
struct dfc_nl *ctl_nl(struct ctl *c)
{
	if (c->nl)
		return c->nl;
	c->nl = dfc_nl_open();
	if (!c->nl) {
		if (errno == ENOENT)
			fprintf(stderr, "dfcctl: dfc module not loaded (family %s not found)\n",
				DFC_GENL_NAME);
		else
			fprintf(stderr, "dfcctl: generic netlink: %s\n", strerror(errno));
	}
	return c->nl;
}

int print_json(json_t *root)
{
	int err;

	if (!root) {
		fprintf(stderr, "dfcctl: json: %s\n", strerror(ENOMEM));
		return EXIT_FAILURE;
	}
	err = json_dumpf(root, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (err) {
		fprintf(stderr, "dfcctl: json: write failed\n");
		return EXIT_FAILURE;
	}
	putchar('\n');
	return 0;
}

void fmt_duration(char *buf, size_t size, uint64_t s)
{
	if (s < 60)
		snprintf(buf, size, "%" PRIu64 "s", s);
	else if (s < 3600)
		snprintf(buf, size, "%" PRIu64 "m%02" PRIu64 "s", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, size, "%" PRIu64 "h%02" PRIu64 "m", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, size, "%" PRIu64 "d%02" PRIu64 "h", s / 86400, s % 86400 / 3600);
}

/*
 * A growing array v of n used and *cap allocated elements of size sz,
 * with room for one more: the array (perhaps moved), NULL without memory.
 */
void *vec_grow(void *v, size_t n, size_t *cap, size_t sz)
{
	size_t c = *cap ? 2 * *cap : 16;

	if (n < *cap)
		return v;
	v = realloc(v, c * sz);
	if (v)
		*cap = c;
	return v;
}

/* ---- numbers ---- */

/* A decimal number 0..max (no sign, no spaces); -1 if it is not one. */
int parse_num(const char *arg, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!arg || *arg < '0' || *arg > '9')
		return -1;
	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

/* "KEYWORD N" at argv[0..1]: consumes both into *out, or complains (-1). */
int take_num(int *argc, char ***argv, uint64_t max, uint64_t *out)
{
	const char *kw = (*argv)[0];

	if (*argc < 2 || parse_num((*argv)[1], max, out)) {
		fprintf(stderr, "dfcctl: %s: '%s' is not a number up to %" PRIu64 "\n", kw,
			*argc < 2 ? "" : (*argv)[1], max);
		return -1;
	}
	*argc -= 2;
	*argv += 2;
	return 0;
}

/* ---- dispatch ---- */

static int dispatch(struct ctl *c, int argc, char **argv)
{
	const struct cmd *first = NULL;
	const char *verb;

	for (size_t i = 0; i < N_CMDS && !first; i++)
		if (!strcmp(cmds[i].object, argv[0]))
			first = &cmds[i];
	if (!first) {
		fprintf(stderr, "dfcctl: unknown object '%s' (try 'dfcctl help')\n", argv[0]);
		return EXIT_USAGE;
	}
	verb = argc > 1 ? argv[1] : first->verb;
	if (!strcmp(verb, "help")) {
		usage(stdout);
		return 0;
	}
	for (const struct cmd *cmd = first; cmd < cmds + N_CMDS; cmd++) {
		if (strcmp(cmd->object, argv[0]) != 0 || strcmp(cmd->verb, verb) != 0)
			continue;
		c->cmd = cmd;
		return argc > 1 ? cmd->run(c, argc - 2, argv + 2) : cmd->run(c, 0, argv + 1);
	}
	fprintf(stderr, "dfcctl: unknown command '%s %s' (try 'dfcctl help')\n", argv[0], verb);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "details", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "socket", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl c = { 0 };
	int opt, ret;

	/* '+': options only before OBJECT, so DEV names may start with '-' */
	while ((opt = getopt_long(argc, argv, "+jdhVS:", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			c.json = true;
			break;
		case 'd':
			c.details = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("dfcctl %s\n", DFC_VERSION);
			return 0;
		case 'S':
			c.socket = optarg;
			break;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (!argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[0], "help")) {
		usage(stdout);
		return 0;
	}
	ret = dispatch(&c, argc, argv);
	dfc_nl_close(c.nl);
	/* a full disk or closed pipe must not look like success */
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "dfcctl: write error: %s\n", strerror(errno));
		ret = EXIT_FAILURE;
	}
	return ret;
}
