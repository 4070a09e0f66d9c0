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

#include "blob.h"
#include "dfcctl.h"

/* ---- filter show ---- */

#define NAME_MAX_SHOWN 96

/* A criterion as listed: what a dump gives, blob decoded. */
struct crit_row {
	struct dfc_nl_crit c; /* pointers cleared */
	char *text;	      /* crit_text(), NULL if none */
	json_t *blob;	      /* JSON only: the blob as stored, null unless UTF-8 text */
	char csource[NAME_MAX_SHOWN]; /* the control source its dtcpd blob or owner names, escaped */
	bool dtcpd;		      /* its blob is dtcpd's */
	json_t *entries, *excl; /* from a GET, JSON only */
};

/* A content destination's name, by id (cdest dump). */
struct cdest_name {
	uint32_t id;
	char name[NAME_MAX_SHOWN]; /* escaped */
};

struct crit_list {
	struct crit_row *v;
	size_t n, cap;
	bool terse, details;
	struct cdest_name *cd;
	size_t n_cd, cap_cd;
};

static void crit_list_clear(struct crit_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].text);
		json_decref(l->v[i].blob);
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
		r->text = crit_text(c->blob, c->blob_len, r->csource, sizeof(r->csource));
		r->dtcpd = dtcp_blob_is_dtcpd(c->blob, c->blob_len);
		if (!r->text)
			return -ENOMEM;
		/* scripts comparing what the kernel keeps get it unchanged (JSON escapes it) */
		r->blob = json_stringn(c->blob, c->blob_len);
		if (!r->blob)
			r->blob = json_null();
	}
	l->n++;
	return 0;
}

static int cdest_name_add(const struct dfc_nl_cdest *d, void *data)
{
	struct crit_list *l = data;
	struct cdest_name *v = vec_grow(l->cd, l->n_cd, &l->cap_cd, sizeof(*v));

	if (!v)
		return -ENOMEM;
	l->cd = v;
	v[l->n_cd].id = d->id;
	fmt_name(v[l->n_cd].name, sizeof(v[l->n_cd].name), d->name);
	l->n_cd++;
	return 0;
}

/* The destination's name, NULL if it has none (or is gone). */
static const char *cdest_name(const struct crit_list *l, uint32_t id)
{
	for (size_t i = 0; i < l->n_cd; i++)
		if (l->cd[i].id == id)
			return l->cd[i].name[0] ? l->cd[i].name : NULL;
	return NULL;
}

/* The owner's name: the control source its dtcpd blob names, NULL if none. */
static const char *owner_name(const struct crit_row *r)
{
	return r->csource[0] ? r->csource : NULL;
}

/* Blobs from format 6 leave the control source to the owner: dtcpd names it. */
static void owner_name_cb(uint32_t owner, const char *id, void *data)
{
	struct crit_list *l = data;

	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].dtcpd && !l->v[i].csource[0] && l->v[i].c.owner == owner)
			fmt_name(l->v[i].csource, sizeof(l->v[i].csource), id);
}

static bool owners_unnamed(const struct crit_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].dtcpd && !l->v[i].csource[0])
			return true;
	return false;
}

/* The dump starts over: forget what it gave so far. */
static int crit_list_restart(void *data)
{
	crit_list_clear(data);
	return 0;
}

enum { CC_OWNER, CC_OWNER_ID, CC_ID, CC_PRIO, CC_FLAGS, CC_CDEST, CC_CDEST_ID, CC_PACKETS,
	CC_BYTES, CC_LAST, CC_AGE, CC_ENTRIES, CC_CRIT, CC_N };
#define CELL NAME_MAX_SHOWN

/* A name, or the id where there is none. */
static void name_cell(char *cell, const char *name, uint32_t id)
{
	if (name)
		snprintf(cell, CELL, "%s", name);
	else
		snprintf(cell, CELL, "%" PRIu32, id);
}

static void crit_cells(char cell[CC_N][CELL], const struct crit_list *l, const struct crit_row *r)
{
	const struct dfc_nl_crit *c = &r->c;

	name_cell(cell[CC_OWNER], owner_name(r), c->owner);
	snprintf(cell[CC_OWNER_ID], CELL, "%" PRIu32, c->owner);
	snprintf(cell[CC_ID], CELL, "%" PRIu64, c->id);
	snprintf(cell[CC_PRIO], CELL, "%" PRIu32, c->prio);
	fmt_flags(cell[CC_FLAGS], CELL, c->flags);
	if (c->cdest)
		name_cell(cell[CC_CDEST], cdest_name(l, c->cdest), c->cdest);
	else
		snprintf(cell[CC_CDEST], CELL, "-");
	snprintf(cell[CC_CDEST_ID], CELL, "%" PRIu32, c->cdest);
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

/*
 * Fitted widths; terse replies carry no prio, flags, cdest or counts of
 * entries; the ids behind names only with -d.
 */
static void crit_table(const struct crit_list *l)
{
	static const char *const head[CC_N] = {
		"OWNER", "OWNER-ID", "ID", "PRIO", "FLAGS", "CDEST", "CDEST-ID", "PACKETS", "BYTES",
		"LAST", "AGE", "ENTRIES", "CRITERION",
	};
	static const bool in_terse[CC_N] = {
		[CC_OWNER] = true, [CC_OWNER_ID] = true, [CC_ID] = true, [CC_PACKETS] = true,
		[CC_BYTES] = true, [CC_LAST] = true, [CC_AGE] = true,
	};
	char cell[CC_N][CELL];
	int width[CC_N];

	for (int c = 0; c < CC_N; c++)
		width[c] = (int)strlen(head[c]);
	for (size_t i = 0; i < l->n; i++) {
		crit_cells(cell, l, &l->v[i]);
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
			crit_cells(cell, l, &l->v[i - 1]);
			text = l->v[i - 1].text ? l->v[i - 1].text : "-";
		}
		for (int c = 0; c < CC_CRIT; c++) {
			bool left = c == CC_FLAGS;

			if ((l->terse && !in_terse[c]) ||
			    (!l->details && (c == CC_OWNER_ID || c == CC_CDEST_ID)))
				continue;
			printf("%s%*s", first ? "" : "  ", left ? -width[c] : width[c], cell[c]);
			first = false;
		}
		if (!l->terse)
			printf("  %s", text);
		putchar('\n');
	}
}

/* A name as JSON: null if there is none. */
static json_t *name_json(const char *name)
{
	return name ? json_string(name) : json_null();
}

static json_t *crit_json(const struct crit_list *l, const struct crit_row *r, bool terse)
{
	const struct dfc_nl_crit *c = &r->c;
	json_t *last = c->last_match_secs == UINT64_MAX ? json_null() :
			json_integer((json_int_t)c->last_match_secs);
	json_t *o;

	if (terse)
		return json_pack("{s:I, s:o, s:I, s:I, s:I, s:o, s:I}",
				 "owner", (json_int_t)c->owner, "owner_name", name_json(owner_name(r)),
				 "id", (json_int_t)c->id,
				 "packets", (json_int_t)c->packets, "bytes", (json_int_t)c->bytes,
				 "last_match_secs", last, "age_secs", (json_int_t)c->age_secs);
	o = json_pack("{s:I, s:o, s:I, s:I, s:I, s:b, s:b, s:I, s:o, s:I, s:I, s:I, s:I, s:I, s:I,"
		      " s:o, s:I, s:I, s:I, s:I}",
		      "owner", (json_int_t)c->owner, "owner_name", name_json(owner_name(r)),
		      "id", (json_int_t)c->id,
		      "prio", (json_int_t)c->prio, "flags", (json_int_t)c->flags,
		      "static", !!(c->flags & DFC_CRIT_F_STATIC),
		      "async", !!(c->flags & DFC_CRIT_F_SEND_ASYNC),
		      "cdest", (json_int_t)c->cdest,
		      "cdest_name", name_json(c->cdest ? cdest_name(l, c->cdest) : NULL),
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
	    (r->blob && json_object_set(o, "blob", r->blob)) ||
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
		if (json_array_append_new(arr, crit_json(l, &l->v[i], l->terse))) {
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
	struct crit_list l = { .details = c->details };
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
	/* Destinations by name: their ids are hashes of dtcpd's Cdest-IDs. */
	if (!err && !l.terse)
		err = dfc_nl_cdest_dump(c->nl, cdest_name_add, &l);
	/* Owners too, as dtcpd knows them, if it answers. */
	if (!err && owners_unnamed(&l))
		agent_owner_names(c, owner_name_cb, &l);
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
	free(l.cd);
	return ret;
}
