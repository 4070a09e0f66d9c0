// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dfcctl -batch FILE: one command a line, as ip -batch, read and split
 * into words as ip splits them (batch_read.c).
 *
 * The whole input is read and every line checked (words, object,
 * command, arguments, 'filter add' values expanded) before anything is
 * sent: a bad line is reported as FILE:LINE and, without -force, nothing
 * is applied. Then the lines run in order, as if one dfcctl ran each:
 * when one fails, it is reported as FILE:LINE, the lines before it stay
 * applied and (without -force) those after it are not run. Consecutive
 * 'filter add' lines of one owner go to the kernel together, packed into
 * as few requests as dfc_nl_crit_add() can (the kernel applies each all
 * or nothing); when one fails, those before it that shared its request
 * are sent again without it, so the outcome is that of one line at a
 * time. Other lines ('filter del' included) are one request each.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"

/* ---- messages: the handlers' own, with FILE:LINE ---- */

/*
 * The handlers write their messages to stderr as "dfcctl: ...". While
 * one batch line runs, stderr is a memory stream (glibc's stderr is an
 * assignable variable, as its manual says); the messages are then
 * printed as "dfcctl: FILE:LINE: ...", one such prefix on every line.
 */
struct say {
	FILE *real, *mem;
	char *buf;
	size_t len;
};

static void say_begin(struct say *s)
{
	fflush(stderr);
	s->real = stderr;
	s->buf = NULL;
	s->len = 0;
	s->mem = open_memstream(&s->buf, &s->len);
	if (s->mem)
		stderr = s->mem;
}

static void say_end(struct say *s, const struct batch *b, unsigned int no)
{
	const char *p;

	if (!s->mem)
		return;
	stderr = s->real;
	fclose(s->mem);
	for (p = s->buf; p && *p;) {
		const char *nl = strchr(p, '\n'), *msg = p;
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (!strncmp(msg, "dfcctl: ", 8) && n >= 8) {
			msg += 8;
			n -= 8;
		}
		fprintf(stderr, "dfcctl: %s:%u: %.*s\n", b->name, no, (int)n, msg);
		p = nl ? nl + 1 : msg + n;
	}
	free(s->buf);
}

/* A message of the batch itself about line no. */
static void say_line(const struct batch *b, unsigned int no, const char *msg)
{
	fprintf(stderr, "dfcctl: %s:%u: %s\n", b->name, no, msg);
}

/* ---- checking ---- */

/*
 * Line l checked, nothing sent: its words resolved to a command whose
 * arguments are good ('filter add' parsed into l->fa for later). 0, or
 * the exit status of its refusal (reported as FILE:LINE).
 */
static int batch_check(struct ctl *c, const struct batch *b, struct bline *l)
{
	struct ctl_cmdline cl;
	struct say s;
	int ret;

	if (l->why) {
		say_line(b, l->no, l->why);
		return EXIT_USAGE;
	}
	say_begin(&s);
	ret = ctl_lookup(l->argc, l->argv, &cl);
	if (!ret && !cl.help && cl.cmd->run == cmd_filter_add) {
		c->cmd = cl.cmd;
		ret = filter_add_parse(c, l->argc - cl.args, l->argv + cl.args, &l->fa);
		l->add = !ret;
	} else if (!ret && !cl.help) {
		/* the handler itself, stopped by ctl_go() before its request */
		c->cmd = cl.cmd;
		c->check = true;
		c->checked = false;
		ret = cl.cmd->run(c, l->argc - cl.args, l->argv + cl.args);
		if (c->checked)
			ret = 0;
		c->check = false;
	}
	say_end(&s, b, l->no);
	return ret;
}

/* ---- running ---- */

/*
 * Add v[lo..hi) of owner with the outcome of one request each, in as few
 * requests as can be: 0, or the error of v[*at], which was not added
 * (nor anything after it); all before it were.
 */
static int add_span(struct dfc_nl *nl, uint32_t owner, const struct dfc_nl_crit *v, size_t lo,
		    size_t hi, size_t *at)
{
	while (lo < hi) {
		size_t n = hi - lo < UINT32_MAX ? hi - lo : UINT32_MAX, f;
		unsigned int done;
		long k;
		int err = dfc_nl_crit_add(nl, owner, v + lo, (unsigned int)n, &done);

		if (!err) {
			lo += n;
			continue;
		}
		k = dfc_nl_crit_add_failed(nl);
		f = k >= 0 ? lo + (size_t)k : hi;
		lo += done;
		/* those before the failed one went down with its request: again without it */
		if (f > lo && f < hi) {
			err = add_span(nl, owner, v, lo, f, at);
			if (err)
				return err;
			lo = f;
		}
		/* the first not added, alone: its own error, else on after it */
		err = dfc_nl_crit_add(nl, owner, v + lo, 1, &done);
		if (err) {
			*at = lo;
			return err;
		}
		lo++;
	}
	return 0;
}

/*
 * The 'filter add' lines of one owner from b->v[*i] on (bad lines
 * skipped), together; *i then is the first line after them. 0, or
 * EXIT_FAILURE (each failed line reported), stopped at the first failed
 * line without force.
 */
static int batch_adds(struct ctl *c, const struct batch *b, size_t *i, bool force)
{
	uint32_t owner = b->v[*i].fa.owner;
	struct dfc_nl_crit *v;
	size_t *idx, n = 0, lo = 0, j;
	int ret = 0;

	for (j = *i; j < b->n && (b->v[j].bad || (b->v[j].add && b->v[j].fa.owner == owner)); j++)
		n += !b->v[j].bad;
	v = calloc(n, sizeof(*v));
	idx = calloc(n, sizeof(*idx));
	if (!v || !idx) {
		free(v);
		free(idx);
		say_line(b, b->v[*i].no, strerror(ENOMEM));
		return EXIT_FAILURE;
	}
	for (n = 0; *i < j; (*i)++) {
		if (b->v[*i].bad)
			continue;
		v[n] = b->v[*i].fa.crit;
		idx[n++] = *i;
	}
	while (lo < n) {
		struct dfc_nl *nl;
		struct say s;
		size_t at = lo;
		char what[96];
		int err = 0;

		say_begin(&s);
		nl = ctl_nl(c); /* without the module, said about this line */
		if (nl)
			err = add_span(nl, owner, v, lo, n, &at);
		if (err) {
			filter_add_what(what, sizeof(what), &b->v[idx[at]].fa);
			fail(c, what, err);
		}
		say_end(&s, b, b->v[idx[at]].no);
		if (nl && !err)
			break;
		ret = EXIT_FAILURE;
		if (!force)
			break;
		lo = at + 1;
	}
	free(v);
	free(idx);
	return ret;
}

static void batch_free(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		if (b->v[i].add)
			filter_add_free(&b->v[i].fa);
	dfc_batch_free(b);
}

int batch_run(struct ctl *c, const char *file, bool force)
{
	bool std = !strcmp(file, "-");
	struct batch b = { .name = std ? "stdin" : file };
	FILE *f = std ? stdin : fopen(file, "r");
	int ret = 0;

	if (!f) {
		fprintf(stderr, "dfcctl: -batch: %s: %s\n", file, strerror(errno));
		return EXIT_FAILURE;
	}
	errno = 0;
	if (dfc_batch_read(&b, f)) {
		fprintf(stderr, "dfcctl: -batch: %s: %s\n", b.name,
			strerror(errno ? errno : EIO));
		ret = EXIT_FAILURE;
		goto out;
	}
	/* every line checked before any is sent */
	for (size_t i = 0; i < b.n; i++) {
		int r = batch_check(c, &b, &b.v[i]);

		if (r) {
			b.v[i].bad = true;
			ret = ret ? ret : r;
		}
	}
	if (ret && !force)
		goto out;
	for (size_t i = 0; i < b.n;) {
		struct bline *l = &b.v[i];
		struct say s;
		int r;

		if (l->bad) {
			i++;
			continue;
		}
		if (l->add) {
			r = batch_adds(c, &b, &i, force);
		} else {
			say_begin(&s);
			r = ctl_dispatch(c, l->argc, l->argv);
			say_end(&s, &b, l->no);
			i++;
		}
		if (r) {
			ret = ret ? ret : r;
			if (!force)
				break;
		}
	}
out:
	if (!std)
		fclose(f);
	batch_free(&b);
	return ret;
}
