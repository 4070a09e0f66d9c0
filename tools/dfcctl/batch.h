/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * dfcctl -batch: a file's commands as read and split into words
 * (batch_read.c, alone in selftests/fuzz_batch/), then checked and run
 * (batch.c).
 */
#ifndef DFC_BATCH_H
#define DFC_BATCH_H

#include <stdbool.h>
#include <stdio.h>

#include "dfcctl.h"

/* A command's text, its lines joined by a blank, is at most this long. */
#define DFC_BATCH_CMD_MAX 32768

struct bline {
	unsigned int no; /* its (first) line in the file */
	char *text;	 /* the words, NUL-separated */
	char **argv;
	int argc;
	const char *why; /* the words could not be read: why */
	bool bad;	 /* refused when checked: not run (-force) */
	bool add;	 /* 'filter add', parsed into fa */
	struct filter_add fa;
};

struct batch {
	const char *name; /* for messages: the file, or "stdin" */
	struct bline *v;
	size_t n, cap;
};

/*
 * Split text (a line, joined with its continuations) into words, in
 * place: *argv (allocated, NULL-terminated) and *argc; 0 words for a
 * blank or comment line. -1 with *why for a bad line.
 */
int dfc_batch_split(char *text, char ***argv, int *argc, const char **why);
/* Every command of f into b: 0, or -1 if f cannot be read or memory runs out. */
int dfc_batch_read(struct batch *b, FILE *f);
/* What dfc_batch_read() allocated (not the lines' fa). */
void dfc_batch_free(struct batch *b);

#endif /* DFC_BATCH_H */
