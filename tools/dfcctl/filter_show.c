// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dfcctl filter show: the criteria, as a table or JSON, one with its
 * entries.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dfcctl.h"

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

int cmd_filter_show(struct ctl *c, int argc, char **argv)
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
