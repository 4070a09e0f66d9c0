// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dfcctl: operator CLI for dfc.ko over generic netlink (lib/dfc_nl.c).
 *
 * Commands live in one table of {object, verb, handler}: a new object
 * (filters, destinations, ...) is a few handlers and table rows.
 * Exit status: 0 success, 1 the request failed, 2 usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <jansson.h>

#include "dfc_nl.h"

#ifndef DFC_VERSION
#define DFC_VERSION "unknown"
#endif

#define EXIT_USAGE 2

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
static int cmd_stats_show(struct ctl *c, int argc, char **argv);

static const struct cmd cmds[] = {
	{ "interface", "show", cmd_iface_show, "[DEV]", "list attached interfaces, or DEV" },
	{ "interface", "add", cmd_iface_add, "DEV [pass]",
	  "attach DEV: count its frames and consume them\n"
	  "('pass': let them continue into the stack)" },
	{ "interface", "del", cmd_iface_del, "DEV", "detach DEV" },
	{ "stats", "show", cmd_stats_show, "", "global counters of this network namespace" },
};

#define N_CMDS (sizeof(cmds) / sizeof(cmds[0]))

static void usage(FILE *f)
{
	fprintf(f, "Usage: dfcctl [-j] OBJECT [COMMAND [ARGS]]\n"
		   "       dfcctl --version | help\n\nCommands:\n");
	for (size_t i = 0; i < N_CMDS; i++) {
		const char *h = cmds[i].help, *nl;
		char syn[64];

		snprintf(syn, sizeof(syn), "%s %s %s", cmds[i].object, cmds[i].verb, cmds[i].args);
		/* each help line in the second column */
		for (; (nl = strchr(h, '\n')); h = nl + 1, syn[0] = '\0')
			fprintf(f, "  %-28s%.*s\n", syn, (int)(nl - h), h);
		fprintf(f, "  %-28s%s\n", syn, h);
	}
	fprintf(f, "\nDEV is an interface name, or 'index N' for the interface with ifindex N.\n"
		   "An OBJECT alone runs its first COMMAND (show).\n\n"
		   "Options:\n"
		   "  -j, --json     JSON output (show, stats)\n"
		   "  -V, --version  print the version\n"
		   "  -h, --help     print this help\n");
}

static int bad_usage(const struct ctl *c)
{
	fprintf(stderr, "Usage: dfcctl [-j] %s %s %s\n", c->cmd->object, c->cmd->verb, c->cmd->args);
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

/* ---- interface ---- */

struct iface_list {
	struct dfc_iface_info *v;
	size_t n, cap;
};

static int iface_list_add(const struct dfc_iface_info *info, void *data)
{
	struct iface_list *l = data;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 8;
		struct dfc_iface_info *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
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

/* ---- stats ---- */

static int cmd_stats_show(struct ctl *c, int argc, char **argv)
{
	struct dfc_stats s;
	int err;

	(void)argv;
	if (argc)
		return bad_usage(c);
	if (!ctl_nl(c))
		return EXIT_FAILURE;
	err = dfc_nl_stats_get(c->nl, &s);
	if (err)
		return fail(c, "stats", err);
	if (c->json)
		return print_json(json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I}",
					    "version", s.version,
					    "ifaces", (json_int_t)s.ifaces,
					    "seen", (json_int_t)s.seen,
					    "bytes", (json_int_t)s.bytes,
					    "ipv4", (json_int_t)s.ipv4,
					    "ipv6", (json_int_t)s.ipv6,
					    "other", (json_int_t)s.other));
	printf("version: %s\n"
	       "ifaces: %" PRIu32 "\n"
	       "seen: %" PRIu64 "\n"
	       "bytes: %" PRIu64 "\n"
	       "ipv4: %" PRIu64 "\n"
	       "ipv6: %" PRIu64 "\n"
	       "other: %" PRIu64 "\n",
	       s.version, s.ifaces, s.seen, s.bytes, s.ipv4, s.ipv6, s.other);
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
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl c = { 0 };
	int opt, ret;

	/* '+': options only before OBJECT, so DEV names may start with '-' */
	while ((opt = getopt_long(argc, argv, "+jhV", opts, NULL)) != -1) {
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
