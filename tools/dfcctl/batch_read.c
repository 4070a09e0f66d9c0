// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dfcctl -batch FILE, reading: one command a line, split into words as
 * ip splits them (blanks separate words, a word that begins with ' or "
 * runs to the same quote, a '#' that begins a word starts a comment, a
 * line ending in '\' goes on on the next one). A line with a NUL byte or
 * another control character, or a command longer than DFC_BATCH_CMD_MAX,
 * is kept with the reason it is bad, for the check to report.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"

#define STR_(x) #x
#define STR(x) STR_(x)

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

int dfc_batch_split(char *text, char ***argv, int *argc, const char **why)
{
	size_t cap = 0;
	char **v = NULL, *p = text;
	int n = 0;

	*argv = NULL;
	*argc = 0;
	for (;;) {
		char *w;

		while (is_blank(*p))
			p++;
		if (!*p || *p == '#')
			break;
		v = vec_grow(v, (size_t)n + 1, &cap, sizeof(*v));
		if (!v) {
			*why = strerror(ENOMEM);
			return -1;
		}
		if (*p == '\'' || *p == '"') {
			char *end = strchr(p + 1, *p);

			if (!end) {
				free(v);
				*why = "unterminated quoted string";
				return -1;
			}
			w = p + 1;
			*end = '\0';
			p = end + 1;
		} else {
			w = p;
			while (*p && !is_blank(*p))
				p++;
			if (*p)
				*p++ = '\0';
		}
		v[n++] = w;
	}
	if (n) {
		v[n] = NULL;
		*argv = v;
		*argc = n;
	}
	return 0;
}

/* A control character other than blanks: decoded text must not carry one along. */
static bool has_control(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] < 0x20 && !is_blank(s[i])) || s[i] == 0x7f)
			return true;
	return false;
}

/*
 * One command (text: taken) into b, split into words; a blank or comment
 * line is dropped. why: the reason it is bad, if it is (kept for the
 * check, which reports it). -1 without memory.
 */
static int batch_push(struct batch *b, char *text, unsigned int no, const char *why)
{
	struct bline *v, *l;
	char **argv = NULL;
	int argc = 0;

	if (!why && !dfc_batch_split(text, &argv, &argc, &why) && !argc) {
		free(text);
		return 0;
	}
	v = vec_grow(b->v, b->n, &b->cap, sizeof(*b->v));
	if (!v) {
		free(text);
		free(argv);
		return -1;
	}
	b->v = v;
	l = &b->v[b->n++];
	*l = (struct bline){ .no = no, .text = text, .argv = argv, .argc = argc, .why = why };
	return 0;
}

int dfc_batch_read(struct batch *b, FILE *f)
{
	char *line = NULL, *cmd = NULL;
	size_t size = 0, clen = 0, ccap = 0;
	unsigned int no = 0, first = 0;
	const char *why = NULL;
	ssize_t len;
	int ret = 0;

	while ((len = getline(&line, &size, f)) >= 0) {
		bool more;
		char *t;

		no++;
		if (!cmd) {
			first = no;
			why = NULL;
		}
		if (len && line[len - 1] == '\n')
			len--;
		if (!why && memchr(line, '\0', (size_t)len))
			why = "NUL byte in the line";
		else if (!why && has_control(line, (size_t)len))
			why = "control character in the line";
		/* a '\' at the end: the command goes on on the next line */
		more = len && line[len - 1] == '\\';
		if (more)
			len--;
		/* past the limit the text is left out: the command is bad anyway */
		if (clen + (size_t)len > DFC_BATCH_CMD_MAX) {
			if (!why)
				why = "command longer than " STR(DFC_BATCH_CMD_MAX) " bytes";
			len = 0;
		}
		/* grown by doubling: many continued lines cost no more than one long one */
		if (clen + (size_t)len + 2 > ccap) {
			size_t want = clen + (size_t)len + 2;

			ccap = 2 * ccap > want ? 2 * ccap : want;
			t = realloc(cmd, ccap);
			if (!t) {
				ret = -1;
				break;
			}
			cmd = t;
		}
		memcpy(cmd + clen, line, (size_t)len);
		clen += (size_t)len;
		cmd[clen++] = ' ';
		cmd[clen] = '\0';
		if (more)
			continue;
		ret = batch_push(b, cmd, first, why);
		cmd = NULL;
		clen = ccap = 0;
		if (ret)
			break;
	}
	/* a last line that ended in '\' is a command as it is */
	if (!ret && cmd) {
		ret = batch_push(b, cmd, first, why);
		cmd = NULL;
	}
	if (!ret && ferror(f))
		ret = -1;
	free(line);
	free(cmd);
	return ret;
}

void dfc_batch_free(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->v[i].text);
		free(b->v[i].argv);
	}
	free(b->v);
	b->v = NULL;
	b->n = b->cap = 0;
}
