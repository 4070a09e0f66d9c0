// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dfcctl filter add: DTCP filter values (lib/dfc_spec.c,
 * lib/dfc_spec_expand.c) into a criterion's entries, and the criterion
 * into dfc.ko.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>

#include "dfcctl.h"
#include "dfc_spec.h"

/*
 * lib/dfc_spec.c and lib/dfc_spec_expand.c (filter values into entries)
 * are linked only where the build adds them: weak, so that without them
 * the rest of dfcctl still builds and 'filter add' says what is missing.
 */
#pragma weak dfc_spec_parse_field
#pragma weak dfc_spec_expand

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

void filter_add_free(struct filter_add *fa)
{
	free(fa->crit.entries);
	free(fa->crit.excl);
	free((void *)fa->crit.blob);
	fa->crit.entries = fa->crit.excl = NULL;
	fa->crit.blob = NULL;
}

/* "filter add owner O id I": what a failure is about. */
void filter_add_what(char *buf, size_t size, const struct filter_add *fa)
{
	snprintf(buf, size, "filter add owner %" PRIu32 " id %" PRIu64, fa->owner, fa->crit.id);
}

/* A copy of len bytes (NULL for none); *nomem set if there is no memory. */
static void *copy_of(const void *v, size_t len, bool *nomem)
{
	void *p;

	if (!len)
		return NULL;
	p = malloc(len);
	if (!p) {
		*nomem = true;
		return NULL;
	}
	return memcpy(p, v, len);
}

/*
 * The words after 'filter add' into fa, all checked and expanded (nothing
 * is sent): 0, EXIT_USAGE after saying why, or EXIT_FAILURE (no memory,
 * built without lib/dfc_spec.c).
 */
int filter_add_parse(struct ctl *c, int argc, char **argv, struct filter_add *fa)
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
	bool nomem = false;
	size_t tlen = 0;
	int err;

	memset(fa, 0, sizeof(*fa));
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
	fa->owner = (uint32_t)owner;
	fa->crit = crit;
	fa->crit.entries = copy_of(entries, crit.n_entries * sizeof(*entries), &nomem);
	fa->crit.excl = copy_of(excl, crit.n_excl * sizeof(*excl), &nomem);
	fa->crit.blob = copy_of(text, tlen, &nomem);
	fa->crit.blob_len = (uint16_t)tlen;
	if (nomem) {
		filter_add_free(fa);
		return fail(c, "filter add", -ENOMEM);
	}
	return 0;
}

int cmd_filter_add(struct ctl *c, int argc, char **argv)
{
	struct filter_add fa;
	unsigned int done;
	char what[96];
	int err;

	err = filter_add_parse(c, argc, argv, &fa);
	if (err)
		return err;
	if (!ctl_nl(c)) {
		filter_add_free(&fa);
		return EXIT_FAILURE;
	}
	err = dfc_nl_crit_add(c->nl, fa.owner, &fa.crit, 1, &done);
	filter_add_what(what, sizeof(what), &fa);
	filter_add_free(&fa);
	return err ? fail(c, what, err) : 0;
}
