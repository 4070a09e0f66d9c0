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
	{ "monitor", "events", cmd_monitor, "[-t | -ts]",
	  "print events as they come, until interrupted:\n"
	  "expired criteria, congested destinations, purges,\n"
	  "missing IPsec, dropped duplicates; -t, -ts: with\n"
	  "the time each came" },
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

/* Other names of a verb, in any object (as ip's list, lst and delete). */
static const struct {
	const char *verb, *alias;
} verb_aliases[] = {
	{ "show", "list" }, { "show", "ls" }, { "del", "delete" },
};

/* What the help says after an object's commands. */
static const struct {
	const char *object, *text;
} notes[] = {
	{ "interface", "DEV is an interface name, or 'index N' for the interface with ifindex N.\n" },
	{ "filter", "filter show: LAST is the time since the last match, ENTRIES counts\n"
		    "entries[/exclusions], CRITERION is the criterion as its owner gave it\n"
		    "(dtcpd's in DTCP form); OWNER and CDEST are names where known.\n" },
	{ "cdest", "BPS is a bit rate: a number, optionally with a k, M, G or T (x1000)\n"
		   "suffix, e.g. 2.5G; 0 is no limit.\n"
		   "cdest show: RATE in bit/s (10 s average), DROPS the total with its\n"
		   "causes.\n" },
	{ "monitor", "monitor: -t (-timestamp) prints a Timestamp line before each event,\n"
		     "-ts (-tshort) the time at the start of each line, and with -j either\n"
		     "adds a \"time\" member (UTC); the options may follow 'monitor' too.\n" },
	{ "agent", "agent: asks dtcpd (the DTCP agent) through its root-only control socket,\n"
		   "not the module. agent show: SEQ is the highest Seq accepted, 2XX..9XX\n"
		   "count answers by status class, DROPS requests dropped without an\n"
		   "answer (the total with its causes). agent criteria: RATE in bit/s.\n" },
};

/* The options, iproute2's way: see opt_matches(). */
static const struct ctl_opt {
	const char *name;  /* by prefix, the first in this order */
	const char *alias; /* or exactly this */
	char key;
	bool arg;
} ctl_opts[] = {
	{ "-json", NULL, 'j', false },
	{ "-pretty", NULL, 'p', false },
	{ "-details", NULL, 'd', false },
	{ "-netns", NULL, 'n', true },
	{ "-batch", NULL, 'b', true },
	{ "-force", NULL, 'f', false },
	{ "-timestamp", NULL, 't', false },
	{ "-tshort", "-ts", 'T', false },
	{ "-socket", "-S", 'S', true },
	{ "-Version", NULL, 'V', false },
	{ "-version", NULL, 'V', false },
	{ "-help", NULL, 'h', false },
};

/* One row of the command table: its synopsis, and its help in a second column. */
static void usage_row(FILE *f, const struct cmd *cmd)
{
	const char *h = cmd->help, *nl;
	char syn[160];

	snprintf(syn, sizeof(syn), "%s %s %s", cmd->object, cmd->verb, cmd->args);
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

/* The help: of every object (object NULL), or of one alone. */
static void usage_of(FILE *f, const char *object)
{
	if (object)
		fprintf(f, "Usage: dfcctl [OPTION]... %s [COMMAND [ARGS]]\n\nCommands:\n", object);
	else
		fprintf(f, "Usage: dfcctl [OPTION]... OBJECT [COMMAND [ARGS]]\n"
			   "       dfcctl [OPTION]... -batch FILE\n"
			   "       dfcctl -V | help [OBJECT] | OBJECT help\n\nCommands:\n");
	for (size_t i = 0; i < N_CMDS; i++)
		if (!object || !strcmp(object, cmds[i].object))
			usage_row(f, &cmds[i]);
	fputc('\n', f);
	for (size_t i = 0; i < sizeof(notes) / sizeof(notes[0]); i++)
		if (!object || !strcmp(object, notes[i].object))
			fputs(notes[i].text, f);
	if (object)
		return;
	fprintf(f, "\nAn OBJECT alone, or followed by an option, runs its first COMMAND.\n"
		   "OBJECT and COMMAND may be abbreviated: the first in the table above\n"
		   "that begins so is taken ('dfcctl f s' is 'filter show', 'dfcctl c s'\n"
		   "'cdest show'). 'show' is also 'list' or 'ls', 'del' also 'delete'.\n\n"
		   "Options (one dash or two; a long one may be abbreviated: the first in\n"
		   "this list that begins so is taken):\n"
		   "  -j, -json           JSON output (show, stats, filter del, monitor; agent\n"
		   "                      show, status and criteria: dtcpd's JSON)\n"
		   "  -p, -pretty         with -j: indented JSON\n"
		   "  -d, -details        filter show: the ids behind owner and destination\n"
		   "                      names\n"
		   "  -n, -netns NETNS    act in network namespace NETNS (/run/netns/NETNS,\n"
		   "                      as ip -n)\n"
		   "  -b, -batch FILE     run FILE's commands, one a line ('-': standard\n"
		   "                      input); every line is checked before any is run\n"
		   "  -f, -force          with -batch: go on after a line that fails\n"
		   "  -t, -timestamp      monitor: a Timestamp line before each event\n"
		   "  -ts, -tshort        monitor: the time at the start of each line\n"
		   "  -S, -socket PATH    dtcpd's control socket (default " DTCPD_SOCKET ")\n"
		   "  -V, -Version        print the version\n"
		   "  -h, -help           print this help\n");
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

/*
 * Called once a command's arguments are known good, before its request:
 * true to go on; false in -batch's first pass, which only checks them
 * (and learns here that they were good).
 */
bool ctl_go(struct ctl *c)
{
	if (c->check)
		c->checked = true;
	return !c->check;
}

/* Opened only once the arguments are known good: usage errors need no module. */
struct dfc_nl *ctl_nl(struct ctl *c)
{
	if (!ctl_go(c))
		return NULL;
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

/* -p: indented, as ip -p; else one line a document. */
static size_t json_flags = JSON_COMPACT;

int print_json(json_t *root)
{
	int err;

	if (!root) {
		fprintf(stderr, "dfcctl: json: %s\n", strerror(ENOMEM));
		return EXIT_FAILURE;
	}
	err = json_dumpf(root, stdout, json_flags | JSON_PRESERVE_ORDER);
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

/*
 * arg names an option: one dash or two, then a prefix of name's word (at
 * least one letter), as ip's matches(): "-j" and "--js" name "-json".
 */
bool opt_matches(const char *arg, const char *name)
{
	size_t n;

	if (arg[0] == '-' && arg[1] == '-')
		arg++;
	n = strlen(arg);
	return n >= 2 && !strncmp(arg, name, n);
}

/* arg names name: exactly, or (exact false) as a prefix of it. */
static bool word_names(const char *arg, const char *name, bool exact)
{
	return exact ? !strcmp(arg, name) : *arg && !strncmp(arg, name, strlen(arg));
}

/*
 * The first row of the object arg names: the one of that name, else the
 * first in the table whose name begins with arg (ip's rule for "ip a").
 */
static const struct cmd *find_object(const char *arg)
{
	for (int exact = 1; exact >= 0; exact--)
		for (size_t i = 0; i < N_CMDS; i++)
			if (word_names(arg, cmds[i].object, exact))
				return &cmds[i];
	return NULL;
}

static bool verb_names(const char *arg, const char *verb, bool exact)
{
	if (word_names(arg, verb, exact))
		return true;
	for (size_t i = 0; i < sizeof(verb_aliases) / sizeof(verb_aliases[0]); i++)
		if (!strcmp(verb_aliases[i].verb, verb) && word_names(arg, verb_aliases[i].alias, exact))
			return true;
	return false;
}

/* object's row for the verb arg names (exactly, else by prefix in table order), or NULL. */
static const struct cmd *find_verb(const char *object, const char *arg)
{
	for (int exact = 1; exact >= 0; exact--)
		for (size_t i = 0; i < N_CMDS; i++)
			if (!strcmp(cmds[i].object, object) && verb_names(arg, cmds[i].verb, exact))
				return &cmds[i];
	return NULL;
}

/*
 * OBJECT [COMMAND] [ARGS] resolved into out: the table row and where its
 * arguments start, or out->help (the help of out->cmd's object, or of
 * all when out->cmd is NULL). 0, or EXIT_USAGE after saying why.
 */
int ctl_lookup(int argc, char **argv, struct ctl_cmdline *out)
{
	const struct cmd *obj = find_object(argv[0]);

	*out = (struct ctl_cmdline){ 0 };
	if (!obj && word_names(argv[0], "help", false)) {
		out->help = true;
		if (argc > 1 && !(out->cmd = find_object(argv[1]))) {
			fprintf(stderr, "dfcctl: help: unknown object '%s'\n", argv[1]);
			return EXIT_USAGE;
		}
		return 0;
	}
	if (!obj) {
		fprintf(stderr, "dfcctl: unknown object '%s' (try 'dfcctl help')\n", argv[0]);
		return EXIT_USAGE;
	}
	/* the object alone, or an option (monitor -t): its first verb */
	if (argc < 2 || argv[1][0] == '-') {
		out->cmd = obj;
		out->args = 1;
		return 0;
	}
	out->cmd = find_verb(obj->object, argv[1]);
	out->args = 2;
	if (!out->cmd && word_names(argv[1], "help", false)) {
		out->cmd = obj;
		out->help = true;
	} else if (!out->cmd) {
		fprintf(stderr, "dfcctl: unknown command '%s %s' (try 'dfcctl %s help')\n",
			obj->object, argv[1], obj->object);
		return EXIT_USAGE;
	}
	return 0;
}

/* One command line (argc > 0): its help, or its handler's exit status. */
int ctl_dispatch(struct ctl *c, int argc, char **argv)
{
	struct ctl_cmdline l;
	int ret = ctl_lookup(argc, argv, &l);

	if (ret)
		return ret;
	if (l.help) {
		if (!c->check)
			usage_of(stdout, l.cmd ? l.cmd->object : NULL);
		return 0;
	}
	c->cmd = l.cmd;
	return l.cmd->run(c, argc - l.args, argv + l.args);
}

static const struct ctl_opt *find_opt(const char *arg)
{
	for (size_t i = 0; i < sizeof(ctl_opts) / sizeof(ctl_opts[0]); i++)
		if ((ctl_opts[i].alias && !strcmp(arg, ctl_opts[i].alias)) ||
		    opt_matches(arg, ctl_opts[i].name))
			return &ctl_opts[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const char *netns = NULL, *batch = NULL;
	const struct ctl_opt *o;
	struct ctl c = { 0 };
	bool force = false;
	int ret;

	/* options before OBJECT only, so that DEV names may start with '-' */
	for (argc--, argv++; argc && argv[0][0] == '-'; argc -= 1 + o->arg, argv += 1 + o->arg) {
		if (!strcmp(argv[0], "--")) {
			argc--;
			argv++;
			break;
		}
		o = find_opt(argv[0]);
		if (!o) {
			fprintf(stderr, "dfcctl: unknown option '%s' (try 'dfcctl help')\n", argv[0]);
			return EXIT_USAGE;
		}
		if (o->arg && argc < 2) {
			fprintf(stderr, "dfcctl: option %s needs an argument\n", o->name);
			return EXIT_USAGE;
		}
		switch (o->key) {
		case 'j':
			c.json = true;
			break;
		case 'p':
			json_flags = JSON_INDENT(4);
			break;
		case 'd':
			c.details = true;
			break;
		case 'n':
			netns = argv[1];
			break;
		case 'b':
			batch = argv[1];
			break;
		case 'f':
			force = true;
			break;
		case 't':
			c.ts = CTL_TS_LONG;
			break;
		case 'T':
			c.ts = CTL_TS_SHORT;
			break;
		case 'S':
			c.socket = argv[1];
			break;
		case 'V':
			printf("dfcctl %s\n", DFC_VERSION);
			return 0;
		default:
			usage_of(stdout, NULL);
			return 0;
		}
	}
	if (batch && argc) {
		fprintf(stderr, "dfcctl: -batch takes its commands from %s, not from the "
				"command line ('%s')\n", batch, argv[0]);
		return EXIT_USAGE;
	}
	if (!batch && !argc) {
		usage_of(stderr, NULL);
		return EXIT_USAGE;
	}
	/* before anything opens a socket or reads an interface name */
	if (netns && (ret = netns_switch(netns)))
		return ret;
	ret = batch ? batch_run(&c, batch, force) : ctl_dispatch(&c, argc, argv);
	dfc_nl_close(c.nl);
	/* a full disk or closed pipe must not look like success */
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "dfcctl: write error: %s\n", strerror(errno));
		ret = EXIT_FAILURE;
	}
	return ret;
}
