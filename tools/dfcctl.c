// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dfcctl: operator CLI for dfc.ko over generic netlink (lib/dfc_nl.h).
 *
 * Commands live in one table of {object, verb, handler}: a new object
 * (filters, destinations, ...) is a few handlers and table rows.
 * Exit status: 0 success, 1 the request failed, 2 usage error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <jansson.h>

#include "dfc_nl.h"
#include "dfc_spec.h"

/*
 * lib/dfc_spec.c (filter values into entries) is linked only where the
 * build adds it: weak, so that without it the rest of dfcctl still builds
 * and 'filter add' says what is missing.
 */
#pragma weak dfc_spec_parse_field
#pragma weak dfc_spec_expand

#ifndef DFC_VERSION
#define DFC_VERSION "unknown"
#endif

#define EXIT_USAGE 2

/* dtcpd's default control-socket (agent/config.c), for 'agent'. */
#define DTCPD_SOCKET "/run/dtcpd/dtcpd.sock"

struct ctl;

struct cmd {
	const char *object;
	const char *verb; /* an object's first verb is its default */
	int (*run)(struct ctl *c, int argc, char **argv); /* argv: after the verb */
	const char *args;
	const char *help;
};

struct ctl {
	bool json;
	const struct cmd *cmd;
	struct dfc_nl *nl;
	const char *socket; /* -S: dtcpd's control socket, for 'agent' */
};

/* A device as named on the command line: a name, or "index N". */
struct dev {
	uint32_t ifindex;
	const char *ifname;
	char label[32]; /* for messages */
};

static int cmd_iface_show(struct ctl *c, int argc, char **argv);
static int cmd_iface_add(struct ctl *c, int argc, char **argv);
static int cmd_iface_del(struct ctl *c, int argc, char **argv);
static int cmd_filter_show(struct ctl *c, int argc, char **argv);
static int cmd_filter_add(struct ctl *c, int argc, char **argv);
static int cmd_filter_del(struct ctl *c, int argc, char **argv);
static int cmd_limits_show(struct ctl *c, int argc, char **argv);
static int cmd_limits_set(struct ctl *c, int argc, char **argv);
static int cmd_stats_show(struct ctl *c, int argc, char **argv);
static int cmd_cdest_show(struct ctl *c, int argc, char **argv);
static int cmd_cdest_add(struct ctl *c, int argc, char **argv);
static int cmd_cdest_set(struct ctl *c, int argc, char **argv);
static int cmd_cdest_del(struct ctl *c, int argc, char **argv);
static int cmd_owner_set(struct ctl *c, int argc, char **argv);
static int cmd_monitor(struct ctl *c, int argc, char **argv);
static int cmd_agent_show(struct ctl *c, int argc, char **argv);
static int cmd_agent_status(struct ctl *c, int argc, char **argv);
static int cmd_agent_criteria(struct ctl *c, int argc, char **argv);
static int cmd_agent_seq_reset(struct ctl *c, int argc, char **argv);
static int cmd_agent_reload(struct ctl *c, int argc, char **argv);

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
	  "[max-criteria N] [max-masks N] [max-duplicates N] [dup-period S]",
	  "change limits: max-duplicates copies per frame,\n"
	  "dup-period seconds between dropped-duplicates\n"
	  "events (applied together, or none)" },
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
	fprintf(f, "Usage: dfcctl [-j] [-S PATH] OBJECT [COMMAND [ARGS]]\n"
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
		   "entries[/exclusions], CRITERION is the text the criterion was added with.\n"
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
		   "  -S, --socket PATH  dtcpd's control socket (default " DTCPD_SOCKET ")\n"
		   "  -V, --version      print the version\n"
		   "  -h, --help         print this help\n");
}

static int bad_usage(const struct ctl *c)
{
	fprintf(stderr, "Usage: dfcctl [-j] %s%s %s %s\n", strcmp(c->cmd->object, "agent") ? "" :
		"[-S PATH] ", c->cmd->object, c->cmd->verb, c->cmd->args);
	return EXIT_USAGE;
}

/* dfcctl: <what>: <strerror>[: <extack>] */
static int fail(const struct ctl *c, const char *what, int err)
{
	const char *ext = c->nl ? dfc_nl_extack(c->nl) : "";

	if (*ext)
		fprintf(stderr, "dfcctl: %s: %s: %s\n", what, strerror(-err), ext);
	else
		fprintf(stderr, "dfcctl: %s: %s\n", what, strerror(-err));
	return EXIT_FAILURE;
}

/* Opened only once the arguments are known good: usage errors need no module. */
static struct dfc_nl *ctl_nl(struct ctl *c)
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

/* Consume DEV ("NAME" or "index N") from argv; -1 if malformed. */
static int parse_dev(int *argc, char ***argv, struct dev *d)
{
	char *arg = (*argv)[0];

	memset(d, 0, sizeof(*d));
	if (*argc < 1)
		return -1;
	if (!strcmp(arg, "index")) {
		unsigned long v;
		char *end;

		if (*argc < 2)
			return -1;
		arg = (*argv)[1];
		errno = 0;
		v = strtoul(arg, &end, 10);
		if (errno || *end || end == arg || *arg == '-' || !v || v > UINT32_MAX) {
			fprintf(stderr, "dfcctl: '%s': not an ifindex\n", arg);
			return -1;
		}
		d->ifindex = (uint32_t)v;
		snprintf(d->label, sizeof(d->label), "index %" PRIu32, d->ifindex);
		*argc -= 2;
		*argv += 2;
		return 0;
	}
	if (!*arg || strlen(arg) >= IFNAMSIZ) {
		fprintf(stderr, "dfcctl: '%s': not an interface name\n", arg);
		return -1;
	}
	d->ifname = arg;
	snprintf(d->label, sizeof(d->label), "%s", arg);
	*argc -= 1;
	*argv += 1;
	return 0;
}

static int print_json(json_t *root)
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

static void fmt_duration(char *buf, size_t size, uint64_t s)
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
static void *vec_grow(void *v, size_t n, size_t *cap, size_t sz)
{
	size_t c = *cap ? 2 * *cap : 16;

	if (n < *cap)
		return v;
	v = realloc(v, c * sz);
	if (v)
		*cap = c;
	return v;
}

/* ---- interface ---- */

struct iface_list {
	struct dfc_iface_info *v;
	size_t n, cap;
};

static int iface_list_add(const struct dfc_iface_info *info, void *data)
{
	struct iface_list *l = data;
	struct dfc_iface_info *v = vec_grow(l->v, l->n, &l->cap, sizeof(*v));

	if (!v)
		return -ENOMEM;
	l->v = v;
	l->v[l->n++] = *info;
	return 0;
}

static const char *iface_mode(uint32_t flags)
{
	return flags & DFC_IFACE_F_PASS ? "pass" : "consume";
}

static json_t *iface_json(const struct iface_list *l)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < l->n; i++) {
		const struct dfc_iface_info *f = &l->v[i];
		json_t *o = json_pack("{s:s, s:I, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
				      "ifname", f->ifname,
				      "ifindex", (json_int_t)f->ifindex,
				      "mode", iface_mode(f->flags),
				      "flags", (json_int_t)f->flags,
				      "seen", (json_int_t)f->stats.seen,
				      "bytes", (json_int_t)f->stats.bytes,
				      "ipv4", (json_int_t)f->stats.ipv4,
				      "ipv6", (json_int_t)f->stats.ipv6,
				      "other", (json_int_t)f->stats.other,
				      "attached_secs", (json_int_t)f->stats.attached_secs);

		if (!o || json_array_append_new(arr, o)) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

enum { COL_IFACE, COL_IFINDEX, COL_MODE, COL_SEEN, COL_BYTES, COL_IPV4, COL_IPV6,
	COL_OTHER, COL_ATTACHED, NCOLS };

static void iface_row(char cell[NCOLS][24], const struct dfc_iface_info *f)
{
	snprintf(cell[COL_IFACE], 24, "%s", f->ifname);
	snprintf(cell[COL_IFINDEX], 24, "%" PRIu32, f->ifindex);
	snprintf(cell[COL_MODE], 24, "%s", iface_mode(f->flags));
	snprintf(cell[COL_SEEN], 24, "%" PRIu64, f->stats.seen);
	snprintf(cell[COL_BYTES], 24, "%" PRIu64, f->stats.bytes);
	snprintf(cell[COL_IPV4], 24, "%" PRIu64, f->stats.ipv4);
	snprintf(cell[COL_IPV6], 24, "%" PRIu64, f->stats.ipv6);
	snprintf(cell[COL_OTHER], 24, "%" PRIu64, f->stats.other);
	fmt_duration(cell[COL_ATTACHED], 24, f->stats.attached_secs);
}

/* Text columns left-aligned, numbers right-aligned, widths fitted to the data. */
static void iface_table(const struct iface_list *l)
{
	static const char *const head[NCOLS] = {
		"IFACE", "IFINDEX", "MODE", "SEEN", "BYTES", "IPV4", "IPV6", "OTHER", "ATTACHED",
	};
	char cell[NCOLS][24];
	int width[NCOLS];

	for (int c = 0; c < NCOLS; c++)
		width[c] = (int)strlen(head[c]);
	for (size_t i = 0; i < l->n; i++) {
		iface_row(cell, &l->v[i]);
		for (int c = 0; c < NCOLS; c++)
			if ((int)strlen(cell[c]) > width[c])
				width[c] = (int)strlen(cell[c]);
	}
	for (size_t i = 0; i <= l->n; i++) {
		if (i == 0)
			for (int c = 0; c < NCOLS; c++)
				snprintf(cell[c], 24, "%s", head[c]);
		else
			iface_row(cell, &l->v[i - 1]);
		for (int c = 0; c < NCOLS; c++) {
			bool left = c == COL_IFACE || c == COL_MODE;

			printf("%s%*s", c ? "  " : "", left ? -width[c] : width[c], cell[c]);
		}
		putchar('\n');
	}
}

static int cmd_iface_show(struct ctl *c, int argc, char **argv)
{
	struct iface_list l = { 0 };
	struct dev d = { 0 };
	char what[64];
	int err, ret;

	if (argc && parse_dev(&argc, &argv, &d))
		return bad_usage(c);
	if (argc)
		return bad_usage(c);
	if (!ctl_nl(c))
		return EXIT_FAILURE;
	if (d.ifindex || d.ifname) {
		struct dfc_iface_info info;

		snprintf(what, sizeof(what), "interface show %s", d.label);
		err = dfc_nl_iface_get(c->nl, d.ifindex, d.ifname, &info);
		if (!err)
			err = iface_list_add(&info, &l);
	} else {
		snprintf(what, sizeof(what), "interface show");
		err = dfc_nl_iface_dump(c->nl, iface_list_add, &l);
	}
	if (err) {
		ret = fail(c, what, err);
	} else if (c->json) {
		ret = print_json(iface_json(&l));
	} else {
		iface_table(&l);
		ret = 0;
	}
	free(l.v);
	return ret;
}

static int cmd_iface_add(struct ctl *c, int argc, char **argv)
{
	uint32_t flags = 0;
	char what[64];
	struct dev d;
	int err;

	if (parse_dev(&argc, &argv, &d))
		return bad_usage(c);
	if (argc && !strcmp(argv[0], "pass")) {
		flags |= DFC_IFACE_F_PASS;
		argc--;
	}
	if (argc)
		return bad_usage(c);
	if (!ctl_nl(c))
		return EXIT_FAILURE;
	err = dfc_nl_iface_add(c->nl, d.ifindex, d.ifname, flags);
	snprintf(what, sizeof(what), "interface add %s", d.label);
	return err ? fail(c, what, err) : 0;
}

static int cmd_iface_del(struct ctl *c, int argc, char **argv)
{
	char what[64];
	struct dev d;
	int err;

	if (parse_dev(&argc, &argv, &d) || argc)
		return bad_usage(c);
	if (!ctl_nl(c))
		return EXIT_FAILURE;
	err = dfc_nl_iface_del(c->nl, d.ifindex, d.ifname);
	snprintf(what, sizeof(what), "interface del %s", d.label);
	return err ? fail(c, what, err) : 0;
}

/* ---- numbers ---- */

/* A decimal number 0..max (no sign, no spaces); -1 if it is not one. */
static int parse_num(const char *arg, uint64_t max, uint64_t *out)
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
static int take_num(int *argc, char ***argv, uint64_t max, uint64_t *out)
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

/* ---- stats ---- */

static int stats_get(struct ctl *c, struct dfc_stats *s)
{
	int err;

	if (!ctl_nl(c))
		return EXIT_FAILURE;
	err = dfc_nl_stats_get(c->nl, s);
	return err ? fail(c, "stats", err) : 0;
}

static int cmd_stats_show(struct ctl *c, int argc, char **argv)
{
	struct dfc_stats s;
	int ret;

	(void)argv;
	if (argc)
		return bad_usage(c);
	ret = stats_get(c, &s);
	if (ret)
		return ret;
	/* One list of counters serves both outputs. */
	const struct {
		const char *name;
		uint64_t v;
	} rows[] = {
		{ "ifaces", s.ifaces }, { "seen", s.seen }, { "bytes", s.bytes },
		{ "ipv4", s.ipv4 }, { "ipv6", s.ipv6 }, { "other", s.other },
		{ "parsed", s.parsed }, { "unparseable", s.unparseable },
		{ "matched", s.matched }, { "masks_probed", s.masks_probed },
		{ "crits", s.crits }, { "max_crits", s.max_crits }, { "masks", s.masks },
		{ "max_masks", s.max_masks }, { "entries", s.entries },
		{ "table_mem", s.table_mem }, { "expired", s.expired },
		{ "copies", s.copies }, { "dup_dropped", s.dup_dropped },
		{ "max_duplicates", s.max_dup }, { "dup_period", s.dup_period },
	};
	size_t n = sizeof(rows) / sizeof(rows[0]);

	if (c->json) {
		json_t *o = json_pack("{s:s}", "version", s.version);

		for (size_t i = 0; o && i < n; i++)
			json_object_set_new(o, rows[i].name, json_integer((json_int_t)rows[i].v));
		return print_json(o);
	}
	printf("version: %s\n", s.version);
	for (size_t i = 0; i < n; i++)
		printf("%s: %" PRIu64 "\n", rows[i].name, rows[i].v);
	return 0;
}

/* ---- limits ---- */

static int cmd_limits_show(struct ctl *c, int argc, char **argv)
{
	struct dfc_stats s;
	int ret;

	(void)argv;
	if (argc)
		return bad_usage(c);
	ret = stats_get(c, &s);
	if (ret)
		return ret;
	if (c->json)
		return print_json(json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}",
					    "max_crits", (json_int_t)s.max_crits,
					    "crits", (json_int_t)s.crits,
					    "max_masks", (json_int_t)s.max_masks,
					    "masks", (json_int_t)s.masks,
					    "max_duplicates", (json_int_t)s.max_dup,
					    "dup_period", (json_int_t)s.dup_period));
	printf("max-criteria: %" PRIu32 " (in use: %" PRIu32 ")\n"
	       "max-masks: %" PRIu32 " (in use: %" PRIu32 ")\n"
	       "max-duplicates: %" PRIu32 "\n"
	       "dup-period: %" PRIu32 "s\n",
	       s.max_crits, s.crits, s.max_masks, s.masks, s.max_dup, s.dup_period);
	return 0;
}

static int cmd_limits_set(struct ctl *c, int argc, char **argv)
{
	static const char *const kw[] = {
		"max-criteria", "max-masks", "max-duplicates", "dup-period",
	};
	uint64_t v[4] = { 0 };
	struct dfc_nl_limits l;
	int err;

	while (argc) {
		size_t i;

		for (i = 0; i < 4 && strcmp(argv[0], kw[i]); i++)
			;
		/* 0 would mean "unchanged" to the library: not a limit */
		if (i == 4 || v[i] || take_num(&argc, &argv, UINT32_MAX, &v[i]) || !v[i])
			return bad_usage(c);
	}
	if (!v[0] && !v[1] && !v[2] && !v[3])
		return bad_usage(c);
	if (!ctl_nl(c))
		return EXIT_FAILURE;
	l = (struct dfc_nl_limits){ .max_crits = (uint32_t)v[0], .max_masks = (uint32_t)v[1],
				    .max_dup = (uint32_t)v[2], .dup_period = (uint32_t)v[3] };
	err = dfc_nl_limits_update(c->nl, &l);
	return err ? fail(c, "limits set", err) : 0;
}

/* ---- filter: formatting ---- */

static const char *reason_name(uint8_t r)
{
	static const char *const names[] = {
		[DFC_REASON_NONE] = "none", [DFC_REASON_TOTAL] = "total-timeout",
		[DFC_REASON_IDLE] = "idle-timeout", [DFC_REASON_PACKETS] = "packets",
		[DFC_REASON_BYTES] = "bytes",
	};

	return r < sizeof(names) / sizeof(names[0]) ? names[r] : "unknown";
}

static void fmt_flags(char *buf, size_t size, uint32_t flags)
{
	snprintf(buf, size, "%s%s%s",
		 flags & DFC_CRIT_F_STATIC ? "static" : "",
		 (flags & DFC_CRIT_F_STATIC) && (flags & DFC_CRIT_F_SEND_ASYNC) ? "," : "",
		 flags & DFC_CRIT_F_SEND_ASYNC ? "async" : "");
	if (!*buf)
		snprintf(buf, size, "-");
}

static void fmt_prefix(char *buf, size_t size, uint8_t ipver, const uint8_t *a, uint8_t plen)
{
	char t[INET6_ADDRSTRLEN];

	if (!inet_ntop(ipver == 6 ? AF_INET6 : AF_INET, a, t, sizeof(t)))
		snprintf(t, sizeof(t), "?");
	snprintf(buf, size, "%s/%u", t, plen);
}

/* value, or value/0xmask when the mask is not full; "any" for mask 0 */
static int fmt_masked(char *buf, size_t size, unsigned int v, unsigned int mask, unsigned int full)
{
	if (!mask)
		return snprintf(buf, size, "any");
	if (mask == full)
		return snprintf(buf, size, "%u", v);
	return snprintf(buf, size, "%u/0x%x", v, mask);
}

/* An entry as "ipver 4 src 10.0.0.0/8 dport 80 proto 6 ...", in the keywords of filter add. */
static void fmt_entry(char *buf, size_t size, const struct dfc_nl_entry *e)
{
	char v[64], name[IF_NAMESIZE];
	size_t n = 0;

#define ADD(...) do { \
	if (n < size) \
		n += (size_t)snprintf(buf + n, size - n, __VA_ARGS__); \
} while (0)
	buf[0] = '\0';
	if (e->ipver)
		ADD(" ipver %u", e->ipver);
	if (e->src_plen) {
		fmt_prefix(v, sizeof(v), e->ipver, e->src, e->src_plen);
		ADD(" src %s", v);
	}
	if (e->dst_plen) {
		fmt_prefix(v, sizeof(v), e->ipver, e->dst, e->dst_plen);
		ADD(" dst %s", v);
	}
	if (e->ports || e->sport_mask || e->dport_mask) {
		if (!e->sport_mask && !e->dport_mask)
			ADD(" ports any");
		if (e->sport_mask) {
			fmt_masked(v, sizeof(v), e->sport, e->sport_mask, 0xffff);
			ADD(" sport %s", v);
		}
		if (e->dport_mask) {
			fmt_masked(v, sizeof(v), e->dport, e->dport_mask, 0xffff);
			ADD(" dport %s", v);
		}
	}
	if (e->proto_mask) {
		fmt_masked(v, sizeof(v), e->proto, e->proto_mask, 0xff);
		ADD(" proto %s", v);
	}
	if (e->icmp || e->icmp_type_mask || e->icmp_code_mask) {
		if (!e->icmp_type_mask && !e->icmp_code_mask)
			ADD(" icmp any");
		if (e->icmp_type_mask) {
			fmt_masked(v, sizeof(v), e->icmp_type, e->icmp_type_mask, 0xff);
			ADD(" icmp-type %s", v);
		}
		if (e->icmp_code_mask) {
			fmt_masked(v, sizeof(v), e->icmp_code, e->icmp_code_mask, 0xff);
			ADD(" icmp-code %s", v);
		}
	}
	if (e->ifindex) {
		if (if_indextoname(e->ifindex, name))
			ADD(" iif %s", name);
		else
			ADD(" iif %" PRIu32, e->ifindex);
	}
	if (!n)
		ADD(" any");
#undef ADD
	/* drop the leading space */
	memmove(buf, buf + 1, strlen(buf));
}

static json_t *entry_json(const struct dfc_nl_entry *e)
{
	json_t *o = json_object();
	char v[64], name[IF_NAMESIZE];
	int err = 0;

	if (!o)
		return NULL;
	if (e->ipver)
		err |= json_object_set_new(o, "ipver", json_integer(e->ipver));
	if (e->src_plen) {
		fmt_prefix(v, sizeof(v), e->ipver, e->src, e->src_plen);
		err |= json_object_set_new(o, "src", json_string(v));
	}
	if (e->dst_plen) {
		fmt_prefix(v, sizeof(v), e->ipver, e->dst, e->dst_plen);
		err |= json_object_set_new(o, "dst", json_string(v));
	}
	if (e->ports || e->sport_mask || e->dport_mask)
		err |= json_object_set_new(o, "sport", json_integer(e->sport)) |
		       json_object_set_new(o, "sport_mask", json_integer(e->sport_mask)) |
		       json_object_set_new(o, "dport", json_integer(e->dport)) |
		       json_object_set_new(o, "dport_mask", json_integer(e->dport_mask));
	if (e->proto_mask)
		err |= json_object_set_new(o, "proto", json_integer(e->proto)) |
		       json_object_set_new(o, "proto_mask", json_integer(e->proto_mask));
	if (e->icmp || e->icmp_type_mask || e->icmp_code_mask)
		err |= json_object_set_new(o, "icmp_type", json_integer(e->icmp_type)) |
		       json_object_set_new(o, "icmp_type_mask", json_integer(e->icmp_type_mask)) |
		       json_object_set_new(o, "icmp_code", json_integer(e->icmp_code)) |
		       json_object_set_new(o, "icmp_code_mask", json_integer(e->icmp_code_mask));
	if (e->ifindex) {
		err |= json_object_set_new(o, "ifindex", json_integer(e->ifindex));
		if (if_indextoname(e->ifindex, name))
			err |= json_object_set_new(o, "iif", json_string(name));
	}
	if (err) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *entries_json(const struct dfc_nl_entry *v, unsigned int n)
{
	json_t *arr = json_array();

	for (unsigned int i = 0; arr && i < n; i++)
		if (json_array_append_new(arr, entry_json(&v[i]))) {
			json_decref(arr);
			return NULL;
		}
	return arr;
}

/*
 * The blob as one line of text: the criterion as it was added (by
 * 'filter add', or a DTCP client through dtcpd). Line breaks become "; ";
 * anything else unprintable makes it "<N bytes>".
 */
static char *blob_line(const void *blob, uint16_t len)
{
	const unsigned char *b = blob;
	char *out = malloc(2 * (size_t)len + 16), *o = out;
	bool sep = false;

	if (!out)
		return NULL;
	for (uint16_t i = 0; i < len; i++) {
		unsigned char ch = b[i];

		if (ch == '\r' || ch == '\n') {
			sep = o != out;
			continue;
		}
		if (ch == '\0' && i == len - 1)
			break; /* a C string's terminator */
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
			snprintf(out, 16, "<%u bytes>", len);
			return out;
		}
		if (sep) {
			*o++ = ';';
			*o++ = ' ';
			sep = false;
		}
		*o++ = ch == '\t' ? ' ' : (char)ch;
	}
	*o = '\0';
	return out;
}

/* ---- filter show ---- */

/* A criterion as listed: what a dump gives, blob copied. */
struct crit_row {
	struct dfc_nl_crit c; /* pointers cleared */
	char *text;	      /* blob_line(), NULL if none */
	json_t *entries, *excl; /* from a GET, JSON only */
};

struct crit_list {
	struct crit_row *v;
	size_t n, cap;
	bool terse;
};

static void crit_list_clear(struct crit_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].text);
		json_decref(l->v[i].entries);
		json_decref(l->v[i].excl);
	}
	l->n = 0;
}

static int crit_list_add(const struct dfc_nl_crit *c, void *data)
{
	struct crit_list *l = data;
	struct crit_row *r = vec_grow(l->v, l->n, &l->cap, sizeof(*r));

	if (!r)
		return -ENOMEM;
	l->v = r;
	r = &l->v[l->n];
	memset(r, 0, sizeof(*r));
	r->c = *c;
	r->c.blob = NULL;
	r->c.entries = r->c.excl = NULL;
	if (c->blob_len) {
		r->text = blob_line(c->blob, c->blob_len);
		if (!r->text)
			return -ENOMEM;
	}
	l->n++;
	return 0;
}

/* The dump starts over: forget what it gave so far. */
static int crit_list_restart(void *data)
{
	crit_list_clear(data);
	return 0;
}

enum { CC_OWNER, CC_ID, CC_PRIO, CC_FLAGS, CC_CDEST, CC_PACKETS, CC_BYTES, CC_LAST, CC_AGE,
	CC_ENTRIES, CC_CRIT, CC_N };
#define CELL 32

static void crit_cells(char cell[CC_N][CELL], const struct crit_row *r)
{
	const struct dfc_nl_crit *c = &r->c;

	snprintf(cell[CC_OWNER], CELL, "%" PRIu32, c->owner);
	snprintf(cell[CC_ID], CELL, "%" PRIu64, c->id);
	snprintf(cell[CC_PRIO], CELL, "%" PRIu32, c->prio);
	fmt_flags(cell[CC_FLAGS], CELL, c->flags);
	snprintf(cell[CC_CDEST], CELL, "%" PRIu32, c->cdest);
	snprintf(cell[CC_PACKETS], CELL, "%" PRIu64, c->packets);
	snprintf(cell[CC_BYTES], CELL, "%" PRIu64, c->bytes);
	if (c->last_match_secs == UINT64_MAX)
		snprintf(cell[CC_LAST], CELL, "never");
	else
		fmt_duration(cell[CC_LAST], CELL, c->last_match_secs);
	fmt_duration(cell[CC_AGE], CELL, c->age_secs);
	if (c->n_excl)
		snprintf(cell[CC_ENTRIES], CELL, "%u/%u", c->n_entries, c->n_excl);
	else
		snprintf(cell[CC_ENTRIES], CELL, "%u", c->n_entries);
	cell[CC_CRIT][0] = '\0'; /* printed from r->text: any length */
}

/* Fitted widths; terse replies carry no prio, flags, cdest or counts of entries. */
static void crit_table(const struct crit_list *l)
{
	static const char *const head[CC_N] = {
		"OWNER", "ID", "PRIO", "FLAGS", "CDEST", "PACKETS", "BYTES", "LAST", "AGE",
		"ENTRIES", "CRITERION",
	};
	static const bool in_terse[CC_N] = {
		[CC_OWNER] = true, [CC_ID] = true, [CC_PACKETS] = true, [CC_BYTES] = true,
		[CC_LAST] = true, [CC_AGE] = true,
	};
	char cell[CC_N][CELL];
	int width[CC_N];

	for (int c = 0; c < CC_N; c++)
		width[c] = (int)strlen(head[c]);
	for (size_t i = 0; i < l->n; i++) {
		crit_cells(cell, &l->v[i]);
		for (int c = 0; c < CC_N; c++)
			if ((int)strlen(cell[c]) > width[c])
				width[c] = (int)strlen(cell[c]);
	}
	for (size_t i = 0; i <= l->n; i++) {
		const char *text = NULL;
		bool first = true;

		if (i == 0) {
			for (int c = 0; c < CC_N; c++)
				snprintf(cell[c], CELL, "%s", head[c]);
			text = head[CC_CRIT];
		} else {
			crit_cells(cell, &l->v[i - 1]);
			text = l->v[i - 1].text ? l->v[i - 1].text : "-";
		}
		for (int c = 0; c < CC_CRIT; c++) {
			bool left = c == CC_FLAGS;

			if (l->terse && !in_terse[c])
				continue;
			printf("%s%*s", first ? "" : "  ", left ? -width[c] : width[c], cell[c]);
			first = false;
		}
		if (!l->terse)
			printf("  %s", text);
		putchar('\n');
	}
}

static json_t *crit_json(const struct crit_row *r, bool terse)
{
	const struct dfc_nl_crit *c = &r->c;
	json_t *last = c->last_match_secs == UINT64_MAX ? json_null() :
			json_integer((json_int_t)c->last_match_secs);
	json_t *o;

	if (terse)
		return json_pack("{s:I, s:I, s:I, s:I, s:o, s:I}",
				 "owner", (json_int_t)c->owner, "id", (json_int_t)c->id,
				 "packets", (json_int_t)c->packets, "bytes", (json_int_t)c->bytes,
				 "last_match_secs", last, "age_secs", (json_int_t)c->age_secs);
	o = json_pack("{s:I, s:I, s:I, s:I, s:b, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o,"
		      " s:I, s:I, s:I, s:I}",
		      "owner", (json_int_t)c->owner, "id", (json_int_t)c->id,
		      "prio", (json_int_t)c->prio, "flags", (json_int_t)c->flags,
		      "static", !!(c->flags & DFC_CRIT_F_STATIC),
		      "async", !!(c->flags & DFC_CRIT_F_SEND_ASYNC),
		      "cdest", (json_int_t)c->cdest,
		      "timeout_total", (json_int_t)c->timeout_total,
		      "timeout_idle", (json_int_t)c->timeout_idle,
		      "limit_packets", (json_int_t)c->limit_packets,
		      "limit_bytes", (json_int_t)c->limit_bytes,
		      "packets", (json_int_t)c->packets, "bytes", (json_int_t)c->bytes,
		      "last_match_secs", last, "age_secs", (json_int_t)c->age_secs,
		      "n_refresh", (json_int_t)c->n_refresh,
		      "n_entries", (json_int_t)c->n_entries, "n_excl", (json_int_t)c->n_excl);
	if (!o)
		return NULL;
	if ((r->text && json_object_set_new(o, "criterion", json_string(r->text))) ||
	    (r->entries && json_object_set(o, "entries", r->entries)) ||
	    (r->excl && json_object_set(o, "exclusions", r->excl))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *crit_list_json(const struct crit_list *l)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < l->n; i++)
		if (json_array_append_new(arr, crit_json(&l->v[i], l->terse))) {
			json_decref(arr);
			return NULL;
		}
	return arr;
}

/* One criterion by GET: its row, and its entries (JSON: into the row; text: printed later). */
struct crit_one {
	struct crit_list *l; /* the row goes here (NULL: entries only, into row) */
	struct crit_row *row;
	bool json;
	char **lines; /* text: "entry ..." / "except ..." lines */
	unsigned int n_lines;
};

static int crit_one_cb(const struct dfc_nl_crit *c, void *data)
{
	struct crit_one *o = data;
	int err;

	if (o->l) {
		err = crit_list_add(c, o->l);
		if (err)
			return err;
		o->row = &o->l->v[o->l->n - 1];
	}
	if (o->json) {
		o->row->entries = entries_json(c->entries, c->entries ? c->n_entries : 0);
		o->row->excl = entries_json(c->excl, c->excl ? c->n_excl : 0);
		return o->row->entries && o->row->excl ? 0 : -ENOMEM;
	}
	o->lines = calloc((size_t)c->n_entries + c->n_excl + 1, sizeof(*o->lines));
	if (!o->lines)
		return -ENOMEM;
	for (unsigned int i = 0; c->entries && i < c->n_entries; i++) {
		char buf[512];

		fmt_entry(buf, sizeof(buf), &c->entries[i]);
		if (asprintf(&o->lines[o->n_lines++], "  entry   %s", buf) < 0)
			return -ENOMEM;
	}
	for (unsigned int i = 0; c->excl && i < c->n_excl; i++) {
		char buf[512];

		fmt_entry(buf, sizeof(buf), &c->excl[i]);
		if (asprintf(&o->lines[o->n_lines++], "  except  %s", buf) < 0)
			return -ENOMEM;
	}
	return 0;
}

static void crit_one_free(struct crit_one *o)
{
	for (unsigned int i = 0; o->lines && i < o->n_lines; i++)
		free(o->lines[i]);
	free(o->lines);
}

/* JSON with entries: the dump has none, so each criterion is asked for them. */
static int crit_list_entries(struct ctl *c, struct crit_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct crit_one o = { .row = &l->v[i], .json = true };
		int err = dfc_nl_crit_get(c->nl, l->v[i].c.owner, l->v[i].c.id, crit_one_cb, &o);

		/* gone since the dump (expired, deleted): listed without entries */
		if (err && err != -ENOENT)
			return err;
	}
	return 0;
}

static int cmd_filter_show(struct ctl *c, int argc, char **argv)
{
	struct crit_list l = { 0 };
	struct crit_one one = { .l = &l, .json = c->json };
	uint64_t owner = 0, id = 0;
	bool has_owner = false, has_id = false;
	char what[96];
	int err, ret;

	while (argc) {
		if (!strcmp(argv[0], "owner") && !has_owner) {
			if (take_num(&argc, &argv, UINT32_MAX, &owner))
				return bad_usage(c);
			has_owner = true;
		} else if (!strcmp(argv[0], "id") && !has_id) {
			if (take_num(&argc, &argv, UINT64_MAX, &id))
				return bad_usage(c);
			has_id = true;
		} else if (!strcmp(argv[0], "terse") && !l.terse) {
			l.terse = true;
			argc--;
			argv++;
		} else {
			return bad_usage(c);
		}
	}
	if (has_id && !has_owner) {
		fprintf(stderr, "dfcctl: filter show: an id is within an owner: give both\n");
		return bad_usage(c);
	}
	if (!ctl_nl(c))
		return EXIT_FAILURE;
	if (has_id) {
		uint32_t o32 = (uint32_t)owner;

		snprintf(what, sizeof(what), "filter show owner %" PRIu32 " id %" PRIu64, o32, id);
		err = dfc_nl_crit_get(c->nl, o32, id, crit_one_cb, &one);
		if (!err && l.terse && l.n) {
			json_decref(l.v[0].entries);
			json_decref(l.v[0].excl);
			l.v[0].entries = l.v[0].excl = NULL;
			crit_one_free(&one);
			one.lines = NULL;
			one.n_lines = 0;
		}
	} else {
		uint32_t o32 = (uint32_t)owner;

		if (has_owner)
			snprintf(what, sizeof(what), "filter show owner %" PRIu32, o32);
		else
			snprintf(what, sizeof(what), "filter show");
		err = dfc_nl_crit_dump(c->nl, has_owner ? &o32 : NULL, l.terse, crit_list_add,
				       crit_list_restart, &l);
		if (!err && c->json && !l.terse)
			err = crit_list_entries(c, &l);
	}
	if (err) {
		ret = fail(c, what, err);
	} else if (c->json) {
		ret = print_json(crit_list_json(&l));
	} else {
		crit_table(&l);
		for (unsigned int i = 0; i < one.n_lines; i++)
			printf("%s\n", one.lines[i]);
		ret = 0;
	}
	crit_one_free(&one);
	crit_list_clear(&l);
	free(l.v);
	return ret;
}

/* ---- filter del ---- */

static int cmd_filter_del(struct ctl *c, int argc, char **argv)
{
	uint64_t owner = 0, id = 0, cdest = 0;
	bool has_owner = false, has_id = false, has_cdest = false, statics = false;
	uint32_t deleted = 0, cd32;
	char what[96];
	int err;

	while (argc) {
		if (!strcmp(argv[0], "owner") && !has_owner) {
			if (take_num(&argc, &argv, UINT32_MAX, &owner))
				return bad_usage(c);
			has_owner = true;
		} else if (!strcmp(argv[0], "id") && !has_id && !has_cdest) {
			if (take_num(&argc, &argv, UINT64_MAX, &id))
				return bad_usage(c);
			has_id = true;
		} else if (!strcmp(argv[0], "cdest") && !has_id && !has_cdest) {
			if (take_num(&argc, &argv, UINT32_MAX, &cdest))
				return bad_usage(c);
			has_cdest = true;
		} else if (!strcmp(argv[0], "static") && !statics) {
			statics = true;
			argc--;
			argv++;
		} else {
			return bad_usage(c);
		}
	}
	if (!has_owner)
		return bad_usage(c);
	if (!ctl_nl(c))
		return EXIT_FAILURE;
	cd32 = (uint32_t)cdest;
	err = dfc_nl_crit_del(c->nl, (uint32_t)owner, has_id ? &id : NULL,
			      has_cdest ? &cd32 : NULL, statics, &deleted);
	snprintf(what, sizeof(what), "filter del owner %" PRIu64, owner);
	if (err)
		return fail(c, what, err);
	if (c->json)
		return print_json(json_pack("{s:I}", "deleted", (json_int_t)deleted));
	printf("deleted %" PRIu32 "\n", deleted);
	return 0;
}

/* ---- filter add ---- */

/* The filter fields of 'filter add', by keyword; ipver and iif are not spec fields. */
static const struct {
	const char *kw;
	int field; /* enum dfc_spec_field, or one of the two below */
} add_fields[] = {
	{ "src", DFC_SPEC_SRC }, { "dst", DFC_SPEC_DST },
	{ "sport", DFC_SPEC_SPORT }, { "dport", DFC_SPEC_DPORT },
	{ "proto", DFC_SPEC_PROTO }, { "icmp-type", DFC_SPEC_ICMP_TYPE },
	{ "icmp-code", DFC_SPEC_ICMP_CODE },
	{ "ipver", DFC_SPEC_NFIELDS }, { "iif", DFC_SPEC_NFIELDS + 1 },
};

#define N_ADD_FIELDS (sizeof(add_fields) / sizeof(add_fields[0]))

/* Append " kw value" to the criterion's text, quoting a value with spaces. */
static int text_add(char *buf, size_t size, size_t *n, const char *kw, const char *value)
{
	bool quote = !*value || strpbrk(value, " \t'\"") != NULL;
	int w = snprintf(buf + *n, size - *n, "%s%s %s%s%s", *n ? " " : "", kw,
			 quote ? "'" : "", value, quote ? "'" : "");

	if (w < 0 || (size_t)w >= size - *n)
		return -1;
	*n += (size_t)w;
	return 0;
}

/*
 * The fields given into spec (the IP version first, so that addresses are
 * checked against it), and the text they make, in the order given
 * (order[0..n_given)), into text. -1 (said why) if a value is wrong.
 */
static int filter_spec(struct dfc_spec *spec, const char *const value[N_ADD_FIELDS],
		       const unsigned int *order, unsigned int n_given,
		       char *text, size_t size, size_t *tlen)
{
	const char *why = NULL;
	uint64_t v;

	for (size_t f = 0; f < N_ADD_FIELDS; f++) {
		if (!value[f] || add_fields[f].field < DFC_SPEC_NFIELDS)
			continue;
		if (add_fields[f].field == DFC_SPEC_NFIELDS) {
			if (strcmp(value[f], "4") && strcmp(value[f], "6")) {
				fprintf(stderr, "dfcctl: filter add: ipver: 4 or 6\n");
				return -1;
			}
			spec->ipver = (uint8_t)(value[f][0] - '0');
		} else if (!parse_num(value[f], UINT32_MAX, &v) && v) {
			spec->ifindex = (uint32_t)v;
		} else {
			spec->ifindex = if_nametoindex(value[f]);
			if (!spec->ifindex) {
				fprintf(stderr, "dfcctl: filter add: iif: no interface '%s'\n",
					value[f]);
				return -1;
			}
		}
	}
	for (size_t f = 0; f < N_ADD_FIELDS; f++) {
		if (!value[f] || add_fields[f].field >= DFC_SPEC_NFIELDS)
			continue;
		if (dfc_spec_parse_field(spec, (enum dfc_spec_field)add_fields[f].field, value[f],
					 &why)) {
			fprintf(stderr, "dfcctl: filter add: %s: %s\n", add_fields[f].kw,
				why ? why : "invalid value");
			return -1;
		}
	}
	/* the text it was added with, in the order given, for 'filter show' */
	for (unsigned int i = 0; i < n_given; i++) {
		unsigned int f = order[i];

		if (text_add(text, size, tlen, add_fields[f].kw, value[f])) {
			fprintf(stderr, "dfcctl: filter add: criterion longer than %zu bytes\n",
				size);
			return -1;
		}
	}
	return 0;
}

static int cmd_filter_add(struct ctl *c, int argc, char **argv)
{
	static struct dfc_nl_entry entries[DFC_CRIT_MAX_ENTRIES], excl[DFC_CRIT_MAX_EXCL];
	struct dfc_nl_crit crit = { .prio = 1 };
	const char *value[N_ADD_FIELDS] = { 0 };
	unsigned int order[N_ADD_FIELDS], n_given = 0;
	char text[DFC_CRIT_BLOB_MAX];
	struct dfc_spec *spec;
	uint64_t owner = 0, v;
	bool has_owner = false, has_id = false;
	const char *why = NULL;
	size_t tlen = 0;

	unsigned int done;
	char what[96];
	int err;

	while (argc) {
		const char *kw = argv[0];
		size_t f;

		for (f = 0; f < N_ADD_FIELDS && strcmp(kw, add_fields[f].kw); f++)
			;
		if (f < N_ADD_FIELDS) {
			if (value[f] || argc < 2) {
				fprintf(stderr, "dfcctl: filter add: %s %s\n", kw,
					value[f] ? "given twice" : "needs a value");
				return bad_usage(c);
			}
			value[f] = argv[1];
			order[n_given++] = (unsigned int)f;
			argc -= 2;
			argv += 2;
		} else if (!strcmp(kw, "static") || !strcmp(kw, "async")) {
			crit.flags |= kw[0] == 's' ? DFC_CRIT_F_STATIC : DFC_CRIT_F_SEND_ASYNC;
			argc--;
			argv++;
		} else if (!strcmp(kw, "owner") && !has_owner) {
			if (take_num(&argc, &argv, UINT32_MAX, &owner))
				return bad_usage(c);
			has_owner = true;
		} else if (!strcmp(kw, "id") && !has_id) {
			if (take_num(&argc, &argv, UINT64_MAX, &crit.id))
				return bad_usage(c);
			has_id = true;
		} else if (!strcmp(kw, "prio") || !strcmp(kw, "cdest") ||
			   !strcmp(kw, "timeout-total") || !strcmp(kw, "timeout-idle")) {
			if (take_num(&argc, &argv, UINT32_MAX, &v))
				return bad_usage(c);
			*(!strcmp(kw, "prio") ? &crit.prio : !strcmp(kw, "cdest") ? &crit.cdest :
			  !strcmp(kw, "timeout-total") ? &crit.timeout_total : &crit.timeout_idle) =
				(uint32_t)v;
		} else if (!strcmp(kw, "packets") || !strcmp(kw, "bytes")) {
			if (take_num(&argc, &argv, UINT64_MAX, &v))
				return bad_usage(c);
			*(kw[0] == 'p' ? &crit.limit_packets : &crit.limit_bytes) = v;
		} else {
			fprintf(stderr, "dfcctl: filter add: unknown keyword '%s'\n", kw);
			return bad_usage(c);
		}
	}
	if (!has_owner || !has_id)
		return bad_usage(c);
	if (!dfc_spec_parse_field || !dfc_spec_expand) {
		fprintf(stderr, "dfcctl: filter add: built without lib/dfc_spec.c "
				"(filter values cannot be expanded)\n");
		return EXIT_FAILURE;
	}

	spec = calloc(1, sizeof(*spec));
	if (!spec)
		return fail(c, "filter add", -ENOMEM);
	err = filter_spec(spec, value, order, n_given, text, sizeof(text), &tlen);
	if (err) {
		free(spec);
		return EXIT_USAGE;
	}
	err = dfc_spec_expand(spec, entries, DFC_CRIT_MAX_ENTRIES, &crit.n_entries,
			      excl, DFC_CRIT_MAX_EXCL, &crit.n_excl, &why);
	free(spec);
	if (err) {
		fprintf(stderr, "dfcctl: filter add: %s\n", why ? why : strerror(-err));
		return err == -ENOMEM ? EXIT_FAILURE : EXIT_USAGE;
	}
	crit.entries = entries;
	crit.excl = excl;
	crit.blob = text;
	crit.blob_len = (uint16_t)tlen;
	if (!ctl_nl(c))
		return EXIT_FAILURE;
	err = dfc_nl_crit_add(c->nl, (uint32_t)owner, &crit, 1, &done);
	snprintf(what, sizeof(what), "filter add owner %" PRIu64 " id %" PRIu64, owner, crit.id);
	return err ? fail(c, what, err) : 0;
}

/* ---- content destinations ---- */

static const struct {
	const char *name;
	uint8_t encap;
} encaps[] = { { "ipip", DFC_ENCAP_IPIP }, { "udp", DFC_ENCAP_UDP } };

static const char *encap_name(uint8_t e)
{
	for (size_t i = 0; i < sizeof(encaps) / sizeof(encaps[0]); i++)
		if (encaps[i].encap == e)
			return encaps[i].name;
	return "unknown";
}

/*
 * A bit rate: digits, optionally a fraction and a k, M, G or T suffix
 * (powers of 1000, case ignored), making a whole number of bit/s up to
 * UINT64_MAX. -1 if it is not one.
 */
static int parse_rate(const char *arg, uint64_t *out)
{
	static const char units[] = "kmgt";
	uint64_t whole = 0, frac = 0, fdiv = 1, mult = 1;
	const char *p = arg, *u;

	if (!arg || *p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (whole > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return -1;
		whole = whole * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			return -1;
		/* 12 digits at most: a fraction of a T (10^12) still makes a whole number */
		for (p++; *p >= '0' && *p <= '9'; p++) {
			if (fdiv == 1000000000000ULL)
				return -1;
			frac = frac * 10 + (uint64_t)(*p - '0');
			fdiv *= 10;
		}
	}
	if (*p) {
		u = strchr(units, *p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
		if (!u || !*u || p[1])
			return -1;
		for (const char *q = units; q <= u; q++)
			mult *= 1000;
	}
	/* the fraction must make whole bits: 1.5k is 1500, 1.0005k is not a rate */
	if ((frac * mult) % fdiv || (mult > 1 && whole > UINT64_MAX / mult))
		return -1;
	whole *= mult;
	if (whole > UINT64_MAX - frac * mult / fdiv)
		return -1;
	*out = whole + frac * mult / fdiv;
	return 0;
}

/* "1.5M", "10G", "999": three significant digits at most, exact when whole. */
static void fmt_rate(char *buf, size_t size, uint64_t v)
{
	static const char units[] = "kMGTPE";
	uint64_t div = 1;
	double x;
	char *p;
	int u = -1;

	while (u < 5 && v / div >= 1000) {
		div *= 1000;
		u++;
	}
	if (u < 0) {
		snprintf(buf, size, "%" PRIu64, v);
		return;
	}
	if (v % div == 0) {
		snprintf(buf, size, "%" PRIu64 "%c", v / div, units[u]);
		return;
	}
	x = (double)v / (double)div;
	/* 999.7k rounds to the next unit, not to "1000k" */
	if (x >= 999.5 && u < 5) {
		div *= 1000;
		u++;
		x = (double)v / (double)div;
	}
	snprintf(buf, size, "%.*f", x >= 99.5 ? 0 : x >= 9.95 ? 1 : 2, x);
	/* "1.50" as "1.5", "2.00" as "2" */
	if (strchr(buf, '.')) {
		for (p = buf + strlen(buf) - 1; *p == '0'; p--)
			*p = '\0';
		if (*p == '.')
			*p = '\0';
	}
	snprintf(buf + strlen(buf), size - strlen(buf), "%c", units[u]);
}

/* "KEYWORD BPS" at argv[0..1], as take_num. */
static int take_rate(int *argc, char ***argv, uint64_t *out)
{
	const char *kw = (*argv)[0];

	if (*argc < 2 || parse_rate((*argv)[1], out)) {
		fprintf(stderr, "dfcctl: %s: '%s' is not a bit rate (N, or N with k, M, G, T)\n",
			kw, *argc < 2 ? "" : (*argv)[1]);
		return -1;
	}
	*argc -= 2;
	*argv += 2;
	return 0;
}

/* An IPv4 or IPv6 address into a[16]: its version, or 0. */
static uint8_t parse_addr(const char *arg, uint8_t *a)
{
	memset(a, 0, 16);
	if (inet_pton(AF_INET, arg, a) == 1)
		return 4;
	if (inet_pton(AF_INET6, arg, a) == 1)
		return 6;
	return 0;
}

static void fmt_addr(char *buf, size_t size, uint8_t ipver, const uint8_t *a)
{
	if (!inet_ntop(ipver == 6 ? AF_INET6 : AF_INET, a, buf, (socklen_t)size))
		snprintf(buf, size, "?");
}

/* The ID argument: 1..UINT32_MAX. */
static int take_cdest_id(int *argc, char ***argv, uint32_t *id)
{
	uint64_t v;

	if (!*argc || parse_num((*argv)[0], UINT32_MAX, &v) || !v) {
		fprintf(stderr, "dfcctl: cdest: ID: '%s' is not a number 1..%" PRIu32 "\n",
			*argc ? (*argv)[0] : "", UINT32_MAX);
		return -1;
	}
	*id = (uint32_t)v;
	*argc -= 1;
	*argv += 1;
	return 0;
}

/*
 * The options of 'cdest add' and 'cdest set' into d, each given field's
 * bit into d->set_mask (each at most once). -1 (said why) if one is wrong.
 */
static int cdest_opts(int argc, char **argv, struct dfc_nl_cdest *d, const char *verb)
{
	static const struct {
		const char *kw;
		uint32_t bit;
		uint64_t min, max; /* numbers */
	} num[] = {
		{ "sport", DFC_NL_CDEST_SET_SPORT, 0, UINT16_MAX },
		{ "dport", DFC_NL_CDEST_SET_DPORT, 1, UINT16_MAX },
		{ "ttl", DFC_NL_CDEST_SET_TTL, 1, UINT8_MAX },
		{ "dscp", DFC_NL_CDEST_SET_DSCP, 0, 63 },
	};
	static const struct {
		const char *kw;
		uint32_t bit;
	} rate[] = {
		{ "soft-limit", DFC_NL_CDEST_SET_SOFT_LIMIT },
		{ "soft-clear", DFC_NL_CDEST_SET_SOFT_CLEAR },
		{ "hard-limit", DFC_NL_CDEST_SET_HARD_LIMIT },
		{ "hard-target", DFC_NL_CDEST_SET_HARD_TARGET },
	};
	uint8_t src_ver = 0;

	while (argc) {
		const char *kw = argv[0], *val = argc > 1 ? argv[1] : NULL;
		uint32_t bit = 0;
		size_t i;

		for (i = 0; !bit && i < sizeof(num) / sizeof(num[0]); i++)
			if (!strcmp(kw, num[i].kw))
				bit = num[i].bit;
		for (i = 0; !bit && i < sizeof(rate) / sizeof(rate[0]); i++)
			if (!strcmp(kw, rate[i].kw))
				bit = rate[i].bit;
		if (!bit)
			bit = !strcmp(kw, "address") ? DFC_NL_CDEST_SET_ADDR :
			      !strcmp(kw, "src") ? DFC_NL_CDEST_SET_SRC :
			      !strcmp(kw, "encap") ? DFC_NL_CDEST_SET_ENCAP :
			      !strcmp(kw, "name") ? DFC_NL_CDEST_SET_NAME :
			      !strcmp(kw, "ipsec-required") ? DFC_NL_CDEST_SET_FLAGS :
			      !strcmp(kw, "no-ipsec-required") ? DFC_NL_CDEST_SET_FLAGS : 0;
		if (!bit) {
			fprintf(stderr, "dfcctl: cdest %s: unknown keyword '%s'\n", verb, kw);
			return -1;
		}
		if (d->set_mask & bit) {
			fprintf(stderr, "dfcctl: cdest %s: %s given twice\n", verb,
				bit == DFC_NL_CDEST_SET_FLAGS ? "ipsec-required" : kw);
			return -1;
		}
		d->set_mask |= bit;
		if (bit == DFC_NL_CDEST_SET_FLAGS) {
			d->flags = kw[0] == 'n' ? 0 : DFC_CDEST_F_IPSEC_REQUIRED;
			argc--;
			argv++;
			continue;
		}
		if (!val) {
			fprintf(stderr, "dfcctl: cdest %s: %s needs a value\n", verb, kw);
			return -1;
		}
		for (i = 0; i < sizeof(num) / sizeof(num[0]); i++) {
			uint64_t v;

			if (bit != num[i].bit)
				continue;
			if (take_num(&argc, &argv, num[i].max, &v))
				return -1;
			if (v < num[i].min) {
				fprintf(stderr, "dfcctl: cdest %s: %s: %" PRIu64 "..%" PRIu64 "\n",
					verb, kw, num[i].min, num[i].max);
				return -1;
			}
			if (bit == DFC_NL_CDEST_SET_SPORT)
				d->sport = (uint16_t)v;
			else if (bit == DFC_NL_CDEST_SET_DPORT)
				d->dport = (uint16_t)v;
			else if (bit == DFC_NL_CDEST_SET_TTL)
				d->ttl = (uint8_t)v;
			else
				d->dscp = (uint8_t)v;
			break;
		}
		if (i < sizeof(num) / sizeof(num[0]))
			continue;
		for (i = 0; i < sizeof(rate) / sizeof(rate[0]); i++) {
			if (bit != rate[i].bit)
				continue;
			if (take_rate(&argc, &argv,
				      bit == DFC_NL_CDEST_SET_SOFT_LIMIT ? &d->soft_limit :
				      bit == DFC_NL_CDEST_SET_SOFT_CLEAR ? &d->soft_clear :
				      bit == DFC_NL_CDEST_SET_HARD_LIMIT ? &d->hard_limit :
				      &d->hard_target))
				return -1;
			break;
		}
		if (i < sizeof(rate) / sizeof(rate[0]))
			continue;
		if (bit == DFC_NL_CDEST_SET_ADDR || bit == DFC_NL_CDEST_SET_SRC) {
			uint8_t ver = parse_addr(val, bit == DFC_NL_CDEST_SET_ADDR ? d->addr : d->src);

			if (!ver) {
				fprintf(stderr, "dfcctl: cdest %s: %s: '%s' is not an IPv4 or IPv6 "
					"address\n", verb, kw, val);
				return -1;
			}
			if (bit == DFC_NL_CDEST_SET_ADDR)
				d->ipver = ver;
			else
				src_ver = ver;
			d->has_src |= bit == DFC_NL_CDEST_SET_SRC;
		} else if (bit == DFC_NL_CDEST_SET_ENCAP) {
			for (i = 0; i < sizeof(encaps) / sizeof(encaps[0]); i++)
				if (!strcmp(val, encaps[i].name))
					break;
			if (i == sizeof(encaps) / sizeof(encaps[0])) {
				fprintf(stderr, "dfcctl: cdest %s: encap: ipip or udp\n", verb);
				return -1;
			}
			d->encap = encaps[i].encap;
		} else {
			if (strlen(val) >= sizeof(d->name)) {
				fprintf(stderr, "dfcctl: cdest %s: name: at most %zu characters\n",
					verb, sizeof(d->name) - 1);
				return -1;
			}
			snprintf(d->name, sizeof(d->name), "%s", val);
		}
		argc -= 2;
		argv += 2;
	}
	/* the library encodes both addresses by ipver: a lone src (set) gives it */
	if (src_ver) {
		if (d->ipver && d->ipver != src_ver) {
			fprintf(stderr, "dfcctl: cdest %s: src and address differ in IP version\n",
				verb);
			return -1;
		}
		d->ipver = src_ver;
	}
	return 0;
}

static int cmd_cdest_add(struct ctl *c, int argc, char **argv)
{
	struct dfc_nl_cdest d = { 0 };
	char what[64];
	int err;

	if (take_cdest_id(&argc, &argv, &d.id) || cdest_opts(argc, argv, &d, "add"))
		return bad_usage(c);
	if (!(d.set_mask & DFC_NL_CDEST_SET_ADDR)) {
		fprintf(stderr, "dfcctl: cdest add: an address is required\n");
		return bad_usage(c);
	}
	if (!ctl_nl(c))
		return EXIT_FAILURE;
	err = dfc_nl_cdest_add(c->nl, &d);
	snprintf(what, sizeof(what), "cdest add %" PRIu32, d.id);
	return err ? fail(c, what, err) : 0;
}

static int cmd_cdest_set(struct ctl *c, int argc, char **argv)
{
	struct dfc_nl_cdest d = { 0 };
	char what[64];
	int err;

	if (take_cdest_id(&argc, &argv, &d.id) || cdest_opts(argc, argv, &d, "set"))
		return bad_usage(c);
	if (!d.set_mask) {
		fprintf(stderr, "dfcctl: cdest set: nothing to change\n");
		return bad_usage(c);
	}
	if (!ctl_nl(c))
		return EXIT_FAILURE;
	err = dfc_nl_cdest_set(c->nl, &d);
	snprintf(what, sizeof(what), "cdest set %" PRIu32, d.id);
	return err ? fail(c, what, err) : 0;
}

static int cmd_cdest_del(struct ctl *c, int argc, char **argv)
{
	bool force = false;
	char what[64];
	uint32_t id;
	int err;

	if (take_cdest_id(&argc, &argv, &id))
		return bad_usage(c);
	if (argc && !strcmp(argv[0], "force")) {
		force = true;
		argc--;
	}
	if (argc)
		return bad_usage(c);
	if (!ctl_nl(c))
		return EXIT_FAILURE;
	err = dfc_nl_cdest_del(c->nl, id, force);
	snprintf(what, sizeof(what), "cdest del %" PRIu32, id);
	return err ? fail(c, what, err) : 0;
}

struct cdest_list {
	struct dfc_nl_cdest *v;
	size_t n, cap;
};

static int cdest_list_add(const struct dfc_nl_cdest *d, void *data)
{
	struct cdest_list *l = data;
	struct dfc_nl_cdest *v = vec_grow(l->v, l->n, &l->cap, sizeof(*v));

	if (!v)
		return -ENOMEM;
	l->v = v;
	l->v[l->n++] = *d;
	return 0;
}

static int cdest_cmp(const void *a, const void *b)
{
	uint32_t x = ((const struct dfc_nl_cdest *)a)->id, y = ((const struct dfc_nl_cdest *)b)->id;

	return (x > y) - (x < y);
}

/* The drop counters, by cause, in the order of the uapi. */
#define N_DROPS 8
static void cdest_drops(const struct dfc_nl_cdest *d, const char *name[N_DROPS],
			uint64_t v[N_DROPS])
{
	static const char *const names[N_DROPS] = {
		"nomem", "noroute", "noipsec", "toobig", "loop", "ratelimit", "dupcap",
		"txerr",
	};
	const uint64_t val[N_DROPS] = {
		d->stats.nomem, d->stats.noroute, d->stats.noipsec, d->stats.toobig,
		d->stats.loop, d->stats.ratelimit, d->stats.dupcap, d->stats.txerr,
	};

	for (int i = 0; i < N_DROPS; i++) {
		name[i] = names[i];
		v[i] = val[i];
	}
}

/* "addr", or "addr:port" / "[addr]:port" for udp. */
static void cdest_address(char *buf, size_t size, const struct dfc_nl_cdest *d)
{
	char a[INET6_ADDRSTRLEN];

	fmt_addr(a, sizeof(a), d->ipver, d->addr);
	if (d->encap != DFC_ENCAP_UDP)
		snprintf(buf, size, "%s", a);
	else if (d->ipver == 6)
		snprintf(buf, size, "[%s]:%u", a, d->dport);
	else
		snprintf(buf, size, "%s:%u", a, d->dport);
}

static void cdest_flags(char *buf, size_t size, const struct dfc_nl_cdest *d)
{
	bool ipsec = d->flags & DFC_CDEST_F_IPSEC_REQUIRED;

	snprintf(buf, size, "%s%s%s", ipsec ? "ipsec" : "", ipsec && d->congested ? "," : "",
		 d->congested ? "congested" : "");
	if (!*buf)
		snprintf(buf, size, "-");
}

enum { DC_ID, DC_NAME, DC_ENCAP, DC_ADDR, DC_TTL, DC_FLAGS, DC_CRITS, DC_RATE, DC_COPIES,
	DC_BYTES, DC_DROPS, DC_N };
#define DCELL 256 /* DROPS: every cause, with 20 digits each */

static void cdest_cells(char cell[DC_N][DCELL], const struct dfc_nl_cdest *d)
{
	const char *name[N_DROPS];
	uint64_t v[N_DROPS], total = 0;
	size_t n;

	snprintf(cell[DC_ID], DCELL, "%" PRIu32, d->id);
	snprintf(cell[DC_NAME], DCELL, "%s", d->name[0] ? d->name : "-");
	snprintf(cell[DC_ENCAP], DCELL, "%s", encap_name(d->encap));
	cdest_address(cell[DC_ADDR], DCELL, d);
	snprintf(cell[DC_TTL], DCELL, "%u", d->ttl);
	cdest_flags(cell[DC_FLAGS], DCELL, d);
	snprintf(cell[DC_CRITS], DCELL, "%" PRIu32, d->crits);
	fmt_rate(cell[DC_RATE], DCELL, d->stats.rate);
	snprintf(cell[DC_COPIES], DCELL, "%" PRIu64, d->stats.copies);
	snprintf(cell[DC_BYTES], DCELL, "%" PRIu64, d->stats.bytes);
	/* the total, then the causes that count */
	cdest_drops(d, name, v);
	for (int i = 0; i < N_DROPS; i++)
		total += v[i];
	n = (size_t)snprintf(cell[DC_DROPS], DCELL, "%" PRIu64, total);
	for (int i = 0, k = 0; i < N_DROPS; i++) {
		if (!v[i] || n >= DCELL)
			continue;
		n += (size_t)snprintf(cell[DC_DROPS] + n, DCELL - n, "%s%s %" PRIu64,
				      k++ ? ", " : " (", name[i], v[i]);
	}
	if (total && n < DCELL)
		snprintf(cell[DC_DROPS] + n, DCELL - n, ")");
}

static void cdest_table(const struct cdest_list *l)
{
	static const char *const head[DC_N] = {
		"ID", "NAME", "ENCAP", "ADDRESS", "TTL", "FLAGS", "CRITS", "RATE", "COPIES",
		"BYTES", "DROPS",
	};
	char cell[DC_N][DCELL];
	int width[DC_N];

	for (int c = 0; c < DC_N; c++)
		width[c] = (int)strlen(head[c]);
	for (size_t i = 0; i < l->n; i++) {
		cdest_cells(cell, &l->v[i]);
		for (int c = 0; c < DC_N; c++)
			if ((int)strlen(cell[c]) > width[c])
				width[c] = (int)strlen(cell[c]);
	}
	for (size_t i = 0; i <= l->n; i++) {
		if (i == 0)
			for (int c = 0; c < DC_N; c++)
				snprintf(cell[c], DCELL, "%s", head[c]);
		else
			cdest_cells(cell, &l->v[i - 1]);
		for (int c = 0; c < DC_N; c++) {
			bool left = c == DC_NAME || c == DC_ENCAP || c == DC_ADDR ||
				    c == DC_FLAGS || c == DC_DROPS;

			/* the last column is not padded */
			if (c == DC_DROPS)
				printf("  %s", cell[c]);
			else
				printf("%s%*s", c ? "  " : "", left ? -width[c] : width[c], cell[c]);
		}
		putchar('\n');
	}
}

/* Below the table of one destination: what its row leaves out. */
static void cdest_details(const struct dfc_nl_cdest *d)
{
	char a[INET6_ADDRSTRLEN], r[4][32];
	const uint64_t lim[4] = { d->soft_limit, d->soft_clear, d->hard_limit, d->hard_target };
	const char *name[N_DROPS];
	uint64_t v[N_DROPS];

	if (d->has_src)
		fmt_addr(a, sizeof(a), d->ipver, d->src);
	else
		snprintf(a, sizeof(a), "auto");
	printf("  src %s", a);
	if (d->encap == DFC_ENCAP_UDP)
		printf("  sport %u  dport %u", d->sport, d->dport);
	printf("  dscp %u\n", d->dscp);
	for (int i = 0; i < 4; i++) {
		if (lim[i])
			fmt_rate(r[i], sizeof(r[i]), lim[i]);
		else
			snprintf(r[i], sizeof(r[i]), "none");
	}
	printf("  soft-limit %s  soft-clear %s  hard-limit %s  hard-target %s\n",
	       r[0], r[1], r[2], r[3]);
	cdest_drops(d, name, v);
	printf("  drops:");
	for (int i = 0; i < N_DROPS; i++)
		printf(" %s %" PRIu64, name[i], v[i]);
	putchar('\n');
}

static json_t *cdest_json(const struct dfc_nl_cdest *d)
{
	char addr[INET6_ADDRSTRLEN], src[INET6_ADDRSTRLEN];
	const char *name[N_DROPS];
	uint64_t v[N_DROPS];
	json_t *o, *st;

	fmt_addr(addr, sizeof(addr), d->ipver, d->addr);
	if (d->has_src)
		fmt_addr(src, sizeof(src), d->ipver, d->src);
	st = json_pack("{s:I, s:I}", "copies", (json_int_t)d->stats.copies,
		       "bytes", (json_int_t)d->stats.bytes);
	cdest_drops(d, name, v);
	for (int i = 0; st && i < N_DROPS; i++)
		if (json_object_set_new(st, name[i], json_integer((json_int_t)v[i]))) {
			json_decref(st);
			st = NULL;
		}
	if (st && json_object_set_new(st, "rate", json_integer((json_int_t)d->stats.rate))) {
		json_decref(st);
		st = NULL;
	}
	if (!st)
		return NULL;
	o = json_pack("{s:I, s:s, s:s, s:I, s:s, s:o, s:I, s:I, s:I, s:I, s:I, s:b, s:I, s:I,"
		      " s:I, s:I, s:I, s:b, s:o}",
		      "id", (json_int_t)d->id, "name", d->name, "encap", encap_name(d->encap),
		      "ipver", (json_int_t)d->ipver, "address", addr,
		      "src", d->has_src ? json_string(src) : json_null(),
		      "sport", (json_int_t)d->sport, "dport", (json_int_t)d->dport,
		      "ttl", (json_int_t)d->ttl, "dscp", (json_int_t)d->dscp,
		      "flags", (json_int_t)d->flags,
		      "ipsec_required", !!(d->flags & DFC_CDEST_F_IPSEC_REQUIRED),
		      "soft_limit", (json_int_t)d->soft_limit,
		      "soft_clear", (json_int_t)d->soft_clear,
		      "hard_limit", (json_int_t)d->hard_limit,
		      "hard_target", (json_int_t)d->hard_target,
		      "crits", (json_int_t)d->crits, "congested", d->congested != 0,
		      "stats", st);
	return o;
}

static int cmd_cdest_show(struct ctl *c, int argc, char **argv)
{
	struct cdest_list l = { 0 };
	bool one = argc > 0;
	uint32_t id = 0;
	char what[64];
	int err, ret;

	if (one && take_cdest_id(&argc, &argv, &id))
		return bad_usage(c);
	if (argc)
		return bad_usage(c);
	if (!ctl_nl(c))
		return EXIT_FAILURE;
	if (one) {
		struct dfc_nl_cdest d;

		snprintf(what, sizeof(what), "cdest show %" PRIu32, id);
		err = dfc_nl_cdest_get(c->nl, id, &d);
		if (!err)
			err = cdest_list_add(&d, &l);
	} else {
		snprintf(what, sizeof(what), "cdest show");
		err = dfc_nl_cdest_dump(c->nl, cdest_list_add, &l);
		if (!err && l.n)
			qsort(l.v, l.n, sizeof(*l.v), cdest_cmp);
	}
	if (err) {
		ret = fail(c, what, err);
	} else if (c->json) {
		json_t *arr = json_array();

		for (size_t i = 0; arr && i < l.n; i++)
			if (json_array_append_new(arr, cdest_json(&l.v[i]))) {
				json_decref(arr);
				arr = NULL;
			}
		ret = print_json(arr);
	} else {
		cdest_table(&l);
		if (one && l.n)
			cdest_details(&l.v[0]);
		ret = 0;
	}
	free(l.v);
	return ret;
}

/* ---- owner ---- */

static int cmd_owner_set(struct ctl *c, int argc, char **argv)
{
	uint64_t owner, max_dup;
	char what[64];
	int err;

	if (!argc || parse_num(argv[0], UINT32_MAX, &owner)) {
		fprintf(stderr, "dfcctl: owner set: OWNER: a number up to %" PRIu32 "\n",
			UINT32_MAX);
		return bad_usage(c);
	}
	argc--;
	argv++;
	if (!argc || strcmp(argv[0], "max-duplicates") ||
	    take_num(&argc, &argv, 64, &max_dup) || argc)
		return bad_usage(c);
	if (!ctl_nl(c))
		return EXIT_FAILURE;
	err = dfc_nl_owner_set(c->nl, (uint32_t)owner, (uint32_t)max_dup);
	snprintf(what, sizeof(what), "owner set %" PRIu64, owner);
	return err ? fail(c, what, err) : 0;
}

/* ---- monitor ---- */

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* A purge: "purged owner O cdest D ids 1,2,3" (ids in the order the kernel removed them). */
static int event_purged(const struct dfc_nl_event *e, bool json)
{
	unsigned int n = e->purged.n_ids;

	if (json) {
		json_t *ids = json_array(), *o;

		for (unsigned int i = 0; ids && i < n; i++)
			if (json_array_append_new(ids, json_integer((json_int_t)e->purged.ids[i]))) {
				json_decref(ids);
				ids = NULL;
			}
		if (!ids)
			return print_json(NULL) ? -EIO : 0;
		o = json_pack("{s:s, s:I, s:I, s:I, s:o}", "event", "purged",
			      "owner", (json_int_t)e->purged.owner,
			      "cdest", (json_int_t)e->purged.cdest,
			      "count", (json_int_t)e->purged.n_total, "ids", ids);
		return print_json(o) ? -EIO : 0;
	}
	printf("purged owner %" PRIu32 " cdest %" PRIu32 " count %u ids ", e->purged.owner,
	       e->purged.cdest, e->purged.n_total);
	for (unsigned int i = 0; i < n; i++)
		printf("%s%" PRIu64, i ? "," : "", e->purged.ids[i]);
	if (e->purged.n_total > n)
		printf("%s...", n ? "," : "");
	putchar('\n');
	return 0;
}

/* Dropped duplicates: "dup-dropped owner O id I cdest D dropped N, id ..." */
static int event_dup(const struct dfc_nl_event *e, bool json)
{
	unsigned int n = e->dup.n;

	if (json) {
		json_t *v = json_array(), *o;

		for (unsigned int i = 0; v && i < n; i++) {
			const struct dfc_nl_dup *d = &e->dup.v[i];

			if (json_array_append_new(v, json_pack("{s:I, s:I, s:I}",
							       "id", (json_int_t)d->id,
							       "cdest", (json_int_t)d->cdest,
							       "dropped", (json_int_t)d->dropped))) {
				json_decref(v);
				v = NULL;
			}
		}
		if (!v)
			return print_json(NULL) ? -EIO : 0;
		o = json_pack("{s:s, s:I, s:I, s:o}", "event", "dup_dropped",
			      "owner", (json_int_t)e->dup.owner, "count", (json_int_t)e->dup.n_total,
			      "crits", v);
		return print_json(o) ? -EIO : 0;
	}
	printf("dup-dropped owner %" PRIu32, e->dup.owner);
	for (unsigned int i = 0; i < n; i++)
		printf("%s id %" PRIu64 " cdest %" PRIu32 " dropped %" PRIu64, i ? "," : "",
		       e->dup.v[i].id, e->dup.v[i].cdest, e->dup.v[i].dropped);
	if (e->dup.n_total > n)
		printf(", ... (%u criteria)", e->dup.n_total);
	putchar('\n');
	return 0;
}

/* Congestion and missing IPsec: about one destination. */
static int event_cdest(const struct dfc_nl_event *e, bool json)
{
	bool congested = e->cmd == DFC_CMD_CDEST_CONGESTED;

	if (json) {
		json_t *o = congested ?
			json_pack("{s:s, s:I, s:b, s:I}", "event", "congested",
				  "cdest", (json_int_t)e->cdest.id,
				  "congested", e->cdest.congested != 0,
				  "rate", (json_int_t)e->cdest.rate) :
			json_pack("{s:s, s:I}", "event", "noipsec", "cdest", (json_int_t)e->cdest.id);

		return print_json(o) ? -EIO : 0;
	}
	if (congested)
		printf("congested cdest %" PRIu32 " %s rate %" PRIu64 "\n", e->cdest.id,
		       e->cdest.congested ? "on" : "off", e->cdest.rate);
	else
		printf("noipsec cdest %" PRIu32 "\n", e->cdest.id);
	return 0;
}

/* One line (or JSON object) per expired criterion. */
static int event_expired(const struct dfc_nl_event *e, bool json)
{
	uint32_t owner = e->expired.owner;
	char flags[32];

	for (unsigned int i = 0; i < e->expired.n; i++) {
		const struct dfc_nl_expired *c = &e->expired.v[i];

		if (json) {
			json_t *o = json_pack("{s:s, s:I, s:I, s:s, s:I, s:I, s:I, s:I}",
					      "event", "expired", "owner", (json_int_t)owner,
					      "id", (json_int_t)c->id,
					      "reason", reason_name(c->reason),
					      "flags", (json_int_t)c->flags,
					      "cdest", (json_int_t)c->cdest,
					      "packets", (json_int_t)c->packets,
					      "bytes", (json_int_t)c->bytes);

			if (print_json(o))
				return -EIO;
			continue;
		}
		fmt_flags(flags, sizeof(flags), c->flags);
		printf("expired owner %" PRIu32 " id %" PRIu64 " reason %s flags %s cdest %" PRIu32
		       " packets %" PRIu64 " bytes %" PRIu64 "\n",
		       owner, c->id, reason_name(c->reason), flags, c->cdest, c->packets, c->bytes);
	}
	return 0;
}

static int event_print(const struct dfc_nl_event *e, void *data)
{
	const struct ctl *ctl = data;

	switch (e->cmd) {
	case DFC_CMD_CRIT_EXPIRED:
		return event_expired(e, ctl->json);
	case DFC_CMD_CDEST_CONGESTED:
	case DFC_CMD_CDEST_NOIPSEC:
		return event_cdest(e, ctl->json);
	case DFC_CMD_CDEST_PURGED:
		return event_purged(e, ctl->json);
	case DFC_CMD_DUP_DROPPED:
		return event_dup(e, ctl->json);
	default:
		return 0; /* an event this dfcctl cannot show */
	}
}

static int cmd_monitor(struct ctl *c, int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal }; /* no SA_RESTART: poll returns */
	struct dfc_nl_events *ev;
	struct pollfd pfd;
	int ret = 0;

	(void)argv;
	if (argc)
		return bad_usage(c);
	ev = dfc_nl_events_open();
	if (!ev) {
		if (errno == ENOENT)
			fprintf(stderr, "dfcctl: dfc module not loaded (family %s or its group "
					"%s not found)\n", DFC_GENL_NAME, DFC_GENL_MCGRP_EVENTS);
		else
			fprintf(stderr, "dfcctl: monitor: %s\n", strerror(errno));
		return EXIT_FAILURE;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	pfd.fd = dfc_nl_events_fd(ev);
	pfd.events = POLLIN;
	while (!stop) {
		int n = poll(&pfd, 1, -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = fail(c, "monitor", -errno);
			break;
		}
		n = dfc_nl_events_recv(ev, event_print, c);
		if (n == -ENOBUFS) {
			/* the socket overflowed: say so where the events go */
			if (c->json)
				printf("{\"event\":\"overrun\"}\n");
			else
				printf("overrun: events were lost\n");
		} else if (n < 0 && n != -EINTR && n != -EAGAIN) {
			ret = fail(c, "monitor", n);
			break;
		}
		/* each event as it comes, even into a pipe */
		if (fflush(stdout))
			break;
	}
	dfc_nl_events_close(ev);
	return ret;
}

/* ---- agent: dtcpd's control socket ---- */

/*
 * dtcpd keeps the state of the DTCP control sources (Seq windows, request
 * and drop counters); it is read through dtcpd's root-only control socket
 * (JSON lines, docs/dtcpd.md), not from the module.
 */

/* dtcpd answers from its event loop right away: longer than this, it is stuck. */
#define AGENT_TIMEOUT_MS 10000

static const char *agent_path(const struct ctl *c)
{
	return c->socket ? c->socket : DTCPD_SOCKET;
}

static int agent_connect(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t len = strlen(path);
	int fd, err;

	if (len >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sun.sun_path, path, len + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

/* Read up to the first newline: the reply line, NUL-terminated (malloc'd), or NULL and errno. */
static char *agent_read_line(int fd)
{
	size_t len = 0, cap = 0;
	char *buf = NULL, *nl = NULL;

	while (!nl) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;
		int r;

		if (cap - len < 4096) {
			char *b = realloc(buf, cap ? 2 * cap : 16384);

			if (!b)
				goto fail_errno;
			buf = b;
			cap = cap ? 2 * cap : 16384;
		}
		r = poll(&pfd, 1, AGENT_TIMEOUT_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (!r)
				errno = ETIMEDOUT;
			goto fail_errno;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail_errno;
		if (!n) {
			/* dtcpd drops a client whose reply it cannot write whole */
			errno = len ? EPIPE : ECONNRESET;
			goto fail_errno;
		}
		buf[len + n] = '\0';
		nl = memchr(buf + len, '\n', n);
		len += n;
	}
	*nl = '\0';
	return buf;

fail_errno:
	free(buf);
	return NULL;
}

/*
 * One request (taken: freed here) and its reply, an object with "ok":
 * true. NULL after saying on stderr what went wrong: no agent, a failed
 * request (dtcpd's "error"), or a reply that is not one.
 */
static json_t *agent_call(const struct ctl *c, json_t *req)
{
	const char *path = agent_path(c);
	char *line = req ? json_dumps(req, JSON_COMPACT) : NULL, *text = NULL;
	json_t *rep = NULL;
	json_error_t jerr;
	size_t len, off = 0;
	int fd = -1;

	json_decref(req);
	if (!line) {
		fprintf(stderr, "dfcctl: json: %s\n", strerror(ENOMEM));
		return NULL;
	}
	fd = agent_connect(path);
	if (fd < 0) {
		int err = errno;

		fprintf(stderr, "dfcctl: agent: %s: %s%s\n", path, strerror(err),
			err == ENOENT || err == ECONNREFUSED ?
			" (is dtcpd running? its control-socket may be elsewhere: -S PATH)" :
			err == EACCES ? " (the control socket is root-only)" : "");
		goto out;
	}
	len = strlen(line);
	line[len++] = '\n'; /* over the NUL: line is sent by length */
	while (off < len) {
		ssize_t n = send(fd, line + off, len - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "dfcctl: agent: %s: %s\n", path, strerror(errno));
			goto out;
		}
		off += (size_t)n;
	}
	text = agent_read_line(fd);
	if (!text) {
		fprintf(stderr, "dfcctl: agent: %s: %s\n", path,
			errno == EPIPE ? "dtcpd closed the connection in the middle of its reply" :
			errno == ECONNRESET ? "dtcpd closed the connection without a reply" :
			strerror(errno));
		goto out;
	}
	rep = json_loads(text, 0, &jerr);
	if (!json_is_object(rep)) {
		fprintf(stderr, "dfcctl: agent: %s: not a reply: %s\n", path,
			rep ? "not an object" : jerr.text);
		json_decref(rep);
		rep = NULL;
	} else if (!json_is_true(json_object_get(rep, "ok"))) {
		const char *e = json_string_value(json_object_get(rep, "error"));

		fprintf(stderr, "dfcctl: agent %s: %s\n", c->cmd->verb, e ? e : "failed");
		json_decref(rep);
		rep = NULL;
	}
out:
	if (fd >= 0)
		close(fd);
	free(line);
	free(text);
	return rep;
}

/* {"cmd": cmd} or, with a source, {"cmd": cmd, "source": source}. */
static json_t *agent_req(const char *cmd, const char *source)
{
	return source ? json_pack("{s:s, s:s}", "cmd", cmd, "source", source) :
			json_pack("{s:s}", "cmd", cmd);
}

/* A member that should hold an array in a successful reply. */
static json_t *agent_array(const struct ctl *c, json_t *rep, const char *key)
{
	json_t *a = json_object_get(rep, key);

	if (!json_is_array(a))
		fprintf(stderr, "dfcctl: agent %s: the reply has no \"%s\" list\n",
			c->cmd->verb, key);
	return json_is_array(a) ? a : NULL;
}

static const char *jstr(const json_t *o, const char *key, const char *def)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v ? v : def;
}

static uint64_t jnum(const json_t *o, const char *key)
{
	json_int_t v = json_integer_value(json_object_get(o, key));

	return v > 0 ? (uint64_t)v : 0;
}

/* The sum of an object's counters (requests by method, drops by cause, ...). */
static uint64_t jsum(const json_t *o)
{
	const char *k;
	uint64_t s = 0;
	json_t *v;

	json_object_foreach((json_t *)o, k, v)
		s += jnum(o, k);
	return s;
}

/* "total" and, if any counts, " (name n, ...)" with the causes that count. */
static void fmt_counts(char *buf, size_t size, const json_t *o)
{
	size_t n = (size_t)snprintf(buf, size, "%" PRIu64, jsum(o));
	unsigned int k = 0;
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)o, key, v) {
		if (!jnum(o, key) || n >= size)
			continue;
		n += (size_t)snprintf(buf + n, size - n, "%s%s %" PRIu64, k++ ? ", " : " (", key,
				      jnum(o, key));
	}
	if (k && n < size)
		snprintf(buf + n, size - n, ")");
}

/* "  label: name n name n ..." in the agent's order. */
static void print_counts(const char *label, const json_t *o)
{
	const char *key;
	json_t *v;

	if (!json_is_object(o))
		return;
	printf("  %s:", label);
	json_object_foreach((json_t *)o, key, v)
		printf(" %s %" PRIu64, key, jnum(o, key));
	putchar('\n');
}

#define ACELL 256

/*
 * A table of n rows of ncols cells (row-major, ACELL each): columns fitted
 * to the data, numbers right-aligned, text (left[c]) left-aligned, the
 * last column not padded.
 */
static void table_print(const char *const *head, const bool *left, int ncols,
			char (*cell)[ACELL], size_t n)
{
	int width[16];

	for (int c = 0; c < ncols && c < 16; c++) {
		width[c] = (int)strlen(head[c]);
		for (size_t i = 0; i < n; i++)
			if ((int)strlen(cell[i * ncols + c]) > width[c])
				width[c] = (int)strlen(cell[i * ncols + c]);
	}
	for (size_t i = 0; i <= n; i++) {
		for (int c = 0; c < ncols && c < 16; c++) {
			const char *s = i ? cell[(i - 1) * ncols + c] : head[c];

			if (c == ncols - 1)
				printf("%s%s", c ? "  " : "", s);
			else
				printf("%s%*s", c ? "  " : "", left[c] ? -width[c] : width[c], s);
		}
		putchar('\n');
	}
}

enum { AS_ID, AS_GROUP, AS_ADDRS, AS_PORT, AS_SEQ, AS_CRITS, AS_REQS, AS_2XX, AS_4XX, AS_5XX,
	AS_9XX, AS_NOTIF, AS_DROPS, AS_N };

static void agent_src_cells(char cell[AS_N][ACELL], const json_t *s)
{
	static const char *const classes[] = { "2xx", "4xx", "5xx", "9xx" };
	const json_t *addrs = json_object_get(s, "addresses"), *port = json_object_get(s, "port");
	const json_t *ans = json_object_get(s, "answers");
	size_t n = 0, i;
	json_t *a;

	snprintf(cell[AS_ID], ACELL, "%s", jstr(s, "id", "?"));
	/* a source removed from the configuration has no group, addresses or port */
	snprintf(cell[AS_GROUP], ACELL, "%s", jstr(s, "group", "-"));
	if (!json_is_array(addrs))
		snprintf(cell[AS_ADDRS], ACELL, "-");
	else if (!json_array_size(addrs))
		snprintf(cell[AS_ADDRS], ACELL, "any");
	else
		json_array_foreach(addrs, i, a) {
			const char *t = json_string_value(a);

			if (n < ACELL && t)
				n += (size_t)snprintf(cell[AS_ADDRS] + n, ACELL - n, "%s%s",
						      i ? "," : "", t);
		}
	if (json_is_integer(port))
		snprintf(cell[AS_PORT], ACELL, "%" PRIu64, jnum(s, "port"));
	else
		snprintf(cell[AS_PORT], ACELL, "-");
	snprintf(cell[AS_SEQ], ACELL, "%s", jstr(s, "seq_text", "-")); /* none before the first request */
	snprintf(cell[AS_CRITS], ACELL, "%" PRIu64, jnum(s, "criteria"));
	snprintf(cell[AS_REQS], ACELL, "%" PRIu64, jsum(json_object_get(s, "requests")));
	for (int k = 0; k < 4; k++) {
		if (json_is_object(ans))
			snprintf(cell[AS_2XX + k], ACELL, "%" PRIu64, jnum(ans, classes[k]));
		else
			snprintf(cell[AS_2XX + k], ACELL, "-"); /* a dtcpd that does not count them */
	}
	snprintf(cell[AS_NOTIF], ACELL, "%" PRIu64, jsum(json_object_get(s, "notifications")));
	fmt_counts(cell[AS_DROPS], ACELL, json_object_get(s, "drops"));
}

static void agent_src_table(const json_t *srcs)
{
	static const char *const head[AS_N] = {
		"SOURCE", "GROUP", "ADDRESSES", "PORT", "SEQ", "CRITS", "REQUESTS", "2XX", "4XX",
		"5XX", "9XX", "NOTIFIED", "DROPS",
	};
	static const bool left[AS_N] = { [AS_ID] = true, [AS_GROUP] = true, [AS_ADDRS] = true,
					 [AS_DROPS] = true };
	size_t n = json_array_size(srcs), i;
	char (*cell)[ACELL] = calloc(n * AS_N + 1, ACELL);
	json_t *s;

	if (!cell) {
		fprintf(stderr, "dfcctl: %s\n", strerror(ENOMEM));
		return;
	}
	json_array_foreach(srcs, i, s)
		agent_src_cells(cell + i * AS_N, s);
	table_print(head, left, AS_N, cell, n);
	free(cell);
}

/* Below the table of one source: its counters one by one. */
static void agent_src_details(const json_t *s)
{
	printf("  owner %" PRIu64 "  notification targets %" PRIu64 "  static criteria %" PRIu64
	       "  added %" PRIu64 "  add failed %" PRIu64 "\n", jnum(s, "owner"),
	       jnum(s, "notification_targets"), jnum(s, "criteria_static"), jnum(s, "added"),
	       jnum(s, "add_failed"));
	print_counts("requests", json_object_get(s, "requests"));
	print_counts("failed", json_object_get(s, "failed"));
	print_counts("answers", json_object_get(s, "answers"));
	print_counts("drops", json_object_get(s, "drops"));
	print_counts("notifications", json_object_get(s, "notifications"));
	print_counts("deleted", json_object_get(s, "deleted"));
}

static int cmd_agent_show(struct ctl *c, int argc, char **argv)
{
	const char *source = argc ? argv[0] : NULL;
	json_t *rep, *srcs;
	int ret = EXIT_FAILURE;

	if (argc > 1)
		return bad_usage(c);
	rep = agent_call(c, agent_req("sources", source));
	srcs = rep ? agent_array(c, rep, "sources") : NULL;
	if (srcs && c->json) {
		ret = print_json(json_incref(srcs));
	} else if (srcs) {
		agent_src_table(srcs);
		if (source && json_array_size(srcs) == 1)
			agent_src_details(json_array_get(srcs, 0));
		ret = 0;
	}
	json_decref(rep);
	return ret;
}

static int cmd_agent_status(struct ctl *c, int argc, char **argv)
{
	json_t *rep;

	(void)argv;
	if (argc)
		return bad_usage(c);
	rep = agent_call(c, agent_req("status", NULL));
	if (!rep)
		return EXIT_FAILURE;
	if (c->json) {
		json_object_del(rep, "ok");
		return print_json(rep);
	}
	printf("dtcpd %s  pid %" PRIu64 "  config %s\n",
	       jstr(rep, "version", "?"), jnum(rep, "pid"), jstr(rep, "config", "?"));
	printf("  sources %" PRIu64 "  criteria %" PRIu64 "  next criteria id %" PRIu64 "\n",
	       jnum(rep, "sources"), jnum(rep, "criteria"), jnum(rep, "next_criteria_id"));
	print_counts("counters", json_object_get(rep, "counters"));
	json_decref(rep);
	return 0;
}

enum { AC_ID, AC_CDEST, AC_PRIO, AC_FLAGS, AC_ADDED, AC_FROM, AC_BW, AC_N };

static void agent_crit_cells(char cell[AC_N][ACELL], const json_t *o)
{
	bool st = json_is_true(json_object_get(o, "static"));
	bool as = json_is_true(json_object_get(o, "send_async"));

	snprintf(cell[AC_ID], ACELL, "%" PRIu64, jnum(o, "id"));
	snprintf(cell[AC_CDEST], ACELL, "%s", jstr(o, "cdest", "-"));
	snprintf(cell[AC_PRIO], ACELL, "%" PRIu64, jnum(o, "priority"));
	snprintf(cell[AC_FLAGS], ACELL, "%s", st && as ? "static,async" : st ? "static" :
		 as ? "async" : "-");
	snprintf(cell[AC_ADDED], ACELL, "%s", jstr(o, "added", "-"));
	snprintf(cell[AC_FROM], ACELL, "%s", jstr(o, "from", "-"));
	fmt_rate(cell[AC_BW], ACELL, jnum(o, "average_bandwidth"));
}

static int cmd_agent_criteria(struct ctl *c, int argc, char **argv)
{
	static const char *const head[AC_N] = {
		"ID", "CDEST", "PRIO", "FLAGS", "ADDED", "FROM", "RATE",
	};
	static const bool left[AC_N] = { [AC_CDEST] = true, [AC_FLAGS] = true, [AC_ADDED] = true,
					 [AC_FROM] = true };
	json_t *rep, *crits, *o;
	char (*cell)[ACELL];
	int ret = EXIT_FAILURE;
	size_t n, i;

	if (argc != 1)
		return bad_usage(c);
	rep = agent_call(c, agent_req("criteria", argv[0]));
	crits = rep ? agent_array(c, rep, "criteria") : NULL;
	if (crits && c->json) {
		ret = print_json(json_incref(crits));
	} else if (crits) {
		n = json_array_size(crits);
		cell = calloc(n * AC_N + 1, ACELL);
		if (cell) {
			json_array_foreach(crits, i, o)
				agent_crit_cells(cell + i * AC_N, o);
			table_print(head, left, AC_N, cell, n);
			free(cell);
			ret = 0;
		} else {
			fprintf(stderr, "dfcctl: %s\n", strerror(ENOMEM));
		}
	}
	json_decref(rep);
	return ret;
}

static int cmd_agent_seq_reset(struct ctl *c, int argc, char **argv)
{
	json_t *rep;
	int ret;

	if (argc != 1)
		return bad_usage(c);
	rep = agent_call(c, agent_req("seq-reset", argv[0]));
	ret = rep ? 0 : EXIT_FAILURE;
	json_decref(rep);
	return ret;
}

static int cmd_agent_reload(struct ctl *c, int argc, char **argv)
{
	json_t *rep;
	int ret;

	(void)argv;
	if (argc)
		return bad_usage(c);
	rep = agent_call(c, agent_req("reload", NULL));
	ret = rep ? 0 : EXIT_FAILURE;
	json_decref(rep);
	return ret;
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
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "socket", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl c = { 0 };
	int opt, ret;

	/* '+': options only before OBJECT, so DEV names may start with '-' */
	while ((opt = getopt_long(argc, argv, "+jhVS:", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			c.json = true;
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
