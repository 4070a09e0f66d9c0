// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dfcctl interface: attach, detach and list the interfaces dfc.ko
 * counts frames on.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>

#include "dfcctl.h"

/* A device as named on the command line: a name, or "index N". */
struct dev {
	uint32_t ifindex;
	const char *ifname;
	char label[32]; /* for messages */
};

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
		json_t *o = json_pack("{s:s, s:I, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I,"
				      " s:I, s:I}",
				      "ifname", f->ifname,
				      "ifindex", (json_int_t)f->ifindex,
				      "mode", iface_mode(f->flags),
				      "flags", (json_int_t)f->flags,
				      "seen", (json_int_t)f->stats.seen,
				      "bytes", (json_int_t)f->stats.bytes,
				      "ipv4", (json_int_t)f->stats.ipv4,
				      "ipv6", (json_int_t)f->stats.ipv6,
				      "other", (json_int_t)f->stats.other,
				      "attached_secs", (json_int_t)f->stats.attached_secs,
				      "no_l4_exthdrs", (json_int_t)f->stats.no_l4.exthdrs,
				      "no_l4_truncated", (json_int_t)f->stats.no_l4.truncated,
				      "no_l4_fragment", (json_int_t)f->stats.no_l4.fragment,
				      "looped", (json_int_t)f->stats.looped);

		if (!o || json_array_append_new(arr, o)) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

enum { COL_IFACE, COL_IFINDEX, COL_MODE, COL_SEEN, COL_BYTES, COL_IPV4, COL_IPV6,
	COL_OTHER, COL_LOOPED, COL_ATTACHED, NCOLS };

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
	snprintf(cell[COL_LOOPED], 24, "%" PRIu64, f->stats.looped);
	fmt_duration(cell[COL_ATTACHED], 24, f->stats.attached_secs);
}

/* Text columns left-aligned, numbers right-aligned, widths fitted to the data. */
static void iface_table(const struct iface_list *l)
{
	static const char *const head[NCOLS] = {
		"IFACE", "IFINDEX", "MODE", "SEEN", "BYTES", "IPV4", "IPV6", "OTHER", "LOOPED",
		"ATTACHED",
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

int cmd_iface_show(struct ctl *c, int argc, char **argv)
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

int cmd_iface_add(struct ctl *c, int argc, char **argv)
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

int cmd_iface_del(struct ctl *c, int argc, char **argv)
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
